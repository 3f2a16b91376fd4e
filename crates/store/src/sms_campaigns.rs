//! Bulk SMS campaigns: the campaign a user confirmed and one row per recipient, which follows
//! its message from queued to sent (with the gateway's id and delivery report) or failed.

use peyvand_domain::record::Value;
use sea_query::{Alias, Expr, ExprTrait, Order, Query};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::StoreResult;
use crate::jobs::{v_text, v_time};
use crate::sms_delivery::{PENDING, awaiting_delivery_check};
use crate::tx::Tx;
use crate::values::{ColType, to_sql};

/// A campaign as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CampaignRow {
    /// Its id (UUIDv7, so ids follow creation).
    pub id: Uuid,
    /// The user who sent it.
    pub created_by: Option<Uuid>,
    /// When it was confirmed.
    pub created_at: OffsetDateTime,
    /// The text sent to every recipient.
    pub text: String,
    /// The list filter that chose the recipients, as JSON text.
    pub filter: String,
    /// How many numbers it was sent to.
    pub recipients: i64,
    /// Contacts left out because they did not allow SMS or opted out.
    pub not_allowed: i64,
    /// Contacts left out because they have no number.
    pub no_number: i64,
    /// Where it is: one of [`campaign_state`].
    pub state: String,
    /// When it starts, for a campaign that was scheduled.
    pub scheduled_at: Option<OffsetDateTime>,
    /// The saved template it started from, if any.
    pub template_id: Option<Uuid>,
}

/// One recipient to queue: the contact, its number, and the job that carries its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CampaignRecipient {
    /// The contact.
    pub contact_id: Uuid,
    /// Its number in E.164 form.
    pub phone: String,
    /// The job (one chunk of the campaign) that sends to it.
    pub job_id: Uuid,
}

/// A campaign recipient's delivery still to be asked about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingCampaignDelivery {
    /// The campaign.
    pub campaign_id: Uuid,
    /// The recipient's number.
    pub phone: String,
    /// The gateway's id of the message.
    pub provider_id: String,
    /// When it was sent.
    pub sent_at: OffsetDateTime,
}

/// Campaign states.
pub mod campaign_state {
    /// Waiting for its moment; nothing chosen or queued yet.
    pub const SCHEDULED: &str = "scheduled";
    /// Stopped by a user before it started.
    pub const CANCELLED: &str = "cancelled";
    /// Its recipients are chosen and their messages queued.
    pub const STARTED: &str = "started";
    /// It could not start (see the job list for why).
    pub const FAILED: &str = "failed";
}

/// Recipient states.
pub mod recipient_state {
    /// Waiting for its chunk's job.
    pub const QUEUED: &str = "queued";
    /// Accepted by the gateway.
    pub const SENT: &str = "sent";
    /// Refused for good (its chunk's job failed).
    pub const FAILED: &str = "failed";
}

const CAMPAIGN_COLUMNS: [&str; 11] = [
    "id",
    "created_by",
    "created_at",
    "text",
    "filter",
    "recipients",
    "not_allowed",
    "no_number",
    "state",
    "scheduled_at",
    "template_id",
];
const CAMPAIGN_TYPES: [ColType; 11] = [
    ColType::Id,
    ColType::Id,
    ColType::Time,
    ColType::Text,
    ColType::Text,
    ColType::Int,
    ColType::Int,
    ColType::Int,
    ColType::Text,
    ColType::Time,
    ColType::Id,
];

fn v_id(id: Uuid) -> sea_query::Value {
    to_sql(&Value::Id(id), ColType::Id)
}

fn v_int(n: i64) -> sea_query::Value {
    sea_query::Value::BigInt(Some(n))
}

fn campaign_from(row: Vec<Value>) -> Option<CampaignRow> {
    let mut row = row.into_iter();
    let mut next = || row.next().unwrap_or(Value::Null);
    let int = |v: Value| match v {
        Value::Int(n) => n,
        _ => 0,
    };
    Some(CampaignRow {
        id: next().as_id()?,
        created_by: next().as_id(),
        created_at: match next() {
            Value::Time(at) => at,
            _ => return None,
        },
        text: next().as_text()?.to_owned(),
        filter: next().as_text()?.to_owned(),
        recipients: int(next()),
        not_allowed: int(next()),
        no_number: int(next()),
        state: next().as_text()?.to_owned(),
        scheduled_at: match next() {
            Value::Time(at) => Some(at),
            _ => None,
        },
        template_id: next().as_id(),
    })
}

fn v_opt_id(id: Option<Uuid>) -> sea_query::Value {
    to_sql(&id.map_or(Value::Null, Value::Id), ColType::Id)
}

