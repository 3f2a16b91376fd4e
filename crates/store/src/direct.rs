//! Direct SQLite access for the group-commit writer thread (rusqlite on the same bundled
//! SQLite as sqlx).
//!
//! sqlx runs each SQLite connection on a thread of its own and hands every statement to it and
//! every result back, which under load made thread switches cost more than the writes
//! themselves (docs/benchmarks.md). The writer thread owns this connection and runs whole
//! batches on it, statement after statement, without leaving the thread. Values are written in
//! exactly the forms sqlx writes and reads (RFC 3339 text for moments, `YYYY-MM-DD` for dates,
//! 16-byte blobs for ids, 0/1 for booleans), so both drivers read each other's rows.

use std::path::Path;
use std::time::Duration;

use peyvand_domain::record::Value;
use rusqlite::types::{ToSqlOutput, Value as SqlValue, ValueRef};
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

use crate::values::ColType;
use crate::{StoreError, StoreResult};

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> Self {
        if let rusqlite::Error::SqliteFailure(failure, message) = &error {
            match failure.extended_code {
                rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                | rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY => {
                    return StoreError::UniqueViolation;
                }
                rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY => {
                    return StoreError::ForeignKeyViolation;
                }
                rusqlite::ffi::SQLITE_CONSTRAINT_TRIGGER
                    if message
                        .as_deref()
                        .is_some_and(crate::is_sqlite_restrict_message) =>
                {
                    return StoreError::ForeignKeyViolation;
                }
                _ => {}
            }
        }
        StoreError::Corrupt(format!("sqlite: {error}"))
    }
}

/// The writer's page cache, in KiB as SQLite's negative `cache_size` takes it.
pub(crate) const WRITER_CACHE_KIB: i64 = 65_536;

/// The size, in bytes, the WAL file is cut back to when it starts over.
pub(crate) const WAL_SIZE_LIMIT: i64 = 64 * 1024 * 1024;

/// How long a connection waits for a lock another one holds before it gives up.
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Opens the writer's connection with the same settings as the sqlx pools.
pub(crate) fn open(path: &Path) -> StoreResult<rusqlite::Connection> {
    crate::page_cache::install();
    // The writer's commits go to the WAL in one write each (`wal_writes`).
    let conn = if crate::wal_writes::register() {
        rusqlite::Connection::open_with_flags_and_vfs(
            path,
            rusqlite::OpenFlags::default(),
            crate::wal_writes::NAME,
        )?
    } else {
        rusqlite::Connection::open(path)?
    };
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
    )?;
    // The writer runs large transactions (imports, demo data): with SQLite's default 2 MB page
    // cache their dirty index pages spill to the WAL and are read back again and again, which
    // cost most of an import's time in the kernel (bench/import.sh, perf). 64 MB is a ceiling,
    // used only as a transaction needs it.
    conn.pragma_update(None, "cache_size", -WRITER_CACHE_KIB)?;
    // Each job of a group-commit batch but the first runs in a savepoint, and SQLite copies the
    // pages it changes to a statement journal, in a temporary file once past 64 KiB: a created
    // contact passes that (twenty-odd index pages), so every job created, wrote and deleted a
    // file, a third of the writer's time (perf, bench/http.sh). In memory, the journal is a
    // copy. Large jobs switch back to files (`batch::run_alone`).
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    // Under a steady stream of writes the WAL is never wholly copied back at any one moment, so
    // it grows (1.5 GB in ten seconds of creating contacts) until writes pause and it starts
    // over; this limit makes it shrink back then instead of keeping its largest size on disk.
    conn.pragma_update(None, "journal_size_limit", WAL_SIZE_LIMIT)?;
    conn.set_prepared_statement_cache_capacity(256);
    stable_plans(&conn)?;
    Ok(conn)
}

/// Plans statements without looking at the values bound to them (SQLite's query planner
/// stability guarantee), so that a cached statement is prepared once and then only run.
///
/// The bundled SQLite is built with `SQLITE_ENABLE_STAT4`, and `Store::optimize` runs `ANALYZE`:
/// with samples of an index's values, SQLite plans an equality or a range on a bound parameter
/// for the value bound at the time, and so marks the statement to be prepared again whenever
/// that parameter is bound anew — every execution of a cached list or count statement parsed
/// and planned it again (perf: a fifth of the queue page's CPU, docs/benchmarks.md). Plans now
/// come from the statistics of whole indexes (`sqlite_stat1`), as on a database without
/// samples; limits are written into the statements as numbers (`tx::direct_statement`), so
/// that they still count.
pub(crate) fn stable_plans(conn: &rusqlite::Connection) -> StoreResult<()> {
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )?;
    Ok(())
}

