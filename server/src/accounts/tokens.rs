//! Session tokens: short-lived JWT access tokens and opaque, single-use refresh tokens.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, errors::ErrorKind};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub const ISSUER: &str = "trazo";
pub const AUDIENCE: &str = "trazo-api";
pub const ACCESS_TOKEN_TYPE: &str = "access";
/// Access tokens live 15 minutes; revocation is checked on every request, so this bounds only
/// how long a token outlives a deleted signing key, not a logout.
pub const ACCESS_TTL_SECS: i64 = 15 * 60;
/// Clock skew tolerated between instances.
pub const LEEWAY_SECS: u64 = 30;

/// The claims of an access token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The user's id.
    pub sub: String,
    pub role: String,
    /// The session (log-in) this token belongs to; revoking it ends the token at once.
    pub sid: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    pub jti: String,
    pub iss: String,
    pub aud: String,
    pub typ: String,
}

impl Claims {
    pub fn new(user_id: &str, role: &str, session_id: &str, now: i64) -> Self {
        Self {
            sub: user_id.to_owned(),
            role: role.to_owned(),
            sid: session_id.to_owned(),
            iat: now,
            nbf: now,
            exp: now + ACCESS_TTL_SECS,
            jti: uuid::Uuid::new_v4().to_string(),
            iss: ISSUER.to_owned(),
            aud: AUDIENCE.to_owned(),
            typ: ACCESS_TOKEN_TYPE.to_owned(),
        }
    }
}

/// Why an access token was refused; each is a 401 with its own message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("Token has expired")]
    Expired,
    #[error("Invalid token")]
    Invalid,
}

/// Signs and checks access tokens with one HS256 key, and derives refresh tokens' successors.
#[derive(Clone)]
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    /// The signing key, for [`TokenKeys::successor`]. Never printed (no `Debug`).
    secret: Vec<u8>,
}

impl TokenKeys {
    pub fn new(secret: &[u8]) -> Self {
        // Only HS256 is accepted: a token claiming `none` or another algorithm is refused
        // before its signature is looked at.
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = LEEWAY_SECS;
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "nbf", "iat", "sub", "iss", "aud", "jti"]);
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            secret: secret.to_vec(),
        }
    }

    /// The refresh token that replaces `presented`: HMAC-SHA256 of it under the signing key.
    /// Derived rather than random so that presenting the same token twice within the grace
    /// window (two tabs, a retried request) yields the same successor without storing any
    /// token in the clear; without the key it is as unpredictable as a random one.
    pub fn successor(&self, presented: &str) -> String {
        match Hmac::<Sha256>::new_from_slice(&self.secret) {
            Ok(mut mac) => {
                mac.update(b"trazo refresh successor\0");
                mac.update(presented.as_bytes());
                URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
            }
            // HMAC accepts keys of any length; this arm is never taken.
            Err(_) => new_refresh_token(),
        }
    }

    pub fn sign(&self, claims: &Claims) -> Result<String, jsonwebtoken::errors::Error> {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &self.encoding)
    }

    pub fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|error| match error.kind() {
                ErrorKind::ExpiredSignature => TokenError::Expired,
                _ => TokenError::Invalid,
            })?;
        let claims = data.claims;
        if claims.typ != ACCESS_TOKEN_TYPE || claims.iat > claims.exp {
            return Err(TokenError::Invalid);
        }
        Ok(claims)
    }
}

