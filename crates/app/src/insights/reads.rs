//! Reading a run's results back: filtered, paged scores; totals per segment, tier, cell and
//! class; basket rules; one customer's card with next-best offers; a product's "also bought";
//! NPS and CSAT by period; and tagging a retention list.

use std::collections::{BTreeMap, BTreeSet};

use peyvand_analytics::dates::from_time;
use peyvand_analytics::nps::{Period, by_period};
use peyvand_domain::calendar::CalendarKind;
use peyvand_domain::permission::{Action, Placement, RecordKind, RowFilter};
use peyvand_store::{CustomerKind, GroupTotals, RuleRow, ScoreFilter, ScoreRow, Tx};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::compute::MIN_BRANCH_INVOICES;
use super::{may_see_scores, require_analytics};
use crate::App;
use crate::auth::Session;
use crate::error::{AppError, AppResult};
use crate::org::{filter_for, load_org};

/// Filters of the analytics pages and API (stored with a tagging as JSON).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ScoreQuery {
    /// Only customers of this branch and the branches below it.
    pub branch_id: Option<Uuid>,
    /// Only this RFM segment.
    pub segment: Option<String>,
    /// Only this pyramid tier.
    pub tier: Option<String>,
    /// Only this matrix cell.
    pub cell: Option<String>,
    /// Only this loyalty class.
    pub loyalty: Option<String>,
    /// Only customers whose last order is on or after this day.
    pub from: Option<Date>,
    /// Only customers whose last order is before this day.
    pub to: Option<Date>,
    /// Only customers at least this likely to leave (0–1).
    pub min_churn: Option<f64>,
    /// Only customers worth at least this much (Rials).
    pub min_clv: Option<i64>,
    /// The keyset of the page (`clv:id` of the previous page's last row).
    pub cursor: Option<String>,
    /// Rows per page.
    pub limit: u64,
}

/// A page of scores.
#[derive(Debug, Clone, Serialize)]
pub struct ScoresPage {
    /// The rows, highest predicted value first.
    pub items: Vec<ScoreView>,
    /// Pass back as `cursor` for the next page; none on the last.
    pub next_cursor: Option<String>,
}

/// One customer's scores as the API shows them.
#[derive(Debug, Clone, Serialize)]
pub struct ScoreView {
    /// `account` or `contact`.
    pub customer_kind: &'static str,
    /// The record's id.
    pub customer_id: Uuid,
    /// Orders to date.
    pub orders: i64,
    /// First and last order days.
    #[serde(serialize_with = "crate::json::iso_date")]
    pub first_order: Date,
    /// The last order's day.
    #[serde(serialize_with = "crate::json::iso_date")]
    pub last_order: Date,
    /// Days since the last order.
    pub recency_days: i64,
    /// Historical value: revenue to date, Rials.
    pub revenue: i64,
    /// Margin to date, Rials.
    pub margin: i64,
    /// Cost to serve, Rials.
    pub cost_to_serve: i64,
    /// Margin minus cost to serve.
    pub profit: i64,
    /// RFM scores.
    pub r: i64,
    /// Frequency score.
    pub f: i64,
    /// Monetary score.
    pub m: i64,
    /// RFM segment code.
    pub segment: String,
    /// Probability of being active.
    pub p_alive: Option<f64>,
    /// Purchases expected in the coming year.
    pub expected_purchases: Option<f64>,
    /// Predicted value for the coming year (base + growth), Rials.
    pub clv: i64,
    /// CLV components, Rials.
    pub clv_base: i64,
    /// Growth component.
    pub clv_growth: i64,
    /// Networking component (referrals).
    pub clv_networking: i64,
    /// Learning component (feedback).
    pub clv_learning: i64,
    /// Customers they referred.
    pub referrals: i64,
    /// Probability of no purchase in the next 90 days.
    pub churn_probability: Option<f64>,
    /// Reasons: `feature:above|below:value`.
    pub churn_reasons: Vec<String>,
    /// Pyramid tier code.
    pub tier: String,
    /// Matrix cell code.
    pub cell: String,
    /// Loyalty class code.
    pub loyalty: Option<String>,
}

