//! A two-year purchase history for the demo (`peyvand demo`), so every analysis page has
//! something real to show right after seeding: repeat buyers, customers who lapsed, one-off and
//! new buyers, products that sell together (for the basket rules), a few referrals in the
//! relationship graph (the networking part of CLV) and answered satisfaction surveys (NPS).
//!
//! The sales use cases issue every document today, which gives RFM nothing to rank and CLV and
//! churn nothing to fit. This history is written by the bulk path instead, many rows per
//! statement in one write job: the records are built here exactly as the sales module stores
//! them (totals from `peyvand_domain::sales::totals`, the same statuses and fields), with their
//! "create" audit entries, and numbered `…-HIST-…` so they never meet the live counters.

use peyvand_domain::permission::{RecordKind, RowFilter};
use peyvand_domain::record::sales::{INVOICES, PAYMENTS, PRODUCTS};
use peyvand_domain::record::{self, ACCOUNTS, CASES, CONTACTS, Fields, Schema, USERS, Value};
use peyvand_domain::sales::totals::{LineAmounts, LineInput, line_amounts};
use peyvand_store::{
    AuditRow, LineRow, NewRecord, RecordRow, RecordsWhere, RelationshipRow, SurveyRow, Tx,
};
use time::{Date, Duration, OffsetDateTime, Time};
use uuid::Uuid;

use crate::App;
use crate::error::AppResult;
use crate::records::diff;

/// Customers given a history, at most (accounts first, then contacts without an account).
const HISTORY_CUSTOMERS: usize = 120;
/// Customers with an answered survey: one in this many.
const SURVEY_EVERY: usize = 2;
/// Referrals recorded, at most.
const REFERRALS: usize = 12;

/// Baskets by catalogue code: the laptop usually sells with a keyboard and often with
/// installation, the monitor with a keyboard, and support on its own — so the basket analysis
/// finds rules like "laptop → keyboard".
const BASKETS: &[&[&str]] = &[
    &["LP-100", "KB-01"],
    &["LP-100", "KB-01", "SV-INST"],
    &["LP-100", "SV-INST"],
    &["MN-24", "KB-01"],
    &["LP-100", "MN-24", "KB-01"],
    &["SV-SUP"],
    &["KB-01"],
    &["PK-OFF", "SV-INST"],
];

/// How a demo customer buys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Habit {
    /// Buys every month or two, to this day.
    Regular,
    /// Bought regularly, then stopped months ago.
    Lapsed,
    /// A few purchases far apart.
    Occasional,
    /// One purchase, long ago.
    OneOff,
    /// Started buying in the last two months.
    New,
}

fn habit_of(index: usize) -> Habit {
    match index % 10 {
        0..=2 => Habit::Regular,
        3 | 4 => Habit::Lapsed,
        5 | 6 => Habit::Occasional,
        7 => Habit::OneOff,
        8 => Habit::New,
        _ => Habit::Regular,
    }
}

/// A small deterministic generator (xorshift), so the demo is the same on every run.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> i64 {
        (self.next() % n.max(1)) as i64
    }
    /// A whole number of days drawn from an exponential distribution with this mean.
    fn exponential(&mut self, mean: f64) -> i64 {
        let uniform = (self.next() % 1_000_000 + 1) as f64 / 1_000_001.0;
        (-mean * uniform.ln()).round() as i64
    }
}

/// The days (offsets back from today, oldest first) on which a customer with `habit` bought.
/// Purchases follow the story BG/NBD tells: while "alive" a customer buys at their own rate
/// (exponential gaps around the habit's mean), and after each purchase leaves for good with the
/// habit's probability; so the models have something they can fit.
fn purchase_days(habit: Habit, dice: &mut Dice) -> Vec<i64> {
    let (start, mean_gap, leave_percent) = match habit {
        Habit::Regular => (200 + dice.below(530), 25 + dice.below(35), 3),
        Habit::Lapsed => (400 + dice.below(330), 30 + dice.below(40), 30),
        Habit::Occasional => (300 + dice.below(430), 100 + dice.below(120), 10),
        Habit::OneOff => (60 + dice.below(670), 1, 100),
        Habit::New => (10 + dice.below(50), 15 + dice.below(20), 5),
    };
    let mut days = Vec::new();
    let mut back = start;
    while back >= 0 {
        days.push(back);
        if dice.below(100) < leave_percent {
            break;
        }
        back -= dice.exponential(mean_gap as f64).max(1);
    }
    days
}

