//! The server's messages in the reader's language. The JSON API keeps sending its messages
//! (`{"msg": ...}`, `{"error": ...}`) in English — and two in Spanish, from the original
//! service — because they are its contract with scripts; the pages recognise them here and
//! show each one from the catalogue (`app/locales/<lang>/server.ftl`, keys `server-…`).
//!
//! Recognising is a pure function of the text ([`recognise`]): fixed messages by their whole
//! text, messages with variable parts (a wait, a limit, a size, a username) by their fixed
//! parts, the variables taken out and put back through Fluent, numbers formatted by [`fmt`].
//! The English catalogue says exactly what the server says, so an English reader sees the
//! server's own words. A message not recognised (a new one, or one already translated) is
//! shown as it came.

use super::{I18n, fmt, lang_of, tr};
use crate::api::{
    BAD_DIGIT, BAD_LABEL_FILTER, EMAIL_CONFIRMED, EMAIL_UNCONFIRMED, LANGUAGE_SAVED,
    LANGUAGE_UNKNOWN, LINK_EXPIRED, LINK_UNKNOWN, LINK_USED, MISSING_AUTHORIZATION, NO_FILE,
    NOT_AN_IMAGE, PASSWORD_RESET, RESET_REQUESTED, TOKEN_EXPIRED,
};

/// The message in the current language: a known server message by its catalogue entry,
/// anything else as the server sent it.
pub fn server_text(i18n: I18n, msg: &str) -> String {
    match recognise(msg) {
        Some(known) => render(i18n, &known),
        None => msg.to_owned(),
    }
}

