//! Demo data: an organisation with branches, teams and one user per built-in role, and
//! customers with Persian and English names, Iranian phone numbers, provinces and cities.
//! Deterministic, so that benchmarks and screenshots are repeatable.

use std::collections::BTreeMap;

use peyvand_domain::calendar::CalendarKind;
use peyvand_domain::permission::RecordKind;
use peyvand_domain::record::{
    self, CUSTOMER_KINDS, Fields, Input, LEAD_STATUSES, LIFECYCLES, SOURCES,
};
use peyvand_store::{AuditRow, NewRecord};
use uuid::Uuid;

use crate::App;
use crate::auth::hash_password;
use crate::error::{AppError, AppResult};
use crate::match_keys::{MatchFields, kind_number};
use crate::records::diff;

/// The password of every demo user.
pub const DEMO_PASSWORD: &str = "peyvand-demo";

/// A demo login: email and role.
#[derive(Debug, Clone)]
pub struct DemoLogin {
    /// Email to sign in with.
    pub email: String,
    /// The role's key.
    pub role: &'static str,
}

/// Persian first names with their usual Latin spelling (for email addresses).
const FIRST_NAMES: &[(&str, &str)] = &[
    ("علی", "ali"),
    ("محمد", "mohammad"),
    ("زهرا", "zahra"),
    ("فاطمه", "fatemeh"),
    ("رضا", "reza"),
    ("مریم", "maryam"),
    ("حسین", "hossein"),
    ("سارا", "sara"),
    ("مهدی", "mahdi"),
    ("نرگس", "narges"),
    ("امیر", "amir"),
    ("لیلا", "leila"),
    ("حسن", "hasan"),
    ("معصومه", "masoumeh"),
    ("عباس", "abbas"),
    ("سمیرا", "samira"),
    ("مجید", "majid"),
    ("الهام", "elham"),
    ("سعید", "saeed"),
    ("نسرین", "nasrin"),
    ("بهزاد", "behzad"),
    ("شیرین", "shirin"),
    ("کامران", "kamran"),
    ("پریسا", "parisa"),
    ("مصطفی", "mostafa"),
    ("آزاده", "azadeh"),
    ("جواد", "javad"),
    ("نگار", "negar"),
    ("یوسف", "yousef"),
    ("هانیه", "hanieh"),
    ("کیوان", "keyvan"),
    ("ژاله", "zhaleh"),
    ("Sara", "sara"),
    ("David", "david"),
    ("Ali", "ali"),
    ("Maryam", "maryam"),
    ("John", "john"),
    ("Nina", "nina"),
    ("Emma", "emma"),
    ("Daniel", "daniel"),
];
const LAST_NAMES: &[(&str, &str)] = &[
    ("رضایی", "rezaei"),
    ("محمدی", "mohammadi"),
    ("حسینی", "hosseini"),
    ("احمدی", "ahmadi"),
    ("کریمی", "karimi"),
    ("موسوی", "mousavi"),
    ("جعفری", "jafari"),
    ("قاسمی", "ghasemi"),
    ("صادقی", "sadeghi"),
    ("رحیمی", "rahimi"),
    ("نوری", "nouri"),
    ("کاظمی", "kazemi"),
    ("حیدری", "heidari"),
    ("اکبری", "akbari"),
    ("عباسی", "abbasi"),
    ("ابراهیمی", "ebrahimi"),
    ("یزدانی", "yazdani"),
    ("طاهری", "taheri"),
    ("شریفی", "sharifi"),
    ("نجفی", "najafi"),
    ("بهرامی", "bahrami"),
    ("فرهادی", "farhadi"),
    ("سلطانی", "soltani"),
    ("مرادی", "moradi"),
    ("زارعی", "zarei"),
    ("تهرانی", "tehrani"),
    ("اصفهانی", "esfahani"),
    ("شیرازی", "shirazi"),
    ("میرزایی", "mirzaei"),
    ("پورمحمدی", "pourmohammadi"),
    ("خسروی", "khosravi"),
    ("کوهستانی", "kouhestani"),
    ("Smith", "smith"),
    ("Karimi", "karimi"),
    ("Johnson", "johnson"),
    ("Tehrani", "tehrani"),
    ("Brown", "brown"),
    ("Miller", "miller"),
];
const COMPANIES: &[&str] = &[
    "صنایع غذایی آوا",
    "پخش سپهر",
    "فولاد کویر",
    "نرم‌افزار پارس",
    "بازرگانی نگین",
    "داروسازی مهر",
    "Zagros Trading",
    "Caspian Logistics",
    "کاشی هفت‌رنگ",
    "مبلمان آرین",
];
const PLACES: &[(&str, &str)] = &[
    ("تهران", "تهران"),
    ("تهران", "شهریار"),
    ("اصفهان", "اصفهان"),
    ("اصفهان", "کاشان"),
    ("خراسان رضوی", "مشهد"),
    ("فارس", "شیراز"),
    ("آذربایجان شرقی", "تبریز"),
    ("گیلان", "رشت"),
    ("خوزستان", "اهواز"),
    ("البرز", "کرج"),
    ("قم", "قم"),
    ("کرمانشاه", "کرمانشاه"),
    ("مازندران", "ساری"),
    ("کرمان", "کرمان"),
    ("یزد", "یزد"),
    ("همدان", "همدان"),
    ("هرمزگان", "بندرعباس"),
    ("آذربایجان غربی", "ارومیه"),
];
/// Iranian mobile prefixes (MCI, Irancell, Rightel).
const MOBILE_PREFIXES: &[&str] = &[
    "0910", "0911", "0912", "0913", "0914", "0915", "0916", "0917", "0918", "0919", "0990", "0991",
    "0930", "0933", "0935", "0936", "0937", "0938", "0939", "0901", "0902", "0921",
];
/// Contacts written per transaction by the bulk path.
const CONTACTS_PER_WRITE: usize = 20_000;
const INDUSTRIES: &[&str] = &[
    "غذایی",
    "پخش",
    "فولاد",
    "نرم‌افزار",
    "بازرگانی",
    "دارو",
    "ساختمان",
];

