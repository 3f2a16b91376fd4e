//! `/api/v1/insights/…`: the analytical CRM's outputs (issue 6) as JSON or, with
//! `format=csv`, as CSV files; asking for a recomputation; a customer's card and a product's
//! "also bought".

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use peyvand_app::insights::{
    GroupRow, NpsGroup, NpsQuery, Period, RuleView, ScoreQuery, ScoresPage,
};
use peyvand_app::{AppError, Session};
use peyvand_domain::calendar::{CalendarKind, Locale};
use peyvand_domain::permission::RecordKind;
use peyvand_domain::validation::FieldError;
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::parse_id;
use super::pipeline::csv_response;
use super::service::query_date;
use crate::AppState;
use crate::auth::ApiSession;
use crate::error::{ApiError, ApiResult};
use crate::i18n::t;

/// Filters shared by the lists (all optional).
#[derive(Debug, Default, Deserialize)]
pub struct InsightParams {
    /// Branch (and the branches below it).
    pub branch_id: Option<String>,
    /// RFM segment code.
    pub segment: Option<String>,
    /// Pyramid tier code.
    pub tier: Option<String>,
    /// Matrix cell code.
    pub cell: Option<String>,
    /// Loyalty class code.
    pub loyalty: Option<String>,
    /// Last order on or after (ISO or the caller's calendar).
    pub from: Option<String>,
    /// Last order before.
    pub to: Option<String>,
    /// Churn probability at least (0–1).
    pub min_churn: Option<String>,
    /// CLV at least (Rials).
    pub min_clv: Option<String>,
    /// Keyset cursor.
    pub cursor: Option<String>,
    /// Page size.
    pub limit: Option<u64>,
    /// `csv` for a file.
    pub format: Option<String>,
    /// NPS: `month`, `quarter` or `year`.
    pub period: Option<String>,
    /// NPS: `branch` or `segment`.
    pub group: Option<String>,
}

