//! Reading rows from `.xlsx` workbooks with calamine, one cell at a time.

use std::io::{Read, Seek};

use calamine::{DataRef, Reader, Xlsx, XlsxCellReader, XlsxError};

use crate::error::{RowProblem, TabularError};
use crate::read::{Row, RowSource, check_headers, finish_row, is_blank_row};

/// An opened `.xlsx` workbook.
///
/// Opening reads the workbook's shared strings and styles; the sheet itself is read a cell at
/// a time by [`XlsxWorkbook::rows`], so memory does not grow with the number of rows.
pub struct XlsxWorkbook<RS: Read + Seek> {
    inner: Xlsx<RS>,
}

impl<RS: Read + Seek> XlsxWorkbook<RS> {
    /// Opens a workbook. Fails with [`TabularError::PasswordProtected`],
    /// [`TabularError::UnsupportedFormat`] (not a ZIP archive) or [`TabularError::Damaged`].
    pub fn open(source: RS) -> Result<Self, TabularError> {
        let inner = Xlsx::new(source).map_err(xlsx_error)?;
        Ok(XlsxWorkbook { inner })
    }

    /// The names of the sheets, in workbook order.
    pub fn sheet_names(&self) -> Vec<String> {
        self.inner.sheet_names()
    }

    /// Starts reading a sheet (the first one if `sheet` is `None`): finds and checks the
    /// header row (the first row with any value).
    pub fn rows(&mut self, sheet: Option<&str>) -> Result<XlsxRows<'_, RS>, TabularError> {
        let name = match sheet {
            Some(name) => name.to_owned(),
            None => self
                .inner
                .sheet_names()
                .into_iter()
                .next()
                .ok_or(TabularError::EmptyFile)?,
        };
        let cells = self
            .inner
            .worksheet_cells_reader(&name)
            .map_err(xlsx_error)?;
        let mut rows = XlsxRows {
            cells,
            headers: Vec::new(),
            pending: None,
            exhausted: false,
            finished: false,
        };
        let header = rows.next().ok_or(TabularError::EmptyFile)??;
        rows.headers = check_headers(header.cells)?;
        Ok(rows)
    }
}

/// A non-empty cell as read: row and column (from 0), its text, and its formula error if any.
type SheetCell = (u32, u32, String, Option<String>);

/// The rows of one sheet (see [`RowSource`]). Rows are numbered as Excel shows them.
///
/// Cell values become the text a user would type: whole numbers without a decimal point,
/// other numbers with up to 15 significant digits (as Excel shows them), dates as
/// `YYYY-MM-DD` (with ` HH:MM:SS` when they have a time), booleans as `true`/`false`. A cell
/// with a formula error (`#N/A`, …) makes a [`RowProblem::CellError`].
pub struct XlsxRows<'a, RS: Read + Seek> {
    cells: XlsxCellReader<'a, RS>,
    headers: Vec<String>,
    /// A cell of the next row, read while looking for the end of the current one.
    pending: Option<SheetCell>,
    /// Whether the cell reader has reported the end of the sheet; it must not be asked again.
    exhausted: bool,
    finished: bool,
}

