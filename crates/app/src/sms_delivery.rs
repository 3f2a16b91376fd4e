//! Delivery reports and credit of the SMS gateway (PRODUCT.md §7): the worker asks the gateway
//! where each sent SMS is until it is delivered or failed, so administrators see it in the job
//! list; and administrators can ask how much credit the gateway account has left.

use futures_util::StreamExt;
use time::Duration;

use crate::App;
use crate::auth::Session;
use crate::error::{AppError, AppResult};
use crate::notify::{ChannelError, DeliveryStatus, SmsReceipt};
use crate::schemas::require_administrator;

/// Deliveries asked about per sweep; the rest wait for the next one.
const ASK_BATCH: u64 = 200;
/// Gateways asked at once.
const ASK_CONCURRENCY: usize = 8;
/// How long a pending delivery rests between two questions.
const ASK_AGAIN_AFTER: Duration = Duration::minutes(5);
/// After this long a message still pending is given up as unknown (gateways forget).
const GIVE_UP_AFTER: Duration = Duration::days(3);

fn code(status: DeliveryStatus) -> &'static str {
    match status {
        DeliveryStatus::Pending => "pending",
        DeliveryStatus::Delivered => "delivered",
        DeliveryStatus::Failed => "failed",
        DeliveryStatus::Unknown => "unknown",
    }
}

/// What to record of a gateway's answer about a message sent `age` ago: a message pending for
/// too long becomes unknown; a gateway that cannot answer now is asked again later.
fn settled(answer: Result<DeliveryStatus, ChannelError>, age: Duration) -> DeliveryStatus {
    match answer {
        Ok(DeliveryStatus::Pending) if age > GIVE_UP_AFTER => DeliveryStatus::Unknown,
        Ok(status) => status,
        Err(error) => {
            tracing::warn!(%error, "delivery report");
            DeliveryStatus::Pending
        }
    }
}

impl App {
    /// Asks the gateway about the sent SMS whose delivery is still pending and records the
    /// answers; returns how many it asked about. Without an SMS gateway set up it does nothing.
    /// A gateway that cannot answer now is asked again on a later sweep.
    pub async fn delivery_sweep(&self) -> AppResult<usize> {
        let Some(sms) = self.channels().sms else {
            return Ok(0);
        };
        let now = self.now();
        let pending = {
            let mut tx = self.store.read().await?;
            tx.pending_deliveries(now - ASK_AGAIN_AFTER, ASK_BATCH)
                .await?
        };
        if pending.is_empty() {
            return self.campaign_delivery_sweep(sms, now).await;
        }
        let asked = pending.len();
        let answers: Vec<_> = futures_util::stream::iter(pending)
            .map(|delivery| {
                let sms = sms.clone();
                async move {
                    let receipt = SmsReceipt {
                        provider_id: delivery.provider_id.clone(),
                    };
                    let answer = sms.status(&receipt).await;
                    (delivery, answer)
                }
            })
            .buffer_unordered(ASK_CONCURRENCY)
            .collect()
            .await;
        let mut tx = self.store.write().await?;
        for (delivery, answer) in answers {
            let status = settled(answer, now - delivery.sent_at);
            tx.set_delivery(delivery.job_id, code(status), now).await?;
        }
        tx.commit().await?;
        Ok(asked + self.campaign_delivery_sweep(sms, now).await?)
    }

    /// The same for the messages of bulk campaigns, whose reports are kept per recipient.
    async fn campaign_delivery_sweep(
        &self,
        sms: std::sync::Arc<dyn crate::notify::SmsSender>,
        now: time::OffsetDateTime,
    ) -> AppResult<usize> {
        let pending = {
            let mut tx = self.store.read().await?;
            tx.pending_campaign_deliveries(now - ASK_AGAIN_AFTER, ASK_BATCH)
                .await?
        };
        if pending.is_empty() {
            return Ok(0);
        }
        let asked = pending.len();
        let answers: Vec<_> = futures_util::stream::iter(pending)
            .map(|delivery| {
                let sms = sms.clone();
                async move {
                    let receipt = SmsReceipt {
                        provider_id: delivery.provider_id.clone(),
                    };
                    let answer = sms.status(&receipt).await;
                    (delivery, answer)
                }
            })
            .buffer_unordered(ASK_CONCURRENCY)
            .collect()
            .await;
        let mut tx = self.store.write().await?;
        for (delivery, answer) in answers {
            let status = settled(answer, now - delivery.sent_at);
            tx.set_campaign_delivery(delivery.campaign_id, &delivery.phone, code(status), now)
                .await?;
        }
        tx.commit().await?;
        Ok(asked)
    }

    /// The SMS gateway account's remaining credit in Rials, or `None` without a gateway set
    /// up; administrators only.
    pub async fn sms_credit(&self, session: &Session) -> AppResult<Option<i64>> {
        require_administrator(session)?;
        let Some(sms) = self.channels().sms else {
            return Ok(None);
        };
        sms.credit().await.map(Some).map_err(|error| {
            tracing::warn!(%error, "SMS credit");
            AppError::ChannelUnavailable
        })
    }
}
