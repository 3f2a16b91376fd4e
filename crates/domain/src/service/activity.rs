//! Activity times and agenda periods: the moment an activity is due from its date and time of
//! day, when its reminder fires, the days an agenda page covers, and whether an activity was
//! done on time (the employee activity report).

use time::{Date, Duration, OffsetDateTime, PrimitiveDateTime, Time};

use super::LOCAL_OFFSET;
use super::working_time::WEEK_START;
use crate::calendar::{self, CalendarKind};
use crate::validation::FieldError;

/// Reads a time of day written `HH:MM` (or `H:MM`), in any digits.
pub fn parse_time_of_day(input: &str) -> Result<Time, FieldError> {
    let text = crate::text::to_latin_digits(input.trim());
    let (hour, minute) = text.split_once(':').ok_or(FieldError::INVALID)?;
    let ok = |part: &str, max: u8| {
        (1..=2)
            .contains(&part.len())
            .then(|| part.parse::<u8>().ok())
            .flatten()
            .filter(|n| *n <= max)
    };
    match (ok(hour, 23), ok(minute, 59)) {
        (Some(h), Some(m)) if minute.len() == 2 => {
            Time::from_hms(h, m, 0).map_err(|_| FieldError::INVALID)
        }
        _ => Err(FieldError::INVALID),
    }
}

/// The moment an activity is due: its date at its time of day (the end of the day without one),
/// local time.
pub fn due_at(date: Date, time_of_day: Option<Time>) -> OffsetDateTime {
    let time = time_of_day.unwrap_or(Time::from_hms(23, 59, 0).unwrap_or(Time::MIDNIGHT));
    PrimitiveDateTime::new(date, time).assume_offset(LOCAL_OFFSET)
}

/// When the reminder of an activity due at `due` fires, `minutes_before` earlier.
pub fn remind_at(due: OffsetDateTime, minutes_before: Option<i64>) -> Option<OffsetDateTime> {
    minutes_before
        .filter(|m| (0..=60 * 24 * 366).contains(m))
        .map(|m| due - Duration::minutes(m))
}

/// The length of an agenda page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Span {
    /// One day.
    Day,
    /// A week, from Saturday in the Jalali calendar and from Monday in the Gregorian.
    Week,
    /// A month of the user's calendar.
    Month,
}

impl Span {
    /// The span of a code (`day`, `week`, `month`), a week otherwise.
    pub fn parse(code: &str) -> Span {
        match code {
            "day" => Span::Day,
            "month" => Span::Month,
            _ => Span::Week,
        }
    }

    /// The code of the span.
    pub fn code(self) -> &'static str {
        match self {
            Span::Day => "day",
            Span::Week => "week",
            Span::Month => "month",
        }
    }
}

/// The first and last day of the period of `span` containing `day`, in `calendar`.
pub fn period(day: Date, span: Span, calendar: CalendarKind) -> (Date, Date) {
    match span {
        Span::Day => (day, day),
        Span::Week => {
            let start_day = match calendar {
                CalendarKind::Jalali => WEEK_START,
                CalendarKind::Gregorian => time::Weekday::Monday,
            };
            let back = (7 + day.weekday().number_days_from_monday()
                - start_day.number_days_from_monday())
                % 7;
            let first = day - Duration::days(i64::from(back));
            (first, first + Duration::days(6))
        }
        Span::Month => month_bounds(day, calendar),
    }
}

fn month_bounds(day: Date, calendar: CalendarKind) -> (Date, Date) {
    match calendar {
        CalendarKind::Gregorian => {
            let first = day.replace_day(1).unwrap_or(day);
            let last = first
                .replace_day(first.month().length(first.year()))
                .unwrap_or(day);
            (first, last)
        }
        CalendarKind::Jalali => {
            let j = calendar::to_jalali(day);
            let first = calendar::from_jalali(j.year, j.month, 1).unwrap_or(day);
            let next = if j.month == 12 {
                calendar::from_jalali(j.year + 1, 1, 1)
            } else {
                calendar::from_jalali(j.year, j.month + 1, 1)
            };
            (first, next.map_or(day, |n| n - Duration::days(1)))
        }
    }
}

/// Where an activity stands for the activity report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timeliness {
    /// Done at or before its due moment.
    DoneOnTime,
    /// Done after its due moment.
    DoneLate,
    /// Not done and past due.
    Overdue,
    /// Not done, not yet due (or without a due date).
    Pending,
    /// Cancelled: counts nowhere.
    Cancelled,
}

/// How an activity with this status, due and completion moment stands at `now`.
pub fn timeliness(
    status: &str,
    due: Option<OffsetDateTime>,
    completed: Option<OffsetDateTime>,
    now: OffsetDateTime,
) -> Timeliness {
    match (status, due) {
        ("cancelled", _) => Timeliness::Cancelled,
        ("done", Some(due)) if completed.is_some_and(|c| c > due) => Timeliness::DoneLate,
        ("done", _) => Timeliness::DoneOnTime,
        (_, Some(due)) if due < now => Timeliness::Overdue,
        _ => Timeliness::Pending,
    }
}

