//! Sessions in the database: each log-in's session and its refresh tokens (stored by hash),
//! their rotation with reuse detection, and revocation.

use sqlx::{AnyPool, Row};

use super::users::{U_COLUMNS, UserRecord, user_from_row};

/// Sessions end after a week without use…
pub const SESSION_IDLE_SECS: i64 = 7 * 24 * 3600;
/// …and a month after log-in, used or not.
pub const SESSION_ABSOLUTE_SECS: i64 = 30 * 24 * 3600;

/// Starts a session for `user_id` with its first refresh token (stored by hash).
pub async fn create_session(
    db: &AnyPool,
    user_id: &str,
    refresh_hash: &str,
    now: i64,
) -> Result<String, sqlx::Error> {
    let session_id = uuid::Uuid::new_v4().to_string();
    let mut tx = db.begin().await?;
    sqlx::query(
        "INSERT INTO sessions (id, user_id, created_at, last_used_at) VALUES ($1, $2, $3, $3)",
    )
    .bind(&session_id)
    .bind(user_id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO refresh_tokens (token_hash, session_id, created_at) VALUES ($1, $2, $3)",
    )
    .bind(refresh_hash)
    .bind(&session_id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(session_id)
}

/// Whether a session is still live: not revoked, within its idle and absolute limits, and its
/// user not disabled. Checked on every authenticated request, so revocation is immediate.
pub async fn session_is_live<'e>(
    db: impl sqlx::Executor<'e, Database = sqlx::Any>,
    session_id: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let live: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.id = $1 AND s.revoked_at IS NULL AND u.disabled = 0 \
           AND s.last_used_at > $2 AND s.created_at > $3",
    )
    .bind(session_id)
    .bind(now - SESSION_IDLE_SECS)
    .bind(now - SESSION_ABSOLUTE_SECS)
    .fetch_optional(db)
    .await?;
    Ok(live.is_some())
}

/// A live session's user, and when the session ends by itself unless used (the sooner of its
/// idle and absolute limits, in Unix seconds).
#[derive(Debug, Clone)]
pub struct LiveSession {
    pub user: UserRecord,
    pub expires_at: i64,
}

/// The user behind a live session: the session is not revoked, idle too long or too old, and
/// belongs to `user_id`, who is not disabled. One query, as every authenticated request asks.
pub async fn live_session_user(
    db: &AnyPool,
    session_id: &str,
    user_id: &str,
    now: i64,
) -> Result<Option<LiveSession>, sqlx::Error> {
    let row = sqlx::query(&format!(
        "SELECT {U_COLUMNS}, s.last_used_at AS session_used_at, s.created_at AS session_created_at \
         FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.id = $1 AND u.id = $2 AND s.revoked_at IS NULL AND u.disabled = 0 \
           AND s.last_used_at > $3 AND s.created_at > $4"
    ))
    .bind(session_id)
    .bind(user_id)
    .bind(now - SESSION_IDLE_SECS)
    .bind(now - SESSION_ABSOLUTE_SECS)
    .fetch_optional(db)
    .await?;
    row.as_ref()
        .map(|row| {
            let used: i64 = row.try_get("session_used_at")?;
            let created: i64 = row.try_get("session_created_at")?;
            Ok(LiveSession {
                user: user_from_row(row)?,
                expires_at: (used + SESSION_IDLE_SECS).min(created + SESSION_ABSOLUTE_SECS),
            })
        })
        .transpose()
}

/// What presenting a refresh token led to.
#[derive(Debug, PartialEq, Eq)]
pub enum Rotation {
    /// The token was current, or was used moments ago (within the grace window) and its
    /// successor is the one asked for: here is the session it belongs to, and its user.
    Rotated { session_id: String, user_id: String },
    /// The token was already used, before the grace window: someone replayed it, so its whole
    /// session was revoked.
    ReuseDetected,
    /// Unknown token, or its session is over.
    Invalid,
}

