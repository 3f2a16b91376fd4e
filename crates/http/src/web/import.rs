//! Importing from the web: upload a file, map its columns (with suggestions), check it with a
//! dry run, then import, following the background job's progress; the result lists every
//! rejected row and offers them as a file to fix.

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use peyvand_app::import::{ImportJob, ImportOptions, JobState, OnDuplicate};
use peyvand_app::{AppError, Session};
use peyvand_domain::calendar::CalendarKind;
use peyvand_domain::permission::Action;
use peyvand_domain::record::{CALENDARS, Schema};
use peyvand_tabular::ReadOptions;
use uuid::Uuid;

use super::form::{WebForm, encode_component};
use super::format::Fmt;
use super::guard::WebSession;
use super::options::{Opt, choice_options};
use super::page::{
    Layout, WebError, WebResult, def_label, kind_label, may, render, render_status, see_other,
};
use super::{parse_id, schema_at};
use crate::AppState;
use crate::i18n::{t, t_args};
use crate::importing::{describe_errors, describer, headers_and_suggestions};
use crate::uploads;

/// The upload form.
#[derive(Template)]
#[template(path = "import_upload.html")]
pub struct UploadTemplate {
    /// Frame.
    pub l: Layout,
    /// Heading.
    pub heading: String,
    /// Where the form posts (with the CSRF token in the query: see `guard`).
    pub action: String,
    /// A message above the form.
    pub alert: Option<String>,
}

/// One column of the file on the mapping page.
pub struct ColumnView {
    /// Its name in the file.
    pub header: String,
    /// Values from the first rows.
    pub sample: String,
    /// The fields to choose from, the suggestion selected.
    pub options: Vec<Opt>,
    /// Why the suggestion was made, if one was.
    pub suggested: String,
}

/// The mapping page.
#[derive(Template)]
#[template(path = "import_map.html")]
pub struct MapTemplate {
    /// Frame.
    pub l: Layout,
    /// Heading.
    pub heading: String,
    /// Where the form posts.
    pub action: String,
    /// URL segment of the kind.
    pub path: &'static str,
    /// The columns.
    pub columns: Vec<ColumnView>,
    /// Skip, update, create.
    pub duplicate_options: Vec<Opt>,
    /// Calendars for ambiguous dates.
    pub calendars: Vec<Opt>,
    /// A message above the form.
    pub alert: Option<String>,
}

/// One rejected row on the result page.
pub struct RejectedView {
    /// Line in the file, in the user's digits.
    pub line: String,
    /// Why, in words.
    pub reason: String,
    /// The row as read.
    pub cells: String,
}

/// The progress and result page.
#[derive(Template)]
#[template(path = "import_job.html")]
pub struct JobTemplate {
    /// Frame.
    pub l: Layout,
    /// Heading.
    pub heading: String,
    /// The job's id.
    pub id: Uuid,
    /// URL segment of the kind.
    pub path: &'static str,
    /// Whether it is still running (the page then refreshes itself).
    pub running: bool,
    /// Share of the file read.
    pub percent: u8,
    /// What is happening or what happened.
    pub status: String,
    /// Whether the outcome is good news.
    pub ok: bool,
    /// Created, updated, skipped, rejected.
    pub counts: String,
    /// Whether a dry run can now be run for real.
    pub can_run: bool,
    /// Whether there is a file of rejected rows.
    pub has_rejects: bool,
    /// The first rejected rows.
    pub rejected: Vec<RejectedView>,
    /// How many more were rejected than are listed.
    pub more_rejected: u64,
    /// "… and N more".
    pub more_text: String,
}

fn customer_schema(session: &Session, kind: &str) -> Result<&'static Schema, WebError> {
    let schema = schema_at(session, kind)?;
    if !schema.kind.is_customer() {
        return Err(WebError(AppError::NotFound));
    }
    if !may(session, schema.kind, Action::Create) {
        return Err(WebError(AppError::Forbidden));
    }
    Ok(schema)
}

