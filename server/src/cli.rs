//! The command line: `server [COMMAND] [--setting value …]`, built with clap from the list of
//! settings (`config::settings`), so `--help` names every setting with its environment
//! variable and default. A flag given on the command line wins over the environment, which wins
//! over a development `.env` file.

use std::{collections::HashMap, ffi::OsString};

use clap::{Arg, ArgMatches, Command as Clap, parser::ValueSource};

use crate::config::settings::SETTINGS;

/// What the binary was asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Serve the app (also `server serve`).
    Serve,
    /// Create `username` as an admin, or promote it.
    CreateAdmin { username: String },
    /// Bring the database's schema up to date and exit.
    Migrate,
    /// Print what would run, check the database and Redis, exit non-zero on any problem.
    CheckConfig,
}

/// A parsed command line.
#[derive(Debug)]
pub struct Invocation {
    pub command: Command,
    /// Settings given as flags, by environment variable name.
    flags: HashMap<&'static str, String>,
}

impl Invocation {
    /// Parses `args` (the program name first). Errors are clap's, including `--help` and
    /// `--version`, which the caller prints with `Error::exit`.
    pub fn parse_from<I, T>(args: I) -> Result<Self, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<OsString> + Clone,
    {
        let matches = command().try_get_matches_from(args)?;
        let (command, sub) = match matches.subcommand() {
            Some(("create-admin", sub)) => (
                Command::CreateAdmin {
                    username: sub
                        .get_one::<String>("username")
                        .cloned()
                        .unwrap_or_default(),
                },
                Some(sub),
            ),
            Some(("migrate", sub)) => (Command::Migrate, Some(sub)),
            Some(("check-config", sub)) => (Command::CheckConfig, Some(sub)),
            Some(("serve", sub)) => (Command::Serve, Some(sub)),
            _ => (Command::Serve, None),
        };
        let mut flags = HashMap::new();
        for setting in SETTINGS {
            // Global flags given after the subcommand are in its matches.
            let given = sub
                .and_then(|sub| from_command_line(sub, setting.env))
                .or_else(|| from_command_line(&matches, setting.env));
            if let Some(value) = given {
                flags.insert(setting.env, value);
            }
        }
        Ok(Self { command, flags })
    }

    /// The value given on the command line for the setting whose variable is `env`.
    pub fn flag(&self, env: &str) -> Option<String> {
        self.flags.get(env).cloned()
    }
}

/// Only what was typed counts here; the environment is read by the configuration itself (with
/// the `.env` file after it), so the order is the same for every setting.
fn from_command_line(matches: &ArgMatches, id: &str) -> Option<String> {
    (matches.value_source(id) == Some(ValueSource::CommandLine))
        .then(|| matches.get_one::<String>(id).cloned())
        .flatten()
}

/// `trazo 0.1.0 (model …, preprocessing v…)`.
pub fn version() -> String {
    format!(
        "{} (model {}, preprocessing v{})",
        env!("CARGO_PKG_VERSION"),
        trazo_model::MODEL_VERSION,
        trazo_model::PREPROCESS_VERSION
    )
}

/// The whole command line, with a flag for every setting.
pub fn command() -> Clap {
    let settings = SETTINGS.iter().map(|setting| {
        let mut help = format!("{} [default: {}]", setting.help, setting.default);
        if !setting.aliases.is_empty() {
            help.push_str(&format!(" (also read from {})", setting.aliases.join(", ")));
        }
        Arg::new(setting.env)
            .long(setting.flag())
            .value_name(setting.env)
            .env(setting.env)
            // `--help` must never print a secret that happens to be in the environment.
            .hide_env_values(true)
            .help(help)
            .global(true)
            .help_heading("Settings (flag, or environment variable, or .env in development)")
    });
    Clap::new("trazo")
        .bin_name("server")
        .version(version())
        .about("trazo: handwritten digits recognised by a CNN, with accounts and a JSON API")
        .long_about(None)
        .subcommand(Clap::new("serve").about("Serve the app (what `server` alone does)"))
        .subcommand(
            Clap::new("create-admin")
                .about(
                    "Create an account as an admin, or promote an existing one; a new \
                     account's password is read from standard input (one line), never from \
                     the command line",
                )
                .arg(Arg::new("username").required(true).value_name("USERNAME")),
        )
        .subcommand(Clap::new("migrate").about("Bring the database's schema up to date and exit"))
        .subcommand(Clap::new("check-config").about(
            "Print what would run, check the database and Redis; exit non-zero on any problem",
        ))
        .args(settings)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Invocation {
        Invocation::parse_from(std::iter::once("server").chain(args.iter().copied()))
            .expect("parsed")
    }

    #[test]
    fn the_command_line_is_consistent() {
        command().debug_assert();
    }

    #[test]
    fn flags_are_read_before_and_after_the_command() {
        let before = parse(&["--bind-addr", "127.0.0.1:4000", "migrate"]);
        assert_eq!(before.command, Command::Migrate);
        assert_eq!(before.flag("BIND_ADDR").as_deref(), Some("127.0.0.1:4000"));
        let after = parse(&["check-config", "--predict-per-hour=7"]);
        assert_eq!(after.command, Command::CheckConfig);
        assert_eq!(after.flag("PREDICT_PER_HOUR").as_deref(), Some("7"));
        assert_eq!(after.flag("BIND_ADDR"), None, "not given");
        let admin = parse(&["create-admin", "ana"]);
        assert_eq!(
            admin.command,
            Command::CreateAdmin {
                username: "ana".into()
            }
        );
        assert_eq!(parse(&[]).command, Command::Serve);
    }

    #[test]
    fn help_names_every_setting_with_its_variable_and_default() {
        let help = command().render_help().to_string();
        for setting in SETTINGS {
            assert!(help.contains(&format!("--{}", setting.flag())), "{help}");
            assert!(help.contains(&format!("[env: {}", setting.env)), "{help}");
            assert!(help.contains(setting.default), "{}: {help}", setting.env);
        }
    }

    #[test]
    fn unknown_flags_and_a_missing_username_are_refused() {
        assert!(Invocation::parse_from(["server", "--no-such-flag"]).is_err());
        assert!(Invocation::parse_from(["server", "create-admin"]).is_err());
    }
}
