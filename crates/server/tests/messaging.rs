//! Bulk SMS and editable notification templates end to end (issue 5 §5), against an HTTP
//! server playing a Kavenegar-style gateway (wiremock), on SQLite and PostgreSQL: the exact
//! bulk requests, opted-out contacts getting nothing, progress and delivery of a campaign;
//! templates validated, previewed, used when sending and reset.

mod common;

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::http::{Method, StatusCode};
use common::{TestApp, backends};
use peyvand_app::App;
use peyvand_app::clock::Clock;
use serde_json::{Value, json};
use time::OffsetDateTime;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const API_KEY: &str = "SECRET-KEY-77aa";
const TAG: &str = "newsletter";

/// A Kavenegar-style gateway's answer to a send: one entry per receptor, with ids counted up
/// from 1000, so each number's message id is known.
struct Accepting(AtomicU64);

impl Respond for Accepting {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let count = if request.url.path().ends_with("/sms/sendarray.json") {
            array_value(&request.body, "receptor").len()
        } else {
            let receptors = form_value(&request.body, "receptor").unwrap_or_default();
            receptors.split(',').count()
        };
        let entries: Vec<Value> = (0..count)
            .map(|_| json!({"messageid": self.0.fetch_add(1, Ordering::SeqCst), "status": 1}))
            .collect();
        ResponseTemplate::new(200).set_body_json(
            json!({"return": {"status": 200, "message": "تایید شد"}, "entries": entries}),
        )
    }
}

