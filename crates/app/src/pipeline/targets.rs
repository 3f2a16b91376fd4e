//! Sales targets: their period, and how much of each has been achieved.

use peyvand_domain::calendar::CalendarKind;
use peyvand_domain::permission::{RecordKind, RowFilter};
use peyvand_domain::pipeline::sales_dashboard::{interval_bounds, won_within};
use peyvand_domain::pipeline::targets::{percent_achieved, period_bounds};
use peyvand_domain::record::{Fields, Value};
use peyvand_store::SalesScope;
use time::Date;
use uuid::Uuid;

use super::reports::start_of;
use crate::App;
use crate::auth::Session;
use crate::error::AppResult;
use crate::org::load_org;
use crate::records::{ListParams, RecordView};

/// Snaps a target's period to the whole month, quarter or year holding its start date, in its
/// calendar (Jalali unless chosen otherwise).
pub(crate) fn prepare_target(fields: &mut Fields) {
    if fields.get("calendar").is_none_or(Value::is_null) {
        fields.insert("calendar".into(), Value::Text("jalali".into()));
    }
    let calendar = fields
        .get("calendar")
        .and_then(Value::as_text)
        .and_then(CalendarKind::parse)
        .unwrap_or(CalendarKind::Jalali);
    let period = fields
        .get("period")
        .and_then(Value::as_text)
        .unwrap_or("month")
        .to_owned();
    if let Some(Value::Date(start)) = fields.get("starts_on").cloned() {
        let (start, end) = period_bounds(start, &period, calendar);
        fields.insert("starts_on".into(), Value::Date(start));
        fields.insert("ends_on".into(), Value::Date(end));
    }
}

/// A target with what has been achieved of it.
#[derive(Debug, Clone)]
pub struct TargetProgress {
    /// The target as the user may see it.
    pub target: RecordView,
    /// Won amount (Rials) or number of deals won within the period, for the target's subject.
    pub achieved: i64,
    /// Percent of the target achieved (one decimal).
    pub percent: Option<f64>,
}

fn date_of(view: &RecordView, name: &str) -> Option<Date> {
    match view.get(name) {
        Value::Date(d) => Some(*d),
        _ => None,
    }
}

impl App {
    /// The targets the user may read whose period holds `on` (every target without it), with
    /// what has been achieved. Achievement counts every deal of the target's subject — a
    /// target is a shared goal, so a sales rep sees how their branch is doing as a whole.
    pub async fn target_progress(
        &self,
        session: &Session,
        on: Option<Date>,
    ) -> AppResult<Vec<TargetProgress>> {
        let page = self
            .list(
                session,
                RecordKind::SalesTarget,
                &ListParams {
                    limit: Some(crate::records::MAX_PAGE),
                    ..Default::default()
                },
            )
            .await?;
        let mut targets = Vec::new();
        for target in page.items {
            let (Some(start), Some(end)) =
                (date_of(&target, "starts_on"), date_of(&target, "ends_on"))
            else {
                continue;
            };
            if on.is_some_and(|on| on < start || on >= end) {
                continue;
            }
            targets.push((target, (start_of(start), start_of(end))));
        }
        // One statement for every target: the won deals grouped by the intervals that the
        // targets' periods cut time into, then summed per target (its period, its subject).
        let periods: Vec<_> = targets.iter().map(|(_, period)| *period).collect();
        let bounds = interval_bounds(&periods);
        let mut tx = self.store.read().await?;
        let org = load_org(&mut tx).await?;
        let everything = SalesScope {
            access: &RowFilter::Everything,
            pipeline_id: None,
            owners: None,
            branches: None,
        };
        let won = tx.won_by_interval(&everything, &bounds).await?;
        let mut out = Vec::new();
        for (target, period) in targets {
            let (owners, branches) = if let Some(user) = target.get("user_id").as_id() {
                (Some(vec![user]), None)
            } else if let Some(team) = target.get("team_id").as_id() {
                (Some(org.team_members(team)), None)
            } else if let Some(branch) = target.get("branch_id").as_id() {
                (None, Some(org.subtree(branch)))
            } else {
                (None, None)
            };
            let tally = won_within(
                &won,
                &bounds,
                period,
                owners.as_deref(),
                branches.as_deref(),
            );
            let achieved = if target.get("metric").as_text() == Some("won_count") {
                tally.count
            } else {
                tally.amount
            };
            let goal = match target.get("target_value") {
                Value::Int(n) => *n,
                _ => 0,
            };
            out.push(TargetProgress {
                percent: percent_achieved(achieved, goal),
                achieved,
                target,
            });
        }
        tx.commit().await?;
        Ok(out)
    }
}

/// The subject a target is about, for grouping on the comparison page.
pub fn subject_of(target: &RecordView) -> (&'static str, Option<Uuid>) {
    if let Some(user) = target.get("user_id").as_id() {
        ("user", Some(user))
    } else if let Some(team) = target.get("team_id").as_id() {
        ("team", Some(team))
    } else {
        ("branch", target.get("branch_id").as_id())
    }
}
