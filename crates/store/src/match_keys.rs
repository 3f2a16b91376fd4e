//! The block keys of customer records (`domain::duplicate`), kept so that possible duplicates
//! are found by lookups instead of scans: on PostgreSQL in the indexed table
//! `match_keys (kind, block_key, record_id)`, on SQLite in an FTS5 index (`match_search`).
//! The application computes the keys and keeps them in step with every write in the same
//! transaction; the store only stores and finds them.

use peyvand_domain::record::Value;
use sea_query::{Expr, ExprTrait, Order, Query};
use uuid::Uuid;

use crate::StoreResult;
use crate::match_search::document;
use crate::tx::Tx;
use crate::values::{ColType, to_sql};

const TABLE: &str = "match_keys";

fn int(value: i64) -> sea_query::Value {
    to_sql(&Value::Int(value), ColType::Int)
}

fn id(value: Uuid) -> sea_query::Value {
    to_sql(&Value::Id(value), ColType::Id)
}

/// One (record, key) row per key of each record.
pub(crate) fn key_rows(records: &[(Uuid, Vec<i64>)]) -> Vec<(Uuid, i64)> {
    records
        .iter()
        .flat_map(|(record, keys)| keys.iter().map(move |key| (*record, *key)))
        .collect()
}

impl Tx {
    /// Stores the keys of one record of `kind`, which has none stored yet.
    pub async fn insert_match_keys(
        &mut self,
        kind: i64,
        record: Uuid,
        keys: &[i64],
    ) -> StoreResult<()> {
        self.replace_match_keys(kind, record, &[], keys).await
    }

    /// Brings the stored keys of one record of `kind` from `old` (what its previous values
    /// gave; empty for a new record) to `new` (empty when it is about to be deleted: the record
    /// must still be in its table). The caller names the old keys, so PostgreSQL deletes by the
    /// table's primary key and needs no second index by record.
    pub async fn replace_match_keys(
        &mut self,
        kind: i64,
        record: Uuid,
        old: &[i64],
        new: &[i64],
    ) -> StoreResult<()> {
        if old == new {
            return Ok(());
        }
        if !self.is_postgres() {
            return self
                .note_match_document(kind, record, !old.is_empty(), new)
                .await;
        }
        let removed: Vec<i64> = old.iter().filter(|k| !new.contains(k)).copied().collect();
        let added: Vec<i64> = new.iter().filter(|k| !old.contains(k)).copied().collect();
        self.delete_match_key_rows(kind, record, &removed).await?;
        if added.is_empty() {
            return Ok(());
        }
        let mut insert = Query::insert();
        insert
            .into_table(TABLE)
            .columns(["kind", "block_key", "record_id"]);
        for key in &added {
            insert.values_panic([
                Expr::val(int(kind)),
                Expr::val(int(*key)),
                Expr::val(id(record)),
            ]);
        }
        self.execute(&insert).await?;
        Ok(())
    }

    /// Stores the keys of many records of `kind` at once (bulk writers such as imports), in
    /// multi-row statements.
    pub async fn insert_match_keys_many(
        &mut self,
        kind: i64,
        records: &[(Uuid, Vec<i64>)],
    ) -> StoreResult<()> {
        if !self.is_postgres() {
            let documents: Vec<(Uuid, String)> = records
                .iter()
                .filter(|(_, keys)| !keys.is_empty())
                .map(|(record, keys)| (*record, document(kind, keys)))
                .collect();
            return self.insert_match_documents(kind, &documents).await;
        }
        self.insert_match_key_rows(TABLE, kind, key_rows(records))
            .await
    }

    /// Inserts (record, key) rows of `kind` into `table` (`match_keys`, or the gathering
    /// table of a bulk load), sorted by key, in multi-row statements.
    pub(crate) async fn insert_match_key_rows(
        &mut self,
        table: &str,
        kind: i64,
        mut rows: Vec<(Uuid, i64)>,
    ) -> StoreResult<()> {
        // In key order the inserts walk the index from one end to the other instead of
        // touching a random page for every row.
        rows.sort_unstable_by_key(|(record, key)| (*key, *record));
        // Three parameters a row: well under both databases' limits per statement.
        for chunk in rows.chunks(3_000) {
            let mut insert = Query::insert();
            insert.into_table(sea_query::Alias::new(table)).columns([
                "kind",
                "block_key",
                "record_id",
            ]);
            for (record, key) in chunk {
                insert.values_panic([
                    Expr::val(int(kind)),
                    Expr::val(int(*key)),
                    Expr::val(id(*record)),
                ]);
            }
            self.execute(&insert).await?;
        }
        Ok(())
    }

    /// PostgreSQL: removes the given keys of one record of `kind`.
    async fn delete_match_key_rows(
        &mut self,
        kind: i64,
        record: Uuid,
        keys: &[i64],
    ) -> StoreResult<()> {
        if keys.is_empty() {
            return Ok(());
        }
        let mut delete = Query::delete();
        delete
            .from_table(TABLE)
            .and_where(Expr::col("kind").eq(int(kind)))
            .and_where(Expr::col("block_key").is_in(keys.iter().map(|k| int(*k))))
            .and_where(Expr::col("record_id").eq(id(record)));
        self.execute(&delete).await?;
        Ok(())
    }

    /// Up to `limit` records of `kind` holding `key`, in id order.
    pub async fn match_key_records(
        &mut self,
        kind: i64,
        key: i64,
        limit: u64,
    ) -> StoreResult<Vec<Uuid>> {
        if !self.is_postgres() {
            return self.search_match_key(kind, key, Some(limit)).await;
        }
        let mut select = Query::select();
        select
            .from(TABLE)
            .column("record_id")
            .and_where(Expr::col("kind").eq(int(kind)))
            .and_where(Expr::col("block_key").eq(int(key)))
            .order_by("record_id", Order::Asc)
            .limit(limit);
        self.fetch_ids(&select).await
    }

