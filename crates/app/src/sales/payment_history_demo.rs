//! Demo invoices with a payment history (issue 4 §9), so the 360° view's payment punctuality
//! has something to judge: for the first demo accounts, invoices issued months ago and paid on
//! time, paid late, or left overdue — a good payer, one sometimes late and a bad payer.

use std::collections::BTreeMap;

use peyvand_domain::calendar::CalendarKind;
use peyvand_domain::permission::RecordKind;
use peyvand_domain::record::Input;
use time::{Date, Duration};
use uuid::Uuid;

use super::LineChange;
use super::documents::edit_lines_in;
use crate::App;
use crate::auth::Session;
use crate::error::AppResult;
use crate::records::create_in;

/// One demo invoice: days before today it was issued, days allowed until due, its amount, and
/// its payments as (days after the due date, share of the total in percent).
type InvoiceHistory = (i64, i64, i64, &'static [(i64, i64)]);

/// The histories, one per account: every invoice paid by its due date; one paid 15 days late
/// among four; and one paid late, one half paid and over a hundred days overdue, one on time.
const HISTORIES: [&[InvoiceHistory]; 3] = [
    &[
        (200, 30, 180_000_000, &[(-5, 100)]),
        (150, 30, 95_000_000, &[(0, 100)]),
        (100, 30, 240_000_000, &[(-20, 50), (-2, 50)]),
        (60, 30, 60_000_000, &[(-1, 100)]),
    ],
    &[
        (210, 30, 120_000_000, &[(0, 100)]),
        (160, 30, 75_000_000, &[(15, 100)]),
        (110, 30, 300_000_000, &[(-3, 100)]),
        (70, 30, 45_000_000, &[(-10, 100)]),
    ],
    &[
        (220, 30, 150_000_000, &[(25, 100)]),
        (135, 30, 400_000_000, &[(5, 50)]),
        (90, 30, 85_000_000, &[(0, 100)]),
    ],
];

fn text(pairs: &[(&str, String)]) -> BTreeMap<String, Input> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), Input::Text(v.clone())))
        .collect()
}

impl App {
    /// Gives the first demo accounts invoices with a payment history (see [`HISTORIES`]).
    pub(crate) async fn seed_payment_history(
        &self,
        system: &Session,
        owners: &[(Uuid, String)],
        accounts: &[Uuid],
    ) -> AppResult<()> {
        let now = self.now();
        let today = now.date();
        let mut tx = self.store.write().await?;
        for (i, (account, history)) in accounts.iter().zip(HISTORIES).enumerate() {
            let (owner, branch) = &owners[i % owners.len()];
            for (issued_ago, terms, amount, payments) in history {
                let issued = today - Duration::days(*issued_ago);
                let due = issued + Duration::days(*terms);
                let place = (*owner, branch.as_str());
                let invoice = self
                    .demo_invoice(&mut tx, system, *account, place, (issued, due), *amount)
                    .await?;
                for (after_due, percent) in *payments {
                    let paid_on = due + Duration::days(*after_due);
                    let inputs = text(&[
                        ("invoice_id", invoice.to_string()),
                        ("amount", (amount * percent / 100).to_string()),
                        ("paid_on", paid_on.to_string()),
                        ("method", "transfer".into()),
                    ]);
                    create_in(
                        &mut tx,
                        now,
                        system,
                        RecordKind::Payment,
                        &inputs,
                        CalendarKind::Gregorian,
                        &[],
                    )
                    .await?;
                }
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// An invoice with one line of `amount` Rials, tax free, issued and due on the given days.
    async fn demo_invoice(
        &self,
        tx: &mut peyvand_store::Tx,
        system: &Session,
        account: Uuid,
        (owner, branch): (Uuid, &str),
        (issued, due): (Date, Date),
        amount: i64,
    ) -> AppResult<Uuid> {
        let now = self.now();
        let invoice = create_in(
            tx,
            now,
            system,
            RecordKind::Invoice,
            &text(&[
                ("account_id", account.to_string()),
                ("owner_id", owner.to_string()),
                ("branch_id", branch.to_owned()),
                ("issue_date", issued.to_string()),
                ("due_date", due.to_string()),
            ]),
            CalendarKind::Gregorian,
            &[],
        )
        .await?;
        let line = LineChange::Add(text(&[
            ("description", "خدمات پشتیبانی و نگهداری".into()),
            ("quantity", "1".into()),
            ("unit_price", amount.to_string()),
            ("tax_bp", "0".into()),
        ]));
        edit_lines_in(
            tx,
            now,
            system,
            RecordKind::Invoice,
            invoice.id,
            &line,
            CalendarKind::Gregorian,
        )
        .await?;
        Ok(invoice.id)
    }
}
