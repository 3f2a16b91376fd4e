//! Endpoints of activities and customer service (issue 5) beyond the generic record CRUD:
//! case status changes, notes and replies, reassignment and SLA clocks; activity people; the
//! agenda, due reminders and the activity report.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use peyvand_app::service::{ActivityPeople, AgendaQuery, CaseEntry};
use peyvand_app::{AppError, RecordView, Session};
use peyvand_domain::calendar;
use peyvand_domain::service::activity::Span;
use peyvand_domain::validation::FieldError;
use serde::Deserialize;
use serde_json::{Value, json};

use super::body::JsonBody;
use super::parse_id;
use super::records::record_response;
use crate::AppState;
use crate::auth::ApiSession;
use crate::error::ApiResult;

/// A status change asked for.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Transition {
    status: String,
}

pub async fn transition(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<Transition>,
) -> ApiResult<Response> {
    let view = state
        .app
        .case_transition(&session, parse_id(&id)?, &body.status)
        .await?;
    Ok(record_response(StatusCode::OK, &view))
}

/// A new internal note or reply.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewEntry {
    kind: String,
    body: String,
}

fn entries_json(entries: &[CaseEntry]) -> Value {
    json!({"items": entries, "next_cursor": null})
}

pub async fn list_entries(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let entries = state.app.case_entries(&session, parse_id(&id)?).await?;
    Ok(Json(entries_json(&entries)))
}

pub async fn add_entry(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<NewEntry>,
) -> ApiResult<(StatusCode, Json<CaseEntry>)> {
    let entry = state
        .app
        .add_case_entry(&session, parse_id(&id)?, &body.kind, &body.body)
        .await?;
    Ok((StatusCode::CREATED, Json(entry)))
}

/// Who gets the case.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reassign {
    owner_id: uuid::Uuid,
    #[serde(default)]
    team_id: Option<uuid::Uuid>,
}

pub async fn reassign(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<Reassign>,
) -> ApiResult<Response> {
    let view = state
        .app
        .reassign_case(&session, parse_id(&id)?, body.owner_id, body.team_id)
        .await?;
    Ok(record_response(StatusCode::OK, &view))
}

pub async fn sla(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let clocks = state.app.case_sla(&session, parse_id(&id)?).await?;
    Ok(Json(json!(clocks)))
}

pub async fn get_people(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Path(id): Path<String>,
) -> ApiResult<Json<ActivityPeople>> {
    Ok(Json(
        state.app.activity_people(&session, parse_id(&id)?).await?,
    ))
}

pub async fn put_people(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<ActivityPeople>,
) -> ApiResult<Json<ActivityPeople>> {
    Ok(Json(
        state
            .app
            .set_activity_people(&session, parse_id(&id)?, &body)
            .await?,
    ))
}

/// Query of the agenda.
#[derive(Deserialize)]
pub struct AgendaParams {
    span: Option<String>,
    date: Option<String>,
    team_id: Option<String>,
}

/// A date of a query parameter in the user's calendar (ISO always works); today if absent.
pub(crate) fn query_date(
    session: &Session,
    now: time::OffsetDateTime,
    name: &str,
    raw: Option<&str>,
) -> Result<time::Date, AppError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(now.to_offset(peyvand_domain::service::LOCAL_OFFSET).date()),
        Some(text) => {
            calendar::parse_date(text, session.calendar).map_err(|e| AppError::field(name, e))
        }
    }
}

fn views_json(views: &[RecordView]) -> Vec<Value> {
    views.iter().map(RecordView::to_json).collect()
}

pub async fn agenda(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Query(params): Query<AgendaParams>,
) -> ApiResult<Json<Value>> {
    let team = match params.team_id.as_deref().filter(|s| !s.is_empty()) {
        Some(raw) => Some(
            uuid::Uuid::parse_str(raw)
                .map_err(|_| AppError::field("team_id", FieldError::INVALID))?,
        ),
        None => None,
    };
    let span = Span::parse(params.span.as_deref().unwrap_or("week"));
    let day = query_date(&session, state.app.now(), "date", params.date.as_deref())?;
    let (from, to, items) = state
        .app
        .agenda(&session, AgendaQuery { team, span, day })
        .await?;
    Ok(Json(json!({
        "span": span.code(),
        "from": from.to_string(),
        "to": to.to_string(),
        "items": views_json(&items),
    })))
}

