//! The tokens in mailed links. A link's token is never stored: the `email_tokens` table holds
//! its SHA-256, and the outbox holds only a random token id, from which the worker derives the
//! token with the server's signing key (HMAC-SHA256) when it renders the mail. Someone holding
//! a copy of the database can therefore neither use a link nor make one.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// Tokens are 32 bytes in URL-safe base64 without padding.
pub const TOKEN_CHARS: usize = 43;

#[derive(Clone)]
pub struct LinkKeys {
    /// The signing key; never printed (no `Debug`).
    secret: Vec<u8>,
}

impl LinkKeys {
    pub fn new(secret: &[u8]) -> Self {
        Self {
            secret: secret.to_vec(),
        }
    }

    /// A new link: its token id (for the outbox) and its token's hash (for `email_tokens`).
    pub fn new_link(&self) -> (String, String) {
        let mut id = [0u8; 16];
        rand::rng().fill_bytes(&mut id);
        let id = URL_SAFE_NO_PAD.encode(id);
        let hash = token_hash(&self.token(&id));
        (id, hash)
    }

    /// The token a link carries, derived from its id.
    pub fn token(&self, token_id: &str) -> String {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&self.secret).expect("HMAC takes a key of any length");
        mac.update(b"trazo mail link\0");
        mac.update(token_id.as_bytes());
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }
}

/// How a token is stored and looked up: hex SHA-256.
pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether `token` could be one of ours (right length and alphabet): anything else is refused
/// before the database is asked.
pub fn well_formed(token: &str) -> bool {
    token.len() == TOKEN_CHARS
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_follow_from_the_id_and_the_key_only() {
        let keys = LinkKeys::new(b"key-one");
        let (id, hash) = keys.new_link();
        let token = keys.token(&id);
        assert!(well_formed(&token), "{token}");
        assert_eq!(token_hash(&token), hash);
        assert_ne!(LinkKeys::new(b"key-two").token(&id), token);
        let (other, _) = keys.new_link();
        assert_ne!(other, id);
        assert!(!well_formed("short"));
        assert!(!well_formed(&format!("{}!", &token[1..])));
    }
}
