//! The mails trazo sends, each in plain text and HTML. Rendered when sent (see `worker`), from
//! the kind and the parameters the outbox row holds.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A link that confirms the address (sign-up, resend, change of address).
    ConfirmAddress,
    /// To the old address, when the account's address changes.
    AddressChanged,
    /// A link to choose a new password.
    ResetPassword,
    /// After a password reset.
    PasswordChanged,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::ConfirmAddress => "confirm_address",
            Kind::AddressChanged => "address_changed",
            Kind::ResetPassword => "reset_password",
            Kind::PasswordChanged => "password_changed",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [
            Kind::ConfirmAddress,
            Kind::AddressChanged,
            Kind::ResetPassword,
            Kind::PasswordChanged,
        ]
        .into_iter()
        .find(|kind| kind.as_str() == value)
    }
}

/// What a mail says besides its kind: whom it greets, and the link's token id when it has one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Params {
    pub username: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_id: Option<String>,
    /// How long the link works, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_secs: Option<i64>,
}

/// A mail ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
    /// The link it carries, if any (logged when mail goes to the development folder).
    pub link: Option<String>,
}

/// "24 hours", "30 minutes".
fn duration(secs: i64) -> String {
    match secs {
        s if s >= 7200 && s % 3600 == 0 => format!("{} hours", s / 3600),
        s if s >= 120 => format!("{} minutes", s / 60),
        s => format!("{s} seconds"),
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// Renders `kind` for `params`; `link` is the whole link when the kind carries one.
pub fn render(kind: Kind, params: &Params, link: Option<String>) -> Rendered {
    let name = &params.username;
    let valid = duration(params.valid_secs.unwrap_or(0));
    let (subject, lines, action): (&str, Vec<String>, Option<&str>) = match kind {
        Kind::ConfirmAddress => (
            "Confirm your email address for trazo",
            vec![
                format!("Hello {name},"),
                "Please confirm that this is the address of your trazo account by opening \
                 the link below."
                    .to_owned(),
                format!(
                    "The link works for {valid}. If you did not ask for this, ignore this mail."
                ),
            ],
            Some("Confirm my address"),
        ),
        Kind::AddressChanged => (
            "Your trazo email address was changed",
            vec![
                format!("Hello {name},"),
                "The email address of your trazo account was changed, and this address no \
                 longer belongs to it."
                    .to_owned(),
                "If you did not do this, log in and change your password at once, or contact \
                 the administrator."
                    .to_owned(),
            ],
            None,
        ),
        Kind::ResetPassword => (
            "Reset your trazo password",
            vec![
                format!("Hello {name},"),
                "Someone asked to reset the password of your trazo account. To choose a new \
                 password, open the link below."
                    .to_owned(),
                format!(
                    "The link works once, for {valid}. If you did not ask for this, ignore this \
                     mail: your password stays as it is."
                ),
            ],
            Some("Choose a new password"),
        ),
        Kind::PasswordChanged => (
            "Your trazo password was changed",
            vec![
                format!("Hello {name},"),
                "The password of your trazo account was changed, and every device where you \
                 were logged in has been logged out."
                    .to_owned(),
                "If you did not do this, reset your password at once from the log-in page."
                    .to_owned(),
            ],
            None,
        ),
    };
    let mut text = lines.join("\n\n");
    let mut html = lines
        .iter()
        .map(|line| format!("<p>{}</p>", escape(line)))
        .collect::<String>();
    if let (Some(link), Some(action)) = (&link, action) {
        text.push_str(&format!("\n\n{action}: {link}\n"));
        html.push_str(&format!(
            "<p><a href=\"{href}\">{label}</a></p><p>{href}</p>",
            href = escape(link),
            label = escape(action)
        ));
    }
    text.push_str("\n-- \ntrazo\n");
    Rendered {
        subject: subject.to_owned(),
        text,
        html: format!(
            "<!DOCTYPE html><html><body style=\"font-family:sans-serif\">{html}\
             <p style=\"color:#666\">trazo</p></body></html>"
        ),
        link,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_survive_the_outbox() {
        for kind in [
            Kind::ConfirmAddress,
            Kind::AddressChanged,
            Kind::ResetPassword,
            Kind::PasswordChanged,
        ] {
            assert_eq!(Kind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(Kind::parse("spam"), None);
    }

    #[test]
    fn links_appear_in_both_bodies_and_text_is_escaped_in_html() {
        let params = Params {
            username: "ana<b>".into(),
            token_id: Some("id".into()),
            valid_secs: Some(1800),
        };
        let link = "https://trazo.example/reset-password?token=abc&x=1".to_owned();
        let mail = render(Kind::ResetPassword, &params, Some(link.clone()));
        assert_eq!(mail.subject, "Reset your trazo password");
        assert!(mail.text.contains(&link), "{}", mail.text);
        assert!(mail.text.contains("30 minutes"), "{}", mail.text);
        assert!(mail.html.contains("token=abc&amp;x=1"), "{}", mail.html);
        assert!(mail.html.contains("ana&lt;b&gt;"), "{}", mail.html);
        assert!(!mail.html.contains("<b>"));
        let confirm = render(
            Kind::ConfirmAddress,
            &Params {
                valid_secs: Some(86_400),
                ..params
            },
            None,
        );
        assert!(confirm.text.contains("24 hours"), "{}", confirm.text);
    }
}
