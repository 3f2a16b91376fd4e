//! Running a use case's writes as a store write job (group commit on SQLite).

use std::sync::{Arc, Mutex};

use futures_util::future::BoxFuture;
use peyvand_store::Tx;

use crate::App;
use crate::error::{AppError, AppResult};

impl App {
    /// Runs `work` in a write transaction and returns its result once its changes are committed;
    /// when it fails, its changes are rolled back and its error returned.
    pub(crate) async fn write<T, F>(&self, work: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: for<'t> FnOnce(&'t mut Tx) -> BoxFuture<'t, AppResult<T>> + Send + 'static,
    {
        self.run_write(work, false).await
    }

    /// As [`App::write`], for work that writes a great deal (an import, demo data, a
    /// recomputation over every customer): it gets a transaction of its own
    /// ([`peyvand_store::Store::write_large_job`]).
    pub(crate) async fn write_large<T, F>(&self, work: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: for<'t> FnOnce(&'t mut Tx) -> BoxFuture<'t, AppResult<T>> + Send + 'static,
    {
        self.run_write(work, true).await
    }

    /// As [`App::write`], for work that can run again: all its effects are in the transaction
    /// (no message sent, no memory changed), and its captures are cloned for each run. On
    /// SQLite it needs no savepoint in a shared transaction, which is the cheaper path for the
    /// most frequent writes (see [`peyvand_store::Store::write_repeatable_job`]).
    pub(crate) async fn write_repeatable<T, F>(&self, work: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: for<'t> FnOnce(&'t mut Tx) -> BoxFuture<'t, AppResult<T>> + Clone + Send + 'static,
    {
        let slot: Slot<T> = Arc::default();
        let filled = slot.clone();
        // Each run makes a job from a fresh copy of the work; the last run's result stands.
        let make: peyvand_store::RepeatableJob =
            Box::new(move || job(work.clone(), filled.clone()));
        self.store.write_repeatable_job(make).await?;
        taken(&slot)
    }

    async fn run_write<T, F>(&self, work: F, large: bool) -> AppResult<T>
    where
        T: Send + 'static,
        F: for<'t> FnOnce(&'t mut Tx) -> BoxFuture<'t, AppResult<T>> + Send + 'static,
    {
        let slot: Slot<T> = Arc::default();
        let job = job(work, slot.clone());
        if large {
            self.store.write_large_job(job).await?;
        } else {
            self.store.write_job(job).await?;
        }
        taken(&slot)
    }
}

/// Results of a use case's work, filled in by its job.
type Slot<T> = Arc<Mutex<Option<AppResult<T>>>>;

/// The store job that runs `work` and puts its result in `slot`; it keeps its changes when
/// the work succeeds.
fn job<T, F>(work: F, slot: Slot<T>) -> peyvand_store::WriteJob
where
    T: Send + 'static,
    F: for<'t> FnOnce(&'t mut Tx) -> BoxFuture<'t, AppResult<T>> + Send + 'static,
{
    Box::new(move |tx| {
        Box::pin(async move {
            let result = work(tx).await;
            let keep = result.is_ok();
            *slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(result);
            keep
        })
    })
}

/// The result a committed job left.
fn taken<T>(slot: &Slot<T>) -> AppResult<T> {
    let result = slot.lock().unwrap_or_else(|e| e.into_inner()).take();
    result.unwrap_or_else(|| Err(AppError::Internal("a write job did not run".into())))
}
