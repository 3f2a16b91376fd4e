//! The analytical CRM's storage (issue 6): the inputs read from Peyvand's own records — one
//! streaming query per input, never a query per customer — and the runs, per-customer scores
//! and market basket rules the recomputation writes (migration 0090).
//!
//! A run's results are written under its id and the pages read the newest finished run, so a
//! run in progress never changes what people see.

use peyvand_domain::permission::RowFilter;
use peyvand_domain::record::{CASES, Value};
use sea_query::{Cond, Expr, ExprTrait, Order, Query, SelectStatement};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::StoreResult;
use crate::records::access_condition;
use crate::tx::Tx;
use crate::values::{ColType, to_sql};

/// The invoice statuses that count as orders: issued, partly paid or paid (a cancelled invoice
/// is not a sale).
pub const ORDER_STATUSES: [&str; 3] = ["issued", "partly_paid", "paid"];

/// A customer: an account, or a contact buying without an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CustomerRef {
    /// `account` or `contact`.
    pub kind: CustomerKind,
    /// The record's id.
    pub id: Uuid,
}

/// Which record kind a customer is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CustomerKind {
    /// An account.
    Account,
    /// A contact.
    Contact,
}

impl CustomerKind {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            CustomerKind::Account => "account",
            CustomerKind::Contact => "contact",
        }
    }

    /// The kind of a stored code.
    pub fn parse(code: &str) -> Option<CustomerKind> {
        match code {
            "account" => Some(CustomerKind::Account),
            "contact" => Some(CustomerKind::Contact),
            _ => None,
        }
    }
}

/// The customer of a row with an account and a contact column: the account when there is one.
fn customer_of(account: Option<&Value>, contact: Option<&Value>) -> Option<CustomerRef> {
    let account = account.and_then(Value::as_id);
    let contact = contact.and_then(Value::as_id);
    match (account, contact) {
        (Some(id), _) => Some(CustomerRef {
            kind: CustomerKind::Account,
            id,
        }),
        (None, Some(id)) => Some(CustomerRef {
            kind: CustomerKind::Contact,
            id,
        }),
        (None, None) => None,
    }
}

pub(super) fn int(value: Option<&Value>) -> Option<i64> {
    match value {
        Some(Value::Int(n)) => Some(*n),
        _ => None,
    }
}

pub(super) fn float(value: Option<&Value>) -> Option<f64> {
    match value {
        Some(Value::Number(n)) => Some(*n),
        Some(Value::Int(n)) => Some(*n as f64),
        _ => None,
    }
}

pub(super) fn date(value: Option<&Value>) -> Option<Date> {
    match value {
        Some(Value::Date(d)) => Some(*d),
        _ => None,
    }
}

pub(super) fn text(value: Option<&Value>) -> Option<String> {
    match value {
        Some(Value::Text(s)) => Some(s.clone()),
        _ => None,
    }
}

pub(super) fn sql_id(id: Uuid) -> sea_query::Value {
    to_sql(&Value::Id(id), ColType::Id)
}

pub(super) fn sql_int(n: i64) -> sea_query::Value {
    to_sql(&Value::Int(n), ColType::Int)
}

pub(super) fn sql_float(n: Option<f64>) -> sea_query::Value {
    to_sql(&n.map_or(Value::Null, Value::Number), ColType::Float)
}

pub(super) fn sql_text(s: &str) -> sea_query::Value {
    to_sql(&Value::Text(s.to_owned()), ColType::Text)
}

pub(super) fn sql_date(d: Date) -> sea_query::Value {
    to_sql(&Value::Date(d), ColType::Date)
}

pub(super) fn sql_time(t: Option<OffsetDateTime>) -> sea_query::Value {
    to_sql(&t.map_or(Value::Null, Value::Time), ColType::Time)
}

/// One order: an invoice that counts as a sale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderFact {
    /// Who bought.
    pub customer: CustomerRef,
    /// The invoice's issue date.
    pub date: Date,
    /// The invoice's total in Rials.
    pub total: i64,
}

