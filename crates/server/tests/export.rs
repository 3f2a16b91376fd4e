//! Exports of long lists: every page is written, in CSV and in Excel, on both databases.

mod common;

use std::collections::BTreeSet;
use std::io::Cursor;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{TestApp, start_with};
use http_body_util::BodyExt;
use peyvand_store::Backend;
use tower::ServiceExt;

/// More demo contacts than one page of an export (200) holds, so that paging is exercised.
const CONTACTS: usize = 450;

async fn download(t: &TestApp, path: &str, token: &str) -> Vec<u8> {
    let request = Request::get(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let response = t.router.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    response
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec()
}

/// The first column of every data row of a file read by `peyvand-tabular`.
fn first_cells(
    rows: impl Iterator<Item = Result<peyvand_tabular::Row, peyvand_tabular::TabularError>>,
) -> Vec<String> {
    rows.map(|row| row.unwrap().cells[0].clone()).collect()
}

#[tokio::test]
async fn exports_write_every_page_of_a_long_list() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let t = start_with(backend, CONTACTS).await;
        let admin = t.token("admin@peyvand.demo").await;
        let listed: BTreeSet<String> = t
            .list_all("/api/v1/contacts", &admin)
            .await
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_owned())
            .collect();
        assert!(
            listed.len() > 200,
            "{}: {} contacts",
            t.name(),
            listed.len()
        );

        let csv = download(&t, "/api/v1/contacts/export", &admin).await;
        let rows = peyvand_tabular::CsvRows::open(Cursor::new(csv), &Default::default()).unwrap();
        let ids = first_cells(rows);
        assert_eq!(ids.len(), listed.len(), "{}: no record twice", t.name());
        assert_eq!(
            ids.into_iter().collect::<BTreeSet<_>>(),
            listed,
            "{}",
            t.name()
        );

        let path = "/api/v1/contacts/export?format=xlsx";
        let xlsx = download(&t, path, &admin).await;
        let mut book = peyvand_tabular::XlsxWorkbook::open(Cursor::new(xlsx)).unwrap();
        let ids = first_cells(book.rows(None).unwrap());
        assert_eq!(ids.len(), listed.len(), "{}", t.name());
        assert_eq!(
            ids.into_iter().collect::<BTreeSet<_>>(),
            listed,
            "{}",
            t.name()
        );
    }
}
