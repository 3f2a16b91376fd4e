//! The classification scheme and its validation.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::calendar::from_jalali;
use crate::record::LONG_TEXT_MAX;
use crate::text::normalize_search;
use crate::validation::{FieldError, ValidationErrors};

/// The fewest classes a scheme may have: one class would tell customers nothing apart.
pub const MIN_CLASSES: usize = 2;
/// The most classes a scheme may have; more would not fit a list filter or a customer page.
pub const MAX_CLASSES: usize = 10;
/// Longest class name (it is also the value stored on customers and matched by price lists).
pub const NAME_MAX: usize = 50;
/// Longest period counted in days (ten years).
const MAX_DAYS: i64 = 3_650;

/// Error codes of scheme validation, translated as `field-error-<code>`.
pub mod errors {
    use crate::validation::FieldError;

    /// The shares of the classes do not add up to 100%.
    pub const SHARES_TOTAL: FieldError = FieldError("shares_total");
    /// A threshold is not below the one of the class before it.
    pub const NOT_DESCENDING: FieldError = FieldError("not_descending");
    /// The last class takes the rest: it has no threshold of its own.
    pub const LAST_IS_REST: FieldError = FieldError("last_is_rest");
    /// A class name, or an industry, appears twice.
    pub const DUPLICATE: FieldError = FieldError("duplicate");
    /// Fewer classes than [`super::MIN_CLASSES`] or more than [`super::MAX_CLASSES`].
    pub const CLASS_COUNT: FieldError = FieldError("class_count");
    /// The start of a period comes after its end.
    pub const RANGE_ORDER: FieldError = FieldError("range_order");
}

/// What customers are ranked by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Criterion {
    /// How many invoices (issued, paid or partly paid) the customer had in the period.
    PurchaseCount,
    /// Their net amount (after line discounts, before tax), in Rials.
    PurchaseAmount,
    /// Net line amounts minus quantity × the products' cost price, in Rials.
    Margin,
    /// The value of the customer's contracts that start in the period, in Rials.
    ContractValue,
    /// The account's industry, mapped to classes by name.
    Industry,
}

impl Criterion {
    /// Every criterion, in the order forms offer them.
    pub const ALL: [Criterion; 5] = [
        Criterion::PurchaseAmount,
        Criterion::PurchaseCount,
        Criterion::Margin,
        Criterion::ContractValue,
        Criterion::Industry,
    ];

    /// The stable code (JSON, forms, translations).
    pub fn code(self) -> &'static str {
        match self {
            Criterion::PurchaseCount => "purchase_count",
            Criterion::PurchaseAmount => "purchase_amount",
            Criterion::Margin => "margin",
            Criterion::ContractValue => "contract_value",
            Criterion::Industry => "industry",
        }
    }

    /// The criterion with this code.
    pub fn parse(code: &str) -> Option<Criterion> {
        Criterion::ALL.into_iter().find(|c| c.code() == code)
    }

    /// Whether its measure is an amount of money (thresholds are then Rials).
    pub fn is_money(self) -> bool {
        !matches!(self, Criterion::PurchaseCount | Criterion::Industry)
    }
}

/// The period the measures are taken over, by invoice issue date (contract start date).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Period {
    /// The last `days` days, today included.
    LastDays {
        /// How many days.
        days: i64,
    },
    /// One Jalali year, 1 Farvardin to the last day of Esfand.
    JalaliYear {
        /// The year, e.g. 1404.
        year: i32,
    },
    /// From one day to another, both included.
    Range {
        /// The first day.
        #[serde(with = "iso_date")]
        from: Date,
        /// The last day.
        #[serde(with = "iso_date")]
        to: Date,
    },
}

impl Period {
    /// The first and last day of the period as seen on `today`.
    pub fn bounds(self, today: Date) -> (Date, Date) {
        match self {
            Period::LastDays { days } => {
                let back = time::Duration::days(days.clamp(1, MAX_DAYS) - 1);
                (today.checked_sub(back).unwrap_or(Date::MIN), today)
            }
            Period::JalaliYear { year } => {
                let first = from_jalali(year, 1, 1).unwrap_or(today);
                let last = from_jalali(year + 1, 1, 1)
                    .and_then(Date::previous_day)
                    .unwrap_or(today);
                (first, last)
            }
            Period::Range { from, to } => (from, to),
        }
    }
}

/// Dates in JSON as `YYYY-MM-DD`, like every other date of the API.
mod iso_date {
    use serde::{Deserialize, Deserializer, Serializer, de::Error};
    use time::Date;
    use time::macros::format_description;