impl Tx {
    /// Stores a campaign.
    pub async fn insert_campaign(&mut self, campaign: &CampaignRow) -> StoreResult<()> {
        let mut insert = Query::insert();
        insert
            .into_table("sms_campaigns")
            .columns(CAMPAIGN_COLUMNS)
            .values_panic(
                [
                    v_id(campaign.id),
                    v_opt_id(campaign.created_by),
                    v_time(campaign.created_at),
                    v_text(&campaign.text),
                    v_text(&campaign.filter),
                    v_int(campaign.recipients),
                    v_int(campaign.not_allowed),
                    v_int(campaign.no_number),
                    v_text(&campaign.state),
                    to_sql(
                        &campaign.scheduled_at.map_or(Value::Null, Value::Time),
                        ColType::Time,
                    ),
                    v_opt_id(campaign.template_id),
                ]
                .map(Expr::val),
            );
        self.execute(&insert).await?;
        Ok(())
    }

    /// Moves a campaign from state `from` to `to`; false when it was no longer in `from` (a
    /// cancellation and the start of a scheduled campaign race, and only one of them wins).
    pub async fn move_campaign(&mut self, id: Uuid, from: &str, to: &str) -> StoreResult<bool> {
        let mut update = Query::update();
        update
            .table("sms_campaigns")
            .value(Alias::new("state"), v_text(to))
            .and_where(Expr::col("id").eq(v_id(id)))
            .and_where(Expr::col("state").eq(v_text(from)));
        Ok(self.execute(&update).await? == 1)
    }

    /// Records who a scheduled campaign reached when it started.
    pub async fn set_campaign_counts(
        &mut self,
        id: Uuid,
        recipients: i64,
        not_allowed: i64,
        no_number: i64,
    ) -> StoreResult<()> {
        let mut update = Query::update();
        update
            .table("sms_campaigns")
            .value(Alias::new("recipients"), v_int(recipients))
            .value(Alias::new("not_allowed"), v_int(not_allowed))
            .value(Alias::new("no_number"), v_int(no_number))
            .and_where(Expr::col("id").eq(v_id(id)));
        self.execute(&update).await?;
        Ok(())
    }

    /// Stores the recipients of a campaign, all queued, many rows per statement.
    pub async fn insert_campaign_recipients(
        &mut self,
        campaign_id: Uuid,
        recipients: &[CampaignRecipient],
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        for chunk in recipients.chunks(200) {
            let mut insert = Query::insert();
            insert.into_table("sms_campaign_recipients").columns([
                "campaign_id",
                "phone",
                "contact_id",
                "job_id",
                "state",
                "updated_at",
            ]);
            for recipient in chunk {
                insert.values_panic(
                    [
                        v_id(campaign_id),
                        v_text(&recipient.phone),
                        v_id(recipient.contact_id),
                        v_id(recipient.job_id),
                        v_text(recipient_state::QUEUED),
                        v_time(now),
                    ]
                    .map(Expr::val),
                );
            }
            self.execute(&insert).await?;
        }
        Ok(())
    }

    /// Records that the gateway accepted the messages of a chunk's job: each number with the
    /// gateway's id of its message, delivery pending.
    pub async fn set_campaign_receipts(
        &mut self,
        job_id: Uuid,
        receipts: &[(String, String)],
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        for (phone, provider_id) in receipts {
            let mut update = Query::update();
            update
                .table("sms_campaign_recipients")
                .value(Alias::new("state"), v_text(recipient_state::SENT))
                .value(Alias::new("provider_id"), v_text(provider_id))
                .value(Alias::new("delivery"), v_text(PENDING))
                .value(Alias::new("delivery_checked_at"), v_time(now))
                .value(Alias::new("updated_at"), v_time(now))
                .and_where(Expr::col("job_id").eq(v_id(job_id)))
                .and_where(Expr::col("phone").eq(v_text(phone)));
            self.execute(&update).await?;
        }
        Ok(())
    }

    /// Records that the gateway accepted a campaign's single SMS (the job that sent it to one
    /// recipient, for gateways without a bulk call).
    pub async fn set_campaign_receipt(
        &mut self,
        job_id: Uuid,
        provider_id: &str,
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        let mut update = Query::update();
        update
            .table("sms_campaign_recipients")
            .value(Alias::new("state"), v_text(recipient_state::SENT))
            .value(Alias::new("provider_id"), v_text(provider_id))
            .value(Alias::new("delivery"), v_text(PENDING))
            .value(Alias::new("delivery_checked_at"), v_time(now))
            .value(Alias::new("updated_at"), v_time(now))
            .and_where(Expr::col("job_id").eq(v_id(job_id)));
        self.execute(&update).await?;
        Ok(())
    }

    /// Records that a chunk's job failed for good: its recipients get nothing.
    pub async fn fail_campaign_job(
        &mut self,
        job_id: Uuid,
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        let mut update = Query::update();
        update
            .table("sms_campaign_recipients")
            .value(Alias::new("state"), v_text(recipient_state::FAILED))
            .value(Alias::new("updated_at"), v_time(now))
            .and_where(Expr::col("job_id").eq(v_id(job_id)))
            .and_where(Expr::col("state").eq(v_text(recipient_state::QUEUED)));
        self.execute(&update).await?;
        Ok(())
    }

