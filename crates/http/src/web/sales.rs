//! Sales documents (issue 4) on the web: the page of a quote, order or invoice with its lines,
//! totals, status moves, approval, conversion and payments, and the forms those post.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use peyvand_app::sales::{LineChange, document_kind};
use peyvand_app::{AppError, DocumentLine, RecordView, Session};
use peyvand_domain::permission::{Action, RecordKind};
use peyvand_domain::record::{Input, Schema, Value};
use peyvand_domain::sales::percent::format_percent;
use peyvand_domain::sales::status::{DocumentKind, may_convert, may_move};
use std::collections::BTreeMap;

use super::form::WebForm;
use super::format::{Cell, Fmt, load_titles, references};
use super::guard::WebSession;
use super::options::{Opt, record_choices};
use super::page::{Layout, WebError, WebResult, kind_label_one, may, render, see_other};
use super::timeline::{TimelineItem, timeline_items};
use super::{parse_id, schema_at};
use crate::AppState;
use crate::i18n::t;

/// One line as shown.
#[derive(Debug, Clone)]
pub struct LineItem {
    /// Where its forms post.
    pub action: String,
    /// Position, from 1.
    pub number: String,
    /// What is sold.
    pub description: String,
    /// Quantity, formatted.
    pub quantity: String,
    /// Quantity as typed back into the form.
    pub quantity_input: String,
    /// Unit price, formatted.
    pub unit_price: String,
    /// Discount, formatted.
    pub discount: String,
    /// Tax rate, formatted.
    pub tax_rate: String,
    /// Net amount, formatted.
    pub net: String,
    /// Total, formatted.
    pub total: String,
}

/// A button that moves the document to another status.
#[derive(Debug, Clone)]
pub struct MoveButton {
    /// Status code posted.
    pub status: String,
    /// Translated label.
    pub label: String,
}

/// A payment as listed on an invoice.
#[derive(Debug, Clone)]
pub struct PaymentItem {
    /// Its page.
    pub href: String,
    /// Date, formatted.
    pub paid_on: String,
    /// Amount, formatted.
    pub amount: String,
    /// Method, translated.
    pub method: String,
    /// Reference.
    pub reference: String,
}

/// The page of a quote, order or invoice.
#[derive(Template)]
#[template(path = "sales_document.html")]
pub struct DocumentTemplate {
    /// Frame.
    pub l: Layout,
    /// The number.
    pub heading: String,
    /// Kind name (singular).
    pub kind_one: String,
    /// Base path.
    pub base: String,
    /// A problem reported by the last action, translated.
    pub problem: Option<String>,
    /// Whether the user may edit the record's fields.
    pub can_edit: bool,
    /// Whether the user may delete it.
    pub can_delete: bool,
    /// Whether its lines may change now (status and rights).
    pub lines_open: bool,
    /// The document's fields.
    pub fields: Vec<Cell>,
    /// Lines.
    pub lines: Vec<LineItem>,
    /// Totals as (label, amount).
    pub totals: Vec<(String, String)>,
    /// Status moves allowed now.
    pub moves: Vec<MoveButton>,
    /// Whether an approve button is shown.
    pub can_approve: bool,
    /// Whether the document waits for approval.
    pub pending: bool,
    /// Label of the convert button, when conversion is possible.
    pub convert_label: Option<String>,
    /// The document it became, if converted.
    pub converted_href: Option<String>,
    /// Products for the new-line form.
    pub products: Vec<Opt>,
    /// Whether this is an invoice (payments section).
    pub is_invoice: bool,
    /// Payments of an invoice.
    pub payments: Vec<PaymentItem>,
    /// Whether a payment may be recorded now.
    pub can_pay: bool,
    /// Amount still due, formatted.
    pub due: String,
    /// Payment methods.
    pub methods: Vec<Opt>,
    /// Timeline.
    pub timeline: Vec<TimelineItem>,
}

