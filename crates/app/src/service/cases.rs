//! Use cases of cases: status changes along the status machine, internal notes and replies kept
//! apart, reassignment recorded in the audit trail, and the service-level clocks as the case's
//! viewer sees them now.

use peyvand_domain::permission::{Action, RecordKind};
use peyvand_domain::record::{self, Fields, Value};
use peyvand_domain::service::case_flow::{self, CaseStatus, EntryKind};
use peyvand_domain::service::notices::CaseEvent;
use peyvand_domain::service::sla::{self, ClockState};
use peyvand_domain::validation::FieldError;
use peyvand_store::{CaseEntryRow, RecordRow, Tx};
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

use super::notices::notify_customer;
use super::setup;
use crate::App;
use crate::auth::Session;
use crate::error::{AppError, AppResult};
use crate::records::{RecordView, audit, diff, read_checked, view};
use crate::writes::{check_placement, check_references, stored_row};

/// An entry on a case as shown to staff.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CaseEntry {
    /// Id.
    pub id: Uuid,
    /// `internal_note` or `reply`.
    pub kind: &'static str,
    /// The text.
    pub body: String,
    /// Who wrote it.
    pub author_id: Option<Uuid>,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// One service-level clock of a case.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SlaClock {
    /// When it is due.
    #[serde(with = "time::serde::rfc3339")]
    pub due: OffsetDateTime,
    /// `met`, `missed`, `running`, `breached`, or `paused` while the case waits for the
    /// customer.
    pub state: &'static str,
    /// Working minutes left while running (or when the pause began), or past due while
    /// breached (negative); none once done.
    pub working_minutes_left: Option<i64>,
}

/// The service-level clocks of a case (absent when no target applies to its priority and
/// customer class) and the target they follow.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CaseSla {
    /// Until the first reply to the customer.
    pub first_response: Option<SlaClock>,
    /// Until the case is resolved.
    pub resolution: Option<SlaClock>,
    /// The class of the case's customer when the case was opened.
    pub customer_class: Option<String>,
    /// The target whose hours set the clocks; absent when none applied or it was deleted.
    pub target: Option<AppliedTarget>,
}

/// The service-level target a case's clocks were set from, as it is set now.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AppliedTarget {
    /// The target's id (an `sla-targets` record).
    pub id: Uuid,
    /// The priority it is for.
    pub priority: String,
    /// The customer class it is for; `None` when it is the priority's target for every class.
    pub customer_class: Option<String>,
    /// Working hours until the first response.
    pub first_response_hours: i64,
    /// Working hours until the resolution.
    pub resolution_hours: i64,
}

/// The target named by a case, read whoever asks: the case's viewer sees which target its
/// clocks follow even without a right on the set-up table.
async fn applied_target(tx: &mut Tx, case: &RecordRow) -> AppResult<Option<AppliedTarget>> {
    let Some(id) = case.fields.get("sla_target_id").and_then(Value::as_id) else {
        return Ok(None);
    };
    let Some(row) = tx.get_record(&record::SLA_TARGETS, id).await? else {
        return Ok(None);
    };
    Ok(Some(AppliedTarget {
        id,
        priority: setup::text(&row, "priority").unwrap_or_default(),
        customer_class: setup::text(&row, "customer_class").filter(|c| !c.trim().is_empty()),
        first_response_hours: setup::int(&row, "first_response_hours").unwrap_or(0),
        resolution_hours: setup::int(&row, "resolution_hours").unwrap_or(0),
    }))
}

fn time_of(fields: &Fields, name: &str) -> Option<OffsetDateTime> {
    match fields.get(name) {
        Some(Value::Time(at)) => Some(*at),
        _ => None,
    }
}

fn status_of(row: &RecordRow) -> AppResult<CaseStatus> {
    row.fields
        .get("status")
        .and_then(Value::as_text)
        .and_then(CaseStatus::parse)
        .ok_or_else(|| AppError::Internal("a case without a valid status".into()))
}

