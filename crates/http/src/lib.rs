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

/// What every handler can reach; cheap to clone.
///
/// Axum clones the state for every extractor and middleware that takes it, several times a
/// request. Held behind one `Arc`, a clone is one reference count instead of a dozen (the
/// application's handles and these): the copies and drops were 5% of the request threads'
/// time when creating contacts (perf, bench/http.sh).
#[derive(Clone)]
pub struct AppState(Arc<SharedState>);

/// What [`AppState`] shares.
pub struct SharedState {
    /// The use cases.
    pub app: App,
    /// HTTP settings.
    pub config: HttpConfig,
    /// Request counters for `/metrics`.
    pub metrics: Metrics,
    /// Serialised records by version, for lists.
    pub json_cache: api::json_cache::JsonCache,
}

impl std::ops::Deref for AppState {
    type Target = SharedState;

    fn deref(&self) -> &SharedState {
        &self.0
    }
}

/// The whole HTTP interface.
pub fn router(app: App, config: HttpConfig) -> Router {
    let state = AppState(Arc::new(SharedState {
        app,
        config,
        metrics: Metrics::default(),
        json_cache: Default::default(),
    }));
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
