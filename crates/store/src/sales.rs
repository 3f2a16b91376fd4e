//! Sales documents (issue 4): document lines, the counters that number documents, the prices
//! of a product on price lists, and sums of payments. The documents themselves and the
//! catalogue are ordinary records (`records.rs`).

use peyvand_domain::record::Value;
use sea_query::{Expr, ExprTrait, OnConflict, Order, Query};
use uuid::Uuid;

use crate::StoreResult;
use crate::tx::Tx;
use crate::values::{ColType, to_sql};

/// One line of a quote, order or invoice, with the amounts computed when it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineRow {
    /// The line's id.
    pub id: Uuid,
    /// `quote`, `order` or `invoice`.
    pub document_kind: String,
    /// The document it belongs to.
    pub document_id: Uuid,
    /// Its place among the document's lines (ascending, not necessarily contiguous).
    pub position: i64,
    /// The product sold, if it is a catalogue item.
    pub product_id: Option<Uuid>,
    /// What the line says.
    pub description: String,
    /// How many units.
    pub quantity: i64,
    /// Price of one unit in Rials.
    pub unit_price: i64,
    /// Discount in basis points.
    pub discount_bp: i64,
    /// Tax rate in basis points.
    pub tax_bp: i64,
    /// Quantity × unit price.
    pub gross: i64,
    /// Discount amount.
    pub discount: i64,
    /// Gross less discount.
    pub net: i64,
    /// Tax amount.
    pub tax: i64,
    /// Net plus tax.
    pub total: i64,
}

/// A price list's price for one product, with the list's conditions.
#[derive(Debug, Clone, PartialEq)]
pub struct PriceListPriceRow {
    /// The price list.
    pub price_list_id: Uuid,
    /// Its `active`, `valid_from`, `valid_until`, `customer_kinds`, `customer_tags` and
    /// `customer_classes` values, in that order.
    pub conditions: [Value; 6],
    /// The list's unit price for the product.
    pub unit_price: i64,
}

pub(crate) const LINE_COLUMNS: [&str; 15] = [
    "id",
    "document_kind",
    "document_id",
    "position",
    "product_id",
    "description",
    "quantity",
    "unit_price",
    "discount_bp",
    "tax_bp",
    "gross",
    "discount",
    "net",
    "tax",
    "total",
];

const LINE_TYPES: [ColType; 15] = [
    ColType::Id,
    ColType::Text,
    ColType::Id,
    ColType::Int,
    ColType::Id,
    ColType::Text,
    ColType::Int,
    ColType::Int,
    ColType::Int,
    ColType::Int,
    ColType::Int,
    ColType::Int,
    ColType::Int,
    ColType::Int,
    ColType::Int,
];

fn id(v: Uuid) -> sea_query::Value {
    to_sql(&Value::Id(v), ColType::Id)
}

fn int(v: i64) -> sea_query::Value {
    to_sql(&Value::Int(v), ColType::Int)
}

fn text(v: &str) -> sea_query::Value {
    to_sql(&Value::Text(v.to_owned()), ColType::Text)
}

pub(crate) fn line_values(row: &LineRow) -> [sea_query::Value; 15] {
    [
        id(row.id),
        text(&row.document_kind),
        id(row.document_id),
        int(row.position),
        to_sql(&row.product_id.map_or(Value::Null, Value::Id), ColType::Id),
        text(&row.description),
        int(row.quantity),
        int(row.unit_price),
        int(row.discount_bp),
        int(row.tax_bp),
        int(row.gross),
        int(row.discount),
        int(row.net),
        int(row.tax),
        int(row.total),
    ]
}

fn line_from(values: Vec<Value>) -> Option<LineRow> {
    let mut v = values.into_iter();
    let int = |v: Option<Value>| match v {
        Some(Value::Int(n)) => Some(n),
        _ => None,
    };
    Some(LineRow {
        id: v.next()?.as_id()?,
        document_kind: v.next()?.as_text()?.to_owned(),
        document_id: v.next()?.as_id()?,
        position: int(v.next())?,
        product_id: v.next()?.as_id(),
        description: v.next()?.as_text().unwrap_or_default().to_owned(),
        quantity: int(v.next())?,
        unit_price: int(v.next())?,
        discount_bp: int(v.next())?,
        tax_bp: int(v.next())?,
        gross: int(v.next())?,
        discount: int(v.next())?,
        net: int(v.next())?,
        tax: int(v.next())?,
        total: int(v.next())?,
    })
}

