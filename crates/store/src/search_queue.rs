//! SQLite's full-text indexes, written once per commit.
//!
//! FTS5 writes the words of its latest inserts out as a new index segment whenever a savepoint
//! begins, and SQLite begins one for every statement on a table with triggers. Written straight
//! from the triggers, each record got a segment of its own, and merging them back was a fifth of
//! the writer's time per created contact (migration 0180 tells the measurements). So the
//! triggers only note the rows that changed in `pending_search_rows`, and [`Tx::commit`] and the
//! group-commit batch apply the notes just before they commit: one `INSERT … SELECT` per index
//! and commit, whatever the number of rows.
//!
//! PostgreSQL keeps each row's words in the row itself and has nothing to apply.

use peyvand_domain::record::{ALL_SCHEMAS, Value};
use sea_query::Query;

use crate::StoreResult;
use crate::tx::Tx;
use crate::values::ColType;

/// The table of noted rows (migration 0180).
const PENDING: &str = "pending_search_rows";

impl Tx {
    /// SQLite: brings every full-text index up to date with the rows noted since the last
    /// commit, and forgets the notes. Called inside the transaction, just before it commits.
    pub(crate) async fn apply_pending_search(&mut self) -> StoreResult<()> {
        if self.is_postgres() {
            return Ok(());
        }
        let mut tables = Query::select();
        tables.distinct().column("table_name").from(PENDING);
        let noted = self.fetch(&tables, &[ColType::Text]).await?;
        if noted.is_empty() {
            return Ok(());
        }
        for row in noted {
            let Some(Value::Text(name)) = row.first() else {
                continue;
            };
            // Only names of the store's own tables go into a statement; the triggers write
            // nothing else, so an unknown name would mean a table this binary does not know.
            let Some(table) = ALL_SCHEMAS.iter().map(|s| s.table).find(|t| t == name) else {
                tracing::warn!(table = %name, "search notes of an unknown table left alone");
                continue;
            };
            // One at a time, so that the writer's connection keeps each statement prepared:
            // parsed and planned again at every commit, they were 4% of its time.
            for statement in apply_statements(table) {
                self.exec_store_sqlite_with(&statement, Vec::new()).await?;
            }
            self.merge_a_step(&format!("{table}_search")).await?;
        }
        Ok(())
    }

    /// SQLite: merges some of `index`'s segments, at most about [`MERGE_PAGES`] pages, if one of
    /// its levels holds eight or more (FTS5's `usermerge`, migration 0290). The indexes do not
    /// merge by themselves: each commit that wrote one takes a step.
    pub(crate) async fn merge_a_step(&mut self, index: &str) -> StoreResult<()> {
        self.exec_store_sqlite_with(
            &format!("INSERT INTO {index}({index}, rank) VALUES ('merge', {MERGE_PAGES})"),
            Vec::new(),
        )
        .await?;
        Ok(())
    }
}

/// The tables whose new rows the store's inserts note themselves ([`Tx::note_inserted`],
/// [`Tx::note_inserted_since`]) instead of a trigger (migration 0300): a trigger made every
/// insert a write of two tables, for which SQLite keeps a statement journal, copying each page
/// the insert changes. These are the customers, created one by one at the highest rate; their
/// rows are inserted by `Tx::insert_record` and `Tx::insert_records` only.
pub(crate) const NOTED_ON_INSERT: [&str; 3] = ["accounts", "contacts", "leads"];

impl Tx {
    /// SQLite: notes the row of `table` just inserted with `id` for the full-text index, if
    /// `table` is one of [`NOTED_ON_INSERT`]; by its `rowid` when the caller knows it.
    pub(crate) async fn note_inserted(
        &mut self,
        table: &str,
        id: uuid::Uuid,
        rowid: Option<i64>,
    ) -> StoreResult<()> {
        if self.is_postgres() || !NOTED_ON_INSERT.contains(&table) {
            return Ok(());
        }
        let table_name = sea_query::Value::String(Some(table.to_owned()));
        match rowid {
            Some(rowid) => {
                self.exec_store_sqlite_with(
                    &format!("INSERT OR IGNORE INTO {PENDING} VALUES (?, ?, 0, NULL)"),
                    vec![table_name, sea_query::Value::BigInt(Some(rowid))],
                )
                .await?
            }
            None => {
                self.exec_store_sqlite_with(
                    &format!(
                        "INSERT OR IGNORE INTO {PENDING} SELECT ?, rowid, 0, NULL FROM {table} \
                         WHERE id = ?"
                    ),
                    vec![
                        table_name,
                        crate::values::to_sql(&Value::Id(id), ColType::Id),
                    ],
                )
                .await?
            }
        };
        Ok(())
    }

