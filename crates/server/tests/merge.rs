//! Merging duplicate customers through the API, on SQLite and PostgreSQL: picked values,
//! notes, relationships, history and references move to the survivor; rights are checked.

mod common;

use axum::http::StatusCode;
use common::web_client::{Browser, assert_translated, location};
use common::{TestApp, backends};
use serde_json::{Value, json};

async fn create(t: &TestApp, token: &str, path: &str, body: Value) -> String {
    let reply = t.post(path, token, body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    reply.json()["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn merging_keeps_picked_values_notes_relationships_history_and_references() {
    for t in backends().await {
        // Merging deletes records, which sales reps may not do; their manager may.
        let rep = t.token("sales.manager@peyvand.demo").await;
        let a = create(
            &t,
            &rep,
            "/api/v1/contacts",
            json!({"first_name": "علی", "last_name": "رضایی", "mobile": "09121234567"}),
        )
        .await;
        let b = create(&t, &rep, "/api/v1/contacts", json!({"first_name": "علي", "last_name": "رضايي", "email": "ali@example.com", "city": "تهران"})).await;
        let c = create(
            &t,
            &rep,
            "/api/v1/contacts",
            json!({"last_name": "رضائی", "city": "قم", "job_title": "مدیر"}),
        )
        .await;
        let friend = create(&t, &rep, "/api/v1/contacts", json!({"last_name": "دوست"})).await;
        for (id, text) in [(&b, "یادداشت ب"), (&c, "یادداشت ج")] {
            let note = t
                .post(
                    &format!("/api/v1/contacts/{id}/notes"),
                    &rep,
                    json!({"body": text}),
                )
                .await;
            assert_eq!(note.status, StatusCode::CREATED, "{}", note.body);
        }
        let rel = t
            .post(
                &format!("/api/v1/contacts/{b}/relationships"),
                &rep,
                json!({"to_kind": "contact", "to_id": friend, "relation_type": "family"}),
            )
            .await;
        assert_eq!(rel.status, StatusCode::CREATED, "{}", rel.body);
        // A relationship between two of the merged records disappears rather than pointing
        // the survivor at itself.
        let inner = t
            .post(
                &format!("/api/v1/contacts/{a}/relationships"),
                &rep,
                json!({"to_kind": "contact", "to_id": c, "relation_type": "family"}),
            )
            .await;
        assert_eq!(inner.status, StatusCode::CREATED, "{}", inner.body);

        // Bad requests change nothing.
        for body in [
            json!({"survivor": a, "others": []}),
            json!({"survivor": a, "others": [a]}),
            json!({"survivor": a, "others": [b, c, friend]}),
            json!({"survivor": a, "others": [b], "picks": {"city": friend}}),
            json!({"survivor": a, "others": [b], "picks": {"created_at": b}}),
        ] {
            let reply = t.post("/api/v1/contacts/merge", &rep, body.clone()).await;
            assert_eq!(
                reply.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{body}: {}",
                reply.body
            );
        }
        let stale = t
            .post(
                "/api/v1/contacts/merge",
                &rep,
                json!({"survivor": a, "version": 7, "others": [b]}),
            )
            .await;
        assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
        for who in ["viewer@peyvand.demo", "rep@peyvand.demo"] {
            let token = t.token(who).await;
            let refused = t
                .post(
                    "/api/v1/contacts/merge",
                    &token,
                    json!({"survivor": a, "others": [b]}),
                )
                .await;
            assert!(
                matches!(
                    refused.status,
                    StatusCode::FORBIDDEN | StatusCode::NOT_FOUND
                ),
                "{who}: {}",
                refused.body
            );
        }

        let merged = t
            .post(
                "/api/v1/contacts/merge",
                &rep,
                json!({"survivor": a, "version": 1, "others": [b, c], "picks": {"city": c}}),
            )
            .await;
        assert_eq!(merged.status, StatusCode::OK, "{}", merged.body);
        let survivor = merged.json();
        assert_eq!(
            survivor["first_name"], "علی",
            "the survivor's own value stays"
        );
        assert_eq!(
            survivor["email"], "ali@example.com",
            "an empty value is filled from the others"
        );
        assert_eq!(survivor["city"], "قم", "a picked value wins");
        assert_eq!(survivor["job_title"], "مدیر");
        for gone in [&b, &c] {
            assert_eq!(
                t.get(&format!("/api/v1/contacts/{gone}"), &rep)
                    .await
                    .status,
                StatusCode::NOT_FOUND
            );
        }
        let notes = t
            .get(&format!("/api/v1/contacts/{a}/notes"), &rep)
            .await
            .json();
        assert_eq!(notes["items"].as_array().unwrap().len(), 2, "{notes}");
        let relations = t
            .get(&format!("/api/v1/contacts/{a}/relationships"), &rep)
            .await
            .json();
        let others: Vec<&str> = relations["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["other_id"].as_str().unwrap())
            .collect();
        assert_eq!(others, vec![friend.as_str()]);
        let timeline = t
            .get(&format!("/api/v1/contacts/{a}/timeline"), &rep)
            .await
            .json();
        let actions: Vec<&str> = timeline["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["action"].as_str())
            .collect();
        assert_eq!(
            actions.iter().filter(|a| **a == "create").count(),
            3,
            "{actions:?}"
        );
        assert_eq!(actions[0], "merge");
        assert_eq!(timeline["items"][0]["changes"]["merged"], json!([b, c]));
    }
}

#[tokio::test]
async fn merging_accounts_moves_their_contacts() {
    for t in backends().await {
        let rep = t.token("sales.manager@peyvand.demo").await;
        let keep = create(&t, &rep, "/api/v1/accounts", json!({"name": "پارس"})).await;
        let twin = create(&t, &rep, "/api/v1/accounts", json!({"name": "پارس تجارت"})).await;
        let person = create(
            &t,
            &rep,
            "/api/v1/contacts",
            json!({"last_name": "کارمند", "account_id": twin}),
        )
        .await;
        let before = t
            .get(&format!("/api/v1/contacts/{person}"), &rep)
            .await
            .json();
        // Served once, so a cached copy exists that the merge must not leave behind.
        let listed = t
            .list_all(&format!("/api/v1/contacts?account_id={twin}"), &rep)
            .await;
        assert_eq!(listed.len(), 1);
        let merged = t
            .post(
                "/api/v1/accounts/merge",
                &rep,
                json!({"survivor": keep, "others": [twin]}),
            )
            .await;
        assert_eq!(merged.status, StatusCode::OK, "{}", merged.body);
        let after = t
            .get(&format!("/api/v1/contacts/{person}"), &rep)
            .await
            .json();
        assert_eq!(after["account_id"], keep.as_str());
        assert_eq!(after["version"], before["version"].as_i64().unwrap() + 1);
        let listed = t
            .list_all(&format!("/api/v1/contacts?account_id={keep}"), &rep)
            .await;
        assert_eq!(listed[0]["account_id"], keep.as_str());
    }
}

#[tokio::test]
async fn the_merge_page_shows_differences_and_merges_as_picked() {
    for t in backends().await {
        let token = t.token("admin@peyvand.demo").await;
        let a = create(
            &t,
            &token,
            "/api/v1/contacts",
            json!({"last_name": "کریمی", "city": "تهران"}),
        )
        .await;
        let b = create(
            &t,
            &token,
            "/api/v1/contacts",
            json!({"last_name": "کریمی", "city": "شیراز", "job_title": "حسابدار"}),
        )
        .await;
        let mut browser = Browser::new(&t);
        browser.login("admin@peyvand.demo").await;
        let page = browser.get(&format!("/contacts/merge?ids={a},{b}")).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert_translated("/contacts/merge", &page.body);
        assert!(
            page.body.contains("name=\"pick-city\""),
            "differing values get a choice"
        );
        assert!(
            !page.body.contains("name=\"pick-last_name\""),
            "equal values get none"
        );
        assert_eq!(
            browser
                .get(&format!("/contacts/merge?ids={a}"))
                .await
                .status,
            StatusCode::BAD_REQUEST
        );

        let ids = format!("{a},{b}");
        let merged = browser
            .post(
                "/contacts/merge",
                &[("ids", &ids), ("survivor", &b), ("pick-city", &a)],
            )
            .await;
        assert_eq!(merged.status, StatusCode::SEE_OTHER, "{}", merged.body);
        assert_eq!(location(&merged), format!("/contacts/{b}"));
        let survivor = t.get(&format!("/api/v1/contacts/{b}"), &token).await.json();
        assert_eq!(
            (survivor["city"].as_str(), survivor["job_title"].as_str()),
            (Some("تهران"), Some("حسابدار"))
        );
        assert_eq!(
            t.get(&format!("/api/v1/contacts/{a}"), &token).await.status,
            StatusCode::NOT_FOUND
        );
    }
}
