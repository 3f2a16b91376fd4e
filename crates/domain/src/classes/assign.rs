//! Assigning customers to classes from their measures.
//!
//! Customers are ranked by measure, highest first; ties are broken by the customer's key
//! (ascending), so the same data always gives the same classes whatever order it came in.
//! Customers without a measure (no purchases in the period, or no industry) get the last
//! class, and shares are shares of the customers that have one: a company where most
//! customers bought nothing this year still has its top fifth of buyers in class A.

use super::scheme::{Criterion, Method, Scheme};
use crate::text::normalize_search;

/// What a customer is ranked by: a number (count, Rials) or, for industry schemes, the
/// industry's name; None when there is nothing to rank (no purchases in the period).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Measure {
    /// Nothing to rank.
    None,
    /// A count or an amount.
    Number(i64),
    /// An industry name as written on the account.
    Industry(String),
}

/// How many customers each class got, in the scheme's order.
pub type ClassCounts = Vec<(String, u64)>;

/// The class (an index into `scheme.classes`) of every customer, in the order given. `keys`
/// break ties between equal measures; they must be distinct.
pub fn assign<K: Ord>(scheme: &Scheme, customers: &[(K, Measure)]) -> Vec<usize> {
    let last = scheme.classes.len().saturating_sub(1);
    if scheme.criterion == Criterion::Industry {
        let map = scheme.industry_classes();
        return customers
            .iter()
            .map(|(_, measure)| match measure {
                Measure::Industry(name) => {
                    let key = normalize_search(name);
                    map.iter()
                        .find(|(industry, _)| *industry == key)
                        .map_or(last, |(_, class)| *class)
                }
                _ => last,
            })
            .collect();
    }
    let mut classes = vec![last; customers.len()];
    let mut ranked: Vec<(usize, i64)> = customers
        .iter()
        .enumerate()
        .filter_map(|(i, (_, measure))| match measure {
            Measure::Number(n) => Some((i, *n)),
            _ => None,
        })
        .collect();
    ranked.sort_unstable_by(|(a, ma), (b, mb)| {
        mb.cmp(ma)
            .then_with(|| customers[*a].0.cmp(&customers[*b].0))
    });
    match scheme.method {
        Method::Shares => {
            let bounds = share_bounds(scheme, ranked.len());
            let mut class = 0;
            for (rank, (i, _)) in ranked.iter().enumerate() {
                while class < last && rank >= bounds[class] {
                    class += 1;
                }
                classes[*i] = class;
            }
        }
        Method::Thresholds => {
            for (i, measure) in ranked {
                classes[i] = scheme
                    .classes
                    .iter()
                    .position(|c| c.min.is_some_and(|min| measure >= min))
                    .unwrap_or(last);
            }
        }
    }
    classes
}

/// The end (exclusive rank) of each class when `n` customers are shared out: the cumulative
/// share of `n`, rounded half up, so three classes of a third each share nine customers 3/3/3.
fn share_bounds(scheme: &Scheme, n: usize) -> Vec<usize> {
    let n = n as u128;
    let mut cumulative: u128 = 0;
    scheme
        .classes
        .iter()
        .map(|c| {
            cumulative += c.share_bp.unwrap_or(0).max(0) as u128;
            ((cumulative * n + 5_000) / 10_000).min(n) as usize
        })
        .collect()
}

