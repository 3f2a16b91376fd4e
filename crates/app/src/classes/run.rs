//! A recompute run: measures aggregated by the store, classes assigned by the domain, and the
//! changed classes written back in batches, each batch its own short transaction so other
//! writes pass between them. Runs are jobs of the durable queue (`Job::Classify`), so a run
//! whose process stopped is taken up again after its lease; a run is idempotent (it writes
//! only classes that differ).

use std::collections::HashMap;

use peyvand_domain::calendar::IRAN_OFFSET;
use peyvand_domain::classes::{Criterion, Measure, Scheme, assign, class_counts};
use peyvand_store::{
    ClassificationRunRow, CustomerClassRow, CustomerMeasure, CustomerTable, StoreError, Tx,
};
use serde_json::json;
use uuid::Uuid;

use super::{audit, queued_run, stored_scheme};
use crate::App;
use crate::error::{AppError, AppResult};
use crate::notify::ChannelError;

/// The hour (Iran time) from which the nightly recompute is queued.
pub const NIGHTLY_HOUR: u8 = 2;
/// Customers whose class changes written per transaction. A writer waiting behind a batch
/// waits for the whole batch: at 5,000 a create waited up to 1–2.5 s on a loaded machine with a
/// million contacts (docs/benchmarks.md), so batches are a fifth of that.
const WRITE_BATCH: usize = 1_000;
/// Marks a customer whose stored class is none of the scheme's.
const NO_CLASS: usize = usize::MAX;

/// Every customer with its current class (an index into the scheme, or [`NO_CLASS`]) and its
/// measure.
struct Customers {
    keys: Vec<(CustomerTable, Uuid)>,
    current: Vec<usize>,
    measures: Vec<Measure>,
}

async fn measures_of(
    tx: &mut Tx,
    scheme: &Scheme,
    today: time::Date,
) -> AppResult<HashMap<(CustomerTable, Uuid), i64>> {
    let (from, to) = scheme.period.bounds(today);
    let rows: Vec<CustomerMeasure> = match scheme.criterion {
        Criterion::PurchaseCount | Criterion::PurchaseAmount => {
            tx.purchase_totals(from, to).await?
        }
        Criterion::Margin => tx.purchase_margins(from, to).await?,
        Criterion::ContractValue => tx.contract_values(from, to).await?,
        Criterion::Industry => Vec::new(),
    };
    let mut measures = HashMap::with_capacity(rows.len());
    for row in rows {
        let value = match scheme.criterion {
            Criterion::PurchaseCount => row.count,
            _ => row.amount,
        };
        // An account's invoices come in one group per contact-less/contact split; add them.
        *measures.entry((row.table, row.id)).or_insert(0) += value;
    }
    Ok(measures)
}

async fn read_customers(tx: &mut Tx, scheme: &Scheme, today: time::Date) -> AppResult<Customers> {
    let measures = measures_of(tx, scheme, today).await?;
    let names = scheme.names();
    let industry = scheme.criterion == Criterion::Industry;
    let mut customers = Customers {
        keys: Vec::new(),
        current: Vec::new(),
        measures: Vec::new(),
    };
    for table in [CustomerTable::Accounts, CustomerTable::Contacts] {
        let visit = |row: CustomerClassRow| {
            let current = row
                .class
                .as_deref()
                .and_then(|c| names.iter().position(|n| *n == c))
                .unwrap_or(NO_CLASS);
            let measure = if industry {
                row.industry.map_or(Measure::None, Measure::Industry)
            } else {
                measures
                    .get(&(table, row.id))
                    .map_or(Measure::None, |m| Measure::Number(*m))
            };
            customers.keys.push((table, row.id));
            customers.current.push(current);
            customers.measures.push(measure);
        };
        tx.scan_customer_classes(table, industry, visit).await?;
    }
    Ok(customers)
}

/// The customers (`keys`, with their `current` classes) whose new class in `classes` differs,
/// grouped by table and new class.
///
/// Only these are written. Writing a customer gives it a new version, which the JSON cache is
/// keyed on and which an edit form open on that customer then meets as a conflict (409). A
/// real class change must give a new version — a reader must not be served the old class from
/// a cache, and the class decides the customer's prices — so that conflict is the price of a
/// change that happened; but a customer whose class stays is never written, so a nightly run
/// neither bumps every customer's version nor fails the open edits of customers it did not
/// move. (The store checks again as it writes, for a snapshot another run overtook.)
fn changed_classes(
    keys: &[(CustomerTable, Uuid)],
    current: &[usize],
    classes: &[usize],
) -> HashMap<(CustomerTable, usize), Vec<Uuid>> {
    let mut changes: HashMap<(CustomerTable, usize), Vec<Uuid>> = HashMap::new();
    for ((key, current), class) in keys.iter().zip(current).zip(classes) {
        if current != class {
            changes.entry((key.0, *class)).or_default().push(key.1);
        }
    }
    changes
}

/// How a failed run is recorded: an error code for people, and whether the queue should try
/// again.
fn failure(error: &AppError) -> (&'static str, bool) {
    match error {
        AppError::Validation(_) => ("no_scheme", false),
        _ => ("internal", true),
    }
}

impl App {
    /// Runs the recompute `run_id` (a job of the queue). A run already done is not run again.
    pub(crate) async fn perform_classification(&self, run_id: Uuid) -> Result<(), ChannelError> {
        match self.classify(run_id).await {
            Ok(()) => Ok(()),
            Err(error) => {
                let (code, retry) = failure(&error);
                tracing::error!(run = %run_id, %error, "customer classification failed");
                let recorded = self.fail_run(run_id, code).await;
                if let Err(e) = recorded {
                    tracing::error!(run = %run_id, error = %e, "recording a failed classification");
                }
                Err(if retry {
                    ChannelError::temporary(error.to_string())
                } else {
                    ChannelError::permanent(code)
                })
            }
        }
    }