/// One invoice line as the basket, margin and loyalty analyses see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineFact {
    /// Who bought.
    pub customer: CustomerRef,
    /// The invoice's issue date.
    pub date: Date,
    /// The invoice (the basket).
    pub invoice_id: Uuid,
    /// The invoice's branch (its basket counts towards this branch and those above it).
    pub branch_id: Uuid,
    /// The product, when the line has one.
    pub product_id: Option<Uuid>,
    /// How many.
    pub quantity: i64,
    /// The line's net amount (after discount, before tax) in Rials.
    pub net: i64,
    /// The product's cost of one unit, when known.
    pub cost_price: Option<i64>,
}

/// How much work one customer made: cases, activities and answered surveys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ServiceCounts {
    /// Cases (requests and complaints) about them.
    pub cases: i64,
    /// Activities (tasks, calls, meetings, notes) about them.
    pub activities: i64,
    /// Satisfaction surveys they answered.
    pub answered_surveys: i64,
}

fn order_invoices(select: &mut SelectStatement) {
    select
        .and_where(
            Expr::col(("invoices", "status")).is_in(ORDER_STATUSES.iter().map(|s| sql_text(s))),
        )
        .and_where(Expr::col(("invoices", "issue_date")).is_not_null());
}

/// Orders the invoices of a query by customer, then by day. A customer is the account, else
/// the contact (`customer_of`), so sorting by the account and then the contact keeps each
/// customer's rows together whichever end the database puts empty values at.
fn by_customer_and_day(select: &mut SelectStatement) {
    select
        .order_by(("invoices", "account_id"), Order::Asc)
        .order_by(("invoices", "contact_id"), Order::Asc)
        .order_by(("invoices", "issue_date"), Order::Asc);
}

/// An answered satisfaction survey.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerFact {
    /// The customer who answered.
    pub customer: Option<CustomerRef>,
    /// The branch of the case it was about.
    pub branch_id: Option<Uuid>,
    /// When it was answered.
    pub answered_at: OffsetDateTime,
    /// CSAT 1–5.
    pub csat: Option<i64>,
    /// NPS 0–10.
    pub nps: Option<i64>,
}

impl Tx {
    /// Every order (see [`ORDER_STATUSES`]), handed to `visit` as it is read.
    pub async fn insight_orders(&mut self, visit: impl FnMut(OrderFact) + Send) -> StoreResult<()> {
        self.orders_in(false, visit).await
    }

    /// Every order as [`Tx::insight_orders`], but each customer's orders together and by day,
    /// so a reader can finish one customer before the next comes and keep only a summary.
    pub async fn insight_orders_by_customer(
        &mut self,
        visit: impl FnMut(OrderFact) + Send,
    ) -> StoreResult<()> {
        self.orders_in(true, visit).await
    }

    async fn orders_in(
        &mut self,
        by_customer: bool,
        mut visit: impl FnMut(OrderFact) + Send,
    ) -> StoreResult<()> {
        let mut select = Query::select();
        select.from("invoices").columns([
            ("invoices", "account_id"),
            ("invoices", "contact_id"),
            ("invoices", "issue_date"),
            ("invoices", "total"),
        ]);
        order_invoices(&mut select);
        if by_customer {
            by_customer_and_day(&mut select);
        }
        let types = [ColType::Id, ColType::Id, ColType::Date, ColType::Int];
        self.fetch_each(&select, &types, |row| {
            if let (Some(customer), Some(date), Some(total)) = (
                customer_of(row.first(), row.get(1)),
                date(row.get(2)),
                int(row.get(3)),
            ) {
                visit(OrderFact {
                    customer,
                    date,
                    total,
                });
            }
        })
        .await
    }

