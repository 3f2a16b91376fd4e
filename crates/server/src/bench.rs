//! `peyvand bench …`: measurements that need the application's internals, printed as a table
//! (the HTTP benchmarks live in `bench/*.sh`).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Subcommand;
use peyvand_app::App;
use peyvand_app::notify::{SmsContent, SmsMessage, SmsSender, SmsSettings};
use peyvand_channels::HttpSms;

/// Benchmarks.
#[derive(Subcommand)]
pub enum BenchCommand {
    /// SMS through the job queue against a local fake gateway, compared with sending the same
    /// messages straight to the gateway: the difference is the queue's own cost.
    Sms {
        /// The database URL (a fresh SQLite file is best).
        #[arg(long, env = "PEYVAND_DATABASE_URL")]
        database: String,
        /// How many messages.
        #[arg(long, default_value_t = 100_000)]
        messages: usize,
    },
    /// The service-level sweep over many open cases, of which some have just run out.
    Sla {
        /// The database URL (a fresh SQLite file is best).
        #[arg(long, env = "PEYVAND_DATABASE_URL")]
        database: String,
        /// How many open cases.
        #[arg(long, default_value_t = 1_000_000)]
        cases: usize,
        /// How many of them have run out since the last sweep.
        #[arg(long, default_value_t = 1_000)]
        breached: usize,
    },
    /// Recomputing customer classes (issue 4 §8) over the customers of a demo database, with
    /// generated invoices, and the latency of requests meanwhile.
    Classes {
        /// The database URL, seeded with `peyvand demo --contacts N --no-serve`.
        #[arg(long, env = "PEYVAND_DATABASE_URL")]
        database: String,
        /// How many invoices to generate (once per database).
        #[arg(long, default_value_t = 1_000_000)]
        invoices: usize,
        /// Lines per invoice.
        #[arg(long, default_value_t = 2)]
        lines: usize,
    },
    /// Fills a fresh database with customers and paid invoices for the analytics benchmark
    /// (bench/insights.sh).
    InsightsSeed {
        /// The database URL.
        #[arg(long, env = "PEYVAND_DATABASE_URL")]
        database: String,
        /// How many customers.
        #[arg(long, default_value_t = 1_000_000)]
        customers: usize,
        /// How many orders (paid invoices).
        #[arg(long, default_value_t = 10_000_000)]
        orders: usize,
        /// How many of the orders get one line (for the basket and margins).
        #[arg(long, default_value_t = 0)]
        lines: usize,
    },
    /// RFM from the database's own invoices, written as CSV like `peyvand analytics rfm`.
    InsightsRfm {
        /// The database URL.
        #[arg(long, env = "PEYVAND_DATABASE_URL")]
        database: String,
        /// The day the scores are as of (ISO).
        #[arg(long)]
        as_of: String,
        /// Where to write the scores.
        #[arg(long)]
        output: String,
    },
    /// Writes the database's orders as CSV `customer_id,order_date,amount`.
    InsightsExport {
        /// The database URL.
        #[arg(long, env = "PEYVAND_DATABASE_URL")]
        database: String,
        /// Where to write them.
        #[arg(long)]
        output: String,
    },
    /// Runs the whole recomputation job once, as the worker does.
    InsightsRun {
        /// The database URL.
        #[arg(long, env = "PEYVAND_DATABASE_URL")]
        database: String,
    },
}

/// Runs a benchmark command.
pub async fn run(command: BenchCommand) -> Result<()> {
    match command {
        BenchCommand::Sms { database, messages } => sms(&database, messages).await,
        BenchCommand::Sla {
            database,
            cases,
            breached,
        } => crate::bench_sla::run(&database, cases, breached).await,
        BenchCommand::Classes {
            database,
            invoices,
            lines,
        } => crate::bench_classes::run(&database, invoices, lines).await,
        BenchCommand::InsightsSeed {
            database,
            customers,
            orders,
            lines,
        } => crate::bench_insights::seed(&database, customers, orders, lines).await,
        BenchCommand::InsightsRfm {
            database,
            as_of,
            output,
        } => {
            let format = time::macros::format_description!("[year]-[month]-[day]");
            let as_of = time::Date::parse(&as_of, format).context("--as-of is YYYY-MM-DD")?;
            crate::bench_insights::rfm_from_database(&database, as_of, &output).await
        }
        BenchCommand::InsightsExport { database, output } => {
            crate::bench_insights::export_orders(&database, &output).await
        }
        BenchCommand::InsightsRun { database } => crate::bench_insights::recompute(&database).await,
    }
}

