//! Use cases of activities: the people on an activity (several assignees, meeting attendees
//! inside and outside the company), the personal and team agenda, due reminders, the activity
//! report, and activities and cases on a customer's timeline.

use std::collections::BTreeMap;

use peyvand_domain::permission::{Action, RecordKind, RowFilter, Scope};
use peyvand_domain::record::{ACTIVITIES, CASES, Value};
use peyvand_domain::service::activity::{self, Span, Tally};
use peyvand_store::{ActivityPerson, RecordsWhere, Tx};
use serde_json::json;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::App;
use crate::auth::Session;
use crate::error::{AppError, AppResult};
use crate::history::TimelineEntry;
use crate::org::filter_for;
use crate::records::{RecordView, audit, read_checked, view};

/// Most activities an agenda page shows.
const AGENDA_LIMIT: u64 = 500;
/// Most reminders listed at once.
const REMINDER_LIMIT: u64 = 50;
/// Most activities one report counts.
const REPORT_LIMIT: u64 = 200_000;
/// Most activities and cases of one customer shown on the timeline.
const TIMELINE_LIMIT: u64 = 200;

/// A meeting attendee: a user, a contact, or someone known only by name.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, Default)]
pub struct Attendee {
    /// A user of the company.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<Uuid>,
    /// A contact from outside.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<Uuid>,
    /// A name, for people who are neither.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// The people of an activity.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, Default)]
pub struct ActivityPeople {
    /// Users who share the work (besides the owner).
    #[serde(default)]
    pub assignees: Vec<Uuid>,
    /// Who attends a meeting or call.
    #[serde(default)]
    pub attendees: Vec<Attendee>,
}

/// Whose agenda, and which period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AgendaQuery {
    /// A team's agenda (managers); the signed-in user's own otherwise.
    pub team: Option<Uuid>,
    /// Day, week or month.
    pub span: Span,
    /// A day in the period.
    pub day: Date,
}

/// One row of the activity report.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ReportRow {
    /// The person, team or branch.
    pub id: Option<Uuid>,
    /// Its counts.
    #[serde(flatten)]
    pub tally: Tally,
    /// Done on time among done, in percent.
    pub on_time_percent: Option<u64>,
}

/// The activity report over a period: by person, team and branch.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ActivityReport {
    /// First day (due dates).
    #[serde(serialize_with = "crate::json::iso_date")]
    pub from: Date,
    /// Last day.
    #[serde(serialize_with = "crate::json::iso_date")]
    pub to: Date,
    /// Everything counted.
    pub total: Tally,
    /// Per owner.
    pub by_person: Vec<ReportRow>,
    /// Per team of the owner (activities of people without a team under `id: null`).
    pub by_team: Vec<ReportRow>,
    /// Per branch.
    pub by_branch: Vec<ReportRow>,
}

fn time_of(fields: &peyvand_domain::record::Fields, name: &str) -> Option<OffsetDateTime> {
    match fields.get(name) {
        Some(Value::Time(at)) => Some(*at),
        _ => None,
    }
}

async fn set_people_in(
    tx: &mut Tx,
    now: OffsetDateTime,
    session: &Session,
    id: Uuid,
    people: &ActivityPeople,
) -> AppResult<ActivityPeople> {
    read_checked(tx, session, RecordKind::Activity, id, Action::Update).await?;
    let mut errors = peyvand_domain::validation::ValidationErrors::new();
    // An unknown person is reported under the list that named them.
    let named = people
        .assignees
        .iter()
        .map(|user| ("assignees", user))
        .chain(
            people
                .attendees
                .iter()
                .filter_map(|a| a.user_id.as_ref().map(|user| ("attendees", user))),
        );
    for (list, user) in named {
        if *user != session.actor.user_id
            && read_checked(tx, session, RecordKind::User, *user, Action::Read)
                .await
                .is_err()
        {
            errors.add(list, peyvand_domain::validation::FieldError::NOT_FOUND);
        }
    }
    for attendee in &people.attendees {
        let given = [
            attendee.user_id.is_some(),
            attendee.contact_id.is_some(),
            attendee
                .name
                .as_deref()
                .is_some_and(|n| !n.trim().is_empty()),
        ];
        if given.iter().filter(|g| **g).count() != 1 {
            errors.add("attendees", peyvand_domain::validation::FieldError::INVALID);
        }
        if let Some(contact) = attendee.contact_id
            && read_checked(tx, session, RecordKind::Contact, contact, Action::Read)
                .await
                .is_err()
        {
            errors.add(
                "attendees",
                peyvand_domain::validation::FieldError::NOT_FOUND,
            );
        }
    }
    errors.into_result().map_err(AppError::Validation)?;
    // Each person once, in the order given (the same person twice need not be adjacent).
    let mut seen = std::collections::HashSet::new();
    let mut assignees = people.assignees.clone();
    assignees.retain(|user| seen.insert(*user));
    let assignee_rows: Vec<_> = assignees
        .iter()
        .map(|u| ActivityPerson {
            role: "assignee".into(),
            user_id: Some(*u),
            contact_id: None,
            name: None,
        })
        .collect();
    let attendee_rows: Vec<_> = people
        .attendees
        .iter()
        .map(|a| ActivityPerson {
            role: "attendee".into(),
            user_id: a.user_id,
            contact_id: a.contact_id,
            name: a.name.as_deref().map(str::trim).map(str::to_owned),
        })
        .collect();
    tx.replace_activity_people(id, "assignee", &assignee_rows)
        .await?;
    tx.replace_activity_people(id, "attendee", &attendee_rows)
        .await?;
    let result = people_of(tx.activity_people(id).await?);
    audit(
        tx,
        now,
        session,
        RecordKind::Activity,
        id,
        "people",
        json!({ "people": [null, serde_json::to_value(&result).unwrap_or_default()] }),
    )
    .await?;
    Ok(result)
}