fn score_view(row: ScoreRow) -> ScoreView {
    ScoreView {
        customer_kind: row.customer.kind.code(),
        customer_id: row.customer.id,
        orders: row.orders,
        first_order: row.first_order,
        last_order: row.last_order,
        recency_days: row.recency_days,
        revenue: row.revenue,
        margin: row.margin,
        cost_to_serve: row.cost_to_serve,
        profit: row.profit,
        r: row.r,
        f: row.f,
        m: row.m,
        segment: row.segment,
        p_alive: row.p_alive,
        expected_purchases: row.expected_purchases,
        clv: row.clv,
        clv_base: row.clv_base,
        clv_growth: row.clv_growth,
        clv_networking: row.clv_networking,
        clv_learning: row.clv_learning,
        referrals: row.referrals,
        churn_probability: row.churn_probability,
        churn_reasons: row
            .churn_reasons
            .split('|')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        tier: row.tier,
        cell: row.cell,
        loyalty: row.loyalty,
    }
}

/// Totals of one group (segment, tier, cell or loyalty class).
#[derive(Debug, Clone, Serialize)]
pub struct GroupRow {
    /// The group's code.
    pub key: String,
    /// Customers in it.
    pub customers: i64,
    /// Their revenue to date.
    pub revenue: i64,
    /// Their profit to date.
    pub profit: i64,
    /// Their predicted value.
    pub clv: i64,
}

/// A basket rule with product ids.
#[derive(Debug, Clone, Serialize)]
pub struct RuleView {
    /// Products bought.
    pub antecedents: Vec<Uuid>,
    /// Products also bought.
    pub consequents: Vec<Uuid>,
    /// Support, 0–1.
    pub support: f64,
    /// Confidence, 0–1.
    pub confidence: f64,
    /// Lift.
    pub lift: f64,
}

/// One set of basket rules: company-wide, or mined over the invoices of a branch's subtree.
#[derive(Debug, Clone, Serialize)]
pub struct RuleSet {
    /// The branch whose subtree's invoices the rules come from; none for company-wide.
    pub branch_id: Option<Uuid>,
    /// The rules, highest lift first.
    pub items: Vec<RuleView>,
    /// Invoices with products the rules were mined from; none when the newest run has no such
    /// set (no run yet, or a branch made since).
    pub invoices: Option<i64>,
    /// Whether the branch's subtree had fewer invoices than `min_invoices`, so it has no
    /// rules of its own.
    pub too_few_invoices: bool,
    /// Invoices a branch's subtree needs for rules of its own.
    pub min_invoices: usize,
}

impl RuleSet {
    fn empty(branch_id: Option<Uuid>) -> RuleSet {
        RuleSet {
            branch_id,
            items: Vec::new(),
            invoices: None,
            too_few_invoices: false,
            min_invoices: MIN_BRANCH_INVOICES,
        }
    }
}

fn rule_view(rule: RuleRow) -> RuleView {
    RuleView {
        antecedents: rule.antecedents,
        consequents: rule.consequents,
        support: rule.support,
        confidence: rule.confidence,
        lift: rule.lift,
    }
}

/// A next-best offer for a customer.
#[derive(Debug, Clone, Serialize)]
pub struct Offer {
    /// `cross_sell` (bought together with what they bought) or `up_sell` (a dearer item of
    /// the same kind than the dearest they bought).
    pub kind: &'static str,
    /// The product.
    pub product_id: Uuid,
    /// The rule's confidence for cross-sells.
    pub confidence: Option<f64>,
    /// The rule's lift for cross-sells.
    pub lift: Option<f64>,
}

/// The analytics card of a customer's page.
#[derive(Debug, Clone, Serialize)]
pub struct CustomerInsights {
    /// The scores; none when the customer has no orders in the last run.
    pub score: Option<ScoreView>,
    /// Next-best offers, best first.
    pub offers: Vec<Offer>,
    /// The day the run was computed as of.
    #[serde(serialize_with = "crate::json::iso_date_or_null")]
    pub as_of: Option<Date>,
}

