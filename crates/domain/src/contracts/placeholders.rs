//! The placeholders of contract templates and how they are filled.
//!
//! A template's body is plain text with placeholders written `{{name}}` (spaces inside the
//! braces are allowed). The set is small and fixed so that an administrator's typo is caught
//! when the template is saved rather than printed into a contract: see [`PLACEHOLDERS`].
//! Filling is pure: the caller gathers the customer's, the deal's and the contract's values
//! ([`ContractFacts`]); dates are written in the Jalali calendar with Persian digits for a
//! Persian template and in the Gregorian calendar for an English one, amounts of money grouped
//! by thousands and followed by the currency.

use time::Date;

use crate::calendar::{CalendarKind, Locale, format_date};
use crate::number::format_integer;

/// Every placeholder a template may use, with what it stands for.
pub const PLACEHOLDERS: &[(&str, &str)] = &[
    (
        "customer.name",
        "the account's name, else the contact's full name",
    ),
    ("customer.economic_code", "the account's economic code"),
    (
        "customer.phone",
        "the account's phone, else the contact's mobile",
    ),
    (
        "customer.email",
        "the account's or else the contact's email",
    ),
    (
        "customer.address",
        "the account's or else the contact's address",
    ),
    ("contact.name", "the contact's full name"),
    ("contract.number", "the contract's number"),
    ("contract.title", "the contract's title"),
    ("contract.start_date", "the start date"),
    ("contract.end_date", "the end date"),
    ("contract.value", "the contract's value in Rials"),
    (
        "deal.name",
        "the opportunity's name, else the quote's number",
    ),
    (
        "deal.amount",
        "the opportunity's amount, else the quote's total, in Rials",
    ),
    ("today", "the day the contract is written"),
];

/// What a contract's placeholders are filled with. Empty texts and absent values print as
/// nothing, so a template can be used for customers that lack some details.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContractFacts {
    /// The customer's name (the account's, else the contact's).
    pub customer_name: String,
    /// The account's economic code.
    pub economic_code: String,
    /// A phone number of the customer.
    pub phone: String,
    /// An email address of the customer.
    pub email: String,
    /// The customer's address.
    pub address: String,
    /// The contact's full name.
    pub contact_name: String,
    /// The contract's number.
    pub number: String,
    /// The contract's title.
    pub title: String,
    /// The start date.
    pub start_date: Option<Date>,
    /// The end date.
    pub end_date: Option<Date>,
    /// The value in Rials.
    pub value: Option<i64>,
    /// The deal's name.
    pub deal_name: String,
    /// The deal's amount in Rials.
    pub deal_amount: Option<i64>,
    /// The day the contract is written.
    pub today: Option<Date>,
}

/// One piece of a template body: literal text or a placeholder's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Piece<'a> {
    /// Literal text.
    Text(&'a str),
    /// A placeholder's name, trimmed.
    Placeholder(&'a str),
}

/// Splits a body into text and placeholders. An opening `{{` without its closing `}}` is an
/// error naming what follows it, since it is almost always a typo. Notification templates
/// (`service::notice_templates`) use the same `{{name}}` syntax.
pub(crate) fn pieces(body: &str) -> Result<Vec<Piece<'_>>, String> {
    let mut out = Vec::new();
    let mut rest = body;
    while let Some(open) = rest.find("{{") {
        out.push(Piece::Text(&rest[..open]));
        let after = &rest[open + 2..];
        let Some(close) = after.find("}}") else {
            let shown: String = after.chars().take(30).collect();
            return Err(format!("{{{{{shown}"));
        };
        out.push(Piece::Placeholder(after[..close].trim()));
        rest = &after[close + 2..];
    }
    out.push(Piece::Text(rest));
    Ok(out)
}

/// Whether `name` is a known placeholder.
pub fn is_known(name: &str) -> bool {
    PLACEHOLDERS.iter().any(|(known, _)| *known == name)
}

/// Checks a template body: `Err` names the first unknown (or unclosed) placeholder.
pub fn check(body: &str) -> Result<(), String> {
    for piece in pieces(body)? {
        if let Piece::Placeholder(name) = piece
            && !is_known(name)
        {
            return Err(name.to_owned());
        }
    }
    Ok(())
}

