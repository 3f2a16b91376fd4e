//! Scheduled bulk SMS (PRODUCT.md §7 "scheduled"; issue 5 §5): a campaign confirmed for a
//! later moment is stored as `scheduled` with one job of the durable queue due at that moment
//! (`Job::CampaignStart`), and nothing else. When the job runs it chooses the recipients then —
//! with the sender's rights and the contacts' consent of that moment, so someone who opted out
//! in between hears nothing — and queues their messages like a campaign sent at once.
//!
//! A scheduled campaign can be cancelled until it starts. Both the cancellation and the start
//! move the campaign out of `scheduled` with a conditional update, so exactly one of them wins
//! even when they meet: a cancelled campaign's job finds it no longer scheduled and does
//! nothing; a started one can no longer be cancelled. The job is idempotent for the same
//! reason — run twice after a crash, its second run finds the campaign started.

use peyvand_domain::calendar::parse_date;
use peyvand_domain::service::activity::{due_at, parse_time_of_day};
use peyvand_domain::sms_templates::{IN_THE_PAST, NOT_SCHEDULED};
use peyvand_domain::validation::{FieldError, ValidationErrors};
use peyvand_store::{Tx, campaign_state};
use serde_json::json;
use time::{OffsetDateTime, Time};
use uuid::Uuid;

use crate::App;
use crate::auth::Session;
use crate::error::{AppError, AppResult};
use crate::jobs::{Job, queue_at};
use crate::notify::ChannelError;
use crate::sms_campaigns::{CampaignInput, CampaignView, require_bulk_right};

/// The time of day a campaign scheduled by date alone starts, in Iran: nine in the morning.
fn default_time() -> Time {
    Time::from_hms(9, 0, 0).unwrap_or(Time::MIDNIGHT)
}

/// When a campaign is to start: `scheduled_at`, else `send_date` (in the user's calendar) at
/// `send_time` in Iran; `None` to send now. A moment that has passed is an error on the field
/// that named it.
pub(crate) fn scheduled_moment(
    session: &Session,
    input: &CampaignInput,
    now: OffsetDateTime,
    errors: &mut ValidationErrors,
) -> Option<OffsetDateTime> {
    let blank = |s: &Option<String>| s.as_deref().is_none_or(|s| s.trim().is_empty());
    let (at, field) = if let Some(at) = input.scheduled_at {
        (at, "scheduled_at")
    } else if !blank(&input.send_date) {
        let date = match parse_date(input.send_date.as_deref().unwrap_or(""), session.calendar) {
            Ok(date) => date,
            Err(error) => {
                errors.add("send_date", error);
                return None;
            }
        };
        let time = match input.send_time.as_deref().filter(|t| !t.trim().is_empty()) {
            Some(text) => match parse_time_of_day(text) {
                Ok(time) => time,
                Err(error) => {
                    errors.add("send_time", error);
                    return None;
                }
            },
            None => default_time(),
        };
        (due_at(date, Some(time)), "send_date")
    } else {
        if !blank(&input.send_time) {
            errors.add("send_date", FieldError::REQUIRED);
        }
        return None;
    };
    if at <= now {
        errors.add(field, IN_THE_PAST);
        return None;
    }
    Some(at)
}

/// Queues the job that starts campaign `campaign_id` at `at`.
pub(crate) async fn queue_start(
    tx: &mut Tx,
    campaign_id: Uuid,
    at: OffsetDateTime,
    now: OffsetDateTime,
) -> AppResult<()> {
    queue_at(tx, Job::CampaignStart { campaign_id }, at, now).await?;
    Ok(())
}

impl App {
    /// Cancels a scheduled campaign; refused (422 on `state`) once it has started or was
    /// cancelled already.
    pub async fn cancel_campaign(&self, session: &Session, id: Uuid) -> AppResult<CampaignView> {
        require_bulk_right(session)?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        tx.campaign(id).await?.ok_or(AppError::NotFound)?;
        if !tx
            .move_campaign(id, campaign_state::SCHEDULED, campaign_state::CANCELLED)
            .await?
        {
            return Err(AppError::field("state", NOT_SCHEDULED));
        }
        tx.insert_audit(&peyvand_store::AuditRow {
            id: Uuid::now_v7(),
            record_kind: "sms_campaign".to_owned(),
            record_id: id,
            action: "cancel".to_owned(),
            actor_id: Some(session.actor.user_id),
            at: now,
            changes: json!({"state": [campaign_state::SCHEDULED, campaign_state::CANCELLED]})
                .to_string(),
        })
        .await?;
        tx.commit().await?;
        self.campaign(session, id).await
    }

