//! Password hashing with argon2id at OWASP's recommended cost (19 MiB, 2 passes, 1 lane).
//!
//! Hashing takes tens of milliseconds of CPU and 19 MiB of memory, so it runs on blocking
//! threads behind an admission bound: a few checks run, a short line waits, and the rest of a
//! burst is refused at once (503) instead of starving the async runtime or exhausting memory.
//! Password strength scoring, also CPU-heavy, runs behind the same bound ([`PasswordHasherPool::run`]).
//!
//! Every new hash is peppered (see [`Peppers`]): a secret from the configuration, never stored
//! in the database, enters argon2 as its secret input, so a stolen database alone is not enough
//! to start guessing passwords offline.

use std::{
    sync::{Arc, LazyLock},
    time::Duration,
};

use argon2::{
    Algorithm, Argon2, KeyId, Params, ParamsBuilder, PasswordHash, PasswordHasher,
    PasswordVerifier, Version, password_hash::SaltString,
};
use sha2::{Digest, Sha256};

use crate::{admission::Bound, config::Secret};

/// OWASP Password Storage Cheat Sheet, argon2id option 2: m=19 MiB, t=2, p=1.
pub const MEMORY_KIB: u32 = 19 * 1024;
pub const ITERATIONS: u32 = 2;
pub const LANES: u32 = 1;

/// One pepper: the secret, and the id written into each hash made with it (`keyid=` in the
/// PHC string) so that verification knows which pepper to use.
#[derive(Clone)]
pub struct Pepper {
    id: [u8; 4],
    secret: Secret,
}

impl Pepper {
    /// The id is the first four bytes of a SHA-256 of the secret: nothing for an operator to
    /// name or keep in step between instances, and (the secret being at least 32 random bytes)
    /// nothing learnt about the secret from it.
    pub fn new(secret: Secret) -> Self {
        let digest = Sha256::new()
            .chain_update(b"trazo password pepper id\0")
            .chain_update(secret.expose())
            .finalize();
        let mut id = [0u8; 4];
        id.copy_from_slice(&digest[..4]);
        Self { id, secret }
    }
}

/// The pepper new hashes use, and older ones that still verify (a rotation in progress).
///
/// The pepper is argon2's own secret input (RFC 9106's "secret value K"), not an HMAC of the
/// password before hashing: argon2 was designed to take it, the PHC string records which key
/// was used (`keyid`), and there is no second primitive or encoding step to get wrong. Hashes
/// made with an older pepper, or with none (before peppering), verify with it and are re-hashed
/// with the current one at the next successful log-in.
#[derive(Clone, Default)]
pub struct Peppers {
    current: Option<Pepper>,
    previous: Vec<Pepper>,
}

impl Peppers {
    pub fn new(current: Option<Secret>, previous: Vec<Secret>) -> Self {
        Self {
            current: current.map(Pepper::new),
            previous: previous.into_iter().map(Pepper::new).collect(),
        }
    }

    fn current_id(&self) -> &[u8] {
        self.current
            .as_ref()
            .map_or(&[][..], |pepper| &pepper.id[..])
    }

    /// The pepper a hash names by its key id (`Some(&[])`-like `None` secret for no key id);
    /// `Err` when it names one this server does not know.
    fn secret_for(&self, keyid: &[u8]) -> Result<Option<&[u8]>, ()> {
        if keyid.is_empty() {
            return Ok(None);
        }
        self.current
            .iter()
            .chain(&self.previous)
            .find(|pepper| pepper.id[..] == *keyid)
            .map(|pepper| Some(pepper.secret.expose()))
            .ok_or(())
    }

    /// argon2id with today's parameters, peppered with the current pepper.
    fn hasher(&self) -> Argon2<'_> {
        let mut params = ParamsBuilder::new();
        params.m_cost(MEMORY_KIB).t_cost(ITERATIONS).p_cost(LANES);
        let Some(pepper) = &self.current else {
            return Argon2::new(
                Algorithm::Argon2id,
                Version::V0x13,
                params.build().unwrap_or_default(),
            );
        };
        if let Ok(keyid) = KeyId::new(&pepper.id) {
            params.keyid(keyid);
        }
        let params = params.build().unwrap_or_default();
        Argon2::new_with_secret(
            pepper.secret.expose(),
            Algorithm::Argon2id,
            Version::V0x13,
            params.clone(),
        )
        .unwrap_or_else(|_| Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
    }
}

/// A hash of a random password, verified against when the user does not exist so that an
/// unknown username costs the same time as a wrong password.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    Peppers::default()
        .hasher()
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
    peppers: Arc<Peppers>,
    /// How long each run waited for its thread (`trazo_password_queue_wait_seconds`).
    wait: metrics::Histogram,
    /// Runs refused because the line was full.
    refusals: metrics::Counter,
}

impl PasswordHasherPool {
    pub fn new(threads: usize, queue: usize) -> Self {
        Self {
            bound: Bound::new(u32::try_from(threads).unwrap_or(u32::MAX), queue, MAX_WAIT),
            peppers: Arc::new(Peppers::default()),
            wait: metrics::Histogram::noop(),
            refusals: metrics::Counter::noop(),
        }
    }

