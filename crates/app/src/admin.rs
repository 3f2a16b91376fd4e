//! Rules of the organisation records (users, roles, branches) and the operations only they have:
//! creating users with a password, changing passwords, editing a role's access rights, and the
//! bootstrap that every database starts with.

use std::collections::BTreeMap;
use std::sync::Arc;

use peyvand_domain::calendar::CalendarKind;
use peyvand_domain::permission::{Action, Actor, Grants, RecordKind, builtin_roles};
use peyvand_domain::record::{self, BRANCHES, Fields, Input, ROLES, Value};
use peyvand_domain::validation::FieldError;
use peyvand_store::{RecordRow, Tx};
use uuid::Uuid;

use crate::auth::{Session, check_password, hash_password};
use crate::error::{AppError, AppResult};
use crate::records::{audit, create_in, org, read_checked, update_in};
use crate::{App, RecordView};

/// A user to create with a password.
#[derive(Debug, Clone, Default)]
pub struct NewUser {
    /// The user's fields (name, email, role_id, branch_id, …) as raw input.
    pub fields: BTreeMap<String, Input>,
    /// The initial password.
    pub password: String,
}

/// Whether every right in `inner` is also in `outer` with at least the same scope, and `inner`
/// hides at least what `outer` hides. Nobody may hand out more than they have.
pub fn grants_within(inner: &Grants, outer: &Grants) -> bool {
    RecordKind::ALL.iter().all(|kind| {
        Action::ALL
            .iter()
            .all(|action| inner.scope(*kind, *action) <= outer.scope(*kind, *action))
            && outer
                .hidden_fields(*kind)
                .iter()
                .all(|f| inner.is_hidden(*kind, f))
    })
}

async fn role_grants(tx: &mut Tx, role_id: Uuid) -> AppResult<Grants> {
    let json = tx
        .get_extra("roles", role_id, "grants")
        .await?
        .ok_or(AppError::NotFound)?;
    serde_json::from_str(&json).map_err(|e| AppError::Internal(format!("bad grants: {e}")))
}

/// Rules that go beyond one field: run on create (no `old`) and update.
pub(crate) async fn check_rules(
    tx: &mut Tx,
    session: &Session,
    kind: RecordKind,
    old: Option<&RecordRow>,
    merged: &Fields,
) -> AppResult<()> {
    let old_value = |name: &str| {
        old.and_then(|o| o.fields.get(name))
            .cloned()
            .unwrap_or(Value::Null)
    };
    let new_value = |name: &str| merged.get(name).cloned().unwrap_or(Value::Null);
    // Customer records always have an owner and a branch: defaults fill them on create, and
    // an update may move them but not clear them.
    if kind.is_customer() || kind == RecordKind::Opportunity {
        for field in ["owner_id", "branch_id"] {
            if new_value(field).is_null() {
                return Err(AppError::field(field, FieldError::REQUIRED));
            }
        }
    }
    match kind {
        RecordKind::Lead => {
            let converted = Value::Text("converted".into());
            if new_value("status") == converted && old_value("status") != converted {
                return Err(AppError::field("status", FieldError::INVALID_CHOICE));
            }
        }
        RecordKind::User => {
            if let Some(role_id) = new_value("role_id").as_id()
                && old_value("role_id").as_id() != Some(role_id)
            {
                let grants = role_grants(tx, role_id)
                    .await
                    .map_err(|_| AppError::field("role_id", FieldError::NOT_FOUND))?;
                if !grants_within(&grants, &session.actor.grants) {
                    return Err(AppError::field("role_id", FieldError::OUT_OF_SCOPE));
                }
            }
            if old.is_some_and(|o| o.id == session.actor.user_id)
                && new_value("disabled") == Value::Bool(true)
            {
                return Err(AppError::field("disabled", FieldError::INVALID));
            }
        }
        RecordKind::Branch => match (old, new_value("parent_id").as_id()) {
            (Some(_), None) if !old_value("parent_id").is_null() => {
                return Err(AppError::field("parent_id", FieldError::REQUIRED));
            }
            (None, None) => return Err(AppError::field("parent_id", FieldError::REQUIRED)),
            (Some(old), Some(parent)) if org(tx).await?.would_create_cycle(old.id, parent) => {
                return Err(AppError::field("parent_id", FieldError::INVALID));
            }
            _ => {}
        },
        _ => {}
    }
    crate::service::check_rules(tx, kind, old, merged).await?;
    Ok(())
}