/// The schema at `path` when it is a quote, order or invoice.
fn document_schema(
    session: &Session,
    path: &str,
) -> Result<(&'static Schema, DocumentKind), WebError> {
    let schema = schema_at(session, path)?;
    let kind = document_kind(schema.kind).ok_or(WebError(AppError::NotFound))?;
    Ok((schema, kind))
}

fn int(view: &RecordView, name: &str) -> i64 {
    match view.get(name) {
        Value::Int(n) => *n,
        _ => 0,
    }
}

/// Money in the user's digits with the currency word.
pub fn money(fmt: &Fmt, rials: i64) -> String {
    format!("{} {}", fmt.integer(rials), t(fmt.locale, "rial"))
}

pub(crate) fn line_item(fmt: &Fmt, base: &str, index: usize, line: &DocumentLine) -> LineItem {
    LineItem {
        action: format!("{base}/lines/{}", line.id),
        number: fmt.integer(i64::try_from(index + 1).unwrap_or(0)),
        description: line.description.clone(),
        quantity: fmt.integer(line.quantity),
        quantity_input: line.quantity.to_string(),
        unit_price: fmt.integer(line.unit_price),
        discount: format_percent(line.discount_bp, fmt.locale),
        tax_rate: format_percent(line.tax_bp, fmt.locale),
        net: fmt.integer(line.net),
        total: fmt.integer(line.total),
    }
}

/// The problem an action left, from `?problem=field:code` or `?problem=error:code`.
pub(crate) fn problem_text(fmt: &Fmt, problem: Option<&String>) -> Option<String> {
    let (field, code) = problem?.split_once(':')?;
    // Codes may hold digits ("over_100_percent").
    let safe = |s: &str| {
        s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    };
    if !safe(field) || !safe(code) {
        return None;
    }
    Some(if field == "error" {
        t(fmt.locale, &format!("error-{code}"))
    } else {
        format!(
            "{}: {}",
            super::page::field_label(fmt.locale, field),
            t(fmt.locale, &format!("field-error-{code}"))
        )
    })
}

