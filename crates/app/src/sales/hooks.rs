//! What the generic create, update and delete do for the sales kinds.

use peyvand_domain::calendar::IRAN_OFFSET;
use peyvand_domain::permission::{Action, RecordKind};
use peyvand_domain::record::{BRANCHES, Fields, Schema, Value};
use peyvand_domain::sales::numbering::{branch_part, document_number, numbering_year};
use peyvand_domain::sales::status::invoice_status_after_payments;
use peyvand_domain::sales::{LOCKED, NEGATIVE, NOT_POSITIVE, OVERPAYMENT};
use peyvand_domain::validation::{FieldError, ValidationErrors};
use peyvand_store::{RecordRow, Tx};
use uuid::Uuid;

use super::{document_kind, id, int, text};
use crate::auth::Session;
use crate::error::{AppError, AppResult};
use crate::records::read_checked;

/// Fills in and checks a new record of a sales kind before it is stored.
pub(crate) async fn before_create(
    tx: &mut Tx,
    now: time::OffsetDateTime,
    session: &Session,
    schema: &Schema,
    fields: &mut Fields,
) -> AppResult<()> {
    let mut default = |name: &'static str, value: Value| {
        if fields.get(name).is_none_or(Value::is_null) {
            fields.insert(name.into(), value);
        }
    };
    match schema.kind {
        RecordKind::Product => {
            default("active", Value::Bool(true));
            default("tax_rate_bp", Value::Int(0));
            not_negative(fields, &["base_price", "cost_price"])
        }
        RecordKind::PriceList => {
            default("active", Value::Bool(true));
            price_list_classes(tx, fields).await
        }
        RecordKind::PriceListItem => {
            not_negative(fields, &["unit_price"])?;
            unique_price(tx, fields, None).await
        }
        RecordKind::BundleItem => check_bundle_item(tx, fields).await,
        RecordKind::Quote | RecordKind::Order | RecordKind::Invoice => {
            default("owner_id", Value::Id(session.actor.user_id));
            default("branch_id", Value::Id(session.actor.branch_id));
            default("issue_date", Value::Date(now.to_offset(IRAN_OFFSET).date()));
            new_document(tx, schema, fields).await
        }
        RecordKind::Payment => new_payment(tx, session, fields).await,
        _ => Ok(()),
    }
}

/// What follows the creation of a record: a payment updates its invoice.
pub(crate) async fn after_create(
    tx: &mut Tx,
    now: time::OffsetDateTime,
    session: &Session,
    kind: RecordKind,
    fields: &Fields,
) -> AppResult<()> {
    if kind == RecordKind::Payment
        && let Some(invoice_id) = id(fields, "invoice_id")
    {
        settle_invoice(tx, now, session, invoice_id).await?;
    }
    Ok(())
}

/// Checks an update of a record of a sales kind; `merged` is the record as it would be.
pub(crate) async fn before_update(
    tx: &mut Tx,
    schema: &Schema,
    old: &RecordRow,
    changes: &Fields,
    merged: &Fields,
) -> AppResult<()> {
    match schema.kind {
        RecordKind::Product => not_negative(merged, &["base_price", "cost_price"]),
        // A list keeps classes the scheme has since dropped until its classes are edited.
        RecordKind::PriceList if changes.contains_key("customer_classes") => {
            price_list_classes(tx, merged).await
        }
        RecordKind::PriceListItem => {
            not_negative(merged, &["unit_price"])?;
            unique_price(tx, merged, Some(old.id)).await
        }
        RecordKind::BundleItem => check_bundle_item(tx, merged).await,
        // A payment is a fact: a wrong one is deleted and recorded again, so the trail of
        // what was received stays plain; only its reference and note can be corrected.
        RecordKind::Payment => locked(
            changes
                .keys()
                .map(|k| k.as_ref())
                .filter(|k| !matches!(*k, "reference" | "description")),
        ),
        RecordKind::Quote | RecordKind::Order | RecordKind::Invoice => {
            let kind = document_kind(schema.kind).ok_or(AppError::NotFound)?;
            if super::document_locked(kind, &old.fields) {
                // Once a document has gone out or was converted only its notes may change.
                return locked(
                    changes
                        .keys()
                        .map(|k| k.as_ref())
                        .filter(|k| *k != "description"),
                );
            }
            needs_customer(merged)
        }
        _ => Ok(()),
    }
}