fn people_of(rows: Vec<ActivityPerson>) -> ActivityPeople {
    let mut people = ActivityPeople::default();
    for row in rows {
        if row.role == "assignee" {
            people.assignees.extend(row.user_id);
        } else {
            people.attendees.push(Attendee {
                user_id: row.user_id,
                contact_id: row.contact_id,
                name: row.name,
            });
        }
    }
    people
}

/// Activities and cases of a customer, for its timeline: each as an entry at its creation,
/// by its owner, naming the record.
pub(crate) async fn activity_timeline_entries(
    tx: &mut Tx,
    session: &Session,
    kind: RecordKind,
    id: Uuid,
) -> AppResult<Vec<TimelineEntry>> {
    let field = match kind {
        RecordKind::Account => "account_id",
        RecordKind::Contact => "contact_id",
        RecordKind::Lead => "lead_id",
        _ => return Ok(vec![]),
    };
    let mut entries = Vec::new();
    for schema in [&ACTIVITIES, &CASES] {
        if schema.field(field).is_none() {
            continue;
        }
        let access = filter_for(tx, session, schema.kind, Action::Read).await?;
        if access == RowFilter::Nothing {
            continue;
        }
        let rows = tx
            .records_where(&RecordsWhere {
                schema,
                access: &access,
                equals: vec![(field, Value::Id(id))],
                people: None,
                date_between: None,
                due_by: None,
                not_in: None,
                order_by: "created_at",
                limit: TIMELINE_LIMIT,
            })
            .await?;
        for row in rows {
            let record = view(session, schema, row);
            let text = |name| record.get(name).as_text().unwrap_or_default().to_owned();
            entries.push(TimelineEntry {
                at: time_of(&record.fields, "created_at").unwrap_or(OffsetDateTime::UNIX_EPOCH),
                actor_id: record.placement.owner_id,
                action: schema.kind.code().into(),
                changes: json!({
                    "id": record.id,
                    "path": schema.path,
                    "title": record.title,
                    "type": text(if schema.kind == RecordKind::Case { "case_type" } else { "activity_type" }),
                    "status": text("status"),
                }),
                note_id: None,
                subject: None,
            });
        }
    }
    Ok(entries)
}

impl App {
    /// Replaces the assignees and attendees of an activity.
    pub async fn set_activity_people(
        &self,
        session: &Session,
        id: Uuid,
        people: &ActivityPeople,
    ) -> AppResult<ActivityPeople> {
        let (now, session, people) = (self.now(), session.clone(), people.clone());
        self.write(move |tx| {
            Box::pin(async move { set_people_in(tx, now, &session, id, &people).await })
        })
        .await
    }

    /// The assignees and attendees of an activity.
    pub async fn activity_people(&self, session: &Session, id: Uuid) -> AppResult<ActivityPeople> {
        let mut tx = self.store.read().await?;
        read_checked(&mut tx, session, RecordKind::Activity, id, Action::Read).await?;
        Ok(people_of(tx.activity_people(id).await?))
    }

