//! `/portal`: the customer portal's pages. Customers sign in with portal accounts (never staff
//! sessions: the cookie, the sessions and the accounts are separate), see their organisation's
//! cases, file new ones and reply. Every form carries the portal session's CSRF token.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use peyvand_app::AppError;
use peyvand_app::portal::{PortalCase, PortalSession};
use peyvand_domain::calendar::Locale;

use crate::AppState;
use crate::auth::cookie;
use crate::web::form::WebForm;
use crate::web::guard::guest_locale;
use crate::web::page::{Layout, render_status, see_other};
use crate::web::sales_print::PrintQuery;

/// The portal's session cookie, apart from the staff one.
pub const PORTAL_COOKIE: &str = "peyvand_portal";

/// The portal routes (outside the staff guard).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/portal", get(home))
        .route("/portal/login", post(sign_in))
        .route("/portal/logout", post(sign_out))
        .route("/portal/cases", get(cases).post(file_case))
        .route("/portal/cases/new", get(new_case))
        .route("/portal/cases/{id}", get(case))
        .route("/portal/cases/{id}/reply", post(reply))
        .route(
            "/portal/cases/{id}/attachments",
            post(attach).layer(axum::extract::DefaultBodyLimit::max(
                peyvand_domain::attachment::MAX_BYTES + 64 * 1024,
            )),
        )
        .route("/portal/attachments/{id}", get(download))
        .route("/portal/documents", get(documents))
        .route("/portal/documents/{kind}/{id}", get(document))
}

fn portal_cookie(value: &str, secure: bool) -> String {
    let max_age = if value.is_empty() {
        0
    } else {
        peyvand_app::auth::SESSION_LIFETIME.whole_seconds()
    };
    let secure = if secure { "; Secure" } else { "" };
    format!(
        "{PORTAL_COOKIE}={value}; Path=/portal; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
    )
}

/// The signed-in portal user, if any.
async fn portal_session(state: &AppState, headers: &HeaderMap) -> Option<PortalSession> {
    let value = cookie(headers, PORTAL_COOKIE).filter(|v| !v.is_empty())?;
    state.app.portal_session(&value).await.ok()
}

fn csrf_ok(form: &WebForm, portal: &PortalSession) -> bool {
    form.get("_csrf")
        .is_some_and(|sent| crate::web::guard::csrf_ok(Some(sent), Some(&portal.csrf_token)))
}

fn forbidden(locale: Locale) -> Response {
    (
        StatusCode::FORBIDDEN,
        crate::i18n::t(locale, "error-csrf_failed"),
    )
        .into_response()
}

fn not_found(locale: Locale) -> Response {
    (
        StatusCode::NOT_FOUND,
        crate::i18n::t(locale, "error-not_found"),
    )
        .into_response()
}

fn failure(error: &AppError, locale: Locale) -> Response {
    match error {
        AppError::NotFound => not_found(locale),
        other => {
            tracing::error!(error = %other, "portal request failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                crate::i18n::t(locale, "error-internal"),
            )
                .into_response()
        }
    }
}

/// Field errors as sentences in the page's language.
fn messages(error: &AppError, locale: Locale) -> Vec<String> {
    crate::web::page::error_sentences(locale, error, |field| format!("field-{field}"))
}

/// A moment in Iran time, in the calendar that goes with the page's language (customers have
/// no calendar setting: Persian pages show Jalali dates).
fn fmt_time(portal: &PortalSession, at: time::OffsetDateTime) -> String {
    let calendar = if portal.locale == Locale::Fa {
        peyvand_domain::calendar::CalendarKind::Jalali
    } else {
        peyvand_domain::calendar::CalendarKind::Gregorian
    };
    peyvand_domain::calendar::format_datetime(
        at,
        peyvand_domain::calendar::IRAN_OFFSET,
        calendar,
        portal.locale,
    )
}

/// The sign-in page.
#[derive(Template)]
#[template(path = "portal_login.html")]
struct LoginPage {
    l: Layout,
    csrf: String,
    who: String,
    email: String,
    error: Option<String>,
    switch_label: String,
}

fn login_page(locale: Locale, email: String, error: Option<String>) -> LoginPage {
    let other = if locale == Locale::Fa {
        Locale::En
    } else {
        Locale::Fa
    };
    LoginPage {
        l: Layout::anonymous(locale, crate::i18n::t(locale, "portal-login-title")),
        csrf: String::new(),
        who: String::new(),
        email,
        error,
        switch_label: crate::i18n::t(other, "language-name"),
    }
}

/// `GET /portal`: the cases when signed in, else the sign-in page.
async fn home(State(state): State<AppState>, headers: HeaderMap, uri: axum::http::Uri) -> Response {
    if portal_session(&state, &headers).await.is_some() {
        return see_other("/portal/cases");
    }
    let locale = guest_locale(&headers, uri.query());
    render_status(StatusCode::OK, &login_page(locale, String::new(), None))
}