impl<RS: Read + Seek> XlsxRows<'_, RS> {
    /// The next cell as (row, column, text, formula error), skipping empty ones.
    fn next_cell(&mut self) -> Result<Option<SheetCell>, TabularError> {
        while !self.exhausted {
            let Some(cell) = self.cells.next_cell().map_err(xlsx_error)? else {
                self.exhausted = true;
                break;
            };
            let (row, column) = cell.get_position();
            let (text, error) = match cell.get_value() {
                DataRef::Error(e) => (e.to_string(), Some(e.to_string())),
                value => (cell_text(value), None),
            };
            if !text.is_empty() {
                return Ok(Some((row, column, text, error)));
            }
        }
        Ok(None)
    }

    /// Reads the next row with any value; before the header is known, every width is fine.
    fn read_row(&mut self) -> Result<Option<Row>, TabularError> {
        loop {
            match self.read_cells()? {
                None => return Ok(None),
                Some(row) if is_blank_row(&row.cells) => continue,
                Some(row) if self.headers.is_empty() => return Ok(Some(row)),
                Some(row) => {
                    let mut checked = finish_row(row.line, row.cells, self.headers.len());
                    checked.problem = checked.problem.or(row.problem);
                    return Ok(Some(checked));
                }
            }
        }
    }

    /// Reads the cells of the next row that has any, padded to the header width.
    fn read_cells(&mut self) -> Result<Option<Row>, TabularError> {
        let first = match self.pending.take() {
            Some(cell) => cell,
            None => match self.next_cell()? {
                Some(cell) => cell,
                None => return Ok(None),
            },
        };
        let row_index = first.0;
        let mut cells: Vec<String> = vec![String::new(); self.headers.len()];
        let mut problem = None;
        let mut place = |(_, column, text, error): SheetCell| {
            let column = column as usize;
            if cells.len() <= column {
                cells.resize(column + 1, String::new());
            }
            if let Some(error) = error {
                problem.get_or_insert(RowProblem::CellError {
                    column: column + 1,
                    error,
                });
            }
            cells[column] = text;
        };
        place(first);
        while let Some(cell) = self.next_cell()? {
            if cell.0 != row_index {
                self.pending = Some(cell);
                break;
            }
            place(cell);
        }
        Ok(Some(Row {
            line: u64::from(row_index) + 1,
            cells,
            problem,
        }))
    }
}

impl<RS: Read + Seek> Iterator for XlsxRows<'_, RS> {
    type Item = Result<Row, TabularError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.finished {
            return None;
        }
        let result = self.read_row().transpose();
        if !matches!(result, Some(Ok(_))) {
            self.finished = true;
        }
        result
    }
}

impl<RS: Read + Seek> RowSource for XlsxRows<'_, RS> {
    fn headers(&self) -> &[String] {
        &self.headers
    }
}

