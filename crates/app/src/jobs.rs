//! The durable job queue's use: queueing notifications, and the worker that sends them.
//!
//! A job is queued in the transaction of the change that causes it, so it exists exactly when
//! that change does. The worker claims due jobs for a lease, runs each one, and records the
//! outcome right after: done, queued again with a growing delay after a temporary failure, or
//! failed for good (after [`MAX_ATTEMPTS`], or at once for a permanent error) — a failed job
//! stays visible to administrators, and nothing that queued it is blocked by it.
//!
//! **Each notification is sent once.** A worker asked to stop finishes the job in hand, records
//! it, and puts the rest of its claim back untouched, so stopping and starting again sends
//! nothing twice. Only a process killed between a gateway's answer and the record of it can
//! leave a job whose lease runs out and which is then tried again; for that case every message
//! carries the job's id (as the email's `Message-ID`, as the SMS gateway's local id; each
//! message of a bulk chunk the job's id and its position) so that the receiving side can
//! recognise the copy.

use std::time::Duration;

use futures_util::StreamExt;
use peyvand_domain::email::Email;
use peyvand_domain::phone::Phone;
use peyvand_domain::validation::FieldError;
use peyvand_store::{JobRow, JobState, Tx};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use tokio::sync::{Notify, watch};
use uuid::Uuid;

use crate::App;
use crate::auth::Session;
use crate::error::{AppError, AppResult};
use crate::notify::{ChannelError, EmailMessage, SmsMessage};
use crate::schemas::require_administrator;
use crate::sms_campaigns::SmsBatch;

/// Attempts before a job that keeps failing temporarily is given up.
pub const MAX_ATTEMPTS: i64 = 6;
/// How long a claim holds a job: longer than any one job takes (the channels time out sooner).
const LEASE: time::Duration = time::Duration::minutes(10);
/// Jobs claimed at a time; their outcomes are recorded together.
const CLAIM_BATCH: u64 = 64;
/// Jobs run at the same time: gateways answer in tens of milliseconds, so one at a time would
/// hold the queue to their latency rather than their throughput.
pub const CONCURRENCY: usize = 16;
/// How long an idle worker waits before looking again (a job queued by this process wakes it
/// sooner; one queued by another process sharing the database is found within this time).
const IDLE_POLL: Duration = Duration::from_secs(2);

/// How often the worker looks for service-level breaches.
pub const SWEEP_EVERY: Duration = Duration::from_secs(60);

/// What a job does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Job {
    /// Send an email.
    Email(EmailMessage),
    /// Send an SMS.
    Sms(SmsMessage),
    /// Send one text to many numbers in the gateway's bulk call (a chunk of a campaign).
    SmsBatch(SmsBatch),
    /// Send one SMS of a campaign, through a gateway without a bulk call.
    CampaignSms(SmsMessage),
    /// Recompute the analytical CRM's scores (issue 6).
    Insights {
        /// The run to perform.
        run_id: Uuid,
    },
    /// Tag the customers of an analytics list (issue 6); the tagging records its progress.
    InsightTag {
        /// The tagging (`insight_taggings`).
        tagging_id: Uuid,
    },
    /// Recompute every customer's class (issue 4 §8); the run records progress and outcome.
    Classify {
        /// The run (`classification_runs`).
        run_id: Uuid,
    },
    /// Start a scheduled SMS campaign: choose its recipients and queue their messages.
    CampaignStart {
        /// The campaign (`sms_campaigns`).
        campaign_id: Uuid,
    },
}

/// The worker's two kinds of claim. Messages are quick and must be recorded as soon as they
/// are sent, so that a worker dying afterwards cannot send them again; recomputations take
/// minutes. Were they claimed together, the record of a claim's sent messages would wait for
/// its slowest recomputation, and a worker dying meanwhile would leave those messages to be
/// claimed — and sent — again when the lease ran out. So each lane claims only its own kinds,
/// and long jobs one at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lane {
    /// Emails and SMS, single or in bulk.
    Messages,
    /// Recomputations of the analytical CRM and of customer classes.
    Long,
}

