//! Products on opportunities and quotes made from them (issue 4 §2, §6), end to end on SQLite
//! and PostgreSQL: lines priced from the customer's price list, the deal's amount as their
//! total, bad input, access rights, a quote made (twice) from a deal and the links between
//! them, the opportunity's page; and a case's contract of its own customer, and the contract's
//! printable page in Tomans.

mod common;

use axum::http::StatusCode;
use common::web_client::{Browser, assert_translated, input_value, location};
use common::{Reply, TestApp, backends};
use serde_json::{Value, json};

fn created(reply: &Reply, what: &str) -> Value {
    assert_eq!(reply.status, StatusCode::CREATED, "{what}: {}", reply.body);
    reply.json()
}

fn ok(reply: &Reply, what: &str) -> Value {
    assert_eq!(reply.status, StatusCode::OK, "{what}: {}", reply.body);
    reply.json()
}

/// Asserts a 422 with `code` on `field`.
fn field_error(reply: &Reply, field: &str, code: &str) {
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{field}: {}",
        reply.body
    );
    assert_eq!(reply.json()["fields"][field], code, "{}", reply.body);
}

fn id_of(value: &Value) -> String {
    value["id"].as_str().expect("an id").to_owned()
}

/// A product at `price` Rials with `tax` basis points, and a wholesale price list that sells
/// it at `wholesale` Rials.
async fn priced_product(t: &TestApp, admin: &str, price: i64, tax: i64, wholesale: i64) -> String {
    let code = format!("OL-{}", uuid::Uuid::now_v7().simple());
    let product = created(
        &t.post(
            "/api/v1/products",
            admin,
            json!({"code": code, "name": format!("کالای {code}"), "product_kind": "product",
                   "unit": "عدد", "base_price": price, "tax_rate_bp": tax}),
        )
        .await,
        "product",
    );
    let list = created(
        &t.post(
            "/api/v1/price-lists",
            admin,
            json!({"name": format!("عمده {code}"), "valid_from": "2020-01-01",
                   "valid_until": "2099-12-31", "customer_kinds": ["wholesale"]}),
        )
        .await,
        "price list",
    );
    created(
        &t.post(
            "/api/v1/price-list-items",
            admin,
            json!({"price_list_id": list["id"], "product_id": product["id"], "unit_price": wholesale}),
        )
        .await,
        "price",
    );
    id_of(&product)
}

async fn account(t: &TestApp, token: &str, kind: &str) -> String {
    let reply = t
        .post(
            "/api/v1/accounts",
            token,
            json!({"name": format!("شرکت {}", uuid::Uuid::now_v7()), "customer_kind": kind}),
        )
        .await;
    id_of(&created(&reply, "account"))
}

async fn deal(t: &TestApp, token: &str, account: &str, amount: i64) -> Value {
    created(
        &t.post(
            "/api/v1/opportunities",
            token,
            json!({"name": "فروش سرور", "account_id": account, "amount": amount}),
        )
        .await,
        "opportunity",
    )
}

async fn read(t: &TestApp, path: &str, token: &str) -> Value {
    ok(&t.get(path, token).await, path)
}

async fn amount_of(t: &TestApp, deal: &str, token: &str) -> Value {
    read(t, &format!("/api/v1/opportunities/{deal}"), token).await["amount"].clone()
}

/// `value × bp / 10000` rounded half up: the rule of `domain::sales::totals`, written again
/// here so the test does not trust the code it checks.
fn share(value: i64, bp: i64) -> i64 {
    (value * bp * 2 + 10_000) / 20_000
}

