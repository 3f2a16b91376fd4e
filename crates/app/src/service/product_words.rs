//! The words of a case's catalogue product, kept on the case (`product_name`, migration 0280).
//!
//! Before cases linked the catalogue (migration 0270) the product was typed on the case and
//! searched with it. A link is an id, which no one searches for, so the case keeps its
//! product's code and name as a searched system field: on create and update of the case, for
//! every case of a product whose code or name changes, and once at start-up for the cases
//! linked before the field existed.

use std::collections::HashMap;

use peyvand_domain::permission::RecordKind;
use peyvand_domain::record::{self, CASES, Fields, Schema, Value};
use peyvand_store::Tx;
use uuid::Uuid;

use super::cases::write_case;
use super::setup;
use crate::auth::Session;
use crate::error::AppResult;

/// The field that holds the words.
const FIELD: &str = "product_name";
/// How many cases one round of [`fill`] reads and rewrites; rounds repeat until none is left.
const ROUND: u64 = 500;

/// The `product_name` of a case about `product`: its code and name, or nothing.
async fn words_of(tx: &mut Tx, product: Option<Uuid>) -> AppResult<Value> {
    let Some(id) = product else {
        return Ok(Value::Null);
    };
    let words = setup::product_names(tx, Some(id), None).await?;
    Ok(Value::Text(words.join(" ")))
}

/// Sets the words of a new or changed case whose product link is new (`fields`: the case as
/// it will be stored).
pub(crate) async fn follow_link(tx: &mut Tx, fields: &mut Fields) -> AppResult<()> {
    let product = fields.get("product_id").and_then(Value::as_id);
    let words = words_of(tx, product).await?;
    fields.insert(FIELD.into(), words);
    Ok(())
}

/// After a product's code or name changed: its cases take the new words.
pub(crate) async fn after_product_update(
    tx: &mut Tx,
    schema: &Schema,
    id: Uuid,
    changes: &Fields,
) -> AppResult<()> {
    let renamed = changes.contains_key("code") || changes.contains_key("name");
    if schema.kind != RecordKind::Product || !renamed {
        return Ok(());
    }
    tx.clear_system_field_where(&CASES, FIELD, ("product_id", &Value::Id(id)))
        .await?;
    fill(tx).await?;
    Ok(())
}

/// Before a product is deleted: its cases let go of it, the link and the words with their
/// search text, each as an update with a new version and an entry in its history. Otherwise
/// the database's `ON DELETE SET NULL` would empty the link alone, behind the cases' backs:
/// the words would still find the case and the API's cache would still show the link.
pub(crate) async fn before_product_delete(
    tx: &mut Tx,
    now: time::OffsetDateTime,
    session: &Session,
    schema: &Schema,
    id: Uuid,
) -> AppResult<()> {
    if schema.kind != RecordKind::Product {
        return Ok(());
    }
    let link = Value::Id(id);
    loop {
        let ids = tx.ids_where(&CASES, ("product_id", &link), ROUND).await?;
        if ids.is_empty() {
            return Ok(());
        }
        for row in tx.records_by_ids(&CASES, None, &ids).await? {
            let changes = Fields::from([
                ("product_id".into(), Value::Null),
                (FIELD.into(), Value::Null),
            ]);
            write_case(tx, now, session, &row, changes, "update").await?;
        }
    }
}

/// Gives every case that has a product but not its words the words, with the case's search
/// text; returns how many cases it rewrote. Costs one indexed look-up when there are none.
pub(crate) async fn fill(tx: &mut Tx) -> AppResult<u64> {
    let mut products: HashMap<Uuid, Value> = HashMap::new();
    let mut filled = 0;
    loop {
        let ids = tx
            .ids_with_value_but_not(&CASES, "product_id", FIELD, ROUND)
            .await?;
        if ids.is_empty() {
            return Ok(filled);
        }
        for row in tx.records_by_ids(&CASES, None, &ids).await? {
            let Some(product) = row.fields.get("product_id").and_then(Value::as_id) else {
                continue;
            };
            let words = match products.get(&product) {
                Some(words) => words.clone(),
                None => {
                    let words = words_of(tx, Some(product)).await?;
                    products.insert(product, words.clone());
                    words
                }
            };
            let change = Fields::from([(FIELD.into(), words)]);
            let mut fields = row.fields;
            fields.extend(change.clone());
            let search = record::search_text(&CASES, &fields);
            tx.set_searched_system_fields(&CASES, row.id, &change, &search)
                .await?;
            filled += 1;
        }
    }
}
