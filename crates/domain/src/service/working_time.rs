//! Working-time arithmetic: adding working hours to a moment and measuring the working time
//! between two moments, over a weekly schedule and a set of holidays.
//!
//! Service-level targets are counted in working hours of the branch's calendar (PRODUCT.md §5):
//! a four-hour target set on Wednesday afternoon runs into Thursday's half day and then Saturday,
//! not into Friday. The Iranian default is Saturday to Wednesday full days, Thursday a half day
//! and Friday off.

use std::collections::BTreeSet;

use time::{Date, Duration, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset, Weekday};

/// How far ahead the arithmetic looks for working time before giving up (ten years): a calendar
/// with no working day at all must not loop forever.
const MAX_DAYS: u32 = 3660;

/// The opening hours of one day: from `open` until `close`, local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hours {
    /// When work starts.
    pub open: Time,
    /// When work ends (after `open`).
    pub close: Time,
}

impl Hours {
    /// Hours from `open_hour`:00 to `close_hour`:00; `None` unless `open_hour < close_hour <= 24`.
    pub fn whole(open_hour: u8, close_hour: u8) -> Option<Hours> {
        if open_hour >= close_hour || close_hour > 24 {
            return None;
        }
        let close = if close_hour == 24 {
            Time::MAX
        } else {
            Time::from_hms(close_hour, 0, 0).ok()?
        };
        Some(Hours {
            open: Time::from_hms(open_hour, 0, 0).ok()?,
            close,
        })
    }

    fn length(self) -> Duration {
        self.close - self.open
    }
}

/// A weekly schedule with holidays in a fixed UTC offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkCalendar {
    /// Hours per weekday, Monday first; `None` is a day off.
    week: [Option<Hours>; 7],
    holidays: BTreeSet<Date>,
    offset: UtcOffset,
}

impl WorkCalendar {
    /// A calendar with the given hours per weekday (Monday first) and no holidays.
    pub fn new(week: [Option<Hours>; 7], offset: UtcOffset) -> WorkCalendar {
        WorkCalendar {
            week,
            holidays: BTreeSet::new(),
            offset,
        }
    }

    /// The Iranian default: Saturday to Wednesday 08:00–16:00, Thursday 08:00–12:00, Friday off,
    /// in Iran's time.
    pub fn iranian_default() -> WorkCalendar {
        let full = Hours::whole(8, 16);
        let half = Hours::whole(8, 12);
        // Monday, Tuesday, Wednesday, Thursday, Friday, Saturday, Sunday.
        WorkCalendar::new(
            [full, full, full, half, None, full, full],
            super::LOCAL_OFFSET,
        )
    }

    /// The same calendar with these days off as well.
    pub fn with_holidays(mut self, days: impl IntoIterator<Item = Date>) -> WorkCalendar {
        self.holidays.extend(days);
        self
    }

    /// The working hours of a local date, if it is a working day.
    pub fn hours_on(&self, date: Date) -> Option<Hours> {
        if self.holidays.contains(&date) {
            return None;
        }
        self.week[usize::from(date.weekday().number_days_from_monday())]
    }

    /// The moment at which `working` time has passed since `start`, counting only working hours;
    /// `None` if the calendar has no working time within ten years.
    ///
    /// Adding nothing gives `start` itself, even outside working hours.
    pub fn add_working(&self, start: OffsetDateTime, working: Duration) -> Option<OffsetDateTime> {
        if working <= Duration::ZERO {
            return Some(start);
        }
        let local = start.to_offset(self.offset);
        let mut remaining = working;
        let mut date = local.date();
        for day in 0..MAX_DAYS {
            if let Some(hours) = self.hours_on(date) {
                let begin = if day == 0 {
                    local.time().max(hours.open)
                } else {
                    hours.open
                };
                if begin < hours.close {
                    let available = hours.close - begin;
                    if remaining <= available {
                        let end = PrimitiveDateTime::new(date, begin) + remaining;
                        return Some(end.assume_offset(self.offset).to_offset(start.offset()));
                    }
                    remaining -= available;
                }
            }
            date = date.next_day()?;
        }
        None
    }

    /// The working time between two moments; negative when `to` comes before `from`.
    ///
    /// Whole weeks in between count as the weekly hours less their holidays, so the cost does
    /// not grow with the distance (an SLA sweep measures how far past due every open case is).
    pub fn working_between(&self, from: OffsetDateTime, to: OffsetDateTime) -> Duration {
        if to < from {
            return -self.working_between(to, from);
        }
        let (from, to) = (from.to_offset(self.offset), to.to_offset(self.offset));
        if from.date() == to.date() {
            return self.worked_on(from.date(), Some(from.time()), Some(to.time()));
        }
        let mut total = self.worked_on(from.date(), Some(from.time()), None)
            + self.worked_on(to.date(), None, Some(to.time()));
        if let Some(first_whole_day) = from.date().next_day() {
            total += self.whole_days(first_whole_day, to.date());
        }
        total
    }

