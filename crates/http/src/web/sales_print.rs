//! `GET /{kind}/{id}/print`: a quote, order or invoice as a printable page — clean print CSS,
//! Persian or English (`?lang=`), Jalali or Gregorian dates as the user chose, amounts in
//! Rials or Tomans (`?currency=toman`).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use peyvand_app::AppError;
use peyvand_app::sales::document_kind;
use peyvand_domain::calendar::{Locale, format_date};
use peyvand_domain::permission::RecordKind;
use peyvand_domain::record::Value;
use peyvand_domain::sales::percent::format_percent;
use peyvand_domain::sales::status::DocumentKind;

use super::format::{Fmt, load_titles};
use super::guard::WebSession;
use super::page::{WebError, WebResult, kind_label_one, render};
use super::{parse_id, schema_at};
use crate::AppState;
use crate::i18n::t;

/// Rials in a Toman.
const RIALS_PER_TOMAN: i64 = 10;

/// An amount as a printed page shows it: Rials, or Tomans when `toman`. Tomans are Rials
/// divided by ten; amounts that are not whole Tomans keep their last digit as a decimal, so a
/// printed sum still adds up. Contracts print their value the same way.
pub(crate) fn print_amount(fmt: &Fmt, rials: i64, toman: bool) -> String {
    if !toman {
        return fmt.integer(rials);
    }
    let whole = fmt.integer(rials / RIALS_PER_TOMAN);
    match rials % RIALS_PER_TOMAN {
        0 => whole,
        rest => {
            let point = if fmt.locale == Locale::Fa { "٫" } else { "." };
            format!("{whole}{point}{}", fmt.digits(&rest.abs().to_string()))
        }
    }
}

/// The word of the currency a printed page shows amounts in.
pub(crate) fn currency_word(locale: Locale, toman: bool) -> String {
    t(locale, if toman { "toman" } else { "rial" })
}

/// The link that shows the same printed page in the other currency, and its label: a
/// relative query, so it serves the staff pages and the customer portal alike, keeping the
/// page's language.
pub(crate) fn currency_switch(locale: Locale, toman: bool) -> (String, String) {
    let currency = if toman { "" } else { "&currency=toman" };
    (
        format!("?lang={}{currency}", locale.code()),
        currency_word(locale, !toman),
    )
}

/// One printed line.
#[derive(Debug, Clone)]
pub struct PrintLine {
    /// Row number.
    pub number: String,
    /// Description.
    pub description: String,
    /// Quantity.
    pub quantity: String,
    /// Unit price.
    pub unit_price: String,
    /// Discount percent.
    pub discount: String,
    /// Tax percent.
    pub tax_rate: String,
    /// Line total.
    pub total: String,
}

/// The printable document.
#[derive(Template)]
#[template(path = "sales_print.html")]
pub struct PrintTemplate {
    /// `fa` or `en`.
    pub lang: &'static str,
    /// `rtl` or `ltr`.
    pub dir: &'static str,
    /// Translated words used on the page, by key.
    pub words: std::collections::BTreeMap<&'static str, String>,
    /// Document kind, translated.
    pub kind_name: String,
    /// Number.
    pub number: String,
    /// Issuing branch.
    pub branch: String,
    /// Customer name.
    pub customer: String,
    /// (label, value) of the dates and status.
    pub facts: Vec<(String, String)>,
    /// Lines.
    pub lines: Vec<PrintLine>,
    /// (label, amount) of the totals.
    pub totals: Vec<(String, String)>,
    /// The currency the amounts are in, translated.
    pub currency: String,
    /// The same page with the amounts in the other currency: (link, label).
    pub other_currency: (String, String),
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
    /// `fa` or `en`; the user's language when absent.
    pub(crate) lang: Option<String>,
    /// `toman` to print Tomans; Rials otherwise.
    pub(crate) currency: Option<String>,
}

impl PrintQuery {
    /// Whether the page is asked for in Tomans.
    pub(crate) fn toman(&self) -> bool {
        self.currency.as_deref() == Some("toman")
    }
}

/// `GET /{kind}/{id}/print`.
pub async fn show(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Path((kind, id)): Path<(String, String)>,
    Query(query): Query<PrintQuery>,
) -> WebResult<Response> {
    let schema = schema_at(&session, &kind)?;
    let id = parse_id(&id)?;
    let back = format!("/{}/{}", schema.path, id);
    print_page(&state, &session, schema.kind, id, &query, back).await
}

