//! Saved SMS templates, personalised and scheduled bulk SMS end to end (issue 5 §5; PRODUCT.md
//! §6, §7), on SQLite and PostgreSQL, against an HTTP server playing a Kavenegar-style gateway
//! (wiremock): templates kept by marketing and checked for unknown placeholders, each recipient
//! getting their own text through the pair-to-pair `sendarray` call, a retried chunk carrying
//! the same local ids, campaigns waiting for their moment and cancelled before it, and the pages.

mod common;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::http::{Method, StatusCode};
use common::web_client::{Browser, location};
use common::{TestApp, backends};
use peyvand_app::App;
use peyvand_app::clock::Clock;
use serde_json::{Value, json};
use time::OffsetDateTime;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const API_KEY: &str = "TEMPLATE-KEY-31";
const TAG: &str = "autumn";

/// A Kavenegar-style gateway: `sendarray` answers one entry per receptor, ids counted up from
/// 5000; the first `fail_first` calls answer 500 instead (an answer lost on the way back).
struct Gateway {
    next_id: AtomicU64,
    fail_first: AtomicU64,
}

impl Respond for Gateway {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let failing = self
            .fail_first
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
        if failing {
            return ResponseTemplate::new(500)
                .set_body_json(json!({"return": {"status": 500, "message": "busy"}}));
        }
        let entries: Vec<Value> = array(request, "receptor")
            .iter()
            .map(|_| json!({"messageid": self.next_id.fetch_add(1, Ordering::SeqCst), "status": 1}))
            .collect();
        ResponseTemplate::new(200).set_body_json(
            json!({"return": {"status": 200, "message": "تایید شد"}, "entries": entries}),
        )
    }
}

fn array(request: &Request, name: &str) -> Vec<String> {
    let text = url::form_urlencoded::parse(&request.body)
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    serde_json::from_str(&text).unwrap_or_default()
}

async fn gateway(fail_first: u64) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/v1/{API_KEY}/sms/sendarray.json")))
        .respond_with(Gateway {
            next_id: AtomicU64::new(5000),
            fail_first: AtomicU64::new(fail_first),
        })
        .mount(&server)
        .await;
    server
}

/// The pair-to-pair requests the gateway received.
async fn sendarrays(server: &MockServer) -> Vec<Request> {
    server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.url.path().ends_with("/sms/sendarray.json"))
        .collect()
}

