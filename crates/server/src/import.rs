//! `peyvand import KIND FILE`: importing customers from the command line, with a progress bar.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use peyvand_app::import::{ImportOptions, ImportProgress, ImportReport, OnDuplicate};
use peyvand_app::{App, Session};
use peyvand_domain::calendar::{CalendarKind, Locale};
use peyvand_domain::permission::RecordKind;
use peyvand_domain::record::Schema;
use peyvand_tabular::{ReadOptions, suggest_mapping, with_rows};

/// What the command line asks for.
pub struct ImportArgs {
    /// `accounts`, `contacts` or `leads`.
    pub kind: String,
    /// The CSV or XLSX file.
    pub file: PathBuf,
    /// A JSON object from column names to field names (null to ignore a column).
    pub map: Option<PathBuf>,
    /// `skip`, `update` or `create`.
    pub on_duplicate: String,
    /// Check only.
    pub dry_run: bool,
    /// Keep the valid rows when some are rejected.
    pub keep_good: bool,
    /// The user the records are imported as (their rights apply; they own the new records).
    pub as_user: Option<String>,
    /// `jalali` or `gregorian`, for dates written without a clear calendar.
    pub calendar: String,
}

/// Runs the command; the exit code is 0 when the rows were imported, 1 when nothing was kept.
pub async fn run(app: &App, args: ImportArgs) -> Result<i32> {
    let session = importer(app, args.as_user.as_deref()).await?;
    let schema = session
        .schemas
        .at_path(&args.kind)
        .filter(|s| s.kind.is_customer())
        .with_context(|| {
            format!(
                "cannot import {:?}: use accounts, contacts or leads",
                args.kind
            )
        })?;
    let on_duplicate = OnDuplicate::parse(&args.on_duplicate).with_context(|| {
        format!(
            "--on-duplicate must be skip, update or create, not {:?}",
            args.on_duplicate
        )
    })?;
    let calendar =
        CalendarKind::parse(&args.calendar).context("--calendar must be jalali or gregorian")?;
    let headers = read_headers(&args.file)?;
    let mapping = match &args.map {
        Some(path) => mapping_from_file(path, &headers, schema)?,
        None => suggested_mapping(&session, schema, &headers),
    };
    print_mapping(&headers, &mapping);
    let rejects_path = rejects_path(&args.file);
    let options = ImportOptions {
        kind: schema.kind,
        mapping,
        on_duplicate,
        dry_run: args.dry_run,
        keep_good_rows: args.keep_good,
        calendar,
        read: ReadOptions::default(),
        rejects_path: Some(rejects_path.clone()),
        describe: peyvand_http::importing::describer(Locale::En, schema),
        bulk_from_rows: peyvand_app::import::BULK_FROM_ROWS,
    };
    let file = std::fs::File::open(&args.file)
        .with_context(|| format!("opening {}", args.file.display()))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let progress = ImportProgress::new(size);
    let bar = tokio::spawn(draw_progress(progress.clone()));
    let result = app.import(&session, file, options, progress.clone()).await;
    bar.abort();
    eprintln!("\r[{}] 100%  {} rows", "#".repeat(20), progress.rows());
    let report = match result {
        Ok(report) => report,
        Err(peyvand_app::AppError::File(code)) => bail!(
            "{}: {}",
            args.file.display(),
            peyvand_http::i18n::t(Locale::En, &format!("file-error-{code}"))
        ),
        Err(error) => bail!("import failed: {error}"),
    };
    print_report(&report, schema);
    if report.rejected == 0 {
        let _ = std::fs::remove_file(&rejects_path);
    } else {
        println!(
            "rejected rows, with an error column, to fix and import again: {}",
            rejects_path.display()
        );
    }
    Ok(
        if report.committed || (report.dry_run && report.rejected == 0) {
            0
        } else {
            1
        },
    )
}

