//! Record schemas: the fields of every kind of record, as data.
//!
//! One description per record kind drives storage, validation, the API and its OpenAPI
//! document, list columns, filters and forms. Keeping it as data (rather than one Rust struct
//! per kind with hand-written SQL, handlers and templates) is what lets later work add custom
//! fields and new record kinds (PRODUCT.md §12) without writing each layer again.

use std::collections::BTreeMap;

use crate::calendar::{self, CalendarKind};
use crate::email::Email;
use crate::permission::{BranchId, Placement, RecordKind, UserId};
use crate::phone::Phone;
use crate::text;
use crate::validation::{FieldError, ValidationErrors};

pub mod service;
mod validate;
pub use service::{ACTIVITIES, CASE_CATEGORIES, CASES, HOLIDAYS, ROUTING_RULES, SLA_TARGETS};
pub use validate::{parse_field, validate};
pub mod sales;

/// How a field's values are typed, validated and stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    /// One line of text.
    Text,
    /// Several lines of text.
    LongText,
    /// An email address, stored normalised (see [`Email`]).
    Email,
    /// A phone number, stored in E.164 form (see [`Phone`]).
    Phone,
    /// One value out of a fixed list of codes.
    Choice(&'static [&'static str]),
    /// A set of short labels.
    Tags,
    /// Yes or no.
    Bool,
    /// A calendar date without time.
    Date,
    /// A reference to another record by id.
    Reference(RecordKind),
    /// A moment in time set by the system (never written by users).
    Timestamp,
    /// A whole number.
    Integer,
    /// A number that may have a fractional part (custom fields).
    Number,
    /// An amount of money in whole Rials (integer minor units, never floating point).
    Money,
    /// Any number of values out of a fixed list (custom fields), stored like tags.
    MultiChoice(&'static [&'static str]),
    /// A percentage from 0 to 100% in whole basis points (900 is 9%): exact, never floating
    /// point. Forms take it as a percent (`9.5`), JSON as the integer of basis points.
    Percent,
}

impl FieldType {
    /// The name used for this type in the API description and in form widgets.
    pub fn code(self) -> &'static str {
        match self {
            FieldType::Text => "text",
            FieldType::LongText => "long_text",
            FieldType::Email => "email",
            FieldType::Phone => "phone",
            FieldType::Choice(_) => "choice",
            FieldType::Tags => "tags",
            FieldType::Bool => "bool",
            FieldType::Date => "date",
            FieldType::Reference(_) => "reference",
            FieldType::Timestamp => "timestamp",
            FieldType::Integer => "integer",
            FieldType::Number => "number",
            FieldType::Money => "money",
            FieldType::MultiChoice(_) => "multi_choice",
            FieldType::Percent => "percent",
        }
    }
}

/// One field of a record kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldDef {
    /// Column and JSON name, stable, snake_case.
    pub name: &'static str,
    /// Type of the values.
    pub ty: FieldType,
    /// Whether a record cannot be saved without a value.
    pub required: bool,
    /// Whether users may set it (false for values the system maintains).
    pub writable: bool,
    /// Whether the free-text search looks at it.
    pub searchable: bool,
    /// Whether it is a column of the default list view.
    pub in_list: bool,
    /// The labels an administrator gave a custom field; built-in fields have none (their labels
    /// are translations keyed by name).
    pub custom: Option<&'static CustomLabels>,
}

/// The Persian and English labels of a custom field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CustomLabels {
    /// The label shown to Persian users.
    pub fa: &'static str,
    /// The label shown to English users.
    pub en: &'static str,
}

impl CustomLabels {
    /// The label for an interface language (`fa` or anything else for English).
    pub fn for_locale(&self, locale: &str) -> &'static str {
        if locale == "fa" { self.fa } else { self.en }
    }
}

/// Longest text accepted in a one-line field; long text fields allow [`LONG_TEXT_MAX`].
pub const TEXT_MAX: usize = 200;
/// Longest text accepted in a long text field.
pub const LONG_TEXT_MAX: usize = 10_000;

