//! Market basket analysis: frequent item sets (Apriori) and association rules.
//!
//! Definitions are the standard ones (as in Agrawal & Srikant 1994 and the `mlxtend` package):
//! the support of an item set is the share of orders containing all its items; a rule A → C
//! comes from a frequent item set A ∪ C split into two non-empty parts, with
//! `confidence = support(A ∪ C) / support(A)` and `lift = confidence / support(C)`. An item
//! set is frequent when its support is at least the minimum; a rule is kept when its confidence
//! is at least the minimum.
//!
//! Item sets grow level by level as in Apriori: candidates of size k join two frequent sets of
//! size k − 1 that share their first k − 2 items, and every (k − 1)-subset of a candidate must
//! be frequent. Supports are counted by intersecting the sorted lists of orders that contain
//! each set, which gives the same sets as counting by scanning the orders, with less work.

use std::collections::HashMap;

use crate::AnalyticsError;

/// A frequent item set: item indices in increasing order and its support.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemSet {
    /// The items, as indices into the caller's item list, increasing.
    pub items: Vec<u32>,
    /// The share of orders that contain every item.
    pub support: f64,
}

/// An association rule `antecedents → consequents`.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// The "if" items, increasing.
    pub antecedents: Vec<u32>,
    /// The "then" items, increasing.
    pub consequents: Vec<u32>,
    /// Support of all the items together.
    pub support: f64,
    /// support(all) / support(antecedents).
    pub confidence: f64,
    /// confidence / support(consequents).
    pub lift: f64,
}

struct Level {
    items: Vec<u32>,
    orders: Vec<u32>,
}

fn intersect(a: &[u32], b: &[u32]) -> Vec<u32> {
    let mut out = Vec::with_capacity(a.len().min(b.len()));
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                out.push(a[i]);
                i += 1;
                j += 1;
            }
        }
    }
    out
}

/// Finds every item set with support ≥ `min_support` and at most `max_len` items.
/// `orders[i]` lists the item indices of order i (any order, duplicates ignored). Orders may be
/// owned (`Vec<u32>`) or borrowed (`&[u32]`), so a caller can mine a subset of its orders
/// without copying them.
pub fn frequent_itemsets<O: AsRef<[u32]>>(
    orders: &[O],
    item_count: usize,
    min_support: f64,
    max_len: usize,
) -> Result<Vec<ItemSet>, AnalyticsError> {
    if orders.is_empty() {
        return Err(AnalyticsError::Empty);
    }
    if !(min_support > 0.0 && min_support <= 1.0) {
        return Err(AnalyticsError::InvalidArgument(format!(
            "the minimum support must be above 0 and at most 1, got {min_support}"
        )));
    }
    let total = orders.len() as f64;
    let support = |count: usize| count as f64 / total;
    let mut containing: Vec<Vec<u32>> = vec![Vec::new(); item_count];
    for (order, items) in orders.iter().enumerate() {
        for &item in items.as_ref() {
            let list = &mut containing[item as usize];
            if list.last() != Some(&(order as u32)) {
                list.push(order as u32);
            }
        }
    }
    let mut level: Vec<Level> = containing
        .into_iter()
        .enumerate()
        .filter(|(_, list)| support(list.len()) >= min_support)
        .map(|(item, orders)| Level {
            items: vec![item as u32],
            orders,
        })
        .collect();
    let mut result = Vec::new();
    let mut size = 1;
    while !level.is_empty() && size <= max_len {
        result.extend(level.iter().map(|set| ItemSet {
            items: set.items.clone(),
            support: support(set.orders.len()),
        }));
        if size == max_len {
            break;
        }
        let known: std::collections::HashSet<&[u32]> =
            level.iter().map(|set| set.items.as_slice()).collect();
        let mut next = Vec::new();
        for (i, left) in level.iter().enumerate() {
            for right in &level[i + 1..] {
                let prefix = size - 1;
                if left.items[..prefix] != right.items[..prefix] {
                    break;
                }
                let mut items = left.items.clone();
                items.push(right.items[prefix]);
                let all_subsets_frequent = (0..items.len()).all(|skip| {
                    let subset: Vec<u32> = items
                        .iter()
                        .enumerate()
                        .filter(|&(k, _)| k != skip)
                        .map(|(_, &item)| item)
                        .collect();
                    known.contains(subset.as_slice())
                });
                if !all_subsets_frequent {
                    continue;
                }
                let orders = intersect(&left.orders, &right.orders);
                if support(orders.len()) >= min_support {
                    next.push(Level { items, orders });
                }
            }
        }
        level = next;
        size += 1;
    }
    Ok(result)
}