/// A gateway that accepts every request at once and counts them.
async fn fake_gateway() -> Result<(String, Arc<AtomicUsize>)> {
    let count = Arc::new(AtomicUsize::new(0));
    let counter = count.clone();
    let router = axum::Router::new().fallback(move || {
        let counter = counter.clone();
        async move {
            counter.fetch_add(1, Ordering::Relaxed);
            r#"{"status":"ok"}"#
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, router).await });
    Ok((url, count))
}

fn message(i: usize) -> SmsMessage {
    SmsMessage {
        to: format!("+98912{:07}", i % 10_000_000),
        content: SmsContent::Text {
            text: format!("سفارش شما ثبت شد — کد پیگیری {i}"),
        },
        local_id: String::new(),
    }
}

async fn sms(database: &str, messages: usize) -> Result<()> {
    let (gateway, received) = fake_gateway().await?;
    let settings = SmsSettings {
        provider: "http".into(),
        url: format!("{gateway}/send?to={{to}}&id={{local_id}}"),
        body: "text={text}".into(),
        ..SmsSettings::default()
    };
    let sender = Arc::new(HttpSms::new(&settings).map_err(|e| anyhow::anyhow!("{e}"))?);

    // The gateway alone, with as many requests in flight as the worker keeps.
    let started = Instant::now();
    let direct = sender.clone();
    futures_util::StreamExt::for_each_concurrent(
        futures_util::stream::iter(0..messages),
        peyvand_app::jobs::CONCURRENCY,
        |i| {
            let sender = direct.clone();
            async move {
                let mut message = message(i);
                message.local_id = i.to_string();
                sender
                    .send(&message)
                    .await
                    .expect("the fake gateway accepts");
            }
        },
    )
    .await;
    let direct_time = started.elapsed();

    // The same messages through the queue.
    let store = peyvand_store::Store::connect(database)
        .await
        .context("opening the database")?;
    store.migrate().await.context("migrating")?;
    let app = App::new(store);
    app.set_channels(peyvand_app::notify::Channels {
        mailer: None,
        sms: Some(sender),
    });
    let started = Instant::now();
    app.queue_sms_many((0..messages).map(message).collect())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let queue_time = started.elapsed();
    let before = received.load(Ordering::Relaxed);
    let started = Instant::now();
    let (_stop, stopped) = tokio::sync::watch::channel(false);
    let ran = app
        .run_due_jobs(&stopped)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let worker_time = started.elapsed();
    let sent = received.load(Ordering::Relaxed) - before;
    anyhow::ensure!(
        ran == messages && sent == messages,
        "sent {sent} of {messages}"
    );

    let per = |d: std::time::Duration| d.as_secs_f64() * 1000.0 / messages as f64;
    println!("| measure ({messages} SMS) | total | per message |");
    println!("|---|---|---|");
    println!(
        "| straight to the gateway | {:.2} s | {:.3} ms |",
        direct_time.as_secs_f64(),
        per(direct_time)
    );
    println!(
        "| queueing (1,000 per transaction) | {:.2} s | {:.3} ms |",
        queue_time.as_secs_f64(),
        per(queue_time)
    );
    println!(
        "| sending through the queue | {:.2} s | {:.3} ms |",
        worker_time.as_secs_f64(),
        per(worker_time)
    );
    let overhead = worker_time.saturating_sub(direct_time);
    println!(
        "| the queue's own cost (through the queue − straight) | {:.2} s | {:.3} ms |",
        overhead.as_secs_f64(),
        per(overhead)
    );
    app.close().await;
    Ok(())
}
