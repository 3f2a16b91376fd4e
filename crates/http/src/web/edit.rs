//! The one create/edit form of every kind, generated from the schema. A failed save shows the
//! form again with the values as typed and a message next to each bad field.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use peyvand_app::{AppError, NewUser, RecordView, Session};
use peyvand_domain::calendar::Locale;
use peyvand_domain::permission::{Grants, RecordKind};
use peyvand_domain::record::{FieldDef, FieldType, Schema, Value};
use peyvand_domain::service::sla::same_class;

use super::form::{WebForm, is_checkbox_list, schema_inputs};
use super::format::Fmt;
use super::guard::WebSession;
use super::options::{Opt, field_options};
use super::page::{
    Layout, WebError, WebResult, def_label, field_label, kind_label_one, render_status, see_other,
};
use super::{parse_id, schema_at};
use crate::AppState;
use crate::i18n::t;

/// One field of a form.
#[derive(Debug, Clone)]
pub struct FormField {
    /// Name (and id of the input).
    pub name: String,
    /// Label.
    pub label: String,
    /// Widget: `input`, `textarea`, `select`, `checkbox`, `checkboxes`, or `readonly` (the value
    /// shown as text and not sent with the form).
    pub widget: &'static str,
    /// `type` of an `input`.
    pub input_type: &'static str,
    /// `inputmode` hint for phone keyboards (empty for none).
    pub inputmode: &'static str,
    /// `autocomplete` hint (empty for none).
    pub autocomplete: &'static str,
    /// Current value.
    pub value: String,
    /// Whether a checkbox is ticked.
    pub checked: bool,
    /// Options of a select.
    pub options: Vec<Opt>,
    /// Whether a value is required.
    pub required: bool,
    /// Placeholder (date format).
    pub placeholder: String,
    /// Help text under the field.
    pub hint: String,
    /// The error, translated.
    pub error: Option<String>,
    /// Whether the content is left to right (email, phone, password).
    pub ltr: bool,
    /// Whether the field gets the focus when the page opens.
    pub autofocus: bool,
}

/// The form page.
#[derive(Template)]
#[template(path = "form.html")]
pub struct FormTemplate {
    /// Frame.
    pub l: Layout,
    /// Heading.
    pub heading: String,
    /// Where the form posts.
    pub action: String,
    /// The version being edited (updates only).
    pub version: Option<i64>,
    /// Fields.
    pub fields: Vec<FormField>,
    /// A message above the form (version conflict, general error).
    pub alert: Option<String>,
    /// Where "cancel" goes.
    pub cancel_href: String,
    /// Possible duplicates of the record being created; when there are any, the form asks to
    /// confirm (see [`super::duplicates`]).
    pub duplicates: Vec<super::duplicates::DuplicateLink>,
}

