//! Portal password resets (issue 5 §7): a customer who forgot their portal password asks for a
//! link by email; the link carries a random token, stored only as its hash, that works once
//! and for an hour; choosing a new password through it ends every session of that account.
//!
//! Asking never tells whether the address has an account (the answer is the same either way),
//! one link per account is sent at most every [`RESEND_AFTER`], and the link is built only from
//! the public address in the settings — never from the request, which a stranger controls.

use peyvand_domain::service::notices::password_reset_notice;
use peyvand_domain::validation::FieldError;
use time::Duration;

use crate::App;
use crate::auth::{hash_password, new_secret, secret_hash, sign_in_address};
use crate::error::{AppError, AppResult};
use crate::jobs::{Job, queue_in};
use crate::notify::EmailMessage;
use crate::portal::PASSWORD_MIN;

/// How long a reset link works.
pub const RESET_LIFETIME: Duration = Duration::hours(1);
/// The shortest time between two links for one account.
pub const RESEND_AFTER: Duration = Duration::minutes(2);

impl App {
    /// Emails a reset link to the portal account signing in with `email`, in `locale`, when
    /// there is such an enabled account and email and the public address are set up. Succeeds
    /// whether or not anything was sent, so the answer does not reveal who has an account.
    pub async fn portal_request_reset(&self, email: &str, locale: &str) -> AppResult<()> {
        let email = sign_in_address(email);
        let now = self.now();
        let mut tx = self.store.write().await?;
        let settings = crate::notify_settings::configured(&mut tx).await?;
        let Some(user) = tx.portal_user_by_email(&email).await? else {
            return Ok(());
        };
        if user.disabled || settings.smtp.is_none() || settings.public_url.is_empty() {
            return Ok(());
        }
        if let Some(made) = tx.portal_reset_made_at(user.id).await?
            && now - made < RESEND_AFTER
        {
            return Ok(());
        }
        let token = new_secret()?;
        tx.replace_portal_reset(user.id, &secret_hash(&token), now, now + RESET_LIFETIME)
            .await?;
        let link = format!("{}/portal/reset/{token}", settings.public_url);
        let (subject, text) = password_reset_notice(locale, &link);
        let message = EmailMessage {
            to: user.email.clone(),
            subject,
            text,
            message_id: String::new(),
        };
        queue_in(&mut tx, Job::Email(message), now).await?;
        tx.commit().await?;
        self.wake_worker();
        Ok(())
    }

    /// Whether a reset link's token still works (for showing the form or a clear message).
    pub async fn portal_reset_valid(&self, token: &str) -> AppResult<bool> {
        let mut tx = self.store.read().await?;
        Ok(tx
            .portal_reset_user(&secret_hash(token), self.now())
            .await?
            .is_some())
    }

    /// Sets a new password through a reset link; the link stops working and every session of
    /// the account ends. A used, expired or unknown link is an error on `token`.
    pub async fn portal_reset_password(&self, token: &str, password: &str) -> AppResult<()> {
        if password.chars().count() < PASSWORD_MIN {
            return Err(AppError::field("password", FieldError::TOO_SHORT));
        }
        let hash = hash_password(password).await?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let user = tx
            .portal_reset_user(&secret_hash(token), now)
            .await?
            .ok_or(AppError::field("token", FieldError::INVALID))?;
        tx.set_portal_password(user, &hash, now).await?;
        tx.delete_portal_resets(user).await?;
        tx.commit().await?;
        Ok(())
    }
}
