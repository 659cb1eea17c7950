//! The one state struct built at start-up and handed to every route and server function.

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use sqlx::AnyPool;

use crate::{
    accounts::{
        admin::Admin,
        password::{PasswordHasherPool, Peppers},
        remembered::LiveSessions,
        service::AccountService,
        sessions::Sessions,
    },
    admission::Exports,
    config::{Config, Environment},
    db::{self, DbError},
    edge::ports::{AccountsPort, PredictionsPort},
    mail::{Mail, worker::MailSetupError, worker::MailWorker},
    metrics::{
        Registry,
        service::{BoundName, ServiceMetrics},
    },
    predictions::history::History,
    predictions::predictor::Predictor,
    predictions::stats::{RefusalTally, Stats},
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
    pub metrics: Arc<Registry>,
    /// Counters for log-in back-off, sign-up limits and prediction quotas.
    pub limiter: Arc<Limiter>,
    pub sessions: Arc<Sessions>,
    pub accounts: Arc<AccountService>,
    pub predictor: Arc<Predictor>,
    /// What the server functions call (see `ports`).
    pub accounts_port: Arc<AccountsPort>,
    pub predictions_port: Arc<PredictionsPort>,
    /// The bound on dataset downloads being built (`/api/dataset/…`).
    pub dataset_exports: Arc<Exports>,
    /// Prediction requests the rate limit refused, on their way to the admin's figures.
    pub refusals: Arc<RefusalTally>,
}

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Database(#[from] DbError),
    #[error("REDIS_URL is not a valid Redis address: {0}")]
    Redis(#[source] redis::RedisError),
    #[error("the digit model cannot start: {0}")]
    Model(#[from] trazo_model::EngineError),
    #[error("mail cannot start: {0}")]
    Mail(#[from] MailSetupError),
}

/// The password threads: each argon2 run takes 19 MiB and a core for tens of milliseconds, so at
/// most half the cores hash at a time (one on a 2-core machine). A flood of log-ins waits for
/// those in a short line (`AUTH_QUEUE`, then 503) and leaves the other half to predictions and
/// pages (measured in BENCHMARKS.md).
pub fn password_threads(config: &Config, metrics: &ServiceMetrics) -> Arc<PasswordHasherPool> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    Arc::new(
        PasswordHasherPool::new((cores / 2).max(1), config.auth_queue)
            .peppered(Peppers::new(
                config.password_pepper.clone(),
                config.password_pepper_previous.clone(),
            ))
            .measured(
                metrics.password_wait_seconds.clone(),
                metrics.refusals(BoundName::Passwords),
            ),
    )
}

impl AppState {
    /// Connects to the database (migrating it), prepares the Redis client, and loads the model.
    pub async fn build(config: Config) -> Result<Self, StartupError> {
        let db = db::connect_and_migrate(config.database_url.expose()).await?;
        let redis = config
            .redis_url
            .as_ref()
            .map(|url| redis::Client::open(url.expose()))
            .transpose()
            .map_err(StartupError::Redis)?;
        let leptos_options = leptos_options(&config);
        let metrics = Arc::new(Registry::new());
        let service = &metrics.service;
        let limiter = Arc::new(
            Limiter::new(redis.clone(), "trazo:limit:")
                .counting_redis_errors(service.ratelimit_redis_errors.clone()),
        );
        let hasher = password_threads(&config, service);
        let live = Arc::new(
            LiveSessions::new(redis.clone(), service.session_checks.clone())
                .counting_redis_errors(service.session_redis_errors.clone()),
        );
        let sessions = Arc::new(Sessions::new(&config, db.clone(), live.clone()));
        let mail = Arc::new(Mail::new(&config));
        if config.mail.enabled {
            // Checked before the server listens: a bad SMTP_URL stops the start, not the first mail.
            MailWorker::new(&config, db.clone(), &mail, service.mail.clone())?.spawn();
        }
        let accounts = Arc::new(AccountService::new(
            &config,
            db.clone(),
            hasher.clone(),
            sessions.clone(),
            limiter.clone(),
            service.clone(),
            mail,
        ));
        // The model is loaded and warmed (see `Engine::new`) before the server listens, so
        // `/readyz` never reports ready without it.
        let engine = Arc::new(Engine::new(
            config.inference_threads,
            config.inference_queue,
        )?);
        let history = Arc::new(History::new(db.clone(), service.history_batch_rows.clone()));
        let predictor = Arc::new(Predictor::new(
            &config,
            engine,
            redis.clone(),
            history.clone(),
            service,
        ));
        let dataset_exports = Arc::new(Exports::new(service.refusals(BoundName::Dataset)));
        let refusals = RefusalTally::new(db.clone());
        refusals.spawn_flusher();
        let stats = Arc::new(Stats::new(db.clone(), refusals.clone()));
        Ok(Self {
            dataset_exports,
            refusals,
            accounts_port: Arc::new(AccountsPort {
                accounts: accounts.clone(),
                admin: Arc::new(Admin::new(db.clone(), hasher, live)),
                sessions: sessions.clone(),
            }),
            predictions_port: Arc::new(PredictionsPort {
                predictor: predictor.clone(),
                history,
                sessions: sessions.clone(),
                stats,
                metrics: service.clone(),
                limiter: limiter.clone(),
            }),
            config: Arc::new(config),
            db,
            redis,
            leptos_options,
            metrics,
            limiter,
            sessions,
            accounts,
            predictor,
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
