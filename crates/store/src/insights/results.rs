//! The results of a recomputation: per-customer scores and basket rules, written under the
//! run's id, and the filtered, paged reads of the analytics pages.

use peyvand_domain::permission::RowFilter;
use peyvand_domain::record::{ACCOUNTS, CONTACTS, Value};
use sea_query::{Cond, Expr, ExprTrait, Order, Query};
use time::Date;
use uuid::Uuid;

use super::{
    CustomerKind, CustomerRef, date, float, int, sql_date, sql_float, sql_id, sql_int, sql_text,
    text,
};
use crate::StoreResult;
use crate::records::access_condition;
use crate::tx::Tx;
use crate::values::{ColType, to_sql};

/// One customer's scores as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreRow {
    /// The customer.
    pub customer: CustomerRef,
    /// Orders to date.
    pub orders: i64,
    /// The first order's day.
    pub first_order: Date,
    /// The last order's day.
    pub last_order: Date,
    /// Days from the last order to the run's as-of day.
    pub recency_days: i64,
    /// Revenue to date (invoice totals), Rials.
    pub revenue: i64,
    /// Margin to date: net line amounts minus quantity × cost price, Rials.
    pub margin: i64,
    /// Cost to serve, Rials.
    pub cost_to_serve: i64,
    /// Margin minus cost to serve, Rials.
    pub profit: i64,
    /// RFM scores 1–5.
    pub r: i64,
    /// Frequency score.
    pub f: i64,
    /// Monetary score.
    pub m: i64,
    /// The RFM segment's code.
    pub segment: String,
    /// Probability the customer is still active (BG/NBD).
    pub p_alive: Option<f64>,
    /// Purchases expected over the horizon.
    pub expected_purchases: Option<f64>,
    /// Predicted value over the horizon (base + growth), Rials.
    pub clv: i64,
    /// Component: the value at the customer's own spend.
    pub clv_base: i64,
    /// Component: the change in spend the model expects.
    pub clv_growth: i64,
    /// Component: value through the customers they referred.
    pub clv_networking: i64,
    /// Component: value of their feedback.
    pub clv_learning: i64,
    /// Customers they referred.
    pub referrals: i64,
    /// Probability of no purchase in the churn horizon.
    pub churn_probability: Option<f64>,
    /// Reason codes, `|`-separated (`feature:above:value`).
    pub churn_reasons: String,
    /// Value pyramid tier code.
    pub tier: String,
    /// Profitability matrix cell code.
    pub cell: String,
    /// Loyalty class code (none with fewer than two purchased products).
    pub loyalty: Option<String>,
}

const SCORE_COLUMNS: [&str; 28] = [
    "customer_id",
    "customer_kind",
    "orders",
    "first_order",
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
    "expected_purchases",
    "clv",
    "clv_base",
    "clv_growth",
    "clv_networking",
    "clv_learning",
    "referrals",
    "churn_probability",
    "churn_reasons",
    "tier",
    "cell",
    "loyalty",
    "run_id",
];

fn score_types() -> Vec<ColType> {
    use ColType::{Date as D, Float as F, Id, Int as I, Text as T};
    vec![
        Id, T, I, D, D, I, I, I, I, I, I, I, I, T, F, F, I, I, I, I, I, I, F, T, T, T, T,
    ]
}

fn score_row(row: Vec<Value>) -> Option<ScoreRow> {
    let i = |n: usize| int(row.get(n)).unwrap_or(0);
    Some(ScoreRow {
        customer: CustomerRef {
            id: row.first()?.as_id()?,
            kind: CustomerKind::parse(row.get(1)?.as_text()?)?,
        },
        orders: i(2),
        first_order: date(row.get(3))?,
        last_order: date(row.get(4))?,
        recency_days: i(5),
        revenue: i(6),
        margin: i(7),
        cost_to_serve: i(8),
        profit: i(9),
        r: i(10),
        f: i(11),
        m: i(12),
        segment: text(row.get(13)).unwrap_or_default(),
        p_alive: float(row.get(14)),
        expected_purchases: float(row.get(15)),
        clv: i(16),
        clv_base: i(17),
        clv_growth: i(18),
        clv_networking: i(19),
        clv_learning: i(20),
        referrals: i(21),
        churn_probability: float(row.get(22)),
        churn_reasons: text(row.get(23)).unwrap_or_default(),
        tier: text(row.get(24)).unwrap_or_default(),
        cell: text(row.get(25)).unwrap_or_default(),
        loyalty: text(row.get(26)),
    })
}

/// A market basket rule as stored: product ids on each side.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleRow {
    /// Products bought.
    pub antecedents: Vec<Uuid>,
    /// Products also bought.
    pub consequents: Vec<Uuid>,
    /// Share of invoices with all of them.
    pub support: f64,
    /// Share of invoices with the antecedents that also have the consequents.
    pub confidence: f64,
    /// Confidence over the consequents' own support.
    pub lift: f64,
}

