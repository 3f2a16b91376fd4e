//! Money amounts read from text as exact fixed-point numbers.
//!
//! RFM ranks customers by their summed spending, and a tie between two customers must be a tie
//! in every tool that computes it (the benchmark compares scores with DuckDB's exact DECIMAL
//! sums). Adding binary floating-point numbers in different orders can break such ties, so
//! amounts are kept as integers of 1/10 000 of the currency unit.

/// How many fractional decimal digits an amount keeps; further digits are rounded half up.
pub const FRACTION_DIGITS: u32 = 4;
/// One currency unit in fixed-point units.
pub const UNIT: i64 = 10_i64.pow(FRACTION_DIGITS);

/// Parses `123`, `-4.5`, `0.1234` into fixed-point units of 1/10 000. Returns `None` for text
/// that is not a plain decimal number (no exponents, no thousands separators) or that is out
/// of range.
pub fn parse(text: &[u8]) -> Option<i64> {
    let (negative, digits) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, text),
    };
    let (whole, fraction) = match digits.iter().position(|&b| b == b'.') {
        Some(dot) => (&digits[..dot], &digits[dot + 1..]),
        None => (digits, &digits[..0]),
    };
    if whole.is_empty() && fraction.is_empty() {
        return None;
    }
    let mut value: i64 = 0;
    for &b in whole {
        if !b.is_ascii_digit() {
            return None;
        }
        value = value.checked_mul(10)?.checked_add(i64::from(b - b'0'))?;
    }
    let mut scaled = value.checked_mul(UNIT)?;
    let mut place = UNIT / 10;
    let mut round_up = false;
    for (index, &b) in fraction.iter().enumerate() {
        if !b.is_ascii_digit() {
            return None;
        }
        let digit = i64::from(b - b'0');
        if place > 0 {
            scaled += digit * place;
            place /= 10;
        } else if index == FRACTION_DIGITS as usize {
            round_up = digit >= 5;
        }
    }
    if round_up {
        scaled = scaled.checked_add(1)?;
    }
    Some(if negative { -scaled } else { scaled })
}

/// Formats fixed-point units as a plain decimal with no trailing zeros: `12.5`, `3`, `-0.0001`.
pub fn format(units: i128) -> String {
    let unit = i128::from(UNIT);
    let sign = if units < 0 { "-" } else { "" };
    let magnitude = units.unsigned_abs();
    let whole = magnitude / unit as u128;
    let fraction = magnitude % unit as u128;
    if fraction == 0 {
        return format!("{sign}{whole}");
    }
    let digits = format!("{fraction:0width$}", width = FRACTION_DIGITS as usize);
    format!("{sign}{whole}.{}", digits.trim_end_matches('0'))
}

/// Converts fixed-point units to a floating-point amount for the statistical models.
pub fn to_f64(units: i128) -> f64 {
    units as f64 / UNIT as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_parse_exactly() {
        assert_eq!(parse(b"12.5"), Some(125_000));
        assert_eq!(parse(b"-0.0001"), Some(-1));
        assert_eq!(parse(b"7"), Some(70_000));
        assert_eq!(parse(b".25"), Some(2_500));
        assert_eq!(parse(b"1.23456"), Some(12_346));
        assert_eq!(parse(b"1.23454"), Some(12_345));
        for bad in [
            &b""[..],
            b"-",
            b".",
            b"1e5",
            b"1,000",
            b"12a",
            b"1.2.3",
            b"99999999999999999999",
        ] {
            assert_eq!(parse(bad), None, "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn formatting_round_trips() {
        for text in ["12.5", "3", "-0.0001", "0", "123456789.1234"] {
            let units = parse(text.as_bytes()).unwrap();
            assert_eq!(format(i128::from(units)), text);
        }
    }
}
