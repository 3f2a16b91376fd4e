//! The analyses over the facts read from the database, as pure functions: every per-customer
//! score and the basket rules of one run. The algorithms themselves are `peyvand-analytics`'s;
//! this module only feeds them Peyvand's records and applies the documented rules that join
//! them (cost to serve, the CLV components), so it reads no clock and does no I/O.
//!
//! **Memory.** The orders and lines arrive one customer at a time (the store sorts them by
//! customer); each customer's orders are reduced to a fixed-size [`CustomerFacts`] (RFM totals,
//! the CLV summary, the churn features) as soon as the next customer starts, and their lines to
//! a margin and a loyalty class. So a run holds a few hundred bytes per customer whatever the
//! number of orders; only the market basket keeps every invoice's products (as small product
//! indexes) and its branch (a small branch index), because frequent item sets are counted over
//! all baskets — company-wide and per branch subtree (`basket`).

use std::collections::HashMap;

use peyvand_analytics::churn;
use peyvand_analytics::clv::{self, Summary, TimeUnit};
use peyvand_analytics::dates::{Day, from_time};
use peyvand_analytics::loyalty;
use peyvand_analytics::rfm::{self, Totals};
use peyvand_analytics::value::{self, Economics};
use peyvand_store::{CustomerRef, LineFact, OrderFact, RuleRow, ScoreRow, ServiceCounts};
use serde_json::json;
use time::Date;
use uuid::Uuid;

mod basket;
pub use basket::BranchRules;

/// What one case costs to serve, in Rials (the cost-to-serve rule, `docs/analytics.md`).
pub const CASE_COST: i64 = 2_000_000;
/// What one activity (call, meeting, task) costs to serve, in Rials.
pub const ACTIVITY_COST: i64 = 500_000;
/// CLV horizon, in weeks.
pub const CLV_HORIZON_WEEKS: u32 = 52;
/// Discount rate per week for CLV (about 15% a year).
pub const WEEKLY_DISCOUNT: f64 = 0.0027;
/// Share of the revenue of the customers one referred that counts as networking value.
pub const NETWORK_SHARE_PERCENT: i64 = 10;
/// Learning value of one answered satisfaction survey, in Rials.
pub const LEARNING_PER_ANSWER: i64 = 1_000_000;
/// Days without a purchase after which a customer counts as gone, for churn.
pub const CHURN_HORIZON_DAYS: u32 = 90;
/// Basket rules need item sets in at least this share of invoices…
pub const MIN_SUPPORT: f64 = 0.02;
/// …and this confidence.
pub const MIN_CONFIDENCE: f64 = 0.3;
/// Products in an item set, at most.
pub const MAX_RULE_LEN: usize = 3;
/// Rules kept, the highest lift first.
pub const MAX_RULES: usize = 500;
/// Invoices (with products) a branch's subtree needs for basket rules of its own. Below 50, a
/// single invoice is more than the minimum support (2%), so one purchase alone would make a
/// "frequent" item set and a rule; such a branch gets no rules, and says so. The company-wide
/// rules have no such floor.
pub const MIN_BRANCH_INVOICES: usize = 50;

/// One customer's orders, reduced to what the analyses need.
#[derive(Debug, Clone)]
pub struct CustomerFacts {
    /// Who.
    pub customer: CustomerRef,
    /// Number of orders.
    pub orders: u64,
    /// Sum of the orders' totals in Rials.
    pub revenue: i64,
    /// Day of the first order.
    pub first: Day,
    /// Day of the last order.
    pub last: Day,
    /// The BG/NBD summary (weeks) as of the run's day.
    pub clv: Option<Summary>,
    /// The churn model's learning sample.
    pub churn: churn::Sample,
    /// The churn features as of the day after the run's day (the scores look ahead).
    pub churn_now: Option<[f64; 6]>,
}

