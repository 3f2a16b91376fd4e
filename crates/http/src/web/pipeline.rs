//! The sales pipeline's pages (issue 4): a pipeline's board with moving cards (drag and drop
//! with a little script, a select and a button without it) and the administrators' stage
//! editor. The reports are in `pipeline_reports`.

use askama::Template;
use axum::extract::{Path, Query, State};
use peyvand_app::pipeline::{Move, StageRowView};
use peyvand_app::{AppError, ListParams, Session};
use peyvand_domain::permission::{Action, RecordKind};
use peyvand_domain::pipeline::stages::{MAX_STAGES, StageInput};
use serde::Deserialize;
use uuid::Uuid;

use super::form::WebForm;
use super::format::Fmt;
use super::guard::WebSession;
use super::page::{Layout, WebError, WebResult, may, render, see_other};
use crate::AppState;
use crate::i18n::t;

/// A choice of a select: value, label, selected.
#[derive(Debug, Clone)]
pub struct Choice {
    /// The submitted value.
    pub value: String,
    /// What is shown.
    pub label: String,
    /// Whether it is the current one.
    pub selected: bool,
}

/// A card of the board.
#[derive(Debug, Clone)]
pub struct Card {
    /// Opportunity id.
    pub id: Uuid,
    /// Its version (for the move).
    pub version: i64,
    /// Its name.
    pub title: String,
    /// Its amount, formatted.
    pub amount: String,
    /// Expected close, formatted.
    pub close: String,
}

/// A column of the board.
#[derive(Debug, Clone)]
pub struct Column {
    /// Stage id.
    pub id: Uuid,
    /// Stage name.
    pub name: String,
    /// The value of the move form's target for this stage.
    pub target: String,
    /// Win probability, formatted.
    pub probability: String,
    /// Number of open deals, formatted.
    pub count: String,
    /// Their sum, formatted.
    pub amount: String,
    /// The first cards.
    pub cards: Vec<Card>,
}

/// The board page.
#[derive(Template)]
#[template(path = "sales_board.html")]
pub struct BoardTemplate {
    /// Frame.
    pub l: Layout,
    /// Pipeline id.
    pub pipeline_id: Uuid,
    /// Pipelines to switch to.
    pub pipelines: Vec<Choice>,
    /// Columns.
    pub columns: Vec<Column>,
    /// Where a card can go (stages, won, lost), for the form without script.
    pub targets: Vec<Choice>,
    /// Loss reasons.
    pub reasons: Vec<Choice>,
    /// Whether the user may edit the stages.
    pub edit_stages: bool,
}

/// `?pipeline_id=` of the board.
#[derive(Debug, Deserialize)]
pub struct BoardQuery {
    pipeline_id: Option<String>,
}

/// The pipelines the user may read, as choices, with `current` selected.
pub async fn pipeline_choices(
    state: &AppState,
    session: &Session,
    current: Option<Uuid>,
) -> WebResult<Vec<Choice>> {
    let page = state
        .app
        .list(
            session,
            RecordKind::Pipeline,
            &ListParams {
                limit: Some(200),
                ..Default::default()
            },
        )
        .await?;
    let default = page
        .items
        .iter()
        .find(|p| p.get("is_default") == &peyvand_domain::record::Value::Bool(true))
        .or(page.items.first())
        .map(|p| p.id);
    let current = current.or(default);
    Ok(page
        .items
        .iter()
        .map(|p| Choice {
            value: p.id.to_string(),
            label: p.title.clone(),
            selected: Some(p.id) == current,
        })
        .collect())
}

/// Records of a kind as choices (users, teams, branches, loss reasons), empty if unreadable.
pub async fn record_choices(
    state: &AppState,
    session: &Session,
    kind: RecordKind,
    current: Option<Uuid>,
) -> Vec<Choice> {
    let Ok(choices) = state.app.record_choices(session, kind, 200).await else {
        return Vec::new();
    };
    choices
        .into_iter()
        .map(|(id, title)| Choice {
            value: id.to_string(),
            label: title,
            selected: Some(id) == current,
        })
        .collect()
}

/// The loss reasons still in use (administrators retire a reason by clearing "active").
async fn active_reasons(state: &AppState, session: &Session) -> Vec<Choice> {
    let params = ListParams {
        filters: std::collections::BTreeMap::from([("active".to_owned(), "true".to_owned())]),
        limit: Some(200),
        ..Default::default()
    };
    match state
        .app
        .list(session, RecordKind::LossReason, &params)
        .await
    {
        Ok(page) => page
            .items
            .iter()
            .map(|r| Choice {
                value: r.id.to_string(),
                label: r.title.clone(),
                selected: false,
            })
            .collect(),
        Err(_) => Vec::new(),
    }
}

