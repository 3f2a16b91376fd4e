//! Importing customers from CSV and Excel files (issue 3; PRODUCT.md §2, §13).
//!
//! An import runs in two threads joined by a bounded channel, so memory stays flat however big
//! the file is and both cores work:
//!
//! - the **reader** (`read.rs`) streams rows from the file, maps columns to fields and
//!   validates each row with the domain rules, exactly as a form would be validated;
//! - the **writer** (`write.rs`) runs inside one write transaction: it checks every valid row
//!   for a duplicate (same normalised email or phone as an existing record or an earlier row),
//!   then creates, updates or skips it, with an audit entry per record.
//!
//! The whole import is one transaction, so a crash or a cancel leaves nothing half-written.
//! Unless the user asked to keep the good rows, one rejected row rolls everything back; the
//! report then lists every rejected row with its line number and reasons either way, and the
//! rejected rows are written to a CSV file the user can fix and import again.

mod jobs;
mod read;
mod write;

pub(crate) use jobs::ImportJobs;
pub use jobs::{ImportJob, JobState};

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use peyvand_domain::calendar::CalendarKind;
use peyvand_domain::permission::{Action, RecordKind, Scope};
use peyvand_domain::record::Schema;
use peyvand_domain::validation::FieldError;
use peyvand_tabular::ReadOptions;

use crate::App;
use crate::auth::Session;
use crate::error::{AppError, AppResult};

/// The most rejected rows a report keeps in memory (all of them go to the rejects file).
pub const MAX_REPORTED_REJECTS: usize = 1_000;

/// What to do with a row that looks like an existing record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnDuplicate {
    /// Leave the existing record alone and count the row as skipped.
    Skip,
    /// Fill the row's non-empty values into the existing record.
    Update,
    /// Create a new record anyway.
    Create,
}

impl OnDuplicate {
    /// The code used on the command line and in forms.
    pub fn code(self) -> &'static str {
        match self {
            OnDuplicate::Skip => "skip",
            OnDuplicate::Update => "update",
            OnDuplicate::Create => "create",
        }
    }

    /// The choice with this code.
    pub fn parse(code: &str) -> Option<OnDuplicate> {
        [OnDuplicate::Skip, OnDuplicate::Update, OnDuplicate::Create]
            .into_iter()
            .find(|o| o.code() == code)
    }
}

/// How to import a file.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// The kind of record each row becomes.
    pub kind: RecordKind,
    /// For each column of the file, in order, the field it fills (None: the column is ignored).
    pub mapping: Vec<Option<String>>,
    /// What to do with duplicates.
    pub on_duplicate: OnDuplicate,
    /// Check everything and report, but write nothing.
    pub dry_run: bool,
    /// Keep the valid rows when others are rejected (otherwise nothing is written then).
    pub keep_good_rows: bool,
    /// The calendar of dates without a clear form (ISO dates are always read as Gregorian).
    pub calendar: CalendarKind,
    /// How to read the file (encoding, delimiter, sheet); defaults detect them.
    pub read: ReadOptions,
    /// Where to write the rejected rows as CSV (the file's columns plus an `error` column).
    pub rejects_path: Option<PathBuf>,
    /// How the `error` column of the rejects file words a row's errors.
    pub describe: Describe,
    /// After how many created records a large import may switch to bulk writing (indexes
    /// built again at the end; SQLite only). [`BULK_FROM_ROWS`] unless a test wants it sooner.
    pub bulk_from_rows: u64,
}

/// The usual [`ImportOptions::bulk_from_rows`]: below it, inserting into the indexes row by
/// row costs about as much as building them again, and small imports keep the simple path.
pub const BULK_FROM_ROWS: u64 = 20_000;

/// Words a rejected row's errors for the rejects file, in the importer's language (the caller
/// knows the translations; by default the machine codes are written).
#[derive(Clone)]
pub struct Describe(pub Arc<DescribeFn>);

/// The function behind [`Describe`].
pub type DescribeFn = dyn Fn(&[RowError]) -> String + Send + Sync;

impl Describe {
    /// The text for `errors`.
    pub fn describe(&self, errors: &[RowError]) -> String {
        (self.0)(errors)
    }
}

impl Default for Describe {
    fn default() -> Describe {
        Describe(Arc::new(|errors: &[RowError]| {
            errors
                .iter()
                .map(|e| match &e.field {
                    Some(field) => format!("{field}: {}", e.code),
                    None => e.code.to_owned(),
                })
                .collect::<Vec<_>>()
                .join("; ")
        }))
    }
}

impl std::fmt::Debug for Describe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Describe")
    }
}

/// Why a row was rejected: a field's error code, or a problem of the whole row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// The field, or None for the row as a whole (wrong number of columns, …).
    pub field: Option<String>,
    /// The machine code (`invalid_phone`, `wrong_column_count`, …).
    pub code: &'static str,
}

