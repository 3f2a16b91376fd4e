//! The reading side of an import: a thread that streams the file's rows, maps them to fields
//! and validates them, sending them on in batches.

use std::collections::BTreeMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::thread::JoinHandle;

use peyvand_domain::record::{self, FieldType, Fields, Input, Schema, Value};
use peyvand_store::NewRecord;
use peyvand_tabular::{RowSource, TabularError, with_rows};
use tokio::sync::mpsc;
use uuid::Uuid;

use super::{ImportOptions, RowError};
use crate::auth::Session;
use crate::error::{AppError, AppResult};
use crate::match_keys::MatchFields;
use crate::writes::creation_changes;

/// Rows per message: large enough that channel overhead vanishes, small enough that memory
/// stays flat (a few hundred kilobytes in flight).
const BATCH_ROWS: usize = 512;

/// Batches in flight between the threads.
const CHANNEL_BATCHES: usize = 8;

/// A row ready for the writer.
pub(super) struct Prepared {
    pub line: u64,
    pub cells: Vec<String>,
    pub outcome: Result<Valid, Vec<RowError>>,
}

/// A valid row: its typed values and what the writer needs without recomputing.
pub(super) struct Valid {
    /// The id the record gets if the row creates one, made on this thread too (UUIDv7 reads
    /// the clock and the random source; a fiftieth of the writer's time when it made them).
    pub id: Uuid,
    /// The id of its creation entry in the audit trail, made here for the same reason.
    pub audit_id: Uuid,
    pub fields: Fields,
    pub search_text: String,
    /// The record's sort key (`NewRecord::sort_key_for`), made here rather than on the writer.
    pub sort_key: String,
    /// Hashes of the row's normalised emails and phones, for duplicate checks.
    pub keys: Vec<u64>,
    /// Fields the system filled in because the row left them empty (owner, branch, …).
    pub defaulted: Vec<&'static str>,
    /// Whether the row itself names records (owner, branch, a linked record), which must then
    /// be checked like a form's.
    pub given_references: bool,
    /// The stored duplicate-match keys of the record as created (`match_keys`; empty for kinds
    /// without them). Computed on this thread rather than the writer's, whose time is the
    /// import's: they were a thirteenth of it (perf, bench/import.sh).
    pub match_keys: Vec<i64>,
    /// The audit trail's changes of the record as created, as JSON text (the same reason).
    pub created_changes: String,
}

/// What the reader sends.
pub(super) enum Message {
    /// The file's column names, first.
    Headers(Vec<String>),
    /// Some rows, in file order.
    Rows(Vec<Prepared>),
    /// The whole file was read; without it the writer must not commit.
    End,
}

/// The duplicate key of a stored or imported value of an email or phone field. Values are
/// compared in their normalised form (lowercase email, E.164 phone), so a key is the value with
/// its kind; hashing keeps a million of them small. Email and phone keys never collide by
/// construction of the prefix.
pub(super) fn match_key(ty: FieldType, value: &str) -> Option<u64> {
    let prefix = match ty {
        FieldType::Email => 'e',
        FieldType::Phone => 'p',
        _ => return None,
    };
    let mut hasher = DefaultHasher::new();
    (prefix, value).hash(&mut hasher);
    Some(hasher.finish())
}

/// The fields whose values identify a customer for duplicate checks: emails and phones.
pub(super) fn key_fields(schema: &Schema) -> Vec<(&'static str, FieldType)> {
    schema
        .fields
        .iter()
        .filter(|f| matches!(f.ty, FieldType::Email | FieldType::Phone))
        .map(|f| (f.name, f.ty))
        .collect()
}

fn field_errors(errors: peyvand_domain::validation::ValidationErrors) -> Vec<RowError> {
    errors
        .fields
        .into_iter()
        .map(|(field, error)| RowError {
            field: Some(field),
            code: error.code(),
        })
        .collect()
}

