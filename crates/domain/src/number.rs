//! Integer formatting and parsing for both locales.
//!
//! Amounts in Iran (rials, tomans) are large, so thousands grouping matters
//! for readability, and users paste numbers with whatever separators and
//! digits their keyboard produced.

use crate::calendar::Locale;
use crate::text::{to_latin_digits, to_persian_digits};
use crate::validation::FieldError;

/// The Arabic thousands separator, used in Persian typography.
const PERSIAN_GROUP_SEPARATOR: char = '\u{066C}';

/// Format an integer with thousands grouping: `1,234,567` in English,
/// `۱٬۲۳۴٬۵۶۷` (Persian digits and separator) in Persian.
pub fn format_integer(value: i64, locale: Locale) -> String {
    // `unsigned_abs` keeps i64::MIN representable.
    let digits = value.unsigned_abs().to_string();
    let separator = match locale {
        Locale::Fa => PERSIAN_GROUP_SEPARATOR,
        Locale::En => ',',
    };
    let mut out = String::with_capacity(digits.len() * 3 + 1);
    if value < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(c);
    }
    match locale {
        Locale::Fa => to_persian_digits(&out),
        Locale::En => out,
    }
}

/// Parse an integer typed by a user.
///
/// Accepts digits in any script, an optional leading `-`, and the group
/// separators `,`, `٬` (Arabic thousands separator), `،` (Arabic comma, which
/// Persian keyboards produce for the comma key) and whitespace, anywhere
/// between digits. Grouping positions are not checked: a misplaced separator
/// is harmless, whereas rejecting it would only annoy. Anything else (decimal
/// points, letters, a plus sign, overflow) is `INVALID_NUMBER`.
pub fn parse_integer(input: &str) -> Result<i64, FieldError> {
    let err = FieldError::INVALID_NUMBER;
    let s = to_latin_digits(input.trim());
    let (negative, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.as_str()),
    };
    // Accumulate towards the sign of the result so i64::MIN parses without
    // an intermediate overflow.
    let mut value: i64 = 0;
    let mut seen_digit = false;
    for c in body.chars() {
        if let Some(d) = c.to_digit(10).filter(|_| c.is_ascii_digit()) {
            let d = i64::from(d);
            value = value.checked_mul(10).ok_or(err)?;
            value = if negative {
                value.checked_sub(d)
            } else {
                value.checked_add(d)
            }
            .ok_or(err)?;
            seen_digit = true;
        } else if !(matches!(c, ',' | '\u{066C}' | '\u{060C}') || c.is_whitespace()) {
            return Err(err);
        }
    }
    if seen_digit { Ok(value) } else { Err(err) }
}

/// Parse a decimal number typed by a user: like [`parse_integer`], plus one decimal point,
/// written `.` or `٫` (the Persian decimal separator). The result is finite.
pub fn parse_decimal(input: &str) -> Result<f64, FieldError> {
    let err = FieldError::INVALID_NUMBER;
    let s = to_latin_digits(input.trim());
    let mut plain = String::with_capacity(s.len());
    let mut seen_digit = false;
    let mut seen_point = false;
    for (i, c) in s.chars().enumerate() {
        match c {
            '-' if i == 0 => plain.push('-'),
            '.' | '\u{066B}' if !seen_point => {
                seen_point = true;
                plain.push('.');
            }
            c if c.is_ascii_digit() => {
                seen_digit = true;
                plain.push(c);
            }
            c if matches!(c, ',' | '\u{066C}' | '\u{060C}') || c.is_whitespace() => {}
            _ => return Err(err),
        }
    }
    if !seen_digit {
        return Err(err);
    }
    plain
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or(err)
}

