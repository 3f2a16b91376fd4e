use super::*;

fn open(bytes: &[u8]) -> Result<CsvRows<&[u8]>, TabularError> {
    CsvRows::open(bytes, &ReadOptions::default())
}

/// Every row as (line, cells, problem code).
fn all_rows(rows: CsvRows<&[u8]>) -> Vec<(u64, Vec<String>, Option<&'static str>)> {
    rows.map(|r| {
        let r = r.expect("row");
        (r.line, r.cells, r.problem.as_ref().map(RowProblem::code))
    })
    .collect()
}

fn cells(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn reads_utf8_with_and_without_bom() {
    let body = "نام,موبایل\r\nعلی,۰۹۱۲۱۲۳۴۵۶۷\r\nمریم,09351234567\r\n";
    for bytes in [
        body.as_bytes().to_vec(),
        [&b"\xEF\xBB\xBF"[..], body.as_bytes()].concat(),
    ] {
        let rows = open(&bytes).unwrap();
        assert_eq!(rows.headers(), cells(&["نام", "موبایل"]));
        assert_eq!(rows.encoding(), TextEncoding::Utf8);
        assert_eq!(
            all_rows(rows),
            vec![
                (2, cells(&["علی", "۰۹۱۲۱۲۳۴۵۶۷"]), None),
                (3, cells(&["مریم", "09351234567"]), None),
            ]
        );
    }
}

#[test]
fn reads_windows_1256_from_older_software() {
    // Windows-1256 has no Persian yeh (ی): Persian software wrote the Arabic one (ي), which
    // search normalisation folds.
    let text = "نام;شهر;توضيحات\nعلي;تهران;«مشتري قديمي»\nگلاره;کرج;ژاله‌اي\n";
    let (bytes, _, lossy) = encoding_rs::WINDOWS_1256.encode(text);
    assert!(!lossy);
    let rows = open(&bytes).unwrap();
    assert_eq!(rows.encoding(), TextEncoding::Windows1256);
    assert_eq!(rows.delimiter(), b';');
    assert_eq!(rows.headers(), cells(&["نام", "شهر", "توضيحات"]));
    let got = all_rows(rows);
    assert_eq!(got[0].1, cells(&["علي", "تهران", "«مشتري قديمي»"]));
    assert_eq!(got[1].1, cells(&["گلاره", "کرج", "ژاله‌اي"]));
}

#[test]
fn reads_utf16_tab_separated_unicode_text() {
    let text = "نام\tایمیل\nسارا\ts@x.ir\n";
    let bytes: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let rows = open(&bytes).unwrap();
    assert_eq!(rows.encoding(), TextEncoding::Utf16Le);
    assert_eq!(rows.delimiter(), b'\t');
    assert_eq!(all_rows(rows), vec![(2, cells(&["سارا", "s@x.ir"]), None)]);
}

#[test]
fn whole_file_problems_have_codes() {
    let code = |bytes: &[u8]| open(bytes).err().map(|e| e.code());
    assert_eq!(code(b""), Some("empty_file"));
    assert_eq!(code(b"\n\n  \n,,\n"), Some("empty_file"));
    assert_eq!(code(b"\x00\x01\x02binary\xff"), Some("unknown_encoding"));
    assert_eq!(
        code(b"caf\xe9,cr\xe8me\nna\xefve,\xe9t\xe9\n"),
        Some("unknown_encoding")
    );
    assert_eq!(
        code(b"PK\x03\x04\x14\x00\x00\x00"),
        Some("unsupported_format")
    );
    assert_eq!(code("علی,09121234567\n".as_bytes()), Some("missing_header"));
    assert_eq!(code(b"name,ali@example.com\n"), Some("missing_header"));
    assert_eq!(code("نام,1403/01/15\n".as_bytes()), Some("missing_header"));
    assert_eq!(code(b"name,,phone\nali,x,0912\n"), Some("blank_header"));
    assert_eq!(
        code("Email,ایمیل,EMAIL\n".as_bytes()),
        Some("duplicate_header")
    );
    match open("نام,علي,علی\n".as_bytes()).err().unwrap() {
        TabularError::DuplicateHeader {
            name,
            first,
            second,
        } => assert_eq!((name.as_str(), first, second), ("علی", 2, 3)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn trailing_blank_headers_are_dropped_without_losing_data() {
    let rows = open(b"name,phone,,\nali,0912,,\nsara,0935,,extra\n").unwrap();
    assert_eq!(rows.headers(), cells(&["name", "phone"]));
    assert_eq!(
        all_rows(rows),
        vec![
            (2, cells(&["ali", "0912"]), None),
            (
                3,
                cells(&["sara", "0935", "", "extra"]),
                Some("wrong_column_count")
            ),
        ]
    );
}

#[test]
fn rows_of_the_wrong_width_are_reported_with_their_lines() {
    let file = "name,phone,city\n\
                ali,0912,tehran\n\
                \"multi\nline\",0935,karaj\n\
                short,0936\n\
                \n\
                long,0937,qom,surprise\n\
                ok,0938,yazd\n";
    let got = all_rows(open(file.as_bytes()).unwrap());
    assert_eq!(
        got,
        vec![
            (2, cells(&["ali", "0912", "tehran"]), None),
            (3, cells(&["multi\nline", "0935", "karaj"]), None),
            (5, cells(&["short", "0936"]), Some("wrong_column_count")),
            (
                7,
                cells(&["long", "0937", "qom", "surprise"]),
                Some("wrong_column_count")
            ),
            (8, cells(&["ok", "0938", "yazd"]), None),
        ]
    );
}

#[test]
fn a_stray_byte_after_the_sample_rejects_only_its_row() {
    let mut file = b"name,city\n".to_vec();
    for i in 0..5000 {
        file.extend_from_slice(format!("person {i},تهران\n").as_bytes());
    }
    assert!(file.len() > SAMPLE_BYTES);
    file.extend_from_slice(b"bad \xff byte,x\nlast,y\n");
    let rows = all_rows(open(&file).unwrap());
    assert_eq!(rows.len(), 5002);
    let bad = &rows[5000];
    assert_eq!(bad.2, Some("invalid_text"));
    assert_eq!(bad.1[0], "bad \u{FFFD} byte");
    assert_eq!(rows[5001], (5003, cells(&["last", "y"]), None));
}

#[test]
fn an_unclosed_quote_stops_with_an_error_instead_of_filling_memory() {
    let mut file = b"name,note\nali,\"never closed\n".to_vec();
    file.extend(std::iter::repeat_n(b'x', 200_000));
    let options = ReadOptions {
        max_row_bytes: 50_000,
        ..ReadOptions::default()
    };
    let mut rows = CsvRows::open(&file[..], &options).unwrap();
    match rows.next() {
        Some(Err(TabularError::RowTooLarge { line, limit })) => {
            assert_eq!(limit, 50_000);
            assert!(line >= 2);
        }
        other => panic!("{other:?}"),
    }
    assert!(rows.next().is_none());
}

#[test]
fn options_override_detection() {
    let options = ReadOptions {
        delimiter: Some(b';'),
        encoding: Some(TextEncoding::Utf8),
        ..ReadOptions::default()
    };
    let rows = CsvRows::open(&b"a,b;c\n1,2;3\n"[..], &options).unwrap();
    assert_eq!(rows.headers(), cells(&["a,b", "c"]));
}

#[test]
fn formula_guards_written_by_export_are_removed() {
    let rows = open(b"name,note\n'=HYPERLINK(1),'+98 912\n").unwrap();
    assert_eq!(all_rows(rows)[0].1, cells(&["=HYPERLINK(1)", "'+98 912"]));
}

#[test]
fn line_numbers_survive_crlf_blank_lines_and_quoted_breaks() {
    let file = "name,note\r\n\r\nali,\"two\r\nlines\"\r\n\r\n\r\nsara,x\r\nlast,no break at end";
    let got: Vec<u64> = open(file.as_bytes())
        .unwrap()
        .map(|r| r.unwrap().line)
        .collect();
    assert_eq!(got, [3, 7, 8]);
}
