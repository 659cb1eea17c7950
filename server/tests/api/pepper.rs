//! The pepper on every password hash: the database alone does not verify a password, peppers
//! rotate (old hashes re-hashed at log-in), and hashes from before the pepper get it at log-in.

use argon2::{Algorithm, Argon2, Params, PasswordHash, PasswordVerifier, Version};
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{
    self, PASSWORD, Settings, TestApp, post_json, settings, spawn_app_with, unique_name,
};

/// 40 random characters.
fn random_pepper() -> String {
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    )
}

async fn register(app: &TestApp, name: &str) {
    let response = post_json(
        app,
        "/api/register",
        json!({"username": name, "password": PASSWORD}),
    )
    .await;
    assert_eq!(response.status(), StatusCode::CREATED, "sign-up of {name}");
}

async fn login_status(app: &TestApp, name: &str) -> StatusCode {
    helpers::login_status(app, name, PASSWORD).await
}

async fn stored_hash(app: &TestApp, name: &str) -> String {
    sqlx::query_scalar("SELECT password_hash FROM users WHERE username = $1")
        .bind(name)
        .fetch_one(&app.state.db)
        .await
        .expect("the user's hash")
}

/// The `keyid` of a PHC string (empty without one).
fn keyid(hash: &str) -> Vec<u8> {
    let parsed = PasswordHash::new(hash).expect("a PHC string");
    Params::try_from(&parsed)
        .expect("argon2 parameters")
        .keyid()
        .to_vec()
}

/// Whether `hash` verifies [`PASSWORD`] with argon2id and `pepper` as the secret (none: plain
/// argon2id), with the parameters the hash names.
fn verifies(hash: &str, pepper: Option<&str>) -> bool {
    let parsed = PasswordHash::new(hash).expect("a PHC string");
    let params = Params::try_from(&parsed).expect("argon2 parameters");
    let argon2 = match pepper {
        Some(pepper) => Argon2::new_with_secret(
            pepper.as_bytes(),
            Algorithm::Argon2id,
            Version::V0x13,
            params,
        )
        .expect("argon2 with a secret"),
        None => Argon2::new(Algorithm::Argon2id, Version::V0x13, params),
    };
    argon2.verify_password(PASSWORD.as_bytes(), &parsed).is_ok()
}

/// A SQLite database in `dir` that several servers, one after another, share.
fn shared_database(dir: &tempfile::TempDir) -> String {
    format!("sqlite://{}", dir.path().join("pepper.db").display())
}

fn on(database: &str) -> Settings {
    settings().set("DATABASE_URL", database)
}

#[tokio::test]
async fn the_database_alone_does_not_verify_a_password() {
    let pepper = random_pepper();
    let app = spawn_app_with(settings().set("PASSWORD_PEPPER", pepper.clone())).await;
    let name = unique_name("pep");
    register(&app, &name).await;
    let hash = stored_hash(&app, &name).await;
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(hash.contains("keyid="), "the hash names its pepper: {hash}");
    assert!(!hash.contains(&pepper), "the pepper itself is never stored");
    assert!(
        !verifies(&hash, None),
        "the right password must not verify without the pepper"
    );
    assert!(!verifies(&hash, Some(&random_pepper())));
    assert!(verifies(&hash, Some(&pepper)));
    assert_eq!(login_status(&app, &name).await, StatusCode::OK);
}

#[tokio::test]
async fn rotating_the_pepper_rehashes_at_the_next_log_in() {
    let (p1, p2) = (random_pepper(), random_pepper());
    let dir = tempfile::tempdir().expect("dir");
    let database = shared_database(&dir);
    let (rotated, stale) = (unique_name("rot"), unique_name("old"));

    let first = spawn_app_with(on(&database).set("PASSWORD_PEPPER", p1.clone())).await;
    register(&first, &rotated).await;
    register(&first, &stale).await;
    let old_hash = stored_hash(&first, &rotated).await;
    let stale_hash = stored_hash(&first, &stale).await;
    assert!(verifies(&old_hash, Some(&p1)));
    first.stop().await.expect("first server stops");

    // The new pepper, with the old one still accepted: the log-in re-hashes.
    let second = spawn_app_with(
        on(&database)
            .set("PASSWORD_PEPPER", p2.clone())
            .set("PASSWORD_PEPPER_PREVIOUS", p1.clone()),
    )
    .await;
    assert_eq!(login_status(&second, &rotated).await, StatusCode::OK);
    let new_hash = stored_hash(&second, &rotated).await;
    assert_ne!(new_hash, old_hash, "re-hashed at log-in");
    assert!(!keyid(&new_hash).is_empty(), "{new_hash}");
    assert_ne!(keyid(&new_hash), keyid(&old_hash), "another pepper");
    assert!(verifies(&new_hash, Some(&p2)));
    assert!(!verifies(&new_hash, Some(&p1)));
    assert_eq!(
        stored_hash(&second, &stale).await,
        stale_hash,
        "untouched until its own log-in"
    );
    second.stop().await.expect("second server stops");

    // The old pepper retired: re-hashed accounts log in; the one that never did cannot.
    let third = spawn_app_with(on(&database).set("PASSWORD_PEPPER", p2.clone())).await;
    assert_eq!(login_status(&third, &rotated).await, StatusCode::OK);
    assert_eq!(
        stored_hash(&third, &rotated).await,
        new_hash,
        "already on the current pepper: not re-hashed again"
    );
    assert_eq!(
        login_status(&third, &stale).await,
        StatusCode::UNAUTHORIZED,
        "a hash made with a pepper the server no longer knows does not verify"
    );
    assert_eq!(stored_hash(&third, &stale).await, stale_hash);
}

#[tokio::test]
async fn hashes_from_before_the_pepper_get_it_at_the_next_log_in() {
    let dir = tempfile::tempdir().expect("dir");
    let database = shared_database(&dir);
    let name = unique_name("bare");

    let before = spawn_app_with(on(&database)).await;
    register(&before, &name).await;
    let bare = stored_hash(&before, &name).await;
    assert!(!bare.contains("keyid="), "no pepper yet: {bare}");
    assert!(verifies(&bare, None));
    before.stop().await.expect("server stops");

    let pepper = random_pepper();
    let after = spawn_app_with(on(&database).set("PASSWORD_PEPPER", pepper.clone())).await;
    assert_eq!(login_status(&after, &name).await, StatusCode::OK);
    let peppered = stored_hash(&after, &name).await;
    assert!(
        peppered.contains("keyid="),
        "peppered at log-in: {peppered}"
    );
    assert!(!verifies(&peppered, None));
    assert!(verifies(&peppered, Some(&pepper)));
    assert_eq!(login_status(&after, &name).await, StatusCode::OK);
}
