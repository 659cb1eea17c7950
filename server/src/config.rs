//! Every setting trazo reads, parsed from the environment into one typed struct at start-up, so a
//! bad setting stops the process with a clear message instead of failing on first use.
//! (Over 400 lines because it is one list — each setting, its default, its checks — and the
//! tests of those checks.)

use std::{
    collections::HashMap,
    fmt,
    net::{IpAddr, SocketAddr},
    path::{Path, PathBuf},
};

use rand::RngCore;

pub mod settings;

/// Signing keys shorter than this are refused in production: HS256 wants at least 256 bits.
pub const MIN_SIGNING_KEY_BYTES: usize = 32;

/// Whether the server runs for a developer or for real users.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Development,
    Production,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable, coloured when the output is a terminal.
    Pretty,
    /// One JSON object per line, for log collectors.
    Json,
}

/// A value that must never be printed. `Debug` shows only that it is there.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Vec<u8>);

impl Secret {
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        Self(bytes.into())
    }

    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret([redacted; {} bytes])", self.0.len())
    }
}

/// A connection URL, which may carry a password (`postgres://user:password@host/db`). `Debug`
/// shows it with the password replaced, so printing the configuration never leaks it.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretUrl(String);

impl SecretUrl {
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The URL with any password replaced by `***`, for logs.
    pub fn redacted(&self) -> String {
        redact_url_password(&self.0)
    }
}

impl fmt::Debug for SecretUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretUrl({:?})", self.redacted())
    }
}

/// Where the signing key came from; a generated key means sessions end when the process does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySource {
    Configured,
    GeneratedForDevelopment,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub environment: Environment,
    pub bind_addr: SocketAddr,
    /// The origin browsers use to reach the service (scheme, host, port), e.g. `https://trazo.example`.
    pub public_origin: String,
    pub database_url: SecretUrl,
    pub redis_url: Option<SecretUrl>,
    pub signing_key: Secret,
    pub signing_key_source: KeySource,
    pub cookie_secure: bool,
    pub log_filter: String,
    pub log_format: LogFormat,
    /// Folder holding the compiled front end (`pkg/`) and public assets.
    pub site_root: PathBuf,
    /// Longest time in-flight requests get to finish after a shutdown signal.
    pub shutdown_grace_secs: u64,
    /// Reverse proxies whose `X-Forwarded-For` is believed; empty: the peer address is the client.
    pub trusted_proxies: Vec<IpAddr>,
    /// Accounts one client address may create per hour.
    pub signups_per_hour: u64,
    /// Predictions per user per hour and per day.
    pub predict_per_hour: u64,
    pub predict_per_day: u64,
    /// Largest upload `/api/predict` accepts, in bytes.
    pub predict_max_bytes: usize,
    /// How long cached answers live in Redis.
    pub prediction_cache_ttl_secs: u64,
    /// Threads that run the model, and how many requests may wait for them.
    pub inference_threads: usize,
    pub inference_queue: usize,
    /// A connection that has not sent a whole request head within this is closed.
    pub header_read_timeout_secs: u64,
    /// Connections served at once; further ones are closed as soon as they are accepted.
    pub max_connections: usize,
    /// Failed log-ins one client address may make per hour (over every account).
    pub login_failures_per_address: u64,
    /// Password checks (log-in, sign-up, password changes) one client address may have in
    /// flight at once.
    pub auth_in_flight_per_address: usize,
    /// Password checks that may wait for a hashing thread; beyond that, 503 at once.
    pub auth_queue: usize,
    /// Memory that image decoding may hold at once, in MiB; uploads wait for their share.
    pub decode_memory_mib: u64,
    /// A refresh token presented again within this many seconds of its use gets the same
    /// successor (two tabs, a retried request) instead of ending the session.
    pub refresh_grace_secs: u64,
    /// The pepper every new password hash takes, and older ones that still verify.
    pub password_pepper: Option<Secret>,
    pub password_pepper_previous: Vec<Secret>,
    pub mail: MailConfig,
}

