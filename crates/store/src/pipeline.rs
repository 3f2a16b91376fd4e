//! The sales pipeline's own storage (issue 4): the stage history of opportunities and the
//! aggregates of the board, the funnel, the forecast and sales targets. Records themselves
//! (pipelines, stages, opportunities, …) go through the generic `records` operations; what is
//! here is grouped in the database (`GROUP BY` with bound parameters) so that a report over a
//! million opportunities moves a few hundred rows, not a million.

use peyvand_domain::permission::RowFilter;
use peyvand_domain::pipeline::{OPPORTUNITIES, PIPELINE_STAGES};
use peyvand_domain::record::Value;
use sea_query::{Cond, Expr, ExprTrait, Order, Query, SelectStatement};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::StoreResult;
use crate::records::access_condition;
use crate::tx::Tx;
use crate::values::{ColType, to_sql};

const HISTORY: &str = "opportunity_stage_history";

/// A stage of a pipeline as the pipeline's editor and the reports need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageRow {
    /// The stage's id.
    pub id: Uuid,
    /// Its record version.
    pub version: i64,
    /// The pipeline it belongs to.
    pub pipeline_id: Uuid,
    /// 1 for the first stage.
    pub position: i64,
    /// Its name.
    pub name: String,
    /// Win probability in percent.
    pub probability: i64,
}

/// One stay of an opportunity in a stage, as it begins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageEntryRow {
    /// The opportunity.
    pub opportunity_id: Uuid,
    /// Its pipeline.
    pub pipeline_id: Uuid,
    /// The stage entered.
    pub stage_id: Uuid,
    /// Its owner.
    pub owner_id: Uuid,
    /// Its branch.
    pub branch_id: Uuid,
    /// Its amount (Rials).
    pub amount: i64,
    /// When it entered.
    pub entered_at: OffsetDateTime,
}

/// Which opportunities a report covers: the actor's access filter and the report's own choices
/// (a pipeline, owners — one user or a team's members —, branches).
#[derive(Debug, Clone)]
pub struct SalesScope<'a> {
    /// The rows the actor may read.
    pub access: &'a RowFilter,
    /// Only this pipeline.
    pub pipeline_id: Option<Uuid>,
    /// Only deals owned by these users.
    pub owners: Option<Vec<Uuid>>,
    /// Only deals of these branches.
    pub branches: Option<Vec<Uuid>>,
}

/// Deals closed within a period, grouped by outcome, stage and loss reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClosedGroup {
    /// `won` or `lost`.
    pub status: String,
    /// The stage they were at.
    pub stage_id: Option<Uuid>,
    /// The reason they were lost.
    pub reason_id: Option<Uuid>,
    /// How many.
    pub count: i64,
    /// Their amounts (Rials).
    pub amount: i64,
    /// Their sales cycles in days, summed.
    pub cycle_days: i64,
}

/// Aggregates of open deals, by forecast month (an index into the month bounds), stage, owner
/// and branch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ForecastRow {
    /// Index of the month.
    pub month: usize,
    /// The stage.
    pub stage_id: Uuid,
    /// The owner.
    pub owner_id: Uuid,
    /// The branch.
    pub branch_id: Uuid,
    /// Number of deals.
    pub count: i64,
    /// Their amounts (Rials).
    pub amount: i64,
}

fn id(v: Uuid) -> sea_query::Value {
    to_sql(&Value::Id(v), ColType::Id)
}

pub(crate) fn moment(v: OffsetDateTime) -> sea_query::Value {
    to_sql(&Value::Time(v), ColType::Time)
}

pub(crate) fn day(v: Date) -> sea_query::Value {
    to_sql(&Value::Date(v), ColType::Date)
}

/// `CAST(COALESCE(SUM(col), 0) AS BIGINT)`: PostgreSQL sums BIGINTs as NUMERIC.
pub(crate) fn sum(column: &str) -> Expr {
    Expr::cust(format!("CAST(COALESCE(SUM({column}), 0) AS BIGINT)"))
}

pub(crate) fn int(value: Option<&Value>) -> i64 {
    match value {
        Some(Value::Int(n)) => *n,
        _ => 0,
    }
}

/// The condition of a report's scope on a table with `owner_id`, `branch_id` and `pipeline_id`
/// columns (opportunities and their stage history).
pub(crate) fn scope_condition(scope: &SalesScope<'_>) -> Cond {
    scope_condition_of(&OPPORTUNITIES, scope)
}

