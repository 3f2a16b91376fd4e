//! The status machine of cases: new → assigned → in progress → waiting for customer → resolved
//! → closed, with reopening.
//!
//! Status is never written as a plain field: every change goes through [`check_transition`], so
//! an invalid move (closing a new case, resolving a closed one) is a clear error rather than a
//! silent edit.

/// A case's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CaseStatus {
    /// Just received, nobody works on it yet.
    New,
    /// Someone is responsible but has not started.
    Assigned,
    /// Being worked on.
    InProgress,
    /// Waiting for an answer from the customer.
    WaitingCustomer,
    /// Solved; the customer may still object.
    Resolved,
    /// Finished.
    Closed,
}

impl CaseStatus {
    /// Every status, in the order of a case's usual life.
    pub const ALL: [CaseStatus; 6] = [
        CaseStatus::New,
        CaseStatus::Assigned,
        CaseStatus::InProgress,
        CaseStatus::WaitingCustomer,
        CaseStatus::Resolved,
        CaseStatus::Closed,
    ];

    /// The stored code (one of `record::service::CASE_STATUSES`).
    pub fn code(self) -> &'static str {
        match self {
            CaseStatus::New => "new",
            CaseStatus::Assigned => "assigned",
            CaseStatus::InProgress => "in_progress",
            CaseStatus::WaitingCustomer => "waiting_customer",
            CaseStatus::Resolved => "resolved",
            CaseStatus::Closed => "closed",
        }
    }

    /// The status of a stored code.
    pub fn parse(code: &str) -> Option<CaseStatus> {
        CaseStatus::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Whether the case still needs work (counts toward an agent's load and SLA clocks run).
    pub fn is_open(self) -> bool {
        !matches!(self, CaseStatus::Resolved | CaseStatus::Closed)
    }

    /// The statuses a case in this status may move to.
    pub fn next(self) -> &'static [CaseStatus] {
        use CaseStatus::*;
        match self {
            New => &[Assigned, InProgress],
            Assigned => &[InProgress, WaitingCustomer, Resolved],
            InProgress => &[WaitingCustomer, Resolved],
            WaitingCustomer => &[InProgress, Resolved],
            // Reopening puts the case back to work.
            Resolved => &[Closed, InProgress],
            Closed => &[InProgress],
        }
    }
}

/// Why a status change was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidTransition {
    /// The case's status.
    pub from: CaseStatus,
    /// The status asked for.
    pub to: CaseStatus,
}

/// Whether a case may go from `from` to `to`.
pub fn check_transition(from: CaseStatus, to: CaseStatus) -> Result<(), InvalidTransition> {
    if from.next().contains(&to) {
        Ok(())
    } else {
        Err(InvalidTransition { from, to })
    }
}

/// Whether moving from `from` to `to` reopens a finished case.
pub fn is_reopen(from: CaseStatus, to: CaseStatus) -> bool {
    !from.is_open() && to.is_open()
}

/// The two kinds of entry on a case, kept apart: internal notes are for staff only, replies go
/// to the customer (and count as the first response).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    /// Seen by staff only.
    InternalNote,
    /// Sent to the customer.
    Reply,
    /// Written by the customer (in the portal).
    Customer,
}

impl EntryKind {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            EntryKind::InternalNote => "internal_note",
            EntryKind::Reply => "reply",
            EntryKind::Customer => "customer",
        }
    }

    /// The kind of a stored code.
    pub fn parse(code: &str) -> Option<EntryKind> {
        match code {
            "internal_note" => Some(EntryKind::InternalNote),
            "reply" => Some(EntryKind::Reply),
            "customer" => Some(EntryKind::Customer),
            _ => None,
        }
    }
}

/// A readable case number: the Jalali year and a sequence within it, e.g. `1404-00017`.
pub fn case_number(jalali_year: i32, sequence: i64) -> String {
    format!("{jalali_year}-{sequence:05}")
}

#[cfg(test)]
mod tests {
    use super::CaseStatus::*;
    use super::*;

    #[test]
    fn codes_match_the_schema() {
        let codes: Vec<_> = CaseStatus::ALL.iter().map(|s| s.code()).collect();
        assert_eq!(codes, crate::record::service::CASE_STATUSES);
        for status in CaseStatus::ALL {
            assert_eq!(CaseStatus::parse(status.code()), Some(status));
        }
        assert_eq!(CaseStatus::parse("open"), None);
    }

    #[test]
    fn the_usual_life_of_a_case_is_allowed() {
        let path = [
            New,
            Assigned,
            InProgress,
            WaitingCustomer,
            InProgress,
            Resolved,
            Closed,
        ];
        for pair in path.windows(2) {
            assert_eq!(check_transition(pair[0], pair[1]), Ok(()), "{pair:?}");
        }
    }

    #[test]
    fn skipping_ahead_or_standing_still_is_refused() {
        for (from, to) in [
            (New, Closed),
            (New, Resolved),
            (New, WaitingCustomer),
            (Assigned, Closed),
            (InProgress, Closed),
            (Closed, Resolved),
            (Closed, Closed),
            (InProgress, New),
            (Resolved, Assigned),
        ] {
            assert_eq!(
                check_transition(from, to),
                Err(InvalidTransition { from, to }),
                "{from:?} -> {to:?}"
            );
        }
    }

    #[test]
    fn resolved_and_closed_cases_reopen_into_progress() {
        assert_eq!(check_transition(Resolved, InProgress), Ok(()));
        assert_eq!(check_transition(Closed, InProgress), Ok(()));
        assert!(is_reopen(Closed, InProgress));
        assert!(!is_reopen(WaitingCustomer, InProgress));
    }

    #[test]
    fn only_resolved_and_closed_are_finished() {
        let open: Vec<_> = CaseStatus::ALL
            .into_iter()
            .filter(|s| s.is_open())
            .collect();
        assert_eq!(open, [New, Assigned, InProgress, WaitingCustomer]);
    }

    #[test]
    fn case_numbers_are_per_year_and_padded() {
        assert_eq!(case_number(1404, 17), "1404-00017");
        assert_eq!(case_number(1405, 123_456), "1405-123456");
    }
}
