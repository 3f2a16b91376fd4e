//! Field values to and from JSON, as the API shows them: dates ISO `YYYY-MM-DD`, moments
//! RFC 3339 in UTC, tags as arrays, ids as strings.

use peyvand_domain::record::{FieldType, Input, Value};
use serde_json::Value as Json;
use time::format_description::well_known::Rfc3339;

/// Serialises a day as `YYYY-MM-DD` (`#[serde(serialize_with = "…")]`), the form the OpenAPI
/// document gives: `time`'s own serde form of a date is a `[year, day of year]` pair.
pub fn iso_date<S: serde::Serializer>(day: &time::Date, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(day)
}

/// As [`iso_date`], for a day that may be missing (`null`).
pub fn iso_date_or_null<S: serde::Serializer>(
    day: &Option<time::Date>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match day {
        Some(day) => serializer.collect_str(day),
        None => serializer.serialize_none(),
    }
}

/// The JSON form of a stored value.
pub fn value_to_json(value: &Value) -> Json {
    match value {
        Value::Null => Json::Null,
        Value::Text(s) => Json::String(s.clone()),
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(i) => Json::from(*i),
        Value::Number(n) => serde_json::Number::from_f64(*n).map_or(Json::Null, Json::Number),
        Value::Date(d) => Json::String(d.to_string()),
        Value::Time(t) => Json::String(t.format(&Rfc3339).unwrap_or_default()),
        Value::Id(id) => Json::String(id.to_string()),
        Value::Tags(tags) => Json::Array(tags.iter().cloned().map(Json::String).collect()),
    }
}

/// Reads back a value written by [`value_to_json`] for a field of type `ty` (used by cursors).
pub fn value_from_json(json: &Json, ty: FieldType) -> Option<Value> {
    if json.is_null() {
        return Some(Value::Null);
    }
    Some(match ty {
        FieldType::Bool => Value::Bool(json.as_bool()?),
        FieldType::Integer | FieldType::Money | FieldType::Percent => Value::Int(json.as_i64()?),
        FieldType::Number => Value::Number(json.as_f64()?),
        FieldType::Date => {
            let format = time::macros::format_description!("[year]-[month]-[day]");
            Value::Date(time::Date::parse(json.as_str()?, &format).ok()?)
        }
        FieldType::Timestamp => {
            Value::Time(time::OffsetDateTime::parse(json.as_str()?, &Rfc3339).ok()?)
        }
        FieldType::Reference(_) => Value::Id(uuid::Uuid::parse_str(json.as_str()?).ok()?),
        FieldType::Tags | FieldType::MultiChoice(_) => return None,
        _ => Value::Text(json.as_str()?.to_owned()),
    })
}

/// A JSON member of a request body as raw input for validation. Numbers other than integers and
/// nested objects have no field type that accepts them, so they become invalid input.
pub fn input_from_json(json: &Json) -> Input {
    match json {
        Json::Null => Input::Null,
        Json::Bool(b) => Input::Bool(*b),
        Json::Number(n) => n.as_i64().map_or(Input::Text(n.to_string()), Input::Int),
        Json::String(s) => Input::Text(s.clone()),
        Json::Array(items) => {
            let strings: Option<Vec<String>> = items
                .iter()
                .map(|i| i.as_str().map(str::to_owned))
                .collect();
            strings.map_or(Input::Invalid, Input::List)
        }
        Json::Object(_) => Input::Invalid,
    }
}

/// A stored value that serialises as [`value_to_json`] would make it, without allocating.
pub struct JsonValue<'a>(pub &'a Value);

impl serde::Serialize for JsonValue<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Value::Null => serializer.serialize_none(),
            Value::Text(s) => serializer.serialize_str(s),
            Value::Bool(b) => serializer.serialize_bool(*b),
            Value::Int(i) => serializer.serialize_i64(*i),
            Value::Number(n) => serializer.serialize_f64(*n),
            Value::Id(id) => id.serialize(serializer),
            Value::Tags(tags) => tags.serialize(serializer),
            Value::Date(_) | Value::Time(_) => value_to_json(self.0).serialize(serializer),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streaming_and_built_json_agree() {
        let values = [
            Value::Null,
            Value::Text("علی \"x\"".into()),
            Value::Bool(true),
            Value::Int(-5),
            Value::Number(1234.5),
            Value::Id(uuid::Uuid::from_u128(7)),
            Value::Tags(vec!["a".into(), "b".into()]),
            Value::Date(time::macros::date!(2024 - 03 - 20)),
            Value::Time(time::macros::datetime!(2024-03-20 10:00:00.5 UTC)),
        ];
        for value in &values {
            assert_eq!(
                serde_json::to_value(JsonValue(value)).unwrap(),
                value_to_json(value)
            );
        }
    }
}
