//! The rules of activity and service records that run inside the generic create and update:
//! defaults, checks across fields, and the values the system derives (case number, routing,
//! service-level due times, activity due and reminder moments).

use peyvand_domain::permission::RecordKind;
use peyvand_domain::record::{ACCOUNTS, CONTACTS, Fields, ROUTING_RULES, Schema, Value};
use peyvand_domain::service::activity;
use peyvand_domain::service::case_flow::{CaseStatus, case_number};
use peyvand_domain::service::notices::CaseEvent;
use peyvand_domain::service::opening_hours;
use peyvand_domain::service::routing::{self, Assignment, CaseFacts};
use peyvand_domain::service::sla;
use peyvand_domain::validation::{FieldError, ValidationErrors};
use peyvand_store::{RecordRow, Tx};
use time::OffsetDateTime;
use uuid::Uuid;

use super::setup;
use crate::auth::Session;
use crate::error::{AppError, AppResult};
use crate::writes::Defaults;

/// Statuses whose cases count toward an agent's load.
pub(crate) const OPEN_CASE_STATUSES: [&str; 4] =
    ["new", "assigned", "in_progress", "waiting_customer"];

/// Defaults of new activities, cases and routing rules.
pub(crate) fn apply_defaults(session: &Session, schema: &Schema, defaults: &mut Defaults<'_>) {
    match schema.kind {
        RecordKind::Activity | RecordKind::Case => {
            defaults.set("owner_id", Value::Id(session.actor.user_id));
            defaults.set("branch_id", Value::Id(session.actor.branch_id));
            defaults.set("priority", Value::Text("normal".into()));
            if schema.kind == RecordKind::Activity {
                defaults.set("status", Value::Text("open".into()));
            }
        }
        RecordKind::RoutingRule => defaults.set("active", Value::Bool(true)),
        _ => {}
    }
}

fn get<'a>(fields: &'a Fields, name: &str) -> &'a Value {
    fields.get(name).unwrap_or(&Value::Null)
}

/// Checks across fields, on create (no `old`) and update.
pub(crate) async fn check_rules(
    tx: &mut Tx,
    kind: RecordKind,
    old: Option<&RecordRow>,
    merged: &Fields,
) -> AppResult<()> {
    let mut errors = ValidationErrors::new();
    match kind {
        RecordKind::Activity | RecordKind::Case => {
            for field in ["owner_id", "branch_id"] {
                if get(merged, field).is_null() {
                    errors.add(field, FieldError::REQUIRED);
                }
            }
        }
        _ => {}
    }
    match kind {
        RecordKind::Activity => check_activity(merged, &mut errors),
        // A case is always somebody's: an account, a contact or both.
        RecordKind::Case
            if get(merged, "account_id").is_null() && get(merged, "contact_id").is_null() =>
        {
            errors.add("account_id", FieldError::REQUIRED);
        }
        RecordKind::CaseCategory => {
            if let (Some(old), Some(parent)) = (old, get(merged, "parent_category_id").as_id())
                && setup::category_path(tx, Some(parent))
                    .await?
                    .contains(&old.id)
            {
                errors.add("parent_category_id", FieldError::INVALID);
            }
        }
        RecordKind::RoutingRule => check_routing_rule(tx, merged, &mut errors).await?,
        RecordKind::SlaTarget => check_sla_target(tx, old, merged, &mut errors).await?,
        RecordKind::Branch => check_working_week(merged, &mut errors),
        _ => {}
    }
    errors.into_result().map_err(AppError::Validation)
}

/// A branch's hours must be readable whether or not it uses them yet, so a week typed before
/// ticking "own working hours" is not lost to a later surprise.
/// A week of the branch's own needs at least one open day, or no service clock would ever run.
fn check_working_week(fields: &Fields, errors: &mut ValidationErrors) {
    let mut open_days = 0;
    for (name, _) in opening_hours::DAY_FIELDS {
        match get(fields, name).as_text().map(opening_hours::parse_day) {
            Some(Err(error)) => errors.add(name, error),
            Some(Ok(Some(_))) => open_days += 1,
            _ => {}
        }
    }
    let own = get(fields, opening_hours::OWN_WEEK_FIELD) == &Value::Bool(true);
    if own && open_days == 0 && errors.is_empty() {
        errors.add(opening_hours::DAY_FIELDS[0].0, opening_hours::NO_OPEN_DAY);
    }
}

