//! Mail over a real SMTP server (aiosmtpd): confirming an address, resending and changing it,
//! a forgotten password, the SMTP server going away mid-run, two instances sharing one outbox,
//! predictions only for confirmed addresses, and the development outbox folder.

use std::time::{Duration, Instant};

use reqwest::{StatusCode, header};
use serde_json::{Value, json};

use crate::helpers::{
    Mail, MailServer, PASSWORD, SEVEN, Session, TestApp, digit_png, fresh_postgres_database,
    link_token, login, login_status, new_user, post_as, post_json, predict_png, settings,
    spawn_app_with, unique_name,
};

/// How long a mail may take to arrive on a busy machine.
const ARRIVAL: Duration = Duration::from_secs(30);

fn address_of(name: &str) -> String {
    format!("{name}@example.test")
}

async fn msg(response: reqwest::Response) -> (StatusCode, String) {
    let status = response.status();
    let body: Value = response.json().await.expect("JSON body");
    (
        status,
        body["msg"]
            .as_str()
            .unwrap_or_else(|| panic!("a msg field in {body}"))
            .to_owned(),
    )
}

/// Signs `name` up with [`PASSWORD`] and `email`; expects the usual 201.
async fn register_with_email(app: &TestApp, name: &str, email: &str) {
    let answer = msg(post_json(
        app,
        "/api/register",
        json!({"username": name, "password": PASSWORD, "email": email}),
    )
    .await)
    .await;
    assert_eq!(
        answer,
        (StatusCode::CREATED, "User registered successfully".into()),
        "sign-up of {name} <{email}>"
    );
}

async fn me(app: &TestApp, token: &str) -> Value {
    let response = app
        .client
        .get(app.url("/api/me"))
        .bearer_auth(token)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::OK, "/api/me");
    response.json().await.expect("json")
}

async fn me_status(app: &TestApp, token: &str) -> StatusCode {
    app.client
        .get(app.url("/api/me"))
        .bearer_auth(token)
        .send()
        .await
        .expect("request")
        .status()
}

/// `POST /api/resend_confirmation` with a Bearer token: no arguments, an empty form body.
async fn resend(app: &TestApp, token: &str) -> reqwest::Response {
    app.client
        .post(app.url("/api/resend_confirmation"))
        .bearer_auth(token)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body("")
        .send()
        .await
        .expect("request")
}

async fn confirm(app: &TestApp, token: &str) -> (StatusCode, String) {
    msg(post_json(app, "/api/confirm_email", json!({"token": token})).await).await
}

async fn reset(app: &TestApp, token: &str, new_password: &str) -> (StatusCode, String) {
    msg(post_json(
        app,
        "/api/reset_password",
        json!({"token": token, "new_password": new_password}),
    )
    .await)
    .await
}

async fn forgot(app: &TestApp, login: &str) -> (StatusCode, Value) {
    let response = post_json(app, "/api/forgot_password", json!({"login": login})).await;
    let status = response.status();
    (status, response.json().await.expect("json"))
}

/// The same token with one character changed: well formed, but not one the server made.
fn tampered(token: &str) -> String {
    let mut chars: Vec<char> = token.chars().collect();
    let at = chars.len() / 2;
    chars[at] = if chars[at] == 'A' { 'B' } else { 'A' };
    chars.into_iter().collect()
}

/// Makes every link in the database expired.
async fn expire_all_links(app: &TestApp) {
    sqlx::query("UPDATE email_tokens SET expires_at = 0")
        .execute(&app.state.db)
        .await
        .expect("expire links");
}

fn subject_has(mail: &Mail, words: &[&str]) -> bool {
    let subject = mail.subject.to_lowercase();
    words.iter().all(|w| subject.contains(&w.to_lowercase()))
}

/// Signs up with an address and confirms it from the mail: the name, the address and a
/// session.
async fn confirmed_user(app: &TestApp, smtp: &MailServer) -> (String, String, Session) {
    let name = unique_name("c");
    let email = address_of(&name);
    register_with_email(app, &name, &email).await;
    let mails = smtp.wait_for_to(&email, 1, ARRIVAL).await;
    assert_eq!(
        confirm(app, &link_token(&mails[0], "/confirm-email"))
            .await
            .0,
        StatusCode::OK
    );
    let session = login(app, &name, PASSWORD).await;
    assert_eq!(me(app, &session.token).await["email_confirmed"], true);
    (name, email, session)
}

