//! Reading JSON request bodies with the API's own errors: wrong content type 415, too large
//! 413, malformed 400 — all in the one error shape.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::error::ApiError;

/// A JSON object body, members kept as raw JSON for validation against a schema.
pub struct JsonObject(pub Map<String, Value>);

/// A JSON body of a fixed shape (unknown members are refused by `deny_unknown_fields`).
pub struct JsonBody<T>(pub T);

async fn read_json<S: Send + Sync>(request: Request, state: &S) -> Result<Value, ApiError> {
    let is_json = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(';')
                .next()
                .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
        });
    if !is_json {
        return Err(ApiError::Http("unsupported_media_type"));
    }
    let bytes = Bytes::from_request(request, state)
        .await
        .map_err(|rejection| {
            if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::Http("payload_too_large")
            } else {
                ApiError::App(peyvand_app::AppError::BadRequest("body"))
            }
        })?;
    serde_json::from_slice(&bytes)
        .map_err(|_| ApiError::App(peyvand_app::AppError::BadRequest("json")))
}

impl<S: Send + Sync> FromRequest<S> for JsonObject {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match read_json(request, state).await? {
            Value::Object(map) => Ok(JsonObject(map)),
            _ => Err(ApiError::App(peyvand_app::AppError::BadRequest("json"))),
        }
    }
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let value = read_json(request, state).await?;
        serde_json::from_value(value).map(JsonBody).map_err(|e| {
            // Name the offending member when serde says which one, as a field error.
            let message = e.to_string();
            let field = message
                .split('`')
                .nth(1)
                .map(str::to_owned)
                .unwrap_or_else(|| "body".to_owned());
            let code = if message.starts_with("unknown field") {
                peyvand_domain::validation::FieldError::UNKNOWN_FIELD
            } else if message.starts_with("missing field") {
                peyvand_domain::validation::FieldError::REQUIRED
            } else {
                peyvand_domain::validation::FieldError::INVALID
            };
            ApiError::App(peyvand_app::AppError::field(&field, code))
        })
    }
}