fn check_activity(fields: &Fields, errors: &mut ValidationErrors) {
    if let Some(time) = get(fields, "due_time").as_text() {
        if let Err(error) = activity::parse_time_of_day(time) {
            errors.add("due_time", error);
        }
        if get(fields, "due_date").is_null() {
            errors.add("due_date", FieldError::REQUIRED);
        }
    }
    for name in ["duration_minutes", "remind_minutes_before"] {
        if matches!(get(fields, name), Value::Int(n) if *n < 0 || *n > 60 * 24 * 366) {
            errors.add(name, FieldError::INVALID_NUMBER);
        }
    }
    if !get(fields, "remind_minutes_before").is_null() && get(fields, "due_date").is_null() {
        errors.add("due_date", FieldError::REQUIRED);
    }
}

/// Error of a class name that is not one of the classification scheme's.
const UNKNOWN_CLASS: FieldError = FieldError("unknown_class");
/// Error of a product name that names nothing in the catalogue.
const UNKNOWN_PRODUCT: FieldError = FieldError("unknown_product");

/// The class named in `field`, if any, checked against the classification scheme: a rule or
/// target for a class no customer can have would silently never apply.
async fn check_class(
    tx: &mut Tx,
    fields: &Fields,
    field: &str,
    errors: &mut ValidationErrors,
) -> AppResult<Option<String>> {
    let Some(class) = get(fields, field)
        .as_text()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    else {
        return Ok(None);
    };
    if !known_classes(tx, &[class]).await? {
        errors.add(field, UNKNOWN_CLASS);
    }
    Ok(Some(class.to_owned()))
}

/// The classes listed in `field` checked against the classification scheme, as
/// [`check_class`] checks one: a rule naming any class that is not the scheme's is refused.
pub(crate) async fn check_classes(
    tx: &mut Tx,
    fields: &Fields,
    field: &str,
    errors: &mut ValidationErrors,
) -> AppResult<()> {
    let Value::Tags(classes) = get(fields, field) else {
        return Ok(());
    };
    let classes: Vec<&str> = classes.iter().map(String::as_str).collect();
    if !known_classes(tx, &classes).await? {
        errors.add(field, UNKNOWN_CLASS);
    }
    Ok(())
}

/// Whether every one of `classes` (blank names aside) is a class of the stored scheme.
async fn known_classes(tx: &mut Tx, classes: &[&str]) -> AppResult<bool> {
    let wanted: Vec<&str> = classes
        .iter()
        .map(|c| c.trim())
        .filter(|c| !c.is_empty())
        .collect();
    if wanted.is_empty() {
        return Ok(true);
    }
    let Some(scheme) = crate::classes::stored_scheme(tx).await? else {
        return Ok(false);
    };
    Ok(wanted.iter().all(|want| {
        scheme
            .classes
            .iter()
            .any(|c| sla::same_class(&c.name, want))
    }))
}

async fn check_routing_rule(
    tx: &mut Tx,
    fields: &Fields,
    errors: &mut ValidationErrors,
) -> AppResult<()> {
    if get(fields, "assign_team_id").is_null() && get(fields, "assign_user_id").is_null() {
        errors.add("assign_team_id", FieldError::REQUIRED);
    }
    check_classes(tx, fields, "match_customer_classes", errors).await?;
    if let Value::Tags(products) = get(fields, "match_products") {
        for product in products {
            if setup::product_named(tx, product).await?.is_none() {
                errors.add("match_products", UNKNOWN_PRODUCT);
                break;
            }
        }
    }
    Ok(())
}

async fn check_sla_target(
    tx: &mut Tx,
    old: Option<&RecordRow>,
    fields: &Fields,
    errors: &mut ValidationErrors,
) -> AppResult<()> {
    let hours = |name| match get(fields, name) {
        Value::Int(n) => *n,
        _ => 0,
    };
    for name in ["first_response_hours", "resolution_hours"] {
        if hours(name) <= 0 {
            errors.add(name, FieldError::INVALID_NUMBER);
        }
    }
    if hours("resolution_hours") < hours("first_response_hours") {
        errors.add("resolution_hours", FieldError::INVALID_NUMBER);
    }
    let class = check_class(tx, fields, "customer_class", errors).await?;
    // One target per priority and class (or per priority for every class), so that which one
    // applies is never a matter of chance.
    let priority = get(fields, "priority").as_text().map(str::to_owned);
    let taken = setup::target_rules(tx).await?.iter().any(|r| {
        let same_class = match (&class, r.customer_class.as_deref().map(str::trim)) {
            (None, None | Some("")) => true,
            (Some(mine), Some(theirs)) => sla::same_class(mine, theirs),
            _ => false,
        };
        Some(r.id) != old.map(|o| o.id) && Some(&r.priority) == priority.as_ref() && same_class
    });
    if taken {
        let field = if class.is_some() {
            "customer_class"
        } else {
            "priority"
        };
        errors.add(field, FieldError::TAKEN);
    }
    Ok(())
}

