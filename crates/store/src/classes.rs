//! Customer classification's storage (issue 4 §8): the measures of a period aggregated in the
//! database, a scan of every customer's current class, class changes written in batches, and
//! the log of recompute runs (`classification_runs`).
//!
//! Measures are grouped with one `GROUP BY` per criterion over the period's invoices (index
//! `invoices_issue_date`), so a million customers cost one pass over the invoices and one over
//! each customer table, never a query per customer.

use peyvand_domain::record::Value;
use sea_query::{Cond, Expr, ExprTrait, Order, Query};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::StoreResult;
use crate::tx::Tx;
use crate::values::{ColType, to_sql};

const RUNS: &str = "classification_runs";
/// Invoices that count as purchases: issued and not cancelled.
const PURCHASED: [&str; 3] = ["issued", "partly_paid", "paid"];
/// Ids per `UPDATE … WHERE id IN (…)`: well under both databases' parameter limits.
const IDS_PER_STATEMENT: usize = 500;

/// The two customer tables a class is written to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CustomerTable {
    /// `accounts`.
    Accounts,
    /// `contacts`.
    Contacts,
}

impl CustomerTable {
    /// The table's name.
    pub fn table(self) -> &'static str {
        match self {
            CustomerTable::Accounts => "accounts",
            CustomerTable::Contacts => "contacts",
        }
    }
}

/// A customer's measure over the period: the account when the invoice has one, else the
/// contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CustomerMeasure {
    /// Which table the customer is in.
    pub table: CustomerTable,
    /// The customer.
    pub id: Uuid,
    /// Invoices counted.
    pub count: i64,
    /// Their amount (net of line discounts, before tax) or margin, in Rials.
    pub amount: i64,
}

/// One customer as the recompute reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerClassRow {
    /// The customer.
    pub id: Uuid,
    /// Its class now.
    pub class: Option<String>,
    /// Its industry (a contact's is its account's), read only when asked for.
    pub industry: Option<String>,
}

/// One recompute run as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassificationRunRow {
    /// The run's id (also the id of its job).
    pub id: Uuid,
    /// `manual` or `nightly`.
    pub origin: String,
    /// The night of a nightly run.
    pub night: Option<Date>,
    /// `queued`, `running`, `done` or `failed`.
    pub state: String,
    /// Who asked for it (manual runs).
    pub requested_by: Option<Uuid>,
    /// Customers to classify.
    pub total: i64,
    /// Customers classified so far.
    pub done: i64,
    /// Customers whose class changed.
    pub changed: i64,
    /// JSON array of `[class, customers]` pairs, once done.
    pub counts: Option<String>,
    /// Why it failed (an error code).
    pub error: Option<String>,
    /// When it was asked for.
    pub created_at: OffsetDateTime,
    /// When it started.
    pub started_at: Option<OffsetDateTime>,
    /// When it ended.
    pub finished_at: Option<OffsetDateTime>,
}

const RUN_COLUMNS: [&str; 13] = [
    "id",
    "origin",
    "night",
    "state",
    "requested_by",
    "total",
    "done",
    "changed",
    "counts",
    "error",
    "created_at",
    "started_at",
    "finished_at",
];
const RUN_TYPES: [ColType; 13] = [
    ColType::Id,
    ColType::Text,
    ColType::Date,
    ColType::Text,
    ColType::Id,
    ColType::Int,
    ColType::Int,
    ColType::Int,
    ColType::Text,
    ColType::Text,
    ColType::Time,
    ColType::Time,
    ColType::Time,
];

fn v_id(id: Uuid) -> sea_query::Value {
    to_sql(&Value::Id(id), ColType::Id)
}

fn v_text(text: &str) -> sea_query::Value {
    to_sql(&Value::Text(text.to_owned()), ColType::Text)
}

fn v_int(n: i64) -> sea_query::Value {
    to_sql(&Value::Int(n), ColType::Int)
}

fn v_time(at: OffsetDateTime) -> sea_query::Value {
    to_sql(&Value::Time(at), ColType::Time)
}

fn v_date(day: Date) -> sea_query::Value {
    to_sql(&Value::Date(day), ColType::Date)
}

fn opt_text(value: Value) -> Option<String> {
    match value {
        Value::Text(text) => Some(text),
        _ => None,
    }
}

fn int(value: Value) -> i64 {
    match value {
        Value::Int(n) => n,
        _ => 0,
    }
}

fn time(value: Value) -> Option<OffsetDateTime> {
    match value {
        Value::Time(at) => Some(at),
        _ => None,
    }
}

