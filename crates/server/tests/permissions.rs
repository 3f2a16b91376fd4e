//! Every built-in role against every record endpoint: lists, counts (export), reads, updates,
//! deletes and creates show and change exactly what the role's scope allows, and hidden fields
//! never appear. The expected sets are computed from the raw data with the domain's access
//! rule (itself unit-tested against hand-written cases) and compared with what the API does.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use axum::http::StatusCode;
use common::{TestApp, backends};
use peyvand_domain::permission::{
    Action, Actor, Grants, OrgChart, Placement, RecordKind, Scope, allows,
};
use peyvand_domain::record::ALL_SCHEMAS;
use serde_json::{Value, json};
use uuid::Uuid;

const USERS: [&str; 8] = [
    "admin@peyvand.demo",
    "branch.manager@peyvand.demo",
    "sales.manager@peyvand.demo",
    "rep@peyvand.demo",
    "rep.isfahan@peyvand.demo",
    "marketing@peyvand.demo",
    "service@peyvand.demo",
    "viewer@peyvand.demo",
];

fn id_of(value: &Value, field: &str) -> Option<Uuid> {
    value[field].as_str().and_then(|s| Uuid::parse_str(s).ok())
}

fn placement(kind: RecordKind, record: &Value) -> Placement {
    let id = id_of(record, "id");
    match kind {
        RecordKind::Account
        | RecordKind::Contact
        | RecordKind::Lead
        | RecordKind::Quote
        | RecordKind::Order
        | RecordKind::Invoice
        | RecordKind::Payment => Placement {
            owner_id: id_of(record, "owner_id"),
            branch_id: id_of(record, "branch_id"),
        },
        RecordKind::User => Placement {
            owner_id: id,
            branch_id: id_of(record, "branch_id"),
        },
        RecordKind::Team => Placement {
            owner_id: None,
            branch_id: id_of(record, "branch_id"),
        },
        RecordKind::Branch => Placement {
            owner_id: None,
            branch_id: id,
        },
        RecordKind::Role
        | RecordKind::Product
        | RecordKind::PriceList
        | RecordKind::PriceListItem
        | RecordKind::BundleItem => Placement {
            owner_id: None,
            branch_id: None,
        },
        // Activities and customer service (issue 5).
        RecordKind::Activity | RecordKind::Case => Placement {
            owner_id: id_of(record, "owner_id"),
            branch_id: id_of(record, "branch_id"),
        },
        RecordKind::CaseCategory
        | RecordKind::RoutingRule
        | RecordKind::SlaTarget
        | RecordKind::Holiday => Placement {
            owner_id: None,
            branch_id: None,
        },
        // Sales pipeline (issue 4).
        RecordKind::Opportunity => Placement {
            owner_id: id_of(record, "owner_id"),
            branch_id: id_of(record, "branch_id"),
        },
        RecordKind::SalesTarget => Placement {
            owner_id: None,
            branch_id: id_of(record, "branch_id"),
        },
        RecordKind::Pipeline | RecordKind::PipelineStage | RecordKind::LossReason => Placement {
            owner_id: None,
            branch_id: None,
        },
        // Contracts (issue 4 §7).
        RecordKind::Contract => Placement {
            owner_id: id_of(record, "owner_id"),
            branch_id: id_of(record, "branch_id"),
        },
        // Contract and SMS templates belong to no branch.
        RecordKind::ContractTemplate | RecordKind::SmsTemplate => Placement {
            owner_id: None,
            branch_id: None,
        },
    }
}

/// The first cell of every row of a CSV file. Cells may be quoted and hold line breaks (a
/// contract's text does), so rows are not lines.
fn first_cells(csv: &str) -> Vec<String> {
    let (mut cells, mut cell) = (Vec::new(), String::new());
    let (mut quoted, mut first, mut previous) = (false, true, '\n');
    for c in csv.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => first = false,
            '\n' if !quoted => {
                cells.push(std::mem::take(&mut cell));
                first = true;
            }
            _ if first && (quoted || c != '\r') => cell.push(c),
            _ => {}
        }
        previous = c;
    }
    if previous != '\n' {
        cells.push(cell);
    }
    cells
}

