//! `/api/v1/insights/taggings` and `/api/v1/insights/retention/tag`: tagging the customers of
//! an analytics list as a background job with progress, once or after every recomputation.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::body::JsonBody;
use super::insights::{InsightParams, RETENTION_MIN_CHURN};
use super::parse_id;
use crate::AppState;
use crate::auth::ApiSession;
use crate::error::ApiResult;

/// The list's filters from a JSON body: the query parameters of the lists, as strings or
/// numbers.
fn params_of(body: &Value) -> InsightParams {
    let text = |name: &str| body[name].as_str().map(str::to_owned);
    let number = |name: &str| body[name].as_f64().map(|n| n.to_string()).or(text(name));
    InsightParams {
        branch_id: text("branch_id"),
        segment: text("segment"),
        tier: text("tier"),
        cell: text("cell"),
        loyalty: text("loyalty"),
        from: text("from"),
        to: text("to"),
        min_churn: number("min_churn"),
        min_clv: body["min_clv"]
            .as_i64()
            .map(|n| n.to_string())
            .or(text("min_clv")),
        ..InsightParams::default()
    }
}

/// Queues the tagging the body describes; `retention` puts the retention list's bar on churn
/// when none is given.
async fn request(
    state: &AppState,
    session: &peyvand_app::Session,
    body: &Value,
    retention: bool,
) -> ApiResult<Response> {
    let mut query = params_of(body).query(session)?;
    if retention {
        query.min_churn.get_or_insert(RETENTION_MIN_CHURN);
    }
    let tag = body["tag"].as_str().unwrap_or_default();
    let nightly = body["nightly"].as_bool().unwrap_or(false);
    let tagging = state
        .app
        .request_insight_tagging(session, &query, tag, nightly)
        .await?;
    Ok((StatusCode::ACCEPTED, Json(json!(tagging))).into_response())
}

/// `POST /api/v1/insights/taggings`: tags every customer of a list (the lists' filters as
/// fields) that the caller may update, as a background job; `nightly` repeats it after every
/// recomputation.
pub async fn create(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<Response> {
    request(&state, &session, &body, false).await
}

/// `POST /api/v1/insights/retention/tag`: as [`create`], for the retention list (churn
/// probability at least 0.5 unless `min_churn` says otherwise).
pub async fn tag_retention(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<Response> {
    request(&state, &session, &body, true).await
}

/// `GET /api/v1/insights/taggings`: the newest taggings.
pub async fn list(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
) -> ApiResult<Json<Value>> {
    let items = state.app.insight_taggings(&session).await?;
    Ok(Json(json!({"items": items})))
}

/// `GET /api/v1/insights/taggings/{id}`: one tagging's state and progress.
pub async fn get(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let tagging = state.app.insight_tagging(&session, parse_id(&id)?).await?;
    Ok(Json(json!(tagging)))
}

/// `DELETE /api/v1/insights/taggings/{id}`: stops a tagging (a nightly one is not repeated).
pub async fn stop(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    state
        .app
        .stop_insight_tagging(&session, parse_id(&id)?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