/// `value` as a parameter, in the form [`bind`] gives `to_sql(value, col)` for any column type
/// (which only types a null), but borrowing the value's text and bytes: the bulk inserts bind
/// each row's values in place instead of building a statement and copying every value twice.
pub(crate) fn param(value: &Value) -> ToSqlOutput<'_> {
    match value {
        Value::Null => ToSqlOutput::Owned(SqlValue::Null),
        Value::Number(n) => ToSqlOutput::Owned(SqlValue::Real(*n)),
        Value::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
        Value::Tags(tags) => ToSqlOutput::Owned(
            crate::values::tags_to_text(tags).map_or(SqlValue::Null, SqlValue::Text),
        ),
        Value::Bool(b) => ToSqlOutput::Owned(SqlValue::Integer((*b).into())),
        Value::Int(i) => ToSqlOutput::Owned(SqlValue::Integer(*i)),
        Value::Date(d) => ToSqlOutput::Owned(SqlValue::Text(d.to_string())),
        Value::Time(t) => ToSqlOutput::Owned(SqlValue::Text(crate::values::sqlite_moment(*t))),
        Value::Id(id) => ToSqlOutput::Borrowed(ValueRef::Blob(id.as_bytes())),
    }
}

/// A bound parameter in the form sqlx would have written it.
pub(crate) fn bind(value: &sea_query::Value) -> StoreResult<SqlValue> {
    use sea_query::Value as V;
    Ok(match value {
        V::Bool(b) => b.map_or(SqlValue::Null, |b| SqlValue::Integer(b.into())),
        V::BigInt(i) => i.map_or(SqlValue::Null, SqlValue::Integer),
        V::Int(i) => i.map_or(SqlValue::Null, |i| SqlValue::Integer(i.into())),
        V::SmallInt(i) => i.map_or(SqlValue::Null, |i| SqlValue::Integer(i.into())),
        V::TinyInt(i) => i.map_or(SqlValue::Null, |i| SqlValue::Integer(i.into())),
        V::Unsigned(i) => i.map_or(SqlValue::Null, |i| SqlValue::Integer(i.into())),
        V::BigUnsigned(i) => match i {
            Some(i) => SqlValue::Integer(
                i64::try_from(*i).map_err(|_| StoreError::Corrupt("number out of range".into()))?,
            ),
            None => SqlValue::Null,
        },
        V::String(s) => s.clone().map_or(SqlValue::Null, SqlValue::Text),
        V::Double(d) => d.map_or(SqlValue::Null, SqlValue::Real),
        V::Uuid(u) => u.map_or(SqlValue::Null, |u| SqlValue::Blob(u.as_bytes().to_vec())),
        V::TimeDate(d) => match d {
            Some(d) => SqlValue::Text(d.to_string()),
            None => SqlValue::Null,
        },
        V::TimeDateTimeWithTimeZone(t) => match t {
            Some(t) => SqlValue::Text(crate::values::sqlite_moment(*t)),
            None => SqlValue::Null,
        },
        other => {
            return Err(StoreError::Corrupt(format!(
                "unsupported parameter {other:?}"
            )));
        }
    })
}

fn text(value: ValueRef<'_>) -> StoreResult<Option<&str>> {
    match value {
        ValueRef::Null => Ok(None),
        ValueRef::Text(bytes) => std::str::from_utf8(bytes)
            .map(Some)
            .map_err(|e| StoreError::Corrupt(e.to_string())),
        other => Err(StoreError::Corrupt(format!(
            "expected text, found {:?}",
            other.data_type()
        ))),
    }
}

