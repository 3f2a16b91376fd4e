//! Setting the pipeline up: the default pipeline, its stages and the loss reasons a new
//! installation starts with, the sales rights of built-in roles in databases made before the
//! pipeline existed, and the administrators' stage editor.

use peyvand_domain::permission::{Action, Grants, RecordKind, Scope, builtin_roles};
use peyvand_domain::pipeline::stages::{
    DEFAULT_LOSS_REASONS, DEFAULT_STAGES, StageInput, StagePlan, validate_stages,
};
use peyvand_domain::pipeline::{LOSS_REASONS, PIPELINE_STAGES, PIPELINES};
use peyvand_domain::record::{self, Fields, Value};
use peyvand_domain::validation::{FieldError, ValidationErrors};
use peyvand_store::{StageRow, Tx};
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::App;
use crate::auth::Session;
use crate::error::{AppError, AppResult};
use crate::records::{audit, read_checked};

fn all_rows(schema: &'static record::Schema) -> peyvand_store::ListQuery<'static> {
    peyvand_store::ListQuery {
        schema,
        access: &peyvand_domain::permission::RowFilter::Everything,
        equals: vec![],
        tag: None,
        search: vec![],
        ids: None,
        sort: peyvand_store::SortKey {
            field: "id".into(),
            descending: false,
        },
        after: None,
        limit: 10_000,
    }
}

/// The pipeline new deals go into: the one marked default, else the oldest.
pub(crate) async fn default_pipeline(tx: &mut Tx) -> AppResult<Option<Uuid>> {
    let rows = tx.list_records(&all_rows(&PIPELINES)).await?;
    let marked = rows
        .iter()
        .find(|r| r.fields.get("is_default") == Some(&Value::Bool(true)));
    Ok(marked.or(rows.first()).map(|r| r.id))
}

/// Run by bootstrap: when no pipeline exists (a new database, or one made before the sales
/// pipeline), creates the default pipeline with its stages and the default loss reasons, and
/// gives the built-in roles their sales rights. Pipelines cannot all be deleted, so this runs
/// once per database.
pub(crate) async fn ensure_defaults(tx: &mut Tx, now: OffsetDateTime) -> AppResult<()> {
    if !tx.list_records(&all_rows(&PIPELINES)).await?.is_empty() {
        return Ok(());
    }
    let mut fields = Fields::new();
    fields.insert("name".into(), Value::Text("فروش".into()));
    fields.insert("is_default".into(), Value::Bool(true));
    let pipeline = Uuid::now_v7();
    insert(tx, &PIPELINES, pipeline, now, fields).await?;
    insert_default_stages(tx, pipeline, now).await?;
    for name in DEFAULT_LOSS_REASONS {
        let mut fields = Fields::new();
        fields.insert("name".into(), Value::Text(name.into()));
        fields.insert("active".into(), Value::Bool(true));
        insert(tx, &LOSS_REASONS, Uuid::now_v7(), now, fields).await?;
    }
    grant_builtin_sales_rights(tx, now).await
}

/// Gives a new pipeline the default stages (every pipeline has 3–7 from its first moment).
pub(crate) async fn insert_default_stages(
    tx: &mut Tx,
    pipeline: Uuid,
    now: OffsetDateTime,
) -> AppResult<()> {
    for (index, (name, probability)) in DEFAULT_STAGES.iter().enumerate() {
        let plan = StagePlan {
            id: None,
            position: i64::try_from(index + 1).unwrap_or(1),
            name: (*name).into(),
            probability: *probability,
        };
        insert(
            tx,
            &PIPELINE_STAGES,
            Uuid::now_v7(),
            now,
            stage_fields(pipeline, &plan),
        )
        .await?;
    }
    Ok(())
}

async fn insert(
    tx: &mut Tx,
    schema: &'static record::Schema,
    id: Uuid,
    now: OffsetDateTime,
    fields: Fields,
) -> AppResult<()> {
    let search = record::search_text(schema, &fields);
    tx.insert_record(schema, id, now, &fields, &search, &[])
        .await?;
    Ok(())
}

fn stage_fields(pipeline: Uuid, plan: &StagePlan) -> Fields {
    let mut fields = Fields::new();
    fields.insert("pipeline_id".into(), Value::Id(pipeline));
    fields.insert("position".into(), Value::Int(plan.position));
    fields.insert("name".into(), Value::Text(plan.name.clone()));
    fields.insert("probability".into(), Value::Int(plan.probability));
    fields
}

/// Built-in roles stored before the sales pipeline existed lack its rights: add them (the
/// administrator role gets every right on the new kinds, the others what
/// `domain::pipeline::grants` gives them).
async fn grant_builtin_sales_rights(tx: &mut Tx, now: OffsetDateTime) -> AppResult<()> {
    let roles = tx.list_records(&all_rows(&record::ROLES)).await?;
    for role in roles {
        let Some(key) = role.fields.get("name").and_then(Value::as_text) else {
            continue;
        };
        if role.fields.get("builtin") != Some(&Value::Bool(true))
            || !builtin_roles().iter().any(|r| r.key == key)
        {
            continue;
        }
        let json = tx
            .get_extra("roles", role.id, "grants")
            .await?
            .unwrap_or_default();
        let stored: Grants = serde_json::from_str(&json).unwrap_or_default();
        let upgraded = if key == "admin" {
            RecordKind::ALL
                .into_iter()
                .filter(|k| peyvand_domain::pipeline::grants::is_sales_kind(*k))
                .fold(stored.clone(), |g, k| g.with(k, &Action::ALL, Scope::All))
        } else {
            peyvand_domain::pipeline::grants::add_builtin(key, stored.clone())
        };
        if upgraded == stored {
            continue;
        }
        let json =
            serde_json::to_string(&upgraded).map_err(|e| AppError::Internal(e.to_string()))?;
        let search = record::search_text(&record::ROLES, &role.fields);
        tx.update_record(
            &record::ROLES,
            role.id,
            role.version,
            now,
            &Fields::new(),
            &search,
            &[("grants", json)],
        )
        .await?;
    }
    Ok(())
}

impl App {
    /// The stages of a pipeline the actor may read, in order.
    pub async fn stages(&self, session: &Session, pipeline: Uuid) -> AppResult<Vec<StageRow>> {
        let mut tx = self.store.read().await?;
        read_checked(
            &mut tx,
            session,
            RecordKind::Pipeline,
            pipeline,
            Action::Read,
        )
        .await?;
        let stages = tx.stages_of(Some(pipeline)).await?;
        tx.commit().await?;
        Ok(stages)
    }

    /// Replaces a pipeline's stages with `inputs`, in their order: stages named by id are kept
    /// (renamed, moved, re-weighted), others are new, and stages left out are removed — unless
    /// a deal is or was at them, which refuses the whole change.
    pub async fn set_stages(
        &self,
        session: &Session,
        pipeline: Uuid,
        inputs: Vec<StageInput>,
    ) -> AppResult<Vec<StageRow>> {
        let (now, session) = (self.now(), session.clone());
        self.write(move |tx| {
            Box::pin(async move { set_stages_in(tx, now, &session, pipeline, &inputs).await })
        })
        .await
    }
}

async fn set_stages_in(
    tx: &mut Tx,
    now: OffsetDateTime,
    session: &Session,
    pipeline: Uuid,
    inputs: &[StageInput],
) -> AppResult<Vec<StageRow>> {
    read_checked(tx, session, RecordKind::Pipeline, pipeline, Action::Update).await?;
    if session
        .actor
        .grants
        .scope(RecordKind::PipelineStage, Action::Update)
        != Scope::All
    {
        return Err(AppError::Forbidden);
    }
    let plans = validate_stages(inputs).map_err(AppError::Validation)?;
    let existing = tx.stages_of(Some(pipeline)).await?;
    let mut errors = ValidationErrors::new();
    for plan in &plans {
        if plan
            .id
            .is_some_and(|id| !existing.iter().any(|s| s.id == id))
        {
            errors.add(
                format!("stages.{}.name", plan.position),
                FieldError::NOT_FOUND,
            );
        }
    }
    errors.into_result().map_err(AppError::Validation)?;
    let removed: Vec<&StageRow> = existing
        .iter()
        .filter(|s| !plans.iter().any(|p| p.id == Some(s.id)))
        .collect();
    for stage in &removed {
        if tx.stage_in_use(stage.id).await? {
            return Err(AppError::InUse);
        }
    }
    for stage in &removed {
        tx.delete_record(&PIPELINE_STAGES, stage.id).await?;
    }
    // Positions are unique per pipeline: kept stages step aside to negative positions first, so
    // that a reordering never collides with itself half-way.
    let mut versions = std::collections::BTreeMap::new();
    for stage in existing
        .iter()
        .filter(|s| !removed.iter().any(|r| r.id == s.id))
    {
        let mut aside = Fields::new();
        aside.insert("position".into(), Value::Int(-stage.position));
        let search =
            record::search_text(&PIPELINE_STAGES, &stage_fields(pipeline, &plan_of(stage)));
        tx.update_record(
            &PIPELINE_STAGES,
            stage.id,
            stage.version,
            now,
            &aside,
            &search,
            &[],
        )
        .await?;
        versions.insert(stage.id, stage.version + 1);
    }
    for plan in &plans {
        let fields = stage_fields(pipeline, plan);
        let search = record::search_text(&PIPELINE_STAGES, &fields);
        match plan.id.and_then(|id| versions.get(&id).map(|v| (id, *v))) {
            Some((id, version)) => {
                tx.update_record(&PIPELINE_STAGES, id, version, now, &fields, &search, &[])
                    .await?;
            }
            None => {
                tx.insert_record(&PIPELINE_STAGES, Uuid::now_v7(), now, &fields, &search, &[])
                    .await?;
            }
        }
    }
    let after = tx.stages_of(Some(pipeline)).await?;
    let describe = |stages: &[StageRow]| {
        stages
            .iter()
            .map(|s| format!("{} ({}%)", s.name, s.probability))
            .collect::<Vec<_>>()
    };
    let changes = json!({"stages": [describe(&existing), describe(&after)]});
    audit(
        tx,
        now,
        session,
        RecordKind::Pipeline,
        pipeline,
        "stages",
        changes,
    )
    .await?;
    Ok(after)
}

fn plan_of(stage: &StageRow) -> StagePlan {
    StagePlan {
        id: Some(stage.id),
        position: stage.position,
        name: stage.name.clone(),
        probability: stage.probability,
    }
}