pub(crate) const fn field(name: &'static str, ty: FieldType) -> FieldDef {
    FieldDef {
        name,
        ty,
        required: false,
        writable: true,
        searchable: false,
        in_list: false,
        custom: None,
    }
}

pub(crate) const fn required(mut def: FieldDef) -> FieldDef {
    def.required = true;
    def
}

pub(crate) const fn searchable(mut def: FieldDef) -> FieldDef {
    def.searchable = true;
    def
}

pub(crate) const fn listed(mut def: FieldDef) -> FieldDef {
    def.in_list = true;
    def
}

pub(crate) const fn system(mut def: FieldDef) -> FieldDef {
    def.writable = false;
    def
}

/// Customer kind (§2): retail (B2C) or wholesale (B2B).
pub const CUSTOMER_KINDS: &[&str] = &["retail", "wholesale"];
/// Lifecycle status of a customer (§2).
pub const LIFECYCLES: &[&str] = &["prospect", "first_time", "regular", "lost", "won_back"];
/// Where a customer or lead came from.
pub const SOURCES: &[&str] = &[
    "website",
    "referral",
    "campaign",
    "phone",
    "exhibition",
    "social",
    "walk_in",
    "other",
];
/// Status of a lead; `converted` is set only by lead conversion.
pub const LEAD_STATUSES: &[&str] = &["new", "contacted", "qualified", "disqualified", "converted"];
/// Kinds of relationship between customers (§2, the social graph of §11).
pub const RELATION_TYPES: &[&str] = &["family", "business", "referral"];
/// Gender as recorded for contacts.
pub const GENDERS: &[&str] = &["female", "male", "other"];

pub(crate) const OWNER: FieldDef =
    listed(field("owner_id", FieldType::Reference(RecordKind::User)));
pub(crate) const BRANCH: FieldDef = field("branch_id", FieldType::Reference(RecordKind::Branch));
pub(crate) const CREATED_AT: FieldDef = system(field("created_at", FieldType::Timestamp));
pub(crate) const UPDATED_AT: FieldDef = system(field("updated_at", FieldType::Timestamp));
/// The customer's class (issue 4 §8): a name from the classification scheme, written only by
/// the recompute (`app::classes`), listed and filterable like any field.
pub(crate) const CUSTOMER_CLASS: FieldDef =
    system(listed(field("customer_class", FieldType::Text)));

const ACCOUNT_FIELDS: &[FieldDef] = &[
    required(searchable(listed(field("name", FieldType::Text)))),
    listed(field("customer_kind", FieldType::Choice(CUSTOMER_KINDS))),
    listed(field("lifecycle", FieldType::Choice(LIFECYCLES))),
    searchable(field("industry", FieldType::Text)),
    field("source", FieldType::Choice(SOURCES)),
    searchable(listed(field("phone", FieldType::Phone))),
    searchable(field("email", FieldType::Email)),
    field("website", FieldType::Text),
    searchable(field("economic_code", FieldType::Text)),
    field("address", FieldType::LongText),
    field("province", FieldType::Text),
    listed(field("city", FieldType::Text)),
    searchable(field("tags", FieldType::Tags)),
    field("description", FieldType::LongText),
    OWNER,
    BRANCH,
    CREATED_AT,
    UPDATED_AT,
    // Customer classification (issue 4 §8): set by the recompute, never by users.
    CUSTOMER_CLASS,
];

