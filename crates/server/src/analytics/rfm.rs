//! `peyvand analytics rfm`: totals per customer from a large CSV, read on two threads.
//!
//! The command is benchmarked on ten million orders (bench/analytics.sh), where parsing is
//! most of the work. The file is cut in two at a line break and each half is parsed on its own
//! thread into its own table of totals, which are then merged. A quoted field may contain a
//! line break, and then a cut could fall inside a record; so each half watches for quote
//! characters, and if either saw one the file is read again on one thread.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use anyhow::{Context, Result, anyhow, bail};
use peyvand_analytics::dates::Day;
use peyvand_analytics::{amount, rfm};
use smallvec::SmallVec;

use super::io::{self, FastMap};
use super::{RfmArgs, csv_writer, record};

/// A customer's identifier as a key of the totals. Identifiers up to 16 bytes (most are) live
/// in the table itself: boxed, every look-up of a million customers followed a pointer to a
/// cold allocation to compare the bytes, a fifth of the command's time (perf, bench/analytics.sh).
type CustomerId = SmallVec<[u8; 16]>;

/// One customer's running totals, kept small: ten million orders may name a million customers.
#[derive(Clone, Copy)]
struct Running {
    last_order: Day,
    orders: u32,
    spent: i64,
}

/// The totals of one part of the file.
struct Part {
    customers: FastMap<CustomerId, Running>,
    rows: u64,
    /// Lines read, for numbering the lines of the next part.
    lines: u64,
    saw_quote: bool,
}

/// Passes bytes through, noting whether a quote character went by.
struct QuoteWatch<R> {
    inner: R,
    saw_quote: bool,
}

impl<R: Read> Read for QuoteWatch<R> {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buffer)?;
        self.saw_quote |= buffer[..n].contains(&b'"');
        Ok(n)
    }
}

/// A failure on a line counted from the start of a part.
struct PartError {
    line: u64,
    error: anyhow::Error,
}

struct Columns {
    id: usize,
    date: usize,
    amount: usize,
    jalali: bool,
    as_of: Day,
}

fn add(
    customers: &mut FastMap<CustomerId, Running>,
    id: &[u8],
    day: Day,
    spent: i64,
) -> Result<()> {
    match customers.get_mut(id) {
        Some(t) => {
            t.last_order = t.last_order.max(day);
            t.orders += 1;
            t.spent = t
                .spent
                .checked_add(spent)
                .context("the customer's amounts add up to more than can be counted")?;
        }
        None => {
            customers.insert(
                CustomerId::from_slice(id),
                Running {
                    last_order: day,
                    orders: 1,
                    spent,
                },
            );
        }
    }
    Ok(())
}

/// Parses the data rows of `path` from byte `start` to `end` (a line start and a line end).
fn read_part(path: &Path, start: u64, end: u64, columns: &Columns) -> Result<Part, PartError> {
    let at_start = |error: anyhow::Error| PartError { line: 0, error };
    let mut file = File::open(path).map_err(|e| at_start(e.into()))?;
    file.seek(SeekFrom::Start(start))
        .map_err(|e| at_start(e.into()))?;
    let watch = QuoteWatch {
        inner: file.take(end - start),
        saw_quote: false,
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .buffer_capacity(1 << 20)
        .from_reader(watch);
    let mut customers = FastMap::default();
    let mut record = csv::ByteRecord::new();
    let mut rows = 0;
    loop {
        let line = reader.position().line();
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(error) => {
                return Err(PartError {
                    line,
                    error: anyhow!("unreadable CSV: {error}"),
                });
            }
        }
        let line = record.position().map_or(line, csv::Position::line);
        rows += 1;
        let parsed = (|| {
            let id = io::id(&record, columns.id, "customer_id")?;
            let day = io::date(&record, columns.date, columns.jalali)?;
            let spent = io::amount(&record, columns.amount, "amount")?;
            if day <= columns.as_of {
                add(&mut customers, id, day, spent)?;
            }
            Ok(())
        })();
        parsed.map_err(|error| PartError { line, error })?;
    }
    let lines = reader.position().line() - 1;
    let saw_quote = reader.get_ref().saw_quote;
    Ok(Part {
        customers,
        rows,
        lines,
        saw_quote,
    })
}

/// The first line break at or after `from`, plus one: where the second part starts.
fn next_line_start(path: &Path, from: u64) -> Result<u64> {
    let mut file = BufReader::new(File::open(path)?);
    file.seek(SeekFrom::Start(from))?;
    let mut skipped = Vec::new();
    file.read_until(b'\n', &mut skipped)?;
    Ok(from + skipped.len() as u64)
}

