//! Taggings of customers from the analytics' results (migration 0170): a tag added to every
//! customer of a filtered list of the newest run, as a job of the durable queue with progress;
//! a nightly tagging is queued again after every recomputation.

use peyvand_domain::record::Value;
use sea_query::{Expr, ExprTrait, Order, Query};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{int, sql_id, sql_int, sql_text, sql_time, text};
use crate::StoreResult;
use crate::tx::Tx;
use crate::values::{ColType, to_sql};

/// A tagging as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct TaggingRow {
    /// Its id.
    pub id: Uuid,
    /// The tag added.
    pub tag: String,
    /// The list's query as JSON (the application's own format).
    pub filters: String,
    /// Who asked for it; the tagging has their rights.
    pub requested_by: Uuid,
    /// Whether it is done again after every recomputation.
    pub nightly: bool,
    /// `queued`, `running`, `done` or `failed` (of the latest time it ran).
    pub state: String,
    /// Percent done, 0–100.
    pub progress: i64,
    /// Customers that got the tag.
    pub tagged: i64,
    /// When it was asked for.
    pub created_at: OffsetDateTime,
    /// When it last started.
    pub started_at: Option<OffsetDateTime>,
    /// When it last ended.
    pub finished_at: Option<OffsetDateTime>,
    /// Why it last failed.
    pub error: Option<String>,
}

const COLUMNS: [&str; 12] = [
    "id",
    "tag",
    "filters",
    "requested_by",
    "nightly",
    "state",
    "progress",
    "tagged",
    "created_at",
    "started_at",
    "finished_at",
    "error",
];
const TYPES: [ColType; 12] = [
    ColType::Id,
    ColType::Text,
    ColType::Text,
    ColType::Id,
    ColType::Bool,
    ColType::Text,
    ColType::Int,
    ColType::Int,
    ColType::Time,
    ColType::Time,
    ColType::Time,
    ColType::Text,
];

fn tagging_row(row: Vec<Value>) -> Option<TaggingRow> {
    let time = |v: Option<&Value>| match v {
        Some(Value::Time(t)) => Some(*t),
        _ => None,
    };
    Some(TaggingRow {
        id: row.first()?.as_id()?,
        tag: text(row.get(1))?,
        filters: text(row.get(2)).unwrap_or_default(),
        requested_by: row.get(3)?.as_id()?,
        nightly: matches!(row.get(4), Some(Value::Bool(true))),
        state: text(row.get(5))?,
        progress: int(row.get(6)).unwrap_or(0),
        tagged: int(row.get(7)).unwrap_or(0),
        created_at: time(row.get(8))?,
        started_at: time(row.get(9)),
        finished_at: time(row.get(10)),
        error: text(row.get(11)),
    })
}

impl Tx {
    /// Records a new tagging (queued).
    pub async fn insert_insight_tagging(&mut self, row: &TaggingRow) -> StoreResult<()> {
        let optional_time = |t: Option<OffsetDateTime>| sql_time(t);
        let mut insert = Query::insert();
        insert
            .into_table("insight_taggings")
            .columns(COLUMNS)
            .values_panic([
                Expr::val(sql_id(row.id)),
                Expr::val(sql_text(&row.tag)),
                Expr::val(sql_text(&row.filters)),
                Expr::val(sql_id(row.requested_by)),
                Expr::val(to_sql(&Value::Bool(row.nightly), ColType::Bool)),
                Expr::val(sql_text(&row.state)),
                Expr::val(sql_int(row.progress)),
                Expr::val(sql_int(row.tagged)),
                Expr::val(sql_time(Some(row.created_at))),
                Expr::val(optional_time(row.started_at)),
                Expr::val(optional_time(row.finished_at)),
                Expr::val(to_sql(
                    &row.error.clone().map_or(Value::Null, Value::Text),
                    ColType::Text,
                )),
            ]);
        self.execute(&insert).await?;
        Ok(())
    }

