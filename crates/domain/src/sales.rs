//! Sales documents (PRODUCT.md §3): percentages, the amounts of document lines and their totals,
//! the statuses of quotes, orders and invoices with their allowed transitions, document numbers
//! and the choice of a unit price from price lists.
//!
//! Everything here is pure: callers load lines, price lists and counters and pass them in, so
//! the rules that decide money are testable without a database.

pub mod numbering;
pub mod percent;
pub mod pricing;
pub mod status;
pub mod totals;
// Payment punctuality for the customer's 360° view (issue 4 §9).
pub mod punctuality;

#[cfg(test)]
mod totals_tests;

use crate::validation::FieldError;

/// A number that must not be negative was.
pub const NEGATIVE: FieldError = FieldError("negative");
/// A percentage above 100%.
pub const OVER_100_PERCENT: FieldError = FieldError("over_100_percent");
/// A quantity or amount of zero where something must be counted or paid.
pub const NOT_POSITIVE: FieldError = FieldError("not_positive");
/// An amount too large to compute exactly in 64-bit Rials.
pub const TOO_LARGE: FieldError = FieldError("too_large");
/// A payment larger than what is still due on the invoice.
pub const OVERPAYMENT: FieldError = FieldError("overpayment");

/// A value that can no longer change (a payment, a document that has gone out).
pub const LOCKED: FieldError = FieldError("locked");
/// A move between statuses the document's kind does not allow.
pub const INVALID_TRANSITION: FieldError = FieldError("invalid_transition");

/// An opportunity's amount typed by hand while the deal has product lines, whose total is its
/// amount.
pub const AMOUNT_FROM_LINES: FieldError = FieldError("amount_from_lines");

/// The field error codes of this module, for the translation tests.
pub const FIELD_ERRORS: [FieldError; 8] = [
    NEGATIVE,
    OVER_100_PERCENT,
    NOT_POSITIVE,
    TOO_LARGE,
    OVERPAYMENT,
    LOCKED,
    INVALID_TRANSITION,
    AMOUNT_FROM_LINES,
];

/// The largest line discount (basis points) a built-in role gives without approval: an
/// administrator any, a branch manager 20%, a sales manager 10%, a sales rep 5%, others none.
/// Administrators change them per role.
pub fn default_discount_limit(role_key: &str) -> i64 {
    match role_key {
        "admin" => percent::FULL,
        "branch_manager" => 2000,
        "sales_manager" => 1000,
        "sales_rep" => 500,
        _ => 0,
    }
}
