//! The use cases of quotes, orders and invoices beyond generic records: editing lines, moving
//! between statuses, approving discounts and converting one document into the next.

use std::collections::BTreeMap;

use peyvand_domain::calendar::CalendarKind;
use peyvand_domain::permission::{Action, RecordKind};
use peyvand_domain::record::sales::{LINE_FIELDS, PRODUCTS};
use peyvand_domain::record::{self, Fields, Input, ROLES, Schema, USERS, Value, parse_field};
use peyvand_domain::sales::percent::FULL;
use peyvand_domain::sales::status::{DocumentKind, approval_needed, may_convert, may_move};
use peyvand_domain::sales::totals::{DocumentLines, EditError, LineEdit, LineInput, Totals};
use peyvand_domain::sales::{INVALID_TRANSITION, LOCKED};
use peyvand_domain::validation::{FieldError, ValidationErrors};
use peyvand_store::{LineRow, RecordRow, Tx};
use serde_json::json;
use uuid::Uuid;

use super::{document_kind, id, int, record_kind, text};
use crate::App;
use crate::auth::Session;
use crate::error::{AppError, AppResult};
use crate::records::{RecordView, audit, create_in, diff, read_checked, view};

/// A change to a document's lines, with raw values as a form or JSON body gave them.
#[derive(Debug, Clone)]
pub enum LineChange {
    /// A new line at the end.
    Add(BTreeMap<String, Input>),
    /// New values for some of a line's fields.
    Update(Uuid, BTreeMap<String, Input>),
    /// Removing a line.
    Remove(Uuid),
}

/// The refusal of a move that awaits approval.
pub const APPROVAL_PENDING: FieldError = FieldError("approval_pending");

/// Writes `changes` to a record as the system's consequence of an action (totals, statuses,
/// links), with a new version and an audit entry. Returns the record as now stored.
pub(crate) async fn set_fields(
    tx: &mut Tx,
    now: time::OffsetDateTime,
    session: &Session,
    schema: &Schema,
    row: &RecordRow,
    changes: Fields,
    action: &str,
) -> AppResult<RecordRow> {
    let changes: Fields = changes
        .into_iter()
        .filter(|(name, value)| row.fields.get(name) != Some(value))
        .collect();
    let mut merged = row.fields.clone();
    merged.extend(changes.clone());
    if changes.is_empty() {
        return Ok(row.clone());
    }
    let search = record::search_text(schema, &merged);
    if !tx
        .update_record(schema, row.id, row.version, now, &changes, &search, &[])
        .await?
    {
        return Err(AppError::VersionConflict);
    }
    let trail = diff(&row.fields, &changes, false);
    audit(tx, now, session, schema.kind, row.id, action, trail).await?;
    Ok(RecordRow {
        id: row.id,
        version: row.version + 1,
        fields: merged,
    })
}

/// The largest line discount the actor's role allows without approval. The system (demo data,
/// the command line) has no role and no limit.
async fn discount_limit(tx: &mut Tx, session: &Session) -> AppResult<i64> {
    let Some(user) = tx.get_record(&USERS, session.actor.user_id).await? else {
        return Ok(FULL);
    };
    let Some(role_id) = id(&user.fields, "role_id") else {
        return Ok(0);
    };
    let role = tx.get_record(&ROLES, role_id).await?;
    Ok(role.map_or(0, |r| int(&r.fields, "max_discount_bp")))
}

fn line_input(line: &LineRow) -> LineInput {
    LineInput {
        quantity: line.quantity,
        unit_price: line.unit_price,
        discount_bp: line.discount_bp,
        tax_bp: line.tax_bp,
    }
}

/// Reads a line's raw values with the line field definitions.
fn parse_line(inputs: &BTreeMap<String, Input>, calendar: CalendarKind) -> AppResult<Fields> {
    let mut errors = ValidationErrors::new();
    let mut values = Fields::new();
    for (name, input) in inputs {
        match LINE_FIELDS.iter().find(|f| f.name == name) {
            Some(def) => match parse_field(def, input, calendar) {
                Ok(value) => {
                    values.insert(def.name.into(), value);
                }
                Err(error) => errors.add(name.clone(), error),
            },
            None => errors.add(name.clone(), FieldError::UNKNOWN_FIELD),
        }
    }
    errors.into_result().map_err(AppError::Validation)?;
    Ok(values)
}

fn optional_int(fields: &Fields, name: &str) -> Option<i64> {
    match fields.get(name) {
        Some(Value::Int(n)) => Some(*n),
        _ => None,
    }
}

