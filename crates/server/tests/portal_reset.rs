//! Portal password resets on both databases: a customer asks for a link (the answer is the same
//! for unknown addresses), the link arrives by email, works once and for an hour, and choosing
//! a new password through it ends the account's sessions.

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::{Reply, TestApp, backends};
use peyvand_app::jobs::Job;
use serde_json::json;

fn encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

async fn post_form(t: &TestApp, path: &str, form: &str, cookie: Option<&str>) -> Reply {
    let mut request = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, format!("peyvand_portal={cookie}"));
    }
    t.send(request.body(Body::from(form.to_owned())).unwrap())
        .await
}

async fn get_page(t: &TestApp, path: &str, cookie: Option<&str>) -> Reply {
    let mut request = Request::builder().method(Method::GET).uri(path);
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, format!("peyvand_portal={cookie}"));
    }
    t.send(request.body(Body::empty()).unwrap()).await
}

/// The portal session cookie of a successful sign-in, or `None`.
async fn sign_in(t: &TestApp, email: &str, password: &str) -> Option<String> {
    let form = format!(
        "email={}&password={}&lang=fa",
        encode(email),
        encode(password)
    );
    let reply = post_form(t, "/portal/login", &form, None).await;
    reply
        .headers
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("peyvand_portal="))
        .and_then(|v| v.split(';').next())
        .filter(|v| !v.is_empty() && reply.status == StatusCode::SEE_OTHER)
        .map(str::to_owned)
}

/// The reset links emailed to `address`, oldest first, read from the queued jobs.
async fn links_to(t: &TestApp, address: &str) -> Vec<String> {
    let store = peyvand_store::Store::connect(&t.url).await.unwrap();
    let mut tx = store.read().await.unwrap();
    let mut links: Vec<String> = tx
        .list_jobs(None, 500)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|row| match serde_json::from_str::<Job>(&row.payload) {
            Ok(Job::Email(message)) if message.to == address => Some(message.text),
            _ => None,
        })
        .filter_map(|text| {
            let start = text.find("https://crm.example.com/portal/reset/")?;
            Some(text[start..].split_whitespace().next()?.to_owned())
        })
        .collect();
    links.reverse();
    links
}

#[tokio::test]
async fn a_forgotten_password_is_replaced_through_a_one_time_link() {
    for t in backends().await {
        let admin = t.token("admin@peyvand.demo").await;
        let settings = json!({"public_url": "https://crm.example.com",
            "smtp": {"host": "127.0.0.1", "port": 9, "security": "none", "from": "crm@peyvand.demo"}});
        let put = t
            .call(
                Method::PUT,
                "/api/v1/settings/notifications",
                Some(&admin),
                Some(settings),
            )
            .await;
        assert_eq!(put.status, StatusCode::OK, "{}", put.body);
        let contact = t
            .post(
                "/api/v1/contacts",
                &admin,
                json!({"last_name": "فراموشکار", "email": "forgetful@example.com"}),
            )
            .await
            .json();
        let access = format!(
            "/api/v1/contacts/{}/portal-access",
            contact["id"].as_str().unwrap()
        );
        let granted = t
            .post(&access, &admin, json!({"password": "old-password-1"}))
            .await;
        assert!(granted.status.is_success(), "{}", granted.body);
        let old_session = sign_in(&t, "forgetful@example.com", "old-password-1")
            .await
            .expect("signs in with the old password");

        let login = get_page(&t, "/portal", None).await;
        assert!(
            login.body.contains("/portal/forgot"),
            "the sign-in page offers the link"
        );
        let known = post_form(
            &t,
            "/portal/forgot",
            "email=Forgetful%40Example.com&lang=fa",
            None,
        )
        .await;
        let unknown = post_form(
            &t,
            "/portal/forgot",
            "email=nobody%40example.com&lang=fa",
            None,
        )
        .await;
        assert_eq!(known.status, StatusCode::OK, "{}", known.body);
        assert_eq!(unknown.status, known.status);
        assert_eq!(
            unknown.body,
            known.body,
            "{}: the answers look alike",
            t.name()
        );
        // Asking again at once sends no second link.
        post_form(
            &t,
            "/portal/forgot",
            "email=forgetful%40example.com&lang=en",
            None,
        )
        .await;
        let links = links_to(&t, "forgetful@example.com").await;
        assert_eq!(links.len(), 1, "{}: {links:?}", t.name());
        let path = links[0]
            .trim_start_matches("https://crm.example.com")
            .to_owned();

        let form = get_page(&t, &path, None).await;
        assert_eq!(form.status, StatusCode::OK, "{}", form.body);
        let mismatch = post_form(
            &t,
            &path,
            "password=new-password-2&password_again=other-one-2",
            None,
        )
        .await;
        assert_eq!(mismatch.status, StatusCode::UNPROCESSABLE_ENTITY);
        let short = post_form(&t, &path, "password=short&password_again=short", None).await;
        assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            sign_in(&t, "forgetful@example.com", "old-password-1")
                .await
                .is_some(),
            "nothing changed yet"
        );

        let done = post_form(
            &t,
            &path,
            "password=new-password-2&password_again=new-password-2",
            None,
        )
        .await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.body);
        assert!(
            sign_in(&t, "forgetful@example.com", "old-password-1")
                .await
                .is_none(),
            "{}",
            t.name()
        );
        assert!(
            sign_in(&t, "forgetful@example.com", "new-password-2")
                .await
                .is_some()
        );
        let signed_out = get_page(&t, "/portal/cases", Some(&old_session)).await;
        assert_ne!(
            signed_out.status,
            StatusCode::OK,
            "{}: the old session ended",
            t.name()
        );

        // The link works once.
        let again = post_form(
            &t,
            &path,
            "password=third-password&password_again=third-password",
            None,
        )
        .await;
        assert_eq!(again.status, StatusCode::NOT_FOUND, "{}", t.name());
        assert_eq!(
            get_page(&t, &path, None).await.status,
            StatusCode::NOT_FOUND
        );
        assert!(
            sign_in(&t, "forgetful@example.com", "third-password")
                .await
                .is_none()
        );
    }
}
