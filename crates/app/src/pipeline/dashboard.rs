//! The sales dashboard (issue 4 §10): for a period — this month, quarter or year of the user's
//! calendar, or any from–to — the open pipeline by stage, the weighted forecast by expected
//! close month (the forecast report's own code), target achievement (the targets' own code),
//! deals won and lost with the top loss reasons, the customers invoiced most, and comparisons:
//! per person for anyone who sees more than their own deals, per branch for headquarters.
//!
//! The scope is the user's read right on opportunities, as everywhere: a sales rep's dashboard
//! counts their own deals, a sales manager's their team's, a branch manager's their branch's,
//! headquarters' every deal. The store groups; `domain::pipeline::sales_dashboard` adds up.

use std::collections::BTreeMap;

use peyvand_domain::calendar::CalendarKind;
use peyvand_domain::permission::{Action, RecordKind, RowFilter, Scope};
use peyvand_domain::pipeline::sales_dashboard::{
    Comparison, Outcomes, StageTally, by_stage, compare, outcomes,
};
use peyvand_domain::pipeline::targets::period_bounds;
use peyvand_domain::validation::FieldError;
use peyvand_store::SalesScope;
use time::Date;
use uuid::Uuid;

use super::reports::{ForecastView, ReportFilter, start_of};
use super::targets::TargetProgress;
use crate::App;
use crate::auth::Session;
use crate::error::{AppError, AppResult};
use crate::org::filter_for;

/// How many customers the dashboard ranks by invoiced amount.
pub const TOP_CUSTOMERS: u64 = 10;

/// The periods a dashboard can be asked for by name.
pub const PERIODS: [&str; 3] = ["month", "quarter", "year"];

/// What the dashboard covers.
#[derive(Debug, Clone, Default)]
pub struct DashboardFilter {
    /// `month`, `quarter` or `year` holding today, in `calendar` (month by default); ignored
    /// when `from` and `to` are given.
    pub period: Option<String>,
    /// The calendar of the named periods and of the forecast's months.
    pub calendar: Option<CalendarKind>,
    /// The pipeline (stages, forecast); the default one when absent.
    pub pipeline_id: Option<Uuid>,
    /// First day of a period of one's own.
    pub from: Option<Date>,
    /// The day after its last.
    pub to: Option<Date>,
    /// Only this branch and the branches below it (for those who see several).
    pub branch_id: Option<Uuid>,
    /// Only this team's members.
    pub team_id: Option<Uuid>,
    /// Only this user.
    pub owner_id: Option<Uuid>,
}

/// One stage of the pipeline with its name and probability.
#[derive(Debug, Clone)]
pub struct DashboardStage {
    /// Name.
    pub name: String,
    /// Win probability in percent.
    pub probability: i64,
    /// Open deals and their weighted value.
    pub tally: StageTally,
}

/// A customer among the top invoiced.
#[derive(Debug, Clone)]
pub struct TopCustomer {
    /// Account or contact.
    pub kind: RecordKind,
    /// Its id.
    pub id: Uuid,
    /// Its name (empty when the user may not read it).
    pub name: String,
    /// Invoices in the period.
    pub invoices: i64,
    /// Their totals (Rials).
    pub amount: i64,
}

/// One line of a comparison: a branch or a person.
#[derive(Debug, Clone)]
pub struct ComparisonLine {
    /// The branch or user.
    pub id: Uuid,
    /// Its name.
    pub name: String,
    /// The figures.
    pub figures: Comparison,
}

/// The dashboard.
#[derive(Debug, Clone)]
pub struct SalesDashboard {
    /// `month`, `quarter`, `year` or `custom`.
    pub period: String,
    /// The calendar of the period and the forecast's months.
    pub calendar: CalendarKind,
    /// First day.
    pub from: Date,
    /// The day after the last.
    pub to: Date,
    /// The pipeline.
    pub pipeline_id: Uuid,
    /// Its name.
    pub pipeline_name: String,
    /// The user's read scope on opportunities (what the figures cover).
    pub scope: Scope,
    /// Open deals now by stage, in the pipeline's order.
    pub stages: Vec<DashboardStage>,
    /// The weighted forecast over the period's months.
    pub forecast: ForecastView,
    /// Targets whose period holds the period's reference day (today when the period holds it).
    pub targets: Vec<TargetProgress>,
    /// Won and lost in the period.
    pub outcomes: Outcomes,
    /// Names of the loss reasons.
    pub reasons: BTreeMap<Uuid, String>,
    /// The customers invoiced most in the period; None when the user may not read invoices.
    pub top_customers: Option<Vec<TopCustomer>>,
    /// Per person, for those who see more than their own deals (most won first).
    pub people: Vec<ComparisonLine>,
    /// Per branch, for headquarters (most won first).
    pub branches: Vec<ComparisonLine>,
}

fn ranked(
    lines: BTreeMap<Uuid, Comparison>,
    names: &BTreeMap<Uuid, String>,
) -> Vec<ComparisonLine> {
    let mut out: Vec<ComparisonLine> = lines
        .into_iter()
        .map(|(id, figures)| ComparisonLine {
            id,
            name: names.get(&id).cloned().unwrap_or_default(),
            figures,
        })
        .collect();
    out.sort_by(|a, b| {
        (b.figures.won.amount, b.figures.open.amount)
            .cmp(&(a.figures.won.amount, a.figures.open.amount))
            .then_with(|| a.name.cmp(&b.name))
    });
    out
}

