//! Imports through the API: `POST /api/v1/{kind}/import` with the file as the body starts a
//! background job; `GET /api/v1/imports/{id}` follows it; `DELETE` cancels it; the rejected
//! rows come back as CSV from `GET /api/v1/imports/{id}/rejected`.

use std::collections::{BTreeMap, HashMap};

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use peyvand_app::AppError;
use peyvand_app::import::{ImportJob, ImportOptions, ImportReport, JobState, OnDuplicate};
use peyvand_domain::calendar::CalendarKind;
use peyvand_domain::validation::FieldError;
use peyvand_tabular::ReadOptions;
use serde_json::{Value, json};

use super::{customer_schema_at, parse_id};
use crate::AppState;
use crate::auth::ApiSession;
use crate::error::{ApiError, ApiResult};
use crate::importing::{describe_errors, describer, headers_and_suggestions};
use crate::uploads;

fn flag(query: &HashMap<String, String>, name: &str) -> Result<bool, ApiError> {
    match query.get(name).map(String::as_str) {
        None | Some("false" | "0") => Ok(false),
        Some("true" | "1") => Ok(true),
        Some(_) => Err(AppError::field(name, FieldError::INVALID).into()),
    }
}

/// The job as JSON, with the rejected rows worded in the caller's language.
pub fn job_json(
    job: &ImportJob,
    locale: peyvand_domain::calendar::Locale,
    schema: &'static peyvand_domain::record::Schema,
) -> Value {
    let (state, report, error) = match &job.state {
        JobState::Running => ("running", None, None),
        JobState::Done(report) => ("done", Some(report_json(report, locale, schema)), None),
        JobState::Failed(error) => (
            "failed",
            None,
            Some(crate::error::error_body(
                &ApiError::App(error.clone()),
                locale,
            )),
        ),
    };
    json!({
        "id": job.id,
        "kind": job.options.kind.code(),
        "state": state,
        "rows": job.progress.rows(),
        "percent": job.progress.percent(),
        "dry_run": job.options.dry_run,
        "on_duplicate": job.options.on_duplicate.code(),
        "keep_good_rows": job.options.keep_good_rows,
        "report": report,
        "error": error,
    })
}

fn report_json(
    report: &ImportReport,
    locale: peyvand_domain::calendar::Locale,
    schema: &'static peyvand_domain::record::Schema,
) -> Value {
    let rejected: Vec<Value> = report
        .rejected_rows
        .iter()
        .map(|row| {
            json!({
                "line": row.line,
                "cells": row.cells,
                "errors": row.errors.iter().map(|e| json!({"field": e.field, "code": e.code})).collect::<Vec<_>>(),
                "message": describe_errors(locale, schema, &row.errors),
            })
        })
        .collect();
    json!({
        "headers": report.headers,
        "rows": report.rows,
        "created": report.created,
        "updated": report.updated,
        "skipped": report.skipped,
        "rejected": report.rejected,
        "committed": report.committed,
        "cancelled": report.cancelled,
        "rejected_rows": rejected,
    })
}

/// `POST /api/v1/{kind}/import?on_duplicate=skip|update|create&dry_run=&keep_good=&calendar=&map=`
/// with the CSV or XLSX file as the body. `map` is a JSON object from column names to field
/// names; without it columns are matched by name.
pub async fn start(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Path(kind): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    body: Body,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let schema = customer_schema_at(&session, &kind)?;
    let on_duplicate = match query.get("on_duplicate") {
        None => OnDuplicate::Skip,
        Some(code) => OnDuplicate::parse(code)
            .ok_or(AppError::field("on_duplicate", FieldError::INVALID_CHOICE))?,
    };
    let calendar = match query.get("calendar") {
        None => session.calendar,
        Some(code) => CalendarKind::parse(code)
            .ok_or(AppError::field("calendar", FieldError::INVALID_CHOICE))?,
    };
    let map: Option<BTreeMap<String, Option<String>>> = match query.get("map") {
        None => None,
        Some(text) => Some(
            serde_json::from_str(text).map_err(|_| AppError::field("map", FieldError::INVALID))?,
        ),
    };
    let (dry_run, keep_good_rows) = (flag(&query, "dry_run")?, flag(&query, "keep_good")?);
    let user = session.actor.user_id;
    let upload = uploads::save(user, body.into_data_stream()).await?;
    let path = uploads::upload_path(user, upload);
    let (headers, suggestions, _) =
        match headers_and_suggestions(&session, schema, path.clone()).await {
            Ok(found) => found,
            Err(error) => {
                let _ = std::fs::remove_file(&path);
                return Err(error.into());
            }
        };
    let mapping = match map {
        Some(map) => {
            if let Some(unknown) = map.keys().find(|k| !headers.contains(k)) {
                let _ = std::fs::remove_file(&path);
                return Err(AppError::field(unknown, FieldError::UNKNOWN_FIELD).into());
            }
            headers
                .iter()
                .map(|h| map.get(h).cloned().flatten())
                .collect()
        }
        None => suggestions
            .into_iter()
            .map(|s| s.map(|s| s.field))
            .collect(),
    };
    let options = ImportOptions {
        kind: schema.kind,
        mapping,
        on_duplicate,
        dry_run,
        keep_good_rows,
        calendar,
        read: ReadOptions::default(),
        rejects_path: Some(uploads::rejects_path(user, upload)),
        describe: describer(session.locale, schema),
        bulk_from_rows: peyvand_app::import::BULK_FROM_ROWS,
    };
    let id = match state
        .app
        .start_import(&session, path.clone(), options, false)
    {
        Ok(id) => id,
        Err(error) => {
            let _ = std::fs::remove_file(&path);
            return Err(error.into());
        }
    };
    let job = state.app.import_job(&session, id)?;
    Ok((
        StatusCode::ACCEPTED,
        Json(job_json(&job, session.locale, schema)),
    ))
}

/// `GET /api/v1/imports/{id}`.
pub async fn status(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let job = state.app.import_job(&session, parse_id(&id)?)?;
    let schema = session.schema(job.options.kind);
    Ok(Json(job_json(&job, session.locale, schema)))
}

/// `DELETE /api/v1/imports/{id}`: cancels a running import (it rolls back).
pub async fn cancel(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    state.app.cancel_import(&session, parse_id(&id)?)?;
    Ok(StatusCode::ACCEPTED)
}

/// `GET /api/v1/imports/{id}/rejected`: the rejected rows as CSV, with an error column.
pub async fn rejected(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let job = state.app.import_job(&session, parse_id(&id)?)?;
    rejected_file(&job)
}

/// The rejects file of a finished job as a download.
pub fn rejected_file(job: &ImportJob) -> ApiResult<Response> {
    let path = job.options.rejects_path.clone().ok_or(AppError::NotFound)?;
    if !matches!(job.state, JobState::Done(_)) {
        return Err(AppError::NotFound.into());
    }
    let bytes = std::fs::read(&path).map_err(|_| AppError::NotFound)?;
    let name = format!("{}-rejected.csv", job.options.kind.code());
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}
