//! Group commit for SQLite.
//!
//! SQLite has one writer at a time, and most of a small write's cost is the commit: writing the
//! changed pages of the table and each of its indexes to the WAL. Write jobs are therefore queued
//! to one writer thread that runs as many as are waiting inside a single transaction, each after
//! the first that writes in its own savepoint — a job that fails is rolled back alone — and commits them together, so
//! consecutive inserts share their page writes. A job learns its outcome only after the commit:
//! nobody is told "saved" before it is.
//!
//! The thread owns its connection (`direct.rs`) and runs each job's statements itself; the jobs
//! are the use cases' async code, polled to completion on this thread (their store calls
//! complete at once here, so nothing waits on another thread in the middle of a batch).
//!
//! PostgreSQL needs none of this (many writers run in parallel); there each job simply runs in
//! its own transaction.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use futures_util::FutureExt;
use tokio::runtime::Handle;
use tokio::sync::{mpsc, oneshot};

use crate::tx::Tx;
use crate::{StoreError, StoreResult};

/// What a write job returns: true to keep its changes, false to roll them back.
pub type WriteFuture<'t> = Pin<Box<dyn Future<Output = bool> + Send + 't>>;

/// A write job: runs on a transaction and says whether its changes stand.
pub type WriteJob = Box<dyn for<'t> FnOnce(&'t mut Tx) -> WriteFuture<'t> + Send>;

/// Makes the same write job again, each time it is called: a job the writer may run over.
///
/// Such a job needs no savepoint of its own (see [`run_jobs`]): if a later job of its batch
/// fails after writing, the writer rolls the whole transaction back and runs it again instead.
pub type RepeatableJob = Box<dyn FnMut() -> WriteJob + Send>;

/// Most jobs committed together; bounds how long the first job of a batch waits.
const MAX_BATCH: usize = 256;

/// What a request asks the writer to run.
pub(crate) enum Work {
    /// A job that runs once (taken when it runs).
    Once(Option<WriteJob>),
    /// A job the writer can make again and run over.
    Repeatable(RepeatableJob),
}

impl Work {
    /// The job to run now; `None` once a one-off job has run.
    pub(crate) fn next(&mut self) -> Option<WriteJob> {
        match self {
            Work::Once(job) => job.take(),
            Work::Repeatable(make) => Some(make()),
        }
    }

    fn repeatable(&self) -> bool {
        matches!(self, Work::Repeatable(_))
    }
}

struct Request {
    work: Work,
    /// A large job (an import, a recomputation over every customer): it runs in a transaction
    /// of its own, with SQLite's temporary storage on disk (see [`run_alone`]).
    alone: bool,
    done: oneshot::Sender<StoreResult<()>>,
}

/// The queue in front of the SQLite writer thread.
#[derive(Debug, Clone)]
pub(crate) struct Batcher {
    queue: mpsc::Sender<Request>,
    counts: Arc<WriteCounts>,
    /// Set by the checkpointer when a round copied all it found; the writer then copies what
    /// was committed since (see [`finish_the_round`]). Kept here for the tests to set.
    #[cfg_attr(not(test), allow(dead_code))]
    round_done: Arc<AtomicBool>,
}

/// What the writer has committed since the start, for `/metrics`: jobs per batch is how much
/// the group commit saves.
#[derive(Debug, Default)]
pub(crate) struct WriteCounts {
    /// Transactions the writer ran (committed or not).
    pub(crate) batches: AtomicU64,
    /// Write jobs those transactions held.
    pub(crate) jobs: AtomicU64,
    /// The time those transactions took, from the first statement to the commit, in µs.
    pub(crate) busy_micros: AtomicU64,
    /// How many transactions took at most each of [`BATCH_SECONDS`].
    pub(crate) within: [AtomicU64; BATCH_SECONDS.len()],
}

/// Upper bounds of the histogram of the writer's transactions' durations, in seconds. A write
/// waits for the transaction under way and then its own, so these make most of its latency.
pub const BATCH_SECONDS: [f64; 7] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1];

