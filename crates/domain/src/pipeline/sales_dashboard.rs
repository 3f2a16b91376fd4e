//! The sales dashboard's arithmetic (issue 4 §10): from the groups the store counted — open
//! deals by stage, owner and branch; deals closed in the period by outcome, loss reason, owner
//! and branch; won deals by interval of time — the pipeline by stage, won and lost with the top
//! loss reasons, the branch-by-branch comparison and the achievement of targets.

use std::collections::BTreeMap;

use uuid::Uuid;

use super::forecast::weighted;
use super::funnel::ratio;

/// Open deals of one stage, owner and branch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenGroup {
    /// The stage they are at.
    pub stage_id: Uuid,
    /// Their owner.
    pub owner_id: Uuid,
    /// Their branch.
    pub branch_id: Uuid,
    /// How many.
    pub count: i64,
    /// Their amounts (Rials).
    pub amount: i64,
}

/// Deals closed in the period with one outcome, loss reason, owner and branch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClosedGroup {
    /// Won (true) or lost.
    pub won: bool,
    /// Why it was lost.
    pub reason_id: Option<Uuid>,
    /// Their owner.
    pub owner_id: Uuid,
    /// Their branch.
    pub branch_id: Uuid,
    /// How many.
    pub count: i64,
    /// Their amounts (Rials).
    pub amount: i64,
}

/// A count and a value.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// How many.
    pub count: i64,
    /// Their value (Rials).
    pub amount: i64,
}

impl Tally {
    fn add(&mut self, count: i64, amount: i64) {
        self.count += count;
        self.amount = self.amount.saturating_add(amount);
    }
}

/// One stage of the pipeline: its open deals and their weighted value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageTally {
    /// The stage.
    pub stage_id: Uuid,
    /// Open deals at it.
    pub open: Tally,
    /// Their amount × the stage's probability, rounded once per stage.
    pub weighted: i64,
}

/// Won and lost in the period.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcomes {
    /// Deals won.
    pub won: Tally,
    /// Deals lost.
    pub lost: Tally,
    /// Won ÷ (won + lost); None when nothing closed.
    pub win_rate: Option<f64>,
    /// Loss reasons, most deals first (then most value), at most [`TOP_REASONS`].
    pub top_reasons: Vec<(Option<Uuid>, Tally)>,
}

/// How many loss reasons the dashboard names.
pub const TOP_REASONS: usize = 5;

/// One branch (or one person) in the comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// Open deals now.
    pub open: Tally,
    /// Their weighted value.
    pub weighted: i64,
    /// Won in the period.
    pub won: Tally,
    /// Lost in the period.
    pub lost: Tally,
    /// Won ÷ closed; None when nothing closed.
    pub win_rate: Option<f64>,
}

/// The pipeline by stage, in the order of `stages` (id, probability in percent); stages without
/// open deals are listed with zeros.
pub fn by_stage(stages: &[(Uuid, i64)], open: &[OpenGroup]) -> Vec<StageTally> {
    let mut tallies: BTreeMap<Uuid, Tally> = BTreeMap::new();
    for g in open {
        tallies
            .entry(g.stage_id)
            .or_default()
            .add(g.count, g.amount);
    }
    stages
        .iter()
        .map(|(stage, probability)| {
            let open = tallies.get(stage).copied().unwrap_or_default();
            StageTally {
                stage_id: *stage,
                open,
                weighted: weighted(open.amount, *probability),
            }
        })
        .collect()
}

/// Won, lost, win rate and the top loss reasons.
pub fn outcomes(closed: &[ClosedGroup]) -> Outcomes {
    let (mut won, mut lost) = (Tally::default(), Tally::default());
    let mut reasons: BTreeMap<Option<Uuid>, Tally> = BTreeMap::new();
    for g in closed {
        if g.won {
            won.add(g.count, g.amount);
        } else {
            lost.add(g.count, g.amount);
            reasons
                .entry(g.reason_id)
                .or_default()
                .add(g.count, g.amount);
        }
    }
    let mut top_reasons: Vec<(Option<Uuid>, Tally)> = reasons.into_iter().collect();
    top_reasons.sort_by(|a, b| {
        (b.1.count, b.1.amount)
            .cmp(&(a.1.count, a.1.amount))
            .then(a.0.cmp(&b.0))
    });
    top_reasons.truncate(TOP_REASONS);
    Outcomes {
        won,
        lost,
        win_rate: ratio(won.count, won.count + lost.count),
        top_reasons,
    }
}

/// The comparison keyed by branch (`by_owner` false) or by owner (true): open deals with their
/// weighted value (by the stage probabilities), won and lost in the period.
pub fn compare(
    open: &[OpenGroup],
    closed: &[ClosedGroup],
    probability: &BTreeMap<Uuid, i64>,
    by_owner: bool,
) -> BTreeMap<Uuid, Comparison> {
    let key = |owner: Uuid, branch: Uuid| if by_owner { owner } else { branch };
    let mut out: BTreeMap<Uuid, Comparison> = BTreeMap::new();
    let blank = || Comparison {
        open: Tally::default(),
        weighted: 0,
        won: Tally::default(),
        lost: Tally::default(),
        win_rate: None,
    };
    for g in open {
        let row = out
            .entry(key(g.owner_id, g.branch_id))
            .or_insert_with(blank);
        row.open.add(g.count, g.amount);
        let percent = probability.get(&g.stage_id).copied().unwrap_or(0);
        row.weighted = row.weighted.saturating_add(weighted(g.amount, percent));
    }
    for g in closed {
        let row = out
            .entry(key(g.owner_id, g.branch_id))
            .or_insert_with(blank);
        if g.won {
            row.won.add(g.count, g.amount);
        } else {
            row.lost.add(g.count, g.amount);
        }
    }
    for row in out.values_mut() {
        row.win_rate = ratio(row.won.count, row.won.count + row.lost.count);
    }
    out
}

