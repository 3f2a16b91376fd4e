//! `GET /{kind}`: the one list page of every kind — columns, search, filters, sorting by
//! column headers and keyset pagination, all from the schema.

use std::borrow::Cow;
use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Response;
use peyvand_app::{ListParams, ListedRecord};
use peyvand_domain::permission::{Action, RecordKind};
use peyvand_domain::record::{FieldDef, FieldType, Schema};

use super::form::{parse_urlencoded, query_string};
use super::format::{ColumnFmt, Fmt, Link, Titles, load_titles, references};
use super::guard::WebSession;
use super::options::{Opt, field_options};
use super::page::{Layout, WebResult, def_label, kind_label, may, render};
use super::schema_at;
use crate::AppState;

/// A column header: a link that sorts by the column.
#[derive(Debug, Clone)]
pub struct Column {
    /// Label.
    pub label: String,
    /// Link sorting by it (None for columns that cannot be sorted).
    pub href: Option<String>,
    /// `ascending`/`descending` when the list is sorted by it, for `aria-sort`.
    pub sorted: &'static str,
    /// Arrow shown after the label.
    pub arrow: &'static str,
}

/// One row. Its cells borrow from the page's columns, records and titles, so that a row costs
/// no more allocations than the values that must be formatted.
#[derive(Debug, Clone)]
pub struct Row<'a> {
    /// The record page.
    pub href: Link,
    /// Cells in column order.
    pub cells: Vec<ListCell<'a>>,
}

/// One cell of a row.
#[derive(Debug, Clone)]
pub struct ListCell<'a> {
    /// The column's label (shown before the value when tables stack into cards).
    pub label: &'a str,
    /// The text shown.
    pub text: Cow<'a, str>,
    /// A link, for references the user can see.
    pub href: Option<Link>,
    /// Left-to-right content (emails, phone numbers) inside a right-to-left page.
    pub ltr: bool,
}

/// A filter select box.
#[derive(Debug, Clone)]
pub struct Filter {
    /// Field name (query parameter).
    pub name: String,
    /// Label.
    pub label: String,
    /// Options (an empty "all" option is added by the template).
    pub options: Vec<Opt>,
}

/// The list page.
#[derive(Template)]
#[template(path = "list.html")]
pub struct ListTemplate<'a> {
    /// Frame.
    pub l: Layout,
    /// The kind's path.
    pub path: String,
    /// Heading.
    pub heading: String,
    /// Search text.
    pub q: String,
    /// Current sort (kept by the search form).
    pub sort: String,
    /// Column headers.
    pub columns: Vec<Column>,
    /// Rows.
    pub rows: Vec<Row<'a>>,
    /// Filters.
    pub filters: Vec<Filter>,
    /// "N records".
    pub count: String,
    /// Next page link.
    pub next_href: Option<String>,
    /// First page link (when not on it).
    pub first_href: Option<String>,
    /// Link to the CSV export with the same filters, when allowed.
    pub export_href: Option<String>,
    /// The same export as an Excel workbook.
    pub export_xlsx_href: Option<String>,
    /// Link to a bulk SMS to the contacts of this list, for those who may export contacts.
    pub sms_href: Option<String>,
    /// The import page, for those who may create records of a customer kind.
    pub import_href: Option<String>,
    /// Link to the create form, when allowed.
    pub new_href: Option<String>,
    /// Link to the duplicate report (customer kinds).
    pub duplicates_href: Option<String>,
    /// Whether a search or filter is active (changes the empty-state text).
    pub filtered: bool,
}

/// Fields that get a filter: choices and references shown in the list, and the branch.
fn filter_fields<'a>(
    session: &'a peyvand_app::Session,
    schema: &'static Schema,
) -> impl Iterator<Item = &'static FieldDef> + 'a {
    schema.fields.iter().filter(move |f| {
        let shown = f.in_list || f.name == "branch_id";
        shown
            && matches!(
                f.ty,
                FieldType::Choice(_) | FieldType::MultiChoice(_) | FieldType::Reference(_)
            )
            && !session.actor.grants.is_hidden(schema.kind, f.name)
    })
}