fn present(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl InsightParams {
    /// The app's query from these parameters; bad values are field errors.
    pub fn query(&self, session: &Session) -> Result<ScoreQuery, AppError> {
        let now = time::OffsetDateTime::now_utc();
        let date = |name: &str, raw: &Option<String>| {
            present(raw)
                .map(|raw| query_date(session, now, name, Some(raw)))
                .transpose()
        };
        let number = |name: &str, raw: &Option<String>| {
            present(raw)
                .map(|raw| {
                    raw.parse::<f64>()
                        .ok()
                        .filter(|n| n.is_finite())
                        .ok_or_else(|| AppError::field(name, FieldError::INVALID))
                })
                .transpose()
        };
        Ok(ScoreQuery {
            branch_id: self.branch()?,
            segment: present(&self.segment).map(str::to_owned),
            tier: present(&self.tier).map(str::to_owned),
            cell: present(&self.cell).map(str::to_owned),
            loyalty: present(&self.loyalty).map(str::to_owned),
            from: date("from", &self.from)?,
            to: date("to", &self.to)?,
            min_churn: number("min_churn", &self.min_churn)?,
            min_clv: number("min_clv", &self.min_clv)?.map(|n| n as i64),
            cursor: present(&self.cursor).map(str::to_owned),
            limit: self.limit.unwrap_or(100),
        })
    }

    /// The picked branch, if any; a bad id is a field error.
    pub fn branch(&self) -> Result<Option<Uuid>, AppError> {
        present(&self.branch_id)
            .map(|s| {
                s.parse()
                    .map_err(|_| AppError::field("branch_id", FieldError::INVALID))
            })
            .transpose()
    }

    fn csv(&self) -> bool {
        present(&self.format) == Some("csv")
    }
}

/// The CSV writer with translated headers.
fn csv(locale: Locale, headers: &[&str], rows: Vec<Vec<String>>) -> Result<Vec<u8>, AppError> {
    let headers: Vec<String> = headers
        .iter()
        .map(|h| t(locale, &format!("insights-col-{h}")))
        .collect();
    let options = peyvand_tabular::write::ExportOptions::for_user(locale, CalendarKind::Gregorian);
    let internal = |e: peyvand_tabular::TabularError| AppError::Internal(e.to_string());
    let mut writer = peyvand_tabular::write::CsvTableWriter::new(Vec::new(), &headers, &options)
        .map_err(internal)?;
    for row in rows {
        writer.write_text_row(&row).map_err(internal)?;
    }
    writer.finish().map_err(internal)
}

/// Columns of the customer CSV.
const CUSTOMER_COLUMNS: [&str; 22] = [
    "name",
    "customer_kind",
    "customer_id",
    "orders",
    "last_order",
    "recency_days",
    "revenue",
    "margin",
    "cost_to_serve",
    "profit",
    "r",
    "f",
    "m",
    "segment",
    "p_alive",
    "clv",
    "clv_networking",
    "clv_learning",
    "churn_probability",
    "tier",
    "cell",
    "loyalty",
];

/// The display names of a page's customers the caller may read.
pub async fn customer_names(
    state: &AppState,
    session: &Session,
    page: &ScoresPage,
) -> BTreeMap<Uuid, String> {
    let mut names = BTreeMap::new();
    for (kind, code) in [
        (RecordKind::Account, "account"),
        (RecordKind::Contact, "contact"),
    ] {
        let ids: Vec<Uuid> = page
            .items
            .iter()
            .filter(|s| s.customer_kind == code)
            .map(|s| s.customer_id)
            .collect();
        if let Ok(found) = state.app.titles(session, kind, &ids).await {
            names.extend(found);
        }
    }
    names
}

fn float(value: Option<f64>) -> String {
    value.map(|v| format!("{v:.4}")).unwrap_or_default()
}

/// Every page of a customer list as CSV rows (the export is not paged).
async fn customers_csv(
    state: &AppState,
    session: &Session,
    mut query: ScoreQuery,
) -> Result<Vec<u8>, ApiError> {
    query.limit = 1_000;
    query.cursor = None;
    let mut rows = Vec::new();
    loop {
        let page = state.app.insight_scores(session, &query).await?;
        let names = customer_names(state, session, &page).await;
        for s in &page.items {
            rows.push(vec![
                names.get(&s.customer_id).cloned().unwrap_or_default(),
                s.customer_kind.to_owned(),
                s.customer_id.to_string(),
                s.orders.to_string(),
                s.last_order.to_string(),
                s.recency_days.to_string(),
                s.revenue.to_string(),
                s.margin.to_string(),
                s.cost_to_serve.to_string(),
                s.profit.to_string(),
                s.r.to_string(),
                s.f.to_string(),
                s.m.to_string(),
                s.segment.clone(),
                float(s.p_alive),
                s.clv.to_string(),
                s.clv_networking.to_string(),
                s.clv_learning.to_string(),
                float(s.churn_probability),
                s.tier.clone(),
                s.cell.clone(),
                s.loyalty.clone().unwrap_or_default(),
            ]);
        }
        match page.next_cursor {
            Some(cursor) => query.cursor = Some(cursor),
            None => break,
        }
    }
    Ok(csv(session.locale, &CUSTOMER_COLUMNS, rows)?)
}

/// `POST /api/v1/insights/runs`: queues a recomputation (or returns the one under way).
pub async fn request_run(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
) -> ApiResult<Response> {
    let run = state.app.request_insights(&session).await?;
    Ok((StatusCode::ACCEPTED, Json(json!(run))).into_response())
}

/// `GET /api/v1/insights/runs/latest`: the newest run and the newest finished one.
pub async fn latest_run(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
) -> ApiResult<Json<Value>> {
    let (latest, current) = state.app.insights_status(&session).await?;
    Ok(Json(json!({"latest": latest, "current": current})))
}

/// `GET /api/v1/insights/runs/{id}`: one run's progress.
pub async fn run(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let run = state.app.insights_run(&session, parse_id(&id)?).await?;
    Ok(Json(json!(run)))
}

/// `GET /api/v1/insights/customers`: scores, highest CLV first, keyset-paged.
pub async fn customers(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Query(params): Query<InsightParams>,
) -> ApiResult<Response> {
    let query = params.query(&session)?;
    if params.csv() {
        return Ok(csv_response(
            customers_csv(&state, &session, query).await?,
            "customers.csv",
        ));
    }
    let page = state.app.insight_scores(&session, &query).await?;
    let names = customer_names(&state, &session, &page).await;
    let items: Vec<Value> = page
        .items
        .iter()
        .map(|s| {
            let mut v = json!(s);
            v["name"] = json!(names.get(&s.customer_id));
            v
        })
        .collect();
    Ok(Json(json!({"items": items, "next_cursor": page.next_cursor})).into_response())
}

/// The retention list's default: likely to leave (at least one in two).
pub const RETENTION_MIN_CHURN: f64 = 0.5;

/// `GET /api/v1/insights/retention`: valuable customers likely to leave, highest CLV first.
pub async fn retention(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Query(params): Query<InsightParams>,
) -> ApiResult<Response> {
    let mut query = params.query(&session)?;
    query.min_churn.get_or_insert(RETENTION_MIN_CHURN);
    if params.csv() {
        return Ok(csv_response(
            customers_csv(&state, &session, query).await?,
            "retention.csv",
        ));
    }
    let page = state.app.insight_scores(&session, &query).await?;
    Ok(Json(json!(page)).into_response())
}

/// The columns a group dimension may be.
pub fn dimension(name: &str) -> Option<&'static str> {
    ["segment", "tier", "cell", "loyalty"]
        .into_iter()
        .find(|d| *d == name)
}

