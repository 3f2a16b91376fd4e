//! The writing side of an import: one transaction that checks each valid row for duplicates
//! and creates, updates or skips it.

use std::collections::HashMap;
use std::fs::File;
use std::io::BufWriter;
use std::sync::{Arc, Mutex};

use peyvand_domain::permission::Action;
use peyvand_domain::record::{self, Fields, Schema};
use peyvand_store::{AuditRow, NewRecord, SuspendedIndexes, Tx};
use peyvand_tabular::{CsvTableWriter, ExportOptions};
use tokio::sync::mpsc;
use uuid::Uuid;

use super::read::{Message, Prepared, Valid, key_fields, match_key};
use super::{
    ImportOptions, ImportProgress, ImportReport, MAX_REPORTED_REJECTS, OnDuplicate, RejectedRow,
    RowError,
};
use crate::App;
use crate::auth::Session;
use crate::error::{AppError, AppResult};
use crate::match_keys::{insert_new_keys, sync_keys, touches_keys};
use crate::records::read_checked;
use crate::writes::{audit, check_placement, check_references, diff};

/// Existing and newly imported records by the hashes of their emails and phones.
#[derive(Default)]
struct KeyIndex {
    by_key: HashMap<u64, u32>,
    ids: Vec<Uuid>,
    /// How many records the table held when the import started (with keys or without).
    existing: u64,
}

impl KeyIndex {
    fn find(&self, keys: &[u64]) -> Option<Uuid> {
        keys.iter()
            .find_map(|k| self.by_key.get(k))
            .map(|i| self.ids[*i as usize])
    }

    fn add(&mut self, id: Uuid, keys: impl IntoIterator<Item = u64>) {
        let index = u32::try_from(self.ids.len()).unwrap_or(u32::MAX);
        self.ids.push(id);
        for key in keys {
            self.by_key.entry(key).or_insert(index);
        }
    }
}

async fn load_keys(tx: &mut Tx, schema: &Schema) -> AppResult<KeyIndex> {
    let fields = key_fields(schema);
    let names: Vec<&str> = fields.iter().map(|(n, _)| *n).collect();
    let mut index = KeyIndex::default();
    tx.scan_text_fields(schema, &names, |id, values| {
        index.existing += 1;
        let keys: Vec<u64> = fields
            .iter()
            .zip(values)
            .filter_map(|((_, ty), value)| value.as_deref().and_then(|v| match_key(*ty, v)))
            .collect();
        if !keys.is_empty() {
            index.add(id, keys);
        }
    })
    .await?;
    Ok(index)
}

/// Everything one import run carries from row to row.
struct Run<'a> {
    session: &'a Session,
    schema: &'static Schema,
    options: &'a ImportOptions,
    now: time::OffsetDateTime,
    index: KeyIndex,
    report: ImportReport,
    rejects: Option<CsvTableWriter<BufWriter<File>>>,
    /// Created records not written yet, and their audit entries (see [`Run::flush`]).
    pending: Vec<NewRecord>,
    pending_audits: Vec<AuditRow>,
    /// The stored match keys of the pending records.
    pending_keys: Vec<(Uuid, Vec<i64>)>,
    /// Whether the import writes in bulk (see [`Run::consider_bulk`]).
    bulk: Bulk,
}

/// Created records written together.
const FLUSH_ROWS: usize = 500;

/// How an import maintains the table's indexes and the duplicate keys.
enum Bulk {
    /// Row by row, like any other write (small imports, PostgreSQL, dry runs).
    No,
    /// Not decided yet: the import has not created enough records.
    Undecided,
    /// The table's indexes are set aside until the end and the duplicate keys gathered and
    /// stored in key order (`peyvand_store::bulk`).
    Yes(SuspendedIndexes),
}

