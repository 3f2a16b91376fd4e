//! Endpoints around records: notes, relationships, timeline, lead conversion, a role's
//! access rights and users' passwords.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use peyvand_app::{ConvertLead, TimelineEntry};
use peyvand_domain::permission::Grants;
use serde::Deserialize;
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;

use super::body::JsonBody;
use super::{customer_schema_at, parse_id, schema_at};
use crate::AppState;
use crate::auth::ApiSession;
use crate::error::ApiResult;

fn rfc3339(at: time::OffsetDateTime) -> Value {
    at.format(&Rfc3339)
        .map(Value::String)
        .unwrap_or(Value::Null)
}

fn timeline_json(entry: &TimelineEntry) -> Value {
    json!({
        "at": rfc3339(entry.at),
        "actor_id": entry.actor_id,
        "action": entry.action,
        "changes": entry.changes,
        "note_id": entry.note_id,
    })
}

pub async fn timeline(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Path((kind, id)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let schema = schema_at(&session, &kind)?;
    let entries = state
        .app
        .timeline(&session, schema.kind, parse_id(&id)?)
        .await?;
    Ok(Json(
        json!({"items": entries.iter().map(timeline_json).collect::<Vec<_>>(), "next_cursor": null}),
    ))
}

fn note_json(note: &peyvand_app::NoteView) -> Value {
    json!({
        "id": note.id,
        "record_kind": note.record_kind,
        "record_id": note.record_id,
        "author_id": note.author_id,
        "body": note.body,
        "created_at": rfc3339(note.created_at),
    })
}

pub async fn list_notes(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Path((kind, id)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let schema = customer_schema_at(&session, &kind)?;
    let notes = state
        .app
        .notes(&session, schema.kind, parse_id(&id)?)
        .await?;
    Ok(Json(
        json!({"items": notes.iter().map(note_json).collect::<Vec<_>>(), "next_cursor": null}),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewNote {
    body: String,
}

pub async fn add_note(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Path((kind, id)): Path<(String, String)>,
    JsonBody(body): JsonBody<NewNote>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let schema = customer_schema_at(&session, &kind)?;
    let note = state
        .app
        .add_note(&session, schema.kind, parse_id(&id)?, &body.body)
        .await?;
    Ok((StatusCode::CREATED, Json(note_json(&note))))
}

pub async fn delete_note(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    state.app.delete_note(&session, parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn list_relationships(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Path((kind, id)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let schema = customer_schema_at(&session, &kind)?;
    let items: Vec<Value> = state
        .app
        .relationships(&session, schema.kind, parse_id(&id)?)
        .await?
        .iter()
        .map(|r| {
            json!({
                "id": r.row.id,
                "relation_type": r.row.relation_type,
                "note": r.row.note,
                "other_kind": r.other_kind.code(),
                "other_id": r.other_id,
                "other_title": r.other_title,
                "created_at": rfc3339(r.row.created_at),
            })
        })
        .collect();
    Ok(Json(json!({"items": items, "next_cursor": null})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewRelationship {
    to_kind: String,
    to_id: uuid::Uuid,
    relation_type: String,
    note: Option<String>,
}

pub async fn add_relationship(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Path((kind, id)): Path<(String, String)>,
    JsonBody(body): JsonBody<NewRelationship>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let schema = customer_schema_at(&session, &kind)?;
    let row = state
        .app
        .add_relationship(
            &session,
            (schema.kind, parse_id(&id)?),
            &body.to_kind,
            body.to_id,
            &body.relation_type,
            body.note.as_deref(),
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"id": row.id, "relation_type": row.relation_type})),
    ))
}

pub async fn delete_relationship(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    state
        .app
        .delete_relationship(&session, parse_id(&id)?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Convert {
    version: i64,
    account_name: Option<String>,
    existing_account_id: Option<uuid::Uuid>,
    /// Sales pipeline (issue 4): with an amount, an opportunity is created too.
    opportunity_amount: Option<i64>,
}

pub async fn convert_lead(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<Convert>,
) -> ApiResult<Json<Value>> {
    let options = ConvertLead {
        version: body.version,
        account_name: body.account_name,
        existing_account_id: body.existing_account_id,
        opportunity_amount: body.opportunity_amount,
    };
    let converted = state
        .app
        .convert_lead(&session, parse_id(&id)?, &options)
        .await?;
    Ok(Json(json!({
        "lead": converted.lead.to_json(),
        "account": converted.account.map(|a| a.to_json()),
        "contact": converted.contact.to_json(),
        "opportunity": converted.opportunity.map(|o| o.to_json()),
    })))
}

pub async fn get_grants(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Path(id): Path<String>,
) -> ApiResult<Json<Grants>> {
    Ok(Json(state.app.role_grants(&session, parse_id(&id)?).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PutGrants {
    version: i64,
    grants: Grants,
}

pub async fn put_grants(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<PutGrants>,
) -> ApiResult<Json<Value>> {
    let view = state
        .app
        .set_role_grants(&session, parse_id(&id)?, body.version, &body.grants)
        .await?;
    Ok(Json(view.to_json()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewPassword {
    password: String,
}

pub async fn set_password(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<NewPassword>,
) -> ApiResult<StatusCode> {
    state
        .app
        .set_password(&session, parse_id(&id)?, &body.password)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
