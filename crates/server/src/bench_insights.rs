//! `peyvand bench insights-…`: the analytical CRM at scale (issue 6 §Performance, run by
//! bench/insights.sh). A direct generator fills a database with customers and their invoices
//! by the bulk path; then RFM is computed from Peyvand's own database (one streaming read,
//! aggregated per customer as it arrives), the whole recomputation job runs as the worker runs
//! it, and the orders can be exported to CSV for DuckDB to score the same data.

use std::io::Write;
use std::time::Instant;

use anyhow::{Context, Result};
use peyvand_analytics::dates::{Day, from_time};
use peyvand_analytics::rfm::{self, Totals};
use peyvand_app::App;
use peyvand_domain::permission::RecordKind;
use peyvand_domain::record::sales::{INVOICES, PRODUCTS};
use peyvand_domain::record::{self, CONTACTS, Fields, Value};
use peyvand_store::{LineRow, NewRecord, Store};
use time::{Date, Duration, OffsetDateTime};
use uuid::Uuid;

use crate::analytics::io::FastMap;

/// Invoices (or customers) written per transaction while filling the database.
const CHUNK: usize = 20_000;
/// How far back the generated orders go, in days.
const SPAN_DAYS: u64 = 730;

fn app_error(error: peyvand_app::AppError) -> anyhow::Error {
    anyhow::anyhow!("{error}")
}

/// A small deterministic generator (xorshift), so every run fills the same data.
struct Dice(u64);

