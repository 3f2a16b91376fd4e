//! Service-level clocks of a case: when the first response and the resolution are due, and how
//! much working time is left or by how much the target was missed.

use time::{Duration, OffsetDateTime};

use super::working_time::WorkCalendar;

/// The targets of one priority, in working hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Targets {
    /// Working hours until the first reply to the customer.
    pub first_response_hours: i64,
    /// Working hours until the case is resolved.
    pub resolution_hours: i64,
}

/// When a case opened at `opened` must be answered and resolved.
pub fn due_times(
    calendar: &WorkCalendar,
    opened: OffsetDateTime,
    targets: Targets,
) -> (Option<OffsetDateTime>, Option<OffsetDateTime>) {
    let due = |hours: i64| calendar.add_working(opened, Duration::hours(hours.max(0)));
    (
        due(targets.first_response_hours),
        due(targets.resolution_hours),
    )
}

/// Where one clock stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockState {
    /// Done in time (`done` at or before the due moment).
    Met,
    /// Done after the due moment.
    MissedDone,
    /// Still running, with this much working time left.
    Running(Duration),
    /// Not done and past due, by this much working time.
    Breached(Duration),
}

impl ClockState {
    /// The stable code for JSON and translations.
    pub fn code(self) -> &'static str {
        match self {
            ClockState::Met => "met",
            ClockState::MissedDone => "missed",
            ClockState::Running(_) => "running",
            ClockState::Breached(_) => "breached",
        }
    }

    /// Whether the target was or is being missed.
    pub fn is_breach(self) -> bool {
        matches!(self, ClockState::MissedDone | ClockState::Breached(_))
    }
}

/// The state of a clock due at `due`, done at `done` (if it is), seen at `now`.
pub fn clock_state(
    calendar: &WorkCalendar,
    due: OffsetDateTime,
    done: Option<OffsetDateTime>,
    now: OffsetDateTime,
) -> ClockState {
    match done {
        Some(done) if done <= due => ClockState::Met,
        Some(_) => ClockState::MissedDone,
        None if now <= due => ClockState::Running(calendar.working_between(now, due)),
        None => ClockState::Breached(calendar.working_between(due, now)),
    }
}

/// Where a due moment moves when a clock paused at `paused_at` (the case waited for the
/// customer) resumes at `now`: later by the working time of the pause, so the wait costs the
/// team nothing and a pause outside working hours moves nothing.
pub fn resume_due(
    calendar: &WorkCalendar,
    due: OffsetDateTime,
    paused_at: OffsetDateTime,
    now: OffsetDateTime,
) -> OffsetDateTime {
    let paused = calendar.working_between(paused_at, now);
    if paused <= Duration::ZERO {
        return due;
    }
    calendar.add_working(due, paused).unwrap_or(due)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn due_times_follow_working_hours() {
        let calendar = WorkCalendar::iranian_default();
        // Wednesday 15:00: 2h first response lands on Thursday 09:00, 8h resolution on Saturday.
        let opened = datetime!(2025-03-26 15:00 +03:30);
        let (first, resolution) = due_times(
            &calendar,
            opened,
            Targets {
                first_response_hours: 2,
                resolution_hours: 8,
            },
        );
        assert_eq!(first, Some(datetime!(2025-03-27 09:00 +03:30)));
        assert_eq!(resolution, Some(datetime!(2025-03-29 11:00 +03:30)));
    }

    #[test]
    fn clock_states() {
        let calendar = WorkCalendar::iranian_default();
        let due = datetime!(2025-03-29 11:00 +03:30);
        let before = datetime!(2025-03-29 10:00 +03:30);
        let after = datetime!(2025-03-29 12:30 +03:30);
        assert_eq!(
            clock_state(&calendar, due, Some(before), after),
            ClockState::Met
        );
        assert_eq!(
            clock_state(&calendar, due, Some(after), after),
            ClockState::MissedDone
        );
        assert_eq!(
            clock_state(&calendar, due, None, before),
            ClockState::Running(Duration::hours(1))
        );
        assert_eq!(
            clock_state(&calendar, due, None, after),
            ClockState::Breached(Duration::minutes(90))
        );
        // Time left counts working hours only: from Thursday noon, Friday adds nothing.
        let thursday = datetime!(2025-03-27 12:00 +03:30);
        assert_eq!(
            clock_state(&calendar, due, None, thursday),
            ClockState::Running(Duration::hours(3))
        );
        assert!(ClockState::Breached(Duration::ZERO).is_breach());
    }

    #[test]
    fn a_pause_moves_the_due_moment_by_its_working_time() {
        let calendar = WorkCalendar::iranian_default();
        let due = datetime!(2025-03-29 11:00 +03:30);
        // Paused Wednesday 15:00 until Saturday 09:00: one hour Wednesday, four on Thursday,
        // one on Saturday — six working hours, so Saturday 11:00 becomes Sunday 09:00.
        let paused = datetime!(2025-03-26 15:00 +03:30);
        let resumed = datetime!(2025-03-29 09:00 +03:30);
        assert_eq!(
            resume_due(&calendar, due, paused, resumed),
            datetime!(2025-03-30 09:00 +03:30)
        );
        // A pause from Friday morning to Friday night costs no working time.
        let friday = datetime!(2025-03-28 09:00 +03:30);
        assert_eq!(
            resume_due(&calendar, due, friday, friday + Duration::hours(12)),
            due
        );
    }
}
