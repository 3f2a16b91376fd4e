//! `/settings/fields`: administrators add, change and delete custom fields of accounts,
//! contacts and leads. Everybody may look at the list; only administrators get the forms.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use peyvand_app::{AppError, Session};
use peyvand_domain::custom::{CUSTOM_KINDS, CustomField, CustomFieldInput, CustomType};
use peyvand_domain::permission::RecordKind;

use super::delete::DeleteTemplate;
use super::edit::{FormField, FormTemplate, errors_of};
use super::form::WebForm;
use super::guard::WebSession;
use super::options::Opt;
use super::page::{Layout, WebError, WebResult, kind_label, render, render_status, see_other};
use super::parse_id;
use crate::AppState;
use crate::i18n::{t, t_args};

/// One custom field as listed.
pub struct FieldItem {
    /// Definition id.
    pub id: String,
    /// Label in the user's language.
    pub label: String,
    /// Column and API name.
    pub name: String,
    /// Translated type.
    pub type_label: String,
    /// The choices, joined (empty for other types).
    pub choices: String,
    /// "Yes" or "No".
    pub required: String,
}

/// The custom fields of one kind.
pub struct KindGroup {
    /// Kind code (`contact`).
    pub kind: &'static str,
    /// Plural name of the kind.
    pub label: String,
    /// Its fields, in form order.
    pub fields: Vec<FieldItem>,
}

/// The list page.
#[derive(Template)]
#[template(path = "custom_fields.html")]
pub struct CustomFieldsTemplate {
    /// Frame.
    pub l: Layout,
    /// One group per kind that takes custom fields.
    pub groups: Vec<KindGroup>,
    /// Whether the user may add, change and delete fields.
    pub can_manage: bool,
    /// A message after a change.
    pub notice: Option<String>,
}

fn type_label(session: &Session, ty: CustomType) -> String {
    t(session.locale, &format!("custom-type-{}", ty.code()))
}

fn label_of(session: &Session, field: &CustomField) -> String {
    if session.locale.code() == "fa" {
        field.label_fa.clone()
    } else {
        field.label_en.clone()
    }
}

/// `GET /settings/fields`.
pub async fn list(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Query(query): Query<HashMap<String, String>>,
) -> WebResult {
    let yes_no = |b: bool| t(session.locale, if b { "yes" } else { "no" });
    let groups = CUSTOM_KINDS
        .iter()
        .map(|kind| KindGroup {
            kind: kind.code(),
            label: kind_label(session.locale, *kind),
            fields: state
                .app
                .custom_fields(&session, *kind)
                .iter()
                .map(|f| FieldItem {
                    id: f.id.to_string(),
                    label: label_of(&session, f),
                    name: f.name.clone(),
                    type_label: type_label(&session, f.field_type),
                    choices: f.choices.join("، "),
                    required: yes_no(f.required),
                })
                .collect(),
        })
        .collect();
    let notice = query
        .get("done")
        .filter(|d| matches!(d.as_str(), "created" | "updated" | "deleted"))
        .map(|d| t(session.locale, &format!("custom-field-{d}")));
    let l = Layout::new(&session, t(session.locale, "custom-fields"), "settings");
    Ok(render(&CustomFieldsTemplate {
        l,
        groups,
        can_manage: state.app.may_manage_custom_fields(&session),
        notice,
    }))
}

fn require_manager(state: &AppState, session: &Session) -> Result<(), WebError> {
    if state.app.may_manage_custom_fields(session) {
        Ok(())
    } else {
        Err(WebError(AppError::Forbidden))
    }
}

fn customer_kind(raw: Option<&String>) -> Result<RecordKind, WebError> {
    raw.and_then(|k| RecordKind::parse(k))
        .filter(|k| CUSTOM_KINDS.contains(k))
        .ok_or(WebError(AppError::NotFound))
}

/// The values a definition form shows: a stored definition or what was typed.
struct Shown {
    name: String,
    label_fa: String,
    label_en: String,
    field_type: String,
    choices: String,
    reference: String,
    required: bool,
    in_list: bool,
}

impl Shown {
    fn of(field: &CustomField) -> Shown {
        Shown {
            name: field.name.clone(),
            label_fa: field.label_fa.clone(),
            label_en: field.label_en.clone(),
            field_type: field.field_type.code().to_owned(),
            choices: field.choices.join("\n"),
            reference: field.reference.map_or("", RecordKind::code).to_owned(),
            required: field.required,
            in_list: field.in_list,
        }
    }

