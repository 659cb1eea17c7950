//! Mail: what trazo sends (address confirmations, password reset links, notices). A request
//! never sends mail itself: it writes the mail to the `outbox` table in the same transaction as
//! the change that caused it, and a worker delivers it with retries and back-off, so a slow or
//! absent mail server neither slows a request nor loses a mail (see [`worker`]).

pub mod links;
pub mod outbox;
pub mod templates;
mod transport;
pub mod worker;

use std::sync::Arc;

use tokio::sync::Notify;

use crate::config::{Config, MailConfig};
pub use links::LinkKeys;
pub use templates::{Kind, Params};

/// What the account services need to queue mail: the settings, the keys links are made with,
/// and a way to wake this instance's worker once a mail is committed.
pub struct Mail {
    pub settings: MailConfig,
    pub links: LinkKeys,
    wake: Arc<Notify>,
}

impl Mail {
    pub fn new(config: &Config) -> Self {
        Self {
            settings: config.mail.clone(),
            links: LinkKeys::new(config.signing_key.expose()),
            wake: Arc::new(Notify::new()),
        }
    }

    /// Tells the worker that a mail was committed, so it goes out now rather than at the next
    /// poll. (Mail committed by other instances is found by polling.)
    pub fn queued(&self) {
        self.wake.notify_one();
    }

    pub(crate) fn waker(&self) -> Arc<Notify> {
        self.wake.clone()
    }
}
