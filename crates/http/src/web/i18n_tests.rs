//! Every message key the web pages use exists in both languages: the keys made from the
//! schemas, error tables and permission enums, and every literal key in the templates and
//! page code (found by scanning their source, so a new key cannot be forgotten).

use peyvand_app::error::ERROR_CODES;
use peyvand_domain::calendar::Locale;
use peyvand_domain::permission::{Action, Scope};
use peyvand_domain::record::{ALL_SCHEMAS, FieldType, RELATION_TYPES};

use crate::i18n::{has, t_args};

const SOURCES: &[&str] = &[
    include_str!("../../templates/base.html"),
    include_str!("../../templates/convert.html"),
    include_str!("../../templates/dashboard.html"),
    include_str!("../../templates/delete.html"),
    include_str!("../../templates/error.html"),
    include_str!("../../templates/fields.html"),
    include_str!("../../templates/form.html"),
    include_str!("../../templates/grants.html"),
    include_str!("../../templates/list.html"),
    include_str!("../../templates/login.html"),
    include_str!("../../templates/record.html"),
    include_str!("../../templates/settings.html"),
    include_str!("convert.rs"),
    include_str!("dashboard.rs"),
    include_str!("delete.rs"),
    include_str!("edit.rs"),
    include_str!("format.rs"),
    include_str!("grants.rs"),
    include_str!("list.rs"),
    include_str!("login.rs"),
    include_str!("page.rs"),
    include_str!("record.rs"),
    include_str!("settings.rs"),
    include_str!("timeline.rs"),
    // Sales documents (issue 4).
    include_str!("../../templates/sales_document.html"),
    include_str!("../../templates/sales_print.html"),
    include_str!("sales.rs"),
    include_str!("sales_print.rs"),
    // Sales pipeline (issue 4).
    include_str!("../../templates/sales_board.html"),
    include_str!("../../templates/sales_filter.html"),
    include_str!("../../templates/sales_forecast.html"),
    include_str!("../../templates/sales_funnel.html"),
    include_str!("../../templates/sales_stages.html"),
    include_str!("../../templates/sales_targets.html"),
    include_str!("pipeline.rs"),
    include_str!("pipeline_reports.rs"),
    include_str!("../api/pipeline.rs"),
    // Contracts (issue 4 §7).
    include_str!("../../templates/contract_panel.html"),
    include_str!("../../templates/contract_section.html"),
    include_str!("../../templates/contract_print.html"),
    include_str!("contracts.rs"),
    include_str!("../error.rs"),
    // Bulk SMS and notification templates (issue 5 §5).
    include_str!("../../templates/sms_campaigns.html"),
    include_str!("../../templates/sms_campaign.html"),
    include_str!("../../templates/notice_templates.html"),
    include_str!("messaging.rs"),
];

/// Literal keys: the first string argument of `t(`, `l.t(`, `t1(`, `t_args(`.
fn literal_keys(source: &str) -> Vec<String> {
    let mut keys = Vec::new();
    for (start, _) in source
        .match_indices("t(")
        .chain(source.match_indices("t1("))
        .chain(source.match_indices("t_args("))
    {
        // `get(` and `list(` end in `t(` too: the call must start a word.
        if source[..start]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_')
        {
            continue;
        }
        let rest = &source[start..];
        let Some(open) = rest.find('"') else { continue };
        // Only when the string is the first or second argument of this very call.
        let before = &rest[..open];
        if before.contains(')') || before.len() > 40 {
            continue;
        }
        let rest = &rest[open + 1..];
        let Some(close) = rest.find('"') else {
            continue;
        };
        let key = &rest[..close];
        if !key.is_empty()
            && key
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
            && !key.ends_with('-')
        {
            keys.push(key.to_owned());
        }
    }
    keys
}