fn ids_text(ids: &[Uuid]) -> String {
    ids.iter()
        .map(Uuid::to_string)
        .collect::<Vec<_>>()
        .join("|")
}

fn ids_of(text: &str) -> Vec<Uuid> {
    text.split('|').filter_map(|s| s.parse().ok()).collect()
}

fn optional_id(id: Option<Uuid>) -> sea_query::Value {
    to_sql(&id.map_or(Value::Null, Value::Id), ColType::Id)
}

/// The rows of one set of rules: a branch's, or the company-wide ones (no branch).
fn of_branch(branch_id: Option<Uuid>) -> Cond {
    let column = Expr::col("branch_id");
    Cond::all().add(match branch_id {
        Some(id) => column.eq(sql_id(id)),
        None => column.is_null(),
    })
}

/// Which customers a scores query covers.
#[derive(Debug, Clone, Default)]
pub struct ScoreFilter {
    /// Accounts the reader may read.
    pub accounts: Option<RowFilter>,
    /// Contacts the reader may read.
    pub contacts: Option<RowFilter>,
    /// Only customers whose record is in one of these branches.
    pub branches: Option<Vec<Uuid>>,
    /// Only this segment.
    pub segment: Option<String>,
    /// Only this pyramid tier.
    pub tier: Option<String>,
    /// Only this matrix cell.
    pub cell: Option<String>,
    /// Only this loyalty class.
    pub loyalty: Option<String>,
    /// Only customers whose last order is on or after this day.
    pub last_order_from: Option<Date>,
    /// Only customers whose last order is before this day.
    pub last_order_until: Option<Date>,
    /// Only customers at least this likely to leave.
    pub min_churn: Option<f64>,
    /// Only customers worth at least this much (CLV, Rials).
    pub min_clv: Option<i64>,
    /// Only this customer.
    pub customer_id: Option<Uuid>,
}

/// The customers a filter lets through, as a condition on `insight_scores`.
fn score_condition(filter: &ScoreFilter) -> Cond {
    let mut reach = Cond::any();
    for (kind, schema, access) in [
        (CustomerKind::Account, &ACCOUNTS, &filter.accounts),
        (CustomerKind::Contact, &CONTACTS, &filter.contacts),
    ] {
        let Some(access) = access else { continue };
        let mut records = Query::select();
        records
            .from(schema.table)
            .column("id")
            .cond_where(access_condition(schema, access));
        if let Some(branches) = &filter.branches {
            records.and_where(Expr::col("branch_id").is_in(branches.iter().map(|b| sql_id(*b))));
        }
        reach = reach.add(
            Cond::all()
                .add(Expr::col("customer_kind").eq(sql_text(kind.code())))
                .add(Expr::col("customer_id").in_subquery(records)),
        );
    }
    let mut cond = Cond::all().add(reach);
    for (column, value) in [
        ("segment", &filter.segment),
        ("tier", &filter.tier),
        ("cell", &filter.cell),
        ("loyalty", &filter.loyalty),
    ] {
        if let Some(value) = value {
            cond = cond.add(Expr::col(column).eq(sql_text(value)));
        }
    }
    if let Some(from) = filter.last_order_from {
        cond = cond.add(Expr::col("last_order").gte(sql_date(from)));
    }
    if let Some(until) = filter.last_order_until {
        cond = cond.add(Expr::col("last_order").lt(sql_date(until)));
    }
    if let Some(min) = filter.min_churn {
        cond = cond.add(Expr::col("churn_probability").gte(sql_float(Some(min))));
    }
    if let Some(min) = filter.min_clv {
        cond = cond.add(Expr::col("clv").gte(sql_int(min)));
    }
    if let Some(id) = filter.customer_id {
        cond = cond.add(Expr::col("customer_id").eq(sql_id(id)));
    }
    cond
}

/// Totals of one group of customers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupTotals {
    /// The group's code (a segment, tier, cell or class; empty for none).
    pub key: String,
    /// Customers in it.
    pub customers: i64,
    /// Their revenue to date.
    pub revenue: i64,
    /// Their profit to date.
    pub profit: i64,
    /// Their predicted value.
    pub clv: i64,
}

