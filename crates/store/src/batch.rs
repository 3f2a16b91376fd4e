//! Group commit for SQLite.
//!
//! SQLite has one writer at a time, and most of a small write's cost is the commit: writing the
//! changed pages of the table and each of its indexes to the WAL. Write jobs are therefore queued
//! to one task that runs as many as are waiting inside a single transaction, each in its own
//! savepoint — a job that fails is rolled back alone — and commits them together, so
//! consecutive inserts share their page writes. A job learns its outcome only after the commit:
//! nobody is told "saved" before it is on disk.
//!
//! PostgreSQL needs none of this (many writers run in parallel); there each job simply runs in
//! its own transaction.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;

use futures_util::FutureExt;
use sqlx::SqlitePool;
use tokio::sync::{mpsc, oneshot};

use crate::tx::Tx;
use crate::{StoreError, StoreResult};

/// What a write job returns: true to keep its changes, false to roll them back.
pub type WriteFuture<'t> = Pin<Box<dyn Future<Output = bool> + Send + 't>>;

/// A write job: runs on a transaction and says whether its changes stand.
pub type WriteJob = Box<dyn for<'t> FnOnce(&'t mut Tx) -> WriteFuture<'t> + Send>;

/// Most jobs committed together; bounds how long the first job of a batch waits.
const MAX_BATCH: usize = 256;

struct Request {
    job: WriteJob,
    done: oneshot::Sender<StoreResult<()>>,
}

/// The queue in front of the SQLite writer.
#[derive(Debug, Clone)]
pub(crate) struct Batcher {
    queue: mpsc::Sender<Request>,
}

impl Batcher {
    /// Starts the writer task on the current runtime.
    pub(crate) fn start(writer: SqlitePool) -> Batcher {
        let (queue, requests) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(run(writer, requests));
        Batcher { queue }
    }

    /// Runs a job in the next batch and waits until that batch is committed.
    pub(crate) async fn submit(&self, job: WriteJob) -> StoreResult<()> {
        let (done, outcome) = oneshot::channel();
        self.queue
            .send(Request { job, done })
            .await
            .map_err(|_| StoreError::Closed)?;
        outcome.await.map_err(|_| StoreError::Closed)?
    }
}

async fn run(writer: SqlitePool, mut requests: mpsc::Receiver<Request>) {
    while let Some(first) = requests.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match requests.try_recv() {
                Ok(request) => batch.push(request),
                Err(_) => break,
            }
        }
        let outcome = run_batch(&writer, &mut batch).await;
        for request in batch {
            let _ = request.done.send(
                outcome
                    .as_ref()
                    .map(|_| ())
                    .map_err(|e| StoreError::CommitFailed(e.to_string())),
            );
        }
    }
}

/// Runs every job of a batch in one transaction. Jobs are taken out of the requests as they
/// run; their reply channels stay for the answer after the commit.
async fn run_batch(writer: &SqlitePool, batch: &mut [Request]) -> StoreResult<()> {
    let mut tx = Tx::sqlite(writer.begin_with("BEGIN IMMEDIATE").await?);
    for request in batch.iter_mut() {
        let job = std::mem::replace(&mut request.job, Box::new(|_| Box::pin(async { false })));
        // The savepoint is set with the job's first write, so a job refused before writing
        // (most refusals: validation, rights) costs nothing. Savepoints nest, and COMMIT
        // releases them all, so they are not released one by one.
        tx.begin_job();
        // A panicking job must not take the writer (and every later write) down with it.
        let keep = AssertUnwindSafe(job(&mut tx))
            .catch_unwind()
            .await
            .unwrap_or(false);
        if !keep && tx.job_wrote() {
            tx.raw("ROLLBACK TO job").await?;
        }
    }
    tx.commit().await
}

#[cfg(test)]
mod tests {
    use time::OffsetDateTime;
    use uuid::Uuid;

    use crate::{AuditRow, Store};

    fn entry(record_id: Uuid, action: &str) -> AuditRow {
        AuditRow {
            id: Uuid::now_v7(),
            record_kind: "contact".into(),
            record_id,
            action: action.into(),
            actor_id: None,
            at: OffsetDateTime::UNIX_EPOCH,
            changes: "{}".into(),
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_job_that_fails_after_writing_is_undone_alone() {
        let path = std::env::temp_dir().join(format!("peyvand-batch-{}.db", Uuid::now_v7()));
        let store = Store::connect(&format!("sqlite://{}", path.display()))
            .await
            .unwrap();
        store.migrate().await.unwrap();
        let record = Uuid::now_v7();
        let mut waiting = Vec::new();
        for i in 0..60 {
            let store = store.clone();
            waiting.push(tokio::spawn(async move {
                store
                    .write_job(Box::new(move |tx| {
                        Box::pin(async move {
                            // Every third job writes twice and then gives up; the others keep
                            // their one write. Some first writes are updates (no folded savepoint).
                            if i % 5 == 0 {
                                let _ = tx
                                    .revoke_api_token(
                                        Uuid::now_v7(),
                                        Uuid::now_v7(),
                                        OffsetDateTime::UNIX_EPOCH,
                                    )
                                    .await;
                            }
                            tx.insert_audit(&entry(record, &format!("kept {i}")))
                                .await
                                .unwrap();
                            if i % 3 == 0 {
                                tx.insert_audit(&entry(record, "undone")).await.unwrap();
                                return false;
                            }
                            true
                        })
                    }))
                    .await
            }));
        }
        for job in waiting {
            job.await.unwrap().unwrap();
        }
        let mut tx = store.read().await.unwrap();
        let entries = tx.audit_of("contact", record, 1000).await.unwrap();
        let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(entries.len(), 40, "{actions:?}");
        assert!(actions.iter().all(|a| a.starts_with("kept ")));
        for i in (0..60).filter(|i| i % 3 == 0) {
            assert!(
                !actions.contains(&format!("kept {i}").as_str()),
                "job {i} was rolled back whole"
            );
        }
    }
}
