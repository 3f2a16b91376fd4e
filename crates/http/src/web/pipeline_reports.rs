//! The sales reports' pages (issue 4): the funnel (an SVG chart drawn here, a table, a CSV
//! file), the forecast (weighted pipeline by month, per user, team and branch, and the funnel
//! arithmetic for a target) and the progress of sales targets, where headquarters compares
//! branches.

use askama::Template;
use axum::extract::{Query, State};
use peyvand_app::AppError;
use peyvand_app::Session;
use peyvand_app::pipeline::{ForecastView, FunnelView, ReportFilter};
use peyvand_domain::calendar::{self, Locale};
use peyvand_domain::permission::RecordKind;
use peyvand_domain::pipeline::forecast::Line;
use time::Date;
use uuid::Uuid;

use super::format::Fmt;
use super::guard::WebSession;
use super::page::{Layout, WebResult, render};
use super::pipeline::{Choice, pipeline_choices, record_choices};
use crate::AppState;
use crate::api::pipeline::{ReportQuery, csv_response, funnel_csv};
use crate::i18n::t;

/// The filter form above a report.
#[derive(Debug, Clone)]
pub struct FilterForm {
    /// Where the form goes.
    pub action: String,
    /// Pipelines (the first choice is "all" where the report allows it).
    pub pipelines: Vec<Choice>,
    /// Whether "all pipelines" is offered.
    pub all_pipelines: bool,
    /// From, as typed.
    pub from: String,
    /// To, as typed.
    pub to: String,
    /// Users.
    pub owners: Vec<Choice>,
    /// Teams.
    pub teams: Vec<Choice>,
    /// Branches.
    pub branches: Vec<Choice>,
    /// Date placeholder in the user's calendar.
    pub date_hint: String,
    /// The query string of the current filter (for the CSV link).
    pub query: String,
}

fn id_of(value: &Option<String>) -> Option<Uuid> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .and_then(|v| Uuid::parse_str(v).ok())
}

