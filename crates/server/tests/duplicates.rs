//! Possible duplicates on SQLite and PostgreSQL: the check before a create (Persian spelling
//! variants, phones and emails in any form, custom phone fields), access rights and hidden
//! fields, the web form's confirmation, the report and its merge links, and match keys that
//! follow updates, deletes and merges.

mod common;

use std::collections::BTreeSet;

use axum::http::StatusCode;
use common::web_client::{Browser, assert_translated, input_value, location};
use common::{TestApp, backends};
use serde_json::{Value, json};

async fn create(t: &TestApp, token: &str, path: &str, body: Value) -> String {
    let reply = t.post(path, token, body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    reply.json()["id"].as_str().unwrap().to_owned()
}

/// The check's answer as (id, reasons) pairs.
async fn check(t: &TestApp, token: &str, kind: &str, body: Value) -> Vec<(String, Vec<String>)> {
    let reply = t
        .post(
            &format!("/api/v1/{kind}/duplicates/check"),
            token,
            body.clone(),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{body}: {}", reply.body);
    reply.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| {
            let reasons = item["reasons"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r.as_str().unwrap().to_owned())
                .collect();
            (item["id"].as_str().unwrap().to_owned(), reasons)
        })
        .collect()
}

/// The reasons the check gives for record `id`, if it is among the possible duplicates.
async fn reasons_for(
    t: &TestApp,
    token: &str,
    kind: &str,
    body: Value,
    id: &str,
) -> Option<Vec<String>> {
    check(t, token, kind, body)
        .await
        .into_iter()
        .find(|(found, _)| found == id)
        .map(|(_, reasons)| reasons)
}

/// Every group of the report, following its cursor to the end, as (ids, reasons).
async fn report(t: &TestApp, token: &str, kind: &str) -> Vec<(BTreeSet<String>, Vec<String>)> {
    let mut groups = Vec::new();
    let mut cursor = String::new();
    for _ in 0..10_000 {
        let reply = t
            .get(&format!("/api/v1/{kind}/duplicates?cursor={cursor}"), token)
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let json = reply.json();
        for group in json["groups"].as_array().unwrap() {
            let ids = group["ids"]
                .as_array()
                .unwrap()
                .iter()
                .map(|id| id.as_str().unwrap().to_owned())
                .collect();
            let reasons = group["reasons"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r.as_str().unwrap().to_owned())
                .collect();
            groups.push((ids, reasons));
        }
        match json["next_cursor"].as_str() {
            Some(next) => cursor = next.to_owned(),
            None => {
                assert_eq!(json["progress"], 1.0);
                return groups;
            }
        }
    }
    panic!("the report never ended");
}

fn ids(list: &[&str]) -> BTreeSet<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

#[tokio::test]
async fn the_check_finds_spelling_variants_phones_and_emails() {
    for t in backends().await {
        let admin = t.token("admin@peyvand.demo").await;
        // Arabic yeh and kaf, as typed on an Arabic keyboard.
        let keyvan = create(
            &t,
            &admin,
            "/api/v1/contacts",
            json!({"first_name": "كيوان", "last_name": "شهرياري", "mobile": "09121112233", "email": "Keyvan.Sh@Example.com"}),
        )
        .await;
        let mohammadreza = create(
            &t,
            &admin,
            "/api/v1/contacts",
            json!({"first_name": "محمد رضا", "last_name": "طباطبایی"}),
        )
        .await;

        let name = json!({"first_name": "کیوان", "last_name": "شهریاری"});
        assert_eq!(
            reasons_for(&t, &admin, "contacts", name, &keyvan).await,
            Some(vec!["name".to_owned()])
        );
        let joined = json!({"first_name": "محمدرضا", "last_name": "طباطبائی"});
        assert_eq!(
            reasons_for(&t, &admin, "contacts", joined, &mohammadreza).await,
            Some(vec!["name".to_owned()])
        );
        // One letter typed wrong in a long name is still similar.
        let typo = json!({"first_name": "کیوان", "last_name": "شهرباری"});
        assert!(
            reasons_for(&t, &admin, "contacts", typo, &keyvan)
                .await
                .is_some()
        );
        for phone in ["+98 912 111 2233", "۰۹۱۲-۱۱۱-۲۲۳۳", "989121112233"] {
            let body = json!({"last_name": "دیگری", "phone": phone});
            assert_eq!(
                reasons_for(&t, &admin, "contacts", body, &keyvan).await,
                Some(vec!["phone".to_owned()]),
                "{phone}"
            );
        }
        let email = json!({"last_name": "دیگری", "email": "KEYVAN.SH@example.COM"});
        assert_eq!(
            reasons_for(&t, &admin, "contacts", email, &keyvan).await,
            Some(vec!["email".to_owned()])
        );
        // The same name with a different email and phone is another person.
        let namesake =
            json!({"first_name": "کیوان", "last_name": "شهریاری", "email": "other@example.org"});
        assert_eq!(
            reasons_for(&t, &admin, "contacts", namesake, &keyvan).await,
            None
        );
        let stranger =
            json!({"first_name": "نیلوفر", "last_name": "اسفندیاری", "mobile": "09350000001"});
        assert_eq!(check(&t, &admin, "contacts", stranger).await, vec![]);
        // Bad input is reported like a create's; other kinds have no duplicate check.
        let bad = t
            .post(
                "/api/v1/contacts/duplicates/check",
                &admin,
                json!({"email": "not an email"}),
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
        let users = t
            .post("/api/v1/users/duplicates/check", &admin, json!({}))
            .await;
        assert_eq!(users.status, StatusCode::NOT_FOUND);

        // Accounts match on their name and phone too.
        let company = create(
            &t,
            &admin,
            "/api/v1/accounts",
            json!({"name": "صنايع كاشي ياس", "phone": "02188776655"}),
        )
        .await;
        let similar = json!({"name": "صنایع کاشی یاس"});
        assert_eq!(
            reasons_for(&t, &admin, "accounts", similar, &company).await,
            Some(vec!["name".to_owned()])
        );
    }
}

#[tokio::test]
async fn generated_demo_contacts_are_found_as_duplicates() {
    for t in backends().await {
        let admin = t.token("admin@peyvand.demo").await;
        let listed = t.get("/api/v1/contacts?limit=200&sort=email", &admin).await;
        assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
        let generated = listed.json()["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| {
                c["email"]
                    .as_str()
                    .is_some_and(|e| e.starts_with("customer"))
            })
            .cloned()
            .expect("the demo generates contacts");
        let id = generated["id"].as_str().unwrap();
        let mobile = generated["mobile"].as_str().unwrap();
        let same_phone = json!({"last_name": "دیگری", "mobile": mobile});
        assert_eq!(
            reasons_for(&t, &admin, "contacts", same_phone, id).await,
            Some(vec!["phone".to_owned()]),
            "{generated}"
        );
    }
}

#[tokio::test]
async fn custom_phone_fields_are_matched() {
    for t in backends().await {
        let admin = t.token("admin@peyvand.demo").await;
        let defined = t
            .post(
                "/api/v1/custom-fields",
                &admin,
                json!({"kind": "contact", "name": "whatsapp", "field_type": "phone", "label_fa": "واتس‌اپ", "label_en": "WhatsApp"}),
            )
            .await;
        assert_eq!(defined.status, StatusCode::CREATED, "{}", defined.body);
        let id = create(
            &t,
            &admin,
            "/api/v1/contacts",
            json!({"last_name": "تیموری", "cf_whatsapp": "09125554433"}),
        )
        .await;
        // Found from the custom field's number given in a built-in field, and the other way.
        let body = json!({"last_name": "نادری", "mobile": "+989125554433"});
        assert_eq!(
            reasons_for(&t, &admin, "contacts", body, &id).await,
            Some(vec!["phone".to_owned()])
        );
        let body = json!({"last_name": "نادری", "cf_whatsapp": "0912 555 4433"});
        assert!(
            reasons_for(&t, &admin, "contacts", body, &id)
                .await
                .is_some()
        );
    }
}

#[tokio::test]
async fn only_readable_records_and_visible_fields_are_matched() {
    for t in backends().await {
        let isfahan = t.token("rep.isfahan@peyvand.demo").await;
        let tehran = t.token("rep@peyvand.demo").await;
        let admin = t.token("admin@peyvand.demo").await;
        let theirs = create(
            &t,
            &isfahan,
            "/api/v1/contacts",
            json!({"first_name": "بهرام", "last_name": "فرهادپور", "mobile": "09137778899"}),
        )
        .await;
        let body = json!({"first_name": "بهرام", "last_name": "فرهادپور", "mobile": "09137778899"});
        assert_eq!(check(&t, &tehran, "contacts", body.clone()).await, vec![]);
        assert!(
            reasons_for(&t, &admin, "contacts", body, &theirs)
                .await
                .is_some()
        );

        // Two records sharing only a phone: the viewer, who may not see phones, is not shown
        // them as duplicates; the administrator is.
        let first = create(
            &t,
            &admin,
            "/api/v1/contacts",
            json!({"last_name": "سپهری", "mobile": "09126660011"}),
        )
        .await;
        let second = create(
            &t,
            &admin,
            "/api/v1/contacts",
            json!({"last_name": "کیانی", "phone": "+98 912 666 0011"}),
        )
        .await;
        let pair = ids(&[&first, &second]);
        let seen = report(&t, &admin, "contacts").await;
        let group = seen.iter().find(|(g, _)| *g == pair).expect("the pair");
        assert_eq!(group.1, vec!["phone".to_owned()]);
        let viewer = t.token("viewer@peyvand.demo").await;
        assert!(
            report(&t, &viewer, "contacts")
                .await
                .iter()
                .all(|(g, _)| !g.contains(&first))
        );
        let hidden = t
            .post(
                "/api/v1/contacts/duplicates/check",
                &viewer,
                json!({"mobile": "09126660011"}),
            )
            .await;
        assert_eq!(hidden.status, StatusCode::UNPROCESSABLE_ENTITY);
        // The rep of the other branch never sees the Isfahan record in a group.
        assert!(
            report(&t, &tehran, "contacts")
                .await
                .iter()
                .all(|(g, _)| !g.contains(&theirs))
        );
    }
}

#[tokio::test]
async fn match_keys_follow_updates_deletes_and_merges() {
    for t in backends().await {
        let admin = t.token("admin@peyvand.demo").await;
        let by_email = |email: &str| json!({"last_name": "بررسی", "email": email});
        let record = create(
            &t,
            &admin,
            "/api/v1/contacts",
            json!({"last_name": "امیری", "email": "old@example.net"}),
        )
        .await;
        let changed = t
            .patch(
                &format!("/api/v1/contacts/{record}"),
                &admin,
                json!({"version": 1, "email": "new@example.net"}),
            )
            .await;
        assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
        assert_eq!(
            check(&t, &admin, "contacts", by_email("old@example.net")).await,
            vec![]
        );
        assert_eq!(
            check(&t, &admin, "contacts", by_email("new@example.net")).await,
            vec![(record.clone(), vec!["email".to_owned()])]
        );
        let deleted = t
            .delete(&format!("/api/v1/contacts/{record}"), &admin)
            .await;
        assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.body);
        assert_eq!(
            check(&t, &admin, "contacts", by_email("new@example.net")).await,
            vec![]
        );

        let keep = create(
            &t,
            &admin,
            "/api/v1/contacts",
            json!({"last_name": "صدری", "email": "keep@example.net"}),
        )
        .await;
        let gone = create(
            &t,
            &admin,
            "/api/v1/contacts",
            json!({"last_name": "صدری", "email": "gone@example.net", "mobile": "09128889900"}),
        )
        .await;
        let merged = t
            .post(
                "/api/v1/contacts/merge",
                &admin,
                json!({"survivor": keep, "others": [gone], "picks": {"email": gone}}),
            )
            .await;
        assert_eq!(merged.status, StatusCode::OK, "{}", merged.body);
        assert_eq!(
            check(&t, &admin, "contacts", by_email("keep@example.net")).await,
            vec![]
        );
        assert_eq!(
            check(&t, &admin, "contacts", by_email("gone@example.net")).await,
            vec![(keep.clone(), vec!["email".to_owned()])]
        );
        // The mobile came over from the merged record, and its keys with it.
        let phone = json!({"last_name": "بررسی", "mobile": "09128889900"});
        assert_eq!(
            check(&t, &admin, "contacts", phone).await,
            vec![(keep.clone(), vec!["phone".to_owned()])]
        );
    }
}

