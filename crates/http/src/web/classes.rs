//! Customer classification pages (issue 4 §8): `/settings/classes` (the scheme, the price
//! lists of each class, a recompute button and the latest runs), `/settings/classes/runs/{id}`
//! (a run's progress, refreshing itself while it runs), and the class panel of a customer's
//! page (class, offer and price lists).

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use peyvand_app::classes::RunView;
use peyvand_app::{AppError, RecordView, Session};
use peyvand_domain::calendar::{Locale, format_date, parse_date};
use peyvand_domain::classes::{ClassDef, Criterion, MAX_CLASSES, Method, Period, Scheme};
use peyvand_domain::number::parse_integer;
use peyvand_domain::sales::percent::{parse_percent, percent_input_text};
use peyvand_domain::validation::{FieldError, ValidationErrors};

use super::form::WebForm;
use super::format::Fmt;
use super::guard::WebSession;
use super::options::Opt;
use super::page::{Layout, WebResult, render, see_other};
use super::parse_id;
use crate::AppState;
use crate::i18n::{t, t_args};

/// Runs listed on the settings page.
const RUNS_SHOWN: u64 = 10;
/// Empty class rows offered below the scheme's classes.
const SPARE_ROWS: usize = 2;

/// One class row of the form, as typed.
#[derive(Debug, Clone, Default)]
pub struct ClassRow {
    name: String,
    share: String,
    min: String,
    industries: String,
    offer: String,
    price_lists: Vec<(String, String)>,
}

/// One run as listed.
pub struct RunItem {
    href: String,
    origin: String,
    state: String,
    when: String,
    summary: String,
}

#[derive(Template)]
#[template(path = "classes_settings.html")]
struct SettingsPage {
    l: Layout,
    errors: Vec<String>,
    configured: bool,
    criteria: Vec<Opt>,
    period_kinds: Vec<Opt>,
    methods: Vec<Opt>,
    days: String,
    year: String,
    from: String,
    to: String,
    nightly: bool,
    rows: Vec<ClassRow>,
    runs: Vec<RunItem>,
    date_hint: String,
}

#[derive(Template)]
#[template(path = "classes_run.html")]
struct RunPage {
    l: Layout,
    running: bool,
    status: String,
    percent: i64,
    counts: Vec<(String, String, String)>,
    changed: String,
}

#[derive(Template)]
#[template(path = "classes_panel.html")]
struct Panel {
    l: Layout,
    class: String,
    offer: String,
    price_lists: Vec<(String, String)>,
}

fn options(l: &Layout, codes: &[&str], prefix: &str, chosen: &str) -> Vec<Opt> {
    codes
        .iter()
        .map(|code| Opt {
            value: (*code).to_owned(),
            label: l.t(&format!("{prefix}{code}")),
            selected: *code == chosen,
        })
        .collect()
}

/// The form's values of a stored scheme (or of the empty form).
struct FormState {
    criterion: String,
    period_kind: String,
    method: String,
    days: String,
    year: String,
    from: String,
    to: String,
    nightly: bool,
    rows: Vec<ClassRow>,
}

