//! The sales dashboard's aggregates (issue 4 §10), each one `GROUP BY` over a covering index:
//! open deals by stage, owner and branch (the board's index); deals closed in a period by
//! outcome, loss reason, owner and branch (the funnel's closed-deals index); deals won per
//! interval of time (the targets, all of them in one statement); and the customers invoiced
//! most in a period (migration 0080's `invoices_issued`).

use peyvand_domain::permission::RowFilter;
use peyvand_domain::pipeline::OPPORTUNITIES;
use peyvand_domain::pipeline::sales_dashboard::{ClosedGroup, OpenGroup, WonInInterval};
use peyvand_domain::record::Value;
use peyvand_domain::record::sales::INVOICES;
use sea_query::{Cond, Expr, ExprTrait, Order, Query};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::StoreResult;
use crate::pipeline::{SalesScope, day, int, moment, scope_condition, sum};
use crate::records::access_condition;
use crate::tx::Tx;
use crate::values::ColType;

/// A customer's invoices within a period: the account, or the contact for invoices without one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvoicedCustomer {
    /// The account invoiced.
    pub account_id: Option<Uuid>,
    /// The contact invoiced, when no account was.
    pub contact_id: Option<Uuid>,
    /// How many invoices.
    pub count: i64,
    /// Their totals (Rials).
    pub amount: i64,
}

impl Tx {
    /// Open deals in the scope by stage, owner and branch.
    pub async fn open_deal_groups(
        &mut self,
        scope: &SalesScope<'_>,
    ) -> StoreResult<Vec<OpenGroup>> {
        let mut select = Query::select();
        select
            .from(OPPORTUNITIES.table)
            .columns(["stage_id", "owner_id", "branch_id"])
            .expr(Expr::col(sea_query::Asterisk).count())
            .expr(sum("amount"))
            .cond_where(scope_condition(scope))
            .and_where(Expr::col("status").eq("open"))
            .group_by_columns(["stage_id", "owner_id", "branch_id"]);
        let types = [
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
                Some(OpenGroup {
                    stage_id: row.first()?.as_id()?,
                    owner_id: row.get(1)?.as_id()?,
                    branch_id: row.get(2)?.as_id()?,
                    count: int(row.get(3)),
                    amount: int(row.get(4)),
                })
            })
            .collect())
    }

    /// Deals won or lost within `[from, to)` by outcome, loss reason, owner and branch.
    pub async fn closed_deal_groups(
        &mut self,
        scope: &SalesScope<'_>,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> StoreResult<Vec<ClosedGroup>> {
        let mut select = Query::select();
        select
            .from(OPPORTUNITIES.table)
            .columns(["status", "loss_reason_id", "owner_id", "branch_id"])
            .expr(Expr::col(sea_query::Asterisk).count())
            .expr(sum("amount"))
            .cond_where(scope_condition(scope))
            .and_where(Expr::col("status").is_in(["won", "lost"]))
            .and_where(Expr::col("closed_at").gte(moment(from)))
            .and_where(Expr::col("closed_at").lt(moment(to)))
            .group_by_columns(["status", "loss_reason_id", "owner_id", "branch_id"]);
        let types = [
            ColType::Text,
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
                Some(ClosedGroup {
                    won: row.first()?.as_text()? == "won",
                    reason_id: row.get(1)?.as_id(),
                    owner_id: row.get(2)?.as_id()?,
                    branch_id: row.get(3)?.as_id()?,
                    count: int(row.get(4)),
                    amount: int(row.get(5)),
                })
            })
            .collect())
    }

    /// Deals won within the intervals whose boundaries are `bounds` (n + 1 moments for n
    /// intervals), by interval, owner and branch. The interval's index is computed in the query
    /// from the bounds, bound as parameters (as the forecast does with months), so any number of
    /// targets with their different periods is one statement over one index range.
    pub async fn won_by_interval(
        &mut self,
        scope: &SalesScope<'_>,
        bounds: &[OffsetDateTime],
    ) -> StoreResult<Vec<WonInInterval>> {
        let (Some(first), Some(last)) = (bounds.first(), bounds.last()) else {
            return Ok(Vec::new());
        };
        if bounds.len() < 2 {
            return Ok(Vec::new());
        }
        let mut case = Expr::case(Expr::col("closed_at").lt(moment(bounds[0])), Expr::val(-1));
        for (index, bound) in bounds.iter().enumerate().skip(1) {
            let index = i64::try_from(index - 1).unwrap_or(0);
            case = case.case(Expr::col("closed_at").lt(moment(*bound)), Expr::val(index));
        }
        let mut select = Query::select();
        select
            .from(OPPORTUNITIES.table)
            .expr_as(case.finally(Expr::val(-1_i64)), "interval_index")
            .columns(["owner_id", "branch_id"])
            .expr(Expr::col(sea_query::Asterisk).count())
            .expr(sum("amount"))
            .cond_where(scope_condition(scope))
            .and_where(Expr::col("status").eq("won"))
            .and_where(Expr::col("closed_at").gte(moment(*first)))
            .and_where(Expr::col("closed_at").lt(moment(*last)))
            .group_by_columns(["interval_index", "owner_id", "branch_id"]);
        let types = [
            ColType::Int,
            ColType::Id,
            ColType::Id,
            ColType::Int,
            ColType::Int,
        ];
        let rows = self.fetch(&select, &types).await?;
        Ok(rows
            .into_iter()
            .filter_map(|row| {
                Some(WonInInterval {
                    interval: usize::try_from(int(row.first())).ok()?,
                    owner_id: row.get(1)?.as_id()?,
                    branch_id: row.get(2)?.as_id()?,
                    count: int(row.get(3)),
                    amount: int(row.get(4)),
                })
            })
            .collect())
    }

    /// The `limit` customers with the largest invoiced totals among the invoices the actor may
    /// read that were issued within `[from, to)` and not cancelled, largest first. Invoices
    /// are counted for their account, or for their contact when they have no account.
    pub async fn top_invoiced_customers(
        &mut self,
        access: &RowFilter,
        from: Date,
        to: Date,
        limit: u64,
    ) -> StoreResult<Vec<InvoicedCustomer>> {
        let contact_without_account = "CASE WHEN account_id IS NULL THEN contact_id END";
        let mut select = Query::select();
        select
            .from(INVOICES.table)
            .column("account_id")
            .expr_as(Expr::cust(contact_without_account), "lone_contact_id")
            .expr(Expr::col(sea_query::Asterisk).count())
            .expr_as(sum("total"), "invoiced")
            .cond_where(
                Cond::all()
                    .add(access_condition(&INVOICES, access))
                    .add(Expr::col("issue_date").gte(day(from)))
                    .add(Expr::col("issue_date").lt(day(to)))
                    .add(Expr::col("status").ne("cancelled"))
                    .add(
                        Cond::any()
                            .add(Expr::col("account_id").is_not_null())
                            .add(Expr::col("contact_id").is_not_null()),
                    ),
            )
            .add_group_by([Expr::col("account_id"), Expr::cust(contact_without_account)])
            .order_by("invoiced", Order::Desc)
            .order_by("account_id", Order::Asc)
            .limit(limit);
        let types = [ColType::Id, ColType::Id, ColType::Int, ColType::Int];
        let rows = self.fetch(&select, &types).await?;
        Ok(rows
            .into_iter()
            .map(|row| InvoicedCustomer {
                account_id: row.first().and_then(Value::as_id),
                contact_id: row.get(1).and_then(Value::as_id),
                count: int(row.get(2)),
                amount: int(row.get(3)),
            })
            .collect())
    }
}