async fn filter_form(
    state: &AppState,
    session: &Session,
    query: &ReportQuery,
    action: &str,
    all_pipelines: bool,
) -> WebResult<FilterForm> {
    let mut pipelines = pipeline_choices(state, session, id_of(&query.pipeline_id)).await?;
    if all_pipelines && id_of(&query.pipeline_id).is_none() {
        pipelines.iter_mut().for_each(|p| p.selected = false);
    }
    let encode = |v: &Option<String>| {
        v.as_deref()
            .unwrap_or_default()
            .bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    Ok(FilterForm {
        action: action.to_owned(),
        pipelines,
        all_pipelines,
        from: query.from.clone().unwrap_or_default(),
        to: query.to.clone().unwrap_or_default(),
        owners: record_choices(state, session, RecordKind::User, id_of(&query.owner_id)).await,
        teams: record_choices(state, session, RecordKind::Team, id_of(&query.team_id)).await,
        branches: record_choices(state, session, RecordKind::Branch, id_of(&query.branch_id)).await,
        date_hint: Fmt::of(session).date_placeholder(),
        query: format!(
            "pipeline_id={}&from={}&to={}&owner_id={}&team_id={}&branch_id={}",
            encode(&query.pipeline_id),
            encode(&query.from),
            encode(&query.to),
            encode(&query.owner_id),
            encode(&query.team_id),
            encode(&query.branch_id)
        ),
    })
}

/// One bar of the funnel chart, centred, narrowing with the count.
#[derive(Debug, Clone)]
pub struct Bar {
    /// Left edge.
    pub x: i64,
    /// Top edge.
    pub y: i64,
    /// Width.
    pub width: i64,
    /// Baseline of its caption.
    pub text_y: i64,
    /// The caption: stage name and count.
    pub caption: String,
}

/// One line of the funnel table, formatted.
#[derive(Debug, Clone)]
pub struct FunnelRow {
    /// Stage name.
    pub name: String,
    /// Win probability.
    pub probability: String,
    /// Entered.
    pub entered: String,
    /// Their value.
    pub value: String,
    /// Conversion into the next stage (or won).
    pub conversion: String,
    /// Lost here.
    pub lost: String,
    /// Value lost here.
    pub lost_value: String,
    /// Average days in the stage.
    pub days: String,
}

/// One loss line: stage, reason, count, value.
#[derive(Debug, Clone)]
pub struct LossRow {
    /// Stage name.
    pub stage: String,
    /// Reason.
    pub reason: String,
    /// How many.
    pub count: String,
    /// Their value.
    pub value: String,
}

/// The funnel page.
#[derive(Template)]
#[template(path = "sales_funnel.html")]
pub struct FunnelTemplate {
    /// Frame.
    pub l: Layout,
    /// The filter.
    pub filter: FilterForm,
    /// Pipeline name and period, as a subtitle.
    pub subtitle: String,
    /// The chart's bars.
    pub bars: Vec<Bar>,
    /// The chart's height.
    pub chart_height: i64,
    /// The table.
    pub rows: Vec<FunnelRow>,
    /// Losses by stage and reason.
    pub losses: Vec<LossRow>,
    /// Summary lines (won, win rate, cycle, lead conversion).
    pub summary: Vec<(String, String)>,
}

const CHART_WIDTH: i64 = 600;
const BAR_HEIGHT: i64 = 34;
const BAR_GAP: i64 = 10;

fn percent(fmt: &Fmt, ratio: Option<f64>) -> String {
    ratio.map_or_else(
        || "–".to_owned(),
        |r| fmt.digits(&format!("{:.1}%", r * 100.0)),
    )
}

fn one_decimal(fmt: &Fmt, value: Option<f64>) -> String {
    value.map_or_else(|| "–".to_owned(), |v| fmt.digits(&format!("{v:.1}")))
}

fn money(fmt: &Fmt, locale: Locale, amount: i64) -> String {
    format!("{} {}", fmt.integer(amount), t(locale, "rial"))
}

fn funnel_page(session: &Session, filter: FilterForm, view: &FunnelView) -> FunnelTemplate {
    let fmt = Fmt::of(session);
    let locale = session.locale;
    let f = &view.funnel;
    let most = f.stages.iter().map(|s| s.entered).max().unwrap_or(0).max(1);
    let bars = f
        .stages
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let width = (s.entered * (CHART_WIDTH - 40) / most).max(4);
            let y = i64::try_from(i).unwrap_or(0) * (BAR_HEIGHT + BAR_GAP);
            Bar {
                x: (CHART_WIDTH - width) / 2,
                y,
                width,
                text_y: y + BAR_HEIGHT / 2 + 5,
                caption: format!("{} · {}", s.stage.name, fmt.integer(s.entered)),
            }
        })
        .collect::<Vec<_>>();
    let chart_height = i64::try_from(bars.len()).unwrap_or(0) * (BAR_HEIGHT + BAR_GAP);
    let rows = f
        .stages
        .iter()
        .map(|s| FunnelRow {
            name: s.stage.name.clone(),
            probability: fmt.digits(&format!("{}%", s.stage.probability)),
            entered: fmt.integer(s.entered),
            value: money(&fmt, locale, s.value),
            conversion: percent(&fmt, s.conversion),
            lost: fmt.integer(s.lost),
            lost_value: money(&fmt, locale, s.lost_value),
            days: one_decimal(&fmt, s.average_days),
        })
        .collect();
    let losses = f
        .losses
        .iter()
        .map(|l| LossRow {
            stage: f
                .stages
                .iter()
                .find(|s| Some(s.stage.id) == l.stage_id)
                .map(|s| s.stage.name.clone())
                .unwrap_or_default(),
            reason: l
                .reason_id
                .and_then(|r| view.reasons.get(&r).cloned())
                .unwrap_or_default(),
            count: fmt.integer(l.count),
            value: money(&fmt, locale, l.amount),
        })
        .collect();
    let summary = vec![
        (
            t(locale, "sales-won"),
            format!(
                "{} · {}",
                fmt.integer(f.won),
                money(&fmt, locale, f.won_value)
            ),
        ),
        (t(locale, "sales-win-rate"), percent(&fmt, f.win_rate)),
        (
            t(locale, "sales-cycle"),
            one_decimal(&fmt, f.average_cycle_days),
        ),
        (
            t(locale, "sales-lead-conversion"),
            percent(&fmt, view.lead_conversion),
        ),
    ];
    let period = format!(
        "{} – {}",
        calendar::format_date(view.from, session.calendar, locale),
        calendar::format_date(
            view.to.previous_day().unwrap_or(view.to),
            session.calendar,
            locale
        )
    );
    FunnelTemplate {
        l: Layout::new(session, t(locale, "sales-funnel"), "sales/funnel"),
        filter,
        subtitle: format!("{} · {period}", view.pipeline_name),
        bars,
        chart_height,
        rows,
        losses,
        summary,
    }
}

