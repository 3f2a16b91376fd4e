//! Spreadsheet files for Peyvand: reading CSV and Excel files row by row, writing them, and
//! suggesting which column of an imported file goes into which field.
//!
//! This crate knows files, not records: it hands out rows of text cells with their line
//! numbers and takes rows of typed cells, and leaves validation, storage and access rights to
//! the application. It depends on the domain (Persian normalisation, the calendar) and on no
//! database or web crate.
//!
//! - [`read`]: [`CsvRows`] streams a CSV file of any size from any [`std::io::Read`], detecting
//!   the encoding (UTF-8 with or without BOM, UTF-16 with BOM, Windows-1256) and the
//!   delimiter; [`XlsxWorkbook`] streams a sheet of an `.xlsx` file. Both implement
//!   [`RowSource`]; [`with_rows`] opens either, whichever the file turns out to be.
//! - [`write`]: [`CsvTableWriter`] (UTF-8 with BOM, so Excel shows Persian correctly) and
//!   [`XlsxTableWriter`] (right-to-left sheets, bold frozen header, constant memory).
//! - [`mapping`]: [`suggest_mapping`] pairs file columns with target fields by name, label,
//!   Persian and English synonyms, or a close spelling.
//!
//! Whole-file problems are [`TabularError`]s with stable codes for translation; problems of
//! one row are [`RowProblem`]s carried on the [`Row`], so an import can reject that row, report
//! its line number and go on.

mod detect;
mod error;
pub mod mapping;
pub mod read;
pub mod write;
mod xlsx_read;

pub use detect::{FileFormat, TextEncoding, detect_format};
pub use error::{RowProblem, TabularError};
pub use mapping::{ColumnSuggestion, MatchKind, TargetField, suggest_mapping};
pub use read::{CsvRows, ReadOptions, Row, RowSource, with_rows};
pub use write::{CellValue, CsvTableWriter, ExportOptions, TableWriter, XlsxTableWriter};
pub use xlsx_read::{XlsxRows, XlsxWorkbook};
