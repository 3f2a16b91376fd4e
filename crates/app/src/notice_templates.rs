//! The administration of the texts customers get about their cases (issue 5 §5): every
//! template of `peyvand_domain::service::notice_templates` may be edited, previewed with sample
//! values, and reset to its built-in text. Edited texts are kept in the `settings` table as one
//! JSON document of overrides; the notices queued after a change use them.

use peyvand_domain::service::notice_templates::{
    Overrides, TemplateKey, all_keys, check, placeholders, render, text_in_use,
};
use peyvand_domain::validation::FieldError;
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use crate::App;
use crate::auth::Session;
use crate::error::{AppError, AppResult};
use crate::schemas::require_administrator;

/// The settings key of the edited texts.
const KEY: &str = "notice_templates";
/// Audit entries of template changes are filed under this kind code.
const AUDIT_KIND: &str = "notice_templates";
/// The longest template, in characters.
const MAX_TEMPLATE: usize = 4_000;

/// One template as an administrator sees it.
#[derive(Debug, Clone, Serialize)]
pub struct TemplateView {
    /// `locale.event.part`, e.g. `fa.received.sms`.
    pub key: String,
    /// `fa` or `en`.
    pub locale: &'static str,
    /// `received`, `answered`, `closed` or `survey`.
    pub event: &'static str,
    /// `subject`, `email` or `sms`.
    pub part: &'static str,
    /// The text in use (`body`, like a contract template's).
    pub body: String,
    /// The built-in text.
    pub default_body: &'static str,
    /// Whether the text in use is an edited one.
    pub edited: bool,
    /// The placeholders this template may use.
    pub placeholders: &'static [&'static str],
}

fn view(overrides: &Overrides, key: TemplateKey) -> TemplateView {
    TemplateView {
        key: key.code(),
        locale: key.locale,
        event: key.event.code(),
        part: key.part.code(),
        body: text_in_use(overrides, key).to_owned(),
        default_body: key.default_text(),
        edited: overrides.contains_key(&key.code()),
        placeholders: placeholders(key.event),
    }
}

/// The edited texts, read in `tx` (the use cases that queue notices).
pub(crate) async fn overrides_in(tx: &mut peyvand_store::Tx) -> AppResult<Overrides> {
    Ok(tx
        .setting(KEY)
        .await?
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default())
}

fn parse_key(code: &str) -> AppResult<TemplateKey> {
    TemplateKey::parse(code).ok_or(AppError::NotFound)
}

/// Sample values for previews, in the template's language.
fn samples(locale: &str) -> [(&'static str, &'static str); 5] {
    if locale == "fa" {
        [
            ("number", "1404-00017"),
            ("subject", "خرابی دستگاه"),
            ("reply", "کارشناس ما فردا با شما تماس می‌گیرد."),
            ("reply_short", "کارشناس ما فردا با شما تماس می‌گیرد."),
            ("link", "https://crm.example.com/survey/abc123"),
        ]
    } else {
        [
            ("number", "1404-00017"),
            ("subject", "Broken device"),
            ("reply", "Our engineer will call you tomorrow."),
            ("reply_short", "Our engineer will call you tomorrow."),
            ("link", "https://crm.example.com/survey/abc123"),
        ]
    }
}

/// Checks an edited text: not empty, not too long, only known placeholders.
fn validate(key: TemplateKey, text: &str) -> AppResult<()> {
    if text.trim().is_empty() {
        return Err(AppError::field("body", FieldError::REQUIRED));
    }
    if text.chars().count() > MAX_TEMPLATE {
        return Err(AppError::field("body", FieldError::TOO_LONG));
    }
    check(key.event, text).map_err(AppError::UnknownPlaceholder)
}

impl App {
    /// Every notification template with its text in use; administrators only.
    pub async fn notice_templates(&self, session: &Session) -> AppResult<Vec<TemplateView>> {
        require_administrator(session)?;
        let overrides = overrides_in(&mut self.store.read().await?).await?;
        Ok(all_keys()
            .into_iter()
            .map(|key| view(&overrides, key))
            .collect())
    }

    /// Fills `text` (or, when `None`, the template's text in use) with sample values, as a
    /// customer would read it; refuses unknown placeholders like saving does.
    pub async fn preview_notice_template(
        &self,
        session: &Session,
        code: &str,
        text: Option<&str>,
    ) -> AppResult<String> {
        require_administrator(session)?;
        let key = parse_key(code)?;
        let overrides = overrides_in(&mut self.store.read().await?).await?;
        let text = text.unwrap_or_else(|| text_in_use(&overrides, key));
        validate(key, text)?;
        Ok(render(key, text, &samples(key.locale)))
    }

    /// Saves an edited text (`Some`) or resets the template to its built-in text (`None`);
    /// the change is in the audit trail.
    pub async fn set_notice_template(
        &self,
        session: &Session,
        code: &str,
        text: Option<String>,
    ) -> AppResult<TemplateView> {
        require_administrator(session)?;
        let key = parse_key(code)?;
        if let Some(text) = &text {
            validate(key, text)?;
        }
        let now = self.now();
        let mut tx = self.store.write().await?;
        let mut overrides = overrides_in(&mut tx).await?;
        let old = text_in_use(&overrides, key).to_owned();
        match &text {
            // Saving the built-in text is a reset: the template then follows future defaults.
            Some(text) if text != key.default_text() => {
                overrides.insert(key.code(), text.clone());
            }
            _ => {
                overrides.remove(&key.code());
            }
        }
        let stored = serde_json::to_string(&overrides)
            .map_err(|e| AppError::Internal(format!("templates: {e}")))?;
        tx.put_setting(KEY, &stored, now).await?;
        tx.insert_audit(&peyvand_store::AuditRow {
            id: Uuid::now_v7(),
            record_kind: AUDIT_KIND.to_owned(),
            record_id: Uuid::nil(),
            action: if text.is_some() { "update" } else { "reset" }.to_owned(),
            actor_id: Some(session.actor.user_id),
            at: now,
            changes: json!({ key.code(): [old, text_in_use(&overrides, key)] }).to_string(),
        })
        .await?;
        tx.commit().await?;
        Ok(view(&overrides, key))
    }
}
