//! Imports as background jobs of this process: started by a request, followed by polling, so
//! the server keeps answering while a large file is imported.
//!
//! Jobs live in memory. If the process stops, a running import's transaction is never
//! committed, so nothing of it remains; its job is simply gone and the user starts it again.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use uuid::Uuid;

use super::{ImportOptions, ImportProgress, ImportReport};
use crate::App;
use crate::auth::Session;
use crate::error::{AppError, AppResult};

/// How many finished jobs are remembered per process (older ones are forgotten first).
const KEPT_FINISHED: usize = 100;

/// Where a job is.
#[derive(Debug, Clone)]
pub enum JobState {
    /// Still importing.
    Running,
    /// Finished; the report says what was kept.
    Done(ImportReport),
    /// Stopped by an error before the end; nothing was written.
    Failed(AppError),
}

/// A job as its owner sees it.
#[derive(Debug, Clone)]
pub struct ImportJob {
    /// The job's id.
    pub id: Uuid,
    /// The user who started it.
    pub user_id: Uuid,
    /// What it imports and how.
    pub options: ImportOptions,
    /// Progress so far.
    pub progress: Arc<ImportProgress>,
    /// The file, while it is kept (after a dry run, for the real run).
    pub file: Option<PathBuf>,
    /// Running, done or failed.
    pub state: JobState,
}

/// The jobs of this process.
#[derive(Default)]
pub(crate) struct ImportJobs {
    jobs: Mutex<HashMap<Uuid, ImportJob>>,
    finished: Mutex<Vec<Uuid>>,
}

impl ImportJobs {
    fn set_state(&self, id: Uuid, state: JobState) {
        if let Some(job) = self
            .jobs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get_mut(&id)
        {
            job.state = state;
        }
        let mut finished = self.finished.lock().unwrap_or_else(|e| e.into_inner());
        finished.push(id);
        if finished.len() > KEPT_FINISHED {
            let old = finished.remove(0);
            let forgotten = self
                .jobs
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .remove(&old);
            if let Some(job) = forgotten {
                for path in job.file.into_iter().chain(job.options.rejects_path) {
                    let _ = std::fs::remove_file(path);
                }
            }
        }
    }
}

impl App {
    /// Starts importing `path` in the background and returns the job's id at once. The file
    /// is deleted when the job ends unless `keep_file` (a dry run keeps it for the real run).
    pub fn start_import(
        &self,
        session: &Session,
        path: PathBuf,
        options: ImportOptions,
        keep_file: bool,
    ) -> AppResult<Uuid> {
        super::check_options(session, &options)?;
        let file = std::fs::File::open(&path).map_err(|_| AppError::NotFound)?;
        let size = file.metadata().map(|m| m.len()).unwrap_or(0);
        let progress = ImportProgress::new(size);
        let id = Uuid::now_v7();
        let job = ImportJob {
            id,
            user_id: session.actor.user_id,
            options: options.clone(),
            progress: progress.clone(),
            file: keep_file.then(|| path.clone()),
            state: JobState::Running,
        };
        self.imports
            .jobs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id, job);
        let (app, session) = (self.clone(), session.clone());
        tokio::spawn(async move {
            let outcome = app.import(&session, file, options, progress).await;
            if !keep_file {
                let _ = std::fs::remove_file(&path);
            }
            let state = match outcome {
                Ok(report) => JobState::Done(report),
                Err(error) => JobState::Failed(error),
            };
            app.imports.set_state(id, state);
        });
        Ok(id)
    }

    /// A job of the signed-in user (other users' jobs are "not found").
    pub fn import_job(&self, session: &Session, id: Uuid) -> AppResult<ImportJob> {
        self.imports
            .jobs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&id)
            .filter(|job| job.user_id == session.actor.user_id)
            .cloned()
            .ok_or(AppError::NotFound)
    }

    /// Runs a finished dry run for real, with the same file and settings.
    pub fn run_after_dry_run(&self, session: &Session, id: Uuid) -> AppResult<Uuid> {
        let job = self.import_job(session, id)?;
        let path = match (&job.state, &job.file, job.options.dry_run) {
            (JobState::Done(_), Some(path), true) => path.clone(),
            _ => return Err(AppError::NotFound),
        };
        // The file now belongs to the new job, which deletes it when it ends.
        if let Some(old) = self
            .imports
            .jobs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get_mut(&id)
        {
            old.file = None;
        }
        let mut options = job.options;
        options.dry_run = false;
        if let Some(rejects) = &options.rejects_path {
            options.rejects_path = Some(rejects.with_extension("run.csv"));
        }
        self.start_import(session, path, options, false)
    }

    /// Asks a running job of the signed-in user to stop; it rolls back what it wrote.
    pub fn cancel_import(&self, session: &Session, id: Uuid) -> AppResult<()> {
        self.import_job(session, id)?.progress.cancel();
        Ok(())
    }
}