/// A price list's customer classes must be classes of the classification scheme, as a routing
/// rule's are: a list for a class no customer can have would never be proposed.
async fn price_list_classes(tx: &mut Tx, fields: &Fields) -> AppResult<()> {
    let mut errors = ValidationErrors::new();
    crate::service::check_classes(tx, fields, "customer_classes", &mut errors).await?;
    errors.into_result().map_err(AppError::Validation)
}

/// Checks that a record of a sales kind may be deleted, and removes what belongs to it.
pub(crate) async fn before_delete(tx: &mut Tx, kind: RecordKind, row: &RecordRow) -> AppResult<()> {
    let Some(doc) = document_kind(kind) else {
        return Ok(());
    };
    if super::document_locked(doc, &row.fields) {
        return Err(AppError::field("status", LOCKED));
    }
    tx.delete_sales_lines_of(row.id).await?;
    Ok(())
}

/// What follows a deletion: deleting a payment updates its invoice.
pub(crate) async fn after_delete(
    tx: &mut Tx,
    now: time::OffsetDateTime,
    session: &Session,
    kind: RecordKind,
    row: &RecordRow,
) -> AppResult<()> {
    if kind == RecordKind::Payment
        && let Some(invoice_id) = id(&row.fields, "invoice_id")
    {
        settle_invoice(tx, now, session, invoice_id).await?;
    }
    Ok(())
}

fn locked<'a>(names: impl Iterator<Item = &'a str>) -> AppResult<()> {
    let mut errors = ValidationErrors::new();
    for name in names {
        errors.add(name, LOCKED);
    }
    errors.into_result().map_err(AppError::Validation)
}

fn not_negative(fields: &Fields, names: &[&str]) -> AppResult<()> {
    let mut errors = ValidationErrors::new();
    for name in names {
        if int(fields, name) < 0 {
            errors.add(*name, NEGATIVE);
        }
    }
    errors.into_result().map_err(AppError::Validation)
}

/// A document belongs to a customer: an account, a contact, or both.
fn needs_customer(fields: &Fields) -> AppResult<()> {
    if id(fields, "account_id").is_none() && id(fields, "contact_id").is_none() {
        return Err(AppError::field("account_id", FieldError::REQUIRED));
    }
    Ok(())
}

/// A new quote, order or invoice: its number, first status and empty totals.
async fn new_document(tx: &mut Tx, schema: &Schema, fields: &mut Fields) -> AppResult<()> {
    let kind = document_kind(schema.kind).ok_or(AppError::NotFound)?;
    needs_customer(fields)?;
    let branch_id =
        id(fields, "branch_id").ok_or(AppError::field("branch_id", FieldError::REQUIRED))?;
    let Some(Value::Date(issued)) = fields.get("issue_date").cloned() else {
        return Err(AppError::field("issue_date", FieldError::REQUIRED));
    };
    // A branch the actor may not use is refused later by the placement check; its number is
    // then rolled back with the rest of the transaction.
    let branch = tx.get_record(&BRANCHES, branch_id).await?;
    let Some(branch) = branch else {
        return Err(AppError::field("branch_id", FieldError::NOT_FOUND));
    };
    let year = numbering_year(issued);
    let sequence = tx
        .next_document_number(kind.code(), branch_id, year)
        .await?;
    let code = branch.fields.get("code").and_then(Value::as_text);
    let number = document_number(kind, &branch_part(code), year, sequence);
    fields.insert("number".into(), Value::Text(number));
    fields.insert("status".into(), Value::Text(kind.initial_status().into()));
    fields.insert("approval".into(), Value::Text("not_required".into()));
    for total in [
        "subtotal",
        "discount_total",
        "tax_total",
        "total",
        "max_discount_bp",
    ] {
        fields.insert(total.into(), Value::Int(0));
    }
    if kind == peyvand_domain::sales::status::DocumentKind::Invoice {
        fields.insert("paid_total".into(), Value::Int(0));
    }
    Ok(())
}

