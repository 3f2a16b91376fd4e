//! Custom fields: fields an administrator adds to a record kind at run time (PRODUCT.md §12).
//!
//! A custom field is stored as a real column of the kind's table, named `cf_<name>`, so that
//! lists filter and sort by it exactly like a built-in field and the generic record code needs
//! no second path. Its definition (type, labels, choices, flags) is a row of its own; at start
//! and after every change the application turns the definitions into an extended [`Schema`]
//! with [`extend`].

use std::collections::BTreeSet;

use crate::permission::RecordKind;
use crate::record::{CustomLabels, FieldDef, FieldType, Schema, TEXT_MAX};
use crate::text;
use crate::validation::{FieldError, ValidationErrors};

/// The record kinds that take custom fields.
pub const CUSTOM_KINDS: [RecordKind; 3] =
    [RecordKind::Account, RecordKind::Contact, RecordKind::Lead];

/// Every custom field's column and API name starts with this, so that a built-in column added by
/// a later release can never collide with one an administrator made.
pub const NAME_PREFIX: &str = "cf_";

/// The most custom fields one kind may have; each is a column, and both databases slow down
/// (and SQLite refuses) far beyond a few hundred columns.
pub const MAX_PER_KIND: usize = 100;

/// The most choices a choice field may offer.
pub const MAX_CHOICES: usize = 100;

/// The types a custom field can have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CustomType {
    /// One line of text.
    Text,
    /// Several lines of text.
    LongText,
    /// A number that may have decimals.
    Number,
    /// An amount in Rials.
    Money,
    /// A calendar date.
    Date,
    /// Yes or no.
    Bool,
    /// One of a list of values.
    Choice,
    /// Any of a list of values.
    MultiChoice,
    /// A phone number, normalised.
    Phone,
    /// An email address, normalised.
    Email,
    /// A link to another record.
    Reference,
}

impl CustomType {
    /// Every type, in the order the forms offer them.
    pub const ALL: [CustomType; 11] = [
        CustomType::Text,
        CustomType::LongText,
        CustomType::Number,
        CustomType::Money,
        CustomType::Date,
        CustomType::Bool,
        CustomType::Choice,
        CustomType::MultiChoice,
        CustomType::Phone,
        CustomType::Email,
        CustomType::Reference,
    ];

    /// The stable code used in the API and the database.
    pub fn code(self) -> &'static str {
        match self {
            CustomType::Text => "text",
            CustomType::LongText => "long_text",
            CustomType::Number => "number",
            CustomType::Money => "money",
            CustomType::Date => "date",
            CustomType::Bool => "bool",
            CustomType::Choice => "choice",
            CustomType::MultiChoice => "multi_choice",
            CustomType::Phone => "phone",
            CustomType::Email => "email",
            CustomType::Reference => "reference",
        }
    }

    /// The type with this code.
    pub fn parse(code: &str) -> Option<CustomType> {
        CustomType::ALL.into_iter().find(|t| t.code() == code)
    }

    /// Whether the values are words a search should find.
    pub fn is_textual(self) -> bool {
        matches!(
            self,
            CustomType::Text | CustomType::LongText | CustomType::Phone | CustomType::Email
        )
    }

    /// Whether the field offers a list of choices.
    pub fn has_choices(self) -> bool {
        matches!(self, CustomType::Choice | CustomType::MultiChoice)
    }
}

/// The definition of one custom field, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomField {
    /// Stable id of the definition.
    pub id: uuid::Uuid,
    /// The kind of record the field belongs to.
    pub kind: RecordKind,
    /// Column and API name, `cf_` followed by lowercase ASCII letters, digits and underscores.
    pub name: String,
    /// What the values are.
    pub field_type: CustomType,
    /// The values a choice field offers, in order.
    pub choices: Vec<String>,
    /// The kind a reference field links to.
    pub reference: Option<RecordKind>,
    /// Whether a new record must have a value.
    pub required: bool,
    /// Whether the field is a column of the default list view.
    pub in_list: bool,
    /// The Persian label.
    pub label_fa: String,
    /// The English label.
    pub label_en: String,
    /// Order among the kind's custom fields (after the built-in ones).
    pub position: i64,
}

/// What an administrator submits to add or change a custom field; absent values keep the
/// current ones on a change.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomFieldInput {
    /// The name without the `cf_` prefix (the prefix is accepted and ignored).
    pub name: Option<String>,
    /// The type code; only when adding, the type of a field never changes.
    pub field_type: Option<String>,
    /// The choices, for choice fields.
    pub choices: Option<Vec<String>>,
    /// The record kind code a reference links to.
    pub reference: Option<String>,
    /// Whether new records must have a value.
    pub required: Option<bool>,
    /// Whether lists show the field by default.
    pub in_list: Option<bool>,
    /// The Persian label.
    pub label_fa: Option<String>,
    /// The English label.
    pub label_en: Option<String>,
}

