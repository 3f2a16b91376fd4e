//! Lists and records through the API's cache of record JSON: a list reads each record's id and
//! version first and reads whole only the records whose JSON is not cached
//! (`App::list_cached`), so these tests change records between lists and check that nothing
//! stale, hidden or out of scope comes back.

mod common;

use axum::http::StatusCode;
use common::backends;
use serde_json::{Value, json};

fn ids(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|item| item["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_changed_record_is_listed_with_its_new_values() {
    for t in backends().await {
        let admin = t.token("admin@peyvand.demo").await;
        let created = t
            .post(
                "/api/v1/contacts",
                &admin,
                json!({"first_name": "سارا", "last_name": "آزمون", "city": "یزد"}),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        // Twice: the second list comes from the cache and must equal the first.
        let first = t.list_all("/api/v1/contacts?sort=last_name", &admin).await;
        let second = t.list_all("/api/v1/contacts?sort=last_name", &admin).await;
        assert_eq!(first, second, "{}", t.name());
        let target = first
            .iter()
            .find(|c| c["id"] == created.json()["id"])
            .unwrap();
        let id = target["id"].as_str().unwrap();
        let changed = t
            .patch(
                &format!("/api/v1/contacts/{id}"),
                &admin,
                json!({"version": target["version"], "city": "بیرجند"}),
            )
            .await;
        assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
        let listed = t.list_all("/api/v1/contacts?sort=last_name", &admin).await;
        let found = listed.iter().find(|c| c["id"] == id).unwrap();
        assert_eq!(found["city"], "بیرجند", "{}", t.name());
        assert_eq!(
            found["version"].as_i64(),
            target["version"].as_i64().map(|v| v + 1)
        );
        let by_city = t
            .list_all(
                &format!("/api/v1/contacts?city={}", urlencoding("بیرجند")),
                &admin,
            )
            .await;
        assert_eq!(ids(&by_city), vec![id.to_owned()], "{}", t.name());
        let one = t.get(&format!("/api/v1/contacts/{id}"), &admin).await;
        assert_eq!(one.json(), *found, "{}", t.name());
        assert_eq!(
            one.headers.get("etag").unwrap().to_str().unwrap(),
            format!("\"{}\"", found["version"])
        );
        // A deleted record leaves the list although its JSON is still cached.
        let deleted = t.delete(&format!("/api/v1/contacts/{id}"), &admin).await;
        assert!(deleted.status.is_success(), "{}", deleted.body);
        let after = t.list_all("/api/v1/contacts?sort=last_name", &admin).await;
        assert_eq!(after.len(), listed.len() - 1, "{}", t.name());
        assert!(after.iter().all(|c| c["id"] != id));
    }
}

#[tokio::test]
async fn cached_records_keep_hidden_fields_hidden_and_pages_in_order() {
    for t in backends().await {
        let admin = t.token("admin@peyvand.demo").await;
        let viewer = t.token("viewer@peyvand.demo").await;
        // The administrator's lists cache every record in full, emails and phones included.
        let full = t
            .list_all("/api/v1/contacts?sort=-created_at", &admin)
            .await;
        assert!(full.iter().any(|c| !c["email"].is_null()), "{}", t.name());
        let seen = t
            .list_all("/api/v1/contacts?sort=-created_at", &viewer)
            .await;
        assert!(!seen.is_empty(), "{}", t.name());
        for contact in &seen {
            assert!(contact.get("email").is_none(), "{}: {contact}", t.name());
            assert!(contact.get("mobile").is_none(), "{}: {contact}", t.name());
        }
        let one = t
            .get(
                &format!("/api/v1/contacts/{}", seen[0]["id"].as_str().unwrap()),
                &viewer,
            )
            .await;
        assert!(one.json().get("email").is_none(), "{}", t.name());
        // Small pages of a cached list visit the same records in the same order.
        let mut paged = Vec::new();
        let mut cursor = String::new();
        loop {
            let reply = t
                .get(
                    &format!("/api/v1/contacts?sort=-created_at&limit=6&cursor={cursor}"),
                    &admin,
                )
                .await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
            let page = reply.json();
            paged.extend(page["items"].as_array().unwrap().iter().cloned());
            match page["next_cursor"].as_str() {
                Some(next) => cursor = next.to_owned(),
                None => break,
            }
        }
        assert_eq!(ids(&paged), ids(&full), "{}", t.name());
    }
}

#[tokio::test]
async fn a_search_by_relevance_pages_the_same_from_the_cache() {
    for t in backends().await {
        let admin = t.token("admin@peyvand.demo").await;
        // The commonest first letter of last names, so that the search has several matches.
        let contacts = t.list_all("/api/v1/contacts", &admin).await;
        let mut letters = std::collections::BTreeMap::new();
        for contact in &contacts {
            if let Some(letter) = contact["last_name"].as_str().and_then(|n| n.chars().next()) {
                *letters.entry(letter).or_insert(0) += 1;
            }
        }
        let (letter, _) = letters.into_iter().max_by_key(|(_, n)| *n).unwrap();
        let q = urlencoding(&letter.to_string());
        let whole = t
            .get(&format!("/api/v1/contacts?q={q}&limit=200"), &admin)
            .await
            .json();
        let whole = whole["items"].as_array().unwrap().clone();
        assert!(whole.len() > 2, "{}: {} matches", t.name(), whole.len());
        let mut paged = Vec::new();
        let mut cursor = String::new();
        loop {
            let reply = t
                .get(
                    &format!("/api/v1/contacts?q={q}&limit=2&cursor={cursor}"),
                    &admin,
                )
                .await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
            let page = reply.json();
            paged.extend(page["items"].as_array().unwrap().iter().cloned());
            match page["next_cursor"].as_str() {
                Some(next) => cursor = next.to_owned(),
                None => break,
            }
        }
        assert_eq!(paged, whole, "{}", t.name());
    }
}

/// Percent-encodes text for a query string.
fn urlencoding(text: &str) -> String {
    text.bytes().map(|b| format!("%{b:02X}")).collect()
}
