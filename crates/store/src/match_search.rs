//! SQLite's duplicate-match keys: an FTS5 index of one document per record (migration 0234).
//!
//! A record's block keys are random 64-bit hashes. Kept one row each in a B-tree (as PostgreSQL
//! still does, `match_keys`), every key of a created contact dirtied a page of its own, and
//! SQLite wrote each such page whole to the WAL: about 60 KB per created contact and half of
//! the writer's time. FTS5 keeps a commit's keys in memory and writes them out as one sorted
//! segment, merging segments in the background of later writes.
//!
//! - A record's document has rowid `4 × rowid of the record in its table + kind`
//!   ([`document_rowid`]) and one token per key ([`token`]); the index keeps no copy of the text
//!   (`content=''`) and removes a document by rowid (`contentless_delete`). Both are as short as
//!   they can be (migration 0310): every key is a word of its own, stored with its document's
//!   rowid in full, and the bytes of each are written again at every level of merging.
//! - FTS5 writes out a segment whenever a statement that may need undoing begins, so a write
//!   only notes the record's new keys in the transaction ([`MatchNote`]), and
//!   [`Tx::apply_pending_match_keys`] writes the notes just before the commit, in two
//!   statements whatever their number. A job that fails takes its notes with it (`batch.rs`).
//! - `match_search_vocab` gives each key's number of records, in key order, for the report.

use std::collections::{BTreeMap, BTreeSet};

use sea_query::{Expr, ExprTrait, Order, Query};
use uuid::Uuid;

use crate::tx::Tx;
use crate::values::{ColType, to_sql};
use crate::{StoreError, StoreResult};
use peyvand_domain::record::Value;

/// The index itself.
const INDEX: &str = "match_search";
/// The index's words and how many documents hold each.
const VOCAB: &str = "match_search_vocab";

/// The table whose records have the keys of `kind` (the numbers of migration 0014).
pub(crate) fn record_table(kind: i64) -> StoreResult<&'static str> {
    match kind {
        1 => Ok("accounts"),
        2 => Ok("contacts"),
        3 => Ok("leads"),
        _ => Err(StoreError::Corrupt(format!("no match keys of kind {kind}"))),
    }
}

/// The bits of a document rowid that hold the record's kind (1, 2 or 3).
const KIND_BITS: u32 = 2;

/// The rowid of the document of the record of `kind` whose rowid in its own table is
/// `record_rowid`: the kind in the low bits, so that rowids stay small (a varint of three or
/// four bytes for a table of millions, where the kind in the high bits took nine).
pub(crate) fn document_rowid(kind: i64, record_rowid: i64) -> i64 {
    (record_rowid << KIND_BITS) | kind
}

/// [`document_rowid`] as SQL, of the record rowid `rowid_expr` (a column or an expression).
pub(crate) fn document_rowid_sql(kind: i64, rowid_expr: &str) -> String {
    format!("(({rowid_expr}) << {KIND_BITS}) | {kind}")
}

/// The bits of [`KIND_BITS`] in a document rowid.
const KIND_MASK: i64 = (1 << KIND_BITS) - 1;

/// The kind of the document with rowid `rid`.
fn kind_of_document(rid: i64) -> i64 {
    rid & KIND_MASK
}

/// The first character of every token of `kind` (1, 2 or 3).
fn kind_digit(kind: i64) -> char {
    char::from(b'0' + (kind as u8 % 10))
}

/// Digits of [`token`]: in ASCII order, so that fixed-width numbers sort as strings as they do
/// as numbers.
const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";

/// How many base-36 digits a 64-bit key takes (36^13 > 2^64).
const KEY_DIGITS: usize = 13;

/// The token of `key` of `kind`: the kind's digit, then the key with its sign bit flipped in 13
/// base-36 digits, so that tokens of one kind sort as their keys do as signed numbers. The
/// ASCII tokenizer takes letters and digits only, and folds case: base 36 is the shortest.
pub(crate) fn token(kind: i64, key: i64) -> String {
    let mut text = String::with_capacity(KEY_DIGITS + 1);
    push_token(&mut text, kind, key);
    text
}

/// Appends [`token`] to `text`.
fn push_token(text: &mut String, kind: i64, key: i64) {
    let mut digits = [b'0'; KEY_DIGITS];
    let mut rest = (key as u64) ^ (1 << 63);
    for digit in digits.iter_mut().rev() {
        *digit = DIGITS[(rest % 36) as usize];
        rest /= 36;
    }
    text.push(kind_digit(kind));
    // The digits are ASCII.
    text.extend(digits.iter().map(|d| char::from(*d)));
}

