//! Test harness: every test runs against SQLite and PostgreSQL.
//!
//! SQLite databases are temporary files, removed when the test's `TestApp` is dropped. For
//! PostgreSQL the harness uses the server named by `PEYVAND_TEST_PG_URL` (a URL to an
//! administrative database such as `postgres`), or starts a throwaway one with `initdb` and
//! `postgres` on a free port; it stops when the test process ends. Each test gets a fresh
//! database with demo data.

#![allow(dead_code)]

pub mod scratch;
pub mod web_client;

use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use peyvand_app::App;
use peyvand_store::{Backend, Store};
use serde_json::Value;
use sqlx::Connection;
use tower::ServiceExt;

/// Demo contacts created for each test database.
pub const CONTACTS: usize = 40;
/// Password of the demo users.
pub const PASSWORD: &str = peyvand_app::demo::DEMO_PASSWORD;

/// One application under test.
pub struct TestApp {
    pub backend: Backend,
    pub app: App,
    pub router: Router,
    pub url: String,
    /// The directory of the SQLite file and of stored attachments; removed with the last
    /// application that shares it.
    pub scratch: Arc<scratch::Scratch>,
}

/// A response, read whole.
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

static PG_ADMIN_URL: OnceLock<String> = OnceLock::new();
static PG_GUARD: Mutex<Option<Child>> = Mutex::new(None);

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout.starts_with(b"0"))
        .unwrap_or(false)
}

/// Runs a PostgreSQL tool, as the `postgres` user when we are root (PostgreSQL refuses root).
fn pg_command(program: &str) -> Command {
    if is_root() {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--", program]);
        command
    } else {
        Command::new(program)
    }
}