/// The printable page of document `id` of `kind` as `session` may read it; `back` is where its
/// link back goes (the staff page, or the customer portal).
pub(crate) async fn print_page(
    state: &AppState,
    session: &peyvand_app::Session,
    kind: RecordKind,
    id: uuid::Uuid,
    query: &PrintQuery,
    back: String,
) -> WebResult<Response> {
    let session = session.clone();
    let schema = session.schema(kind);
    let doc_kind = document_kind(schema.kind).ok_or(WebError(AppError::NotFound))?;
    let view = state.app.get(&session, schema.kind, id).await?;
    let lines = state
        .app
        .document_lines(&session, schema.kind, view.id)
        .await?;
    let mut fmt = Fmt::of(&session);
    if let Some(locale) = query.lang.as_deref().and_then(Locale::parse) {
        fmt.locale = locale;
    }
    let toman = query.toman();
    let amount = |rials: i64| print_amount(&fmt, rials, toman);
    let int = |name: &str| match view.get(name) {
        Value::Int(n) => *n,
        _ => 0,
    };
    let refs = [
        view.get("account_id")
            .as_id()
            .map(|id| (RecordKind::Account, id)),
        view.get("contact_id")
            .as_id()
            .map(|id| (RecordKind::Contact, id)),
        view.get("branch_id")
            .as_id()
            .map(|id| (RecordKind::Branch, id)),
    ];
    let titles = load_titles(&state.app, &session, refs.into_iter().flatten()).await;
    let title_of = |kind: RecordKind, field: &str| {
        view.get(field)
            .as_id()
            .and_then(|id| titles.get(&(kind, id)).cloned())
    };
    let customer = [
        title_of(RecordKind::Account, "account_id"),
        title_of(RecordKind::Contact, "contact_id"),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" — ");
    let locale = fmt.locale;
    let date_of = |name: &str| match view.get(name) {
        Value::Date(d) => Some(format_date(*d, fmt.calendar, locale)),
        _ => None,
    };
    let mut facts = vec![(
        t(locale, "field-issue_date"),
        date_of("issue_date").unwrap_or_default(),
    )];
    let extra_date = match doc_kind {
        DocumentKind::Quote => "valid_until",
        DocumentKind::Order => "delivery_date",
        DocumentKind::Invoice => "due_date",
    };
    if let Some(date) = date_of(extra_date) {
        facts.push((t(locale, &format!("field-{extra_date}")), date));
    }
    if let Some(status) = view.get("status").as_text() {
        facts.push((
            t(locale, "field-status"),
            t(locale, &format!("choice-{status}")),
        ));
    }
    let mut totals = vec![
        (t(locale, "field-subtotal"), amount(int("subtotal"))),
        (
            t(locale, "field-discount_total"),
            amount(int("discount_total")),
        ),
        (t(locale, "field-tax_total"), amount(int("tax_total"))),
        (t(locale, "field-total"), amount(int("total"))),
    ];
    if doc_kind == DocumentKind::Invoice {
        totals.push((t(locale, "field-paid_total"), amount(int("paid_total"))));
        totals.push((
            t(locale, "sales-due"),
            amount(int("total") - int("paid_total")),
        ));
    }
    let words = [
        "app-name",
        "sales-customer",
        "sales-issued-by",
        "field-description",
        "field-quantity",
        "field-unit_price",
        "field-discount_bp",
        "field-tax_bp",
        "field-total",
        "sales-amounts-in",
        "sales-signature-seller",
        "sales-signature-customer",
        "sales-print-now",
        "sales-back",
    ]
    .into_iter()
    .map(|key| (key, t(locale, key)))
    .collect();
    let template = PrintTemplate {
        lang: locale.code(),
        dir: if locale.is_rtl() { "rtl" } else { "ltr" },
        words,
        kind_name: kind_label_one(locale, schema.kind),
        number: view.title.clone(),
        branch: title_of(RecordKind::Branch, "branch_id").unwrap_or_default(),
        customer,
        facts,
        lines: lines
            .iter()
            .enumerate()
            .map(|(i, line)| PrintLine {
                number: fmt.integer(i64::try_from(i + 1).unwrap_or(0)),
                description: line.description.clone(),
                quantity: fmt.integer(line.quantity),
                unit_price: amount(line.unit_price),
                discount: format_percent(line.discount_bp, locale),
                tax_rate: format_percent(line.tax_bp, locale),
                total: amount(line.total),
            })
            .collect(),
        totals,
        currency: currency_word(locale, toman),
        other_currency: currency_switch(locale, toman),
        back,
    };
    Ok(render(&template))
}