    const FORMAT: &[time::format_description::BorrowedFormatItem<'_>] =
        format_description!("[year]-[month]-[day]");

    pub fn serialize<S: Serializer>(date: &Date, serializer: S) -> Result<S::Ok, S::Error> {
        let text = date.format(FORMAT).map_err(serde::ser::Error::custom)?;
        serializer.serialize_str(&text)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Date, D::Error> {
        let text = String::deserialize(deserializer)?;
        Date::parse(&text, FORMAT).map_err(D::Error::custom)
    }
}

/// How measures become classes (industry schemes map names instead).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Shares of the ranking: the top 20%, the next 30%, …
    Shares,
    /// Thresholds on the measure: at least X, at least Y, … the rest.
    Thresholds,
}

/// One class of a scheme, best first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassDef {
    /// The administrator's label (`A`, `طلایی`); stored on customers and matched by price
    /// lists' `customer_classes`.
    pub name: String,
    /// With [`Method::Shares`]: the share of the ranking in basis points (2000 = 20%).
    #[serde(default)]
    pub share_bp: Option<i64>,
    /// With [`Method::Thresholds`]: the least measure for this class (none for the last).
    #[serde(default)]
    pub min: Option<i64>,
    /// With [`Criterion::Industry`]: the industries of this class.
    #[serde(default)]
    pub industries: Vec<String>,
    /// What the class is offered, shown on the customer page next to the class.
    #[serde(default)]
    pub offer: String,
}

/// The one classification scheme of the organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scheme {
    /// What customers are ranked by.
    pub criterion: Criterion,
    /// Over which days.
    pub period: Period,
    /// Shares or thresholds (ignored for industry).
    pub method: Method,
    /// The classes, best first; customers that fit no other class get the last.
    pub classes: Vec<ClassDef>,
    /// Whether the classes are recomputed every night.
    #[serde(default = "yes")]
    pub nightly: bool,
}

fn yes() -> bool {
    true
}

impl Scheme {
    /// The scheme with names and industries trimmed, or the reasons it cannot be used, keyed
    /// by field (`period.days`, `classes.1.share_bp`, …).
    pub fn validated(mut self) -> Result<Scheme, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        check_period(self.period, &mut errors);
        for class in &mut self.classes {
            class.name = class.name.trim().to_owned();
            class.offer = class.offer.trim().to_owned();
            class.industries = class
                .industries
                .iter()
                .map(|i| i.trim().to_owned())
                .filter(|i| !i.is_empty())
                .collect();
        }
        if !(MIN_CLASSES..=MAX_CLASSES).contains(&self.classes.len()) {
            errors.add("classes", errors::CLASS_COUNT);
            return Err(errors);
        }
        check_names(&self.classes, &mut errors);
        match (self.criterion, self.method) {
            (Criterion::Industry, _) => check_industries(&self.classes, &mut errors),
            (_, Method::Shares) => check_shares(&self.classes, &mut errors),
            (_, Method::Thresholds) => check_thresholds(&self.classes, &mut errors),
        }
        errors.into_result().map(|()| self)
    }

    /// The class names, best first.
    pub fn names(&self) -> Vec<&str> {
        self.classes.iter().map(|c| c.name.as_str()).collect()
    }

    /// The class each normalised industry name maps to (industry schemes).
    pub fn industry_classes(&self) -> Vec<(String, usize)> {
        self.classes
            .iter()
            .enumerate()
            .flat_map(|(i, c)| c.industries.iter().map(move |n| (normalize_search(n), i)))
            .collect()
    }
}

fn check_period(period: Period, errors: &mut ValidationErrors) {
    match period {
        Period::LastDays { days } if !(1..=MAX_DAYS).contains(&days) => {
            errors.add("period.days", FieldError::INVALID_NUMBER)
        }
        Period::JalaliYear { year } if !(1300..=1500).contains(&year) => {
            errors.add("period.year", FieldError::INVALID_NUMBER)
        }
        Period::Range { from, to } if from > to => errors.add("period.to", errors::RANGE_ORDER),
        _ => {}
    }
}

fn check_names(classes: &[ClassDef], errors: &mut ValidationErrors) {
    for (i, class) in classes.iter().enumerate() {
        let field = format!("classes.{i}.name");
        if class.name.is_empty() {
            errors.add(field, FieldError::REQUIRED);
        } else if class.name.chars().count() > NAME_MAX {
            errors.add(field, FieldError::TOO_LONG);
        } else if classes[..i].iter().any(|c| c.name == class.name) {
            errors.add(field, errors::DUPLICATE);
        }
        if class.offer.chars().count() > LONG_TEXT_MAX {
            errors.add(format!("classes.{i}.offer"), FieldError::TOO_LONG);
        }
    }
}

fn check_shares(classes: &[ClassDef], errors: &mut ValidationErrors) {
    let mut total = 0;
    for (i, class) in classes.iter().enumerate() {
        match class.share_bp {
            Some(share) if (1..=10_000).contains(&share) => total += share,
            Some(_) => errors.add(format!("classes.{i}.share_bp"), FieldError::INVALID_NUMBER),
            None => errors.add(format!("classes.{i}.share_bp"), FieldError::REQUIRED),
        }
    }
    if errors.is_empty() && total != 10_000 {
        errors.add("classes", errors::SHARES_TOTAL);
    }
}

