//! Importing customers through the API, on SQLite and PostgreSQL: encodings and Excel, the
//! column suggestions, dry runs, all-or-nothing, kept good rows, duplicates, rejected rows and
//! rights.

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::web_client::{Browser, assert_translated, location};
use common::{Reply, TestApp, backends};
use serde_json::{Value, json};

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
        // Imported records take part in the duplicate check like created ones.
        let check = t
            .post(
                "/api/v1/contacts/duplicates/check",
                &token,
                serde_json::json!({"last_name": "دیگر", "mobile": "09127770001"}),
            )
            .await;
        assert_eq!(check.json()["items"][0]["id"], ali["id"], "{}", check.body);
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

/// The attribute value after `marker` in a page.
fn attribute_after(html: &str, marker: &str) -> String {
    let start = html
        .find(marker)
        .unwrap_or_else(|| panic!("{marker} in {html}"))
        + marker.len();
    html[start..start + html[start..].find('"').unwrap()]
        .replace("&#38;", "&")
        .replace("&amp;", "&")
}

/// Follows a job's page until it stops refreshing itself.
async fn finished_page(browser: &mut Browser<'_>, path: &str) -> String {
    for _ in 0..600 {
        let page = browser.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        if !page.body.contains("http-equiv=\"refresh\"") {
            return page.body;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the import page kept refreshing");
}

#[tokio::test]
async fn the_web_import_uploads_maps_checks_and_imports() {
    for t in backends().await {
        let mut browser = Browser::new(&t);
        browser.login("admin@peyvand.demo").await;
        let list = browser.get("/contacts").await;
        assert!(list.body.contains("href=\"/contacts/import\""));
        assert!(list.body.contains("format=xlsx"));
        let form = browser.get("/contacts/import").await;
        assert_translated("/contacts/import", &form.body);
        let action = format!(
            "/contacts/import?_csrf={}",
            attribute_after(&form.body, "action=\"/contacts/import?_csrf=")
        );
        assert!(action.contains("_csrf="), "{action}");
        // Without the token the upload is refused.
        let forged = browser
            .upload("/contacts/import", "file", "c.csv", CSV.as_bytes())
            .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);

        let uploaded = browser
            .upload(&action, "file", "c.csv", CSV.as_bytes())
            .await;
        assert_eq!(uploaded.status, StatusCode::SEE_OTHER, "{}", uploaded.body);
        let mapping_path = location(&uploaded);
        let mapping = browser.get(&mapping_path).await;
        assert_eq!(mapping.status, StatusCode::OK, "{}", mapping.body);
        assert_translated(&mapping_path, &mapping.body);
        assert!(
            mapping
                .body
                .contains("<option value=\"last_name\" selected>"),
            "suggested from the Persian header"
        );

        let choices = [
            ("map-0", "first_name"),
            ("map-1", "last_name"),
            ("map-2", "mobile"),
            ("map-3", "email"),
            ("map-4", "city"),
            ("map-5", "birth_date"),
            ("on_duplicate", "skip"),
            ("keep_good", "true"),
            ("calendar", "jalali"),
        ];
        let mut dry = choices.to_vec();
        dry.push(("dry_run", "true"));
        let started = browser.post(&mapping_path, &dry).await;
        assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.body);
        let job_path = location(&started);
        let result = finished_page(&mut browser, &job_path).await;
        assert_translated(&job_path, &result);
        assert!(
            result.contains("/run\""),
            "a dry run offers the real run: {result}"
        );
        assert!(
            result.contains("<td>4</td>") || result.contains("<td>۴</td>"),
            "rejected line 4 listed: {result}"
        );
        assert!(
            imported(&t, &t.token("admin@peyvand.demo").await)
                .await
                .is_empty()
        );

        let run = browser.post(&format!("{job_path}/run"), &[]).await;
        assert_eq!(run.status, StatusCode::SEE_OTHER, "{}", run.body);
        let done = finished_page(&mut browser, &location(&run)).await;
        assert!(done.contains("/rejected\""), "{done}");
        let rejects = browser.get(&format!("{}/rejected", location(&run))).await;
        assert!(rejects.body.contains("مریم"), "{}", rejects.body);
        assert_eq!(
            imported(&t, &t.token("admin@peyvand.demo").await)
                .await
                .len(),
            1
        );

        // Excel export of the list.
        let xlsx = browser.get("/api/v1/contacts/export?format=xlsx").await;
        assert_eq!(xlsx.status, StatusCode::OK);
        assert!(xlsx.body.starts_with("PK"), "a zip archive");
    }
}

/// Imports `csv` (headers are field names) as the demo administrator, calling the application
/// directly so that a few rows count as a large import: `bulk_from_rows` of 5 makes the import
/// write in bulk on SQLite (indexes set aside and built again, duplicate keys gathered).
async fn bulk_import(
    t: &TestApp,
    csv: String,
    on_duplicate: peyvand_app::import::OnDuplicate,
) -> peyvand_app::import::ImportReport {
    use peyvand_app::import::{ImportOptions, ImportProgress};
    use peyvand_domain::permission::RecordKind;
    let admin = t
        .app
        .find_id(RecordKind::User, "email", "admin@peyvand.demo")
        .await
        .unwrap()
        .unwrap();
    let session = t.app.session_for_user(admin).await.unwrap();
    let headers: Vec<Option<String>> = csv
        .lines()
        .next()
        .unwrap()
        .split(',')
        .map(|h| Some(h.to_owned()))
        .collect();
    let options = ImportOptions {
        kind: RecordKind::Contact,
        mapping: headers,
        on_duplicate,
        dry_run: false,
        keep_good_rows: false,
        calendar: peyvand_domain::calendar::CalendarKind::Jalali,
        read: peyvand_tabular::ReadOptions::default(),
        rejects_path: None,
        describe: peyvand_app::import::Describe::default(),
        bulk_from_rows: 5,
    };
    let bytes = csv.into_bytes();
    let progress = ImportProgress::new(bytes.len() as u64);
    t.app
        .import(&session, std::io::Cursor::new(bytes), options, progress)
        .await
        .unwrap()
}

