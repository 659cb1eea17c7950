//! Each user's prediction history: new rows reach the database through one writer task that
//! commits whatever has queued since its last commit in one transaction (group commit); pages
//! of it are read, and all of it cleared, straight from the database.
//!
//! SQLite lets one connection write at a time: request handlers inserting on their own only
//! queue on its lock, sleeping in its busy handler, one commit each. One writer batching them
//! turns many commits into one. On PostgreSQL it saves a round trip and a commit per row.
//! Each request still waits until its own row is committed, so every prediction a client was
//! given is in its history.

use std::sync::Arc;

use app::api::{HistoryItem, HistoryPage};
use sqlx::{AnyPool, Row};
use tokio::sync::{mpsc, oneshot};

use crate::clock::rfc3339;

pub const HISTORY_PER_PAGE: u32 = 20;
/// Rows per transaction at most; more waiting go in the next one.
const MAX_BATCH: usize = 256;
/// Rows that may wait for the writer before `store` itself waits for room.
const QUEUE: usize = 4096;

const INSERT: &str = "INSERT INTO predictions \
     (id, user_id, created_at_ms, digit, probability, cached, model_version, image) VALUES";
const COLUMNS: usize = 8;
/// Rows per statement: 512 parameters, far below SQLite's and PostgreSQL's limits.
const ROWS_PER_STATEMENT: usize = 64;

/// One prediction as stored in its user's history.
#[derive(Debug, Clone)]
pub struct HistoryRow {
    pub id: String,
    pub user_id: String,
    pub created_at_ms: i64,
    pub digit: u8,
    pub probability: f32,
    pub cached: bool,
    pub model_version: &'static str,
    /// The 28×28 input as a PNG data URL.
    pub image: String,
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum HistoryError {
    #[error("database error: {0}")]
    Database(Arc<sqlx::Error>),
    #[error("the history writer has stopped")]
    Stopped,
}

struct Pending {
    row: HistoryRow,
    done: oneshot::Sender<Result<(), HistoryError>>,
}

/// The handle requests use; the writer task runs until every handle is gone, finishing what
/// is queued.
#[derive(Clone)]
struct HistoryWriter {
    queue: mpsc::Sender<Pending>,
}

impl HistoryWriter {
    /// Starts the writer on the current Tokio runtime.
    pub fn spawn(db: AnyPool, batch_rows: metrics::Histogram) -> Self {
        let (queue, pending) = mpsc::channel(QUEUE);
        tokio::spawn(write_batches(db, pending, batch_rows));
        Self { queue }
    }

    /// Stores `row`, returning once it is committed (or the commit failed).
    pub async fn store(&self, row: HistoryRow) -> Result<(), HistoryError> {
        let (done, committed) = oneshot::channel();
        self.queue
            .send(Pending { row, done })
            .await
            .map_err(|_| HistoryError::Stopped)?;
        committed.await.map_err(|_| HistoryError::Stopped)?
    }
}

/// The history of every user: stored through the writer, read page by page.
pub struct History {
    db: AnyPool,
    writer: HistoryWriter,
}

impl History {
    /// Starts the writer on the current Tokio runtime; each commit's size goes to `batch_rows`.
    pub fn new(db: AnyPool, batch_rows: metrics::Histogram) -> Self {
        Self {
            writer: HistoryWriter::spawn(db.clone(), batch_rows),
            db,
        }
    }

    /// Stores `row`, returning once it is committed.
    pub async fn store(&self, row: HistoryRow) -> Result<(), HistoryError> {
        self.writer.store(row).await
    }

