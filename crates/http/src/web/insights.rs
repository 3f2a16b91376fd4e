//! `/insights/…`: the analytics pages (issue 6) — a tab per analysis with an SVG chart drawn
//! on the server and a table beside it, filters, CSV links to the API, the recomputation
//! button with the run's progress — and the analytics panel of customer and product pages.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use peyvand_app::insights::{RuleSet, ScoreQuery, may_see_analytics, may_see_scores};
use peyvand_app::{AppError, RecordView, Session};
use peyvand_domain::calendar::format_date;
use peyvand_domain::permission::RecordKind;

use super::form::WebForm;
use super::format::Fmt;
use super::guard::WebSession;
use super::page::{Layout, WebError, WebResult, render, see_other};
use super::pipeline::{Choice, record_choices};
use super::service_report::{Chart, chart};
use crate::AppState;
use crate::api::insights::{
    InsightParams, RETENTION_MIN_CHURN, customer_names, nps_query, product_names,
};
use crate::i18n::t;

/// The tabs, in order.
const TABS: [&str; 8] = [
    "rfm", "clv", "churn", "basket", "nps", "pyramid", "matrix", "loyalty",
];

#[derive(Template)]
#[template(path = "insights.html")]
struct InsightsTemplate {
    l: Layout,
    tab: String,
    tabs: Vec<(String, String, bool)>,
    status: String,
    running: bool,
    from: String,
    to: String,
    segment: String,
    /// The branches the reader may pick from (empty when they read a single one or none).
    branches: Vec<Choice>,
    /// The picked branch's id, or empty for all.
    branch_id: String,
    csv_href: String,
    chart: Chart,
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
    /// What the page says when there is nothing to show.
    empty: String,
    tag_form: bool,
    /// The newest taggings, one line each (shown under the tag form).
    taggings: Vec<String>,
    /// Whether the page refreshes itself: a recomputation or a tagging is under way.
    refresh: bool,
}

fn label(l: &Layout, prefix: &str, code: &str) -> String {
    if code.is_empty() {
        return l.t("report-none");
    }
    l.t(&format!("insights-{prefix}-{code}"))
}

fn percent(fmt: &Fmt, value: Option<f64>) -> String {
    value.map_or("—".into(), |v| fmt.digits(&format!("{:.0}%", v * 100.0)))
}

/// The reasons of a churn score in words.
pub fn reasons(l: &Layout, fmt: &Fmt, codes: &[String]) -> String {
    codes
        .iter()
        .filter_map(|code| {
            let mut parts = code.split(':');
            let (feature, side, value) = (parts.next()?, parts.next()?, parts.next()?);
            let text = crate::i18n::t_args(
                l.locale,
                &format!("insights-reason-{feature}-{side}"),
                &[("value", fmt.digits(value))],
            );
            Some(text)
        })
        .collect::<Vec<_>>()
        .join("، ")
}

/// What the run's summary says could not be fitted, in words: without it a model that failed
/// on the data would only show as zeros (lifetime values) or no rules (basket). The reason
/// itself is in the run's summary through the API.
fn models_not_fitted(summary: Option<&serde_json::Value>, l: &Layout) -> Vec<String> {
    let Some(summary) = summary else {
        return Vec::new();
    };
    [
        ("clv_error", "insights-clv-not-fitted"),
        ("basket_error", "insights-basket-not-fitted"),
        ("churn_error", "insights-churn-not-fitted"),
    ]
    .into_iter()
    .filter(|(key, _)| summary[*key].is_string())
    .map(|(_, message)| l.t(message))
    .collect()
}

async fn status_line(state: &AppState, session: &Session, l: &Layout) -> WebResult<(String, bool)> {
    let (latest, current) = state.app.insights_status(session).await?;
    let fmt = Fmt::of(session);
    let mut parts = Vec::new();
    if let Some(done) = &current {
        parts.push(crate::i18n::t_args(
            l.locale,
            "insights-computed-on",
            &[("date", format_date(done.as_of, fmt.calendar, fmt.locale))],
        ));
        parts.extend(models_not_fitted(done.summary.as_ref(), l));
    } else {
        parts.push(l.t("insights-never-computed"));
    }
    let running = latest
        .as_ref()
        .is_some_and(|r| r.state == "queued" || r.state == "running");
    if let Some(run) = latest.filter(|_| running) {
        parts.push(crate::i18n::t_args(
            l.locale,
            "insights-running",
            &[
                ("stage", l.t(&format!("insights-stage-{}", run.stage))),
                ("progress", fmt.integer(run.progress)),
            ],
        ));
    }
    Ok((parts.join(" — "), running))
}

