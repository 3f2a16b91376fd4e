//! `peyvand bench classes`: recomputing customer classes over a large database (issue 4 §8),
//! and what requests meanwhile wait. Expects customers (`peyvand demo --contacts N`); adds
//! generated invoices once.

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use peyvand_app::App;
use peyvand_domain::classes::{ClassDef, Criterion, Method, Period, Scheme};
use peyvand_domain::permission::RecordKind;
use peyvand_domain::record::Input;
use peyvand_store::Store;

fn app_error(error: peyvand_app::AppError) -> anyhow::Error {
    anyhow::anyhow!("{error}")
}

fn scheme(criterion: Criterion) -> Scheme {
    let class = |name: &str, share| ClassDef {
        name: name.into(),
        share_bp: Some(share),
        min: None,
        industries: vec![],
        offer: String::new(),
    };
    Scheme {
        criterion,
        period: Period::LastDays { days: 365 },
        method: Method::Shares,
        classes: vec![class("A", 2_000), class("B", 3_000), class("C", 5_000)],
        nightly: true,
    }
}

/// The 50th and 99th percentiles and the maximum of some durations, in milliseconds.
fn percentiles(mut samples: Vec<Duration>) -> String {
    if samples.is_empty() {
        return "—".into();
    }
    samples.sort();
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q) as usize].as_secs_f64() * 1000.0;
    format!(
        "{} requests: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        samples.len(),
        at(0.5),
        at(0.99),
        at(1.0)
    )
}

/// Lists a page of contacts and creates an account over and over until `stop` is set;
/// returns the latencies of both.
async fn probe(
    app: App,
    admin: std::sync::Arc<peyvand_app::Session>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> (Vec<Duration>, Vec<Duration>) {
    let (mut reads, mut writes) = (Vec::new(), Vec::new());
    let mut i = 0;
    while !*stop.borrow() {
        let started = Instant::now();
        let _ = app
            .list(&admin, RecordKind::Contact, &Default::default())
            .await;
        reads.push(started.elapsed());
        let fields = [("name".to_owned(), Input::Text(format!("bench {i}")))]
            .into_iter()
            .collect();
        let started = Instant::now();
        let _ = app
            .create(
                &admin,
                RecordKind::Account,
                &fields,
                peyvand_domain::calendar::CalendarKind::Gregorian,
            )
            .await;
        writes.push(started.elapsed());
        i += 1;
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_millis(20)) => {}
            _ = stop.changed() => {}
        }
    }
    (reads, writes)
}

/// Runs one recompute through the job queue while a probe lists and creates records; returns
/// the run, its time and the probe's latencies.
async fn timed_run(
    app: &App,
    admin: &std::sync::Arc<peyvand_app::Session>,
) -> Result<(peyvand_app::classes::RunView, Duration, String, String)> {
    let run = app.request_classification(admin).await.map_err(app_error)?;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let probing = tokio::spawn(probe(app.clone(), admin.clone(), stopped));
    let started = Instant::now();
    let (_keep, worker_stop) = tokio::sync::watch::channel(false);
    app.run_due_jobs(&worker_stop).await.map_err(app_error)?;
    let took = started.elapsed();
    let _ = stop.send(true);
    let (reads, writes) = probing.await?;
    let run = app
        .classification_run(admin, run.id)
        .await
        .map_err(app_error)?;
    Ok((run, took, percentiles(reads), percentiles(writes)))
}

/// Runs the benchmark and prints a table.
pub async fn run(database: &str, invoices: usize, lines: usize) -> Result<()> {
    let store = Store::connect(database)
        .await
        .context("opening the database")?;
    store.migrate().await.context("migrating")?;
    let app = App::new(store);
    let admin = app
        .find_id(RecordKind::User, "email", "admin@peyvand.demo")
        .await
        .map_err(app_error)?
        .context("run `peyvand demo --contacts N --no-serve` first")?;
    let admin = std::sync::Arc::new(app.session_for_user(admin).await.map_err(app_error)?);
    let seeded = app
        .find_id(RecordKind::Invoice, "number", "BENCH-00000000")
        .await
        .map_err(app_error)?
        .is_some();
    let started = Instant::now();
    let customers = if seeded {
        0
    } else {
        app.seed_purchases_bulk(invoices, lines)
            .await
            .map_err(app_error)?
    };
    let seeding = started.elapsed();
    println!("| measure | customers | changed | time | during the run |");
    println!("|---|---|---|---|---|");
    if !seeded {
        println!(
            "| generating {invoices} invoices × {lines} lines | {customers} | — | {:.1} s | — |",
            seeding.as_secs_f64()
        );
    }
    for (label, criterion) in [
        ("recompute by purchase amount", Criterion::PurchaseAmount),
        ("again, nothing changes", Criterion::PurchaseAmount),
        ("recompute by margin", Criterion::Margin),
        ("recompute by purchase count", Criterion::PurchaseCount),
    ] {
        app.set_classification_scheme(&admin, scheme(criterion))
            .await
            .map_err(app_error)?;
        let (run, took, reads, writes) = timed_run(&app, &admin).await?;
        anyhow::ensure!(run.state == "done", "the run failed: {:?}", run.error);
        println!(
            "| {label} | {} | {} | {:.1} s | list {reads}; create {writes} |",
            run.total,
            run.changed,
            took.as_secs_f64()
        );
    }
    app.close().await;
    Ok(())
}
