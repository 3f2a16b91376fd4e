//! Measures the spreadsheet and duplicate building blocks on a large contacts file.
//!
//! Run with `bench/tabular.sh` (or `cargo run --release -p peyvand-tabular --example
//! tabular_bench -- --rows 1000000`). It writes a generated contacts CSV to the system's
//! temporary directory and prints, for each step, the time taken and the peak resident memory
//! of the step, each step in a process of its own (Linux only: the peak is read from
//! `/proc/self/status`).

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use peyvand_domain::calendar::{CalendarKind, Locale, parse_date_flexible};
use peyvand_domain::duplicate::{
    MatchKeys, ScanOptions, email_key, find_duplicate_pairs, group_duplicates, phone_key,
};
use peyvand_tabular::{
    CellValue, CsvRows, CsvTableWriter, ExportOptions, ReadOptions, RowSource, TableWriter,
    XlsxTableWriter, XlsxWorkbook,
};

const FIRST: &[&str] = &[
    "علی",
    "محمد",
    "حسین",
    "رضا",
    "مهدی",
    "امیر",
    "سارا",
    "مریم",
    "زهرا",
    "فاطمه",
    "نرگس",
    "لیلا",
    "Ali",
    "Sara",
    "Reza",
    "Maryam",
    "محمدرضا",
    "علیرضا",
    "پریسا",
    "کاوه",
];
const LAST: &[&str] = &[
    "رضایی",
    "محمدی",
    "حسینی",
    "احمدی",
    "کریمی",
    "موسوی",
    "جعفری",
    "صادقی",
    "نوری",
    "کاظمی",
    "Rezaei",
    "Ahmadi",
    "Karimi",
    "Tehrani",
    "شریفی",
    "قاسمی",
    "رحیمی",
    "اکبری",
    "یزدانی",
    "امینی",
];
const CITIES: &[(&str, &str)] = &[
    ("تهران", "تهران"),
    ("اصفهان", "اصفهان"),
    ("شیراز", "فارس"),
    ("مشهد", "خراسان رضوی"),
    ("تبریز", "آذربایجان شرقی"),
    ("کرج", "البرز"),
];
const HEADERS: [&str; 8] = [
    "نام",
    "نام خانوادگی",
    "موبایل",
    "ایمیل",
    "شهر",
    "استان",
    "تاریخ تولد",
    "برچسب‌ها",
];

/// Writes `rows` generated contacts; every 50th repeats the previous one's email with a
/// differently spelled name, so the duplicate scan has something to find.
fn generate(path: &Path, rows: usize) -> std::io::Result<()> {
    let mut out = BufWriter::new(File::create(path)?);
    out.write_all(b"\xEF\xBB\xBF")?;
    writeln!(out, "{}", HEADERS.join(","))?;
    for i in 0..rows {
        let email_of = if i % 50 == 49 { i - 1 } else { i };
        let first = FIRST[i % FIRST.len()];
        let last = LAST[(i / FIRST.len()) % LAST.len()];
        let (city, province) = CITIES[i % CITIES.len()];
        writeln!(
            out,
            "{first},{last},0912{:07},user{email_of}@example.ir,{city},{province},13{:02}/{:02}/{:02},\"vip,مشتری\"",
            i % 10_000_000,
            50 + i % 30,
            1 + i % 12,
            1 + i % 28,
        )?;
    }
    out.flush()
}

/// Peak resident memory since the last reset, in MiB, if the system tells.
fn peak_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// Resets the peak to the current resident size, so each step reports its own peak.
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn step<T>(name: &str, rows: usize, f: impl FnOnce() -> T) -> T {
    reset_peak();
    let start = Instant::now();
    let result = f();
    let secs = start.elapsed().as_secs_f64();
    let peak = peak_mib().map_or("?".to_owned(), |m| format!("{m:.0}"));
    println!(
        "| {name:<44} | {secs:>7.2} | {:>10.0} | {peak:>8} |",
        rows as f64 / secs
    );
    result
}