const CONTACT_FIELDS: &[FieldDef] = &[
    searchable(listed(field("first_name", FieldType::Text))),
    required(searchable(listed(field("last_name", FieldType::Text)))),
    listed(field(
        "account_id",
        FieldType::Reference(RecordKind::Account),
    )),
    searchable(field("job_title", FieldType::Text)),
    searchable(listed(field("mobile", FieldType::Phone))),
    searchable(field("phone", FieldType::Phone)),
    searchable(listed(field("email", FieldType::Email))),
    field("gender", FieldType::Choice(GENDERS)),
    field("birth_date", FieldType::Date),
    field("customer_kind", FieldType::Choice(CUSTOMER_KINDS)),
    listed(field("lifecycle", FieldType::Choice(LIFECYCLES))),
    field("source", FieldType::Choice(SOURCES)),
    field("address", FieldType::LongText),
    field("province", FieldType::Text),
    listed(field("city", FieldType::Text)),
    searchable(field("tags", FieldType::Tags)),
    field("consent_email", FieldType::Bool),
    field("consent_sms", FieldType::Bool),
    field("consent_phone", FieldType::Bool),
    field("opted_out", FieldType::Bool),
    field("preferred_language", FieldType::Choice(LOCALES)),
    field("preferences", FieldType::LongText),
    field("description", FieldType::LongText),
    OWNER,
    BRANCH,
    CREATED_AT,
    UPDATED_AT,
    // Customer classification (issue 4 §8).
    CUSTOMER_CLASS,
];

const LEAD_FIELDS: &[FieldDef] = &[
    searchable(listed(field("first_name", FieldType::Text))),
    required(searchable(listed(field("last_name", FieldType::Text)))),
    searchable(listed(field("company", FieldType::Text))),
    searchable(field("job_title", FieldType::Text)),
    searchable(listed(field("mobile", FieldType::Phone))),
    searchable(field("phone", FieldType::Phone)),
    searchable(field("email", FieldType::Email)),
    listed(field("status", FieldType::Choice(LEAD_STATUSES))),
    field("customer_kind", FieldType::Choice(CUSTOMER_KINDS)),
    field("source", FieldType::Choice(SOURCES)),
    searchable(field("industry", FieldType::Text)),
    field("province", FieldType::Text),
    field("city", FieldType::Text),
    searchable(field("tags", FieldType::Tags)),
    field("description", FieldType::LongText),
    system(field(
        "converted_account_id",
        FieldType::Reference(RecordKind::Account),
    )),
    system(field(
        "converted_contact_id",
        FieldType::Reference(RecordKind::Contact),
    )),
    OWNER,
    BRANCH,
    CREATED_AT,
    UPDATED_AT,
];

/// Interface languages a user can choose.
pub const LOCALES: &[&str] = &["fa", "en"];
/// Calendars a user can choose for showing and entering dates.
pub const CALENDARS: &[&str] = &["jalali", "gregorian"];

const USER_FIELDS: &[FieldDef] = &[
    required(searchable(listed(field("name", FieldType::Text)))),
    required(searchable(listed(field("email", FieldType::Email)))),
    required(listed(field(
        "role_id",
        FieldType::Reference(RecordKind::Role),
    ))),
    required(listed(field(
        "branch_id",
        FieldType::Reference(RecordKind::Branch),
    ))),
    listed(field("team_id", FieldType::Reference(RecordKind::Team))),
    field("locale", FieldType::Choice(LOCALES)),
    field("calendar", FieldType::Choice(CALENDARS)),
    listed(field("disabled", FieldType::Bool)),
    CREATED_AT,
    UPDATED_AT,
];

const TEAM_FIELDS: &[FieldDef] = &[
    required(searchable(listed(field("name", FieldType::Text)))),
    required(listed(field(
        "branch_id",
        FieldType::Reference(RecordKind::Branch),
    ))),
    field("description", FieldType::LongText),
    CREATED_AT,
    UPDATED_AT,
];

const ROLE_FIELDS: &[FieldDef] = &[
    required(searchable(listed(field("name", FieldType::Text)))),
    system(listed(field("builtin", FieldType::Bool))),
    field("description", FieldType::LongText),
    CREATED_AT,
    UPDATED_AT,
    // Sales documents (issue 4): the largest line discount this role may give without a
    // manager's approval.
    field("max_discount_bp", FieldType::Percent),
];

