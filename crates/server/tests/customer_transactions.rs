//! A customer's transactions in the 360° view (issue 4 §9) on SQLite and PostgreSQL: payment
//! punctuality for a crafted set of invoices and payments, the customer's opportunities with
//! their stage changes in the timeline, and what users without the rights see.

mod common;

use axum::http::StatusCode;
use common::web_client::Browser;
use common::{TestApp, backends};
use serde_json::{Value, json};
use time::{Date, Duration};

async fn create(t: &TestApp, token: &str, path: &str, body: Value) -> Value {
    let reply = t.post(path, token, body).await;
    assert_eq!(
        reply.status,
        StatusCode::CREATED,
        "{} {path}: {}",
        t.name(),
        reply.body
    );
    reply.json()
}

/// An invoice of `amount` for the account, issued `terms` days before it is due.
async fn invoice(t: &TestApp, token: &str, account: &str, due: Date, amount: i64) -> String {
    let issued = due - Duration::days(30);
    let invoice = create(
        t,
        token,
        "/api/v1/invoices",
        json!({"account_id": account, "issue_date": issued.to_string(), "due_date": due.to_string()}),
    )
    .await;
    let id = invoice["id"].as_str().unwrap().to_owned();
    let line = t
        .post(
            &format!("/api/v1/invoices/{id}/lines"),
            token,
            json!({"description": "خدمات", "quantity": 1, "unit_price": amount, "tax_bp": 0}),
        )
        .await;
    assert!(line.status.is_success(), "{}", line.body);
    id
}

async fn pay(t: &TestApp, token: &str, invoice: &str, amount: i64, on: Date) {
    create(
        t,
        token,
        "/api/v1/payments",
        json!({"invoice_id": invoice, "amount": amount, "paid_on": on.to_string(), "method": "transfer"}),
    )
    .await;
}

