//! The `server` binary: reads the configuration, prepares the state and serves until told to stop.

use std::{process::ExitCode, time::Duration};

use trazo_server::{
    AppState,
    cli::{Command, Invocation},
    commands,
    config::{Config, ConfigError, KeySource},
    shutdown, telemetry,
};

/// mimalloc rather than glibc's malloc: measured in BENCHMARKS.md ("The allocator").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let invocation = match Invocation::parse_from(std::env::args_os()) {
        Ok(invocation) => invocation,
        // `--help` and `--version` too: clap prints them and exits 0; mistakes exit 2.
        Err(error) => error.exit(),
    };
    let config = || Config::from_env_and(|name| invocation.flag(name));
    match &invocation.command {
        Command::Serve => {}
        Command::CreateAdmin { username } => return create_admin(config(), username).await,
        Command::Migrate => {
            return run_command(config(), |config| async move {
                commands::migrate(&config).await
            })
            .await;
        }
        Command::CheckConfig => {
            return run_command(config(), |config| async move {
                commands::check_config(&config).await
            })
            .await;
        }
    }

    let config = match config() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("trazo cannot start: {error}");
            return ExitCode::from(1);
        }
    };
    telemetry::init(config.log_format, &config.log_filter);
    if config.signing_key_source == KeySource::GeneratedForDevelopment {
        tracing::warn!(
            "SIGNING_KEY is not set: using a random key for this run, so sessions end when the server restarts"
        );
    }
    tracing::info!(
        environment = ?config.environment,
        database = %config.database_url.redacted(),
        redis = config.redis_url.is_some(),
        "starting trazo"
    );

    let bind_addr = config.bind_addr;
    let grace = Duration::from_secs(config.shutdown_grace_secs);
    let limits = trazo_server::ConnectionLimits::from(&config);
    let state = match AppState::build(config).await {
        Ok(state) => state,
        Err(error) => {
            tracing::error!(%error, "trazo cannot start");
            return ExitCode::from(1);
        }
    };
    let listener = match tokio::net::TcpListener::bind(bind_addr).await {
        Ok(listener) => listener,
        Err(error) => {
            tracing::error!(%error, %bind_addr, "cannot listen");
            return ExitCode::from(1);
        }
    };
    let stop = shutdown::signal();
    match listener.local_addr() {
        Ok(addr) => tracing::info!("listening on http://{addr}"),
        Err(_) => tracing::info!("listening on http://{bind_addr}"),
    }
    // Refusals counted since the last flush are written when the server stops.
    let refusals = state.refusals.clone();
    let app = trazo_server::router(state);
    let served = trazo_server::serve(listener, app, stop, grace, limits).await;
    if let Err(error) = refusals.flush().await {
        tracing::warn!(%error, "could not record the last refusals of the rate limit");
    }
    match served {
        Ok(()) => {
            tracing::info!("stopped");
            ExitCode::SUCCESS
        }
        Err(error) => {
            tracing::error!(%error, "server error");
            ExitCode::from(1)
        }
    }
}

/// Runs one command with the configuration and prints its report.
async fn run_command<F, Fut>(config: Result<Config, ConfigError>, command: F) -> ExitCode
where
    F: FnOnce(Config) -> Fut,
    Fut: std::future::Future<Output = commands::Report>,
{
    match config {
        Ok(config) => print_report(command(config).await),
        Err(error) => {
            eprintln!("trazo cannot start: {error}");
            ExitCode::from(1)
        }
    }
}

fn print_report(report: commands::Report) -> ExitCode {
    for line in &report.lines {
        if report.ok {
            println!("{line}");
        } else {
            eprintln!("{line}");
        }
    }
    if report.ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// `server create-admin <name>`: the password comes from standard input so it never shows up in
/// the process list or the shell history.
async fn create_admin(config: Result<Config, ConfigError>, username: &str) -> ExitCode {
    let config = match config {
        Ok(config) => config,
        Err(error) => {
            eprintln!("trazo cannot start: {error}");
            return ExitCode::from(1);
        }
    };
    let mut line = String::new();
    if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        eprintln!("Password for {username} (leave empty to only promote an existing account):");
    }
    if let Err(error) = std::io::stdin().read_line(&mut line) {
        eprintln!("cannot read the password from standard input: {error}");
        return ExitCode::from(1);
    }
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    let password = (!password.is_empty()).then_some(password);
    print_report(commands::create_admin(&config, username, password).await)
}
