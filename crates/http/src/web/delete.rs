//! Deleting a record, after a confirmation page (a GET never deletes anything).

use askama::Template;
use axum::extract::{Path, State};

use super::guard::WebSession;
use super::page::{Layout, WebResult, kind_label_one, render, see_other};
use super::{parse_id, schema_at};
use crate::AppState;

/// "Are you sure?"
#[derive(Template)]
#[template(path = "delete.html")]
pub struct DeleteTemplate {
    /// Frame.
    pub l: Layout,
    /// The question, naming the record.
    pub question: String,
    /// What deleting means (what is lost, what is kept).
    pub warning: String,
    /// Where the form posts.
    pub action: String,
    /// Where "cancel" goes.
    pub cancel_href: String,
}

/// `GET /{kind}/{id}/delete`.
pub async fn confirm(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Path((kind, id)): Path<(String, String)>,
) -> WebResult {
    let schema = schema_at(&session, &kind)?;
    let view = state.app.get(&session, schema.kind, parse_id(&id)?).await?;
    let base = format!("/{}/{}", schema.path, view.id);
    let question = crate::i18n::t_args(
        session.locale,
        "delete-question",
        &[
            ("kind", kind_label_one(session.locale, schema.kind)),
            ("title", view.title.clone()),
        ],
    );
    let l = Layout::new(&session, question.clone(), schema.path);
    Ok(render(&DeleteTemplate {
        l,
        question,
        warning: crate::i18n::t(session.locale, "delete-warning"),
        action: format!("{base}/delete"),
        cancel_href: base,
    }))
}

/// `POST /{kind}/{id}/delete`: deletes and goes back to the list.
pub async fn submit(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Path((kind, id)): Path<(String, String)>,
) -> WebResult {
    let schema = schema_at(&session, &kind)?;
    state
        .app
        .delete(&session, schema.kind, parse_id(&id)?)
        .await?;
    Ok(see_other(&format!("/{}", schema.path)))
}