/// A new payment: against an invoice the actor may read that is not cancelled, for no more
/// than is still due; it takes the invoice's owner and branch.
async fn new_payment(tx: &mut Tx, session: &Session, fields: &mut Fields) -> AppResult<()> {
    let invoice_id =
        id(fields, "invoice_id").ok_or(AppError::field("invoice_id", FieldError::REQUIRED))?;
    let (invoice, _) = read_checked(tx, session, RecordKind::Invoice, invoice_id, Action::Read)
        .await
        .map_err(|_| AppError::field("invoice_id", FieldError::NOT_FOUND))?;
    let amount = int(fields, "amount");
    if amount < 0 {
        return Err(AppError::field("amount", NEGATIVE));
    }
    if amount == 0 {
        return Err(AppError::field("amount", NOT_POSITIVE));
    }
    if matches!(text(&invoice.fields, "status"), "cancelled") {
        return Err(AppError::field("invoice_id", LOCKED));
    }
    let due = int(&invoice.fields, "total") - tx.payments_total(invoice_id).await?;
    if amount > due {
        return Err(AppError::field("amount", OVERPAYMENT));
    }
    for name in ["owner_id", "branch_id"] {
        let value = invoice.fields.get(name).cloned().unwrap_or(Value::Null);
        fields.insert(name.into(), value);
    }
    Ok(())
}

/// Brings an invoice's paid amount and status in line with its payments.
async fn settle_invoice(
    tx: &mut Tx,
    now: time::OffsetDateTime,
    session: &Session,
    invoice_id: Uuid,
) -> AppResult<()> {
    let schema = session.schema(RecordKind::Invoice);
    let invoice = tx
        .get_record(schema, invoice_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let paid = tx.payments_total(invoice_id).await?;
    let mut changes = Fields::new();
    changes.insert("paid_total".into(), Value::Int(paid));
    if text(&invoice.fields, "status") != "cancelled" {
        let status = invoice_status_after_payments(int(&invoice.fields, "total"), paid);
        changes.insert("status".into(), Value::Text(status.into()));
    }
    super::documents::set_fields(tx, now, session, schema, &invoice, changes, "update").await?;
    Ok(())
}

/// One price per product and price list.
async fn unique_price(tx: &mut Tx, fields: &Fields, this: Option<Uuid>) -> AppResult<()> {
    let (Some(list), Some(product)) = (id(fields, "price_list_id"), id(fields, "product_id"))
    else {
        return Ok(());
    };
    let taken = tx
        .product_prices(product)
        .await?
        .iter()
        .any(|price| price.price_list_id == list);
    let unchanged = match this {
        Some(item_id) => tx
            .get_record(&peyvand_domain::record::sales::PRICE_LIST_ITEMS, item_id)
            .await?
            .is_some_and(|row| {
                id(&row.fields, "price_list_id") == Some(list)
                    && id(&row.fields, "product_id") == Some(product)
            }),
        None => false,
    };
    if taken && !unchanged {
        return Err(AppError::field("product_id", FieldError::TAKEN));
    }
    Ok(())
}

/// A bundle is a product of kind `bundle`; its components are products or services, never
/// bundles (one level keeps prices and stock simple), in positive quantities.
async fn check_bundle_item(tx: &mut Tx, fields: &Fields) -> AppResult<()> {
    let mut errors = ValidationErrors::new();
    if int(fields, "quantity") <= 0 {
        errors.add("quantity", NOT_POSITIVE);
    }
    let products = &peyvand_domain::record::sales::PRODUCTS;
    let kind_of = |row: Option<RecordRow>| row.map(|r| text(&r.fields, "product_kind").to_owned());
    if let Some(bundle) = id(fields, "bundle_id")
        && kind_of(tx.get_record(products, bundle).await?).as_deref() != Some("bundle")
    {
        errors.add("bundle_id", FieldError::INVALID);
    }
    if let Some(product) = id(fields, "product_id")
        && (kind_of(tx.get_record(products, product).await?).as_deref() == Some("bundle")
            || id(fields, "bundle_id") == Some(product))
    {
        errors.add("product_id", FieldError::INVALID);
    }
    errors.into_result().map_err(AppError::Validation)
}