fn upload_page(
    session: &Session,
    schema: &'static Schema,
    alert: Option<String>,
    status: StatusCode,
) -> Response {
    let heading = t_args(
        session.locale,
        "import-title",
        &[("kind", kind_label(session.locale, schema.kind))],
    );
    let csrf = session.csrf_token.clone().unwrap_or_default();
    let l = Layout::new(session, heading.clone(), schema.path);
    render_status(
        status,
        &UploadTemplate {
            l,
            heading,
            action: format!("/{}/import?_csrf={}", schema.path, encode_component(&csrf)),
            alert,
        },
    )
}

/// `GET /{kind}/import`.
pub async fn upload_form(WebSession(session): WebSession, Path(kind): Path<String>) -> WebResult {
    let schema = customer_schema(&session, &kind)?;
    Ok(upload_page(&session, schema, None, StatusCode::OK))
}

/// `POST /{kind}/import`: keeps the file and goes on to the mapping.
pub async fn upload(
    WebSession(session): WebSession,
    Path(kind): Path<String>,
    mut multipart: Multipart,
) -> WebResult {
    let schema = customer_schema(&session, &kind)?;
    let user = session.actor.user_id;
    while let Ok(Some(field)) = multipart.next_field().await {
        if field.name() != Some("file") {
            continue;
        }
        return match uploads::save(user, field).await {
            Ok(id) => Ok(see_other(&format!("/{}/import/{id}", schema.path))),
            Err(AppError::File(code)) => Ok(upload_page(
                &session,
                schema,
                Some(t(session.locale, &format!("file-error-{code}"))),
                StatusCode::UNPROCESSABLE_ENTITY,
            )),
            Err(error) => Err(error.into()),
        };
    }
    Ok(upload_page(
        &session,
        schema,
        Some(t(session.locale, "file-error-empty_file")),
        StatusCode::UNPROCESSABLE_ENTITY,
    ))
}

/// `GET /{kind}/import/{upload}`: the columns with suggested fields.
pub async fn map_form(
    WebSession(session): WebSession,
    Path((kind, upload)): Path<(String, String)>,
) -> WebResult {
    let schema = customer_schema(&session, &kind)?;
    let upload = parse_id(&upload)?;
    map_page(&session, schema, upload, None, StatusCode::OK).await
}

async fn map_page(
    session: &Session,
    schema: &'static Schema,
    upload: Uuid,
    alert: Option<String>,
    status: StatusCode,
) -> WebResult {
    let path = uploads::upload_path(session.actor.user_id, upload);
    if !path.exists() {
        return Err(WebError(AppError::NotFound));
    }
    let (headers, suggestions, sample) =
        match headers_and_suggestions(session, schema, path.clone()).await {
            Ok(found) => found,
            Err(AppError::File(code)) => {
                let _ = std::fs::remove_file(&path);
                return Ok(upload_page(
                    session,
                    schema,
                    Some(t(session.locale, &format!("file-error-{code}"))),
                    StatusCode::UNPROCESSABLE_ENTITY,
                ));
            }
            Err(error) => return Err(error.into()),
        };
    let fields: Vec<_> = peyvand_app::editable_fields(session, schema).collect();
    let columns = headers
        .iter()
        .enumerate()
        .map(|(i, header)| {
            let suggestion = suggestions.get(i).cloned().flatten();
            let chosen = suggestion
                .as_ref()
                .map(|s| s.field.clone())
                .unwrap_or_default();
            ColumnView {
                header: header.clone(),
                sample: sample
                    .iter()
                    .filter_map(|row| row.get(i))
                    .filter(|v| !v.is_empty())
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(" · "),
                options: fields
                    .iter()
                    .map(|def| Opt {
                        value: def.name.to_owned(),
                        label: def_label(session.locale, def),
                        selected: def.name == chosen,
                    })
                    .collect(),
                suggested: suggestion
                    .map(|s| {
                        t(
                            session.locale,
                            &format!("import-suggested-{}", s.kind.code()),
                        )
                    })
                    .unwrap_or_default(),
            }
        })
        .collect();
    let duplicate_options = [OnDuplicate::Skip, OnDuplicate::Update, OnDuplicate::Create]
        .into_iter()
        .map(|o| Opt {
            value: o.code().to_owned(),
            label: t(session.locale, &format!("import-duplicate-{}", o.code())),
            selected: o == OnDuplicate::Skip,
        })
        .collect();
    let heading = t_args(
        session.locale,
        "import-title",
        &[("kind", kind_label(session.locale, schema.kind))],
    );
    let l = Layout::new(session, heading.clone(), schema.path);
    Ok(render_status(
        status,
        &MapTemplate {
            l,
            heading,
            action: format!("/{}/import/{upload}", schema.path),
            path: schema.path,
            columns,
            duplicate_options,
            calendars: choice_options(&Fmt::of(session), CALENDARS, session.calendar.code()),
            alert,
        },
    ))
}

