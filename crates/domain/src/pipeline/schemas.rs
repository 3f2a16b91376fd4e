//! The record kinds of the sales pipeline, as schemas.

use crate::permission::RecordKind;
use crate::record::{
    BRANCH, CALENDARS, CREATED_AT, FieldDef, FieldType, OWNER, PlacementRule, SOURCES, Schema,
    UPDATED_AT, field, listed, required, searchable, system,
};

/// Status of an opportunity: still being worked on, won or lost.
pub const OPPORTUNITY_STATUSES: &[&str] = &["open", "won", "lost"];
/// Periods a sales target can cover.
pub const TARGET_PERIODS: &[&str] = &["month", "quarter", "year"];
/// What a sales target measures: the amount won or the number of deals won.
pub const TARGET_METRICS: &[&str] = &["won_amount", "won_count"];

const PIPELINE_FIELDS: &[FieldDef] = &[
    required(searchable(listed(field("name", FieldType::Text)))),
    listed(field("is_default", FieldType::Bool)),
    field("description", FieldType::LongText),
    CREATED_AT,
    UPDATED_AT,
];

// Stages are made, ordered and weighted only through the pipeline's stage editor
// (`App::set_stages`), which checks the whole list at once (3–7 stages, order); so every field
// but the description is the system's.
const STAGE_FIELDS: &[FieldDef] = &[
    system(required(listed(field(
        "pipeline_id",
        FieldType::Reference(RecordKind::Pipeline),
    )))),
    system(required(listed(field("position", FieldType::Integer)))),
    system(required(searchable(listed(field("name", FieldType::Text))))),
    system(required(listed(field("probability", FieldType::Integer)))),
    // What must be true of a deal to be at this stage (exit criteria), free text.
    field("description", FieldType::LongText),
    CREATED_AT,
    UPDATED_AT,
];

const LOSS_REASON_FIELDS: &[FieldDef] = &[
    required(searchable(listed(field("name", FieldType::Text)))),
    listed(field("active", FieldType::Bool)),
    field("description", FieldType::LongText),
    CREATED_AT,
    UPDATED_AT,
];

const OPPORTUNITY_FIELDS: &[FieldDef] = &[
    required(searchable(listed(field("name", FieldType::Text)))),
    listed(field(
        "account_id",
        FieldType::Reference(RecordKind::Account),
    )),
    field("contact_id", FieldType::Reference(RecordKind::Contact)),
    required(listed(field("amount", FieldType::Money))),
    listed(field("expected_close", FieldType::Date)),
    field("pipeline_id", FieldType::Reference(RecordKind::Pipeline)),
    listed(field(
        "stage_id",
        FieldType::Reference(RecordKind::PipelineStage),
    )),
    listed(field("status", FieldType::Choice(OPPORTUNITY_STATUSES))),
    field(
        "loss_reason_id",
        FieldType::Reference(RecordKind::LossReason),
    ),
    field("lead_id", FieldType::Reference(RecordKind::Lead)),
    field("source", FieldType::Choice(SOURCES)),
    searchable(field("tags", FieldType::Tags)),
    field("description", FieldType::LongText),
    system(field("stage_entered_at", FieldType::Timestamp)),
    system(field("closed_at", FieldType::Timestamp)),
    system(field("cycle_days", FieldType::Integer)),
    OWNER,
    BRANCH,
    CREATED_AT,
    UPDATED_AT,
];

const SALES_TARGET_FIELDS: &[FieldDef] = &[
    required(searchable(listed(field("name", FieldType::Text)))),
    listed(field("user_id", FieldType::Reference(RecordKind::User))),
    listed(field("team_id", FieldType::Reference(RecordKind::Team))),
    required(listed(field(
        "branch_id",
        FieldType::Reference(RecordKind::Branch),
    ))),
    required(listed(field("period", FieldType::Choice(TARGET_PERIODS)))),
    field("calendar", FieldType::Choice(CALENDARS)),
    required(listed(field("starts_on", FieldType::Date))),
    system(listed(field("ends_on", FieldType::Date))),
    required(listed(field("metric", FieldType::Choice(TARGET_METRICS)))),
    required(listed(field("target_value", FieldType::Integer))),
    CREATED_AT,
    UPDATED_AT,
];

/// Pipelines (§3): each an ordered list of 3–7 stages.
pub const PIPELINES: Schema = Schema {
    kind: RecordKind::Pipeline,
    table: "pipelines",
    path: "pipelines",
    fields: PIPELINE_FIELDS,
    title_fields: &["name"],
    default_sort: "name",
    placement: PlacementRule::Global,
};

/// The stages of pipelines with their win probabilities (percent).
pub const PIPELINE_STAGES: Schema = Schema {
    kind: RecordKind::PipelineStage,
    table: "pipeline_stages",
    path: "pipeline-stages",
    fields: STAGE_FIELDS,
    title_fields: &["name"],
    default_sort: "name",
    placement: PlacementRule::Global,
};

/// Reasons deals are lost, a list administrators edit.
pub const LOSS_REASONS: Schema = Schema {
    kind: RecordKind::LossReason,
    table: "loss_reasons",
    path: "loss-reasons",
    fields: LOSS_REASON_FIELDS,
    title_fields: &["name"],
    default_sort: "name",
    placement: PlacementRule::Global,
};

/// Opportunities (deals, §3), placed like customers: an owner and a branch.
pub const OPPORTUNITIES: Schema = Schema {
    kind: RecordKind::Opportunity,
    table: "opportunities",
    path: "opportunities",
    fields: OPPORTUNITY_FIELDS,
    title_fields: &["name"],
    default_sort: "name",
    placement: PlacementRule::OwnerAndBranch,
};

/// Sales targets of a user, a team or a branch for a month, quarter or year.
pub const SALES_TARGETS: Schema = Schema {
    kind: RecordKind::SalesTarget,
    table: "sales_targets",
    path: "sales-targets",
    fields: SALES_TARGET_FIELDS,
    title_fields: &["name"],
    default_sort: "name",
    placement: PlacementRule::BranchOnly,
};
