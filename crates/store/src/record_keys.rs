//! Pages of record keys — each listed record's id, version and sort value without its other
//! fields — and of a few chosen fields (titles for select boxes and references, the columns of
//! a list page).
//!
//! A list of fifty records cost about 300 µs of CPU on SQLite, most of it decoding thirty columns
//! of every row into values and field maps (docs/benchmarks.md) — although the API then writes
//! each record from a cache of its JSON by (kind, id, version). Listing the keys first lets the
//! caller read whole rows ([`Tx::records_by_ids`]) only for the records it has not cached.

use peyvand_domain::record::{Schema, Value};
use sea_query::{Expr, ExprTrait, Query, SelectStatement};
use uuid::Uuid;

use crate::StoreResult;
use crate::records::{ListQuery, RecordRow, access_condition, col_type, order_page, row_of_named};
use crate::search::RELEVANCE;
use crate::tx::Tx;
use crate::values::{ColType, to_sql};

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

    /// One page of records in the query's order, like [`Tx::list_records`], each with only the
    /// named fields of its schema: enough for titles, or for the columns of a list page,
    /// without decoding whole rows.
    pub async fn list_record_fields(
        &mut self,
        query: &ListQuery<'_>,
        names: &[&'static str],
    ) -> StoreResult<Vec<RecordRow>> {
        if query.sort.field == RELEVANCE {
            return self.relevance_fields(query, names).await;
        }
        let (mut select, types) = select_fields(query.schema, names);
        order_page(&mut select, query, self.is_postgres());
        let rows = self.fetch(&select, &types).await?;
        Ok(rows
            .into_iter()
            .map(|row| row_of_named(names.iter().copied(), row))
            .collect())
    }

    /// [`Tx::list_record_fields`] of a search by relevance: the page's ids in the ranking's
    /// order, then their fields.
    async fn relevance_fields(
        &mut self,
        query: &ListQuery<'_>,
        names: &[&'static str],
    ) -> StoreResult<Vec<RecordRow>> {
        let ids: Vec<Uuid> = self
            .relevance_page(query)
            .await?
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let (mut select, types) = select_fields(query.schema, names);
        let in_page = ids.iter().map(|id| to_sql(&Value::Id(*id), ColType::Id));
        select
            .and_where(Expr::col("id").is_in(in_page))
            .cond_where(access_condition(query.schema, query.access));
        let mut rows: Vec<RecordRow> = self
            .fetch(&select, &types)
            .await?
            .into_iter()
            .map(|row| row_of_named(names.iter().copied(), row))
            .collect();
        rows.sort_by_key(|row| ids.iter().position(|id| *id == row.id));
        Ok(rows)
    }
}

/// A query of the id, version and the named fields of a schema's records, with the columns'
/// types.
fn select_fields(schema: &Schema, names: &[&'static str]) -> (SelectStatement, Vec<ColType>) {
    let mut select = Query::select();
    select.from(schema.table).column("id").column("version");
    let mut types = vec![ColType::Id, ColType::Int];
    for name in names {
        select.column(*name);
        types.push(col_type(schema, name));
    }
    (select, types)
}
