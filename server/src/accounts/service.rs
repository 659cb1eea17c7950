//! The accounts API behind the server functions in `app::api`: sign-up, log-in, sessions, the
//! account page and the admin page. Every refusal is a [`Failure`] with its HTTP status and a
//! message for a person; nothing secret (passwords, hashes, tokens) is ever logged.

use std::{
    net::{IpAddr, SocketAddr},
    sync::Arc,
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use app::api::{
    AccessToken, CurrentUser, Message, UserPage, UserSummary,
    backend::{Backend, BoxFuture, Failure, Outcome},
    rfc3339,
};
use axum::extract::ConnectInfo;
use http::{HeaderMap, StatusCode, header::AUTHORIZATION, request::Parts};
use sqlx::AnyPool;
use tower_cookies::{Cookie, Cookies, cookie::SameSite};

use super::{
    password::{HashError, PasswordHasherPool, Verified},
    policy,
    store::{self, Role, Rotation, SESSION_ABSOLUTE_SECS, StoreError, UserRecord},
    tokens::{self, ACCESS_TTL_SECS, TokenError, TokenKeys},
};
use crate::{
    admission::{InFlight, PerAddress},
    config::Config,
    ratelimit::{Backoff, Decision, Limiter, Window},
};

pub const MISSING_CREDENTIALS: &str = "Username and password required";
pub const BAD_CREDENTIALS: &str = "Bad username or password";
pub const MISSING_AUTH: &str = "Missing Authorization Header";
pub const USERS_PER_PAGE: u32 = 20;

/// Failed log-ins per account: from the 5th, 30 s doubling up to an hour; forgotten after a day.
pub const LOGIN_BACKOFF: Backoff = Backoff {
    threshold: 5,
    base: Duration::from_secs(30),
    max: Duration::from_secs(3600),
    memory: Duration::from_secs(24 * 3600),
};

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

/// Names of the two session cookies. With `Secure` they carry the `__Host-` prefix, which
/// browsers only accept from HTTPS, for `Path=/` and without `Domain`.
#[derive(Debug, Clone)]
pub struct CookieNames {
    pub access: &'static str,
    pub refresh: &'static str,
    pub secure: bool,
}

impl CookieNames {
    pub fn new(secure: bool) -> Self {
        if secure {
            Self {
                access: "__Host-trazo_access",
                refresh: "__Host-trazo_refresh",
                secure,
            }
        } else {
            Self {
                access: "trazo_access",
                refresh: "trazo_refresh",
                secure,
            }
        }
    }

    fn build(&self, name: &'static str, value: String, max_age_secs: i64) -> Cookie<'static> {
        // SameSite=Lax rather than Strict: with Strict, following a link to trazo from another
        // site would show a logged-out page. Lax only sends the cookies cross-site on top-level
        // GET navigations, and no GET changes state; every state-changing request is a POST
        // that is also checked for a same-origin `Origin` (see `csrf`).
        Cookie::build((name, value))
            .path("/")
            .http_only(true)
            .secure(self.secure)
            .same_site(SameSite::Lax)
            .max_age(tower_cookies::cookie::time::Duration::seconds(max_age_secs))
            .build()
    }
}

/// Who made an authenticated request.
#[derive(Debug, Clone)]
pub struct Principal {
    pub user: UserRecord,
    pub session_id: String,
}

/// In context while a page renders on the server. Page loads are GETs, which never change
/// state, so when the access token has run out a page is shown to the owner of a valid refresh
/// cookie without rotating it (see [`Fallback`]); the browser refreshes with a POST later.
#[derive(Clone, Copy, Debug)]
pub struct PageRender;

/// What authentication may fall back to when there is no valid access token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fallback {
    /// Nothing: 401 (the API's contract; the browser then refreshes with `POST /api/refresh`).
    None,
    /// A valid refresh cookie, read without being used (page loads and `GET /api/session`).
    RefreshCookie,
}

pub struct AccountService {
    db: AnyPool,
    hasher: PasswordHasherPool,
    keys: TokenKeys,
    limiter: Arc<Limiter>,
    cookies: CookieNames,
    trusted_proxies: Vec<IpAddr>,
    signups_per_hour: u64,
    login_failures_per_address: u64,
    /// Password work (log-in, sign-up, password changes) in flight per client address.
    per_address: PerAddress,
    refresh_grace_secs: i64,
}

impl AccountService {
    pub fn new(config: &Config, db: AnyPool, limiter: Arc<Limiter>) -> Self {
        // Each argon2 run takes 19 MiB and a core for tens of milliseconds. At most half the
        // cores hash at a time (one on a 2-core machine): a flood of log-ins waits for those
        // in a short line (AUTH_QUEUE, then 503) and leaves the other half to predictions and
        // pages (measured in BENCHMARKS.md).
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Self {
            db,
            hasher: PasswordHasherPool::new((cores / 2).max(1), config.auth_queue),
            keys: TokenKeys::new(config.signing_key.expose()),
            limiter,
            cookies: CookieNames::new(config.cookie_secure),
            trusted_proxies: config.trusted_proxies.clone(),
            signups_per_hour: config.signups_per_hour,
            login_failures_per_address: config.login_failures_per_address,
            per_address: PerAddress::new(config.auth_in_flight_per_address),
            refresh_grace_secs: i64::try_from(config.refresh_grace_secs).unwrap_or(i64::MAX),
        }
    }

    pub fn cookie_names(&self) -> &CookieNames {
        &self.cookies
    }

    pub fn hasher(&self) -> &PasswordHasherPool {
        &self.hasher
    }

    /// The client's address: the peer, or — only when the peer is a trusted proxy — the last
    /// address in `X-Forwarded-For` that is not itself a trusted proxy.
    pub fn client_ip(&self, request: &Parts) -> Option<IpAddr> {
        let peer = request
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|info| info.0.ip())?;
        Some(client_ip(peer, &request.headers, &self.trusted_proxies))
    }

    fn cookie_jar(request: &Parts) -> Result<&Cookies, Failure> {
        request.extensions.get::<Cookies>().ok_or_else(|| {
            tracing::error!("cookie layer missing from the router");
            internal()
        })
    }

    fn set_session_cookies(&self, request: &Parts, access: &str, refresh: &str) -> Outcome<()> {
        let jar = Self::cookie_jar(request)?;
        jar.add(
            self.cookies
                .build(self.cookies.access, access.to_owned(), ACCESS_TTL_SECS),
        );
        jar.add(self.cookies.build(
            self.cookies.refresh,
            refresh.to_owned(),
            SESSION_ABSOLUTE_SECS,
        ));
        Ok(())
    }

    fn clear_session_cookies(&self, request: &Parts) {
        if let Ok(jar) = Self::cookie_jar(request) {
            for name in [self.cookies.access, self.cookies.refresh] {
                jar.add(self.cookies.build(name, String::new(), 0));
            }
        }
    }

    fn issue_access_token(&self, user: &UserRecord, session_id: &str) -> Outcome<AccessToken> {
        let claims = tokens::Claims::new(&user.id, user.role.as_str(), session_id, now());
        let access_token = self.keys.sign(&claims).map_err(|error| {
            tracing::error!(%error, "could not sign an access token");
            internal()
        })?;
        Ok(AccessToken {
            access_token,
            token_type: "Bearer".to_owned(),
            expires_in: ACCESS_TTL_SECS,
        })
    }

    /// Checks the Bearer token or the access cookie, and that its session is still live. While
    /// a page renders, a valid refresh cookie also counts (read, not used: see [`PageRender`]).
    pub async fn authenticate(&self, request: &Parts) -> Outcome<Principal> {
        let fallback = if leptos::prelude::use_context::<PageRender>().is_some() {
            Fallback::RefreshCookie
        } else {
            Fallback::None
        };
        self.authenticate_with(request, fallback).await
    }

    /// [`AccountService::authenticate`] with the fallback chosen by the caller.
    pub async fn authenticate_with(
        &self,
        request: &Parts,
        fallback: Fallback,
    ) -> Outcome<Principal> {
        let bearer = bearer_token(&request.headers)?;
        let token = bearer
            .clone()
            .or_else(|| self.cookie_value(request, self.cookies.access));
        let checked = match token {
            Some(token) => self.principal_from_token(&token).await,
            None => Err(unauthorized(MISSING_AUTH)),
        };
        match checked {
            Err(failure)
                if failure.status == StatusCode::UNAUTHORIZED
                    && fallback == Fallback::RefreshCookie
                    && bearer.is_none() =>
            {
                let Some(refresh) = self.cookie_value(request, self.cookies.refresh) else {
                    return Err(failure);
                };
                match store::refresh_token_user(
                    &self.db,
                    &tokens::refresh_token_hash(&refresh),
                    now(),
                    self.refresh_grace_secs,
                )
                .await
                .map_err(database)?
                {
                    Some((user, session_id)) => Ok(Principal { user, session_id }),
                    None => Err(failure),
                }
            }
            other => other,
        }
    }

    async fn principal_from_token(&self, token: &str) -> Outcome<Principal> {
        let claims = self.keys.verify(token).map_err(|error| match error {
            TokenError::Expired => unauthorized("Token has expired"),
            TokenError::Invalid => unauthorized("Invalid token"),
        })?;
        let user = store::live_session_user(&self.db, &claims.sid, &claims.sub, now())
            .await
            .map_err(database)?
            .ok_or_else(|| unauthorized("Session has ended; please log in again"))?;
        Ok(Principal {
            user,
            session_id: claims.sid,
        })
    }

    fn cookie_value(&self, request: &Parts, name: &str) -> Option<String> {
        request
            .extensions
            .get::<Cookies>()
            .and_then(|jar| jar.get(name))
            .map(|cookie| cookie.value().to_owned())
            .filter(|value| !value.is_empty())
    }

    async fn require_admin(&self, request: &Parts) -> Outcome<Principal> {
        let principal = self.authenticate(request).await?;
        if principal.user.role != Role::Admin {
            return Err(Failure::new(
                StatusCode::FORBIDDEN,
                "Only administrators can do this",
            ));
        }
        Ok(principal)
    }

    /// Sign-up, cheapest checks first: the fields, the name's rules, the password's length, the
    /// address's sign-up quota (looked at, not counted), then the strength score and the
    /// hash on the bounded password threads. A name-taken answer counts against the quota like
    /// a new account, so an address over its quota gets 429 for every name, and one under it
    /// cannot probe more names than it could create.
    pub async fn register(
        &self,
        request: &Parts,
        username: Option<String>,
        password: Option<String>,
    ) -> Outcome<Message> {
        let (username, password) = required(username, password)?;
        let username = policy::parse_username(&username).map_err(unprocessable)?;
        policy::check_not_reserved(&username).map_err(unprocessable)?;
        policy::check_password_length(&password).map_err(unprocessable)?;
        let ip = self.client_ip(request);
        let quota = ip.map(|ip| Window {
            key: format!("signup:{ip}"),
            limit: self.signups_per_hour,
            period: Duration::from_secs(3600),
        });
        let quota = quota.as_slice();
        if !quota.is_empty() {
            let decision = self.limiter.peek(quota).await;
            if !decision.allowed {
                return Err(too_many_signups(&decision));
            }
        }
        let _place = self.enter(ip)?;
        let (scored, name) = (password.clone(), username.clone());
        self.hasher
            .run(move || policy::check_password(&scored, &name))
            .await
            .map_err(hash_failure)?
            .map_err(unprocessable)?;
        if !quota.is_empty() {
            let decision = self.limiter.hit(quota).await;
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
                return Err(database(error));
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
        match store::create_user(&self.db, &username, &hash, Role::User, now()).await {
            Ok(user) => {
                tracing::info!(user_id = %user.id, "account created");
                Ok(Message::new("User registered successfully"))
            }
            Err(StoreError::UsernameTaken) => Err(taken()),
            Err(StoreError::Database(error)) => {
                self.limiter.release(quota).await;
                Err(database(error))
            }
        }
    }

    /// A place for one more password check from `ip`: 429 when that address already has as
    /// many in flight as it may.
    fn enter(&self, ip: Option<IpAddr>) -> Outcome<Option<InFlight>> {
        let Some(ip) = ip else { return Ok(None) };
        match self.per_address.enter(ip) {
            Some(place) => Ok(Some(place)),
            None => Err(Failure::new(
                StatusCode::TOO_MANY_REQUESTS,
                "Too many log-ins or sign-ups from your network at once. Try again in a second.",
            )
            .retry_after(1)),
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
            return Err(unauthorized(BAD_CREDENTIALS));
        };
        let _place = self.enter(ip)?;
        let address = ip.map(|ip| Window {
            key: format!("login-ip:{ip}"),
            limit: self.login_failures_per_address,
            period: Duration::from_secs(3600),
        });
        let address = address.as_slice();
        if !address.is_empty() {
            let decision = self.limiter.hit(address).await;
            if !decision.allowed {
                let wait = decision.retry_after().as_secs().max(1);
                return Err(Failure::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    format!(
                        "Too many failed log-ins from your network. Try again in {}.",
                        human_duration(wait)
                    ),
                )
                .retry_after(wait));
            }
        }
        let account = format!("login:{}", name.as_str());
        if let Err(wait) = self.limiter.reserve_attempt(&account, &LOGIN_BACKOFF).await {
            self.limiter.release(address).await;
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
                return Err(database(error));
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
            _ => Err(unauthorized(BAD_CREDENTIALS)),
        }
    }

    pub async fn login(
        &self,
        request: &Parts,
        username: Option<String>,
        password: Option<String>,
    ) -> Outcome<AccessToken> {
        let (username, password) = required(username, password)?;
        if password.len() > policy::PASSWORD_MAX * 4 {
            // Never hash megabytes; no stored password can be this long anyway.
            return Err(unauthorized(BAD_CREDENTIALS));
        }
        let user = self
            .check_credentials(self.client_ip(request), &username, password)
            .await?;
        if user.disabled {
            return Err(Failure::new(
                StatusCode::FORBIDDEN,
                "This account has been disabled. Contact the administrator.",
            ));
        }
        let refresh = tokens::new_refresh_token();
        let session_id = store::create_session(
            &self.db,
            &user.id,
            &tokens::refresh_token_hash(&refresh),
            now(),
        )
        .await
        .map_err(database)?;
        let token = self.issue_access_token(&user, &session_id)?;
        self.set_session_cookies(request, &token.access_token, &refresh)?;
        tracing::info!(user_id = %user.id, session_id, "logged in");
        Ok(token)
    }

    async fn rotate(&self, request: &Parts) -> Outcome<AccessToken> {
        let Some(presented) = self.cookie_value(request, self.cookies.refresh) else {
            return Err(unauthorized("Missing refresh token"));
        };
        // Derived from the presented token, so a second presentation within the grace window
        // asks for (and gets) the same successor.
        let fresh = self.keys.successor(&presented);
        let rotation = store::rotate_refresh_token(
            &self.db,
            &tokens::refresh_token_hash(&presented),
            &tokens::refresh_token_hash(&fresh),
            now(),
            self.refresh_grace_secs,
        )
        .await
        .map_err(database)?;
        match rotation {
            Rotation::Rotated {
                session_id,
                user_id,
            } => {
                let user = store::find_user_by_id(&self.db, &user_id)
                    .await
                    .map_err(database)?
                    .filter(|user| !user.disabled)
                    .ok_or_else(|| unauthorized("Session has ended; please log in again"))?;
                let token = self.issue_access_token(&user, &session_id)?;
                self.set_session_cookies(request, &token.access_token, &fresh)?;
                Ok(token)
            }
            Rotation::ReuseDetected => {
                tracing::warn!("a used refresh token was presented again; its session is revoked");
                self.clear_session_cookies(request);
                Err(unauthorized(
                    "This refresh token was already used, so the session was ended for safety. Please log in again.",
                ))
            }
            Rotation::Invalid => {
                self.clear_session_cookies(request);
                Err(unauthorized("Session has ended; please log in again"))
            }
        }
    }

    pub async fn refresh(&self, request: &Parts) -> Outcome<AccessToken> {
        self.rotate(request).await
    }

    pub async fn logout(&self, request: &Parts) -> Outcome<Message> {
        let session = match self.authenticate(request).await {
            Ok(principal) => Some(principal.session_id),
            Err(_) => match self.cookie_value(request, self.cookies.refresh) {
                Some(refresh) => store::session_for_refresh_token(
                    &self.db,
                    &tokens::refresh_token_hash(&refresh),
                )
                .await
                .map_err(database)?,
                None => None,
            },
        };
        if let Some(session_id) = session {
            store::revoke_session(&self.db, &session_id, now())
                .await
                .map_err(database)?;
            tracing::info!(session_id, "logged out");
        }
        self.clear_session_cookies(request);
        Ok(Message::new("Logged out"))
    }

    pub async fn me(&self, request: &Parts) -> Outcome<CurrentUser> {
        let principal = self.authenticate(request).await?;
        Ok(CurrentUser {
            username: principal.user.username,
            role: principal.user.role.as_str().to_owned(),
            created_at: rfc3339(principal.user.created_at),
        })
    }

    /// The logged-in user or `None`, for pages. A GET: it never rotates the refresh token
    /// (an expired access token falls back to reading the refresh cookie, see [`Fallback`]).
    pub async fn session(&self, request: &Parts) -> Outcome<Option<CurrentUser>> {
        let principal = match self
            .authenticate_with(request, Fallback::RefreshCookie)
            .await
        {
            Ok(principal) => principal,
            Err(failure) if failure.status != StatusCode::UNAUTHORIZED => return Err(failure),
            Err(_) => return Ok(None),
        };
        Ok(Some(CurrentUser {
            username: principal.user.username,
            role: principal.user.role.as_str().to_owned(),
            created_at: rfc3339(principal.user.created_at),
        }))
    }

    pub async fn change_password(
        &self,
        request: &Parts,
        current_password: Option<String>,
        new_password: Option<String>,
    ) -> Outcome<Message> {
        let principal = self.authenticate(request).await?;
        let (Some(current), Some(new)) = (
            current_password.filter(|p| !p.is_empty()),
            new_password.filter(|p| !p.is_empty()),
        ) else {
            return Err(Failure::new(
                StatusCode::BAD_REQUEST,
                "Current and new password required",
            ));
        };
        let username = policy::parse_username(&principal.user.username).map_err(unprocessable)?;
        policy::check_password_length(&new).map_err(unprocessable)?;
        let ip = self.client_ip(request);
        self.confirm_password(ip, &principal.user, current).await?;
        let scored = new.clone();
        self.hasher
            .run(move || policy::check_password(&scored, &username))
            .await
            .map_err(hash_failure)?
            .map_err(unprocessable)?;
        let hash = self.hasher.hash(new).await.map_err(hash_failure)?;
        let now = now();
        store::set_password_hash(&self.db, &principal.user.id, &hash, now)
            .await
            .map_err(database)?;
        store::revoke_user_sessions(
            &self.db,
            &principal.user.id,
            Some(&principal.session_id),
            now,
        )
        .await
        .map_err(database)?;
        tracing::info!(user_id = %principal.user.id, "password changed; other sessions ended");
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

    pub async fn logout_everywhere(&self, request: &Parts) -> Outcome<Message> {
        let principal = self.authenticate(request).await?;
        store::revoke_user_sessions(&self.db, &principal.user.id, None, now())
            .await
            .map_err(database)?;
        self.clear_session_cookies(request);
        tracing::info!(user_id = %principal.user.id, "logged out everywhere");
        Ok(Message::new("Logged out on every device"))
    }

    pub async fn delete_account(
        &self,
        request: &Parts,
        password: Option<String>,
    ) -> Outcome<Message> {
        let principal = self.authenticate(request).await?;
        let Some(password) = password.filter(|p| !p.is_empty()) else {
            return Err(Failure::new(StatusCode::BAD_REQUEST, "Password required"));
        };
        self.confirm_password(self.client_ip(request), &principal.user, password)
            .await?;
        store::delete_user(&self.db, &principal.user.id)
            .await
            .map_err(database)?;
        self.clear_session_cookies(request);
        tracing::info!(user_id = %principal.user.id, "account deleted");
        Ok(Message::new("Your account and its data have been deleted"))
    }

    pub async fn admin_users(
        &self,
        request: &Parts,
        query: String,
        page: u32,
    ) -> Outcome<UserPage> {
        self.require_admin(request).await?;
        if query.len() > 64 {
            return Err(Failure::new(
                StatusCode::BAD_REQUEST,
                "The search is too long (64 characters at most)",
            ));
        }
        let page = page.max(1);
        let offset = i64::from(page - 1) * i64::from(USERS_PER_PAGE);
        let (users, total) = store::list_users(&self.db, &query, i64::from(USERS_PER_PAGE), offset)
            .await
            .map_err(database)?;
        Ok(UserPage {
            users: users
                .into_iter()
                .map(|user| UserSummary {
                    username: user.username,
                    role: user.role.as_str().to_owned(),
                    disabled: user.disabled,
                    created_at: rfc3339(user.created_at),
                })
                .collect(),
            page,
            per_page: USERS_PER_PAGE,
            total: u64::try_from(total).unwrap_or_default(),
        })
    }

    pub async fn admin_set_disabled(
        &self,
        request: &Parts,
        username: Option<String>,
        disabled: Option<bool>,
    ) -> Outcome<Message> {
        let admin = self.require_admin(request).await?;
        let (Some(username), Some(disabled)) = (username.filter(|u| !u.is_empty()), disabled)
        else {
            return Err(Failure::new(
                StatusCode::BAD_REQUEST,
                "Username and disabled (true or false) required",
            ));
        };
        let not_found = || Failure::new(StatusCode::NOT_FOUND, "No such user");
        let name = policy::parse_username(&username).map_err(|_| not_found())?;
        let user = store::find_user_by_name(&self.db, &name)
            .await
            .map_err(database)?
            .ok_or_else(not_found)?;
        if user.id == admin.user.id {
            return Err(Failure::new(
                StatusCode::CONFLICT,
                "You cannot disable your own account",
            ));
        }
        store::set_disabled(&self.db, &user.id, disabled, now())
            .await
            .map_err(database)?;
        tracing::info!(admin_id = %admin.user.id, user_id = %user.id, disabled, "account status changed");
        Ok(Message::new(if disabled {
            format!("{} is disabled and logged out", user.username)
        } else {
            format!("{} is enabled", user.username)
        }))
    }

    /// The password rules for `create-admin`, on the password threads.
    async fn check_new_password(
        &self,
        password: &str,
        name: &policy::Username,
    ) -> Result<(), String> {
        let (password, name) = (password.to_owned(), name.clone());
        self.hasher
            .run(move || policy::check_password(&password, &name))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())
    }

    /// Creates `username` as an admin with `password`, or promotes the existing account (its
    /// password unchanged when `password` is `None`). For the `create-admin` command.
    pub async fn create_or_promote_admin(
        &self,
        username: &str,
        password: Option<String>,
    ) -> Result<String, String> {
        let name = policy::parse_username(username).map_err(|e| e.to_string())?;
        let now = now();
        if let Some(user) = store::find_user_by_name(&self.db, &name)
            .await
            .map_err(|e| e.to_string())?
        {
            store::set_role(&self.db, &user.id, Role::Admin, now)
                .await
                .map_err(|e| e.to_string())?;
            if let Some(password) = password {
                self.check_new_password(&password, &name).await?;
                let hash = self
                    .hasher
                    .hash(password)
                    .await
                    .map_err(|e| e.to_string())?;
                store::set_password_hash(&self.db, &user.id, &hash, now)
                    .await
                    .map_err(|e| e.to_string())?;
                store::revoke_user_sessions(&self.db, &user.id, None, now)
                    .await
                    .map_err(|e| e.to_string())?;
            }
            return Ok(format!("{} is now an admin", name.as_str()));
        }
        let Some(password) = password else {
            return Err(format!(
                "{} does not exist yet: give its new password on standard input",
                name.as_str()
            ));
        };
        self.check_new_password(&password, &name).await?;
        let hash = self
            .hasher
            .hash(password)
            .await
            .map_err(|e| e.to_string())?;
        store::create_user(&self.db, &name, &hash, Role::Admin, now)
            .await
            .map_err(|e| e.to_string())?;
        Ok(format!("created admin {}", name.as_str()))
    }
}

