//! A contract's moves: approving (a manager's), returning to draft, activating (which creates
//! the reminder task for the owner) and renewing.

use std::collections::BTreeMap;

use peyvand_domain::calendar::CalendarKind;
use peyvand_domain::contracts::CONTRACT_STATUSES;
use peyvand_domain::contracts::status::{self, ACTIVE, APPROVED, DRAFT, RENEWED};
use peyvand_domain::permission::{Action, RecordKind};
use peyvand_domain::record::{Fields, Input, Value};
use peyvand_domain::validation::FieldError;
use peyvand_store::{RecordRow, Tx};
use uuid::Uuid;

use super::{date, id, int, text};
use crate::App;
use crate::auth::Session;
use crate::error::{AppError, AppResult};
use crate::records::{RecordView, create_in, read_checked, view};
use crate::sales::set_fields;

/// The status code as a static string, for the error that names it.
fn status_code(status: &str) -> &'static str {
    CONTRACT_STATUSES
        .iter()
        .copied()
        .find(|s| *s == status)
        .unwrap_or("draft")
}

impl App {
    /// Moves a contract the user may update to another status: draft ⇄ approved (approving
    /// needs a manager: an update right on contracts reaching beyond one's own) and approved →
    /// active, which creates the reminder task. Any other move is `invalid_transition`.
    pub async fn move_contract(
        &self,
        session: &Session,
        id: Uuid,
        to: String,
    ) -> AppResult<RecordView> {
        let (now, session) = (self.now(), session.clone());
        let system = self.system_session(session.actor.branch_id);
        self.write(move |tx| {
            Box::pin(async move { move_in(tx, now, &session, &system, id, &to).await })
        })
        .await
    }

    /// Renews an active or expired contract: a new draft, linked to it, whose dates follow on
    /// from it for the same length, with the same customer, deal, value and body; the old
    /// contract is marked renewed. Returns the new contract.
    pub async fn renew_contract(&self, session: &Session, id: Uuid) -> AppResult<RecordView> {
        let (now, session) = (self.now(), session.clone());
        self.write(move |tx| Box::pin(async move { renew_in(tx, now, &session, id).await }))
            .await
    }
}

async fn move_in(
    tx: &mut Tx,
    now: time::OffsetDateTime,
    session: &Session,
    system: &Session,
    id: Uuid,
    to: &str,
) -> AppResult<RecordView> {
    let schema = session.schema(RecordKind::Contract);
    let (row, _) = read_checked(tx, session, RecordKind::Contract, id, Action::Update).await?;
    let Some(to) = CONTRACT_STATUSES.iter().copied().find(|s| *s == to) else {
        return Err(AppError::field("status", FieldError::INVALID_CHOICE));
    };
    let from = text(&row.fields, "status");
    if !status::may_move(from, to) {
        return Err(AppError::ContractTransition {
            from: status_code(from),
            to,
        });
    }
    let scope = session
        .actor
        .grants
        .scope(RecordKind::Contract, Action::Update);
    if status::needs_manager(to) && !status::is_manager(scope) {
        return Err(AppError::Forbidden);
    }
    let mut changes = Fields::new();
    changes.insert("status".into(), Value::Text(to.into()));
    match to {
        // The system (demo data, the command line) is nobody: it approves without a name.
        APPROVED if !session.actor.user_id.is_nil() => {
            changes.insert("approved_by".into(), Value::Id(session.actor.user_id));
        }
        DRAFT => {
            changes.insert("approved_by".into(), Value::Null);
        }
        ACTIVE if super::id(&row.fields, "reminder_task_id").is_none() => {
            let task = reminder_task(tx, now, system, &row).await?;
            changes.insert("reminder_task_id".into(), Value::Id(task));
        }
        _ => {}
    }
    let action = if to == APPROVED { "approve" } else { "update" };
    let row = set_fields(tx, now, session, schema, &row, changes, action).await?;
    Ok(view(session, schema, row))
}