/// Reads a column as a value of the given storage type.
pub(crate) fn decode(value: ValueRef<'_>, col: ColType) -> StoreResult<Value> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("bad {what}"));
    Ok(match (col, value) {
        (_, ValueRef::Null) => Value::Null,
        (ColType::Id, ValueRef::Blob(bytes)) => {
            Value::Id(Uuid::from_slice(bytes).map_err(|_| corrupt("id"))?)
        }
        (ColType::Bool, ValueRef::Integer(i)) => Value::Bool(i != 0),
        (ColType::Int, ValueRef::Integer(i)) => Value::Int(i),
        (ColType::Float, ValueRef::Real(f)) => Value::Number(f),
        // SQLite stores a REAL that has no fractional part as an integer when it can.
        #[allow(clippy::cast_precision_loss)]
        (ColType::Float, ValueRef::Integer(i)) => Value::Number(i as f64),
        (ColType::Text, v) => Value::Text(text(v)?.unwrap_or_default().to_owned()),
        (ColType::Tags, v) => Value::Tags(
            text(v)?
                .unwrap_or_default()
                .split(',')
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
                .collect(),
        ),
        (ColType::Date, v) => {
            Value::Date(iso_date(text(v)?.unwrap_or_default()).ok_or_else(|| corrupt("date"))?)
        }
        (ColType::Time, v) => Value::Time(
            time::OffsetDateTime::parse(text(v)?.unwrap_or_default(), &Rfc3339)
                .map_err(|_| corrupt("moment"))?,
        ),
        (col, other) => {
            return Err(StoreError::Corrupt(format!(
                "{col:?} column holds {:?}",
                other.data_type()
            )));
        }
    })
}

/// A stored date, `YYYY-MM-DD`. Read by hand rather than through `time`'s format parser, which
/// cost a twentieth of a scan of ten million invoices (perf, bench/insights.sh).
fn iso_date(text: &str) -> Option<time::Date> {
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let number = |digits: &[u8]| {
        digits.iter().try_fold(0_u16, |n, &d| {
            d.is_ascii_digit().then(|| n * 10 + u16::from(d - b'0'))
        })
    };
    let year = i32::from(number(&bytes[..4])?);
    let month = time::Month::try_from(u8::try_from(number(&bytes[5..7])?).ok()?).ok()?;
    let day = u8::try_from(number(&bytes[8..])?).ok()?;
    time::Date::from_calendar_date(year, month, day).ok()
}

/// How much of the database file read connections map into memory: SQLite's default
/// `SQLITE_MAX_MMAP_SIZE`, the most it accepts.
const MMAP_SIZE: i64 = 0x7fff_0000;

/// The page cache of a scan connection ([`ReadPool::acquire_scan`]), in KiB as SQLite's
/// negative `cache_size` takes it. A scan reads each page once, so a larger cache would only
/// hold pages that are never asked for again; 8 MiB keeps the indexes' inner pages.
const SCAN_CACHE_KIB: i64 = 8_192;

/// Read-only connections used directly on the calling thread. Reads are short (an indexed page,
/// one record), so running them in place costs less than handing each statement to another
/// thread and every row back, as sqlx does.
#[derive(Clone)]
pub(crate) struct ReadPool {
    inner: std::sync::Arc<ReadPoolInner>,
}

struct ReadPoolInner {
    path: std::path::PathBuf,
    idle: std::sync::Mutex<Vec<rusqlite::Connection>>,
    permits: std::sync::Arc<tokio::sync::Semaphore>,
}

impl std::fmt::Debug for ReadPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadPool")
            .field("path", &self.inner.path)
            .finish()
    }
}

/// A read connection lent out of the pool; it goes back when dropped.
pub(crate) struct PooledRead {
    conn: Option<rusqlite::Connection>,
    pool: ReadPool,
    /// Whether the connection goes back to the pool when dropped (a scan's does not).
    reuse: bool,
    _permit: tokio::sync::OwnedSemaphorePermit,
}

impl ReadPool {
    /// A pool of at most `size` connections to the database file.
    pub(crate) fn new(path: &Path, size: usize) -> ReadPool {
        ReadPool {
            inner: std::sync::Arc::new(ReadPoolInner {
                path: path.to_owned(),
                idle: std::sync::Mutex::new(Vec::new()),
                permits: std::sync::Arc::new(tokio::sync::Semaphore::new(size)),
            }),
        }
    }

