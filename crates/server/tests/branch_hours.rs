//! A branch's own working week on both databases: service-level due times of a case count in
//! the hours of its branch (or of the nearest branch up the tree that keeps its own week), and
//! hours that cannot be read are refused with the day named.

mod common;

use axum::http::StatusCode;
use common::{TestApp, backends};
use peyvand_domain::service::opening_hours::{calendar_of, parse_week};
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;
use time::{Date, Duration, OffsetDateTime};

fn moment(value: &Value) -> OffsetDateTime {
    OffsetDateTime::parse(value.as_str().unwrap(), &Rfc3339).unwrap()
}

async fn created(t: &TestApp, path: &str, token: &str, body: Value) -> Value {
    let reply = t.post(path, token, body).await;
    assert_eq!(
        reply.status,
        StatusCode::CREATED,
        "{}: {}",
        t.name(),
        reply.body
    );
    reply.json()
}

/// Shiraz keeps the government week: Saturday to Wednesday 07:30–14:30, Thursday and Friday off.
fn shiraz_week() -> Value {
    json!({
        "own_working_hours": true,
        "hours_saturday": "07:30-14:30",
        "hours_sunday": "۰۷:۳۰ تا ۱۴:۳۰",
        "hours_monday": "7:30-14:30",
        "hours_tuesday": "07:30-14:30",
        "hours_wednesday": "07:30-14:30",
        "hours_thursday": "",
        "hours_friday": "",
    })
}

async fn every_holiday(t: &TestApp, admin: &str) -> Vec<Date> {
    t.list_all("/api/v1/holidays", admin)
        .await
        .iter()
        .filter(|h| h["only_branch_id"].is_null())
        .map(|h| {
            Date::parse(
                h["date"].as_str().unwrap(),
                &time::format_description::well_known::Iso8601::DATE,
            )
            .unwrap()
        })
        .collect()
}

#[tokio::test]
async fn cases_count_working_hours_of_their_branch_up_the_tree() {
    for t in backends().await {
        let admin = t.token("admin@peyvand.demo").await;
        let headquarters = t
            .list_all("/api/v1/branches", &admin)
            .await
            .into_iter()
            .find(|b| b["parent_id"].is_null())
            .unwrap();
        let mut body = shiraz_week();
        body["name"] = json!("شعبه شیراز");
        body["parent_id"] = headquarters["id"].clone();
        let shiraz = created(&t, "/api/v1/branches", &admin, body).await;
        // A desk under Shiraz with no week of its own follows Shiraz.
        let desk = created(
            &t,
            "/api/v1/branches",
            &admin,
            json!({"name": "باجه مرودشت", "parent_id": shiraz["id"]}),
        )
        .await;
        let account = created(
            &t,
            "/api/v1/accounts",
            &admin,
            json!({"name": "شرکت ساعت کاری", "customer_kind": "retail"}),
        )
        .await;
        let targets = t.list_all("/api/v1/sla-targets", &admin).await;
        let urgent = targets.iter().find(|x| x["priority"] == "urgent").unwrap();
        let case = created(
            &t,
            "/api/v1/cases",
            &admin,
            json!({
                "case_type": "request", "subject": "ساعت کاری شعبه", "description": "آزمون",
                "channel": "phone", "priority": "urgent", "account_id": account["id"],
                "branch_id": desk["id"],
            }),
        )
        .await;
        assert_eq!(case["branch_id"], desk["id"], "{}", t.name());

        let week = parse_week(|name| match name {
            "hours_thursday" | "hours_friday" => None,
            _ => Some("07:30-14:30"),
        })
        .unwrap();
        let calendar = calendar_of(week).with_holidays(every_holiday(&t, &admin).await);
        let opened = moment(&case["created_at"]);
        let hours = |name: &str| Duration::hours(urgent[name].as_i64().unwrap());
        assert_eq!(
            moment(&case["first_response_due"]),
            calendar
                .add_working(opened, hours("first_response_hours"))
                .unwrap(),
            "{}",
            t.name()
        );
        assert_eq!(
            moment(&case["resolution_due"]),
            calendar
                .add_working(opened, hours("resolution_hours"))
                .unwrap(),
            "{}",
            t.name()
        );
    }
}

#[tokio::test]
async fn unreadable_hours_are_refused_with_the_day_named() {
    for t in backends().await {
        let admin = t.token("admin@peyvand.demo").await;
        let headquarters = t
            .list_all("/api/v1/branches", &admin)
            .await
            .into_iter()
            .find(|b| b["parent_id"].is_null())
            .unwrap();
        let mut body = shiraz_week();
        body["name"] = json!("شعبه نادرست");
        body["parent_id"] = headquarters["id"].clone();
        body["hours_monday"] = json!("16:00-08:00");
        let reply = t.post("/api/v1/branches", &admin, body).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            reply.body
        );
        assert_eq!(reply.json()["fields"]["hours_monday"], "invalid_hours");

        let closed = json!({
            "name": "شعبه همیشه بسته", "parent_id": headquarters["id"],
            "own_working_hours": true,
        });
        let reply = t.post("/api/v1/branches", &admin, closed).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            reply.body
        );
        assert_eq!(reply.json()["fields"]["hours_saturday"], "no_open_day");

        let names: Vec<Value> = t
            .list_all("/api/v1/branches", &admin)
            .await
            .iter()
            .map(|b| b["name"].clone())
            .collect();
        assert!(!names.contains(&json!("شعبه نادرست")), "{}", t.name());
        assert!(!names.contains(&json!("شعبه همیشه بسته")));
    }
}