/// Writes system changes of a case with a new version and an audit entry named `action`.
pub(super) async fn write_case(
    tx: &mut Tx,
    now: OffsetDateTime,
    session: &Session,
    row: &RecordRow,
    changes: Fields,
    action: &str,
) -> AppResult<RecordView> {
    let schema = session.schema(RecordKind::Case);
    let mut merged = row.fields.clone();
    merged.extend(changes.clone());
    let search = record::search_text(schema, &merged);
    if !tx
        .update_record(schema, row.id, row.version, now, &changes, &search, &[])
        .await?
    {
        return Err(AppError::VersionConflict);
    }
    audit(
        tx,
        now,
        session,
        RecordKind::Case,
        row.id,
        action,
        diff(&row.fields, &changes, false),
    )
    .await?;
    Ok(view(
        session,
        schema,
        stored_row(schema, row.id, row.version + 1, merged, now, None),
    ))
}

pub(crate) async fn transition_in(
    tx: &mut Tx,
    now: OffsetDateTime,
    session: &Session,
    id: Uuid,
    to: &str,
) -> AppResult<RecordView> {
    let (row, _) = read_checked(tx, session, RecordKind::Case, id, Action::Update).await?;
    let to = CaseStatus::parse(to).ok_or(AppError::field("status", FieldError::INVALID_CHOICE))?;
    let from = status_of(&row)?;
    case_flow::check_transition(from, to).map_err(|e| AppError::InvalidTransition {
        from: e.from.code(),
        to: e.to.code(),
    })?;
    let mut changes = Fields::from([("status".into(), Value::Text(to.code().into()))]);
    match to {
        CaseStatus::Resolved => {
            changes.insert("resolved_at".into(), Value::Time(now));
        }
        CaseStatus::Closed => {
            changes.insert("closed_at".into(), Value::Time(now));
        }
        _ if case_flow::is_reopen(from, to) => {
            changes.insert("resolved_at".into(), Value::Null);
            changes.insert("closed_at".into(), Value::Null);
        }
        _ => {}
    }
    pause_or_resume_clocks(tx, now, &row.fields, from, to, &mut changes).await?;
    let action = if case_flow::is_reopen(from, to) {
        "reopen"
    } else {
        "status"
    };
    if to == CaseStatus::Closed {
        let survey = super::surveys::open_survey(tx, now, row.id, &row.fields).await?;
        notify_customer(tx, now, &row.fields, CaseEvent::Closed, None, Some(&survey)).await?;
    }
    write_case(tx, now, session, &row, changes, action).await
}

/// Waiting for the customer stops the service-level clocks; leaving that status moves the due
/// moments still ahead later by the working time of the wait, in the branch's calendar.
async fn pause_or_resume_clocks(
    tx: &mut Tx,
    now: OffsetDateTime,
    fields: &Fields,
    from: CaseStatus,
    to: CaseStatus,
    changes: &mut Fields,
) -> AppResult<()> {
    if to == CaseStatus::WaitingCustomer {
        changes.insert("sla_paused_at".into(), Value::Time(now));
        return Ok(());
    }
    let Some(paused_at) = time_of(fields, "sla_paused_at") else {
        return Ok(());
    };
    debug_assert_eq!(from, CaseStatus::WaitingCustomer);
    let branch = fields.get("branch_id").and_then(Value::as_id);
    let calendar = setup::work_calendar(tx, branch).await?;
    let still_running = [
        ("first_response_due", time_of(fields, "first_response_at")),
        ("resolution_due", None),
    ];
    for (name, stopped) in still_running {
        if stopped.is_none()
            && let Some(due) = time_of(fields, name)
        {
            let moved = sla::resume_due(&calendar, due, paused_at, now);
            changes.insert(name.into(), Value::Time(moved));
        }
    }
    changes.insert("sla_paused_at".into(), Value::Null);
    Ok(())
}