#[tokio::test]
async fn a_sign_up_with_an_address_is_confirmed_from_the_mailed_link() {
    let smtp = MailServer::spawn().await;
    let app = spawn_app_with(smtp.settings()).await;
    let name = unique_name("a");
    let email = address_of(&unique_name("shared"));
    register_with_email(&app, &name, &email).await;
    let session = login(&app, &name, PASSWORD).await;
    let before = me(&app, &session.token).await;
    assert_eq!(before["email"], email.as_str(), "{before}");
    assert_eq!(before["email_confirmed"], false, "{before}");
    assert_eq!(before["must_confirm_email"], false, "{before}");
    // Another account may type the same address (nobody can block an address by typing it
    // first), but only one can confirm it.
    let other = unique_name("b");
    register_with_email(&app, &other, &email).await;

    let mails = smtp.wait_for_to(&email, 2, ARRIVAL).await;
    assert_eq!(mails.len(), 2, "one mail per sign-up");
    assert!(
        mails.iter().all(|m| subject_has(m, &["confirm"])),
        "{mails:?}"
    );
    let for_account = |account: &str| {
        let mail = mails
            .iter()
            .find(|m| m.text.contains(account))
            .unwrap_or_else(|| panic!("no mail greeting {account}: {mails:?}"));
        link_token(mail, "/confirm-email")
    };
    let (token, other_token) = (for_account(&name), for_account(&other));
    assert_ne!(token, other_token);

    let (status, text) = confirm(&app, &token).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let after = me(&app, &session.token).await;
    assert_eq!(after["email_confirmed"], true, "{after}");
    assert_eq!(after["email"], email.as_str(), "{after}");
    // The link works once.
    let (status, text) = confirm(&app, &token).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{text}");
    assert_eq!(me(&app, &session.token).await["email_confirmed"], true);

    // The address is taken now.
    let (status, text) = confirm(&app, &other_token).await;
    assert_eq!(status, StatusCode::CONFLICT, "{text}");
    let other_session = login(&app, &other, PASSWORD).await;
    assert_eq!(
        me(&app, &other_session.token).await["email_confirmed"],
        false
    );
    assert_eq!(me(&app, &session.token).await["email_confirmed"], true);
}

#[tokio::test]
async fn expired_and_tampered_confirmation_links_confirm_nothing() {
    let smtp = MailServer::spawn().await;
    let app = spawn_app_with(smtp.settings()).await;
    let name = unique_name("e");
    let email = address_of(&name);
    register_with_email(&app, &name, &email).await;
    let session = login(&app, &name, PASSWORD).await;
    let mails = smtp.wait_for_to(&email, 1, ARRIVAL).await;
    let token = link_token(&mails[0], "/confirm-email");

    for bad in [
        tampered(&token),
        format!("{token}x"),
        token[1..].to_owned(),
        "not-a-token".to_owned(),
        String::new(),
    ] {
        let (status, text) = confirm(&app, &bad).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad:?}: {text}");
    }
    assert_eq!(me(&app, &session.token).await["email_confirmed"], false);

    expire_all_links(&app).await;
    let (status, text) = confirm(&app, &token).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{text}");
    assert!(text.to_lowercase().contains("expired"), "{text}");
    assert_eq!(me(&app, &session.token).await["email_confirmed"], false);
}

#[tokio::test]
async fn confirmation_mails_can_be_asked_for_again_three_times_an_hour() {
    let smtp = MailServer::spawn().await;
    let app = spawn_app_with(smtp.settings()).await;
    let name = unique_name("r");
    let email = address_of(&name);
    register_with_email(&app, &name, &email).await;
    let session = login(&app, &name, PASSWORD).await;
    smtp.wait_for_to(&email, 1, ARRIVAL).await;

    for n in 1..=3 {
        let (status, text) = msg(resend(&app, &session.token).await).await;
        assert_eq!(status, StatusCode::OK, "resend {n}: {text}");
    }
    let response = resend(&app, &session.token).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = response.headers()[header::RETRY_AFTER]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!(retry > 0 && retry <= 3600, "{retry}");

    let mails = smtp.wait_for_to(&email, 4, ARRIVAL).await;
    let tokens: Vec<String> = mails
        .iter()
        .map(|m| link_token(m, "/confirm-email"))
        .collect();
    for (i, token) in tokens.iter().enumerate() {
        assert!(!tokens[..i].contains(token), "each mail has a new link");
    }
    // The newest link confirms (older ones may have been retired by the newer).
    let mut confirmed = false;
    for token in tokens.iter().rev() {
        if confirm(&app, token).await.0 == StatusCode::OK {
            confirmed = true;
            break;
        }
    }
    assert!(confirmed, "none of the mailed links confirmed the address");
    assert_eq!(me(&app, &session.token).await["email_confirmed"], true);

    let (status, text) = msg(resend(&app, &session.token).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "already confirmed: {text}");
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(
        smtp.messages().iter().filter(|m| m.to == email).count(),
        4,
        "no mail for refused requests"
    );
}

