//! Tagging customers from the analytics' results: a tag added to every customer of a list of
//! the newest run (the retention list, an RFM segment, a loyalty class, a tier or cell, with the
//! pages' filters) that the requester may update, each with its audit entry.
//!
//! A tagging is a job of the durable queue (`Job::InsightTag`), so asking for one returns at
//! once, a list of any length is tagged without holding up a request, and its progress can be
//! followed. It runs with the rights of the person who asked, as they are when it runs. A
//! *nightly* tagging stays: it is queued again after every finished recomputation (the nightly
//! one included), so the tag follows the newest scores — customers who entered the list get it;
//! none is taken away. Customers that have the tag already are skipped, so a tagging repeated
//! after an interruption finishes the work.

use std::collections::BTreeMap;

use peyvand_domain::permission::{Action, RecordKind};
use peyvand_domain::record::{Input, Value};
use peyvand_domain::validation::FieldError;
use peyvand_store::TaggingRow;
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

use super::reads::ScoreQuery;
use super::require_analytics;
use crate::App;
use crate::auth::Session;
use crate::error::{AppError, AppResult};
use crate::jobs::{Job, queue_in};
use crate::notify::ChannelError;
use crate::records::read_checked;

/// Customers tagged per transaction: a writer waiting behind a batch waits for all of it.
pub const TAG_BATCH: u64 = 1_000;

/// A tagging as people see it.
#[derive(Debug, Clone, Serialize)]
pub struct TaggingView {
    /// Its id.
    pub id: Uuid,
    /// The tag added.
    pub tag: String,
    /// The list's filters.
    pub filters: serde_json::Value,
    /// Who asked for it (the tagging has their rights).
    pub requested_by: Uuid,
    /// Whether it is done again after every recomputation.
    pub nightly: bool,
    /// `queued`, `running`, `done` or `failed`, of the latest time it ran.
    pub state: String,
    /// Percent done.
    pub progress: i64,
    /// Customers that got the tag the latest time it ran.
    pub tagged: i64,
    /// When it was asked for.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When it last ended.
    #[serde(with = "time::serde::rfc3339::option")]
    pub finished_at: Option<OffsetDateTime>,
    /// Why it last failed.
    pub error: Option<String>,
}

fn tagging_view(row: TaggingRow) -> TaggingView {
    TaggingView {
        id: row.id,
        tag: row.tag,
        filters: serde_json::from_str(&row.filters).unwrap_or_default(),
        requested_by: row.requested_by,
        nightly: row.nightly,
        state: row.state,
        progress: row.progress,
        tagged: row.tagged,
        created_at: row.created_at,
        finished_at: row.finished_at,
        error: row.error,
    }
}

/// A tag as typed, or the field error: tags are stored comma-separated, so a comma cannot be
/// part of one.
fn valid_tag(tag: &str) -> AppResult<&str> {
    let tag = tag.trim();
    if tag.is_empty() || tag.contains(',') || tag.chars().count() > 100 {
        return Err(AppError::field("tag", FieldError::INVALID));
    }
    Ok(tag)
}

impl App {
    /// Queues a tagging of the list `query` selects with `tag` (done again after every
    /// recomputation when `nightly`); follow it with [`App::insight_tagging`].
    pub async fn request_insight_tagging(
        &self,
        session: &Session,
        query: &ScoreQuery,
        tag: &str,
        nightly: bool,
    ) -> AppResult<TaggingView> {
        require_analytics(session)?;
        let tag = valid_tag(tag)?;
        let list = ScoreQuery {
            cursor: None,
            limit: TAG_BATCH,
            ..query.clone()
        };
        let now = self.now();
        let row = TaggingRow {
            id: Uuid::now_v7(),
            tag: tag.to_owned(),
            filters: serde_json::to_string(&list)
                .map_err(|e| AppError::Internal(format!("tagging: {e}")))?,
            requested_by: session.actor.user_id,
            nightly,
            state: "queued".to_owned(),
            progress: 0,
            tagged: 0,
            created_at: now,
            started_at: None,
            finished_at: None,
            error: None,
        };
        let mut tx = self.store.write().await?;
        tx.insert_insight_tagging(&row).await?;
        queue_in(&mut tx, Job::InsightTag { tagging_id: row.id }, now).await?;
        tx.commit().await?;
        self.wake_worker();
        Ok(tagging_view(row))
    }

    /// A tagging, for following its progress.
    pub async fn insight_tagging(&self, session: &Session, id: Uuid) -> AppResult<TaggingView> {
        require_analytics(session)?;
        let row = self.store.read().await?.insight_tagging(id).await?;
        row.map(tagging_view).ok_or(AppError::NotFound)
    }

    /// The newest taggings (at most 50), nightly ones included.
    pub async fn insight_taggings(&self, session: &Session) -> AppResult<Vec<TaggingView>> {
        require_analytics(session)?;
        let rows = self.store.read().await?.insight_taggings(50).await?;
        Ok(rows.into_iter().map(tagging_view).collect())
    }

