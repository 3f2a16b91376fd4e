//! Contracts (issue 4 §7) on the web: the contract panel of a contract's record page (status,
//! moves, renewal, the printable page), the placeholders on a template's page, the contracts
//! section of a customer's 360° view, and the printable contract (also shown in the portal).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use peyvand_app::{AppError, RecordView, Session};
use peyvand_domain::calendar::{Locale, format_date};
use peyvand_domain::contracts::placeholders::PLACEHOLDERS;
use peyvand_domain::contracts::status::{self, ACTIVE, APPROVED, DRAFT};
use peyvand_domain::permission::{Action, RecordKind};
use peyvand_domain::record::Value;

use super::form::WebForm;
use super::format::{Fmt, load_titles};
use super::guard::WebSession;
use super::page::{WebError, WebResult, field_label, may, render, see_other};
use super::parse_id;
use super::sales::money;
use crate::AppState;
use crate::i18n::{t, t_args};

/// The panel of a contract's or a template's record page.
#[derive(Template)]
#[template(path = "contract_panel.html")]
pub struct PanelTemplate {
    /// Frame (for translations and the CSRF token).
    pub l: super::page::Layout,
    /// The record's page.
    pub base: String,
    /// Whether this is a contract (else a template).
    pub is_contract: bool,
    /// The status, translated.
    pub status: String,
    /// The moves the user may ask for: (status code, button label).
    pub moves: Vec<(String, String)>,
    /// Whether the renew button shows.
    pub can_renew: bool,
    /// (label, link, title) of the contracts this one renews and is renewed by.
    pub links: Vec<(String, String, String)>,
    /// The problem the last action left, translated.
    pub problem: Option<String>,
    /// (placeholder, meaning) for a template's page.
    pub placeholders: Vec<(String, String)>,
}

/// The problem an action left, from `?problem=field:code` or `?problem=error:code`.
fn problem_text(locale: Locale, problem: Option<&String>) -> Option<String> {
    let (field, code) = problem?.split_once(':')?;
    let safe = |s: &str| s.chars().all(|c| c.is_ascii_lowercase() || c == '_');
    if !safe(field) || !safe(code) {
        return None;
    }
    Some(if field == "error" {
        t(locale, &format!("error-{code}"))
    } else {
        format!(
            "{}: {}",
            field_label(locale, field),
            t(locale, &format!("field-error-{code}"))
        )
    })
}

/// The panel for a contract or a contract template; empty for other kinds.
pub async fn record_panel(
    state: &AppState,
    session: &Session,
    view: &RecordView,
    problem: Option<&String>,
) -> WebResult<String> {
    let is_contract = match view.kind {
        RecordKind::Contract => true,
        RecordKind::ContractTemplate => false,
        _ => return Ok(String::new()),
    };
    let l = super::page::Layout::new(session, String::new(), "");
    let base = format!("/{}/{}", session.schema(view.kind).path, view.id);
    let mut panel = PanelTemplate {
        l,
        base,
        is_contract,
        status: String::new(),
        moves: Vec::new(),
        can_renew: false,
        links: Vec::new(),
        problem: problem_text(session.locale, problem),
        placeholders: Vec::new(),
    };
    if !is_contract {
        panel.placeholders = PLACEHOLDERS
            .iter()
            .map(|(name, _)| {
                let key = format!("contract-placeholder-{}", name.replace('.', "-"));
                (format!("{{{{{name}}}}}"), t(session.locale, &key))
            })
            .collect();
        return panel
            .render()
            .map_err(|e| WebError(AppError::Internal(e.to_string())));
    }
    let current = view.get("status").as_text().unwrap_or(DRAFT).to_owned();
    panel.status = t(session.locale, &format!("choice-{current}"));
    if may(session, RecordKind::Contract, Action::Update) {
        let manager = status::is_manager(
            session
                .actor
                .grants
                .scope(RecordKind::Contract, Action::Update),
        );
        panel.moves = [DRAFT, APPROVED, ACTIVE]
            .into_iter()
            .filter(|to| status::may_move(&current, to))
            .filter(|to| manager || !status::needs_manager(to))
            .map(|to| {
                (
                    to.to_owned(),
                    t(session.locale, &format!("contract-move-{to}")),
                )
            })
            .collect();
        panel.can_renew = status::may_renew(&current);
    }
    let linked: Vec<_> = [
        ("renews_id", "contract-renews"),
        ("renewed_by_id", "contract-renewed-by"),
    ]
    .into_iter()
    .filter_map(|(field, key)| view.get(field).as_id().map(|id| (key, id)))
    .collect();
    let titles = load_titles(
        &state.app,
        session,
        linked.iter().map(|(_, id)| (RecordKind::Contract, *id)),
    )
    .await;
    panel.links = linked
        .into_iter()
        .map(|(key, id)| {
            (
                t(session.locale, key),
                format!("/contracts/{id}"),
                titles
                    .get(&(RecordKind::Contract, id))
                    .cloned()
                    .unwrap_or_default(),
            )
        })
        .collect();
    panel
        .render()
        .map_err(|e| WebError(AppError::Internal(e.to_string())))
}

