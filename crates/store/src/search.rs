//! Full-text search on the database's own index: FTS5 on SQLite, a tsvector with a GIN index on
//! PostgreSQL (migration 0005).
//!
//! The application normalises text (Persian letter variants, digits, ZWNJ, diacritics:
//! `peyvand_domain::text`) before it reaches the store, both on write (`search_text`) and in
//! queries. This module splits that normalised text into words with one rule,
//! [`search_tokens`], which is also the rule of SQLite's tokenizer (letters, digits and marks
//! are word characters) and the rule by which the store writes PostgreSQL's lexemes, so both
//! databases match the same records: a record matches when every word of the query is the
//! beginning of one of its words.
//!
//! Relevance ([`rank`]): BM25 over a window of matches, where a word matched whole counts for
//! more than one it only begins ("رضا" before "رضایی"), rarer words count for more and shorter
//! records come first. Ranking every match of a short prefix over a million records costs far
//! more than a keystroke may (a prefix of a common name matches tens of thousands), so the
//! ranking covers a window: the [`RELEVANCE_WINDOW`] most recently created matching records the
//! user may see. The ranking is computed here, the same for both databases.

use sea_query::{BinOper, Expr, ExprTrait, Func, Query, SimpleExpr};

/// Sort field that orders a list by relevance to its search words. It is not a field name
/// (field names start with a letter). With it, `ListQuery::after` carries how many ranked rows
/// were already shown: relevance pages are positions in a bounded window, not keysets.
pub const RELEVANCE: &str = "_relevance";

/// How many matching records (the most recently created that the user may see) are ranked by
/// relevance. A search matching more shows the best of these; sorting by a field lists all.
pub const RELEVANCE_WINDOW: u64 = 200;

/// Whether a character belongs to a word. Letters, digits and combining marks, as in SQLite's
/// `unicode61` tokenizer with `categories 'L* N* Co M*'`. Rust's `is_alphanumeric` also counts
/// circled letters (a symbol category) as alphabetic; they are separators for SQLite, so here.
fn is_word_char(c: char) -> bool {
    // Fast answers for ASCII and the Persian letters of normalised text: the general Unicode
    // lookup was the largest single cost of ranking a window (profiled).
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    if matches!(c, '\u{0621}'..='\u{063A}' | '\u{0641}'..='\u{064A}')
        || matches!(
            c,
            '\u{067E}' | '\u{0686}' | '\u{0698}' | '\u{06A9}' | '\u{06AF}' | '\u{06CC}'
        )
    {
        return true;
    }
    c.is_alphanumeric() && !matches!(c, '\u{24B6}'..='\u{24E9}' | '\u{1F130}'..='\u{1F189}')
}

/// The words of normalised search text, in order.
pub fn search_tokens(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !is_word_char(c))
        .filter(|word| !word.is_empty())
}

/// Whether every query word begins some word of `text` — the matching rule of the indexes, for
/// checking a record against the fields a viewer may see.
pub fn matches_words(text: &str, query_words: &[String]) -> bool {
    let words: Vec<&str> = search_tokens(text).collect();
    query_words
        .iter()
        .flat_map(|query| search_tokens(query))
        .all(|query| words.iter().any(|word| word.starts_with(query)))
}

/// The distinct words of the query, for building index queries.
fn query_tokens(words: &[String]) -> Vec<&str> {
    let mut tokens: Vec<&str> = words.iter().flat_map(|w| search_tokens(w)).collect();
    tokens.sort_unstable();
    tokens.dedup();
    tokens
}