/// Everything a run reads, reduced per customer as it streams in (see the module
/// documentation). Orders must come each customer's together ([`Tx::insight_orders_by_customer`]),
/// lines each customer's together and each invoice's together ([`Tx::insight_lines`]).
///
/// [`Tx::insight_orders_by_customer`]: peyvand_store::Tx::insight_orders_by_customer
/// [`Tx::insight_lines`]: peyvand_store::Tx::insight_lines
#[derive(Debug)]
pub struct Facts {
    as_of: Day,
    /// One entry per customer with orders.
    pub customers: Vec<CustomerFacts>,
    open_orders: Option<(CustomerRef, Vec<(Day, f64)>)>,
    /// Margin per customer: net line amounts minus quantity × cost price.
    pub margins: HashMap<CustomerRef, i64>,
    /// Loyalty class per customer, from the products bought in date order.
    pub loyalty: HashMap<CustomerRef, &'static str>,
    open_purchases: Option<(CustomerRef, Vec<(Date, u32)>)>,
    /// The products of the baskets, by index.
    pub products: Vec<Uuid>,
    product_index: HashMap<Uuid, u32>,
    /// Products per invoice (as indexes into `products`), for the basket.
    pub baskets: Vec<Vec<u32>>,
    /// The branch of each basket, as an index into `branches`.
    pub basket_branch: Vec<u32>,
    /// The branches of the baskets, by index.
    pub branches: Vec<Uuid>,
    branch_index: HashMap<Uuid, u32>,
    /// The invoice, branch index and products of the basket being read.
    open_basket: Option<(Uuid, u32, Vec<u32>)>,
    /// Every branch with its parent (none for the root): the tree whose subtrees get basket
    /// rules of their own.
    pub branch_tree: Vec<(Uuid, Option<Uuid>)>,
    /// Cases, activities and answered surveys per customer.
    pub service: HashMap<CustomerRef, ServiceCounts>,
    /// The customers each customer referred.
    pub referrals: HashMap<Uuid, Vec<Uuid>>,
}

impl Facts {
    /// Empty facts for a run as of `as_of`.
    pub fn new(as_of: Date) -> Facts {
        Facts {
            as_of: from_time(as_of),
            customers: Vec::new(),
            open_orders: None,
            margins: HashMap::new(),
            loyalty: HashMap::new(),
            open_purchases: None,
            products: Vec::new(),
            product_index: HashMap::new(),
            baskets: Vec::new(),
            basket_branch: Vec::new(),
            branches: Vec::new(),
            branch_index: HashMap::new(),
            open_basket: None,
            branch_tree: Vec::new(),
            service: HashMap::new(),
            referrals: HashMap::new(),
        }
    }

    /// Adds one order; a new customer closes the previous one.
    pub fn add_order(&mut self, order: OrderFact) {
        let day = (from_time(order.date), order.total as f64);
        match &mut self.open_orders {
            Some((customer, orders)) if *customer == order.customer => orders.push(day),
            _ => {
                self.close_orders();
                self.open_orders = Some((order.customer, vec![day]));
            }
        }
    }

    fn close_orders(&mut self) {
        let Some((customer, mut orders)) = self.open_orders.take() else {
            return;
        };
        // Within an account the rows come by contact first, so sort by day here.
        orders.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
        let id = customer.id.to_string();
        let revenue = orders.iter().map(|o| o.1 as i64).sum();
        self.customers.push(CustomerFacts {
            customer,
            orders: orders.len() as u64,
            revenue,
            first: orders.first().map_or(self.as_of, |o| o.0),
            last: orders.last().map_or(self.as_of, |o| o.0),
            churn: churn::sample(&id, &orders, self.as_of + 1, CHURN_HORIZON_DAYS),
            churn_now: churn::features(&orders, self.as_of + 1),
            clv: clv::summarize(&mut orders, self.as_of, TimeUnit::Week),
        });
    }

