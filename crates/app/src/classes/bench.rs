//! Generated purchases for the classification benchmark (`peyvand bench classes`): invoices
//! with lines spread over the existing customers and the last 400 days, written in bulk like
//! the demo's contacts (validated shapes, many rows per statement), without per-record audit.

use peyvand_domain::calendar::IRAN_OFFSET;
use peyvand_domain::permission::RowFilter;
use peyvand_domain::record::sales::{INVOICES, PRODUCTS};
use peyvand_domain::record::{ACCOUNTS, Fields, Value};
use peyvand_store::{CustomerTable, LineRow, ListQuery, NewRecord, SortKey};
use uuid::Uuid;

use crate::App;
use crate::error::{AppError, AppResult};

/// Invoices written per transaction.
const INVOICES_PER_WRITE: usize = 5_000;

/// A small deterministic generator (xorshift), so runs are comparable.
struct Dice(u64);

impl Dice {
    fn next(&mut self, below: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % below.max(1)
    }
}

async fn first_rows(
    app: &App,
    schema: &'static peyvand_domain::record::Schema,
) -> AppResult<Vec<peyvand_store::RecordRow>> {
    let mut tx = app.store.read().await?;
    Ok(tx
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
            after: None,
            limit: 100,
        })
        .await?)
}

impl App {
    /// Adds `invoices` invoices of `lines` lines each for random customers (one in ten an
    /// account's, the others a contact's); returns how many customers there are.
    pub async fn seed_purchases_bulk(&self, invoices: usize, lines: usize) -> AppResult<usize> {
        let products: Vec<(Uuid, i64)> = first_rows(self, &PRODUCTS)
            .await?
            .iter()
            .map(|p| {
                (
                    p.id,
                    match p.fields.get("base_price") {
                        Some(Value::Int(n)) => *n,
                        _ => 1_000_000,
                    },
                )
            })
            .collect();
        let place = first_rows(self, &ACCOUNTS)
            .await?
            .into_iter()
            .find_map(|a| {
                Some((
                    a.fields.get("owner_id")?.as_id()?,
                    a.fields.get("branch_id")?.as_id()?,
                ))
            })
            .ok_or(AppError::NotFound)?;
        if products.is_empty() {
            return Err(AppError::NotFound);
        }
        let mut customers: Vec<(CustomerTable, Uuid)> = Vec::new();
        let mut tx = self.store.read().await?;
        for table in [CustomerTable::Accounts, CustomerTable::Contacts] {
            tx.scan_customer_classes(table, false, |row| customers.push((table, row.id)))
                .await?;
        }
        drop(tx);
        let accounts = customers
            .iter()
            .filter(|c| c.0 == CustomerTable::Accounts)
            .count();
        let today = self.now().to_offset(IRAN_OFFSET).date();
        let now = self.now();
        let mut dice = Dice(0x9E37_79B9_7F4A_7C15);
        let mut done = 0;
        while done < invoices {
            let batch = (invoices - done).min(INVOICES_PER_WRITE);
            let mut records = Vec::with_capacity(batch);
            let mut rows = Vec::with_capacity(batch * lines);
            for i in done..done + batch {
                let customer = if i % 10 == 0 && accounts > 0 {
                    customers[dice.next(accounts as u64) as usize]
                } else {
                    customers[dice.next(customers.len() as u64) as usize]
                };
                let id = Uuid::now_v7();
                let mut subtotal = 0;
                for position in 0..lines {
                    let (product, price) = products[dice.next(products.len() as u64) as usize];
                    let quantity = 1 + dice.next(5) as i64;
                    let gross = quantity * price;
                    subtotal += gross;
                    rows.push(LineRow {
                        id: Uuid::now_v7(),
                        document_kind: "invoice".into(),
                        document_id: id,
                        position: position as i64 + 1,
                        product_id: Some(product),
                        description: String::new(),
                        quantity,
                        unit_price: price,
                        discount_bp: 0,
                        tax_bp: 0,
                        gross,
                        discount: 0,
                        net: gross,
                        tax: 0,
                        total: gross,
                    });
                }
                let status = match dice.next(20) {
                    0 => "cancelled",
                    1..=8 => "paid",
                    _ => "issued",
                };
                let day = today - time::Duration::days(dice.next(400) as i64);
                let (account, contact) = match customer.0 {
                    CustomerTable::Accounts => (Value::Id(customer.1), Value::Null),
                    CustomerTable::Contacts => (Value::Null, Value::Id(customer.1)),
                };
                let fields: Fields = [
                    ("number", Value::Text(format!("BENCH-{i:08}"))),
                    ("account_id", account),
                    ("contact_id", contact),
                    ("status", Value::Text(status.into())),
                    ("issue_date", Value::Date(day)),
                    ("subtotal", Value::Int(subtotal)),
                    ("discount_total", Value::Int(0)),
                    ("tax_total", Value::Int(0)),
                    ("total", Value::Int(subtotal)),
                    (
                        "paid_total",
                        Value::Int(if status == "paid" { subtotal } else { 0 }),
                    ),
                    ("approval", Value::Text("not_required".into())),
                    ("owner_id", Value::Id(place.0)),
                    ("branch_id", Value::Id(place.1)),
                ]
                .into_iter()
                .map(|(k, v)| (k.into(), v))
                .collect();
                let search_text = format!("bench-{i:08}");
                records.push(NewRecord::new(&INVOICES, id, now, fields, search_text));
            }
            self.write_large(move |tx| {
                Box::pin(async move {
                    tx.insert_records(&INVOICES, &records).await?;
                    tx.insert_sales_lines_bulk(&rows).await?;
                    Ok(())
                })
            })
            .await?;
            done += batch;
        }
        self.store.optimize().await?;
        Ok(customers.len())
    }
}
