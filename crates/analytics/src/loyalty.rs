//! Loyalty classes from the sequence of brands (or product lines) a customer bought.
//!
//! The four classes of Kotler's brand-loyalty status, decided from the purchases in time
//! order by this rule, first match wins:
//!
//! 1. `undivided` — every purchase is of one brand (A A A A).
//! 2. `unstable` — the customer moved from brand to brand without going back: each brand's
//!    purchases are one unbroken run, and the latest run has at least two purchases
//!    (A A A B B B: they switched and stayed).
//! 3. `divided` — two or three brands (A A B B A B).
//! 4. `disloyal` — four or more brands with no settled pattern (A C E B D B).
//!
//! A single purchase is `undivided`; two one-off purchases of different brands (A B) are
//! `divided`, since one purchase of the second brand does not show a switch.

use std::collections::HashMap;

/// A loyalty class; see the module documentation for the rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Class {
    /// One brand only.
    Undivided,
    /// Loyal to two or three brands.
    Divided,
    /// Switched from one brand to another.
    Unstable,
    /// No preference.
    Disloyal,
}

impl Class {
    /// The code written to CSV.
    pub fn code(self) -> &'static str {
        match self {
            Class::Undivided => "undivided",
            Class::Divided => "divided",
            Class::Unstable => "unstable",
            Class::Disloyal => "disloyal",
        }
    }
}

/// The class of one customer and the facts it rests on.
#[derive(Debug, Clone, PartialEq)]
pub struct Loyalty {
    /// Number of purchases.
    pub purchases: usize,
    /// Number of distinct brands.
    pub brands: usize,
    /// The most bought brand (the earliest bought among equals).
    pub top_brand: u32,
    /// The top brand's share of purchases, 0–1.
    pub top_share: f64,
    /// The class.
    pub class: Class,
}

/// Classifies a customer from brand ids in purchase order. `None` for no purchases.
pub fn classify(brands_in_order: &[u32]) -> Option<Loyalty> {
    let first = *brands_in_order.first()?;
    let mut counts: HashMap<u32, usize> = HashMap::new();
    let mut first_seen: Vec<u32> = Vec::new();
    let mut runs = 0;
    let mut last_run_length = 0;
    let mut previous = None;
    for &brand in brands_in_order {
        let count = counts.entry(brand).or_insert(0);
        if *count == 0 {
            first_seen.push(brand);
        }
        *count += 1;
        if previous == Some(brand) {
            last_run_length += 1;
        } else {
            runs += 1;
            last_run_length = 1;
        }
        previous = Some(brand);
    }
    let brands = counts.len();
    let (top_brand, top_count) =
        first_seen
            .iter()
            .map(|b| (*b, counts[b]))
            .fold((first, 0), |best, candidate| {
                if candidate.1 > best.1 {
                    candidate
                } else {
                    best
                }
            });
    let one_run_per_brand = runs == brands;
    let class = if brands == 1 {
        Class::Undivided
    } else if one_run_per_brand && last_run_length >= 2 {
        Class::Unstable
    } else if brands <= 3 {
        Class::Divided
    } else {
        Class::Disloyal
    };
    Some(Loyalty {
        purchases: brands_in_order.len(),
        brands,
        top_brand,
        top_share: top_count as f64 / brands_in_order.len() as f64,
        class,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(sequence: &str) -> Class {
        let brands: Vec<u32> = sequence.bytes().map(u32::from).collect();
        classify(&brands).unwrap().class
    }

    #[test]
    fn the_documented_examples_get_their_classes() {
        assert_eq!(class("AAAA"), Class::Undivided);
        assert_eq!(class("A"), Class::Undivided);
        assert_eq!(class("AAABBB"), Class::Unstable);
        assert_eq!(class("AABBCC"), Class::Unstable);
        assert_eq!(class("AABBAB"), Class::Divided);
        assert_eq!(class("AB"), Class::Divided);
        assert_eq!(class("ABCABC"), Class::Divided);
        assert_eq!(class("ACEBDB"), Class::Disloyal);
        assert_eq!(
            class("ABCD"),
            Class::Disloyal,
            "one purchase of each: no settled brand"
        );
        assert_eq!(classify(&[]), None);
    }

    #[test]
    fn top_brand_and_share() {
        let loyalty = classify(&[7, 8, 8, 7, 9]).unwrap();
        assert_eq!(
            (loyalty.purchases, loyalty.brands, loyalty.top_brand),
            (5, 3, 7)
        );
        assert!((loyalty.top_share - 0.4).abs() < 1e-12);
    }
}
