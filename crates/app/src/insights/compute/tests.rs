//! The rules that join the analyses, on small hand-made facts.

use peyvand_store::{CustomerKind, CustomerRef, LineFact, OrderFact, ServiceCounts};
use time::macros::date;
use uuid::Uuid;

use super::*;

fn account(n: u128) -> CustomerRef {
    CustomerRef {
        kind: CustomerKind::Account,
        id: Uuid::from_u128(n),
    }
}

#[test]
fn margin_subtracts_quantity_times_cost_and_unknown_cost_counts_as_zero() {
    let mut facts = Facts::new(date!(2025 - 01 - 01));
    let line = |net, cost| LineFact {
        customer: account(1),
        date: date!(2025 - 01 - 01),
        invoice_id: Uuid::from_u128(9),
        product_id: Some(Uuid::from_u128(7)),
        quantity: 3,
        net,
        cost_price: cost,
    };
    facts.add_line(line(1_000, Some(200)));
    facts.add_line(line(500, None));
    assert_eq!(facts.margins[&account(1)], 1_000 - 600 + 500);
}

#[test]
fn cost_to_serve_weighs_cases_and_activities() {
    let counts = ServiceCounts {
        cases: 2,
        activities: 3,
        answered_surveys: 1,
    };
    assert_eq!(cost_to_serve(&counts), 2 * CASE_COST + 3 * ACTIVITY_COST);
}

#[test]
fn components_come_from_referrals_and_feedback() {
    let mut facts = Facts::new(date!(2025 - 01 - 01));
    for (customer, day, total) in [
        (1, date!(2024 - 01 - 10), 100_000),
        (1, date!(2024 - 06 - 10), 300_000),
        (2, date!(2024 - 03 - 01), 1_000_000),
        (3, date!(2024 - 12 - 01), 50_000),
    ] {
        facts.add_order(OrderFact {
            customer: account(customer),
            date: day,
            total,
        });
    }
    facts
        .referrals
        .insert(account(1).id, vec![account(2).id, account(3).id]);
    facts.add_service(
        account(2),
        ServiceCounts {
            cases: 1,
            activities: 0,
            answered_surveys: 2,
        },
    );
    facts.finish();
    let computed = compute(&facts);
    let row = |n| {
        computed
            .scores
            .iter()
            .find(|s| s.customer == account(n))
            .unwrap()
    };
    assert_eq!(row(1).referrals, 2);
    assert_eq!(
        row(1).clv_networking,
        (1_000_000 + 50_000) * NETWORK_SHARE_PERCENT / 100
    );
    assert_eq!(row(2).clv_learning, 2 * LEARNING_PER_ANSWER);
    assert_eq!(row(2).cost_to_serve, CASE_COST);
    assert_eq!(row(1).orders, 2);
    assert_eq!(row(1).revenue, 400_000);
    assert_eq!(row(1).last_order, date!(2024 - 06 - 10));
    assert_eq!(row(3).recency_days, 31);
    // Every customer's base and growth add up to the model's value.
    for s in &computed.scores {
        assert_eq!(s.clv_base + s.clv_growth, s.clv);
    }
}

#[test]
fn streamed_orders_are_reduced_per_customer_whatever_their_order_within_one() {
    // An account's orders come by contact first, so not by day; the summary must not care.
    let mut facts = Facts::new(date!(2025 - 01 - 01));
    for (customer, day, total) in [
        (1, date!(2024 - 06 - 10), 300_000),
        (1, date!(2024 - 01 - 10), 100_000),
        (2, date!(2024 - 03 - 01), 1_000_000),
    ] {
        facts.add_order(OrderFact {
            customer: account(customer),
            date: day,
            total,
        });
    }
    facts.finish();
    assert_eq!(facts.customers.len(), 2, "one summary per customer");
    let first = &facts.customers[0];
    assert_eq!((first.orders, first.revenue), (2, 400_000));
    assert_eq!(
        first.first,
        peyvand_analytics::dates::from_time(date!(2024 - 01 - 10))
    );
    assert_eq!(
        first.last,
        peyvand_analytics::dates::from_time(date!(2024 - 06 - 10))
    );
    let summary = first.clv.expect("a CLV summary");
    assert_eq!(summary.frequency, 1, "one repeat purchase");
    assert_eq!(
        summary.monetary_value, 300_000.0,
        "the repeat purchase's value"
    );
}

#[test]
fn streamed_lines_close_baskets_per_invoice_and_loyalty_per_customer() {
    let mut facts = Facts::new(date!(2025 - 01 - 01));
    let line = |customer, invoice, product, day| LineFact {
        customer: account(customer),
        date: day,
        invoice_id: Uuid::from_u128(invoice),
        product_id: Some(Uuid::from_u128(product)),
        quantity: 1,
        net: 100,
        cost_price: None,
    };
    for l in [
        line(1, 10, 7, date!(2024 - 01 - 01)),
        line(1, 10, 8, date!(2024 - 01 - 01)),
        line(1, 11, 7, date!(2024 - 02 - 01)),
        line(2, 12, 8, date!(2024 - 03 - 01)),
    ] {
        facts.add_line(l);
    }
    facts.finish();
    assert_eq!(facts.baskets, vec![vec![0, 1], vec![0], vec![1]]);
    assert_eq!(facts.products, vec![Uuid::from_u128(7), Uuid::from_u128(8)]);
    assert_eq!(facts.margins[&account(1)], 300);
    assert_eq!(facts.loyalty.len(), 2, "both customers get a class");
}
