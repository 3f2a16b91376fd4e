//! Bulk SMS (issue 5 §5): a user who may export contacts — marketing, managers, administrators
//! — picks recipients with the contact list's own filters (search, field filters, tag), sees
//! how many allowed SMS and how many are left out, confirms, and sends one text to them all.
//!
//! Exporting is the right that covers bulk use of the customer base, so it is the right asked
//! for here; the recipients are exactly the contacts the sender could export with those
//! filters. A contact gets the message only if they allowed SMS (`consent_sms`), did not opt
//! out (`opted_out`) and have a number; the others are counted and shown, never sent to. A
//! number shared by several contacts gets one message.
//!
//! Sending never happens inside the request: the campaign, one row per recipient and one job
//! per chunk of [`CHUNK`] numbers are written in one transaction, and the worker sends each
//! chunk through the gateway's bulk call, recording every number's message id with the job's
//! outcome. A gateway without a bulk call (`SmsSender::bulk_limit` is `None`) gets one job per
//! number instead, each a single SMS with its job's id as local id, so that a failure part-way
//! never makes a retry repeat the numbers already sent. The campaign's page and API show the progress: queued, sent, delivered, failed.

use std::collections::BTreeMap;

use peyvand_domain::permission::{Action, RecordKind, Scope};
use peyvand_domain::record::Value;
use peyvand_domain::validation::{FieldError, ValidationErrors};
use peyvand_store::{CampaignRecipient, CampaignRow, recipient_state};
use serde::{Deserialize, Serialize};
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::App;
use crate::auth::Session;
use crate::error::{AppError, AppResult};
use crate::jobs::{Job, queue_in};
use crate::notify::{SmsContent, SmsMessage};
use crate::records::{ListParams, RecordView};

/// Numbers per job: the most one bulk request of a Kavenegar-style gateway takes.
pub const CHUNK: usize = 200;
/// The most recipients one campaign may have (a larger list should be narrowed first).
pub const MAX_RECIPIENTS: usize = 50_000;
/// The longest text, in characters (about seven SMS segments in Persian).
pub const MAX_TEXT: usize = 469;

/// One chunk of a campaign: the same text to many numbers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmsBatch {
    /// The campaign the chunk belongs to.
    pub campaign_id: Uuid,
    /// The text.
    pub text: String,
    /// The numbers in E.164 form.
    pub to: Vec<String>,
}

/// How a job list shows a chunk's recipients: the first number and how many more.
pub(crate) fn batch_summary(batch: &SmsBatch) -> String {
    match batch.to.split_first() {
        Some((first, rest)) if !rest.is_empty() => format!("{first} (+{})", rest.len()),
        Some((first, _)) => first.clone(),
        None => String::new(),
    }
}

/// The recipients a user asks for, and the text.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct CampaignInput {
    /// The contact list's free-text search.
    pub q: Option<String>,
    /// The contact list's field filters.
    pub filters: BTreeMap<String, String>,
    /// Only contacts with this tag.
    pub tag: Option<String>,
    /// The message.
    pub text: String,
    /// The user confirmed, having seen the counts; without it nothing is sent.
    pub confirm: bool,
}

/// Who a campaign would reach.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Audience {
    /// Numbers that will get the message.
    pub recipients: usize,
    /// Contacts left out: they did not allow SMS or opted out.
    pub not_allowed: usize,
    /// Contacts left out: no mobile or phone number.
    pub no_number: usize,
    /// SMS segments the text takes (each is charged).
    pub segments: usize,
}

/// A campaign with its progress.
#[derive(Debug, Clone, Serialize)]
pub struct CampaignView {
    /// Its id.
    pub id: Uuid,
    /// When it was sent.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// The text.
    pub text: String,
    /// The list filter that chose the recipients.
    pub filter: serde_json::Value,
    /// Numbers it was sent to.
    pub recipients: i64,
    /// Contacts left out because they did not allow SMS.
    pub not_allowed: i64,
    /// Contacts left out because they have no number.
    pub no_number: i64,
    /// Messages waiting for the worker.
    pub queued: i64,
    /// Messages the gateway accepted (delivered ones included).
    pub sent: i64,
    /// Messages the gateway reports delivered.
    pub delivered: i64,
    /// Messages refused or reported undelivered.
    pub failed: i64,
}

/// The SMS segments a text takes: 160 characters in one segment (153 each when split) for
/// the GSM alphabet's ASCII part, 70 (67) otherwise — Persian always takes the latter.
pub fn segments(text: &str) -> usize {
    let count = text.chars().count();
    let (single, part) = if text.is_ascii() {
        (160, 153)
    } else {
        (70, 67)
    };
    match count {
        0 => 0,
        n if n <= single => 1,
        n => n.div_ceil(part),
    }
}