fn groups_csv(locale: Locale, groups: &[GroupRow]) -> Result<Vec<u8>, AppError> {
    csv(
        locale,
        &["group", "customers", "revenue", "profit", "clv"],
        groups
            .iter()
            .map(|g| {
                vec![
                    g.key.clone(),
                    g.customers.to_string(),
                    g.revenue.to_string(),
                    g.profit.to_string(),
                    g.clv.to_string(),
                ]
            })
            .collect(),
    )
}

/// `GET /api/v1/insights/groups/{dimension}`: customers, revenue, profit and CLV per segment,
/// tier, cell or loyalty class.
pub async fn groups(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Path(name): Path<String>,
    Query(params): Query<InsightParams>,
) -> ApiResult<Response> {
    let column = dimension(&name).ok_or(ApiError::App(AppError::NotFound))?;
    let query = params.query(&session)?;
    let groups = state.app.insight_groups(&session, column, &query).await?;
    if params.csv() {
        return Ok(csv_response(
            groups_csv(session.locale, &groups)?,
            &format!("{name}.csv"),
        ));
    }
    Ok(Json(json!({"items": groups})).into_response())
}

/// Product names for rules.
pub async fn product_names(
    state: &AppState,
    session: &Session,
    rules: &[RuleView],
) -> BTreeMap<Uuid, String> {
    let ids: Vec<Uuid> = rules
        .iter()
        .flat_map(|r| r.antecedents.iter().chain(&r.consequents))
        .copied()
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    state
        .app
        .titles(session, RecordKind::Product, &ids)
        .await
        .unwrap_or_default()
}

fn names_of(ids: &[Uuid], names: &BTreeMap<Uuid, String>) -> String {
    ids.iter()
        .map(|id| names.get(id).cloned().unwrap_or_else(|| id.to_string()))
        .collect::<Vec<_>>()
        .join("|")
}

/// `GET /api/v1/insights/rules`: market basket rules, highest lift first — those mined over
/// the invoices of the picked branch and the branches below it (`branch_id`), else the
/// company-wide ones; with how many invoices they come from and whether that was too few. A
/// branch the caller's reach over invoices does not include is not found.
pub async fn rules(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Query(params): Query<InsightParams>,
) -> ApiResult<Response> {
    let set = state.app.insight_rules(&session, params.branch()?).await?;
    if params.csv() {
        let names = product_names(&state, &session, &set.items).await;
        let rows = set
            .items
            .iter()
            .map(|r| {
                vec![
                    names_of(&r.antecedents, &names),
                    names_of(&r.consequents, &names),
                    format!("{:.4}", r.support),
                    format!("{:.4}", r.confidence),
                    format!("{:.4}", r.lift),
                ]
            })
            .collect();
        let file = csv(
            session.locale,
            &[
                "antecedents",
                "consequents",
                "support",
                "confidence",
                "lift",
            ],
            rows,
        )?;
        return Ok(csv_response(file, "rules.csv"));
    }
    Ok(Json(json!(set)).into_response())
}

