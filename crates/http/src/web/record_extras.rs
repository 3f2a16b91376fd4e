//! Notes and relationships on customer records (forms on the record page).

use axum::extract::{Path, State};
use peyvand_app::AppError;
use peyvand_domain::permission::RecordKind;
use peyvand_domain::validation::FieldError;

use super::form::WebForm;
use super::guard::WebSession;
use super::page::{WebError, WebResult, see_other};
use super::{parse_id, schema_at};
use crate::AppState;

fn customer_schema(
    session: &peyvand_app::Session,
    kind: &str,
) -> Result<&'static peyvand_domain::record::Schema, WebError> {
    let schema = schema_at(session, kind)?;
    if schema.kind.is_customer() {
        Ok(schema)
    } else {
        Err(WebError(AppError::NotFound))
    }
}

/// `POST /{kind}/{id}/notes`.
pub async fn add_note(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Path((kind, id)): Path<(String, String)>,
    form: WebForm,
) -> WebResult {
    let schema = customer_schema(&session, &kind)?;
    let id = parse_id(&id)?;
    state
        .app
        .add_note(
            &session,
            schema.kind,
            id,
            form.get("body").unwrap_or_default(),
        )
        .await?;
    Ok(see_other(&format!("/{}/{id}#interactions", schema.path)))
}

/// `POST /{kind}/{id}/notes/{note}/delete`.
pub async fn delete_note(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Path((kind, id, note)): Path<(String, String, String)>,
) -> WebResult {
    let schema = customer_schema(&session, &kind)?;
    let id = parse_id(&id)?;
    state.app.delete_note(&session, parse_id(&note)?).await?;
    Ok(see_other(&format!("/{}/{id}#interactions", schema.path)))
}

/// `POST /{kind}/{id}/relationships` with `other` = `kind:id`, `relation_type` and `note`.
pub async fn add_relationship(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Path((kind, id)): Path<(String, String)>,
    form: WebForm,
) -> WebResult {
    let schema = customer_schema(&session, &kind)?;
    let id = parse_id(&id)?;
    let (to_kind, to_id) = form
        .get("other")
        .and_then(|v| v.split_once(':'))
        .and_then(|(k, i)| Some((RecordKind::parse(k)?, uuid::Uuid::parse_str(i).ok()?)))
        .ok_or_else(|| AppError::field("to_id", FieldError::REQUIRED))?;
    let relation = form.get("relation_type").unwrap_or_default();
    let note = form.get("note");
    state
        .app
        .add_relationship(
            &session,
            (schema.kind, id),
            to_kind.code(),
            to_id,
            relation,
            note,
        )
        .await?;
    Ok(see_other(&format!("/{}/{id}#attributes", schema.path)))
}

/// `POST /{kind}/{id}/relationships/{rel}/delete`.
pub async fn delete_relationship(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Path((kind, id, rel)): Path<(String, String, String)>,
) -> WebResult {
    let schema = customer_schema(&session, &kind)?;
    let id = parse_id(&id)?;
    state
        .app
        .delete_relationship(&session, parse_id(&rel)?)
        .await?;
    Ok(see_other(&format!("/{}/{id}#attributes", schema.path)))
}
