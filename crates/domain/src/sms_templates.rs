//! Saved SMS templates for bulk SMS (PRODUCT.md §6 and §7, issue 5 §5): named texts in Persian
//! or English with per-contact placeholders, kept by administrators and marketing.
//!
//! A template is a record kind described as data ([`SMS_TEMPLATES`]), so the generic lists,
//! forms, API, search, rights and audit trail serve it. Placeholders use the `{{name}}` syntax
//! of contract and notification templates (the same parser); the set is small and fixed
//! ([`PLACEHOLDERS`]) so that a typo is refused when the template or the campaign is saved,
//! never sent to thousands of people. Filling ([`render`]) is pure: the caller gathers each
//! contact's values ([`ContactFacts`]); an empty value prints as nothing, so the text reads
//! well for contacts that lack a first name or a company.

use crate::contracts::placeholders::{Piece, pieces};
use crate::permission::{Action, Grants, RecordKind, Scope};
use crate::record::{
    CREATED_AT, FieldDef, FieldType, LOCALES, PlacementRule, Schema, UPDATED_AT, field, listed,
    required, searchable,
};
use crate::validation::FieldError;

const TEMPLATE_FIELDS: &[FieldDef] = &[
    required(searchable(listed(field("name", FieldType::Text)))),
    required(listed(field("language", FieldType::Choice(LOCALES)))),
    required(searchable(listed(field("body", FieldType::LongText)))),
    listed(field("active", FieldType::Bool)),
    field("description", FieldType::LongText),
    CREATED_AT,
    UPDATED_AT,
];

/// SMS templates: a named text with placeholders, in Persian or English. They belong to no
/// branch: everyone who may send bulk SMS chooses from the same set.
pub const SMS_TEMPLATES: Schema = Schema {
    kind: RecordKind::SmsTemplate,
    table: "sms_templates",
    path: "sms-templates",
    fields: TEMPLATE_FIELDS,
    title_fields: &["name"],
    default_sort: "name",
    placement: PlacementRule::Global,
};

/// Every placeholder an SMS text may use. What each stands for is translated in the
/// interface (`sms-placeholder-NAME`).
pub const PLACEHOLDERS: &[&str] = &["first_name", "last_name", "full_name", "company"];

/// A campaign that is no longer scheduled cannot be cancelled.
pub const NOT_SCHEDULED: FieldError = FieldError("not_scheduled");
/// A campaign scheduled for a moment that has passed.
pub const IN_THE_PAST: FieldError = FieldError("in_the_past");

/// The field error codes of this module, for the translation tests.
pub const FIELD_ERRORS: [FieldError; 2] = [NOT_SCHEDULED, IN_THE_PAST];

/// What one contact's placeholders are filled with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactFacts {
    /// The contact's first name.
    pub first_name: String,
    /// The contact's last name.
    pub last_name: String,
    /// The name of the contact's account (company), if any.
    pub company: String,
}

/// Whether a text uses any placeholder (then every recipient gets a text of their own).
pub fn is_personal(text: &str) -> bool {
    pieces(text).is_ok_and(|p| p.iter().any(|p| matches!(p, Piece::Placeholder(_))))
}

/// Whether a text uses the placeholder `name` (so the caller gathers only what is needed).
pub fn uses(text: &str, name: &str) -> bool {
    pieces(text).is_ok_and(|p| p.contains(&Piece::Placeholder(name)))
}

/// Checks a text: `Err` names the first unknown (or unclosed) placeholder.
pub fn check(text: &str) -> Result<(), String> {
    for piece in pieces(text)? {
        if let Piece::Placeholder(name) = piece
            && !PLACEHOLDERS.contains(&name)
        {
            return Err(name.to_owned());
        }
    }
    Ok(())
}

/// The text with `facts` in place of its placeholders. `Err` names the first unknown
/// placeholder (texts are checked when saved, so this is a text that was never checked).
pub fn render(text: &str, facts: &ContactFacts) -> Result<String, String> {
    check(text)?;
    let mut out = String::with_capacity(text.len() + 32);
    for piece in pieces(text)? {
        match piece {
            Piece::Text(text) => out.push_str(text),
            Piece::Placeholder("first_name") => out.push_str(facts.first_name.trim()),
            Piece::Placeholder("last_name") => out.push_str(facts.last_name.trim()),
            Piece::Placeholder("full_name") => {
                let full = format!("{} {}", facts.first_name.trim(), facts.last_name.trim());
                out.push_str(full.trim());
            }
            Piece::Placeholder("company") => out.push_str(facts.company.trim()),
            Piece::Placeholder(_) => {}
        }
    }
    Ok(out)
}

/// Adds the rights on SMS templates to the built-in role `key`: marketing keeps them, the
/// managers who may send bulk SMS (they may export contacts) read them; administrators hold
/// everything already.
pub fn add_builtin(key: &str, grants: Grants) -> Grants {
    match key {
        "marketing" => grants.with(RecordKind::SmsTemplate, &Action::ALL, Scope::All),
        "branch_manager" | "sales_manager" => {
            grants.with(RecordKind::SmsTemplate, &[Action::Read], Scope::All)
        }
        _ => grants,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::permission::builtin_roles;

    fn facts() -> ContactFacts {
        ContactFacts {
            first_name: "مریم".into(),
            last_name: "رضایی".into(),
            company: "شرکت آلفا".into(),
        }
    }

    #[test]
    fn placeholders_are_filled_per_contact() {
        let text = "{{first_name}} عزیز ({{ full_name }}، {{company}})، {{last_name}}";
        assert_eq!(
            render(text, &facts()).unwrap(),
            "مریم عزیز (مریم رضایی، شرکت آلفا)، رضایی"
        );
        let nameless = ContactFacts {
            last_name: "Smith".into(),
            ..ContactFacts::default()
        };
        assert_eq!(
            render("Dear {{full_name}}{{company}}", &nameless).unwrap(),
            "Dear Smith"
        );
        assert!(is_personal(text) && !is_personal("سلام"));
        assert!(uses(text, "company") && !uses("company {{first_name}}", "company"));
    }

    #[test]
    fn unknown_and_unclosed_placeholders_are_named() {
        assert_eq!(check("سلام {{ nmae }}"), Err("nmae".into()));
        assert_eq!(
            render("{{customer.name}}", &facts()),
            Err("customer.name".into())
        );
        assert!(
            check("{{first_name")
                .unwrap_err()
                .starts_with("{{first_name")
        );
        assert_eq!(check("بدون جای‌نگهدار"), Ok(()));
    }

    #[test]
    fn marketing_keeps_templates_and_managers_read_them() {
        for role in builtin_roles() {
            let g = &role.grants;
            let (read, write) = match role.key {
                "admin" | "marketing" => (Scope::All, Scope::All),
                "branch_manager" | "sales_manager" => (Scope::All, Scope::None),
                _ => (Scope::None, Scope::None),
            };
            assert_eq!(
                g.scope(RecordKind::SmsTemplate, Action::Read),
                read,
                "{}",
                role.key
            );
            for action in [Action::Create, Action::Update, Action::Delete] {
                assert_eq!(
                    g.scope(RecordKind::SmsTemplate, action),
                    write,
                    "{}",
                    role.key
                );
            }
        }
    }
}
