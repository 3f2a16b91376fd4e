//! Files attached to cases, by staff through the API and by customers in the portal, on both
//! databases: kinds and sizes checked by content, names sanitised, files stored under generated
//! ids and served only to those who may see the case.

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::{Reply, TestApp, backends};
use serde_json::{Value, json};

const PDF: &[u8] = b"%PDF-1.7\n% a tiny test document\n";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR";

async fn upload(t: &TestApp, token: &str, case: &str, name: &str, bytes: &[u8]) -> Reply {
    let uri = format!(
        "/api/v1/cases/{case}/attachments?name={}",
        url::form_urlencoded::byte_serialize(name.as_bytes()).collect::<String>()
    );
    let request = Request::builder()
        .method(Method::POST)
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/octet-stream")
        .body(Body::from(bytes.to_vec()))
        .unwrap();
    t.send(request).await
}

fn multipart(csrf: &str, name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "peyvand-test-boundary";
    let mut body = Vec::new();
    body.extend(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{csrf}\r\n")
            .as_bytes(),
    );
    body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
    body.extend(bytes);
    body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn portal_request(
    t: &TestApp,
    cookie: &str,
    method: Method,
    path: &str,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> Reply {
    let mut request = Request::builder()
        .method(method)
        .uri(path)
        .header(header::COOKIE, format!("peyvand_portal={cookie}"));
    if let Some(content_type) = content_type {
        request = request.header(header::CONTENT_TYPE, content_type);
    }
    t.send(request.body(Body::from(body)).unwrap()).await
}

#[tokio::test]
async fn attachments_are_checked_stored_apart_and_served_to_those_who_may_see_them() {
    for t in backends().await {
        let admin = t.token("admin@peyvand.demo").await;
        let contact = t
            .post(
                "/api/v1/contacts",
                &admin,
                json!({"last_name": "فرهادی", "email": "farhadi@example.com"}),
            )
            .await
            .json();
        let case = t
            .post(
                "/api/v1/cases",
                &admin,
                json!({"case_type": "request", "subject": "فاکتور",
                "description": "x", "channel": "email", "contact_id": contact["id"]}),
            )
            .await
            .json();
        let case_id = case["id"].as_str().unwrap();

        // Refused: an unknown kind, a program named like a PDF, an empty file, too large.
        for (name, bytes, error) in [
            ("tool.exe", b"MZ\x90\x00".as_slice(), "invalid_choice"),
            ("invoice.pdf", b"MZ\x90\x00 not a pdf".as_slice(), "invalid"),
            ("empty.pdf", b"".as_slice(), "required"),
        ] {
            let refused = upload(&t, &admin, case_id, name, bytes).await;
            assert_eq!(
                refused.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{name}: {}",
                refused.body
            );
            assert_eq!(refused.json()["fields"]["file"], error, "{name}");
        }
        let mut big = b"%PDF-".to_vec();
        big.resize(peyvand_domain::attachment::MAX_BYTES + 1, b'x');
        let too_big = upload(&t, &admin, case_id, "big.pdf", &big).await;
        assert_eq!(too_big.status, StatusCode::UNPROCESSABLE_ENTITY);
        let way_too_big = upload(
            &t,
            &admin,
            case_id,
            "big.pdf",
            &vec![b'x'; 12 * 1024 * 1024],
        )
        .await;
        assert_eq!(way_too_big.status, StatusCode::PAYLOAD_TOO_LARGE);

        let stored = upload(&t, &admin, case_id, "../../صورتحساب <1>.pdf", PDF).await;
        assert_eq!(stored.status, StatusCode::CREATED, "{}", stored.body);
        let stored: Value = stored.json();
        assert_eq!(stored["file_name"], "صورتحساب 1.pdf");
        let listed = t
            .get(&format!("/api/v1/cases/{case_id}/attachments"), &admin)
            .await
            .json();
        assert_eq!(listed["items"].as_array().unwrap().len(), 1);

        let download = t
            .get(
                &format!("/api/v1/attachments/{}", stored["id"].as_str().unwrap()),
                &admin,
            )
            .await;
        assert_eq!(download.status, StatusCode::OK);
        assert_eq!(download.body.as_bytes(), PDF);
        assert_eq!(download.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert!(
            download.headers[header::CONTENT_DISPOSITION]
                .to_str()
                .unwrap()
                .starts_with("attachment;")
        );
        let rep = t.token("rep@peyvand.demo").await;
        let hidden = t
            .get(
                &format!("/api/v1/attachments/{}", stored["id"].as_str().unwrap()),
                &rep,
            )
            .await;
        assert_eq!(hidden.status, StatusCode::NOT_FOUND, "{}", t.name());

        // The customer attaches a picture in the portal and downloads both files; another
        // customer reaches neither.
        let access = format!(
            "/api/v1/contacts/{}/portal-access",
            contact["id"].as_str().unwrap()
        );
        assert_eq!(
            t.post(&access, &admin, json!({"password": "portal-pass-1"}))
                .await
                .status,
            StatusCode::NO_CONTENT
        );
        let cookie = t
            .app
            .portal_sign_in("farhadi@example.com", "portal-pass-1")
            .await
            .unwrap();
        let page = portal_request(
            &t,
            &cookie,
            Method::GET,
            &format!("/portal/cases/{case_id}"),
            None,
            vec![],
        )
        .await;
        assert!(page.body.contains("صورتحساب 1.pdf"), "{}", t.name());
        let marker = r#"name="_csrf" value=""#;
        let start = page.body.find(marker).unwrap() + marker.len();
        let csrf = page.body[start..].split('"').next().unwrap().to_owned();
        let (content_type, body) = multipart(&csrf, "عکس.png", PNG);
        let sent = portal_request(
            &t,
            &cookie,
            Method::POST,
            &format!("/portal/cases/{case_id}/attachments"),
            Some(&content_type),
            body,
        )
        .await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
        let (content_type, body) = multipart(&csrf, "x.exe", b"MZ");
        let refused = portal_request(
            &t,
            &cookie,
            Method::POST,
            &format!("/portal/cases/{case_id}/attachments"),
            Some(&content_type),
            body,
        )
        .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        let (content_type, body) = multipart("forged", "y.png", PNG);
        let forged = portal_request(
            &t,
            &cookie,
            Method::POST,
            &format!("/portal/cases/{case_id}/attachments"),
            Some(&content_type),
            body,
        )
        .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
        let listed = t
            .get(&format!("/api/v1/cases/{case_id}/attachments"), &admin)
            .await
            .json();
        let items = listed["items"].as_array().unwrap();
        assert_eq!(items.len(), 2, "{}", t.name());
        assert_eq!(items[1]["from_customer"], true);
        let picture = portal_request(
            &t,
            &cookie,
            Method::GET,
            &format!("/portal/attachments/{}", items[1]["id"].as_str().unwrap()),
            None,
            vec![],
        )
        .await;
        assert_eq!(picture.status, StatusCode::OK);
        assert_eq!(picture.headers[header::CONTENT_TYPE], "image/png");

        let stranger = t
            .post(
                "/api/v1/contacts",
                &admin,
                json!({"last_name": "غریبه", "email": "stranger@example.com"}),
            )
            .await
            .json();
        let access = format!(
            "/api/v1/contacts/{}/portal-access",
            stranger["id"].as_str().unwrap()
        );
        assert_eq!(
            t.post(&access, &admin, json!({"password": "portal-pass-2"}))
                .await
                .status,
            StatusCode::NO_CONTENT
        );
        let other = t
            .app
            .portal_sign_in("stranger@example.com", "portal-pass-2")
            .await
            .unwrap();
        // Staff see the customer's file and add one from the case page.
        let mut browser = common::web_client::Browser::new(&t);
        browser.login("admin@peyvand.demo").await;
        let staff_page = browser.get(&format!("/cases/{case_id}")).await;
        assert!(staff_page.body.contains("عکس.png"), "{}", t.name());
        let csrf = browser.csrf.clone();
        let added = browser
            .upload(
                &format!("/cases/{case_id}/attachments?_csrf={csrf}"),
                "file",
                "notes.txt",
                "یادداشت".as_bytes(),
            )
            .await;
        assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
        let forged = browser
            .upload(
                &format!("/cases/{case_id}/attachments?_csrf=wrong"),
                "file",
                "notes.txt",
                b"x",
            )
            .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
        let listed = t
            .get(&format!("/api/v1/cases/{case_id}/attachments"), &admin)
            .await
            .json();
        assert_eq!(listed["items"].as_array().unwrap().len(), 3);

        let denied = portal_request(
            &t,
            &other,
            Method::GET,
            &format!("/portal/attachments/{}", stored["id"].as_str().unwrap()),
            None,
            vec![],
        )
        .await;
        assert_eq!(denied.status, StatusCode::NOT_FOUND);
    }
}