/// `GET /{kind}`.
pub async fn show(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Path(kind): Path<String>,
    uri: Uri,
) -> WebResult<Response> {
    let schema = schema_at(&session, &kind)?;
    let fmt = Fmt::of(&session);
    let query: BTreeMap<String, String> =
        parse_urlencoded(uri.query().unwrap_or_default().as_bytes())
            .into_iter()
            .collect();
    let get = |k: &str| {
        query
            .get(k)
            .map(String::as_str)
            .unwrap_or_default()
            .trim()
            .to_owned()
    };
    let (q, sort, cursor, limit) = (get("q"), get("sort"), get("cursor"), get("limit"));
    let filter_defs: Vec<&FieldDef> = filter_fields(&session, schema).collect();
    let filters: BTreeMap<String, String> = filter_defs
        .iter()
        .map(|f| (f.name.to_owned(), get(f.name)))
        .filter(|(_, v)| !v.is_empty())
        .collect();
    let params = ListParams {
        q: Some(q.clone()).filter(|q| !q.is_empty()),
        filters: filters.clone(),
        tag: None,
        sort: Some(sort.clone()).filter(|s| !s.is_empty()),
        cursor: Some(cursor.clone()).filter(|c| !c.is_empty()),
        // Not offered in the page, but kept when given (bookmarks, tests of paging).
        limit: limit.parse().ok(),
    };
    let columns_defs: Vec<&'static FieldDef> = schema
        .fields
        .iter()
        .filter(|f| f.in_list && !session.actor.grants.is_hidden(schema.kind, f.name))
        .collect();
    let names: Vec<&str> = columns_defs.iter().map(|f| f.name).collect();
    let page = state
        .app
        .list_fields(&session, schema.kind, &params, &names)
        .await?;
    let total = state.app.count(&session, schema.kind, &params).await?;
    let titles = load_titles(
        &state.app,
        &session,
        references(
            columns_defs.iter().copied(),
            page.items.iter().map(|r| &r.fields),
        ),
    )
    .await;
    let labels: Vec<String> = columns_defs
        .iter()
        .map(|def| def_label(session.locale, def))
        .collect();
    let formats: Vec<ColumnFmt> = columns_defs
        .iter()
        .map(|def| ColumnFmt::new(fmt, def))
        .collect();
    let rows = page
        .items
        .iter()
        .map(|record| row(schema, record, &formats, &labels, &titles))
        .collect();

    // Links keep the search and filters; each decides sort and cursor itself.
    let link = |sort: &str, cursor: &str| {
        let mut pairs: Vec<(&str, &str)> = Vec::new();
        if !q.is_empty() {
            pairs.push(("q", &q));
        }
        pairs.extend(filters.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        if !sort.is_empty() {
            pairs.push(("sort", sort));
        }
        if !limit.is_empty() {
            pairs.push(("limit", &limit));
        }
        if !cursor.is_empty() {
            pairs.push(("cursor", cursor));
        }
        format!("/{}{}", schema.path, query_string(pairs))
    };
    // A search without a chosen sort is in order of relevance: no column is marked sorted.
    let current = if page.by_relevance {
        String::new()
    } else if sort.is_empty() {
        schema.default_sort.to_owned()
    } else {
        sort.clone()
    };
    let columns = columns_defs
        .iter()
        .zip(&labels)
        .map(|(def, label)| {
            let (sorted, arrow, next) = if current == def.name {
                ("ascending", "▲", format!("-{}", def.name))
            } else if current.strip_prefix('-') == Some(def.name) {
                ("descending", "▼", def.name.to_owned())
            } else {
                ("", "", def.name.to_owned())
            };
            Column {
                label: label.clone(),
                href: schema.is_sortable(def.name).then(|| link(&next, "")),
                sorted,
                arrow,
            }
        })
        .collect();

    let mut filter_views = Vec::new();
    for def in filter_defs {
        let selected = filters.get(def.name).cloned().unwrap_or_default();
        let options = field_options(&state.app, &session, &fmt, def, &selected).await;
        filter_views.push(Filter {
            name: def.name.to_owned(),
            label: def_label(session.locale, def),
            options,
        });
    }

    let export_href = may(&session, schema.kind, Action::Export).then(|| {
        let mut pairs: Vec<(&str, &str)> = filters
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        if !q.is_empty() {
            pairs.push(("q", &q));
        }
        if !sort.is_empty() {
            pairs.push(("sort", &sort));
        }
        format!("/api/v1/{}/export{}", schema.path, query_string(pairs))
    });
    // A bulk SMS to the same contacts (issue 5 §5): the campaign page reads the same filters.
    let sms_href = export_href
        .as_ref()
        .filter(|_| schema.kind == RecordKind::Contact)
        .map(|href| href.replacen("/api/v1/contacts/export", "/sms-campaigns", 1));
    // The same filters as an Excel workbook.
    let export_xlsx_href = export_href.as_ref().map(|href| {
        let joiner = if href.contains('?') { '&' } else { '?' };
        format!("{href}{joiner}format=xlsx")
    });
    let import_href = (schema.kind.is_customer() && may(&session, schema.kind, Action::Create))
        .then(|| format!("/{}/import", schema.path));
    let heading = kind_label(session.locale, schema.kind);
    let l = Layout::new(&session, heading.clone(), schema.path);
    let count = l.t1("list-count", "count", &fmt.count(total));
    render_list(ListTemplate {
        next_href: page.next_cursor.as_deref().map(|c| link(&sort, c)),
        first_href: (!cursor.is_empty()).then(|| link(&sort, "")),
        new_href: may(&session, schema.kind, Action::Create)
            .then(|| format!("/{}/new", schema.path)),
        filtered: !q.is_empty() || !filters.is_empty(),
        path: schema.path.to_owned(),
        l,
        heading,
        q,
        sort,
        columns,
        rows,
        filters: filter_views,
        count,
        export_href,
        export_xlsx_href,
        sms_href,
        import_href,
        duplicates_href: schema
            .kind
            .is_customer()
            .then(|| format!("/{}/duplicates", schema.path)),
    })
}

/// A record's row: a cell per column, each column's words already translated (`columns`) and
/// its label written once (`labels`).
fn row<'a>(
    schema: &Schema,
    record: &'a ListedRecord,
    columns: &'a [ColumnFmt],
    labels: &'a [String],
    titles: &'a Titles,
) -> Row<'a> {
    Row {
        href: Link::new(schema.path, record.id),
        cells: columns
            .iter()
            .zip(labels)
            .map(|(column, label)| {
                let value = record.get(column.def().name);
                ListCell {
                    label,
                    text: column.text(value, titles),
                    href: column.link(value, titles),
                    ltr: column.ltr(),
                }
            })
            .collect(),
    }
}

fn render_list(template: ListTemplate<'_>) -> WebResult<Response> {
    Ok(render(&template))
}