fn text_of<'a>(view: &'a RecordView, name: &str) -> Option<&'a str> {
    view.get(name).as_text().filter(|t| !t.is_empty())
}

/// The numbers a campaign sends to, with their contacts, and who was left out.
#[derive(Default)]
struct Selection {
    numbers: BTreeMap<String, Uuid>,
    not_allowed: usize,
    no_number: usize,
}

impl Selection {
    fn consider(&mut self, contact: &RecordView) {
        let allowed = contact.get("consent_sms") == &Value::Bool(true)
            && contact.get("opted_out") != &Value::Bool(true);
        if !allowed {
            self.not_allowed += 1;
            return;
        }
        match text_of(contact, "mobile").or_else(|| text_of(contact, "phone")) {
            Some(number) => {
                self.numbers.entry(number.to_owned()).or_insert(contact.id);
            }
            None => self.no_number += 1,
        }
    }

    fn audience(&self, text: &str) -> Audience {
        Audience {
            recipients: self.numbers.len(),
            not_allowed: self.not_allowed,
            no_number: self.no_number,
            segments: segments(text),
        }
    }
}

fn require_bulk_right(session: &Session) -> AppResult<()> {
    if session
        .actor
        .grants
        .scope(RecordKind::Contact, Action::Export)
        == Scope::None
    {
        return Err(AppError::Forbidden);
    }
    Ok(())
}

fn validate_text(text: &str, errors: &mut ValidationErrors) {
    if text.trim().is_empty() {
        errors.add("text", FieldError::REQUIRED);
    } else if text.chars().count() > MAX_TEXT {
        errors.add("text", FieldError::TOO_LONG);
    }
}

impl App {
    /// Reads every contact the list filters choose that `session` may export, page by page.
    async fn select_recipients(
        &self,
        session: &Session,
        input: &CampaignInput,
    ) -> AppResult<Selection> {
        let mut params = ListParams {
            q: input.q.clone(),
            filters: input.filters.clone(),
            tag: input.tag.clone(),
            ..ListParams::default()
        };
        let mut selection = Selection::default();
        loop {
            let page = self
                .export_page(session, RecordKind::Contact, &params)
                .await?;
            for contact in &page.items {
                selection.consider(contact);
            }
            if selection.numbers.len() > MAX_RECIPIENTS {
                return Err(AppError::field("recipients", FieldError::TOO_LONG));
            }
            match page.next_cursor {
                Some(cursor) => params.cursor = Some(cursor),
                None => return Ok(selection),
            }
        }
    }

    /// Who a campaign with these filters would reach, for the user to see before confirming.
    pub async fn campaign_audience(
        &self,
        session: &Session,
        input: &CampaignInput,
    ) -> AppResult<Audience> {
        require_bulk_right(session)?;
        let selection = self.select_recipients(session, input).await?;
        Ok(selection.audience(&input.text))
    }

    /// Sends a campaign: chooses the recipients again (the list may have changed since the
    /// preview), and queues one job per [`CHUNK`] numbers with the campaign's record, in one
    /// transaction. Refused without `confirm`, without recipients, or without an SMS gateway.
    pub async fn send_campaign(
        &self,
        session: &Session,
        input: &CampaignInput,
    ) -> AppResult<CampaignView> {
        require_bulk_right(session)?;
        let mut errors = ValidationErrors::new();
        validate_text(&input.text, &mut errors);
        if !input.confirm {
            errors.add("confirm", FieldError::REQUIRED);
        }
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        let selection = self.select_recipients(session, input).await?;
        if selection.numbers.is_empty() {
            return Err(AppError::field("recipients", FieldError::REQUIRED));
        }
        let now = self.now();
        let mut tx = self.store.write().await?;
        if crate::notify_settings::configured(&mut tx)
            .await?
            .sms
            .is_none()
        {
            return Err(AppError::ChannelUnavailable);
        }
        let filter = json!({"q": input.q, "filters": input.filters, "tag": input.tag});
        let campaign = CampaignRow {
            id: Uuid::now_v7(),
            created_by: Some(session.actor.user_id),
            created_at: now,
            text: input.text.trim().to_owned(),
            filter: filter.to_string(),
            recipients: selection.numbers.len() as i64,
            not_allowed: selection.not_allowed as i64,
            no_number: selection.no_number as i64,
        };
        tx.insert_campaign(&campaign).await?;
        let numbers: Vec<(String, Uuid)> = selection.numbers.into_iter().collect();
        // A gateway without a bulk call gets one job per number (chunks of one).
        let bulk = self.channels().sms.and_then(|sms| sms.bulk_limit());
        let chunk_size = bulk.map_or(1, |limit| limit.clamp(1, CHUNK));
        for chunk in numbers.chunks(chunk_size) {
            let to: Vec<String> = chunk.iter().map(|(number, _)| number.clone()).collect();
            let job = match bulk {
                Some(_) => Job::SmsBatch(SmsBatch {
                    campaign_id: campaign.id,
                    text: campaign.text.clone(),
                    to,
                }),
                None => Job::CampaignSms(SmsMessage {
                    to: to.into_iter().next().unwrap_or_default(),
                    content: SmsContent::Text {
                        text: campaign.text.clone(),
                    },
                    local_id: String::new(),
                }),
            };
            let job_id = queue_in(&mut tx, job, now).await?;
            let recipients: Vec<CampaignRecipient> = chunk
                .iter()
                .map(|(phone, contact_id)| CampaignRecipient {
                    contact_id: *contact_id,
                    phone: phone.clone(),
                    job_id,
                })
                .collect();
            tx.insert_campaign_recipients(campaign.id, &recipients, now)
                .await?;
        }
        tx.insert_audit(&peyvand_store::AuditRow {
            id: Uuid::now_v7(),
            record_kind: "sms_campaign".to_owned(),
            record_id: campaign.id,
            action: "create".to_owned(),
            actor_id: Some(session.actor.user_id),
            at: now,
            changes: json!({"text": campaign.text, "filter": filter,
                "recipients": campaign.recipients})
            .to_string(),
        })
        .await?;
        tx.commit().await?;
        self.wake_worker();
        self.campaign(session, campaign.id).await
    }

