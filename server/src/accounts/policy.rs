//! What makes a username or a password acceptable. Pure functions, checked before any hashing
//! or database work.

use zxcvbn::Score;

pub const USERNAME_MIN: usize = 3;
pub const USERNAME_MAX: usize = 32;
pub const PASSWORD_MIN: usize = 8;
pub const PASSWORD_MAX: usize = 128;

/// A username in its canonical (lowercase) form, known to follow the rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// Why a username or password was refused, in words for a person.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PolicyError(pub String);

/// Lowercases `raw` and checks it: 3–32 characters of `a-z 0-9 . _ -`, starting with a letter
/// or digit.
pub fn parse_username(raw: &str) -> Result<Username, PolicyError> {
    let name = raw.trim().to_lowercase();
    let length = name.chars().count();
    if !(USERNAME_MIN..=USERNAME_MAX).contains(&length) {
        return Err(PolicyError(format!(
            "Usernames are {USERNAME_MIN} to {USERNAME_MAX} characters long."
        )));
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
    {
        return Err(PolicyError(
            "Usernames may use only letters a–z, digits, dots, underscores and hyphens.".into(),
        ));
    }
    if !name.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return Err(PolicyError(
            "Usernames start with a letter or a digit.".into(),
        ));
    }
    Ok(Username(name))
}

/// Checks a new password: 8–128 characters (never truncated) and hard to guess, judged by
/// zxcvbn with the username as context. The refusal carries zxcvbn's advice.
pub fn check_password(password: &str, username: &Username) -> Result<(), PolicyError> {
    let length = password.chars().count();
    if length < PASSWORD_MIN {
        return Err(PolicyError(format!(
            "Passwords are at least {PASSWORD_MIN} characters long."
        )));
    }
    if length > PASSWORD_MAX {
        return Err(PolicyError(format!(
            "Passwords are at most {PASSWORD_MAX} characters long."
        )));
    }
    let estimate = zxcvbn::zxcvbn(password, &[username.as_str(), "trazo"]);
    if estimate.score() >= Score::Three {
        return Ok(());
    }
    let mut reason = String::from("This password is too easy to guess.");
    if let Some(feedback) = estimate.feedback() {
        if let Some(warning) = feedback.warning() {
            reason = format!("{warning}");
            if !reason.ends_with('.') {
                reason.push('.');
            }
        }
        for suggestion in feedback.suggestions() {
            reason.push(' ');
            reason.push_str(&suggestion.to_string());
        }
    } else {
        reason.push_str(" Add more words or characters.");
    }
    Err(PolicyError(reason))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_lowercased_and_checked() {
        let cases: [(&str, Option<&str>); 10] = [
            ("Alice", Some("alice")),
            ("  bob.smith_2-x ", Some("bob.smith_2-x")),
            ("9lives", Some("9lives")),
            ("ab", None),
            (&"a".repeat(33), None),
            ("_alice", None),
            (".alice", None),
            ("alice smith", None),
            ("álvaro", None),
            ("alice@example", None),
        ];
        for (raw, expected) in cases {
            let result = parse_username(raw);
            match expected {
                Some(name) => assert_eq!(result.expect(raw).as_str(), name),
                None => assert!(result.is_err(), "{raw:?} should be refused"),
            }
        }
    }

    fn user(name: &str) -> Username {
        parse_username(name).expect("valid")
    }

    #[test]
    fn strong_passwords_pass() {
        for password in [
            "correct horse battery staple",
            "violet-tractor-91-lantern",
            "Zq8#vR2!mK9@",
        ] {
            assert_eq!(
                check_password(password, &user("alice")),
                Ok(()),
                "{password}"
            );
        }
    }

    #[test]
    fn short_long_and_weak_passwords_are_refused_with_a_reason() {
        let alice = user("alice");
        let cases = [
            "short1!",
            "password",
            "password123",
            "qwertyuiop",
            "alice2024",
            "aliceAlice",
        ];
        for password in cases {
            let error = check_password(password, &alice).expect_err(password);
            assert!(!error.0.is_empty(), "{password}");
        }
        let too_long = "x9!".repeat(43);
        assert!(check_password(&too_long, &alice).is_err());
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        // Eight characters, sixteen bytes: long enough.
        let error = check_password("ññññññññ", &user("alice")).expect_err("weak");
        assert!(!error.0.contains("at least"), "{error}");
        let error = check_password("ñ".repeat(7).as_str(), &user("alice")).expect_err("7 chars");
        assert!(error.0.contains("at least"), "{error}");
    }
}
