//! Suggesting which column of an imported file goes into which field.
//!
//! People import files from Excel, other CRMs, SMS panels and accounting software, with
//! headers in Persian or English, in any spelling. Each column is compared with each target
//! field's name, its Persian and English labels, its own synonyms and the built-in synonyms
//! for common fields ([`builtin_synonyms`]), all after Persian search normalisation and with
//! spaces, underscores and punctuation removed; failing that, a close spelling counts. The
//! best matches are taken first and no field gets two columns, so the user only corrects what
//! is left.

use peyvand_domain::duplicate::bounded_edit_distance;
use peyvand_domain::text::normalize_search;

/// A field a column can be mapped to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TargetField {
    /// The field's stable name, e.g. `mobile` or a custom field's key.
    pub name: String,
    /// The Persian label shown in forms.
    pub label_fa: String,
    /// The English label shown in forms.
    pub label_en: String,
    /// Other headers meaning this field, in addition to [`builtin_synonyms`] for its name.
    pub synonyms: Vec<String>,
}

impl TargetField {
    /// A target with a name and labels and no extra synonyms.
    pub fn new(name: &str, label_fa: &str, label_en: &str) -> TargetField {
        TargetField {
            name: name.to_owned(),
            label_fa: label_fa.to_owned(),
            label_en: label_en.to_owned(),
            synonyms: Vec::new(),
        }
    }
}

/// How a column was matched to its field, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MatchKind {
    /// The header is the field's name (`first_name`, `First Name`).
    Name,
    /// The header is the field's Persian or English label.
    Label,
    /// The header is a known synonym (`موبایل`, `cell` for mobile).
    Synonym,
    /// The header is spelled close to one of those, or contains one.
    Fuzzy,
}

impl MatchKind {
    /// A stable code, e.g. `"synonym"`, for the user interface.
    pub fn code(self) -> &'static str {
        match self {
            MatchKind::Name => "name",
            MatchKind::Label => "label",
            MatchKind::Synonym => "synonym",
            MatchKind::Fuzzy => "fuzzy",
        }
    }
}

/// A suggested field for one column.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnSuggestion {
    /// The field's name, from [`TargetField::name`].
    pub field: String,
    /// How it was matched.
    pub kind: MatchKind,
    /// Confidence from 0 to 1; exact matches are 1, fuzzy ones below 0.9.
    pub score: f32,
}

/// Headers meaning common CRM fields, in Persian and English, by field name.
///
/// Names not listed have none. The lists are matched after normalisation, so spacing, case,
/// ZWNJ and ي/ی spellings do not matter.
pub fn builtin_synonyms(field_name: &str) -> &'static [&'static str] {
    match field_name {
        "first_name" => &[
            "نام",
            "اسم",
            "نام کوچک",
            "first name",
            "firstname",
            "first",
            "given name",
            "forename",
        ],
        "last_name" => &[
            "نام خانوادگی",
            "فامیلی",
            "فامیل",
            "نام فامیل",
            "last name",
            "lastname",
            "last",
            "surname",
            "family name",
            "family",
        ],
        "name" => &[
            "نام",
            "نام شرکت",
            "نام سازمان",
            "عنوان",
            "company name",
            "account name",
            "organization",
            "organisation",
            "name",
        ],
        "company" => &[
            "شرکت",
            "نام شرکت",
            "سازمان",
            "نام سازمان",
            "company",
            "company name",
            "organization",
            "organisation",
            "employer",
        ],
        "mobile" => &[
            "موبایل",
            "شماره موبایل",
            "تلفن همراه",
            "همراه",
            "شماره همراه",
            "تلفن موبایل",
            "mobile",
            "mobile phone",
            "mobile number",
            "cell",
            "cell phone",
            "cellphone",
        ],
        "phone" => &[
            "تلفن",
            "شماره تلفن",
            "تلفن ثابت",
            "تلفن محل کار",
            "تلفن دفتر",
            "phone",
            "phone number",
            "telephone",
            "tel",
            "landline",
            "work phone",
            "office phone",
        ],
        "email" => &[
            "ایمیل",
            "آدرس ایمیل",
            "پست الکترونیک",
            "پست الکترونیکی",
            "رایانامه",
            "email",
            "e-mail",
            "email address",
            "e-mail address",
            "mail",
        ],
        "city" => &["شهر", "city", "town"],
        "province" => &["استان", "province", "state", "region"],
        "address" => &["آدرس", "نشانی", "address", "street", "street address"],
        "job_title" => &[
            "سمت",
            "عنوان شغلی",
            "شغل",
            "پست سازمانی",
            "job title",
            "title",
            "position",
            "role",
        ],
        "birth_date" => &[
            "تاریخ تولد",
            "تولد",
            "birth date",
            "birthday",
            "date of birth",
            "dob",
        ],
        "gender" => &["جنسیت", "جنس", "gender", "sex"],
        "description" => &[
            "توضیحات",
            "توضیح",
            "شرح",
            "یادداشت",
            "description",
            "notes",
            "note",
            "comments",
        ],
        "tags" => &["برچسب", "برچسب ها", "تگ", "tags", "labels"],
        "website" => &[
            "وب سایت",
            "سایت",
            "website",
            "web site",
            "web",
            "url",
            "homepage",
        ],
        "industry" => &["صنعت", "حوزه فعالیت", "زمینه فعالیت", "industry", "sector"],
        "economic_code" => &["کد اقتصادی", "economic code", "tax code", "tax id"],
        "source" => &[
            "منبع",
            "منبع آشنایی",
            "نحوه آشنایی",
            "source",
            "lead source",
        ],
        "lifecycle" => &["وضعیت مشتری", "چرخه عمر", "lifecycle", "lifecycle stage"],
        "status" => &["وضعیت", "status"],
        "customer_kind" => &["نوع مشتری", "customer type", "customer kind"],
        _ => &[],
    }
}

