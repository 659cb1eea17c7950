//! Sessions: who is calling (a Bearer token or the access cookie, checked against a live
//! session), starting a session at log-in, rotating its refresh token and ending it. The
//! predictor, the cross-site check and the quota layer depend on this, not on the whole
//! account service.

use app::api::{AccessToken, MISSING_AUTHORIZATION, TOKEN_EXPIRED, backend::Outcome};
use http::{HeaderMap, StatusCode, header::AUTHORIZATION, request::Parts};
use sqlx::AnyPool;
use tower_cookies::{Cookie, Cookies, cookie::SameSite};

use std::sync::Arc;

use super::{
    refusals::{SESSION_ENDED, unauthorized},
    remembered::{Epochs, LiveSessions},
    store::{self, Rotation, SESSION_ABSOLUTE_SECS, UserRecord},
    tokens::{self, ACCESS_TTL_SECS, Claims, TokenError, TokenKeys},
};
use crate::{
    clock::now,
    config::Config,
    failure::{database, internal},
    telemetry::SECURITY,
};

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

/// A caller checked for the prediction path ([`Sessions::authenticate_remembered`]), with the
/// shared epoch its session was read under (see [`super::remembered`]).
#[derive(Debug, Clone)]
pub struct Checked {
    pub principal: Principal,
    pub shared_epoch: u64,
    /// Read from the database for this request (not recalled from memory).
    pub fresh: bool,
}

pub struct Sessions {
    db: AnyPool,
    keys: TokenKeys,
    cookies: CookieNames,
    refresh_grace_secs: i64,
    live: Arc<LiveSessions>,
}

impl Sessions {
    pub fn new(config: &Config, db: AnyPool, live: Arc<LiveSessions>) -> Self {
        Self {
            db,
            keys: TokenKeys::new(config.signing_key.expose()),
            cookies: CookieNames::new(config.cookie_secure),
            refresh_grace_secs: i64::try_from(config.refresh_grace_secs).unwrap_or(i64::MAX),
            live,
        }
    }

    pub fn cookie_names(&self) -> &CookieNames {
        &self.cookies
    }

    /// The sessions remembered for the prediction path; tell it of every change that ends
    /// sessions ([`LiveSessions::changed`]).
    pub fn live(&self) -> &LiveSessions {
        &self.live
    }

    /// Authenticates the way [`Sessions::authenticate`] does (no fallback), for a request that
    /// will then run a guarded limiter step: the session may come from memory, in which case
    /// the caller must confirm [`Checked::shared_epoch`] in that step (and call
    /// [`Sessions::recheck`] when it has moved on).
    pub async fn authenticate_remembered(&self, request: &Parts) -> Outcome<Checked> {
        let claims = self.claims(request)?;
        if self.live.enabled()
            && let Some((user, shared_epoch)) = self.live.recall(&claims.sid, &claims.sub, now())
        {
            return Ok(Checked {
                principal: Principal {
                    user,
                    session_id: claims.sid,
                },
                shared_epoch,
                fresh: false,
            });
        }
        let epochs = self.live.epochs();
        self.read_live(claims, epochs).await
    }

    /// Reads the caller's session from the database again, after Redis answered that the
    /// shared epoch is now `shared_epoch` (or `None`: it could not be asked).
    pub async fn recheck(&self, request: &Parts, shared_epoch: Option<u64>) -> Outcome<Checked> {
        let claims = self.claims(request)?;
        let mut epochs = self.live.epochs();
        if let Some(shared) = shared_epoch {
            self.live.observe(shared);
            epochs.shared = shared;
        }
        self.read_live(claims, epochs).await
    }

    async fn read_live(&self, claims: Claims, epochs: Epochs) -> Outcome<Checked> {
        let found = store::live_session_user(&self.db, &claims.sid, &claims.sub, now())
            .await
            .map_err(|e| database(&e, "reading a session"))?;
        let Some(live) = found else {
            self.live.forget(&claims.sid);
            return Err(unauthorized(SESSION_ENDED));
        };
        self.live
            .remember(&claims.sid, &live.user, live.expires_at, epochs);
        Ok(Checked {
            principal: Principal {
                user: live.user,
                session_id: claims.sid,
            },
            shared_epoch: epochs.shared,
            fresh: true,
        })
    }