impl WriteCounts {
    /// Counts a transaction of `jobs` jobs that took `took`.
    fn observe(&self, jobs: usize, took: std::time::Duration) {
        self.batches.fetch_add(1, Ordering::Relaxed);
        self.jobs.fetch_add(jobs as u64, Ordering::Relaxed);
        self.busy_micros
            .fetch_add(took.as_micros() as u64, Ordering::Relaxed);
        let seconds = took.as_secs_f64();
        for (count, bound) in self.within.iter().zip(BATCH_SECONDS) {
            if seconds <= bound {
                count.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// What the counters hold now.
    pub(crate) fn stats(&self) -> WriterStats {
        WriterStats {
            batches: self.batches.load(Ordering::Relaxed),
            jobs: self.jobs.load(Ordering::Relaxed),
            busy_seconds: self.busy_micros.load(Ordering::Relaxed) as f64 / 1e6,
            within: BATCH_SECONDS
                .iter()
                .zip(&self.within)
                .map(|(bound, count)| (*bound, count.load(Ordering::Relaxed)))
                .collect(),
        }
    }
}

/// The SQLite writer's work since the start (`Store::writer_stats`), for `/metrics`.
#[derive(Debug, Clone, PartialEq)]
pub struct WriterStats {
    /// Transactions the writer ran (committed or not).
    pub batches: u64,
    /// Write jobs those transactions held; jobs per transaction is what the group commit saves.
    pub jobs: u64,
    /// The time those transactions took in all, in seconds.
    pub busy_seconds: f64,
    /// For each of [`BATCH_SECONDS`], how many transactions took at most that long.
    pub within: Vec<(f64, u64)>,
}

impl Batcher {
    /// Opens the writer's connection to the database file and starts its thread.
    pub(crate) fn start(path: &Path) -> StoreResult<Batcher> {
        let conn = crate::direct::open(path)?;
        // The writer does not checkpoint: a checkpoint copies the WAL's pages back into the
        // database file and syncs it, tens of milliseconds on a large database, and run at a
        // commit it stalls every write queued behind it (bench/sales.sh, moving a card on a
        // million opportunities: p99 23 ms against a p50 of 1.6 ms). A thread of its own
        // checkpoints instead, beside the commits.
        conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        let checkpointer = crate::direct::open(path)?;
        // One pending signal is enough: commits during a round are all in the next one.
        let (committed, commits) = std::sync::mpsc::sync_channel::<()>(1);
        let round_done = Arc::new(AtomicBool::new(false));
        let checkpointer_round_done = round_done.clone();
        let wal_path = wal_path_of(path);
        std::thread::Builder::new()
            .name("peyvand-checkpoint".into())
            .spawn(move || {
                checkpoint_after_commits(
                    &checkpointer,
                    &commits,
                    &checkpointer_round_done,
                    &wal_path,
                )
            })?;
        let (queue, requests) = mpsc::channel(4 * MAX_BATCH);
        let runtime = Handle::current();
        let counts = Arc::new(WriteCounts::default());
        let writer_counts = counts.clone();
        let writer_round_done = round_done.clone();
        std::thread::Builder::new()
            .name("peyvand-writer".into())
            // The checkpointer stops with the writer, when `committed` is dropped.
            .spawn(move || {
                run(
                    conn,
                    requests,
                    runtime,
                    &committed,
                    &writer_round_done,
                    &writer_counts,
                )
            })?;
        Ok(Batcher {
            queue,
            counts,
            round_done,
        })
    }

    /// Waits until the writer has run everything queued so far, and the housekeeping after it.
    pub(crate) async fn drain(&self) -> StoreResult<()> {
        // A job that is already taken runs as nothing: its reply comes after the work before
        // it, the checkpoint after a large job included.
        self.submit(Work::Once(None), false).await
    }

    /// The writer's counters.
    pub(crate) fn counts(&self) -> &WriteCounts {
        &self.counts
    }

    /// Tells the writer what the checkpointer tells it after a round that copied everything.
    #[cfg(test)]
    pub(crate) fn report_a_finished_round(&self) {
        self.round_done.store(true, Ordering::Release);
    }

    /// Runs a job in the next batch and waits until that batch is committed. An `alone` job
    /// gets a transaction of its own.
    pub(crate) async fn submit(&self, work: Work, alone: bool) -> StoreResult<()> {
        let (done, outcome) = oneshot::channel();
        self.queue
            .send(Request { work, alone, done })
            .await
            .map_err(|_| StoreError::Closed)?;
        outcome.await.map_err(|_| StoreError::Closed)?
    }
}

/// How long the checkpointer lets commits gather before copying them from the WAL into the
/// database file.
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(100);

/// Checkpoints the WAL at most every [`CHECKPOINT_EVERY`] while commits come, and sleeps while
/// none do (an idle server wakes nobody); ends when the writer is gone. Passive checkpoints wait
/// for nobody and block nobody: what readers still use stays in the WAL for the next round.
/// A round that copied every frame it found sets `round_done`, for [`finish_the_round`].
fn checkpoint_after_commits(
    conn: &rusqlite::Connection,
    commits: &std::sync::mpsc::Receiver<()>,
    round_done: &AtomicBool,
    wal_path: &Path,
) {
    while commits.recv().is_ok() {
        std::thread::sleep(CHECKPOINT_EVERY);
        match conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |row| {
            Ok((row.get::<_, i64>(1)?, row.get::<_, i64>(2)?))
        }) {
            Ok((frames, copied)) if frames >= 0 && copied == frames => {
                if let Err(error) = sync_what_came_since(wal_path) {
                    tracing::debug!(%error, "the WAL was not synced after a checkpoint round");
                }
                round_done.store(true, Ordering::Release)
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "checkpoint failed"),
        }
    }
}

/// Syncs the WAL once more after a round that copied everything, before the writer finishes
/// the round ([`finish_the_round`]).
///
/// A checkpoint syncs the WAL before it copies, and the writer's own checkpoint then syncs the
/// frames committed while the round copied: tens of milliseconds of commits, written to disk
/// while every write waits for the writer. Synced here, beside the commits, they leave the
/// writer's sync little to do; that stall had been the largest part of the create's p99
/// (bench/http.sh: p99 10.2 -> 9.0 ms, alternated runs).
fn sync_what_came_since(wal_path: &Path) -> std::io::Result<()> {
    std::fs::File::open(wal_path)?.sync_data()
}

/// The path of the WAL of the database file at `path`.
fn wal_path_of(path: &Path) -> std::path::PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push("-wal");
    name.into()
}

/// Copies into the database file what was committed since the checkpointer's last round, when
/// that round copied everything it found, so that the writer's next transaction starts the
/// WAL over.
///
/// SQLite starts the WAL over only when a write transaction begins with every frame already
/// copied. Under a steady stream of writes the writer begins its next batch right after each
/// commit, while the checkpointer is still copying the frames before it, so that never
/// happened: the WAL grew by every commit (1.2 GB in eight seconds of creating contacts), and
/// each commit's pages went to new places of the file, where the kernel first had to find
/// memory and disk blocks for them (a tenth of the writer's time). The frames left after a
/// round are the few of the last milliseconds, quick to copy; the WAL then stays within about
/// one round of commits and is written over in place.
fn finish_the_round(conn: &rusqlite::Connection, round_done: &AtomicBool) {
    if round_done.swap(false, Ordering::Acquire)
        && let Err(error) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
    {
        tracing::warn!(%error, "the writer's checkpoint failed");
    }
}

fn run(
    mut conn: rusqlite::Connection,
    mut requests: mpsc::Receiver<Request>,
    runtime: Handle,
    committed: &std::sync::mpsc::SyncSender<()>,
    round_done: &AtomicBool,
    counts: &WriteCounts,
) {
    // A job that must run alone, met while a batch was being gathered: it starts the next one.
    let mut held: Option<Request> = None;
    while let Some(first) = held.take().or_else(|| requests.blocking_recv()) {
        finish_the_round(&conn, round_done);
        let alone = first.alone;
        let mut batch = vec![first];
        while !alone && batch.len() < MAX_BATCH {
            match requests.try_recv() {
                Ok(request) if request.alone => {
                    held = Some(request);
                    break;
                }
                Ok(request) => batch.push(request),
                Err(_) => break,
            }
        }
        let started = std::time::Instant::now();
        let outcome;
        (conn, outcome) = if alone {
            run_alone(conn, &mut batch, &runtime)
        } else {
            run_batch(conn, &mut batch, &runtime)
        };
        counts.observe(batch.len(), started.elapsed());
        let succeeded = outcome.is_ok();
        if succeeded && !alone {
            // Full means a round is already due; either way the commit will be copied.
            let _ = committed.try_send(());
        }
        for Request { work, done, .. } in batch {
            // The work goes before its requester hears back, so that whatever it shares with
            // the requester (a session, the inputs) is freed there, off this thread.
            drop(work);
            let reply = outcome
                .as_ref()
                .map(|_| ())
                .map_err(|e| StoreError::CommitFailed(e.to_string()));
            let _ = done.send(reply);
        }
        // The large job's changes are committed and it has been told so; what is left is
        // housekeeping, which writes queued meanwhile wait for either way.
        if succeeded && alone {
            empty_the_wal(&conn);
        }
    }
}

/// Runs a large job in a transaction of its own, with SQLite's temporary storage in files.
///
/// The writer keeps temporary storage in memory (`direct::open`): a job's savepoint copies
/// each page the job changes to a statement journal, and in a file that journal cost a file
/// created and deleted per job. A large job would hold far more than memory should: its
/// temporary tables (an import's gathered match keys) and the statement journals of its
/// statements that rewrite many existing pages. So it runs with files, as SQLite does by
/// default; the setting can change only between transactions.
fn run_alone(
    conn: rusqlite::Connection,
    batch: &mut [Request],
    runtime: &Handle,
) -> (rusqlite::Connection, StoreResult<()>) {
    if let Err(error) = conn.execute_batch("PRAGMA temp_store = FILE") {
        return (conn, Err(error.into()));
    }
    let (conn, outcome) = run_batch(conn, batch, runtime);
    // Changing it back also drops the temporary database the job may have filled. The job's
    // outcome stands either way: failing here only leaves later batches on files.
    if let Err(error) = conn.execute_batch("PRAGMA temp_store = MEMORY") {
        tracing::warn!(%error, "temporary storage left in files");
    }
    // A bulk load changes the page cache and the sorter's threads while it runs
    // (`store::bulk`), settings of the connection that a rollback does not undo: a cancelled
    // or failed import leaves them as they were in the middle of it.
    let usual = format!(
        "PRAGMA cache_size = -{}; PRAGMA threads = 0;",
        crate::direct::WRITER_CACHE_KIB
    );
    if let Err(error) = conn.execute_batch(&usual) {
        tracing::warn!(%error, "the writer's page cache was not set back");
    }
    (conn, outcome)
}

/// How long the writer waits for readers to leave the WAL after a large job.
const EMPTY_WAL_WAIT: std::time::Duration = std::time::Duration::from_secs(1);

/// Copies the whole WAL into the database file and truncates it, right after a large job (once
/// the job has been told of its commit: an import's user sees the result without waiting for
/// this, seconds for a million contacts).
///
/// A large job leaves a WAL of gigabytes (seeding a million opportunities: 5.6 GB). Left to the
/// passive checkpointer it is copied while later commits keep appending to it, every reader
/// searches its index, and the file stays that large on disk until a commit finds all of it
/// copied. The writer has just spent far longer on the job, so the checkpoint here costs the
/// queued writes little in proportion. Readers still inside the WAL make it give up after
/// [`EMPTY_WAL_WAIT`]; the passive rounds finish the work then.
fn empty_the_wal(conn: &rusqlite::Connection) {
    let waited = conn.busy_timeout(EMPTY_WAL_WAIT).and_then(|()| {
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |row| {
            row.get::<_, i64>(0)
        })
    });
    match waited {
        Ok(0) => {}
        Ok(_) => tracing::debug!("readers kept the WAL from being emptied after a large job"),
        Err(error) => tracing::warn!(%error, "the WAL was not emptied after a large job"),
    }
    if let Err(error) = conn.busy_timeout(crate::direct::BUSY_TIMEOUT) {
        tracing::warn!(%error, "the writer's busy timeout was not restored");
    }
}

