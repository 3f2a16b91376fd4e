//! Records of every kind, driven by their [`Schema`]: insert, update with optimistic
//! concurrency, delete, fetch, and keyset-paginated lists with access filter, search and sort.

use peyvand_domain::permission::RowFilter;
use peyvand_domain::record::{FieldDef, Fields, PlacementRule, Schema, Value};
use sea_query::{Alias, Cond, Expr, ExprTrait, LikeExpr, Order, Query, SelectStatement};
use uuid::Uuid;

use crate::StoreResult;
use crate::search::{RELEVANCE, RELEVANCE_WINDOW, SearchMatch};
use crate::tx::Tx;
use crate::values::{ColType, to_sql};

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
pub(crate) fn sort_key_of(schema: &Schema, fields: &Fields) -> Option<String> {
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