fn check_thresholds(classes: &[ClassDef], errors: &mut ValidationErrors) {
    let (rest, ranked) = classes.split_last().expect("at least two classes");
    let mut previous: Option<i64> = None;
    for (i, class) in ranked.iter().enumerate() {
        let field = format!("classes.{i}.min");
        match class.min {
            None => errors.add(field, FieldError::REQUIRED),
            Some(min) if previous.is_some_and(|p| min >= p) => {
                errors.add(field, errors::NOT_DESCENDING)
            }
            Some(min) => previous = Some(min),
        }
    }
    if rest.min.is_some() {
        errors.add(
            format!("classes.{}.min", ranked.len()),
            errors::LAST_IS_REST,
        );
    }
}

fn check_industries(classes: &[ClassDef], errors: &mut ValidationErrors) {
    let mut seen: Vec<String> = Vec::new();
    let (_, mapped) = classes.split_last().expect("at least two classes");
    for (i, class) in classes.iter().enumerate() {
        let field = format!("classes.{i}.industries");
        if i < mapped.len() && class.industries.is_empty() {
            errors.add(field.clone(), FieldError::REQUIRED);
        }
        for industry in &class.industries {
            let key = normalize_search(industry);
            if seen.contains(&key) {
                errors.add(field.clone(), errors::DUPLICATE);
            }
            seen.push(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn class(name: &str, share_bp: Option<i64>, min: Option<i64>) -> ClassDef {
        ClassDef {
            name: name.into(),
            share_bp,
            min,
            industries: vec![],
            offer: String::new(),
        }
    }

    fn scheme(method: Method, classes: Vec<ClassDef>) -> Scheme {
        Scheme {
            criterion: Criterion::PurchaseAmount,
            period: Period::LastDays { days: 365 },
            method,
            classes,
            nightly: true,
        }
    }

    fn codes(result: Result<Scheme, ValidationErrors>) -> Vec<(String, &'static str)> {
        match result {
            Ok(_) => vec![],
            Err(e) => e.fields.into_iter().map(|(k, v)| (k, v.code())).collect(),
        }
    }

    #[test]
    fn shares_must_add_up_to_a_hundred_percent() {
        let ok = scheme(
            Method::Shares,
            vec![
                class("A", Some(2000), None),
                class("B", Some(3000), None),
                class("C", Some(5000), None),
            ],
        );
        assert!(ok.clone().validated().is_ok());
        let mut short = ok;
        short.classes[2].share_bp = Some(4000);
        assert_eq!(
            codes(short.validated()),
            vec![("classes".into(), "shares_total")]
        );
    }

    #[test]
    fn thresholds_must_descend_and_the_last_class_takes_the_rest() {
        let bad = scheme(
            Method::Thresholds,
            vec![
                class("طلایی", Some(0), Some(100)),
                class("نقره‌ای", None, Some(100)),
                class("برنزی", None, Some(5)),
            ],
        );
        assert_eq!(
            codes(bad.validated()),
            vec![
                ("classes.1.min".into(), "not_descending"),
                ("classes.2.min".into(), "last_is_rest"),
            ]
        );
    }

    #[test]
    fn names_are_required_and_unique() {
        let bad = scheme(
            Method::Shares,
            vec![
                class(" A ", Some(5000), None),
                class("A", Some(5000), None),
                class("", Some(0), None),
            ],
        );
        let found = codes(bad.validated());
        assert!(found.contains(&("classes.1.name".into(), "duplicate")));
        assert!(found.contains(&("classes.2.name".into(), "required")));
        assert!(found.contains(&("classes.2.share_bp".into(), "invalid_number")));
    }

    #[test]
    fn industries_are_mapped_once_each() {
        let mut bad = scheme(
            Method::Shares,
            vec![class("A", None, None), class("B", None, None)],
        );
        bad.criterion = Criterion::Industry;
        bad.classes[0].industries = vec!["نفت".into(), "پتروشیمی".into()];
        bad.classes[1].industries = vec!["نفت".into()];
        assert_eq!(
            codes(bad.clone().validated()),
            vec![("classes.1.industries".into(), "duplicate")]
        );
        bad.classes[1].industries.clear();
        assert!(bad.validated().is_ok());
    }

    #[test]
    fn a_scheme_needs_two_to_ten_classes() {
        let one = scheme(Method::Shares, vec![class("A", Some(10_000), None)]);
        assert_eq!(
            codes(one.validated()),
            vec![("classes".into(), "class_count")]
        );
    }

    #[test]
    fn periods_resolve_to_days() {
        let today = date!(2025 - 06 - 30);
        assert_eq!(
            Period::LastDays { days: 30 }.bounds(today),
            (date!(2025 - 06 - 01), today)
        );
        // 1404 runs from 21 March 2025 to 20 March 2026.
        assert_eq!(
            Period::JalaliYear { year: 1404 }.bounds(today),
            (date!(2025 - 03 - 21), date!(2026 - 03 - 20))
        );
        let range = Period::Range {
            from: date!(2025 - 02 - 01),
            to: date!(2025 - 01 - 01),
        };
        assert_eq!(
            codes(
                Scheme {
                    period: range,
                    ..scheme(
                        Method::Shares,
                        vec![class("A", Some(5000), None), class("B", Some(5000), None)]
                    )
                }
                .validated()
            ),
            vec![("period.to".into(), "range_order")]
        );
    }
}