/// A field each kind can take a harmless change to.
fn harmless_change(kind: RecordKind) -> (&'static str, Value) {
    match kind {
        RecordKind::User => ("locale", json!("en")),
        RecordKind::Branch => ("city", json!("تست")),
        RecordKind::Holiday => ("name", json!("تعطیل آزمایشی")),
        RecordKind::PriceListItem => ("unit_price", json!(123)),
        RecordKind::BundleItem => ("quantity", json!(2)),
        RecordKind::SalesTarget => ("name", json!("checked by the permission test")),
        _ => ("description", json!("checked by the permission test")),
    }
}

struct World {
    records: BTreeMap<RecordKind, Vec<Value>>,
    org: OrgChart,
}

async fn world(t: &TestApp, admin: &str) -> World {
    let mut records = BTreeMap::new();
    for schema in ALL_SCHEMAS {
        records.insert(
            schema.kind,
            t.list_all(&format!("/api/v1/{}", schema.path), admin).await,
        );
    }
    let branches = records[&RecordKind::Branch]
        .iter()
        .map(|b| (id_of(b, "id").unwrap(), id_of(b, "parent_id")));
    let members = records[&RecordKind::User]
        .iter()
        .filter_map(|u| Some((id_of(u, "team_id")?, id_of(u, "id")?)));
    let org = OrgChart::new(branches, members);
    World { records, org }
}

async fn actor(t: &TestApp, admin: &str, token: &str) -> Actor {
    let me = t.get("/api/v1/me", token).await.json();
    let user = t
        .get(
            &format!("/api/v1/users/{}", me["id"].as_str().unwrap()),
            admin,
        )
        .await
        .json();
    let grants: Grants = serde_json::from_value(
        t.get(
            &format!("/api/v1/roles/{}/grants", user["role_id"].as_str().unwrap()),
            admin,
        )
        .await
        .json(),
    )
    .unwrap();
    Actor {
        user_id: id_of(&me, "id").unwrap(),
        team_id: id_of(&me, "team_id"),
        branch_id: id_of(&me, "branch_id").unwrap(),
        grants,
    }
}

#[tokio::test]
async fn every_role_sees_and_changes_exactly_its_scope() {
    for t in backends().await {
        let admin = t.token("admin@peyvand.demo").await;
        let world = world(&t, &admin).await;
        for email in USERS {
            let token = t.token(email).await;
            let actor = actor(&t, &admin, &token).await;
            for schema in ALL_SCHEMAS {
                check_kind(&t, &world, &admin, email, &token, &actor, schema).await;
            }
        }
    }
}