/// The key a token of `kind` stands for, if it is one.
fn key_of(kind: i64, token: &str) -> Option<i64> {
    let digits = token.strip_prefix(kind_digit(kind))?;
    if digits.len() != KEY_DIGITS {
        return None;
    }
    let bits = u64::from_str_radix(digits, 36).ok()?;
    Some((bits ^ (1 << 63)) as i64)
}

/// A record's keys as one document.
pub(crate) fn document(kind: i64, keys: &[i64]) -> String {
    let mut text = String::with_capacity(keys.len() * (KEY_DIGITS + 2));
    write_document(&mut text, kind, keys);
    text
}

/// Writes [`document`] into `text`, replacing what it held (bulk loads reuse one buffer).
pub(crate) fn write_document(text: &mut String, kind: i64, keys: &[i64]) {
    text.clear();
    for key in keys {
        if !text.is_empty() {
            text.push(' ');
        }
        push_token(text, kind, *key);
    }
}

/// The first token of `kind` at or after `key`; past the last key of the kind when `None`.
fn bound(kind: i64, key: Option<i64>) -> String {
    match key {
        Some(key) => token(kind, key),
        // `~` sorts after every digit and letter.
        None => format!("{}~", kind_digit(kind)),
    }
}

/// A change of one record's keys, to be written to the index at the commit.
#[derive(Debug, Clone)]
pub(crate) struct MatchNote {
    /// The record's document rowid.
    rid: i64,
    /// Whether the index may hold a document of the record already, to be removed first.
    replaces: bool,
    /// The record's keys as they are now; `None` when it has none or is being deleted.
    tokens: Option<String>,
}

/// Statements bind at most this many values each (well under SQLite's limit).
const VALUES_PER_STATEMENT: usize = 1_000;

fn text(value: String) -> sea_query::Value {
    to_sql(&Value::Text(value), ColType::Text)
}

fn int(value: i64) -> sea_query::Value {
    to_sql(&Value::Int(value), ColType::Int)
}

impl Tx {
    /// Notes that record `record` of `kind` now has the keys `keys` (none: it has none or is
    /// about to be deleted); `replaces` says whether the index may hold keys of it already.
    /// The record must still be in its table: its rowid is read now.
    pub(crate) async fn note_match_document(
        &mut self,
        kind: i64,
        record: Uuid,
        replaces: bool,
        keys: &[i64],
    ) -> StoreResult<()> {
        let table = record_table(kind)?;
        let rowid = match self.last_inserted {
            // Right after its insert (a create), the record's rowid is known already.
            Some((inserted, id, rowid)) if inserted == table && id == record => rowid,
            _ => {
                let mut select = Query::select();
                select
                    .expr(Expr::cust("rowid"))
                    .from(table)
                    .and_where(Expr::col("id").eq(to_sql(&Value::Id(record), ColType::Id)));
                let rows = self.fetch(&select, &[ColType::Int]).await?;
                let Some(Value::Int(rowid)) = rows.first().and_then(|row| row.first()) else {
                    return Ok(());
                };
                *rowid
            }
        };
        self.match_notes.push(MatchNote {
            rid: document_rowid(kind, rowid),
            replaces,
            tokens: (!keys.is_empty()).then(|| document(kind, keys)),
        });
        Ok(())
    }

    /// Writes the keys of many records of `kind`, which have none in the index yet, straight
    /// into the index (bulk writers: demo data, imports, a rebuild). One statement per chunk, so
    /// FTS5 writes a segment per chunk at most.
    pub(crate) async fn insert_match_documents(
        &mut self,
        kind: i64,
        records: &[(Uuid, String)],
    ) -> StoreResult<()> {
        let table = record_table(kind)?;
        for chunk in records.chunks(VALUES_PER_STATEMENT / 2) {
            let mut sql = format!(
                "INSERT INTO {INDEX}(rowid, keys) SELECT {}, v.column2 FROM (VALUES ",
                document_rowid_sql(kind, "t.rowid")
            );
            let mut values = Vec::with_capacity(chunk.len() * 2);
            for (i, (record, tokens)) in chunk.iter().enumerate() {
                sql.push_str(if i == 0 { "(?, ?)" } else { ", (?, ?)" });
                values.push(to_sql(&Value::Id(*record), ColType::Id));
                values.push(text(tokens.clone()));
            }
            sql.push_str(&format!(") v JOIN {table} t ON t.id = v.column1"));
            self.execute_sqlite_with(&sql, values).await?;
        }
        Ok(())
    }

