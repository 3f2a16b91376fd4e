//! The record schemas in force, and the administration of custom fields that extends them.
//!
//! The built-in schemas are constants of the domain; custom fields are data. After every change
//! to a definition the application builds a new [`Schemas`] value and swaps it in. Each
//! signed-in [`Session`] holds the `Schemas` of the moment it was loaded, so one request sees
//! one consistent set of fields from start to end even while an administrator edits them.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use peyvand_domain::custom::{self, CUSTOM_KINDS, CustomField, CustomFieldInput};
use peyvand_domain::permission::{Action, RecordKind, Scope};
use peyvand_domain::record::{ALL_SCHEMAS, Schema, schema as builtin_schema};
use serde_json::json;
use uuid::Uuid;

use peyvand_store::{DefinitionsStamp, Tx};

use crate::App;
use crate::auth::Session;
use crate::error::{AppError, AppResult};

/// Every record kind's schema with its custom fields, and the definitions themselves.
#[derive(Debug)]
pub struct Schemas {
    generation: u64,
    /// The fingerprint of the definitions these schemas were built from.
    stamp: DefinitionsStamp,
    kinds: Vec<&'static Schema>,
    custom: Vec<CustomField>,
}

impl Default for Schemas {
    /// The built-in schemas without custom fields.
    fn default() -> Schemas {
        Schemas {
            generation: 0,
            stamp: DefinitionsStamp::default(),
            kinds: ALL_SCHEMAS.to_vec(),
            custom: vec![],
        }
    }
}

impl Schemas {
    fn new(generation: u64, stamp: DefinitionsStamp, custom: Vec<CustomField>) -> Schemas {
        let kinds = ALL_SCHEMAS
            .iter()
            .map(|base| custom::extend(base, &custom))
            .collect();
        Schemas {
            generation,
            stamp,
            kinds,
            custom,
        }
    }

    /// The schema of `kind`, with its custom fields.
    pub fn schema(&self, kind: RecordKind) -> &'static Schema {
        self.kinds
            .iter()
            .copied()
            .find(|s| s.kind == kind)
            .unwrap_or_else(|| builtin_schema(kind))
    }

    /// Every schema, customer records first.
    pub fn all(&self) -> impl Iterator<Item = &'static Schema> + '_ {
        self.kinds.iter().copied()
    }

    /// The schema served under this URL segment.
    pub fn at_path(&self, path: &str) -> Option<&'static Schema> {
        self.all().find(|s| s.path == path)
    }

    /// The custom field definitions of `kind`, in form order.
    pub fn custom_fields(&self, kind: RecordKind) -> impl Iterator<Item = &CustomField> {
        self.custom.iter().filter(move |f| f.kind == kind)
    }

    /// A number that changes whenever a definition changes (for caches of rendered records).
    pub fn generation(&self) -> u64 {
        self.generation
    }
}

/// The shared, swappable current schemas of an [`App`].
#[derive(Default)]
pub(crate) struct CurrentSchemas(RwLock<Arc<Schemas>>);

