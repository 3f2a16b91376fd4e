//! The rules the generic writes apply to the sales pipeline's kinds: an opportunity's defaults,
//! stage and status (closing, reopening, loss reason), its stage history, and what may not be
//! deleted. `writes::create_in`/`update_in`/`delete_in` call these, so every path that changes
//! an opportunity — forms, the API, the board's move — follows the same rules.

use peyvand_domain::permission::{Action, RecordKind};
use peyvand_domain::pipeline::opportunity::{
    StatusChange, check_loss_reason, cycle_days, may_reopen, status_change,
};
use peyvand_domain::pipeline::{OPPORTUNITIES, PIPELINES};
use peyvand_domain::record::{Fields, Value};
use peyvand_domain::validation::FieldError;
use peyvand_store::{RecordRow, StageEntryRow, Tx};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::auth::Session;
use crate::error::{AppError, AppResult};

fn text<'a>(fields: &'a Fields, name: &str) -> Option<&'a str> {
    fields.get(name).and_then(Value::as_text)
}

fn id_of(fields: &Fields, name: &str) -> Option<Uuid> {
    fields.get(name).and_then(Value::as_id)
}

/// Completes and checks the fields of a record of the sales kinds before it is written; `old`
/// is the stored record on an update (`fields` then holds it merged with the changes).
pub(crate) async fn prepare(
    tx: &mut Tx,
    now: OffsetDateTime,
    session: &Session,
    kind: RecordKind,
    old: Option<&RecordRow>,
    fields: &mut Fields,
) -> AppResult<()> {
    match kind {
        RecordKind::Opportunity => prepare_opportunity(tx, now, session, old, fields).await,
        RecordKind::SalesTarget => {
            super::targets::prepare_target(fields);
            Ok(())
        }
        RecordKind::LossReason if old.is_none() => {
            if fields.get("active").is_none_or(Value::is_null) {
                fields.insert("active".into(), Value::Bool(true));
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

async fn prepare_opportunity(
    tx: &mut Tx,
    now: OffsetDateTime,
    session: &Session,
    old: Option<&RecordRow>,
    fields: &mut Fields,
) -> AppResult<()> {
    let old_fields = old.map(|o| &o.fields);
    if id_of(fields, "account_id").is_none() && id_of(fields, "contact_id").is_none() {
        return Err(AppError::field("account_id", FieldError::REQUIRED));
    }
    if matches!(fields.get("amount"), Some(Value::Int(n)) if *n < 0) {
        return Err(AppError::field("amount", FieldError::INVALID_NUMBER));
    }
    // A deal with product lines has their total as its amount (issue 4 §2).
    if let Some(old) = old
        && old.fields.get("amount") != fields.get("amount")
    {
        super::lines::check_amount(tx, old.id, fields.get("amount")).await?;
    }
    if text(fields, "status").is_none() {
        fields.insert("status".into(), Value::Text("open".into()));
    }
    let pipeline = match id_of(fields, "pipeline_id") {
        Some(pipeline) => pipeline,
        None => {
            let pipeline = super::setup::default_pipeline(tx)
                .await?
                .ok_or_else(|| AppError::field("pipeline_id", FieldError::REQUIRED))?;
            fields.insert("pipeline_id".into(), Value::Id(pipeline));
            pipeline
        }
    };
    let stages = tx.stages_of(Some(pipeline)).await?;
    let pipeline_changed = old_fields.is_some_and(|o| id_of(o, "pipeline_id") != Some(pipeline));
    let stage_given = old_fields.is_none_or(|o| id_of(o, "stage_id") != id_of(fields, "stage_id"));
    let stage = match id_of(fields, "stage_id") {
        // Moving a deal to another pipeline without naming a stage starts it at the first one.
        Some(_) if pipeline_changed && !stage_given => stages.first().map(|s| s.id),
        Some(stage) => Some(stage),
        None => stages.first().map(|s| s.id),
    }
    .ok_or_else(|| AppError::field("pipeline_id", FieldError::INVALID))?;
    if !stages.iter().any(|s| s.id == stage) {
        return Err(AppError::field("stage_id", FieldError::INVALID));
    }
    fields.insert("stage_id".into(), Value::Id(stage));
    let old_stage = old_fields.and_then(|o| id_of(o, "stage_id"));
    let stage_changed = old_stage != Some(stage);
    let status = text(fields, "status").unwrap_or("open").to_owned();
    let old_status = old_fields.and_then(|o| text(o, "status"));
    match status_change(old_status, &status, stage_changed) {
        StatusChange::ReopenOrAlter => {
            let scope = session
                .actor
                .grants
                .scope(RecordKind::Opportunity, Action::Update);
            if !may_reopen(scope) {
                return Err(AppError::ReopenForbidden);
            }
            close_or_open(now, old, &status, fields);
        }
        StatusChange::Close => close_or_open(now, old, &status, fields),
        StatusChange::Unchanged => {}
    }
    if status != "lost" {
        fields.insert("loss_reason_id".into(), Value::Null);
    }
    check_loss_reason(&status, id_of(fields, "loss_reason_id").is_some())
        .map_err(AppError::Validation)?;
    if stage_changed || old_status != Some(status.as_str()) {
        fields.insert("stage_entered_at".into(), Value::Time(now));
    }
    Ok(())
}

/// Sets or clears the moment of closing and the length of the sales cycle for `status`.
fn close_or_open(now: OffsetDateTime, old: Option<&RecordRow>, status: &str, fields: &mut Fields) {
    if peyvand_domain::pipeline::opportunity::is_closed(status) {
        let created = old
            .and_then(|o| match o.fields.get("created_at") {
                Some(Value::Time(at)) => Some(*at),
                _ => None,
            })
            .unwrap_or(now);
        fields.insert("closed_at".into(), Value::Time(now));
        fields.insert("cycle_days".into(), Value::Int(cycle_days(created, now)));
    } else {
        fields.insert("closed_at".into(), Value::Null);
        fields.insert("cycle_days".into(), Value::Null);
    }
}

/// Keeps the stage history in step after an opportunity was written: a stay ends when the deal
/// changes stage or closes, and a new one begins when it enters a stage as an open deal.
pub(crate) async fn after_write(
    tx: &mut Tx,
    now: OffsetDateTime,
    kind: RecordKind,
    id: Uuid,
    old: Option<&Fields>,
    new: &Fields,
) -> AppResult<()> {
    if kind == RecordKind::Pipeline && old.is_none() {
        return super::setup::insert_default_stages(tx, id, now).await;
    }
    if kind != RecordKind::Opportunity {
        return Ok(());
    }
    let changed = |name: &str| old.is_none_or(|o| o.get(name) != new.get(name));
    let open_now = text(new, "status") == Some("open");
    let was_open = old.is_some_and(|o| text(o, "status") == Some("open"));
    let entered = changed("stage_id") || changed("status");
    if old.is_some() && entered && was_open {
        tx.leave_stage(id, now).await?;
    }
    if old.is_some() && (changed("owner_id") || changed("branch_id") || changed("amount")) {
        let (Some(owner), Some(branch)) = (id_of(new, "owner_id"), id_of(new, "branch_id")) else {
            return Ok(());
        };
        let amount = match new.get("amount") {
            Some(Value::Int(n)) => *n,
            _ => 0,
        };
        tx.restamp_stage_history(id, owner, branch, amount).await?;
    }
    if entered && open_now {
        tx.enter_stage(&entry_of(id, new, now)).await?;
    }
    Ok(())
}

fn entry_of(id: Uuid, fields: &Fields, now: OffsetDateTime) -> StageEntryRow {
    StageEntryRow {
        opportunity_id: id,
        pipeline_id: id_of(fields, "pipeline_id").unwrap_or_default(),
        stage_id: id_of(fields, "stage_id").unwrap_or_default(),
        owner_id: id_of(fields, "owner_id").unwrap_or_default(),
        branch_id: id_of(fields, "branch_id").unwrap_or_default(),
        amount: match fields.get("amount") {
            Some(Value::Int(n)) => *n,
            _ => 0,
        },
        entered_at: now,
    }
}

/// Records of the sales kinds that must stay: stages (removed only through the pipeline's stage
/// editor), the last pipeline, pipelines or loss reasons that deals use, and deals that quotes
/// were made from. A deal that may go loses its product lines here.
pub(crate) async fn check_deletable(
    tx: &mut Tx,
    kind: RecordKind,
    row: &RecordRow,
) -> AppResult<()> {
    let in_use = match kind {
        RecordKind::PipelineStage => true,
        RecordKind::Pipeline => {
            let pipelines = tx.id_pairs(PIPELINES.table, "id").await?;
            pipelines.len() <= 1 || column_used(tx, "pipeline_id", row.id).await?
        }
        RecordKind::LossReason => column_used(tx, "loss_reason_id", row.id).await?,
        RecordKind::Opportunity => {
            super::lines::before_delete(tx, row).await?;
            false
        }
        _ => false,
    };
    if in_use { Err(AppError::InUse) } else { Ok(()) }
}

async fn column_used(tx: &mut Tx, column: &str, id: Uuid) -> AppResult<bool> {
    let query = peyvand_store::ListQuery {
        schema: &OPPORTUNITIES,
        access: &peyvand_domain::permission::RowFilter::Everything,
        equals: vec![(column.to_owned(), Value::Id(id))],
        tag: None,
        search: vec![],
        ids: None,
        sort: peyvand_store::SortKey {
            field: "id".into(),
            descending: false,
        },
        after: None,
        limit: 1,
    };
    Ok(tx.count_records(&query).await? > 0)
}