    /// Stops a tagging (a nightly one is no longer repeated); its requester or an
    /// administrator may. A running tagging cannot be stopped: it is in use until it ends.
    pub async fn stop_insight_tagging(&self, session: &Session, id: Uuid) -> AppResult<()> {
        require_analytics(session)?;
        let mut tx = self.store.write().await?;
        let row = tx.insight_tagging(id).await?.ok_or(AppError::NotFound)?;
        if row.requested_by != session.actor.user_id
            && crate::schemas::require_administrator(session).is_err()
        {
            return Err(AppError::Forbidden);
        }
        if !tx.delete_insight_tagging(id).await? {
            return Err(AppError::InUse);
        }
        tx.commit().await?;
        Ok(())
    }

    /// Queues every nightly tagging again (after a finished recomputation).
    pub(crate) async fn requeue_nightly_taggings(&self) -> AppResult<usize> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let ids = tx.requeue_nightly_taggings().await?;
        for id in &ids {
            queue_in(&mut tx, Job::InsightTag { tagging_id: *id }, now).await?;
        }
        tx.commit().await?;
        if !ids.is_empty() {
            self.wake_worker();
        }
        Ok(ids.len())
    }

    /// Runs the tagging `id` if it is still queued, recording progress and outcome. A tagging
    /// whose requester can no longer be loaded (deleted, disabled) fails for good.
    pub(crate) async fn perform_insight_tagging(&self, id: Uuid) -> Result<(), ChannelError> {
        let permanent = |e: AppError| ChannelError::permanent(e.to_string());
        let row = {
            let mut tx = self.store.write().await.map_err(|e| permanent(e.into()))?;
            let started = tx
                .start_insight_tagging(id, self.now())
                .await
                .map_err(|e| permanent(e.into()))?;
            let row = tx
                .insight_tagging(id)
                .await
                .map_err(|e| permanent(e.into()))?;
            tx.commit().await.map_err(|e| permanent(e.into()))?;
            match row {
                Some(row) if started => row,
                _ => return Ok(()),
            }
        };
        let outcome = self.tag_list(&row).await;
        let error = outcome.as_ref().err().map(ToString::to_string);
        let recorded = async {
            let mut tx = self.store.write().await?;
            tx.finish_insight_tagging(id, error.as_deref().map_or(Ok(()), Err), self.now())
                .await?;
            tx.commit().await?;
            AppResult::Ok(())
        }
        .await;
        if let Some(error) = &error {
            tracing::error!(tagging = %id, %error, "insights tagging failed");
        }
        recorded.map_err(permanent)?;
        outcome.map(|_| ()).map_err(permanent)
    }

    /// Walks the tagging's list page by page ([`TAG_BATCH`] customers), each page tagged in
    /// its own transaction with the progress recorded after it; how many got the tag.
    async fn tag_list(&self, row: &TaggingRow) -> AppResult<i64> {
        let session = self.session_for_user(row.requested_by).await?;
        let mut query: ScoreQuery = serde_json::from_str(&row.filters)
            .map_err(|e| AppError::Internal(format!("tagging filters: {e}")))?;
        query.cursor = None;
        query.limit = TAG_BATCH;
        let total: i64 = self
            .insight_groups(&session, "segment", &query)
            .await?
            .iter()
            .map(|g| g.customers)
            .sum();
        let (mut walked, mut tagged) = (0_i64, 0_i64);
        loop {
            let page = self.insight_scores(&session, &query).await?;
            let customers: Vec<(RecordKind, Uuid)> = page
                .items
                .iter()
                .map(|s| {
                    let kind = if s.customer_kind == "account" {
                        RecordKind::Account
                    } else {
                        RecordKind::Contact
                    };
                    (kind, s.customer_id)
                })
                .collect();
            walked += customers.len() as i64;
            tagged += self.tag_batch(&session, &customers, &row.tag).await? as i64;
            let percent = (walked * 100 / total.max(1)).min(99);
            let mut tx = self.store.write().await?;
            tx.set_insight_tagging_progress(row.id, percent, tagged)
                .await?;
            tx.commit().await?;
            match page.next_cursor {
                Some(cursor) => query.cursor = Some(cursor),
                None => return Ok(tagged),
            }
        }
    }

    /// Tags one page of customers in one transaction; how many got the tag.
    async fn tag_batch(
        &self,
        session: &Session,
        customers: &[(RecordKind, Uuid)],
        tag: &str,
    ) -> AppResult<usize> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let mut tagged = 0;
        for &(kind, id) in customers {
            let record = match read_checked(&mut tx, session, kind, id, Action::Update).await {
                Ok((_, record)) => record,
                Err(AppError::Forbidden | AppError::NotFound) => continue,
                Err(error) => return Err(error),
            };
            let mut tags: Vec<String> = match record.get("tags") {
                Value::Tags(tags) => tags.clone(),
                _ => Vec::new(),
            };
            if tags.iter().any(|t| t == tag) {
                continue;
            }
            tags.push(tag.to_owned());
            let inputs = BTreeMap::from([("tags".to_owned(), Input::Text(tags.join(",")))]);
            let updated = crate::writes::update_in(
                &mut tx,
                now,
                session,
                kind,
                id,
                record.version,
                &inputs,
                session.calendar,
                &[],
            )
            .await;
            match updated {
                Ok(_) => tagged += 1,
                Err(AppError::Forbidden | AppError::NotFound) => {}
                Err(error) => return Err(error),
            }
        }
        tx.commit().await?;
        Ok(tagged)
    }
}
