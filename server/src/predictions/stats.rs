//! The admin's figures (`/api/admin/stats`, `/admin/stats`): predictions per hour and per day,
//! the cache's share, the rate limit's refusals, the model's confidence, and the confusion
//! matrix of the answers people labelled — read from the database, so that they are the same
//! whichever instance is asked.
//!
//! Predictions are in the `predictions` table already. Refusals are not rows of anything: each
//! instance counts its own in memory ([`RefusalTally::record`], no I/O on the refusing path,
//! which a flood takes) and adds them to `prediction_refusals`, one row per hour, every few
//! seconds and when it stops. The figures are computed at most once per [`FRESH_FOR`] per
//! instance, one computation at a time: the page's charts and its figures share one.

use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex, Weak},
    time::{Duration, Instant},
};

use app::api::{ModelStats, StatsSlot};
use sqlx::{AnyPool, Row};
use tokio::sync::Mutex as AsyncMutex;

use crate::clock::now_ms;

pub const HOUR_MS: i64 = 3_600_000;
pub const DAY_MS: i64 = 24 * HOUR_MS;
/// Hours and days the figures cover.
pub const HOURS: usize = 48;
pub const DAYS: usize = 30;
/// Bins of the confidence histogram, each 0.1 wide.
pub const CONFIDENCE_BINS: usize = 10;
/// How long one computation of the figures is served before the next.
pub const FRESH_FOR: Duration = Duration::from_secs(2);
/// How often each instance adds its refusals to the database.
pub const FLUSH_EVERY: Duration = Duration::from_secs(5);

/// Prediction requests the rate limit refused, per hour, not yet in the database.
pub struct RefusalTally {
    db: AnyPool,
    pending: Mutex<BTreeMap<i64, u64>>,
}

impl RefusalTally {
    pub fn new(db: AnyPool) -> Arc<Self> {
        Arc::new(Self {
            db,
            pending: Mutex::new(BTreeMap::new()),
        })
    }

    /// Counts one refusal now. Memory only: a flood of refused requests costs no I/O here.
    pub fn record(&self) {
        let hour = now_ms().div_euclid(HOUR_MS) * HOUR_MS;
        *self.lock().entry(hour).or_default() += 1;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<i64, u64>> {
        self.pending
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Adds what was counted since the last flush to the database, in one transaction; if that
    /// fails, the counts are kept for the next flush.
    pub async fn flush(&self) -> Result<(), sqlx::Error> {
        let counts = std::mem::take(&mut *self.lock());
        if counts.is_empty() {
            return Ok(());
        }
        let written = async {
            let mut tx = self.db.begin().await?;
            for (hour, refused) in &counts {
                sqlx::query(
                    "INSERT INTO prediction_refusals (hour_ms, refused) VALUES ($1, $2) \
                     ON CONFLICT (hour_ms) DO UPDATE \
                     SET refused = prediction_refusals.refused + excluded.refused",
                )
                .bind(*hour)
                .bind(i64::try_from(*refused).unwrap_or(i64::MAX))
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await
        }
        .await;
        if written.is_err() {
            let mut pending = self.lock();
            for (hour, refused) in counts {
                *pending.entry(hour).or_default() += refused;
            }
        }
        written
    }

    /// Flushes every [`FLUSH_EVERY`] until the tally is dropped.
    pub fn spawn_flusher(self: &Arc<Self>) {
        let tally: Weak<Self> = Arc::downgrade(self);
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(FLUSH_EVERY).await;
                let Some(tally) = tally.upgrade() else { return };
                if let Err(error) = tally.flush().await {
                    tracing::warn!(%error, "could not record the rate limit's refusals; kept for the next try");
                }
            }
        });
    }
}

/// The figures, computed at most once per [`FRESH_FOR`] and one computation at a time.
pub struct Stats {
    db: AnyPool,
    refusals: Arc<RefusalTally>,
    last: AsyncMutex<Option<(Instant, Arc<ModelStats>)>>,
}

impl Stats {
    pub fn new(db: AnyPool, refusals: Arc<RefusalTally>) -> Self {
        Self {
            db,
            refusals,
            last: AsyncMutex::new(None),
        }
    }

    /// The current figures. Callers that arrive while they are being computed wait for that
    /// computation rather than start another.
    pub async fn current(&self) -> Result<Arc<ModelStats>, sqlx::Error> {
        let mut last = self.last.lock().await;
        if let Some((at, stats)) = last.as_ref()
            && at.elapsed() < FRESH_FOR
        {
            return Ok(stats.clone());
        }
        // This instance's own refusals count at once; other instances' within FLUSH_EVERY.
        if let Err(error) = self.refusals.flush().await {
            tracing::warn!(%error, "could not record the rate limit's refusals before reading them");
        }
        let stats = Arc::new(compute(&self.db, now_ms()).await?);
        *last = Some((Instant::now(), stats.clone()));
        Ok(stats)
    }
}

