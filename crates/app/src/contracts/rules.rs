//! What the generic create, update and delete do for contract templates and contracts.

use peyvand_domain::calendar::{IRAN_OFFSET, Locale};
use peyvand_domain::contracts::placeholders::{self, ContractFacts};
use peyvand_domain::contracts::status::{self, DEFAULT_REMINDER_DAYS, DRAFT};
use peyvand_domain::contracts::{CONTRACT_TEMPLATES, NOT_DRAFT, contract_number};
use peyvand_domain::permission::RecordKind;
use peyvand_domain::pipeline::OPPORTUNITIES;
use peyvand_domain::record::sales::QUOTES;
use peyvand_domain::record::{self, ACCOUNTS, BRANCHES, CONTACTS, Fields, Schema, Value};
use peyvand_domain::sales::NEGATIVE;
use peyvand_domain::sales::numbering::{branch_part, numbering_year};
use peyvand_domain::validation::{FieldError, ValidationErrors};
use peyvand_store::{RecordRow, Tx};

use super::{date, id, int, text};
use crate::auth::Session;
use crate::error::{AppError, AppResult};

/// Fills in and checks a new template or contract before it is stored.
pub(crate) async fn before_create(
    tx: &mut Tx,
    now: time::OffsetDateTime,
    session: &Session,
    schema: &Schema,
    fields: &mut Fields,
) -> AppResult<()> {
    match schema.kind {
        RecordKind::ContractTemplate => {
            if fields.get("active").is_none_or(Value::is_null) {
                fields.insert("active".into(), Value::Bool(true));
            }
            check_template(fields)
        }
        RecordKind::Contract => new_contract(tx, now, session, fields).await,
        _ => Ok(()),
    }
}

/// Checks an update of a template or a contract; `merged` is the record as it would be.
pub(crate) fn before_update(
    schema: &Schema,
    old: &RecordRow,
    changes: &Fields,
    merged: &Fields,
) -> AppResult<()> {
    match schema.kind {
        RecordKind::ContractTemplate => check_template(merged),
        RecordKind::Contract => {
            if changes.is_empty() {
                return Ok(());
            }
            if !status::editable(text(&old.fields, "status")) {
                // Only drafts change through forms and the API; later changes are moves. The
                // internal notes stay open, as on sales documents that have gone out.
                let mut errors = ValidationErrors::new();
                for name in changes.keys().filter(|name| name.as_ref() != "description") {
                    errors.add(name.as_ref(), NOT_DRAFT);
                }
                return errors.into_result().map_err(AppError::Validation);
            }
            check_contract(merged)
        }
        _ => Ok(()),
    }
}

/// Only drafts are deleted: a contract that was approved stays on record.
pub(crate) fn before_delete(kind: RecordKind, row: &RecordRow) -> AppResult<()> {
    if kind == RecordKind::Contract && !status::editable(text(&row.fields, "status")) {
        return Err(AppError::field("status", NOT_DRAFT));
    }
    Ok(())
}

/// A template's body may use only the documented placeholders.
fn check_template(fields: &Fields) -> AppResult<()> {
    placeholders::check(text(fields, "body")).map_err(AppError::UnknownPlaceholder)
}

/// The checks every version of a contract passes: a customer, a value that is not negative and
/// an end that does not come before the start.
fn check_contract(fields: &Fields) -> AppResult<()> {
    let mut errors = ValidationErrors::new();
    if id(fields, "account_id").is_none() && id(fields, "contact_id").is_none() {
        errors.add("account_id", FieldError::REQUIRED);
    }
    if int(fields, "value").is_some_and(|v| v < 0) {
        errors.add("value", NEGATIVE);
    }
    if int(fields, "reminder_days").is_some_and(|v| v < 0) {
        errors.add("reminder_days", NEGATIVE);
    }
    if let Err(dates) = status::check_dates(date(fields, "start_date"), date(fields, "end_date")) {
        errors.fields.extend(dates.fields);
    }
    errors.into_result().map_err(AppError::Validation)
}