/// Records that must stay: built-in roles, the signed-in user, headquarters.
pub(crate) fn check_deletable(
    session: &Session,
    kind: RecordKind,
    row: &RecordRow,
) -> AppResult<()> {
    let stays = match kind {
        RecordKind::Role => row.fields.get("builtin") == Some(&Value::Bool(true)),
        RecordKind::User => row.id == session.actor.user_id,
        RecordKind::Branch => row.fields.get("parent_id").is_none_or(Value::is_null),
        _ => false,
    };
    if stays { Err(AppError::InUse) } else { Ok(()) }
}

/// A session for the system itself (command line, bootstrap, demo data): all rights, no user.
fn system_session(headquarters: Uuid, schemas: std::sync::Arc<crate::Schemas>) -> Session {
    Session {
        actor: Actor {
            user_id: Uuid::nil(),
            team_id: None,
            branch_id: headquarters,
            grants: Grants::everything(),
        },
        name: "system".into(),
        email: String::new(),
        locale: Default::default(),
        calendar: CalendarKind::Gregorian,
        csrf_token: None,
        role_name: "admin".into(),
        schemas,
    }
}

impl App {
    /// A session for the system itself (command line, bootstrap, demo data): all rights, no
    /// user, the schemas in force now.
    pub fn system_session(&self, headquarters: Uuid) -> Session {
        system_session(headquarters, self.schemas())
    }

    /// Creates a user with a password.
    pub async fn create_user(
        &self,
        session: &Arc<Session>,
        user: &NewUser,
        calendar: CalendarKind,
    ) -> AppResult<RecordView> {
        check_password(&user.password)?;
        let hash = hash_password(&user.password).await?;
        self.create_with(
            session,
            RecordKind::User,
            &user.fields,
            calendar,
            &[("password_hash", hash)],
        )
        .await
    }

    /// Sets a user's password (their own, or another's with the right to update users) and ends
    /// their sessions.
    pub async fn set_password(
        &self,
        session: &Session,
        user_id: Uuid,
        password: &str,
    ) -> AppResult<()> {
        check_password(password)?;
        let hash = hash_password(password).await?;
        let mut tx = self.store.write().await?;
        let row = if user_id == session.actor.user_id {
            tx.get_record(&record::USERS, user_id)
                .await?
                .ok_or(AppError::NotFound)?
        } else {
            read_checked(&mut tx, session, RecordKind::User, user_id, Action::Update)
                .await?
                .0
        };
        let search = record::search_text(&record::USERS, &row.fields);
        let updated = tx
            .update_record(
                &record::USERS,
                user_id,
                row.version,
                self.now(),
                &Fields::new(),
                &search,
                &[("password_hash", hash)],
            )
            .await?;
        if !updated {
            return Err(AppError::VersionConflict);
        }
        tx.delete_user_sessions(user_id).await?;
        audit(
            &mut tx,
            self.now(),
            session,
            RecordKind::User,
            user_id,
            "password",
            serde_json::json!({}),
        )
        .await?;
        tx.commit().await?;
        self.sessions_changed(None);
        Ok(())
    }

    /// A role's access rights.
    pub async fn role_grants(&self, session: &Session, role_id: Uuid) -> AppResult<Grants> {
        let mut tx = self.store.read().await?;
        read_checked(&mut tx, session, RecordKind::Role, role_id, Action::Read).await?;
        role_grants(&mut tx, role_id).await
    }

    /// Replaces a role's access rights. The admin role cannot be narrowed (nobody could then
    /// manage the system) and nobody can grant more than they hold.
    pub async fn set_role_grants(
        &self,
        session: &Session,
        role_id: Uuid,
        version: i64,
        grants: &Grants,
    ) -> AppResult<RecordView> {
        if !grants_within(grants, &session.actor.grants) {
            return Err(AppError::field("grants", FieldError::OUT_OF_SCOPE));
        }
        let mut tx = self.store.write().await?;
        let (row, _) =
            read_checked(&mut tx, session, RecordKind::Role, role_id, Action::Update).await?;
        if row.fields.get("name").and_then(Value::as_text) == Some("admin")
            && row.fields.get("builtin") == Some(&Value::Bool(true))
        {
            return Err(AppError::InUse);
        }
        let old = role_grants(&mut tx, role_id).await?;
        let json = serde_json::to_string(grants).map_err(|e| AppError::Internal(e.to_string()))?;
        let view = update_in(
            &mut tx,
            self.now(),
            session,
            RecordKind::Role,
            role_id,
            version,
            &BTreeMap::new(),
            CalendarKind::Gregorian,
            &[("grants", json)],
        )
        .await?;
        let changes = serde_json::json!({"grants": [serde_json::to_value(&old).unwrap_or_default(), serde_json::to_value(grants).unwrap_or_default()]});
        audit(
            &mut tx,
            self.now(),
            session,
            RecordKind::Role,
            role_id,
            "grants",
            changes,
        )
        .await?;
        tx.commit().await?;
        self.sessions_changed(None);
        Ok(view)
    }