impl Tx {
    /// Writes scores of a run (many rows per statement).
    pub async fn insert_insight_scores(
        &mut self,
        run_id: Uuid,
        rows: &[ScoreRow],
    ) -> StoreResult<()> {
        for chunk in rows.chunks(500) {
            let mut insert = Query::insert();
            insert.into_table("insight_scores").columns(SCORE_COLUMNS);
            for row in chunk {
                insert.values_panic([
                    Expr::val(sql_id(row.customer.id)),
                    Expr::val(sql_text(row.customer.kind.code())),
                    Expr::val(sql_int(row.orders)),
                    Expr::val(sql_date(row.first_order)),
                    Expr::val(sql_date(row.last_order)),
                    Expr::val(sql_int(row.recency_days)),
                    Expr::val(sql_int(row.revenue)),
                    Expr::val(sql_int(row.margin)),
                    Expr::val(sql_int(row.cost_to_serve)),
                    Expr::val(sql_int(row.profit)),
                    Expr::val(sql_int(row.r)),
                    Expr::val(sql_int(row.f)),
                    Expr::val(sql_int(row.m)),
                    Expr::val(sql_text(&row.segment)),
                    Expr::val(sql_float(row.p_alive)),
                    Expr::val(sql_float(row.expected_purchases)),
                    Expr::val(sql_int(row.clv)),
                    Expr::val(sql_int(row.clv_base)),
                    Expr::val(sql_int(row.clv_growth)),
                    Expr::val(sql_int(row.clv_networking)),
                    Expr::val(sql_int(row.clv_learning)),
                    Expr::val(sql_int(row.referrals)),
                    Expr::val(sql_float(row.churn_probability)),
                    Expr::val(sql_text(&row.churn_reasons)),
                    Expr::val(sql_text(&row.tier)),
                    Expr::val(sql_text(&row.cell)),
                    Expr::val(to_sql(
                        &row.loyalty.clone().map_or(Value::Null, Value::Text),
                        ColType::Text,
                    )),
                    Expr::val(sql_id(run_id)),
                ]);
            }
            self.execute(&insert).await?;
        }
        Ok(())
    }

    /// Writes one set of basket rules of a run — company-wide when `branch_id` is none, else
    /// the rules mined over that branch's subtree — in the order given, after the rules the
    /// run has already (positions are unique within a run, and a set's rules follow one
    /// another), with the number of invoices the set was mined from.
    pub async fn insert_insight_rules(
        &mut self,
        run_id: Uuid,
        branch_id: Option<Uuid>,
        invoices: i64,
        rules: &[RuleRow],
    ) -> StoreResult<()> {
        let mut set = Query::insert();
        set.into_table("insight_rule_sets")
            .columns(["run_id", "branch_id", "invoices"])
            .values_panic([
                Expr::val(sql_id(run_id)),
                Expr::val(optional_id(branch_id)),
                Expr::val(sql_int(invoices)),
            ]);
        self.execute(&set).await?;
        let first = self.next_rule_position(run_id).await?;
        for (offset, chunk) in rules.chunks(500).enumerate() {
            let mut insert = Query::insert();
            insert.into_table("insight_rules").columns([
                "run_id",
                "branch_id",
                "position",
                "antecedents",
                "consequents",
                "support",
                "confidence",
                "lift",
            ]);
            for (i, rule) in chunk.iter().enumerate() {
                insert.values_panic([
                    Expr::val(sql_id(run_id)),
                    Expr::val(optional_id(branch_id)),
                    Expr::val(sql_int(first + (offset * 500 + i) as i64)),
                    Expr::val(sql_text(&ids_text(&rule.antecedents))),
                    Expr::val(sql_text(&ids_text(&rule.consequents))),
                    Expr::val(sql_float(Some(rule.support))),
                    Expr::val(sql_float(Some(rule.confidence))),
                    Expr::val(sql_float(Some(rule.lift))),
                ]);
            }
            self.execute(&insert).await?;
        }
        Ok(())
    }

    /// The position after the last rule the run has (0 for none).
    async fn next_rule_position(&mut self, run_id: Uuid) -> StoreResult<i64> {
        let mut select = Query::select();
        select
            .from("insight_rules")
            .expr(Expr::col("position").max())
            .and_where(Expr::col("run_id").eq(sql_id(run_id)));
        let rows = self.fetch(&select, &[ColType::Int]).await?;
        Ok(rows
            .first()
            .and_then(|row| int(row.first()))
            .map_or(0, |last| last + 1))
    }

    /// The rules of a run's set for `branch_id` (none: company-wide), in their stored order.
    pub async fn insight_rules(
        &mut self,
        run_id: Uuid,
        branch_id: Option<Uuid>,
    ) -> StoreResult<Vec<RuleRow>> {
        let mut select = Query::select();
        select
            .from("insight_rules")
            .columns([
                "antecedents",
                "consequents",
                "support",
                "confidence",
                "lift",
            ])
            .and_where(Expr::col("run_id").eq(sql_id(run_id)))
            .cond_where(of_branch(branch_id))
            .order_by("position", Order::Asc);
        let types = [
            ColType::Text,
            ColType::Text,
            ColType::Float,
            ColType::Float,
            ColType::Float,
        ];
        let rows = self.fetch(&select, &types).await?;
        Ok(rows
            .into_iter()
            .map(|row| RuleRow {
                antecedents: ids_of(&text(row.first()).unwrap_or_default()),
                consequents: ids_of(&text(row.get(1)).unwrap_or_default()),
                support: float(row.get(2)).unwrap_or(0.0),
                confidence: float(row.get(3)).unwrap_or(0.0),
                lift: float(row.get(4)).unwrap_or(0.0),
            })
            .collect())
    }

