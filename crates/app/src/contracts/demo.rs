//! Demo contracts: a Persian template and contracts in every status with the demo's accounts.

use std::collections::BTreeMap;

use peyvand_domain::calendar::{CalendarKind, IRAN_OFFSET};
use peyvand_domain::permission::RecordKind;
use peyvand_domain::record::Input;
use uuid::Uuid;

use crate::App;
use crate::auth::Session;
use crate::error::AppResult;
use crate::records::ListParams;

/// The demo's contract template: a short Persian sales and support agreement.
const TEMPLATE_BODY: &str = "قرارداد فروش و پشتیبانی\n\n\
شماره قرارداد: {{contract.number}}\n\
این قرارداد میان شرکت فروشنده و {{customer.name}} بسته می‌شود.\n\n\
موضوع: {{contract.title}} بر پایه‌ی فرصت فروش «{{deal.name}}».\n\
مدت: از {{contract.start_date}} تا {{contract.end_date}}.\n\
مبلغ قرارداد: {{contract.value}}.\n\n\
تاریخ تنظیم: {{today}}";

/// (title, months ago it started, length in months, value in Rials, moves after creation).
const CONTRACTS: &[(&str, i64, i64, i64, &[&str])] = &[
    (
        "قرارداد پشتیبانی سالانه",
        2,
        12,
        1_200_000_000,
        &["approved", "active"],
    ),
    ("قرارداد تأمین تجهیزات", 0, 6, 3_450_000_000, &["approved"]),
    (
        "قرارداد نگهداری شبکه",
        14,
        12,
        960_000_000,
        &["approved", "active"],
    ),
    (
        "قرارداد خدمات نصب",
        13,
        12,
        540_000_000,
        &["approved", "active", "renew"],
    ),
    ("پیش‌نویس قرارداد آموزش", 0, 3, 180_000_000, &[]),
];

fn text(pairs: &[(&str, String)]) -> BTreeMap<String, Input> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), Input::Text(v.clone())))
        .collect()
}

/// Adds the demo contracts after the customers and deals exist.
pub(crate) async fn add_demo_contracts(
    app: &App,
    system: &std::sync::Arc<Session>,
    owners: &[(Uuid, String)],
    accounts: &[Uuid],
) -> AppResult<()> {
    if accounts.is_empty() || owners.is_empty() {
        return Ok(());
    }
    let template = app
        .create(
            system,
            RecordKind::ContractTemplate,
            &text(&[
                ("name", "قرارداد فروش و پشتیبانی".into()),
                ("language", "fa".into()),
                ("body", TEMPLATE_BODY.into()),
            ]),
            CalendarKind::Gregorian,
        )
        .await?;
    let today = app.now().to_offset(IRAN_OFFSET).date();
    for (i, (title, ago, months, value, moves)) in CONTRACTS.iter().enumerate() {
        let (owner, branch) = &owners[i % owners.len()];
        let account = accounts[i % accounts.len()];
        // The account's first deal, so the contract names it.
        let deals = app
            .list(
                system,
                RecordKind::Opportunity,
                &ListParams {
                    filters: BTreeMap::from([("account_id".to_owned(), account.to_string())]),
                    limit: Some(1),
                    ..Default::default()
                },
            )
            .await?;
        let start = today - time::Duration::days(ago * 30);
        let end = start + time::Duration::days(months * 30 - 1);
        let mut inputs = text(&[
            ("title", (*title).into()),
            ("account_id", account.to_string()),
            ("template_id", template.id.to_string()),
            ("start_date", start.to_string()),
            ("end_date", end.to_string()),
            ("value", value.to_string()),
            ("owner_id", owner.to_string()),
            ("branch_id", branch.clone()),
        ]);
        if let Some(deal) = deals.items.first() {
            inputs.insert("opportunity_id".into(), Input::Text(deal.id.to_string()));
        }
        let contract = app
            .create(
                system,
                RecordKind::Contract,
                &inputs,
                CalendarKind::Gregorian,
            )
            .await?;
        for step in *moves {
            if *step == "renew" {
                app.contract_sweep().await?;
                app.renew_contract(system, contract.id).await?;
            } else {
                app.move_contract(system, contract.id, (*step).to_owned())
                    .await?;
            }
        }
    }
    // The contracts that ran out before today are expired, as the worker would do.
    app.contract_sweep().await?;
    Ok(())
}