/// Mail: confirming addresses and resetting forgotten passwords.
#[derive(Debug, Clone)]
pub struct MailConfig {
    /// Off: no addresses are taken and no mail is sent (the account features that need mail
    /// say they are not available).
    pub enabled: bool,
    /// Where mail goes: an SMTP server, or (in development, without one) a folder.
    pub delivery: MailDelivery,
    /// The sender, e.g. `trazo <no-reply@trazo.example>`.
    pub from: String,
    /// First retry after a failed delivery; each retry waits twice as long, up to 15 minutes.
    pub retry_secs: u64,
    pub confirm_ttl_secs: i64,
    pub reset_ttl_secs: i64,
    /// Predictions only for accounts with a confirmed address.
    pub require_confirmed_email: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailDelivery {
    /// `smtp://host:port` (STARTTLS when offered, `?tls=required` to insist), or
    /// `smtps://user:password@host:465` (TLS from the start).
    Smtp(SecretUrl),
    /// Each mail written as an `.eml` file, its links logged: for development.
    Folder(PathBuf),
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error("{name} is not valid: {reason}")]
    Invalid { name: &'static str, reason: String },
    #[error("{name} must be set when TRAZO_ENV=production ({hint})")]
    Missing {
        name: &'static str,
        hint: &'static str,
    },
}

fn invalid(name: &'static str, reason: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        name,
        reason: reason.into(),
    }
}

fn parse_bool(name: &'static str, value: &str) -> Result<bool, ConfigError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        other => Err(invalid(
            name,
            format!("expected true or false, got {other:?}"),
        )),
    }
}

/// Checks that `origin` is a bare `http(s)://host[:port]` origin and returns it without a
/// trailing slash.
fn parse_origin(value: &str) -> Result<String, ConfigError> {
    let origin = value.trim().trim_end_matches('/');
    let rest = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
        .ok_or_else(|| invalid("PUBLIC_ORIGIN", "must start with http:// or https://"))?;
    if rest.is_empty() || rest.contains(['/', '?', '#', ' ', '@']) {
        return Err(invalid(
            "PUBLIC_ORIGIN",
            "must be scheme://host[:port] with no path, e.g. https://trazo.example",
        ));
    }
    Ok(origin.to_owned())
}

/// A secret key as the signing key and the pepper must be: long, and not one character repeated.
fn check_secret(name: &'static str, value: &str) -> Result<Secret, ConfigError> {
    if value.len() < MIN_SIGNING_KEY_BYTES {
        return Err(invalid(
            name,
            format!(
                "must be at least {MIN_SIGNING_KEY_BYTES} bytes (e.g. `openssl rand -base64 48`)"
            ),
        ));
    }
    if value.bytes().all(|b| b == value.as_bytes()[0]) {
        return Err(invalid(name, "must not be one repeated character"));
    }
    Ok(Secret::new(value.as_bytes()))
}