fn run_from(values: Vec<Value>) -> Option<ClassificationRunRow> {
    let mut v = values.into_iter();
    let mut next = || v.next().unwrap_or(Value::Null);
    Some(ClassificationRunRow {
        id: next().as_id()?,
        origin: opt_text(next())?,
        night: match next() {
            Value::Date(day) => Some(day),
            _ => None,
        },
        state: opt_text(next())?,
        requested_by: next().as_id(),
        total: int(next()),
        done: int(next()),
        changed: int(next()),
        counts: opt_text(next()),
        error: opt_text(next()),
        created_at: time(next())?,
        started_at: time(next()),
        finished_at: time(next()),
    })
}

/// The customer an invoice row counts for: its account, else its contact.
fn customer_of(account: Value, contact: Value) -> Option<(CustomerTable, Uuid)> {
    match (account.as_id(), contact.as_id()) {
        (Some(account), _) => Some((CustomerTable::Accounts, account)),
        (None, Some(contact)) => Some((CustomerTable::Contacts, contact)),
        (None, None) => None,
    }
}

impl Tx {
    /// The rows of a measure query — account, contact (when no account), count, amount — as
    /// one measure per customer.
    async fn customer_measures(
        &mut self,
        select: &sea_query::SelectStatement,
    ) -> StoreResult<Vec<CustomerMeasure>> {
        let types = [ColType::Id, ColType::Id, ColType::Int, ColType::Int];
        let mut out = Vec::new();
        self.fetch_each(select, &types, |row| {
            let mut row = row.drain(..);
            let (account, contact) = (
                row.next().unwrap_or(Value::Null),
                row.next().unwrap_or(Value::Null),
            );
            if let Some((table, id)) = customer_of(account, contact) {
                out.push(CustomerMeasure {
                    table,
                    id,
                    count: int(row.next().unwrap_or(Value::Null)),
                    amount: int(row.next().unwrap_or(Value::Null)),
                });
            }
        })
        .await?;
        Ok(out)
    }
    /// Purchase count and net amount per customer over the invoices issued from `from` to
    /// `to` (both included) that were not cancelled.
    pub async fn purchase_totals(
        &mut self,
        from: Date,
        to: Date,
    ) -> StoreResult<Vec<CustomerMeasure>> {
        let mut select = Query::select();
        select
            .from("invoices")
            .column("account_id")
            .expr(Expr::cust(
                "CASE WHEN account_id IS NULL THEN contact_id END",
            ))
            .expr(Expr::cust("COUNT(*)"))
            .expr(Expr::cust(
                "CAST(COALESCE(SUM(subtotal - discount_total), 0) AS BIGINT)",
            ))
            .and_where(Expr::col("status").is_in(PURCHASED.map(v_text)))
            .and_where(Expr::col("issue_date").gte(v_date(from)))
            .and_where(Expr::col("issue_date").lte(v_date(to)))
            .add_group_by([
                Expr::col("account_id"),
                Expr::cust("CASE WHEN account_id IS NULL THEN contact_id END"),
            ]);
        self.customer_measures(&select).await
    }

    /// Margin per customer over the same invoices: each line's net amount minus its quantity
    /// times the product's cost price (0 when unknown).
    pub async fn purchase_margins(
        &mut self,
        from: Date,
        to: Date,
    ) -> StoreResult<Vec<CustomerMeasure>> {
        let mut select = Query::select();
        select
            .from("sales_lines")
            .inner_join(
                "invoices",
                Expr::col(("invoices", "id")).equals(("sales_lines", "document_id")),
            )
            .left_join(
                "products",
                Expr::col(("products", "id")).equals(("sales_lines", "product_id")),
            )
            .column(("invoices", "account_id"))
            .expr(Expr::cust(
                "CASE WHEN invoices.account_id IS NULL THEN invoices.contact_id END",
            ))
            .expr(Expr::cust("COUNT(DISTINCT invoices.id)"))
            .expr(Expr::cust(
                "CAST(COALESCE(SUM(sales_lines.net - sales_lines.quantity * COALESCE(products.cost_price, 0)), 0) AS BIGINT)",
            ))
            .and_where(Expr::col(("invoices", "status")).is_in(PURCHASED.map(v_text)))
            .and_where(Expr::col(("invoices", "issue_date")).gte(v_date(from)))
            .and_where(Expr::col(("invoices", "issue_date")).lte(v_date(to)))
            .add_group_by([
                Expr::col(("invoices", "account_id")),
                Expr::cust("CASE WHEN invoices.account_id IS NULL THEN invoices.contact_id END"),
            ]);
        self.customer_measures(&select).await
    }

