//! Account actions for a person: sign up, log in, refresh, log out, see the account, change the
//! password, log out everywhere, delete the account. Callers hand over fields already checked
//! for presence (see `ports`) and, where a session is needed, the caller it belongs to. Every
//! refusal is a [`Failure`] with its HTTP status and a message for a person; nothing secret
//! (passwords, hashes, tokens) is ever logged.

pub mod addresses;
pub mod recovery;

use std::{net::IpAddr, sync::Arc, time::Duration};

use app::api::{
    AccessToken, CurrentUser, LANGUAGE_SAVED, LANGUAGE_UNKNOWN, Message,
    backend::{Failure, Outcome},
};
use http::{StatusCode, request::Parts};
use sqlx::AnyPool;

use super::{
    password::{PasswordHasherPool, Verified},
    policy,
    refusals::{
        BAD_CREDENTIALS, bad_request, hash_failure, locked_out, too_many_failures_from_address,
        too_many_in_flight, too_many_signups, unauthorized, unprocessable,
    },
    sessions::{Principal, Sessions},
    store::{self, NewLink, Purpose, Role, StoreError, UserRecord},
};
use crate::{
    admission::{InFlight, PerAddress},
    clock::{now, rfc3339},
    config::Config,
    edge::client::client_ip,
    failure::{database, too_many},
    mail::{Kind, Mail, Params, outbox},
    metrics::service::{LimitName, ServiceMetrics},
    ratelimit::{Backoff, Limiter, Window},
    telemetry::SECURITY,
};

/// Failed log-ins per account: from the 5th, 30 s doubling up to an hour; forgotten after a day.
pub const LOGIN_BACKOFF: Backoff = Backoff {
    threshold: 5,
    base: Duration::from_secs(30),
    max: Duration::from_secs(3600),
    memory: Duration::from_secs(24 * 3600),
};

/// Language changes saved per account and hour (`POST /api/set_language`, `/auth/language`).
pub const LANGUAGE_CHANGES_PER_HOUR: u64 = 60;

/// One window of an hour under `key`, at most `limit`.
fn hourly(key: String, limit: u64) -> Vec<Window> {
    vec![Window {
        key,
        limit,
        period: Duration::from_secs(3600),
    }]
}

pub struct AccountService {
    db: AnyPool,
    hasher: Arc<PasswordHasherPool>,
    sessions: Arc<Sessions>,
    limiter: Arc<Limiter>,
    /// Where the sign-up and log-in limiter decisions are counted.
    metrics: ServiceMetrics,
    trusted_proxies: Vec<IpAddr>,
    signups_per_hour: u64,
    login_failures_per_address: u64,
    /// Password work (log-in, sign-up, password changes) in flight per client address.
    per_address: PerAddress,
    /// Mail: address confirmation and password reset (see `addresses` and `recovery`).
    mail: Arc<Mail>,
}

impl AccountService {
    pub fn new(
        config: &Config,
        db: AnyPool,
        hasher: Arc<PasswordHasherPool>,
        sessions: Arc<Sessions>,
        limiter: Arc<Limiter>,
        metrics: ServiceMetrics,
        mail: Arc<Mail>,
    ) -> Self {
        Self {
            db,
            hasher,
            sessions,
            limiter,
            metrics,
            trusted_proxies: config.trusted_proxies.clone(),
            signups_per_hour: config.signups_per_hour,
            login_failures_per_address: config.login_failures_per_address,
            per_address: PerAddress::new(config.auth_in_flight_per_address),
            mail,
        }
    }

    fn client_ip(&self, request: &Parts) -> Option<IpAddr> {
        client_ip(request, &self.trusted_proxies)
    }

