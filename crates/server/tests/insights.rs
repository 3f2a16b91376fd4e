//! The analytical CRM in the app (issue 6) on both databases: a recomputation through the job
//! queue, the scores computed from Peyvand's own invoices, the outputs as JSON and CSV, the
//! pages, and who may see what.

mod common;

use std::collections::BTreeMap;

use axum::http::StatusCode;
use common::web_client::Browser;
use common::{TestApp, backends};
use serde_json::{Value, json};

/// Queues a run through the API and lets the job worker perform it.
async fn recompute(t: &TestApp, token: &str) -> Value {
    let queued = t.post("/api/v1/insights/runs", token, json!({})).await;
    assert_eq!(queued.status, StatusCode::ACCEPTED, "{}", queued.body);
    let run = queued.json();
    assert!(
        run["state"] == "queued" || run["state"] == "running",
        "{run}"
    );
    let (_stop_tx, stop) = tokio::sync::watch::channel(false);
    t.app.run_due_jobs(&stop).await.unwrap();
    let id = run["id"].as_str().unwrap();
    let done = t
        .get(&format!("/api/v1/insights/runs/{id}"), token)
        .await
        .json();
    assert_eq!(done["state"], "done", "{} {done}", t.name());
    assert_eq!(done["progress"], 100);
    done
}

/// Every invoice that counts as an order, summed per customer: the account, or the contact
/// when the invoice has no account.
async fn revenue_by_customer(t: &TestApp, token: &str) -> BTreeMap<String, i64> {
    let mut sums = BTreeMap::new();
    for invoice in t.list_all("/api/v1/invoices", token).await {
        if invoice["status"] == "cancelled" || invoice["issue_date"].is_null() {
            continue;
        }
        let customer = invoice["account_id"]
            .as_str()
            .or(invoice["contact_id"].as_str());
        if let Some(customer) = customer {
            *sums.entry(customer.to_owned()).or_default() += invoice["total"].as_i64().unwrap();
        }
    }
    sums
}