/// The value a placeholder stands for, written for `locale`.
fn value_of(name: &str, facts: &ContractFacts, locale: Locale) -> String {
    let calendar = match locale {
        Locale::Fa => CalendarKind::Jalali,
        Locale::En => CalendarKind::Gregorian,
    };
    let date = |day: Option<Date>| {
        day.map(|d| format_date(d, calendar, locale))
            .unwrap_or_default()
    };
    let money = |amount: Option<i64>| match amount {
        Some(rials) => {
            let currency = match locale {
                Locale::Fa => "ریال",
                Locale::En => "Rials",
            };
            format!("{} {currency}", format_integer(rials, locale))
        }
        None => String::new(),
    };
    match name {
        "customer.name" => facts.customer_name.clone(),
        "customer.economic_code" => facts.economic_code.clone(),
        "customer.phone" => facts.phone.clone(),
        "customer.email" => facts.email.clone(),
        "customer.address" => facts.address.clone(),
        "contact.name" => facts.contact_name.clone(),
        "contract.number" => facts.number.clone(),
        "contract.title" => facts.title.clone(),
        "contract.start_date" => date(facts.start_date),
        "contract.end_date" => date(facts.end_date),
        "contract.value" => money(facts.value),
        "deal.name" => facts.deal_name.clone(),
        "deal.amount" => money(facts.deal_amount),
        "today" => date(facts.today),
        _ => String::new(),
    }
}

/// Fills a template body with a contract's facts. `Err` names the first unknown placeholder
/// (templates are checked when saved, so this only happens to one saved before a placeholder
/// was withdrawn).
pub fn fill(body: &str, facts: &ContractFacts, locale: Locale) -> Result<String, String> {
    check(body)?;
    let mut out = String::with_capacity(body.len() + 64);
    for piece in pieces(body)? {
        match piece {
            Piece::Text(text) => out.push_str(text),
            Piece::Placeholder(name) => out.push_str(&value_of(name, facts, locale)),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn facts() -> ContractFacts {
        ContractFacts {
            customer_name: "شرکت آلفا".into(),
            economic_code: "411111111111".into(),
            number: "CT-HQ-1404-000001".into(),
            start_date: Some(date!(2025 - 03 - 21)),
            end_date: Some(date!(2026 - 03 - 20)),
            value: Some(1_500_000_000),
            deal_name: "تمدید پشتیبانی".into(),
            deal_amount: Some(2_000),
            today: Some(date!(2025 - 03 - 01)),
            ..ContractFacts::default()
        }
    }

    #[test]
    fn persian_templates_get_jalali_dates_and_persian_digits() {
        let body = "این قرارداد با {{customer.name}} از {{ contract.start_date }} تا \
                    {{contract.end_date}} به مبلغ {{contract.value}} بسته شد ({{today}}).";
        let filled = fill(body, &facts(), Locale::Fa).unwrap();
        assert_eq!(
            filled,
            "این قرارداد با شرکت آلفا از ۱۴۰۴/۰۱/۰۱ تا ۱۴۰۴/۱۲/۲۹ به مبلغ \
             ۱٬۵۰۰٬۰۰۰٬۰۰۰ ریال بسته شد (۱۴۰۳/۱۲/۱۱)."
        );
    }

    #[test]
    fn english_templates_get_gregorian_dates() {
        let body = "{{deal.name}}: {{deal.amount}} from {{contract.start_date}}; \
                    code {{customer.economic_code}}; phone [{{customer.phone}}]";
        let filled = fill(body, &facts(), Locale::En).unwrap();
        assert_eq!(
            filled,
            "تمدید پشتیبانی: 2,000 Rials from 2025-03-21; code 411111111111; phone []"
        );
    }

    #[test]
    fn unknown_and_unclosed_placeholders_are_named() {
        assert_eq!(check("Dear {{customer.nmae}}"), Err("customer.nmae".into()));
        assert_eq!(check("{{ }}"), Err(String::new()));
        assert_eq!(check("Dear {{customer.name"), Err("{{customer.name".into()));
        assert_eq!(
            fill("{{x}}", &facts(), Locale::Fa),
            Err("x".to_owned()),
            "filling refuses too"
        );
        assert!(check("No placeholders { here } at all").is_ok());
    }

    #[test]
    fn every_documented_placeholder_is_known_and_filled() {
        for (name, _) in PLACEHOLDERS {
            let body = format!("<{{{{{name}}}}}>");
            assert!(fill(&body, &facts(), Locale::En).is_ok(), "{name}");
        }
        let numbered = fill("{{contract.number}}", &facts(), Locale::En).unwrap();
        assert_eq!(numbered, "CT-HQ-1404-000001");
    }
}