    /// Page `page` (from 1) of `user_id`'s predictions, newest first.
    pub async fn page(&self, user_id: &str, page: u32) -> Result<HistoryPage, sqlx::Error> {
        let page = page.max(1);
        let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM predictions WHERE user_id = $1")
            .bind(user_id)
            .fetch_one(&self.db)
            .await?;
        let rows = sqlx::query(
            "SELECT id, created_at_ms, digit, probability, cached, image FROM predictions \
             WHERE user_id = $1 ORDER BY created_at_ms DESC, id LIMIT $2 OFFSET $3",
        )
        .bind(user_id)
        .bind(i64::from(HISTORY_PER_PAGE))
        .bind(i64::from(page - 1) * i64::from(HISTORY_PER_PAGE))
        .fetch_all(&self.db)
        .await?;
        let items = rows
            .iter()
            .map(|row| -> Result<HistoryItem, sqlx::Error> {
                Ok(HistoryItem {
                    id: row.try_get("id")?,
                    digit: u8::try_from(row.try_get::<i64, _>("digit")?).unwrap_or_default(),
                    probability: row.try_get::<f64, _>("probability")? as f32,
                    cached: row.try_get::<i64, _>("cached")? != 0,
                    created_at: rfc3339(row.try_get::<i64, _>("created_at_ms")? / 1000),
                    image: row.try_get("image")?,
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(HistoryPage {
            items,
            page,
            per_page: HISTORY_PER_PAGE,
            total: u64::try_from(total).unwrap_or_default(),
        })
    }

    /// Deletes every prediction of `user_id`.
    pub async fn clear(&self, user_id: &str) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM predictions WHERE user_id = $1")
            .bind(user_id)
            .execute(&self.db)
            .await?;
        Ok(())
    }
}

async fn write_batches(
    db: AnyPool,
    mut pending: mpsc::Receiver<Pending>,
    batch_rows: metrics::Histogram,
) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while pending.recv_many(&mut batch, MAX_BATCH).await > 0 {
        batch_rows.record(batch.len() as f64);
        let outcome = insert_all(&db, &batch)
            .await
            .map_err(|error| HistoryError::Database(Arc::new(error)));
        for waiting in batch.drain(..) {
            // A request that gave up waiting (its client left) no longer listens: that is fine.
            let _ = waiting.done.send(outcome.clone());
        }
    }
}

/// All of `batch` in one transaction: all stored, or (on error) none. Rows go in multi-row
/// `INSERT`s, since every statement is a trip to the database (for SQLite, to its thread).
async fn insert_all(db: &AnyPool, batch: &[Pending]) -> Result<(), sqlx::Error> {
    let mut transaction = db.begin().await?;
    for rows in batch.chunks(ROWS_PER_STATEMENT) {
        let statement = insert_statement(rows.len());
        let mut query = sqlx::query(&statement);
        for Pending { row, .. } in rows {
            query = query
                .bind(&row.id)
                .bind(&row.user_id)
                .bind(row.created_at_ms)
                .bind(i64::from(row.digit))
                .bind(f64::from(row.probability))
                .bind(i64::from(row.cached))
                .bind(row.model_version)
                .bind(&row.image);
        }
        query.execute(&mut *transaction).await?;
    }
    transaction.commit().await
}

/// `INSERT … VALUES ($1, …, $8), ($9, …, $16), …` for `rows` rows.
fn insert_statement(rows: usize) -> String {
    let tuples: Vec<String> = (0..rows)
        .map(|row| {
            let first = row * COLUMNS + 1;
            let params: Vec<String> = (first..first + COLUMNS).map(|n| format!("${n}")).collect();
            format!("({})", params.join(", "))
        })
        .collect();
    format!("{INSERT} {}", tuples.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_number_every_row_s_parameters() {
        assert_eq!(
            insert_statement(2),
            format!(
                "{INSERT} ($1, $2, $3, $4, $5, $6, $7, $8), ($9, $10, $11, $12, $13, $14, $15, $16)"
            )
        );
        let widest = insert_statement(ROWS_PER_STATEMENT);
        assert!(widest.ends_with(&format!("${})", ROWS_PER_STATEMENT * COLUMNS)));
    }
}