pub(crate) async fn add_entry_in(
    tx: &mut Tx,
    now: OffsetDateTime,
    session: &Session,
    id: Uuid,
    kind: EntryKind,
    body: &str,
) -> AppResult<CaseEntry> {
    let (row, _) = read_checked(tx, session, RecordKind::Case, id, Action::Update).await?;
    let body = body.trim();
    if body.is_empty() {
        return Err(AppError::field("body", FieldError::REQUIRED));
    }
    if body.chars().count() > record::LONG_TEXT_MAX {
        return Err(AppError::field("body", FieldError::TOO_LONG));
    }
    let entry = CaseEntryRow {
        id: Uuid::now_v7(),
        case_id: id,
        entry_kind: kind.code().into(),
        body: body.to_owned(),
        author_id: Some(session.actor.user_id),
        created_at: now,
    };
    tx.insert_case_entry(&entry).await?;
    // The first reply to the customer stops the first-response clock.
    let first_reply =
        kind == EntryKind::Reply && time_of(&row.fields, "first_response_at").is_none();
    let changes = if first_reply {
        Fields::from([("first_response_at".into(), Value::Time(now))])
    } else {
        Fields::new()
    };
    let action = kind.code();
    let mut trail = diff(&row.fields, &changes, false);
    trail["entry"] = json!(entry.id);
    if first_reply {
        let schema = session.schema(RecordKind::Case);
        let mut merged = row.fields.clone();
        merged.extend(changes.clone());
        let search = record::search_text(schema, &merged);
        if !tx
            .update_record(schema, id, row.version, now, &changes, &search, &[])
            .await?
        {
            return Err(AppError::VersionConflict);
        }
    }
    audit(tx, now, session, RecordKind::Case, id, action, trail).await?;
    if kind == EntryKind::Reply {
        notify_customer(tx, now, &row.fields, CaseEvent::Answered, Some(body), None).await?;
    }
    Ok(entry_view(entry))
}

fn entry_view(row: CaseEntryRow) -> CaseEntry {
    CaseEntry {
        id: row.id,
        kind: EntryKind::parse(&row.entry_kind).map_or("internal_note", EntryKind::code),
        body: row.body,
        author_id: row.author_id,
        created_at: row.created_at,
    }
}

async fn reassign_in(
    tx: &mut Tx,
    now: OffsetDateTime,
    session: &Session,
    id: Uuid,
    owner: Uuid,
    team: Option<Uuid>,
) -> AppResult<RecordView> {
    let schema = session.schema(RecordKind::Case);
    let (row, _) = read_checked(tx, session, RecordKind::Case, id, Action::Update).await?;
    let mut changes = Fields::from([
        ("owner_id".into(), Value::Id(owner)),
        ("team_id".into(), team.map_or(Value::Null, Value::Id)),
    ]);
    check_references(tx, session, schema, &changes).await?;
    let mut merged = row.fields.clone();
    merged.extend(changes.clone());
    check_placement(tx, session, schema, id, &merged, Action::Update).await?;
    if status_of(&row)? == CaseStatus::New {
        changes.insert(
            "status".into(),
            Value::Text(CaseStatus::Assigned.code().into()),
        );
    }
    changes.retain(|name, value| row.fields.get(name).unwrap_or(&Value::Null) != value);
    write_case(tx, now, session, &row, changes, "reassign").await
}

