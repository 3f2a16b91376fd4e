//! A customer's transactions for the 360° view: their quotes, orders, invoices and payments,
//! and the history of the documents and opportunities in the customer's timeline.

use std::collections::BTreeMap;

use peyvand_domain::permission::{Action, RecordKind, RowFilter};
use peyvand_store::Tx;
use serde_json::Value as Json;
use uuid::Uuid;

use crate::App;
use crate::auth::Session;
use crate::error::{AppError, AppResult};
use crate::history::TimelineEntry;
use crate::org::filter_for;
use crate::records::{ListParams, RecordView};

/// How many documents of each kind the 360° view lists.
const SHOWN: u64 = 50;
/// How many audit entries of each kind of document the customer's timeline takes.
const AUDIT_SHOWN: u64 = 500;

/// A customer's documents, newest first, as far as the user may read them.
#[derive(Debug, Clone, Default)]
pub struct Transactions {
    /// Quotes.
    pub quotes: Vec<RecordView>,
    /// Orders.
    pub orders: Vec<RecordView>,
    /// Invoices.
    pub invoices: Vec<RecordView>,
    /// Payments against those invoices.
    pub payments: Vec<RecordView>,
}

/// The field that names a customer of `kind` on a document.
fn customer_field(kind: RecordKind) -> Option<&'static str> {
    match kind {
        RecordKind::Account => Some("account_id"),
        RecordKind::Contact => Some("contact_id"),
        _ => None,
    }
}

impl App {
    /// The documents of a customer the user may read (kinds the user may not read are left
    /// empty).
    pub async fn customer_transactions(
        &self,
        session: &Session,
        kind: RecordKind,
        id: Uuid,
    ) -> AppResult<Transactions> {
        let Some(field) = customer_field(kind) else {
            return Ok(Transactions::default());
        };
        // The customer itself must be readable, or nothing is shown.
        self.get(session, kind, id).await?;
        let of_customer = ListParams {
            filters: BTreeMap::from([(field.to_owned(), id.to_string())]),
            sort: Some("-issue_date".into()),
            limit: Some(SHOWN),
            ..Default::default()
        };
        let mut out = Transactions::default();
        for (doc_kind, list) in [
            (RecordKind::Quote, &mut out.quotes),
            (RecordKind::Order, &mut out.orders),
            (RecordKind::Invoice, &mut out.invoices),
        ] {
            *list = self.readable(session, doc_kind, &of_customer).await?;
        }
        out.payments = self.payments_of(session, &out.invoices).await?;
        Ok(out)
    }

    /// The payments the user may read against these invoices, newest first: one statement for
    /// all of them rather than one per invoice.
    async fn payments_of(
        &self,
        session: &Session,
        invoices: &[RecordView],
    ) -> AppResult<Vec<RecordView>> {
        let ids: Vec<Uuid> = invoices.iter().map(|i| i.id).collect();
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = self.store.read().await?;
        let access = filter_for(&mut tx, session, RecordKind::Payment, Action::Read).await?;
        if access == RowFilter::Nothing {
            return Ok(Vec::new());
        }
        let schema = session.schema(RecordKind::Payment);
        let rows = tx
            .records_referring_to_any(schema, &access, "invoice_id", &ids, "paid_on", SHOWN)
            .await?;
        tx.commit().await?;
        Ok(rows
            .into_iter()
            .map(|row| crate::records::view(session, schema, row))
            .collect())
    }

    /// A list, or nothing when the user may not read the kind at all.
    async fn readable(
        &self,
        session: &Session,
        kind: RecordKind,
        params: &ListParams,
    ) -> AppResult<Vec<RecordView>> {
        match self.list(session, kind, params).await {
            Ok(page) => Ok(page.items),
            Err(AppError::Forbidden) => Ok(Vec::new()),
            Err(other) => Err(other),
        }
    }
}

/// The audit entries of a customer's documents and opportunities (their stage changes among
/// them), for the customer's timeline: per kind, one statement lists the customer's records and
/// one reads their audit entries.
pub(crate) async fn document_entries(
    tx: &mut Tx,
    session: &Session,
    kind: RecordKind,
    id: Uuid,
) -> AppResult<Vec<TimelineEntry>> {
    let Some(field) = customer_field(kind) else {
        return Ok(Vec::new());
    };
    let mut entries = Vec::new();
    for doc_kind in [
        RecordKind::Quote,
        RecordKind::Order,
        RecordKind::Invoice,
        RecordKind::Opportunity,
    ] {
        let access = filter_for(tx, session, doc_kind, Action::Read).await?;
        if access == RowFilter::Nothing {
            continue;
        }
        let schema = session.schema(doc_kind);
        let rows = tx
            .list_records(&peyvand_store::ListQuery {
                schema,
                access: &access,
                equals: vec![(field.to_owned(), peyvand_domain::record::Value::Id(id))],
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
        let titles: BTreeMap<Uuid, String> = rows
            .iter()
            .map(|row| (row.id, peyvand_domain::record::title(schema, &row.fields)))
            .collect();
        let ids: Vec<Uuid> = titles.keys().copied().collect();
        for audit in tx
            .audit_of_records(doc_kind.code(), &ids, AUDIT_SHOWN)
            .await?
        {
            let mut changes: Json = serde_json::from_str(&audit.changes).unwrap_or(Json::Null);
            if let Json::Object(map) = &mut changes {
                map.retain(|name, _| !session.actor.grants.is_hidden(doc_kind, name));
            }
            let title = titles.get(&audit.record_id).cloned().unwrap_or_default();
            entries.push(TimelineEntry {
                at: audit.at,
                actor_id: audit.actor_id,
                action: audit.action,
                changes,
                note_id: None,
                subject: Some((doc_kind, audit.record_id, title)),
            });
        }
    }
    Ok(entries)
}
