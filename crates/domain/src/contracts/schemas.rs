//! Schemas of contract templates and contracts.

use crate::permission::RecordKind;
use crate::record::{
    BRANCH, CREATED_AT, FieldDef, FieldType, LOCALES, OWNER, PlacementRule, Schema, UPDATED_AT,
    field, listed, required, searchable, system,
};

/// A contract's statuses in their usual order (see [`super::status`] for the moves).
pub const CONTRACT_STATUSES: &[&str] = &["draft", "approved", "active", "expired", "renewed"];

const TEMPLATE_FIELDS: &[FieldDef] = &[
    required(searchable(listed(field("name", FieldType::Text)))),
    required(listed(field("language", FieldType::Choice(LOCALES)))),
    required(field("body", FieldType::LongText)),
    listed(field("active", FieldType::Bool)),
    field("description", FieldType::LongText),
    CREATED_AT,
    UPDATED_AT,
];

const CONTRACT_FIELDS: &[FieldDef] = &[
    system(searchable(listed(field("number", FieldType::Text)))),
    required(searchable(listed(field("title", FieldType::Text)))),
    listed(field(
        "account_id",
        FieldType::Reference(RecordKind::Account),
    )),
    field("contact_id", FieldType::Reference(RecordKind::Contact)),
    field(
        "opportunity_id",
        FieldType::Reference(RecordKind::Opportunity),
    ),
    field("quote_id", FieldType::Reference(RecordKind::Quote)),
    field(
        "template_id",
        FieldType::Reference(RecordKind::ContractTemplate),
    ),
    system(listed(field(
        "status",
        FieldType::Choice(CONTRACT_STATUSES),
    ))),
    required(listed(field("start_date", FieldType::Date))),
    required(listed(field("end_date", FieldType::Date))),
    required(listed(field("value", FieldType::Money))),
    field("reminder_days", FieldType::Integer),
    field("language", FieldType::Choice(LOCALES)),
    field("body", FieldType::LongText),
    searchable(field("description", FieldType::LongText)),
    system(field(
        "renews_id",
        FieldType::Reference(RecordKind::Contract),
    )),
    system(field(
        "renewed_by_id",
        FieldType::Reference(RecordKind::Contract),
    )),
    system(field("approved_by", FieldType::Reference(RecordKind::User))),
    system(field(
        "reminder_task_id",
        FieldType::Reference(RecordKind::Activity),
    )),
    OWNER,
    BRANCH,
    CREATED_AT,
    UPDATED_AT,
];

/// Contract templates: a body with placeholders, in Persian or English, kept by administrators.
pub const CONTRACT_TEMPLATES: Schema = Schema {
    kind: RecordKind::ContractTemplate,
    table: "contract_templates",
    path: "contract-templates",
    fields: TEMPLATE_FIELDS,
    title_fields: &["name"],
    default_sort: "name",
    placement: PlacementRule::Global,
};

/// Contracts with a customer, placed like the customer's deals (owner and branch).
pub const CONTRACTS: Schema = Schema {
    kind: RecordKind::Contract,
    table: "contracts",
    path: "contracts",
    fields: CONTRACT_FIELDS,
    title_fields: &["number", "title"],
    default_sort: "number",
    placement: PlacementRule::OwnerAndBranch,
};