/// The end of a period as the reports and the API take it (the day after its last) from what a
/// page's form says: people type the *last* day there, as the pages' headings show it.
pub(super) fn day_after(last: Option<Date>) -> Option<Date> {
    last.map(|last| last.next_day().unwrap_or(last))
}

/// The report filter of the pages' form (see [`day_after`]).
fn page_filter(query: &ReportQuery, session: &Session) -> Result<ReportFilter, AppError> {
    let mut filter = query.filter(session.calendar)?;
    filter.to = day_after(filter.to);
    Ok(filter)
}

/// Fills the period fields left empty with the days the report covered, so that the form shows
/// the period rather than only an example of the date format.
fn show_period(form: &mut FilterForm, session: &Session, from: Date, to: Date) {
    let day = |d: Date| calendar::format_date(d, session.calendar, session.locale);
    if form.from.trim().is_empty() {
        form.from = day(from);
    }
    if form.to.trim().is_empty() {
        form.to = day(to.previous_day().unwrap_or(to));
    }
}

/// `GET /sales/funnel`.
pub async fn funnel(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Query(query): Query<ReportQuery>,
) -> WebResult {
    let filter = page_filter(&query, &session)?;
    let view = state.app.funnel(&session, &filter).await?;
    let mut form = filter_form(&state, &session, &query, "/sales/funnel", false).await?;
    show_period(&mut form, &session, view.from, view.to);
    Ok(render(&funnel_page(&session, form, &view)))
}

/// `GET /sales/funnel.csv`.
pub async fn funnel_file(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Query(query): Query<ReportQuery>,
) -> WebResult {
    let filter = page_filter(&query, &session)?;
    let view = state.app.funnel(&session, &filter).await?;
    Ok(csv_response(
        funnel_csv(&view, session.locale)?,
        "funnel.csv",
    ))
}

/// One vertical bar of the forecast chart.
#[derive(Debug, Clone)]
pub struct MonthBar {
    /// Left edge.
    pub x: i64,
    /// Top edge.
    pub y: i64,
    /// Width.
    pub width: i64,
    /// Height.
    pub height: i64,
    /// Centre, for the label.
    pub centre: i64,
    /// Month name.
    pub label: String,
    /// Weighted amount, formatted (the bar's title).
    pub value: String,
}

/// A row of a forecast table: a name and weighted amounts per month, then the total.
#[derive(Debug, Clone)]
pub struct ForecastRow {
    /// User, team, branch or "total".
    pub name: String,
    /// Per month, formatted.
    pub cells: Vec<String>,
    /// Total, formatted.
    pub total: String,
}

/// A table of the forecast.
#[derive(Debug, Clone)]
pub struct ForecastTable {
    /// Its heading.
    pub heading: String,
    /// Its rows.
    pub rows: Vec<ForecastRow>,
}

/// One stage of the funnel arithmetic.
#[derive(Debug, Clone)]
pub struct PlanRow {
    /// Stage name.
    pub name: String,
    /// Measured conversion.
    pub conversion: String,
    /// Opportunities needed.
    pub needed: String,
}

/// The forecast page.
#[derive(Template)]
#[template(path = "sales_forecast.html")]
pub struct ForecastTemplate {
    /// Frame.
    pub l: Layout,
    /// The filter.
    pub filter: FilterForm,
    /// The target typed.
    pub target: String,
    /// Month names.
    pub months: Vec<String>,
    /// The chart.
    pub bars: Vec<MonthBar>,
    /// Tables: total, per user, team, branch.
    pub tables: Vec<ForecastTable>,
    /// The funnel arithmetic, when a target was given.
    pub plan: Vec<PlanRow>,
    /// Its summary lines.
    pub plan_summary: Vec<(String, String)>,
}

