//! What can go wrong with a whole file, and with one row of it.

/// A problem with the whole file: reading cannot start or cannot go on.
///
/// Each variant has a stable [`code`](TabularError::code) that the application maps to a
/// translated message; the `Display` text is English for logs only.
#[derive(Debug, thiserror::Error)]
pub enum TabularError {
    /// The file has no bytes, or only blank lines and empty cells.
    #[error("the file is empty")]
    EmptyFile,
    /// The text is neither UTF-8, UTF-16 with a byte order mark, nor Windows-1256 (or the file
    /// is not text at all).
    #[error("the file is not text in a known encoding")]
    UnknownEncoding,
    /// The file is neither CSV nor XLSX (e.g. an old `.xls` workbook, a PDF, an image).
    #[error("the file is not a CSV or XLSX spreadsheet")]
    UnsupportedFormat,
    /// The first row holds values (emails, phones, numbers, dates) rather than column names.
    #[error("the first row holds data, not column names")]
    MissingHeader,
    /// A column has no name; columns are numbered from 1.
    #[error("column {column} has no name")]
    BlankHeader {
        /// The column, from 1.
        column: usize,
    },
    /// Two columns have the same name (after Persian normalisation).
    #[error("columns {first} and {second} are both named {name:?}")]
    DuplicateHeader {
        /// The name as written in the later column.
        name: String,
        /// The first column with it, from 1.
        first: usize,
        /// The second column with it, from 1.
        second: usize,
    },
    /// One row is larger than the limit, usually because a quote was never closed and the rest
    /// of the file became one cell.
    #[error("the row starting at line {line} is larger than {limit} bytes")]
    RowTooLarge {
        /// The line the row starts on.
        line: u64,
        /// The limit in bytes.
        limit: usize,
    },
    /// The workbook has no sheet of the requested name.
    #[error("the workbook has no sheet named {0:?}")]
    SheetNotFound(String),
    /// The workbook is encrypted with a password.
    #[error("the workbook is protected with a password")]
    PasswordProtected,
    /// The workbook's structure is broken.
    #[error("the workbook is damaged: {0}")]
    Damaged(String),
    /// A text cell to be written is longer than Excel allows (32,767 characters).
    #[error("the cell in row {row}, column {column} is too long for Excel")]
    CellTooLong {
        /// The row, from 1, counting the header.
        row: u64,
        /// The column, from 1.
        column: usize,
    },
    /// A row to be written has a different number of cells than the header.
    #[error("a row has {found} cells but the header has {expected}")]
    RowWidth {
        /// The number of header cells.
        expected: usize,
        /// The number of cells given.
        found: usize,
    },
    /// Writing the workbook failed.
    #[error("cannot write the workbook: {0}")]
    Write(String),
    /// Reading or writing the underlying file failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

impl TabularError {
    /// The stable machine code of this error, e.g. `"unknown_encoding"`.
    pub fn code(&self) -> &'static str {
        match self {
            TabularError::EmptyFile => "empty_file",
            TabularError::UnknownEncoding => "unknown_encoding",
            TabularError::UnsupportedFormat => "unsupported_format",
            TabularError::MissingHeader => "missing_header",
            TabularError::BlankHeader { .. } => "blank_header",
            TabularError::DuplicateHeader { .. } => "duplicate_header",
            TabularError::RowTooLarge { .. } => "row_too_large",
            TabularError::SheetNotFound(_) => "sheet_not_found",
            TabularError::PasswordProtected => "password_protected",
            TabularError::Damaged(_) => "damaged_file",
            TabularError::CellTooLong { .. } => "cell_too_long",
            TabularError::RowWidth { .. } => "row_width",
            TabularError::Write(_) => "write_failed",
            TabularError::Io(_) => "io",
        }
    }
}

/// A problem with one row: the row is rejected and reported, and reading goes on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowProblem {
    /// The row has a different number of cells than the header (extra cells that are all
    /// empty do not count).
    WrongColumnCount {
        /// The number of columns in the header.
        expected: usize,
        /// The number of cells in this row.
        found: usize,
    },
    /// A cell is not valid text in the file's encoding (a UTF-8 file with a stray byte).
    InvalidText {
        /// The column, from 1.
        column: usize,
    },
    /// A spreadsheet cell holds a formula error such as `#N/A` or `#DIV/0!`.
    CellError {
        /// The column, from 1.
        column: usize,
        /// The error as Excel shows it.
        error: String,
    },
}

impl RowProblem {
    /// The stable machine code of this problem, e.g. `"wrong_column_count"`.
    pub fn code(&self) -> &'static str {
        match self {
            RowProblem::WrongColumnCount { .. } => "wrong_column_count",
            RowProblem::InvalidText { .. } => "invalid_text",
            RowProblem::CellError { .. } => "cell_error",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_distinct_snake_case() {
        let errors = [
            TabularError::EmptyFile,
            TabularError::UnknownEncoding,
            TabularError::UnsupportedFormat,
            TabularError::MissingHeader,
            TabularError::BlankHeader { column: 1 },
            TabularError::DuplicateHeader {
                name: "a".into(),
                first: 1,
                second: 2,
            },
            TabularError::RowTooLarge { line: 1, limit: 1 },
            TabularError::SheetNotFound("x".into()),
            TabularError::PasswordProtected,
            TabularError::Damaged("x".into()),
            TabularError::CellTooLong { row: 1, column: 1 },
            TabularError::RowWidth {
                expected: 1,
                found: 2,
            },
            TabularError::Write("x".into()),
            TabularError::Io(std::io::Error::other("x")),
        ];
        let mut codes: Vec<&str> = errors.iter().map(TabularError::code).collect();
        assert!(
            codes
                .iter()
                .all(|c| c.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
        );
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), errors.len());
        assert_eq!(
            RowProblem::WrongColumnCount {
                expected: 2,
                found: 3
            }
            .code(),
            "wrong_column_count"
        );
    }
}
