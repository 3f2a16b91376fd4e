//! Custom field definitions and the columns that hold their values.
//!
//! A custom field is a real, nullable column `cf_<name>` of its kind's table, so the generic
//! record code lists, filters and sorts by it like any other column. The definitions are rows
//! of `custom_fields`. Adding, renaming and dropping the column happen in the same transaction
//! as the change to its definition (both databases run `ALTER TABLE` inside a transaction).

use peyvand_domain::custom::{CustomField, CustomType, NAME_PREFIX};
use peyvand_domain::permission::RecordKind;
use peyvand_domain::record::{Schema, Value};
use sea_query::{Alias, ColumnDef, Expr, ExprTrait, Order, Query, Table, TableAlterStatement};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::tx::Tx;
use crate::values::{ColType, to_sql};
use crate::{StoreError, StoreResult};

/// A fingerprint of the custom field definitions (see [`Tx::custom_fields_stamp`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DefinitionsStamp {
    count: i64,
    latest: Option<OffsetDateTime>,
}

const COLUMNS: [&str; 11] = [
    "id",
    "record_kind",
    "name",
    "field_type",
    "choices",
    "reference_kind",
    "required",
    "in_list",
    "label_fa",
    "label_en",
    "position",
];
const TYPES: [ColType; 11] = [
    ColType::Id,
    ColType::Text,
    ColType::Text,
    ColType::Text,
    ColType::Text,
    ColType::Text,
    ColType::Bool,
    ColType::Bool,
    ColType::Text,
    ColType::Text,
    ColType::Int,
];

/// Choices are kept one per line; a choice never contains a line break (the domain collapses
/// whitespace in them).
fn choices_to_text(choices: &[String]) -> String {
    choices.join("\n")
}

fn values_of(field: &CustomField) -> [sea_query::Value; 11] {
    let text = |s: &str| to_sql(&Value::Text(s.to_owned()), ColType::Text);
    [
        to_sql(&Value::Id(field.id), ColType::Id),
        text(field.kind.code()),
        text(&field.name),
        text(field.field_type.code()),
        text(&choices_to_text(&field.choices)),
        to_sql(
            &field
                .reference
                .map_or(Value::Null, |k| Value::Text(k.code().to_owned())),
            ColType::Text,
        ),
        to_sql(&Value::Bool(field.required), ColType::Bool),
        to_sql(&Value::Bool(field.in_list), ColType::Bool),
        text(&field.label_fa),
        text(&field.label_en),
        to_sql(&Value::Int(field.position), ColType::Int),
    ]
}

fn from_row(row: Vec<Value>) -> StoreResult<CustomField> {
    let corrupt = || StoreError::Corrupt("custom field definition".into());
    let mut values = row.into_iter();
    let mut next = || values.next().ok_or_else(corrupt);
    let text = |v: Value| v.as_text().map(str::to_owned).ok_or_else(corrupt);
    let id = next()?.as_id().ok_or_else(corrupt)?;
    let kind = RecordKind::parse(&text(next()?)?).ok_or_else(corrupt)?;
    let name = text(next()?)?;
    let field_type = CustomType::parse(&text(next()?)?).ok_or_else(corrupt)?;
    let choices = text(next()?)?;
    let reference = match next()? {
        Value::Text(code) => Some(RecordKind::parse(&code).ok_or_else(corrupt)?),
        _ => None,
    };
    let flag = |v: Value| matches!(v, Value::Bool(true));
    let required = flag(next()?);
    let in_list = flag(next()?);
    let label_fa = text(next()?)?;
    let label_en = text(next()?)?;
    let Value::Int(position) = next()? else {
        return Err(corrupt());
    };
    Ok(CustomField {
        id,
        kind,
        name,
        field_type,
        choices: choices
            .split('\n')
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
            .collect(),
        reference,
        required,
        in_list,
        label_fa,
        label_en,
        position,
    })
}

/// The column definition that holds a custom field's values. Dates, moments and ids use the
/// same column types as built-in fields, so values round-trip identically.
fn column_def(field: &CustomField, postgres: bool) -> ColumnDef {
    let mut def = ColumnDef::new(Alias::new(&field.name));
    match (field.field_type, postgres) {
        (CustomType::Number, _) => def.double(),
        (CustomType::Money, _) => def.big_integer(),
        (CustomType::Bool, true) => def.boolean(),
        (CustomType::Bool, false) => def.integer(),
        (CustomType::Date, true) => def.date(),
        (CustomType::Reference, true) => def.uuid(),
        (CustomType::Reference, false) => def.blob(),
        _ => def.text(),
    };
    def.null();
    def
}

/// Refuses a column name that is not a custom field's: the names reach DDL, so this is the
/// last line of defence behind the domain's validation.
fn check_name(name: &str) -> StoreResult<()> {
    let bare = name.strip_prefix(NAME_PREFIX).unwrap_or("");
    if !bare.is_empty()
        && bare
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        Ok(())
    } else {
        Err(StoreError::Corrupt(format!("not a custom column: {name}")))
    }
}

