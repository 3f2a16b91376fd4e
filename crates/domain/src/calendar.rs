//! Locales, the Jalali (Solar Hijri) calendar, and date formatting/parsing.
//!
//! Dates are stored as Gregorian [`time::Date`] everywhere; the Jalali
//! calendar exists only at the edges (display and input), so conversion lives
//! here. The Jalali arithmetic itself comes from ICU's Persian calendar rather
//! than a home-grown leap-year rule, because the 33-year approximations that
//! circulate online disagree with the official calendar in some years.

use icu_calendar::Date as IcuDate;
use icu_calendar::cal::Persian;
use icu_calendar::types::RataDie;

use crate::text::{to_latin_digits, to_persian_digits};
use crate::validation::FieldError;

/// Iran Standard Time, +03:30.
///
/// Iran abolished daylight saving time in 2022, so a fixed offset is correct
/// for current and future times.
pub const IRAN_OFFSET: time::UtcOffset = time::macros::offset!(+03:30);

/// The user-interface language.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, Default,
)]
#[serde(rename_all = "snake_case")]
pub enum Locale {
    /// Persian; the default because Peyvand is Persian-first.
    #[default]
    Fa,
    /// English.
    En,
}

impl Locale {
    /// The BCP 47 language code: `"fa"` or `"en"`.
    pub fn code(self) -> &'static str {
        match self {
            Locale::Fa => "fa",
            Locale::En => "en",
        }
    }

    /// Parse a language code such as `"fa"`, `"EN"` or `"fa-IR"`.
    ///
    /// Region subtags are ignored because they come from browsers'
    /// `Accept-Language` headers and do not change anything we render.
    pub fn parse(s: &str) -> Option<Locale> {
        let lang = s.trim().split(['-', '_']).next()?;
        if lang.eq_ignore_ascii_case("fa") {
            Some(Locale::Fa)
        } else if lang.eq_ignore_ascii_case("en") {
            Some(Locale::En)
        } else {
            None
        }
    }

    /// Whether the language is written right to left.
    pub fn is_rtl(self) -> bool {
        matches!(self, Locale::Fa)
    }
}

/// Which calendar dates are shown and entered in.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, Default,
)]
#[serde(rename_all = "snake_case")]
pub enum CalendarKind {
    /// The Jalali (Solar Hijri) calendar, official in Iran; the default.
    #[default]
    Jalali,
    /// The Gregorian calendar.
    Gregorian,
}

impl CalendarKind {
    /// A stable code: `"jalali"` or `"gregorian"`.
    pub fn code(self) -> &'static str {
        match self {
            CalendarKind::Jalali => "jalali",
            CalendarKind::Gregorian => "gregorian",
        }
    }

    /// Parse a code produced by [`CalendarKind::code`] (case-insensitive).
    pub fn parse(s: &str) -> Option<CalendarKind> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("jalali") {
            Some(CalendarKind::Jalali)
        } else if s.eq_ignore_ascii_case("gregorian") {
            Some(CalendarKind::Gregorian)
        } else {
            None
        }
    }
}

/// A date in the Jalali calendar; months are 1 (Farvardin) to 12 (Esfand).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JalaliDate {
    /// The Solar Hijri year, e.g. 1403.
    pub year: i32,
    /// The month, 1–12.
    pub month: u8,
    /// The day of the month, 1–31.
    pub day: u8,
}

/// Offset between a Julian day number and an ICU/Calendrical-Calculations
/// "rata die" (day 1 = 0001-01-01 proleptic Gregorian). Going through day
/// numbers avoids any year-range mismatch between `time` and ICU.
const JULIAN_DAY_OF_RD_0: i64 = 1_721_425;

/// Convert a Gregorian date to the Jalali calendar.
pub fn to_jalali(date: time::Date) -> JalaliDate {
    let rd = RataDie::new(i64::from(date.to_julian_day()) - JULIAN_DAY_OF_RD_0);
    let persian = IcuDate::from_rata_die(rd, Persian);
    JalaliDate {
        year: persian.year().extended_year(),
        month: persian.month().ordinal,
        day: persian.day_of_month().0,
    }
}

