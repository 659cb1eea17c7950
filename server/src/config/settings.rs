//! The list of every setting [`super::Config`] reads: its environment variable, its command-line
//! flag, its default and what it is for. The command line (`server --help`) is built from it, and
//! a test holds it to what `Config::from_lookup` actually reads, so neither can drift.

/// One setting.
#[derive(Debug, Clone, Copy)]
pub struct Setting {
    /// The environment variable, e.g. `BIND_ADDR`.
    pub env: &'static str,
    /// The default, in words when it depends on something else.
    pub default: &'static str,
    pub help: &'static str,
    /// Older or tool-given names read when `env` is unset (e.g. cargo-leptos's).
    pub aliases: &'static [&'static str],
}

impl Setting {
    /// The flag's name: the variable in lower case with dashes (`--bind-addr`).
    pub fn flag(&self) -> String {
        self.env.to_ascii_lowercase().replace('_', "-")
    }
}

const fn setting(env: &'static str, default: &'static str, help: &'static str) -> Setting {
    Setting {
        env,
        default,
        help,
        aliases: &[],
    }
}

pub const SETTINGS: &[Setting] = &[
    setting(
        "TRAZO_ENV",
        "development",
        "development or production. Production refuses to start without SIGNING_KEY and \
         PUBLIC_ORIGIN, never reads .env, turns on Secure cookies and writes JSON logs",
    ),
    Setting {
        aliases: &["LEPTOS_SITE_ADDR"],
        ..setting(
            "BIND_ADDR",
            "127.0.0.1:3000",
            "Address and port to listen on",
        )
    },
    setting(
        "PUBLIC_ORIGIN",
        "http://BIND_ADDR in development; required in production",
        "The origin people reach the service at (scheme://host[:port]), for CSRF checks, \
         HSTS and links",
    ),
    setting(
        "DATABASE_URL",
        "sqlite://data/trazo.db",
        "sqlite://path (created if missing) or postgres://user:password@host/db for several \
         instances sharing one database",
    ),
    setting(
        "REDIS_URL",
        "unset (cache and limits per instance)",
        "redis:// or rediss:// address of the Redis that instances share for the answer \
         cache and the rate limits",
    ),
    setting(
        "SIGNING_KEY",
        "random per run in development; required in production",
        "Secret that signs session tokens, at least 32 bytes (`openssl rand -base64 48`). \
         Prefer the environment to the flag: command lines are visible to other users",
    ),
    setting(
        "COOKIE_SECURE",
        "true in production or when PUBLIC_ORIGIN is https",
        "Secure flag on the session cookies (true or false)",
    ),
    Setting {
        aliases: &["RUST_LOG"],
        ..setting(
            "LOG_LEVEL",
            "info",
            "Log filter in RUST_LOG syntax, e.g. info,sqlx=warn; security events use the \
             target trazo::security",
        )
    },
    setting(
        "LOG_FORMAT",
        "pretty in development, json in production",
        "pretty or json",
    ),
    Setting {
        aliases: &["LEPTOS_SITE_ROOT"],
        ..setting(
            "SITE_ROOT",
            "target/site",
            "Folder with the compiled front end (pkg/) and the public assets",
        )
    },
    setting(
        "SHUTDOWN_GRACE_SECS",
        "30",
        "Seconds in-flight requests get to finish after SIGTERM or Ctrl-C",
    ),
    setting(
        "TRUSTED_PROXIES",
        "none",
        "Comma-separated IPs of reverse proxies whose X-Forwarded-For is believed",
    ),
    setting(
        "SIGNUPS_PER_HOUR",
        "10",
        "Accounts one client address may create per hour",
    ),
    setting("PREDICT_PER_HOUR", "50", "Predictions per user per hour"),
    setting("PREDICT_PER_DAY", "200", "Predictions per user per day"),
    setting(
        "PREDICT_MAX_BYTES",
        "1048576",
        "Largest upload /api/predict accepts, in bytes",
    ),
    setting(
        "PREDICTION_CACHE_TTL_SECS",
        "86400",
        "How long an answer stays in the cache, in seconds",
    ),
    setting(
        "INFERENCE_THREADS",
        "one per core",
        "Threads that run the model",
    ),
    setting(
        "INFERENCE_QUEUE",
        "256",
        "Predictions that may wait for a model thread before /api/predict answers 503",
    ),
    setting(
        "HEADER_READ_TIMEOUT_SECS",
        "10",
        "Seconds a client has to send its request headers",
    ),
    setting(
        "MAX_CONNECTIONS",
        "1024",
        "Open connections served at once; more wait in the listen queue",
    ),
    setting(
        "LOGIN_FAILURES_PER_ADDRESS",
        "50",
        "Failed log-ins one client address may make per hour",
    ),
    setting(
        "AUTH_IN_FLIGHT_PER_ADDRESS",
        "2",
        "Password checks one client address may have in flight at once",
    ),
    setting(
        "AUTH_QUEUE",
        "16",
        "Password checks that may wait for a password thread before 503",
    ),
    setting(
        "DECODE_MEMORY_MIB",
        "160",
        "Memory for decoding uploaded images at once, in MiB",
    ),
    setting(
        "REFRESH_GRACE_SECS",
        "30",
        "Seconds a just-rotated refresh token is still accepted (two tabs refreshing at once)",
    ),
    setting(
        "PASSWORD_PEPPER",
        "none in development; required in production",
        "A secret of at least 32 bytes that enters every new password hash and is never stored \
         in the database",
    ),
    setting(
        "PASSWORD_PEPPER_PREVIOUS",
        "none",
        "Earlier peppers, comma-separated: their hashes still verify and are re-hashed with \
         PASSWORD_PEPPER at the next log-in",
    ),
    setting(
        "MAIL_ENABLED",
        "true",
        "Email addresses, their confirmation and password reset by mail; false turns them off",
    ),
    setting(
        "SMTP_URL",
        "none: mail goes to MAIL_OUTBOX_DIR in development; required in production",
        "The mail server: smtps://user:password@host:465, or smtp://host:587 (STARTTLS when \
         offered; add ?tls=required to insist)",
    ),
    setting(
        "MAIL_FROM",
        "trazo <trazo@localhost> in development; required in production",
        "The sender of trazo's mail, e.g. trazo <no-reply@trazo.example>",
    ),
    setting(
        "MAIL_OUTBOX_DIR",
        "data/outbox",
        "Without SMTP_URL (development): where each mail is written as an .eml file",
    ),
    setting(
        "MAIL_RETRY_SECS",
        "5",
        "Seconds before retrying a mail the server did not accept; doubles each time, up to \
         15 minutes",
    ),
    setting(
        "CONFIRM_TOKEN_TTL_SECS",
        "86400",
        "How long an address confirmation link works",
    ),
    setting(
        "RESET_TOKEN_TTL_SECS",
        "1800",
        "How long a password reset link works",
    ),
    setting(
        "REQUIRE_CONFIRMED_EMAIL",
        "false",
        "Predictions only for accounts with a confirmed email address",
    ),
];

