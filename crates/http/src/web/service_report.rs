//! `GET /reports/service`: the service report with its charts drawn as SVG on the server
//! (volume by channel, category and branch; cases per month with next month's forecast).

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use peyvand_app::service::ServiceReport;
use peyvand_domain::calendar::{Locale, format_date};
use peyvand_domain::permission::RecordKind;

use super::format::{Fmt, load_titles};
use super::guard::WebSession;
use super::page::{Layout, WebResult, render};
use super::service::ReportParams;
use crate::AppState;
use crate::api::service::query_date;

/// Width of the drawing, in SVG units; labels take the first third.
const WIDTH: f64 = 400.0;
const LABEL_WIDTH: f64 = 130.0;
const ROW: i64 = 24;

/// One bar of a chart, placed.
pub struct Bar {
    pub label: String,
    pub value: String,
    pub x: String,
    pub y: i64,
    pub width: String,
    pub text_y: i64,
    pub label_x: String,
    pub value_x: String,
    pub anchor: &'static str,
    pub class: &'static str,
}

/// A horizontal bar chart.
pub struct Chart {
    pub title: String,
    pub height: i64,
    pub bars: Vec<Bar>,
}

/// Lays out bars for `(label, value, highlighted)` rows, right to left for Persian pages.
pub(crate) fn chart(
    title: String,
    rows: Vec<(String, i64, bool)>,
    fmt: &Fmt,
    locale: Locale,
) -> Chart {
    let max = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1) as f64;
    // The longest bar leaves room for its number beside it: about six units a character at
    // the chart's font size, and at most a third of the width (amounts in Rials run long).
    let longest = rows
        .iter()
        .map(|r| fmt.integer(r.1).chars().count())
        .max()
        .unwrap_or(0);
    let value_room = (longest as f64 * 6.5 + 8.0).clamp(40.0, WIDTH / 3.0);
    let room = WIDTH - LABEL_WIDTH - value_room;
    let rtl = locale == Locale::Fa;
    let bars = rows
        .into_iter()
        .enumerate()
        .map(|(i, (label, value, highlighted))| {
            let width = room * value as f64 / max;
            let y = i as i64 * ROW;
            // Persian charts grow from the right edge, labels on the right.
            let (x, label_x, value_x, anchor) = if rtl {
                let x = WIDTH - LABEL_WIDTH - width;
                (x, WIDTH - 4.0, x - 4.0, "end")
            } else {
                (LABEL_WIDTH, 4.0, LABEL_WIDTH + width + 4.0, "start")
            };
            Bar {
                label,
                value: fmt.integer(value),
                x: format!("{x:.1}"),
                y,
                width: format!("{width:.1}"),
                text_y: y + 13,
                label_x: format!("{label_x:.1}"),
                value_x: format!("{value_x:.1}"),
                anchor,
                class: if highlighted { "bar forecast" } else { "bar" },
            }
        })
        .collect::<Vec<_>>();
    Chart {
        title,
        height: (bars.len() as i64 * ROW).max(ROW),
        bars,
    }
}

#[derive(Template)]
#[template(path = "service_report.html")]
struct ServiceReportTemplate {
    l: Layout,
    period: String,
    from: String,
    to: String,
    summary: Vec<(String, String)>,
    charts: Vec<Chart>,
    agents: Vec<(String, String, String, String, String)>,
}

fn duration(fmt: &Fmt, l: &Layout, minutes: Option<i64>) -> String {
    match minutes {
        None => "—".into(),
        Some(m) if m < 120 => format!("{} {}", fmt.integer(m), l.t("unit-minutes")),
        Some(m) => format!(
            "{} {}",
            fmt.digits(&format!("{:.1}", m as f64 / 60.0)),
            l.t("unit-hours")
        ),
    }
}