    /// Marks a run failed; a run the queue tries again becomes `running` when it starts.
    async fn fail_run(&self, run_id: Uuid, code: &str) -> AppResult<()> {
        let mut tx = self.store.write().await?;
        if let Some(mut run) = tx.classification_run(run_id).await? {
            run.state = "failed".to_owned();
            run.error = Some(code.to_owned());
            run.finished_at = Some(self.now());
            tx.update_classification_run(&run).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn save_run(&self, run: &ClassificationRunRow) -> AppResult<()> {
        let run = run.clone();
        self.write(move |tx| Box::pin(async move { Ok(tx.update_classification_run(&run).await?) }))
            .await
    }

    /// Computes and writes every customer's class for run `run_id`.
    pub async fn classify(&self, run_id: Uuid) -> AppResult<()> {
        let mut run = {
            let mut tx = self.store.read().await?;
            tx.classification_run(run_id)
                .await?
                .ok_or(AppError::NotFound)?
        };
        if run.state == "done" {
            return Ok(());
        }
        let mut tx = self.store.read().await?;
        let scheme = stored_scheme(&mut tx).await?.ok_or_else(|| {
            AppError::field("scheme", peyvand_domain::validation::FieldError::REQUIRED)
        })?;
        run.state = "running".to_owned();
        run.error = None;
        run.started_at = Some(self.now());
        self.save_run(&run).await?;

        let today = self.now().to_offset(IRAN_OFFSET).date();
        let customers = read_customers(&mut tx, &scheme, today).await?;
        drop(tx);
        let keyed: Vec<((CustomerTable, Uuid), Measure)> = customers
            .keys
            .iter()
            .copied()
            .zip(customers.measures)
            .collect();
        let classes = assign(&scheme, &keyed);
        let counts = class_counts(&scheme, &classes);
        drop(keyed);

        let changes = changed_classes(&customers.keys, &customers.current, &classes);
        let changed: usize = changes.values().map(Vec::len).sum();
        run.total = customers.keys.len() as i64;
        run.done = run.total - changed as i64;
        run.changed = changed as i64;
        self.save_run(&run).await?;
        run.changed = self.write_classes(&mut run, &scheme, changes).await?;

        let now = self.now();
        run.state = "done".to_owned();
        run.finished_at = Some(now);
        run.counts =
            Some(serde_json::to_string(&counts).map_err(|e| AppError::Internal(e.to_string()))?);
        let finished = run.clone();
        let entry = json!({"run": run.id, "origin": run.origin, "customers": run.total,
                           "changed": run.changed, "counts": counts});
        let actor = run.requested_by;
        self.write(move |tx| {
            Box::pin(async move {
                tx.update_classification_run(&finished).await?;
                audit(tx, "recompute", actor, now, entry).await
            })
        })
        .await?;
        tracing::info!(run = %run.id, customers = run.total, changed = run.changed, "customer classes recomputed");
        Ok(())
    }

    /// Writes the changed classes in batches of [`WRITE_BATCH`], each with the run's progress,
    /// and returns how many customers were written: fewer than asked when another run wrote
    /// some of the same changes first.
    async fn write_classes(
        &self,
        run: &mut ClassificationRunRow,
        scheme: &Scheme,
        changes: HashMap<(CustomerTable, usize), Vec<Uuid>>,
    ) -> AppResult<i64> {
        let mut written = 0;
        for ((table, class), ids) in changes {
            let name = scheme.classes[class].name.clone();
            for batch in ids.chunks(WRITE_BATCH) {
                let batch = batch.to_vec();
                let name = name.clone();
                run.done += batch.len() as i64;
                let progress = run.clone();
                let rows = self
                    .write_large(move |tx| {
                        Box::pin(async move {
                            let rows = tx.set_customer_classes(table, &name, &batch).await?;
                            tx.update_classification_run(&progress).await?;
                            Ok(rows)
                        })
                    })
                    .await?;
                written += i64::try_from(rows).unwrap_or(i64::MAX);
            }
        }
        Ok(written)
    }

    /// Queues tonight's recompute once the night has begun ([`NIGHTLY_HOUR`], Iran time) when
    /// the scheme asks for nightly runs and none was queued for this night yet; called by the
    /// job worker's periodic sweep. Several processes may call it: the run's unique night lets
    /// only one of them queue it. Returns whether it queued one.
    pub async fn classification_sweep(&self) -> AppResult<bool> {
        let local = self.now().to_offset(IRAN_OFFSET);
        if local.hour() < NIGHTLY_HOUR {
            return Ok(false);
        }
        let night = local.date();
        let mut tx = self.store.write().await?;
        let wanted = stored_scheme(&mut tx).await?.is_some_and(|s| s.nightly);
        if !wanted || tx.nightly_run_exists(night).await? {
            return Ok(false);
        }
        let run = queued_run("nightly", Some(night), None, self.now());
        match tx.insert_classification_run(&run).await {
            Ok(()) => {}
            Err(StoreError::UniqueViolation) => return Ok(false),
            Err(error) => return Err(error.into()),
        }
        self.queue_job(&mut tx, crate::jobs::Job::Classify { run_id: run.id })
            .await?;
        tx.commit().await?;
        Ok(true)
    }
}
