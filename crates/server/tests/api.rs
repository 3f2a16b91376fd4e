//! The JSON API end to end, on SQLite and PostgreSQL.

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::backends;
use peyvand_store::Backend;
use serde_json::json;

#[tokio::test]
async fn migrations_produce_the_same_tables_and_columns() {
    let apps = backends().await;
    let a = peyvand_store::Store::connect(&apps[0].url)
        .await
        .unwrap()
        .describe_schema()
        .await
        .unwrap();
    let b = peyvand_store::Store::connect(&apps[1].url)
        .await
        .unwrap()
        .describe_schema()
        .await
        .unwrap();
    assert!(a.len() > 50, "{a:?}");
    assert_eq!(a, b);
}

#[tokio::test]
async fn contact_lifecycle_with_normalisation_concurrency_and_audit() {
    for t in backends().await {
        let token = t.token("rep@peyvand.demo").await;
        let created = t
            .post("/api/v1/contacts", &token, json!({"first_name": "علي", "last_name": "كريمي", "mobile": "۰۹۱۲ ۱۲۳ ۴۵۶۷", "email": " Ali@Example.COM ", "tags": ["vip"]}))
            .await;
        assert_eq!(
            created.status,
            StatusCode::CREATED,
            "{}: {}",
            t.name(),
            created.body
        );
        let contact = created.json();
        assert_eq!(contact["mobile"], "+989121234567");
        assert_eq!(contact["email"], "ali@example.com");
        assert_eq!(contact["version"], 1);
        let id = contact["id"].as_str().unwrap();
        let path = format!("/api/v1/contacts/{id}");
        let listed =
            |items: Vec<serde_json::Value>| items.into_iter().find(|c| c["id"] == id).unwrap();
        let before = listed(t.list_all("/api/v1/contacts", &token).await);
        assert_eq!(before["version"], 1);
        assert_eq!(before["mobile"], "+989121234567");

        let updated = t
            .patch(&path, &token, json!({"version": 1, "city": "تهران"}))
            .await;
        assert_eq!(updated.status, StatusCode::OK, "{}", updated.body);
        assert_eq!(updated.json()["version"], 2);
        // Lists reuse each record's JSON by version; a change shows at once.
        let after = listed(t.list_all("/api/v1/contacts", &token).await);
        assert_eq!(
            (after["version"].as_i64(), after["city"].as_str()),
            (Some(2), Some("تهران"))
        );
        let stale = t
            .patch(&path, &token, json!({"version": 1, "city": "قم"}))
            .await;
        assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
        assert_eq!(stale.json()["error"], "version_conflict");
        assert_eq!(
            t.get(&path, &token).await.json()["city"],
            "تهران",
            "a stale update must not win"
        );

        let cleared = t
            .patch(&path, &token, json!({"version": 2, "owner_id": null}))
            .await;
        assert_eq!(
            cleared.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            cleared.body
        );
        assert_eq!(cleared.json()["fields"]["owner_id"], "required");

        let missing_version = t.patch(&path, &token, json!({"city": "قم"})).await;
        assert_eq!(missing_version.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(missing_version.json()["fields"]["version"], "required");

        let timeline = t.get(&format!("{path}/timeline"), &token).await.json();
        let actions: Vec<&str> = timeline["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        assert_eq!(actions, ["update", "create"]);
        assert_eq!(
            timeline["items"][0]["changes"]["city"],
            json!([null, "تهران"])
        );

        let deleted = t.delete(&path, &token).await;
        assert_eq!(
            deleted.status,
            StatusCode::FORBIDDEN,
            "sales reps may not delete: {}",
            deleted.body
        );
        let admin = t.token("admin@peyvand.demo").await;
        assert_eq!(t.delete(&path, &admin).await.status, StatusCode::NO_CONTENT);
        assert_eq!(t.get(&path, &admin).await.status, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn bad_input_is_rejected_with_field_errors_and_nothing_is_stored() {
    for t in backends().await {
        let token = t.token("admin@peyvand.demo").await;
        let before = t.list_all("/api/v1/contacts", &token).await.len();
        let reply = t
            .call(
                Method::POST,
                "/api/v1/contacts",
                Some(&token),
                Some(json!({"first_name": "x", "email": "not-mail", "mobile": "12", "lifecycle": "bogus", "birth_date": "2024-13-40", "shoe_size": 42})),
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            reply.body
        );
        let body = reply.json();
        assert_eq!(body["error"], "validation_failed");
        for (field, code) in [
            ("last_name", "required"),
            ("email", "invalid_email"),
            ("mobile", "invalid_phone"),
            ("lifecycle", "invalid_choice"),
            ("birth_date", "invalid_date"),
            ("shoe_size", "unknown_field"),
        ] {
            assert_eq!(body["fields"][field], code, "{field}: {body}");
        }
        assert_eq!(t.list_all("/api/v1/contacts", &token).await.len(), before);

        let persian = t
            .send(
                Request::post("/api/v1/contacts")
                    .header(header::AUTHORIZATION, format!("Bearer {token}"))
                    .header(header::CONTENT_TYPE, "application/json")
                    .header(header::ACCEPT_LANGUAGE, "fa-IR,fa;q=0.9")
                    .body(Body::from("{}"))
                    .unwrap(),
            )
            .await;
        let message = persian.json()["message"].as_str().unwrap().to_owned();
        assert!(
            message
                .chars()
                .any(|c| ('\u{0600}'..='\u{06FF}').contains(&c)),
            "translated: {message}"
        );

        let not_json = t
            .send(
                Request::post("/api/v1/contacts")
                    .header(header::AUTHORIZATION, format!("Bearer {token}"))
                    .header(header::CONTENT_TYPE, "text/plain")
                    .body(Body::from("hello"))
                    .unwrap(),
            )
            .await;
        assert_eq!(not_json.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        let huge = json!({"last_name": "x".repeat(2 * 1024 * 1024)});
        assert_eq!(
            t.post("/api/v1/contacts", &token, huge).await.status,
            StatusCode::PAYLOAD_TOO_LARGE
        );
        let broken = t
            .send(
                Request::post("/api/v1/contacts")
                    .header(header::AUTHORIZATION, format!("Bearer {token}"))
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Body::from("{\"last_name\": "))
                    .unwrap(),
            )
            .await;
        assert_eq!(broken.status, StatusCode::BAD_REQUEST);
        assert_eq!(broken.json()["error"], "bad_request");
    }
}

#[tokio::test]
async fn tokens_sessions_and_throttling() {
    for t in backends().await {
        assert_eq!(
            t.call(Method::GET, "/api/v1/contacts", None, None)
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            t.get("/api/v1/contacts", "not-a-token").await.status,
            StatusCode::UNAUTHORIZED
        );
        let malformed = t
            .send(
                Request::get("/api/v1/me")
                    .header(header::AUTHORIZATION, "Basic abc")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(malformed.status, StatusCode::UNAUTHORIZED);

        let token = t.token("marketing@peyvand.demo").await;
        let me = t.get("/api/v1/me", &token).await.json();
        assert_eq!(me["role"], "marketing");
        let created = t
            .post("/api/v1/tokens", &token, json!({"name": "script"}))
            .await;
        assert_eq!(created.status, StatusCode::CREATED);
        let second = created.json()["token"].as_str().unwrap().to_owned();
        let second_id = created.json()["id"].as_str().unwrap().to_owned();
        let listed = t.get("/api/v1/tokens", &second).await.json();
        assert_eq!(listed["items"].as_array().unwrap().len(), 2);
        assert!(
            !listed.to_string().contains(&second),
            "secrets are never listed"
        );
        assert_eq!(
            t.delete(&format!("/api/v1/tokens/{second_id}"), &token)
                .await
                .status,
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            t.get("/api/v1/me", &second).await.status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(t.get("/api/v1/me", &token).await.status, StatusCode::OK);

        // Disabling a user locks out their tokens at once.
        let admin = t.token("admin@peyvand.demo").await;
        let user = t
            .get(
                &format!("/api/v1/users/{}", me["id"].as_str().unwrap()),
                &admin,
            )
            .await
            .json();
        let disabled = t
            .patch(
                &format!("/api/v1/users/{}", me["id"].as_str().unwrap()),
                &admin,
                json!({"version": user["version"], "disabled": true}),
            )
            .await;
        assert_eq!(disabled.status, StatusCode::OK, "{}", disabled.body);
        assert_eq!(
            t.get("/api/v1/me", &token).await.status,
            StatusCode::UNAUTHORIZED
        );
        let refused = t
            .call(
                Method::POST,
                "/api/v1/auth/token",
                None,
                Some(json!({"email": "marketing@peyvand.demo", "password": common::PASSWORD})),
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED);

        // Five wrong passwords lock the address, even against the right one.
        for _ in 0..5 {
            let wrong = t
                .call(
                    Method::POST,
                    "/api/v1/auth/token",
                    None,
                    Some(json!({"email": "viewer@peyvand.demo", "password": "wrong-password"})),
                )
                .await;
            assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
            assert_eq!(wrong.json()["error"], "bad_credentials");
        }
        let locked = t
            .call(
                Method::POST,
                "/api/v1/auth/token",
                None,
                Some(json!({"email": "viewer@peyvand.demo", "password": common::PASSWORD})),
            )
            .await;
        assert_eq!(
            locked.status,
            StatusCode::TOO_MANY_REQUESTS,
            "{}",
            locked.body
        );
        let unknown = t
            .call(
                Method::POST,
                "/api/v1/auth/token",
                None,
                Some(json!({"email": "x@y.zz", "password": "p", "extra": 1})),
            )
            .await;
        assert_eq!(
            unknown.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown members are refused"
        );
    }
}

#[tokio::test]
async fn search_normalises_persian_text_and_digits() {
    for t in backends().await {
        let token = t.token("admin@peyvand.demo").await;
        let made = t
            .post("/api/v1/contacts", &token, json!({"first_name": "مهدي", "last_name": "می‌رزايي", "mobile": "09351234567", "job_title": "مدير كارخانة"}))
            .await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
        let id = made.json()["id"].as_str().unwrap().to_owned();
        for query in [
            "مهدی",
            "میرزایی",
            "می‌رزایی",
            "MIRZ",
            "۰۹۳۵۱۲۳",
            "+98935123",
            "کارخانه",
            "مدیر کارخانه",
        ] {
            let query_encoded: String = url_encode(query);
            let found = t
                .list_all(&format!("/api/v1/contacts?q={query_encoded}"), &token)
                .await;
            let ids: Vec<&str> = found.iter().map(|c| c["id"].as_str().unwrap()).collect();
            if query == "MIRZ" {
                assert!(!ids.contains(&id.as_str()));
            } else {
                assert!(
                    ids.contains(&id.as_str()),
                    "{}: {query} should find the contact",
                    t.name()
                );
            }
        }
    }
}

fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[tokio::test]
async fn keyset_pagination_visits_every_record_once_in_order() {
    for t in backends().await {
        let token = t.token("admin@peyvand.demo").await;
        let everything = t.list_all("/api/v1/contacts?sort=email", &token).await;
        assert!(everything.len() >= common::CONTACTS);
        for (sort, descending) in [
            ("last_name", false),
            ("-last_name", true),
            ("-created_at", true),
            ("city", false),
            ("birth_date", false),
        ] {
            let mut seen = Vec::new();
            let mut cursor = String::new();
            loop {
                let reply = t
                    .get(
                        &format!("/api/v1/contacts?sort={sort}&limit=7&cursor={cursor}"),
                        &token,
                    )
                    .await;
                assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
                let page = reply.json();
                let items = page["items"].as_array().unwrap().clone();
                assert!(items.len() <= 7);
                seen.extend(items);
                match page["next_cursor"].as_str() {
                    Some(next) => cursor = next.to_owned(),
                    None => break,
                }
            }
            let mut ids: Vec<&str> = seen.iter().map(|c| c["id"].as_str().unwrap()).collect();
            assert_eq!(
                ids.len(),
                everything.len(),
                "{} {sort}: every record once",
                t.name()
            );
            ids.sort();
            ids.dedup();
            assert_eq!(
                ids.len(),
                everything.len(),
                "{} {sort}: no duplicates",
                t.name()
            );
            let field = sort.trim_start_matches('-');
            // The default sort field orders by its Persian-aware key; others by the value.
            // Moments are compared as moments: RFC 3339 text drops trailing zeros of the
            // fraction, so ".8339Z" sorts after ".833958Z" as text although it is earlier.
            let key = |text: &str| {
                if field == "last_name" {
                    peyvand_domain::sort::sort_key(text)
                } else if let Ok(at) = time::OffsetDateTime::parse(
                    text,
                    &time::format_description::well_known::Rfc3339,
                ) {
                    format!("{:020}", at.unix_timestamp_nanos())
                } else {
                    text.to_owned()
                }
            };
            let keys: Vec<Option<String>> =
                seen.iter().map(|c| c[field].as_str().map(key)).collect();
            let non_null: Vec<&String> = keys.iter().flatten().collect();
            let mut sorted = non_null.clone();
            sorted.sort();
            if descending {
                sorted.reverse();
            }
            assert_eq!(non_null, sorted, "{} {sort}: in order", t.name());
        }
        let bad = t.get("/api/v1/contacts?cursor=garbage", &token).await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        let bad_sort = t.get("/api/v1/contacts?sort=description", &token).await;
        assert_eq!(bad_sort.status, StatusCode::UNPROCESSABLE_ENTITY);
        let filtered = t
            .list_all("/api/v1/contacts?lifecycle=regular", &token)
            .await;
        assert!(filtered.iter().all(|c| c["lifecycle"] == "regular") && !filtered.is_empty());
        let by_phone = t
            .list_all("/api/v1/contacts?mobile=09351234567", &token)
            .await;
        assert!(by_phone.iter().all(|c| c["mobile"] == "+989351234567"));
        let unknown = t.get("/api/v1/contacts?shoe=1", &token).await;
        assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
}

#[tokio::test]
async fn lead_conversion_notes_relationships_and_export() {
    for t in backends().await {
        let token = t.token("rep@peyvand.demo").await;
        let lead = t.post("/api/v1/leads", &token, json!({"first_name": "سارا", "last_name": "نوری", "company": "پخش آوا", "mobile": "09121112233"})).await.json();
        let lead_id = lead["id"].as_str().unwrap();
        let manual = t
            .patch(
                &format!("/api/v1/leads/{lead_id}"),
                &token,
                json!({"version": 1, "status": "converted"}),
            )
            .await;
        assert_eq!(
            manual.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "only conversion converts"
        );
        let converted = t
            .post(
                &format!("/api/v1/leads/{lead_id}/convert"),
                &token,
                json!({"version": 1}),
            )
            .await;
        assert_eq!(converted.status, StatusCode::OK, "{}", converted.body);
        let body = converted.json();
        assert_eq!(body["lead"]["status"], "converted");
        assert_eq!(body["account"]["name"], "پخش آوا");
        assert_eq!(body["contact"]["mobile"], "+989121112233");
        assert_eq!(body["contact"]["account_id"], body["account"]["id"]);
        assert_eq!(body["lead"]["converted_contact_id"], body["contact"]["id"]);
        let again = t
            .post(
                &format!("/api/v1/leads/{lead_id}/convert"),
                &token,
                json!({"version": 2}),
            )
            .await;
        assert_eq!(again.status, StatusCode::CONFLICT);

        let contact_id = body["contact"]["id"].as_str().unwrap();
        let account_id = body["account"]["id"].as_str().unwrap();
        let note = t
            .post(
                &format!("/api/v1/contacts/{contact_id}/notes"),
                &token,
                json!({"body": "تماس گرفته شد"}),
            )
            .await;
        assert_eq!(note.status, StatusCode::CREATED);
        let empty = t
            .post(
                &format!("/api/v1/contacts/{contact_id}/notes"),
                &token,
                json!({"body": "  "}),
            )
            .await;
        assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
        let related = t
            .post(
                &format!("/api/v1/contacts/{contact_id}/relationships"),
                &token,
                json!({"to_kind": "account", "to_id": account_id, "relation_type": "business"}),
            )
            .await;
        assert_eq!(related.status, StatusCode::CREATED, "{}", related.body);
        let from_account = t
            .get(
                &format!("/api/v1/accounts/{account_id}/relationships"),
                &token,
            )
            .await
            .json();
        assert_eq!(from_account["items"][0]["other_id"], contact_id);
        let timeline = t
            .get(&format!("/api/v1/contacts/{contact_id}/timeline"), &token)
            .await
            .json();
        let actions: Vec<&str> = timeline["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        assert!(
            actions.contains(&"note") && actions.contains(&"relate") && actions.contains(&"create"),
            "{actions:?}"
        );

        let export = t.get("/api/v1/contacts/export", &token).await;
        assert_eq!(
            export.status,
            StatusCode::FORBIDDEN,
            "sales reps have no export right"
        );
        let marketing = t.token("marketing@peyvand.demo").await;
        let csv = t
            .get("/api/v1/contacts/export?lifecycle=prospect", &marketing)
            .await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(
            csv.body.contains(contact_id),
            "the converted contact is a prospect in marketing's subtree"
        );
        assert!(csv.body.lines().skip(1).all(|l| l.contains("prospect")));
    }
}

#[tokio::test]
async fn cookie_sessions_need_the_csrf_token_for_changes() {
    for t in backends().await {
        let user_id = t
            .app
            .check_credentials("admin@peyvand.demo", common::PASSWORD)
            .await
            .unwrap();
        let cookie = t.app.create_session(user_id).await.unwrap();
        let session = t.app.session_from_cookie(&cookie).await.unwrap();
        let csrf = session.csrf_token.clone().unwrap();
        let request = |csrf: Option<&str>| {
            let mut builder = Request::post("/api/v1/contacts")
                .header(header::COOKIE, format!("peyvand_session={cookie}"))
                .header(header::CONTENT_TYPE, "application/json");
            if let Some(csrf) = csrf {
                builder = builder.header("x-csrf-token", csrf);
            }
            builder
                .body(Body::from(json!({"last_name": "CSRF"}).to_string()))
                .unwrap()
        };
        let read = t
            .send(
                Request::get("/api/v1/me")
                    .header(header::COOKIE, format!("peyvand_session={cookie}"))
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(read.status, StatusCode::OK);
        assert_eq!(t.send(request(None)).await.status, StatusCode::FORBIDDEN);
        assert_eq!(
            t.send(request(Some("forged"))).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            t.send(request(Some(&csrf))).await.status,
            StatusCode::CREATED
        );
    }
}

#[tokio::test]
async fn health_metrics_and_openapi_match_the_server() {
    for t in backends().await {
        let health = t.call(Method::GET, "/healthz", None, None).await;
        assert_eq!(health.status, StatusCode::OK);
        let metrics = t.call(Method::GET, "/metrics", None, None).await;
        assert!(
            metrics
                .body
                .contains("peyvand_http_requests_total{class=\"2xx\"}"),
            "{}",
            metrics.body
        );
        // SQLite's group-commit writer reports its transactions and the jobs they held.
        let writer_counted = metrics.body.contains("peyvand_writer_jobs_total ");
        assert_eq!(
            writer_counted,
            t.backend == Backend::Sqlite,
            "{}",
            metrics.body
        );
        if t.backend == Backend::Sqlite {
            // And how long they took: a histogram that counts every transaction.
            let value = |name: &str| -> f64 {
                metrics
                    .body
                    .lines()
                    .find_map(|line| line.strip_prefix(&format!("{name} ")))
                    .unwrap_or_else(|| panic!("{name}: {}", metrics.body))
                    .parse()
                    .unwrap()
            };
            let batches = value("peyvand_writer_batches_total");
            assert!(batches > 0.0);
            assert_eq!(
                value("peyvand_writer_batch_duration_seconds_count"),
                batches
            );
            assert_eq!(
                value("peyvand_writer_batch_duration_seconds_bucket{le=\"+Inf\"}"),
                batches
            );
            assert!(value("peyvand_writer_batch_duration_seconds_sum") > 0.0);
            let short = value("peyvand_writer_batch_duration_seconds_bucket{le=\"0.1\"}");
            assert!(short > 0.0 && short <= batches, "{}", metrics.body);
        }

        let token = t.token("admin@peyvand.demo").await;
        let document = t
            .call(Method::GET, "/api/v1/openapi.json", None, None)
            .await
            .json();
        assert_eq!(document["openapi"], "3.1.0");
        let paths = document["paths"].as_object().unwrap();
        for schema in peyvand_domain::record::ALL_SCHEMAS {
            let list = format!("/api/v1/{}", schema.path);
            assert!(paths.contains_key(&list), "{list}");
            // Every documented list endpoint answers, and every documented field comes back.
            let reply = t.get(&format!("{list}?limit=1"), &token).await;
            assert_eq!(reply.status, StatusCode::OK, "{list}: {}", reply.body);
            let properties = document["components"]["schemas"][schema.path]["properties"]
                .as_object()
                .unwrap();
            if let Some(item) = reply.json()["items"].as_array().unwrap().first() {
                for key in item.as_object().unwrap().keys() {
                    assert!(
                        properties.contains_key(key),
                        "{} returns undocumented {key}",
                        schema.path
                    );
                }
                for field in schema.fields {
                    assert!(
                        item.get(field.name).is_some(),
                        "{} lacks {}",
                        schema.path,
                        field.name
                    );
                }
            }
        }
        for path in paths.keys() {
            let concrete = path.replace("{id}", "00000000-0000-0000-0000-000000000000");
            let methods = paths[path].as_object().unwrap();
            if methods.contains_key("get") {
                let reply = t.get(&concrete, &token).await;
                assert!(reply.status != StatusCode::METHOD_NOT_ALLOWED, "{path}");
                assert!(
                    reply.status == StatusCode::OK || reply.json()["error"] == "not_found",
                    "{path}: {}",
                    reply.body
                );
            }
        }
        let error_codes: Vec<&str> = peyvand_app::error::ERROR_CODES
            .iter()
            .map(|c| c.code)
            .collect();
        assert_eq!(
            document["components"]["schemas"]["Error"]["properties"]["error"]["enum"],
            json!(error_codes)
        );
    }
}

#[tokio::test]
async fn concurrent_writes_commit_together_and_fail_alone() {
    for t in backends().await {
        let token = t.token("admin@peyvand.demo").await;
        let roles = t.list_all("/api/v1/roles?name=viewer", &token).await;
        let role = roles[0]["id"].as_str().unwrap().to_owned();
        let me = t.get("/api/v1/me", &token).await.json();
        let branch = me["branch_id"].as_str().unwrap().to_owned();
        let before = t.list_all("/api/v1/contacts", &token).await.len();
        // Forty writes at once: thirty contacts and ten users with the same email, so that the
        // database itself refuses nine of them in the middle of whatever batch they land in.
        let mut tasks = Vec::new();
        for i in 0..40 {
            let router = t.router.clone();
            let token = token.clone();
            let body = if i % 4 == 0 {
                json!({"name": format!("Twin {i}"), "email": "twin@peyvand.demo", "role_id": role, "branch_id": branch, "password": "long-enough-1"})
            } else {
                json!({"last_name": format!("Concurrent {i}")})
            };
            let path = if i % 4 == 0 {
                "/api/v1/users"
            } else {
                "/api/v1/contacts"
            };
            tasks.push(tokio::spawn(async move {
                let request = Request::post(path)
                    .header(header::AUTHORIZATION, format!("Bearer {token}"))
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Body::from(body.to_string()))
                    .unwrap();
                let response = tower::ServiceExt::oneshot(router, request).await.unwrap();
                (path, response.status())
            }));
        }
        let mut created_users = 0;
        for task in tasks {
            let (path, status) = task.await.unwrap();
            match path {
                "/api/v1/users" if status == StatusCode::CREATED => created_users += 1,
                "/api/v1/users" => {
                    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{}", t.name())
                }
                _ => assert_eq!(status, StatusCode::CREATED, "{}", t.name()),
            }
        }
        assert_eq!(
            created_users,
            1,
            "{}: exactly one user gets the email",
            t.name()
        );
        assert_eq!(
            t.list_all("/api/v1/contacts", &token).await.len(),
            before + 30,
            "{}",
            t.name()
        );
        let twins = t
            .list_all("/api/v1/users?email=twin@peyvand.demo", &token)
            .await;
        assert_eq!(twins.len(), 1);
        // Every committed contact has its audit entry, and no refused user left one.
        let twin_id = twins[0]["id"].as_str().unwrap();
        let timeline = t
            .get(&format!("/api/v1/users/{twin_id}/timeline"), &token)
            .await
            .json();
        assert_eq!(timeline["items"].as_array().unwrap().len(), 1);
    }
}

#[tokio::test]
async fn lists_sort_persian_names_in_alphabet_order() {
    for t in backends().await {
        let token = t.token("admin@peyvand.demo").await;
        for name in [
            "یزدی",
            "نوری",
            "کریمی",
            "گودرزی",
            "پارسا",
            "آزاد",
            "چمران",
            "ژاله",
        ] {
            let reply = t
                .post(
                    "/api/v1/contacts",
                    &token,
                    json!({"last_name": name, "tags": ["sorting"]}),
                )
                .await;
            assert_eq!(reply.status, StatusCode::CREATED);
        }
        let names = |items: Vec<serde_json::Value>| -> Vec<String> {
            items
                .iter()
                .map(|c| c["last_name"].as_str().unwrap().to_owned())
                .collect()
        };
        let up = names(
            t.list_all("/api/v1/contacts?tag=sorting&sort=last_name", &token)
                .await,
        );
        assert_eq!(
            up,
            [
                "آزاد",
                "پارسا",
                "چمران",
                "ژاله",
                "کریمی",
                "گودرزی",
                "نوری",
                "یزدی"
            ],
            "{}",
            t.name()
        );
        let down = names(
            t.list_all("/api/v1/contacts?tag=sorting&sort=-last_name", &token)
                .await,
        );
        assert_eq!(
            down,
            up.iter().rev().cloned().collect::<Vec<_>>(),
            "{}",
            t.name()
        );
        // Paging through with a small page keeps the order.
        let mut paged = Vec::new();
        let mut cursor = String::new();
        loop {
            let page = t
                .get(
                    &format!("/api/v1/contacts?tag=sorting&sort=last_name&limit=3&cursor={cursor}"),
                    &token,
                )
                .await
                .json();
            paged.extend(names(page["items"].as_array().unwrap().clone()));
            match page["next_cursor"].as_str() {
                Some(next) => cursor = next.to_owned(),
                None => break,
            }
        }
        assert_eq!(paged, up, "{}", t.name());
    }
}
