//! What administrators do: list and search accounts, disable or enable one (from the admin
//! page), and create or promote an admin (the `server create-admin` command, which needs only
//! the database and the password threads, not the model).

use std::sync::Arc;

use app::api::{
    Message, UserPage, UserSummary,
    backend::{Failure, Outcome},
};
use http::StatusCode;
use sqlx::AnyPool;

use super::{
    password::PasswordHasherPool,
    policy,
    refusals::bad_request,
    remembered::LiveSessions,
    sessions::Principal,
    store::{self, Role},
};
use crate::{
    clock::{now, rfc3339},
    failure::database,
    telemetry::SECURITY,
};

pub const USERS_PER_PAGE: u32 = 20;
/// Longest search the admin page accepts (as long as the longest username).
const QUERY_MAX: usize = 64;

pub struct Admin {
    db: AnyPool,
    hasher: Arc<PasswordHasherPool>,
    /// Told of every account change, so remembered sessions are read again.
    live: Arc<LiveSessions>,
}

/// `caller` if they are an administrator; 403 otherwise.
pub fn require_admin(caller: &Principal) -> Outcome<&Principal> {
    if caller.user.role == Role::Admin {
        Ok(caller)
    } else {
        Err(Failure::new(
            StatusCode::FORBIDDEN,
            "Only administrators can do this",
        ))
    }
}

impl Admin {
    pub fn new(db: AnyPool, hasher: Arc<PasswordHasherPool>, live: Arc<LiveSessions>) -> Self {
        Self { db, hasher, live }
    }

    /// Page `page` (from 1) of the accounts whose name contains `query`.
    pub async fn users(&self, caller: &Principal, query: &str, page: u32) -> Outcome<UserPage> {
        require_admin(caller)?;
        if query.len() > QUERY_MAX {
            return Err(bad_request(
                "The search is too long (64 characters at most)",
            ));
        }
        let page = page.max(1);
        let offset = i64::from(page - 1) * i64::from(USERS_PER_PAGE);
        let (users, total) = store::list_users(&self.db, query, i64::from(USERS_PER_PAGE), offset)
            .await
            .map_err(|e| database(&e, "listing accounts"))?;
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

    /// Disables (and logs out) or enables `username`; an admin cannot disable themselves.
    pub async fn set_disabled(
        &self,
        caller: &Principal,
        username: Option<String>,
        disabled: Option<bool>,
    ) -> Outcome<Message> {
        let admin = require_admin(caller)?;
        let (Some(username), Some(disabled)) = (username.filter(|u| !u.is_empty()), disabled)
        else {
            return Err(bad_request(
                "Username and disabled (true or false) required",
            ));
        };
        let not_found = || Failure::new(StatusCode::NOT_FOUND, "No such user");
        let name = policy::parse_username(&username).map_err(|_| not_found())?;
        let changing = |e: sqlx::Error| database(&e, "changing an account's status");
        let user = store::find_user_by_name(&self.db, &name)
            .await
            .map_err(changing)?
            .ok_or_else(not_found)?;
        if user.id == admin.user.id {
            return Err(Failure::new(
                StatusCode::CONFLICT,
                "You cannot disable your own account",
            ));
        }
        store::set_disabled(&self.db, &user.id, disabled, now())
            .await
            .map_err(changing)?;
        self.live.changed().await;
        tracing::warn!(
            target: SECURITY,
            event = "admin_set_disabled",
            admin_id = %admin.user.id,
            user_id = %user.id,
            disabled,
            "account status changed by an admin"
        );
        Ok(Message::new(if disabled {
            format!("{} is disabled and logged out", user.username)
        } else {
            format!("{} is enabled", user.username)
        }))
    }

    /// The hash of a new admin password that passes the rules, on the password threads.
    async fn new_password_hash(
        &self,
        password: String,
        name: &policy::Username,
    ) -> Result<String, String> {
        let (scored, name) = (password.clone(), name.clone());
        self.hasher
            .run(move || policy::check_password(&scored, &name))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())?;
        self.hasher.hash(password).await.map_err(|e| e.to_string())
    }

    /// Creates `username` as an admin with `password`, or promotes the existing account (its
    /// password unchanged when `password` is `None`; changed, with every session ended,
    /// otherwise). For the `create-admin` command: the answer and the errors are for a terminal.
    pub async fn create_or_promote(
        &self,
        username: &str,
        password: Option<String>,
    ) -> Result<String, String> {
        let name = policy::parse_username(username).map_err(|e| e.to_string())?;
        let now = now();
        let existing = store::find_user_by_name(&self.db, &name)
            .await
            .map_err(|e| e.to_string())?;
        if let Some(user) = existing {
            let password_changed = password.is_some();
            store::set_role(&self.db, &user.id, Role::Admin, now)
                .await
                .map_err(|e| e.to_string())?;
            if let Some(password) = password {
                let hash = self.new_password_hash(password, &name).await?;
                store::set_password_hash(&self.db, &user.id, &hash, now)
                    .await
                    .map_err(|e| e.to_string())?;
                store::revoke_user_sessions(&self.db, &user.id, None, now)
                    .await
                    .map_err(|e| e.to_string())?;
            }
            self.live.changed().await;
            tracing::warn!(
                target: SECURITY,
                event = "admin_promoted",
                user_id = %user.id,
                password_changed,
                "an account was made admin from the command line"
            );
            return Ok(format!("{} is now an admin", name.as_str()));
        }
        let Some(password) = password else {
            return Err(format!(
                "{} does not exist yet: give its new password on standard input",
                name.as_str()
            ));
        };
        let hash = self.new_password_hash(password, &name).await?;
        let user = store::create_user(&self.db, &name, &hash, Role::Admin, now)
            .await
            .map_err(|e| e.to_string())?;
        tracing::warn!(
            target: SECURITY,
            event = "admin_created",
            user_id = %user.id,
            "an admin account was created from the command line"
        );
        Ok(format!("created admin {}", name.as_str()))
    }
}