fn forecast_row(fmt: &Fmt, name: String, line: &Line) -> ForecastRow {
    ForecastRow {
        name,
        cells: line.weighted.iter().map(|v| fmt.integer(*v)).collect(),
        total: fmt.integer(line.weighted_total()),
    }
}

fn forecast_page(
    session: &Session,
    filter: FilterForm,
    target: String,
    view: &ForecastView,
) -> ForecastTemplate {
    let fmt = Fmt::of(session);
    let locale = session.locale;
    let months: Vec<String> = view
        .months
        .iter()
        .map(|m| {
            let name = calendar::month_name(m.month, view.calendar, locale);
            format!("{name} {}", fmt.digits(&m.year.to_string()))
        })
        .collect();
    let count = i64::try_from(months.len()).unwrap_or(1).max(1);
    let slot = CHART_WIDTH / count;
    let most = view
        .forecast
        .total
        .weighted
        .iter()
        .copied()
        .max()
        .unwrap_or(0)
        .max(1);
    let bars = view
        .forecast
        .total
        .weighted
        .iter()
        .enumerate()
        .map(|(i, value)| {
            let height = (i128::from(*value) * 160 / i128::from(most)) as i64;
            let x = i64::try_from(i).unwrap_or(0) * slot + 4;
            MonthBar {
                x,
                y: 170 - height,
                width: slot - 8,
                height,
                centre: x + (slot - 8) / 2,
                label: months[i].clone(),
                value: money(&fmt, locale, *value),
            }
        })
        .collect();
    let name = |id: &Uuid| {
        view.names
            .get(id)
            .cloned()
            .unwrap_or_else(|| t(locale, "sales-unknown"))
    };
    let group = |heading: &str, lines: &std::collections::BTreeMap<Uuid, Line>| ForecastTable {
        heading: t(locale, heading),
        rows: lines
            .iter()
            .map(|(id, line)| forecast_row(&fmt, name(id), line))
            .collect(),
    };
    let tables = vec![
        ForecastTable {
            heading: t(locale, "sales-total"),
            rows: vec![forecast_row(
                &fmt,
                t(locale, "sales-total"),
                &view.forecast.total,
            )],
        },
        group("sales-by-user", &view.forecast.by_user),
        group("sales-by-team", &view.forecast.by_team),
        group("sales-by-branch", &view.forecast.by_branch),
    ];
    let (plan, plan_summary) = match &view.plan {
        Some(p) => {
            let rows = p
                .stages
                .iter()
                .enumerate()
                .map(|(i, (name, conversion))| PlanRow {
                    name: name.clone(),
                    conversion: percent(&fmt, *conversion),
                    needed: p
                        .plan
                        .as_ref()
                        .and_then(|plan| plan.per_stage.get(i).copied().flatten())
                        .map_or_else(|| "–".to_owned(), |n| fmt.integer(n)),
                })
                .collect();
            let summary = vec![
                (
                    t(locale, "sales-average-deal"),
                    money(&fmt, locale, p.average_deal),
                ),
                (
                    t(locale, "sales-wins-needed"),
                    p.plan
                        .as_ref()
                        .map_or_else(|| "–".to_owned(), |plan| fmt.integer(plan.wins)),
                ),
                (
                    t(locale, "sales-leads-needed"),
                    p.plan
                        .as_ref()
                        .and_then(|plan| plan.leads)
                        .map_or_else(|| "–".to_owned(), |n| fmt.integer(n)),
                ),
            ];
            (rows, summary)
        }
        None => (Vec::new(), Vec::new()),
    };
    ForecastTemplate {
        l: Layout::new(session, t(locale, "sales-forecast"), "sales/forecast"),
        filter,
        target,
        months,
        bars,
        tables,
        plan,
        plan_summary,
    }
}

/// `GET /sales/forecast`.
pub async fn forecast(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Query(query): Query<ReportQuery>,
) -> WebResult {
    let filter = page_filter(&query, &session)?;
    let target = query.target()?;
    let view = state
        .app
        .forecast(&session, &filter, query.calendar(&session), target)
        .await?;
    let form = filter_form(&state, &session, &query, "/sales/forecast", true).await?;
    let typed = query.target.clone().unwrap_or_default();
    Ok(render(&forecast_page(&session, form, typed, &view)))
}

