//! Notifications end to end with real components: email to a real SMTP server (aiosmtpd, see
//! scripts/smtp-sink), SMS to an HTTP server playing a Kavenegar-style gateway (wiremock), the
//! durable job queue stopped and restarted in the middle of a batch, retries with back-off,
//! failures visible to administrators, and secrets never shown back.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use common::{TestApp, backends};
use peyvand_app::App;
use peyvand_app::clock::Clock;
use peyvand_app::jobs::{Lane, MAX_ATTEMPTS, Worker};
use serde_json::{Value, json};
use time::OffsetDateTime;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const API_KEY: &str = "SECRET-KEY-4b1d";

/// The SMTP sink, stopped when dropped.
struct SmtpSink {
    child: Child,
    port: u16,
    /// Removed after the sink is stopped (`Drop` runs before the fields are dropped).
    maildir: common::scratch::Scratch,
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

async fn start_smtp_sink() -> SmtpSink {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let maildir = common::scratch::Scratch::new("mail");
    let child = Command::new(workspace_root().join("scripts/smtp-sink"))
        .arg(port.to_string())
        .arg(&*maildir)
        .stdout(Stdio::null())
        .spawn()
        .expect("scripts/smtp-sink starts");
    let mut sink = SmtpSink {
        child,
        port,
        maildir,
    };
    // The first start builds the Python environment, which takes a while.
    let started = Instant::now();
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        if let Ok(Some(status)) = sink.child.try_wait() {
            panic!("scripts/smtp-sink failed ({status}): Python 3 with venv and PyPI are needed");
        }
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "the SMTP sink did not start"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    sink
}

impl SmtpSink {
    /// The messages received so far, as their raw text.
    fn messages(&self) -> Vec<String> {
        std::fs::read_dir(self.maildir.join("new"))
            .map(|dir| {
                dir.filter_map(|entry| std::fs::read_to_string(entry.ok()?.path()).ok())
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// Waits until `done` holds, checking every few milliseconds, for at most a minute.
async fn wait_until(what: &str, mut done: impl AsyncFnMut() -> bool) {
    let started = Instant::now();
    while !done().await {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

async fn jobs(t: &TestApp, token: &str, query: &str) -> Vec<Value> {
    let reply = t.get(&format!("/api/v1/jobs{query}"), token).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.json()["items"].as_array().unwrap().clone()
}

async fn queue_test(t: &TestApp, token: &str, channel: &str, to: &str) -> String {
    let reply = t
        .post(
            "/api/v1/settings/notifications/test",
            token,
            json!({"channel": channel, "to": to}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.body);
    reply.json()["job_id"].as_str().unwrap().to_owned()
}

async fn configure(t: &TestApp, token: &str, settings: Value) -> Value {
    t.app
        .use_channel_builder(Arc::new(peyvand_channels::build))
        .await
        .unwrap();
    let reply = t
        .call(
            axum::http::Method::PUT,
            "/api/v1/settings/notifications",
            Some(token),
            Some(settings),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.json()
}

/// Runs the worker until `count` jobs are done, stops it there — in the middle of the batch —,
/// starts it again and lets it finish.
async fn run_with_a_restart(t: &TestApp, token: &str, sent: impl AsyncFn() -> usize, total: usize) {
    let worker = Worker::start(t.app.clone());
    wait_until("the first messages", async || sent().await >= 5).await;
    worker.stop().await;
    let before_restart = sent().await;
    assert!(before_restart < total, "the worker stopped in the middle");
    let pending = jobs(t, token, "").await;
    assert!(
        pending
            .iter()
            .filter(|j| j["kind"] == "email" || j["kind"] == "sms")
            .all(|j| j["state"] == "done" || j["state"] == "queued"),
        "a stopped worker leaves no job claimed: {pending:?}"
    );
    let worker = Worker::start(t.app.clone());
    // Only the messages count: the worker also queues the night's recomputes of its own.
    wait_until("every job", async || {
        jobs(t, token, "")
            .await
            .iter()
            .filter(|j| j["kind"] == "email" || j["kind"] == "sms")
            .all(|j| j["state"] == "done")
    })
    .await;
    let others: Vec<Value> = jobs(t, token, "")
        .await
        .into_iter()
        .filter(|j| j["kind"] != "email" && j["kind"] != "sms")
        .collect();
    assert!(
        others.iter().all(|j| j["state"] != "failed"),
        "the worker's own jobs do not fail: {others:?}"
    );
    worker.stop().await;
}

#[tokio::test]
async fn email_goes_once_to_a_real_smtp_server_across_a_worker_restart() {
    const TOTAL: usize = 150;
    for t in backends().await {
        let sink = start_smtp_sink().await;
        let admin = t.token("admin@peyvand.demo").await;
        let shown = configure(
            &t,
            &admin,
            json!({"smtp": {"host": "127.0.0.1", "port": sink.port, "security": "none",
                "username": "", "password": "smtp-secret", "from": "Peyvand <crm@peyvand.demo>"}}),
        )
        .await;
        assert_eq!(shown["smtp"]["password_set"], true);
        assert!(!shown.to_string().contains("smtp-secret"), "{shown}");

        let mut ids = BTreeSet::new();
        for i in 0..TOTAL {
            let to = format!("customer{i}@example.com");
            ids.insert(queue_test(&t, &admin, "email", &to).await);
        }
        let sent = async || sink.messages().len();
        run_with_a_restart(&t, &admin, sent, TOTAL).await;

        let messages = sink.messages();
        assert_eq!(
            messages.len(),
            TOTAL,
            "{}: each email exactly once",
            t.name()
        );
        let message_ids: BTreeSet<String> = messages
            .iter()
            .filter_map(|m| m.lines().find_map(|l| l.strip_prefix("Message-ID: <")))
            .map(|id| {
                id.trim_end_matches('>')
                    .trim_end_matches("@peyvand")
                    .to_owned()
            })
            .collect();
        let simple: BTreeSet<String> = ids.iter().map(|id| id.replace('-', "")).collect();
        assert_eq!(message_ids, simple, "{}: one message per job", t.name());
        assert!(
            messages
                .iter()
                .any(|m| m.contains("X-RcptTo: customer7@example.com"))
        );
    }
}

/// The Kavenegar-style answer to a send.
fn accepted() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "return": {"status": 200, "message": "تایید شد"},
        "entries": [{"messageid": 8792343, "status": 1, "statustext": "در صف ارسال"}],
    }))
}

fn form_value(body: &[u8], name: &str) -> Option<String> {
    url::form_urlencoded::parse(body)
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

#[tokio::test]
async fn sms_goes_once_through_a_gateway_across_a_worker_restart() {
    const TOTAL: usize = 200;
    for t in backends().await {
        let gateway = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path(format!("/v1/{API_KEY}/sms/send.json")))
            .respond_with(accepted())
            .mount(&gateway)
            .await;
        let admin = t.token("admin@peyvand.demo").await;
        let shown = configure(
            &t,
            &admin,
            json!({"sms": {"provider": "kavenegar", "url": gateway.uri(), "api_key": API_KEY,
                "sender": "10004346"}}),
        )
        .await;
        assert_eq!(shown["sms"]["api_key_set"], true);
        assert!(!shown.to_string().contains(API_KEY), "{shown}");

        let mut ids = BTreeSet::new();
        for i in 0..TOTAL {
            let to = format!("۰۹۱۲۰۰۰{:04}", i);
            ids.insert(queue_test(&t, &admin, "sms", &to).await);
        }
        let received = async || gateway.received_requests().await.unwrap_or_default().len();
        run_with_a_restart(&t, &admin, received, TOTAL).await;

        let requests = gateway.received_requests().await.unwrap();
        assert_eq!(requests.len(), TOTAL, "{}: each SMS exactly once", t.name());
        let local_ids: BTreeSet<String> = requests
            .iter()
            .filter_map(|r| form_value(&r.body, "localid"))
            .collect();
        let simple: BTreeSet<String> = ids.iter().map(|id| id.replace('-', "")).collect();
        assert_eq!(local_ids, simple, "{}", t.name());
        let first = &requests[0].body;
        assert!(
            form_value(first, "receptor")
                .unwrap()
                .starts_with("0912000")
        );
        assert_eq!(form_value(first, "sender").unwrap(), "10004346");
    }
}

/// Queues a recomputation of the analytical CRM, a long job, through the API.
async fn queue_long_job(t: &TestApp, token: &str) {
    let reply = t.post("/api/v1/insights/runs", token, json!({})).await;
    assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.body);
}

#[tokio::test]
async fn messages_and_long_jobs_are_never_claimed_together() {
    for t in backends().await {
        let admin = t.token("admin@peyvand.demo").await;
        // The long job is queued first, so by age alone it would lead the messages' claim.
        queue_long_job(&t, &admin).await;
        for i in 0..3 {
            queue_test(&t, &admin, "sms", &format!("0912555000{i}")).await;
        }
        let store = peyvand_store::Store::connect(&t.url).await.unwrap();
        let now = OffsetDateTime::now_utc();
        let lease = now + time::Duration::minutes(10);
        let mut tx = store.write().await.unwrap();
        let messages = tx
            .claim_jobs(Lane::Messages.kinds(), now, lease, 64)
            .await
            .unwrap();
        let kinds: Vec<&str> = messages.iter().map(|j| j.kind.as_str()).collect();
        assert_eq!(kinds, ["sms"; 3], "{}", t.name());
        let long = tx
            .claim_jobs(Lane::Long.kinds(), now, lease, 64)
            .await
            .unwrap();
        let kinds: Vec<&str> = long.iter().map(|j| j.kind.as_str()).collect();
        assert_eq!(kinds, ["insights"], "{}", t.name());
        tx.commit().await.unwrap();
    }
    // Every kind of job belongs to exactly one lane.
    for kind in [
        "email",
        "sms",
        "sms_batch",
        "campaign_sms",
        "insights",
        "insight_tag",
        "classify",
    ] {
        let lanes = [Lane::Messages, Lane::Long]
            .into_iter()
            .filter(|lane| lane.kinds().contains(&kind))
            .count();
        assert_eq!(lanes, 1, "{kind}");
    }
}

#[tokio::test]
async fn a_mixed_batch_with_a_long_job_sends_each_sms_once_across_a_worker_restart() {
    const TOTAL: usize = 120;
    for t in backends().await {
        let gateway = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path(format!("/v1/{API_KEY}/sms/send.json")))
            .respond_with(accepted())
            .mount(&gateway)
            .await;
        let admin = t.token("admin@peyvand.demo").await;
        configure(
            &t,
            &admin,
            json!({"sms": {"provider": "kavenegar", "url": gateway.uri(), "api_key": API_KEY,
                "sender": "10004346"}}),
        )
        .await;
        queue_long_job(&t, &admin).await;
        let mut ids = BTreeSet::new();
        for i in 0..TOTAL {
            ids.insert(queue_test(&t, &admin, "sms", &format!("0912444{i:04}")).await);
            if i == TOTAL / 2 {
                queue_long_job(&t, &admin).await;
            }
        }
        let received = async || gateway.received_requests().await.unwrap_or_default().len();
        run_with_a_restart(&t, &admin, received, TOTAL).await;

        let requests = gateway.received_requests().await.unwrap();
        assert_eq!(requests.len(), TOTAL, "{}: each SMS exactly once", t.name());
        let local_ids: BTreeSet<String> = requests
            .iter()
            .filter_map(|r| form_value(&r.body, "localid"))
            .collect();
        let simple: BTreeSet<String> = ids.iter().map(|id| id.replace('-', "")).collect();
        assert_eq!(local_ids, simple, "{}", t.name());
        let long: Vec<Value> = jobs(&t, &admin, "?limit=500")
            .await
            .into_iter()
            .filter(|j| j["kind"] == "insights")
            .collect();
        assert!(!long.is_empty());
        assert!(
            long.iter()
                .all(|j| j["state"] == "done" || j["state"] == "queued"),
            "{}: the long jobs are recorded, none left claimed: {long:?}",
            t.name()
        );
    }
}

/// A clock the test moves by hand.
struct ManualClock(Mutex<OffsetDateTime>);

impl Clock for ManualClock {
    fn now(&self) -> OffsetDateTime {
        *self.0.lock().unwrap()
    }
}

#[tokio::test]
async fn a_failing_gateway_is_retried_with_back_off_then_shown_as_failed() {
    for t in backends().await {
        let gateway = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(503).set_body_string("busy"))
            .mount(&gateway)
            .await;
        let admin = t.token("admin@peyvand.demo").await;
        configure(
            &t,
            &admin,
            json!({"sms": {"provider": "kavenegar", "url": gateway.uri(), "api_key": API_KEY,
                "sender": "10004346"}}),
        )
        .await;
        let job = queue_test(&t, &admin, "sms", "09121112233").await;

        // A second application on the same database with a clock of our own plays the worker.
        let clock = Arc::new(ManualClock(Mutex::new(common::now_to_the_microsecond())));
        let store = peyvand_store::Store::connect(&t.url).await.unwrap();
        let worker_app = App::with_clock(store, clock.clone());
        worker_app
            .use_channel_builder(Arc::new(peyvand_channels::build))
            .await
            .unwrap();
        let (_stop, stopped) = tokio::sync::watch::channel(false);
        for attempt in 1..=MAX_ATTEMPTS {
            assert_eq!(worker_app.run_due_jobs(&stopped).await.unwrap(), 1);
            // Not due again until its back-off has passed.
            assert_eq!(worker_app.run_due_jobs(&stopped).await.unwrap(), 0);
            let listed = jobs(&t, &admin, "").await;
            let state = if attempt < MAX_ATTEMPTS {
                "queued"
            } else {
                "failed"
            };
            assert_eq!(listed[0]["state"], state, "{}: attempt {attempt}", t.name());
            assert_eq!(listed[0]["attempts"], attempt);
            *clock.0.lock().unwrap() += time::Duration::hours(2);
        }
        assert_eq!(worker_app.run_due_jobs(&stopped).await.unwrap(), 0);
        let failed = jobs(&t, &admin, "?state=failed").await;
        assert_eq!(failed.len(), 1);
        assert_eq!(failed[0]["id"], job.as_str());
        let error = failed[0]["last_error"].as_str().unwrap();
        assert!(error.contains("503"), "{error}");
        assert!(!error.contains(API_KEY), "no secret in errors: {error}");
        assert_eq!(
            gateway.received_requests().await.unwrap().len() as i64,
            MAX_ATTEMPTS
        );

        // A refusal (a wrong key) is not retried.
        gateway.reset().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(403).set_body_json(
                json!({"return": {"status": 403, "message": "کد شناسائی معتبر نمی باشد"}, "entries": null}),
            ))
            .mount(&gateway)
            .await;
        queue_test(&t, &admin, "sms", "09121112234").await;
        *clock.0.lock().unwrap() += time::Duration::hours(2);
        assert_eq!(worker_app.run_due_jobs(&stopped).await.unwrap(), 1);
        let failed = jobs(&t, &admin, "?state=failed").await;
        assert_eq!(failed.len(), 2, "{}", t.name());
        assert_eq!(failed[0]["attempts"], 1);
    }
}

#[tokio::test]
async fn only_administrators_see_or_change_the_channels() {
    for t in backends().await {
        let rep = t.token("rep@peyvand.demo").await;
        let admin = t.token("admin@peyvand.demo").await;
        for path in ["/api/v1/settings/notifications", "/api/v1/jobs"] {
            let reply = t.get(path, &rep).await;
            assert_eq!(reply.status, StatusCode::FORBIDDEN, "{path}");
        }
        let refused = t
            .post(
                "/api/v1/settings/notifications/test",
                &rep,
                json!({"channel": "sms", "to": "09121112233"}),
            )
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);

        // Bad settings: clear field errors, nothing stored.
        let bad = t
            .call(
                axum::http::Method::PUT,
                "/api/v1/settings/notifications",
                Some(&admin),
                Some(
                    json!({"smtp": {"host": "", "port": 0, "security": "ssl", "from": "x"},
                    "sms": {"provider": "kavenegar"}}),
                ),
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
        let fields = &bad.json()["fields"];
        for field in [
            "smtp.host",
            "smtp.port",
            "smtp.security",
            "smtp.from",
            "sms.api_key",
        ] {
            assert!(fields.get(field).is_some(), "{field}: {fields}");
        }
        let stored = t.get("/api/v1/settings/notifications", &admin).await.json();
        assert_eq!(stored, json!({"public_url": "", "smtp": null, "sms": null}));
        // The endpoints are in the OpenAPI document.
        let openapi = t.get("/api/v1/openapi.json", &admin).await.json();
        for path in [
            "/api/v1/settings/notifications",
            "/api/v1/jobs",
            "/api/v1/cases/{id}/attachments",
            "/api/v1/{kind}/{id}/surveys",
            "/api/v1/reports/service",
            "/api/v1/contacts/{id}/portal-access",
        ] {
            assert!(openapi["paths"].get(path).is_some(), "{path} is documented");
        }
        let bad_number = t
            .post(
                "/api/v1/settings/notifications/test",
                &admin,
                json!({"channel": "sms", "to": "12"}),
            )
            .await;
        assert_eq!(bad_number.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
}

async fn contact(t: &TestApp, token: &str, body: Value) -> String {
    let reply = t.post("/api/v1/contacts", token, body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    reply.json()["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn customers_hear_of_their_cases_through_the_channels_they_allowed() {
    for t in backends().await {
        let gateway = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(accepted())
            .mount(&gateway)
            .await;
        let admin = t.token("admin@peyvand.demo").await;
        configure(
            &t,
            &admin,
            // Email goes to a port where nothing listens: those jobs wait for a retry.
            json!({"sms": {"provider": "kavenegar", "url": gateway.uri(), "api_key": API_KEY,
                "sender": "10004346"}, "smtp": {"host": "127.0.0.1", "port": 9, "security": "none",
                "from": "crm@peyvand.demo"}}),
        )
        .await;
        let both = contact(
            &t,
            &admin,
            json!({"last_name": "Smith", "email": "smith@example.com",
            "mobile": "09121110001", "consent_email": true, "consent_sms": true,
            "preferred_language": "en"}),
        )
        .await;
        let sms_only = contact(
            &t,
            &admin,
            json!({"last_name": "کریمی", "email": "karimi@example.com",
            "mobile": "09121110002", "consent_sms": true}),
        )
        .await;
        let opted_out = contact(&t, &admin, json!({"last_name": "نادری", "email": "naderi@example.com",
            "mobile": "09121110003", "consent_email": true, "consent_sms": true, "opted_out": true})).await;
        let recipients = async || -> Vec<(String, String)> {
            let mut all: Vec<(String, String)> = jobs(&t, &admin, "")
                .await
                .iter()
                .map(|j| {
                    (
                        j["kind"].as_str().unwrap().to_owned(),
                        j["to"].as_str().unwrap().to_owned(),
                    )
                })
                .collect();
            all.sort();
            all
        };

        let mut cases = Vec::new();
        for customer in [&both, &sms_only, &opted_out] {
            let reply = t
                .post("/api/v1/cases", &admin, json!({"case_type": "request", "subject": "Broken printer",
                    "description": "It does not start", "channel": "phone", "contact_id": customer}))
                .await;
            assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
            cases.push(reply.json());
        }
        assert_eq!(
            recipients().await,
            [
                ("email".to_owned(), "smith@example.com".to_owned()),
                ("sms".to_owned(), "+989121110001".to_owned()),
                ("sms".to_owned(), "+989121110002".to_owned()),
            ],
            "{}: received",
            t.name()
        );

        // A reply and the close of the first case tell its customer again; a note does not.
        let path = format!("/api/v1/cases/{}", cases[0]["id"].as_str().unwrap());
        for (kind, body) in [
            ("internal_note", "check the fuser"),
            ("reply", "A technician comes tomorrow."),
        ] {
            let reply = t
                .post(
                    &format!("{path}/entries"),
                    &admin,
                    json!({"kind": kind, "body": body}),
                )
                .await;
            assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        }
        for to in ["assigned", "in_progress", "resolved", "closed"] {
            let reply = t
                .post(&format!("{path}/transition"), &admin, json!({"status": to}))
                .await;
            assert_eq!(reply.status, StatusCode::OK, "{to}: {}", reply.body);
        }
        assert_eq!(recipients().await.len(), 3 + 4, "{}", t.name());

        // The SMS go out in the customer's language and name the case.
        let (_stop, stopped) = tokio::sync::watch::channel(false);
        t.app.run_due_jobs(&stopped).await.unwrap();
        let texts: Vec<String> = gateway
            .received_requests()
            .await
            .unwrap()
            .iter()
            .filter(|r| form_value(&r.body, "receptor").as_deref() == Some("09121110001"))
            .filter_map(|r| form_value(&r.body, "message"))
            .collect();
        let number = cases[0]["number"].as_str().unwrap();
        assert_eq!(texts.len(), 3, "{}: {texts:?}", t.name());
        assert!(texts.iter().all(|text| text.contains(number)), "{texts:?}");
        assert!(
            texts
                .iter()
                .any(|text| text.contains("A technician comes tomorrow."))
        );
        assert!(texts.iter().any(|text| text.contains("is closed")));
        let persian = gateway
            .received_requests()
            .await
            .unwrap()
            .iter()
            .filter(|r| form_value(&r.body, "receptor").as_deref() == Some("09121110002"))
            .filter_map(|r| form_value(&r.body, "message"))
            .collect::<Vec<_>>();
        assert!(persian[0].contains("ثبت شد"), "{persian:?}");
    }
}

#[tokio::test]
async fn nothing_is_queued_for_channels_nobody_set_up() {
    for t in backends().await {
        let admin = t.token("admin@peyvand.demo").await;
        let customer = contact(
            &t,
            &admin,
            json!({"last_name": "Smith", "email": "smith@example.com",
            "mobile": "09121110001", "consent_email": true, "consent_sms": true}),
        )
        .await;
        let reply = t
            .post(
                "/api/v1/cases",
                &admin,
                json!({"case_type": "request", "subject": "Broken printer",
                "description": "It does not start", "channel": "phone", "contact_id": customer}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        assert!(jobs(&t, &admin, "").await.is_empty(), "{}", t.name());
    }
}

#[tokio::test]
async fn administrators_set_up_channels_from_the_settings_page() {
    for t in backends().await {
        let mut browser = common::web_client::Browser::new(&t);
        browser.login("admin@peyvand.demo").await;
        let page = browser.get("/settings/notifications").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let form = [
            ("public_url", "https://crm.example.com"),
            ("smtp_on", "1"),
            ("smtp_host", "mail.example.com"),
            ("smtp_port", "۵۸۷"),
            ("smtp_security", "starttls"),
            ("smtp_username", "crm"),
            ("smtp_password", "page-secret"),
            ("smtp_from", "Peyvand <crm@example.com>"),
        ];
        let saved = browser.post("/settings/notifications", &form).await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
        let shown = browser.get("/settings/notifications?done=saved").await;
        assert!(shown.body.contains("mail.example.com"), "{}", t.name());
        assert!(
            !shown.body.contains("page-secret"),
            "the password is never shown back"
        );

        // Saving again without typing the password keeps it.
        let mut again = form.to_vec();
        again.retain(|(k, _)| *k != "smtp_password");
        again.push(("smtp_port", "465"));
        again.retain(|(k, v)| *k != "smtp_port" || *v == "465");
        assert_eq!(
            browser.post("/settings/notifications", &again).await.status,
            StatusCode::SEE_OTHER
        );
        let admin = t.token("admin@peyvand.demo").await;
        let stored = t.get("/api/v1/settings/notifications", &admin).await.json();
        assert_eq!(stored["smtp"]["password_set"], true, "{stored}");
        assert_eq!(stored["smtp"]["port"], 465);

        // Bad settings show reasons and change nothing.
        let bad = browser
            .post(
                "/settings/notifications",
                &[("smtp_on", "1"), ("smtp_host", ""), ("smtp_port", "x")],
            )
            .await;
        assert_eq!(bad.status, StatusCode::OK);
        assert!(bad.body.contains("role=\"alert\""), "{}", t.name());
        let stored = t.get("/api/v1/settings/notifications", &admin).await.json();
        assert_eq!(stored["smtp"]["host"], "mail.example.com");

        // A test message is queued and listed.
        browser.get("/settings/notifications").await;
        let queued = browser
            .post(
                "/settings/notifications/test",
                &[("channel", "email"), ("to", "me@example.com")],
            )
            .await;
        assert_eq!(queued.status, StatusCode::SEE_OTHER, "{}", queued.body);
        let listed = browser.get("/settings/notifications").await;
        assert!(listed.body.contains("me@example.com"));

        let mut rep = common::web_client::Browser::new(&t);
        rep.login("rep@peyvand.demo").await;
        assert_eq!(
            rep.get("/settings/notifications").await.status,
            StatusCode::FORBIDDEN
        );
    }
}