/// The job kinds of the message lane.
const MESSAGE_KINDS: &[&str] = &["email", "sms", "sms_batch", "campaign_sms"];
/// The job kinds of the long lane.
/// A campaign's start reads the whole contact list it names, so it takes the long lane.
const LONG_KINDS: &[&str] = &["insights", "insight_tag", "classify", "campaign_start"];

impl Lane {
    /// The job kinds this lane claims.
    pub fn kinds(self) -> &'static [&'static str] {
        match self {
            Lane::Messages => MESSAGE_KINDS,
            Lane::Long => LONG_KINDS,
        }
    }

    /// How many jobs one claim of this lane takes.
    fn claim_size(self) -> u64 {
        match self {
            Lane::Messages => CLAIM_BATCH,
            // A long job's outcome is recorded the moment it ends, not after another's.
            Lane::Long => 1,
        }
    }
}

impl Job {
    /// The stored kind code of this job.
    pub fn kind(&self) -> &'static str {
        match self {
            Job::Email(_) => "email",
            Job::Sms(_) => "sms",
            Job::SmsBatch(_) => "sms_batch",
            Job::CampaignSms(_) => "campaign_sms",
            Job::Insights { .. } => "insights",
            Job::InsightTag { .. } => "insight_tag",
            Job::Classify { .. } => "classify",
            Job::CampaignStart { .. } => "campaign_start",
        }
    }
}

/// What a job that ran left to record besides being done.
#[derive(Debug)]
enum Receipt {
    /// Nothing (an email, a recomputation).
    Nothing,
    /// The gateway's id of a sent SMS.
    Sms(String),
    /// Each number of a bulk send with the gateway's id of its message.
    Batch(Vec<(String, String)>),
}

/// What became of a claimed job: not started (`None`), done, or failed.
type Outcome = Option<Result<Receipt, ChannelError>>;

/// A job as administrators see it.
#[derive(Debug, Clone, Serialize)]
pub struct JobView {
    /// Its id.
    pub id: Uuid,
    /// `email` or `sms`.
    pub kind: String,
    /// `queued`, `running`, `done` or `failed`.
    pub state: &'static str,
    /// Attempts so far.
    pub attempts: i64,
    /// The recipient (an address or a number).
    pub to: String,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// When it is or was due.
    #[serde(with = "time::serde::rfc3339")]
    pub run_at: OffsetDateTime,
    /// When it was queued.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// For a sent SMS, what its gateway last reported: `pending`, `delivered`, `failed` or
    /// `unknown`.
    pub delivery: Option<String>,
}

fn view(row: JobRow) -> JobView {
    let to = match serde_json::from_str::<Job>(&row.payload) {
        Ok(Job::Email(message)) => message.to,
        Ok(Job::Sms(message) | Job::CampaignSms(message)) => message.to,
        Ok(Job::SmsBatch(batch)) => crate::sms_campaigns::batch_summary(&batch),
        Ok(
            Job::Insights { .. }
            | Job::InsightTag { .. }
            | Job::Classify { .. }
            | Job::CampaignStart { .. },
        )
        | Err(_) => String::new(),
    };
    JobView {
        id: row.id,
        kind: row.kind,
        state: row.state.code(),
        attempts: row.attempts,
        to,
        last_error: row.last_error,
        run_at: row.run_at,
        created_at: row.created_at,
        delivery: row.delivery,
    }
}

/// The delay before attempt `attempts + 1` after a temporary failure: 30 s, doubling, at most
/// an hour.
pub fn backoff(attempts: i64) -> time::Duration {
    let doublings = attempts.clamp(1, 8) - 1;
    (time::Duration::seconds(30) * (1_i32 << doublings)).min(time::Duration::hours(1))
}

/// Wakes the worker of this process when a job is queued.
#[derive(Default)]
pub(crate) struct JobSignal(Notify);

impl App {
    /// Queues `job` in `tx`, due now; its id is the message's id for the channels. The worker
    /// of this process is woken once the transaction has had time to commit.
    pub(crate) async fn queue_job(&self, tx: &mut Tx, job: Job) -> AppResult<Uuid> {
        let id = queue_in(tx, job, self.now()).await?;
        self.job_signal.0.notify_one();
        Ok(id)
    }