/// What the system adds to a new record of these kinds, just before it is stored.
pub(crate) async fn on_create(
    tx: &mut Tx,
    now: OffsetDateTime,
    schema: &Schema,
    fields: &mut Fields,
) -> AppResult<()> {
    match schema.kind {
        RecordKind::Activity => {
            derive_activity_times(fields, None, now);
            Ok(())
        }
        RecordKind::Case => {
            let number = tx.next_case_number(setup::jalali_year(now)).await?;
            fields.insert(
                "number".into(),
                Value::Text(case_number(setup::jalali_year(now), number)),
            );
            fields.insert("status".into(), Value::Text(CaseStatus::New.code().into()));
            let customer = Customer::of_case(tx, fields).await?;
            let class = customer.class().map_or(Value::Null, Value::Text);
            fields.insert("customer_class".into(), class);
            super::product_words::follow_link(tx, fields).await?;
            route(tx, fields, &customer).await?;
            set_sla_due(tx, now, fields).await?;
            super::notices::notify_customer(tx, now, fields, CaseEvent::Received, None, None).await
        }
        _ => Ok(()),
    }
}

/// What the system changes along with an update of these kinds, in `merged`: activity times
/// follow their date, time and status; a case's clocks follow its priority, and the words of
/// its product its product link (`changes`: what the user changed). The caller takes the
/// changes to store from `merged`.
pub(crate) async fn on_update(
    tx: &mut Tx,
    now: OffsetDateTime,
    schema: &Schema,
    old: &Fields,
    merged: &mut Fields,
    changes: &Fields,
) -> AppResult<()> {
    match schema.kind {
        RecordKind::Activity => derive_activity_times(merged, Some(old), now),
        RecordKind::Case => {
            if changes.contains_key("priority") {
                let opened = match get(old, "created_at") {
                    Value::Time(at) => *at,
                    _ => now,
                };
                set_sla_due(tx, opened, merged).await?;
            }
            if changes.contains_key("product_id") {
                super::product_words::follow_link(tx, merged).await?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// Due and reminder moments from the activity's date, time and reminder; the completion moment
/// from its status.
fn derive_activity_times(fields: &mut Fields, old: Option<&Fields>, now: OffsetDateTime) {
    let due = match get(fields, "due_date") {
        Value::Date(date) => {
            let time = get(fields, "due_time")
                .as_text()
                .and_then(|t| activity::parse_time_of_day(t).ok());
            Some(activity::due_at(*date, time))
        }
        _ => None,
    };
    let minutes = match get(fields, "remind_minutes_before") {
        Value::Int(n) => Some(*n),
        _ => None,
    };
    let remind = due.and_then(|d| activity::remind_at(d, minutes));
    let as_value = |at: Option<OffsetDateTime>| at.map_or(Value::Null, Value::Time);
    fields.insert("due_at".into(), as_value(due));
    // A reminder that moves is a new reminder: it goes out again at its new moment.
    if old.is_some_and(|o| get(o, "remind_at") != &as_value(remind)) {
        fields.insert("reminder_sent_at".into(), Value::Null);
    }
    fields.insert("remind_at".into(), as_value(remind));
    let done = get(fields, "status").as_text() == Some("done");
    let was_done = old.is_some_and(|o| get(o, "status").as_text() == Some("done"));
    let completed = match (done, was_done) {
        (true, true) => old.map_or(Value::Null, |o| get(o, "completed_at").clone()),
        (true, false) => Value::Time(now),
        (false, _) => Value::Null,
    };
    fields.insert("completed_at".into(), completed);
}

/// Applies the first matching routing rule: the case goes to its person, or to its team and a
/// member picked by the rule's strategy. Without a match the case stays with its creator.
async fn route(tx: &mut Tx, fields: &mut Fields, customer: &Customer) -> AppResult<()> {
    let rules = setup::routing_rules(tx).await?;
    if rules.is_empty() {
        return Ok(());
    }
    let facts = CaseFacts {
        category_path: setup::category_path(tx, get(fields, "category_id").as_id()).await?,
        channel: get(fields, "channel").as_text().map(str::to_owned),
        branch: get(fields, "branch_id").as_id(),
        text: format!(
            "{} {}",
            get(fields, "subject").as_text().unwrap_or_default(),
            get(fields, "description").as_text().unwrap_or_default()
        ),
        customer_kind: customer.kind(),
        case_type: get(fields, "case_type").as_text().map(str::to_owned),
        product_names: product_names(tx, &rules, fields).await?,
        customer_class: get(fields, "customer_class").as_text().map(str::to_owned),
    };
    let only_rules: Vec<_> = rules.iter().map(|(rule, _)| rule.clone()).collect();
    let Some(rule) = routing::first_match(&only_rules, &facts) else {
        return Ok(());
    };
    let row = &rules
        .iter()
        .find(|(r, _)| r.id == rule.id)
        .expect("matched rule")
        .1;
    let owner = match rule.assignment {
        Some(Assignment::Person(user)) => Some(user),
        Some(Assignment::Team { team, strategy }) => {
            fields.insert("team_id".into(), Value::Id(team));
            let members = tx.team_members(team).await?;
            let loads = tx.cases_owned(&members, &OPEN_CASE_STATUSES).await?;
            let last = setup::id(row, "last_assigned_user_id");
            let picked = routing::pick_member(strategy, &members, last, &loads);
            if let Some(user) = picked {
                remember_turn(tx, row, user).await?;
            }
            picked
        }
        None => None,
    };
    fields.insert("routing_rule_id".into(), Value::Id(rule.id));
    if let Some(owner) = owner {
        fields.insert("owner_id".into(), Value::Id(owner));
        fields.insert(
            "status".into(),
            Value::Text(CaseStatus::Assigned.code().into()),
        );
    }
    Ok(())
}

/// The names of the case's product, looked up in the catalogue only when some active rule
/// asks about products (most cases meet no such rule, and need no lookup).
async fn product_names(
    tx: &mut Tx,
    rules: &[(routing::Rule, RecordRow)],
    fields: &Fields,
) -> AppResult<Vec<String>> {
    let asked = rules
        .iter()
        .any(|(rule, _)| rule.active && !rule.products.is_empty());
    if !asked {
        return Ok(vec![]);
    }
    let linked = get(fields, "product_id").as_id();
    setup::product_names(tx, linked, get(fields, "product").as_text()).await
}

/// Notes on the rule who got its latest case, for the next round-robin turn. This is the
/// system's bookkeeping, not an edit, so the rule keeps its version: an administrator editing
/// the rule while cases arrive does not meet a conflict.
async fn remember_turn(tx: &mut Tx, rule: &RecordRow, user: Uuid) -> AppResult<()> {
    tx.set_system_field(
        &ROUTING_RULES,
        rule.id,
        "last_assigned_user_id",
        &Value::Id(user),
    )
    .await?;
    Ok(())
}

/// The account and contact of a new case, read once for routing and its service-level target.
struct Customer {
    account: Option<RecordRow>,
    contact: Option<RecordRow>,
}

impl Customer {
    async fn of_case(tx: &mut Tx, fields: &Fields) -> AppResult<Customer> {
        let mut read = async |schema, field| match get(fields, field).as_id() {
            Some(id) => tx.get_record(schema, id).await,
            None => Ok(None),
        };
        Ok(Customer {
            account: read(&ACCOUNTS, "account_id").await?,
            contact: read(&CONTACTS, "contact_id").await?,
        })
    }

    /// The first of `rows` with a non-empty `field`.
    fn first_text(rows: [&Option<RecordRow>; 2], field: &str) -> Option<String> {
        rows.into_iter()
            .flatten()
            .find_map(|row| setup::text(row, field).filter(|t| !t.is_empty()))
    }

    /// The customer kind of the account, or else of the contact (the kind is the
    /// organisation's when there is one).
    fn kind(&self) -> Option<String> {
        Self::first_text([&self.account, &self.contact], "customer_kind")
    }

    /// The class of the contact, or else of the account (the person who asks is the more
    /// specific customer).
    fn class(&self) -> Option<String> {
        Self::first_text([&self.contact, &self.account], "customer_class")
    }
}

/// Sets the first-response and resolution due moments from the target of the case's priority
/// and customer class (the most specific one set), counted in working hours of its branch's
/// calendar from `opened`, and notes which target that was.
async fn set_sla_due(tx: &mut Tx, opened: OffsetDateTime, fields: &mut Fields) -> AppResult<()> {
    let priority = get(fields, "priority")
        .as_text()
        .unwrap_or("normal")
        .to_owned();
    let class = get(fields, "customer_class").as_text().map(str::to_owned);
    let rules = setup::target_rules(tx).await?;
    let target = sla::applicable_target(&rules, &priority, class.as_deref());
    let (first, resolution) = match target {
        Some(target) => {
            let calendar = setup::work_calendar(tx, get(fields, "branch_id").as_id()).await?;
            sla::due_times(&calendar, opened, target.targets)
        }
        None => (None, None),
    };
    let as_value = |at: Option<OffsetDateTime>| at.map_or(Value::Null, Value::Time);
    fields.insert("first_response_due".into(), as_value(first));
    fields.insert("resolution_due".into(), as_value(resolution));
    fields.insert(
        "sla_target_id".into(),
        target.map_or(Value::Null, |t| Value::Id(t.id)),
    );
    Ok(())
}
