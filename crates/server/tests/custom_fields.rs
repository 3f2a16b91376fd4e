//! Custom fields end to end through the API, on SQLite and PostgreSQL: definition, validation,
//! storage, lists (filters, sort, search), OpenAPI, rename keeping the data, delete with audit.

mod common;

use axum::http::StatusCode;
use common::{TestApp, backends};
use serde_json::{Value, json};

async fn define(t: &TestApp, token: &str, body: Value) -> Value {
    let reply = t.post("/api/v1/custom-fields", token, body).await;
    assert_eq!(
        reply.status,
        StatusCode::CREATED,
        "{}: {}",
        t.name(),
        reply.body
    );
    reply.json()
}

fn label(fa: &str, en: &str) -> Value {
    json!({"label_fa": fa, "label_en": en})
}

fn merged(mut a: Value, b: Value) -> Value {
    for (k, v) in b.as_object().unwrap() {
        a[k] = v.clone();
    }
    a
}

#[tokio::test]
async fn every_custom_field_type_is_stored_validated_listed_and_searchable() {
    for t in backends().await {
        let admin = t.token("admin@peyvand.demo").await;
        let rep = t.token("rep@peyvand.demo").await;
        let base = |name: &str, ty: &str, fa: &str, en: &str| {
            merged(
                json!({"kind": "contact", "name": name, "field_type": ty}),
                label(fa, en),
            )
        };
        define(
            &t,
            &admin,
            base("national_code", "text", "کد ملی", "National code"),
        )
        .await;
        define(
            &t,
            &admin,
            base("bio", "long_text", "زندگی‌نامه", "Biography"),
        )
        .await;
        define(&t, &admin, base("score", "number", "امتیاز", "Score")).await;
        define(&t, &admin, base("budget", "money", "بودجه", "Budget")).await;
        define(
            &t,
            &admin,
            base("first_visit", "date", "اولین مراجعه", "First visit"),
        )
        .await;
        define(&t, &admin, base("vip", "bool", "ویژه", "VIP")).await;
        let level = define(
            &t,
            &admin,
            merged(
                base("level", "choice", "سطح", "Level"),
                json!({"choices": ["طلایی", "نقره‌ای"], "required": true, "in_list": true}),
            ),
        )
        .await;
        define(
            &t,
            &admin,
            merged(
                base("interests", "multi_choice", "علایق", "Interests"),
                json!({"choices": ["کتاب", "ورزش", "سفر"]}),
            ),
        )
        .await;
        define(
            &t,
            &admin,
            base("office_phone", "phone", "تلفن دفتر", "Office phone"),
        )
        .await;
        define(
            &t,
            &admin,
            base("work_email", "email", "ایمیل کاری", "Work email"),
        )
        .await;
        define(
            &t,
            &admin,
            merged(
                base("referrer", "reference", "معرف", "Referred by"),
                json!({"reference": "accounts"}),
            ),
        )
        .await;
        assert_eq!(level["name"], "cf_level");

        // Only an administrator defines fields; everybody sees the definitions.
        let refused = t
            .post("/api/v1/custom-fields", &rep, base("x", "text", "x", "x"))
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
        let listed = t
            .get("/api/v1/custom-fields?kind=contacts", &rep)
            .await
            .json();
        assert_eq!(listed["items"].as_array().unwrap().len(), 11);

        // Validated like built-in fields: required, choices, numbers, phones.
        let bad = t
            .post("/api/v1/contacts", &rep, json!({"last_name": "رضایی", "cf_score": "یک", "cf_interests": ["شنا"], "cf_office_phone": "12"}))
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
        let fields = &bad.json()["fields"];
        assert_eq!(fields["cf_level"], "required");
        assert_eq!(fields["cf_score"], "invalid_number");
        assert_eq!(fields["cf_interests"], "invalid_choice");
        assert_eq!(fields["cf_office_phone"], "invalid_phone");

        let account = t
            .post("/api/v1/accounts", &rep, json!({"name": "شرکت معرف"}))
            .await
            .json();
        let created = t
            .post("/api/v1/contacts", &rep, json!({
                "last_name": "رضایی", "cf_national_code": "۰۰۱۲۳۴۵۶۷۸", "cf_bio": "خط اول\nخط دوم",
                "cf_score": "۱۲٫۵", "cf_budget": "۱٬۵۰۰٬۰۰۰", "cf_first_visit": "2024-03-20", "cf_vip": true,
                "cf_level": "طلایی", "cf_interests": ["سفر", "کتاب"], "cf_office_phone": "۰۲۱ ۸۸۷۷ ۶۶۵۵",
                "cf_work_email": " Reza@Example.COM ", "cf_referrer": account["id"],
            }))
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        let contact = created.json();
        let id = contact["id"].as_str().unwrap().to_owned();
        let stored = t.get(&format!("/api/v1/contacts/{id}"), &rep).await.json();
        assert_eq!(stored["cf_national_code"], "۰۰۱۲۳۴۵۶۷۸");
        assert_eq!(stored["cf_score"], 12.5);
        assert_eq!(stored["cf_budget"], 1_500_000);
        assert_eq!(stored["cf_first_visit"], "2024-03-20");
        assert_eq!(stored["cf_vip"], true);
        assert_eq!(stored["cf_interests"], json!(["کتاب", "سفر"]));
        assert_eq!(stored["cf_office_phone"], "+982188776655");
        assert_eq!(stored["cf_work_email"], "reza@example.com");
        assert_eq!(stored["cf_referrer"], account["id"]);
        let other = t
            .post("/api/v1/contacts", &rep, json!({"last_name": "احمدی", "cf_level": "نقره‌ای", "cf_score": 3, "cf_interests": ["ورزش"]}))
            .await;
        assert_eq!(other.status, StatusCode::CREATED, "{}", other.body);

        // Lists filter, sort and search by custom fields.
        let ids = |items: Vec<Value>| -> Vec<String> {
            items
                .iter()
                .map(|c| c["id"].as_str().unwrap().to_owned())
                .collect()
        };
        let gold = t
            .list_all(
                "/api/v1/contacts?cf_level=%D8%B7%D9%84%D8%A7%DB%8C%DB%8C",
                &rep,
            )
            .await;
        assert_eq!(ids(gold), vec![id.clone()]);
        let books = t
            .list_all(
                "/api/v1/contacts?cf_interests=%DA%A9%D8%AA%D8%A7%D8%A8",
                &rep,
            )
            .await;
        assert_eq!(ids(books), vec![id.clone()]);
        // Going up, empty values come last.
        let by_score = t
            .list_all("/api/v1/contacts?sort=cf_score&limit=2", &rep)
            .await;
        let scores: Vec<&Value> = by_score.iter().map(|c| &c["cf_score"]).take(3).collect();
        assert_eq!(scores, [&json!(3.0), &json!(12.5), &Value::Null]);
        let found = t
            .list_all("/api/v1/contacts?q=%DB%B0%DB%B0%DB%B1%DB%B2%DB%B3", &rep)
            .await;
        assert_eq!(
            ids(found),
            vec![id.clone()],
            "search finds a textual custom field by prefix"
        );

        // The OpenAPI document describes them.
        let doc = t.get("/api/v1/openapi.json", &rep).await.json();
        let props = &doc["components"]["schemas"]["contacts"]["properties"];
        assert_eq!(props["cf_score"]["type"], json!(["number", "null"]));
        assert_eq!(props["cf_level"]["title"], "Level");

        // Renaming keeps the data.
        let renamed = t
            .patch(
                &format!("/api/v1/custom-fields/{}", level["id"].as_str().unwrap()),
                &admin,
                json!({"name": "tier", "label_en": "Tier"}),
            )
            .await;
        assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.body);
        let stored = t.get(&format!("/api/v1/contacts/{id}"), &rep).await.json();
        assert_eq!(stored["cf_tier"], "طلایی");
        assert!(stored.get("cf_level").is_none());
        let type_change = t
            .patch(
                &format!("/api/v1/custom-fields/{}", level["id"].as_str().unwrap()),
                &admin,
                json!({"field_type": "text"}),
            )
            .await;
        assert_eq!(type_change.status, StatusCode::UNPROCESSABLE_ENTITY);

        // Deleting drops the values and leaves the definition in the audit trail.
        let level_path = format!("/api/v1/custom-fields/{}", level["id"].as_str().unwrap());
        assert_eq!(
            t.delete(&level_path, &rep).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            t.delete(&level_path, &admin).await.status,
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            t.get(&level_path, &admin).await.status,
            StatusCode::NOT_FOUND
        );
        let history = t.get(&format!("{level_path}/history"), &admin).await.json();
        let actions: Vec<&str> = history["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        assert_eq!(actions, vec!["delete", "update", "create"]);
        assert_eq!(
            history["items"][0]["changes"]["definition"][0]["name"],
            "cf_tier"
        );
        let stored = t.get(&format!("/api/v1/contacts/{id}"), &rep).await.json();
        assert!(stored.get("cf_tier").is_none());
        assert_eq!(stored["cf_score"], 12.5);
        // A new contact no longer needs the deleted required field.
        let plain = t
            .post("/api/v1/contacts", &rep, json!({"last_name": "ساده"}))
            .await;
        assert_eq!(plain.status, StatusCode::CREATED, "{}", plain.body);
    }
}