/// NPS and CSAT of one period (and group).
#[derive(Debug, Clone, Serialize)]
pub struct NpsPeriod {
    /// The group: a branch id, a segment code, or empty for all.
    pub group: String,
    /// The period's label (`1404-03`, `2025-Q1`, `2025`).
    pub period: String,
    /// Answers to the 0–10 question.
    pub responses: u64,
    /// Promoters (9–10).
    pub promoters: u64,
    /// Passives (7–8).
    pub passives: u64,
    /// Detractors (0–6).
    pub detractors: u64,
    /// NPS, −100 to 100.
    pub nps: Option<f64>,
    /// Change since the group's previous period.
    pub trend: Option<f64>,
    /// CSAT: share of 4–5 answers to the 1–5 question, percent.
    pub csat_percent: Option<f64>,
    /// Mean CSAT answer, 1–5.
    pub csat_average: Option<f64>,
}

/// How NPS answers are grouped besides their period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NpsGroup {
    /// By the branch of the case answered about.
    Branch,
    /// By the answering customer's RFM segment in the newest run.
    Segment,
}

/// What an NPS report covers: answers given from `from` (inclusive) to `to` (exclusive), of a
/// branch subtree and an RFM segment when picked.
#[derive(Debug, Clone)]
pub struct NpsQuery {
    /// The first moment counted.
    pub from: OffsetDateTime,
    /// The moment after the last counted.
    pub to: OffsetDateTime,
    /// The length of a period.
    pub period: Period,
    /// The grouping, if any.
    pub group: Option<NpsGroup>,
    /// Only cases of this branch and the branches below it.
    pub branch_id: Option<Uuid>,
    /// Only answers of customers in this RFM segment.
    pub segment: Option<String>,
}

/// NPS and CSAT by period.
#[derive(Debug, Clone, Serialize)]
pub struct NpsReport {
    /// Over the whole range.
    pub overall: Option<f64>,
    /// Answers counted.
    pub responses: u64,
    /// Per group and period, periods in time order.
    pub periods: Vec<NpsPeriod>,
}

fn encode_cursor(row: &ScoreRow) -> String {
    format!("{}:{}", row.clv, row.customer.id)
}

fn decode_cursor(cursor: &str) -> AppResult<(i64, Uuid)> {
    let (clv, id) = cursor
        .split_once(':')
        .ok_or(AppError::BadRequest("cursor"))?;
    Ok((
        clv.parse().map_err(|_| AppError::BadRequest("cursor"))?,
        id.parse().map_err(|_| AppError::BadRequest("cursor"))?,
    ))
}

/// The store filter for `session` and `query`: customers the reader may read, of the branch
/// subtree asked for.
async fn store_filter(
    tx: &mut Tx,
    session: &Session,
    query: &ScoreQuery,
) -> AppResult<ScoreFilter> {
    let accounts = filter_for(tx, session, RecordKind::Account, Action::Read).await?;
    let contacts = filter_for(tx, session, RecordKind::Contact, Action::Read).await?;
    let branches = match query.branch_id {
        Some(branch) => Some(load_org(tx).await?.subtree(branch)),
        None => None,
    };
    let some = |filter: RowFilter| (filter != RowFilter::Nothing).then_some(filter);
    Ok(ScoreFilter {
        accounts: some(accounts),
        contacts: some(contacts),
        branches,
        segment: query.segment.clone(),
        tier: query.tier.clone(),
        cell: query.cell.clone(),
        loyalty: query.loyalty.clone(),
        last_order_from: query.from,
        last_order_until: query.to,
        min_churn: query.min_churn,
        min_clv: query.min_clv,
        customer_id: None,
    })
}

impl App {
    /// The id of the newest finished run, if any.
    async fn current_run(tx: &mut Tx) -> AppResult<Option<(Uuid, Date)>> {
        Ok(tx
            .latest_insight_run(Some("done"))
            .await?
            .map(|run| (run.id, run.as_of)))
    }