    /// One campaign with its progress.
    pub async fn campaign(&self, session: &Session, id: Uuid) -> AppResult<CampaignView> {
        require_bulk_right(session)?;
        let mut tx = self.store.read().await?;
        let row = tx.campaign(id).await?.ok_or(AppError::NotFound)?;
        let tally = tx.campaign_tally(id).await?;
        Ok(campaign_view(row, &tally))
    }

    /// The newest campaigns with their progress.
    pub async fn campaigns(&self, session: &Session, limit: u64) -> AppResult<Vec<CampaignView>> {
        require_bulk_right(session)?;
        let mut tx = self.store.read().await?;
        let rows = tx.campaigns(limit).await?;
        let mut views = Vec::with_capacity(rows.len());
        for row in rows {
            let tally = tx.campaign_tally(row.id).await?;
            views.push(campaign_view(row, &tally));
        }
        Ok(views)
    }

    /// The recipients of a campaign (number, state, delivery), at most `limit`.
    pub async fn campaign_recipients(
        &self,
        session: &Session,
        id: Uuid,
        limit: u64,
    ) -> AppResult<Vec<(String, String, Option<String>)>> {
        require_bulk_right(session)?;
        let mut tx = self.store.read().await?;
        tx.campaign(id).await?.ok_or(AppError::NotFound)?;
        Ok(tx.campaign_recipients(id, limit).await?)
    }
}

fn campaign_view(row: CampaignRow, tally: &[(String, Option<String>, i64)]) -> CampaignView {
    let mut view = CampaignView {
        id: row.id,
        created_at: row.created_at,
        text: row.text,
        filter: serde_json::from_str(&row.filter).unwrap_or_default(),
        recipients: row.recipients,
        not_allowed: row.not_allowed,
        no_number: row.no_number,
        queued: 0,
        sent: 0,
        delivered: 0,
        failed: 0,
    };
    for (state, delivery, count) in tally {
        match (state.as_str(), delivery.as_deref()) {
            (recipient_state::QUEUED, _) => view.queued += count,
            (recipient_state::FAILED, _) => view.failed += count,
            (_, Some("delivered")) => {
                view.sent += count;
                view.delivered += count;
            }
            (_, Some("failed")) => {
                view.sent += count;
                view.failed += count;
            }
            _ => view.sent += count,
        }
    }
    view
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn persian_texts_take_shorter_segments_than_latin_ones() {
        assert_eq!(segments(""), 0);
        assert_eq!(segments(&"a".repeat(160)), 1);
        assert_eq!(segments(&"a".repeat(161)), 2);
        assert_eq!(segments(&"س".repeat(70)), 1);
        assert_eq!(segments(&"س".repeat(71)), 2);
        assert_eq!(segments(&"س".repeat(135)), 3);
    }

    #[test]
    fn a_chunk_shows_its_first_number_and_how_many_more() {
        let batch = SmsBatch {
            campaign_id: Uuid::nil(),
            text: String::new(),
            to: vec!["+989120000001".into(), "+989120000002".into()],
        };
        assert_eq!(batch_summary(&batch), "+989120000001 (+1)");
    }
}
