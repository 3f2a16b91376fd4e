//! The pure part of an SLA sweep: the clock state of N open cases (first response and
//! resolution) against the working calendar, with due times computed as a create would. No
//! database: this is the arithmetic's share of the sweep that issue 5 asks to finish in ≤ 1 s
//! for a million open cases. Prints a table; see docs/benchmarks.md.
//!
//! Usage: cargo run --release -p peyvand-domain --example sla_bench -- [CASES]

use std::time::Instant;

use peyvand_domain::service::sla::{Targets, clock_state, due_times};
use peyvand_domain::service::working_time::WorkCalendar;
use time::Duration;
use time::macros::{date, datetime};

fn main() {
    let cases: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let calendar = WorkCalendar::iranian_default().with_holidays([
        date!(2026 - 03 - 21),
        date!(2026 - 03 - 22),
        date!(2026 - 04 - 01),
    ]);
    let targets = [(1, 8), (4, 16), (8, 40), (16, 80)];
    let start = datetime!(2026-03-01 08:00 +03:30);

    // Opening moments spread over a month, every 97 seconds or so, like a busy service desk.
    let opened: Vec<_> = (0..cases)
        .map(|i| start + Duration::seconds((i as i64 * 2_591) % (30 * 86_400)))
        .collect();

    let timer = Instant::now();
    let dues: Vec<_> = opened
        .iter()
        .enumerate()
        .map(|(i, at)| {
            let (first, resolution) = targets[i % 4];
            due_times(
                &calendar,
                *at,
                Targets {
                    first_response_hours: first,
                    resolution_hours: resolution,
                },
            )
        })
        .collect();
    let due_time = timer.elapsed();

    let now = datetime!(2026-03-31 12:00 +03:30);
    let timer = Instant::now();
    let mut breached = 0usize;
    for (first, resolution) in &dues {
        for due in [first, resolution].into_iter().flatten() {
            if clock_state(&calendar, *due, None, now).is_breach() {
                breached += 1;
            }
        }
    }
    let sweep_time = timer.elapsed();
    println!("| step | cases | time |");
    println!("|---|---|---|");
    println!(
        "| due times at create (both clocks) | {cases} | {:.0} ms |",
        due_time.as_secs_f64() * 1e3
    );
    println!(
        "| clock states at one moment (both clocks) | {cases} | {:.0} ms |",
        sweep_time.as_secs_f64() * 1e3
    );
    println!("breached clocks: {breached}");
}
