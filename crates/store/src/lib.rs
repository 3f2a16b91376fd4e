//! Peyvand's storage layer.
//!
//! One code path for SQLite and PostgreSQL: statements are built with sea-query and rendered for
//! whichever database runs; values are bound through the typed sqlx pool of that database. This
//! crate is the only one that knows which database is in use (ARCHITECTURE.md).

mod attachments;
mod auth;
mod backup;
mod batch;
mod bulk;
mod classes;
mod connect;
mod custom_fields;
mod direct;
mod history;
mod jobs;
mod match_keys;
mod match_search;
mod merge;
mod page_cache;
mod pipeline;
mod portal;
mod portal_reset;
mod record_keys;
mod record_writes;
mod records;
mod sales;
mod search;
mod search_queue;
mod service;
mod service_report;
mod settings;
pub mod sla;
mod sms_campaigns;
mod sms_delivery;
mod surveys;
mod system_fields;
mod tx;
mod values;
mod wal_writes;
// The analytical CRM in the app (issue 6).
mod insights;
// The customer's transactions and the sales dashboard (issue 4 §9, §10).
mod customer_sales;
mod sales_dashboard;

pub use attachments::AttachmentRow;
pub use auth::{ApiTokenRow, Credentials, SessionRow, ThrottleRow};
pub use backup::{backup_sqlite, check_sqlite_backup};
pub use batch::{BATCH_SECONDS, RepeatableJob, WriteFuture, WriteJob, WriterStats};
pub use bulk::SuspendedIndexes;
pub use connect::{Backend, Store};
pub use custom_fields::DefinitionsStamp;
pub use history::{AuditRow, NoteRow, RelationshipRow};
pub use jobs::{JobRow, JobState};
pub use pipeline::{ClosedGroup, ForecastRow, SalesScope, StageEntryRow, StageRow};
pub use portal::{PortalSessionRow, PortalUserRow};
pub use record_keys::RecordKey;
pub use record_writes::{NewRecord, RecordTexts};
pub use records::{ExtraColumn, ListQuery, RecordRow, SortKey};
pub use sales::{LineRow, PriceListPriceRow};
pub use search::{RELEVANCE, RELEVANCE_WINDOW, matches_words, search_tokens};
pub use service_report::CaseFacts;
pub use sms_campaigns::{
    CampaignRecipient, CampaignRow, PendingCampaignDelivery, campaign_state, recipient_state,
};
pub use sms_delivery::PendingDelivery;
pub use surveys::SurveyRow;
pub use tx::Tx;
// The sales dashboard (issue 4 §10).
pub use sales_dashboard::InvoicedCustomer;
// Activities and customer service (issue 5).
pub use service::{ActivityPerson, CaseEntryRow, RecordsWhere};
// The analytical CRM in the app (issue 6).
pub use insights::{
    AnswerFact, CatalogueItem, CustomerKind, CustomerRef, GroupTotals, InsightRunRow, LineFact,
    ORDER_STATUSES, OrderFact, RuleRow, ScoreFilter, ScoreRow, ServiceCounts, TaggingRow,
};
// Customer classification (issue 4 §8).
pub use classes::{ClassificationRunRow, CustomerClassRow, CustomerMeasure, CustomerTable};

/// What can go wrong in the store. Callers map these to user-facing errors; the details are for logs.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database URL could not be understood.
    #[error("unsupported database URL: {0}")]
    BadUrl(String),
    /// A unique constraint was violated (for example a second user with the same email).
    #[error("a unique value is already taken")]
    UniqueViolation,
    /// A foreign key was violated: the record is referenced by others or references a missing one.
    #[error("the record is referenced by other records or references a missing one")]
    ForeignKeyViolation,
    /// Any other database error.
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
    /// Applying migrations failed.
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A stored value could not be read back (bad data in the database).
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    /// The store was closed (the server is shutting down).
    #[error("the store is closed")]
    Closed,
    /// A batch of writes could not be committed; none of its jobs took effect.
    #[error("commit failed: {0}")]
    CommitFailed(String),
    /// A file operation of backup or restore failed.
    #[error("file error: {0}")]
    Io(#[from] std::io::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &error {
            match db.kind() {
                sqlx::error::ErrorKind::UniqueViolation => return StoreError::UniqueViolation,
                sqlx::error::ErrorKind::ForeignKeyViolation => {
                    return StoreError::ForeignKeyViolation;
                }
                _ if is_sqlite_restrict_message(db.message()) => {
                    return StoreError::ForeignKeyViolation;
                }
                _ => {}
            }
        }
        StoreError::Database(error)
    }
}

/// Whether an SQLite error message is the one of an `ON DELETE RESTRICT` reference. SQLite
/// enforces that action with a generated `RAISE(ABORT, …)` trigger, so the error carries the
/// trigger's constraint code rather than the foreign-key one, and only its text tells the two
/// apart. Without this, deleting a customer that invoices still point at was a server error
/// instead of "still in use".
pub(crate) fn is_sqlite_restrict_message(message: &str) -> bool {
    message == "FOREIGN KEY constraint failed"
}

/// Result type of store operations.
pub type StoreResult<T> = Result<T, StoreError>;

/// A migrated store on a new SQLite file in a temporary directory of its own, and the file's
/// path; the directory goes, with the file's `-wal` and `-shm`, when the path is dropped.
#[cfg(test)]
pub(crate) async fn temp_sqlite_store(name: &str) -> (Store, TempSqlitePath) {
    let directory = tempfile::Builder::new()
        .prefix(&format!("peyvand-{name}-"))
        .tempdir()
        .unwrap();
    let path = TempSqlitePath {
        file: directory.path().join("store.db"),
        _directory: directory,
    };
    let store = Store::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    store.migrate().await.unwrap();
    (store, path)
}

/// The path of a test's SQLite file, whose directory is removed when this is dropped, so that
/// test runs do not fill the disk with their databases.
#[cfg(test)]
pub(crate) struct TempSqlitePath {
    file: std::path::PathBuf,
    _directory: tempfile::TempDir,
}

#[cfg(test)]
impl std::ops::Deref for TempSqlitePath {
    type Target = std::path::Path;

    fn deref(&self) -> &std::path::Path {
        &self.file
    }
}
