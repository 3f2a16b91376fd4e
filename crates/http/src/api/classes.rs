//! Customer classification (issue 4 §8): `/api/v1/settings/classes` (the scheme: read by every
//! signed-in user, set by administrators), `POST /api/v1/classes/recompute` (queues a run;
//! 202 with the run) and `/api/v1/classes/runs[/{id}]` (progress and outcome of runs).

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use peyvand_app::AppError;
use peyvand_app::classes::{MAX_RUNS, RunView};
use peyvand_domain::classes::Scheme;
use peyvand_domain::validation::FieldError;
use serde_json::{Value, json};

use super::body::JsonBody;
use super::parse_id;
use crate::AppState;
use crate::auth::ApiSession;
use crate::error::ApiResult;

/// `GET /api/v1/settings/classes`: the scheme; 404 while none is set.
pub async fn get_scheme(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
) -> ApiResult<Json<Scheme>> {
    let scheme = state.app.classification_scheme(&session).await?;
    Ok(Json(scheme.ok_or(AppError::NotFound)?))
}

/// `PUT /api/v1/settings/classes`: replaces the scheme (administrators).
pub async fn put_scheme(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    JsonBody(body): JsonBody<Scheme>,
) -> ApiResult<Json<Scheme>> {
    Ok(Json(
        state.app.set_classification_scheme(&session, body).await?,
    ))
}

/// `POST /api/v1/classes/recompute`: queues a recompute; 202 with the run to poll.
pub async fn recompute(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
) -> ApiResult<(StatusCode, Json<RunView>)> {
    let run = state.app.request_classification(&session).await?;
    Ok((StatusCode::ACCEPTED, Json(run)))
}

/// `GET /api/v1/classes/runs[?limit=N]`: the newest runs.
pub async fn runs(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Query(query): Query<HashMap<String, String>>,
) -> ApiResult<Json<Value>> {
    let limit = match query.get("limit") {
        Some(raw) => raw
            .parse::<u64>()
            .map_err(|_| AppError::field("limit", FieldError::INVALID_NUMBER))?,
        None => 20,
    };
    let items = state
        .app
        .classification_runs(&session, limit.clamp(1, MAX_RUNS))
        .await?;
    Ok(Json(json!({ "items": items })))
}

/// `GET /api/v1/classes/runs/{id}`: one run's progress and outcome.
pub async fn run(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Path(id): Path<String>,
) -> ApiResult<Json<RunView>> {
    Ok(Json(
        state
            .app
            .classification_run(&session, parse_id(&id)?)
            .await?,
    ))
}
