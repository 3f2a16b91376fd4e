//! The sales dashboard (issue 4 §10) end to end on SQLite and PostgreSQL: every sales role's
//! dashboard counts exactly the deals that role may read (a rep their own, a sales manager the
//! team's, a branch manager the branch's, headquarters all, with a branch comparison), the
//! named periods, the OpenAPI entry, and the page with its charts — refused to those without
//! sales rights.

mod common;

use std::collections::BTreeSet;

use axum::http::StatusCode;
use common::web_client::{Browser, assert_translated};
use common::{TestApp, backends};
use serde_json::Value;

/// A period holding every demo deal, so closed deals count whenever they were closed.
const ALL_TIME: &str = "period=custom&from=2000-01-01&to=2100-01-01";

const SALES_USERS: [&str; 5] = [
    "admin@peyvand.demo",
    "branch.manager@peyvand.demo",
    "sales.manager@peyvand.demo",
    "rep@peyvand.demo",
    "rep.isfahan@peyvand.demo",
];

async fn default_pipeline(t: &TestApp, token: &str) -> String {
    t.list_all("/api/v1/pipelines", token)
        .await
        .into_iter()
        .find(|p| p["is_default"] == true)
        .and_then(|p| p["id"].as_str().map(str::to_owned))
        .expect("a default pipeline")
}

/// Open count, won count, lost count and won value of deals of the pipeline.
fn expected(deals: &[Value], pipeline: &str) -> (i64, i64, i64, i64) {
    let of = |status: &str| {
        deals
            .iter()
            .filter(|d| d["pipeline_id"] == pipeline && d["status"] == status)
            .collect::<Vec<_>>()
    };
    let count = |status: &str| i64::try_from(of(status).len()).unwrap();
    let won_value = of("won")
        .iter()
        .map(|d| d["amount"].as_i64().unwrap())
        .sum();
    (count("open"), count("won"), count("lost"), won_value)
}