pub async fn reminders(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
) -> ApiResult<Json<Value>> {
    let items = state.app.due_reminders(&session).await?;
    Ok(Json(
        json!({"items": views_json(&items), "next_cursor": null}),
    ))
}

/// Period of the activity report.
#[derive(Deserialize)]
pub struct ReportParams {
    from: Option<String>,
    to: Option<String>,
}

pub async fn activity_report(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Query(params): Query<ReportParams>,
) -> ApiResult<Json<Value>> {
    let now = state.app.now();
    let to = query_date(&session, now, "to", params.to.as_deref())?;
    let from = match params.from.as_deref() {
        Some(_) => query_date(&session, now, "from", params.from.as_deref())?,
        None => to - time::Duration::days(30),
    };
    let report = state.app.activity_report(&session, from, to).await?;
    Ok(Json(json!(report)))
}

/// `GET /api/v1/{accounts|contacts|cases}/{id}/surveys`: the satisfaction surveys about a
/// customer or a case, newest first (unanswered ones without scores).
pub async fn surveys(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Path((kind, id)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let schema = super::schema_at(&session, &kind)?;
    let items = state
        .app
        .surveys_of(&session, schema.kind, parse_id(&id)?)
        .await?;
    Ok(Json(json!({ "items": items })))
}

/// The body of `POST /api/v1/contacts/{id}/portal-access`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortalAccessBody {
    password: String,
}

/// `POST /api/v1/contacts/{id}/portal-access`: lets the contact sign in to the customer portal
/// with their email and this password (or sets a new password); 204.
pub async fn portal_access(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<PortalAccessBody>,
) -> ApiResult<StatusCode> {
    state
        .app
        .grant_portal_access(&session, parse_id(&id)?, &body.password)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/v1/reports/service[?from=…&to=…]`: the service report over the cases opened in
/// the period (default: the last 30 days) that the user may read.
pub async fn service_report(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Query(params): Query<ReportParams>,
) -> ApiResult<Json<Value>> {
    let now = state.app.now();
    let to = query_date(&session, now, "to", params.to.as_deref())?;
    let from = match params.from.as_deref() {
        Some(_) => query_date(&session, now, "from", params.from.as_deref())?,
        None => to - time::Duration::days(30),
    };
    let report = state.app.service_report(&session, from, to).await?;
    Ok(Json(json!(report)))
}

/// JSON of an attachment.
fn attachment_json(row: &peyvand_app::AttachmentRow) -> Value {
    json!({
        "id": row.id,
        "case_id": row.case_id,
        "file_name": row.file_name,
        "content_type": row.content_type,
        "size": row.size,
        "from_customer": row.from_customer,
        "uploaded_by": row.uploaded_by,
        "created_at": row.created_at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
    })
}

/// Query of an upload: the file's name.
#[derive(Deserialize)]
pub struct UploadParams {
    name: Option<String>,
}

/// `POST /api/v1/cases/{id}/attachments?name=FILE` with the file as the body: 201 with the
/// attachment; refused files get a field error on `file`.
pub async fn attach(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Path(id): Path<String>,
    Query(params): Query<UploadParams>,
    body: axum::body::Bytes,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let row = state
        .app
        .attach_to_case(
            &session,
            parse_id(&id)?,
            params.name.as_deref().unwrap_or_default(),
            body.to_vec(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(attachment_json(&row))))
}

/// `GET /api/v1/cases/{id}/attachments`.
pub async fn attachments(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let rows = state.app.case_attachments(&session, parse_id(&id)?).await?;
    let items: Vec<Value> = rows.iter().map(attachment_json).collect();
    Ok(Json(json!({ "items": items })))
}

/// `GET /api/v1/attachments/{id}`: the file, as a download.
pub async fn attachment(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let (row, bytes) = state
        .app
        .attachment_for_staff(&session, parse_id(&id)?)
        .await?;
    Ok(crate::downloads::file_response(
        &row.file_name,
        &row.content_type,
        bytes,
    ))
}
