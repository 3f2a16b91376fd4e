//! Satisfaction surveys end to end: a closed case sends its customer a link (here by SMS to a
//! wiremock gateway), the customer answers once without signing in, and the answer shows on the
//! customer in the API and the 360° page; bad answers store nothing.

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::web_client::Browser;
use common::{Reply, TestApp, backends};
use serde_json::{Value, json};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn form_post(t: &TestApp, path: &str, body: &str) -> Reply {
    let request = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body.to_owned()))
        .unwrap();
    t.send(request).await
}

async fn anonymous_get(t: &TestApp, path: &str) -> Reply {
    t.send(Request::get(path).body(Body::empty()).unwrap())
        .await
}

fn form_value(body: &[u8], name: &str) -> Option<String> {
    url::form_urlencoded::parse(body)
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

async fn surveys(t: &TestApp, token: &str, contact: &str) -> Vec<Value> {
    let reply = t
        .get(&format!("/api/v1/contacts/{contact}/surveys"), token)
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.json()["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn a_closed_case_asks_its_customer_once_for_a_rating() {
    for t in backends().await {
        let gateway = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "return": {"status": 200, "message": "ok"},
                "entries": [{"messageid": 1, "status": 1}],
            })))
            .mount(&gateway)
            .await;
        t.app
            .use_channel_builder(std::sync::Arc::new(peyvand_channels::build))
            .await
            .unwrap();
        let admin = t.token("admin@peyvand.demo").await;
        let settings = json!({"public_url": "https://crm.example.com/",
            "sms": {"provider": "kavenegar", "url": gateway.uri(), "api_key": "k", "sender": "1000"}});
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
                json!({"last_name": "توکلی", "mobile": "09121112299",
                "consent_sms": true}),
            )
            .await
            .json();
        let contact = contact["id"].as_str().unwrap().to_owned();
        let case = t
            .post(
                "/api/v1/cases",
                &admin,
                json!({"case_type": "request", "subject": "نصب نرم‌افزار",
                "description": "x", "channel": "phone", "contact_id": contact}),
            )
            .await
            .json();
        let path = format!("/api/v1/cases/{}", case["id"].as_str().unwrap());
        for to in ["assigned", "in_progress", "resolved", "closed"] {
            let reply = t
                .post(&format!("{path}/transition"), &admin, json!({"status": to}))
                .await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        }
        let (_stop, stopped) = tokio::sync::watch::channel(false);
        t.app.run_due_jobs(&stopped).await.unwrap();
        let texts: Vec<String> = gateway
            .received_requests()
            .await
            .unwrap()
            .iter()
            .filter_map(|r| form_value(&r.body, "message"))
            .collect();
        let link = texts
            .iter()
            .find_map(|text| {
                text.split_whitespace()
                    .find(|w| w.starts_with("https://crm.example.com/survey/"))
            })
            .unwrap_or_else(|| panic!("{}: no survey link in {texts:?}", t.name()));
        let survey_path = link.trim_start_matches("https://crm.example.com");

        // The page needs no sign-in and speaks the customer's language (Persian by default).
        let page = anonymous_get(&t, survey_path).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(
            page.body.contains(r#"lang="fa""#)
                && page.body.contains(case["number"].as_str().unwrap())
        );
        assert_eq!(
            anonymous_get(&t, "/survey/not-a-token").await.status,
            StatusCode::NOT_FOUND
        );

        // A bad answer is refused with reasons and stores nothing.
        let bad = form_post(&t, survey_path, "csat=9&nps=&comment=x").await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
        assert!(bad.body.contains("role=\"alert\""));
        let stored = surveys(&t, &admin, &contact).await;
        assert_eq!(stored.len(), 1, "{}", t.name());
        assert!(stored[0]["answered_at"].is_null());

        // Persian digits are fine; the answer is kept once.
        let comment = "برخورد کارشناس عالی بود";
        let body = format!(
            "csat=%DB%B4&nps=9&comment={}",
            url::form_urlencoded::byte_serialize(comment.as_bytes()).collect::<String>()
        );
        let done = form_post(&t, survey_path, &body).await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.body);
        let again = form_post(&t, survey_path, "csat=1&nps=0").await;
        assert_eq!(again.status, StatusCode::OK);
        let stored = surveys(&t, &admin, &contact).await;
        assert_eq!(
            (stored[0]["csat"].as_i64(), stored[0]["nps"].as_i64()),
            (Some(4), Some(9)),
            "{}",
            t.name()
        );
        assert_eq!(stored[0]["comment"], comment);

        // Others' customers' surveys stay hidden; the 360° page shows the answer.
        let rep = t.token("rep@peyvand.demo").await;
        let hidden = t
            .get(&format!("/api/v1/contacts/{contact}/surveys"), &rep)
            .await;
        assert_eq!(hidden.status, StatusCode::NOT_FOUND);
        let mut browser = Browser::new(&t);
        browser.login("admin@peyvand.demo").await;
        let page = browser.get(&format!("/contacts/{contact}")).await;
        assert!(page.body.contains(comment), "{}", t.name());
        assert!(page.body.contains("۴/۵"), "{}", t.name());
    }
}