fn shown(dashboard: &Value) -> (i64, i64, i64, i64) {
    let open = dashboard["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["count"].as_i64().unwrap())
        .sum();
    (
        open,
        dashboard["won"]["count"].as_i64().unwrap(),
        dashboard["lost"]["count"].as_i64().unwrap(),
        dashboard["won"]["amount"].as_i64().unwrap(),
    )
}

/// The ids of a branch and every branch below it.
fn subtree(branches: &[Value], root: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::from([root.to_owned()]);
    loop {
        let before = out.len();
        for b in branches {
            if b["parent_id"].as_str().is_some_and(|p| out.contains(p)) {
                out.insert(b["id"].as_str().unwrap().to_owned());
            }
        }
        if out.len() == before {
            return out;
        }
    }
}

#[tokio::test]
async fn every_sales_role_counts_exactly_the_deals_it_may_read() {
    for t in backends().await {
        let admin = t.token("admin@peyvand.demo").await;
        let pipeline = default_pipeline(&t, &admin).await;
        let everything = t.list_all("/api/v1/opportunities", &admin).await;
        let branches = t.list_all("/api/v1/branches", &admin).await;
        let users = t.list_all("/api/v1/users", &admin).await;
        let mut totals = Vec::new();
        for email in SALES_USERS {
            let token = t.token(email).await;
            let me = t.get("/api/v1/me", &token).await.json();
            let reply = t
                .get(&format!("/api/v1/sales/dashboard?{ALL_TIME}"), &token)
                .await;
            assert_eq!(reply.status, StatusCode::OK, "{email}: {}", reply.body);
            let dashboard = reply.json();
            // What the user may list is what the dashboard counts (the permissions test checks
            // the lists against the domain's rule).
            let readable = t.list_all("/api/v1/opportunities", &token).await;
            assert_eq!(
                shown(&dashboard),
                expected(&readable, &pipeline),
                "{} {email}",
                t.name()
            );
            let user_id = me["id"].as_str().unwrap().to_owned();
            let own: Vec<Value> = everything
                .iter()
                .filter(|d| d["owner_id"] == user_id.as_str())
                .cloned()
                .collect();
            match dashboard["scope"].as_str().unwrap() {
                "own" => {
                    assert_eq!(shown(&dashboard), expected(&own, &pipeline), "{email}");
                    assert!(dashboard["people"].as_array().unwrap().is_empty());
                }
                "team" => {
                    let team = users
                        .iter()
                        .find(|u| u["id"] == user_id.as_str())
                        .and_then(|u| u["team_id"].as_str())
                        .expect("a sales manager leads a team");
                    let members: BTreeSet<&str> = users
                        .iter()
                        .filter(|u| u["team_id"] == team)
                        .filter_map(|u| u["id"].as_str())
                        .collect();
                    let team_deals: Vec<Value> = everything
                        .iter()
                        .filter(|d| d["owner_id"].as_str().is_some_and(|o| members.contains(o)))
                        .cloned()
                        .collect();
                    assert_eq!(
                        shown(&dashboard),
                        expected(&team_deals, &pipeline),
                        "{email}"
                    );
                }
                "branch" | "subtree" => {
                    let user = users.iter().find(|u| u["id"] == user_id.as_str()).unwrap();
                    let mine = subtree(&branches, user["branch_id"].as_str().unwrap());
                    let branch_deals: Vec<Value> = everything
                        .iter()
                        .filter(|d| d["branch_id"].as_str().is_some_and(|b| mine.contains(b)))
                        .cloned()
                        .collect();
                    assert_eq!(
                        shown(&dashboard),
                        expected(&branch_deals, &pipeline),
                        "{email}"
                    );
                    assert!(dashboard["branches"].as_array().unwrap().is_empty());
                }
                "all" => {
                    assert_eq!(
                        shown(&dashboard),
                        expected(&everything, &pipeline),
                        "{email}"
                    );
                    // Headquarters compares branches, and the branches add up to the whole.
                    let compared = dashboard["branches"].as_array().unwrap();
                    assert!(compared.len() >= 2, "{}", dashboard["branches"]);
                    let won: i64 = compared
                        .iter()
                        .map(|b| b["won"]["count"].as_i64().unwrap())
                        .sum();
                    assert_eq!(won, dashboard["won"]["count"].as_i64().unwrap());
                }
                other => panic!("unexpected scope {other}"),
            }
            totals.push((email, shown(&dashboard).0));
        }
        // The demo gives every sales person deals, and headquarters sees more than anyone.
        let most = totals.iter().map(|(_, open)| *open).max().unwrap();
        assert_eq!(totals[0].1, most, "{totals:?}");
        assert!(
            totals.iter().skip(1).all(|(_, open)| *open < most),
            "{totals:?}"
        );
    }
}

#[tokio::test]
async fn named_periods_top_customers_and_bad_input() {
    for t in backends().await {
        let admin = t.token("admin@peyvand.demo").await;
        for period in ["month", "quarter", "year"] {
            let reply = t
                .get(
                    &format!("/api/v1/sales/dashboard?period={period}&calendar=jalali"),
                    &admin,
                )
                .await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
            let d = reply.json();
            assert_eq!(d["period"], period);
            let months = d["forecast"]["months"].as_array().unwrap().len();
            assert_eq!(
                months,
                match period {
                    "month" => 1,
                    "quarter" => 3,
                    _ => 12,
                },
                "{period}"
            );
        }
        // The demo's invoices were issued this year (the oldest 220 days ago at most, within
        // the last year); the top customers are ranked by their totals.
        let d = t
            .get(
                "/api/v1/sales/dashboard?period=custom&from=2000-01-01&to=2100-01-01",
                &admin,
            )
            .await
            .json();
        let top = d["top_customers"].as_array().unwrap();
        assert!(!top.is_empty());
        let amounts: Vec<i64> = top.iter().map(|c| c["amount"].as_i64().unwrap()).collect();
        assert!(amounts.windows(2).all(|w| w[0] >= w[1]), "{amounts:?}");
        assert!(top.iter().all(|c| !c["name"].as_str().unwrap().is_empty()));
        // Bad input is a field error, nothing else.
        let bad = t.get("/api/v1/sales/dashboard?period=decade", &admin).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
        assert_eq!(bad.json()["fields"]["period"], "invalid_choice");
        let backwards = t
            .get(
                "/api/v1/sales/dashboard?period=custom&from=2025-02-01&to=2025-01-01",
                &admin,
            )
            .await;
        assert_eq!(backwards.status, StatusCode::UNPROCESSABLE_ENTITY);
        let half = t
            .get(
                "/api/v1/sales/dashboard?period=custom&from=2025-02-01",
                &admin,
            )
            .await;
        assert_eq!(half.json()["fields"]["to"], "required", "{}", half.body);
        // The endpoint is documented.
        let openapi = t.get("/api/v1/openapi.json", &admin).await.json();
        assert_eq!(
            openapi["paths"]["/api/v1/sales/dashboard"]["get"]["operationId"],
            "sales_dashboard"
        );
    }
}

#[tokio::test]
async fn the_page_draws_charts_and_is_refused_without_sales_rights() {
    for t in backends().await {
        // Without any right on opportunities: 403 from the API, no link, and a refused page.
        let service = t.token("service@peyvand.demo").await;
        let refused = t.get("/api/v1/sales/dashboard", &service).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
        let mut outsider = Browser::new(&t);
        outsider.login("service@peyvand.demo").await;
        let home = outsider.get("/").await;
        assert!(!home.body.contains("/sales/dashboard"), "{}", t.name());
        let page = outsider.get("/sales/dashboard").await;
        assert_eq!(page.status, StatusCode::FORBIDDEN);

        let mut browser = Browser::new(&t);
        browser.login("admin@peyvand.demo").await;
        let home = browser.get("/").await;
        assert!(home.body.contains("href=\"/sales/dashboard\""));
        let page = browser.get("/sales/dashboard?period=year").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert_translated("/sales/dashboard", &page.body);
        assert!(page.body.contains("داشبورد فروش"));
        assert!(page.body.contains("<svg class=\"hbar-chart\""));
        assert!(page.body.contains("direction=\"rtl\""));
        assert!(
            page.body.contains("مقایسهٔ شعبه‌ها"),
            "headquarters compares branches"
        );
        // A period of one's own ends on the last day typed, as the heading then shows it.
        let custom = browser
            .get("/sales/dashboard?period=custom&from=1404/01/01&to=1404/06/31")
            .await;
        assert_eq!(custom.status, StatusCode::OK, "{}", custom.body);
        assert!(
            custom.body.contains("۱۴۰۴/۰۱/۰۱ – ۱۴۰۴/۰۶/۳۱"),
            "{}",
            custom.body
        );
        // A rep's page: their own deals, no comparison of branches or people.
        let mut rep = Browser::new(&t);
        rep.login("rep@peyvand.demo").await;
        let own = rep.get("/sales/dashboard?period=quarter").await;
        assert_eq!(own.status, StatusCode::OK);
        assert!(own.body.contains("فرصت‌های شما"));
        assert!(!own.body.contains("مقایسهٔ شعبه‌ها"));
        assert!(!own.body.contains("مقایسهٔ افراد"));
    }
}
