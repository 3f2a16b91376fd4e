//! Routing of new cases: rules an administrator writes, evaluated in order; the first rule whose
//! every condition holds assigns the case to a person, or to a team and then a person in it by
//! round-robin or least load.

use std::collections::BTreeMap;

use uuid::Uuid;

use super::sla::same_class;
use crate::text::normalize_search;

/// How a team rule picks the person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    /// The next member after the one who got the previous case.
    RoundRobin,
    /// The member with the fewest open cases (ties: round-robin order).
    LeastLoaded,
}

impl Strategy {
    /// The strategy of a stored code; round-robin when none is set.
    pub fn parse(code: Option<&str>) -> Strategy {
        match code {
            Some("least_loaded") => Strategy::LeastLoaded,
            _ => Strategy::RoundRobin,
        }
    }
}

/// What a rule does when it matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Assignment {
    /// Give the case to this person.
    Person(Uuid),
    /// Give the case to this team, and to a member picked by the strategy.
    Team {
        /// The team.
        team: Uuid,
        /// How the member is picked.
        strategy: Strategy,
    },
}

/// A routing rule: conditions (all optional; an absent one always holds) and an assignment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// The rule's record id.
    pub id: Uuid,
    /// Rules are tried from the smallest position up (ties by id, i.e. creation order).
    pub position: i64,
    /// Inactive rules are skipped.
    pub active: bool,
    /// The case's category is this one or below it in the tree.
    pub category: Option<Uuid>,
    /// The case came through this channel.
    pub channel: Option<String>,
    /// The case belongs to this branch.
    pub branch: Option<Uuid>,
    /// The subject or description contains this text (Persian-normalised, case-insensitive).
    pub keyword: Option<String>,
    /// The customer is of this kind (retail or wholesale).
    pub customer_kind: Option<String>,
    /// The case is a request or a complaint.
    pub case_type: Option<String>,
    /// The case is about one of these products, each named by its catalogue code or name;
    /// empty for any product.
    pub products: Vec<String>,
    /// The case's customer is of one of these classes (compared as [`sla::same_class`] does);
    /// empty (or only blank names) for any customer, classified or not.
    ///
    /// [`sla::same_class`]: super::sla::same_class
    pub customer_classes: Vec<String>,
    /// What to do; `None` makes the rule useless and it is skipped.
    pub assignment: Option<Assignment>,
}

/// What routing needs to know about a new case.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseFacts {
    /// The case's category followed by its ancestors up to the root.
    pub category_path: Vec<Uuid>,
    /// The channel code.
    pub channel: Option<String>,
    /// The case's branch.
    pub branch: Option<Uuid>,
    /// Subject and description.
    pub text: String,
    /// The customer's kind.
    pub customer_kind: Option<String>,
    /// Request or complaint.
    pub case_type: Option<String>,
    /// The names of the product the case is about: as typed on the case and, when that names
    /// a catalogue product, its code and its name (so a rule may name it either way).
    pub product_names: Vec<String>,
    /// The class of the case's customer.
    pub customer_class: Option<String>,
}

impl Rule {
    /// Whether every condition of the rule holds for the case.
    pub fn matches(&self, case: &CaseFacts, normalized_text: &str) -> bool {
        let same = |want: &Option<String>, have: &Option<String>| {
            want.as_ref().is_none_or(|w| have.as_ref() == Some(w))
        };
        self.active
            && self
                .category
                .is_none_or(|c| case.category_path.contains(&c))
            && same(&self.channel, &case.channel)
            && self.branch.is_none_or(|b| case.branch == Some(b))
            && self
                .keyword
                .as_deref()
                .map(normalize_search)
                .is_none_or(|k| k.trim().is_empty() || normalized_text.contains(k.trim()))
            && same(&self.customer_kind, &case.customer_kind)
            && same(&self.case_type, &case.case_type)
            && self.matches_product(&case.product_names)
            && self.matches_class(case.customer_class.as_deref())
    }

    /// Product names compare Persian-normalised and case-insensitively, whole: a rule for
    /// `X-100` does not catch a case about `X-1000`.
    fn matches_product(&self, product_names: &[String]) -> bool {
        let wanted: Vec<String> = self
            .products
            .iter()
            .map(|p| normalize_search(p.trim()))
            .filter(|p| !p.is_empty())
            .collect();
        wanted.is_empty()
            || product_names
                .iter()
                .any(|name| wanted.contains(&normalize_search(name.trim())))
    }