    fn typed(form: &WebForm) -> Shown {
        let text = |name: &str| form.get(name).unwrap_or_default().to_owned();
        Shown {
            name: text("name"),
            label_fa: text("label_fa"),
            label_en: text("label_en"),
            field_type: text("field_type"),
            choices: text("choices"),
            reference: text("reference"),
            required: form.checked("required"),
            in_list: form.checked("in_list"),
        }
    }
}

/// What the form submits, as the domain's input. The type is only read when adding.
fn input_of(form: &WebForm, adding: bool) -> CustomFieldInput {
    let text = |name: &str| form.get(name).map(str::to_owned);
    CustomFieldInput {
        name: text("name"),
        field_type: if adding { text("field_type") } else { None },
        choices: form
            .get("choices")
            .map(|c| c.lines().map(str::to_owned).collect()),
        reference: if adding {
            text("reference").filter(|r| !r.is_empty())
        } else {
            None
        },
        required: Some(form.checked("required")),
        in_list: Some(form.checked("in_list")),
        label_fa: text("label_fa"),
        label_en: text("label_en"),
    }
}

fn options(values: Vec<(String, String)>, selected: &str) -> Vec<Opt> {
    values
        .into_iter()
        .map(|(value, label)| Opt {
            selected: value == selected,
            value,
            label,
        })
        .collect()
}

fn form_fields(
    session: &Session,
    shown: &Shown,
    adding: bool,
    errors: &BTreeMap<String, &'static str>,
) -> Vec<FormField> {
    let locale = session.locale;
    let label = |key: &str| t(locale, &format!("custom-field-{key}"));
    let mut name = FormField::input("name", label("name"), "text", shown.name.clone());
    name.required = true;
    name.ltr = true;
    name.hint = label("name-hint");
    let mut label_fa = FormField::input(
        "label_fa",
        label("label_fa"),
        "text",
        shown.label_fa.clone(),
    );
    label_fa.required = true;
    let mut label_en = FormField::input(
        "label_en",
        label("label_en"),
        "text",
        shown.label_en.clone(),
    );
    label_en.required = true;
    let mut field_type = FormField::input("field_type", label("type"), "text", String::new());
    field_type.widget = "select";
    field_type.required = true;
    let types = CustomType::ALL
        .into_iter()
        .filter(|ty| adding || ty.code() == shown.field_type)
        .map(|ty| (ty.code().to_owned(), type_label(session, ty)))
        .collect();
    field_type.options = options(types, &shown.field_type);
    if !adding {
        field_type.hint = label("type-fixed");
    }
    let mut choices = FormField::input("choices", label("choices"), "text", shown.choices.clone());
    choices.widget = "textarea";
    choices.hint = label("choices-hint");
    let mut reference = FormField::input("reference", label("reference"), "text", String::new());
    reference.widget = "select";
    reference.hint = label("reference-hint");
    let kinds = RecordKind::ALL
        .into_iter()
        .filter(|k| adding || k.code() == shown.reference)
        .map(|k| (k.code().to_owned(), kind_label(locale, k)))
        .collect();
    reference.options = options(kinds, &shown.reference);
    let mut required = FormField::input("required", label("required"), "checkbox", String::new());
    required.widget = "checkbox";
    required.checked = shown.required;
    let mut in_list = FormField::input("in_list", label("in_list"), "checkbox", String::new());
    in_list.widget = "checkbox";
    in_list.checked = shown.in_list;
    let mut fields = vec![
        label_fa, label_en, name, field_type, choices, reference, required, in_list,
    ];
    for field in &mut fields {
        field.error = errors
            .get(&field.name)
            .map(|code| t(locale, &format!("field-error-{code}")));
    }
    match fields.iter_mut().find(|f| f.error.is_some()) {
        Some(first) => first.autofocus = true,
        None => fields[0].autofocus = true,
    }
    fields
}

