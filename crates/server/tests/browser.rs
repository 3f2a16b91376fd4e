//! End-to-end test in a real browser: headless Chromium driven through chromedriver (WebDriver)
//! against the web interface served on a local port, with a demo-seeded SQLite database.
//!
//! Needs Debian's `chromium` and `chromium-driver` packages
//! (`apt-get install chromium chromium-driver`); other locations can be given with
//! `PEYVAND_CHROMIUM` (the browser) and `PEYVAND_CHROMEDRIVER` (the driver). Without them the
//! test fails, unless `PEYVAND_SKIP_BROWSER=1` is set. Screenshots of the main steps are saved
//! to `target/screenshots/` in the workspace.

mod common;

use std::future::Future;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use fantoccini::elements::Element;
use fantoccini::error::CmdError;
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use peyvand_store::Backend;
use serde_json::{Value, json};

/// How long any one wait may take before the test fails.
const WAIT: Duration = Duration::from_secs(15);
/// How often a wait looks again.
const POLL: Duration = Duration::from_millis(50);
/// Phone and desktop viewports, in CSS pixels.
const PHONE: (u32, u32) = (375, 812);
const DESKTOP: (u32, u32) = (1280, 800);

const INSTALL_HINT: &str = "on Debian or Ubuntu install them with `apt-get install chromium chromium-driver` \
     (or point PEYVAND_CHROMIUM / PEYVAND_CHROMEDRIVER at them), \
     or set PEYVAND_SKIP_BROWSER=1 to skip this test";

/// An executable on `PATH`.
fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

/// The browser and driver executables, or why they cannot be used.
fn tools() -> Result<(PathBuf, PathBuf), String> {
    let chromium = match std::env::var_os("PEYVAND_CHROMIUM") {
        Some(path) => PathBuf::from(path),
        None => ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
            .iter()
            .map(PathBuf::from)
            .find(|p| p.is_file())
            .or_else(|| on_path("chromium"))
            .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium")),
    };
    let driver = match std::env::var_os("PEYVAND_CHROMEDRIVER") {
        Some(path) => PathBuf::from(path),
        None => on_path("chromedriver").unwrap_or_else(|| PathBuf::from("/usr/bin/chromedriver")),
    };
    let mut missing = Vec::new();
    if !chromium.is_file() {
        missing.push(format!("Chromium ({})", chromium.display()));
    }
    if !driver.is_file() {
        missing.push(format!("chromedriver ({})", driver.display()));
    }
    if missing.is_empty() {
        Ok((chromium, driver))
    } else {
        Err(format!(
            "the browser test needs {}, which is missing: {INSTALL_HINT}",
            missing.join(" and ")
        ))
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running chromedriver (and the browsers it starts). Dropping it, also while unwinding
/// from a failed assertion, kills its whole process group and removes the browser profile.
struct Driver {
    child: Child,
    port: u16,
    profile: PathBuf,
}

impl Driver {
    fn start(program: &Path) -> Driver {
        use std::os::unix::process::CommandExt;

        let profile =
            std::env::temp_dir().join(format!("peyvand-chromium-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&profile).unwrap();
        let log = std::fs::File::create(profile.with_extension("log")).unwrap();
        let port = free_port();
        let child = Command::new(program)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            // Its own process group, so that the browsers it starts can be ended with it.
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}; {INSTALL_HINT}", program.display()));
        let driver = Driver {
            child,
            port,
            profile,
        };
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < WAIT,
                "chromedriver did not listen on port {port}; see {}",
                driver.profile.with_extension("log").display()
            );
            std::thread::sleep(POLL);
        }
        driver
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The group's id is chromedriver's own id (`process_group(0)`).
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
        let _ = std::fs::remove_file(self.profile.with_extension("log"));
    }
}

/// Opens a browser session with a desktop-sized window. (Headless Chromium will not make a
/// window narrower than 500 px, so phones are emulated: [`Page::viewport`].)
async fn browser(driver: &Driver, chromium: &Path) -> Client {
    let (width, height) = DESKTOP;
    let args = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        &format!("--user-data-dir={}", driver.profile.display()),
        &format!("--window-size={width},{height}"),
    ];
    let capabilities = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": chromium,
            "args": args,
            // A Persian user's browser: the sign-in page follows `Accept-Language`.
            "prefs": { "intl.accept_languages": "fa-IR,fa,en" },
        },
    });
    let Value::Object(capabilities) = capabilities else {
        unreachable!()
    };
    ClientBuilder::new(HttpConnector::new())
        .capabilities(capabilities)
        .connect(&driver.url())
        .await
        .unwrap_or_else(|e| panic!("cannot open a Chromium session through chromedriver: {e}"))
}