/// Convert a Jalali date to a Gregorian date.
///
/// Returns `None` when the Jalali date does not exist (month 13, day 31 in
/// months 7–12, 30 Esfand in a common year, …) or is outside the range
/// `time::Date` can represent.
pub fn from_jalali(year: i32, month: u8, day: u8) -> Option<time::Date> {
    let persian = IcuDate::try_new_persian(year, month, day).ok()?;
    let jd = persian.to_rata_die().to_i64_date() + JULIAN_DAY_OF_RD_0;
    time::Date::from_julian_day(i32::try_from(jd).ok()?).ok()
}

/// Render ASCII digits as Persian digits for the Persian locale.
fn localize_digits(s: String, locale: Locale) -> String {
    match locale {
        Locale::Fa => to_persian_digits(&s),
        Locale::En => s,
    }
}

/// Format a date for display: `1403/01/01` (Jalali) or `2024-03-20`
/// (Gregorian, ISO order so it cannot be misread as month/day).
///
/// In the Persian locale all digits are Persian.
pub fn format_date(date: time::Date, calendar: CalendarKind, locale: Locale) -> String {
    let s = match calendar {
        CalendarKind::Jalali => {
            let j = to_jalali(date);
            format!("{:04}/{:02}/{:02}", j.year, j.month, j.day)
        }
        CalendarKind::Gregorian => format!(
            "{:04}-{:02}-{:02}",
            date.year(),
            u8::from(date.month()),
            date.day()
        ),
    };
    localize_digits(s, locale)
}

/// Format an instant for display in the given UTC offset: the date as in
/// [`format_date`] followed by ` HH:MM`.
pub fn format_datetime(
    at: time::OffsetDateTime,
    offset: time::UtcOffset,
    calendar: CalendarKind,
    locale: Locale,
) -> String {
    // Only instants at the very edge of the representable range fail to
    // convert; showing them in their own offset beats panicking.
    let local = at.checked_to_offset(offset).unwrap_or(at);
    let date = format_date(local.date(), calendar, locale);
    let clock = localize_digits(format!("{:02}:{:02}", local.hour(), local.minute()), locale);
    format!("{date} {clock}")
}

/// Parse a user-entered date, year first, in the given calendar.
///
/// Accepts digits in any script, `/`, `-` or `.` as separator (the same one
/// twice), a four-digit year and a one- or two-digit month and day. A year
/// above 1700 is always read as Gregorian: Jalali years in use are 1300–1500,
/// so such input can only be an ISO date (e.g. pasted from a spreadsheet).
pub fn parse_date(input: &str, calendar: CalendarKind) -> Result<time::Date, FieldError> {
    let err = FieldError::INVALID_DATE;
    let s = to_latin_digits(input.trim());
    let sep = s
        .chars()
        .find(|c| matches!(c, '/' | '-' | '.'))
        .ok_or(err)?;
    let mut parts = s.split(sep);
    let (Some(y), Some(m), Some(d), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(err);
    };
    let all_digits = |p: &str, min: usize, max: usize| {
        (min..=max).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit())
    };
    if !all_digits(y, 4, 4) || !all_digits(m, 1, 2) || !all_digits(d, 1, 2) {
        return Err(err);
    }
    // The checks above guarantee these parse.
    let year: i32 = y.parse().map_err(|_| err)?;
    let month: u8 = m.parse().map_err(|_| err)?;
    let day: u8 = d.parse().map_err(|_| err)?;
    let gregorian = calendar == CalendarKind::Gregorian || year > 1700;
    if gregorian {
        let month = time::Month::try_from(month).map_err(|_| err)?;
        time::Date::from_calendar_date(year, month, day).map_err(|_| err)
    } else {
        from_jalali(year, month, day).ok_or(err)
    }
}

