//! A case names a contract of its own customer: the generic create and update of cases check it
//! after the references were checked (so a contract the user may not read is "not found", and
//! one they may read but of another customer is refused as such).

use peyvand_domain::contracts::{CONTRACTS, OTHER_CUSTOMER};
use peyvand_domain::permission::RecordKind;
use peyvand_domain::record::{Fields, Value};
use peyvand_store::Tx;

use super::id;
use crate::error::{AppError, AppResult};

/// Whether a contract with these fields belongs to the customer of a case with `case`: the
/// same account, or the same contact (a contract of a person has no account).
fn same_customer(contract: &Fields, case: &Fields) -> bool {
    let shared = |name: &str| id(contract, name).is_some_and(|c| id(case, name) == Some(c));
    shared("account_id") || shared("contact_id")
}

/// Refuses a case (as it would be stored: `fields`) whose contract belongs to another customer
/// than the case's. `changed` holds what an update changes (`None` on a create); the check is
/// made only when the contract or the customer changes.
pub(crate) async fn check_case_contract(
    tx: &mut Tx,
    kind: RecordKind,
    fields: &Fields,
    changed: Option<&Fields>,
) -> AppResult<()> {
    if kind != RecordKind::Case {
        return Ok(());
    }
    let relevant = ["contract_id", "account_id", "contact_id"];
    if changed.is_some_and(|c| !relevant.iter().any(|name| c.contains_key(*name))) {
        return Ok(());
    }
    let Some(contract_id) = fields.get("contract_id").and_then(Value::as_id) else {
        return Ok(());
    };
    // Read as the system: the caller already checked that the user may read the contract.
    let contract = tx.get_record(&CONTRACTS, contract_id).await?;
    match contract {
        Some(contract) if same_customer(&contract.fields, fields) => Ok(()),
        _ => Err(AppError::field("contract_id", OTHER_CUSTOMER)),
    }
}
