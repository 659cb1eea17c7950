//! Where rendered mail goes: an SMTP server (lettre, rustls for STARTTLS and TLS), or, in
//! development without one, a folder of `.eml` files.

use std::{path::PathBuf, time::Duration};

use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::MailDelivery;

/// How long one delivery may take before it counts as failed (and is retried).
pub const SMTP_TIMEOUT: Duration = Duration::from_secs(20);

pub enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Folder(PathBuf),
}

impl Transport {
    pub fn new(delivery: &MailDelivery) -> Result<Self, String> {
        match delivery {
            MailDelivery::Smtp(url) => AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose())
                .map(|builder| Transport::Smtp(builder.timeout(Some(SMTP_TIMEOUT)).build()))
                // lettre's message may echo the URL; only the redacted one is shown.
                .map_err(|_| format!("SMTP_URL {} is not a usable SMTP address", url.redacted())),
            MailDelivery::Folder(dir) => Ok(Transport::Folder(dir.clone())),
        }
    }

    /// Delivers `message`; the error is safe to log and store (no addresses, no secrets).
    pub async fn send(&self, id: &str, message: Message) -> Result<Delivered, String> {
        match self {
            Transport::Smtp(smtp) => smtp
                .send(message)
                .await
                .map(|_| Delivered::Smtp)
                .map_err(|error| smtp_error(&error)),
            Transport::Folder(dir) => {
                tokio::fs::create_dir_all(dir)
                    .await
                    .map_err(|e| format!("could not create the outbox folder: {e}"))?;
                let path = dir.join(format!("{id}.eml"));
                let partial = dir.join(format!(".{id}.eml.partial"));
                tokio::fs::write(&partial, message.formatted())
                    .await
                    .map_err(|e| format!("could not write to the outbox folder: {e}"))?;
                tokio::fs::rename(&partial, &path)
                    .await
                    .map_err(|e| format!("could not write to the outbox folder: {e}"))?;
                Ok(Delivered::Folder(path))
            }
        }
    }
}

pub enum Delivered {
    Smtp,
    Folder(PathBuf),
}

/// What went wrong, without the server's reply text (which may quote an address).
fn smtp_error(error: &lettre::transport::smtp::Error) -> String {
    let kind = if error.is_transient() {
        "temporary refusal"
    } else if error.is_permanent() {
        "permanent refusal"
    } else if error.is_timeout() {
        "timed out"
    } else if error.is_tls() {
        "TLS failed"
    } else if error.is_client() {
        "client error"
    } else {
        "connection failed"
    };
    match error.status() {
        Some(code) => format!("SMTP {kind} ({code})"),
        None => format!("SMTP {kind}"),
    }
}
