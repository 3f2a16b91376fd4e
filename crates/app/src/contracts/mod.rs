//! Contracts (issue 4 §7): what the generic record operations do for contract templates and
//! contracts, and the use cases specific to contracts — status moves with a manager's approval,
//! renewal, the reminder task when a contract becomes active, the expiry sweep, a customer's
//! contracts and their history, the printable facts, demo data and the portal's view.
//!
//! Templates and contracts are ordinary record kinds, so lists, record pages, forms, the API,
//! export, search, permissions and the audit trail are the generic ones. The generic create,
//! update and delete call [`before_create`], [`before_update`] and [`before_delete`].

// A case's contract belongs to the case's customer.
mod case_link;
pub(crate) use case_link::check_case_contract;
mod customer;
mod demo;
mod flow;
mod portal;
pub(crate) use portal::portal_contracts;
mod rules;
mod sweep;

pub use customer::CustomerContract;
pub(crate) use customer::contract_entries;
pub(crate) use demo::add_demo_contracts;
pub(crate) use rules::{before_create, before_delete, before_update};

use peyvand_domain::record::{Fields, Value};

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

/// A date field's value.
fn date(fields: &Fields, name: &str) -> Option<time::Date> {
    match fields.get(name) {
        Some(Value::Date(day)) => Some(*day),
        _ => None,
    }
}

/// An integer field's value.
fn int(fields: &Fields, name: &str) -> Option<i64> {
    match fields.get(name) {
        Some(Value::Int(n)) => Some(*n),
        _ => None,
    }
}
