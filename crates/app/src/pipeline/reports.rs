//! The funnel report and the forecast: the store aggregates, the domain does the arithmetic.

use std::collections::BTreeMap;

use peyvand_domain::calendar::CalendarKind;
use peyvand_domain::permission::{Action, RecordKind, RowFilter};
use peyvand_domain::pipeline::OPPORTUNITIES;
use peyvand_domain::pipeline::forecast::{self, Cell, Forecast, Month, Plan};
use peyvand_domain::pipeline::funnel::{self, Funnel, Losses, Stage, StageEntries, Wins};
use peyvand_domain::record::LEADS;
use peyvand_store::{SalesScope, Tx};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::App;
use crate::auth::Session;
use crate::error::{AppError, AppResult};
use crate::org::{filter_for, load_org};
use crate::records::read_checked;

/// The first moment of a day. Days are UTC days, as everywhere in the store.
pub(crate) fn start_of(day: Date) -> OffsetDateTime {
    day.midnight().assume_utc()
}

/// What a report covers: a period `[from, to)` of days, a pipeline (the default one when
/// absent) and at most one of a user, a team or a branch (with the branches below it).
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ReportFilter {
    /// Only this pipeline.
    pub pipeline_id: Option<Uuid>,
    /// First day.
    pub from: Option<Date>,
    /// Day after the last.
    pub to: Option<Date>,
    /// Only this user's deals.
    pub owner_id: Option<Uuid>,
    /// Only the deals of this team's members.
    pub team_id: Option<Uuid>,
    /// Only the deals of this branch and the branches below it.
    pub branch_id: Option<Uuid>,
}

/// The funnel report with the names it mentions.
#[derive(Debug, Clone)]
pub struct FunnelView {
    /// The pipeline reported on.
    pub pipeline_id: Uuid,
    /// Its name.
    pub pipeline_name: String,
    /// The period.
    pub from: Date,
    /// The day after it.
    pub to: Date,
    /// The figures.
    pub funnel: Funnel,
    /// Names of the loss reasons.
    pub reasons: BTreeMap<Uuid, String>,
    /// Share of the period's leads that became opportunities.
    pub lead_conversion: Option<f64>,
}

/// The forecast with its months and the names of users, teams and branches.
#[derive(Debug, Clone)]
pub struct ForecastView {
    /// The months, in the user's calendar.
    pub months: Vec<Month>,
    /// The calendar of the months.
    pub calendar: CalendarKind,
    /// The figures.
    pub forecast: Forecast,
    /// Names of the users, teams and branches that appear.
    pub names: BTreeMap<Uuid, String>,
    /// The funnel arithmetic for a target, when one was given.
    pub plan: Option<PlanView>,
}

/// The funnel arithmetic for a target, from the conversion measured over the previous year.
#[derive(Debug, Clone)]
pub struct PlanView {
    /// The target amount (Rials).
    pub target: i64,
    /// The average deal won (Rials).
    pub average_deal: i64,
    /// Stage names with each stage's measured conversion.
    pub stages: Vec<(String, Option<f64>)>,
    /// What is needed; None when too little was measured.
    pub plan: Option<Plan>,
}

impl App {
    pub(super) async fn report_scope(
        &self,
        tx: &mut Tx,
        session: &Session,
        filter: &ReportFilter,
    ) -> AppResult<(RowFilter, Option<Vec<Uuid>>, Option<Vec<Uuid>>)> {
        let access = filter_for(tx, session, RecordKind::Opportunity, Action::Read).await?;
        let needs_org = filter.team_id.is_some() || filter.branch_id.is_some();
        let org = if needs_org {
            load_org(tx).await?
        } else {
            Default::default()
        };
        let owners = match (filter.owner_id, filter.team_id) {
            (Some(owner), _) => Some(vec![owner]),
            (None, Some(team)) => Some(org.team_members(team)),
            _ => None,
        };
        let branches = filter.branch_id.map(|b| org.subtree(b));
        Ok((access, owners, branches))
    }