/// Parse a date as it appears in imported files and pasted text.
///
/// Accepts everything [`parse_date`] does, and also:
/// - a time of day after the date (`2024-04-03 10:30:00`, `2024-04-03T10:30:00Z`,
///   `1403/01/15 08:00`), which spreadsheets and older software append; the time is dropped;
/// - a month written as a word, with the day and the four-digit year around it in either
///   order: `15 فروردین 1403`, `۱۵ فروردین ۱۴۰۳`, `Farvardin 15, 1403`, `3 April 2024`. A Jalali
///   month name means a Jalali date and a Gregorian one a Gregorian date, whatever `calendar`
///   says.
///
/// Numeric forms with the year last (`03/04/2024`) stay `INVALID_DATE`: whether the day or
/// the month comes first differs between the programs that write them, and a wrong guess
/// would silently store a wrong date.
pub fn parse_date_flexible(input: &str, calendar: CalendarKind) -> Result<time::Date, FieldError> {
    let err = FieldError::INVALID_DATE;
    let s = to_latin_digits(input.trim());
    if let Some((date, time)) = s.split_once([' ', 'T'])
        && looks_like_time(time.trim())
    {
        return parse_date(date, calendar);
    }
    if s.chars().any(char::is_alphabetic) {
        return parse_date_with_month_name(&s).ok_or(err);
    }
    parse_date(&s, calendar)
}

/// Whether `s` is a time of day as spreadsheets write it: `HH:MM`, optionally with seconds,
/// fractions of a second and a `Z` or `±HH:MM` offset.
fn looks_like_time(s: &str) -> bool {
    let s = s.trim_end_matches('Z');
    let clock = match s.rfind(['+', '-']) {
        Some(i) if i > 0 => &s[..i],
        _ => s,
    };
    let mut parts = clock.split(':');
    let ok_part = |p: Option<&str>| {
        p.is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit() || b == b'.'))
    };
    ok_part(parts.next()) && ok_part(parts.next()) && parts.all(|p| ok_part(Some(p)))
}

/// Reads `15 فروردین 1403`, `Farvardin 15, 1403`, `3 April 2024` and similar: one month
/// name, a day of one or two digits and a year of four, in any order.
fn parse_date_with_month_name(s: &str) -> Option<time::Date> {
    let mut month: Option<(u8, CalendarKind)> = None;
    let mut numbers = Vec::new();
    for token in s.split(|c: char| c.is_whitespace() || matches!(c, ',' | '،' | '/' | '-' | '.')) {
        if token.is_empty() {
            continue;
        }
        if token.bytes().all(|b| b.is_ascii_digit()) {
            numbers.push(token);
        } else if month.is_none() {
            month = Some(month_from_name(token)?);
        } else {
            return None;
        }
    }
    let (month, calendar) = month?;
    let (day, year) = match numbers.as_slice() {
        [a, b] if b.len() == 4 && a.len() <= 2 => (a, b),
        [a, b] if a.len() == 4 && b.len() <= 2 => (b, a),
        _ => return None,
    };
    let (day, year): (u8, i32) = (day.parse().ok()?, year.parse().ok()?);
    match calendar {
        CalendarKind::Jalali => from_jalali(year, month, day),
        CalendarKind::Gregorian => {
            time::Date::from_calendar_date(year, time::Month::try_from(month).ok()?, day).ok()
        }
    }
}

/// The month number and calendar of a month name in Persian or English (English matched
/// without regard to case; Persian after search normalisation, so «ي» and «ی» both work).
fn month_from_name(token: &str) -> Option<(u8, CalendarKind)> {
    let key = crate::text::normalize_search(token);
    let tables = [
        (&JALALI_FA, CalendarKind::Jalali),
        (&JALALI_EN, CalendarKind::Jalali),
        (&GREGORIAN_FA, CalendarKind::Gregorian),
        (&GREGORIAN_EN, CalendarKind::Gregorian),
    ];
    tables.iter().find_map(|(names, calendar)| {
        names
            .iter()
            .position(|name| {
                let name = crate::text::normalize_search(name);
                // English month names are often abbreviated to three letters ("Apr").
                name == key || (key.len() >= 3 && key.is_ascii() && name.starts_with(&key))
            })
            .map(|i| (i as u8 + 1, *calendar))
    })
}