    /// A page of the newest run's scores for the customers the caller may read.
    pub async fn insight_scores(
        &self,
        session: &Session,
        query: &ScoreQuery,
    ) -> AppResult<ScoresPage> {
        require_analytics(session)?;
        let after = query.cursor.as_deref().map(decode_cursor).transpose()?;
        let mut tx = self.store.read().await?;
        let Some((run, _)) = Self::current_run(&mut tx).await? else {
            return Ok(ScoresPage {
                items: Vec::new(),
                next_cursor: None,
            });
        };
        let filter = store_filter(&mut tx, session, query).await?;
        let limit = query.limit.clamp(1, 1_000);
        let mut rows = tx.insight_scores(run, &filter, after, limit + 1).await?;
        let more = rows.len() as u64 > limit;
        rows.truncate(limit as usize);
        let next_cursor = if more {
            rows.last().map(encode_cursor)
        } else {
            None
        };
        Ok(ScoresPage {
            items: rows.into_iter().map(score_view).collect(),
            next_cursor,
        })
    }

    /// Totals of the newest run per `column` (`segment`, `tier`, `cell` or `loyalty`).
    pub async fn insight_groups(
        &self,
        session: &Session,
        column: &'static str,
        query: &ScoreQuery,
    ) -> AppResult<Vec<GroupRow>> {
        require_analytics(session)?;
        let mut tx = self.store.read().await?;
        let Some((run, _)) = Self::current_run(&mut tx).await? else {
            return Ok(Vec::new());
        };
        let filter = store_filter(&mut tx, session, query).await?;
        let groups: Vec<GroupTotals> = tx.insight_groups(run, &filter, column).await?;
        Ok(groups
            .into_iter()
            .map(|g| GroupRow {
                key: g.key,
                customers: g.customers,
                revenue: g.revenue,
                profit: g.profit,
                clv: g.clv,
            })
            .collect())
    }

    /// The newest run's basket rules, highest lift first: those mined over the invoices of
    /// `branch_id`'s subtree, or the company-wide ones when no branch is picked.
    ///
    /// Company-wide rules are about the catalogue (product pages show them to anyone who reads
    /// it), so every analyst sees them. A branch's rules tell how that branch sells: a branch
    /// the reader's reach over invoices does not include is "not found", as its records are.
    pub async fn insight_rules(
        &self,
        session: &Session,
        branch_id: Option<Uuid>,
    ) -> AppResult<RuleSet> {
        require_analytics(session)?;
        let mut tx = self.store.read().await?;
        if let Some(branch) = branch_id {
            // As an invoice of that branch with no owner: a reach by owner or team covers none.
            let reach = filter_for(&mut tx, session, RecordKind::Invoice, Action::Read).await?;
            let of_branch = Placement {
                owner_id: None,
                branch_id: Some(branch),
            };
            if !reach.matches(of_branch) {
                return Err(AppError::NotFound);
            }
        }
        let Some((run, _)) = Self::current_run(&mut tx).await? else {
            return Ok(RuleSet::empty(branch_id));
        };
        let invoices = tx.insight_rule_set_invoices(run, branch_id).await?;
        let items = tx.insight_rules(run, branch_id).await?;
        Ok(RuleSet {
            items: items.into_iter().map(rule_view).collect(),
            invoices,
            too_few_invoices: branch_id.is_some()
                && invoices.is_some_and(|n| n < MIN_BRANCH_INVOICES as i64),
            ..RuleSet::empty(branch_id)
        })
    }

    /// "Customers who bought X also buy Y": the rules whose antecedent is this product alone,
    /// for anyone who reads the catalogue.
    pub async fn also_bought(
        &self,
        session: &Session,
        product_id: Uuid,
    ) -> AppResult<Vec<RuleView>> {
        if session
            .actor
            .grants
            .scope(RecordKind::Product, Action::Read)
            == peyvand_domain::permission::Scope::None
        {
            return Err(AppError::Forbidden);
        }
        let mut tx = self.store.read().await?;
        let Some((run, _)) = Self::current_run(&mut tx).await? else {
            return Ok(Vec::new());
        };
        // A product page has no branch: the company-wide rules.
        Ok(tx
            .insight_rules(run, None)
            .await?
            .into_iter()
            .filter(|r| r.antecedents == [product_id])
            .map(rule_view)
            .collect())
    }