/// Marks the refresh token `old_hash` used and stores `new_hash` as its successor, atomically.
///
/// Presenting a token again within `grace_secs` of its use (two tabs refreshing at once, a
/// retry after a lost response) is not theft: when `new_hash` is the successor stored then
/// (successors are derived from the token, see `TokenKeys::successor`), the same rotation is
/// answered again. Any other reuse revokes the session.
pub async fn rotate_refresh_token(
    db: &AnyPool,
    old_hash: &str,
    new_hash: &str,
    now: i64,
    grace_secs: i64,
) -> Result<Rotation, sqlx::Error> {
    // Claiming the token is the transaction's first statement, a conditional write: of two
    // concurrent refreshes exactly one claims it (the other waits for the write lock, then
    // finds it used), and no read snapshot goes stale before the write.
    let mut tx = db.begin().await?;
    let claimed: Option<String> = sqlx::query_scalar(
        "UPDATE refresh_tokens SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL \
         RETURNING session_id",
    )
    .bind(now)
    .bind(old_hash)
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(session_id) = claimed {
        let user_id: Option<String> =
            sqlx::query_scalar("SELECT user_id FROM sessions WHERE id = $1")
                .bind(&session_id)
                .fetch_optional(&mut *tx)
                .await?;
        let Some(user_id) = user_id else {
            tx.rollback().await?;
            return Ok(Rotation::Invalid);
        };
        if !session_is_live(&mut *tx, &session_id, now).await? {
            tx.rollback().await?;
            return Ok(Rotation::Invalid);
        }
        sqlx::query(
            "INSERT INTO refresh_tokens (token_hash, session_id, created_at) VALUES ($1, $2, $3)",
        )
        .bind(new_hash)
        .bind(&session_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE sessions SET last_used_at = $1 WHERE id = $2")
            .bind(now)
            .bind(&session_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        return Ok(Rotation::Rotated {
            session_id,
            user_id,
        });
    }
    tx.rollback().await?;

    let found = sqlx::query(
        "SELECT t.session_id, t.used_at, s.user_id FROM refresh_tokens t \
         JOIN sessions s ON s.id = t.session_id WHERE t.token_hash = $1",
    )
    .bind(old_hash)
    .fetch_optional(db)
    .await?;
    let Some(row) = found else {
        return Ok(Rotation::Invalid);
    };
    let session_id: String = row.try_get("session_id")?;
    let user_id: String = row.try_get("user_id")?;
    let used_at: Option<i64> = row.try_get("used_at")?;
    let within_grace = used_at.is_some_and(|used| now - used < grace_secs);
    if within_grace {
        let successor: Option<String> = sqlx::query_scalar(
            "SELECT session_id FROM refresh_tokens WHERE token_hash = $1 AND session_id = $2",
        )
        .bind(new_hash)
        .bind(&session_id)
        .fetch_optional(db)
        .await?;
        if successor.is_some() {
            return Ok(if session_is_live(db, &session_id, now).await? {
                Rotation::Rotated {
                    session_id,
                    user_id,
                }
            } else {
                Rotation::Invalid
            });
        }
    }
    sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
        .bind(now)
        .bind(&session_id)
        .execute(db)
        .await?;
    Ok(Rotation::ReuseDetected)
}

/// The user a refresh token would log in, without using it: the token is current (or used
/// within `grace_secs`), its session live and its user enabled. For page loads and
/// `GET /api/session`, which must not change state, when the access token has run out.
pub async fn refresh_token_user(
    db: &AnyPool,
    token_hash: &str,
    now: i64,
    grace_secs: i64,
) -> Result<Option<(UserRecord, String)>, sqlx::Error> {
    let row = sqlx::query(&format!(
        "SELECT {U_COLUMNS}, s.id AS session_id \
         FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id \
         JOIN users u ON u.id = s.user_id \
         WHERE t.token_hash = $1 AND (t.used_at IS NULL OR t.used_at > $2) \
           AND s.revoked_at IS NULL AND u.disabled = 0 \
           AND s.last_used_at > $3 AND s.created_at > $4"
    ))
    .bind(token_hash)
    .bind(now - grace_secs)
    .bind(now - SESSION_IDLE_SECS)
    .bind(now - SESSION_ABSOLUTE_SECS)
    .fetch_optional(db)
    .await?;
    row.as_ref()
        .map(|row| Ok((user_from_row(row)?, row.try_get("session_id")?)))
        .transpose()
}

pub async fn revoke_session(db: &AnyPool, session_id: &str, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
        .bind(now)
        .bind(session_id)
        .execute(db)
        .await?;
    Ok(())
}

/// Ends every session of `user_id` except `keep` (the caller's own, when it should survive).
pub async fn revoke_user_sessions(
    db: &AnyPool,
    user_id: &str,
    keep: Option<&str>,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE sessions SET revoked_at = $1 \
         WHERE user_id = $2 AND revoked_at IS NULL AND id <> $3",
    )
    .bind(now)
    .bind(user_id)
    .bind(keep.unwrap_or(""))
    .execute(db)
    .await?;
    Ok(())
}

/// The live session a refresh token belongs to, if any (for log-out by refresh cookie alone).
pub async fn session_for_refresh_token(
    db: &AnyPool,
    token_hash: &str,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT session_id FROM refresh_tokens WHERE token_hash = $1")
        .bind(token_hash)
        .fetch_optional(db)
        .await
}
