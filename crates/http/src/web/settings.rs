//! `GET /settings`: the user's own language, calendar, password and personal API tokens.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use peyvand_app::{AppError, Session};
use peyvand_domain::calendar::{CalendarKind, Locale};
use peyvand_domain::record::{CALENDARS, LOCALES};

use super::form::WebForm;
use super::format::Fmt;
use super::guard::WebSession;
use super::options::{Opt, choice_options};
use super::page::{Layout, WebError, WebResult, render_status, see_other};
use super::parse_id;
use crate::AppState;
use crate::i18n::t;

/// A personal API token as listed.
#[derive(Debug, Clone)]
pub struct TokenItem {
    /// Its name.
    pub name: String,
    /// When it was made.
    pub created: String,
    /// When it was last used (empty if never).
    pub last_used: String,
    /// Where its revoke button posts (None once revoked).
    pub revoke_action: Option<String>,
}

/// The settings page.
#[derive(Template)]
#[template(path = "settings.html")]
pub struct SettingsTemplate {
    /// Frame.
    pub l: Layout,
    /// Language options.
    pub locales: Vec<Opt>,
    /// Calendar options.
    pub calendars: Vec<Opt>,
    /// The user's tokens.
    pub tokens: Vec<TokenItem>,
    /// A token's secret, shown once right after it was made.
    pub new_secret: Option<String>,
    /// An error of the password form.
    pub password_error: Option<String>,
    /// An error of the token form.
    pub token_error: Option<String>,
}

/// What one settings request has to tell.
#[derive(Default)]
struct Outcome {
    new_secret: Option<String>,
    password_error: Option<String>,
    token_error: Option<String>,
}

async fn page(
    state: &AppState,
    session: &Session,
    outcome: Outcome,
    status: StatusCode,
) -> WebResult {
    let fmt = Fmt::of(session);
    let tokens = state
        .app
        .api_tokens(session)
        .await?
        .into_iter()
        .map(|row| TokenItem {
            name: row.name,
            created: fmt.datetime(row.created_at),
            last_used: row
                .last_used_at
                .map(|at| fmt.datetime(at))
                .unwrap_or_default(),
            revoke_action: row
                .revoked_at
                .is_none()
                .then(|| format!("/settings/tokens/{}/revoke", row.id)),
        })
        .collect();
    let l = Layout::new(session, t(session.locale, "nav-settings"), "settings");
    let template = SettingsTemplate {
        l,
        locales: choice_options(&fmt, LOCALES, session.locale.code()),
        calendars: choice_options(&fmt, CALENDARS, session.calendar.code()),
        tokens,
        new_secret: outcome.new_secret,
        password_error: outcome.password_error,
        token_error: outcome.token_error,
    };
    Ok(render_status(status, &template))
}

fn field_message(session: &Session, error: &AppError) -> Option<String> {
    match error {
        AppError::Validation(errors) => errors
            .fields
            .values()
            .next()
            .map(|e| t(session.locale, &format!("field-error-{}", e.code()))),
        _ => None,
    }
}

/// `GET /settings`.
pub async fn show(State(state): State<AppState>, WebSession(session): WebSession) -> WebResult {
    page(&state, &session, Outcome::default(), StatusCode::OK).await
}

/// `POST /settings/preferences`: language and calendar.
pub async fn preferences(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    form: WebForm,
) -> WebResult {
    let locale = form
        .get("locale")
        .and_then(Locale::parse)
        .ok_or(WebError(AppError::BadRequest("locale")))?;
    let calendar = form
        .get("calendar")
        .and_then(CalendarKind::parse)
        .ok_or(WebError(AppError::BadRequest("calendar")))?;
    state
        .app
        .update_preferences(&session, locale, calendar)
        .await?;
    Ok(see_other("/settings"))
}

/// `POST /settings/password`. Changing it ends every session of the user, this one too, so
/// the browser goes to the sign-in page.
pub async fn password(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    form: WebForm,
) -> WebResult {
    let password = form.get("password").unwrap_or_default();
    match state
        .app
        .set_password(&session, session.actor.user_id, password)
        .await
    {
        Ok(()) => Ok(see_other("/login")),
        Err(error @ AppError::Validation(_)) => {
            let outcome = Outcome {
                password_error: field_message(&session, &error),
                ..Outcome::default()
            };
            page(&state, &session, outcome, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(error) => Err(error.into()),
    }
}

/// `POST /settings/tokens`: makes a token and shows its secret this once.
pub async fn create_token(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    form: WebForm,
) -> WebResult<Response> {
    match state
        .app
        .create_api_token(&session, form.get("name").unwrap_or_default())
        .await
    {
        Ok((_, secret)) => {
            let outcome = Outcome {
                new_secret: Some(secret),
                ..Outcome::default()
            };
            page(&state, &session, outcome, StatusCode::OK).await
        }
        Err(error @ AppError::Validation(_)) => {
            let outcome = Outcome {
                token_error: field_message(&session, &error),
                ..Outcome::default()
            };
            page(&state, &session, outcome, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(error) => Err(error.into()),
    }
}

/// `POST /settings/tokens/{id}/revoke`.
pub async fn revoke_token(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Path(id): Path<String>,
) -> WebResult {
    state.app.revoke_api_token(&session, parse_id(&id)?).await?;
    Ok(see_other("/settings"))
}
