//! Customer classification (issue 4 §8): the scheme administrators set (`settings` key
//! `classification`), recompute runs asked for on demand or queued every night (`run`), what a
//! customer page shows of a class (its offer and price lists), and demo data (`demo`).
//!
//! **Class changes are logged per run, not per customer.** A nightly recompute may move
//! hundreds of thousands of customers; one audit entry each would bury the trail that people
//! read. Each run instead keeps its counts per class and the number of customers whose class
//! changed (`classification_runs`), and adds one audit entry (kind `classification`) with the
//! same. A customer's record gets a new version when its class changes, so caches and
//! optimistic concurrency see the change.

mod bench;
mod demo;
mod run;

use peyvand_domain::classes::Scheme;
use peyvand_domain::permission::{Action, RecordKind, Scope};
use peyvand_store::{ClassificationRunRow, Tx};
use serde::Serialize;
use serde_json::json;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::App;
use crate::auth::Session;
use crate::error::{AppError, AppResult};
use crate::schemas::require_administrator;

pub use run::NIGHTLY_HOUR;

/// The settings key of the scheme.
const KEY: &str = "classification";
/// The record kind of the scheme's and the runs' audit entries (filed under the nil id).
pub const AUDIT_KIND: &str = "classification";
/// Runs listed at most.
pub const MAX_RUNS: u64 = 100;

/// How many customers a class got in a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClassCount {
    /// The class.
    pub class: String,
    /// Its customers.
    pub customers: u64,
}

/// A recompute run as administrators see it.
#[derive(Debug, Clone, Serialize)]
pub struct RunView {
    /// Its id.
    pub id: Uuid,
    /// `manual` or `nightly`.
    pub origin: String,
    /// `queued`, `running`, `done` or `failed`.
    pub state: String,
    /// Who asked for it (manual runs).
    pub requested_by: Option<Uuid>,
    /// Customers to classify (known once it started).
    pub total: i64,
    /// Customers classified so far.
    pub done: i64,
    /// Whole percent done.
    pub percent: i64,
    /// Customers whose class changed.
    pub changed: i64,
    /// Customers per class, once done.
    pub counts: Vec<ClassCount>,
    /// Why it failed: an error code (`no_scheme`, `internal`).
    pub error: Option<String>,
    /// When it was asked for.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When it started.
    #[serde(with = "time::serde::rfc3339::option")]
    pub started_at: Option<OffsetDateTime>,
    /// When it ended.
    #[serde(with = "time::serde::rfc3339::option")]
    pub finished_at: Option<OffsetDateTime>,
}

fn view(row: ClassificationRunRow) -> RunView {
    let counts: Vec<(String, u64)> = row
        .counts
        .as_deref()
        .and_then(|text| serde_json::from_str(text).ok())
        .unwrap_or_default();
    let percent = match (row.state.as_str(), row.total) {
        ("done", _) => 100,
        (_, 0) => 0,
        (_, total) => (row.done * 100 / total).clamp(0, 100),
    };
    RunView {
        id: row.id,
        origin: row.origin,
        state: row.state,
        requested_by: row.requested_by,
        total: row.total,
        done: row.done,
        percent,
        changed: row.changed,
        counts: counts
            .into_iter()
            .map(|(class, customers)| ClassCount { class, customers })
            .collect(),
        error: row.error,
        created_at: row.created_at,
        started_at: row.started_at,
        finished_at: row.finished_at,
    }
}

/// A new run, queued.
fn queued_run(
    origin: &str,
    night: Option<Date>,
    by: Option<Uuid>,
    now: OffsetDateTime,
) -> ClassificationRunRow {
    ClassificationRunRow {
        id: Uuid::now_v7(),
        origin: origin.to_owned(),
        night,
        state: "queued".to_owned(),
        requested_by: by,
        total: 0,
        done: 0,
        changed: 0,
        counts: None,
        error: None,
        created_at: now,
        started_at: None,
        finished_at: None,
    }
}

/// What a customer page shows of the customer's class.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CustomerClassView {
    /// The class.
    pub class: String,
    /// Its offer.
    pub offer: String,
    /// The price lists for the class (id and name), when the user may read price lists.
    pub price_lists: Vec<(Uuid, String)>,
}

pub(crate) async fn stored_scheme(tx: &mut Tx) -> AppResult<Option<Scheme>> {
    Ok(tx
        .setting(KEY)
        .await?
        .and_then(|text| serde_json::from_str(&text).ok()))
}

impl App {
    /// The classification scheme, if one was set; every signed-in user may read it (class
    /// names and offers show on customer pages).
    pub async fn classification_scheme(&self, _session: &Session) -> AppResult<Option<Scheme>> {
        let mut tx = self.store.read().await?;
        stored_scheme(&mut tx).await
    }