/// The mail settings. Production with mail on must name an SMTP server and a sender: a
/// production server writing mail into a folder nobody reads would lose every mail.
fn mail_config(
    get: &impl Fn(&str) -> Option<String>,
    production: bool,
) -> Result<MailConfig, ConfigError> {
    let flag = |name: &'static str, default: bool| -> Result<bool, ConfigError> {
        get(name).map_or(Ok(default), |value| parse_bool(name, &value))
    };
    let seconds = |name: &'static str, default: u64| -> Result<u64, ConfigError> {
        match get(name) {
            Some(value) => value
                .trim()
                .parse()
                .ok()
                .filter(|n: &u64| *n > 0 && *n <= 366 * 24 * 3600)
                .ok_or_else(|| invalid(name, "expected a whole number of seconds above 0")),
            None => Ok(default),
        }
    };
    let enabled = flag("MAIL_ENABLED", true)?;
    let delivery = match get("SMTP_URL") {
        Some(url) => {
            let url = url.trim().to_owned();
            if !(url.starts_with("smtp://") || url.starts_with("smtps://")) {
                return Err(invalid(
                    "SMTP_URL",
                    "must start with smtp:// or smtps:// (e.g. smtps://user:password@smtp.example:465)",
                ));
            }
            MailDelivery::Smtp(SecretUrl(url))
        }
        None if production && enabled => {
            return Err(ConfigError::Missing {
                name: "SMTP_URL",
                hint: "the mail server, e.g. smtps://user:password@smtp.example:465; or \
                       MAIL_ENABLED=false to run without email confirmation and password reset",
            });
        }
        None => MailDelivery::Folder(PathBuf::from(
            get("MAIL_OUTBOX_DIR").unwrap_or_else(|| "data/outbox".to_owned()),
        )),
    };
    let from = match get("MAIL_FROM") {
        Some(from) => {
            let from = from.trim().to_owned();
            if from.parse::<lettre::message::Mailbox>().is_err() {
                return Err(invalid(
                    "MAIL_FROM",
                    "must be an address, e.g. trazo <no-reply@trazo.example>",
                ));
            }
            from
        }
        None if production && enabled => {
            return Err(ConfigError::Missing {
                name: "MAIL_FROM",
                hint: "the sender of trazo's mail, e.g. trazo <no-reply@trazo.example>",
            });
        }
        None => "trazo <trazo@localhost>".to_owned(),
    };
    let require_confirmed_email = flag("REQUIRE_CONFIRMED_EMAIL", false)?;
    if require_confirmed_email && !enabled {
        return Err(invalid(
            "REQUIRE_CONFIRMED_EMAIL",
            "needs MAIL_ENABLED: addresses are confirmed by mail",
        ));
    }
    Ok(MailConfig {
        enabled,
        delivery,
        from,
        retry_secs: seconds("MAIL_RETRY_SECS", 5)?,
        confirm_ttl_secs: seconds("CONFIRM_TOKEN_TTL_SECS", 24 * 3600)? as i64,
        reset_ttl_secs: seconds("RESET_TOKEN_TTL_SECS", 30 * 60)? as i64,
        require_confirmed_email,
    })
}

/// Adds `mode=rwc` to a SQLite URL without a mode, so the database file is created on first run.
fn normalise_database_url(url: &str) -> Result<String, ConfigError> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok(url.to_owned());
    }
    if !url.starts_with("sqlite:") {
        return Err(invalid(
            "DATABASE_URL",
            "must start with sqlite: or postgres://",
        ));
    }
    if url.contains("mode=") || url.contains(":memory:") {
        return Ok(url.to_owned());
    }
    let separator = if url.contains('?') { '&' } else { '?' };
    Ok(format!("{url}{separator}mode=rwc"))
}

