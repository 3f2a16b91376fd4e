//! Payment punctuality of one customer (PRODUCT.md §2, the transactions of the 360° view): how
//! often their invoices were paid by the due date, how late they were when they were not, and
//! how much is overdue now, with a plain-language verdict.
//!
//! The rule, in full:
//!
//! - An invoice counts when it is not cancelled and its total is above zero. Its due date is its
//!   `due_date`, or its issue date when it has none (payable on receipt); an invoice with
//!   neither is left out.
//! - It was **settled** on the day of the payment that brought the sum of its payments, taken
//!   in date order, up to its total.
//! - It is **judged** once it is settled or its due date has passed (today is after the due
//!   date). An open invoice not yet due says nothing about the customer.
//! - A judged invoice was **on time** when it was settled on or before its due date. Otherwise
//!   it is **late**: by the days from its due date to its settlement, or, while still open, to
//!   today.
//! - **Share on time** = on-time invoices ÷ judged invoices. **Average days late** is the mean
//!   lateness of the late invoices only ("when they are late, by how much"), rounded down to
//!   whole days. **Overdue now** = what is still unpaid on open invoices past their due date.
//! - **Verdict**: nothing judged → no history yet; at least 80% on time and nothing overdue by
//!   more than 30 days → good payer (خوش‌حساب); under 50% on time, or anything overdue by
//!   more than 60 days → bad payer (بدحساب); anything else → sometimes late.

use std::collections::BTreeMap;

use time::Date;
use uuid::Uuid;

/// Share of judged invoices, in percent, a good payer pays on time at least.
pub const GOOD_SHARE_PERCENT: i64 = 80;
/// Below this share on time (percent) a customer is a bad payer.
pub const BAD_SHARE_PERCENT: i64 = 50;
/// A good payer has nothing open longer than this many days past its due date.
pub const GOOD_MAX_OVERDUE_DAYS: i64 = 30;
/// Anything open longer than this many days past its due date makes a bad payer.
pub const BAD_OVERDUE_DAYS: i64 = 60;

/// An invoice as punctuality needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceDue {
    /// The invoice.
    pub id: Uuid,
    /// Its total (Rials).
    pub total: i64,
    /// Its status (`issued`, `partly_paid`, `paid`, `cancelled`).
    pub status: String,
    /// Its issue date.
    pub issue_date: Option<Date>,
    /// Its due date.
    pub due_date: Option<Date>,
}

/// A payment against one of the invoices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaymentMade {
    /// The invoice paid.
    pub invoice_id: Uuid,
    /// The amount (Rials).
    pub amount: i64,
    /// The day it was paid.
    pub paid_on: Date,
}

/// The plain-language verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// No invoice has been settled or has fallen due yet.
    NoHistory,
    /// Pays on time (خوش‌حساب).
    Good,
    /// Pays late now and then.
    SometimesLate,
    /// Pays late or leaves invoices long overdue (بدحساب).
    Bad,
}

impl Verdict {
    /// A stable code for translations and the API.
    pub fn code(self) -> &'static str {
        match self {
            Verdict::NoHistory => "no_history",
            Verdict::Good => "good",
            Verdict::SometimesLate => "sometimes_late",
            Verdict::Bad => "bad",
        }
    }
}

/// The customer's punctuality.
#[derive(Debug, Clone, PartialEq)]
pub struct Punctuality {
    /// Invoices judged (settled, or past their due date).
    pub judged: i64,
    /// Of those, paid on or before the due date.
    pub on_time: i64,
    /// Share on time in percent (one decimal); None when nothing was judged.
    pub on_time_percent: Option<f64>,
    /// Mean days late of the late invoices (whole days); None when none was late.
    pub average_days_late: Option<i64>,
    /// Invoices open past their due date now.
    pub overdue_count: i64,
    /// What is still unpaid on them (Rials).
    pub overdue_amount: i64,
    /// The most days any open invoice is past due (0 when none is).
    pub longest_overdue_days: i64,
    /// The verdict.
    pub verdict: Verdict,
}

