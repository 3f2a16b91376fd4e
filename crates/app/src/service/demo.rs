//! Demo data of activities and customer service: a small category tree, service-level targets,
//! a holiday, a routing rule, and a few activities and cases on the demo customers, so every
//! page and the permission test have something to show.

use std::collections::BTreeMap;

use peyvand_domain::permission::RecordKind;
use peyvand_domain::permission::RowFilter;
use peyvand_domain::record::{ACCOUNTS, Input, USERS, Value};
use peyvand_store::RecordsWhere;
use time::Duration;

use crate::App;
use crate::auth::Session;
use crate::error::AppResult;

fn inputs(pairs: &[(&str, String)]) -> BTreeMap<String, Input> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), Input::Text(v.clone())))
        .collect()
}

impl App {
    /// Adds the service demo data (after the demo customers exist).
    pub(crate) async fn seed_service_demo(&self, system: &Session) -> AppResult<()> {
        let mut tx = self.store.write().await?;
        let technical = self
            .create_as_system(
                &mut tx,
                system,
                RecordKind::CaseCategory,
                &inputs(&[("name", "فنی".into())]),
            )
            .await?
            .id;
        for (name, parent) in [
            ("نصب و راه‌اندازی", Some(technical)),
            ("مالی و صورتحساب", None),
        ] {
            let mut fields = vec![("name", name.to_owned())];
            fields.extend(parent.map(|p| ("parent_category_id", p.to_string())));
            self.create_as_system(&mut tx, system, RecordKind::CaseCategory, &inputs(&fields))
                .await?;
        }
        for (priority, first, resolution) in [
            ("low", 16, 80),
            ("normal", 8, 40),
            ("high", 4, 16),
            ("urgent", 1, 8),
        ] {
            let fields = inputs(&[
                ("priority", priority.into()),
                ("first_response_hours", first.to_string()),
                ("resolution_hours", resolution.to_string()),
            ]);
            self.create_as_system(&mut tx, system, RecordKind::SlaTarget, &fields)
                .await?;
        }
        let holiday = inputs(&[("name", "عید نوروز".into()), ("date", "2026-03-21".into())]);
        self.create_as_system(&mut tx, system, RecordKind::Holiday, &holiday)
            .await?;
        let users = tx
            .records_where(&RecordsWhere {
                schema: &USERS,
                access: &RowFilter::Everything,
                equals: vec![("email", Value::Text("service@peyvand.demo".into()))],
                people: None,
                date_between: None,
                due_by: None,
                not_in: None,
                order_by: "id",
                limit: 1,
            })
            .await?;
        if let Some(agent) = users.first() {
            let rule = inputs(&[
                ("name", "صورتحساب‌ها با کارشناس خدمات".into()),
                ("position", "100".into()),
                ("match_keyword", "فاکتور".into()),
                ("assign_user_id", agent.id.to_string()),
            ]);
            self.create_as_system(&mut tx, system, RecordKind::RoutingRule, &rule)
                .await?;
        }
        let accounts = tx
            .records_where(&RecordsWhere {
                schema: &ACCOUNTS,
                access: &RowFilter::Everything,
                equals: vec![],
                people: None,
                date_between: None,
                due_by: None,
                not_in: None,
                order_by: "id",
                limit: 6,
            })
            .await?;
        let today = self
            .now()
            .to_offset(peyvand_domain::service::LOCAL_OFFSET)
            .date();
        for (i, account) in accounts.iter().enumerate() {
            let place = |name: &str| {
                account
                    .fields
                    .get(name)
                    .and_then(Value::as_id)
                    .unwrap_or_default()
                    .to_string()
            };
            let due = today + Duration::days(i as i64 - 2);
            let activity = inputs(&[
                ("activity_type", ["call", "meeting", "task"][i % 3].into()),
                ("subject", format!("پیگیری مشتری {}", i + 1)),
                ("status", if i % 2 == 0 { "open" } else { "done" }.into()),
                ("due_date", due.to_string()),
                ("due_time", "10:00".into()),
                ("account_id", account.id.to_string()),
                ("owner_id", place("owner_id")),
                ("branch_id", place("branch_id")),
            ]);
            self.create_as_system(&mut tx, system, RecordKind::Activity, &activity)
                .await?;
            let case = inputs(&[
                ("case_type", ["request", "complaint"][i % 2].into()),
                ("subject", format!("درخواست نمونه {}", i + 1)),
                ("description", "متن نمونهٔ درخواست مشتری".into()),
                ("channel", ["phone", "email", "in_person"][i % 3].into()),
                ("priority", ["normal", "high"][i % 2].into()),
                ("account_id", account.id.to_string()),
                ("owner_id", place("owner_id")),
                ("branch_id", place("branch_id")),
            ]);
            self.create_as_system(&mut tx, system, RecordKind::Case, &case)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
