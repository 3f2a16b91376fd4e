//! Customer classification (issue 4 §8): the scheme an administrator sets — a criterion, a
//! period and ordered classes with their rule — its validation, and the assignment of every
//! customer to a class from measures the store computed.
//!
//! The scheme is data (serialised as JSON in the settings and the API); everything here is
//! pure: callers pass today's date and the measures.

mod assign;
mod scheme;

pub use assign::{ClassCounts, Measure, assign, class_counts};
pub use scheme::{
    ClassDef, Criterion, MAX_CLASSES, MIN_CLASSES, Method, NAME_MAX, Period, Scheme, errors,
};