/// The day each invoice's payments reached its total, if they did.
fn settlement_days(invoices: &[InvoiceDue], payments: &[PaymentMade]) -> BTreeMap<Uuid, Date> {
    let totals: BTreeMap<Uuid, i64> = invoices.iter().map(|i| (i.id, i.total)).collect();
    let mut in_order: Vec<&PaymentMade> = payments.iter().collect();
    in_order.sort_by_key(|p| p.paid_on);
    let mut paid: BTreeMap<Uuid, i64> = BTreeMap::new();
    let mut settled = BTreeMap::new();
    for payment in in_order {
        let Some(total) = totals.get(&payment.invoice_id) else {
            continue;
        };
        let sum = paid.entry(payment.invoice_id).or_insert(0);
        *sum = sum.saturating_add(payment.amount);
        if *sum >= *total {
            settled.entry(payment.invoice_id).or_insert(payment.paid_on);
        }
    }
    settled
}

/// Sum of the payments per invoice.
fn paid_per_invoice(payments: &[PaymentMade]) -> BTreeMap<Uuid, i64> {
    let mut paid: BTreeMap<Uuid, i64> = BTreeMap::new();
    for p in payments {
        let sum = paid.entry(p.invoice_id).or_insert(0);
        *sum = sum.saturating_add(p.amount);
    }
    paid
}

/// The punctuality of a customer with these invoices and payments, as of `today`.
pub fn punctuality(invoices: &[InvoiceDue], payments: &[PaymentMade], today: Date) -> Punctuality {
    let settled = settlement_days(invoices, payments);
    let paid = paid_per_invoice(payments);
    let (mut judged, mut on_time) = (0_i64, 0_i64);
    let (mut late_count, mut late_days) = (0_i64, 0_i64);
    let (mut overdue_count, mut overdue_amount, mut longest) = (0_i64, 0_i64, 0_i64);
    for invoice in invoices {
        if invoice.status == "cancelled" || invoice.total <= 0 {
            continue;
        }
        let Some(due) = invoice.due_date.or(invoice.issue_date) else {
            continue;
        };
        let days_late = match settled.get(&invoice.id) {
            Some(day) => (*day - due).whole_days().max(0),
            None if today > due => {
                let days = (today - due).whole_days();
                overdue_count += 1;
                let unpaid = invoice.total - paid.get(&invoice.id).copied().unwrap_or(0);
                overdue_amount = overdue_amount.saturating_add(unpaid.max(0));
                longest = longest.max(days);
                days
            }
            // Open and not yet due: not judged.
            None => continue,
        };
        judged += 1;
        if days_late == 0 {
            on_time += 1;
        } else {
            late_count += 1;
            late_days += days_late;
        }
    }
    Punctuality {
        judged,
        on_time,
        on_time_percent: crate::pipeline::targets::percent_achieved(on_time, judged),
        average_days_late: (late_count > 0).then(|| late_days / late_count),
        overdue_count,
        overdue_amount,
        longest_overdue_days: longest,
        verdict: verdict(judged, on_time, longest),
    }
}

