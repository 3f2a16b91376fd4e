//! Products on opportunities (issue 4 §2) and quotes made from an opportunity (§6).
//!
//! An opportunity's product lines are `sales_lines` rows with document kind `opportunity`, and
//! they are edited by the same code as a quote's lines (`sales::apply_line_change`): the same
//! parsing, price proposal from the customer's price lists, validation and amounts from
//! `domain::sales::totals`. What differs is what the lines decide on their holder: a deal has
//! no approval and no totals fields; its `amount` becomes the total of its lines, written
//! through the generic update so the pipeline's rules and the stage history follow it.

use std::collections::BTreeMap;

use peyvand_domain::calendar::{CalendarKind, IRAN_OFFSET};
use peyvand_domain::permission::{Action, RecordKind};
use peyvand_domain::pipeline::opportunity::{is_closed, may_reopen};
use peyvand_domain::record::sales::QUOTES;
use peyvand_domain::record::{Fields, Input, Value};
use peyvand_domain::sales::AMOUNT_FROM_LINES;
use peyvand_domain::sales::status::DocumentKind;
use peyvand_store::{LineRow, RecordRow, Tx};
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::App;
use crate::auth::Session;
use crate::error::{AppError, AppResult};
use crate::records::{ListParams, RecordView, audit, create_in, read_checked, update_in, view};
use crate::sales::{LineChange, apply_line_change, copy_lines_onto, lines_totals};

/// The `document_kind` of an opportunity's rows in `sales_lines`.
pub const OPPORTUNITY_LINES: &str = "opportunity";

/// The most quotes an opportunity's page lists (newest first).
pub const QUOTES_LISTED: u64 = 50;

/// A quote made from an opportunity, with what it became.
#[derive(Debug, Clone)]
pub struct OpportunityQuote {
    /// The quote.
    pub quote: RecordView,
    /// The order it was converted into, if the user may read it.
    pub order: Option<RecordView>,
    /// The invoice that order became, if the user may read it.
    pub invoice: Option<RecordView>,
}

/// A won or lost deal's lines change only for those who may alter a closed deal (its amount is
/// a result managers report on), as the pipeline's rules decide for its other fields.
fn check_open_or_reopenable(session: &Session, row: &RecordRow) -> AppResult<()> {
    let status = row
        .fields
        .get("status")
        .and_then(Value::as_text)
        .unwrap_or("open");
    let scope = session
        .actor
        .grants
        .scope(RecordKind::Opportunity, Action::Update);
    if is_closed(status) && !may_reopen(scope) {
        return Err(AppError::ReopenForbidden);
    }
    Ok(())
}

/// Adds, changes or removes a line of an opportunity the user may update, and sets its amount
/// to the total of its lines, in the caller's transaction.
pub(crate) async fn edit_lines_in(
    tx: &mut Tx,
    now: OffsetDateTime,
    session: &Session,
    id: Uuid,
    change: &LineChange,
    calendar: CalendarKind,
) -> AppResult<Vec<LineRow>> {
    let kind = RecordKind::Opportunity;
    let (row, _) = read_checked(tx, session, kind, id, Action::Update).await?;
    check_open_or_reopenable(session, &row)?;
    // A deal has no issue date: prices are proposed as they stand today in Iran.
    let today = now.to_offset(IRAN_OFFSET).date();
    let edited = apply_line_change(
        tx,
        session,
        &row,
        OPPORTUNITY_LINES,
        Some(today),
        change,
        calendar,
    )
    .await?;
    let total = edited.doc.totals().total;
    let inputs = BTreeMap::from([("amount".to_owned(), Input::Text(total.to_string()))]);
    let gregorian = CalendarKind::Gregorian;
    update_in(
        tx,
        now,
        session,
        kind,
        id,
        row.version,
        &inputs,
        gregorian,
        &[],
    )
    .await?;
    audit(tx, now, session, kind, id, "line", edited.summary()).await?;
    Ok(edited.lines)
}

/// Refuses an amount typed over a deal that has lines: with lines, the amount is their total
/// (what `edit_lines_in` writes). Called by the pipeline's rules when the amount changes.
pub(crate) async fn check_amount(tx: &mut Tx, id: Uuid, amount: Option<&Value>) -> AppResult<()> {
    let lines = tx.sales_lines(id).await?;
    if lines.is_empty() {
        return Ok(());
    }
    let total = lines_totals(&lines)?.total;
    if amount == Some(&Value::Int(total)) {
        Ok(())
    } else {
        Err(AppError::field("amount", AMOUNT_FROM_LINES))
    }
}

