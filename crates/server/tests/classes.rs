//! Customer classification end to end (issue 4 §8), on SQLite and PostgreSQL: the scheme and
//! its validation, recompute runs on the job queue compared with classes computed here from
//! the raw invoices, the class on customers (lists, filters, export, access rights, merge),
//! the class's price on a new quote line, contract value from agreed contracts, the nightly
//! schedule, the pages, and that a recompute writes (and gives a new version to) only the
//! customers whose class changed.

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use common::web_client::{Browser, assert_translated, input_value, location};
use common::{Reply, TestApp, backends};
use peyvand_app::App;
use peyvand_app::clock::Clock;
use peyvand_store::CustomerTable;
use serde_json::{Value, json};
use time::{OffsetDateTime, UtcOffset};

const IRAN: UtcOffset = match UtcOffset::from_hms(3, 30, 0) {
    Ok(offset) => offset,
    Err(_) => panic!("Iran's offset"),
};

fn status(reply: &Reply, expected: StatusCode, what: &str) -> Value {
    assert_eq!(reply.status, expected, "{what}: {}", reply.body);
    if reply.body.is_empty() {
        Value::Null
    } else {
        reply.json()
    }
}

fn id(value: &Value) -> String {
    value["id"].as_str().unwrap().to_owned()
}

async fn product(t: &TestApp, admin: &str, code: &str, price: i64, cost: i64) -> String {
    let reply = t
        .post(
            "/api/v1/products",
            admin,
            json!({"code": code, "name": format!("کالای {code}"), "product_kind": "product",
                   "unit": "عدد", "base_price": price, "tax_rate_bp": 0, "cost_price": cost}),
        )
        .await;
    id(&status(&reply, StatusCode::CREATED, "product"))
}

async fn account(t: &TestApp, token: &str, industry: &str) -> String {
    let reply = t
        .post(
            "/api/v1/accounts",
            token,
            json!({"name": format!("شرکت {}", uuid::Uuid::now_v7()), "industry": industry}),
        )
        .await;
    id(&status(&reply, StatusCode::CREATED, "account"))
}

/// A quote with one line, sent, turned into an order and then an invoice (issued today).
async fn purchase(t: &TestApp, token: &str, account: &str, product: &str, quantity: i64) -> Value {
    let quote = id(&status(
        &t.post("/api/v1/quotes", token, json!({"account_id": account}))
            .await,
        StatusCode::CREATED,
        "quote",
    ));
    status(
        &t.post(
            &format!("/api/v1/quotes/{quote}/lines"),
            token,
            json!({"product_id": product, "quantity": quantity}),
        )
        .await,
        StatusCode::CREATED,
        "line",
    );
    status(
        &t.post(
            &format!("/api/v1/quotes/{quote}/status"),
            token,
            json!({"status": "sent"}),
        )
        .await,
        StatusCode::OK,
        "send",
    );
    let order = id(&status(
        &t.post(&format!("/api/v1/quotes/{quote}/convert"), token, json!({}))
            .await,
        StatusCode::CREATED,
        "order",
    ));
    status(
        &t.post(&format!("/api/v1/orders/{order}/convert"), token, json!({}))
            .await,
        StatusCode::CREATED,
        "invoice",
    )
}

async fn put_scheme(t: &TestApp, admin: &str, scheme: Value) -> Value {
    status(
        &t.call(
            axum::http::Method::PUT,
            "/api/v1/settings/classes",
            Some(admin),
            Some(scheme),
        )
        .await,
        StatusCode::OK,
        "scheme",
    )
}

/// Asks for a recompute and lets the job queue run it; returns the finished run.
async fn recompute(t: &TestApp, admin: &str) -> Value {
    let run = status(
        &t.post("/api/v1/classes/recompute", admin, json!({})).await,
        StatusCode::ACCEPTED,
        "recompute",
    );
    assert_eq!(run["state"], "queued");
    let (_stop, stopped) = tokio::sync::watch::channel(false);
    t.app.run_due_jobs(&stopped).await.unwrap();
    status(
        &t.get(&format!("/api/v1/classes/runs/{}", id(&run)), admin)
            .await,
        StatusCode::OK,
        "run",
    )
}