impl Backend for AccountService {
    fn register<'a>(
        &'a self,
        request: &'a Parts,
        username: Option<String>,
        password: Option<String>,
    ) -> BoxFuture<'a, Outcome<Message>> {
        Box::pin(AccountService::register(self, request, username, password))
    }

    fn login<'a>(
        &'a self,
        request: &'a Parts,
        username: Option<String>,
        password: Option<String>,
    ) -> BoxFuture<'a, Outcome<AccessToken>> {
        Box::pin(AccountService::login(self, request, username, password))
    }

    fn refresh<'a>(&'a self, request: &'a Parts) -> BoxFuture<'a, Outcome<AccessToken>> {
        Box::pin(AccountService::refresh(self, request))
    }

    fn logout<'a>(&'a self, request: &'a Parts) -> BoxFuture<'a, Outcome<Message>> {
        Box::pin(AccountService::logout(self, request))
    }

    fn me<'a>(&'a self, request: &'a Parts) -> BoxFuture<'a, Outcome<CurrentUser>> {
        Box::pin(AccountService::me(self, request))
    }

    fn session<'a>(&'a self, request: &'a Parts) -> BoxFuture<'a, Outcome<Option<CurrentUser>>> {
        Box::pin(AccountService::session(self, request))
    }

    fn change_password<'a>(
        &'a self,
        request: &'a Parts,
        current_password: Option<String>,
        new_password: Option<String>,
    ) -> BoxFuture<'a, Outcome<Message>> {
        Box::pin(AccountService::change_password(
            self,
            request,
            current_password,
            new_password,
        ))
    }

    fn logout_everywhere<'a>(&'a self, request: &'a Parts) -> BoxFuture<'a, Outcome<Message>> {
        Box::pin(AccountService::logout_everywhere(self, request))
    }

    fn delete_account<'a>(
        &'a self,
        request: &'a Parts,
        password: Option<String>,
    ) -> BoxFuture<'a, Outcome<Message>> {
        Box::pin(AccountService::delete_account(self, request, password))
    }

    fn admin_users<'a>(
        &'a self,
        request: &'a Parts,
        query: String,
        page: u32,
    ) -> BoxFuture<'a, Outcome<UserPage>> {
        Box::pin(AccountService::admin_users(self, request, query, page))
    }

    fn admin_set_disabled<'a>(
        &'a self,
        request: &'a Parts,
        username: Option<String>,
        disabled: Option<bool>,
    ) -> BoxFuture<'a, Outcome<Message>> {
        Box::pin(AccountService::admin_set_disabled(
            self, request, username, disabled,
        ))
    }
}

