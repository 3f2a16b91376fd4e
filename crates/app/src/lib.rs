//! Peyvand's use cases.
//!
//! Every operation a user can do goes through [`App`]: it opens the transaction, checks the
//! acting user's rights on the records involved, validates input with the domain rules, writes
//! through the store and records the change in the audit trail. The HTTP layer and the command
//! line only translate requests into these calls.

mod admin;
mod attachments;
pub mod auth;
pub mod classes;
pub mod clock;
pub mod contracts;
mod convert;
pub mod demo;
mod duplicates;
pub mod error;
mod history;
pub mod import;
pub mod jobs;
pub mod json;
mod match_keys;
mod merge;
pub mod notice_templates;
pub mod notify;
pub mod notify_settings;
mod org;
pub mod pipeline;
pub mod portal;
mod portal_reset;
mod preferences;
mod records;
pub mod sales;
mod schemas;
mod session_cache;
pub mod sms_campaigns;
mod sms_delivery;
pub mod sms_schedule;
// Activities and customer service (issue 5).
pub mod service;
mod write;
mod writes;
// The analytical CRM in the app (issue 6).
pub mod insights;
// The customer's opportunities and payment punctuality in the 360° view (issue 4 §9).
pub mod customer_sales;

use std::sync::Arc;

pub use admin::NewUser;
pub use auth::Session;
pub use convert::{ConvertLead, Converted};
pub use duplicates::{
    DuplicateCandidate, DuplicateGroup, DuplicateReport, GroupMember, GroupPair, MAX_BLOCK,
    reason_codes,
};
pub use error::{AppError, AppResult};
pub use history::{Relationship, TimelineEntry};
pub use merge::{MAX_MERGED, MergeRequest};
pub use peyvand_store::AttachmentRow;
pub use peyvand_store::WriterStats;
pub use peyvand_store::{ApiTokenRow, LineRow as DocumentLine, NoteRow as NoteView};
pub use records::{
    COUNT_CAP, CachedItem, CachedPage, ListParams, ListedRecord, Page, RecordJson, RecordView,
    editable_fields,
};
pub use schemas::Schemas;

use clock::{Clock, SystemClock};
use peyvand_store::Store;

/// The application: the store plus the clock, shared by every request.
#[derive(Clone)]
pub struct App {
    store: Store,
    clock: Arc<dyn Clock>,
    sessions: Arc<session_cache::SessionCache>,
    schemas: Arc<schemas::CurrentSchemas>,
    imports: Arc<import::ImportJobs>,
    channels: Arc<notify::CurrentChannels>,
    job_signal: Arc<jobs::JobSignal>,
    channel_builder: Arc<notify_settings::CurrentBuilder>,
    files_dir: attachments::SharedFilesDir,
}

impl App {
    /// An application on `store` with the system clock.
    pub fn new(store: Store) -> App {
        App::with_clock(store, Arc::new(SystemClock))
    }

    /// An application on `store` with the given clock (tests).
    pub fn with_clock(store: Store, clock: Arc<dyn Clock>) -> App {
        App {
            store,
            clock,
            sessions: Arc::default(),
            schemas: Arc::default(),
            imports: Arc::default(),
            channels: Arc::default(),
            job_signal: Arc::default(),
            channel_builder: Arc::default(),
            files_dir: Arc::default(),
        }
    }

    /// The store, for operational tasks (health checks, backup).
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The SQLite writer's transactions since the start, their jobs and durations, for
    /// `/metrics`; None on PostgreSQL.
    pub fn writer_stats(&self) -> Option<WriterStats> {
        self.store.writer_stats()
    }

    /// Checks that the database answers (health checks).
    pub async fn ping(&self) -> AppResult<()> {
        Ok(self.store.ping().await?)
    }

    /// Forgets cached sessions after a change to what sessions are made of (users, roles,
    /// teams, branches, tokens, sessions).
    pub(crate) fn sessions_changed(&self, kind: Option<peyvand_domain::permission::RecordKind>) {
        use peyvand_domain::permission::RecordKind;
        // Only the organisation's own records make up sessions; customer and sales records
        // (written far more often) leave the cache alone.
        let makes_sessions = |k: RecordKind| {
            matches!(
                k,
                RecordKind::User | RecordKind::Team | RecordKind::Role | RecordKind::Branch
            )
        };
        if kind.is_none_or(makes_sessions) {
            self.sessions.invalidate();
        }
    }

    /// Closes the database connections (graceful shutdown).
    pub async fn close(&self) {
        self.store.close().await;
    }

    /// The current moment.
    pub fn now(&self) -> time::OffsetDateTime {
        self.clock.now()
    }
}
