//! The rest of a customer's transactions in the 360° view (issue 4 §9): their opportunities,
//! open and closed, and their payment punctuality (`domain::sales::punctuality`, computed over
//! the invoices and payments the user may read).

use std::collections::BTreeMap;

use peyvand_domain::permission::{Action, RecordKind, RowFilter};
use peyvand_domain::sales::punctuality::{Punctuality, punctuality};
use uuid::Uuid;

use crate::App;
use crate::auth::Session;
use crate::error::{AppError, AppResult};
use crate::org::filter_for;
use crate::records::{ListParams, RecordView};

/// How many opportunities the 360° view lists.
const OPPORTUNITIES_SHOWN: u64 = 50;

/// A customer's opportunities and payment punctuality. A part is None when the user may not
/// read its kind (the page leaves the section out).
#[derive(Debug, Clone, Default)]
pub struct CustomerSales {
    /// Opportunities, newest first.
    pub opportunities: Option<Vec<RecordView>>,
    /// Payment punctuality over the customer's invoices.
    pub punctuality: Option<Punctuality>,
}

/// The field that names a customer of `kind` on an opportunity or an invoice.
fn customer_column(kind: RecordKind) -> Option<&'static str> {
    match kind {
        RecordKind::Account => Some("account_id"),
        RecordKind::Contact => Some("contact_id"),
        _ => None,
    }
}

impl App {
    /// The opportunities and payment punctuality of a customer the user may read.
    pub async fn customer_sales(
        &self,
        session: &Session,
        kind: RecordKind,
        id: Uuid,
    ) -> AppResult<CustomerSales> {
        let Some(column) = customer_column(kind) else {
            return Ok(CustomerSales::default());
        };
        // The customer itself must be readable, or nothing is shown.
        self.get(session, kind, id).await?;
        let of_customer = ListParams {
            filters: BTreeMap::from([(column.to_owned(), id.to_string())]),
            sort: Some("-created_at".into()),
            limit: Some(OPPORTUNITIES_SHOWN),
            ..Default::default()
        };
        let opportunities = match self
            .list(session, RecordKind::Opportunity, &of_customer)
            .await
        {
            Ok(page) => Some(page.items),
            Err(AppError::Forbidden) => None,
            Err(other) => return Err(other),
        };
        let punctuality = self.punctuality_of(session, column, id).await?;
        Ok(CustomerSales {
            opportunities,
            punctuality,
        })
    }

    /// Punctuality over the customer's invoices and their payments that the user may read;
    /// None when they may read no invoices.
    async fn punctuality_of(
        &self,
        session: &Session,
        column: &'static str,
        id: Uuid,
    ) -> AppResult<Option<Punctuality>> {
        let mut tx = self.store.read().await?;
        let invoices_access =
            filter_for(&mut tx, session, RecordKind::Invoice, Action::Read).await?;
        if invoices_access == RowFilter::Nothing {
            return Ok(None);
        }
        let invoices = tx.invoice_dues(&invoices_access, column, id).await?;
        let payments_access =
            filter_for(&mut tx, session, RecordKind::Payment, Action::Read).await?;
        let ids: Vec<Uuid> = invoices.iter().map(|i| i.id).collect();
        let payments = if payments_access == RowFilter::Nothing || ids.is_empty() {
            Vec::new()
        } else {
            tx.payments_made(&payments_access, &ids).await?
        };
        tx.commit().await?;
        Ok(Some(punctuality(&invoices, &payments, self.now().date())))
    }
}