/// A product of the demo catalogue, as the history uses it.
struct Item {
    id: Uuid,
    code: String,
    name: String,
    price: i64,
    tax_bp: i64,
}

/// A customer given a history.
struct Buyer {
    kind: RecordKind,
    id: Uuid,
    owner: Option<Uuid>,
    branch: Option<Uuid>,
}

/// Everything the history writes, built before the one write job.
#[derive(Default)]
struct History {
    invoices: Vec<NewRecord>,
    payments: Vec<NewRecord>,
    lines: Vec<LineRow>,
    cases: Vec<NewRecord>,
    surveys: Vec<SurveyRow>,
    relationships: Vec<RelationshipRow>,
    audits: Vec<AuditRow>,
}

fn id_of(row: &RecordRow, field: &str) -> Option<Uuid> {
    row.fields.get(field).and_then(Value::as_id)
}

fn int_of(row: &RecordRow, field: &str) -> i64 {
    match row.fields.get(field) {
        Some(Value::Int(n)) => *n,
        _ => 0,
    }
}

fn text_of(row: &RecordRow, field: &str) -> String {
    match row.fields.get(field) {
        Some(Value::Text(s)) => s.clone(),
        _ => String::new(),
    }
}

async fn all_of(tx: &mut Tx, schema: &'static Schema, limit: u64) -> AppResult<Vec<RecordRow>> {
    Ok(tx
        .records_where(&RecordsWhere {
            schema,
            access: &RowFilter::Everything,
            equals: vec![],
            people: None,
            date_between: None,
            due_by: None,
            not_in: None,
            order_by: "id",
            limit,
        })
        .await?)
}

fn at_ten(day: Date) -> OffsetDateTime {
    day.with_time(Time::from_hms(6, 30, 0).unwrap_or(Time::MIDNIGHT))
        .assume_utc()
}

fn placed(fields: &mut Fields, buyer: &Buyer) {
    let column = if buyer.kind == RecordKind::Account {
        "account_id"
    } else {
        "contact_id"
    };
    fields.insert(column.into(), Value::Id(buyer.id));
    if let Some(owner) = buyer.owner {
        fields.insert("owner_id".into(), Value::Id(owner));
    }
    if let Some(branch) = buyer.branch {
        fields.insert("branch_id".into(), Value::Id(branch));
    }
}

impl History {
    /// Adds a record of `schema` with its "create" audit entry.
    fn record(&mut self, schema: &'static Schema, id: Uuid, fields: Fields, at: OffsetDateTime) {
        self.audits.push(AuditRow {
            id: Uuid::now_v7(),
            record_kind: schema.kind.code().to_owned(),
            record_id: id,
            action: "create".to_owned(),
            actor_id: None,
            at,
            changes: diff(&Fields::new(), &fields, false).to_string(),
        });
        let search_text = record::search_text(schema, &fields);
        let record = NewRecord::new(schema, id, at, fields, search_text);
        match schema.kind {
            RecordKind::Invoice => self.invoices.push(record),
            RecordKind::Payment => self.payments.push(record),
            _ => self.cases.push(record),
        }
    }

