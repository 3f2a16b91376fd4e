//! Sales targets: the period a target covers and the share of it achieved.

use time::Date;

use crate::calendar::{CalendarKind, from_jalali, to_jalali};
use crate::pipeline::forecast::month_of;

/// The period of kind `period` (`month`, `quarter` or `year`) in `calendar` that holds `date`:
/// `[start, end)`. Quarters are three months from the first month of the year (Farvardin or
/// January); a Jalali year starts at Nowruz.
pub fn period_bounds(date: Date, period: &str, calendar: CalendarKind) -> (Date, Date) {
    let month = month_of(date, calendar);
    let months_in_period: u8 = match period {
        "quarter" => 3,
        "year" => 12,
        _ => return (month.start, month.end),
    };
    let first_month = (month.month - 1) / months_in_period * months_in_period + 1;
    let start = month_start(month.year, first_month, calendar).unwrap_or(month.start);
    let after = u32::from(first_month) + u32::from(months_in_period);
    let (end_year, end_month) = if after > 12 {
        (month.year + 1, u8::try_from(after - 12).unwrap_or(1))
    } else {
        (month.year, u8::try_from(after).unwrap_or(1))
    };
    let end = month_start(end_year, end_month, calendar).unwrap_or(month.end);
    (start, end)
}

fn month_start(year: i32, month: u8, calendar: CalendarKind) -> Option<Date> {
    match calendar {
        CalendarKind::Jalali => from_jalali(year, month, 1),
        CalendarKind::Gregorian => {
            Date::from_calendar_date(year, time::Month::try_from(month).ok()?, 1).ok()
        }
    }
}

/// The Jalali year a date falls in (for labels).
pub fn jalali_year(date: Date) -> i32 {
    to_jalali(date).year
}

/// Percent of `target` achieved by `achieved`, with one decimal; None for a target of zero.
pub fn percent_achieved(achieved: i64, target: i64) -> Option<f64> {
    if target <= 0 {
        return None;
    }
    let tenths = i128::from(achieved) * 1000 / i128::from(target);
    // Tenths of a percent of an i64 ratio fit an f64 exactly enough for display.
    #[allow(clippy::cast_precision_loss)]
    Some(tenths as f64 / 10.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn periods_in_both_calendars() {
        assert_eq!(
            period_bounds(date!(2025 - 05 - 10), "month", CalendarKind::Gregorian),
            (date!(2025 - 05 - 01), date!(2025 - 06 - 01))
        );
        assert_eq!(
            period_bounds(date!(2025 - 11 - 10), "quarter", CalendarKind::Gregorian),
            (date!(2025 - 10 - 01), date!(2026 - 01 - 01))
        );
        // 1404/01/01 is 2025-03-21; 1405/01/01 is 2026-03-21.
        assert_eq!(
            period_bounds(date!(2025 - 08 - 01), "year", CalendarKind::Jalali),
            (date!(2025 - 03 - 21), date!(2026 - 03 - 21))
        );
        // Summer of 1404 (Tir to Shahrivar): 1404/04/01 = 2025-06-22, 1404/07/01 = 2025-09-23.
        assert_eq!(
            period_bounds(date!(2025 - 08 - 01), "quarter", CalendarKind::Jalali),
            (date!(2025 - 06 - 22), date!(2025 - 09 - 23))
        );
        assert_eq!(jalali_year(date!(2025 - 08 - 01)), 1404);
    }

    #[test]
    fn percent_is_in_tenths() {
        assert_eq!(percent_achieved(1, 3), Some(33.3));
        assert_eq!(percent_achieved(150, 100), Some(150.0));
        assert_eq!(percent_achieved(5, 0), None);
    }
}