/// A new refresh token: 256 random bits, URL-safe base64. Only its hash is stored.
pub fn new_refresh_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The stored form of a refresh token: hex SHA-256. A fast hash is right here: the token has
/// 256 bits of entropy, so there is nothing to brute-force.
pub fn refresh_token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"0123456789abcdef0123456789abcdef-test-key";

    fn now() -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or_default()
    }

    fn b64(value: &serde_json::Value) -> String {
        URL_SAFE_NO_PAD.encode(value.to_string())
    }

    #[test]
    fn successors_are_stable_per_key_and_unrelated_across_keys() {
        let keys = TokenKeys::new(KEY);
        let token = new_refresh_token();
        let next = keys.successor(&token);
        assert_eq!(
            keys.successor(&token),
            next,
            "the same token, the same successor"
        );
        assert_eq!(next.len(), token.len(), "as long as a random token");
        assert_ne!(keys.successor(&new_refresh_token()), next);
        let other = TokenKeys::new(b"another-key-0123456789abcdefghijklmnop");
        assert_ne!(
            other.successor(&token),
            next,
            "unpredictable without the key"
        );
    }

    #[test]
    fn a_fresh_token_round_trips() {
        let keys = TokenKeys::new(KEY);
        let claims = Claims::new("user-1", "user", "session-1", now());
        let token = keys.sign(&claims).expect("sign");
        assert_eq!(keys.verify(&token), Ok(claims));
    }

    #[test]
    fn expired_tokens_are_refused_after_the_leeway() {
        let keys = TokenKeys::new(KEY);
        let mut claims = Claims::new("u", "user", "s", now() - 3600);
        claims.exp = now() - LEEWAY_SECS as i64 - 5;
        let token = keys.sign(&claims).expect("sign");
        assert_eq!(keys.verify(&token), Err(TokenError::Expired));

        claims.exp = now() - 5; // within the leeway
        let token = keys.sign(&claims).expect("sign");
        assert!(keys.verify(&token).is_ok());
    }

    #[test]
    fn tampered_tokens_are_refused() {
        let keys = TokenKeys::new(KEY);
        let claims = Claims::new("u", "user", "s", now());
        let token = keys.sign(&claims).expect("sign");
        let parts: Vec<&str> = token.split('.').collect();

        // Changed payload, original signature: role escalation attempt.
        let mut admin = serde_json::to_value(&claims).expect("json");
        admin["role"] = "admin".into();
        let forged = format!("{}.{}.{}", parts[0], b64(&admin), parts[2]);
        assert_eq!(keys.verify(&forged), Err(TokenError::Invalid));

        // alg: none, no signature.
        let none = format!(
            "{}.{}.",
            b64(&serde_json::json!({"alg":"none","typ":"JWT"})),
            parts[1]
        );
        assert_eq!(keys.verify(&none), Err(TokenError::Invalid));

        // Another algorithm, signed with the same secret.
        let hs512 = jsonwebtoken::encode(
            &Header::new(Algorithm::HS512),
            &claims,
            &EncodingKey::from_secret(KEY),
        )
        .expect("sign");
        assert_eq!(keys.verify(&hs512), Err(TokenError::Invalid));

        // Another key.
        let other = TokenKeys::new(b"another-key-another-key-another-key!!");
        assert_eq!(other.verify(&token), Err(TokenError::Invalid));

        assert_eq!(keys.verify("not.a.token"), Err(TokenError::Invalid));
        assert_eq!(keys.verify(""), Err(TokenError::Invalid));
    }

    #[test]
    fn wrong_audience_issuer_or_type_is_refused() {
        let keys = TokenKeys::new(KEY);
        let base = Claims::new("u", "user", "s", now());
        let variants = [
            Claims {
                aud: "elsewhere".into(),
                ..base.clone()
            },
            Claims {
                iss: "someone-else".into(),
                ..base.clone()
            },
            Claims {
                typ: "refresh".into(),
                ..base.clone()
            },
            Claims {
                nbf: now() + 3600,
                ..base.clone()
            },
        ];
        for claims in variants {
            let token = keys.sign(&claims).expect("sign");
            assert_eq!(keys.verify(&token), Err(TokenError::Invalid), "{claims:?}");
        }
    }

    #[test]
    fn refresh_tokens_are_long_random_and_stored_hashed() {
        let a = new_refresh_token();
        let b = new_refresh_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43, "256 bits in unpadded base64");
        let hash = refresh_token_hash(&a);
        assert_eq!(hash.len(), 64);
        assert_ne!(hash, a);
        assert_eq!(hash, refresh_token_hash(&a));
    }
}