/// Format a decimal number for display: thousands grouping of the whole part as in
/// [`format_integer`], and at most six significant decimals without trailing zeros.
pub fn format_decimal(value: f64, locale: Locale) -> String {
    let text = format!("{value:.6}");
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let fraction = fraction.trim_end_matches('0');
    let whole_value: i64 = whole.parse().unwrap_or(0);
    let mut out = if whole_value == 0 && value.is_sign_negative() && !fraction.is_empty() {
        format!("-{}", format_integer(0, locale))
    } else {
        format_integer(whole_value, locale)
    };
    if !fraction.is_empty() {
        match locale {
            Locale::Fa => {
                out.push('\u{066B}');
                out.push_str(&to_persian_digits(fraction));
            }
            Locale::En => {
                out.push('.');
                out.push_str(fraction);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn decimals_parse_in_both_scripts_and_format_back() {
        assert_eq!(parse_decimal("1,234.5"), Ok(1234.5));
        assert_eq!(parse_decimal("۱٬۲۳۴٫۵"), Ok(1234.5));
        assert_eq!(parse_decimal("-0.25"), Ok(-0.25));
        assert_eq!(parse_decimal("42"), Ok(42.0));
        for bad in ["", "1.2.3", "abc", "1e5", "--1", "1-"] {
            assert_eq!(
                parse_decimal(bad),
                Err(FieldError::INVALID_NUMBER),
                "{bad:?}"
            );
        }
        assert_eq!(format_decimal(1234.5, Locale::En), "1,234.5");
        assert_eq!(format_decimal(1234.5, Locale::Fa), "۱٬۲۳۴٫۵");
        assert_eq!(format_decimal(-0.25, Locale::En), "-0.25");
        assert_eq!(format_decimal(3.0, Locale::En), "3");
    }

    use super::*;

    #[test]
    fn formats_english() {
        let cases = [
            (0, "0"),
            (7, "7"),
            (999, "999"),
            (1000, "1,000"),
            (1234567, "1,234,567"),
            (-1234, "-1,234"),
            (-999, "-999"),
            (100_000, "100,000"),
            (i64::MAX, "9,223,372,036,854,775,807"),
            (i64::MIN, "-9,223,372,036,854,775,808"),
        ];
        for (v, s) in cases {
            assert_eq!(format_integer(v, Locale::En), s, "{v}");
        }
    }

    #[test]
    fn formats_persian() {
        assert_eq!(format_integer(1234567, Locale::Fa), "۱٬۲۳۴٬۵۶۷");
        assert_eq!(format_integer(0, Locale::Fa), "۰");
        assert_eq!(format_integer(-1000, Locale::Fa), "-۱٬۰۰۰");
    }

    #[test]
    fn parses_with_separators_and_scripts() {
        let cases = [
            ("0", 0),
            ("42", 42),
            ("-42", -42),
            ("1,234,567", 1234567),
            ("۱٬۲۳۴٬۵۶۷", 1234567),
            ("١،٢٣٤", 1234),
            (" 1 234 567 ", 1234567),
            ("-0", 0),
            ("007", 7),
            ("9223372036854775807", i64::MAX),
            ("-9,223,372,036,854,775,808", i64::MIN),
        ];
        for (s, v) in cases {
            assert_eq!(parse_integer(s), Ok(v), "{s:?}");
        }
    }

    #[test]
    fn round_trips_formatting() {
        for v in [0, 1, -1, 999, 1000, -123_456_789, i64::MAX, i64::MIN] {
            for l in [Locale::Fa, Locale::En] {
                assert_eq!(parse_integer(&format_integer(v, l)), Ok(v), "{v} {l:?}");
            }
        }
    }

    #[test]
    fn rejects_bad_input() {
        let bad = [
            "",
            " ",
            "-",
            ",",
            "+5",
            "1.5",
            "1٫5",
            "12a",
            "--1",
            "1-2",
            "۱۲x",
            "9223372036854775808",
            "-9223372036854775809",
            "99999999999999999999",
            "１２",
        ];
        for s in bad {
            assert_eq!(parse_integer(s), Err(FieldError::INVALID_NUMBER), "{s:?}");
        }
    }
}