/// A small deterministic generator (xorshift) so demo data is the same on every run.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[(self.next() % items.len() as u64) as usize]
    }
}

fn text(pairs: &[(&str, String)]) -> BTreeMap<String, Input> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), Input::Text(v.clone())))
        .collect()
}

impl App {
    /// Fills an empty database with demo data; does nothing when demo users exist already.
    /// Returns the demo logins.
    pub async fn seed_demo(&self, contacts: usize) -> AppResult<Vec<DemoLogin>> {
        let headquarters = self.bootstrap().await?;
        let system = std::sync::Arc::new(self.system_session(headquarters));
        let role =
            |key: &'static str| async move { self.find_id(RecordKind::Role, "name", key).await };
        let logins: Vec<(&str, &'static str, &str, &str)> = vec![
            ("admin@peyvand.demo", "admin", "مدیر سامانه", "hq"),
            (
                "branch.manager@peyvand.demo",
                "branch_manager",
                "مدیر شعبه اصفهان",
                "isfahan",
            ),
            (
                "sales.manager@peyvand.demo",
                "sales_manager",
                "مدیر فروش",
                "hq",
            ),
            ("rep@peyvand.demo", "sales_rep", "کارشناس فروش تهران", "hq"),
            (
                "rep.isfahan@peyvand.demo",
                "sales_rep",
                "کارشناس فروش اصفهان",
                "isfahan",
            ),
            (
                "marketing@peyvand.demo",
                "marketing",
                "کارشناس بازاریابی",
                "hq",
            ),
            (
                "service@peyvand.demo",
                "service_agent",
                "کارشناس خدمات",
                "hq",
            ),
            ("viewer@peyvand.demo", "viewer", "ناظر", "hq"),
        ];
        let result: Vec<DemoLogin> = logins
            .iter()
            .map(|(email, role, _, _)| DemoLogin {
                email: (*email).into(),
                role,
            })
            .collect();
        if self
            .find_id(RecordKind::User, "email", "admin@peyvand.demo")
            .await?
            .is_some()
        {
            return Ok(result);
        }
        let hash = hash_password(DEMO_PASSWORD).await?;
        let mut tx = self.store.write().await?;
        let hq = headquarters.to_string();
        let branch = |name: &str, code: &str, parent: &str, province: &str, city: &str| {
            text(&[
                ("name", name.into()),
                ("code", code.into()),
                ("parent_id", parent.into()),
                ("province", province.into()),
                ("city", city.into()),
            ])
        };
        let isfahan = self
            .create_as_system(
                &mut tx,
                &system,
                RecordKind::Branch,
                &branch("شعبه اصفهان", "ISF", &hq, "اصفهان", "اصفهان"),
            )
            .await?
            .id
            .to_string();
        self.create_as_system(
            &mut tx,
            &system,
            RecordKind::Branch,
            &branch("شعبه کاشان", "KSH", &isfahan, "اصفهان", "کاشان"),
        )
        .await?;
        self.create_as_system(
            &mut tx,
            &system,
            RecordKind::Branch,
            &branch("شعبه مشهد", "MHD", &hq, "خراسان رضوی", "مشهد"),
        )
        .await?;
        self.create_as_system(
            &mut tx,
            &system,
            RecordKind::Branch,
            &branch("شعبه شیراز", "SYZ", &hq, "فارس", "شیراز"),
        )
        .await?;
        let hq_team = self
            .create_as_system(
                &mut tx,
                &system,
                RecordKind::Team,
                &text(&[("name", "فروش تهران".into()), ("branch_id", hq.clone())]),
            )
            .await?
            .id
            .to_string();
        let isf_team = self
            .create_as_system(
                &mut tx,
                &system,
                RecordKind::Team,
                &text(&[
                    ("name", "فروش اصفهان".into()),
                    ("branch_id", isfahan.clone()),
                ]),
            )
            .await?
            .id
            .to_string();
        tx.commit().await?;

        let mut owners: Vec<(Uuid, String)> = Vec::new();
        for (email, role_key, name, place) in &logins {
            let role_id = role(role_key).await?.unwrap_or_default().to_string();
            let (branch_id, team) = if *place == "hq" {
                (hq.clone(), hq_team.clone())
            } else {
                (isfahan.clone(), isf_team.clone())
            };
            let mut fields = text(&[
                ("name", (*name).into()),
                ("email", (*email).into()),
                ("role_id", role_id),
                ("branch_id", branch_id.clone()),
            ]);
            if role_key.starts_with("sales") {
                fields.insert("team_id".into(), Input::Text(team));
            }
            let mut tx = self.store.write().await?;
            let user = crate::records::create_in(
                &mut tx,
                self.now(),
                &system,
                RecordKind::User,
                &fields,
                CalendarKind::Gregorian,
                &[("password_hash", hash.clone())],
            )
            .await?;
            tx.commit().await?;
            if role_key.starts_with("sales") {
                owners.push((user.id, branch_id));
            }
        }
        self.seed_customers(&system, &owners, contacts).await?;
        // Activities and customer service (issue 5).
        self.seed_service_demo(&system).await?;
        // A purchase history for the analytical CRM (issue 6), then the classes it earns
        // (issue 4 §8).
        self.seed_insights_demo().await?;
        self.seed_classes_demo(&system).await?;
        self.store.optimize().await?;
        Ok(result)
    }

