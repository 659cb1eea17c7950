//! Password hashing with argon2id at OWASP's recommended cost (19 MiB, 2 passes, 1 lane).
//!
//! Hashing takes tens of milliseconds of CPU and 19 MiB of memory, so it runs on blocking
//! threads behind an admission bound: a few checks run, a short line waits, and the rest of a
//! burst is refused at once (503) instead of starving the async runtime or exhausting memory.
//! Password strength scoring, also CPU-heavy, runs behind the same bound ([`PasswordHasherPool::run`]).

use std::{sync::LazyLock, time::Duration};

use argon2::{
    Algorithm, Argon2, Params, PasswordHash, PasswordHasher, PasswordVerifier, Version,
    password_hash::SaltString,
};

use crate::admission::Bound;

/// OWASP Password Storage Cheat Sheet, argon2id option 2: m=19 MiB, t=2, p=1.
pub const MEMORY_KIB: u32 = 19 * 1024;
pub const ITERATIONS: u32 = 2;
pub const LANES: u32 = 1;

fn argon2() -> Argon2<'static> {
    let params = Params::new(MEMORY_KIB, ITERATIONS, LANES, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// A hash of a random password, verified against when the user does not exist so that an
/// unknown username costs the same time as a wrong password.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    argon2()
        .hash_password(uuid::Uuid::new_v4().as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .unwrap_or_default()
});

#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("password hashing failed: {0}")]
    Hash(argon2::password_hash::Error),
    #[error("password hashing task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
    /// Too many password checks are running or waiting: refused before any work (503).
    #[error("too many password checks in progress")]
    Busy,
}

/// The outcome of checking a password against a stored hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verified {
    No,
    Yes {
        /// A fresh hash to store when the stored one used other parameters.
        rehash: Option<String>,
    },
}

/// Longest a password check waits in line for a thread before it is refused.
const MAX_WAIT: Duration = Duration::from_secs(5);

/// Runs argon2 (and other password work) on blocking threads, at most `threads` at a time,
/// with at most `queue` more waiting.
pub struct PasswordHasherPool {
    bound: Bound,
    /// How long each run waited for its thread (`trazo_password_queue_wait_seconds`).
    wait: metrics::Histogram,
    /// Runs refused because the line was full.
    refusals: metrics::Counter,
}

impl PasswordHasherPool {
    pub fn new(threads: usize, queue: usize) -> Self {
        Self {
            bound: Bound::new(u32::try_from(threads).unwrap_or(u32::MAX), queue, MAX_WAIT),
            wait: metrics::Histogram::noop(),
            refusals: metrics::Counter::noop(),
        }
    }

    /// Records each run's wait for a thread in `wait`, and each refusal in `refusals`.
    pub fn measured(self, wait: metrics::Histogram, refusals: metrics::Counter) -> Self {
        Self {
            wait,
            refusals,
            ..self
        }
    }

    /// Runs `work` on a blocking thread once admitted; `Busy` at once when the line is full.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, HashError> {
        let queued = std::time::Instant::now();
        let admitted = self.bound.enter(1).await.map_err(|_| {
            self.refusals.increment(1);
            HashError::Busy
        })?;
        self.wait.record(queued.elapsed());
        // The place is held by the thread doing the work, so it is not given back while the
        // work still runs if the request is abandoned.
        Ok(tokio::task::spawn_blocking(move || {
            let _admitted = admitted;
            work()
        })
        .await?)
    }

    /// Hashes `password` into a PHC string.
    pub async fn hash(&self, password: String) -> Result<String, HashError> {
        self.run(move || hash_now(&password)).await?
    }

    /// Checks `password` against `stored`, or against a dummy hash when `stored` is `None`
    /// (always `No`, in the same time).
    pub async fn verify(
        &self,
        password: String,
        stored: Option<String>,
    ) -> Result<Verified, HashError> {
        self.run(move || match stored {
            Some(stored) => verify_now(&password, &stored),
            None => {
                let _ = verify_now(&password, &DUMMY_HASH);
                Ok(Verified::No)
            }
        })
        .await?
    }
}