    /// Keys of `kind` from `from` (inclusive) up to `until` (exclusive; `None`: to the end)
    /// that between 2 and `max_records` records share, in key order, at most `limit` of them.
    ///
    /// The database groups the clustered index in order and stops at the limit, so the work is
    /// bounded by the size of the key range, not of the table.
    pub async fn shared_match_keys(
        &mut self,
        kind: i64,
        from: i64,
        until: Option<i64>,
        max_records: i64,
        limit: u64,
    ) -> StoreResult<Vec<i64>> {
        if !self.is_postgres() {
            return self
                .shared_match_search_keys(kind, from, until, max_records, limit)
                .await;
        }
        let mut select = Query::select();
        select
            .from(TABLE)
            .column("block_key")
            .and_where(Expr::col("kind").eq(int(kind)))
            .and_where(Expr::col("block_key").gte(int(from)));
        if let Some(until) = until {
            select.and_where(Expr::col("block_key").lt(int(until)));
        }
        let count = Expr::col("record_id").count();
        select
            .group_by_col("block_key")
            .and_having(count.clone().gte(int(2)))
            .and_having(count.lte(int(max_records)))
            .order_by("block_key", Order::Asc)
            .limit(limit);
        let rows = self.fetch(&select, &[ColType::Int]).await?;
        Ok(rows
            .into_iter()
            .filter_map(|row| match row.first() {
                Some(Value::Int(key)) => Some(*key),
                _ => None,
            })
            .collect())
    }

    /// The records holding each of `keys`, as (key, record) pairs in key order.
    pub async fn match_key_members(
        &mut self,
        kind: i64,
        keys: &[i64],
    ) -> StoreResult<Vec<(i64, Uuid)>> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        if !self.is_postgres() {
            let mut sorted = keys.to_vec();
            sorted.sort_unstable();
            sorted.dedup();
            let mut pairs = Vec::new();
            for key in sorted {
                let records = self.search_match_key(kind, key, None).await?;
                pairs.extend(records.into_iter().map(|record| (key, record)));
            }
            return Ok(pairs);
        }
        let mut select = Query::select();
        select
            .from(TABLE)
            .column("block_key")
            .column("record_id")
            .and_where(Expr::col("kind").eq(int(kind)))
            .and_where(Expr::col("block_key").is_in(keys.iter().map(|k| int(*k))))
            .order_by("block_key", Order::Asc)
            .order_by("record_id", Order::Asc);
        let rows = self.fetch(&select, &[ColType::Int, ColType::Id]).await?;
        Ok(rows
            .into_iter()
            .filter_map(|row| match (row.first(), row.get(1)) {
                (Some(Value::Int(key)), Some(Value::Id(record))) => Some((*key, *record)),
                _ => None,
            })
            .collect())
    }

    /// How many keys of `kind` lie from `from` (inclusive) to `until` (exclusive); used on a
    /// narrow window to estimate how densely keys fill the range.
    pub async fn count_match_keys(&mut self, kind: i64, from: i64, until: i64) -> StoreResult<i64> {
        if !self.is_postgres() {
            return self.count_match_search_keys(kind, from, until).await;
        }
        let mut select = Query::select();
        select
            .from(TABLE)
            .expr(Expr::col(sea_query::Asterisk).count())
            .and_where(Expr::col("kind").eq(int(kind)))
            .and_where(Expr::col("block_key").gte(int(from)))
            .and_where(Expr::col("block_key").lt(int(until)));
        self.fetch_count(&select).await
    }

    /// After a bulk load of keys: SQLite merges the index's segments into one, so that a
    /// lookup reads one segment instead of dozens (a key looked up in 18 µs instead of 120 at
    /// 100,000 contacts; the merge took a third of a second). PostgreSQL has nothing to do.
    pub async fn tidy_match_keys(&mut self) -> StoreResult<()> {
        if self.is_postgres() {
            return Ok(());
        }
        self.run_ddl("INSERT INTO match_search(match_search) VALUES ('optimize')")
            .await
    }

    /// Whether the keys of every record of `kind` have been computed.
    pub async fn match_keys_built(&mut self, kind: i64) -> StoreResult<bool> {
        let mut select = Query::select();
        select
            .from("match_keys_built")
            .expr(Expr::col(sea_query::Asterisk).count())
            .and_where(Expr::col("kind").eq(int(kind)));
        Ok(self.fetch_count(&select).await? > 0)
    }

    /// Forgets every key of `kind`, before computing them all again.
    pub async fn clear_match_keys(&mut self, kind: i64) -> StoreResult<()> {
        if self.is_postgres() {
            let mut delete = Query::delete();
            delete
                .from_table(TABLE)
                .and_where(Expr::col("kind").eq(int(kind)));
            self.execute(&delete).await?;
        } else {
            self.clear_match_search(kind).await?;
        }
        let mut delete = Query::delete();
        delete
            .from_table("match_keys_built")
            .and_where(Expr::col("kind").eq(int(kind)));
        self.execute(&delete).await?;
        Ok(())
    }

    /// Records that the keys of every record of `kind` are in the table.
    pub async fn mark_match_keys_built(&mut self, kind: i64) -> StoreResult<()> {
        let mut insert = Query::insert();
        insert
            .into_table("match_keys_built")
            .columns(["kind"])
            .values_panic([Expr::val(int(kind))]);
        self.execute(&insert).await?;
        Ok(())
    }
}
