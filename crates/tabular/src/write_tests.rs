use super::*;
use crate::read::{CsvRows, ReadOptions, RowSource};
use crate::xlsx_read::XlsxWorkbook;
use time::macros::{date, datetime};

fn fa_jalali() -> ExportOptions {
    ExportOptions::for_user(Locale::Fa, CalendarKind::Jalali)
}

fn sample_rows() -> Vec<Vec<CellValue>> {
    vec![
        vec![
            CellValue::Text("علی رضایی".into()),
            CellValue::Text("+989121234567".into()),
            CellValue::Integer(1_500_000),
            CellValue::Number(2.5),
            CellValue::Date(date!(2024 - 04 - 03)),
            CellValue::Bool(true),
        ],
        vec![
            CellValue::Text("=cmd|' /C calc'!A0".into()),
            CellValue::Empty,
            CellValue::Integer(-7),
            CellValue::Number(f64::NAN),
            CellValue::DateTime(datetime!(2024-04-03 09:05)),
            CellValue::Bool(false),
        ],
    ]
}

const HEADERS: [&str; 6] = ["نام", "موبایل", "مبلغ", "امتیاز", "تاریخ", "فعال"];

#[test]
fn csv_has_bom_crlf_guards_and_localised_values() {
    let mut writer = CsvTableWriter::new(Vec::new(), &HEADERS, &fa_jalali()).unwrap();
    for row in sample_rows() {
        writer.write_row(&row).unwrap();
    }
    let bytes = writer.finish().unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    assert_eq!(
        text,
        "نام,موبایل,مبلغ,امتیاز,تاریخ,فعال\r\n\
         علی رضایی,+989121234567,1500000,2.5,1403/01/15,بله\r\n\
         '=cmd|' /C calc'!A0,,-7,,1403/01/15 09:05,خیر\r\n"
    );
}

#[test]
fn csv_in_english_and_gregorian() {
    let options = ExportOptions::for_user(Locale::En, CalendarKind::Gregorian);
    let mut writer = CsvTableWriter::new(Vec::new(), &["d", "b"], &options).unwrap();
    writer
        .write_row(&[
            CellValue::Date(date!(2024 - 04 - 03)),
            CellValue::Bool(false),
        ])
        .unwrap();
    let bytes = writer.finish().unwrap();
    assert!(
        String::from_utf8(bytes)
            .unwrap()
            .ends_with("2024-04-03,no\r\n")
    );
}

#[test]
fn csv_round_trips_through_the_reader() {
    let mut writer = CsvTableWriter::new(Vec::new(), &HEADERS, &fa_jalali()).unwrap();
    for row in sample_rows() {
        writer.write_row(&row).unwrap();
    }
    let rejected = ["a,b", "\"quoted\"", "=1+1", "x\ny"];
    writer.write_text_row(&rejected).unwrap();
    let bytes = writer.finish().unwrap();
    let rows: Vec<_> = CsvRows::open(&bytes[..], &ReadOptions::default())
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(rows[1].cells[0], "=cmd|' /C calc'!A0");
    assert_eq!(rows[0].cells[5], "بله");
    assert_eq!(rows[2].cells, rejected);
    assert_eq!(
        rows[2].problem.as_ref().unwrap().code(),
        "wrong_column_count"
    );
}

#[test]
fn rows_must_match_the_header() {
    let mut csv = CsvTableWriter::new(Vec::new(), &["a", "b"], &fa_jalali()).unwrap();
    let err = csv.write_row(&[CellValue::Empty]).unwrap_err();
    assert_eq!(err.code(), "row_width");
    let mut xlsx = XlsxTableWriter::new(&["a"], &fa_jalali()).unwrap();
    assert!(
        xlsx.write_row(&[CellValue::Empty, CellValue::Empty])
            .is_err()
    );
}

/// The XML of one part of an XLSX file.
fn xlsx_part(bytes: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut part = archive.by_name(name).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut part, &mut xml).unwrap();
    xml
}

fn write_xlsx(options: &ExportOptions) -> Vec<u8> {
    let mut writer = XlsxTableWriter::new(&HEADERS, options).unwrap();
    for row in sample_rows() {
        writer.write_row(&row).unwrap();
    }
    let mut out = Vec::new();
    writer.finish(&mut out).unwrap();
    out
}