    /// The working time of one local date between two times of day (the whole day by default).
    fn worked_on(&self, date: Date, from: Option<Time>, until: Option<Time>) -> Duration {
        let Some(hours) = self.hours_on(date) else {
            return Duration::ZERO;
        };
        let begin = from.map_or(hours.open, |t| t.max(hours.open));
        let end = until.map_or(hours.close, |t| t.min(hours.close));
        if begin < end {
            end - begin
        } else {
            Duration::ZERO
        }
    }

    /// The working time of the whole days from `first` up to, not including, `end`.
    fn whole_days(&self, first: Date, end: Date) -> Duration {
        if first >= end {
            return Duration::ZERO;
        }
        let weeks = (end - first).whole_days() / 7;
        let mut total = self.weekly_hours() * i32::try_from(weeks).unwrap_or(i32::MAX);
        let mut date = first + Duration::days(weeks * 7);
        while date < end {
            total += self.weekday_hours(date);
            match date.next_day() {
                Some(next) => date = next,
                None => break,
            }
        }
        let holidays: Duration = self
            .holidays
            .range(first..end)
            .map(|day| self.weekday_hours(*day))
            .sum();
        total - holidays
    }

    /// The length of a date's weekday hours, holidays aside.
    fn weekday_hours(&self, date: Date) -> Duration {
        self.week[usize::from(date.weekday().number_days_from_monday())]
            .map_or(Duration::ZERO, |h| h.length())
    }

    /// The working time of a whole week without holidays (for documentation and sanity checks).
    pub fn weekly_hours(&self) -> Duration {
        self.week.iter().flatten().map(|h| h.length()).sum()
    }
}

