//! Reading the analysts' CSV files and writing results without ever leaving half a file.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use peyvand_analytics::dates::{self, Day};

/// A CSV file being read, with the positions of the columns a command needs.
pub struct Table {
    reader: csv::Reader<File>,
    path: PathBuf,
    /// The index of each requested column, in the order they were asked for.
    pub columns: Vec<usize>,
    /// The full header, for optional columns.
    pub header: Vec<String>,
}

/// Opens `path` and finds `required` columns by name in its header (extra columns are fine).
pub fn open(path: &Path, required: &[&str]) -> Result<Table> {
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut reader = csv::ReaderBuilder::new()
        .buffer_capacity(1 << 20)
        .from_reader(file);
    let header = reader
        .byte_headers()
        .with_context(|| format!("{}: cannot read the header line", path.display()))?
        .clone();
    if header.is_empty() || header.iter().all(<[u8]>::is_empty) {
        bail!(
            "{}: the file is empty (expected a header line: {})",
            path.display(),
            required.join(",")
        );
    }
    let header: Vec<String> = header
        .iter()
        .map(|h| {
            String::from_utf8_lossy(h)
                .trim()
                .trim_start_matches('\u{feff}')
                .to_owned()
        })
        .collect();
    let mut columns = Vec::new();
    for name in required {
        let Some(index) = header.iter().position(|h| h == name) else {
            bail!(
                "{}: missing column {name:?} (the header is {:?}; expected {})",
                path.display(),
                header.join(","),
                required.join(",")
            );
        };
        columns.push(index);
    }
    Ok(Table {
        reader,
        path: path.to_owned(),
        columns,
        header,
    })
}

impl Table {
    /// Calls `each` with every data row and its line number; fails on a malformed row or when
    /// there are no data rows at all.
    pub fn for_each(
        mut self,
        mut each: impl FnMut(&csv::ByteRecord, u64) -> Result<()>,
    ) -> Result<()> {
        let mut record = csv::ByteRecord::new();
        let mut rows = 0u64;
        loop {
            let more = self
                .reader
                .read_byte_record(&mut record)
                .with_context(|| format!("{}: unreadable CSV", self.path.display()))?;
            if !more {
                break;
            }
            let line = record.position().map_or(rows + 2, |p| p.line());
            rows += 1;
            each(&record, line).with_context(|| format!("{}, line {line}", self.path.display()))?;
        }
        if rows == 0 {
            bail!(
                "{}: the file has a header but no data rows",
                self.path.display()
            );
        }
        Ok(())
    }

    /// The byte offset where the data rows start, after the header.
    pub fn data_start(&self) -> u64 {
        self.reader.position().byte()
    }

    /// The index of an optional column.
    pub fn optional_column(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }
}

/// The field at `index` as text (empty if the row is short).
pub fn field(record: &csv::ByteRecord, index: usize) -> &[u8] {
    record.get(index).unwrap_or_default()
}

/// A non-empty identifier field.
pub fn id<'r>(record: &'r csv::ByteRecord, index: usize, what: &str) -> Result<&'r [u8]> {
    let value = field(record, index);
    if value.is_empty() {
        bail!("{what} is empty");
    }
    Ok(value)
}

/// A date field, ISO or Jalali.
pub fn date(record: &csv::ByteRecord, index: usize, jalali: bool) -> Result<Day> {
    let text = field(record, index);
    let parsed = if jalali {
        std::str::from_utf8(text)
            .ok()
            .and_then(|t| dates::parse(t, true))
    } else {
        dates::parse_iso(text)
    };
    parsed.with_context(|| {
        let expected = if jalali {
            "a Jalali date like 1403-01-15"
        } else {
            "YYYY-MM-DD"
        };
        format!(
            "cannot read the date {:?} (expected {expected})",
            String::from_utf8_lossy(text)
        )
    })
}

/// A non-negative decimal amount in fixed-point units.
pub fn amount(record: &csv::ByteRecord, index: usize, what: &str) -> Result<i64> {
    let text = field(record, index);
    let value = peyvand_analytics::amount::parse(text).with_context(|| {
        format!(
            "cannot read the {what} {:?} as a number",
            String::from_utf8_lossy(text)
        )
    })?;
    if value < 0 {
        bail!("negative {what} {}", String::from_utf8_lossy(text));
    }
    Ok(value)
}

/// Parses a date given on the command line.
pub fn argument_date(text: &str, jalali: bool, flag: &str) -> Result<Day> {
    dates::parse(text, jalali).with_context(|| {
        format!(
            "{flag}: cannot read the date {text:?} (expected {})",
            if jalali {
                "a Jalali date like 1403-01-15"
            } else {
                "YYYY-MM-DD"
            }
        )
    })
}

/// Text of an identifier for output and messages.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Writes CSV to a file, atomically, or to standard output.
///
/// A file is written under a temporary name in the same directory and renamed over the
/// target only when everything succeeded, so a failure never leaves a partial result.
pub fn write_output(
    path: Option<&Path>,
    write: impl FnOnce(&mut dyn Write) -> Result<()>,
) -> Result<()> {
    let Some(path) = path else {
        let stdout = std::io::stdout();
        let mut out = BufWriter::new(stdout.lock());
        write(&mut out)?;
        out.flush()?;
        return Ok(());
    };
    let directory = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .with_context(|| format!("{} is not a file name", path.display()))?;
    let temporary = directory.join(format!(
        ".{}.{}.partial",
        name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| {
        let file = File::create(&temporary)
            .with_context(|| format!("cannot create {}", temporary.display()))?;
        let mut out = BufWriter::with_capacity(1 << 20, file);
        write(&mut out)?;
        let file = out.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        std::fs::rename(&temporary, path)
            .with_context(|| format!("cannot write {}", path.display()))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    result
}

/// A hash map keyed by identifiers, with foldhash's fast hasher: the inputs are the analyst's
/// own files, so resistance to crafted collisions is not needed, and SipHash would dominate
/// the RFM command's time. A fixed seed keeps runs repeatable.
///
/// The hasher must mix every byte into the bits the table indexes by. An FxHash-style one
/// written here before did not: for identifiers such as `C0000001`, which differ only in their
/// last bytes, it left the low bits of the hash almost constant, so a million customers
/// probed long chains of colliding keys and RFM over 10 M orders took 138 s instead of a few.
pub type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::FixedState>;

#[cfg(test)]
mod tests {
    use std::collections::HashSet;
    use std::hash::BuildHasher;

    use super::FastMap;

    /// Identifiers that share a prefix and differ in their last characters, as generated
    /// customer ids do, spread over the table's buckets: the low bits of their hashes differ.
    #[test]
    fn identifiers_that_differ_only_at_the_end_spread_over_the_buckets() {
        let map: FastMap<Box<[u8]>, ()> = FastMap::default();
        let builder = map.hasher();
        let keys = 100_000;
        let buckets: HashSet<u64> = (0..keys)
            .map(|n| {
                let id: Box<[u8]> = format!("C{n:07}").into_bytes().into();
                builder.hash_one(&id) & 0x3_ffff
            })
            .collect();
        // Random hashes into 2^18 buckets leave about 90,000 of 100,000 keys alone.
        assert!(buckets.len() > 80_000, "{} distinct buckets", buckets.len());
    }
}