/// The line a change describes: given values over the old line's (for an update), the
/// product's name, proposed price and tax rate where nothing was given. The price is proposed
/// for `holder`'s customer on `price_day` (a document without an issue date has none).
async fn build_line(
    tx: &mut Tx,
    session: &Session,
    holder: &RecordRow,
    price_day: Option<time::Date>,
    old: Option<&LineRow>,
    given: &Fields,
) -> AppResult<LineRow> {
    let product_id = match given.get("product_id") {
        Some(value) => value.as_id(),
        None => old.and_then(|l| l.product_id),
    };
    let product_changed = given.contains_key("product_id");
    let product = match product_id {
        Some(pid) => Some(
            read_checked(tx, session, RecordKind::Product, pid, Action::Read)
                .await
                .map_err(|_| AppError::field("product_id", FieldError::NOT_FOUND))?
                .0,
        ),
        None => None,
    };
    let from_old = |f: fn(&LineRow) -> i64| old.filter(|_| !product_changed).map(f);
    let description = match given.get("description").and_then(Value::as_text) {
        Some(text) => text.to_owned(),
        None => match (old.filter(|_| !product_changed), &product) {
            (Some(old), _) => old.description.clone(),
            (None, Some(product)) => record::title(&PRODUCTS, &product.fields),
            (None, None) => String::new(),
        },
    };
    let mut errors = ValidationErrors::new();
    if description.trim().is_empty() {
        errors.add("description", FieldError::REQUIRED);
    }
    let unit_price = match optional_int(given, "unit_price").or(from_old(|l| l.unit_price)) {
        Some(price) => price,
        None => match &product {
            Some(product) => {
                let day =
                    price_day.ok_or_else(|| AppError::field("issue_date", FieldError::REQUIRED))?;
                super::pricing::proposed_in(tx, holder, product, day)
                    .await?
                    .unit_price
            }
            None => {
                errors.add("unit_price", FieldError::REQUIRED);
                0
            }
        },
    };
    let tax_bp = optional_int(given, "tax_bp")
        .or(from_old(|l| l.tax_bp))
        .or_else(|| product.as_ref().map(|p| int(&p.fields, "tax_rate_bp")))
        .unwrap_or(0);
    let quantity = optional_int(given, "quantity").or(old.map(|l| l.quantity));
    let Some(quantity) = quantity else {
        errors.add("quantity", FieldError::REQUIRED);
        return Err(AppError::Validation(errors));
    };
    errors.into_result().map_err(AppError::Validation)?;
    Ok(LineRow {
        id: old.map_or_else(Uuid::now_v7, |l| l.id),
        document_kind: String::new(),
        document_id: holder.id,
        position: old.map_or(0, |l| l.position),
        product_id,
        description,
        quantity,
        unit_price,
        discount_bp: optional_int(given, "discount_bp")
            .or(old.map(|l| l.discount_bp))
            .unwrap_or(0),
        tax_bp,
        gross: 0,
        discount: 0,
        net: 0,
        tax: 0,
        total: 0,
    })
}

/// A short account of a line for the audit trail ("2 × Laptop @ 1000, −5%").
pub(crate) fn line_summary(line: &LineRow) -> String {
    let discount = if line.discount_bp > 0 {
        format!(", -{}bp", line.discount_bp)
    } else {
        String::new()
    };
    format!(
        "{} × {} @ {}{discount}",
        line.quantity, line.description, line.unit_price
    )
}

fn edit_error(error: EditError) -> AppError {
    match error {
        EditError::Invalid(errors) => AppError::Validation(errors),
        EditError::NoSuchLine => AppError::NotFound,
    }
}

/// The document's totals, largest discount and approval after its lines changed.
fn totals_changes(doc: &DocumentLines, row: &RecordRow, limit: i64) -> Fields {
    let totals = doc.totals();
    let max_discount = doc.max_discount_bp();
    let mut changes = Fields::new();
    changes.insert("subtotal".into(), Value::Int(totals.gross));
    changes.insert("discount_total".into(), Value::Int(totals.discount));
    changes.insert("tax_total".into(), Value::Int(totals.tax));
    changes.insert("total".into(), Value::Int(totals.total));
    changes.insert("max_discount_bp".into(), Value::Int(max_discount));
    // An approval covers the discounts it saw: it stands while no line's discount grows
    // beyond what was approved.
    let approved = text(&row.fields, "approval") == "approved"
        && max_discount <= int(&row.fields, "max_discount_bp");
    if !approved {
        let approval = approval_needed(max_discount, limit);
        changes.insert("approval".into(), Value::Text(approval.into()));
        changes.insert("approved_by".into(), Value::Null);
    }
    changes
}

