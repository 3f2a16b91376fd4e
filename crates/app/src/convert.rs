//! Converting a qualified lead into an account and a contact (PRODUCT.md §2), and, when asked,
//! an opportunity for them on the default pipeline (issue 4).

use std::collections::BTreeMap;

use peyvand_domain::calendar::CalendarKind;
use peyvand_domain::permission::{Action, RecordKind};
use peyvand_domain::record::{Input, Value};
use uuid::Uuid;

use crate::auth::Session;
use crate::error::{AppError, AppResult};
use crate::json::value_to_json;
use crate::records::{audit, create_in, read_checked};
use crate::{App, RecordView};

/// How to convert a lead.
#[derive(Debug, Clone, Default)]
pub struct ConvertLead {
    /// The lead's version as read (a lead changed meanwhile is not converted).
    pub version: i64,
    /// Name of the account to create; defaults to the lead's company. With neither, or with
    /// `existing_account_id`, no account is created.
    pub account_name: Option<String>,
    /// Attach the contact to this existing account instead of creating one.
    pub existing_account_id: Option<Uuid>,
    /// With an amount (Rials), an opportunity is created too, on the default pipeline, for the
    /// account (or the contact without one), owned like the lead and remembering it.
    pub opportunity_amount: Option<i64>,
}

/// What a conversion made.
#[derive(Debug, Clone)]
pub struct Converted {
    /// The lead, now with status `converted`.
    pub lead: RecordView,
    /// The account created or used, if any.
    pub account: Option<RecordView>,
    /// The contact created.
    pub contact: RecordView,
    /// The opportunity created, when one was asked for.
    pub opportunity: Option<RecordView>,
}

/// Lead fields carried over to the contact.
const CONTACT_FIELDS: &[&str] = &[
    "first_name",
    "last_name",
    "job_title",
    "mobile",
    "phone",
    "email",
    "customer_kind",
    "source",
    "province",
    "city",
    "tags",
    "description",
    "owner_id",
    "branch_id",
];

fn input_of(value: &Value) -> Input {
    match value {
        Value::Null => Input::Null,
        Value::Tags(tags) => Input::List(tags.clone()),
        Value::Bool(b) => Input::Bool(*b),
        other => match value_to_json(other) {
            serde_json::Value::String(s) => Input::Text(s),
            json => Input::Text(json.to_string()),
        },
    }
}

impl App {
    /// Converts a lead in one transaction: account (optional), contact, and the lead marked
    /// converted with links to both. Every step is in the audit trail.
    pub async fn convert_lead(
        &self,
        session: &Session,
        lead_id: Uuid,
        options: &ConvertLead,
    ) -> AppResult<Converted> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let (lead, _) =
            read_checked(&mut tx, session, RecordKind::Lead, lead_id, Action::Update).await?;
        let get = |name: &str| lead.fields.get(name).cloned().unwrap_or(Value::Null);
        if get("status") == Value::Text("converted".into()) {
            return Err(AppError::AlreadyConverted);
        }
        if lead.version != options.version {
            return Err(AppError::VersionConflict);
        }
        let account = match options.existing_account_id {
            Some(id) => Some(
                read_checked(&mut tx, session, RecordKind::Account, id, Action::Read)
                    .await
                    .map_err(|_| {
                        AppError::field(
                            "existing_account_id",
                            peyvand_domain::validation::FieldError::NOT_FOUND,
                        )
                    })?
                    .1,
            ),
            None => {
                let name = options
                    .account_name
                    .clone()
                    .filter(|n| !n.trim().is_empty())
                    .or_else(|| get("company").as_text().map(str::to_owned));
                match name {
                    Some(name) => {
                        let mut inputs = BTreeMap::from([("name".to_owned(), Input::Text(name))]);
                        for field in [
                            "industry",
                            "source",
                            "customer_kind",
                            "province",
                            "city",
                            "phone",
                            "owner_id",
                            "branch_id",
                        ] {
                            inputs.insert(field.into(), input_of(&get(field)));
                        }
                        Some(
                            create_in(
                                &mut tx,
                                now,
                                session,
                                RecordKind::Account,
                                &inputs,
                                CalendarKind::Gregorian,
                                &[],
                            )
                            .await?,
                        )
                    }
                    None => None,
                }
            }
        };
        let mut inputs: BTreeMap<String, Input> = CONTACT_FIELDS
            .iter()
            .map(|f| ((*f).to_owned(), input_of(&get(f))))
            .collect();
        inputs.insert("lifecycle".into(), Input::Text("prospect".into()));
        if let Some(account) = &account {
            inputs.insert("account_id".into(), Input::Text(account.id.to_string()));
        }
        let contact = create_in(
            &mut tx,
            now,
            session,
            RecordKind::Contact,
            &inputs,
            CalendarKind::Gregorian,
            &[],
        )
        .await?;
        let opportunity = match options.opportunity_amount {
            Some(amount) => {
                let customer = match &account {
                    Some(account) => ("account_id", account.id),
                    None => ("contact_id", contact.id),
                };
                let title =
                    peyvand_domain::record::title(&peyvand_domain::record::LEADS, &lead.fields);
                let name = get("company").as_text().map_or(title, str::to_owned);
                let mut inputs = BTreeMap::from([
                    ("name".to_owned(), Input::Text(name)),
                    ("amount".to_owned(), Input::Int(amount)),
                    (customer.0.to_owned(), Input::Text(customer.1.to_string())),
                    ("lead_id".to_owned(), Input::Text(lead_id.to_string())),
                ]);
                for field in ["source", "owner_id", "branch_id"] {
                    inputs.insert(field.into(), input_of(&get(field)));
                }
                Some(
                    create_in(
                        &mut tx,
                        now,
                        session,
                        RecordKind::Opportunity,
                        &inputs,
                        CalendarKind::Gregorian,
                        &[],
                    )
                    .await?,
                )
            }
            None => None,
        };
        // The status "converted" may only be set here, so the rule check is bypassed by writing
        // the lead's system fields directly through the store.
        let mut changes = peyvand_domain::record::Fields::new();
        changes.insert("status".into(), Value::Text("converted".into()));
        changes.insert("converted_contact_id".into(), Value::Id(contact.id));
        if let Some(account) = &account {
            changes.insert("converted_account_id".into(), Value::Id(account.id));
        }
        let schema = &peyvand_domain::record::LEADS;
        let mut merged = lead.fields.clone();
        merged.extend(changes.clone());
        let search = peyvand_domain::record::search_text(schema, &merged);
        if !tx
            .update_record(schema, lead_id, lead.version, now, &changes, &search, &[])
            .await?
        {
            return Err(AppError::VersionConflict);
        }
        let audit_changes = crate::records::diff(&lead.fields, &changes, false);
        audit(
            &mut tx,
            now,
            session,
            RecordKind::Lead,
            lead_id,
            "convert",
            audit_changes,
        )
        .await?;
        let lead_view = read_checked(&mut tx, session, RecordKind::Lead, lead_id, Action::Read)
            .await?
            .1;
        tx.commit().await?;
        Ok(Converted {
            lead: lead_view,
            account,
            contact,
            opportunity,
        })
    }
}