    /// Contract value per customer over the contracts that start from `from` to `to` (both
    /// included) and went beyond a draft (approved, active, expired or renewed): the count of
    /// such contracts and the sum of their values, for the account, else the contact.
    pub async fn contract_values(
        &mut self,
        from: Date,
        to: Date,
    ) -> StoreResult<Vec<CustomerMeasure>> {
        const AGREED: [&str; 4] = ["approved", "active", "expired", "renewed"];
        let mut select = Query::select();
        select
            .from("contracts")
            .column("account_id")
            .expr(Expr::cust(
                "CASE WHEN account_id IS NULL THEN contact_id END",
            ))
            .expr(Expr::cust("COUNT(*)"))
            .expr(Expr::cust("CAST(COALESCE(SUM(value), 0) AS BIGINT)"))
            .and_where(Expr::col("status").is_in(AGREED.map(v_text)))
            .and_where(Expr::col("start_date").gte(v_date(from)))
            .and_where(Expr::col("start_date").lte(v_date(to)))
            .add_group_by([
                Expr::col("account_id"),
                Expr::cust("CASE WHEN account_id IS NULL THEN contact_id END"),
            ]);
        self.customer_measures(&select).await
    }

    /// Hands every customer of `table` to `visit`: id, class and, when `with_industry`, the
    /// industry (a contact's is its account's).
    pub async fn scan_customer_classes(
        &mut self,
        table: CustomerTable,
        with_industry: bool,
        mut visit: impl FnMut(CustomerClassRow) + Send,
    ) -> StoreResult<()> {
        let mut select = Query::select();
        let name = table.table();
        select
            .from(name)
            .column((name, "id"))
            .column((name, "customer_class"));
        match (table, with_industry) {
            (_, false) => {
                select.expr(Expr::cust("NULL"));
            }
            (CustomerTable::Accounts, true) => {
                select.column(("accounts", "industry"));
            }
            (CustomerTable::Contacts, true) => {
                select
                    .left_join(
                        "accounts",
                        Expr::col(("accounts", "id")).equals(("contacts", "account_id")),
                    )
                    .column(("accounts", "industry"));
            }
        }
        let types = [ColType::Id, ColType::Text, ColType::Text];
        self.fetch_each(&select, &types, |row| {
            let mut row = row.drain(..);
            if let Some(id) = row.next().and_then(|v| v.as_id()) {
                visit(CustomerClassRow {
                    id,
                    class: row.next().and_then(opt_text),
                    industry: row.next().and_then(opt_text),
                });
            }
        })
        .await
    }

    /// Gives the customers `ids` of `table` the class `class`, each a new version (so no
    /// cached copy of the record stays stale); returns how many rows changed. A customer that
    /// already has `class` is not written and keeps its version: the caller chose `ids` from
    /// a snapshot, which another run (another process sharing the database) may have
    /// overtaken, and a version given for no change would only make an edit open on that
    /// customer fail with a conflict.
    pub async fn set_customer_classes(
        &mut self,
        table: CustomerTable,
        class: &str,
        ids: &[Uuid],
    ) -> StoreResult<u64> {
        let mut changed = 0;
        for chunk in ids.chunks(IDS_PER_STATEMENT) {
            let mut update = Query::update();
            update
                .table(table.table())
                .value("customer_class", v_text(class))
                .value("version", Expr::col("version").add(1))
                .cond_where(
                    Cond::all()
                        .add(Expr::col("id").is_in(chunk.iter().map(|id| v_id(*id))))
                        .add(
                            Cond::any()
                                .add(Expr::col("customer_class").is_null())
                                .add(Expr::col("customer_class").ne(v_text(class))),
                        ),
                );
            changed += self.execute(&update).await?;
        }
        Ok(changed)
    }

    /// Records a new run, queued. A second nightly run for the same night is refused with
    /// [`StoreError::UniqueViolation`].
    pub async fn insert_classification_run(
        &mut self,
        run: &ClassificationRunRow,
    ) -> StoreResult<()> {
        let mut insert = Query::insert();
        insert.into_table(RUNS).columns(RUN_COLUMNS).values_panic(
            [
                v_id(run.id),
                v_text(&run.origin),
                to_sql(&run.night.map_or(Value::Null, Value::Date), ColType::Date),
                v_text(&run.state),
                to_sql(
                    &run.requested_by.map_or(Value::Null, Value::Id),
                    ColType::Id,
                ),
                v_int(run.total),
                v_int(run.done),
                v_int(run.changed),
                to_sql(
                    &run.counts.clone().map_or(Value::Null, Value::Text),
                    ColType::Text,
                ),
                to_sql(
                    &run.error.clone().map_or(Value::Null, Value::Text),
                    ColType::Text,
                ),
                v_time(run.created_at),
                to_sql(
                    &run.started_at.map_or(Value::Null, Value::Time),
                    ColType::Time,
                ),
                to_sql(
                    &run.finished_at.map_or(Value::Null, Value::Time),
                    ColType::Time,
                ),
            ]
            .map(Expr::val),
        );
        self.execute(&insert).await?;
        Ok(())
    }