fn state_of(scheme: Option<&Scheme>, fmt: &Fmt) -> FormState {
    let Some(scheme) = scheme else {
        return FormState {
            criterion: "purchase_amount".into(),
            period_kind: "last_days".into(),
            method: "shares".into(),
            days: "365".into(),
            year: String::new(),
            from: String::new(),
            to: String::new(),
            nightly: true,
            rows: vec![ClassRow::default(); 3],
        };
    };
    let (mut days, mut year, mut from, mut to) = Default::default();
    let period_kind = match scheme.period {
        Period::LastDays { days: d } => {
            days = d.to_string();
            "last_days"
        }
        Period::JalaliYear { year: y } => {
            year = y.to_string();
            "jalali_year"
        }
        Period::Range { from: f, to: t } => {
            from = format_date(f, fmt.calendar, Locale::En);
            to = format_date(t, fmt.calendar, Locale::En);
            "range"
        }
    };
    FormState {
        criterion: scheme.criterion.code().into(),
        period_kind: period_kind.into(),
        method: match scheme.method {
            Method::Shares => "shares",
            Method::Thresholds => "thresholds",
        }
        .into(),
        days,
        year,
        from,
        to,
        nightly: scheme.nightly,
        rows: scheme
            .classes
            .iter()
            .map(|c| ClassRow {
                name: c.name.clone(),
                share: c.share_bp.map(percent_input_text).unwrap_or_default(),
                min: c.min.map(|m| m.to_string()).unwrap_or_default(),
                industries: c.industries.join("، "),
                offer: c.offer.clone(),
                price_lists: Vec::new(),
            })
            .collect(),
    }
}

fn state_from_form(form: &WebForm) -> FormState {
    let field = |name: &str| form.get(name).unwrap_or_default().trim().to_owned();
    let rows = (0..MAX_CLASSES)
        .map(|i| ClassRow {
            name: field(&format!("name_{i}")),
            share: field(&format!("share_{i}")),
            min: field(&format!("min_{i}")),
            industries: field(&format!("industries_{i}")),
            offer: field(&format!("offer_{i}")),
            price_lists: Vec::new(),
        })
        .filter(|r| {
            !(r.name.is_empty()
                && r.share.is_empty()
                && r.min.is_empty()
                && r.industries.is_empty()
                && r.offer.is_empty())
        })
        .collect();
    FormState {
        criterion: field("criterion"),
        period_kind: field("period_kind"),
        method: field("method"),
        days: field("days"),
        year: field("year"),
        from: field("from"),
        to: field("to"),
        nightly: form.get("nightly") == Some("1"),
        rows,
    }
}

/// The scheme the form describes, or the fields it could not read.
fn scheme_of(state: &FormState, fmt: &Fmt) -> Result<Scheme, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let criterion = Criterion::parse(&state.criterion).unwrap_or_else(|| {
        errors.add("criterion", FieldError::INVALID_CHOICE);
        Criterion::PurchaseAmount
    });
    let method = match state.method.as_str() {
        "thresholds" => Method::Thresholds,
        _ => Method::Shares,
    };
    let mut number = |name: &str, text: &str| -> i64 {
        parse_integer(text).unwrap_or_else(|e| {
            errors.add(name, e);
            0
        })
    };
    let period = match state.period_kind.as_str() {
        "jalali_year" => Period::JalaliYear {
            year: i32::try_from(number("period.year", &state.year)).unwrap_or(0),
        },
        "range" => {
            let day = |name: &str, text: &str, errors: &mut ValidationErrors| {
                parse_date(text, fmt.calendar).unwrap_or_else(|e| {
                    errors.add(name, e);
                    time::Date::MIN
                })
            };
            Period::Range {
                from: day("period.from", &state.from, &mut errors),
                to: day("period.to", &state.to, &mut errors),
            }
        }
        _ => Period::LastDays {
            days: number("period.days", &state.days),
        },
    };
    let mut classes = Vec::new();
    for (i, row) in state.rows.iter().enumerate() {
        let optional = |text: &str,
                        parse: fn(&str) -> Result<i64, FieldError>,
                        name: String,
                        errors: &mut ValidationErrors| {
            (!text.is_empty())
                .then(|| parse(text))
                .and_then(|r| r.map_err(|e| errors.add(name, e)).ok())
        };
        classes.push(ClassDef {
            name: row.name.clone(),
            share_bp: optional(
                &row.share,
                parse_percent,
                format!("classes.{i}.share_bp"),
                &mut errors,
            ),
            min: optional(
                &row.min,
                parse_integer,
                format!("classes.{i}.min"),
                &mut errors,
            ),
            industries: row
                .industries
                .split([',', '،', '\n'])
                .map(str::to_owned)
                .collect(),
            offer: row.offer.clone(),
        });
    }
    errors.into_result()?;
    Ok(Scheme {
        criterion,
        period,
        method,
        classes,
        nightly: state.nightly,
    })
}

