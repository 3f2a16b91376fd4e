//! A customer's contracts for the 360° view, and their history in the customer's timeline.

use std::collections::BTreeMap;

use peyvand_domain::permission::{Action, RecordKind, RowFilter};
use peyvand_domain::record::{self, Value};
use peyvand_store::Tx;
use serde_json::Value as Json;
use uuid::Uuid;

use crate::App;
use crate::auth::Session;
use crate::error::{AppError, AppResult};
use crate::history::TimelineEntry;
use crate::org::filter_for;
use crate::records::{ListParams, RecordView};

/// How many contracts the 360° view lists, and whose history the timeline shows.
const SHOWN: u64 = 50;

/// One of a customer's contracts in the 360° view.
pub type CustomerContract = RecordView;

/// The field that names a customer of `kind` on a contract.
fn customer_field(kind: RecordKind) -> Option<&'static str> {
    match kind {
        RecordKind::Account => Some("account_id"),
        RecordKind::Contact => Some("contact_id"),
        _ => None,
    }
}

impl App {
    /// A customer's contracts the user may read, latest start first; empty when the user may
    /// not read contracts at all or the record is not a customer with contracts.
    pub async fn customer_contracts(
        &self,
        session: &Session,
        kind: RecordKind,
        id: Uuid,
    ) -> AppResult<Vec<CustomerContract>> {
        let Some(field) = customer_field(kind) else {
            return Ok(Vec::new());
        };
        self.get(session, kind, id).await?;
        let params = ListParams {
            filters: BTreeMap::from([(field.to_owned(), id.to_string())]),
            sort: Some("-start_date".into()),
            limit: Some(SHOWN),
            ..Default::default()
        };
        match self.list(session, RecordKind::Contract, &params).await {
            Ok(page) => Ok(page.items),
            Err(AppError::Forbidden) => Ok(Vec::new()),
            Err(other) => Err(other),
        }
    }
}

/// The audit entries of a customer's contracts, for the customer's timeline.
pub(crate) async fn contract_entries(
    tx: &mut Tx,
    session: &Session,
    kind: RecordKind,
    id: Uuid,
) -> AppResult<Vec<TimelineEntry>> {
    let Some(field) = customer_field(kind) else {
        return Ok(Vec::new());
    };
    let access = filter_for(tx, session, RecordKind::Contract, Action::Read).await?;
    if access == RowFilter::Nothing {
        return Ok(Vec::new());
    }
    let schema = session.schema(RecordKind::Contract);
    let rows = tx
        .list_records(&peyvand_store::ListQuery {
            schema,
            access: &access,
            equals: vec![(field.to_owned(), Value::Id(id))],
            tag: None,
            search: vec![],
            ids: None,
            sort: peyvand_store::SortKey {
                field: "id".into(),
                descending: true,
            },
            after: None,
            limit: SHOWN,
        })
        .await?;
    let mut entries = Vec::new();
    for row in rows {
        let title = record::title(schema, &row.fields);
        for audit in tx
            .audit_of(RecordKind::Contract.code(), row.id, 100)
            .await?
        {
            let mut changes: Json = serde_json::from_str(&audit.changes).unwrap_or(Json::Null);
            if let Json::Object(map) = &mut changes {
                // A contract's body is long; the timeline says that it changed, not how.
                map.remove("body");
                map.retain(|name, _| !session.actor.grants.is_hidden(RecordKind::Contract, name));
            }
            entries.push(TimelineEntry {
                at: audit.at,
                actor_id: audit.actor_id,
                action: audit.action,
                changes,
                note_id: None,
                subject: Some((RecordKind::Contract, row.id, title.clone())),
            });
        }
    }
    Ok(entries)
}
