//! `/api/openapi.json` against the API itself: every server function is documented with its
//! method, and every answer the endpoints give — successes and refusals — has a documented
//! status and matches the documented schema (checked with a JSON Schema validator).

use std::collections::BTreeSet;

use reqwest::{Method, RequestBuilder, StatusCode, header, multipart};
use serde_json::{Value, json};

use crate::helpers::{
    MailServer, ONE, PASSWORD, TestApp, digit_png, link_token, login, new_user, settings,
    spawn_app_with,
};

/// Sends requests and checks each answer against the document.
struct Checker<'a> {
    app: &'a TestApp,
    doc: Value,
    /// (path, method, status) of every answer checked.
    seen: BTreeSet<(String, String, u16)>,
}

impl<'a> Checker<'a> {
    async fn new(app: &'a TestApp) -> Self {
        let response = app.get("/api/openapi.json").await;
        assert_eq!(response.status(), StatusCode::OK);
        assert!(
            response.headers()[header::CONTENT_TYPE]
                .to_str()
                .expect("ascii")
                .starts_with("application/json")
        );
        Self {
            app,
            doc: response.json().await.expect("json"),
            seen: BTreeSet::new(),
        }
    }

    /// The documented schema of `status` for `method path`, with the document's components at
    /// its root so that its `$ref`s resolve.
    fn schema(&self, path: &str, method: &str, status: u16) -> Value {
        let operation = &self.doc["paths"][path][method.to_ascii_lowercase()];
        assert!(operation.is_object(), "{method} {path} is not documented");
        let response = &operation["responses"][status.to_string()];
        assert!(
            response.is_object(),
            "{method} {path} answered {status}, which is not documented"
        );
        let mut schema = response["content"]["application/json"]["schema"].clone();
        schema["components"] = self.doc["components"].clone();
        schema
    }

    /// The ways `body` breaks the documented schema of `status` for `method path`.
    fn violations(&self, path: &str, method: &str, status: u16, body: &Value) -> Vec<String> {
        let schema = self.schema(path, method, status);
        let validator = jsonschema::validator_for(&schema)
            .unwrap_or_else(|error| panic!("the schema of {method} {path} {status}: {error}"));
        validator
            .iter_errors(body)
            .map(|error| format!("{error} at {}", error.instance_path()))
            .collect()
    }

    /// Sends `request` (for `method path`), checks the answer, and returns its status and body.
    async fn call(&mut self, method: Method, path: &str, request: RequestBuilder) -> (u16, Value) {
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        let body: Value = response.json().await.unwrap_or_else(|error| {
            panic!("{method} {path} answered {status} without a JSON body: {error}")
        });
        let errors = self.violations(path, method.as_str(), status, &body);
        assert!(
            errors.is_empty(),
            "{method} {path} {status}: {body} does not match its documented schema:\n{}",
            errors.join("\n")
        );
        self.seen
            .insert((path.to_owned(), method.as_str().to_owned(), status));
        (status, body)
    }

    async fn post_json(&mut self, path: &str, token: Option<&str>, body: Value) -> (u16, Value) {
        let mut request = self.app.client.post(self.app.url(path)).json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        self.call(Method::POST, path, request).await
    }