/// The steps, each run in a process of its own so one step's memory does not count in the
/// next one's peak.
const STEPS: [&str; 5] = [
    "read-csv",
    "keys-and-scan",
    "write-csv",
    "write-xlsx",
    "read-xlsx",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
    };
    let rows: usize = arg("--rows").map_or(Ok(1_000_000), |s| s.parse())?;
    if let (Some(step_name), Some(dir)) = (arg("--step"), arg("--dir")) {
        return run_step(step_name, Path::new(dir), rows);
    }
    let dir: PathBuf =
        std::env::temp_dir().join(format!("peyvand-tabular-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    println!("{rows} contacts; each step in a fresh process, with its own peak resident memory\n");
    println!("| step                                         |   s     |   rows/s   | peak MiB |");
    println!("|----------------------------------------------|---------|------------|----------|");
    step("generate CSV (BufWriter)", rows, || {
        generate(&dir.join("contacts.csv"), rows)
    })?;
    for name in STEPS {
        let status = std::process::Command::new(std::env::current_exe()?)
            .args(["--step", name, "--dir"])
            .arg(&dir)
            .args(["--rows", &rows.to_string()])
            .status()?;
        if !status.success() {
            return Err(format!("step {name} failed").into());
        }
    }
    println!();
    let mib = |name: &str| -> std::io::Result<f64> {
        Ok(std::fs::metadata(dir.join(name))?.len() as f64 / 1048576.0)
    };
    println!(
        "input CSV {:.0} MiB; CSV export {:.0} MiB; XLSX export {:.0} MiB",
        mib("contacts.csv")?,
        mib("export.csv")?,
        mib("export.xlsx")?
    );
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}

fn run_step(name: &str, dir: &Path, rows: usize) -> Result<(), Box<dyn std::error::Error>> {
    let csv_path = dir.join("contacts.csv");
    let export_csv = dir.join("export.csv");
    let export_xlsx = dir.join("export.xlsx");
    let options = ExportOptions::for_user(Locale::Fa, CalendarKind::Jalali);
    let sample_row = |i: usize| -> Vec<CellValue> {
        vec![
            CellValue::Text(FIRST[i % FIRST.len()].to_owned()),
            CellValue::Text(LAST[i % LAST.len()].to_owned()),
            CellValue::Text(format!("+98912{:07}", i % 10_000_000)),
            CellValue::Text(format!("user{i}@example.ir")),
            CellValue::Text(CITIES[i % CITIES.len()].0.to_owned()),
            CellValue::Integer(i as i64),
            CellValue::Date(
                time::Date::from_ordinal_date(1990, 1 + (i % 365) as u16)
                    .unwrap_or(time::Date::MIN),
            ),
            CellValue::Bool(i.is_multiple_of(2)),
        ]
    };
    match name {
        "read-csv" => {
            let read = step("read CSV rows (detect, decode, split)", rows, || {
                let mut source = CsvRows::open(
                    BufReader::new(File::open(&csv_path)?),
                    &ReadOptions::default(),
                )?;
                let mut count = 0usize;
                for row in &mut source {
                    assert!(row?.problem.is_none());
                    count += 1;
                }
                Ok::<_, Box<dyn std::error::Error>>(count)
            })?;
            assert_eq!(read, rows);
        }
        "keys-and-scan" => {
            let keys = step("read CSV + parse cells + build match keys", rows, || {
                let source = CsvRows::open(
                    BufReader::new(File::open(&csv_path)?),
                    &ReadOptions::default(),
                )?;
                let mut keys = Vec::with_capacity(rows);
                for row in source {
                    let row = row?;
                    let name = format!("{} {}", row.cells[0], row.cells[1]);
                    let ok = phone_key(&row.cells[2]).is_some()
                        && email_key(&row.cells[3]).is_some()
                        && parse_date_flexible(&row.cells[6], CalendarKind::Jalali).is_ok();
                    assert!(ok, "{row:?}");
                    keys.push(MatchKeys::new(
                        &name,
                        [row.cells[3].as_str()],
                        [row.cells[2].as_str()],
                    ));
                }
                Ok::<_, Box<dyn std::error::Error>>(keys)
            })?;
            let report = step("duplicate scan (keys held, block, compare)", rows, || {
                find_duplicate_pairs(&keys, &ScanOptions::default())
            });
            let groups = step("group pairs (union-find)", rows, || {
                group_duplicates(keys.len(), report.pairs.iter().map(|p| (p.first, p.second)))
            });
            eprintln!(
                "duplicates: {} pairs in {} groups; {} blocks over {} records skipped (largest {})",
                report.pairs.len(),
                groups.len(),
                report.oversized_blocks,
                ScanOptions::default().max_block_size,
                report.largest_block
            );
        }
        "write-csv" => step("write CSV export", rows, || {
            let out = BufWriter::new(File::create(&export_csv)?);
            let mut writer = CsvTableWriter::new(out, &HEADERS, &options)?;
            for i in 0..rows {
                writer.write_row(&sample_row(i))?;
            }
            writer.finish()?.flush()?;
            Ok::<_, Box<dyn std::error::Error>>(())
        })?,
        "write-xlsx" => step("write XLSX export (constant memory, RTL)", rows, || {
            let mut writer = XlsxTableWriter::new(&HEADERS, &options)?;
            for i in 0..rows {
                writer.write_row(&sample_row(i))?;
            }
            writer.finish(BufWriter::new(File::create(&export_xlsx)?))?;
            Ok::<_, Box<dyn std::error::Error>>(())
        })?,
        "read-xlsx" => {
            let read = step("read XLSX rows", rows, || {
                let mut book = XlsxWorkbook::open(BufReader::new(File::open(&export_xlsx)?))?;
                let mut count = 0usize;
                for sheet in book.sheet_names() {
                    let mut source = book.rows(Some(&sheet))?;
                    assert_eq!(source.headers().len(), HEADERS.len());
                    for row in &mut source {
                        row?;
                        count += 1;
                    }
                }
                Ok::<_, Box<dyn std::error::Error>>(count)
            })?;
            assert_eq!(read, rows);
        }
        other => return Err(format!("unknown step {other}").into()),
    }
    Ok(())
}
