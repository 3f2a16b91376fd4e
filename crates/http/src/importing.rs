//! What imports need from the presentation layer: field labels in both languages for column
//! suggestions, and the wording of rejected rows. Shared by the web pages and the command line.

use peyvand_app::Session;
use peyvand_app::editable_fields;
use peyvand_app::import::{Describe, RowError};
use peyvand_domain::calendar::Locale;
use peyvand_domain::record::Schema;
use peyvand_tabular::TargetField;

use crate::i18n::{field_def_label, t};

/// The fields of `schema` a column can be mapped to, with their Persian and English labels.
pub fn targets(session: &Session, schema: &'static Schema) -> Vec<TargetField> {
    editable_fields(session, schema)
        .map(|def| {
            TargetField::new(
                def.name,
                &field_def_label(Locale::Fa, def),
                &field_def_label(Locale::En, def),
            )
        })
        .collect()
}

/// One rejected row's errors in words: "Mobile: not a valid phone number; …".
pub fn describe_errors(locale: Locale, schema: &'static Schema, errors: &[RowError]) -> String {
    errors
        .iter()
        .map(|error| match &error.field {
            Some(field) => {
                let name = schema
                    .field(field)
                    .map_or_else(|| field.clone(), |def| field_def_label(locale, def));
                format!(
                    "{name}: {}",
                    t(locale, &format!("field-error-{}", error.code))
                )
            }
            None => t(locale, &format!("import-problem-{}", error.code)),
        })
        .collect::<Vec<_>>()
        .join(if locale == Locale::Fa { "؛ " } else { "; " })
}

/// [`describe_errors`] as the import options take it.
pub fn describer(locale: Locale, schema: &'static Schema) -> Describe {
    Describe(std::sync::Arc::new(move |errors: &[RowError]| {
        describe_errors(locale, schema, errors)
    }))
}

/// The column names of a file, and for each the field suggested for it, read off the thread
/// pool (opening a workbook is blocking work).
pub async fn headers_and_suggestions(
    session: &Session,
    schema: &'static Schema,
    path: std::path::PathBuf,
) -> Result<
    (
        Vec<String>,
        Vec<Option<peyvand_tabular::ColumnSuggestion>>,
        Vec<Vec<String>>,
    ),
    peyvand_app::AppError,
> {
    let targets = targets(session, schema);
    tokio::task::spawn_blocking(move || {
        let file = std::fs::File::open(&path).map_err(|_| peyvand_app::AppError::NotFound)?;
        peyvand_tabular::with_rows(file, &peyvand_tabular::ReadOptions::default(), |rows| {
            let headers = rows.headers().to_vec();
            // A few rows show the user what each column holds while mapping.
            let mut sample = Vec::new();
            while sample.len() < 3 {
                match rows.next() {
                    Some(Ok(row)) => sample.push(row.cells),
                    _ => break,
                }
            }
            let suggestions = peyvand_tabular::suggest_mapping(&headers, &targets);
            (headers, suggestions, sample)
        })
        .map_err(|e| peyvand_app::AppError::File(e.code()))
    })
    .await
    .map_err(|e| peyvand_app::AppError::Internal(e.to_string()))?
}