async fn configure(t: &TestApp, admin: &str, server: &MockServer) {
    t.app
        .use_channel_builder(Arc::new(peyvand_channels::build))
        .await
        .unwrap();
    let settings = json!({"sms": {"provider": "kavenegar", "url": server.uri(),
        "api_key": API_KEY, "sender": "10004346"}});
    let reply = t
        .call(
            Method::PUT,
            "/api/v1/settings/notifications",
            Some(admin),
            Some(settings),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
}

async fn created(t: &TestApp, token: &str, path: &str, body: Value) -> Value {
    let reply = t.post(path, token, body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    reply.json()
}

/// Contacts who allowed SMS, tagged: (first name, last name, mobile, account name).
async fn customers(t: &TestApp, admin: &str) -> BTreeMap<String, String> {
    let alfa = created(t, admin, "/api/v1/accounts", json!({"name": "شرکت آلفا"})).await;
    let mut expected = BTreeMap::new();
    for (first, last, mobile, account) in [
        ("مریم", "رضایی", "09121000001", Some(&alfa)),
        ("", "کریمی", "09121000002", None),
        ("Ali", "Ahmadi", "09121000003", Some(&alfa)),
    ] {
        let mut body = json!({"first_name": first, "last_name": last, "mobile": mobile,
            "consent_sms": true, "tags": TAG});
        if let Some(account) = account {
            body["account_id"] = account["id"].clone();
        }
        if first.is_empty() {
            body.as_object_mut().unwrap().remove("first_name");
        }
        created(t, admin, "/api/v1/contacts", body).await;
        let company = if account.is_some() {
            "شرکت آلفا"
        } else {
            ""
        };
        let full = format!("{first} {last}").trim().to_owned();
        expected.insert(
            mobile.to_owned(),
            format!("{full} عزیز، تخفیف {company} ویژه شما"),
        );
    }
    expected
}

/// A worker on a clock the test moves, sharing the test application's database.
struct ManualClock(Mutex<OffsetDateTime>);

impl Clock for ManualClock {
    fn now(&self) -> OffsetDateTime {
        *self.0.lock().unwrap()
    }
}

async fn worker(t: &TestApp) -> (App, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock(Mutex::new(common::now_to_the_microsecond())));
    let store = peyvand_store::Store::connect(&t.url).await.unwrap();
    let worker = App::with_clock(store, clock.clone());
    worker
        .use_channel_builder(Arc::new(peyvand_channels::build))
        .await
        .unwrap();
    (worker, clock)
}

async fn run(app: &App) -> usize {
    let (_stop, stopped) = tokio::sync::watch::channel(false);
    app.run_due_jobs(&stopped).await.unwrap()
}

const TEMPLATE: &str = "{{full_name}} عزیز، تخفیف {{company}} ویژه شما";

#[tokio::test]
async fn templates_are_kept_by_marketing_checked_and_listed() {
    for t in backends().await {
        let marketing = t.token("marketing@peyvand.demo").await;
        let typo = t
            .post(
                "/api/v1/sms-templates",
                &marketing,
                json!({"name": "غلط", "language": "fa", "body": "سلام {{frist_name}}"}),
            )
            .await;
        assert_eq!(
            typo.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            typo.body
        );
        let body = typo.json();
        assert_eq!(body["fields"]["body"], "unknown_placeholder");
        assert_eq!(body["placeholder"], "frist_name");
        assert!(body["message"].as_str().unwrap().contains("frist_name"));

        for (name, language, text) in [
            ("حراج زمستانی", "fa", TEMPLATE),
            ("Welcome", "en", "Dear {{first_name}}, welcome"),
            (
                "یادآوری قرار",
                "fa",
                "{{first_name}} گرامی، فردا منتظرتان هستیم",
            ),
        ] {
            let template = created(
                &t,
                &marketing,
                "/api/v1/sms-templates",
                json!({"name": name, "language": language, "body": text}),
            )
            .await;
            assert_eq!(template["active"], true, "new templates are active");
        }
        // Listed like every list: searched (Persian-normalised) and sorted.
        let found = t
            .get("/api/v1/sms-templates?q=پاييز", &marketing)
            .await
            .json();
        let items = found["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{}: {found}", t.name());
        let sorted = t
            .get("/api/v1/sms-templates?sort=-name&limit=2", &marketing)
            .await
            .json();
        assert_eq!(sorted["items"].as_array().unwrap().len(), 2);
        assert!(sorted["next_cursor"].is_string(), "{sorted}");
        let id = items[0]["id"].as_str().unwrap().to_owned();
        let version = items[0]["version"].as_i64().unwrap();
        let edit = t
            .patch(
                &format!("/api/v1/sms-templates/{id}"),
                &marketing,
                json!({"version": version, "body": "{{company}} {{nope}}"}),
            )
            .await;
        assert_eq!(
            edit.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            edit.body
        );
        assert_eq!(edit.json()["placeholder"], "nope");

        // Sales managers read them; sales reps, service agents and viewers neither read nor
        // change them.
        let manager = t.token("sales.manager@peyvand.demo").await;
        let read = t
            .get(&format!("/api/v1/sms-templates/{id}"), &manager)
            .await;
        assert_eq!(read.status, StatusCode::OK, "{}", read.body);
        let changed = t
            .patch(
                &format!("/api/v1/sms-templates/{id}"),
                &manager,
                json!({"version": version, "name": "x"}),
            )
            .await;
        assert_eq!(changed.status, StatusCode::FORBIDDEN, "{}", changed.body);
        for email in [
            "rep@peyvand.demo",
            "service@peyvand.demo",
            "viewer@peyvand.demo",
        ] {
            let token = t.token(email).await;
            let list = t.get("/api/v1/sms-templates", &token).await;
            assert_eq!(list.status, StatusCode::FORBIDDEN, "{email}: {}", list.body);
            let one = t.get(&format!("/api/v1/sms-templates/{id}"), &token).await;
            assert_ne!(one.status, StatusCode::OK, "{email}");
            let create = t
                .post(
                    "/api/v1/sms-templates",
                    &token,
                    json!({"name": "x", "language": "fa", "body": "x"}),
                )
                .await;
            assert_eq!(create.status, StatusCode::FORBIDDEN, "{email}");
        }
        let deleted = t
            .delete(&format!("/api/v1/sms-templates/{id}"), &marketing)
            .await;
        assert!(deleted.status.is_success(), "{}", deleted.body);

        let placeholders = t
            .get("/api/v1/sms-templates/placeholders", &marketing)
            .await
            .json();
        let names: Vec<&str> = placeholders["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["first_name", "last_name", "full_name", "company"]);
        let openapi = t.get("/api/v1/openapi.json", &marketing).await.json();
        for path in [
            "/api/v1/sms-templates",
            "/api/v1/sms-templates/placeholders",
            "/api/v1/sms-campaigns/{id}/cancel",
        ] {
            assert!(openapi["paths"][path].is_object(), "{path}");
        }
    }
}

#[tokio::test]
async fn each_recipient_gets_their_own_text_and_a_retried_chunk_the_same_local_ids() {
    for t in backends().await {
        // The gateway loses its first answer: the chunk is sent again.
        let server = gateway(1).await;
        let admin = t.token("admin@peyvand.demo").await;
        configure(&t, &admin, &server).await;
        let expected = customers(&t, &admin).await;
        let template = created(
            &t,
            &admin,
            "/api/v1/sms-templates",
            json!({"name": "پاییز", "language": "fa", "body": TEMPLATE}),
        )
        .await;

        // An unknown placeholder typed into a campaign is refused by field, translated.
        let typo = json!({"tag": TAG, "text": "سلام {{nmae}}", "confirm": true});
        let refused = t.post("/api/v1/sms-campaigns", &admin, typo).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        let refused = refused.json();
        assert_eq!(
            refused["fields"]["text"], "unknown_placeholder",
            "{refused}"
        );
        assert!(
            refused["field_messages"]["text"]
                .as_str()
                .unwrap()
                .contains("placeholder")
        );

        let input = json!({"tag": TAG, "template_id": template["id"]});
        let preview = t.post("/api/v1/sms-campaigns/preview", &admin, input).await;
        assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
        let preview = preview.json();
        assert_eq!(preview["recipients"], 3);
        assert_eq!(preview["text"], TEMPLATE);
        // Numbers are sent in order, so the first recipient is the first number.
        let first = &expected["09121000001"];
        assert_eq!(preview["first_text"], first.as_str(), "{}", t.name());
        assert_eq!(preview["length"], first.chars().count());
        assert_eq!(preview["segments"], 1);

        let send = json!({"tag": TAG, "template_id": template["id"], "confirm": true});
        let campaign = created(&t, &admin, "/api/v1/sms-campaigns", send).await;
        assert_eq!(campaign["state"], "started");
        assert_eq!(campaign["template_id"], template["id"]);
        let (worker, clock) = worker(&t).await;
        assert_eq!(run(&worker).await, 1, "one chunk, failed once");
        *clock.0.lock().unwrap() += time::Duration::minutes(5);
        assert_eq!(run(&worker).await, 1, "the chunk again");

        let requests = sendarrays(&server).await;
        assert_eq!(requests.len(), 2, "{}", t.name());
        let ids: Vec<Vec<String>> = requests
            .iter()
            .map(|r| array(r, "localmessageids"))
            .collect();
        assert_eq!(ids[0].len(), 3);
        assert_eq!(ids[0], ids[1], "the retry names the same messages");
        let mut got = BTreeMap::new();
        for (number, text) in array(&requests[1], "receptor")
            .into_iter()
            .zip(array(&requests[1], "message"))
        {
            got.insert(number, text);
        }
        assert_eq!(got, expected, "{}", t.name());
        let id = campaign["id"].as_str().unwrap();
        let shown = t
            .get(&format!("/api/v1/sms-campaigns/{id}"), &admin)
            .await
            .json();
        assert_eq!(
            (shown["sent"].clone(), shown["queued"].clone()),
            (json!(3), json!(0))
        );

        // A template the user cannot read is not a way to send its text.
        let rep = t.token("rep@peyvand.demo").await;
        let no = t
            .post(
                "/api/v1/sms-campaigns/preview",
                &rep,
                json!({"tag": TAG, "template_id": template["id"]}),
            )
            .await;
        assert_eq!(no.status, StatusCode::FORBIDDEN);
    }
}

#[tokio::test]
async fn a_scheduled_campaign_waits_chooses_its_recipients_then_and_can_be_cancelled() {
    for t in backends().await {
        let server = gateway(0).await;
        let admin = t.token("admin@peyvand.demo").await;
        let marketing = t.token("marketing@peyvand.demo").await;
        configure(&t, &admin, &server).await;
        let expected = customers(&t, &admin).await;
        let now = OffsetDateTime::now_utc();
        let rfc = |at: OffsetDateTime| {
            at.format(&time::format_description::well_known::Rfc3339)
                .unwrap()
        };

        let past = json!({"tag": TAG, "text": "x", "confirm": true,
            "scheduled_at": rfc(now - time::Duration::hours(1))});
        let refused = t.post("/api/v1/sms-campaigns", &marketing, past).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(refused.json()["fields"]["scheduled_at"], "in_the_past");

        let at = now + time::Duration::hours(2);
        let later = json!({"tag": TAG, "text": "سلام {{first_name}}", "confirm": true,
            "scheduled_at": rfc(at)});
        let kept = created(&t, &marketing, "/api/v1/sms-campaigns", later.clone()).await;
        assert_eq!(kept["state"], "scheduled", "{kept}");
        assert_eq!(kept["recipients"], 3);
        assert_eq!(kept["queued"], 0, "nothing queued before its time");
        let dropped = created(&t, &marketing, "/api/v1/sms-campaigns", later).await;

        // Nothing goes before the moment.
        let (worker, clock) = worker(&t).await;
        run(&worker).await;
        assert!(sendarrays(&server).await.is_empty());

        // Cancelling: not by a sales rep; once by marketing; not twice.
        let cancel = format!(
            "/api/v1/sms-campaigns/{}/cancel",
            dropped["id"].as_str().unwrap()
        );
        let rep = t.token("rep@peyvand.demo").await;
        assert_eq!(
            t.post(&cancel, &rep, json!({})).await.status,
            StatusCode::FORBIDDEN
        );
        let cancelled = t.post(&cancel, &marketing, json!({})).await;
        assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
        assert_eq!(cancelled.json()["state"], "cancelled");
        let again = t.post(&cancel, &marketing, json!({})).await;
        assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(again.json()["fields"]["state"], "not_scheduled");

        // Meanwhile one contact opts out: the campaign, choosing at its start, leaves them out.
        let contacts = t
            .get(&format!("/api/v1/contacts?tag={TAG}"), &admin)
            .await
            .json();
        let ali = contacts["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["last_name"] == "Ahmadi")
            .unwrap()
            .clone();
        let opted = t
            .patch(
                &format!("/api/v1/contacts/{}", ali["id"].as_str().unwrap()),
                &admin,
                json!({"version": ali["version"], "opted_out": true}),
            )
            .await;
        assert_eq!(opted.status, StatusCode::OK, "{}", opted.body);

        *clock.0.lock().unwrap() = at + time::Duration::minutes(1);
        run(&worker).await; // starts the campaign: its messages are queued
        run(&worker).await; // sends them
        let requests = sendarrays(&server).await;
        assert_eq!(
            requests.len(),
            1,
            "{}: the cancelled one sends nothing",
            t.name()
        );
        let numbers = array(&requests[0], "receptor");
        let texts = array(&requests[0], "message");
        assert_eq!(numbers, ["09121000001", "09121000002"]);
        assert_eq!(texts, ["سلام مریم", "سلام "]);
        assert_eq!(expected.len(), 3);

        let id = kept["id"].as_str().unwrap();
        let shown = t
            .get(&format!("/api/v1/sms-campaigns/{id}"), &marketing)
            .await
            .json();
        assert_eq!(shown["state"], "started");
        assert_eq!(shown["recipients"], 2, "counted again when it started");
        assert_eq!(shown["not_allowed"], 1);
        assert_eq!(shown["sent"], 2);
        let late = t
            .post(
                &format!("/api/v1/sms-campaigns/{id}/cancel"),
                &marketing,
                json!({}),
            )
            .await;
        assert_eq!(
            late.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "too late to cancel"
        );
    }
}

#[tokio::test]
async fn the_pages_keep_templates_and_schedule_and_cancel_campaigns() {
    for t in backends().await {
        let server = gateway(0).await;
        let admin = t.token("admin@peyvand.demo").await;
        configure(&t, &admin, &server).await;
        customers(&t, &admin).await;
        let mut browser = Browser::new(&t);
        browser.login("marketing@peyvand.demo").await;

        // The template form lists the placeholders and names an unknown one.
        let form = browser.get("/sms-templates/new").await;
        assert_eq!(form.status, StatusCode::OK, "{}", form.body);
        assert!(
            form.body
                .contains("name=\"active\" type=\"checkbox\" value=\"true\" checked")
        );
        assert!(form.body.contains("{{first_name}}") && form.body.contains("نام شرکت"));
        let typo = browser
            .post(
                "/sms-templates",
                &[("name", "غلط"), ("language", "fa"), ("body", "{{famil}}")],
            )
            .await;
        assert_eq!(typo.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(typo.body.contains("famil"));
        let saved = browser
            .post(
                "/sms-templates",
                &[
                    ("name", "پاییز"),
                    ("language", "fa"),
                    ("body", TEMPLATE),
                    ("active", "true"),
                ],
            )
            .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
        let list = browser.get("/sms-templates?q=پاییز").await;
        assert!(list.body.contains("پاییز"), "{}", list.body);
        let template_id = location(&saved).rsplit('/').next().unwrap().to_owned();

        // The campaign form offers the template; choosing it previews the first text.
        let page = browser.get(&format!("/sms-campaigns?tag={TAG}")).await;
        assert!(page.body.contains("{{company}}"), "{}", page.body);
        assert!(page.body.contains(&template_id), "{template_id}");
        let preview = browser
            .get(&format!(
                "/sms-campaigns?tag={TAG}&template_id={template_id}&send_date=1500/01/01&send_time=10:30"
            ))
            .await;
        assert!(
            preview
                .body
                .contains("مریم رضایی عزیز، تخفیف شرکت آلفا ویژه شما"),
            "{}",
            preview.body
        );
        let scheduled = browser
            .post(
                "/sms-campaigns",
                &[
                    ("tag", TAG),
                    ("text", TEMPLATE),
                    ("template_id", &template_id),
                    ("send_date", "۱۵۰۰/۰۱/۰۱"),
                    ("send_time", "10:30"),
                    ("confirm", "1"),
                ],
            )
            .await;
        assert_eq!(
            scheduled.status,
            StatusCode::SEE_OTHER,
            "{}",
            scheduled.body
        );
        let campaign = location(&scheduled);
        let shown = browser.get(&campaign).await;
        assert!(shown.body.contains("زمان‌بندی‌شده"), "{}", shown.body);
        assert!(shown.body.contains("۱۵۰۰"), "the Jalali moment is shown");
        assert!(shown.body.contains("/cancel"));
        // Without the form's CSRF token nothing is cancelled.
        let forged = browser
            .send(Method::POST, &format!("{campaign}/cancel"), Some(&[]), &[])
            .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", t.name());
        assert!(browser.get(&campaign).await.body.contains("/cancel"));
        let cancelled = browser.post(&format!("{campaign}/cancel"), &[]).await;
        assert_eq!(
            cancelled.status,
            StatusCode::SEE_OTHER,
            "{}",
            cancelled.body
        );
        let shown = browser.get(&campaign).await;
        assert!(shown.body.contains("لغوشده") && !shown.body.contains("/cancel\""));
        let again = browser.post(&format!("{campaign}/cancel"), &[]).await;
        assert!(again.body.contains("role=\"alert\""));

        // A sales rep sees neither the templates nor the campaigns.
        let mut rep = Browser::new(&t);
        rep.login("rep@peyvand.demo").await;
        assert_eq!(
            rep.get("/sms-templates").await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(rep.get(&campaign).await.status, StatusCode::FORBIDDEN);
    }
}