    /// Every line of every order with its product's cost, handed to `visit` as it is read:
    /// each customer's lines together and by day, the lines of one invoice together.
    pub async fn insight_lines(
        &mut self,
        mut visit: impl FnMut(LineFact) + Send,
    ) -> StoreResult<()> {
        let mut select = Query::select();
        select
            .from("sales_lines")
            .columns([
                ("invoices", "account_id"),
                ("invoices", "contact_id"),
                ("invoices", "issue_date"),
                ("sales_lines", "document_id"),
                ("sales_lines", "product_id"),
                ("sales_lines", "quantity"),
                ("sales_lines", "net"),
                ("products", "cost_price"),
                ("invoices", "branch_id"),
            ])
            .inner_join(
                "invoices",
                Expr::col(("invoices", "id")).equals(("sales_lines", "document_id")),
            )
            .left_join(
                "products",
                Expr::col(("products", "id")).equals(("sales_lines", "product_id")),
            )
            .and_where(Expr::col(("sales_lines", "document_kind")).eq(sql_text("invoice")));
        order_invoices(&mut select);
        by_customer_and_day(&mut select);
        select.order_by(("sales_lines", "document_id"), Order::Asc);
        let types = [
            ColType::Id,
            ColType::Id,
            ColType::Date,
            ColType::Id,
            ColType::Id,
            ColType::Int,
            ColType::Int,
            ColType::Int,
            ColType::Id,
        ];
        self.fetch_each(&select, &types, |row| {
            let (Some(customer), Some(date), Some(invoice_id), Some(branch_id)) = (
                customer_of(row.first(), row.get(1)),
                date(row.get(2)),
                row.get(3).and_then(Value::as_id),
                row.get(8).and_then(Value::as_id),
            ) else {
                return;
            };
            visit(LineFact {
                customer,
                date,
                invoice_id,
                branch_id,
                product_id: row.get(4).and_then(Value::as_id),
                quantity: int(row.get(5)).unwrap_or(0),
                net: int(row.get(6)).unwrap_or(0),
                cost_price: int(row.get(7)),
            });
        })
        .await
    }

    /// Cases, activities and answered surveys per customer, counted by the database.
    pub async fn insight_service_counts(
        &mut self,
    ) -> StoreResult<Vec<(CustomerRef, ServiceCounts)>> {
        let mut out = Vec::new();
        for (table, which) in [("cases", 0), ("activities", 1), ("surveys", 2)] {
            let mut select = Query::select();
            select
                .from(table)
                .columns(["account_id", "contact_id"])
                .expr(Expr::col(sea_query::Asterisk).count())
                .cond_where(
                    Cond::any()
                        .add(Expr::col("account_id").is_not_null())
                        .add(Expr::col("contact_id").is_not_null()),
                )
                .group_by_columns(["account_id", "contact_id"]);
            if table == "surveys" {
                select.and_where(Expr::col("answered_at").is_not_null());
            }
            let rows = self
                .fetch(&select, &[ColType::Id, ColType::Id, ColType::Int])
                .await?;
            for row in rows {
                let Some(customer) = customer_of(row.first(), row.get(1)) else {
                    continue;
                };
                let n = int(row.get(2)).unwrap_or(0);
                let mut counts = ServiceCounts::default();
                match which {
                    0 => counts.cases = n,
                    1 => counts.activities = n,
                    _ => counts.answered_surveys = n,
                }
                out.push((customer, counts));
            }
        }
        Ok(out)
    }

    /// The referrals of the relationship graph as (referrer, referred) record ids: a
    /// relationship of type `referral` from one customer to another.
    pub async fn insight_referrals(&mut self) -> StoreResult<Vec<(Uuid, Uuid)>> {
        let mut select = Query::select();
        select
            .from("relationships")
            .columns(["from_id", "to_id"])
            .and_where(Expr::col("relation_type").eq(sql_text("referral")));
        let rows = self.fetch(&select, &[ColType::Id, ColType::Id]).await?;
        Ok(rows
            .into_iter()
            .filter_map(|row| Some((row.first()?.as_id()?, row.get(1)?.as_id()?)))
            .collect())
    }