fn required(username: Option<String>, password: Option<String>) -> Outcome<(String, String)> {
    match (username, password) {
        (Some(username), Some(password)) if !username.trim().is_empty() && !password.is_empty() => {
            Ok((username, password))
        }
        _ => Err(Failure::new(StatusCode::BAD_REQUEST, MISSING_CREDENTIALS)),
    }
}

fn unauthorized(msg: &str) -> Failure {
    Failure::new(StatusCode::UNAUTHORIZED, msg)
}

fn unprocessable(error: policy::PolicyError) -> Failure {
    Failure::new(StatusCode::UNPROCESSABLE_ENTITY, error.0)
}

fn internal() -> Failure {
    Failure::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong on our side. Please try again.",
    )
}

fn database(error: sqlx::Error) -> Failure {
    tracing::error!(%error, "database error");
    Failure::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "The account database is not available right now. Please try again shortly.",
    )
    .retry_after(5)
}

/// Refusals of the password threads: a full line is the service being busy (503), anything
/// else is our fault (500).
fn hash_failure(error: HashError) -> Failure {
    match error {
        HashError::Busy => Failure::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "Too many log-ins and sign-ups are being checked right now. Please try again in a moment.",
        )
        .retry_after(1),
        other => {
            tracing::error!(error = %other, "password hashing failed");
            internal()
        }
    }
}

