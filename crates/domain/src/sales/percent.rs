//! Exact percentages as whole basis points (hundredths of a percent): 9% is 900, 12.5% is
//! 1250. Tax rates and discounts are multiplied into Rial amounts, so they must be exact; two
//! decimals are what Iranian tax rates and commercial discounts use.

use crate::calendar::Locale;
use crate::number::{format_integer, parse_decimal};
use crate::text::to_persian_digits;
use crate::validation::FieldError;

/// Basis points in one percent.
pub const BP_PER_PERCENT: i64 = 100;
/// Basis points in 100%.
pub const FULL: i64 = 10_000;

/// Reads a percentage as people type it — `9`, `9.5`, `۹٫۵`, `12.5%`, `۹٪` — into basis points.
/// More than two decimals, a negative value or anything over 100% is an error.
pub fn parse_percent(input: &str) -> Result<i64, FieldError> {
    let text = input.trim().trim_end_matches(['%', '٪']).trim();
    let decimal = parse_decimal(text)?;
    let bp = decimal
        .with_scale(2)
        .and_then(|v| i64::try_from(v).ok())
        .ok_or(FieldError::INVALID_NUMBER)?;
    check_percent(bp)
}

/// A percentage in basis points must lie between 0 and 100%.
pub fn check_percent(bp: i64) -> Result<i64, FieldError> {
    if bp < 0 {
        Err(super::NEGATIVE)
    } else if bp > FULL {
        Err(super::OVER_100_PERCENT)
    } else {
        Ok(bp)
    }
}

/// Basis points as a percentage for display: `9%`, `12.5%`, or `۱۲٫۵٪` in Persian.
pub fn format_percent(bp: i64, locale: Locale) -> String {
    let whole = format_integer(bp / BP_PER_PERCENT, locale);
    let fraction = (bp % BP_PER_PERCENT).unsigned_abs();
    let fraction = if fraction == 0 {
        String::new()
    } else {
        format!("{fraction:02}").trim_end_matches('0').to_owned()
    };
    match locale {
        Locale::Fa if fraction.is_empty() => format!("{whole}٪"),
        Locale::Fa => format!("{whole}٫{}٪", to_persian_digits(&fraction)),
        Locale::En if fraction.is_empty() => format!("{whole}%"),
        Locale::En => format!("{whole}.{fraction}%"),
    }
}

/// Basis points as plain text a form shows back for editing (`12.5`).
pub fn percent_input_text(bp: i64) -> String {
    let fraction = bp % BP_PER_PERCENT;
    if fraction == 0 {
        (bp / BP_PER_PERCENT).to_string()
    } else {
        format!("{}.{:02}", bp / BP_PER_PERCENT, fraction.unsigned_abs())
            .trim_end_matches('0')
            .to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_are_read_exactly() {
        assert_eq!(parse_percent("9"), Ok(900));
        assert_eq!(parse_percent("12.5%"), Ok(1250));
        assert_eq!(parse_percent("۹٫۵٪"), Ok(950));
        assert_eq!(parse_percent("0.01"), Ok(1));
        assert_eq!(parse_percent("100"), Ok(10_000));
        assert_eq!(parse_percent("0.001"), Err(FieldError::INVALID_NUMBER));
        assert_eq!(parse_percent("100.01"), Err(crate::sales::OVER_100_PERCENT));
        assert_eq!(parse_percent("-1"), Err(crate::sales::NEGATIVE));
        assert_eq!(parse_percent("ten"), Err(FieldError::INVALID_NUMBER));
    }

    #[test]
    fn percentages_are_shown_in_both_locales() {
        assert_eq!(format_percent(900, Locale::En), "9%");
        assert_eq!(format_percent(1250, Locale::En), "12.5%");
        assert_eq!(format_percent(5, Locale::En), "0.05%");
        assert_eq!(format_percent(950, Locale::Fa), "۹٫۵٪");
        assert_eq!(percent_input_text(1250), "12.5");
        assert_eq!(percent_input_text(5), "0.05");
        assert_eq!(percent_input_text(900), "9");
    }
}