async fn check_kind(
    t: &TestApp,
    world: &World,
    admin: &str,
    email: &str,
    token: &str,
    actor: &Actor,
    schema: &peyvand_domain::record::Schema,
) {
    let kind = schema.kind;
    let path = format!("/api/v1/{}", schema.path);
    let context = format!("{} {email} {}", t.name(), schema.path);
    let all = &world.records[&kind];
    let expected = |action: Action| -> BTreeSet<String> {
        all.iter()
            .filter(|r| allows(actor, kind, action, placement(kind, r), &world.org))
            .map(|r| r["id"].as_str().unwrap().to_owned())
            .collect()
    };

    // Lists and search show exactly the readable records, without hidden fields.
    let readable = expected(Action::Read);
    if actor.grants.scope(kind, Action::Read) == Scope::None {
        assert_eq!(
            t.get(&path, token).await.status,
            StatusCode::FORBIDDEN,
            "{context}"
        );
    } else {
        let listed = t.list_all(&path, token).await;
        let ids: BTreeSet<String> = listed
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(ids, readable, "{context}: list");
        for hidden in actor.grants.hidden_fields(kind) {
            assert!(
                listed.iter().all(|r| r.get(hidden).is_none()),
                "{context}: {hidden} is hidden"
            );
            let filter = t.get(&format!("{path}?{hidden}=x"), token).await;
            assert_eq!(
                filter.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{context}: filter on hidden {hidden}"
            );
        }
        let searched = t.list_all(&format!("{path}?q=a"), token).await;
        assert!(
            searched
                .iter()
                .all(|r| readable.contains(r["id"].as_str().unwrap())),
            "{context}: search"
        );
    }

    // Export writes exactly the exportable records.
    let export = t.get(&format!("{path}/export"), token).await;
    if actor.grants.scope(kind, Action::Export) == Scope::None {
        assert_eq!(export.status, StatusCode::FORBIDDEN, "{context}: export");
    } else {
        assert_eq!(export.status, StatusCode::OK, "{context}: export");
        let ids: BTreeSet<String> = first_cells(&export.body).into_iter().skip(1).collect();
        assert_eq!(ids, expected(Action::Export), "{context}: export");
    }

    // Records outside the read scope do not exist for the actor, whatever they try.
    for record in all
        .iter()
        .filter(|r| !readable.contains(r["id"].as_str().unwrap()))
        .take(3)
    {
        let one = format!("{path}/{}", record["id"].as_str().unwrap());
        let (field, value) = harmless_change(kind);
        assert_eq!(
            t.get(&one, token).await.status,
            StatusCode::NOT_FOUND,
            "{context}: get {one}"
        );
        assert_eq!(
            t.patch(
                &one,
                token,
                json!({"version": record["version"], field: value})
            )
            .await
            .status,
            StatusCode::NOT_FOUND,
            "{context}: patch"
        );
        assert_eq!(
            t.delete(&one, token).await.status,
            StatusCode::NOT_FOUND,
            "{context}: delete"
        );
        assert_eq!(
            t.get(&format!("{one}/timeline"), token).await.status,
            StatusCode::NOT_FOUND,
            "{context}: timeline"
        );
        if kind.is_customer() {
            assert_eq!(
                t.get(&format!("{one}/notes"), token).await.status,
                StatusCode::NOT_FOUND,
                "{context}: notes"
            );
            assert_eq!(
                t.post(&format!("{one}/notes"), token, json!({"body": "x"}))
                    .await
                    .status,
                StatusCode::NOT_FOUND,
                "{context}: add note"
            );
        }
    }

    // Readable records can be updated exactly where the update scope reaches.
    let updatable = expected(Action::Update);
    for record in all
        .iter()
        .filter(|r| readable.contains(r["id"].as_str().unwrap()))
        .take(4)
    {
        let id = record["id"].as_str().unwrap();
        let one = format!("{path}/{id}");
        let current = t.get(&one, admin).await.json();
        let (field, value) = harmless_change(kind);
        let reply = t
            .patch(
                &one,
                token,
                json!({"version": current["version"], field: value}),
            )
            .await;
        let builtin_admin = kind == RecordKind::Role && current["name"] == "admin";
        if updatable.contains(id) && !builtin_admin {
            assert_eq!(
                reply.status,
                StatusCode::OK,
                "{context}: update {id}: {}",
                reply.body
            );
        } else if !updatable.contains(id) {
            assert_eq!(
                reply.status,
                StatusCode::FORBIDDEN,
                "{context}: update {id}: {}",
                reply.body
            );
        }
        if !expected(Action::Delete).contains(id) {
            assert_eq!(
                t.delete(&one, token).await.status,
                StatusCode::FORBIDDEN,
                "{context}: delete {id}"
            );
        }
    }

    // Creating: refused without the right; with it, only inside the scope.
    if kind.is_customer() || kind == RecordKind::Activity {
        let body = match kind {
            RecordKind::Account => json!({"name": "Scope test"}),
            RecordKind::Activity => json!({"activity_type": "task", "subject": "Scope test"}),
            _ => json!({"last_name": "Scope"}),
        };
        let reply = t.post(&path, token, body.clone()).await;
        if actor.grants.scope(kind, Action::Create) == Scope::None {
            assert_eq!(reply.status, StatusCode::FORBIDDEN, "{context}: create");
        } else {
            assert_eq!(
                reply.status,
                StatusCode::CREATED,
                "{context}: create {}",
                reply.body
            );
            let created = reply.json();
            assert_eq!(
                created["owner_id"],
                json!(actor.user_id),
                "{context}: owner defaults to the creator"
            );
            // Handing the new record to someone outside the scope is refused.
            let outsider = world.records[&RecordKind::User].iter().find(|u| {
                let placement = Placement {
                    owner_id: id_of(u, "id"),
                    branch_id: id_of(u, "branch_id"),
                };
                !allows(actor, kind, Action::Create, placement, &world.org)
            });
            if let Some(outsider) = outsider {
                let mut far = body.clone();
                far["owner_id"] = outsider["id"].clone();
                far["branch_id"] = outsider["branch_id"].clone();
                let refused = t.post(&path, token, far).await;
                assert_eq!(
                    refused.status,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "{context}: create outside scope: {}",
                    refused.body
                );
            }
            let own = format!("{path}/{}", created["id"].as_str().unwrap());
            let deleted = t.delete(&own, token).await;
            let may_delete = actor.grants.scope(kind, Action::Delete) != Scope::None;
            assert_eq!(
                deleted.status,
                if may_delete {
                    StatusCode::NO_CONTENT
                } else {
                    StatusCode::FORBIDDEN
                },
                "{context}: delete own"
            );
            if !may_delete {
                assert_eq!(t.delete(&own, admin).await.status, StatusCode::NO_CONTENT);
            }
        }
    }
}

