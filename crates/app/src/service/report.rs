//! The service report (issue 5): for the cases opened in a period that the user may read —
//! volume by category, channel and branch, average first-response and resolution times,
//! service-level breaches, each agent's numbers, customer satisfaction, and a forecast of next
//! month's volume from the past twelve months for staffing.

use std::collections::BTreeMap;

use peyvand_analytics::forecast::next_count;
use peyvand_analytics::nps::Score;
use peyvand_domain::calendar::CalendarKind;
use peyvand_domain::permission::{Action, RecordKind, RowFilter};
use peyvand_domain::service::activity::{Span, period};
use peyvand_store::CaseFacts;
use serde::Serialize;
use time::{Date, Duration, OffsetDateTime};
use uuid::Uuid;

use crate::App;
use crate::auth::Session;
use crate::error::{AppError, AppResult};
use crate::org::filter_for;

/// Months of history behind the forecast.
const HISTORY_MONTHS: usize = 12;

/// Counts of cases by some key, largest first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Count<K> {
    /// The key (a category, channel, branch).
    pub key: K,
    /// How many cases.
    pub cases: usize,
}

/// One agent's numbers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgentRow {
    /// The agent (the case's owner).
    pub owner_id: Option<Uuid>,
    /// Cases they have.
    pub cases: usize,
    /// Of those, resolved.
    pub resolved: usize,
    /// Average minutes from opening to resolution of the resolved ones.
    pub avg_resolution_minutes: Option<i64>,
    /// Clocks that ran out on their cases.
    pub breaches: usize,
}

/// One month of the volume history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthCount {
    /// The month's first day.
    #[serde(serialize_with = "crate::json::iso_date")]
    pub start: Date,
    /// Cases opened in it.
    pub cases: i64,
}

/// The service report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceReport {
    /// Cases opened in the period.
    pub opened: usize,
    /// Of those, answered.
    pub responded: usize,
    /// Average minutes to the first reply, over the answered.
    pub avg_first_response_minutes: Option<i64>,
    /// Of those, resolved or closed.
    pub resolved: usize,
    /// Average minutes to resolution, over the resolved.
    pub avg_resolution_minutes: Option<i64>,
    /// First replies late or overdue now.
    pub first_response_breaches: usize,
    /// Resolutions late or overdue now.
    pub resolution_breaches: usize,
    /// Cases by category (none: uncategorised).
    pub by_category: Vec<Count<Option<Uuid>>>,
    /// Cases by channel.
    pub by_channel: Vec<Count<String>>,
    /// Cases by branch.
    pub by_branch: Vec<Count<Option<Uuid>>>,
    /// Agents, most cases first.
    pub agents: Vec<AgentRow>,
    /// Satisfaction answers given in the period.
    pub answers: u64,
    /// Average satisfaction, 1 to 5.
    pub csat_average: Option<f64>,
    /// Net Promoter Score, −100 to 100.
    pub nps: Option<f64>,
    /// Cases opened in each of the last months, oldest first (the current month last).
    pub monthly: Vec<MonthCount>,
    /// Forecast of the cases of the month after the current one.
    pub forecast_next_month: Option<i64>,
}

fn minutes(from: OffsetDateTime, to: OffsetDateTime) -> i64 {
    (to - from).whole_minutes().max(0)
}

fn average(values: &[i64]) -> Option<i64> {
    (!values.is_empty()).then(|| values.iter().sum::<i64>() / values.len() as i64)
}

/// Whether a clock that was due at `due` and stopped at `done` (or runs still) was late by
/// `now`.
fn late(due: Option<OffsetDateTime>, done: Option<OffsetDateTime>, now: OffsetDateTime) -> bool {
    due.is_some_and(|due| done.unwrap_or(now) > due)
}

fn counted<K: Ord + Clone>(keys: impl Iterator<Item = K>) -> Vec<Count<K>> {
    let mut counts: BTreeMap<K, usize> = BTreeMap::new();
    for key in keys {
        *counts.entry(key).or_default() += 1;
    }
    let mut rows: Vec<Count<K>> = counts
        .into_iter()
        .map(|(key, cases)| Count { key, cases })
        .collect();
    rows.sort_by_key(|row| std::cmp::Reverse(row.cases));
    rows
}

/// The report's figures from the cases' facts, as of `now`.
pub(crate) fn compute(cases: &[CaseFacts], now: OffsetDateTime) -> ServiceReport {
    let responses: Vec<i64> = cases
        .iter()
        .filter_map(|c| c.first_response_at.map(|at| minutes(c.created_at, at)))
        .collect();
    let resolutions: Vec<i64> = cases
        .iter()
        .filter_map(|c| c.resolved_at.map(|at| minutes(c.created_at, at)))
        .collect();
    let first_late = |c: &CaseFacts| late(c.first_response_due, c.first_response_at, now);
    let resolution_late = |c: &CaseFacts| late(c.resolution_due, c.resolved_at, now);
    let mut agents: BTreeMap<Option<Uuid>, (usize, Vec<i64>, usize)> = BTreeMap::new();
    for case in cases {
        let agent = agents.entry(case.owner_id).or_default();
        agent.0 += 1;
        if let Some(at) = case.resolved_at {
            agent.1.push(minutes(case.created_at, at));
        }
        agent.2 += usize::from(first_late(case)) + usize::from(resolution_late(case));
    }
    let mut agents: Vec<AgentRow> = agents
        .into_iter()
        .map(|(owner_id, (cases, resolved, breaches))| AgentRow {
            owner_id,
            cases,
            resolved: resolved.len(),
            avg_resolution_minutes: average(&resolved),
            breaches,
        })
        .collect();
    agents.sort_by_key(|agent| std::cmp::Reverse(agent.cases));
    ServiceReport {
        opened: cases.len(),
        responded: responses.len(),
        avg_first_response_minutes: average(&responses),
        resolved: resolutions.len(),
        avg_resolution_minutes: average(&resolutions),
        first_response_breaches: cases.iter().filter(|c| first_late(c)).count(),
        resolution_breaches: cases.iter().filter(|c| resolution_late(c)).count(),
        by_category: counted(cases.iter().map(|c| c.category_id)),
        by_channel: counted(cases.iter().map(|c| c.channel.clone())),
        by_branch: counted(cases.iter().map(|c| c.branch_id)),
        agents,
        answers: 0,
        csat_average: None,
        nps: None,
        monthly: vec![],
        forecast_next_month: None,
    }
}

