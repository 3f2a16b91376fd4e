//! The sales benchmark's bulk generator (issue 4, `peyvand demo --opportunities N`), on SQLite
//! and PostgreSQL: the won deals' quotes, orders and invoices are whole documents — two invoice
//! lines per generated deal in all, totals that are the sums of their lines, payments that add
//! up to what each invoice says was paid — as the API reads them back; and most deals, the
//! demo's and the generated ones, have product lines whose total is their amount.

mod common;

use std::collections::HashMap;

use axum::http::StatusCode;
use common::{TestApp, backends};
use serde_json::Value;

const DEALS: usize = 600;

fn bench_documents(items: Vec<Value>) -> Vec<Value> {
    items
        .into_iter()
        .filter(|d| d["number"].as_str().is_some_and(|n| n.contains("-BENCH-")))
        .collect()
}

async fn lines_of(t: &TestApp, token: &str, kind: &str, id: &str) -> Vec<Value> {
    let reply = t.get(&format!("/api/v1/{kind}/{id}/lines"), token).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.json()["items"].as_array().unwrap().clone()
}

fn sum(lines: &[Value], amount: &str) -> i64 {
    lines.iter().map(|l| l[amount].as_i64().unwrap()).sum()
}

/// Checks that every deal with product lines has their total as its amount, and returns how
/// many deals have lines and how many there are.
async fn deals_with_lines(t: &TestApp, token: &str) -> (usize, usize) {
    let deals = t.list_all("/api/v1/opportunities", token).await;
    let mut with_lines = 0;
    for deal in &deals {
        let id = deal["id"].as_str().unwrap();
        let lines = lines_of(t, token, "opportunities", id).await;
        if lines.is_empty() {
            continue;
        }
        with_lines += 1;
        assert_eq!(
            deal["amount"].as_i64().unwrap(),
            sum(&lines, "total"),
            "{}: amount of {id}",
            t.name()
        );
        for line in &lines {
            assert!(line["product_id"].is_string(), "{}: {line}", t.name());
            assert!(line["unit_price"].as_i64().unwrap() > 0, "{line}");
        }
    }
    (with_lines, deals.len())
}

/// Asserts that a realistic share of deals — more than a third, not all — have lines.
fn assert_share(t: &TestApp, (with_lines, all): (usize, usize)) {
    assert!(
        with_lines * 3 > all && with_lines < all,
        "{}: {with_lines} of {all} deals have lines",
        t.name()
    );
}

#[tokio::test]
async fn won_deals_get_whole_documents_with_two_invoice_lines_per_deal() {
    for t in backends().await {
        let admin = t.token("admin@peyvand.demo").await;
        // The demo's own deals, made through the use cases, already sell products.
        let demo = deals_with_lines(&t, &admin).await;
        assert_share(&t, demo);
        t.app.seed_opportunities_bulk(DEALS).await.unwrap();
        // So do the generated ones, written in bulk.
        let (with_lines, all) = deals_with_lines(&t, &admin).await;
        assert_eq!(all, demo.1 + DEALS, "{}", t.name());
        assert_share(&t, (with_lines - demo.0, DEALS));
        let won = t
            .list_all("/api/v1/opportunities?status=won", &admin)
            .await
            .len();
        let invoices = bench_documents(t.list_all("/api/v1/invoices", &admin).await);
        let orders = bench_documents(t.list_all("/api/v1/orders", &admin).await);
        let quotes = bench_documents(t.list_all("/api/v1/quotes", &admin).await);
        // The demo's own deals are won too; the generated ones are most of them.
        assert!(
            invoices.len() > DEALS / 10,
            "{}: {}",
            t.name(),
            invoices.len()
        );
        assert!(invoices.len() <= won, "{}", t.name());
        assert_eq!(orders.len(), invoices.len(), "{}", t.name());
        assert_eq!(quotes.len(), invoices.len(), "{}", t.name());

        let mut paid: HashMap<String, i64> = HashMap::new();
        for payment in t.list_all("/api/v1/payments", &admin).await {
            let invoice = payment["invoice_id"].as_str().unwrap().to_owned();
            *paid.entry(invoice).or_default() += payment["amount"].as_i64().unwrap();
        }
        let mut invoice_lines = 0;
        let mut statuses: HashMap<String, usize> = HashMap::new();
        for invoice in &invoices {
            let id = invoice["id"].as_str().unwrap();
            let lines = lines_of(&t, &admin, "invoices", id).await;
            invoice_lines += lines.len();
            assert!(!lines.is_empty(), "{}: {id}", t.name());
            for amount in ["subtotal", "discount_total", "tax_total", "total"] {
                let line_amount = match amount {
                    "subtotal" => "gross",
                    "discount_total" => "discount",
                    "tax_total" => "tax",
                    _ => "total",
                };
                assert_eq!(
                    invoice[amount].as_i64().unwrap(),
                    sum(&lines, line_amount),
                    "{}: {amount} of {id}",
                    t.name()
                );
            }
            let received = paid.get(id).copied().unwrap_or(0);
            assert_eq!(
                invoice["paid_total"].as_i64().unwrap(),
                received,
                "{}",
                t.name()
            );
            let total = invoice["total"].as_i64().unwrap();
            let expected = if received == 0 {
                "issued"
            } else if received < total {
                "partly_paid"
            } else {
                "paid"
            };
            assert_eq!(invoice["status"], expected, "{}: {id}", t.name());
            *statuses
                .entry(invoice["status"].as_str().unwrap().to_owned())
                .or_default() += 1;
            // The order it came from has the same lines.
            let order = invoice["order_id"].as_str().unwrap();
            let order_lines = lines_of(&t, &admin, "orders", order).await;
            assert_eq!(sum(&order_lines, "total"), total, "{}", t.name());
        }
        assert_eq!(invoice_lines, 2 * DEALS, "{}", t.name());
        for status in ["issued", "partly_paid", "paid"] {
            assert!(statuses.contains_key(status), "{}: {statuses:?}", t.name());
        }
        for quote in &quotes {
            assert_eq!(quote["status"], "accepted", "{}", t.name());
            assert!(quote["order_id"].is_string(), "{}", t.name());
        }
    }
}
