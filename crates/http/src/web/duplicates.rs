//! Possible duplicates in the web interface: the confirmation a new-record form asks for when
//! the record looks like existing ones, and the report page `/{kind}/duplicates` listing
//! groups of duplicates with links to merge them.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::extract::{Path, Query, State};
use peyvand_app::{AppError, DuplicateGroup, MAX_MERGED, Session, reason_codes};
use peyvand_domain::duplicate::MatchReasons;
use peyvand_domain::record::{Input, Schema};

use super::guard::WebSession;
use super::page::{Layout, WebError, WebResult, kind_label, render};
use super::schema_at;
use crate::AppState;
use crate::i18n::{t, t_args};
use peyvand_domain::calendar::Locale;

/// The hidden form field that says "I have seen the possible duplicates; save anyway".
pub const CONFIRM_FIELD: &str = "confirm_duplicates";

/// A possible duplicate as a form shows it.
#[derive(Debug, Clone)]
pub struct DuplicateLink {
    /// The record's page.
    pub href: String,
    /// Its title.
    pub title: String,
    /// Why it looks the same, translated.
    pub reasons: String,
}

/// The reasons in the user's language, joined.
fn reasons_text(locale: Locale, reasons: &MatchReasons) -> String {
    reason_codes(reasons)
        .iter()
        .map(|code| t(locale, &format!("duplicate-reason-{code}")))
        .collect::<Vec<_>>()
        .join(t(locale, "duplicate-reason-separator").as_str())
}

/// The possible duplicates of the record `inputs` would create; none when the input cannot
/// be checked (the create reports what is wrong with it).
pub async fn links_for(
    state: &AppState,
    session: &Session,
    schema: &'static Schema,
    inputs: &BTreeMap<String, Input>,
) -> Vec<DuplicateLink> {
    let found = state
        .app
        .possible_duplicates(session, schema.kind, inputs, session.calendar)
        .await
        .unwrap_or_default();
    found
        .iter()
        .map(|c| DuplicateLink {
            href: format!("/{}/{}", schema.path, c.id),
            title: c.title.clone(),
            reasons: reasons_text(session.locale, &c.reasons),
        })
        .collect()
}

/// A group as the report page shows it.
pub struct GroupView {
    /// Links to its records.
    pub members: Vec<DuplicateLink>,
    /// Why its records look the same, translated.
    pub reasons: String,
    /// Links to merge: the whole group, or each pair when the group is too large to merge
    /// at once. Each is (href, label).
    pub merges: Vec<(String, String)>,
}

/// The report page.
#[derive(Template)]
#[template(path = "duplicates.html")]
pub struct ReportTemplate {
    /// Frame.
    pub l: Layout,
    /// Heading.
    pub heading: String,
    /// The kind's list.
    pub list_href: String,
    /// The groups of this step.
    pub groups: Vec<GroupView>,
    /// "N% of records checked".
    pub progress: String,
    /// Link to the next step.
    pub next_href: Option<String>,
    /// Link back to the first step (when not on it).
    pub first_href: Option<String>,
}

fn merge_links(path: &str, locale: Locale, group: &DuplicateGroup) -> Vec<(String, String)> {
    let href = |ids: &[uuid::Uuid]| {
        let ids: Vec<String> = ids.iter().map(uuid::Uuid::to_string).collect();
        format!("/{path}/merge?ids={}", ids.join(","))
    };
    if group.members.len() <= MAX_MERGED {
        let ids: Vec<uuid::Uuid> = group.members.iter().map(|m| m.id).collect();
        return vec![(href(&ids), t(locale, "duplicates-merge"))];
    }
    let title = |id: uuid::Uuid| {
        group
            .members
            .iter()
            .find(|m| m.id == id)
            .map(|m| m.title.clone())
            .unwrap_or_default()
    };
    group
        .pairs
        .iter()
        .map(|p| {
            (
                href(&[p.first, p.second]),
                t_args(
                    locale,
                    "duplicates-merge-pair",
                    &[("first", title(p.first)), ("second", title(p.second))],
                ),
            )
        })
        .collect()
}

/// Steps of the report one page runs at most while it has found nothing to show.
const STEPS_PER_PAGE: usize = 4;

/// `GET /{kind}/duplicates?cursor=…`.
pub async fn report(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Path(kind): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> WebResult {
    let schema = schema_at(&session, &kind)?;
    if !schema.kind.is_customer() {
        return Err(WebError(AppError::NotFound));
    }
    let first_cursor = query.get("cursor").cloned().filter(|c| !c.is_empty());
    let mut cursor = first_cursor.clone();
    let mut groups = Vec::new();
    let mut progress = 0.0;
    for _ in 0..STEPS_PER_PAGE {
        let step = state
            .app
            .duplicate_report(&session, schema.kind, cursor.as_deref())
            .await?;
        groups.extend(step.groups);
        progress = step.progress;
        cursor = step.next_cursor;
        if !groups.is_empty() || cursor.is_none() {
            break;
        }
    }
    let locale = session.locale;
    let groups = groups
        .iter()
        .map(|g| GroupView {
            members: g
                .members
                .iter()
                .map(|m| DuplicateLink {
                    href: format!("/{}/{}", schema.path, m.id),
                    title: m.title.clone(),
                    reasons: String::new(),
                })
                .collect(),
            reasons: reasons_text(locale, &g.reasons()),
            merges: merge_links(schema.path, locale, g),
        })
        .collect();
    let heading = t_args(
        locale,
        "duplicates-title",
        &[("kind", kind_label(locale, schema.kind))],
    );
    let percent = format!("{:.0}", progress * 100.0);
    let template = ReportTemplate {
        l: Layout::new(&session, heading.clone(), schema.path),
        heading,
        list_href: format!("/{}", schema.path),
        groups,
        progress: t_args(
            locale,
            "duplicates-progress",
            &[("percent", super::format::Fmt::of(&session).digits(&percent))],
        ),
        next_href: cursor.map(|c| format!("/{}/duplicates?cursor={c}", schema.path)),
        first_href: first_cursor.map(|_| format!("/{}/duplicates", schema.path)),
    };
    Ok(render(&template))
}