impl Config {
    /// Reads the configuration from the process environment and, in development, from a
    /// `.env` file in the working directory, for what the environment does not set.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_env_and(|_| None)
    }

    /// As [`Config::from_env`], with `flags` (settings given on the command line, by variable
    /// name) winning over both.
    pub fn from_env_and(flags: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        Self::from_sources(
            |name| {
                flags(name).or_else(|| std::env::var(name).ok().filter(|v| !v.trim().is_empty()))
            },
            || dotenv_values(Path::new(".env")),
        )
    }

    /// The environment first, then (in development only) the `.env` values: a setting in the
    /// environment always wins. Production never reads the file, and the file cannot switch to
    /// production (that must be a deliberate setting of the environment).
    fn from_sources(
        environment: impl Fn(&str) -> Option<String>,
        file: impl FnOnce() -> Result<HashMap<String, String>, ConfigError>,
    ) -> Result<Self, ConfigError> {
        let production =
            |value: Option<&str>| matches!(value.map(str::trim), Some("production" | "prod"));
        if production(environment("TRAZO_ENV").as_deref()) {
            return Self::from_lookup(environment);
        }
        let file = file()?;
        if production(file.get("TRAZO_ENV").map(String::as_str)) {
            return Err(invalid(
                ".env",
                "it cannot set TRAZO_ENV=production; set that in the environment, with the \
                 production settings",
            ));
        }
        Self::from_lookup(|name| {
            environment(name).or_else(|| {
                file.get(name)
                    .filter(|value| !value.trim().is_empty())
                    .cloned()
            })
        })
    }

    /// Reads the configuration through `get`, which returns a setting's value or `None`.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let environment = match get("TRAZO_ENV").as_deref().map(str::trim) {
            None | Some("development") | Some("dev") => Environment::Development,
            Some("production") | Some("prod") => Environment::Production,
            Some(other) => {
                return Err(invalid(
                    "TRAZO_ENV",
                    format!("expected development or production, got {other:?}"),
                ));
            }
        };
        let production = environment == Environment::Production;

        let bind_addr: SocketAddr = get("BIND_ADDR")
            .or_else(|| get("LEPTOS_SITE_ADDR"))
            .unwrap_or_else(|| "127.0.0.1:3000".to_owned())
            .trim()
            .parse()
            .map_err(|e| invalid("BIND_ADDR", format!("{e} (expected e.g. 127.0.0.1:3000)")))?;

        let public_origin = match get("PUBLIC_ORIGIN") {
            Some(origin) => parse_origin(&origin)?,
            None if production => {
                return Err(ConfigError::Missing {
                    name: "PUBLIC_ORIGIN",
                    hint: "the address people use, e.g. https://trazo.example",
                });
            }
            None => format!("http://{bind_addr}"),
        };

        let database_url = SecretUrl(normalise_database_url(
            get("DATABASE_URL")
                .as_deref()
                .unwrap_or("sqlite://data/trazo.db"),
        )?);

        let redis_url = match get("REDIS_URL") {
            Some(url) if url.starts_with("redis://") || url.starts_with("rediss://") => {
                Some(SecretUrl(url))
            }
            Some(_) => {
                return Err(invalid(
                    "REDIS_URL",
                    "must start with redis:// or rediss://",
                ));
            }
            None => None,
        };

        let (signing_key, signing_key_source) = match get("SIGNING_KEY") {
            Some(key) => (check_secret("SIGNING_KEY", &key)?, KeySource::Configured),
            None if production => {
                return Err(ConfigError::Missing {
                    name: "SIGNING_KEY",
                    hint: "a random secret of at least 32 bytes, e.g. `openssl rand -base64 48`",
                });
            }
            None => {
                let mut key = vec![0u8; 64];
                rand::rng().fill_bytes(&mut key);
                (Secret::new(key), KeySource::GeneratedForDevelopment)
            }
        };

        let cookie_secure = match get("COOKIE_SECURE") {
            Some(value) => parse_bool("COOKIE_SECURE", &value)?,
            None => production || public_origin.starts_with("https://"),
        };

        let log_format = match get("LOG_FORMAT").as_deref().map(str::trim) {
            None if production => LogFormat::Json,
            None => LogFormat::Pretty,
            Some("json") => LogFormat::Json,
            Some("pretty") | Some("human") => LogFormat::Pretty,
            Some(other) => {
                return Err(invalid(
                    "LOG_FORMAT",
                    format!("expected pretty or json, got {other:?}"),
                ));
            }
        };
        let log_filter = get("LOG_LEVEL")
            .or_else(|| get("RUST_LOG"))
            .unwrap_or_else(|| "info".to_owned());

        let site_root = PathBuf::from(
            get("SITE_ROOT")
                .or_else(|| get("LEPTOS_SITE_ROOT"))
                .unwrap_or_else(|| "target/site".to_owned()),
        );

        let shutdown_grace_secs = match get("SHUTDOWN_GRACE_SECS") {
            Some(value) => value.trim().parse().map_err(|_| {
                invalid("SHUTDOWN_GRACE_SECS", "expected a whole number of seconds")
            })?,
            None => 30,
        };

        let trusted_proxies = match get("TRUSTED_PROXIES") {
            Some(list) => list
                .split(',')
                .map(str::trim)
                .filter(|ip| !ip.is_empty())
                .map(|ip| {
                    ip.parse::<IpAddr>().map_err(|_| {
                        invalid(
                            "TRUSTED_PROXIES",
                            format!(
                                "{ip:?} is not an IP address (expected e.g. 10.0.0.2,10.0.0.3)"
                            ),
                        )
                    })
                })
                .collect::<Result<Vec<_>, _>>()?,
            None => Vec::new(),
        };

        let signups_per_hour = match get("SIGNUPS_PER_HOUR") {
            Some(value) => value
                .trim()
                .parse()
                .ok()
                .filter(|n: &u64| *n > 0)
                .ok_or_else(|| invalid("SIGNUPS_PER_HOUR", "expected a whole number above 0"))?,
            None => 10,
        };

        let positive = |name: &'static str, default: u64| -> Result<u64, ConfigError> {
            match get(name) {
                Some(value) => value
                    .trim()
                    .parse()
                    .ok()
                    .filter(|n: &u64| *n > 0)
                    .ok_or_else(|| invalid(name, "expected a whole number above 0")),
                None => Ok(default),
            }
        };
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as u64;
        let predict_per_hour = positive("PREDICT_PER_HOUR", 50)?;
        let predict_per_day = positive("PREDICT_PER_DAY", 200)?;
        let predict_max_bytes = positive("PREDICT_MAX_BYTES", 1024 * 1024)? as usize;
        let prediction_cache_ttl_secs = positive("PREDICTION_CACHE_TTL_SECS", 24 * 3600)?;
        let inference_threads = positive("INFERENCE_THREADS", cores)? as usize;
        let inference_queue = positive("INFERENCE_QUEUE", 256)? as usize;
        let header_read_timeout_secs = positive("HEADER_READ_TIMEOUT_SECS", 10)?;
        let max_connections = positive("MAX_CONNECTIONS", 1024)? as usize;
        let login_failures_per_address = positive("LOGIN_FAILURES_PER_ADDRESS", 50)?;
        let auth_in_flight_per_address = positive("AUTH_IN_FLIGHT_PER_ADDRESS", 2)? as usize;
        let auth_queue = positive("AUTH_QUEUE", 16)? as usize;
        let decode_memory_mib = positive("DECODE_MEMORY_MIB", 160)?;
        // 0 is allowed here: no grace, every reuse ends the session.
        let refresh_grace_secs = match get("REFRESH_GRACE_SECS") {
            Some(value) => value
                .trim()
                .parse()
                .map_err(|_| invalid("REFRESH_GRACE_SECS", "expected a whole number of seconds"))?,
            None => 30,
        };
        let password_pepper = match get("PASSWORD_PEPPER") {
            Some(pepper) => Some(check_secret("PASSWORD_PEPPER", &pepper)?),
            None if production => {
                return Err(ConfigError::Missing {
                    name: "PASSWORD_PEPPER",
                    hint: "a random secret of at least 32 bytes kept out of the database, e.g. \
                           `openssl rand -base64 48`",
                });
            }
            None => None,
        };
        let password_pepper_previous = get("PASSWORD_PEPPER_PREVIOUS")
            .map(|list| {
                list.split(',')
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(|p| check_secret("PASSWORD_PEPPER_PREVIOUS", p))
                    .collect::<Result<Vec<_>, _>>()
            })
            .transpose()?
            .unwrap_or_default();
        if password_pepper.is_none() && !password_pepper_previous.is_empty() {
            return Err(invalid(
                "PASSWORD_PEPPER_PREVIOUS",
                "needs PASSWORD_PEPPER, the pepper new hashes take",
            ));
        }
        let mail = mail_config(&get, production)?;

        if decode_memory_mib * 1024 * 1024 < trazo_model::preprocess::MAX_DECODE_MEMORY {
            return Err(invalid(
                "DECODE_MEMORY_MIB",
                format!(
                    "must be at least {} so the largest accepted image can be decoded",
                    trazo_model::preprocess::MAX_DECODE_MEMORY / (1024 * 1024)
                ),
            ));
        }

        Ok(Self {
            environment,
            bind_addr,
            public_origin,
            database_url,
            redis_url,
            signing_key,
            signing_key_source,
            cookie_secure,
            log_filter,
            log_format,
            site_root,
            shutdown_grace_secs,
            trusted_proxies,
            signups_per_hour,
            predict_per_hour,
            predict_per_day,
            predict_max_bytes,
            prediction_cache_ttl_secs,
            inference_threads,
            inference_queue,
            header_read_timeout_secs,
            max_connections,
            login_failures_per_address,
            auth_in_flight_per_address,
            auth_queue,
            decode_memory_mib,
            refresh_grace_secs,
            password_pepper,
            password_pepper_previous,
            mail,
        })
    }

    pub fn is_production(&self) -> bool {
        self.environment == Environment::Production
    }
}

