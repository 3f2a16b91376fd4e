//! Demo data of customer classification: a gold/silver/bronze scheme by purchase amount over
//! the last year, a price list and a quicker service-level target for gold customers, and the
//! classes computed at once.

use std::collections::BTreeMap;

use peyvand_domain::calendar::CalendarKind;
use peyvand_domain::classes::{ClassDef, Criterion, Method, Period, Scheme};
use peyvand_domain::permission::RecordKind;
use peyvand_domain::record::Input;

use super::{queued_run, stored_scheme};
use crate::App;
use crate::auth::Session;
use crate::error::AppResult;
use crate::records::create_in;

/// The demo's classes, best first: name, share of the ranking and offer.
const CLASSES: [(&str, i64, &str); 3] = [
    (
        "طلایی",
        2_000,
        "۱۰٪ تخفیف روی لپ‌تاپ‌ها با فهرست قیمت طلایی، پشتیبانی سالانه رایگان و کارشناس اختصاصی",
    ),
    ("نقره‌ای", 3_000, "ارسال رایگان و ۵٪ تخفیف خرید بعدی"),
    ("برنزی", 5_000, "دعوت به جشنواره فروش پایان سال"),
];

fn text(pairs: &[(&str, String)]) -> BTreeMap<String, Input> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), Input::Text(v.clone())))
        .collect()
}

fn demo_scheme() -> Scheme {
    Scheme {
        criterion: Criterion::PurchaseAmount,
        period: Period::LastDays { days: 365 },
        method: Method::Shares,
        classes: CLASSES
            .iter()
            .map(|(name, share, offer)| ClassDef {
                name: (*name).to_owned(),
                share_bp: Some(*share),
                min: None,
                industries: Vec::new(),
                offer: (*offer).to_owned(),
            })
            .collect(),
        nightly: true,
    }
}

impl App {
    /// Sets the demo scheme, adds the gold price list and service-level target and classifies
    /// the demo customers (at once, not through the queue, so the demo shows classes as soon
    /// as it starts).
    pub(crate) async fn seed_classes_demo(&self, system: &Session) -> AppResult<()> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        if stored_scheme(&mut tx).await?.is_some() {
            return Ok(());
        }
        let scheme = demo_scheme();
        let json =
            serde_json::to_string(&scheme).map_err(|e| crate::AppError::Internal(e.to_string()))?;
        tx.put_setting(super::KEY, &json, now).await?;
        let laptop = self.find_id(RecordKind::Product, "code", "LP-100").await?;
        if let Some(laptop) = laptop {
            let list = create_in(
                &mut tx,
                now,
                system,
                RecordKind::PriceList,
                &text(&[
                    ("name", "فهرست قیمت مشتریان طلایی".into()),
                    ("customer_classes", CLASSES[0].0.into()),
                    ("valid_from", "2024-03-20".into()),
                ]),
                CalendarKind::Gregorian,
                &[],
            )
            .await?;
            create_in(
                &mut tx,
                now,
                system,
                RecordKind::PriceListItem,
                &text(&[
                    ("price_list_id", list.id.to_string()),
                    ("product_id", laptop.to_string()),
                    ("unit_price", "405000000".into()),
                ]),
                CalendarKind::Gregorian,
                &[],
            )
            .await?;
        }
        // Gold customers' high-priority cases are answered sooner (issue 5 §4): an override of
        // the "high" target for the best class.
        create_in(
            &mut tx,
            now,
            system,
            RecordKind::SlaTarget,
            &text(&[
                ("priority", "high".into()),
                ("customer_class", CLASSES[0].0.into()),
                ("first_response_hours", "2".into()),
                ("resolution_hours", "8".into()),
            ]),
            CalendarKind::Gregorian,
            &[],
        )
        .await?;
        let run = queued_run("manual", None, None, now);
        tx.insert_classification_run(&run).await?;
        tx.commit().await?;
        self.classify(run.id).await
    }
}