fn too_many_signups(decision: &Decision) -> Failure {
    let wait = decision.retry_after().as_secs().max(1);
    Failure::new(
        StatusCode::TOO_MANY_REQUESTS,
        format!(
            "Too many accounts were created from your network. Try again in {}.",
            human_duration(wait)
        ),
    )
    .retry_after(wait)
}

fn locked_out(wait: Duration) -> Failure {
    let secs = wait.as_secs_f64().ceil() as u64;
    Failure::new(
        StatusCode::TOO_MANY_REQUESTS,
        format!(
            "Too many failed log-ins for this account. Try again in {}.",
            human_duration(secs)
        ),
    )
    .retry_after(secs.max(1))
}

/// "45 seconds", "2 minutes", "1 hour".
pub fn human_duration(secs: u64) -> String {
    let plural = |n: u64, unit: &str| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
    match secs {
        0..=59 => plural(secs.max(1), "second"),
        60..=3599 => plural(secs.div_ceil(60), "minute"),
        _ => plural(secs.div_ceil(3600), "hour"),
    }
}

/// `Authorization: Bearer <token>`, if present. Any other authorization scheme is refused.
fn bearer_token(headers: &HeaderMap) -> Outcome<Option<String>> {
    let Some(value) = headers.get(AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value
        .to_str()
        .map_err(|_| unauthorized("Invalid Authorization header"))?;
    match value.split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Ok(Some(token.trim().to_owned()))
        }
        _ => Err(unauthorized(
            "Authorization header must be of the form: Bearer <token>",
        )),
    }
}

