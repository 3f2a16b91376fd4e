//! The rows the service report is computed from: the cases opened in a period (only the
//! columns the report needs), and the satisfaction answers given in it.

use peyvand_domain::permission::RowFilter;
use peyvand_domain::record::{CASES, Value};
use sea_query::{Expr, ExprTrait, Order, Query};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::StoreResult;
use crate::records::access_condition;
use crate::tx::Tx;
use crate::values::{ColType, to_sql};

/// One case as the report sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFacts {
    /// When it was opened.
    pub created_at: OffsetDateTime,
    /// Its category.
    pub category_id: Option<Uuid>,
    /// How it came in.
    pub channel: String,
    /// Its branch.
    pub branch_id: Option<Uuid>,
    /// Who has it.
    pub owner_id: Option<Uuid>,
    /// The first reply to the customer.
    pub first_response_at: Option<OffsetDateTime>,
    /// When the first reply was due.
    pub first_response_due: Option<OffsetDateTime>,
    /// When it was resolved (or closed, if never marked resolved).
    pub resolved_at: Option<OffsetDateTime>,
    /// When resolution was due.
    pub resolution_due: Option<OffsetDateTime>,
}

const COLUMNS: [&str; 10] = [
    "created_at",
    "category_id",
    "channel",
    "branch_id",
    "owner_id",
    "first_response_at",
    "first_response_due",
    "resolved_at",
    "closed_at",
    "resolution_due",
];
const TYPES: [ColType; 10] = [
    ColType::Time,
    ColType::Id,
    ColType::Text,
    ColType::Id,
    ColType::Id,
    ColType::Time,
    ColType::Time,
    ColType::Time,
    ColType::Time,
    ColType::Time,
];

fn time(value: Option<Value>) -> Option<OffsetDateTime> {
    match value {
        Some(Value::Time(at)) => Some(at),
        _ => None,
    }
}

impl Tx {
    /// The cases the access filter lets through that were opened from `from` (inclusive) to
    /// `until` (exclusive), oldest first.
    pub async fn case_facts(
        &mut self,
        access: &RowFilter,
        from: OffsetDateTime,
        until: OffsetDateTime,
    ) -> StoreResult<Vec<CaseFacts>> {
        let mut select = Query::select();
        select
            .from(CASES.table)
            .columns(COLUMNS)
            .cond_where(access_condition(&CASES, access))
            .and_where(Expr::col("created_at").gte(to_sql(&Value::Time(from), ColType::Time)))
            .and_where(Expr::col("created_at").lt(to_sql(&Value::Time(until), ColType::Time)))
            .order_by("created_at", Order::Asc);
        let rows = self.fetch(&select, &TYPES).await?;
        Ok(rows
            .into_iter()
            .filter_map(|row| {
                let mut row = row.into_iter();
                let mut next = || row.next();
                let created_at = time(next())?;
                let category_id = next().and_then(|v| v.as_id());
                let channel = match next() {
                    Some(Value::Text(s)) => s,
                    _ => String::new(),
                };
                let branch_id = next().and_then(|v| v.as_id());
                let owner_id = next().and_then(|v| v.as_id());
                let first_response_at = time(next());
                let first_response_due = time(next());
                let resolved = time(next());
                let closed = time(next());
                let resolution_due = time(next());
                Some(CaseFacts {
                    created_at,
                    category_id,
                    channel,
                    branch_id,
                    owner_id,
                    first_response_at,
                    first_response_due,
                    resolved_at: resolved.or(closed),
                    resolution_due,
                })
            })
            .collect())
    }

    /// The satisfaction answers (CSAT 1–5, NPS 0–10) given from `from` to `until`, about cases
    /// the access filter lets through.
    pub async fn survey_answers(
        &mut self,
        access: &RowFilter,
        from: OffsetDateTime,
        until: OffsetDateTime,
    ) -> StoreResult<Vec<(i64, i64)>> {
        let mut cases = Query::select();
        cases
            .from(CASES.table)
            .column("id")
            .cond_where(access_condition(&CASES, access));
        let mut select = Query::select();
        select
            .from("surveys")
            .columns(["csat", "nps"])
            .and_where(Expr::col("answered_at").gte(to_sql(&Value::Time(from), ColType::Time)))
            .and_where(Expr::col("answered_at").lt(to_sql(&Value::Time(until), ColType::Time)))
            .and_where(Expr::col("case_id").in_subquery(cases));
        let rows = self.fetch(&select, &[ColType::Int, ColType::Int]).await?;
        Ok(rows
            .into_iter()
            .filter_map(|row| match (row.first(), row.get(1)) {
                (Some(Value::Int(csat)), Some(Value::Int(nps))) => Some((*csat, *nps)),
                _ => None,
            })
            .collect())
    }

    /// How many cases the access filter lets through were opened in each of the given
    /// consecutive periods (bounds in order; n bounds give n − 1 counts).
    pub async fn case_counts(
        &mut self,
        access: &RowFilter,
        bounds: &[OffsetDateTime],
    ) -> StoreResult<Vec<i64>> {
        let mut counts = Vec::with_capacity(bounds.len().saturating_sub(1));
        for pair in bounds.windows(2) {
            let mut select = Query::select();
            select
                .from(CASES.table)
                .expr(Expr::col(sea_query::Asterisk).count())
                .cond_where(access_condition(&CASES, access))
                .and_where(
                    Expr::col("created_at").gte(to_sql(&Value::Time(pair[0]), ColType::Time)),
                )
                .and_where(
                    Expr::col("created_at").lt(to_sql(&Value::Time(pair[1]), ColType::Time)),
                );
            counts.push(self.fetch_count(&select).await?);
        }
        Ok(counts)
    }
}