/// A change applied to the lines of a document or an opportunity and written to `sales_lines`.
pub(crate) struct EditedLines {
    /// Every line after the change, with its stored amounts.
    pub lines: Vec<LineRow>,
    /// The lines as the domain keeps them, with the totals.
    pub doc: DocumentLines,
    /// The line as it was, for an update or removal.
    pub before: Option<LineRow>,
    /// The index of the line as it is now, for an addition or update.
    pub after: Option<usize>,
}

impl EditedLines {
    /// The audit entry of the change: the line before and after.
    pub fn summary(&self) -> serde_json::Value {
        json!({
            "line": [
                self.before.as_ref().map(line_summary),
                self.after.map(|index| line_summary(&self.lines[index])),
            ]
        })
    }
}

/// The lines of `holder` (a document or an opportunity whose `sales_lines` rows carry
/// `holder_code`) after `change`: the line built with the product's proposals, the amounts
/// computed by `domain::sales::totals` and the changed row written. The caller checked rights
/// and status and writes the holder's new totals.
pub(crate) async fn apply_line_change(
    tx: &mut Tx,
    session: &Session,
    holder: &RecordRow,
    holder_code: &str,
    price_day: Option<time::Date>,
    change: &LineChange,
    calendar: CalendarKind,
) -> AppResult<EditedLines> {
    let mut lines = tx.sales_lines(holder.id).await?;
    let mut doc = DocumentLines::new(lines.iter().map(line_input)).map_err(edit_error)?;
    let position_of = |line_id: Uuid| lines.iter().position(|l| l.id == line_id);
    let (before, after) = match change {
        LineChange::Add(inputs) => {
            let given = parse_line(inputs, calendar)?;
            let mut line = build_line(tx, session, holder, price_day, None, &given).await?;
            line.position = lines.last().map_or(1, |l| l.position + 1);
            doc.apply(LineEdit::Add(line_input(&line)))
                .map_err(edit_error)?;
            lines.push(line);
            (None, Some(lines.len() - 1))
        }
        LineChange::Update(line_id, inputs) => {
            let index = position_of(*line_id).ok_or(AppError::NotFound)?;
            let given = parse_line(inputs, calendar)?;
            let old = Some(&lines[index]);
            let line = build_line(tx, session, holder, price_day, old, &given).await?;
            doc.apply(LineEdit::Update(index, line_input(&line)))
                .map_err(edit_error)?;
            let old = std::mem::replace(&mut lines[index], line);
            (Some(old), Some(index))
        }
        LineChange::Remove(line_id) => {
            let index = position_of(*line_id).ok_or(AppError::NotFound)?;
            doc.apply(LineEdit::Remove(index)).map_err(edit_error)?;
            (Some(lines.remove(index)), None)
        }
    };
    // The domain computed every line's amounts; store them as computed.
    for (line, (_, amounts)) in lines.iter_mut().zip(doc.lines()) {
        line.document_kind = holder_code.to_owned();
        line.gross = amounts.gross;
        line.discount = amounts.discount;
        line.net = amounts.net;
        line.tax = amounts.tax;
        line.total = amounts.total;
    }
    match (&before, after) {
        (None, Some(index)) => tx.insert_sales_line(&lines[index]).await?,
        (Some(_), Some(index)) => tx.update_sales_line(&lines[index]).await?,
        (Some(old), None) => tx.delete_sales_line(old.id).await?,
        (None, None) => {}
    }
    Ok(EditedLines {
        lines,
        doc,
        before,
        after,
    })
}

/// The totals of stored lines, computed again by the domain (the one totals function).
pub(crate) fn lines_totals(lines: &[LineRow]) -> AppResult<Totals> {
    Ok(DocumentLines::new(lines.iter().map(line_input))
        .map_err(edit_error)?
        .totals())
}

/// Copies `lines` (an opportunity's) onto a new draft document `target` of `target_kind`, with
/// their prices as they are, and writes the document's totals and need for approval as an
/// edit of its lines would. Returns the document as now stored.
pub(crate) async fn copy_lines_onto(
    tx: &mut Tx,
    now: time::OffsetDateTime,
    session: &Session,
    target_kind: DocumentKind,
    target: &RecordRow,
    lines: &[LineRow],
    mut extra: Fields,
) -> AppResult<RecordRow> {
    let doc = DocumentLines::new(lines.iter().map(line_input)).map_err(edit_error)?;
    for line in lines {
        let copy = LineRow {
            id: Uuid::now_v7(),
            document_kind: target_kind.code().to_owned(),
            document_id: target.id,
            ..line.clone()
        };
        tx.insert_sales_line(&copy).await?;
    }
    let limit = discount_limit(tx, session).await?;
    extra.extend(totals_changes(&doc, target, limit));
    let schema = session.schema(record_kind(target_kind));
    set_fields(tx, now, session, schema, target, extra, "update").await
}