    /// Adds one invoice line; a new customer closes the previous one's loyalty class, a new
    /// invoice the previous basket.
    pub fn add_line(&mut self, line: LineFact) {
        let cost = line.cost_price.unwrap_or(0).saturating_mul(line.quantity);
        *self.margins.entry(line.customer).or_default() += line.net - cost;
        let Some(product) = line.product_id else {
            return;
        };
        let next = self.products.len() as u32;
        let index = *self.product_index.entry(product).or_insert(next);
        if index == next {
            self.products.push(product);
        }
        match &mut self.open_purchases {
            Some((customer, bought)) if *customer == line.customer => {
                bought.push((line.date, index))
            }
            _ => {
                self.close_purchases();
                self.open_purchases = Some((line.customer, vec![(line.date, index)]));
            }
        }
        match &mut self.open_basket {
            Some((invoice, _, products)) if *invoice == line.invoice_id => products.push(index),
            _ => {
                self.close_basket();
                let branch = self.branch_index_of(line.branch_id);
                self.open_basket = Some((line.invoice_id, branch, vec![index]));
            }
        }
    }

    fn branch_index_of(&mut self, branch: Uuid) -> u32 {
        let next = self.branches.len() as u32;
        let index = *self.branch_index.entry(branch).or_insert(next);
        if index == next {
            self.branches.push(branch);
        }
        index
    }

    fn close_purchases(&mut self) {
        if let Some((customer, bought)) = self.open_purchases.take()
            && let Some(class) = loyalty_of(bought)
        {
            self.loyalty.insert(customer, class);
        }
    }

    fn close_basket(&mut self) {
        if let Some((_, branch, products)) = self.open_basket.take() {
            self.baskets.push(products);
            self.basket_branch.push(branch);
        }
    }

    /// Closes the last customer and basket; call once the streams have ended.
    pub fn finish(&mut self) {
        self.close_orders();
        self.close_purchases();
        self.close_basket();
    }

    /// Adds counted service work.
    pub fn add_service(&mut self, customer: CustomerRef, counts: ServiceCounts) {
        let entry = self.service.entry(customer).or_default();
        entry.cases += counts.cases;
        entry.activities += counts.activities;
        entry.answered_surveys += counts.answered_surveys;
    }
}

/// What a run computed.
#[derive(Debug)]
pub struct Computed {
    /// One row per customer with orders.
    pub scores: Vec<ScoreRow>,
    /// Company-wide basket rules, highest lift first.
    pub rules: Vec<RuleRow>,
    /// Invoices with products: the baskets the company-wide rules were mined from.
    pub invoices: usize,
    /// Basket rules per branch, over the invoices of its subtree.
    pub branch_rules: Vec<BranchRules>,
    /// Counts, model parameters and validation, for the run's page.
    pub summary: serde_json::Value,
}

/// Cost to serve: cases × [`CASE_COST`] + activities × [`ACTIVITY_COST`].
pub fn cost_to_serve(counts: &ServiceCounts) -> i64 {
    counts.cases * CASE_COST + counts.activities * ACTIVITY_COST
}

fn rounded(value: f64) -> i64 {
    if value.is_finite() {
        value.round() as i64
    } else {
        0
    }
}

/// Per-customer CLV: p_alive, expected purchases and the predicted value split into base (the
/// customer's own mean spend) and growth (what the spend model adds or takes away).
struct ClvResult {
    p_alive: Option<f64>,
    expected: Option<f64>,
    clv: i64,
    base: i64,
}