/// What a criterion measures, per customer (`account:id` or `contact:id`), computed here from
/// the invoices, their lines and the products as the API shows them.
async fn measures(t: &TestApp, admin: &str, criterion: &str, days: i64) -> HashMap<String, i64> {
    let today = OffsetDateTime::now_utc().to_offset(IRAN).date();
    let first = today - time::Duration::days(days - 1);
    let costs: HashMap<String, i64> = t
        .list_all("/api/v1/products", admin)
        .await
        .iter()
        .map(|p| (id(p), p["cost_price"].as_i64().unwrap_or(0)))
        .collect();
    let mut out = HashMap::new();
    for invoice in t.list_all("/api/v1/invoices", admin).await {
        let day = time::Date::parse(
            invoice["issue_date"].as_str().unwrap(),
            time::macros::format_description!("[year]-[month]-[day]"),
        )
        .unwrap();
        let counted =
            ["issued", "partly_paid", "paid"].contains(&invoice["status"].as_str().unwrap());
        if !counted || day < first || day > today {
            continue;
        }
        let customer = match (
            invoice["account_id"].as_str(),
            invoice["contact_id"].as_str(),
        ) {
            (Some(account), _) => format!("account:{account}"),
            (None, Some(contact)) => format!("contact:{contact}"),
            (None, None) => continue,
        };
        let value = match criterion {
            "purchase_count" => 1,
            "purchase_amount" => {
                invoice["subtotal"].as_i64().unwrap() - invoice["discount_total"].as_i64().unwrap()
            }
            _ => {
                let lines = status(
                    &t.get(&format!("/api/v1/invoices/{}/lines", id(&invoice)), admin)
                        .await,
                    StatusCode::OK,
                    "lines",
                );
                lines["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|l| {
                        let cost = l["product_id"].as_str().map_or(0, |p| costs[p]);
                        l["net"].as_i64().unwrap() - l["quantity"].as_i64().unwrap() * cost
                    })
                    .sum()
            }
        };
        *out.entry(customer).or_insert(0) += value;
    }
    out
}

/// Every customer's class as the API lists it.
async fn classes_listed(t: &TestApp, token: &str) -> HashMap<String, Option<String>> {
    let mut out = HashMap::new();
    for (path, kind) in [
        ("/api/v1/accounts", "account"),
        ("/api/v1/contacts", "contact"),
    ] {
        for record in t.list_all(path, token).await {
            let class = record["customer_class"].as_str().map(str::to_owned);
            out.insert(format!("{kind}:{}", id(&record)), class);
        }
    }
    out
}

/// The classes expected by shares of the ranking: measure descending, then accounts before
/// contacts, then id; each class ends at its cumulative share of the ranked customers rounded
/// half up; customers without a measure get the last class.
fn expected_by_shares(
    customers: &HashMap<String, Option<String>>,
    measures: &HashMap<String, i64>,
    classes: &[(&str, i64)],
) -> HashMap<String, String> {
    let mut ranked: Vec<(&String, i64)> = customers
        .keys()
        .filter_map(|k| measures.get(k).map(|m| (k, *m)))
        .collect();
    ranked.sort_by(|(a, ma), (b, mb)| mb.cmp(ma).then_with(|| a.cmp(b)));
    let n = ranked.len() as i64;
    let mut expected = HashMap::new();
    let (mut cumulative, mut start) = (0, 0usize);
    for (name, share) in classes {
        cumulative += share;
        let end = ((cumulative * n + 5_000) / 10_000) as usize;
        for (key, _) in &ranked[start..end] {
            expected.insert((*key).clone(), (*name).to_owned());
        }
        start = end;
    }
    let last = classes.last().unwrap().0;
    for key in customers.keys() {
        expected
            .entry(key.clone())
            .or_insert_with(|| last.to_owned());
    }
    expected
}