#[tokio::test]
async fn lines_price_the_deal_and_its_amount_is_their_total() {
    for t in backends().await {
        let admin = t.token("admin@peyvand.demo").await;
        let rep = t.token("rep@peyvand.demo").await;
        let product = priced_product(&t, &admin, 1_000_000, 900, 900_000).await;
        let customer = account(&t, &rep, "wholesale").await;
        let opportunity = deal(&t, &rep, &customer, 5_000).await;
        let id = id_of(&opportunity);
        let lines = format!("/api/v1/opportunities/{id}/lines");
        assert_eq!(
            ok(&t.get(&lines, &rep).await, "no lines")["items"],
            json!([])
        );
        // Without lines the amount is the one typed.
        assert_eq!(amount_of(&t, &id, &rep).await, 5_000);

        // The wholesale price and the product's tax are proposed, as on a quote.
        let added = created(
            &t.post(&lines, &rep, json!({"product_id": product, "quantity": 2}))
                .await,
            "line",
        );
        let first = &added["items"][0];
        assert_eq!(first["unit_price"], 900_000, "{}", t.name());
        assert_eq!(first["tax_bp"], 900);
        let first_total = 1_800_000 + share(1_800_000, 900);
        assert_eq!(first["total"], first_total);
        assert_eq!(amount_of(&t, &id, &rep).await, first_total);

        // A line without a product, with a discount that rounds.
        let added = created(
            &t.post(
                &lines,
                &rep,
                json!({"description": "نصب", "quantity": 3, "unit_price": 333_333, "discount_bp": 1000}),
            )
            .await,
            "second line",
        );
        let gross = 3 * 333_333;
        let second_total = gross - share(gross, 1000);
        assert_eq!(added["items"][1]["total"], second_total, "{}", t.name());
        let total = first_total + second_total;
        assert_eq!(amount_of(&t, &id, &rep).await, total);

        // Bad input: a clear error on the field, and nothing changes.
        for (body, field, code) in [
            (
                json!({"description": "x", "quantity": -1, "unit_price": 10}),
                "quantity",
                "negative",
            ),
            (
                json!({"description": "x", "quantity": 1, "unit_price": -10}),
                "unit_price",
                "negative",
            ),
            (
                json!({"description": "x", "quantity": 1, "unit_price": 10, "discount_bp": 10_001}),
                "discount_bp",
                "over_100_percent",
            ),
        ] {
            field_error(&t.post(&lines, &rep, body).await, field, code);
        }
        let line_id = added["items"][1]["id"].as_str().unwrap().to_owned();
        let line_path = format!("{lines}/{line_id}");
        field_error(
            &t.patch(&line_path, &rep, json!({"discount_bp": 20_000}))
                .await,
            "discount_bp",
            "over_100_percent",
        );
        assert_eq!(
            ok(&t.get(&lines, &rep).await, "lines")["items"]
                .as_array()
                .unwrap()
                .len(),
            2
        );
        assert_eq!(amount_of(&t, &id, &rep).await, total, "{}", t.name());

        // With lines, a typed amount is refused with a sentence that says why.
        let version =
            read(&t, &format!("/api/v1/opportunities/{id}"), &rep).await["version"].clone();
        let typed = t
            .patch(
                &format!("/api/v1/opportunities/{id}"),
                &rep,
                json!({"version": version, "amount": 1}),
            )
            .await;
        field_error(&typed, "amount", "amount_from_lines");
        let message = typed.json()["field_messages"]["amount"].clone();
        assert!(
            message.as_str().is_some_and(|m| m.contains("lines")),
            "{message}"
        );

        // Changing and removing lines keeps the amount their total.
        ok(
            &t.patch(&line_path, &rep, json!({"quantity": 1})).await,
            "update",
        );
        let one = 333_333 - share(333_333, 1000);
        assert_eq!(amount_of(&t, &id, &rep).await, first_total + one);
        ok(&t.delete(&line_path, &rep).await, "remove");
        assert_eq!(amount_of(&t, &id, &rep).await, first_total, "{}", t.name());
        let first_id = first["id"].as_str().unwrap();
        ok(
            &t.delete(&format!("{lines}/{first_id}"), &rep).await,
            "remove",
        );
        assert_eq!(amount_of(&t, &id, &rep).await, 0);
        // Without lines the amount is typed by hand again.
        let version =
            read(&t, &format!("/api/v1/opportunities/{id}"), &rep).await["version"].clone();
        ok(
            &t.patch(
                &format!("/api/v1/opportunities/{id}"),
                &rep,
                json!({"version": version, "amount": 7_000}),
            )
            .await,
            "typed amount",
        );
        assert_eq!(amount_of(&t, &id, &rep).await, 7_000);
    }
}

