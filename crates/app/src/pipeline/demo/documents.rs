//! The sales documents of the bulk generator's won deals, for the sales benchmark (issue 4):
//! each won deal was quoted, ordered and invoiced with the same lines, and most invoices were
//! paid in full or in part. Written in bulk like the deals (many rows per statement, no audit
//! entries), with amounts from the one place that computes them (`domain::sales::totals`).

use peyvand_domain::record::sales::{INVOICES, ORDERS, PAYMENTS, PRODUCTS, QUOTES};
use peyvand_domain::record::{self, Fields, Schema, Value};
use peyvand_domain::sales::totals::{LineAmounts, LineInput, document_totals, line_amounts};
use peyvand_store::{LineRow, NewRecord};
use time::{Date, Duration, OffsetDateTime};
use uuid::Uuid;

use super::{Dice, everything};
use crate::App;
use crate::error::{AppError, AppResult};

/// Won deals whose documents are written per transaction (each writes three documents, about
/// twenty lines and a payment or two).
const DEALS_PER_WRITE: usize = 2_000;

/// What the documents need to know of a won deal.
pub(super) struct WonDeal {
    /// The customer.
    pub account: Uuid,
    /// The deal's owner, who also owns its documents.
    pub owner: Uuid,
    /// The deal's branch.
    pub branch: Uuid,
    /// When the deal was won: the quote is accepted then, the order and invoice follow.
    pub won_at: OffsetDateTime,
}

/// A catalogue item the lines can sell: its id, base price and tax rate.
#[derive(Clone, Copy)]
struct Product {
    id: Uuid,
    price: i64,
    tax_bp: i64,
}

/// Rows of one transaction of the generator.
struct Batch {
    /// The generator's present: no document or payment is dated after it.
    now: OffsetDateTime,
    quotes: Vec<NewRecord>,
    orders: Vec<NewRecord>,
    invoices: Vec<NewRecord>,
    payments: Vec<NewRecord>,
    lines: Vec<LineRow>,
}

impl App {
    /// Writes a quote, an order and an invoice for each won deal, `invoice_lines` invoice lines
    /// in all (spread so that invoices have one to a dozen lines), and payments for most
    /// invoices.
    pub(super) async fn seed_won_deal_documents(
        &self,
        won: &[WonDeal],
        invoice_lines: usize,
    ) -> AppResult<()> {
        let products = catalogue(self).await?;
        if won.is_empty() || products.is_empty() {
            return Ok(());
        }
        let mut dice = Dice(0x6A09_E667_F3BC_C908);
        let per_deal = (invoice_lines / won.len()).max(1);
        let extra = invoice_lines.saturating_sub(per_deal * won.len());
        let mut done = 0;
        while done < won.len() {
            let end = (done + DEALS_PER_WRITE).min(won.len());
            let mut batch = Batch::new(self.now());
            let mut index = done;
            while index < end {
                let (a, b) = line_counts(&mut dice, per_deal, index, end, extra);
                batch.add_deal(&mut dice, &won[index], index, a, &products)?;
                if let Some(b) = b {
                    batch.add_deal(&mut dice, &won[index + 1], index + 1, b, &products)?;
                    index += 1;
                }
                index += 1;
            }
            self.write_large(move |tx| {
                Box::pin(async move {
                    tx.insert_records(&QUOTES, &batch.quotes).await?;
                    tx.insert_records(&ORDERS, &batch.orders).await?;
                    tx.insert_records(&INVOICES, &batch.invoices).await?;
                    tx.insert_records(&PAYMENTS, &batch.payments).await?;
                    tx.insert_sales_lines_bulk(&batch.lines).await?;
                    Ok(())
                })
            })
            .await?;
            done = end;
        }
        Ok(())
    }
}

/// The line counts of the deal at `index` and, when there is one in the batch, of the next:
/// the two vary around `per_deal` in opposite directions so their sum stays `2 × per_deal`,
/// and the first `extra` deals get one line more, so the total is exactly what was asked.
fn line_counts(
    dice: &mut Dice,
    per_deal: usize,
    index: usize,
    end: usize,
    extra: usize,
) -> (usize, Option<usize>) {
    let bonus = |i: usize| usize::from(i < extra);
    if index + 1 >= end {
        return (per_deal + bonus(index), None);
    }
    let spread = usize::try_from(dice.below(per_deal.min(6) as u64)).unwrap_or(0);
    (
        per_deal + spread + bonus(index),
        Some(per_deal - spread + bonus(index + 1)),
    )
}

