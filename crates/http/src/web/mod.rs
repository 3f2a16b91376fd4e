//! The server-rendered web interface: HTML pages generated from the record schemas, one
//! generic list, record page and form for every kind of record.
//!
//! Every route runs behind [`guard::guard`], which finds the session, checks the CSRF token
//! of state-changing requests and turns errors into pages in the user's language.

mod classes;
pub(crate) mod contracts;
mod convert;
mod custom_fields;
mod dashboard;
mod delete;
mod duplicates;
mod edit;
pub(crate) mod form;
pub(crate) mod format;
mod grants;
pub(crate) mod guard;
mod import;
mod list;
mod login;
mod merge;
mod messaging;
mod notification_settings;
// A deal's products and quotes (issue 4 §2, §6).
mod opportunity_lines;
mod options;
pub(crate) mod page;
mod pipeline;
mod pipeline_reports;
mod record;
mod record_extras;
mod sales;
pub(crate) mod sales_print;
mod settings;
mod survey;
// Activities and customer service (issue 5).
mod service;
mod service_report;
// The analytical CRM in the app (issue 6).
mod insights;
mod timeline;
// The customer's opportunities and punctuality, and the sales dashboard (issue 4 §9, §10).
mod customer_sales;
mod sales_dashboard;
mod sales_dashboard_charts;

#[cfg(test)]
mod i18n_tests;

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use peyvand_app::AppError;
use peyvand_domain::record::Schema;

use crate::AppState;
use page::WebError;

/// The stylesheet, compiled in so the binary is all there is to deploy.
const APP_CSS: &str = include_str!("../../static/app.css");

