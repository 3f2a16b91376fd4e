//! The `peyvand` binary: configuration, logging, migrations, and the commands `serve`,
//! `migrate`, `demo`, `user create`, `backup`, `restore`, `import` and `analytics`.

mod analytics;
mod bench;
mod bench_classes;
mod bench_insights;
mod bench_sla;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};
use peyvand_app::App;
use peyvand_domain::calendar::CalendarKind;
use peyvand_domain::permission::RecordKind;
use peyvand_domain::record::Input;
use peyvand_store::Store;
use tracing_subscriber::EnvFilter;

mod import;

/// Serving a list allocates many small strings and maps; mimalloc handles that pattern with
/// much less time in the allocator than the system one (measured with bench/http.sh).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "peyvand", version, about = "Peyvand (پیوند) CRM server")]
struct Cli {
    /// Log format: `text` for people, `json` for log collectors.
    #[arg(
        long,
        global = true,
        env = "PEYVAND_LOG_FORMAT",
        default_value = "text"
    )]
    log_format: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct DatabaseArg {
    /// `postgres://…` for PostgreSQL, otherwise an SQLite file (created when missing).
    #[arg(
        long,
        env = "PEYVAND_DATABASE_URL",
        default_value = "sqlite://peyvand.db"
    )]
    database: String,
}

#[derive(Args, Clone)]
struct ServeArgs {
    #[command(flatten)]
    db: DatabaseArg,
    /// Address to listen on.
    #[arg(long, env = "PEYVAND_BIND", default_value = "127.0.0.1:8080")]
    bind: SocketAddr,
    /// Directory for files attached to cases (kept outside any web root).
    #[arg(long, env = "PEYVAND_FILES_DIR", default_value = "peyvand-files")]
    files_dir: PathBuf,
}

#[derive(Subcommand)]
enum Command {
    /// Migrate the database and serve the web interface and API.
    Serve(ServeArgs),
    /// Bring the database schema up to date and exit.
    Migrate(DatabaseArg),
    /// Migrate, add demo data (once) and serve: the quickest way to try Peyvand.
    Demo {
        #[command(flatten)]
        serve: ServeArgs,
        /// How many demo contacts to create.
        #[arg(long, default_value_t = 300)]
        contacts: usize,
        /// Create the demo data and exit without serving.
        #[arg(long)]
        no_serve: bool,
        /// Also generate this many opportunities with their stage history by the bulk path
        /// (benchmarks; adds them on every run).
        #[arg(long, default_value_t = 0)]
        opportunities: usize,
    },
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Write a consistent copy of the SQLite database while the server runs.
    Backup {
        #[command(flatten)]
        db: DatabaseArg,
        /// The file to write (must not exist).
        #[arg(long)]
        output: PathBuf,
    },
    /// Import accounts, contacts or leads from a CSV (UTF-8 or Windows-1256) or Excel file.
    Import {
        #[command(flatten)]
        db: DatabaseArg,
        /// accounts, contacts or leads.
        kind: String,
        /// The CSV or XLSX file.
        file: PathBuf,
        /// A JSON file mapping column names to field names (null ignores a column); without it
        /// columns are matched by their Persian or English names.
        #[arg(long)]
        map: Option<PathBuf>,
        /// What to do with a row whose email or phone is already known: skip, update or create.
        #[arg(long, default_value = "skip")]
        on_duplicate: String,
        /// Check every row and report, writing nothing.
        #[arg(long)]
        dry_run: bool,
        /// Import the valid rows even when others are rejected (otherwise nothing is written).
        #[arg(long)]
        keep_good: bool,
        /// Email of the user to import as (their rights apply); the first administrator when
        /// omitted.
        #[arg(long = "as")]
        as_user: Option<String>,
        /// Calendar of dates such as 1403/01/15 or 2024/04/03: jalali or gregorian.
        #[arg(long, default_value = "jalali")]
        calendar: String,
    },
    /// Replace the SQLite database with a backup. Stop the server first.
    Restore {
        #[command(flatten)]
        db: DatabaseArg,
        /// The backup file to restore.
        #[arg(long)]
        input: PathBuf,
    },
    /// Analytical CRM on CSV files: rfm, clv, churn, basket, nps, pyramid, matrix, loyalty.
    #[command(subcommand)]
    Analytics(analytics::AnalyticsCommand),
    /// Benchmarks of the application's internals (see bench/ for the HTTP ones).
    #[command(subcommand)]
    Bench(bench::BenchCommand),
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user (no prompts, for scripts).
    Create {
        #[command(flatten)]
        db: DatabaseArg,
        #[arg(long)]
        email: String,
        #[arg(long)]
        password: String,
        /// A role name such as admin, branch_manager, sales_manager, sales_rep, marketing,
        /// service_agent or viewer.
        #[arg(long)]
        role: String,
        /// Branch name; headquarters when omitted.
        #[arg(long)]
        branch: Option<String>,
        /// Display name; the email when omitted.
        #[arg(long)]
        name: Option<String>,
    },
}

