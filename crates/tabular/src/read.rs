//! Reading rows from CSV files, and what all readers share: [`Row`], [`RowSource`], the
//! header checks.

use std::collections::VecDeque;
use std::io::{self, Chain, Cursor, Read, Seek, SeekFrom};

use peyvand_domain::calendar::{CalendarKind, parse_date_flexible};
use peyvand_domain::duplicate::{email_key, phone_key};
use peyvand_domain::number::parse_decimal;
use peyvand_domain::text::normalize_search;

use crate::FileFormat;
use crate::detect::{
    DecodingReader, TextEncoding, detect_delimiter, detect_encoding, detect_format,
};
use crate::error::{RowProblem, TabularError};
use crate::write::unguard_formula;
use crate::xlsx_read::XlsxWorkbook;

/// How much of a file is looked at to detect its encoding and delimiter.
const SAMPLE_BYTES: usize = 64 * 1024;

/// Settings for reading a file; the defaults detect everything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadOptions {
    /// The CSV delimiter, or `None` to detect it (comma, semicolon, tab or vertical bar).
    pub delimiter: Option<u8>,
    /// The CSV encoding, or `None` to detect it.
    pub encoding: Option<TextEncoding>,
    /// The sheet of a workbook to read, or `None` for the first one.
    pub sheet: Option<String>,
    /// The largest row accepted, in bytes. A CSV quote that is never closed turns the rest of
    /// the file into one cell; this limit stops that from filling memory.
    pub max_row_bytes: usize,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            delimiter: None,
            encoding: None,
            sheet: None,
            max_row_bytes: 4 * 1024 * 1024,
        }
    }
}

/// One data row of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// Where the row starts, counted from 1 as editors show it: the line of a CSV file or the
    /// row number of a sheet. The header is line 1 unless blank lines precede it.
    pub line: u64,
    /// The cells as text, one per header column when there is no problem. With a
    /// [`RowProblem::WrongColumnCount`] they are exactly as read, so the rejected row can be
    /// written back unchanged for the user to fix.
    pub cells: Vec<String>,
    /// What is wrong with the row as a whole, if anything; such a row must be rejected.
    pub problem: Option<RowProblem>,
}

/// A file being read row by row: its column names, then its data rows in order.
///
/// Rows that are entirely blank are skipped. The iterator yields an `Err` at most once, for a
/// problem that stops reading (an I/O error, a damaged workbook, a runaway row), and then ends.
pub trait RowSource: Iterator<Item = Result<Row, TabularError>> {
    /// The column names from the header row, trimmed, in file order.
    fn headers(&self) -> &[String];
}

/// Checks the header row: no blank or duplicate names, and not a row of data.
///
/// Blank cells at the end of the header are dropped: spreadsheets often write a delimiter or
/// a formatted cell after the last column. Nothing is lost by that, because a data row with a
/// value under such a cell is longer than the header and reported as
/// [`RowProblem::WrongColumnCount`].
pub(crate) fn check_headers(cells: Vec<String>) -> Result<Vec<String>, TabularError> {
    let mut headers: Vec<String> = cells.iter().map(|c| c.trim().to_owned()).collect();
    while headers.last().is_some_and(String::is_empty) {
        headers.pop();
    }
    if headers.iter().any(|h| looks_like_data(h)) {
        return Err(TabularError::MissingHeader);
    }
    let mut seen: Vec<String> = Vec::with_capacity(headers.len());
    for (i, header) in headers.iter().enumerate() {
        if header.is_empty() {
            return Err(TabularError::BlankHeader { column: i + 1 });
        }
        let key = normalize_search(header);
        if let Some(first) = seen.iter().position(|k| *k == key) {
            return Err(TabularError::DuplicateHeader {
                name: header.clone(),
                first: first + 1,
                second: i + 1,
            });
        }
        seen.push(key);
    }
    Ok(headers)
}

/// Whether a header cell is really a value: an email, a phone, a number or a date. Column
/// names are words, so a first row with such a cell is data, and the file has no header.
fn looks_like_data(cell: &str) -> bool {
    email_key(cell).is_some()
        || phone_key(cell).is_some()
        || parse_decimal(cell).is_ok()
        || parse_date_flexible(cell, CalendarKind::Jalali).is_ok()
}

/// Whether every cell is empty or whitespace.
pub(crate) fn is_blank_row(cells: &[String]) -> bool {
    cells.iter().all(|c| c.trim().is_empty())
}

