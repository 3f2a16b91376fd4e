//! The administration of the email and SMS channels: their settings, kept in the database,
//! with secrets that are stored but never shown back, logged or written to the audit trail.

use std::sync::{Arc, RwLock};

use peyvand_domain::email::Email;
use peyvand_domain::validation::{FieldError, ValidationErrors};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use crate::App;
use crate::auth::Session;
use crate::error::{AppError, AppResult};
use crate::notify::{Channels, NotificationSettings, SmsSettings, SmtpSettings};
use crate::schemas::require_administrator;

/// The settings key of the channels.
const KEY: &str = "notifications";
/// Audit entries of the channel settings are filed under this kind code.
const AUDIT_KIND: &str = "notification_settings";
/// SMTP security modes.
pub const SMTP_SECURITY: &[&str] = &["starttls", "tls", "none"];
/// SMS gateway kinds.
pub const SMS_PROVIDERS: &[&str] = &["kavenegar", "http"];

/// Makes channels from settings (the server passes `peyvand_channels::build`).
pub type ChannelBuilder = Arc<dyn Fn(&NotificationSettings) -> Channels + Send + Sync>;

/// The builder in use, if the server gave one.
#[derive(Default)]
pub(crate) struct CurrentBuilder(RwLock<Option<ChannelBuilder>>);

/// The settings as shown to an administrator: every secret replaced by whether it is set.
#[derive(Debug, Clone, Serialize)]
pub struct SettingsView {
    /// The address customers reach this server at.
    pub public_url: String,
    /// Email settings without the password.
    pub smtp: Option<serde_json::Value>,
    /// SMS settings without the API key.
    pub sms: Option<serde_json::Value>,
}

fn redacted(settings: &NotificationSettings) -> SettingsView {
    SettingsView {
        public_url: settings.public_url.clone(),
        smtp: settings.smtp.as_ref().map(|s| {
            json!({
                "host": s.host, "port": s.port, "security": s.security, "username": s.username,
                "from": s.from, "password_set": !s.password.is_empty(),
            })
        }),
        sms: settings.sms.as_ref().map(|s| {
            json!({
                "provider": s.provider, "url": s.url, "sender": s.sender, "body": s.body,
                "key_header": s.key_header, "api_key_set": !s.api_key.is_empty(),
            })
        }),
    }
}

fn validate_smtp(smtp: &SmtpSettings, errors: &mut ValidationErrors) {
    if smtp.host.trim().is_empty() {
        errors.add("smtp.host", FieldError::REQUIRED);
    }
    if smtp.port == 0 {
        errors.add("smtp.port", FieldError::INVALID_NUMBER);
    }
    if !SMTP_SECURITY.contains(&smtp.security.as_str()) {
        errors.add("smtp.security", FieldError::INVALID_CHOICE);
    }
    // The sender may carry a display name: `Name <address>`.
    let address = smtp
        .from
        .rsplit_once('<')
        .map_or(smtp.from.as_str(), |(_, rest)| rest.trim_end_matches('>'));
    if let Err(error) = Email::parse(address) {
        errors.add("smtp.from", error);
    }
}

fn validate_sms(sms: &SmsSettings, errors: &mut ValidationErrors) {
    if !SMS_PROVIDERS.contains(&sms.provider.as_str()) {
        errors.add("sms.provider", FieldError::INVALID_CHOICE);
    }
    if sms.provider == "kavenegar" && sms.api_key.trim().is_empty() {
        errors.add("sms.api_key", FieldError::REQUIRED);
    }
    if sms.provider == "http"
        && !(sms.url.starts_with("http://") || sms.url.starts_with("https://"))
    {
        errors.add("sms.url", FieldError::INVALID);
    }
}

/// The stored channel settings, read in `tx` (use cases that decide whether to queue a
/// message).
pub(crate) async fn configured(tx: &mut peyvand_store::Tx) -> AppResult<NotificationSettings> {
    Ok(tx
        .setting(KEY)
        .await?
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default())
}

impl App {
    /// Sets how channels are made from settings, and makes them from the stored settings.
    /// Run at start by the server.
    pub async fn use_channel_builder(&self, builder: ChannelBuilder) -> AppResult<()> {
        *self
            .channel_builder
            .0
            .write()
            .unwrap_or_else(|e| e.into_inner()) = Some(builder);
        let settings = self.stored_settings().await?;
        self.rebuild_channels(&settings);
        Ok(())
    }

    fn rebuild_channels(&self, settings: &NotificationSettings) {
        let builder = self
            .channel_builder
            .0
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        if let Some(builder) = builder {
            self.set_channels(builder(settings));
        }
    }

    async fn stored_settings(&self) -> AppResult<NotificationSettings> {
        let stored = self.store.read().await?.setting(KEY).await?;
        Ok(stored
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default())
    }

    /// The channel settings, secrets left out; administrators only.
    pub async fn notification_settings(&self, session: &Session) -> AppResult<SettingsView> {
        require_administrator(session)?;
        Ok(redacted(&self.stored_settings().await?))
    }

    /// Replaces the channel settings. A secret left empty keeps the stored one, so forms need
    /// never show it. The change is in the audit trail, without secrets.
    pub async fn update_notification_settings(
        &self,
        session: &Session,
        mut input: NotificationSettings,
    ) -> AppResult<SettingsView> {
        require_administrator(session)?;
        let mut errors = ValidationErrors::new();
        input.public_url = input.public_url.trim().trim_end_matches('/').to_owned();
        let url = &input.public_url;
        if !(url.is_empty() || url.starts_with("https://") || url.starts_with("http://")) {
            errors.add("public_url", FieldError::INVALID);
        }
        if let Some(smtp) = &input.smtp {
            validate_smtp(smtp, &mut errors);
        }
        if let Some(sms) = &mut input.sms {
            // Keep the stored key before checking that there is one.
            if sms.api_key.is_empty()
                && let Some(old) = self.stored_settings().await?.sms
            {
                sms.api_key = old.api_key;
            }
            validate_sms(sms, &mut errors);
        }
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        let mut tx = self.store.write().await?;
        let old: NotificationSettings = tx
            .setting(KEY)
            .await?
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default();
        if let (Some(new), Some(old)) = (&mut input.smtp, &old.smtp)
            && new.password.is_empty()
        {
            new.password = old.password.clone();
        }
        let text = serde_json::to_string(&input)
            .map_err(|e| AppError::Internal(format!("settings: {e}")))?;
        let now = self.now();
        tx.put_setting(KEY, &text, now).await?;
        let changes = json!({"notifications": [redacted(&old), redacted(&input)]});
        // Settings are one per organisation: their entries are filed under the nil id.
        tx.insert_audit(&peyvand_store::AuditRow {
            id: Uuid::now_v7(),
            record_kind: AUDIT_KIND.to_owned(),
            record_id: Uuid::nil(),
            action: "update".to_owned(),
            actor_id: Some(session.actor.user_id),
            at: now,
            changes: changes.to_string(),
        })
        .await?;
        tx.commit().await?;
        self.rebuild_channels(&input);
        Ok(redacted(&input))
    }
}