pub(super) async fn edit_lines_in(
    tx: &mut Tx,
    now: time::OffsetDateTime,
    session: &Session,
    kind: RecordKind,
    id: Uuid,
    change: &LineChange,
    calendar: CalendarKind,
) -> AppResult<Vec<LineRow>> {
    if kind == RecordKind::Opportunity {
        return crate::pipeline::lines::edit_lines_in(tx, now, session, id, change, calendar).await;
    }
    let doc_kind = document_kind(kind).ok_or(AppError::NotFound)?;
    let schema = session.schema(kind);
    let (row, _) = read_checked(tx, session, kind, id, Action::Update).await?;
    if super::document_locked(doc_kind, &row.fields) {
        return Err(AppError::field("status", LOCKED));
    }
    let issue_date = match row.fields.get("issue_date") {
        Some(Value::Date(day)) => Some(*day),
        _ => None,
    };
    let code = doc_kind.code();
    let edited = apply_line_change(tx, session, &row, code, issue_date, change, calendar).await?;
    let limit = discount_limit(tx, session).await?;
    let changes = totals_changes(&edited.doc, &row, limit);
    let updated = set_fields(tx, now, session, schema, &row, changes, "update").await?;
    audit(tx, now, session, kind, updated.id, "line", edited.summary()).await?;
    Ok(edited.lines)
}

impl App {
    /// The lines of a document, or the product lines of an opportunity, the user may read, in
    /// order.
    pub async fn document_lines(
        &self,
        session: &Session,
        kind: RecordKind,
        id: Uuid,
    ) -> AppResult<Vec<LineRow>> {
        if kind != RecordKind::Opportunity {
            document_kind(kind).ok_or(AppError::NotFound)?;
        }
        let mut tx = self.store.read().await?;
        read_checked(&mut tx, session, kind, id, Action::Read).await?;
        Ok(tx.sales_lines(id).await?)
    }

    /// Adds, changes or removes a line of a document the user may update, recomputing the
    /// document's totals and its need for approval in the same transaction — or of an
    /// opportunity, whose amount becomes its lines' total. Returns the lines.
    pub async fn edit_document_lines(
        &self,
        session: &Session,
        kind: RecordKind,
        id: Uuid,
        change: LineChange,
        calendar: CalendarKind,
    ) -> AppResult<Vec<LineRow>> {
        let (now, session) = (self.now(), session.clone());
        self.write(move |tx| {
            Box::pin(
                async move { edit_lines_in(tx, now, &session, kind, id, &change, calendar).await },
            )
        })
        .await
    }

    /// Moves a document to another status along the allowed transitions.
    pub async fn move_document(
        &self,
        session: &Session,
        kind: RecordKind,
        id: Uuid,
        to: String,
    ) -> AppResult<RecordView> {
        let (now, session) = (self.now(), session.clone());
        self.write(move |tx| {
            Box::pin(async move { move_in(tx, now, &session, kind, id, to).await })
        })
        .await
    }

    /// Approves the discounts of a document that awaits approval; the approver's role must
    /// allow discounts at least as large as the document's largest.
    pub async fn approve_document(
        &self,
        session: &Session,
        kind: RecordKind,
        id: Uuid,
    ) -> AppResult<RecordView> {
        let (now, session) = (self.now(), session.clone());
        self.write(move |tx| {
            Box::pin(async move {
                document_kind(kind).ok_or(AppError::NotFound)?;
                let schema = session.schema(kind);
                let (row, _) = read_checked(tx, &session, kind, id, Action::Update).await?;
                if text(&row.fields, "approval") != "pending" {
                    return Err(AppError::field("approval", INVALID_TRANSITION));
                }
                if discount_limit(tx, &session).await? < int(&row.fields, "max_discount_bp") {
                    return Err(AppError::Forbidden);
                }
                let mut changes = Fields::new();
                changes.insert("approval".into(), Value::Text("approved".into()));
                changes.insert("approved_by".into(), Value::Id(session.actor.user_id));
                let row = set_fields(tx, now, &session, schema, &row, changes, "approve").await?;
                Ok(view(&session, schema, row))
            })
        })
        .await
    }