/// The newest taggings as lines of text, and whether one is under way.
async fn tagging_lines(
    state: &AppState,
    session: &Session,
    l: &Layout,
) -> WebResult<(Vec<String>, bool)> {
    let fmt = Fmt::of(session);
    let taggings = state.app.insight_taggings(session).await?;
    let busy = taggings
        .iter()
        .any(|t| t.state == "queued" || t.state == "running");
    let lines = taggings
        .iter()
        .take(5)
        .map(|t| {
            let mut line = crate::i18n::t_args(
                l.locale,
                "insights-tagging",
                &[
                    ("tag", t.tag.clone()),
                    ("state", l.t(&format!("insights-stage-{}", t.state))),
                    ("progress", fmt.integer(t.progress)),
                    ("tagged", fmt.integer(t.tagged)),
                ],
            );
            if t.nightly {
                line = format!("{line} ({})", l.t("insights-tag-nightly"));
            }
            line
        })
        .collect();
    Ok((lines, busy))
}

async fn groups_tab(
    state: &AppState,
    session: &Session,
    l: &Layout,
    fmt: &Fmt,
    column: &'static str,
    prefix: &str,
    query: &ScoreQuery,
) -> WebResult<(Chart, Vec<String>, Vec<Vec<String>>)> {
    let groups = state.app.insight_groups(session, column, query).await?;
    let chart_rows = groups
        .iter()
        .map(|g| (label(l, prefix, &g.key), g.customers, false))
        .collect();
    let rows = groups
        .iter()
        .map(|g| {
            vec![
                label(l, prefix, &g.key),
                fmt.integer(g.customers),
                fmt.integer(g.revenue),
                fmt.integer(g.profit),
                fmt.integer(g.clv),
            ]
        })
        .collect();
    let headers = ["group", "customers", "revenue", "profit", "clv"]
        .iter()
        .map(|h| l.t(&format!("insights-col-{h}")))
        .collect();
    Ok((
        chart(
            l.t(&format!(
                "insights-tab-{column_tab}",
                column_tab = tab_of(column)
            )),
            chart_rows,
            fmt,
            l.locale,
        ),
        headers,
        rows,
    ))
}

fn tab_of(column: &str) -> &str {
    match column {
        "segment" => "rfm",
        "tier" => "pyramid",
        "cell" => "matrix",
        other => other,
    }
}

async fn customers_tab(
    state: &AppState,
    session: &Session,
    l: &Layout,
    fmt: &Fmt,
    query: &ScoreQuery,
    churn: bool,
) -> WebResult<(Chart, Vec<String>, Vec<Vec<String>>)> {
    let page = state.app.insight_scores(session, query).await?;
    let names = customer_names(state, session, &page).await;
    let name = |s: &peyvand_app::insights::ScoreView| {
        names.get(&s.customer_id).cloned().unwrap_or_default()
    };
    let chart_rows = page
        .items
        .iter()
        .take(10)
        .map(|s| (name(s), s.clv, false))
        .collect();
    let (headers, rows): (Vec<&str>, Vec<Vec<String>>) = if churn {
        (
            vec!["name", "churn_probability", "reasons", "clv", "last_order"],
            page.items
                .iter()
                .map(|s| {
                    vec![
                        name(s),
                        percent(fmt, s.churn_probability),
                        reasons(l, fmt, &s.churn_reasons),
                        fmt.integer(s.clv),
                        format_date(s.last_order, fmt.calendar, fmt.locale),
                    ]
                })
                .collect(),
        )
    } else {
        (
            vec![
                "name",
                "revenue",
                "clv",
                "clv_base",
                "clv_growth",
                "clv_networking",
                "clv_learning",
                "p_alive",
            ],
            page.items
                .iter()
                .map(|s| {
                    vec![
                        name(s),
                        fmt.integer(s.revenue),
                        fmt.integer(s.clv),
                        fmt.integer(s.clv_base),
                        fmt.integer(s.clv_growth),
                        fmt.integer(s.clv_networking),
                        fmt.integer(s.clv_learning),
                        percent(fmt, s.p_alive),
                    ]
                })
                .collect(),
        )
    };
    let headers = headers
        .iter()
        .map(|h| l.t(&format!("insights-col-{h}")))
        .collect();
    Ok((
        chart(l.t("insights-top-clv"), chart_rows, fmt, l.locale),
        headers,
        rows,
    ))
}