/// Creates the task that reminds the contract's owner of its end, linked to the customer and
/// due `reminder_days` before the end date. The system creates it, so it is made whatever the
/// mover's own rights on activities.
async fn reminder_task(
    tx: &mut Tx,
    now: time::OffsetDateTime,
    system: &Session,
    contract: &RecordRow,
) -> AppResult<Uuid> {
    let fields = &contract.fields;
    let (Some(start), Some(end)) = (date(fields, "start_date"), date(fields, "end_date")) else {
        return Err(AppError::field("end_date", FieldError::REQUIRED));
    };
    let days = int(fields, "reminder_days").unwrap_or(status::DEFAULT_REMINDER_DAYS);
    let due = status::reminder_date(start, end, days);
    let number = text(fields, "number");
    let subject = match text(fields, "language") {
        "en" => format!("Contract {number} ends: renew or close it"),
        _ => format!("پایان قرارداد {number}: تمدید یا بستن"),
    };
    let mut inputs: BTreeMap<String, Input> = BTreeMap::new();
    let mut put = |name: &str, value: String| {
        inputs.insert(name.to_owned(), Input::Text(value));
    };
    put("activity_type", "task".into());
    put("subject", subject);
    put("status", "open".into());
    put("priority", "normal".into());
    put("due_date", due.to_string());
    put("description", text(fields, "title").to_owned());
    for name in ["account_id", "contact_id", "owner_id", "branch_id"] {
        if let Some(value) = id(fields, name) {
            put(name, value.to_string());
        }
    }
    let task = create_in(
        tx,
        now,
        system,
        RecordKind::Activity,
        &inputs,
        CalendarKind::Gregorian,
        &[],
    )
    .await?;
    Ok(task.id)
}

async fn renew_in(
    tx: &mut Tx,
    now: time::OffsetDateTime,
    session: &Session,
    id: Uuid,
) -> AppResult<RecordView> {
    let schema = session.schema(RecordKind::Contract);
    let (old, _) = read_checked(tx, session, RecordKind::Contract, id, Action::Update).await?;
    let from = text(&old.fields, "status");
    if !status::may_renew(from) {
        return Err(AppError::ContractTransition {
            from: status_code(from),
            to: RENEWED,
        });
    }
    let (Some(start), Some(end)) = (
        date(&old.fields, "start_date"),
        date(&old.fields, "end_date"),
    ) else {
        return Err(AppError::field("end_date", FieldError::REQUIRED));
    };
    let (new_start, new_end) = status::renewal_dates(start, end);
    let mut inputs: BTreeMap<String, Input> = BTreeMap::new();
    for name in [
        "title",
        "account_id",
        "contact_id",
        "opportunity_id",
        "quote_id",
        "template_id",
        "language",
        "body",
        "description",
        "owner_id",
        "branch_id",
    ] {
        let value = match old.fields.get(name) {
            Some(Value::Id(value)) => value.to_string(),
            Some(Value::Text(value)) => value.clone(),
            _ => continue,
        };
        inputs.insert(name.to_owned(), Input::Text(value));
    }
    for name in ["value", "reminder_days"] {
        if let Some(n) = int(&old.fields, name) {
            inputs.insert(name.to_owned(), Input::Int(n));
        }
    }
    inputs.insert("start_date".into(), Input::Text(new_start.to_string()));
    inputs.insert("end_date".into(), Input::Text(new_end.to_string()));
    let created = create_in(
        tx,
        now,
        session,
        RecordKind::Contract,
        &inputs,
        CalendarKind::Gregorian,
        &[],
    )
    .await?;
    let new_row = tx
        .get_record(schema, created.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let link = Fields::from([("renews_id".into(), Value::Id(old.id))]);
    let new_row = set_fields(tx, now, session, schema, &new_row, link, "update").await?;
    let mut old_changes = Fields::new();
    old_changes.insert("status".into(), Value::Text(RENEWED.into()));
    old_changes.insert("renewed_by_id".into(), Value::Id(created.id));
    set_fields(tx, now, session, schema, &old, old_changes, "renew").await?;
    Ok(view(session, schema, new_row))
}
