//! Writing tables to CSV and XLSX files, row by row.

use std::io::Write;

use peyvand_domain::calendar::{CalendarKind, Locale, format_date};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, XlsxError};

use crate::error::TabularError;

/// One cell of a table to write.
#[derive(Debug, Clone, PartialEq)]
pub enum CellValue {
    /// No value.
    Empty,
    /// Text, written as text (never as a formula).
    Text(String),
    /// A whole number.
    Integer(i64),
    /// Any other number.
    Number(f64),
    /// A calendar date, written in the export's calendar.
    Date(time::Date),
    /// A date and time of day, already in the reader's time zone.
    DateTime(time::PrimitiveDateTime),
    /// Yes or no.
    Bool(bool),
}

/// How a table is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportOptions {
    /// The reader's language: yes and no are «بله» and «خیر» in Persian CSV files.
    pub locale: Locale,
    /// The calendar of dates. Jalali dates are written as text (`1403/01/15`, which sorts
    /// correctly as text) because Excel has no Jalali date type; Gregorian dates in XLSX are
    /// real Excel dates shown as `yyyy-mm-dd`.
    pub calendar: CalendarKind,
    /// Whether XLSX sheets run right to left (column A on the right), for Persian readers.
    pub right_to_left: bool,
    /// The XLSX sheet name; further sheets (beyond Excel's 1,048,576 rows) get ` (2)`, ….
    pub sheet_name: Option<String>,
    /// Whether XLSX rows go to a temporary file as they are written instead of staying in
    /// memory, so exports of any size need constant memory. Rows must then be written in
    /// order, which [`XlsxTableWriter`] always does.
    pub constant_memory: bool,
}

impl ExportOptions {
    /// The usual options for a user: right to left for Persian, constant memory, default
    /// sheet name.
    pub fn for_user(locale: Locale, calendar: CalendarKind) -> ExportOptions {
        ExportOptions {
            locale,
            calendar,
            right_to_left: locale.is_rtl(),
            sheet_name: None,
            constant_memory: true,
        }
    }
}

/// Something rows of cells can be written to, one at a time, after the header.
pub trait TableWriter {
    /// Writes one row; it must have as many cells as the header.
    fn write_row(&mut self, cells: &[CellValue]) -> Result<(), TabularError>;
}

/// Whether a text cell would be taken for a formula by a spreadsheet opening a CSV file: it
/// starts with `=` or `@`, or with `+` or `-` not followed by a number or phone number. Such
/// cells are written with a leading `'` so that a name like `=HYPERLINK(…)` typed into the CRM
/// cannot run in someone's Excel ("CSV injection"), while `+98 912 …` and `-5` stay as they are.
fn looks_like_formula(text: &str) -> bool {
    let mut chars = text.chars();
    match chars.next() {
        Some('=' | '@') => true,
        Some('+' | '-') => {
            let rest = chars.as_str();
            rest.is_empty()
                || !rest
                    .chars()
                    .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | ',' | '(' | ')'))
        }
        _ => false,
    }
}