    pub(super) async fn pipeline_of(
        &self,
        tx: &mut Tx,
        session: &Session,
        filter: &ReportFilter,
    ) -> AppResult<(Uuid, String)> {
        let pipeline = match filter.pipeline_id {
            Some(p) => p,
            None => super::setup::default_pipeline(tx)
                .await?
                .ok_or(AppError::NotFound)?,
        };
        let (_, view) =
            read_checked(tx, session, RecordKind::Pipeline, pipeline, Action::Read).await?;
        Ok((pipeline, view.title))
    }

    /// The funnel report of a pipeline over a period (the last 365 days unless given).
    pub async fn funnel(&self, session: &Session, filter: &ReportFilter) -> AppResult<FunnelView> {
        if session
            .actor
            .grants
            .scope(RecordKind::Opportunity, Action::Read)
            == peyvand_domain::permission::Scope::None
        {
            return Err(AppError::Forbidden);
        }
        let today = self.now().date();
        let to = filter.to.unwrap_or(today.next_day().unwrap_or(today));
        let from = filter.from.unwrap_or(to - time::Duration::days(365));
        if from >= to {
            return Err(AppError::field(
                "from",
                peyvand_domain::validation::FieldError::INVALID_DATE,
            ));
        }
        let mut tx = self.store.read().await?;
        let (pipeline, pipeline_name) = self.pipeline_of(&mut tx, session, filter).await?;
        let (access, owners, branches) = self.report_scope(&mut tx, session, filter).await?;
        let scope = SalesScope {
            access: &access,
            pipeline_id: Some(pipeline),
            owners,
            branches,
        };
        let (start, end) = (start_of(from), start_of(to));
        let stages: Vec<Stage> = tx
            .stages_of(Some(pipeline))
            .await?
            .into_iter()
            .map(|s| Stage {
                id: s.id,
                name: s.name,
                probability: s.probability,
            })
            .collect();
        let stage_ids: Vec<Uuid> = stages.iter().map(|s| s.id).collect();
        let entries: BTreeMap<Uuid, StageEntries> = tx
            .funnel_entries(&scope, &stage_ids, start, end)
            .await?
            .into_iter()
            .map(|(stage, [count, amount, left, seconds])| {
                (
                    stage,
                    StageEntries {
                        count,
                        amount,
                        left,
                        seconds,
                    },
                )
            })
            .collect();
        let closed = tx.closed_deals(&scope, start, end).await?;
        let mut wins = Wins::default();
        let mut losses = Vec::new();
        for group in closed {
            if group.status == "won" {
                wins.count += group.count;
                wins.amount += group.amount;
                wins.cycle_days += group.cycle_days;
            } else {
                losses.push(Losses {
                    stage_id: group.stage_id,
                    reason_id: group.reason_id,
                    count: group.count,
                    amount: group.amount,
                });
            }
        }
        // Lead conversion within the same people and branches as the deals (leads belong to
        // no pipeline).
        let lead_access = filter_for(&mut tx, session, RecordKind::Lead, Action::Read).await?;
        let lead_scope = SalesScope {
            access: &lead_access,
            pipeline_id: None,
            owners: scope.owners.clone(),
            branches: scope.branches.clone(),
        };
        let leads = tx
            .count_created(&LEADS, &lead_scope, start, end, None)
            .await?;
        let from_leads = tx
            .count_created(&OPPORTUNITIES, &scope, start, end, Some("lead_id"))
            .await?;
        tx.commit().await?;
        let funnel = funnel::build(&stages, &entries, &losses, wins);
        let reason_ids: Vec<Uuid> = funnel.losses.iter().filter_map(|l| l.reason_id).collect();
        let reasons = self
            .titles(session, RecordKind::LossReason, &reason_ids)
            .await?;
        Ok(FunnelView {
            pipeline_id: pipeline,
            pipeline_name,
            from,
            to,
            funnel,
            reasons,
            lead_conversion: funnel::ratio(from_leads, leads),
        })
    }