const BRANCH_FIELDS: &[FieldDef] = &[
    required(searchable(listed(field("name", FieldType::Text)))),
    searchable(listed(field("code", FieldType::Text))),
    listed(field("parent_id", FieldType::Reference(RecordKind::Branch))),
    field("province", FieldType::Text),
    listed(field("city", FieldType::Text)),
    CREATED_AT,
    UPDATED_AT,
    // The branch's own working week for service levels (issue 5 §4), read by
    // `service::opening_hours`; without it the branch follows its parent.
    field("own_working_hours", FieldType::Bool),
    field("hours_saturday", FieldType::Text),
    field("hours_sunday", FieldType::Text),
    field("hours_monday", FieldType::Text),
    field("hours_tuesday", FieldType::Text),
    field("hours_wednesday", FieldType::Text),
    field("hours_thursday", FieldType::Text),
    field("hours_friday", FieldType::Text),
];

/// Where a record's owner and branch come from, for access checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlacementRule {
    /// The record has `owner_id` and `branch_id` columns (customer records).
    OwnerAndBranch,
    /// A user record: the user owns themself and sits in `branch_id`.
    SelfAndBranch,
    /// The record has only a `branch_id` column (teams).
    BranchOnly,
    /// The record is a branch: it is its own branch.
    IsBranch,
    /// The record belongs to nobody in particular (roles): only the "all" scope reaches it.
    Global,
}

/// The description of one record kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schema {
    /// Which kind of record this describes.
    pub kind: RecordKind,
    /// The table the records live in.
    pub table: &'static str,
    /// The URL segment under `/api/v1/` and the web UI.
    pub path: &'static str,
    /// Every field, in form order.
    pub fields: &'static [FieldDef],
    /// Fields whose values, joined by spaces, make the record's display title.
    pub title_fields: &'static [&'static str],
    /// Field the lists sort by unless told otherwise.
    pub default_sort: &'static str,
    /// Where owner and branch come from.
    pub placement: PlacementRule,
}

/// Accounts (organisations, §2).
pub const ACCOUNTS: Schema = Schema {
    kind: RecordKind::Account,
    table: "accounts",
    path: "accounts",
    fields: ACCOUNT_FIELDS,
    title_fields: &["name"],
    default_sort: "name",
    placement: PlacementRule::OwnerAndBranch,
};

/// Contacts (people, §2).
pub const CONTACTS: Schema = Schema {
    kind: RecordKind::Contact,
    table: "contacts",
    path: "contacts",
    fields: CONTACT_FIELDS,
    title_fields: &["first_name", "last_name"],
    default_sort: "last_name",
    placement: PlacementRule::OwnerAndBranch,
};

/// Leads (prospects, §2).
pub const LEADS: Schema = Schema {
    kind: RecordKind::Lead,
    table: "leads",
    path: "leads",
    fields: LEAD_FIELDS,
    title_fields: &["first_name", "last_name"],
    default_sort: "last_name",
    placement: PlacementRule::OwnerAndBranch,
};

/// Staff users (§1).
pub const USERS: Schema = Schema {
    kind: RecordKind::User,
    table: "users",
    path: "users",
    fields: USER_FIELDS,
    title_fields: &["name"],
    default_sort: "name",
    placement: PlacementRule::SelfAndBranch,
};

/// Teams of users (§1).
pub const TEAMS: Schema = Schema {
    kind: RecordKind::Team,
    table: "teams",
    path: "teams",
    fields: TEAM_FIELDS,
    title_fields: &["name"],
    default_sort: "name",
    placement: PlacementRule::BranchOnly,
};

/// Roles with their access rights (§1). The grants themselves are edited separately.
pub const ROLES: Schema = Schema {
    kind: RecordKind::Role,
    table: "roles",
    path: "roles",
    fields: ROLE_FIELDS,
    title_fields: &["name"],
    default_sort: "name",
    placement: PlacementRule::Global,
};

/// Branches, a tree under headquarters (§1).
pub const BRANCHES: Schema = Schema {
    kind: RecordKind::Branch,
    table: "branches",
    path: "branches",
    fields: BRANCH_FIELDS,
    title_fields: &["name"],
    default_sort: "name",
    placement: PlacementRule::IsBranch,
};