/// One target's line.
#[derive(Debug, Clone)]
pub struct TargetRow {
    /// Link to the target.
    pub href: String,
    /// Its name.
    pub name: String,
    /// Whose: user, team or branch name.
    pub subject: String,
    /// Its period.
    pub period: String,
    /// Target, formatted.
    pub goal: String,
    /// Achieved, formatted.
    pub achieved: String,
    /// Percent, formatted.
    pub percent: String,
    /// Percent for the bar, 0–100.
    pub bar: i64,
}

/// A group of targets: branches, teams, users.
#[derive(Debug, Clone)]
pub struct TargetGroup {
    /// Heading.
    pub heading: String,
    /// Rows, best first.
    pub rows: Vec<TargetRow>,
}

/// The targets page.
#[derive(Template)]
#[template(path = "sales_targets.html")]
pub struct TargetsTemplate {
    /// Frame.
    pub l: Layout,
    /// The day typed.
    pub on: String,
    /// Date placeholder.
    pub date_hint: String,
    /// Branches first (headquarters compares them), then teams and users.
    pub groups: Vec<TargetGroup>,
}

/// `GET /sales/targets?on=`: targets whose period holds the day (today by default).
pub async fn targets(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Query(query): Query<ReportQuery>,
) -> WebResult {
    let fmt = Fmt::of(&session);
    let locale = session.locale;
    let on = query
        .date("on", &query.on, session.calendar)?
        .unwrap_or_else(|| state.app.now().date());
    let items = state.app.target_progress(&session, Some(on)).await?;
    let mut ids: std::collections::BTreeMap<RecordKind, Vec<Uuid>> = Default::default();
    for item in &items {
        let (kind, id) = peyvand_app::pipeline::subject_of(&item.target);
        let kind = match kind {
            "user" => RecordKind::User,
            "team" => RecordKind::Team,
            _ => RecordKind::Branch,
        };
        ids.entry(kind).or_default().extend(id);
    }
    let mut names = std::collections::BTreeMap::new();
    for (kind, ids) in ids {
        names.extend(
            state
                .app
                .titles(&session, kind, &ids)
                .await
                .unwrap_or_default(),
        );
    }
    let mut groups: Vec<TargetGroup> = ["branch", "team", "user"]
        .iter()
        .map(|kind| TargetGroup {
            heading: t(locale, &format!("sales-targets-{kind}")),
            rows: Vec::new(),
        })
        .collect();
    let mut sorted = items;
    sorted.sort_by(|a, b| {
        b.percent
            .partial_cmp(&a.percent)
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    for item in sorted {
        let (kind, id) = peyvand_app::pipeline::subject_of(&item.target);
        let index = match kind {
            "branch" => 0,
            "team" => 1,
            _ => 2,
        };
        let date = |name: &str| match item.target.get(name) {
            peyvand_domain::record::Value::Date(d) => {
                calendar::format_date(*d, session.calendar, locale)
            }
            _ => String::new(),
        };
        let amount = item.target.get("metric").as_text() != Some("won_count");
        let show = |n: i64| {
            if amount {
                money(&fmt, locale, n)
            } else {
                fmt.integer(n)
            }
        };
        let goal = match item.target.get("target_value") {
            peyvand_domain::record::Value::Int(n) => *n,
            _ => 0,
        };
        groups[index].rows.push(TargetRow {
            href: format!("/sales-targets/{}", item.target.id),
            name: item.target.title.clone(),
            subject: id
                .and_then(|id| names.get(&id).cloned())
                .unwrap_or_default(),
            period: format!("{} – {}", date("starts_on"), date("ends_on")),
            goal: show(goal),
            achieved: show(item.achieved),
            percent: percent(&fmt, item.percent.map(|p| p / 100.0)),
            bar: item.percent.map_or(0, |p| p.clamp(0.0, 100.0) as i64),
        });
    }
    groups.retain(|g| !g.rows.is_empty());
    let l = Layout::new(
        &session,
        t(locale, "sales-targets-progress"),
        "sales/targets",
    );
    Ok(render(&TargetsTemplate {
        l,
        on: query.on.clone().unwrap_or_default(),
        date_hint: fmt.date_placeholder(),
        groups,
    }))
}