    /// The satisfaction answers given from `from` to `until` about cases `access` lets through
    /// (and, when `branches` is given, whose branch is one of them), with the case's branch and
    /// customer.
    pub async fn insight_answers(
        &mut self,
        access: &RowFilter,
        branches: Option<&[Uuid]>,
        from: OffsetDateTime,
        until: OffsetDateTime,
    ) -> StoreResult<Vec<AnswerFact>> {
        let mut select = Query::select();
        select
            .from("surveys")
            .columns([
                ("surveys", "account_id"),
                ("surveys", "contact_id"),
                ("surveys", "answered_at"),
                ("surveys", "csat"),
                ("surveys", "nps"),
            ])
            .column((CASES.table, "branch_id"))
            .inner_join(
                CASES.table,
                Expr::col((CASES.table, "id")).equals(("surveys", "case_id")),
            )
            .cond_where(access_condition(&CASES, access))
            .and_where(
                Expr::col(("surveys", "answered_at"))
                    .gte(to_sql(&Value::Time(from), ColType::Time)),
            )
            .and_where(
                Expr::col(("surveys", "answered_at"))
                    .lt(to_sql(&Value::Time(until), ColType::Time)),
            )
            .order_by(("surveys", "answered_at"), Order::Asc);
        if let Some(branches) = branches {
            select.and_where(
                Expr::col((CASES.table, "branch_id")).is_in(branches.iter().map(|b| sql_id(*b))),
            );
        }
        let types = [
            ColType::Id,
            ColType::Id,
            ColType::Time,
            ColType::Int,
            ColType::Int,
            ColType::Id,
        ];
        let rows = self.fetch(&select, &types).await?;
        Ok(rows
            .into_iter()
            .filter_map(|row| {
                let answered_at = match row.get(2) {
                    Some(Value::Time(at)) => *at,
                    _ => return None,
                };
                Some(AnswerFact {
                    customer: customer_of(row.first(), row.get(1)),
                    branch_id: row.get(5).and_then(Value::as_id),
                    answered_at,
                    csat: int(row.get(3)),
                    nps: int(row.get(4)),
                })
            })
            .collect())
    }
}

/// A product of the catalogue as next-best offers see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogueItem {
    /// Its id.
    pub id: Uuid,
    /// `product`, `service` or `bundle`.
    pub product_kind: String,
    /// Its list price in Rials.
    pub base_price: i64,
    /// Whether it is still sold.
    pub active: bool,
}

impl Tx {
    /// The whole catalogue (a few hundred items at most), for up-sell offers.
    pub async fn insight_catalogue(&mut self) -> StoreResult<Vec<CatalogueItem>> {
        let mut select = Query::select();
        select
            .from("products")
            .columns(["id", "product_kind", "base_price", "active"]);
        let types = [ColType::Id, ColType::Text, ColType::Int, ColType::Bool];
        let rows = self.fetch(&select, &types).await?;
        Ok(rows
            .into_iter()
            .filter_map(|row| {
                Some(CatalogueItem {
                    id: row.first()?.as_id()?,
                    product_kind: text(row.get(1)).unwrap_or_default(),
                    base_price: int(row.get(2)).unwrap_or(0),
                    active: !matches!(row.get(3), Some(Value::Bool(false))),
                })
            })
            .collect())
    }
}

impl Tx {
    /// The products one customer bought on orders, handed to `visit` (repeats included).
    pub async fn insight_customer_products(
        &mut self,
        kind: CustomerKind,
        id: Uuid,
        mut visit: impl FnMut(Uuid) + Send,
    ) -> StoreResult<()> {
        let column = match kind {
            CustomerKind::Account => "account_id",
            CustomerKind::Contact => "contact_id",
        };
        let mut select = Query::select();
        select
            .from("sales_lines")
            .column(("sales_lines", "product_id"))
            .inner_join(
                "invoices",
                Expr::col(("invoices", "id")).equals(("sales_lines", "document_id")),
            )
            .and_where(Expr::col(("invoices", column)).eq(sql_id(id)))
            .and_where(Expr::col(("sales_lines", "product_id")).is_not_null());
        order_invoices(&mut select);
        self.fetch_each(&select, &[ColType::Id], |row| {
            if let Some(product) = row.first().and_then(Value::as_id) {
                visit(product);
            }
        })
        .await
    }
}