/// `GET /{kind}/{id}` for quotes, orders and invoices.
pub async fn show(
    state: &AppState,
    session: &Session,
    schema: &'static Schema,
    view: RecordView,
    problem: Option<&String>,
) -> WebResult<Response> {
    let doc_kind = document_kind(schema.kind).ok_or(WebError(AppError::NotFound))?;
    let fmt = Fmt::of(session);
    let base = format!("/{}/{}", schema.path, view.id);
    let status = view.get("status").as_text().unwrap_or_default().to_owned();
    let can_edit = may(session, schema.kind, Action::Update);
    let visible: Vec<_> = schema
        .fields
        .iter()
        .filter(|f| view.fields.contains_key(f.name))
        .collect();
    let titles = load_titles(
        &state.app,
        session,
        references(visible.iter().copied(), [&view.fields]),
    )
    .await;
    let fields = visible
        .iter()
        .map(|def| fmt.cell(def, view.get(def.name), &titles))
        .collect();
    let lines = state
        .app
        .document_lines(session, schema.kind, view.id)
        .await?;
    let lines = lines
        .iter()
        .enumerate()
        .map(|(i, line)| line_item(&fmt, &base, i, line))
        .collect();
    let totals = [
        ("field-subtotal", "subtotal"),
        ("field-discount_total", "discount_total"),
        ("field-tax_total", "tax_total"),
        ("field-total", "total"),
    ]
    .iter()
    .map(|(label, name)| (t(fmt.locale, label), money(&fmt, int(&view, name))))
    .collect();
    let pending = view.get("approval").as_text() == Some("pending");
    let moves = doc_kind
        .statuses()
        .iter()
        .filter(|to| can_edit && !pending && may_move(doc_kind, &status, to))
        .filter(|to| **to != "cancelled" || int(&view, "paid_total") == 0)
        .map(|to| MoveButton {
            status: (*to).to_owned(),
            label: t(fmt.locale, &format!("sales-move-{to}")),
        })
        .collect();
    let link = match doc_kind {
        DocumentKind::Quote => Some(("order_id", RecordKind::Order)),
        DocumentKind::Order => Some(("invoice_id", RecordKind::Invoice)),
        DocumentKind::Invoice => None,
    };
    let converted_href = link.and_then(|(field, kind)| {
        view.get(field)
            .as_id()
            .map(|id| format!("/{}/{id}", peyvand_domain::record::schema(kind).path))
    });
    let convert_label = link
        .filter(|(_, kind)| {
            converted_href.is_none()
                && can_edit
                && !pending
                && may(session, *kind, Action::Create)
                && may_convert(doc_kind, &status)
        })
        .map(|(_, kind)| t(fmt.locale, &format!("sales-convert-to-{}", kind.code())));
    let locked = peyvand_app::sales::document_locked(doc_kind, &view.fields);
    let lines_open = can_edit && !locked;
    // The products are offered only where a line can be added.
    let products = if lines_open {
        product_options(state, session).await
    } else {
        Vec::new()
    };
    let is_invoice = doc_kind == DocumentKind::Invoice;
    let due = int(&view, "total") - int(&view, "paid_total");
    let payments = if is_invoice {
        payment_items(state, session, &fmt, view.id).await
    } else {
        Vec::new()
    };
    let entries = state.app.timeline(session, schema.kind, view.id).await?;
    let timeline = timeline_items(&state.app, session, schema, &entries).await;
    let template = DocumentTemplate {
        heading: view.title.clone(),
        kind_one: kind_label_one(session.locale, schema.kind),
        problem: problem_text(&fmt, problem),
        can_edit,
        can_delete: may(session, schema.kind, Action::Delete) && !locked,
        lines_open,
        fields,
        lines,
        totals,
        moves,
        can_approve: pending && can_edit,
        pending,
        convert_label,
        converted_href,
        products,
        is_invoice,
        payments,
        can_pay: is_invoice
            && due > 0
            && status != "cancelled"
            && may(session, RecordKind::Payment, Action::Create),
        due: money(&fmt, due),
        methods: peyvand_domain::sales::status::PAYMENT_METHODS
            .iter()
            .map(|m| Opt {
                value: (*m).to_owned(),
                label: t(fmt.locale, &format!("choice-{m}")),
                selected: *m == "transfer",
            })
            .collect(),
        timeline,
        l: Layout::new(session, view.title.clone(), schema.path),
        base,
    };
    Ok(render(&template))
}

/// The products the user may read, for the new-line form.
pub(crate) async fn product_options(state: &AppState, session: &Session) -> Vec<Opt> {
    record_choices(&state.app, session, RecordKind::Product)
        .await
        .into_iter()
        .map(|(id, title)| Opt {
            value: id.to_string(),
            label: title,
            selected: false,
        })
        .collect()
}

async fn payment_items(
    state: &AppState,
    session: &Session,
    fmt: &Fmt,
    invoice: uuid::Uuid,
) -> Vec<PaymentItem> {
    let params = peyvand_app::ListParams {
        filters: BTreeMap::from([("invoice_id".to_owned(), invoice.to_string())]),
        limit: Some(200),
        ..Default::default()
    };
    let Ok(page) = state.app.list(session, RecordKind::Payment, &params).await else {
        return Vec::new();
    };
    page.items
        .iter()
        .map(|p| PaymentItem {
            href: format!("/payments/{}", p.id),
            paid_on: match p.get("paid_on") {
                Value::Date(d) => {
                    peyvand_domain::calendar::format_date(*d, fmt.calendar, fmt.locale)
                }
                _ => String::new(),
            },
            amount: money(fmt, int(p, "amount")),
            method: p
                .get("method")
                .as_text()
                .map(|m| t(fmt.locale, &format!("choice-{m}")))
                .unwrap_or_default(),
            reference: p.get("reference").as_text().unwrap_or_default().to_owned(),
        })
        .collect()
}

