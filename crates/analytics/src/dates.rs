//! Dates as day numbers: days since 1970-01-01 in the proleptic Gregorian calendar.
//!
//! The algorithms only ever subtract dates and group them by month, so a plain `i32` is enough
//! and keeps millions of orders compact. ISO dates are parsed by hand because the RFM command
//! reads ten million of them; Jalali dates go through `peyvand_domain::calendar` (ICU).

use peyvand_domain::calendar::{self, CalendarKind};

/// A date as the number of days since 1970-01-01 (negative before).
pub type Day = i32;

/// The day number of a Gregorian date; `month` is 1–12. Does not validate.
pub fn days_from_civil(year: i32, month: u32, day: u32) -> Day {
    // Howard Hinnant's algorithm: shift the year to start in March so the leap day is last.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let shifted_month = (month + 9) % 12;
    let day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
    let day_of_era =
        year_of_era as u32 * 365 + year_of_era as u32 / 4 - year_of_era as u32 / 100 + day_of_year;
    era * 146_097 + day_of_era as i32 - 719_468
}

/// The Gregorian `(year, month, day)` of a day number.
pub fn civil_from_days(day: Day) -> (i32, u32, u32) {
    let z = day + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = (z - era * 146_097) as u32;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let dom = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era as i32 + era * 400 + i32::from(month <= 2);
    (year, month, dom)
}

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Parses exactly `YYYY-MM-DD` (ASCII digits) into a day number; `None` for anything else,
/// including dates that do not exist such as `2023-02-29`.
pub fn parse_iso(text: &[u8]) -> Option<Day> {
    if text.len() != 10 || text[4] != b'-' || text[7] != b'-' {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        text[range].iter().try_fold(0u32, |acc, &b| {
            b.is_ascii_digit().then(|| acc * 10 + u32::from(b - b'0'))
        })
    };
    let year = number(0..4)? as i32;
    let month = number(5..7)?;
    let day = number(8..10)?;
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    Some(days_from_civil(year, month, day))
}

/// Parses a date as written in the given calendar: ISO `YYYY-MM-DD` for Gregorian, or a
/// Jalali date such as `1403-01-15` (Persian digits and `/` are accepted too).
pub fn parse(text: &str, jalali: bool) -> Option<Day> {
    if !jalali {
        return parse_iso(text.trim().as_bytes());
    }
    let date = calendar::parse_date(text, CalendarKind::Jalali).ok()?;
    Some(from_time(date))
}

/// The day number of a `time::Date`.
pub fn from_time(date: time::Date) -> Day {
    // Julian day 2 440 588 is 1970-01-01.
    date.to_julian_day() - 2_440_588
}

/// The calendar month of a day as `YYYY-MM`, Jalali or Gregorian.
pub fn month_label(day: Day, jalali: bool) -> (i32, u32) {
    if jalali {
        let (y, m, d) = civil_from_days(day);
        let date = time::Date::from_calendar_date(
            y,
            time::Month::try_from(m as u8).expect("month from civil_from_days is 1-12"),
            d as u8,
        )
        .expect("civil_from_days gives valid dates");
        let jalali = calendar::to_jalali(date);
        (jalali.year, u32::from(jalali.month))
    } else {
        let (y, m, _) = civil_from_days(day);
        (y, m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_numbers_round_trip_over_centuries() {
        for day in -200_000..200_000 {
            let (y, m, d) = civil_from_days(day);
            assert_eq!(days_from_civil(y, m, d), day);
        }
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
    }

    #[test]
    fn iso_parsing_is_strict() {
        assert_eq!(parse_iso(b"1970-01-02"), Some(1));
        assert_eq!(parse_iso(b"2024-02-29"), Some(days_from_civil(2024, 2, 29)));
        for bad in [
            &b"2023-02-29"[..],
            b"2023-13-01",
            b"2023-1-01",
            b"2023/01/01",
            b"abcd-ef-gh",
            b"",
        ] {
            assert_eq!(parse_iso(bad), None, "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn jalali_dates_agree_with_the_domain_calendar() {
        assert_eq!(
            parse("1403-01-01", true),
            Some(days_from_civil(2024, 3, 20))
        );
        assert_eq!(
            parse("1404-01-01", true),
            Some(days_from_civil(2025, 3, 21))
        );
        assert_eq!(month_label(days_from_civil(2025, 3, 20), true), (1403, 12));
        assert_eq!(parse("1403-13-01", true), None);
    }
}
