//! Writing customer and other schema records: inserts one by one and many at once, updates,
//! the start-up backfills of sort keys and search text, deletes.

use peyvand_domain::record::{FieldDef, Fields, Schema, Value};
use sea_query::{Expr, ExprTrait, Query, SimpleExpr};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::StoreResult;
use crate::direct::param;
use crate::records::{ExtraColumn, col_type, sort_key_of};
use crate::search::tsvector_expr;
use crate::tx::Tx;
use crate::values::{ColType, MomentText, to_sql};

/// A new record for [`Tx::insert_records`]: what [`Tx::insert_record`] takes, for many at once.
#[derive(Debug, Clone)]
pub struct NewRecord {
    /// The record's id.
    pub id: Uuid,
    /// Its creation moment (also its last change).
    pub now: OffsetDateTime,
    /// Its validated fields.
    pub fields: Fields,
    /// Its normalised search text (`peyvand_domain::record::search_text`).
    pub search_text: String,
    /// The key its table's default sort orders by ([`NewRecord::sort_key_for`]).
    pub sort_key: String,
}

impl NewRecord {
    /// A new record of `schema` with its sort key.
    pub fn new(
        schema: &Schema,
        id: Uuid,
        now: OffsetDateTime,
        fields: Fields,
        search_text: String,
    ) -> NewRecord {
        NewRecord {
            id,
            now,
            sort_key: NewRecord::sort_key_for(schema, &fields),
            fields,
            search_text,
        }
    }

    /// The sort key of a record of `schema` with `fields`, for a caller that makes it away from
    /// the writer (an import's reading thread: it was 4% of the writer's time there).
    pub fn sort_key_for(schema: &Schema, fields: &Fields) -> String {
        sort_key_of(schema, fields).unwrap_or_default()
    }
}

/// The texts a new record stores besides its fields, made from them.
#[derive(Debug, Clone, Copy)]
pub struct RecordTexts<'a> {
    /// Its normalised search text (`peyvand_domain::record::search_text`).
    pub search: &'a str,
    /// The key its table's default sort orders by ([`NewRecord::sort_key_for`]).
    pub sort_key: &'a str,
}

impl Tx {
    /// Stores a new record with version 1.
    pub async fn insert_record(
        &mut self,
        schema: &Schema,
        id: Uuid,
        now: OffsetDateTime,
        fields: &Fields,
        search_text: &str,
        extra: &[ExtraColumn],
    ) -> StoreResult<()> {
        let sort_key = NewRecord::sort_key_for(schema, fields);
        let texts = RecordTexts {
            search: search_text,
            sort_key: &sort_key,
        };
        self.insert_record_with(schema, id, now, fields, texts, extra)
            .await
    }

    /// [`Tx::insert_record`] with the texts made already, away from the writer thread, whose
    /// time every write waits for (a created record's sort key was 1.7% of it, perf).
    pub async fn insert_record_with(
        &mut self,
        schema: &Schema,
        id: Uuid,
        now: OffsetDateTime,
        fields: &Fields,
        texts: RecordTexts<'_>,
        extra: &[ExtraColumn],
    ) -> StoreResult<()> {
        let search_text = texts.search;
        let mut columns: Vec<&str> =
            vec!["id", "version", "created_at", "updated_at", "search_text"];
        let mut values = vec![
            to_sql(&Value::Id(id), ColType::Id),
            to_sql(&Value::Int(1), ColType::Int),
            to_sql(&Value::Time(now), ColType::Time),
            to_sql(&Value::Time(now), ColType::Time),
            to_sql(&Value::Text(search_text.to_owned()), ColType::Text),
        ];
        for field in schema
            .fields
            .iter()
            .filter(|f| !matches!(f.name, "created_at" | "updated_at"))
        {
            if let Some(value) = fields.get(field.name) {
                columns.push(field.name);
                values.push(to_sql(value, ColType::of(field.ty)));
            }
        }
        for (name, value) in extra {
            columns.push(name);
            values.push(to_sql(&Value::Text(value.clone()), ColType::Text));
        }
        columns.push("sort_key");
        values.push(to_sql(
            &Value::Text(texts.sort_key.to_owned()),
            ColType::Text,
        ));
        let mut values: Vec<SimpleExpr> = values.into_iter().map(Expr::val).collect();
        // SQLite's full-text index follows from a note (by trigger, or `note_inserted` below);
        // PostgreSQL's words are written here.
        if self.is_postgres() {
            columns.push("search_vector");
            values.push(tsvector_expr(search_text));
        }
        let mut insert = Query::insert();
        insert
            .into_table(schema.table)
            .columns(columns)
            .values_panic(values);
        self.execute(&insert).await?;
        let rowid = self.direct_last_insert_rowid();
        self.last_inserted = rowid.map(|rowid| (schema.table, id, rowid));
        self.note_inserted(schema.table, id, rowid).await
    }

