//! The board (kanban) of a pipeline and moving a deal on it.

use std::collections::BTreeMap;
use std::sync::Arc;

use peyvand_domain::calendar::CalendarKind;
use peyvand_domain::permission::{Action, RecordKind};
use peyvand_domain::record::Input;
use peyvand_store::{SalesScope, StageRow};
use uuid::Uuid;

use crate::App;
use crate::auth::Session;
use crate::error::AppResult;
use crate::org::filter_for;
use crate::records::{ListParams, RecordView, read_checked};

/// One column of the board: a stage with its open deals.
#[derive(Debug, Clone)]
pub struct BoardColumn {
    /// The stage.
    pub stage: StageRow,
    /// Open deals at the stage that the user may see.
    pub count: i64,
    /// Their amounts, summed (Rials).
    pub amount: i64,
    /// The first of them, by name.
    pub cards: Vec<RecordView>,
}

/// A pipeline's board.
#[derive(Debug, Clone)]
pub struct Board {
    /// The pipeline.
    pub pipeline: RecordView,
    /// Its stages, in order.
    pub columns: Vec<BoardColumn>,
}

/// Where a deal is moved: a stage, and optionally won or lost (with a reason).
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct Move {
    /// The stage to move to (the same pipeline's).
    pub stage_id: Option<Uuid>,
    /// `open`, `won` or `lost`.
    pub status: Option<String>,
    /// Why it was lost.
    pub loss_reason_id: Option<Uuid>,
    /// The version the mover saw (optimistic concurrency).
    pub version: i64,
}

impl App {
    /// The board of a pipeline: each stage with the count and sum of the open deals the user may
    /// see there and the first `cards` of them.
    pub async fn board(&self, session: &Session, pipeline: Uuid, cards: u64) -> AppResult<Board> {
        let mut tx = self.store.read().await?;
        let (_, pipeline_view) = read_checked(
            &mut tx,
            session,
            RecordKind::Pipeline,
            pipeline,
            Action::Read,
        )
        .await?;
        let stages = tx.stages_of(Some(pipeline)).await?;
        let access = filter_for(&mut tx, session, RecordKind::Opportunity, Action::Read).await?;
        let scope = SalesScope {
            access: &access,
            pipeline_id: Some(pipeline),
            owners: None,
            branches: None,
        };
        let totals: BTreeMap<Uuid, (i64, i64)> = tx
            .board_totals(&scope)
            .await?
            .into_iter()
            .map(|(stage, count, amount)| (stage, (count, amount)))
            .collect();
        tx.commit().await?;
        let mut columns = Vec::with_capacity(stages.len());
        for stage in stages {
            let params = ListParams {
                filters: BTreeMap::from([
                    ("pipeline_id".to_owned(), pipeline.to_string()),
                    ("stage_id".to_owned(), stage.id.to_string()),
                    ("status".to_owned(), "open".to_owned()),
                ]),
                limit: Some(cards),
                ..Default::default()
            };
            let page = self.list(session, RecordKind::Opportunity, &params).await?;
            let (count, amount) = totals.get(&stage.id).copied().unwrap_or_default();
            columns.push(BoardColumn {
                stage,
                count,
                amount,
                cards: page.items,
            });
        }
        Ok(Board {
            pipeline: pipeline_view,
            columns,
        })
    }

    /// Moves a deal to a stage (as an open deal), or closes it, if it is still at `version`. The rules
    /// are those of any update (`pipeline::rules`): a closed deal is reopened only with a
    /// manager's right, a lost one needs a reason, and the stage history records the move.
    pub async fn move_opportunity(
        &self,
        session: &Arc<Session>,
        id: Uuid,
        to: &Move,
    ) -> AppResult<RecordView> {
        let mut inputs = BTreeMap::new();
        if let Some(stage) = to.stage_id {
            inputs.insert("stage_id".to_owned(), Input::Text(stage.to_string()));
        }
        // A deal moved to a stage is open there: moving a won or lost deal to a stage reopens
        // it (which the rules allow only to managers).
        let status = match (&to.status, to.stage_id) {
            (Some(status), _) => Some(status.clone()),
            (None, Some(_)) => Some("open".to_owned()),
            (None, None) => None,
        };
        if let Some(status) = status {
            inputs.insert("status".to_owned(), Input::Text(status));
        }
        if let Some(reason) = to.loss_reason_id {
            inputs.insert("loss_reason_id".to_owned(), Input::Text(reason.to_string()));
        }
        self.update(
            session,
            RecordKind::Opportunity,
            id,
            to.version,
            &inputs,
            CalendarKind::Gregorian,
        )
        .await
    }
}