/// Removes a deleted opportunity's lines; a deal that quotes were made from stays (the quotes
/// name it), like a loss reason in use.
pub(crate) async fn before_delete(tx: &mut Tx, row: &RecordRow) -> AppResult<()> {
    let query = peyvand_store::ListQuery {
        schema: &QUOTES,
        access: &peyvand_domain::permission::RowFilter::Everything,
        equals: vec![("opportunity_id".to_owned(), Value::Id(row.id))],
        tag: None,
        search: vec![],
        ids: None,
        sort: peyvand_store::SortKey {
            field: "id".into(),
            descending: false,
        },
        after: None,
        limit: 1,
    };
    if tx.count_records(&query).await? > 0 {
        return Err(AppError::InUse);
    }
    tx.delete_sales_lines_of(row.id).await?;
    Ok(())
}

async fn quote_from_in(
    tx: &mut Tx,
    now: OffsetDateTime,
    session: &Session,
    id: Uuid,
) -> AppResult<RecordView> {
    let kind = RecordKind::Opportunity;
    let (row, _) = read_checked(tx, session, kind, id, Action::Update).await?;
    let mut inputs = BTreeMap::new();
    for name in ["account_id", "contact_id", "owner_id", "branch_id"] {
        if let Some(Value::Id(value)) = row.fields.get(name) {
            inputs.insert(name.to_owned(), Input::Text(value.to_string()));
        }
    }
    let quote_kind = RecordKind::Quote;
    let gregorian = CalendarKind::Gregorian;
    let created = create_in(tx, now, session, quote_kind, &inputs, gregorian, &[]).await?;
    let schema = session.schema(quote_kind);
    let quote = tx
        .get_record(schema, created.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let lines = tx.sales_lines(id).await?;
    let link = Fields::from([("opportunity_id".into(), Value::Id(id))]);
    let quote =
        copy_lines_onto(tx, now, session, DocumentKind::Quote, &quote, &lines, link).await?;
    let number = quote.fields.get("number").and_then(Value::as_text);
    audit(
        tx,
        now,
        session,
        kind,
        id,
        "quote",
        json!({ "number": [null, number] }),
    )
    .await?;
    Ok(view(session, schema, quote))
}

impl App {
    /// Makes a draft quote from an opportunity the user may update: its customer, owner and
    /// branch, and a copy of its lines at their prices. The quote keeps `opportunity_id`. A
    /// deal may have several quotes (revisions); each call makes a new one.
    pub async fn quote_from_opportunity(
        &self,
        session: &Session,
        id: Uuid,
    ) -> AppResult<RecordView> {
        let (now, session) = (self.now(), session.clone());
        self.write(move |tx| Box::pin(async move { quote_from_in(tx, now, &session, id).await }))
            .await
    }

    /// The quotes made from an opportunity the user may read (those they may read themselves,
    /// newest first), each with the order and invoice it became.
    pub async fn opportunity_quotes(
        &self,
        session: &Session,
        id: Uuid,
    ) -> AppResult<Vec<OpportunityQuote>> {
        self.get(session, RecordKind::Opportunity, id).await?;
        let params = ListParams {
            filters: BTreeMap::from([("opportunity_id".to_owned(), id.to_string())]),
            sort: Some("-created_at".into()),
            limit: Some(QUOTES_LISTED),
            ..Default::default()
        };
        let quotes = self.list(session, RecordKind::Quote, &params).await?.items;
        let mut found = Vec::with_capacity(quotes.len());
        for quote in quotes {
            let order = self
                .linked(session, &quote, "order_id", RecordKind::Order)
                .await;
            let invoice = match &order {
                Some(order) => {
                    self.linked(session, order, "invoice_id", RecordKind::Invoice)
                        .await
                }
                None => None,
            };
            found.push(OpportunityQuote {
                quote,
                order,
                invoice,
            });
        }
        Ok(found)
    }

    /// The record `from`'s field `link` names, when there is one the user may read.
    async fn linked(
        &self,
        session: &Session,
        from: &RecordView,
        link: &str,
        kind: RecordKind,
    ) -> Option<RecordView> {
        let id = from.get(link).as_id()?;
        self.get(session, kind, id).await.ok()
    }
}
