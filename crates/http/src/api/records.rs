//! `/api/v1/{kind}` and `/api/v1/{kind}/{id}`: the same endpoints for every kind of record.

use std::collections::{BTreeMap, HashMap};

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use peyvand_app::json::input_from_json;
use peyvand_app::{AppError, CachedItem, ListParams, NewUser, RecordView};
use peyvand_domain::calendar::CalendarKind;
use peyvand_domain::permission::{Grants, RecordKind};
use peyvand_domain::record::Input;
use peyvand_domain::validation::FieldError;
use serde_json::{Map, Value};

use super::body::JsonObject;
use super::{parse_id, schema_at};
use crate::auth::ApiSession;
use crate::error::ApiResult;

/// Query parameters with a meaning of their own; every other one filters on a field.
const LIST_PARAMS: [&str; 5] = ["q", "limit", "cursor", "sort", "tag"];

pub fn list_params(query: &HashMap<String, String>) -> ApiResult<ListParams> {
    let limit = match query.get("limit") {
        Some(raw) => Some(
            raw.parse::<u64>()
                .map_err(|_| AppError::field("limit", FieldError::INVALID_NUMBER))?,
        ),
        None => None,
    };
    Ok(ListParams {
        q: query.get("q").cloned(),
        filters: query
            .iter()
            .filter(|(k, _)| !LIST_PARAMS.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        tag: query.get("tag").cloned(),
        sort: query.get("sort").cloned(),
        cursor: query.get("cursor").cloned(),
        limit,
    })
}

fn inputs(body: &Map<String, Value>) -> BTreeMap<String, Input> {
    body.iter()
        .map(|(k, v)| (k.clone(), input_from_json(v)))
        .collect()
}

pub(crate) fn record_response(status: StatusCode, view: &RecordView) -> Response {
    let mut response = (status, Json(view.as_json())).into_response();
    if let Ok(etag) = format!("\"{}\"", view.version).parse() {
        response.headers_mut().insert(header::ETAG, etag);
    }
    response
}

pub async fn list(
    State(state): State<crate::AppState>,
    ApiSession(session): ApiSession,
    Path(kind): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> ApiResult<Response> {
    let schema = schema_at(&session, &kind)?;
    // Records whose JSON is cached (viewers who see them in full) are not read whole again.
    let shows_all = session.actor.grants.hidden_fields(schema.kind).is_empty();
    let generation = session.schemas.generation();
    let cache = &state.json_cache;
    let page = state
        .app
        .list_cached(
            &session,
            schema.kind,
            &list_params(&query)?,
            |id, version| cache.get(generation, schema.kind, id, version),
        )
        .await?;
    // The page is written by hand around each record's JSON.
    let mut body = String::with_capacity(64 + page.items.len() * 800);
    body.push_str("{\"items\":[");
    for (i, item) in page.items.iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        match item {
            CachedItem::Cached(json) => body.push_str(json),
            CachedItem::Read(view) if shows_all => {
                body.push_str(&cache.full_record(generation, view));
            }
            CachedItem::Read(view) => {
                body.push_str(&serde_json::to_string(&view.as_json()).unwrap_or_default());
            }
        }
    }
    body.push_str("],\"next_cursor\":");
    body.push_str(&serde_json::to_string(&page.next_cursor).unwrap_or_else(|_| "null".into()));
    body.push('}');
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

pub async fn create(
    State(state): State<crate::AppState>,
    ApiSession(session): ApiSession,
    Path(kind): Path<String>,
    JsonObject(mut body): JsonObject,
) -> ApiResult<Response> {
    let schema = schema_at(&session, &kind)?;
    let view = match schema.kind {
        RecordKind::User => {
            let password = match body.remove("password") {
                Some(Value::String(p)) => p,
                Some(_) => return Err(AppError::field("password", FieldError::INVALID).into()),
                None => return Err(AppError::field("password", FieldError::REQUIRED).into()),
            };
            let user = NewUser {
                fields: inputs(&body),
                password,
            };
            state
                .app
                .create_user(&session, &user, CalendarKind::Gregorian)
                .await?
        }
        RecordKind::Role => {
            let grants: Grants = match body.remove("grants") {
                Some(value) => serde_json::from_value(value)
                    .map_err(|_| AppError::field("grants", FieldError::INVALID))?,
                None => Grants::new(),
            };
            state
                .app
                .create_role(&session, &inputs(&body), &grants)
                .await?
        }
        kind => {
            state
                .app
                .create(&session, kind, &inputs(&body), CalendarKind::Gregorian)
                .await?
        }
    };
    let mut response = record_response(StatusCode::CREATED, &view);
    if let Ok(location) = format!("/api/v1/{}/{}", schema.path, view.id).parse() {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

pub async fn get(
    State(state): State<crate::AppState>,
    ApiSession(session): ApiSession,
    Path((kind, id)): Path<(String, String)>,
) -> ApiResult<Response> {
    let schema = schema_at(&session, &kind)?;
    let view = state.app.get(&session, schema.kind, parse_id(&id)?).await?;
    if !session.actor.grants.hidden_fields(schema.kind).is_empty() {
        return Ok(record_response(StatusCode::OK, &view));
    }
    // Shown in full: the same cached JSON as lists write.
    let json = state
        .json_cache
        .full_record(session.schemas.generation(), &view);
    let mut response = (
        [(header::CONTENT_TYPE, "application/json")],
        json.to_string(),
    )
        .into_response();
    if let Ok(etag) = format!("\"{}\"", view.version).parse() {
        response.headers_mut().insert(header::ETAG, etag);
    }
    Ok(response)
}

/// The version the client read: the body's `version`, or an `If-Match: "N"` header.
fn expected_version(headers: &HeaderMap, body: &mut Map<String, Value>) -> ApiResult<i64> {
    match body.remove("version") {
        Some(Value::Number(n)) => n
            .as_i64()
            .ok_or_else(|| AppError::field("version", FieldError::INVALID).into()),
        Some(_) => Err(AppError::field("version", FieldError::INVALID).into()),
        None => headers
            .get(header::IF_MATCH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.trim()
                    .trim_start_matches("W/")
                    .trim_matches('"')
                    .parse()
                    .ok()
            })
            .ok_or_else(|| AppError::field("version", FieldError::REQUIRED).into()),
    }
}

pub async fn update(
    State(state): State<crate::AppState>,
    ApiSession(session): ApiSession,
    Path((kind, id)): Path<(String, String)>,
    headers: HeaderMap,
    JsonObject(mut body): JsonObject,
) -> ApiResult<Response> {
    let schema = schema_at(&session, &kind)?;
    let id = parse_id(&id)?;
    let version = expected_version(&headers, &mut body)?;
    let view = state
        .app
        .update(
            &session,
            schema.kind,
            id,
            version,
            &inputs(&body),
            CalendarKind::Gregorian,
        )
        .await?;
    Ok(record_response(StatusCode::OK, &view))
}

pub async fn remove(
    State(state): State<crate::AppState>,
    ApiSession(session): ApiSession,
    Path((kind, id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let schema = schema_at(&session, &kind)?;
    state
        .app
        .delete(&session, schema.kind, parse_id(&id)?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
