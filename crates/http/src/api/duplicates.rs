//! Possible duplicates of customer records: `POST /api/v1/{kind}/duplicates/check` (before a
//! create; creating stays separate, so the client decides) and `GET /api/v1/{kind}/duplicates`
//! (the report over existing records, one bounded step at a time).

use std::collections::{BTreeMap, HashMap};

use axum::Json;
use axum::extract::{Path, Query, State};
use peyvand_app::json::input_from_json;
use peyvand_app::{DuplicateGroup, reason_codes};
use peyvand_domain::calendar::CalendarKind;
use serde_json::{Value, json};

use super::body::JsonObject;
use super::customer_schema_at;
use crate::AppState;
use crate::auth::ApiSession;
use crate::error::ApiResult;

/// The records that look like the one the body would create (same body as a create).
pub async fn check(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Path(kind): Path<String>,
    JsonObject(body): JsonObject,
) -> ApiResult<Json<Value>> {
    let schema = customer_schema_at(&session, &kind)?;
    let inputs: BTreeMap<_, _> = body
        .iter()
        .map(|(k, v)| (k.clone(), input_from_json(v)))
        .collect();
    let found = state
        .app
        .possible_duplicates(&session, schema.kind, &inputs, CalendarKind::Gregorian)
        .await?;
    let items: Vec<Value> = found
        .iter()
        .map(|c| json!({"id": c.id, "title": c.title, "reasons": reason_codes(&c.reasons)}))
        .collect();
    Ok(Json(json!({ "items": items })))
}

/// The JSON form of a group.
pub fn group_json(group: &DuplicateGroup) -> Value {
    json!({
        "ids": group.members.iter().map(|m| m.id).collect::<Vec<_>>(),
        "records": group.members.iter().map(|m| json!({"id": m.id, "title": m.title})).collect::<Vec<_>>(),
        "reasons": reason_codes(&group.reasons()),
        "pairs": group.pairs.iter().map(|p| json!({
            "ids": [p.first, p.second],
            "reasons": reason_codes(&p.reasons),
        })).collect::<Vec<_>>(),
    })
}

/// One step of the duplicate report: `?cursor=` from the previous step's `next_cursor`.
pub async fn report(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Path(kind): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> ApiResult<Json<Value>> {
    let schema = customer_schema_at(&session, &kind)?;
    let report = state
        .app
        .duplicate_report(
            &session,
            schema.kind,
            query.get("cursor").map(String::as_str),
        )
        .await?;
    Ok(Json(json!({
        "groups": report.groups.iter().map(group_json).collect::<Vec<_>>(),
        "next_cursor": report.next_cursor,
        "progress": report.progress,
    })))
}
