//! The interface language: chosen per request from the `trazo_lang` cookie or `Accept-Language`
//! and rendered by the server (`<html lang>` and the words), switched without JavaScript by
//! `POST /auth/language`, remembered by the account (`POST /api/set_language`), while the JSON
//! API's contract strings stay exactly as they are in every language.

use reqwest::{StatusCode, header};
use serde_json::{Value, json};

use crate::helpers::{TestApp, cookies_of, new_user, post_json, spawn_app};

async fn page(app: &TestApp, headers: &[(header::HeaderName, &str)]) -> String {
    let mut request = app.client.get(app.url("/"));
    for (name, value) in headers {
        request = request.header(name, *value);
    }
    let response = request.send().await.expect("request");
    assert_eq!(response.status(), StatusCode::OK);
    response.text().await.expect("html")
}

fn lang_of(html: &str) -> &str {
    html.split("<html lang=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("<html lang=…>")
}

#[tokio::test]
async fn the_first_byte_is_in_the_language_the_browser_asks_for() {
    let app = spawn_app().await;
    let english = page(&app, &[]).await;
    assert_eq!(lang_of(&english), "en");
    assert!(english.contains("Skip to content"));

    for asked in [
        "es-ES,es;q=0.9,en;q=0.8",
        "es-MX",
        "fr-FR, es;q=0.5, en;q=0.3",
    ] {
        let html = page(&app, &[(header::ACCEPT_LANGUAGE, asked)]).await;
        assert_eq!(lang_of(&html), "es", "{asked}");
        assert!(html.contains("Saltar al contenido"), "{asked}");
        assert!(
            !html.contains("Skip to content"),
            "{asked}: English left in the page"
        );
    }
    let html = page(&app, &[(header::ACCEPT_LANGUAGE, "de-DE, fr")]).await;
    assert_eq!(lang_of(&html), "en", "a language trazo does not have");
}

#[tokio::test]
async fn the_cookie_wins_over_the_header_and_broken_headers_are_harmless() {
    let app = spawn_app().await;
    let html = page(
        &app,
        &[
            (header::ACCEPT_LANGUAGE, "es-ES"),
            (header::COOKIE, "trazo_lang=en"),
        ],
    )
    .await;
    assert_eq!(lang_of(&html), "en");
    let html = page(&app, &[(header::COOKIE, "a=b; trazo_lang=es")]).await;
    assert_eq!(lang_of(&html), "es");
    for (cookie, accept) in [
        ("trazo_lang", "es;q=x"),
        ("trazo_lang=; trazo_lang==", ";;;,,,"),
        ("trazo_lang=<script>", "*;q=1, zz"),
    ] {
        let html = page(
            &app,
            &[(header::COOKIE, cookie), (header::ACCEPT_LANGUAGE, accept)],
        )
        .await;
        assert_eq!(lang_of(&html), "en", "{cookie} / {accept}");
        assert!(!html.contains("<script>\""), "{cookie}");
    }
}

#[tokio::test]
async fn the_switch_works_without_javascript() {
    let app = spawn_app().await;
    let origin = format!("http://{}", app.addr);
    let switch = |fields: Vec<(&'static str, &'static str)>, cookie: Option<String>| {
        let mut request = app
            .client
            .post(app.url("/auth/language"))
            .header(header::ORIGIN, &origin)
            .form(&fields);
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        request.send()
    };
    let response = switch(vec![("lang", "es"), ("next", "/history?page=2")], None)
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()[header::LOCATION], "/history?page=2");
    let cookies = cookies_of(&response);
    assert!(
        cookies
            .iter()
            .any(|c| c.starts_with("trazo_lang=es;") && c.contains("Path=/")),
        "{cookies:?}"
    );

    // Back to a page of this site only.
    let response = switch(vec![("lang", "en"), ("next", "//evil.example/")], None)
        .await
        .expect("request");
    assert_eq!(response.headers()[header::LOCATION], "/");

    for fields in [vec![("lang", "fr")], vec![("lang", "")], vec![]] {
        let response = switch(fields.clone(), None).await.expect("request");
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{fields:?}"
        );
        assert!(
            cookies_of(&response).is_empty(),
            "{fields:?}: no cookie set"
        );
    }

    // Logged in, the account remembers it too.
    let (_, session) = new_user(&app).await;
    let response = switch(vec![("lang", "es")], Some(session.cookie.clone()))
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(account_language(&app, &session.token).await, json!("es"));
}

async fn account_language(app: &TestApp, token: &str) -> Value {
    let me: Value = app
        .client
        .get(app.url("/api/session"))
        .bearer_auth(token)
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    me["language"].clone()
}

#[tokio::test]
async fn the_account_remembers_the_language() {
    let app = spawn_app().await;
    let anonymous = post_json(&app, "/api/set_language", json!({"language": "es"})).await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);

    let (_, session) = new_user(&app).await;
    assert_eq!(account_language(&app, &session.token).await, Value::Null);
    let set = |language: Value| {
        app.client
            .post(app.url("/api/set_language"))
            .bearer_auth(&session.token)
            .json(&json!({ "language": language }))
            .send()
    };
    for bad in [
        json!("fr"),
        json!("ES-es"),
        json!(""),
        json!(null),
        json!(7),
    ] {
        let response = set(bad.clone()).await.expect("request");
        assert!(
            response.status() == StatusCode::UNPROCESSABLE_ENTITY
                || response.status() == StatusCode::BAD_REQUEST,
            "{bad}: {}",
            response.status()
        );
        assert_eq!(
            account_language(&app, &session.token).await,
            Value::Null,
            "{bad}"
        );
    }
    let response = set(json!("es")).await.expect("request");
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body, json!({"msg": app::api::LANGUAGE_SAVED}));
    assert_eq!(account_language(&app, &session.token).await, json!("es"));

    // The same choice again, from many tabs at once, writes and counts nothing.
    let again = futures::future::join_all((0..100).map(|_| set(json!("es")))).await;
    assert!(
        again
            .iter()
            .all(|r| r.as_ref().expect("request").status() == StatusCode::OK)
    );
    // Changes are bounded per account: the first one above counted, so 59 more are saved
    // and the next is refused with a wait, leaving the saved language as it was.
    let limit = trazo_server::accounts::service::LANGUAGE_CHANGES_PER_HOUR;
    for change in 1..limit {
        let language = if change % 2 == 1 { "en" } else { "es" };
        let response = set(json!(language)).await.expect("request");
        assert_eq!(response.status(), StatusCode::OK, "change {change}");
    }
    let saved = account_language(&app, &session.token).await;
    let other = if saved == json!("en") { "es" } else { "en" };
    let refused = set(json!(other)).await.expect("request");
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.headers().contains_key(header::RETRY_AFTER));
    assert_eq!(account_language(&app, &session.token).await, saved);
}

#[tokio::test]
async fn the_api_contract_is_the_same_in_every_language() {
    let app = spawn_app().await;
    let spanish = |request: reqwest::RequestBuilder| {
        request
            .header(header::ACCEPT_LANGUAGE, "es-ES,es;q=0.9")
            .header(header::COOKIE, "trazo_lang=es")
    };
    let response = spanish(app.client.post(app.url("/api/login")))
        .json(&json!({"username": "nobody-here", "password": "wrong password 1"}))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body, json!({"msg": "Bad username or password"}));

    let (_, session) = new_user(&app).await;
    let response = spanish(app.client.post(app.url("/api/predict")))
        .bearer_auth(&session.token)
        .multipart(reqwest::multipart::Form::new().text("other", "x"))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body, json!({"error": app::api::NO_FILE}));
}
