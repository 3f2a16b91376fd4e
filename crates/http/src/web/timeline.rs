//! A record's timeline as the user reads it: who, when, what changed from what to what.

use peyvand_app::json::value_from_json;
use peyvand_app::{App, Session, TimelineEntry};
use peyvand_domain::permission::RecordKind;
use peyvand_domain::record::{FieldType, Schema, Value};
use serde_json::Value as Json;
use uuid::Uuid;

use super::format::{Fmt, load_titles};
use super::page::field_label;
use crate::i18n::t;

/// One changed field.
#[derive(Debug, Clone)]
pub struct Change {
    /// Field label.
    pub field: String,
    /// Value before (empty for none).
    pub old: String,
    /// Value after (empty for none).
    pub new: String,
}

/// One entry as shown.
#[derive(Debug, Clone)]
pub struct TimelineItem {
    /// Who did it.
    pub who: String,
    /// When, in the user's calendar.
    pub when: String,
    /// What kind of change, translated.
    pub what: String,
    /// Changed fields.
    pub changes: Vec<Change>,
    /// A note's text.
    pub note: Option<String>,
}

fn json_text(json: &Json) -> String {
    match json {
        Json::Null => String::new(),
        Json::String(s) => s.clone(),
        // Tags are arrays of strings: show them as a list, not as JSON.
        Json::Array(items) => items.iter().map(json_text).collect::<Vec<_>>().join("، "),
        other => other.to_string(),
    }
}

/// The references named in the changes, for one batch of title lookups.
fn referenced(schema: &'static Schema, entries: &[TimelineEntry]) -> Vec<(RecordKind, Uuid)> {
    let mut out: Vec<(RecordKind, Uuid)> = entries
        .iter()
        .filter_map(|e| e.actor_id)
        .map(|id| (RecordKind::User, id))
        .collect();
    for entry in entries {
        let Json::Object(changes) = &entry.changes else {
            continue;
        };
        let schema = entry_schema(schema, entry);
        for (name, pair) in changes {
            let Some(FieldType::Reference(kind)) = schema.field(name).map(|f| f.ty) else {
                continue;
            };
            for value in pair.as_array().into_iter().flatten() {
                if let Some(id) = value.as_str().and_then(|s| Uuid::parse_str(s).ok()) {
                    out.push((kind, id));
                }
            }
        }
    }
    out
}

/// The schema an entry's changes are in: the related record's for entries about one (a
/// customer's sales documents), the record's own otherwise.
fn entry_schema(schema: &'static Schema, entry: &TimelineEntry) -> &'static Schema {
    match &entry.subject {
        Some((kind, _, _)) => peyvand_domain::record::schema(*kind),
        None => schema,
    }
}

/// The record's timeline, newest first.
pub async fn timeline_items(
    app: &App,
    session: &Session,
    schema: &'static Schema,
    entries: &[TimelineEntry],
) -> Vec<TimelineItem> {
    let fmt = Fmt::of(session);
    let titles = load_titles(app, session, referenced(schema, entries)).await;
    entries
        .iter()
        .map(|entry| {
            let who = match entry.actor_id {
                Some(id) => titles
                    .get(&(RecordKind::User, id))
                    .cloned()
                    .unwrap_or_else(|| t(fmt.locale, "someone")),
                None => t(fmt.locale, "system"),
            };
            let schema = entry_schema(schema, entry);
            let mut changes = Vec::new();
            let mut note = None;
            match &entry.changes {
                Json::String(text) => note = Some(text.clone()),
                // Activities and cases of a customer (issue 5): named, not diffed.
                Json::Object(map) if matches!(entry.action.as_str(), "activity" | "case") => {
                    let text = |key: &str| map.get(key).and_then(Json::as_str).unwrap_or_default();
                    note = Some(format!(
                        "{} ({} · {})",
                        text("title"),
                        fmt.choice(text("type")),
                        fmt.choice(text("status"))
                    ));
                }
                Json::Object(map) => {
                    // What the record page leaves out, its history does too.
                    for (name, pair) in map
                        .iter()
                        .filter(|(name, _)| !super::record::NOT_ON_PAGE.contains(&name.as_str()))
                    {
                        let pair = pair.as_array().cloned().unwrap_or_default();
                        let (old, new) = (
                            pair.first().cloned().unwrap_or(Json::Null),
                            pair.get(1).cloned().unwrap_or(Json::Null),
                        );
                        let show = |json: &Json| match schema.field(name) {
                            // A role's whole grants document says nothing at a glance; the
                            // grants editor shows the current state.
                            _ if name == "grants" => String::new(),
                            Some(def) => match value_from_json(json, def.ty) {
                                Some(value) if value != Value::Null => {
                                    fmt.text(def, &value, &titles)
                                }
                                Some(_) => String::new(),
                                None => json_text(json),
                            },
                            None => json_text(json),
                        };
                        changes.push(Change {
                            field: field_label(fmt.locale, name),
                            old: show(&old),
                            new: show(&new),
                        });
                    }
                }
                _ => {}
            }
            let what = t(fmt.locale, &format!("timeline-{}", entry.action));
            // Entries about a related record (a customer's documents) say which one.
            let what = match &entry.subject {
                Some((kind, _, title)) => format!(
                    "{} {title}: {what}",
                    super::page::kind_label_one(fmt.locale, *kind)
                ),
                None => what,
            };
            TimelineItem {
                who,
                when: fmt.datetime(entry.at),
                what,
                changes,
                note,
            }
        })
        .collect()
}
