//! Telling customers about their cases: when a case is received, answered and closed, the
//! case's contact hears of it through each channel they allowed (`consent_email`,
//! `consent_sms`, and never after `opted_out`) that an administrator has set up, in their
//! preferred language. The messages are
//! queued in the transaction of the change, so they go exactly when the change is made.

use peyvand_domain::record::{CONTACTS, Fields, Value};
use peyvand_domain::service::notices::{CaseEvent, CaseFacts, case_notice_with};
use peyvand_store::Tx;
use time::OffsetDateTime;

use crate::error::AppResult;
use crate::jobs::{Job, queue_in};
use crate::notify::{EmailMessage, SmsContent, SmsMessage};

fn text<'a>(fields: &'a Fields, name: &str) -> Option<&'a str> {
    fields
        .get(name)
        .and_then(Value::as_text)
        .filter(|t| !t.is_empty())
}

fn allowed(fields: &Fields, consent: &str) -> bool {
    fields.get(consent) == Some(&Value::Bool(true))
        && fields.get("opted_out") != Some(&Value::Bool(true))
}

/// Queues the notices of `event` for the contact of the case with `case` fields; `reply` is the
/// reply's text when the event is an answer, `survey` the token of the satisfaction survey
/// when the case closes (its link needs the server's public address in the settings). A case
/// without a contact, or a contact who allowed no channel, is told nothing.
pub(crate) async fn notify_customer(
    tx: &mut Tx,
    now: OffsetDateTime,
    case: &Fields,
    event: CaseEvent,
    reply: Option<&str>,
    survey: Option<&str>,
) -> AppResult<()> {
    let Some(contact_id) = case.get("contact_id").and_then(Value::as_id) else {
        return Ok(());
    };
    // A channel nobody set up sends nothing; queuing for it would only pile up failures.
    let channels = crate::notify_settings::configured(tx).await?;
    if channels.smtp.is_none() && channels.sms.is_none() {
        return Ok(());
    }
    let Some(contact) = tx.get_record(&CONTACTS, contact_id).await? else {
        return Ok(());
    };
    let contact = contact.fields;
    let locale = text(&contact, "preferred_language").unwrap_or("fa");
    let link = survey
        .filter(|_| !channels.public_url.is_empty())
        .map(|token| format!("{}/survey/{token}", channels.public_url));
    // The administrator's edited texts, read in this transaction like the channels.
    let overrides = crate::notice_templates::overrides_in(tx).await?;
    let facts = CaseFacts {
        number: text(case, "number").unwrap_or_default(),
        subject: text(case, "subject").unwrap_or_default(),
        reply,
        survey: link.as_deref(),
    };
    let notice = case_notice_with(&overrides, locale, event, facts);
    if channels.smtp.is_some()
        && allowed(&contact, "consent_email")
        && let Some(email) = text(&contact, "email")
    {
        let message = EmailMessage {
            to: email.to_owned(),
            subject: notice.subject.clone(),
            text: notice.text.clone(),
            message_id: String::new(),
        };
        queue_in(tx, Job::Email(message), now).await?;
    }
    let phone = text(&contact, "mobile").or_else(|| text(&contact, "phone"));
    if channels.sms.is_some()
        && allowed(&contact, "consent_sms")
        && let Some(phone) = phone
    {
        let message = SmsMessage {
            to: phone.to_owned(),
            content: SmsContent::Text { text: notice.sms },
            local_id: String::new(),
        };
        queue_in(tx, Job::Sms(message), now).await?;
    }
    Ok(())
}
