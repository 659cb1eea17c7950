//! The mail worker: one per instance, delivering what the outbox holds.
//!
//! It wakes when a request of this instance commits a mail, and polls every second for mail
//! other instances wrote and for retries that are due. Each mail is taken with a lease (see
//! [`outbox::claim`]) so that several instances never send the same mail twice; a mail the
//! server does not take is retried after `MAIL_RETRY_SECS`, then twice as long each time up to
//! 15 minutes, for three days. A mail is sent again only if an instance dies between the mail
//! server's acceptance and marking it sent (at-least-once, never lost).

use std::{sync::Arc, time::Duration};

use lettre::{
    Message,
    message::{Mailbox, MultiPart},
};
use sqlx::AnyPool;
use tokio::sync::Notify;

use super::{
    Mail,
    links::LinkKeys,
    outbox::{self, Pending},
    templates::{Kind, Params, render},
    transport::{Delivered, SMTP_TIMEOUT, Transport},
};
use crate::{clock::now, config::Config, metrics::service::MailMetrics};

/// How often the worker looks for mail it was not woken for.
const POLL: Duration = Duration::from_secs(1);
/// A taken mail is left to others if not marked within this (well beyond the SMTP timeout).
const LEASE_SECS: i64 = 2 * SMTP_TIMEOUT.as_secs() as i64 + 30;
const MAX_RETRY_SECS: i64 = 15 * 60;
/// Mail not delivered within this is given up on (and logged as an error).
const GIVE_UP_SECS: i64 = 3 * 24 * 3600;
/// Delivered mail is kept this long, then deleted.
const KEEP_SECS: i64 = 7 * 24 * 3600;

pub struct MailWorker {
    db: AnyPool,
    transport: Transport,
    from: Mailbox,
    origin: String,
    links: LinkKeys,
    retry_secs: i64,
    wake: Arc<Notify>,
    /// This instance, as the outbox's `claimed_by`.
    id: String,
    metrics: MailMetrics,
}

#[derive(Debug, thiserror::Error)]
pub enum MailSetupError {
    #[error("{0}")]
    Transport(String),
    #[error("MAIL_FROM is not a valid address")]
    From,
}

impl MailWorker {
    pub fn new(
        config: &Config,
        db: AnyPool,
        mail: &Mail,
        metrics: MailMetrics,
    ) -> Result<Self, MailSetupError> {
        Ok(Self {
            db,
            transport: Transport::new(&mail.settings.delivery)
                .map_err(MailSetupError::Transport)?,
            from: mail
                .settings
                .from
                .parse()
                .map_err(|_| MailSetupError::From)?,
            origin: config.public_origin.clone(),
            links: mail.links.clone(),
            retry_secs: i64::try_from(mail.settings.retry_secs).unwrap_or(5),
            wake: mail.waker(),
            id: uuid::Uuid::new_v4().to_string(),
            metrics,
        })
    }

