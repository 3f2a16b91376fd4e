//! The match keys of customer records (`domain::duplicate`) and their upkeep.
//!
//! Every account, contact and lead has its block keys in the store's `match_keys` table. Each
//! write keeps them in step in its own transaction: a create stores the new record's keys, an
//! update replaces only the keys that changed (and does nothing when no matched field did), a
//! delete or merge removes them. Records written before the table existed get theirs at start
//! ([`App::build_match_keys`]).

use peyvand_domain::duplicate::{BlockKey, MatchKeys, block_keys};
use peyvand_domain::permission::{RecordKind, RowFilter};
use peyvand_domain::record::{FieldType, Fields, Schema, Value};
use peyvand_store::{ListQuery, SortKey, Tx};
use uuid::Uuid;

use crate::App;
use crate::error::AppResult;

/// The number under which a kind's keys are stored; fixed forever (see the migration).
pub(crate) fn kind_number(kind: RecordKind) -> Option<i64> {
    match kind {
        RecordKind::Account => Some(1),
        RecordKind::Contact => Some(2),
        RecordKind::Lead => Some(3),
        _ => None,
    }
}

/// Which fields of a schema matching looks at: the name fields of the kind, and every email
/// and phone field, custom ones included.
#[derive(Debug, Clone)]
pub(crate) struct MatchFields {
    name: &'static [&'static str],
    emails: Vec<&'static str>,
    phones: Vec<&'static str>,
}

impl MatchFields {
    /// The matched fields of a customer schema; `None` for other kinds.
    pub(crate) fn of(schema: &'static Schema) -> Option<MatchFields> {
        let name: &'static [&'static str] = match schema.kind {
            RecordKind::Account => peyvand_domain::duplicate::ACCOUNT_MATCH.name_fields,
            RecordKind::Contact | RecordKind::Lead => {
                peyvand_domain::duplicate::PERSON_MATCH.name_fields
            }
            _ => return None,
        };
        let of_type = |ty: FieldType| {
            schema
                .fields
                .iter()
                .filter(move |f| f.ty == ty)
                .map(|f| f.name)
                .collect::<Vec<_>>()
        };
        Some(MatchFields {
            name,
            emails: of_type(FieldType::Email),
            phones: of_type(FieldType::Phone),
        })
    }

    /// Whether `field` is one of them.
    pub(crate) fn contains(&self, field: &str) -> bool {
        self.name.contains(&field) || self.emails.contains(&field) || self.phones.contains(&field)
    }

    /// The keys of a record's fields, leaving out those `hidden` says no.
    pub(crate) fn keys(&self, fields: &Fields, hidden: impl Fn(&str) -> bool) -> MatchKeys {
        let texts = |names: &[&'static str]| -> Vec<&str> {
            names
                .iter()
                .filter(|n| !hidden(n))
                .filter_map(|n| fields.get(*n).and_then(Value::as_text))
                .collect()
        };
        MatchKeys::new(
            &texts(self.name).join(" "),
            texts(&self.emails),
            texts(&self.phones),
        )
    }

    /// The stored (signed) block keys of a record, from all its fields, sorted.
    pub(crate) fn stored_keys(&self, fields: &Fields) -> Vec<i64> {
        stored(&block_keys(&self.keys(fields, |_| false)))
    }
}