#[tokio::test]
async fn the_new_record_form_shows_possible_duplicates_before_saving() {
    for t in backends().await {
        let admin = t.token("admin@peyvand.demo").await;
        let existing = create(
            &t,
            &admin,
            "/api/v1/contacts",
            json!({"first_name": "سیاوش", "last_name": "قاسملو", "email": "siavash@example.ir"}),
        )
        .await;
        let mut browser = Browser::new(&t);
        browser.login("admin@peyvand.demo").await;
        let form = browser.get("/contacts/new").await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(!form.body.contains("confirm_duplicates"));
        let before = t.list_all("/api/v1/contacts", &admin).await.len();

        let typed = [
            ("first_name", "سياوش"),
            ("last_name", "قاسملو"),
            ("email", "SIAVASH@example.ir"),
        ];
        let asked = browser.post("/contacts", &typed).await;
        assert_eq!(asked.status, StatusCode::OK, "{}", asked.body);
        assert_translated("/contacts (duplicates)", &asked.body);
        assert!(
            asked
                .body
                .contains(&format!("href=\"/contacts/{existing}\""))
        );
        assert!(asked.body.contains("سیاوش قاسملو"), "the existing title");
        assert!(
            asked.body.contains("ایمیل"),
            "reasons in the user's language"
        );
        assert_eq!(
            input_value(&asked.body, "confirm_duplicates").as_deref(),
            Some("1")
        );
        assert!(
            asked.body.contains("value=\"SIAVASH@example.ir\""),
            "typed values stay"
        );
        assert_eq!(
            t.list_all("/api/v1/contacts", &admin).await.len(),
            before,
            "nothing saved yet"
        );

        let mut confirmed = typed.to_vec();
        confirmed.push(("confirm_duplicates", "1"));
        let saved = browser.post("/contacts", &confirmed).await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
        assert_eq!(
            t.list_all("/api/v1/contacts", &admin).await.len(),
            before + 1
        );

        // Without look-alikes the form saves at once.
        let unique = browser
            .post(
                "/contacts",
                &[("first_name", "ترانه"), ("last_name", "بهبهانی‌زاده")],
            )
            .await;
        assert_eq!(unique.status, StatusCode::SEE_OTHER, "{}", unique.body);
        assert!(location(&unique).starts_with("/contacts/"));
    }
}

