//! Tests of the document arithmetic, including the property that totals never drift from
//! the sum of the lines, whatever sequence of edits is applied.

use proptest::prelude::*;

use super::totals::{DocumentLines, EditError, LineEdit, LineInput, line_amounts};
use super::{NEGATIVE, NOT_POSITIVE, OVER_100_PERCENT};

fn line(quantity: i64, unit_price: i64, discount_bp: i64, tax_bp: i64) -> LineInput {
    LineInput {
        quantity,
        unit_price,
        discount_bp,
        tax_bp,
    }
}

#[test]
fn a_line_is_computed_with_one_rounding_per_amount() {
    // 3 × 333,333 = 999,999; 12.5% discount = 124,999.875 → 125,000; net 874,999;
    // 9% tax = 78,749.91 → 78,750; total 953,749.
    let amounts = line_amounts(&line(3, 333_333, 1250, 900)).unwrap();
    assert_eq!(amounts.gross, 999_999);
    assert_eq!(amounts.discount, 125_000);
    assert_eq!(amounts.net, 874_999);
    assert_eq!(amounts.tax, 78_750);
    assert_eq!(amounts.total, 953_749);
}

#[test]
fn halves_round_up() {
    // 1 × 50 at 1% = 0.5 → 1; at 0.99% = 0.495 → 0.
    assert_eq!(line_amounts(&line(1, 50, 100, 0)).unwrap().discount, 1);
    assert_eq!(line_amounts(&line(1, 50, 99, 0)).unwrap().discount, 0);
}

#[test]
fn bad_lines_are_refused_field_by_field() {
    let errors = line_amounts(&line(-1, -5, 10_001, 0)).unwrap_err();
    assert_eq!(errors.fields["quantity"], NEGATIVE);
    assert_eq!(errors.fields["unit_price"], NEGATIVE);
    assert_eq!(errors.fields["discount_bp"], OVER_100_PERCENT);
    let errors = line_amounts(&line(0, 5, 0, -1)).unwrap_err();
    assert_eq!(errors.fields["quantity"], NOT_POSITIVE);
    assert_eq!(errors.fields["tax_bp"], NEGATIVE);
    assert!(line_amounts(&line(i64::MAX, 2, 0, 0)).is_err());
}

#[test]
fn a_refused_edit_changes_nothing() {
    let mut doc = DocumentLines::new([line(2, 1000, 0, 900)]).unwrap();
    let before = doc.clone();
    assert!(matches!(
        doc.apply(LineEdit::Update(0, line(-2, 1000, 0, 900))),
        Err(EditError::Invalid(_))
    ));
    assert_eq!(doc.apply(LineEdit::Remove(5)), Err(EditError::NoSuchLine));
    assert_eq!(doc, before);
    assert_eq!(doc.totals().total, 2180);
}

/// The totals computed from scratch in a different way: each amount summed in i128 with the
/// rounding written out as "floor(x + 1/2)".
fn independent_total(lines: &[LineInput]) -> i128 {
    lines
        .iter()
        .map(|l| {
            let gross = i128::from(l.quantity) * i128::from(l.unit_price);
            let discount = (gross * i128::from(l.discount_bp) + 5_000).div_euclid(10_000);
            let net = gross - discount;
            let tax = (net * i128::from(l.tax_bp) + 5_000).div_euclid(10_000);
            net + tax
        })
        .sum()
}

fn any_line() -> impl Strategy<Value = LineInput> {
    // Mostly valid values, sometimes invalid ones, so refused edits are exercised too.
    (
        -2i64..1_000,
        -10i64..50_000_000,
        prop_oneof![0i64..=10_000, Just(10_001), Just(-1)],
        prop_oneof![Just(0i64), Just(900), Just(1000), 0i64..=10_000],
    )
        .prop_map(|(q, p, d, t)| line(q, p, d, t))
}

fn any_edit() -> impl Strategy<Value = LineEdit> {
    prop_oneof![
        3 => any_line().prop_map(LineEdit::Add),
        2 => (0usize..12, any_line()).prop_map(|(i, l)| LineEdit::Update(i, l)),
        1 => (0usize..12).prop_map(LineEdit::Remove),
    ]
}

proptest! {
    #[test]
    fn totals_equal_the_sum_of_lines_after_any_edits(edits in prop::collection::vec(any_edit(), 0..60)) {
        let mut doc = DocumentLines::default();
        let mut model: Vec<LineInput> = Vec::new();
        for edit in edits {
            let before = doc.clone();
            match doc.apply(edit) {
                Ok(()) => match edit {
                    LineEdit::Add(l) => model.push(l),
                    LineEdit::Update(i, l) => model[i] = l,
                    LineEdit::Remove(i) => { model.remove(i); }
                },
                Err(_) => prop_assert_eq!(&doc, &before),
            }
            let inputs: Vec<LineInput> = doc.lines().iter().map(|(i, _)| *i).collect();
            prop_assert_eq!(&inputs, &model);
            let totals = doc.totals();
            let sum = |f: fn(&super::totals::LineAmounts) -> i64| -> i64 {
                doc.lines().iter().map(|(_, a)| f(a)).sum()
            };
            prop_assert_eq!(totals.gross, sum(|a| a.gross));
            prop_assert_eq!(totals.discount, sum(|a| a.discount));
            prop_assert_eq!(totals.net, sum(|a| a.net));
            prop_assert_eq!(totals.tax, sum(|a| a.tax));
            prop_assert_eq!(totals.total, sum(|a| a.total));
            prop_assert_eq!(totals.net + totals.tax, totals.total);
            prop_assert_eq!(totals.gross - totals.discount, totals.net);
            prop_assert_eq!(i128::from(totals.total), independent_total(&model));
            let fresh = DocumentLines::new(model.iter().copied()).unwrap();
            prop_assert_eq!(fresh.totals(), totals);
        }
    }
}
