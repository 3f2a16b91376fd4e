//! The analyses over the facts read from the database, as pure functions: every per-customer
//! score and the basket rules of one run. The algorithms themselves are `peyvand-analytics`'s;
//! this module only feeds them Peyvand's records and applies the documented rules that join
//! them (cost to serve, the CLV components), so it reads no clock and does no I/O.

use std::collections::{BTreeMap, HashMap};

use peyvand_analytics::basket;
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

/// Everything a run reads, gathered per customer.
#[derive(Debug, Default)]
pub struct Facts {
    /// Orders per customer as (day, total in Rials).
    pub orders: BTreeMap<CustomerRef, Vec<(Date, i64)>>,
    /// Margin per customer: net line amounts minus quantity × cost price.
    pub margins: HashMap<CustomerRef, i64>,
    /// Products bought per customer in date order, for loyalty classes.
    pub purchases: HashMap<CustomerRef, Vec<(Date, Uuid)>>,
    /// Products per invoice, for the basket.
    pub baskets: HashMap<Uuid, Vec<Uuid>>,
    /// Cases, activities and answered surveys per customer.
    pub service: HashMap<CustomerRef, ServiceCounts>,
    /// The customers each customer referred.
    pub referrals: HashMap<Uuid, Vec<Uuid>>,
}

impl Facts {
    /// Adds one order.
    pub fn add_order(&mut self, order: OrderFact) {
        self.orders
            .entry(order.customer)
            .or_default()
            .push((order.date, order.total));
    }

