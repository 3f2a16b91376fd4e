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

#[cfg(test)]
mod totals_tests;

use crate::validation::FieldError;

/// A number that must not be negative was.
pub const NEGATIVE: FieldError = FieldError("negative");
/// A percentage above 100%.
pub const OVER_100_PERCENT: FieldError = FieldError("over_100_percent");
/// A quantity of zero (a line of nothing).
pub const ZERO_QUANTITY: FieldError = FieldError("zero_quantity");
/// An amount too large to compute exactly in 64-bit Rials.
pub const TOO_LARGE: FieldError = FieldError("too_large");
/// A payment larger than what is still due on the invoice.
pub const OVERPAYMENT: FieldError = FieldError("overpayment");

/// The field error codes of this module, for the translation tests.
pub const FIELD_ERRORS: [FieldError; 5] = [
    NEGATIVE,
    OVER_100_PERCENT,
    ZERO_QUANTITY,
    TOO_LARGE,
    OVERPAYMENT,
];