/// See [`AccountService::client_ip`].
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted_proxies: &[IpAddr]) -> IpAddr {
    if !trusted_proxies.contains(&peer) {
        return peer;
    }
    let forwarded: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .filter_map(|hop| hop.trim().parse().ok())
        .collect();
    forwarded
        .into_iter()
        .rev()
        .find(|hop| !trusted_proxies.contains(hop))
        .unwrap_or(peer)
}

#[cfg(test)]
mod tests {
    use http::HeaderValue;

    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("test address")
    }

    #[test]
    fn forwarded_for_is_only_believed_from_trusted_proxies() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            HeaderValue::from_static("6.6.6.6, 1.2.3.4, 10.0.0.2"),
        );
        assert_eq!(client_ip(ip("9.9.9.9"), &headers, &[]), ip("9.9.9.9"));
        assert_eq!(
            client_ip(ip("10.0.0.2"), &headers, &[ip("10.0.0.2")]),
            ip("1.2.3.4"),
            "the client-supplied first hop is not believed"
        );
        assert_eq!(
            client_ip(ip("10.0.0.2"), &HeaderMap::new(), &[ip("10.0.0.2")]),
            ip("10.0.0.2")
        );
    }

    #[test]
    fn bearer_tokens_are_parsed_strictly() {
        let header = |v: &'static str| {
            let mut headers = HeaderMap::new();
            headers.insert(AUTHORIZATION, HeaderValue::from_static(v));
            headers
        };
        assert_eq!(bearer_token(&HeaderMap::new()), Ok(None));
        assert_eq!(
            bearer_token(&header("Bearer abc")),
            Ok(Some("abc".to_owned()))
        );
        assert_eq!(
            bearer_token(&header("bearer abc")),
            Ok(Some("abc".to_owned()))
        );
        assert!(bearer_token(&header("Basic dXNlcjpwYXNz")).is_err());
        assert!(bearer_token(&header("Bearer ")).is_err());
    }

    #[test]
    fn durations_read_like_a_person_would_say_them() {
        assert_eq!(human_duration(0), "1 second");
        assert_eq!(human_duration(30), "30 seconds");
        assert_eq!(human_duration(60), "1 minute");
        assert_eq!(human_duration(61), "2 minutes");
        assert_eq!(human_duration(3600), "1 hour");
    }

    #[test]
    fn missing_or_empty_credentials_are_a_400() {
        for (u, p) in [
            (None, Some("x".to_owned())),
            (Some("a".to_owned()), None),
            (Some("  ".to_owned()), Some("x".to_owned())),
            (Some("a".to_owned()), Some(String::new())),
        ] {
            let failure = required(u, p).expect_err("refused");
            assert_eq!(failure.status, StatusCode::BAD_REQUEST);
            assert_eq!(failure.msg, MISSING_CREDENTIALS);
        }
    }
}