/// A header or name reduced for comparison: search-normalised, letters and digits only.
fn compact(text: &str) -> String {
    normalize_search(text)
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect()
}

/// The texts a field answers to, compacted, each with the kind of match it gives.
fn field_keys(field: &TargetField) -> Vec<(String, MatchKind)> {
    let mut keys = vec![(compact(&field.name), MatchKind::Name)];
    keys.push((compact(&field.label_fa), MatchKind::Label));
    keys.push((compact(&field.label_en), MatchKind::Label));
    let synonyms = field
        .synonyms
        .iter()
        .map(String::as_str)
        .chain(builtin_synonyms(&field.name).iter().copied());
    keys.extend(synonyms.map(|s| (compact(s), MatchKind::Synonym)));
    keys.retain(|(k, _)| !k.is_empty());
    keys
}

/// How well a compacted header matches one compacted key, if at all.
fn score(header: &str, key: &str, kind: MatchKind) -> Option<(MatchKind, f32)> {
    if header == key {
        let exact = match kind {
            MatchKind::Name => 1.0,
            MatchKind::Label => 0.98,
            _ => 0.95,
        };
        return Some((kind, exact));
    }
    let (header_len, key_len) = (header.chars().count(), key.chars().count());
    let longest = header_len.max(key_len);
    // A close spelling: a typo in a word of five letters or more, two in one of ten ("adress",
    // «موبایيل»).
    if key_len >= 4 && longest >= 5 {
        let max_edits = (longest / 5).max(1);
        if let Some(d) = bounded_edit_distance(header, key, max_edits) {
            return Some((MatchKind::Fuzzy, 0.85 - 0.1 * d as f32));
        }
    }
    // A header containing a key that covers much of it: "Mobile (primary)",
    // «شماره موبایل مشتری»; but not "Last contacted" for "last". The more it covers, the surer.
    let coverage = key_len as f32 / header_len as f32;
    if key_len >= 4 && coverage >= 0.4 && header.contains(key) {
        return Some((MatchKind::Fuzzy, 0.4 + 0.4 * coverage));
    }
    None
}

/// The lowest score a suggestion may have.
const MIN_SCORE: f32 = 0.5;

/// Suggests a field for each of `headers` (in the same order), or `None` where nothing fits.
///
/// Candidates are ranked by score; the best is assigned first and every field and every column
/// is used at most once, so two columns never go to one field. Ties go to the earlier column,
/// then to the earlier field.
pub fn suggest_mapping(
    headers: &[impl AsRef<str>],
    targets: &[TargetField],
) -> Vec<Option<ColumnSuggestion>> {
    let keys: Vec<Vec<(String, MatchKind)>> = targets.iter().map(field_keys).collect();
    let mut candidates: Vec<(f32, usize, usize, MatchKind)> = Vec::new();
    for (column, header) in headers.iter().enumerate() {
        let header = compact(header.as_ref());
        if header.is_empty() {
            continue;
        }
        for (field, field_keys) in keys.iter().enumerate() {
            let best = field_keys
                .iter()
                .filter_map(|(key, kind)| score(&header, key, *kind))
                .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
            if let Some((kind, s)) = best.filter(|(_, s)| *s >= MIN_SCORE) {
                candidates.push((s, column, field, kind));
            }
        }
    }
    candidates.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut out: Vec<Option<ColumnSuggestion>> = vec![None; headers.len()];
    let mut field_taken = vec![false; targets.len()];
    for (s, column, field, kind) in candidates {
        if out[column].is_some() || field_taken[field] {
            continue;
        }
        field_taken[field] = true;
        out[column] = Some(ColumnSuggestion {
            field: targets[field].name.clone(),
            kind,
            score: s,
        });
    }
    out
}

#[cfg(test)]
#[path = "mapping_tests.rs"]
mod tests;