/// A row that was not imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedRow {
    /// Its line in the file, counted from 1 as editors show it.
    pub line: u64,
    /// Its cells as read.
    pub cells: Vec<String>,
    /// Why.
    pub errors: Vec<RowError>,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// The file's column names.
    pub headers: Vec<String>,
    /// Data rows read.
    pub rows: u64,
    /// Records created (or that would be, in a dry run).
    pub created: u64,
    /// Existing records updated.
    pub updated: u64,
    /// Rows skipped as duplicates.
    pub skipped: u64,
    /// Rows rejected.
    pub rejected: u64,
    /// The first [`MAX_REPORTED_REJECTS`] rejected rows.
    pub rejected_rows: Vec<RejectedRow>,
    /// Whether the changes were kept (false for dry runs, cancels and all-or-nothing imports
    /// with rejected rows).
    pub committed: bool,
    /// Whether it was a dry run.
    pub dry_run: bool,
    /// Whether it was cancelled.
    pub cancelled: bool,
}

/// Progress of a running import, shared with whoever shows it, and its cancel switch.
#[derive(Debug, Default)]
pub struct ImportProgress {
    rows: AtomicU64,
    bytes_read: AtomicU64,
    bytes_total: AtomicU64,
    cancel: AtomicBool,
}

impl ImportProgress {
    /// A progress counter for a file of `bytes_total` bytes (0 if unknown).
    pub fn new(bytes_total: u64) -> Arc<ImportProgress> {
        let progress = ImportProgress::default();
        progress.bytes_total.store(bytes_total, Ordering::Relaxed);
        Arc::new(progress)
    }

    /// Rows handled so far.
    pub fn rows(&self) -> u64 {
        self.rows.load(Ordering::Relaxed)
    }

    /// Size of the file being imported.
    pub fn bytes_total(&self) -> u64 {
        self.bytes_total.load(Ordering::Relaxed)
    }

    /// How far into the file reading has come, in bytes.
    pub fn bytes_read(&self) -> u64 {
        self.bytes_read.load(Ordering::Relaxed)
    }

    /// Percent done by bytes read, when the size is known.
    pub fn percent(&self) -> Option<u8> {
        let total = self.bytes_total();
        (total > 0).then(|| (self.bytes_read().min(total) * 100 / total) as u8)
    }

    /// Asks the import to stop; it rolls back everything it wrote.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    /// Whether a cancel was asked for.
    pub fn is_cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    fn add_rows(&self, n: u64) {
        self.rows.fetch_add(n, Ordering::Relaxed);
    }
}

/// A file that tells the import's progress how far it has been read.
struct Counting<F> {
    inner: F,
    progress: Arc<ImportProgress>,
}

impl<F: std::io::Read> std::io::Read for Counting<F> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.progress
            .bytes_read
            .fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

impl<F: std::io::Seek> std::io::Seek for Counting<F> {
    // Workbooks are zip archives read out of order; the position is the best measure there.
    fn seek(&mut self, to: std::io::SeekFrom) -> std::io::Result<u64> {
        let at = self.inner.seek(to)?;
        self.progress.bytes_read.store(at, Ordering::Relaxed);
        Ok(at)
    }
}

/// Checks the rights and the mapping before any row is read.
fn check_options(session: &Session, options: &ImportOptions) -> AppResult<&'static Schema> {
    let kind = options.kind;
    if !kind.is_customer() {
        return Err(AppError::NotFound);
    }
    let grants = &session.actor.grants;
    if grants.scope(kind, Action::Create) == Scope::None
        || (options.on_duplicate == OnDuplicate::Update
            && grants.scope(kind, Action::Update) == Scope::None)
    {
        return Err(AppError::Forbidden);
    }
    let schema = session.schema(kind);
    let mut seen = Vec::new();
    for name in options.mapping.iter().flatten() {
        let usable = crate::records::editable_fields(session, schema).any(|f| f.name == name);
        if !usable {
            return Err(AppError::field(name, FieldError::UNKNOWN_FIELD));
        }
        if seen.contains(&name) {
            return Err(AppError::field(name, FieldError::TAKEN));
        }
        seen.push(name);
    }
    if seen.is_empty() {
        return Err(AppError::field("mapping", FieldError::REQUIRED));
    }
    Ok(schema)
}

impl App {
    /// Imports the rows of `file` (CSV or XLSX) as `options` say, reporting progress to
    /// `progress`. Returns the report whether or not the changes were kept; fails only when
    /// the file cannot be read at all or the user may not import.
    pub async fn import<F>(
        &self,
        session: &Session,
        file: F,
        options: ImportOptions,
        progress: Arc<ImportProgress>,
    ) -> AppResult<ImportReport>
    where
        F: std::io::Read + std::io::Seek + Send + 'static,
    {
        let schema = check_options(session, &options)?;
        let file = Counting {
            inner: file,
            progress: progress.clone(),
        };
        let (batches, reader) = read::spawn(session, schema, file, options.clone())?;
        let result = write::run(self, session, schema, batches, &options, progress).await;
        // The reader stops by itself once the writer has dropped the channel. A file that
        // cannot be read to the end is the error to report (the writer then rolled back).
        reader
            .join()
            .map_err(|_| AppError::Internal("the import reader panicked".into()))??;
        let mut report = result?;
        report.dry_run = options.dry_run;
        Ok(report)
    }
}
