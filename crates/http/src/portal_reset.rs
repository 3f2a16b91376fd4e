//! `/portal/forgot` and `/portal/reset/{token}`: a customer who forgot their portal password
//! asks for a link by email and chooses a new password through it. Nobody is signed in on
//! these pages, so cross-site posts are refused by the browser's fetch metadata, as on the
//! sign-in form.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use peyvand_domain::calendar::Locale;

use crate::AppState;
use crate::web::form::WebForm;
use crate::web::guard::{guest_locale, is_cross_site};
use crate::web::page::{Layout, render_status};

/// The password reset routes (outside the staff guard).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/portal/forgot", get(forgot_form).post(forgot))
        .route("/portal/reset/{token}", get(reset_form).post(reset))
}

/// Both pages: a heading, an optional notice or error, and the form when one is due.
#[derive(Template)]
#[template(path = "portal_reset.html")]
struct ResetPage {
    l: Layout,
    csrf: String,
    who: String,
    /// `forgot` (ask for a link), `reset` (choose a password) or `none` (only the message).
    form: &'static str,
    action: String,
    notice: Option<String>,
    error: Option<String>,
}

fn page(locale: Locale, form: &'static str, action: String) -> ResetPage {
    ResetPage {
        l: Layout::anonymous(locale, crate::i18n::t(locale, "portal-reset-title")),
        csrf: String::new(),
        who: String::new(),
        form,
        action,
        notice: None,
        error: None,
    }
}

fn form_locale(headers: &HeaderMap, form: &WebForm) -> Locale {
    form.get("lang")
        .and_then(Locale::parse)
        .unwrap_or_else(|| guest_locale(headers, None))
}

/// `GET /portal/forgot`.
async fn forgot_form(headers: HeaderMap, uri: axum::http::Uri) -> Response {
    let locale = guest_locale(&headers, uri.query());
    render_status(
        StatusCode::OK,
        &page(locale, "forgot", "/portal/forgot".into()),
    )
}

/// `POST /portal/forgot`: the same answer whether or not the address has an account.
async fn forgot(State(state): State<AppState>, headers: HeaderMap, form: WebForm) -> Response {
    let locale = form_locale(&headers, &form);
    if is_cross_site(&headers) {
        return render_status(StatusCode::FORBIDDEN, &page(locale, "none", String::new()));
    }
    let email = form.get("email").unwrap_or_default();
    if let Err(error) = state.app.portal_request_reset(email, locale.code()).await {
        tracing::error!(%error, "portal password reset request");
    }
    let mut sent = page(locale, "none", String::new());
    sent.notice = Some(crate::i18n::t(locale, "portal-reset-sent"));
    render_status(StatusCode::OK, &sent)
}

fn expired(locale: Locale) -> Response {
    let mut gone = page(locale, "none", String::new());
    gone.error = Some(crate::i18n::t(locale, "portal-reset-expired"));
    render_status(StatusCode::NOT_FOUND, &gone)
}

/// `GET /portal/reset/{token}`.
async fn reset_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: axum::http::Uri,
    Path(token): Path<String>,
) -> Response {
    let locale = guest_locale(&headers, uri.query());
    match state.app.portal_reset_valid(&token).await {
        Ok(true) => render_status(
            StatusCode::OK,
            &page(locale, "reset", format!("/portal/reset/{token}")),
        ),
        _ => expired(locale),
    }
}

/// `POST /portal/reset/{token}`: a new password, typed twice.
async fn reset(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
    form: WebForm,
) -> Response {
    let locale = form_locale(&headers, &form);
    if is_cross_site(&headers) {
        return render_status(StatusCode::FORBIDDEN, &page(locale, "none", String::new()));
    }
    let password = form.get("password").unwrap_or_default();
    let again = form.get("password_again").unwrap_or_default();
    let mut retry = page(locale, "reset", format!("/portal/reset/{token}"));
    if password != again {
        retry.error = Some(crate::i18n::t(locale, "portal-reset-mismatch"));
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &retry);
    }
    match state.app.portal_reset_password(&token, password).await {
        Ok(()) => {
            let mut done = page(locale, "none", String::new());
            done.notice = Some(crate::i18n::t(locale, "portal-reset-done"));
            render_status(StatusCode::OK, &done)
        }
        Err(peyvand_app::AppError::Validation(errors)) if errors.fields.contains_key("token") => {
            expired(locale)
        }
        Err(error) => {
            let messages =
                crate::web::page::error_sentences(locale, &error, |field| format!("field-{field}"));
            retry.error = Some(messages.join(" "));
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &retry)
        }
    }
}
