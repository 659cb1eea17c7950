//! The edge between the server functions in `app::api` and the services behind them: the
//! `Backend` and `Predictions` ports implemented by reading the request — who is calling (with
//! the refresh-cookie fallback only while a page renders), which fields are present — and
//! handing the services what they need, already checked.

use std::sync::Arc;

use app::api::{
    AccessToken, BAD_DIGIT, BAD_LABEL_FILTER, CurrentUser, HistoryItem, HistoryPage, LabelState,
    Message, ModelStats, NO_FILE, PredictResponse, Quota, UserPage,
    backend::{Backend, BoxFuture, Failure, Outcome, Predictions},
};
use http::{StatusCode, request::Parts};
use leptos::prelude::use_context;

use crate::{
    accounts::{
        admin::{Admin, require_admin},
        refusals::required,
        service::AccountService,
        sessions::{Fallback, PageRender, Principal, Sessions},
    },
    clock::now_ms,
    failure::{database, too_many},
    metrics::service::{LimitName, ServiceMetrics},
    predictions::history::{History, HistoryFilter},
    predictions::predictor::Predictor,
    predictions::stats::Stats,
    ratelimit::{Limiter, Window},
};

/// How a server function's caller may be recognised: while a page renders (a GET that changes
/// nothing) a valid refresh cookie stands in for a spent access token; an API call never.
fn fallback() -> Fallback {
    if use_context::<PageRender>().is_some() {
        Fallback::RefreshCookie
    } else {
        Fallback::None
    }
}

async fn caller(sessions: &Sessions, request: &Parts) -> Outcome<Principal> {
    sessions.authenticate(request, fallback()).await
}

pub struct AccountsPort {
    pub accounts: Arc<AccountService>,
    pub admin: Arc<Admin>,
    pub sessions: Arc<Sessions>,
}

impl AccountsPort {
    /// The signed-in user or `None`. A GET: it never rotates the refresh token (an expired
    /// access token falls back to reading the refresh cookie, see [`Fallback`]).
    async fn session(&self, request: &Parts) -> Outcome<Option<CurrentUser>> {
        match self
            .sessions
            .authenticate(request, Fallback::RefreshCookie)
            .await
        {
            Ok(caller) => Ok(Some(self.accounts.me(caller))),
            Err(failure) if failure.status == StatusCode::UNAUTHORIZED => Ok(None),
            Err(failure) => Err(failure),
        }
    }
}