impl Run<'_> {
    fn reject(&mut self, line: u64, cells: Vec<String>, errors: Vec<RowError>) -> AppResult<()> {
        self.report.rejected += 1;
        if let Some(file) = &mut self.rejects {
            // A short row is padded so that the error column lines up under its header.
            let mut row = cells.clone();
            if row.len() < self.report.headers.len() {
                row.resize(self.report.headers.len(), String::new());
            }
            row.push(self.options.describe.describe(&errors));
            file.write_text_row(&row)
                .map_err(|e| AppError::Internal(format!("rejects file: {e}")))?;
        }
        if self.report.rejected_rows.len() < MAX_REPORTED_REJECTS {
            self.report.rejected_rows.push(RejectedRow {
                line,
                cells,
                errors,
            });
        }
        Ok(())
    }

    async fn row(&mut self, tx: &mut Tx, prepared: Prepared) -> AppResult<()> {
        let valid = match prepared.outcome {
            Ok(valid) => valid,
            Err(errors) => return self.reject(prepared.line, prepared.cells, errors),
        };
        let duplicate = self.index.find(&valid.keys);
        let outcome = match (duplicate, self.options.on_duplicate) {
            (Some(_), OnDuplicate::Skip) => {
                self.report.skipped += 1;
                return Ok(());
            }
            (Some(existing), OnDuplicate::Update) => self.update(tx, existing, valid).await,
            _ => self.create(tx, valid).await,
        };
        match outcome {
            Ok(()) => Ok(()),
            Err(AppError::Validation(errors)) => {
                let errors = errors
                    .fields
                    .into_iter()
                    .map(|(field, e)| RowError {
                        field: Some(field),
                        code: e.code(),
                    })
                    .collect();
                self.reject(prepared.line, prepared.cells, errors)
            }
            Err(AppError::NotFound | AppError::Forbidden) => self.reject(
                prepared.line,
                prepared.cells,
                vec![RowError {
                    field: None,
                    code: "duplicate_not_updatable",
                }],
            ),
            Err(other) => Err(other),
        }
    }

    /// Rows that name an owner, branch or linked record are checked like a form; the
    /// defaults (the importer and their branch) are always within their reach.
    async fn check_row(
        &self,
        tx: &mut Tx,
        valid: &Valid,
        id: Uuid,
        action: Action,
    ) -> AppResult<()> {
        if valid.given_references {
            check_references(tx, self.session, self.schema, &valid.fields).await?;
            check_placement(tx, self.session, self.schema, id, &valid.fields, action).await?;
        }
        Ok(())
    }

    async fn create(&mut self, tx: &mut Tx, valid: Valid) -> AppResult<()> {
        let id = valid.id;
        if valid.given_references {
            // A linked record may be one this import created and has not written yet.
            self.flush(tx).await?;
        }
        self.check_row(tx, &valid, id, Action::Create).await?;
        if !self.options.dry_run {
            self.pending_audits.push(AuditRow {
                id: valid.audit_id,
                record_kind: self.schema.kind.code().to_owned(),
                record_id: id,
                action: "import".to_owned(),
                actor_id: Some(self.session.actor.user_id),
                at: self.now,
                changes: valid.created_changes,
            });
            self.pending_keys.push((id, valid.match_keys));
            self.pending.push(NewRecord {
                id,
                now: self.now,
                fields: valid.fields,
                search_text: valid.search_text,
                sort_key: valid.sort_key,
            });
            if self.pending.len() >= FLUSH_ROWS {
                self.flush(tx).await?;
            }
        }
        self.index.add(id, valid.keys);
        self.report.created += 1;
        Ok(())
    }

    /// Writes the records created since the last flush, their audit entries and their
    /// duplicate keys, in multi-row statements: a statement per row would cost more than the
    /// rows themselves.
    async fn flush(&mut self, tx: &mut Tx) -> AppResult<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        self.consider_bulk(tx).await?;
        tx.insert_records(self.schema, &self.pending).await?;
        tx.insert_audits(&self.pending_audits).await?;
        let deferred = matches!(self.bulk, Bulk::Yes(_));
        insert_new_keys(tx, self.schema, &self.pending_keys, deferred).await?;
        self.pending.clear();
        self.pending_audits.clear();
        self.pending_keys.clear();
        Ok(())
    }

    /// Switches to bulk writing once the import has created [`ImportOptions::bulk_from_rows`]
    /// records and they are at least a third of what the table held: from then on, building
    /// the indexes again once costs less than inserting every further row into each of them
    /// (measured in docs/benchmarks.md). Only SQLite says yes.
    async fn consider_bulk(&mut self, tx: &mut Tx) -> AppResult<()> {
        let created = self.report.created;
        if !matches!(self.bulk, Bulk::Undecided)
            || created < self.options.bulk_from_rows
            || created.saturating_mul(3) < self.index.existing
        {
            return Ok(());
        }
        self.bulk = match tx.suspend_indexes(self.schema).await? {
            Some(suspended) => {
                tx.defer_match_keys().await?;
                Bulk::Yes(suspended)
            }
            None => Bulk::No,
        };
        Ok(())
    }

    /// Ends bulk writing: the gathered keys go into their table in key order and the indexes
    /// are built again, before the transaction commits.
    async fn finish_bulk(&mut self, tx: &mut Tx) -> AppResult<()> {
        if let Bulk::Yes(suspended) = std::mem::replace(&mut self.bulk, Bulk::No) {
            tx.apply_deferred_match_keys().await?;
            tx.restore_indexes(suspended).await?;
        }
        Ok(())
    }

    /// Fills the row's own values into the existing record (the importer's defaults for owner
    /// and branch do not move someone else's record).
    async fn update(&mut self, tx: &mut Tx, id: Uuid, valid: Valid) -> AppResult<()> {
        // The record may be one this import created and has not written yet, or whose keys
        // are still gathered (updating them below needs them in their table).
        self.flush(tx).await?;
        if matches!(self.bulk, Bulk::Yes(_)) {
            tx.apply_deferred_match_keys().await?;
        }
        let kind = self.schema.kind;
        let (row, _) = read_checked(tx, self.session, kind, id, Action::Update).await?;
        let changes: Fields = valid
            .fields
            .iter()
            .filter(|(name, value)| !valid.defaulted.contains(&name.as_ref()) && !value.is_null())
            .filter(|(name, value)| row.fields.get(*name) != Some(*value))
            .map(|(name, value)| (name.clone(), value.clone()))
            .collect();
        let mut merged = row.fields.clone();
        merged.extend(changes.clone());
        let checked = Valid {
            fields: merged.clone(),
            ..valid
        };
        self.check_row(tx, &checked, id, Action::Update).await?;
        if !changes.is_empty() && !self.options.dry_run {
            let search = record::search_text(self.schema, &merged);
            if !tx
                .update_record(
                    self.schema,
                    id,
                    row.version,
                    self.now,
                    &changes,
                    &search,
                    &[],
                )
                .await?
            {
                return Err(AppError::VersionConflict);
            }
            audit(
                tx,
                self.now,
                self.session,
                kind,
                id,
                "import",
                diff(&row.fields, &changes, false),
            )
            .await?;
            if touches_keys(self.schema, &changes) {
                sync_keys(tx, self.schema, id, Some(&row.fields), Some(&merged)).await?;
            }
        }
        self.index.add(id, checked.keys);
        self.report.updated += 1;
        Ok(())
    }
}