/// A new contract: placed with its creator unless told otherwise, a draft, numbered per branch
/// and Jalali year, its body filled from its template when none was typed.
async fn new_contract(
    tx: &mut Tx,
    now: time::OffsetDateTime,
    session: &Session,
    fields: &mut Fields,
) -> AppResult<()> {
    let mut default = |name: &'static str, value: Value| {
        if fields.get(name).is_none_or(Value::is_null) {
            fields.insert(name.into(), value);
        }
    };
    default("owner_id", Value::Id(session.actor.user_id));
    default("branch_id", Value::Id(session.actor.branch_id));
    default("reminder_days", Value::Int(DEFAULT_REMINDER_DAYS));
    check_contract(fields)?;
    fields.insert("status".into(), Value::Text(DRAFT.into()));
    let branch_id =
        id(fields, "branch_id").ok_or(AppError::field("branch_id", FieldError::REQUIRED))?;
    let Some(branch) = tx.get_record(&BRANCHES, branch_id).await? else {
        return Err(AppError::field("branch_id", FieldError::NOT_FOUND));
    };
    // Numbered by the Jalali year it is written in, like a document by its issue date; a
    // refused create rolls its number back with the rest of the transaction.
    let today = now.to_offset(IRAN_OFFSET).date();
    let year = numbering_year(today);
    let sequence = tx.next_document_number("contract", branch_id, year).await?;
    let code = branch.fields.get("code").and_then(Value::as_text);
    let number = contract_number(&branch_part(code), year, sequence);
    fields.insert("number".into(), Value::Text(number));
    fill_from_template(tx, today, fields).await
}

/// Writes the template's body, filled with the contract's facts, into a contract that has a
/// template and no body yet; the contract takes the template's language.
pub(crate) async fn fill_from_template(
    tx: &mut Tx,
    today: time::Date,
    fields: &mut Fields,
) -> AppResult<()> {
    let Some(template_id) = id(fields, "template_id") else {
        if fields.get("language").is_none_or(Value::is_null) {
            fields.insert("language".into(), Value::Text("fa".into()));
        }
        return Ok(());
    };
    let Some(template) = tx.get_record(&CONTRACT_TEMPLATES, template_id).await? else {
        return Err(AppError::field("template_id", FieldError::NOT_FOUND));
    };
    let language = text(&template.fields, "language").to_owned();
    fields.insert("language".into(), Value::Text(language.clone()));
    if !text(fields, "body").trim().is_empty() {
        return Ok(());
    }
    let locale = Locale::parse(&language).unwrap_or_default();
    let facts = facts_of(tx, today, fields).await?;
    let body = placeholders::fill(text(&template.fields, "body"), &facts, locale)
        .map_err(AppError::UnknownPlaceholder)?;
    fields.insert("body".into(), Value::Text(body));
    Ok(())
}

/// The facts a contract's placeholders are filled with, from its customer and deal. The
/// references are checked against the actor's rights by the generic create afterwards.
async fn facts_of(tx: &mut Tx, today: time::Date, fields: &Fields) -> AppResult<ContractFacts> {
    let account = match id(fields, "account_id") {
        Some(account) => tx.get_record(&ACCOUNTS, account).await?,
        None => None,
    };
    let contact = match id(fields, "contact_id") {
        Some(contact) => tx.get_record(&CONTACTS, contact).await?,
        None => None,
    };
    let of = |row: &Option<RecordRow>, name: &str| {
        row.as_ref()
            .map(|r| text(&r.fields, name).to_owned())
            .unwrap_or_default()
    };
    let either = |a: String, b: String| if a.is_empty() { b } else { a };
    let contact_name = contact
        .as_ref()
        .map(|c| record::title(&CONTACTS, &c.fields))
        .unwrap_or_default();
    let (deal_name, deal_amount) = deal_of(tx, fields).await?;
    Ok(ContractFacts {
        customer_name: either(of(&account, "name"), contact_name.clone()),
        economic_code: of(&account, "economic_code"),
        phone: either(of(&account, "phone"), of(&contact, "mobile")),
        email: either(of(&account, "email"), of(&contact, "email")),
        address: either(of(&account, "address"), of(&contact, "address")),
        contact_name,
        number: text(fields, "number").to_owned(),
        title: text(fields, "title").to_owned(),
        start_date: date(fields, "start_date"),
        end_date: date(fields, "end_date"),
        value: int(fields, "value"),
        deal_name,
        deal_amount,
        today: Some(today),
    })
}

/// The deal's name and amount: the opportunity's, else the quote's number and total.
async fn deal_of(tx: &mut Tx, fields: &Fields) -> AppResult<(String, Option<i64>)> {
    if let Some(opportunity) = id(fields, "opportunity_id")
        && let Some(row) = tx.get_record(&OPPORTUNITIES, opportunity).await?
    {
        return Ok((
            text(&row.fields, "name").to_owned(),
            int(&row.fields, "amount"),
        ));
    }
    if let Some(quote) = id(fields, "quote_id")
        && let Some(row) = tx.get_record(&QUOTES, quote).await?
    {
        return Ok((
            text(&row.fields, "number").to_owned(),
            int(&row.fields, "total"),
        ));
    }
    Ok((String::new(), None))
}
