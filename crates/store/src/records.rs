//! Records of every kind, driven by their [`Schema`]: insert, update with optimistic
//! concurrency, delete, fetch, and keyset-paginated lists with access filter, search and sort.

use peyvand_domain::permission::RowFilter;
use peyvand_domain::record::{FieldDef, Fields, PlacementRule, Schema, Value};
use sea_query::{
    Alias, Cond, Expr, ExprTrait, LikeExpr, Order, Query, SelectStatement, SimpleExpr,
};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::StoreResult;
use crate::direct::param;
use crate::search::{RELEVANCE, RELEVANCE_WINDOW, SearchMatch, tsvector_expr};
use crate::tx::Tx;
use crate::values::{ColType, MomentText, to_sql};

/// One stored record: its identity, its version for optimistic concurrency, and its fields.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordRow {
    /// The record's id.
    pub id: Uuid,
    /// Incremented by every update; an update must name the version it read.
    pub version: i64,
    /// Every field of the schema, [`Value::Null`] when empty.
    pub fields: Fields,
}

/// A column that is not a schema field (a role's grants, a user's password hash), always text.
pub type ExtraColumn = (&'static str, String);

/// The field a list is sorted by and its direction.
#[derive(Debug, Clone, PartialEq)]
pub struct SortKey {
    /// A sortable field of the schema, or `id`.
    pub field: String,
    /// Largest first.
    pub descending: bool,
}

/// What to list: the caller has already checked that every named field exists and may be used.
#[derive(Debug, Clone)]
pub struct ListQuery<'a> {
    /// The kind of record.
    pub schema: &'a Schema,
    /// The rows the acting user may see.
    pub access: &'a RowFilter,
    /// Fields that must equal a value.
    pub equals: Vec<(String, Value)>,
    /// A tag the records must carry.
    pub tag: Option<String>,
    /// Normalised search words; each must begin a word of the record's search text (see
    /// `crate::search`).
    pub search: Vec<String>,
    /// Only these ids, when given.
    pub ids: Option<Vec<Uuid>>,
    /// The order; [`RELEVANCE`] ranks the matches of `search`.
    pub sort: SortKey,
    /// Continue after this (sort value, id) position. When sorted by [`RELEVANCE`]:
    /// `(Value::Int(rows already shown), any id)`.
    pub after: Option<(Value, Uuid)>,
    /// At most this many rows.
    pub limit: u64,
}

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

const SYSTEM_COLUMNS: [&str; 2] = ["id", "version"];

/// Columns that place a record for access checks: (owner column, branch column).
fn placement_columns(rule: PlacementRule) -> (Option<&'static str>, Option<&'static str>) {
    match rule {
        PlacementRule::OwnerAndBranch => (Some("owner_id"), Some("branch_id")),
        PlacementRule::SelfAndBranch => (Some("id"), Some("branch_id")),
        PlacementRule::BranchOnly => (None, Some("branch_id")),
        PlacementRule::IsBranch => (None, Some("id")),
        PlacementRule::Global => (None, None),
    }
}

/// The SQL condition for an access filter on a kind of record.
pub(crate) fn access_condition(schema: &Schema, access: &RowFilter) -> Cond {
    let (owner, branch) = placement_columns(schema.placement);
    let nothing = || Cond::all().add(Expr::val(1).eq(0));
    match access {
        RowFilter::Everything => Cond::all(),
        RowFilter::Nothing => nothing(),
        RowFilter::OwnerIn(ids) => match owner {
            Some(col) => Cond::all().add(
                Expr::col(col).is_in(ids.iter().map(|id| to_sql(&Value::Id(*id), ColType::Id))),
            ),
            None => nothing(),
        },
        RowFilter::BranchIn(ids) => match branch {
            Some(col) => Cond::all().add(
                Expr::col(col).is_in(ids.iter().map(|id| to_sql(&Value::Id(*id), ColType::Id))),
            ),
            None => nothing(),
        },
    }
}

pub(crate) fn col_type(schema: &Schema, name: &str) -> ColType {
    match name {
        "id" => ColType::Id,
        "version" => ColType::Int,
        _ => schema
            .field(name)
            .map_or(ColType::Text, |f| ColType::of(f.ty)),
    }
}

