//! Conversions between the domain's [`Value`] and database values.
//!
//! Nulls are bound with the column's type, because PostgreSQL refuses an untyped (text) null for
//! a UUID or timestamp column.

use peyvand_domain::record::{FieldType, Value};
use sea_query::Value as SqlValue;
use sqlx::Row;
use uuid::Uuid;

use crate::{StoreError, StoreResult};

/// How a column is stored, which decides how values are bound and read back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColType {
    Id,
    Text,
    Tags,
    Bool,
    Int,
    Date,
    Time,
    Float,
}

impl ColType {
    /// The storage type of a schema field.
    pub fn of(ty: FieldType) -> ColType {
        match ty {
            FieldType::Text
            | FieldType::LongText
            | FieldType::Email
            | FieldType::Phone
            | FieldType::Choice(_) => ColType::Text,
            FieldType::Tags | FieldType::MultiChoice(_) => ColType::Tags,
            FieldType::Number => ColType::Float,
            FieldType::Bool => ColType::Bool,
            FieldType::Date => ColType::Date,
            FieldType::Reference(_) => ColType::Id,
            FieldType::Timestamp => ColType::Time,
            FieldType::Integer | FieldType::Money | FieldType::Percent => ColType::Int,
        }
    }
}

/// A moment as SQLite stores it: RFC 3339 in UTC with exactly six fractional digits
/// (`2024-03-20T10:00:00.500000Z`). Text of one fixed width sorts in time order, which the
/// shortest RFC 3339 form does not (`…00.5Z` sorts after `…00.500001Z`); lists sort and page by
/// these columns.
pub(crate) fn sqlite_moment(at: time::OffsetDateTime) -> String {
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z"
    );
    at.to_offset(time::UtcOffset::UTC)
        .format(&format)
        .unwrap_or_default()
}

/// The stored text of the last moment asked for: the rows of a bulk load share one moment, so
/// its text is made once rather than for every row.
#[derive(Default)]
pub(crate) struct MomentText(Option<(time::OffsetDateTime, String)>);

impl MomentText {
    /// `at` as [`sqlite_moment`] writes it.
    pub(crate) fn of(&mut self, at: time::OffsetDateTime) -> &str {
        if self.0.as_ref().is_none_or(|(last, _)| *last != at) {
            self.0 = Some((at, sqlite_moment(at)));
        }
        self.0.as_ref().map_or("", |(_, text)| text.as_str())
    }
}

/// Tags are kept as one text with a comma before and after every tag (",a,b,"), so that
/// "has tag x" is a portable `LIKE '%,x,%'`.
pub fn tags_to_text(tags: &[String]) -> Option<String> {
    (!tags.is_empty()).then(|| format!(",{},", tags.join(",")))
}

/// The database value of `value` in a column of type `col`.
pub fn to_sql(value: &Value, col: ColType) -> SqlValue {
    match (value, col) {
        (Value::Null, ColType::Id) => SqlValue::Uuid(None),
        (Value::Null, ColType::Text | ColType::Tags) => SqlValue::String(None),
        (Value::Null, ColType::Bool) => SqlValue::Bool(None),
        (Value::Null, ColType::Int) => SqlValue::BigInt(None),
        (Value::Null, ColType::Date) => SqlValue::TimeDate(None),
        (Value::Null, ColType::Time) => SqlValue::TimeDateTimeWithTimeZone(None),
        (Value::Null, ColType::Float) => SqlValue::Double(None),
        (Value::Number(n), _) => SqlValue::Double(Some(*n)),
        (Value::Text(s), _) => SqlValue::String(Some(s.clone())),
        (Value::Tags(tags), _) => SqlValue::String(tags_to_text(tags)),
        (Value::Bool(b), _) => SqlValue::Bool(Some(*b)),
        (Value::Int(i), _) => SqlValue::BigInt(Some(*i)),
        (Value::Date(d), _) => SqlValue::TimeDate(Some(*d)),
        (Value::Time(t), _) => SqlValue::TimeDateTimeWithTimeZone(Some(*t)),
        (Value::Id(id), _) => SqlValue::Uuid(Some(*id)),
    }
}

fn tags_from_text(text: Option<String>) -> Value {
    match text {
        None => Value::Null,
        Some(text) => Value::Tags(
            text.split(',')
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
                .collect(),
        ),
    }
}

fn corrupt(error: sqlx::Error) -> StoreError {
    StoreError::Corrupt(error.to_string())
}

macro_rules! decode_column {
    ($row:expr, $index:expr, $col:expr) => {{
        let row = $row;
        let index = $index;
        Ok(match $col {
            ColType::Id => row
                .try_get::<Option<Uuid>, _>(index)
                .map_err(corrupt)?
                .map_or(Value::Null, Value::Id),
            ColType::Text => row
                .try_get::<Option<String>, _>(index)
                .map_err(corrupt)?
                .map_or(Value::Null, Value::Text),
            ColType::Tags => tags_from_text(row.try_get(index).map_err(corrupt)?),
            ColType::Bool => row
                .try_get::<Option<bool>, _>(index)
                .map_err(corrupt)?
                .map_or(Value::Null, Value::Bool),
            ColType::Int => row
                .try_get::<Option<i64>, _>(index)
                .map_err(corrupt)?
                .map_or(Value::Null, Value::Int),
            ColType::Date => row
                .try_get::<Option<time::Date>, _>(index)
                .map_err(corrupt)?
                .map_or(Value::Null, Value::Date),
            ColType::Time => row
                .try_get::<Option<time::OffsetDateTime>, _>(index)
                .map_err(corrupt)?
                .map_or(Value::Null, Value::Time),
            ColType::Float => row
                .try_get::<Option<f64>, _>(index)
                .map_err(corrupt)?
                .map_or(Value::Null, Value::Number),
        })
    }};
}

/// Reads column `index` of a SQLite row.
pub fn decode_sqlite(
    row: &sqlx::sqlite::SqliteRow,
    index: usize,
    col: ColType,
) -> StoreResult<Value> {
    decode_column!(row, index, col)
}

/// Reads column `index` of a PostgreSQL row.
pub fn decode_postgres(
    row: &sqlx::postgres::PgRow,
    index: usize,
    col: ColType,
) -> StoreResult<Value> {
    decode_column!(row, index, col)
}

#[cfg(test)]
mod tests {
    use super::sqlite_moment;

    #[test]
    fn stored_moments_sort_as_text_in_time_order() {
        let earlier = time::macros::datetime!(2024-03-20 10:00:00.5 UTC);
        let later = time::macros::datetime!(2024-03-20 10:00:00.500001 UTC);
        assert_eq!(sqlite_moment(earlier), "2024-03-20T10:00:00.500000Z");
        assert!(sqlite_moment(earlier) < sqlite_moment(later));
        let tehran = later.to_offset(time::macros::offset!(+03:30));
        assert_eq!(sqlite_moment(tehran), sqlite_moment(later));
    }
}
