//! `GET /sales/dashboard` (issue 4 §10): the sales dashboard as a page — SVG charts drawn on the
//! server (`sales_dashboard_charts`) with every number also in a table, in the user's language
//! and calendar, for a rep, a manager or headquarters (the figures follow their rights).

use askama::Template;
use axum::extract::{Query, State};
use peyvand_app::Session;
use peyvand_app::pipeline::{ComparisonLine, PERIODS, SalesDashboard};
use peyvand_domain::calendar;
use peyvand_domain::permission::{RecordKind, Scope};
use peyvand_domain::pipeline::sales_dashboard::Tally;
use uuid::Uuid;

use super::format::Fmt;
use super::guard::WebSession;
use super::page::{Layout, WebResult, render};
use super::pipeline::{Choice, pipeline_choices, record_choices};
use super::sales::money;
use super::sales_dashboard_charts::{HBarChart, HRow, VBar, hbars, vbars};
use crate::AppState;
use crate::api::sales_dashboard::DashboardQuery;
use crate::i18n::t;

/// A figure of the summary strip.
#[derive(Debug, Clone)]
pub struct Figure {
    /// What it is.
    pub label: String,
    /// The number.
    pub value: String,
    /// A second line (a value in Rials, a count).
    pub detail: String,
}

/// A stage's line of the pipeline table.
#[derive(Debug, Clone)]
pub struct StageLine {
    /// Name.
    pub name: String,
    /// Probability.
    pub probability: String,
    /// Open deals.
    pub count: String,
    /// Their value.
    pub amount: String,
    /// Weighted.
    pub weighted: String,
}

/// A target's line.
#[derive(Debug, Clone)]
pub struct TargetLine {
    /// Its page.
    pub href: String,
    /// Its name.
    pub name: String,
    /// Goal, formatted.
    pub goal: String,
    /// Achieved, formatted.
    pub achieved: String,
    /// Percent, formatted.
    pub percent: String,
    /// Percent for the meter, 0–100.
    pub bar: i64,
}

/// A loss reason's line, or a top customer's.
#[derive(Debug, Clone)]
pub struct NamedLine {
    /// Link, when there is a page.
    pub href: String,
    /// Name.
    pub name: String,
    /// How many.
    pub count: String,
    /// Their value.
    pub amount: String,
}

/// A line of a comparison table.
#[derive(Debug, Clone)]
pub struct CompareLine {
    /// Branch or person.
    pub name: String,
    /// Open deals: count · value.
    pub open: String,
    /// Weighted open value.
    pub weighted: String,
    /// Won: count · value.
    pub won: String,
    /// Lost: count · value.
    pub lost: String,
    /// Win rate.
    pub win_rate: String,
}

/// The period form.
#[derive(Debug, Clone)]
pub struct DashboardForm {
    /// Named periods and "from–to".
    pub periods: Vec<Choice>,
    /// From, as typed.
    pub from: String,
    /// To, as typed.
    pub to: String,
    /// Date placeholder.
    pub date_hint: String,
    /// Pipelines.
    pub pipelines: Vec<Choice>,
    /// Branches (for those who see more than one).
    pub branches: Vec<Choice>,
}

/// The dashboard page.
#[derive(Template)]
#[template(path = "sales_dashboard.html")]
pub struct DashboardPage {
    /// Frame.
    pub l: Layout,
    /// `rtl` or `ltr`, for the charts.
    pub direction: &'static str,
    /// The form.
    pub form: DashboardForm,
    /// Pipeline, period and whose deals.
    pub subtitle: String,
    /// The summary strip.
    pub figures: Vec<Figure>,
    /// Pipeline by stage: chart and table.
    pub stage_chart: HBarChart,
    /// Pipeline by stage: table.
    pub stages: Vec<StageLine>,
    /// Forecast chart.
    pub forecast_bars: Vec<VBar>,
    /// Forecast table: month and weighted value.
    pub forecast: Vec<(String, String, String)>,
    /// Targets.
    pub targets: Vec<TargetLine>,
    /// Won and lost chart.
    pub outcome_chart: HBarChart,
    /// Top loss reasons.
    pub reasons: Vec<NamedLine>,
    /// Top customers (None without the right to read invoices): chart and table.
    pub customer_chart: Option<HBarChart>,
    /// Top customers: table.
    pub customers: Vec<NamedLine>,
    /// Per person.
    pub people: Vec<CompareLine>,
    /// Per branch: chart.
    pub branch_chart: HBarChart,
    /// Per branch: table.
    pub branches: Vec<CompareLine>,
}

fn tally_text(fmt: &Fmt, tally: &Tally) -> String {
    format!(
        "{} · {}",
        fmt.integer(tally.count),
        money(fmt, tally.amount)
    )
}

