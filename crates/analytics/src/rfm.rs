//! RFM: recency, frequency and monetary scores in quintiles, and segments named from them.
//!
//! Scores follow SQL's `NTILE(5)` exactly. Customers are ordered by the measure — recency by
//! days since the last order *descending* (longest ago first), frequency and monetary
//! *ascending* — with ties broken by customer id ascending, compared as text (bytewise). The
//! ordered list is cut into 5 groups in order; when the count is not a multiple of 5 the first
//! `count % 5` groups get one extra customer. The first group scores 1, the last 5, so 5 is
//! always best (most recent, most frequent, biggest spender).
//!
//! # Segments
//!
//! The segment comes from the recency score `r` and the frequency score `f` (the usual RFM
//! grid; monetary is reported but does not move the segment):
//!
//! | segment              | r     | f     |
//! |----------------------|-------|-------|
//! | `champions`          | 5     | 4–5   |
//! | `loyal`              | 3–4   | 4–5   |
//! | `potential_loyalist` | 4–5   | 2–3   |
//! | `new`                | 5     | 1     |
//! | `promising`          | 4     | 1     |
//! | `need_attention`     | 3     | 3     |
//! | `about_to_sleep`     | 3     | 1–2   |
//! | `cannot_lose`        | 1–2   | 5     |
//! | `at_risk`            | 1–2   | 3–4   |
//! | `hibernating`        | 1–2   | 1–2, except r = f = 1 |
//! | `lost`               | 1     | 1     |

use crate::dates::Day;

/// What RFM needs to know about one customer's orders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Totals {
    /// The day of the most recent order.
    pub last_order: Day,
    /// The number of orders.
    pub orders: u64,
    /// The sum of the order amounts in fixed-point units (see [`crate::amount`]).
    pub spent: i128,
}

/// The RFM result for one customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scores {
    /// Days from the last order to the as-of date.
    pub recency_days: i64,
    /// Recency score 1–5 (5 = most recent).
    pub r: u8,
    /// Frequency score 1–5 (5 = most orders).
    pub f: u8,
    /// Monetary score 1–5 (5 = most spent).
    pub m: u8,
    /// The segment named by the table in the module documentation.
    pub segment: Segment,
}

/// A named RFM segment; see the table in the module documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Segment {
    /// Bought recently and often.
    Champions,
    /// Buy often, fairly recently.
    Loyal,
    /// Recent customers with a few orders.
    PotentialLoyalist,
    /// Bought for the first time very recently.
    New,
    /// Recent, one order.
    Promising,
    /// Average on both counts.
    NeedAttention,
    /// Slipping away after few orders.
    AboutToSleep,
    /// Used to buy very often, not lately.
    CannotLose,
    /// Used to buy regularly, not lately.
    AtRisk,
    /// Few orders, long ago.
    Hibernating,
    /// The fewest orders, longest ago.
    Lost,
}

impl Segment {
    /// Every segment, in the order of the table.
    pub const ALL: [Segment; 11] = [
        Segment::Champions,
        Segment::Loyal,
        Segment::PotentialLoyalist,
        Segment::New,
        Segment::Promising,
        Segment::NeedAttention,
        Segment::AboutToSleep,
        Segment::CannotLose,
        Segment::AtRisk,
        Segment::Hibernating,
        Segment::Lost,
    ];

    /// The segment of a recency and a frequency score (1–5 each).
    pub fn from_scores(r: u8, f: u8) -> Segment {
        match (r, f) {
            (5, 4..=5) => Segment::Champions,
            (3..=4, 4..=5) => Segment::Loyal,
            (4..=5, 2..=3) => Segment::PotentialLoyalist,
            (5, _) => Segment::New,
            (4, _) => Segment::Promising,
            (3, 3) => Segment::NeedAttention,
            (3, _) => Segment::AboutToSleep,
            (1..=2, 5) => Segment::CannotLose,
            (1..=2, 3..=4) => Segment::AtRisk,
            (1, 1) => Segment::Lost,
            _ => Segment::Hibernating,
        }
    }

    /// The stable code written to CSV files, e.g. `at_risk`.
    pub fn code(self) -> &'static str {
        match self {
            Segment::Champions => "champions",
            Segment::Loyal => "loyal",
            Segment::PotentialLoyalist => "potential_loyalist",
            Segment::New => "new",
            Segment::Promising => "promising",
            Segment::NeedAttention => "need_attention",
            Segment::AboutToSleep => "about_to_sleep",
            Segment::CannotLose => "cannot_lose",
            Segment::AtRisk => "at_risk",
            Segment::Hibernating => "hibernating",
            Segment::Lost => "lost",
        }
    }
}

/// The rank of each id in bytewise text order (0 = first). Ids must be distinct.
///
/// Computing this once lets the three quintile sorts compare small integers instead of text.
pub fn rank_ids<S: AsRef<[u8]> + Sync>(ids: &[S]) -> Vec<u32> {
    let mut order: Vec<u32> = (0..ids.len() as u32).collect();
    order.sort_unstable_by(|&a, &b| ids[a as usize].as_ref().cmp(ids[b as usize].as_ref()));
    let mut rank = vec![0u32; ids.len()];
    for (position, &index) in order.iter().enumerate() {
        rank[index as usize] = position as u32;
    }
    rank
}

