//! The durable job queue: jobs are rows, claimed by a worker for a lease.
//!
//! A worker claims due jobs in one short transaction (on PostgreSQL with `FOR UPDATE SKIP
//! LOCKED`, so several server processes never claim the same job; on SQLite the write lock
//! does the same), runs them outside any transaction, and then records the outcome. A worker
//! that stops between claiming and recording leaves a `running` job whose lease runs out, after
//! which any worker may claim it again.

use peyvand_domain::record::Value;
use sea_query::{Alias, Expr, ExprTrait, LockBehavior, LockType, Order, Query};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::StoreResult;
use crate::tx::Tx;
use crate::values::{ColType, to_sql};

/// Where a job is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    /// Waiting until its `run_at`.
    Queued,
    /// Claimed by a worker until `locked_until`.
    Running,
    /// Done; kept for the record.
    Done,
    /// Given up after its last attempt, or failed for good; shown to administrators.
    Failed,
}

impl JobState {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::Failed => "failed",
        }
    }

    /// The state with this stored code.
    pub fn parse(code: &str) -> Option<JobState> {
        [
            JobState::Queued,
            JobState::Running,
            JobState::Done,
            JobState::Failed,
        ]
        .into_iter()
        .find(|s| s.code() == code)
    }
}

/// One job as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRow {
    /// The job's id (UUIDv7, so ids follow creation).
    pub id: Uuid,
    /// What the job does (`email`, `sms`, …); the application interprets it.
    pub kind: String,
    /// The job's input as JSON text.
    pub payload: String,
    /// Where it is in its life.
    pub state: JobState,
    /// How many times a worker has claimed it.
    pub attempts: i64,
    /// When it is due.
    pub run_at: OffsetDateTime,
    /// Until when the worker that claimed it holds it.
    pub locked_until: Option<OffsetDateTime>,
    /// Why the last attempt failed, in words for administrators (never a secret).
    pub last_error: Option<String>,
    /// When it was queued.
    pub created_at: OffsetDateTime,
    /// When it last changed.
    pub updated_at: OffsetDateTime,
    /// For a sent SMS, where the gateway last said it was (`pending`, `delivered`, `failed`,
    /// `unknown`); see `sms_delivery`.
    pub delivery: Option<String>,
}

const COLUMNS: [&str; 11] = [
    "id",
    "kind",
    "payload",
    "state",
    "attempts",
    "run_at",
    "locked_until",
    "last_error",
    "created_at",
    "updated_at",
    "delivery",
];
const TYPES: [ColType; 11] = [
    ColType::Id,
    ColType::Text,
    ColType::Text,
    ColType::Text,
    ColType::Int,
    ColType::Time,
    ColType::Time,
    ColType::Text,
    ColType::Time,
    ColType::Time,
    ColType::Text,
];

pub(crate) fn v_time(at: OffsetDateTime) -> sea_query::Value {
    to_sql(&Value::Time(at), ColType::Time)
}

pub(crate) fn v_text(text: &str) -> sea_query::Value {
    to_sql(&Value::Text(text.to_owned()), ColType::Text)
}

fn v_id(id: Uuid) -> sea_query::Value {
    to_sql(&Value::Id(id), ColType::Id)
}

fn from_row(values: Vec<Value>) -> Option<JobRow> {
    let mut values = values.into_iter();
    let mut next = || values.next().unwrap_or(Value::Null);
    let time = |v: Value| match v {
        Value::Time(at) => Some(at),
        _ => None,
    };
    let text = |v: Value| match v {
        Value::Text(s) => Some(s),
        _ => None,
    };
    Some(JobRow {
        id: next().as_id()?,
        kind: text(next())?,
        payload: text(next())?,
        state: JobState::parse(&text(next())?)?,
        attempts: match next() {
            Value::Int(n) => n,
            _ => 0,
        },
        run_at: time(next())?,
        locked_until: time(next()),
        last_error: text(next()),
        created_at: time(next())?,
        updated_at: time(next())?,
        delivery: text(next()),
    })
}

impl Tx {
    /// Queues a job, due at `run_at`, in this transaction: it exists only if the transaction
    /// commits, so a job is queued exactly when the change that asks for it is made.
    pub async fn insert_job(
        &mut self,
        id: Uuid,
        kind: &str,
        payload: &str,
        run_at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        let mut insert = Query::insert();
        // A new job has no delivery report yet: every column but the last.
        insert
            .into_table("jobs")
            .columns(COLUMNS[..10].iter().copied())
            .values_panic(
                [
                    v_id(id),
                    v_text(kind),
                    v_text(payload),
                    v_text(JobState::Queued.code()),
                    sea_query::Value::BigInt(Some(0)),
                    v_time(run_at),
                    to_sql(&Value::Null, ColType::Time),
                    to_sql(&Value::Null, ColType::Text),
                    v_time(now),
                    v_time(now),
                ]
                .map(Expr::val),
            );
        self.execute(&insert).await?;
        Ok(())
    }