/// Validates one row as a create form would be validated, and fills in the defaults.
fn prepare(
    session: &Session,
    schema: &'static Schema,
    options: &ImportOptions,
    matched: Option<&MatchFields>,
    line: u64,
    cells: Vec<String>,
) -> Prepared {
    let mut inputs = BTreeMap::new();
    for (cell, field) in cells.iter().zip(&options.mapping) {
        // An empty cell is no value: required fields then report "required".
        if let Some(field) = field
            && !cell.trim().is_empty()
        {
            inputs.insert(field.clone(), Input::Text(cell.clone()));
        }
    }
    let outcome = match record::validate(schema, &inputs, false, options.calendar) {
        Ok(mut fields) => {
            let given_references = fields.iter().any(|(name, value)| {
                matches!(value, Value::Id(_))
                    && schema
                        .field(name)
                        .is_some_and(|f| matches!(f.ty, FieldType::Reference(_)))
            });
            let defaulted = crate::writes::apply_defaults(session, schema, &mut fields);
            let search_text = record::search_text(schema, &fields);
            let sort_key = NewRecord::sort_key_for(schema, &fields);
            let keys = key_fields(schema)
                .into_iter()
                .filter_map(|(name, ty)| match fields.get(name) {
                    Some(Value::Text(value)) => match_key(ty, value),
                    _ => None,
                })
                .collect();
            let match_keys = matched.map(|m| m.stored_keys(&fields)).unwrap_or_default();
            let created_changes = creation_changes(&fields);
            Ok(Valid {
                id: Uuid::now_v7(),
                audit_id: Uuid::now_v7(),
                fields,
                search_text,
                sort_key,
                keys,
                defaulted,
                given_references,
                match_keys,
                created_changes,
            })
        }
        Err(errors) => Err(field_errors(errors)),
    };
    Prepared {
        line,
        cells,
        outcome,
    }
}

/// Sends every row of `rows`; false when the writer has gone (it failed or was cancelled).
fn send_rows(
    rows: &mut dyn RowSource,
    session: &Session,
    schema: &'static Schema,
    options: &ImportOptions,
    out: &mpsc::Sender<Message>,
) -> Result<bool, TabularError> {
    let matched = MatchFields::of(schema);
    let mut batch = Vec::with_capacity(BATCH_ROWS);
    for row in rows {
        let row = row?;
        let prepared = match row.problem {
            Some(problem) => Prepared {
                line: row.line,
                cells: row.cells,
                outcome: Err(vec![RowError {
                    field: None,
                    code: problem.code(),
                }]),
            },
            None => prepare(
                session,
                schema,
                options,
                matched.as_ref(),
                row.line,
                row.cells,
            ),
        };
        batch.push(prepared);
        if batch.len() == BATCH_ROWS
            && out
                .blocking_send(Message::Rows(std::mem::take(&mut batch)))
                .is_err()
        {
            return Ok(false);
        }
    }
    Ok(out.blocking_send(Message::Rows(batch)).is_ok())
}

/// Starts the reader thread. Its result tells whether the file could be read.
pub(super) fn spawn<F>(
    session: &Session,
    schema: &'static Schema,
    file: F,
    options: ImportOptions,
) -> AppResult<(mpsc::Receiver<Message>, JoinHandle<AppResult<()>>)>
where
    F: std::io::Read + std::io::Seek + Send + 'static,
{
    let (out, batches) = mpsc::channel(CHANNEL_BATCHES);
    let session = session.clone();
    let reader = std::thread::Builder::new()
        .name("peyvand-import-reader".into())
        .spawn(move || {
            let outcome = with_rows(file, &options.read, |rows| {
                let headers = rows.headers().to_vec();
                if headers.len() != options.mapping.len() {
                    return Err(AppError::field(
                        "mapping",
                        peyvand_domain::validation::FieldError::INVALID,
                    ));
                }
                if out.blocking_send(Message::Headers(headers)).is_err() {
                    return Ok(());
                }
                match send_rows(rows, &session, schema, &options, &out) {
                    Ok(true) => {
                        let _ = out.blocking_send(Message::End);
                        Ok(())
                    }
                    Ok(false) => Ok(()),
                    Err(error) => Err(AppError::File(error.code())),
                }
            });
            outcome.map_err(|error| AppError::File(error.code()))?
        })
        .map_err(|e| AppError::Internal(format!("cannot start the import reader: {e}")))?;
    Ok((batches, reader))
}