#[tokio::main]
async fn main() -> Result<()> {
    let cli = Cli::parse();
    init_logging(&cli.log_format);
    match cli.command {
        Command::Serve(args) => {
            let app = open(&args.db.database).await?;
            app.set_files_dir(args.files_dir.clone());
            serve(app, args.bind).await
        }
        Command::Migrate(db) => {
            open(&db.database).await?;
            println!("database is up to date");
            Ok(())
        }
        Command::Demo {
            serve: args,
            contacts,
            no_serve,
            opportunities,
        } => {
            let app = open(&args.db.database).await?;
            app.set_files_dir(args.files_dir.clone());
            println!("adding demo data (first run only)…");
            let logins = app
                .seed_demo(contacts)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            if opportunities > 0 {
                println!("adding {opportunities} opportunities…");
                app.seed_opportunities_bulk(opportunities)
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
            }
            println!("\nPeyvand demo: http://{}/", args.bind);
            println!(
                "demo logins (password: {}):",
                peyvand_app::demo::DEMO_PASSWORD
            );
            for login in &logins {
                println!("  {:<32} {}", login.email, login.role);
            }
            if no_serve {
                return Ok(());
            }
            serve(app, args.bind).await
        }
        Command::User(UserCommand::Create {
            db,
            email,
            password,
            role,
            branch,
            name,
        }) => {
            let app = open(&db.database).await?;
            create_user(
                &app,
                &email,
                &password,
                &role,
                branch.as_deref(),
                name.as_deref(),
            )
            .await
        }
        Command::Backup { db, output } => {
            let store = Store::connect(&db.database)
                .await
                .context("opening the database")?;
            peyvand_store::backup_sqlite(&store, &output)
                .await
                .context("writing the backup")?;
            println!("backup written to {}", output.display());
            Ok(())
        }
        Command::Restore { db, input } => restore(&db.database, &input).await,
        Command::Import {
            db,
            kind,
            file,
            map,
            on_duplicate,
            dry_run,
            keep_good,
            as_user,
            calendar,
        } => {
            let app = open(&db.database).await?;
            let args = import::ImportArgs {
                kind,
                file,
                map,
                on_duplicate,
                dry_run,
                keep_good,
                as_user,
                calendar,
            };
            let code = import::run(&app, args).await?;
            app.close().await;
            std::process::exit(code);
        }
        Command::Analytics(command) => analytics::run(command),
        Command::Bench(command) => bench::run(command).await,
    }
}

