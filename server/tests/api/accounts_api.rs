//! The accounts API contract (`/api/register`, `/api/login`, `/api/refresh`, `/api/logout`,
//! `/api/me`, the account and admin functions) over real HTTP, on SQLite and PostgreSQL.

use std::time::{Duration, Instant};

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::{StatusCode, header};
use serde_json::{Value, json};
use trazo_server::accounts::tokens::Claims;

use crate::helpers::{
    KEY, PASSWORD, ServerProcess, TestApp, cookie_header, cookies_of, fresh_postgres_database,
    login, post_json, settings, spawn_app_with, two_instances_sharing_redis_and_postgres,
};

async fn app() -> TestApp {
    spawn_app_with(settings()).await
}

async fn msg(response: reqwest::Response) -> (StatusCode, String) {
    let status = response.status();
    let body: Value = response.json().await.expect("JSON body");
    (
        status,
        body["msg"].as_str().expect("a msg field").to_owned(),
    )
}

async fn register(app: &TestApp, username: &str, password: &str) -> (StatusCode, String) {
    msg(post_json(
        app,
        "/api/register",
        json!({"username": username, "password": password}),
    )
    .await)
    .await
}

async fn me_with_bearer(app: &TestApp, token: &str) -> reqwest::Response {
    app.client
        .get(app.url("/api/me"))
        .bearer_auth(token)
        .send()
        .await
        .expect("request")
}

async fn me_with_cookie(app: &TestApp, cookie: &str) -> reqwest::Response {
    app.client
        .get(app.url("/api/me"))
        .header(header::COOKIE, cookie)
        .send()
        .await
        .expect("request")
}

/// A same-origin POST from the browser: cookie plus `Origin`.
async fn browser_post(app: &TestApp, path: &str, cookie: &str, body: Value) -> reqwest::Response {
    app.client
        .post(app.url(path))
        .header(header::COOKIE, cookie)
        .header(header::ORIGIN, format!("http://{}", app.addr))
        .json(&body)
        .send()
        .await
        .expect("request")
}

