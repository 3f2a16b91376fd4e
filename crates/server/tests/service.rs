//! Activities and customer service end to end on both databases: case numbers, the status
//! machine, notes kept apart from replies, reassignment in the audit trail, routing rules,
//! service-level due times in working hours, activity people, the agenda, reminders, the
//! activity report and the customer timeline.

mod common;

use axum::http::StatusCode;
use common::{TestApp, backends};
use peyvand_domain::calendar;
use peyvand_domain::service::LOCAL_OFFSET;
use peyvand_domain::service::working_time::WorkCalendar;
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

async fn created(t: &TestApp, path: &str, token: &str, body: Value) -> Value {
    let reply = t.post(path, token, body).await;
    assert_eq!(
        reply.status,
        StatusCode::CREATED,
        "{} {path}: {}",
        t.name(),
        reply.body
    );
    reply.json()
}

async fn user_id(t: &TestApp, admin: &str, email: &str) -> String {
    let users = t.list_all("/api/v1/users", admin).await;
    users.iter().find(|u| u["email"] == email).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn moment(value: &Value) -> OffsetDateTime {
    OffsetDateTime::parse(value.as_str().unwrap(), &Rfc3339).unwrap()
}

async fn an_account(t: &TestApp, token: &str) -> String {
    created(
        t,
        "/api/v1/accounts",
        token,
        json!({"name": "شرکت آزمون خدمات", "customer_kind": "retail"}),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn case_body(account: &str, subject: &str) -> Value {
    json!({
        "case_type": "complaint",
        "subject": subject,
        "description": "دستگاه پس از نصب روشن نمی‌شود",
        "channel": "phone",
        "account_id": account,
    })
}

#[tokio::test]
async fn a_case_form_with_missing_fields_stores_nothing() {
    for t in backends().await {
        let admin = t.token("admin@peyvand.demo").await;
        let before = t.list_all("/api/v1/cases", &admin).await.len();
        let reply = t
            .post(
                "/api/v1/cases",
                &admin,
                json!({"subject": " ", "channel": "fax"}),
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            reply.body
        );
        let body = reply.json();
        for (field, code) in [
            ("subject", "required"),
            ("case_type", "required"),
            ("description", "required"),
            ("channel", "invalid_choice"),
        ] {
            assert_eq!(body["fields"][field], code, "{}: {}", t.name(), reply.body);
            assert!(
                body["field_messages"][field]
                    .as_str()
                    .is_some_and(|m| !m.is_empty())
            );
        }
        // The customer is checked once the fields themselves are valid.
        let no_customer = t
            .post(
                "/api/v1/cases",
                &admin,
                json!({"case_type": "request", "subject": "x", "description": "y", "channel": "email"}),
            )
            .await;
        assert_eq!(no_customer.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(no_customer.json()["fields"]["account_id"], "required");
        assert_eq!(t.list_all("/api/v1/cases", &admin).await.len(), before);
    }
}

#[tokio::test]
async fn cases_are_numbered_per_year_and_follow_the_status_machine() {
    for t in backends().await {
        let admin = t.token("admin@peyvand.demo").await;
        let account = an_account(&t, &admin).await;
        let first = created(
            &t,
            "/api/v1/cases",
            &admin,
            case_body(&account, "قطعی دستگاه"),
        )
        .await;
        let second = created(&t, "/api/v1/cases", &admin, case_body(&account, "قطعی دوم")).await;
        let year =
            calendar::to_jalali(OffsetDateTime::now_utc().to_offset(LOCAL_OFFSET).date()).year;
        let number = |case: &Value| case["number"].as_str().unwrap().to_owned();
        let (prefix, first_seq) = number(&first)
            .split_once('-')
            .map(|(a, b)| (a.to_owned(), b.parse::<i64>().unwrap()))
            .unwrap();
        assert_eq!(prefix, year.to_string(), "{}", t.name());
        assert_eq!(number(&second), format!("{year}-{:05}", first_seq + 1));
        assert_eq!(first["status"], "new");
        assert_eq!(first["priority"], "normal");

        let path = format!("/api/v1/cases/{}", first["id"].as_str().unwrap());
        let go = |to: &'static str| {
            let (t, admin, path) = (&t, admin.clone(), path.clone());
            async move {
                t.post(&format!("{path}/transition"), &admin, json!({"status": to}))
                    .await
            }
        };
        let refused = go("closed").await;
        assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
        let body = refused.json();
        assert_eq!(body["error"], "invalid_transition");
        assert_eq!(
            (body["from"].as_str(), body["to"].as_str()),
            (Some("new"), Some("closed"))
        );
        assert!(
            body["message"].as_str().unwrap().contains("Closed"),
            "{}",
            body["message"]
        );
        // Status is not a field anyone writes directly.
        let direct = t
            .patch(
                &path,
                &admin,
                json!({"version": first["version"], "status": "closed"}),
            )
            .await;
        assert_eq!(direct.status, StatusCode::UNPROCESSABLE_ENTITY);

        for to in ["in_progress", "waiting_customer", "in_progress", "resolved"] {
            let moved = go(to).await;
            assert_eq!(moved.status, StatusCode::OK, "{to}: {}", moved.body);
            assert_eq!(moved.json()["status"], to);
        }
        assert!(t.get(&path, &admin).await.json()["resolved_at"].is_string());
        assert_eq!(go("closed").await.status, StatusCode::OK);
        assert_eq!(go("resolved").await.status, StatusCode::CONFLICT);
        let reopened = go("in_progress").await.json();
        assert_eq!(reopened["status"], "in_progress");
        assert!(reopened["closed_at"].is_null() && reopened["resolved_at"].is_null());
        let timeline = t.get(&format!("{path}/timeline"), &admin).await.json();
        let actions: Vec<&str> = timeline["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        assert!(
            actions.contains(&"reopen") && actions.contains(&"status"),
            "{actions:?}"
        );
    }
}

#[tokio::test]
async fn internal_notes_and_replies_are_kept_apart_and_the_first_reply_is_the_first_response() {
    for t in backends().await {
        let admin = t.token("admin@peyvand.demo").await;
        let account = an_account(&t, &admin).await;
        let case = created(&t, "/api/v1/cases", &admin, case_body(&account, "پاسخ")).await;
        let path = format!("/api/v1/cases/{}", case["id"].as_str().unwrap());
        let entries = format!("{path}/entries");
        let empty = t
            .post(&entries, &admin, json!({"kind": "reply", "body": "  "}))
            .await;
        assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
        let bad_kind = t
            .post(&entries, &admin, json!({"kind": "gossip", "body": "x"}))
            .await;
        assert_eq!(bad_kind.status, StatusCode::UNPROCESSABLE_ENTITY);
        created(
            &t,
            &entries,
            &admin,
            json!({"kind": "internal_note", "body": "مشتری قبلاً هم تماس گرفته"}),
        )
        .await;
        assert!(t.get(&path, &admin).await.json()["first_response_at"].is_null());
        created(
            &t,
            &entries,
            &admin,
            json!({"kind": "reply", "body": "همکاران ما فردا مراجعه می‌کنند"}),
        )
        .await;
        let after_reply = t.get(&path, &admin).await.json();
        let first_response = after_reply["first_response_at"].clone();
        assert!(first_response.is_string(), "{}", t.name());
        created(
            &t,
            &entries,
            &admin,
            json!({"kind": "reply", "body": "دوباره"}),
        )
        .await;
        assert_eq!(
            t.get(&path, &admin).await.json()["first_response_at"],
            first_response
        );
        let listed = t.get(&entries, &admin).await.json();
        let kinds: Vec<&str> = listed["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["kind"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, ["internal_note", "reply", "reply"]);
    }
}

#[tokio::test]
async fn reassignment_is_recorded_and_respects_scope() {
    for t in backends().await {
        let admin = t.token("admin@peyvand.demo").await;
        let service = t.token("service@peyvand.demo").await;
        let account = an_account(&t, &admin).await;
        let case = created(&t, "/api/v1/cases", &service, case_body(&account, "ارجاع")).await;
        let path = format!("/api/v1/cases/{}", case["id"].as_str().unwrap());
        let rep = user_id(&t, &admin, "rep@peyvand.demo").await;
        let isfahan = user_id(&t, &admin, "rep.isfahan@peyvand.demo").await;
        // A service agent reaches their branch only.
        let far = t
            .post(
                &format!("{path}/reassign"),
                &service,
                json!({"owner_id": isfahan}),
            )
            .await;
        assert_eq!(far.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", far.body);
        let moved = t
            .post(
                &format!("{path}/reassign"),
                &service,
                json!({"owner_id": rep}),
            )
            .await;
        assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
        assert_eq!(moved.json()["owner_id"], json!(rep));
        assert_eq!(moved.json()["status"], "assigned");
        let timeline = t.get(&format!("{path}/timeline"), &admin).await.json();
        let entry = timeline["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["action"] == "reassign")
            .expect("reassign in the trail");
        assert_eq!(entry["changes"]["owner_id"][1], json!(rep));
        // The sales rep now owns it and sees it; the case counts in their list.
        let rep_token = t.token("rep@peyvand.demo").await;
        assert_eq!(t.get(&path, &rep_token).await.status, StatusCode::OK);
        // A sales rep may not change cases at all.
        let refused = t
            .post(
                &format!("{path}/transition"),
                &rep_token,
                json!({"status": "in_progress"}),
            )
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    }
}

#[tokio::test]
async fn routing_rules_assign_new_cases_in_order() {
    for t in backends().await {
        let admin = t.token("admin@peyvand.demo").await;
        let account = an_account(&t, &admin).await;
        let parent = created(
            &t,
            "/api/v1/case-categories",
            &admin,
            json!({"name": "سخت‌افزار"}),
        )
        .await;
        let child = created(
            &t,
            "/api/v1/case-categories",
            &admin,
            json!({"name": "چاپگر", "parent_category_id": parent["id"]}),
        )
        .await;
        // A category cannot be put under its own child.
        let cycle = t
            .patch(
                &format!("/api/v1/case-categories/{}", parent["id"].as_str().unwrap()),
                &admin,
                json!({"version": parent["version"], "parent_category_id": child["id"]}),
            )
            .await;
        assert_eq!(
            cycle.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            cycle.body
        );
        let teams = t.list_all("/api/v1/teams", &admin).await;
        let team = teams.iter().find(|x| x["name"] == "فروش تهران").unwrap()["id"].clone();
        let members = [
            user_id(&t, &admin, "sales.manager@peyvand.demo").await,
            user_id(&t, &admin, "rep@peyvand.demo").await,
        ];
        let service = user_id(&t, &admin, "service@peyvand.demo").await;
        let empty = t
            .post(
                "/api/v1/routing-rules",
                &admin,
                json!({"name": "هیچ", "position": 1}),
            )
            .await;
        assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
        let keyword = created(&t, "/api/v1/routing-rules", &admin, json!({
            "name": "کارتریج", "position": 5, "match_keyword": "كارتريج", "assign_user_id": service})).await;
        let by_category = created(
            &t,
            "/api/v1/routing-rules",
            &admin,
            json!({
            "name": "سخت‌افزار به تیم", "position": 10, "match_category_id": parent["id"],
            "assign_team_id": team, "assign_strategy": "round_robin"}),
        )
        .await;

        let mut printer = case_body(&account, "چاپگر کار نمی‌کند");
        printer["category_id"] = child["id"].clone();
        let mut owners = Vec::new();
        for _ in 0..3 {
            let case = created(&t, "/api/v1/cases", &admin, printer.clone()).await;
            assert_eq!(case["routing_rule_id"], by_category["id"]);
            assert_eq!(case["team_id"], team);
            assert_eq!(case["status"], "assigned");
            owners.push(case["owner_id"].as_str().unwrap().to_owned());
        }
        assert_ne!(
            owners[0],
            owners[1],
            "{}: round-robin takes turns",
            t.name()
        );
        assert_eq!(owners[0], owners[2]);
        assert!(owners.iter().all(|o| members.contains(o)));

        // The keyword rule comes first by position, whatever the letter variants.
        let mut cartridge = printer.clone();
        cartridge["subject"] = json!("کارتریج تمام شده");
        let case = created(&t, "/api/v1/cases", &admin, cartridge).await;
        assert_eq!(case["routing_rule_id"], keyword["id"]);
        assert_eq!(case["owner_id"], json!(service));

        // Least loaded: the member with fewer open cases gets the next one.
        let rule_path = format!(
            "/api/v1/routing-rules/{}",
            by_category["id"].as_str().unwrap()
        );
        let rule = t.get(&rule_path, &admin).await.json();
        // Taking turns is the system's bookkeeping: a form opened before those cases still saves.
        assert_eq!(rule["version"], by_category["version"], "{}", t.name());
        let switched = t
            .patch(
                &rule_path,
                &admin,
                json!({"version": by_category["version"], "assign_strategy": "least_loaded"}),
            )
            .await;
        assert_eq!(switched.status, StatusCode::OK, "{}", switched.body);
        let open: Vec<Value> = t.list_all("/api/v1/cases", &admin).await;
        let load = |user: &str| {
            open.iter()
                .filter(|c| {
                    c["owner_id"] == user
                        && !["resolved", "closed"].contains(&c["status"].as_str().unwrap())
                })
                .count()
        };
        let lighter = if load(&members[0]) <= load(&members[1]) {
            &members[0]
        } else {
            &members[1]
        };
        let next = created(&t, "/api/v1/cases", &admin, printer.clone()).await;
        assert_eq!(next["owner_id"], json!(lighter), "{}", t.name());

        // Without a matching rule the case stays with its creator, new.
        let plain = created(
            &t,
            "/api/v1/cases",
            &admin,
            case_body(&account, "سؤال ساده"),
        )
        .await;
        assert!(plain["routing_rule_id"].is_null());
        assert_eq!(plain["status"], "new");
    }
}

#[tokio::test]
async fn service_level_due_times_count_working_hours_and_holidays() {
    for t in backends().await {
        let admin = t.token("admin@peyvand.demo").await;
        let account = an_account(&t, &admin).await;
        // The demo has a target for "urgent" already: one per priority.
        let twice = t
            .post(
                "/api/v1/sla-targets",
                &admin,
                json!({"priority": "urgent", "first_response_hours": 2, "resolution_hours": 9}),
            )
            .await;
        assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(twice.json()["fields"]["priority"], "taken");
        let targets = t.list_all("/api/v1/sla-targets", &admin).await;
        let urgent = targets.iter().find(|x| x["priority"] == "urgent").unwrap();
        let changed = t.patch(&format!("/api/v1/sla-targets/{}", urgent["id"].as_str().unwrap()), &admin, json!({"version": urgent["version"], "first_response_hours": 3, "resolution_hours": 11})).await;
        assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
        let today = OffsetDateTime::now_utc().to_offset(LOCAL_OFFSET).date();
        let holiday = today + Duration::days(1);
        created(
            &t,
            "/api/v1/holidays",
            &admin,
            json!({"name": "تعطیل آزمون", "date": holiday.to_string()}),
        )
        .await;

        let mut body = case_body(&account, "فوری");
        body["priority"] = json!("urgent");
        let case = created(&t, "/api/v1/cases", &admin, body).await;
        let opened = moment(&case["created_at"]);
        let calendar = WorkCalendar::iranian_default()
            .with_holidays([holiday, time::macros::date!(2026 - 03 - 21)]);
        assert_eq!(
            moment(&case["first_response_due"]),
            calendar.add_working(opened, Duration::hours(3)).unwrap(),
            "{}",
            t.name()
        );
        assert_eq!(
            moment(&case["resolution_due"]),
            calendar.add_working(opened, Duration::hours(11)).unwrap()
        );

        let sla = t
            .get(
                &format!("/api/v1/cases/{}/sla", case["id"].as_str().unwrap()),
                &admin,
            )
            .await
            .json();
        assert_eq!(sla["first_response"]["state"], "running", "{sla}");
        let left = sla["first_response"]["working_minutes_left"]
            .as_i64()
            .unwrap();
        assert!((0..=180).contains(&left), "{left}");

        // Changing the priority moves the clocks.
        let path = format!("/api/v1/cases/{}", case["id"].as_str().unwrap());
        let low = t
            .patch(
                &path,
                &admin,
                json!({"version": case["version"], "priority": "low"}),
            )
            .await
            .json();
        assert_eq!(
            moment(&low["first_response_due"]),
            calendar.add_working(opened, Duration::hours(16)).unwrap()
        );
    }
}

#[tokio::test]
async fn activities_with_people_agenda_reminders_report_and_timeline() {
    for t in backends().await {
        let admin = t.token("admin@peyvand.demo").await;
        let rep = t.token("rep@peyvand.demo").await;
        let contact = created(
            &t,
            "/api/v1/contacts",
            &rep,
            json!({"last_name": "مشتری جلسه"}),
        )
        .await;
        let today = OffsetDateTime::now_utc().to_offset(LOCAL_OFFSET).date();
        let bad = t
            .post(
                "/api/v1/activities",
                &rep,
                json!({"activity_type": "meeting", "subject": "x", "due_time": "25:00"}),
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        let bad_fields = bad.json()["fields"].clone();
        assert_eq!(
            (
                bad_fields["due_time"].as_str(),
                bad_fields["due_date"].as_str()
            ),
            (Some("invalid"), Some("required"))
        );
        let meeting = created(&t, "/api/v1/activities", &rep, json!({
            "activity_type": "meeting", "subject": "جلسهٔ معرفی محصول", "contact_id": contact["id"],
            "due_date": today.to_string(), "due_time": "۱۰:۳۰", "remind_minutes_before": 2_000_000_i64 / 10,
            "place": "دفتر مرکزی", "agenda": "معرفی", "minutes": "توافق شد نمونه ارسال شود"})).await;
        assert_eq!(meeting["status"], "open");
        let due = moment(&meeting["due_at"]);
        assert_eq!(
            due.to_offset(LOCAL_OFFSET).time(),
            time::macros::time!(10:30)
        );
        assert_eq!(
            moment(&meeting["remind_at"]),
            due - Duration::minutes(200_000)
        );
        let id = meeting["id"].as_str().unwrap().to_owned();
        let path = format!("/api/v1/activities/{id}");

        // Several people: an assignee from the company, attendees inside and outside it.
        let service = user_id(&t, &admin, "service@peyvand.demo").await;
        let isfahan = user_id(&t, &admin, "rep.isfahan@peyvand.demo").await;
        let people = json!({"assignees": [service], "attendees": [{"contact_id": contact["id"]}, {"name": "آقای مهمان"}]});
        let put = t
            .call(
                axum::http::Method::PUT,
                &format!("{path}/people"),
                Some(&rep),
                Some(people.clone()),
            )
            .await;
        assert_eq!(put.status, StatusCode::OK, "{}", put.body);
        assert_eq!(t.get(&format!("{path}/people"), &rep).await.json(), people);
        let two_at_once = t
            .call(
                axum::http::Method::PUT,
                &format!("{path}/people"),
                Some(&rep),
                Some(json!({"attendees": [{"name": "x", "user_id": service}]})),
            )
            .await;
        assert_eq!(two_at_once.status, StatusCode::UNPROCESSABLE_ENTITY);
        // A sales rep cannot name someone they cannot see (another branch).
        let unseen = t
            .call(
                axum::http::Method::PUT,
                &format!("{path}/people"),
                Some(&rep),
                Some(json!({"assignees": [isfahan]})),
            )
            .await;
        assert_eq!(
            unseen.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            unseen.body
        );
        assert_eq!(unseen.json()["fields"]["assignees"], "not_found");
        let unseen_attendee = t
            .call(
                axum::http::Method::PUT,
                &format!("{path}/people"),
                Some(&rep),
                Some(json!({"attendees": [{"user_id": isfahan}]})),
            )
            .await;
        let fields = unseen_attendee.json()["fields"].clone();
        assert_eq!(fields["attendees"], "not_found", "{fields}");
        assert!(fields["assignees"].is_null(), "{fields}");

        // The owner's and the assignee's agendas and reminders show it; another rep's do not.
        for (email, sees) in [
            ("rep@peyvand.demo", true),
            ("service@peyvand.demo", true),
            ("rep.isfahan@peyvand.demo", false),
        ] {
            let token = t.token(email).await;
            for span in ["day", "week", "month"] {
                let agenda = t
                    .get(&format!("/api/v1/agenda?span={span}&date={today}"), &token)
                    .await;
                assert_eq!(agenda.status, StatusCode::OK, "{}", agenda.body);
                let found = agenda.json()["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|a| a["id"] == json!(id));
                assert_eq!(found, sees, "{} {email} {span}", t.name());
            }
            let reminders = t.get("/api/v1/reminders", &token).await.json();
            let found = reminders["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|a| a["id"] == json!(id));
            assert_eq!(found, sees, "{} {email} reminders", t.name());
        }
        // A Jalali week runs Saturday to Friday.
        let week = t
            .get(&format!("/api/v1/agenda?span=week&date={today}"), &rep)
            .await
            .json();
        let from = time::Date::parse(
            week["from"].as_str().unwrap(),
            &time::format_description::well_known::Iso8601::DATE,
        )
        .unwrap();
        assert_eq!(from.weekday(), time::Weekday::Saturday);

        // Team agenda: managers only.
        let team = t.get("/api/v1/me", &rep).await.json()["team_id"].clone();
        let refused = t
            .get(
                &format!("/api/v1/agenda?team_id={}", team.as_str().unwrap()),
                &rep,
            )
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        let manager = t.token("sales.manager@peyvand.demo").await;
        let team_view = t
            .get(
                &format!(
                    "/api/v1/agenda?span=day&date={today}&team_id={}",
                    team.as_str().unwrap()
                ),
                &manager,
            )
            .await;
        assert_eq!(team_view.status, StatusCode::OK, "{}", team_view.body);
        assert!(
            team_view.json()["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|a| a["id"] == json!(id))
        );

        // Done: leaves the reminders, counts as done on time in the report.
        let report_before = t
            .get(
                &format!("/api/v1/reports/activities?from={today}&to={today}"),
                &rep,
            )
            .await
            .json();
        let done = t
            .patch(
                &path,
                &rep,
                json!({"version": meeting["version"], "status": "done"}),
            )
            .await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.body);
        assert!(done.json()["completed_at"].is_string());
        let reminders = t.get("/api/v1/reminders", &rep).await.json();
        assert!(
            reminders["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|a| a["id"] != json!(id))
        );
        let report = t
            .get(
                &format!("/api/v1/reports/activities?from={today}&to={today}"),
                &rep,
            )
            .await
            .json();
        let counted = |r: &Value, key: &str| r["total"][key].as_u64().unwrap();
        let on_time_delta = counted(&report, "done_on_time") + counted(&report, "done_late")
            - counted(&report_before, "done_on_time")
            - counted(&report_before, "done_late");
        assert_eq!(on_time_delta, 1, "{report}");
        assert_eq!(counted(&report, "total"), counted(&report_before, "total"));
        let me = t.get("/api/v1/me", &rep).await.json()["id"].clone();
        assert!(
            report["by_person"]
                .as_array()
                .unwrap()
                .iter()
                .all(|row| row["id"] == me),
            "a rep's report covers their own activities"
        );

        // The customer's timeline shows the activity.
        let timeline = t
            .get(
                &format!(
                    "/api/v1/contacts/{}/timeline",
                    contact["id"].as_str().unwrap()
                ),
                &rep,
            )
            .await
            .json();
        assert!(
            timeline["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["action"] == "activity" && e["changes"]["id"] == json!(id)),
            "{timeline}"
        );
    }
}