/// What the write job returns to have its transaction rolled back while the import itself
/// succeeded (the report is handed over separately); never shown to anyone.
const ROLLED_BACK: &str = "import rolled back";

/// Why a run stopped without keeping its changes.
enum Stop {
    Cancelled,
    Rejected,
}

async fn process(
    tx: &mut Tx,
    run: &mut Run<'_>,
    batches: &mut mpsc::Receiver<Message>,
    progress: &ImportProgress,
) -> AppResult<Option<Stop>> {
    run.index = load_keys(tx, run.schema).await?;
    loop {
        match batches.recv().await {
            Some(Message::Headers(headers)) => {
                if let Some(path) = &run.options.rejects_path {
                    let mut columns = headers.clone();
                    columns.push("error".into());
                    let file = File::create(path)
                        .map_err(|e| AppError::Internal(format!("rejects file: {e}")))?;
                    let options = ExportOptions::for_user(run.session.locale, run.session.calendar);
                    run.rejects = Some(
                        CsvTableWriter::new(BufWriter::new(file), &columns, &options)
                            .map_err(|e| AppError::Internal(format!("rejects file: {e}")))?,
                    );
                }
                run.report.headers = headers;
            }
            Some(Message::Rows(rows)) => {
                let count = rows.len() as u64;
                for prepared in rows {
                    if progress.is_cancelled() {
                        return Ok(Some(Stop::Cancelled));
                    }
                    run.report.rows += 1;
                    run.row(tx, prepared).await?;
                }
                progress.add_rows(count);
            }
            Some(Message::End) => break,
            // The reader stopped early: the file could not be read to the end.
            None => return Err(AppError::Internal("the import reader stopped".into())),
        }
    }
    run.flush(tx).await?;
    run.finish_bulk(tx).await?;
    if let Some(file) = run.rejects.take() {
        file.finish()
            .map_err(|e| AppError::Internal(format!("rejects file: {e}")))?;
    }
    Ok((run.report.rejected > 0 && !run.options.keep_good_rows).then_some(Stop::Rejected))
}