/// The user to import as: the one named, or the first administrator.
async fn importer(app: &App, email: Option<&str>) -> Result<Session> {
    let user_id = match email {
        Some(email) => app
            .find_id(RecordKind::User, "email", email)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .with_context(|| format!("no user with the email {email:?}"))?,
        None => {
            let admin_role = app
                .find_id(RecordKind::Role, "name", "admin")
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?
                .context("no admin role")?;
            app.find_id(RecordKind::User, "role_id", &admin_role.to_string())
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?
                .context("no administrator to import as; create one or pass --as EMAIL")?
        }
    };
    app.session_for_user(user_id)
        .await
        .map_err(|e| anyhow::anyhow!("cannot act as that user: {e}"))
}

fn read_headers(file: &Path) -> Result<Vec<String>> {
    let source =
        std::fs::File::open(file).with_context(|| format!("opening {}", file.display()))?;
    with_rows(source, &ReadOptions::default(), |rows| {
        rows.headers().to_vec()
    })
    .map_err(|error| {
        anyhow::anyhow!(
            "{}: {}",
            file.display(),
            peyvand_http::i18n::t(Locale::En, &format!("file-error-{}", error.code()))
        )
    })
}

fn suggested_mapping(
    session: &Session,
    schema: &'static Schema,
    headers: &[String],
) -> Vec<Option<String>> {
    let targets = peyvand_http::importing::targets(session, schema);
    suggest_mapping(headers, &targets)
        .into_iter()
        .map(|s| s.map(|s| s.field))
        .collect()
}

fn mapping_from_file(
    path: &Path,
    headers: &[String],
    schema: &Schema,
) -> Result<Vec<Option<String>>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let map: BTreeMap<String, Option<String>> = serde_json::from_str(&text).with_context(|| {
        format!(
            "{} must be a JSON object from column names to field names",
            path.display()
        )
    })?;
    for name in map.keys() {
        if !headers.contains(name) {
            bail!("{}: the file has no column {name:?}", path.display());
        }
    }
    for field in map.values().flatten() {
        if schema.field(field).is_none() {
            bail!("{}: {} has no field {field:?}", path.display(), schema.path);
        }
    }
    Ok(headers
        .iter()
        .map(|h| map.get(h).cloned().flatten())
        .collect())
}

fn print_mapping(headers: &[String], mapping: &[Option<String>]) {
    eprintln!("columns:");
    for (header, field) in headers.iter().zip(mapping) {
        eprintln!(
            "  {header:<30} → {}",
            field.as_deref().unwrap_or("(ignored)")
        );
    }
}

fn rejects_path(file: &Path) -> PathBuf {
    let stem = file
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("import");
    file.with_file_name(format!("{stem}-rejected.csv"))
}

/// Redraws a bar with the share of the file read and the rows handled, four times a second.
async fn draw_progress(progress: Arc<ImportProgress>) {
    let started = std::time::Instant::now();
    loop {
        let percent = progress.percent().unwrap_or(0);
        let filled = usize::from(percent) / 5;
        let rows = progress.rows();
        let rate = rows as f64 / started.elapsed().as_secs_f64().max(0.001);
        eprint!(
            "\r[{}{}] {percent:>3}%  {rows} rows  {rate:.0} rows/s ",
            "#".repeat(filled),
            "-".repeat(20 - filled)
        );
        let _ = std::io::stderr().flush();
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

fn print_report(report: &ImportReport, schema: &'static Schema) {
    let verb = if report.dry_run { "would be " } else { "" };
    println!(
        "{} rows: {} {verb}created, {} {verb}updated, {} skipped as duplicates, {} rejected",
        report.rows, report.created, report.updated, report.skipped, report.rejected
    );
    for row in report.rejected_rows.iter().take(20) {
        println!(
            "  line {}: {}",
            row.line,
            peyvand_http::importing::describe_errors(Locale::En, schema, &row.errors)
        );
    }
    if report.rejected > 20 {
        println!("  … and {} more", report.rejected - 20);
    }
    if report.cancelled {
        println!("cancelled: nothing was written");
    } else if report.dry_run {
        println!("dry run: nothing was written");
    } else if !report.committed {
        println!(
            "nothing was written because some rows were rejected (use --keep-good to import the others)"
        );
    } else {
        println!("done");
    }
}
