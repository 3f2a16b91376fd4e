//! Reading the service set-up an administrator maintains: categories, routing rules,
//! service-level targets and holidays. These are small tables read whole.

use peyvand_domain::calendar;
use peyvand_domain::permission::RowFilter;
use peyvand_domain::record::sales::PRODUCTS;
use peyvand_domain::record::{
    BRANCHES, CASE_CATEGORIES, HOLIDAYS, ROUTING_RULES, SLA_TARGETS, Schema, Value,
};
use peyvand_domain::service::opening_hours;
use peyvand_domain::service::routing::{Assignment, Rule, Strategy};
use peyvand_domain::service::sla::{TargetRule, Targets};
use peyvand_domain::service::working_time::WorkCalendar;
use peyvand_store::{RecordRow, RecordsWhere, Tx};
use uuid::Uuid;

use crate::error::AppResult;

/// Most rows of one set-up table read (they are edited by hand; thousands would be a mistake).
const SETUP_LIMIT: u64 = 10_000;

/// Every row of a set-up kind, whoever asks (the system applies them on everyone's cases).
pub(crate) async fn all_rows(tx: &mut Tx, schema: &Schema) -> AppResult<Vec<RecordRow>> {
    Ok(tx
        .records_where(&RecordsWhere {
            schema,
            access: &RowFilter::Everything,
            equals: vec![],
            people: None,
            date_between: None,
            due_by: None,
            not_in: None,
            order_by: "created_at",
            limit: SETUP_LIMIT,
        })
        .await?)
}

pub(crate) fn text(row: &RecordRow, name: &str) -> Option<String> {
    row.fields
        .get(name)
        .and_then(Value::as_text)
        .map(str::to_owned)
}

pub(crate) fn id(row: &RecordRow, name: &str) -> Option<Uuid> {
    row.fields.get(name).and_then(Value::as_id)
}

pub(crate) fn tags(row: &RecordRow, name: &str) -> Vec<String> {
    match row.fields.get(name) {
        Some(Value::Tags(tags)) => tags.clone(),
        _ => vec![],
    }
}

pub(crate) fn int(row: &RecordRow, name: &str) -> Option<i64> {
    match row.fields.get(name) {
        Some(Value::Int(n)) => Some(*n),
        _ => None,
    }
}

/// The category and its ancestors, nearest first (stops on a loop, which the rules forbid).
pub(crate) async fn category_path(tx: &mut Tx, category: Option<Uuid>) -> AppResult<Vec<Uuid>> {
    let Some(start) = category else {
        return Ok(vec![]);
    };
    let rows = all_rows(tx, &CASE_CATEGORIES).await?;
    let mut path = vec![start];
    let mut current = start;
    while let Some(parent) = rows
        .iter()
        .find(|r| r.id == current)
        .and_then(|r| id(r, "parent_category_id"))
    {
        if path.contains(&parent) {
            break;
        }
        path.push(parent);
        current = parent;
    }
    Ok(path)
}

/// The routing rules as the domain evaluates them.
pub(crate) async fn routing_rules(tx: &mut Tx) -> AppResult<Vec<(Rule, RecordRow)>> {
    Ok(all_rows(tx, &ROUTING_RULES)
        .await?
        .into_iter()
        .map(|row| {
            let assignment = match (id(&row, "assign_user_id"), id(&row, "assign_team_id")) {
                (_, Some(team)) => Some(Assignment::Team {
                    team,
                    strategy: Strategy::parse(text(&row, "assign_strategy").as_deref()),
                }),
                (Some(user), None) => Some(Assignment::Person(user)),
                (None, None) => None,
            };
            let rule = Rule {
                id: row.id,
                position: int(&row, "position").unwrap_or(0),
                active: row.fields.get("active") != Some(&Value::Bool(false)),
                category: id(&row, "match_category_id"),
                channel: text(&row, "match_channel"),
                branch: id(&row, "match_branch_id"),
                keyword: text(&row, "match_keyword"),
                customer_kind: text(&row, "match_customer_kind"),
                case_type: text(&row, "match_case_type"),
                products: tags(&row, "match_products"),
                customer_classes: tags(&row, "match_customer_classes"),
                assignment,
            };
            (rule, row)
        })
        .collect())
}

