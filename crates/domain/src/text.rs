//! Persian-aware text helpers: search normalisation and digit conversion.
//!
//! Persian text typed on different keyboards (Arabic vs Persian layouts,
//! phones vs desktops) encodes the "same" word with different code points.
//! Search must treat those spellings as equal, so both stored search keys and
//! queries pass through [`normalize_search`].

/// Normalise text for use as a search key.
///
/// Applied to both the stored text and the query so that visually identical
/// Persian words match regardless of keyboard layout: Arabic letter variants
/// are folded onto their Persian forms, diacritics and invisible formatting
/// characters are dropped, digits in any script become ASCII, letters are
/// lowercased and whitespace is collapsed.
pub fn normalize_search(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    // Start as if a space was just written so leading whitespace is dropped.
    let mut pending_space = false;
    for c in input.chars() {
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        let Some(mapped) = fold_char(c) else {
            continue;
        };
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        // `to_lowercase` may yield several chars (e.g. 'İ'); keep them all.
        out.extend(mapped.to_lowercase());
    }
    out
}

/// Fold one character for search; `None` means the character is dropped.
fn fold_char(c: char) -> Option<char> {
    match c {
        // Arabic yeh and alef maksura are typed on Arabic keyboards for ی.
        '\u{064A}' | '\u{0649}' => Some('\u{06CC}'),
        // Arabic kaf vs Persian keheh.
        '\u{0643}' => Some('\u{06A9}'),
        // Teh marbuta and heh-with-yeh-above are read as heh in Persian search.
        '\u{0629}' | '\u{06C0}' => Some('\u{0647}'),
        // Harakat, superscript alef, Quranic marks and tatweel carry no meaning
        // for matching.
        '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{06D6}'..='\u{06ED}' | '\u{0640}' => None,
        // Zero-width and bidi format characters are invisible; users cannot
        // know whether they typed them.
        '\u{200B}'..='\u{200F}'
        | '\u{FEFF}'
        | '\u{2066}'..='\u{2069}'
        | '\u{202A}'..='\u{202E}' => None,
        _ => Some(latin_digit(c).unwrap_or(c)),
    }
}

/// The ASCII digit for a Persian or Arabic-Indic digit, if `c` is one.
fn latin_digit(c: char) -> Option<char> {
    let base = match c {
        '\u{06F0}'..='\u{06F9}' => 0x06F0,
        '\u{0660}'..='\u{0669}' => 0x0660,
        _ => return None,
    };
    char::from_digit(c as u32 - base, 10)
}

/// Replace Persian (۰–۹) and Arabic-Indic (٠–٩) digits with ASCII digits,
/// leaving every other character untouched.
///
/// Parsers call this first so users may type numbers on any keyboard.
pub fn to_latin_digits(input: &str) -> String {
    input.chars().map(|c| latin_digit(c).unwrap_or(c)).collect()
}

/// Replace ASCII digits with Persian digits (۰–۹), leaving every other
/// character untouched.
///
/// Used when rendering for the Persian locale, where Latin digits look foreign.
pub fn to_persian_digits(input: &str) -> String {
    input
        .chars()
        .map(|c| match c.to_digit(10) {
            Some(d) if c.is_ascii_digit() => char::from_u32(0x06F0 + d).unwrap_or(c),
            _ => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_arabic_yeh_and_alef_maksura() {
        assert_eq!(normalize_search("علي"), normalize_search("علی"));
        assert_eq!(normalize_search("علي"), "علی");
        assert_eq!(normalize_search("موسى"), "موسی");
    }

    #[test]
    fn folds_kaf_and_teh_marbuta_and_heh_yeh() {
        assert_eq!(normalize_search("كتاب"), normalize_search("کتاب"));
        assert_eq!(normalize_search("كتاب"), "کتاب");
        assert_eq!(normalize_search("مدرسة"), "مدرسه");
        assert_eq!(normalize_search("خانۀ"), "خانه");
    }

    #[test]
    fn removes_zwnj_and_format_chars() {
        assert_eq!(normalize_search("می‌خواهم"), "میخواهم");
        assert_eq!(
            normalize_search("a\u{200B}b\u{200D}c\u{200E}d\u{200F}e"),
            "abcde"
        );
        assert_eq!(
            normalize_search("\u{FEFF}x\u{2066}y\u{2069}\u{202A}z\u{202E}"),
            "xyz"
        );
    }

    #[test]
    fn removes_diacritics_and_tatweel() {
        assert_eq!(normalize_search("مُحَمَّد"), "محمد");
        assert_eq!(normalize_search("کـــتاب"), "کتاب");
        assert_eq!(normalize_search("رحمٰن"), "رحمن");
        assert_eq!(normalize_search("ب\u{06D6}ب\u{06ED}"), "بب");
    }

    #[test]
    fn converts_digits() {
        assert_eq!(normalize_search("۰۹۱۲"), "0912");
        assert_eq!(normalize_search("٠١٢٣٤٥٦٧٨٩"), "0123456789");
    }

    #[test]
    fn lowercases_and_collapses_whitespace() {
        assert_eq!(normalize_search("  ALI   Rezaei "), "ali rezaei");
        assert_eq!(normalize_search("a\t\n b"), "a b");
        assert_eq!(normalize_search("ÉCOLE"), "école");
    }

    #[test]
    fn whitespace_around_dropped_chars_collapses() {
        // A ZWNJ between spaces must not leave a double space behind.
        assert_eq!(normalize_search("a \u{200C} b"), "a b");
        assert_eq!(normalize_search(" \u{200C} "), "");
    }

    #[test]
    fn empty_and_blank_inputs() {
        assert_eq!(normalize_search(""), "");
        assert_eq!(normalize_search("   \t "), "");
    }

    #[test]
    fn is_idempotent() {
        for s in ["علي  كتاب ۱۲", "مدرسة", "Hello World", "می‌خواهم"] {
            let once = normalize_search(s);
            assert_eq!(normalize_search(&once), once);
        }
    }

    #[test]
    fn latin_digits_only_touches_digits() {
        assert_eq!(to_latin_digits("تلفن: ۰۹۱۲-٣٤٥"), "تلفن: 0912-345");
        assert_eq!(to_latin_digits("abc 123"), "abc 123");
        assert_eq!(to_latin_digits("علي"), "علي");
    }

    #[test]
    fn persian_digits_only_touches_ascii_digits() {
        assert_eq!(to_persian_digits("1403/01/01"), "۱۴۰۳/۰۱/۰۱");
        assert_eq!(to_persian_digits("a9z"), "a۹z");
        // Non-ASCII decimal digits (e.g. fullwidth) are left alone.
        assert_eq!(to_persian_digits("１"), "１");
        assert_eq!(
            to_latin_digits(&to_persian_digits("0123456789")),
            "0123456789"
        );
    }
}