    /// SQLite: the largest rowid of `table` now, if it is one of [`NOTED_ON_INSERT`] (for
    /// [`Tx::note_inserted_since`] after inserting many rows).
    pub(crate) async fn last_rowid_to_note(&mut self, table: &str) -> StoreResult<Option<i64>> {
        if self.is_postgres() || !NOTED_ON_INSERT.contains(&table) {
            return Ok(None);
        }
        let mut select = Query::select();
        select.expr(sea_query::Expr::cust(format!(
            "(SELECT coalesce(max(rowid), 0) FROM {table})"
        )));
        Ok(Some(self.fetch_count(&select).await?))
    }

    /// SQLite: notes every row of `table` past `last` (what [`Tx::last_rowid_to_note`] gave
    /// before the inserts) for the full-text index. SQLite gives a new row the largest rowid
    /// plus one, so the rows past `last` are the new ones.
    pub(crate) async fn note_inserted_since(
        &mut self,
        table: &str,
        last: Option<i64>,
    ) -> StoreResult<()> {
        let Some(last) = last else {
            return Ok(());
        };
        self.exec_store_sqlite_with(
            &format!(
                "INSERT OR IGNORE INTO {PENDING} SELECT ?, rowid, 0, NULL FROM {table} \
                 WHERE rowid > ?"
            ),
            vec![
                sea_query::Value::String(Some(table.to_owned())),
                sea_query::Value::BigInt(Some(last)),
            ],
        )
        .await?;
        Ok(())
    }
}

/// The pages of merged index a commit writes at most for each full-text index it changed.
/// FTS5's automatic merging wrote 64 per level of the index at once, every 64 leaves written;
/// a step of 16 keeps up with a stream of creates (a commit writes a few leaves per index) and
/// takes a few milliseconds at most, where steps of 32 took 3–5 (docs/benchmarks.md).
pub(crate) const MERGE_PAGES: u32 = 16;

/// Removes the words the index holds for the noted rows, then indexes the rows as they are now
/// (a deleted row is no longer there to index), and forgets the table's notes.
fn apply_statements(table: &str) -> [String; 3] {
    [
        format!(
            "INSERT INTO {table}_search({table}_search, rowid, search_text) \
             SELECT 'delete', row_id, old_text FROM {PENDING} \
             WHERE table_name = '{table}' AND indexed = 1"
        ),
        format!(
            "INSERT INTO {table}_search(rowid, search_text) \
             SELECT t.rowid, t.search_text FROM {PENDING} p JOIN {table} t ON t.rowid = p.row_id \
             WHERE p.table_name = '{table}'"
        ),
        format!("DELETE FROM {PENDING} WHERE table_name = '{table}'"),
    ]
}

#[cfg(test)]
mod tests {
    use peyvand_domain::record::Value;
    use sea_query::{Expr, ExprTrait, Query};

    use super::*;
    use crate::Store;

    /// Runs statements as one write job; `keep` false rolls the job back.
    async fn write(store: &Store, sql: String, keep: bool) {
        store
            .write_job(Box::new(move |tx| {
                Box::pin(async move {
                    tx.run_ddl(&sql).await.unwrap();
                    keep
                })
            }))
            .await
            .unwrap();
    }

    fn insert(name: &str) -> String {
        format!(
            "INSERT INTO loss_reasons (id, version, created_at, updated_at, search_text, name) \
             VALUES (randomblob(16), 1, '', '', '{name}', '{name}');"
        )
    }

    /// The names the full-text index finds for a word, read as a search would.
    async fn found(store: &Store, word: &str) -> Vec<String> {
        let mut tx = store.read().await.unwrap();
        let mut select = Query::select();
        select
            .column("name")
            .from("loss_reasons")
            .and_where(Expr::cust_with_values(
                "rowid IN (SELECT rowid FROM loss_reasons_search WHERE loss_reasons_search MATCH ?)",
                [format!("\"{word}\"*")],
            ))
            .order_by("name", sea_query::Order::Asc);
        let rows = tx.fetch(&select, &[ColType::Text]).await.unwrap();
        rows.into_iter()
            .filter_map(|row| match row.into_iter().next() {
                Some(Value::Text(name)) => Some(name),
                _ => None,
            })
            .collect()
    }

    async fn notes_left(store: &Store) -> usize {
        let mut tx = store.read().await.unwrap();
        let mut select = Query::select();
        select.column("row_id").from(PENDING);
        tx.fetch(&select, &[ColType::Int]).await.unwrap().len()
    }

