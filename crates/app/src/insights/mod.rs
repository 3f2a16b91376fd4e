//! The analytical CRM in the application (issue 6): recomputation as a background job, and the
//! results read back for the analytics pages, the REST API and the customer and product pages.
//!
//! **Who sees what.** The analytics pages and their API are bulk views of the customer base,
//! so they take the same right as exporting it: the `export` right on accounts (built in:
//! admin, branch managers, sales managers and marketing; not sales reps, service agents or
//! viewers). Every row is further limited to the customers the reader may read, so a branch
//! manager sees their branches' customers and a sales manager their team's. On a customer's
//! page the scores show to anyone who may read that customer and also update or export it —
//! so a sales rep sees their own customers' scores, and a viewer none. Asking for a
//! recomputation takes the analytics right; it computes over the whole company, and each
//! reader still sees only their reach.

pub mod compute;
mod demo;
mod reads;
mod run;
mod tagging;

use peyvand_domain::permission::{Action, RecordKind, Scope};
use peyvand_store::InsightRunRow;
use serde::Serialize;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::App;
use crate::auth::Session;
use crate::error::{AppError, AppResult};
use crate::jobs::{Job, queue_in};

pub use peyvand_analytics::nps::Period;
pub use reads::{
    CustomerInsights, GroupRow, NpsGroup, NpsPeriod, NpsQuery, NpsReport, Offer, RuleSet, RuleView,
    ScoreQuery, ScoreView, ScoresPage,
};
pub use tagging::{TAG_BATCH, TaggingView};

/// How old the newest run may be before the worker's sweep queues the nightly one.
pub const NIGHTLY_EVERY: time::Duration = time::Duration::hours(24);

/// A recomputation as people see it.
#[derive(Debug, Clone, Serialize)]
pub struct RunView {
    /// Its id.
    pub id: Uuid,
    /// `queued`, `running`, `done` or `failed`.
    pub state: String,
    /// The step under way.
    pub stage: String,
    /// Percent done.
    pub progress: i64,
    /// `manual` or `nightly`.
    pub trigger: String,
    /// The day the analyses are as of.
    #[serde(serialize_with = "crate::json::iso_date")]
    pub as_of: Date,
    /// When it was asked for.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When it ended.
    #[serde(with = "time::serde::rfc3339::option")]
    pub finished_at: Option<OffsetDateTime>,
    /// Why it failed.
    pub error: Option<String>,
    /// Counts, model parameters and validation figures.
    pub summary: Option<serde_json::Value>,
}

fn run_view(row: InsightRunRow) -> RunView {
    RunView {
        id: row.id,
        state: row.state,
        stage: row.stage,
        progress: row.progress,
        trigger: row.trigger_kind,
        as_of: row.as_of,
        created_at: row.created_at,
        finished_at: row.finished_at,
        error: row.error,
        summary: row.summary.and_then(|s| serde_json::from_str(&s).ok()),
    }
}

/// Whether `session` may see the analytics pages (see the module documentation).
pub fn may_see_analytics(session: &Session) -> bool {
    session
        .actor
        .grants
        .scope(RecordKind::Account, Action::Export)
        != Scope::None
}

/// Whether `session` may see the scores of customers of `kind` it can read.
pub fn may_see_scores(session: &Session, kind: RecordKind) -> bool {
    let grants = &session.actor.grants;
    grants.scope(kind, Action::Update) != Scope::None
        || grants.scope(kind, Action::Export) != Scope::None
}

pub(crate) fn require_analytics(session: &Session) -> AppResult<()> {
    if may_see_analytics(session) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

impl App {
    /// Queues a recomputation unless one is queued or running already (then that one is
    /// returned), so pressing the button twice computes once.
    pub async fn request_insights(&self, session: &Session) -> AppResult<RunView> {
        require_analytics(session)?;
        self.queue_insights("manual", Some(session.actor.user_id))
            .await
    }

    async fn queue_insights(
        &self,
        trigger: &str,
        requested_by: Option<Uuid>,
    ) -> AppResult<RunView> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        if let Some(latest) = tx.latest_insight_run(None).await?
            && (latest.state == "queued" || latest.state == "running")
        {
            return Ok(run_view(latest));
        }
        let id = Uuid::now_v7();
        tx.insert_insight_run(id, trigger, requested_by, now.date(), now)
            .await?;
        queue_in(&mut tx, Job::Insights { run_id: id }, now).await?;
        let row = tx.insight_run(id).await?;
        tx.commit().await?;
        self.wake_worker();
        row.map(run_view)
            .ok_or_else(|| AppError::Internal("the new run is missing".into()))
    }

    /// Queues the nightly recomputation when the newest run is older than [`NIGHTLY_EVERY`]
    /// (or there is none); true when it queued one. Called by the worker's periodic sweep.
    pub async fn nightly_insights(&self) -> AppResult<bool> {
        let now = self.now();
        let latest = self.store.read().await?.latest_insight_run(None).await?;
        if latest.is_some_and(|run| now - run.created_at < NIGHTLY_EVERY) {
            return Ok(false);
        }
        self.queue_insights("nightly", None).await?;
        Ok(true)
    }

    /// A run, for following its progress.
    pub async fn insights_run(&self, session: &Session, id: Uuid) -> AppResult<RunView> {
        require_analytics(session)?;
        let row = self.store.read().await?.insight_run(id).await?;
        row.map(run_view).ok_or(AppError::NotFound)
    }

    /// The newest run (any state) and the newest finished one, whose results the pages show.
    pub async fn insights_status(
        &self,
        session: &Session,
    ) -> AppResult<(Option<RunView>, Option<RunView>)> {
        require_analytics(session)?;
        let mut tx = self.store.read().await?;
        let latest = tx.latest_insight_run(None).await?.map(run_view);
        let done = tx.latest_insight_run(Some("done")).await?.map(run_view);
        Ok((latest, done))
    }
}