/// Checks a data row against the header width. Extra cells that are all blank (a trailing
/// delimiter, or cells Excel kept formatted) are dropped, since they hold nothing; any other
/// difference is a [`RowProblem::WrongColumnCount`] and the cells stay as read.
pub(crate) fn finish_row(line: u64, mut cells: Vec<String>, width: usize) -> Row {
    if cells.len() > width && is_blank_row(&cells[width..]) {
        cells.truncate(width);
    }
    let problem = (cells.len() != width).then_some(RowProblem::WrongColumnCount {
        expected: width,
        found: cells.len(),
    });
    Row {
        line,
        cells,
        problem,
    }
}

/// The bytes of a file: the sample already read, then the rest.
type Rewound<R> = Chain<Cursor<Vec<u8>>, R>;

/// The text of a CSV file as UTF-8 bytes: passed through, or decoded on the fly.
enum Utf8Source<R> {
    Plain(Rewound<R>),
    Decoded(DecodingReader<Rewound<R>>),
}

impl<R: Read> Read for Utf8Source<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Utf8Source::Plain(r) => r.read(buf),
            Utf8Source::Decoded(r) => r.read(buf),
        }
    }
}

/// Sits between the text and the CSV parser: refuses to read further once one row has taken
/// more than the limit, so a runaway quote costs an error instead of all the memory; and
/// remembers where lines end, because the parser's own line count skips blank lines and so
/// would point users at the wrong line.
struct RowSizeGuard<R> {
    inner: R,
    bytes_read: u64,
    row_start: u64,
    limit: u64,
    tripped: bool,
    /// Offsets of the line feeds read but not yet passed by [`RowSizeGuard::line_at`]; at most
    /// one parser buffer's worth.
    newlines: VecDeque<u64>,
    /// Line feeds before the first of `newlines`.
    lines_passed: u64,
}

impl<R> RowSizeGuard<R> {
    /// The line (from 1) of the byte at `offset`; offsets must be asked for in increasing order.
    fn line_at(&mut self, offset: u64) -> u64 {
        while self.newlines.front().is_some_and(|&n| n < offset) {
            self.newlines.pop_front();
            self.lines_passed += 1;
        }
        self.lines_passed + 1
    }
}

impl<R: Read> Read for RowSizeGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.bytes_read - self.row_start > self.limit {
            self.tripped = true;
            return Err(io::Error::other("row too large"));
        }
        let n = self.inner.read(buf)?;
        let start = self.bytes_read;
        self.newlines.extend(
            buf[..n]
                .iter()
                .enumerate()
                .filter(|(_, b)| **b == b'\n')
                .map(|(i, _)| start + i as u64),
        );
        self.bytes_read += n as u64;
        Ok(n)
    }
}

/// A CSV file read row by row in constant memory (see [`RowSource`]).
pub struct CsvRows<R: Read> {
    reader: csv::Reader<RowSizeGuard<Utf8Source<R>>>,
    record: csv::ByteRecord,
    headers: Vec<String>,
    encoding: TextEncoding,
    delimiter: u8,
    max_row_bytes: usize,
    finished: bool,
}

impl<R: Read> CsvRows<R> {
    /// Starts reading a CSV file: detects its encoding and delimiter (unless `options` fixes
    /// them) from the first 64 KiB and reads and checks the header row.
    ///
    /// Fails with [`TabularError::EmptyFile`], [`TabularError::UnknownEncoding`],
    /// [`TabularError::UnsupportedFormat`] (a workbook or other binary file),
    /// [`TabularError::MissingHeader`], [`TabularError::BlankHeader`] or
    /// [`TabularError::DuplicateHeader`].
    pub fn open(mut source: R, options: &ReadOptions) -> Result<Self, TabularError> {
        let mut sample = Vec::with_capacity(SAMPLE_BYTES);
        (&mut source)
            .take(SAMPLE_BYTES as u64)
            .read_to_end(&mut sample)?;
        let complete = sample.len() < SAMPLE_BYTES;
        if detect_format(&sample)? != FileFormat::Csv {
            return Err(TabularError::UnsupportedFormat);
        }
        let (encoding, bom) = match options.encoding {
            Some(encoding) => (
                encoding,
                detect_encoding(&sample, complete).map_or(0, |d| d.1),
            ),
            None => detect_encoding(&sample, complete)?,
        };
        let delimiter = match options.delimiter {
            Some(d) => d,
            None => match encoding {
                TextEncoding::Utf8 => detect_delimiter(&sample[bom..], complete),
                _ => {
                    let mut decoded = Vec::new();
                    DecodingReader::new(&sample[bom..], encoding).read_to_end(&mut decoded)?;
                    detect_delimiter(&decoded, complete)
                }
            },
        };
        let mut rest = Cursor::new(sample);
        rest.set_position(bom as u64);
        let bytes = rest.chain(source);
        let text = match encoding {
            TextEncoding::Utf8 => Utf8Source::Plain(bytes),
            _ => Utf8Source::Decoded(DecodingReader::new(bytes, encoding)),
        };
        let guard = RowSizeGuard {
            inner: text,
            bytes_read: 0,
            row_start: 0,
            limit: options.max_row_bytes as u64,
            tripped: false,
            newlines: VecDeque::new(),
            lines_passed: 0,
        };
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(guard);
        let mut rows = CsvRows {
            reader,
            record: csv::ByteRecord::new(),
            headers: Vec::new(),
            encoding,
            delimiter,
            max_row_bytes: options.max_row_bytes,
            finished: false,
        };
        let header = rows.next().ok_or(TabularError::EmptyFile)??;
        if header.problem.is_some() {
            return Err(TabularError::UnknownEncoding);
        }
        rows.headers = check_headers(header.cells)?;
        Ok(rows)
    }

