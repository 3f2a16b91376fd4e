//! A role's access rights: a table of record kinds × actions with a scope each, and the
//! fields hidden per kind.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use peyvand_app::{AppError, Session};
use peyvand_domain::permission::{Action, Grants, RecordKind, Scope};
use peyvand_domain::record::schema;

use super::form::WebForm;
use super::format::Fmt;
use super::guard::WebSession;
use super::options::Opt;
use super::page::{Layout, WebError, WebResult, field_label, kind_label, render_status, see_other};
use super::{only_for, parse_id};
use crate::AppState;
use crate::i18n::t;

/// One cell: the scope of one action on one kind.
#[derive(Debug, Clone)]
pub struct GrantCell {
    /// Form field name `scope.<kind>.<action>`.
    pub name: String,
    /// Accessible label ("Contacts — Read").
    pub label: String,
    /// Current scope, translated.
    pub current: String,
    /// Scope options.
    pub options: Vec<Opt>,
}

/// A field that may be hidden.
#[derive(Debug, Clone)]
pub struct HiddenField {
    /// Field name (checkbox value).
    pub name: String,
    /// Label.
    pub label: String,
    /// Whether it is hidden now.
    pub checked: bool,
}

/// One kind's row.
#[derive(Debug, Clone)]
pub struct GrantRow {
    /// Kind code (form field names).
    pub kind: String,
    /// Kind name.
    pub label: String,
    /// One cell per action, in [`Action::ALL`] order.
    pub cells: Vec<GrantCell>,
    /// Fields that can be hidden.
    pub hidden: Vec<HiddenField>,
}

/// The grants matrix of `grants`, for showing and editing.
pub fn grant_rows(fmt: &Fmt, grants: &Grants) -> Vec<GrantRow> {
    RecordKind::ALL
        .iter()
        .map(|&kind| {
            let label = kind_label(fmt.locale, kind);
            let cells = Action::ALL
                .iter()
                .map(|&action| {
                    let scope = grants.scope(kind, action);
                    GrantCell {
                        name: format!("scope.{}.{}", kind.code(), action.code()),
                        label: format!(
                            "{label} — {}",
                            t(fmt.locale, &format!("action-{}", action.code()))
                        ),
                        current: t(fmt.locale, &format!("scope-{}", scope.code())),
                        options: Scope::ALL
                            .iter()
                            .map(|s| Opt {
                                value: s.code().into(),
                                label: t(fmt.locale, &format!("scope-{}", s.code())),
                                selected: *s == scope,
                            })
                            .collect(),
                    }
                })
                .collect();
            let hidden = schema(kind)
                .fields
                .iter()
                .filter(|f| !f.required)
                .map(|f| HiddenField {
                    name: f.name.into(),
                    label: field_label(fmt.locale, f.name),
                    checked: grants.is_hidden(kind, f.name),
                })
                .collect();
            GrantRow {
                kind: kind.code().into(),
                label,
                cells,
                hidden,
            }
        })
        .collect()
}

/// Reads the grants back from the editor's form; unknown scopes count as none.
pub fn grants_from_form(form: &WebForm) -> Grants {
    let mut grants = Grants::new();
    for &kind in &RecordKind::ALL {
        for &action in &Action::ALL {
            let name = format!("scope.{}.{}", kind.code(), action.code());
            let scope = form
                .get(&name)
                .and_then(Scope::parse)
                .unwrap_or(Scope::None);
            grants.set(kind, action, scope);
        }
        for field in form.all(&format!("hidden.{}", kind.code())) {
            if schema(kind).field(field).is_some() {
                grants.hide(kind, field);
            }
        }
    }
    grants
}

/// The grants editor.
#[derive(Template)]
#[template(path = "grants.html")]
pub struct GrantsTemplate {
    /// Frame.
    pub l: Layout,
    /// Heading naming the role.
    pub heading: String,
    /// Where it posts.
    pub action: String,
    /// The role's version.
    pub version: i64,
    /// Action column headers.
    pub actions: Vec<String>,
    /// The matrix.
    pub rows: Vec<GrantRow>,
    /// A message (conflict, rights beyond one's own).
    pub error: Option<String>,
    /// The role's page.
    pub cancel_href: String,
}