/// A Chrome DevTools Protocol command, sent through chromedriver's `goog/cdp/execute`.
#[derive(Debug)]
struct Cdp {
    cmd: &'static str,
    params: Value,
}

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/goog/cdp/execute",
            session.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (axum::http::Method, Option<String>) {
        let body = json!({ "cmd": self.cmd, "params": self.params });
        (axum::http::Method::POST, Some(body.to_string()))
    }
}

/// Polls `check` until it gives a value, failing with `what` after [`WAIT`].
async fn wait_for<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Option<T>, CmdError>>,
{
    let started = Instant::now();
    loop {
        match check().await {
            Ok(Some(value)) => return value,
            Ok(None) => {}
            Err(CmdError::Standard(e))
                if matches!(
                    e.error,
                    fantoccini::error::ErrorStatus::NoSuchElement
                        | fantoccini::error::ErrorStatus::StaleElementReference
                ) => {}
            Err(e) => panic!("while waiting for {what}: {e}"),
        }
        assert!(started.elapsed() < WAIT, "timed out waiting for {what}");
        tokio::time::sleep(POLL).await;
    }
}

/// The browser page under test, with the server's address.
struct Page {
    client: Client,
    base: String,
    shots: PathBuf,
}

impl Page {
    async fn goto(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .unwrap_or_else(|e| panic!("open {path}: {e}"));
    }

