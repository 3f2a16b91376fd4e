//! Lists as Excel workbooks: typed cells (numbers, dates, yes/no), labels in the user's
//! language as column names, and right-to-left sheets for Persian users.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use peyvand_app::AppError;
use peyvand_domain::calendar::IRAN_OFFSET;
use peyvand_domain::record::{FieldDef, Value};
use peyvand_tabular::{CellValue, ExportOptions, TableWriter, XlsxTableWriter};

use super::export::Pages;
use crate::error::ApiResult;

fn cell(value: &Value) -> CellValue {
    match value {
        Value::Null => CellValue::Empty,
        Value::Text(text) => CellValue::Text(text.clone()),
        Value::Bool(b) => CellValue::Bool(*b),
        Value::Int(i) => CellValue::Integer(*i),
        Value::Number(n) => CellValue::Number(*n),
        Value::Date(d) => CellValue::Date(*d),
        Value::Time(at) => {
            let local = at.to_offset(IRAN_OFFSET);
            CellValue::DateTime(time::PrimitiveDateTime::new(local.date(), local.time()))
        }
        Value::Id(id) => CellValue::Text(id.to_string()),
        Value::Tags(tags) => CellValue::Text(tags.join(", ")),
    }
}

/// The workbook of an export: the fields the user may see as columns (after the id), labelled
/// in their language.
pub(super) async fn workbook(mut pages: Pages) -> ApiResult<Response> {
    let failed = |e: peyvand_tabular::TabularError| AppError::Internal(format!("xlsx: {e}"));
    let (session, schema) = (pages.session.clone(), pages.schema);
    let defs: Vec<&FieldDef> = schema
        .fields
        .iter()
        .filter(|f| !session.actor.grants.is_hidden(schema.kind, f.name))
        .collect();
    let headers: Vec<String> = std::iter::once("id".to_owned())
        .chain(
            defs.iter()
                .map(|def| crate::i18n::field_def_label(session.locale, def)),
        )
        .collect();
    let options = ExportOptions::for_user(session.locale, session.calendar);
    let mut writer = XlsxTableWriter::new(&headers, &options).map_err(failed)?;
    while let Some(records) = pages.next().await {
        for record in records? {
            let row: Vec<CellValue> = std::iter::once(CellValue::Text(record.id.to_string()))
                .chain(defs.iter().map(|def| cell(record.get(def.name))))
                .collect();
            writer.write_row(&row).map_err(failed)?;
        }
    }
    // Zipping the parts is CPU work of seconds for a large list: off the request threads.
    let bytes = tokio::task::spawn_blocking(move || {
        let mut bytes = Vec::new();
        writer.finish(&mut bytes).map(|()| bytes)
    })
    .await
    .map_err(|e| AppError::Internal(format!("xlsx: {e}")))?
    .map_err(failed)?;
    let disposition = format!("attachment; filename=\"{}.xlsx\"", schema.path);
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned(),
            ),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}