impl Backend for AccountsPort {
    fn register<'a>(
        &'a self,
        request: &'a Parts,
        username: Option<String>,
        password: Option<String>,
        email: Option<String>,
    ) -> BoxFuture<'a, Outcome<Message>> {
        Box::pin(async move {
            let (username, password) = required(username, password)?;
            self.accounts
                .register(request, &username, password, email)
                .await
        })
    }

    fn confirm_email<'a>(&'a self, token: Option<String>) -> BoxFuture<'a, Outcome<Message>> {
        Box::pin(self.accounts.confirm_email(token))
    }

    fn resend_confirmation<'a>(&'a self, request: &'a Parts) -> BoxFuture<'a, Outcome<Message>> {
        Box::pin(async move {
            let caller = caller(&self.sessions, request).await?;
            self.accounts.resend_confirmation(&caller).await
        })
    }

    fn set_language<'a>(
        &'a self,
        request: &'a Parts,
        language: Option<String>,
    ) -> BoxFuture<'a, Outcome<Message>> {
        Box::pin(async move {
            let caller = caller(&self.sessions, request).await?;
            self.accounts.set_language(&caller, language).await
        })
    }

    fn change_email<'a>(
        &'a self,
        request: &'a Parts,
        email: Option<String>,
        password: Option<String>,
    ) -> BoxFuture<'a, Outcome<Message>> {
        Box::pin(async move {
            let caller = caller(&self.sessions, request).await?;
            self.accounts
                .change_email(request, &caller, email, password)
                .await
        })
    }

    fn forgot_password<'a>(
        &'a self,
        request: &'a Parts,
        login: Option<String>,
    ) -> BoxFuture<'a, Outcome<Message>> {
        Box::pin(self.accounts.forgot_password(request, login))
    }

    fn reset_password<'a>(
        &'a self,
        token: Option<String>,
        new_password: Option<String>,
    ) -> BoxFuture<'a, Outcome<Message>> {
        Box::pin(self.accounts.reset_password(token, new_password))
    }

    fn login<'a>(
        &'a self,
        request: &'a Parts,
        username: Option<String>,
        password: Option<String>,
    ) -> BoxFuture<'a, Outcome<AccessToken>> {
        Box::pin(async move {
            let (username, password) = required(username, password)?;
            self.accounts.login(request, &username, password).await
        })
    }

    fn refresh<'a>(&'a self, request: &'a Parts) -> BoxFuture<'a, Outcome<AccessToken>> {
        Box::pin(self.sessions.rotate(request))
    }

    fn logout<'a>(&'a self, request: &'a Parts) -> BoxFuture<'a, Outcome<Message>> {
        Box::pin(async move {
            self.sessions.end(request).await?;
            Ok(Message::new("Logged out"))
        })
    }

    fn me<'a>(&'a self, request: &'a Parts) -> BoxFuture<'a, Outcome<CurrentUser>> {
        Box::pin(async move {
            let caller = caller(&self.sessions, request).await?;
            Ok(self.accounts.me(caller))
        })
    }

    fn session<'a>(&'a self, request: &'a Parts) -> BoxFuture<'a, Outcome<Option<CurrentUser>>> {
        Box::pin(AccountsPort::session(self, request))
    }

    fn change_password<'a>(
        &'a self,
        request: &'a Parts,
        current_password: Option<String>,
        new_password: Option<String>,
    ) -> BoxFuture<'a, Outcome<Message>> {
        Box::pin(async move {
            let caller = caller(&self.sessions, request).await?;
            self.accounts
                .change_password(request, &caller, current_password, new_password)
                .await
        })
    }

    fn logout_everywhere<'a>(&'a self, request: &'a Parts) -> BoxFuture<'a, Outcome<Message>> {
        Box::pin(async move {
            let caller = caller(&self.sessions, request).await?;
            self.accounts.logout_everywhere(request, &caller).await
        })
    }

    fn delete_account<'a>(
        &'a self,
        request: &'a Parts,
        password: Option<String>,
    ) -> BoxFuture<'a, Outcome<Message>> {
        Box::pin(async move {
            let caller = caller(&self.sessions, request).await?;
            self.accounts
                .delete_account(request, &caller, password)
                .await
        })
    }

    fn admin_users<'a>(
        &'a self,
        request: &'a Parts,
        query: String,
        page: u32,
    ) -> BoxFuture<'a, Outcome<UserPage>> {
        Box::pin(async move {
            let caller = caller(&self.sessions, request).await?;
            self.admin.users(&caller, &query, page).await
        })
    }

    fn admin_set_disabled<'a>(
        &'a self,
        request: &'a Parts,
        username: Option<String>,
        disabled: Option<bool>,
    ) -> BoxFuture<'a, Outcome<Message>> {
        Box::pin(async move {
            let caller = caller(&self.sessions, request).await?;
            self.admin.set_disabled(&caller, username, disabled).await
        })
    }
}

pub struct PredictionsPort {
    pub predictor: Arc<Predictor>,
    pub history: Arc<History>,
    pub sessions: Arc<Sessions>,
    pub stats: Arc<Stats>,
    pub metrics: ServiceMetrics,
    /// Counts labels per user ([`LABELS_PER_HOUR`]).
    pub limiter: Arc<Limiter>,
}

/// Labels one user may give or change in an hour: far more than anyone labelling their own
/// predictions needs (50 an hour by default, each changed a few times), and a bound on the
/// writes a script with one session can make (429 beyond, with `Retry-After`).
pub const LABELS_PER_HOUR: u64 = 600;