    /// Counts one more under `key` in its hour's window of at most `limit`: the window (for
    /// [`Limiter::release`] if what was counted does not happen after all), or 429 saying
    /// `refusal`, with `Retry-After`.
    async fn count_hourly(&self, key: String, limit: u64, refusal: &str) -> Outcome<Vec<Window>> {
        let window = hourly(key, limit);
        let decision = self.limiter.hit(&window).await;
        if !decision.allowed {
            return Err(too_many(refusal, decision.retry_after().as_secs()));
        }
        Ok(window)
    }

    /// One window keyed by the client's address, or none when the address is unknown.
    fn per_address_window(&self, ip: Option<IpAddr>, what: &str, limit: u64) -> Option<Window> {
        ip.map(|ip| Window {
            key: format!("{what}:{ip}"),
            limit,
            period: Duration::from_secs(3600),
        })
    }

    /// Sign-up, cheapest checks first: the name's rules, the password's length, the address's
    /// sign-up quota (looked at, not counted), then the strength score and the hash on the
    /// bounded password threads. A name-taken answer counts against the quota like a new
    /// account, so an address over its quota gets 429 for every name, and one under it cannot
    /// probe more names than it could create. With an address, the account and the mail that
    /// confirms it are written in one transaction.
    pub async fn register(
        &self,
        request: &Parts,
        username: &str,
        password: String,
        email: Option<String>,
    ) -> Outcome<Message> {
        let username = policy::parse_username(username).map_err(unprocessable)?;
        policy::check_not_reserved(&username).map_err(unprocessable)?;
        policy::check_password_length(&password).map_err(unprocessable)?;
        let email = match email.filter(|e| !e.trim().is_empty()) {
            Some(email) => {
                // A 422 here rather than the 404 of the mail endpoints: the sign-up itself exists.
                self.mail_enabled()
                    .map_err(|f| Failure::new(StatusCode::UNPROCESSABLE_ENTITY, f.msg))?;
                Some(policy::parse_email(&email).map_err(unprocessable)?)
            }
            None => None,
        };
        let ip = self.client_ip(request);
        let quota = self.per_address_window(ip, "signup", self.signups_per_hour);
        let quota = quota.as_slice();
        if !quota.is_empty() {
            let decision = self.limiter.peek(quota).await;
            if !decision.allowed {
                return Err(too_many_signups(&decision));
            }
        }
        let _place = self.enter(ip)?;
        self.check_new_password(&password, &username).await?;
        if !quota.is_empty() {
            let decision = self.limiter.hit(quota).await;
            self.metrics.decided(LimitName::Signups, decision.allowed);
            if !decision.allowed {
                return Err(too_many_signups(&decision));
            }
        }
        let taken = || Failure::new(StatusCode::CONFLICT, "Username already exists");
        match store::find_user_by_name(&self.db, &username).await {
            Ok(Some(_)) => return Err(taken()),
            Ok(None) => {}
            Err(error) => {
                self.limiter.release(quota).await;
                return Err(database(&error, "signing up"));
            }
        }
        let hash = match self.hasher.hash(password).await {
            Ok(hash) => hash,
            Err(error) => {
                // Nothing was created: the attempt does not count.
                self.limiter.release(quota).await;
                return Err(hash_failure(error));
            }
        };
        let created = match &email {
            None => store::create_user(&self.db, &username, &hash, Role::User, now()).await,
            Some(email) => self.create_user_with_email(&username, &hash, email).await,
        };
        match created {
            Ok(user) => {
                if email.is_some() {
                    self.mail.queued();
                }
                tracing::info!(target: SECURITY, event = "signup", user_id = %user.id, "account created");
                Ok(Message::new("User registered successfully"))
            }
            Err(StoreError::UsernameTaken) => Err(taken()),
            Err(StoreError::Database(error)) => {
                self.limiter.release(quota).await;
                Err(database(&error, "signing up"))
            }
        }
    }

