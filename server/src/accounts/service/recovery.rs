//! A forgotten password: asking for a reset link by username or confirmed address (the same
//! answer whether or not the account exists), and choosing a new password from the link.

use app::api::{Message, PASSWORD_RESET, RESET_REQUESTED, backend::Outcome};
use http::request::Parts;

use super::{AccountService, addresses::link_refusal, hourly};
use crate::{
    accounts::{
        policy,
        refusals::{bad_request, hash_failure, unprocessable},
        store::{self, LinkState, NewLink, Purpose, UserRecord},
    },
    clock::now,
    failure::database,
    mail::{Kind, Params, links, outbox},
    telemetry::SECURITY,
};

/// Reset requests one client address may make in an hour (answered 429 beyond: this says
/// nothing about any account).
pub const RESET_REQUESTS_PER_ADDRESS_PER_HOUR: u64 = 10;
/// Reset mails one account may receive in an hour. Beyond it the request gets the same answer
/// and no mail, so the limit reveals nothing either.
pub const RESET_MAILS_PER_ACCOUNT_PER_HOUR: u64 = 3;

impl AccountService {
    /// `POST /api/forgot_password {"login"}`: a username or a confirmed address.
    pub async fn forgot_password(
        &self,
        request: &Parts,
        login: Option<String>,
    ) -> Outcome<Message> {
        self.mail_enabled()?;
        let Some(login) = login.filter(|l| !l.trim().is_empty()) else {
            return Err(bad_request("Username or email address required"));
        };
        if let Some(ip) = self.client_ip(request) {
            self.count_hourly(
                format!("reset-ip:{ip}"),
                RESET_REQUESTS_PER_ADDRESS_PER_HOUR,
                "Too many password reset requests from your network",
            )
            .await?;
        }
        let answer = Ok(Message::new(RESET_REQUESTED));
        let Some(user) = self.account_to_reset(&login).await? else {
            return answer;
        };
        let Some(email) = user.email.clone().filter(|_| user.email_confirmed) else {
            return answer;
        };
        if user.disabled {
            return answer;
        }
        let window = hourly(
            format!("reset:{}", user.id),
            RESET_MAILS_PER_ACCOUNT_PER_HOUR,
        );
        if !self.limiter.hit(&window).await.allowed {
            tracing::info!(target: SECURITY, event = "reset_limited", user_id = %user.id, "reset mail not sent: hourly limit");
            return answer;
        }
        let queued = async {
            let now = now();
            let ttl = self.mail.settings.reset_ttl_secs;
            let (token_id, token_hash) = self.mail.links.new_link();
            let mut tx = self.db.begin().await?;
            let link = NewLink {
                token_hash: &token_hash,
                purpose: Purpose::Reset,
                email: &email,
                expires_at: now + ttl,
            };
            store::insert_link(&mut tx, &user.id, &link, now).await?;
            let params = Params {
                username: user.username.clone(),
                token_id: Some(token_id),
                valid_secs: Some(ttl),
            };
            outbox::enqueue(&mut tx, Kind::ResetPassword, &email, &params, now).await?;
            tx.commit().await
        }
        .await;
        if let Err(error) = queued {
            self.limiter.release(&window).await;
            return Err(database(&error, "asking for a password reset"));
        }
        self.mail.queued();
        tracing::info!(target: SECURITY, event = "reset_requested", user_id = %user.id, "password reset link sent");
        answer
    }

    /// The account a reset request names: by confirmed address when it has an `@`, else by
    /// username. Input that cannot be either finds nothing (and gets the same answer).
    async fn account_to_reset(&self, login: &str) -> Outcome<Option<UserRecord>> {
        let failed = |e: sqlx::Error| database(&e, "asking for a password reset");
        if login.contains('@') {
            let Ok(email) = policy::parse_email(login) else {
                return Ok(None);
            };
            let mut conn = self.db.acquire().await.map_err(failed)?;
            store::find_user_by_confirmed_email(&mut conn, &email)
                .await
                .map_err(failed)
        } else {
            let Ok(name) = policy::parse_username(login) else {
                return Ok(None);
            };
            store::find_user_by_name(&self.db, &name)
                .await
                .map_err(failed)
        }
    }

    /// `POST /api/reset_password {"token","new_password"}`. Cheapest checks first: the token's
    /// shape, the password's length, the link in the database; only then the strength score
    /// and the hash. The link is used in the transaction that sets the password, ends every
    /// session and queues the notice, so of two uses at once exactly one succeeds.
    pub async fn reset_password(
        &self,
        token: Option<String>,
        new_password: Option<String>,
    ) -> Outcome<Message> {
        self.mail_enabled()?;
        let token = token.unwrap_or_default();
        let token = token.trim();
        let Some(password) = new_password.filter(|p| !p.is_empty()) else {
            return Err(bad_request("New password required"));
        };
        if !links::well_formed(token) {
            return Err(link_refusal(&LinkState::Unknown));
        }
        policy::check_password_length(&password).map_err(unprocessable)?;
        let hash = links::token_hash(token);
        let failed = |e: sqlx::Error| database(&e, "resetting a password");
        let state = {
            let mut conn = self.db.acquire().await.map_err(failed)?;
            store::link_state(&mut conn, &hash, Purpose::Reset, now())
                .await
                .map_err(failed)?
        };
        let LinkState::Valid { user_id, .. } = state else {
            return Err(link_refusal(&state));
        };
        let Some(user) = store::find_user_by_id(&self.db, &user_id)
            .await
            .map_err(failed)?
        else {
            return Err(link_refusal(&LinkState::Unknown));
        };
        let username = policy::parse_username(&user.username).map_err(unprocessable)?;
        self.check_new_password(&password, &username).await?;
        let password_hash = self.hasher.hash(password).await.map_err(hash_failure)?;

        let now = now();
        let mut tx = self.db.begin().await.map_err(failed)?;
        let email = match store::use_link(&mut tx, &hash, Purpose::Reset, now)
            .await
            .map_err(failed)?
        {
            LinkState::Valid { email, .. } => email,
            other => return Err(link_refusal(&other)),
        };
        store::replace_password(&mut tx, &user.id, &password_hash, now)
            .await
            .map_err(failed)?;
        store::retire_links(&mut tx, &user.id, Purpose::Reset, now)
            .await
            .map_err(failed)?;
        let params = Params {
            username: user.username.clone(),
            token_id: None,
            valid_secs: None,
        };
        outbox::enqueue(&mut tx, Kind::PasswordChanged, &email, &params, now)
            .await
            .map_err(failed)?;
        tx.commit().await.map_err(failed)?;
        self.sessions.live().changed().await;
        self.mail.queued();
        // A person locked out by failed log-ins can use the new password at once.
        self.limiter
            .clear(&format!("login:{}", username.as_str()))
            .await;
        tracing::info!(target: SECURITY, event = "password_reset", user_id = %user.id, "password reset from a mailed link; every session ended");
        Ok(Message::new(PASSWORD_RESET))
    }
}