/// What a form shows for one field: the stored value or what was typed.
enum Source<'a> {
    Record(&'a peyvand_domain::record::Fields),
    Typed(&'a WebForm),
}

async fn build_fields(
    state: &AppState,
    session: &Session,
    schema: &'static Schema,
    source: Source<'_>,
    errors: &BTreeMap<String, &'static str>,
    with_password: bool,
) -> Vec<FormField> {
    let fmt = Fmt::of(session);
    let mut fields = Vec::new();
    let defs: Vec<&FieldDef> = peyvand_app::editable_fields(session, schema).collect();
    let classes = class_names(state, session, &defs).await;
    for def in defs {
        let (value, checked) = match &source {
            Source::Record(values) => {
                let value = values.get(def.name).unwrap_or(&Value::Null);
                let text = match (def.ty, value) {
                    // Percentages are typed as percents, stored as basis points.
                    (FieldType::Percent, Value::Int(bp)) => {
                        peyvand_domain::sales::percent::percent_input_text(*bp)
                    }
                    _ => fmt.input(value),
                };
                (text, *value == Value::Bool(true))
            }
            // Ticked boxes of a multiple choice come as repeated names.
            Source::Typed(form) if is_checkbox_list(def) => (form.all(def.name).join(","), false),
            Source::Typed(form) => (
                form.get(def.name).unwrap_or_default().to_owned(),
                form.checked(def.name),
            ),
        };
        let mut field = widget(&fmt, def, value, checked);
        field.options = field_options(&state.app, session, &fmt, def, &field.value).await;
        if CLASS_FIELDS.contains(&def.name) {
            offer_classes(&mut field, &classes);
        } else if CLASS_LIST_FIELDS.contains(&def.name) {
            offer_class_list(&mut field, &classes, session.locale);
        }
        if schema.kind == RecordKind::SmsTemplate && def.name == "body" {
            field.hint = sms_placeholders_hint(session.locale);
        }
        field.error = errors
            .get(def.name)
            .map(|code| t(session.locale, &format!("field-error-{code}")));
        fields.push(field);
    }
    if with_password {
        let mut field = FormField::input(
            "password",
            field_label(session.locale, "password"),
            "password",
            String::new(),
        );
        field.required = true;
        field.ltr = true;
        field.autocomplete = "new-password";
        field.hint = t(session.locale, "password-hint");
        field.error = errors
            .get("password")
            .map(|code| t(session.locale, &format!("field-error-{code}")));
        fields.push(field);
    }
    // The first bad field gets the focus, so fixing starts where the problem is.
    if let Some(first) = fields.iter_mut().find(|f| f.error.is_some()) {
        first.autofocus = true;
    } else if let Some(first) = fields.first_mut() {
        first.autofocus = true;
    }
    fields
}

/// The fields of the edit form of record `id`: those of [`build_fields`], with what the record's
/// kind shows read-only (an opportunity's amount while it has product lines).
async fn edit_fields(
    state: &AppState,
    session: &Session,
    schema: &'static Schema,
    id: uuid::Uuid,
    source: Source<'_>,
    errors: &BTreeMap<String, &'static str>,
) -> WebResult<Vec<FormField>> {
    let mut fields = build_fields(state, session, schema, source, errors, false).await;
    super::opportunity_lines::amount_from_lines(state, session, schema.kind, id, &mut fields)
        .await?;
    Ok(fields)
}

/// Fields of the service set-up that name a customer class: offered as a choice among the
/// classification scheme's classes, so an administrator picks a class that exists.
const CLASS_FIELDS: [&str; 1] = ["customer_class"];

/// Fields that name several customer classes (a routing rule's, a price list's): offered as a
/// multiple choice among the scheme's classes.
pub(super) const CLASS_LIST_FIELDS: [&str; 2] = ["match_customer_classes", "customer_classes"];

/// The scheme's class names, read only when the form has a class field.
async fn class_names(state: &AppState, session: &Session, defs: &[&FieldDef]) -> Vec<String> {
    let names_class = |name| CLASS_FIELDS.contains(&name) || CLASS_LIST_FIELDS.contains(&name);
    if !defs.iter().any(|d| d.writable && names_class(d.name)) {
        return Vec::new();
    }
    match state.app.classification_scheme(session).await {
        Ok(Some(scheme)) => scheme.classes.into_iter().map(|c| c.name).collect(),
        _ => Vec::new(),
    }
}

/// Turns a class field into a select of `classes`, keeping a current value that is no longer
/// among them so saving the form never drops it silently.
fn offer_classes(field: &mut FormField, classes: &[String]) {
    field.widget = "select";
    field.options = classes
        .iter()
        .map(|class| Opt {
            value: class.clone(),
            label: class.clone(),
            selected: *class == field.value,
        })
        .collect();
    if !field.value.is_empty() && !field.options.iter().any(|o| o.selected) {
        field.options.insert(
            0,
            Opt {
                value: field.value.clone(),
                label: field.value.clone(),
                selected: true,
            },
        );
    }
}

/// Turns a field holding several class names into checkboxes of `classes`, ticking those it
/// holds (compared as the routing compares classes). Names it holds that are no longer among
/// them come first, ticked, so saving the form never drops them silently.
fn offer_class_list(field: &mut FormField, classes: &[String], locale: Locale) {
    let chosen: Vec<&str> = field
        .value
        .split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect();
    let option = |name: &str, selected| Opt {
        value: name.to_owned(),
        label: name.to_owned(),
        selected,
    };
    let mut options: Vec<Opt> = chosen
        .iter()
        .filter(|c| !classes.iter().any(|class| same_class(class, c)))
        .map(|c| option(c, true))
        .collect();
    options.extend(classes.iter().map(|class| {
        let ticked = chosen.iter().any(|c| same_class(class, c));
        option(class, ticked)
    }));
    field.widget = "checkboxes";
    field.options = options;
    field.hint = if classes.is_empty() {
        t(locale, "classes-choice-none")
    } else {
        String::new()
    };
}

impl FormField {
    pub(super) fn input(
        name: &str,
        label: String,
        input_type: &'static str,
        value: String,
    ) -> FormField {
        FormField {
            name: name.to_owned(),
            label,
            widget: "input",
            input_type,
            inputmode: "",
            autocomplete: "",
            value,
            checked: false,
            options: Vec::new(),
            required: false,
            placeholder: String::new(),
            hint: String::new(),
            error: None,
            ltr: false,
            autofocus: false,
        }
    }
}

/// The widget for a field type.
fn widget(fmt: &Fmt, def: &FieldDef, value: String, checked: bool) -> FormField {
    let label = def_label(fmt.locale, def);
    let mut field = FormField::input(def.name, label, "text", value);
    field.required = def.required;
    match def.ty {
        FieldType::Email => {
            field.input_type = "email";
            field.inputmode = "email";
            field.autocomplete = "email";
            field.ltr = true;
        }
        FieldType::Phone => {
            field.input_type = "tel";
            field.inputmode = "tel";
            field.autocomplete = "tel";
            field.ltr = true;
        }
        FieldType::LongText => field.widget = "textarea",
        FieldType::Choice(_) | FieldType::Reference(_) => field.widget = "select",
        FieldType::Bool => {
            field.widget = "checkbox";
            field.checked = checked;
            field.required = false;
        }
        FieldType::Date => {
            // A text input, not type=date: browsers' date pickers know no Jalali calendar.
            field.placeholder = fmt.date_placeholder();
            field.hint = t(fmt.locale, "date-hint");
            field.inputmode = "numeric";
        }
        FieldType::Tags => field.hint = t(fmt.locale, "tags-hint"),
        FieldType::Integer => field.inputmode = "numeric",
        FieldType::Number => field.inputmode = "decimal",
        FieldType::Money => {
            field.inputmode = "numeric";
            field.hint = t(fmt.locale, "money-hint");
        }
        FieldType::MultiChoice(_) => field.widget = "checkboxes",
        FieldType::Percent => {
            field.inputmode = "decimal";
            field.hint = t(fmt.locale, "percent-hint");
        }
        FieldType::Text | FieldType::Timestamp => {}
    }
    field
}

/// Under an SMS template's text: the placeholders it may use and what each stands for (issue
/// 5 §5).
fn sms_placeholders_hint(locale: Locale) -> String {
    let list: Vec<String> = peyvand_domain::sms_templates::PLACEHOLDERS
        .iter()
        .map(|name| {
            format!(
                "{{{{{name}}}}} {}",
                t(locale, &format!("sms-placeholder-{name}"))
            )
        })
        .collect();
    format!(
        "{} {}",
        t(locale, "sms-placeholders-help"),
        list.join(" · ")
    )
}

/// The sentence above a refused form: "fix the marked fields", or for a contract template the
/// placeholder that is not known, by name (contracts, issue 4 §7).
fn form_alert(locale: peyvand_domain::calendar::Locale, error: &AppError) -> String {
    match error {
        AppError::UnknownPlaceholder(name) => {
            super::contracts::unknown_placeholder_message(locale, name)
        }
        _ => t(locale, "form-fix-errors"),
    }
}

pub(super) fn errors_of(error: &AppError) -> BTreeMap<String, &'static str> {
    match error {
        AppError::UnknownPlaceholder(_) => {
            BTreeMap::from([("body".to_owned(), "unknown_placeholder")])
        }
        AppError::Validation(errors) => errors
            .fields
            .iter()
            .map(|(k, v)| (k.clone(), v.code()))
            .collect(),
        _ => BTreeMap::new(),
    }
}