    async fn path(&self) -> String {
        let url = self.client.current_url().await.unwrap();
        match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        }
    }

    /// Waits until an element matching `css` is on the page.
    async fn find(&self, css: &str) -> Element {
        wait_for(
            &format!("element {css} on {}", self.path().await),
            || async { self.client.find(Locator::Css(css)).await.map(Some) },
        )
        .await
    }

    /// Waits until an element matching `css` shows `text`.
    async fn find_text(&self, css: &str, text: &str) -> Element {
        let what = format!("{css} containing {text:?} on {}", self.path().await);
        wait_for(&what, || async {
            for element in self.client.find_all(Locator::Css(css)).await? {
                if element.text().await?.contains(text) {
                    return Ok(Some(element));
                }
            }
            Ok(None)
        })
        .await
    }

    /// Waits until the address (path and query) passes `check`; returns it.
    async fn wait_path(&self, check: impl Fn(&str) -> bool, what: &str) -> String {
        wait_for(what, || async {
            let path = self.path().await;
            Ok(check(&path).then_some(path))
        })
        .await
    }

    async fn script(&self, script: &str) -> Value {
        self.client
            .execute(script, vec![])
            .await
            .unwrap_or_else(|e| panic!("script {script}: {e}"))
    }

    async fn html_attr(&self, name: &str) -> String {
        self.script(&format!(
            "return document.documentElement.getAttribute('{name}');"
        ))
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
    }

    /// Types into a field, replacing what was there.
    async fn fill(&self, css: &str, text: &str) {
        let input = self.find(css).await;
        input.clear().await.unwrap();
        input.send_keys(text).await.unwrap();
    }

    async fn value(&self, css: &str) -> String {
        self.find(css)
            .await
            .prop("value")
            .await
            .unwrap()
            .unwrap_or_default()
    }

    async fn click(&self, css: &str) {
        self.find(css)
            .await
            .click()
            .await
            .unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    /// Opens each navigation group and fails if the signed-in user's name and sign-out button
    /// have fallen below the brand onto a row of their own (a group with many pages once
    /// pushed them there on desktops).
    async fn assert_every_group_keeps_the_user_beside_the_brand(&self) {
        let groups = self
            .script(
                "return Array.from(document.querySelectorAll('.nav-groups a')) \
                 .map(a => a.getAttribute('href'));",
            )
            .await;
        let groups = groups.as_array().unwrap().clone();
        assert!(groups.len() > 1, "navigation groups: {groups:?}");
        for group in groups {
            let href = group.as_str().unwrap();
            self.goto(href).await;
            self.find(".user button").await;
            let rows = self
                .script(
                    "const brand = document.querySelector('.topbar .brand').getBoundingClientRect(); \
                     const user = document.querySelector('.topbar .user').getBoundingClientRect(); \
                     return [brand.top, brand.bottom, user.top];",
                )
                .await;
            let (brand_top, brand_bottom, user_top) = (
                rows[0].as_f64().unwrap(),
                rows[1].as_f64().unwrap(),
                rows[2].as_f64().unwrap(),
            );
            assert!(
                user_top < brand_bottom,
                "{href}: the user block starts at {user_top}, the brand spans {brand_top}..{brand_bottom}"
            );
            self.assert_no_overflow(href).await;
            self.screenshot(&format!("en-desktop-group{}", href.replace('/', "-")))
                .await;
        }
        self.goto("/").await;
        self.find(".user button").await;
    }

    /// Fails if the page is wider than the window (sideways scrolling).
    async fn assert_no_overflow(&self, page: &str) {
        let sizes = self
            .script(
                "return [document.documentElement.scrollWidth, window.innerWidth, \
                 Array.from(document.querySelectorAll('body *')).filter(e => { \
                   const r = e.getBoundingClientRect(); \
                   return r.width > 0 && (r.right > window.innerWidth + 1 || r.left < -1); \
                 }).slice(0, 5).map(e => e.tagName + '.' + e.className + '#' + e.id)];",
            )
            .await;
        // Record lists turn into cards on phones and fit the page on desktops; their box
        // scrolls sideways only as a last resort, which clips the cards.
        let clipped = self
            .script(
                "return Array.from(document.querySelectorAll('.table-wrap')) \
                 .filter(w => w.querySelector('table.records') && w.scrollWidth > w.clientWidth + 1) \
                 .map(w => w.scrollWidth + ' > ' + w.clientWidth);",
            )
            .await;
        assert_eq!(clipped, json!([]), "{page}: a record list scrolls sideways");
        let scroll = sizes[0].as_f64().unwrap();
        let inner = sizes[1].as_f64().unwrap();
        assert!(
            scroll <= inner + 1.0,
            "{page} overflows sideways: scrollWidth {scroll} > innerWidth {inner}; wide: {}",
            sizes[2]
        );
    }

    async fn cdp(&self, cmd: &'static str, params: Value) -> Value {
        self.client
            .issue_cmd(Cdp { cmd, params })
            .await
            .unwrap_or_else(|e| panic!("DevTools command {cmd}: {e}"))
    }

    /// Saves a screenshot of the whole page.
    async fn screenshot(&self, name: &str) {
        let shot = self
            .cdp(
                "Page.captureScreenshot",
                json!({ "format": "png", "captureBeyondViewport": true }),
            )
            .await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(shot["data"].as_str().expect("screenshot data"))
            .unwrap();
        std::fs::write(self.shots.join(format!("{name}.png")), png).unwrap();
    }

    /// Lays the page out for a phone (emulated, honouring the viewport meta tag) or for the
    /// desktop window. A blank page is laid out 980 px wide on a phone, so the width is
    /// checked on the next real page ([`Page::wait_width`]).
    async fn viewport(&self, (width, height): (u32, u32)) {
        if (width, height) == DESKTOP {
            self.cdp("Emulation.clearDeviceMetricsOverride", json!({}))
                .await;
        } else {
            let metrics =
                json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": true });
            self.cdp("Emulation.setDeviceMetricsOverride", metrics)
                .await;
        }
    }

    /// Waits until the page is laid out `width` CSS pixels wide.
    async fn wait_width(&self, width: u32) {
        wait_for(&format!("a {width} px wide page"), || async {
            let inner = self.script("return window.innerWidth;").await;
            Ok((inner.as_u64() == Some(u64::from(width))).then_some(()))
        })
        .await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn persian_phone_and_english_desktop() {
    let started = Instant::now();
    if std::env::var("PEYVAND_SKIP_BROWSER").as_deref() == Ok("1") {
        eprintln!("browser test skipped (PEYVAND_SKIP_BROWSER=1)");
        return;
    }
    let (chromium, chromedriver) = tools().unwrap_or_else(|message| panic!("{message}"));

    // The application, served for real on a local port.
    let t = common::start(Backend::Sqlite).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let router = t.router.clone();
    let server = tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });

    let driver = Driver::start(&chromedriver);
    let client = browser(&driver, &chromium).await;
    let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let page = Page {
        client,
        base,
        shots,
    };
    persian_on_a_phone(&page).await;
    english_on_a_desktop(&page).await;
    // Sales pipeline (issue 4).
    board_drag_and_drop(&page).await;
    // Analytical CRM (issue 6): the pages at phone width, after a recomputation.
    t.app.nightly_insights().await.unwrap();
    let (_stop_tx, stop) = tokio::sync::watch::channel(false);
    t.app.run_due_jobs(&stop).await.unwrap();
    insights_on_a_phone(&page).await;

    page.client.close().await.unwrap();
    drop(driver);
    server.abort();
    eprintln!("browser test took {:.1?}", started.elapsed());
}