#[tokio::test]
async fn the_report_page_lists_groups_with_merge_links() {
    for t in backends().await {
        let admin = t.token("admin@peyvand.demo").await;
        let a = create(
            &t,
            &admin,
            "/api/v1/leads",
            json!({"first_name": "پرستو", "last_name": "آذرنوش", "mobile": "09354443322"}),
        )
        .await;
        let b = create(
            &t,
            &admin,
            "/api/v1/leads",
            json!({"first_name": "پرستو", "last_name": "آذرنوش", "email": "parastoo@example.ir"}),
        )
        .await;
        // Four records with one switchboard number: too many to merge at once.
        let mut office = Vec::new();
        for last in ["یکم", "دوم", "سوم", "چهارم"] {
            office.push(
                create(
                    &t,
                    &admin,
                    "/api/v1/leads",
                    json!({"last_name": last, "phone": "02166554433"}),
                )
                .await,
            );
        }
        let groups = report(&t, &admin, "leads").await;
        let pair = groups
            .iter()
            .find(|(g, _)| *g == ids(&[&a, &b]))
            .expect("the pair by name");
        assert_eq!(pair.1, vec!["name".to_owned()]);
        let office_ids: BTreeSet<String> = office.iter().cloned().collect();
        assert!(groups.iter().any(|(g, _)| *g == office_ids), "{groups:?}");

        let mut browser = Browser::new(&t);
        browser.login("admin@peyvand.demo").await;
        let list = browser.get("/leads").await;
        assert!(list.body.contains("href=\"/leads/duplicates\""));
        // Follow the page's own "continue" links until the pair shows.
        let mut path = "/leads/duplicates".to_owned();
        let mut pages = String::new();
        for _ in 0..1000 {
            let page = browser.get(&path).await;
            assert_eq!(page.status, StatusCode::OK, "{}", page.body);
            assert_translated(&path, &page.body);
            pages.push_str(&page.body);
            let next = page
                .body
                .split("href=\"")
                .skip(1)
                .filter_map(|s| s.split('"').next())
                .find(|href| href.starts_with("/leads/duplicates?cursor="))
                .map(str::to_owned);
            match next {
                Some(next) => path = next,
                None => break,
            }
        }
        let (first, second) = if a < b { (&a, &b) } else { (&b, &a) };
        assert!(
            pages.contains(&format!("href=\"/leads/merge?ids={first},{second}\"")),
            "a merge link for the pair"
        );
        assert!(pages.contains("پرستو آذرنوش"));
        assert!(pages.contains("نام مشابه"));
        let mut sorted = office.clone();
        sorted.sort();
        assert!(
            !pages.contains(&format!("ids={},{},{}", sorted[0], sorted[1], sorted[2])),
            "a group of four is not merged as a whole"
        );
        assert!(
            pages.contains(&format!(
                "href=\"/leads/merge?ids={},{}\"",
                sorted[0], sorted[1]
            )),
            "but pair by pair"
        );
        let merge_page = browser
            .get(&format!("/leads/merge?ids={first},{second}"))
            .await;
        assert_eq!(merge_page.status, StatusCode::OK);
    }
}