    /// How many invoices the run's set for `branch_id` (none: company-wide) was mined from;
    /// none when the run has no such set (a branch made after the run, or a run older than
    /// the sets).
    pub async fn insight_rule_set_invoices(
        &mut self,
        run_id: Uuid,
        branch_id: Option<Uuid>,
    ) -> StoreResult<Option<i64>> {
        let mut select = Query::select();
        select
            .from("insight_rule_sets")
            .column("invoices")
            .and_where(Expr::col("run_id").eq(sql_id(run_id)))
            .cond_where(of_branch(branch_id));
        let rows = self.fetch(&select, &[ColType::Int]).await?;
        Ok(rows.first().and_then(|row| int(row.first())))
    }

    /// A page of a run's scores for the customers `filter` lets through, by predicted value
    /// (highest first, then id) after the keyset `after` (`(clv, customer_id)` of the last row
    /// of the previous page).
    pub async fn insight_scores(
        &mut self,
        run_id: Uuid,
        filter: &ScoreFilter,
        after: Option<(i64, Uuid)>,
        limit: u64,
    ) -> StoreResult<Vec<ScoreRow>> {
        let mut select = Query::select();
        select
            .from("insight_scores")
            .columns(SCORE_COLUMNS[..27].iter().copied())
            .and_where(Expr::col("run_id").eq(sql_id(run_id)))
            .cond_where(score_condition(filter))
            .order_by("clv", Order::Desc)
            .order_by("customer_id", Order::Desc)
            .limit(limit);
        if let Some((clv, id)) = after {
            select.cond_where(
                Cond::any().add(Expr::col("clv").lt(sql_int(clv))).add(
                    Cond::all()
                        .add(Expr::col("clv").eq(sql_int(clv)))
                        .add(Expr::col("customer_id").lt(sql_id(id))),
                ),
            );
        }
        let rows = self.fetch(&select, &score_types()).await?;
        Ok(rows.into_iter().filter_map(score_row).collect())
    }

    /// The RFM segment of each of `customers` that has a score in the run (looked up a few
    /// hundred at a time, so the NPS by segment reads only the customers who answered).
    pub async fn insight_segments_of(
        &mut self,
        run_id: Uuid,
        customers: &[Uuid],
    ) -> StoreResult<Vec<(Uuid, String)>> {
        let mut out = Vec::with_capacity(customers.len());
        for chunk in customers.chunks(500) {
            let mut select = Query::select();
            select
                .from("insight_scores")
                .columns(["customer_id", "segment"])
                .and_where(Expr::col("run_id").eq(sql_id(run_id)))
                .and_where(Expr::col("customer_id").is_in(chunk.iter().map(|id| sql_id(*id))));
            let rows = self.fetch(&select, &[ColType::Id, ColType::Text]).await?;
            out.extend(
                rows.into_iter()
                    .filter_map(|row| Some((row.first()?.as_id()?, text(row.get(1))?))),
            );
        }
        Ok(out)
    }

    /// Customers, revenue, profit and predicted value of a run per value of `column`
    /// (`segment`, `tier`, `cell` or `loyalty`), for the customers `filter` lets through.
    pub async fn insight_groups(
        &mut self,
        run_id: Uuid,
        filter: &ScoreFilter,
        column: &'static str,
    ) -> StoreResult<Vec<GroupTotals>> {
        let sum = |c: &str| Expr::cust(format!("CAST(COALESCE(SUM({c}), 0) AS BIGINT)"));
        let mut select = Query::select();
        select
            .from("insight_scores")
            .column(column)
            .expr(Expr::col(sea_query::Asterisk).count())
            .expr(sum("revenue"))
            .expr(sum("profit"))
            .expr(sum("clv"))
            .and_where(Expr::col("run_id").eq(sql_id(run_id)))
            .cond_where(score_condition(filter))
            .group_by_col(column);
        let types = [
            ColType::Text,
            ColType::Int,
            ColType::Int,
            ColType::Int,
            ColType::Int,
        ];
        let rows = self.fetch(&select, &types).await?;
        Ok(rows
            .into_iter()
            .map(|row| GroupTotals {
                key: text(row.first()).unwrap_or_default(),
                customers: int(row.get(1)).unwrap_or(0),
                revenue: int(row.get(2)).unwrap_or(0),
                profit: int(row.get(3)).unwrap_or(0),
                clv: int(row.get(4)).unwrap_or(0),
            })
            .collect())
    }
}