/// The names a case's product goes by, so a rule may name the product by code or name: the
/// linked catalogue product's code and name; for an old case whose product was typed and
/// matched nothing in the catalogue (migration 0270), the text as typed.
pub(crate) async fn product_names(
    tx: &mut Tx,
    product_id: Option<Uuid>,
    typed: Option<&str>,
) -> AppResult<Vec<String>> {
    if let Some(id) = product_id {
        return Ok(match tx.get_record(&PRODUCTS, id).await? {
            Some(product) => ["code", "name"]
                .into_iter()
                .filter_map(|f| text(&product, f))
                .collect(),
            None => vec![],
        });
    }
    Ok(typed
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| vec![t.to_owned()])
        .unwrap_or_default())
}

/// The catalogue product whose code (unique and indexed), or else whose name, is `named`.
pub(crate) async fn product_named(tx: &mut Tx, named: &str) -> AppResult<Option<RecordRow>> {
    for field in ["code", "name"] {
        let found = tx
            .records_where(&RecordsWhere {
                schema: &PRODUCTS,
                access: &RowFilter::Everything,
                equals: vec![(field, Value::Text(named.trim().to_owned()))],
                people: None,
                date_between: None,
                due_by: None,
                not_in: None,
                order_by: "created_at",
                limit: 1,
            })
            .await?;
        if let Some(product) = found.into_iter().next() {
            return Ok(Some(product));
        }
    }
    Ok(None)
}

/// Every service-level target an administrator set, as the domain chooses among them.
pub(crate) async fn target_rules(tx: &mut Tx) -> AppResult<Vec<TargetRule>> {
    Ok(all_rows(tx, &SLA_TARGETS)
        .await?
        .iter()
        .filter_map(|r| {
            Some(TargetRule {
                id: r.id,
                priority: text(r, "priority")?,
                customer_class: text(r, "customer_class"),
                targets: Targets {
                    first_response_hours: int(r, "first_response_hours").unwrap_or(0),
                    resolution_hours: int(r, "resolution_hours").unwrap_or(0),
                },
            })
        })
        .collect())
}

/// The working calendar of a branch: the week of the nearest branch up the tree that keeps
/// its own (headquarters without one: the Iranian default), with the holidays of every branch
/// and of this one.
pub(crate) async fn work_calendar(tx: &mut Tx, branch: Option<Uuid>) -> AppResult<WorkCalendar> {
    let days = all_rows(tx, &HOLIDAYS).await?.into_iter().filter_map(|r| {
        let only = id(&r, "only_branch_id");
        match (r.fields.get("date"), only) {
            (Some(Value::Date(d)), None) => Some(*d),
            (Some(Value::Date(d)), Some(b)) if Some(b) == branch => Some(*d),
            _ => None,
        }
    });
    let days: Vec<_> = days.collect();
    Ok(working_week(tx, branch).await?.with_holidays(days))
}

/// How many branches up the tree a week is looked for; the tree is kept free of cycles, this
/// only bounds the walk should that ever fail.
const MAX_BRANCH_DEPTH: usize = 64;

async fn working_week(tx: &mut Tx, mut branch: Option<Uuid>) -> AppResult<WorkCalendar> {
    for _ in 0..MAX_BRANCH_DEPTH {
        let Some(id) = branch else { break };
        let Some(row) = tx.get_record(&BRANCHES, id).await? else {
            break;
        };
        if row.fields.get(opening_hours::OWN_WEEK_FIELD) == Some(&Value::Bool(true)) {
            // The week was checked when saved; should it no longer read, the default week
            // serves rather than failing every case of the branch.
            let Ok(week) = opening_hours::parse_week(|name| row.fields.get(name)?.as_text()) else {
                tracing::warn!(branch = %id, "unreadable working hours, using the default week");
                return Ok(WorkCalendar::iranian_default());
            };
            return Ok(opening_hours::calendar_of(week));
        }
        branch = row.fields.get("parent_id").and_then(Value::as_id);
    }
    Ok(WorkCalendar::iranian_default())
}

/// The Jalali year of a moment in local time (case numbers count per Jalali year).
pub(crate) fn jalali_year(now: time::OffsetDateTime) -> i32 {
    let local = now.to_offset(peyvand_domain::service::LOCAL_OFFSET).date();
    calendar::to_jalali(local).year
}