fn selected(choices: &[Choice]) -> Option<Uuid> {
    choices
        .iter()
        .find(|c| c.selected)
        .and_then(|c| Uuid::parse_str(&c.value).ok())
}

fn parse_optional_id(value: Option<&str>) -> Option<Uuid> {
    value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .and_then(|v| Uuid::parse_str(v).ok())
}

/// `GET /sales/board`.
pub async fn board(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Query(query): Query<BoardQuery>,
) -> WebResult {
    let fmt = Fmt::of(&session);
    let pipelines = pipeline_choices(
        &state,
        &session,
        parse_optional_id(query.pipeline_id.as_deref()),
    )
    .await?;
    let pipeline = selected(&pipelines).ok_or(WebError(AppError::NotFound))?;
    let board = state.app.board(&session, pipeline, 30).await?;
    let rial = t(session.locale, "rial");
    let columns = board
        .columns
        .iter()
        .map(|c| Column {
            id: c.stage.id,
            name: c.stage.name.clone(),
            target: format!("stage:{}", c.stage.id),
            probability: fmt.digits(&format!("{}%", c.stage.probability)),
            count: fmt.integer(c.count),
            amount: format!("{} {rial}", fmt.integer(c.amount)),
            cards: c
                .cards
                .iter()
                .map(|card| Card {
                    id: card.id,
                    version: card.version,
                    title: card.title.clone(),
                    amount: match card.get("amount") {
                        peyvand_domain::record::Value::Int(n) => {
                            format!("{} {rial}", fmt.integer(*n))
                        }
                        _ => String::new(),
                    },
                    close: match card.get("expected_close") {
                        peyvand_domain::record::Value::Date(d) => {
                            peyvand_domain::calendar::format_date(
                                *d,
                                session.calendar,
                                session.locale,
                            )
                        }
                        _ => String::new(),
                    },
                })
                .collect(),
        })
        .collect();
    let mut targets: Vec<Choice> = board
        .columns
        .iter()
        .map(|c| Choice {
            value: format!("stage:{}", c.stage.id),
            label: c.stage.name.clone(),
            selected: false,
        })
        .collect();
    for status in ["won", "lost"] {
        targets.push(Choice {
            value: status.to_owned(),
            label: fmt.choice(status),
            selected: false,
        });
    }
    let reasons: Vec<Choice> = active_reasons(&state, &session).await;
    let l = Layout::new(&session, t(session.locale, "sales-board"), "sales/board");
    Ok(render(&BoardTemplate {
        l,
        pipeline_id: pipeline,
        pipelines,
        columns,
        targets,
        reasons,
        edit_stages: may(&session, RecordKind::PipelineStage, Action::Update)
            && session
                .actor
                .grants
                .scope(RecordKind::PipelineStage, Action::Update)
                == peyvand_domain::permission::Scope::All,
    }))
}

/// `POST /sales/board/{id}/move`: the board's form without script.
pub async fn move_card(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Path(id): Path<String>,
    form: WebForm,
) -> WebResult {
    let id = Uuid::parse_str(&id).map_err(|_| WebError(AppError::NotFound))?;
    let version = form
        .get("version")
        .and_then(|v| v.parse().ok())
        .ok_or(WebError(AppError::BadRequest("version")))?;
    let target = form.get("target").unwrap_or_default();
    let mut to = Move {
        version,
        ..Default::default()
    };
    match target.strip_prefix("stage:") {
        Some(stage) => to.stage_id = Uuid::parse_str(stage).ok(),
        None => to.status = Some(target.to_owned()),
    }
    to.loss_reason_id = parse_optional_id(form.get("loss_reason_id"));
    state.app.move_opportunity(&session, id, &to).await?;
    let pipeline = form.get("pipeline_id").unwrap_or_default();
    Ok(see_other(&format!("/sales/board?pipeline_id={pipeline}")))
}

/// One row of the stage editor.
#[derive(Debug, Clone)]
pub struct StageRowForm {
    /// 1-based row number.
    pub number: usize,
    /// The kept stage's id, empty for a new one.
    pub id: String,
    /// Name as typed.
    pub name: String,
    /// Probability as typed.
    pub probability: String,
}