    /// A new account with its unconfirmed address, and the mail that confirms it.
    async fn create_user_with_email(
        &self,
        username: &policy::Username,
        hash: &str,
        email: &str,
    ) -> Result<UserRecord, StoreError> {
        let now = now();
        let mut tx = self.db.begin().await?;
        let user =
            store::create_user_in(&mut tx, username, hash, Role::User, now, Some(email)).await?;
        self.queue_confirmation(&mut tx, &user, email, now).await?;
        tx.commit().await?;
        Ok(user)
    }

    /// Writes a confirmation link for `email` and its mail, in the caller's transaction.
    async fn queue_confirmation(
        &self,
        conn: &mut sqlx::AnyConnection,
        user: &UserRecord,
        email: &str,
        now: i64,
    ) -> Result<(), sqlx::Error> {
        let ttl = self.mail.settings.confirm_ttl_secs;
        let (token_id, token_hash) = self.mail.links.new_link();
        let link = NewLink {
            token_hash: &token_hash,
            purpose: Purpose::Confirm,
            email,
            expires_at: now + ttl,
        };
        store::insert_link(conn, &user.id, &link, now).await?;
        let params = Params {
            username: user.username.clone(),
            token_id: Some(token_id),
            valid_secs: Some(ttl),
        };
        outbox::enqueue(conn, Kind::ConfirmAddress, email, &params, now).await
    }

    /// 404 with a clear message when this server runs without mail (`MAIL_ENABLED=false`).
    fn mail_enabled(&self) -> Outcome<()> {
        if self.mail.settings.enabled {
            Ok(())
        } else {
            Err(Failure::new(
                StatusCode::NOT_FOUND,
                "This server does not send mail, so email addresses and password reset by \
                 mail are not available. Ask the administrator.",
            ))
        }
    }

    /// The strength rules (zxcvbn) for a new password, on the bounded password threads.
    async fn check_new_password(&self, password: &str, name: &policy::Username) -> Outcome<()> {
        let (scored, name) = (password.to_owned(), name.clone());
        self.hasher
            .run(move || policy::check_password(&scored, &name))
            .await
            .map_err(hash_failure)?
            .map_err(unprocessable)
    }

    /// A place for one more password check from `ip`: 429 when that address already has as
    /// many in flight as it may.
    fn enter(&self, ip: Option<IpAddr>) -> Outcome<Option<InFlight>> {
        let Some(ip) = ip else { return Ok(None) };
        match self.per_address.enter(ip) {
            Some(place) => Ok(Some(place)),
            None => Err(too_many_in_flight()),
        }
    }

    /// Verifies `password` for `username`, cheapest checks first: a name that cannot exist is
    /// refused before anything is counted or hashed (the rules are public, so answering it at
    /// once reveals nothing); then the address's place in line, its failure budget and the
    /// account's back-off are taken *before* the password is verified — each attempt counts
    /// as a failure until it succeeds — so N concurrent guesses can never verify more than the
    /// back-off allows. Unknown names and wrong passwords take the same path and time.
    async fn check_credentials(
        &self,
        ip: Option<IpAddr>,
        username: &str,
        password: String,
    ) -> Outcome<UserRecord> {
        let Ok(name) = policy::parse_username(username) else {
            login_failed(ip, None, "malformed_username");
            return Err(unauthorized(BAD_CREDENTIALS));
        };
        let _place = self.enter(ip)?;
        let address = self.per_address_window(ip, "login-ip", self.login_failures_per_address);
        let address = address.as_slice();
        if !address.is_empty() {
            let decision = self.limiter.hit(address).await;
            self.metrics.decided(LimitName::Logins, decision.allowed);
            if !decision.allowed {
                login_failed(ip, None, "too_many_failures_from_address");
                return Err(too_many_failures_from_address(&decision));
            }
        }
        let account = format!("login:{}", name.as_str());
        if let Err(wait) = self.limiter.reserve_attempt(&account, &LOGIN_BACKOFF).await {
            self.limiter.release(address).await;
            login_failed(ip, None, "account_backing_off");
            return Err(locked_out(wait));
        }
        // The attempt is counted. Until the password is known to be right or wrong, anything
        // that stops it undoes the count: it was not a guess.
        let undo = || async {
            self.limiter.release(address).await;
            self.limiter.forgive_attempt(&account).await;
        };
        let user = match store::find_user_by_name(&self.db, &name).await {
            Ok(user) => user,
            Err(error) => {
                undo().await;
                return Err(database(&error, "logging in"));
            }
        };
        let stored = user.as_ref().map(|u| u.password_hash.clone());
        let verified = match self.hasher.verify(password, stored).await {
            Ok(verified) => verified,
            Err(error) => {
                undo().await;
                return Err(hash_failure(error));
            }
        };
        match (verified, user) {
            (Verified::Yes { rehash }, Some(user)) => {
                self.limiter.clear(&account).await;
                self.limiter.release(address).await;
                if let Some(rehash) = rehash
                    && let Err(error) =
                        store::set_password_hash(&self.db, &user.id, &rehash, now()).await
                {
                    tracing::warn!(%error, "could not store an upgraded password hash");
                }
                Ok(user)
            }
            (_, user) => {
                let reason = if user.is_some() {
                    "wrong_password"
                } else {
                    "unknown_account"
                };
                login_failed(ip, user.as_ref().map(|u| u.id.as_str()), reason);
                Err(unauthorized(BAD_CREDENTIALS))
            }
        }
    }