/// Block keys as the store keeps them, sorted and without repeats.
pub(crate) fn stored(keys: &[BlockKey]) -> Vec<i64> {
    // The stored form is the same 64 bits read as a signed number.
    let mut out: Vec<i64> = keys.iter().map(|k| k.0 as i64).collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Brings the stored keys of record `id` from what `before` gives to what `after` gives
/// (`None`: the record did not exist, or is about to be deleted — called while its row is
/// still there). Other kinds are left alone.
pub(crate) async fn sync_keys(
    tx: &mut Tx,
    schema: &'static Schema,
    id: Uuid,
    before: Option<&Fields>,
    after: Option<&Fields>,
) -> AppResult<()> {
    let (Some(number), Some(fields)) = (kind_number(schema.kind), MatchFields::of(schema)) else {
        return Ok(());
    };
    let old = before.map(|f| fields.stored_keys(f)).unwrap_or_default();
    let new = after.map(|f| fields.stored_keys(f)).unwrap_or_default();
    tx.replace_match_keys(number, id, &old, &new).await?;
    Ok(())
}

/// The keys a new record of `schema` with `fields` gets; `None` for kinds without keys.
pub(crate) fn new_keys(schema: &'static Schema, fields: &Fields) -> Option<Vec<i64>> {
    kind_number(schema.kind)?;
    Some(MatchFields::of(schema)?.stored_keys(fields))
}

/// Stores the keys of the record `id` just created, as [`new_keys`] gave them.
pub(crate) async fn store_new_keys(
    tx: &mut Tx,
    schema: &'static Schema,
    id: Uuid,
    keys: Option<&[i64]>,
) -> AppResult<()> {
    let (Some(number), Some(keys)) = (kind_number(schema.kind), keys) else {
        return Ok(());
    };
    tx.replace_match_keys(number, id, &[], keys).await?;
    Ok(())
}

/// Removes the keys that only `field` gave, before that email or phone field is deleted (a
/// custom field): for every record with a value in it, the keys of all its fields that the
/// record's other fields do not give too.
pub(crate) async fn forget_field_keys(
    tx: &mut Tx,
    schema: &'static Schema,
    field: &str,
) -> AppResult<()> {
    let (Some(number), Some(fields)) = (kind_number(schema.kind), MatchFields::of(schema)) else {
        return Ok(());
    };
    if !fields.emails.contains(&field) && !fields.phones.contains(&field) {
        return Ok(());
    }
    let others = |names: &[&'static str]| names.iter().copied().filter(|n| *n != field).collect();
    let without = MatchFields {
        name: fields.name,
        emails: others(&fields.emails),
        phones: others(&fields.phones),
    };
    for id in tx.ids_with_value(schema, field).await? {
        let Some(row) = tx.get_record(schema, id).await? else {
            continue;
        };
        let kept = without.stored_keys(&row.fields);
        tx.replace_match_keys(number, id, &fields.stored_keys(&row.fields), &kept)
            .await?;
    }
    Ok(())
}

/// Stores the keys of records just created in bulk (`keyed`: id and stored keys, from
/// [`MatchFields::stored_keys`]); `deferred` when a bulk load gathers them until its end
/// (`Tx::defer_match_keys`).
pub(crate) async fn insert_new_keys(
    tx: &mut Tx,
    schema: &'static Schema,
    keyed: &[(Uuid, Vec<i64>)],
    deferred: bool,
) -> AppResult<()> {
    let Some(number) = kind_number(schema.kind) else {
        return Ok(());
    };
    if deferred {
        tx.insert_deferred_match_keys(number, keyed).await?;
    } else {
        tx.insert_match_keys_many(number, keyed).await?;
    }
    Ok(())
}

/// Whether an update that changes `changes` can change the record's keys.
pub(crate) fn touches_keys(schema: &'static Schema, changes: &Fields) -> bool {
    MatchFields::of(schema).is_some_and(|f| changes.keys().any(|name| f.contains(name)))
}

/// How many records are read at a time when computing the keys of existing records.
const BUILD_PAGE: u64 = 2_000;

/// Computes and stores the keys of every record of `schema`, in pages of ids.
async fn build_kind(app: &App, schema: &'static Schema, number: i64) -> AppResult<u64> {
    let Some(fields) = MatchFields::of(schema) else {
        return Ok(0);
    };
    let mut tx = app.store.write().await?;
    tx.clear_match_keys(number).await?;
    let mut after: Option<(Value, Uuid)> = None;
    let mut done = 0;
    loop {
        let rows = tx
            .list_records(&ListQuery {
                schema,
                access: &RowFilter::Everything,
                equals: vec![],
                tag: None,
                search: vec![],
                ids: None,
                sort: SortKey {
                    field: "id".into(),
                    descending: false,
                },
                after: after.clone(),
                limit: BUILD_PAGE,
            })
            .await?;
        let keyed: Vec<(Uuid, Vec<i64>)> = rows
            .iter()
            .map(|row| (row.id, fields.stored_keys(&row.fields)))
            .collect();
        tx.insert_match_keys_many(number, &keyed).await?;
        done += rows.len() as u64;
        match rows.last() {
            Some(last) if rows.len() as u64 == BUILD_PAGE => {
                after = Some((Value::Null, last.id));
                // Commit as it goes so that SQLite's write lock is not held for minutes; the
                // kind is marked as built only at the end, so a crash means starting over.
                tx.commit().await?;
                tx = app.store.write().await?;
            }
            _ => break,
        }
    }
    tx.tidy_match_keys().await?;
    tx.mark_match_keys_built(number).await?;
    tx.commit().await?;
    Ok(done)
}

impl App {
    /// Computes the match keys of the records of every customer kind whose keys are not known
    /// to be complete (records written before duplicate matching existed). Run at start by
    /// [`App::bootstrap`]; does nothing once every kind is built.
    pub async fn build_match_keys(&self) -> AppResult<()> {
        let schemas = self.schemas.get();
        for kind in [RecordKind::Account, RecordKind::Contact, RecordKind::Lead] {
            let Some(number) = kind_number(kind) else {
                continue;
            };
            let built = self.store.read().await?.match_keys_built(number).await?;
            if !built {
                let count = build_kind(self, schemas.schema(kind), number).await?;
                tracing::info!(kind = kind.code(), records = count, "match keys built");
            }
        }
        Ok(())
    }
}
