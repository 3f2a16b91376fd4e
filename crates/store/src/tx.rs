//! Transactions and the execution of built statements on either database.

use peyvand_domain::record::Value;
use sea_query::{
    PostgresQueryBuilder, QueryBuilder, QueryStatementWriter, SqlWriter, SqliteQueryBuilder,
};
use sea_query_sqlx::SqlxBinder;
use sqlx::{AssertSqlSafe, Postgres, Sqlite, Transaction};

use crate::{StoreError, StoreResult};

/// A statement rendered for SQLite through sqlx, with moments bound in the fixed-width text form
/// the direct connection writes too (see [`crate::values::sqlite_moment`]), so that stored
/// moments compare as text in time order whichever driver wrote them.
fn sqlite_statement(statement: &impl Statement) -> (String, sea_query_sqlx::SqlxValues) {
    let (sql, mut values) = statement.build_sqlx(SqliteQueryBuilder);
    for value in values.0.0.iter_mut() {
        if let sea_query::Value::TimeDateTimeWithTimeZone(Some(at)) = value {
            *value = sea_query::Value::String(Some(crate::values::sqlite_moment(*at)));
        }
    }
    (sql, values)
}

/// A statement the store runs: built by sea-query, rendered for either database.
pub(crate) trait Statement: SqlxBinder + QueryStatementWriter {}

impl<S: SqlxBinder + QueryStatementWriter> Statement for S {}

/// A statement rendered for the direct SQLite connections, with its parameters in the forms
/// sqlx would have written them, except a LIMIT, which is written into the text as a number.
///
/// The direct connections plan statements without looking at bound values
/// (`direct::stable_plans`), so that a cached statement is not prepared again each time it is
/// bound anew; a `LIMIT ?` would then be planned as if unknown, and the planner would lose what
/// a small limit tells it (that walking an index in the requested order and stopping early
/// beats sorting). Written as a number, the limit still counts. A list's limits are few (a page
/// and one, a count's cap), so each gets a cached statement of its own.
fn direct_statement(
    statement: &impl QueryStatementWriter,
) -> StoreResult<(String, Vec<rusqlite::types::Value>)> {
    let mut writer = DirectWriter::default();
    statement.build_collect_any_into(&SqliteQueryBuilder, &mut writer);
    let params = writer
        .values
        .iter()
        .map(crate::direct::bind)
        .collect::<StoreResult<Vec<_>>>()?;
    Ok((writer.sql, params))
}

/// The text of an insert of `rows` rows of `columns` into `table`, one `?` per value. The names
/// are the store's own (schemas and custom fields, whose names are checked identifiers), quoted
/// all the same.
fn insert_sql(table: &str, columns: &[&str], rows: usize) -> String {
    let quoted: Vec<String> = columns
        .iter()
        .map(|c| format!("\"{}\"", c.replace('"', "\"\"")))
        .collect();
    let row = format!("({})", vec!["?"; columns.len()].join(", "));
    format!(
        "INSERT INTO \"{}\" ({}) VALUES {}",
        table.replace('"', "\"\""),
        quoted.join(", "),
        vec![row; rows].join(", ")
    )
}

/// Collects a statement's text and parameters for [`direct_statement`].
#[derive(Default)]
struct DirectWriter {
    sql: String,
    values: Vec<sea_query::Value>,
}

impl std::fmt::Write for DirectWriter {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.sql.push_str(s);
        Ok(())
    }
}

impl std::fmt::Display for DirectWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.sql)
    }
}

impl SqlWriter for DirectWriter {
    fn push_param<T: QueryBuilder>(&mut self, value: sea_query::Value, _: &T) {
        // sea-query writes " LIMIT " and then the limit's value, the only u64 it binds there.
        if let sea_query::Value::BigUnsigned(Some(limit)) = value
            && self.sql.ends_with(" LIMIT ")
        {
            let _ = std::fmt::Write::write_fmt(&mut self.sql, format_args!("{limit}"));
            return;
        }
        self.sql.push('?');
        self.values.push(value);
    }

    fn as_writer(&mut self) -> &mut dyn std::fmt::Write {
        self as _
    }
}
use crate::values::{ColType, decode_postgres, decode_sqlite};