    pub async fn login(
        &self,
        request: &Parts,
        username: &str,
        password: String,
    ) -> Outcome<AccessToken> {
        if password.len() > policy::PASSWORD_MAX * 4 {
            // Never hash megabytes; no stored password can be this long anyway.
            return Err(unauthorized(BAD_CREDENTIALS));
        }
        let user = self
            .check_credentials(self.client_ip(request), username, password)
            .await?;
        if user.disabled {
            login_failed(self.client_ip(request), Some(&user.id), "account_disabled");
            return Err(Failure::new(
                StatusCode::FORBIDDEN,
                "This account has been disabled. Contact the administrator.",
            ));
        }
        self.sessions.start(request, &user).await
    }

    pub fn me(&self, caller: Principal) -> CurrentUser {
        let user = caller.user;
        CurrentUser {
            must_confirm_email: self.must_confirm_email(&user),
            username: user.username,
            role: user.role.as_str().to_owned(),
            created_at: rfc3339(user.created_at),
            email: user.email,
            email_confirmed: user.email_confirmed,
            language: user.language,
        }
    }

    /// `POST /api/set_language {"language"}`: the interface language the caller chose, which
    /// the pages apply at each log-in (the browser's own cookie keeps it in between).
    pub async fn set_language(
        &self,
        caller: &Principal,
        language: Option<String>,
    ) -> Outcome<Message> {
        let Some(lang) = language
            .as_deref()
            .map(str::trim)
            .filter(|code| app::i18n::Lang::ALL.iter().any(|lang| lang.code() == *code))
        else {
            return Err(Failure::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                LANGUAGE_UNKNOWN,
            ));
        };
        // The same choice again (every switch back and forth in a tab) writes nothing.
        if caller.user.language.as_deref() == Some(lang) {
            return Ok(Message::new(LANGUAGE_SAVED));
        }
        // A bound on the writes one account can cause; far above what a person switching does.
        self.count_hourly(
            format!("language:{}", caller.user.id),
            LANGUAGE_CHANGES_PER_HOUR,
            "Too many language changes for this account; try again later",
        )
        .await?;
        store::set_language(&self.db, &caller.user.id, lang, now())
            .await
            .map_err(|e| database(&e, "saving a language"))?;
        Ok(Message::new(LANGUAGE_SAVED))
    }

    /// Whether the operator requires a confirmed address before predictions
    /// (`REQUIRE_CONFIRMED_EMAIL`) and `user` has none.
    pub fn must_confirm_email(&self, user: &UserRecord) -> bool {
        self.mail.settings.require_confirmed_email && !user.email_confirmed
    }

    pub async fn change_password(
        &self,
        request: &Parts,
        caller: &Principal,
        current_password: Option<String>,
        new_password: Option<String>,
    ) -> Outcome<Message> {
        let (Some(current), Some(new)) = (
            current_password.filter(|p| !p.is_empty()),
            new_password.filter(|p| !p.is_empty()),
        ) else {
            return Err(bad_request("Current and new password required"));
        };
        let user = &caller.user;
        let username = policy::parse_username(&user.username).map_err(unprocessable)?;
        policy::check_password_length(&new).map_err(unprocessable)?;
        self.confirm_password(self.client_ip(request), user, current)
            .await?;
        self.check_new_password(&new, &username).await?;
        let hash = self.hasher.hash(new).await.map_err(hash_failure)?;
        let now = now();
        let changing = |e: sqlx::Error| database(&e, "changing a password");
        store::set_password_hash(&self.db, &user.id, &hash, now)
            .await
            .map_err(changing)?;
        store::revoke_user_sessions(&self.db, &user.id, Some(&caller.session_id), now)
            .await
            .map_err(changing)?;
        self.sessions.live().changed().await;
        tracing::info!(
            target: SECURITY,
            event = "password_changed",
            user_id = %user.id,
            "password changed; other sessions ended"
        );
        Ok(Message::new(
            "Password changed. Your other sessions have been logged out.",
        ))
    }

    /// Re-checks the password of a logged-in user (with the same back-off as log-in).
    async fn confirm_password(
        &self,
        ip: Option<IpAddr>,
        user: &UserRecord,
        password: String,
    ) -> Outcome<()> {
        match self.check_credentials(ip, &user.username, password).await {
            Ok(_) => Ok(()),
            Err(failure) if failure.status == StatusCode::UNAUTHORIZED => Err(Failure::new(
                StatusCode::FORBIDDEN,
                "The password is not correct",
            )),
            Err(failure) => Err(failure),
        }
    }

    pub async fn logout_everywhere(&self, request: &Parts, caller: &Principal) -> Outcome<Message> {
        store::revoke_user_sessions(&self.db, &caller.user.id, None, now())
            .await
            .map_err(|e| database(&e, "ending every session"))?;
        self.sessions.live().changed().await;
        self.sessions.clear_cookies(request);
        tracing::info!(target: SECURITY, event = "logout_everywhere", user_id = %caller.user.id, "logged out everywhere");
        Ok(Message::new("Logged out on every device"))
    }

    pub async fn delete_account(
        &self,
        request: &Parts,
        caller: &Principal,
        password: Option<String>,
    ) -> Outcome<Message> {
        let Some(password) = password.filter(|p| !p.is_empty()) else {
            return Err(bad_request("Password required"));
        };
        self.confirm_password(self.client_ip(request), &caller.user, password)
            .await?;
        store::delete_user(&self.db, &caller.user.id)
            .await
            .map_err(|e| database(&e, "deleting an account"))?;
        self.sessions.live().changed().await;
        self.sessions.clear_cookies(request);
        tracing::info!(target: SECURITY, event = "account_deleted", user_id = %caller.user.id, "account deleted");
        Ok(Message::new("Your account and its data have been deleted"))
    }
}

/// A refused log-in, as a security event: why, from where, and which account when it exists
/// (never the name typed, which is sometimes a password typed in the wrong field).
fn login_failed(ip: Option<IpAddr>, user_id: Option<&str>, reason: &'static str) {
    tracing::warn!(
        target: SECURITY,
        event = "login_failed",
        reason,
        client = %ip.map_or_else(|| "-".to_owned(), |ip| ip.to_string()),
        user_id = user_id.unwrap_or("-"),
        "log-in refused"
    );
}