    #[tokio::test]
    async fn the_index_follows_inserts_updates_deletes_and_undone_jobs() {
        let (store, _database) = crate::temp_sqlite_store("search").await;
        write(&store, insert("alpha") + &insert("beta"), true).await;
        assert_eq!(found(&store, "alp").await, ["alpha"]);
        assert_eq!(found(&store, "beta").await, ["beta"]);

        // Renamed twice and deleted in one transaction: the index drops the words it held.
        write(
            &store,
            "UPDATE loss_reasons SET search_text = 'gamma', name = 'gamma' WHERE name = 'alpha'; \
             UPDATE loss_reasons SET search_text = 'delta', name = 'delta' WHERE name = 'gamma'; \
             DELETE FROM loss_reasons WHERE name = 'beta';"
                .into(),
            true,
        )
        .await;
        assert!(found(&store, "alpha").await.is_empty());
        assert!(found(&store, "gamma").await.is_empty());
        assert!(found(&store, "beta").await.is_empty());
        assert_eq!(found(&store, "delta").await, ["delta"]);

        // Jobs sharing a commit: the one that is undone leaves nothing in the index.
        let (kept, undone) = (store.clone(), store.clone());
        let (a, b) = tokio::join!(
            write(&kept, insert("epsilon"), true),
            write(&undone, insert("zeta"), false)
        );
        let ((), ()) = (a, b);
        assert_eq!(found(&store, "epsilon").await, ["epsilon"]);
        assert!(found(&store, "zeta").await.is_empty());

        assert_eq!(notes_left(&store).await, 0);
        let mut tx = store.read().await.unwrap();
        let mut check = Query::select();
        check.expr(Expr::cust(
            "(SELECT count(*) FROM loss_reasons_search WHERE loss_reasons_search MATCH 'delta')",
        ));
        assert_eq!(
            tx.fetch(&check, &[ColType::Int]).await.unwrap(),
            [[Value::Int(1)]]
        );
    }

    #[tokio::test]
    async fn no_trigger_writes_a_full_text_index_directly() {
        // Written per statement, an index gets a segment per record again (see the module).
        let (store, _database) = crate::temp_sqlite_store("search").await;
        let mut tx = store.read().await.unwrap();
        let mut select = Query::select();
        select
            .columns(["name", "sql"])
            .from("sqlite_master")
            .and_where(Expr::col("type").eq("trigger"));
        let triggers = tx
            .fetch(&select, &[ColType::Text, ColType::Text])
            .await
            .unwrap();
        assert!(triggers.len() >= 84, "{} triggers", triggers.len());
        for trigger in triggers {
            let (Some(Value::Text(name)), Some(Value::Text(sql))) =
                (trigger.first(), trigger.get(1))
            else {
                continue;
            };
            assert!(!sql.contains("_search("), "{name} writes an index: {sql}");
        }
    }

    /// The segments of `index`, as its table of leaf pages counts them.
    async fn segments(store: &Store, index: &str) -> i64 {
        let mut tx = store.read().await.unwrap();
        let mut select = Query::select();
        select.expr(Expr::cust(format!(
            "(SELECT count(DISTINCT segid) FROM {index}_idx)"
        )));
        match tx.fetch(&select, &[ColType::Int]).await.unwrap()[..] {
            [ref row] => match row[..] {
                [Value::Int(n)] => n,
                _ => panic!("no count"),
            },
            _ => panic!("no row"),
        }
    }

    #[tokio::test]
    async fn each_commit_takes_a_merge_step() {
        let (store, _database) = crate::temp_sqlite_store("merge-steps").await;
        let before = segments(&store, "loss_reasons_search").await;
        // Eight commits make eight segments of one row each, and the eighth commit's step
        // merges them (a level is merged once it holds eight); the ninth adds one.
        for name in [
            "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota",
        ] {
            write(&store, insert(name), true).await;
        }
        let after = segments(&store, "loss_reasons_search").await;
        assert!(
            after <= before + 2,
            "{before} segments before, {after} after"
        );
        assert_eq!(found(&store, "gam").await, ["gamma"]);
    }

    #[tokio::test]
    async fn no_full_text_index_merges_by_itself() {
        // Automatic merges made one commit pay for a large merge (migration 0290).
        let (store, _database) = crate::temp_sqlite_store("automerge").await;
        let mut tx = store.read().await.unwrap();
        let mut select = Query::select();
        select
            .column("name")
            .from("sqlite_master")
            .and_where(Expr::cust("sql LIKE 'CREATE VIRTUAL TABLE%fts5(%'"));
        let indexes = tx.fetch(&select, &[ColType::Text]).await.unwrap();
        assert!(indexes.len() >= 30, "{} indexes", indexes.len());
        for row in indexes {
            let Some(Value::Text(index)) = row.first() else {
                continue;
            };
            let mut automerge = Query::select();
            automerge.expr(Expr::cust(format!(
                "(SELECT v FROM {index}_config WHERE k = 'automerge')"
            )));
            assert_eq!(
                tx.fetch(&automerge, &[ColType::Int]).await.unwrap(),
                [[Value::Int(0)]],
                "{index}"
            );
        }
    }

    #[test]
    fn every_statement_names_the_table_and_its_index_only() {
        let [delete, insert, forget] = apply_statements("contacts");
        assert!(
            delete.contains("INSERT INTO contacts_search(contacts_search, rowid, search_text)")
        );
        assert!(insert.contains("JOIN contacts t ON t.rowid = p.row_id"));
        for statement in [&delete, &insert, &forget] {
            assert_eq!(statement.matches("table_name = 'contacts'").count(), 1);
        }
    }
}
