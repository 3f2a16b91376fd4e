//! The contracts a portal user sees: their contact's and their organisation's, once past draft.

use peyvand_domain::contracts::CONTRACTS;
use peyvand_domain::contracts::status::DRAFT;
use peyvand_domain::permission::{RecordKind, RowFilter};
use peyvand_domain::record::Value;
use peyvand_store::{RecordsWhere, Tx};

use super::{date, int, text};
use crate::error::AppResult;
use crate::portal::{PortalDocument, PortalSession};

/// Most contracts the portal lists per customer record.
const SHOWN: u64 = 200;

/// The portal user's contracts that are not drafts (a draft is still the company's own work),
/// as documents: number, status, value and start date.
pub(crate) async fn portal_contracts(
    tx: &mut Tx,
    portal: &PortalSession,
) -> AppResult<Vec<PortalDocument>> {
    let mut places = vec![("contact_id", portal.contact_id)];
    places.extend(portal.account_id.map(|id| ("account_id", id)));
    let mut out: Vec<PortalDocument> = Vec::new();
    for (column, id) in places {
        let rows = tx
            .records_where(&RecordsWhere {
                schema: &CONTRACTS,
                access: &RowFilter::Everything,
                equals: vec![(column, Value::Id(id))],
                people: None,
                date_between: None,
                due_by: None,
                not_in: Some(("status", &[DRAFT])),
                order_by: "start_date",
                limit: SHOWN,
            })
            .await?;
        for row in rows {
            if out.iter().any(|d| d.id == row.id) {
                continue;
            }
            out.push(PortalDocument {
                kind: RecordKind::Contract,
                id: row.id,
                number: text(&row.fields, "number").to_owned(),
                status: text(&row.fields, "status").to_owned(),
                total: int(&row.fields, "value").unwrap_or(0),
                issue_date: date(&row.fields, "start_date"),
            });
        }
    }
    Ok(out)
}
