//! What makes a username or a password acceptable. Pure functions, checked before any hashing
//! or database work.

use zxcvbn::Score;

pub const USERNAME_MIN: usize = 3;
pub const USERNAME_MAX: usize = 32;
pub const PASSWORD_MIN: usize = 8;
pub const PASSWORD_MAX: usize = 128;
/// zxcvbn's cost grows faster than linearly with length (a 128-character password of mixed
/// symbols took ~1.4 s in a debug build), so only this many leading characters are scored. A
/// password whose first 64 characters are easy to guess is refused whatever follows them.
pub const SCORED_PREFIX: usize = 64;

/// Names that would let someone pass for the service or its staff. Compared after dropping
/// `.`, `_` and `-`, so `ad.min` and `root_` are reserved too. An operator can still create
/// such an account with `server create-admin`.
const RESERVED: &[&str] = &[
    "abuse",
    "account",
    "accounts",
    "admin",
    "administrator",
    "admins",
    "anonymous",
    "api",
    "help",
    "helpdesk",
    "hostmaster",
    "info",
    "login",
    "logout",
    "me",
    "moderator",
    "noreply",
    "null",
    "official",
    "owner",
    "postmaster",
    "register",
    "root",
    "security",
    "server",
    "signup",
    "staff",
    "superuser",
    "support",
    "sysadmin",
    "system",
    "trazo",
    "undefined",
    "webmaster",
];

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

/// The longest address SMTP carries (RFC 5321's path limit, less the angle brackets).
pub const EMAIL_MAX: usize = 254;
pub const BAD_EMAIL: &str =
    "That email address is not valid. Use the form name@example.com (at most 254 characters).";

/// An email address as stored: trimmed, lowercased (so uniqueness ignores case, as mail
/// servers in practice do), and valid by lettre's parser, which is the one that sends to it.
/// The domain must have a dot: a bare host name is not an address a person reads mail at.
pub fn parse_email(raw: &str) -> Result<String, PolicyError> {
    let email = raw.trim().to_lowercase();
    let bad = || PolicyError(BAD_EMAIL.to_owned());
    if email.is_empty() || email.len() > EMAIL_MAX || email.chars().any(char::is_control) {
        return Err(bad());
    }
    let address: lettre::Address = email.parse().map_err(|_| bad())?;
    let domain = address.domain();
    if !domain.contains('.') || domain.starts_with('.') || domain.ends_with('.') {
        return Err(bad());
    }
    Ok(email)
}

/// Refuses names reserved for the service and its staff (see [`RESERVED`]), at sign-up.
pub fn check_not_reserved(username: &Username) -> Result<(), PolicyError> {
    let bare: String = username
        .as_str()
        .chars()
        .filter(|c| !matches!(c, '.' | '_' | '-'))
        .collect();
    if RESERVED.contains(&bare.as_str()) {
        return Err(PolicyError(
            "This username is reserved. Please choose another.".into(),
        ));
    }
    Ok(())
}

/// The cheap half of the password rules: 8–128 characters (never truncated). Checked before
/// anything is counted or scored.
pub fn check_password_length(password: &str) -> Result<(), PolicyError> {
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
    Ok(())
}

/// Checks a new password: its length, then whether it is hard to guess, judged by zxcvbn with
/// the username as context on its first [`SCORED_PREFIX`] characters. The refusal carries
/// zxcvbn's advice. CPU-heavy: call it off the async threads.
pub fn check_password(password: &str, username: &Username) -> Result<(), PolicyError> {
    check_password_length(password)?;
    let scored: String = password.chars().take(SCORED_PREFIX).collect();
    let estimate = zxcvbn::zxcvbn(&scored, &[username.as_str(), "trazo"]);
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
    fn reserved_names_are_refused_in_any_spelling() {
        for name in [
            "admin",
            "Root",
            "administrator",
            "support",
            "ad.min",
            "sys_admin",
            "trazo",
        ] {
            let parsed = parse_username(name).expect("well-formed");
            assert!(check_not_reserved(&parsed).is_err(), "{name}");
        }
        for name in ["alice", "admiral", "rooted", "supporter42"] {
            let parsed = parse_username(name).expect("well-formed");
            assert_eq!(check_not_reserved(&parsed), Ok(()), "{name}");
        }
    }

    #[test]
    fn scoring_the_longest_passwords_is_bounded() {
        // The worst case reported: 128 characters of mixed symbols. Scored on a prefix, it
        // takes a bounded time whatever the length.
        let worst: String = "!a#B$c%D&e(F)g*H+i,J-k.L/m:N;o<P=q>R?s@T[u]V^w_X`y{Z|0}1~2"
            .chars()
            .cycle()
            .take(PASSWORD_MAX)
            .collect();
        let started = std::time::Instant::now();
        assert_eq!(check_password(&worst, &user("alice")), Ok(()));
        let took = started.elapsed();
        assert!(
            took < std::time::Duration::from_millis(500),
            "took {took:?}"
        );
        // What follows a weak prefix does not rescue it.
        let weak_prefix = format!("{}{}", "a".repeat(SCORED_PREFIX), "Zq8#vR2!mK9@");
        assert!(check_password(&weak_prefix, &user("alice")).is_err());
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        // Eight characters, sixteen bytes: long enough.
        let error = check_password("ññññññññ", &user("alice")).expect_err("weak");
        assert!(!error.0.contains("at least"), "{error}");
        let error = check_password("ñ".repeat(7).as_str(), &user("alice")).expect_err("7 chars");
        assert!(error.0.contains("at least"), "{error}");
    }

    #[test]
    fn email_addresses_are_normalised_and_checked() {
        assert_eq!(
            parse_email("  Ana.Diaz+trazo@Example.COM ").as_deref(),
            Ok("ana.diaz+trazo@example.com")
        );
        for bad in [
            "",
            "ana",
            "ana@",
            "@example.com",
            "ana@localhost",
            "ana@example.",
            "ana@@example.com",
            "ana diaz@example.com",
            "ana@exa mple.com",
            "ana@example.com\r\nBcc: x@evil.example",
            "<ana@example.com>",
        ] {
            assert!(parse_email(bad).is_err(), "{bad:?}");
        }
        let long = format!("{}@example.com", "a".repeat(250));
        assert!(parse_email(&long).is_err());
    }
}
