//! Importing customers through the API, on SQLite and PostgreSQL: encodings and Excel, the
//! column suggestions, dry runs, all-or-nothing, kept good rows, duplicates, rejected rows and
//! rights.

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::{Reply, TestApp, backends};
use serde_json::Value;

const CSV: &str = "نام,نام خانوادگی,موبایل,ایمیل,شهر,تاریخ تولد\n\
علی,واردشده,۰۹۱۲۷۷۷۰۰۰۱,ali.import@example.com,تهران,1370/01/15\n\
سارا,,09127770002,sara.import@example.com,شیراز,\n\
مریم,واردشده,12345,maryam.import@example.com,قم,\n\
رضا,واردشده,09127770001,,,\n\
نیما,واردشده,09127770004,nima.import@example.com,,1403/13/01\n\
نگار,واردشده,09127770005,negar.import@example.com,اصفهان\n";

async fn upload(t: &TestApp, token: &str, path: &str, body: Vec<u8>) -> Reply {
    let request = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "text/csv")
        .body(Body::from(body))
        .unwrap();
    t.send(request).await
}

/// Starts an import and waits for it to finish.
async fn import(t: &TestApp, token: &str, query: &str, body: Vec<u8>) -> Value {
    let started = upload(t, token, &format!("/api/v1/contacts/import?{query}"), body).await;
    assert_eq!(started.status, StatusCode::ACCEPTED, "{}", started.body);
    let id = started.json()["id"].as_str().unwrap().to_owned();
    for _ in 0..600 {
        let job = t.get(&format!("/api/v1/imports/{id}"), token).await.json();
        if job["state"] != "running" {
            return job;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the import did not finish");
}

async fn imported(t: &TestApp, token: &str) -> Vec<Value> {
    t.list_all(
        "/api/v1/contacts?last_name=%D9%88%D8%A7%D8%B1%D8%AF%D8%B4%D8%AF%D9%87",
        token,
    )
    .await
}

fn lines(job: &Value) -> Vec<(u64, String)> {
    job["report"]["rejected_rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["line"].as_u64().unwrap(),
                r["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn rows_are_checked_and_nothing_is_written_unless_all_pass_or_good_rows_are_kept() {
    for t in backends().await {
        let token = t.token("admin@peyvand.demo").await;
        // A dry run reports every bad row with its line and reason, and writes nothing.
        let dry = import(&t, &token, "dry_run=true", CSV.as_bytes().to_vec()).await;
        assert_eq!(dry["state"], "done", "{dry}");
        let report = &dry["report"];
        assert_eq!(
            (
                report["rows"].as_u64(),
                report["created"].as_u64(),
                report["skipped"].as_u64(),
                report["rejected"].as_u64()
            ),
            (Some(6), Some(1), Some(1), Some(4)),
            "{report}"
        );
        let rejected = lines(&dry);
        assert_eq!(
            rejected.iter().map(|(l, _)| *l).collect::<Vec<_>>(),
            vec![3, 4, 6, 7],
            "{rejected:?}"
        );
        assert_eq!(
            dry["report"]["rejected_rows"][0]["errors"][0]["field"],
            "last_name"
        );
        assert_eq!(
            dry["report"]["rejected_rows"][3]["errors"][0]["code"],
            "wrong_column_count"
        );
        assert!(
            rejected
                .iter()
                .all(|(_, message)| !message.contains("import-problem")
                    && !message.contains("field-error")),
            "{rejected:?}"
        );
        assert!(imported(&t, &token).await.is_empty());

        // A real run with bad rows keeps nothing.
        let all_or_nothing = import(&t, &token, "", CSV.as_bytes().to_vec()).await;
        assert_eq!(all_or_nothing["report"]["committed"], false);
        assert!(imported(&t, &token).await.is_empty());

        // Keeping the good rows imports them; a duplicate within the file is skipped.
        let kept = import(&t, &token, "keep_good=true", CSV.as_bytes().to_vec()).await;
        assert_eq!(kept["report"]["committed"], true, "{kept}");
        let rows = imported(&t, &token).await;
        assert_eq!(rows.len(), 1, "{rows:?}");
        let ali = rows.iter().find(|c| c["first_name"] == "علی").unwrap();
        assert_eq!(ali["mobile"], "+989127770001");
        assert_eq!(ali["birth_date"], "1991-04-04");
        let id = kept["id"].as_str().unwrap();
        let file = t
            .get(&format!("/api/v1/imports/{id}/rejected"), &token)
            .await;
        assert_eq!(file.status, StatusCode::OK);
        assert!(
            file.body.contains("مریم") && file.body.contains("error"),
            "{}",
            file.body
        );

        // Importing again skips known emails and phones, or updates them when asked.
        let again = import(&t, &token, "keep_good=true", CSV.as_bytes().to_vec()).await;
        assert_eq!(again["report"]["created"], 0, "{again}");
        assert_eq!(again["report"]["skipped"], 2);
        let moved = "نام,نام خانوادگی,ایمیل,شهر\nعلی,واردشده,ALI.import@example.com,کرج\n";
        let updated = import(&t, &token, "on_duplicate=update", moved.as_bytes().to_vec()).await;
        assert_eq!(updated["report"]["updated"], 1, "{updated}");
        let ali = t
            .get(
                &format!("/api/v1/contacts/{}", ali["id"].as_str().unwrap()),
                &token,
            )
            .await
            .json();
        assert_eq!(ali["city"], "کرج");
        assert_eq!(
            ali["mobile"], "+989127770001",
            "values the row leaves empty stay"
        );
    }
}

#[tokio::test]
async fn windows_1256_and_excel_files_and_explicit_mappings() {
    for t in backends().await {
        let token = t.token("admin@peyvand.demo").await;
        let text = "first,last,cell,note\nکاوه,ويندوزي,09127770011,x\n";
        let (encoded, _, bad) = encoding_rs::WINDOWS_1256.encode(text);
        assert!(!bad);
        let map = r#"{"first":"first_name","last":"last_name","cell":"mobile","note":null}"#;
        let query = format!("map={}", common::web_client::encode(map));
        let job = import(&t, &token, &query, encoded.into_owned()).await;
        assert_eq!(job["report"]["created"], 1, "{job}");
        let found = t
            .list_all("/api/v1/contacts?mobile=09127770011", &token)
            .await;
        assert_eq!(found[0]["first_name"], "کاوه");

        let mut writer = peyvand_tabular::XlsxTableWriter::new(
            &["نام", "نام خانوادگی", "تلفن همراه"],
            &peyvand_tabular::ExportOptions::for_user(
                peyvand_domain::calendar::Locale::Fa,
                peyvand_domain::calendar::CalendarKind::Jalali,
            ),
        )
        .unwrap();
        use peyvand_tabular::TableWriter;
        writer
            .write_row(&[
                peyvand_tabular::CellValue::Text("شیرین".into()),
                peyvand_tabular::CellValue::Text("اکسلی".into()),
                peyvand_tabular::CellValue::Text("09127770012".into()),
            ])
            .unwrap();
        let mut xlsx = Vec::new();
        writer.finish(&mut xlsx).unwrap();
        let job = import(&t, &token, "", xlsx).await;
        assert_eq!(job["report"]["created"], 1, "{job}");
        let found = t
            .list_all("/api/v1/contacts?mobile=09127770012", &token)
            .await;
        assert_eq!(found[0]["last_name"], "اکسلی");
    }
}

#[tokio::test]
async fn unreadable_files_and_rights_are_refused() {
    for t in backends().await {
        let token = t.token("admin@peyvand.demo").await;
        for (body, detail) in [
            (Vec::new(), "empty_file"),
            (
                b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n".to_vec(),
                "unsupported_format",
            ),
            (b"09121234567,ali@example.com\n".to_vec(), "missing_header"),
        ] {
            let reply = upload(&t, &token, "/api/v1/contacts/import", body).await;
            assert_eq!(
                reply.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{detail}: {}",
                reply.body
            );
            assert_eq!(reply.json()["detail"], detail, "{}", reply.body);
        }
        let viewer = t.token("viewer@peyvand.demo").await;
        let refused = upload(
            &t,
            &viewer,
            "/api/v1/contacts/import",
            CSV.as_bytes().to_vec(),
        )
        .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
        // Another user does not see someone's job.
        let started = upload(
            &t,
            &token,
            "/api/v1/contacts/import?dry_run=true",
            CSV.as_bytes().to_vec(),
        )
        .await;
        let id = started.json()["id"].as_str().unwrap().to_owned();
        let rep = t.token("rep@peyvand.demo").await;
        assert_eq!(
            t.get(&format!("/api/v1/imports/{id}"), &rep).await.status,
            StatusCode::NOT_FOUND
        );
    }
}