async fn page(
    state: &AppState,
    session: &Session,
    role_id: uuid::Uuid,
    shown: Option<(&Grants, i64)>,
    error: Option<String>,
) -> WebResult {
    let role = state.app.get(session, RecordKind::Role, role_id).await?;
    let stored;
    let (grants, version) = match shown {
        Some(shown) => shown,
        None => {
            stored = state.app.role_grants(session, role_id).await?;
            (&stored, role.version)
        }
    };
    let fmt = Fmt::of(session);
    let heading = crate::i18n::t_args(
        session.locale,
        "grants-title",
        &[("title", role.title.clone())],
    );
    let l = Layout::new(session, heading.clone(), "roles");
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let template = GrantsTemplate {
        actions: Action::ALL
            .iter()
            .map(|a| l.t(&format!("action-{}", a.code())))
            .collect(),
        l,
        heading,
        action: format!("/roles/{role_id}/grants"),
        version,
        rows: grant_rows(&fmt, grants),
        error,
        cancel_href: format!("/roles/{role_id}"),
    };
    Ok(render_status(status, &template))
}

/// `GET /roles/{id}/grants`.
pub async fn form(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Path((kind, id)): Path<(String, String)>,
) -> WebResult {
    only_for(&kind, "roles")?;
    page(&state, &session, parse_id(&id)?, None, None).await
}

/// `POST /roles/{id}/grants`.
pub async fn submit(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Path((kind, id)): Path<(String, String)>,
    form: WebForm,
) -> WebResult {
    only_for(&kind, "roles")?;
    let id = parse_id(&id)?;
    let version: i64 = form
        .get("version")
        .and_then(|v| v.parse().ok())
        .ok_or(WebError(AppError::BadRequest("version")))?;
    let grants = grants_from_form(&form);
    match state
        .app
        .set_role_grants(&session, id, version, &grants)
        .await
    {
        Ok(_) => Ok(see_other(&format!("/roles/{id}"))),
        Err(AppError::VersionConflict) => {
            // Show the stored rights: the other person's change wins, this one is redone.
            page(
                &state,
                &session,
                id,
                None,
                Some(t(session.locale, "form-conflict")),
            )
            .await
        }
        Err(error @ (AppError::Validation(_) | AppError::InUse)) => {
            let message = match &error {
                AppError::Validation(errors) => errors
                    .fields
                    .iter()
                    .map(|(f, e)| {
                        format!(
                            "{}: {}",
                            field_label(session.locale, f),
                            t(session.locale, &format!("field-error-{}", e.code()))
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(" "),
                other => t(session.locale, &format!("error-{}", other.code().code)),
            };
            page(
                &state,
                &session,
                id,
                Some((&grants, version)),
                Some(message),
            )
            .await
        }
        Err(error) => Err(error.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_editor_form_round_trips_grants() {
        let mut grants = Grants::new().with(
            RecordKind::Contact,
            &[Action::Read, Action::Update],
            Scope::Branch,
        );
        grants.hide(RecordKind::Contact, "email");
        let fmt = Fmt {
            locale: peyvand_domain::calendar::Locale::En,
            calendar: peyvand_domain::calendar::CalendarKind::Gregorian,
        };
        let mut pairs = Vec::new();
        for row in grant_rows(&fmt, &grants) {
            for cell in row.cells {
                let selected = cell
                    .options
                    .iter()
                    .find(|o| o.selected)
                    .unwrap()
                    .value
                    .clone();
                pairs.push((cell.name, selected));
            }
            for field in row.hidden.into_iter().filter(|f| f.checked) {
                pairs.push((format!("hidden.{}", row.kind), field.name));
            }
        }
        assert_eq!(grants_from_form(&WebForm(pairs)), grants);
    }
}