enum Inner {
    Sqlite(Transaction<'static, Sqlite>),
    /// The group-commit writer's own connection, inside a batch transaction (see `batch.rs`).
    Direct(rusqlite::Connection),
    /// A read-only SQLite connection used in place, without a transaction: each statement
    /// reads its own consistent snapshot.
    DirectRead(crate::direct::PooledRead),
    Postgres(Transaction<'static, Postgres>),
}

/// The connection a statement runs on, whatever holds it.
enum Conn<'a> {
    Sqlite(&'a mut sqlx::SqliteConnection),
    Direct(&'a mut rusqlite::Connection),
    Postgres(&'a mut sqlx::PgConnection),
}

impl Inner {
    fn conn(&mut self) -> Conn<'_> {
        match self {
            Inner::Sqlite(tx) => Conn::Sqlite(tx),
            Inner::Direct(conn) => Conn::Direct(conn),
            Inner::DirectRead(pooled) => Conn::Direct(pooled.conn()),
            Inner::Postgres(tx) => Conn::Postgres(tx),
        }
    }
}

/// A database transaction (or, for reads on SQLite, a read-only connection). Dropping it
/// without [`Tx::commit`] rolls back, so an error half-way
/// through a use case never leaves half of it written.
pub struct Tx {
    inner: Inner,
    /// In a group-commit batch: the current job has not written yet, and its savepoint is to be
    /// set together with its first write (see `batch.rs`).
    savepoint_pending: bool,
    /// In a group-commit batch: the current job has written something.
    job_wrote: bool,
    /// SQLite: changes of duplicate-match keys not yet written to their index (see
    /// `match_search.rs`), and where the current job's own begin.
    pub(crate) match_notes: Vec<crate::match_search::MatchNote>,
    job_notes_from: usize,
    /// On the writer's connection: the table, id and rowid of the record last inserted by
    /// [`Tx::insert_record`], so that what follows its insert needs not look its rowid up.
    pub(crate) last_inserted: Option<(&'static str, uuid::Uuid, i64)>,
}

/// On the writer's connection, before a statement of the current job writes: sets the job's
/// savepoint if it is still pending — just before the first write, so that a job refused
/// before writing costs nothing — and notes that the job wrote.
fn before_job_write(
    conn: &rusqlite::Connection,
    savepoint_pending: &mut bool,
    job_wrote: &mut bool,
) -> StoreResult<()> {
    if std::mem::take(savepoint_pending) {
        conn.execute_batch("SAVEPOINT job")?;
    }
    *job_wrote = true;
    Ok(())
}

impl Tx {
    /// A transaction on `inner` that has run no job yet.
    fn over(inner: Inner) -> Tx {
        Tx {
            inner,
            savepoint_pending: false,
            job_wrote: false,
            match_notes: Vec::new(),
            job_notes_from: 0,
            last_inserted: None,
        }
    }

    pub(crate) fn sqlite(tx: Transaction<'static, Sqlite>) -> Tx {
        Tx::over(Inner::Sqlite(tx))
    }

    /// Wraps the writer thread's connection, on which a batch transaction has begun.
    pub(crate) fn direct(conn: rusqlite::Connection) -> Tx {
        Tx::over(Inner::Direct(conn))
    }

    /// The writer thread's connection back, once the batch is done with it.
    pub(crate) fn into_direct(self) -> Option<rusqlite::Connection> {
        match self.inner {
            Inner::Direct(conn) => Some(conn),
            _ => None,
        }
    }

    pub(crate) fn direct_read(pooled: crate::direct::PooledRead) -> Tx {
        Tx::over(Inner::DirectRead(pooled))
    }

    pub(crate) fn postgres(tx: Transaction<'static, Postgres>) -> Tx {
        Tx::over(Inner::Postgres(tx))
    }

    /// On the writer's own connection: the rowid of the row the last `INSERT` added.
    pub(crate) fn direct_last_insert_rowid(&mut self) -> Option<i64> {
        match self.inner.conn() {
            Conn::Direct(conn) => Some(conn.last_insert_rowid()),
            _ => None,
        }
    }

    /// Whether this transaction runs on PostgreSQL (statements differ where the databases'
    /// own features are used, such as full-text search).
    pub(crate) fn is_postgres(&self) -> bool {
        matches!(self.inner, Inner::Postgres(_))
    }

    /// SQLite: what every transaction does just before it commits: write the full-text and the
    /// duplicate-key indexes once for all its changes.
    pub(crate) async fn before_sqlite_commit(&mut self) -> StoreResult<()> {
        self.apply_pending_search().await?;
        self.apply_pending_match_keys().await
    }

    /// Makes the transaction's changes permanent.
    pub async fn commit(mut self) -> StoreResult<()> {
        if matches!(self.inner, Inner::Sqlite(_) | Inner::Direct(_)) {
            self.before_sqlite_commit().await?;
        }
        match self.inner {
            Inner::Sqlite(tx) => tx.commit().await?,
            Inner::Direct(conn) => conn.execute_batch("COMMIT")?,
            Inner::DirectRead(_) => {}
            Inner::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }

    /// Runs an insert, update or delete and returns the number of rows it touched.
    pub(crate) async fn execute(&mut self, statement: &impl Statement) -> StoreResult<u64> {
        Ok(match self.inner.conn() {
            Conn::Sqlite(tx) => {
                let (sql, values) = sqlite_statement(statement);
                sqlx::query_with(AssertSqlSafe(sql), values)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected()
            }
            Conn::Direct(conn) => {
                let (sql, params) = direct_statement(statement)?;
                before_job_write(conn, &mut self.savepoint_pending, &mut self.job_wrote)?;
                conn.prepare_cached(&sql)?
                    .execute(rusqlite::params_from_iter(params))? as u64
            }
            Conn::Postgres(tx) => {
                let (sql, values) = statement.build_sqlx(PostgresQueryBuilder);
                sqlx::query_with(AssertSqlSafe(sql), values)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected()
            }
        })
    }

    /// On the group-commit writer's own connection: inserts `rows` into `table`, at most
    /// `per_statement` to a statement, `bind` binding a chunk's values in place (the columns of
    /// each row in turn, from parameter 1); returns false, having written nothing, on any
    /// other connection, which then takes the statement-building path. Bulk inserts use it:
    /// building a statement with every row's values and converting each value twice cost more
    /// of an import's writer than SQLite's own inserts (perf, bench/import.sh).
    ///
    /// Many rows to a statement, not one: in a transaction, SQLite journals every page a
    /// statement changes for the first time (in case it fails half-way), so a statement per
    /// row journals the same table and index pages again for every row.
    pub(crate) fn insert_in_place<R>(
        &mut self,
        table: &str,
        columns: &[&str],
        rows: &[R],
        per_statement: usize,
        bind: impl Fn(&mut rusqlite::CachedStatement<'_>, &[R]) -> StoreResult<()>,
    ) -> StoreResult<bool> {
        let Conn::Direct(conn) = self.inner.conn() else {
            return Ok(false);
        };
        for chunk in rows.chunks(per_statement.max(1)) {
            before_job_write(conn, &mut self.savepoint_pending, &mut self.job_wrote)?;
            let mut statement = conn.prepare_cached(&insert_sql(table, columns, chunk.len()))?;
            bind(&mut statement, chunk)?;
            statement.raw_execute()?;
        }
        Ok(true)
    }

    /// Runs a select of one id column and reads the ids, in order.
    pub(crate) async fn fetch_ids(
        &mut self,
        statement: &impl Statement,
    ) -> StoreResult<Vec<uuid::Uuid>> {
        let rows = self.fetch(statement, &[ColType::Id]).await?;
        Ok(rows
            .into_iter()
            .filter_map(|row| row.into_iter().next().and_then(|v| v.as_id()))
            .collect())
    }

    /// Runs a select and reads every row as values of the given column types, in order.
    pub(crate) async fn fetch(
        &mut self,
        statement: &impl Statement,
        columns: &[ColType],
    ) -> StoreResult<Vec<Vec<Value>>> {
        match self.inner.conn() {
            Conn::Sqlite(tx) => {
                let (sql, values) = sqlite_statement(statement);
                let rows = sqlx::query_with(AssertSqlSafe(sql), values)
                    .fetch_all(&mut *tx)
                    .await?;
                rows.iter()
                    .map(|row| {
                        columns
                            .iter()
                            .enumerate()
                            .map(|(i, col)| decode_sqlite(row, i, *col))
                            .collect()
                    })
                    .collect()
            }
            Conn::Direct(conn) => {
                let (sql, params) = direct_statement(statement)?;
                let mut prepared = conn.prepare_cached(&sql)?;
                let mut rows = prepared.query(rusqlite::params_from_iter(params))?;
                let mut out = Vec::new();
                while let Some(row) = rows.next()? {
                    let values = columns
                        .iter()
                        .enumerate()
                        .map(|(i, col)| crate::direct::decode(row.get_ref(i)?, *col))
                        .collect::<StoreResult<Vec<Value>>>()?;
                    out.push(values);
                }
                Ok(out)
            }
            Conn::Postgres(tx) => {
                let (sql, values) = statement.build_sqlx(PostgresQueryBuilder);
                let rows = sqlx::query_with(AssertSqlSafe(sql), values)
                    .fetch_all(&mut *tx)
                    .await?;
                rows.iter()
                    .map(|row| {
                        columns
                            .iter()
                            .enumerate()
                            .map(|(i, col)| decode_postgres(row, i, *col))
                            .collect()
                    })
                    .collect()
            }
        }
    }

    /// Runs a select and hands every row to `visit` as it is read, without collecting them
    /// (scans of whole tables, such as the keys an import checks for duplicates).
    ///
    /// Every row is decoded into the same buffer, which `visit` may empty (`drain(..)`) to take
    /// the values: a scan of ten million rows then allocates no vector per row, which was a
    /// tenth of the time of RFM from the database (perf, bench/insights.sh).
    pub(crate) async fn fetch_each(
        &mut self,
        statement: &impl Statement,
        columns: &[ColType],
        mut visit: impl FnMut(&mut Vec<Value>) + Send,
    ) -> StoreResult<()> {
        use futures_util::TryStreamExt;
        let mut buffer = Vec::with_capacity(columns.len());
        match self.inner.conn() {
            Conn::Sqlite(tx) => {
                let (sql, values) = sqlite_statement(statement);
                let mut rows = sqlx::query_with(AssertSqlSafe(sql), values).fetch(&mut *tx);
                while let Some(row) = rows.try_next().await? {
                    buffer.clear();
                    for (i, col) in columns.iter().enumerate() {
                        buffer.push(decode_sqlite(&row, i, *col)?);
                    }
                    visit(&mut buffer);
                }
            }
            Conn::Direct(conn) => {
                let (sql, params) = direct_statement(statement)?;
                let mut prepared = conn.prepare(&sql)?;
                let mut rows = prepared.query(rusqlite::params_from_iter(params))?;
                while let Some(row) = rows.next()? {
                    buffer.clear();
                    for (i, col) in columns.iter().enumerate() {
                        buffer.push(crate::direct::decode(row.get_ref(i)?, *col)?);
                    }
                    visit(&mut buffer);
                }
            }
            Conn::Postgres(tx) => {
                let (sql, values) = statement.build_sqlx(PostgresQueryBuilder);
                let mut rows = sqlx::query_with(AssertSqlSafe(sql), values).fetch(&mut *tx);
                while let Some(row) = rows.try_next().await? {
                    buffer.clear();
                    for (i, col) in columns.iter().enumerate() {
                        buffer.push(decode_postgres(&row, i, *col)?);
                    }
                    visit(&mut buffer);
                }
            }
        }
        Ok(())
    }

    /// Runs a select that returns one integer (a count).
    pub(crate) async fn fetch_count(&mut self, statement: &impl Statement) -> StoreResult<i64> {
        let rows = self.fetch(statement, &[ColType::Int]).await?;
        Ok(match rows.first().and_then(|r| r.first()) {
            Some(Value::Int(n)) => *n,
            _ => 0,
        })
    }

    /// Starts a job of a group-commit batch. A `guarded` job's savepoint will be set with its
    /// first write; an unguarded one (nothing in the batch was written before it) needs none,
    /// since undoing it is undoing the whole transaction.
    pub(crate) fn begin_job(&mut self, guarded: bool) {
        self.savepoint_pending = guarded;
        self.job_wrote = false;
        self.job_notes_from = self.match_notes.len();
    }

    /// Forgets what the current job noted for the commit: it failed, and its changes are
    /// undone (or it had written nothing).
    pub(crate) fn forget_job_notes(&mut self) {
        self.match_notes.truncate(self.job_notes_from);
    }

    /// Forgets everything noted for the commit: the transaction was rolled back.
    pub(crate) fn forget_all_notes(&mut self) {
        self.match_notes.clear();
        self.job_notes_from = 0;
    }

    /// Whether the current job of a batch has written (and so has a savepoint to roll back to).
    pub(crate) fn job_wrote(&self) -> bool {
        self.job_wrote
    }

    /// Runs a fixed statement without parameters (savepoints).
    pub(crate) async fn raw(&mut self, sql: &'static str) -> StoreResult<()> {
        match self.inner.conn() {
            Conn::Sqlite(tx) => {
                sqlx::query(sql).execute(&mut *tx).await?;
            }
            Conn::Direct(conn) => conn.execute_batch(sql)?,
            Conn::Postgres(tx) => {
                sqlx::query(sql).execute(&mut *tx).await?;
            }
        }
        Ok(())
    }

    /// SQLite: runs one statement the store wrote itself (never from outside input) with `?`
    /// placeholders bound to `values`, as a write of the current job. For statements
    /// `sea_query` cannot express, such as inserting into an FTS5 index from a list of values.
    pub(crate) async fn execute_sqlite_with(
        &mut self,
        sql: &str,
        values: Vec<sea_query::Value>,
    ) -> StoreResult<u64> {
        self.sqlite_with(sql, values, true).await
    }

    /// As [`Tx::execute_sqlite_with`], for the work a transaction does on its own behalf
    /// (before its commit), outside any job's savepoint.
    pub(crate) async fn exec_store_sqlite_with(
        &mut self,
        sql: &str,
        values: Vec<sea_query::Value>,
    ) -> StoreResult<u64> {
        self.sqlite_with(sql, values, false).await
    }

    async fn sqlite_with(
        &mut self,
        sql: &str,
        values: Vec<sea_query::Value>,
        job_write: bool,
    ) -> StoreResult<u64> {
        Ok(match self.inner.conn() {
            Conn::Sqlite(tx) => {
                let values = sea_query_sqlx::SqlxValues(sea_query::Values(values));
                sqlx::query_with(AssertSqlSafe(sql.to_owned()), values)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected()
            }
            Conn::Direct(conn) => {
                if job_write {
                    before_job_write(conn, &mut self.savepoint_pending, &mut self.job_wrote)?;
                }
                let params = values
                    .iter()
                    .map(crate::direct::bind)
                    .collect::<StoreResult<Vec<_>>>()?;
                conn.prepare_cached(sql)?
                    .execute(rusqlite::params_from_iter(params))? as u64
            }
            Conn::Postgres(_) => {
                return Err(StoreError::Corrupt(
                    "an SQLite statement was sent to PostgreSQL".into(),
                ));
            }
        })
    }

    /// Runs one schema-changing statement built by the store (never from outside input).
    pub(crate) async fn run_ddl(&mut self, sql: &str) -> StoreResult<()> {
        match self.inner.conn() {
            Conn::Sqlite(tx) => {
                sqlx::query(AssertSqlSafe(sql.to_owned()))
                    .execute(&mut *tx)
                    .await?;
            }
            Conn::Direct(conn) => {
                before_job_write(conn, &mut self.savepoint_pending, &mut self.job_wrote)?;
                conn.execute_batch(sql)?;
            }
            Conn::Postgres(tx) => {
                sqlx::query(AssertSqlSafe(sql.to_owned()))
                    .execute(&mut *tx)
                    .await?;
            }
        }
        Ok(())
    }

    pub(crate) async fn ping(&mut self) -> StoreResult<()> {
        match self.inner.conn() {
            Conn::Sqlite(tx) => {
                sqlx::query("SELECT 1").execute(&mut *tx).await?;
            }
            Conn::Direct(conn) => conn.execute_batch("SELECT 1")?,
            Conn::Postgres(tx) => {
                sqlx::query("SELECT 1").execute(&mut *tx).await?;
            }
        }
        Ok(())
    }

    /// Every (table, column) pair of the application's tables, sorted. The full-text indexes
    /// (SQLite's FTS5 tables, PostgreSQL's `search_vector` columns) are left out: they are
    /// each database's own way of indexing `search_text`, not data. So are the duplicate-match
    /// keys, an FTS5 index (`match_search`) on SQLite and a table (`match_keys`) on PostgreSQL.
    pub(crate) async fn describe_schema(&mut self) -> StoreResult<Vec<(String, String)>> {
        let mut pairs: Vec<(String, String)> = match self.inner.conn() {
            Conn::Sqlite(tx) => {
                sqlx::query_as(
                    "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p \
                     WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%' \
                     AND m.name NOT LIKE '%\\_search%' ESCAPE '\\'",
                )
                .fetch_all(&mut *tx)
                .await?
            }
            Conn::Direct(conn) => {
                let mut statement = conn.prepare(
                    "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p \
                     WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%' \
                     AND m.name NOT LIKE '%\\_search%' ESCAPE '\\'",
                )?;
                statement
                    .query_map([], |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?)))?
                    .collect::<Result<Vec<_>, _>>()?
            }
            Conn::Postgres(tx) => {
                sqlx::query_as(
                    "SELECT table_name::text, column_name::text FROM information_schema.columns \
                     WHERE table_schema = current_schema() AND table_name NOT LIKE '_sqlx%' \
                     AND column_name <> 'search_vector' AND table_name <> 'match_keys'",
                )
                .fetch_all(&mut *tx)
                .await?
            }
        };
        pairs.sort();
        Ok(pairs)
    }
}

#[cfg(test)]
mod tests {
    use rusqlite::StatementStatus;
    use sea_query::{Alias, Expr, ExprTrait, Query};

    use super::direct_statement;

    /// A list statement with a filter and a limit, run again with other values, is run from the
    /// statement cache without being parsed and planned again, even where the database has
    /// `ANALYZE` samples of the filtered column (`sqlite_stat4`).
    #[test]
    fn cached_statements_are_not_prepared_again() {
        let path = std::env::temp_dir().join(format!(
            "peyvand-reprepare-{}-{:?}.db",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_file(&path);
        // Opened first, this connection would start SQLite without the store's page cache
        // layer, and the layer's own test expects it.
        crate::page_cache::install();
        let conn = rusqlite::Connection::open(&path).expect("open");
        conn.execute_batch(
            "CREATE TABLE cases (id INTEGER PRIMARY KEY, owner INTEGER, sort_key TEXT);
             CREATE INDEX cases_owner ON cases (owner, sort_key);
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
             INSERT INTO cases SELECT i, CASE WHEN i % 10 = 0 THEN i ELSE 1 END, printf('%06d', i)
             FROM n;
             ANALYZE;",
        )
        .expect("fill");
        let samples: i64 = conn
            .query_row("SELECT count(*) FROM sqlite_stat4", [], |row| row.get(0))
            .expect("samples");
        assert!(samples > 0, "the bundled SQLite keeps STAT4 samples");
        crate::direct::stable_plans(&conn).expect("planner settings");
        let mut sql = String::new();
        for (owner, limit) in [(1, 51), (10, 51), (20, 51), (1, 51), (1, 1001), (30, 1001)] {
            let mut select = Query::select();
            select
                .column(Alias::new("id"))
                .from(Alias::new("cases"))
                .and_where(Expr::col(Alias::new("owner")).eq(owner))
                .order_by(Alias::new("sort_key"), sea_query::Order::Asc)
                .limit(limit);
            let (text, params) = direct_statement(&select).expect("statement");
            let mut statement = conn.prepare_cached(&text).expect("prepare");
            let rows = statement
                .query_map(rusqlite::params_from_iter(params), |row| {
                    row.get::<_, i64>(0)
                })
                .expect("query")
                .count();
            assert!(rows >= 1);
            if limit == 51 {
                sql = text;
            }
        }
        let statement = conn.prepare_cached(&sql).expect("cached");
        assert_eq!(statement.get_status(StatementStatus::RePrepare), 0);
        assert!(sql.contains("LIMIT 51"), "{sql}");
        drop(statement);
        drop(conn);
        let _ = std::fs::remove_file(&path);
    }
}
