//! Email addresses.
//!
//! The check is deliberately practical rather than a full RFC 5322 parser:
//! the goal is to catch typos in a CRM form (missing `@`, spaces, a Persian
//! letter typed with the wrong keyboard layout) while accepting every address
//! real people use. Quoted local parts and IP-literal domains are rejected
//! because no customer has one and they complicate matching.

use std::fmt;

use crate::text::to_latin_digits;
use crate::validation::FieldError;

/// Maximum length of a whole address (RFC 5321 path limit minus brackets).
const MAX_LEN: usize = 254;
/// Maximum length of the local part (RFC 5321).
const MAX_LOCAL_LEN: usize = 64;
/// Maximum length of one domain label (RFC 1035).
const MAX_LABEL_LEN: usize = 63;

/// A syntactically valid, normalised (lowercase, ASCII digits) email address.
///
/// The only way to obtain one is [`Email::parse`], so holding an `Email`
/// proves the address was checked.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Email(String);

impl Email {
    /// Check and normalise an address.
    ///
    /// Trims, turns Persian/Arabic digits into ASCII and lowercases the whole
    /// address. The local part is lowercased too: in practice no provider
    /// treats case as significant there, and a single canonical form lets
    /// duplicates be detected. Empty input is `INVALID_EMAIL`; deciding
    /// whether the field is required is the caller's job.
    pub fn parse(input: &str) -> Result<Email, FieldError> {
        let err = FieldError::INVALID_EMAIL;
        let s = to_latin_digits(input.trim()).to_lowercase();
        if s.is_empty() || s.len() > MAX_LEN {
            return Err(err);
        }
        let (local, domain) = s.split_once('@').ok_or(err)?;
        if domain.contains('@') || !valid_local(local) || !valid_domain(domain) {
            return Err(err);
        }
        Ok(Email(s))
    }

    /// The normalised address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The local part: ASCII letters, digits and RFC 5322 "atext" symbols, with
/// dots only between other characters.
///
/// Non-ASCII letters are rejected: internationalised mailboxes are rarely
/// deliverable, and a Persian letter here is almost always a keyboard-layout
/// slip.
fn valid_local(local: &str) -> bool {
    const SYMBOLS: &str = "!#$%&'*+/=?^_`{|}~.-";
    !local.is_empty()
        && local.len() <= MAX_LOCAL_LEN
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || SYMBOLS.contains(c))
}

/// The domain: at least two dot-separated labels of ASCII letters, digits and
/// inner hyphens, ending in a top-level domain of at least two letters (or a
/// punycode `xn--` TLD, which is how IDN TLDs such as `.ایران` are written).
fn valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 {
        return false;
    }
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= MAX_LABEL_LEN
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    let tld = labels[labels.len() - 1];
    let tld_ok =
        tld.len() >= 2 && (tld.chars().all(|c| c.is_ascii_alphabetic()) || tld.starts_with("xn--"));
    labels.iter().all(|l| label_ok(l)) && tld_ok
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Email {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> String {
        Email::parse(s)
            .unwrap_or_else(|e| panic!("{s:?} rejected: {e}"))
            .to_string()
    }

    #[test]
    fn accepts_and_normalises() {
        assert_eq!(ok("ali@example.com"), "ali@example.com");
        assert_eq!(ok("  Ali.Rezaei@Example.IR "), "ali.rezaei@example.ir");
        assert_eq!(ok("user۱۲@mail.co.ir"), "user12@mail.co.ir");
        assert_eq!(
            ok("a+tag@sub-domain.example.org"),
            "a+tag@sub-domain.example.org"
        );
        assert_eq!(ok("o'brien@x.io"), "o'brien@x.io");
        assert_eq!(ok("!#$%&'*+/=?^_`{|}~-@x.io"), "!#$%&'*+/=?^_`{|}~-@x.io");
        assert_eq!(ok("a@1.example.com"), "a@1.example.com");
        assert_eq!(ok("a@example.xn--mgba3a4f16a"), "a@example.xn--mgba3a4f16a");
    }

    #[test]
    fn accessors_agree() {
        let e = Email::parse("A@B.CO").unwrap();
        assert_eq!(e.as_str(), "a@b.co");
        assert_eq!(e.as_ref(), "a@b.co");
        assert_eq!(format!("{e}"), "a@b.co");
        assert_eq!(e, Email::parse("a@b.co").unwrap());
    }

    #[test]
    fn rejects_malformed() {
        let bad = [
            "",
            "   ",
            "ali",
            "ali@",
            "@example.com",
            "ali@@example.com",
            "a@b@example.com",
            "ali@example",
            "ali@example.c",
            "ali@example.c0m",
            "ali@example.123",
            ".ali@example.com",
            "ali.@example.com",
            "al..i@example.com",
            "ali rezaei@example.com",
            "ali@exa mple.com",
            "ali@-example.com",
            "ali@example-.com",
            "ali@example..com",
            "ali@.example.com",
            "ali@example.com.",
            "علی@example.com",
            "ali@مثال.com",
            "ali(comment)@example.com",
            "\"ali\"@example.com",
            "ali@[127.0.0.1]",
            "ali@exa_mple.com",
        ];
        for s in bad {
            assert_eq!(Email::parse(s), Err(FieldError::INVALID_EMAIL), "{s:?}");
        }
    }

    #[test]
    fn enforces_lengths() {
        let local64 = "a".repeat(64);
        assert!(Email::parse(&format!("{local64}@x.io")).is_ok());
        assert!(Email::parse(&format!("a{local64}@x.io")).is_err());
        let label63 = "b".repeat(63);
        assert!(Email::parse(&format!("a@{label63}.io")).is_ok());
        assert!(Email::parse(&format!("a@b{label63}.io")).is_err());
        // 254 characters total is the limit.
        let domain = format!(
            "{}.{}.{}.io",
            "c".repeat(63),
            "d".repeat(63),
            "e".repeat(59)
        );
        let at_limit = format!("{}@{domain}", "a".repeat(254 - 1 - domain.len()));
        assert_eq!(at_limit.len(), 254);
        assert!(Email::parse(&at_limit).is_ok());
        assert!(Email::parse(&format!("a{at_limit}")).is_err());
    }
}