    /// The analytics card of a customer the caller may read: scores and next-best offers.
    /// Hidden (forbidden) from roles that may not see scores; "not found" for customers out of
    /// reach, like every record.
    pub async fn customer_insights(
        &self,
        session: &Session,
        kind: RecordKind,
        id: Uuid,
    ) -> AppResult<CustomerInsights> {
        let customer_kind = match kind {
            RecordKind::Account => CustomerKind::Account,
            RecordKind::Contact => CustomerKind::Contact,
            _ => return Err(AppError::NotFound),
        };
        if !may_see_scores(session, kind) {
            return Err(AppError::Forbidden);
        }
        let mut tx = self.store.read().await?;
        let access = filter_for(&mut tx, session, kind, Action::Read).await?;
        let Some((run, as_of)) = Self::current_run(&mut tx).await? else {
            // The record must still be readable for an empty card.
            self.get(session, kind, id).await?;
            return Ok(CustomerInsights {
                score: None,
                offers: Vec::new(),
                as_of: None,
            });
        };
        let mut filter = ScoreFilter {
            customer_id: Some(id),
            ..ScoreFilter::default()
        };
        match customer_kind {
            CustomerKind::Account => filter.accounts = Some(access),
            CustomerKind::Contact => filter.contacts = Some(access),
        }
        let score = tx.insight_scores(run, &filter, None, 1).await?.pop();
        if score.is_none() {
            // Out of reach is "not found"; in reach without orders is an empty card.
            self.get(session, kind, id).await?;
        }
        let bought = self.products_bought(&mut tx, customer_kind, id).await?;
        // Offers follow the company-wide rules, as "also bought" does: a customer page has no
        // branch picker.
        let offers = offers_for(
            &bought,
            &tx.insight_rules(run, None).await?,
            &tx.insight_catalogue().await?,
        );
        Ok(CustomerInsights {
            score: score.map(score_view),
            offers,
            as_of: Some(as_of),
        })
    }

    async fn products_bought(
        &self,
        tx: &mut Tx,
        kind: CustomerKind,
        id: Uuid,
    ) -> AppResult<BTreeSet<Uuid>> {
        let mut bought = BTreeSet::new();
        tx.insight_customer_products(kind, id, |product| {
            bought.insert(product);
        })
        .await?;
        Ok(bought)
    }