/// Every schema, customer records first.
pub const ALL_SCHEMAS: [&Schema; 29] = [
    &ACCOUNTS,
    &CONTACTS,
    &LEADS,
    &USERS,
    &TEAMS,
    &ROLES,
    &BRANCHES,
    // Activities and customer service (issue 5).
    &ACTIVITIES,
    &CASES,
    &CASE_CATEGORIES,
    &ROUTING_RULES,
    &SLA_TARGETS,
    &HOLIDAYS,
    // Sales documents (issue 4).
    &sales::PRODUCTS,
    &sales::PRICE_LISTS,
    &sales::PRICE_LIST_ITEMS,
    &sales::BUNDLE_ITEMS,
    &sales::QUOTES,
    &sales::ORDERS,
    &sales::INVOICES,
    &sales::PAYMENTS,
    // Sales pipeline (issue 4).
    &crate::pipeline::PIPELINES,
    &crate::pipeline::PIPELINE_STAGES,
    &crate::pipeline::LOSS_REASONS,
    &crate::pipeline::OPPORTUNITIES,
    &crate::pipeline::SALES_TARGETS,
    // Contracts (issue 4 §7).
    &crate::contracts::CONTRACT_TEMPLATES,
    &crate::contracts::CONTRACTS,
    // Bulk SMS (issue 5 §5).
    &crate::sms_templates::SMS_TEMPLATES,
];

/// The schema of a record kind.
pub fn schema(kind: RecordKind) -> &'static Schema {
    match kind {
        RecordKind::Account => &ACCOUNTS,
        RecordKind::Contact => &CONTACTS,
        RecordKind::Lead => &LEADS,
        RecordKind::User => &USERS,
        RecordKind::Team => &TEAMS,
        RecordKind::Role => &ROLES,
        RecordKind::Branch => &BRANCHES,
        // Activities and customer service (issue 5).
        RecordKind::Activity => &ACTIVITIES,
        RecordKind::Case => &CASES,
        RecordKind::CaseCategory => &CASE_CATEGORIES,
        RecordKind::RoutingRule => &ROUTING_RULES,
        RecordKind::SlaTarget => &SLA_TARGETS,
        RecordKind::Holiday => &HOLIDAYS,
        // Sales documents (issue 4).
        RecordKind::Product => &sales::PRODUCTS,
        RecordKind::PriceList => &sales::PRICE_LISTS,
        RecordKind::PriceListItem => &sales::PRICE_LIST_ITEMS,
        RecordKind::BundleItem => &sales::BUNDLE_ITEMS,
        RecordKind::Quote => &sales::QUOTES,
        RecordKind::Order => &sales::ORDERS,
        RecordKind::Invoice => &sales::INVOICES,
        RecordKind::Payment => &sales::PAYMENTS,
        // Sales pipeline (issue 4).
        RecordKind::Pipeline => &crate::pipeline::PIPELINES,
        RecordKind::PipelineStage => &crate::pipeline::PIPELINE_STAGES,
        RecordKind::LossReason => &crate::pipeline::LOSS_REASONS,
        RecordKind::Opportunity => &crate::pipeline::OPPORTUNITIES,
        RecordKind::SalesTarget => &crate::pipeline::SALES_TARGETS,
        // Contracts (issue 4 §7).
        RecordKind::ContractTemplate => &crate::contracts::CONTRACT_TEMPLATES,
        RecordKind::Contract => &crate::contracts::CONTRACTS,
        // Bulk SMS (issue 5 §5).
        RecordKind::SmsTemplate => &crate::sms_templates::SMS_TEMPLATES,
    }
}