/// The sentence of one field error: `classes.1.share_bp` reads "Class 2 — share: …".
fn sentence(locale: Locale, field: &str, code: &str) -> String {
    let message = t(locale, &format!("field-error-{code}"));
    let parts: Vec<&str> = field.split('.').collect();
    let label = match parts.as_slice() {
        ["classes", index, part] => {
            let n = index.parse::<usize>().unwrap_or(0) + 1;
            let number = Fmt {
                locale,
                calendar: peyvand_domain::calendar::CalendarKind::Jalali,
            }
            .integer(n as i64);
            t_args(
                locale,
                "classes-row-field",
                &[
                    ("n", number),
                    ("field", t(locale, &format!("classes-{part}"))),
                ],
            )
        }
        _ => t(locale, &format!("classes-{}", field.replace('.', "-"))),
    };
    format!("{label}: {message}")
}

fn sentences(locale: Locale, error: &AppError) -> Vec<String> {
    match error {
        AppError::Validation(errors) => errors
            .fields
            .iter()
            .map(|(field, code)| sentence(locale, field, code.code()))
            .collect(),
        _ => vec![t(locale, "error-internal")],
    }
}

fn run_summary(l: &Layout, fmt: &Fmt, run: &RunView) -> String {
    match run.state.as_str() {
        "done" => run
            .counts
            .iter()
            .map(|c| format!("{}: {}", c.class, fmt.integer(c.customers as i64)))
            .collect::<Vec<_>>()
            .join("، "),
        "failed" => l.t(&format!(
            "classes-error-{}",
            run.error.as_deref().unwrap_or("internal")
        )),
        _ => t_args(
            l.locale,
            "classes-percent",
            &[("percent", fmt.integer(run.percent))],
        ),
    }
}

async fn page(
    state: &AppState,
    session: &Session,
    form: Option<FormState>,
    errors: Vec<String>,
) -> WebResult<Response> {
    let fmt = Fmt::of(session);
    let scheme = state.app.classification_scheme(session).await?;
    let runs = state.app.classification_runs(session, RUNS_SHOWN).await?;
    let l = Layout::new(session, t(session.locale, "classes-title"), "settings");
    let mut form = form.unwrap_or_else(|| state_of(scheme.as_ref(), &fmt));
    let names: Vec<String> = form.rows.iter().map(|r| r.name.clone()).collect();
    let lists = state.app.class_price_lists(session, &names).await?;
    for (row, lists) in form.rows.iter_mut().zip(lists) {
        row.price_lists = lists
            .into_iter()
            .map(|(id, name)| (format!("/price-lists/{id}"), name))
            .collect();
    }
    let spare = (form.rows.len() + SPARE_ROWS).min(MAX_CLASSES);
    form.rows
        .resize(spare.max(form.rows.len()), ClassRow::default());
    let runs = runs
        .iter()
        .map(|run| RunItem {
            href: format!("/settings/classes/runs/{}", run.id),
            origin: l.t(&format!("classes-origin-{}", run.origin)),
            state: l.t(&format!("job-state-{}", run.state)),
            when: fmt.datetime(run.created_at),
            summary: run_summary(&l, &fmt, run),
        })
        .collect();
    let criteria: Vec<&str> = Criterion::ALL.iter().map(|c| c.code()).collect();
    let template = SettingsPage {
        errors,
        configured: scheme.is_some(),
        criteria: options(&l, &criteria, "classes-criterion-", &form.criterion),
        period_kinds: options(
            &l,
            &["last_days", "jalali_year", "range"],
            "classes-period-",
            &form.period_kind,
        ),
        methods: options(
            &l,
            &["shares", "thresholds"],
            "classes-method-",
            &form.method,
        ),
        days: form.days,
        year: form.year,
        from: form.from,
        to: form.to,
        nightly: form.nightly,
        rows: form.rows,
        runs,
        date_hint: fmt.date_placeholder(),
        l,
    };
    Ok(render(&template))
}