    /// Creates a role with the given rights.
    pub async fn create_role(
        &self,
        session: &Arc<Session>,
        inputs: &BTreeMap<String, Input>,
        grants: &Grants,
    ) -> AppResult<RecordView> {
        if !grants_within(grants, &session.actor.grants) {
            return Err(AppError::field("grants", FieldError::OUT_OF_SCOPE));
        }
        let json = serde_json::to_string(grants).map_err(|e| AppError::Internal(e.to_string()))?;
        self.create_with(
            session,
            RecordKind::Role,
            inputs,
            CalendarKind::Gregorian,
            &[("grants", json)],
        )
        .await
    }

    /// Makes sure headquarters and the built-in roles exist; returns headquarters' id.
    /// Run at every start, after migrations; it changes nothing when they are there.
    pub async fn bootstrap(&self) -> AppResult<Uuid> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        for schema in peyvand_domain::record::ALL_SCHEMAS {
            tx.backfill_sort_keys(schema).await?;
            tx.backfill_search(schema).await?;
        }
        crate::service::fill_product_words(&mut tx).await?;
        let branches = tx.id_pairs("branches", "parent_id").await?;
        let headquarters = match branches.iter().find(|(_, parent)| parent.is_none()) {
            Some((id, _)) => *id,
            None => {
                let id = Uuid::now_v7();
                let mut fields = Fields::new();
                fields.insert("name".into(), Value::Text("دفتر مرکزی".into()));
                fields.insert("code".into(), Value::Text("HQ".into()));
                let search = record::search_text(&BRANCHES, &fields);
                tx.insert_record(&BRANCHES, id, now, &fields, &search, &[])
                    .await?;
                id
            }
        };
        // One query for every role's name (roles are few; built-in ones are matched by name).
        let roles = tx
            .list_records(&peyvand_store::ListQuery {
                schema: &ROLES,
                access: &peyvand_domain::permission::RowFilter::Everything,
                equals: vec![],
                tag: None,
                search: vec![],
                ids: None,
                sort: peyvand_store::SortKey {
                    field: "id".into(),
                    descending: false,
                },
                after: None,
                limit: 10_000,
            })
            .await?;
        let names: Vec<&str> = roles
            .iter()
            .filter_map(|row| row.fields.get("name").and_then(Value::as_text))
            .collect();
        for role in builtin_roles() {
            if names.contains(&role.key) {
                continue;
            }
            let mut fields = Fields::new();
            fields.insert("name".into(), Value::Text(role.key.into()));
            fields.insert("builtin".into(), Value::Bool(true));
            // Sales documents (issue 4).
            let limit = peyvand_domain::sales::default_discount_limit(role.key);
            fields.insert("max_discount_bp".into(), Value::Int(limit));
            let search = record::search_text(&ROLES, &fields);
            let grants = serde_json::to_string(&role.grants)
                .map_err(|e| AppError::Internal(e.to_string()))?;
            tx.insert_record(
                &ROLES,
                Uuid::now_v7(),
                now,
                &fields,
                &search,
                &[("grants", grants)],
            )
            .await?;
        }
        crate::pipeline::setup::ensure_defaults(&mut tx, now).await?;
        grant_new_kinds(&mut tx, &roles, now).await?;
        tx.commit().await?;
        self.reload_schemas().await?;
        self.build_match_keys().await?;
        Ok(headquarters)
    }

    /// The id of the record of `kind` whose `field` equals `value` exactly, if any (command line
    /// lookups such as `--role admin`, `--branch NAME`).
    pub async fn find_id(
        &self,
        kind: RecordKind,
        field: &str,
        value: &str,
    ) -> AppResult<Option<Uuid>> {
        let session = self.system_session(Uuid::nil());
        let params = crate::ListParams {
            filters: BTreeMap::from([(field.to_owned(), value.to_owned())]),
            limit: Some(1),
            ..Default::default()
        };
        Ok(self
            .list(&session, kind, &params)
            .await?
            .items
            .first()
            .map(|r| r.id))
    }

    /// Creates a record as the system (demo data, command line).
    pub(crate) async fn create_as_system(
        &self,
        tx: &mut Tx,
        session: &Session,
        kind: RecordKind,
        inputs: &BTreeMap<String, Input>,
    ) -> AppResult<RecordView> {
        create_in(
            tx,
            self.now(),
            session,
            kind,
            inputs,
            CalendarKind::Gregorian,
            &[],
        )
        .await
    }
}

