//! The web pages of activities and customer service on both databases: a case filed through the
//! form (with clear messages for missing fields), moved along its statuses, answered and
//! reassigned from its page; an activity's people; the agenda and the activity report.

mod common;

use axum::http::StatusCode;
use common::backends;
use common::web_client::{Browser, assert_translated, location};

#[tokio::test]
async fn a_case_through_the_web_pages() {
    for app in backends().await {
        let mut browser = Browser::new(&app);
        browser.login("admin@peyvand.demo").await;
        let accounts = app
            .list_all("/api/v1/accounts", &app.token("admin@peyvand.demo").await)
            .await;
        let account = accounts[0]["id"].as_str().unwrap().to_owned();

        let form = browser.get("/cases/new").await;
        assert_eq!(form.status, StatusCode::OK);
        assert_translated("/cases/new", &form.body);
        assert!(form.body.contains("شکایت") && form.body.contains("پرتال مشتری"));
        let before = app
            .list_all("/api/v1/cases", &app.token("admin@peyvand.demo").await)
            .await
            .len();
        let bad = browser
            .post("/cases", &[("subject", ""), ("case_type", "complaint")])
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
        assert!(
            bad.body.contains("لازم است") || bad.body.contains("الزامی"),
            "{}",
            bad.body
        );
        assert_eq!(
            app.list_all("/api/v1/cases", &app.token("admin@peyvand.demo").await)
                .await
                .len(),
            before
        );

        let made = browser
            .post(
                "/cases",
                &[
                    ("case_type", "complaint"),
                    ("subject", "صدای دستگاه زیاد است"),
                    ("description", "از دیروز"),
                    ("channel", "phone"),
                    ("priority", "high"),
                    ("account_id", &account),
                ],
            )
            .await;
        assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
        let page_path = location(&made);
        let page = browser.get(&page_path).await;
        assert_eq!(page.status, StatusCode::OK);
        assert_translated(&page_path, &page.body);
        assert!(
            page.body.contains("سطح خدمت") && page.body.contains("ساعت کاری مانده"),
            "SLA shown"
        );
        assert!(page.body.contains(r#"value="in_progress""#));

        let moved = browser
            .post(
                &format!("{page_path}/transition"),
                &[("status", "in_progress")],
            )
            .await;
        assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.body);
        let refused = browser
            .post(&format!("{page_path}/transition"), &[("status", "closed")])
            .await;
        assert_eq!(refused.status, StatusCode::CONFLICT);
        assert!(
            refused.body.contains("این تغییر وضعیت مجاز نیست"),
            "{}",
            refused.body
        );

        browser.get(&page_path).await;
        let noted = browser
            .post(
                &format!("{page_path}/entries"),
                &[("kind", "internal_note"), ("body", "یادداشت محرمانه")],
            )
            .await;
        assert_eq!(noted.status, StatusCode::SEE_OTHER);
        browser
            .post(
                &format!("{page_path}/entries"),
                &[("kind", "reply"), ("body", "پاسخ به مشتری")],
            )
            .await;
        let page = browser.get(&page_path).await;
        assert!(
            page.body.contains(r#"class="internal""#) && page.body.contains(r#"class="reply""#)
        );
        assert!(page.body.contains("یادداشت محرمانه") && page.body.contains("پاسخ به مشتری"));

        let service = app
            .list_all("/api/v1/users", &app.token("admin@peyvand.demo").await)
            .await
            .into_iter()
            .find(|u| u["email"] == "service@peyvand.demo")
            .unwrap();
        let reassigned = browser
            .post(
                &format!("{page_path}/reassign"),
                &[("owner_id", service["id"].as_str().unwrap())],
            )
            .await;
        assert_eq!(
            reassigned.status,
            StatusCode::SEE_OTHER,
            "{}",
            reassigned.body
        );
        let page = browser.get(&page_path).await;
        assert!(
            page.body.contains("ارجاع دوباره"),
            "reassignment in the timeline"
        );
    }
}

#[tokio::test]
async fn agenda_people_and_report_pages() {
    for app in backends().await {
        let mut browser = Browser::new(&app);
        browser.login("rep@peyvand.demo").await;
        let today = time::OffsetDateTime::now_utc()
            .to_offset(peyvand_domain::service::LOCAL_OFFSET)
            .date()
            .to_string();
        browser.get("/activities/new").await;
        let made = browser
            .post(
                "/activities",
                &[
                    ("activity_type", "meeting"),
                    ("subject", "جلسهٔ هفتگی فروش"),
                    ("due_date", &today),
                    ("due_time", "09:00"),
                    ("remind_minutes_before", "400000"),
                ],
            )
            .await;
        assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
        let path = location(&made);
        let page = browser.get(&path).await;
        assert!(page.body.contains("شرکت‌کنندگان"));
        let saved = browser
            .post(
                &format!("{path}/people"),
                &[("attendee_names", "خانم مهمان\nآقای مشاور")],
            )
            .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
        let page = browser.get(&path).await;
        assert!(page.body.contains("خانم مهمان") && page.body.contains("آقای مشاور"));

        for span in ["day", "week", "month"] {
            let agenda = browser
                .get(&format!("/agenda?span={span}&date={today}"))
                .await;
            assert_eq!(agenda.status, StatusCode::OK, "{span}");
            assert_translated("/agenda", &agenda.body);
            assert!(agenda.body.contains("جلسهٔ هفتگی فروش"), "{span}");
            assert!(agenda.body.contains("یادآوری‌ها"));
        }
        let report = browser.get("/reports/activities").await;
        assert_eq!(report.status, StatusCode::OK);
        assert!(report.body.contains("به‌موقع انجام‌شده"));

        // Managers pick a team; reps are refused a team view.
        let team = app
            .get("/api/v1/me", &app.token("rep@peyvand.demo").await)
            .await
            .json()["team_id"]
            .as_str()
            .unwrap()
            .to_owned();
        let refused = browser.get(&format!("/agenda?team_id={team}")).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        let mut manager = Browser::new(&app);
        manager.login("sales.manager@peyvand.demo").await;
        let team_view = manager
            .get(&format!("/agenda?span=week&date={today}&team_id={team}"))
            .await;
        assert_eq!(team_view.status, StatusCode::OK);
        assert!(
            team_view.body.contains("جلسهٔ هفتگی فروش") && team_view.body.contains("agenda-team")
        );
    }
}