#[tokio::test]
async fn schemes_are_validated_and_only_administrators_set_them() {
    for t in backends().await {
        let admin = t.token("admin@peyvand.demo").await;
        let rep = t.token("rep@peyvand.demo").await;
        let bad = json!({"criterion": "purchase_amount", "period": {"kind": "last_days", "days": 90},
            "method": "shares", "classes": [
                {"name": "A", "share_bp": 2000}, {"name": "B", "share_bp": 3000}, {"name": "C", "share_bp": 4000}]});
        let reply = t
            .call(
                axum::http::Method::PUT,
                "/api/v1/settings/classes",
                Some(&admin),
                Some(bad.clone()),
            )
            .await;
        let body = status(&reply, StatusCode::UNPROCESSABLE_ENTITY, "shares");
        assert_eq!(body["fields"]["classes"], "shares_total", "{}", reply.body);
        let thresholds = json!({"criterion": "purchase_count", "period": {"kind": "jalali_year", "year": 1404},
            "method": "thresholds", "classes": [
                {"name": "طلایی", "min": 5}, {"name": "نقره‌ای", "min": 5}, {"name": "برنزی", "min": 1}]});
        let reply = t
            .call(
                axum::http::Method::PUT,
                "/api/v1/settings/classes",
                Some(&admin),
                Some(thresholds),
            )
            .await;
        let body = status(&reply, StatusCode::UNPROCESSABLE_ENTITY, "thresholds");
        assert_eq!(body["fields"]["classes.1.min"], "not_descending");
        assert_eq!(body["fields"]["classes.2.min"], "last_is_rest");

        let good = json!({"criterion": "purchase_amount", "period": {"kind": "range", "from": "2025-03-21", "to": "2026-03-20"},
            "method": "shares", "nightly": false, "classes": [
                {"name": "A", "share_bp": 2000, "offer": "ارسال رایگان"}, {"name": "B", "share_bp": 8000}]});
        let reply = t
            .call(
                axum::http::Method::PUT,
                "/api/v1/settings/classes",
                Some(&rep),
                Some(good.clone()),
            )
            .await;
        status(&reply, StatusCode::FORBIDDEN, "a rep sets the scheme");
        let stored = put_scheme(&t, &admin, good).await;
        assert_eq!(stored["period"]["from"], "2025-03-21");
        // Everyone signed in reads it (class names and offers show on customer pages).
        let read = status(
            &t.get("/api/v1/settings/classes", &rep).await,
            StatusCode::OK,
            "read",
        );
        assert_eq!(read["classes"][0]["offer"], "ارسال رایگان");
        for path in ["/api/v1/classes/runs"] {
            status(&t.get(path, &rep).await, StatusCode::FORBIDDEN, path);
        }
        let refused = t.post("/api/v1/classes/recompute", &rep, json!({})).await;
        status(&refused, StatusCode::FORBIDDEN, "a rep recomputes");
        // The document describes the endpoints.
        let document = status(
            &t.get("/api/v1/openapi.json", &admin).await,
            StatusCode::OK,
            "openapi",
        );
        assert!(document["paths"]["/api/v1/classes/recompute"]["post"].is_object());
        assert!(
            document["components"]["schemas"]["accounts"]["properties"]["customer_class"]
                .is_object()
        );
    }
}

#[tokio::test]
async fn recompute_ranks_every_customer_by_purchase_amount() {
    for t in backends().await {
        let admin = t.token("admin@peyvand.demo").await;
        let rep = t.token("rep@peyvand.demo").await;
        let chair = product(&t, &admin, "CH-1", 1_000_000, 600_000).await;
        for quantity in [1, 2, 3, 5, 8, 13] {
            let buyer = account(&t, &rep, "").await;
            purchase(&t, &rep, &buyer, &chair, quantity).await;
        }
        let shares = [("A", 2000), ("B", 3000), ("C", 5000)];
        put_scheme(
            &t,
            &admin,
            json!({"criterion": "purchase_amount", "period": {"kind": "last_days", "days": 30},
                "method": "shares", "classes": [
                    {"name": "A", "share_bp": 2000, "offer": "تخفیف ده درصد"},
                    {"name": "B", "share_bp": 3000}, {"name": "C", "share_bp": 5000}]}),
        )
        .await;
        let run = recompute(&t, &admin).await;
        assert_eq!(run["state"], "done", "{run}");
        assert_eq!(run["percent"], 100);

        let listed = classes_listed(&t, &admin).await;
        let measured = measures(&t, &admin, "purchase_amount", 30).await;
        let expected = expected_by_shares(&listed, &measured, &shares);
        for (customer, class) in &listed {
            assert_eq!(
                class.as_deref(),
                Some(expected[customer].as_str()),
                "{} {customer}",
                t.name()
            );
        }
        let counts: Vec<(String, u64)> = run["counts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["class"].as_str().unwrap().to_owned(),
                    c["customers"].as_u64().unwrap(),
                )
            })
            .collect();
        for (class, n) in &counts {
            assert_eq!(
                *n as usize,
                expected.values().filter(|c| c == &class).count(),
                "{class}"
            );
        }
        assert_eq!(run["total"].as_u64().unwrap() as usize, listed.len());
        assert!(counts[0].1 > 0, "someone is in class A: {run}");

        // A second run changes nothing.
        let again = recompute(&t, &admin).await;
        assert_eq!(again["changed"], 0);
        assert_eq!(again["counts"], run["counts"]);

        // Lists filter by class; a sales rep sees only their own customers of a class, a
        // branch manager those of the branch.
        let class_a: Vec<String> = listed
            .iter()
            .filter(|(k, c)| k.starts_with("account:") && c.as_deref() == Some("A"))
            .map(|(k, _)| k["account:".len()..].to_owned())
            .collect();
        let filtered = t
            .list_all("/api/v1/accounts?customer_class=A", &admin)
            .await;
        let mut ids: Vec<String> = filtered.iter().map(id).collect();
        ids.sort();
        let mut want = class_a.clone();
        want.sort();
        assert_eq!(ids, want);
        for user in ["rep@peyvand.demo", "branch.manager@peyvand.demo"] {
            let token = t.token(user).await;
            let all = t.list_all("/api/v1/accounts", &token).await;
            let mut own_a: Vec<String> = all
                .iter()
                .filter(|r| r["customer_class"] == "A")
                .map(id)
                .collect();
            own_a.sort();
            let mut seen: Vec<String> = t
                .list_all("/api/v1/accounts?customer_class=A", &token)
                .await
                .iter()
                .map(id)
                .collect();
            seen.sort();
            assert_eq!(seen, own_a, "{user}");
            assert!(seen.iter().all(|s| want.contains(s)));
        }
        // The export carries the class.
        let export = t
            .get(
                "/api/v1/accounts/export?format=csv&customer_class=A",
                &admin,
            )
            .await;
        assert_eq!(export.status, StatusCode::OK);
        assert_eq!(
            export.body.lines().count(),
            want.len() + 1,
            "{}",
            export.body
        );

        // One audit entry per run, with the counts; the runs are listed.
        let runs = status(
            &t.get("/api/v1/classes/runs", &admin).await,
            StatusCode::OK,
            "runs",
        );
        assert_eq!(runs["items"][0]["id"], again["id"]);
        assert_eq!(runs["items"][1]["id"], run["id"]);
    }
}

