//! Validation of raw input (JSON or a form) into typed values, field by field, as every
//! create, update and import does it.

use super::*;

/// Turns raw inputs into typed values for `schema`.
///
/// With `partial`, absent fields are left alone (an update); otherwise required fields must be
/// present (a create). Unknown or system fields are errors, so a typo never passes silently.
/// Dates are read in `calendar` (ISO dates are always accepted).
pub fn validate(
    schema: &Schema,
    inputs: &BTreeMap<String, Input>,
    partial: bool,
    calendar: CalendarKind,
) -> Result<Fields, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let mut values = Fields::new();
    for (name, input) in inputs {
        match schema.field(name) {
            Some(def) if def.writable => match parse_field(def, input, calendar) {
                Ok(value) => {
                    if def.required && value.is_null() {
                        errors.add(name.clone(), FieldError::REQUIRED);
                    } else {
                        values.insert(FieldName::Borrowed(def.name), value);
                    }
                }
                Err(error) => errors.add(name.clone(), error),
            },
            Some(_) => errors.add(name.clone(), FieldError::READ_ONLY),
            None => errors.add(name.clone(), FieldError::UNKNOWN_FIELD),
        }
    }
    if !partial {
        for def in schema.fields.iter().filter(|f| f.required) {
            if !inputs.contains_key(def.name) {
                errors.add(def.name, FieldError::REQUIRED);
            }
        }
    }
    errors.into_result().map(|()| values)
}

/// Turns one raw input into a typed value of `def`'s type (without the required check).
pub fn parse_field(
    def: &FieldDef,
    input: &Input,
    calendar: CalendarKind,
) -> Result<Value, FieldError> {
    let text = match input {
        Input::Null => return Ok(Value::Null),
        Input::Text(s) if s.trim().is_empty() && def.ty != FieldType::Tags => {
            return Ok(Value::Null);
        }
        Input::Text(s) => s.trim(),
        Input::Bool(b) if def.ty == FieldType::Bool => return Ok(Value::Bool(*b)),
        Input::Int(i) if matches!(def.ty, FieldType::Integer | FieldType::Money) => {
            return Ok(Value::Int(*i));
        }
        Input::Int(i) if def.ty == FieldType::Percent => {
            return crate::sales::percent::check_percent(*i).map(Value::Int);
        }
        // Integers beyond 2^53 lose precision as f64, which is acceptable for a measurement.
        #[allow(clippy::cast_precision_loss)]
        Input::Int(i) if def.ty == FieldType::Number => return Ok(Value::Number(*i as f64)),
        Input::List(items) if def.ty == FieldType::Tags => return Ok(tags(items.iter())),
        Input::List(items) => {
            return match def.ty {
                FieldType::MultiChoice(choices) => multi_choice(choices, items.iter()),
                _ => Err(FieldError::INVALID),
            };
        }
        _ => return Err(FieldError::INVALID),
    };
    match def.ty {
        FieldType::Text if text.chars().count() > TEXT_MAX => Err(FieldError::TOO_LONG),
        FieldType::LongText if text.chars().count() > LONG_TEXT_MAX => Err(FieldError::TOO_LONG),
        FieldType::Text | FieldType::LongText => Ok(Value::Text(text.to_owned())),
        FieldType::Email => Email::parse(text).map(|e| Value::Text(e.as_str().to_owned())),
        FieldType::Phone => Phone::parse(text).map(|p| Value::Text(p.as_str().to_owned())),
        FieldType::Choice(choices) => choices
            .iter()
            .find(|c| **c == text)
            .map(|c| Value::Text((*c).to_owned()))
            .ok_or(FieldError::INVALID_CHOICE),
        FieldType::Tags => Ok(tags(text.split([',', '،']))),
        FieldType::Bool => parse_bool(text).map(Value::Bool),
        FieldType::Date => calendar::parse_date(text, calendar).map(Value::Date),
        FieldType::Reference(_) => uuid::Uuid::parse_str(text)
            .map(Value::Id)
            .map_err(|_| FieldError::INVALID),
        FieldType::Integer | FieldType::Money => crate::number::parse_integer(text).map(Value::Int),
        FieldType::Number => crate::number::parse_decimal(text).map(|d| Value::Number(d.to_f64())),
        FieldType::MultiChoice(choices) => multi_choice(choices, text.split([',', '،'])),
        FieldType::Percent => crate::sales::percent::parse_percent(text).map(Value::Int),
        FieldType::Timestamp => Err(FieldError::INVALID),
    }
}

/// Reads the ways forms and people write yes and no.
fn parse_bool(text: &str) -> Result<bool, FieldError> {
    match text.to_lowercase().as_str() {
        "true" | "on" | "yes" | "1" | "بله" => Ok(true),
        "false" | "off" | "no" | "0" | "خیر" => Ok(false),
        _ => Err(FieldError::INVALID),
    }
}

/// Every item must be one of `choices`; the set is kept in the order of the choices, so equal
/// sets are stored equally.
fn multi_choice<'a>(
    choices: &'static [&'static str],
    items: impl Iterator<Item = impl AsRef<str> + 'a>,
) -> Result<Value, FieldError> {
    let mut picked = vec![false; choices.len()];
    for item in items {
        let item = item.as_ref().trim();
        if item.is_empty() {
            continue;
        }
        let index = choices
            .iter()
            .position(|c| *c == item)
            .ok_or(FieldError::INVALID_CHOICE)?;
        picked[index] = true;
    }
    let values: Vec<String> = choices
        .iter()
        .zip(picked)
        .filter(|(_, on)| *on)
        .map(|(c, _)| (*c).to_owned())
        .collect();
    Ok(if values.is_empty() {
        Value::Null
    } else {
        Value::Tags(values)
    })
}

/// Tags are trimmed, deduplicated case-insensitively and may not contain commas.
fn tags<'a>(items: impl Iterator<Item = impl AsRef<str> + 'a>) -> Value {
    let mut seen = Vec::<String>::new();
    let mut out = Vec::new();
    for item in items {
        let tag = item.as_ref().trim().replace(',', " ");
        let key = text::normalize_search(&tag);
        if !tag.is_empty() && tag.chars().count() <= 50 && !seen.contains(&key) {
            seen.push(key);
            out.push(tag);
        }
    }
    // No tags is no value: stored as NULL and read back as Null, so it is Null from the start.
    if out.is_empty() {
        Value::Null
    } else {
        Value::Tags(out)
    }
}