/// Reads the figures as of `now_ms`.
pub async fn compute(db: &AnyPool, now_ms: i64) -> Result<ModelStats, sqlx::Error> {
    let this_hour = now_ms.div_euclid(HOUR_MS) * HOUR_MS;
    let today = now_ms.div_euclid(DAY_MS) * DAY_MS;
    let first_day = today - (DAYS as i64 - 1) * DAY_MS;
    let first_hour = this_hour - (HOURS as i64 - 1) * HOUR_MS;

    let mut hours: Vec<StatsSlot> = (0..HOURS as i64)
        .map(|i| slot(first_hour + i * HOUR_MS))
        .collect();
    let mut days: Vec<StatsSlot> = (0..DAYS as i64)
        .map(|i| slot(first_day + i * DAY_MS))
        .collect();
    let mut add = |hour_ms: i64, f: &dyn Fn(&mut StatsSlot)| {
        if let Some(s) = index(hour_ms, first_hour, HOUR_MS, HOURS) {
            f(&mut hours[s]);
        }
        if let Some(s) = index(hour_ms, first_day, DAY_MS, DAYS) {
            f(&mut days[s]);
        }
    };

    // Per hour over the 30 days; the days are sums of their hours (UTC).
    let rows = sqlx::query(
        "SELECT created_at_ms / 3600000 AS hour, COUNT(*) AS answered, \
         CAST(SUM(cached) AS BIGINT) AS cached \
         FROM predictions WHERE created_at_ms >= $1 GROUP BY created_at_ms / 3600000",
    )
    .bind(first_day)
    .fetch_all(db)
    .await?;
    for row in rows {
        let hour: i64 = row.try_get("hour")?;
        let answered = count(row.try_get("answered")?);
        let cached = count(row.try_get("cached")?);
        add(hour * HOUR_MS, &|s| {
            s.predictions += answered;
            s.cached += cached;
        });
    }

    let rows = sqlx::query(
        "SELECT hour_ms, refused FROM prediction_refusals WHERE hour_ms >= $1 AND hour_ms <= $2",
    )
    .bind(first_day)
    .bind(this_hour)
    .fetch_all(db)
    .await?;
    for row in rows {
        let hour: i64 = row.try_get("hour_ms")?;
        let refused = count(row.try_get("refused")?);
        add(hour, &|s| s.refused += refused);
    }

    // Ten bins of 0.1; a confidence of exactly 1 belongs to the last.
    let bins = (1..CONFIDENCE_BINS)
        .map(|b| format!("WHEN probability < {:.1} THEN {}", b as f64 / 10.0, b - 1))
        .collect::<Vec<_>>()
        .join(" ");
    let rows = sqlx::query(&format!(
        "SELECT CAST(CASE {bins} ELSE {last} END AS BIGINT) AS bin, COUNT(*) AS answered \
         FROM predictions WHERE created_at_ms >= $1 GROUP BY 1",
        last = CONFIDENCE_BINS - 1
    ))
    .bind(first_day)
    .fetch_all(db)
    .await?;
    let mut confidence = vec![0; CONFIDENCE_BINS];
    for row in rows {
        let bin: i64 = row.try_get("bin")?;
        if let Some(b) = usize::try_from(bin)
            .ok()
            .and_then(|b| confidence.get_mut(b))
        {
            *b += count(row.try_get("answered")?);
        }
    }

    let rows = sqlx::query(
        "SELECT label, digit, COUNT(*) AS answered FROM predictions \
         WHERE label IS NOT NULL GROUP BY label, digit",
    )
    .fetch_all(db)
    .await?;
    let mut confusion = vec![vec![0; 10]; 10];
    for row in rows {
        let truth: i64 = row.try_get("label")?;
        let predicted: i64 = row.try_get("digit")?;
        if let (Ok(t @ 0..=9), Ok(p @ 0..=9)) = (usize::try_from(truth), usize::try_from(predicted))
        {
            confusion[t][p] += count(row.try_get("answered")?);
        }
    }

    let answered: u64 = days.iter().map(|d| d.predictions).sum();
    let cached: u64 = days.iter().map(|d| d.cached).sum();
    let refused: u64 = days.iter().map(|d| d.refused).sum();
    Ok(ModelStats {
        as_of_ms: now_ms,
        hours,
        days,
        cache_hit_ratio: share(cached, answered),
        refused_share: share(refused, answered + refused),
        confidence,
        confusion,
    })
}

fn slot(start_ms: i64) -> StatsSlot {
    StatsSlot {
        start_ms,
        predictions: 0,
        cached: 0,
        refused: 0,
    }
}

/// Which of `slots` slots of `width` from `first` holds `at`.
fn index(at: i64, first: i64, width: i64, slots: usize) -> Option<usize> {
    if at < first {
        return None;
    }
    usize::try_from((at - first) / width)
        .ok()
        .filter(|&i| i < slots)
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

fn share(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_hold_their_hours_and_nothing_outside() {
        assert_eq!(index(0, 0, HOUR_MS, 3), Some(0));
        assert_eq!(index(HOUR_MS - 1, 0, HOUR_MS, 3), Some(0));
        assert_eq!(index(2 * HOUR_MS, 0, HOUR_MS, 3), Some(2));
        assert_eq!(index(3 * HOUR_MS, 0, HOUR_MS, 3), None);
        assert_eq!(index(-1, 0, HOUR_MS, 3), None);
        // An hour falls in its UTC day.
        assert_eq!(index(DAY_MS + 5 * HOUR_MS, 0, DAY_MS, 2), Some(1));
    }

    #[test]
    fn shares_need_something_to_share() {
        assert_eq!(share(0, 0), None);
        assert_eq!(share(1, 4), Some(0.25));
    }
}
