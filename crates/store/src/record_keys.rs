//! Pages of record keys — each listed record's id, version and sort value without its other
//! fields — and of a few chosen fields (titles for select boxes and references).
//!
//! A list of fifty records cost about 300 µs of CPU on SQLite, most of it decoding thirty columns
//! of every row into values and field maps (docs/benchmarks.md) — although the API then writes
//! each record from a cache of its JSON by (kind, id, version). Listing the keys first lets the
//! caller read whole rows ([`Tx::records_by_ids`]) only for the records it has not cached.

use peyvand_domain::record::{FieldName, Value};
use sea_query::Query;
use uuid::Uuid;

use crate::StoreResult;
use crate::records::{ListQuery, RecordRow, col_type, order_page};
use crate::search::RELEVANCE;
use crate::tx::Tx;
use crate::values::ColType;

/// A listed record's identity and its place in the list.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordKey {
    /// The record's id.
    pub id: Uuid,
    /// Its version, which names one state of the record (see `RecordRow::version`).
    pub version: i64,
    /// Its value of the sort field, for the next page's cursor: [`Value::Null`] when the list
    /// is sorted by id or by relevance.
    pub sort_value: Value,
}

impl Tx {
    /// The keys of one page of records in the query's order: the same records as
    /// [`Tx::list_records`] gives for the same query.
    pub async fn list_record_keys(&mut self, query: &ListQuery<'_>) -> StoreResult<Vec<RecordKey>> {
        if query.sort.field == RELEVANCE {
            return Ok(self
                .relevance_page(query)
                .await?
                .into_iter()
                .map(|(id, version)| RecordKey {
                    id,
                    version,
                    sort_value: Value::Null,
                })
                .collect());
        }
        let mut select = Query::select();
        select
            .from(query.schema.table)
            .column("id")
            .column("version");
        let mut types = vec![ColType::Id, ColType::Int];
        let by_field = query.sort.field != "id";
        if by_field {
            select.column(query.sort.field.clone());
            types.push(col_type(query.schema, &query.sort.field));
        }
        order_page(&mut select, query, self.is_postgres());
        let rows = self.fetch(&select, &types).await?;
        Ok(rows
            .into_iter()
            .map(|row| {
                let mut values = row.into_iter();
                let id = values.next().and_then(|v| v.as_id()).unwrap_or_default();
                let version = match values.next() {
                    Some(Value::Int(version)) => version,
                    _ => 0,
                };
                RecordKey {
                    id,
                    version,
                    sort_value: values.next().unwrap_or(Value::Null),
                }
            })
            .collect())
    }

    /// One page of records in the query's order (not by relevance), each with only the named
    /// fields of its schema: enough for titles, without decoding whole rows.
    pub async fn list_record_fields(
        &mut self,
        query: &ListQuery<'_>,
        names: &[&'static str],
    ) -> StoreResult<Vec<RecordRow>> {
        let mut select = Query::select();
        select
            .from(query.schema.table)
            .column("id")
            .column("version");
        let mut types = vec![ColType::Id, ColType::Int];
        for name in names {
            select.column(*name);
            types.push(col_type(query.schema, name));
        }
        order_page(&mut select, query, self.is_postgres());
        let rows = self.fetch(&select, &types).await?;
        Ok(rows
            .into_iter()
            .map(|row| {
                let mut values = row.into_iter();
                let id = values.next().and_then(|v| v.as_id()).unwrap_or_default();
                let version = match values.next() {
                    Some(Value::Int(version)) => version,
                    _ => 0,
                };
                let fields = names
                    .iter()
                    .map(|name| FieldName::Borrowed(name))
                    .zip(values)
                    .collect();
                RecordRow {
                    id,
                    version,
                    fields,
                }
            })
            .collect())
    }
}