/// The scope's conditions on records of `schema`, which must have owner and branch columns (and
/// a pipeline column when the scope names a pipeline).
fn scope_condition_of(schema: &peyvand_domain::record::Schema, scope: &SalesScope<'_>) -> Cond {
    let mut cond = Cond::all().add(access_condition(schema, scope.access));
    if let Some(pipeline) = scope.pipeline_id {
        cond = cond.add(Expr::col("pipeline_id").eq(id(pipeline)));
    }
    if let Some(owners) = &scope.owners {
        cond = cond.add(Expr::col("owner_id").is_in(owners.iter().map(|o| id(*o))));
    }
    if let Some(branches) = &scope.branches {
        cond = cond.add(Expr::col("branch_id").is_in(branches.iter().map(|b| id(*b))));
    }
    cond
}

impl Tx {
    /// The stages of one pipeline (or of all, with None), in order.
    pub async fn stages_of(&mut self, pipeline_id: Option<Uuid>) -> StoreResult<Vec<StageRow>> {
        let mut select = Query::select();
        select
            .from(PIPELINE_STAGES.table)
            .columns([
                "id",
                "version",
                "pipeline_id",
                "position",
                "name",
                "probability",
            ])
            .order_by("pipeline_id", Order::Asc)
            .order_by("position", Order::Asc);
        if let Some(pipeline) = pipeline_id {
            select.and_where(Expr::col("pipeline_id").eq(id(pipeline)));
        }
        let types = [
            ColType::Id,
            ColType::Int,
            ColType::Id,
            ColType::Int,
            ColType::Text,
            ColType::Int,
        ];
        let rows = self.fetch(&select, &types).await?;
        Ok(rows
            .into_iter()
            .filter_map(|row| {
                let mut row = row.into_iter();
                Some(StageRow {
                    id: row.next()?.as_id()?,
                    version: int(row.next().as_ref()),
                    pipeline_id: row.next()?.as_id()?,
                    position: int(row.next().as_ref()),
                    name: row.next()?.as_text()?.to_owned(),
                    probability: int(row.next().as_ref()),
                })
            })
            .collect())
    }

