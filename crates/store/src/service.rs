//! Storage specific to activities and customer service (issue 5): the people of an activity,
//! case entries, yearly case numbers, and the few queries the generic record lists cannot
//! express (an agenda of activities someone owns *or* is assigned to, due reminders, open-case
//! loads for routing).

use std::collections::BTreeMap;

use peyvand_domain::permission::RowFilter;
use peyvand_domain::record::{Schema, Value};
use sea_query::{Cond, Expr, ExprTrait, OnConflict, Order, Query};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::StoreResult;
use crate::records::{
    RecordRow, access_condition, fields_by_name, row_from_values, select_all_columns,
};
use crate::tx::Tx;
use crate::values::{ColType, to_sql};

/// One person of an activity: an assignee (a user) or a meeting attendee (a user, a contact or
/// just a name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityPerson {
    /// `assignee` or `attendee`.
    pub role: String,
    /// A user of the company.
    pub user_id: Option<Uuid>,
    /// A contact from outside.
    pub contact_id: Option<Uuid>,
    /// Someone known only by name.
    pub name: Option<String>,
}

/// An entry on a case: an internal note or a reply to the customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseEntryRow {
    /// Id (UUIDv7).
    pub id: Uuid,
    /// The case.
    pub case_id: Uuid,
    /// `internal_note` or `reply`.
    pub entry_kind: String,
    /// The text.
    pub body: String,
    /// Who wrote it.
    pub author_id: Option<Uuid>,
    /// When.
    pub created_at: OffsetDateTime,
}