    /// Runs a scheduled campaign's start job: chooses the recipients with its sender's rights
    /// of now and queues their messages, unless it was cancelled. A sender who can no longer
    /// send bulk SMS (left, lost the right) fails it for good; a missing gateway is retried.
    pub(crate) async fn perform_campaign_start(&self, id: Uuid) -> Result<(), ChannelError> {
        let permanent = |e: AppError| ChannelError::permanent(e.to_string());
        let row = {
            let mut tx = self.store.read().await.map_err(|e| permanent(e.into()))?;
            tx.campaign(id).await.map_err(|e| permanent(e.into()))?
        };
        let Some(row) = row.filter(|row| row.state == campaign_state::SCHEDULED) else {
            return Ok(());
        };
        let sender = row
            .created_by
            .ok_or_else(|| ChannelError::permanent("the campaign has no sender"))?;
        let session = self.session_for_user(sender).await.map_err(permanent)?;
        require_bulk_right(&session).map_err(permanent)?;
        let filter: serde_json::Value = serde_json::from_str(&row.filter).unwrap_or_default();
        let input: CampaignInput = serde_json::from_value(filter).unwrap_or_default();
        let selection = self
            .select_recipients(&session, &input, &row.text)
            .await
            .map_err(permanent)?;
        let now = self.now();
        let started = async {
            let mut tx = self.store.write().await?;
            if crate::notify_settings::configured(&mut tx)
                .await?
                .sms
                .is_none()
            {
                return Err(AppError::ChannelUnavailable);
            }
            if !tx
                .move_campaign(id, campaign_state::SCHEDULED, campaign_state::STARTED)
                .await?
            {
                // Cancelled while the recipients were being chosen.
                return Ok(());
            }
            tx.set_campaign_counts(
                id,
                selection.len() as i64,
                selection.not_allowed as i64,
                selection.no_number as i64,
            )
            .await?;
            self.queue_recipients(&mut tx, id, &row.text, selection, now)
                .await?;
            tx.commit().await?;
            Ok(())
        }
        .await;
        match started {
            Ok(()) => {
                self.wake_worker();
                Ok(())
            }
            Err(AppError::ChannelUnavailable) => {
                Err(ChannelError::temporary("SMS is not configured"))
            }
            Err(error) => Err(ChannelError::temporary(error.to_string())),
        }
    }
}

/// What the generic create and update do for an SMS template: a new one is active unless
/// told otherwise, and its text may use only the known placeholders (an unknown one is refused
/// by name, like a contract template's).
pub(crate) fn check_template(
    schema: &peyvand_domain::record::Schema,
    fields: &mut peyvand_domain::record::Fields,
    creating: bool,
) -> AppResult<()> {
    use peyvand_domain::record::Value;
    if schema.kind != peyvand_domain::permission::RecordKind::SmsTemplate {
        return Ok(());
    }
    if creating && fields.get("active").is_none_or(Value::is_null) {
        fields.insert("active".into(), Value::Bool(true));
    }
    let body = fields
        .get("body")
        .and_then(Value::as_text)
        .unwrap_or_default();
    peyvand_domain::sms_templates::check(body).map_err(AppError::UnknownPlaceholder)
}

/// The demo's SMS templates: (name, language, text).
const DEMO_TEMPLATES: [(&str, &str, &str); 3] = [
    (
        "جشنواره پاییزه",
        "fa",
        "{{full_name}} عزیز، در جشنواره پاییزه تا پایان هفته ۲۰٪ تخفیف می‌گیرید.",
    ),
    (
        "یادآوری تمدید",
        "fa",
        "{{first_name}} گرامی، قرارداد پشتیبانی شما به‌زودی پایان می‌یابد؛ برای تمدید با ما تماس بگیرید.",
    ),
    (
        "Welcome",
        "en",
        "Dear {{first_name}}, welcome to our customer club.",
    ),
];

/// Adds the demo's SMS templates.
pub(crate) async fn add_demo_templates(
    app: &App,
    system: &std::sync::Arc<Session>,
) -> AppResult<()> {
    use peyvand_domain::record::Input;
    for (name, language, body) in DEMO_TEMPLATES {
        let inputs = [("name", name), ("language", language), ("body", body)]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), Input::Text(v.to_owned())))
            .collect();
        app.create(
            system,
            peyvand_domain::permission::RecordKind::SmsTemplate,
            &inputs,
            peyvand_domain::calendar::CalendarKind::Gregorian,
        )
        .await?;
    }
    Ok(())
}

/// Marks a scheduled campaign failed when its start job failed for good.
pub(crate) async fn fail_start(tx: &mut Tx, campaign_id: Uuid) -> AppResult<()> {
    tx.move_campaign(
        campaign_id,
        campaign_state::SCHEDULED,
        campaign_state::FAILED,
    )
    .await?;
    Ok(())
}
