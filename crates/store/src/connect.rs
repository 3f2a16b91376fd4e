//! Opening the database named by a URL and applying migrations.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};

use crate::batch::{Batcher, RepeatableJob, Work, WriteJob};
use crate::direct::ReadPool;
use crate::tx::Tx;
use crate::{StoreError, StoreResult};

/// Which database a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An embedded SQLite file.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

#[derive(Debug, Clone)]
enum Pools {
    /// SQLite allows one writer at a time. Record writes go to the group-commit writer thread
    /// (`batcher`); the few other writes (sign-in, tokens, migrations) use a one-connection sqlx
    /// pool. Reads use WAL snapshots on direct read-only connections (`direct.rs`).
    Sqlite {
        reader: ReadPool,
        writer: SqlitePool,
        batcher: Batcher,
    },
    Postgres(PgPool),
}

/// A handle on the database; cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    pools: Pools,
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

impl Store {
    /// Connects to the database named by `url`: `postgres://…` (or `postgresql://…`) for
    /// PostgreSQL, `sqlite://PATH`, `sqlite:PATH` or a plain file path for SQLite (the file is
    /// created when missing).
    pub async fn connect(url: &str) -> StoreResult<Store> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let options =
                PgConnectOptions::from_str(url).map_err(|_| StoreError::BadUrl(redact(url)))?;
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await?;
            return Ok(Store {
                pools: Pools::Postgres(pool),
            });
        }
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .unwrap_or(url);
        if path.is_empty() || path.contains("://") || path.contains(":memory:") {
            return Err(StoreError::BadUrl(redact(url)));
        }
        // Before the first connection of the process starts SQLite (see the module).
        crate::page_cache::install();
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true);
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options.clone())
            .await?;
        let reader = ReadPool::new(std::path::Path::new(path), 8);
        let batcher = Batcher::start(std::path::Path::new(path))?;
        Ok(Store {
            pools: Pools::Sqlite {
                reader,
                writer,
                batcher,
            },
        })
    }

    /// Which database this store runs on.
    pub fn backend(&self) -> Backend {
        match self.pools {
            Pools::Sqlite { .. } => Backend::Sqlite,
            Pools::Postgres(_) => Backend::Postgres,
        }
    }

    /// Brings the schema up to date. Safe to run on every start and from several processes.
    pub async fn migrate(&self) -> StoreResult<()> {
        match &self.pools {
            Pools::Sqlite { writer, .. } => SQLITE_MIGRATIONS.run(writer).await?,
            Pools::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await?,
        }
        Ok(())
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> StoreResult<()> {
        let mut tx = self.read().await?;
        tx.ping().await?;
        tx.commit().await
    }

    /// Starts reading. On PostgreSQL this is a read transaction; on SQLite a read-only
    /// connection where each statement sees its own consistent snapshot.
    pub async fn read(&self) -> StoreResult<Tx> {
        Ok(match &self.pools {
            Pools::Sqlite { reader, .. } => Tx::direct_read(reader.acquire().await?),
            Pools::Postgres(pool) => Tx::postgres(pool.begin().await?),
        })
    }

    /// Starts reading for a scan of whole tables (the analytics' inputs): as [`Store::read`],
    /// but on SQLite on a connection of its own that maps none of the file and keeps a small
    /// page cache, so what a scan reads does not stay in the process's memory. The same as
    /// [`Store::read`] on PostgreSQL, whose client holds only the rows in flight.
    pub async fn read_scan(&self) -> StoreResult<Tx> {
        Ok(match &self.pools {
            Pools::Sqlite { reader, .. } => Tx::direct_read(reader.acquire_scan().await?),
            Pools::Postgres(pool) => Tx::postgres(pool.begin().await?),
        })
    }

    /// Starts a transaction that may write. On SQLite it takes the write lock at once so that it
    /// cannot fail half-way when another writer got there first.
    pub async fn write(&self) -> StoreResult<Tx> {
        Ok(match &self.pools {
            Pools::Sqlite { writer, .. } => Tx::sqlite(writer.begin_with("BEGIN IMMEDIATE").await?),
            Pools::Postgres(pool) => Tx::postgres(pool.begin().await?),
        })
    }

    /// Runs a write job and waits until its changes are committed (or rolled back when the job
    /// returns false). On SQLite, jobs waiting at the same time share one commit (group commit);
    /// on PostgreSQL each runs in its own transaction.
    pub async fn write_job(&self, job: WriteJob) -> StoreResult<()> {
        self.submit(Work::Once(Some(job)), false).await
    }

    /// As [`Store::write_job`], for a job that `make` can make again: on SQLite it needs no
    /// savepoint of its own in a shared transaction, and is run over if another job of that
    /// transaction fails after writing (see `batch::run_jobs`). Its effects must all be in the
    /// transaction, so that running it twice is running it once.
    pub async fn write_repeatable_job(&self, make: RepeatableJob) -> StoreResult<()> {
        self.submit(Work::Repeatable(make), false).await
    }

    /// As [`Store::write_job`], for a job that writes a great deal (an import, a recomputation
    /// over every customer): on SQLite it runs in a transaction of its own, with temporary
    /// storage in files rather than memory.
    pub async fn write_large_job(&self, job: WriteJob) -> StoreResult<()> {
        self.submit(Work::Once(Some(job)), true).await
    }

    async fn submit(&self, mut work: Work, alone: bool) -> StoreResult<()> {
        match &self.pools {
            Pools::Sqlite { batcher, .. } => batcher.submit(work, alone).await,
            Pools::Postgres(pool) => {
                let Some(job) = work.next() else {
                    return Ok(());
                };
                let mut tx = Tx::postgres(pool.begin().await?);
                if job(&mut tx).await {
                    tx.commit().await?;
                }
                Ok(())
            }
        }
    }

    /// Tidies up after a bulk load (the demo generator): refreshes the query planners'
    /// statistics, so that both pick the index that serves a filtered, sorted page, and on
    /// SQLite merges each full-text index into one segment (a bulk load leaves one per
    /// transaction, and every search reads all of them).
    pub async fn optimize(&self) -> StoreResult<()> {
        match &self.pools {
            Pools::Sqlite { writer, .. } => {
                let mut conn = writer.acquire().await?;
                for schema in peyvand_domain::record::ALL_SCHEMAS {
                    let index = format!("{}_search", schema.table);
                    sqlx::query(sqlx::AssertSqlSafe(format!(
                        "INSERT INTO {index}({index}) VALUES ('optimize')"
                    )))
                    .execute(&mut *conn)
                    .await?;
                }
                sqlx::query("ANALYZE").execute(&mut *conn).await?;
                // Readers look every page up in the WAL first; start them on an empty one.
                sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                    .execute(&mut *conn)
                    .await?;
            }
            Pools::Postgres(pool) => {
                sqlx::query("ANALYZE").execute(pool).await?;
            }
        }
        Ok(())
    }

    /// On SQLite, the group-commit writer's transactions since the start, the write jobs they
    /// held and how long they took; None on PostgreSQL, where every job is a transaction.
    pub fn writer_stats(&self) -> Option<crate::WriterStats> {
        match &self.pools {
            Pools::Sqlite { batcher, .. } => Some(batcher.counts().stats()),
            Pools::Postgres(_) => None,
        }
    }

    /// The tables and their columns as the database reports them (for the migration parity test).
    pub async fn describe_schema(&self) -> StoreResult<Vec<(String, String)>> {
        let mut tx = self.read().await?;
        let columns = tx.describe_schema().await?;
        tx.commit().await?;
        Ok(columns)
    }

    /// The SQLite pool that writes, for online backup. None on PostgreSQL.
    pub(crate) fn sqlite_writer(&self) -> Option<&SqlitePool> {
        match &self.pools {
            Pools::Sqlite { writer, .. } => Some(writer),
            Pools::Postgres(_) => None,
        }
    }

    /// The SQLite writer's queue, for the writer's own tests.
    #[cfg(test)]
    pub(crate) fn batcher(&self) -> &Batcher {
        match &self.pools {
            Pools::Sqlite { batcher, .. } => batcher,
            Pools::Postgres(_) => unreachable!("only SQLite has a writer thread"),
        }
    }

    /// SQLite: waits until the writer thread has run every job queued so far and the
    /// housekeeping after them, for at most [`DRAIN_WAIT`] (a job still running then is rolled
    /// back when the process ends, as an unfinished transaction always is).
    pub(crate) async fn drain_writer(&self) {
        let Pools::Sqlite { batcher, .. } = &self.pools else {
            return;
        };
        match tokio::time::timeout(DRAIN_WAIT, batcher.drain()).await {
            Ok(Ok(())) => {}
            Ok(Err(error)) => tracing::warn!(%error, "the writer did not finish its queue"),
            Err(_) => tracing::warn!("the writer was still busy when the store closed"),
        }
    }

    /// Closes every connection (graceful shutdown), once the writer has finished its queue.
    pub async fn close(&self) {
        match &self.pools {
            Pools::Sqlite { reader, writer, .. } => {
                // A large job's housekeeping (emptying the WAL) runs after its caller was told
                // it committed; a command that exits next would cut it short.
                self.drain_writer().await;
                reader.close();
                writer.close().await;
            }
            Pools::Postgres(pool) => pool.close().await,
        }
    }
}

/// How long closing the store waits for the writer's queue: long enough for the checkpoint
/// after a large import (seconds), short of a service manager's stop timeout.
const DRAIN_WAIT: Duration = Duration::from_secs(60);

/// The URL without its password, for error messages and logs.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..scheme_end + 3],
                    &credentials[..colon],
                    &url[at..]
                ),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_never_reach_messages() {
        assert_eq!(
            redact("postgres://peyvand:secret@db/crm"),
            "postgres://peyvand:***@db/crm"
        );
        assert_eq!(redact("postgres://db/crm"), "postgres://db/crm");
    }
}