fn init_logging(format: &str) {
    let filter =
        EnvFilter::try_from_env("PEYVAND_LOG").unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    if format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

/// Connects, migrates and makes sure headquarters and the built-in roles exist.
async fn open(url: &str) -> Result<App> {
    let store = Store::connect(url).await.context("opening the database")?;
    store.migrate().await.context("migrating the database")?;
    let app = App::new(store);
    app.bootstrap()
        .await
        .map_err(|e| anyhow::anyhow!("bootstrap failed: {e}"))?;
    Ok(app)
}

async fn serve(app: App, bind: SocketAddr) -> Result<()> {
    // Browsers refuse Secure cookies over plain HTTP except on loopback; elsewhere Peyvand is
    // expected behind TLS, so cookies are Secure unless the server only listens locally.
    let secure_cookies =
        !bind.ip().is_loopback() || std::env::var("PEYVAND_SECURE_COOKIES").is_ok_and(|v| v == "1");
    let config = peyvand_http::HttpConfig { secure_cookies };
    let router = peyvand_http::router(app.clone(), config)
        .layer(tower_http::trace::TraceLayer::new_for_http());
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .with_context(|| format!("binding {bind}"))?;
    app.use_channel_builder(std::sync::Arc::new(peyvand_channels::build))
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    // The job worker sends queued notifications; on shutdown it finishes the job in hand and
    // leaves the rest queued for the next start.
    let worker = peyvand_app::jobs::Worker::start(app.clone());
    tracing::info!(address = %listener.local_addr()?, "Peyvand is listening");
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    tracing::info!("shutting down: stopping the job worker");
    worker.stop().await;
    tracing::info!("closing the database");
    app.close().await;
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM; requests in progress are finished before the server exits.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut signal) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

async fn create_user(
    app: &App,
    email: &str,
    password: &str,
    role: &str,
    branch: Option<&str>,
    name: Option<&str>,
) -> Result<()> {
    let headquarters = app.bootstrap().await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let role_id = app
        .find_id(RecordKind::Role, "name", role)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .with_context(|| format!("no role named {role:?}"))?;
    let branch_id = match branch {
        Some(name) => app
            .find_id(RecordKind::Branch, "name", name)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .with_context(|| format!("no branch named {name:?}"))?,
        None => headquarters,
    };
    let fields = BTreeMap::from([
        (
            "name".to_owned(),
            Input::Text(name.unwrap_or(email).to_owned()),
        ),
        ("email".to_owned(), Input::Text(email.to_owned())),
        ("role_id".to_owned(), Input::Text(role_id.to_string())),
        ("branch_id".to_owned(), Input::Text(branch_id.to_string())),
    ]);
    let session = std::sync::Arc::new(app.system_session(headquarters));
    let user = peyvand_app::NewUser {
        fields,
        password: password.to_owned(),
    };
    match app
        .create_user(&session, &user, CalendarKind::Gregorian)
        .await
    {
        Ok(view) => {
            println!("created user {} ({})", email, view.id);
            Ok(())
        }
        Err(peyvand_app::AppError::Validation(errors)) => bail!("invalid user: {errors}"),
        Err(error) => bail!("could not create the user: {error}"),
    }
}

/// Replaces the SQLite file with a checked backup; the old file is kept beside it.
async fn restore(url: &str, input: &Path) -> Result<()> {
    if url.starts_with("postgres") {
        bail!("restore works on SQLite files; use pg_restore for PostgreSQL");
    }
    let path = PathBuf::from(
        url.strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .unwrap_or(url),
    );
    peyvand_store::check_sqlite_backup(input)
        .await
        .context("checking the backup")?;
    if path.exists() {
        let kept = path.with_extension("before-restore");
        std::fs::rename(&path, &kept)
            .with_context(|| format!("moving {} aside", path.display()))?;
        println!("the previous database was kept as {}", kept.display());
    }
    for suffix in ["-wal", "-shm"] {
        let side = PathBuf::from(format!("{}{suffix}", path.display()));
        if side.exists() {
            std::fs::remove_file(&side).with_context(|| format!("removing {}", side.display()))?;
        }
    }
    std::fs::copy(input, &path)
        .with_context(|| format!("copying {} to {}", input.display(), path.display()))?;
    println!("restored {} from {}", path.display(), input.display());
    Ok(())
}