    /// Creates accounts, `contacts` contacts and some leads owned by the given sales people.
    pub async fn seed_customers(
        &self,
        system: &std::sync::Arc<crate::Session>,
        owners: &[(Uuid, String)],
        contacts: usize,
    ) -> AppResult<()> {
        let mut dice = Dice(0x9E37_79B9_7F4A_7C15);
        let mut accounts = Vec::new();
        let mut tx = self.store.write().await?;
        for (i, company) in COMPANIES.iter().enumerate() {
            let (owner, branch) = &owners[i % owners.len()];
            let (province, city) = PLACES[i % PLACES.len()];
            let fields = text(&[
                ("name", (*company).into()),
                ("customer_kind", "wholesale".into()),
                ("lifecycle", dice.pick(LIFECYCLES).into()),
                ("industry", dice.pick(INDUSTRIES).into()),
                ("phone", format!("021{:08}", dice.next() % 100_000_000)),
                ("province", province.into()),
                ("city", city.into()),
                ("owner_id", owner.to_string()),
                ("branch_id", branch.clone()),
            ]);
            accounts.push(
                self.create_as_system(&mut tx, system, RecordKind::Account, &fields)
                    .await?
                    .id,
            );
        }
        tx.commit().await?;
        self.seed_contacts(system, owners, &accounts, &mut dice, contacts)
            .await?;
        let mut tx = self.store.write().await?;
        for i in 0..(contacts / 4).clamp(5, 200) {
            let (owner, branch) = &owners[i % owners.len()];
            let fields = text(&[
                ("first_name", dice.pick(FIRST_NAMES).0.into()),
                ("last_name", dice.pick(LAST_NAMES).0.into()),
                ("company", dice.pick(COMPANIES).into()),
                ("mobile", mobile(&mut dice)),
                ("status", LEAD_STATUSES[i % 4].into()),
                ("source", dice.pick(SOURCES).into()),
                ("owner_id", owner.to_string()),
                ("branch_id", branch.clone()),
            ]);
            self.create_as_system(&mut tx, system, RecordKind::Lead, &fields)
                .await?;
        }
        tx.commit().await?;
        // Sales documents (issue 4).
        self.seed_sales(system, owners, &accounts).await?;
        // Payment punctuality in the 360° view (issue 4 §9).
        self.seed_payment_history(system, owners, &accounts).await?;
        // Sales pipeline (issue 4).
        self.seed_opportunities(system, owners, &accounts, (contacts / 2).clamp(10, 60))
            .await?;
        // Contracts (issue 4 §7).
        crate::contracts::add_demo_contracts(self, system, owners, &accounts).await?;
        // Saved SMS templates for bulk SMS (issue 5 §5).
        crate::sms_schedule::add_demo_templates(self, system).await?;
        Ok(())
    }

