//! A person's email address: confirming it from the mailed link, asking for the link again,
//! and changing the address (the new one confirmed the same way, the old one told).

use app::api::{
    EMAIL_CONFIRMED, LINK_EXPIRED, LINK_UNKNOWN, LINK_USED, Message,
    backend::{Failure, Outcome},
};
use http::{StatusCode, request::Parts};

use super::AccountService;
use crate::{
    accounts::{
        policy,
        refusals::{bad_request, unprocessable},
        sessions::Principal,
        store::{self, Confirmation, LinkState, Purpose},
    },
    clock::now,
    failure::database,
    mail::{Kind, Params, links, outbox},
    ratelimit::Window,
    telemetry::SECURITY,
};

/// Confirmation mails an account may ask for in an hour (resends and changes of address): a
/// person waiting for a slow mail needs one or two; a script cannot use trazo to flood an
/// address.
pub const CONFIRMATION_MAILS_PER_HOUR: u64 = 3;

/// The refusal for a link that is not (or no longer) valid.
pub(super) fn link_refusal(state: &LinkState) -> Failure {
    bad_request(match state {
        LinkState::Used => LINK_USED,
        LinkState::Expired => LINK_EXPIRED,
        LinkState::Unknown | LinkState::Valid { .. } => LINK_UNKNOWN,
    })
}

impl AccountService {
    /// `POST /api/confirm_email {"token"}`: no session needed (the link may be opened in
    /// another browser); the token is the proof.
    pub async fn confirm_email(&self, token: Option<String>) -> Outcome<Message> {
        self.mail_enabled()?;
        let token = token.unwrap_or_default();
        let token = token.trim();
        if !links::well_formed(token) {
            return Err(bad_request(LINK_UNKNOWN));
        }
        let hash = links::token_hash(token);
        let failed = |e: sqlx::Error| database(&e, "confirming an address");
        let now = now();
        let mut tx = self.db.begin().await.map_err(failed)?;
        let (user_id, email) = match store::use_link(&mut tx, &hash, Purpose::Confirm, now)
            .await
            .map_err(failed)?
        {
            LinkState::Valid { user_id, email } => (user_id, email),
            other => return Err(link_refusal(&other)),
        };
        let outcome = store::confirm_email(&mut tx, &user_id, &email, now)
            .await
            .map_err(failed)?;
        match outcome {
            Confirmation::Confirmed | Confirmation::AlreadyConfirmed => {
                tx.commit().await.map_err(failed)?;
                self.sessions.live().changed().await;
                tracing::info!(target: SECURITY, event = "email_confirmed", user_id, "address confirmed");
                Ok(Message::new(EMAIL_CONFIRMED))
            }
            Confirmation::Replaced => {
                tx.commit().await.map_err(failed)?;
                Err(bad_request(
                    "This link is for an address that is no longer on the account.",
                ))
            }
            // The link stays unused: rolled back.
            Confirmation::TakenElsewhere => Err(Failure::new(
                StatusCode::CONFLICT,
                "This address is already confirmed for another account.",
            )),
        }
    }

    /// Counts one confirmation mail against the account's hourly allowance (429 beyond it).
    async fn count_confirmation_mail(&self, caller: &Principal) -> Outcome<Vec<Window>> {
        self.count_hourly(
            format!("mail-confirm:{}", caller.user.id),
            CONFIRMATION_MAILS_PER_HOUR,
            "Too many confirmation mails were asked for this account",
        )
        .await
    }

    /// `POST /api/resend_confirmation`: a new link to the account's unconfirmed address.
    pub async fn resend_confirmation(&self, caller: &Principal) -> Outcome<Message> {
        self.mail_enabled()?;
        let user = &caller.user;
        let Some(email) = user.email.clone() else {
            return Err(bad_request(
                "There is no address to confirm. Add one on your account page.",
            ));
        };
        if user.email_confirmed {
            return Err(bad_request("Your address is already confirmed."));
        }
        let counted = self.count_confirmation_mail(caller).await?;
        let failed = |e: sqlx::Error| database(&e, "sending a confirmation mail");
        let queued = async {
            let now = now();
            let mut tx = self.db.begin().await?;
            self.queue_confirmation(&mut tx, user, &email, now).await?;
            tx.commit().await
        }
        .await;
        if let Err(error) = queued {
            self.limiter.release(&counted).await;
            return Err(failed(error));
        }
        self.mail.queued();
        Ok(Message::new(
            "We sent a new confirmation link. It can take a few minutes to arrive.",
        ))
    }

    /// `POST /api/change_email {"email","password"}`: the password first (a stolen session
    /// must not be enough to take the account's mail, and with it its password), then the new
    /// address, unconfirmed, its confirmation mail, and a notice to the old address.
    pub async fn change_email(
        &self,
        request: &Parts,
        caller: &Principal,
        email: Option<String>,
        password: Option<String>,
    ) -> Outcome<Message> {
        self.mail_enabled()?;
        let (Some(email), Some(password)) = (
            email.filter(|e| !e.trim().is_empty()),
            password.filter(|p| !p.is_empty()),
        ) else {
            return Err(bad_request("New address and password required"));
        };
        let email = policy::parse_email(&email).map_err(unprocessable)?;
        let user = &caller.user;
        if user.email.as_deref() == Some(email.as_str()) && user.email_confirmed {
            return Err(bad_request("That is already your confirmed address."));
        }
        self.confirm_password(self.client_ip(request), user, password)
            .await?;
        let counted = self.count_confirmation_mail(caller).await?;
        let queued = async {
            let now = now();
            let mut tx = self.db.begin().await?;
            store::retire_links(&mut tx, &user.id, Purpose::Confirm, now).await?;
            store::set_email(&mut tx, &user.id, &email, now).await?;
            self.queue_confirmation(&mut tx, user, &email, now).await?;
            if let Some(old) = user.email.as_deref().filter(|old| *old != email) {
                let params = Params {
                    username: user.username.clone(),
                    token_id: None,
                    valid_secs: None,
                };
                outbox::enqueue(&mut tx, Kind::AddressChanged, old, &params, now).await?;
            }
            tx.commit().await
        }
        .await;
        if let Err(error) = queued {
            self.limiter.release(&counted).await;
            return Err(database(&error, "changing an address"));
        }
        self.sessions.live().changed().await;
        self.mail.queued();
        tracing::info!(target: SECURITY, event = "email_changed", user_id = %user.id, "address changed");
        Ok(Message::new(
            "Address changed. We sent a link to the new address to confirm it.",
        ))
    }
}