/// Deals won in one interval of time (an index into a list of boundaries) by one owner in one
/// branch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WonInInterval {
    /// Index of the interval `[bounds[i], bounds[i + 1])`.
    pub interval: usize,
    /// The owner.
    pub owner_id: Uuid,
    /// The branch.
    pub branch_id: Uuid,
    /// How many were won.
    pub count: i64,
    /// Their amounts (Rials).
    pub amount: i64,
}

/// The boundaries that cut time into intervals such that every period in `periods` is a run of
/// whole intervals: the sorted distinct starts and ends.
pub fn interval_bounds<T: Ord + Copy>(periods: &[(T, T)]) -> Vec<T> {
    let mut bounds: Vec<T> = periods.iter().flat_map(|(s, e)| [*s, *e]).collect();
    bounds.sort_unstable();
    bounds.dedup();
    bounds
}

/// What was won within `[start, end)` — which must be boundaries of `bounds` — by the given
/// owners (any when None) in the given branches (any when None).
pub fn won_within<T: Ord + Copy>(
    rows: &[WonInInterval],
    bounds: &[T],
    (start, end): (T, T),
    owners: Option<&[Uuid]>,
    branches: Option<&[Uuid]>,
) -> Tally {
    let mut tally = Tally::default();
    for row in rows {
        let (Some(from), Some(to)) = (bounds.get(row.interval), bounds.get(row.interval + 1))
        else {
            continue;
        };
        let inside = *from >= start && *to <= end;
        let owner_ok = owners.is_none_or(|o| o.contains(&row.owner_id));
        let branch_ok = branches.is_none_or(|b| b.contains(&row.branch_id));
        if inside && owner_ok && branch_ok {
            tally.add(row.count, row.amount);
        }
    }
    tally
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    #[test]
    fn stages_keep_their_order_and_weigh_their_deals() {
        let open = [
            OpenGroup {
                stage_id: id(2),
                owner_id: id(10),
                branch_id: id(20),
                count: 2,
                amount: 1_000,
            },
            OpenGroup {
                stage_id: id(2),
                owner_id: id(11),
                branch_id: id(21),
                count: 1,
                amount: 500,
            },
        ];
        let stages = by_stage(&[(id(1), 10), (id(2), 40)], &open);
        assert_eq!(stages[0].open, Tally::default());
        assert_eq!(
            stages[1].open,
            Tally {
                count: 3,
                amount: 1_500
            }
        );
        assert_eq!(stages[1].weighted, 600);
    }

    #[test]
    fn outcomes_rank_reasons_and_compare_branches() {
        let g = |won, reason: Option<u128>, branch, count, amount| ClosedGroup {
            won,
            reason_id: reason.map(id),
            owner_id: id(10),
            branch_id: id(branch),
            count,
            amount,
        };
        let closed = [
            g(true, None, 20, 3, 900),
            g(false, Some(1), 20, 1, 100),
            g(false, Some(2), 21, 4, 50),
            g(false, Some(1), 21, 2, 10),
        ];
        let o = outcomes(&closed);
        assert_eq!(o.won.count, 3);
        assert_eq!(
            o.lost,
            Tally {
                count: 7,
                amount: 160
            }
        );
        assert_eq!(o.win_rate, Some(0.3));
        assert_eq!(o.top_reasons[0].0, Some(id(2)));
        assert_eq!(
            o.top_reasons[1],
            (
                Some(id(1)),
                Tally {
                    count: 3,
                    amount: 110
                }
            )
        );
        let branches = compare(&[], &closed, &BTreeMap::new(), false);
        assert_eq!(branches[&id(20)].win_rate, Some(0.75));
        assert_eq!(branches[&id(21)].won.count, 0);
        assert_eq!(compare(&[], &closed, &BTreeMap::new(), true).len(), 1);
    }

    #[test]
    fn won_within_sums_whole_intervals_of_the_subject() {
        let bounds = interval_bounds(&[(1, 5), (3, 9), (1, 9)]);
        assert_eq!(bounds, vec![1, 3, 5, 9]);
        let row = |interval, owner, amount| WonInInterval {
            interval,
            owner_id: id(owner),
            branch_id: id(20),
            count: 1,
            amount,
        };
        let rows = [row(0, 10, 1), row(1, 10, 10), row(2, 11, 100)];
        assert_eq!(won_within(&rows, &bounds, (1, 5), None, None).amount, 11);
        assert_eq!(won_within(&rows, &bounds, (3, 9), None, None).amount, 110);
        assert_eq!(
            won_within(&rows, &bounds, (1, 9), Some(&[id(10)]), None).amount,
            11
        );
        assert_eq!(
            won_within(&rows, &bounds, (1, 9), None, Some(&[id(21)])).count,
            0
        );
    }
}