    /// One paid (or, when recent, issued) invoice with its lines and payment.
    fn invoice(
        &mut self,
        buyer: &Buyer,
        day: Date,
        today: Date,
        basket: &[&Item],
        dice: &mut Dice,
    ) {
        let invoice_id = Uuid::now_v7();
        let mut totals = LineAmounts::default();
        for (position, item) in basket.iter().enumerate() {
            let quantity = if item.code == "KB-01" {
                1 + dice.below(4)
            } else {
                1 + dice.below(2)
            };
            let discount_bp = if dice.below(4) == 0 { 500 } else { 0 };
            let input = LineInput {
                quantity,
                unit_price: item.price,
                discount_bp,
                tax_bp: item.tax_bp,
            };
            let amounts = line_amounts(&input).unwrap_or_default();
            totals = totals.checked_add(&amounts).unwrap_or(totals);
            self.lines.push(LineRow {
                id: Uuid::now_v7(),
                document_kind: "invoice".into(),
                document_id: invoice_id,
                position: position as i64 + 1,
                product_id: Some(item.id),
                description: item.name.clone(),
                quantity,
                unit_price: item.price,
                discount_bp,
                tax_bp: item.tax_bp,
                gross: amounts.gross,
                discount: amounts.discount,
                net: amounts.net,
                tax: amounts.tax,
                total: amounts.total,
            });
        }
        let age = (today - day).whole_days();
        let (status, paid) = match age {
            0..=20 => ("issued", 0),
            21..=45 => ("partly_paid", totals.total / 2),
            _ => ("paid", totals.total),
        };
        let number = self.invoices.len() + 1;
        let mut fields = Fields::from([
            (
                "number".into(),
                Value::Text(format!("INV-HIST-{number:06}")),
            ),
            ("status".into(), Value::Text(status.into())),
            ("issue_date".into(), Value::Date(day)),
            ("due_date".into(), Value::Date(day + Duration::days(30))),
            ("subtotal".into(), Value::Int(totals.gross)),
            ("discount_total".into(), Value::Int(totals.discount)),
            ("tax_total".into(), Value::Int(totals.tax)),
            ("total".into(), Value::Int(totals.total)),
            ("paid_total".into(), Value::Int(paid)),
            ("max_discount_bp".into(), Value::Int(500)),
            ("approval".into(), Value::Text("not_required".into())),
        ]);
        placed(&mut fields, buyer);
        let at = at_ten(day);
        self.record(&INVOICES, invoice_id, fields, at);
        if paid > 0 {
            let paid_on = day + Duration::days(dice.below(20));
            let mut payment = Fields::from([
                ("invoice_id".into(), Value::Id(invoice_id)),
                ("amount".into(), Value::Int(paid)),
                ("paid_on".into(), Value::Date(paid_on.min(today))),
                ("method".into(), Value::Text("transfer".into())),
                ("reference".into(), Value::Text(format!("HIST-{number:06}"))),
            ]);
            if let Some(owner) = buyer.owner {
                payment.insert("owner_id".into(), Value::Id(owner));
            }
            if let Some(branch) = buyer.branch {
                payment.insert("branch_id".into(), Value::Id(branch));
            }
            self.record(
                &PAYMENTS,
                Uuid::now_v7(),
                payment,
                at_ten(paid_on.min(today)),
            );
        }
    }

    /// A closed case about `buyer` and the satisfaction survey answered after it, with the
    /// scores a customer with `habit` tends to give.
    fn survey(&mut self, buyer: &Buyer, habit: Habit, day: Date, dice: &mut Dice) {
        let nps = match habit {
            Habit::Regular => 8 + dice.below(3),
            Habit::New => 6 + dice.below(5),
            Habit::Occasional => 5 + dice.below(5),
            Habit::Lapsed | Habit::OneOff => dice.below(7),
        };
        let csat = (nps / 2).clamp(1, 5);
        let number = self.cases.len() + 1;
        let closed = at_ten(day);
        let opened = closed - Duration::days(2);
        let mut fields = Fields::from([
            ("number".into(), Value::Text(format!("CS-HIST-{number:05}"))),
            ("case_type".into(), Value::Text("request".into())),
            ("subject".into(), Value::Text("پیگیری پس از خرید".into())),
            (
                "description".into(),
                Value::Text("تماس پیگیری رضایت مشتری پس از تحویل سفارش".into()),
            ),
            ("priority".into(), Value::Text("normal".into())),
            ("channel".into(), Value::Text("phone".into())),
            ("status".into(), Value::Text("closed".into())),
            ("first_response_at".into(), Value::Time(opened)),
            ("resolved_at".into(), Value::Time(closed)),
            ("closed_at".into(), Value::Time(closed)),
        ]);
        placed(&mut fields, buyer);
        let case_id = Uuid::now_v7();
        self.record(&CASES, case_id, fields, opened);
        let answered = closed + Duration::hours(20);
        self.surveys.push(SurveyRow {
            id: Uuid::now_v7(),
            case_id,
            account_id: (buyer.kind == RecordKind::Account).then_some(buyer.id),
            contact_id: (buyer.kind == RecordKind::Contact).then_some(buyer.id),
            locale: "fa".into(),
            created_at: closed,
            answered_at: Some(answered),
            csat: Some(csat),
            nps: Some(nps),
            comment: None,
        });
    }
}

fn buyer_of(row: &RecordRow, kind: RecordKind) -> Buyer {
    Buyer {
        kind,
        id: row.id,
        owner: id_of(row, "owner_id"),
        branch: id_of(row, "branch_id"),
    }
}

