//! Bulk loading on SQLite: what a large import does to write a million rows in seconds.
//!
//! A row inserted into a table with secondary indexes costs one B-tree insert per index, at a
//! random place once an index holds more than the page cache (names, cities and sort keys
//! arrive in no order); the duplicate keys of `match_keys` are random 64-bit hashes, about a
//! dozen per record. Measured on 200,000 contacts, those random inserts were most of an
//! import's time (docs/benchmarks.md). So a large import, inside its one transaction:
//!
//! - sets the table's secondary indexes aside ([`Tx::suspend_indexes`]) and builds them again
//!   at its end ([`Tx::restore_indexes`]): `CREATE INDEX` sorts all the rows once and writes
//!   each index from left to right;
//! - gathers the records' match keys in a temporary table ([`Tx::defer_match_keys`]) and moves
//!   them into the duplicate-key index at its end ([`Tx::apply_deferred_match_keys`]), in the
//!   order of the records' rows, in one statement, which FTS5 writes as few large segments;
//! - lets FTS5 merge the segments of the table's full-text index and of the duplicate-key index
//!   sixteen at a time instead of four ([`BULK_AUTOMERGE`]) until its end.
//!
//! SQLite's DDL is transactional: other connections keep reading the indexes of the last
//! commit meanwhile, and a rollback or a crash gives them back untouched. PostgreSQL is left
//! alone: dropping an index there locks the table against every reader until the commit.

use sea_query::{Expr, ExprTrait, Query};
use uuid::Uuid;

use crate::StoreResult;
use crate::direct::WRITER_CACHE_KIB;
use crate::match_search::{document, document_rowid_sql, record_table, write_document};
use crate::tx::Tx;
use crate::values::{ColType, to_sql};
use peyvand_domain::record::{Schema, Value};

/// The secondary indexes of a table, set aside by [`Tx::suspend_indexes`].
#[derive(Debug)]
pub struct SuspendedIndexes {
    /// The `CREATE INDEX` statements that put them back, as SQLite stored them.
    creates: Vec<String>,
    /// The full-text indexes whose merging was widened, to narrow again.
    widened: [String; 2],
}

/// Segments FTS5 merges at once during a bulk load.
///
/// FTS5 writes the words it gathers out as a new segment each time its buffer fills (1 MB), and
/// merges segments as they pile up: by default four of a level into one of the next, so every
/// word of a million contacts is written again at each of several levels. Merging sixteen at a
/// time writes each word fewer times: indexing a million contacts' search text took 5.5 s of
/// CPU instead of 8.3 s (docs/benchmarks.md), and a search over the segments left took as long.
const BULK_AUTOMERGE: u8 = 16;

/// What the indexes go back to: no automatic merging, as every commit takes a bounded merge
/// step instead (migration 0290, `Tx::merge_a_step`).
const DEFAULT_AUTOMERGE: u8 = 0;

/// The page cache while a bulk load sorts (building an index, ordering the gathered keys), in
/// KiB. SQLite's sorter keeps up to a page cache's worth of rows in memory before it writes a
/// sorted run to a temporary file, on top of the cache itself: with the writer's 64 MB the
/// end of a million-row import went from about 220 to 390 MB. Sorting in runs of 8 MB keeps
/// it within the import's memory budget (bench/import.sh).
const SORTING_CACHE_KIB: i64 = 8_192;

/// The page cache while a bulk load appends its rows, in KiB. With the indexes set aside, the
/// pages it changes are the ends of its tables, written once and not needed again; the
/// writer's usual 64 MB would only hold the import's memory up.
const APPENDING_CACHE_KIB: i64 = 16_384;

/// Helper threads SQLite's sorter may use while the indexes are built again. The build reads
/// the table on the writer's thread while helpers sort the runs it fills and merge them; by
/// then the import's reader thread has finished, so its core is free.
const SORTER_THREADS: u8 = 2;

/// The temporary table that collects the match keys of a bulk load.
/// Unqualified names find the `temp` schema first, so only its own connection sees it.
const DEFERRED_KEYS: &str = "deferred_match_keys";

