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
        branch_id: Uuid::from_u128(100),
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
        branch_id: Uuid::from_u128(100 + customer),
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
    // Each basket keeps its invoice's branch.
    assert_eq!(
        facts.branches,
        vec![Uuid::from_u128(101), Uuid::from_u128(102)]
    );
    assert_eq!(facts.basket_branch, vec![0, 0, 1]);
    assert_eq!(facts.margins[&account(1)], 300);
    assert_eq!(facts.loyalty.len(), 2, "both customers get a class");
}

/// The demo's shape: the head office over Isfahan (over Kashan), Mashhad and Shiraz.
const HQ: u128 = 1;
const ISFAHAN: u128 = 2;
const KASHAN: u128 = 3;
const MASHHAD: u128 = 4;
const SHIRAZ: u128 = 5;

fn branch_tree() -> Vec<(Uuid, Option<Uuid>)> {
    let id = Uuid::from_u128;
    vec![
        (id(HQ), None),
        (id(ISFAHAN), Some(id(HQ))),
        (id(KASHAN), Some(id(ISFAHAN))),
        (id(MASHHAD), Some(id(HQ))),
        (id(SHIRAZ), Some(id(HQ))),
    ]
}

/// Facts with `count` invoices of `branch`, each with the products `products`.
fn add_baskets(facts: &mut Facts, branch: u128, products: &[u128], count: usize) {
    for _ in 0..count {
        let invoice = Uuid::now_v7();
        for &product in products {
            facts.add_line(LineFact {
                customer: account(branch),
                date: date!(2024 - 01 - 01),
                invoice_id: invoice,
                branch_id: Uuid::from_u128(branch),
                product_id: Some(Uuid::from_u128(product)),
                quantity: 1,
                net: 100,
                cost_price: None,
            });
        }
    }
}

fn rules_of(computed: &Computed, branch: u128) -> &BranchRules {
    computed
        .branch_rules
        .iter()
        .find(|set| set.branch_id == Uuid::from_u128(branch))
        .unwrap()
}

/// The (antecedent, consequent) products of single-product rules.
fn pairs(rules: &[RuleRow]) -> Vec<(u128, u128)> {
    let mut pairs: Vec<(u128, u128)> = rules
        .iter()
        .map(|r| (r.antecedents[0].as_u128(), r.consequents[0].as_u128()))
        .collect();
    pairs.sort();
    pairs
}

#[test]
fn branch_rules_come_from_the_invoices_of_the_branch_subtree_only() {
    let mut facts = Facts::new(date!(2025 - 01 - 01));
    facts.branch_tree = branch_tree();
    // Kashan sells 7 with 8; Mashhad 9 with 10; Isfahan itself nothing.
    add_baskets(&mut facts, KASHAN, &[7, 8], 60);
    add_baskets(&mut facts, MASHHAD, &[9, 10], 60);
    add_baskets(&mut facts, MASHHAD, &[9], 20);
    facts.finish();
    let computed = compute(&facts);

    // Isfahan's subtree is Kashan's invoices: 7 ↔ 8 on every one of them.
    for branch in [ISFAHAN, KASHAN] {
        let set = rules_of(&computed, branch);
        assert_eq!(set.invoices, 60);
        assert_eq!(pairs(&set.rules), vec![(7, 8), (8, 7)]);
        assert!(set.rules.iter().all(|r| r.support == 1.0));
    }
    // Mashhad's: 9 → 10 in 60 of its 80 invoices with 9.
    let mashhad = rules_of(&computed, MASHHAD);
    assert_eq!(mashhad.invoices, 80);
    assert_eq!(pairs(&mashhad.rules), vec![(9, 10), (10, 9)]);
    let nine_to_ten = &mashhad
        .rules
        .iter()
        .find(|r| r.antecedents[0].as_u128() == 9);
    assert_eq!(nine_to_ten.unwrap().confidence, 0.75);
    assert_eq!(nine_to_ten.unwrap().support, 0.75);
    // The head office's subtree is the whole company: the company-wide rules.
    let hq = rules_of(&computed, HQ);
    assert_eq!(hq.invoices, 140);
    assert_eq!(hq.rules, computed.rules);
    assert_eq!(
        pairs(&computed.rules),
        vec![(7, 8), (8, 7), (9, 10), (10, 9)]
    );
    // Shiraz sold nothing: no rules.
    let shiraz = rules_of(&computed, SHIRAZ);
    assert_eq!((shiraz.invoices, shiraz.rules.len()), (0, 0));
    assert_eq!(computed.summary["branches_with_rules"], 4);
}

#[test]
fn a_branch_with_too_few_invoices_gets_no_rules() {
    let mut facts = Facts::new(date!(2025 - 01 - 01));
    facts.branch_tree = branch_tree();
    add_baskets(&mut facts, KASHAN, &[7, 8], MIN_BRANCH_INVOICES);
    add_baskets(&mut facts, MASHHAD, &[7, 8], MIN_BRANCH_INVOICES - 1);
    facts.finish();
    let computed = compute(&facts);
    let kashan = rules_of(&computed, KASHAN);
    assert_eq!(kashan.invoices, MIN_BRANCH_INVOICES);
    assert_eq!(pairs(&kashan.rules), vec![(7, 8), (8, 7)], "at the minimum");
    let mashhad = rules_of(&computed, MASHHAD);
    assert_eq!(mashhad.invoices, MIN_BRANCH_INVOICES - 1);
    assert!(mashhad.rules.is_empty(), "below the minimum");
    // The company-wide rules have no minimum of their own.
    assert_eq!(pairs(&computed.rules), vec![(7, 8), (8, 7)]);
}