/// Where to go after an action: back to the document, with the problem if it failed.
pub(crate) fn back(base: &str, anchor: &str, result: Result<(), AppError>) -> WebResult {
    match result {
        Ok(()) => Ok(see_other(&format!("{base}#{anchor}"))),
        Err(AppError::Validation(errors)) => {
            let (field, error) = errors
                .fields
                .iter()
                .next()
                .map(|(f, e)| (f.clone(), e.code()))
                .unwrap_or_default();
            Ok(see_other(&format!(
                "{base}?problem={field}:{error}#{anchor}"
            )))
        }
        Err(
            error @ (AppError::AlreadyConverted
            | AppError::Forbidden
            | AppError::VersionConflict
            | AppError::ReopenForbidden),
        ) => Ok(see_other(&format!(
            "{base}?problem=error:{}#{anchor}",
            error.code().code
        ))),
        Err(other) => Err(WebError(other)),
    }
}

/// The schema at `path` when its records have lines: documents and opportunities (issue 4 §2).
fn lines_schema(session: &Session, path: &str) -> Result<&'static Schema, WebError> {
    let schema = schema_at(session, path)?;
    if schema.kind == RecordKind::Opportunity {
        return Ok(schema);
    }
    Ok(document_schema(session, path)?.0)
}

/// The line values a form posted (empty boxes are left out, so the proposals apply).
fn line_inputs(form: &WebForm) -> BTreeMap<String, Input> {
    [
        "product_id",
        "description",
        "quantity",
        "unit_price",
        "discount_bp",
        "tax_bp",
    ]
    .iter()
    .filter_map(|name| {
        let value = form.get(name)?.trim();
        (!value.is_empty()).then(|| ((*name).to_owned(), Input::Text(value.to_owned())))
    })
    .collect()
}

/// `POST /{kind}/{id}/lines` (documents and opportunities).
pub async fn add_line(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Path((kind, id)): Path<(String, String)>,
    form: WebForm,
) -> WebResult {
    let schema = lines_schema(&session, &kind)?;
    let id = parse_id(&id)?;
    let base = format!("/{}/{id}", schema.path);
    let change = LineChange::Add(line_inputs(&form));
    let result = state
        .app
        .edit_document_lines(&session, schema.kind, id, change, session.calendar)
        .await
        .map(|_| ());
    back(&base, "lines", result)
}

/// `POST /{kind}/{id}/lines/{line}`: new quantity, price or discount of a line.
pub async fn update_line(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Path((kind, id, line)): Path<(String, String, String)>,
    form: WebForm,
) -> WebResult {
    let schema = lines_schema(&session, &kind)?;
    let id = parse_id(&id)?;
    let base = format!("/{}/{id}", schema.path);
    let change = LineChange::Update(parse_id(&line)?, line_inputs(&form));
    let result = state
        .app
        .edit_document_lines(&session, schema.kind, id, change, session.calendar)
        .await
        .map(|_| ());
    back(&base, "lines", result)
}

/// `POST /{kind}/{id}/lines/{line}/delete`.
pub async fn delete_line(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Path((kind, id, line)): Path<(String, String, String)>,
) -> WebResult {
    let schema = lines_schema(&session, &kind)?;
    let id = parse_id(&id)?;
    let base = format!("/{}/{id}", schema.path);
    let change = LineChange::Remove(parse_id(&line)?);
    let result = state
        .app
        .edit_document_lines(&session, schema.kind, id, change, session.calendar)
        .await
        .map(|_| ());
    back(&base, "lines", result)
}

/// `POST /{kind}/{id}/status` with `status`.
pub async fn move_status(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Path((kind, id)): Path<(String, String)>,
    form: WebForm,
) -> WebResult {
    let (schema, _) = document_schema(&session, &kind)?;
    let id = parse_id(&id)?;
    let to = form.get("status").unwrap_or_default().to_owned();
    let result = state
        .app
        .move_document(&session, schema.kind, id, to)
        .await
        .map(|_| ());
    back(&format!("/{}/{id}", schema.path), "actions", result)
}