/// `POST /{kind}/import/{upload}`: starts the dry run or the import.
pub async fn start(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Path((kind, upload)): Path<(String, String)>,
    form: WebForm,
) -> WebResult {
    let schema = customer_schema(&session, &kind)?;
    let upload = parse_id(&upload)?;
    let user = session.actor.user_id;
    let path = uploads::upload_path(user, upload);
    if !path.exists() {
        return Err(WebError(AppError::NotFound));
    }
    let columns = (0..)
        .take_while(|i| form.get(&format!("map-{i}")).is_some())
        .count();
    let mapping = (0..columns)
        .map(|i| {
            form.get(&format!("map-{i}"))
                .filter(|f| !f.is_empty())
                .map(str::to_owned)
        })
        .collect();
    let dry_run = form.get("dry_run") == Some("true");
    let options = ImportOptions {
        kind: schema.kind,
        mapping,
        on_duplicate: form
            .get("on_duplicate")
            .and_then(OnDuplicate::parse)
            .unwrap_or(OnDuplicate::Skip),
        dry_run,
        keep_good_rows: form.checked("keep_good"),
        calendar: form
            .get("calendar")
            .and_then(CalendarKind::parse)
            .unwrap_or(session.calendar),
        read: ReadOptions::default(),
        rejects_path: Some(uploads::rejects_path(user, upload)),
        describe: describer(session.locale, schema),
        bulk_from_rows: peyvand_app::import::BULK_FROM_ROWS,
    };
    match state.app.start_import(&session, path, options, dry_run) {
        Ok(job) => Ok(see_other(&format!("/imports/{job}"))),
        Err(AppError::Validation(errors)) => {
            let reasons: Vec<String> = errors
                .fields
                .iter()
                .map(|(field, e)| {
                    format!(
                        "{field}: {}",
                        t(session.locale, &format!("field-error-{}", e.code()))
                    )
                })
                .collect();
            let alert = format!(
                "{} {}",
                t(session.locale, "import-map-invalid"),
                reasons.join(if session.locale.code() == "fa" {
                    "، "
                } else {
                    ", "
                })
            );
            map_page(
                &session,
                schema,
                upload,
                Some(alert),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(error) => Err(error.into()),
    }
}

fn counts(session: &Session, job: &ImportJob) -> String {
    let JobState::Done(report) = &job.state else {
        return String::new();
    };
    let fmt = Fmt::of(session);
    t_args(
        session.locale,
        if report.dry_run {
            "import-counts-dry"
        } else {
            "import-counts"
        },
        &[
            ("rows", fmt.integer(report.rows as i64)),
            ("created", fmt.integer(report.created as i64)),
            ("updated", fmt.integer(report.updated as i64)),
            ("skipped", fmt.integer(report.skipped as i64)),
            ("rejected", fmt.integer(report.rejected as i64)),
        ],
    )
}

fn status_text(session: &Session, job: &ImportJob) -> (String, bool) {
    let fmt = Fmt::of(session);
    let key = match &job.state {
        JobState::Running => {
            let rows = fmt.integer(job.progress.rows() as i64);
            return (
                t_args(session.locale, "import-running", &[("rows", rows)]),
                true,
            );
        }
        JobState::Failed(AppError::File(code)) => {
            return (t(session.locale, &format!("file-error-{code}")), false);
        }
        JobState::Failed(_) => "import-failed",
        JobState::Done(r) if r.cancelled => "import-cancelled",
        JobState::Done(r) if r.dry_run && r.rejected == 0 => "import-dry-ok",
        JobState::Done(r) if r.dry_run => "import-dry-rejected",
        JobState::Done(r) if r.committed => "import-done",
        JobState::Done(_) => "import-rolled-back",
    };
    let ok = matches!(key, "import-dry-ok" | "import-done");
    (t(session.locale, key), ok)
}

/// `GET /imports/{id}`: progress while running (the page refreshes itself), then the result.
pub async fn show(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Path(id): Path<String>,
) -> WebResult {
    let job = state.app.import_job(&session, parse_id(&id)?)?;
    let schema = session.schema(job.options.kind);
    let (status, ok) = status_text(&session, &job);
    let report = match &job.state {
        JobState::Done(report) => Some(report),
        _ => None,
    };
    let rejected: Vec<RejectedView> = report
        .map(|r| {
            r.rejected_rows
                .iter()
                .map(|row| RejectedView {
                    line: Fmt::of(&session).integer(row.line as i64),
                    reason: describe_errors(session.locale, schema, &row.errors),
                    cells: row.cells.join(" | "),
                })
                .collect()
        })
        .unwrap_or_default();
    let more_rejected = report.map_or(0, |r| {
        r.rejected.saturating_sub(r.rejected_rows.len() as u64)
    });
    let heading = t_args(
        session.locale,
        "import-title",
        &[("kind", kind_label(session.locale, schema.kind))],
    );
    let l = Layout::new(&session, heading.clone(), schema.path);
    Ok(render(&JobTemplate {
        l,
        heading,
        id: job.id,
        path: schema.path,
        running: matches!(job.state, JobState::Running),
        percent: job.progress.percent().unwrap_or(0),
        status,
        ok,
        counts: counts(&session, &job),
        can_run: report.is_some_and(|r| r.dry_run && !r.cancelled) && job.file.is_some(),
        has_rejects: report.is_some_and(|r| r.rejected > 0),
        rejected,
        more_rejected,
        more_text: t_args(
            session.locale,
            "import-more-rejected",
            &[("count", Fmt::of(&session).integer(more_rejected as i64))],
        ),
    }))
}

/// `POST /imports/{id}/run`: imports for real what a dry run checked.
pub async fn run(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Path(id): Path<String>,
) -> WebResult {
    let job = state.app.run_after_dry_run(&session, parse_id(&id)?)?;
    Ok(see_other(&format!("/imports/{job}")))
}

/// `POST /imports/{id}/cancel`.
pub async fn cancel(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Path(id): Path<String>,
) -> WebResult {
    let id = parse_id(&id)?;
    state.app.cancel_import(&session, id)?;
    Ok(see_other(&format!("/imports/{id}")))
}

/// `GET /imports/{id}/rejected`: the rejected rows as CSV.
pub async fn rejected(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Path(id): Path<String>,
) -> WebResult {
    let job = state.app.import_job(&session, parse_id(&id)?)?;
    crate::api::imports::rejected_file(&job).map_err(|e| match e {
        crate::error::ApiError::App(app) => WebError(app),
        crate::error::ApiError::Http(_) => WebError(AppError::NotFound),
    })
}