    /// The verified claims of the Bearer token or else the access cookie.
    fn claims(&self, request: &Parts) -> Outcome<Claims> {
        let token = bearer_token(&request.headers)?
            .or_else(|| cookie_value(request, self.cookies.access))
            .ok_or_else(|| unauthorized(MISSING_AUTHORIZATION))?;
        self.verify(&token)
    }

    fn verify(&self, token: &str) -> Outcome<Claims> {
        self.keys.verify(token).map_err(|error| match error {
            TokenError::Expired => unauthorized(TOKEN_EXPIRED),
            TokenError::Invalid => unauthorized("Invalid token"),
        })
    }

    /// Checks the Bearer token or the access cookie, and that its session is still live; with
    /// [`Fallback::RefreshCookie`], a valid refresh cookie also counts (read, not used).
    pub async fn authenticate(&self, request: &Parts, fallback: Fallback) -> Outcome<Principal> {
        let bearer = bearer_token(&request.headers)?;
        let token = bearer
            .clone()
            .or_else(|| cookie_value(request, self.cookies.access));
        let checked = match token {
            Some(token) => self.principal_from_token(&token).await,
            None => Err(unauthorized(MISSING_AUTHORIZATION)),
        };
        match checked {
            Err(failure)
                if failure.status == StatusCode::UNAUTHORIZED
                    && fallback == Fallback::RefreshCookie
                    && bearer.is_none() =>
            {
                let Some(refresh) = cookie_value(request, self.cookies.refresh) else {
                    return Err(failure);
                };
                let found = store::refresh_token_user(
                    &self.db,
                    &tokens::refresh_token_hash(&refresh),
                    now(),
                    self.refresh_grace_secs,
                )
                .await
                .map_err(|e| database(&e, "reading a session"))?;
                match found {
                    Some((user, session_id)) => Ok(Principal { user, session_id }),
                    None => Err(failure),
                }
            }
            other => other,
        }
    }

    async fn principal_from_token(&self, token: &str) -> Outcome<Principal> {
        let claims = self.verify(token)?;
        let live = store::live_session_user(&self.db, &claims.sid, &claims.sub, now())
            .await
            .map_err(|e| database(&e, "reading a session"))?
            .ok_or_else(|| unauthorized(SESSION_ENDED))?;
        Ok(Principal {
            user: live.user,
            session_id: claims.sid,
        })
    }

    /// Starts a session for `user` (who has just proved who they are): a new refresh token in
    /// the database, both cookies set, and the access token for API callers.
    pub async fn start(&self, request: &Parts, user: &UserRecord) -> Outcome<AccessToken> {
        let refresh = tokens::new_refresh_token();
        let session_id = store::create_session(
            &self.db,
            &user.id,
            &tokens::refresh_token_hash(&refresh),
            now(),
        )
        .await
        .map_err(|e| database(&e, "starting a session"))?;
        let token = self.issue_access_token(user, &session_id)?;
        self.set_cookies(request, &token.access_token, &refresh)?;
        tracing::info!(target: SECURITY, event = "login", user_id = %user.id, session_id, "logged in");
        Ok(token)
    }

