//! Field-level validation errors.
//!
//! Errors are machine codes rather than messages so that the presentation
//! layer can translate them into Persian or English; the domain layer must not
//! decide wording.

use std::collections::BTreeMap;
use std::fmt;

/// A machine code for what is wrong with one field.
///
/// The code is a stable, snake_case string that the UI maps to a translated
/// message; new codes may be added as constants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub struct FieldError(pub &'static str);

impl FieldError {
    /// A value is required but missing or blank.
    pub const REQUIRED: FieldError = FieldError("required");
    /// The value is not a valid email address.
    pub const INVALID_EMAIL: FieldError = FieldError("invalid_email");
    /// The value is not a valid phone number.
    pub const INVALID_PHONE: FieldError = FieldError("invalid_phone");
    /// The value is not a valid (existing) date.
    pub const INVALID_DATE: FieldError = FieldError("invalid_date");
    /// The value is longer than allowed.
    pub const TOO_LONG: FieldError = FieldError("too_long");
    /// The value is not one of the allowed choices.
    pub const INVALID_CHOICE: FieldError = FieldError("invalid_choice");
    /// The value is not a valid number.
    pub const INVALID_NUMBER: FieldError = FieldError("invalid_number");
    /// The value is invalid in a way no more specific code describes.
    pub const INVALID: FieldError = FieldError("invalid");
    /// The field does not exist on this kind of record.
    pub const UNKNOWN_FIELD: FieldError = FieldError("unknown_field");
    /// A referenced record does not exist.
    pub const NOT_FOUND: FieldError = FieldError("not_found");
    /// A referenced record exists but lies outside what the actor may use.
    pub const OUT_OF_SCOPE: FieldError = FieldError("out_of_scope");
    /// The value must be unique and is already in use.
    pub const TAKEN: FieldError = FieldError("taken");
    /// The value is shorter than allowed.
    pub const TOO_SHORT: FieldError = FieldError("too_short");
    /// The field exists, but only the system sets it (a creation time, a computed class, a
    /// catalogue product's words on a case).
    pub const READ_ONLY: FieldError = FieldError("read_only");

    /// The machine code, e.g. `"invalid_email"`.
    pub fn code(&self) -> &'static str {
        self.0
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// Errors for a whole form: at most one error per field, keyed by field name.
///
/// A `BTreeMap` keeps the order deterministic, which makes error output and
/// tests stable.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ValidationErrors {
    /// The error for each invalid field.
    pub fields: BTreeMap<String, FieldError>,
}

impl ValidationErrors {
    /// No errors yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Record an error for `field`.
    ///
    /// Keeps the first error per field: checks run from the most basic
    /// (required) to the most specific, and the most basic problem is the one
    /// the user should fix first.
    pub fn add(&mut self, field: impl Into<String>, error: FieldError) {
        self.fields.entry(field.into()).or_insert(error);
    }

    /// Whether no error has been recorded.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// `Ok(())` when empty, otherwise `Err(self)`, so callers can finish a
    /// validation pass with `errors.into_result()?`.
    pub fn into_result(self) -> Result<(), ValidationErrors> {
        if self.is_empty() { Ok(()) } else { Err(self) }
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("validation failed")?;
        let mut sep = ": ";
        for (field, error) in &self.fields {
            write!(f, "{sep}{field}: {error}")?;
            sep = ", ";
        }
        Ok(())
    }
}

impl std::error::Error for ValidationErrors {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable() {
        let all = [
            (FieldError::REQUIRED, "required"),
            (FieldError::INVALID_EMAIL, "invalid_email"),
            (FieldError::INVALID_PHONE, "invalid_phone"),
            (FieldError::INVALID_DATE, "invalid_date"),
            (FieldError::TOO_LONG, "too_long"),
            (FieldError::INVALID_CHOICE, "invalid_choice"),
            (FieldError::INVALID_NUMBER, "invalid_number"),
            (FieldError::INVALID, "invalid"),
            (FieldError::UNKNOWN_FIELD, "unknown_field"),
            (FieldError::NOT_FOUND, "not_found"),
            (FieldError::OUT_OF_SCOPE, "out_of_scope"),
            (FieldError::TAKEN, "taken"),
            (FieldError::TOO_SHORT, "too_short"),
            (FieldError::READ_ONLY, "read_only"),
        ];
        for (e, code) in all {
            assert_eq!(e.code(), code);
            assert_eq!(e.to_string(), code);
        }
    }

    #[test]
    fn empty_is_ok() {
        let e = ValidationErrors::new();
        assert!(e.is_empty());
        assert_eq!(e.into_result(), Ok(()));
    }

    #[test]
    fn keeps_first_error_per_field() {
        let mut e = ValidationErrors::new();
        e.add("email", FieldError::REQUIRED);
        e.add("email", FieldError::INVALID_EMAIL);
        e.add(String::from("phone"), FieldError::INVALID_PHONE);
        assert!(!e.is_empty());
        assert_eq!(e.fields.len(), 2);
        assert_eq!(e.fields["email"], FieldError::REQUIRED);
        let err = e.clone().into_result().unwrap_err();
        assert_eq!(err, e);
    }

    #[test]
    fn display_lists_fields_in_order() {
        let mut e = ValidationErrors::new();
        e.add("phone", FieldError::INVALID_PHONE);
        e.add("email", FieldError::TAKEN);
        assert_eq!(
            e.to_string(),
            "validation failed: email: taken, phone: invalid_phone"
        );
        assert_eq!(ValidationErrors::new().to_string(), "validation failed");
        let boxed: Box<dyn std::error::Error> = Box::new(e);
        assert!(boxed.to_string().contains("email"));
    }

    #[test]
    fn serializes_as_plain_codes() {
        let mut e = ValidationErrors::new();
        e.add("name", FieldError::TOO_LONG);
        e.add("email", FieldError::INVALID_EMAIL);
        let json = serde_json::to_string(&e).unwrap();
        assert_eq!(
            json,
            r#"{"fields":{"email":"invalid_email","name":"too_long"}}"#
        );
    }
}