/// An FTS5 query: every word as a prefix. Words only hold letters, digits and marks, so
/// quoting them is enough to keep FTS5's operators out.
fn fts5_query(tokens: &[&str]) -> String {
    tokens
        .iter()
        .map(|t| format!("\"{t}\"*"))
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// A PostgreSQL tsquery in its text form: every word as a prefix, quoted as a lexeme (so that
/// no parser or dictionary changes it).
fn tsquery(tokens: &[&str]) -> String {
    tokens
        .iter()
        .map(|t| format!("'{t}':*"))
        .collect::<Vec<_>>()
        .join(" & ")
}

/// The lexemes PostgreSQL stores for a record: its words, separated by spaces (turned into a
/// tsvector with `array_to_tsvector(string_to_array(…, ' '))`, no parser involved).
pub(crate) fn lexemes(search_text: &str) -> String {
    search_tokens(search_text).collect::<Vec<_>>().join(" ")
}

/// The value of PostgreSQL's `search_vector` column for a record's search text.
pub(crate) fn tsvector_expr(search_text: &str) -> SimpleExpr {
    Func::cust("array_to_tsvector")
        .arg(
            Func::cust("string_to_array")
                .arg(lexemes(search_text))
                .arg(" "),
        )
        .into()
}

/// A tsquery from its text form.
fn tsquery_value(query: &str) -> SimpleExpr {
    Expr::val(query.to_owned()).cast_as("tsquery")
}

/// The index query for a list's search words, or None when they hold no word at all (a search
/// for "-" then matches everything, as an empty search does).
#[derive(Debug, Clone)]
pub(crate) enum SearchMatch {
    /// The FTS5 table and its MATCH expression.
    Sqlite { table: String, query: String },
    /// The tsquery text.
    Postgres { query: String },
}

impl SearchMatch {
    pub(crate) fn new(table: &str, words: &[String], postgres: bool) -> Option<SearchMatch> {
        let tokens = query_tokens(words);
        if tokens.is_empty() {
            return None;
        }
        Some(if postgres {
            SearchMatch::Postgres {
                query: tsquery(&tokens),
            }
        } else {
            SearchMatch::Sqlite {
                table: format!("{table}_search"),
                query: fts5_query(&tokens),
            }
        })
    }

    /// A condition on the record table: the record matches.
    pub(crate) fn condition(&self) -> SimpleExpr {
        match self {
            SearchMatch::Sqlite { table, .. } => {
                let mut hits = Query::select();
                hits.from(table.clone())
                    .column("rowid")
                    .and_where(self.fts5_match());
                Expr::col("rowid").in_subquery(hits)
            }
            SearchMatch::Postgres { query, .. } => {
                Expr::col("search_vector").binary(BinOper::Custom("@@"), tsquery_value(query))
            }
        }
    }

    /// SQLite: `index MATCH query`, for a statement that reads the index itself.
    pub(crate) fn fts5_match(&self) -> SimpleExpr {
        match self {
            SearchMatch::Sqlite { table, query } => Expr::col(sea_query::Alias::new(table))
                .binary(BinOper::Custom("MATCH"), Expr::val(query.clone())),
            SearchMatch::Postgres { .. } => self.condition(),
        }
    }
}

/// BM25's term-frequency saturation and length normalisation, as in SQLite's FTS5.
const BM25_K1: f64 = 1.2;
const BM25_B: f64 = 0.75;

/// Orders a window of matching records, best first; returns their indexes in `texts`.
///
/// BM25 with the window as the corpus. Every query word counts as two terms, the word whole and
/// the word as a prefix (every match has the prefix, so the whole word is what tells records
/// apart): a record with the word whole scores higher, the more so the rarer the whole word is in
/// the window, and shorter records score higher. Words are counted once per record (the indexes
/// keep no positions). Ties keep the window's order, newest first. Computed here rather than by
/// the database so that both databases rank alike, and because SQLite's bm25() counts the matches
/// of every term over the whole table for each query.
pub(crate) fn rank(query_words: &[String], texts: &[&str]) -> Vec<usize> {
    let terms = query_tokens(query_words);
    let documents: Vec<Vec<&str>> = texts.iter().map(|t| search_tokens(t).collect()).collect();
    let count = documents.len() as f64;
    let average_length =
        (documents.iter().map(Vec::len).sum::<usize>() as f64 / count.max(1.0)).max(1.0);
    let idf = |having: usize| {
        let having = having as f64;
        ((count - having + 0.5) / (having + 0.5) + 1.0).ln()
    };
    // Per query word: the weight of having it whole, and of having it as a prefix.
    let weights: Vec<(f64, f64)> = terms
        .iter()
        .map(|term| {
            let whole = documents.iter().filter(|d| d.contains(term)).count();
            let prefix = documents
                .iter()
                .filter(|d| d.iter().any(|w| w.starts_with(term)))
                .count();
            (idf(whole), idf(prefix))
        })
        .collect();
    let score = |document: &Vec<&str>| {
        let norm = BM25_K1 * (1.0 - BM25_B + BM25_B * document.len() as f64 / average_length);
        let saturation = (BM25_K1 + 1.0) / (1.0 + norm);
        terms
            .iter()
            .zip(&weights)
            .map(|(term, (whole, prefix))| {
                let mut sum = 0.0;
                if document.contains(term) {
                    sum += whole;
                }
                if document.iter().any(|w| w.starts_with(term)) {
                    sum += prefix;
                }
                sum * saturation
            })
            .sum::<f64>()
    };
    let scores: Vec<f64> = documents.iter().map(score).collect();
    let mut order: Vec<usize> = (0..texts.len()).collect();
    order.sort_by(|a, b| scores[*b].total_cmp(&scores[*a]).then(a.cmp(b)));
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_on_everything_but_letters_digits_and_marks() {
        let words: Vec<&str> =
            search_tokens("علی کریمی +989121234567 a.b@example.com ⓐx").collect();
        assert_eq!(
            words,
            [
                "علی",
                "کریمی",
                "989121234567",
                "a",
                "b",
                "example",
                "com",
                "x"
            ]
        );
    }

    #[test]
    fn the_fast_paths_agree_with_unicode() {
        for c in ('\u{0}'..='\u{07FF}').chain(['\u{200C}', '\u{24B6}', 'é']) {
            let unicode = c.is_alphanumeric() && c != '\u{24B6}';
            assert_eq!(is_word_char(c), unicode, "{c:?}");
        }
    }

    #[test]
    fn every_query_word_must_begin_a_word() {
        let text = "رضایی کریمی 09121234567";
        let q = |s: &str| vec![s.to_owned()];
        assert!(matches_words(text, &q("رضا")));
        assert!(matches_words(text, &q("0912")));
        assert!(matches_words(text, &["کری".into(), "رض".into()]));
        assert!(
            !matches_words(text, &q("ایی")),
            "a word's middle is no match"
        );
        assert!(!matches_words(text, &["کری".into(), "x".into()]));
    }

    #[test]
    fn whole_words_rank_above_prefixes_then_shorter_records_first() {
        let q = vec!["reza".to_owned()];
        let texts = [
            "rezaei karimi",
            "reza karimi tehran buyer 09121234567",
            "reza karimi",
            "rezvan",
        ];
        assert_eq!(rank(&q, &texts[..3]), [2, 1, 0]);
        let two = vec!["reza".to_owned(), "kar".to_owned()];
        assert_eq!(rank(&two, &["rezaei karimi", "reza karimi"]), [1, 0]);
        assert_eq!(
            rank(&q, &["reza a", "reza b"]),
            [0, 1],
            "ties keep the order"
        );
    }

    #[test]
    fn queries_quote_every_word() {
        let words = vec!["a@b".to_owned(), "رضا".to_owned()];
        let tokens = query_tokens(&words);
        assert_eq!(fts5_query(&tokens), "\"a\"* AND \"b\"* AND \"رضا\"*");
        assert_eq!(tsquery(&["x", "y"]), "'x':* & 'y':*");
        assert!(SearchMatch::new("contacts", &["-".into()], false).is_none());
    }
}