/// Counts of one row of the activity report (a person, team or branch).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Tally {
    /// Activities counted (cancelled ones excluded).
    pub total: u64,
    /// Done on time.
    pub done_on_time: u64,
    /// Done late.
    pub done_late: u64,
    /// Overdue and not done.
    pub overdue: u64,
    /// Not yet due.
    pub pending: u64,
}

impl Tally {
    /// Counts one activity.
    pub fn add(&mut self, state: Timeliness) {
        let slot = match state {
            Timeliness::Cancelled => return,
            Timeliness::DoneOnTime => &mut self.done_on_time,
            Timeliness::DoneLate => &mut self.done_late,
            Timeliness::Overdue => &mut self.overdue,
            Timeliness::Pending => &mut self.pending,
        };
        *slot += 1;
        self.total += 1;
    }

    /// The share of done activities done on time, in whole percent (`None` when nothing is done).
    pub fn on_time_percent(&self) -> Option<u64> {
        let done = self.done_on_time + self.done_late;
        (done > 0).then(|| (self.done_on_time * 100 + done / 2) / done)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime, time};

    #[test]
    fn times_of_day_in_any_digits() {
        assert_eq!(parse_time_of_day("09:30"), Ok(time!(9:30)));
        assert_eq!(parse_time_of_day("۱۴:۰۵"), Ok(time!(14:05)));
        assert_eq!(parse_time_of_day(" 7:00 "), Ok(time!(7:00)));
        for bad in ["24:00", "12:60", "12", "12:5", "ab:cd", "1:2:3", ""] {
            assert_eq!(parse_time_of_day(bad), Err(FieldError::INVALID), "{bad}");
        }
    }

    #[test]
    fn due_and_reminder_moments_are_in_tehran_time() {
        let due = due_at(date!(2025 - 03 - 22), Some(time!(10:00)));
        assert_eq!(due, datetime!(2025-03-22 06:30 UTC));
        assert_eq!(
            due_at(date!(2025 - 03 - 22), None),
            datetime!(2025-03-22 23:59 +03:30)
        );
        assert_eq!(
            remind_at(due, Some(30)),
            Some(datetime!(2025-03-22 06:00 UTC))
        );
        assert_eq!(remind_at(due, None), None);
        assert_eq!(remind_at(due, Some(-5)), None);
    }

    #[test]
    fn a_jalali_week_starts_on_saturday_and_a_gregorian_one_on_monday() {
        // 2025-03-26 is a Wednesday.
        let day = date!(2025 - 03 - 26);
        assert_eq!(
            period(day, Span::Week, CalendarKind::Jalali),
            (date!(2025 - 03 - 22), date!(2025 - 03 - 28))
        );
        assert_eq!(
            period(day, Span::Week, CalendarKind::Gregorian),
            (date!(2025 - 03 - 24), date!(2025 - 03 - 30))
        );
        // A Saturday starts its own Jalali week.
        assert_eq!(
            period(date!(2025 - 03 - 22), Span::Week, CalendarKind::Jalali).0,
            date!(2025 - 03 - 22)
        );
        assert_eq!(period(day, Span::Day, CalendarKind::Jalali), (day, day));
    }

    #[test]
    fn months_follow_the_users_calendar() {
        // 1404/01/06: Farvardin 1404 runs from 2025-03-21 to 2025-04-20.
        let day = date!(2025 - 03 - 26);
        assert_eq!(
            period(day, Span::Month, CalendarKind::Jalali),
            (date!(2025 - 03 - 21), date!(2025 - 04 - 20))
        );
        assert_eq!(
            period(day, Span::Month, CalendarKind::Gregorian),
            (date!(2025 - 03 - 01), date!(2025 - 03 - 31))
        );
        // Esfand ends the Jalali year (1403 is a leap year: 30 days).
        let esfand = calendar::from_jalali(1403, 12, 10).unwrap();
        let (first, last) = period(esfand, Span::Month, CalendarKind::Jalali);
        assert_eq!(calendar::to_jalali(first).day, 1);
        assert_eq!(calendar::to_jalali(last).day, 30);
    }

    #[test]
    fn timeliness_and_tally() {
        let due = datetime!(2025-03-22 10:00 UTC);
        let now = datetime!(2025-03-23 10:00 UTC);
        let early = Some(datetime!(2025-03-22 09:00 UTC));
        let late = Some(datetime!(2025-03-22 11:00 UTC));
        let states = [
            timeliness("done", Some(due), early, now),
            timeliness("done", Some(due), late, now),
            timeliness("open", Some(due), None, now),
            timeliness("in_progress", Some(now + Duration::DAY), None, now),
            timeliness("open", None, None, now),
            timeliness("cancelled", Some(due), None, now),
        ];
        assert_eq!(
            states,
            [
                Timeliness::DoneOnTime,
                Timeliness::DoneLate,
                Timeliness::Overdue,
                Timeliness::Pending,
                Timeliness::Pending,
                Timeliness::Cancelled
            ]
        );
        let mut tally = Tally::default();
        states.into_iter().for_each(|s| tally.add(s));
        assert_eq!(
            tally,
            Tally {
                total: 5,
                done_on_time: 1,
                done_late: 1,
                overdue: 1,
                pending: 2
            }
        );
        assert_eq!(tally.on_time_percent(), Some(50));
        assert_eq!(Tally::default().on_time_percent(), None);
    }
}
