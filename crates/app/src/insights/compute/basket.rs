//! The market basket of a run: the company-wide rules over every invoice, and a set per branch
//! over the invoices of the branch and the branches below it (an invoice belongs to its
//! branch), so that the basket tab follows the branch picker.
//!
//! **Cost.** The baskets are read once, each with its branch (`Facts`); a branch's set is mined
//! over borrowed references to its subtree's baskets, never over copies. A basket counts in the
//! set of its own branch and of every branch above it, so mining does at most (depth of the
//! tree) times the company-wide work; subtrees holding the same baskets — the head office,
//! whose subtree is the whole company, or a branch whose invoices all sit below one child —
//! are mined once, and a subtree with fewer than [`MIN_BRANCH_INVOICES`] not at all.

use std::collections::HashMap;

use peyvand_analytics::AnalyticsError;
use peyvand_analytics::basket;
use peyvand_domain::permission::OrgChart;
use peyvand_store::RuleRow;
use serde_json::json;
use uuid::Uuid;

use super::{Facts, MAX_RULE_LEN, MAX_RULES, MIN_BRANCH_INVOICES, MIN_CONFIDENCE, MIN_SUPPORT};

/// The basket rules of one branch, mined over the invoices of its subtree.
#[derive(Debug, Clone, PartialEq)]
pub struct BranchRules {
    /// The branch.
    pub branch_id: Uuid,
    /// Invoices with products in the branch and the branches below it.
    pub invoices: usize,
    /// The rules, highest lift first; none below [`MIN_BRANCH_INVOICES`] invoices.
    pub rules: Vec<RuleRow>,
}

/// Rules over `baskets` (product indexes into `products`): the 500 of highest lift.
fn mine<O: AsRef<[u32]>>(baskets: &[O], products: &[Uuid]) -> Result<Vec<RuleRow>, AnalyticsError> {
    let itemsets = basket::frequent_itemsets(baskets, products.len(), MIN_SUPPORT, MAX_RULE_LEN)?;
    let mut rules = basket::rules(&itemsets, MIN_CONFIDENCE);
    rules.sort_by(|a, b| {
        b.lift
            .total_cmp(&a.lift)
            .then(b.confidence.total_cmp(&a.confidence))
    });
    rules.truncate(MAX_RULES);
    let ids = |items: &[u32]| items.iter().map(|&i| products[i as usize]).collect();
    Ok(rules
        .iter()
        .map(|rule| RuleRow {
            antecedents: ids(&rule.antecedents),
            consequents: ids(&rule.consequents),
            support: rule.support,
            confidence: rule.confidence,
            lift: rule.lift,
        })
        .collect())
}

/// The company-wide rules, over every basket; why there are none goes into the summary.
pub(super) fn company_rules(
    facts: &Facts,
    summary: &mut serde_json::Map<String, serde_json::Value>,
) -> Vec<RuleRow> {
    mine(&facts.baskets, &facts.products).unwrap_or_else(|error| {
        summary.insert("basket_error".into(), json!(error.to_string()));
        Vec::new()
    })
}

/// The rules of every branch of `facts.branch_tree`, given the company-wide ones (`company`),
/// which a subtree holding every basket reuses.
pub(super) fn branch_rules(facts: &Facts, company: &[RuleRow]) -> Vec<BranchRules> {
    let org = OrgChart::new(facts.branch_tree.iter().copied(), std::iter::empty());
    let of_branch = baskets_of_branches(facts);
    let everything: Vec<u32> = (0..facts.branches.len() as u32).collect();
    let mut mined: HashMap<Vec<u32>, Vec<RuleRow>> =
        HashMap::from([(everything, company.to_vec())]);
    facts
        .branch_tree
        .iter()
        .map(|&(branch_id, _)| {
            let key = subtree_with_baskets(facts, &org, branch_id);
            let invoices = key.iter().map(|&b| of_branch[b as usize].len()).sum();
            let rules = if invoices < MIN_BRANCH_INVOICES {
                Vec::new()
            } else {
                mined
                    .entry(key)
                    .or_insert_with_key(|key| mine_branches(facts, &of_branch, key))
                    .clone()
            };
            BranchRules {
                branch_id,
                invoices,
                rules,
            }
        })
        .collect()
}

/// The baskets (indexes into `facts.baskets`) of each branch that has any, in one pass.
fn baskets_of_branches(facts: &Facts) -> Vec<Vec<u32>> {
    let mut of_branch = vec![Vec::new(); facts.branches.len()];
    for (basket, &branch) in facts.basket_branch.iter().enumerate() {
        of_branch[branch as usize].push(basket as u32);
    }
    of_branch
}

/// The branches of `root`'s subtree that have baskets, as sorted indexes into
/// `facts.branches`: two subtrees with the same ones hold the same baskets.
fn subtree_with_baskets(facts: &Facts, org: &OrgChart, root: Uuid) -> Vec<u32> {
    let mut key: Vec<u32> = org
        .subtree(root)
        .iter()
        .filter_map(|branch| facts.branch_index.get(branch).copied())
        .collect();
    key.sort_unstable();
    key
}

/// Rules over the baskets of `branches` (indexes into `facts.branches`).
fn mine_branches(facts: &Facts, of_branch: &[Vec<u32>], branches: &[u32]) -> Vec<RuleRow> {
    let baskets: Vec<&[u32]> = branches
        .iter()
        .flat_map(|&b| &of_branch[b as usize])
        .map(|&basket| facts.baskets[basket as usize].as_slice())
        .collect();
    // Mining fails only without baskets, which the minimum rules out.
    mine(&baskets, &facts.products).unwrap_or_default()
}
