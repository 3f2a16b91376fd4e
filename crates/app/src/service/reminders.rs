//! Activity reminders by email (PRODUCT.md §4): when an activity's reminder moment comes, its
//! owner and assignees are emailed once — the mark and the queued emails are written in one
//! transaction, so a restart neither misses a reminder nor sends it twice. The in-app list of
//! due reminders (`App::due_reminders`) does not depend on this. The worker runs the sweep
//! every [`crate::jobs::SWEEP_EVERY`].

use std::collections::BTreeSet;

use peyvand_domain::calendar::{CalendarKind, Locale, format_datetime};
use peyvand_domain::record::{ACTIVITIES, Fields, USERS, Value};
use peyvand_domain::service::LOCAL_OFFSET;
use peyvand_domain::service::notices::reminder_notice;
use peyvand_store::Tx;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::App;
use crate::error::AppResult;
use crate::jobs::{Job, queue_in};
use crate::notify::EmailMessage;

/// Reminders sent per transaction.
const SWEEP_BATCH: u64 = 500;

/// The people an activity's reminder goes to: its owner and its assignees, each once.
async fn recipients(tx: &mut Tx, id: Uuid, fields: &Fields) -> AppResult<BTreeSet<Uuid>> {
    let mut people: BTreeSet<Uuid> = fields
        .get("owner_id")
        .and_then(Value::as_id)
        .into_iter()
        .collect();
    let assignees = tx.activity_people(id).await?;
    people.extend(
        assignees
            .into_iter()
            .filter(|p| p.role == "assignee")
            .filter_map(|p| p.user_id),
    );
    Ok(people)
}

/// The reminder email of activity `fields` for `user`, in their language and calendar; none
/// for a disabled user or one without an email address.
fn reminder_for(user: &Fields, activity: &Fields) -> Option<EmailMessage> {
    if user.get("disabled") == Some(&Value::Bool(true)) {
        return None;
    }
    let email = user.get("email").and_then(Value::as_text)?;
    let text = |name: &str| user.get(name).and_then(Value::as_text).unwrap_or_default();
    let locale = Locale::parse(text("locale")).unwrap_or(Locale::Fa);
    let calendar = CalendarKind::parse(text("calendar")).unwrap_or(match locale {
        Locale::Fa => CalendarKind::Jalali,
        _ => CalendarKind::Gregorian,
    });
    let due = match activity.get("due_at") {
        Some(Value::Time(at)) => Some(format_datetime(*at, LOCAL_OFFSET, calendar, locale)),
        _ => None,
    };
    let subject = activity
        .get("subject")
        .and_then(Value::as_text)
        .unwrap_or_default();
    let (title, body) = reminder_notice(locale.code(), subject, due.as_deref());
    Some(EmailMessage {
        to: email.to_owned(),
        subject: title,
        text: body,
        message_id: String::new(),
    })
}

/// Marks one activity's reminder sent and queues its emails (when email is set up).
async fn send_reminder(
    tx: &mut Tx,
    now: OffsetDateTime,
    id: Uuid,
    email_configured: bool,
) -> AppResult<usize> {
    let Some(activity) = tx.get_record(&ACTIVITIES, id).await? else {
        return Ok(0);
    };
    // Bookkeeping of the system: the activity keeps its version, so whoever is editing it
    // meanwhile saves without a conflict.
    tx.set_system_field(&ACTIVITIES, id, "reminder_sent_at", &Value::Time(now))
        .await?;
    if !email_configured {
        return Ok(0);
    }
    let mut queued = 0;
    for user in recipients(tx, id, &activity.fields).await? {
        if let Some(user) = tx.get_record(&USERS, user).await?
            && let Some(message) = reminder_for(&user.fields, &activity.fields)
        {
            queue_in(tx, Job::Email(message), now).await?;
            queued += 1;
        }
    }
    Ok(queued)
}

impl App {
    /// Emails every activity reminder whose moment has come since the last sweep to the
    /// activity's owner and assignees; returns how many reminders it handled. Without email
    /// set up, the reminders are marked handled and stay in the in-app list only, so setting
    /// email up later does not send a backlog of stale reminders.
    pub async fn reminder_sweep(&self) -> AppResult<usize> {
        let now = self.now();
        let mut handled = 0;
        let mut queued = 0;
        loop {
            let mut tx = self.store.write().await?;
            let ids = tx.due_activity_reminders(now, SWEEP_BATCH).await?;
            if ids.is_empty() {
                break;
            }
            let email_configured = crate::notify_settings::configured(&mut tx)
                .await?
                .smtp
                .is_some();
            for id in &ids {
                queued += send_reminder(&mut tx, now, *id, email_configured).await?;
            }
            tx.commit().await?;
            handled += ids.len();
            if (ids.len() as u64) < SWEEP_BATCH {
                break;
            }
        }
        if queued > 0 {
            self.wake_worker();
        }
        Ok(handled)
    }
}