/// The `NTILE(5)` score (1–5) of each position 0..n of an ordered list.
fn quintile_of_position(n: usize) -> impl Fn(usize) -> u8 {
    let base = n / 5;
    let extra = n % 5;
    // The first `extra` groups hold base + 1 customers.
    let big_groups_end = extra * (base + 1);
    move |position| {
        let group = if position < big_groups_end {
            position / (base + 1)
        } else {
            extra + (position - big_groups_end) / base.max(1)
        };
        group as u8 + 1
    }
}

/// Writes the quintile of each customer into `scores`, ordering by `keys` ascending. Each key
/// carries the id rank in its low 32 bits, so keys are distinct and ties go by id.
fn assign_quintiles<K: Ord + Copy>(keys: &mut [(K, u32)], scores: &mut [u8]) {
    keys.sort_unstable();
    let quintile = quintile_of_position(keys.len());
    for (position, &(_, index)) in keys.iter().enumerate() {
        scores[index as usize] = quintile(position);
    }
}

/// Scores every customer. `id_rank[i]` is the text-order rank of customer `i`'s id (see
/// [`rank_ids`]); the result is in the same order as `totals`.
pub fn score(totals: &[Totals], id_rank: &[u32], as_of: Day) -> Vec<Scores> {
    assert_eq!(totals.len(), id_rank.len(), "one id rank per customer");
    let n = totals.len();
    let mut r = vec![0u8; n];
    let mut f = vec![0u8; n];
    let mut m = vec![0u8; n];
    // Recency descending is the last order ascending; then the id rank breaks ties.
    let mut keys: Vec<(u64, u32)> = totals
        .iter()
        .zip(id_rank)
        .enumerate()
        .map(|(i, (t, &rank))| {
            (
                ((t.last_order as i64 + (1 << 31)) as u64) << 32 | u64::from(rank),
                i as u32,
            )
        })
        .collect();
    assign_quintiles(&mut keys, &mut r);
    for (key, (i, (t, &rank))) in keys.iter_mut().zip(totals.iter().zip(id_rank).enumerate()) {
        *key = (
            t.orders.min(u64::from(u32::MAX)) << 32 | u64::from(rank),
            i as u32,
        );
    }
    assign_quintiles(&mut keys, &mut f);
    drop(keys);
    let mut money_keys: Vec<((i128, u32), u32)> = totals
        .iter()
        .zip(id_rank)
        .enumerate()
        .map(|(i, (t, &rank))| ((t.spent, rank), i as u32))
        .collect();
    assign_quintiles(&mut money_keys, &mut m);
    drop(money_keys);
    (0..n)
        .map(|i| Scores {
            recency_days: i64::from(as_of) - i64::from(totals[i].last_order),
            r: r[i],
            f: f[i],
            m: m[i],
            segment: Segment::from_scores(r[i], f[i]),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// NTILE(5) by definition: walk the groups with their sizes.
    fn ntile_reference(n: usize) -> Vec<u8> {
        let mut out = Vec::new();
        for group in 0..5 {
            let size = n / 5 + usize::from(group < n % 5);
            out.extend(std::iter::repeat_n(group as u8 + 1, size));
        }
        out
    }

    #[test]
    fn quintiles_match_ntile_for_every_small_count() {
        for n in 0..200 {
            let quintile = quintile_of_position(n);
            let ours: Vec<u8> = (0..n).map(&quintile).collect();
            assert_eq!(ours, ntile_reference(n), "n = {n}");
        }
    }

    #[test]
    fn ties_break_by_id_text_and_recency_is_descending() {
        let ids = ["b", "a", "c", "10", "9"];
        let totals = [
            Totals {
                last_order: 10,
                orders: 1,
                spent: 5,
            },
            Totals {
                last_order: 10,
                orders: 1,
                spent: 5,
            },
            Totals {
                last_order: 20,
                orders: 3,
                spent: 1,
            },
            Totals {
                last_order: 5,
                orders: 2,
                spent: 9,
            },
            Totals {
                last_order: 30,
                orders: 2,
                spent: 0,
            },
        ];
        let rank = rank_ids(&ids);
        assert_eq!(rank, vec![3, 2, 4, 0, 1], "\"10\" < \"9\" as text");
        let scores = score(&totals, &rank, 40);
        // Recency days: b 30, a 30, c 20, 10 35, 9 10 → descending: 10, a, b, c, 9.
        let r: Vec<u8> = scores.iter().map(|s| s.r).collect();
        assert_eq!(r, vec![3, 2, 4, 1, 5]);
        let f: Vec<u8> = scores.iter().map(|s| s.f).collect();
        assert_eq!(f, vec![2, 1, 5, 3, 4]);
        let m: Vec<u8> = scores.iter().map(|s| s.m).collect();
        assert_eq!(m, vec![4, 3, 2, 5, 1]);
        assert_eq!(scores[3].recency_days, 35);
    }

    #[test]
    fn every_cell_of_the_grid_has_a_segment() {
        let mut seen = std::collections::BTreeSet::new();
        for r in 1..=5 {
            for f in 1..=5 {
                seen.insert(Segment::from_scores(r, f));
            }
        }
        assert_eq!(seen.len(), Segment::ALL.len());
        assert_eq!(Segment::from_scores(5, 5), Segment::Champions);
        assert_eq!(Segment::from_scores(1, 1), Segment::Lost);
        assert_eq!(Segment::from_scores(2, 1), Segment::Hibernating);
        assert_eq!(Segment::from_scores(1, 5), Segment::CannotLose);
    }
}
