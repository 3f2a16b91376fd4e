//! Activity reminders by email on both databases: when the reminder moment comes the worker's
//! sweep emails the owner and every assignee once; moving the reminder sends it again.

mod common;

use std::sync::{Arc, Mutex};

use axum::http::{Method, StatusCode};
use common::{TestApp, backends};
use peyvand_app::App;
use peyvand_app::clock::Clock;
use peyvand_domain::service::LOCAL_OFFSET;
use serde_json::json;
use time::{Duration, OffsetDateTime};

/// A clock the test moves by hand.
struct ManualClock(Mutex<OffsetDateTime>);

impl Clock for ManualClock {
    fn now(&self) -> OffsetDateTime {
        *self.0.lock().unwrap()
    }
}

async fn emails_to(t: &TestApp, token: &str, address: &str) -> usize {
    let jobs = t.get("/api/v1/jobs", token).await.json();
    jobs["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|j| j["kind"] == "email" && j["to"] == address)
        .count()
}

#[tokio::test]
async fn reminders_are_emailed_once_to_owner_and_assignees() {
    for t in backends().await {
        let admin = t.token("admin@peyvand.demo").await;
        let rep = t.token("rep@peyvand.demo").await;
        let settings = json!({"smtp": {"host": "127.0.0.1", "port": 9, "security": "none",
            "from": "crm@peyvand.demo"}});
        let put = t
            .call(
                Method::PUT,
                "/api/v1/settings/notifications",
                Some(&admin),
                Some(settings),
            )
            .await;
        assert_eq!(put.status, StatusCode::OK, "{}", put.body);

        // The worker's clock starts far beyond the demo's own activities, whose reminders the
        // first sweep sends out of the way.
        let start = OffsetDateTime::now_utc() + Duration::days(400);
        let clock = Arc::new(ManualClock(Mutex::new(start)));
        let store = peyvand_store::Store::connect(&t.url).await.unwrap();
        let worker = App::with_clock(store, clock.clone());
        worker.reminder_sweep().await.unwrap();

        let due = (start + Duration::days(1)).to_offset(LOCAL_OFFSET).date();
        let reply = t
            .post(
                "/api/v1/activities",
                &rep,
                json!({"activity_type": "call", "subject": "تماس پیگیری قرارداد",
                    "due_date": due.to_string(), "due_time": "10:00",
                    "remind_minutes_before": 60}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        let activity = reply.json();
        let path = format!("/api/v1/activities/{}", activity["id"].as_str().unwrap());
        let service = t
            .list_all("/api/v1/users", &admin)
            .await
            .into_iter()
            .find(|u| u["email"] == "service@peyvand.demo")
            .unwrap();
        let people = json!({"assignees": [service["id"]], "attendees": []});
        let put = t
            .call(
                Method::PUT,
                &format!("{path}/people"),
                Some(&rep),
                Some(people),
            )
            .await;
        assert_eq!(put.status, StatusCode::OK, "{}", put.body);

        let before = (
            emails_to(&t, &admin, "rep@peyvand.demo").await,
            emails_to(&t, &admin, "service@peyvand.demo").await,
        );
        assert_eq!(
            worker.reminder_sweep().await.unwrap(),
            0,
            "{}: not yet",
            t.name()
        );

        *clock.0.lock().unwrap() = start + Duration::days(2);
        assert_eq!(worker.reminder_sweep().await.unwrap(), 1, "{}", t.name());
        assert_eq!(
            worker.reminder_sweep().await.unwrap(),
            0,
            "{}: once",
            t.name()
        );
        let after = (
            emails_to(&t, &admin, "rep@peyvand.demo").await,
            emails_to(&t, &admin, "service@peyvand.demo").await,
        );
        assert_eq!(after, (before.0 + 1, before.1 + 1), "{}", t.name());
        let sent = t.get(&path, &rep).await.json();
        assert!(sent["reminder_sent_at"].is_string(), "{sent}");
        // Sending is the system's bookkeeping: a form opened before it still saves.
        assert_eq!(sent["version"], activity["version"], "{sent}");

        // Moving the activity a week on moves its reminder, which goes out again in time.
        let later = due + Duration::days(7);
        let moved = t
            .patch(
                &path,
                &rep,
                json!({"version": activity["version"], "due_date": later.to_string()}),
            )
            .await;
        assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
        assert!(moved.json()["reminder_sent_at"].is_null(), "{}", moved.body);
        *clock.0.lock().unwrap() = start + Duration::days(9);
        assert_eq!(worker.reminder_sweep().await.unwrap(), 1, "{}", t.name());
        assert_eq!(
            emails_to(&t, &admin, "service@peyvand.demo").await,
            before.1 + 2,
            "{}",
            t.name()
        );
    }
}
