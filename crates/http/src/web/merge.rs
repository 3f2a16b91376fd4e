//! `/{kind}/merge?ids=a,b[,c]`: merging duplicate customers. The page shows the records side by
//! side; where their values differ the user picks one, and chooses which record stays.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use peyvand_app::{AppError, MAX_MERGED, MergeRequest, RecordView, Session};
use peyvand_domain::record::{Schema, Value};
use uuid::Uuid;

use super::form::WebForm;
use super::format::{Fmt, load_titles, references};
use super::guard::WebSession;
use super::page::{Layout, WebError, WebResult, def_label, kind_label, render_status, see_other};
use super::schema_at;
use crate::AppState;
use crate::i18n::{t, t_args};

/// One record's column.
pub struct MergeRecord {
    /// Its id.
    pub id: Uuid,
    /// Its title.
    pub title: String,
    /// Whether it is the one chosen to stay.
    pub survivor: bool,
}

/// One record's value of a field.
pub struct MergeCell {
    /// The record it comes from.
    pub id: Uuid,
    /// The value as shown.
    pub text: String,
    /// Whether this value is the one picked.
    pub checked: bool,
    /// Left-to-right content.
    pub ltr: bool,
}

/// One field across the records.
pub struct MergeRow {
    /// Field name.
    pub name: String,
    /// Field label.
    pub label: String,
    /// Whether the records disagree (only then is there a choice).
    pub differs: bool,
    /// One cell per record.
    pub cells: Vec<MergeCell>,
}

/// The merge page.
#[derive(Template)]
#[template(path = "merge.html")]
pub struct MergeTemplate {
    /// Frame.
    pub l: Layout,
    /// Heading.
    pub heading: String,
    /// URL segment of the kind.
    pub path: &'static str,
    /// The ids, comma separated, as the form sends them back.
    pub ids: String,
    /// The records.
    pub records: Vec<MergeRecord>,
    /// The fields.
    pub rows: Vec<MergeRow>,
    /// A message above the form.
    pub alert: Option<String>,
    /// Where "cancel" goes.
    pub cancel_href: String,
}

fn parse_ids(raw: &str) -> Result<Vec<Uuid>, WebError> {
    let ids: Vec<Uuid> = raw
        .split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|s| Uuid::parse_str(s.trim()))
        .collect::<Result<_, _>>()
        .map_err(|_| WebError(AppError::NotFound))?;
    if (2..=MAX_MERGED).contains(&ids.len()) {
        Ok(ids)
    } else {
        Err(WebError(AppError::BadRequest("ids")))
    }
}

async fn load(
    state: &AppState,
    session: &Session,
    schema: &'static Schema,
    ids: &[Uuid],
) -> Result<Vec<RecordView>, WebError> {
    let mut views = Vec::new();
    for id in ids {
        views.push(state.app.get(session, schema.kind, *id).await?);
    }
    Ok(views)
}

/// The choices the form shows: what was submitted, or by default the survivor's value, else
/// the first value among the others (what the merge does when nothing is picked).
async fn page(
    state: &AppState,
    session: &Session,
    schema: &'static Schema,
    views: &[RecordView],
    chosen: Option<(Uuid, &HashMap<String, Uuid>)>,
    alert: Option<String>,
    status: StatusCode,
) -> Response {
    let fmt = Fmt::of(session);
    let survivor = chosen.map_or(views[0].id, |(s, _)| s);
    let defs: Vec<_> = schema
        .fields
        .iter()
        .filter(|f| f.writable && views[0].fields.contains_key(f.name))
        .collect();
    let titles = load_titles(
        &state.app,
        session,
        references(defs.iter().copied(), views.iter().map(|v| &v.fields)),
    )
    .await;
    let rows = defs
        .iter()
        .map(|def| {
            let values: Vec<&Value> = views.iter().map(|v| v.get(def.name)).collect();
            let differs = values.iter().any(|v| *v != values[0]);
            let default = views
                .iter()
                .find(|v| v.id == survivor && !v.get(def.name).is_null())
                .or_else(|| views.iter().find(|v| !v.get(def.name).is_null()))
                .map_or(survivor, |v| v.id);
            let picked = chosen
                .and_then(|(_, picks)| picks.get(def.name).copied())
                .unwrap_or(default);
            MergeRow {
                name: def.name.to_owned(),
                label: def_label(session.locale, def),
                differs,
                cells: views
                    .iter()
                    .map(|v| {
                        let cell = fmt.cell(def, v.get(def.name), &titles);
                        MergeCell {
                            id: v.id,
                            text: cell.text,
                            checked: v.id == picked,
                            ltr: cell.ltr,
                        }
                    })
                    .collect(),
            }
        })
        .collect();
    let heading = t_args(
        session.locale,
        "merge-title",
        &[("kind", kind_label(session.locale, schema.kind))],
    );
    let l = Layout::new(session, heading.clone(), schema.path);
    render_status(
        status,
        &MergeTemplate {
            l,
            heading,
            path: schema.path,
            ids: views
                .iter()
                .map(|v| v.id.to_string())
                .collect::<Vec<_>>()
                .join(","),
            records: views
                .iter()
                .map(|v| MergeRecord {
                    id: v.id,
                    title: v.title.clone(),
                    survivor: v.id == survivor,
                })
                .collect(),
            rows,
            alert,
            cancel_href: format!("/{}/{}", schema.path, views[0].id),
        },
    )
}

/// `GET /{kind}/merge?ids=…`.
pub async fn form(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Path(kind): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> WebResult {
    let schema = schema_at(&session, &kind)?;
    if !schema.kind.is_customer() {
        return Err(WebError(AppError::NotFound));
    }
    let ids = parse_ids(query.get("ids").map_or("", String::as_str))?;
    let views = load(&state, &session, schema, &ids).await?;
    Ok(page(&state, &session, schema, &views, None, None, StatusCode::OK).await)
}

/// `POST /{kind}/merge`: merges and shows the surviving record.
pub async fn submit(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Path(kind): Path<String>,
    form: WebForm,
) -> WebResult {
    let schema = schema_at(&session, &kind)?;
    let ids = parse_ids(form.get("ids").unwrap_or_default())?;
    let survivor = form
        .get("survivor")
        .and_then(|s| Uuid::parse_str(s).ok())
        .filter(|s| ids.contains(s))
        .ok_or(WebError(AppError::BadRequest("survivor")))?;
    let picks: HashMap<String, Uuid> = form
        .0
        .iter()
        .filter_map(|(k, v)| {
            Some((
                k.strip_prefix("pick-")?.to_owned(),
                Uuid::parse_str(v).ok()?,
            ))
        })
        .collect();
    let request = MergeRequest {
        survivor,
        version: None,
        others: ids.iter().copied().filter(|id| *id != survivor).collect(),
        picks: picks
            .iter()
            .map(|(k, v)| (k.clone(), *v))
            .collect::<BTreeMap<_, _>>(),
    };
    match state.app.merge(&session, schema.kind, &request).await {
        Ok(view) => Ok(see_other(&format!("/{}/{}", schema.path, view.id))),
        Err(error @ (AppError::Validation(_) | AppError::VersionConflict)) => {
            let views = load(&state, &session, schema, &ids).await?;
            let alert = Some(t(
                session.locale,
                if matches!(error, AppError::VersionConflict) {
                    "form-conflict"
                } else {
                    "form-fix-errors"
                },
            ));
            Ok(page(
                &state,
                &session,
                schema,
                &views,
                Some((survivor, &picks)),
                alert,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await)
        }
        Err(error) => Err(error.into()),
    }
}