impl Schema {
    /// The field with this name, if the kind has one.
    pub fn field(&self, name: &str) -> Option<&'static FieldDef> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// Whether lists may sort by this field: every field but long text and tags.
    pub fn is_sortable(&self, name: &str) -> bool {
        matches!(name, "id")
            || self.field(name).is_some_and(|f| {
                !matches!(
                    f.ty,
                    FieldType::LongText | FieldType::Tags | FieldType::MultiChoice(_)
                )
            })
    }
}

/// A field value as the outside world gave it (JSON or a form), before validation.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    /// Explicitly empty.
    Null,
    /// A string (forms give only strings).
    Text(String),
    /// A JSON boolean.
    Bool(bool),
    /// A JSON integer.
    Int(i64),
    /// A JSON array of strings (tags).
    List(Vec<String>),
    /// A value of a shape no field accepts (a JSON object, an array of numbers).
    Invalid,
}

/// A typed, validated value as it is stored.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// No value.
    Null,
    /// Text, also emails and phones in normalised form and choice codes.
    Text(String),
    /// Yes or no.
    Bool(bool),
    /// A whole number.
    Int(i64),
    /// A calendar date.
    Date(time::Date),
    /// A moment in UTC.
    Time(time::OffsetDateTime),
    /// A record id.
    Id(uuid::Uuid),
    /// Tags, deduplicated and in the order given.
    Tags(Vec<String>),
    /// A number with a fractional part.
    Number(f64),
}

impl Value {
    /// The value as text, when it is text.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }

    /// The value as an id, when it is one.
    pub fn as_id(&self) -> Option<uuid::Uuid> {
        match self {
            Value::Id(id) => Some(*id),
            _ => None,
        }
    }

    /// Whether this is [`Value::Null`].
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }
}

/// A field's name: borrowed from the schema for built-in fields, so reading a row allocates no
/// names (lists read thousands of fields a second); owned for names that arrive at run time.
pub type FieldName = std::borrow::Cow<'static, str>;

/// Field values of one record by field name.
pub type Fields = BTreeMap<FieldName, Value>;

/// The normalised text the search looks in: every searchable field, joined.
///
/// Phones are added in national form as well so that "0912…" finds "+98912…".
pub fn search_text(schema: &Schema, fields: &Fields) -> String {
    let mut parts = Vec::new();
    for def in schema.fields.iter().filter(|f| f.searchable) {
        match fields.get(def.name) {
            Some(Value::Text(s)) => {
                parts.push(s.clone());
                if def.ty == FieldType::Phone
                    && let Ok(phone) = Phone::parse(s)
                {
                    parts.push(phone.national_format().replace(' ', ""));
                }
            }
            Some(Value::Tags(tags)) => parts.extend(tags.iter().cloned()),
            _ => {}
        }
    }
    text::normalize_search(&parts.join(" "))
}

