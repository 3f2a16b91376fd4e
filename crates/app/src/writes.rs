//! The write side of records: creating, updating and deleting with validation, defaults,
//! reference and placement checks, and the audit trail. Runs inside a write job (see
//! `crate::write`), so everything here happens in one transaction.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

use peyvand_domain::calendar::CalendarKind;
use peyvand_domain::permission::{Action, Placement, RecordKind, RowFilter, allows};
use peyvand_domain::record::{
    self, FieldName, FieldType, Fields, Input, PlacementRule, Schema, Value,
};
use peyvand_domain::validation::{FieldError, ValidationErrors};
use peyvand_store::{AuditRow, ExtraColumn, RecordRow, Tx};
use serde_json::{Map, Value as Json, json};
use uuid::Uuid;

use crate::auth::Session;
use crate::error::{AppError, AppResult};
use crate::json::{JsonValue, value_to_json};
use crate::match_keys::{sync_keys, touches_keys};
use crate::org::org_for;
use crate::records::{RecordView, read_checked, reject_hidden, view};

pub(crate) async fn delete_in(
    tx: &mut Tx,
    now: time::OffsetDateTime,
    session: &Session,
    kind: RecordKind,
    id: Uuid,
) -> AppResult<()> {
    let schema = session.schema(kind);
    let (row, _) = read_checked(tx, session, kind, id, Action::Read).await?;
    let org = org_for(tx, session, kind, Action::Delete).await?;
    let placement = record::placement(schema, id, &row.fields);
    if !allows(&session.actor, kind, Action::Delete, placement, &org) {
        return Err(AppError::Forbidden);
    }
    crate::admin::check_deletable(session, kind, &row)?;
    crate::sales::before_delete(tx, kind, &row).await?;
    crate::pipeline::rules::check_deletable(tx, kind, &row).await?;
    crate::contracts::before_delete(kind, &row)?;
    crate::service::before_product_delete(tx, now, session, schema, id).await?;
    tx.delete_attachments_of(kind.code(), id).await?;
    // The keys go first: the store finds the record's entry in its index through the row.
    sync_keys(tx, schema, id, Some(&row.fields), None).await?;
    if !tx.delete_record(schema, id).await? {
        return Err(AppError::NotFound);
    }
    crate::sales::after_delete(tx, now, session, kind, &row).await?;
    let changes = diff(&row.fields, &Fields::new(), true);
    audit(tx, now, session, kind, id, "delete", changes).await
}

/// A record's fields being given the system's defaults, and the names of those it filled.
pub(crate) struct Defaults<'a> {
    fields: &'a mut Fields,
    filled: Vec<&'static str>,
}

impl Defaults<'_> {
    /// Gives field `name` its default `value` when the record leaves it empty.
    pub(crate) fn set(&mut self, name: &'static str, value: Value) {
        if self.fields.get(name).is_none_or(Value::is_null) {
            self.fields.insert(name.into(), value);
            self.filled.push(name);
        }
    }
}

/// Fills in what the system decides when the user does not: the owner and branch of customer
/// records (the creator and their branch) and defaults of users and leads. Returns the fields
/// it filled.
pub(crate) fn apply_defaults(
    session: &Session,
    schema: &Schema,
    fields: &mut Fields,
) -> Vec<&'static str> {
    let mut defaults = Defaults {
        fields,
        filled: Vec::new(),
    };
    match schema.kind {
        RecordKind::Account | RecordKind::Contact | RecordKind::Lead => {
            defaults.set("owner_id", Value::Id(session.actor.user_id));
            defaults.set("branch_id", Value::Id(session.actor.branch_id));
        }
        RecordKind::User => {
            defaults.set("disabled", Value::Bool(false));
            defaults.set("locale", Value::Text("fa".into()));
            defaults.set("calendar", Value::Text("jalali".into()));
        }
        RecordKind::Role => defaults.set("builtin", Value::Bool(false)),
        // Sales pipeline (issue 4): deals are placed like customers; targets in the setter's branch.
        RecordKind::Opportunity => {
            defaults.set("owner_id", Value::Id(session.actor.user_id));
            defaults.set("branch_id", Value::Id(session.actor.branch_id));
        }
        RecordKind::SalesTarget => defaults.set("branch_id", Value::Id(session.actor.branch_id)),
        _ => {}
    }
    if schema.kind == RecordKind::Lead {
        defaults.set("status", Value::Text("new".into()));
    }
    crate::service::apply_defaults(session, schema, &mut defaults);
    defaults.filled
}