impl Tx {
    /// SQLite: drops the secondary indexes of `schema`'s table (not the primary key nor the
    /// unique constraints, which SQLite names `sqlite_autoindex_…`) and returns what restores
    /// them. PostgreSQL: None, nothing changes.
    pub async fn suspend_indexes(
        &mut self,
        schema: &Schema,
    ) -> StoreResult<Option<SuspendedIndexes>> {
        if self.is_postgres() {
            return Ok(None);
        }
        let mut select = Query::select();
        select
            .from("sqlite_master")
            .columns(["name", "sql"])
            .and_where(Expr::col("type").eq("index"))
            .and_where(Expr::col("tbl_name").eq(schema.table))
            .and_where(Expr::col("sql").is_not_null());
        let rows = self.fetch(&select, &[ColType::Text, ColType::Text]).await?;
        let mut creates = Vec::with_capacity(rows.len());
        for row in rows {
            let (Some(Value::Text(name)), Some(Value::Text(sql))) = (row.first(), row.get(1))
            else {
                continue;
            };
            self.run_ddl(&format!("DROP INDEX \"{}\"", name.replace('"', "\"\"")))
                .await?;
            creates.push(sql.clone());
        }
        self.set_cache_kib(APPENDING_CACHE_KIB).await?;
        let widened = [
            format!("{}_search", schema.table),
            "match_search".to_owned(),
        ];
        for index in &widened {
            self.set_automerge(index, BULK_AUTOMERGE).await?;
        }
        Ok(Some(SuspendedIndexes { creates, widened }))
    }

    /// Builds again the indexes that [`Tx::suspend_indexes`] set aside, and writes the
    /// full-text index of the rows loaded before FTS5 goes back to its usual merging.
    pub async fn restore_indexes(&mut self, suspended: SuspendedIndexes) -> StoreResult<()> {
        self.apply_pending_search().await?;
        for index in &suspended.widened {
            self.set_automerge(index, DEFAULT_AUTOMERGE).await?;
        }
        self.set_cache_kib(SORTING_CACHE_KIB).await?;
        self.set_sorter_threads(SORTER_THREADS).await?;
        let mut built = Ok(());
        for create in &suspended.creates {
            built = self.run_ddl(create).await;
            if built.is_err() {
                break;
            }
        }
        self.set_sorter_threads(0).await?;
        self.set_cache_kib(WRITER_CACHE_KIB).await?;
        built
    }

    /// Sets how many segments of a level FTS5 merges into one (a setting stored with the index,
    /// so it changes with the transaction).
    async fn set_automerge(&mut self, index: &str, segments: u8) -> StoreResult<()> {
        self.run_ddl(&format!(
            "INSERT INTO {index}({index}, rank) VALUES ('automerge', {segments})"
        ))
        .await
    }

    /// Lets SQLite's sorter use up to `threads` helper threads (SQLite), 0 for none.
    async fn set_sorter_threads(&mut self, threads: u8) -> StoreResult<()> {
        self.run_ddl(&format!("PRAGMA threads = {threads}")).await
    }

    /// Sets the connection's page cache (SQLite), in KiB.
    async fn set_cache_kib(&mut self, kib: i64) -> StoreResult<()> {
        self.run_ddl(&format!("PRAGMA cache_size = -{kib}")).await
    }

    /// Starts gathering match keys for [`Tx::insert_deferred_match_keys`] (SQLite only; the
    /// caller asks after [`Tx::suspend_indexes`] said it is SQLite).
    pub async fn defer_match_keys(&mut self) -> StoreResult<()> {
        self.run_ddl(&format!(
            "CREATE TEMP TABLE IF NOT EXISTS {DEFERRED_KEYS} \
             (kind INTEGER NOT NULL, record_id BLOB NOT NULL, tokens TEXT NOT NULL)"
        ))
        .await
    }

    /// Adds the keys of many records of `kind` to those gathered by [`Tx::defer_match_keys`],
    /// in arrival order (appending to a table without an index costs next to nothing).
    pub async fn insert_deferred_match_keys(
        &mut self,
        kind: i64,
        records: &[(Uuid, Vec<i64>)],
    ) -> StoreResult<()> {
        let with_keys: Vec<&(Uuid, Vec<i64>)> = records
            .iter()
            .filter(|(_, keys)| !keys.is_empty())
            .collect();
        // Three parameters a row: well under SQLite's limit per statement.
        let columns = ["kind", "record_id", "tokens"];
        let bind = |statement: &mut rusqlite::CachedStatement<'_>,
                    chunk: &[&(Uuid, Vec<i64>)]|
         -> StoreResult<()> {
            // SQLite copies bound text, so one buffer serves every row.
            let mut tokens = String::new();
            for (row, (record, keys)) in chunk.iter().enumerate() {
                let first = row * columns.len();
                write_document(&mut tokens, kind, keys);
                statement.raw_bind_parameter(first + 1, kind)?;
                statement.raw_bind_parameter(first + 2, record.as_bytes().as_slice())?;
                statement.raw_bind_parameter(first + 3, tokens.as_str())?;
            }
            Ok(())
        };
        if self.insert_in_place(DEFERRED_KEYS, &columns, &with_keys, 3_000, bind)? {
            return Ok(());
        }
        for chunk in with_keys.chunks(3_000) {
            let mut insert = Query::insert();
            insert
                .into_table(sea_query::Alias::new(DEFERRED_KEYS))
                .columns(["kind", "record_id", "tokens"]);
            for (record, keys) in chunk {
                insert.values_panic([
                    Expr::val(to_sql(&Value::Int(kind), ColType::Int)),
                    Expr::val(to_sql(&Value::Id(*record), ColType::Id)),
                    Expr::val(document(kind, keys)),
                ]);
            }
            self.execute(&insert).await?;
        }
        Ok(())
    }