#[tokio::test]
async fn only_those_who_may_change_the_deal_change_its_lines() {
    for t in backends().await {
        let admin = t.token("admin@peyvand.demo").await;
        let rep = t.token("rep@peyvand.demo").await;
        let customer = account(&t, &rep, "retail").await;
        let opportunity = deal(&t, &rep, &customer, 0).await;
        let id = id_of(&opportunity);
        let lines = format!("/api/v1/opportunities/{id}/lines");
        let line = json!({"description": "مشاوره", "quantity": 1, "unit_price": 1_000});
        created(&t.post(&lines, &rep, line.clone()).await, "own deal");

        // Another branch's sales rep does not see the deal; a viewer may not change it.
        let other = t.token("rep.isfahan@peyvand.demo").await;
        let refused = t.post(&lines, &other, line.clone()).await;
        assert_eq!(
            refused.status,
            StatusCode::NOT_FOUND,
            "{}: {}",
            t.name(),
            refused.body
        );
        assert_eq!(t.get(&lines, &other).await.status, StatusCode::NOT_FOUND);
        let viewer = t.token("viewer@peyvand.demo").await;
        let refused = t.post(&lines, &viewer, line.clone()).await;
        assert!(
            matches!(
                refused.status,
                StatusCode::FORBIDDEN | StatusCode::NOT_FOUND
            ),
            "{}",
            refused.body
        );
        assert_eq!(amount_of(&t, &id, &admin).await, 1_000);

        // A won deal's lines are a result: the rep may not change them, a manager may.
        let version =
            read(&t, &format!("/api/v1/opportunities/{id}"), &rep).await["version"].clone();
        ok(
            &t.post(
                &format!("/api/v1/opportunities/{id}/move"),
                &rep,
                json!({"status": "won", "version": version}),
            )
            .await,
            "won",
        );
        let refused = t.post(&lines, &rep, line.clone()).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
        assert_eq!(refused.json()["error"], "reopen_forbidden");
        assert_eq!(amount_of(&t, &id, &admin).await, 1_000);
        created(&t.post(&lines, &admin, line).await, "manager");
        assert_eq!(amount_of(&t, &id, &admin).await, 2_000, "{}", t.name());

        // Lines of records without lines are not found.
        let customer_lines = format!("/api/v1/accounts/{customer}/lines");
        assert_eq!(
            t.get(&customer_lines, &admin).await.status,
            StatusCode::NOT_FOUND
        );
    }
}

