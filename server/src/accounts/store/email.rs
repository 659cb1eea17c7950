//! Email addresses and the single-use links that confirm them or reset a password. Every change
//! here runs in the caller's transaction, with the mail it causes written to the outbox in the
//! same one (see `crate::mail`).

use sqlx::{AnyConnection, Row};

use super::users::{UserRecord, user_from_row};

/// What a link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Confirm,
    Reset,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::Confirm => "confirm",
            Purpose::Reset => "reset",
        }
    }
}

/// A new link, stored by its token's hash.
pub struct NewLink<'a> {
    pub token_hash: &'a str,
    pub purpose: Purpose,
    pub email: &'a str,
    pub expires_at: i64,
}

pub async fn insert_link(
    conn: &mut AnyConnection,
    user_id: &str,
    link: &NewLink<'_>,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO email_tokens (token_hash, user_id, purpose, email, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(link.token_hash)
    .bind(user_id)
    .bind(link.purpose.as_str())
    .bind(link.email)
    .bind(now)
    .bind(link.expires_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// What presenting a link's token found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkState {
    /// Unused and in time: whose it is and the address it was sent to.
    Valid {
        user_id: String,
        email: String,
    },
    Used,
    Expired,
    /// No such token (mistyped, tampered with, or for another purpose).
    Unknown,
}

/// Looks at a link without using it.
pub async fn link_state(
    conn: &mut AnyConnection,
    token_hash: &str,
    purpose: Purpose,
    now: i64,
) -> Result<LinkState, sqlx::Error> {
    let row = sqlx::query(
        "SELECT user_id, email, expires_at, used_at FROM email_tokens \
         WHERE token_hash = $1 AND purpose = $2",
    )
    .bind(token_hash)
    .bind(purpose.as_str())
    .fetch_optional(conn)
    .await?;
    let Some(row) = row else {
        return Ok(LinkState::Unknown);
    };
    if row.try_get::<Option<i64>, _>("used_at")?.is_some() {
        return Ok(LinkState::Used);
    }
    if row.try_get::<i64, _>("expires_at")? <= now {
        return Ok(LinkState::Expired);
    }
    Ok(LinkState::Valid {
        user_id: row.try_get("user_id")?,
        email: row.try_get("email")?,
    })
}

/// Uses a link, once: of two requests presenting it at the same time, one gets `Valid` and the
/// other `Used`. Call it inside the transaction that does what the link allows, so a failure
/// after it leaves the link unused.
pub async fn use_link(
    conn: &mut AnyConnection,
    token_hash: &str,
    purpose: Purpose,
    now: i64,
) -> Result<LinkState, sqlx::Error> {
    let row = sqlx::query(
        "UPDATE email_tokens SET used_at = $1 \
         WHERE token_hash = $2 AND purpose = $3 AND used_at IS NULL AND expires_at > $1 \
         RETURNING user_id, email",
    )
    .bind(now)
    .bind(token_hash)
    .bind(purpose.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    match row {
        Some(row) => Ok(LinkState::Valid {
            user_id: row.try_get("user_id")?,
            email: row.try_get("email")?,
        }),
        None => link_state(conn, token_hash, purpose, now).await,
    }
}

/// Ends every unused link of `user_id` for `purpose` (a newer address, a new password).
pub async fn retire_links(
    conn: &mut AnyConnection,
    user_id: &str,
    purpose: Purpose,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE email_tokens SET used_at = $1 \
         WHERE user_id = $2 AND purpose = $3 AND used_at IS NULL",
    )
    .bind(now)
    .bind(user_id)
    .bind(purpose.as_str())
    .execute(conn)
    .await?;
    Ok(())
}

/// Sets the account's address, unconfirmed.
pub async fn set_email(
    conn: &mut AnyConnection,
    user_id: &str,
    email: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE users SET email = $1, email_confirmed_at = NULL, updated_at = $2 WHERE id = $3",
    )
    .bind(email)
    .bind(now)
    .bind(user_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// What confirming an address did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirmation {
    Confirmed,
    /// It was confirmed already (the link opened twice, say).
    AlreadyConfirmed,
    /// The account's address is no longer the one the link was sent to.
    Replaced,
    /// Another account confirmed this address first.
    TakenElsewhere,
}

/// Marks `email` confirmed for `user_id` if it is still the account's address.
pub async fn confirm_email(
    conn: &mut AnyConnection,
    user_id: &str,
    email: &str,
    now: i64,
) -> Result<Confirmation, sqlx::Error> {
    let row = sqlx::query("SELECT email, email_confirmed_at FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(row) = row else {
        return Ok(Confirmation::Replaced);
    };
    if row.try_get::<Option<String>, _>("email")?.as_deref() != Some(email) {
        return Ok(Confirmation::Replaced);
    }
    if row
        .try_get::<Option<i64>, _>("email_confirmed_at")?
        .is_some()
    {
        return Ok(Confirmation::AlreadyConfirmed);
    }
    let updated = sqlx::query(
        "UPDATE users SET email_confirmed_at = $1, updated_at = $1 \
         WHERE id = $2 AND email = $3 AND email_confirmed_at IS NULL",
    )
    .bind(now)
    .bind(user_id)
    .bind(email)
    .execute(&mut *conn)
    .await;
    match updated {
        Ok(_) => Ok(Confirmation::Confirmed),
        Err(sqlx::Error::Database(error)) if error.is_unique_violation() => {
            Ok(Confirmation::TakenElsewhere)
        }
        Err(error) => Err(error),
    }
}

/// The account whose confirmed address is `email`.
pub async fn find_user_by_confirmed_email(
    conn: &mut AnyConnection,
    email: &str,
) -> Result<Option<UserRecord>, sqlx::Error> {
    let row = sqlx::query(&format!(
        "SELECT {} FROM users WHERE email = $1 AND email_confirmed_at IS NOT NULL",
        super::users::USER_COLUMNS
    ))
    .bind(email)
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(user_from_row).transpose()
}

/// Sets a new password hash and ends every session of the account, in the caller's transaction.
pub async fn replace_password(
    conn: &mut AnyConnection,
    user_id: &str,
    password_hash: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3")
        .bind(password_hash)
        .bind(now)
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
        .bind(now)
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