    async fn permit(&self) -> StoreResult<tokio::sync::OwnedSemaphorePermit> {
        self.inner
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| StoreError::Closed)
    }

    fn open_read_only(&self) -> StoreResult<rusqlite::Connection> {
        let conn = rusqlite::Connection::open_with_flags(
            &self.inner.path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(Duration::from_secs(10))?;
        stable_plans(&conn)?;
        Ok(conn)
    }

    /// Lends a connection for one whole-table scan (the analytics' inputs), closed afterwards.
    /// It maps nothing and keeps a small page cache: a scan touches every page of a table once,
    /// and through the map each of them would stay in the process's resident memory (1.6 GB
    /// for 5 million invoices, docs/benchmarks.md) although nothing reads it again; read
    /// through the cache, the pages stay in the operating system's file cache instead, shared
    /// and reclaimable.
    pub(crate) async fn acquire_scan(&self) -> StoreResult<PooledRead> {
        let permit = self.permit().await?;
        let conn = self.open_read_only()?;
        conn.pragma_update(None, "mmap_size", 0)?;
        conn.pragma_update(None, "cache_size", -SCAN_CACHE_KIB)?;
        Ok(PooledRead {
            conn: Some(conn),
            pool: self.clone(),
            reuse: false,
            _permit: permit,
        })
    }

    /// Lends a connection, opening one when none is idle.
    pub(crate) async fn acquire(&self) -> StoreResult<PooledRead> {
        let permit = self.permit().await?;
        let idle = self
            .inner
            .idle
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .pop();
        let conn = match idle {
            Some(conn) => conn,
            None => {
                let conn = self.open_read_only()?;
                // Reading pages straight from the mapped file saves copying each into every
                // connection's own small cache. The map covers up to SQLite's default ceiling
                // (just under 2 GiB): with a million contacts the file is 1.3 GiB, and a 256 MiB
                // map left most reads to pread and a 2 MiB cache per connection.
                conn.pragma_update(None, "mmap_size", MMAP_SIZE)?;
                conn.set_prepared_statement_cache_capacity(256);
                conn
            }
        };
        Ok(PooledRead {
            conn: Some(conn),
            pool: self.clone(),
            reuse: true,
            _permit: permit,
        })
    }

    /// Closes the idle connections (graceful shutdown).
    pub(crate) fn close(&self) {
        self.inner.permits.close();
        self.inner
            .idle
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }
}

impl PooledRead {
    /// The connection.
    pub(crate) fn conn(&mut self) -> &mut rusqlite::Connection {
        self.conn
            .as_mut()
            .expect("a pooled connection is present until dropped")
    }
}

impl Drop for PooledRead {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take()
            && self.reuse
        {
            self.pool
                .inner
                .idle
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(conn);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{bind, iso_date, param};
    use crate::values::{ColType, to_sql};
    use peyvand_domain::record::Value;
    use rusqlite::types::{ToSqlOutput, Value as SqlValue};
    use time::macros::{date, datetime};

    /// A parameter bound in place must be stored exactly as the statement-building path stores
    /// it, or rows of a bulk load would read back differently from rows created one by one.
    #[test]
    fn values_bound_in_place_are_the_values_statements_bind() {
        let values = [
            (Value::Null, ColType::Text),
            (Value::Null, ColType::Id),
            (Value::Null, ColType::Time),
            (Value::Text("سارا کریمی".into()), ColType::Text),
            (
                Value::Tags(vec!["vip".into(), "تهران".into()]),
                ColType::Tags,
            ),
            (Value::Tags(Vec::new()), ColType::Tags),
            (Value::Bool(true), ColType::Bool),
            (Value::Bool(false), ColType::Bool),
            (Value::Int(-42), ColType::Int),
            (Value::Number(2.5), ColType::Float),
            (Value::Date(date!(2026 - 03 - 21)), ColType::Date),
            (
                Value::Time(datetime!(2026-11-23 10:15:30.123456 +03:30)),
                ColType::Time,
            ),
            (Value::Id(uuid::Uuid::now_v7()), ColType::Id),
        ];
        for (value, col) in values {
            let in_place = match param(&value) {
                ToSqlOutput::Borrowed(borrowed) => SqlValue::try_from(borrowed).unwrap(),
                ToSqlOutput::Owned(owned) => owned,
                other => panic!("unexpected parameter {other:?}"),
            };
            assert_eq!(in_place, bind(&to_sql(&value, col)).unwrap(), "{value:?}");
        }
    }

    #[test]
    fn stored_dates_are_read_and_anything_else_is_refused() {
        assert_eq!(iso_date("2025-03-21"), Some(date!(2025 - 03 - 21)));
        assert_eq!(iso_date("0999-12-31"), Some(date!(0999 - 12 - 31)));
        assert_eq!(iso_date("2024-02-29"), Some(date!(2024 - 02 - 29)));
        for bad in [
            "2025-02-29",
            "2025-13-01",
            "2025-00-10",
            "2025-1-010",
            "2025/01/10",
            "20250110",
            "2025-01-1x",
            "۲۰۲۵-۰۱-۱۰",
            "",
        ] {
            assert_eq!(iso_date(bad), None, "{bad}");
        }
    }
}