/// `POST /{kind}/{id}/approve`.
pub async fn approve(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Path((kind, id)): Path<(String, String)>,
) -> WebResult {
    let (schema, _) = document_schema(&session, &kind)?;
    let id = parse_id(&id)?;
    let result = state
        .app
        .approve_document(&session, schema.kind, id)
        .await
        .map(|_| ());
    back(&format!("/{}/{id}", schema.path), "actions", result)
}

/// `POST /{kind}/{id}/conversion`: the next document, whose page then opens.
pub async fn convert(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Path((kind, id)): Path<(String, String)>,
) -> WebResult {
    let (schema, _) = document_schema(&session, &kind)?;
    let id = parse_id(&id)?;
    match state.app.convert_document(&session, schema.kind, id).await {
        Ok(created) => Ok(see_other(&format!(
            "/{}/{}",
            session.schema(created.kind).path,
            created.id
        ))),
        Err(error) => back(&format!("/{}/{id}", schema.path), "actions", Err(error)),
    }
}

/// `POST /{kind}/{id}/payments`: a payment against the invoice.
pub async fn add_payment(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Path((kind, id)): Path<(String, String)>,
    form: WebForm,
) -> WebResult {
    let (schema, doc_kind) = document_schema(&session, &kind)?;
    if doc_kind != DocumentKind::Invoice {
        return Err(WebError(AppError::NotFound));
    }
    let id = parse_id(&id)?;
    let mut inputs: BTreeMap<String, Input> = ["amount", "paid_on", "method", "reference"]
        .iter()
        .filter_map(|name| {
            let value = form.get(name)?.trim();
            (!value.is_empty()).then(|| ((*name).to_owned(), Input::Text(value.to_owned())))
        })
        .collect();
    inputs.insert("invoice_id".into(), Input::Text(id.to_string()));
    let result = state
        .app
        .create(&session, RecordKind::Payment, &inputs, session.calendar)
        .await
        .map(|_| ());
    back(&format!("/{}/{id}", schema.path), "payments", result)
}

/// The query of a document page: the problem the last action left, if any.
#[derive(serde::Deserialize, Default)]
pub struct PageQuery {
    /// `field:code` or `error:code`.
    pub problem: Option<String>,
}

/// One of a customer's documents in the 360° view.
#[derive(Debug, Clone)]
pub struct TransactionRow {
    /// Kind, translated.
    pub kind: String,
    /// Its page.
    pub href: String,
    /// Number (or a payment's reference).
    pub title: String,
    /// Date, formatted.
    pub date: String,
    /// Status, translated.
    pub status: String,
    /// Amount, formatted.
    pub amount: String,
}

/// The transactions section of a customer's 360° view: quotes, orders, invoices and payments.
pub async fn transaction_rows(
    state: &AppState,
    session: &Session,
    kind: RecordKind,
    id: uuid::Uuid,
) -> WebResult<Vec<TransactionRow>> {
    let fmt = Fmt::of(session);
    let found = state.app.customer_transactions(session, kind, id).await?;
    let row = |view: &RecordView, date: &str, amount: &str| TransactionRow {
        kind: kind_label_one(fmt.locale, view.kind),
        href: format!("/{}/{}", session.schema(view.kind).path, view.id),
        title: view.title.clone(),
        date: match view.get(date) {
            Value::Date(d) => peyvand_domain::calendar::format_date(*d, fmt.calendar, fmt.locale),
            _ => String::new(),
        },
        status: view
            .get("status")
            .as_text()
            .or(view.get("method").as_text())
            .map(|s| t(fmt.locale, &format!("choice-{s}")))
            .unwrap_or_default(),
        amount: money(&fmt, int(view, amount)),
    };
    let documents = found
        .quotes
        .iter()
        .chain(&found.orders)
        .chain(&found.invoices)
        .map(|view| row(view, "issue_date", "total"));
    let payments = found
        .payments
        .iter()
        .map(|view| row(view, "paid_on", "amount"));
    Ok(documents.chain(payments).collect())
}