/// One contract in a customer's 360° view.
pub struct ContractRow {
    /// Its page.
    pub href: String,
    /// Number and title.
    pub title: String,
    /// Start and end, formatted.
    pub period: String,
    /// Status, translated.
    pub status: String,
    /// Value, formatted.
    pub value: String,
}

/// The contracts section of a customer's 360° view.
#[derive(Template)]
#[template(path = "contract_section.html")]
pub struct SectionTemplate {
    /// Frame.
    pub l: super::page::Layout,
    /// The customer's contracts.
    pub rows: Vec<ContractRow>,
    /// Where "new contract" goes, when the user may create one.
    pub new_href: Option<String>,
}

fn date_of(fmt: &Fmt, view: &RecordView, name: &str) -> String {
    match view.get(name) {
        Value::Date(d) => format_date(*d, fmt.calendar, fmt.locale),
        _ => String::new(),
    }
}

/// The contracts section for an account or a contact; empty for other kinds and for users who
/// may not read contracts.
pub async fn customer_section(
    state: &AppState,
    session: &Session,
    kind: RecordKind,
    id: uuid::Uuid,
) -> WebResult<String> {
    if !matches!(kind, RecordKind::Account | RecordKind::Contact)
        || !may(session, RecordKind::Contract, Action::Read)
    {
        return Ok(String::new());
    }
    let fmt = Fmt::of(session);
    let contracts = state.app.customer_contracts(session, kind, id).await?;
    let rows = contracts
        .iter()
        .map(|view| ContractRow {
            href: format!("/contracts/{}", view.id),
            title: view.title.clone(),
            period: format!(
                "{} – {}",
                date_of(&fmt, view, "start_date"),
                date_of(&fmt, view, "end_date")
            ),
            status: view
                .get("status")
                .as_text()
                .map(|s| fmt.choice(s))
                .unwrap_or_default(),
            value: match view.get("value") {
                Value::Int(n) => money(&fmt, *n),
                _ => String::new(),
            },
        })
        .collect();
    let section = SectionTemplate {
        l: super::page::Layout::new(session, String::new(), ""),
        rows,
        new_href: may(session, RecordKind::Contract, Action::Create)
            .then(|| "/contracts/new".to_owned()),
    };
    section
        .render()
        .map_err(|e| WebError(AppError::Internal(e.to_string())))
}

/// Where to go after an action: back to the contract, with the problem if it failed.
fn back(path: &str, result: Result<(), AppError>) -> WebResult {
    let problem = match result {
        Ok(()) => return Ok(see_other(&format!("{path}#contract"))),
        Err(AppError::Validation(errors)) => errors
            .fields
            .iter()
            .next()
            .map(|(f, e)| format!("{f}:{}", e.code()))
            .unwrap_or_default(),
        Err(
            error @ (AppError::ContractTransition { .. }
            | AppError::Forbidden
            | AppError::VersionConflict),
        ) => format!("error:{}", error.code().code),
        Err(other) => return Err(WebError(other)),
    };
    Ok(see_other(&format!("{path}?problem={problem}#contract")))
}

/// `POST /contracts/{id}/move` with `status`.
pub async fn move_contract(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Path(id): Path<String>,
    form: WebForm,
) -> WebResult {
    let id = parse_id(&id)?;
    let to = form.get("status").unwrap_or_default().to_owned();
    let result = state.app.move_contract(&session, id, to).await.map(|_| ());
    back(&format!("/contracts/{id}"), result)
}

/// `POST /contracts/{id}/renew`: on success, the new draft's page.
pub async fn renew(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Path(id): Path<String>,
) -> WebResult {
    let id = parse_id(&id)?;
    match state.app.renew_contract(&session, id).await {
        Ok(renewal) => Ok(see_other(&format!("/contracts/{}", renewal.id))),
        Err(error) => back(&format!("/contracts/{id}"), Err(error)),
    }
}