/// The settings key listing the record kinds the built-in roles have rights on.
const GRANTED_KINDS: &str = "granted_kinds";
/// The kinds of the first release, which databases made before [`GRANTED_KINDS`] existed have
/// rights on.
const FIRST_KINDS: [RecordKind; 7] = [
    RecordKind::Account,
    RecordKind::Contact,
    RecordKind::Lead,
    RecordKind::User,
    RecordKind::Team,
    RecordKind::Role,
    RecordKind::Branch,
];

/// Gives the built-in roles stored before a record kind existed their built-in rights on it:
/// otherwise nobody — administrators included — could use a kind added by an upgrade until
/// every role was edited by hand. Rights an administrator changed on older kinds stay as they
/// are; the kinds already handled are remembered in the settings.
async fn grant_new_kinds(
    tx: &mut peyvand_store::Tx,
    roles: &[peyvand_store::RecordRow],
    now: time::OffsetDateTime,
) -> AppResult<()> {
    let known: Vec<RecordKind> = match tx.setting(GRANTED_KINDS).await? {
        Some(text) => serde_json::from_str::<Vec<String>>(&text)
            .unwrap_or_default()
            .iter()
            .filter_map(|code| RecordKind::parse(code))
            .collect(),
        None => FIRST_KINDS.to_vec(),
    };
    let new: Vec<RecordKind> = RecordKind::ALL
        .into_iter()
        .filter(|kind| !known.contains(kind))
        .collect();
    if !new.is_empty() {
        let builtin = builtin_roles();
        for row in roles {
            let name = row.fields.get("name").and_then(Value::as_text);
            let is_builtin = row.fields.get("builtin") == Some(&Value::Bool(true));
            let Some(role) = builtin.iter().find(|r| Some(r.key) == name) else {
                continue;
            };
            if !is_builtin {
                continue;
            }
            let mut grants = role_grants(tx, row.id).await?;
            let old = serde_json::to_value(&grants).unwrap_or_default();
            grants.copy_kinds(&role.grants, &new);
            let json =
                serde_json::to_string(&grants).map_err(|e| AppError::Internal(e.to_string()))?;
            tx.set_extra("roles", row.id, "grants", &json).await?;
            tx.insert_audit(&peyvand_store::AuditRow {
                id: Uuid::now_v7(),
                record_kind: RecordKind::Role.code().to_owned(),
                record_id: row.id,
                action: "grants".to_owned(),
                actor_id: None,
                at: now,
                changes: serde_json::json!({"grants": [old, grants]}).to_string(),
            })
            .await?;
        }
    }
    let all: Vec<&str> = RecordKind::ALL.iter().map(|kind| kind.code()).collect();
    let text = serde_json::to_string(&all).map_err(|e| AppError::Internal(e.to_string()))?;
    tx.put_setting(GRANTED_KINDS, &text, now).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use peyvand_domain::permission::Scope;

    #[test]
    fn nobody_hands_out_more_than_they_have() {
        let roles = builtin_roles();
        let grants = |key: &str| roles.iter().find(|r| r.key == key).unwrap().grants.clone();
        assert!(grants_within(&grants("sales_rep"), &grants("admin")));
        assert!(!grants_within(&grants("admin"), &grants("branch_manager")));
        assert!(grants_within(&grants("viewer"), &grants("viewer")));
        let mut wider = grants("viewer");
        wider.set(RecordKind::Contact, Action::Read, Scope::All);
        assert!(!grants_within(&wider, &grants("viewer")));
        let mut unhidden = grants("viewer");
        unhidden.unhide(RecordKind::Contact, "email");
        assert!(!grants_within(&unhidden, &grants("viewer")));
    }
}
