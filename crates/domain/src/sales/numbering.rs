//! Document numbers: per kind, branch and Jalali year, e.g. `Q-TEH-1405-000123`. The store
//! hands out the sequence gap-free inside the creating transaction; this module only decides
//! the year and the text.

use crate::calendar::to_jalali;

use super::status::DocumentKind;

/// The Jalali year a document dated `date` is numbered in.
pub fn numbering_year(date: time::Date) -> i32 {
    to_jalali(date).year
}

/// The branch's part of a number: its code in capitals without spaces, or `BR` for a branch
/// without a code.
pub fn branch_part(code: Option<&str>) -> String {
    let cleaned: String = code
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_uppercase)
        .collect();
    if cleaned.is_empty() {
        "BR".to_owned()
    } else {
        cleaned
    }
}

/// The number of the `sequence`th document of `kind` in a branch and year.
pub fn document_number(kind: DocumentKind, branch: &str, year: i32, sequence: i64) -> String {
    format!("{}-{branch}-{year}-{sequence:06}", kind.number_prefix())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_name_kind_branch_jalali_year_and_sequence() {
        let year = numbering_year(time::macros::date!(2026 - 03 - 21));
        assert_eq!(year, 1405);
        assert_eq!(numbering_year(time::macros::date!(2026 - 03 - 20)), 1404);
        assert_eq!(
            document_number(DocumentKind::Quote, &branch_part(Some("teh")), year, 123),
            "Q-TEH-1405-000123"
        );
        assert_eq!(
            document_number(DocumentKind::Invoice, &branch_part(None), 1404, 1_234_567),
            "INV-BR-1404-1234567"
        );
    }
}