impl App {
    /// The period a dashboard covers: from–to when both are given, else the named period
    /// holding today.
    fn dashboard_period(
        &self,
        filter: &DashboardFilter,
        calendar: CalendarKind,
    ) -> AppResult<(String, Date, Date)> {
        if let (Some(from), Some(to)) = (filter.from, filter.to) {
            if from >= to {
                return Err(AppError::field("from", FieldError::INVALID_DATE));
            }
            return Ok(("custom".into(), from, to));
        }
        let period = filter.period.as_deref().unwrap_or("month");
        if !PERIODS.contains(&period) {
            return Err(AppError::field("period", FieldError::INVALID_CHOICE));
        }
        let (from, to) = period_bounds(self.now().date(), period, calendar);
        Ok((period.to_owned(), from, to))
    }

    /// The sales dashboard for the user (see the module's documentation).
    pub async fn sales_dashboard(
        &self,
        session: &Session,
        filter: &DashboardFilter,
    ) -> AppResult<SalesDashboard> {
        let scope_right = session
            .actor
            .grants
            .scope(RecordKind::Opportunity, Action::Read);
        if scope_right == Scope::None {
            return Err(AppError::Forbidden);
        }
        let calendar = filter.calendar.unwrap_or(session.calendar);
        let (period, from, to) = self.dashboard_period(filter, calendar)?;
        let report = ReportFilter {
            pipeline_id: filter.pipeline_id,
            from: Some(from),
            to: Some(to),
            owner_id: filter.owner_id,
            team_id: filter.team_id,
            branch_id: filter.branch_id,
        };
        let mut tx = self.store.read().await?;
        let (pipeline_id, pipeline_name) = self.pipeline_of(&mut tx, session, &report).await?;
        let (access, owners, branches) = self.report_scope(&mut tx, session, &report).await?;
        let scope = SalesScope {
            access: &access,
            pipeline_id: Some(pipeline_id),
            owners,
            branches,
        };
        let stage_rows = tx.stages_of(Some(pipeline_id)).await?;
        let open = tx.open_deal_groups(&scope).await?;
        let closed = tx
            .closed_deal_groups(&scope, start_of(from), start_of(to))
            .await?;
        let invoice_access =
            filter_for(&mut tx, session, RecordKind::Invoice, Action::Read).await?;
        let invoiced = if invoice_access == RowFilter::Nothing {
            None
        } else {
            Some(
                tx.top_invoiced_customers(&invoice_access, from, to, TOP_CUSTOMERS)
                    .await?,
            )
        };
        tx.commit().await?;

        let probabilities: Vec<(Uuid, i64)> =
            stage_rows.iter().map(|s| (s.id, s.probability)).collect();
        let probability: BTreeMap<Uuid, i64> = probabilities.iter().copied().collect();
        let stages = stage_rows
            .iter()
            .zip(by_stage(&probabilities, &open))
            .map(|(row, tally)| DashboardStage {
                name: row.name.clone(),
                probability: row.probability,
                tally,
            })
            .collect();
        let outcomes = outcomes(&closed);
        let reason_ids: Vec<Uuid> = outcomes.top_reasons.iter().filter_map(|r| r.0).collect();
        let reasons = self
            .titles(session, RecordKind::LossReason, &reason_ids)
            .await
            .unwrap_or_default();
        let people = if scope_right == Scope::Own {
            Vec::new()
        } else {
            let lines = compare(&open, &closed, &probability, true);
            let ids: Vec<Uuid> = lines.keys().copied().collect();
            let names = self
                .titles(session, RecordKind::User, &ids)
                .await
                .unwrap_or_default();
            ranked(lines, &names)
        };
        let branches = if scope_right == Scope::All {
            let lines = compare(&open, &closed, &probability, false);
            let ids: Vec<Uuid> = lines.keys().copied().collect();
            let names = self
                .titles(session, RecordKind::Branch, &ids)
                .await
                .unwrap_or_default();
            ranked(lines, &names)
        } else {
            Vec::new()
        };
        let top_customers = match invoiced {
            Some(rows) => Some(self.name_customers(session, rows).await),
            None => None,
        };
        // The forecast over the period's months and the targets are the reports' own code.
        let forecast_filter = ReportFilter {
            pipeline_id: Some(pipeline_id),
            ..report.clone()
        };
        let forecast = self
            .forecast(session, &forecast_filter, calendar, None)
            .await?;
        let today = self.now().date();
        let on = if today >= from && today < to {
            today
        } else {
            from
        };
        let targets = self.target_progress(session, Some(on)).await?;
        Ok(SalesDashboard {
            period,
            calendar,
            from,
            to,
            pipeline_id,
            pipeline_name,
            scope: scope_right,
            stages,
            forecast,
            targets,
            outcomes,
            reasons,
            top_customers,
            people,
            branches,
        })
    }

    /// Names for the top invoiced customers (left empty where the user may not read them).
    async fn name_customers(
        &self,
        session: &Session,
        rows: Vec<peyvand_store::InvoicedCustomer>,
    ) -> Vec<TopCustomer> {
        let accounts: Vec<Uuid> = rows.iter().filter_map(|r| r.account_id).collect();
        let contacts: Vec<Uuid> = rows.iter().filter_map(|r| r.contact_id).collect();
        let account_names = self
            .titles(session, RecordKind::Account, &accounts)
            .await
            .unwrap_or_default();
        let contact_names = self
            .titles(session, RecordKind::Contact, &contacts)
            .await
            .unwrap_or_default();
        rows.into_iter()
            .filter_map(|row| {
                let (kind, id, names) = match (row.account_id, row.contact_id) {
                    (Some(account), _) => (RecordKind::Account, account, &account_names),
                    (None, Some(contact)) => (RecordKind::Contact, contact, &contact_names),
                    (None, None) => return None,
                };
                Some(TopCustomer {
                    kind,
                    id,
                    name: names.get(&id).cloned().unwrap_or_default(),
                    invoices: row.count,
                    amount: row.amount,
                })
            })
            .collect()
    }
}
