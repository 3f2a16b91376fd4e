//! The funnel report's arithmetic: from per-stage aggregates the store computed, the counts and
//! values that entered each stage, stage-to-stage conversion, losses by stage and reason,
//! average days in stage and the length of the sales cycle.

use std::collections::BTreeMap;

use uuid::Uuid;

/// A stage of the pipeline the report is about, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    /// The stage's id.
    pub id: Uuid,
    /// Its name.
    pub name: String,
    /// Win probability in percent.
    pub probability: i64,
}

/// What the store counted for one stage: entries into it within the period, and how long the
/// entries that have since left it stayed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StageEntries {
    /// Entries into the stage.
    pub count: i64,
    /// Sum of the amounts of the opportunities that entered (Rials).
    pub amount: i64,
    /// Entries that have left the stage since.
    pub left: i64,
    /// Seconds those entries spent in the stage, summed.
    pub seconds: i64,
}

/// Deals lost within the period at one stage for one reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Losses {
    /// The stage they were at (None if the stage is gone).
    pub stage_id: Option<Uuid>,
    /// The reason given.
    pub reason_id: Option<Uuid>,
    /// How many.
    pub count: i64,
    /// Their amounts, summed (Rials).
    pub amount: i64,
}

/// Deals won within the period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Wins {
    /// How many.
    pub count: i64,
    /// Their amounts, summed (Rials).
    pub amount: i64,
    /// Their sales cycles in days, summed.
    pub cycle_days: i64,
}

/// One stage's line of the report.
#[derive(Debug, Clone, PartialEq)]
pub struct StageLine {
    /// The stage.
    pub stage: Stage,
    /// Opportunities that entered it.
    pub entered: i64,
    /// Their value (Rials).
    pub value: i64,
    /// Share of these that went on to enter the next stage (for the last stage: that were won);
    /// None when nothing entered.
    pub conversion: Option<f64>,
    /// Deals lost at this stage.
    pub lost: i64,
    /// Their value (Rials).
    pub lost_value: i64,
    /// Average days spent in the stage by entries that left it; None if none left.
    pub average_days: Option<f64>,
}

/// The funnel report.
#[derive(Debug, Clone, PartialEq)]
pub struct Funnel {
    /// One line per stage, in order.
    pub stages: Vec<StageLine>,
    /// Losses by stage and reason, most first.
    pub losses: Vec<Losses>,
    /// Deals won.
    pub won: i64,
    /// Their value (Rials).
    pub won_value: i64,
    /// Average length of the sales cycle of deals won, in days.
    pub average_cycle_days: Option<f64>,
    /// Share of the deals closed in the period that were won.
    pub win_rate: Option<f64>,
}

/// `part / whole`, None for an empty whole.
pub fn ratio(part: i64, whole: i64) -> Option<f64> {
    // Counts stay far below 2^53, so the conversion is exact.
    #[allow(clippy::cast_precision_loss)]
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// Builds the report from the store's aggregates.
pub fn build(
    stages: &[Stage],
    entries: &BTreeMap<Uuid, StageEntries>,
    losses: &[Losses],
    wins: Wins,
) -> Funnel {
    let entered = |id: &Uuid| entries.get(id).copied().unwrap_or_default();
    let lost_at = |id: Uuid| {
        losses
            .iter()
            .filter(|l| l.stage_id == Some(id))
            .fold((0, 0), |(c, a), l| (c + l.count, a + l.amount))
    };
    let lines = stages
        .iter()
        .enumerate()
        .map(|(index, stage)| {
            let here = entered(&stage.id);
            let next = match stages.get(index + 1) {
                Some(next) => entered(&next.id).count,
                None => wins.count,
            };
            let (lost, lost_value) = lost_at(stage.id);
            #[allow(clippy::cast_precision_loss)]
            let average_days =
                (here.left > 0).then(|| here.seconds as f64 / here.left as f64 / 86_400.0);
            StageLine {
                stage: stage.clone(),
                entered: here.count,
                value: here.amount,
                conversion: ratio(next, here.count),
                lost,
                lost_value,
                average_days,
            }
        })
        .collect();
    let mut losses = losses.to_vec();
    losses.sort_by(|a, b| b.count.cmp(&a.count).then(b.amount.cmp(&a.amount)));
    let lost_total: i64 = losses.iter().map(|l| l.count).sum();
    #[allow(clippy::cast_precision_loss)]
    let average_cycle_days = (wins.count > 0).then(|| wins.cycle_days as f64 / wins.count as f64);
    Funnel {
        stages: lines,
        losses,
        won: wins.count,
        won_value: wins.amount,
        average_cycle_days,
        win_rate: ratio(wins.count, wins.count + lost_total),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stage(n: u128) -> Stage {
        Stage {
            id: Uuid::from_u128(n),
            name: format!("s{n}"),
            probability: 10 * i64::try_from(n).unwrap(),
        }
    }

    #[test]
    fn conversion_losses_days_and_cycle() {
        let stages = [stage(1), stage(2), stage(3)];
        let entries = BTreeMap::from([
            (
                stage(1).id,
                StageEntries {
                    count: 10,
                    amount: 1_000,
                    left: 8,
                    seconds: 8 * 2 * 86_400,
                },
            ),
            (
                stage(2).id,
                StageEntries {
                    count: 5,
                    amount: 600,
                    left: 0,
                    seconds: 0,
                },
            ),
        ]);
        let losses = [
            Losses {
                stage_id: Some(stage(1).id),
                reason_id: Some(Uuid::from_u128(9)),
                count: 2,
                amount: 200,
            },
            Losses {
                stage_id: Some(stage(1).id),
                reason_id: None,
                count: 1,
                amount: 50,
            },
            Losses {
                stage_id: Some(stage(2).id),
                reason_id: Some(Uuid::from_u128(8)),
                count: 4,
                amount: 10,
            },
        ];
        let wins = Wins {
            count: 1,
            amount: 100,
            cycle_days: 30,
        };
        let funnel = build(&stages, &entries, &losses, wins);
        let line = |i: usize| &funnel.stages[i];
        assert_eq!((line(0).entered, line(0).value), (10, 1_000));
        assert_eq!(line(0).conversion, Some(0.5));
        assert_eq!(line(1).conversion, Some(0.0));
        assert_eq!(line(2).conversion, None);
        assert_eq!((line(0).lost, line(0).lost_value), (3, 250));
        assert_eq!((line(1).lost, line(1).lost_value), (4, 10));
        assert_eq!(line(0).average_days, Some(2.0));
        assert_eq!(line(1).average_days, None);
        assert_eq!(funnel.losses[0].count, 4);
        assert_eq!(funnel.average_cycle_days, Some(30.0));
        assert_eq!(funnel.win_rate, Some(1.0 / 8.0));
    }

    #[test]
    fn last_stage_converts_into_wins() {
        let stages = [stage(1), stage(2), stage(3)];
        let entries = BTreeMap::from([(
            stage(3).id,
            StageEntries {
                count: 4,
                amount: 4,
                left: 4,
                seconds: 0,
            },
        )]);
        let wins = Wins {
            count: 3,
            amount: 3,
            cycle_days: 0,
        };
        let funnel = build(&stages, &entries, &[], wins);
        assert_eq!(funnel.stages[2].conversion, Some(0.75));
        assert_eq!(funnel.win_rate, Some(1.0));
    }
}