    /// A rule without classes holds for any customer; one with classes only for a customer of
    /// one of them, so never for a case whose customer has no class.
    fn matches_class(&self, class: Option<&str>) -> bool {
        let mut wanted = self
            .customer_classes
            .iter()
            .map(|c| c.trim())
            .filter(|c| !c.is_empty())
            .peekable();
        wanted.peek().is_none()
            || class.is_some_and(|have| wanted.any(|want| same_class(want, have)))
    }
}

/// The first rule, by position, that matches the case and assigns something.
pub fn first_match<'a>(rules: &'a [Rule], case: &CaseFacts) -> Option<&'a Rule> {
    let text = normalize_search(&case.text);
    let mut ordered: Vec<&Rule> = rules.iter().collect();
    ordered.sort_by_key(|r| (r.position, r.id));
    ordered
        .into_iter()
        .find(|r| r.assignment.is_some() && r.matches(case, &text))
}

/// The team member who gets the case: `members` in any order, `last` the member who got the
/// rule's previous case, `open_cases` each member's open cases (absent = none). `None` for a team
/// without members.
pub fn pick_member(
    strategy: Strategy,
    members: &[Uuid],
    last: Option<Uuid>,
    open_cases: &BTreeMap<Uuid, u64>,
) -> Option<Uuid> {
    let mut ordered = members.to_vec();
    ordered.sort();
    ordered.dedup();
    if ordered.is_empty() {
        return None;
    }
    // Round-robin order starts just after the last assignee (or at the first member).
    let start = last
        .and_then(|l| ordered.iter().position(|m| *m > l))
        .unwrap_or(0);
    ordered.rotate_left(start);
    match strategy {
        Strategy::RoundRobin => ordered.first().copied(),
        Strategy::LeastLoaded => ordered
            .iter()
            .copied()
            .min_by_key(|m| open_cases.get(m).copied().unwrap_or(0)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    fn rule(n: u128, position: i64) -> Rule {
        Rule {
            id: id(n),
            position,
            active: true,
            category: None,
            channel: None,
            branch: None,
            keyword: None,
            customer_kind: None,
            case_type: None,
            products: vec![],
            customer_classes: vec![],
            assignment: Some(Assignment::Person(id(1000 + n))),
        }
    }

    fn case() -> CaseFacts {
        CaseFacts {
            category_path: vec![id(50), id(5)],
            channel: Some("phone".into()),
            branch: Some(id(7)),
            text: "دستگاه كار نمي‌كند".into(),
            customer_kind: Some("wholesale".into()),
            case_type: Some("complaint".into()),
            product_names: vec!["x-100".into(), "X-100".into(), "روتر ایکس".into()],
            customer_class: Some("A".into()),
        }
    }

    #[test]
    fn a_product_rule_matches_any_of_its_products_by_code_or_name() {
        let mut product = rule(1, 1);
        product.products = vec!["P-7".into(), "روتر ايكس".into()];
        assert!(first_match(std::slice::from_ref(&product), &case()).is_some());
        product.products = vec!["P-7".into(), "X-100".into()];
        assert!(first_match(std::slice::from_ref(&product), &case()).is_some());
        let mut other_case = case();
        other_case.product_names = vec!["X-1000".into()];
        assert!(first_match(std::slice::from_ref(&product), &other_case).is_none());
        other_case.product_names = vec![];
        assert!(first_match(std::slice::from_ref(&product), &other_case).is_none());
        // A rule that names no product holds for any case, with or without one.
        assert!(first_match(&[rule(2, 2)], &other_case).is_some());
    }

    fn classes(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| (*n).to_owned()).collect()
    }

    #[test]
    fn a_class_rule_matches_only_customers_of_its_classes() {
        let mut class_a = rule(1, 1);
        class_a.customer_classes = classes(&["a"]);
        let mut class_b = rule(2, 0);
        class_b.customer_classes = classes(&["B"]);
        let rules = [class_a, class_b];
        assert_eq!(first_match(&rules, &case()).unwrap().id, id(1));
        let mut unclassified = case();
        unclassified.customer_class = None;
        assert!(first_match(&rules, &unclassified).is_none());
        let mut blank = rule(3, 3);
        blank.customer_classes = classes(&[" "]);
        assert!(first_match(&[blank], &unclassified).is_some());
    }

    #[test]
    fn a_rule_with_several_classes_matches_a_customer_of_any_of_them() {
        let mut silver_or_gold = rule(1, 1);
        silver_or_gold.customer_classes = classes(&["نقره‌ای", " B ", "a"]);
        assert!(first_match(std::slice::from_ref(&silver_or_gold), &case()).is_some());
        let mut class_b = case();
        class_b.customer_class = Some("b".into());
        assert!(first_match(std::slice::from_ref(&silver_or_gold), &class_b).is_some());
        let mut class_c = case();
        class_c.customer_class = Some("C".into());
        assert!(first_match(std::slice::from_ref(&silver_or_gold), &class_c).is_none());
        class_c.customer_class = None;
        assert!(first_match(&[silver_or_gold], &class_c).is_none());
    }

    #[test]
    fn rules_are_tried_by_position_not_by_list_order() {
        let rules = [rule(1, 20), rule(2, 10)];
        assert_eq!(first_match(&rules, &case()).unwrap().id, id(2));
    }

    #[test]
    fn every_condition_must_hold() {
        let mut phone = rule(1, 1);
        phone.channel = Some("email".into());
        let mut branch = rule(2, 2);
        branch.branch = Some(id(8));
        let mut kind = rule(3, 3);
        kind.customer_kind = Some("retail".into());
        let mut fits = rule(4, 4);
        fits.channel = Some("phone".into());
        fits.branch = Some(id(7));
        fits.case_type = Some("complaint".into());
        let rules = [phone, branch, kind, fits];
        assert_eq!(first_match(&rules, &case()).unwrap().id, id(4));
    }

    #[test]
    fn a_category_rule_covers_the_subtree() {
        let mut parent = rule(1, 1);
        parent.category = Some(id(5));
        assert!(first_match(std::slice::from_ref(&parent), &case()).is_some());
        parent.category = Some(id(6));
        assert!(first_match(&[parent], &case()).is_none());
    }

    #[test]
    fn keywords_match_whatever_the_persian_letter_variants() {
        let mut keyword = rule(1, 1);
        keyword.keyword = Some("کار نمی‌کند".into());
        assert!(first_match(std::slice::from_ref(&keyword), &case()).is_some());
        keyword.keyword = Some("فاکتور".into());
        assert!(first_match(&[keyword], &case()).is_none());
    }

    #[test]
    fn inactive_and_empty_rules_are_skipped() {
        let mut off = rule(1, 1);
        off.active = false;
        let mut empty = rule(2, 2);
        empty.assignment = None;
        let rules = [off, empty, rule(3, 3)];
        assert_eq!(first_match(&rules, &case()).unwrap().id, id(3));
        assert!(first_match(&rules[..2], &case()).is_none());
    }

    #[test]
    fn round_robin_takes_turns_and_wraps() {
        let members = [id(3), id(1), id(2)];
        let none = BTreeMap::new();
        let mut last = None;
        let mut got = Vec::new();
        for _ in 0..4 {
            last = pick_member(Strategy::RoundRobin, &members, last, &none);
            got.push(last.unwrap());
        }
        assert_eq!(got, [id(1), id(2), id(3), id(1)]);
    }

    #[test]
    fn round_robin_survives_the_last_assignee_leaving_the_team() {
        // Member 2 got the last case and has left: the turn goes to the next one after them.
        let members = [id(1), id(3)];
        let picked = pick_member(
            Strategy::RoundRobin,
            &members,
            Some(id(2)),
            &BTreeMap::new(),
        );
        assert_eq!(picked, Some(id(3)));
    }

    #[test]
    fn least_loaded_picks_the_fewest_open_cases_and_breaks_ties_in_turn() {
        let members = [id(1), id(2), id(3)];
        let loads = BTreeMap::from([(id(1), 4), (id(2), 1), (id(3), 1)]);
        assert_eq!(
            pick_member(Strategy::LeastLoaded, &members, None, &loads),
            Some(id(2))
        );
        // After member 2 had the last case, the tie between 2 and 3 goes to 3.
        assert_eq!(
            pick_member(Strategy::LeastLoaded, &members, Some(id(2)), &loads),
            Some(id(3))
        );
        assert_eq!(pick_member(Strategy::LeastLoaded, &[], None, &loads), None);
    }
}