    /// The names of the indexes of `table`, those SQLite made for constraints included.
    #[cfg(test)]
    pub(crate) async fn index_names_of(&mut self, table: &'static str) -> StoreResult<Vec<String>> {
        let mut select = Query::select();
        select
            .from("sqlite_master")
            .column("name")
            .and_where(Expr::col("type").eq("index"))
            .and_where(Expr::col("tbl_name").eq(table));
        let rows = self.fetch(&select, &[ColType::Text]).await?;
        Ok(rows
            .into_iter()
            .filter_map(|row| match row.into_iter().next() {
                Some(Value::Text(name)) => Some(name),
                _ => None,
            })
            .collect())
    }

    /// Moves the gathered keys into the duplicate-key index and empties the gathering table.
    /// The records were gathered in the order they were inserted, so their rowids ascend and
    /// FTS5 takes them without writing a segment for every step back.
    pub async fn apply_deferred_match_keys(&mut self) -> StoreResult<()> {
        for kind in 1..=3 {
            let table = record_table(kind)?;
            self.run_ddl(&format!(
                "INSERT INTO match_search (rowid, keys) \
                 SELECT {rowid}, d.tokens FROM {DEFERRED_KEYS} d \
                 JOIN {table} t ON t.id = d.record_id WHERE d.kind = {kind}",
                rowid = document_rowid_sql(kind, "t.rowid")
            ))
            .await?;
        }
        self.run_ddl(&format!("DELETE FROM {DEFERRED_KEYS}"))
            .await?;
        self.tidy_match_keys().await
    }
}

#[cfg(test)]
mod tests {
    use peyvand_domain::record::{CONTACTS, Value};
    use sea_query::ExprTrait;
    use uuid::Uuid;

    use crate::tx::Tx;
    use crate::values::ColType;

    /// How many segments FTS5 merges at once in `index`, as stored with it (None: its default).
    async fn automerge(tx: &mut Tx, index: &str) -> Option<i64> {
        let mut select = sea_query::Query::select();
        select
            .column("v")
            .from(sea_query::Alias::new(format!("{index}_config")))
            .and_where(sea_query::Expr::col("k").eq("automerge"));
        let rows = tx.fetch(&select, &[ColType::Int]).await.unwrap();
        rows.into_iter().next().and_then(|row| match row.first() {
            Some(Value::Int(n)) => Some(*n),
            _ => None,
        })
    }

    async fn index_names(tx: &mut Tx) -> Vec<String> {
        let mut names = tx.index_names_of("contacts").await.unwrap();
        names.sort();
        names
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn indexes_and_keys_come_back_after_a_bulk_load_and_after_a_rollback() {
        let (store, _database) = crate::temp_sqlite_store("bulk").await;
        let before = index_names(&mut store.read().await.unwrap()).await;
        assert!(before.iter().any(|n| n == "contacts_sort"), "{before:?}");

        // Two loads with the same keys for different records: the first keeps its changes,
        // the second is rolled back.
        let (kept, rolled_back) = (Uuid::now_v7(), Uuid::now_v7());
        for (record, keep) in [(kept, true), (rolled_back, false)] {
            store
                .write_job(Box::new(move |tx| {
                    Box::pin(async move {
                        let suspended = tx.suspend_indexes(&CONTACTS).await.unwrap().unwrap();
                        let during = index_names(tx).await;
                        assert!(during.iter().all(|n| n.starts_with("sqlite_autoindex")));
                        for index in ["contacts_search", "match_search"] {
                            assert_eq!(automerge(tx, index).await, Some(16), "{index}");
                        }
                        crate::match_search::insert_bare_contacts(tx, &[record]).await;
                        tx.defer_match_keys().await.unwrap();
                        tx.insert_deferred_match_keys(2, &[(record, vec![7, -3, 11])])
                            .await
                            .unwrap();
                        tx.apply_deferred_match_keys().await.unwrap();
                        tx.restore_indexes(suspended).await.unwrap();
                        keep
                    })
                }))
                .await
                .unwrap();
        }
        let mut tx = store.read().await.unwrap();
        assert_eq!(index_names(&mut tx).await, before);
        for index in ["contacts_search", "match_search"] {
            assert_eq!(automerge(&mut tx, index).await, Some(0), "{index}");
        }
        for key in [7, -3, 11] {
            assert_eq!(tx.match_key_records(2, key, 10).await.unwrap(), [kept]);
        }
    }
}