/// A recomputation as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct InsightRunRow {
    /// Its id.
    pub id: Uuid,
    /// `queued`, `running`, `done` or `failed`.
    pub state: String,
    /// The step under way (`reading`, `scoring`, `writing`, …).
    pub stage: String,
    /// Percent done, 0–100.
    pub progress: i64,
    /// `manual` or `nightly`.
    pub trigger_kind: String,
    /// Who asked for it (none for the nightly run).
    pub requested_by: Option<Uuid>,
    /// The day the analyses are computed as of.
    pub as_of: Date,
    /// When it was queued.
    pub created_at: OffsetDateTime,
    /// When it ended.
    pub finished_at: Option<OffsetDateTime>,
    /// Why it failed.
    pub error: Option<String>,
    /// Figures of the run as JSON (counts, model parameters, validation).
    pub summary: Option<String>,
}

const RUN_COLUMNS: [&str; 11] = [
    "id",
    "state",
    "stage",
    "progress",
    "trigger_kind",
    "requested_by",
    "as_of",
    "created_at",
    "finished_at",
    "error",
    "summary",
];
const RUN_TYPES: [ColType; 11] = [
    ColType::Id,
    ColType::Text,
    ColType::Text,
    ColType::Int,
    ColType::Text,
    ColType::Id,
    ColType::Date,
    ColType::Time,
    ColType::Time,
    ColType::Text,
    ColType::Text,
];

fn run_row(row: Vec<Value>) -> Option<InsightRunRow> {
    let time = |v: Option<&Value>| match v {
        Some(Value::Time(t)) => Some(*t),
        _ => None,
    };
    Some(InsightRunRow {
        id: row.first()?.as_id()?,
        state: text(row.get(1))?,
        stage: text(row.get(2)).unwrap_or_default(),
        progress: int(row.get(3)).unwrap_or(0),
        trigger_kind: text(row.get(4)).unwrap_or_default(),
        requested_by: row.get(5).and_then(Value::as_id),
        as_of: date(row.get(6))?,
        created_at: time(row.get(7))?,
        finished_at: time(row.get(8)),
        error: text(row.get(9)),
        summary: text(row.get(10)),
    })
}

impl Tx {
    /// Queues a run.
    pub async fn insert_insight_run(
        &mut self,
        id: Uuid,
        trigger_kind: &str,
        requested_by: Option<Uuid>,
        as_of: Date,
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        let mut insert = Query::insert();
        insert
            .into_table("insight_runs")
            .columns([
                "id",
                "state",
                "stage",
                "progress",
                "trigger_kind",
                "requested_by",
                "as_of",
                "created_at",
            ])
            .values_panic([
                Expr::val(sql_id(id)),
                Expr::val(sql_text("queued")),
                Expr::val(sql_text("queued")),
                Expr::val(sql_int(0)),
                Expr::val(sql_text(trigger_kind)),
                Expr::val(to_sql(
                    &requested_by.map_or(Value::Null, Value::Id),
                    ColType::Id,
                )),
                Expr::val(sql_date(as_of)),
                Expr::val(sql_time(Some(now))),
            ]);
        self.execute(&insert).await?;
        Ok(())
    }

