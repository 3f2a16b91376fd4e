//! Product lines on demo and generated deals (issue 4 §2). A share of deals sell items of the
//! demo catalogue, priced for the deal's customer as a line added by hand would be, and their
//! amount is the lines' total, as the application keeps it for every deal with lines; the
//! other deals keep an amount typed by hand (an estimate before products are chosen).
//!
//! The lines are drawn from a dice of their own, so the rest of the generated data (stages,
//! outcomes, dates) is the same as without them.

use std::collections::{BTreeMap, HashMap};

use peyvand_domain::calendar::{CalendarKind, IRAN_OFFSET};
use peyvand_domain::permission::RecordKind;
use peyvand_domain::record::sales::PRODUCTS;
use peyvand_domain::record::{self, Input, Value};
use peyvand_domain::sales::percent::percent_input_text;
use peyvand_domain::sales::totals::{LineInput, document_totals, line_amounts};
use peyvand_store::{LineRow, RecordRow};
use uuid::Uuid;

use super::documents::line_row;
use super::{Dice, everything};
use crate::App;
use crate::auth::Session;
use crate::error::{AppError, AppResult};
use crate::pipeline::OPPORTUNITY_LINES;
use crate::sales::{LineChange, proposed_for};

/// Of every five deals, this many have product lines.
const WITH_LINES_OF_FIVE: u64 = 3;

/// One line a deal gets: which catalogue item, how many, and the discount.
#[derive(Debug, Clone, Copy)]
pub(super) struct LinePick {
    /// Index into the catalogue.
    product: usize,
    quantity: i64,
    discount_bp: i64,
}

/// The lines of the next deal: none for two deals in five, else one to three items of a
/// catalogue of `products`, one to five of each, a few with a small discount.
pub(super) fn pick_lines(dice: &mut Dice, products: usize) -> Vec<LinePick> {
    if products == 0 || dice.below(5) >= WITH_LINES_OF_FIVE {
        return Vec::new();
    }
    let count = dice.below(3) + 1;
    (0..count)
        .map(|_| LinePick {
            product: usize::try_from(dice.below(products as u64)).unwrap_or(0),
            quantity: i64::try_from(dice.below(5) + 1).unwrap_or(1),
            discount_bp: [0, 0, 0, 500][usize::try_from(dice.below(4)).unwrap_or(0)],
        })
        .collect()
}

/// The sellable items of the demo catalogue: active, with a base price (bundles too, sold as
/// one line), in a stable order.
pub(super) async fn sellable_products(app: &App) -> AppResult<Vec<RecordRow>> {
    let products = everything(app, &PRODUCTS).await?;
    Ok(products
        .into_iter()
        .filter(|p| p.fields.get("active") != Some(&Value::Bool(false)))
        .filter(|p| matches!(p.fields.get("base_price"), Some(Value::Int(n)) if *n > 0))
        .collect())
}

impl App {
    /// Adds `picks` to a demo deal through the use case a person uses on the deal's page: the
    /// price is proposed for the deal's customer and the deal's amount becomes the total.
    pub(super) async fn add_demo_deal_lines(
        &self,
        system: &Session,
        deal: Uuid,
        products: &[RecordRow],
        picks: &[LinePick],
    ) -> AppResult<()> {
        for pick in picks {
            let inputs = BTreeMap::from([
                (
                    "product_id".to_owned(),
                    Input::Text(products[pick.product].id.to_string()),
                ),
                (
                    "quantity".to_owned(),
                    Input::Text(pick.quantity.to_string()),
                ),
                // Typed as a percentage, as on the deal's page.
                (
                    "discount_bp".to_owned(),
                    Input::Text(percent_input_text(pick.discount_bp)),
                ),
            ]);
            self.edit_document_lines(
                system,
                RecordKind::Opportunity,
                deal,
                LineChange::Add(inputs),
                CalendarKind::Gregorian,
            )
            .await?;
        }
        Ok(())
    }
}

/// The catalogue of the bulk generator with each customer's price of each item, proposed once
/// per pair (as of today in Iran, as for a line added to a deal) rather than once per line.
pub(super) struct DealPricing {
    products: Vec<RecordRow>,
    /// Unit price by (customer, product).
    prices: HashMap<(Uuid, Uuid), i64>,
}

impl DealPricing {
    /// Prices every sellable item for every one of `customers` (the demo's few accounts).
    pub(super) async fn load(app: &App, customers: &[RecordRow]) -> AppResult<DealPricing> {
        let products = sellable_products(app).await?;
        let day = app.now().to_offset(IRAN_OFFSET).date();
        let mut prices = HashMap::new();
        let mut tx = app.store.read().await?;
        for customer in customers {
            for product in &products {
                let price = proposed_for(&mut tx, customer, product, day).await?;
                prices.insert((customer.id, product.id), price);
            }
        }
        tx.commit().await?;
        Ok(DealPricing { products, prices })
    }

    /// How many items can be sold.
    pub(super) fn len(&self) -> usize {
        self.products.len()
    }

    /// The rows of `picks` on deal `deal` of `customer`, amounts computed by
    /// `domain::sales::totals`, and their total.
    pub(super) fn rows(
        &self,
        deal: Uuid,
        customer: Uuid,
        picks: &[LinePick],
    ) -> AppResult<(Vec<LineRow>, i64)> {
        let mut rows = Vec::with_capacity(picks.len());
        let mut amounts = Vec::with_capacity(picks.len());
        for (position, pick) in picks.iter().enumerate() {
            let product = &self.products[pick.product];
            let input = LineInput {
                quantity: pick.quantity,
                unit_price: self.price(customer, product),
                discount_bp: pick.discount_bp,
                tax_bp: match product.fields.get("tax_rate_bp") {
                    Some(Value::Int(bp)) => *bp,
                    _ => 0,
                },
            };
            let line = line_amounts(&input).map_err(AppError::Validation)?;
            // As a line added by hand: described by the product's name.
            let sold = (product.id, record::title(&PRODUCTS, &product.fields));
            rows.push(line_row(
                OPPORTUNITY_LINES,
                deal,
                position,
                sold,
                &input,
                &line,
            ));
            amounts.push(line);
        }
        let total = document_totals(&amounts)
            .ok_or_else(|| AppError::Internal("generated deal total overflows".into()))?
            .total;
        Ok((rows, total))
    }

    /// The customer's price of `product`, its base price for a customer not priced.
    fn price(&self, customer: Uuid, product: &RecordRow) -> i64 {
        self.prices
            .get(&(customer, product.id))
            .copied()
            .unwrap_or_else(|| match product.fields.get("base_price") {
                Some(Value::Int(price)) => *price,
                _ => 0,
            })
    }
}