#[tokio::test]
async fn bad_definitions_are_refused_with_field_errors() {
    for t in backends().await {
        let admin = t.token("admin@peyvand.demo").await;
        let cases = [
            (
                json!({"kind": "users", "name": "x", "field_type": "text", "label_fa": "x", "label_en": "x"}),
                "kind",
                "invalid_choice",
            ),
            (
                json!({"kind": "contact", "name": "1x", "field_type": "text", "label_fa": "x", "label_en": "x"}),
                "name",
                "invalid",
            ),
            (
                json!({"kind": "contact", "name": "x", "field_type": "colour", "label_fa": "x", "label_en": "x"}),
                "field_type",
                "invalid_choice",
            ),
            (
                json!({"kind": "contact", "name": "x", "field_type": "choice", "label_fa": "x", "label_en": "x"}),
                "choices",
                "required",
            ),
            (
                json!({"kind": "contact", "name": "x", "field_type": "text", "label_en": "x"}),
                "label_fa",
                "required",
            ),
            (
                json!({"kind": "contact", "name": "x", "field_type": "reference", "label_fa": "x", "label_en": "x"}),
                "reference",
                "required",
            ),
        ];
        for (body, field, code) in cases {
            let reply = t.post("/api/v1/custom-fields", &admin, body.clone()).await;
            assert_eq!(
                reply.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{body}: {}",
                reply.body
            );
            assert_eq!(
                reply.json()["fields"][field],
                code,
                "{body}: {}",
                reply.body
            );
        }
        define(&t, &admin, json!({"kind": "lead", "name": "x", "field_type": "text", "label_fa": "ایکس", "label_en": "X"})).await;
        let again = t
            .post("/api/v1/custom-fields", &admin, json!({"kind": "lead", "name": "cf_x", "field_type": "text", "label_fa": "دیگر", "label_en": "Other"}))
            .await;
        assert_eq!(again.json()["fields"]["name"], "taken", "{}", again.body);
        let unknown = t
            .post(
                "/api/v1/custom-fields",
                &admin,
                json!({"kind": "lead", "bogus": 1}),
            )
            .await;
        assert_eq!(
            unknown.json()["fields"]["bogus"],
            "unknown_field",
            "{}",
            unknown.body
        );
    }
}