fn rule_text(ids: &[uuid::Uuid], names: &std::collections::BTreeMap<uuid::Uuid, String>) -> String {
    ids.iter()
        .map(|id| names.get(id).cloned().unwrap_or_default())
        .collect::<Vec<_>>()
        .join(" + ")
}

/// Why a basket tab is empty, when it is for a reason of its own: the picked branch had too
/// few invoices for rules.
fn basket_empty(l: &Layout, fmt: &Fmt, set: &RuleSet) -> Option<String> {
    set.too_few_invoices.then(|| {
        crate::i18n::t_args(
            l.locale,
            "insights-basket-too-few",
            &[
                ("invoices", fmt.integer(set.invoices.unwrap_or(0))),
                ("min", fmt.integer(set.min_invoices as i64)),
            ],
        )
    })
}

/// The basket rules of the picked branch (company-wide without one), and why there are none
/// when the branch had too few invoices.
async fn basket_tab(
    state: &AppState,
    session: &Session,
    l: &Layout,
    fmt: &Fmt,
    query: &ScoreQuery,
) -> WebResult<((Chart, Vec<String>, Vec<Vec<String>>), Option<String>)> {
    let set = state.app.insight_rules(session, query.branch_id).await?;
    let empty = basket_empty(l, fmt, &set);
    let rules = set.items;
    let names = product_names(state, session, &rules).await;
    let chart_rows = rules
        .iter()
        .take(10)
        .map(|r| {
            (
                format!(
                    "{} → {}",
                    rule_text(&r.antecedents, &names),
                    rule_text(&r.consequents, &names)
                ),
                (r.confidence * 100.0).round() as i64,
                false,
            )
        })
        .collect();
    let rows = rules
        .iter()
        .take(200)
        .map(|r| {
            vec![
                rule_text(&r.antecedents, &names),
                rule_text(&r.consequents, &names),
                percent(fmt, Some(r.support)),
                percent(fmt, Some(r.confidence)),
                fmt.digits(&format!("{:.2}", r.lift)),
            ]
        })
        .collect();
    let headers = [
        "antecedents",
        "consequents",
        "support",
        "confidence",
        "lift",
    ]
    .iter()
    .map(|h| l.t(&format!("insights-col-{h}")))
    .collect();
    Ok((
        (
            chart(l.t("insights-tab-basket"), chart_rows, fmt, l.locale),
            headers,
            rows,
        ),
        empty,
    ))
}

async fn nps_tab(
    state: &AppState,
    session: &Session,
    l: &Layout,
    fmt: &Fmt,
    params: &InsightParams,
) -> WebResult<(Chart, Vec<String>, Vec<Vec<String>>)> {
    let report = state
        .app
        .insight_nps(session, &nps_query(session, params)?)
        .await?;
    let score = |v: Option<f64>| v.map_or("—".into(), |v| fmt.digits(&format!("{v:.0}")));
    let chart_rows = report
        .periods
        .iter()
        .map(|p| (fmt.digits(&p.period), p.responses as i64, false))
        .collect();
    let rows = report
        .periods
        .iter()
        .map(|p| {
            vec![
                fmt.digits(&p.period),
                fmt.integer(p.responses as i64),
                score(p.nps),
                score(p.trend),
                p.csat_percent
                    .map_or("—".into(), |v| fmt.digits(&format!("{v:.0}%"))),
            ]
        })
        .collect();
    let headers = ["period", "responses", "nps", "trend", "csat"]
        .iter()
        .map(|h| l.t(&format!("insights-col-{h}")))
        .collect();
    Ok((
        chart(l.t("insights-tab-nps"), chart_rows, fmt, l.locale),
        headers,
        rows,
    ))
}