    /// NPS and CSAT of the answers given in `query`'s range about cases the caller may read
    /// (their scope on cases), of the picked branch and the branches below it (the case's
    /// branch) and of the picked RFM segment (the answering customer's in the newest run), by
    /// period, grouped by branch, segment or not at all.
    pub async fn insight_nps(&self, session: &Session, query: &NpsQuery) -> AppResult<NpsReport> {
        require_analytics(session)?;
        let (from, to, period, group) = (query.from, query.to, query.period, query.group);
        let mut tx = self.store.read().await?;
        let access = filter_for(&mut tx, session, RecordKind::Case, Action::Read).await?;
        let branches = match query.branch_id {
            Some(branch) => Some(load_org(&mut tx).await?.subtree(branch)),
            None => None,
        };
        let mut answers = tx
            .insight_answers(&access, branches.as_deref(), from, to)
            .await?;
        let wants_segments = group == Some(NpsGroup::Segment) || query.segment.is_some();
        let segments: BTreeMap<Uuid, String> = match Self::current_run(&mut tx).await? {
            Some((run, _)) if wants_segments => {
                let answered: BTreeSet<Uuid> = answers
                    .iter()
                    .filter_map(|a| a.customer)
                    .map(|c| c.id)
                    .collect();
                let answered: Vec<Uuid> = answered.into_iter().collect();
                tx.insight_segments_of(run, &answered)
                    .await?
                    .into_iter()
                    .collect()
            }
            _ => BTreeMap::new(),
        };
        if let Some(segment) = &query.segment {
            answers.retain(|a| {
                a.customer
                    .and_then(|c| segments.get(&c.id))
                    .is_some_and(|s| s == segment)
            });
        }
        let jalali = session.calendar == CalendarKind::Jalali;
        let key = |a: &peyvand_store::AnswerFact| match group {
            Some(NpsGroup::Branch) => a.branch_id.map(|b| b.to_string()).unwrap_or_default(),
            Some(NpsGroup::Segment) => a
                .customer
                .and_then(|c| segments.get(&c.id).cloned())
                .unwrap_or_default(),
            _ => String::new(),
        };
        let nps_answers: Vec<(String, i32, u8)> = answers
            .iter()
            .filter_map(|a| {
                let score = u8::try_from(a.nps?).ok()?;
                Some((key(a), from_time(a.answered_at.date()), score))
            })
            .collect();
        let mut csat: BTreeMap<(String, String), (u64, u64, i64)> = BTreeMap::new();
        for a in &answers {
            if let Some(c) = a.csat {
                let label = peyvand_analytics::nps::period_label(
                    from_time(a.answered_at.date()),
                    period,
                    jalali,
                );
                let entry = csat.entry((key(a), label)).or_default();
                entry.0 += 1;
                entry.1 += u64::from(c >= 4);
                entry.2 += c;
            }
        }
        let mut overall = peyvand_analytics::nps::Score::default();
        for (_, _, answer) in &nps_answers {
            overall.add(*answer);
        }
        let periods = by_period(&nps_answers, period, jalali)
            .into_iter()
            .map(|p| {
                let c = csat.get(&(p.group.clone(), p.period.clone()));
                NpsPeriod {
                    nps: p.score.nps(),
                    responses: p.score.responses,
                    promoters: p.score.promoters,
                    passives: p.score.passives,
                    detractors: p.score.detractors,
                    trend: p.trend,
                    csat_percent: c.map(|c| 100.0 * c.1 as f64 / c.0 as f64),
                    csat_average: c.map(|c| c.2 as f64 / c.0 as f64),
                    group: p.group,
                    period: p.period,
                }
            })
            .collect();
        Ok(NpsReport {
            overall: overall.nps(),
            responses: overall.responses,
            periods,
        })
    }
}

/// Next-best offers from what a customer bought: cross-sells from the rules whose antecedents
/// they all bought (consequents they lack, best confidence then lift first), then up-sells —
/// for each kind of item they bought, the next dearer active item of that kind.
pub fn offers_for(
    bought: &BTreeSet<Uuid>,
    rules: &[RuleRow],
    catalogue: &[peyvand_store::CatalogueItem],
) -> Vec<Offer> {
    let mut offers: Vec<Offer> = Vec::new();
    let mut offered: BTreeSet<Uuid> = BTreeSet::new();
    let mut cross: Vec<&RuleRow> = rules
        .iter()
        .filter(|r| r.antecedents.iter().all(|p| bought.contains(p)))
        .collect();
    cross.sort_by(|a, b| {
        b.confidence
            .total_cmp(&a.confidence)
            .then(b.lift.total_cmp(&a.lift))
    });
    for rule in cross {
        for product in &rule.consequents {
            if !bought.contains(product) && offered.insert(*product) {
                offers.push(Offer {
                    kind: "cross_sell",
                    product_id: *product,
                    confidence: Some(rule.confidence),
                    lift: Some(rule.lift),
                });
            }
        }
    }
    let mut dearest: BTreeMap<&str, i64> = BTreeMap::new();
    for item in catalogue.iter().filter(|i| bought.contains(&i.id)) {
        let entry = dearest.entry(item.product_kind.as_str()).or_insert(0);
        *entry = (*entry).max(item.base_price);
    }
    for (kind, price) in dearest {
        let next = catalogue
            .iter()
            .filter(|i| i.active && i.product_kind == kind && i.base_price > price)
            .filter(|i| !bought.contains(&i.id) && !offered.contains(&i.id))
            .min_by_key(|i| (i.base_price, i.id));
        if let Some(item) = next {
            offered.insert(item.id);
            offers.push(Offer {
                kind: "up_sell",
                product_id: item.id,
                confidence: None,
                lift: None,
            });
        }
    }
    offers.truncate(5);
    offers
}