    /// Swaps the presented refresh cookie for its successor and a new access token. A token
    /// presented again within the grace window gets the same successor (two tabs); later, the
    /// reuse ends the session.
    pub async fn rotate(&self, request: &Parts) -> Outcome<AccessToken> {
        let Some(presented) = cookie_value(request, self.cookies.refresh) else {
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
        .map_err(|e| database(&e, "rotating a refresh token"))?;
        match rotation {
            Rotation::Rotated {
                session_id,
                user_id,
            } => {
                let user = store::find_user_by_id(&self.db, &user_id)
                    .await
                    .map_err(|e| database(&e, "rotating a refresh token"))?
                    .filter(|user| !user.disabled)
                    .ok_or_else(|| unauthorized(SESSION_ENDED))?;
                let token = self.issue_access_token(&user, &session_id)?;
                self.set_cookies(request, &token.access_token, &fresh)?;
                Ok(token)
            }
            Rotation::ReuseDetected => {
                self.live.changed().await;
                tracing::warn!(
                    target: SECURITY,
                    event = "refresh_token_reused",
                    "a used refresh token was presented again; its session is revoked"
                );
                self.clear_cookies(request);
                Err(unauthorized(
                    "This refresh token was already used, so the session was ended for safety. Please log in again.",
                ))
            }
            Rotation::Invalid => {
                self.clear_cookies(request);
                Err(unauthorized(SESSION_ENDED))
            }
        }
    }

    /// Ends the caller's session, found by its access token or else its refresh cookie, and
    /// clears the cookies. Ending no session (already logged out) is not an error.
    pub async fn end(&self, request: &Parts) -> Outcome<()> {
        let session = match self.authenticate(request, Fallback::None).await {
            Ok(principal) => Some(principal.session_id),
            Err(_) => match cookie_value(request, self.cookies.refresh) {
                Some(refresh) => store::session_for_refresh_token(
                    &self.db,
                    &tokens::refresh_token_hash(&refresh),
                )
                .await
                .map_err(|e| database(&e, "ending a session"))?,
                None => None,
            },
        };
        if let Some(session_id) = session {
            store::revoke_session(&self.db, &session_id, now())
                .await
                .map_err(|e| database(&e, "ending a session"))?;
            self.live.changed().await;
            tracing::info!(target: SECURITY, event = "logout", session_id, "logged out");
        }
        self.clear_cookies(request);
        Ok(())
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

    fn set_cookies(&self, request: &Parts, access: &str, refresh: &str) -> Outcome<()> {
        let jar = cookie_jar(request)?;
        let names = &self.cookies;
        jar.add(names.build(names.access, access.to_owned(), ACCESS_TTL_SECS));
        jar.add(names.build(names.refresh, refresh.to_owned(), SESSION_ABSOLUTE_SECS));
        Ok(())
    }

    /// Tells the browser to forget both session cookies.
    pub fn clear_cookies(&self, request: &Parts) {
        if let Ok(jar) = cookie_jar(request) {
            for name in [self.cookies.access, self.cookies.refresh] {
                jar.add(self.cookies.build(name, String::new(), 0));
            }
        }
    }
}

fn cookie_jar(request: &Parts) -> Outcome<&Cookies> {
    request.extensions.get::<Cookies>().ok_or_else(|| {
        tracing::error!("cookie layer missing from the router");
        internal()
    })
}

fn cookie_value(request: &Parts, name: &str) -> Option<String> {
    request
        .extensions
        .get::<Cookies>()
        .and_then(|jar| jar.get(name))
        .map(|cookie| cookie.value().to_owned())
        .filter(|value| !value.is_empty())
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

#[cfg(test)]
mod tests {
    use http::HeaderValue;

    use super::*;

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
    fn secure_cookies_take_the_host_prefix() {
        assert_eq!(CookieNames::new(true).access, "__Host-trazo_access");
        assert_eq!(CookieNames::new(false).refresh, "trazo_refresh");
        let cookie = CookieNames::new(true).build("__Host-trazo_access", "v".into(), 60);
        assert_eq!(cookie.http_only(), Some(true));
        assert_eq!(cookie.secure(), Some(true));
        assert_eq!(cookie.path(), Some("/"));
    }

    #[test]
    fn the_pages_know_the_cookie_names() {
        // The home page decides from them whether to send a visitor the drawing tools.
        for secure in [false, true] {
            let names = CookieNames::new(secure);
            assert!(names.access.ends_with(app::api::ACCESS_COOKIE));
            assert!(names.refresh.ends_with(app::api::REFRESH_COOKIE));
        }
    }
}