impl CurrentSchemas {
    pub(crate) fn get(&self) -> Arc<Schemas> {
        self.0.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn replace(&self, stamp: DefinitionsStamp, custom: Vec<CustomField>) {
        let mut current = self.0.write().unwrap_or_else(|e| e.into_inner());
        *current = Arc::new(Schemas::new(current.generation + 1, stamp, custom));
    }
}

/// Custom fields, notification channels and the job queue are the organisation's
/// configuration: only someone who may change every role (an administrator) may see or change
/// them.
pub(crate) fn require_administrator(session: &Session) -> AppResult<()> {
    if session.actor.grants.scope(RecordKind::Role, Action::Update) == Scope::All {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

fn customer_kind(kind: RecordKind) -> AppResult<&'static Schema> {
    if CUSTOM_KINDS.contains(&kind) {
        Ok(builtin_schema(kind))
    } else {
        Err(AppError::NotFound)
    }
}

/// What the audit trail keeps of a definition.
fn definition_json(field: &CustomField) -> serde_json::Value {
    json!({
        "kind": field.kind.code(),
        "name": field.name,
        "field_type": field.field_type.code(),
        "choices": field.choices,
        "reference": field.reference.map(RecordKind::code),
        "required": field.required,
        "in_list": field.in_list,
        "label_fa": field.label_fa,
        "label_en": field.label_en,
    })
}

/// Audit entries of custom fields are filed under this kind code and the definition's id.
const AUDIT_KIND: &str = "custom_field";

impl App {
    /// The schemas in force now.
    pub fn schemas(&self) -> Arc<Schemas> {
        self.schemas.get()
    }

    /// Reads the custom field definitions and makes them the schemas in force. Run at start;
    /// every change made through this process reloads them too.
    pub async fn reload_schemas(&self) -> AppResult<()> {
        let mut tx = self.store.read().await?;
        self.load_schemas(&mut tx).await?;
        Ok(())
    }

    /// The schemas in force, first reloaded if the definitions in the database no longer match
    /// them — because another process sharing the database changed a field. Sessions are
    /// loaded through this, so such a change shows here within the session cache's lifetime.
    pub(crate) async fn current_schemas(&self, tx: &mut Tx) -> AppResult<Arc<Schemas>> {
        let current = self.schemas.get();
        if tx.custom_fields_stamp().await? == current.stamp {
            return Ok(current);
        }
        self.load_schemas(tx).await
    }

    async fn load_schemas(&self, tx: &mut Tx) -> AppResult<Arc<Schemas>> {
        // The stamp is read before the definitions: a change between the two reads leaves an
        // old stamp with new definitions, which costs one more reload later, never a missed one.
        let stamp = tx.custom_fields_stamp().await?;
        let custom = tx.custom_fields().await?;
        self.schemas.replace(stamp, custom);
        // Cached sessions hold the old schemas.
        self.sessions.invalidate();
        Ok(self.schemas.get())
    }

    /// Adds a custom field to a customer record kind.
    pub async fn create_custom_field(
        &self,
        session: &Session,
        kind: RecordKind,
        input: &CustomFieldInput,
    ) -> AppResult<CustomField> {
        require_administrator(session)?;
        let base = customer_kind(kind)?;
        let mut tx = self.store.write().await?;
        let others: Vec<CustomField> = tx
            .custom_fields()
            .await?
            .into_iter()
            .filter(|f| f.kind == kind)
            .collect();
        let mut field =
            custom::apply_input(kind, input, None, &others, base).map_err(AppError::Validation)?;
        field.id = Uuid::now_v7();
        let now = self.now();
        tx.insert_custom_field(base, &field, now)
            .await
            .map_err(|e| name_taken(e, "name"))?;
        let changes = json!({"definition": [null, definition_json(&field)]});
        audit_field(&mut tx, now, session, field.id, "create", changes).await?;
        tx.commit().await?;
        self.reload_schemas().await?;
        Ok(field)
    }

    /// Changes a custom field's name, labels, choices or flags; its values stay.
    pub async fn update_custom_field(
        &self,
        session: &Session,
        id: Uuid,
        input: &CustomFieldInput,
    ) -> AppResult<CustomField> {
        require_administrator(session)?;
        let mut tx = self.store.write().await?;
        let all = tx.custom_fields().await?;
        let current = all.iter().find(|f| f.id == id).ok_or(AppError::NotFound)?;
        let base = customer_kind(current.kind)?;
        let others: Vec<CustomField> = all
            .iter()
            .filter(|f| f.kind == current.kind && f.id != id)
            .cloned()
            .collect();
        let field = custom::apply_input(current.kind, input, Some(current), &others, base)
            .map_err(AppError::Validation)?;
        let now = self.now();
        if !tx
            .update_custom_field(base, &current.name, &field, now)
            .await
            .map_err(|e| name_taken(e, "name"))?
        {
            return Err(AppError::NotFound);
        }
        let changes = json!({"definition": [definition_json(current), definition_json(&field)]});
        audit_field(&mut tx, now, session, id, "update", changes).await?;
        tx.commit().await?;
        self.reload_schemas().await?;
        Ok(field)
    }

    /// Deletes a custom field and every value stored in it. The definition is kept in the
    /// audit trail.
    pub async fn delete_custom_field(&self, session: &Session, id: Uuid) -> AppResult<()> {
        require_administrator(session)?;
        let mut tx = self.store.write().await?;
        let field = tx.custom_field(id).await?.ok_or(AppError::NotFound)?;
        let base = customer_kind(field.kind)?;
        let now = self.now();
        let changes = json!({"definition": [definition_json(&field), null]});
        audit_field(&mut tx, now, session, id, "delete", changes).await?;
        let extended = self.schemas().schema(field.kind);
        crate::match_keys::forget_field_keys(&mut tx, extended, &field.name).await?;
        if !tx.delete_custom_field(base, &field).await? {
            return Err(AppError::NotFound);
        }
        tx.commit().await?;
        self.reload_schemas().await
    }

    /// Whether `session` may add, change and delete custom fields (pages offer the forms only
    /// then).
    pub fn may_manage_custom_fields(&self, session: &Session) -> bool {
        require_administrator(session).is_ok()
    }

    /// The custom field definitions of `kind` (every signed-in user sees them, as they see the
    /// fields on forms).
    pub fn custom_fields(&self, session: &Session, kind: RecordKind) -> Vec<CustomField> {
        session.schemas.custom_fields(kind).cloned().collect()
    }

    /// One custom field definition.
    pub fn custom_field(&self, session: &Session, id: Uuid) -> AppResult<CustomField> {
        CUSTOM_KINDS
            .iter()
            .flat_map(|kind| session.schemas.custom_fields(*kind))
            .find(|f| f.id == id)
            .cloned()
            .ok_or(AppError::NotFound)
    }

    /// The history of a custom field definition (also after it was deleted), newest first.
    pub async fn custom_field_history(
        &self,
        session: &Session,
        id: Uuid,
    ) -> AppResult<Vec<BTreeMap<&'static str, serde_json::Value>>> {
        require_administrator(session)?;
        let mut tx = self.store.read().await?;
        let rows = tx.audit_of(AUDIT_KIND, id, 100).await?;
        Ok(rows
            .into_iter()
            .map(|row| {
                BTreeMap::from([
                    ("action", json!(row.action)),
                    ("actor_id", json!(row.actor_id)),
                    (
                        "at",
                        crate::json::value_to_json(&peyvand_domain::record::Value::Time(row.at)),
                    ),
                    (
                        "changes",
                        serde_json::from_str(&row.changes).unwrap_or_default(),
                    ),
                ])
            })
            .collect())
    }
}

/// A second definition with the same name (made at the same moment by someone else) is a
/// validation error on the name, not a server error.
fn name_taken(error: peyvand_store::StoreError, field: &str) -> AppError {
    match error {
        peyvand_store::StoreError::UniqueViolation => {
            AppError::field(field, peyvand_domain::validation::FieldError::TAKEN)
        }
        other => other.into(),
    }
}

async fn audit_field(
    tx: &mut peyvand_store::Tx,
    now: time::OffsetDateTime,
    session: &Session,
    id: Uuid,
    action: &str,
    changes: serde_json::Value,
) -> AppResult<()> {
    tx.insert_audit(&peyvand_store::AuditRow {
        id: Uuid::now_v7(),
        record_kind: AUDIT_KIND.to_owned(),
        record_id: id,
        action: action.to_owned(),
        actor_id: Some(session.actor.user_id),
        at: now,
        changes: changes.to_string(),
    })
    .await?;
    Ok(())
}