#[tokio::test]
async fn a_quote_made_from_a_deal_copies_its_lines_and_links_back() {
    for t in backends().await {
        let admin = t.token("admin@peyvand.demo").await;
        let rep = t.token("rep@peyvand.demo").await;
        let product = priced_product(&t, &admin, 2_000_000, 1000, 1_500_000).await;
        let customer = account(&t, &rep, "wholesale").await;
        let opportunity = deal(&t, &rep, &customer, 0).await;
        let id = id_of(&opportunity);
        let lines = format!("/api/v1/opportunities/{id}/lines");
        created(
            &t.post(
                &lines,
                &rep,
                json!({"product_id": product, "quantity": 4, "discount_bp": 300}),
            )
            .await,
            "line",
        );
        created(
            &t.post(
                &lines,
                &rep,
                json!({"description": "حمل", "quantity": 1, "unit_price": 250_000}),
            )
            .await,
            "line",
        );
        let deal_lines = ok(&t.get(&lines, &rep).await, "lines")["items"].clone();
        let amount = amount_of(&t, &id, &rep).await;

        let quote = created(
            &t.post(
                &format!("/api/v1/opportunities/{id}/quote"),
                &rep,
                json!({}),
            )
            .await,
            "quote",
        );
        let quote_id = id_of(&quote);
        assert_eq!(quote["opportunity_id"], id, "{}", t.name());
        assert_eq!(quote["account_id"], customer);
        assert_eq!(quote["status"], "draft");
        assert_eq!(quote["owner_id"], opportunity["owner_id"]);
        assert_eq!(
            quote["total"], amount,
            "the quote's total is the deal's amount"
        );
        let quote_lines = read(&t, &format!("/api/v1/quotes/{quote_id}/lines"), &rep).await;
        let copied = quote_lines["items"].as_array().unwrap();
        assert_eq!(copied.len(), 2);
        for (original, copy) in deal_lines.as_array().unwrap().iter().zip(copied) {
            for key in [
                "product_id",
                "description",
                "quantity",
                "unit_price",
                "discount_bp",
                "tax_bp",
                "total",
            ] {
                assert_eq!(original[key], copy[key], "{key}");
            }
            assert_ne!(original["id"], copy["id"]);
        }

        // A second quote is a new revision with its own number.
        let second = created(
            &t.post(
                &format!("/api/v1/opportunities/{id}/quote"),
                &rep,
                json!({}),
            )
            .await,
            "revision",
        );
        assert_ne!(second["number"], quote["number"]);
        // The first goes out and becomes an order; the deal lists both and what they became.
        ok(
            &t.post(
                &format!("/api/v1/quotes/{quote_id}/status"),
                &rep,
                json!({"status": "sent"}),
            )
            .await,
            "sent",
        );
        let order = created(
            &t.post(
                &format!("/api/v1/quotes/{quote_id}/convert"),
                &rep,
                json!({}),
            )
            .await,
            "order",
        );
        let listed = read(&t, &format!("/api/v1/opportunities/{id}/quotes"), &rep).await;
        let items = listed["items"].as_array().unwrap();
        assert_eq!(items.len(), 2, "{}", t.name());
        assert_eq!(items[0]["id"], second["id"], "newest first");
        assert_eq!(items[0]["order"], Value::Null);
        assert_eq!(items[1]["order"]["id"], order["id"]);
        assert_eq!(items[1]["invoice"], Value::Null);
        // Editing the quote leaves the deal alone.
        let second_id = id_of(&second);
        created(
            &t.post(
                &format!("/api/v1/quotes/{second_id}/lines"),
                &rep,
                json!({"description": "اضافه", "quantity": 1, "unit_price": 1}),
            )
            .await,
            "quote line",
        );
        assert_eq!(amount_of(&t, &id, &rep).await, amount);

        // Someone who cannot see the deal cannot quote from it; a deal with quotes stays.
        let other = t.token("rep.isfahan@peyvand.demo").await;
        let refused = t
            .post(
                &format!("/api/v1/opportunities/{id}/quote"),
                &other,
                json!({}),
            )
            .await;
        assert_eq!(refused.status, StatusCode::NOT_FOUND, "{}", refused.body);
        let kept = t
            .delete(&format!("/api/v1/opportunities/{id}"), &admin)
            .await;
        assert_eq!(kept.status, StatusCode::CONFLICT, "{}", kept.body);
        assert_eq!(kept.json()["error"], "in_use");

        // A deal without quotes is deleted with its lines.
        let spare = id_of(&deal(&t, &rep, &customer, 0).await);
        let spare_lines = format!("/api/v1/opportunities/{spare}/lines");
        created(
            &t.post(
                &spare_lines,
                &rep,
                json!({"description": "x", "quantity": 1, "unit_price": 1}),
            )
            .await,
            "line",
        );
        let gone = t
            .delete(&format!("/api/v1/opportunities/{spare}"), &admin)
            .await;
        assert_eq!(gone.status, StatusCode::NO_CONTENT, "{}", gone.body);

        // The API document describes the new endpoints.
        let openapi = read(&t, "/api/v1/openapi.json", &rep).await;
        for path in ["lines", "lines/{line}", "quote", "quotes"] {
            let key = format!("/api/v1/opportunities/{{id}}/{path}");
            assert!(openapi["paths"][&key].is_object(), "{key}");
        }
    }
}