/// Every rule with confidence ≥ `min_confidence` from the frequent item sets.
pub fn rules(itemsets: &[ItemSet], min_confidence: f64) -> Vec<Rule> {
    let support_of: HashMap<&[u32], f64> = itemsets
        .iter()
        .map(|set| (set.items.as_slice(), set.support))
        .collect();
    let mut out = Vec::new();
    for set in itemsets.iter().filter(|set| set.items.len() >= 2) {
        let n = set.items.len();
        // Each bit pattern other than none and all picks the antecedents.
        for mask in 1..(1u64 << n) - 1 {
            let (antecedents, consequents): (Vec<u32>, Vec<u32>) = {
                let mut a = Vec::new();
                let mut c = Vec::new();
                for (k, &item) in set.items.iter().enumerate() {
                    if mask & (1 << k) != 0 {
                        a.push(item)
                    } else {
                        c.push(item)
                    }
                }
                (a, c)
            };
            // Subsets of a frequent set are frequent, so both lookups succeed.
            let support_a = support_of[antecedents.as_slice()];
            let support_c = support_of[consequents.as_slice()];
            let confidence = set.support / support_a;
            if confidence >= min_confidence {
                out.push(Rule {
                    antecedents,
                    consequents,
                    support: set.support,
                    confidence,
                    lift: confidence / support_c,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Support by brute force: count the orders containing every item.
    fn brute_support(orders: &[Vec<u32>], items: &[u32]) -> f64 {
        orders
            .iter()
            .filter(|o| items.iter().all(|i| o.contains(i)))
            .count() as f64
            / orders.len() as f64
    }

    #[test]
    fn item_sets_and_rules_follow_the_definitions() {
        // 0 bread, 1 milk, 2 butter, 3 beer
        let orders = vec![
            vec![0, 1],
            vec![0, 2, 1],
            vec![0, 2],
            vec![1, 3],
            vec![0, 1, 2],
            vec![3],
        ];
        let sets = frequent_itemsets(&orders, 4, 0.3, 3).unwrap();
        // Every subset of 4 items with enough support, and nothing else.
        for mask in 1u32..16 {
            let items: Vec<u32> = (0..4).filter(|i| mask & (1 << i) != 0).collect();
            let support = brute_support(&orders, &items);
            let found = sets.iter().find(|s| s.items == items);
            assert_eq!(found.is_some(), support >= 0.3, "{items:?}");
            if let Some(set) = found {
                assert_eq!(set.support, support);
            }
        }
        let rules = rules(&sets, 0.6);
        let butter_to_bread = rules
            .iter()
            .find(|r| r.antecedents == [2] && r.consequents == [0])
            .unwrap();
        assert_eq!(butter_to_bread.confidence, 1.0);
        assert!((butter_to_bread.lift - 1.0 / (4.0 / 6.0)).abs() < 1e-12);
        assert!(rules.iter().all(|r| r.confidence >= 0.6));
        assert!(
            !rules
                .iter()
                .any(|r| r.antecedents == [1] && r.consequents == [2]),
            "1/2 < 0.6"
        );
    }

    #[test]
    fn max_len_limits_the_sets() {
        let orders = vec![vec![0, 1, 2]; 3];
        let sets = frequent_itemsets(&orders, 3, 0.5, 2).unwrap();
        assert_eq!(sets.len(), 6);
        assert!(frequent_itemsets(&orders, 3, 0.0, 2).is_err());
    }

    #[test]
    fn borrowed_orders_give_the_same_sets_as_owned_ones() {
        let orders = [vec![0, 1], vec![0, 1, 2], vec![2], vec![0, 2]];
        // A subset picked by reference, as the app mines one branch's invoices.
        let picked: Vec<&[u32]> = [0, 1, 3].iter().map(|&i| orders[i].as_slice()).collect();
        let copied: Vec<Vec<u32>> = [0, 1, 3].iter().map(|&i| orders[i].clone()).collect();
        assert_eq!(
            frequent_itemsets(&picked, 3, 0.3, 3).unwrap(),
            frequent_itemsets(&copied, 3, 0.3, 3).unwrap()
        );
    }
}