/// The text to write for a cell of a CSV file, with a formula guard if needed.
pub(crate) fn guard_formula(text: &str) -> String {
    if looks_like_formula(text) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

/// Undoes [`guard_formula`] on a cell read from a CSV file, so exported files import back
/// unchanged.
pub(crate) fn unguard_formula(text: String) -> String {
    match text.strip_prefix('\'') {
        Some(rest) if looks_like_formula(rest) => rest.to_owned(),
        _ => text,
    }
}

/// Writes a CSV file: UTF-8 with a byte order mark (without it Excel reads Persian as
/// Windows-1252 gibberish), comma-separated, quoted where needed, CRLF line ends as Excel
/// writes them.
pub struct CsvTableWriter<W: Write> {
    inner: csv::Writer<W>,
    width: usize,
    options: ExportOptions,
    line: Vec<String>,
}

impl<W: Write> CsvTableWriter<W> {
    /// Starts a CSV file with the byte order mark and the header row.
    pub fn new(
        mut out: W,
        headers: &[impl AsRef<str>],
        options: &ExportOptions,
    ) -> Result<Self, TabularError> {
        out.write_all(b"\xEF\xBB\xBF")?;
        let inner = csv::WriterBuilder::new()
            .flexible(true)
            .terminator(csv::Terminator::CRLF)
            .from_writer(out);
        let mut writer = CsvTableWriter {
            inner,
            width: headers.len(),
            options: options.clone(),
            line: Vec::with_capacity(headers.len()),
        };
        writer.write_text_row(headers)?;
        Ok(writer)
    }

    /// Writes a row of text cells as they are (apart from the formula guard), of any width:
    /// for the file of rejected rows, whose cells must go back exactly as they were read.
    pub fn write_text_row(&mut self, cells: &[impl AsRef<str>]) -> Result<(), TabularError> {
        self.line.clear();
        self.line
            .extend(cells.iter().map(|c| guard_formula(c.as_ref())));
        self.inner.write_record(&self.line).map_err(csv_write_error)
    }

    /// Flushes the file and returns the output.
    pub fn finish(self) -> Result<W, TabularError> {
        self.inner
            .into_inner()
            .map_err(|e| TabularError::Io(e.into_error()))
    }

    fn cell_text(&self, cell: &CellValue) -> String {
        match cell {
            CellValue::Empty => String::new(),
            CellValue::Text(s) => guard_formula(s),
            CellValue::Integer(i) => i.to_string(),
            CellValue::Number(f) if f.is_finite() => format!("{f}"),
            CellValue::Number(_) => String::new(),
            CellValue::Date(d) => format_date(*d, self.options.calendar, Locale::En),
            CellValue::DateTime(dt) => format!(
                "{} {:02}:{:02}",
                format_date(dt.date(), self.options.calendar, Locale::En),
                dt.hour(),
                dt.minute()
            ),
            CellValue::Bool(b) => match (self.options.locale, b) {
                (Locale::Fa, true) => "بله".to_owned(),
                (Locale::Fa, false) => "خیر".to_owned(),
                (Locale::En, true) => "yes".to_owned(),
                (Locale::En, false) => "no".to_owned(),
            },
        }
    }
}

impl<W: Write> TableWriter for CsvTableWriter<W> {
    fn write_row(&mut self, cells: &[CellValue]) -> Result<(), TabularError> {
        check_width(self.width, cells.len())?;
        let line: Vec<String> = cells.iter().map(|c| self.cell_text(c)).collect();
        self.inner.write_record(&line).map_err(csv_write_error)
    }
}

fn check_width(expected: usize, found: usize) -> Result<(), TabularError> {
    if expected == found {
        Ok(())
    } else {
        Err(TabularError::RowWidth { expected, found })
    }
}

fn csv_write_error(error: csv::Error) -> TabularError {
    match error.into_kind() {
        csv::ErrorKind::Io(e) => TabularError::Io(e),
        other => TabularError::Write(format!("{other:?}")),
    }
}

/// Rows per sheet in Excel, header included.
const EXCEL_ROWS: u32 = 1_048_576;
/// The longest text an Excel cell holds, in UTF-16 code units.
const EXCEL_TEXT_MAX: usize = 32_767;
/// Integers beyond this lose digits as Excel numbers (binary doubles), so they are written as
/// text.
const EXACT_INTEGER_MAX: i64 = 1 << 53;

/// Writes an XLSX workbook: a bold, frozen header row, optionally right to left, and rows
/// spilling onto further sheets past Excel's row limit.
pub struct XlsxTableWriter {
    workbook: Workbook,
    headers: Vec<String>,
    options: ExportOptions,
    sheet: usize,
    sheets: usize,
    row: u32,
    header_format: Format,
    date_format: Format,
    datetime_format: Format,
}

impl XlsxTableWriter {
    /// Starts a workbook with one sheet and its header row. In constant-memory mode rows go
    /// to a file in the system's temporary directory until [`XlsxTableWriter::finish`].
    pub fn new(headers: &[impl AsRef<str>], options: &ExportOptions) -> Result<Self, TabularError> {
        let mut writer = XlsxTableWriter {
            workbook: Workbook::new(),
            headers: headers.iter().map(|h| h.as_ref().to_owned()).collect(),
            options: options.clone(),
            sheet: 0,
            sheets: 0,
            row: 0,
            header_format: Format::new().set_bold(),
            date_format: Format::new().set_num_format("yyyy-mm-dd"),
            datetime_format: Format::new().set_num_format("yyyy-mm-dd hh:mm"),
        };
        writer.start_sheet()?;
        Ok(writer)
    }

    /// Adds a sheet and writes the header row on it.
    fn start_sheet(&mut self) -> Result<(), TabularError> {
        self.sheets += 1;
        let name = sheet_name(self.options.sheet_name.as_deref(), self.sheets);
        let sheet = if self.options.constant_memory {
            self.workbook
                .add_worksheet_with_constant_memory()
                .map_err(xlsx_write_error)?
        } else {
            self.workbook.add_worksheet()
        };
        if let Some(name) = name {
            sheet.set_name(name).map_err(xlsx_write_error)?;
        }
        sheet.set_right_to_left(self.options.right_to_left);
        sheet.set_freeze_panes(1, 0).map_err(xlsx_write_error)?;
        for (column, header) in self.headers.iter().enumerate() {
            let column = excel_column(column)?;
            let width = (header.chars().count() + 4).clamp(10, 40) as f64;
            sheet
                .set_column_width(column, width)
                .map_err(xlsx_write_error)?;
            sheet
                .write_string_with_format(0, column, header, &self.header_format)
                .map_err(xlsx_write_error)?;
        }
        self.sheet = self.sheets - 1;
        self.row = 1;
        Ok(())
    }

    /// Saves the workbook to `out`.
    pub fn finish<W: Write + Send>(mut self, out: W) -> Result<(), TabularError> {
        self.workbook.save_to_writer(out).map_err(xlsx_write_error)
    }
}

impl TableWriter for XlsxTableWriter {
    fn write_row(&mut self, cells: &[CellValue]) -> Result<(), TabularError> {
        check_width(self.headers.len(), cells.len())?;
        if self.row >= EXCEL_ROWS {
            self.start_sheet()?;
        }
        let row = self.row;
        let calendar = self.options.calendar;
        let sheet = self
            .workbook
            .worksheet_from_index(self.sheet)
            .map_err(xlsx_write_error)?;
        for (column, cell) in cells.iter().enumerate() {
            let col = excel_column(column)?;
            let result = match cell {
                CellValue::Empty => continue,
                CellValue::Text(s) => {
                    if s.encode_utf16().count() > EXCEL_TEXT_MAX {
                        return Err(TabularError::CellTooLong {
                            row: u64::from(row) + 1,
                            column: column + 1,
                        });
                    }
                    sheet.write_string(row, col, s)
                }
                CellValue::Integer(i) if i.abs() <= EXACT_INTEGER_MAX => {
                    sheet.write_number(row, col, *i as f64)
                }
                CellValue::Integer(i) => sheet.write_string(row, col, i.to_string()),
                CellValue::Number(f) if f.is_finite() => sheet.write_number(row, col, *f),
                CellValue::Number(_) => continue,
                CellValue::Bool(b) => sheet.write_boolean(row, col, *b),
                CellValue::Date(d) => match (calendar, excel_date(*d)) {
                    (CalendarKind::Gregorian, Some(date)) => {
                        sheet.write_datetime_with_format(row, col, &date, &self.date_format)
                    }
                    _ => sheet.write_string(row, col, format_date(*d, calendar, Locale::En)),
                },
                CellValue::DateTime(dt) => {
                    let excel = excel_date(dt.date())
                        .and_then(|d| d.and_hms(dt.hour().into(), dt.minute(), dt.second()).ok());
                    match (calendar, excel) {
                        (CalendarKind::Gregorian, Some(at)) => {
                            sheet.write_datetime_with_format(row, col, &at, &self.datetime_format)
                        }
                        _ => sheet.write_string(
                            row,
                            col,
                            format!(
                                "{} {:02}:{:02}",
                                format_date(dt.date(), calendar, Locale::En),
                                dt.hour(),
                                dt.minute()
                            ),
                        ),
                    }
                }
            };
            result.map_err(xlsx_write_error)?;
        }
        self.row += 1;
        Ok(())
    }
}

/// The sheet name for the `number`th sheet: `None` for the first sheet without a name given
/// (the library's default), otherwise the name with the characters Excel forbids replaced,
/// shortened to fit Excel's 31 characters with a ` (n)` suffix from the second sheet on.
fn sheet_name(base: Option<&str>, number: usize) -> Option<String> {
    let cleaned: String = base
        .unwrap_or("Sheet")
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { ' ' } else { c })
        .take(24)
        .collect();
    let cleaned = cleaned.trim().trim_matches('\'').to_owned();
    let cleaned = if cleaned.is_empty() {
        "Sheet".to_owned()
    } else {
        cleaned
    };
    match (base, number) {
        (None, 1) => None,
        (Some(_), 1) => Some(cleaned),
        _ => Some(format!("{cleaned} ({number})")),
    }
}

/// The column number as Excel counts them, if the table is not wider than Excel allows.
fn excel_column(column: usize) -> Result<u16, TabularError> {
    u16::try_from(column)
        .ok()
        .filter(|c| *c < 16_384)
        .ok_or_else(|| TabularError::Write(format!("column {} beyond Excel's last", column + 1)))
}

/// The date as an Excel date, if Excel can show it (years 1900–9999).
fn excel_date(date: time::Date) -> Option<ExcelDateTime> {
    let year = u16::try_from(date.year()).ok()?;
    ExcelDateTime::from_ymd(year, date.month().into(), date.day()).ok()
}

fn xlsx_write_error(error: XlsxError) -> TabularError {
    match error {
        XlsxError::IoError(e) => TabularError::Io(e),
        other => TabularError::Write(other.to_string()),
    }
}

#[cfg(test)]
#[path = "write_tests.rs"]
mod tests;
