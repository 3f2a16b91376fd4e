//! `GET /api/v1/sales/dashboard` (issue 4 §10) and the JSON of a customer's opportunities and
//! payment punctuality (issue 4 §9), which `GET /api/v1/{accounts|contacts}/{id}/transactions`
//! adds to the documents.

use axum::Json;
use axum::extract::{Query, State};
use peyvand_app::customer_sales::CustomerSales;
use peyvand_app::pipeline::{ComparisonLine, DashboardFilter, SalesDashboard};
use peyvand_app::{AppError, Session};
use peyvand_domain::calendar::{self, CalendarKind};
use peyvand_domain::permission::Scope;
use peyvand_domain::pipeline::sales_dashboard::Tally;
use peyvand_domain::sales::punctuality::Punctuality;
use peyvand_domain::validation::FieldError;
use serde::Deserialize;
use serde_json::{Value, json};

use super::pipeline::forecast_json;
use crate::AppState;
use crate::auth::ApiSession;
use crate::error::{ApiError, ApiResult};

/// The dashboard's query (the page's form sends the same); empty values count as absent.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct DashboardQuery {
    /// `month`, `quarter` or `year` (holding today), or `custom` with from and to.
    pub period: Option<String>,
    /// First day (ISO or the caller's calendar).
    pub from: Option<String>,
    /// The day after the last.
    pub to: Option<String>,
    /// `jalali` or `gregorian` periods and months; the caller's calendar by default.
    pub calendar: Option<String>,
    /// The pipeline; the default one when absent.
    pub pipeline_id: Option<String>,
    /// Only this branch (and those below it).
    pub branch_id: Option<String>,
    /// Only this team's members.
    pub team_id: Option<String>,
    /// Only this user's deals.
    pub owner_id: Option<String>,
}

fn present(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

impl DashboardQuery {
    /// The filter, with dates read in the caller's calendar; bad values are field errors.
    pub fn filter(&self, session: &Session) -> Result<DashboardFilter, AppError> {
        let id = |name: &str, value: &Option<String>| {
            present(value)
                .map(|v| {
                    uuid::Uuid::parse_str(v).map_err(|_| AppError::field(name, FieldError::INVALID))
                })
                .transpose()
        };
        let date = |name: &str, value: &Option<String>| {
            present(value)
                .map(|v| {
                    calendar::parse_date(v, session.calendar).map_err(|e| AppError::field(name, e))
                })
                .transpose()
        };
        let calendar = present(&self.calendar)
            .map(|c| {
                CalendarKind::parse(c)
                    .ok_or(AppError::field("calendar", FieldError::INVALID_CHOICE))
            })
            .transpose()?;
        let period = present(&self.period).map(str::to_owned);
        let custom = period.as_deref() == Some("custom");
        let (from, to) = (date("from", &self.from)?, date("to", &self.to)?);
        // A period of one's own needs both ends; a named period ignores them.
        if custom && from.is_none() {
            return Err(AppError::field("from", FieldError::REQUIRED));
        }
        if custom && to.is_none() {
            return Err(AppError::field("to", FieldError::REQUIRED));
        }
        let named = period.is_some() && !custom;
        Ok(DashboardFilter {
            period: if custom { None } else { period },
            calendar,
            pipeline_id: id("pipeline_id", &self.pipeline_id)?,
            from: if named { None } else { from },
            to: if named { None } else { to },
            branch_id: id("branch_id", &self.branch_id)?,
            team_id: id("team_id", &self.team_id)?,
            owner_id: id("owner_id", &self.owner_id)?,
        })
    }
}

fn tally_json(tally: &Tally) -> Value {
    json!({"count": tally.count, "amount": tally.amount})
}

fn comparison_json(lines: &[ComparisonLine]) -> Vec<Value> {
    lines
        .iter()
        .map(|line| {
            let f = &line.figures;
            json!({
                "id": line.id,
                "name": line.name,
                "open": tally_json(&f.open),
                "weighted": f.weighted,
                "won": tally_json(&f.won),
                "lost": tally_json(&f.lost),
                "win_rate": f.win_rate,
            })
        })
        .collect()
}

/// What the figures cover, as the grants name it.
fn scope_code(scope: Scope) -> &'static str {
    match scope {
        Scope::None => "none",
        Scope::Own => "own",
        Scope::Team => "team",
        Scope::Branch => "branch",
        Scope::Subtree => "subtree",
        Scope::All => "all",
    }
}

/// The dashboard as the API's JSON.
pub fn dashboard_json(d: &SalesDashboard) -> Value {
    let o = &d.outcomes;
    json!({
        "period": d.period,
        "calendar": d.calendar.code(),
        "from": d.from.to_string(),
        "to": d.to.to_string(),
        "scope": scope_code(d.scope),
        "pipeline_id": d.pipeline_id,
        "pipeline_name": d.pipeline_name,
        "stages": d.stages.iter().map(|s| json!({
            "stage_id": s.tally.stage_id,
            "name": s.name,
            "probability": s.probability,
            "count": s.tally.open.count,
            "amount": s.tally.open.amount,
            "weighted": s.tally.weighted,
        })).collect::<Vec<_>>(),
        "forecast": forecast_json(&d.forecast),
        "targets": d.targets.iter().map(|p| json!({
            "target": p.target.to_json(),
            "achieved": p.achieved,
            "percent": p.percent,
        })).collect::<Vec<_>>(),
        "won": tally_json(&o.won),
        "lost": tally_json(&o.lost),
        "win_rate": o.win_rate,
        "top_loss_reasons": o.top_reasons.iter().map(|(reason, tally)| json!({
            "reason_id": reason,
            "reason": reason.and_then(|r| d.reasons.get(&r)),
            "count": tally.count,
            "amount": tally.amount,
        })).collect::<Vec<_>>(),
        "top_customers": d.top_customers.as_ref().map(|customers| customers.iter().map(|c| json!({
            "kind": c.kind.code(),
            "id": c.id,
            "name": c.name,
            "invoices": c.invoices,
            "amount": c.amount,
        })).collect::<Vec<_>>()),
        "people": comparison_json(&d.people),
        "branches": comparison_json(&d.branches),
    })
}

/// `GET /api/v1/sales/dashboard`.
pub async fn dashboard(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Query(query): Query<DashboardQuery>,
) -> ApiResult<Json<Value>> {
    let filter = query.filter(&session).map_err(ApiError::App)?;
    let view = state.app.sales_dashboard(&session, &filter).await?;
    Ok(Json(dashboard_json(&view)))
}

/// Payment punctuality as the API's JSON.
pub fn punctuality_json(p: &Punctuality) -> Value {
    json!({
        "judged": p.judged,
        "on_time": p.on_time,
        "on_time_percent": p.on_time_percent,
        "average_days_late": p.average_days_late,
        "overdue_count": p.overdue_count,
        "overdue_amount": p.overdue_amount,
        "longest_overdue_days": p.longest_overdue_days,
        "verdict": p.verdict.code(),
    })
}

/// The keys a customer's transactions gain: `opportunities` and `punctuality` (null when the
/// caller may not read opportunities, or invoices).
pub fn customer_sales_json(sales: &CustomerSales) -> [(&'static str, Value); 2] {
    [
        (
            "opportunities",
            sales.opportunities.as_ref().map_or(Value::Null, |items| {
                Value::Array(items.iter().map(|v| v.to_json()).collect())
            }),
        ),
        (
            "punctuality",
            sales
                .punctuality
                .as_ref()
                .map_or(Value::Null, punctuality_json),
        ),
    ]
}