/// The settings in the `.env` file at `path` (none when there is no such file).
fn dotenv_values(path: &Path) -> Result<HashMap<String, String>, ConfigError> {
    match dotenvy::from_path_iter(path) {
        Ok(items) => items
            .map(|item| item.map_err(|error| invalid(".env", error.to_string())))
            .collect(),
        Err(dotenvy::Error::Io(error)) if error.kind() == std::io::ErrorKind::NotFound => {
            Ok(HashMap::new())
        }
        Err(error) => Err(invalid(".env", error.to_string())),
    }
}

/// Replaces the password in `scheme://user:password@host/...` with `***`.
pub fn redact_url_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split_once(':').map_or(userinfo, |(user, _)| user);
            format!("{scheme}://{user}:***@{host}{tail}")
        }
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Config::from_lookup(|name| vars.get(name).cloned())
    }

    const STRONG_KEY: &str = "0123456789abcdefghijklmnopqrstuvwxyzABCD";
    const PEPPER: &str = "pepper-0123456789abcdefghijklmnopqrstuvwxyz";

    #[test]
    fn production_needs_a_pepper_and_a_mail_server_unless_mail_is_off() {
        let base = [
            ("TRAZO_ENV", "production"),
            ("SIGNING_KEY", STRONG_KEY),
            ("PUBLIC_ORIGIN", "https://trazo.example"),
        ];
        let missing = |err: ConfigError| match err {
            ConfigError::Missing { name, .. } => name,
            other => panic!("expected a missing setting, got {other}"),
        };
        assert_eq!(
            missing(config(&base).expect_err("no pepper")),
            "PASSWORD_PEPPER"
        );
        let peppered = [base.as_slice(), &[("PASSWORD_PEPPER", PEPPER)]].concat();
        assert_eq!(missing(config(&peppered).expect_err("no SMTP")), "SMTP_URL");
        let smtp = [
            peppered.as_slice(),
            &[("SMTP_URL", "smtp://mail.internal:587?tls=required")],
        ]
        .concat();
        assert_eq!(missing(config(&smtp).expect_err("no sender")), "MAIL_FROM");
        let off = [peppered.as_slice(), &[("MAIL_ENABLED", "false")]].concat();
        let config_off = config(&off).expect("mail off is allowed");
        assert!(!config_off.mail.enabled);
        for (name, value) in [
            ("PASSWORD_PEPPER", "short"),
            ("PASSWORD_PEPPER", &"p".repeat(40)),
        ] {
            let err = config(&[(name, value)]).expect_err("weak pepper");
            assert!(err.to_string().starts_with("PASSWORD_PEPPER"), "{err}");
        }
    }

    #[test]
    fn development_mail_goes_to_a_folder_and_the_smtp_password_is_never_shown() {
        let dev = config(&[]).expect("valid");
        assert!(dev.mail.enabled);
        assert_eq!(
            dev.mail.delivery,
            MailDelivery::Folder(PathBuf::from("data/outbox"))
        );
        assert_eq!(dev.mail.reset_ttl_secs, 1800);
        assert_eq!(dev.mail.confirm_ttl_secs, 86_400);
        assert!(dev.password_pepper.is_none());
        let smtp = config(&[
            ("SMTP_URL", "smtps://trazo:mail-secret@smtp.example:465"),
            ("PASSWORD_PEPPER", PEPPER),
            (
                "PASSWORD_PEPPER_PREVIOUS",
                &format!("{PEPPER}-old, {PEPPER}-older"),
            ),
        ])
        .expect("valid");
        assert_eq!(smtp.password_pepper_previous.len(), 2);
        let shown = format!("{smtp:?}");
        assert!(!shown.contains("mail-secret"), "{shown}");
        assert!(!shown.contains(PEPPER), "{shown}");
        for (name, value) in [
            ("SMTP_URL", "http://smtp.example"),
            ("MAIL_FROM", "not an address"),
            ("MAIL_RETRY_SECS", "0"),
        ] {
            let err = config(&[(name, value)]).expect_err("refused");
            assert!(err.to_string().starts_with(name), "{err}");
        }
        let err = config(&[
            ("MAIL_ENABLED", "false"),
            ("REQUIRE_CONFIRMED_EMAIL", "true"),
        ])
        .expect_err("refused");
        assert!(
            err.to_string().starts_with("REQUIRE_CONFIRMED_EMAIL"),
            "{err}"
        );
        let err = config(&[("PASSWORD_PEPPER_PREVIOUS", PEPPER)]).expect_err("refused");
        assert!(
            err.to_string().starts_with("PASSWORD_PEPPER_PREVIOUS"),
            "{err}"
        );
    }

    #[test]
    fn defaults_run_in_development_on_sqlite_without_redis() {
        let config = config(&[]).expect("defaults are valid");
        assert_eq!(config.environment, Environment::Development);
        assert_eq!(config.bind_addr, "127.0.0.1:3000".parse().expect("addr"));
        assert_eq!(config.public_origin, "http://127.0.0.1:3000");
        assert_eq!(
            config.database_url.expose(),
            "sqlite://data/trazo.db?mode=rwc"
        );
        assert_eq!(config.redis_url, None);
        assert_eq!(
            config.signing_key_source,
            KeySource::GeneratedForDevelopment
        );
        assert!(config.signing_key.expose().len() >= MIN_SIGNING_KEY_BYTES);
        assert!(!config.cookie_secure);
        assert_eq!(config.log_format, LogFormat::Pretty);
    }

    #[test]
    fn development_keys_differ_between_starts() {
        let a = config(&[]).expect("valid");
        let b = config(&[]).expect("valid");
        assert_ne!(a.signing_key, b.signing_key);
    }

    #[test]
    fn production_refuses_to_start_without_a_signing_key() {
        let err = config(&[
            ("TRAZO_ENV", "production"),
            ("PUBLIC_ORIGIN", "https://trazo.example"),
        ])
        .expect_err("must fail");
        assert!(matches!(
            err,
            ConfigError::Missing {
                name: "SIGNING_KEY",
                ..
            }
        ));
    }

    #[test]
    fn short_or_repetitive_signing_keys_are_refused() {
        for key in ["too-short", &"a".repeat(64)] {
            let err = config(&[("SIGNING_KEY", key)]).expect_err("weak key");
            assert!(
                matches!(
                    err,
                    ConfigError::Invalid {
                        name: "SIGNING_KEY",
                        ..
                    }
                ),
                "{key}"
            );
        }
    }

    #[test]
    fn production_defaults_to_secure_cookies_and_json_logs() {
        let config = config(&[
            ("TRAZO_ENV", "production"),
            ("SIGNING_KEY", STRONG_KEY),
            ("PUBLIC_ORIGIN", "https://trazo.example/"),
            ("PASSWORD_PEPPER", PEPPER),
            ("SMTP_URL", "smtps://trazo:mail-secret@smtp.example:465"),
            ("MAIL_FROM", "trazo <no-reply@trazo.example>"),
        ])
        .expect("valid");
        assert!(config.cookie_secure);
        assert_eq!(config.log_format, LogFormat::Json);
        assert_eq!(config.public_origin, "https://trazo.example");
        assert_eq!(config.signing_key_source, KeySource::Configured);
    }

    #[test]
    fn production_requires_the_public_origin() {
        let err = config(&[("TRAZO_ENV", "production"), ("SIGNING_KEY", STRONG_KEY)])
            .expect_err("must fail");
        assert!(matches!(
            err,
            ConfigError::Missing {
                name: "PUBLIC_ORIGIN",
                ..
            }
        ));
    }

    #[test]
    fn bad_values_name_the_setting() {
        let cases = [
            ("TRAZO_ENV", "staging"),
            ("BIND_ADDR", "localhost"),
            ("PUBLIC_ORIGIN", "trazo.example"),
            ("PUBLIC_ORIGIN", "https://trazo.example/app"),
            ("DATABASE_URL", "mysql://x"),
            ("REDIS_URL", "localhost:6379"),
            ("COOKIE_SECURE", "maybe"),
            ("LOG_FORMAT", "xml"),
            ("SHUTDOWN_GRACE_SECS", "soon"),
            ("MAX_CONNECTIONS", "0"),
            ("HEADER_READ_TIMEOUT_SECS", "-1"),
            ("DECODE_MEMORY_MIB", "64"),
            ("REFRESH_GRACE_SECS", "half a minute"),
        ];
        for (name, value) in cases {
            let err = config(&[(name, value)]).expect_err(name);
            assert!(err.to_string().starts_with(name), "{name}={value}: {err}");
        }
    }

    #[test]
    fn postgres_urls_pass_through_and_sqlite_urls_get_create_mode() {
        let pg = config(&[("DATABASE_URL", "postgres://u:p@db/trazo")]).expect("valid");
        assert_eq!(pg.database_url.expose(), "postgres://u:p@db/trazo");
        let sqlite =
            config(&[("DATABASE_URL", "sqlite:///srv/trazo.db?cache=shared")]).expect("valid");
        assert_eq!(
            sqlite.database_url.expose(),
            "sqlite:///srv/trazo.db?cache=shared&mode=rwc"
        );
    }

    #[test]
    fn secrets_never_show_in_debug_output() {
        let config = config(&[
            ("SIGNING_KEY", STRONG_KEY),
            ("DATABASE_URL", "postgres://trazo:hunter2@db/trazo"),
            ("REDIS_URL", "redis://:swordfish@cache:6379/0"),
        ])
        .expect("valid");
        let printed = format!("{config:?}");
        assert!(!printed.contains(STRONG_KEY));
        assert!(printed.contains("redacted"));
        assert!(!printed.contains("hunter2"), "{printed}");
        assert!(!printed.contains("swordfish"), "{printed}");
        assert!(printed.contains("postgres://trazo:***@db/trazo"));
    }

    fn file(vars: &[(&str, &str)]) -> HashMap<String, String> {
        vars.iter()
            .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
            .collect()
    }

    #[test]
    fn a_dotenv_file_fills_in_what_the_environment_does_not_set() {
        let environment = |name: &str| (name == "BIND_ADDR").then(|| "127.0.0.1:4000".to_owned());
        let config = Config::from_sources(environment, || {
            Ok(file(&[
                ("BIND_ADDR", "127.0.0.1:5000"),
                ("PREDICT_PER_HOUR", "7"),
            ]))
        })
        .expect("valid");
        assert_eq!(config.bind_addr.port(), 4000, "the environment wins");
        assert_eq!(config.predict_per_hour, 7, "the file fills the gap");
    }

    #[test]
    fn production_never_reads_a_dotenv_file_and_the_file_cannot_turn_it_on() {
        let production = |name: &str| match name {
            "TRAZO_ENV" => Some("production".to_owned()),
            "PUBLIC_ORIGIN" => Some("https://trazo.example".to_owned()),
            "SIGNING_KEY" => Some(STRONG_KEY.to_owned()),
            "PASSWORD_PEPPER" => Some(PEPPER.to_owned()),
            "MAIL_ENABLED" => Some("false".to_owned()),
            _ => None,
        };
        let config = Config::from_sources(production, || -> Result<_, ConfigError> {
            panic!("the file was read in production")
        })
        .expect("valid");
        assert!(config.is_production());

        let refused =
            Config::from_sources(|_: &str| None, || Ok(file(&[("TRAZO_ENV", "production")])))
                .expect_err("refused");
        assert!(refused.to_string().starts_with(".env"), "{refused}");
    }

    #[test]
    fn dotenv_files_are_parsed_and_a_missing_one_is_empty() {
        let dir = std::env::temp_dir().join(format!("trazo-dotenv-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join(".env");
        std::fs::write(
            &path,
            "# a comment\nexport PREDICT_PER_DAY=300\nPUBLIC_ORIGIN=\"http://localhost:3000\"\n",
        )
        .expect("write");
        let values = dotenv_values(&path).expect("parsed");
        assert_eq!(values["PREDICT_PER_DAY"], "300");
        assert_eq!(values["PUBLIC_ORIGIN"], "http://localhost:3000");
        std::fs::write(&path, "NOT A SETTING\n").expect("write");
        assert!(dotenv_values(&path).is_err());
        std::fs::remove_dir_all(&dir).expect("clean up");
        assert!(dotenv_values(&path).expect("missing").is_empty());
    }

    #[test]
    fn passwords_are_redacted_from_urls_for_logs() {
        assert_eq!(
            redact_url_password("postgres://trazo:hunter2@db:5432/trazo"),
            "postgres://trazo:***@db:5432/trazo"
        );
        assert_eq!(
            redact_url_password("sqlite://data/trazo.db"),
            "sqlite://data/trazo.db"
        );
    }
}
