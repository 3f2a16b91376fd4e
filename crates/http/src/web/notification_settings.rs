//! `/settings/notifications`: administrators set up the email and SMS channels (secrets are
//! never shown back: an empty password or key keeps the stored one), send a test message, and
//! see the newest notifications with their state and last error.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use peyvand_app::AppError;
use peyvand_app::notify::{NotificationSettings, SmsSettings, SmtpSettings};
use serde::Deserialize;

use super::form::WebForm;
use super::format::Fmt;
use super::guard::WebSession;
use super::page::{Layout, WebResult, render, see_other};
use crate::AppState;

/// Jobs listed on the page.
const JOBS_SHOWN: u64 = 50;

#[derive(Template)]
#[template(path = "notification_settings.html")]
struct SettingsPage {
    l: Layout,
    notice: Option<String>,
    errors: Vec<String>,
    public_url: String,
    smtp_on: bool,
    smtp_host: String,
    smtp_port: String,
    smtp_security: String,
    smtp_username: String,
    smtp_from: String,
    password_set: bool,
    sms_on: bool,
    sms_provider: String,
    sms_url: String,
    sms_sender: String,
    sms_body: String,
    sms_key_header: String,
    api_key_set: bool,
    securities: Vec<(&'static str, String)>,
    providers: Vec<(&'static str, String)>,
    jobs: Vec<(String, String, String, String, String, String)>,
    /// The SMS gateway's credit, when the administrator asked for it.
    credit: Option<String>,
}

/// Query of the page: what was just done.
#[derive(Deserialize)]
pub struct PageQuery {
    done: Option<String>,
    /// Set by the "check credit" link: ask the SMS gateway for the account's credit.
    credit: Option<String>,
}

fn text(value: &serde_json::Value, name: &str) -> String {
    match &value[name] {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Number(n) => n.to_string(),
        _ => String::new(),
    }
}

async fn page(
    state: &AppState,
    session: &peyvand_app::Session,
    notice: Option<String>,
    mut errors: Vec<String>,
    ask_credit: bool,
) -> WebResult<Response> {
    let credit = if ask_credit {
        match state.app.sms_credit(session).await {
            Ok(Some(rials)) => Some(Fmt::of(session).rials_and_tomans(rials)),
            Ok(None) => Some(crate::i18n::t(session.locale, "notify-no-sms")),
            Err(error) => {
                errors.extend(messages(session.locale, &error));
                None
            }
        }
    } else {
        None
    };
    let settings = state.app.notification_settings(session).await?;
    let jobs = state.app.jobs(session, false, JOBS_SHOWN).await?;
    let fmt = Fmt::of(session);
    let l = Layout::new(
        session,
        crate::i18n::t(session.locale, "notify-title"),
        "settings",
    );
    let smtp = settings.smtp.clone().unwrap_or_default();
    let sms = settings.sms.clone().unwrap_or_default();
    let jobs = jobs
        .into_iter()
        .map(|j| {
            (
                l.t(if j.kind == "email" {
                    "notify-email"
                } else {
                    "notify-sms"
                }),
                j.to,
                match j.delivery {
                    Some(delivery) => format!(
                        "{} — {}",
                        l.t(&format!("job-state-{}", j.state)),
                        l.t(&format!("sms-delivery-{delivery}"))
                    ),
                    None => l.t(&format!("job-state-{}", j.state)),
                },
                fmt.integer(j.attempts),
                j.last_error.unwrap_or_default(),
                fmt.datetime(j.created_at),
            )
        })
        .collect();
    let template = SettingsPage {
        notice,
        errors,
        public_url: settings.public_url.clone(),
        smtp_on: settings.smtp.is_some(),
        smtp_host: text(&smtp, "host"),
        smtp_port: text(&smtp, "port"),
        smtp_security: text(&smtp, "security"),
        smtp_username: text(&smtp, "username"),
        smtp_from: text(&smtp, "from"),
        password_set: smtp["password_set"] == true,
        sms_on: settings.sms.is_some(),
        sms_provider: text(&sms, "provider"),
        sms_url: text(&sms, "url"),
        sms_sender: text(&sms, "sender"),
        sms_body: text(&sms, "body"),
        sms_key_header: text(&sms, "key_header"),
        api_key_set: sms["api_key_set"] == true,
        securities: ["starttls", "tls", "none"]
            .into_iter()
            .map(|c| (c, l.t(&format!("notify-security-{c}"))))
            .collect(),
        providers: ["kavenegar", "http"]
            .into_iter()
            .map(|c| (c, l.t(&format!("notify-provider-{c}"))))
            .collect(),
        jobs,
        credit,
        l,
    };
    Ok(render(&template))
}

/// `GET /settings/notifications`.
pub async fn show(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Query(query): Query<PageQuery>,
) -> WebResult<Response> {
    let notice = query
        .done
        .filter(|d| matches!(d.as_str(), "saved" | "queued"))
        .map(|d| crate::i18n::t(session.locale, &format!("notify-done-{d}")));
    let ask_credit = query.credit.is_some();
    page(&state, &session, notice, vec![], ask_credit).await
}

fn settings_from(form: &WebForm) -> NotificationSettings {
    let field = |name: &str| form.get(name).unwrap_or_default().trim().to_owned();
    let on = |name: &str| form.get(name) == Some("1");
    NotificationSettings {
        public_url: field("public_url"),
        smtp: on("smtp_on").then(|| SmtpSettings {
            host: field("smtp_host"),
            port: peyvand_domain::text::to_latin_digits(&field("smtp_port"))
                .parse()
                .unwrap_or(0),
            security: field("smtp_security"),
            username: field("smtp_username"),
            password: form.get("smtp_password").unwrap_or_default().to_owned(),
            from: field("smtp_from"),
        }),
        sms: on("sms_on").then(|| SmsSettings {
            provider: field("sms_provider"),
            url: field("sms_url"),
            api_key: form.get("sms_api_key").unwrap_or_default().to_owned(),
            sender: field("sms_sender"),
            body: field("sms_body"),
            key_header: field("sms_key_header"),
        }),
    }
}

fn messages(locale: peyvand_domain::calendar::Locale, error: &AppError) -> Vec<String> {
    // Fields of the settings are named like `smtp.host`; their labels `notify-field-smtp-host`.
    super::page::error_sentences(locale, error, |field| {
        format!("notify-field-{}", field.replace('.', "-"))
    })
}

/// `POST /settings/notifications`.
pub async fn save(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    form: WebForm,
) -> WebResult<Response> {
    match state
        .app
        .update_notification_settings(&session, settings_from(&form))
        .await
    {
        Ok(_) => Ok(see_other("/settings/notifications?done=saved")),
        Err(error @ AppError::Validation(_)) => {
            let errors = messages(session.locale, &error);
            page(&state, &session, None, errors, false).await
        }
        Err(error) => Err(error.into()),
    }
}

/// `POST /settings/notifications/test` with `channel` and `to`.
pub async fn test(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    form: WebForm,
) -> WebResult<Response> {
    let channel = form.get("channel").unwrap_or_default();
    let to = form.get("to").unwrap_or_default();
    match state.app.queue_test_message(&session, channel, to).await {
        Ok(_) => Ok(see_other("/settings/notifications?done=queued")),
        Err(error @ AppError::Validation(_)) => {
            let errors = messages(session.locale, &error);
            page(&state, &session, None, errors, false).await
        }
        Err(error) => Err(error.into()),
    }
}