impl Dice {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

fn new_record(schema: &'static record::Schema, fields: Fields, now: OffsetDateTime) -> NewRecord {
    let search_text = record::search_text(schema, &fields);
    NewRecord::new(schema, Uuid::now_v7(), now, fields, search_text)
}

/// A customer of the generator: a contact buying without an account.
fn bench_contact(i: usize, now: OffsetDateTime, owner: Uuid, branch: Uuid) -> NewRecord {
    let fields = Fields::from([
        ("first_name".into(), Value::Text("مشتری".into())),
        ("last_name".into(), Value::Text(format!("آزمایشی {i}"))),
        ("customer_kind".into(), Value::Text("retail".into())),
        ("owner_id".into(), Value::Id(owner)),
        ("branch_id".into(), Value::Id(branch)),
    ]);
    new_record(&CONTACTS, fields, now)
}

/// The `i`th order: a paid invoice of a customer on a day of the last two years.
fn bench_invoice(
    i: usize,
    customer: Uuid,
    day: Date,
    total: i64,
    place: (Uuid, Uuid),
) -> NewRecord {
    let fields = Fields::from([
        ("number".into(), Value::Text(format!("INV-BENCH-{i:09}"))),
        ("contact_id".into(), Value::Id(customer)),
        ("status".into(), Value::Text("paid".into())),
        ("issue_date".into(), Value::Date(day)),
        ("subtotal".into(), Value::Int(total)),
        ("discount_total".into(), Value::Int(0)),
        ("tax_total".into(), Value::Int(0)),
        ("total".into(), Value::Int(total)),
        ("paid_total".into(), Value::Int(total)),
        ("approval".into(), Value::Text("not_required".into())),
        ("owner_id".into(), Value::Id(place.0)),
        ("branch_id".into(), Value::Id(place.1)),
    ]);
    new_record(&INVOICES, fields, day.midnight().assume_utc())
}

/// One line of an order: one unit of a catalogue item at the order's total.
fn bench_line(invoice: &NewRecord, product: Uuid, total: i64) -> LineRow {
    LineRow {
        id: Uuid::now_v7(),
        document_kind: "invoice".into(),
        document_id: invoice.id,
        position: 1,
        product_id: Some(product),
        description: String::new(),
        quantity: 1,
        unit_price: total,
        discount_bp: 0,
        tax_bp: 0,
        gross: total,
        discount: 0,
        net: total,
        tax: 0,
        total,
    }
}

/// Fills a fresh database with the demo's users and catalogue, `customers` customers and
/// `orders` paid invoices (every customer at least one; the rest to random customers), the
/// first `lines` of them with one line each.
pub async fn seed(database: &str, customers: usize, orders: usize, lines: usize) -> Result<()> {
    let started = Instant::now();
    let store = Store::connect(database)
        .await
        .context("opening the database")?;
    store.migrate().await.context("migrating")?;
    let app = App::new(store.clone());
    app.seed_demo(0).await.map_err(app_error)?;
    let owner = app
        .find_id(RecordKind::User, "email", "rep@peyvand.demo")
        .await
        .map_err(app_error)?
        .context("the demo sales rep is missing")?;
    let branch = app
        .find_id(RecordKind::Branch, "code", "ISF")
        .await
        .map_err(app_error)?
        .context("the demo branch is missing")?;
    let products: Vec<Uuid> = {
        let mut tx = store.read().await?;
        tx.ids_with_value(&PRODUCTS, "code").await?
    };
    let now = OffsetDateTime::now_utc();
    let mut ids = Vec::with_capacity(customers);
    for start in (0..customers).step_by(CHUNK) {
        let batch: Vec<NewRecord> = (start..(start + CHUNK).min(customers))
            .map(|i| bench_contact(i, now, owner, branch))
            .collect();
        ids.extend(batch.iter().map(|r| r.id));
        let mut tx = store.write().await?;
        tx.insert_records(&CONTACTS, &batch).await?;
        tx.commit().await?;
    }
    eprintln!(
        "{customers} customers in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let today = now.date();
    let mut dice = Dice(0x9E37_79B9_7F4A_7C15);
    for start in (0..orders).step_by(CHUNK) {
        let mut invoices = Vec::with_capacity(CHUNK);
        let mut rows = Vec::new();
        for i in start..(start + CHUNK).min(orders) {
            let customer = if i < customers {
                ids[i]
            } else {
                ids[dice.below(customers as u64) as usize]
            };
            let day = today - Duration::days(dice.below(SPAN_DAYS) as i64);
            let total = (dice.below(1_000) as i64 + 1) * 1_000_000;
            let invoice = bench_invoice(i, customer, day, total, (owner, branch));
            if i < lines && !products.is_empty() {
                let product = products[dice.below(products.len() as u64) as usize];
                rows.push(bench_line(&invoice, product, total));
            }
            invoices.push(invoice);
        }
        let mut tx = store.write().await?;
        tx.insert_records(&INVOICES, &invoices).await?;
        tx.insert_sales_lines(&rows).await?;
        tx.commit().await?;
        if (start / CHUNK).is_multiple_of(50) {
            eprintln!("{} orders…", start + invoices.len());
        }
    }
    store.optimize().await?;
    eprintln!(
        "seeded {customers} customers, {orders} orders in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Per-customer totals, built as the orders stream in: memory grows with the customers, not
/// with the orders.
fn totals_from_orders(orders: &mut FastMap<Uuid, Totals>, customer: Uuid, day: Day, total: i64) {
    let entry = orders.entry(customer).or_insert(Totals {
        last_order: day,
        orders: 0,
        spent: 0,
    });
    entry.last_order = entry.last_order.max(day);
    entry.orders += 1;
    entry.spent += i128::from(total) * i128::from(peyvand_analytics::amount::UNIT);
}

/// Orders handed from the reading thread to the adding one at a time.
const ORDER_BATCH: usize = 8_192;

/// RFM from Peyvand's own database: the orders read in one streaming query, scored with the
/// NTILE(5) rule, written as `peyvand analytics rfm` writes its CSV (sorted by customer id).
///
/// The database is read on this thread and the totals are added up on another, so that both
/// cores work on one consistent read: adding up a million customers' totals, at random places
/// in a table larger than the processor's cache, took as long as the reading (perf).
pub async fn rfm_from_database(database: &str, as_of: Date, output: &str) -> Result<()> {
    let started = Instant::now();
    let store = Store::connect(database)
        .await
        .context("opening the database")?;
    let (send, receive) = std::sync::mpsc::sync_channel::<Vec<(Uuid, Day, i64)>>(4);
    let adder = std::thread::Builder::new()
        .name("peyvand-rfm-adder".into())
        .spawn(move || {
            let mut totals: FastMap<Uuid, Totals> = FastMap::default();
            for batch in receive {
                for (customer, day, total) in batch {
                    totals_from_orders(&mut totals, customer, day, total);
                }
            }
            totals
        })?;
    let mut batch = Vec::with_capacity(ORDER_BATCH);
    let read = async {
        let mut tx = store.read_scan().await?;
        tx.insight_orders(|order| {
            if order.date <= as_of {
                batch.push((order.customer.id, from_time(order.date), order.total));
                if batch.len() == ORDER_BATCH {
                    // Sending fails only when the adding thread has died, which joining it
                    // below reports.
                    let _ = send.send(std::mem::replace(
                        &mut batch,
                        Vec::with_capacity(ORDER_BATCH),
                    ));
                }
            }
        })
        .await
    }
    .await;
    let _ = send.send(batch);
    drop(send);
    let totals = adder
        .join()
        .map_err(|_| anyhow::anyhow!("adding up the totals failed"))?;
    read?;
    let read = started.elapsed();
    let (ids, totals): (Vec<Uuid>, Vec<Totals>) = totals.into_iter().unzip();
    // An id's text (lower-case hex, hyphens always at the same places) sorts as its sixteen
    // bytes do, so the ids are ranked by their bytes without making a million strings.
    let bytes: Vec<[u8; 16]> = ids.iter().map(|id| *id.as_bytes()).collect();
    let id_rank = rfm::rank_ids(&bytes);
    let scores = rfm::score(&totals, &id_rank, from_time(as_of));
    let mut order: Vec<usize> = (0..ids.len()).collect();
    order.sort_unstable_by_key(|&i| id_rank[i]);
    let file = std::fs::File::create(output).with_context(|| format!("creating {output}"))?;
    let mut out = std::io::BufWriter::new(file);
    writeln!(
        out,
        "customer_id,recency_days,frequency,monetary,r,f,m,segment"
    )?;
    let mut id_text = [0_u8; uuid::fmt::Hyphenated::LENGTH];
    for i in order {
        let s = &scores[i];
        let spent = totals[i].spent / i128::from(peyvand_analytics::amount::UNIT);
        out.write_all(ids[i].hyphenated().encode_lower(&mut id_text).as_bytes())?;
        writeln!(
            out,
            ",{},{},{},{},{},{},{}",
            s.recency_days,
            totals[i].orders,
            spent,
            s.r,
            s.f,
            s.m,
            s.segment.code()
        )?;
    }
    out.flush()?;
    eprintln!(
        "RFM of {} customers from the database: read in {:.2} s, total {:.2} s",
        ids.len(),
        read.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The orders of the database as CSV `customer_id,order_date,amount`, for DuckDB.
pub async fn export_orders(database: &str, output: &str) -> Result<()> {
    let store = Store::connect(database)
        .await
        .context("opening the database")?;
    let file = std::fs::File::create(output).with_context(|| format!("creating {output}"))?;
    let mut out = std::io::BufWriter::new(file);
    writeln!(out, "customer_id,order_date,amount")?;
    let mut failed = None;
    let mut tx = store.read_scan().await?;
    tx.insight_orders(|order| {
        if failed.is_none()
            && let Err(error) =
                writeln!(out, "{},{},{}", order.customer.id, order.date, order.total)
        {
            failed = Some(error);
        }
    })
    .await?;
    if let Some(error) = failed {
        return Err(error.into());
    }
    out.flush()?;
    Ok(())
}

/// Queues a recomputation (as the button does, however recent the last one) and runs it as
/// the job worker does.
pub async fn recompute(database: &str) -> Result<()> {
    let started = Instant::now();
    let store = Store::connect(database)
        .await
        .context("opening the database")?;
    let app = App::new(store.clone());
    let admin = app
        .find_id(RecordKind::User, "email", "admin@peyvand.demo")
        .await
        .map_err(app_error)?
        .context("the demo administrator is missing")?;
    let session = app.session_for_user(admin).await.map_err(app_error)?;
    app.request_insights(&session).await.map_err(app_error)?;
    let (_stop_tx, stop) = tokio::sync::watch::channel(false);
    app.run_due_jobs(&stop).await.map_err(app_error)?;
    let run = store
        .read()
        .await?
        .latest_insight_run(None)
        .await?
        .context("no run was recorded")?;
    eprintln!(
        "recomputation {} in {:.2} s: {}",
        run.state,
        started.elapsed().as_secs_f64(),
        run.summary.or(run.error).unwrap_or_default()
    );
    anyhow::ensure!(run.state == "done", "the recomputation did not finish");
    Ok(())
}
