//! Contracts end to end on both databases (issue 4 §7, issue 5 §2 and §7): templates with
//! placeholders filled into new contracts, bad input refused with nothing stored, the status
//! moves with a manager's approval, the reminder task on activation, expiry by the worker's
//! sweep (once, with a test clock), renewal, access rights, the 360° view, the printable page,
//! cases naming a contract, and the customer portal showing only the organisation's contracts.

mod common;

use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::web_client::{Browser, assert_translated, encode};
use common::{Reply, TestApp, backends};
use peyvand_app::App;
use peyvand_app::clock::Clock;
use serde_json::{Value, json};
use time::OffsetDateTime;

/// A clock the test moves by hand.
struct ManualClock(Mutex<OffsetDateTime>);

impl Clock for ManualClock {
    fn now(&self) -> OffsetDateTime {
        *self.0.lock().unwrap()
    }
}

const TEMPLATE: &str = "قرارداد {{contract.number}} با {{customer.name}} از {{ contract.start_date }} \
                        تا {{contract.end_date}} به مبلغ {{contract.value}}";

async fn created(t: &TestApp, token: &str, path: &str, body: Value) -> Value {
    let reply = t.post(path, token, body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{path}: {}", reply.body);
    reply.json()
}

fn id(value: &Value) -> &str {
    value["id"].as_str().unwrap()
}

async fn count(t: &TestApp, token: &str, path: &str) -> usize {
    t.list_all(path, token).await.len()
}

async fn template(t: &TestApp, admin: &str) -> Value {
    created(
        t,
        admin,
        "/api/v1/contract-templates",
        json!({"name": "الگوی فروش", "language": "fa", "body": TEMPLATE}),
    )
    .await
}

/// An account of the sales rep and a draft contract of theirs with it, from the template.
async fn rep_contract(t: &TestApp, admin: &str, rep: &str, start: &str, end: &str) -> Value {
    let template = template(t, admin).await;
    let account = created(t, rep, "/api/v1/accounts", json!({"name": "شرکت پارس"})).await;
    created(
        t,
        rep,
        "/api/v1/contracts",
        json!({"title": "پشتیبانی سالانه", "account_id": account["id"],
            "template_id": template["id"], "start_date": start, "end_date": end,
            "value": 1_500_000_000}),
    )
    .await
}

async fn move_to(t: &TestApp, token: &str, contract: &Value, to: &str) -> Reply {
    t.post(
        &format!("/api/v1/contracts/{}/status", id(contract)),
        token,
        json!({"status": to}),
    )
    .await
}

#[tokio::test]
async fn templates_are_filled_and_unknown_placeholders_refused() {
    for t in backends().await {
        let admin = t.token("admin@peyvand.demo").await;
        let rep = t.token("rep@peyvand.demo").await;
        let before = count(&t, &admin, "/api/v1/contract-templates").await;
        let typo = t
            .post(
                "/api/v1/contract-templates",
                &admin,
                json!({"name": "غلط", "language": "fa", "body": "با {{customer.nmae}}"}),
            )
            .await;
        assert_eq!(
            typo.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            typo.body
        );
        let body = typo.json();
        assert_eq!(body["error"], "unknown_placeholder");
        assert_eq!(body["placeholder"], "customer.nmae");
        assert_eq!(body["fields"]["body"], "unknown_placeholder");
        assert!(body["message"].as_str().unwrap().contains("customer.nmae"));
        assert_eq!(
            count(&t, &admin, "/api/v1/contract-templates").await,
            before
        );
        let refused = t
            .post(
                "/api/v1/contract-templates",
                &rep,
                json!({"name": "x", "language": "fa", "body": "x"}),
            )
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "only administrators");

        let contract = rep_contract(&t, &admin, &rep, "2025-03-21", "2026-03-20").await;
        assert_eq!(contract["status"], "draft");
        assert_eq!(contract["reminder_days"], 30);
        let number = contract["number"].as_str().unwrap();
        assert!(number.starts_with("CT-"), "{number}");
        assert_eq!(
            contract["body"].as_str().unwrap(),
            format!(
                "قرارداد {number} با شرکت پارس از ۱۴۰۴/۰۱/۰۱ تا ۱۴۰۴/۱۲/۲۹ به مبلغ ۱٬۵۰۰٬۰۰۰٬۰۰۰ ریال"
            ),
            "{}",
            t.name()
        );
        let placeholders = t
            .get("/api/v1/contract-templates/placeholders", &rep)
            .await
            .json();
        assert!(placeholders["items"].as_array().unwrap().len() >= 10);
        let openapi = t.get("/api/v1/openapi.json", &rep).await.json();
        assert!(openapi["paths"]["/api/v1/contracts/{id}/renew"].is_object());
        assert!(openapi["paths"]["/api/v1/contracts"].is_object());
    }
}

