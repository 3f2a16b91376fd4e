//! The service-level sweep: cases whose first-response or resolution clock ran out are
//! escalated once — marked, reassigned when their target says so, and their manager told by
//! email — all in one transaction per batch, so a restart neither misses a breach nor tells
//! anyone twice. The worker runs the sweep every [`crate::jobs::SWEEP_EVERY`].

use std::collections::HashMap;

use peyvand_domain::permission::RowFilter;
use peyvand_domain::record::{self, CASES, Fields, ROLES, SLA_TARGETS, USERS, Value};
use peyvand_domain::service::notices::{SlaClockKind, breach_notice};
use peyvand_store::sla::{ClockColumns, FIRST_RESPONSE, RESOLUTION};
use peyvand_store::{RecordsWhere, Tx};
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

use super::setup;
use crate::App;
use crate::error::{AppError, AppResult};
use crate::jobs::{Job, queue_in};
use crate::notify::EmailMessage;

/// Cases escalated per transaction.
const SWEEP_BATCH: u64 = 500;

/// What a target says about its breaches.
#[derive(Debug, Clone, Copy, Default)]
struct Escalation {
    to: Option<Uuid>,
    reassign: bool,
}

/// Who breaches go to, found once per sweep.
struct Recipients {
    /// What each target says, by its id: a case follows the target its clocks were set from.
    by_target: HashMap<Uuid, Escalation>,
    /// The general target of each priority, for cases opened before cases noted their target.
    by_priority: HashMap<String, Escalation>,
    managers: HashMap<Uuid, Option<Uuid>>,
    manager_role: Option<Uuid>,
    email_configured: bool,
}

impl Recipients {
    async fn load(tx: &mut Tx) -> AppResult<Recipients> {
        let mut by_target = HashMap::new();
        let mut by_priority = HashMap::new();
        for row in setup::all_rows(tx, &SLA_TARGETS).await? {
            let escalation = Escalation {
                to: setup::id(&row, "escalate_to_id"),
                reassign: row.fields.get("reassign_on_breach") == Some(&Value::Bool(true)),
            };
            by_target.insert(row.id, escalation);
            let general = setup::text(&row, "customer_class").is_none_or(|c| c.trim().is_empty());
            if general && let Some(priority) = setup::text(&row, "priority") {
                by_priority.insert(priority, escalation);
            }
        }
        let manager_role = setup::all_rows(tx, &ROLES)
            .await?
            .iter()
            .find(|row| setup::text(row, "name").as_deref() == Some("branch_manager"))
            .map(|row| row.id);
        Ok(Recipients {
            by_target,
            by_priority,
            managers: HashMap::new(),
            manager_role,
            email_configured: crate::notify_settings::configured(tx).await?.smtp.is_some(),
        })
    }

    /// The target's person, or else an enabled branch manager of the case's branch.
    async fn recipient(
        &mut self,
        tx: &mut Tx,
        case: &Fields,
        branch: Option<Uuid>,
    ) -> AppResult<(Option<Uuid>, bool)> {
        let target = case.get("sla_target_id").and_then(Value::as_id);
        let escalation = match target.and_then(|t| self.by_target.get(&t)) {
            Some(escalation) => *escalation,
            None => self
                .by_priority
                .get(text(case, "priority"))
                .copied()
                .unwrap_or_default(),
        };
        if escalation.to.is_some() {
            return Ok((escalation.to, escalation.reassign));
        }
        let (Some(branch), Some(role)) = (branch, self.manager_role) else {
            return Ok((None, escalation.reassign));
        };
        if let Some(known) = self.managers.get(&branch) {
            return Ok((*known, escalation.reassign));
        }
        let managers = tx
            .records_where(&RecordsWhere {
                schema: &USERS,
                access: &RowFilter::Everything,
                equals: vec![
                    ("role_id", Value::Id(role)),
                    ("branch_id", Value::Id(branch)),
                ],
                people: None,
                date_between: None,
                due_by: None,
                not_in: None,
                order_by: "created_at",
                limit: 10,
            })
            .await?;
        let manager = managers
            .iter()
            .find(|user| user.fields.get("disabled") != Some(&Value::Bool(true)))
            .map(|user| user.id);
        self.managers.insert(branch, manager);
        Ok((manager, escalation.reassign))
    }
}