#[tokio::test]
async fn the_opportunity_page_shows_lines_and_quotes_and_makes_one() {
    for t in backends().await {
        let rep = t.token("rep@peyvand.demo").await;
        let customer = account(&t, &rep, "retail").await;
        let id = id_of(&deal(&t, &rep, &customer, 0).await);
        let mut browser = Browser::new(&t);
        browser.login("rep@peyvand.demo").await;
        let page_path = format!("/opportunities/{id}");
        let page = browser.get(&page_path).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(
            page.body
                .contains("هنوز پیش‌فاکتوری از این فرصت ساخته نشده است")
        );
        assert!(!page.body.contains("نسخهٔ جدیدی"), "no revision warning yet");

        // A line through the form, then a refused one that says why.
        let added = browser
            .post(
                &format!("{page_path}/lines"),
                &[
                    ("description", "پشتیبانی"),
                    ("quantity", "۲"),
                    ("unit_price", "۵۰۰۰"),
                ],
            )
            .await;
        assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
        assert_eq!(amount_of(&t, &id, &rep).await, 10_000, "{}", t.name());
        let refused = browser
            .post(
                &format!("{page_path}/lines"),
                &[
                    ("description", "x"),
                    ("quantity", "1"),
                    ("unit_price", "1"),
                    ("discount_bp", "150"),
                ],
            )
            .await;
        let back = location(&refused);
        assert!(
            back.contains("problem=discount_bp:over_100_percent"),
            "{back}"
        );
        let page = browser.get(back.split('#').next().unwrap()).await;
        assert!(page.body.contains("پشتیبانی"));
        assert!(page.body.contains("مبلغ این فرصت جمع ردیف‌های آن است"));
        assert!(page.body.contains("role=\"alert\""));
        assert_translated(&page_path, &page.body);

        // The button makes a quote and opens it; the quote links back to the deal.
        let made = browser.post(&format!("{page_path}/quote"), &[]).await;
        assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
        let quote_path = location(&made);
        assert!(quote_path.starts_with("/quotes/"), "{quote_path}");
        let quote_page = browser.get(&quote_path).await;
        assert!(
            quote_page.body.contains(&format!("href=\"{page_path}\"")),
            "link back"
        );
        assert!(quote_page.body.contains("پشتیبانی"));
        let page = browser.get(&page_path).await;
        assert!(
            page.body.contains(&format!("href=\"{quote_path}\"")),
            "quote listed"
        );
        assert!(
            page.body.contains("نسخهٔ جدیدی"),
            "a second quote is said to be a revision"
        );
        assert_translated(&page_path, &page.body);
    }
}

#[tokio::test]
async fn the_edit_form_shows_the_amount_of_a_deal_with_lines_read_only() {
    for t in backends().await {
        let rep = t.token("rep@peyvand.demo").await;
        let customer = account(&t, &rep, "retail").await;
        let id = id_of(&deal(&t, &rep, &customer, 7_000).await);
        let mut browser = Browser::new(&t);
        browser.login("rep@peyvand.demo").await;
        let edit = format!("/opportunities/{id}/edit");
        let amount_input = "name=\"amount\"";
        let hint = "جمع ردیف‌های کالای این فرصت";

        // Without lines the amount is typed.
        let form = browser.get(&edit).await;
        assert_eq!(form.status, StatusCode::OK, "{}", form.body);
        assert!(form.body.contains(amount_input), "{}", t.name());
        assert!(!form.body.contains(hint));

        // With lines it is their total, shown but not a field of the form.
        let lines = format!("/api/v1/opportunities/{id}/lines");
        let line = json!({"description": "نصب", "quantity": 2, "unit_price": 6_000});
        created(&t.post(&lines, &rep, line).await, "line");
        let form = browser.get(&edit).await;
        assert_eq!(form.status, StatusCode::OK, "{}", form.body);
        assert!(!form.body.contains(amount_input), "{}", t.name());
        assert!(form.body.contains("۱۲٬۰۰۰ ریال"), "{}", form.body);
        assert!(form.body.contains(hint));
        assert_translated(&edit, &form.body);

        // A refused save shows the form again, the amount still read-only.
        let version = input_value(&form.body, "version").expect("a version");
        let action = format!("/opportunities/{id}");
        let refused = browser
            .post(&action, &[("version", &version), ("name", "")])
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(!refused.body.contains(amount_input));
        assert!(refused.body.contains("۱۲٬۰۰۰ ریال"), "{}", refused.body);

        // Saving what the form sends changes the deal and keeps the lines' total.
        let saved = browser
            .post(&action, &[("version", &version), ("name", "فروش سرور دوم")])
            .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
        let stored = read(&t, &format!("/api/v1/opportunities/{id}"), &rep).await;
        assert_eq!(stored["name"], "فروش سرور دوم", "{}", t.name());
        assert_eq!(stored["amount"], 12_000);
    }
}