    /// One campaign.
    pub async fn campaign(&mut self, id: Uuid) -> StoreResult<Option<CampaignRow>> {
        let mut select = Query::select();
        select
            .from("sms_campaigns")
            .columns(CAMPAIGN_COLUMNS)
            .and_where(Expr::col("id").eq(v_id(id)));
        let rows = self.fetch(&select, &CAMPAIGN_TYPES).await?;
        Ok(rows.into_iter().find_map(campaign_from))
    }

    /// The newest campaigns, at most `limit`.
    pub async fn campaigns(&mut self, limit: u64) -> StoreResult<Vec<CampaignRow>> {
        let mut select = Query::select();
        select
            .from("sms_campaigns")
            .columns(CAMPAIGN_COLUMNS)
            .order_by("id", Order::Desc)
            .limit(limit);
        let rows = self.fetch(&select, &CAMPAIGN_TYPES).await?;
        Ok(rows.into_iter().filter_map(campaign_from).collect())
    }

    /// How many recipients of a campaign are in each (state, delivery) pair.
    pub async fn campaign_tally(
        &mut self,
        campaign_id: Uuid,
    ) -> StoreResult<Vec<(String, Option<String>, i64)>> {
        let mut select = Query::select();
        select
            .from("sms_campaign_recipients")
            .columns(["state", "delivery"])
            .expr(Expr::col("phone").count())
            .and_where(Expr::col("campaign_id").eq(v_id(campaign_id)))
            .group_by_col("state")
            .group_by_col("delivery");
        let rows = self
            .fetch(&select, &[ColType::Text, ColType::Text, ColType::Int])
            .await?;
        Ok(rows
            .into_iter()
            .filter_map(|row| {
                let mut row = row.into_iter();
                let state = row.next()?.as_text()?.to_owned();
                let delivery = row.next()?.as_text().map(str::to_owned);
                let Value::Int(count) = row.next()? else {
                    return None;
                };
                Some((state, delivery, count))
            })
            .collect())
    }

    /// The recipients of a campaign: number, state and delivery, in number order.
    pub async fn campaign_recipients(
        &mut self,
        campaign_id: Uuid,
        limit: u64,
    ) -> StoreResult<Vec<(String, String, Option<String>)>> {
        let mut select = Query::select();
        select
            .from("sms_campaign_recipients")
            .columns(["phone", "state", "delivery"])
            .and_where(Expr::col("campaign_id").eq(v_id(campaign_id)))
            .order_by("phone", Order::Asc)
            .limit(limit);
        let rows = self
            .fetch(&select, &[ColType::Text, ColType::Text, ColType::Text])
            .await?;
        Ok(rows
            .into_iter()
            .filter_map(|row| {
                let mut row = row.into_iter();
                let phone = row.next()?.as_text()?.to_owned();
                let state = row.next()?.as_text()?.to_owned();
                let delivery = row.next()?.as_text().map(str::to_owned);
                Some((phone, state, delivery))
            })
            .collect())
    }

    /// Up to `limit` campaign deliveries still pending and not asked about since
    /// `asked_before`, longest unasked first (through a partial index).
    pub async fn pending_campaign_deliveries(
        &mut self,
        asked_before: OffsetDateTime,
        limit: u64,
    ) -> StoreResult<Vec<PendingCampaignDelivery>> {
        let mut select = Query::select();
        select
            .from("sms_campaign_recipients")
            .columns(["campaign_id", "phone", "provider_id", "updated_at"])
            .limit(limit);
        awaiting_delivery_check(&mut select, asked_before);
        let types = [ColType::Id, ColType::Text, ColType::Text, ColType::Time];
        let rows = self.fetch(&select, &types).await?;
        Ok(rows
            .into_iter()
            .filter_map(|row| {
                let mut row = row.into_iter();
                let campaign_id = row.next()?.as_id()?;
                let phone = row.next()?.as_text()?.to_owned();
                let provider_id = row.next()?.as_text()?.to_owned();
                let Value::Time(sent_at) = row.next()? else {
                    return None;
                };
                Some(PendingCampaignDelivery {
                    campaign_id,
                    phone,
                    provider_id,
                    sent_at,
                })
            })
            .collect())
    }

    /// Records what the gateway said of one campaign recipient's message.
    pub async fn set_campaign_delivery(
        &mut self,
        campaign_id: Uuid,
        phone: &str,
        delivery: &str,
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        let mut update = Query::update();
        update
            .table("sms_campaign_recipients")
            .value(Alias::new("delivery"), v_text(delivery))
            .value(Alias::new("delivery_checked_at"), v_time(now))
            .and_where(Expr::col("campaign_id").eq(v_id(campaign_id)))
            .and_where(Expr::col("phone").eq(v_text(phone)));
        self.execute(&update).await?;
        Ok(())
    }
}