/// The stage editor.
#[derive(Template)]
#[template(path = "sales_stages.html")]
pub struct StagesTemplate {
    /// Frame.
    pub l: Layout,
    /// The pipeline.
    pub pipeline_id: Uuid,
    /// Its name.
    pub pipeline_name: String,
    /// Seven rows: the stages, then empty ones.
    pub rows: Vec<StageRowForm>,
    /// Messages of a refused save.
    pub errors: Vec<String>,
}

fn rows_of(stages: &[StageRowView]) -> Vec<StageRowForm> {
    (0..MAX_STAGES)
        .map(|i| match stages.get(i) {
            Some(s) => StageRowForm {
                number: i + 1,
                id: s.id.to_string(),
                name: s.name.clone(),
                probability: s.probability.to_string(),
            },
            None => StageRowForm {
                number: i + 1,
                id: String::new(),
                name: String::new(),
                probability: String::new(),
            },
        })
        .collect()
}

async fn stages_page(
    state: &AppState,
    session: &Session,
    pipeline: Uuid,
    rows: Option<Vec<StageRowForm>>,
    errors: Vec<String>,
) -> WebResult {
    let view = state
        .app
        .get(session, RecordKind::Pipeline, pipeline)
        .await?;
    let rows = match rows {
        Some(rows) => rows,
        None => rows_of(&state.app.stages(session, pipeline).await?),
    };
    let l = Layout::new(session, t(session.locale, "sales-stages"), "pipelines");
    Ok(render(&StagesTemplate {
        l,
        pipeline_id: pipeline,
        pipeline_name: view.title,
        rows,
        errors,
    }))
}

/// `GET /pipelines/{id}/stages`.
pub async fn stages_form(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Path(id): Path<String>,
) -> WebResult {
    let id = Uuid::parse_str(&id).map_err(|_| WebError(AppError::NotFound))?;
    stages_page(&state, &session, id, None, Vec::new()).await
}

/// `POST /pipelines/{id}/stages`: rows with an empty name are left out.
pub async fn stages_save(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Path(id): Path<String>,
    form: WebForm,
) -> WebResult {
    let pipeline = Uuid::parse_str(&id).map_err(|_| WebError(AppError::NotFound))?;
    let rows: Vec<StageRowForm> = (1..=MAX_STAGES)
        .map(|n| StageRowForm {
            number: n,
            id: form.get(&format!("id_{n}")).unwrap_or_default().to_owned(),
            name: form
                .get(&format!("name_{n}"))
                .unwrap_or_default()
                .to_owned(),
            probability: form
                .get(&format!("probability_{n}"))
                .unwrap_or_default()
                .to_owned(),
        })
        .collect();
    let inputs: Vec<StageInput> = rows
        .iter()
        .filter(|r| !r.name.trim().is_empty())
        .map(|r| StageInput {
            id: parse_optional_id(Some(&r.id)),
            name: r.name.clone(),
            probability: r.probability.clone(),
        })
        .collect();
    match state.app.set_stages(&session, pipeline, inputs).await {
        Ok(_) => Ok(see_other(&format!("/sales/board?pipeline_id={pipeline}"))),
        Err(AppError::Validation(errors)) => {
            let messages = errors
                .fields
                .iter()
                .map(|(field, code)| stage_error(session.locale, field, code.code()))
                .collect();
            stages_page(&state, &session, pipeline, Some(rows), messages).await
        }
        Err(AppError::InUse) => {
            let message = t(session.locale, "sales-stage-in-use");
            stages_page(&state, &session, pipeline, Some(rows), vec![message]).await
        }
        Err(other) => Err(WebError(other)),
    }
}

/// "Stage 2, probability: not a number" from `stages.2.probability` and its code.
fn stage_error(locale: peyvand_domain::calendar::Locale, field: &str, code: &str) -> String {
    let message = t(locale, &format!("field-error-{code}"));
    let mut parts = field.split('.');
    match (parts.next(), parts.next(), parts.next()) {
        (Some("stages"), Some(number), Some(name)) => {
            let comma = if locale.is_rtl() { "،" } else { "," };
            format!(
                "{} {}{comma} {}: {message}",
                t(locale, "sales-stage"),
                if locale.is_rtl() {
                    peyvand_domain::text::to_persian_digits(number)
                } else {
                    number.to_owned()
                },
                t(locale, &format!("field-{name}"))
            )
        }
        _ => format!("{}: {message}", t(locale, "sales-stages")),
    }
}
