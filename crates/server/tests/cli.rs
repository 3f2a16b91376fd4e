//! The `peyvand` binary as an operator uses it: migrate, create a user, serve with JSON logs,
//! answer health checks, back up and restore, and shut down cleanly on SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn peyvand() -> Command {
    Command::new(env!("CARGO_BIN_EXE_peyvand"))
}

#[path = "common/scratch.rs"]
mod scratch;

fn temp(name: &str) -> scratch::Scratch {
    scratch::Scratch::new(name)
}

fn run(args: &[&str]) -> (bool, String) {
    let output = peyvand()
        .args(args)
        .env("PEYVAND_LOG", "warn")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

fn http_get(port: u16, path: &str) -> Option<String> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut reply = String::new();
    stream.read_to_string(&mut reply).ok()?;
    Some(reply)
}

#[test]
fn operator_commands_work_end_to_end() {
    let db = temp("main.db");
    let url = format!("sqlite://{}", db.display());
    let (ok, text) = run(&["migrate", "--database", &url]);
    assert!(ok, "{text}");

    let (ok, text) = run(&[
        "user",
        "create",
        "--database",
        &url,
        "--email",
        "ops@example.com",
        "--password",
        "short",
        "--role",
        "admin",
    ]);
    assert!(
        !ok && text.contains("password"),
        "a short password is refused: {text}"
    );
    let (ok, text) = run(&[
        "user",
        "create",
        "--database",
        &url,
        "--email",
        "ops@example.com",
        "--password",
        "long-enough-pw",
        "--role",
        "nobody",
    ]);
    assert!(!ok && text.contains("no role named"), "{text}");
    let (ok, text) = run(&[
        "user",
        "create",
        "--database",
        &url,
        "--email",
        "ops@example.com",
        "--password",
        "long-enough-pw",
        "--role",
        "sales_rep",
    ]);
    assert!(ok, "{text}");
    let (ok, text) = run(&[
        "user",
        "create",
        "--database",
        &url,
        "--email",
        "OPS@example.com",
        "--password",
        "long-enough-pw",
        "--role",
        "sales_rep",
    ]);
    assert!(
        !ok && text.contains("email"),
        "the same address twice is refused: {text}"
    );

    // Serve with JSON logs on a free port; health answers; SIGTERM ends it cleanly.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = peyvand()
        .args([
            "serve",
            "--database",
            &url,
            "--bind",
            &format!("127.0.0.1:{port}"),
            "--log-format",
            "json",
        ])
        .env("PEYVAND_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let health = loop {
        if let Some(reply) = http_get(port, "/healthz") {
            break reply;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the server did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    let metrics = http_get(port, "/metrics").unwrap();
    assert!(metrics.contains("peyvand_http_requests_total"), "{metrics}");

    // An online backup while the server runs.
    let backup = temp("backup.db");
    let (ok, text) = run(&[
        "backup",
        "--database",
        &url,
        "--output",
        backup.to_str().unwrap(),
    ]);
    assert!(ok, "{text}");

    Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    let status = server.wait().unwrap();
    assert!(status.success(), "graceful shutdown exits 0: {status:?}");
    let logs: Vec<String> = BufReader::new(server.stdout.take().unwrap())
        .lines()
        .map_while(Result::ok)
        .collect();
    assert!(!logs.is_empty());
    for line in &logs {
        let entry: serde_json::Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("not a JSON log line ({e}): {line}"));
        assert!(
            entry.get("level").is_some() && entry.get("timestamp").is_some(),
            "{line}"
        );
    }
    assert!(logs.iter().any(|l| l.contains("shutting down")), "{logs:?}");

    // Restore into a new file and find the user there.
    let restored = temp("restored.db");
    let restored_url = format!("sqlite://{}", restored.display());
    let (ok, text) = run(&[
        "restore",
        "--database",
        &restored_url,
        "--input",
        backup.to_str().unwrap(),
    ]);
    assert!(ok, "{text}");
    let (ok, text) = run(&[
        "user",
        "create",
        "--database",
        &restored_url,
        "--email",
        "ops@example.com",
        "--password",
        "long-enough-pw",
        "--role",
        "viewer",
    ]);
    assert!(
        !ok && text.contains("email"),
        "the restored database has the user: {text}"
    );
    let junk = temp("junk.db");
    std::fs::write(&junk, b"not a database").unwrap();
    let (ok, _) = run(&[
        "restore",
        "--database",
        &restored_url,
        "--input",
        junk.to_str().unwrap(),
    ]);
    assert!(!ok, "a broken backup is refused");
}

#[test]
fn demo_prints_the_logins() {
    let db = temp("demo.db");
    let (ok, text) = run(&[
        "demo",
        "--database",
        &format!("sqlite://{}", db.display()),
        "--contacts",
        "5",
        "--no-serve",
    ]);
    assert!(ok, "{text}");
    assert!(
        text.contains("http://127.0.0.1:8080/")
            && text.contains("admin@peyvand.demo")
            && text.contains("peyvand-demo"),
        "{text}"
    );
}

#[test]
fn import_checks_rows_reports_them_and_imports_with_a_progress_bar() {
    let db = temp("import.db");
    let url = format!("sqlite://{}", db.display());
    let (ok, text) = run(&[
        "user",
        "create",
        "--database",
        &url,
        "--email",
        "importer@example.com",
        "--password",
        "a long enough password",
        "--role",
        "admin",
    ]);
    assert!(ok, "{text}");
    let file = temp("contacts.csv");
    std::fs::write(
        &file,
        "نام,نام خانوادگی,موبایل,ایمیل\nعلی,رضایی,09121234567,ali@example.com\nسارا,,09121111111,\nرضا,کریمی,09121234567,\n",
    )
    .unwrap();
    let path = file.to_str().unwrap();
    let (ok, text) = run(&["import", "contacts", path, "--database", &url, "--dry-run"]);
    assert!(!ok, "a dry run with rejected rows fails: {text}");
    assert!(text.contains("line 3: Last name: Required."), "{text}");
    assert!(text.contains("100%"), "progress bar: {text}");
    assert!(
        text.contains("نام خانوادگی") && text.contains("→ last_name"),
        "{text}"
    );
    let (ok, text) = run(&["import", "contacts", path, "--database", &url]);
    assert!(!ok, "all or nothing: {text}");
    assert!(text.contains("nothing was written"), "{text}");
    let (ok, text) = run(&[
        "import",
        "contacts",
        path,
        "--database",
        &url,
        "--keep-good",
    ]);
    assert!(ok, "{text}");
    assert!(
        text.contains("3 rows: 1 created, 0 updated, 1 skipped as duplicates, 1 rejected"),
        "{text}"
    );
    let rejected = std::fs::read_to_string(file.with_file_name(format!(
        "{}-rejected.csv",
        file.file_stem().unwrap().to_str().unwrap()
    )))
    .unwrap();
    assert!(
        rejected.contains("سارا") && rejected.contains("Last name: Required."),
        "{rejected}"
    );
    let (ok, text) = run(&["import", "contacts", "/nonexistent.csv", "--database", &url]);
    assert!(!ok && text.contains("nonexistent"), "{text}");
}
