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

/// The code points of [`ALPHABET`]'s letters lie in this range of the Arabic block.
const FIRST_LETTER: u32 = 0x0622;
const LAST_LETTER: u32 = 0x06CC;

/// A code point's place in [`ALPHABET`], by its offset from [`FIRST_LETTER`]; `u8::MAX` for
/// those that are not its letters. Looked up once per character of every sort key, where
/// searching the alphabet went through all 33 places for each Latin letter and digit.
const RANKS: [u8; RANK_SLOTS] = rank_table();

/// How many code points [`RANKS`] covers.
const RANK_SLOTS: usize = (LAST_LETTER - FIRST_LETTER + 1) as usize;

const fn rank_table() -> [u8; RANK_SLOTS] {
    let mut table = [u8::MAX; RANK_SLOTS];
    let mut place = 0;
    while place < ALPHABET.len() {
        let letters = ALPHABET[place];
        let mut i = 0;
        while i < letters.len() {
            let code = letters[i] as u32;
            // Fails the build if a letter is ever added outside the table's range.
            assert!(code >= FIRST_LETTER && code <= LAST_LETTER);
            table[(code - FIRST_LETTER) as usize] = place as u8;
            i += 1;
        }
        place += 1;
    }
    table
}

fn rank(c: char) -> Option<u32> {
    let offset = u32::from(c).checked_sub(FIRST_LETTER)?;
    let place = *RANKS.get(offset as usize)?;
    (place != u8::MAX).then_some(u32::from(place))
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

    #[test]
    fn every_letter_has_its_place_in_the_alphabet_and_nothing_else_has_one() {
        for (place, letters) in ALPHABET.iter().enumerate() {
            for &letter in *letters {
                assert_eq!(rank(letter), Some(place as u32), "{letter}");
            }
        }
        let letters: Vec<char> = ALPHABET.iter().flat_map(|l| l.iter().copied()).collect();
        for c in (0..0x1_0000).filter_map(char::from_u32) {
            if !letters.contains(&c) {
                assert_eq!(rank(c), None, "{c}");
            }
        }
    }
}