/// `POST /portal/login`.
async fn sign_in(State(state): State<AppState>, headers: HeaderMap, form: WebForm) -> Response {
    let locale = form
        .get("lang")
        .and_then(Locale::parse)
        .unwrap_or_else(|| guest_locale(&headers, None));
    if crate::web::guard::is_cross_site(&headers) {
        return forbidden(locale);
    }
    let email = form.get("email").unwrap_or_default().to_owned();
    let password = form.get("password").unwrap_or_default();
    match state.app.portal_sign_in(&email, password).await {
        Ok(secret) => {
            let mut response = see_other("/portal/cases");
            if let Ok(value) = portal_cookie(&secret, state.config.secure_cookies).parse() {
                response.headers_mut().insert(header::SET_COOKIE, value);
            }
            response
        }
        Err(error) => {
            let (status, key) = match error {
                AppError::TooManyAttempts => {
                    (StatusCode::TOO_MANY_REQUESTS, "error-too_many_attempts")
                }
                AppError::BadCredentials => (StatusCode::UNAUTHORIZED, "error-bad_credentials"),
                other => return failure(&other, locale),
            };
            let page = login_page(locale, email, Some(crate::i18n::t(locale, key)));
            render_status(status, &page)
        }
    }
}

/// `POST /portal/logout`.
async fn sign_out(State(state): State<AppState>, headers: HeaderMap, form: WebForm) -> Response {
    let Some(portal) = portal_session(&state, &headers).await else {
        return see_other("/portal");
    };
    if !csrf_ok(&form, &portal) {
        return forbidden(portal.locale);
    }
    if let Some(value) = cookie(&headers, PORTAL_COOKIE)
        && let Err(error) = state.app.portal_sign_out(&value).await
    {
        tracing::warn!(%error, "ending a portal session failed");
    }
    let mut response = see_other("/portal");
    if let Ok(value) = portal_cookie("", state.config.secure_cookies).parse() {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

/// One row of the case list.
struct CaseRow {
    id: uuid::Uuid,
    number: String,
    subject: String,
    status: String,
    created: String,
}

#[derive(Template)]
#[template(path = "portal_cases.html")]
struct CasesPage {
    l: Layout,
    csrf: String,
    who: String,
    cases: Vec<CaseRow>,
}

fn frame(portal: &PortalSession, title_key: &str) -> (Layout, String, String) {
    (
        Layout::anonymous(portal.locale, crate::i18n::t(portal.locale, title_key)),
        portal.csrf_token.clone(),
        portal.name.clone(),
    )
}

fn status_label(portal: &PortalSession, case: &PortalCase) -> String {
    crate::i18n::t(portal.locale, &format!("choice-{}", case.status))
}

/// `GET /portal/cases`.
async fn cases(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(portal) = portal_session(&state, &headers).await else {
        return see_other("/portal");
    };
    let list = match state.app.portal_cases(&portal).await {
        Ok(list) => list,
        Err(error) => return failure(&error, portal.locale),
    };
    let rows = list
        .iter()
        .map(|c| CaseRow {
            id: c.id,
            number: c.number.clone(),
            subject: c.subject.clone(),
            status: status_label(&portal, c),
            created: fmt_time(&portal, c.created_at),
        })
        .collect();
    let (l, csrf, who) = frame(&portal, "portal-cases");
    render_status(
        StatusCode::OK,
        &CasesPage {
            l,
            csrf,
            who,
            cases: rows,
        },
    )
}

#[derive(Template)]
#[template(path = "portal_new.html")]
struct NewCasePage {
    l: Layout,
    csrf: String,
    who: String,
    errors: Vec<String>,
    case_type: String,
    subject: String,
    description: String,
}

/// `GET /portal/cases/new`.
async fn new_case(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(portal) = portal_session(&state, &headers).await else {
        return see_other("/portal");
    };
    let (l, csrf, who) = frame(&portal, "portal-new-case");
    let page = NewCasePage {
        l,
        csrf,
        who,
        errors: vec![],
        case_type: "request".into(),
        subject: String::new(),
        description: String::new(),
    };
    render_status(StatusCode::OK, &page)
}

/// `POST /portal/cases`: files a case; a form with missing fields comes back with reasons and
/// nothing stored.
async fn file_case(State(state): State<AppState>, headers: HeaderMap, form: WebForm) -> Response {
    let Some(portal) = portal_session(&state, &headers).await else {
        return see_other("/portal");
    };
    if !csrf_ok(&form, &portal) {
        return forbidden(portal.locale);
    }
    let field = |name: &str| form.get(name).unwrap_or_default().to_owned();
    let filed = state
        .app
        .portal_file_case(
            &portal,
            &field("case_type"),
            &field("subject"),
            &field("description"),
        )
        .await;
    match filed {
        Ok(id) => see_other(&format!("/portal/cases/{id}")),
        Err(error @ AppError::Validation(_)) => {
            let (l, csrf, who) = frame(&portal, "portal-new-case");
            let page = NewCasePage {
                l,
                csrf,
                who,
                errors: messages(&error, portal.locale),
                case_type: field("case_type"),
                subject: field("subject"),
                description: field("description"),
            };
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(error) => failure(&error, portal.locale),
    }
}

/// One message on a case.
struct EntryRow {
    body: String,
    who: String,
    when: String,
}

#[derive(Template)]
#[template(path = "portal_case.html")]
struct CasePage {
    l: Layout,
    csrf: String,
    who: String,
    attachments: Vec<(uuid::Uuid, String, String)>,
    id: uuid::Uuid,
    number: String,
    subject: String,
    status: String,
    created: String,
    description: String,
    entries: Vec<EntryRow>,
    errors: Vec<String>,
}

async fn case_page(
    state: &AppState,
    portal: &PortalSession,
    id: uuid::Uuid,
    errors: Vec<String>,
    status: StatusCode,
) -> Response {
    let (case, entries) = match state.app.portal_case(portal, id).await {
        Ok(found) => found,
        Err(error) => return failure(&error, portal.locale),
    };
    let entries = entries
        .into_iter()
        .map(|e| EntryRow {
            who: if e.kind == "customer" {
                portal.name.clone()
            } else {
                crate::i18n::t(portal.locale, "portal-support")
            },
            when: fmt_time(portal, e.created_at),
            body: e.body,
        })
        .collect();
    let attachments = match state.app.portal_attachments(portal, id).await {
        Ok(rows) => rows
            .into_iter()
            .map(|a| (a.id, a.file_name, fmt_time(portal, a.created_at)))
            .collect(),
        Err(error) => return failure(&error, portal.locale),
    };
    let (l, csrf, who) = frame(portal, "portal-cases");
    let page = CasePage {
        l,
        csrf,
        who,
        attachments,
        id: case.id,
        status: status_label(portal, &case),
        created: fmt_time(portal, case.created_at),
        number: case.number,
        subject: case.subject,
        description: case.description,
        entries,
        errors,
    };
    render_status(status, &page)
}

fn parse_id(raw: &str) -> Option<uuid::Uuid> {
    uuid::Uuid::parse_str(raw).ok()
}

/// `GET /portal/cases/{id}`: another customer's case is not found.
async fn case(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let Some(portal) = portal_session(&state, &headers).await else {
        return see_other("/portal");
    };
    let Some(id) = parse_id(&id) else {
        return not_found(portal.locale);
    };
    case_page(&state, &portal, id, vec![], StatusCode::OK).await
}

/// `POST /portal/cases/{id}/reply`.
async fn reply(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    form: WebForm,
) -> Response {
    let Some(portal) = portal_session(&state, &headers).await else {
        return see_other("/portal");
    };
    if !csrf_ok(&form, &portal) {
        return forbidden(portal.locale);
    }
    let Some(id) = parse_id(&id) else {
        return not_found(portal.locale);
    };
    let body = form.get("body").unwrap_or_default();
    match state.app.portal_reply(&portal, id, body).await {
        Ok(()) => see_other(&format!("/portal/cases/{id}")),
        Err(error @ AppError::Validation(_)) => {
            let errors = messages(&error, portal.locale);
            case_page(
                &state,
                &portal,
                id,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(error) => failure(&error, portal.locale),
    }
}

/// `POST /portal/cases/{id}/attachments` (multipart: `_csrf`, `file`): attaches a file to one of
/// the customer's cases; a refused file shows the case again with the reason.
async fn attach(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    mut multipart: axum::extract::Multipart,
) -> Response {
    let Some(portal) = portal_session(&state, &headers).await else {
        return see_other("/portal");
    };
    let Some(id) = parse_id(&id) else {
        return not_found(portal.locale);
    };
    let (mut csrf, mut file) = (None, None);
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => match field.name() {
                Some("_csrf") => csrf = field.text().await.ok(),
                Some("file") => {
                    let name = field.file_name().unwrap_or_default().to_owned();
                    match field.bytes().await {
                        Ok(bytes) => file = Some((name, bytes.to_vec())),
                        Err(_) => return too_large(portal.locale),
                    }
                }
                _ => {}
            },
            Ok(None) => break,
            Err(_) => return too_large(portal.locale),
        }
    }
    let sent = csrf.as_deref();
    if !crate::web::guard::csrf_ok(sent, Some(&portal.csrf_token)) {
        return forbidden(portal.locale);
    }
    let (name, bytes) = file.unwrap_or_default();
    match state.app.portal_attach(&portal, id, &name, bytes).await {
        Ok(_) => see_other(&format!("/portal/cases/{id}")),
        Err(error @ AppError::Validation(_)) => {
            let errors = messages(&error, portal.locale);
            case_page(
                &state,
                &portal,
                id,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(error) => failure(&error, portal.locale),
    }
}

fn too_large(locale: Locale) -> Response {
    (
        StatusCode::PAYLOAD_TOO_LARGE,
        crate::i18n::t(locale, "error-payload_too_large"),
    )
        .into_response()
}

/// `GET /portal/attachments/{id}`: a file of one of the customer's cases.
async fn download(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let Some(portal) = portal_session(&state, &headers).await else {
        return see_other("/portal");
    };
    let Some(id) = parse_id(&id) else {
        return not_found(portal.locale);
    };
    match state.app.portal_attachment(&portal, id).await {
        Ok((row, bytes)) => {
            crate::downloads::file_response(&row.file_name, &row.content_type, bytes)
        }
        Err(error) => failure(&error, portal.locale),
    }
}

/// One quote, order or invoice in the list.
struct DocumentRow {
    kind: String,
    href: String,
    number: String,
    date: String,
    status: String,
    total: String,
}

#[derive(Template)]
#[template(path = "portal_documents.html")]
struct DocumentsPage {
    l: Layout,
    csrf: String,
    who: String,
    documents: Vec<DocumentRow>,
}

/// `GET /portal/documents`: the organisation's quotes, orders and invoices.
async fn documents(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(portal) = portal_session(&state, &headers).await else {
        return see_other("/portal");
    };
    let list = match state.app.portal_documents(&portal).await {
        Ok(list) => list,
        Err(error) => return failure(&error, portal.locale),
    };
    let calendar = if portal.locale == Locale::Fa {
        peyvand_domain::calendar::CalendarKind::Jalali
    } else {
        peyvand_domain::calendar::CalendarKind::Gregorian
    };
    let rows = list
        .iter()
        .map(|d| {
            let path = peyvand_domain::record::schema(d.kind).path;
            DocumentRow {
                kind: crate::web::page::kind_label_one(portal.locale, d.kind),
                href: format!("/portal/documents/{path}/{}", d.id),
                number: d.number.clone(),
                date: d
                    .issue_date
                    .map(|day| peyvand_domain::calendar::format_date(day, calendar, portal.locale))
                    .unwrap_or_default(),
                status: crate::i18n::t(portal.locale, &format!("choice-{}", d.status)),
                total: peyvand_domain::number::format_integer(d.total, portal.locale),
            }
        })
        .collect();
    let (l, csrf, who) = frame(&portal, "portal-documents");
    render_status(
        StatusCode::OK,
        &DocumentsPage {
            l,
            csrf,
            who,
            documents: rows,
        },
    )
}

/// `GET /portal/documents/{kind}/{id}`: the printable page of one of the organisation's
/// documents, in the customer's language, its amounts in Rials or, with `?currency=toman`,
/// Tomans (the page links to the other); another customer's is not found.
async fn document(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((kind, id)): Path<(String, String)>,
    Query(asked): Query<PrintQuery>,
) -> Response {
    let Some(portal) = portal_session(&state, &headers).await else {
        return see_other("/portal");
    };
    let kind = peyvand_domain::record::ALL_SCHEMAS
        .iter()
        .find(|s| s.path == kind)
        .map(|s| s.kind)
        .filter(|k| {
            peyvand_app::sales::document_kind(*k).is_some()
                || *k == peyvand_domain::permission::RecordKind::Contract
        });
    let (Some(kind), Some(id)) = (kind, parse_id(&id)) else {
        return not_found(portal.locale);
    };
    let reader = match state.app.portal_document_reader(&portal, kind, id).await {
        Ok(reader) => reader,
        Err(error) => return failure(&error, portal.locale),
    };
    // Contracts (issue 5 §7): read-only and printable, in the customer's language.
    if kind == peyvand_domain::permission::RecordKind::Contract {
        return match crate::web::contracts::print_page(
            &state,
            &reader,
            id,
            Some(portal.locale),
            asked.toman(),
            "/portal/documents".into(),
        )
        .await
        {
            Ok(response) => response,
            Err(error) => failure(&error.0, portal.locale),
        };
    }
    // The portal's pages are in the customer's language, whatever the query says.
    let query = PrintQuery {
        lang: Some(portal.locale.code().to_owned()),
        currency: asked.currency,
    };
    match crate::web::sales_print::print_page(
        &state,
        &reader,
        kind,
        id,
        &query,
        "/portal/documents".into(),
    )
    .await
    {
        Ok(response) => response,
        Err(error) => failure(&error.0, portal.locale),
    }
}