    /// Peppers every new hash with `peppers`' current pepper, and verifies with any of them.
    pub fn peppered(self, peppers: Peppers) -> Self {
        Self {
            peppers: Arc::new(peppers),
            ..self
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
        let peppers = self.peppers.clone();
        self.run(move || hash_now(&peppers, &password)).await?
    }

    /// Checks `password` against `stored`, or against a dummy hash when `stored` is `None`
    /// (always `No`, in the same time).
    pub async fn verify(
        &self,
        password: String,
        stored: Option<String>,
    ) -> Result<Verified, HashError> {
        let peppers = self.peppers.clone();
        self.run(move || match stored {
            Some(stored) => verify_now(&peppers, &password, &stored),
            None => {
                let _ = verify_now(&peppers, &password, &DUMMY_HASH);
                Ok(Verified::No)
            }
        })
        .await?
    }
}

fn hash_now(peppers: &Peppers, password: &str) -> Result<String, HashError> {
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    peppers
        .hasher()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(HashError::Hash)
}

fn verify_now(peppers: &Peppers, password: &str, stored: &str) -> Result<Verified, HashError> {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return Ok(Verified::No);
    };
    let Ok(params) = Params::try_from(&parsed) else {
        return Ok(Verified::No);
    };
    let Ok(secret) = peppers.secret_for(params.keyid()) else {
        tracing::error!(
            "a password hash names a pepper this server does not know: add it to \
             PASSWORD_PEPPER_PREVIOUS (the log-in is refused)"
        );
        return Ok(Verified::No);
    };
    let verifier = match secret {
        Some(secret) => {
            Argon2::new_with_secret(secret, Algorithm::Argon2id, Version::V0x13, params)
                .map_err(|e| HashError::Hash(e.into()))?
        }
        None => Argon2::new(Algorithm::Argon2id, Version::V0x13, params),
    };
    // `verify_password` takes the algorithm, version and parameters from the stored hash and
    // only the secret from `verifier`.
    if verifier
        .verify_password(password.as_bytes(), &parsed)
        .is_err()
    {
        return Ok(Verified::No);
    }
    let rehash = if needs_rehash(&parsed, peppers.current_id()) {
        Some(hash_now(peppers, password)?)
    } else {
        None
    };
    Ok(Verified::Yes { rehash })
}

/// Whether a stored hash was made with other parameters, or another pepper, than today's.
fn needs_rehash(hash: &PasswordHash<'_>, pepper_id: &[u8]) -> bool {
    if hash.algorithm.as_str() != "argon2id" || hash.version != Some(Version::V0x13 as u32) {
        return true;
    }
    match Params::try_from(hash) {
        Ok(params) => {
            params.m_cost() != MEMORY_KIB
                || params.t_cost() != ITERATIONS
                || params.p_cost() != LANES
                || params.keyid() != pepper_id
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

    fn pool_with(current: Option<&str>, previous: &[&str]) -> PasswordHasherPool {
        PasswordHasherPool::new(1, 4).peppered(Peppers::new(
            current.map(|p| Secret::new(p.as_bytes())),
            previous.iter().map(|p| Secret::new(p.as_bytes())).collect(),
        ))
    }

    const P1: &str = "pepper-one-0123456789abcdefghijklmnopqrstuv";
    const P2: &str = "pepper-two-0123456789abcdefghijklmnopqrstuv";

    #[tokio::test]
    async fn a_peppered_hash_names_its_pepper_and_needs_it_to_verify() {
        let hash = pool_with(Some(P1), &[])
            .hash("violet-tractor-91".into())
            .await
            .expect("hash");
        assert!(hash.contains(",keyid="), "{hash}");
        // Without the pepper (the database alone), the right password does not verify.
        let parsed = PasswordHash::new(&hash).expect("phc");
        let params = Params::try_from(&parsed).expect("params");
        let bare = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
        assert!(bare.verify_password(b"violet-tractor-91", &parsed).is_err());
        let peppered =
            Argon2::new_with_secret(P1.as_bytes(), Algorithm::Argon2id, Version::V0x13, params)
                .expect("argon2");
        assert!(
            peppered
                .verify_password(b"violet-tractor-91", &parsed)
                .is_ok()
        );
        // A server without that pepper refuses the log-in.
        for pool in [pool_with(None, &[]), pool_with(Some(P2), &[])] {
            assert_eq!(
                pool.verify("violet-tractor-91".into(), Some(hash.clone()))
                    .await
                    .expect("verify"),
                Verified::No
            );
        }
        assert_eq!(
            pool_with(Some(P1), &[])
                .verify("violet-tractor-91".into(), Some(hash))
                .await
                .expect("verify"),
            Verified::Yes { rehash: None }
        );
    }

    #[tokio::test]
    async fn rotating_the_pepper_rehashes_at_the_next_log_in() {
        let old = pool_with(Some(P1), &[])
            .hash("violet-tractor-91".into())
            .await
            .expect("hash");
        let rotated = pool_with(Some(P2), &[P1]);
        let Verified::Yes { rehash: Some(new) } = rotated
            .verify("violet-tractor-91".into(), Some(old.clone()))
            .await
            .expect("verify")
        else {
            panic!("expected a rehash with the new pepper");
        };
        assert_ne!(old, new);
        assert_eq!(
            rotated
                .verify("wrong-tractor-91".into(), Some(old))
                .await
                .expect("verify"),
            Verified::No
        );
        // The new hash needs only the new pepper.
        assert_eq!(
            pool_with(Some(P2), &[])
                .verify("violet-tractor-91".into(), Some(new))
                .await
                .expect("verify"),
            Verified::Yes { rehash: None }
        );
    }

    #[tokio::test]
    async fn hashes_from_before_the_pepper_are_peppered_at_log_in() {
        let bare = pool_with(None, &[])
            .hash("violet-tractor-91".into())
            .await
            .expect("hash");
        assert!(!bare.contains("keyid="), "{bare}");
        match pool_with(Some(P1), &[])
            .verify("violet-tractor-91".into(), Some(bare))
            .await
            .expect("verify")
        {
            Verified::Yes { rehash: Some(new) } => assert!(new.contains(",keyid="), "{new}"),
            other => panic!("expected a peppered rehash, got {other:?}"),
        }
    }
}
