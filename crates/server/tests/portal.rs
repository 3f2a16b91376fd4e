//! The customer portal end to end on both databases: staff give a contact access; the contact
//! signs in with a portal account (never a staff session), sees their organisation's cases and
//! no one else's, files a case, reads replies (never internal notes) and answers.

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::{Reply, TestApp, backends};
use serde_json::{Value, json};

struct Customer<'a> {
    t: &'a TestApp,
    cookie: String,
}

impl Customer<'_> {
    async fn send(&self, method: Method, path: &str, form: Option<&str>) -> Reply {
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header(header::COOKIE, format!("peyvand_portal={}", self.cookie));
        if form.is_some() {
            request = request.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        }
        let body = form.map_or(Body::empty(), |f| Body::from(f.to_owned()));
        self.t.send(request.body(body).unwrap()).await
    }

    async fn get(&self, path: &str) -> Reply {
        self.send(Method::GET, path, None).await
    }

    async fn post(&self, path: &str, form: &str) -> Reply {
        self.send(Method::POST, path, Some(form)).await
    }
}

fn csrf(page: &Reply) -> String {
    let marker = r#"name="_csrf" value=""#;
    let start = page.body.find(marker).expect("a form with a CSRF token") + marker.len();
    page.body[start..].split('"').next().unwrap().to_owned()
}

fn encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

async fn sign_in<'a>(t: &'a TestApp, email: &str, password: &str) -> Result<Customer<'a>, Reply> {
    let request = Request::builder()
        .method(Method::POST)
        .uri("/portal/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!(
            "email={}&password={}&lang=fa",
            encode(email),
            encode(password)
        )))
        .unwrap();
    let reply = t.send(request).await;
    let cookie = reply
        .headers
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("peyvand_portal="))
        .and_then(|v| v.split(';').next())
        .map(str::to_owned);
    match (reply.status, cookie) {
        (StatusCode::SEE_OTHER, Some(cookie)) => Ok(Customer { t, cookie }),
        _ => Err(reply),
    }
}