/// The printable contract.
#[derive(Template)]
#[template(path = "contract_print.html")]
pub struct PrintTemplate {
    /// `fa` or `en`.
    pub lang: &'static str,
    /// `rtl` or `ltr`.
    pub dir: &'static str,
    /// Translated words used on the page, by key.
    pub words: std::collections::BTreeMap<&'static str, String>,
    /// Number and title.
    pub heading: String,
    /// Issuing branch.
    pub branch: String,
    /// Customer names.
    pub customer: String,
    /// (label, value) of dates, value and status.
    pub facts: Vec<(String, String)>,
    /// The currency the value is in, translated.
    pub currency: String,
    /// The same page with the value in the other currency: (link, label).
    pub other_currency: (String, String),
    /// The contract's text, one paragraph per line.
    pub paragraphs: Vec<String>,
    /// Where the page came from (a link back).
    pub back: String,
}

impl PrintTemplate {
    /// A translated word of the page.
    pub fn w<'a>(&'a self, key: &'a str) -> &'a str {
        self.words.get(key).map(String::as_str).unwrap_or(key)
    }
}

/// The query of the printable page.
#[derive(serde::Deserialize, Default)]
pub struct PrintQuery {
    /// `fa` or `en`; the contract's language when absent.
    pub lang: Option<String>,
    /// `toman` to show the value in Tomans; Rials otherwise (as on documents' printable pages).
    pub currency: Option<String>,
}

/// `GET /contracts/{id}/print`.
pub async fn print(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Path(id): Path<String>,
    Query(query): Query<PrintQuery>,
) -> WebResult<Response> {
    let id = parse_id(&id)?;
    let locale = query.lang.as_deref().and_then(Locale::parse);
    let toman = query.currency.as_deref() == Some("toman");
    let back = format!("/contracts/{id}");
    print_page(&state, &session, id, locale, toman, back).await
}

/// The printable page of contract `id` as `session` may read it, in `locale` (else the
/// contract's language), its value in Tomans when `toman`; `back` is where its link back goes
/// (staff page or portal).
pub(crate) async fn print_page(
    state: &AppState,
    session: &Session,
    id: uuid::Uuid,
    locale: Option<Locale>,
    toman: bool,
    back: String,
) -> WebResult<Response> {
    let view = state.app.get(session, RecordKind::Contract, id).await?;
    let locale = locale
        .or_else(|| view.get("language").as_text().and_then(Locale::parse))
        .unwrap_or_default();
    // Dates in the Jalali calendar for Persian, the Gregorian for English.
    let fmt = Fmt {
        locale,
        calendar: if locale == Locale::Fa {
            peyvand_domain::calendar::CalendarKind::Jalali
        } else {
            peyvand_domain::calendar::CalendarKind::Gregorian
        },
    };
    let refs = [
        ("account_id", RecordKind::Account),
        ("contact_id", RecordKind::Contact),
        ("branch_id", RecordKind::Branch),
    ]
    .map(|(field, kind)| view.get(field).as_id().map(|id| (kind, id)));
    let titles = load_titles(&state.app, session, refs.iter().flatten().copied()).await;
    let title_of = |i: usize| {
        refs[i]
            .and_then(|key| titles.get(&key).cloned())
            .unwrap_or_default()
    };
    let customer = [title_of(0), title_of(1)]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" — ");
    let mut facts = vec![
        (
            t(locale, "field-start_date"),
            date_of(&fmt, &view, "start_date"),
        ),
        (
            t(locale, "field-end_date"),
            date_of(&fmt, &view, "end_date"),
        ),
    ];
    if let Value::Int(value) = view.get("value") {
        let value = super::sales_print::print_amount(&fmt, *value, toman);
        let currency = super::sales_print::currency_word(locale, toman);
        facts.push((t(locale, "field-value"), format!("{value} {currency}")));
    }
    if let Some(status) = view.get("status").as_text() {
        facts.push((t(locale, "field-status"), fmt.choice(status)));
    }
    let words = [
        "app-name",
        "sales-customer",
        "sales-issued-by",
        "sales-signature-seller",
        "sales-signature-customer",
        "sales-print-now",
        "sales-back",
        "sales-amounts-in",
    ]
    .into_iter()
    .map(|key| (key, t(locale, key)))
    .collect();
    let template = PrintTemplate {
        lang: locale.code(),
        dir: if locale.is_rtl() { "rtl" } else { "ltr" },
        words,
        heading: format!(
            "{} {}",
            super::page::kind_label_one(locale, RecordKind::Contract),
            view.title
        ),
        branch: title_of(2),
        customer,
        facts,
        currency: super::sales_print::currency_word(locale, toman),
        other_currency: super::sales_print::currency_switch(locale, toman),
        paragraphs: view
            .get("body")
            .as_text()
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect(),
        back,
    };
    Ok(render(&template))
}

/// The sentence naming an unknown placeholder, for forms and API errors.
pub fn unknown_placeholder_message(locale: Locale, name: &str) -> String {
    t_args(
        locale,
        "error-unknown_placeholder",
        &[("name", name.to_owned())],
    )
}