/// Midnight in Iran at the start of `day`, as a moment.
fn start_of(day: Date) -> OffsetDateTime {
    day.midnight()
        .assume_offset(peyvand_domain::calendar::IRAN_OFFSET)
}

/// The first days of the last `months` months of `calendar` up to the one holding `today`, and
/// the first day after it (so `months + 1` bounds).
fn month_starts(today: Date, calendar: CalendarKind, months: usize) -> Vec<Date> {
    let (current, last) = period(today, Span::Month, calendar);
    let mut starts = vec![last + Duration::days(1), current];
    while starts.len() < months + 1 {
        let previous = *starts.last().unwrap_or(&current) - Duration::days(1);
        starts.push(period(previous, Span::Month, calendar).0);
    }
    starts.reverse();
    starts
}

impl App {
    /// The service report over the cases opened from `from` to `to` (inclusive days, Iran time)
    /// that the user may read.
    pub async fn service_report(
        &self,
        session: &Session,
        from: Date,
        to: Date,
    ) -> AppResult<ServiceReport> {
        if to < from {
            return Err(AppError::field(
                "to",
                peyvand_domain::validation::FieldError::INVALID,
            ));
        }
        let mut tx = self.store.read().await?;
        let access = filter_for(&mut tx, session, RecordKind::Case, Action::Read).await?;
        if access == RowFilter::Nothing {
            return Err(AppError::Forbidden);
        }
        let (start, end) = (start_of(from), start_of(to + Duration::days(1)));
        let facts = tx.case_facts(&access, start, end).await?;
        let now = self.now();
        let mut report = compute(&facts, now);
        let mut score = Score::default();
        let mut csat = Vec::new();
        for (satisfaction, recommendation) in tx.survey_answers(&access, start, end).await? {
            score.add(recommendation.clamp(0, 10) as u8);
            csat.push(satisfaction);
        }
        report.answers = score.responses;
        report.nps = score.nps();
        report.csat_average =
            (!csat.is_empty()).then(|| csat.iter().sum::<i64>() as f64 / csat.len() as f64);
        let today = now.to_offset(peyvand_domain::calendar::IRAN_OFFSET).date();
        let starts = month_starts(today, session.calendar, HISTORY_MONTHS);
        let bounds: Vec<OffsetDateTime> = starts.iter().map(|d| start_of(*d)).collect();
        let counts = tx.case_counts(&access, &bounds).await?;
        // The current month is not over: the forecast rests on the complete ones.
        report.forecast_next_month = next_count(&counts[..counts.len().saturating_sub(1)]);
        report.monthly = starts
            .iter()
            .zip(counts)
            .map(|(start, cases)| MonthCount {
                start: *start,
                cases,
            })
            .collect();
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn case(
        opened: OffsetDateTime,
        responded_after: Option<i64>,
        resolved_after: Option<i64>,
    ) -> CaseFacts {
        CaseFacts {
            created_at: opened,
            category_id: None,
            channel: "phone".into(),
            branch_id: None,
            owner_id: None,
            first_response_at: responded_after.map(|m| opened + Duration::minutes(m)),
            first_response_due: Some(opened + Duration::minutes(60)),
            resolved_at: resolved_after.map(|m| opened + Duration::minutes(m)),
            resolution_due: Some(opened + Duration::minutes(480)),
        }
    }

    #[test]
    fn averages_and_breaches() {
        let at = datetime!(2026-11-01 09:00 UTC);
        let cases = [
            case(at, Some(30), Some(300)),
            case(at, Some(90), None),
            case(at, None, None),
        ];
        let report = compute(&cases, at + Duration::hours(10));
        assert_eq!(
            (report.opened, report.responded, report.resolved),
            (3, 2, 1)
        );
        assert_eq!(report.avg_first_response_minutes, Some(60));
        assert_eq!(report.avg_resolution_minutes, Some(300));
        // Late reply, and no reply at all past due: two; two unresolved past eight hours.
        assert_eq!(report.first_response_breaches, 2);
        assert_eq!(report.resolution_breaches, 2);
        assert_eq!(report.agents[0].breaches, 4);
        assert_eq!(report.by_channel[0].cases, 3);
    }

    #[test]
    fn month_starts_follow_the_calendar() {
        let today = time::macros::date!(2026 - 11 - 22);
        let gregorian = month_starts(today, CalendarKind::Gregorian, 3);
        assert_eq!(
            gregorian,
            [
                time::macros::date!(2026 - 09 - 01),
                time::macros::date!(2026 - 10 - 01),
                time::macros::date!(2026 - 11 - 01),
                time::macros::date!(2026 - 12 - 01),
            ]
        );
        // 1 Azar 1405 is 22 November 2026.
        let jalali = month_starts(today, CalendarKind::Jalali, 2);
        assert_eq!(jalali.len(), 3);
        assert_eq!(jalali[1], time::macros::date!(2026 - 11 - 22));
    }
}