#[tokio::test]
async fn bad_contracts_are_refused_and_nothing_is_stored() {
    for t in backends().await {
        let admin = t.token("admin@peyvand.demo").await;
        let rep = t.token("rep@peyvand.demo").await;
        let account = created(&t, &rep, "/api/v1/accounts", json!({"name": "شرکت آریا"})).await;
        let before = count(&t, &admin, "/api/v1/contracts").await;
        let base = json!({"title": "x", "account_id": account["id"], "start_date": "2025-03-21",
            "end_date": "2026-03-20", "value": 1000});
        let with = |key: &str, value: Value| {
            let mut body = base.clone();
            body[key] = value;
            body
        };
        for (body, field, code) in [
            (
                with("end_date", json!("2025-03-01")),
                "end_date",
                "end_before_start",
            ),
            (with("value", json!(-5)), "value", "negative"),
            (with("account_id", Value::Null), "account_id", "required"),
            (
                with("start_date", json!("1404-13-40")),
                "start_date",
                "invalid_date",
            ),
        ] {
            let reply = t.post("/api/v1/contracts", &rep, body).await;
            assert_eq!(
                reply.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{}",
                reply.body
            );
            let json = reply.json();
            assert_eq!(json["fields"][field], code, "{}", reply.body);
            assert!(!json["field_messages"][field].as_str().unwrap().is_empty());
        }
        assert_eq!(count(&t, &admin, "/api/v1/contracts").await, before);
        let messages = t
            .call(
                Method::POST,
                "/api/v1/contracts",
                Some(&rep),
                Some(with("end_date", json!("2025-03-01"))),
            )
            .await;
        assert_eq!(messages.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
}

#[tokio::test]
async fn moves_need_a_manager_to_approve_and_activation_reminds_the_owner() {
    for t in backends().await {
        let admin = t.token("admin@peyvand.demo").await;
        let rep = t.token("rep@peyvand.demo").await;
        let manager = t.token("sales.manager@peyvand.demo").await;
        let contract = rep_contract(&t, &admin, &rep, "2025-03-21", "2026-03-20").await;
        let path = format!("/api/v1/contracts/{}", id(&contract));

        let renew_draft = t.post(&format!("{path}/renew"), &rep, json!({})).await;
        assert_eq!(
            renew_draft.status,
            StatusCode::CONFLICT,
            "{}",
            renew_draft.body
        );
        let body = renew_draft.json();
        assert_eq!(body["error"], "invalid_transition");
        assert_eq!(body["from"], "draft");
        let skip = move_to(&t, &rep, &contract, "active").await;
        assert_eq!(skip.status, StatusCode::CONFLICT, "{}", skip.body);
        let rep_approves = move_to(&t, &rep, &contract, "approved").await;
        assert_eq!(
            rep_approves.status,
            StatusCode::FORBIDDEN,
            "{}",
            rep_approves.body
        );
        assert_eq!(t.get(&path, &rep).await.json()["status"], "draft");

        let approved = move_to(&t, &manager, &contract, "approved").await;
        assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
        assert_eq!(approved.json()["status"], "approved");
        let edit = t
            .patch(
                &path,
                &rep,
                json!({"version": approved.json()["version"], "value": 1}),
            )
            .await;
        assert_eq!(
            edit.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            edit.body
        );
        assert_eq!(edit.json()["fields"]["value"], "not_draft");
        assert_eq!(t.get(&path, &rep).await.json()["value"], 1_500_000_000);

        let active = move_to(&t, &rep, &contract, "active").await;
        assert_eq!(active.status, StatusCode::OK, "{}", active.body);
        let active = active.json();
        assert_eq!(active["status"], "active");
        let task_id = active["reminder_task_id"]
            .as_str()
            .expect("a reminder task");
        let task = t.get(&format!("/api/v1/activities/{task_id}"), &rep).await;
        assert_eq!(
            task.status,
            StatusCode::OK,
            "the owner sees it: {}",
            task.body
        );
        let task = task.json();
        assert_eq!(task["activity_type"], "task");
        assert_eq!(task["due_date"], "2026-02-18", "30 days before the end");
        assert_eq!(task["account_id"], contract["account_id"]);
        assert_eq!(task["owner_id"], contract["owner_id"]);
        let again = move_to(&t, &rep, &contract, "approved").await;
        assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);

        let account = contract["account_id"].as_str().unwrap();
        let timeline = t
            .get(&format!("/api/v1/accounts/{account}/timeline"), &rep)
            .await;
        let number = contract["number"].as_str().unwrap();
        let entries = timeline.json()["items"].as_array().unwrap().clone();
        let about_contract = entries
            .iter()
            .filter(|e| e["changes"]["status"] == json!(["approved", "active"]))
            .count();
        assert_eq!(about_contract, 1, "the activation: {}", timeline.body);
        assert!(
            entries.iter().any(|e| e["changes"]["number"][1] == number),
            "the contract's creation"
        );
        assert!(timeline.body.contains(task_id), "and the reminder task");
        let listed = t
            .get(&format!("/api/v1/accounts/{account}/contracts"), &rep)
            .await
            .json();
        assert_eq!(listed["items"][0]["id"], contract["id"]);
    }
}

#[tokio::test]
async fn the_sweep_expires_once_and_renewal_follows_on() {
    for t in backends().await {
        let admin = t.token("admin@peyvand.demo").await;
        let rep = t.token("rep@peyvand.demo").await;
        let today = OffsetDateTime::now_utc().date();
        let start = today - time::Duration::days(300);
        let end = today + time::Duration::days(2);
        let contract = rep_contract(&t, &admin, &rep, &start.to_string(), &end.to_string()).await;
        assert_eq!(
            move_to(&t, &admin, &contract, "approved").await.status,
            StatusCode::OK
        );
        assert_eq!(
            move_to(&t, &rep, &contract, "active").await.status,
            StatusCode::OK
        );
        let path = format!("/api/v1/contracts/{}", id(&contract));

        let clock = Arc::new(ManualClock(Mutex::new(common::now_to_the_microsecond())));
        let store = peyvand_store::Store::connect(&t.url).await.unwrap();
        let worker = App::with_clock(store, clock.clone());
        assert_eq!(worker.contract_sweep().await.unwrap(), 0, "not yet");
        *clock.0.lock().unwrap() += time::Duration::days(5);
        assert!(worker.contract_sweep().await.unwrap() >= 1, "{}", t.name());
        assert_eq!(worker.contract_sweep().await.unwrap(), 0, "once");
        // A restarted worker finds nothing left either.
        let store = peyvand_store::Store::connect(&t.url).await.unwrap();
        let restarted = App::with_clock(store, clock.clone());
        assert_eq!(restarted.contract_sweep().await.unwrap(), 0);
        let expired = t.get(&path, &rep).await.json();
        assert_eq!(expired["status"], "expired");

        let renewed = t.post(&format!("{path}/renew"), &rep, json!({})).await;
        assert_eq!(renewed.status, StatusCode::CREATED, "{}", renewed.body);
        let renewal = renewed.json();
        assert_eq!(renewal["status"], "draft");
        assert_eq!(renewal["renews_id"], contract["id"]);
        assert_eq!(
            renewal["start_date"],
            (end + time::Duration::days(1)).to_string()
        );
        assert_eq!(
            renewal["end_date"],
            (end + time::Duration::days(1) + (end - start)).to_string()
        );
        assert_eq!(renewal["value"], contract["value"]);
        assert_ne!(renewal["number"], contract["number"]);
        let old = t.get(&path, &rep).await.json();
        assert_eq!(old["status"], "renewed");
        assert_eq!(old["renewed_by_id"], renewal["id"]);
        let twice = t.post(&format!("{path}/renew"), &rep, json!({})).await;
        assert_eq!(twice.status, StatusCode::CONFLICT, "{}", twice.body);
    }
}

#[tokio::test]
async fn each_role_sees_the_contracts_it_reaches() {
    for t in backends().await {
        let admin = t.token("admin@peyvand.demo").await;
        let rep = t.token("rep@peyvand.demo").await;
        let contract = rep_contract(&t, &admin, &rep, "2025-03-21", "2026-03-20").await;
        let path = format!("/api/v1/contracts/{}", id(&contract));
        for (email, status) in [
            ("admin@peyvand.demo", StatusCode::OK),
            ("rep@peyvand.demo", StatusCode::OK),
            ("sales.manager@peyvand.demo", StatusCode::OK),
            ("rep.isfahan@peyvand.demo", StatusCode::NOT_FOUND),
            ("branch.manager@peyvand.demo", StatusCode::NOT_FOUND),
            // Without any right on contracts a record is as unknown as one out of reach.
            ("marketing@peyvand.demo", StatusCode::NOT_FOUND),
        ] {
            let token = t.token(email).await;
            let reply = t.get(&path, &token).await;
            assert_eq!(reply.status, status, "{email}: {}", reply.body);
        }
        let marketing = t.token("marketing@peyvand.demo").await;
        let list = t.get("/api/v1/contracts", &marketing).await;
        assert_eq!(list.status, StatusCode::FORBIDDEN, "{}", list.body);
        let other = t.token("rep.isfahan@peyvand.demo").await;
        for item in t.list_all("/api/v1/contracts", &other).await {
            assert_ne!(item["id"], contract["id"]);
        }
        let mine = t.list_all("/api/v1/contracts", &rep).await;
        let rep_id = contract["owner_id"].clone();
        assert!(
            mine.iter().all(|c| c["owner_id"] == rep_id),
            "a rep sees only their own"
        );
        // A case names the contract (issue 5 §2).
        let case = created(
            &t,
            &rep,
            "/api/v1/cases",
            json!({"case_type": "request", "subject": "تمدید", "description": "x",
                "channel": "phone", "account_id": contract["account_id"],
                "contract_id": contract["id"]}),
        )
        .await;
        assert_eq!(case["contract_id"], contract["id"]);
        let own = created(
            &t,
            &other,
            "/api/v1/accounts",
            json!({"name": "شرکت اصفهان"}),
        )
        .await;
        let stranger = t
            .post(
                "/api/v1/cases",
                &other,
                json!({"case_type": "request", "subject": "x", "description": "x",
                    "channel": "phone", "account_id": own["id"], "contract_id": contract["id"]}),
            )
            .await;
        assert_eq!(
            stranger.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            stranger.body
        );
        assert_eq!(
            stranger.json()["fields"]["contract_id"],
            "not_found",
            "{}",
            stranger.body
        );
    }
}

#[tokio::test]
async fn pages_show_the_contract_the_customer_and_the_print() {
    for t in backends().await {
        let admin = t.token("admin@peyvand.demo").await;
        let rep = t.token("rep@peyvand.demo").await;
        let contract = rep_contract(&t, &admin, &rep, "2025-03-21", "2026-03-20").await;
        let mut browser = Browser::new(&t);
        browser.login("rep@peyvand.demo").await;
        let page = browser.get(&format!("/contracts/{}", id(&contract))).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert_translated("contract page", &page.body);
        assert!(page.body.contains("id=\"contract\""));
        assert!(
            !page.body.contains("value=\"approved\""),
            "a rep cannot approve"
        );
        let account = contract["account_id"].as_str().unwrap();
        let customer = browser.get(&format!("/accounts/{account}")).await;
        assert!(customer.body.contains("id=\"contracts\""));
        assert!(customer.body.contains(contract["number"].as_str().unwrap()));
        let print = browser
            .get(&format!("/contracts/{}/print", id(&contract)))
            .await;
        assert_eq!(print.status, StatusCode::OK);
        assert!(print.body.contains("dir=\"rtl\""));
        assert!(print.body.contains("۱۴۰۴/۰۱/۰۱"), "Jalali dates");
        let english = browser
            .get(&format!("/contracts/{}/print?lang=en", id(&contract)))
            .await;
        assert!(english.body.contains("2025-03-21"));
        // Renewing a draft from the page reports the refusal in words, changing nothing.
        let refused = browser
            .post(&format!("/contracts/{}/renew", id(&contract)), &[])
            .await;
        assert_eq!(refused.status, StatusCode::SEE_OTHER);
        let location = refused.headers[header::LOCATION]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            location.contains("problem=error:invalid_transition"),
            "{location}"
        );
        let shown = browser.get(&location).await;
        assert!(shown.body.contains("role=\"alert\""));

        // A template with a typo, typed in the form: the form names it.
        let mut admin_browser = Browser::new(&t);
        admin_browser.login("admin@peyvand.demo").await;
        admin_browser.get("/contract-templates/new").await;
        let form = admin_browser
            .post(
                "/contract-templates",
                &[("name", "x"), ("language", "fa"), ("body", "{{deal.nmae}}")],
            )
            .await;
        assert_eq!(form.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(form.body.contains("deal.nmae"));
        let _ = encode("");
    }
}

struct Customer<'a> {
    t: &'a TestApp,
    cookie: String,
}

