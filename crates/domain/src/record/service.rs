//! Schemas of activities and customer service (issue 5): activities, cases, the case category
//! tree, routing rules, service-level targets and holidays.
//!
//! They are ordinary record kinds, so the generic lists, forms, API, export, search, rights and
//! audit trail serve them; what is specific (case numbers, status transitions, routing, SLA
//! clocks, attendees) lives in `crate::service` and the application's `service` module.

use super::{
    BRANCH, CREATED_AT, CUSTOMER_KINDS, FieldDef, FieldType, OWNER, PlacementRule, Schema,
    UPDATED_AT, field, listed, required, searchable, system,
};
use crate::permission::RecordKind;

/// What an activity is.
pub const ACTIVITY_TYPES: &[&str] = &["task", "call", "meeting", "note"];
/// The life of an activity; `done` and `cancelled` end it.
pub const ACTIVITY_STATUSES: &[&str] = &["open", "in_progress", "done", "cancelled"];
/// Priorities of activities and cases, lowest first.
pub const PRIORITIES: &[&str] = &["low", "normal", "high", "urgent"];
/// A request [درخواست] or a complaint [شکایت].
pub const CASE_TYPES: &[&str] = &["request", "complaint"];
/// How a case reached the company.
pub const CASE_CHANNELS: &[&str] = &["portal", "phone", "email", "sms", "in_person", "web_form"];
/// Case statuses in their usual order (see `crate::service::case_flow` for the transitions).
pub const CASE_STATUSES: &[&str] = &[
    "new",
    "assigned",
    "in_progress",
    "waiting_customer",
    "resolved",
    "closed",
];
/// How a routing rule picks a person within its team.
pub const ROUTING_STRATEGIES: &[&str] = &["round_robin", "least_loaded"];

const ACTIVITY_FIELDS: &[FieldDef] = &[
    required(listed(field(
        "activity_type",
        FieldType::Choice(ACTIVITY_TYPES),
    ))),
    required(searchable(listed(field("subject", FieldType::Text)))),
    listed(field("status", FieldType::Choice(ACTIVITY_STATUSES))),
    field("priority", FieldType::Choice(PRIORITIES)),
    listed(field("due_date", FieldType::Date)),
    field("due_time", FieldType::Text),
    field("duration_minutes", FieldType::Integer),
    field("remind_minutes_before", FieldType::Integer),
    listed(field(
        "account_id",
        FieldType::Reference(RecordKind::Account),
    )),
    field("contact_id", FieldType::Reference(RecordKind::Contact)),
    field("lead_id", FieldType::Reference(RecordKind::Lead)),
    field("case_id", FieldType::Reference(RecordKind::Case)),
    searchable(field("place", FieldType::Text)),
    field("agenda", FieldType::LongText),
    field("minutes", FieldType::LongText),
    field("description", FieldType::LongText),
    field("team_id", FieldType::Reference(RecordKind::Team)),
    OWNER,
    BRANCH,
    system(field("due_at", FieldType::Timestamp)),
    system(field("remind_at", FieldType::Timestamp)),
    system(field("completed_at", FieldType::Timestamp)),
    // When the reminder was emailed; cleared when the reminder moves.
    system(field("reminder_sent_at", FieldType::Timestamp)),
    CREATED_AT,
    UPDATED_AT,
];

const CASE_FIELDS: &[FieldDef] = &[
    system(searchable(listed(field("number", FieldType::Text)))),
    required(listed(field("case_type", FieldType::Choice(CASE_TYPES)))),
    required(searchable(listed(field("subject", FieldType::Text)))),
    required(field("description", FieldType::LongText)),
    listed(field("priority", FieldType::Choice(PRIORITIES))),
    required(field("channel", FieldType::Choice(CASE_CHANNELS))),
    system(listed(field("status", FieldType::Choice(CASE_STATUSES)))),
    field(
        "category_id",
        FieldType::Reference(RecordKind::CaseCategory),
    ),
    listed(field(
        "account_id",
        FieldType::Reference(RecordKind::Account),
    )),
    field("contact_id", FieldType::Reference(RecordKind::Contact)),
    // The catalogue product the case is about (migration 0270).
    field("product_id", FieldType::Reference(RecordKind::Product)),
    // The product as typed before cases linked to the catalogue, kept read-only where it
    // matched no product's code or name (the migration linked those that did).
    system(searchable(field("product", FieldType::Text))),
    // The linked product's code and name, which the system keeps (migration 0280) so that the
    // case's search finds it by the words of its product, as it did when products were typed.
    system(searchable(field("product_name", FieldType::Text))),
    field("team_id", FieldType::Reference(RecordKind::Team)),
    OWNER,
    BRANCH,
    system(field(
        "routing_rule_id",
        FieldType::Reference(RecordKind::RoutingRule),
    )),
    system(field("first_response_due", FieldType::Timestamp)),
    system(field("resolution_due", FieldType::Timestamp)),
    system(field("first_response_at", FieldType::Timestamp)),
    system(field("resolved_at", FieldType::Timestamp)),
    system(field("closed_at", FieldType::Timestamp)),
    system(field("first_response_escalated_at", FieldType::Timestamp)),
    system(field("resolution_escalated_at", FieldType::Timestamp)),
    // While the case waits for the customer its clocks stand still (see `sla::resume_due`).
    system(field("sla_paused_at", FieldType::Timestamp)),
    CREATED_AT,
    UPDATED_AT,
    // Contracts (issue 4 §7, issue 5 §2): the contract a case is about.
    field("contract_id", FieldType::Reference(RecordKind::Contract)),
    // The class of the case's customer when the case was opened (the contact's, else the
    // account's): its service-level target and routing were chosen by it, and a later
    // recompute of classes does not move the clocks of a case already running.
    system(field("customer_class", FieldType::Text)),
    // The service-level target that applied, so the case page can say which one it was.
    system(field(
        "sla_target_id",
        FieldType::Reference(RecordKind::SlaTarget),
    )),
];

