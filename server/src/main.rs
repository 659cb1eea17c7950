//! The `server` binary: reads the configuration, prepares the state and serves until told to stop.

use std::{process::ExitCode, time::Duration};

use trazo_server::{
    AppState, commands,
    config::{Config, KeySource},
    shutdown, telemetry,
};

const USAGE: &str = "\
trazo server

USAGE:
    server                        serve the app (configuration from the environment; see .env.example)
    server create-admin <name>    create the account <name> as an admin, or promote it if it exists;
                                  a new account's password is read from standard input (one line),
                                  never from the command line
    server migrate                bring the database's schema up to date and exit
    server check-config           print what would run and check the database and Redis; exits
                                  non-zero on any problem
    server --version              print the version, with the model's and the preprocessing's
    server --help                 print this message
";

#[tokio::main]
async fn main() -> ExitCode {
    match std::env::args().nth(1).as_deref() {
        None | Some("serve") => {}
        Some("create-admin") => return create_admin(std::env::args().nth(2)).await,
        Some("migrate") => {
            return run_command(|config| async move { commands::migrate(&config).await }).await;
        }
        Some("check-config") => {
            return run_command(|config| async move { commands::check_config(&config).await })
                .await;
        }
        Some("-V" | "--version" | "version") => {
            println!(
                "trazo {} (model {}, preprocessing v{})",
                env!("CARGO_PKG_VERSION"),
                trazo_model::MODEL_VERSION,
                trazo_model::PREPROCESS_VERSION
            );
            return ExitCode::SUCCESS;
        }
        Some("-h" | "--help" | "help") => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Some(other) => {
            eprintln!("unknown command {other:?}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    }

    let config = match Config::from_env() {
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
    let app = trazo_server::router(state);
    match trazo_server::serve(listener, app, stop, grace, limits).await {
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

/// Reads the configuration, runs one command with it and prints its report.
async fn run_command<F, Fut>(command: F) -> ExitCode
where
    F: FnOnce(Config) -> Fut,
    Fut: std::future::Future<Output = commands::Report>,
{
    match Config::from_env() {
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
async fn create_admin(username: Option<String>) -> ExitCode {
    let Some(username) = username else {
        eprintln!("create-admin needs a username\n\n{USAGE}");
        return ExitCode::from(2);
    };
    let config = match Config::from_env() {
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
    print_report(commands::create_admin(&config, &username, password).await)
}