#[tokio::test]
async fn a_new_address_is_confirmed_and_the_old_one_told() {
    let smtp = MailServer::spawn().await;
    let app = spawn_app_with(smtp.settings()).await;
    let (name, old, session) = confirmed_user(&app, &smtp).await;
    let new = address_of(&unique_name("n"));
    let change = |email: String, password: &'static str| {
        post_as(
            &app,
            &session.token,
            "/api/change_email",
            json!({"email": email, "password": password}),
        )
    };

    let (status, text) = msg(change(new.clone(), "not the password").await).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{text}");
    let (status, text) = msg(change("not an address".into(), PASSWORD).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{text}");
    let unchanged = me(&app, &session.token).await;
    assert_eq!(unchanged["email"], old.as_str(), "{unchanged}");
    assert_eq!(unchanged["email_confirmed"], true, "{unchanged}");

    let (status, text) = msg(change(new.clone(), PASSWORD).await).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let changed = me(&app, &session.token).await;
    assert_eq!(changed["email"], new.as_str(), "{changed}");
    assert_eq!(changed["email_confirmed"], false, "{changed}");

    let to_new = smtp.wait_for_to(&new, 1, ARRIVAL).await;
    assert!(
        subject_has(&to_new[0], &["confirm"]),
        "{}",
        to_new[0].subject
    );
    // The old address: its confirmation, then the notice (without a link to act on).
    let to_old = smtp.wait_for_to(&old, 2, ARRIVAL).await;
    let notice = to_old
        .iter()
        .find(|m| subject_has(m, &["changed"]))
        .unwrap_or_else(|| panic!("no notice to the old address {old}: {to_old:?}"));
    assert!(
        !notice.text.contains("/confirm-email?token="),
        "{}",
        notice.text
    );
    assert!(notice.text.contains(&name), "the notice greets {name}");

    let (status, text) = confirm(&app, &link_token(&to_new[0], "/confirm-email")).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let confirmed = me(&app, &session.token).await;
    assert_eq!(confirmed["email"], new.as_str(), "{confirmed}");
    assert_eq!(confirmed["email_confirmed"], true, "{confirmed}");
}