impl Predictions for PredictionsPort {
    fn predict<'a>(
        &'a self,
        request: &'a Parts,
        file: Option<Vec<u8>>,
    ) -> BoxFuture<'a, Outcome<PredictResponse>> {
        Box::pin(async move {
            // The quota layer in front of `/api/predict` has already recognised the caller.
            let caller = match request.extensions.get::<Principal>() {
                Some(caller) => caller.clone(),
                None => caller(&self.sessions, request).await?,
            };
            let Some(upload) = file else {
                return Err(Failure::new(StatusCode::BAD_REQUEST, NO_FILE));
            };
            let quota = request.extensions.get::<Quota>().cloned();
            self.predictor.predict(&caller, upload, quota).await
        })
    }

    fn history<'a>(
        &'a self,
        request: &'a Parts,
        page: u32,
        label: Option<String>,
        digit: Option<String>,
    ) -> BoxFuture<'a, Outcome<HistoryPage>> {
        Box::pin(async move {
            let caller = caller(&self.sessions, request).await?;
            let filter = history_filter(label.as_deref(), digit.as_deref())?;
            self.history
                .page(&caller.user.id, page, filter, now_ms())
                .await
                .map_err(|e| database(&e, "reading a history"))
        })
    }

    fn set_label<'a>(
        &'a self,
        request: &'a Parts,
        id: Option<String>,
        label: Option<u8>,
    ) -> BoxFuture<'a, Outcome<HistoryItem>> {
        Box::pin(async move {
            let caller = caller(&self.sessions, request).await?;
            let id = id
                .filter(|id| !id.is_empty())
                .ok_or_else(|| Failure::new(StatusCode::BAD_REQUEST, "id is required"))?;
            if label.is_some_and(|digit| digit > 9) {
                return Err(Failure::new(StatusCode::BAD_REQUEST, BAD_DIGIT));
            }
            let decision = self
                .limiter
                .hit(&[Window {
                    key: format!("label:hour:{}", caller.user.id),
                    limit: LABELS_PER_HOUR,
                    period: std::time::Duration::from_secs(3600),
                }])
                .await;
            self.metrics.decided(LimitName::Labels, decision.allowed);
            if !decision.allowed {
                return Err(too_many(
                    &format!("Labels limit reached ({LABELS_PER_HOUR} an hour)"),
                    decision.retry_after().as_secs(),
                ));
            }
            let item = self
                .history
                .set_label(&caller.user.id, &id, label, now_ms())
                .await
                .map_err(|e| database(&e, "labelling a prediction"))?
                .ok_or_else(|| {
                    Failure::new(StatusCode::NOT_FOUND, "No such prediction in your history")
                })?;
            self.metrics.labelled(item.digit, label);
            Ok(item)
        })
    }

    fn clear_history<'a>(&'a self, request: &'a Parts) -> BoxFuture<'a, Outcome<Message>> {
        Box::pin(async move {
            let caller = caller(&self.sessions, request).await?;
            self.history
                .clear(&caller.user.id)
                .await
                .map_err(|e| database(&e, "clearing a history"))?;
            Ok(Message::new("Your history has been cleared"))
        })
    }

    fn admin_stats<'a>(&'a self, request: &'a Parts) -> BoxFuture<'a, Outcome<ModelStats>> {
        Box::pin(async move {
            let caller = caller(&self.sessions, request).await?;
            require_admin(&caller)?;
            self.stats
                .current()
                .await
                .map(|stats| (*stats).clone())
                .map_err(|e| database(&e, "reading the admin's figures"))
        })
    }
}

/// The history filter from the query's `label` and `digit` (empty means no filter, as an HTML
/// form sends an unset choice).
pub fn history_filter(label: Option<&str>, digit: Option<&str>) -> Outcome<HistoryFilter> {
    fn given(value: Option<&str>) -> Option<&str> {
        value.map(str::trim).filter(|v| !v.is_empty())
    }
    let label = given(label)
        .map(|text| {
            LabelState::parse(text)
                .ok_or_else(|| Failure::new(StatusCode::BAD_REQUEST, BAD_LABEL_FILTER))
        })
        .transpose()?;
    let digit = given(digit)
        .map(|text| {
            text.parse::<u8>()
                .ok()
                .filter(|d| *d <= 9)
                .ok_or_else(|| Failure::new(StatusCode::BAD_REQUEST, BAD_DIGIT))
        })
        .transpose()?;
    Ok(HistoryFilter { label, digit })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_filters_read_the_query_and_refuse_nonsense() {
        assert_eq!(history_filter(None, None), Ok(HistoryFilter::default()));
        assert_eq!(
            history_filter(Some(""), Some(" ")),
            Ok(HistoryFilter::default())
        );
        assert_eq!(
            history_filter(Some("corrected"), Some("7")),
            Ok(HistoryFilter {
                label: Some(LabelState::Corrected),
                digit: Some(7)
            })
        );
        for (label, digit) in [
            (Some("right"), None),
            (None, Some("10")),
            (None, Some("-1")),
        ] {
            assert_eq!(
                history_filter(label, digit).map_err(|f| f.status),
                Err(StatusCode::BAD_REQUEST)
            );
        }
    }
}
