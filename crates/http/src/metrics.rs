//! Request counters in the Prometheus text format, kept in atomics (no registry crate needed
//! for a handful of series).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::AppState;

/// Upper bounds of the latency histogram, in seconds.
const BUCKETS: [f64; 8] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 0.5, 2.5];

/// The SQLite writer's counters: how many transactions it ran and how many write jobs they held
/// (their ratio is the size of a group commit), and a histogram of the transactions' durations.
pub(crate) fn render_writer_stats(stats: &peyvand_app::WriterStats) -> String {
    let (batches, jobs) = (stats.batches, stats.jobs);
    let mut out = format!(
        "# HELP peyvand_writer_batches_total Transactions of the SQLite group-commit writer.\n\
         # TYPE peyvand_writer_batches_total counter\n\
         peyvand_writer_batches_total {batches}\n\
         # HELP peyvand_writer_jobs_total Write jobs in those transactions.\n\
         # TYPE peyvand_writer_jobs_total counter\n\
         peyvand_writer_jobs_total {jobs}\n"
    );
    push_histogram(
        &mut out,
        "peyvand_writer_batch_duration_seconds",
        "Time the writer's transactions took.",
        stats.within.iter().copied(),
        (batches, stats.busy_seconds),
    );
    out
}

/// Appends a histogram in the exposition format: its cumulative `buckets` as (upper bound,
/// observations at most that), then the (count, sum) of every observation.
fn push_histogram(
    out: &mut String,
    name: &str,
    help: &str,
    buckets: impl Iterator<Item = (f64, u64)>,
    (count, sum): (u64, f64),
) {
    out.push_str(&format!("# HELP {name} {help}\n# TYPE {name} histogram\n"));
    for (bound, within) in buckets {
        out.push_str(&format!("{name}_bucket{{le=\"{bound}\"}} {within}\n"));
    }
    out.push_str(&format!(
        "{name}_bucket{{le=\"+Inf\"}} {count}\n{name}_sum {sum}\n{name}_count {count}\n"
    ));
}

/// Counters of answered requests.
#[derive(Debug, Default)]
pub struct Metrics {
    by_class: [AtomicU64; 5],
    buckets: [AtomicU64; 8],
    total_micros: AtomicU64,
    in_flight: AtomicU64,
}

impl Metrics {
    fn observe(&self, status: u16, seconds: f64) {
        let class = usize::from(status / 100).clamp(1, 5) - 1;
        self.by_class[class].fetch_add(1, Ordering::Relaxed);
        for (bucket, bound) in self.buckets.iter().zip(BUCKETS) {
            if seconds <= bound {
                bucket.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.total_micros
            .fetch_add((seconds * 1e6) as u64, Ordering::Relaxed);
    }

    /// The exposition text.
    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str(
            "# HELP peyvand_http_requests_total HTTP requests answered, by status class.\n",
        );
        out.push_str("# TYPE peyvand_http_requests_total counter\n");
        let mut count = 0;
        for (i, counter) in self.by_class.iter().enumerate() {
            let n = counter.load(Ordering::Relaxed);
            count += n;
            out.push_str(&format!(
                "peyvand_http_requests_total{{class=\"{}xx\"}} {n}\n",
                i + 1
            ));
        }
        let sum = self.total_micros.load(Ordering::Relaxed) as f64 / 1e6;
        push_histogram(
            &mut out,
            "peyvand_http_request_duration_seconds",
            "Time to answer HTTP requests.",
            BUCKETS
                .into_iter()
                .zip(self.buckets.iter().map(|b| b.load(Ordering::Relaxed))),
            (count, sum),
        );
        out.push_str("# HELP peyvand_http_requests_in_flight Requests being answered now.\n");
        out.push_str("# TYPE peyvand_http_requests_in_flight gauge\n");
        out.push_str(&format!(
            "peyvand_http_requests_in_flight {}\n",
            self.in_flight.load(Ordering::Relaxed)
        ));
        out
    }
}

/// Counts and times every request.
pub async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    state.metrics.in_flight.fetch_add(1, Ordering::Relaxed);
    let response = next.run(request).await;
    state.metrics.in_flight.fetch_sub(1, Ordering::Relaxed);
    state
        .metrics
        .observe(response.status().as_u16(), started.elapsed().as_secs_f64());
    response
}
