//! Upgrading a database made before some record kinds existed: the built-in roles get their
//! built-in rights on the new kinds at start, and keep what administrators changed.

mod common;

use axum::http::StatusCode;
use common::backends;
use peyvand_domain::permission::{Action, Grants, RecordKind, Scope};

#[tokio::test]
async fn built_in_roles_get_rights_on_kinds_added_after_they_were_stored() {
    for t in backends().await {
        let admin_role = t
            .app
            .find_id(RecordKind::Role, "name", "admin")
            .await
            .unwrap()
            .unwrap();
        // Make the database look like one from the first release: the role knows only the
        // first kinds, and an administrator had taken away the right to delete accounts.
        let mut old = Grants::everything();
        let first = [
            RecordKind::Account,
            RecordKind::Contact,
            RecordKind::Lead,
            RecordKind::User,
            RecordKind::Team,
            RecordKind::Role,
            RecordKind::Branch,
        ];
        let later: Vec<RecordKind> = RecordKind::ALL
            .into_iter()
            .filter(|kind| !first.contains(kind))
            .collect();
        old.copy_kinds(&Grants::new(), &later);
        old.set(RecordKind::Account, Action::Delete, Scope::None);
        {
            let mut tx = t.app.store().write().await.unwrap();
            let json = serde_json::to_string(&old).unwrap();
            tx.set_extra("roles", admin_role, "grants", &json)
                .await
                .unwrap();
            let first = r#"["account","contact","lead","user","team","role","branch"]"#;
            tx.put_setting("granted_kinds", first, t.app.now())
                .await
                .unwrap();
            tx.commit().await.unwrap();
        }
        let token = t.token("admin@peyvand.demo").await;
        let before = t.get("/api/v1/cases", &token).await;
        assert_eq!(before.status, StatusCode::FORBIDDEN, "{}", t.name());

        t.app.bootstrap().await.unwrap();
        let token = t.token("admin@peyvand.demo").await;
        let after = t.get("/api/v1/cases", &token).await;
        assert_eq!(after.status, StatusCode::OK, "{}: {}", t.name(), after.body);
        let activities = t.get("/api/v1/activities", &token).await;
        assert_eq!(activities.status, StatusCode::OK, "{}", t.name());
        // What the administrator changed on an old kind stays.
        let account = t
            .post(
                "/api/v1/accounts",
                &token,
                serde_json::json!({"name": "شرکت آزمون"}),
            )
            .await
            .json();
        let path = format!("/api/v1/accounts/{}", account["id"].as_str().unwrap());
        assert_eq!(t.delete(&path, &token).await.status, StatusCode::FORBIDDEN);

        // A second start changes nothing more.
        t.app.bootstrap().await.unwrap();
        assert_eq!(t.delete(&path, &token).await.status, StatusCode::FORBIDDEN);
    }
}
