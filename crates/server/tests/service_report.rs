//! The service report through the API and its page, on both databases: counts, response and
//! resolution, channels, satisfaction, the monthly history with a forecast, and access rights.

mod common;

use axum::http::StatusCode;
use common::web_client::Browser;
use common::{TestApp, backends};
use serde_json::{Value, json};

async fn report(t: &TestApp, token: &str) -> Value {
    let reply = t.get("/api/v1/reports/service", token).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.json()
}

fn channel(report: &Value, code: &str) -> i64 {
    report["by_channel"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["key"] == code)
        .map_or(0, |c| c["cases"].as_i64().unwrap())
}

#[tokio::test]
async fn the_service_report_counts_what_the_user_may_see() {
    for t in backends().await {
        let admin = t.token("admin@peyvand.demo").await;
        let before = report(&t, &admin).await;
        let account = t
            .post("/api/v1/accounts", &admin, json!({"name": "شرکت گزارش"}))
            .await
            .json();
        let mut ids = Vec::new();
        for channel in ["phone", "email", "phone"] {
            let case = t
                .post(
                    "/api/v1/cases",
                    &admin,
                    json!({"case_type": "request", "subject": "گزارش",
                    "description": "x", "channel": channel, "account_id": account["id"]}),
                )
                .await;
            assert_eq!(case.status, StatusCode::CREATED, "{}", case.body);
            ids.push(case.json()["id"].as_str().unwrap().to_owned());
        }
        let path = format!("/api/v1/cases/{}", ids[0]);
        let reply = t
            .post(
                &format!("{path}/entries"),
                &admin,
                json!({"kind": "reply", "body": "بررسی شد"}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED);
        for to in ["assigned", "in_progress", "resolved"] {
            let moved = t
                .post(&format!("{path}/transition"), &admin, json!({"status": to}))
                .await;
            assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
        }

        let after = report(&t, &admin).await;
        let delta = |name: &str| after[name].as_i64().unwrap() - before[name].as_i64().unwrap();
        assert_eq!(delta("opened"), 3, "{}", t.name());
        assert_eq!(delta("responded"), 1);
        assert_eq!(delta("resolved"), 1);
        assert_eq!(channel(&after, "phone") - channel(&before, "phone"), 2);
        assert_eq!(channel(&after, "email") - channel(&before, "email"), 1);
        let months = after["monthly"].as_array().unwrap();
        assert_eq!(months.len(), 12);
        assert!(months.last().unwrap()["cases"].as_i64().unwrap() >= 3);
        assert!(after["forecast_next_month"].is_i64(), "{after}");

        // A service agent sees their branch; a sales rep only the cases they own, none of these.
        let rep = t.token("rep@peyvand.demo").await;
        let theirs = report(&t, &rep).await;
        assert!(theirs["opened"].as_i64().unwrap() < after["opened"].as_i64().unwrap());
        let viewer_of_nothing = t.token("marketing@peyvand.demo").await;
        let refused = t.get("/api/v1/reports/service", &viewer_of_nothing).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", t.name());
        let bad = t
            .get(
                "/api/v1/reports/service?from=2026-12-01&to=2026-01-01",
                &admin,
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);

        let mut browser = Browser::new(&t);
        browser.login("admin@peyvand.demo").await;
        let page = browser.get("/reports/service").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("<svg class=\"chart\""), "{}", t.name());
        assert!(page.body.contains("پیش‌بینی ماه آینده"));
    }
}
