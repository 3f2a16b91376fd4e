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
//! The text may come from a saved template (`domain::sms_templates`) and may hold per-contact
//! placeholders (`{{first_name}}`, `{{company}}`, …): each recipient then gets the text with
//! their own values, which the chunk's job carries number by number and the gateway's
//! pair-to-pair call sends. A campaign may also wait for a later moment (see
//! [`crate::sms_schedule`]): the recipients are then chosen when it starts, not before.
//!
//! Sending never happens inside the request: the campaign, one row per recipient and one job
//! per chunk of [`CHUNK`] numbers are written in one transaction, and the worker sends each
//! chunk through the gateway's bulk call, recording every number's message id with the job's
//! outcome. Every message of a chunk carries a local id made of the job's id and its position,
//! the same on every attempt, so a gateway that keeps local ids (Kavenegar's `sendarray`)
//! refuses the copies when a chunk is sent again after a crash. A gateway without a bulk call (`SmsSender::bulk_limit` is `None`) gets one job per
//! number instead, each a single SMS with its job's id as local id, so that a failure part-way
//! never makes a retry repeat the numbers already sent. The campaign's page and API show the progress: queued, sent, delivered, failed.

use std::collections::BTreeMap;

use peyvand_domain::contracts::UNKNOWN_PLACEHOLDER;
use peyvand_domain::permission::{Action, RecordKind, Scope};
use peyvand_domain::record::Value;
use peyvand_domain::sms_templates::{self, ContactFacts};
use peyvand_domain::validation::{FieldError, ValidationErrors};
use peyvand_store::{CampaignRecipient, CampaignRow, Tx, campaign_state, recipient_state};
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

/// One chunk of a campaign: many numbers, with one text for all or a text for each.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmsBatch {
    /// The campaign the chunk belongs to.
    pub campaign_id: Uuid,
    /// The text, when every number gets the same.
    pub text: String,
    /// The numbers in E.164 form.
    pub to: Vec<String>,
    /// Each number's own text (a personalised campaign), in the order of `to`; empty when
    /// all get `text`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub texts: Vec<String>,
    /// Each message's local id, in the order of `to`: the job's id and the position, given
    /// when the job is queued (chunks queued before local ids existed have none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub local_ids: Vec<String>,
}

impl SmsBatch {
    /// The chunk as single messages for the gateway's pair-to-pair call.
    pub fn messages(&self) -> Vec<SmsMessage> {
        self.to
            .iter()
            .enumerate()
            .map(|(i, to)| SmsMessage {
                to: to.clone(),
                content: SmsContent::Text {
                    text: self.texts.get(i).unwrap_or(&self.text).clone(),
                },
                local_id: self.local_ids.get(i).cloned().unwrap_or_default(),
            })
            .collect()
    }
}