/// The demo catalogue's sellable items (bundles too: they are sold as one line).
async fn catalogue(app: &App) -> AppResult<Vec<Product>> {
    let products = everything(app, &PRODUCTS)
        .await?
        .iter()
        .filter_map(|p| {
            let price = match p.fields.get("base_price") {
                Some(Value::Int(n)) if *n > 0 => *n,
                _ => return None,
            };
            let tax_bp = match p.fields.get("tax_rate_bp") {
                Some(Value::Int(n)) => *n,
                _ => 1_000,
            };
            Some(Product {
                id: p.id,
                price,
                tax_bp,
            })
        })
        .collect();
    Ok(products)
}

impl Batch {
    fn new(now: OffsetDateTime) -> Batch {
        Batch {
            now,
            quotes: Vec::new(),
            orders: Vec::new(),
            invoices: Vec::new(),
            payments: Vec::new(),
            lines: Vec::new(),
        }
    }

    /// Adds the documents of one won deal with `lines` lines.
    fn add_deal(
        &mut self,
        dice: &mut Dice,
        deal: &WonDeal,
        index: usize,
        lines: usize,
        products: &[Product],
    ) -> AppResult<()> {
        let inputs: Vec<(Product, LineInput)> = (0..lines)
            .map(|_| {
                let product = products[dice.below(products.len() as u64) as usize];
                let input = LineInput {
                    quantity: i64::try_from(dice.below(10) + 1).unwrap_or(1),
                    unit_price: product.price,
                    // Most lines at list price, some with the small discounts a rep may give.
                    discount_bp: [0, 0, 0, 500, 1_000][dice.below(5) as usize],
                    tax_bp: product.tax_bp,
                };
                (product, input)
            })
            .collect();
        let amounts = inputs
            .iter()
            .map(|(_, input)| line_amounts(input).map_err(AppError::Validation))
            .collect::<AppResult<Vec<LineAmounts>>>()?;
        let totals = document_totals(&amounts)
            .ok_or_else(|| AppError::Internal("generated document total overflows".into()))?;
        let max_discount = inputs.iter().map(|(_, i)| i.discount_bp).max().unwrap_or(0);
        let (quote, order, invoice) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let quoted = deal.won_at - Duration::days(i64::try_from(dice.below(20) + 3).unwrap_or(3));
        let delivered = (deal.won_at
            + Duration::days(i64::try_from(dice.below(10) + 1).unwrap_or(1)))
        .min(self.now);
        let paid = self.add_payments(dice, deal, invoice, index, totals.total, delivered);
        let status =
            peyvand_domain::sales::status::invoice_status_after_payments(totals.total, paid);
        let document = |number: String, extra: Vec<(&'static str, Value)>, at: OffsetDateTime| {
            let mut fields = common_fields(deal, number, &totals, at.date());
            fields.insert("max_discount_bp".into(), Value::Int(max_discount));
            fields.extend(extra.into_iter().map(|(k, v)| (k.into(), v)));
            fields
        };
        self.quotes.push(new_record(
            &QUOTES,
            quote,
            quoted,
            document(
                format!("Q-BENCH-{index:07}"),
                vec![
                    ("status", Value::Text("accepted".into())),
                    (
                        "valid_until",
                        Value::Date(quoted.date() + Duration::days(30)),
                    ),
                    ("order_id", Value::Id(order)),
                ],
                quoted,
            ),
        ));
        self.orders.push(new_record(
            &ORDERS,
            order,
            deal.won_at,
            document(
                format!("SO-BENCH-{index:07}"),
                vec![
                    ("status", Value::Text("delivered".into())),
                    ("delivery_date", Value::Date(delivered.date())),
                    ("quote_id", Value::Id(quote)),
                    ("invoice_id", Value::Id(invoice)),
                ],
                deal.won_at,
            ),
        ));
        self.invoices.push(new_record(
            &INVOICES,
            invoice,
            delivered,
            document(
                format!("INV-BENCH-{index:07}"),
                vec![
                    ("status", Value::Text(status.into())),
                    (
                        "due_date",
                        Value::Date(delivered.date() + Duration::days(30)),
                    ),
                    ("paid_total", Value::Int(paid)),
                    ("order_id", Value::Id(order)),
                ],
                delivered,
            ),
        ));
        for (kind, document) in [("quote", quote), ("order", order), ("invoice", invoice)] {
            for (position, ((product, input), amounts)) in inputs.iter().zip(&amounts).enumerate() {
                self.lines.push(line_row(
                    kind,
                    document,
                    position,
                    (product.id, String::new()),
                    input,
                    amounts,
                ));
            }
        }
        Ok(())
    }

