//! `/api/v1/custom-fields`: administrators define fields of their own on accounts, contacts and
//! leads (PRODUCT.md §12). The values then travel with the records like built-in fields.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use peyvand_app::AppError;
use peyvand_domain::custom::{CUSTOM_KINDS, CustomField, CustomFieldInput};
use peyvand_domain::permission::RecordKind;
use peyvand_domain::validation::FieldError;
use serde::Deserialize;
use serde_json::{Value, json};

use super::body::JsonBody;
use super::parse_id;
use crate::AppState;
use crate::auth::ApiSession;
use crate::error::{ApiError, ApiResult};

/// The JSON form of a definition.
pub fn field_json(field: &CustomField) -> Value {
    json!({
        "id": field.id,
        "kind": field.kind.code(),
        "name": field.name,
        "field_type": field.field_type.code(),
        "choices": field.choices,
        "reference": field.reference.map(RecordKind::code),
        "required": field.required,
        "in_list": field.in_list,
        "label_fa": field.label_fa,
        "label_en": field.label_en,
        "position": field.position,
    })
}

/// A kind given by its code (`contact`) or its URL segment (`contacts`).
fn parse_kind(raw: &str) -> Option<RecordKind> {
    RecordKind::parse(raw).or_else(|| {
        peyvand_domain::record::ALL_SCHEMAS
            .iter()
            .find(|s| s.path == raw)
            .map(|s| s.kind)
    })
}

fn custom_kind(raw: &str) -> Result<RecordKind, ApiError> {
    parse_kind(raw)
        .filter(|k| CUSTOM_KINDS.contains(k))
        .ok_or(ApiError::App(AppError::field(
            "kind",
            FieldError::INVALID_CHOICE,
        )))
}

/// The body of a new or changed definition.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct FieldBody {
    kind: Option<String>,
    name: Option<String>,
    field_type: Option<String>,
    choices: Option<Vec<String>>,
    reference: Option<String>,
    required: Option<bool>,
    in_list: Option<bool>,
    label_fa: Option<String>,
    label_en: Option<String>,
}

impl FieldBody {
    fn input(self) -> CustomFieldInput {
        CustomFieldInput {
            name: self.name,
            field_type: self.field_type,
            choices: self.choices,
            // A reference may be named like a kind anywhere else in the API.
            reference: self
                .reference
                .map(|r| parse_kind(&r).map_or(r, |k| k.code().to_owned())),
            required: self.required,
            in_list: self.in_list,
            label_fa: self.label_fa,
            label_en: self.label_en,
        }
    }
}

/// `GET /api/v1/custom-fields[?kind=contact]`: the definitions, by kind and position.
pub async fn list(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Query(query): Query<HashMap<String, String>>,
) -> ApiResult<Json<Value>> {
    let kinds = match query.get("kind") {
        Some(raw) => vec![custom_kind(raw)?],
        None => CUSTOM_KINDS.to_vec(),
    };
    let items: Vec<Value> = kinds
        .into_iter()
        .flat_map(|kind| state.app.custom_fields(&session, kind))
        .map(|f| field_json(&f))
        .collect();
    Ok(Json(json!({ "items": items })))
}

/// `POST /api/v1/custom-fields`: adds a field.
pub async fn create(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    JsonBody(mut body): JsonBody<FieldBody>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let kind = match body.kind.take() {
        Some(raw) => custom_kind(&raw)?,
        None => return Err(AppError::field("kind", FieldError::REQUIRED).into()),
    };
    let field = state
        .app
        .create_custom_field(&session, kind, &body.input())
        .await?;
    Ok((StatusCode::CREATED, Json(field_json(&field))))
}

/// `GET /api/v1/custom-fields/{id}`.
pub async fn get(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let field = state.app.custom_field(&session, parse_id(&id)?)?;
    Ok(Json(field_json(&field)))
}

/// `PATCH /api/v1/custom-fields/{id}`: renames (the values stay), relabels, changes choices or
/// flags. The kind and the type of a field never change.
pub async fn update(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<FieldBody>,
) -> ApiResult<Json<Value>> {
    let id = parse_id(&id)?;
    if let Some(kind) = &body.kind {
        let current = state.app.custom_field(&session, id)?;
        if parse_kind(kind) != Some(current.kind) {
            return Err(AppError::field("kind", FieldError::INVALID).into());
        }
    }
    let field = state
        .app
        .update_custom_field(&session, id, &body.input())
        .await?;
    Ok(Json(field_json(&field)))
}

/// `DELETE /api/v1/custom-fields/{id}`: deletes the field and its values; the definition stays
/// in the audit trail.
pub async fn remove(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    state
        .app
        .delete_custom_field(&session, parse_id(&id)?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/v1/custom-fields/{id}/history`: who changed the definition and how, newest first.
pub async fn history(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let entries = state
        .app
        .custom_field_history(&session, parse_id(&id)?)
        .await?;
    Ok(Json(json!({ "items": entries })))
}