    /// Stores many new records with version 1, exactly as [`Tx::insert_record`] would one by one
    /// (same columns, sort key and search words), in multi-row statements: the bulk path of
    /// the demo generator.
    pub async fn insert_records(
        &mut self,
        schema: &Schema,
        records: &[NewRecord],
    ) -> StoreResult<()> {
        if records.is_empty() {
            return Ok(());
        }
        let last = self.last_rowid_to_note(schema.table).await?;
        self.insert_records_unnoted(schema, records).await?;
        self.note_inserted_since(schema.table, last).await
    }

    /// [`Tx::insert_records`] but for the full-text index's note of the new rows.
    async fn insert_records_unnoted(
        &mut self,
        schema: &Schema,
        records: &[NewRecord],
    ) -> StoreResult<()> {
        let fields: Vec<&FieldDef> = schema
            .fields
            .iter()
            .filter(|f| !matches!(f.name, "created_at" | "updated_at"))
            .collect();
        let mut columns = vec!["id", "version", "created_at", "updated_at", "search_text"];
        columns.extend(fields.iter().map(|f| f.name));
        columns.push("sort_key");
        // Both databases bind at most some tens of thousands of parameters per statement.
        let per_statement = (30_000 / columns.len()).max(1);
        let bind = |statement: &mut rusqlite::CachedStatement<'_>, chunk: &[NewRecord]| {
            bind_records(statement, &fields, chunk)
        };
        if self.insert_in_place(schema.table, &columns, records, per_statement, bind)? {
            return Ok(());
        }
        let postgres = self.is_postgres();
        if postgres {
            columns.push("search_vector");
        }
        for chunk in records.chunks(per_statement) {
            let mut insert = Query::insert();
            insert.into_table(schema.table).columns(columns.clone());
            for record in chunk {
                let mut values = vec![
                    to_sql(&Value::Id(record.id), ColType::Id),
                    to_sql(&Value::Int(1), ColType::Int),
                    to_sql(&Value::Time(record.now), ColType::Time),
                    to_sql(&Value::Time(record.now), ColType::Time),
                    to_sql(&Value::Text(record.search_text.clone()), ColType::Text),
                ];
                for field in &fields {
                    let value = record.fields.get(field.name).unwrap_or(&Value::Null);
                    values.push(to_sql(value, ColType::of(field.ty)));
                }
                values.push(to_sql(&Value::Text(record.sort_key.clone()), ColType::Text));
                let mut values: Vec<SimpleExpr> = values.into_iter().map(Expr::val).collect();
                if postgres {
                    values.push(tsvector_expr(&record.search_text));
                }
                insert.values_panic(values);
            }
            self.execute(&insert).await?;
        }
        Ok(())
    }

    /// Applies `changes` when the stored version is still `expected_version`; returns false when
    /// the record is gone or someone else changed it first (the caller tells which).
    #[allow(clippy::too_many_arguments)]
    pub async fn update_record(
        &mut self,
        schema: &Schema,
        id: Uuid,
        expected_version: i64,
        now: OffsetDateTime,
        changes: &Fields,
        search_text: &str,
        extra: &[ExtraColumn],
    ) -> StoreResult<bool> {
        let mut update = Query::update();
        update
            .table(schema.table)
            .value(
                "version",
                to_sql(&Value::Int(expected_version + 1), ColType::Int),
            )
            .value("updated_at", to_sql(&Value::Time(now), ColType::Time))
            .value(
                "search_text",
                to_sql(&Value::Text(search_text.to_owned()), ColType::Text),
            );
        for (name, value) in changes {
            update.value(name.to_string(), to_sql(value, col_type(schema, name)));
        }
        for (name, value) in extra {
            update.value(*name, to_sql(&Value::Text(value.clone()), ColType::Text));
        }
        if let Some(key) = sort_key_of(schema, changes) {
            update.value("sort_key", to_sql(&Value::Text(key), ColType::Text));
        }
        if self.is_postgres() {
            update.value("search_vector", tsvector_expr(search_text));
        }
        update
            .and_where(Expr::col("id").eq(to_sql(&Value::Id(id), ColType::Id)))
            .and_where(
                Expr::col("version").eq(to_sql(&Value::Int(expected_version), ColType::Int)),
            );
        Ok(self.execute(&update).await? == 1)
    }

    /// Fills the sort key of records written before it existed; returns how many were filled.
    pub async fn backfill_sort_keys(&mut self, schema: &Schema) -> StoreResult<u64> {
        // Only text has a sort key; kinds sorted by a date or a time keep the empty key.
        let textual = schema
            .field(schema.default_sort)
            .is_some_and(|f| ColType::of(f.ty) == ColType::Text);
        if !textual {
            return Ok(0);
        }
        let mut select = Query::select();
        select
            .from(schema.table)
            .column("id")
            .column(schema.default_sort)
            .and_where(Expr::col("sort_key").eq(""))
            .and_where(Expr::col(schema.default_sort).is_not_null());
        let rows = self.fetch(&select, &[ColType::Id, ColType::Text]).await?;
        let mut filled = 0;
        for row in rows {
            let (Some(Value::Id(id)), Some(Value::Text(text))) = (row.first(), row.get(1)) else {
                continue;
            };
            let key = peyvand_domain::sort::sort_key(text);
            if key.is_empty() {
                continue;
            }
            let mut update = Query::update();
            update
                .table(schema.table)
                .value("sort_key", to_sql(&Value::Text(key), ColType::Text))
                .and_where(Expr::col("id").eq(to_sql(&Value::Id(*id), ColType::Id)));
            filled += self.execute(&update).await?;
        }
        Ok(filled)
    }

    /// Fills PostgreSQL's search words of records written before they existed (migration 0005);
    /// returns how many were filled. SQLite's index was built by its migration.
    pub async fn backfill_search(&mut self, schema: &Schema) -> StoreResult<u64> {
        if !self.is_postgres() {
            return Ok(0);
        }
        let mut select = Query::select();
        select
            .from(schema.table)
            .column("id")
            .column("search_text")
            // Literal conditions, so that the partial index of migration 0005 serves them.
            .and_where(Expr::cust(
                "search_vector = ''::tsvector AND search_text <> ''",
            ));
        let rows = self.fetch(&select, &[ColType::Id, ColType::Text]).await?;
        let mut filled = 0;
        for row in rows {
            let (Some(Value::Id(id)), Some(Value::Text(text))) = (row.first(), row.get(1)) else {
                continue;
            };
            let mut update = Query::update();
            update
                .table(schema.table)
                .value("search_vector", tsvector_expr(text))
                .and_where(Expr::col("id").eq(to_sql(&Value::Id(*id), ColType::Id)));
            filled += self.execute(&update).await?;
        }
        Ok(filled)
    }

    /// Deletes a record; returns false when it did not exist.
    pub async fn delete_record(&mut self, schema: &Schema, id: Uuid) -> StoreResult<bool> {
        let mut delete = Query::delete();
        delete
            .from_table(schema.table)
            .and_where(Expr::col("id").eq(to_sql(&Value::Id(id), ColType::Id)));
        Ok(self.execute(&delete).await? == 1)
    }
}