    /// Adds the payments of one invoice and returns their sum: half the invoices paid in one
    /// payment, a fifth in two instalments, one in ten in part, the rest not yet paid; a
    /// payment that would fall after today is not made yet.
    fn add_payments(
        &mut self,
        dice: &mut Dice,
        deal: &WonDeal,
        invoice: Uuid,
        index: usize,
        total: i64,
        issued: OffsetDateTime,
    ) -> i64 {
        let parts: Vec<i64> = match dice.below(20) {
            0..=9 => vec![total],
            10..=13 => vec![total / 2, total - total / 2],
            14..=15 => vec![total / 3],
            _ => vec![],
        };
        let mut at = issued;
        for (k, amount) in parts.iter().enumerate() {
            at += Duration::days(i64::try_from(dice.below(40) + 1).unwrap_or(1));
            if at > self.now {
                return parts[..k].iter().sum();
            }
            let fields: Fields = [
                ("invoice_id", Value::Id(invoice)),
                ("amount", Value::Int(*amount)),
                ("paid_on", Value::Date(at.date())),
                (
                    "method",
                    Value::Text(METHODS[dice.below(4) as usize].into()),
                ),
                (
                    "reference",
                    Value::Text(format!("PAY-BENCH-{index:07}-{}", k + 1)),
                ),
                ("owner_id", Value::Id(deal.owner)),
                ("branch_id", Value::Id(deal.branch)),
            ]
            .into_iter()
            .map(|(k, v)| (k.into(), v))
            .collect();
            self.payments
                .push(new_record(&PAYMENTS, Uuid::now_v7(), at, fields));
        }
        parts.iter().sum()
    }
}

/// How the generated payments were made.
const METHODS: [&str; 4] = ["transfer", "card", "cheque", "cash"];

/// The fields every document of a deal shares: customer, totals, owner and branch.
fn common_fields(deal: &WonDeal, number: String, totals: &LineAmounts, issued: Date) -> Fields {
    [
        ("number", Value::Text(number)),
        ("account_id", Value::Id(deal.account)),
        ("issue_date", Value::Date(issued)),
        ("subtotal", Value::Int(totals.gross)),
        ("discount_total", Value::Int(totals.discount)),
        ("tax_total", Value::Int(totals.tax)),
        ("total", Value::Int(totals.total)),
        ("approval", Value::Text("not_required".into())),
        ("owner_id", Value::Id(deal.owner)),
        ("branch_id", Value::Id(deal.branch)),
    ]
    .into_iter()
    .map(|(k, v)| (k.into(), v))
    .collect()
}

fn new_record(schema: &Schema, id: Uuid, now: OffsetDateTime, fields: Fields) -> NewRecord {
    let search_text = record::search_text(schema, &fields);
    NewRecord::new(schema, id, now, fields, search_text)
}

/// A generated line of document `document` (of `kind`) at `position` (from 0), selling
/// `product_id` with the amounts computed from `input`.
pub(super) fn line_row(
    kind: &str,
    document: Uuid,
    position: usize,
    (product_id, description): (Uuid, String),
    input: &LineInput,
    amounts: &LineAmounts,
) -> LineRow {
    LineRow {
        id: Uuid::now_v7(),
        document_kind: kind.into(),
        document_id: document,
        position: i64::try_from(position).unwrap_or(0) + 1,
        product_id: Some(product_id),
        description,
        quantity: input.quantity,
        unit_price: input.unit_price,
        discount_bp: input.discount_bp,
        tax_bp: input.tax_bp,
        gross: amounts.gross,
        discount: amounts.discount,
        net: amounts.net,
        tax: amounts.tax,
        total: amounts.total,
    }
}