/// `GET /settings/classes`.
pub async fn show(
    State(state): State<AppState>,
    WebSession(session): WebSession,
) -> WebResult<Response> {
    page(&state, &session, None, Vec::new()).await
}

/// `POST /settings/classes`: saves the scheme.
pub async fn save(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    form: WebForm,
) -> WebResult<Response> {
    let fmt = Fmt::of(&session);
    let submitted = state_from_form(&form);
    let result = match scheme_of(&submitted, &fmt) {
        Ok(scheme) => state.app.set_classification_scheme(&session, scheme).await,
        Err(errors) => Err(AppError::Validation(errors)),
    };
    match result {
        Ok(_) => Ok(see_other("/settings/classes")),
        Err(error @ AppError::Validation(_)) => {
            let errors = sentences(session.locale, &error);
            page(&state, &session, Some(submitted), errors).await
        }
        Err(error) => Err(error.into()),
    }
}

/// `POST /settings/classes/recompute`: queues a run and shows its progress.
pub async fn recompute(
    State(state): State<AppState>,
    WebSession(session): WebSession,
) -> WebResult<Response> {
    match state.app.request_classification(&session).await {
        Ok(run) => Ok(see_other(&format!("/settings/classes/runs/{}", run.id))),
        // The only field a recompute can be refused on is the missing scheme.
        Err(AppError::Validation(_)) => {
            let errors = vec![t(session.locale, "classes-save-first")];
            page(&state, &session, None, errors).await
        }
        Err(error) => Err(error.into()),
    }
}

/// `GET /settings/classes/runs/{id}`: a run's progress; the page reloads itself while the run
/// is queued or running.
pub async fn run(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Path(id): Path<String>,
) -> WebResult<Response> {
    let run = state
        .app
        .classification_run(&session, parse_id(&id)?)
        .await?;
    let fmt = Fmt::of(&session);
    let l = Layout::new(&session, t(session.locale, "classes-run-title"), "settings");
    let running = matches!(run.state.as_str(), "queued" | "running");
    let status = match run.state.as_str() {
        "failed" => run_summary(&l, &fmt, &run),
        state => t_args(
            session.locale,
            &format!("classes-run-{state}"),
            &[
                ("done", fmt.integer(run.done)),
                ("total", fmt.integer(run.total)),
            ],
        ),
    };
    let template = RunPage {
        running,
        status,
        percent: run.percent,
        counts: run
            .counts
            .iter()
            .map(|c| {
                let href = format!(
                    "/accounts?customer_class={}",
                    super::form::encode_component(&c.class)
                );
                (c.class.clone(), href, fmt.integer(c.customers as i64))
            })
            .collect(),
        changed: fmt.integer(run.changed),
        l,
    };
    Ok(render(&template))
}

/// The class panel of a customer's page: its class, the class's offer and price lists; empty
/// for other records and for customers without a class.
pub async fn customer_panel(
    state: &AppState,
    session: &Session,
    view: &RecordView,
) -> WebResult<String> {
    if !view.kind.is_customer() {
        return Ok(String::new());
    }
    let class = view.get("customer_class").as_text().map(str::to_owned);
    let Some(found) = state
        .app
        .customer_class_view(session, class.as_deref())
        .await?
    else {
        return Ok(String::new());
    };
    let panel = Panel {
        l: Layout::new(session, String::new(), "-"),
        class: found.class,
        offer: found.offer,
        price_lists: found
            .price_lists
            .into_iter()
            .map(|(id, name)| (format!("/price-lists/{id}"), name))
            .collect(),
    };
    Ok(panel.render().unwrap_or_default())
}
