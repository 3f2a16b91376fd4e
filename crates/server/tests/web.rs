//! End-to-end tests of the web pages: a browser's requests (cookie, forms with the CSRF
//! token) against a demo-seeded application on SQLite and PostgreSQL.

mod common;

use axum::http::{Method, StatusCode};
use common::web_client::{Browser, assert_translated, encode, input_value, location};
use common::{PASSWORD, backends};
use peyvand_domain::permission::RecordKind;
use serde_json::json;

#[tokio::test]
async fn login_and_logout() {
    for app in backends().await {
        let mut browser = Browser::new(&app);
        let reply = browser.get("/contacts?q=x").await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
        assert_eq!(location(&reply), "/login?next=%2Fcontacts%3Fq%3Dx");

        let page = browser.get("/login").await;
        assert!(page.body.contains(r#"dir="rtl""#), "{}", page.body);
        let english = browser.get("/login?lang=en").await;
        assert!(english.body.contains(r#"<html lang="en" dir="ltr">"#));

        let wrong = browser
            .send(
                Method::POST,
                "/login",
                Some(&[("email", "admin@peyvand.demo"), ("password", "nope")]),
                &[],
            )
            .await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        assert!(
            wrong.body.contains("ایمیل یا رمز عبور نادرست است"),
            "{}",
            wrong.body
        );
        assert!(
            wrong.body.contains("admin@peyvand.demo"),
            "the email is kept"
        );

        let cross = browser
            .send(
                Method::POST,
                "/login",
                Some(&[("email", "admin@peyvand.demo"), ("password", PASSWORD)]),
                &[("sec-fetch-site", "cross-site")],
            )
            .await;
        assert_eq!(cross.status, StatusCode::FORBIDDEN);
        assert!(browser.cookie.is_none());

        let evil = browser
            .send(
                Method::POST,
                "/login",
                Some(&[
                    ("email", "admin@peyvand.demo"),
                    ("password", PASSWORD),
                    ("next", "//evil.example"),
                ]),
                &[],
            )
            .await;
        assert_eq!(location(&evil), "/", "{}", app.name());

        let without_token = browser.send(Method::POST, "/logout", Some(&[]), &[]).await;
        assert_eq!(without_token.status, StatusCode::FORBIDDEN);
        browser.get("/").await;
        let out = browser.post("/logout", &[]).await;
        assert_eq!(out.status, StatusCode::SEE_OTHER);
        assert!(browser.cookie.is_none());
    }
}

#[tokio::test]
async fn contacts_list_create_edit_delete() {
    for app in backends().await {
        let mut browser = Browser::new(&app);
        browser.login("admin@peyvand.demo").await;

        let home = browser.get("/").await;
        assert!(home.body.contains(r#"<html lang="fa" dir="rtl">"#));
        assert!(
            home.body.contains("۴۰") || home.body.contains("۴"),
            "Persian digits: {}",
            home.body
        );

        let list = browser.get("/contacts").await;
        assert_eq!(list.status, StatusCode::OK);
        assert!(list.body.contains("<table"));
        let sorted = browser.get("/contacts?sort=-last_name").await;
        assert!(sorted.body.contains(r#"aria-sort="descending""#));
        assert!(list.body.contains(r#"aria-sort="ascending""#));
        // A search lists by relevance, so no column claims the order.
        let searched = browser.get("/contacts?q=%D9%85").await;
        assert_eq!(searched.status, StatusCode::OK);
        assert!(!searched.body.contains("aria-sort="), "{}", app.name());
        let page1 = browser.get("/contacts?limit=15").await;
        let next = page1
            .body
            .split("rel=\"next\" href=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .expect("a next page link")
            .replace("&#38;", "&")
            .replace("&amp;", "&");
        let page2 = browser.get(&next).await;
        assert_eq!(page2.status, StatusCode::OK, "{next}");
        assert!(
            page2.body.contains("صفحهٔ اول"),
            "{}",
            page2
                .body
                .split("class=\"pager\"")
                .nth(1)
                .unwrap_or(&page2.body)
        );

        // Create with a bad email: the error is shown and the values are kept.
        browser.get("/contacts/new").await;
        let bad = browser
            .post(
                "/contacts",
                &[
                    ("first_name", "تینا"),
                    ("last_name", "آزمونی"),
                    ("email", "not-an-email"),
                ],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
        assert!(bad.body.contains("نشانی ایمیل معتبر نیست"));
        assert!(
            bad.body.contains(r#"value="آزمونی""#) && bad.body.contains(r#"value="not-an-email""#)
        );
        let good = browser
            .post(
                "/contacts",
                &[
                    ("first_name", "تینا"),
                    ("last_name", "آزمونی"),
                    ("email", "tina@example.com"),
                ],
            )
            .await;
        assert_eq!(good.status, StatusCode::SEE_OTHER, "{}", good.body);
        let record = location(&good);
        assert!(record.starts_with("/contacts/"));

        let search = browser
            .get(&format!("/contacts?q={}", encode("آزمونی")))
            .await;
        assert!(search.body.contains("آزمونی") && search.body.contains(&record));

        let page = browser.get(&record).await;
        assert!(page.body.contains("ایجاد شد") && page.body.contains("tina@example.com"));
        assert!(page.body.contains("نمای ۳۶۰ درجه"));

        // A note, then an edit, then an edit made on the old version.
        let note = browser
            .post(&format!("{record}/notes"), &[("body", "تماس گرفته شد")])
            .await;
        assert_eq!(note.status, StatusCode::SEE_OTHER);
        assert!(browser.get(&record).await.body.contains("تماس گرفته شد"));
        let edit = browser.get(&format!("{record}/edit")).await;
        let version = input_value(&edit.body, "version").unwrap();
        let saved = browser
            .post(
                &record,
                &[
                    ("version", &version),
                    ("first_name", "تینا"),
                    ("last_name", "آزمونی‌دوم"),
                    ("email", "tina@example.com"),
                ],
            )
            .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
        let stale = browser
            .post(
                &record,
                &[
                    ("version", &version),
                    ("first_name", "x"),
                    ("last_name", "سوم"),
                    ("email", "tina@example.com"),
                ],
            )
            .await;
        assert_eq!(stale.status, StatusCode::CONFLICT);
        assert!(stale.body.contains("کس دیگری این رکورد را"));
        assert!(
            stale.body.contains(r#"value="آزمونی‌دوم""#),
            "the current values are shown"
        );
        let timeline = browser.get(&record).await;
        assert_translated(&record, &timeline.body);
        assert!(
            timeline.body.contains("<del>آزمونی</del>"),
            "old → new in the timeline"
        );

        let confirm = browser.get(&format!("{record}/delete")).await;
        assert!(confirm.body.contains("آزمونی‌دوم"));
        let deleted = browser.post(&format!("{record}/delete"), &[]).await;
        assert_eq!(location(&deleted), "/contacts");
        assert_eq!(browser.get(&record).await.status, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn csrf_scope_and_languages() {
    for app in backends().await {
        let token = app.token("admin@peyvand.demo").await;
        let isfahan = app
            .app
            .find_id(RecordKind::Branch, "code", "ISF")
            .await
            .unwrap()
            .unwrap();
        let created = app
            .post(
                "/api/v1/contacts",
                &token,
                json!({"last_name": "اصفهانی", "branch_id": isfahan}),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        let id = created.json()["id"].as_str().unwrap().to_owned();

        let mut admin = Browser::new(&app);
        admin.login("admin@peyvand.demo").await;
        let page = admin.get(&format!("/contacts/{id}")).await;
        assert_eq!(page.status, StatusCode::OK);
        let refused = admin
            .send(
                Method::POST,
                &format!("/contacts/{id}/notes"),
                Some(&[("body", "x")]),
                &[],
            )
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        assert!(refused.body.contains(r#"dir="rtl""#));

        let mut rep = Browser::new(&app);
        rep.login("rep@peyvand.demo").await;
        let hidden = rep.get(&format!("/contacts/{id}")).await;
        assert_eq!(hidden.status, StatusCode::NOT_FOUND);
        assert!(!hidden.body.contains("اصفهانی"));
        assert!(
            !rep.get("/").await.body.contains(r#"href="/roles""#),
            "no admin navigation for a sales rep"
        );

        // Switching to English turns the whole interface left to right.
        rep.get("/settings").await;
        let saved = rep
            .post(
                "/settings/preferences",
                &[("locale", "en"), ("calendar", "gregorian")],
            )
            .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
        let home = rep.get("/").await;
        assert!(
            home.body.contains(r#"<html lang="en" dir="ltr">"#),
            "{}",
            home.body
        );
        assert!(home.body.contains("Dashboard"));

        // Every admin page renders.
        for path in [
            "/users",
            "/teams",
            "/roles",
            "/branches",
            "/leads",
            "/accounts",
            "/settings",
            "/users/new",
            "/branches/new",
        ] {
            let reply = admin.get(path).await;
            assert_eq!(reply.status, StatusCode::OK, "{path} on {}", app.name());
            assert_translated(path, &reply.body);
        }
    }
}

#[tokio::test]
async fn roles_leads_and_settings() {
    for app in backends().await {
        let token = app.token("admin@peyvand.demo").await;
        let mut admin = Browser::new(&app);
        admin.login("admin@peyvand.demo").await;

        // A new role goes on to its grants editor; the saved rights show on the role's page.
        admin.get("/roles/new").await;
        let role = admin
            .post("/roles", &[("name", "auditor"), ("description", "")])
            .await;
        assert_eq!(role.status, StatusCode::SEE_OTHER, "{}", role.body);
        let grants_path = location(&role);
        assert!(grants_path.ends_with("/grants"));
        let editor = admin.get(&grants_path).await;
        assert!(editor.body.contains(r#"name="scope.contact.read""#));
        let version = input_value(&editor.body, "version").unwrap();
        let saved = admin
            .post(
                &grants_path,
                &[
                    ("version", &version),
                    ("scope.contact.read", "branch"),
                    ("hidden.contact", "email"),
                ],
            )
            .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
        let role_page = admin.get(&location(&saved)).await;
        assert!(role_page.body.contains("شعبه") && role_page.body.contains("ایمیل"));
        assert_translated("role", &role_page.body);
        assert_translated("grants", &editor.body);

        // Converting a lead leads to the new contact.
        let lead = app
            .post(
                "/api/v1/leads",
                &token,
                json!({"last_name": "سرنخی", "company": "شرکت نمونه"}),
            )
            .await;
        let lead_id = lead.json()["id"].as_str().unwrap().to_owned();
        let form = admin.get(&format!("/leads/{lead_id}/convert")).await;
        assert!(form.body.contains(r#"value="شرکت نمونه""#));
        let version = input_value(&form.body, "version").unwrap();
        let converted = admin
            .post(
                &format!("/leads/{lead_id}/convert"),
                &[
                    ("version", &version),
                    ("account_name", "شرکت نمونه"),
                    ("existing_account_id", ""),
                ],
            )
            .await;
        assert_eq!(
            converted.status,
            StatusCode::SEE_OTHER,
            "{}",
            converted.body
        );
        let contact = admin.get(&location(&converted)).await;
        assert!(contact.body.contains("سرنخی") && contact.body.contains("شرکت نمونه"));

        // Personal API tokens: the secret is shown once and works.
        admin.get("/settings").await;
        let created = admin.post("/settings/tokens", &[("name", "script")]).await;
        let secret = created
            .body
            .split("<code dir=\"ltr\">")
            .nth(1)
            .and_then(|s| s.split('<').next())
            .unwrap()
            .to_owned();
        assert_eq!(app.get("/api/v1/me", &secret).await.status, StatusCode::OK);
        assert!(
            app.app
                .find_id(RecordKind::Role, "name", "auditor")
                .await
                .unwrap()
                .is_some()
        );
    }
}

#[tokio::test]
async fn built_in_roles_and_phones_read_naturally() {
    for app in backends().await {
        let mut admin = Browser::new(&app);
        admin.login("admin@peyvand.demo").await;
        let users = admin.get("/users").await;
        assert_eq!(users.status, StatusCode::OK);
        assert!(
            users.body.contains("کارشناس فروش"),
            "translated role names in the list"
        );
        assert!(!users.body.contains(">sales_rep<"), "no raw role keys");
        let form = admin.get("/users/new").await;
        assert!(
            form.body.contains("مدیر شعبه") && !form.body.contains(">branch_manager<"),
            "translated role options"
        );
        let contacts = admin.get("/contacts?sort=last_name").await;
        assert!(
            contacts.body.contains("۰۹"),
            "Iranian mobiles in national form with Persian digits"
        );
        assert!(!contacts.body.contains("+۹۸۹"), "not in E.164 on pages");
    }
}

#[tokio::test]
async fn administrators_manage_custom_fields_from_the_settings_pages() {
    for app in backends().await {
        let mut admin = Browser::new(&app);
        admin.login("admin@peyvand.demo").await;
        let page = admin.get("/settings/fields").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("/settings/fields/new?kind=contact"));
        let form = admin.get("/settings/fields/new?kind=contact").await;
        assert_eq!(form.status, StatusCode::OK);
        assert_translated("/settings/fields/new", &form.body);

        // Labels missing: the form comes back with the typed values and the errors.
        let bad = admin
            .post(
                "/settings/fields?kind=contact",
                &[
                    ("name", "level"),
                    ("field_type", "multi_choice"),
                    ("choices", "طلایی\r\nنقره‌ای"),
                ],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.body.contains("aria-invalid"), "{}", bad.body);
        assert!(bad.body.contains("نقره‌ای"));

        let created = admin
            .post(
                "/settings/fields?kind=contact",
                &[
                    ("label_fa", "سطح"),
                    ("label_en", "Level"),
                    ("name", "level"),
                    ("field_type", "multi_choice"),
                    ("choices", "طلایی\r\nنقره‌ای"),
                    ("in_list", "true"),
                ],
            )
            .await;
        assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
        assert_eq!(location(&created), "/settings/fields?done=created");

        // The field is on the form, the record page and the list.
        let new_contact = admin.get("/contacts/new").await;
        assert!(
            new_contact.body.contains("<legend>سطح"),
            "{}",
            new_contact.body
        );
        let saved = admin
            .post(
                "/contacts",
                &[
                    ("last_name", "سفارشی"),
                    ("cf_level", ""),
                    ("cf_level", "طلایی"),
                ],
            )
            .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
        let record = admin.get(&location(&saved)).await;
        assert!(record.body.contains("سطح") && record.body.contains("طلایی"));
        let list = admin
            .get("/contacts?cf_level=%D8%B7%D9%84%D8%A7%DB%8C%DB%8C")
            .await;
        assert!(list.body.contains("سفارشی"), "filtered list: {}", list.body);

        // Others see the definitions but get no forms.
        let mut rep = Browser::new(&app);
        rep.login("rep@peyvand.demo").await;
        let listed = rep.get("/settings/fields").await;
        assert_eq!(listed.status, StatusCode::OK);
        assert!(listed.body.contains("cf_level") && !listed.body.contains("/settings/fields/new"));
        assert_eq!(
            rep.get("/settings/fields/new?kind=contact").await.status,
            StatusCode::FORBIDDEN
        );

        // Deleting asks first and warns that the values go too.
        let token = app.token("admin@peyvand.demo").await;
        let fields = app
            .get("/api/v1/custom-fields?kind=contact", &token)
            .await
            .json();
        let id = fields["items"][0]["id"].as_str().unwrap().to_owned();
        let confirm = admin.get(&format!("/settings/fields/{id}/delete")).await;
        assert!(confirm.body.contains("برگشت‌پذیر نیست"), "{}", confirm.body);
        let deleted = admin
            .post(&format!("/settings/fields/{id}/delete"), &[])
            .await;
        assert_eq!(location(&deleted), "/settings/fields?done=deleted");
        assert!(!admin.get("/contacts/new").await.body.contains("cf_level"));
    }
}

#[tokio::test]
async fn long_lists_count_up_to_a_thousand() {
    let app = common::start_with(peyvand_store::Backend::Sqlite, 1_050).await;
    let mut browser = Browser::new(&app);
    browser.login("admin@peyvand.demo").await;
    let list = browser.get("/contacts").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("بیش از ۱٬۰۰۰"), "{}", list.body);
    let filtered = browser.get("/contacts?lifecycle=lost").await;
    assert!(
        !filtered.body.contains("بیش از"),
        "a filtered list under the cap is counted exactly"
    );
}