/// The display title of a record from its title fields.
pub fn title(schema: &Schema, fields: &Fields) -> String {
    schema
        .title_fields
        .iter()
        .filter_map(|name| fields.get(*name).and_then(Value::as_text))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The owner and branch of a record for access checks, from its id and field values.
pub fn placement(schema: &Schema, id: uuid::Uuid, fields: &Fields) -> Placement {
    let get = |name: &str| fields.get(name).and_then(Value::as_id);
    let (owner_id, branch_id): (Option<UserId>, Option<BranchId>) = match schema.placement {
        PlacementRule::OwnerAndBranch => (get("owner_id"), get("branch_id")),
        PlacementRule::SelfAndBranch => (Some(id), get("branch_id")),
        PlacementRule::BranchOnly => (None, get("branch_id")),
        PlacementRule::IsBranch => (None, Some(id)),
        PlacementRule::Global => (None, None),
    };
    Placement {
        owner_id,
        branch_id,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs(pairs: &[(&str, &str)]) -> BTreeMap<String, Input> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), Input::Text((*v).to_owned())))
            .collect()
    }

    #[test]
    fn contact_is_validated_and_normalised() {
        let fields = validate(
            &CONTACTS,
            &inputs(&[
                ("last_name", "رضایی"),
                ("mobile", "۰۹۱۲ ۱۲۳ ۴۵۶۷"),
                ("email", " Ali@Example.COM "),
                ("tags", "vip, VIP ,customer"),
                ("consent_sms", "on"),
            ]),
            false,
            CalendarKind::Jalali,
        )
        .expect("valid");
        assert_eq!(fields["mobile"], Value::Text("+989121234567".into()));
        assert_eq!(fields["email"], Value::Text("ali@example.com".into()));
        assert_eq!(
            fields["tags"],
            Value::Tags(vec!["vip".into(), "customer".into()])
        );
        assert_eq!(fields["consent_sms"], Value::Bool(true));
    }

    #[test]
    fn missing_required_and_bad_values_are_reported_per_field() {
        let errors = validate(
            &CONTACTS,
            &inputs(&[
                ("email", "not-an-email"),
                ("lifecycle", "bogus"),
                ("shoe_size", "42"),
                ("created_at", "2024-01-01"),
            ]),
            false,
            CalendarKind::Gregorian,
        )
        .unwrap_err();
        assert_eq!(errors.fields["last_name"], FieldError::REQUIRED);
        assert_eq!(errors.fields["email"], FieldError::INVALID_EMAIL);
        assert_eq!(errors.fields["lifecycle"], FieldError::INVALID_CHOICE);
        assert_eq!(errors.fields["shoe_size"], FieldError::UNKNOWN_FIELD);
        assert_eq!(errors.fields["created_at"], FieldError::READ_ONLY);
    }

    #[test]
    fn partial_update_does_not_require_absent_fields_but_rejects_clearing_them() {
        assert!(
            validate(
                &CONTACTS,
                &inputs(&[("city", "تهران")]),
                true,
                CalendarKind::Jalali
            )
            .is_ok()
        );
        let errors = validate(
            &CONTACTS,
            &inputs(&[("last_name", " ")]),
            true,
            CalendarKind::Jalali,
        )
        .unwrap_err();
        assert_eq!(errors.fields["last_name"], FieldError::REQUIRED);
    }

    #[test]
    fn dates_follow_the_users_calendar() {
        let fields = validate(
            &CONTACTS,
            &inputs(&[("last_name", "x"), ("birth_date", "1403/01/01")]),
            false,
            CalendarKind::Jalali,
        )
        .unwrap();
        assert_eq!(
            fields["birth_date"],
            Value::Date(time::macros::date!(2024 - 03 - 20))
        );
    }

    #[test]
    fn search_text_is_normalised_and_includes_national_phone() {
        let fields = validate(
            &CONTACTS,
            &inputs(&[
                ("first_name", "علي"),
                ("last_name", "كريمي"),
                ("mobile", "+989121234567"),
            ]),
            false,
            CalendarKind::Jalali,
        )
        .unwrap();
        let text = search_text(&CONTACTS, &fields);
        assert!(text.contains("علی کریمی"), "{text}");
        assert!(text.contains("09121234567"), "{text}");
    }

    #[test]
    fn placement_follows_the_rule_of_the_kind() {
        let id = uuid::Uuid::from_u128(1);
        let branch = uuid::Uuid::from_u128(2);
        let mut fields = Fields::new();
        fields.insert("branch_id".into(), Value::Id(branch));
        assert_eq!(placement(&USERS, id, &fields).owner_id, Some(id));
        assert_eq!(placement(&BRANCHES, id, &fields).branch_id, Some(id));
        assert_eq!(placement(&TEAMS, id, &fields).branch_id, Some(branch));
        assert_eq!(placement(&ROLES, id, &fields).branch_id, None);
    }

    #[test]
    fn every_schema_has_its_default_sort_and_title_fields() {
        for schema in ALL_SCHEMAS {
            assert!(schema.is_sortable(schema.default_sort), "{}", schema.table);
            for name in schema.title_fields {
                assert!(schema.field(name).is_some(), "{}.{name}", schema.table);
            }
            assert_eq!(super::schema(schema.kind), schema);
        }
    }
}
