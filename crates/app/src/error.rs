//! The one table of error codes. Every failure a user can see has a code here, an HTTP status
//! and a translated message (key `error-<code>` in the locale files of the HTTP layer).

use peyvand_domain::validation::ValidationErrors;
use peyvand_store::StoreError;

/// A failure of a use case, as the user should learn of it.
#[derive(Debug, Clone, thiserror::Error)]
pub enum AppError {
    /// Some fields are missing or invalid; nothing was stored.
    #[error("validation failed: {0}")]
    Validation(ValidationErrors),
    /// The record does not exist or is outside the user's scope (the two look the same on purpose).
    #[error("not found")]
    NotFound,
    /// The user may not do this at all.
    #[error("forbidden")]
    Forbidden,
    /// Somebody else changed the record since it was read.
    #[error("the record was changed by someone else")]
    VersionConflict,
    /// The record is still used by others (or is built in) and cannot be removed.
    #[error("the record is in use")]
    InUse,
    /// The lead was converted already.
    #[error("the lead was converted already")]
    AlreadyConverted,
    /// No valid session or token.
    #[error("not signed in")]
    Unauthenticated,
    /// Wrong email or password (the two are not told apart).
    #[error("wrong email or password")]
    BadCredentials,
    /// Too many failed sign-ins; try again later.
    #[error("too many failed sign-ins")]
    TooManyAttempts,
    /// A malformed request parameter (for example a cursor that was not made by the server).
    #[error("bad request: {0}")]
    BadRequest(&'static str),
    /// An uploaded or named file cannot be read as a table (the detail is a code such as
    /// `empty_file` or `unknown_encoding`, translated as `file-error-<code>`).
    #[error("unreadable file: {0}")]
    File(&'static str),
    /// Something failed inside; the cause is logged, never shown.
    #[error("internal error: {0}")]
    Internal(String),
    // Activities and customer service (issue 5).
    /// A case may not move from its status to the one asked for (codes of both statuses).
    #[error("a case cannot go from {from} to {to}")]
    InvalidTransition {
        /// The case's status.
        from: &'static str,
        /// The status asked for.
        to: &'static str,
    },
    /// A satisfaction survey was answered already; an answer is never replaced.
    #[error("the survey was answered already")]
    AlreadyAnswered,
    /// A won or lost deal may be reopened or changed only by someone whose rights on
    /// opportunities reach beyond their own (sales pipeline, issue 4).
    #[error("reopening a closed deal needs a manager's right")]
    ReopenForbidden,
    /// What was asked for needs data this installation does not have yet (customer
    /// classification by contract value, until the contracts kind exists).
    #[error("not available yet: {0}")]
    NotAvailableYet(&'static str),
}

/// One row of the error table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorCode {
    /// Stable machine code, the `error` member of API error bodies.
    pub code: &'static str,
    /// HTTP status it is answered with.
    pub status: u16,
}

/// Every error code with its HTTP status, for the API document and the tests.
pub const ERROR_CODES: &[ErrorCode] = &[
    ErrorCode {
        code: "validation_failed",
        status: 422,
    },
    ErrorCode {
        code: "not_found",
        status: 404,
    },
    ErrorCode {
        code: "forbidden",
        status: 403,
    },
    ErrorCode {
        code: "version_conflict",
        status: 409,
    },
    ErrorCode {
        code: "in_use",
        status: 409,
    },
    ErrorCode {
        code: "already_converted",
        status: 409,
    },
    ErrorCode {
        code: "unauthenticated",
        status: 401,
    },
    ErrorCode {
        code: "bad_credentials",
        status: 401,
    },
    ErrorCode {
        code: "too_many_attempts",
        status: 429,
    },
    ErrorCode {
        code: "bad_request",
        status: 400,
    },
    ErrorCode {
        code: "payload_too_large",
        status: 413,
    },
    ErrorCode {
        code: "unsupported_media_type",
        status: 415,
    },
    ErrorCode {
        code: "csrf_failed",
        status: 403,
    },
    ErrorCode {
        code: "unreadable_file",
        status: 422,
    },
    ErrorCode {
        code: "internal",
        status: 500,
    },
    // Activities and customer service (issue 5).
    ErrorCode {
        code: "invalid_transition",
        status: 409,
    },
    ErrorCode {
        code: "already_answered",
        status: 409,
    },
    // Sales pipeline (issue 4).
    ErrorCode {
        code: "reopen_forbidden",
        status: 403,
    },
    // Customer classification (issue 4 §8).
    ErrorCode {
        code: "not_available_yet",
        status: 409,
    },
];

impl AppError {
    /// This error's row of the table.
    pub fn code(&self) -> ErrorCode {
        let code = match self {
            AppError::Validation(_) => "validation_failed",
            AppError::NotFound => "not_found",
            AppError::Forbidden => "forbidden",
            AppError::VersionConflict => "version_conflict",
            AppError::InUse => "in_use",
            AppError::AlreadyConverted => "already_converted",
            AppError::Unauthenticated => "unauthenticated",
            AppError::BadCredentials => "bad_credentials",
            AppError::TooManyAttempts => "too_many_attempts",
            AppError::BadRequest(_) => "bad_request",
            AppError::File(_) => "unreadable_file",
            AppError::Internal(_) => "internal",
            AppError::InvalidTransition { .. } => "invalid_transition",
            AppError::AlreadyAnswered => "already_answered",
            AppError::ReopenForbidden => "reopen_forbidden",
            AppError::NotAvailableYet(_) => "not_available_yet",
        };
        lookup(code)
    }

    /// A validation error on one field.
    pub fn field(name: &str, error: peyvand_domain::validation::FieldError) -> AppError {
        let mut errors = ValidationErrors::new();
        errors.add(name, error);
        AppError::Validation(errors)
    }
}

/// The row of the table for `code`; unknown codes count as internal errors.
pub fn lookup(code: &str) -> ErrorCode {
    ERROR_CODES
        .iter()
        .copied()
        .find(|c| c.code == code)
        .unwrap_or(ErrorCode {
            code: "internal",
            status: 500,
        })
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::ForeignKeyViolation => AppError::InUse,
            StoreError::NotAvailableYet(what) => AppError::NotAvailableYet(what),
            other => AppError::Internal(other.to_string()),
        }
    }
}

/// Result type of use cases.
pub type AppResult<T> = Result<T, AppError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_statuses_are_errors() {
        for (i, a) in ERROR_CODES.iter().enumerate() {
            assert!((400..600).contains(&a.status), "{}", a.code);
            assert!(
                ERROR_CODES[i + 1..].iter().all(|b| b.code != a.code),
                "{}",
                a.code
            );
        }
    }

    #[test]
    fn every_variant_has_a_row() {
        let all = [
            AppError::Validation(ValidationErrors::new()),
            AppError::NotFound,
            AppError::Forbidden,
            AppError::VersionConflict,
            AppError::InUse,
            AppError::AlreadyConverted,
            AppError::Unauthenticated,
            AppError::BadCredentials,
            AppError::TooManyAttempts,
            AppError::BadRequest("x"),
            AppError::File("empty_file"),
            AppError::Internal("x".into()),
            AppError::InvalidTransition {
                from: "new",
                to: "closed",
            },
            AppError::AlreadyAnswered,
            AppError::ReopenForbidden,
        ];
        for error in all {
            let row = error.code();
            assert!(ERROR_CODES.contains(&row));
            assert!(row.code != "internal" || matches!(error, AppError::Internal(_)));
        }
    }
}