    /// Adds one invoice line.
    pub fn add_line(&mut self, line: LineFact) {
        let cost = line.cost_price.unwrap_or(0).saturating_mul(line.quantity);
        *self.margins.entry(line.customer).or_default() += line.net - cost;
        if let Some(product) = line.product_id {
            self.purchases
                .entry(line.customer)
                .or_default()
                .push((line.date, product));
            self.baskets
                .entry(line.invoice_id)
                .or_default()
                .push(product);
        }
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
    /// Basket rules, highest lift first.
    pub rules: Vec<RuleRow>,
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
    customers: &[(CustomerRef, Vec<(Day, f64)>)],
    as_of: Day,
    summary: &mut serde_json::Map<String, serde_json::Value>,
) -> Vec<ClvResult> {
    let summaries: Vec<Option<Summary>> = customers
        .iter()
        .map(|(_, orders)| clv::summarize(&mut orders.clone(), as_of, TimeUnit::Week))
        .collect();
    let present: Vec<Summary> = summaries.iter().flatten().cloned().collect();
    let models =
        clv::fit_bgnbd(&present).and_then(|bg| clv::fit_gamma_gamma(&present).map(|gg| (bg, gg)));
    let (bg, gg) = match models {
        Ok(models) => models,
        Err(error) => {
            summary.insert("clv_error".into(), json!(error.to_string()));
            return customers
                .iter()
                .map(|_| ClvResult {
                    p_alive: None,
                    expected: None,
                    clv: 0,
                    base: 0,
                })
                .collect();
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
        .zip(&summaries)
        .map(|((_, orders), s)| {
            let Some(s) = s else {
                return ClvResult {
                    p_alive: None,
                    expected: None,
                    clv: 0,
                    base: 0,
                };
            };
            let horizon = f64::from(CLV_HORIZON_WEEKS);
            let value =
                clv::lifetime_value(&bg, &gg, s, CLV_HORIZON_WEEKS, WEEKLY_DISCOUNT).unwrap_or(0.0);
            // Base is the same discounted purchases at the customer's own mean order value;
            // growth is the rest, so base + growth is the model's value exactly.
            let own_mean = orders.iter().map(|o| o.1).sum::<f64>() / orders.len().max(1) as f64;
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
    customers: &[(CustomerRef, Vec<(Day, f64)>)],
    as_of: Day,
    summary: &mut serde_json::Map<String, serde_json::Value>,
) -> Vec<(Option<f64>, String)> {
    let named: Vec<(String, Vec<(Day, f64)>)> = customers
        .iter()
        .map(|(c, orders)| (c.id.to_string(), orders.clone()))
        .collect();
    // Scores are for the days ahead, so the features are taken the day after as-of.
    match churn::predict(&named, as_of + 1, CHURN_HORIZON_DAYS) {
        Ok(outcome) => {
            summary.insert("churn_auc".into(), json!(outcome.auc));
            summary.insert("churn_trained_on".into(), json!(outcome.trained_on));
            named
                .iter()
                .zip(&outcome.predictions)
                .map(|((_, orders), prediction)| match prediction {
                    Some(p) => {
                        let raw = churn::features(orders, as_of + 1);
                        let reasons = raw
                            .map(|raw| churn_reasons(&outcome.model, &raw))
                            .unwrap_or_default();
                        (Some(p.probability), reasons)
                    }
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

/// Basket rules over the invoices' products.
fn basket_rules(
    baskets: &HashMap<Uuid, Vec<Uuid>>,
    summary: &mut serde_json::Map<String, serde_json::Value>,
) -> Vec<RuleRow> {
    let mut index: BTreeMap<Uuid, u32> = BTreeMap::new();
    for products in baskets.values() {
        for product in products {
            let next = index.len() as u32;
            index.entry(*product).or_insert(next);
        }
    }
    let products: Vec<Uuid> = {
        let mut by_index: Vec<(u32, Uuid)> = index.iter().map(|(p, i)| (*i, *p)).collect();
        by_index.sort_unstable();
        by_index.into_iter().map(|(_, p)| p).collect()
    };
    let orders: Vec<Vec<u32>> = baskets
        .values()
        .map(|ps| ps.iter().map(|p| index[p]).collect())
        .collect();
    let itemsets =
        match basket::frequent_itemsets(&orders, products.len(), MIN_SUPPORT, MAX_RULE_LEN) {
            Ok(sets) => sets,
            Err(error) => {
                summary.insert("basket_error".into(), json!(error.to_string()));
                return Vec::new();
            }
        };
    let mut rules = basket::rules(&itemsets, MIN_CONFIDENCE);
    rules.sort_by(|a, b| {
        b.lift
            .total_cmp(&a.lift)
            .then(b.confidence.total_cmp(&a.confidence))
    });
    rules.truncate(MAX_RULES);
    let ids = |items: &[u32]| items.iter().map(|&i| products[i as usize]).collect();
    rules
        .iter()
        .map(|rule| RuleRow {
            antecedents: ids(&rule.antecedents),
            consequents: ids(&rule.consequents),
            support: rule.support,
            confidence: rule.confidence,
            lift: rule.lift,
        })
        .collect()
}

/// The loyalty class of a customer's purchases in date order, products standing for brands.
fn loyalty_of(purchases: Option<&Vec<(Date, Uuid)>>) -> Option<String> {
    let mut purchases = purchases?.clone();
    purchases.sort();
    let mut index: HashMap<Uuid, u32> = HashMap::new();
    let sequence: Vec<u32> = purchases
        .iter()
        .map(|(_, product)| {
            let next = index.len() as u32;
            *index.entry(*product).or_insert(next)
        })
        .collect();
    loyalty::classify(&sequence).map(|l| l.class.code().to_owned())
}

/// Computes every analysis of a run as of `as_of`.
pub fn compute(facts: &Facts, as_of: Date) -> Computed {
    let day = from_time(as_of);
    let mut summary = serde_json::Map::new();
    let customers: Vec<(CustomerRef, Vec<(Day, f64)>)> = facts
        .orders
        .iter()
        .map(|(c, orders)| {
            let mut orders: Vec<(Day, f64)> = orders
                .iter()
                .map(|(d, total)| (from_time(*d), *total as f64))
                .collect();
            orders.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
            (*c, orders)
        })
        .collect();
    summary.insert("customers".into(), json!(customers.len()));
    summary.insert(
        "orders".into(),
        json!(facts.orders.values().map(Vec::len).sum::<usize>()),
    );
    let id_texts: Vec<String> = customers.iter().map(|(c, _)| c.id.to_string()).collect();
    let id_rank = rfm::rank_ids(&id_texts);
    let totals: Vec<Totals> = facts
        .orders
        .values()
        .map(|orders| Totals {
            last_order: orders.iter().map(|o| from_time(o.0)).max().unwrap_or(day),
            orders: orders.len() as u64,
            spent: orders
                .iter()
                .map(|o| i128::from(o.1) * i128::from(peyvand_analytics::amount::UNIT))
                .sum(),
        })
        .collect();
    let rfm_scores = rfm::score(&totals, &id_rank, day);
    let clv = lifetime_values(&customers, day, &mut summary);
    let churn = churn_of(&customers, day, &mut summary);
    let revenue_of: HashMap<Uuid, i64> = facts
        .orders
        .iter()
        .map(|(c, orders)| (c.id, orders.iter().map(|o| o.1).sum()))
        .collect();
    let economics: Vec<Economics> = customers
        .iter()
        .map(|(c, _)| {
            let revenue = revenue_of[&c.id];
            let margin = facts.margins.get(c).copied().unwrap_or(0);
            let serve = facts.service.get(c).map_or(0, cost_to_serve);
            Economics {
                revenue: revenue as f64,
                product_cost: (revenue - margin) as f64,
                cost_to_serve: serve as f64,
            }
        })
        .collect();
    let profits: Vec<f64> = economics.iter().map(Economics::profit).collect();
    let tiers = value::pyramid(&profits, &id_rank);
    let thresholds = value::median_thresholds(&economics);
    let cells = value::matrix(&economics, &thresholds);
    let scores = customers
        .iter()
        .enumerate()
        .map(|(i, (customer, orders))| {
            let revenue = revenue_of[&customer.id];
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
            let first = orders.first().map_or(day, |o| o.0);
            let last = orders.last().map_or(day, |o| o.0);
            ScoreRow {
                customer: *customer,
                orders: orders.len() as i64,
                first_order: date_of(first),
                last_order: date_of(last),
                recency_days: s.recency_days,
                revenue,
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
                loyalty: loyalty_of(facts.purchases.get(customer)),
            }
        })
        .collect();
    let rules = basket_rules(&facts.baskets, &mut summary);
    summary.insert("rules".into(), json!(rules.len()));
    summary.insert("invoices".into(), json!(facts.baskets.len()));
    Computed {
        scores,
        rules,
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