fn form_page(
    session: &Session,
    kind: RecordKind,
    editing: Option<&CustomField>,
    shown: &Shown,
    errors: &BTreeMap<String, &'static str>,
    status: StatusCode,
) -> Response {
    let heading = match editing {
        Some(field) => t_args(
            session.locale,
            "custom-field-edit-title",
            &[("label", label_of(session, field))],
        ),
        None => t_args(
            session.locale,
            "custom-field-new-title",
            &[("kind", kind_label(session.locale, kind))],
        ),
    };
    let action = match editing {
        Some(field) => format!("/settings/fields/{}", field.id),
        None => format!("/settings/fields?kind={}", kind.code()),
    };
    let alert = (!errors.is_empty()).then(|| t(session.locale, "form-fix-errors"));
    let l = Layout::new(session, heading.clone(), "settings");
    render_status(
        status,
        &FormTemplate {
            l,
            heading,
            action,
            version: None,
            fields: form_fields(session, shown, editing.is_none(), errors),
            alert,
            cancel_href: "/settings/fields".into(),
            duplicates: Vec::new(),
        },
    )
}

/// `GET /settings/fields/new?kind=contact`.
pub async fn new_form(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Query(query): Query<HashMap<String, String>>,
) -> WebResult {
    require_manager(&state, &session)?;
    let kind = customer_kind(query.get("kind"))?;
    let shown = Shown {
        name: String::new(),
        label_fa: String::new(),
        label_en: String::new(),
        field_type: "text".into(),
        choices: String::new(),
        reference: String::new(),
        required: false,
        in_list: false,
    };
    Ok(form_page(
        &session,
        kind,
        None,
        &shown,
        &BTreeMap::new(),
        StatusCode::OK,
    ))
}

/// `POST /settings/fields?kind=contact`.
pub async fn create(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Query(query): Query<HashMap<String, String>>,
    form: WebForm,
) -> WebResult {
    let kind = customer_kind(query.get("kind"))?;
    match state
        .app
        .create_custom_field(&session, kind, &input_of(&form, true))
        .await
    {
        Ok(_) => Ok(see_other("/settings/fields?done=created")),
        Err(error @ AppError::Validation(_)) => Ok(form_page(
            &session,
            kind,
            None,
            &Shown::typed(&form),
            &errors_of(&error),
            StatusCode::UNPROCESSABLE_ENTITY,
        )),
        Err(error) => Err(error.into()),
    }
}

/// `GET /settings/fields/{id}`.
pub async fn edit_form(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Path(id): Path<String>,
) -> WebResult {
    require_manager(&state, &session)?;
    let field = state.app.custom_field(&session, parse_id(&id)?)?;
    Ok(form_page(
        &session,
        field.kind,
        Some(&field),
        &Shown::of(&field),
        &BTreeMap::new(),
        StatusCode::OK,
    ))
}

/// `POST /settings/fields/{id}`.
pub async fn update(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Path(id): Path<String>,
    form: WebForm,
) -> WebResult {
    let field = state.app.custom_field(&session, parse_id(&id)?)?;
    match state
        .app
        .update_custom_field(&session, field.id, &input_of(&form, false))
        .await
    {
        Ok(_) => Ok(see_other("/settings/fields?done=updated")),
        Err(error @ AppError::Validation(_)) => {
            let mut shown = Shown::typed(&form);
            shown.field_type = field.field_type.code().to_owned();
            shown.reference = field.reference.map_or("", RecordKind::code).to_owned();
            Ok(form_page(
                &session,
                field.kind,
                Some(&field),
                &shown,
                &errors_of(&error),
                StatusCode::UNPROCESSABLE_ENTITY,
            ))
        }
        Err(error) => Err(error.into()),
    }
}

/// `GET /settings/fields/{id}/delete`: asks first, saying that the values go too.
pub async fn confirm_delete(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Path(id): Path<String>,
) -> WebResult {
    require_manager(&state, &session)?;
    let field = state.app.custom_field(&session, parse_id(&id)?)?;
    let question = t_args(
        session.locale,
        "custom-field-delete-question",
        &[
            ("label", label_of(&session, &field)),
            ("kind", kind_label(session.locale, field.kind)),
        ],
    );
    let l = Layout::new(&session, question.clone(), "settings");
    Ok(render(&DeleteTemplate {
        l,
        question,
        warning: t(session.locale, "custom-field-delete-warning"),
        action: format!("/settings/fields/{}/delete", field.id),
        cancel_href: "/settings/fields".into(),
    }))
}

/// `POST /settings/fields/{id}/delete`.
pub async fn delete(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Path(id): Path<String>,
) -> WebResult {
    state
        .app
        .delete_custom_field(&session, parse_id(&id)?)
        .await?;
    Ok(see_other("/settings/fields?done=deleted"))
}