/// The verdict from the counts (see the module's rule).
pub fn verdict(judged: i64, on_time: i64, longest_overdue_days: i64) -> Verdict {
    if judged == 0 {
        Verdict::NoHistory
    } else if on_time * 100 < BAD_SHARE_PERCENT * judged || longest_overdue_days > BAD_OVERDUE_DAYS
    {
        Verdict::Bad
    } else if on_time * 100 >= GOOD_SHARE_PERCENT * judged
        && longest_overdue_days <= GOOD_MAX_OVERDUE_DAYS
    {
        Verdict::Good
    } else {
        Verdict::SometimesLate
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    fn invoice(n: u128, total: i64, due: Date) -> InvoiceDue {
        InvoiceDue {
            id: Uuid::from_u128(n),
            total,
            status: "issued".into(),
            issue_date: Some(due - time::Duration::days(30)),
            due_date: Some(due),
        }
    }

    fn pay(n: u128, amount: i64, paid_on: Date) -> PaymentMade {
        PaymentMade {
            invoice_id: Uuid::from_u128(n),
            amount,
            paid_on,
        }
    }

    const TODAY: Date = date!(2025 - 06 - 30);

    #[test]
    fn a_crafted_history() {
        let invoices = vec![
            // Paid in two parts, the second on the due date: on time.
            invoice(1, 1_000, date!(2025 - 01 - 31)),
            // Paid 10 days late.
            invoice(2, 500, date!(2025 - 02 - 28)),
            // Partly paid and 20 days past due today: late and overdue.
            invoice(3, 800, date!(2025 - 06 - 10)),
            // Not yet due: not judged.
            invoice(4, 900, date!(2025 - 07 - 15)),
            // Cancelled: left out.
            InvoiceDue {
                status: "cancelled".into(),
                ..invoice(5, 700, date!(2025 - 01 - 01))
            },
        ];
        let payments = vec![
            pay(1, 400, date!(2025 - 01 - 10)),
            pay(1, 600, date!(2025 - 01 - 31)),
            pay(2, 500, date!(2025 - 03 - 10)),
            pay(3, 300, date!(2025 - 06 - 01)),
        ];
        let p = punctuality(&invoices, &payments, TODAY);
        assert_eq!(p.judged, 3);
        assert_eq!(p.on_time, 1);
        assert_eq!(p.on_time_percent, Some(33.3));
        // Late by 10 and by 20 days so far.
        assert_eq!(p.average_days_late, Some(15));
        assert_eq!(p.overdue_count, 1);
        assert_eq!(p.overdue_amount, 500);
        assert_eq!(p.longest_overdue_days, 20);
        assert_eq!(p.verdict, Verdict::Bad);
    }

    #[test]
    fn an_invoice_without_a_due_date_is_due_when_issued() {
        let mut i = invoice(1, 100, date!(2025 - 03 - 01));
        i.due_date = None;
        let issued = i.issue_date.unwrap();
        let on_receipt = punctuality(std::slice::from_ref(&i), &[pay(1, 100, issued)], TODAY);
        assert_eq!((on_receipt.judged, on_receipt.on_time), (1, 1));
        let next_day = punctuality(&[i], &[pay(1, 100, issued.next_day().unwrap())], TODAY);
        assert_eq!(next_day.average_days_late, Some(1));
    }

    #[test]
    fn verdicts_follow_the_thresholds() {
        assert_eq!(verdict(0, 0, 0), Verdict::NoHistory);
        assert_eq!(verdict(10, 8, 30), Verdict::Good);
        assert_eq!(verdict(10, 8, 31), Verdict::SometimesLate);
        assert_eq!(verdict(10, 7, 0), Verdict::SometimesLate);
        assert_eq!(verdict(10, 5, 0), Verdict::SometimesLate);
        assert_eq!(verdict(10, 4, 0), Verdict::Bad);
        assert_eq!(verdict(10, 10, 61), Verdict::Bad);
    }

    #[test]
    fn payments_of_other_invoices_and_overpaid_sums_are_harmless() {
        let i = invoice(1, 100, date!(2025 - 03 - 01));
        let p = punctuality(
            &[i],
            &[
                pay(9, 1_000, date!(2025 - 01 - 01)),
                pay(1, 150, date!(2025 - 02 - 01)),
            ],
            TODAY,
        );
        assert_eq!((p.judged, p.on_time, p.overdue_amount), (1, 1, 0));
    }

    proptest! {
        #[test]
        fn counts_stay_consistent(
            rows in proptest::collection::vec((1_i64..1_000, 0_i64..200, proptest::collection::vec((1_i64..600, 0_i64..300), 0..4)), 0..12),
        ) {
            let start = date!(2025 - 01 - 01);
            let mut invoices = Vec::new();
            let mut payments = Vec::new();
            for (n, (total, due_offset, pays)) in rows.iter().enumerate() {
                let id = u128::try_from(n).unwrap();
                invoices.push(invoice(id, *total, start + time::Duration::days(*due_offset)));
                for (amount, day) in pays {
                    payments.push(pay(id, *amount, start + time::Duration::days(*day)));
                }
            }
            let today = start + time::Duration::days(150);
            let p = punctuality(&invoices, &payments, today);
            prop_assert!(p.on_time <= p.judged);
            prop_assert!(p.judged <= i64::try_from(invoices.len()).unwrap());
            prop_assert!(p.overdue_count <= p.judged - p.on_time);
            // What is overdue never exceeds the totals of the open invoices past due.
            let open_past_due: i64 = invoices.iter().filter(|i| i.due_date.unwrap() < today).map(|i| i.total).sum();
            prop_assert!(p.overdue_amount <= open_past_due);
            prop_assert!(p.overdue_amount >= 0);
            prop_assert_eq!(p.average_days_late.is_some(), p.judged > p.on_time);
            // Paying every invoice in full on its due date makes every judged invoice on time.
            let punctual: Vec<PaymentMade> = invoices.iter().map(|i| PaymentMade { invoice_id: i.id, amount: i.total, paid_on: i.due_date.unwrap() }).collect();
            let good = punctuality(&invoices, &punctual, today);
            prop_assert_eq!(good.on_time, good.judged);
            prop_assert_eq!(good.overdue_amount, 0);
            prop_assert!(matches!(good.verdict, Verdict::Good | Verdict::NoHistory));
        }
    }
}
