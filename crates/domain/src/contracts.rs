//! Contracts (PRODUCT.md §3, issue 4 §7): contract templates with placeholders, contracts with
//! their statuses, renewal and the reminder before the end date.
//!
//! Both are record kinds described as data ([`schemas`]), so the generic lists, forms, API,
//! export, search, rights and audit trail serve them. What is specific lives here as pure
//! functions: the placeholders of a template and how they are filled ([`placeholders`]), the
//! statuses and their moves, renewal dates and the reminder day ([`status`]), and what the
//! built-in roles may do ([`grants`]).

pub mod grants;
pub mod placeholders;
pub mod schemas;
pub mod status;

pub use schemas::{CONTRACT_STATUSES, CONTRACT_TEMPLATES, CONTRACTS};

use crate::validation::FieldError;

/// An end date before the start date.
pub const END_BEFORE_START: FieldError = FieldError("end_before_start");
/// A template names a placeholder that is not one of [`placeholders::PLACEHOLDERS`].
pub const UNKNOWN_PLACEHOLDER: FieldError = FieldError("unknown_placeholder");
/// A contract that is no longer a draft cannot be edited.
pub const NOT_DRAFT: FieldError = FieldError("not_draft");

/// The number of the `sequence`th contract of a branch and Jalali year, e.g.
/// `CT-TEH-1405-000012` — the same shape as sales documents' numbers (see
/// [`crate::sales::numbering`], which gives the branch part and the year).
pub fn contract_number(branch: &str, year: i32, sequence: i64) -> String {
    format!("CT-{branch}-{year}-{sequence:06}")
}

/// A case names a contract of another customer than the case's.
pub const OTHER_CUSTOMER: FieldError = FieldError("other_customer");

/// The field error codes of this module, for the translation tests.
pub const FIELD_ERRORS: [FieldError; 4] = [
    END_BEFORE_START,
    UNKNOWN_PLACEHOLDER,
    NOT_DRAFT,
    OTHER_CUSTOMER,
];

#[cfg(test)]
mod tests {
    #[test]
    fn contracts_are_numbered_like_sales_documents() {
        let branch = crate::sales::numbering::branch_part(Some("teh"));
        assert_eq!(
            super::contract_number(&branch, 1405, 12),
            "CT-TEH-1405-000012"
        );
    }
}
