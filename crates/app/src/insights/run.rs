//! One recomputation, run by the job worker: read the facts with one streaming query per input
//! (each customer's rows together, reduced to a summary as they arrive; see `compute`),
//! compute on a blocking thread (the analyses are CPU work and must not hold up the runtime),
//! and write the results under the run's id in chunks of their own transactions, so requests
//! keep being served and readers see the previous run until this one is done.

use uuid::Uuid;

use super::compute::{Computed, Facts, compute};
use crate::App;
use crate::error::{AppError, AppResult};

/// Score rows written per transaction.
const WRITE_CHUNK: usize = 5_000;

impl App {
    /// Runs the recomputation `run_id` if it is still queued; records its progress, then its
    /// outcome (a failure keeps the reason and leaves the last good run in place).
    pub(crate) async fn perform_insights_run(&self, run_id: Uuid) -> Result<(), String> {
        let started = {
            let mut tx = self.store.write().await.map_err(|e| e.to_string())?;
            let started = tx
                .start_insight_run(run_id, self.now())
                .await
                .map_err(|e| e.to_string())?;
            tx.commit().await.map_err(|e| e.to_string())?;
            started
        };
        if !started {
            return Ok(());
        }
        let outcome = self.compute_and_store(run_id).await;
        let now = self.now();
        let recorded = async {
            let mut tx = self.store.write().await?;
            match &outcome {
                Ok(summary) => tx.finish_insight_run(run_id, Ok(summary), now).await?,
                Err(error) => {
                    tx.finish_insight_run(run_id, Err(&error.to_string()), now)
                        .await?
                }
            }
            if outcome.is_ok() {
                tx.prune_insight_runs(run_id).await?;
            }
            tx.commit().await?;
            AppResult::Ok(())
        }
        .await;
        if let Err(error) = &outcome {
            tracing::error!(run = %run_id, %error, "insights recomputation failed");
        }
        recorded.map_err(|e| e.to_string())?;
        if outcome.is_ok() {
            // Nightly taggings follow the newest scores (`tagging`).
            self.requeue_nightly_taggings()
                .await
                .map_err(|e| e.to_string())?;
        }
        Ok(())
    }

    async fn progress(&self, run_id: Uuid, stage: &str, percent: i64) -> AppResult<()> {
        let mut tx = self.store.write().await?;
        tx.set_insight_progress(run_id, stage, percent).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Reads, computes and writes; the summary JSON on success.
    async fn compute_and_store(&self, run_id: Uuid) -> AppResult<String> {
        let as_of = self.now().date();
        self.progress(run_id, "reading", 5).await?;
        let mut facts = Facts::new(as_of);
        // The scans run on connections that keep none of what they read (`Store::read_scan`),
        // so the run's memory is its summaries, not the pages of the invoices table.
        {
            let mut tx = self.store.read_scan().await?;
            tx.insight_orders_by_customer(|order| facts.add_order(order))
                .await?;
        }
        self.progress(run_id, "reading", 20).await?;
        {
            let mut tx = self.store.read_scan().await?;
            tx.insight_lines(|line| facts.add_line(line)).await?;
            for (customer, counts) in tx.insight_service_counts().await? {
                facts.add_service(customer, counts);
            }
            for (referrer, referred) in tx.insight_referrals().await? {
                facts.referrals.entry(referrer).or_default().push(referred);
            }
            facts.branch_tree = tx.id_pairs("branches", "parent_id").await?;
        }
        facts.finish();
        self.progress(run_id, "scoring", 40).await?;
        let computed = tokio::task::spawn_blocking(move || compute(&facts))
            .await
            .map_err(|e| AppError::Internal(format!("insights: {e}")))?;
        self.progress(run_id, "writing", 70).await?;
        let total = computed.scores.len().max(1);
        for (i, chunk) in computed.scores.chunks(WRITE_CHUNK).enumerate() {
            let mut tx = self.store.write().await?;
            tx.insert_insight_scores(run_id, chunk).await?;
            tx.commit().await?;
            let written = (i * WRITE_CHUNK + chunk.len()) as i64;
            let percent = 70 + 28 * written / total as i64;
            self.progress(run_id, "writing", percent).await?;
        }
        self.write_rules(run_id, &computed).await?;
        Ok(computed.summary.to_string())
    }

    /// Writes the company-wide rules, then each branch's set, about [`WRITE_CHUNK`] rows per
    /// transaction (a branch's set holds up to 500 rules, and there may be many branches).
    async fn write_rules(&self, run_id: Uuid, computed: &Computed) -> AppResult<()> {
        let company = (None, computed.invoices, &computed.rules);
        let branches = computed
            .branch_rules
            .iter()
            .map(|set| (Some(set.branch_id), set.invoices, &set.rules));
        let mut tx = self.store.write().await?;
        let mut rows = 0;
        for (branch, invoices, rules) in std::iter::once(company).chain(branches) {
            if rows >= WRITE_CHUNK {
                tx.commit().await?;
                tx = self.store.write().await?;
                rows = 0;
            }
            tx.insert_insight_rules(run_id, branch, invoices as i64, rules)
                .await?;
            rows += 1 + rules.len();
        }
        tx.commit().await?;
        Ok(())
    }
}