fn clock(
    calendar: &peyvand_domain::service::working_time::WorkCalendar,
    due: Option<OffsetDateTime>,
    done: Option<OffsetDateTime>,
    paused_at: Option<OffsetDateTime>,
    now: OffsetDateTime,
) -> Option<SlaClock> {
    let due = due?;
    // A paused clock shows where it stood when the case began to wait; one that was already
    // past due then stays breached.
    let paused_at = paused_at.filter(|_| done.is_none());
    let state = sla::clock_state(calendar, due, done, paused_at.unwrap_or(now));
    if paused_at.is_some()
        && let ClockState::Running(left) = state
    {
        return Some(SlaClock {
            due,
            state: "paused",
            working_minutes_left: Some(left.whole_minutes()),
        });
    }
    let working_minutes_left = match state {
        ClockState::Running(left) => Some(left.whole_minutes()),
        ClockState::Breached(past) => Some(-past.whole_minutes()),
        ClockState::Met | ClockState::MissedDone => None,
    };
    Some(SlaClock {
        due,
        state: state.code(),
        working_minutes_left,
    })
}

impl App {
    /// Moves a case to another status along the status machine; anything else is
    /// [`AppError::InvalidTransition`].
    pub async fn case_transition(
        &self,
        session: &Session,
        id: Uuid,
        to: &str,
    ) -> AppResult<RecordView> {
        let (now, session, to) = (self.now(), session.clone(), to.to_owned());
        self.write(move |tx| {
            Box::pin(async move { transition_in(tx, now, &session, id, &to).await })
        })
        .await
    }

    /// Adds an internal note or a reply to the customer to a case (`kind` is `internal_note` or
    /// `reply`). The first reply stops the first-response clock.
    pub async fn add_case_entry(
        &self,
        session: &Session,
        id: Uuid,
        kind: &str,
        body: &str,
    ) -> AppResult<CaseEntry> {
        // Staff write notes and replies; the customer's own messages come from the portal.
        let kind = EntryKind::parse(kind)
            .filter(|k| *k != EntryKind::Customer)
            .ok_or(AppError::field("kind", FieldError::INVALID_CHOICE))?;
        let (now, session, body) = (self.now(), session.clone(), body.to_owned());
        self.write(move |tx| {
            Box::pin(async move { add_entry_in(tx, now, &session, id, kind, &body).await })
        })
        .await
    }

    /// The entries of a case, oldest first.
    pub async fn case_entries(&self, session: &Session, id: Uuid) -> AppResult<Vec<CaseEntry>> {
        let mut tx = self.store.read().await?;
        read_checked(&mut tx, session, RecordKind::Case, id, Action::Read).await?;
        Ok(tx
            .case_entries(id)
            .await?
            .into_iter()
            .map(entry_view)
            .collect())
    }

    /// Gives a case to another person (and team); recorded as `reassign` in the audit trail. A
    /// new case becomes assigned.
    pub async fn reassign_case(
        &self,
        session: &Session,
        id: Uuid,
        owner: Uuid,
        team: Option<Uuid>,
    ) -> AppResult<RecordView> {
        let (now, session) = (self.now(), session.clone());
        self.write(move |tx| {
            Box::pin(async move { reassign_in(tx, now, &session, id, owner, team).await })
        })
        .await
    }

    /// The service-level clocks of a case as of now, in working time of its branch's calendar.
    pub async fn case_sla(&self, session: &Session, id: Uuid) -> AppResult<CaseSla> {
        let mut tx = self.store.read().await?;
        let (row, _) = read_checked(&mut tx, session, RecordKind::Case, id, Action::Read).await?;
        let branch = row.fields.get("branch_id").and_then(Value::as_id);
        let calendar = setup::work_calendar(&mut tx, branch).await?;
        let now = self.now();
        let at = |name| time_of(&row.fields, name);
        let paused_at = at("sla_paused_at");
        let target = applied_target(&mut tx, &row).await?;
        Ok(CaseSla {
            customer_class: setup::text(&row, "customer_class"),
            target,
            first_response: clock(
                &calendar,
                at("first_response_due"),
                at("first_response_at"),
                paused_at,
                now,
            ),
            resolution: clock(
                &calendar,
                at("resolution_due"),
                at("resolved_at").or(at("closed_at")),
                paused_at,
                now,
            ),
        })
    }
}
