//! Phone numbers, normalised to E.164.
//!
//! Iranian users write the same mobile number in many ways (`0912…`,
//! `+98912…`, `0098912…`, Persian digits, with spaces or dashes). Storing one
//! canonical E.164 form makes duplicate detection and searching by number
//! reliable, and gives SMS gateways what they expect.

use std::fmt;

use crate::text::to_latin_digits;
use crate::validation::FieldError;

/// Iran's country calling code.
const IRAN_CC: &str = "98";
/// Digits in an Iranian national significant number (without the trunk `0`),
/// for both mobiles (`9XX…`) and landlines (2-digit area code + 8 digits).
const IRAN_NSN_LEN: usize = 10;
/// E.164 allows at most 15 digits; shorter than 8 is not a real subscriber
/// number in any country we expect.
const INTL_DIGITS: std::ops::RangeInclusive<usize> = 8..=15;

/// A phone number in E.164 form, e.g. `+989121234567`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Phone(String);

impl Phone {
    /// Check and normalise a phone number.
    ///
    /// Iranian numbers may be written nationally (`09121234567`,
    /// `021-88776655`), without the trunk zero for mobiles (`9121234567`), or
    /// internationally (`+98…`, `0098…`, `98…`). Other countries need an
    /// explicit `+` or `00` prefix, because a bare number is assumed to be
    /// Iranian. Spaces, hyphens, dots, parentheses and invisible bidi marks
    /// (which creep in when copying from right-to-left text) are ignored.
    pub fn parse(input: &str) -> Result<Phone, FieldError> {
        let err = FieldError::INVALID_PHONE;
        let cleaned: String = to_latin_digits(input)
            .chars()
            .filter(|&c| {
                !(c.is_whitespace()
                    || matches!(c, '-' | '.' | '(' | ')')
                    || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}')
                    || matches!(c, '\u{2066}'..='\u{2069}' | '\u{FEFF}'))
            })
            .collect();
        let (international, digits) = if let Some(rest) = cleaned.strip_prefix('+') {
            (true, rest)
        } else if let Some(rest) = cleaned.strip_prefix("00") {
            (true, rest)
        } else {
            (false, cleaned.as_str())
        };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err);
        }
        let nsn = if international {
            match digits.strip_prefix(IRAN_CC) {
                // "+98 (0)912…" is a common way of writing Iranian numbers;
                // the trunk zero is dropped in international form.
                Some(rest) => rest.strip_prefix('0').unwrap_or(rest),
                None if INTL_DIGITS.contains(&digits.len()) && !digits.starts_with('0') => {
                    return Ok(Phone(format!("+{digits}")));
                }
                None => return Err(err),
            }
        } else if let Some(rest) = digits.strip_prefix('0') {
            rest
        } else if digits.len() == IRAN_CC.len() + IRAN_NSN_LEN && digits.starts_with(IRAN_CC) {
            &digits[IRAN_CC.len()..]
        } else if digits.len() == IRAN_NSN_LEN && digits.starts_with('9') {
            digits
        } else {
            return Err(err);
        };
        // Mobiles start with 9; landline area codes start with 1–8.
        let first_ok = matches!(nsn.as_bytes().first(), Some(b'1'..=b'9'));
        if nsn.len() != IRAN_NSN_LEN || !first_ok {
            return Err(err);
        }
        Ok(Phone(format!("+{IRAN_CC}{nsn}")))
    }

    /// The E.164 form, e.g. `+989121234567`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The Iranian national significant number, if this is an Iranian number.
    fn iranian_nsn(&self) -> Option<&str> {
        self.0
            .strip_prefix('+')
            .and_then(|d| d.strip_prefix(IRAN_CC))
            .filter(|nsn| nsn.len() == IRAN_NSN_LEN)
    }

    /// Whether this is an Iranian mobile number (`+989…`), e.g. to decide
    /// whether an SMS can be sent.
    pub fn is_iranian_mobile(&self) -> bool {
        self.iranian_nsn().is_some_and(|nsn| nsn.starts_with('9'))
    }

    /// The number as Iranians write it: `0912 123 4567` for mobiles and
    /// `021 8877 6655` for landlines; foreign numbers stay in E.164.
    pub fn national_format(&self) -> String {
        match self.iranian_nsn() {
            Some(nsn) if nsn.starts_with('9') => {
                format!("0{} {} {}", &nsn[..3], &nsn[3..6], &nsn[6..])
            }
            Some(nsn) => format!("0{} {} {}", &nsn[..2], &nsn[2..6], &nsn[6..]),
            None => self.0.clone(),
        }
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e164(s: &str) -> String {
        Phone::parse(s)
            .unwrap_or_else(|e| panic!("{s:?} rejected: {e}"))
            .as_str()
            .to_owned()
    }

    #[test]
    fn iranian_mobile_forms() {
        for s in [
            "09121234567",
            "9121234567",
            "+989121234567",
            "989121234567",
            "00989121234567",
            "۰۹۱۲۱۲۳۴۵۶۷",
            "٠٩١٢١٢٣٤٥٦٧",
            "0912 123 4567",
            "(0912) 123-4567",
            "0912.123.4567",
            " +98 912 123 4567 ",
            "+98 (0) 912 123 4567",
            "\u{200E}0912-123-4567\u{200F}",
        ] {
            assert_eq!(e164(s), "+989121234567", "{s:?}");
        }
    }

    #[test]
    fn iranian_landlines() {
        assert_eq!(e164("021-88776655"), "+982188776655");
        assert_eq!(e164("+98 21 8877 6655"), "+982188776655");
        assert_eq!(e164("0098 21 88776655"), "+982188776655");
        assert_eq!(e164("031 3222 1111"), "+983132221111");
        assert_eq!(e164("۰۲۱۸۸۷۷۶۶۵۵"), "+982188776655");
    }

    #[test]
    fn other_countries() {
        assert_eq!(e164("+1 (415) 555-2671"), "+14155552671");
        assert_eq!(e164("0044 20 7946 0958"), "+442079460958");
        assert_eq!(e164("+49 30 1234"), "+49301234");
        assert_eq!(e164("+123456789012345"), "+123456789012345");
    }

    #[test]
    fn rejects_bad_numbers() {
        let bad = [
            "",
            "  ",
            "+",
            "00",
            "abc",
            "0912abc4567",
            "0912123456",
            "091212345678",
            "9121234",
            "912123456",
            "+98912123456",
            "+9891212345678",
            "021-8877665",
            "88776655",
            "2188776655",
            "0021",
            "+1234567",
            "+1234567890123456",
            "+0123456789",
            "++989121234567",
            "0912_123_4567",
            "0912/123/4567",
            "+98 01 2345 6789",
            "00 0123456789",
        ];
        for s in bad {
            assert_eq!(Phone::parse(s), Err(FieldError::INVALID_PHONE), "{s:?}");
        }
    }

    #[test]
    fn classifies_and_formats() {
        let mobile = Phone::parse("09121234567").unwrap();
        assert!(mobile.is_iranian_mobile());
        assert_eq!(mobile.national_format(), "0912 123 4567");
        assert_eq!(mobile.to_string(), "+989121234567");

        let landline = Phone::parse("021-88776655").unwrap();
        assert!(!landline.is_iranian_mobile());
        assert_eq!(landline.national_format(), "021 8877 6655");

        let foreign = Phone::parse("+14155552671").unwrap();
        assert!(!foreign.is_iranian_mobile());
        assert_eq!(foreign.national_format(), "+14155552671");
    }
}
