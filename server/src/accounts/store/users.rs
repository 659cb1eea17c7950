//! Accounts in the database: create, find, change (password, role, disabled), delete, list.

use sqlx::{AnyConnection, AnyPool, Row, any::AnyRow};

use crate::accounts::policy::Username;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    User,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::User => "user",
            Role::Admin => "admin",
        }
    }

    pub fn parse(value: &str) -> Self {
        if value == "admin" {
            Role::Admin
        } else {
            Role::User
        }
    }
}

/// A user as stored. Holds the password hash, so it is never serialised or sent anywhere.
#[derive(Debug, Clone)]
pub struct UserRecord {
    pub id: String,
    pub username: String,
    pub password_hash: String,
    pub role: Role,
    pub disabled: bool,
    pub created_at: i64,
    /// The address as normalised, confirmed or not; never shown to anyone but its owner and
    /// admins, never logged.
    pub email: Option<String>,
    pub email_confirmed: bool,
    /// The interface language chosen in the header's switch (`en`, `es`), if ever.
    pub language: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("username already exists")]
    UsernameTaken,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

pub(super) const USER_COLUMNS: &str =
    "id, username, password_hash, role, disabled, created_at, email, email_confirmed_at, language";
/// The same columns, from a query that names the users table `u`.
pub(super) const U_COLUMNS: &str = "u.id, u.username, u.password_hash, u.role, u.disabled, \
     u.created_at, u.email, u.email_confirmed_at, u.language";

pub(super) fn user_from_row(row: &AnyRow) -> Result<UserRecord, sqlx::Error> {
    Ok(UserRecord {
        id: row.try_get("id")?,
        username: row.try_get("username")?,
        password_hash: row.try_get("password_hash")?,
        role: Role::parse(&row.try_get::<String, _>("role")?),
        disabled: row.try_get::<i64, _>("disabled")? != 0,
        created_at: row.try_get("created_at")?,
        email: row.try_get("email")?,
        email_confirmed: row
            .try_get::<Option<i64>, _>("email_confirmed_at")?
            .is_some(),
        language: row.try_get("language")?,
    })
}

/// Saves the interface language `user_id` chose (`en` or `es`, checked by the caller).
pub async fn set_language(
    db: &AnyPool,
    user_id: &str,
    language: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET language = $1, updated_at = $2 WHERE id = $3")
        .bind(language)
        .bind(now)
        .bind(user_id)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn create_user(
    db: &AnyPool,
    username: &Username,
    password_hash: &str,
    role: Role,
    now: i64,
) -> Result<UserRecord, StoreError> {
    let mut conn = db.acquire().await?;
    create_user_in(&mut conn, username, password_hash, role, now, None).await
}

/// Creates an account, with an (unconfirmed) address when `email` is given, in the caller's
/// connection or transaction.
pub async fn create_user_in(
    conn: &mut AnyConnection,
    username: &Username,
    password_hash: &str,
    role: Role,
    now: i64,
    email: Option<&str>,
) -> Result<UserRecord, StoreError> {
    let id = uuid::Uuid::new_v4().to_string();
    let inserted = sqlx::query(
        "INSERT INTO users (id, username, password_hash, role, disabled, created_at, updated_at, email) \
         VALUES ($1, $2, $3, $4, 0, $5, $5, $6)",
    )
    .bind(&id)
    .bind(username.as_str())
    .bind(password_hash)
    .bind(role.as_str())
    .bind(now)
    .bind(email.map(str::to_owned))
    .execute(conn)
    .await;
    match inserted {
        Ok(_) => Ok(UserRecord {
            id,
            username: username.as_str().to_owned(),
            password_hash: password_hash.to_owned(),
            role,
            disabled: false,
            created_at: now,
            email: email.map(str::to_owned),
            email_confirmed: false,
            language: None,
        }),
        Err(sqlx::Error::Database(error)) if error.is_unique_violation() => {
            Err(StoreError::UsernameTaken)
        }
        Err(error) => Err(error.into()),
    }
}

pub async fn find_user_by_name(
    db: &AnyPool,
    username: &Username,
) -> Result<Option<UserRecord>, sqlx::Error> {
    let row = sqlx::query(&format!(
        "SELECT {USER_COLUMNS} FROM users WHERE username = $1"
    ))
    .bind(username.as_str())
    .fetch_optional(db)
    .await?;
    row.as_ref().map(user_from_row).transpose()
}

pub async fn find_user_by_id(db: &AnyPool, id: &str) -> Result<Option<UserRecord>, sqlx::Error> {
    let row = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await?;
    row.as_ref().map(user_from_row).transpose()
}

pub async fn set_password_hash(
    db: &AnyPool,
    user_id: &str,
    password_hash: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    set_text_column(db, user_id, "password_hash", password_hash, now).await
}

pub async fn set_role(
    db: &AnyPool,
    user_id: &str,
    role: Role,
    now: i64,
) -> Result<(), sqlx::Error> {
    set_text_column(db, user_id, "role", role.as_str(), now).await
}

/// Sets one text column of a user and its `updated_at`. `column` is always one of this
/// module's own column names, never input.
async fn set_text_column(
    db: &AnyPool,
    user_id: &str,
    column: &'static str,
    value: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    let statement = format!("UPDATE users SET {column} = $1, updated_at = $2 WHERE id = $3");
    sqlx::query(&statement)
        .bind(value)
        .bind(now)
        .bind(user_id)
        .execute(db)
        .await?;
    Ok(())
}

/// Disables or enables an account; disabling ends all its sessions in the same transaction.
pub async fn set_disabled(
    db: &AnyPool,
    user_id: &str,
    disabled: bool,
    now: i64,
) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    sqlx::query("UPDATE users SET disabled = $1, updated_at = $2 WHERE id = $3")
        .bind(i64::from(disabled))
        .bind(now)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    if disabled {
        sqlx::query(
            "UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await
}

/// Deletes an account with everything that belongs to it.
pub async fn delete_user(db: &AnyPool, user_id: &str) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    for statement in [
        "DELETE FROM refresh_tokens WHERE session_id IN (SELECT id FROM sessions WHERE user_id = $1)",
        "DELETE FROM sessions WHERE user_id = $1",
        "DELETE FROM email_tokens WHERE user_id = $1",
        "DELETE FROM predictions WHERE user_id = $1",
        "DELETE FROM users WHERE id = $1",
    ] {
        sqlx::query(statement)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await
}

/// Accounts whose name contains `query` (all when empty), oldest first, with the total count.
pub async fn list_users(
    db: &AnyPool,
    query: &str,
    limit: i64,
    offset: i64,
) -> Result<(Vec<UserRecord>, i64), sqlx::Error> {
    // Names are lowercase `a-z 0-9 . _ -`; `_` is a LIKE wildcard, so it is escaped.
    let pattern = format!(
        "%{}%",
        query
            .trim()
            .to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    );
    let total: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE username LIKE $1 ESCAPE '\\'")
            .bind(&pattern)
            .fetch_one(db)
            .await?;
    let rows = sqlx::query(&format!(
        "SELECT {USER_COLUMNS} FROM users WHERE username LIKE $1 ESCAPE '\\' \
         ORDER BY created_at, username LIMIT $2 OFFSET $3"
    ))
    .bind(&pattern)
    .bind(limit)
    .bind(offset)
    .fetch_all(db)
    .await?;
    let users = rows.iter().map(user_from_row).collect::<Result<_, _>>()?;
    Ok((users, total))
}