    async fn post(&mut self, path: &str, token: Option<&str>) -> (u16, Value) {
        let mut request = self.app.client.post(self.app.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        self.call(Method::POST, path, request).await
    }

    async fn get(&mut self, path: &str, query: &str, token: Option<&str>) -> (u16, Value) {
        let mut request = self.app.client.get(self.app.url(&format!("{path}{query}")));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        self.call(Method::GET, path, request).await
    }
}

#[tokio::test]
async fn every_server_function_is_documented_with_its_method() {
    let app = spawn_app_with(settings()).await;
    let doc: Value = app
        .get("/api/openapi.json")
        .await
        .json()
        .await
        .expect("json");
    assert!(doc["openapi"].as_str().expect("version").starts_with("3.1"));
    let registered: BTreeSet<(String, String)> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, method)| (path.to_owned(), method.as_str().to_ascii_lowercase()))
        .collect();
    let documented: BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .expect("operations")
                .keys()
                .map(move |method| (path.clone(), method.clone()))
        })
        .collect();
    assert!(registered.len() >= 14, "{registered:?}");
    assert_eq!(
        registered.difference(&documented).collect::<Vec<_>>(),
        Vec::<&(String, String)>::new(),
        "server functions missing from /api/openapi.json"
    );
    // The dataset downloads, the admin's charts and the model's weights are plain routes (their
    // answers are files), checked in labels.rs, stats.rs and weights.rs.
    let dataset = (app::api::openapi::DATASET_PATH.to_owned(), "get".to_owned());
    let charts = (app::api::openapi::CHARTS_PATH.to_owned(), "get".to_owned());
    let model = (app::api::openapi::MODEL_PATH.to_owned(), "get".to_owned());
    assert_eq!(
        documented.difference(&registered).collect::<Vec<_>>(),
        vec![&charts, &dataset, &model],
        "documented endpoints that are not server functions"
    );
    for scheme in ["bearer", "cookie", "refresh_cookie"] {
        assert!(
            doc["components"]["securitySchemes"][scheme].is_object(),
            "{scheme}"
        );
    }
    let predict = &doc["paths"]["/api/predict"]["post"]["responses"];
    for header in ["RateLimit", "RateLimit-Policy", "X-RateLimit-Remaining"] {
        assert!(predict["200"]["headers"][header].is_object(), "{header}");
    }
    assert!(predict["429"]["headers"]["Retry-After"].is_object());

    // The reference page is rendered from the same document.
    let page = app.get("/api/docs").await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(
        page.headers()[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .expect("ascii")
            .contains("default-src 'self'")
    );
    let page = page.text().await.expect("html");
    for (path, method) in &registered {
        let heading = format!("{} {path}", method.to_ascii_uppercase());
        assert!(page.contains(&heading), "{heading} missing from /api/docs");
    }
}