async fn contract(t: &TestApp, token: &str, account: &str, value: i64) -> Value {
    created(
        &t.post(
            "/api/v1/contracts",
            token,
            json!({"title": "پشتیبانی", "account_id": account, "start_date": "2025-03-21",
                   "end_date": "2026-03-20", "value": value}),
        )
        .await,
        "contract",
    )
}

#[tokio::test]
async fn a_case_names_a_contract_of_its_own_customer() {
    for t in backends().await {
        let rep = t.token("rep@peyvand.demo").await;
        let mine = account(&t, &rep, "retail").await;
        let another = account(&t, &rep, "retail").await;
        let agreement = contract(&t, &rep, &mine, 1_000).await;
        let case = |account: &str| {
            json!({"case_type": "request", "subject": "پشتیبانی", "description": "x",
                   "channel": "phone", "account_id": account, "contract_id": agreement["id"]})
        };
        let refused = t.post("/api/v1/cases", &rep, case(&another)).await;
        field_error(&refused, "contract_id", "other_customer");
        let message = refused.json()["field_messages"]["contract_id"].clone();
        assert!(
            message
                .as_str()
                .is_some_and(|m| m.contains("another customer")),
            "{message}"
        );
        let made = created(&t.post("/api/v1/cases", &rep, case(&mine)).await, "case");
        // Moving the case to another customer keeps the rule (for whoever may edit cases).
        let admin = t.token("admin@peyvand.demo").await;
        let moved = t
            .patch(
                &format!("/api/v1/cases/{}", id_of(&made)),
                &admin,
                json!({"version": made["version"], "account_id": another}),
            )
            .await;
        field_error(&moved, "contract_id", "other_customer");
        let kept = read(&t, &format!("/api/v1/cases/{}", id_of(&made)), &rep).await;
        assert_eq!(kept["account_id"], mine, "{}", t.name());

        // A contract for a customer the user cannot see is refused as not found.
        let other = t.token("rep.isfahan@peyvand.demo").await;
        let hidden = t
            .post(
                "/api/v1/contracts",
                &other,
                json!({"title": "x", "account_id": mine, "start_date": "2025-03-21",
                       "end_date": "2026-03-20", "value": 1}),
            )
            .await;
        field_error(&hidden, "account_id", "not_found");
    }
}

#[tokio::test]
async fn the_printable_contract_shows_rials_or_tomans() {
    for t in backends().await {
        let rep = t.token("rep@peyvand.demo").await;
        let customer = account(&t, &rep, "retail").await;
        let agreement = contract(&t, &rep, &customer, 1_500_000_005).await;
        let mut browser = Browser::new(&t);
        browser.login("rep@peyvand.demo").await;
        let print = format!("/contracts/{}/print", id_of(&agreement));
        let rials = browser.get(&format!("{print}?lang=en")).await;
        assert_eq!(rials.status, StatusCode::OK, "{}", rials.body);
        assert!(rials.body.contains("1,500,000,005 rials"), "{}", rials.body);
        assert!(rials.body.contains("currency=toman"), "a link to Tomans");
        let tomans = browser
            .get(&format!("{print}?lang=en&currency=toman"))
            .await;
        assert!(
            tomans.body.contains("150,000,000.5 tomans"),
            "{}",
            tomans.body
        );
        let persian = browser
            .get(&format!("{print}?lang=fa&currency=toman"))
            .await;
        assert!(persian.body.contains("تومان"), "{}", persian.body);
        assert!(!persian.body.contains("۱٬۵۰۰٬۰۰۰٬۰۰۵"), "no Rial amount");
    }
}