/// Runs every job of a batch in one transaction and commits it; gives the connection back.
fn run_batch(
    conn: rusqlite::Connection,
    batch: &mut [Request],
    runtime: &Handle,
) -> (rusqlite::Connection, StoreResult<()>) {
    if let Err(error) = conn.execute_batch("BEGIN IMMEDIATE") {
        return (conn, Err(error.into()));
    }
    let mut tx = Tx::direct(conn);
    let mut outcome = run_jobs(&mut tx, batch, runtime);
    if outcome.is_ok() {
        outcome = runtime.block_on(tx.before_sqlite_commit());
    }
    let conn = match tx.into_direct() {
        Some(conn) => conn,
        None => unreachable!("a batch runs on the writer's own connection"),
    };
    let outcome = outcome.and_then(|()| conn.execute_batch("COMMIT").map_err(StoreError::from));
    if outcome.is_err() {
        let _ = conn.execute_batch("ROLLBACK");
    }
    (conn, outcome)
}

/// How running one job went.
enum Ran {
    /// It wrote nothing (whether it succeeded or not).
    Nothing,
    /// It wrote and its changes stand.
    Kept,
    /// It wrote, failed, and was rolled back to its savepoint.
    Undone,
    /// It wrote and failed without a savepoint: the transaction holds its changes.
    FailedUnguarded,
}