fn all_keys() -> Vec<String> {
    let mut keys: Vec<String> = SOURCES.iter().flat_map(|s| literal_keys(s)).collect();
    for schema in ALL_SCHEMAS {
        keys.push(format!("kind-{}", schema.path));
        keys.push(format!("kind-{}-one", schema.path));
        for field in schema.fields {
            keys.push(format!("field-{}", field.name));
            if let FieldType::Choice(choices) = field.ty {
                keys.extend(choices.iter().map(|c| format!("choice-{c}")));
            }
        }
    }
    keys.extend(RELATION_TYPES.iter().map(|c| format!("choice-{c}")));
    keys.extend(ERROR_CODES.iter().map(|c| format!("error-{}", c.code)));
    for code in [
        "required",
        "invalid_email",
        "invalid_phone",
        "invalid_date",
        "too_long",
        "invalid_choice",
        "invalid_number",
        "invalid",
        "unknown_field",
        "not_found",
        "out_of_scope",
        "taken",
        "too_short",
        "read_only",
    ] {
        keys.push(format!("field-error-{code}"));
    }
    keys.extend(Action::ALL.iter().map(|a| format!("action-{}", a.code())));
    keys.extend(Scope::ALL.iter().map(|s| format!("scope-{}", s.code())));
    for action in [
        "create",
        "update",
        "delete",
        "convert",
        "note",
        "note_deleted",
        "relate",
        "unrelate",
        "password",
        "grants",
        "stages",
    ] {
        keys.push(format!("timeline-{action}"));
    }
    // Sales documents (issue 4).
    for error in peyvand_domain::sales::FIELD_ERRORS {
        keys.push(format!("field-error-{}", error.code()));
    }
    keys.push(format!(
        "field-error-{}",
        peyvand_app::sales::APPROVAL_PENDING.code()
    ));
    keys.extend(["timeline-line".to_owned(), "timeline-approve".to_owned()]);
    for kind in peyvand_domain::sales::status::DocumentKind::ALL {
        for status in kind.statuses() {
            keys.push(format!("sales-move-{status}"));
        }
    }
    // Saved SMS templates and scheduled campaigns (issue 5 §5).
    for error in peyvand_domain::sms_templates::FIELD_ERRORS {
        keys.push(format!("field-error-{}", error.code()));
    }
    for name in peyvand_domain::sms_templates::PLACEHOLDERS {
        keys.push(format!("sms-placeholder-{name}"));
    }
    for state in ["scheduled", "cancelled", "started", "failed"] {
        keys.push(format!("campaign-status-{state}"));
    }
    // Contracts (issue 4 §7).
    for error in peyvand_domain::contracts::FIELD_ERRORS {
        keys.push(format!("field-error-{}", error.code()));
    }
    keys.extend(["timeline-renew".to_owned(), "timeline-expire".to_owned()]);
    for status in ["draft", "approved", "active"] {
        keys.push(format!("contract-move-{status}"));
    }
    for (name, _) in peyvand_domain::contracts::placeholders::PLACEHOLDERS {
        keys.push(format!("contract-placeholder-{}", name.replace('.', "-")));
    }
    keys
}

/// `has` fails for messages with placeables when no arguments are given; try with the
/// argument names the pages use.
fn translated(locale: Locale, key: &str) -> bool {
    let args = [
        ("count", "1".to_owned()),
        ("name", "x".to_owned()),
        ("kind", "x".to_owned()),
        ("title", "x".to_owned()),
        ("from", "x".to_owned()),
        ("to", "x".to_owned()),
        ("hours", "1".to_owned()),
        ("when", "x".to_owned()),
    ];
    has(locale, key) || t_args(locale, key, &args) != key
}

#[test]
fn every_key_is_translated_in_both_languages() {
    let keys = all_keys();
    assert!(
        keys.len() > 200,
        "the scan found too few keys: {}",
        keys.len()
    );
    let missing: Vec<String> = keys
        .iter()
        .flat_map(|k| {
            [Locale::En, Locale::Fa]
                .into_iter()
                .filter(|l| !translated(*l, k))
                .map(move |l| format!("{}:{k}", l.code()))
        })
        .collect();
    assert!(missing.is_empty(), "missing translations: {missing:?}");
}

#[test]
fn the_scanner_finds_keys_in_templates_and_code() {
    assert_eq!(
        literal_keys(r#"{{ l.t("save") }} t(locale, "yes") t_args(l, "x-y", &[])"#),
        vec!["save", "yes", "x-y"]
    );
}