/// The Persian interface at phone width: sign in, search, open a record, a form with an error,
/// a new record, a note.
async fn persian_on_a_phone(page: &Page) {
    page.viewport(PHONE).await;

    // Signed out, the dashboard sends the browser to the sign-in page.
    page.goto("/").await;
    page.wait_path(|p| p.starts_with("/login"), "the sign-in page")
        .await;
    page.wait_width(PHONE.0).await;
    assert_eq!(page.html_attr("dir").await, "rtl");
    assert_eq!(page.html_attr("lang").await, "fa");
    page.find_text("h1", "ورود").await;
    page.assert_no_overflow("the sign-in page").await;
    page.screenshot("fa-phone-login").await;

    page.fill("#email", "admin@peyvand.demo").await;
    page.fill("#password", common::PASSWORD).await;
    page.click("form button[type=submit].primary").await;

    // The dashboard.
    page.find("ul.tiles").await;
    assert_eq!(page.path().await, "/");
    assert_eq!(page.html_attr("dir").await, "rtl");
    page.find_text("h1", "مدیر سامانه").await;
    page.find_text("ul.tiles", "مخاطبان").await;
    page.assert_no_overflow("the dashboard").await;
    page.screenshot("fa-phone-dashboard").await;

    // The navigation folds away on phones; open it and go to the contacts.
    let menu = page.find("details.menu").await;
    assert_eq!(
        menu.attr("open").await.unwrap(),
        None,
        "menu closed on phones"
    );
    page.click("details.menu summary").await;
    page.screenshot("fa-phone-menu").await;
    page.click("details.menu a[href='/contacts']").await;
    page.find("table.records").await;
    page.find_text("h1", "مخاطبان").await;
    page.assert_no_overflow("the contact list").await;
    page.screenshot("fa-phone-contacts").await;

    // Searching with the Arabic yeh finds the Persian spelling.
    page.fill("#q", "علي").await;
    page.click("form.filters button[type=submit]").await;
    page.wait_path(|p| p.starts_with("/contacts?q="), "the search results")
        .await;
    assert_eq!(page.value("#q").await, "علي", "the query stays in the box");
    let hit = page
        .find_text("table.records tbody td:first-child a", "علی")
        .await;
    for cell in page
        .client
        .find_all(Locator::Css("table.records tbody td:first-child"))
        .await
        .unwrap()
    {
        let text = cell.text().await.unwrap();
        assert!(text.contains("علی"), "{text:?} does not match the search");
    }
    page.assert_no_overflow("the search results").await;
    page.screenshot("fa-phone-search").await;

    // A contact.
    let name = hit.text().await.unwrap();
    hit.click().await.unwrap();
    page.find("#timeline").await;
    page.find_text("h1", &name).await;
    assert!(page.path().await.starts_with("/contacts/"));
    page.assert_no_overflow("a contact").await;
    page.screenshot("fa-phone-contact").await;

    // A new contact: an invalid email is refused, and the form keeps what was typed.
    page.goto("/contacts").await;
    page.click(".head .actions a.primary").await;
    page.wait_path(|p| p == "/contacts/new", "the new-contact form")
        .await;
    page.find("form.record-form").await;
    page.assert_no_overflow("the new-contact form").await;
    page.fill("#f-first_name", "نگار").await;
    page.fill("#f-last_name", "آزمونی").await;
    page.fill("#f-mobile", "۰۹۱۲۳۴۵۶۷۸۹").await;
    page.fill("#f-email", "negar-at-example").await;
    page.click("form.record-form .form-actions button[type=submit]")
        .await;
    page.find_text("p.alert", "اصلاح").await;
    page.find_text("#e-email", "ایمیل معتبر نیست").await;
    assert_eq!(page.value("#f-first_name").await, "نگار");
    assert_eq!(page.value("#f-last_name").await, "آزمونی");
    assert_eq!(page.value("#f-email").await, "negar-at-example");
    assert!(
        !page.value("#f-mobile").await.is_empty(),
        "the mobile is kept"
    );
    let invalid = page.find("#f-email").await;
    assert_eq!(
        invalid.attr("aria-invalid").await.unwrap().as_deref(),
        Some("true")
    );
    page.assert_no_overflow("the form with an error").await;
    page.screenshot("fa-phone-form-error").await;

    page.fill("#f-email", "negar@example.com").await;
    page.click("form.record-form .form-actions button[type=submit]")
        .await;
    page.find("#timeline").await;
    page.find_text("h1", "نگار آزمونی").await;
    page.find_text("#timeline li", "ایجاد شد").await;
    page.find_text("dl.fields", "negar@example.com").await;
    assert!(page.path().await.starts_with("/contacts/"));

    // A note.
    page.fill("#note-body", "تماس گرفته شد؛ پیگیری هفتهٔ بعد.")
        .await;
    page.click("form[action$='/notes'] button[type=submit]")
        .await;
    page.find_text("ul.notes li", "پیگیری هفتهٔ بعد").await;
    page.find_text("#timeline li", "پیگیری هفتهٔ بعد").await;
    page.assert_no_overflow("the new contact").await;
    page.screenshot("fa-phone-new-contact").await;

    // Settings, still on the phone.
    page.goto("/settings").await;
    page.find("#locale").await;
    page.assert_no_overflow("the settings").await;

    // Sign out.
    page.click(".user form button").await;
    page.find("#password").await;
    page.wait_path(
        |p| p.starts_with("/login"),
        "the sign-in page after signing out",
    )
    .await;
}