/// Every reference must point at an existing record the actor may read.
pub(crate) async fn check_references(
    tx: &mut Tx,
    session: &Session,
    schema: &Schema,
    changed: &Fields,
) -> AppResult<()> {
    let mut errors = ValidationErrors::new();
    for (name, value) in changed {
        let (Some(def), Value::Id(target)) = (schema.field(name), value) else {
            continue;
        };
        let FieldType::Reference(target_kind) = def.ty else {
            continue;
        };
        // Fields users cannot write were set by the system's own rules (a case's routing rule
        // or service-level target), which need not be readable by the person who caused it.
        if !def.writable {
            continue;
        }
        // The actor's own user and branch exist (the session was just read) and must be
        // usable as owner and branch even by roles that may not list users or branches.
        let own = (target_kind == RecordKind::User && *target == session.actor.user_id)
            || (target_kind == RecordKind::Branch && *target == session.actor.branch_id);
        if own {
            continue;
        }
        if read_checked(tx, session, target_kind, *target, Action::Read)
            .await
            .is_err()
        {
            errors.add(name.clone(), FieldError::NOT_FOUND);
        }
    }
    errors.into_result().map_err(AppError::Validation)
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn create_in(
    tx: &mut Tx,
    now: time::OffsetDateTime,
    session: &Session,
    kind: RecordKind,
    inputs: &BTreeMap<String, Input>,
    calendar: CalendarKind,
    extra: &[ExtraColumn],
) -> AppResult<RecordView> {
    let prepared = prepare_create(session, kind, inputs, calendar)?;
    let created = create_prepared_in(tx, now, session, &prepared, extra).await?;
    Ok(created.view(session))
}

/// What creating a record computes from the actor's input alone — the checked fields with
/// their defaults, the search text and sort key, the duplicate-match keys and the audit
/// trail's entry — made before the write is queued, so that the writer thread (whose time
/// every write waits for) redoes none of it unless a hook changes the fields.
#[derive(Debug)]
pub(crate) struct PreparedCreate {
    kind: RecordKind,
    fields: Fields,
    search: String,
    sort_key: String,
    match_keys: Option<Vec<i64>>,
    changes: String,
}

/// A record just created: its id, fields as stored and the moment written.
#[derive(Debug)]
pub(crate) struct Created {
    kind: RecordKind,
    id: Uuid,
    fields: Fields,
    at: time::OffsetDateTime,
}

impl Created {
    /// The record as `session` sees it, without reading it back.
    pub(crate) fn view(self, session: &Session) -> RecordView {
        let schema = session.schema(self.kind);
        view(
            session,
            schema,
            stored_row(schema, self.id, 1, self.fields, self.at, Some(self.at)),
        )
    }
}

/// Checks the actor's right to create a record of `kind` and their input, and computes what
/// the record's write needs from it (see [`PreparedCreate`]).
pub(crate) fn prepare_create(
    session: &Session,
    kind: RecordKind,
    inputs: &BTreeMap<String, Input>,
    calendar: CalendarKind,
) -> AppResult<PreparedCreate> {
    let schema = session.schema(kind);
    if session.actor.grants.scope(kind, Action::Create) == peyvand_domain::permission::Scope::None {
        return Err(AppError::Forbidden);
    }
    reject_hidden(session, kind, inputs.keys())?;
    let mut fields =
        record::validate(schema, inputs, false, calendar).map_err(AppError::Validation)?;
    apply_defaults(session, schema, &mut fields);
    Ok(PreparedCreate::of(schema, fields))
}

impl PreparedCreate {
    /// What a record of `schema` with `fields` needs written besides them.
    fn of(schema: &'static Schema, fields: Fields) -> PreparedCreate {
        PreparedCreate {
            kind: schema.kind,
            search: record::search_text(schema, &fields),
            sort_key: peyvand_store::NewRecord::sort_key_for(schema, &fields),
            match_keys: crate::match_keys::new_keys(schema, &fields),
            changes: creation_changes(&fields),
            fields,
        }
    }
}

/// Creates the record `prepared` describes, with the hooks of its kind, inside `tx`.
pub(crate) async fn create_prepared_in(
    tx: &mut Tx,
    now: time::OffsetDateTime,
    session: &Session,
    prepared: &PreparedCreate,
    extra: &[ExtraColumn],
) -> AppResult<Created> {
    let kind = prepared.kind;
    let schema = session.schema(kind);
    let mut fields = prepared.fields.clone();
    crate::sales::before_create(tx, now, session, schema, &mut fields).await?;
    crate::pipeline::rules::prepare(tx, now, session, kind, None, &mut fields).await?;
    crate::contracts::before_create(tx, now, session, schema, &mut fields).await?;
    crate::sms_schedule::check_template(schema, &mut fields, true)?;
    crate::admin::check_rules(tx, session, kind, None, &fields).await?;
    check_references(tx, session, schema, &fields).await?;
    crate::contracts::check_case_contract(tx, kind, &fields, None).await?;
    let id = Uuid::now_v7();
    check_placement(tx, session, schema, id, &fields, Action::Create).await?;
    // Case numbers, routing and service-level clocks are the system's doing, after the actor's
    // own placement of the record was checked (a routed case may land outside their reach).
    crate::service::on_create(tx, now, schema, &mut fields).await?;
    // What was prepared from the input holds while the hooks left the fields as they were.
    let redone;
    let ready = if fields == prepared.fields {
        prepared
    } else {
        redone = PreparedCreate::of(schema, fields.clone());
        &redone
    };
    let texts = peyvand_store::RecordTexts {
        search: &ready.search,
        sort_key: &ready.sort_key,
    };
    tx.insert_record_with(schema, id, now, &fields, texts, extra)
        .await
        .map_err(unique_to_field(schema))?;
    crate::match_keys::store_new_keys(tx, schema, id, ready.match_keys.as_deref()).await?;
    crate::pipeline::rules::after_write(tx, now, kind, id, None, &fields).await?;
    audit_text(tx, now, session, kind, id, "create", ready.changes.clone()).await?;
    crate::sales::after_create(tx, now, session, kind, &fields).await?;
    Ok(Created {
        kind,
        id,
        fields,
        at: now,
    })
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn update_in(
    tx: &mut Tx,
    now: time::OffsetDateTime,
    session: &Session,
    kind: RecordKind,
    id: Uuid,
    version: i64,
    inputs: &BTreeMap<String, Input>,
    calendar: CalendarKind,
    extra: &[ExtraColumn],
) -> AppResult<RecordView> {
    let schema = session.schema(kind);
    let (row, _) = read_checked(tx, session, kind, id, Action::Update).await?;
    reject_hidden(session, kind, inputs.keys())?;
    let changes = record::validate(schema, inputs, true, calendar).map_err(AppError::Validation)?;
    let changes: Fields = changes
        .into_iter()
        .filter(|(k, v)| row.fields.get(k) != Some(v))
        .collect();
    let mut merged = row.fields.clone();
    merged.extend(changes.clone());
    crate::service::on_update(tx, now, schema, &row.fields, &mut merged, &changes).await?;
    crate::pipeline::rules::prepare(tx, now, session, kind, Some(&row), &mut merged).await?;
    // The rules may have filled in or cleared fields: the changes are whatever now differs.
    let changes: Fields = merged
        .iter()
        .filter(|(k, v)| row.fields.get(*k).unwrap_or(&Value::Null) != *v)
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    crate::admin::check_rules(tx, session, kind, Some(&row), &merged).await?;
    crate::sales::before_update(tx, schema, &row, &changes, &merged).await?;
    crate::contracts::before_update(schema, &row, &changes, &merged)?;
    crate::sms_schedule::check_template(schema, &mut merged.clone(), false)?;
    check_references(tx, session, schema, &changes).await?;
    crate::contracts::check_case_contract(tx, kind, &merged, Some(&changes)).await?;
    check_placement(tx, session, schema, id, &merged, Action::Update).await?;
    let search = record::search_text(schema, &merged);
    if !tx
        .update_record(schema, id, version, now, &changes, &search, extra)
        .await
        .map_err(unique_to_field(schema))?
    {
        return Err(AppError::VersionConflict);
    }
    if touches_keys(schema, &changes) {
        sync_keys(tx, schema, id, Some(&row.fields), Some(&merged)).await?;
    }
    crate::pipeline::rules::after_write(tx, now, kind, id, Some(&row.fields), &merged).await?;
    crate::service::after_product_update(tx, schema, id, &changes).await?;
    audit(
        tx,
        now,
        session,
        kind,
        id,
        "update",
        diff(&row.fields, &changes, false),
    )
    .await?;
    Ok(view(
        session,
        schema,
        stored_row(schema, id, version + 1, merged, now, None),
    ))
}

/// The row as the store now holds it, without reading it back: every schema field (empty ones
/// as Null) and the timestamps the store was given.
pub(crate) fn stored_row(
    schema: &'static Schema,
    id: Uuid,
    version: i64,
    fields: Fields,
    updated_at: time::OffsetDateTime,
    created_at: Option<time::OffsetDateTime>,
) -> RecordRow {
    // The map is built from its entries in key order, which `BTreeMap` takes in one pass;
    // filling in each schema field with `entry` compared names some 200 times a created
    // contact, a tenth of the request threads' time (perf).
    let names = names_in_key_order(schema);
    let mut given = fields.into_iter().peekable();
    let mut all = Vec::with_capacity(names.len() + 2);
    for &(name, of_schema) in names.iter() {
        while given.peek().is_some_and(|(key, _)| key.as_ref() < name) {
            all.extend(given.next());
        }
        let value = given
            .next_if(|(key, _)| key.as_ref() == name)
            .map(|(_, value)| value);
        let value = match (name, created_at) {
            ("updated_at", _) => Some(Value::Time(updated_at)),
            ("created_at", Some(created_at)) => Some(Value::Time(created_at)),
            _ if of_schema => Some(value.unwrap_or(Value::Null)),
            _ => value,
        };
        all.extend(value.map(|value| (FieldName::Borrowed(name), value)));
    }
    all.extend(given);
    RecordRow {
        id,
        version,
        fields: all.into_iter().collect(),
    }
}

/// Field names in the order of a [`Fields`] map's keys, each with whether the schema has it.
type KeyOrder = Rc<[(&'static str, bool)]>;

/// The names of `schema`'s fields and of the timestamps in the order of a [`Fields`] map's keys,
/// each with whether the schema has it. Worked out once per schema and thread: schemas are
/// never freed (custom fields make new ones), so the address names one for good.
fn names_in_key_order(schema: &'static Schema) -> KeyOrder {
    thread_local! {
        static ORDERS: RefCell<HashMap<usize, KeyOrder>> =
            RefCell::new(HashMap::new());
    }
    let address = std::ptr::from_ref(schema) as usize;
    ORDERS.with_borrow_mut(|orders| {
        orders
            .entry(address)
            .or_insert_with(|| {
                let mut names: Vec<(&'static str, bool)> =
                    schema.fields.iter().map(|f| (f.name, true)).collect();
                for timestamp in ["created_at", "updated_at"] {
                    if !names.iter().any(|(name, _)| *name == timestamp) {
                        names.push((timestamp, false));
                    }
                }
                names.sort_unstable();
                names.into()
            })
            .clone()
    })
}

/// The record, once written, must still be inside the actor's scope for the action: nobody can
/// create a record for, or hand one over to, a place they could not reach themselves.
pub(crate) async fn check_placement(
    tx: &mut Tx,
    session: &Session,
    schema: &Schema,
    id: Uuid,
    fields: &Fields,
    action: Action,
) -> AppResult<()> {
    let placement = record::placement(schema, id, fields);
    let org = if schema.placement == PlacementRule::Global {
        Default::default()
    } else {
        org_for(tx, session, schema.kind, action).await?
    };
    if allows(&session.actor, schema.kind, action, placement, &org)
        || schema.placement == PlacementRule::Global
    {
        return Ok(());
    }
    let field = match schema.placement {
        PlacementRule::OwnerAndBranch
            if !org_contains_owner(session, schema, action, placement, &org) =>
        {
            "owner_id"
        }
        PlacementRule::IsBranch => "parent_id",
        _ => "branch_id",
    };
    Err(AppError::field(field, FieldError::OUT_OF_SCOPE))
}

fn org_contains_owner(
    session: &Session,
    schema: &Schema,
    action: Action,
    placement: Placement,
    org: &peyvand_domain::permission::OrgChart,
) -> bool {
    match peyvand_domain::permission::row_filter(&session.actor, schema.kind, action, org) {
        RowFilter::OwnerIn(owners) => placement.owner_id.is_some_and(|o| owners.contains(&o)),
        _ => true,
    }
}

fn unique_to_field(schema: &Schema) -> impl Fn(peyvand_store::StoreError) -> AppError + '_ {
    move |error| match error {
        peyvand_store::StoreError::UniqueViolation => {
            let field = if schema.field("email").is_some() && schema.kind == RecordKind::User {
                "email"
            } else {
                "name"
            };
            AppError::field(field, FieldError::TAKEN)
        }
        other => other.into(),
    }
}

/// The changed fields as `{"field": [old, new]}`; with `all`, every non-empty field of `before`.
pub(crate) fn diff(before: &Fields, after: &Fields, all: bool) -> Json {
    let mut changes = Map::new();
    if all {
        for (name, old) in before.iter().filter(|(_, v)| !v.is_null()) {
            changes.insert(name.to_string(), json!([value_to_json(old), Json::Null]));
        }
    }
    let creating = before.is_empty();
    for (name, new) in after {
        let old = before.get(name).unwrap_or(&Value::Null);
        // A new record's unset boxes are not news: its trail lists what was actually filled in.
        if creating && matches!(new, Value::Bool(false)) {
            continue;
        }
        if old != new {
            changes.insert(
                name.to_string(),
                json!([value_to_json(old), value_to_json(new)]),
            );
        }
    }
    Json::Object(changes)
}

/// [`diff`] of a record being created (`diff(&Fields::new(), after, false)`) as JSON text,
/// written without building the JSON tree first: an import makes one per row, and building and
/// then printing the tree was a tenth of its reading thread (perf, bench/import.sh).
pub(crate) fn creation_changes(after: &Fields) -> String {
    struct Created<'a>(&'a Fields);
    impl serde::Serialize for Created<'_> {
        fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            use serde::ser::SerializeMap;
            let mut map = serializer.serialize_map(None)?;
            // The same entries as `diff` keeps for a new record: neither empty values nor
            // unset boxes.
            for (name, new) in self.0 {
                if !new.is_null() && !matches!(new, Value::Bool(false)) {
                    map.serialize_entry(name, &((), JsonValue(new)))?;
                }
            }
            map.end()
        }
    }
    serde_json::to_string(&Created(after)).unwrap_or_else(|_| "{}".to_owned())
}

/// Appends to the audit trail.
pub(crate) async fn audit(
    tx: &mut Tx,
    now: time::OffsetDateTime,
    session: &Session,
    kind: RecordKind,
    id: Uuid,
    action: &str,
    changes: Json,
) -> AppResult<()> {
    audit_text(tx, now, session, kind, id, action, changes.to_string()).await
}

/// [`audit`] with the changes as JSON text already.
pub(crate) async fn audit_text(
    tx: &mut Tx,
    now: time::OffsetDateTime,
    session: &Session,
    kind: RecordKind,
    id: Uuid,
    action: &str,
    changes: String,
) -> AppResult<()> {
    tx.insert_audit(&AuditRow {
        id: Uuid::now_v7(),
        record_kind: kind.code().to_owned(),
        record_id: id,
        action: action.to_owned(),
        actor_id: Some(session.actor.user_id),
        at: now,
        changes,
    })
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creation_changes_are_the_diff_from_nothing() {
        let fields: Fields = [
            ("a_text", Value::Text("علی \"quoted\"".into())),
            ("b_empty", Value::Null),
            ("c_unset_box", Value::Bool(false)),
            ("d_set_box", Value::Bool(true)),
            ("e_int", Value::Int(-42)),
            ("f_number", Value::Number(2.5)),
            ("g_date", Value::Date(time::macros::date!(2025 - 03 - 21))),
            (
                "h_time",
                Value::Time(time::macros::datetime!(2025-03-21 10:30:00 UTC)),
            ),
            ("i_id", Value::Id(Uuid::now_v7())),
            ("j_tags", Value::Tags(vec!["vip".into(), "تهران".into()])),
        ]
        .into_iter()
        .map(|(name, value)| (name.to_owned().into(), value))
        .collect();
        let expected = diff(&Fields::new(), &fields, false).to_string();
        assert_eq!(creation_changes(&fields), expected);
        assert!(!expected.contains("b_empty") && !expected.contains("c_unset_box"));
        assert_eq!(creation_changes(&Fields::new()), "{}");
    }

    /// What `stored_row` must give: each schema field, empty ones as Null, given fields the
    /// schema does not have kept, the timestamps set (the construction it replaced).
    fn filled_in_one_by_one(
        schema: &Schema,
        mut fields: Fields,
        updated_at: time::OffsetDateTime,
        created_at: Option<time::OffsetDateTime>,
    ) -> Fields {
        for field in schema.fields {
            fields.entry(field.name.into()).or_insert(Value::Null);
        }
        fields.insert("updated_at".into(), Value::Time(updated_at));
        if let Some(created_at) = created_at {
            fields.insert("created_at".into(), Value::Time(created_at));
        }
        fields
    }

    #[test]
    fn stored_rows_hold_every_field_in_key_order() {
        let then = time::macros::datetime!(2025-03-21 10:30:00 UTC);
        let now = time::macros::datetime!(2025-03-22 08:00:00 UTC);
        let given: Fields = [
            ("last_name", Value::Text("رضایی".into())),
            ("mobile", Value::Text("+989121234567".into())),
            ("aaa_not_in_schema", Value::Int(1)),
            ("created_at", Value::Time(then)),
            ("zzz_not_in_schema", Value::Bool(true)),
            ("owner_id", Value::Id(Uuid::now_v7())),
        ]
        .into_iter()
        .map(|(name, value)| (name.to_owned().into(), value))
        .collect();
        for schema in record::ALL_SCHEMAS.iter().copied() {
            for created_at in [None, Some(now)] {
                for fields in [Fields::new(), given.clone()] {
                    let id = Uuid::now_v7();
                    let row = stored_row(schema, id, 3, fields.clone(), now, created_at);
                    let expected = filled_in_one_by_one(schema, fields, now, created_at);
                    assert_eq!(row.fields, expected, "{:?}", schema.kind);
                    assert_eq!((row.id, row.version), (id, 3));
                }
            }
        }
    }
}
