//! Signing in and out.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use peyvand_app::AppError;
use peyvand_domain::calendar::Locale;
use serde::Deserialize;

use super::form::{WebForm, encode_component};
use super::guard::{guest_locale, safe_next};
use super::page::{Layout, render_status, see_other};
use crate::AppState;
use crate::auth::{SESSION_COOKIE, cookie, session_cookie};

/// The sign-in page.
#[derive(Template)]
#[template(path = "login.html")]
pub struct LoginTemplate {
    /// Frame (no navigation).
    pub l: Layout,
    /// Email as typed (kept after a failure).
    pub email: String,
    /// Where to go afterwards.
    pub next: String,
    /// What went wrong, if anything.
    pub error: Option<String>,
    /// Link to the page in the other language.
    pub switch_href: String,
    /// Label of that link.
    pub switch_label: String,
}

/// Query of the sign-in page.
#[derive(Debug, Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
}

fn page(locale: Locale, email: String, next: String, error: Option<String>) -> LoginTemplate {
    let l = Layout::anonymous(locale, crate::i18n::t(locale, "login-title"));
    let other = if locale == Locale::Fa {
        Locale::En
    } else {
        Locale::Fa
    };
    let switch_href = format!(
        "/login?lang={}&next={}",
        other.code(),
        encode_component(&next)
    );
    let switch_label = crate::i18n::t(other, "language-name");
    LoginTemplate {
        l,
        email,
        next,
        error,
        switch_href,
        switch_label,
    }
}

/// `GET /login`.
pub async fn form(
    headers: HeaderMap,
    uri: axum::http::Uri,
    Query(query): Query<LoginQuery>,
) -> Response {
    let locale = guest_locale(&headers, uri.query());
    let next = safe_next(query.next.as_deref());
    render_status(StatusCode::OK, &page(locale, String::new(), next, None))
}

/// `POST /login`: on success the session cookie is set and the browser goes on to `next`.
pub async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: axum::http::Uri,
    form: WebForm,
) -> Response {
    let email = form.get("email").unwrap_or_default().to_owned();
    let password = form.get("password").unwrap_or_default();
    let next = safe_next(form.get("next"));
    let locale = form
        .get("lang")
        .and_then(Locale::parse)
        .unwrap_or_else(|| guest_locale(&headers, uri.query()));
    let result = match state.app.check_credentials(&email, password).await {
        Ok(user_id) => state.app.create_session(user_id).await,
        Err(error) => Err(error),
    };
    match result {
        Ok(value) => {
            let mut response = see_other(&next);
            if let Ok(cookie) = session_cookie(&value, state.config.secure_cookies).parse() {
                response.headers_mut().insert(header::SET_COOKIE, cookie);
            }
            response
        }
        Err(error) => {
            let (status, key) = match error {
                AppError::TooManyAttempts => {
                    (StatusCode::TOO_MANY_REQUESTS, "error-too_many_attempts")
                }
                AppError::BadCredentials => (StatusCode::UNAUTHORIZED, "error-bad_credentials"),
                other => {
                    tracing::error!(error = %other, "sign-in failed");
                    (StatusCode::INTERNAL_SERVER_ERROR, "error-internal")
                }
            };
            let message = crate::i18n::t(locale, key);
            render_status(status, &page(locale, email, next, Some(message)))
        }
    }
}

/// `POST /logout` (the guard checked the CSRF token): ends the session and clears the cookie.
pub async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(value) = cookie(&headers, SESSION_COOKIE) {
        // The cookie is cleared either way; a failure only leaves a session that expires.
        if let Err(error) = state.app.end_session(&value).await {
            tracing::warn!(%error, "ending a session failed");
        }
    }
    let mut response = see_other("/login").into_response();
    if let Ok(cookie) = session_cookie("", state.config.secure_cookies).parse() {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    response
}