const CASE_CATEGORY_FIELDS: &[FieldDef] = &[
    required(searchable(listed(field("name", FieldType::Text)))),
    listed(field(
        "parent_category_id",
        FieldType::Reference(RecordKind::CaseCategory),
    )),
    field("description", FieldType::LongText),
    CREATED_AT,
    UPDATED_AT,
];

const ROUTING_RULE_FIELDS: &[FieldDef] = &[
    required(searchable(listed(field("name", FieldType::Text)))),
    required(listed(field("position", FieldType::Integer))),
    listed(field("active", FieldType::Bool)),
    field(
        "match_category_id",
        FieldType::Reference(RecordKind::CaseCategory),
    ),
    field("match_channel", FieldType::Choice(CASE_CHANNELS)),
    field("match_branch_id", FieldType::Reference(RecordKind::Branch)),
    field("match_keyword", FieldType::Text),
    field("match_customer_kind", FieldType::Choice(CUSTOMER_KINDS)),
    field("match_case_type", FieldType::Choice(CASE_TYPES)),
    // Product codes or names from the catalogue; the rule holds for a case about any of them.
    field("match_products", FieldType::Tags),
    // Class names of the classification scheme; the rule holds for a customer of any of them
    // (migration 0200 turned the single class of earlier rules into a list of one).
    field("match_customer_classes", FieldType::Tags),
    listed(field(
        "assign_team_id",
        FieldType::Reference(RecordKind::Team),
    )),
    field("assign_strategy", FieldType::Choice(ROUTING_STRATEGIES)),
    listed(field(
        "assign_user_id",
        FieldType::Reference(RecordKind::User),
    )),
    system(field(
        "last_assigned_user_id",
        FieldType::Reference(RecordKind::User),
    )),
    field("description", FieldType::LongText),
    CREATED_AT,
    UPDATED_AT,
];

const SLA_TARGET_FIELDS: &[FieldDef] = &[
    required(listed(field("priority", FieldType::Choice(PRIORITIES)))),
    // Empty: the priority's target for every class; a class name: an override for that
    // class's customers (see `crate::service::sla::applicable_target`).
    listed(field("customer_class", FieldType::Text)),
    required(listed(field("first_response_hours", FieldType::Integer))),
    required(listed(field("resolution_hours", FieldType::Integer))),
    field("escalate_to_id", FieldType::Reference(RecordKind::User)),
    field("reassign_on_breach", FieldType::Bool),
    field("description", FieldType::LongText),
    CREATED_AT,
    UPDATED_AT,
];

const HOLIDAY_FIELDS: &[FieldDef] = &[
    required(searchable(listed(field("name", FieldType::Text)))),
    required(listed(field("date", FieldType::Date))),
    listed(field(
        "only_branch_id",
        FieldType::Reference(RecordKind::Branch),
    )),
    CREATED_AT,
    UPDATED_AT,
];

/// Activities: tasks, calls, meetings and notes (§4).
pub const ACTIVITIES: Schema = Schema {
    kind: RecordKind::Activity,
    table: "activities",
    path: "activities",
    fields: ACTIVITY_FIELDS,
    title_fields: &["subject"],
    default_sort: "subject",
    placement: PlacementRule::OwnerAndBranch,
};

/// Cases: requests and complaints (§5).
pub const CASES: Schema = Schema {
    kind: RecordKind::Case,
    table: "cases",
    path: "cases",
    fields: CASE_FIELDS,
    title_fields: &["number", "subject"],
    default_sort: "number",
    placement: PlacementRule::OwnerAndBranch,
};

/// The tree of case categories, edited by administrators.
pub const CASE_CATEGORIES: Schema = Schema {
    kind: RecordKind::CaseCategory,
    table: "case_categories",
    path: "case-categories",
    fields: CASE_CATEGORY_FIELDS,
    title_fields: &["name"],
    default_sort: "name",
    placement: PlacementRule::Global,
};

/// Routing rules for new cases, evaluated by position.
pub const ROUTING_RULES: Schema = Schema {
    kind: RecordKind::RoutingRule,
    table: "routing_rules",
    path: "routing-rules",
    fields: ROUTING_RULE_FIELDS,
    title_fields: &["name"],
    default_sort: "name",
    placement: PlacementRule::Global,
};

/// Service-level targets: one per case priority, and optionally one per priority and customer
/// class.
pub const SLA_TARGETS: Schema = Schema {
    kind: RecordKind::SlaTarget,
    table: "sla_targets",
    path: "sla-targets",
    fields: SLA_TARGET_FIELDS,
    title_fields: &["priority", "customer_class"],
    default_sort: "priority",
    placement: PlacementRule::Global,
};

/// Holidays the service-level clocks skip, for every branch or one.
pub const HOLIDAYS: Schema = Schema {
    kind: RecordKind::Holiday,
    table: "holidays",
    path: "holidays",
    fields: HOLIDAY_FIELDS,
    title_fields: &["name"],
    default_sort: "name",
    placement: PlacementRule::Global,
};
