//! Web pages of activities and customer service (issue 5): the agenda (day, week, month; own or
//! team), due reminders, the activity report, and the panels on case and activity pages (status
//! changes, notes and replies, reassignment, service-level clocks, the people of an activity).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use peyvand_app::service::{
    ActivityPeople, AgendaQuery, AppliedTarget, Attendee, CaseSla, SlaClock,
};
use peyvand_app::{AppError, RecordView, Session};
use peyvand_domain::calendar::format_date;
use peyvand_domain::permission::{Action, RecordKind, Scope};
use peyvand_domain::service::activity::Span;
use peyvand_domain::service::case_flow::CaseStatus;
use serde::Deserialize;
use uuid::Uuid;

use super::form::WebForm;
use super::format::{Fmt, load_titles};
use super::guard::WebSession;
use super::options::{Opt, record_choices};
use super::page::{Layout, WebResult, may, render, see_other};
use super::parse_id;
use crate::AppState;
use crate::api::service::query_date;

/// An activity as a line of the agenda or the reminders.
#[derive(Debug, Clone)]
pub struct AgendaItem {
    /// Its page.
    pub href: String,
    /// Subject.
    pub subject: String,
    /// Type and status, translated.
    pub kind: String,
    /// Status, translated.
    pub status: String,
    /// Due moment, formatted.
    pub due: String,
    /// Owner's name.
    pub owner: String,
    /// Whether it is past due and not done.
    pub overdue: bool,
}

/// A day of the agenda with its activities.
#[derive(Debug, Clone)]
pub struct AgendaDay {
    /// The day, formatted.
    pub label: String,
    /// Its activities, by due time.
    pub items: Vec<AgendaItem>,
}

/// The agenda page.
#[derive(Template)]
#[template(path = "agenda.html")]
pub struct AgendaTemplate {
    /// Frame.
    pub l: Layout,
    /// Heading.
    pub heading: String,
    /// The period, formatted.
    pub period: String,
    /// Links to the spans, previous, today and next, as (label, href, current).
    pub links: Vec<(String, String, bool)>,
    /// Days with activities.
    pub days: Vec<AgendaDay>,
    /// Due reminders of the signed-in user (own agenda only).
    pub reminders: Vec<AgendaItem>,
    /// Whether reminders are shown (own agenda).
    pub own: bool,
    /// Teams the user may view, for managers.
    pub teams: Vec<Opt>,
    /// The span code, kept by the team form.
    pub span: String,
    /// The day, kept by the team form.
    pub date: String,
    /// Where a new activity is created, when allowed.
    pub new_href: Option<String>,
}

/// Query of the agenda page.
#[derive(Deserialize)]
pub struct AgendaParams {
    span: Option<String>,
    date: Option<String>,
    team_id: Option<String>,
}

async fn agenda_items(
    state: &AppState,
    session: &Session,
    views: &[RecordView],
) -> Vec<AgendaItem> {
    let fmt = Fmt::of(session);
    let owners = load_titles(
        &state.app,
        session,
        views
            .iter()
            .filter_map(|v| v.placement.owner_id.map(|o| (RecordKind::User, o))),
    )
    .await;
    let now = state.app.now();
    views
        .iter()
        .map(|view| {
            let due = match view.get("due_at") {
                peyvand_domain::record::Value::Time(at) => Some(*at),
                _ => None,
            };
            let status = view.get("status").as_text().unwrap_or("open");
            AgendaItem {
                href: format!("/activities/{}", view.id),
                subject: view.title.clone(),
                kind: fmt.choice(view.get("activity_type").as_text().unwrap_or("task")),
                status: fmt.choice(status),
                due: due.map(|d| fmt.datetime(d)).unwrap_or_default(),
                owner: view
                    .placement
                    .owner_id
                    .and_then(|o| owners.get(&(RecordKind::User, o)).cloned())
                    .unwrap_or_default(),
                overdue: due.is_some_and(|d| d < now) && !matches!(status, "done" | "cancelled"),
            }
        })
        .collect()
}