impl Tx {
    /// Every custom field definition, by kind and position.
    pub async fn custom_fields(&mut self) -> StoreResult<Vec<CustomField>> {
        let mut select = Query::select();
        select
            .from("custom_fields")
            .columns(COLUMNS)
            .order_by("record_kind", Order::Asc)
            .order_by("position", Order::Asc)
            .order_by("name", Order::Asc);
        let rows = self.fetch(&select, &TYPES).await?;
        rows.into_iter().map(from_row).collect()
    }

    /// Stores a new definition and adds its column to `schema`'s table.
    pub async fn insert_custom_field(
        &mut self,
        schema: &Schema,
        field: &CustomField,
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        check_name(&field.name)?;
        let mut insert = Query::insert();
        let mut columns = COLUMNS.to_vec();
        columns.extend(["created_at", "updated_at"]);
        let mut values = values_of(field).to_vec();
        values.extend([
            to_sql(&Value::Time(now), ColType::Time),
            to_sql(&Value::Time(now), ColType::Time),
        ]);
        insert
            .into_table("custom_fields")
            .columns(columns)
            .values_panic(values.into_iter().map(Expr::val));
        self.execute(&insert).await?;
        let postgres = self.is_postgres();
        let mut alter = Table::alter();
        alter
            .table(Alias::new(schema.table))
            .add_column(column_def(field, postgres));
        self.alter_table(&alter).await
    }

    /// Stores a changed definition; renames the column when the name changed (its values stay).
    pub async fn update_custom_field(
        &mut self,
        schema: &Schema,
        old_name: &str,
        field: &CustomField,
        now: OffsetDateTime,
    ) -> StoreResult<bool> {
        check_name(old_name)?;
        check_name(&field.name)?;
        let mut update = Query::update();
        update
            .table("custom_fields")
            .values(
                COLUMNS
                    .into_iter()
                    .zip(values_of(field))
                    .skip(1)
                    .map(|(c, v)| (Alias::new(c), Expr::val(v)))
                    .chain([(
                        Alias::new("updated_at"),
                        Expr::val(to_sql(&Value::Time(now), ColType::Time)),
                    )]),
            )
            .and_where(Expr::col("id").eq(to_sql(&Value::Id(field.id), ColType::Id)));
        if self.execute(&update).await? == 0 {
            return Ok(false);
        }
        if old_name != field.name {
            let mut alter = Table::alter();
            alter
                .table(Alias::new(schema.table))
                .rename_column(Alias::new(old_name), Alias::new(&field.name));
            self.alter_table(&alter).await?;
        }
        Ok(true)
    }

    /// Deletes a definition and drops its column, with every value in it. False when there was
    /// no such definition.
    pub async fn delete_custom_field(
        &mut self,
        schema: &Schema,
        field: &CustomField,
    ) -> StoreResult<bool> {
        check_name(&field.name)?;
        let mut delete = Query::delete();
        delete
            .from_table("custom_fields")
            .and_where(Expr::col("id").eq(to_sql(&Value::Id(field.id), ColType::Id)));
        if self.execute(&delete).await? == 0 {
            return Ok(false);
        }
        let mut alter = Table::alter();
        alter
            .table(Alias::new(schema.table))
            .drop_column(Alias::new(&field.name));
        self.alter_table(&alter).await?;
        Ok(true)
    }

    /// A fingerprint of the definitions: how many there are and when the latest one changed.
    /// A process compares it with the fingerprint its schemas were built from, to notice
    /// changes that another process sharing the database made (a delete changes the count,
    /// a create or an update the latest time).
    pub async fn custom_fields_stamp(&mut self) -> StoreResult<DefinitionsStamp> {
        let mut select = Query::select();
        select
            .from("custom_fields")
            .expr(Expr::col("id").count())
            .expr(Expr::col("updated_at").max());
        let rows = self.fetch(&select, &[ColType::Int, ColType::Time]).await?;
        let mut row = rows.into_iter().next().unwrap_or_default().into_iter();
        let count = match row.next() {
            Some(Value::Int(n)) => n,
            _ => 0,
        };
        let latest = match row.next() {
            Some(Value::Time(at)) => Some(at),
            _ => None,
        };
        Ok(DefinitionsStamp { count, latest })
    }

    /// The definition with this id.
    pub async fn custom_field(&mut self, id: Uuid) -> StoreResult<Option<CustomField>> {
        let mut select = Query::select();
        select
            .from("custom_fields")
            .columns(COLUMNS)
            .and_where(Expr::col("id").eq(to_sql(&Value::Id(id), ColType::Id)));
        let rows = self.fetch(&select, &TYPES).await?;
        rows.into_iter().next().map(from_row).transpose()
    }

    async fn alter_table(&mut self, alter: &TableAlterStatement) -> StoreResult<()> {
        let sql = if self.is_postgres() {
            alter.to_string(sea_query::PostgresQueryBuilder)
        } else {
            alter.to_string(sea_query::SqliteQueryBuilder)
        };
        self.run_ddl(&sql).await
    }
}