#[test]
fn xlsx_is_right_to_left_with_a_bold_frozen_header() {
    for constant_memory in [true, false] {
        let options = ExportOptions {
            sheet_name: Some("مخاطبان".into()),
            constant_memory,
            ..fa_jalali()
        };
        let bytes = write_xlsx(&options);
        let sheet = xlsx_part(&bytes, "xl/worksheets/sheet1.xml");
        assert!(sheet.contains(r#"rightToLeft="1""#), "{sheet}");
        assert!(sheet.contains(r#"ySplit="1""#));
        assert!(xlsx_part(&bytes, "xl/styles.xml").contains("<b/>"));
        assert!(xlsx_part(&bytes, "xl/workbook.xml").contains(r#"name="مخاطبان""#));
    }
    let ltr = write_xlsx(&ExportOptions::for_user(
        Locale::En,
        CalendarKind::Gregorian,
    ));
    assert!(!xlsx_part(&ltr, "xl/worksheets/sheet1.xml").contains("rightToLeft"));
}

#[test]
fn xlsx_values_read_back_as_typed() {
    for (calendar, date_text, datetime_text) in [
        (CalendarKind::Jalali, "1403/01/15", "1403/01/15 09:05"),
        (CalendarKind::Gregorian, "2024-04-03", "2024-04-03 09:05:00"),
    ] {
        let bytes = write_xlsx(&ExportOptions::for_user(Locale::Fa, calendar));
        let mut book = XlsxWorkbook::open(std::io::Cursor::new(bytes)).unwrap();
        let mut rows = book.rows(None).unwrap();
        assert_eq!(rows.headers(), HEADERS);
        let first = rows.next().unwrap().unwrap();
        assert_eq!(first.line, 2);
        assert_eq!(
            first.cells,
            [
                "علی رضایی",
                "+989121234567",
                "1500000",
                "2.5",
                date_text,
                "true"
            ]
        );
        let second = rows.next().unwrap().unwrap();
        // Text is never a formula in XLSX, so it needs no guard.
        assert_eq!(
            second.cells,
            ["=cmd|' /C calc'!A0", "", "-7", "", datetime_text, "false"]
        );
        let extra = rows.next();
        assert!(extra.is_none(), "{extra:?}");
    }
}

#[test]
fn xlsx_rejects_text_longer_than_excel_allows() {
    let mut writer = XlsxTableWriter::new(&["note"], &fa_jalali()).unwrap();
    let err = writer
        .write_row(&[CellValue::Text("ب".repeat(32_768))])
        .unwrap_err();
    assert!(matches!(
        err,
        TabularError::CellTooLong { row: 2, column: 1 }
    ));
    writer
        .write_row(&[CellValue::Text("ب".repeat(32_767))])
        .unwrap();
}

#[test]
fn sheet_names_are_made_valid() {
    assert_eq!(sheet_name(None, 1), None);
    assert_eq!(sheet_name(None, 2).as_deref(), Some("Sheet (2)"));
    assert_eq!(sheet_name(Some("a/b:c"), 1).as_deref(), Some("a b c"));
    assert_eq!(
        sheet_name(Some("مخاطبان"), 3).as_deref(),
        Some("مخاطبان (3)")
    );
    let long = sheet_name(Some(&"x".repeat(40)), 12).unwrap();
    assert!(long.chars().count() <= 31, "{long}");
    assert_eq!(sheet_name(Some("[]"), 1).as_deref(), Some("Sheet"));
}

#[test]
fn formula_guard_spares_numbers_and_phones() {
    for plain in [
        "+98 912 123 4567",
        "-5",
        "-1,234.5",
        "(021) 8877",
        "علی",
        "a=b",
        "",
    ] {
        assert_eq!(guard_formula(plain), plain);
        assert_eq!(unguard_formula(plain.to_owned()), plain);
    }
    for formula in ["=1+1", "@SUM(A1)", "+A1", "-A1+2", "+", "-"] {
        let guarded = guard_formula(formula);
        assert_eq!(guarded, format!("'{formula}"));
        assert_eq!(unguard_formula(guarded), formula);
    }
    // A leading quote the user typed themselves stays.
    assert_eq!(unguard_formula("'hello".to_owned()), "'hello");
}

#[test]
fn with_rows_opens_either_format() {
    use crate::read::with_rows;
    let xlsx = write_xlsx(&fa_jalali());
    let mut csv = CsvTableWriter::new(Vec::new(), &HEADERS, &fa_jalali()).unwrap();
    for row in sample_rows() {
        csv.write_row(&row).unwrap();
    }
    let csv = csv.finish().unwrap();
    for bytes in [xlsx, csv] {
        let (headers, count) = with_rows(
            std::io::Cursor::new(bytes),
            &ReadOptions::default(),
            |rows| (rows.headers().to_vec(), rows.count()),
        )
        .unwrap();
        assert_eq!(headers, HEADERS);
        assert_eq!(count, 2);
    }
    let err = with_rows(
        std::io::Cursor::new(Vec::new()),
        &ReadOptions::default(),
        |_| (),
    )
    .unwrap_err();
    assert_eq!(err.code(), "empty_file");
}