/// Runs the writer: in a write transaction, or without writing for a dry run.
pub(super) async fn run(
    app: &App,
    session: &Session,
    schema: &'static Schema,
    mut batches: mpsc::Receiver<Message>,
    options: &ImportOptions,
    progress: Arc<ImportProgress>,
) -> AppResult<ImportReport> {
    let now = app.now();
    if options.dry_run {
        let mut tx = app.store.read().await?;
        let mut run = Run::new(session, schema, options, now);
        let stop = process(&mut tx, &mut run, &mut batches, &progress).await?;
        run.report.cancelled = matches!(stop, Some(Stop::Cancelled));
        return Ok(run.report);
    }
    let slot: Arc<Mutex<Option<ImportReport>>> = Arc::default();
    let (filled, session, options) = (slot.clone(), session.clone(), options.clone());
    let outcome = app
        .write_large(move |tx| {
            Box::pin(async move {
                let mut run = Run::new(&session, schema, &options, now);
                let stop = process(tx, &mut run, &mut batches, &progress).await;
                let stop = match stop {
                    Ok(stop) => stop,
                    Err(error) => return Err(error),
                };
                run.report.cancelled = matches!(stop, Some(Stop::Cancelled));
                run.report.committed = stop.is_none();
                let keep = stop.is_none();
                *filled.lock().unwrap_or_else(|e| e.into_inner()) = Some(run.report);
                // An error makes the write job roll back; the report is in the slot.
                if keep {
                    Ok(())
                } else {
                    Err(AppError::BadRequest(ROLLED_BACK))
                }
            })
        })
        .await;
    let report = slot.lock().unwrap_or_else(|e| e.into_inner()).take();
    match (outcome, report) {
        (Ok(()), Some(report)) => Ok(report),
        (Err(AppError::BadRequest(ROLLED_BACK)), Some(report)) => Ok(report),
        (Err(error), _) => Err(error),
        (Ok(()), None) => Err(AppError::Internal("the import left no report".into())),
    }
}

impl<'a> Run<'a> {
    fn new(
        session: &'a Session,
        schema: &'static Schema,
        options: &'a ImportOptions,
        now: time::OffsetDateTime,
    ) -> Run<'a> {
        Run {
            session,
            schema,
            options,
            now,
            index: KeyIndex::default(),
            report: ImportReport::default(),
            rejects: None,
            pending: Vec::new(),
            pending_keys: Vec::new(),
            pending_audits: Vec::new(),
            bulk: if options.dry_run {
                Bulk::No
            } else {
                Bulk::Undecided
            },
        }
    }
}