/// The NPS period from its code.
pub fn period(raw: Option<&str>) -> Result<Period, AppError> {
    match raw.unwrap_or("month") {
        "month" => Ok(Period::Month),
        "quarter" => Ok(Period::Quarter),
        "year" => Ok(Period::Year),
        _ => Err(AppError::field("period", FieldError::INVALID_CHOICE)),
    }
}

/// The NPS range: `from` (default a year before `to`) to `to` (default today), as moments.
pub fn nps_range(
    session: &Session,
    params: &InsightParams,
) -> Result<(time::OffsetDateTime, time::OffsetDateTime), AppError> {
    let now = time::OffsetDateTime::now_utc();
    let to = query_date(session, now, "to", present(&params.to))?;
    let from = match present(&params.from) {
        Some(raw) => query_date(session, now, "from", Some(raw))?,
        None => to - time::Duration::days(365),
    };
    if from > to {
        return Err(AppError::field("from", FieldError::INVALID));
    }
    let start = |d: time::Date| d.midnight().assume_utc();
    Ok((start(from), start(to + time::Duration::days(1))))
}

/// The NPS report's query from the parameters: range, period, grouping, branch and segment.
pub fn nps_query(session: &Session, params: &InsightParams) -> Result<NpsQuery, AppError> {
    let (from, to) = nps_range(session, params)?;
    let group = match present(&params.group) {
        None => None,
        Some("branch") => Some(NpsGroup::Branch),
        Some("segment") => Some(NpsGroup::Segment),
        Some(_) => return Err(AppError::field("group", FieldError::INVALID_CHOICE)),
    };
    let scores = params.query(session)?;
    Ok(NpsQuery {
        from,
        to,
        period: period(present(&params.period))?,
        group,
        branch_id: scores.branch_id,
        segment: scores.segment,
    })
}

/// `GET /api/v1/insights/nps`: NPS and CSAT by period with the trend, from the answered
/// satisfaction surveys of the cases the caller may read, of the picked branch (the case's,
/// with the branches below it) and RFM segment.
pub async fn nps(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Query(params): Query<InsightParams>,
) -> ApiResult<Response> {
    let report = state
        .app
        .insight_nps(&session, &nps_query(&session, &params)?)
        .await?;
    if params.csv() {
        let rows = report
            .periods
            .iter()
            .map(|p| {
                vec![
                    p.group.clone(),
                    p.period.clone(),
                    p.responses.to_string(),
                    p.promoters.to_string(),
                    p.passives.to_string(),
                    p.detractors.to_string(),
                    float(p.nps),
                    float(p.trend),
                    float(p.csat_percent),
                ]
            })
            .collect();
        let headers = [
            "group",
            "period",
            "responses",
            "promoters",
            "passives",
            "detractors",
            "nps",
            "trend",
            "csat",
        ];
        return Ok(csv_response(
            csv(session.locale, &headers, rows)?,
            "nps.csv",
        ));
    }
    Ok(Json(json!(report)).into_response())
}

/// `GET /api/v1/{accounts|contacts}/{id}/insights`: the customer's scores and next-best offers.
pub async fn customer(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Path((kind, id)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let kind = match kind.as_str() {
        "accounts" => RecordKind::Account,
        "contacts" => RecordKind::Contact,
        _ => return Err(AppError::NotFound.into()),
    };
    let card = state
        .app
        .customer_insights(&session, kind, parse_id(&id)?)
        .await?;
    Ok(Json(json!(card)))
}

/// `GET /api/v1/products/{id}/also-bought`: customers who bought this also bought…
pub async fn also_bought(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let rules = state.app.also_bought(&session, parse_id(&id)?).await?;
    Ok(Json(json!({"items": rules})))
}
