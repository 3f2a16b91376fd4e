//! Demo sales data: a small catalogue with a bundle and a wholesale price list, and quotes,
//! orders, invoices and payments for the demo accounts, made through the same use cases as
//! people use (so numbers, totals and statuses are what the application computes).

use std::collections::BTreeMap;

use peyvand_domain::calendar::CalendarKind;
use peyvand_domain::permission::RecordKind;
use peyvand_domain::record::Input;
use uuid::Uuid;

use super::LineChange;
use super::documents::{convert_in, edit_lines_in, move_in};
use crate::App;
use crate::auth::Session;
use crate::error::AppResult;
use crate::records::create_in;

/// Code, name, kind, unit, base price (Rials) and tax rate (percent) of the demo catalogue.
const PRODUCTS: &[(&str, &str, &str, &str, i64, &str)] = &[
    (
        "LP-100",
        "لپ‌تاپ اداری",
        "product",
        "دستگاه",
        450_000_000,
        "10",
    ),
    (
        "MN-24",
        "نمایشگر ۲۴ اینچ",
        "product",
        "دستگاه",
        95_000_000,
        "10",
    ),
    (
        "KB-01",
        "صفحه‌کلید و ماوس",
        "product",
        "بسته",
        6_500_000,
        "10",
    ),
    (
        "SV-INST",
        "نصب و راه‌اندازی",
        "service",
        "ساعت",
        3_000_000,
        "0",
    ),
    (
        "SV-SUP",
        "پشتیبانی سالانه",
        "service",
        "سال",
        120_000_000,
        "10",
    ),
    ("PK-OFF", "بسته اداری", "bundle", "بسته", 540_000_000, "10"),
];

fn text(pairs: &[(&str, String)]) -> BTreeMap<String, Input> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), Input::Text(v.clone())))
        .collect()
}

impl App {
    /// Creates the demo catalogue and a few documents for each of `accounts` (owned by
    /// `owners` in turn): every account gets a quote; most quotes are sent, some become orders,
    /// some orders invoices, and some invoices are paid in part or in full.
    pub(crate) async fn seed_sales(
        &self,
        system: &Session,
        owners: &[(Uuid, String)],
        accounts: &[Uuid],
    ) -> AppResult<()> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let mut products = Vec::new();
        for (code, name, kind, unit, price, tax) in PRODUCTS {
            let inputs = text(&[
                ("code", (*code).into()),
                ("name", (*name).into()),
                ("product_kind", (*kind).into()),
                ("unit", (*unit).into()),
                ("base_price", price.to_string()),
                // The demo's goods cost the company seven tenths of their list price, so
                // margins and the profitability analyses have something to show.
                ("cost_price", (price * 7 / 10).to_string()),
                ("tax_rate_bp", (*tax).into()),
            ]);
            let product = create_in(
                &mut tx,
                now,
                system,
                RecordKind::Product,
                &inputs,
                CalendarKind::Gregorian,
                &[],
            )
            .await?;
            products.push(product.id);
        }
        let bundle = products[5];
        for (component, quantity) in [(products[0], 1), (products[1], 1), (products[2], 1)] {
            let inputs = text(&[
                ("bundle_id", bundle.to_string()),
                ("product_id", component.to_string()),
                ("quantity", quantity.to_string()),
            ]);
            create_in(
                &mut tx,
                now,
                system,
                RecordKind::BundleItem,
                &inputs,
                CalendarKind::Gregorian,
                &[],
            )
            .await?;
        }
        let list = create_in(
            &mut tx,
            now,
            system,
            RecordKind::PriceList,
            &text(&[
                ("name", "فهرست قیمت عمده‌فروشی".into()),
                ("customer_kinds", "wholesale".into()),
                ("valid_from", "2024-03-20".into()),
            ]),
            CalendarKind::Gregorian,
            &[],
        )
        .await?;
        for (product, price) in [(products[0], 420_000_000i64), (products[1], 88_000_000)] {
            let inputs = text(&[
                ("price_list_id", list.id.to_string()),
                ("product_id", product.to_string()),
                ("unit_price", price.to_string()),
            ]);
            create_in(
                &mut tx,
                now,
                system,
                RecordKind::PriceListItem,
                &inputs,
                CalendarKind::Gregorian,
                &[],
            )
            .await?;
        }
        for (i, account) in accounts.iter().enumerate() {
            let (owner, branch) = &owners[i % owners.len()];
            self.seed_deal(
                &mut tx,
                now,
                system,
                i,
                *account,
                (*owner, branch),
                &products,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// One account's quote and, depending on `i`, what became of it.
    #[allow(clippy::too_many_arguments)]
    async fn seed_deal(
        &self,
        tx: &mut peyvand_store::Tx,
        now: time::OffsetDateTime,
        system: &Session,
        i: usize,
        account: Uuid,
        (owner, branch): (Uuid, &String),
        products: &[Uuid],
    ) -> AppResult<()> {
        let quote = create_in(
            tx,
            now,
            system,
            RecordKind::Quote,
            &text(&[
                ("account_id", account.to_string()),
                ("owner_id", owner.to_string()),
                ("branch_id", branch.clone()),
            ]),
            CalendarKind::Gregorian,
            &[],
        )
        .await?;
        let lines = [
            (
                products[i % 3],
                (i % 4 + 1).to_string(),
                if i.is_multiple_of(3) { "5" } else { "0" },
            ),
            (products[3], "4".to_owned(), "0"),
        ];
        for (product, quantity, discount) in lines {
            let change = LineChange::Add(text(&[
                ("product_id", product.to_string()),
                ("quantity", quantity),
                ("discount_bp", discount.into()),
            ]));
            edit_lines_in(
                tx,
                now,
                system,
                RecordKind::Quote,
                quote.id,
                &change,
                CalendarKind::Gregorian,
            )
            .await?;
        }
        if i % 5 == 4 {
            return Ok(());
        }
        move_in(tx, now, system, RecordKind::Quote, quote.id, "sent".into()).await?;
        if i % 5 == 3 {
            return Ok(());
        }
        let order = convert_in(tx, now, system, RecordKind::Quote, quote.id).await?;
        if i % 5 == 2 {
            return Ok(());
        }
        let invoice = convert_in(tx, now, system, RecordKind::Order, order.id).await?;
        let total = match invoice.get("total") {
            peyvand_domain::record::Value::Int(total) => *total,
            _ => 0,
        };
        let paid = if i.is_multiple_of(5) {
            total
        } else {
            total / 2
        };
        let payment = text(&[
            ("invoice_id", invoice.id.to_string()),
            ("amount", paid.to_string()),
            ("paid_on", now.date().to_string()),
            ("method", "transfer".into()),
            ("reference", format!("TRX-{:05}", i + 1)),
        ]);
        create_in(
            tx,
            now,
            system,
            RecordKind::Payment,
            &payment,
            CalendarKind::Gregorian,
            &[],
        )
        .await?;
        Ok(())
    }
}
