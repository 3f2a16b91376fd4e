//! Pure rules of activities and customer service (issue 5): working-time arithmetic for
//! service-level clocks, the case status machine, routing of new cases and activity times.
//!
//! Like the rest of the domain, nothing here reads the clock or a database: callers pass the
//! current moment, the rules, the team members and their loads.

pub mod activity;
pub mod case_flow;
pub mod notice_templates;
pub mod notices;
pub mod opening_hours;
pub mod routing;
pub mod sla;
pub mod working_time;

/// The organisation's local time: Iran Standard Time, UTC+03:30 all year (daylight saving time
/// was abolished in 2022). Working hours, due times and agenda days are reckoned in it.
pub const LOCAL_OFFSET: time::UtcOffset = match time::UtcOffset::from_hms(3, 30, 0) {
    Ok(offset) => offset,
    Err(_) => panic!("a valid offset"),
};