/// Another user switches to English and the Gregorian calendar and works at desktop width.
async fn english_on_a_desktop(page: &Page) {
    page.viewport(DESKTOP).await;
    page.wait_width(DESKTOP.0).await;
    page.fill("#email", "rep@peyvand.demo").await;
    page.fill("#password", common::PASSWORD).await;
    page.click("form button[type=submit].primary").await;
    page.find("ul.tiles").await;
    assert_eq!(page.html_attr("dir").await, "rtl", "Persian until changed");

    page.goto("/settings").await;
    page.find("#locale")
        .await
        .select_by_value("en")
        .await
        .unwrap();
    page.find("#calendar")
        .await
        .select_by_value("gregorian")
        .await
        .unwrap();
    page.click("form[action='/settings/preferences'] button[type=submit]")
        .await;
    wait_for("the page in English", || async {
        Ok((page.html_attr("lang").await == "en").then_some(()))
    })
    .await;
    assert_eq!(page.html_attr("dir").await, "ltr");
    page.find_text("h1", "Settings").await;
    assert_eq!(page.value("#locale").await, "en");
    assert_eq!(page.value("#calendar").await, "gregorian");
    page.screenshot("en-desktop-settings").await;

    // The navigation is open on wide screens.
    page.goto("/").await;
    page.find_text("h1", "Hello").await;
    let menu = page.find("details.menu").await;
    assert!(
        menu.attr("open").await.unwrap().is_some(),
        "menu open on desktops"
    );
    page.find_text("details.menu nav", "Contacts").await;
    page.find_text(".user button", "Sign out").await;
    page.assert_no_overflow("the English dashboard").await;
    page.screenshot("en-desktop-dashboard").await;
    page.assert_every_group_keeps_the_user_beside_the_brand()
        .await;

    page.click("details.menu a[href='/contacts']").await;
    page.find("table.records").await;
    page.find_text("h1", "Contacts").await;
    page.find_text("table.records thead", "Email").await;
    page.find_text(".head .actions", "Create").await;
    let search = page.find("#q").await;
    assert!(
        search
            .attr("placeholder")
            .await
            .unwrap()
            .unwrap_or_default()
            .contains("Name"),
        "English placeholder"
    );
    page.assert_no_overflow("the English contact list").await;
    page.screenshot("en-desktop-contacts").await;

    page.click("table.records tbody tr:first-child td:first-child a")
        .await;
    page.find("#timeline").await;
    page.find_text("#h-timeline", "Timeline").await;
    page.find_text(".head .actions", "Edit").await;
    // Dates are Gregorian now, in ASCII digits: "2026-05-12 10:30".
    let when = page.find("#timeline time").await.text().await.unwrap();
    let year = time::OffsetDateTime::now_utc().year();
    assert!(
        [year, year + 1]
            .iter()
            .any(|y| when.starts_with(&format!("{y}-"))),
        "a Gregorian date: {when:?}"
    );
    page.assert_no_overflow("an English contact").await;
    page.screenshot("en-desktop-contact").await;
}

