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

    async fn run_write<T, F>(&self, work: F, large: bool) -> AppResult<T>
    where
        T: Send + 'static,
        F: for<'t> FnOnce(&'t mut Tx) -> BoxFuture<'t, AppResult<T>> + Send + 'static,
    {
        let slot: Arc<Mutex<Option<AppResult<T>>>> = Arc::default();
        let filled = slot.clone();
        let job: peyvand_store::WriteJob = Box::new(move |tx| {
            Box::pin(async move {
                let result = work(tx).await;
                let keep = result.is_ok();
                *filled.lock().unwrap_or_else(|e| e.into_inner()) = Some(result);
                keep
            })
        });
        if large {
            self.store.write_large_job(job).await?;
        } else {
            self.store.write_job(job).await?;
        }
        let result = slot.lock().unwrap_or_else(|e| e.into_inner()).take();
        result.unwrap_or_else(|| Err(AppError::Internal("a write job did not run".into())))
    }
}