    /// The encoding the file is read in.
    pub fn encoding(&self) -> TextEncoding {
        self.encoding
    }

    /// The delimiter the file is read with.
    pub fn delimiter(&self) -> u8 {
        self.delimiter
    }

    /// Reads the next non-blank record; before the header is known, every cell count is fine.
    fn read_row(&mut self) -> Result<Option<Row>, TabularError> {
        loop {
            let more = self.reader.read_byte_record(&mut self.record);
            let next_start = self.reader.position().byte();
            let guard = self.reader.get_mut();
            match more {
                Ok(false) => return Ok(None),
                Ok(true) => guard.row_start = guard.bytes_read,
                Err(_) if guard.tripped => {
                    return Err(TabularError::RowTooLarge {
                        line: guard.line_at(next_start),
                        limit: self.max_row_bytes,
                    });
                }
                Err(e) => return Err(csv_error(e)),
            }
            // The record ends on the line of the last byte the parser took for it (its line
            // break, or its last character at the end of the file), and starts as many lines
            // earlier as its quoted cells hold line breaks.
            let inner_breaks = self
                .record
                .as_slice()
                .iter()
                .filter(|b| **b == b'\n')
                .count();
            let line = guard.line_at(next_start.saturating_sub(1)) - inner_breaks as u64;
            let mut problem = None;
            let cells: Vec<String> = self
                .record
                .iter()
                .enumerate()
                .map(|(i, bytes)| {
                    let text = match std::str::from_utf8(bytes) {
                        Ok(text) => text.to_owned(),
                        Err(_) => {
                            problem.get_or_insert(RowProblem::InvalidText { column: i + 1 });
                            String::from_utf8_lossy(bytes).into_owned()
                        }
                    };
                    unguard_formula(text)
                })
                .collect();
            if is_blank_row(&cells) {
                continue;
            }
            if self.headers.is_empty() {
                return Ok(Some(Row {
                    line,
                    cells,
                    problem,
                }));
            }
            let mut row = finish_row(line, cells, self.headers.len());
            row.problem = row.problem.or(problem);
            return Ok(Some(row));
        }
    }
}

/// Turns an error of the CSV parser into ours. With flexible records read as bytes, the only
/// errors it reports are I/O errors.
fn csv_error(error: csv::Error) -> TabularError {
    match error.into_kind() {
        csv::ErrorKind::Io(e) => TabularError::Io(e),
        other => TabularError::Damaged(format!("{other:?}")),
    }
}

impl<R: Read> Iterator for CsvRows<R> {
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

impl<R: Read> RowSource for CsvRows<R> {
    fn headers(&self) -> &[String] {
        &self.headers
    }
}

/// Reads a file whose format is not known in advance: looks at its first bytes, opens it as
/// CSV or as an XLSX workbook (the sheet in `options`, else the first), and hands the rows to
/// `body`. The result is `body`'s.
///
/// This is the one entry point an import needs; a workbook's rows borrow the opened workbook,
/// which is why they are lent to a closure rather than returned.
pub fn with_rows<R: Read + Seek, T>(
    mut source: R,
    options: &ReadOptions,
    body: impl FnOnce(&mut dyn RowSource) -> T,
) -> Result<T, TabularError> {
    let mut magic = Vec::with_capacity(8);
    (&mut source).take(8).read_to_end(&mut magic)?;
    source.seek(SeekFrom::Start(0))?;
    match detect_format(&magic)? {
        FileFormat::Csv => {
            let mut rows = CsvRows::open(source, options)?;
            Ok(body(&mut rows))
        }
        FileFormat::Xlsx => {
            let mut book = XlsxWorkbook::open(source)?;
            let mut rows = book.rows(options.sheet.as_deref())?;
            Ok(body(&mut rows))
        }
    }
}

#[cfg(test)]
#[path = "read_tests.rs"]
mod tests;
