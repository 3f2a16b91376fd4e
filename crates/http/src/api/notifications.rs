//! `/api/v1/settings/notifications` and `/api/v1/jobs`: administrators configure the email and
//! SMS channels (secrets are accepted, never returned), send a test message, and watch the job
//! queue, failed notifications included.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use peyvand_app::AppError;
use peyvand_app::notify::NotificationSettings;
use peyvand_app::notify_settings::SettingsView;
use peyvand_domain::validation::FieldError;
use serde::Deserialize;
use serde_json::{Value, json};

use super::body::JsonBody;
use crate::AppState;
use crate::auth::ApiSession;
use crate::error::ApiResult;

/// Most jobs one list returns.
const MAX_JOBS: u64 = 500;

/// `GET /api/v1/settings/notifications`: the settings without their secrets.
pub async fn get(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
) -> ApiResult<Json<SettingsView>> {
    Ok(Json(state.app.notification_settings(&session).await?))
}

/// `PUT /api/v1/settings/notifications`: replaces the settings; an empty secret keeps the
/// stored one.
pub async fn put(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    JsonBody(body): JsonBody<NotificationSettings>,
) -> ApiResult<Json<SettingsView>> {
    Ok(Json(
        state
            .app
            .update_notification_settings(&session, body)
            .await?,
    ))
}

/// The body of a test message.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestBody {
    channel: String,
    to: String,
}

/// `POST /api/v1/settings/notifications/test`: queues a test message; 202 with its job id.
pub async fn test(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    JsonBody(body): JsonBody<TestBody>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let id = state
        .app
        .queue_test_message(&session, &body.channel, &body.to)
        .await?;
    Ok((StatusCode::ACCEPTED, Json(json!({"job_id": id}))))
}

/// `GET /api/v1/jobs[?state=failed][&limit=N]`: the newest jobs.
pub async fn jobs(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Query(query): Query<HashMap<String, String>>,
) -> ApiResult<Json<Value>> {
    let failed_only = match query.get("state").map(String::as_str) {
        None | Some("") => false,
        Some("failed") => true,
        Some(_) => return Err(AppError::field("state", FieldError::INVALID_CHOICE).into()),
    };
    let limit = match query.get("limit") {
        Some(raw) => raw
            .parse::<u64>()
            .map_err(|_| AppError::field("limit", FieldError::INVALID_NUMBER))?,
        None => 100,
    };
    let items = state
        .app
        .jobs(&session, failed_only, limit.clamp(1, MAX_JOBS))
        .await?;
    Ok(Json(json!({ "items": items })))
}

/// `GET /api/v1/settings/notifications/sms-credit`: the SMS gateway account's credit in Rials.
pub async fn sms_credit(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
) -> ApiResult<Json<Value>> {
    let credit = state.app.sms_credit(&session).await?;
    Ok(Json(json!({ "credit": credit })))
}