/// The local id of the message at `position` of the chunk sent by job `job_id`.
pub(crate) fn batch_local_id(job_id: Uuid, position: usize) -> String {
    format!("{}-{position}", job_id.simple())
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
    /// The message; may hold placeholders. Empty with a `template_id`: the template's text.
    pub text: String,
    /// The saved template the campaign starts from.
    pub template_id: Option<Uuid>,
    /// Send at this moment rather than now (RFC 3339).
    #[serde(with = "time::serde::rfc3339::option")]
    pub scheduled_at: Option<OffsetDateTime>,
    /// Send on this day instead (in the user's calendar, as date inputs are typed) …
    pub send_date: Option<String>,
    /// … at this time of day in Iran (`HH:MM`; 09:00 when left out).
    pub send_time: Option<String>,
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
    /// SMS segments the first recipient's text takes (each is charged).
    pub segments: usize,
    /// The text the campaign would send, placeholders as written (the template's when none
    /// was typed).
    pub text: String,
    /// The text the first recipient gets, placeholders filled.
    pub first_text: Option<String>,
    /// Its length in characters.
    pub length: usize,
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
    /// `scheduled`, `cancelled`, `started` or `failed`.
    pub state: String,
    /// When it starts or started, for a scheduled campaign.
    #[serde(with = "time::serde::rfc3339::option")]
    pub scheduled_at: Option<OffsetDateTime>,
    /// The saved template it started from.
    pub template_id: Option<Uuid>,
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

/// One number a campaign sends to: the (first) contact with it and that contact's values
/// for the placeholders.
pub(crate) struct Recipient {
    contact_id: Uuid,
    facts: ContactFacts,
    /// The contact's account, whose name `{{company}}` stands for.
    account_id: Option<Uuid>,
}

/// The numbers a campaign sends to, with their contacts, and who was left out.
#[derive(Default)]
pub(crate) struct Selection {
    numbers: BTreeMap<String, Recipient>,
    pub(crate) not_allowed: usize,
    pub(crate) no_number: usize,
}

impl Selection {
    /// How many numbers it reaches.
    pub(crate) fn len(&self) -> usize {
        self.numbers.len()
    }

    fn consider(&mut self, contact: &RecordView) {
        let allowed = contact.get("consent_sms") == &Value::Bool(true)
            && contact.get("opted_out") != &Value::Bool(true);
        if !allowed {
            self.not_allowed += 1;
            return;
        }
        match text_of(contact, "mobile").or_else(|| text_of(contact, "phone")) {
            Some(number) => {
                let text = |name| text_of(contact, name).unwrap_or_default().to_owned();
                self.numbers
                    .entry(number.to_owned())
                    .or_insert_with(|| Recipient {
                        contact_id: contact.id,
                        facts: ContactFacts {
                            first_name: text("first_name"),
                            last_name: text("last_name"),
                            company: String::new(),
                        },
                        account_id: contact.get("account_id").as_id(),
                    });
            }
            None => self.no_number += 1,
        }
    }

    /// Who it reaches, with the first recipient's text (or the text itself when nobody).
    fn audience(&self, text: &str) -> Audience {
        let first = match self.numbers.values().next() {
            Some(recipient) => personal_text(text, &recipient.facts),
            None => text.to_owned(),
        };
        Audience {
            recipients: self.numbers.len(),
            not_allowed: self.not_allowed,
            no_number: self.no_number,
            segments: segments(&first),
            length: first.chars().count(),
            text: text.to_owned(),
            first_text: (!first.is_empty()).then_some(first),
        }
    }
}

/// `text` with one contact's values; a text that somehow does not check is sent as typed
/// rather than not at all (every text is checked before it is accepted).
fn personal_text(text: &str, facts: &ContactFacts) -> String {
    sms_templates::render(text, facts).unwrap_or_else(|_| text.to_owned())
}

pub(crate) fn require_bulk_right(session: &Session) -> AppResult<()> {
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

/// Checks a campaign's text: present, not too long, and only known placeholders.
pub(crate) fn validate_text(text: &str, errors: &mut ValidationErrors) {
    if text.trim().is_empty() {
        errors.add("text", FieldError::REQUIRED);
    } else if text.chars().count() > MAX_TEXT {
        errors.add("text", FieldError::TOO_LONG);
    } else if sms_templates::check(text).is_err() {
        errors.add("text", UNKNOWN_PLACEHOLDER);
    }
}

/// The placeholder of a campaign's text that is not known, if any (for naming it).
pub fn unknown_placeholder(text: &str) -> Option<String> {
    sms_templates::check(text).err()
}

impl App {
    /// Reads every contact the list filters choose that `session` may export, page by page;
    /// for a text with placeholders, also the names of their accounts (those the user may read).
    pub(crate) async fn select_recipients(
        &self,
        session: &Session,
        input: &CampaignInput,
        text: &str,
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
                None => break,
            }
        }
        if sms_templates::uses(text, "company") {
            let ids: Vec<Uuid> = selection
                .numbers
                .values()
                .filter_map(|r| r.account_id)
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            let mut names = BTreeMap::new();
            for chunk in ids.chunks(500) {
                names.extend(self.titles(session, RecordKind::Account, chunk).await?);
            }
            for recipient in selection.numbers.values_mut() {
                if let Some(name) = recipient.account_id.and_then(|id| names.get(&id)) {
                    recipient.facts.company = name.clone();
                }
            }
        }
        Ok(selection)
    }

    /// The campaign's text: as typed, else its template's (which the user must be able to
    /// read).
    async fn campaign_text(&self, session: &Session, input: &CampaignInput) -> AppResult<String> {
        if !input.text.trim().is_empty() {
            return Ok(input.text.trim().to_owned());
        }
        let Some(template_id) = input.template_id else {
            return Ok(String::new());
        };
        let template = self
            .get(session, RecordKind::SmsTemplate, template_id)
            .await
            .map_err(|error| match error {
                AppError::NotFound | AppError::Forbidden => {
                    AppError::field("template_id", FieldError::NOT_FOUND)
                }
                other => other,
            })?;
        Ok(text_of(&template, "body")
            .unwrap_or_default()
            .trim()
            .to_owned())
    }

    /// Who a campaign with these filters would reach, and the first recipient's text, for
    /// the user to see before confirming.
    pub async fn campaign_audience(
        &self,
        session: &Session,
        input: &CampaignInput,
    ) -> AppResult<Audience> {
        require_bulk_right(session)?;
        let text = self.campaign_text(session, input).await?;
        if sms_templates::check(&text).is_err() {
            return Err(AppError::field("text", UNKNOWN_PLACEHOLDER));
        }
        let selection = self.select_recipients(session, input, &text).await?;
        Ok(selection.audience(&text))
    }

    /// Sends a campaign, now or at a later moment. Now: chooses the recipients again (the list
    /// may have changed since the preview), and queues one job per [`CHUNK`] numbers with the
    /// campaign's record, in one transaction. Later: records the campaign as scheduled with a
    /// job due at its moment (see [`crate::sms_schedule`]). Refused without `confirm`, without
    /// recipients, or without an SMS gateway.
    pub async fn send_campaign(
        &self,
        session: &Session,
        input: &CampaignInput,
    ) -> AppResult<CampaignView> {
        require_bulk_right(session)?;
        let text = self.campaign_text(session, input).await?;
        let mut errors = ValidationErrors::new();
        validate_text(&text, &mut errors);
        if !input.confirm {
            errors.add("confirm", FieldError::REQUIRED);
        }
        let now = self.now();
        let scheduled_at = crate::sms_schedule::scheduled_moment(session, input, now, &mut errors);
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        let selection = self.select_recipients(session, input, &text).await?;
        if selection.numbers.is_empty() {
            return Err(AppError::field("recipients", FieldError::REQUIRED));
        }
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
            text,
            filter: filter.to_string(),
            recipients: selection.numbers.len() as i64,
            not_allowed: selection.not_allowed as i64,
            no_number: selection.no_number as i64,
            state: match scheduled_at {
                Some(_) => campaign_state::SCHEDULED,
                None => campaign_state::STARTED,
            }
            .to_owned(),
            scheduled_at,
            template_id: input.template_id,
        };
        tx.insert_campaign(&campaign).await?;
        match scheduled_at {
            Some(at) => crate::sms_schedule::queue_start(&mut tx, campaign.id, at, now).await?,
            None => {
                self.queue_recipients(&mut tx, campaign.id, &campaign.text, selection, now)
                    .await?
            }
        }
        tx.insert_audit(&peyvand_store::AuditRow {
            id: Uuid::now_v7(),
            record_kind: "sms_campaign".to_owned(),
            record_id: campaign.id,
            action: "create".to_owned(),
            actor_id: Some(session.actor.user_id),
            at: now,
            changes: json!({"text": campaign.text, "filter": filter,
                "recipients": campaign.recipients, "template_id": campaign.template_id,
                "scheduled_at": scheduled_at.map(|at| at.unix_timestamp())})
            .to_string(),
        })
        .await?;
        tx.commit().await?;
        self.wake_worker();
        self.campaign(session, campaign.id).await
    }

    /// Queues a campaign's messages in `tx`: one job per chunk of the gateway's bulk call (a
    /// text per number when the text is personal), or one single SMS per number for a gateway
    /// without one; and a row per recipient naming its job.
    pub(crate) async fn queue_recipients(
        &self,
        tx: &mut Tx,
        campaign_id: Uuid,
        text: &str,
        selection: Selection,
        now: OffsetDateTime,
    ) -> AppResult<()> {
        let personal = sms_templates::is_personal(text);
        let numbers: Vec<(String, Recipient)> = selection.numbers.into_iter().collect();
        // A gateway without a bulk call gets one job per number (chunks of one).
        let bulk = self.channels().sms.and_then(|sms| sms.bulk_limit());
        let chunk_size = bulk.map_or(1, |limit| limit.clamp(1, CHUNK));
        for chunk in numbers.chunks(chunk_size) {
            let to: Vec<String> = chunk.iter().map(|(number, _)| number.clone()).collect();
            let texts: Vec<String> = match personal {
                true => chunk
                    .iter()
                    .map(|(_, r)| personal_text(text, &r.facts))
                    .collect(),
                false => Vec::new(),
            };
            let job = match bulk {
                Some(_) => Job::SmsBatch(SmsBatch {
                    campaign_id,
                    text: if personal {
                        String::new()
                    } else {
                        text.to_owned()
                    },
                    to,
                    texts,
                    local_ids: Vec::new(),
                }),
                None => Job::CampaignSms(SmsMessage {
                    to: to.into_iter().next().unwrap_or_default(),
                    content: SmsContent::Text {
                        text: texts.into_iter().next().unwrap_or_else(|| text.to_owned()),
                    },
                    local_id: String::new(),
                }),
            };
            let job_id = queue_in(tx, job, now).await?;
            let recipients: Vec<CampaignRecipient> = chunk
                .iter()
                .map(|(phone, recipient)| CampaignRecipient {
                    contact_id: recipient.contact_id,
                    phone: phone.clone(),
                    job_id,
                })
                .collect();
            tx.insert_campaign_recipients(campaign_id, &recipients, now)
                .await?;
        }
        Ok(())
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
        state: row.state,
        scheduled_at: row.scheduled_at,
        template_id: row.template_id,
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
            texts: vec![],
            local_ids: vec![],
        };
        assert_eq!(batch_summary(&batch), "+989120000001 (+1)");
    }
}

#[cfg(test)]
mod batch_tests {
    use super::*;

    #[test]
    fn a_personal_chunk_gives_each_number_its_text_and_local_id() {
        let job = Uuid::now_v7();
        let batch = SmsBatch {
            campaign_id: Uuid::nil(),
            text: String::new(),
            to: vec!["+989120000001".into(), "+989120000002".into()],
            texts: vec!["سلام مریم".into(), "سلام علی".into()],
            local_ids: vec![batch_local_id(job, 0), batch_local_id(job, 1)],
        };
        let messages = batch.messages();
        assert_eq!(messages[1].to, "+989120000002");
        assert_eq!(
            messages[1].content,
            SmsContent::Text {
                text: "سلام علی".into()
            }
        );
        assert_eq!(messages[1].local_id, format!("{}-1", job.simple()));
        // A chunk queued before personal texts existed still reads, with its one text.
        let old: SmsBatch = serde_json::from_value(
            json!({"campaign_id": Uuid::nil(), "text": "hi", "to": ["+989120000001"]}),
        )
        .unwrap();
        assert_eq!(
            old.messages()[0].content,
            SmsContent::Text { text: "hi".into() }
        );
    }
}
