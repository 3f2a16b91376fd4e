//! Values the system keeps on records. They are not edits anyone made: no audit entry, no new
//! modification time. Bookkeeping that no one sees keeps the record's version, so a person
//! editing the record does not meet a version conflict; what the record shows takes a new one.

use peyvand_domain::record::{Fields, Schema, Value};
use sea_query::{Alias, Cond, Expr, ExprTrait, Query};
use uuid::Uuid;

use crate::StoreResult;
use crate::records::col_type;
use crate::search::tsvector_expr;
use crate::tx::Tx;
use crate::values::{ColType, to_sql};

impl Tx {
    /// Sets one system field of a record (whose turn a routing rule gives next, when a
    /// reminder went out). Only for fields that are neither searched nor sorted on; see
    /// [`Tx::set_searched_system_fields`] for the others. Returns false when the record is gone.
    pub async fn set_system_field(
        &mut self,
        schema: &Schema,
        id: Uuid,
        field: &str,
        value: &Value,
    ) -> StoreResult<bool> {
        let mut update = Query::update();
        update
            .table(schema.table)
            .value(field.to_owned(), to_sql(value, col_type(schema, field)))
            .and_where(Expr::col("id").eq(to_sql(&Value::Id(id), ColType::Id)));
        Ok(self.execute(&update).await? == 1)
    }

    /// Sets searched system fields of a record together with its new search text, so both
    /// databases' indexes follow (SQLite's through the triggers on `search_text`). Unlike
    /// [`Tx::set_system_field`] it gives the record a new version: what the record shows
    /// changed, and whatever keeps views of records by version must let go of the old one.
    /// Not for fields that a list sorts by. Returns false when the record is gone.
    pub async fn set_searched_system_fields(
        &mut self,
        schema: &Schema,
        id: Uuid,
        changes: &Fields,
        search_text: &str,
    ) -> StoreResult<bool> {
        let mut update = Query::update();
        update
            .table(schema.table)
            .value("version", Expr::col("version").add(1))
            .value(
                "search_text",
                to_sql(&Value::Text(search_text.to_owned()), ColType::Text),
            );
        for (name, value) in changes {
            update.value(name.to_string(), to_sql(value, col_type(schema, name)));
        }
        if self.is_postgres() {
            update.value("search_vector", tsvector_expr(search_text));
        }
        update.and_where(Expr::col("id").eq(to_sql(&Value::Id(id), ColType::Id)));
        Ok(self.execute(&update).await? == 1)
    }

    /// Empties one system field of every record whose `by` field holds `value`, so that it is
    /// derived again (see [`Tx::ids_with_value_but_not`]); returns how many were emptied.
    pub async fn clear_system_field_where(
        &mut self,
        schema: &Schema,
        field: &str,
        (by, value): (&str, &Value),
    ) -> StoreResult<u64> {
        let mut update = Query::update();
        update
            .table(schema.table)
            .value(
                field.to_owned(),
                to_sql(&Value::Null, col_type(schema, field)),
            )
            .and_where(Expr::col(Alias::new(by)).eq(to_sql(value, col_type(schema, by))));
        self.execute(&update).await
    }

    /// The ids of the records of `schema` that have a value in `field` and none in `missing`,
    /// at most `limit` of them: the records whose derived value is still to be filled.
    pub async fn ids_with_value_but_not(
        &mut self,
        schema: &Schema,
        field: &str,
        missing: &str,
        limit: u64,
    ) -> StoreResult<Vec<Uuid>> {
        let condition = Cond::all()
            .add(Expr::col(Alias::new(field)).is_not_null())
            .add(Expr::col(Alias::new(missing)).is_null());
        self.ids_matching(schema, condition, limit).await
    }

    /// The ids of the records of `schema` whose `by` field holds `value`, at most `limit` of
    /// them.
    pub async fn ids_where(
        &mut self,
        schema: &Schema,
        (by, value): (&str, &Value),
        limit: u64,
    ) -> StoreResult<Vec<Uuid>> {
        let condition = Expr::col(Alias::new(by)).eq(to_sql(value, col_type(schema, by)));
        self.ids_matching(schema, Cond::all().add(condition), limit)
            .await
    }

    /// The ids of at most `limit` records of `schema` that meet `condition`.
    async fn ids_matching(
        &mut self,
        schema: &Schema,
        condition: Cond,
        limit: u64,
    ) -> StoreResult<Vec<Uuid>> {
        let mut select = Query::select();
        select
            .from(Alias::new(schema.table))
            .column("id")
            .cond_where(condition)
            .limit(limit);
        self.fetch_ids(&select).await
    }
}