#[tokio::test]
async fn scores_come_from_the_invoices_and_each_role_sees_its_reach() {
    for t in backends().await {
        let admin = t.token("admin@peyvand.demo").await;
        let before = t.get("/api/v1/insights/customers", &admin).await.json();
        assert_eq!(before["items"].as_array().unwrap().len(), 0, "no run yet");
        let run = recompute(&t, &admin).await;
        assert!(run["summary"]["customers"].as_i64().unwrap() > 0, "{run}");
        // The demo's purchase history is long enough for every model to fit.
        for fitted in ["bgnbd", "gamma_gamma", "churn_auc"] {
            assert!(!run["summary"][fitted].is_null(), "{fitted}: {run}");
        }
        for failed in ["clv_error", "churn_error", "basket_error"] {
            assert!(run["summary"][failed].is_null(), "{failed}: {run}");
        }
        assert!(run["summary"]["rules"].as_i64().unwrap() > 0, "{run}");

        let expected = revenue_by_customer(&t, &admin).await;
        let mut seen = BTreeMap::new();
        let mut cursor = String::new();
        loop {
            let page = t
                .get(
                    &format!("/api/v1/insights/customers?limit=3&cursor={cursor}"),
                    &admin,
                )
                .await;
            assert_eq!(page.status, StatusCode::OK, "{}", page.body);
            let page = page.json();
            for item in page["items"].as_array().unwrap() {
                let segment = item["segment"].as_str().unwrap();
                assert!(!segment.is_empty());
                assert!((1..=5).contains(&item["r"].as_i64().unwrap()));
                seen.insert(
                    item["customer_id"].as_str().unwrap().to_owned(),
                    item["revenue"].as_i64().unwrap(),
                );
            }
            match page["next_cursor"].as_str() {
                Some(next) => cursor = next.to_owned(),
                None => break,
            }
        }
        assert_eq!(seen, expected, "{}: revenue per customer", t.name());

        // Groups add up to the customers.
        let groups = t
            .get("/api/v1/insights/groups/segment", &admin)
            .await
            .json();
        let counted: i64 = groups["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["customers"].as_i64().unwrap())
            .sum();
        assert_eq!(counted as usize, seen.len());
        let tiers = t.get("/api/v1/insights/groups/tier", &admin).await.json();
        assert!(!tiers["items"].as_array().unwrap().is_empty());
        let unknown = t.get("/api/v1/insights/groups/colour", &admin).await;
        assert_eq!(unknown.status, StatusCode::NOT_FOUND);

        // CSV of every output.
        for path in [
            "/api/v1/insights/customers?format=csv",
            "/api/v1/insights/retention?format=csv",
            "/api/v1/insights/groups/cell?format=csv",
            "/api/v1/insights/rules?format=csv",
            "/api/v1/insights/nps?format=csv",
        ] {
            let file = t.get(path, &admin).await;
            assert_eq!(file.status, StatusCode::OK, "{path}: {}", file.body);
            assert!(
                file.headers["content-type"]
                    .to_str()
                    .unwrap()
                    .starts_with("text/csv")
            );
        }
        let csv = t.get("/api/v1/insights/customers?format=csv", &admin).await;
        assert_eq!(
            csv.body.lines().count(),
            seen.len() + 1,
            "header and one line per customer"
        );

        // Access: marketing sees analytics; a sales rep and a viewer do not.
        let marketing = t.token("marketing@peyvand.demo").await;
        let theirs = t.get("/api/v1/insights/customers", &marketing).await;
        assert_eq!(theirs.status, StatusCode::OK);
        for who in ["rep@peyvand.demo", "viewer@peyvand.demo"] {
            let token = t.token(who).await;
            let refused = t.get("/api/v1/insights/customers", &token).await;
            assert_eq!(refused.status, StatusCode::FORBIDDEN, "{who}");
            let refused = t.post("/api/v1/insights/runs", &token, json!({})).await;
            assert_eq!(refused.status, StatusCode::FORBIDDEN, "{who}");
        }
        // The scored accounts (contacts buying on their own are scored too).
        let accounts: Vec<String> = t
            .list_all("/api/v1/accounts", &admin)
            .await
            .iter()
            .map(|a| a["id"].as_str().unwrap().to_owned())
            .filter(|id| seen.contains_key(id))
            .collect();
        assert!(seen.len() > accounts.len(), "contacts are scored as well");
        // A sales rep sees their own customers' scores on the customer page, not others'.
        let rep = t.token("rep@peyvand.demo").await;
        let own = t.list_all("/api/v1/accounts", &rep).await;
        let own_ids: Vec<String> = own
            .iter()
            .map(|a| a["id"].as_str().unwrap().to_owned())
            .collect();
        let scored_own = own_ids.iter().find(|id| seen.contains_key(*id));
        if let Some(id) = scored_own {
            let card = t
                .get(&format!("/api/v1/accounts/{id}/insights"), &rep)
                .await;
            assert_eq!(card.status, StatusCode::OK, "{}", card.body);
            assert_eq!(card.json()["score"]["revenue"], json!(seen[id]));
        }
        let other = accounts.iter().find(|id| !own_ids.contains(id)).unwrap();
        let hidden = t
            .get(&format!("/api/v1/accounts/{other}/insights"), &rep)
            .await;
        assert_eq!(hidden.status, StatusCode::NOT_FOUND, "{}", t.name());
        let viewer = t.token("viewer@peyvand.demo").await;
        let refused = t
            .get(&format!("/api/v1/accounts/{other}/insights"), &viewer)
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);

        // The retention list can be tagged in one action (everyone when the bar is 0).
        let tagged = t
            .post(
                "/api/v1/insights/retention/tag",
                &admin,
                json!({"tag": "retention-test", "min_churn": 0.0}),
            )
            .await;
        assert_eq!(tagged.status, StatusCode::OK, "{}", tagged.body);
        let tagged_count = tagged.json()["tagged"].as_i64().unwrap();
        let churn_scored = t
            .get("/api/v1/insights/retention?min_churn=0&limit=1000", &admin)
            .await
            .json()["items"]
            .as_array()
            .unwrap()
            .len();
        assert_eq!(tagged_count as usize, churn_scored);
        if let Some(id) = accounts.first().filter(|_| tagged_count > 0) {
            let account = t
                .get(&format!("/api/v1/accounts/{id}"), &admin)
                .await
                .json();
            let tags = account["tags"].as_array().cloned().unwrap_or_default();
            assert!(tags.contains(&json!("retention-test")) || churn_scored < seen.len());
        }

        // OpenAPI and pages.
        let doc = t.get("/api/v1/openapi.json", &admin).await.json();
        for path in [
            "/api/v1/insights/customers",
            "/api/v1/insights/runs",
            "/api/v1/insights/nps",
            "/api/v1/products/{id}/also-bought",
        ] {
            assert!(doc["paths"][path].is_object(), "{path} documented");
        }
        let mut browser = Browser::new(&t);
        browser.login("admin@peyvand.demo").await;
        for tab in [
            "", "/clv", "/churn", "/basket", "/nps", "/pyramid", "/matrix", "/loyalty",
        ] {
            let page = browser.get(&format!("/insights{tab}")).await;
            assert_eq!(page.status, StatusCode::OK, "/insights{tab}");
        }
        let page = browser.get("/insights").await;
        assert!(page.body.contains("<svg class=\"chart\""), "{}", t.name());
        assert!(page.body.contains("تحلیل مشتریان"));
        let id = &accounts[0];
        let record = browser.get(&format!("/accounts/{id}")).await;
        assert!(record.body.contains("id=\"insights\""), "customer panel");
        let mut rep_browser = Browser::new(&t);
        rep_browser.login("rep@peyvand.demo").await;
        let refused = rep_browser.get("/insights").await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
    }
}