    /// Claims up to `limit` due jobs of the given `kinds` until `lease_until`: queued jobs
    /// whose time has come, in order, then running jobs whose lease ran out. Each claim counts
    /// as an attempt. Claiming by kind lets the worker keep messages and long recomputations in
    /// separate claims, so the record of sent messages never waits for a long job.
    pub async fn claim_jobs(
        &mut self,
        kinds: &[&str],
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
        limit: u64,
    ) -> StoreResult<Vec<JobRow>> {
        let mut claimed = self
            .due_jobs(kinds, JobState::Queued, "run_at", now, limit)
            .await?;
        let left = limit.saturating_sub(claimed.len() as u64);
        if left > 0 {
            let expired = self
                .due_jobs(kinds, JobState::Running, "locked_until", now, left)
                .await?;
            claimed.extend(expired);
        }
        if claimed.is_empty() {
            return Ok(claimed);
        }
        let mut update = Query::update();
        update
            .table("jobs")
            .value(Alias::new("state"), v_text(JobState::Running.code()))
            .value(Alias::new("locked_until"), v_time(lease_until))
            .value(Alias::new("attempts"), Expr::col("attempts").add(1))
            .value(Alias::new("updated_at"), v_time(now))
            .and_where(Expr::col("id").is_in(claimed.iter().map(|job| v_id(job.id))));
        self.execute(&update).await?;
        for job in &mut claimed {
            job.state = JobState::Running;
            job.locked_until = Some(lease_until);
            job.attempts += 1;
            job.updated_at = now;
        }
        Ok(claimed)
    }

    async fn due_jobs(
        &mut self,
        kinds: &[&str],
        state: JobState,
        time_column: &'static str,
        now: OffsetDateTime,
        limit: u64,
    ) -> StoreResult<Vec<JobRow>> {
        let mut select = Query::select();
        select
            .from("jobs")
            .columns(COLUMNS)
            .and_where(Expr::col("state").eq(v_text(state.code())))
            .and_where(Expr::col("kind").is_in(kinds.iter().map(|kind| v_text(kind))))
            .and_where(Expr::col(time_column).lte(v_time(now)))
            .order_by(time_column, Order::Asc)
            .order_by("id", Order::Asc)
            .limit(limit);
        if self.is_postgres() {
            // Other server processes skip the rows this one is claiming instead of waiting.
            select.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
        }
        let rows = self.fetch(&select, &TYPES).await?;
        Ok(rows.into_iter().filter_map(from_row).collect())
    }

    /// Records that claimed jobs are done.
    pub async fn finish_jobs(&mut self, ids: &[Uuid], now: OffsetDateTime) -> StoreResult<()> {
        if ids.is_empty() {
            return Ok(());
        }
        let mut update = Query::update();
        update
            .table("jobs")
            .value(Alias::new("state"), v_text(JobState::Done.code()))
            .value(
                Alias::new("locked_until"),
                to_sql(&Value::Null, ColType::Time),
            )
            .value(Alias::new("updated_at"), v_time(now))
            .and_where(Expr::col("id").is_in(ids.iter().map(|id| v_id(*id))));
        self.execute(&update).await?;
        Ok(())
    }

    /// Puts a claimed job back in the queue, due at `run_at`, noting why this attempt failed.
    pub async fn retry_job(
        &mut self,
        id: Uuid,
        run_at: OffsetDateTime,
        error: &str,
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        self.set_job_state(id, JobState::Queued, Some(run_at), Some(error), now)
            .await
    }

    /// Puts a claimed job back in the queue as it was before the claim (a worker stopping
    /// before it got to it).
    pub async fn release_job(&mut self, id: Uuid, now: OffsetDateTime) -> StoreResult<()> {
        let mut update = Query::update();
        update
            .table("jobs")
            .value(Alias::new("state"), v_text(JobState::Queued.code()))
            .value(
                Alias::new("locked_until"),
                to_sql(&Value::Null, ColType::Time),
            )
            .value(Alias::new("attempts"), Expr::col("attempts").sub(1))
            .value(Alias::new("updated_at"), v_time(now))
            .and_where(Expr::col("id").eq(v_id(id)));
        self.execute(&update).await?;
        Ok(())
    }

    /// Gives a job up for good, noting why.
    pub async fn fail_job(
        &mut self,
        id: Uuid,
        error: &str,
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        self.set_job_state(id, JobState::Failed, None, Some(error), now)
            .await
    }

    async fn set_job_state(
        &mut self,
        id: Uuid,
        state: JobState,
        run_at: Option<OffsetDateTime>,
        error: Option<&str>,
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        let mut update = Query::update();
        update
            .table("jobs")
            .value(Alias::new("state"), v_text(state.code()))
            .value(
                Alias::new("locked_until"),
                to_sql(&Value::Null, ColType::Time),
            )
            .value(Alias::new("updated_at"), v_time(now))
            .and_where(Expr::col("id").eq(v_id(id)));
        if let Some(run_at) = run_at {
            update.value(Alias::new("run_at"), v_time(run_at));
        }
        if let Some(error) = error {
            update.value(Alias::new("last_error"), v_text(error));
        }
        self.execute(&update).await?;
        Ok(())
    }

    /// Jobs in `state` (all states when `None`), newest first, at most `limit`.
    pub async fn list_jobs(
        &mut self,
        state: Option<JobState>,
        limit: u64,
    ) -> StoreResult<Vec<JobRow>> {
        let mut select = Query::select();
        select
            .from("jobs")
            .columns(COLUMNS)
            .order_by("id", Order::Desc)
            .limit(limit);
        if let Some(state) = state {
            select.and_where(Expr::col("state").eq(v_text(state.code())));
        }
        let rows = self.fetch(&select, &TYPES).await?;
        Ok(rows.into_iter().filter_map(from_row).collect())
    }
}
