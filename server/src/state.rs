//! The one state struct built at start-up and handed to every route and server function.

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use sqlx::AnyPool;

use crate::{
    accounts::service::AccountService,
    config::{Config, Environment},
    db::{self, DbError},
    metrics::HttpMetrics,
    predict::{Limits, Predictor},
    ratelimit::Limiter,
};
use trazo_model::Engine;

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub db: AnyPool,
    /// Present when `REDIS_URL` is set. Connections are opened per use with short timeouts.
    pub redis: Option<redis::Client>,
    pub leptos_options: LeptosOptions,
    pub metrics: Arc<HttpMetrics>,
    /// Counters for log-in back-off and sign-up limits (and later prediction quotas).
    pub limiter: Arc<Limiter>,
    pub accounts: Arc<AccountService>,
    pub predictor: Arc<Predictor>,
    pub prediction_limits: Limits,
}

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Database(#[from] DbError),
    #[error("REDIS_URL is not a valid Redis address: {0}")]
    Redis(#[source] redis::RedisError),
    #[error("the digit model cannot start: {0}")]
    Model(#[from] trazo_model::EngineError),
}

impl AppState {
    /// Connects to the database (migrating it) and prepares the Redis client.
    pub async fn build(config: Config) -> Result<Self, StartupError> {
        let db = db::connect_and_migrate(&config.database_url).await?;
        let redis = config
            .redis_url
            .as_deref()
            .map(redis::Client::open)
            .transpose()
            .map_err(StartupError::Redis)?;
        let leptos_options = leptos_options(&config);
        let limiter = Arc::new(Limiter::new(redis.clone(), "trazo:limit:"));
        let accounts = Arc::new(AccountService::new(&config, db.clone(), limiter.clone()));
        // The model is loaded and warmed with one forward pass here, before the server
        // listens, so `/readyz` never reports ready without it.
        let engine = Arc::new(Engine::new(
            config.inference_threads,
            config.inference_queue,
        )?);
        engine.submit([0.0; 28 * 28])?.await?;
        let predictor = Arc::new(Predictor::new(
            &config,
            engine,
            redis.clone(),
            db.clone(),
            accounts.clone(),
        ));
        let prediction_limits = Limits {
            per_hour: config.predict_per_hour,
            per_day: config.predict_per_day,
        };
        Ok(Self {
            config: Arc::new(config),
            db,
            redis,
            leptos_options,
            metrics: Arc::new(HttpMetrics::new()),
            limiter,
            accounts,
            predictor,
            prediction_limits,
        })
    }
}

/// The Leptos settings follow trazo's own configuration rather than a second set of variables.
fn leptos_options(config: &Config) -> LeptosOptions {
    let reload_port = std::env::var("LEPTOS_RELOAD_PORT")
        .ok()
        .and_then(|port| port.parse().ok())
        .unwrap_or(3001);
    LeptosOptions::builder()
        .output_name("trazo")
        .site_root(config.site_root.to_string_lossy().into_owned())
        .site_pkg_dir("pkg")
        .site_addr(config.bind_addr)
        .reload_port(reload_port)
        .env(match config.environment {
            Environment::Development => leptos::config::Env::DEV,
            Environment::Production => leptos::config::Env::PROD,
        })
        .build()
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