/// `GET /agenda`: the signed-in user's activities (or a team's) for a day, week or month.
pub async fn agenda(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Query(params): Query<AgendaParams>,
) -> WebResult<Response> {
    let fmt = Fmt::of(&session);
    let team = match params.team_id.as_deref().filter(|s| !s.is_empty()) {
        Some(raw) => Some(parse_id(raw)?),
        None => None,
    };
    let span = Span::parse(params.span.as_deref().unwrap_or("week"));
    let day = query_date(&session, state.app.now(), "date", params.date.as_deref())?;
    let (from, to, views) = state
        .app
        .agenda(&session, AgendaQuery { team, span, day })
        .await?;
    let items = agenda_items(&state, &session, &views).await;
    let mut days: Vec<AgendaDay> = Vec::new();
    for (view, item) in views.iter().zip(items) {
        let label = match view.get("due_date") {
            peyvand_domain::record::Value::Date(d) => format_date(*d, fmt.calendar, fmt.locale),
            _ => String::new(),
        };
        match days.last_mut() {
            Some(last) if last.label == label => last.items.push(item),
            _ => days.push(AgendaDay {
                label,
                items: vec![item],
            }),
        }
    }
    let team_part = team.map(|t| format!("&team_id={t}")).unwrap_or_default();
    let link =
        |span: Span, day: time::Date| format!("/agenda?span={}&date={day}{team_part}", span.code());
    let before = from.previous_day().unwrap_or(from);
    let after = to.next_day().unwrap_or(to);
    let today = query_date(&session, state.app.now(), "date", None)?;
    let l = Layout::new(
        &session,
        crate::i18n::t(session.locale, "agenda-title"),
        "agenda",
    );
    let mut links = vec![
        (l.t("agenda-day"), link(Span::Day, day), span == Span::Day),
        (
            l.t("agenda-week"),
            link(Span::Week, day),
            span == Span::Week,
        ),
        (
            l.t("agenda-month"),
            link(Span::Month, day),
            span == Span::Month,
        ),
        (l.t("agenda-previous"), link(span, before), false),
        (l.t("agenda-today"), link(span, today), false),
        (l.t("agenda-next"), link(span, after), false),
    ];
    if team.is_some() {
        links.push((
            l.t("agenda-mine"),
            format!("/agenda?span={}&date={day}", span.code()),
            false,
        ));
    }
    let manager = session
        .actor
        .grants
        .scope(RecordKind::Activity, Action::Read)
        >= Scope::Team;
    let teams = if manager {
        record_choices(&state.app, &session, RecordKind::Team)
            .await
            .into_iter()
            .map(|(id, label)| Opt {
                value: id.to_string(),
                label,
                selected: Some(id) == team,
            })
            .collect()
    } else {
        Vec::new()
    };
    let reminders = if team.is_none() {
        let due = state.app.due_reminders(&session).await?;
        agenda_items(&state, &session, &due).await
    } else {
        Vec::new()
    };
    let period = crate::i18n::t_args(
        session.locale,
        "agenda-period",
        &[
            ("from", format_date(from, fmt.calendar, fmt.locale)),
            ("to", format_date(to, fmt.calendar, fmt.locale)),
        ],
    );
    Ok(render(&AgendaTemplate {
        heading: l.t(if team.is_some() {
            "agenda-team-title"
        } else {
            "agenda-title"
        }),
        period,
        links,
        days,
        reminders,
        own: team.is_none(),
        teams,
        span: span.code().into(),
        date: day.to_string(),
        new_href: may(&session, RecordKind::Activity, Action::Create)
            .then(|| "/activities/new".into()),
        l,
    }))
}

/// One row of the activity report as shown.
#[derive(Debug, Clone)]
pub struct ReportLine {
    /// Person, team or branch.
    pub name: String,
    /// The counts, formatted: total, on time, late, overdue, pending, percent.
    pub cells: Vec<String>,
}

/// The activity report page.
#[derive(Template)]
#[template(path = "activity_report.html")]
pub struct ReportTemplate {
    /// Frame.
    pub l: Layout,
    /// The period, formatted.
    pub period: String,
    /// Raw dates for the form.
    pub from: String,
    /// Raw dates for the form.
    pub to: String,
    /// Sections: heading and rows.
    pub sections: Vec<(String, Vec<ReportLine>)>,
}

/// Query of the report page.
#[derive(Deserialize)]
pub struct ReportParams {
    pub(crate) from: Option<String>,
    pub(crate) to: Option<String>,
}

