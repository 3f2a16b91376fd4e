//! Options of select boxes: translated choices, and records to pick for a reference.

use peyvand_app::{App, Session};
use peyvand_domain::permission::RecordKind;
use peyvand_domain::record::{FieldDef, FieldType};
use uuid::Uuid;

use super::format::Fmt;

/// Most records offered in one select box; beyond that a search would be needed.
pub const MAX_OPTIONS: u64 = 200;

/// One `<option>`.
#[derive(Debug, Clone)]
pub struct Opt {
    /// Submitted value.
    pub value: String,
    /// Shown label.
    pub label: String,
    /// Whether it is selected.
    pub selected: bool,
}

/// Options for a fixed list of codes with translated labels.
pub fn choice_options(fmt: &Fmt, choices: &[&str], selected: &str) -> Vec<Opt> {
    choices
        .iter()
        .map(|code| Opt {
            value: (*code).to_owned(),
            label: fmt.choice(code),
            selected: *code == selected,
        })
        .collect()
}

/// Options for a choice field: built-in choices are codes with translated labels, a custom
/// field's choices are an administrator's own words. `selected` holds the chosen values.
fn field_choice_options(
    fmt: &Fmt,
    def: &FieldDef,
    choices: &[&str],
    selected: &[&str],
) -> Vec<Opt> {
    choices
        .iter()
        .map(|code| Opt {
            value: (*code).to_owned(),
            label: fmt.choice_label(def, code),
            selected: selected.contains(code),
        })
        .collect()
}

/// Titles of up to [`MAX_OPTIONS`] records of `kind` the user may read, in the list's default
/// order. A user who may not read the kind gets none (the current value is added by callers).
pub async fn record_choices(app: &App, session: &Session, kind: RecordKind) -> Vec<(Uuid, String)> {
    match app.record_choices(session, kind, MAX_OPTIONS).await {
        // Built-in roles are known by translated names; other titles are people's own words.
        Ok(choices) if kind == RecordKind::Role => choices
            .into_iter()
            .map(|(id, title)| (id, super::page::role_label(session.locale, &title)))
            .collect(),
        Ok(choices) => choices,
        Err(_) => Vec::new(),
    }
}

/// Options for a reference field: the readable records, plus the current value if it is not
/// among them (so saving a form never silently drops it).
pub fn reference_options(
    choices: &[(Uuid, String)],
    selected: &str,
    current_title: Option<&str>,
) -> Vec<Opt> {
    let mut options: Vec<Opt> = choices
        .iter()
        .map(|(id, title)| {
            let value = id.to_string();
            Opt {
                selected: value == selected,
                value,
                label: title.clone(),
            }
        })
        .collect();
    if !selected.is_empty() && !options.iter().any(|o| o.selected) {
        options.insert(
            0,
            Opt {
                value: selected.to_owned(),
                label: current_title.unwrap_or("…").to_owned(),
                selected: true,
            },
        );
    }
    options
}

/// The options of a choice or reference field, loading records as needed.
pub async fn field_options(
    app: &App,
    session: &Session,
    fmt: &Fmt,
    def: &FieldDef,
    selected: &str,
) -> Vec<Opt> {
    match def.ty {
        FieldType::Choice(choices) => field_choice_options(fmt, def, choices, &[selected]),
        // Several chosen values come as one text, separated as `Fmt::input` joins them.
        FieldType::MultiChoice(choices) => {
            let chosen: Vec<&str> = selected.split(',').map(str::trim).collect();
            field_choice_options(fmt, def, choices, &chosen)
        }
        FieldType::Reference(kind) => {
            let choices = record_choices(app, session, kind).await;
            let current = match Uuid::parse_str(selected) {
                Ok(id) if !choices.iter().any(|(c, _)| *c == id) => app
                    .titles(session, kind, &[id])
                    .await
                    .ok()
                    .and_then(|t| t.get(&id).cloned()),
                _ => None,
            };
            reference_options(&choices, selected, current.as_deref())
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_current_reference_is_kept_when_not_offered() {
        let a = Uuid::now_v7();
        let b = Uuid::now_v7();
        let options = reference_options(&[(a, "A".into())], &b.to_string(), Some("B"));
        assert_eq!(options.len(), 2);
        assert!(options[0].selected && options[0].label == "B");
        let options = reference_options(&[(a, "A".into())], &a.to_string(), None);
        assert_eq!(options.len(), 1);
        assert!(options[0].selected);
    }
}
