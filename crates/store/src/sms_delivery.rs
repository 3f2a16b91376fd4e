//! Delivery reports of sent SMS: a job that sent an SMS keeps the gateway's id of the message,
//! and the worker asks the gateway, now and then, whether it arrived, until it did, failed, or
//! is too old to ask about.

use peyvand_domain::record::Value;
use sea_query::{Alias, Expr, ExprTrait, NullOrdering, Order, Query, SelectStatement};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::StoreResult;
use crate::jobs::{v_text, v_time};
use crate::tx::Tx;
use crate::values::{ColType, to_sql};

/// A delivery still to be asked about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingDelivery {
    /// The job that sent the SMS.
    pub job_id: Uuid,
    /// The gateway's id of the message.
    pub provider_id: String,
    /// When the SMS was sent (the job finished).
    pub sent_at: OffsetDateTime,
}

/// The code of a delivery that is still on its way.
pub const PENDING: &str = "pending";

/// Narrows `select` (of a table with `delivery` and `delivery_checked_at`, as jobs and campaign
/// recipients have) to deliveries still pending and not asked about since `asked_before`,
/// longest unasked first. Shared so single and campaign messages are asked about alike.
pub(crate) fn awaiting_delivery_check(select: &mut SelectStatement, asked_before: OffsetDateTime) {
    select
        .and_where(Expr::col("delivery").eq(v_text(PENDING)))
        .and_where(
            Expr::col("delivery_checked_at")
                .is_null()
                .or(Expr::col("delivery_checked_at").lt(v_time(asked_before))),
        )
        // Never asked first, on both databases (PostgreSQL puts nulls last by default).
        .order_by_with_nulls("delivery_checked_at", Order::Asc, NullOrdering::First);
}

impl Tx {
    /// Notes the gateway's id of the SMS a job sent at `now`; its delivery is pending, and
    /// counts as asked about now (a message just sent needs a while to arrive).
    pub async fn set_sms_receipt(
        &mut self,
        job_id: Uuid,
        provider_id: &str,
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        let mut update = Query::update();
        update
            .table("jobs")
            .value(Alias::new("provider_id"), v_text(provider_id))
            .value(Alias::new("delivery"), v_text(PENDING))
            .value(Alias::new("delivery_checked_at"), v_time(now))
            .and_where(Expr::col("id").eq(to_sql(&Value::Id(job_id), ColType::Id)));
        self.execute(&update).await?;
        Ok(())
    }

    /// Up to `limit` pending deliveries not asked about since `asked_before`, longest unasked
    /// first (through the partial index of migration 0103, so done jobs cost nothing).
    pub async fn pending_deliveries(
        &mut self,
        asked_before: OffsetDateTime,
        limit: u64,
    ) -> StoreResult<Vec<PendingDelivery>> {
        let mut select = Query::select();
        select
            .from("jobs")
            .columns(["id", "provider_id", "updated_at"])
            .limit(limit);
        awaiting_delivery_check(&mut select, asked_before);
        let rows = self
            .fetch(&select, &[ColType::Id, ColType::Text, ColType::Time])
            .await?;
        Ok(rows
            .into_iter()
            .filter_map(|row| {
                let mut row = row.into_iter();
                let job_id = row.next()?.as_id()?;
                let provider_id = row.next()?.as_text()?.to_owned();
                let Value::Time(sent_at) = row.next()? else {
                    return None;
                };
                Some(PendingDelivery {
                    job_id,
                    provider_id,
                    sent_at,
                })
            })
            .collect())
    }

    /// Records what the gateway said of a job's SMS (`delivery` one of the codes above).
    pub async fn set_delivery(
        &mut self,
        job_id: Uuid,
        delivery: &str,
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        let mut update = Query::update();
        update
            .table("jobs")
            .value(Alias::new("delivery"), v_text(delivery))
            .value(Alias::new("delivery_checked_at"), v_time(now))
            .and_where(Expr::col("id").eq(to_sql(&Value::Id(job_id), ColType::Id)));
        self.execute(&update).await?;
        Ok(())
    }
}