/// Starts a throwaway PostgreSQL and returns its admin URL. The server runs under a small shell
/// that stops it when our end of its standard input closes, that is when the test process ends.
fn start_postgres() -> String {
    let dir = std::env::temp_dir().join(format!("peyvand-pg-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    if is_root() {
        Command::new("chown")
            .args(["-R", "postgres", dir.to_str().unwrap()])
            .status()
            .unwrap();
    }
    let data = dir.join("data");
    let status = pg_command("initdb")
        .args([
            "-D",
            data.to_str().unwrap(),
            "-U",
            "postgres",
            "--auth=trust",
            "--locale=C",
            "-E",
            "UTF8",
        ])
        .stdout(Stdio::null())
        .status()
        .expect("initdb is on PATH");
    assert!(status.success(), "initdb failed");
    let port = free_port();
    let script = format!(
        "postgres -D '{}' -p {port} -k '{}' -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300 & pid=$!; read _; kill -INT $pid; wait $pid; rm -rf '{}'",
        data.display(),
        dir.display(),
        dir.display()
    );
    let child = pg_command("sh")
        .args(["-c", &script])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("postgres starts");
    *PG_GUARD.lock().unwrap() = Some(child);
    format!("postgres://postgres@127.0.0.1:{port}/postgres")
}

fn pg_admin_url() -> String {
    PG_ADMIN_URL
        .get_or_init(|| std::env::var("PEYVAND_TEST_PG_URL").unwrap_or_else(|_| start_postgres()))
        .clone()
}

/// A fresh, empty PostgreSQL database; returns its URL.
async fn new_pg_database() -> String {
    let admin = pg_admin_url();
    let started = Instant::now();
    let mut conn = loop {
        match sqlx::PgConnection::connect(&admin).await {
            Ok(conn) => break conn,
            Err(e) if started.elapsed() < Duration::from_secs(60) => {
                let _ = e;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) => panic!("PostgreSQL did not start: {e}"),
        }
    };
    let name = format!("peyvand_test_{}", uuid::Uuid::now_v7().simple());
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .unwrap();
    let base = admin.rsplit_once('/').unwrap().0;
    format!("{base}/{name}")
}

fn new_sqlite_url(scratch: &scratch::Scratch) -> String {
    format!("sqlite://{}", scratch.join("peyvand.db").display())
}

/// A migrated, bootstrapped, demo-seeded application on `backend`.
pub async fn start(backend: Backend) -> TestApp {
    start_with(backend, CONTACTS).await
}

/// A migrated, bootstrapped application on `backend` with `contacts` demo contacts.
pub async fn start_with(backend: Backend, contacts: usize) -> TestApp {
    let scratch = Arc::new(scratch::Scratch::directory());
    let url = match backend {
        Backend::Sqlite => new_sqlite_url(&scratch),
        Backend::Postgres => new_pg_database().await,
    };
    let store = Store::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    let app = App::new(store);
    app.set_files_dir(scratch.join("files"));
    app.seed_demo(contacts).await.unwrap();
    let router = peyvand_http::router(
        app.clone(),
        peyvand_http::HttpConfig {
            secure_cookies: false,
        },
    );
    TestApp {
        backend,
        app,
        router,
        url,
        scratch,
    }
}

/// Runs raw SQL on the test's database, to put it in a state the API cannot make (data
/// written before a migration, a run's stored summary).
pub async fn execute(t: &TestApp, sql: &str) {
    let sql = sqlx::AssertSqlSafe(sql.to_owned());
    match t.backend {
        Backend::Sqlite => {
            let mut conn = sqlx::SqliteConnection::connect(&t.url).await.unwrap();
            sqlx::raw_sql(sql).execute(&mut conn).await.unwrap();
        }
        Backend::Postgres => {
            let mut conn = sqlx::PgConnection::connect(&t.url).await.unwrap();
            sqlx::raw_sql(sql).execute(&mut conn).await.unwrap();
        }
    }
}

/// The application on every backend, SQLite first.
pub async fn backends() -> Vec<TestApp> {
    vec![start(Backend::Sqlite).await, start(Backend::Postgres).await]
}

impl TestApp {
    /// Sends a request with an optional bearer token and JSON body.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let mut request = Request::builder().method(method).uri(path);
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let request = match body {
            Some(body) => request
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string())),
            None => request.body(Body::empty()),
        };
        self.send(request.unwrap()).await
    }

    /// Sends any request.
    pub async fn send(&self, request: Request<Body>) -> Reply {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub async fn get(&self, path: &str, token: &str) -> Reply {
        self.call(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Reply {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }

    pub async fn patch(&self, path: &str, token: &str, body: Value) -> Reply {
        self.call(Method::PATCH, path, Some(token), Some(body))
            .await
    }

    pub async fn delete(&self, path: &str, token: &str) -> Reply {
        self.call(Method::DELETE, path, Some(token), None).await
    }

    /// An API token for a demo user.
    pub async fn token(&self, email: &str) -> String {
        let reply = self
            .call(
                Method::POST,
                "/api/v1/auth/token",
                None,
                Some(serde_json::json!({"email": email, "password": PASSWORD})),
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::CREATED,
            "sign-in of {email}: {}",
            reply.body
        );
        reply.json()["token"].as_str().unwrap().to_owned()
    }

    /// The application session of a demo user, for calling `App` directly.
    pub async fn session(&self, email: &str) -> peyvand_app::Session {
        let user = self
            .app
            .find_id(peyvand_domain::permission::RecordKind::User, "email", email)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("no user {email}"));
        self.app.session_for_user(user).await.unwrap()
    }

    /// Every item of a list, following cursors.
    pub async fn list_all(&self, path: &str, token: &str) -> Vec<Value> {
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let sep = if path.contains('?') { '&' } else { '?' };
            let url = match &cursor {
                Some(c) => format!("{path}{sep}limit=200&cursor={c}"),
                None => format!("{path}{sep}limit=200"),
            };
            let reply = self.get(&url, token).await;
            assert_eq!(reply.status, StatusCode::OK, "{url}: {}", reply.body);
            let json = reply.json();
            items.extend(json["items"].as_array().unwrap().iter().cloned());
            match json["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => return items,
            }
        }
    }

    pub fn name(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// The present moment to the whole microsecond, as the databases keep moments: the start of a
/// hand-moved clock. A start with nanoseconds made a test compare a stored moment with a
/// computed one that differed below the microsecond, and fail only at some hours of the day.
pub fn now_to_the_microsecond() -> time::OffsetDateTime {
    let now = time::OffsetDateTime::now_utc();
    now.replace_nanosecond(now.nanosecond() / 1_000 * 1_000)
        .expect("a whole number of microseconds is a valid nanosecond")
}