/// A message the server (or the API client, for failures before the server answers) sends,
/// with its variable parts.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Known<'a> {
    /// A message without variable parts.
    Fixed(Fixed),
    /// `{what}. Try again in {wait}.` (server/src/failure.rs, `too_many`).
    TooMany(TooMany, Wait),
    /// `Usernames are {min} to {max} characters long.` (accounts/policy.rs).
    UsernameLength { min: u64, max: u64 },
    /// `Passwords are at least {min} characters long.` (accounts/policy.rs).
    PasswordTooShort { min: u64 },
    /// `Passwords are at most {max} characters long.` (accounts/policy.rs).
    PasswordTooLong { max: u64 },
    /// A password the strength rules refused: zxcvbn's warning and suggestions, or our own
    /// sentences, one after another (accounts/policy.rs, `check_password`).
    PasswordAdvice(Vec<Advice>),
    /// `The search is too long ({max} characters at most)` (accounts/admin.rs).
    SearchTooLong { max: u64 },
    /// `{username} is disabled and logged out` (accounts/admin.rs).
    UserDisabled { username: &'a str },
    /// `{username} is enabled` (accounts/admin.rs).
    UserEnabled { username: &'a str },
    /// `The file is too large. Please send an image under {size}.` (edge/body_limit.rs).
    FileTooLarge(Size),
    /// `The request is too large ({size} at most).` (edge/body_limit.rs).
    RequestTooLarge(Size),
    /// `Use {methods} for this endpoint` (edge/api.rs).
    UseMethods { methods: &'a str },
    /// `Method not allowed: {method}` (api/wire.rs, `ApiError::from_server_fn_error`).
    MethodNotAllowed { method: &'a str },
    /// `The request body is not valid: {reason}` (api/wire.rs).
    BodyNotValid { reason: &'a str },
    /// `This server runs model {version}: reload the page for its live guess.` (edge/weights.rs).
    WrongModel { version: &'a str },
}

/// The messages without variable parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fixed {
    // server/src/failure.rs, edge/security.rs, api/wire.rs
    Internal,
    DatabaseUnavailable,
    // accounts/sessions.rs
    TokenExpired,
    MissingAuthorization,
    InvalidToken,
    MissingRefreshToken,
    RefreshTokenReused,
    InvalidAuthorizationHeader,
    AuthorizationForm,
    // accounts/refusals.rs
    MissingCredentials,
    BadCredentials,
    SessionEnded,
    PasswordChecksBusy,
    TooManyAtOnce,
    // accounts/policy.rs
    UsernameCharacters,
    UsernameStart,
    BadEmail,
    UsernameReserved,
    // accounts/service.rs
    UsernameTaken,
    Registered,
    MailDisabled,
    AccountDisabled,
    PasswordChangeFields,
    PasswordChanged,
    PasswordNotCorrect,
    LoggedOutEverywhere,
    PasswordRequired,
    AccountDeleted,
    LanguageUnknown,
    LanguageSaved,
    // accounts/service/addresses.rs
    EmailConfirmed,
    LinkUnknown,
    LinkUsed,
    LinkExpired,
    LinkReplaced,
    AddressTaken,
    NoAddress,
    AddressAlreadyConfirmed,
    ConfirmationSent,
    EmailChangeFields,
    AddressUnchanged,
    AddressChanged,
    // accounts/service/recovery.rs
    ResetLoginRequired,
    ResetRequested,
    NewPasswordRequired,
    PasswordReset,
    // predictions/quota.rs
    EmailUnconfirmed,
    // accounts/admin.rs
    AdminOnly,
    AdminDisableFields,
    NoSuchUser,
    CannotDisableSelf,
    // edge/ports.rs
    LoggedOut,
    LabelIdRequired,
    BadDigit,
    BadLabelFilter,
    NoSuchPrediction,
    HistoryCleared,
    NoFile,
    // predictions/predictor.rs
    NotAnImage,
    ImagesBusy,
    ImageUnreadable,
    ImageTooManyPixels,
    NoDigit,
    RecogniserBusy,
    RecogniserUnavailable,
    // admission.rs, edge/api.rs, edge/csrf.rs, edge/dataset.rs, edge/charts.rs
    DownloadsBusy,
    NoSuchEndpoint,
    CrossSite,
    NoSuchDatasetFile,
    NoSuchChart,
    // app/src/api (the browser's side of a failed call), app/src/auth.rs, app/src/pages/draw.rs
    Unreachable,
    PredictionsUnavailable,
    AccountsUnavailable,
    RequestUnavailable,
    BrowserCannotSend,
    SessionEndedLogInAgain,
}

/// What ran out, in a `too_many` refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TooMany {
    /// accounts/refusals.rs
    Signups,
    FailuresFromNetwork,
    FailuresForAccount,
    /// accounts/service/addresses.rs
    ConfirmationMails,
    /// accounts/service/recovery.rs
    ResetRequests,
    /// edge/ports.rs
    Labels {
        per_hour: u64,
    },
    /// predictions/quota.rs
    PredictionsPerHour {
        limit: u64,
    },
    PredictionsPerDay {
        limit: u64,
    },
    Predictions,
}

/// A wait as the server words it (`human_duration`): whole seconds, minutes or hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Wait {
    count: u64,
    unit: WaitUnit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WaitUnit {
    Seconds,
    Minutes,
    Hours,
}

/// A size as the server words it (`human_size`): `{n} MiB`, `{n} KiB` or `{n} bytes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Size {
    amount: u64,
    unit: SizeUnit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SizeUnit {
    Bytes,
    Kib,
    Mib,
}

/// One sentence of a refused password's advice: zxcvbn's warnings and suggestions (their
/// English, as `zxcvbn` 3.1 writes them), and the two sentences of our own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Advice {
    TooEasy,
    AddMore,
    StraightRows,
    ShortKeyboardPatterns,
    RepeatsLikeAaa,
    RepeatsLikeAbcAbc,
    Top10,
    Top100,
    VeryCommon,
    SimilarToCommon,
    Sequences,
    RecentYears,
    WordByItself,
    Dates,
    NamesByThemselves,
    CommonNames,
    UseAFewWords,
    NoNeedForSymbols,
    AddAnotherWord,
    Capitalization,
    AllUppercase,
    ReversedWords,
    PredictableSubstitutions,
    LongerKeyboardPattern,
    AvoidRepeats,
    AvoidSequences,
    AvoidRecentYears,
    AvoidYearsAssociated,
    AvoidDatesAssociated,
}

const ADVICE: [(&str, Advice); 29] = [
    ("This password is too easy to guess.", Advice::TooEasy),
    ("Add more words or characters.", Advice::AddMore),
    (
        "Straight rows of keys are easy to guess.",
        Advice::StraightRows,
    ),
    (
        "Short keyboard patterns are easy to guess.",
        Advice::ShortKeyboardPatterns,
    ),
    (
        "Repeats like \"aaa\" are easy to guess.",
        Advice::RepeatsLikeAaa,
    ),
    (
        "Repeats like \"abcabcabc\" are only slightly harder to guess than \"abc\".",
        Advice::RepeatsLikeAbcAbc,
    ),
    ("This is a top-10 common password.", Advice::Top10),
    ("This is a top-100 common password.", Advice::Top100),
    ("This is a very common password.", Advice::VeryCommon),
    (
        "This is similar to a commonly used password.",
        Advice::SimilarToCommon,
    ),
    (
        "Sequences like abc or 6543 are easy to guess.",
        Advice::Sequences,
    ),
    ("Recent years are easy to guess.", Advice::RecentYears),
    ("A word by itself is easy to guess.", Advice::WordByItself),
    ("Dates are often easy to guess.", Advice::Dates),
    (
        "Names and surnames by themselves are easy to guess.",
        Advice::NamesByThemselves,
    ),
    (
        "Common names and surnames are easy to guess.",
        Advice::CommonNames,
    ),
    (
        "Use a few words, avoid common phrases.",
        Advice::UseAFewWords,
    ),
    (
        "No need for symbols, digits, or uppercase letters.",
        Advice::NoNeedForSymbols,
    ),
    (
        "Add another word or two. Uncommon words are better.",
        Advice::AddAnotherWord,
    ),
    (
        "Capitalization doesn't help very much.",
        Advice::Capitalization,
    ),
    (
        "All-uppercase is almost as easy to guess as all-lowercase.",
        Advice::AllUppercase,
    ),
    (
        "Reversed words aren't much harder to guess.",
        Advice::ReversedWords,
    ),
    (
        "Predictable substitutions like '@' instead of 'a' don't help very much.",
        Advice::PredictableSubstitutions,
    ),
    (
        "Use a longer keyboard pattern with more turns.",
        Advice::LongerKeyboardPattern,
    ),
    ("Avoid repeated words and characters.", Advice::AvoidRepeats),
    ("Avoid sequences.", Advice::AvoidSequences),
    ("Avoid recent years.", Advice::AvoidRecentYears),
    (
        "Avoid years that are associated with you.",
        Advice::AvoidYearsAssociated,
    ),
    (
        "Avoid dates and years that are associated with you.",
        Advice::AvoidDatesAssociated,
    ),
];

/// What `msg` is, if it is one of the messages above.
fn recognise(msg: &str) -> Option<Known<'_>> {
    if let Some(fixed) = fixed(msg) {
        return Some(Known::Fixed(fixed));
    }
    if let Some((what, wait)) = split_wait(msg) {
        return too_many(what).map(|what| Known::TooMany(what, wait));
    }
    if let Some((min, max)) = msg
        .strip_prefix("Usernames are ")
        .and_then(|rest| rest.strip_suffix(" characters long."))
        .and_then(|rest| rest.split_once(" to "))
    {
        return Some(Known::UsernameLength {
            min: number(min)?,
            max: number(max)?,
        });
    }
    if let Some(rest) = msg
        .strip_prefix("Passwords are at ")
        .and_then(|rest| rest.strip_suffix(" characters long."))
    {
        if let Some(min) = rest.strip_prefix("least ") {
            return Some(Known::PasswordTooShort { min: number(min)? });
        }
        if let Some(max) = rest.strip_prefix("most ") {
            return Some(Known::PasswordTooLong { max: number(max)? });
        }
        return None;
    }
    if let Some(max) = msg
        .strip_prefix("The search is too long (")
        .and_then(|rest| rest.strip_suffix(" characters at most)"))
    {
        return Some(Known::SearchTooLong { max: number(max)? });
    }
    if let Some(username) = msg.strip_suffix(" is disabled and logged out") {
        return is_username(username).then_some(Known::UserDisabled { username });
    }
    if let Some(username) = msg.strip_suffix(" is enabled") {
        return is_username(username).then_some(Known::UserEnabled { username });
    }
    if let Some(size) = msg
        .strip_prefix("The file is too large. Please send an image under ")
        .and_then(|rest| rest.strip_suffix('.'))
    {
        return Some(Known::FileTooLarge(parse_size(size)?));
    }
    if let Some(size) = msg
        .strip_prefix("The request is too large (")
        .and_then(|rest| rest.strip_suffix(" at most)."))
    {
        return Some(Known::RequestTooLarge(parse_size(size)?));
    }
    if let Some(methods) = msg
        .strip_prefix("Use ")
        .and_then(|rest| rest.strip_suffix(" for this endpoint"))
    {
        let is_method_list = !methods.is_empty()
            && methods
                .chars()
                .all(|c| c.is_ascii_uppercase() || c == ',' || c == ' ');
        return is_method_list.then_some(Known::UseMethods { methods });
    }
    if let Some(method) = msg.strip_prefix("Method not allowed: ") {
        return Some(Known::MethodNotAllowed { method });
    }
    if let Some(reason) = msg.strip_prefix("The request body is not valid: ") {
        return Some(Known::BodyNotValid { reason });
    }
    if let Some(version) = msg
        .strip_prefix("This server runs model ")
        .and_then(|rest| rest.strip_suffix(": reload the page for its live guess."))
    {
        return Some(Known::WrongModel { version });
    }
    password_advice(msg).map(Known::PasswordAdvice)
}

/// The messages without variable parts, by their whole text.
fn fixed(msg: &str) -> Option<Fixed> {
    Some(match msg {
        "Something went wrong on our side. Please try again." => Fixed::Internal,
        "The database is not available right now. Please try again shortly." => {
            Fixed::DatabaseUnavailable
        }
        TOKEN_EXPIRED => Fixed::TokenExpired,
        MISSING_AUTHORIZATION => Fixed::MissingAuthorization,
        "Invalid token" => Fixed::InvalidToken,
        "Missing refresh token" => Fixed::MissingRefreshToken,
        "This refresh token was already used, so the session was ended for safety. Please log in again." => {
            Fixed::RefreshTokenReused
        }
        "Invalid Authorization header" => Fixed::InvalidAuthorizationHeader,
        "Authorization header must be of the form: Bearer <token>" => Fixed::AuthorizationForm,
        "Username and password required" => Fixed::MissingCredentials,
        "Bad username or password" => Fixed::BadCredentials,
        "Session has ended; please log in again" => Fixed::SessionEnded,
        "Too many log-ins and sign-ups are being checked right now. Please try again in a moment." => {
            Fixed::PasswordChecksBusy
        }
        "Too many log-ins or sign-ups from your network at once. Try again in a second." => {
            Fixed::TooManyAtOnce
        }
        "Usernames may use only letters a–z, digits, dots, underscores and hyphens." => {
            Fixed::UsernameCharacters
        }
        "Usernames start with a letter or a digit." => Fixed::UsernameStart,
        "That email address is not valid. Use the form name@example.com (at most 254 characters)." => {
            Fixed::BadEmail
        }
        "This username is reserved. Please choose another." => Fixed::UsernameReserved,
        "Username already exists" => Fixed::UsernameTaken,
        "User registered successfully" => Fixed::Registered,
        "This server does not send mail, so email addresses and password reset by mail are not available. Ask the administrator." => {
            Fixed::MailDisabled
        }
        "This account has been disabled. Contact the administrator." => Fixed::AccountDisabled,
        "Current and new password required" => Fixed::PasswordChangeFields,
        "Password changed. Your other sessions have been logged out." => Fixed::PasswordChanged,
        "The password is not correct" => Fixed::PasswordNotCorrect,
        "Logged out on every device" => Fixed::LoggedOutEverywhere,
        "Password required" => Fixed::PasswordRequired,
        "Your account and its data have been deleted" => Fixed::AccountDeleted,
        LANGUAGE_UNKNOWN => Fixed::LanguageUnknown,
        LANGUAGE_SAVED => Fixed::LanguageSaved,
        EMAIL_CONFIRMED => Fixed::EmailConfirmed,
        LINK_UNKNOWN => Fixed::LinkUnknown,
        LINK_USED => Fixed::LinkUsed,
        LINK_EXPIRED => Fixed::LinkExpired,
        "This link is for an address that is no longer on the account." => Fixed::LinkReplaced,
        "This address is already confirmed for another account." => Fixed::AddressTaken,
        "There is no address to confirm. Add one on your account page." => Fixed::NoAddress,
        "Your address is already confirmed." => Fixed::AddressAlreadyConfirmed,
        "We sent a new confirmation link. It can take a few minutes to arrive." => {
            Fixed::ConfirmationSent
        }
        "New address and password required" => Fixed::EmailChangeFields,
        "That is already your confirmed address." => Fixed::AddressUnchanged,
        "Address changed. We sent a link to the new address to confirm it." => {
            Fixed::AddressChanged
        }
        "Username or email address required" => Fixed::ResetLoginRequired,
        RESET_REQUESTED => Fixed::ResetRequested,
        "New password required" => Fixed::NewPasswordRequired,
        PASSWORD_RESET => Fixed::PasswordReset,
        EMAIL_UNCONFIRMED => Fixed::EmailUnconfirmed,
        "Only administrators can do this" => Fixed::AdminOnly,
        "Username and disabled (true or false) required" => Fixed::AdminDisableFields,
        "No such user" => Fixed::NoSuchUser,
        "You cannot disable your own account" => Fixed::CannotDisableSelf,
        "Logged out" => Fixed::LoggedOut,
        "id is required" => Fixed::LabelIdRequired,
        BAD_DIGIT => Fixed::BadDigit,
        BAD_LABEL_FILTER => Fixed::BadLabelFilter,
        "No such prediction in your history" => Fixed::NoSuchPrediction,
        "Your history has been cleared" => Fixed::HistoryCleared,
        NO_FILE => Fixed::NoFile,
        NOT_AN_IMAGE => Fixed::NotAnImage,
        "The server is busy reading other images. Please try again in a second." => {
            Fixed::ImagesBusy
        }
        "The image could not be read: the file looks damaged or incomplete." => {
            Fixed::ImageUnreadable
        }
        "The image has too many pixels: at most 4096 × 4096. Please send a smaller picture." => {
            Fixed::ImageTooManyPixels
        }
        "No digit found in the image. Draw or photograph a single digit with clear contrast." => {
            Fixed::NoDigit
        }
        "The recogniser is busy right now. Please try again in a second." => Fixed::RecogniserBusy,
        "The recogniser is not available right now. Please try again shortly." => {
            Fixed::RecogniserUnavailable
        }
        "The server is busy preparing other downloads. Please try again in a few seconds." => {
            Fixed::DownloadsBusy
        }
        "No such API endpoint" => Fixed::NoSuchEndpoint,
        "Cross-site request refused" => Fixed::CrossSite,
        "No such file: the dataset is images-idx3-ubyte.gz, labels-idx1-ubyte.gz or digits.csv" => {
            Fixed::NoSuchDatasetFile
        }
        "No such chart: hours.svg, days.svg, confidence.svg or confusion.svg" => Fixed::NoSuchChart,
        "Could not reach trazo. Check your connection and try again." => Fixed::Unreachable,
        "The prediction service is not available." => Fixed::PredictionsUnavailable,
        "The accounts service is not available." => Fixed::AccountsUnavailable,
        "The request is not available." => Fixed::RequestUnavailable,
        "This browser cannot send files." => Fixed::BrowserCannotSend,
        "Your session has ended. Please log in again." => Fixed::SessionEndedLogInAgain,
        _ => return None,
    })
}

/// `{what}. Try again in {n} {unit}.` split into `what` and the wait.
fn split_wait(msg: &str) -> Option<(&str, Wait)> {
    let (what, wait) = msg.strip_suffix('.')?.rsplit_once(". Try again in ")?;
    let (count, unit) = wait.split_once(' ')?;
    let unit = match unit {
        "second" | "seconds" => WaitUnit::Seconds,
        "minute" | "minutes" => WaitUnit::Minutes,
        "hour" | "hours" => WaitUnit::Hours,
        _ => return None,
    };
    Some((
        what,
        Wait {
            count: number(count)?,
            unit,
        },
    ))
}

/// The `what` of a `too_many` refusal.
fn too_many(what: &str) -> Option<TooMany> {
    Some(match what {
        "Too many accounts were created from your network" => TooMany::Signups,
        "Too many failed log-ins from your network" => TooMany::FailuresFromNetwork,
        "Too many failed log-ins for this account" => TooMany::FailuresForAccount,
        "Too many confirmation mails were asked for this account" => TooMany::ConfirmationMails,
        "Too many password reset requests from your network" => TooMany::ResetRequests,
        "Rate limit reached (the limit)" => TooMany::Predictions,
        _ => {
            if let Some(per_hour) = what
                .strip_prefix("Labels limit reached (")
                .and_then(|rest| rest.strip_suffix(" an hour)"))
            {
                return Some(TooMany::Labels {
                    per_hour: number(per_hour)?,
                });
            }
            let window = what
                .strip_prefix("Rate limit reached (")?
                .strip_suffix(')')?;
            if let Some(limit) = window.strip_suffix(" an hour") {
                return Some(TooMany::PredictionsPerHour {
                    limit: number(limit)?,
                });
            }
            let limit = window.strip_suffix(" a day")?;
            TooMany::PredictionsPerDay {
                limit: number(limit)?,
            }
        }
    })
}

/// A whole number written with ASCII digits only.
fn number(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// A username as the server stores it (lowercase letters, digits, `.`, `_`, `-`).
fn is_username(text: &str) -> bool {
    (1..=64).contains(&text.len())
        && text
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
}

fn parse_size(text: &str) -> Option<Size> {
    let (amount, unit) = text.split_once(' ')?;
    let unit = match unit {
        "bytes" => SizeUnit::Bytes,
        "KiB" => SizeUnit::Kib,
        "MiB" => SizeUnit::Mib,
        _ => return None,
    };
    Some(Size {
        amount: number(amount)?,
        unit,
    })
}

/// The sentences of a refused password's advice, each one known, separated by one space.
fn password_advice(msg: &str) -> Option<Vec<Advice>> {
    let mut rest = msg;
    let mut found = Vec::new();
    loop {
        let (text, advice) = ADVICE
            .iter()
            .filter(|(text, _)| rest.starts_with(*text))
            .max_by_key(|(text, _)| text.len())?;
        found.push(*advice);
        rest = &rest[text.len()..];
        if rest.is_empty() {
            return Some(found);
        }
        rest = rest.strip_prefix(' ')?;
    }
}

/// A count for Fluent (plural selection) and for [`fmt::int`].
fn whole(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn render(i18n: I18n, known: &Known<'_>) -> String {
    let lang = lang_of(i18n);
    match *known {
        Known::Fixed(fixed) => render_fixed(i18n, fixed),
        Known::TooMany(what, wait) => {
            let wait = render_wait(i18n, wait);
            match what {
                TooMany::Signups => tr!(i18n, "server-too-many-signups", {"wait" => wait}),
                TooMany::FailuresFromNetwork => {
                    tr!(i18n, "server-too-many-failures-network", {"wait" => wait})
                }
                TooMany::FailuresForAccount => {
                    tr!(i18n, "server-too-many-failures-account", {"wait" => wait})
                }
                TooMany::ConfirmationMails => {
                    tr!(i18n, "server-too-many-confirmation-mails", {"wait" => wait})
                }
                TooMany::ResetRequests => {
                    tr!(i18n, "server-too-many-reset-requests", {"wait" => wait})
                }
                TooMany::Labels { per_hour } => tr!(i18n, "server-labels-limit", {
                    "limit" => fmt::int(lang, whole(per_hour)),
                    "wait" => wait,
                }),
                TooMany::PredictionsPerHour { limit } => tr!(i18n, "server-rate-limit-hour", {
                    "limit" => fmt::int(lang, whole(limit)),
                    "wait" => wait,
                }),
                TooMany::PredictionsPerDay { limit } => tr!(i18n, "server-rate-limit-day", {
                    "limit" => fmt::int(lang, whole(limit)),
                    "wait" => wait,
                }),
                TooMany::Predictions => tr!(i18n, "server-rate-limit", {"wait" => wait}),
            }
        }
        Known::UsernameLength { min, max } => tr!(i18n, "server-username-length", {
            "min" => fmt::int(lang, whole(min)),
            "max" => fmt::int(lang, whole(max)),
        }),
        Known::PasswordTooShort { min } => tr!(i18n, "server-password-too-short", {
            "min" => fmt::int(lang, whole(min)),
        }),
        Known::PasswordTooLong { max } => tr!(i18n, "server-password-too-long", {
            "max" => fmt::int(lang, whole(max)),
        }),
        Known::PasswordAdvice(ref advice) => advice
            .iter()
            .map(|&sentence| render_advice(i18n, sentence))
            .collect::<Vec<_>>()
            .join(" "),
        Known::SearchTooLong { max } => tr!(i18n, "server-search-too-long", {
            "max" => fmt::int(lang, whole(max)),
        }),
        Known::UserDisabled { username } => tr!(i18n, "server-user-disabled", {
            "username" => username.to_owned(),
        }),
        Known::UserEnabled { username } => tr!(i18n, "server-user-enabled", {
            "username" => username.to_owned(),
        }),
        Known::FileTooLarge(size) => tr!(i18n, "server-file-too-large", {
            "size" => render_size(i18n, size),
        }),
        Known::RequestTooLarge(size) => tr!(i18n, "server-request-too-large", {
            "size" => render_size(i18n, size),
        }),
        Known::UseMethods { methods } => tr!(i18n, "server-use-methods", {
            "methods" => methods.to_owned(),
        }),
        Known::MethodNotAllowed { method } => tr!(i18n, "server-method-not-allowed", {
            "method" => method.to_owned(),
        }),
        Known::BodyNotValid { reason } => tr!(i18n, "server-body-not-valid", {
            "reason" => reason.to_owned(),
        }),
        Known::WrongModel { version } => tr!(i18n, "server-wrong-model", {
            "version" => version.to_owned(),
        }),
    }
}

/// `2 minutes`, `1 second`: the count selects the plural form, shown formatted.
fn render_wait(i18n: I18n, wait: Wait) -> String {
    let count = whole(wait.count);
    let shown = fmt::int(lang_of(i18n), count);
    match wait.unit {
        WaitUnit::Seconds => tr!(i18n, "server-wait-seconds", {"count" => count, "shown" => shown}),
        WaitUnit::Minutes => tr!(i18n, "server-wait-minutes", {"count" => count, "shown" => shown}),
        WaitUnit::Hours => tr!(i18n, "server-wait-hours", {"count" => count, "shown" => shown}),
    }
}

/// `5 MiB`, `64 KiB`, `1000 bytes`: the units are the same in every language here.
fn render_size(i18n: I18n, size: Size) -> String {
    let amount = fmt::int(lang_of(i18n), whole(size.amount));
    let unit = match size.unit {
        SizeUnit::Bytes => "bytes",
        SizeUnit::Kib => "KiB",
        SizeUnit::Mib => "MiB",
    };
    format!("{amount} {unit}")
}

fn render_advice(i18n: I18n, advice: Advice) -> String {
    match advice {
        Advice::TooEasy => tr!(i18n, "server-password-too-easy"),
        Advice::AddMore => tr!(i18n, "server-password-add-more"),
        Advice::StraightRows => tr!(i18n, "server-advice-straight-rows"),
        Advice::ShortKeyboardPatterns => tr!(i18n, "server-advice-short-keyboard-patterns"),
        Advice::RepeatsLikeAaa => tr!(i18n, "server-advice-repeats-aaa"),
        Advice::RepeatsLikeAbcAbc => tr!(i18n, "server-advice-repeats-abcabc"),
        Advice::Top10 => tr!(i18n, "server-advice-top-10"),
        Advice::Top100 => tr!(i18n, "server-advice-top-100"),
        Advice::VeryCommon => tr!(i18n, "server-advice-very-common"),
        Advice::SimilarToCommon => tr!(i18n, "server-advice-similar-to-common"),
        Advice::Sequences => tr!(i18n, "server-advice-sequences"),
        Advice::RecentYears => tr!(i18n, "server-advice-recent-years"),
        Advice::WordByItself => tr!(i18n, "server-advice-word-by-itself"),
        Advice::Dates => tr!(i18n, "server-advice-dates"),
        Advice::NamesByThemselves => tr!(i18n, "server-advice-names-by-themselves"),
        Advice::CommonNames => tr!(i18n, "server-advice-common-names"),
        Advice::UseAFewWords => tr!(i18n, "server-advice-use-a-few-words"),
        Advice::NoNeedForSymbols => tr!(i18n, "server-advice-no-need-for-symbols"),
        Advice::AddAnotherWord => tr!(i18n, "server-advice-add-another-word"),
        Advice::Capitalization => tr!(i18n, "server-advice-capitalization"),
        Advice::AllUppercase => tr!(i18n, "server-advice-all-uppercase"),
        Advice::ReversedWords => tr!(i18n, "server-advice-reversed-words"),
        Advice::PredictableSubstitutions => tr!(i18n, "server-advice-predictable-substitutions"),
        Advice::LongerKeyboardPattern => tr!(i18n, "server-advice-longer-keyboard-pattern"),
        Advice::AvoidRepeats => tr!(i18n, "server-advice-avoid-repeats"),
        Advice::AvoidSequences => tr!(i18n, "server-advice-avoid-sequences"),
        Advice::AvoidRecentYears => tr!(i18n, "server-advice-avoid-recent-years"),
        Advice::AvoidYearsAssociated => tr!(i18n, "server-advice-avoid-years-associated"),
        Advice::AvoidDatesAssociated => tr!(i18n, "server-advice-avoid-dates-associated"),
    }
}

fn render_fixed(i18n: I18n, fixed: Fixed) -> String {
    match fixed {
        Fixed::Internal => tr!(i18n, "server-internal"),
        Fixed::DatabaseUnavailable => tr!(i18n, "server-database-unavailable"),
        Fixed::TokenExpired => tr!(i18n, "server-token-expired"),
        Fixed::MissingAuthorization => tr!(i18n, "server-missing-authorization"),
        Fixed::InvalidToken => tr!(i18n, "server-invalid-token"),
        Fixed::MissingRefreshToken => tr!(i18n, "server-missing-refresh-token"),
        Fixed::RefreshTokenReused => tr!(i18n, "server-refresh-token-reused"),
        Fixed::InvalidAuthorizationHeader => tr!(i18n, "server-invalid-authorization-header"),
        Fixed::AuthorizationForm => tr!(i18n, "server-authorization-form"),
        Fixed::MissingCredentials => tr!(i18n, "server-missing-credentials"),
        Fixed::BadCredentials => tr!(i18n, "server-bad-credentials"),
        Fixed::SessionEnded => tr!(i18n, "server-session-ended"),
        Fixed::PasswordChecksBusy => tr!(i18n, "server-password-checks-busy"),
        Fixed::TooManyAtOnce => tr!(i18n, "server-too-many-at-once"),
        Fixed::UsernameCharacters => tr!(i18n, "server-username-characters"),
        Fixed::UsernameStart => tr!(i18n, "server-username-start"),
        Fixed::BadEmail => tr!(i18n, "server-bad-email"),
        Fixed::UsernameReserved => tr!(i18n, "server-username-reserved"),
        Fixed::UsernameTaken => tr!(i18n, "server-username-taken"),
        Fixed::Registered => tr!(i18n, "server-registered"),
        Fixed::MailDisabled => tr!(i18n, "server-mail-disabled"),
        Fixed::AccountDisabled => tr!(i18n, "server-account-disabled"),
        Fixed::PasswordChangeFields => tr!(i18n, "server-password-change-fields"),
        Fixed::PasswordChanged => tr!(i18n, "server-password-changed"),
        Fixed::PasswordNotCorrect => tr!(i18n, "server-password-not-correct"),
        Fixed::LoggedOutEverywhere => tr!(i18n, "server-logged-out-everywhere"),
        Fixed::PasswordRequired => tr!(i18n, "server-password-required"),
        Fixed::AccountDeleted => tr!(i18n, "server-account-deleted"),
        Fixed::LanguageUnknown => tr!(i18n, "server-language-unknown"),
        Fixed::LanguageSaved => tr!(i18n, "server-language-saved"),
        Fixed::EmailConfirmed => tr!(i18n, "server-email-confirmed"),
        Fixed::LinkUnknown => tr!(i18n, "server-link-unknown"),
        Fixed::LinkUsed => tr!(i18n, "server-link-used"),
        Fixed::LinkExpired => tr!(i18n, "server-link-expired"),
        Fixed::LinkReplaced => tr!(i18n, "server-link-replaced"),
        Fixed::AddressTaken => tr!(i18n, "server-address-taken"),
        Fixed::NoAddress => tr!(i18n, "server-no-address"),
        Fixed::AddressAlreadyConfirmed => tr!(i18n, "server-address-already-confirmed"),
        Fixed::ConfirmationSent => tr!(i18n, "server-confirmation-sent"),
        Fixed::EmailChangeFields => tr!(i18n, "server-email-change-fields"),
        Fixed::AddressUnchanged => tr!(i18n, "server-address-unchanged"),
        Fixed::AddressChanged => tr!(i18n, "server-address-changed"),
        Fixed::ResetLoginRequired => tr!(i18n, "server-reset-login-required"),
        Fixed::ResetRequested => tr!(i18n, "server-reset-requested"),
        Fixed::NewPasswordRequired => tr!(i18n, "server-new-password-required"),
        Fixed::PasswordReset => tr!(i18n, "server-password-reset"),
        Fixed::EmailUnconfirmed => tr!(i18n, "server-email-unconfirmed"),
        Fixed::AdminOnly => tr!(i18n, "server-admin-only"),
        Fixed::AdminDisableFields => tr!(i18n, "server-admin-disable-fields"),
        Fixed::NoSuchUser => tr!(i18n, "server-no-such-user"),
        Fixed::CannotDisableSelf => tr!(i18n, "server-cannot-disable-self"),
        Fixed::LoggedOut => tr!(i18n, "server-logged-out"),
        Fixed::LabelIdRequired => tr!(i18n, "server-label-id-required"),
        Fixed::BadDigit => tr!(i18n, "server-bad-digit"),
        Fixed::BadLabelFilter => tr!(i18n, "server-bad-label-filter"),
        Fixed::NoSuchPrediction => tr!(i18n, "server-no-such-prediction"),
        Fixed::HistoryCleared => tr!(i18n, "server-history-cleared"),
        Fixed::NoFile => tr!(i18n, "server-no-file"),
        Fixed::NotAnImage => tr!(i18n, "server-not-an-image"),
        Fixed::ImagesBusy => tr!(i18n, "server-images-busy"),
        Fixed::ImageUnreadable => tr!(i18n, "server-image-unreadable"),
        Fixed::ImageTooManyPixels => tr!(i18n, "server-image-too-many-pixels"),
        Fixed::NoDigit => tr!(i18n, "server-no-digit"),
        Fixed::RecogniserBusy => tr!(i18n, "server-recogniser-busy"),
        Fixed::RecogniserUnavailable => tr!(i18n, "server-recogniser-unavailable"),
        Fixed::DownloadsBusy => tr!(i18n, "server-downloads-busy"),
        Fixed::NoSuchEndpoint => tr!(i18n, "server-no-such-endpoint"),
        Fixed::CrossSite => tr!(i18n, "server-cross-site"),
        Fixed::NoSuchDatasetFile => tr!(i18n, "server-no-such-dataset-file"),
        Fixed::NoSuchChart => tr!(i18n, "server-no-such-chart"),
        Fixed::Unreachable => tr!(i18n, "server-unreachable"),
        Fixed::PredictionsUnavailable => tr!(i18n, "server-predictions-unavailable"),
        Fixed::AccountsUnavailable => tr!(i18n, "server-accounts-unavailable"),
        Fixed::RequestUnavailable => tr!(i18n, "server-request-unavailable"),
        Fixed::BrowserCannotSend => tr!(i18n, "server-browser-cannot-send"),
        // The same words the pages use when a session could not be renewed.
        Fixed::SessionEndedLogInAgain => tr!(i18n, "common-session-ended"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn fixed_messages_by_their_whole_text() {
        assert_eq!(
            recognise("Bad username or password"),
            Some(Known::Fixed(Fixed::BadCredentials))
        );
        assert_eq!(
            recognise("No se encontró el archivo en la solicitud."),
            Some(Known::Fixed(Fixed::NoFile))
        );
        assert_eq!(
            recognise("Token has expired"),
            Some(Known::Fixed(Fixed::TokenExpired))
        );
        assert_eq!(
            recognise("Usernames may use only letters a–z, digits, dots, underscores and hyphens."),
            Some(Known::Fixed(Fixed::UsernameCharacters))
        );
        assert_eq!(
            recognise(
                "The image has too many pixels: at most 4096 × 4096. Please send a smaller picture."
            ),
            Some(Known::Fixed(Fixed::ImageTooManyPixels))
        );
        assert_eq!(
            recognise(
                "This server does not send mail, so email addresses and password reset by mail \
                 are not available. Ask the administrator."
            ),
            Some(Known::Fixed(Fixed::MailDisabled))
        );
        // Messages that only look alike are not taken for them.
        assert_eq!(recognise("Bad username or password."), None);
        assert_eq!(recognise("bad username or password"), None);
        assert_eq!(recognise(""), None);
    }

    #[test]
    fn waits_are_split_off_refusals() {
        let minutes = |count| Wait {
            count,
            unit: WaitUnit::Minutes,
        };
        assert_eq!(
            split_wait("Too many tries. Try again in 2 minutes."),
            Some(("Too many tries", minutes(2)))
        );
        assert_eq!(
            split_wait("Too many failed log-ins for this account. Try again in 1 second."),
            Some((
                "Too many failed log-ins for this account",
                Wait {
                    count: 1,
                    unit: WaitUnit::Seconds
                }
            ))
        );
        assert_eq!(
            split_wait("Rate limit reached (50 an hour). Try again in 1 hour."),
            Some((
                "Rate limit reached (50 an hour)",
                Wait {
                    count: 1,
                    unit: WaitUnit::Hours
                }
            ))
        );
        assert_eq!(split_wait("Try again in a second."), None);
        assert_eq!(split_wait("Stop. Try again in two minutes."), None);
        assert_eq!(split_wait("Stop. Try again in 2 fortnights."), None);
        assert_eq!(split_wait("Stop. Try again in -2 minutes."), None);
    }

    #[test]
    fn refusals_with_a_wait() {
        assert_eq!(
            recognise("Too many failed log-ins for this account. Try again in 30 seconds."),
            Some(Known::TooMany(
                TooMany::FailuresForAccount,
                Wait {
                    count: 30,
                    unit: WaitUnit::Seconds
                }
            ))
        );
        assert_eq!(
            recognise("Too many accounts were created from your network. Try again in 59 minutes."),
            Some(Known::TooMany(
                TooMany::Signups,
                Wait {
                    count: 59,
                    unit: WaitUnit::Minutes
                }
            ))
        );
        let wait = Wait {
            count: 3,
            unit: WaitUnit::Minutes,
        };
        assert_eq!(
            recognise("Rate limit reached (5 an hour). Try again in 3 minutes."),
            Some(Known::TooMany(
                TooMany::PredictionsPerHour { limit: 5 },
                wait
            ))
        );
        assert_eq!(
            recognise("Rate limit reached (200 a day). Try again in 3 minutes."),
            Some(Known::TooMany(
                TooMany::PredictionsPerDay { limit: 200 },
                wait
            ))
        );
        assert_eq!(
            recognise("Rate limit reached (the limit). Try again in 3 minutes."),
            Some(Known::TooMany(TooMany::Predictions, wait))
        );
        assert_eq!(
            recognise("Labels limit reached (600 an hour). Try again in 3 minutes."),
            Some(Known::TooMany(TooMany::Labels { per_hour: 600 }, wait))
        );
        assert_eq!(
            recognise(
                "Too many password reset requests from your network. Try again in 3 minutes."
            ),
            Some(Known::TooMany(TooMany::ResetRequests, wait))
        );
        assert_eq!(
            recognise(
                "Too many confirmation mails were asked for this account. Try again in 3 minutes."
            ),
            Some(Known::TooMany(TooMany::ConfirmationMails, wait))
        );
        // An unknown refusal, or a window in other words, stays as it came.
        assert_eq!(recognise("Too many tries. Try again in 3 minutes."), None);
        assert_eq!(
            recognise("Rate limit reached (5 a week). Try again in 3 minutes."),
            None
        );
        // The fixed "in a second" refusals are whole messages.
        assert_eq!(
            recognise(
                "Too many log-ins or sign-ups from your network at once. Try again in a second."
            ),
            Some(Known::Fixed(Fixed::TooManyAtOnce))
        );
    }

    #[test]
    fn policy_messages_with_their_limits() {
        assert_eq!(
            recognise("Usernames are 3 to 32 characters long."),
            Some(Known::UsernameLength { min: 3, max: 32 })
        );
        assert_eq!(
            recognise("Passwords are at least 8 characters long."),
            Some(Known::PasswordTooShort { min: 8 })
        );
        assert_eq!(
            recognise("Passwords are at most 128 characters long."),
            Some(Known::PasswordTooLong { max: 128 })
        );
        assert_eq!(
            recognise("The search is too long (64 characters at most)"),
            Some(Known::SearchTooLong { max: 64 })
        );
        assert_eq!(
            recognise("Usernames are three to 32 characters long."),
            None
        );
        assert_eq!(recognise("Passwords are at best 8 characters long."), None);
    }

    #[test]
    fn password_advice_sentence_by_sentence() {
        assert_eq!(
            recognise(
                "This is a top-10 common password. Add another word or two. Uncommon words are better."
            ),
            Some(Known::PasswordAdvice(vec![
                Advice::Top10,
                Advice::AddAnotherWord
            ]))
        );
        assert_eq!(
            recognise(
                "This is a top-100 common password. Add another word or two. Uncommon words are \
                 better."
            ),
            Some(Known::PasswordAdvice(vec![
                Advice::Top100,
                Advice::AddAnotherWord
            ]))
        );
        assert_eq!(
            recognise(
                "This password is too easy to guess. Add another word or two. Uncommon words are \
                 better. Capitalization doesn't help very much."
            ),
            Some(Known::PasswordAdvice(vec![
                Advice::TooEasy,
                Advice::AddAnotherWord,
                Advice::Capitalization
            ]))
        );
        assert_eq!(
            recognise("This password is too easy to guess. Add more words or characters."),
            Some(Known::PasswordAdvice(vec![
                Advice::TooEasy,
                Advice::AddMore
            ]))
        );
        assert_eq!(
            recognise(
                "Repeats like \"aaa\" are easy to guess. Add another word or two. Uncommon words \
                 are better. Avoid repeated words and characters."
            ),
            Some(Known::PasswordAdvice(vec![
                Advice::RepeatsLikeAaa,
                Advice::AddAnotherWord,
                Advice::AvoidRepeats
            ]))
        );
        assert_eq!(
            recognise("Predictable substitutions like '@' instead of 'a' don't help very much."),
            Some(Known::PasswordAdvice(vec![
                Advice::PredictableSubstitutions
            ]))
        );
        // One unknown sentence, or a stray space, and the message is shown as it came.
        assert_eq!(
            recognise("This password is too easy to guess. Try harder."),
            None
        );
        assert_eq!(
            recognise("This password is too easy to guess.  Avoid sequences."),
            None
        );
        assert_eq!(recognise("This password is too easy to guess. "), None);
    }

    #[test]
    fn admin_messages_name_the_account() {
        assert_eq!(
            recognise("bob.smith_2-x is disabled and logged out"),
            Some(Known::UserDisabled {
                username: "bob.smith_2-x"
            })
        );
        assert_eq!(
            recognise("alice is enabled"),
            Some(Known::UserEnabled { username: "alice" })
        );
        // Not a username: someone else's sentence that happens to end the same way.
        assert_eq!(recognise("The feature is enabled"), None);
        assert_eq!(recognise(" is enabled"), None);
    }

    #[test]
    fn sizes_methods_and_framework_messages() {
        assert_eq!(
            recognise("The file is too large. Please send an image under 5 MiB."),
            Some(Known::FileTooLarge(Size {
                amount: 5,
                unit: SizeUnit::Mib
            }))
        );
        assert_eq!(
            recognise("The request is too large (64 KiB at most)."),
            Some(Known::RequestTooLarge(Size {
                amount: 64,
                unit: SizeUnit::Kib
            }))
        );
        assert_eq!(
            recognise("The request is too large (1000 bytes at most)."),
            Some(Known::RequestTooLarge(Size {
                amount: 1000,
                unit: SizeUnit::Bytes
            }))
        );
        assert_eq!(
            recognise("The file is too large. Please send an image under 5 GiB."),
            None
        );
        assert_eq!(
            recognise("Use POST for this endpoint"),
            Some(Known::UseMethods { methods: "POST" })
        );
        assert_eq!(
            recognise("Use GET, POST for this endpoint"),
            Some(Known::UseMethods {
                methods: "GET, POST"
            })
        );
        assert_eq!(recognise("Use <b>it</b> for this endpoint"), None);
        assert_eq!(
            recognise("Method not allowed: PATCH"),
            Some(Known::MethodNotAllowed { method: "PATCH" })
        );
        assert_eq!(
            recognise("The request body is not valid: expected value"),
            Some(Known::BodyNotValid {
                reason: "expected value"
            })
        );
        assert_eq!(
            recognise("This server runs model v3-cnn: reload the page for its live guess."),
            Some(Known::WrongModel { version: "v3-cnn" })
        );
    }

    fn i18n_in(lang: Lang) -> I18n {
        crate::i18n::test_context(lang)
    }

    /// Real messages, one of each kind the server sends.
    const SAMPLES: &[&str] = &[
        "Something went wrong on our side. Please try again.",
        "Bad username or password",
        "Token has expired",
        "Session has ended; please log in again",
        "This link was already used. Ask for a new one if you need it.",
        "Your email address is confirmed.",
        "Confirm your email address before making predictions: follow the link we mailed you, \
         or ask for a new one.",
        "That email address is not valid. Use the form name@example.com (at most 254 characters).",
        "The image has too many pixels: at most 4096 × 4096. Please send a smaller picture.",
        "Authorization header must be of the form: Bearer <token>",
        "Too many failed log-ins for this account. Try again in 30 seconds.",
        "Too many failed log-ins from your network. Try again in 1 second.",
        "Too many accounts were created from your network. Try again in 1 minute.",
        "Too many password reset requests from your network. Try again in 2 hours.",
        "Rate limit reached (5 an hour). Try again in 3 minutes.",
        "Rate limit reached (200 a day). Try again in 1 hour.",
        "Rate limit reached (the limit). Try again in 5 seconds.",
        "Labels limit reached (600 an hour). Try again in 12 minutes.",
        "Usernames are 3 to 32 characters long.",
        "Passwords are at least 8 characters long.",
        "Passwords are at most 128 characters long.",
        "This is a top-10 common password. Add another word or two. Uncommon words are better.",
        "This password is too easy to guess. Add more words or characters.",
        "Repeats like \"aaa\" are easy to guess. Add another word or two. Uncommon words are \
         better. Avoid repeated words and characters.",
        "The search is too long (64 characters at most)",
        "bob is disabled and logged out",
        "bob is enabled",
        "The file is too large. Please send an image under 5 MiB.",
        "The request is too large (64 KiB at most).",
        "Use POST for this endpoint",
        "Method not allowed: PATCH",
        "The request body is not valid: expected value",
        "This server runs model v3: reload the page for its live guess.",
        "Your session has ended. Please log in again.",
    ];

    #[test]
    fn english_is_the_servers_own_words_and_spanish_is_translated() {
        let (en, es) = (i18n_in(Lang::En), i18n_in(Lang::Es));
        for msg in SAMPLES {
            assert!(recognise(msg).is_some(), "not recognised: {msg}");
            assert_eq!(server_text(en, msg), *msg);
            assert_ne!(server_text(es, msg), *msg, "not translated: {msg}");
        }
        // The original service's Spanish messages, in English for an English reader.
        assert_eq!(
            server_text(en, NO_FILE),
            "No file was found in the request."
        );
        assert_eq!(server_text(es, NO_FILE), NO_FILE);
        assert_eq!(server_text(es, NOT_AN_IMAGE), NOT_AN_IMAGE);
        assert_ne!(server_text(en, NOT_AN_IMAGE), NOT_AN_IMAGE);
        // Anything else as it came.
        assert_eq!(server_text(es, "Something new"), "Something new");
    }

    #[test]
    fn spanish_plurals_and_variables() {
        let es = i18n_in(Lang::Es);
        assert_eq!(
            server_text(
                es,
                "Too many failed log-ins for this account. Try again in 1 second."
            ),
            "Demasiados inicios de sesión fallidos en esta cuenta. Vuelve a intentarlo en 1 \
             segundo."
        );
        assert_eq!(
            server_text(
                es,
                "Rate limit reached (5 an hour). Try again in 3 minutes."
            ),
            "Límite de predicciones alcanzado (5 por hora). Vuelve a intentarlo en 3 minutos."
        );
        assert_eq!(
            server_text(es, "alice.b is enabled"),
            "La cuenta alice.b está activada"
        );
        assert_eq!(
            server_text(es, "The request is too large (65536 bytes at most)."),
            "La solicitud es demasiado grande (65.536 bytes como máximo)."
        );
    }

    #[test]
    fn numbers_are_ascii_digits_only() {
        assert_eq!(number("600"), Some(600));
        assert_eq!(number("+6"), None);
        assert_eq!(number(""), None);
        assert_eq!(number("6 "), None);
        assert_eq!(number("99999999999999999999999"), None);
    }
}