#[tokio::test]
async fn a_forgotten_password_is_reset_from_the_mailed_link() {
    let smtp = MailServer::spawn().await;
    let app = spawn_app_with(smtp.settings()).await;
    let (name, email, before) = confirmed_user(&app, &smtp).await;
    // An account whose address is not confirmed gets no reset mail.
    let unconfirmed = unique_name("u");
    let unconfirmed_email = address_of(&unconfirmed);
    register_with_email(&app, &unconfirmed, &unconfirmed_email).await;

    // The same answer whatever the account.
    let (status, answer) = forgot(&app, &name).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert!(answer["msg"].is_string(), "{answer}");
    let nobody = unique_name("nobody");
    for login in [
        nobody.clone(),
        address_of(&nobody),
        unconfirmed.clone(),
        unconfirmed_email.clone(),
    ] {
        assert_eq!(
            forgot(&app, &login).await,
            (StatusCode::OK, answer.clone()),
            "{login}"
        );
    }

    // Confirmation, then the reset link.
    let mails = smtp.wait_for_to(&email, 2, ARRIVAL).await;
    let reset_mail = mails
        .iter()
        .find(|m| m.text.contains("/reset-password?token="))
        .unwrap_or_else(|| panic!("no reset link to {email}: {mails:?}"));
    let token = link_token(reset_mail, "/reset-password");

    let new_password = "a brand new passphrase 7";
    let (status, text) = reset(&app, &token, "password1").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "weak: {text}");
    let (status, text) = reset(&app, &tampered(&token), new_password).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "tampered: {text}");
    assert_eq!(me_status(&app, &before.token).await, StatusCode::OK);

    let (status, text) = reset(&app, &token, new_password).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert_eq!(
        me_status(&app, &before.token).await,
        StatusCode::UNAUTHORIZED,
        "every session of the account ends"
    );
    assert_eq!(
        login_status(&app, &name, PASSWORD).await,
        StatusCode::UNAUTHORIZED
    );
    login(&app, &name, new_password).await;
    let (status, text) = reset(&app, &token, "yet another passphrase 8").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "reused: {text}");
    login(&app, &name, new_password).await;

    // The notice that the password changed.
    let mails = smtp.wait_for_to(&email, 3, ARRIVAL).await;
    assert!(
        mails
            .iter()
            .any(|m| subject_has(m, &["password", "changed"])
                && !m.text.contains("/reset-password?token=")),
        "no notice of the new password: {mails:?}"
    );

    // By confirmed address too; an expired link is refused.
    let (status, by_address) = forgot(&app, &email.to_uppercase()).await;
    assert_eq!((status, &by_address), (StatusCode::OK, &answer));
    let mails = smtp.wait_for_to(&email, 4, ARRIVAL).await;
    let second = mails
        .iter()
        .filter(|m| m.text.contains("/reset-password?token="))
        .map(|m| link_token(m, "/reset-password"))
        .find(|t| *t != token)
        .unwrap_or_else(|| panic!("no second reset link: {mails:?}"));
    expire_all_links(&app).await;
    let (status, text) = reset(&app, &second, "yet another passphrase 8").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "expired: {text}");
    login(&app, &name, new_password).await;

    // Nothing went to the unconfirmed address but its confirmation, nor to unknown ones.
    let all = smtp.messages();
    let to_unconfirmed: Vec<&Mail> = all.iter().filter(|m| m.to == unconfirmed_email).collect();
    assert!(
        to_unconfirmed
            .iter()
            .all(|m| !m.text.contains("/reset-password")),
        "{to_unconfirmed:?}"
    );
    assert!(all.iter().all(|m| m.to != address_of(&nobody)), "{all:?}");
}

#[tokio::test]
async fn mail_waits_for_the_smtp_server_to_come_back() {
    let mut smtp = MailServer::spawn().await;
    let app = spawn_app_with(smtp.settings()).await;
    smtp.stop();

    let emails: Vec<String> = (0..3).map(|_| address_of(&unique_name("d"))).collect();
    for email in &emails {
        let name = email.split('@').next().expect("local part").to_owned();
        let started = Instant::now();
        register_with_email(&app, &name, email).await;
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "a sign-up must not wait for the mail server: {:?}",
            started.elapsed()
        );
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(smtp.messages().is_empty());
    smtp.start().await;

    smtp.wait_for(3, ARRIVAL).await;
    // Anything sent twice would show up within a few more retries.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mut recipients: Vec<String> = smtp.messages().into_iter().map(|m| m.to).collect();
    recipients.sort();
    let mut expected = emails.clone();
    expected.sort();
    assert_eq!(recipients, expected, "each mail exactly once");

    let unsent: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL")
        .fetch_one(&app.state.db)
        .await
        .expect("outbox");
    assert_eq!(unsent, 0);
    let attempts: Option<i64> = sqlx::query_scalar("SELECT MAX(attempts) FROM outbox")
        .fetch_one(&app.state.db)
        .await
        .expect("outbox");
    assert!(
        attempts.unwrap_or(0) >= 1,
        "the failed deliveries were counted: {attempts:?}"
    );
}

#[tokio::test]
async fn two_instances_send_each_mail_once() {
    let mut smtp = MailServer::spawn().await;
    let database = fresh_postgres_database().await;
    let one = spawn_app_with(smtp.settings().set("DATABASE_URL", database.clone())).await;
    let two = spawn_app_with(smtp.settings().set("DATABASE_URL", database)).await;
    smtp.stop();

    let emails: Vec<String> = (0..10).map(|_| address_of(&unique_name("t"))).collect();
    for (i, email) in emails.iter().enumerate() {
        let app = if i % 2 == 0 { &one } else { &two };
        let name = email.split('@').next().expect("local part").to_owned();
        register_with_email(app, &name, email).await;
    }
    smtp.start().await;

    smtp.wait_for(10, Duration::from_secs(60)).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let mails = smtp.messages();
    let mut recipients: Vec<String> = mails.iter().map(|m| m.to.clone()).collect();
    recipients.sort();
    let mut expected = emails.clone();
    expected.sort();
    assert_eq!(
        recipients, expected,
        "exactly 10 mails, one to each address"
    );
    assert!(mails.iter().all(|m| subject_has(m, &["confirm"])));
}