    /// Sets the classification scheme (administrators); the change is in the audit trail.
    /// Customers keep their classes until the next recompute.
    pub async fn set_classification_scheme(
        &self,
        session: &Session,
        scheme: Scheme,
    ) -> AppResult<Scheme> {
        require_administrator(session)?;
        let scheme = scheme.validated().map_err(AppError::Validation)?;
        let text = serde_json::to_string(&scheme)
            .map_err(|e| AppError::Internal(format!("scheme: {e}")))?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let old = stored_scheme(&mut tx).await?;
        tx.put_setting(KEY, &text, now).await?;
        audit(
            &mut tx,
            "update",
            Some(session.actor.user_id),
            now,
            json!({"scheme": [old, scheme]}),
        )
        .await?;
        tx.commit().await?;
        Ok(scheme)
    }

    /// Queues a recompute of every customer's class (administrators); it runs in the
    /// background on the job queue, and its progress is read with
    /// [`App::classification_run`].
    pub async fn request_classification(&self, session: &Session) -> AppResult<RunView> {
        require_administrator(session)?;
        let mut tx = self.store.write().await?;
        if stored_scheme(&mut tx).await?.is_none() {
            return Err(AppError::field(
                "scheme",
                peyvand_domain::validation::FieldError::REQUIRED,
            ));
        }
        let run = queued_run("manual", None, Some(session.actor.user_id), self.now());
        tx.insert_classification_run(&run).await?;
        self.queue_job(&mut tx, crate::jobs::Job::Classify { run_id: run.id })
            .await?;
        tx.commit().await?;
        Ok(view(run))
    }

    /// One run (administrators).
    pub async fn classification_run(&self, session: &Session, id: Uuid) -> AppResult<RunView> {
        require_administrator(session)?;
        let mut tx = self.store.read().await?;
        tx.classification_run(id)
            .await?
            .map(view)
            .ok_or(AppError::NotFound)
    }

    /// The newest runs, newest first (administrators).
    pub async fn classification_runs(
        &self,
        session: &Session,
        limit: u64,
    ) -> AppResult<Vec<RunView>> {
        require_administrator(session)?;
        let mut tx = self.store.read().await?;
        let rows = tx.classification_runs(limit.clamp(1, MAX_RUNS)).await?;
        Ok(rows.into_iter().map(view).collect())
    }

    /// The class of a customer the user has read (its `customer_class` value), with the
    /// class's offer and the price lists for it; None when the customer has no class or the
    /// class is not in the scheme any more.
    pub async fn customer_class_view(
        &self,
        session: &Session,
        class: Option<&str>,
    ) -> AppResult<Option<CustomerClassView>> {
        let Some(class) = class.filter(|c| !c.is_empty()) else {
            return Ok(None);
        };
        let mut tx = self.store.read().await?;
        let offer = stored_scheme(&mut tx)
            .await?
            .and_then(|s| s.classes.into_iter().find(|c| c.name == class))
            .map(|c| c.offer)
            .unwrap_or_default();
        let price_lists = if session
            .actor
            .grants
            .scope(RecordKind::PriceList, Action::Read)
            == Scope::None
        {
            Vec::new()
        } else {
            tx.price_lists_for_class(class).await?
        };
        Ok(Some(CustomerClassView {
            class: class.to_owned(),
            offer,
            price_lists,
        }))
    }

    /// The price lists of each class of the scheme, for the settings page (administrators).
    pub async fn class_price_lists(
        &self,
        session: &Session,
        classes: &[String],
    ) -> AppResult<Vec<Vec<(Uuid, String)>>> {
        require_administrator(session)?;
        let mut tx = self.store.read().await?;
        let mut out = Vec::new();
        for class in classes {
            out.push(tx.price_lists_for_class(class).await?);
        }
        Ok(out)
    }
}

/// Adds an entry of kind `classification` to the audit trail.
pub(crate) async fn audit(
    tx: &mut Tx,
    action: &str,
    actor: Option<Uuid>,
    at: OffsetDateTime,
    changes: serde_json::Value,
) -> AppResult<()> {
    tx.insert_audit(&peyvand_store::AuditRow {
        id: Uuid::now_v7(),
        record_kind: AUDIT_KIND.to_owned(),
        // The scheme is one per organisation: its entries are filed under the nil id.
        record_id: Uuid::nil(),
        action: action.to_owned(),
        actor_id: actor,
        at,
        changes: changes.to_string(),
    })
    .await?;
    Ok(())
}
