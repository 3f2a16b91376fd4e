//! The JSON API under `/api/v1/`.

mod account;
mod body;
mod classes;
mod contracts;
mod custom_fields;
mod duplicates;
mod export;
mod export_xlsx;
mod extras;
pub(crate) mod imports;
pub mod json_cache;
mod merge;
mod messaging;
mod notifications;
pub mod openapi;
mod openapi_sales;
pub(crate) mod pipeline;
mod pipeline_openapi;
mod records;
// Activities and customer service (issue 5).
mod openapi_notify;
mod openapi_service;
// Customer classification (issue 4 §8).
mod openapi_classes;
mod sales;
pub(crate) mod service;
// The analytical CRM in the app (issue 6).
pub(crate) mod insights;
mod insights_openapi;
mod insights_tagging;
// The sales dashboard and the customer's opportunities and punctuality (issue 4 §9, §10).
pub(crate) mod sales_dashboard;
mod sales_dashboard_openapi;

use axum::Router;
use axum::routing::{delete, get, patch, post};
use peyvand_domain::permission::RecordKind;
use peyvand_domain::record::Schema;

use crate::AppState;
use crate::error::ApiError;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/openapi.json", get(openapi::document))
        .route("/api/v1/auth/token", post(account::sign_in))
        .route("/api/v1/me", get(account::me))
        .route(
            "/api/v1/tokens",
            get(account::list_tokens).post(account::create_token),
        )
        .route("/api/v1/tokens/{id}", delete(account::revoke_token))
        .route("/api/v1/notes/{id}", delete(extras::delete_note))
        .route(
            "/api/v1/relationships/{id}",
            delete(extras::delete_relationship),
        )
        .route("/api/v1/leads/{id}/convert", post(extras::convert_lead))
        .route(
            "/api/v1/roles/{id}/grants",
            get(extras::get_grants).put(extras::put_grants),
        )
        .route("/api/v1/users/{id}/password", post(extras::set_password))
        .route(
            "/api/v1/custom-fields",
            get(custom_fields::list).post(custom_fields::create),
        )
        .route(
            "/api/v1/custom-fields/{id}",
            get(custom_fields::get)
                .patch(custom_fields::update)
                .delete(custom_fields::remove),
        )
        .route(
            "/api/v1/custom-fields/{id}/history",
            get(custom_fields::history),
        )
        .route(
            "/api/v1/settings/notifications",
            get(notifications::get).put(notifications::put),
        )
        .route(
            "/api/v1/settings/notifications/test",
            post(notifications::test),
        )
        .route("/api/v1/jobs", get(notifications::jobs))
        .route(
            "/api/v1/settings/notifications/sms-credit",
            get(notifications::sms_credit),
        )
        // Bulk SMS and editable notification templates (issue 5 §5).
        .route(
            "/api/v1/sms-campaigns",
            get(messaging::list).post(messaging::create),
        )
        .route("/api/v1/sms-campaigns/preview", post(messaging::preview))
        .route("/api/v1/sms-campaigns/{id}", get(messaging::get))
        .route("/api/v1/sms-campaigns/{id}/cancel", post(messaging::cancel))
        .route(
            "/api/v1/sms-templates/placeholders",
            get(messaging::sms_placeholders),
        )
        .route(
            "/api/v1/settings/notice-templates",
            get(messaging::templates),
        )
        .route(
            "/api/v1/settings/notice-templates/{key}",
            axum::routing::put(messaging::put_template).delete(messaging::reset_template),
        )
        .route(
            "/api/v1/settings/notice-templates/{key}/preview",
            post(messaging::preview_template),
        )
        // Activities and customer service (issue 5).
        .route("/api/v1/cases/{id}/transition", post(service::transition))
        .route(
            "/api/v1/cases/{id}/entries",
            get(service::list_entries).post(service::add_entry),
        )
        .route("/api/v1/cases/{id}/reassign", post(service::reassign))
        .route("/api/v1/cases/{id}/sla", get(service::sla))
        .route(
            "/api/v1/activities/{id}/people",
            get(service::get_people).put(service::put_people),
        )
        .route("/api/v1/agenda", get(service::agenda))
        .route("/api/v1/reminders", get(service::reminders))
        .route("/api/v1/reports/activities", get(service::activity_report))
        .route("/api/v1/reports/service", get(service::service_report))
        .route(
            "/api/v1/cases/{id}/attachments",
            get(service::attachments).post(service::attach).layer(
                axum::extract::DefaultBodyLimit::max(peyvand_domain::attachment::MAX_BYTES + 1024),
            ),
        )
        .route("/api/v1/attachments/{id}", get(service::attachment))
        // Sales pipeline (issue 4).
        .route(
            "/api/v1/pipelines/{id}/stages",
            get(pipeline::get_stages).put(pipeline::put_stages),
        )
        .route("/api/v1/pipelines/{id}/board", get(pipeline::board))
        .route(
            "/api/v1/opportunities/{id}/move",
            post(pipeline::move_opportunity),
        )
        // Quotes made from a deal (issue 4 §6).
        .route(
            "/api/v1/opportunities/{id}/quote",
            post(sales::quote_from_opportunity),
        )
        .route(
            "/api/v1/opportunities/{id}/quotes",
            get(sales::opportunity_quotes),
        )
        .route("/api/v1/sales/funnel", get(pipeline::funnel))
        .route("/api/v1/sales/forecast", get(pipeline::forecast))
        .route("/api/v1/sales/targets", get(pipeline::targets))
        // Contracts (issue 4 §7).
        .route(
            "/api/v1/contract-templates/placeholders",
            get(contracts::placeholders),
        )
        .route(
            "/api/v1/contracts/{id}/status",
            post(contracts::move_status),
        )
        .route("/api/v1/contracts/{id}/renew", post(contracts::renew))
        // The sales dashboard (issue 4 §10).
        .route("/api/v1/sales/dashboard", get(sales_dashboard::dashboard))
        .route("/api/v1/{kind}", get(records::list).post(records::create))
        .route("/api/v1/{kind}/export", get(export::export))
        .route("/api/v1/{kind}/merge", post(merge::merge))
        .route("/api/v1/{kind}/duplicates", get(duplicates::report))
        .route("/api/v1/{kind}/duplicates/check", post(duplicates::check))
        .route(
            "/api/v1/{kind}/import",
            post(imports::start).layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route(
            "/api/v1/imports/{id}",
            get(imports::status).delete(imports::cancel),
        )
        .route("/api/v1/imports/{id}/rejected", get(imports::rejected))
        .route(
            "/api/v1/{kind}/{id}",
            get(records::get)
                .patch(records::update)
                .delete(records::remove),
        )
        .route("/api/v1/{kind}/{id}/timeline", get(extras::timeline))
        .route("/api/v1/{kind}/{id}/surveys", get(service::surveys))
        .route(
            "/api/v1/contacts/{id}/portal-access",
            post(service::portal_access),
        )
        .route(
            "/api/v1/{kind}/{id}/notes",
            get(extras::list_notes).post(extras::add_note),
        )
        .route(
            "/api/v1/{kind}/{id}/relationships",
            get(extras::list_relationships).post(extras::add_relationship),
        )
        // Sales documents (issue 4).
        .route(
            "/api/v1/{kind}/{id}/lines",
            get(sales::list_lines).post(sales::add_line),
        )
        .route(
            "/api/v1/{kind}/{id}/lines/{line}",
            patch(sales::update_line).delete(sales::delete_line),
        )
        .route("/api/v1/{kind}/{id}/status", post(sales::move_status))
        .route("/api/v1/{kind}/{id}/approve", post(sales::approve))
        .route("/api/v1/{kind}/{id}/convert", post(sales::convert))
        .route("/api/v1/products/{id}/price", get(sales::price))
        .route("/api/v1/{kind}/{id}/transactions", get(sales::transactions))
        // The analytical CRM in the app (issue 6).
        .route("/api/v1/insights/runs", post(insights::request_run))
        .route("/api/v1/insights/runs/latest", get(insights::latest_run))
        .route("/api/v1/insights/runs/{id}", get(insights::run))
        .route("/api/v1/insights/customers", get(insights::customers))
        .route("/api/v1/insights/retention", get(insights::retention))
        .route(
            "/api/v1/insights/retention/tag",
            post(insights_tagging::tag_retention),
        )
        .route(
            "/api/v1/insights/taggings",
            get(insights_tagging::list).post(insights_tagging::create),
        )
        .route(
            "/api/v1/insights/taggings/{id}",
            get(insights_tagging::get).delete(insights_tagging::stop),
        )
        .route("/api/v1/insights/groups/{dimension}", get(insights::groups))
        .route("/api/v1/insights/rules", get(insights::rules))
        .route("/api/v1/insights/nps", get(insights::nps))
        .route(
            "/api/v1/products/{id}/also-bought",
            get(insights::also_bought),
        )
        .route("/api/v1/{kind}/{id}/insights", get(insights::customer))
        // Contracts (issue 4 §7).
        .route("/api/v1/{kind}/{id}/contracts", get(contracts::of_customer))
        // Customer classification (issue 4 §8).
        .route(
            "/api/v1/settings/classes",
            get(classes::get_scheme).put(classes::put_scheme),
        )
        .route("/api/v1/classes/recompute", post(classes::recompute))
        .route("/api/v1/classes/runs", get(classes::runs))
        .route("/api/v1/classes/runs/{id}", get(classes::run))
        .fallback(|| async { ApiError::App(peyvand_app::AppError::NotFound) })
}

/// The schema served at `/api/v1/{path}` as `session` sees it (with custom fields); unknown
/// paths are "not found".
pub fn schema_at(session: &peyvand_app::Session, path: &str) -> Result<&'static Schema, ApiError> {
    session
        .schemas
        .at_path(path)
        .ok_or(ApiError::App(peyvand_app::AppError::NotFound))
}

/// Parses a record id from the path; a malformed id is simply not found.
pub fn parse_id(id: &str) -> Result<uuid::Uuid, ApiError> {
    uuid::Uuid::parse_str(id).map_err(|_| ApiError::App(peyvand_app::AppError::NotFound))
}

/// The kinds whose records have notes, relationships and a 360° view.
pub fn customer_schema_at(
    session: &peyvand_app::Session,
    path: &str,
) -> Result<&'static Schema, ApiError> {
    let schema = schema_at(session, path)?;
    if RecordKind::is_customer(schema.kind) {
        Ok(schema)
    } else {
        Err(ApiError::App(peyvand_app::AppError::NotFound))
    }
}