/// The board's script: a card dragged onto the next column is moved there through the API, and
/// the page shows it in that column after reloading. (WebDriver cannot drag natively, so the
/// drag events are dispatched by a script as the browser would send them.)
async fn board_drag_and_drop(page: &Page) {
    page.goto("/sales/board").await;
    page.find(".board.draggable").await;
    let moved = page
        .script(
            "var columns = document.querySelectorAll('.board-column');
             for (var i = 0; i + 1 < columns.length; i++) {
               var card = columns[i].querySelector('.card');
               if (!card) { continue; }
               var data = new DataTransfer();
               card.dispatchEvent(new DragEvent('dragstart', {bubbles: true, dataTransfer: data}));
               columns[i + 1].dispatchEvent(new DragEvent('dragover', {bubbles: true, cancelable: true, dataTransfer: data}));
               columns[i + 1].dispatchEvent(new DragEvent('drop', {bubbles: true, cancelable: true, dataTransfer: data}));
               return [card.dataset.id, i + 2];
             }
             return null;",
        )
        .await;
    let id = moved[0]
        .as_str()
        .expect("the rep has a card that can move on");
    let column = moved[1].as_u64().unwrap();
    page.find(&format!(
        ".board-column:nth-of-type({column}) .card[data-id='{id}']"
    ))
    .await;
    page.screenshot("board-after-drag").await;
}

/// The analytics pages (issue 6) in Persian at phone width, as the administrator: every tab
/// with its chart and table fits the screen.
async fn insights_on_a_phone(page: &Page) {
    page.client.delete_all_cookies().await.unwrap();
    page.viewport(PHONE).await;
    page.goto("/login").await;
    page.wait_width(PHONE.0).await;
    page.fill("#email", "admin@peyvand.demo").await;
    page.fill("#password", common::PASSWORD).await;
    page.click("form button[type=submit].primary").await;
    page.find("ul.tiles").await;
    for tab in [
        "rfm", "clv", "churn", "basket", "nps", "pyramid", "matrix", "loyalty",
    ] {
        page.goto(&format!("/insights/{tab}")).await;
        page.find("nav.tabs a.current").await;
        page.find("select#insights-branch").await;
        page.assert_no_overflow(&format!("the {tab} analytics page"))
            .await;
    }
    page.goto("/insights/rfm").await;
    page.find("svg.chart").await;
    page.screenshot("fa-phone-insights").await;
}
