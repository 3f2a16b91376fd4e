//! `GET /api/v1/{kind}/export`: a list as a CSV or Excel file, with the list's filters and
//! search, the fields the user may see, and the records they may export.
//!
//! The records are read a page at a time and written out as they come, so an export of a
//! million records holds one page in memory, not the whole list. A CSV file is streamed to the
//! client while it is read; a workbook must be complete before it can be sent (its parts are
//! zipped at the end), so its rows go to the writer's own temporary files page by page and the
//! finished file is sent whole.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use peyvand_app::{App, AppError, ListParams, Page, RecordView, Session};
use peyvand_domain::record::Schema;
use serde_json::Value;

use super::records::list_params;
use super::schema_at;
use crate::auth::ApiSession;
use crate::error::ApiResult;

pub async fn export(
    State(state): State<crate::AppState>,
    ApiSession(session): ApiSession,
    Path(kind): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> ApiResult<Response> {
    let schema = schema_at(&session, &kind)?;
    // `format` chooses the file type; every other parameter filters as in a list.
    let mut query = query;
    let format = query.remove("format");
    let mut params = list_params(&query)?;
    params.limit = None;
    params.cursor = None;
    // The first page is read before answering, so a refusal is a proper error response.
    let first = state
        .app
        .export_page(&session, schema.kind, &params)
        .await?;
    let pages = Pages {
        app: state.app.clone(),
        session,
        schema,
        params,
        pending: Some(first),
    };
    if format.as_deref() == Some("xlsx") {
        return super::export_xlsx::workbook(pages).await;
    }
    Ok(csv_response(pages))
}

/// The pages of an export, read one after another.
pub(super) struct Pages {
    app: App,
    pub(super) session: Arc<Session>,
    pub(super) schema: &'static Schema,
    params: ListParams,
    /// A page read but not yet handed out.
    pending: Option<Page>,
}

impl Pages {
    /// The next page's records; `None` after the last.
    pub(super) async fn next(&mut self) -> Option<Result<Vec<RecordView>, AppError>> {
        if let Some(page) = self.pending.take() {
            self.params.cursor = page.next_cursor.clone();
            return Some(Ok(page.items));
        }
        self.params.cursor.as_ref()?;
        let page = self
            .app
            .export_page(&self.session, self.schema.kind, &self.params)
            .await;
        match page {
            Ok(page) => {
                self.params.cursor = page.next_cursor;
                Some(Ok(page.items))
            }
            Err(error) => {
                self.params.cursor = None;
                Some(Err(error))
            }
        }
    }
}

fn csv_response(pages: Pages) -> Response {
    let columns: Vec<&'static str> = std::iter::once("id")
        .chain(pages.schema.fields.iter().map(|f| f.name).filter(|name| {
            !pages
                .session
                .actor
                .grants
                .is_hidden(pages.schema.kind, name)
        }))
        .collect();
    let mut header_line = String::from("\u{feff}");
    push_row(&mut header_line, columns.iter().map(|c| (*c).to_owned()));
    let disposition = format!("attachment; filename=\"{}.csv\"", pages.schema.path);
    let start = (Some(header_line), pages, columns);
    let chunks = futures_util::stream::unfold(start, |(header, mut pages, columns)| async move {
        if let Some(header) = header {
            return Some((Ok(Bytes::from(header)), (None, pages, columns)));
        }
        let chunk = match pages.next().await? {
            Ok(records) => {
                let mut text = String::new();
                for record in &records {
                    push_row(&mut text, columns.iter().map(|c| csv_text(record, c)));
                }
                Ok(Bytes::from(text))
            }
            // The status has been sent; breaking the stream tells the client the file is cut.
            Err(error) => {
                tracing::error!(%error, "export stopped");
                Err(std::io::Error::other("export stopped"))
            }
        };
        Some((chunk, (None, pages, columns)))
    });
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        Body::from_stream(chunks),
    )
        .into_response()
}

/// A record's value of `column` as CSV text: lists joined by commas, the rest as in JSON.
fn csv_text(record: &RecordView, column: &str) -> String {
    if column == "id" {
        return record.id.to_string();
    }
    match peyvand_app::json::value_to_json(record.get(column)) {
        Value::Null => String::new(),
        Value::String(s) => s,
        Value::Array(items) => items
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    }
}

fn push_row(out: &mut String, cells: impl Iterator<Item = String>) {
    for (i, cell) in cells.enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&csv_cell(&cell));
    }
    out.push_str("\r\n");
}

/// One CSV cell, quoted when needed. Cells that a spreadsheet would run as a formula get a
/// leading apostrophe (CSV injection).
fn csv_cell(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@']) && !text.starts_with("+98") {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::csv_cell;

    #[test]
    fn csv_cells_are_quoted_and_defused() {
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(csv_cell("+989121234567"), "+989121234567");
    }
}
