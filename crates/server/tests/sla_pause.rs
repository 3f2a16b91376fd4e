//! While a case waits for the customer its service-level clocks stand still: the sweep leaves it
//! alone however long the wait, and on resuming the due moments move later by the working time
//! of the wait — after which the clocks run, and breach, as before.

mod common;

use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use common::backends;
use peyvand_app::App;
use peyvand_app::clock::Clock;
use peyvand_domain::permission::RecordKind;
use peyvand_domain::service::sla::resume_due;
use peyvand_domain::service::working_time::WorkCalendar;
use serde_json::{Value, json};
use time::format_description::well_known::{Iso8601, Rfc3339};
use time::{Date, Duration, OffsetDateTime};
use uuid::Uuid;

/// A clock the test moves by hand.
struct ManualClock(Mutex<OffsetDateTime>);

impl Clock for ManualClock {
    fn now(&self) -> OffsetDateTime {
        *self.0.lock().unwrap()
    }
}

fn moment(value: &Value) -> OffsetDateTime {
    OffsetDateTime::parse(value.as_str().unwrap(), &Rfc3339).unwrap()
}

#[tokio::test]
async fn waiting_for_the_customer_pauses_the_clocks() {
    for t in backends().await {
        let admin = t.token("admin@peyvand.demo").await;
        let account = t
            .post("/api/v1/accounts", &admin, json!({"name": "شرکت منتظر"}))
            .await
            .json();
        let created = t
            .post(
                "/api/v1/cases",
                &admin,
                json!({"case_type": "request", "subject": "منتظر مشتری", "description": "x",
                    "channel": "phone", "priority": "urgent", "account_id": account["id"]}),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        let case = created.json();
        let id: Uuid = case["id"].as_str().unwrap().parse().unwrap();
        let path = format!("/api/v1/cases/{id}");

        // A worker with a clock of its own makes the moves, so the wait can last two months.
        // Whole microseconds, as the database keeps moments: a resumption inside working hours
        // moves the due moments by a span that ends at `resumed_at`, nanoseconds and all.
        let start = common::now_to_the_microsecond();
        let clock = Arc::new(ManualClock(Mutex::new(start)));
        let store = peyvand_store::Store::connect(&t.url).await.unwrap();
        let worker = App::with_clock(store, clock.clone());
        let admin_id = t
            .app
            .find_id(RecordKind::User, "email", "admin@peyvand.demo")
            .await
            .unwrap()
            .unwrap();
        let session = worker.session_for_user(admin_id).await.unwrap();
        for to in ["in_progress", "waiting_customer"] {
            worker.case_transition(&session, id, to).await.unwrap();
        }
        let sla = t.get(&format!("{path}/sla"), &admin).await.json();
        assert_eq!(
            sla["first_response"]["state"],
            "paused",
            "{}: {sla}",
            t.name()
        );
        assert_eq!(sla["resolution"]["state"], "paused", "{sla}");

        *clock.0.lock().unwrap() += Duration::days(60);
        worker.sla_sweep().await.unwrap();
        let waiting = t.get(&path, &admin).await.json();
        assert!(
            waiting["first_response_escalated_at"].is_null(),
            "{}: {waiting}",
            t.name()
        );
        assert!(waiting["resolution_escalated_at"].is_null(), "{waiting}");

        // The customer answers two months later: the clocks move on by the wait's working time.
        let resumed_at = start + Duration::days(60);
        worker
            .case_transition(&session, id, "in_progress")
            .await
            .unwrap();
        let resumed = t.get(&path, &admin).await.json();
        assert!(resumed["sla_paused_at"].is_null(), "{resumed}");
        let holidays: Vec<Date> = t
            .list_all("/api/v1/holidays", &admin)
            .await
            .iter()
            .filter(|h| h["only_branch_id"].is_null())
            .map(|h| Date::parse(h["date"].as_str().unwrap(), &Iso8601::DATE).unwrap())
            .collect();
        let calendar = WorkCalendar::iranian_default().with_holidays(holidays);
        let paused_at = moment(&waiting["sla_paused_at"]);
        for name in ["first_response_due", "resolution_due"] {
            let expected = resume_due(&calendar, moment(&case[name]), paused_at, resumed_at);
            assert_eq!(moment(&resumed[name]), expected, "{}: {name}", t.name());
            assert!(expected > resumed_at, "{name} is ahead again");
        }
        worker.sla_sweep().await.unwrap();
        let running = t.get(&path, &admin).await.json();
        assert!(
            running["first_response_escalated_at"].is_null(),
            "{running}"
        );

        // Once the moved due moments pass, the breach is escalated as usual.
        *clock.0.lock().unwrap() += Duration::days(30);
        worker.sla_sweep().await.unwrap();
        let breached = t.get(&path, &admin).await.json();
        assert!(
            breached["first_response_escalated_at"].is_string(),
            "{}: {breached}",
            t.name()
        );
        assert!(
            breached["resolution_escalated_at"].is_string(),
            "{breached}"
        );
    }
}