async fn predict(app: &TestApp, token: &str) -> reqwest::Response {
    predict_png(app, token, digit_png(SEVEN, 224, 0.0)).await
}

#[tokio::test]
async fn predictions_can_require_a_confirmed_address() {
    let smtp = MailServer::spawn().await;
    let app = spawn_app_with(smtp.settings().set("REQUIRE_CONFIRMED_EMAIL", "true")).await;
    let name = unique_name("p");
    let email = address_of(&name);
    register_with_email(&app, &name, &email).await;
    let session = login(&app, &name, PASSWORD).await;
    assert_eq!(me(&app, &session.token).await["must_confirm_email"], true);

    let (status, text) = msg(predict(&app, &session.token).await).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{text}");
    let lower = text.to_lowercase();
    assert!(
        lower.contains("confirm") && lower.contains("email"),
        "{text}"
    );
    // Without any address, the same.
    let (_, bare) = new_user(&app).await;
    assert_eq!(me(&app, &bare.token).await["must_confirm_email"], true);
    assert_eq!(
        predict(&app, &bare.token).await.status(),
        StatusCode::FORBIDDEN
    );

    let mails = smtp.wait_for_to(&email, 1, ARRIVAL).await;
    let (status, text) = confirm(&app, &link_token(&mails[0], "/confirm-email")).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let after = me(&app, &session.token).await;
    assert_eq!(after["must_confirm_email"], false, "{after}");
    let response = predict(&app, &session.token).await;
    let status = response.status();
    let body: Value = response.json().await.expect("json");
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn without_an_smtp_server_development_mail_goes_to_a_folder() {
    let outbox = tempfile::tempdir().expect("dir");
    let app =
        spawn_app_with(settings().set("MAIL_OUTBOX_DIR", outbox.path().display().to_string()))
            .await;
    let name = unique_name("f");
    let email = address_of(&name);
    register_with_email(&app, &name, &email).await;

    let deadline = Instant::now() + Duration::from_secs(10);
    let mail = loop {
        let found = std::fs::read_dir(outbox.path())
            .into_iter()
            .flatten()
            .flatten()
            .map(|entry| entry.path())
            .filter(|path| {
                path.extension().is_some_and(|e| e == "eml")
                    && !path
                        .file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with('.'))
            })
            .filter_map(|path| std::fs::read(path).ok())
            .map(|bytes| Mail::parse(&String::from_utf8_lossy(&bytes)))
            .find(|mail| mail.to == email);
        if let Some(mail) = found {
            break mail;
        }
        assert!(
            Instant::now() < deadline,
            "no .eml file for {email} in {} within 10 s",
            outbox.path().display()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(mail.raw.contains("/confirm-email?token="), "{}", mail.raw);
    let (status, text) = confirm(&app, &link_token(&mail, "/confirm-email")).await;
    assert_eq!(status, StatusCode::OK, "{text}");
}

#[tokio::test]
async fn signing_up_without_an_address_is_as_before_and_sends_nothing() {
    let smtp = MailServer::spawn().await;
    let app = spawn_app_with(smtp.settings()).await;
    let name = unique_name("o");
    let answer = msg(post_json(
        &app,
        "/api/register",
        json!({"username": name, "password": PASSWORD}),
    )
    .await)
    .await;
    assert_eq!(
        answer,
        (StatusCode::CREATED, "User registered successfully".into())
    );
    let session = login(&app, &name, PASSWORD).await;
    let profile = me(&app, &session.token).await;
    assert!(profile["email"].is_null(), "{profile}");
    assert_eq!(profile["email_confirmed"], false, "{profile}");
    assert_eq!(profile["must_confirm_email"], false, "{profile}");

    // A bad address is refused, and the name stays free.
    let other = unique_name("o");
    let (status, text) = msg(post_json(
        &app,
        "/api/register",
        json!({"username": other, "password": PASSWORD, "email": "not an address"}),
    )
    .await)
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{text}");
    let (status, text) = msg(post_json(
        &app,
        "/api/register",
        json!({"username": other, "password": PASSWORD}),
    )
    .await)
    .await;
    assert_eq!(status, StatusCode::CREATED, "{text}");

    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(smtp.messages().is_empty(), "no mail without an address");
    let queued: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox")
        .fetch_one(&app.state.db)
        .await
        .expect("outbox");
    assert_eq!(queued, 0);
}