fn form_value(body: &[u8], name: &str) -> Option<String> {
    url::form_urlencoded::parse(body)
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// A `sendarray` parameter: a JSON array of strings.
fn array_value(body: &[u8], name: &str) -> Vec<String> {
    let text = form_value(body, name).unwrap_or_default();
    serde_json::from_str(&text).unwrap_or_default()
}

async fn start_gateway() -> MockServer {
    let gateway = MockServer::start().await;
    for call in ["send", "sendarray"] {
        Mock::given(method("POST"))
            .and(path(format!("/v1/{API_KEY}/sms/{call}.json")))
            .respond_with(Accepting(AtomicU64::new(1000)))
            .mount(&gateway)
            .await;
    }
    gateway
}

async fn configure_sms(t: &TestApp, token: &str, gateway: &MockServer) {
    t.app
        .use_channel_builder(Arc::new(peyvand_channels::build))
        .await
        .unwrap();
    let reply = t
        .call(
            Method::PUT,
            "/api/v1/settings/notifications",
            Some(token),
            Some(
                json!({"sms": {"provider": "kavenegar", "url": gateway.uri(),
                "api_key": API_KEY, "sender": "10004346"}}),
            ),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
}

async fn contact(t: &TestApp, token: &str, body: Value) {
    let reply = t.post("/api/v1/contacts", token, body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
}

/// The bulk requests (campaigns go through the pair-to-pair `sendarray` call).
fn sends(requests: &[Request]) -> Vec<&Request> {
    requests
        .iter()
        .filter(|r| r.url.path().ends_with("/sms/sendarray.json"))
        .collect()
}

/// A clock the test moves by hand.
struct ManualClock(Mutex<OffsetDateTime>);

impl Clock for ManualClock {
    fn now(&self) -> OffsetDateTime {
        *self.0.lock().unwrap()
    }
}

#[tokio::test]
async fn a_campaign_goes_in_bulk_chunks_to_those_who_allowed_sms_only() {
    // 205 numbers that allowed SMS: one full chunk of 200 and one of 5.
    const ALLOWED: usize = 205;
    for t in backends().await {
        let gateway = start_gateway().await;
        let admin = t.token("admin@peyvand.demo").await;
        configure_sms(&t, &admin, &gateway).await;
        let mut expected = BTreeSet::new();
        for i in 0..ALLOWED {
            let mobile = format!("0912300{i:04}");
            expected.insert(mobile.clone());
            let body = json!({"last_name": format!("مشترک {i}"), "mobile": mobile,
                "consent_sms": true, "tags": TAG});
            contact(&t, &admin, body).await;
        }
        // A second contact with the first number: that number still gets one message.
        contact(
            &t,
            &admin,
            json!({"last_name": "همان شماره", "mobile": "09123000000",
            "consent_sms": true, "tags": TAG}),
        )
        .await;
        let left_out = ["09129990001", "09129990002", "09129990003", "09129990004"];
        for (i, mobile) in left_out.iter().enumerate() {
            // Two opted out (one of them had allowed SMS), two never allowed SMS.
            let body = json!({"last_name": format!("بیرون {i}"), "mobile": mobile,
                "consent_sms": i == 0, "opted_out": i < 2, "tags": TAG});
            let body = if i == 3 {
                json!({"last_name": "بیرون ۳", "mobile": mobile, "tags": TAG})
            } else {
                body
            };
            contact(&t, &admin, body).await;
        }
        contact(
            &t,
            &admin,
            json!({"last_name": "بی‌شماره", "consent_sms": true, "tags": TAG}),
        )
        .await;
        // Someone outside the list, who allowed SMS, hears nothing either.
        contact(
            &t,
            &admin,
            json!({"last_name": "دیگری", "mobile": "09128880000",
            "consent_sms": true}),
        )
        .await;

        let text = "جشنواره پاییزه: ۲۰٪ تخفیف تا پایان هفته";
        let input = json!({"tag": TAG, "text": text});
        let preview = t
            .post("/api/v1/sms-campaigns/preview", &admin, input.clone())
            .await;
        assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
        let audience = preview.json();
        assert_eq!(audience["recipients"], ALLOWED, "{}: {audience}", t.name());
        assert_eq!(audience["not_allowed"], 4, "{audience}");
        assert_eq!(audience["no_number"], 1, "{audience}");
        assert_eq!(audience["segments"], 1, "{audience}");

        // Nothing goes without confirmation, and nobody without the right to export contacts.
        let unconfirmed = t.post("/api/v1/sms-campaigns", &admin, input.clone()).await;
        assert_eq!(unconfirmed.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(unconfirmed.json()["fields"]["confirm"], "required");
        let rep = t.token("rep@peyvand.demo").await;
        let confirmed = json!({"tag": TAG, "text": text, "confirm": true});
        let refused = t
            .post("/api/v1/sms-campaigns", &rep, confirmed.clone())
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
        let marketing = t.token("marketing@peyvand.demo").await;
        let seen = t
            .post("/api/v1/sms-campaigns/preview", &marketing, input)
            .await;
        assert_eq!(seen.status, StatusCode::OK, "{}", seen.body);
        assert!(sends(&gateway.received_requests().await.unwrap()).is_empty());

        let created = t.post("/api/v1/sms-campaigns", &admin, confirmed).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        let campaign = created.json();
        assert_eq!(campaign["recipients"], ALLOWED);
        assert_eq!(campaign["queued"], ALLOWED);
        assert_eq!(campaign["sent"], 0);
        let id = campaign["id"].as_str().unwrap().to_owned();

        // The worker runs on a clock of its own, to ask about deliveries later.
        let clock = Arc::new(ManualClock(Mutex::new(common::now_to_the_microsecond())));
        let store = peyvand_store::Store::connect(&t.url).await.unwrap();
        let worker = App::with_clock(store, clock.clone());
        worker
            .use_channel_builder(Arc::new(peyvand_channels::build))
            .await
            .unwrap();
        let (_stop, stopped) = tokio::sync::watch::channel(false);
        assert_eq!(
            worker.run_due_jobs(&stopped).await.unwrap(),
            2,
            "two chunks"
        );

        let requests = gateway.received_requests().await.unwrap();
        let requests = sends(&requests);
        assert_eq!(
            requests.len(),
            2,
            "{}: one bulk request per chunk",
            t.name()
        );
        let mut sizes = Vec::new();
        let mut received = Vec::new();
        let mut local_ids = BTreeSet::new();
        for request in &requests {
            let numbers = array_value(&request.body, "receptor");
            let texts = array_value(&request.body, "message");
            let senders = array_value(&request.body, "sender");
            let ids = array_value(&request.body, "localmessageids");
            assert!(texts.iter().all(|t| t == text), "{texts:?}");
            assert!(senders.iter().all(|s| s == "10004346"), "{senders:?}");
            assert_eq!((texts.len(), senders.len()), (numbers.len(), numbers.len()));
            // Each message has a local id of its own: the chunk's job and its position.
            assert_eq!(ids.len(), numbers.len());
            assert!(
                ids.iter().all(|id| id.len() > 33 && id.contains('-')),
                "{ids:?}"
            );
            local_ids.extend(ids);
            sizes.push(numbers.len());
            received.extend(numbers);
        }
        assert_eq!(local_ids.len(), ALLOWED, "every local id differs");
        sizes.sort();
        assert_eq!(sizes, [5, 200], "{}", t.name());
        let unique: BTreeSet<String> = received.iter().cloned().collect();
        assert_eq!(unique.len(), received.len(), "each number once");
        assert_eq!(
            unique,
            expected,
            "{}: exactly those who allowed SMS",
            t.name()
        );

        let shown = t.get(&format!("/api/v1/sms-campaigns/{id}"), &admin).await;
        assert_eq!(shown.status, StatusCode::OK, "{}", shown.body);
        let shown = shown.json();
        assert_eq!(
            (shown["queued"].clone(), shown["sent"].clone()),
            (json!(0), json!(ALLOWED))
        );
        let list = shown["recipient_list"].as_array().unwrap();
        assert_eq!(list.len(), ALLOWED);
        assert!(
            list.iter()
                .all(|r| r["state"] == "sent" && r["delivery"] == "pending")
        );

        // Delivery reports: the gateway says the first message arrived, the rest failed.
        Mock::given(method("POST"))
            .and(path(format!("/v1/{API_KEY}/sms/status.json")))
            .respond_with(|request: &Request| {
                let id = form_value(&request.body, "messageid").unwrap_or_default();
                let status = if id == "1000" { 10 } else { 6 };
                ResponseTemplate::new(200).set_body_json(json!({"return": {"status": 200},
                    "entries": [{"messageid": id, "status": status}]}))
            })
            .mount(&gateway)
            .await;
        *clock.0.lock().unwrap() += time::Duration::minutes(10);
        // A sweep asks about at most 200; the next one takes the rest.
        let mut asked = 0;
        loop {
            match worker.delivery_sweep().await.unwrap() {
                0 => break,
                n => asked += n,
            }
        }
        assert_eq!(asked, ALLOWED);
        let shown = t
            .get(&format!("/api/v1/sms-campaigns/{id}"), &admin)
            .await
            .json();
        assert_eq!(shown["delivered"], 1, "{}: {shown}", t.name());
        assert_eq!(shown["failed"], ALLOWED - 1);
        assert_eq!(shown["sent"], ALLOWED);

        let listed = t.get("/api/v1/sms-campaigns", &marketing).await;
        assert_eq!(listed.status, StatusCode::OK);
        assert_eq!(listed.json()["items"][0]["id"], id.as_str());
        let rejected = t.get("/api/v1/sms-campaigns", &rep).await;
        assert_eq!(rejected.status, StatusCode::FORBIDDEN);
    }
}

#[tokio::test]
async fn a_campaign_needs_an_sms_gateway_and_recipients() {
    for t in backends().await {
        let admin = t.token("admin@peyvand.demo").await;
        contact(
            &t,
            &admin,
            json!({"last_name": "تنها", "mobile": "09127770000",
            "consent_sms": true, "tags": TAG}),
        )
        .await;
        let send = json!({"tag": TAG, "text": "سلام", "confirm": true});
        let no_gateway = t.post("/api/v1/sms-campaigns", &admin, send).await;
        assert_eq!(no_gateway.status.as_u16(), 502, "{}", no_gateway.body);
        let gateway = start_gateway().await;
        configure_sms(&t, &admin, &gateway).await;
        let nobody = json!({"tag": "no-such-tag", "text": "سلام", "confirm": true});
        let empty = t.post("/api/v1/sms-campaigns", &admin, nobody).await;
        assert_eq!(
            empty.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            empty.body
        );
        assert_eq!(empty.json()["fields"]["recipients"], "required");
    }
}

#[tokio::test]
async fn edited_templates_are_checked_previewed_used_and_reset() {
    for t in backends().await {
        let gateway = start_gateway().await;
        let admin = t.token("admin@peyvand.demo").await;
        configure_sms(&t, &admin, &gateway).await;
        let listed = t.get("/api/v1/settings/notice-templates", &admin).await;
        assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
        let items = listed.json()["items"].as_array().unwrap().clone();
        assert_eq!(items.len(), 22);
        assert!(
            items
                .iter()
                .all(|i| i["edited"] == false && i["body"] == i["default_body"])
        );

        let key = "/api/v1/settings/notice-templates/en.received.sms";
        let bad = t
            .call(
                Method::PUT,
                key,
                Some(&admin),
                Some(json!({"body": "Got {{number}} {{reply}}"})),
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
        let bad = bad.json();
        assert_eq!(bad["placeholder"], "reply", "{bad}");
        assert!(bad["message"].as_str().unwrap().contains("reply"), "{bad}");
        let service = t.token("service@peyvand.demo").await;
        let forbidden = t
            .call(Method::PUT, key, Some(&service), Some(json!({"body": "x"})))
            .await;
        assert_eq!(forbidden.status, StatusCode::FORBIDDEN);

        let edited = "Case {{number}} logged: {{ subject }}";
        let preview = t
            .post(&format!("{key}/preview"), &admin, json!({"body": edited}))
            .await;
        assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
        assert_eq!(
            preview.json()["text"],
            "Case 1404-00017 logged: Broken device"
        );
        let saved = t
            .call(
                Method::PUT,
                key,
                Some(&admin),
                Some(json!({"body": edited})),
            )
            .await;
        assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
        assert_eq!(saved.json()["edited"], true);

        contact(
            &t,
            &admin,
            json!({"last_name": "Smith", "mobile": "09121110001",
            "consent_sms": true, "preferred_language": "en"}),
        )
        .await;
        let contact_id =
            t.get("/api/v1/contacts?q=Smith", &admin).await.json()["items"][0]["id"].clone();
        let file_case = async || {
            let reply = t
                .post("/api/v1/cases", &admin, json!({"case_type": "request",
                    "subject": "Broken printer", "description": "It does not start", "channel": "phone",
                    "contact_id": contact_id}))
                .await;
            assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
            let (_stop, stopped) = tokio::sync::watch::channel(false);
            t.app.run_due_jobs(&stopped).await.unwrap();
            let number = reply.json()["number"].as_str().unwrap().to_owned();
            let requests = gateway.received_requests().await.unwrap();
            let last = requests
                .iter()
                .rfind(|r| r.url.path().ends_with("/sms/send.json"))
                .map(|r| form_value(&r.body, "message"));
            (number, last.flatten().unwrap_or_default())
        };
        let (number, text) = file_case().await;
        assert_eq!(
            text,
            format!("Case {number} logged: Broken printer"),
            "{}",
            t.name()
        );

        let reset = t.call(Method::DELETE, key, Some(&admin), None).await;
        assert_eq!(reset.status, StatusCode::OK, "{}", reset.body);
        let reset = reset.json();
        assert_eq!(reset["edited"], false);
        assert_eq!(reset["body"], reset["default_body"]);
        let (number, text) = file_case().await;
        assert_eq!(
            text,
            format!("Your request was received as number {number}. Thank you."),
            "{}",
            t.name()
        );
    }
}

#[tokio::test]
async fn the_pages_preview_confirm_and_follow_a_campaign_and_edit_templates() {
    for t in backends().await {
        let gateway = start_gateway().await;
        let admin = t.token("admin@peyvand.demo").await;
        configure_sms(&t, &admin, &gateway).await;
        for (i, opted_out) in [false, false, true].into_iter().enumerate() {
            contact(
                &t,
                &admin,
                json!({"last_name": format!("صفحه {i}"),
                "mobile": format!("0912666000{i}"), "consent_sms": true,
                "opted_out": opted_out, "tags": TAG}),
            )
            .await;
        }
        let mut browser = common::web_client::Browser::new(&t);
        browser.login("marketing@peyvand.demo").await;
        let list = browser.get(&format!("/contacts?q={TAG}")).await;
        assert!(
            list.body.contains("href=\"/sms-campaigns?q="),
            "{}",
            t.name()
        );

        let preview = browser
            .get(&format!(
                "/sms-campaigns?tag={TAG}&text=%D8%B3%D9%84%D8%A7%D9%85"
            ))
            .await;
        assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
        assert!(
            preview.body.contains("۲ شماره"),
            "{}: two numbers",
            t.name()
        );
        assert!(preview.body.contains("name=\"confirm\""));
        let unconfirmed = browser
            .post("/sms-campaigns", &[("tag", TAG), ("text", "سلام")])
            .await;
        assert_eq!(unconfirmed.status, StatusCode::OK);
        assert!(unconfirmed.body.contains("role=\"alert\""));
        let sent = browser
            .post(
                "/sms-campaigns",
                &[("tag", TAG), ("text", "سلام"), ("confirm", "1")],
            )
            .await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
        let (_stop, stopped) = tokio::sync::watch::channel(false);
        t.app.run_due_jobs(&stopped).await.unwrap();
        let location = common::web_client::location(&sent);
        let page = browser.get(&location).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(page.body.contains("+989126660000") && !page.body.contains("+989126660002"));
        // The list offers the text again for a new campaign.
        let listed = browser.get("/sms-campaigns").await;
        assert!(
            listed
                .body
                .contains("/sms-campaigns?text=%D8%B3%D9%84%D8%A7%D9%85"),
            "{}",
            listed.body
        );

        let mut browser = common::web_client::Browser::new(&t);
        browser.login("admin@peyvand.demo").await;
        let page = browser.get("/settings/notice-templates").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let key = "/settings/notice-templates/fa.closed.sms";
        let preview = browser
            .post(
                key,
                &[("body", "پرونده {{number}} بسته شد"), ("action", "preview")],
            )
            .await;
        assert!(
            preview.body.contains("پرونده 1404-00017 بسته شد"),
            "{}",
            t.name()
        );
        let bad = browser
            .post(key, &[("body", "{{nope}}"), ("action", "save")])
            .await;
        assert!(bad.body.contains("role=\"alert\"") && bad.body.contains("nope"));
    }
}

#[tokio::test]
async fn a_gateway_without_a_bulk_call_gets_one_request_per_number_with_its_own_id() {
    for t in backends().await {
        let gateway = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/send"))
            .respond_with(ResponseTemplate::new(200).set_body_string("OK"))
            .mount(&gateway)
            .await;
        let admin = t.token("admin@peyvand.demo").await;
        t.app
            .use_channel_builder(Arc::new(peyvand_channels::build))
            .await
            .unwrap();
        let settings = json!({"sms": {"provider": "http", "url": format!("{}/send", gateway.uri()),
            "body": "to={to}&text={text}&id={local_id}", "api_key": "k"}});
        let reply = t
            .call(
                Method::PUT,
                "/api/v1/settings/notifications",
                Some(&admin),
                Some(settings),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        for (i, opted_out) in [false, false, false, true].into_iter().enumerate() {
            contact(
                &t,
                &admin,
                json!({"last_name": format!("تک {i}"),
                "mobile": format!("0912777000{i}"), "consent_sms": true,
                "opted_out": opted_out, "tags": TAG}),
            )
            .await;
        }
        let send = json!({"tag": TAG, "text": "Hello", "confirm": true});
        let created = t.post("/api/v1/sms-campaigns", &admin, send).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        let (_stop, stopped) = tokio::sync::watch::channel(false);
        assert_eq!(
            t.app.run_due_jobs(&stopped).await.unwrap(),
            3,
            "{}",
            t.name()
        );

        let requests = gateway.received_requests().await.unwrap();
        let to: BTreeSet<String> = requests
            .iter()
            .filter_map(|r| form_value(&r.body, "to"))
            .collect();
        let expected: BTreeSet<String> = (0..3).map(|i| format!("+98912777000{i}")).collect();
        assert_eq!((requests.len(), to), (3, expected), "{}", t.name());
        let ids: BTreeSet<String> = requests
            .iter()
            .filter_map(|r| form_value(&r.body, "id"))
            .collect();
        assert_eq!(ids.len(), 3, "each message has an id of its own");
        let id = created.json()["id"].as_str().unwrap().to_owned();
        let shown = t
            .get(&format!("/api/v1/sms-campaigns/{id}"), &admin)
            .await
            .json();
        assert_eq!(
            (shown["queued"].clone(), shown["sent"].clone()),
            (json!(0), json!(3))
        );
    }
}
