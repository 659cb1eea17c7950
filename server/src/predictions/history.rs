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

use app::api::{HistoryItem, HistoryPage, LabelState};
use sqlx::{AnyPool, Row, any::AnyRow};
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

    /// Page `page` (from 1) of `user_id`'s predictions, newest first, narrowed by `filter`;
    /// `as_of_ms` is now, taken before reading.
    pub async fn page(
        &self,
        user_id: &str,
        page: u32,
        filter: HistoryFilter,
        as_of_ms: i64,
    ) -> Result<HistoryPage, sqlx::Error> {
        let page = page.max(1);
        let (condition, used) = filter.condition();
        let digit = filter.digit.map(i64::from);
        let count = format!("SELECT COUNT(*) FROM predictions WHERE user_id = $1{condition}");
        let mut total = sqlx::query_scalar::<_, i64>(&count).bind(user_id);
        if let Some(digit) = digit {
            total = total.bind(digit);
        }
        let total = total.fetch_one(&self.db).await?;
        let (limit, offset) = (used + 2, used + 3);
        let select = format!(
            "SELECT {ITEM_COLUMNS} FROM predictions WHERE user_id = $1{condition} \
             ORDER BY created_at_ms DESC, id LIMIT ${limit} OFFSET ${offset}"
        );
        let mut rows = sqlx::query(&select).bind(user_id);
        if let Some(digit) = digit {
            rows = rows.bind(digit);
        }
        let rows = rows
            .bind(i64::from(HISTORY_PER_PAGE))
            .bind(i64::from(page - 1) * i64::from(HISTORY_PER_PAGE))
            .fetch_all(&self.db)
            .await?;
        let items = rows.iter().map(item).collect::<Result<Vec<_>, _>>()?;
        Ok(HistoryPage {
            items,
            page,
            per_page: HISTORY_PER_PAGE,
            total: u64::try_from(total).unwrap_or_default(),
            as_of_ms,
        })
    }

    /// Records that prediction `id` of `user_id` really is `label` (`None`: forgets it), and
    /// returns the row; `None` if `user_id` has no such prediction.
    pub async fn set_label(
        &self,
        user_id: &str,
        id: &str,
        label: Option<u8>,
        now_ms: i64,
    ) -> Result<Option<HistoryItem>, sqlx::Error> {
        let updated = sqlx::query(
            "UPDATE predictions SET label = $1, labelled_at_ms = $2 WHERE id = $3 AND user_id = $4",
        )
        .bind(label.map(i64::from))
        .bind(label.map(|_| now_ms))
        .bind(id)
        .bind(user_id)
        .execute(&self.db)
        .await?;
        if updated.rows_affected() == 0 {
            return Ok(None);
        }
        let row = sqlx::query(&format!(
            "SELECT {ITEM_COLUMNS} FROM predictions WHERE id = $1 AND user_id = $2"
        ))
        .bind(id)
        .bind(user_id)
        .fetch_optional(&self.db)
        .await?;
        row.as_ref().map(item).transpose()
    }

    /// Every labelled prediction of `user_id`, oldest first: the person's own dataset. With
    /// `until` (Unix milliseconds), only labels given at or before then.
    pub async fn labelled(
        &self,
        user_id: &str,
        until: Option<i64>,
    ) -> Result<Vec<HistoryItem>, sqlx::Error> {
        let rows = sqlx::query(&format!(
            "SELECT {ITEM_COLUMNS} FROM predictions WHERE user_id = $1 AND label IS NOT NULL \
             AND labelled_at_ms <= $2 ORDER BY created_at_ms, id"
        ))
        .bind(user_id)
        .bind(until.unwrap_or(i64::MAX))
        .fetch_all(&self.db)
        .await?;
        rows.iter().map(item).collect()
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

const ITEM_COLUMNS: &str =
    "id, created_at_ms, digit, probability, cached, image, label, labelled_at_ms";

fn item(row: &AnyRow) -> Result<HistoryItem, sqlx::Error> {
    let digit = |column| -> Result<Option<u8>, sqlx::Error> {
        Ok(row
            .try_get::<Option<i64>, _>(column)?
            .and_then(|d| u8::try_from(d).ok()))
    };
    Ok(HistoryItem {
        id: row.try_get("id")?,
        digit: digit("digit")?.unwrap_or_default(),
        probability: row.try_get::<f64, _>("probability")? as f32,
        cached: row.try_get::<i64, _>("cached")? != 0,
        created_at: rfc3339(row.try_get::<i64, _>("created_at_ms")? / 1000),
        image: row.try_get("image")?,
        label: digit("label")?,
        labelled_at_ms: row.try_get("labelled_at_ms")?,
    })
}

/// Which of a history's rows a listing shows: by what the person said of the answer, and by
/// the true digit (the label where there is one, else the answer).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HistoryFilter {
    pub label: Option<LabelState>,
    pub digit: Option<u8>,
}

impl HistoryFilter {
    /// The SQL after `WHERE user_id = $1`, and how many parameters it takes: the digit, if
    /// any, is `$2`.
    fn condition(self) -> (String, usize) {
        let mut sql = String::from(match self.label {
            None => "",
            Some(LabelState::Confirmed) => " AND label = digit",
            Some(LabelState::Corrected) => " AND label <> digit",
            Some(LabelState::Unlabelled) => " AND label IS NULL",
        });
        if self.digit.is_some() {
            sql.push_str(" AND COALESCE(label, digit) = $2");
        }
        (sql, usize::from(self.digit.is_some()))
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
    fn filters_number_their_parameter_after_the_user() {
        assert_eq!(HistoryFilter::default().condition(), (String::new(), 0));
        let corrected_sevens = HistoryFilter {
            label: Some(LabelState::Corrected),
            digit: Some(7),
        };
        assert_eq!(
            corrected_sevens.condition(),
            (
                " AND label <> digit AND COALESCE(label, digit) = $2".to_owned(),
                1
            )
        );
        let unlabelled = HistoryFilter {
            label: Some(LabelState::Unlabelled),
            digit: None,
        };
        assert_eq!(unlabelled.condition().0, " AND label IS NULL");
    }

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
