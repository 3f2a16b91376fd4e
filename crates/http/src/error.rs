//! The one error shape of the API:
//! `{"error": "validation_failed", "message": "…", "fields": {"email": "invalid_email"}}`,
//! with the message (and per-field messages) in the caller's language. A 5xx never carries
//! the cause: it is logged instead.

use axum::Json;
use axum::extract::Request;
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use peyvand_app::AppError;
use peyvand_app::error::lookup;
use peyvand_domain::calendar::Locale;
use serde_json::{Map, json};

use crate::i18n::t;

tokio::task_local! {
    /// The language of the request being answered, for error messages made deep in handlers.
    static REQUEST_LOCALE: Locale;
}

/// The language asked for by `Accept-Language` (Persian or English), if any.
pub fn accepted_language(headers: &HeaderMap) -> Option<Locale> {
    let value = headers.get(header::ACCEPT_LANGUAGE)?.to_str().ok()?;
    value
        .split(',')
        .filter_map(|part| part.split(';').next())
        .find_map(|tag| Locale::parse(tag.trim()))
}

/// Runs the request with its language remembered for error messages (English by default:
/// API clients that want Persian say so).
pub async fn remember_language(request: Request, next: Next) -> Response {
    let locale = accepted_language(request.headers()).unwrap_or(Locale::En);
    REQUEST_LOCALE.scope(locale, next.run(request)).await
}

fn current_locale() -> Locale {
    REQUEST_LOCALE.try_with(|l| *l).unwrap_or(Locale::En)
}

/// An error answered as JSON.
#[derive(Debug)]
pub enum ApiError {
    /// A use case failed.
    App(AppError),
    /// A code of the HTTP layer itself (`payload_too_large`, `csrf_failed`, …).
    Http(&'static str),
}

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        ApiError::App(error)
    }
}

impl ApiError {
    fn code(&self) -> &'static str {
        match self {
            ApiError::App(error) => error.code().code,
            ApiError::Http(code) => code,
        }
    }
}

/// The JSON body of an error in `locale`.
pub fn error_body(error: &ApiError, locale: Locale) -> serde_json::Value {
    let code = error.code();
    let mut body = json!({"error": code, "message": t(locale, &format!("error-{code}"))});
    if let ApiError::App(AppError::Validation(errors)) = error {
        let fields: Map<String, serde_json::Value> = errors
            .fields
            .iter()
            .map(|(k, v)| (k.clone(), json!(v.code())))
            .collect();
        let messages: Map<String, serde_json::Value> = errors
            .fields
            .iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    json!(t(locale, &format!("field-error-{}", v.code()))),
                )
            })
            .collect();
        body["fields"] = fields.into();
        body["field_messages"] = messages.into();
    }
    // A file that cannot be read says why: empty, unknown encoding, no header row, ….
    if let ApiError::App(AppError::InvalidTransition { from, to }) = error {
        body["from"] = json!(from);
        body["to"] = json!(to);
        body["message"] = json!(crate::i18n::t_args(
            locale,
            "error-invalid_transition-detail",
            &[
                ("from", t(locale, &format!("choice-{from}"))),
                ("to", t(locale, &format!("choice-{to}"))),
            ],
        ));
    }
    // Contracts (issue 4 §7): a refused move names both statuses, an unknown placeholder itself.
    if let ApiError::App(AppError::ContractTransition { from, to }) = error {
        body["from"] = json!(from);
        body["to"] = json!(to);
        body["message"] = json!(crate::i18n::t_args(
            locale,
            "contract-error-invalid_transition-detail",
            &[
                ("from", t(locale, &format!("choice-{from}"))),
                ("to", t(locale, &format!("choice-{to}"))),
            ],
        ));
    }
    if let ApiError::App(AppError::UnknownPlaceholder(name)) = error {
        let message = crate::i18n::t_args(
            locale,
            "error-unknown_placeholder",
            &[("name", name.clone())],
        );
        body["placeholder"] = json!(name);
        body["fields"] = json!({"body": "unknown_placeholder"});
        body["field_messages"] = json!({"body": message});
        body["message"] = json!(message);
    }
    if let ApiError::App(AppError::File(detail)) = error {
        body["detail"] = json!(detail);
        body["message"] = json!(t(locale, &format!("file-error-{detail}")));
    }
    body
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::App(AppError::Internal(cause)) = &self {
            tracing::error!(%cause, "request failed");
        }
        let status = StatusCode::from_u16(lookup(self.code()).status)
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, Json(error_body(&self, current_locale()))).into_response();
        if matches!(self, ApiError::App(AppError::TooManyAttempts)) {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from_static("900"));
        }
        response
    }
}

/// Result type of API handlers.
pub type ApiResult<T> = Result<T, ApiError>;