/// `GET /{kind}/new`.
pub async fn new_form(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Path(kind): Path<String>,
) -> WebResult {
    let schema = schema_at(&session, &kind)?;
    if !super::page::may(
        &session,
        schema.kind,
        peyvand_domain::permission::Action::Create,
    ) {
        return Err(WebError(AppError::Forbidden));
    }
    // A new record with an "active" flag starts active (templates, products): an unticked box
    // would otherwise save it inactive, out of the choices it was made for.
    let mut empty = BTreeMap::new();
    if schema
        .field("active")
        .is_some_and(|def| def.ty == FieldType::Bool)
    {
        empty.insert("active".into(), Value::Bool(true));
    }
    let fields = build_fields(
        &state,
        &session,
        schema,
        Source::Record(&empty),
        &BTreeMap::new(),
        schema.kind == RecordKind::User,
    )
    .await;
    Ok(page(&session, schema, None, fields, None, StatusCode::OK))
}

fn page(
    session: &Session,
    schema: &'static Schema,
    record: Option<(uuid::Uuid, i64, &str)>,
    fields: Vec<FormField>,
    alert: Option<String>,
    status: StatusCode,
) -> Response {
    page_with_duplicates(session, schema, record, fields, alert, status, Vec::new())
}

fn page_with_duplicates(
    session: &Session,
    schema: &'static Schema,
    record: Option<(uuid::Uuid, i64, &str)>,
    fields: Vec<FormField>,
    alert: Option<String>,
    status: StatusCode,
    duplicates: Vec<super::duplicates::DuplicateLink>,
) -> Response {
    let kind_one = kind_label_one(session.locale, schema.kind);
    let (heading, action, version, cancel_href) = match record {
        Some((id, version, title)) => (
            crate::i18n::t_args(
                session.locale,
                "form-edit-title",
                &[("kind", kind_one), ("title", title.to_owned())],
            ),
            format!("/{}/{id}", schema.path),
            Some(version),
            format!("/{}/{id}", schema.path),
        ),
        None => (
            crate::i18n::t_args(session.locale, "form-new-title", &[("kind", kind_one)]),
            format!("/{}", schema.path),
            None,
            format!("/{}", schema.path),
        ),
    };
    let l = Layout::new(session, heading.clone(), schema.path);
    render_status(
        status,
        &FormTemplate {
            l,
            heading,
            action,
            version,
            fields,
            alert,
            cancel_href,
            duplicates,
        },
    )
}