/// `GET /reports/activities`.
pub async fn activity_report(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Query(params): Query<ReportParams>,
) -> WebResult<Response> {
    let fmt = Fmt::of(&session);
    let now = state.app.now();
    let to = query_date(&session, now, "to", params.to.as_deref())?;
    let from = match params.from.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(raw) => query_date(&session, now, "from", Some(raw))?,
        None => to - time::Duration::days(30),
    };
    let report = state.app.activity_report(&session, from, to).await?;
    let mut refs = Vec::new();
    for (kind, rows) in [
        (RecordKind::User, &report.by_person),
        (RecordKind::Team, &report.by_team),
        (RecordKind::Branch, &report.by_branch),
    ] {
        refs.extend(rows.iter().filter_map(|r| r.id.map(|id| (kind, id))));
    }
    let titles = load_titles(&state.app, &session, refs).await;
    let l = Layout::new(
        &session,
        crate::i18n::t(session.locale, "report-activities-title"),
        "agenda",
    );
    let line = |kind: RecordKind, row: &peyvand_app::service::ReportRow| ReportLine {
        name: row
            .id
            .and_then(|id| titles.get(&(kind, id)).cloned())
            .unwrap_or_else(|| l.t("report-none")),
        cells: [
            row.tally.total,
            row.tally.done_on_time,
            row.tally.done_late,
            row.tally.overdue,
            row.tally.pending,
        ]
        .iter()
        .map(|n| fmt.integer(i64::try_from(*n).unwrap_or(i64::MAX)))
        .chain([row
            .on_time_percent
            .map(|p| fmt.digits(&format!("{p}%")))
            .unwrap_or_default()])
        .collect(),
    };
    let sections = vec![
        (
            l.t("report-by-person"),
            report
                .by_person
                .iter()
                .map(|r| line(RecordKind::User, r))
                .collect(),
        ),
        (
            l.t("report-by-team"),
            report
                .by_team
                .iter()
                .map(|r| line(RecordKind::Team, r))
                .collect(),
        ),
        (
            l.t("report-by-branch"),
            report
                .by_branch
                .iter()
                .map(|r| line(RecordKind::Branch, r))
                .collect(),
        ),
    ];
    let period = crate::i18n::t_args(
        session.locale,
        "agenda-period",
        &[
            ("from", format_date(from, fmt.calendar, fmt.locale)),
            ("to", format_date(to, fmt.calendar, fmt.locale)),
        ],
    );
    Ok(render(&ReportTemplate {
        period,
        from: from.to_string(),
        to: to.to_string(),
        sections,
        l,
    }))
}

/// An entry of a case as shown.
#[derive(Debug, Clone)]
pub struct EntryItem {
    /// Internal note or reply, translated.
    pub kind: String,
    /// Whether it went to the customer.
    pub reply: bool,
    /// Text.
    pub body: String,
    /// Author and moment.
    pub byline: String,
}

/// The panel on case and activity pages.
#[derive(Template)]
#[template(path = "service_panel.html")]
pub struct PanelTemplate {
    /// Frame (for translations and the CSRF token).
    pub l: Layout,
    /// Case: its attachments as (id, name, size and moment).
    pub attachments: Vec<(uuid::Uuid, String, String)>,
    /// The record's base path.
    pub base: String,
    /// Case: the statuses it may move to, as (code, label).
    pub moves: Vec<(String, String)>,
    /// Case: whether the user may change it.
    pub case_editable: bool,
    /// Case: whether this is a case page.
    pub is_case: bool,
    /// Case: entries.
    pub entries: Vec<EntryItem>,
    /// Case: service-level lines, translated.
    pub sla: Vec<String>,
    /// Case: users to reassign to.
    pub users: Vec<Opt>,
    /// Activity: whether this is an activity page.
    pub is_activity: bool,
    /// Activity: assignee names.
    pub assignees: Vec<String>,
    /// Activity: attendee names.
    pub attendees: Vec<String>,
    /// Activity: users to pick as assignees (selected ones marked).
    pub assignee_options: Vec<Opt>,
    /// Activity: the free-text attendees, one per line.
    pub attendee_names: String,
    /// Activity: whether the user may change it.
    pub activity_editable: bool,
}

fn clock_line(fmt: &Fmt, label: String, clock: &Option<SlaClock>) -> Option<String> {
    let clock = clock.as_ref()?;
    let hours = |minutes: i64| fmt.digits(&format!("{:.1}", minutes.abs() as f64 / 60.0));
    let state = match (clock.state, clock.working_minutes_left) {
        ("running", Some(m)) => {
            crate::i18n::t_args(fmt.locale, "sla-running", &[("hours", hours(m))])
        }
        ("breached", Some(m)) => {
            crate::i18n::t_args(fmt.locale, "sla-breached", &[("hours", hours(m))])
        }
        ("paused", Some(m)) => {
            crate::i18n::t_args(fmt.locale, "sla-paused", &[("hours", hours(m))])
        }
        (code, _) => crate::i18n::t(fmt.locale, &format!("sla-{code}")),
    };
    let due = crate::i18n::t_args(fmt.locale, "sla-due", &[("when", fmt.datetime(clock.due))]);
    Some(format!("{label}: {state} ({due})"))
}