fn percent(fmt: &Fmt, ratio: Option<f64>) -> String {
    ratio.map_or_else(
        || "–".to_owned(),
        |r| fmt.digits(&format!("{:.1}%", r * 100.0)),
    )
}

fn compare_lines(fmt: &Fmt, lines: &[ComparisonLine]) -> Vec<CompareLine> {
    lines
        .iter()
        .map(|line| {
            let f = &line.figures;
            CompareLine {
                name: if line.name.is_empty() {
                    t(fmt.locale, "sales-unknown")
                } else {
                    line.name.clone()
                },
                open: tally_text(fmt, &f.open),
                weighted: money(fmt, f.weighted),
                won: tally_text(fmt, &f.won),
                lost: tally_text(fmt, &f.lost),
                win_rate: percent(fmt, f.win_rate),
            }
        })
        .collect()
}

fn scope_text(session: &Session, scope: Scope) -> String {
    let key = match scope {
        Scope::Own => "own",
        Scope::Team => "team",
        Scope::Branch => "branch",
        Scope::Subtree => "subtree",
        Scope::All | Scope::None => "all",
    };
    t(session.locale, &format!("sales-dashboard-scope-{key}"))
}

fn figures(fmt: &Fmt, d: &SalesDashboard) -> Vec<Figure> {
    let locale = fmt.locale;
    let open = d.stages.iter().fold(Tally::default(), |acc, s| Tally {
        count: acc.count + s.tally.open.count,
        amount: acc.amount.saturating_add(s.tally.open.amount),
    });
    let weighted: i64 = d.stages.iter().map(|s| s.tally.weighted).sum();
    let o = &d.outcomes;
    vec![
        Figure {
            label: t(locale, "sales-dashboard-open"),
            value: fmt.integer(open.count),
            detail: money(fmt, open.amount),
        },
        Figure {
            label: t(locale, "sales-dashboard-weighted-open"),
            value: money(fmt, weighted),
            detail: String::new(),
        },
        Figure {
            label: t(locale, "sales-won"),
            value: fmt.integer(o.won.count),
            detail: money(fmt, o.won.amount),
        },
        Figure {
            label: t(locale, "sales-lost"),
            value: fmt.integer(o.lost.count),
            detail: money(fmt, o.lost.amount),
        },
        Figure {
            label: t(locale, "sales-win-rate"),
            value: percent(fmt, o.win_rate),
            detail: String::new(),
        },
    ]
}

fn target_lines(fmt: &Fmt, d: &SalesDashboard) -> Vec<TargetLine> {
    d.targets
        .iter()
        .map(|item| {
            let by_amount = item.target.get("metric").as_text() != Some("won_count");
            let show = |n: i64| {
                if by_amount {
                    money(fmt, n)
                } else {
                    fmt.integer(n)
                }
            };
            let goal = match item.target.get("target_value") {
                peyvand_domain::record::Value::Int(n) => *n,
                _ => 0,
            };
            TargetLine {
                href: format!("/sales-targets/{}", item.target.id),
                name: item.target.title.clone(),
                goal: show(goal),
                achieved: show(item.achieved),
                percent: percent(fmt, item.percent.map(|p| p / 100.0)),
                bar: item.percent.map_or(0, |p| p.clamp(0.0, 100.0) as i64),
            }
        })
        .collect()
}

