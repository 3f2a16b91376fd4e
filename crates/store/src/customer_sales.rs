//! The reads behind a customer's transactions in the 360° view (issue 4 §9): records whose
//! reference is any of a list of ids (the payments of the customer's invoices), the audit trail
//! of many records at once (the timeline of their documents and deals), and the facts payment
//! punctuality is computed from. Each is one statement per kind, never one per record.

use peyvand_domain::permission::RowFilter;
use peyvand_domain::record::sales::{INVOICES, PAYMENTS};
use peyvand_domain::record::{Schema, Value};
use peyvand_domain::sales::punctuality::{InvoiceDue, PaymentMade};
use sea_query::{Cond, Expr, ExprTrait, Order, Query};
use uuid::Uuid;

use crate::StoreResult;
use crate::history::AuditRow;
use crate::records::{
    RecordRow, access_condition, fields_by_name, row_from_values, select_all_columns,
};
use crate::tx::Tx;
use crate::values::{ColType, to_sql};

/// How many ids one `IN (…)` list carries: well under both databases' parameter limits.
const IDS_PER_STATEMENT: usize = 500;

fn id(v: Uuid) -> sea_query::Value {
    to_sql(&Value::Id(v), ColType::Id)
}

fn text(v: &str) -> sea_query::Value {
    to_sql(&Value::Text(v.to_owned()), ColType::Text)
}

fn int(value: Option<&Value>) -> i64 {
    match value {
        Some(Value::Int(n)) => *n,
        _ => 0,
    }
}

fn date(value: Option<&Value>) -> Option<time::Date> {
    match value {
        Some(Value::Date(d)) => Some(*d),
        _ => None,
    }
}

impl Tx {
    /// Records of `schema` the actor may read whose reference `column` is one of `values`,
    /// newest `order_by` first, at most `limit` of them.
    pub async fn records_referring_to_any(
        &mut self,
        schema: &Schema,
        access: &RowFilter,
        column: &'static str,
        values: &[Uuid],
        order_by: &'static str,
        limit: u64,
    ) -> StoreResult<Vec<RecordRow>> {
        let names = fields_by_name(schema);
        let mut out = Vec::new();
        for chunk in values.chunks(IDS_PER_STATEMENT) {
            let (mut select, types) = select_all_columns(schema);
            select
                .cond_where(access_condition(schema, access))
                .and_where(Expr::col(column).is_in(chunk.iter().map(|v| id(*v))))
                .order_by(order_by, Order::Desc)
                .order_by("id", Order::Desc)
                .limit(limit);
            let rows = self.fetch(&select, &types).await?;
            out.extend(rows.into_iter().map(|row| row_from_values(&names, row)));
        }
        Ok(out)
    }

    /// The audit trail of many records of one kind, newest first, at most `limit` entries in all.
    pub async fn audit_of_records(
        &mut self,
        record_kind: &str,
        record_ids: &[Uuid],
        limit: u64,
    ) -> StoreResult<Vec<AuditRow>> {
        let mut out = Vec::new();
        for chunk in record_ids.chunks(IDS_PER_STATEMENT) {
            let mut select = Query::select();
            select
                .from("audit_log")
                .columns(crate::history::AUDIT_COLUMNS)
                .and_where(Expr::col("record_kind").eq(text(record_kind)))
                .and_where(Expr::col("record_id").is_in(chunk.iter().map(|v| id(*v))))
                .order_by("at", Order::Desc)
                .order_by("id", Order::Desc)
                .limit(limit);
            let rows = self.fetch(&select, &crate::history::AUDIT_TYPES).await?;
            out.extend(rows.into_iter().filter_map(crate::history::audit_from));
        }
        out.sort_by_key(|row| std::cmp::Reverse((row.at, row.id)));
        out.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        Ok(out)
    }

    /// The invoices of one customer (`customer_column` is `account_id` or `contact_id`) that the
    /// actor may read, as punctuality needs them.
    pub async fn invoice_dues(
        &mut self,
        access: &RowFilter,
        customer_column: &'static str,
        customer_id: Uuid,
    ) -> StoreResult<Vec<InvoiceDue>> {
        let mut select = Query::select();
        select
            .from(INVOICES.table)
            .columns(["id", "total", "status", "issue_date", "due_date"])
            .cond_where(
                Cond::all()
                    .add(access_condition(&INVOICES, access))
                    .add(Expr::col(customer_column).eq(id(customer_id))),
            );
        let types = [
            ColType::Id,
            ColType::Int,
            ColType::Text,
            ColType::Date,
            ColType::Date,
        ];
        let rows = self.fetch(&select, &types).await?;
        Ok(rows
            .into_iter()
            .filter_map(|row| {
                Some(InvoiceDue {
                    id: row.first()?.as_id()?,
                    total: int(row.get(1)),
                    status: row.get(2)?.as_text()?.to_owned(),
                    issue_date: date(row.get(3)),
                    due_date: date(row.get(4)),
                })
            })
            .collect())
    }

    /// The payments against these invoices that the actor may read.
    pub async fn payments_made(
        &mut self,
        access: &RowFilter,
        invoice_ids: &[Uuid],
    ) -> StoreResult<Vec<PaymentMade>> {
        let mut out = Vec::new();
        for chunk in invoice_ids.chunks(IDS_PER_STATEMENT) {
            let mut select = Query::select();
            select
                .from(PAYMENTS.table)
                .columns(["invoice_id", "amount", "paid_on"])
                .cond_where(access_condition(&PAYMENTS, access))
                .and_where(Expr::col("invoice_id").is_in(chunk.iter().map(|v| id(*v))));
            let rows = self
                .fetch(&select, &[ColType::Id, ColType::Int, ColType::Date])
                .await?;
            out.extend(rows.into_iter().filter_map(|row| {
                Some(PaymentMade {
                    invoice_id: row.first()?.as_id()?,
                    amount: int(row.get(1)),
                    paid_on: date(row.get(2))?,
                })
            }));
        }
        Ok(out)
    }
}
