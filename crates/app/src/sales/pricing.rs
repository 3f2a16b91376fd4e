//! The unit price proposed for a product on a document for a customer.

use peyvand_domain::calendar::IRAN_OFFSET;
use peyvand_domain::permission::{Action, RecordKind};
use peyvand_domain::record::{Fields, Value};
use peyvand_domain::sales::pricing::{
    CustomerProfile, PriceListPrice, ProposedPrice, propose_price,
};
use peyvand_store::{PriceListPriceRow, RecordRow, Tx};
use uuid::Uuid;

use super::{id, int, text};
use crate::App;
use crate::auth::Session;
use crate::error::{AppError, AppResult};
use crate::records::read_checked;

fn tags(value: &Value) -> Vec<String> {
    match value {
        Value::Tags(tags) => tags.clone(),
        _ => Vec::new(),
    }
}

fn date(value: &Value) -> Option<time::Date> {
    match value {
        Value::Date(date) => Some(*date),
        _ => None,
    }
}

fn price_from(row: PriceListPriceRow) -> PriceListPrice {
    let [active, from, until, kinds, customer_tags, classes] = row.conditions;
    PriceListPrice {
        price_list_id: row.price_list_id,
        // A list nobody switched off is in use.
        active: active != Value::Bool(false),
        valid_from: date(&from),
        valid_until: date(&until),
        customer_kinds: tags(&kinds),
        customer_tags: tags(&customer_tags),
        customer_classes: tags(&classes),
        unit_price: row.unit_price,
    }
}

/// What price lists look at in a customer record: its kind, tags and `customer_class`, the
/// class customer classification gave it (issue 4 §8, `app::classes`).
fn profile(fields: &Fields) -> CustomerProfile {
    CustomerProfile {
        customer_kind: Some(text(fields, "customer_kind").to_owned()).filter(|k| !k.is_empty()),
        tags: fields.get("tags").map(tags).unwrap_or_default(),
        classes: fields
            .get("customer_class")
            .and_then(Value::as_text)
            .map(|class| vec![class.to_owned()])
            .unwrap_or_default(),
    }
}

/// The price proposed for `product` on `record` — a document or an opportunity — for its
/// customer on `day` (a document's issue date, an opportunity's today).
pub(super) async fn proposed_in(
    tx: &mut Tx,
    record: &RecordRow,
    product: &RecordRow,
    day: time::Date,
) -> AppResult<ProposedPrice> {
    // The record was read with the actor's rights; its customer is read as the system, because
    // a price must not depend on who edits the record.
    let customer = match (
        id(&record.fields, "account_id"),
        id(&record.fields, "contact_id"),
    ) {
        (Some(account), _) => {
            tx.get_record(&peyvand_domain::record::ACCOUNTS, account)
                .await?
        }
        (None, Some(contact)) => {
            tx.get_record(&peyvand_domain::record::CONTACTS, contact)
                .await?
        }
        (None, None) => None,
    };
    let customer = customer.map(|c| profile(&c.fields)).unwrap_or_default();
    proposed(tx, product, &customer, day).await
}

/// The price proposed for `product` to `customer` (an account or contact as stored) on `day`:
/// for generated data that prices many lines at once, with no document to hold them yet.
pub(crate) async fn proposed_for(
    tx: &mut Tx,
    customer: &RecordRow,
    product: &RecordRow,
    day: time::Date,
) -> AppResult<i64> {
    Ok(proposed(tx, product, &profile(&customer.fields), day)
        .await?
        .unit_price)
}

async fn proposed(
    tx: &mut Tx,
    product: &RecordRow,
    customer: &CustomerProfile,
    day: time::Date,
) -> AppResult<ProposedPrice> {
    let prices: Vec<PriceListPrice> = tx
        .product_prices(product.id)
        .await?
        .into_iter()
        .map(price_from)
        .collect();
    Ok(propose_price(
        int(&product.fields, "base_price"),
        &prices,
        customer,
        day,
    ))
}

impl App {
    /// The unit price proposed for a product sold to a customer (an account or contact the
    /// user may read) on a day (today when not given).
    pub async fn propose_price(
        &self,
        session: &Session,
        customer: (RecordKind, Uuid),
        product_id: Uuid,
        day: Option<time::Date>,
    ) -> AppResult<ProposedPrice> {
        if !matches!(customer.0, RecordKind::Account | RecordKind::Contact) {
            return Err(AppError::NotFound);
        }
        let mut tx = self.store.read().await?;
        let (customer_row, _) =
            read_checked(&mut tx, session, customer.0, customer.1, Action::Read).await?;
        let (product, _) = read_checked(
            &mut tx,
            session,
            RecordKind::Product,
            product_id,
            Action::Read,
        )
        .await?;
        let day = day.unwrap_or_else(|| self.now().to_offset(IRAN_OFFSET).date());
        proposed(&mut tx, &product, &profile(&customer_row.fields), day).await
    }
}
