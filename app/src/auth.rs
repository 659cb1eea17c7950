//! Who is logged in, for every component: one resource over `/api/session`, refetched after
//! log-in and log-out, and the helpers pages use around it.

use leptos::prelude::*;
use leptos_router::{components::Redirect, hooks::use_location};

use crate::api::{self, ApiError, CurrentUser, MISSING_AUTHORIZATION, PredictError, TOKEN_EXPIRED};

/// The logged-in user (`None` when logged out), shared through context.
#[derive(Clone, Copy)]
pub struct Auth {
    pub user: Resource<Option<CurrentUser>>,
    version: RwSignal<u32>,
}

impl Auth {
    /// Creates the resource and provides it; called once by the app.
    pub fn provide() -> Self {
        let version = RwSignal::new(0u32);
        let user = Resource::new(
            move || version.get(),
            |_| async move { api::session().await.ok().flatten() },
        );
        let auth = Self { user, version };
        provide_context(auth);
        auth
    }

    /// Reloads the user after logging in or out.
    pub fn changed(&self) {
        self.version.update(|v| *v += 1);
    }

    /// Fetches the user now and shows them everywhere before returning, so a page opened
    /// right after logging in sees the new user rather than the stale "logged out".
    pub async fn reload(&self) {
        match api::session().await {
            Ok(user) => self.user.set(Some(user)),
            Err(_) => self.changed(),
        }
    }

    /// Forgets the user at once (after logging out).
    pub fn clear(&self) {
        self.user.set(Some(None));
    }
}

pub fn use_auth() -> Auth {
    expect_context::<Auth>()
}

/// Runs an API call; if it failed because the 15-minute access token ran out, refreshes the
/// session once (the refresh cookie is good for much longer) and tries again. Only in the
/// browser: a page rendering on the server reads the refresh cookie instead of rotating it.
pub async fn with_refresh<T, E, F, Fut>(call: F) -> Result<T, E>
where
    E: SessionExpiry,
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<T, E>>,
{
    match call().await {
        Err(error) if cfg!(feature = "hydrate") && error.session_expired() => {
            if api::refresh().await.is_ok() {
                call().await
            } else {
                Err(error.session_ended())
            }
        }
        other => other,
    }
}

/// An API error that can say the caller's access token is gone, for [`with_refresh`].
pub trait SessionExpiry: Sized {
    /// The access token ran out or was not sent.
    fn session_expired(&self) -> bool;

    /// The error to report when the session could not be refreshed either (by default, this one).
    fn session_ended(self) -> Self {
        self
    }
}

impl SessionExpiry for ApiError {
    fn session_expired(&self) -> bool {
        means_expired(&self.msg)
    }
}

/// The drawing page shows the message as it is, so it says what happened in words.
impl SessionExpiry for PredictError {
    fn session_expired(&self) -> bool {
        means_expired(self.text())
    }

    fn session_ended(self) -> Self {
        Self::Msg {
            msg: "Your session has ended. Please log in again.".to_owned(),
        }
    }
}

fn means_expired(msg: &str) -> bool {
    msg == TOKEN_EXPIRED || msg == MISSING_AUTHORIZATION
}

/// A local path to return to after logging in: only `/…`, never `//host` or a scheme.
pub fn safe_next(next: Option<String>) -> String {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.contains('\\')
                && !path.chars().any(char::is_control) =>
        {
            path
        }
        _ => "/".to_owned(),
    }
}

/// `/login?next=<this page>`.
pub fn login_path_for(path: &str, query: &str) -> String {
    let here = if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{query}")
    };
    format!("/login?next={}", encode_component(&here))
}

/// Percent-encodes a query parameter value.
pub fn encode_component(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Shows `children` with the logged-in user, or sends a logged-out visitor to `/login` and back
/// here afterwards.
#[component]
pub fn RequireUser<F, V>(children: F) -> impl IntoView
where
    F: Fn(CurrentUser) -> V + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let auth = use_auth();
    let location = use_location();
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || {
                auth.user
                    .get()
                    .map(|user| match user {
                        Some(user) => children(user).into_any(),
                        None => {
                            let path = login_path_for(
                                &location.pathname.get_untracked(),
                                location.search.get_untracked().trim_start_matches('?'),
                            );
                            view! { <Redirect path=path/> }.into_any()
                        }
                    })
            }}
        </Suspense>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_paths_stay_on_this_site() {
        assert_eq!(safe_next(Some("/account".into())), "/account");
        for hostile in ["//evil.example", "https://evil.example", "/\\evil", ""] {
            assert_eq!(safe_next(Some(hostile.into())), "/", "{hostile}");
        }
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn expired_sessions_are_told_by_the_original_messages() {
        assert!(ApiError::new("Token has expired").session_expired());
        assert!(ApiError::new("Missing Authorization Header").session_expired());
        assert!(!ApiError::new("Bad username or password").session_expired());
        let expired = PredictError::Msg {
            msg: "Token has expired".into(),
        };
        assert!(expired.session_expired());
        assert_eq!(
            expired.session_ended().text(),
            "Your session has ended. Please log in again."
        );
        let no_file = PredictError::Error {
            error: api::NO_FILE.into(),
        };
        assert!(!no_file.session_expired());
    }

    #[test]
    fn login_links_come_back_with_the_query() {
        assert_eq!(login_path_for("/account", ""), "/login?next=/account");
        assert_eq!(
            login_path_for("/admin", "q=a b&page=2"),
            "/login?next=/admin%3Fq%3Da%20b%26page%3D2"
        );
    }
}
