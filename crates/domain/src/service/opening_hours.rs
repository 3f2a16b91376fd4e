//! A branch's own working week (PRODUCT.md §5: service levels count in the working hours of the
//! branch's calendar). A branch either keeps its own week — one `HH:MM-HH:MM` span per weekday,
//! an empty day being closed — or follows its parent branch; headquarters without a week of its
//! own follows the Iranian default of [`WorkCalendar::iranian_default`].

use time::{Time, Weekday};

use super::working_time::{Hours, WorkCalendar};
use crate::text::to_latin_digits;
use crate::validation::FieldError;

/// The field that says a branch keeps a week of its own.
pub const OWN_WEEK_FIELD: &str = "own_working_hours";

/// The fields of a branch holding each weekday's hours, in the order of the Jalali week (the
/// order a form shows them), with the weekday each one stands for.
pub const DAY_FIELDS: [(&str, Weekday); 7] = [
    ("hours_saturday", Weekday::Saturday),
    ("hours_sunday", Weekday::Sunday),
    ("hours_monday", Weekday::Monday),
    ("hours_tuesday", Weekday::Tuesday),
    ("hours_wednesday", Weekday::Wednesday),
    ("hours_thursday", Weekday::Thursday),
    ("hours_friday", Weekday::Friday),
];

/// Hours written other than `HH:MM-HH:MM` with the opening before the closing.
pub const INVALID_HOURS: FieldError = FieldError("invalid_hours");

/// A week of the branch's own with every day closed.
pub const NO_OPEN_DAY: FieldError = FieldError("no_open_day");

/// A weekday's hours, or `None` for a day off: `08:00-16:00`, `8-16`, `۰۸:۳۰ تا ۱۴:۳۰` and
/// `7:30–14:30` are all read; an empty text is a day off.
pub fn parse_day(text: &str) -> Result<Option<Hours>, FieldError> {
    let text = to_latin_digits(text.trim());
    if text.is_empty() {
        return Ok(None);
    }
    let normalised = text.replace(['–', '—'], "-").replace("تا", "-");
    let (open, close) = normalised.split_once('-').ok_or(INVALID_HOURS)?;
    let (open, close) = (parse_time(open)?, parse_time(close)?);
    if open >= close {
        return Err(INVALID_HOURS);
    }
    Ok(Some(Hours { open, close }))
}

/// `H`, `HH`, `H:MM` or `HH:MM`; `24:00` is the end of the day.
fn parse_time(text: &str) -> Result<Time, FieldError> {
    let text = text.trim();
    let (hour, minute) = text.split_once(':').unwrap_or((text, "0"));
    let number = |part: &str| -> Result<u8, FieldError> {
        let part = part.trim();
        if part.is_empty() || part.len() > 2 || !part.bytes().all(|b| b.is_ascii_digit()) {
            return Err(INVALID_HOURS);
        }
        part.parse().map_err(|_| INVALID_HOURS)
    };
    let (hour, minute) = (number(hour)?, number(minute)?);
    if (hour, minute) == (24, 0) {
        return Ok(Time::MAX);
    }
    Time::from_hms(hour, minute, 0).map_err(|_| INVALID_HOURS)
}

/// The working week written in a branch's day fields (`day_text` gives a field's text, if any),
/// or the first field that cannot be read with its error.
pub fn parse_week<'a>(
    day_text: impl Fn(&str) -> Option<&'a str>,
) -> Result<[Option<Hours>; 7], (&'static str, FieldError)> {
    let mut week = [None; 7];
    for (name, weekday) in DAY_FIELDS {
        let hours = parse_day(day_text(name).unwrap_or_default()).map_err(|e| (name, e))?;
        week[usize::from(weekday.number_days_from_monday())] = hours;
    }
    Ok(week)
}

/// A working calendar with this week in Iran's time (holidays are added by the caller).
pub fn calendar_of(week: [Option<Hours>; 7]) -> WorkCalendar {
    WorkCalendar::new(week, super::LOCAL_OFFSET)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::Duration;
    use time::macros::{datetime, time};

    #[test]
    fn hours_are_read_in_latin_and_persian_digits() {
        let expect = Some(Hours {
            open: time!(7:30),
            close: time!(14:30),
        });
        assert_eq!(parse_day("7:30-14:30"), Ok(expect));
        assert_eq!(parse_day(" ۰۷:۳۰ تا ۱۴:۳۰ "), Ok(expect));
        assert_eq!(parse_day("07:30–14:30"), Ok(expect));
        assert_eq!(
            parse_day("8-16"),
            Ok(Some(Hours {
                open: time!(8:00),
                close: time!(16:00)
            }))
        );
        assert_eq!(
            parse_day("0-24").map(|h| h.map(|h| h.close)),
            Ok(Some(Time::MAX))
        );
        assert_eq!(parse_day(""), Ok(None));
    }

    #[test]
    fn bad_hours_are_refused() {
        for bad in [
            "16-8", "8", "8:00", "25-26", "8:60-9", "a-b", "8-8", "-8", "8:0:0-9", "123-130",
        ] {
            assert_eq!(parse_day(bad), Err(INVALID_HOURS), "{bad}");
        }
    }

    #[test]
    fn a_week_counts_only_its_open_days() {
        // Open Saturday to Wednesday 07:30-14:30, Thursday and Friday closed.
        let week = parse_week(|name| match name {
            "hours_thursday" | "hours_friday" => None,
            _ => Some("07:30-14:30"),
        })
        .unwrap();
        let calendar = calendar_of(week);
        assert_eq!(calendar.weekly_hours(), Duration::hours(35));
        // Wednesday 2025-03-26 14:00 + 1h: half an hour Wednesday, Thursday and Friday closed,
        // then Saturday from 07:30.
        let start = datetime!(2025-03-26 14:00 +03:30);
        let end = calendar.add_working(start, Duration::hours(1)).unwrap();
        assert_eq!(end, datetime!(2025-03-29 08:00 +03:30));
    }

    #[test]
    fn the_first_bad_day_is_named() {
        let error = parse_week(|name| (name == "hours_monday").then_some("late")).unwrap_err();
        assert_eq!(error, ("hours_monday", INVALID_HOURS));
    }
}
