//! `POST /api/v1/{kind}/merge`: merging duplicate customer records.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, State};
use peyvand_app::MergeRequest;
use serde::Deserialize;
use serde_json::Value;
use uuid::Uuid;

use super::body::JsonBody;
use super::customer_schema_at;
use crate::AppState;
use crate::auth::ApiSession;
use crate::error::ApiResult;

/// The body: which record stays, which go, and whose value each chosen field takes.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MergeBody {
    survivor: Uuid,
    version: Option<i64>,
    others: Vec<Uuid>,
    #[serde(default)]
    picks: BTreeMap<String, Uuid>,
}

/// Merges and answers with the surviving record.
pub async fn merge(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Path(kind): Path<String>,
    JsonBody(body): JsonBody<MergeBody>,
) -> ApiResult<Json<Value>> {
    let schema = customer_schema_at(&session, &kind)?;
    let request = MergeRequest {
        survivor: body.survivor,
        version: body.version,
        others: body.others,
        picks: body.picks,
    };
    let view = state.app.merge(&session, schema.kind, &request).await?;
    Ok(Json(view.to_json()))
}