/// `GET /insights` and `GET /insights/{tab}`.
pub async fn show(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    tab: Option<Path<String>>,
    Query(params): Query<InsightParams>,
) -> WebResult<Response> {
    if !may_see_analytics(&session) {
        return Err(WebError(AppError::Forbidden));
    }
    let tab = tab.map_or_else(|| "rfm".to_owned(), |Path(t)| t);
    if !TABS.contains(&tab.as_str()) {
        return Err(WebError(AppError::NotFound));
    }
    let fmt = Fmt::of(&session);
    let l = Layout::new(&session, t(session.locale, "insights-title"), "insights");
    let mut query = params.query(&session)?;
    query.limit = 50;
    let mut empty = None;
    let (chart, headers, rows) = match tab.as_str() {
        "rfm" => groups_tab(&state, &session, &l, &fmt, "segment", "segment", &query).await?,
        "pyramid" => groups_tab(&state, &session, &l, &fmt, "tier", "tier", &query).await?,
        "matrix" => groups_tab(&state, &session, &l, &fmt, "cell", "cell", &query).await?,
        "loyalty" => groups_tab(&state, &session, &l, &fmt, "loyalty", "loyalty", &query).await?,
        "clv" => customers_tab(&state, &session, &l, &fmt, &query, false).await?,
        "churn" => {
            query.min_churn.get_or_insert(RETENTION_MIN_CHURN);
            customers_tab(&state, &session, &l, &fmt, &query, true).await?
        }
        "basket" => {
            let (content, reason) = basket_tab(&state, &session, &l, &fmt, &query).await?;
            empty = reason;
            content
        }
        _ => nps_tab(&state, &session, &l, &fmt, &params).await?,
    };
    let (status, running) = status_line(&state, &session, &l).await?;
    let (taggings, tagging) = if tab == "churn" {
        tagging_lines(&state, &session, &l).await?
    } else {
        (Vec::new(), false)
    };
    let branch_id = query.branch_id.map(|b| b.to_string()).unwrap_or_default();
    let filters = format!(
        "from={}&to={}&segment={}&branch_id={branch_id}",
        params.from.clone().unwrap_or_default(),
        params.to.clone().unwrap_or_default(),
        params.segment.clone().unwrap_or_default()
    );
    let mut branches = record_choices(&state, &session, RecordKind::Branch, query.branch_id).await;
    if branches.len() < 2 {
        // One branch to choose from is no choice.
        branches.clear();
    }
    let csv_href = match tab.as_str() {
        "rfm" => format!("/api/v1/insights/groups/segment?format=csv&{filters}"),
        "pyramid" => format!("/api/v1/insights/groups/tier?format=csv&{filters}"),
        "matrix" => format!("/api/v1/insights/groups/cell?format=csv&{filters}"),
        "loyalty" => format!("/api/v1/insights/groups/loyalty?format=csv&{filters}"),
        "clv" => format!("/api/v1/insights/customers?format=csv&{filters}"),
        "churn" => format!("/api/v1/insights/retention?format=csv&{filters}"),
        "basket" => format!("/api/v1/insights/rules?format=csv&branch_id={branch_id}"),
        _ => format!("/api/v1/insights/nps?format=csv&{filters}"),
    };
    Ok(render(&InsightsTemplate {
        tabs: TABS
            .iter()
            .map(|t| (t.to_string(), l.t(&format!("insights-tab-{t}")), *t == tab))
            .collect(),
        tag_form: tab == "churn",
        tab,
        status,
        running,
        taggings,
        refresh: running || tagging,
        from: params.from.clone().unwrap_or_default(),
        to: params.to.clone().unwrap_or_default(),
        segment: params.segment.clone().unwrap_or_default(),
        branches,
        branch_id,
        csv_href,
        chart,
        headers,
        rows,
        empty: empty.unwrap_or_else(|| l.t("report-empty")),
        l,
    }))
}

/// `POST /insights/run`: queues a recomputation.
pub async fn run(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    _form: WebForm,
) -> WebResult {
    state.app.request_insights(&session).await?;
    Ok(see_other("/insights"))
}

/// `POST /insights/churn/tag`: queues a tagging of the retention list (once, or after every
/// recomputation when `nightly` is ticked); the churn tab shows its progress.
pub async fn tag(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    form: WebForm,
) -> WebResult {
    let mut query = ScoreQuery {
        min_churn: Some(RETENTION_MIN_CHURN),
        ..ScoreQuery::default()
    };
    query.segment = form
        .get("segment")
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
    query.branch_id = match form.get("branch_id").filter(|s| !s.is_empty()) {
        Some(raw) => Some(raw.parse().map_err(|_| {
            AppError::field("branch_id", peyvand_domain::validation::FieldError::INVALID)
        })?),
        None => None,
    };
    let nightly = form.get("nightly").is_some_and(|v| !v.is_empty());
    state
        .app
        .request_insight_tagging(
            &session,
            &query,
            form.get("tag").unwrap_or_default(),
            nightly,
        )
        .await?;
    Ok(see_other("/insights/churn"))
}