    /// Turns a quote into an order or an order into an invoice, copying customer, owner,
    /// branch and every line; each document can be converted once.
    pub async fn convert_document(
        &self,
        session: &Session,
        kind: RecordKind,
        id: Uuid,
    ) -> AppResult<RecordView> {
        let (now, session) = (self.now(), session.clone());
        self.write(move |tx| Box::pin(async move { convert_in(tx, now, &session, kind, id).await }))
            .await
    }
}

pub(super) async fn move_in(
    tx: &mut Tx,
    now: time::OffsetDateTime,
    session: &Session,
    kind: RecordKind,
    id: Uuid,
    to: String,
) -> AppResult<RecordView> {
    let doc_kind = document_kind(kind).ok_or(AppError::NotFound)?;
    let schema = session.schema(kind);
    let (row, _) = read_checked(tx, session, kind, id, Action::Update).await?;
    if text(&row.fields, "approval") == "pending" {
        return Err(AppError::field("approval", APPROVAL_PENDING));
    }
    let from = text(&row.fields, "status");
    let paid = int(&row.fields, "paid_total") > 0;
    if !may_move(doc_kind, from, &to) || (to == "cancelled" && paid) {
        return Err(AppError::field("status", INVALID_TRANSITION));
    }
    let mut changes = Fields::new();
    changes.insert("status".into(), Value::Text(to));
    let row = set_fields(tx, now, session, schema, &row, changes, "update").await?;
    Ok(view(session, schema, row))
}

pub(super) async fn convert_in(
    tx: &mut Tx,
    now: time::OffsetDateTime,
    session: &Session,
    kind: RecordKind,
    id: Uuid,
) -> AppResult<RecordView> {
    let doc_kind = document_kind(kind).ok_or(AppError::NotFound)?;
    let (target, link, back_link) = match doc_kind {
        DocumentKind::Quote => (DocumentKind::Order, "order_id", "quote_id"),
        DocumentKind::Order => (DocumentKind::Invoice, "invoice_id", "order_id"),
        DocumentKind::Invoice => return Err(AppError::NotFound),
    };
    let schema = session.schema(kind);
    let (row, _) = read_checked(tx, session, kind, id, Action::Update).await?;
    if super::id(&row.fields, link).is_some() {
        return Err(AppError::AlreadyConverted);
    }
    if text(&row.fields, "approval") == "pending" {
        return Err(AppError::field("approval", APPROVAL_PENDING));
    }
    if !may_convert(doc_kind, text(&row.fields, "status")) {
        return Err(AppError::field("status", INVALID_TRANSITION));
    }
    let mut inputs = BTreeMap::new();
    for name in [
        "account_id",
        "contact_id",
        "owner_id",
        "branch_id",
        "description",
    ] {
        match row.fields.get(name) {
            Some(Value::Id(value)) => {
                inputs.insert(name.to_owned(), Input::Text(value.to_string()));
            }
            Some(Value::Text(value)) => {
                inputs.insert(name.to_owned(), Input::Text(value.clone()));
            }
            _ => {}
        }
    }
    let target_kind = record_kind(target);
    let created = create_in(
        tx,
        now,
        session,
        target_kind,
        &inputs,
        CalendarKind::Gregorian,
        &[],
    )
    .await?;
    for line in tx.sales_lines(id).await? {
        let copy = LineRow {
            id: Uuid::now_v7(),
            document_kind: target.code().to_owned(),
            document_id: created.id,
            ..line
        };
        tx.insert_sales_line(&copy).await?;
    }
    let target_schema = session.schema(target_kind);
    let new_row = tx
        .get_record(target_schema, created.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut copied = Fields::new();
    for name in [
        "subtotal",
        "discount_total",
        "tax_total",
        "total",
        "max_discount_bp",
        "approval",
        "approved_by",
    ] {
        copied.insert(
            name.into(),
            row.fields.get(name).cloned().unwrap_or(Value::Null),
        );
    }
    copied.insert(back_link.into(), Value::Id(id));
    let new_row = set_fields(tx, now, session, target_schema, &new_row, copied, "update").await?;
    let mut source_changes = Fields::new();
    source_changes.insert(link.into(), Value::Id(created.id));
    if doc_kind == DocumentKind::Quote {
        source_changes.insert("status".into(), Value::Text("accepted".into()));
    }
    set_fields(tx, now, session, schema, &row, source_changes, "convert").await?;
    Ok(view(session, target_schema, new_row))
}