    /// SQLite: writes the notes of [`Tx::note_match_document`] to the index and forgets them.
    /// Called inside the transaction, just before it commits.
    pub(crate) async fn apply_pending_match_keys(&mut self) -> StoreResult<()> {
        let notes = std::mem::take(&mut self.match_notes);
        if notes.is_empty() {
            return Ok(());
        }
        // A record's earlier document goes first; its last note says what it holds now. In
        // rowid order, FTS5 takes the documents without writing a segment for a step back.
        let replaced: BTreeSet<i64> = notes.iter().filter(|n| n.replaces).map(|n| n.rid).collect();
        let latest: BTreeMap<i64, Option<String>> =
            notes.into_iter().map(|n| (n.rid, n.tokens)).collect();
        let replaced: Vec<i64> = replaced.into_iter().collect();
        for chunk in replaced.chunks(VALUES_PER_STATEMENT) {
            let marks = vec!["?"; chunk.len()].join(", ");
            let values = chunk.iter().map(|rid| int(*rid)).collect();
            self.exec_store_sqlite_with(
                &format!("DELETE FROM {INDEX} WHERE rowid IN ({marks})"),
                values,
            )
            .await?;
        }
        let documents: Vec<(i64, String)> = latest
            .into_iter()
            .filter_map(|(rid, tokens)| tokens.map(|t| (rid, t)))
            .collect();
        for chunk in documents.chunks(VALUES_PER_STATEMENT / 2) {
            let marks = vec!["(?, ?)"; chunk.len()].join(", ");
            let mut values = Vec::with_capacity(chunk.len() * 2);
            for (rid, tokens) in chunk {
                values.push(int(*rid));
                values.push(text(tokens.clone()));
            }
            self.exec_store_sqlite_with(
                &format!("INSERT INTO {INDEX}(rowid, keys) VALUES {marks}"),
                values,
            )
            .await?;
        }
        self.merge_a_step(INDEX).await
    }

    /// Up to `limit` records of `kind` holding `key`.
    pub(crate) async fn search_match_key(
        &mut self,
        kind: i64,
        key: i64,
        limit: Option<u64>,
    ) -> StoreResult<Vec<Uuid>> {
        let table = record_table(kind)?;
        // The token names the kind already; the kind's bits are checked all the same.
        let mut inner = format!(
            "rowid IN (SELECT rowid >> {KIND_BITS} FROM {INDEX} WHERE {INDEX} MATCH ? \
             AND (rowid & {KIND_MASK}) = ?"
        );
        let mut values = vec![text(token(kind, key)), int(kind)];
        if let Some(limit) = limit {
            inner.push_str(" LIMIT ?");
            values.push(int(i64::try_from(limit).unwrap_or(i64::MAX)));
        }
        inner.push(')');
        let mut select = Query::select();
        select
            .column("id")
            .from(table)
            .and_where(Expr::cust_with_values(inner, values));
        let mut ids = self.fetch_ids(&select).await?;
        ids.sort_unstable();
        Ok(ids)
    }

    /// Keys of `kind` in `[from, until)` that between 2 and `max_records` records hold, in key
    /// order, at most `limit` of them.
    pub(crate) async fn shared_match_search_keys(
        &mut self,
        kind: i64,
        from: i64,
        until: Option<i64>,
        max_records: i64,
        limit: u64,
    ) -> StoreResult<Vec<i64>> {
        let mut select = Query::select();
        select
            .column("term")
            .from(VOCAB)
            .and_where(Expr::col("term").gte(bound(kind, Some(from))))
            .and_where(Expr::col("term").lt(bound(kind, until)))
            .and_where(Expr::col("doc").gte(int(2)))
            .and_where(Expr::col("doc").lte(int(max_records)))
            .order_by("term", Order::Asc)
            .limit(limit);
        let rows = self.fetch(&select, &[ColType::Text]).await?;
        Ok(rows
            .into_iter()
            .filter_map(|row| match row.first() {
                Some(Value::Text(term)) => key_of(kind, term),
                _ => None,
            })
            .collect())
    }