#[derive(Template)]
#[template(path = "insights_panel.html")]
struct PanelTemplate {
    l: Layout,
    facts: Vec<(String, String)>,
    reasons: String,
    offers: Vec<(String, String, String)>,
    also: Vec<(String, String, String)>,
    as_of: String,
}

/// The analytics panel of a record page: a customer's scores and offers, or a product's
/// "also bought"; empty for other kinds and for those who may not see it.
pub async fn record_panel(state: &AppState, session: &Session, view: &RecordView) -> String {
    let fmt = Fmt::of(session);
    let l = Layout::new(session, String::new(), "");
    let mut panel = PanelTemplate {
        l,
        facts: Vec::new(),
        reasons: String::new(),
        offers: Vec::new(),
        also: Vec::new(),
        as_of: String::new(),
    };
    match view.kind {
        RecordKind::Account | RecordKind::Contact if may_see_scores(session, view.kind) => {
            let Ok(card) = state
                .app
                .customer_insights(session, view.kind, view.id)
                .await
            else {
                return String::new();
            };
            let Some(as_of) = card.as_of else {
                return String::new();
            };
            panel.as_of = format_date(as_of, fmt.calendar, fmt.locale);
            let l = &panel.l;
            if let Some(s) = &card.score {
                panel.facts = vec![
                    (l.t("insights-col-segment"), label(l, "segment", &s.segment)),
                    (
                        l.t("insights-col-rfm"),
                        fmt.digits(&format!("{}{}{}", s.r, s.f, s.m)),
                    ),
                    (l.t("insights-col-revenue"), fmt.integer(s.revenue)),
                    (l.t("insights-col-clv"), fmt.integer(s.clv)),
                    (l.t("insights-col-clv_base"), fmt.integer(s.clv_base)),
                    (l.t("insights-col-clv_growth"), fmt.integer(s.clv_growth)),
                    (
                        l.t("insights-col-clv_networking"),
                        fmt.integer(s.clv_networking),
                    ),
                    (
                        l.t("insights-col-clv_learning"),
                        fmt.integer(s.clv_learning),
                    ),
                    (l.t("insights-col-p_alive"), percent(&fmt, s.p_alive)),
                    (
                        l.t("insights-col-churn_probability"),
                        percent(&fmt, s.churn_probability),
                    ),
                    (l.t("insights-col-tier"), label(l, "tier", &s.tier)),
                    (l.t("insights-col-cell"), label(l, "cell", &s.cell)),
                    (
                        l.t("insights-col-loyalty"),
                        label(l, "loyalty", s.loyalty.as_deref().unwrap_or("")),
                    ),
                ];
                panel.reasons = reasons(l, &fmt, &s.churn_reasons);
            }
            let ids: Vec<uuid::Uuid> = card.offers.iter().map(|o| o.product_id).collect();
            let names = state
                .app
                .titles(session, RecordKind::Product, &ids)
                .await
                .unwrap_or_default();
            panel.offers = card
                .offers
                .iter()
                .map(|o| {
                    (
                        format!("/products/{}", o.product_id),
                        names.get(&o.product_id).cloned().unwrap_or_default(),
                        panel.l.t(&format!("insights-offer-{}", o.kind)),
                    )
                })
                .collect();
        }
        RecordKind::Product => {
            let Ok(rules) = state.app.also_bought(session, view.id).await else {
                return String::new();
            };
            if rules.is_empty() {
                return String::new();
            }
            let names = product_names(state, session, &rules).await;
            panel.also = rules
                .iter()
                .flat_map(|r| r.consequents.iter().map(move |c| (c, r.confidence)))
                .map(|(id, confidence)| {
                    (
                        format!("/products/{id}"),
                        names.get(id).cloned().unwrap_or_default(),
                        percent(&fmt, Some(confidence)),
                    )
                })
                .collect();
        }
        _ => return String::new(),
    }
    panel.render().unwrap_or_default()
}