/// How many customers each class got.
pub fn class_counts(scheme: &Scheme, classes: &[usize]) -> ClassCounts {
    let mut counts = vec![0u64; scheme.classes.len()];
    for class in classes {
        counts[*class] += 1;
    }
    scheme
        .classes
        .iter()
        .zip(counts)
        .map(|(c, n)| (c.name.clone(), n))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classes::scheme::{ClassDef, Period};
    use proptest::prelude::*;

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

    fn abc() -> Scheme {
        scheme(
            Method::Shares,
            vec![
                class("A", Some(2000), None),
                class("B", Some(3000), None),
                class("C", Some(5000), None),
            ],
        )
    }

    #[test]
    fn the_top_fifth_is_a_the_next_three_tenths_b() {
        let customers: Vec<(u32, Measure)> = (0..10)
            .map(|k| (k, Measure::Number(i64::from(k) * 10)))
            .collect();
        let classes = assign(&abc(), &customers);
        // Measures 90 and 80 are the top two of ten.
        assert_eq!(classes, vec![2, 2, 2, 2, 2, 1, 1, 1, 0, 0]);
    }

    #[test]
    fn ties_are_broken_by_key_and_customers_without_purchases_come_last() {
        let customers = vec![
            (3u32, Measure::Number(5)),
            (1, Measure::Number(5)),
            (2, Measure::None),
            (4, Measure::Number(5)),
            (5, Measure::Number(5)),
            (6, Measure::Number(5)),
        ];
        let two = scheme(
            Method::Shares,
            vec![class("A", Some(4000), None), class("B", Some(6000), None)],
        );
        // Five ranked customers, 40% = 2 of them: keys 1 and 3.
        assert_eq!(assign(&two, &customers), vec![0, 0, 1, 1, 1, 1]);
    }

    #[test]
    fn thresholds_pick_the_first_class_reached() {
        let gold = scheme(
            Method::Thresholds,
            vec![
                class("طلایی", None, Some(1_000)),
                class("نقره‌ای", None, Some(100)),
                class("برنزی", None, None),
            ],
        );
        let customers = vec![
            (1, Measure::Number(1_000)),
            (2, Measure::Number(999)),
            (3, Measure::Number(100)),
            (4, Measure::Number(-5)),
            (5, Measure::None),
        ];
        assert_eq!(assign(&gold, &customers), vec![0, 1, 1, 2, 2]);
        assert_eq!(
            class_counts(&gold, &assign(&gold, &customers)),
            vec![
                ("طلایی".to_owned(), 1),
                ("نقره‌ای".to_owned(), 2),
                ("برنزی".to_owned(), 2)
            ]
        );
    }

    #[test]
    fn industries_map_by_normalised_name() {
        let mut by_industry = scheme(
            Method::Shares,
            vec![class("A", None, None), class("B", None, None)],
        );
        by_industry.criterion = Criterion::Industry;
        by_industry.classes[0].industries = vec!["نفت و گاز".into()];
        let customers = vec![
            (1, Measure::Industry("نفت و گاز".into())),
            // Arabic yeh/kaf variants and spacing are the same industry.
            (2, Measure::Industry(" نفت  و گاز ".into())),
            (3, Measure::Industry("خودرو".into())),
            (4, Measure::None),
        ];
        assert_eq!(assign(&by_industry, &customers), vec![0, 0, 1, 1]);
    }

    fn measures() -> impl Strategy<Value = Vec<Option<i64>>> {
        prop::collection::vec(prop::option::weighted(0.8, -50i64..200), 0..120)
    }

    fn shares() -> impl Strategy<Value = Vec<i64>> {
        // Two to five classes whose shares add up to 10,000 basis points.
        prop::collection::vec(1i64..100, 2..6).prop_map(|weights| {
            let total: i64 = weights.iter().sum();
            let mut shares: Vec<i64> = weights
                .iter()
                .map(|w| (w * 10_000 / total).max(1))
                .collect();
            let rest = 10_000 - shares[..shares.len() - 1].iter().sum::<i64>();
            *shares.last_mut().unwrap() = rest;
            shares
        })
    }

    fn share_scheme(shares: &[i64]) -> Scheme {
        scheme(
            Method::Shares,
            shares
                .iter()
                .enumerate()
                .map(|(i, s)| class(&format!("K{i}"), Some(*s), None))
                .collect(),
        )
    }

    fn customers(measures: &[Option<i64>]) -> Vec<(usize, Measure)> {
        measures
            .iter()
            .enumerate()
            .map(|(k, m)| (k, m.map_or(Measure::None, Measure::Number)))
            .collect()
    }

    proptest! {
        #[test]
        fn a_higher_measure_never_gets_a_lower_class(measures in measures(), shares in shares()) {
            prop_assume!(shares.iter().all(|s| *s > 0));
            let scheme = share_scheme(&shares);
            let customers = customers(&measures);
            let classes = assign(&scheme, &customers);
            let last = scheme.classes.len() - 1;
            for (i, (_, a)) in customers.iter().enumerate() {
                prop_assert!(classes[i] <= last);
                match a {
                    Measure::None => prop_assert_eq!(classes[i], last),
                    Measure::Number(a) => {
                        for (j, (_, b)) in customers.iter().enumerate() {
                            if let Measure::Number(b) = b && a > b {
                                prop_assert!(classes[i] <= classes[j]);
                            }
                        }
                    }
                    Measure::Industry(_) => unreachable!(),
                }
            }
        }

        #[test]
        fn class_sizes_follow_the_shares(measures in measures(), shares in shares()) {
            prop_assume!(shares.iter().all(|s| *s > 0));
            let scheme = share_scheme(&shares);
            let classes = assign(&scheme, &customers(&measures));
            let ranked = measures.iter().filter(|m| m.is_some()).count() as i64;
            let unranked = measures.len() as u64 - ranked as u64;
            let counts = class_counts(&scheme, &classes);
            let mut cumulative = 0;
            let mut previous_bound = 0;
            for (i, (_, count)) in counts.iter().enumerate() {
                cumulative += shares[i];
                // Each class ends at its cumulative share of the ranked customers, rounded.
                let bound = (cumulative * ranked + 5_000) / 10_000;
                let expected = (bound - previous_bound) as u64
                    + if i == counts.len() - 1 { unranked } else { 0 };
                prop_assert_eq!(*count, expected);
                previous_bound = bound;
            }
        }

        #[test]
        fn the_order_of_the_input_does_not_matter(measures in measures(), seed in any::<u64>()) {
            let scheme = share_scheme(&[2000, 3000, 5000]);
            let customers = customers(&measures);
            let classes = assign(&scheme, &customers);
            // A deterministic shuffle: sort by a hash of the key and the seed.
            let mut shuffled = customers.clone();
            shuffled.sort_by_key(|(k, _)| (*k as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ seed);
            let again = assign(&scheme, &shuffled);
            for (position, (key, _)) in shuffled.iter().enumerate() {
                prop_assert_eq!(again[position], classes[*key]);
            }
        }

        #[test]
        fn thresholds_hold_for_every_member(measures in measures(), a in 50i64..150, gap in 1i64..50) {
            let scheme = scheme(
                Method::Thresholds,
                vec![class("A", None, Some(a)), class("B", None, Some(a - gap)), class("C", None, None)],
            );
            let classes = assign(&scheme, &customers(&measures));
            for (m, class) in measures.iter().zip(classes) {
                let expected = match m {
                    Some(m) if *m >= a => 0,
                    Some(m) if *m >= a - gap => 1,
                    _ => 2,
                };
                prop_assert_eq!(class, expected);
            }
        }
    }
}