#[tokio::test]
async fn every_answer_matches_its_documented_schema() {
    let smtp = MailServer::spawn().await;
    let app = spawn_app_with(smtp.settings().set("PREDICT_PER_HOUR", "2")).await;
    let mut check = Checker::new(&app).await;
    // The checker can fail: answers that drift from the document are caught.
    let drifted = json!({"username": "ada", "role": "user"});
    assert!(!check.violations("/api/me", "GET", 200, &drifted).is_empty());
    let renamed = json!({"prediction": 7, "probabilidad": 0.9});
    assert!(
        !check
            .violations("/api/predict", "POST", 200, &renamed)
            .is_empty()
    );
    let error = json!({"msg": "Rate limit reached"});
    assert!(
        check
            .violations("/api/predict", "POST", 429, &error)
            .is_empty()
    );

    // Accounts: sign-up, its refusals, log-in, who am I.
    let (status, _) = check
        .post_json(
            "/api/register",
            None,
            json!({"username": "docs_user", "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, 201);
    for (body, expected) in [
        (json!({"username": "docs_user", "password": PASSWORD}), 409),
        (
            json!({"username": "docs_weak", "password": "password1"}),
            422,
        ),
        (json!({"username": "docs_user"}), 400),
    ] {
        assert_eq!(
            check.post_json("/api/register", None, body).await.0,
            expected
        );
    }
    let wrong = json!({"username": "docs_user", "password": "not the password at all"});
    assert_eq!(check.post_json("/api/login", None, wrong).await.0, 401);
    let (status, token) = check
        .post_json(
            "/api/login",
            None,
            json!({"username": "docs_user", "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, 200);
    let bearer = token["access_token"].as_str().expect("token").to_owned();
    let token = Some(bearer.as_str());
    assert_eq!(check.get("/api/me", "", token).await.0, 200);
    assert_eq!(check.get("/api/me", "", None).await.0, 401);
    assert_eq!(check.get("/api/session", "", token).await.0, 200);
    let (status, nobody) = check.get("/api/session", "", None).await;
    assert_eq!((status, nobody), (200, Value::Null));
    assert_eq!(check.post("/api/refresh", None).await.0, 401);
    let session = login(&app, "docs_user", PASSWORD).await;
    let refresh = app
        .client
        .post(app.url("/api/refresh"))
        .header("sec-fetch-site", "same-origin")
        .header(header::COOKIE, &session.cookie);
    assert_eq!(
        check.call(Method::POST, "/api/refresh", refresh).await.0,
        200
    );

    // Predictions: an answer, a refusal of a non-image, the quota spent, the history.
    let upload = |bytes: Vec<u8>| {
        app.client
            .post(app.url("/api/predict"))
            .bearer_auth(&bearer)
            .multipart(
                multipart::Form::new()
                    .part("file", multipart::Part::bytes(bytes).file_name("digit.png")),
            )
    };
    let digit = digit_png(ONE, 112, 0.0);
    let (status, answer) = check
        .call(Method::POST, "/api/predict", upload(digit.clone()))
        .await;
    assert_eq!(status, 200);
    let id = answer["id"]
        .as_str()
        .expect("the prediction's id")
        .to_owned();

    // "Was this right?": a correction, its refusals, the history filtered by it.
    let correction = json!({"id": id, "label": 7});
    let (status, item) = check.post_json("/api/label", token, correction).await;
    assert_eq!((status, item["label"].clone()), (200, json!(7)));
    for (body, expected) in [
        (json!({"id": id, "label": 10}), 400),
        (json!({"label": 3}), 400),
        (json!({"id": "no-such-prediction", "label": 3}), 404),
    ] {
        assert_eq!(check.post_json("/api/label", token, body).await.0, expected);
    }
    assert_eq!(
        check
            .post_json("/api/label", None, json!({"id": id, "label": 1}))
            .await
            .0,
        401
    );
    let (status, corrected) = check
        .get("/api/history", "?label=corrected&digit=7", token)
        .await;
    assert_eq!((status, corrected["total"].clone()), (200, json!(1)));
    assert_eq!(
        check.get("/api/history", "?label=right", token).await.0,
        400
    );
    assert_eq!(check.get("/api/history", "?digit=12", token).await.0, 400);
    let not_an_image = upload(b"plain text".to_vec());
    assert_eq!(
        check
            .call(Method::POST, "/api/predict", not_an_image)
            .await
            .0,
        400
    );
    assert_eq!(
        check
            .call(Method::POST, "/api/predict", upload(digit))
            .await
            .0,
        429
    );
    let anonymous = app
        .client
        .post(app.url("/api/predict"))
        .multipart(multipart::Form::new().part("file", multipart::Part::bytes(vec![0u8; 8])));
    assert_eq!(
        check.call(Method::POST, "/api/predict", anonymous).await.0,
        401
    );
    assert_eq!(check.get("/api/history", "?page=1", token).await.0, 200);
    assert_eq!(check.post("/api/clear_history", token).await.0, 200);

    // Mail and language: an address confirmed from its link, a forgotten password reset from
    // its link, a new address, the interface language; each with a refusal.
    let address = "docs_mail@example.test";
    let with_address = json!({"username": "docs_mail", "password": PASSWORD, "email": address});
    assert_eq!(
        check.post_json("/api/register", None, with_address).await.0,
        201
    );
    let mailer = login(&app, "docs_mail", PASSWORD).await;
    let resend = app
        .client
        .post(app.url("/api/resend_confirmation"))
        .bearer_auth(&mailer.token)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body("");
    assert_eq!(
        check
            .call(Method::POST, "/api/resend_confirmation", resend)
            .await
            .0,
        200
    );
    let arrival = std::time::Duration::from_secs(30);
    let mails = smtp.wait_for_to(address, 1, arrival).await;
    let confirmation = link_token(&mails[0], "/confirm-email");
    let forged = json!({"token": "not-a-token-the-server-made"});
    assert_eq!(
        check.post_json("/api/confirm_email", None, forged).await.0,
        400
    );
    let confirm = json!({"token": confirmation});
    assert_eq!(
        check.post_json("/api/confirm_email", None, confirm).await.0,
        200
    );
    let forgot = json!({"login": "docs_mail"});
    assert_eq!(
        check
            .post_json("/api/forgot_password", None, forgot)
            .await
            .0,
        200
    );
    let mails = smtp.wait_for_to(address, 3, arrival).await;
    let reset_mail = mails
        .iter()
        .find(|mail| mail.text.contains("/reset-password?token="))
        .expect("a reset mail");
    let reset_token = link_token(reset_mail, "/reset-password");
    let weak = json!({"token": reset_token, "new_password": "password1"});
    assert_eq!(
        check.post_json("/api/reset_password", None, weak).await.0,
        422
    );
    let reset = json!({"token": reset_token, "new_password": "a reset passphrase for docs"});
    assert_eq!(
        check.post_json("/api/reset_password", None, reset).await.0,
        200
    );
    let mailer = login(&app, "docs_mail", "a reset passphrase for docs").await;
    let mailer = Some(mailer.token.as_str());
    let wrong = json!({"email": "docs_new@example.test", "password": PASSWORD});
    assert_ne!(
        check.post_json("/api/change_email", mailer, wrong).await.0,
        200
    );
    let change =
        json!({"email": "docs_new@example.test", "password": "a reset passphrase for docs"});
    assert_eq!(
        check.post_json("/api/change_email", mailer, change).await.0,
        200
    );
    let unknown = json!({"language": "xx"});
    assert_eq!(
        check
            .post_json("/api/set_language", mailer, unknown)
            .await
            .0,
        422
    );
    let spanish = json!({"language": "es"});
    assert_eq!(
        check
            .post_json("/api/set_language", mailer, spanish)
            .await
            .0,
        200
    );

    // Administration: refused to a user, allowed to an admin.
    assert_eq!(check.get("/api/admin/users", "", token).await.0, 403);
    let (other, _) = new_user(&app).await;
    app.state
        .accounts_port
        .admin
        .create_or_promote("docs_admin", Some("admin passphrase for the docs".into()))
        .await
        .expect("admin");
    let admin = login(&app, "docs_admin", "admin passphrase for the docs").await;
    let admin = Some(admin.token.as_str());
    assert_eq!(
        check
            .get("/api/admin/users", "?query=docs&page=1", admin)
            .await
            .0,
        200
    );
    let disable = json!({"username": other, "disabled": true});
    assert_eq!(
        check
            .post_json("/api/admin/set_disabled", admin, disable)
            .await
            .0,
        200
    );
    assert_eq!(check.get("/api/admin/stats", "", token).await.0, 403);
    assert_eq!(check.get("/api/admin/stats", "", admin).await.0, 200);
    let nobody = json!({"username": "no_such_user", "disabled": true});
    assert_eq!(
        check
            .post_json("/api/admin/set_disabled", admin, nobody)
            .await
            .0,
        404
    );

    // A cross-site request is refused with the documented body.
    let cross_site = app
        .client
        .post(app.url("/api/logout"))
        .header(header::ORIGIN, "https://elsewhere.example")
        .header(header::COOKIE, &session.cookie);
    assert_eq!(
        check.call(Method::POST, "/api/logout", cross_site).await.0,
        403
    );

    // The end of an account: password change, sessions ended, deletion.
    let change = json!({"current_password": PASSWORD, "new_password": "a new passphrase for docs"});
    assert_eq!(
        check
            .post_json("/api/change_password", token, change)
            .await
            .0,
        200
    );
    let session = login(&app, "docs_user", "a new passphrase for docs").await;
    let token = Some(session.token.as_str());
    assert_eq!(check.post("/api/logout_everywhere", token).await.0, 200);
    let session = login(&app, "docs_user", "a new passphrase for docs").await;
    let logout = app
        .client
        .post(app.url("/api/logout"))
        .header("sec-fetch-site", "same-origin")
        .header(header::COOKIE, &session.cookie);
    assert_eq!(check.call(Method::POST, "/api/logout", logout).await.0, 200);
    let session = login(&app, "docs_user", "a new passphrase for docs").await;
    let token = Some(session.token.as_str());
    let delete = json!({"password": "a new passphrase for docs"});
    assert_eq!(
        check
            .post_json("/api/delete_account", token, delete)
            .await
            .0,
        200
    );

    // Every documented endpoint was seen succeeding.
    let succeeded: BTreeSet<&str> = check
        .seen
        .iter()
        .filter(|(_, _, status)| *status < 300)
        .map(|(path, _, _)| path.as_str())
        .collect();
    // Every one answering JSON, that is: the dataset's files are checked in `labels.rs`, the
    // charts in `stats.rs`, the model's weights in `weights.rs`.
    let files = [
        app::api::openapi::DATASET_PATH,
        app::api::openapi::CHARTS_PATH,
        app::api::openapi::MODEL_PATH,
    ];
    let documented: BTreeSet<&str> = check.doc["paths"]
        .as_object()
        .expect("paths")
        .keys()
        .map(String::as_str)
        .filter(|path| !files.contains(path))
        .collect();
    assert_eq!(succeeded, documented);
}
