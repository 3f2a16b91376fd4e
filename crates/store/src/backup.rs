//! Online, consistent backup of the SQLite file, and the check a restore makes first.

use std::path::Path;

use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};

use crate::{Store, StoreError, StoreResult};

/// Writes a consistent copy of the running SQLite database to `target` while the server keeps
/// serving. `VACUUM INTO` reads one snapshot, so writes that happen meanwhile are simply not in
/// the copy; the copy is compacted and has no WAL file beside it.
pub async fn backup_sqlite(store: &Store, target: &Path) -> StoreResult<()> {
    let writer = store.sqlite_writer().ok_or_else(|| {
        StoreError::BadUrl("backup works on SQLite; use pg_dump for PostgreSQL".into())
    })?;
    if target.exists() {
        return Err(StoreError::Io(std::io::Error::new(
            std::io::ErrorKind::AlreadyExists,
            format!("{} already exists", target.display()),
        )));
    }
    let target = target
        .to_str()
        .ok_or_else(|| StoreError::BadUrl("backup path is not UTF-8".into()))?;
    let mut conn = writer.acquire().await?;
    sqlx::query("VACUUM INTO ?")
        .bind(target)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Checks that `file` is an intact SQLite database made by Peyvand before it replaces the live one.
pub async fn check_sqlite_backup(file: &Path) -> StoreResult<()> {
    let mut conn = SqliteConnectOptions::new()
        .filename(file)
        .read_only(true)
        .connect()
        .await?;
    let integrity: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut conn)
        .await?;
    if integrity != "ok" {
        return Err(StoreError::Corrupt(format!(
            "integrity check failed: {integrity}"
        )));
    }
    let tables: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ('users', 'contacts', '_sqlx_migrations')",
    )
    .fetch_one(&mut conn)
    .await?;
    conn.close().await?;
    if tables != 3 {
        return Err(StoreError::Corrupt("not a Peyvand database".into()));
    }
    Ok(())
}