#[tokio::test]
async fn thresholds_on_margin_and_count_follow_the_cost_prices() {
    for t in backends().await {
        let admin = t.token("admin@peyvand.demo").await;
        let rep = t.token("rep@peyvand.demo").await;
        // Dear goods with a thin margin against cheap goods with a wide one.
        let thin = product(&t, &admin, "TH-1", 100_000_000, 99_000_000).await;
        let wide = product(&t, &admin, "WD-1", 10_000_000, 1_000_000).await;
        let big_spender = account(&t, &rep, "").await;
        let good_margin = account(&t, &rep, "").await;
        purchase(&t, &rep, &big_spender, &thin, 5).await;
        purchase(&t, &rep, &good_margin, &wide, 5).await;
        purchase(&t, &rep, &good_margin, &wide, 1).await;
        for (criterion, a, b) in [
            ("margin", 40_000_000i64, 4_000_000i64),
            ("purchase_count", 2, 1),
        ] {
            put_scheme(
                &t,
                &admin,
                json!({"criterion": criterion, "period": {"kind": "last_days", "days": 7},
                    "method": "thresholds", "classes": [
                        {"name": "طلایی", "min": a}, {"name": "نقره‌ای", "min": b}, {"name": "برنزی"}]}),
            )
            .await;
            let run = recompute(&t, &admin).await;
            assert_eq!(run["state"], "done", "{run}");
            let listed = classes_listed(&t, &admin).await;
            let measured = measures(&t, &admin, criterion, 7).await;
            for (customer, class) in &listed {
                let expected = match measured.get(customer) {
                    Some(m) if *m >= a => "طلایی",
                    Some(m) if *m >= b => "نقره‌ای",
                    _ => "برنزی",
                };
                assert_eq!(class.as_deref(), Some(expected), "{criterion} {customer}");
            }
            let good = &listed[&format!("account:{good_margin}")];
            assert_eq!(good.as_deref(), Some("طلایی"), "{criterion}");
        }
        let listed = classes_listed(&t, &admin).await;
        // By count the big spender bought once: silver.
        assert_eq!(
            listed[&format!("account:{big_spender}")].as_deref(),
            Some("نقره‌ای")
        );
    }
}