#[cfg(test)]
mod tests {
    use std::{cell::RefCell, collections::BTreeSet};

    use super::*;
    use crate::config::Config;

    /// Every name `Config::from_lookup` asks for, in development and in production.
    fn names_read() -> BTreeSet<String> {
        let asked = RefCell::new(BTreeSet::new());
        for production in [false, true] {
            let _ = Config::from_lookup(|name| {
                asked.borrow_mut().insert(name.to_owned());
                match name {
                    "TRAZO_ENV" if production => Some("production".to_owned()),
                    "PUBLIC_ORIGIN" if production => Some("https://trazo.example".to_owned()),
                    "SIGNING_KEY" if production => Some("k".repeat(31) + "!"),
                    "PASSWORD_PEPPER" if production => Some("p".repeat(31) + "!"),
                    _ => None,
                }
            });
        }
        asked.into_inner()
    }

    #[test]
    fn the_list_names_exactly_what_the_configuration_reads() {
        let listed: BTreeSet<String> = SETTINGS
            .iter()
            .flat_map(|s| std::iter::once(s.env).chain(s.aliases.iter().copied()))
            .map(str::to_owned)
            .collect();
        assert_eq!(listed, names_read());
        assert!(listed.len() > 20, "{listed:?}");
    }

    #[test]
    fn flags_are_the_variables_in_lower_case_with_dashes() {
        assert_eq!(SETTINGS[1].flag(), "bind-addr");
        let flags: BTreeSet<String> = SETTINGS.iter().map(Setting::flag).collect();
        assert_eq!(flags.len(), SETTINGS.len(), "no two settings share a flag");
    }
}