    /// The activities of a period, by due date and time: the signed-in user's own (owned or
    /// assigned to them), or a team's for whoever may read the team's activities.
    pub async fn agenda(
        &self,
        session: &Session,
        query: AgendaQuery,
    ) -> AppResult<(Date, Date, Vec<RecordView>)> {
        let (from, to) = activity::period(query.day, query.span, session.calendar);
        let mut tx = self.store.read().await?;
        let me = [session.actor.user_id];
        let (access, members) = match query.team {
            None => (RowFilter::Everything, me.to_vec()),
            Some(team) => {
                if session
                    .actor
                    .grants
                    .scope(RecordKind::Activity, Action::Read)
                    < Scope::Team
                {
                    return Err(AppError::Forbidden);
                }
                read_checked(&mut tx, session, RecordKind::Team, team, Action::Read).await?;
                let access =
                    filter_for(&mut tx, session, RecordKind::Activity, Action::Read).await?;
                (access, tx.team_members(team).await?)
            }
        };
        let rows = tx
            .records_where(&RecordsWhere {
                schema: &ACTIVITIES,
                access: &access,
                equals: vec![],
                people: Some(&members),
                date_between: Some(("due_date", from, to)),
                due_by: None,
                not_in: None,
                order_by: "due_at",
                limit: AGENDA_LIMIT,
            })
            .await?;
        let schema = session.schema(RecordKind::Activity);
        Ok((
            from,
            to,
            rows.into_iter().map(|r| view(session, schema, r)).collect(),
        ))
    }

    /// The signed-in user's reminders that are due: open activities they own or are assigned
    /// to whose reminder moment has come.
    pub async fn due_reminders(&self, session: &Session) -> AppResult<Vec<RecordView>> {
        let mut tx = self.store.read().await?;
        let me = [session.actor.user_id];
        let rows = tx
            .records_where(&RecordsWhere {
                schema: &ACTIVITIES,
                access: &RowFilter::Everything,
                equals: vec![],
                people: Some(&me),
                date_between: None,
                due_by: Some(("remind_at", self.now())),
                not_in: Some(("status", &["done", "cancelled"])),
                order_by: "remind_at",
                limit: REMINDER_LIMIT,
            })
            .await?;
        let schema = session.schema(RecordKind::Activity);
        Ok(rows.into_iter().map(|r| view(session, schema, r)).collect())
    }

    /// Done on time, done late, overdue and pending activities due between `from` and `to`, by
    /// person, team and branch, over the activities the signed-in user may read.
    pub async fn activity_report(
        &self,
        session: &Session,
        from: Date,
        to: Date,
    ) -> AppResult<ActivityReport> {
        if to < from {
            return Err(AppError::field(
                "to",
                peyvand_domain::validation::FieldError::INVALID,
            ));
        }
        let mut tx = self.store.read().await?;
        let access = filter_for(&mut tx, session, RecordKind::Activity, Action::Read).await?;
        if access == RowFilter::Nothing {
            return Err(AppError::Forbidden);
        }
        let rows = tx
            .records_where(&RecordsWhere {
                schema: &ACTIVITIES,
                access: &access,
                equals: vec![],
                people: None,
                date_between: Some(("due_date", from, to)),
                due_by: None,
                not_in: None,
                order_by: "due_date",
                limit: REPORT_LIMIT,
            })
            .await?;
        let team_of: BTreeMap<Uuid, Option<Uuid>> =
            tx.id_pairs("users", "team_id").await?.into_iter().collect();
        let now = self.now();
        let mut total = Tally::default();
        let mut people: BTreeMap<Option<Uuid>, Tally> = BTreeMap::new();
        let mut teams: BTreeMap<Option<Uuid>, Tally> = BTreeMap::new();
        let mut branches: BTreeMap<Option<Uuid>, Tally> = BTreeMap::new();
        for row in &rows {
            let state = activity::timeliness(
                row.fields
                    .get("status")
                    .and_then(Value::as_text)
                    .unwrap_or("open"),
                time_of(&row.fields, "due_at"),
                time_of(&row.fields, "completed_at"),
                now,
            );
            let owner = row.fields.get("owner_id").and_then(Value::as_id);
            let team = owner.and_then(|o| team_of.get(&o).copied().flatten());
            let branch = row.fields.get("branch_id").and_then(Value::as_id);
            total.add(state);
            people.entry(owner).or_default().add(state);
            teams.entry(team).or_default().add(state);
            branches.entry(branch).or_default().add(state);
        }
        let rows_of = |map: BTreeMap<Option<Uuid>, Tally>| {
            map.into_iter()
                .map(|(id, tally)| ReportRow {
                    id,
                    tally,
                    on_time_percent: tally.on_time_percent(),
                })
                .collect()
        };
        Ok(ActivityReport {
            from,
            to,
            total,
            by_person: rows_of(people),
            by_team: rows_of(teams),
            by_branch: rows_of(branches),
        })
    }
}