async fn contract(app: &TestApp) {
    // Registration.
    assert_eq!(
        register(app, "alice", PASSWORD).await,
        (StatusCode::CREATED, "User registered successfully".into())
    );
    let required = (
        StatusCode::BAD_REQUEST,
        "Username and password required".to_owned(),
    );
    for body in [
        json!({}),
        json!({"username": "bob"}),
        json!({"password": PASSWORD}),
        json!({"username": "", "password": PASSWORD}),
        json!({"username": "bob", "password": ""}),
    ] {
        assert_eq!(
            msg(post_json(app, "/api/register", body.clone()).await).await,
            required,
            "{body}"
        );
        assert_eq!(
            msg(post_json(app, "/api/login", body.clone()).await).await,
            required,
            "{body}"
        );
    }
    assert_eq!(
        register(app, "ALICE", "another fine passphrase 42").await,
        (StatusCode::CONFLICT, "Username already exists".into())
    );
    let (status, reason) = register(app, "bob", "password123").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!reason.is_empty());
    let (status, reason) = register(app, "bob", "bob-bob-bob").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{reason}");
    let (status, reason) = register(app, "b", PASSWORD).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reason.contains('3'), "{reason}");
    let (status, reason) = register(app, "bob", &"x".repeat(129)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reason.contains("128"), "{reason}");

    // A body that is not the expected JSON is a 400 with a message, never a 500.
    let response = app
        .client
        .post(app.url("/api/register"))
        .header(header::CONTENT_TYPE, "application/json")
        .body("{not json")
        .send()
        .await
        .expect("request");
    let (status, _) = msg(response).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) =
        msg(post_json(app, "/api/register", json!({"username": 5, "password": []})).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // No state-changing function answers GET.
    let (status, _) = msg(app.get("/api/register").await).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    let (status, _) = msg(app.get("/api/nope").await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Log-in.
    let response = post_json(
        app,
        "/api/login",
        json!({"username": "Alice", "password": PASSWORD}),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let set_cookies = cookies_of(&response);
    assert_eq!(set_cookies.len(), 2, "{set_cookies:?}");
    for cookie in &set_cookies {
        for attribute in ["HttpOnly", "SameSite=Lax", "Path=/"] {
            assert!(cookie.contains(attribute), "{cookie} lacks {attribute}");
        }
        assert!(!cookie.contains("Secure"), "plain http in tests: {cookie}");
    }
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    let token = body["access_token"].as_str().expect("token").to_owned();

    let unknown = msg(post_json(
        app,
        "/api/login",
        json!({"username": "nobody", "password": PASSWORD}),
    )
    .await)
    .await;
    let wrong = msg(post_json(
        app,
        "/api/login",
        json!({"username": "alice", "password": "not the password"}),
    )
    .await)
    .await;
    assert_eq!(
        unknown,
        (StatusCode::UNAUTHORIZED, "Bad username or password".into())
    );
    assert_eq!(wrong, unknown);

    // Who am I.
    let response = me_with_bearer(app, &token).await;
    assert_eq!(response.status(), StatusCode::OK);
    let me: Value = response.json().await.expect("json");
    assert_eq!(me["username"], "alice");
    assert_eq!(me["role"], "user");
    assert!(me["created_at"].as_str().expect("string").ends_with('Z'));
    let response = me_with_cookie(app, &cookie_header(&set_cookies)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        msg(app.get("/api/me").await).await,
        (
            StatusCode::UNAUTHORIZED,
            "Missing Authorization Header".into()
        )
    );
    let (status, text) = msg(me_with_bearer(app, "not-a-jwt").await).await;
    assert_eq!(
        (status, text.as_str()),
        (StatusCode::UNAUTHORIZED, "Invalid token")
    );
}

#[tokio::test]
async fn the_contract_holds_on_sqlite() {
    contract(&app().await).await;
}

#[tokio::test]
async fn the_contract_holds_on_postgres() {
    let url = fresh_postgres_database().await;
    contract(&spawn_app_with(settings().set("DATABASE_URL", url)).await).await;
}

async fn twenty_concurrent_registrations(app: &TestApp) {
    let attempts = (0..20).map(|i| {
        let name = if i % 2 == 0 { "carol" } else { "CAROL" };
        register(app, name, PASSWORD)
    });
    let results = futures::future::join_all(attempts).await;
    let created = results
        .iter()
        .filter(|(s, _)| *s == StatusCode::CREATED)
        .count();
    let conflicts = results
        .iter()
        .filter(|(s, m)| *s == StatusCode::CONFLICT && m == "Username already exists")
        .count();
    assert_eq!((created, conflicts), (1, 19), "{results:?}");
}

#[tokio::test]
async fn twenty_concurrent_registrations_of_one_name_give_one_201_on_sqlite() {
    twenty_concurrent_registrations(&app().await).await;
}

#[tokio::test]
async fn twenty_concurrent_registrations_of_one_name_give_one_201_on_postgres() {
    let url = fresh_postgres_database().await;
    twenty_concurrent_registrations(&spawn_app_with(settings().set("DATABASE_URL", url)).await)
        .await;
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64
}

fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[tokio::test]
async fn tampered_tokens_are_refused() {
    let app = app().await;
    register(&app, "dave", PASSWORD).await;
    let session = login(&app, "dave", PASSWORD).await;
    let me: Value = me_with_bearer(&app, &session.token)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(me["username"], "dave");

    // The real claims, to re-sign in hostile ways.
    let payload = session.token.split('.').nth(1).expect("payload");
    let claims: Claims = {
        use base64::Engine;
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .expect("base64");
        serde_json::from_slice(&bytes).expect("claims")
    };
    let sign = |header: Header, claims: &Claims| {
        jsonwebtoken::encode(&header, claims, &EncodingKey::from_secret(KEY.as_bytes()))
            .expect("sign")
    };

    let mut hostile = Vec::new();
    // alg: none, no signature.
    let none_header = b64(br#"{"alg":"none","typ":"JWT"}"#);
    hostile.push(("alg none", format!("{none_header}.{payload}.")));
    // Payload changed (role admin), signature kept.
    let mut admin = claims.clone();
    admin.role = "admin".into();
    let forged_payload = b64(&serde_json::to_vec(&admin).expect("json"));
    let mut parts = session.token.split('.');
    let (h, _, s) = (
        parts.next().expect("h"),
        parts.next(),
        parts.next().expect("s"),
    );
    hostile.push(("changed payload", format!("{h}.{forged_payload}.{s}")));
    // Same key, other algorithms.
    hostile.push(("HS512", sign(Header::new(Algorithm::HS512), &claims)));
    hostile.push(("HS384", sign(Header::new(Algorithm::HS384), &claims)));
    // Signed with another key.
    hostile.push((
        "other key",
        jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(b"another key entirely, 32+ bytes long!!"),
        )
        .expect("sign"),
    ));
    // Expired beyond the leeway.
    let mut expired = claims.clone();
    expired.iat = now() - 3600;
    expired.nbf = now() - 3600;
    expired.exp = now() - 120;
    let expired_token = sign(Header::new(Algorithm::HS256), &expired);
    // Wrong audience, wrong issuer, wrong type, not yet valid.
    let mut audience = claims.clone();
    audience.aud = "someone-else".into();
    hostile.push(("audience", sign(Header::new(Algorithm::HS256), &audience)));
    let mut issuer = claims.clone();
    issuer.iss = "evil".into();
    hostile.push(("issuer", sign(Header::new(Algorithm::HS256), &issuer)));
    let mut kind = claims.clone();
    kind.typ = "refresh".into();
    hostile.push(("type", sign(Header::new(Algorithm::HS256), &kind)));
    let mut future = claims.clone();
    future.nbf = now() + 600;
    hostile.push((
        "not yet valid",
        sign(Header::new(Algorithm::HS256), &future),
    ));

    for (what, token) in hostile {
        let (status, text) = msg(me_with_bearer(&app, &token).await).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{what}");
        assert_eq!(text, "Invalid token", "{what}");
    }
    assert_eq!(
        msg(me_with_bearer(&app, &expired_token).await).await,
        (StatusCode::UNAUTHORIZED, "Token has expired".into())
    );
    let response = app
        .client
        .get(app.url("/api/me"))
        .header(header::AUTHORIZATION, "Basic ZGF2ZTpwYXNz")
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn refresh_rotates_and_a_replayed_token_ends_the_session() {
    // No grace window here: any replay counts as theft (the window is tested in `abuse`).
    let app = spawn_app_with(settings().set("REFRESH_GRACE_SECS", "0")).await;
    register(&app, "erin", PASSWORD).await;
    let first = login(&app, "erin", PASSWORD).await;

    let response = browser_post(&app, "/api/refresh", &first.cookie, json!({})).await;
    assert_eq!(response.status(), StatusCode::OK);
    let second_cookie = cookie_header(&cookies_of(&response));
    let body: Value = response.json().await.expect("json");
    let second_token = body["access_token"].as_str().expect("token").to_owned();
    assert_ne!(second_cookie, first.cookie);
    assert_eq!(
        me_with_bearer(&app, &second_token).await.status(),
        StatusCode::OK
    );

    // Replaying the first refresh token: refused, and the whole session is revoked.
    let (status, text) =
        msg(browser_post(&app, "/api/refresh", &first.cookie, json!({})).await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(text.contains("already used"), "{text}");
    assert_eq!(
        me_with_bearer(&app, &second_token).await.status(),
        StatusCode::UNAUTHORIZED,
        "the access token of the stolen session stops working at once"
    );
    let (status, _) =
        msg(browser_post(&app, "/api/refresh", &second_cookie, json!({})).await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, text) = msg(browser_post(&app, "/api/refresh", "", json!({})).await).await;
    assert_eq!(
        (status, text.as_str()),
        (StatusCode::UNAUTHORIZED, "Missing refresh token")
    );
}

#[tokio::test]
async fn logout_revokes_the_session_and_clears_both_cookies() {
    let app = app().await;
    register(&app, "frank", PASSWORD).await;
    let session = login(&app, "frank", PASSWORD).await;
    let other = login(&app, "frank", PASSWORD).await;

    let response = browser_post(&app, "/api/logout", &session.cookie, json!({})).await;
    assert_eq!(response.status(), StatusCode::OK);
    let cleared = cookies_of(&response);
    assert_eq!(cleared.len(), 2, "{cleared:?}");
    assert!(
        cleared.iter().all(|c| c.contains("Max-Age=0")),
        "{cleared:?}"
    );
    assert_eq!(
        me_with_bearer(&app, &session.token).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        me_with_cookie(&app, &session.cookie).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let (status, _) =
        msg(browser_post(&app, "/api/refresh", &session.cookie, json!({})).await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        me_with_bearer(&app, &other.token).await.status(),
        StatusCode::OK,
        "another device stays logged in"
    );
    // By Bearer token too.
    let response = app
        .client
        .post(app.url("/api/logout"))
        .bearer_auth(&other.token)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        me_with_bearer(&app, &other.token).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn cookie_requests_from_other_sites_are_refused() {
    let app = app().await;
    register(&app, "grace", PASSWORD).await;
    let session = login(&app, "grace", PASSWORD).await;
    let post = |origin: Option<&'static str>, fetch_site: Option<&'static str>| {
        let mut request = app
            .client
            .post(app.url("/api/logout"))
            .header(header::COOKIE, &session.cookie);
        if let Some(origin) = origin {
            request = request.header(header::ORIGIN, origin);
        }
        if let Some(site) = fetch_site {
            request = request.header("sec-fetch-site", site);
        }
        request.send()
    };
    for (origin, site) in [
        (Some("https://evil.example"), None),
        (Some("null"), None),
        (None, None),
        (None, Some("cross-site")),
        (None, Some("same-site")),
    ] {
        let (status, text) = msg(post(origin, site).await.expect("request")).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{origin:?} {site:?}");
        assert_eq!(text, "Cross-site request refused");
    }
    assert_eq!(
        me_with_bearer(&app, &session.token).await.status(),
        StatusCode::OK
    );
    // A cross-site log-in (login CSRF) is refused too.
    let response = app
        .client
        .post(app.url("/api/login"))
        .header(header::ORIGIN, "https://evil.example")
        .json(&json!({"username": "grace", "password": PASSWORD}))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    // Same origin by Sec-Fetch-Site is accepted.
    assert_eq!(
        post(None, Some("same-origin"))
            .await
            .expect("request")
            .status(),
        StatusCode::OK
    );
}

async fn failed_logins_back_off(app: &TestApp) {
    register(app, "heidi", PASSWORD).await;
    let attempt = |password: &'static str, name: &'static str| {
        post_json(
            app,
            "/api/login",
            json!({"username": name, "password": password}),
        )
    };
    for _ in 0..5 {
        assert_eq!(
            attempt("wrong password", "heidi").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    for password in ["wrong password", PASSWORD] {
        let response = attempt(password, "HEIDI").await;
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        let retry: u64 = response.headers()[header::RETRY_AFTER]
            .to_str()
            .expect("ascii")
            .parse()
            .expect("seconds");
        assert!((25..=30).contains(&retry), "{retry}");
        let (_, text) = msg(response).await;
        assert!(text.contains("Try again in"), "{text}");
    }
    // Unknown names are throttled the same way, so throttling reveals nothing.
    for _ in 0..5 {
        assert_eq!(
            attempt("wrong password", "nobody").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        attempt("wrong password", "nobody").await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    // Other accounts are unaffected.
    register(app, "ivan", PASSWORD).await;
    login(app, "ivan", PASSWORD).await;
}

#[tokio::test]
async fn failed_logins_back_off_in_process() {
    failed_logins_back_off(&app().await).await;
}

#[tokio::test]
async fn failed_logins_back_off_in_redis_shared_by_two_instances() {
    let (one, two) = two_instances_sharing_redis_and_postgres().await;
    // A unique name, so runs never share counters in the long-lived Redis.
    let name = format!("judy{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
    register(&one, &name, PASSWORD).await;
    for app in [&one, &two, &one, &two, &one] {
        let response = post_json(
            app,
            "/api/login",
            json!({"username": name, "password": "nope nope"}),
        )
        .await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    let response = post_json(
        &two,
        "/api/login",
        json!({"username": name, "password": PASSWORD}),
    )
    .await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn sign_ups_are_limited_per_client_address() {
    let app = spawn_app_with(settings().set("SIGNUPS_PER_HOUR", "2")).await;
    assert_eq!(
        register(&app, "kim1", PASSWORD).await.0,
        StatusCode::CREATED
    );
    assert_eq!(
        register(&app, "kim2", PASSWORD).await.0,
        StatusCode::CREATED
    );
    let response = post_json(
        &app,
        "/api/register",
        json!({"username": "kim3", "password": PASSWORD}),
    )
    .await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = response.headers()[header::RETRY_AFTER]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!(retry > 3000 && retry <= 3600, "{retry}");
    // The forwarding header is ignored without a trusted proxy.
    let response = app
        .client
        .post(app.url("/api/register"))
        .header("x-forwarded-for", "203.0.113.9")
        .json(&json!({"username": "kim4", "password": PASSWORD}))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn unknown_user_and_wrong_password_take_the_same_time() {
    let app = app().await;
    register(&app, "leo", PASSWORD).await;
    let time = |name: &'static str| {
        let app = &app;
        async move {
            let start = Instant::now();
            let response = post_json(
                app,
                "/api/login",
                json!({"username": name, "password": "not it at all"}),
            )
            .await;
            assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
            start.elapsed()
        }
    };
    // Alternate, 4 each (below the back-off threshold).
    let mut unknown = Vec::new();
    let mut wrong = Vec::new();
    for _ in 0..4 {
        unknown.push(time("nobody-here").await);
        wrong.push(time("leo").await);
    }
    unknown.sort();
    wrong.sort();
    let (u, w) = (unknown[1] + unknown[2], wrong[1] + wrong[2]);
    let ratio = u.as_secs_f64() / w.as_secs_f64();
    assert!(
        (0.5..2.0).contains(&ratio),
        "unknown user {u:?} vs wrong password {w:?}: both must run argon2"
    );
    assert!(
        u > Duration::from_millis(5),
        "a real hash was verified: {u:?}"
    );
}

#[tokio::test]
async fn changing_the_password_ends_other_sessions() {
    let app = app().await;
    register(&app, "mallory", PASSWORD).await;
    let here = login(&app, "mallory", PASSWORD).await;
    let elsewhere = login(&app, "mallory", PASSWORD).await;
    let change = |current: &str, new: &str| {
        browser_post(
            &app,
            "/api/change_password",
            &here.cookie,
            json!({"current_password": current, "new_password": new}),
        )
    };
    let (status, _) = msg(change("wrong", "a brand new passphrase 7").await).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = msg(change(PASSWORD, "password1").await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = msg(change(PASSWORD, "").await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = msg(change(PASSWORD, "a brand new passphrase 7").await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        me_with_bearer(&app, &here.token).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        me_with_bearer(&app, &elsewhere.token).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let old = post_json(
        &app,
        "/api/login",
        json!({"username": "mallory", "password": PASSWORD}),
    )
    .await;
    assert_eq!(old.status(), StatusCode::UNAUTHORIZED);
    login(&app, "mallory", "a brand new passphrase 7").await;
}

#[tokio::test]
async fn logging_out_everywhere_and_deleting_the_account() {
    let app = app().await;
    register(&app, "nina", PASSWORD).await;
    let one = login(&app, "nina", PASSWORD).await;
    let two = login(&app, "nina", PASSWORD).await;
    let response = browser_post(&app, "/api/logout_everywhere", &one.cookie, json!({})).await;
    assert_eq!(response.status(), StatusCode::OK);
    for session in [&one, &two] {
        assert_eq!(
            me_with_bearer(&app, &session.token).await.status(),
            StatusCode::UNAUTHORIZED
        );
    }

    let session = login(&app, "nina", PASSWORD).await;
    let delete = |password: &str| {
        browser_post(
            &app,
            "/api/delete_account",
            &session.cookie,
            json!({"password": password}),
        )
    };
    assert_eq!(delete("wrong").await.status(), StatusCode::FORBIDDEN);
    assert_eq!(delete("").await.status(), StatusCode::BAD_REQUEST);
    assert_eq!(delete(PASSWORD).await.status(), StatusCode::OK);
    assert_eq!(
        me_with_bearer(&app, &session.token).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let again = post_json(
        &app,
        "/api/login",
        json!({"username": "nina", "password": PASSWORD}),
    )
    .await;
    assert_eq!(again.status(), StatusCode::UNAUTHORIZED);
    // The name is free again.
    assert_eq!(
        register(&app, "nina", PASSWORD).await.0,
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn admins_list_disable_and_enable_accounts() {
    let app = app().await;
    for name in ["olga", "oscar", "pat"] {
        register(&app, name, PASSWORD).await;
    }
    let user = login(&app, "olga", PASSWORD).await;
    let listed = app
        .client
        .get(app.url("/api/admin/users"))
        .bearer_auth(&user.token)
        .send()
        .await
        .expect("request");
    assert_eq!(msg(listed).await.0, StatusCode::FORBIDDEN);

    app.state
        .accounts_port
        .admin
        .create_or_promote("root", Some("admin passphrase for tests".into()))
        .await
        .expect("admin created");
    let admin = login(&app, "root", "admin passphrase for tests").await;
    let list = |query: &str, page: u32| {
        app.client
            .get(app.url(&format!("/api/admin/users?query={query}&page={page}")))
            .bearer_auth(&admin.token)
            .send()
    };
    let page: Value = list("o", 1)
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    let names: Vec<&str> = page["users"]
        .as_array()
        .expect("users")
        .iter()
        .map(|u| u["username"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["olga", "oscar", "root"]);
    assert_eq!(page["total"], 3);
    let page: Value = list("", 2)
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    assert_eq!(
        page["users"].as_array().expect("users").len(),
        0,
        "4 users fit on page 1"
    );
    // `_` and `%` are searched for literally.
    let page: Value = list("%25", 1)
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    assert_eq!(page["total"], 0);

    let set = |name: &str, disabled: bool| {
        app.client
            .post(app.url("/api/admin/set_disabled"))
            .bearer_auth(&admin.token)
            .json(&json!({"username": name, "disabled": disabled}))
            .send()
    };
    assert_eq!(
        set("olga", true).await.expect("request").status(),
        StatusCode::OK
    );
    assert_eq!(
        me_with_bearer(&app, &user.token).await.status(),
        StatusCode::UNAUTHORIZED,
        "a disabled account's sessions end at once"
    );
    let (status, text) = msg(post_json(
        &app,
        "/api/login",
        json!({"username": "olga", "password": PASSWORD}),
    )
    .await)
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(text.contains("disabled"), "{text}");
    assert_eq!(
        set("olga", false).await.expect("request").status(),
        StatusCode::OK
    );
    login(&app, "olga", PASSWORD).await;
    assert_eq!(
        set("root", true).await.expect("request").status(),
        StatusCode::CONFLICT
    );
    assert_eq!(
        set("nobody", true).await.expect("request").status(),
        StatusCode::NOT_FOUND
    );
    let forbidden = app
        .client
        .post(app.url("/api/admin/set_disabled"))
        .bearer_auth(&user.token)
        .json(&json!({"username": "oscar", "disabled": true}))
        .send()
        .await
        .expect("request");
    assert_eq!(
        forbidden.status(),
        StatusCode::UNAUTHORIZED,
        "olga's old token died when disabled"
    );
}

#[tokio::test]
async fn secure_cookies_use_the_host_prefix() {
    let app = spawn_app_with(settings().set("COOKIE_SECURE", "true")).await;
    register(&app, "quinn", PASSWORD).await;
    let response = post_json(
        &app,
        "/api/login",
        json!({"username": "quinn", "password": PASSWORD}),
    )
    .await;
    let cookies = cookies_of(&response);
    assert_eq!(cookies.len(), 2);
    for cookie in cookies {
        assert!(cookie.starts_with("__Host-trazo_"), "{cookie}");
        assert!(cookie.contains("Secure"), "{cookie}");
        assert!(!cookie.contains("Domain"), "{cookie}");
    }
}

#[tokio::test]
async fn forms_work_without_javascript() {
    let app = app().await;
    let origin = format!("http://{}", app.addr);
    let form = |path: &str, fields: &[(&str, &str)]| {
        app.client
            .post(app.url(path))
            .header(header::ORIGIN, &origin)
            .form(fields)
            .send()
    };
    let response = form(
        "/auth/register",
        &[
            ("username", "rita"),
            ("password", PASSWORD),
            ("next", "/account"),
        ],
    )
    .await
    .expect("request");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()[header::LOCATION], "/account");
    assert_eq!(cookies_of(&response).len(), 2, "registered and logged in");

    let response = form(
        "/auth/login",
        &[
            ("username", "rita"),
            ("password", "wrong"),
            ("next", "//evil.example"),
        ],
    )
    .await
    .expect("request");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()[header::LOCATION]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(location.starts_with("/login?"), "{location}");
    assert!(location.contains("error=credentials"), "{location}");
    assert!(!location.contains("evil"), "{location}");

    let response = form(
        "/auth/login",
        &[
            ("username", "rita"),
            ("password", PASSWORD),
            ("next", "/account"),
        ],
    )
    .await
    .expect("request");
    assert_eq!(response.headers()[header::LOCATION], "/account");
    let cookie = cookie_header(&cookies_of(&response));
    assert_eq!(me_with_cookie(&app, &cookie).await.status(), StatusCode::OK);

    let response = app
        .client
        .post(app.url("/auth/logout"))
        .header(header::ORIGIN, &origin)
        .header(header::COOKIE, &cookie)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        me_with_cookie(&app, &cookie).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn the_create_admin_command_reads_the_password_from_stdin() {
    use std::io::Write;
    let dir = tempfile::tempdir().expect("dir");
    let database = format!("sqlite://{}", dir.path().join("admin.db").display());
    let run = |args: &[&str], stdin: &str| {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_server"))
            .args(args)
            .env("DATABASE_URL", &database)
            .env("SIGNING_KEY", KEY)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run server");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(stdin.as_bytes())
            .expect("write");
        child.wait_with_output().expect("wait")
    };
    let created = run(&["create-admin", "Sam"], "admin passphrase for tests\n");
    assert!(created.status.success(), "{created:?}");
    assert_eq!(
        String::from_utf8_lossy(&created.stdout).trim(),
        "created admin sam"
    );
    let weak = run(&["create-admin", "tom"], "password\n");
    assert!(!weak.status.success());
    let missing = run(&["create-admin", "uma"], "");
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("standard input"));

    let app = spawn_app_with(settings().set("DATABASE_URL", database.clone())).await;
    let admin = login(&app, "sam", "admin passphrase for tests").await;
    let me: Value = me_with_bearer(&app, &admin.token)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(me["role"], "admin");
    register(&app, "vera", PASSWORD).await;
    let promoted = run(&["create-admin", "vera"], "");
    assert!(promoted.status.success(), "{promoted:?}");
    let vera = login(&app, "vera", PASSWORD).await;
    let me: Value = me_with_bearer(&app, &vera.token)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(me["role"], "admin");
}

/// Runs the real binary at `debug` log level through a whole account life, then searches
/// everything it printed for the password, the tokens, the cookies and the hash.
#[tokio::test]
async fn secrets_never_reach_the_logs() {
    let server = ServerProcess::start(&[
        ("SIGNING_KEY", KEY),
        ("LOG_LEVEL", "debug"),
        ("LOG_FORMAT", "json"),
    ])
    .await;
    let client = reqwest::Client::new();
    let base = server.base.clone();

    let secret_password = "zebra quantum lantern 9137";
    let new_password = "orchid glacier tempo 5521";
    let post = |path: &str, body: Value| {
        client
            .post(format!("{base}{path}"))
            .header(header::ORIGIN, &base)
            .json(&body)
            .send()
    };
    let created = post(
        "/api/register",
        json!({"username": "logcheck", "password": secret_password}),
    )
    .await
    .expect("register");
    assert_eq!(created.status(), StatusCode::CREATED);
    let login = post(
        "/api/login",
        json!({"username": "logcheck", "password": secret_password}),
    )
    .await
    .expect("login");
    let cookies = cookies_of(&login);
    let cookie = cookie_header(&cookies);
    let token = login.json::<Value>().await.expect("json")["access_token"]
        .as_str()
        .expect("token")
        .to_owned();
    let me = client
        .get(format!("{base}/api/me?access_token={token}"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("me");
    assert_eq!(me.status(), StatusCode::OK);
    let refreshed = client
        .post(format!("{base}/api/refresh"))
        .header(header::ORIGIN, &base)
        .header(header::COOKIE, &cookie)
        .send()
        .await
        .expect("refresh");
    assert_eq!(refreshed.status(), StatusCode::OK);
    let refreshed_cookie = cookie_header(&cookies_of(&refreshed));
    let changed = client
        .post(format!("{base}/api/change_password"))
        .bearer_auth(&token)
        .json(&json!({"current_password": secret_password, "new_password": new_password}))
        .send()
        .await
        .expect("change");
    assert_eq!(changed.status(), StatusCode::OK);
    let failed = post(
        "/api/login",
        json!({"username": "logcheck", "password": "wrong guess 1234"}),
    )
    .await
    .expect("login");
    assert_eq!(failed.status(), StatusCode::UNAUTHORIZED);

    let logs = server.stop_and_read_log();
    assert!(
        logs.contains("logged in"),
        "the log level captured events:\n{logs}"
    );
    let lines: Vec<Value> = logs
        .lines()
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect();
    // One line per request, with what an operator filters on.
    let requests: Vec<&Value> = lines
        .iter()
        .filter(|line| line["message"] == "request")
        .collect();
    let failed_login = requests
        .iter()
        .find(|line| line["span"]["path"] == "/api/login" && line["status"] == 401)
        .unwrap_or_else(|| panic!("no request line for the failed log-in:\n{logs}"));
    assert_eq!(failed_login["span"]["method"], "POST");
    assert_eq!(failed_login["span"]["client"], "127.0.0.1");
    assert!(
        failed_login["latency_ms"].as_f64().is_some(),
        "{failed_login}"
    );
    assert!(
        failed_login["span"]["request_id"]
            .as_str()
            .is_some_and(|id| id.len() >= 32),
        "{failed_login}"
    );
    assert!(
        requests
            .iter()
            .any(|line| line["span"]["path"] == "/api/me"),
        "{logs}"
    );
    // Security events, under their own target.
    let security = |event: &str| {
        lines
            .iter()
            .find(|line| line["target"] == "trazo::security" && line["event"] == event)
            .cloned()
            .unwrap_or_else(|| panic!("no {event} security event:\n{logs}"))
    };
    for event in ["signup", "login", "password_changed"] {
        security(event);
    }
    let refused = security("login_failed");
    assert_eq!(refused["reason"], "wrong_password");
    assert_eq!(refused["client"], "127.0.0.1");
    assert_eq!(refused["level"], "WARN");

    let mut secrets = vec![
        secret_password.to_owned(),
        new_password.to_owned(),
        "wrong guess 1234".to_owned(),
        token.clone(),
        KEY.to_owned(),
        "$argon2id$".to_owned(),
    ];
    for jar in [&cookie, &refreshed_cookie] {
        for pair in jar.split("; ") {
            let value = pair.split_once('=').expect("name=value").1;
            secrets.push(value.to_owned());
        }
    }
    // The JWT's signature part alone, in case a token is logged in pieces.
    secrets.push(token.rsplit('.').next().expect("signature").to_owned());
    for secret in secrets {
        assert!(
            !logs.contains(&secret),
            "a secret ({}…) appears in the logs",
            &secret[..secret.len().min(6)]
        );
    }
}