/// Binds `records` in place as the rows of a multi-row insert of [`Tx::insert_records`]'s
/// columns (id, version, the two moments, search text, `fields`, sort key).
fn bind_records(
    statement: &mut rusqlite::CachedStatement<'_>,
    fields: &[&FieldDef],
    records: &[NewRecord],
) -> StoreResult<()> {
    // The columns' positions by field name: a record holds a few of the schema's many fields,
    // and finding each of its values here costs less than looking every column up in it.
    let mut positions: Vec<(&str, usize)> = fields
        .iter()
        .enumerate()
        .map(|(position, field)| (field.name, position))
        .collect();
    positions.sort_unstable();
    let per_row = fields.len() + 6;
    let mut moments = MomentText::default();
    for (row, record) in records.iter().enumerate() {
        let first = row * per_row;
        let now = moments.of(record.now);
        statement.raw_bind_parameter(first + 1, record.id.as_bytes().as_slice())?;
        statement.raw_bind_parameter(first + 2, 1_i64)?;
        statement.raw_bind_parameter(first + 3, now)?;
        statement.raw_bind_parameter(first + 4, now)?;
        statement.raw_bind_parameter(first + 5, record.search_text.as_str())?;
        for position in 0..fields.len() {
            statement.raw_bind_parameter(first + 6 + position, rusqlite::types::Null)?;
        }
        for (name, value) in &record.fields {
            let name: &str = name;
            if let Ok(found) = positions.binary_search_by(|(column, _)| (*column).cmp(name)) {
                statement.raw_bind_parameter(first + 6 + positions[found].1, param(value))?;
            }
        }
        statement.raw_bind_parameter(first + per_row, record.sort_key.as_str())?;
    }
    Ok(())
}
