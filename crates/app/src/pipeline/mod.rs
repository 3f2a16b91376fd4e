//! The sales pipeline's use cases (issue 4): the rules the generic writes apply to
//! opportunities and pipelines (`rules`), setting up and editing pipelines (`setup`), the board
//! and moving deals (`board`), the funnel and the forecast (`reports`), targets (`targets`),
//! and a deal's product lines and the quotes made from it (`lines`).

mod board;
mod demo;
// Products on opportunities and quotes made from them (issue 4 §2, §6).
pub(crate) mod lines;
mod reports;
pub(crate) mod rules;
pub(crate) mod setup;
mod targets;
// The sales dashboard (issue 4 §10).
mod dashboard;

pub use board::{Board, BoardColumn, Move};
pub use dashboard::{
    ComparisonLine, DashboardFilter, DashboardStage, PERIODS, SalesDashboard, TOP_CUSTOMERS,
    TopCustomer,
};
pub use lines::{OPPORTUNITY_LINES, OpportunityQuote, QUOTES_LISTED};
/// A stage as the board and the stage editor show it.
pub use peyvand_store::StageRow as StageRowView;
pub use reports::{ForecastView, FunnelView, PlanView, ReportFilter};
pub use targets::{TargetProgress, subject_of};