impl Tx {
    /// The next number of a document kind in a branch and year: 1 for the first. The counter
    /// row is written by this transaction, so concurrent creators wait for it (PostgreSQL's
    /// row lock, SQLite's single writer) and a rollback gives the number back: no gaps.
    pub async fn next_document_number(
        &mut self,
        document_kind: &str,
        branch_id: Uuid,
        year: i32,
    ) -> StoreResult<i64> {
        let mut upsert = Query::insert();
        upsert
            .into_table("document_counters")
            .columns(["document_kind", "branch_id", "year", "last_number"])
            .values_panic(
                [
                    text(document_kind),
                    id(branch_id),
                    int(i64::from(year)),
                    int(1),
                ]
                .map(Expr::val),
            )
            .on_conflict(
                OnConflict::columns(["document_kind", "branch_id", "year"])
                    .value(
                        "last_number",
                        Expr::col(("document_counters", "last_number")).add(1),
                    )
                    .to_owned(),
            );
        self.execute(&upsert).await?;
        let mut select = Query::select();
        select
            .from("document_counters")
            .column("last_number")
            .and_where(Expr::col("document_kind").eq(text(document_kind)))
            .and_where(Expr::col("branch_id").eq(id(branch_id)))
            .and_where(Expr::col("year").eq(int(i64::from(year))));
        self.fetch_count(&select).await
    }

    /// The lines of a document in order.
    pub async fn sales_lines(&mut self, document_id: Uuid) -> StoreResult<Vec<LineRow>> {
        let mut select = Query::select();
        select
            .from("sales_lines")
            .columns(LINE_COLUMNS)
            .and_where(Expr::col("document_id").eq(id(document_id)))
            .order_by("position", Order::Asc)
            .order_by("id", Order::Asc);
        let rows = self.fetch(&select, &LINE_TYPES).await?;
        Ok(rows.into_iter().filter_map(line_from).collect())
    }

    /// Stores a new line.
    pub async fn insert_sales_line(&mut self, row: &LineRow) -> StoreResult<()> {
        let mut insert = Query::insert();
        insert
            .into_table("sales_lines")
            .columns(LINE_COLUMNS)
            .values_panic(line_values(row).map(Expr::val));
        self.execute(&insert).await?;
        Ok(())
    }

    /// Replaces a line's values (its id, document and position stay).
    pub async fn update_sales_line(&mut self, row: &LineRow) -> StoreResult<()> {
        let mut update = Query::update();
        update.table("sales_lines");
        for (column, value) in LINE_COLUMNS.iter().zip(line_values(row)).skip(4) {
            update.value(*column, value);
        }
        update.and_where(Expr::col("id").eq(id(row.id)));
        self.execute(&update).await?;
        Ok(())
    }

    /// Removes one line.
    pub async fn delete_sales_line(&mut self, line_id: Uuid) -> StoreResult<()> {
        let mut delete = Query::delete();
        delete
            .from_table("sales_lines")
            .and_where(Expr::col("id").eq(id(line_id)));
        self.execute(&delete).await?;
        Ok(())
    }

    /// Removes every line of a document (when the document is deleted).
    pub async fn delete_sales_lines_of(&mut self, document_id: Uuid) -> StoreResult<()> {
        let mut delete = Query::delete();
        delete
            .from_table("sales_lines")
            .and_where(Expr::col("document_id").eq(id(document_id)));
        self.execute(&delete).await?;
        Ok(())
    }

    /// Every price list's price for a product, with the lists' conditions.
    pub async fn product_prices(
        &mut self,
        product_id: Uuid,
    ) -> StoreResult<Vec<PriceListPriceRow>> {
        let mut select = Query::select();
        select
            .from_as("price_list_items", "i")
            .inner_join(
                "price_lists",
                Expr::col(("price_lists", "id")).equals(("i", "price_list_id")),
            )
            .column(("price_lists", "id"))
            .column(("price_lists", "active"))
            .column(("price_lists", "valid_from"))
            .column(("price_lists", "valid_until"))
            .column(("price_lists", "customer_kinds"))
            .column(("price_lists", "customer_tags"))
            .column(("price_lists", "customer_classes"))
            .column(("i", "unit_price"))
            .and_where(Expr::col(("i", "product_id")).eq(id(product_id)));
        let types = [
            ColType::Id,
            ColType::Bool,
            ColType::Date,
            ColType::Date,
            ColType::Tags,
            ColType::Tags,
            ColType::Tags,
            ColType::Int,
        ];
        let rows = self.fetch(&select, &types).await?;
        Ok(rows
            .into_iter()
            .filter_map(|values| {
                let mut v = values.into_iter();
                let price_list_id = v.next()?.as_id()?;
                let conditions = [
                    v.next()?,
                    v.next()?,
                    v.next()?,
                    v.next()?,
                    v.next()?,
                    v.next()?,
                ];
                let Value::Int(unit_price) = v.next()? else {
                    return None;
                };
                Some(PriceListPriceRow {
                    price_list_id,
                    conditions,
                    unit_price,
                })
            })
            .collect())
    }

    /// The sum of the payments recorded against an invoice.
    pub async fn payments_total(&mut self, invoice_id: Uuid) -> StoreResult<i64> {
        let mut select = Query::select();
        select
            .from("payments")
            .expr(Expr::cust("CAST(COALESCE(SUM(amount), 0) AS BIGINT)"))
            .and_where(Expr::col("invoice_id").eq(id(invoice_id)));
        self.fetch_count(&select).await
    }
}
