//! `peyvand bench sla`: the service-level sweep over a large number of open cases.

use std::time::Instant;

use anyhow::{Context, Result};
use peyvand_app::App;
use peyvand_domain::permission::RecordKind;
use peyvand_domain::record::{self, CASES, Fields, Value};
use peyvand_store::{NewRecord, Store};
use time::OffsetDateTime;
use uuid::Uuid;

/// Cases written per transaction while filling the database.
const CHUNK: usize = 10_000;

fn app_error(error: peyvand_app::AppError) -> anyhow::Error {
    anyhow::anyhow!("{error}")
}

/// One open, answered case: due in a month, or an hour ago when it is one of the breached.
fn bench_case(
    i: usize,
    now: OffsetDateTime,
    breached: bool,
    place: &[(&'static str, Uuid); 3],
) -> NewRecord {
    let mut fields = Fields::new();
    let text = |s: String| Value::Text(s);
    fields.insert("number".into(), text(format!("B-{i:07}")));
    fields.insert("case_type".into(), text("request".into()));
    fields.insert("subject".into(), text(format!("درخواست آزمایشی {i}")));
    fields.insert("description".into(), text("—".into()));
    fields.insert("priority".into(), text("normal".into()));
    fields.insert("channel".into(), text("phone".into()));
    fields.insert("status".into(), text("in_progress".into()));
    for (name, id) in place {
        fields.insert((*name).into(), Value::Id(*id));
    }
    let month = now + time::Duration::days(30);
    fields.insert("first_response_due".into(), Value::Time(month));
    fields.insert("first_response_at".into(), Value::Time(now));
    let due = if breached {
        now - time::Duration::hours(1)
    } else {
        month
    };
    fields.insert("resolution_due".into(), Value::Time(due));
    let search_text = record::search_text(&CASES, &fields);
    NewRecord::new(&CASES, Uuid::now_v7(), now, fields, search_text)
}

/// Fills a database with `cases` open cases, `breached` of them just run out, then times two
/// sweeps: the one that escalates them, and the next, which finds nothing.
pub async fn run(database: &str, cases: usize, breached: usize) -> Result<()> {
    let store = Store::connect(database)
        .await
        .context("opening the database")?;
    store.migrate().await.context("migrating")?;
    let app = App::new(store.clone());
    app.seed_demo(0).await.map_err(app_error)?;
    let find = |kind, field, value| {
        let app = app.clone();
        async move {
            app.find_id(kind, field, value)
                .await
                .map_err(app_error)?
                .with_context(|| format!("no {value}"))
        }
    };
    let owner = find(RecordKind::User, "email", "service@peyvand.demo").await?;
    let branch = find(RecordKind::Branch, "code", "HQ").await?;
    let session = app.session_for_user(owner).await.map_err(app_error)?;
    let account = app
        .list(&session, RecordKind::Account, &Default::default())
        .await
        .map_err(app_error)?
        .items
        .first()
        .map(|a| a.id)
        .context("the demo has an account")?;
    let place = [
        ("owner_id", owner),
        ("branch_id", branch),
        ("account_id", account),
    ];
    let now = app.now();
    let started = Instant::now();
    for start in (0..cases).step_by(CHUNK) {
        let records: Vec<NewRecord> = (start..(start + CHUNK).min(cases))
            .map(|i| bench_case(i, now, i % (cases / breached.max(1)).max(1) == 0, &place))
            .take(cases)
            .collect();
        let mut tx = store.write().await?;
        tx.insert_records(&CASES, &records).await?;
        tx.commit().await?;
    }
    store.optimize().await?;
    let filled = started.elapsed();

    let started = Instant::now();
    let escalated = app.sla_sweep().await.map_err(app_error)?;
    let first = started.elapsed();
    let started = Instant::now();
    let again = app.sla_sweep().await.map_err(app_error)?;
    let second = started.elapsed();
    println!("| measure ({cases} open cases) | clocks escalated | time |");
    println!("|---|---|---|");
    println!(
        "| filling the database | — | {:.1} s |",
        filled.as_secs_f64()
    );
    println!(
        "| sweep with new breaches | {escalated} | {:.0} ms |",
        first.as_secs_f64() * 1000.0
    );
    println!(
        "| next sweep (nothing new) | {again} | {:.1} ms |",
        second.as_secs_f64() * 1000.0
    );
    app.close().await;
    Ok(())
}
