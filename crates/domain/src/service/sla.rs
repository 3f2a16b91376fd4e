//! Service-level clocks of a case: when the first response and the resolution are due, and how
//! much working time is left or by how much the target was missed.

use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::working_time::WorkCalendar;
use crate::text::normalize_search;

/// The targets of one priority, in working hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Targets {
    /// Working hours until the first reply to the customer.
    pub first_response_hours: i64,
    /// Working hours until the case is resolved.
    pub resolution_hours: i64,
}

/// One target an administrator set: for a priority, and optionally only for customers of one
/// class (an override of the priority's general target).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetRule {
    /// The target's record id.
    pub id: Uuid,
    /// The case priority it is for.
    pub priority: String,
    /// The customer class it is for; `None` for every class.
    pub customer_class: Option<String>,
    /// Its hours.
    pub targets: Targets,
}

impl TargetRule {
    /// Whether the rule names a class (and so is an override).
    pub fn is_class_override(&self) -> bool {
        self.customer_class
            .as_deref()
            .is_some_and(|c| !c.trim().is_empty())
    }
}

/// Whether two class names are the same class: compared like price lists compare them
/// (Persian letter variants, digits and case do not matter), so `A` and `a` or «ويژه» and
/// «ویژه» are one class.
pub fn same_class(a: &str, b: &str) -> bool {
    normalize_search(a.trim()) == normalize_search(b.trim())
}

/// The target that applies to a case of `priority` whose customer is of `class`: the most
/// specific one wins — the override for that class and priority, else the priority's target
/// for every class. Should several rows tie (the application refuses that when saving), the
/// one with the smallest id, i.e. the oldest, wins, so the choice never depends on order.
pub fn applicable_target<'a>(
    rules: &'a [TargetRule],
    priority: &str,
    class: Option<&str>,
) -> Option<&'a TargetRule> {
    let of_priority = rules.iter().filter(|r| r.priority == priority);
    let override_for_class = class.filter(|c| !c.trim().is_empty()).and_then(|class| {
        of_priority
            .clone()
            .filter(|r| {
                r.customer_class
                    .as_deref()
                    .is_some_and(|c| same_class(c, class))
            })
            .min_by_key(|r| r.id)
    });
    override_for_class.or_else(|| {
        of_priority
            .filter(|r| !r.is_class_override())
            .min_by_key(|r| r.id)
    })
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
    use proptest::prelude::*;
    use time::macros::datetime;

    fn target(n: u128, priority: &str, class: Option<&str>, hours: i64) -> TargetRule {
        TargetRule {
            id: Uuid::from_u128(n),
            priority: priority.into(),
            customer_class: class.map(str::to_owned),
            targets: Targets {
                first_response_hours: hours,
                resolution_hours: hours * 4,
            },
        }
    }

    #[test]
    fn the_class_override_wins_over_the_priority_target() {
        let rules = [
            target(1, "high", None, 4),
            target(2, "high", Some("A"), 2),
            target(3, "normal", Some("A"), 8),
            target(4, "normal", None, 16),
        ];
        let pick = |priority, class| applicable_target(&rules, priority, class).map(|r| r.id);
        assert_eq!(pick("high", Some("A")), Some(Uuid::from_u128(2)));
        // Class names compare like price lists compare them.
        assert_eq!(pick("high", Some(" a ")), Some(Uuid::from_u128(2)));
        assert_eq!(pick("high", Some("B")), Some(Uuid::from_u128(1)));
        assert_eq!(pick("high", None), Some(Uuid::from_u128(1)));
        assert_eq!(pick("normal", Some("A")), Some(Uuid::from_u128(3)));
        assert_eq!(pick("urgent", Some("A")), None);
    }

    #[test]
    fn an_override_alone_serves_only_its_class() {
        let rules = [target(1, "low", Some("طلایی"), 2)];
        assert_eq!(
            applicable_target(&rules, "low", Some("طلايي")).map(|r| r.id),
            Some(Uuid::from_u128(1))
        );
        assert!(applicable_target(&rules, "low", Some("نقره‌ای")).is_none());
        assert!(applicable_target(&rules, "low", None).is_none());
        // A blank class on a target means every class, not a class named "".
        let blank = [target(2, "low", Some("  "), 3)];
        assert_eq!(
            applicable_target(&blank, "low", Some("A")).map(|r| r.id),
            Some(Uuid::from_u128(2))
        );
    }

    fn arbitrary_rules() -> impl Strategy<Value = Vec<TargetRule>> {
        let priorities = prop::sample::select(vec!["low", "normal", "high"]);
        let classes = prop::option::of(prop::sample::select(vec!["A", "B", "C"]));
        // Ids are distinct, as record ids are.
        prop::collection::vec((priorities, classes, 1i64..50), 0..12).prop_map(|rows| {
            rows.into_iter()
                .enumerate()
                .map(|(n, (p, c, h))| target(n as u128, p, c, h))
                .collect()
        })
    }

    proptest! {
        /// The chosen target is for the case's priority; it is the class's override whenever
        /// one exists, and a general target only when there is none; nothing is chosen only
        /// when neither exists. The order of the rows never changes the choice.
        #[test]
        fn the_most_specific_target_wins_in_any_order(
            mut rules in arbitrary_rules(),
            priority in prop::sample::select(vec!["low", "normal", "high"]),
            class in prop::option::of(prop::sample::select(vec!["A", "B", "C"])),
        ) {
            let chosen = applicable_target(&rules, priority, class).cloned();
            let has_override = rules.iter().any(|r| {
                r.priority == priority && class.is_some() && r.customer_class.as_deref() == class
            });
            let has_general = rules
                .iter()
                .any(|r| r.priority == priority && r.customer_class.is_none());
            match &chosen {
                Some(rule) => {
                    prop_assert_eq!(&rule.priority, priority);
                    if has_override {
                        prop_assert_eq!(rule.customer_class.as_deref(), class);
                    } else {
                        prop_assert!(rule.customer_class.is_none());
                    }
                }
                None => prop_assert!(!has_override && !has_general),
            }
            rules.reverse();
            prop_assert_eq!(applicable_target(&rules, priority, class).cloned(), chosen);
        }
    }

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
