//! Contracts (issue 4 §7): the endpoints beyond generic records — a contract's status moves,
//! its renewal, a customer's contracts and the placeholders templates may use — and their
//! OpenAPI description.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use peyvand_domain::contracts::placeholders::PLACEHOLDERS;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::body::JsonBody;
use super::{customer_schema_at, parse_id};
use crate::AppState;
use crate::auth::ApiSession;
use crate::error::ApiResult;

/// The body of a move.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Move {
    status: String,
}

/// `POST /api/v1/contracts/{id}/status` with `{"status": …}`.
pub async fn move_status(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<Move>,
) -> ApiResult<Json<Value>> {
    let view = state
        .app
        .move_contract(&session, parse_id(&id)?, body.status)
        .await?;
    Ok(Json(view.to_json()))
}

/// `POST /api/v1/contracts/{id}/renew`: 201 with the new draft.
pub async fn renew(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Path(id): Path<String>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let view = state.app.renew_contract(&session, parse_id(&id)?).await?;
    Ok((StatusCode::CREATED, Json(view.to_json())))
}

/// `GET /api/v1/{accounts|contacts}/{id}/contracts`.
pub async fn of_customer(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Path((kind, id)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let schema = customer_schema_at(&session, &kind)?;
    let items = state
        .app
        .customer_contracts(&session, schema.kind, parse_id(&id)?)
        .await?;
    let items: Vec<Value> = items.iter().map(|view| view.to_json()).collect();
    Ok(Json(json!({"items": items, "next_cursor": null})))
}

/// `GET /api/v1/contract-templates/placeholders`.
pub async fn placeholders() -> Json<Value> {
    let items: Vec<Value> = PLACEHOLDERS
        .iter()
        .map(|(name, meaning)| json!({"name": name, "description": meaning}))
        .collect();
    Json(json!({"items": items}))
}

fn responses(ok_status: &str, ok: Value) -> Value {
    let error = json!({"description": "Error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}});
    let mut map = Map::new();
    map.insert(ok_status.into(), ok);
    for status in ["400", "401", "403", "404", "409", "415", "422"] {
        map.insert(status.into(), error.clone());
    }
    Value::Object(map)
}

/// Adds the contracts' own paths to the OpenAPI document.
pub fn contract_paths(paths: &mut Map<String, Value>) {
    let id = json!({"name": "id", "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}});
    let contract =
        json!({"application/json": {"schema": {"$ref": "#/components/schemas/contracts"}}});
    let tag = ["contracts"];
    paths.insert("/api/v1/contracts/{id}/status".into(), json!({
        "parameters": [id],
        "post": {"tags": tag, "operationId": "move_contracts", "description": "draft → approved (needs an update right on contracts beyond one's own: sales managers, branch managers, administrators; otherwise 403), approved → draft, approved → active (creates the owner's reminder task, due reminder_days before end_date, linked to the customer). Active contracts become expired by the worker's sweep the day after end_date. Any other move is 409 invalid_transition.", "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["status"], "additionalProperties": false, "properties": {"status": {"type": "string", "enum": ["draft", "approved", "active"]}}}}}}, "responses": responses("200", json!({"description": "The contract", "content": contract}))},
    }));
    paths.insert("/api/v1/contracts/{id}/renew".into(), json!({
        "parameters": [id],
        "post": {"tags": tag, "operationId": "renew_contracts", "description": "Renews an active or expired contract: a new draft linked by renews_id, starting the day after the old end date and lasting as long, with the same customer, deal, value and body; the old contract becomes renewed. Renewing anything else is 409 invalid_transition.", "responses": responses("201", json!({"description": "The new draft", "content": contract}))},
    }));
    for kind in ["accounts", "contacts"] {
        paths.insert(format!("/api/v1/{kind}/{{id}}/contracts"), json!({
            "parameters": [id],
            "get": {"tags": [kind], "operationId": format!("contracts_of_{kind}"), "description": "The customer's contracts the caller may read, latest start first (at most 50).", "responses": responses("200", json!({"description": "Contracts", "content": {"application/json": {"schema": {"type": "object", "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/contracts"}}, "next_cursor": {"type": "null"}}}}}}))},
        }));
    }
    paths.insert("/api/v1/contract-templates/placeholders".into(), json!({
        "get": {"tags": ["contract-templates"], "operationId": "contract_placeholders", "description": "The placeholders a template body may use, written {{name}}; any other is refused with 422 unknown_placeholder naming it.", "responses": responses("200", json!({"description": "Placeholders", "content": {"application/json": {"schema": {"type": "object", "properties": {"items": {"type": "array", "items": {"type": "object", "properties": {"name": {"type": "string"}, "description": {"type": "string"}}}}}}}}}))},
    }));
}