/// A second application on the same database, as another server process would be: it was
/// started before the change and hears nothing from the first.
async fn second_process(t: &TestApp) -> TestApp {
    let store = peyvand_store::Store::connect(&t.url).await.unwrap();
    let app = peyvand_app::App::new(store);
    app.reload_schemas().await.unwrap();
    let router = peyvand_http::router(
        app.clone(),
        peyvand_http::HttpConfig {
            secure_cookies: false,
        },
    );
    TestApp {
        backend: t.backend,
        app,
        router,
        url: t.url.clone(),
        scratch: t.scratch.clone(),
    }
}

#[tokio::test]
async fn another_process_sees_a_field_change_when_it_next_loads_a_session() {
    for t in backends().await {
        let other = second_process(&t).await;
        let admin = t.token("admin@peyvand.demo").await;
        let contact = t
            .post("/api/v1/contacts", &admin, json!({"last_name": "کاظمی"}))
            .await
            .json();
        let path = format!("/api/v1/contacts/{}", contact["id"].as_str().unwrap());
        let before = other.token("admin@peyvand.demo").await;
        let unknown = other
            .patch(
                &path,
                &before,
                json!({"cf_card": "A-1", "version": contact["version"]}),
            )
            .await;
        assert_eq!(
            unknown.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            unknown.body
        );

        let mut card = json!({"kind": "contact", "name": "card", "field_type": "text"});
        card = merged(card, label("کارت", "Card"));
        let card = define(&t, &admin, card).await;

        // A session loaded after the change (a new token) works with the new field.
        let after = other.token("admin@peyvand.demo").await;
        let patched = other
            .patch(
                &path,
                &after,
                json!({"cf_card": "A-1", "version": contact["version"]}),
            )
            .await;
        assert_eq!(
            patched.status,
            StatusCode::OK,
            "{}: {}",
            t.name(),
            patched.body
        );
        assert_eq!(patched.json()["cf_card"], "A-1");

        // And a deletion is seen the same way: the field is gone from the record.
        let deleted = t
            .delete(
                &format!("/api/v1/custom-fields/{}", card["id"].as_str().unwrap()),
                &admin,
            )
            .await;
        assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.body);
        let latest = other.token("admin@peyvand.demo").await;
        let read = other.get(&path, &latest).await.json();
        assert!(read.get("cf_card").is_none(), "{}: {read}", t.name());
    }
}

/// How many duplicate-matching keys contacts have (kind number 2, fixed by migration 0014).
async fn contact_match_keys(t: &TestApp) -> i64 {
    let mut tx = t.app.store().read().await.unwrap();
    tx.count_match_keys(2, i64::MIN, i64::MAX).await.unwrap()
}

#[tokio::test]
async fn deleting_an_email_field_forgets_the_duplicate_keys_it_gave() {
    for t in backends().await {
        let admin = t.token("admin@peyvand.demo").await;
        let body = merged(
            json!({"kind": "contact", "name": "work_email", "field_type": "email"}),
            label("ایمیل کاری", "Work email"),
        );
        let field = define(&t, &admin, body).await;
        let before = contact_match_keys(&t).await;
        let created = t
            .post(
                "/api/v1/contacts",
                &admin,
                json!({"last_name": "یزدانی", "cf_work_email": "yazdani@example.com"}),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        let with_email = contact_match_keys(&t).await;
        assert!(with_email > before + 1, "{}: name and email keys", t.name());

        let path = format!("/api/v1/custom-fields/{}", field["id"].as_str().unwrap());
        let deleted = t.delete(&path, &admin).await;
        assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.body);
        let after = contact_match_keys(&t).await;
        // Exactly the email's one key goes; the name keys stay.
        assert_eq!(after, with_email - 1, "{}", t.name());
    }
}