fn lifetime_values(
    customers: &[CustomerFacts],
    summary: &mut serde_json::Map<String, serde_json::Value>,
) -> Vec<ClvResult> {
    let none = || ClvResult {
        p_alive: None,
        expected: None,
        clv: 0,
        base: 0,
    };
    let present: Vec<Summary> = customers.iter().filter_map(|c| c.clv).collect();
    let models =
        clv::fit_bgnbd(&present).and_then(|bg| clv::fit_gamma_gamma(&present).map(|gg| (bg, gg)));
    drop(present);
    let (bg, gg) = match models {
        Ok(models) => models,
        Err(error) => {
            summary.insert("clv_error".into(), json!(error.to_string()));
            return customers.iter().map(|_| none()).collect();
        }
    };
    summary.insert(
        "bgnbd".into(),
        json!({"r": bg.r, "alpha": bg.alpha, "a": bg.a, "b": bg.b}),
    );
    summary.insert(
        "gamma_gamma".into(),
        json!({"p": gg.p, "q": gg.q, "v": gg.v}),
    );
    customers
        .iter()
        .map(|c| {
            let Some(s) = &c.clv else {
                return none();
            };
            let horizon = f64::from(CLV_HORIZON_WEEKS);
            let value =
                clv::lifetime_value(&bg, &gg, s, CLV_HORIZON_WEEKS, WEEKLY_DISCOUNT).unwrap_or(0.0);
            // Base is the same discounted purchases at the customer's own mean order value;
            // growth is the rest, so base + growth is the model's value exactly.
            let own_mean = c.revenue as f64 / c.orders.max(1) as f64;
            let model_mean = gg.expected_average_value(s);
            let base = if model_mean > 0.0 {
                value * own_mean / model_mean
            } else {
                0.0
            };
            ClvResult {
                p_alive: Some(bg.p_alive(s)),
                expected: bg.expected_purchases(s, horizon).ok(),
                clv: rounded(value),
                base: rounded(base),
            }
        })
        .collect()
}

/// Reason codes of a churn prediction: `feature:above|below:value`, the features that push the
/// probability up most, at most three.
fn churn_reasons(model: &churn::Model, raw: &[f64; 6]) -> String {
    let mut pushes: Vec<(f64, usize, bool)> = (0..raw.len())
        .map(|i| {
            let z = (raw[i] - model.means[i]) / model.scales[i];
            (model.weights[i] * z, i, z > 0.0)
        })
        .filter(|(push, _, _)| *push > 0.0)
        .collect();
    pushes.sort_by(|a, b| b.0.total_cmp(&a.0));
    pushes
        .into_iter()
        .take(3)
        .map(|(_, i, above)| {
            let value = match i {
                1 | 2 => raw[i].exp_m1(),
                _ => raw[i],
            };
            let side = if above { "above" } else { "below" };
            format!("{}:{side}:{value:.1}", churn::FEATURES[i])
        })
        .collect::<Vec<_>>()
        .join("|")
}

fn churn_of(
    customers: &[CustomerFacts],
    summary: &mut serde_json::Map<String, serde_json::Value>,
) -> Vec<(Option<f64>, String)> {
    let samples: Vec<churn::Sample> = customers.iter().map(|c| c.churn).collect();
    let learnt = churn::learn(&samples, CHURN_HORIZON_DAYS);
    drop(samples);
    match learnt {
        Ok(fitted) => {
            summary.insert("churn_auc".into(), json!(fitted.auc));
            summary.insert("churn_trained_on".into(), json!(fitted.trained_on));
            customers
                .iter()
                .map(|c| match &c.churn_now {
                    Some(raw) => (
                        Some(fitted.model.probability(raw)),
                        churn_reasons(&fitted.model, raw),
                    ),
                    None => (None, String::new()),
                })
                .collect()
        }
        Err(error) => {
            summary.insert("churn_error".into(), json!(error.to_string()));
            customers.iter().map(|_| (None, String::new())).collect()
        }
    }
}

/// The loyalty class of a customer's purchases (day, product index), products standing for
/// brands.
fn loyalty_of(mut purchases: Vec<(Date, u32)>) -> Option<&'static str> {
    purchases.sort();
    let mut index: HashMap<u32, u32> = HashMap::new();
    let sequence: Vec<u32> = purchases
        .iter()
        .map(|(_, product)| {
            let next = index.len() as u32;
            *index.entry(*product).or_insert(next)
        })
        .collect();
    loyalty::classify(&sequence).map(|l| l.class.code())
}