/// Runs the jobs of a batch in order on the open transaction.
///
/// A savepoint makes SQLite copy every page a job changes to a statement journal before
/// changing it — a fifth of the writer's time when creating contacts (perf, bench/http.sh). A
/// job therefore runs without one as long as every job kept so far can be run again: if it
/// then fails after writing, the transaction is rolled back and the kept jobs are run over
/// ([`run_over`]). Once a one-off job has been kept, later jobs get a savepoint each, as its
/// changes could not be made again.
fn run_jobs(tx: &mut Tx, batch: &mut [Request], runtime: &Handle) -> StoreResult<()> {
    let mut kept: Vec<usize> = Vec::new();
    let mut kept_once = false;
    for index in 0..batch.len() {
        match run_one(tx, &mut batch[index].work, kept_once, runtime)? {
            Ran::Nothing | Ran::Undone => {}
            Ran::Kept => {
                kept_once |= !batch[index].work.repeatable();
                kept.push(index);
            }
            Ran::FailedUnguarded => run_over(tx, batch, &mut kept, runtime)?,
        }
    }
    Ok(())
}

/// Rolls the transaction back and runs the kept jobs (all repeatable) again, dropping any that
/// now fail after writing, until they all stand together.
fn run_over(
    tx: &mut Tx,
    batch: &mut [Request],
    kept: &mut Vec<usize>,
    runtime: &Handle,
) -> StoreResult<()> {
    'again: loop {
        runtime.block_on(async {
            tx.raw("ROLLBACK").await?;
            tx.raw("BEGIN IMMEDIATE").await
        })?;
        tx.forget_all_notes();
        for position in 0..kept.len() {
            if let Ran::FailedUnguarded =
                run_one(tx, &mut batch[kept[position]].work, false, runtime)?
            {
                kept.remove(position);
                continue 'again;
            }
        }
        return Ok(());
    }
}

/// Runs one job, in a savepoint when `guarded`, and rolls it back to the savepoint if it fails.
fn run_one(tx: &mut Tx, work: &mut Work, guarded: bool, runtime: &Handle) -> StoreResult<Ran> {
    let Some(job) = work.next() else {
        return Ok(Ran::Nothing);
    };
    tx.begin_job(guarded);
    // A panicking job must not take the writer (and every later write) down with it.
    let keep = runtime
        .block_on(AssertUnwindSafe(job(tx)).catch_unwind())
        .unwrap_or(false);
    if !keep {
        tx.forget_job_notes();
    }
    Ok(match (tx.job_wrote(), keep, guarded) {
        (false, _, _) => Ran::Nothing,
        (true, true, _) => Ran::Kept,
        (true, false, true) => {
            runtime.block_on(tx.raw("ROLLBACK TO job"))?;
            Ran::Undone
        }
        (true, false, false) => Ran::FailedUnguarded,
    })
}

#[cfg(test)]
#[path = "batch_tests.rs"]
mod tests;