    /// Moves a queued run to running; false when it was not queued (another worker has it).
    pub async fn start_insight_run(&mut self, id: Uuid, now: OffsetDateTime) -> StoreResult<bool> {
        let mut update = Query::update();
        update
            .table("insight_runs")
            .value("state", sql_text("running"))
            .value("started_at", sql_time(Some(now)))
            .and_where(Expr::col("id").eq(sql_id(id)))
            .and_where(Expr::col("state").eq(sql_text("queued")));
        Ok(self.execute(&update).await? == 1)
    }

    /// Records a running run's step and percent done.
    pub async fn set_insight_progress(
        &mut self,
        id: Uuid,
        stage: &str,
        progress: i64,
    ) -> StoreResult<()> {
        let mut update = Query::update();
        update
            .table("insight_runs")
            .value("stage", sql_text(stage))
            .value("progress", sql_int(progress))
            .and_where(Expr::col("id").eq(sql_id(id)));
        self.execute(&update).await?;
        Ok(())
    }

    /// Ends a run: done with its summary, or failed with the reason.
    pub async fn finish_insight_run(
        &mut self,
        id: Uuid,
        outcome: Result<&str, &str>,
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        let (state, summary, error) = match outcome {
            Ok(summary) => ("done", Some(summary), None),
            Err(error) => ("failed", None, Some(error)),
        };
        let opt = |s: Option<&str>| {
            to_sql(
                &s.map_or(Value::Null, |s| Value::Text(s.into())),
                ColType::Text,
            )
        };
        let mut update = Query::update();
        update
            .table("insight_runs")
            .value("state", sql_text(state))
            .value("stage", sql_text(state))
            .value("progress", sql_int(100))
            .value("finished_at", sql_time(Some(now)))
            .value("summary", opt(summary))
            .value("error", opt(error))
            .and_where(Expr::col("id").eq(sql_id(id)));
        self.execute(&update).await?;
        Ok(())
    }

    /// A run by id.
    pub async fn insight_run(&mut self, id: Uuid) -> StoreResult<Option<InsightRunRow>> {
        let mut select = Query::select();
        select
            .from("insight_runs")
            .columns(RUN_COLUMNS)
            .and_where(Expr::col("id").eq(sql_id(id)));
        let rows = self.fetch(&select, &RUN_TYPES).await?;
        Ok(rows.into_iter().next().and_then(run_row))
    }

    /// The newest run, or the newest in `state`.
    pub async fn latest_insight_run(
        &mut self,
        state: Option<&str>,
    ) -> StoreResult<Option<InsightRunRow>> {
        let mut select = Query::select();
        select
            .from("insight_runs")
            .columns(RUN_COLUMNS)
            .order_by("created_at", Order::Desc)
            .limit(1);
        if let Some(state) = state {
            select.and_where(Expr::col("state").eq(sql_text(state)));
        }
        let rows = self.fetch(&select, &RUN_TYPES).await?;
        Ok(rows.into_iter().next().and_then(run_row))
    }

    /// Deletes the results of every finished or failed run older than `keep` (with their
    /// scores, rules and rule sets).
    pub async fn prune_insight_runs(&mut self, keep: Uuid) -> StoreResult<()> {
        let mut old = Query::select();
        old.from("insight_runs")
            .column("id")
            .and_where(Expr::col("id").ne(sql_id(keep)))
            .and_where(Expr::col("state").is_in([sql_text("done"), sql_text("failed")]));
        for table in ["insight_scores", "insight_rules", "insight_rule_sets"] {
            let mut delete = Query::delete();
            delete
                .from_table(table)
                .and_where(Expr::col("run_id").in_subquery(old.clone()));
            self.execute(&delete).await?;
        }
        let mut delete = Query::delete();
        delete
            .from_table("insight_runs")
            .and_where(Expr::col("id").ne(sql_id(keep)))
            .and_where(Expr::col("state").is_in([sql_text("done"), sql_text("failed")]));
        self.execute(&delete).await?;
        Ok(())
    }
}

mod demo;
mod results;
mod taggings;
pub use results::{GroupTotals, RuleRow, ScoreFilter, ScoreRow};
pub use taggings::TaggingRow;