#[tokio::test]
async fn explicit_scopes_of_the_demo_organisation() {
    for t in backends().await {
        let rep = t.token("rep@peyvand.demo").await;
        let me = t.get("/api/v1/me", &rep).await.json();
        let mine = t.list_all("/api/v1/contacts", &rep).await;
        assert!(!mine.is_empty());
        assert!(
            mine.iter().all(|c| c["owner_id"] == me["id"]),
            "a sales rep sees only their own contacts"
        );

        let manager = t.token("branch.manager@peyvand.demo").await;
        let branches = t.list_all("/api/v1/branches", &manager).await;
        let names: BTreeSet<&str> = branches
            .iter()
            .map(|b| b["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            BTreeSet::from(["شعبه اصفهان", "شعبه کاشان"]),
            "the Isfahan manager sees the Isfahan subtree"
        );

        let viewer = t.token("viewer@peyvand.demo").await;
        let seen = t.list_all("/api/v1/contacts", &viewer).await;
        assert!(
            !seen.is_empty()
                && seen
                    .iter()
                    .all(|c| c.get("email").is_none() && c.get("mobile").is_none())
        );
        // Searching by a hidden value must not reveal the record.
        let email = t
            .list_all(
                "/api/v1/contacts?q=customer1@example.com",
                &t.token("admin@peyvand.demo").await,
            )
            .await;
        assert!(!email.is_empty());
        let by_hidden = t
            .list_all("/api/v1/contacts?q=customer1@example.com", &viewer)
            .await;
        assert!(
            by_hidden.is_empty(),
            "search over a hidden field finds nothing"
        );

        // Nobody can hand out more rights than they hold.
        let admin = t.token("admin@peyvand.demo").await;
        let roles = t.list_all("/api/v1/roles", &admin).await;
        let admin_role = roles.iter().find(|r| r["name"] == "admin").unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let rep_user = t
            .get(
                &format!("/api/v1/users/{}", me["id"].as_str().unwrap()),
                &admin,
            )
            .await
            .json();
        let escalate = t
            .patch(
                &format!("/api/v1/users/{}", me["id"].as_str().unwrap()),
                &manager,
                json!({"version": rep_user["version"], "role_id": admin_role}),
            )
            .await;
        assert!(
            escalate.status == StatusCode::NOT_FOUND
                || escalate.status == StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            escalate.body
        );
    }
}
