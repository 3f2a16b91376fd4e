//! The sales pipeline's web pages (issue 4) as a browser without script uses them, on SQLite
//! and PostgreSQL: the board and its move form, the stage editor, the funnel with its chart and
//! CSV file, the forecast and the targets.

mod common;

use axum::http::StatusCode;
use common::backends;
use common::web_client::{Browser, assert_translated, location};

/// The first `(card id, version)` on a board page, from its move form.
fn first_card(html: &str) -> (String, String) {
    let start = html.find("/sales/board/").expect("a card's move form");
    let rest = &html[start + "/sales/board/".len()..];
    let id = rest[..rest.find('/').unwrap()].to_owned();
    let version_at = rest.find("name=\"version\" value=\"").unwrap() + 22;
    let version = rest[version_at..version_at + rest[version_at..].find('"').unwrap()].to_owned();
    (id, version)
}

#[tokio::test]
async fn board_stages_and_reports_work_without_script() {
    for app in backends().await {
        let mut browser = Browser::new(&app);
        browser.login("admin@peyvand.demo").await;
        let board = browser.get("/sales/board").await;
        assert_eq!(board.status, StatusCode::OK, "{}", board.body);
        assert_translated("/sales/board", &board.body);
        assert!(board.body.contains("تابلوی فرصت‌ها"), "{}", app.name());
        assert!(board.body.contains("draggable=\"true\""));

        // Move the first card to "won" with the form; the deal is won afterwards.
        let (id, version) = first_card(&board.body);
        let moved = browser
            .post(
                &format!("/sales/board/{id}/move"),
                &[
                    ("version", &version),
                    ("target", "won"),
                    ("pipeline_id", ""),
                ],
            )
            .await;
        assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.body);
        assert!(location(&moved).starts_with("/sales/board"));
        let token = app.token("admin@peyvand.demo").await;
        let deal = app
            .get(&format!("/api/v1/opportunities/{id}"), &token)
            .await
            .json();
        assert_eq!(deal["status"], "won", "{}", app.name());
        // Moving it again with the old version is refused and shown as a page.
        let stale = browser
            .post(
                &format!("/sales/board/{id}/move"),
                &[
                    ("version", &version),
                    ("target", "open"),
                    ("pipeline_id", ""),
                ],
            )
            .await;
        assert_eq!(stale.status, StatusCode::CONFLICT);

        // The stage editor refuses two stages and says why, then saves three.
        let pipelines = app.list_all("/api/v1/pipelines", &token).await;
        let pid = pipelines.iter().find(|p| p["is_default"] == true).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let created = app
            .post(
                "/api/v1/pipelines",
                &token,
                serde_json::json!({"name": "صفحه مراحل"}),
            )
            .await
            .json();
        let fresh = created["id"].as_str().unwrap();
        let form = browser.get(&format!("/pipelines/{fresh}/stages")).await;
        assert_eq!(form.status, StatusCode::OK);
        assert_translated("/pipelines/…/stages", &form.body);
        let refused = browser
            .post(
                &format!("/pipelines/{fresh}/stages"),
                &[
                    ("name_1", "یک"),
                    ("probability_1", "10"),
                    ("name_2", "دو"),
                    ("probability_2", "20"),
                ],
            )
            .await;
        assert_eq!(refused.status, StatusCode::OK);
        assert!(refused.body.contains("role=\"alert\""), "{}", refused.body);
        let saved = browser
            .post(
                &format!("/pipelines/{fresh}/stages"),
                &[
                    ("name_1", "یک"),
                    ("probability_1", "۱۰"),
                    ("name_2", "دو"),
                    ("probability_2", "20"),
                    ("name_3", "سه"),
                    ("probability_3", "70"),
                ],
            )
            .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
        let stages = app
            .get(&format!("/api/v1/pipelines/{fresh}/stages"), &token)
            .await
            .json();
        assert_eq!(stages["items"].as_array().unwrap().len(), 3);
        assert_eq!(stages["items"][0]["probability"], 10);

        // Reports: chart, table and file.
        let funnel = browser
            .get(&format!("/sales/funnel?pipeline_id={pid}"))
            .await;
        assert_eq!(funnel.status, StatusCode::OK, "{}", funnel.body);
        assert_translated("/sales/funnel", &funnel.body);
        assert!(funnel.body.contains("<svg class=\"funnel-chart\""));
        assert!(funnel.body.contains("<rect"));
        // The period fields show the days the report covered, not only the format's example.
        let from_field = funnel
            .body
            .split("id=\"f-from\" name=\"from\" value=\"")
            .nth(1);
        assert!(
            from_field.is_some_and(|rest| rest.starts_with('۱')),
            "{}",
            funnel.body
        );
        // What is typed in "to" is the period's last day, as the heading then shows it.
        let typed = browser
            .get(&format!(
                "/sales/funnel?pipeline_id={pid}&from=1404/01/01&to=1404/06/31"
            ))
            .await;
        assert_eq!(typed.status, StatusCode::OK, "{}", typed.body);
        assert!(
            typed.body.contains("۱۴۰۴/۰۱/۰۱ – ۱۴۰۴/۰۶/۳۱"),
            "{}",
            typed.body
        );
        assert!(typed.body.contains("value=\"1404/06/31\""));
        let csv = browser
            .get(&format!("/sales/funnel.csv?pipeline_id={pid}"))
            .await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(csv.body.starts_with('\u{feff}'), "a BOM for Excel");
        let forecast = browser.get("/sales/forecast?target=1000000000").await;
        assert_eq!(forecast.status, StatusCode::OK, "{}", forecast.body);
        assert_translated("/sales/forecast", &forecast.body);
        assert!(forecast.body.contains("<svg class=\"forecast-chart\""));
        assert!(forecast.body.contains("سرنخ لازم"));
        let targets = browser.get("/sales/targets").await;
        assert_eq!(targets.status, StatusCode::OK, "{}", targets.body);
        assert_translated("/sales/targets", &targets.body);
        assert!(targets.body.contains("شعبه اصفهان"), "{}", targets.body);
        let bad = browser.get("/sales/funnel?from=bogus").await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);

        // The generic pages serve the new kinds too.
        for path in [
            "/opportunities",
            "/opportunities/new",
            "/pipelines",
            "/loss-reasons",
            "/sales-targets",
        ] {
            let page = browser.get(path).await;
            assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
            assert_translated(path, &page.body);
        }
        let record = browser.get(&format!("/opportunities/{id}")).await;
        assert_eq!(record.status, StatusCode::OK);
        assert_translated("/opportunities/…", &record.body);
    }
}

