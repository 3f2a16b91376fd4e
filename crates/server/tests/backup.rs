//! Online backup of the SQLite file while writes go on, and the checks restore makes.

mod common;

use peyvand_store::{Backend, Store, backup_sqlite, check_sqlite_backup};
use serde_json::json;

#[tokio::test]
async fn online_backup_is_consistent_and_restorable() {
    let t = common::start(Backend::Sqlite).await;
    let token = t.token("admin@peyvand.demo").await;
    let store = Store::connect(&t.url).await.unwrap();
    let target = common::scratch::Scratch::new("backup.db");

    // Keep writing while the backup runs: the copy must still be one consistent snapshot.
    let writer = {
        let router = t.router.clone();
        let token = token.clone();
        tokio::spawn(async move {
            for i in 0..30 {
                let request = axum::http::Request::post("/api/v1/contacts")
                    .header("authorization", format!("Bearer {token}"))
                    .header("content-type", "application/json")
                    .body(axum::body::Body::from(
                        json!({"last_name": format!("during backup {i}")}).to_string(),
                    ))
                    .unwrap();
                let response = tower::ServiceExt::oneshot(router.clone(), request)
                    .await
                    .unwrap();
                assert_eq!(response.status(), 201);
            }
        })
    };
    backup_sqlite(&store, &target).await.unwrap();
    writer.await.unwrap();
    assert!(
        backup_sqlite(&store, &target).await.is_err(),
        "an existing file is never overwritten"
    );

    check_sqlite_backup(&target).await.unwrap();
    let copy = Store::connect(&format!("sqlite://{}", target.display()))
        .await
        .unwrap();
    let tables = copy.describe_schema().await.unwrap();
    assert_eq!(tables, store.describe_schema().await.unwrap());
    let restored = peyvand_app::App::new(copy);
    let admin = restored
        .find_id(
            peyvand_domain::permission::RecordKind::User,
            "email",
            "admin@peyvand.demo",
        )
        .await
        .unwrap();
    assert!(admin.is_some(), "the backup holds the data");

    let not_a_database = common::scratch::Scratch::new("junk.db");
    std::fs::write(&not_a_database, b"definitely not sqlite").unwrap();
    assert!(check_sqlite_backup(&not_a_database).await.is_err());
}