const JALALI_FA: [&str; 12] = [
    "فروردین",
    "اردیبهشت",
    "خرداد",
    "تیر",
    "مرداد",
    "شهریور",
    "مهر",
    "آبان",
    "آذر",
    "دی",
    "بهمن",
    "اسفند",
];
const JALALI_EN: [&str; 12] = [
    "Farvardin",
    "Ordibehesht",
    "Khordad",
    "Tir",
    "Mordad",
    "Shahrivar",
    "Mehr",
    "Aban",
    "Azar",
    "Dey",
    "Bahman",
    "Esfand",
];
const GREGORIAN_FA: [&str; 12] = [
    "ژانویه",
    "فوریه",
    "مارس",
    "آوریل",
    "مه",
    "ژوئن",
    "ژوئیه",
    "اوت",
    "سپتامبر",
    "اکتبر",
    "نوامبر",
    "دسامبر",
];
const GREGORIAN_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// The name of a month (1–12) in the given calendar and language.
///
/// Returns an empty string for a month outside 1–12 so templates degrade
/// gracefully instead of panicking on bad data.
pub fn month_name(month: u8, calendar: CalendarKind, locale: Locale) -> &'static str {
    let names = match (calendar, locale) {
        (CalendarKind::Jalali, Locale::Fa) => &JALALI_FA,
        (CalendarKind::Jalali, Locale::En) => &JALALI_EN,
        (CalendarKind::Gregorian, Locale::Fa) => &GREGORIAN_FA,
        (CalendarKind::Gregorian, Locale::En) => &GREGORIAN_EN,
    };
    usize::from(month)
        .checked_sub(1)
        .and_then(|i| names.get(i))
        .copied()
        .unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    fn j(year: i32, month: u8, day: u8) -> JalaliDate {
        JalaliDate { year, month, day }
    }

    #[test]
    fn known_conversions() {
        let cases = [
            (date!(2024 - 03 - 20), j(1403, 1, 1)),
            (date!(2025 - 03 - 20), j(1403, 12, 30)),
            (date!(2025 - 03 - 21), j(1404, 1, 1)),
            (date!(1979 - 02 - 11), j(1357, 11, 22)),
            (date!(2024 - 03 - 19), j(1402, 12, 29)),
        ];
        for (g, jd) in cases {
            assert_eq!(to_jalali(g), jd, "{g}");
            assert_eq!(from_jalali(jd.year, jd.month, jd.day), Some(g), "{jd:?}");
        }
    }

    #[test]
    fn round_trips_every_day_1950_to_2100() {
        let mut d = date!(1950 - 01 - 01);
        let end = date!(2100 - 12 - 31);
        let mut prev = to_jalali(d);
        let mut count = 0;
        while d < end {
            d = d.next_day().unwrap();
            let jd = to_jalali(d);
            assert_eq!(from_jalali(jd.year, jd.month, jd.day), Some(d), "{d}");
            // Consecutive days must be consecutive Jalali dates.
            let consecutive = (jd.year == prev.year
                && jd.month == prev.month
                && jd.day == prev.day + 1)
                || (jd.year == prev.year && jd.month == prev.month + 1 && jd.day == 1)
                || (jd.year == prev.year + 1 && jd.month == 1 && jd.day == 1 && prev.month == 12);
            assert!(consecutive, "{prev:?} -> {jd:?}");
            prev = jd;
            count += 1;
        }
        assert!(count > 55_000);
    }

    #[test]
    fn nonexistent_jalali_dates() {
        assert_eq!(from_jalali(1403, 13, 1), None);
        assert_eq!(from_jalali(1403, 0, 1), None);
        assert_eq!(from_jalali(1403, 1, 0), None);
        assert_eq!(from_jalali(1403, 1, 32), None);
        assert_eq!(from_jalali(1403, 7, 31), None);
        assert_eq!(from_jalali(1403, 12, 31), None);
        assert!(from_jalali(1403, 6, 31).is_some());
        assert!(from_jalali(1403, 7, 30).is_some());
        // 1403 is leap (30 Esfand exists), 1404 is not.
        assert!(from_jalali(1403, 12, 30).is_some());
        assert_eq!(from_jalali(1404, 12, 30), None);
        assert_eq!(from_jalali(i32::MAX, 1, 1), None);
        assert_eq!(from_jalali(9999, 1, 1), None);
    }

    #[test]
    fn formats_dates() {
        let d = date!(2024 - 03 - 20);
        assert_eq!(
            format_date(d, CalendarKind::Jalali, Locale::En),
            "1403/01/01"
        );
        assert_eq!(
            format_date(d, CalendarKind::Jalali, Locale::Fa),
            "۱۴۰۳/۰۱/۰۱"
        );
        assert_eq!(
            format_date(d, CalendarKind::Gregorian, Locale::En),
            "2024-03-20"
        );
        assert_eq!(
            format_date(d, CalendarKind::Gregorian, Locale::Fa),
            "۲۰۲۴-۰۳-۲۰"
        );
    }

    #[test]
    fn formats_datetimes_in_offset() {
        // 21:00 UTC on 19 March is 00:30 on 20 March in Tehran: the date
        // must change along with the time.
        let at = datetime!(2024-03-19 21:00 UTC);
        assert_eq!(
            format_datetime(at, IRAN_OFFSET, CalendarKind::Jalali, Locale::En),
            "1403/01/01 00:30"
        );
        assert_eq!(
            format_datetime(at, IRAN_OFFSET, CalendarKind::Jalali, Locale::Fa),
            "۱۴۰۳/۰۱/۰۱ ۰۰:۳۰"
        );
        assert_eq!(
            format_datetime(
                at,
                time::UtcOffset::UTC,
                CalendarKind::Gregorian,
                Locale::En
            ),
            "2024-03-19 21:00"
        );
    }

    #[test]
    fn iran_offset_is_three_thirty() {
        assert_eq!(IRAN_OFFSET.whole_seconds(), 3 * 3600 + 30 * 60);
    }

    #[test]
    fn parses_jalali_in_many_spellings() {
        let want = date!(2024 - 03 - 20);
        for s in [
            "1403/01/01",
            "1403/1/1",
            "1403-01-01",
            "1403.1.01",
            "۱۴۰۳/۰۱/۰۱",
            "١٤٠٣/١/١",
            "  1403/01/01 ",
        ] {
            assert_eq!(parse_date(s, CalendarKind::Jalali), Ok(want), "{s}");
        }
    }

    #[test]
    fn parses_gregorian_and_iso_fallback() {
        let want = date!(2024 - 03 - 20);
        assert_eq!(parse_date("2024-03-20", CalendarKind::Gregorian), Ok(want));
        assert_eq!(parse_date("2024/3/20", CalendarKind::Gregorian), Ok(want));
        assert_eq!(parse_date("2024-03-20", CalendarKind::Jalali), Ok(want));
        assert_eq!(parse_date("۲۰۲۴-۰۳-۲۰", CalendarKind::Jalali), Ok(want));
    }

    #[test]
    fn rejects_bad_dates() {
        let bad = [
            "",
            "   ",
            "1403",
            "1403/01",
            "1403/01/01/01",
            "1403/13/01",
            "1403/07/31",
            "1404/12/30",
            "1403/00/10",
            "1403/01/00",
            "03/01/01",
            "01/01/1403",
            "1403/001/01",
            "1403/01-01",
            "1403//01",
            "1403/a/01",
            "1403/+1/01",
            "14O3/01/01",
            "2023-02-29",
            "2024-13-01",
        ];
        for s in bad {
            assert_eq!(
                parse_date(s, CalendarKind::Jalali),
                Err(FieldError::INVALID_DATE),
                "{s:?}"
            );
        }
        assert_eq!(
            parse_date("2023-02-29", CalendarKind::Gregorian),
            Err(FieldError::INVALID_DATE)
        );
        assert!(parse_date("2024-02-29", CalendarKind::Gregorian).is_ok());
    }

    #[test]
    fn month_names() {
        assert_eq!(month_name(1, CalendarKind::Jalali, Locale::Fa), "فروردین");
        assert_eq!(month_name(12, CalendarKind::Jalali, Locale::Fa), "اسفند");
        assert_eq!(month_name(1, CalendarKind::Jalali, Locale::En), "Farvardin");
        assert_eq!(month_name(12, CalendarKind::Jalali, Locale::En), "Esfand");
        assert_eq!(month_name(5, CalendarKind::Gregorian, Locale::Fa), "مه");
        assert_eq!(month_name(8, CalendarKind::Gregorian, Locale::Fa), "اوت");
        assert_eq!(
            month_name(12, CalendarKind::Gregorian, Locale::En),
            "December"
        );
        assert_eq!(month_name(0, CalendarKind::Jalali, Locale::Fa), "");
        assert_eq!(month_name(13, CalendarKind::Gregorian, Locale::En), "");
    }

    #[test]
    fn locale_and_calendar_codes() {
        assert_eq!(Locale::default(), Locale::Fa);
        assert_eq!(CalendarKind::default(), CalendarKind::Jalali);
        for l in [Locale::Fa, Locale::En] {
            assert_eq!(Locale::parse(l.code()), Some(l));
        }
        assert_eq!(Locale::parse("fa-IR"), Some(Locale::Fa));
        assert_eq!(Locale::parse("EN_us"), Some(Locale::En));
        assert_eq!(Locale::parse("de"), None);
        assert_eq!(Locale::parse(""), None);
        assert!(Locale::Fa.is_rtl());
        assert!(!Locale::En.is_rtl());
        for c in [CalendarKind::Jalali, CalendarKind::Gregorian] {
            assert_eq!(CalendarKind::parse(c.code()), Some(c));
        }
        assert_eq!(
            CalendarKind::parse("Gregorian"),
            Some(CalendarKind::Gregorian)
        );
        assert_eq!(CalendarKind::parse("hijri"), None);
    }

    #[test]
    fn serde_uses_codes() {
        use serde_json::{from_str, to_string};
        assert_eq!(to_string(&Locale::Fa).unwrap(), r#""fa""#);
        assert_eq!(
            to_string(&CalendarKind::Gregorian).unwrap(),
            r#""gregorian""#
        );
        assert_eq!(from_str::<Locale>(r#""en""#).unwrap(), Locale::En);
        assert_eq!(
            from_str::<CalendarKind>(r#""jalali""#).unwrap(),
            CalendarKind::Jalali
        );
        assert!(from_str::<Locale>(r#""xx""#).is_err());
    }

    #[test]
    fn flexible_dates_accept_times_and_month_names() {
        let farvardin_15 = date!(2024 - 04 - 03);
        for s in [
            "1403/01/15",
            "1403-1-15",
            "۱۴۰۳/۰۱/۱۵",
            "2024-04-03",
            "2024-04-03 00:00:00",
            "2024-04-03T10:30:00Z",
            "2024-04-03T10:30:00.000+03:30",
            "1403/01/15 08:00",
            "15 فروردین 1403",
            "۱۵ فروردین ۱۴۰۳",
            "Farvardin 15, 1403",
            "1403 فروردين 15",
            "3 April 2024",
            "Apr 3, 2024",
        ] {
            assert_eq!(
                parse_date_flexible(s, CalendarKind::Jalali),
                Ok(farvardin_15),
                "{s:?}"
            );
        }
        // A Gregorian month name means a Gregorian date even for a Jalali user.
        assert_eq!(
            parse_date_flexible("3 آوریل 2024", CalendarKind::Jalali),
            Ok(farvardin_15)
        );
    }

    #[test]
    fn flexible_dates_reject_ambiguous_and_broken_input() {
        for s in [
            "",
            "03/04/2024",
            "15/01/1403",
            "2024-04-03 soon",
            "2024-04-03 10",
            "فروردین 1403",
            "32 فروردین 1403",
            "15 Smarch 1403",
            "15 فروردین اسفند 1403",
            "15 فروردین 03",
            "1403/01/15 25:00:xx",
        ] {
            assert_eq!(
                parse_date_flexible(s, CalendarKind::Jalali),
                Err(FieldError::INVALID_DATE),
                "{s:?}"
            );
        }
    }
}