/// The web routes, behind the session and CSRF guard.
pub fn routes(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/", get(dashboard::show))
        .route("/login", get(login::form).post(login::submit))
        .route("/survey/{token}", get(survey::form).post(survey::submit))
        .route("/logout", post(login::logout))
        .route("/settings", get(settings::show))
        .route("/settings/preferences", post(settings::preferences))
        .route("/settings/password", post(settings::password))
        .route("/settings/tokens", post(settings::create_token))
        .route("/settings/tokens/{id}/revoke", post(settings::revoke_token))
        .route(
            "/settings/fields",
            get(custom_fields::list).post(custom_fields::create),
        )
        .route("/settings/fields/new", get(custom_fields::new_form))
        .route(
            "/settings/notifications",
            get(notification_settings::show).post(notification_settings::save),
        )
        .route(
            "/settings/notifications/test",
            post(notification_settings::test),
        )
        // Bulk SMS and editable notification templates (issue 5 §5).
        .route("/sms-campaigns", get(messaging::show).post(messaging::send))
        .route("/sms-campaigns/{id}", get(messaging::campaign))
        .route("/sms-campaigns/{id}/cancel", post(messaging::cancel))
        .route("/settings/notice-templates", get(messaging::templates))
        .route(
            "/settings/notice-templates/{key}",
            post(messaging::edit_template),
        )
        .route(
            "/settings/fields/{id}",
            get(custom_fields::edit_form).post(custom_fields::update),
        )
        .route(
            "/settings/fields/{id}/delete",
            get(custom_fields::confirm_delete).post(custom_fields::delete),
        )
        .route("/static/app.css", get(stylesheet))
        // Activities and customer service (issue 5).
        .route("/agenda", get(service::agenda))
        .route("/reports/activities", get(service::activity_report))
        .route("/reports/service", get(service_report::show))
        .route("/cases/{id}/transition", post(service::case_transition))
        .route("/cases/{id}/entries", post(service::case_entry))
        .route("/cases/{id}/reassign", post(service::case_reassign))
        .route(
            "/cases/{id}/attachments",
            post(service::case_attach).layer(axum::extract::DefaultBodyLimit::max(
                peyvand_domain::attachment::MAX_BYTES + 64 * 1024,
            )),
        )
        .route("/activities/{id}/people", post(service::activity_people))
        .route("/contacts/{id}/portal-access", post(service::portal_access))
        // Sales pipeline (issue 4).
        .route("/sales/board", get(pipeline::board))
        .route("/sales/board/{id}/move", post(pipeline::move_card))
        .route("/sales/funnel", get(pipeline_reports::funnel))
        .route("/sales/funnel.csv", get(pipeline_reports::funnel_file))
        .route("/sales/forecast", get(pipeline_reports::forecast))
        .route("/sales/targets", get(pipeline_reports::targets))
        // The sales dashboard (issue 4 §10).
        .route("/sales/dashboard", get(sales_dashboard::show))
        .route(
            "/opportunities/{id}/quote",
            post(opportunity_lines::make_quote),
        )
        .route(
            "/pipelines/{id}/stages",
            get(pipeline::stages_form).post(pipeline::stages_save),
        )
        // The analytical CRM in the app (issue 6).
        .route("/insights", get(insights::show))
        .route("/insights/run", post(insights::run))
        .route("/insights/churn/tag", post(insights::tag))
        .route("/insights/{tab}", get(insights::show))
        // Contracts (issue 4 §7).
        .route("/contracts/{id}/move", post(contracts::move_contract))
        .route("/contracts/{id}/renew", post(contracts::renew))
        .route("/contracts/{id}/print", get(contracts::print))
        .route("/{kind}", get(list::show).post(edit::create))
        .route("/{kind}/new", get(edit::new_form))
        .route("/{kind}/merge", get(merge::form).post(merge::submit))
        .route(
            "/{kind}/import",
            get(import::upload_form)
                .post(import::upload)
                .layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route(
            "/{kind}/import/{upload}",
            get(import::map_form).post(import::start),
        )
        .route("/imports/{id}", get(import::show))
        .route("/imports/{id}/run", post(import::run))
        .route("/imports/{id}/cancel", post(import::cancel))
        .route("/imports/{id}/rejected", get(import::rejected))
        .route("/{kind}/duplicates", get(duplicates::report))
        .route("/{kind}/{id}", get(record::show).post(edit::update))
        .route("/{kind}/{id}/edit", get(edit::edit_form))
        .route(
            "/{kind}/{id}/delete",
            get(delete::confirm).post(delete::submit),
        )
        .route("/{kind}/{id}/notes", post(record_extras::add_note))
        .route(
            "/{kind}/{id}/notes/{note}/delete",
            post(record_extras::delete_note),
        )
        .route(
            "/{kind}/{id}/relationships",
            post(record_extras::add_relationship),
        )
        .route(
            "/{kind}/{id}/relationships/{rel}/delete",
            post(record_extras::delete_relationship),
        )
        .route(
            "/{kind}/{id}/convert",
            get(convert::form).post(convert::submit),
        )
        .route(
            "/{kind}/{id}/grants",
            get(grants::form).post(grants::submit),
        )
        // Sales documents (issue 4).
        .route("/{kind}/{id}/lines", post(sales::add_line))
        .route("/{kind}/{id}/lines/{line}", post(sales::update_line))
        .route("/{kind}/{id}/lines/{line}/delete", post(sales::delete_line))
        .route("/{kind}/{id}/status", post(sales::move_status))
        .route("/{kind}/{id}/approve", post(sales::approve))
        .route("/{kind}/{id}/conversion", post(sales::convert))
        .route("/{kind}/{id}/payments", post(sales::add_payment))
        .route("/{kind}/{id}/print", get(sales_print::show))
        // Customer classification (issue 4 §8).
        .route("/settings/classes", get(classes::show).post(classes::save))
        .route("/settings/classes/recompute", post(classes::recompute))
        .route("/settings/classes/runs/{id}", get(classes::run))
        .layer(axum::middleware::from_fn_with_state(state, guard::guard))
}

/// The stylesheet with a long cache lifetime (it changes only with a new release).
async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=604800"),
        ],
        APP_CSS,
    )
}

/// The schema shown at `/{path}` as `session` sees it (with custom fields); unknown paths are
/// "not found".
fn schema_at(session: &peyvand_app::Session, path: &str) -> Result<&'static Schema, WebError> {
    session
        .schemas
        .at_path(path)
        .ok_or(WebError(AppError::NotFound))
}

/// Pages that exist for one kind only (conversion for leads, grants for roles) answer "not
/// found" under any other kind's path.
fn only_for(kind: &str, expected: &str) -> Result<(), WebError> {
    if kind == expected {
        Ok(())
    } else {
        Err(WebError(AppError::NotFound))
    }
}

/// A record id from the path; a malformed one is simply not found.
fn parse_id(id: &str) -> Result<uuid::Uuid, WebError> {
    uuid::Uuid::parse_str(id).map_err(|_| WebError(AppError::NotFound))
}
