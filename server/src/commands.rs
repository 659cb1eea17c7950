//! The binary's one-shot commands for operators: `create-admin`, `migrate` (for deploy
//! pipelines) and `check-config` (is this configuration good to serve with?). Each returns
//! the lines to print and whether it succeeded; `main` only prints them.

use std::sync::Arc;

use crate::{
    accounts::{admin::Admin, remembered::LiveSessions},
    config::{Config, KeySource},
    db::{self, DbError, MIGRATOR},
    metrics::service::ServiceMetrics,
    redis_link::{RedisLink, Unavailable},
    state,
};

/// What a command says, line by line, and whether it succeeded.
pub struct Report {
    pub lines: Vec<String>,
    pub ok: bool,
}

impl Report {
    fn new() -> Self {
        Self {
            lines: Vec::new(),
            ok: true,
        }
    }

    fn say(&mut self, line: impl Into<String>) {
        self.lines.push(line.into());
    }

    fn problem(&mut self, line: impl Into<String>) {
        self.ok = false;
        self.lines.push(format!("PROBLEM: {}", line.into()));
    }
}

/// `server create-admin <name>`: creates the account as an admin, or promotes it. Needs only
/// the database and the password threads, not the model.
pub async fn create_admin(config: &Config, username: &str, password: Option<String>) -> Report {
    let mut report = Report::new();
    match db::connect_and_migrate(config.database_url.expose()).await {
        Ok(pool) => {
            let metrics = ServiceMetrics::detached();
            // Running servers are told through Redis, so sessions this ends end there at once.
            let redis = config
                .redis_url
                .as_ref()
                .and_then(|url| redis::Client::open(url.expose()).ok());
            let live = LiveSessions::new(redis, metrics.session_checks.clone());
            let admin = Admin::new(
                pool,
                state::password_threads(config, &metrics),
                Arc::new(live),
            );
            match admin.create_or_promote(username, password).await {
                Ok(done) => report.say(done),
                Err(error) => report.problem(format!("create-admin failed: {error}")),
            }
        }
        Err(error) => report.problem(error.to_string()),
    }
    report
}

/// `server migrate`: brings the database's schema up to date and exits.
pub async fn migrate(config: &Config) -> Report {
    let mut report = Report::new();
    let url = config.database_url.redacted();
    let pool = match db::connect(config.database_url.expose()).await {
        Ok(pool) => pool,
        Err(error) => {
            report.problem(error.to_string());
            return report;
        }
    };
    let pending = db::pending_migrations(&pool)
        .await
        .unwrap_or(MIGRATOR.iter().count());
    match MIGRATOR.run(&pool).await {
        Ok(()) if pending == 0 => report.say(format!("{url}: already up to date")),
        Ok(()) => report.say(format!("{url}: applied {pending} migration(s); up to date")),
        Err(error) => report.problem(DbError::Migrate(error).to_string()),
    }
    report
}

/// `server check-config`: what would run with this configuration, and whether the database
/// and Redis answer. Changes nothing, except that an SQLite file is created if it is missing.
pub async fn check_config(config: &Config) -> Report {
    let mut report = Report::new();
    report.say(format!("environment:     {:?}", config.environment));
    report.say(format!("listen on:       {}", config.bind_addr));
    report.say(format!("public origin:   {}", config.public_origin));
    report.say(format!(
        "signing key:     {}",
        match config.signing_key_source {
            KeySource::Configured => "configured",
            KeySource::GeneratedForDevelopment =>
                "not set: a random one per run (sessions end on restart)",
        }
    ));
    report.say(format!("secure cookies:  {}", config.cookie_secure));
    report.say(format!("site root:       {}", config.site_root.display()));
    if !config.site_root.join("pkg").is_dir() {
        report.problem(format!(
            "{} has no pkg/ folder: build the front end (`make release`) or set SITE_ROOT",
            config.site_root.display()
        ));
    }
    report.say(format!(
        "limits:          {} predictions an hour, {} a day; {} sign-ups an hour per address",
        config.predict_per_hour, config.predict_per_day, config.signups_per_hour
    ));

    report.say(format!(
        "database:        {}",
        config.database_url.redacted()
    ));
    match db::connect(config.database_url.expose()).await {
        Ok(pool) => match db::pending_migrations(&pool).await {
            Ok(0) => report.say("                 reachable, schema up to date"),
            Ok(n) => report.say(format!(
                "                 reachable, {n} migration(s) to apply (`server migrate`, or at start)"
            )),
            Err(error) => report.problem(format!("database query failed: {error}")),
        },
        Err(error) => report.problem(error.to_string()),
    }

    match &config.redis_url {
        None => report.say("redis:           not configured (limits and cache per instance)"),
        Some(url) => {
            report.say(format!("redis:           {}", url.redacted()));
            match redis::Client::open(url.expose()) {
                Ok(client) => {
                    let link = RedisLink::new(Some(client));
                    let ping = link
                        .run(async |connection| {
                            redis::cmd("PING").query_async::<String>(connection).await
                        })
                        .await;
                    match ping {
                        Ok(_) => report.say("                 reachable"),
                        Err(Unavailable::TimedOut) => report.problem(format!(
                            "Redis did not answer within {} ms",
                            crate::redis_link::TIMEOUT.as_millis()
                        )),
                        Err(error) => report.problem(format!("Redis unreachable: {error}")),
                    }
                }
                Err(error) => report.problem(format!("REDIS_URL is not valid: {error}")),
            }
        }
    }
    if report.ok {
        report.say("configuration OK");
    }
    report
}
