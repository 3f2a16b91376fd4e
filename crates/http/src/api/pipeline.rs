//! The sales pipeline's own endpoints (issue 4): a pipeline's stages, its board, moving a deal,
//! the funnel report (JSON or CSV), the forecast and the progress of sales targets. Records of
//! the sales kinds themselves are served by the generic endpoints.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use peyvand_app::pipeline::{ForecastView, FunnelView, Move, ReportFilter, TargetProgress};
use peyvand_app::{AppError, Session};
use peyvand_domain::calendar::{self, CalendarKind, Locale};
use peyvand_domain::pipeline::forecast::Line;
use peyvand_domain::pipeline::stages::StageInput;
use peyvand_domain::validation::FieldError;
use serde::Deserialize;
use serde_json::{Value, json};

use super::body::JsonBody;
use super::parse_id;
use crate::AppState;
use crate::auth::ApiSession;
use crate::error::{ApiError, ApiResult};
use crate::i18n::t;

/// The query of the funnel, forecast and target endpoints (and of their pages): all optional,
/// empty values count as absent (forms send them).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ReportQuery {
    /// Pipeline id.
    pub pipeline_id: Option<String>,
    /// First day, in the user's calendar or ISO.
    pub from: Option<String>,
    /// Day after the last, in the user's calendar or ISO.
    pub to: Option<String>,
    /// Only this user's deals.
    pub owner_id: Option<String>,
    /// Only this team's deals.
    pub team_id: Option<String>,
    /// Only this branch's deals (and its sub-branches').
    pub branch_id: Option<String>,
    /// A target amount for the funnel arithmetic (forecast).
    pub target: Option<String>,
    /// `jalali` or `gregorian` months (forecast); the user's calendar by default.
    pub calendar: Option<String>,
    /// `csv` for a file (funnel).
    pub format: Option<String>,
    /// A day: only targets whose period holds it.
    pub on: Option<String>,
}