/// The weekday a Jalali week starts on.
pub const WEEK_START: Weekday = Weekday::Saturday;

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    fn tehran() -> WorkCalendar {
        WorkCalendar::iranian_default()
    }

    #[test]
    fn the_default_week_has_44_hours() {
        // Five days of eight hours and Thursday's four.
        assert_eq!(tehran().weekly_hours(), Duration::hours(44));
    }

    #[test]
    fn adding_within_one_day() {
        // Saturday 2025-03-22 at 09:00 Tehran time.
        let start = datetime!(2025-03-22 09:00 +03:30);
        let end = tehran().add_working(start, Duration::hours(4)).unwrap();
        assert_eq!(end, datetime!(2025-03-22 13:00 +03:30));
    }

    #[test]
    fn adding_runs_over_the_evening_into_the_next_morning() {
        // Sunday 15:00 + 3h: one hour on Sunday, two on Monday from 08:00.
        let start = datetime!(2025-03-23 15:00 +03:30);
        let end = tehran().add_working(start, Duration::hours(3)).unwrap();
        assert_eq!(end, datetime!(2025-03-24 10:00 +03:30));
    }

    #[test]
    fn thursday_is_a_half_day_and_friday_is_off() {
        // Wednesday 2025-03-26 at 14:00 + 8h: 2h Wednesday, 4h Thursday, Friday off, 2h Saturday.
        let start = datetime!(2025-03-26 14:00 +03:30);
        let end = tehran().add_working(start, Duration::hours(8)).unwrap();
        assert_eq!(end, datetime!(2025-03-29 10:00 +03:30));
    }

    #[test]
    fn a_start_outside_hours_waits_for_the_next_opening() {
        // Friday evening: nothing counts until Saturday 08:00.
        let start = datetime!(2025-03-28 20:00 +03:30);
        let end = tehran().add_working(start, Duration::minutes(30)).unwrap();
        assert_eq!(end, datetime!(2025-03-29 08:30 +03:30));
        // Before opening on a working day.
        let early = datetime!(2025-03-29 06:10 +03:30);
        let end = tehran().add_working(early, Duration::hours(1)).unwrap();
        assert_eq!(end, datetime!(2025-03-29 09:00 +03:30));
    }

    #[test]
    fn holidays_are_skipped() {
        // Nowruz: make Saturday and Sunday holidays; Wednesday 15:00 + 6h runs to Monday.
        let calendar = tehran().with_holidays([date!(2025 - 03 - 29), date!(2025 - 03 - 30)]);
        let start = datetime!(2025-03-26 15:00 +03:30);
        let end = calendar.add_working(start, Duration::hours(6)).unwrap();
        // 1h Wednesday, 4h Thursday, then Monday 08:00 + 1h.
        assert_eq!(end, datetime!(2025-03-31 09:00 +03:30));
    }

    #[test]
    fn the_answer_keeps_the_offset_of_the_start() {
        let start = datetime!(2025-03-22 05:30 UTC); // 09:00 in Tehran
        let end = tehran().add_working(start, Duration::hours(1)).unwrap();
        assert_eq!(end.offset(), UtcOffset::UTC);
        assert_eq!(end, datetime!(2025-03-22 06:30 UTC));
    }

    #[test]
    fn ending_exactly_at_closing_time_stays_on_that_day() {
        let start = datetime!(2025-03-22 08:00 +03:30);
        let end = tehran().add_working(start, Duration::hours(8)).unwrap();
        assert_eq!(end, datetime!(2025-03-22 16:00 +03:30));
    }

    #[test]
    fn a_calendar_without_working_days_gives_up() {
        let never = WorkCalendar::new([None; 7], UtcOffset::UTC);
        assert_eq!(
            never.add_working(datetime!(2025-01-01 0:00 UTC), Duration::hours(1)),
            None
        );
        assert_eq!(
            never.working_between(
                datetime!(2025-01-01 0:00 UTC),
                datetime!(2025-02-01 0:00 UTC)
            ),
            Duration::ZERO
        );
    }

    #[test]
    fn working_between_counts_only_open_hours() {
        let calendar = tehran();
        // Wednesday 14:00 to Saturday 10:00: 2 + 4 + 0 + 2 hours.
        let from = datetime!(2025-03-26 14:00 +03:30);
        let to = datetime!(2025-03-29 10:00 +03:30);
        assert_eq!(calendar.working_between(from, to), Duration::hours(8));
        assert_eq!(calendar.working_between(to, from), Duration::hours(-8));
        // Both ends in the same closed night.
        let night = datetime!(2025-03-26 20:00 +03:30);
        assert_eq!(
            calendar.working_between(night, night + Duration::hours(5)),
            Duration::ZERO
        );
    }

    /// Working time counted day by day, the obvious way, to check the week arithmetic.
    fn naive_between(
        calendar: &WorkCalendar,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> Duration {
        let mut total = Duration::ZERO;
        let mut at = from;
        while at < to {
            let next = (at + Duration::minutes(15)).min(to);
            let local = at.to_offset(LOCAL);
            if calendar
                .hours_on(local.date())
                .is_some_and(|h| local.time() >= h.open && local.time() < h.close)
            {
                total += next - at;
            }
            at = next;
        }
        total
    }

    #[test]
    fn long_spans_count_whole_weeks_and_their_holidays() {
        let calendar = tehran().with_holidays([
            date!(2025 - 03 - 20),
            date!(2025 - 03 - 23),
            date!(2025 - 04 - 01),
            date!(2025 - 04 - 02),
            date!(2025 - 04 - 04), // a Friday: a holiday on a day off changes nothing
        ]);
        let from = datetime!(2025-03-18 11:15 +03:30);
        for days in [0, 1, 6, 7, 8, 13, 14, 15, 30, 41] {
            let to = from + Duration::days(days) + Duration::minutes(150);
            assert_eq!(
                calendar.working_between(from, to),
                naive_between(&calendar, from, to),
                "{days} days"
            );
        }
    }

    #[test]
    fn adding_and_measuring_agree() {
        // Whatever the start and length, the working time from start to the computed end is the
        // length that was added: one property over a grid of starts through two weeks.
        let calendar = tehran().with_holidays([date!(2025 - 04 - 01)]);
        let mut start = datetime!(2025-03-20 00:00 +03:30);
        let end_of_grid = datetime!(2025-04-03 00:00 +03:30);
        while start < end_of_grid {
            for minutes in [1, 59, 60, 240, 479, 480, 481, 2640, 5000] {
                let length = Duration::minutes(minutes);
                let end = calendar.add_working(start, length).unwrap();
                assert!(end >= start);
                assert_eq!(
                    calendar.working_between(start, end),
                    length,
                    "{start} + {length}"
                );
                assert!(calendar.hours_on(end.to_offset(LOCAL).date()).is_some());
            }
            start += Duration::minutes(97);
        }
    }

    const LOCAL: UtcOffset = crate::service::LOCAL_OFFSET;
}
