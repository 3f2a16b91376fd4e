//! The sales pipeline (PRODUCT.md §3, issue 4): pipelines and their stages, opportunities, the
//! funnel report, the forecast and sales targets.
//!
//! The record kinds are described as data ([`schemas`]) like every other kind, so the generic
//! lists, forms, API, export and access rights serve them. What is specific lives here as pure
//! functions: the rules of a pipeline's stages ([`stages`]), the rules of an opportunity's status
//! ([`opportunity`]), and the arithmetic of the reports ([`funnel`], [`forecast`], [`targets`]),
//! which the store feeds with aggregates it computed with `GROUP BY`.

pub mod forecast;
pub mod funnel;
pub mod grants;
pub mod opportunity;
pub mod schemas;
pub mod stages;
pub mod targets;
// The sales dashboard (issue 4 §10).
pub mod sales_dashboard;

pub use schemas::{
    LOSS_REASONS, OPPORTUNITIES, OPPORTUNITY_STATUSES, PIPELINE_STAGES, PIPELINES, SALES_TARGETS,
    TARGET_METRICS, TARGET_PERIODS,
};