    /// Whether any opportunity is, or ever was, at this stage (such a stage cannot be removed
    /// without rewriting the history the funnel reports).
    pub async fn stage_in_use(&mut self, stage_id: Uuid) -> StoreResult<bool> {
        for table in [OPPORTUNITIES.table, HISTORY] {
            // One row answers the question: stop there rather than count them all.
            let mut used = Query::select();
            used.from(table)
                .expr(Expr::val(1))
                .and_where(Expr::col("stage_id").eq(id(stage_id)))
                .limit(1);
            let mut select = Query::select();
            select
                .expr(Expr::col(sea_query::Asterisk).count())
                .from_subquery(used, sea_query::Alias::new("used"));
            if self.fetch_count(&select).await? > 0 {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Records that an opportunity entered a stage.
    pub async fn enter_stage(&mut self, entry: &StageEntryRow) -> StoreResult<()> {
        self.enter_stages(std::slice::from_ref(entry), &[]).await
    }

    /// Records many stays at once (the demo and benchmark generator): `open` entries plus
    /// `closed` ones with the moment they were left.
    pub async fn enter_stages(
        &mut self,
        open: &[StageEntryRow],
        closed: &[(StageEntryRow, OffsetDateTime)],
    ) -> StoreResult<()> {
        let rows: Vec<(&StageEntryRow, Option<OffsetDateTime>)> = open
            .iter()
            .map(|e| (e, None))
            .chain(closed.iter().map(|(e, left)| (e, Some(*left))))
            .collect();
        // Ten parameters a row: a thousand rows a statement stays under SQLite's 32,766.
        for chunk in rows.chunks(1_000) {
            self.insert_stays(chunk).await?;
        }
        Ok(())
    }

    async fn insert_stays(
        &mut self,
        rows: &[(&StageEntryRow, Option<OffsetDateTime>)],
    ) -> StoreResult<()> {
        let mut insert = Query::insert();
        insert.into_table(HISTORY).columns([
            "id",
            "opportunity_id",
            "pipeline_id",
            "stage_id",
            "owner_id",
            "branch_id",
            "amount",
            "entered_at",
            "left_at",
            "seconds_in_stage",
        ]);
        for (entry, left) in rows {
            let (entry, left) = (*entry, *left);
            let seconds = left.map(|left| (left - entry.entered_at).whole_seconds());
            insert.values_panic([
                Expr::val(id(Uuid::now_v7())),
                Expr::val(id(entry.opportunity_id)),
                Expr::val(id(entry.pipeline_id)),
                Expr::val(id(entry.stage_id)),
                Expr::val(id(entry.owner_id)),
                Expr::val(id(entry.branch_id)),
                Expr::val(to_sql(&Value::Int(entry.amount), ColType::Int)),
                Expr::val(moment(entry.entered_at)),
                Expr::val(to_sql(
                    &left.map_or(Value::Null, Value::Time),
                    ColType::Time,
                )),
                Expr::val(to_sql(
                    &seconds.map_or(Value::Null, Value::Int),
                    ColType::Int,
                )),
            ]);
        }
        if !rows.is_empty() {
            self.execute(&insert).await?;
        }
        Ok(())
    }

    /// Records that an opportunity left the stage it was in (if it was in one) at `at`.
    pub async fn leave_stage(
        &mut self,
        opportunity_id: Uuid,
        at: OffsetDateTime,
    ) -> StoreResult<()> {
        let mut select = Query::select();
        select
            .from(HISTORY)
            .columns(["id", "entered_at"])
            .and_where(Expr::col("opportunity_id").eq(id(opportunity_id)))
            .and_where(Expr::col("left_at").is_null());
        let open = self.fetch(&select, &[ColType::Id, ColType::Time]).await?;
        for row in open {
            let (Some(Value::Id(entry)), Some(Value::Time(entered))) = (row.first(), row.get(1))
            else {
                continue;
            };
            let seconds = Ord::max((at - *entered).whole_seconds(), 0);
            let mut update = Query::update();
            update
                .table(HISTORY)
                .value("left_at", moment(at))
                .value(
                    "seconds_in_stage",
                    to_sql(&Value::Int(seconds), ColType::Int),
                )
                .and_where(Expr::col("id").eq(id(*entry)));
            self.execute(&update).await?;
        }
        Ok(())
    }

    /// Copies an opportunity's pipeline, owner, branch and amount into its stage history after
    /// they changed, so reports filter and sum the history as the opportunity now is.
    pub async fn restamp_stage_history(
        &mut self,
        opportunity_id: Uuid,
        owner_id: Uuid,
        branch_id: Uuid,
        amount: i64,
    ) -> StoreResult<()> {
        let mut update = Query::update();
        update
            .table(HISTORY)
            .value("owner_id", id(owner_id))
            .value("branch_id", id(branch_id))
            .value("amount", to_sql(&Value::Int(amount), ColType::Int))
            .and_where(Expr::col("opportunity_id").eq(id(opportunity_id)));
        self.execute(&update).await?;
        Ok(())
    }

    /// Per stage of `stages`: entries within `[from, to)`, their amounts, how many have left and
    /// the seconds those stayed. Rows: (stage, count, amount, left, seconds). Naming the stages
    /// lets the database read one index range per stage, in order, instead of sorting a period's
    /// entries by stage.
    pub async fn funnel_entries(
        &mut self,
        scope: &SalesScope<'_>,
        stages: &[Uuid],
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> StoreResult<Vec<(Uuid, [i64; 4])>> {
        let mut select = Query::select();
        select
            .from(HISTORY)
            .column("stage_id")
            .expr(Expr::col(sea_query::Asterisk).count())
            .expr(sum("amount"))
            .expr(Expr::col("left_at").count())
            .expr(sum("seconds_in_stage"))
            .cond_where(scope_condition(scope))
            .and_where(Expr::col("stage_id").is_in(stages.iter().map(|s| id(*s))))
            .and_where(Expr::col("entered_at").gte(moment(from)))
            .and_where(Expr::col("entered_at").lt(moment(to)))
            .group_by_col("stage_id");
        let types = [
            ColType::Id,
            ColType::Int,
            ColType::Int,
            ColType::Int,
            ColType::Int,
        ];
        let rows = self.fetch(&select, &types).await?;
        Ok(rows
            .into_iter()
            .filter_map(|row| {
                let stage = row.first()?.as_id()?;
                Some((
                    stage,
                    [
                        int(row.get(1)),
                        int(row.get(2)),
                        int(row.get(3)),
                        int(row.get(4)),
                    ],
                ))
            })
            .collect())
    }

    /// Deals won or lost within `[from, to)`, by outcome, stage and loss reason.
    pub async fn closed_deals(
        &mut self,
        scope: &SalesScope<'_>,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> StoreResult<Vec<ClosedGroup>> {
        let mut select = Query::select();
        select
            .from(OPPORTUNITIES.table)
            .columns(["status", "stage_id", "loss_reason_id"])
            .expr(Expr::col(sea_query::Asterisk).count())
            .expr(sum("amount"))
            .expr(sum("cycle_days"))
            .cond_where(scope_condition(scope))
            .and_where(Expr::col("status").is_in(["won", "lost"]))
            .and_where(Expr::col("closed_at").gte(moment(from)))
            .and_where(Expr::col("closed_at").lt(moment(to)))
            .group_by_columns(["status", "stage_id", "loss_reason_id"]);
        let types = [
            ColType::Text,
            ColType::Id,
            ColType::Id,
            ColType::Int,
            ColType::Int,
            ColType::Int,
        ];
        let rows = self.fetch(&select, &types).await?;
        Ok(rows
            .into_iter()
            .filter_map(|row| {
                Some(ClosedGroup {
                    status: row.first()?.as_text()?.to_owned(),
                    stage_id: row.get(1)?.as_id(),
                    reason_id: row.get(2)?.as_id(),
                    count: int(row.get(3)),
                    amount: int(row.get(4)),
                    cycle_days: int(row.get(5)),
                })
            })
            .collect())
    }

    /// Open deals expected to close within the months whose boundaries are `bounds` (n + 1
    /// dates for n months), grouped by month, stage, owner and branch.
    pub async fn forecast_rows(
        &mut self,
        scope: &SalesScope<'_>,
        bounds: &[Date],
    ) -> StoreResult<Vec<ForecastRow>> {
        let (Some(first), Some(last)) = (bounds.first(), bounds.last()) else {
            return Ok(Vec::new());
        };
        // The month's index is computed in the query from the bounds, bound as parameters, so
        // the database groups by month without knowing any calendar.
        let mut case = Expr::case(
            Expr::col("expected_close").lt(day(bounds[0])),
            Expr::val(-1),
        );
        for (index, bound) in bounds.iter().enumerate().skip(1) {
            let index = i64::try_from(index - 1).unwrap_or(0);
            case = case.case(
                Expr::col("expected_close").lt(day(*bound)),
                Expr::val(index),
            );
        }
        let mut select = Query::select();
        select
            .from(OPPORTUNITIES.table)
            .expr_as(case.finally(Expr::val(-1_i64)), "month")
            .columns(["stage_id", "owner_id", "branch_id"])
            .expr(Expr::col(sea_query::Asterisk).count())
            .expr(sum("amount"))
            .cond_where(scope_condition(scope))
            .and_where(Expr::col("status").eq("open"))
            .and_where(Expr::col("expected_close").gte(day(*first)))
            .and_where(Expr::col("expected_close").lt(day(*last)))
            .group_by_columns(["month", "stage_id", "owner_id", "branch_id"]);
        let types = [
            ColType::Int,
            ColType::Id,
            ColType::Id,
            ColType::Id,
            ColType::Int,
            ColType::Int,
        ];
        let rows = self.fetch(&select, &types).await?;
        Ok(rows
            .into_iter()
            .filter_map(|row| {
                Some(ForecastRow {
                    month: usize::try_from(int(row.first())).ok()?,
                    stage_id: row.get(1)?.as_id()?,
                    owner_id: row.get(2)?.as_id()?,
                    branch_id: row.get(3)?.as_id()?,
                    count: int(row.get(4)),
                    amount: int(row.get(5)),
                })
            })
            .collect())
    }

    /// Open deals of a pipeline per stage: (stage, count, amount) — the board's column heads.
    pub async fn board_totals(
        &mut self,
        scope: &SalesScope<'_>,
    ) -> StoreResult<Vec<(Uuid, i64, i64)>> {
        let mut select = Query::select();
        select
            .from(OPPORTUNITIES.table)
            .column("stage_id")
            .expr(Expr::col(sea_query::Asterisk).count())
            .expr(sum("amount"))
            .cond_where(scope_condition(scope))
            .and_where(Expr::col("status").eq("open"))
            .group_by_col("stage_id");
        let rows = self
            .fetch(&select, &[ColType::Id, ColType::Int, ColType::Int])
            .await?;
        Ok(rows
            .into_iter()
            .filter_map(|row| Some((row.first()?.as_id()?, int(row.get(1)), int(row.get(2)))))
            .collect())
    }

    /// Deals won within `[from, to)`: (count, amount).
    pub async fn won_between(
        &mut self,
        scope: &SalesScope<'_>,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> StoreResult<(i64, i64)> {
        let groups = self.closed_deals(scope, from, to).await?;
        Ok(groups
            .iter()
            .filter(|g| g.status == "won")
            .fold((0, 0), |(c, a), g| (c + g.count, a + g.amount)))
    }

    /// Records of a kind created within `[from, to)` within the report's scope (its access
    /// filter, owners, branches, and pipeline when it names one), optionally only those whose
    /// `non_null` column has a value (opportunities from leads).
    pub async fn count_created(
        &mut self,
        schema: &peyvand_domain::record::Schema,
        scope: &SalesScope<'_>,
        from: OffsetDateTime,
        to: OffsetDateTime,
        non_null: Option<&str>,
    ) -> StoreResult<i64> {
        let mut select: SelectStatement = Query::select();
        select
            .from(schema.table)
            .expr(Expr::col(sea_query::Asterisk).count())
            .cond_where(scope_condition_of(schema, scope))
            .and_where(Expr::col("created_at").gte(moment(from)))
            .and_where(Expr::col("created_at").lt(moment(to)));
        if let Some(column) = non_null {
            select.and_where(Expr::col(column.to_owned()).is_not_null());
        }
        self.fetch_count(&select).await
    }
}
