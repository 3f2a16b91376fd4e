//! Choosing the unit price proposed for a product on a document: the price of the most
//! specific price list that is valid on the document's date and applies to the customer, or
//! the product's base price when none does.

use crate::text::normalize_search;

/// What price lists are matched on about a customer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomerProfile {
    /// Retail or wholesale (`record::CUSTOMER_KINDS`), if set.
    pub customer_kind: Option<String>,
    /// The customer's tags (for an account's groups).
    pub tags: Vec<String>,
    /// The customer's class codes (from customer classification, when it exists).
    pub classes: Vec<String>,
}

/// A price list's price for the product, with what the list applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceListPrice {
    /// The price list.
    pub price_list_id: uuid::Uuid,
    /// Whether the list is in use at all.
    pub active: bool,
    /// First day the list is valid, if limited.
    pub valid_from: Option<time::Date>,
    /// Last day the list is valid, if limited.
    pub valid_until: Option<time::Date>,
    /// Customer kinds it applies to; empty applies to every kind.
    pub customer_kinds: Vec<String>,
    /// Customer tags it applies to (any one suffices); empty applies to every customer.
    pub customer_tags: Vec<String>,
    /// Customer classes it applies to (any one suffices); empty applies to every class.
    pub customer_classes: Vec<String>,
    /// The list's unit price for the product, in Rials.
    pub unit_price: i64,
}

/// The price proposed and where it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProposedPrice {
    /// Unit price in Rials.
    pub unit_price: i64,
    /// The price list it came from; `None` for the base price.
    pub price_list_id: Option<uuid::Uuid>,
}

fn overlaps(wanted: &[String], have: &[String]) -> bool {
    wanted.is_empty()
        || wanted.iter().any(|w| {
            let w = normalize_search(w);
            have.iter().any(|h| normalize_search(h) == w)
        })
}

/// Whether `list` is valid on `date` and applies to `customer`.
pub fn applies(list: &PriceListPrice, customer: &CustomerProfile, date: time::Date) -> bool {
    list.active
        && list.valid_from.is_none_or(|from| from <= date)
        && list.valid_until.is_none_or(|until| date <= until)
        && (list.customer_kinds.is_empty()
            || customer
                .customer_kind
                .as_ref()
                .is_some_and(|k| list.customer_kinds.contains(k)))
        && overlaps(&list.customer_tags, &customer.tags)
        && overlaps(&list.customer_classes, &customer.classes)
}

/// How many conditions a list names: a list for "wholesale customers tagged VIP" is more
/// specific than one for all wholesale customers, which is more specific than a general one.
fn specificity(list: &PriceListPrice) -> usize {
    [
        !list.customer_kinds.is_empty(),
        !list.customer_tags.is_empty(),
        !list.customer_classes.is_empty(),
    ]
    .into_iter()
    .filter(|named| *named)
    .count()
}

/// The unit price to propose. Among the lists that apply, the most specific wins; between
/// equally specific ones the one that became valid last (a newer price replaces an older), and
/// then the lower price, so the choice never depends on the order lists were loaded in.
pub fn propose_price(
    base_price: i64,
    lists: &[PriceListPrice],
    customer: &CustomerProfile,
    date: time::Date,
) -> ProposedPrice {
    lists
        .iter()
        .filter(|list| applies(list, customer, date))
        .max_by(|a, b| {
            specificity(a)
                .cmp(&specificity(b))
                .then(a.valid_from.cmp(&b.valid_from))
                .then(b.unit_price.cmp(&a.unit_price))
                .then(b.price_list_id.cmp(&a.price_list_id))
        })
        .map_or(
            ProposedPrice {
                unit_price: base_price,
                price_list_id: None,
            },
            |list| ProposedPrice {
                unit_price: list.unit_price,
                price_list_id: Some(list.price_list_id),
            },
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn list(id: u128, price: i64) -> PriceListPrice {
        PriceListPrice {
            price_list_id: uuid::Uuid::from_u128(id),
            active: true,
            valid_from: None,
            valid_until: None,
            customer_kinds: vec![],
            customer_tags: vec![],
            customer_classes: vec![],
            unit_price: price,
        }
    }

    #[test]
    fn base_price_when_no_list_applies() {
        let customer = CustomerProfile::default();
        let mut expired = list(1, 900);
        expired.valid_until = Some(date!(2025 - 01 - 01));
        let mut inactive = list(2, 800);
        inactive.active = false;
        let proposed = propose_price(1000, &[expired, inactive], &customer, date!(2025 - 06 - 01));
        assert_eq!(proposed.unit_price, 1000);
        assert_eq!(proposed.price_list_id, None);
    }

    #[test]
    fn the_most_specific_valid_list_wins() {
        let customer = CustomerProfile {
            customer_kind: Some("wholesale".into()),
            tags: vec!["VIP".into()],
            classes: vec![],
        };
        let general = list(1, 950);
        let mut wholesale = list(2, 900);
        wholesale.customer_kinds = vec!["wholesale".into()];
        let mut wholesale_vip = list(3, 850);
        wholesale_vip.customer_kinds = vec!["wholesale".into()];
        wholesale_vip.customer_tags = vec!["vip".into()];
        let mut retail = list(4, 700);
        retail.customer_kinds = vec!["retail".into()];
        let lists = [general.clone(), wholesale.clone(), wholesale_vip, retail];
        let day = date!(2025 - 06 - 01);
        assert_eq!(propose_price(1000, &lists, &customer, day).unit_price, 850);
        let plain = CustomerProfile {
            customer_kind: Some("wholesale".into()),
            ..Default::default()
        };
        assert_eq!(propose_price(1000, &lists, &plain, day).unit_price, 900);
        let unknown = CustomerProfile::default();
        assert_eq!(propose_price(1000, &lists, &unknown, day).unit_price, 950);
    }

    #[test]
    fn validity_dates_are_inclusive_and_newer_lists_replace_older() {
        let mut old = list(1, 900);
        old.valid_from = Some(date!(2025 - 01 - 01));
        let mut new = list(2, 950);
        new.valid_from = Some(date!(2025 - 03 - 21));
        new.valid_until = Some(date!(2025 - 12 - 31));
        let customer = CustomerProfile::default();
        let lists = [old, new];
        assert_eq!(
            propose_price(1000, &lists, &customer, date!(2025 - 03 - 20)).unit_price,
            900
        );
        assert_eq!(
            propose_price(1000, &lists, &customer, date!(2025 - 03 - 21)).unit_price,
            950
        );
        assert_eq!(
            propose_price(1000, &lists, &customer, date!(2025 - 12 - 31)).unit_price,
            950
        );
        assert_eq!(
            propose_price(1000, &lists, &customer, date!(2026 - 01 - 01)).unit_price,
            900
        );
    }
}
