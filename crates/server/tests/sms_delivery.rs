//! SMS delivery reports and credit on both databases, against an HTTP server playing a
//! Kavenegar-style gateway (wiremock): a sent SMS keeps the gateway's message id, the worker
//! asks where it is until the gateway says delivered, and administrators read the account's
//! credit from the API and the settings page.

mod common;

use std::sync::{Arc, Mutex};

use axum::http::{Method, StatusCode};
use common::{TestApp, backends};
use peyvand_app::App;
use peyvand_app::clock::Clock;
use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};
use wiremock::matchers::{body_string_contains, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const API_KEY: &str = "DELIVERY-KEY-77";

/// A clock the test moves by hand.
struct ManualClock(Mutex<OffsetDateTime>);

impl Clock for ManualClock {
    fn now(&self) -> OffsetDateTime {
        *self.0.lock().unwrap()
    }
}

fn answer(entries: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(
        json!({"return": {"status": 200, "message": "تایید شد"}, "entries": entries}),
    )
}

async fn gateway_with_status(status: i64) -> MockServer {
    let gateway = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/v1/{API_KEY}/sms/send.json")))
        .respond_with(answer(json!([{"messageid": 8792343, "status": 1}])))
        .mount(&gateway)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("/v1/{API_KEY}/sms/status.json")))
        .and(body_string_contains("messageid=8792343"))
        .respond_with(answer(json!([{"messageid": 8792343, "status": status}])))
        .mount(&gateway)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("/v1/{API_KEY}/account/info.json")))
        .respond_with(answer(
            json!({"remaincredit": 1_234_560, "expiredate": 1_900_000_000}),
        ))
        .mount(&gateway)
        .await;
    gateway
}

async fn configure(t: &TestApp, admin: &str, gateway: &MockServer) {
    let settings = json!({"sms": {"provider": "kavenegar", "url": gateway.uri(),
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

async fn delivery_of(t: &TestApp, admin: &str, job: &str) -> Value {
    let jobs = t.get("/api/v1/jobs", admin).await.json();
    jobs["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["id"] == job)
        .unwrap()["delivery"]
        .clone()
}

#[tokio::test]
async fn a_sent_sms_is_followed_until_delivered() {
    for t in backends().await {
        let gateway = gateway_with_status(10).await;
        let admin = t.token("admin@peyvand.demo").await;
        configure(&t, &admin, &gateway).await;
        let queued = t
            .post(
                "/api/v1/settings/notifications/test",
                &admin,
                json!({"channel": "sms", "to": "09121234567"}),
            )
            .await;
        assert_eq!(queued.status, StatusCode::ACCEPTED, "{}", queued.body);
        let job = queued.json()["job_id"].as_str().unwrap().to_owned();

        let clock = Arc::new(ManualClock(Mutex::new(common::now_to_the_microsecond())));
        let store = peyvand_store::Store::connect(&t.url).await.unwrap();
        let worker = App::with_clock(store, clock.clone());
        worker
            .use_channel_builder(Arc::new(peyvand_channels::build))
            .await
            .unwrap();
        let (_stop, stopped) = tokio::sync::watch::channel(false);
        assert_eq!(worker.run_due_jobs(&stopped).await.unwrap(), 1);
        assert_eq!(
            delivery_of(&t, &admin, &job).await,
            "pending",
            "{}",
            t.name()
        );

        *clock.0.lock().unwrap() += Duration::minutes(10);
        assert_eq!(worker.delivery_sweep().await.unwrap(), 1, "{}", t.name());
        assert_eq!(delivery_of(&t, &admin, &job).await, "delivered");
        // Delivered is final: the gateway is not asked again.
        *clock.0.lock().unwrap() += Duration::minutes(10);
        assert_eq!(worker.delivery_sweep().await.unwrap(), 0);
        let asked = gateway
            .received_requests()
            .await
            .unwrap()
            .iter()
            .filter(|r| r.url.path().ends_with("/sms/status.json"))
            .count();
        assert_eq!(asked, 1, "{}", t.name());
    }
}

#[tokio::test]
async fn a_message_pending_for_days_becomes_unknown() {
    for t in backends().await {
        // Status 1: still in the gateway's queue.
        let gateway = gateway_with_status(1).await;
        let admin = t.token("admin@peyvand.demo").await;
        configure(&t, &admin, &gateway).await;
        let queued = t
            .post(
                "/api/v1/settings/notifications/test",
                &admin,
                json!({"channel": "sms", "to": "09121234568"}),
            )
            .await;
        let job = queued.json()["job_id"].as_str().unwrap().to_owned();
        let clock = Arc::new(ManualClock(Mutex::new(common::now_to_the_microsecond())));
        let store = peyvand_store::Store::connect(&t.url).await.unwrap();
        let worker = App::with_clock(store, clock.clone());
        worker
            .use_channel_builder(Arc::new(peyvand_channels::build))
            .await
            .unwrap();
        let (_stop, stopped) = tokio::sync::watch::channel(false);
        worker.run_due_jobs(&stopped).await.unwrap();
        *clock.0.lock().unwrap() += Duration::minutes(10);
        worker.delivery_sweep().await.unwrap();
        assert_eq!(
            delivery_of(&t, &admin, &job).await,
            "pending",
            "{}",
            t.name()
        );
        // Asked again only after a rest.
        assert_eq!(worker.delivery_sweep().await.unwrap(), 0);
        *clock.0.lock().unwrap() += Duration::days(4);
        worker.delivery_sweep().await.unwrap();
        assert_eq!(
            delivery_of(&t, &admin, &job).await,
            "unknown",
            "{}",
            t.name()
        );
    }
}

#[tokio::test]
async fn administrators_read_the_credit() {
    for t in backends().await {
        let admin = t.token("admin@peyvand.demo").await;
        let unset = t
            .get("/api/v1/settings/notifications/sms-credit", &admin)
            .await;
        assert_eq!(unset.status, StatusCode::OK, "{}", unset.body);
        assert!(unset.json()["credit"].is_null(), "{}", unset.body);

        // The server (unlike the tests' other apps) builds real channels from the settings.
        t.app
            .use_channel_builder(Arc::new(peyvand_channels::build))
            .await
            .unwrap();
        let gateway = gateway_with_status(10).await;
        configure(&t, &admin, &gateway).await;
        let credit = t
            .get("/api/v1/settings/notifications/sms-credit", &admin)
            .await;
        assert_eq!(credit.status, StatusCode::OK, "{}", credit.body);
        assert_eq!(credit.json()["credit"], 1_234_560, "{}", t.name());
        let rep = t.token("rep@peyvand.demo").await;
        let refused = t
            .get("/api/v1/settings/notifications/sms-credit", &rep)
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);

        let mut browser = common::web_client::Browser::new(&t);
        browser.login("admin@peyvand.demo").await;
        let page = browser.get("/settings/notifications?credit=1").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(
            page.body.contains("۱٬۲۳۴٬۵۶۰") || page.body.contains("1,234,560"),
            "{}",
            t.name()
        );

        // A gateway that does not answer is a clear error on the page and in the API.
        gateway.reset().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(503))
            .mount(&gateway)
            .await;
        let down = t
            .get("/api/v1/settings/notifications/sms-credit", &admin)
            .await;
        assert_eq!(down.status, StatusCode::BAD_GATEWAY, "{}", down.body);
        assert_eq!(down.json()["error"], "channel_unavailable");
        let page = browser.get("/settings/notifications?credit=1").await;
        assert!(page.body.contains("role=\"alert\""), "{}", t.name());
    }
}
