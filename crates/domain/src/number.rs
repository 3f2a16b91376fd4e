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

/// A decimal number read exactly from text: `units × 10^-scale`.
///
/// Money and measured quantities must not pass through binary floating point on the way in,
/// or `0.1 + 0.2` style errors creep into stored amounts; so the digits are kept as an integer
/// with the position of the decimal point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Decimal {
    /// All digits as one integer, with the sign.
    pub units: i128,
    /// How many of those digits are after the decimal point.
    pub scale: u8,
}

/// The most digits after the decimal point [`parse_decimal`] keeps; more is `INVALID_NUMBER`
/// rather than silently rounded.
pub const DECIMAL_MAX_SCALE: u8 = 18;

impl Decimal {
    /// The value as the nearest `f64` (for fields stored as floating point).
    pub fn to_f64(self) -> f64 {
        // Formatting and parsing back is exact to the nearest double, which a division by a
        // power of ten is not.
        self.to_string().parse().unwrap_or(f64::NAN)
    }

    /// The value with exactly `scale` digits after the point, if that loses nothing and fits;
    /// e.g. amounts in a currency's minor units.
    pub fn with_scale(self, scale: u8) -> Option<i128> {
        if scale >= self.scale {
            10i128
                .checked_pow(u32::from(scale - self.scale))
                .and_then(|f| self.units.checked_mul(f))
        } else {
            let f = 10i128.checked_pow(u32::from(self.scale - scale))?;
            (self.units % f == 0).then_some(self.units / f)
        }
    }

    /// The value as a whole number, if it has no fractional part and fits in an `i64`.
    pub fn to_integer(self) -> Option<i64> {
        self.with_scale(0).and_then(|v| i64::try_from(v).ok())
    }
}

impl std::fmt::Display for Decimal {
    /// Plain ASCII with `.` as the decimal point and no grouping, e.g. `-1234.50`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let digits = self.units.unsigned_abs().to_string();
        let scale = usize::from(self.scale);
        let sign = if self.units < 0 { "-" } else { "" };
        if scale == 0 {
            return write!(f, "{sign}{digits}");
        }
        let padded = format!("{digits:0>width$}", width = scale + 1);
        let (whole, fraction) = padded.split_at(padded.len() - scale);
        write!(f, "{sign}{whole}.{fraction}")
    }
}

/// Parse a decimal number typed by a user or found in an imported file.
///
/// Accepts everything [`parse_integer`] does, plus one decimal separator: `.`, the Arabic
/// decimal separator `٫`, or `/`, which Persian handwriting and some Persian software use for
/// the decimal point (`۲/۵` is two and a half). Group separators may appear only before the
/// decimal separator. Two decimal separators (`1.234.567`, European grouping, or a date) are
/// `INVALID_NUMBER` rather than a guess, as are more than [`DECIMAL_MAX_SCALE`] fractional
/// digits and values beyond 38 digits.
pub fn parse_decimal(input: &str) -> Result<Decimal, FieldError> {
    let err = FieldError::INVALID_NUMBER;
    let s = to_latin_digits(input.trim());
    let (negative, body) = match s.strip_prefix(['-', '\u{2212}']) {
        Some(rest) => (true, rest),
        None => (false, s.as_str()),
    };
    let mut units: i128 = 0;
    let mut scale: Option<u8> = None;
    let mut seen_digit = false;
    for c in body.chars() {
        if c.is_ascii_digit() {
            let d = i128::from(c as u8 - b'0');
            units = units
                .checked_mul(10)
                .and_then(|u| u.checked_add(d))
                .ok_or(err)?;
            seen_digit = true;
            if let Some(s) = scale.as_mut() {
                *s += 1;
                if *s > DECIMAL_MAX_SCALE {
                    return Err(err);
                }
            }
        } else if matches!(c, '.' | '\u{066B}' | '/') && scale.is_none() {
            scale = Some(0);
        } else if scale.is_some()
            || !(matches!(c, ',' | '\u{066C}' | '\u{060C}') || c.is_whitespace())
        {
            return Err(err);
        }
    }
    // "5." is as clear as "5", but a bare "." is not a number.
    if !seen_digit {
        return Err(err);
    }
    Ok(Decimal {
        units: if negative { -units } else { units },
        scale: scale.unwrap_or(0),
    })
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
        let value = |text: &str| parse_decimal(text).map(Decimal::to_f64);
        assert_eq!(value("1,234.5"), Ok(1234.5));
        assert_eq!(value("۱٬۲۳۴٫۵"), Ok(1234.5));
        assert_eq!(value("-0.25"), Ok(-0.25));
        assert_eq!(value("42"), Ok(42.0));
        for bad in ["", "1.2.3", "abc", "1e5", "--1", "1-"] {
            assert_eq!(value(bad), Err(FieldError::INVALID_NUMBER), "{bad:?}");
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

    fn dec(s: &str) -> String {
        parse_decimal(s)
            .unwrap_or_else(|e| panic!("{s:?} rejected: {e}"))
            .to_string()
    }

    #[test]
    fn parses_decimals_in_every_script() {
        let cases = [
            ("0", "0"),
            ("42", "42"),
            ("-42", "-42"),
            ("3.25", "3.25"),
            ("۳٫۲۵", "3.25"),
            ("٣٫٢٥", "3.25"),
            ("۲/۵", "2.5"),
            ("1,234,567.5", "1234567.5"),
            ("۱٬۲۳۴٬۵۶۷٫۸۹", "1234567.89"),
            (" 12 500 ", "12500"),
            (".5", "0.5"),
            ("5.", "5"),
            ("-0.05", "-0.05"),
            ("\u{2212}7", "-7"),
            ("0.000000000000000001", "0.000000000000000001"),
        ];
        for (s, want) in cases {
            assert_eq!(dec(s), want, "{s:?}");
        }
    }

    #[test]
    fn rejects_bad_decimals() {
        let bad = [
            "",
            ".",
            "-",
            "1.2.3",
            "1.234.567",
            "1403/01/15",
            "1.5,0",
            "1,5.0x",
            "abc",
            "1e5",
            "+5",
            "0.0000000000000000001",
            "123456789012345678901234567890123456789012",
        ];
        for s in bad {
            assert_eq!(parse_decimal(s), Err(FieldError::INVALID_NUMBER), "{s:?}");
        }
    }

    #[test]
    fn decimal_conversions() {
        let d = parse_decimal("12.50").unwrap();
        assert_eq!(
            d,
            Decimal {
                units: 1250,
                scale: 2
            }
        );
        assert_eq!(d.to_f64(), 12.5);
        assert_eq!(d.with_scale(3), Some(12500));
        assert_eq!(d.with_scale(1), Some(125));
        assert_eq!(d.with_scale(0), None);
        assert_eq!(d.to_integer(), None);
        assert_eq!(parse_decimal("۱٬۰۰۰٫۰").unwrap().to_integer(), Some(1000));
        assert_eq!(parse_decimal("-0.1").unwrap().to_f64(), -0.1);
    }

    #[test]
    fn decimal_agrees_with_integer_parser_on_integers() {
        for s in [
            "0",
            "-12",
            "1,234",
            "۱٬۲۳۴",
            " 9 999 ",
            "9223372036854775807",
        ] {
            let want = parse_integer(s).unwrap();
            assert_eq!(parse_decimal(s).unwrap().to_integer(), Some(want), "{s:?}");
        }
    }
}
