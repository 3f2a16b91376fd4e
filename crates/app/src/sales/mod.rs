//! Sales documents (issue 4, PRODUCT.md §3): the rules the generic record operations apply to
//! the sales kinds, and the use cases specific to documents — lines, status moves, discount
//! approval, conversion, price proposal and a customer's transactions.
//!
//! The catalogue and the documents are ordinary record kinds, so lists, record pages, forms,
//! the API, export, search, permissions and the audit trail are the generic ones. The generic
//! create, update and delete call the hooks of this module (`before_create`, `after_create`,
//! `before_update`, `before_delete`, `after_delete`), which fill in what the system decides
//! (numbers, statuses, totals, a payment's placement) and refuse what the rules forbid.

mod customer;
mod demo;
mod documents;
// Demo invoices with a payment history for the 360° view's punctuality (issue 4 §9).
mod hooks;
mod payment_history_demo;
mod pricing;

pub use customer::Transactions;
pub(crate) use customer::document_entries;
pub use documents::{APPROVAL_PENDING, LineChange};
// Contracts (issue 4 §7) write their system changes the same way.
pub(crate) use documents::set_fields;
// Opportunities' product lines (issue 4 §2) are edited and copied onto quotes by the same code.
pub(crate) use documents::{apply_line_change, copy_lines_onto, lines_totals};
pub(crate) use hooks::{after_create, after_delete, before_create, before_delete, before_update};
// Generated deals' lines (`pipeline::demo`) are priced as a line added by hand would be.
pub(crate) use pricing::proposed_for;

use peyvand_domain::permission::RecordKind;
use peyvand_domain::record::{Fields, Value};
use peyvand_domain::sales::status::DocumentKind;

/// The document kind of a record kind, for quotes, orders and invoices.
pub fn document_kind(kind: RecordKind) -> Option<DocumentKind> {
    match kind {
        RecordKind::Quote => Some(DocumentKind::Quote),
        RecordKind::Order => Some(DocumentKind::Order),
        RecordKind::Invoice => Some(DocumentKind::Invoice),
        _ => None,
    }
}

/// The record kind of a document kind.
pub fn record_kind(kind: DocumentKind) -> RecordKind {
    match kind {
        DocumentKind::Quote => RecordKind::Quote,
        DocumentKind::Order => RecordKind::Order,
        DocumentKind::Invoice => RecordKind::Invoice,
    }
}

/// Whether a document may no longer change beyond its notes: it has gone out (its status no
/// longer allows editing lines), or it was converted into the next document, whose lines and
/// totals were copied from it and must not drift apart from them.
pub fn document_locked(kind: DocumentKind, fields: &Fields) -> bool {
    let next = match kind {
        DocumentKind::Quote => Some("order_id"),
        DocumentKind::Order => Some("invoice_id"),
        DocumentKind::Invoice => None,
    };
    let converted = next.is_some_and(|link| fields.get(link).and_then(Value::as_id).is_some());
    converted || !peyvand_domain::sales::status::lines_editable(kind, text(fields, "status"))
}

/// An integer field's value, 0 when empty.
fn int(fields: &Fields, name: &str) -> i64 {
    match fields.get(name) {
        Some(Value::Int(n)) => *n,
        _ => 0,
    }
}

/// A text field's value, empty when unset.
fn text<'a>(fields: &'a Fields, name: &str) -> &'a str {
    fields
        .get(name)
        .and_then(Value::as_text)
        .unwrap_or_default()
}

/// An id field's value.
fn id(fields: &Fields, name: &str) -> Option<uuid::Uuid> {
    fields.get(name).and_then(Value::as_id)
}
