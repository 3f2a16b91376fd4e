//! The forecast's arithmetic: calendar months, the weighted pipeline (amount × the stage's win
//! probability) per month and per user, team and branch, and the funnel arithmetic that turns a
//! target into the number of opportunities and leads each stage needs.

use std::collections::BTreeMap;

use time::Date;
use uuid::Uuid;

use crate::calendar::{CalendarKind, from_jalali, to_jalali};

/// One calendar month: `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Month {
    /// The year in the month's calendar (e.g. 1404 or 2025).
    pub year: i32,
    /// 1–12 in the month's calendar.
    pub month: u8,
    /// Its first day.
    pub start: Date,
    /// The first day of the next month.
    pub end: Date,
}

/// The first day of the month holding `date`, in `calendar`.
pub fn month_of(date: Date, calendar: CalendarKind) -> Month {
    match calendar {
        CalendarKind::Jalali => {
            let j = to_jalali(date);
            let (next_year, next_month) = if j.month == 12 {
                (j.year + 1, 1)
            } else {
                (j.year, j.month + 1)
            };
            Month {
                year: j.year,
                month: j.month,
                start: from_jalali(j.year, j.month, 1).unwrap_or(date),
                end: from_jalali(next_year, next_month, 1).unwrap_or(date),
            }
        }
        CalendarKind::Gregorian => {
            let start = date.replace_day(1).unwrap_or(date);
            let end = match date.month() {
                time::Month::December => {
                    Date::from_calendar_date(date.year() + 1, time::Month::January, 1)
                }
                month => Date::from_calendar_date(date.year(), month.next(), 1),
            }
            .unwrap_or(date);
            Month {
                year: date.year(),
                month: u8::from(date.month()),
                start,
                end,
            }
        }
    }
}

/// The months that overlap `[from, to)`, in order (at most 120, a decade).
pub fn months_between(from: Date, to: Date, calendar: CalendarKind) -> Vec<Month> {
    let mut months = Vec::new();
    let mut day = from;
    while day < to && months.len() < 120 {
        let month = month_of(day, calendar);
        months.push(month);
        day = month.end;
    }
    months
}

/// `amount × percent / 100` in whole Rials, rounded half away from zero.
pub fn weighted(amount: i64, percent: i64) -> i64 {
    let product = i128::from(amount) * i128::from(percent);
    let rounded = if product >= 0 {
        (product + 50) / 100
    } else {
        (product - 50) / 100
    };
    i64::try_from(rounded).unwrap_or(if rounded > 0 { i64::MAX } else { i64::MIN })
}

/// One aggregate row from the store: open deals closing in month number `month` (an index into
/// the months), at one stage, of one owner in one branch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cell {
    /// Index into the months.
    pub month: usize,
    /// The stage.
    pub stage_id: Uuid,
    /// The owner.
    pub owner_id: Uuid,
    /// The branch.
    pub branch_id: Uuid,
    /// Number of deals.
    pub count: i64,
    /// Sum of their amounts (Rials).
    pub amount: i64,
}

/// The amounts of one row of the forecast (a user, team, branch or the total), per month.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Line {
    /// Weighted amount per month (Rials).
    pub weighted: Vec<i64>,
    /// Unweighted amount per month (Rials).
    pub amount: Vec<i64>,
    /// Number of deals per month.
    pub count: Vec<i64>,
}

impl Line {
    fn new(months: usize) -> Line {
        Line {
            weighted: vec![0; months],
            amount: vec![0; months],
            count: vec![0; months],
        }
    }

    fn add(&mut self, month: usize, count: i64, amount: i64, weighted: i64) {
        self.count[month] += count;
        self.amount[month] += amount;
        self.weighted[month] += weighted;
    }

    /// The weighted amount over all months.
    pub fn weighted_total(&self) -> i64 {
        self.weighted.iter().sum()
    }

    /// The unweighted amount over all months.
    pub fn amount_total(&self) -> i64 {
        self.amount.iter().sum()
    }
}

/// The weighted pipeline by month: in total and per user, team and branch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Forecast {
    /// Every deal.
    pub total: Line,
    /// Per owner.
    pub by_user: BTreeMap<Uuid, Line>,
    /// Per team of the owner (owners in no team are left out).
    pub by_team: BTreeMap<Uuid, Line>,
    /// Per branch of the deal.
    pub by_branch: BTreeMap<Uuid, Line>,
}

/// Sums the cells into the forecast. Each cell is weighted with its stage's probability before
/// summing, so a month's weighted total is exactly the sum of its users' (rounding happens per
/// cell, once).
pub fn build(
    months: usize,
    cells: &[Cell],
    probability: &BTreeMap<Uuid, i64>,
    team_of: &BTreeMap<Uuid, Uuid>,
) -> Forecast {
    let mut forecast = Forecast {
        total: Line::new(months),
        ..Forecast::default()
    };
    for cell in cells.iter().filter(|c| c.month < months) {
        let percent = probability.get(&cell.stage_id).copied().unwrap_or(0);
        let weight = weighted(cell.amount, percent);
        let add = |line: &mut Line| line.add(cell.month, cell.count, cell.amount, weight);
        add(&mut forecast.total);
        add(forecast
            .by_user
            .entry(cell.owner_id)
            .or_insert_with(|| Line::new(months)));
        add(forecast
            .by_branch
            .entry(cell.branch_id)
            .or_insert_with(|| Line::new(months)));
        if let Some(team) = team_of.get(&cell.owner_id) {
            add(forecast
                .by_team
                .entry(*team)
                .or_insert_with(|| Line::new(months)));
        }
    }
    forecast
}

