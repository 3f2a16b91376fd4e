//! A contract's life: draft → approved → active → expired, and renewal.
//!
//! People move a contract between draft and approved and from approved to active; the system
//! marks an active contract expired once its end date has passed. Renewing an active or expired
//! contract creates a new draft whose dates follow on from the old one, and marks the old one
//! renewed, which ends its life. Only drafts may be edited.

use time::{Date, Duration};

use crate::permission::Scope;
use crate::validation::ValidationErrors;

use super::END_BEFORE_START;

/// The status of a new contract.
pub const DRAFT: &str = "draft";
/// Approved by a manager, not yet in force.
pub const APPROVED: &str = "approved";
/// In force.
pub const ACTIVE: &str = "active";
/// Its end date has passed.
pub const EXPIRED: &str = "expired";
/// Followed by a renewal.
pub const RENEWED: &str = "renewed";

/// How many days before the end date the reminder task is due unless a contract says otherwise.
pub const DEFAULT_REMINDER_DAYS: i64 = 30;

/// Whether a person may move a contract from status `from` to status `to`. Expiry and renewal
/// are not moves a person asks for: the sweep expires contracts and [`may_renew`] governs
/// renewal.
pub fn may_move(from: &str, to: &str) -> bool {
    matches!(
        (from, to),
        (DRAFT, APPROVED) | (APPROVED, DRAFT) | (APPROVED, ACTIVE)
    )
}

/// Whether a move needs a manager: approving does.
pub fn needs_manager(to: &str) -> bool {
    to == APPROVED
}

/// Whether someone whose update right on contracts reaches `update_scope` counts as a manager:
/// a reach beyond their own contracts (a sales manager's team, a branch manager's branch,
/// headquarters), the same rule that lets managers reopen closed deals.
pub fn is_manager(update_scope: Scope) -> bool {
    update_scope > Scope::Own
}

/// Whether a contract in `status` may be renewed.
pub fn may_renew(status: &str) -> bool {
    matches!(status, ACTIVE | EXPIRED)
}

/// Whether a contract in `status` may still be edited (its body, dates, value, customer).
pub fn editable(status: &str) -> bool {
    status == DRAFT
}

/// The end must not come before the start.
pub fn check_dates(start: Option<Date>, end: Option<Date>) -> Result<(), ValidationErrors> {
    let mut errors = ValidationErrors::new();
    if let (Some(start), Some(end)) = (start, end)
        && end < start
    {
        errors.add("end_date", END_BEFORE_START);
    }
    errors.into_result()
}

/// The dates of a renewal: it starts the day after the old contract ends and lasts as long.
pub fn renewal_dates(start: Date, end: Date) -> (Date, Date) {
    let length = end - start;
    let new_start = end.next_day().unwrap_or(end);
    (
        new_start,
        new_start.checked_add(length).unwrap_or(new_start),
    )
}

/// The day the reminder task is due: `days` before the end date, but never before the start
/// (a short contract is reminded of on its first day) — negative days count as none.
pub fn reminder_date(start: Date, end: Date, days: i64) -> Date {
    let due = end
        .checked_sub(Duration::days(days.max(0)))
        .unwrap_or(start);
    due.max(start)
}

/// Whether an active contract has run out on `today` (the day after its end date).
pub fn has_expired(end: Date, today: Date) -> bool {
    end < today
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn people_move_drafts_to_approved_and_approved_to_active_only() {
        assert!(may_move(DRAFT, APPROVED));
        assert!(may_move(APPROVED, ACTIVE));
        assert!(may_move(APPROVED, DRAFT));
        for (from, to) in [
            (DRAFT, ACTIVE),
            (ACTIVE, DRAFT),
            (ACTIVE, EXPIRED),
            (EXPIRED, ACTIVE),
            (RENEWED, ACTIVE),
            (DRAFT, RENEWED),
            (DRAFT, DRAFT),
        ] {
            assert!(!may_move(from, to), "{from} → {to}");
        }
    }

    #[test]
    fn only_active_or_expired_contracts_renew() {
        assert!(may_renew(ACTIVE));
        assert!(may_renew(EXPIRED));
        assert!(!may_renew(DRAFT));
        assert!(!may_renew(APPROVED));
        assert!(!may_renew(RENEWED));
    }

    #[test]
    fn approving_needs_more_than_ones_own_reach() {
        assert!(needs_manager(APPROVED));
        assert!(!needs_manager(ACTIVE));
        assert!(!is_manager(Scope::Own));
        assert!(!is_manager(Scope::None));
        assert!(is_manager(Scope::Team));
        assert!(is_manager(Scope::All));
    }

    #[test]
    fn end_before_start_is_refused() {
        let errors = check_dates(Some(date!(2025 - 03 - 21)), Some(date!(2025 - 03 - 20)));
        assert_eq!(errors.unwrap_err().fields["end_date"], END_BEFORE_START);
        assert!(check_dates(Some(date!(2025 - 03 - 21)), Some(date!(2025 - 03 - 21))).is_ok());
        assert!(check_dates(None, Some(date!(2025 - 03 - 21))).is_ok());
    }

    #[test]
    fn a_renewal_follows_on_for_the_same_length() {
        let (start, end) = renewal_dates(date!(2025 - 03 - 21), date!(2026 - 03 - 20));
        assert_eq!(start, date!(2026 - 03 - 21));
        assert_eq!(end, date!(2027 - 03 - 20));
    }

    #[test]
    fn the_reminder_is_due_days_before_the_end_but_not_before_the_start() {
        let (start, end) = (date!(2025 - 01 - 01), date!(2025 - 12 - 31));
        assert_eq!(reminder_date(start, end, 30), date!(2025 - 12 - 01));
        assert_eq!(reminder_date(start, end, 0), end);
        assert_eq!(reminder_date(start, end, -5), end);
        assert_eq!(reminder_date(start, date!(2025 - 01 - 10), 30), start);
    }

    #[test]
    fn a_contract_expires_the_day_after_its_end() {
        assert!(!has_expired(date!(2025 - 12 - 31), date!(2025 - 12 - 31)));
        assert!(has_expired(date!(2025 - 12 - 31), date!(2026 - 01 - 01)));
    }
}