/// Which records of a kind a service query wants, beyond the actor's access filter.
#[derive(Debug, Clone)]
pub struct RecordsWhere<'a> {
    /// The kind.
    pub schema: &'a Schema,
    /// The actor's access filter.
    pub access: &'a RowFilter,
    /// Every named field must equal the value.
    pub equals: Vec<(&'static str, Value)>,
    /// The record's owner is one of these users or one of them is an assignee (activities).
    pub people: Option<&'a [Uuid]>,
    /// A date field lies within these days (inclusive).
    pub date_between: Option<(&'static str, Date, Date)>,
    /// A moment field is set and at or before this moment.
    pub due_by: Option<(&'static str, OffsetDateTime)>,
    /// A text field is none of these values (or empty).
    pub not_in: Option<(&'static str, &'a [&'a str])>,
    /// A field to order by (then id).
    pub order_by: &'static str,
    /// Most rows returned.
    pub limit: u64,
}

fn v_id(id: Uuid) -> sea_query::Value {
    to_sql(&Value::Id(id), ColType::Id)
}

fn v_text(text: &str) -> sea_query::Value {
    to_sql(&Value::Text(text.to_owned()), ColType::Text)
}

const ENTRY_COLUMNS: [&str; 6] = [
    "id",
    "case_id",
    "entry_kind",
    "body",
    "author_id",
    "created_at",
];
const ENTRY_TYPES: [ColType; 6] = [
    ColType::Id,
    ColType::Id,
    ColType::Text,
    ColType::Text,
    ColType::Id,
    ColType::Time,
];

impl Tx {
    /// The next case number of a year: 1 for the first case of the year, then one more each time.
    pub async fn next_case_number(&mut self, year: i32) -> StoreResult<i64> {
        let year_value = to_sql(&Value::Int(i64::from(year)), ColType::Int);
        let mut upsert = Query::insert();
        upsert
            .into_table("case_counters")
            .columns(["year", "last_number"])
            .values_panic([
                Expr::val(year_value.clone()),
                Expr::val(to_sql(&Value::Int(1), ColType::Int)),
            ])
            .on_conflict(
                OnConflict::column("year")
                    .value(
                        "last_number",
                        Expr::col(("case_counters", "last_number")).add(1),
                    )
                    .to_owned(),
            );
        self.execute(&upsert).await?;
        let mut select = Query::select();
        select
            .from("case_counters")
            .column("last_number")
            .and_where(Expr::col("year").eq(year_value));
        self.fetch_count(&select).await
    }

    /// Replaces the people of one role on an activity.
    pub async fn replace_activity_people(
        &mut self,
        activity_id: Uuid,
        role: &str,
        people: &[ActivityPerson],
    ) -> StoreResult<()> {
        let mut delete = Query::delete();
        delete
            .from_table("activity_people")
            .and_where(Expr::col("activity_id").eq(v_id(activity_id)))
            .and_where(Expr::col("role").eq(v_text(role)));
        self.execute(&delete).await?;
        if people.is_empty() {
            return Ok(());
        }
        let mut insert = Query::insert();
        insert.into_table("activity_people").columns([
            "activity_id",
            "position",
            "role",
            "user_id",
            "contact_id",
            "name",
        ]);
        for (position, person) in people.iter().enumerate() {
            insert.values_panic(
                [
                    v_id(activity_id),
                    to_sql(&Value::Int(position as i64), ColType::Int),
                    v_text(role),
                    to_sql(&person.user_id.map_or(Value::Null, Value::Id), ColType::Id),
                    to_sql(
                        &person.contact_id.map_or(Value::Null, Value::Id),
                        ColType::Id,
                    ),
                    to_sql(
                        &person.name.clone().map_or(Value::Null, Value::Text),
                        ColType::Text,
                    ),
                ]
                .map(Expr::val),
            );
        }
        self.execute(&insert).await?;
        Ok(())
    }

    /// The people of an activity, assignees first, each role in the order given.
    pub async fn activity_people(&mut self, activity_id: Uuid) -> StoreResult<Vec<ActivityPerson>> {
        let mut select = Query::select();
        select
            .from("activity_people")
            .columns(["role", "user_id", "contact_id", "name"])
            .and_where(Expr::col("activity_id").eq(v_id(activity_id)))
            .order_by("role", Order::Asc)
            .order_by("position", Order::Asc);
        let rows = self
            .fetch(
                &select,
                &[ColType::Text, ColType::Id, ColType::Id, ColType::Text],
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|row| ActivityPerson {
                role: row[0].as_text().unwrap_or_default().to_owned(),
                user_id: row[1].as_id(),
                contact_id: row[2].as_id(),
                name: row[3].as_text().map(str::to_owned),
            })
            .collect())
    }

    /// Stores an entry on a case.
    pub async fn insert_case_entry(&mut self, row: &CaseEntryRow) -> StoreResult<()> {
        let mut insert = Query::insert();
        insert
            .into_table("case_entries")
            .columns(ENTRY_COLUMNS)
            .values_panic(
                [
                    v_id(row.id),
                    v_id(row.case_id),
                    v_text(&row.entry_kind),
                    v_text(&row.body),
                    to_sql(&row.author_id.map_or(Value::Null, Value::Id), ColType::Id),
                    to_sql(&Value::Time(row.created_at), ColType::Time),
                ]
                .map(Expr::val),
            );
        self.execute(&insert).await?;
        Ok(())
    }

    /// The entries of a case, oldest first.
    pub async fn case_entries(&mut self, case_id: Uuid) -> StoreResult<Vec<CaseEntryRow>> {
        let mut select = Query::select();
        select
            .from("case_entries")
            .columns(ENTRY_COLUMNS)
            .and_where(Expr::col("case_id").eq(v_id(case_id)))
            .order_by("created_at", Order::Asc)
            .order_by("id", Order::Asc);
        let rows = self.fetch(&select, &ENTRY_TYPES).await?;
        Ok(rows
            .into_iter()
            .map(|row| CaseEntryRow {
                id: row[0].as_id().unwrap_or_default(),
                case_id: row[1].as_id().unwrap_or_default(),
                entry_kind: row[2].as_text().unwrap_or_default().to_owned(),
                body: row[3].as_text().unwrap_or_default().to_owned(),
                author_id: row[4].as_id(),
                created_at: match row[5] {
                    Value::Time(at) => at,
                    _ => OffsetDateTime::UNIX_EPOCH,
                },
            })
            .collect())
    }

    /// The enabled members of a team.
    pub async fn team_members(&mut self, team_id: Uuid) -> StoreResult<Vec<Uuid>> {
        let mut select = Query::select();
        select
            .from("users")
            .column("id")
            .and_where(Expr::col("team_id").eq(v_id(team_id)))
            .and_where(Expr::col("disabled").eq(to_sql(&Value::Bool(false), ColType::Bool)))
            .order_by("id", Order::Asc);
        let rows = self.fetch(&select, &[ColType::Id]).await?;
        Ok(rows.into_iter().filter_map(|r| r[0].as_id()).collect())
    }

    /// How many cases in the given statuses each of these users owns (absent users own none).
    pub async fn cases_owned(
        &mut self,
        owners: &[Uuid],
        statuses: &[&str],
    ) -> StoreResult<BTreeMap<Uuid, u64>> {
        if owners.is_empty() {
            return Ok(BTreeMap::new());
        }
        let mut select = Query::select();
        select
            .from("cases")
            .column("owner_id")
            .expr(Expr::col("id").count())
            .and_where(Expr::col("owner_id").is_in(owners.iter().map(|o| v_id(*o))))
            .and_where(Expr::col("status").is_in(statuses.iter().map(|s| v_text(s))))
            .group_by_col("owner_id");
        let rows = self.fetch(&select, &[ColType::Id, ColType::Int]).await?;
        Ok(rows
            .into_iter()
            .filter_map(|r| match (r[0].as_id(), &r[1]) {
                (Some(owner), Value::Int(n)) => Some((owner, u64::try_from(*n).unwrap_or(0))),
                _ => None,
            })
            .collect())
    }

    /// Records of a kind matching a service query, in the asked order.
    pub async fn records_where(&mut self, query: &RecordsWhere<'_>) -> StoreResult<Vec<RecordRow>> {
        let schema = query.schema;
        let (mut select, types) = select_all_columns(schema);
        let mut cond = Cond::all().add(access_condition(schema, query.access));
        for (name, value) in &query.equals {
            let ty = schema
                .field(name)
                .map_or(ColType::Text, |f| ColType::of(f.ty));
            cond = cond.add(Expr::col(*name).eq(to_sql(value, ty)));
        }
        if let Some(people) = query.people {
            let ids = || people.iter().map(|p| v_id(*p));
            let mut assigned = Query::select();
            assigned
                .from("activity_people")
                .column("activity_id")
                .and_where(Expr::col("role").eq(v_text("assignee")))
                .and_where(Expr::col("user_id").is_in(ids()));
            let mut either = Cond::any().add(Expr::col("owner_id").is_in(ids()));
            if schema.table == "activities" {
                either = either.add(Expr::col("id").in_subquery(assigned));
            }
            cond = cond.add(either);
        }
        if let Some((name, from, to)) = query.date_between {
            cond = cond
                .add(Expr::col(name).gte(to_sql(&Value::Date(from), ColType::Date)))
                .add(Expr::col(name).lte(to_sql(&Value::Date(to), ColType::Date)));
        }
        if let Some((name, at)) = query.due_by {
            cond = cond.add(Expr::col(name).lte(to_sql(&Value::Time(at), ColType::Time)));
        }
        if let Some((name, values)) = query.not_in {
            cond = cond.add(
                Cond::any()
                    .add(Expr::col(name).is_null())
                    .add(Expr::col(name).is_not_in(values.iter().map(|v| v_text(v)))),
            );
        }
        select
            .cond_where(cond)
            .order_by(query.order_by, Order::Asc)
            .order_by("id", Order::Asc)
            .limit(query.limit);
        let rows = self.fetch(&select, &types).await?;
        let names = fields_by_name(schema);
        Ok(rows
            .into_iter()
            .map(|values| row_from_values(&names, values))
            .collect())
    }
}
