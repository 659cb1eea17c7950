//! The binary's operator commands: `--version`, `migrate` and `check-config`, run as an
//! operator (or a deploy pipeline) would run them.

use crate::helpers::{ServerProcess, closed_port_url, fresh_postgres_database, redis_url};

fn text(output: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn version_names_the_model_and_the_preprocessing() {
    let output = ServerProcess::run_command(&["--version"], &[]);
    assert!(output.status.success());
    let said = text(&output);
    assert!(said.contains(env!("CARGO_PKG_VERSION")), "{said}");
    assert!(said.contains(trazo_model::MODEL_VERSION), "{said}");
}

#[test]
fn help_lists_every_setting_with_its_variable_and_default_and_no_secret() {
    let key = "a-signing-key-that-must-not-be-printed-0123456789";
    let output = ServerProcess::run_command(&["--help"], &[("SIGNING_KEY", key)]);
    assert!(output.status.success());
    let said = text(&output);
    for setting in trazo_server::config::settings::SETTINGS {
        assert!(said.contains(&format!("--{}", setting.flag())), "{said}");
        assert!(said.contains(&format!("[env: {}", setting.env)), "{said}");
    }
    for command in ["create-admin", "migrate", "check-config", "serve"] {
        assert!(said.contains(command), "{said}");
    }
    assert!(said.contains("[default: 127.0.0.1:3000]"), "{said}");
    assert!(
        !said.contains(key),
        "the environment's values are not shown"
    );
}

#[test]
fn a_flag_wins_over_the_environment_and_mistakes_exit_2() {
    let dir = tempfile::tempdir().expect("dir");
    let flagged = format!("sqlite://{}", dir.path().join("from-flag.db").display());
    // DATABASE_URL in the environment names the helper's own file; the flag names another.
    let output = ServerProcess::run_command(&["migrate", "--database-url", &flagged], &[]);
    assert!(output.status.success(), "{}", text(&output));
    assert!(
        dir.path().join("from-flag.db").exists(),
        "{}",
        text(&output)
    );
    let checked = ServerProcess::run_command(
        &["--predict-per-hour", "7", "check-config"],
        &[("PREDICT_PER_HOUR", "9")],
    );
    assert!(
        text(&checked).contains("7 predictions an hour"),
        "{}",
        text(&checked)
    );
    for wrong in [
        &["--no-such-setting", "1"][..],
        &["create-admin"],
        &["frobnicate"],
    ] {
        let output = ServerProcess::run_command(wrong, &[]);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{wrong:?}: {}",
            text(&output)
        );
    }
    let invalid = ServerProcess::run_command(&["check-config", "--predict-per-hour", "zero"], &[]);
    assert_eq!(invalid.status.code(), Some(1));
    assert!(
        text(&invalid).contains("PREDICT_PER_HOUR"),
        "{}",
        text(&invalid)
    );
}

/// How many migrations the repository has (each one a file in `migrations/`).
fn migrations() -> usize {
    std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../migrations"))
        .expect("the migrations folder")
        .filter(|entry| {
            entry
                .as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|ext| ext == "sql"))
        })
        .count()
}

fn migrate_twice(database_url: &str) {
    let vars = [("DATABASE_URL", database_url)];
    let first = ServerProcess::run_command(&["migrate"], &vars);
    assert!(first.status.success(), "{}", text(&first));
    assert!(
        text(&first).contains(&format!("applied {} migration(s)", migrations())),
        "{}",
        text(&first)
    );
    let again = ServerProcess::run_command(&["migrate"], &vars);
    assert!(again.status.success(), "{}", text(&again));
    assert!(
        text(&again).contains("already up to date"),
        "{}",
        text(&again)
    );
}

#[test]
fn migrate_brings_a_new_sqlite_database_up_to_date_once() {
    let dir = tempfile::tempdir().expect("dir");
    migrate_twice(&format!(
        "sqlite://{}",
        dir.path().join("fresh.db").display()
    ));
}

#[tokio::test]
async fn migrate_brings_a_new_postgres_database_up_to_date_once() {
    let url = fresh_postgres_database().await;
    tokio::task::spawn_blocking(move || migrate_twice(&url))
        .await
        .expect("migrate");
}

#[tokio::test]
async fn check_config_passes_a_good_configuration_without_showing_passwords() {
    let site = tempfile::tempdir().expect("dir");
    std::fs::create_dir(site.path().join("pkg")).expect("pkg");
    let database = fresh_postgres_database().await;
    let password = database
        .split_once("://")
        .and_then(|(_, rest)| rest.split_once('@'))
        .and_then(|(userinfo, _)| userinfo.split_once(':'))
        .map(|(_, password)| password.to_owned())
        .expect("TEST_POSTGRES_URL carries a password");
    let site_root = site.path().display().to_string();
    let redis = redis_url();
    let output = tokio::task::spawn_blocking(move || {
        ServerProcess::run_command(
            &["check-config"],
            &[
                ("DATABASE_URL", &database),
                ("REDIS_URL", &redis),
                ("SITE_ROOT", &site_root),
            ],
        )
    })
    .await
    .expect("check-config");
    let said = text(&output);
    assert!(output.status.success(), "{said}");
    assert!(
        said.contains(&format!("{} migration(s) to apply", migrations())),
        "{said}"
    );
    assert!(said.contains("configuration OK"), "{said}");
    assert!(
        !said.contains(&password),
        "the database password was printed: {said}"
    );
}

#[test]
fn check_config_fails_on_what_would_break_serving() {
    let output = ServerProcess::run_command(
        &["check-config"],
        &[("REDIS_URL", &closed_port_url("redis"))],
    );
    let said = text(&output);
    assert_eq!(output.status.code(), Some(1), "{said}");
    assert!(said.contains("PROBLEM: Redis unreachable"), "{said}");
    // The helper's SITE_ROOT is an empty folder: no front end built there.
    assert!(said.contains("has no pkg/ folder"), "{said}");
    assert!(!said.contains("configuration OK"), "{said}");

    let refused = ServerProcess::run_command(&["check-config"], &[("TRAZO_ENV", "production")]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(text(&refused).contains("must be set when TRAZO_ENV=production"));
}
