//! Converting a lead into a contact, with a new or an existing account.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use peyvand_app::{AppError, ConvertLead, RecordView, Session};
use peyvand_domain::permission::RecordKind;

use super::form::WebForm;
use super::guard::WebSession;
use super::options::{Opt, record_choices, reference_options};
use super::page::{Layout, WebError, WebResult, render_status, see_other};
use super::{only_for, parse_id};
use crate::AppState;
use crate::i18n::t;

/// The conversion form.
#[derive(Template)]
#[template(path = "convert.html")]
pub struct ConvertTemplate {
    /// Frame.
    pub l: Layout,
    /// Heading naming the lead.
    pub heading: String,
    /// Where it posts.
    pub action: String,
    /// The lead's version.
    pub version: i64,
    /// Name of the account to create.
    pub account_name: String,
    /// Existing accounts to choose instead.
    pub accounts: Vec<Opt>,
    /// An error, if the last try failed.
    pub error: Option<String>,
    /// The lead's page.
    pub cancel_href: String,
}

async fn page(
    state: &AppState,
    session: &Session,
    lead: &RecordView,
    account_name: String,
    selected: &str,
    error: Option<String>,
) -> axum::response::Response {
    let choices = record_choices(&state.app, session, RecordKind::Account).await;
    let heading = crate::i18n::t_args(
        session.locale,
        "convert-title",
        &[("title", lead.title.clone())],
    );
    let l = Layout::new(session, heading.clone(), "leads");
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let template = ConvertTemplate {
        l,
        heading,
        action: format!("/leads/{}/convert", lead.id),
        version: lead.version,
        account_name,
        accounts: reference_options(&choices, selected, None),
        error,
        cancel_href: format!("/leads/{}", lead.id),
    };
    render_status(status, &template)
}

/// `GET /leads/{id}/convert`: the account name defaults to the lead's company.
pub async fn form(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Path((kind, id)): Path<(String, String)>,
) -> WebResult {
    only_for(&kind, "leads")?;
    let lead = state
        .app
        .get(&session, RecordKind::Lead, parse_id(&id)?)
        .await?;
    let company = lead.get("company").as_text().unwrap_or_default().to_owned();
    Ok(page(&state, &session, &lead, company, "", None).await)
}

/// `POST /leads/{id}/convert`: on success, on to the new contact.
pub async fn submit(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Path((kind, id)): Path<(String, String)>,
    form: WebForm,
) -> WebResult {
    only_for(&kind, "leads")?;
    let id = parse_id(&id)?;
    let existing = form
        .get("existing_account_id")
        .unwrap_or_default()
        .trim()
        .to_owned();
    let account_name = form
        .get("account_name")
        .unwrap_or_default()
        .trim()
        .to_owned();
    let options = ConvertLead {
        version: form
            .get("version")
            .and_then(|v| v.parse().ok())
            .ok_or(WebError(AppError::BadRequest("version")))?,
        account_name: Some(account_name.clone()).filter(|n| !n.is_empty()),
        existing_account_id: uuid::Uuid::parse_str(&existing).ok(),
        // Sales pipeline (issue 4): an amount asks for an opportunity too.
        opportunity_amount: match form.get("opportunity_amount").map(str::trim) {
            None | Some("") => None,
            Some(amount) => Some(
                peyvand_domain::number::parse_integer(amount)
                    .map_err(|e| WebError(AppError::field("opportunity_amount", e)))?,
            ),
        },
    };
    match state.app.convert_lead(&session, id, &options).await {
        Ok(converted) => Ok(see_other(&format!("/contacts/{}", converted.contact.id))),
        Err(
            error @ (AppError::Validation(_)
            | AppError::VersionConflict
            | AppError::AlreadyConverted),
        ) => {
            let lead = state.app.get(&session, RecordKind::Lead, id).await?;
            let message = match &error {
                AppError::Validation(errors) => errors
                    .fields
                    .iter()
                    .map(|(f, e)| {
                        format!(
                            "{}: {}",
                            t(session.locale, &format!("field-{f}")),
                            t(session.locale, &format!("field-error-{}", e.code()))
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(" — "),
                other => t(session.locale, &format!("error-{}", other.code().code)),
            };
            Ok(page(
                &state,
                &session,
                &lead,
                account_name,
                &existing,
                Some(message),
            )
            .await)
        }
        Err(error) => Err(error.into()),
    }
}