/// The column name for what an administrator typed as a name: trimmed, lowercased, the `cf_`
/// prefix added when missing.
pub fn column_name(typed: &str) -> String {
    let typed = typed.trim().to_ascii_lowercase();
    let bare = typed.strip_prefix(NAME_PREFIX).unwrap_or(&typed);
    format!("{NAME_PREFIX}{bare}")
}

fn valid_column_name(name: &str) -> bool {
    let bare = &name[NAME_PREFIX.len()..];
    (1..=40).contains(&bare.len())
        && bare.starts_with(|c: char| c.is_ascii_lowercase())
        && bare
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn clean_label(label: &str) -> String {
    label.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Checks an administrator's input and gives the definition it describes: a new field when
/// `current` is `None`, otherwise `current` changed. `others` are the kind's other custom
/// fields (for unique names and labels); `builtin` is the kind's built-in schema.
pub fn apply_input(
    kind: RecordKind,
    input: &CustomFieldInput,
    current: Option<&CustomField>,
    others: &[CustomField],
    builtin: &Schema,
) -> Result<CustomField, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let mut field = current.cloned().unwrap_or_else(|| CustomField {
        id: uuid::Uuid::nil(),
        kind,
        name: String::new(),
        field_type: CustomType::Text,
        choices: vec![],
        reference: None,
        required: false,
        in_list: false,
        label_fa: String::new(),
        label_en: String::new(),
        position: others.iter().map(|f| f.position + 1).max().unwrap_or(0),
    });
    if !CUSTOM_KINDS.contains(&kind) {
        errors.add("kind", FieldError::INVALID_CHOICE);
    }
    apply_name(input, current, others, builtin, &mut field, &mut errors);
    apply_type(input, current, &mut field, &mut errors);
    apply_labels(input, others, &mut field, &mut errors);
    if let Some(required) = input.required {
        field.required = required;
    }
    if let Some(in_list) = input.in_list {
        field.in_list = in_list;
    }
    if current.is_none() && others.len() >= MAX_PER_KIND {
        errors.add("name", FieldError::TOO_LONG);
    }
    errors.into_result().map(|()| field)
}

fn apply_name(
    input: &CustomFieldInput,
    current: Option<&CustomField>,
    others: &[CustomField],
    builtin: &Schema,
    field: &mut CustomField,
    errors: &mut ValidationErrors,
) {
    match (&input.name, current) {
        (None, None) => errors.add("name", FieldError::REQUIRED),
        (None, Some(_)) => {}
        (Some(typed), _) => {
            let name = column_name(typed);
            if typed.trim().is_empty() {
                errors.add("name", FieldError::REQUIRED);
            } else if !valid_column_name(&name) {
                errors.add("name", FieldError::INVALID);
            } else if builtin.field(&name).is_some()
                || others.iter().any(|f| f.name == name && f.id != field.id)
            {
                errors.add("name", FieldError::TAKEN);
            } else {
                field.name = name;
            }
        }
    }
}

fn apply_type(
    input: &CustomFieldInput,
    current: Option<&CustomField>,
    field: &mut CustomField,
    errors: &mut ValidationErrors,
) {
    match (&input.field_type, current) {
        (None, None) => errors.add("field_type", FieldError::REQUIRED),
        (Some(code), Some(current)) if code != current.field_type.code() => {
            // A column's type cannot change without losing or reinterpreting its data.
            errors.add("field_type", FieldError::INVALID);
        }
        (Some(code), None) => match CustomType::parse(code) {
            Some(ty) => field.field_type = ty,
            None => errors.add("field_type", FieldError::INVALID_CHOICE),
        },
        _ => {}
    }
    if field.field_type.has_choices() {
        if let Some(choices) = &input.choices {
            field.choices = clean_choices(choices);
        }
        if field.choices.is_empty() {
            errors.add("choices", FieldError::REQUIRED);
        } else if field.choices.len() > MAX_CHOICES
            || field.choices.iter().any(|c| c.chars().count() > 50)
        {
            errors.add("choices", FieldError::TOO_LONG);
        }
    } else {
        field.choices.clear();
    }
    if field.field_type == CustomType::Reference {
        match (&input.reference, current) {
            (Some(code), None) => match RecordKind::parse(code) {
                Some(kind) => field.reference = Some(kind),
                None => errors.add("reference", FieldError::INVALID_CHOICE),
            },
            (None, None) => errors.add("reference", FieldError::REQUIRED),
            (Some(code), Some(current))
                if Some(code.as_str()) != current.reference.map(RecordKind::code) =>
            {
                errors.add("reference", FieldError::INVALID);
            }
            _ => {}
        }
    } else {
        field.reference = None;
    }
}

/// Choices trimmed, without blanks, commas (they separate values of a multiple choice) or
/// repeats (compared after Persian normalisation, so "ي" and "ی" are the same choice).
fn clean_choices(choices: &[String]) -> Vec<String> {
    let mut seen = BTreeSet::new();
    choices
        .iter()
        .map(|c| clean_label(&c.replace([',', '،'], " ")))
        .filter(|c| !c.is_empty() && seen.insert(text::normalize_search(c)))
        .collect()
}

fn apply_labels(
    input: &CustomFieldInput,
    others: &[CustomField],
    field: &mut CustomField,
    errors: &mut ValidationErrors,
) {
    if let Some(label) = &input.label_fa {
        field.label_fa = clean_label(label);
    }
    if let Some(label) = &input.label_en {
        field.label_en = clean_label(label);
    }
    for (key, label) in [("label_fa", &field.label_fa), ("label_en", &field.label_en)] {
        let same = |other: &CustomField| {
            other.id != field.id
                && text::normalize_search(if key == "label_fa" {
                    &other.label_fa
                } else {
                    &other.label_en
                }) == text::normalize_search(label)
        };
        if label.is_empty() {
            errors.add(key, FieldError::REQUIRED);
        } else if label.chars().count() > TEXT_MAX {
            errors.add(key, FieldError::TOO_LONG);
        } else if others.iter().any(same) {
            errors.add(key, FieldError::TAKEN);
        }
    }
}

/// Keeps a string for the rest of the process.
///
/// Schemas are `'static` so that every layer can hold field definitions by reference at no
/// cost. A custom field's strings exist only at run time, so each new version of a kind's
/// schema is leaked once: a few kilobytes per change an administrator makes, which is bounded
/// by how often anyone edits field definitions, not by traffic.
fn leak(text: &str) -> &'static str {
    Box::leak(text.to_owned().into_boxed_str())
}