fn summary(report: &ServiceReport, fmt: &Fmt, l: &Layout) -> Vec<(String, String)> {
    let count = |n: usize| fmt.integer(i64::try_from(n).unwrap_or(i64::MAX));
    let score = |v: Option<f64>| v.map_or("—".into(), |v| fmt.digits(&format!("{v:.1}")));
    vec![
        (l.t("report-service-opened"), count(report.opened)),
        (l.t("report-service-responded"), count(report.responded)),
        (
            l.t("report-service-avg-first-response"),
            duration(fmt, l, report.avg_first_response_minutes),
        ),
        (l.t("report-service-resolved"), count(report.resolved)),
        (
            l.t("report-service-avg-resolution"),
            duration(fmt, l, report.avg_resolution_minutes),
        ),
        (
            l.t("report-service-first-breaches"),
            count(report.first_response_breaches),
        ),
        (
            l.t("report-service-resolution-breaches"),
            count(report.resolution_breaches),
        ),
        (
            l.t("report-service-answers"),
            fmt.integer(i64::try_from(report.answers).unwrap_or(0)),
        ),
        (l.t("report-service-csat"), score(report.csat_average)),
        (l.t("report-service-nps"), score(report.nps)),
        (
            l.t("report-service-forecast"),
            report
                .forecast_next_month
                .map_or("—".into(), |n| fmt.integer(n)),
        ),
    ]
}

/// `GET /reports/service`.
pub async fn show(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Query(params): Query<ReportParams>,
) -> WebResult<Response> {
    let fmt = Fmt::of(&session);
    let now = state.app.now();
    let to = query_date(&session, now, "to", params.to.as_deref())?;
    let from = match params.from.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(raw) => query_date(&session, now, "from", Some(raw))?,
        None => to - time::Duration::days(30),
    };
    let report = state.app.service_report(&session, from, to).await?;
    let mut refs = Vec::new();
    refs.extend(
        report
            .by_category
            .iter()
            .filter_map(|c| c.key.map(|id| (RecordKind::CaseCategory, id))),
    );
    refs.extend(
        report
            .by_branch
            .iter()
            .filter_map(|c| c.key.map(|id| (RecordKind::Branch, id))),
    );
    refs.extend(
        report
            .agents
            .iter()
            .filter_map(|a| a.owner_id.map(|id| (RecordKind::User, id))),
    );
    let titles = load_titles(&state.app, &session, refs).await;
    let l = Layout::new(
        &session,
        crate::i18n::t(session.locale, "report-service-title"),
        "cases",
    );
    let name = |kind: RecordKind, id: Option<uuid::Uuid>| {
        id.and_then(|id| titles.get(&(kind, id)).cloned())
            .unwrap_or_else(|| l.t("report-none"))
    };
    let as_rows = |rows: Vec<(String, usize)>| {
        rows.into_iter()
            .map(|(label, n)| (label, i64::try_from(n).unwrap_or(i64::MAX), false))
            .collect::<Vec<_>>()
    };
    let mut monthly: Vec<(String, i64, bool)> = report
        .monthly
        .iter()
        .map(|m| {
            (
                format_date(m.start, fmt.calendar, fmt.locale),
                m.cases,
                false,
            )
        })
        .collect();
    if let Some(next) = report.forecast_next_month {
        monthly.push((l.t("report-service-forecast"), next, true));
    }
    let charts = vec![
        chart(
            l.t("report-service-by-channel"),
            as_rows(
                report
                    .by_channel
                    .iter()
                    .map(|c| (fmt.choice(&c.key), c.cases))
                    .collect(),
            ),
            &fmt,
            session.locale,
        ),
        chart(
            l.t("report-service-by-category"),
            as_rows(
                report
                    .by_category
                    .iter()
                    .map(|c| (name(RecordKind::CaseCategory, c.key), c.cases))
                    .collect(),
            ),
            &fmt,
            session.locale,
        ),
        chart(
            l.t("report-service-by-branch"),
            as_rows(
                report
                    .by_branch
                    .iter()
                    .map(|c| (name(RecordKind::Branch, c.key), c.cases))
                    .collect(),
            ),
            &fmt,
            session.locale,
        ),
        chart(l.t("report-service-monthly"), monthly, &fmt, session.locale),
    ];
    let count = |n: usize| fmt.integer(i64::try_from(n).unwrap_or(i64::MAX));
    let agents = report
        .agents
        .iter()
        .map(|a| {
            (
                name(RecordKind::User, a.owner_id),
                count(a.cases),
                count(a.resolved),
                duration(&fmt, &l, a.avg_resolution_minutes),
                count(a.breaches),
            )
        })
        .collect();
    let period = crate::i18n::t_args(
        session.locale,
        "agenda-period",
        &[
            ("from", format_date(from, fmt.calendar, fmt.locale)),
            ("to", format_date(to, fmt.calendar, fmt.locale)),
        ],
    );
    Ok(render(&ServiceReportTemplate {
        summary: summary(&report, &fmt, &l),
        period,
        from: from.to_string(),
        to: to.to_string(),
        charts,
        agents,
        l,
    }))
}