/// Which service-level target a case's clocks follow: its priority and, for an override, the
/// customer class, with its hours.
fn target_line(fmt: &Fmt, target: &AppliedTarget) -> String {
    let priority = fmt.choice(&target.priority);
    let which = match &target.customer_class {
        Some(class) => crate::i18n::t_args(
            fmt.locale,
            "case-sla-target-class",
            &[("priority", priority), ("class", class.clone())],
        ),
        None => crate::i18n::t_args(
            fmt.locale,
            "case-sla-target-priority",
            &[("priority", priority)],
        ),
    };
    crate::i18n::t_args(
        fmt.locale,
        "case-sla-target",
        &[
            ("target", which),
            ("first", fmt.integer(target.first_response_hours)),
            ("resolution", fmt.integer(target.resolution_hours)),
        ],
    )
}

/// The panel of a case or activity page, rendered; empty for other kinds.
pub async fn record_panel(
    state: &AppState,
    session: &Session,
    view: &RecordView,
) -> WebResult<String> {
    let fmt = Fmt::of(session);
    let base = format!(
        "/{}/{}",
        peyvand_domain::record::schema(view.kind).path,
        view.id
    );
    let l = Layout::new(session, String::new(), "");
    let mut panel = PanelTemplate {
        l,
        attachments: vec![],
        base,
        moves: vec![],
        case_editable: false,
        is_case: false,
        entries: vec![],
        sla: vec![],
        users: vec![],
        is_activity: false,
        assignees: vec![],
        attendees: vec![],
        assignee_options: vec![],
        attendee_names: String::new(),
        activity_editable: false,
    };
    let users = || record_choices(&state.app, session, RecordKind::User);
    match view.kind {
        RecordKind::Case => {
            panel.is_case = true;
            panel.case_editable = may(session, RecordKind::Case, Action::Update);
            if let Some(status) = view.get("status").as_text().and_then(CaseStatus::parse) {
                panel.moves = status
                    .next()
                    .iter()
                    .map(|s| (s.code().to_owned(), fmt.choice(s.code())))
                    .collect();
            }
            panel.attachments = state
                .app
                .case_attachments(session, view.id)
                .await?
                .into_iter()
                .map(|a| {
                    let size = fmt.integer((a.size + 1023) / 1024);
                    (
                        a.id,
                        a.file_name,
                        format!("{size} KB · {}", fmt.datetime(a.created_at)),
                    )
                })
                .collect();
            let entries = state.app.case_entries(session, view.id).await?;
            let authors = load_titles(
                &state.app,
                session,
                entries
                    .iter()
                    .filter_map(|e| e.author_id.map(|a| (RecordKind::User, a))),
            )
            .await;
            panel.entries = entries
                .into_iter()
                .map(|e| EntryItem {
                    kind: panel.l.t(match e.kind {
                        "reply" => "case-entry-reply",
                        "customer" => "case-entry-customer",
                        _ => "case-entry-internal",
                    }),
                    reply: e.kind != "internal_note",
                    byline: format!(
                        "{} · {}",
                        e.author_id
                            .and_then(|a| authors.get(&(RecordKind::User, a)).cloned())
                            .unwrap_or_default(),
                        fmt.datetime(e.created_at)
                    ),
                    body: e.body,
                })
                .collect();
            let CaseSla {
                first_response,
                resolution,
                target,
                ..
            } = state.app.case_sla(session, view.id).await?;
            panel.sla = [
                clock_line(&fmt, panel.l.t("case-sla-first-response"), &first_response),
                clock_line(&fmt, panel.l.t("case-sla-resolution"), &resolution),
                target.as_ref().map(|t| target_line(&fmt, t)),
            ]
            .into_iter()
            .flatten()
            .collect();
            if panel.case_editable {
                let owner = view.placement.owner_id;
                panel.users = users()
                    .await
                    .into_iter()
                    .map(|(id, label)| Opt {
                        value: id.to_string(),
                        label,
                        selected: Some(id) == owner,
                    })
                    .collect();
            }
        }
        RecordKind::Activity => {
            panel.is_activity = true;
            panel.activity_editable = may(session, RecordKind::Activity, Action::Update);
            let people = state.app.activity_people(session, view.id).await?;
            let mut refs: Vec<(RecordKind, Uuid)> = people
                .assignees
                .iter()
                .map(|u| (RecordKind::User, *u))
                .collect();
            for a in &people.attendees {
                refs.extend(a.user_id.map(|u| (RecordKind::User, u)));
                refs.extend(a.contact_id.map(|c| (RecordKind::Contact, c)));
            }
            let titles = load_titles(&state.app, session, refs).await;
            let name = |kind, id: &Uuid| titles.get(&(kind, *id)).cloned().unwrap_or_default();
            panel.assignees = people
                .assignees
                .iter()
                .map(|u| name(RecordKind::User, u))
                .collect();
            panel.attendees = people
                .attendees
                .iter()
                .map(|a| match (a.user_id, a.contact_id, &a.name) {
                    (Some(u), _, _) => name(RecordKind::User, &u),
                    (_, Some(c), _) => name(RecordKind::Contact, &c),
                    (_, _, n) => n.clone().unwrap_or_default(),
                })
                .collect();
            panel.attendee_names = people
                .attendees
                .iter()
                .filter_map(|a| a.name.clone())
                .collect::<Vec<_>>()
                .join("\n");
            if panel.activity_editable {
                panel.assignee_options = users()
                    .await
                    .into_iter()
                    .map(|(id, label)| Opt {
                        value: id.to_string(),
                        label,
                        selected: people.assignees.contains(&id),
                    })
                    .collect();
            }
        }
        _ => return Ok(String::new()),
    }
    panel
        .render()
        .map_err(|e| super::page::WebError(AppError::Internal(format!("panel: {e}"))))
}