fn present(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

impl ReportQuery {
    /// The report filter, with dates read in `calendar`; bad values are field errors.
    pub fn filter(&self, calendar: CalendarKind) -> Result<ReportFilter, AppError> {
        let id = |name: &str, value: &Option<String>| -> Result<Option<uuid::Uuid>, AppError> {
            present(value)
                .map(|v| {
                    uuid::Uuid::parse_str(v).map_err(|_| AppError::field(name, FieldError::INVALID))
                })
                .transpose()
        };
        Ok(ReportFilter {
            pipeline_id: id("pipeline_id", &self.pipeline_id)?,
            from: self.date("from", &self.from, calendar)?,
            to: self.date("to", &self.to, calendar)?,
            owner_id: id("owner_id", &self.owner_id)?,
            team_id: id("team_id", &self.team_id)?,
            branch_id: id("branch_id", &self.branch_id)?,
        })
    }

    /// A day parameter in `calendar` (ISO always works).
    pub fn date(
        &self,
        name: &str,
        value: &Option<String>,
        calendar: CalendarKind,
    ) -> Result<Option<time::Date>, AppError> {
        present(value)
            .map(|v| calendar::parse_date(v, calendar).map_err(|e| AppError::field(name, e)))
            .transpose()
    }

    /// The target amount, if one was given.
    pub fn target(&self) -> Result<Option<i64>, AppError> {
        present(&self.target)
            .map(|v| {
                peyvand_domain::number::parse_integer(v).map_err(|e| AppError::field("target", e))
            })
            .transpose()
    }

    /// The calendar of the forecast's months.
    pub fn calendar(&self, session: &Session) -> CalendarKind {
        present(&self.calendar)
            .and_then(CalendarKind::parse)
            .unwrap_or(session.calendar)
    }
}

fn stage_json(stage: &peyvand_app::pipeline::StageRowView) -> Value {
    json!({
        "id": stage.id,
        "position": stage.position,
        "name": stage.name,
        "probability": stage.probability,
    })
}

pub async fn get_stages(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let stages = state.app.stages(&session, parse_id(&id)?).await?;
    Ok(Json(
        json!({"items": stages.iter().map(stage_json).collect::<Vec<_>>()}),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StageBody {
    id: Option<uuid::Uuid>,
    name: String,
    probability: Value,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PutStages {
    stages: Vec<StageBody>,
}

pub async fn put_stages(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<PutStages>,
) -> ApiResult<Json<Value>> {
    let inputs = body
        .stages
        .into_iter()
        .map(|s| StageInput {
            id: s.id,
            name: s.name,
            probability: match s.probability {
                Value::String(text) => text,
                other => other.to_string(),
            },
        })
        .collect();
    let stages = state
        .app
        .set_stages(&session, parse_id(&id)?, inputs)
        .await?;
    Ok(Json(
        json!({"items": stages.iter().map(stage_json).collect::<Vec<_>>()}),
    ))
}

#[derive(Deserialize)]
pub struct BoardQuery {
    limit: Option<u64>,
}

pub async fn board(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Path(id): Path<String>,
    Query(query): Query<BoardQuery>,
) -> ApiResult<Json<Value>> {
    let cards = query.limit.unwrap_or(20).min(200);
    let board = state.app.board(&session, parse_id(&id)?, cards).await?;
    let columns: Vec<Value> = board
        .columns
        .iter()
        .map(|c| {
            json!({
                "stage": stage_json(&c.stage),
                "count": c.count,
                "amount": c.amount,
                "cards": c.cards.iter().map(|v| v.to_json()).collect::<Vec<_>>(),
            })
        })
        .collect();
    Ok(Json(
        json!({"pipeline": board.pipeline.to_json(), "columns": columns}),
    ))
}

pub async fn move_opportunity(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<Move>,
) -> ApiResult<Json<Value>> {
    let view = state
        .app
        .move_opportunity(&session, parse_id(&id)?, &body)
        .await?;
    Ok(Json(view.to_json()))
}

/// The funnel as the API's JSON.
pub fn funnel_json(view: &FunnelView) -> Value {
    let f = &view.funnel;
    json!({
        "pipeline_id": view.pipeline_id,
        "pipeline_name": view.pipeline_name,
        "from": view.from.to_string(),
        "to": view.to.to_string(),
        "stages": f.stages.iter().map(|s| json!({
            "stage_id": s.stage.id,
            "name": s.stage.name,
            "probability": s.stage.probability,
            "entered": s.entered,
            "value": s.value,
            "conversion": s.conversion,
            "lost": s.lost,
            "lost_value": s.lost_value,
            "average_days": s.average_days,
        })).collect::<Vec<_>>(),
        "losses": f.losses.iter().map(|l| json!({
            "stage_id": l.stage_id,
            "reason_id": l.reason_id,
            "reason": l.reason_id.and_then(|r| view.reasons.get(&r)),
            "count": l.count,
            "amount": l.amount,
        })).collect::<Vec<_>>(),
        "won": f.won,
        "won_value": f.won_value,
        "win_rate": f.win_rate,
        "average_cycle_days": f.average_cycle_days,
        "lead_conversion": view.lead_conversion,
    })
}

fn percent(ratio: Option<f64>) -> String {
    ratio
        .map(|r| format!("{:.1}", r * 100.0))
        .unwrap_or_default()
}

fn days(value: Option<f64>) -> String {
    value.map(|d| format!("{d:.1}")).unwrap_or_default()
}

/// The funnel as a CSV file (UTF-8 with BOM, headers in the user's language): one row per
/// stage, then one per stage and loss reason.
pub fn funnel_csv(view: &FunnelView, locale: Locale) -> Result<Vec<u8>, AppError> {
    let headers: Vec<String> = [
        "sales-stage",
        "sales-entered",
        "sales-value",
        "sales-conversion",
        "sales-lost",
        "sales-lost-value",
        "sales-average-days",
        "sales-loss-reason",
    ]
    .iter()
    .map(|key| t(locale, key))
    .collect();
    let options = peyvand_tabular::write::ExportOptions::for_user(locale, CalendarKind::Gregorian);
    let internal = |e: peyvand_tabular::TabularError| AppError::Internal(e.to_string());
    let mut writer = peyvand_tabular::write::CsvTableWriter::new(Vec::new(), &headers, &options)
        .map_err(internal)?;
    for s in &view.funnel.stages {
        writer
            .write_text_row(&[
                s.stage.name.clone(),
                s.entered.to_string(),
                s.value.to_string(),
                percent(s.conversion),
                s.lost.to_string(),
                s.lost_value.to_string(),
                days(s.average_days),
                String::new(),
            ])
            .map_err(internal)?;
    }
    for l in &view.funnel.losses {
        let stage = view
            .funnel
            .stages
            .iter()
            .find(|s| Some(s.stage.id) == l.stage_id)
            .map(|s| s.stage.name.clone())
            .unwrap_or_default();
        let reason = l
            .reason_id
            .and_then(|r| view.reasons.get(&r).cloned())
            .unwrap_or_default();
        writer
            .write_text_row(&[
                stage,
                String::new(),
                String::new(),
                String::new(),
                l.count.to_string(),
                l.amount.to_string(),
                String::new(),
                reason,
            ])
            .map_err(internal)?;
    }
    writer.finish().map_err(internal)
}

/// A CSV download response.
pub fn csv_response(bytes: Vec<u8>, name: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

pub async fn funnel(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Query(query): Query<ReportQuery>,
) -> ApiResult<Response> {
    let filter = query.filter(session.calendar).map_err(ApiError::App)?;
    let view = state.app.funnel(&session, &filter).await?;
    if present(&query.format) == Some("csv") {
        return Ok(csv_response(
            funnel_csv(&view, session.locale)?,
            "funnel.csv",
        ));
    }
    Ok(Json(funnel_json(&view)).into_response())
}

fn line_json(line: &Line) -> Value {
    json!({
        "weighted": line.weighted,
        "amount": line.amount,
        "count": line.count,
        "weighted_total": line.weighted_total(),
        "amount_total": line.amount_total(),
    })
}

/// The forecast as the API's JSON.
pub fn forecast_json(view: &ForecastView) -> Value {
    let group = |lines: &std::collections::BTreeMap<uuid::Uuid, Line>| {
        lines
            .iter()
            .map(|(id, line)| {
                let mut value = line_json(line);
                value["id"] = json!(id);
                value["name"] = json!(view.names.get(id));
                value
            })
            .collect::<Vec<_>>()
    };
    let plan = view.plan.as_ref().map(|p| {
        json!({
            "target": p.target,
            "average_deal": p.average_deal,
            "wins": p.plan.as_ref().map(|plan| plan.wins),
            "leads": p.plan.as_ref().and_then(|plan| plan.leads),
            "stages": p.stages.iter().enumerate().map(|(i, (name, conversion))| json!({
                "name": name,
                "conversion": conversion,
                "needed": p.plan.as_ref().and_then(|plan| plan.per_stage.get(i).copied().flatten()),
            })).collect::<Vec<_>>(),
        })
    });
    json!({
        "calendar": view.calendar.code(),
        "months": view.months.iter().map(|m| json!({
            "year": m.year,
            "month": m.month,
            "start": m.start.to_string(),
            "end": m.end.to_string(),
        })).collect::<Vec<_>>(),
        "total": line_json(&view.forecast.total),
        "by_user": group(&view.forecast.by_user),
        "by_team": group(&view.forecast.by_team),
        "by_branch": group(&view.forecast.by_branch),
        "plan": plan,
    })
}

pub async fn forecast(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Query(query): Query<ReportQuery>,
) -> ApiResult<Json<Value>> {
    let filter = query.filter(session.calendar).map_err(ApiError::App)?;
    let target = query.target().map_err(ApiError::App)?;
    let view = state
        .app
        .forecast(&session, &filter, query.calendar(&session), target)
        .await?;
    Ok(Json(forecast_json(&view)))
}

fn progress_json(progress: &TargetProgress) -> Value {
    json!({
        "target": progress.target.to_json(),
        "achieved": progress.achieved,
        "percent": progress.percent,
    })
}

pub async fn targets(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Query(query): Query<ReportQuery>,
) -> ApiResult<Json<Value>> {
    let on = query
        .date("on", &query.on, session.calendar)
        .map_err(ApiError::App)?;
    let items = state.app.target_progress(&session, on).await?;
    Ok(Json(
        json!({"items": items.iter().map(progress_json).collect::<Vec<_>>()}),
    ))
}