impl App {
    /// Adds the purchase history (see the module documentation); called at the end of the
    /// demo seeding, once the customers, the catalogue and the service data exist.
    pub(crate) async fn seed_insights_demo(&self) -> AppResult<()> {
        let mut tx = self.store.read().await?;
        let products = all_of(&mut tx, &PRODUCTS, 100).await?;
        let accounts = all_of(&mut tx, &ACCOUNTS, HISTORY_CUSTOMERS as u64).await?;
        let contacts = all_of(&mut tx, &CONTACTS, 3 * HISTORY_CUSTOMERS as u64).await?;
        let admin = tx
            .records_where(&RecordsWhere {
                schema: &USERS,
                access: &RowFilter::Everything,
                equals: vec![("email", Value::Text("admin@peyvand.demo".into()))],
                people: None,
                date_between: None,
                due_by: None,
                not_in: None,
                order_by: "id",
                limit: 1,
            })
            .await?;
        drop(tx);
        let items: Vec<Item> = products
            .iter()
            .map(|row| Item {
                id: row.id,
                code: text_of(row, "code"),
                name: text_of(row, "name"),
                price: int_of(row, "base_price"),
                tax_bp: int_of(row, "tax_rate_bp"),
            })
            .collect();
        let baskets: Vec<Vec<&Item>> = BASKETS
            .iter()
            .map(|codes| {
                codes
                    .iter()
                    .filter_map(|code| items.iter().find(|item| item.code == *code))
                    .collect::<Vec<_>>()
            })
            .filter(|basket| !basket.is_empty())
            .collect();
        let (Some(admin), false) = (admin.first(), baskets.is_empty()) else {
            return Ok(());
        };
        let buyers: Vec<Buyer> = accounts
            .iter()
            .map(|row| buyer_of(row, RecordKind::Account))
            .chain(
                contacts
                    .iter()
                    .filter(|row| id_of(row, "account_id").is_none())
                    .map(|row| buyer_of(row, RecordKind::Contact)),
            )
            .take(HISTORY_CUSTOMERS)
            .collect();
        let history = self.build_history(&buyers, &baskets, admin.id);
        self.write_large(move |tx| Box::pin(async move { write_history(tx, history).await }))
            .await
    }

    fn build_history(&self, buyers: &[Buyer], baskets: &[Vec<&Item>], admin: Uuid) -> History {
        let today = self.now().date();
        let mut dice = Dice(0x2545_F491_4F6C_DD1D);
        let mut history = History::default();
        let mut referrers = Vec::new();
        for (index, buyer) in buyers.iter().enumerate() {
            let habit = habit_of(index);
            // A customer's favourite basket comes back most of the time: the loyalty classes
            // then range from undivided to disloyal.
            let favourite = index % baskets.len();
            let days = purchase_days(habit, &mut dice);
            for back in &days {
                let basket = if dice.below(3) == 0 {
                    &baskets[dice.below(baskets.len() as u64) as usize]
                } else {
                    &baskets[favourite]
                };
                let day = today - Duration::days(*back);
                history.invoice(buyer, day, today, basket, &mut dice);
            }
            if index % SURVEY_EVERY == 0
                && let Some(last) = days.last()
            {
                let day = today - Duration::days((*last - 3).max(1));
                history.survey(buyer, habit, day, &mut dice);
            }
            if habit == Habit::Regular {
                referrers.push(index);
            } else if habit == Habit::New
                && history.relationships.len() < REFERRALS
                && let Some(from) = referrers.get(history.relationships.len())
            {
                let referrer = &buyers[*from];
                history.relationships.push(RelationshipRow {
                    id: Uuid::now_v7(),
                    from_kind: referrer.kind.code().to_owned(),
                    from_id: referrer.id,
                    to_kind: buyer.kind.code().to_owned(),
                    to_id: buyer.id,
                    relation_type: "referral".into(),
                    note: Some("معرفی مشتری جدید".into()),
                    created_by: admin,
                    created_at: at_ten(today - Duration::days(60)),
                });
            }
        }
        history
    }
}

async fn write_history(tx: &mut Tx, history: History) -> AppResult<()> {
    tx.insert_records(&INVOICES, &history.invoices).await?;
    tx.insert_records(&PAYMENTS, &history.payments).await?;
    tx.insert_sales_lines(&history.lines).await?;
    tx.insert_records(&CASES, &history.cases).await?;
    for survey in &history.surveys {
        tx.insert_survey(survey, &format!("demo-history-{}", survey.id))
            .await?;
        if let (Some(at), Some(csat), Some(nps)) = (survey.answered_at, survey.csat, survey.nps) {
            tx.answer_survey(survey.id, csat, nps, None, at).await?;
        }
    }
    for relationship in &history.relationships {
        tx.insert_relationship(relationship).await?;
    }
    tx.insert_audits(&history.audits).await?;
    Ok(())
}