/// The text a user would have typed for a cell value.
fn cell_text(value: &DataRef<'_>) -> String {
    match value {
        DataRef::Empty | DataRef::Error(_) => String::new(),
        DataRef::String(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_owned(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) => number_text(*f),
        DataRef::Bool(b) => b.to_string(),
        DataRef::DateTime(dt) if dt.is_datetime() => {
            let (y, mo, d, h, mi, s, _) = dt.to_ymd_hms_milli();
            if (h, mi, s) == (0, 0, 0) {
                format!("{y:04}-{mo:02}-{d:02}")
            } else {
                format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
            }
        }
        DataRef::DateTime(dt) => number_text(dt.as_f64()),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
    }
}

/// A number as Excel shows it: whole numbers without a point (a phone typed as a number stays
/// `9121234567`, not `9.12E+09`), others rounded to Excel's 15 significant digits so binary
/// noise like `0.30000000000000004` does not appear.
pub(crate) fn number_text(value: f64) -> String {
    if !value.is_finite() {
        return String::new();
    }
    if value.fract() == 0.0 && value.abs() < 1e15 {
        return format!("{}", value as i64);
    }
    let rounded: f64 = format!("{value:.14e}").parse().unwrap_or(value);
    format!("{rounded}")
}

/// Turns calamine's errors into ours.
fn xlsx_error(error: XlsxError) -> TabularError {
    match error {
        XlsxError::Password => TabularError::PasswordProtected,
        XlsxError::WorksheetNotFound(name) => TabularError::SheetNotFound(name),
        XlsxError::Io(e) => TabularError::Io(e),
        XlsxError::Zip(_) => TabularError::UnsupportedFormat,
        other => TabularError::Damaged(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_xlsxwriter::Workbook;

    /// An XLSX file built by `fill`, as bytes.
    fn workbook(fill: impl FnOnce(&mut Workbook)) -> std::io::Cursor<Vec<u8>> {
        let mut book = Workbook::new();
        fill(&mut book);
        std::io::Cursor::new(book.save_to_buffer().unwrap())
    }

    fn read_all(
        file: std::io::Cursor<Vec<u8>>,
        sheet: Option<&str>,
    ) -> Result<Vec<Row>, TabularError> {
        let mut book = XlsxWorkbook::open(file)?;
        let rows = book.rows(sheet)?;
        rows.collect()
    }

    #[test]
    fn rows_are_numbered_as_excel_shows_them_and_gaps_are_filled() {
        let file = workbook(|book| {
            let sheet = book.add_worksheet();
            // A title-less sheet whose header starts on row 2, with a blank row and a gap.
            sheet.write(1, 0, "نام").unwrap();
            sheet.write(1, 1, "شهر").unwrap();
            sheet.write(1, 2, "موبایل").unwrap();
            sheet.write(2, 0, "علی").unwrap();
            sheet.write(2, 2, 9_121_234_567_f64).unwrap();
            sheet.write(4, 1, "قم").unwrap();
            sheet.write(5, 0, "   ").unwrap();
            sheet.write(6, 0, "x").unwrap();
            sheet.write(6, 4, "beyond the header").unwrap();
        });
        let mut book = XlsxWorkbook::open(file).unwrap();
        let mut rows = book.rows(None).unwrap();
        assert_eq!(rows.headers(), ["نام", "شهر", "موبایل"]);
        let all: Vec<Row> = rows.by_ref().map(Result::unwrap).collect();
        assert_eq!(all.len(), 3);
        assert_eq!(
            (all[0].line, all[0].cells.clone()),
            (3, vec!["علی".into(), String::new(), "9121234567".into()])
        );
        assert_eq!(
            (all[1].line, all[1].cells.clone()),
            (5, vec![String::new(), "قم".into(), String::new()])
        );
        assert_eq!(all[2].line, 7);
        assert_eq!(
            all[2].problem,
            Some(RowProblem::WrongColumnCount {
                expected: 3,
                found: 5
            })
        );
        assert_eq!(all[2].cells[4], "beyond the header");
        assert!(rows.next().is_none());
    }

    #[test]
    fn sheets_are_chosen_by_name() {
        let file = workbook(|book| {
            book.add_worksheet()
                .set_name("اول")
                .unwrap()
                .write(0, 0, "a")
                .unwrap();
            let second = book.add_worksheet().set_name("دوم").unwrap();
            second.write(0, 0, "ایمیل").unwrap();
            second.write(1, 0, "a@b.co").unwrap();
        });
        let book = XlsxWorkbook::open(file.clone()).unwrap();
        assert_eq!(book.sheet_names(), ["اول", "دوم"]);
        let rows = read_all(file.clone(), Some("دوم")).unwrap();
        assert_eq!(rows[0].cells, ["a@b.co"]);
        assert!(read_all(file.clone(), None).unwrap().is_empty());
        assert_eq!(
            read_all(file, Some("سوم")).unwrap_err().code(),
            "sheet_not_found"
        );
    }

    #[test]
    fn whole_sheet_problems() {
        let empty = workbook(|book| {
            book.add_worksheet();
        });
        assert_eq!(read_all(empty, None).unwrap_err().code(), "empty_file");
        let headless = workbook(|book| {
            let sheet = book.add_worksheet();
            sheet.write(0, 0, "علی").unwrap();
            sheet.write(0, 1, "ali@example.com").unwrap();
        });
        assert_eq!(
            read_all(headless, None).unwrap_err().code(),
            "missing_header"
        );
        let duplicate = workbook(|book| {
            let sheet = book.add_worksheet();
            sheet.write(0, 0, "Email").unwrap();
            sheet.write(0, 1, "email").unwrap();
        });
        assert_eq!(
            read_all(duplicate, None).unwrap_err().code(),
            "duplicate_header"
        );
        let not_a_workbook = std::io::Cursor::new(b"name,phone\n".to_vec());
        assert_eq!(
            XlsxWorkbook::open(not_a_workbook).err().unwrap().code(),
            "unsupported_format"
        );
    }

    #[test]
    fn numbers_read_as_typed() {
        assert_eq!(number_text(9121234567.0), "9121234567");
        assert_eq!(number_text(-42.0), "-42");
        assert_eq!(number_text(0.1 + 0.2), "0.3");
        assert_eq!(number_text(1234.5), "1234.5");
        assert_eq!(number_text(1e20), "100000000000000000000");
        assert_eq!(number_text(f64::NAN), "");
    }
}