fn text<'a>(fields: &'a Fields, name: &str) -> &'a str {
    fields
        .get(name)
        .and_then(Value::as_text)
        .unwrap_or_default()
}

/// Escalates one breached clock of case `id`.
async fn escalate(
    tx: &mut Tx,
    now: OffsetDateTime,
    recipients: &mut Recipients,
    id: Uuid,
    clock: SlaClockKind,
    columns: ClockColumns,
) -> AppResult<()> {
    let Some(case) = tx.get_record(&CASES, id).await? else {
        return Ok(());
    };
    let branch = case.fields.get("branch_id").and_then(Value::as_id);
    let (recipient, reassign) = recipients.recipient(tx, &case.fields, branch).await?;
    let mut changes = Fields::from([(columns.escalated.into(), Value::Time(now))]);
    let owner = case.fields.get("owner_id").and_then(Value::as_id);
    if reassign
        && let Some(user) = recipient
        && Some(user) != owner
    {
        changes.insert("owner_id".into(), Value::Id(user));
    }
    let mut merged = case.fields.clone();
    merged.extend(changes.clone());
    let search = record::search_text(&CASES, &merged);
    if !tx
        .update_record(&CASES, id, case.version, now, &changes, &search, &[])
        .await?
    {
        return Err(AppError::VersionConflict);
    }
    let trail = json!({
        "clock": clock.code(),
        "escalated_to": recipient,
        "owner_id": changes.get("owner_id").map(|_| json!([owner, recipient])),
    });
    tx.insert_audit(&peyvand_store::AuditRow {
        id: Uuid::now_v7(),
        record_kind: "case".to_owned(),
        record_id: id,
        action: "sla_breach".to_owned(),
        actor_id: None,
        at: now,
        changes: trail.to_string(),
    })
    .await?;
    if recipients.email_configured
        && let Some(user) = recipient
        && let Some(user) = tx.get_record(&USERS, user).await?
        && let Some(email) = user.fields.get("email").and_then(Value::as_text)
    {
        let locale = user
            .fields
            .get("locale")
            .and_then(Value::as_text)
            .unwrap_or("fa");
        let (subject, body) = breach_notice(
            locale,
            clock,
            text(&case.fields, "number"),
            text(&case.fields, "subject"),
        );
        let message = EmailMessage {
            to: email.to_owned(),
            subject,
            text: body,
            message_id: String::new(),
        };
        queue_in(tx, Job::Email(message), now).await?;
    }
    Ok(())
}

impl App {
    /// Escalates every case whose first-response or resolution clock has run out since the last
    /// sweep; returns how many clocks it escalated. Each breach is escalated once: the mark,
    /// the reassignment and the manager's email are written together.
    pub async fn sla_sweep(&self) -> AppResult<usize> {
        let now = self.now();
        let mut escalated = 0;
        let clocks = [
            (SlaClockKind::FirstResponse, FIRST_RESPONSE),
            (SlaClockKind::Resolution, RESOLUTION),
        ];
        for (clock, columns) in clocks {
            loop {
                let mut tx = self.store.write().await?;
                let ids = tx.breached_cases(columns, now, SWEEP_BATCH).await?;
                if ids.is_empty() {
                    break;
                }
                let mut recipients = Recipients::load(&mut tx).await?;
                for id in &ids {
                    escalate(&mut tx, now, &mut recipients, *id, clock, columns).await?;
                }
                tx.commit().await?;
                escalated += ids.len();
                if (ids.len() as u64) < SWEEP_BATCH {
                    break;
                }
            }
        }
        if escalated > 0 {
            self.wake_worker();
        }
        Ok(escalated)
    }
}
