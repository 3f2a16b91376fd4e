//! The rules of an opportunity's status: closing it as won or lost, and reopening it.

use crate::permission::Scope;
use crate::validation::{FieldError, ValidationErrors};

/// What a change does to an opportunity's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusChange {
    /// It stays open, or stays closed with nothing about the close changed.
    Unchanged,
    /// It goes from open to won or lost.
    Close,
    /// A won or lost deal changes: back to open, to the other outcome, or to another stage.
    ReopenOrAlter,
}

/// Whether a status code is a closed one (won or lost).
pub fn is_closed(status: &str) -> bool {
    matches!(status, "won" | "lost")
}

/// Classifies a change from `old` (None when creating) to `new` status, given whether the stage
/// changes too.
pub fn status_change(old: Option<&str>, new: &str, stage_changes: bool) -> StatusChange {
    match old {
        Some(old) if is_closed(old) && (old != new || stage_changes) => StatusChange::ReopenOrAlter,
        Some(old) if !is_closed(old) && is_closed(new) => StatusChange::Close,
        None if is_closed(new) => StatusChange::Close,
        _ => StatusChange::Unchanged,
    }
}

/// Whether an actor whose update right on opportunities reaches `update_scope` may reopen or
/// alter a closed deal. Reopening rewrites the results managers report on, so it is for those
/// whose right reaches beyond their own deals (sales managers, branch managers, administrators),
/// not for the sales rep who closed it.
pub fn may_reopen(update_scope: Scope) -> bool {
    update_scope > Scope::Own
}

/// A lost deal names its loss reason; other deals have none.
pub fn check_loss_reason(status: &str, has_reason: bool) -> Result<(), ValidationErrors> {
    let mut errors = ValidationErrors::new();
    if status == "lost" && !has_reason {
        errors.add("loss_reason_id", FieldError::REQUIRED);
    }
    errors.into_result()
}

/// Whole days from `created` to `closed` (the length of the sales cycle), never negative.
pub fn cycle_days(created: time::OffsetDateTime, closed: time::OffsetDateTime) -> i64 {
    (closed - created).whole_days().max(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closing_and_reopening_are_told_apart() {
        assert_eq!(
            status_change(Some("open"), "won", false),
            StatusChange::Close
        );
        assert_eq!(
            status_change(Some("open"), "open", true),
            StatusChange::Unchanged
        );
        assert_eq!(
            status_change(Some("won"), "open", true),
            StatusChange::ReopenOrAlter
        );
        assert_eq!(
            status_change(Some("won"), "lost", false),
            StatusChange::ReopenOrAlter
        );
        assert_eq!(
            status_change(Some("lost"), "lost", true),
            StatusChange::ReopenOrAlter
        );
        assert_eq!(
            status_change(Some("lost"), "lost", false),
            StatusChange::Unchanged
        );
        assert_eq!(status_change(None, "lost", false), StatusChange::Close);
        assert_eq!(status_change(None, "open", false), StatusChange::Unchanged);
    }

    #[test]
    fn only_wider_than_own_update_rights_reopen() {
        assert!(!may_reopen(Scope::None));
        assert!(!may_reopen(Scope::Own));
        assert!(may_reopen(Scope::Team));
        assert!(may_reopen(Scope::All));
    }

    #[test]
    fn lost_needs_a_reason() {
        assert!(check_loss_reason("lost", false).is_err());
        assert!(check_loss_reason("lost", true).is_ok());
        assert!(check_loss_reason("won", false).is_ok());
    }

    #[test]
    fn cycle_is_whole_days() {
        let created = time::macros::datetime!(2025-01-01 10:00 UTC);
        assert_eq!(
            cycle_days(created, time::macros::datetime!(2025-01-11 09:00 UTC)),
            9
        );
        assert_eq!(
            cycle_days(created, time::macros::datetime!(2024-12-01 09:00 UTC)),
            0
        );
    }
}