#[tokio::test]
async fn punctuality_of_a_crafted_history() {
    for t in backends().await {
        let admin = t.token("admin@peyvand.demo").await;
        let today = t.app.now().date();
        let account = create(
            &t,
            &admin,
            "/api/v1/accounts",
            json!({"name": "شرکت آزمون خوش‌حسابی"}),
        )
        .await;
        let account = account["id"].as_str().unwrap().to_owned();
        let path = format!("/api/v1/accounts/{account}/transactions");
        let first = t.get(&path, &admin).await.json();
        assert_eq!(
            first["punctuality"]["verdict"],
            "no_history",
            "{}",
            t.name()
        );

        // 1: paid in two parts, the second on the due date — on time.
        let due = today - Duration::days(100);
        let one = invoice(&t, &admin, &account, due, 1_000_000).await;
        pay(&t, &admin, &one, 400_000, due - Duration::days(10)).await;
        pay(&t, &admin, &one, 600_000, due).await;
        // 2: paid 12 days late.
        let due = today - Duration::days(60);
        let two = invoice(&t, &admin, &account, due, 500_000).await;
        pay(&t, &admin, &two, 500_000, due + Duration::days(12)).await;
        // 3: 30% paid, 20 days past due now — late and overdue.
        let due = today - Duration::days(20);
        let three = invoice(&t, &admin, &account, due, 2_000_000).await;
        pay(&t, &admin, &three, 600_000, due - Duration::days(5)).await;
        // 4: not yet due — not judged.
        invoice(&t, &admin, &account, today + Duration::days(10), 700_000).await;

        let p = t.get(&path, &admin).await.json()["punctuality"].clone();
        assert_eq!(p["judged"], 3, "{} {p}", t.name());
        assert_eq!(p["on_time"], 1);
        assert_eq!(p["on_time_percent"], 33.3);
        // Late by 12 days and by 20 so far.
        assert_eq!(p["average_days_late"], 16);
        assert_eq!(p["overdue_count"], 1);
        assert_eq!(p["overdue_amount"], 1_400_000);
        assert_eq!(p["longest_overdue_days"], 20);
        assert_eq!(p["verdict"], "bad");

        // Settling the overdue invoice today leaves it late by 20 days, but nothing is overdue.
        pay(&t, &admin, &three, 1_400_000, today).await;
        let p = t.get(&path, &admin).await.json()["punctuality"].clone();
        assert_eq!(
            (p["judged"].as_i64(), p["on_time"].as_i64()),
            (Some(3), Some(1))
        );
        assert_eq!(p["overdue_amount"], 0);
        assert_eq!(p["average_days_late"], 16);

        // The page shows the verdict in words.
        let mut browser = Browser::new(&t);
        browser.login("admin@peyvand.demo").await;
        let page = browser.get(&format!("/accounts/{account}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("بدحساب"), "{}", t.name());
        assert!(page.body.contains("۱ از ۳ فاکتور"), "{}", t.name());
    }
}

#[tokio::test]
async fn the_customer_page_lists_opportunities_and_their_moves() {
    for t in backends().await {
        let admin = t.token("admin@peyvand.demo").await;
        let account = create(
            &t,
            &admin,
            "/api/v1/accounts",
            json!({"name": "شرکت فرصت‌دار"}),
        )
        .await;
        let account = account["id"].as_str().unwrap().to_owned();
        let deal = create(
            &t,
            &admin,
            "/api/v1/opportunities",
            json!({"name": "پروژهٔ آزمایشی ۳۶۰", "account_id": account, "amount": 90_000_000, "expected_close": "2030-01-15"}),
        )
        .await;
        let id = deal["id"].as_str().unwrap();
        let pipeline = deal["pipeline_id"].as_str().unwrap();
        let stages = t
            .get(&format!("/api/v1/pipelines/{pipeline}/stages"), &admin)
            .await
            .json();
        let second = stages["items"][1]["id"].as_str().unwrap().to_owned();
        let moved = t
            .post(
                &format!("/api/v1/opportunities/{id}/move"),
                &admin,
                json!({"version": deal["version"], "stage_id": second}),
            )
            .await;
        assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);

        let found = t
            .get(&format!("/api/v1/accounts/{account}/transactions"), &admin)
            .await
            .json();
        let deals = found["opportunities"].as_array().unwrap();
        assert_eq!(deals.len(), 1, "{}", t.name());
        assert_eq!(deals[0]["stage_id"], second.as_str());
        // The stage change is in the customer's timeline, about the deal.
        let timeline = t
            .get(&format!("/api/v1/accounts/{account}/timeline"), &admin)
            .await
            .json();
        let stage_changes: Vec<&Value> = timeline["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| !e["changes"]["stage_id"].is_null())
            .collect();
        assert_eq!(stage_changes.len(), 2, "create and move: {timeline}");
        assert_eq!(stage_changes[0]["changes"]["stage_id"][1], second.as_str());

        let mut browser = Browser::new(&t);
        browser.login("admin@peyvand.demo").await;
        let page = browser.get(&format!("/accounts/{account}")).await;
        assert!(page.body.contains("id=\"h-opportunities\""));
        assert!(page.body.contains("پروژهٔ آزمایشی ۳۶۰"), "{}", t.name());
        assert!(
            page.body
                .contains(stages["items"][1]["name"].as_str().unwrap())
        );
    }
}

#[tokio::test]
async fn users_without_sales_rights_get_no_section() {
    for t in backends().await {
        let admin = t.token("admin@peyvand.demo").await;
        // An account of the service agent's branch, which every demo role may read.
        let service = t.token("service@peyvand.demo").await;
        let account = t.list_all("/api/v1/accounts", &service).await[0]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let path = format!("/api/v1/accounts/{account}/transactions");
        let full = t.get(&path, &admin).await.json();
        assert!(full["opportunities"].is_array() && full["punctuality"].is_object());
        // The service agent reads no opportunities: no list (null), and no section on the page.
        let found = t.get(&path, &service).await.json();
        assert!(found["opportunities"].is_null(), "{}: {found}", t.name());
        let mut browser = Browser::new(&t);
        browser.login("service@peyvand.demo").await;
        let page = browser.get(&format!("/accounts/{account}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            !page.body.contains("id=\"h-opportunities\""),
            "{}",
            t.name()
        );
        // Marketing reads no invoices: no punctuality.
        let marketing = t.token("marketing@peyvand.demo").await;
        let reply = t.get(&path, &marketing).await;
        if reply.status == StatusCode::OK {
            assert!(reply.json()["punctuality"].is_null(), "{}", reply.body);
        }
        let mut browser = Browser::new(&t);
        browser.login("marketing@peyvand.demo").await;
        let page = browser.get(&format!("/accounts/{account}")).await;
        assert!(!page.body.contains("id=\"h-punctuality\""), "{}", t.name());
    }
}
