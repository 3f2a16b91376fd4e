//! Merging duplicate customer records (PRODUCT.md §2): two or three records become one. The
//! person merging picks, field by field, whose value survives; notes, relationships, the audit
//! trail and every reference other records hold move to the surviving record; the others are
//! deleted, and the merge itself is recorded on all of them.

use std::collections::BTreeMap;

use peyvand_domain::permission::{Action, RecordKind};
use peyvand_domain::record::{self, Fields, Value};
use peyvand_domain::validation::FieldError;
use peyvand_store::Tx;
use serde_json::json;
use uuid::Uuid;

use crate::App;
use crate::auth::Session;
use crate::error::{AppError, AppResult};
use crate::match_keys::{sync_keys, touches_keys};
use crate::records::{RecordView, read_checked, view};
use crate::writes::{audit, diff, stored_row};

/// The most records merged at once.
pub const MAX_MERGED: usize = 3;

/// What to merge, and how.
#[derive(Debug, Clone, Default)]
pub struct MergeRequest {
    /// The record that stays.
    pub survivor: Uuid,
    /// The survivor's version as the person saw it (a stale one is a conflict); None skips the
    /// check.
    pub version: Option<i64>,
    /// The records merged into it and then deleted (one or two).
    pub others: Vec<Uuid>,
    /// For fields whose value should come from another record: field name → that record's id.
    /// A field not named keeps the survivor's value, or the first value among the others when
    /// the survivor has none.
    pub picks: BTreeMap<String, Uuid>,
}

fn check_request(request: &MergeRequest) -> AppResult<()> {
    let mut ids = request.others.clone();
    ids.push(request.survivor);
    ids.sort();
    ids.dedup();
    if request.others.is_empty() || ids.len() != request.others.len() + 1 || ids.len() > MAX_MERGED
    {
        return Err(AppError::field("ids", FieldError::INVALID));
    }
    Ok(())
}

/// The survivor's fields after the merge.
fn merged_fields(
    session: &Session,
    kind: RecordKind,
    request: &MergeRequest,
    survivor: &Fields,
    others: &[(Uuid, Fields)],
) -> AppResult<Fields> {
    let schema = session.schema(kind);
    let mut merged = survivor.clone();
    let mut errors = peyvand_domain::validation::ValidationErrors::new();
    for def in schema.fields.iter().filter(|f| f.writable) {
        if session.actor.grants.is_hidden(kind, def.name) {
            continue;
        }
        let picked = match request.picks.get(def.name) {
            Some(source) if *source == request.survivor => continue,
            Some(source) => match others.iter().find(|(id, _)| id == source) {
                Some((_, fields)) => fields.get(def.name).cloned(),
                None => {
                    errors.add(def.name, FieldError::INVALID);
                    continue;
                }
            },
            None if survivor.get(def.name).is_none_or(Value::is_null) => others
                .iter()
                .filter_map(|(_, fields)| fields.get(def.name))
                .find(|v| !v.is_null())
                .cloned(),
            None => continue,
        };
        merged.insert(def.name.into(), picked.unwrap_or(Value::Null));
    }
    for name in request.picks.keys() {
        if schema.field(name).is_none_or(|f| !f.writable)
            || session.actor.grants.is_hidden(kind, name)
        {
            errors.add(name.clone(), FieldError::UNKNOWN_FIELD);
        }
    }
    errors.into_result().map_err(AppError::Validation)?;
    for def in schema.fields.iter().filter(|f| f.required) {
        if merged.get(def.name).is_none_or(Value::is_null) {
            return Err(AppError::field(def.name, FieldError::REQUIRED));
        }
    }
    Ok(merged)
}

async fn merge_in(
    tx: &mut Tx,
    now: time::OffsetDateTime,
    session: &Session,
    kind: RecordKind,
    request: &MergeRequest,
) -> AppResult<RecordView> {
    check_request(request)?;
    let schema = session.schema(kind);
    let (survivor, _) = read_checked(tx, session, kind, request.survivor, Action::Update).await?;
    if request.version.is_some_and(|v| v != survivor.version) {
        return Err(AppError::VersionConflict);
    }
    let mut others = Vec::new();
    for id in &request.others {
        let (row, _) = read_checked(tx, session, kind, *id, Action::Delete).await?;
        others.push((row.id, row.fields));
    }
    let merged = merged_fields(session, kind, request, &survivor.fields, &others)?;
    let changes: Fields = merged
        .iter()
        .filter(|(name, value)| survivor.fields.get(*name) != Some(*value))
        .map(|(name, value)| (name.clone(), value.clone()))
        .collect();
    // The survivor is placed where the actor may put it, like any update.
    let placement = record::placement(schema, survivor.id, &merged);
    let org = crate::org::org_for(tx, session, kind, Action::Update).await?;
    if !peyvand_domain::permission::allows(&session.actor, kind, Action::Update, placement, &org) {
        return Err(AppError::field("owner_id", FieldError::OUT_OF_SCOPE));
    }
    // The survivor is written first: moving references below may touch it too (a reference
    // of its own to a merged record), which would otherwise look like a concurrent change.
    let search = record::search_text(schema, &merged);
    if !tx
        .update_record(
            schema,
            survivor.id,
            survivor.version,
            now,
            &changes,
            &search,
            &[],
        )
        .await?
    {
        return Err(AppError::VersionConflict);
    }
    if touches_keys(schema, &changes) {
        sync_keys(
            tx,
            schema,
            survivor.id,
            Some(&survivor.fields),
            Some(&merged),
        )
        .await?;
    }
    let referencing: Vec<_> = session.schemas.all().collect();
    for (id, fields) in &others {
        tx.repoint_record(kind, *id, survivor.id, &referencing, now)
            .await?;
        // The keys go first: the store finds the record's entry in its index through the row.
        sync_keys(tx, schema, *id, Some(fields), None).await?;
        if !tx.delete_record(schema, *id).await? {
            return Err(AppError::NotFound);
        }
        audit(
            tx,
            now,
            session,
            kind,
            *id,
            "merge",
            json!({"into": survivor.id}),
        )
        .await?;
    }
    let mut entry = diff(&survivor.fields, &changes, false);
    entry["merged"] = json!(request.others);
    audit(tx, now, session, kind, survivor.id, "merge", entry).await?;
    Ok(view(
        session,
        schema,
        stored_row(schema, survivor.id, survivor.version + 1, merged, now, None),
    ))
}

impl App {
    /// Merges `request.others` into `request.survivor`. Needs the right to update the survivor
    /// and to delete the others.
    pub async fn merge(
        &self,
        session: &Session,
        kind: RecordKind,
        request: &MergeRequest,
    ) -> AppResult<RecordView> {
        if !kind.is_customer() {
            return Err(AppError::NotFound);
        }
        let (now, session, request) = (self.now(), session.clone(), request.clone());
        self.write(move |tx| {
            Box::pin(async move { merge_in(tx, now, &session, kind, &request).await })
        })
        .await
    }
}