/// What it takes to reach a target, stage by stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Deals to win: the target over the average deal won.
    pub wins: i64,
    /// Opportunities each stage needs, in stage order; None where a measured rate is zero.
    pub per_stage: Vec<Option<i64>>,
    /// Leads needed for the first stage; None without a measured lead conversion.
    pub leads: Option<i64>,
}

fn ceil_div(needed: i64, rate: f64) -> Option<i64> {
    if rate <= 0.0 || !rate.is_finite() {
        return None;
    }
    // A rate above 1 (deals skipping a stage) would promise more than came in.
    let rate = rate.min(1.0);
    #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)]
    let value = (needed as f64 / rate - 1e-9).ceil() as i64;
    Some(value.max(needed))
}

/// The funnel arithmetic: given a target amount, the average deal won, each stage's measured
/// conversion into the next (the last stage's into won deals) and the share of leads that
/// became opportunities, how many of each are needed.
pub fn plan(
    target: i64,
    average_deal: i64,
    conversions: &[Option<f64>],
    lead_conversion: Option<f64>,
) -> Option<Plan> {
    if target <= 0 || average_deal <= 0 {
        return None;
    }
    let wins = (target + average_deal - 1) / average_deal;
    let mut per_stage = vec![None; conversions.len()];
    let mut needed = Some(wins);
    for (index, rate) in conversions.iter().enumerate().rev() {
        needed = match (needed, rate) {
            (Some(n), Some(rate)) => ceil_div(n, *rate),
            _ => None,
        };
        per_stage[index] = needed;
    }
    let first = if conversions.is_empty() {
        Some(wins)
    } else {
        per_stage[0]
    };
    let leads = match (first, lead_conversion) {
        (Some(n), Some(rate)) => ceil_div(n, rate),
        _ => None,
    };
    Some(Plan {
        wins,
        per_stage,
        leads,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn jalali_and_gregorian_months() {
        let m = month_of(date!(2025 - 03 - 25), CalendarKind::Jalali);
        assert_eq!((m.year, m.month), (1404, 1));
        assert_eq!(
            (m.start, m.end),
            (date!(2025 - 03 - 21), date!(2025 - 04 - 21))
        );
        let esfand = month_of(date!(2025 - 03 - 01), CalendarKind::Jalali);
        assert_eq!((esfand.year, esfand.month), (1403, 12));
        assert_eq!(esfand.end, date!(2025 - 03 - 21));
        let dec = month_of(date!(2024 - 12 - 31), CalendarKind::Gregorian);
        assert_eq!(
            (dec.start, dec.end),
            (date!(2024 - 12 - 01), date!(2025 - 01 - 01))
        );
        let year = months_between(
            date!(2025 - 03 - 21),
            date!(2026 - 03 - 21),
            CalendarKind::Jalali,
        );
        assert_eq!(year.len(), 12);
        assert_eq!(year[11].end, date!(2026 - 03 - 21));
        let year = months_between(
            date!(2025 - 01 - 15),
            date!(2025 - 03 - 01),
            CalendarKind::Gregorian,
        );
        assert_eq!(year.len(), 2);
    }

    #[test]
    fn weighting_rounds_half_away_from_zero_without_overflow() {
        assert_eq!(weighted(1_000, 25), 250);
        assert_eq!(weighted(150, 1), 2);
        assert_eq!(weighted(149, 1), 1);
        assert_eq!(weighted(-150, 1), -2);
        assert_eq!(weighted(i64::MAX, 100), i64::MAX);
    }

    #[test]
    fn forecast_sums_per_user_team_branch_and_total() {
        let (s1, s2) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let (u1, u2, team, b1, b2) = (
            Uuid::from_u128(11),
            Uuid::from_u128(12),
            Uuid::from_u128(20),
            Uuid::from_u128(31),
            Uuid::from_u128(32),
        );
        let cell = |month, stage_id, owner_id, branch_id, amount| Cell {
            month,
            stage_id,
            owner_id,
            branch_id,
            count: 1,
            amount,
        };
        let cells = [
            cell(0, s1, u1, b1, 1_000),
            cell(0, s2, u2, b2, 1_000),
            cell(1, s2, u1, b1, 2_000),
        ];
        let probability = BTreeMap::from([(s1, 10), (s2, 50)]);
        let team_of = BTreeMap::from([(u1, team)]);
        let f = build(2, &cells, &probability, &team_of);
        assert_eq!(f.total.weighted, [600, 1_000]);
        assert_eq!(f.total.amount, [2_000, 2_000]);
        assert_eq!(f.by_user[&u1].weighted, [100, 1_000]);
        assert_eq!(f.by_user[&u2].weighted_total(), 500);
        assert_eq!(f.by_team[&team].weighted, [100, 1_000]);
        assert_eq!(f.by_team.len(), 1);
        assert_eq!(f.by_branch[&b2].count, [1, 0]);
    }

    #[test]
    fn plan_walks_back_from_the_target() {
        let plan = plan(1_000, 100, &[Some(0.5), Some(0.5), Some(0.25)], Some(0.2)).unwrap();
        assert_eq!(plan.wins, 10);
        assert_eq!(plan.per_stage, [Some(160), Some(80), Some(40)]);
        assert_eq!(plan.leads, Some(800));
        let partial = super::plan(1_001, 100, &[Some(0.5), Some(0.0)], None).unwrap();
        assert_eq!(partial.wins, 11);
        assert_eq!(partial.per_stage, [None, None]);
        assert_eq!(partial.leads, None);
        assert!(super::plan(0, 100, &[], None).is_none());
        assert!(super::plan(100, 0, &[], None).is_none());
    }
}
