//! Finding the cases whose service-level clocks ran out and were not yet escalated, and the
//! activity reminders that came due and were not yet sent.

use peyvand_domain::record::Value;
use sea_query::{Expr, ExprTrait, Order, Query};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::StoreResult;
use crate::tx::Tx;
use crate::values::{ColType, to_sql};

/// A clock of a case, named by the columns that hold its due moment, its stop and its
/// escalation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockColumns {
    /// When it runs out.
    pub due: &'static str,
    /// When it stopped (the event it waits for), if it has its own stop.
    pub stopped: Option<&'static str>,
    /// When its breach was escalated.
    pub escalated: &'static str,
}

/// The first-response clock.
pub const FIRST_RESPONSE: ClockColumns = ClockColumns {
    due: "first_response_due",
    stopped: Some("first_response_at"),
    escalated: "first_response_escalated_at",
};

/// The resolution clock (stopped by resolving or closing the case).
pub const RESOLUTION: ClockColumns = ClockColumns {
    due: "resolution_due",
    stopped: None,
    escalated: "resolution_escalated_at",
};

impl Tx {
    /// Up to `limit` cases whose `clock` ran out by `now`, is still running and was not
    /// escalated, earliest first. The conditions are those of the clock's partial index
    /// (migration 0052), so the work is the number of such cases, not of all cases.
    pub async fn breached_cases(
        &mut self,
        clock: ClockColumns,
        now: OffsetDateTime,
        limit: u64,
    ) -> StoreResult<Vec<Uuid>> {
        let mut select = Query::select();
        select
            .from("cases")
            .column("id")
            .and_where(Expr::col(clock.escalated).is_null())
            .and_where(Expr::col("resolved_at").is_null())
            .and_where(Expr::col("closed_at").is_null())
            // A case waiting for the customer has its clocks stopped; they move on resuming.
            .and_where(Expr::col("sla_paused_at").is_null())
            .and_where(Expr::col(clock.due).lte(to_sql(&Value::Time(now), ColType::Time)))
            .order_by(clock.due, Order::Asc)
            .limit(limit);
        if let Some(stopped) = clock.stopped {
            select.and_where(Expr::col(stopped).is_null());
        }
        self.fetch_ids(&select).await
    }

    /// Up to `limit` activities whose reminder moment came by `now` and whose reminder was not
    /// sent, earliest first, open or in progress (the conditions of the partial index of
    /// migration 0102, so the work is the number of such reminders).
    pub async fn due_activity_reminders(
        &mut self,
        now: OffsetDateTime,
        limit: u64,
    ) -> StoreResult<Vec<Uuid>> {
        let mut select = Query::select();
        select
            .from("activities")
            .column("id")
            .and_where(Expr::col("reminder_sent_at").is_null())
            .and_where(Expr::col("remind_at").is_not_null())
            .and_where(Expr::col("completed_at").is_null())
            .and_where(Expr::col("remind_at").lte(to_sql(&Value::Time(now), ColType::Time)))
            .and_where(Expr::col("status").is_in(["open", "in_progress"]))
            .order_by("remind_at", Order::Asc)
            .limit(limit);
        self.fetch_ids(&select).await
    }
}