    /// A tagging by id.
    pub async fn insight_tagging(&mut self, id: Uuid) -> StoreResult<Option<TaggingRow>> {
        let mut select = Query::select();
        select
            .from("insight_taggings")
            .columns(COLUMNS)
            .and_where(Expr::col("id").eq(sql_id(id)));
        let rows = self.fetch(&select, &TYPES).await?;
        Ok(rows.into_iter().next().and_then(tagging_row))
    }

    /// The newest taggings, at most `limit`.
    pub async fn insight_taggings(&mut self, limit: u64) -> StoreResult<Vec<TaggingRow>> {
        let mut select = Query::select();
        select
            .from("insight_taggings")
            .columns(COLUMNS)
            .order_by("created_at", Order::Desc)
            .order_by("id", Order::Desc)
            .limit(limit);
        let rows = self.fetch(&select, &TYPES).await?;
        Ok(rows.into_iter().filter_map(tagging_row).collect())
    }

    /// Moves a queued tagging to running; false when it was not queued (another worker has it,
    /// or it was stopped).
    pub async fn start_insight_tagging(
        &mut self,
        id: Uuid,
        now: OffsetDateTime,
    ) -> StoreResult<bool> {
        let mut update = Query::update();
        update
            .table("insight_taggings")
            .value("state", sql_text("running"))
            .value("progress", sql_int(0))
            .value("tagged", sql_int(0))
            .value("started_at", sql_time(Some(now)))
            .and_where(Expr::col("id").eq(sql_id(id)))
            .and_where(Expr::col("state").eq(sql_text("queued")));
        Ok(self.execute(&update).await? == 1)
    }

    /// Records a running tagging's percent done and the customers tagged so far.
    pub async fn set_insight_tagging_progress(
        &mut self,
        id: Uuid,
        progress: i64,
        tagged: i64,
    ) -> StoreResult<()> {
        let mut update = Query::update();
        update
            .table("insight_taggings")
            .value("progress", sql_int(progress))
            .value("tagged", sql_int(tagged))
            .and_where(Expr::col("id").eq(sql_id(id)));
        self.execute(&update).await?;
        Ok(())
    }

    /// Ends a tagging: done, or failed with the reason.
    pub async fn finish_insight_tagging(
        &mut self,
        id: Uuid,
        outcome: Result<(), &str>,
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        let (state, error) = match outcome {
            Ok(()) => ("done", Value::Null),
            Err(error) => ("failed", Value::Text(error.to_owned())),
        };
        let mut update = Query::update();
        update
            .table("insight_taggings")
            .value("state", sql_text(state))
            .value("finished_at", sql_time(Some(now)))
            .value("error", to_sql(&error, ColType::Text))
            .and_where(Expr::col("id").eq(sql_id(id)));
        if state == "done" {
            update.value("progress", sql_int(100));
        }
        self.execute(&update).await?;
        Ok(())
    }

    /// Queues again every nightly tagging that is not queued or running; their ids.
    pub async fn requeue_nightly_taggings(&mut self) -> StoreResult<Vec<Uuid>> {
        let mut select = Query::select();
        select
            .from("insight_taggings")
            .column("id")
            .and_where(Expr::col("nightly").eq(to_sql(&Value::Bool(true), ColType::Bool)))
            .and_where(Expr::col("state").is_in([sql_text("done"), sql_text("failed")]));
        let ids: Vec<Uuid> = self
            .fetch(&select, &[ColType::Id])
            .await?
            .into_iter()
            .filter_map(|row| row.first()?.as_id())
            .collect();
        for id in &ids {
            let mut update = Query::update();
            update
                .table("insight_taggings")
                .value("state", sql_text("queued"))
                .value("progress", sql_int(0))
                .and_where(Expr::col("id").eq(sql_id(*id)));
            self.execute(&update).await?;
        }
        Ok(ids)
    }

    /// Stops a tagging: deleted unless it is running (then false; stop it once it is done).
    pub async fn delete_insight_tagging(&mut self, id: Uuid) -> StoreResult<bool> {
        let mut delete = Query::delete();
        delete
            .from_table("insight_taggings")
            .and_where(Expr::col("id").eq(sql_id(id)))
            .and_where(Expr::col("state").ne(sql_text("running")));
        Ok(self.execute(&delete).await? == 1)
    }
}