    /// The weighted pipeline of open deals expected to close in the period (the next twelve
    /// months of the user's calendar unless given), per month and per user, team and branch;
    /// with a `target`, the funnel arithmetic from the previous year's conversion.
    pub async fn forecast(
        &self,
        session: &Session,
        filter: &ReportFilter,
        calendar: CalendarKind,
        target: Option<i64>,
    ) -> AppResult<ForecastView> {
        if session
            .actor
            .grants
            .scope(RecordKind::Opportunity, Action::Read)
            == peyvand_domain::permission::Scope::None
        {
            return Err(AppError::Forbidden);
        }
        let today = self.now().date();
        let from = filter
            .from
            .unwrap_or_else(|| forecast::month_of(today, calendar).start);
        let to = filter.to.unwrap_or(from + time::Duration::days(365));
        let months = forecast::months_between(from, to, calendar);
        let mut bounds: Vec<Date> = months.iter().map(|m| m.start.max(from)).collect();
        bounds.push(to);
        let mut tx = self.store.read().await?;
        let (access, owners, branches) = self.report_scope(&mut tx, session, filter).await?;
        let scope = SalesScope {
            access: &access,
            pipeline_id: filter.pipeline_id,
            owners,
            branches,
        };
        let rows = tx.forecast_rows(&scope, &bounds).await?;
        let probability: BTreeMap<Uuid, i64> = tx
            .stages_of(filter.pipeline_id)
            .await?
            .into_iter()
            .map(|s| (s.id, s.probability))
            .collect();
        let team_of: BTreeMap<Uuid, Uuid> = tx
            .id_pairs("users", "team_id")
            .await?
            .into_iter()
            .filter_map(|(user, team)| team.map(|t| (user, t)))
            .collect();
        tx.commit().await?;
        let cells: Vec<Cell> = rows
            .iter()
            .map(|r| Cell {
                month: r.month,
                stage_id: r.stage_id,
                owner_id: r.owner_id,
                branch_id: r.branch_id,
                count: r.count,
                amount: r.amount,
            })
            .collect();
        let forecast = forecast::build(months.len(), &cells, &probability, &team_of);
        let names = self.forecast_names(session, &forecast).await?;
        let plan = match target {
            Some(target) => Some(self.plan(session, filter, target).await?),
            None => None,
        };
        Ok(ForecastView {
            months,
            calendar,
            forecast,
            names,
            plan,
        })
    }

    async fn forecast_names(
        &self,
        session: &Session,
        f: &Forecast,
    ) -> AppResult<BTreeMap<Uuid, String>> {
        let mut names = BTreeMap::new();
        for (kind, ids) in [
            (
                RecordKind::User,
                f.by_user.keys().copied().collect::<Vec<_>>(),
            ),
            (RecordKind::Team, f.by_team.keys().copied().collect()),
            (RecordKind::Branch, f.by_branch.keys().copied().collect()),
        ] {
            // Names the user may not read stay out; the page shows the id's place instead.
            if let Ok(titles) = self.titles(session, kind, &ids).await {
                names.extend(titles);
            }
        }
        Ok(names)
    }

    /// The funnel arithmetic for `target` from the previous 365 days of the pipeline.
    async fn plan(
        &self,
        session: &Session,
        filter: &ReportFilter,
        target: i64,
    ) -> AppResult<PlanView> {
        let measured = ReportFilter {
            from: None,
            to: None,
            ..filter.clone()
        };
        let view = self.funnel(session, &measured).await?;
        let average_deal = if view.funnel.won > 0 {
            view.funnel.won_value / view.funnel.won
        } else {
            0
        };
        let conversions: Vec<Option<f64>> =
            view.funnel.stages.iter().map(|s| s.conversion).collect();
        Ok(PlanView {
            target,
            average_deal,
            stages: view
                .funnel
                .stages
                .iter()
                .map(|s| (s.stage.name.clone(), s.conversion))
                .collect(),
            plan: forecast::plan(target, average_deal, &conversions, view.lead_conversion),
        })
    }
}
