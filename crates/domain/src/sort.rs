//! Sort keys that put Persian text in alphabetical order under plain byte comparison.
//!
//! Unicode places the letters Persian added to the Arabic script (پ چ ژ گ) and the Persian forms
//! of kaf and yeh (ک ی) far from where the alphabet has them, so databases comparing code points
//! sort «کریمی» after «نوری». Both SQLite and PostgreSQL compare a sort key made here the same
//! way (bytewise), so lists are in the same, correct order on both.

use crate::text::normalize_search;

/// The Persian alphabet in order; as in dictionaries, alef with madda comes first.
const ALPHABET: [&[char]; 33] = [
    &['آ'],
    &['ا', 'أ', 'إ'],
    &['ب'],
    &['پ'],
    &['ت'],
    &['ث'],
    &['ج'],
    &['چ'],
    &['ح'],
    &['خ'],
    &['د'],
    &['ذ'],
    &['ر'],
    &['ز'],
    &['ژ'],
    &['س'],
    &['ش'],
    &['ص'],
    &['ض'],
    &['ط'],
    &['ظ'],
    &['ع'],
    &['غ'],
    &['ف'],
    &['ق'],
    &['ک'],
    &['گ'],
    &['ل'],
    &['م'],
    &['ن'],
    &['و', 'ؤ'],
    &['ه'],
    &['ی', 'ئ'],
];

/// First code point of the private-use block the letters are mapped to: above every script
/// letter in use, so Latin text sorts before Persian text and both sort within themselves.
const BASE: u32 = 0xE000;

fn rank(c: char) -> Option<u32> {
    ALPHABET
        .iter()
        .position(|letters| letters.contains(&c))
        .map(|i| i as u32)
}

/// The key to sort `text` by: normalised as for search (ي/ی, ك/ک, diacritics, ZWNJ, digits,
/// case), then each Persian letter replaced by a code point in alphabet order.
pub fn sort_key(text: &str) -> String {
    normalize_search(text)
        .chars()
        .map(|c| rank(c).and_then(|r| char::from_u32(BASE + r)).unwrap_or(c))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(words: &[&str]) -> Vec<String> {
        let mut words: Vec<String> = words.iter().map(|w| (*w).to_owned()).collect();
        words.sort_by_key(|w| sort_key(w));
        words
    }

    #[test]
    fn persian_letters_sort_in_alphabet_order() {
        let words = [
            "یزدی",
            "نوری",
            "کریمی",
            "گودرزی",
            "لطفی",
            "پارسا",
            "بهرامی",
            "چمران",
            "جعفری",
            "ژاله",
            "زارع",
            "آزاد",
            "احمدی",
        ];
        assert_eq!(
            sorted(&words),
            [
                "آزاد",
                "احمدی",
                "بهرامی",
                "پارسا",
                "جعفری",
                "چمران",
                "زارع",
                "ژاله",
                "کریمی",
                "گودرزی",
                "لطفی",
                "نوری",
                "یزدی"
            ]
        );
    }

    #[test]
    fn arabic_forms_and_zwnj_sort_like_persian_ones() {
        assert_eq!(sort_key("علي"), sort_key("علی"));
        assert_eq!(sort_key("كاظمي"), sort_key("کاظمی"));
        assert_eq!(sort_key("می‌رزایی"), sort_key("میرزایی"));
    }

    #[test]
    fn latin_sorts_before_persian_and_ignores_case() {
        assert_eq!(
            sorted(&["رضایی", "smith", "Adams"]),
            ["Adams", "smith", "رضایی"]
        );
        assert!(sort_key("a") < sort_key("B"));
    }

    #[test]
    fn a_prefix_sorts_first() {
        assert!(sort_key("کریم") < sort_key("کریمی"));
    }
}