/// Escapes LIKE wildcards so that a user's `%` or `_` matches itself.
fn like_escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// The schema's fields in name order. Rows are read in this order so that building each row's
/// field map needs no sorting (profiling showed that sort as a large part of serving a list).
pub(crate) fn fields_by_name(schema: &Schema) -> Vec<&'static FieldDef> {
    let mut fields: Vec<&'static FieldDef> = schema.fields.iter().collect();
    fields.sort_by_key(|f| f.name);
    fields
}

pub(crate) fn select_all_columns(schema: &Schema) -> (SelectStatement, Vec<ColType>) {
    let mut select = Query::select();
    select.from(schema.table);
    let mut types = Vec::new();
    for name in SYSTEM_COLUMNS {
        select.column(name);
        types.push(col_type(schema, name));
    }
    for field in fields_by_name(schema) {
        select.column(field.name);
        types.push(ColType::of(field.ty));
    }
    (select, types)
}

/// Reads one row selected by [`select_all_columns`]; `names` are [`fields_by_name`]'s names.
pub(crate) fn row_from_values(names: &[&'static FieldDef], values: Vec<Value>) -> RecordRow {
    row_of_named(names.iter().map(|f| f.name), values)
}

/// Reads a row of `id`, `version`, then the fields `names` in that order.
pub(crate) fn row_of_named(
    names: impl IntoIterator<Item = &'static str>,
    values: Vec<Value>,
) -> RecordRow {
    let mut values = values.into_iter();
    let id = values.next().and_then(|v| v.as_id()).unwrap_or_default();
    let version = match values.next() {
        Some(Value::Int(v)) => v,
        _ => 0,
    };
    let fields = names
        .into_iter()
        .map(peyvand_domain::record::FieldName::Borrowed)
        .zip(values)
        .collect();
    RecordRow {
        id,
        version,
        fields,
    }
}

/// The column a list sorted by `field` orders on: the Persian-aware sort key for the kind's
/// default sort field (see `peyvand_domain::sort`), the field's own column otherwise.
fn order_column(schema: &Schema, field: &str) -> String {
    if field == schema.default_sort {
        "sort_key".to_owned()
    } else {
        field.to_owned()
    }
}

/// The sort key of a record's default sort field, when `fields` hold that field.
fn sort_key_of(schema: &Schema, fields: &Fields) -> Option<String> {
    fields.get(schema.default_sort).map(|value| {
        value
            .as_text()
            .map(peyvand_domain::sort::sort_key)
            .unwrap_or_default()
    })
}

/// Whether a sort column can hold NULL. Required columns need no NULL handling, which keeps the
/// ORDER BY a plain column list that an index can serve.
fn nullable(schema: &Schema, field: &str) -> bool {
    field != "id"
        && schema
            .field(field)
            .is_some_and(|f| !f.required && f.ty != peyvand_domain::record::FieldType::Timestamp)
}

fn keyset_condition(sort: &SortKey, col: ColType, nullable: bool, after: &(Value, Uuid)) -> Cond {
    let (value, id) = after;
    let id_value = to_sql(&Value::Id(*id), ColType::Id);
    let field = sort.field.clone();
    if field == "id" {
        return Cond::all().add(if sort.descending {
            Expr::col("id").lt(id_value)
        } else {
            Expr::col("id").gt(id_value)
        });
    }
    // Nulls sort last going up and first going down, so that the order is total and the same
    // on both databases (they disagree on where NULL goes by default).
    let v = to_sql(value, col);
    if !nullable {
        // A row-value comparison lets both databases seek in the (field, id) index; the
        // equivalent OR of two conditions makes SQLite scan from the start of the index.
        let here = Expr::tuple([Expr::col(field), Expr::col("id")]);
        let there = Expr::tuple([Expr::val(v), Expr::val(id_value)]);
        return Cond::all().add(if sort.descending {
            here.lt(there)
        } else {
            here.gt(there)
        });
    }
    match (value.is_null(), sort.descending) {
        (true, false) => Cond::all()
            .add(Expr::col(field.clone()).is_null())
            .add(Expr::col("id").gt(id_value)),
        (false, false) => Cond::any()
            .add(Expr::col(field.clone()).is_null())
            .add(Expr::col(field.clone()).gt(v.clone()))
            .add(
                Cond::all()
                    .add(Expr::col(field.clone()).eq(v))
                    .add(Expr::col("id").gt(id_value)),
            ),
        (true, true) => Cond::any().add(Expr::col(field.clone()).is_not_null()).add(
            Cond::all()
                .add(Expr::col(field.clone()).is_null())
                .add(Expr::col("id").lt(id_value)),
        ),
        (false, true) => Cond::all().add(Expr::col(field.clone()).is_not_null()).add(
            Cond::any().add(Expr::col(field.clone()).lt(v.clone())).add(
                Cond::all()
                    .add(Expr::col(field.clone()).eq(v))
                    .add(Expr::col("id").lt(id_value)),
            ),
        ),
    }
}

fn filter_condition(query: &ListQuery<'_>, postgres: bool) -> Cond {
    let mut cond = Cond::all().add(access_condition(query.schema, query.access));
    for (name, value) in &query.equals {
        // Equal values have equal sort keys: naming the key lets the (sort_key, id) index find
        // the rows when filtering on the default sort field.
        if name.as_str() == query.schema.default_sort
            && let Value::Text(text) = value
        {
            let key = Value::Text(peyvand_domain::sort::sort_key(text));
            cond = cond.add(Expr::col("sort_key").eq(to_sql(&key, ColType::Text)));
        }
        let col = col_type(query.schema, name);
        // A set-valued field (tags, multiple choice) matches when it holds every given value.
        if let (ColType::Tags, Value::Tags(items)) = (col, value) {
            for item in items {
                let pattern = format!("%,{},%", like_escape(item));
                cond = cond.add(Expr::col(name.clone()).like(LikeExpr::new(pattern).escape('\\')));
            }
            continue;
        }
        cond = cond.add(if value.is_null() {
            Expr::col(name.clone()).is_null()
        } else {
            Expr::col(name.clone()).eq(to_sql(value, col))
        });
    }
    if let Some(tag) = &query.tag {
        let pattern = format!("%,{},%", like_escape(tag));
        cond = cond.add(Expr::col("tags").like(LikeExpr::new(pattern).escape('\\')));
    }
    if let Some(search) = SearchMatch::new(query.schema.table, &query.search, postgres) {
        cond = cond.add(search.condition());
    }
    if let Some(ids) = &query.ids {
        cond = cond
            .add(Expr::col("id").is_in(ids.iter().map(|id| to_sql(&Value::Id(*id), ColType::Id))));
    }
    cond
}

/// Adds the query's filters, keyset position, order and limit to `select`, whose columns the
/// caller chose: the statement of one page in field order (not by relevance).
pub(crate) fn order_page(select: &mut SelectStatement, query: &ListQuery<'_>, postgres: bool) {
    let mut cond = filter_condition(query, postgres);
    let column = order_column(query.schema, &query.sort.field);
    let by_key = column == "sort_key";
    if let Some((value, id)) = &query.after {
        // Cursors carry the field's value; the key is derived from it the same way as on write.
        let position = if by_key {
            (
                Value::Text(
                    value
                        .as_text()
                        .map(peyvand_domain::sort::sort_key)
                        .unwrap_or_default(),
                ),
                *id,
            )
        } else {
            (value.clone(), *id)
        };
        let sort = SortKey {
            field: column.clone(),
            descending: query.sort.descending,
        };
        let col = if by_key {
            ColType::Text
        } else {
            col_type(query.schema, &query.sort.field)
        };
        let nullable = !by_key && nullable(query.schema, &query.sort.field);
        cond = cond.add(keyset_condition(&sort, col, nullable, &position));
    }
    select.cond_where(cond);
    let order = if query.sort.descending {
        Order::Desc
    } else {
        Order::Asc
    };
    if query.sort.field != "id" {
        if !by_key && nullable(query.schema, &query.sort.field) {
            let nulls_first = Expr::col(column.clone()).is_null();
            select.order_by_expr(nulls_first, order.clone());
        }
        select.order_by(column, order.clone());
    }
    select.order_by("id", order).limit(query.limit);
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
            &Value::Text(sort_key_of(schema, fields).unwrap_or_default()),
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

    /// One record by id, whoever may see it (access is checked by the caller).
    pub async fn get_record(
        &mut self,
        schema: &Schema,
        id: Uuid,
    ) -> StoreResult<Option<RecordRow>> {
        let (mut select, types) = select_all_columns(schema);
        select.and_where(Expr::col("id").eq(to_sql(&Value::Id(id), ColType::Id)));
        let rows = self.fetch(&select, &types).await?;
        let names = fields_by_name(schema);
        Ok(rows
            .into_iter()
            .next()
            .map(|values| row_from_values(&names, values)))
    }

    /// The ids of the records of `schema` that have a value in `field`.
    pub async fn ids_with_value(&mut self, schema: &Schema, field: &str) -> StoreResult<Vec<Uuid>> {
        let mut select = Query::select();
        select
            .from(Alias::new(schema.table))
            .column("id")
            .and_where(Expr::col(Alias::new(field)).is_not_null());
        self.fetch_ids(&select).await
    }

    /// One page of records in the query's order.
    pub async fn list_records(&mut self, query: &ListQuery<'_>) -> StoreResult<Vec<RecordRow>> {
        if query.sort.field == RELEVANCE {
            let page = self.relevance_page(query).await?;
            let ids: Vec<Uuid> = page.iter().map(|(id, _)| *id).collect();
            let mut rows = self
                .records_by_ids(query.schema, Some(query.access), &ids)
                .await?;
            rows.sort_by_key(|row| ids.iter().position(|id| *id == row.id));
            return Ok(rows);
        }
        let (mut select, types) = select_all_columns(query.schema);
        order_page(&mut select, query, self.is_postgres());
        let rows = self.fetch(&select, &types).await?;
        let names = fields_by_name(query.schema);
        Ok(rows
            .into_iter()
            .map(|values| row_from_values(&names, values))
            .collect())
    }

    /// The records of `schema` with these ids, whole, in no particular order; ids that do not
    /// exist or that `access`, when given, does not cover are left out.
    pub async fn records_by_ids(
        &mut self,
        schema: &Schema,
        access: Option<&RowFilter>,
        ids: &[Uuid],
    ) -> StoreResult<Vec<RecordRow>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let (mut select, types) = select_all_columns(schema);
        select.and_where(
            Expr::col("id").is_in(ids.iter().map(|id| to_sql(&Value::Id(*id), ColType::Id))),
        );
        if let Some(access) = access {
            select.cond_where(access_condition(schema, access));
        }
        let names = fields_by_name(schema);
        Ok(self
            .fetch(&select, &types)
            .await?
            .into_iter()
            .map(|values| row_from_values(&names, values))
            .collect())
    }

    /// The (id, version) of one page of the records matching the search words, best first:
    /// the newest [`RELEVANCE_WINDOW`] matches that pass the filters are ranked
    /// (`crate::search::rank`), and the page is a position in that ranking.
    pub(crate) async fn relevance_page(
        &mut self,
        query: &ListQuery<'_>,
    ) -> StoreResult<Vec<(Uuid, i64)>> {
        let shown = match &query.after {
            Some((Value::Int(shown), _)) => usize::try_from(*shown).unwrap_or(usize::MAX),
            _ => 0,
        };
        let postgres = self.is_postgres();
        let table = query.schema.table;
        let Some(search) = SearchMatch::new(table, &query.search, postgres) else {
            return Ok(Vec::new());
        };
        // The other filters (access first of all) apply before the window is taken, so that the
        // window holds records this user may see.
        let filters = filter_condition(
            &ListQuery {
                search: Vec::new(),
                ..query.clone()
            },
            postgres,
        );
        let mut window = Query::select();
        window
            .from(table)
            .column((table, "id"))
            .column((table, "search_text"))
            .column((table, "version"))
            .cond_where(filters)
            .limit(RELEVANCE_WINDOW);
        match &search {
            SearchMatch::Sqlite { table: index, .. } => {
                // The index drives: it yields matches newest first (rowid order), each checked
                // against the filters, until the window is full.
                window
                    .join(
                        sea_query::JoinType::InnerJoin,
                        index.clone(),
                        Expr::col((index.clone(), "rowid")).equals((table, "rowid")),
                    )
                    .and_where(search.fts5_match())
                    .order_by((index.clone(), "rowid"), Order::Desc);
            }
            SearchMatch::Postgres { .. } => {
                // UUIDv7 ids grow with creation time: newest first, as on SQLite.
                window
                    .and_where(search.condition())
                    .order_by("id", Order::Desc);
            }
        }
        let hits = self
            .fetch(&window, &[ColType::Id, ColType::Text, ColType::Int])
            .await?;
        let texts: Vec<&str> = hits
            .iter()
            .map(|row| row.get(1).and_then(Value::as_text).unwrap_or_default())
            .collect();
        Ok(crate::search::rank(&query.search, &texts)
            .into_iter()
            .skip(shown)
            .take(usize::try_from(query.limit).unwrap_or(usize::MAX))
            .filter_map(|i| {
                let id = hits[i].first().and_then(Value::as_id)?;
                let version = match hits[i].get(2) {
                    Some(Value::Int(version)) => *version,
                    _ => 0,
                };
                Some((id, version))
            })
            .collect())
    }

    /// How many records match the query's filters (ignoring its position), counting no
    /// further than the query's limit when it has one: a page header needs "more than 10,000",
    /// not a walk over a million rows on every page.
    pub async fn count_records(&mut self, query: &ListQuery<'_>) -> StoreResult<i64> {
        let condition = filter_condition(query, self.is_postgres());
        let mut select = Query::select();
        if query.limit == 0 {
            select
                .from(query.schema.table)
                .expr(Expr::col(sea_query::Asterisk).count())
                .cond_where(condition);
        } else {
            let mut matching = Query::select();
            matching
                .from(query.schema.table)
                .expr(Expr::val(1))
                .cond_where(condition)
                .limit(query.limit);
            select
                .expr(Expr::col(sea_query::Asterisk).count())
                .from_subquery(matching, Alias::new("matching"));
        }
        self.fetch_count(&select).await
    }

    /// Sets a text column that is not a schema field (grants) of one record, leaving its
    /// version alone (start-up upgrades of built-in roles).
    pub async fn set_extra(
        &mut self,
        table: &str,
        id: Uuid,
        column: &str,
        value: &str,
    ) -> StoreResult<()> {
        let mut update = Query::update();
        update
            .table(Alias::new(table))
            .value(
                Alias::new(column),
                to_sql(&Value::Text(value.to_owned()), ColType::Text),
            )
            .and_where(Expr::col("id").eq(to_sql(&Value::Id(id), ColType::Id)));
        self.execute(&update).await?;
        Ok(())
    }

    /// A text column that is not a schema field (grants, password hash) of one record.
    pub async fn get_extra(
        &mut self,
        table: &str,
        id: Uuid,
        column: &str,
    ) -> StoreResult<Option<String>> {
        let mut select = Query::select();
        select
            .from(table.to_owned())
            .column(column.to_owned())
            .and_where(Expr::col("id").eq(to_sql(&Value::Id(id), ColType::Id)));
        let rows = self.fetch(&select, &[ColType::Text]).await?;
        Ok(rows
            .into_iter()
            .next()
            .and_then(|r| r.into_iter().next())
            .and_then(|v| match v {
                Value::Text(s) => Some(s),
                _ => None,
            }))
    }

    /// Ids of all records of a table with their value in one id column (the branch tree, team members).
    /// Every record of `schema` with the text values of `fields` (for instance the emails and
    /// phones an import checks duplicates against), handed to `visit` one by one so that a
    /// million records need no million-element list.
    pub async fn scan_text_fields(
        &mut self,
        schema: &Schema,
        fields: &[&str],
        mut visit: impl FnMut(Uuid, &[Option<String>]) + Send,
    ) -> StoreResult<()> {
        let mut select = Query::select();
        select.from(schema.table).column("id");
        let mut types = vec![ColType::Id];
        for field in fields {
            select.column(field.to_string());
            types.push(ColType::Text);
        }
        let mut texts = Vec::with_capacity(fields.len());
        self.fetch_each(&select, &types, |row| {
            let mut row = row.drain(..);
            let id = row.next().and_then(|v| v.as_id()).unwrap_or_default();
            texts.clear();
            texts.extend(row.map(|v| match v {
                Value::Text(text) => Some(text),
                _ => None,
            }));
            visit(id, &texts);
        })
        .await
    }

    pub async fn id_pairs(
        &mut self,
        table: &str,
        column: &str,
    ) -> StoreResult<Vec<(Uuid, Option<Uuid>)>> {
        let mut select = Query::select();
        select
            .from(table.to_owned())
            .column("id")
            .column(column.to_owned());
        let rows = self.fetch(&select, &[ColType::Id, ColType::Id]).await?;
        Ok(rows
            .into_iter()
            .map(|row| {
                let mut row = row.into_iter();
                let id = row.next().and_then(|v| v.as_id()).unwrap_or_default();
                (id, row.next().and_then(|v| v.as_id()))
            })
            .collect())
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

#[cfg(test)]
mod tests {
    use super::like_escape;

    #[test]
    fn like_wildcards_are_escaped() {
        assert_eq!(like_escape("50%_a\\b"), "50\\%\\_a\\\\b");
    }
}

#[cfg(test)]
#[path = "records_plan_tests.rs"]
mod plan_tests;