fn hash_now(password: &str) -> Result<String, HashError> {
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(HashError::Hash)
}

fn verify_now(password: &str, stored: &str) -> Result<Verified, HashError> {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return Ok(Verified::No);
    };
    if argon2()
        .verify_password(password.as_bytes(), &parsed)
        .is_err()
    {
        return Ok(Verified::No);
    }
    let rehash = if needs_rehash(&parsed) {
        Some(hash_now(password)?)
    } else {
        None
    };
    Ok(Verified::Yes { rehash })
}

/// Whether a stored hash was made with other parameters than today's.
fn needs_rehash(hash: &PasswordHash<'_>) -> bool {
    if hash.algorithm.as_str() != "argon2id" || hash.version != Some(Version::V0x13 as u32) {
        return true;
    }
    match Params::try_from(hash) {
        Ok(params) => {
            params.m_cost() != MEMORY_KIB
                || params.t_cost() != ITERATIONS
                || params.p_cost() != LANES
        }
        Err(_) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_phc_strings_with_owasp_parameters() {
        let pool = PasswordHasherPool::new(1, 4);
        let hash = pool.hash("violet-tractor-91".into()).await.expect("hash");
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        let again = pool.hash("violet-tractor-91".into()).await.expect("hash");
        assert_ne!(hash, again, "salts must differ");
    }

    #[tokio::test]
    async fn the_right_password_verifies_and_a_wrong_one_does_not() {
        let pool = PasswordHasherPool::new(1, 4);
        let hash = pool.hash("violet-tractor-91".into()).await.expect("hash");
        assert_eq!(
            pool.verify("violet-tractor-91".into(), Some(hash.clone()))
                .await
                .expect("verify"),
            Verified::Yes { rehash: None }
        );
        assert_eq!(
            pool.verify("violet-tractor-92".into(), Some(hash))
                .await
                .expect("verify"),
            Verified::No
        );
        assert_eq!(
            pool.verify("anything".into(), None).await.expect("verify"),
            Verified::No
        );
        assert_eq!(
            pool.verify("anything".into(), Some("not a hash".into()))
                .await
                .expect("verify"),
            Verified::No
        );
    }

    #[tokio::test]
    async fn a_burst_beyond_the_line_is_refused_at_once() {
        let pool = std::sync::Arc::new(PasswordHasherPool::new(1, 1));
        let (release, hold) = std::sync::mpsc::channel::<()>();
        let running = {
            let pool = pool.clone();
            tokio::spawn(async move { pool.run(move || hold.recv()).await })
        };
        let waiting = {
            let pool = pool.clone();
            tokio::spawn(async move { pool.run(|| ()).await })
        };
        // Let both take their places: one running, one in line.
        for _ in 0..100 {
            if pool.bound.available() == 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        let started = std::time::Instant::now();
        assert!(matches!(pool.run(|| ()).await, Err(HashError::Busy)));
        assert!(started.elapsed() < Duration::from_millis(100));
        release.send(()).expect("release");
        assert!(running.await.expect("task").is_ok());
        assert!(waiting.await.expect("task").is_ok());
    }

    #[tokio::test]
    async fn hashes_made_with_older_parameters_are_upgraded_at_login() {
        let weak = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8 * 1024, 1, 1, None).expect("params"),
        );
        let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
        let old = weak
            .hash_password(b"violet-tractor-91", &salt)
            .expect("hash")
            .to_string();
        let pool = PasswordHasherPool::new(1, 4);
        match pool
            .verify("violet-tractor-91".into(), Some(old))
            .await
            .expect("verify")
        {
            Verified::Yes { rehash: Some(new) } => {
                assert!(new.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{new}");
            }
            other => panic!("expected a rehash, got {other:?}"),
        }
    }
}