async fn created(t: &TestApp, token: &str, path: &str, body: Value) -> Value {
    let reply = t.post(path, token, body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{path}: {}", reply.body);
    reply.json()
}

#[tokio::test]
async fn customers_see_only_their_organisations_cases() {
    for t in backends().await {
        let admin = t.token("admin@peyvand.demo").await;
        let ours = created(&t, &admin, "/api/v1/accounts", json!({"name": "شرکت ما"})).await;
        let theirs = created(&t, &admin, "/api/v1/accounts", json!({"name": "شرکت دیگر"})).await;
        let customer = created(
            &t,
            &admin,
            "/api/v1/contacts",
            json!({"last_name": "رحیمی",
            "email": "rahimi@example.com", "account_id": ours["id"]}),
        )
        .await;
        let other = created(
            &t,
            &admin,
            "/api/v1/contacts",
            json!({"last_name": "صالحی",
            "email": "salehi@example.com", "account_id": theirs["id"]}),
        )
        .await;
        let access = format!(
            "/api/v1/contacts/{}/portal-access",
            customer["id"].as_str().unwrap()
        );
        let short = t.post(&access, &admin, json!({"password": "short"})).await;
        assert_eq!(
            short.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            short.body
        );
        let granted = t
            .post(&access, &admin, json!({"password": "portal-pass-1"}))
            .await;
        assert_eq!(granted.status, StatusCode::NO_CONTENT, "{}", granted.body);
        let rep = t.token("rep@peyvand.demo").await;
        let refused = t
            .post(&access, &rep, json!({"password": "portal-pass-2"}))
            .await;
        assert_eq!(
            refused.status,
            StatusCode::NOT_FOUND,
            "a rep cannot reach the contact"
        );

        let case = |subject: &str, field: &str, id: &Value| {
            json!({"case_type": "request", "subject": subject, "description": "x",
                "channel": "phone", field: id})
        };
        let org_case = created(
            &t,
            &admin,
            "/api/v1/cases",
            case("قرارداد سازمان", "account_id", &ours["id"]),
        )
        .await;
        let foreign = created(
            &t,
            &admin,
            "/api/v1/cases",
            case("مشکل دیگران", "contact_id", &other["id"]),
        )
        .await;

        // Portal accounts are not staff accounts, and the other way round.
        assert!(
            sign_in(&t, "rahimi@example.com", "wrong-password")
                .await
                .is_err()
        );
        assert!(
            sign_in(&t, "admin@peyvand.demo", common::PASSWORD)
                .await
                .is_err()
        );
        let me = sign_in(&t, "rahimi@example.com", "portal-pass-1")
            .await
            .ok()
            .expect("signed in");
        let staff_page = me.get("/contacts").await;
        assert_eq!(
            staff_page.status,
            StatusCode::SEE_OTHER,
            "no staff pages for customers"
        );

        let list = me.get("/portal/cases").await;
        assert_eq!(list.status, StatusCode::OK, "{}", list.body);
        assert!(list.body.contains("قرارداد سازمان"), "{}", t.name());
        assert!(list.body.contains(org_case["number"].as_str().unwrap()));
        assert!(!list.body.contains("مشکل دیگران"));
        let foreign_path = format!("/portal/cases/{}", foreign["id"].as_str().unwrap());
        assert_eq!(me.get(&foreign_path).await.status, StatusCode::NOT_FOUND);

        // Filing a case: missing fields store nothing; a form without its token is refused.
        let form = me.get("/portal/cases/new").await;
        let token = csrf(&form);
        let count = t.list_all("/api/v1/cases", &admin).await.len();
        let missing = me
            .post(
                "/portal/cases",
                &format!("_csrf={token}&case_type=request&subject=&description="),
            )
            .await;
        assert_eq!(
            missing.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            missing.body
        );
        let forged = me
            .post("/portal/cases", "case_type=request&subject=x&description=y")
            .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
        assert_eq!(t.list_all("/api/v1/cases", &admin).await.len(), count);
        let filed = me
            .post(
                "/portal/cases",
                &format!(
                    "_csrf={token}&case_type=complaint&subject={}&description={}",
                    encode("کندی سامانه"),
                    encode("از دیروز کند است")
                ),
            )
            .await;
        assert_eq!(filed.status, StatusCode::SEE_OTHER, "{}", filed.body);
        let page_path = filed.headers[header::LOCATION].to_str().unwrap().to_owned();
        let id = page_path.rsplit('/').next().unwrap();
        let staff_view = t.get(&format!("/api/v1/cases/{id}"), &admin).await.json();
        assert_eq!(staff_view["channel"], "portal");
        assert_eq!(staff_view["contact_id"], customer["id"]);
        assert_eq!(staff_view["status"], "new");

        // Staff answer; the customer sees the reply, never the internal note, and answers.
        let entries = format!("/api/v1/cases/{id}/entries");
        for (kind, body) in [
            ("internal_note", "مشتری قدیمی است"),
            ("reply", "در حال بررسی هستیم"),
        ] {
            let reply = t
                .post(&entries, &admin, json!({"kind": kind, "body": body}))
                .await;
            assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        }
        let page = me.get(&page_path).await;
        assert!(page.body.contains("در حال بررسی هستیم"), "{}", t.name());
        assert!(!page.body.contains("مشتری قدیمی است"));
        let answer = me
            .post(
                &format!("{page_path}/reply"),
                &format!("_csrf={}&body={}", csrf(&page), encode("ممنون، منتظرم")),
            )
            .await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
        let listed = t.get(&entries, &admin).await.json();
        assert!(
            listed.to_string().contains("ممنون، منتظرم")
                && listed.to_string().contains("\"customer\""),
            "{listed}"
        );
        let staff_only = t
            .post(&entries, &admin, json!({"kind": "customer", "body": "x"}))
            .await;
        assert_eq!(staff_only.status, StatusCode::UNPROCESSABLE_ENTITY);

        // Another organisation's case stays out of reach for replies too; signing out ends it.
        let foreign_reply = me
            .post(
                &format!("{foreign_path}/reply"),
                &format!("_csrf={}&body=x", csrf(&page)),
            )
            .await;
        assert_eq!(foreign_reply.status, StatusCode::NOT_FOUND);
        let out = me
            .post("/portal/logout", &format!("_csrf={}", csrf(&page)))
            .await;
        assert_eq!(out.status, StatusCode::SEE_OTHER);
        assert_eq!(me.get("/portal/cases").await.status, StatusCode::SEE_OTHER);
    }
}

#[tokio::test]
async fn customers_see_their_organisations_sent_documents() {
    for t in backends().await {
        let admin = t.token("admin@peyvand.demo").await;
        let ours = created(
            &t,
            &admin,
            "/api/v1/accounts",
            json!({"name": "شرکت خریدار"}),
        )
        .await;
        let theirs = created(&t, &admin, "/api/v1/accounts", json!({"name": "شرکت رقیب"})).await;
        let customer = created(
            &t,
            &admin,
            "/api/v1/contacts",
            json!({"last_name": "امینی",
            "email": "amini@example.com", "account_id": ours["id"]}),
        )
        .await;
        let access = format!(
            "/api/v1/contacts/{}/portal-access",
            customer["id"].as_str().unwrap()
        );
        assert_eq!(
            t.post(&access, &admin, json!({"password": "portal-pass-1"}))
                .await
                .status,
            StatusCode::NO_CONTENT
        );
        let product = created(
            &t,
            &admin,
            "/api/v1/products",
            json!({"code": "PT-1",
            "name": "خدمت پشتیبانی", "product_kind": "service", "unit": "ماه",
            "base_price": 5_000_000, "tax_rate_bp": 1000}),
        )
        .await;
        let mut quotes = Vec::new();
        for account in [&ours, &theirs] {
            let quote = created(
                &t,
                &admin,
                "/api/v1/quotes",
                json!({"account_id": account["id"],
                "issue_date": "2026-11-01"}),
            )
            .await;
            let qid = quote["id"].as_str().unwrap().to_owned();
            let line = t
                .post(
                    &format!("/api/v1/quotes/{qid}/lines"),
                    &admin,
                    json!({"product_id": product["id"], "quantity": 3}),
                )
                .await;
            assert_eq!(line.status, StatusCode::CREATED, "{}", line.body);
            quotes.push((qid, quote["number"].as_str().unwrap().to_owned()));
        }
        let me = sign_in(&t, "amini@example.com", "portal-pass-1")
            .await
            .ok()
            .expect("signed in");
        let list = me.get("/portal/documents").await;
        assert_eq!(list.status, StatusCode::OK, "{}", list.body);
        assert!(
            !list.body.contains(&quotes[0].1),
            "a draft quote is internal: {}",
            t.name()
        );

        for (qid, _) in &quotes {
            let sent = t
                .post(
                    &format!("/api/v1/quotes/{qid}/status"),
                    &admin,
                    json!({"status": "sent"}),
                )
                .await;
            assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
        }
        let list = me.get("/portal/documents").await;
        assert!(list.body.contains(&quotes[0].1), "{}", t.name());
        assert!(
            !list.body.contains(&quotes[1].1),
            "another organisation's quote"
        );
        let page = me
            .get(&format!("/portal/documents/quotes/{}", quotes[0].0))
            .await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(page.body.contains(&quotes[0].1) && page.body.contains("خدمت پشتیبانی"));
        assert!(
            page.body.contains("۱۶٬۵۰۰٬۰۰۰") || page.body.contains("۱۶,۵۰۰,۰۰۰"),
            "{}",
            page.body
        );
        // Amounts in Rials, with a switch to Tomans as on the staff's printable page.
        assert!(page.body.contains("currency=toman\""), "{}", page.body);
        let tomans = me
            .get(&format!(
                "/portal/documents/quotes/{}?currency=toman",
                quotes[0].0
            ))
            .await;
        assert_eq!(tomans.status, StatusCode::OK, "{}", tomans.body);
        assert!(
            tomans.body.contains("۱٬۶۵۰٬۰۰۰"),
            "{}: {}",
            t.name(),
            tomans.body
        );
        assert!(!tomans.body.contains("۱۶٬۵۰۰٬۰۰۰"), "no Rial amount");
        assert!(tomans.body.contains("تومان"));
        let foreign = me
            .get(&format!("/portal/documents/quotes/{}", quotes[1].0))
            .await;
        assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    }
}