    /// Creates `contacts` contacts by the bulk path: each is validated by the domain exactly as
    /// a create would (so its fields, search text and sort key are what the app writes) and gets
    /// its "create" audit entry, but many are written per statement and per transaction. The
    /// per-record checks of a create (rights, references, placement) are skipped because the
    /// generator only names the demo's own owners, branches and accounts.
    async fn seed_contacts(
        &self,
        system: &crate::Session,
        owners: &[(Uuid, String)],
        accounts: &[Uuid],
        dice: &mut Dice,
        contacts: usize,
    ) -> AppResult<()> {
        let schema = record::schema(RecordKind::Contact);
        // The demo's contacts are found as duplicates like any others: the bulk path stores
        // their match keys as a create would.
        let matched = MatchFields::of(schema)
            .ok_or_else(|| AppError::Internal("contacts have match fields".into()))?;
        let kind = kind_number(RecordKind::Contact)
            .ok_or_else(|| AppError::Internal("contacts have match keys".into()))?;
        let mut start = 0;
        while start < contacts {
            let end = (start + CONTACTS_PER_WRITE).min(contacts);
            let mut records = Vec::with_capacity(end - start);
            let mut audits = Vec::with_capacity(end - start);
            let mut keys = Vec::with_capacity(end - start);
            for i in start..end {
                let inputs = contact_inputs(dice, i, &owners[i % owners.len()], accounts);
                let fields = record::validate(schema, &inputs, false, CalendarKind::Gregorian)
                    .map_err(AppError::Validation)?;
                let (id, now) = (Uuid::now_v7(), self.now());
                audits.push(AuditRow {
                    id: Uuid::now_v7(),
                    record_kind: RecordKind::Contact.code().to_owned(),
                    record_id: id,
                    action: "create".to_owned(),
                    actor_id: Some(system.actor.user_id),
                    at: now,
                    changes: diff(&Fields::new(), &fields, false).to_string(),
                });
                keys.push((id, matched.stored_keys(&fields)));
                let search_text = record::search_text(schema, &fields);
                records.push(NewRecord::new(schema, id, now, fields, search_text));
            }
            self.write(move |tx| {
                Box::pin(async move {
                    tx.insert_records(schema, &records).await?;
                    tx.insert_match_keys_many(kind, &keys).await?;
                    tx.insert_audits(&audits).await?;
                    Ok(())
                })
            })
            .await?;
            start = end;
        }
        self.write_large(|tx| Box::pin(async move { Ok(tx.tidy_match_keys().await?) }))
            .await?;
        Ok(())
    }
}

/// A valid Iranian mobile number as people type it (national form).
fn mobile(dice: &mut Dice) -> String {
    format!(
        "{}{:07}",
        dice.pick(MOBILE_PREFIXES),
        dice.next() % 10_000_000
    )
}

/// The form input of the `i`th demo contact.
fn contact_inputs(
    dice: &mut Dice,
    i: usize,
    (owner, branch): &(Uuid, String),
    accounts: &[Uuid],
) -> BTreeMap<String, Input> {
    let (province, city) = dice.pick(PLACES);
    let (first, first_latin) = dice.pick(FIRST_NAMES);
    let (last, last_latin) = dice.pick(LAST_NAMES);
    let mut fields = text(&[
        ("first_name", first.into()),
        ("last_name", last.into()),
        ("mobile", mobile(dice)),
        (
            "email",
            // The first ones keep a short, predictable address (tests and examples use them).
            if i < 100 {
                format!("customer{i}@example.com")
            } else {
                format!("{first_latin}.{last_latin}{i}@example.com")
            },
        ),
        ("customer_kind", dice.pick(CUSTOMER_KINDS).into()),
        ("lifecycle", dice.pick(LIFECYCLES).into()),
        ("source", dice.pick(SOURCES).into()),
        ("province", province.into()),
        ("city", city.into()),
        ("owner_id", owner.to_string()),
        ("branch_id", branch.clone()),
    ]);
    if i.is_multiple_of(3) && !accounts.is_empty() {
        fields.insert(
            "account_id".into(),
            Input::Text(accounts[i % accounts.len()].to_string()),
        );
    }
    fields.insert("consent_sms".into(), Input::Bool(i.is_multiple_of(2)));
    fields
}