/// `POST /{kind}`.
pub async fn create(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Path(kind): Path<String>,
    form: WebForm,
) -> WebResult {
    let schema = schema_at(&session, &kind)?;
    let inputs = schema_inputs(&session, schema, &form);
    // Possible duplicates are shown before saving, unless the user has seen them and chosen to
    // save anyway. Input the check cannot read is left to the create to report.
    if schema.kind.is_customer() && form.get(super::duplicates::CONFIRM_FIELD) != Some("1") {
        let found = super::duplicates::links_for(&state, &session, schema, &inputs).await;
        if !found.is_empty() {
            let fields = build_fields(
                &state,
                &session,
                schema,
                Source::Typed(&form),
                &BTreeMap::new(),
                false,
            )
            .await;
            return Ok(page_with_duplicates(
                &session,
                schema,
                None,
                fields,
                None,
                StatusCode::OK,
                found,
            ));
        }
    }
    let result = match schema.kind {
        RecordKind::User => {
            let user = NewUser {
                fields: inputs,
                password: form.get("password").unwrap_or_default().to_owned(),
            };
            state
                .app
                .create_user(&session, &user, session.calendar)
                .await
        }
        // A new role starts with no rights; the grants editor comes next.
        RecordKind::Role => {
            state
                .app
                .create_role(&session, &inputs, &Grants::new())
                .await
        }
        kind => {
            state
                .app
                .create(&session, kind, &inputs, session.calendar)
                .await
        }
    };
    match result {
        Ok(view) if schema.kind == RecordKind::Role => {
            Ok(see_other(&format!("/roles/{}/grants", view.id)))
        }
        Ok(view) => Ok(see_other(&format!("/{}/{}", schema.path, view.id))),
        Err(error @ (AppError::Validation(_) | AppError::UnknownPlaceholder(_))) => {
            let errors = errors_of(&error);
            let fields = build_fields(
                &state,
                &session,
                schema,
                Source::Typed(&form),
                &errors,
                schema.kind == RecordKind::User,
            )
            .await;
            let alert = Some(form_alert(session.locale, &error));
            Ok(page(
                &session,
                schema,
                None,
                fields,
                alert,
                StatusCode::UNPROCESSABLE_ENTITY,
            ))
        }
        Err(error) => Err(error.into()),
    }
}

