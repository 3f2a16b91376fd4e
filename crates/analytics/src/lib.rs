//! Analytical CRM for Peyvand: pure functions over plain data.
//!
//! Nothing here reads files, the network or the clock: callers pass in orders, answers and
//! dates (as day numbers, see [`dates`]) and get plain values back. The command line
//! (`peyvand analytics …`) and, later, the web application both call these functions, so an
//! analyst's CSV export and the application's own database give the same numbers.

pub mod amount;
pub mod basket;
pub mod churn;
pub mod clv;
pub mod dates;
pub mod forecast;
pub mod loyalty;
pub mod nps;
pub mod optimize;
pub mod rfm;
pub mod special;
pub mod value;

/// Why an analysis could not produce a result. Messages are complete sentences for people.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AnalyticsError {
    /// There was no data to analyse.
    #[error("there is no data to analyse")]
    Empty,
    /// The data cannot support the model (for example no repeat purchases at all).
    #[error("{0}")]
    Insufficient(String),
    /// The maximum-likelihood fit did not converge.
    #[error("the {model} model did not converge: {reason}")]
    NotConverged {
        /// Which model was being fitted.
        model: &'static str,
        /// What went wrong, in words.
        reason: String,
    },
    /// An argument is outside its meaningful range.
    #[error("{0}")]
    InvalidArgument(String),
}