    /// Writes a run's state, progress and outcome.
    pub async fn update_classification_run(
        &mut self,
        run: &ClassificationRunRow,
    ) -> StoreResult<()> {
        let mut update = Query::update();
        update
            .table(RUNS)
            .value("state", v_text(&run.state))
            .value("total", v_int(run.total))
            .value("done", v_int(run.done))
            .value("changed", v_int(run.changed))
            .value(
                "counts",
                to_sql(
                    &run.counts.clone().map_or(Value::Null, Value::Text),
                    ColType::Text,
                ),
            )
            .value(
                "error",
                to_sql(
                    &run.error.clone().map_or(Value::Null, Value::Text),
                    ColType::Text,
                ),
            )
            .value(
                "started_at",
                to_sql(
                    &run.started_at.map_or(Value::Null, Value::Time),
                    ColType::Time,
                ),
            )
            .value(
                "finished_at",
                to_sql(
                    &run.finished_at.map_or(Value::Null, Value::Time),
                    ColType::Time,
                ),
            )
            .and_where(Expr::col("id").eq(v_id(run.id)));
        self.execute(&update).await?;
        Ok(())
    }

    /// One run.
    pub async fn classification_run(
        &mut self,
        id: Uuid,
    ) -> StoreResult<Option<ClassificationRunRow>> {
        let mut select = Query::select();
        select
            .from(RUNS)
            .columns(RUN_COLUMNS)
            .and_where(Expr::col("id").eq(v_id(id)));
        let rows = self.fetch(&select, &RUN_TYPES).await?;
        Ok(rows.into_iter().find_map(run_from))
    }

    /// The newest runs, newest first.
    pub async fn classification_runs(
        &mut self,
        limit: u64,
    ) -> StoreResult<Vec<ClassificationRunRow>> {
        let mut select = Query::select();
        select
            .from(RUNS)
            .columns(RUN_COLUMNS)
            .order_by("id", Order::Desc)
            .limit(limit);
        let rows = self.fetch(&select, &RUN_TYPES).await?;
        Ok(rows.into_iter().filter_map(run_from).collect())
    }

    /// Whether the nightly run of `night` was queued already.
    pub async fn nightly_run_exists(&mut self, night: Date) -> StoreResult<bool> {
        let mut select = Query::select();
        select
            .from(RUNS)
            .expr(Expr::cust("COUNT(*)"))
            .and_where(Expr::col("night").eq(v_date(night)));
        Ok(self.fetch_count(&select).await? > 0)
    }

    /// The price lists (id and name) whose `customer_classes` include `class`, by name.
    /// Price lists are few, so they are read whole and matched here.
    pub async fn price_lists_for_class(&mut self, class: &str) -> StoreResult<Vec<(Uuid, String)>> {
        let mut select = Query::select();
        select
            .from("price_lists")
            .columns(["id", "name", "customer_classes"])
            .order_by("sort_key", Order::Asc);
        let rows = self
            .fetch(&select, &[ColType::Id, ColType::Text, ColType::Tags])
            .await?;
        Ok(rows
            .into_iter()
            .filter_map(|row| {
                let mut row = row.into_iter();
                let id = row.next()?.as_id()?;
                let name = opt_text(row.next()?)?;
                match row.next()? {
                    Value::Tags(classes) if classes.iter().any(|c| c == class) => Some((id, name)),
                    _ => None,
                }
            })
            .collect())
    }

    /// Inserts many document lines at once (the benchmark's generated invoices).
    pub async fn insert_sales_lines_bulk(&mut self, rows: &[crate::LineRow]) -> StoreResult<()> {
        // Fifteen parameters a row: a thousand rows a statement stays under SQLite's 32,766.
        for chunk in rows.chunks(1_000) {
            let mut insert = Query::insert();
            insert.into_table("sales_lines").columns([
                "id",
                "document_kind",
                "document_id",
                "position",
                "product_id",
                "description",
                "quantity",
                "unit_price",
                "discount_bp",
                "tax_bp",
                "gross",
                "discount",
                "net",
                "tax",
                "total",
            ]);
            for row in chunk {
                insert.values_panic(
                    [
                        v_id(row.id),
                        v_text(&row.document_kind),
                        v_id(row.document_id),
                        v_int(row.position),
                        to_sql(&row.product_id.map_or(Value::Null, Value::Id), ColType::Id),
                        v_text(&row.description),
                        v_int(row.quantity),
                        v_int(row.unit_price),
                        v_int(row.discount_bp),
                        v_int(row.tax_bp),
                        v_int(row.gross),
                        v_int(row.discount),
                        v_int(row.net),
                        v_int(row.tax),
                        v_int(row.total),
                    ]
                    .map(Expr::val),
                );
            }
            if !chunk.is_empty() {
                self.execute(&insert).await?;
            }
        }
        Ok(())
    }
}