#[tokio::test]
async fn a_sales_rep_cannot_reopen_from_the_board() {
    for app in backends().await {
        let mut browser = Browser::new(&app);
        browser.login("rep@peyvand.demo").await;
        let board = browser.get("/sales/board").await;
        assert_eq!(board.status, StatusCode::OK);
        assert!(
            !board.body.contains("/stages\""),
            "no stage editor for a rep"
        );
        let (id, version) = first_card(&board.body);
        let won = browser
            .post(
                &format!("/sales/board/{id}/move"),
                &[
                    ("version", &version),
                    ("target", "won"),
                    ("pipeline_id", ""),
                ],
            )
            .await;
        assert_eq!(won.status, StatusCode::SEE_OTHER, "{}", won.body);
        let token = app.token("rep@peyvand.demo").await;
        let deal = app
            .get(&format!("/api/v1/opportunities/{id}"), &token)
            .await
            .json();
        let stage = deal["stage_id"].as_str().unwrap().to_owned();
        let next = (version.parse::<i64>().unwrap() + 1).to_string();
        let reopen = browser
            .post(
                &format!("/sales/board/{id}/move"),
                &[
                    ("version", &next),
                    ("target", &format!("stage:{stage}")),
                    ("pipeline_id", ""),
                ],
            )
            .await;
        assert_eq!(reopen.status, StatusCode::FORBIDDEN, "{}", app.name());
        assert!(reopen.body.contains("فقط کار مدیران"), "{}", reopen.body);
    }
}
