use super::*;

/// The contact fields of the built-in schema, with their form labels.
fn contact_targets() -> Vec<TargetField> {
    [
        ("first_name", "نام", "First name"),
        ("last_name", "نام خانوادگی", "Last name"),
        ("job_title", "سمت", "Job title"),
        ("mobile", "موبایل", "Mobile"),
        ("phone", "تلفن", "Phone"),
        ("email", "ایمیل", "Email"),
        ("birth_date", "تاریخ تولد", "Birth date"),
        ("province", "استان", "Province"),
        ("city", "شهر", "City"),
        ("address", "نشانی", "Address"),
        ("tags", "برچسب‌ها", "Tags"),
        ("description", "توضیحات", "Description"),
    ]
    .into_iter()
    .map(|(n, fa, en)| TargetField::new(n, fa, en))
    .collect()
}

fn fields_of(headers: &[&str], targets: &[TargetField]) -> Vec<Option<String>> {
    suggest_mapping(headers, targets)
        .into_iter()
        .map(|s| s.map(|s| s.field))
        .collect()
}

fn some(names: &[&str]) -> Vec<Option<String>> {
    names
        .iter()
        .map(|n| (!n.is_empty()).then(|| (*n).to_owned()))
        .collect()
}

#[test]
fn persian_headers_from_older_software() {
    let headers = [
        "نام",
        "نام خانوادگي",
        "تلفن همراه",
        "پست الکترونيک",
        "شهر",
        "استان",
        "تاريخ تولد",
        "نام پدر",
    ];
    assert_eq!(
        fields_of(&headers, &contact_targets()),
        some(&[
            "first_name",
            "last_name",
            "mobile",
            "email",
            "city",
            "province",
            "birth_date",
            ""
        ])
    );
}

#[test]
fn english_headers_in_every_style() {
    let headers = [
        "First Name",
        "SURNAME",
        "Cell",
        "E-mail Address",
        "Work Phone",
        "job_title",
        "Notes",
        "Last contacted",
    ];
    assert_eq!(
        fields_of(&headers, &contact_targets()),
        some(&[
            "first_name",
            "last_name",
            "mobile",
            "email",
            "phone",
            "job_title",
            "description",
            ""
        ])
    );
}

#[test]
fn labels_and_names_rank_above_synonyms() {
    let s = suggest_mapping(&["mobile", "موبایل", "همراه"], &contact_targets());
    assert_eq!(s[0].as_ref().unwrap().kind, MatchKind::Name);
    assert_eq!(s[0].as_ref().unwrap().score, 1.0);
    // The label column lost to the exact name; the field is never given twice.
    assert_eq!(s[1], None);
    assert_eq!(s[2], None);
}

#[test]
fn never_two_columns_for_one_field() {
    let headers = ["موبایل", "تلفن همراه", "همراه", "mobile number", "Mobile 2"];
    let s = suggest_mapping(&headers, &contact_targets());
    let mobiles = s.iter().flatten().filter(|s| s.field == "mobile").count();
    assert_eq!(mobiles, 1);
    assert_eq!(s[0].as_ref().unwrap().field, "mobile");
}

#[test]
fn typos_and_decorations_match_fuzzily() {
    for (header, field) in [
        ("Emial adress", "email"),
        ("Mobile (primary)", "mobile"),
        ("شماره موبایل مشتری", "mobile"),
        ("موبیال", "mobile"),
        ("Provnce", "province"),
    ] {
        let s = suggest_mapping(&[header], &contact_targets());
        let s = s[0]
            .as_ref()
            .unwrap_or_else(|| panic!("{header:?} unmapped"));
        assert_eq!(s.field, field, "{header:?}");
        assert!(s.score < 0.9 && s.score >= 0.5, "{header:?} {s:?}");
    }
    // The closer match wins the field; the other column stays for the user.
    let s = suggest_mapping(
        &["Mobile (primary)", "شماره موبایل مشتری"],
        &contact_targets(),
    );
    assert_eq!(s[0], None);
    assert_eq!(s[1].as_ref().unwrap().kind, MatchKind::Fuzzy);
}

#[test]
fn custom_fields_match_by_label_and_own_synonyms() {
    let mut targets = contact_targets();
    targets.push(TargetField {
        name: "cf_national_id".into(),
        label_fa: "کد ملی".into(),
        label_en: "National ID".into(),
        synonyms: vec!["شماره ملی".into()],
    });
    assert_eq!(
        fields_of(&["كد ملي", "national id", "شماره ملی"], &targets),
        some(&["cf_national_id", "", ""])
    );
    assert_eq!(
        fields_of(&["شماره ملی"], &targets),
        some(&["cf_national_id"])
    );
}

#[test]
fn accounts_take_name_for_the_persian_word_name() {
    let targets = vec![
        TargetField::new("name", "نام", "Name"),
        TargetField::new("phone", "تلفن", "Phone"),
        TargetField::new("economic_code", "کد اقتصادی", "Economic code"),
    ];
    assert_eq!(
        fields_of(&["نام شرکت", "تلفن", "کد اقتصادي"], &targets),
        some(&["name", "phone", "economic_code"])
    );
}

#[test]
fn nothing_to_map() {
    assert!(suggest_mapping(&[] as &[&str], &contact_targets()).is_empty());
    assert_eq!(
        fields_of(&["", "???", "x"], &contact_targets()),
        some(&["", "", ""])
    );
    assert_eq!(fields_of(&["نام"], &[]), some(&[""]));
}