#[tokio::test]
async fn industries_map_to_classes() {
    for t in backends().await {
        let admin = t.token("admin@peyvand.demo").await;
        let rep = t.token("rep@peyvand.demo").await;
        let oil = account(&t, &rep, "نفت و گاز").await;
        let cars = account(&t, &rep, "خودرو").await;
        let other = account(&t, &rep, "کشاورزی").await;
        put_scheme(
            &t,
            &admin,
            json!({"criterion": "industry", "period": {"kind": "last_days", "days": 365},
                "method": "shares", "classes": [
                    {"name": "راهبردی", "industries": ["نفت و گاز", "پتروشیمی"]},
                    {"name": "صنعتی", "industries": ["خودرو"]}, {"name": "سایر"}]}),
        )
        .await;
        let run = recompute(&t, &admin).await;
        assert_eq!(run["state"], "done", "{run}");
        let listed = classes_listed(&t, &admin).await;
        assert_eq!(
            listed[&format!("account:{oil}")].as_deref(),
            Some("راهبردی")
        );
        assert_eq!(listed[&format!("account:{cars}")].as_deref(), Some("صنعتی"));
        assert_eq!(listed[&format!("account:{other}")].as_deref(), Some("سایر"));
    }
}

#[tokio::test]
async fn a_class_a_customer_gets_the_class_a_price_on_a_new_quote_line() {
    for t in backends().await {
        let admin = t.token("admin@peyvand.demo").await;
        let rep = t.token("rep@peyvand.demo").await;
        let desk = product(&t, &admin, "DK-1", 50_000_000, 30_000_000).await;
        let loyal = account(&t, &rep, "").await;
        let newcomer = account(&t, &rep, "").await;
        purchase(&t, &rep, &loyal, &desk, 40).await;
        put_scheme(
            &t,
            &admin,
            json!({"criterion": "purchase_amount", "period": {"kind": "last_days", "days": 30},
                "method": "thresholds", "classes": [
                    {"name": "A", "min": 1_000_000_000, "offer": "قیمت ویژهٔ میز"}, {"name": "B"}]}),
        )
        .await;
        assert_eq!(recompute(&t, &admin).await["state"], "done");
        // A price list names classes of the scheme only (issue 4 §8), as routing rules do.
        let unknown = t
            .post(
                "/api/v1/price-lists",
                &admin,
                json!({"name": "فهرست طبقه Z", "customer_classes": ["A", "Z"], "valid_from": "2020-01-01"}),
            )
            .await;
        let unknown = status(&unknown, StatusCode::UNPROCESSABLE_ENTITY, "unknown class");
        assert_eq!(
            unknown["fields"]["customer_classes"], "unknown_class",
            "{unknown}"
        );
        let list = id(&status(
            &t.post(
                "/api/v1/price-lists",
                &admin,
                json!({"name": "فهرست طبقه A", "customer_classes": ["A"], "valid_from": "2020-01-01"}),
            )
            .await,
            StatusCode::CREATED,
            "price list",
        ));
        status(
            &t.post(
                "/api/v1/price-list-items",
                &admin,
                json!({"price_list_id": list, "product_id": desk, "unit_price": 45_000_000}),
            )
            .await,
            StatusCode::CREATED,
            "price",
        );
        let mut admin_browser = Browser::new(&t);
        admin_browser.login("admin@peyvand.demo").await;
        let form = admin_browser
            .get(&format!("/price-lists/{list}/edit"))
            .await;
        assert!(
            form.body
                .contains(r#"<input type="checkbox" name="customer_classes" value="A" checked>"#)
                && form.body.contains(r#"name="customer_classes" value="B">"#),
            "{}",
            form.body
        );
        let line_price = |customer: String| {
            let t = &t;
            let rep = rep.clone();
            let desk = desk.clone();
            async move {
                let quote = id(&status(
                    &t.post("/api/v1/quotes", &rep, json!({"account_id": customer}))
                        .await,
                    StatusCode::CREATED,
                    "quote",
                ));
                let line = status(
                    &t.post(
                        &format!("/api/v1/quotes/{quote}/lines"),
                        &rep,
                        json!({"product_id": desk, "quantity": 1}),
                    )
                    .await,
                    StatusCode::CREATED,
                    "line",
                );
                line["items"][0]["unit_price"].as_i64().unwrap()
            }
        };
        assert_eq!(line_price(loyal.clone()).await, 45_000_000);
        assert_eq!(line_price(newcomer.clone()).await, 50_000_000);
        let proposed = status(
            &t.get(
                &format!("/api/v1/products/{desk}/price?account_id={loyal}"),
                &rep,
            )
            .await,
            StatusCode::OK,
            "price",
        );
        assert_eq!(proposed["unit_price"], 45_000_000, "{proposed}");

        // The customer page shows the class with its offer and price list.
        let mut browser = Browser::new(&t);
        browser.login("rep@peyvand.demo").await;
        let page = browser.get(&format!("/accounts/{loyal}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("id=\"customer-class\""), "{}", page.body);
        assert!(page.body.contains("قیمت ویژهٔ میز"));
        assert!(page.body.contains("فهرست طبقه A"));
        assert_translated("/accounts/{id}", &page.body);
    }
}

#[tokio::test]
async fn contract_value_ranks_by_agreed_contracts_only() {
    for t in backends().await {
        let admin = t.token("admin@peyvand.demo").await;
        let today = OffsetDateTime::now_utc().to_offset(IRAN).date();
        let end = today + time::Duration::days(365);
        let contract = async |account: &str, value: i64| -> String {
            let body = json!({"title": "قرارداد آزمون", "account_id": account,
                "start_date": today.to_string(), "end_date": end.to_string(), "value": value});
            id(&status(
                &t.post("/api/v1/contracts", &admin, body).await,
                StatusCode::CREATED,
                "contract",
            ))
        };
        let agreed = account(&t, &admin, "retail").await;
        let drafted = account(&t, &admin, "retail").await;
        let small = account(&t, &admin, "retail").await;
        let big = contract(&agreed, 9_000_000_000).await;
        for to in ["approved", "active"] {
            status(
                &t.post(
                    &format!("/api/v1/contracts/{big}/status"),
                    &admin,
                    json!({"status": to}),
                )
                .await,
                StatusCode::OK,
                to,
            );
        }
        // A draft counts for nothing, however large.
        contract(&drafted, 50_000_000_000).await;
        let modest = contract(&small, 10_000_000).await;
        status(
            &t.post(
                &format!("/api/v1/contracts/{modest}/status"),
                &admin,
                json!({"status": "approved"}),
            )
            .await,
            StatusCode::OK,
            "approved",
        );
        put_scheme(
            &t,
            &admin,
            json!({"criterion": "contract_value", "period": {"kind": "last_days", "days": 30},
                "method": "thresholds", "classes": [
                    {"name": "A", "min": 5_000_000_000_i64}, {"name": "B", "min": 1}, {"name": "C"}]}),
        )
        .await;
        let run = recompute(&t, &admin).await;
        assert_eq!(run["state"], "done", "{}: {run}", t.name());
        let classes = classes_listed(&t, &admin).await;
        let class_of = |account: &str| classes[&format!("account:{account}")].clone();
        assert_eq!(class_of(&agreed).as_deref(), Some("A"), "{}", t.name());
        assert_eq!(class_of(&small).as_deref(), Some("B"));
        assert_eq!(class_of(&drafted).as_deref(), Some("C"));
    }
}

#[tokio::test]
async fn the_class_is_kept_out_of_users_hands_and_merging_keeps_one() {
    for t in backends().await {
        let admin = t.token("admin@peyvand.demo").await;
        let rep = t.token("rep@peyvand.demo").await;
        let reply = t
            .post(
                "/api/v1/accounts",
                &rep,
                json!({"name": "شرکت آزمون", "customer_class": "A"}),
            )
            .await;
        let body = status(
            &reply,
            StatusCode::UNPROCESSABLE_ENTITY,
            "create with a class",
        );
        // The class is the system's to set.
        assert_eq!(body["fields"]["customer_class"], "read_only");
        let classed: Vec<Value> = t
            .list_all("/api/v1/accounts", &admin)
            .await
            .into_iter()
            .filter(|a| a["customer_class"].is_string())
            .collect();
        let patch = t
            .patch(
                &format!("/api/v1/accounts/{}", id(&classed[0])),
                &admin,
                json!({"customer_class": "x", "version": classed[0]["version"]}),
            )
            .await;
        status(&patch, StatusCode::UNPROCESSABLE_ENTITY, "update a class");
        // Two classed accounts merged: the survivor keeps a class of the scheme.
        let (a, b) = (&classed[0], &classed[1]);
        let merged = t
            .post(
                "/api/v1/accounts/merge",
                &admin,
                json!({"survivor": id(a), "others": [id(b)], "version": a["version"]}),
            )
            .await;
        let merged = status(&merged, StatusCode::OK, "merge");
        assert!(
            [&a["customer_class"], &b["customer_class"]].contains(&&merged["customer_class"]),
            "{merged}"
        );
    }
}

/// Every customer's class and version, keyed `account:id` or `contact:id`.
async fn classes_and_versions(t: &TestApp, token: &str) -> HashMap<String, (Value, i64)> {
    let mut out = HashMap::new();
    for (path, kind) in [
        ("/api/v1/accounts", "account"),
        ("/api/v1/contacts", "contact"),
    ] {
        for record in t.list_all(path, token).await {
            let version = record["version"].as_i64().unwrap();
            let class = record["customer_class"].clone();
            out.insert(format!("{kind}:{}", id(&record)), (class, version));
        }
    }
    out
}

#[tokio::test]
async fn a_recompute_writes_only_the_customers_whose_class_changed() {
    for t in backends().await {
        let admin = t.token("admin@peyvand.demo").await;
        let rep = t.token("rep@peyvand.demo").await;
        let chair = product(&t, &admin, "CH-V", 1_000_000, 600_000).await;
        let mut buyers = Vec::new();
        for quantity in [1, 2, 3, 5] {
            let buyer = account(&t, &rep, "").await;
            purchase(&t, &rep, &buyer, &chair, quantity).await;
            buyers.push(buyer);
        }
        // A customer who never buys stays in the last class.
        let idle = account(&t, &rep, "").await;
        put_scheme(
            &t,
            &admin,
            json!({"criterion": "purchase_amount", "period": {"kind": "last_days", "days": 30},
                "method": "shares", "classes": [
                    {"name": "A", "share_bp": 2000}, {"name": "B", "share_bp": 3000},
                    {"name": "C", "share_bp": 5000}]}),
        )
        .await;
        recompute(&t, &admin).await;

        // The idle customer's edit form is opened before a run that moves other customers.
        let mut browser = Browser::new(&t);
        browser.login("rep@peyvand.demo").await;
        let form = browser.get(&format!("/accounts/{idle}/edit")).await;
        assert_eq!(form.status, StatusCode::OK, "{}", form.body);
        let version = input_value(&form.body, "version").expect("a version");

        // The smallest buyer becomes the biggest by far: its class changes to A.
        let yacht = product(&t, &admin, "YT-V", 10_000_000_000_000, 0).await;
        purchase(&t, &rep, &buyers[0], &yacht, 1).await;
        let before = classes_and_versions(&t, &admin).await;
        let run = recompute(&t, &admin).await;
        let after = classes_and_versions(&t, &admin).await;
        let mut changed = 0;
        for (customer, (class, version)) in &after {
            let (old_class, old_version) = &before[customer];
            if class == old_class {
                assert_eq!(
                    version,
                    old_version,
                    "{}: {customer} kept {class}",
                    t.name()
                );
            } else {
                changed += 1;
                assert_eq!(
                    *version,
                    old_version + 1,
                    "{}: {customer} written once",
                    t.name()
                );
            }
        }
        let mover = &after[&format!("account:{}", buyers[0])];
        assert_eq!(mover.0, "A", "{}", t.name());
        assert!(
            changed > 0 && changed < after.len(),
            "{}: {changed}",
            t.name()
        );
        assert_eq!(run["changed"], changed, "{}: {run}", t.name());

        // Another run that computed the same change from the same snapshot (a second process
        // sharing the database) finds it made and writes nothing.
        let mover_id: uuid::Uuid = buyers[0].parse().unwrap();
        let mut tx = t.app.store().write().await.unwrap();
        let written = tx
            .set_customer_classes(CustomerTable::Accounts, "A", &[mover_id])
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(written, 0, "{}", t.name());
        let now = classes_and_versions(&t, &admin).await;
        assert_eq!(now[&format!("account:{}", buyers[0])], *mover);

        // The form opened before the run saves: nothing it shows or sends changed.
        let saved = browser
            .post(
                &format!("/accounts/{idle}"),
                &[("version", version.as_str()), ("name", "شرکت بی‌خرید")],
            )
            .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    }
}

#[derive(Debug)]
struct ManualClock(Mutex<OffsetDateTime>);

impl Clock for ManualClock {
    fn now(&self) -> OffsetDateTime {
        *self.0.lock().unwrap()
    }
}

#[tokio::test]
async fn the_nightly_recompute_is_queued_once_per_night() {
    for t in backends().await {
        let admin = t.token("admin@peyvand.demo").await;
        // 01:30 in Tehran: too early.
        let clock = Arc::new(ManualClock(Mutex::new(
            time::macros::datetime!(2026-05-01 01:30 +03:30).to_offset(UtcOffset::UTC),
        )));
        let store = peyvand_store::Store::connect(&t.url).await.unwrap();
        let worker = App::with_clock(store, clock.clone());
        assert!(!worker.classification_sweep().await.unwrap());
        // 02:10: the night's run is queued, once, whichever process looks.
        *clock.0.lock().unwrap() =
            time::macros::datetime!(2026-05-01 02:10 +03:30).to_offset(UtcOffset::UTC);
        assert!(worker.classification_sweep().await.unwrap());
        assert!(!worker.classification_sweep().await.unwrap());
        let other = App::with_clock(
            peyvand_store::Store::connect(&t.url).await.unwrap(),
            clock.clone(),
        );
        assert!(!other.classification_sweep().await.unwrap());
        let (_stop, stopped) = tokio::sync::watch::channel(false);
        worker.run_due_jobs(&stopped).await.unwrap();
        let runs = status(
            &t.get("/api/v1/classes/runs", &admin).await,
            StatusCode::OK,
            "runs",
        );
        let nightly: Vec<&Value> = runs["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["origin"] == "nightly")
            .collect();
        assert_eq!(nightly.len(), 1, "{runs}");
        assert_eq!(nightly[0]["state"], "done");
        // The next night queues the next run; a scheme without nightly runs queues none.
        *clock.0.lock().unwrap() =
            time::macros::datetime!(2026-05-02 03:00 +03:30).to_offset(UtcOffset::UTC);
        let mut scheme = status(
            &t.get("/api/v1/settings/classes", &admin).await,
            StatusCode::OK,
            "scheme",
        );
        scheme["nightly"] = json!(false);
        put_scheme(&t, &admin, scheme.clone()).await;
        assert!(!worker.classification_sweep().await.unwrap());
        scheme["nightly"] = json!(true);
        put_scheme(&t, &admin, scheme).await;
        assert!(worker.classification_sweep().await.unwrap());
        worker.close().await;
        other.close().await;
    }
}

#[tokio::test]
async fn the_settings_page_saves_the_scheme_and_shows_a_run() {
    for t in backends().await {
        let mut browser = Browser::new(&t);
        browser.login("admin@peyvand.demo").await;
        let page = browser.get("/settings/classes").await;
        assert_eq!(page.status, StatusCode::OK);
        // The demo scheme and its gold price list are shown.
        assert!(page.body.contains("طلایی"), "{}", page.body);
        assert!(page.body.contains("فهرست قیمت مشتریان طلایی"));
        assert_translated("/settings/classes", &page.body);
        let form = [
            ("criterion", "purchase_count"),
            ("period_kind", "last_days"),
            ("days", "۹۰"),
            ("method", "shares"),
            ("nightly", "1"),
            ("name_0", "الف"),
            ("share_0", "۲۰"),
            ("name_1", "ب"),
            ("share_1", "۷۰"),
        ];
        let refused = browser.post("/settings/classes", &form).await;
        assert_eq!(refused.status, StatusCode::OK);
        assert!(
            refused.body.contains("سهم طبقه‌ها باید روی هم ۱۰۰٪ شود"),
            "{}",
            refused.body
        );
        let mut fixed = form.to_vec();
        fixed[8] = ("share_1", "۸۰");
        let saved = browser.post("/settings/classes", &fixed).await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
        let admin = t.token("admin@peyvand.demo").await;
        let scheme = status(
            &t.get("/api/v1/settings/classes", &admin).await,
            StatusCode::OK,
            "scheme",
        );
        assert_eq!(scheme["criterion"], "purchase_count");
        assert_eq!(scheme["period"]["days"], 90);
        assert_eq!(scheme["classes"][1]["share_bp"], 8000);
        browser.get("/settings/classes").await;
        let started = browser.post("/settings/classes/recompute", &[]).await;
        assert_eq!(started.status, StatusCode::SEE_OTHER);
        let run_page = location(&started);
        let waiting = browser.get(&run_page).await;
        assert!(waiting.body.contains("http-equiv=\"refresh\""));
        let (_stop, stopped) = tokio::sync::watch::channel(false);
        t.app.run_due_jobs(&stopped).await.unwrap();
        let done = browser.get(&run_page).await;
        assert!(!done.body.contains("http-equiv=\"refresh\""));
        assert!(done.body.contains("الف"), "{}", done.body);
        assert_translated(&run_page, &done.body);
        // Other roles may not open the settings.
        let mut rep = Browser::new(&t);
        rep.login("rep@peyvand.demo").await;
        assert_eq!(
            rep.get("/settings/classes").await.status,
            StatusCode::FORBIDDEN
        );
    }
}
