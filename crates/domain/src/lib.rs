//! The domain layer of Peyvand: pure types and rules shared by every other
//! crate — validated values (email, phone), Persian text handling, the Jalali
//! calendar, number formatting, access rights and duplicate matching.
//!
//! This crate does no I/O at all: no files, network, clock or randomness.
//! Callers pass in everything a rule needs (the current time, the
//! organisation chart, …), which keeps the rules deterministic and testable.

pub mod attachment;
pub mod calendar;
pub mod classes;
pub mod contracts;
pub mod custom;
pub mod duplicate;
pub mod email;
pub mod number;
pub mod permission;
pub mod phone;
pub mod pipeline;
pub mod record;
pub mod sales;
pub mod service;
pub mod sms_templates;
pub mod sort;
pub mod text;
pub mod validation;
