//! Peyvand's HTTP layer: the JSON API under `/api/v1/` with its OpenAPI document, the
//! server-rendered web interface, and the operational endpoints `/healthz` and `/metrics`.
//!
//! This crate never sees the database: it turns requests into calls on [`peyvand_app::App`]
//! and their results into responses (ARCHITECTURE.md).

mod api;
mod auth;
mod downloads;
mod error;
pub mod i18n;
pub mod importing;
mod metrics;
mod ops;
mod portal;
mod portal_reset;
mod uploads;
mod web;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use peyvand_app::App;

pub use metrics::Metrics;

/// Largest request body accepted (larger ones get 413).
pub const BODY_LIMIT: usize = 1024 * 1024;

/// Settings of the HTTP layer.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// Mark session cookies `Secure` (off only for plain HTTP on loopback during development).
    pub secure_cookies: bool,
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The use cases.
    pub app: App,
    /// HTTP settings.
    pub config: Arc<HttpConfig>,
    /// Request counters for `/metrics`.
    pub metrics: Arc<Metrics>,
    /// Serialised records by version, for lists.
    pub json_cache: Arc<api::json_cache::JsonCache>,
}

/// The whole HTTP interface.
pub fn router(app: App, config: HttpConfig) -> Router {
    let state = AppState {
        app,
        config: Arc::new(config),
        metrics: Arc::new(Metrics::default()),
        json_cache: Arc::default(),
    };
    Router::new()
        .merge(api::routes())
        .merge(web::routes(state.clone()))
        .merge(portal::routes())
        .merge(portal_reset::routes())
        .merge(ops::routes())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .layer(axum::middleware::from_fn(error::remember_language))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(state)
}