    /// Runs until the process ends.
    pub fn spawn(self) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let mut last_prune = 0;
            loop {
                self.deliver_due().await;
                let now = now();
                if now - last_prune > 3600 {
                    last_prune = now;
                    if let Err(error) = outbox::prune(&self.db, now - KEEP_SECS).await {
                        tracing::warn!(%error, "could not prune the mail outbox");
                    }
                }
                tokio::select! {
                    () = self.wake.notified() => {}
                    () = tokio::time::sleep(POLL) => {}
                }
            }
        })
    }

    /// Delivers every mail that is due, one after the other.
    async fn deliver_due(&self) {
        loop {
            match outbox::claim(&self.db, &self.id, now(), LEASE_SECS).await {
                Ok(Some(pending)) => self.deliver(pending).await,
                Ok(None) => return,
                Err(error) => {
                    tracing::warn!(%error, "could not read the mail outbox");
                    return;
                }
            }
        }
    }

    async fn deliver(&self, pending: Pending) {
        let outcome = match self.message(&pending) {
            Ok(message) => self
                .transport
                .send(&pending.id, message.0)
                .await
                .map(|d| (d, message.1)),
            Err(error) => Err(error),
        };
        let now = now();
        let recorded = match outcome {
            Ok((delivered, link)) => {
                self.metrics.sent.increment(1);
                match delivered {
                    Delivered::Smtp => {
                        tracing::info!(mail_id = %pending.id, kind = %pending.kind, "mail sent")
                    }
                    // Development only: the mail is a file, and its link is shown so the whole
                    // flow works on one machine.
                    Delivered::Folder(path) => tracing::info!(
                        mail_id = %pending.id,
                        kind = %pending.kind,
                        path = %path.display(),
                        link = link.as_deref().unwrap_or("-"),
                        "mail written to the outbox folder"
                    ),
                }
                outbox::sent(&self.db, &pending.id, &self.id, now).await
            }
            Err(error) => {
                let attempts = pending.attempts + 1;
                let retry_at = retry_at(now, pending.created_at, attempts, self.retry_secs);
                match retry_at {
                    Some(at) => {
                        self.metrics.retried.increment(1);
                        tracing::warn!(
                            mail_id = %pending.id,
                            attempts,
                            retry_in_secs = at - now,
                            %error,
                            "mail not delivered; will retry"
                        )
                    }
                    None => {
                        self.metrics.given_up.increment(1);
                        tracing::error!(
                            mail_id = %pending.id,
                            attempts,
                            %error,
                            "mail not delivered for three days; given up"
                        )
                    }
                }
                outbox::not_sent(&self.db, &pending.id, &self.id, now, retry_at, &error).await
            }
        };
        if let Err(error) = recorded {
            tracing::warn!(%error, mail_id = %pending.id, "could not record a mail's delivery");
        }
    }

    /// The mail as it goes out, and its link. A row that cannot be rendered (unknown kind,
    /// bad address) is an error like a refusal, retried and in the end given up.
    fn message(&self, pending: &Pending) -> Result<(Message, Option<String>), String> {
        let kind = Kind::parse(&pending.kind).ok_or("unknown kind of mail")?;
        let params: Params =
            serde_json::from_str(&pending.params).map_err(|_| "unreadable mail parameters")?;
        let link = params.token_id.as_deref().and_then(|id| {
            let page = match kind {
                Kind::ConfirmAddress => "confirm-email",
                Kind::ResetPassword => "reset-password",
                Kind::AddressChanged | Kind::PasswordChanged => return None,
            };
            Some(format!(
                "{}/{page}?token={}",
                self.origin,
                self.links.token(id)
            ))
        });
        let rendered = render(kind, &params, link);
        let to: Mailbox = pending
            .recipient
            .parse()
            .map_err(|_| "the recipient is not a valid address")?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(rendered.subject)
            .multipart(MultiPart::alternative_plain_html(
                rendered.text,
                rendered.html,
            ))
            .map_err(|_| "the mail could not be built")?;
        Ok((message, rendered.link))
    }
}

/// When to try a mail again after its `attempts`-th failure, or `None` to give up.
fn retry_at(now: i64, created_at: i64, attempts: i64, base_secs: i64) -> Option<i64> {
    if now - created_at >= GIVE_UP_SECS {
        return None;
    }
    let exponent = u32::try_from(attempts.saturating_sub(1).min(20)).unwrap_or(20);
    let wait = base_secs
        .saturating_mul(1_i64 << exponent)
        .min(MAX_RETRY_SECS);
    Some(now + wait)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_and_give_up_after_three_days() {
        assert_eq!(retry_at(100, 100, 1, 5), Some(105));
        assert_eq!(retry_at(100, 100, 2, 5), Some(110));
        assert_eq!(retry_at(100, 100, 4, 5), Some(140));
        assert_eq!(retry_at(100, 100, 40, 5), Some(100 + MAX_RETRY_SECS));
        assert_eq!(retry_at(100 + GIVE_UP_SECS, 100, 9, 5), None);
    }
}