    /// How many (key, record) pairs of `kind` have keys in `[from, until)`.
    pub(crate) async fn count_match_search_keys(
        &mut self,
        kind: i64,
        from: i64,
        until: i64,
    ) -> StoreResult<i64> {
        let mut select = Query::select();
        select
            .expr(Expr::cust("coalesce(sum(doc), 0)"))
            .from(VOCAB)
            .and_where(Expr::col("term").gte(bound(kind, Some(from))))
            .and_where(Expr::col("term").lt(bound(kind, Some(until))));
        self.fetch_count(&select).await
    }

    /// Removes every document of `kind`.
    pub(crate) async fn clear_match_search(&mut self, kind: i64) -> StoreResult<()> {
        // The documents of a kind are found by a scan of the index's rowids (it keeps no
        // text, but the size of each document by rowid); this runs before a rebuild only.
        self.exec_store_sqlite_with(
            &format!(
                "DELETE FROM {INDEX} WHERE rowid IN \
                 (SELECT rowid FROM {INDEX} WHERE (rowid & {KIND_MASK}) = ?)"
            ),
            vec![int(kind)],
        )
        .await?;
        self.match_notes
            .retain(|note| kind_of_document(note.rid) != kind);
        Ok(())
    }
}

/// Test support: contacts with the given ids and nothing else of interest (with the branch,
/// role and user they need), so that keys can be stored for them.
#[cfg(test)]
pub(crate) async fn insert_bare_contacts(tx: &mut Tx, ids: &[Uuid]) {
    let blob = |id: Uuid| format!("X'{}'", id.simple());
    let (branch, role, user) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
    let now = "'2026-01-01T00:00:00Z'";
    let mut sql = format!(
        "INSERT INTO branches (id, version, created_at, updated_at, search_text, name) \
         VALUES ({b}, 1, {now}, {now}, '', 'b'); \
         INSERT INTO roles (id, version, created_at, updated_at, search_text, name, builtin, grants) \
         VALUES ({r}, 1, {now}, {now}, '', 'r-{r2}', 0, '[]'); \
         INSERT INTO users (id, version, created_at, updated_at, search_text, name, email, role_id, \
         branch_id, disabled, password_hash) \
         VALUES ({u}, 1, {now}, {now}, '', 'u', 'u-{r2}@x', {r}, {b}, 0, 'x');",
        b = blob(branch),
        r = blob(role),
        r2 = role.simple(),
        u = blob(user),
    );
    for id in ids {
        sql.push_str(&format!(
            " INSERT INTO contacts (id, version, created_at, updated_at, search_text, last_name, \
             owner_id, branch_id) VALUES ({}, 1, {now}, {now}, '', 'c', {}, {});",
            blob(*id),
            blob(user),
            blob(branch)
        ));
    }
    tx.run_ddl(&sql).await.unwrap();
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs `job` in a transaction of its own through the group-commit writer.
    async fn write<F>(store: &crate::Store, job: F)
    where
        F: for<'t> FnOnce(&'t mut Tx) -> crate::WriteFuture<'t> + Send + 'static,
    {
        store.write_job(Box::new(job)).await.unwrap();
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn keys_follow_creates_replacements_deletes_and_rollbacks() {
        let (store, _database) = crate::temp_sqlite_store("match-search").await;
        let (a, b, c) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        write(&store, move |tx| {
            Box::pin(async move {
                insert_bare_contacts(tx, &[a, b, c]).await;
                tx.insert_match_keys(2, a, &[1, 2, 3]).await.unwrap();
                tx.insert_match_keys(2, b, &[2, 3, -4]).await.unwrap();
                // Replaced twice before the commit: only the last keys count.
                tx.insert_match_keys(2, c, &[9]).await.unwrap();
                tx.replace_match_keys(2, c, &[9], &[8]).await.unwrap();
                tx.replace_match_keys(2, c, &[8], &[3, 7]).await.unwrap();
                true
            })
        })
        .await;
        let records = |key: i64| {
            let store = store.clone();
            async move {
                let mut tx = store.read().await.unwrap();
                tx.match_key_records(2, key, 10).await.unwrap()
            }
        };
        let mut abc = vec![a, b, c];
        abc.sort();
        assert_eq!(records(3).await, abc);
        assert_eq!(records(1).await, [a]);
        assert_eq!(records(9).await, [] as [Uuid; 0]);
        assert_eq!(records(8).await, [] as [Uuid; 0]);
        // The same number under another kind is another key.
        let mut tx = store.read().await.unwrap();
        assert!(tx.match_key_records(3, 3, 10).await.unwrap().is_empty());
        assert_eq!(
            tx.shared_match_keys(2, i64::MIN, None, 10, 100)
                .await
                .unwrap(),
            [2, 3]
        );
        assert!(
            tx.shared_match_keys(2, 3, None, 2, 100)
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(tx.count_match_keys(2, i64::MIN, i64::MAX).await.unwrap(), 8);
        assert_eq!(tx.match_key_members(2, &[3, 1]).await.unwrap().len(), 4);
        drop(tx);

        // A rolled-back change leaves the keys as they were; a kept one replaces them.
        write(&store, move |tx| {
            Box::pin(async move {
                tx.replace_match_keys(2, a, &[1, 2, 3], &[5]).await.unwrap();
                false
            })
        })
        .await;
        assert_eq!(records(1).await, [a]);
        write(&store, move |tx| {
            Box::pin(async move {
                tx.replace_match_keys(2, a, &[1, 2, 3], &[5]).await.unwrap();
                tx.replace_match_keys(2, b, &[2, 3, -4], &[]).await.unwrap();
                true
            })
        })
        .await;
        assert_eq!(records(1).await, [] as [Uuid; 0]);
        assert_eq!(records(5).await, [a]);
        assert_eq!(records(-4).await, [] as [Uuid; 0]);
        assert_eq!(records(3).await, [c]);

        write(&store, move |tx| {
            Box::pin(async move {
                tx.clear_match_keys(2).await.unwrap();
                true
            })
        })
        .await;
        assert_eq!(records(3).await, [] as [Uuid; 0]);
    }

    #[test]
    fn tokens_sort_as_their_keys_and_read_back() {
        let keys = [i64::MIN, -5, -1, 0, 1, 7, i64::MAX];
        let tokens: Vec<String> = keys.iter().map(|k| token(2, *k)).collect();
        let mut sorted = tokens.clone();
        sorted.sort();
        assert_eq!(tokens, sorted);
        for (key, token) in keys.iter().zip(&tokens) {
            assert_eq!(key_of(2, token), Some(*key));
            assert_eq!(key_of(3, token), None);
        }
        assert!(bound(2, None) > token(2, i64::MAX));
        assert!(bound(2, None) < token(3, i64::MIN));
        assert_eq!(document(2, &keys), tokens.join(" "));
        assert_eq!(document(2, &[]), "");
        assert_eq!(token(2, i64::MIN), "20000000000000");
        assert_eq!(token(2, -1), "21y2p0ij32e8e7");
        assert_eq!(key_of(2, "21y2p0ij32e8e"), None, "a digit short");
    }

    #[test]
    fn document_rowids_hold_the_kind_in_their_low_bits() {
        for kind in 1..=3 {
            for rowid in [1, 2, 1_000_000, i64::MAX >> KIND_BITS] {
                let rid = document_rowid(kind, rowid);
                assert_eq!(kind_of_document(rid), kind);
                assert_eq!(rid >> KIND_BITS, rowid);
            }
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_key_takes_under_twenty_bytes_of_index() {
        // Every key is a word of its own, written again at each level of merging: its word
        // and its document's rowid were 25 bytes a key (migration 0310).
        let (store, _database) = crate::temp_sqlite_store("match-size").await;
        let ids: Vec<Uuid> = (0..300).map(|_| Uuid::now_v7()).collect();
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let keyed: Vec<(Uuid, Vec<i64>)> = ids
            .iter()
            .map(|id| {
                let keys = (0..14)
                    .map(|_| {
                        // xorshift: random-looking keys, as hashes are.
                        state ^= state << 13;
                        state ^= state >> 7;
                        state ^= state << 17;
                        state as i64
                    })
                    .collect();
                (*id, keys)
            })
            .collect();
        write(&store, move |tx| {
            Box::pin(async move {
                insert_bare_contacts(tx, &ids).await;
                tx.insert_match_keys_many(2, &keyed).await.unwrap();
                true
            })
        })
        .await;
        let mut tx = store.read().await.unwrap();
        let mut select = Query::select();
        select.expr(Expr::cust(
            "(SELECT sum(length(block)) FROM match_search_data)",
        ));
        let bytes = tx.fetch_count(&select).await.unwrap();
        let per_key = bytes as f64 / (300.0 * 14.0);
        assert!(per_key < 20.0, "{per_key:.1} bytes a key");
    }
}