/// `GET /{kind}/{id}/edit`.
pub async fn edit_form(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Path((kind, id)): Path<(String, String)>,
) -> WebResult {
    let schema = schema_at(&session, &kind)?;
    let view = state.app.get(&session, schema.kind, parse_id(&id)?).await?;
    let fields = edit_fields(
        &state,
        &session,
        schema,
        view.id,
        Source::Record(&view.fields),
        &BTreeMap::new(),
    )
    .await?;
    Ok(page(
        &session,
        schema,
        Some((view.id, view.version, &view.title)),
        fields,
        None,
        StatusCode::OK,
    ))
}

/// `POST /{kind}/{id}`: saves an edit made on `version`. When someone else saved first, the
/// form comes back with their values and a message; what this user typed is not applied.
pub async fn update(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Path((kind, id)): Path<(String, String)>,
    form: WebForm,
) -> WebResult {
    let schema = schema_at(&session, &kind)?;
    let id = parse_id(&id)?;
    let version: i64 = form
        .get("version")
        .and_then(|v| v.trim().parse().ok())
        .ok_or(WebError(AppError::BadRequest("version")))?;
    let inputs = schema_inputs(&session, schema, &form);
    match state
        .app
        .update(
            &session,
            schema.kind,
            id,
            version,
            &inputs,
            session.calendar,
        )
        .await
    {
        Ok(view) => Ok(see_other(&format!("/{}/{}", schema.path, view.id))),
        Err(error @ (AppError::Validation(_) | AppError::UnknownPlaceholder(_))) => {
            let current: RecordView = state.app.get(&session, schema.kind, id).await?;
            let errors = errors_of(&error);
            let fields =
                edit_fields(&state, &session, schema, id, Source::Typed(&form), &errors).await?;
            let alert = Some(form_alert(session.locale, &error));
            Ok(page(
                &session,
                schema,
                Some((id, version, &current.title)),
                fields,
                alert,
                StatusCode::UNPROCESSABLE_ENTITY,
            ))
        }
        Err(AppError::VersionConflict) => {
            let current = state.app.get(&session, schema.kind, id).await?;
            let fields = edit_fields(
                &state,
                &session,
                schema,
                id,
                Source::Record(&current.fields),
                &BTreeMap::new(),
            )
            .await?;
            let alert = Some(t(session.locale, "form-conflict"));
            Ok(page(
                &session,
                schema,
                Some((id, current.version, &current.title)),
                fields,
                alert,
                StatusCode::CONFLICT,
            ))
        }
        Err(error) => Err(error.into()),
    }
}