/// Computes every analysis of a run from its `facts` (closed with [`Facts::finish`]).
pub fn compute(facts: &Facts) -> Computed {
    let day = facts.as_of;
    let customers = &facts.customers;
    let mut summary = serde_json::Map::new();
    summary.insert("customers".into(), json!(customers.len()));
    summary.insert(
        "orders".into(),
        json!(customers.iter().map(|c| c.orders).sum::<u64>()),
    );
    let id_rank = {
        let id_texts: Vec<String> = customers
            .iter()
            .map(|c| c.customer.id.to_string())
            .collect();
        rfm::rank_ids(&id_texts)
    };
    let totals: Vec<Totals> = customers
        .iter()
        .map(|c| Totals {
            last_order: c.last,
            orders: c.orders,
            spent: i128::from(c.revenue) * i128::from(peyvand_analytics::amount::UNIT),
        })
        .collect();
    let rfm_scores = rfm::score(&totals, &id_rank, day);
    drop(totals);
    let clv = lifetime_values(customers, &mut summary);
    let churn = churn_of(customers, &mut summary);
    let revenue_of: HashMap<Uuid, i64> = customers
        .iter()
        .map(|c| (c.customer.id, c.revenue))
        .collect();
    let economics: Vec<Economics> = customers
        .iter()
        .map(|c| {
            let margin = facts.margins.get(&c.customer).copied().unwrap_or(0);
            let serve = facts.service.get(&c.customer).map_or(0, cost_to_serve);
            Economics {
                revenue: c.revenue as f64,
                product_cost: (c.revenue - margin) as f64,
                cost_to_serve: serve as f64,
            }
        })
        .collect();
    let profits: Vec<f64> = economics.iter().map(Economics::profit).collect();
    let tiers = value::pyramid(&profits, &id_rank);
    let thresholds = value::median_thresholds(&economics);
    let cells = value::matrix(&economics, &thresholds);
    drop((profits, economics));
    let scores = customers
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let customer = &c.customer;
            let margin = facts.margins.get(customer).copied().unwrap_or(0);
            let service = facts.service.get(customer).copied().unwrap_or_default();
            let serve = cost_to_serve(&service);
            let referred = facts.referrals.get(&customer.id);
            let referred_revenue: i64 = referred
                .into_iter()
                .flatten()
                .filter_map(|id| revenue_of.get(id))
                .sum();
            let s = &rfm_scores[i];
            ScoreRow {
                customer: *customer,
                orders: c.orders as i64,
                first_order: date_of(c.first),
                last_order: date_of(c.last),
                recency_days: s.recency_days,
                revenue: c.revenue,
                margin,
                cost_to_serve: serve,
                profit: margin - serve,
                r: i64::from(s.r),
                f: i64::from(s.f),
                m: i64::from(s.m),
                segment: s.segment.code().to_owned(),
                p_alive: clv[i].p_alive,
                expected_purchases: clv[i].expected,
                clv: clv[i].clv,
                clv_base: clv[i].base,
                clv_growth: clv[i].clv - clv[i].base,
                clv_networking: referred_revenue * NETWORK_SHARE_PERCENT / 100,
                clv_learning: service.answered_surveys * LEARNING_PER_ANSWER,
                referrals: referred.map_or(0, Vec::len) as i64,
                churn_probability: churn[i].0,
                churn_reasons: churn[i].1.clone(),
                tier: tiers[i].1.code().to_owned(),
                cell: cells[i].code().to_owned(),
                loyalty: facts.loyalty.get(customer).map(|c| (*c).to_owned()),
            }
        })
        .collect();
    let rules = basket::company_rules(facts, &mut summary);
    let branch_rules = basket::branch_rules(facts, &rules);
    summary.insert("rules".into(), json!(rules.len()));
    summary.insert("invoices".into(), json!(facts.baskets.len()));
    summary.insert(
        "branches_with_rules".into(),
        json!(branch_rules.iter().filter(|b| !b.rules.is_empty()).count()),
    );
    Computed {
        scores,
        rules,
        invoices: facts.baskets.len(),
        branch_rules,
        summary: serde_json::Value::Object(summary),
    }
}

fn date_of(day: Day) -> Date {
    let (y, m, d) = peyvand_analytics::dates::civil_from_days(day);
    time::Month::try_from(m as u8)
        .ok()
        .and_then(|m| Date::from_calendar_date(y, m, d as u8).ok())
        .unwrap_or(Date::MIN)
}

#[cfg(test)]
mod tests;