impl CustomField {
    /// The field definition the generic record code works with.
    pub fn to_field_def(&self) -> FieldDef {
        let choices = || -> &'static [&'static str] {
            Box::leak(
                self.choices
                    .iter()
                    .map(|c| leak(c))
                    .collect::<Vec<_>>()
                    .into_boxed_slice(),
            )
        };
        let ty = match self.field_type {
            CustomType::Text => FieldType::Text,
            CustomType::LongText => FieldType::LongText,
            CustomType::Number => FieldType::Number,
            CustomType::Money => FieldType::Money,
            CustomType::Date => FieldType::Date,
            CustomType::Bool => FieldType::Bool,
            CustomType::Choice => FieldType::Choice(choices()),
            CustomType::MultiChoice => FieldType::MultiChoice(choices()),
            CustomType::Phone => FieldType::Phone,
            CustomType::Email => FieldType::Email,
            CustomType::Reference => {
                FieldType::Reference(self.reference.unwrap_or(RecordKind::Contact))
            }
        };
        FieldDef {
            name: leak(&self.name),
            ty,
            required: self.required,
            writable: true,
            searchable: self.field_type.is_textual(),
            in_list: self.in_list,
            custom: Some(Box::leak(Box::new(CustomLabels {
                fa: leak(&self.label_fa),
                en: leak(&self.label_en),
            }))),
        }
    }
}

