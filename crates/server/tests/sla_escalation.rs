//! Service-level breaches are escalated once by the sweep: marked on the case, reassigned when
//! the target says so, the manager told by email; a clock that stopped in time is left alone.

mod common;

use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use common::{TestApp, backends};
use peyvand_app::App;
use peyvand_app::clock::Clock;
use peyvand_domain::permission::RecordKind;
use serde_json::{Value, json};
use time::OffsetDateTime;

/// A clock the test moves by hand.
struct ManualClock(Mutex<OffsetDateTime>);

impl Clock for ManualClock {
    fn now(&self) -> OffsetDateTime {
        *self.0.lock().unwrap()
    }
}

async fn id_of(t: &TestApp, kind: RecordKind, field: &str, value: &str) -> String {
    t.app
        .find_id(kind, field, value)
        .await
        .unwrap()
        .unwrap()
        .to_string()
}

async fn case(t: &TestApp, token: &str, body: Value) -> Value {
    let reply = t.post("/api/v1/cases", token, body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    reply.json()
}

async fn emails_to(t: &TestApp, token: &str) -> Vec<String> {
    let jobs = t.get("/api/v1/jobs", token).await.json();
    jobs["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|j| j["kind"] == "email")
        .map(|j| j["to"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn breaches_are_escalated_once_to_the_right_person() {
    for t in backends().await {
        let admin = t.token("admin@peyvand.demo").await;
        let settings = json!({"smtp": {"host": "127.0.0.1", "port": 9, "security": "none",
            "from": "crm@peyvand.demo"}});
        let put = t
            .call(
                axum::http::Method::PUT,
                "/api/v1/settings/notifications",
                Some(&admin),
                Some(settings),
            )
            .await;
        assert_eq!(put.status, StatusCode::OK, "{}", put.body);
        let agent = id_of(&t, RecordKind::User, "email", "service@peyvand.demo").await;
        let isfahan_rep = id_of(&t, RecordKind::User, "email", "rep.isfahan@peyvand.demo").await;
        let isfahan = t
            .app
            .find_id(RecordKind::User, "email", "rep.isfahan@peyvand.demo")
            .await
            .unwrap()
            .unwrap();
        let isfahan_branch = t
            .app
            .get(
                &t.app.session_for_user(isfahan).await.unwrap(),
                RecordKind::User,
                isfahan,
            )
            .await
            .unwrap()
            .fields
            .get("branch_id")
            .and_then(|v| v.as_id())
            .unwrap()
            .to_string();
        // Urgent breaches go to the service agent, who takes the case over.
        let targets = t.list_all("/api/v1/sla-targets", &admin).await;
        let urgent = targets.iter().find(|x| x["priority"] == "urgent").unwrap();
        let path = format!("/api/v1/sla-targets/{}", urgent["id"].as_str().unwrap());
        let changed = t
            .patch(
                &path,
                &admin,
                json!({"version": urgent["version"], "escalate_to_id": agent,
                "reassign_on_breach": true}),
            )
            .await;
        assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);

        let account = t
            .post("/api/v1/accounts", &admin, json!({"name": "شرکت آزمون"}))
            .await
            .json();
        let urgent_case = case(
            &t,
            &admin,
            json!({"case_type": "complaint", "subject": "فوری",
            "description": "x", "channel": "phone", "priority": "urgent",
            "account_id": account["id"]}),
        )
        .await;
        // A normal case in Isfahan, answered at once: only its resolution clock can run out,
        // and its breach goes to the branch's manager.
        let normal_case = case(
            &t,
            &admin,
            json!({"case_type": "request", "subject": "عادی",
            "description": "x", "channel": "phone", "priority": "normal",
            "account_id": account["id"], "owner_id": isfahan_rep, "branch_id": isfahan_branch}),
        )
        .await;
        let normal_path = format!("/api/v1/cases/{}", normal_case["id"].as_str().unwrap());
        let reply = t
            .post(
                &format!("{normal_path}/entries"),
                &admin,
                json!({"kind": "reply", "body": "در حال بررسی"}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        assert!(emails_to(&t, &admin).await.is_empty());

        // Two months later, a worker with its own clock sweeps.
        let clock = Arc::new(ManualClock(Mutex::new(common::now_to_the_microsecond())));
        let store = peyvand_store::Store::connect(&t.url).await.unwrap();
        let worker = App::with_clock(store, clock.clone());
        assert_eq!(worker.sla_sweep().await.unwrap(), 0, "nothing due yet");
        *clock.0.lock().unwrap() += time::Duration::days(60);
        assert!(worker.sla_sweep().await.unwrap() >= 3, "{}", t.name());
        assert_eq!(worker.sla_sweep().await.unwrap(), 0, "{}: once", t.name());

        let urgent_now = t
            .get(
                &format!("/api/v1/cases/{}", urgent_case["id"].as_str().unwrap()),
                &admin,
            )
            .await
            .json();
        assert!(
            urgent_now["first_response_escalated_at"].is_string(),
            "{urgent_now}"
        );
        assert!(urgent_now["resolution_escalated_at"].is_string());
        assert_eq!(urgent_now["owner_id"], agent.as_str(), "{}", t.name());
        let normal_now = t.get(&normal_path, &admin).await.json();
        assert!(
            normal_now["first_response_escalated_at"].is_null(),
            "{normal_now}"
        );
        assert!(normal_now["resolution_escalated_at"].is_string());
        assert_eq!(
            normal_now["owner_id"],
            isfahan_rep.as_str(),
            "not reassigned"
        );

        let mut to = emails_to(&t, &admin).await;
        to.sort();
        assert!(
            to.iter().filter(|e| *e == "service@peyvand.demo").count() == 2,
            "{}: {to:?}",
            t.name()
        );
        assert!(
            to.contains(&"branch.manager@peyvand.demo".to_owned()),
            "{to:?}"
        );
        let timeline = t
            .get(
                &format!(
                    "/api/v1/cases/{}/timeline",
                    urgent_case["id"].as_str().unwrap()
                ),
                &admin,
            )
            .await
            .json();
        assert!(timeline.to_string().contains("sla_breach"), "{timeline}");
    }
}