/// How many contacts the duplicate check finds for `body`.
async fn duplicates_of(t: &TestApp, token: &str, body: Value) -> usize {
    let reply = t
        .post("/api/v1/contacts/duplicates/check", token, body)
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.json()["items"].as_array().unwrap().len()
}

#[tokio::test]
async fn a_bulk_import_leaves_search_lists_and_duplicate_checks_exact() {
    use common::web_client::encode;
    use peyvand_app::import::OnDuplicate;
    for backend in [
        peyvand_store::Backend::Sqlite,
        peyvand_store::Backend::Postgres,
    ] {
        let t = common::start_with(backend, 0).await;
        let token = t.token("admin@peyvand.demo").await;
        let mut csv = String::from("first_name,last_name,mobile,email,city\n");
        for i in 0..30 {
            csv += &format!("نام,انبوه{i:02},0912888{i:04},bulk{i}@example.com,تهران\n");
        }
        // The same email again, in the middle of the bulk writing: the record written above
        // is updated, its keys follow, and later rows are written in bulk again.
        csv += "بهروز,انبوه02,09128889999,bulk2@example.com,شیراز\n";
        for i in 30..60 {
            csv += &format!("نام,انبوه{i:02},0912888{i:04},bulk{i}@example.com,قم\n");
        }
        let report = bulk_import(&t, csv, OnDuplicate::Update).await;
        assert!(report.committed, "{} {:?}", t.name(), report.rejected_rows);
        assert_eq!((report.created, report.updated), (60, 1), "{}", t.name());

        // Full-text search finds the records, the updated one with its new values.
        let found = t
            .list_all(&format!("/api/v1/contacts?q={}", encode("انبوه02")), &token)
            .await;
        assert_eq!(found.len(), 1, "{}: {found:?}", t.name());
        assert_eq!(found[0]["city"], "شیراز");
        let late = t
            .list_all(&format!("/api/v1/contacts?q={}", encode("انبوه59")), &token)
            .await;
        assert_eq!(late.len(), 1, "{}", t.name());
        // A record written in bulk reads back as one created through a form: version 1, both
        // moments the same, the importer's defaults, and its creation with every value on its
        // timeline (the statements binding values in place write exactly what they bind).
        let path = format!("/api/v1/contacts/{}", late[0]["id"].as_str().unwrap());
        let record = t.get(&path, &token).await.json();
        assert_eq!(record["version"], 1, "{}: {record}", t.name());
        assert_eq!(record["created_at"], record["updated_at"], "{}", t.name());
        assert_eq!(record["mobile"], "+989128880059", "{}", t.name());
        assert!(record["owner_id"].is_string(), "{}: {record}", t.name());
        let timeline = t.get(&format!("{path}/timeline"), &token).await.json();
        let entry = &timeline["items"][0];
        assert_eq!(entry["action"], "import", "{}: {timeline}", t.name());
        assert_eq!(
            entry["changes"]["city"],
            json!([null, "قم"]),
            "{}",
            t.name()
        );
        assert_eq!(entry["changes"]["owner_id"][1], record["owner_id"]);
        // A filtered, sorted list (served by the rebuilt indexes) has them all, in order.
        let city = t
            .list_all(
                &format!("/api/v1/contacts?city={}&sort=last_name", encode("قم")),
                &token,
            )
            .await;
        let names: Vec<&str> = city
            .iter()
            .filter_map(|c| c["last_name"].as_str())
            .collect();
        let expected: Vec<String> = (30..60).map(|i| format!("انبوه{i}")).collect();
        assert_eq!(names, expected, "{}", t.name());
        // Duplicate checks find them by email and phone, the updated phone included.
        for body in [
            json!({"email": "bulk45@example.com"}),
            json!({"mobile": "09128880007"}),
            json!({"mobile": "09128889999"}),
        ] {
            assert_eq!(duplicates_of(&t, &token, body).await, 1, "{}", t.name());
        }
        // The phone the update replaced no longer points at the record.
        let replaced = json!({"mobile": "09128880002"});
        assert_eq!(duplicates_of(&t, &token, replaced).await, 0, "{}", t.name());

        // A bulk import with a bad last row keeps nothing, keys included.
        let mut bad = String::from("first_name,last_name,mobile,email,city\n");
        for i in 0..20 {
            bad += &format!("نام,ردشده{i:02},0912777{i:04},gone{i}@example.com,تهران\n");
        }
        bad += "نام,ردشده,12345,gone@example.com,تهران\n";
        let report = bulk_import(&t, bad, OnDuplicate::Skip).await;
        assert!(!report.committed && report.rejected == 1, "{}", t.name());
        let email = json!({"email": "gone3@example.com"});
        assert_eq!(duplicates_of(&t, &token, email).await, 0, "{}", t.name());
        let gone = t
            .list_all(&format!("/api/v1/contacts?q={}", encode("ردشده03")), &token)
            .await;
        assert!(gone.is_empty(), "{}", t.name());
    }
}
