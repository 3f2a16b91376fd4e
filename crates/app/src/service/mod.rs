//! Activities and customer service (issue 5): the rules that run inside the generic record
//! writes (defaults, checks, case numbers, routing, SLA clocks, derived activity times) and the
//! use cases only these kinds have (case status changes, notes and replies, reassignment,
//! activity people, the agenda, reminders and the activity report).
//!
//! Customers hear about their cases (`notices`) when a case is created (`rules::on_create`),
//! answered and closed (`cases`). Surveys, the portal and service reports (later parts of
//! issue 5) hook in at the same places.

mod activities;
mod cases;
mod demo;
mod escalation;
mod notices;
mod product_words;
mod reminders;
mod report;
mod rules;
mod setup;
mod surveys;

pub(crate) use activities::activity_timeline_entries;
pub use activities::{ActivityPeople, ActivityReport, AgendaQuery, Attendee, ReportRow};
pub(crate) use cases::transition_in;
pub use cases::{AppliedTarget, CaseEntry, CaseSla, SlaClock};
pub(crate) use product_words::{
    after_product_update, before_product_delete, fill as fill_product_words,
};
pub use report::{AgentRow, Count, MonthCount, ServiceReport};
pub(crate) use rules::{apply_defaults, check_classes, check_rules, on_create, on_update};
pub use surveys::{SurveyForm, SurveyView};