/// The schema of `base`'s kind with `fields` (the kind's custom fields) added after its
/// built-in fields, in their order. Without custom fields it is `base` itself.
pub fn extend(base: &'static Schema, fields: &[CustomField]) -> &'static Schema {
    let mut custom: Vec<&CustomField> = fields.iter().filter(|f| f.kind == base.kind).collect();
    if custom.is_empty() {
        return base;
    }
    custom.sort_by_key(|f| (f.position, f.name.clone()));
    let all: Vec<FieldDef> = base
        .fields
        .iter()
        .copied()
        .chain(custom.iter().map(|f| f.to_field_def()))
        .collect();
    Box::leak(Box::new(Schema {
        fields: Box::leak(all.into_boxed_slice()),
        ..*base
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{CONTACTS, Input, Value, validate};

    fn input(name: &str, ty: &str) -> CustomFieldInput {
        CustomFieldInput {
            name: Some(name.into()),
            field_type: Some(ty.into()),
            label_fa: Some("کد ملی".into()),
            label_en: Some("National code".into()),
            ..Default::default()
        }
    }

    #[test]
    fn a_new_field_gets_the_prefix_and_checks_its_name() {
        let field = apply_input(
            RecordKind::Contact,
            &input("National_Code", "text"),
            None,
            &[],
            &CONTACTS,
        )
        .unwrap();
        assert_eq!(field.name, "cf_national_code");
        for bad in ["", "1abc", "کد", "a-b", &"x".repeat(41)] {
            let errors = apply_input(
                RecordKind::Contact,
                &input(bad, "text"),
                None,
                &[],
                &CONTACTS,
            )
            .unwrap_err();
            assert!(errors.fields.contains_key("name"), "{bad:?}");
        }
    }

    #[test]
    fn names_and_labels_are_unique_within_a_kind() {
        let mut first = apply_input(
            RecordKind::Contact,
            &input("code", "text"),
            None,
            &[],
            &CONTACTS,
        )
        .unwrap();
        first.id = uuid::Uuid::from_u128(1);
        let errors = apply_input(
            RecordKind::Contact,
            &input("cf_code", "number"),
            None,
            std::slice::from_ref(&first),
            &CONTACTS,
        )
        .unwrap_err();
        assert_eq!(errors.fields["name"], FieldError::TAKEN);
        assert_eq!(errors.fields["label_fa"], FieldError::TAKEN);
        // Changing the field itself does not collide with itself.
        let renamed = apply_input(
            RecordKind::Contact,
            &CustomFieldInput {
                name: Some("code2".into()),
                ..Default::default()
            },
            Some(&first),
            std::slice::from_ref(&first),
            &CONTACTS,
        )
        .unwrap();
        assert_eq!(renamed.name, "cf_code2");
    }

    #[test]
    fn choice_fields_need_choices_and_types_never_change() {
        let errors = apply_input(
            RecordKind::Lead,
            &input("level", "choice"),
            None,
            &[],
            &CONTACTS,
        )
        .unwrap_err();
        assert_eq!(errors.fields["choices"], FieldError::REQUIRED);
        let mut with_choices = input("level", "multi_choice");
        with_choices.choices = Some(vec![
            " طلایی ".into(),
            "طلايي".into(),
            "".into(),
            "نقره‌ای".into(),
        ]);
        let field = apply_input(RecordKind::Lead, &with_choices, None, &[], &CONTACTS).unwrap();
        assert_eq!(field.choices, vec!["طلایی", "نقره‌ای"]);
        let change = CustomFieldInput {
            field_type: Some("text".into()),
            ..Default::default()
        };
        let errors =
            apply_input(RecordKind::Lead, &change, Some(&field), &[], &CONTACTS).unwrap_err();
        assert_eq!(errors.fields["field_type"], FieldError::INVALID);
    }

    #[test]
    fn extended_schema_validates_custom_values_like_built_in_ones() {
        let mut level = input("level", "choice");
        level.choices = Some(vec!["gold".into(), "silver".into()]);
        level.label_fa = Some("سطح".into());
        level.label_en = Some("Level".into());
        let mut level = apply_input(RecordKind::Contact, &level, None, &[], &CONTACTS).unwrap();
        level.required = true;
        let mut budget = input("budget", "money");
        budget.label_fa = Some("بودجه".into());
        budget.label_en = Some("Budget".into());
        let budget = apply_input(RecordKind::Contact, &budget, None, &[], &CONTACTS).unwrap();
        let schema = extend(&CONTACTS, &[level, budget]);
        assert_eq!(schema.fields.len(), CONTACTS.fields.len() + 2);
        let raw = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), Input::Text((*v).to_owned())))
                .collect()
        };
        let errors = validate(
            schema,
            &raw(&[("last_name", "x"), ("cf_budget", "۱۲a")]),
            false,
            crate::calendar::CalendarKind::Jalali,
        )
        .unwrap_err();
        assert_eq!(errors.fields["cf_level"], FieldError::REQUIRED);
        assert_eq!(errors.fields["cf_budget"], FieldError::INVALID_NUMBER);
        let fields = validate(
            schema,
            &raw(&[
                ("last_name", "x"),
                ("cf_level", "gold"),
                ("cf_budget", "۱٬۰۰۰"),
            ]),
            false,
            crate::calendar::CalendarKind::Jalali,
        )
        .unwrap();
        assert_eq!(fields["cf_budget"], Value::Int(1000));
        assert!(std::ptr::eq(extend(&CONTACTS, &[]), &CONTACTS));
    }
}