    /// Queues many SMS at once (bulk sends; the queue benchmark), a thousand per transaction.
    /// The messages are not checked: callers give E.164 numbers.
    pub async fn queue_sms_many(&self, messages: Vec<SmsMessage>) -> AppResult<usize> {
        let total = messages.len();
        for chunk in messages.chunks(1_000) {
            let mut tx = self.store.write().await?;
            for message in chunk {
                self.queue_job(&mut tx, Job::Sms(message.clone())).await?;
            }
            tx.commit().await?;
        }
        Ok(total)
    }

    /// Queues a test message to `to` through `channel` (`email` or `sms`), so an administrator
    /// can check the settings of a channel; the outcome shows in the job list.
    pub async fn queue_test_message(
        &self,
        session: &Session,
        channel: &str,
        to: &str,
    ) -> AppResult<Uuid> {
        require_administrator(session)?;
        let text = "Peyvand test message / پیام آزمایشی پیوند".to_owned();
        let job = match channel {
            "email" => {
                let to = Email::parse(to).map_err(|e| AppError::field("to", e))?;
                Job::Email(EmailMessage {
                    to: to.as_str().to_owned(),
                    subject: text.clone(),
                    text,
                    message_id: String::new(),
                })
            }
            "sms" => {
                let to = Phone::parse(to).map_err(|e| AppError::field("to", e))?;
                Job::Sms(SmsMessage {
                    to: to.as_str().to_owned(),
                    content: crate::notify::SmsContent::Text { text },
                    local_id: String::new(),
                })
            }
            _ => return Err(AppError::field("channel", FieldError::INVALID_CHOICE)),
        };
        let mut tx = self.store.write().await?;
        let id = self.queue_job(&mut tx, job).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The newest jobs, failed ones only when `failed_only`; administrators only.
    pub async fn jobs(
        &self,
        session: &Session,
        failed_only: bool,
        limit: u64,
    ) -> AppResult<Vec<JobView>> {
        require_administrator(session)?;
        let state = failed_only.then_some(JobState::Failed);
        let rows = self.store.read().await?.list_jobs(state, limit).await?;
        Ok(rows.into_iter().map(view).collect())
    }

    /// Claims the due jobs and runs them until none is due or `stop` is set; returns how many
    /// it ran. Messages and long recomputations go in separate claims, run side by side (see
    /// [`Lane`]). A stop request lets the jobs in hand finish and puts the rest of each claim
    /// back untouched.
    pub async fn run_due_jobs(&self, stop: &watch::Receiver<bool>) -> AppResult<usize> {
        let (messages, long) = tokio::join!(
            self.run_lane(Lane::Messages, stop),
            self.run_lane(Lane::Long, stop)
        );
        Ok(messages? + long?)
    }

    /// Claims and runs the due jobs of one lane, up to [`CONCURRENCY`] at a time.
    async fn run_lane(&self, lane: Lane, stop: &watch::Receiver<bool>) -> AppResult<usize> {
        let mut ran = 0;
        loop {
            let now = self.now();
            let claimed = {
                let mut tx = self.store.write().await?;
                let claimed = tx
                    .claim_jobs(lane.kinds(), now, now + LEASE, lane.claim_size())
                    .await?;
                tx.commit().await?;
                claimed
            };
            if claimed.is_empty() {
                return Ok(ran);
            }
            // Each job looks at the stop flag when its turn comes, so after a stop request
            // no new job starts while those under way finish.
            let outcomes: Vec<(JobRow, Outcome)> = futures_util::stream::iter(claimed)
                .map(|row| async move {
                    if *stop.borrow() {
                        return (row, None);
                    }
                    let outcome = self.perform_row(&row).await;
                    (row, Some(outcome))
                })
                .buffer_unordered(CONCURRENCY)
                .collect()
                .await;
            ran += outcomes.iter().filter(|(_, o)| o.is_some()).count();
            self.record_outcomes(outcomes).await?;
            if *stop.borrow() {
                return Ok(ran);
            }
        }
    }

    /// Runs one claimed job; a sent SMS gives the gateway's id of the message.
    async fn perform_row(&self, row: &JobRow) -> Result<Receipt, ChannelError> {
        match serde_json::from_str::<Job>(&row.payload) {
            Ok(job) => self.perform(&job).await,
            Err(e) => Err(ChannelError::permanent(format!("unreadable job: {e}"))),
        }
    }

    /// Records what became of a claim's jobs, in one transaction: done, queued again after a
    /// back-off, failed for good, or (not started) put back as they were.
    async fn record_outcomes(&self, outcomes: Vec<(JobRow, Outcome)>) -> AppResult<()> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let mut done = Vec::new();
        for (row, outcome) in outcomes {
            match outcome {
                None => tx.release_job(row.id, now).await?,
                Some(Ok(receipt)) => {
                    match receipt {
                        Receipt::Nothing => {}
                        // A campaign's message is followed in its recipient's row.
                        Receipt::Sms(provider_id) if row.kind == "campaign_sms" => {
                            tx.set_campaign_receipt(row.id, &provider_id, now).await?
                        }
                        Receipt::Sms(provider_id) => {
                            tx.set_sms_receipt(row.id, &provider_id, now).await?
                        }
                        Receipt::Batch(receipts) => {
                            tx.set_campaign_receipts(row.id, &receipts, now).await?
                        }
                    }
                    done.push(row.id)
                }
                Some(Err(error)) if error.retry && row.attempts < MAX_ATTEMPTS => {
                    tracing::warn!(job = %row.id, kind = row.kind, attempt = row.attempts, %error, "job failed, will retry");
                    tx.retry_job(row.id, now + backoff(row.attempts), &error.message, now)
                        .await?
                }
                Some(Err(error)) => {
                    tracing::error!(job = %row.id, kind = row.kind, attempt = row.attempts, %error, "job failed for good");
                    tx.fail_job(row.id, &error.message, now).await?;
                    if row.kind == "sms_batch" || row.kind == "campaign_sms" {
                        tx.fail_campaign_job(row.id, now).await?
                    }
                    if let Ok(Job::CampaignStart { campaign_id }) =
                        serde_json::from_str(&row.payload)
                    {
                        crate::sms_schedule::fail_start(&mut tx, campaign_id).await?
                    }
                }
            }
        }
        tx.finish_jobs(&done, now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn perform(&self, job: &Job) -> Result<Receipt, ChannelError> {
        let channels = self.channels();
        let sms = || {
            channels
                .sms
                .clone()
                .ok_or_else(|| ChannelError::temporary("SMS is not configured"))
        };
        match job {
            Job::Email(message) => {
                let mailer = channels
                    .mailer
                    .clone()
                    .ok_or_else(|| ChannelError::temporary("email is not configured"))?;
                mailer.send(message).await.map(|()| Receipt::Nothing)
            }
            Job::Sms(message) | Job::CampaignSms(message) => sms()?
                .send(message)
                .await
                .map(|receipt| Receipt::Sms(receipt.provider_id)),
            Job::SmsBatch(batch) => {
                let receipts = sms()?.send_bulk(&batch.messages()).await?;
                let pairs = batch.to.iter().cloned().zip(receipts);
                Ok(Receipt::Batch(
                    pairs.map(|(to, r)| (to, r.provider_id)).collect(),
                ))
            }
            Job::Insights { run_id } => self
                .perform_insights_run(*run_id)
                .await
                .map(|()| Receipt::Nothing)
                .map_err(ChannelError::permanent),
            Job::InsightTag { tagging_id } => self
                .perform_insight_tagging(*tagging_id)
                .await
                .map(|()| Receipt::Nothing),
            Job::Classify { run_id } => self
                .perform_classification(*run_id)
                .await
                .map(|()| Receipt::Nothing),
            Job::CampaignStart { campaign_id } => self
                .perform_campaign_start(*campaign_id)
                .await
                .map(|()| Receipt::Nothing),
        }
    }

    /// Wakes this process's worker (a job was queued).
    pub(crate) fn wake_worker(&self) {
        self.job_signal.0.notify_one();
    }

    /// Runs the worker until `stop` is set: due jobs are run as they come; between them it
    /// waits for a job queued by this process or for [`IDLE_POLL`]. Every [`SWEEP_EVERY`] it
    /// escalates the cases whose service-level clocks ran out and emails the activity reminders
    /// that came due. Errors of the database are logged and retried after a pause, so a
    /// passing outage does not end the worker.
    pub async fn run_worker(&self, mut stop: watch::Receiver<bool>) {
        let mut last_sweep: Option<std::time::Instant> = None;
        while !*stop.borrow() {
            if last_sweep.is_none_or(|at| at.elapsed() >= SWEEP_EVERY) {
                last_sweep = Some(std::time::Instant::now());
                match self.sla_sweep().await {
                    Ok(0) => {}
                    Ok(escalated) => tracing::info!(escalated, "service-level breaches escalated"),
                    Err(error) => tracing::error!(%error, "service-level sweep"),
                }
                match self.delivery_sweep().await {
                    Ok(0) => {}
                    Ok(asked) => tracing::debug!(asked, "SMS delivery reports asked"),
                    Err(error) => tracing::error!(%error, "SMS delivery sweep"),
                }
                match self.reminder_sweep().await {
                    Ok(0) => {}
                    Ok(sent) => tracing::info!(sent, "activity reminders sent"),
                    Err(error) => tracing::error!(%error, "activity reminder sweep"),
                }
                // The analytical CRM's nightly recomputation (issue 6), queued as a job.
                if let Err(error) = self.nightly_insights().await {
                    tracing::error!(%error, "insights nightly run");
                }
                // Contracts (issue 4 §7): active contracts past their end date expire.
                match self.contract_sweep().await {
                    Ok(0) => {}
                    Ok(expired) => tracing::info!(expired, "contracts expired"),
                    Err(error) => tracing::error!(%error, "contract expiry sweep"),
                }
                // Customer classification (issue 4 §8): queues the night's recompute once.
                if let Err(error) = self.classification_sweep().await {
                    tracing::error!(%error, "customer classification sweep");
                }
            }
            if let Err(error) = self.run_due_jobs(&stop).await {
                tracing::error!(%error, "job worker");
            }
            if *stop.borrow() {
                break;
            }
            tokio::select! {
                _ = self.job_signal.0.notified() => {}
                _ = tokio::time::sleep(IDLE_POLL) => {}
                _ = stop.changed() => {}
            }
        }
    }
}

/// Queues `job` in `tx`, due at `now`; its id becomes the message's id. Use cases that run on
/// the writer without the [`App`] call this; the worker finds the job on its next look (within
/// [`IDLE_POLL`]).
pub(crate) async fn queue_in(tx: &mut Tx, job: Job, now: OffsetDateTime) -> AppResult<Uuid> {
    queue_at(tx, job, now, now).await
}

/// Queues `job` in `tx`, due at `run_at` (a scheduled campaign's start).
pub(crate) async fn queue_at(
    tx: &mut Tx,
    job: Job,
    run_at: OffsetDateTime,
    now: OffsetDateTime,
) -> AppResult<Uuid> {
    let id = Uuid::now_v7();
    let job = with_message_id(job, id);
    let payload =
        serde_json::to_string(&job).map_err(|e| AppError::Internal(format!("job: {e}")))?;
    tx.insert_job(id, job.kind(), &payload, run_at, now).await?;
    Ok(id)
}

/// Gives the message of a job the job's id, for recognising copies.
fn with_message_id(job: Job, id: Uuid) -> Job {
    match job {
        Job::Email(mut message) => {
            message.message_id = format!("{}@peyvand", id.simple());
            Job::Email(message)
        }
        Job::Sms(mut message) => {
            message.local_id = id.simple().to_string();
            Job::Sms(message)
        }
        Job::CampaignSms(mut message) => {
            message.local_id = id.simple().to_string();
            Job::CampaignSms(message)
        }
        // Each message of a chunk: the job's id and its position, the same on every attempt.
        Job::SmsBatch(mut batch) => {
            batch.local_ids = (0..batch.to.len())
                .map(|i| crate::sms_campaigns::batch_local_id(id, i))
                .collect();
            Job::SmsBatch(batch)
        }
        job @ (Job::Insights { .. } | Job::InsightTag { .. }) => job,
        job @ (Job::Classify { .. } | Job::CampaignStart { .. }) => job,
    }
}

/// A worker running in the background, stopped with [`Worker::stop`].
pub struct Worker {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl Worker {
    /// Starts the worker of `app` on the current runtime.
    pub fn start(app: App) -> Worker {
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(async move { app.run_worker(stopped).await });
        Worker { stop, task }
    }

    /// Asks the worker to stop after the job in hand and waits until it has.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}
