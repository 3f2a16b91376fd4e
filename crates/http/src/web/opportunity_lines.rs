//! The opportunity page's products and quotes (issue 4 §2, §6): the deal's lines with their
//! totals and the new-line form (shared with sales documents), the quotes made from the deal
//! with the orders and invoices they became, and the button that makes another quote.

use askama::Template;
use axum::extract::{Path, State};
use peyvand_app::{AppError, DocumentLine, RecordView, Session};
use peyvand_domain::permission::{Action, RecordKind};
use peyvand_domain::pipeline::opportunity::{is_closed, may_reopen};
use peyvand_domain::record::Value;
use peyvand_domain::sales::totals::{LineAmounts, Totals, document_totals};
use uuid::Uuid;

use super::edit::FormField;
use super::format::Fmt;
use super::guard::WebSession;
use super::options::Opt;
use super::page::{WebError, WebResult, may, see_other};
use super::parse_id;
use super::sales::{LineItem, back, line_item, money, problem_text, product_options};
use crate::AppState;
use crate::i18n::t;

/// A quote made from the deal, with what it became.
#[derive(Debug, Clone)]
pub struct QuoteItem {
    /// Its page.
    pub href: String,
    /// Its number.
    pub number: String,
    /// Its status, translated.
    pub status: String,
    /// Its total, formatted.
    pub total: String,
    /// (link, number) of the order and the invoice it became, where the user may read them.
    pub followers: Vec<(String, String)>,
}

/// The panel of an opportunity's page.
#[derive(Template)]
#[template(path = "opportunity_panel.html")]
pub struct PanelTemplate {
    /// Frame (words, CSRF token).
    pub l: super::page::Layout,
    /// The opportunity's path.
    pub base: String,
    /// A problem the last action left, translated.
    pub problem: Option<String>,
    /// Lines.
    pub lines: Vec<LineItem>,
    /// Whether lines may change now (rights, and a closed deal only for those who may reopen).
    pub lines_open: bool,
    /// Totals of the lines as (label, amount).
    pub totals: Vec<(String, String)>,
    /// Products for the new-line form.
    pub products: Vec<Opt>,
    /// Quotes made from the deal.
    pub quotes: Vec<QuoteItem>,
    /// Whether the user may make a quote from the deal.
    pub can_quote: bool,
}

fn amounts(line: &DocumentLine) -> LineAmounts {
    LineAmounts {
        gross: line.gross,
        discount: line.discount,
        net: line.net,
        tax: line.tax,
        total: line.total,
    }
}

/// The totals of a deal's lines (zero for none).
fn lines_totals(lines: &[DocumentLine]) -> Totals {
    document_totals(lines.iter().map(amounts).collect::<Vec<_>>().iter()).unwrap_or_default()
}

/// Shows an opportunity's amount read-only on its edit form when the deal has product lines:
/// then the amount is the lines' total, set when the lines change, and a typed one would only
/// be refused (`amount_from_lines`). A read-only value is not a form control, so the form does
/// not send the amount and the save leaves it as the lines made it. Other kinds are untouched.
pub(super) async fn amount_from_lines(
    state: &AppState,
    session: &Session,
    kind: RecordKind,
    id: Uuid,
    fields: &mut [FormField],
) -> WebResult<()> {
    if kind != RecordKind::Opportunity {
        return Ok(());
    }
    let Some(field) = fields.iter_mut().find(|f| f.name == "amount") else {
        return Ok(());
    };
    let lines = state.app.document_lines(session, kind, id).await?;
    if lines.is_empty() {
        return Ok(());
    }
    let fmt = Fmt::of(session);
    field.widget = "readonly";
    field.value = money(&fmt, lines_totals(&lines).total);
    field.required = false;
    field.hint = t(fmt.locale, "opportunity-amount-readonly-hint");
    Ok(())
}

fn number_of(view: &RecordView) -> String {
    view.get("number").as_text().unwrap_or_default().to_owned()
}

fn quote_item(
    fmt: &Fmt,
    session: &Session,
    found: &peyvand_app::pipeline::OpportunityQuote,
) -> QuoteItem {
    let href = |view: &RecordView| format!("/{}/{}", session.schema(view.kind).path, view.id);
    let quote = &found.quote;
    QuoteItem {
        href: href(quote),
        number: number_of(quote),
        status: quote
            .get("status")
            .as_text()
            .map(|s| t(fmt.locale, &format!("choice-{s}")))
            .unwrap_or_default(),
        total: match quote.get("total") {
            Value::Int(n) => money(fmt, *n),
            _ => String::new(),
        },
        followers: [&found.order, &found.invoice]
            .into_iter()
            .flatten()
            .map(|view| (href(view), number_of(view)))
            .collect(),
    }
}

/// The panel for an opportunity's page; empty for other kinds.
pub async fn record_panel(
    state: &AppState,
    session: &Session,
    view: &RecordView,
    problem: Option<&String>,
) -> WebResult<String> {
    if view.kind != RecordKind::Opportunity {
        return Ok(String::new());
    }
    let fmt = Fmt::of(session);
    let base = format!("/{}/{}", session.schema(view.kind).path, view.id);
    let lines = state
        .app
        .document_lines(session, view.kind, view.id)
        .await?;
    let totals = lines_totals(&lines);
    let totals = [
        ("field-subtotal", totals.gross),
        ("field-discount_total", totals.discount),
        ("field-tax_total", totals.tax),
        ("field-total", totals.total),
    ]
    .iter()
    .map(|(label, amount)| (t(fmt.locale, label), money(&fmt, *amount)))
    .collect();
    let closed = is_closed(view.get("status").as_text().unwrap_or("open"));
    let update_scope = session
        .actor
        .grants
        .scope(RecordKind::Opportunity, Action::Update);
    let can_update = may(session, RecordKind::Opportunity, Action::Update);
    let lines_open = can_update && (!closed || may_reopen(update_scope));
    let products = if lines_open {
        product_options(state, session).await
    } else {
        Vec::new()
    };
    let quotes = state.app.opportunity_quotes(session, view.id).await?;
    let template = PanelTemplate {
        l: super::page::Layout::new(session, String::new(), ""),
        problem: problem_text(&fmt, problem),
        lines: lines
            .iter()
            .enumerate()
            .map(|(i, line)| line_item(&fmt, &base, i, line))
            .collect(),
        lines_open,
        totals,
        products,
        quotes: quotes
            .iter()
            .map(|q| quote_item(&fmt, session, q))
            .collect(),
        can_quote: can_update && may(session, RecordKind::Quote, Action::Create),
        base,
    };
    template
        .render()
        .map_err(|e| WebError(AppError::Internal(e.to_string())))
}

/// `POST /opportunities/{id}/quote`: a new draft quote from the deal, whose page then opens.
pub async fn make_quote(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Path(id): Path<String>,
) -> WebResult {
    let id = parse_id(&id)?;
    match state.app.quote_from_opportunity(&session, id).await {
        Ok(quote) => Ok(see_other(&format!(
            "/{}/{}",
            session.schema(quote.kind).path,
            quote.id
        ))),
        Err(error) => back(&format!("/opportunities/{id}"), "quotes", Err(error)),
    }
}