fn page(session: &Session, form: DashboardForm, d: &SalesDashboard) -> DashboardPage {
    let fmt = Fmt::of(session);
    let locale = session.locale;
    let rtl = locale.is_rtl();
    let stage_rows: Vec<HRow> = d
        .stages
        .iter()
        .map(|s| {
            let value = format!(
                "{} · {}",
                fmt.integer(s.tally.open.count),
                money(&fmt, s.tally.open.amount)
            );
            (s.name.clone(), s.tally.open.amount, value, "bar")
        })
        .collect();
    let stages = d
        .stages
        .iter()
        .map(|s| StageLine {
            name: s.name.clone(),
            probability: fmt.digits(&format!("{}%", s.probability)),
            count: fmt.integer(s.tally.open.count),
            amount: money(&fmt, s.tally.open.amount),
            weighted: money(&fmt, s.tally.weighted),
        })
        .collect();
    let months: Vec<String> = d
        .forecast
        .months
        .iter()
        .map(|m| {
            let name = calendar::month_name(m.month, d.forecast.calendar, locale);
            format!("{name} {}", fmt.digits(&m.year.to_string()))
        })
        .collect();
    let total = &d.forecast.forecast.total;
    let forecast_bars = vbars(
        months
            .iter()
            .zip(&total.weighted)
            .map(|(m, v)| (m.clone(), *v, money(&fmt, *v)))
            .collect(),
        rtl,
    );
    let forecast = months
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let weighted = total.weighted.get(i).copied().unwrap_or(0);
            let count = total.count.get(i).copied().unwrap_or(0);
            (m.clone(), fmt.integer(count), money(&fmt, weighted))
        })
        .collect();
    let o = &d.outcomes;
    let outcome_chart = hbars(
        vec![
            (
                t(locale, "sales-won"),
                o.won.amount,
                tally_text(&fmt, &o.won),
                "bar won",
            ),
            (
                t(locale, "sales-lost"),
                o.lost.amount,
                tally_text(&fmt, &o.lost),
                "bar lost",
            ),
        ],
        rtl,
    );
    let reasons = o
        .top_reasons
        .iter()
        .map(|(reason, tally)| NamedLine {
            href: String::new(),
            name: reason
                .and_then(|r| d.reasons.get(&r).cloned())
                .unwrap_or_else(|| t(locale, "sales-unknown")),
            count: fmt.integer(tally.count),
            amount: money(&fmt, tally.amount),
        })
        .collect();
    let customers: Vec<NamedLine> = d
        .top_customers
        .iter()
        .flatten()
        .map(|c| NamedLine {
            href: format!("/{}/{}", session.schema(c.kind).path, c.id),
            name: if c.name.is_empty() {
                t(locale, "sales-unknown")
            } else {
                c.name.clone()
            },
            count: fmt.integer(c.invoices),
            amount: money(&fmt, c.amount),
        })
        .collect();
    let customer_chart = d.top_customers.as_ref().map(|rows| {
        hbars(
            rows.iter()
                .zip(&customers)
                .map(|(c, line)| (line.name.clone(), c.amount, line.amount.clone(), "bar"))
                .collect(),
            rtl,
        )
    });
    let branch_chart = hbars(
        d.branches
            .iter()
            .zip(compare_lines(&fmt, &d.branches))
            .map(|(b, line)| {
                (
                    line.name,
                    b.figures.won.amount,
                    money(&fmt, b.figures.won.amount),
                    "bar won",
                )
            })
            .collect(),
        rtl,
    );
    let period = format!(
        "{} – {}",
        calendar::format_date(d.from, session.calendar, locale),
        calendar::format_date(
            d.to.previous_day().unwrap_or(d.to),
            session.calendar,
            locale
        )
    );
    DashboardPage {
        l: Layout::new(session, t(locale, "sales-dashboard"), "sales/dashboard"),
        direction: if rtl { "rtl" } else { "ltr" },
        form,
        subtitle: format!(
            "{} · {period} · {}",
            d.pipeline_name,
            scope_text(session, d.scope)
        ),
        figures: figures(&fmt, d),
        stage_chart: hbars(stage_rows, rtl),
        stages,
        forecast_bars,
        forecast,
        targets: target_lines(&fmt, d),
        outcome_chart,
        reasons,
        customer_chart,
        customers,
        people: compare_lines(&fmt, &d.people),
        branch_chart,
        branches: compare_lines(&fmt, &d.branches),
    }
}

fn id_of(value: &Option<String>) -> Option<Uuid> {
    value
        .as_deref()
        .map(str::trim)
        .and_then(|v| Uuid::parse_str(v).ok())
}

async fn form(
    state: &AppState,
    session: &Session,
    query: &DashboardQuery,
    d: &SalesDashboard,
) -> WebResult<DashboardForm> {
    let chosen = if d.period == "custom" {
        "custom"
    } else {
        d.period.as_str()
    };
    let periods = PERIODS
        .iter()
        .chain(&["custom"])
        .map(|p| Choice {
            value: (*p).to_owned(),
            label: t(session.locale, &format!("sales-period-{p}")),
            selected: *p == chosen,
        })
        .collect();
    let sees_branches = matches!(d.scope, Scope::All | Scope::Subtree);
    let branches = if sees_branches {
        record_choices(state, session, RecordKind::Branch, id_of(&query.branch_id)).await
    } else {
        Vec::new()
    };
    Ok(DashboardForm {
        periods,
        from: query.from.clone().unwrap_or_default(),
        to: query.to.clone().unwrap_or_default(),
        date_hint: Fmt::of(session).date_placeholder(),
        pipelines: pipeline_choices(state, session, Some(d.pipeline_id)).await?,
        branches,
    })
}

/// `GET /sales/dashboard?period=&from=&to=&pipeline_id=&branch_id=`.
pub async fn show(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Query(query): Query<DashboardQuery>,
) -> WebResult {
    let mut filter = query.filter(&session)?;
    filter.to = super::pipeline_reports::day_after(filter.to);
    let dashboard = state.app.sales_dashboard(&session, &filter).await?;
    let form = form(&state, &session, &query, &dashboard).await?;
    Ok(render(&page(&session, form, &dashboard)))
}