/// Reads the totals per customer, on two threads for large files.
fn read_totals(
    path: &Path,
    columns: &Columns,
    data_start: u64,
) -> Result<FastMap<CustomerId, Running>> {
    // Debug builds (the tests) split small files too, so the two-thread path is tested
    // without writing a large file.
    const SPLIT_FROM_BYTES: u64 = if cfg!(debug_assertions) {
        1 << 20
    } else {
        16 << 20
    };
    let end = std::fs::metadata(path)?.len();
    // Line numbers: the header is line 1.
    let located = |e: PartError, first_line: u64| {
        e.error.context(format!(
            "{}, line {}",
            path.display(),
            e.line + first_line - 1
        ))
    };
    let whole = || read_part(path, data_start, end, columns).map_err(|e| located(e, 2));
    let part = if end - data_start < SPLIT_FROM_BYTES {
        whole()?
    } else {
        let middle = next_line_start(path, data_start + (end - data_start) / 2)?;
        let (first, second) = std::thread::scope(|scope| {
            let second = scope.spawn(|| read_part(path, middle, end, columns));
            (
                read_part(path, data_start, middle, columns),
                second.join().expect("reader thread panicked"),
            )
        });
        let first = first.map_err(|e| located(e, 2))?;
        match second {
            _ if first.saw_quote => whole()?,
            Ok(second) if second.saw_quote => whole()?,
            Ok(second) => merge(first, second)?,
            Err(e) => return Err(located(e, 2 + first.lines)),
        }
    };
    if part.rows == 0 {
        bail!("{}: the file has a header but no data rows", path.display());
    }
    Ok(part.customers)
}

fn merge(first: Part, second: Part) -> Result<Part> {
    let (mut big, small) = if first.customers.len() >= second.customers.len() {
        (first, second)
    } else {
        (second, first)
    };
    for (id, t) in small.customers {
        match big.customers.get_mut(&id) {
            Some(b) => {
                b.last_order = b.last_order.max(t.last_order);
                b.orders += t.orders;
                b.spent = b
                    .spent
                    .checked_add(t.spent)
                    .context("a customer's amounts add up to more than can be counted")?;
            }
            None => {
                big.customers.insert(id, t);
            }
        }
    }
    big.rows += small.rows;
    Ok(big)
}

/// Runs the command.
pub(super) fn run(args: &RfmArgs) -> Result<()> {
    let as_of = io::argument_date(&args.as_of, args.calendar.jalali, "--as-of")?;
    let table = io::open(&args.orders, &["customer_id", "order_date", "amount"])?;
    let columns = Columns {
        id: table.columns[0],
        date: table.columns[1],
        amount: table.columns[2],
        jalali: args.calendar.jalali,
        as_of,
    };
    let data_start = table.data_start();
    drop(table);
    let customers = read_totals(&args.orders, &columns, data_start)?;
    if customers.is_empty() {
        bail!("no order is on or before the as-of date {}", args.as_of);
    }
    let mut ids = Vec::with_capacity(customers.len());
    let mut totals = Vec::with_capacity(customers.len());
    for (id, t) in customers {
        ids.push(id);
        totals.push(rfm::Totals {
            last_order: t.last_order,
            orders: u64::from(t.orders),
            spent: i128::from(t.spent),
        });
    }
    let rank = rfm::rank_ids(&ids);
    let scores = rfm::score(&totals, &rank, as_of);
    let mut order = vec![0u32; ids.len()];
    for (index, &position) in rank.iter().enumerate() {
        order[position as usize] = index as u32;
    }
    io::write_output(args.output.as_deref(), |out| {
        let mut out = csv_writer(out);
        record(
            &mut out,
            &[
                b"customer_id",
                b"recency_days",
                b"frequency",
                b"monetary",
                b"r",
                b"f",
                b"m",
                b"segment",
            ],
        )?;
        let (mut recency_text, mut frequency_text) = (itoa_buffer(), itoa_buffer());
        for &index in &order {
            let (t, s) = (&totals[index as usize], &scores[index as usize]);
            let recency = format_into(&mut recency_text, s.recency_days);
            let frequency = format_into(&mut frequency_text, t.orders as i64);
            record(
                &mut out,
                &[
                    &ids[index as usize],
                    recency,
                    frequency,
                    amount::format(t.spent).as_bytes(),
                    &[b'0' + s.r],
                    &[b'0' + s.f],
                    &[b'0' + s.m],
                    s.segment.code().as_bytes(),
                ],
            )?;
        }
        out.flush()?;
        Ok(())
    })
}

fn itoa_buffer() -> Vec<u8> {
    Vec::with_capacity(24)
}

/// Writes a number into a reused buffer (a million rows, two numbers each).
fn format_into(buffer: &mut Vec<u8>, value: i64) -> &[u8] {
    use std::io::Write;
    buffer.clear();
    write!(buffer, "{value}").expect("writing to a Vec cannot fail");
    buffer
}
