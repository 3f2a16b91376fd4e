//! Demo data: an organisation with branches, teams and one user per built-in role, and
//! customers with Persian and English names, Iranian phone numbers, provinces and cities.
//! Deterministic, so that benchmarks and screenshots are repeatable.

use std::collections::BTreeMap;

use peyvand_domain::calendar::CalendarKind;
use peyvand_domain::permission::RecordKind;
use peyvand_domain::record::{CUSTOMER_KINDS, Input, LEAD_STATUSES, LIFECYCLES, SOURCES};
use uuid::Uuid;

use crate::App;
use crate::auth::hash_password;
use crate::error::AppResult;

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

const FIRST_NAMES: &[&str] = &[
    "علی",
    "محمد",
    "زهرا",
    "فاطمه",
    "رضا",
    "مریم",
    "حسین",
    "سارا",
    "مهدی",
    "نرگس",
    "امیر",
    "لیلا",
    "Sara",
    "David",
    "Ali",
    "Maryam",
    "John",
    "Nina",
];
const LAST_NAMES: &[&str] = &[
    "رضایی",
    "محمدی",
    "حسینی",
    "احمدی",
    "کریمی",
    "موسوی",
    "جعفری",
    "قاسمی",
    "صادقی",
    "رحیمی",
    "نوری",
    "کاظمی",
    "Smith",
    "Karimi",
    "Johnson",
    "Tehrani",
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
    ("اصفهان", "اصفهان"),
    ("خراسان رضوی", "مشهد"),
    ("فارس", "شیراز"),
    ("آذربایجان شرقی", "تبریز"),
    ("اصفهان", "کاشان"),
    ("گیلان", "رشت"),
    ("خوزستان", "اهواز"),
];
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
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
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
        let system = self.system_session(headquarters);
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
        Ok(result)
    }

    /// Creates accounts, `contacts` contacts and some leads owned by the given sales people.
    pub async fn seed_customers(
        &self,
        system: &crate::Session,
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
        for i in 0..contacts {
            let (owner, branch) = &owners[i % owners.len()];
            let (province, city) = PLACES[(dice.next() % PLACES.len() as u64) as usize];
            let last = dice.pick(LAST_NAMES);
            let mut fields = text(&[
                ("first_name", dice.pick(FIRST_NAMES).into()),
                ("last_name", last.into()),
                (
                    "mobile",
                    format!(
                        "09{:02}{:07}",
                        10 + dice.next() % 30,
                        dice.next() % 10_000_000
                    ),
                ),
                ("email", format!("customer{i}@example.com")),
                ("customer_kind", dice.pick(CUSTOMER_KINDS).into()),
                ("lifecycle", dice.pick(LIFECYCLES).into()),
                ("source", dice.pick(SOURCES).into()),
                ("province", province.into()),
                ("city", city.into()),
                ("owner_id", owner.to_string()),
                ("branch_id", branch.clone()),
            ]);
            if i % 3 == 0 {
                fields.insert(
                    "account_id".into(),
                    Input::Text(accounts[i % accounts.len()].to_string()),
                );
            }
            fields.insert("consent_sms".into(), Input::Bool(i % 2 == 0));
            self.create_as_system(&mut tx, system, RecordKind::Contact, &fields)
                .await?;
            // Commit in batches: one huge transaction would hold SQLite's write lock too long.
            if i % 1000 == 999 {
                tx.commit().await?;
                tx = self.store.write().await?;
            }
        }
        for i in 0..(contacts / 4).clamp(5, 200) {
            let (owner, branch) = &owners[i % owners.len()];
            let fields = text(&[
                ("first_name", dice.pick(FIRST_NAMES).into()),
                ("last_name", dice.pick(LAST_NAMES).into()),
                ("company", dice.pick(COMPANIES).into()),
                ("mobile", format!("0935{:07}", dice.next() % 10_000_000)),
                ("status", LEAD_STATUSES[i % 4].into()),
                ("source", dice.pick(SOURCES).into()),
                ("owner_id", owner.to_string()),
                ("branch_id", branch.clone()),
            ]);
            self.create_as_system(&mut tx, system, RecordKind::Lead, &fields)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
