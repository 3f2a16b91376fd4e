//! The demo generator's bulk path writes what the app itself would: valid records, found by
//! search, with their audit entries, the same on every run.

mod common;

use axum::http::StatusCode;
use common::{TestApp, start, start_with};
use peyvand_domain::phone::Phone;
use peyvand_store::Backend;
use serde_json::{Map, Value};

/// More than one bulk transaction (20,000 contacts each).
const MANY: usize = 20_500;

/// The fields a user wrote (no id, version or timestamps).
fn written(contact: &Value) -> Map<String, Value> {
    let mut fields = contact.as_object().unwrap().clone();
    // The class is the classification's, not written (issue 4 §8).
    for system in [
        "id",
        "version",
        "created_at",
        "updated_at",
        "customer_class",
    ] {
        fields.remove(system);
    }
    fields
}

async fn contacts(t: &TestApp, token: &str) -> Vec<Value> {
    t.list_all("/api/v1/contacts?sort=created_at", token).await
}

#[tokio::test]
async fn many_demo_contacts_appear_valid_and_as_the_app_writes_them() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let t = start_with(backend, MANY).await;
        let admin = t.token("admin@peyvand.demo").await;
        let all = contacts(&t, &admin).await;
        assert_eq!(all.len(), MANY, "{}", t.name());
        let mut ids: Vec<&str> = all.iter().map(|c| c["id"].as_str().unwrap()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), MANY, "{}: every contact once", t.name());

        for contact in &all {
            let mobile = contact["mobile"].as_str().unwrap();
            assert_eq!(
                Phone::parse(mobile)
                    .ok()
                    .filter(Phone::is_iranian_mobile)
                    .map(|p| p.as_str().to_owned()),
                Some(mobile.to_owned()),
                "{}: mobiles are valid and stored normalised",
                t.name()
            );
            assert!(contact["email"].as_str().unwrap().contains('@'));
            assert!(!contact["last_name"].as_str().unwrap().is_empty());
            // Written once, then given its class once by the demo's classification.
            let classified = i64::from(contact["customer_class"].is_string());
            assert_eq!(contact["version"], 1 + classified);
        }

        // A generated contact is exactly what creating it through the API gives.
        let sample = &all[all.len() - 7];
        let mut body = written(sample);
        body.retain(|_, v| !v.is_null());
        body.insert("email".into(), Value::from("copy.of.sample@example.com"));
        let made = t
            .post("/api/v1/contacts", &admin, Value::Object(body))
            .await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
        let mut copy = written(&made.json());
        copy.insert("email".into(), sample["email"].clone());
        assert_eq!(copy, written(sample), "{}", t.name());

        // Its audit entry is there, and search finds it by name and by mobile prefix.
        let id = sample["id"].as_str().unwrap();
        let timeline = t
            .get(&format!("/api/v1/contacts/{id}/timeline"), &admin)
            .await;
        assert_eq!(timeline.status, StatusCode::OK, "{}", timeline.body);
        assert!(
            timeline.body.contains("\"create\""),
            "{}: {}",
            t.name(),
            timeline.body
        );
        let mobile = sample["mobile"].as_str().unwrap();
        let national = format!("0{}", &mobile[3..10]);
        let query = format!(
            "{} {national}",
            sample["last_name"].as_str().unwrap().replace(' ', "%20")
        );
        let found = t
            .list_all(
                &format!(
                    "/api/v1/contacts?sort=created_at&q={}",
                    query
                        .bytes()
                        .map(|b| if b.is_ascii_alphanumeric() || b == b'%' {
                            (b as char).to_string()
                        } else {
                            format!("%{b:02X}")
                        })
                        .collect::<String>()
                ),
                &admin,
            )
            .await;
        assert!(
            found.iter().any(|c| c["id"] == sample["id"]),
            "{}: search finds {query}",
            t.name()
        );

        // The generator is seeded: another database gets the same people in the same order.
        let other = start(backend).await;
        let other_token = other.token("admin@peyvand.demo").await;
        let names = |list: &[Value]| -> Vec<(Value, Value, Value)> {
            list.iter()
                .map(|c| {
                    (
                        c["first_name"].clone(),
                        c["last_name"].clone(),
                        c["mobile"].clone(),
                    )
                })
                .collect()
        };
        let few = contacts(&other, &other_token).await;
        assert_eq!(names(&few), names(&all[..few.len()]), "{}", t.name());
    }
}