impl Customer<'_> {
    async fn get(&self, path: &str) -> Reply {
        let request = Request::builder()
            .method(Method::GET)
            .uri(path)
            .header(header::COOKIE, format!("peyvand_portal={}", self.cookie))
            .body(Body::empty())
            .unwrap();
        self.t.send(request).await
    }
}

async fn sign_in<'a>(t: &'a TestApp, email: &str, password: &str) -> Customer<'a> {
    let request = Request::builder()
        .method(Method::POST)
        .uri("/portal/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!(
            "email={}&password={}&lang=fa",
            encode(email),
            encode(password)
        )))
        .unwrap();
    let reply = t.send(request).await;
    let cookie = reply
        .headers
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("peyvand_portal="))
        .and_then(|v| v.split(';').next())
        .map(str::to_owned)
        .unwrap_or_else(|| panic!("signed in: {}", reply.body));
    Customer { t, cookie }
}

#[tokio::test]
async fn the_portal_shows_the_organisations_contracts_only() {
    for t in backends().await {
        let admin = t.token("admin@peyvand.demo").await;
        let template = template(&t, &admin).await;
        let ours = created(&t, &admin, "/api/v1/accounts", json!({"name": "شرکت ما"})).await;
        let theirs = created(&t, &admin, "/api/v1/accounts", json!({"name": "شرکت دیگر"})).await;
        let contact = created(
            &t,
            &admin,
            "/api/v1/contacts",
            json!({"last_name": "رحیمی", "email": "rahimi.contracts@example.com",
                "account_id": ours["id"]}),
        )
        .await;
        let contract = |account: &Value, title: &str| {
            json!({"title": title, "account_id": account["id"], "template_id": template["id"],
                "start_date": "2025-03-21", "end_date": "2026-03-20", "value": 5000})
        };
        let active = created(
            &t,
            &admin,
            "/api/v1/contracts",
            contract(&ours, "قرارداد فعال"),
        )
        .await;
        let draft = created(
            &t,
            &admin,
            "/api/v1/contracts",
            contract(&ours, "پیش‌نویس ما"),
        )
        .await;
        let foreign = created(
            &t,
            &admin,
            "/api/v1/contracts",
            contract(&theirs, "قرارداد دیگری"),
        )
        .await;
        for c in [&active, &foreign] {
            assert_eq!(
                move_to(&t, &admin, c, "approved").await.status,
                StatusCode::OK
            );
            assert_eq!(
                move_to(&t, &admin, c, "active").await.status,
                StatusCode::OK
            );
        }
        let access = format!("/api/v1/contacts/{}/portal-access", id(&contact));
        let granted = t
            .post(&access, &admin, json!({"password": "portal-pass-1"}))
            .await;
        assert_eq!(granted.status, StatusCode::NO_CONTENT, "{}", granted.body);
        let me = sign_in(&t, "rahimi.contracts@example.com", "portal-pass-1").await;
        let list = me.get("/portal/documents").await;
        assert_eq!(list.status, StatusCode::OK);
        assert!(list.body.contains(active["number"].as_str().unwrap()));
        assert!(
            !list.body.contains(draft["number"].as_str().unwrap()),
            "drafts stay inside"
        );
        assert!(!list.body.contains(foreign["number"].as_str().unwrap()));
        let page = me
            .get(&format!("/portal/documents/contracts/{}", id(&active)))
            .await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(page.body.contains("شرکت ما"));
        assert!(!page.body.contains("<form"), "read-only");
        // The value in Rials, with a switch to Tomans as on the staff's printable page.
        assert!(page.body.contains("۵٬۰۰۰ ریال"), "{}", page.body);
        assert!(page.body.contains("currency=toman\""), "{}", page.body);
        let tomans = me
            .get(&format!(
                "/portal/documents/contracts/{}?currency=toman",
                id(&active)
            ))
            .await;
        assert_eq!(tomans.status, StatusCode::OK, "{}", tomans.body);
        assert!(
            tomans.body.contains("۵۰۰ تومان"),
            "{}: {}",
            t.name(),
            tomans.body
        );
        assert!(
            tomans.body.contains("href=\"?lang=fa\""),
            "a switch back to Rials"
        );
        for other in [&foreign, &draft] {
            let refused = me
                .get(&format!("/portal/documents/contracts/{}", id(other)))
                .await;
            assert_eq!(refused.status, StatusCode::NOT_FOUND, "{}", t.name());
        }
    }
}