/// `POST /cases/{id}/transition` with `status`.
pub async fn case_transition(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Path(id): Path<String>,
    form: WebForm,
) -> WebResult {
    let id = parse_id(&id)?;
    state
        .app
        .case_transition(&session, id, form.get("status").unwrap_or_default())
        .await?;
    Ok(see_other(&format!("/cases/{id}")))
}

/// `POST /cases/{id}/entries` with `kind` and `body`.
pub async fn case_entry(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Path(id): Path<String>,
    form: WebForm,
) -> WebResult {
    let id = parse_id(&id)?;
    state
        .app
        .add_case_entry(
            &session,
            id,
            form.get("kind").unwrap_or_default(),
            form.get("body").unwrap_or_default(),
        )
        .await?;
    Ok(see_other(&format!("/cases/{id}#entries")))
}

/// `POST /cases/{id}/reassign` with `owner_id`.
pub async fn case_reassign(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Path(id): Path<String>,
    form: WebForm,
) -> WebResult {
    let id = parse_id(&id)?;
    let owner = parse_id(form.get("owner_id").unwrap_or_default())?;
    let current = state.app.get(&session, RecordKind::Case, id).await?;
    let team = current.get("team_id").as_id();
    state.app.reassign_case(&session, id, owner, team).await?;
    Ok(see_other(&format!("/cases/{id}")))
}

/// `POST /activities/{id}/people` with `assignees` (repeated) and `attendee_names` (lines).
/// Attendees who are users or contacts are kept as they were.
pub async fn activity_people(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Path(id): Path<String>,
    form: WebForm,
) -> WebResult {
    let id = parse_id(&id)?;
    let current = state.app.activity_people(&session, id).await?;
    let assignees = form
        .all("assignees")
        .into_iter()
        .filter_map(|raw| Uuid::parse_str(raw).ok())
        .collect();
    let mut attendees: Vec<Attendee> = current
        .attendees
        .into_iter()
        .filter(|a| a.name.is_none())
        .collect();
    attendees.extend(
        form.get("attendee_names")
            .unwrap_or_default()
            .lines()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(|n| Attendee {
                name: Some(n.to_owned()),
                ..Attendee::default()
            }),
    );
    state
        .app
        .set_activity_people(
            &session,
            id,
            &ActivityPeople {
                assignees,
                attendees,
            },
        )
        .await?;
    Ok(see_other(&format!("/activities/{id}")))
}

/// `POST /contacts/{id}/portal-access` with `password`: gives the contact portal access (or a
/// new password).
pub async fn portal_access(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Path(id): Path<String>,
    form: WebForm,
) -> WebResult {
    let id = parse_id(&id)?;
    state
        .app
        .grant_portal_access(&session, id, form.get("password").unwrap_or_default())
        .await?;
    Ok(see_other(&format!("/contacts/{id}#portal")))
}

/// `POST /cases/{id}/attachments?_csrf=…` (multipart, `file`): attaches a file to the case.
pub async fn case_attach(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Path(id): Path<String>,
    mut multipart: axum::extract::Multipart,
) -> WebResult {
    let id = parse_id(&id)?;
    let mut file = None;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| AppError::BadRequest("multipart"))?
    {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or_default().to_owned();
            let bytes = field
                .bytes()
                .await
                .map_err(|_| AppError::BadRequest("multipart"))?;
            file = Some((name, bytes.to_vec()));
        }
    }
    let (name, bytes) = file.unwrap_or_default();
    state.app.attach_to_case(&session, id, &name, bytes).await?;
    Ok(see_other(&format!("/cases/{id}#attachments")))
}
