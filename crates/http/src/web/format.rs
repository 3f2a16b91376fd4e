//! Showing values to a user: dates in their calendar, Persian digits in Persian, choices by
//! their translated label, references by the title of the record they point at.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use peyvand_app::{App, Session};
use peyvand_domain::calendar::{CalendarKind, IRAN_OFFSET, Locale, format_date, format_datetime};
use peyvand_domain::number::{format_decimal, format_integer};
use peyvand_domain::permission::RecordKind;
use peyvand_domain::record::{FieldDef, FieldType, Value, schema};
use peyvand_domain::text::to_persian_digits;
use uuid::Uuid;

use crate::i18n::t;

/// Titles of referenced records by kind and id.
pub type Titles = BTreeMap<(RecordKind, Uuid), String>;

/// Loads the titles of `refs` with one query per kind (never one per row). Records the user
/// may not read are simply missing.
pub async fn load_titles(
    app: &App,
    session: &Session,
    refs: impl IntoIterator<Item = (RecordKind, Uuid)>,
) -> Titles {
    let mut by_kind: BTreeMap<RecordKind, BTreeSet<Uuid>> = BTreeMap::new();
    for (kind, id) in refs {
        by_kind.entry(kind).or_default().insert(id);
    }
    let mut titles = Titles::new();
    for (kind, ids) in by_kind {
        let ids: Vec<Uuid> = ids.into_iter().collect();
        // A failed title lookup only costs a name: the page still shows.
        if let Ok(found) = app.titles(session, kind, &ids).await {
            titles.extend(found.into_iter().map(|(id, title)| ((kind, id), title)));
        }
    }
    titles
}

/// The references among `fields` of records, for [`load_titles`].
pub fn references<'a>(
    defs: impl IntoIterator<Item = &'a FieldDef> + Clone,
    records: impl IntoIterator<Item = &'a peyvand_domain::record::Fields>,
) -> Vec<(RecordKind, Uuid)> {
    let mut out = Vec::new();
    for fields in records {
        for def in defs.clone() {
            if let (FieldType::Reference(kind), Some(Value::Id(id))) =
                (def.ty, fields.get(def.name))
            {
                out.push((kind, *id));
            }
        }
    }
    out
}

/// A value ready for a table cell or a definition list.
#[derive(Debug, Clone, Default)]
pub struct Cell {
    /// The column's label (shown before the value when tables stack into cards).
    pub label: String,
    /// The text shown.
    pub text: String,
    /// A link, for references.
    pub href: Option<String>,
    /// Left-to-right content (emails, phone numbers) inside a right-to-left page.
    pub ltr: bool,
}

/// The formatting rules of one user.
#[derive(Debug, Clone, Copy)]
pub struct Fmt {
    /// Language.
    pub locale: Locale,
    /// Calendar.
    pub calendar: CalendarKind,
}

impl Fmt {
    /// The user's rules.
    pub fn of(session: &Session) -> Fmt {
        Fmt {
            locale: session.locale,
            calendar: session.calendar,
        }
    }

    /// Digits in the user's script (system-made numbers only; users' own text stays as typed).
    pub fn digits(&self, text: &str) -> String {
        match self.locale {
            Locale::Fa => to_persian_digits(text),
            Locale::En => text.to_owned(),
        }
    }

    /// A count with grouping.
    pub fn integer(&self, value: i64) -> String {
        format_integer(value, self.locale)
    }

    /// An amount in Rials with its whole Tomans beside it: "1,234,560 rials (123,456 tomans)".
    pub fn rials_and_tomans(&self, rials: i64) -> String {
        format!(
            "{} {} ({} {})",
            self.integer(rials),
            t(self.locale, "rial"),
            self.integer(rials / 10),
            t(self.locale, "toman")
        )
    }

    /// A record count as lists give it: counted up to [`peyvand_app::COUNT_CAP`], beyond which
    /// it reads "more than 10,000".
    pub fn count(&self, count: i64) -> String {
        let cap = i64::try_from(peyvand_app::COUNT_CAP).unwrap_or(i64::MAX);
        if count > cap {
            crate::i18n::t_args(
                self.locale,
                "count-more-than",
                &[("count", self.integer(cap))],
            )
        } else {
            self.integer(count)
        }
    }

    /// What goes between the items of a list of values: a Persian comma in Persian.
    pub fn list_separator(&self) -> &'static str {
        match self.locale {
            Locale::Fa => "، ",
            Locale::En => ", ",
        }
    }

    /// A moment, in Iran time.
    pub fn datetime(&self, at: time::OffsetDateTime) -> String {
        format_datetime(at, IRAN_OFFSET, self.calendar, self.locale)
    }

    /// A translated choice label.
    pub fn choice(&self, code: &str) -> String {
        t(self.locale, &format!("choice-{code}"))
    }

    /// The label of a value of a choice field.
    pub fn choice_label(&self, def: &FieldDef, code: &str) -> String {
        if def.custom.is_some() {
            code.to_owned()
        } else {
            self.choice(code)
        }
    }

    /// How dates are typed in the user's calendar, as a placeholder.
    pub fn date_placeholder(&self) -> String {
        let example = match self.calendar {
            CalendarKind::Jalali => "1403/01/01",
            CalendarKind::Gregorian => "2024-03-20",
        };
        self.digits(example)
    }

    /// The text of a value.
    pub fn text(&self, def: &FieldDef, value: &Value, titles: &Titles) -> String {
        match value {
            Value::Null => String::new(),
            Value::Text(text) => match def.ty {
                FieldType::Choice(_) => self.choice_label(def, text),
                // People read Iranian numbers in national form (0912 123 4567); E.164 stays
                // for the API and for numbers from elsewhere.
                FieldType::Phone => self.digits(
                    &peyvand_domain::phone::Phone::parse(text)
                        .map(|p| p.national_format())
                        .unwrap_or_else(|_| text.clone()),
                ),
                _ => text.clone(),
            },
            Value::Bool(true) => t(self.locale, "yes"),
            Value::Bool(false) => t(self.locale, "no"),
            Value::Int(n) if def.ty == FieldType::Money => {
                format!("{} {}", self.integer(*n), t(self.locale, "rial"))
            }
            Value::Int(n) if def.ty == FieldType::Percent => {
                peyvand_domain::sales::percent::format_percent(*n, self.locale)
            }
            Value::Int(n) => self.integer(*n),
            Value::Number(n) => format_decimal(*n, self.locale),
            Value::Date(date) => format_date(*date, self.calendar, self.locale),
            Value::Time(at) => self.datetime(*at),
            Value::Id(id) => match def.ty {
                FieldType::Reference(kind) => match titles.get(&(kind, *id)) {
                    Some(title) if kind == RecordKind::Role => {
                        super::page::role_label(self.locale, title)
                    }
                    Some(title) => title.clone(),
                    None => "…".to_owned(),
                },
                _ => id.to_string(),
            },
            Value::Tags(tags) => tags
                .iter()
                .map(|tag| match def.ty {
                    FieldType::MultiChoice(_) => self.choice_label(def, tag),
                    _ => tag.clone(),
                })
                .collect::<Vec<_>>()
                .join(self.list_separator()),
        }
    }

    /// A value as a cell: text, link for references the user can see, direction.
    pub fn cell(&self, def: &FieldDef, value: &Value, titles: &Titles) -> Cell {
        let href = match (def.ty, value) {
            (FieldType::Reference(kind), Value::Id(id)) if titles.contains_key(&(kind, *id)) => {
                Some(format!("/{}/{id}", schema(kind).path))
            }
            _ => None,
        };
        Cell {
            label: super::page::def_label(self.locale, def),
            text: self.text(def, value, titles),
            href,
            ltr: matches!(def.ty, FieldType::Email | FieldType::Phone),
        }
    }

    /// A value as it goes back into a form field (dates in the user's calendar, codes for
    /// choices, ids for references).
    pub fn input(&self, value: &Value) -> String {
        match value {
            Value::Null => String::new(),
            Value::Text(text) => text.clone(),
            Value::Bool(b) => b.to_string(),
            Value::Int(n) => n.to_string(),
            Value::Number(n) => n.to_string(),
            Value::Date(date) => format_date(*date, self.calendar, self.locale),
            Value::Time(at) => self.datetime(*at),
            Value::Id(id) => id.to_string(),
            Value::Tags(tags) => tags.join(", "),
        }
    }
}

/// Words a column's cells repeat, translated once for the whole column.
#[derive(Debug, Clone)]
enum ColumnWords {
    /// Nothing to translate.
    None,
    /// The labels of a choice field's codes, in the order of the schema.
    Choices(Vec<(&'static str, String)>),
    /// "No" and "yes".
    YesNo([String; 2]),
    /// The currency after an amount.
    Currency(String),
}

/// How the cells of one table column are shown: what [`Fmt::text`] and [`Fmt::cell`] do for one
/// value, with the column's words (choice labels, yes and no, the currency) translated once
/// per table instead of once per cell. A list page of fifty rows otherwise looked up hundreds
/// of messages, a visible share of its CPU.
#[derive(Debug, Clone)]
pub struct ColumnFmt {
    fmt: Fmt,
    def: &'static FieldDef,
    words: ColumnWords,
}

impl ColumnFmt {
    /// The column of `def` for the user of `fmt`.
    pub fn new(fmt: Fmt, def: &'static FieldDef) -> ColumnFmt {
        let words = match def.ty {
            FieldType::Choice(codes) | FieldType::MultiChoice(codes) => ColumnWords::Choices(
                codes
                    .iter()
                    .map(|code| (*code, fmt.choice_label(def, code)))
                    .collect(),
            ),
            FieldType::Bool => ColumnWords::YesNo([t(fmt.locale, "no"), t(fmt.locale, "yes")]),
            FieldType::Money => ColumnWords::Currency(t(fmt.locale, "rial")),
            _ => ColumnWords::None,
        };
        ColumnFmt { fmt, def, words }
    }

    /// The field shown.
    pub fn def(&self) -> &'static FieldDef {
        self.def
    }

    /// Whether the content reads left to right (emails, phone numbers).
    pub fn ltr(&self) -> bool {
        matches!(self.def.ty, FieldType::Email | FieldType::Phone)
    }

    /// The label of a choice code; a code outside the field's choices (a value stored before
    /// the choices changed) is translated as [`Fmt::choice_label`] would.
    fn choice<'a>(&'a self, code: &'a str) -> Cow<'a, str> {
        let known = match &self.words {
            ColumnWords::Choices(labels) => labels.iter().find(|(c, _)| *c == code),
            _ => None,
        };
        match known {
            Some((_, label)) => Cow::Borrowed(label),
            None => Cow::Owned(self.fmt.choice_label(self.def, code)),
        }
    }

    /// The text of `value`, the same as [`Fmt::text`] gives, borrowed where it can be (text as
    /// typed, choice labels, titles of references).
    pub fn text<'a>(&'a self, value: &'a Value, titles: &'a Titles) -> Cow<'a, str> {
        match (value, self.def.ty, &self.words) {
            (Value::Null, _, _) => Cow::Borrowed(""),
            (Value::Text(code), FieldType::Choice(_), _) => self.choice(code),
            (Value::Text(text), FieldType::Text | FieldType::LongText | FieldType::Email, _) => {
                Cow::Borrowed(text)
            }
            (Value::Bool(b), _, ColumnWords::YesNo(words)) => {
                Cow::Borrowed(&words[usize::from(*b)])
            }
            (Value::Int(n), FieldType::Money, ColumnWords::Currency(rial)) => {
                Cow::Owned(format!("{} {rial}", self.fmt.integer(*n)))
            }
            (Value::Id(id), FieldType::Reference(kind), _) if kind != RecordKind::Role => {
                match titles.get(&(kind, *id)) {
                    Some(title) => Cow::Borrowed(title),
                    None => Cow::Borrowed("…"),
                }
            }
            (Value::Tags(codes), FieldType::MultiChoice(_), _) => Cow::Owned(
                codes
                    .iter()
                    .map(|code| self.choice(code))
                    .collect::<Vec<_>>()
                    .join(self.fmt.list_separator()),
            ),
            _ => Cow::Owned(self.fmt.text(self.def, value, titles)),
        }
    }

    /// Where a cell links to: the record a reference names, when the user can see it.
    pub fn link(&self, value: &Value, titles: &Titles) -> Option<Link> {
        match (self.def.ty, value) {
            (FieldType::Reference(kind), Value::Id(id)) if titles.contains_key(&(kind, *id)) => {
                Some(Link::new(schema(kind).path, *id))
            }
            _ => None,
        }
    }
}

/// The path of a record's page, `/{path}/{id}`, written straight into the page rather than
/// built as a string first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Link {
    path: &'static str,
    id: Uuid,
}

impl Link {
    /// The page of record `id` of the kind at `path`.
    pub fn new(path: &'static str, id: Uuid) -> Link {
        Link { path, id }
    }
}

impl std::fmt::Display for Link {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "/{}/{}", self.path, self.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use peyvand_domain::record::sales::PRODUCTS;
    use peyvand_domain::record::{CONTACTS, CustomLabels, USERS};
    use time::macros::date;

    fn def(name: &str) -> &'static FieldDef {
        CONTACTS.field(name).unwrap()
    }

    #[test]
    fn persian_users_see_jalali_dates_with_persian_digits() {
        let fa = Fmt {
            locale: Locale::Fa,
            calendar: CalendarKind::Jalali,
        };
        let value = Value::Date(date!(2024 - 03 - 20));
        assert_eq!(
            fa.text(def("birth_date"), &value, &Titles::new()),
            "۱۴۰۳/۰۱/۰۱"
        );
        assert_eq!(fa.date_placeholder(), "۱۴۰۳/۰۱/۰۱");
        let en = Fmt {
            locale: Locale::En,
            calendar: CalendarKind::Gregorian,
        };
        assert_eq!(
            en.text(def("birth_date"), &value, &Titles::new()),
            "2024-03-20"
        );
        assert_eq!(en.input(&value), "2024-03-20");
    }

    #[test]
    fn choices_booleans_and_references_are_shown_by_name() {
        let en = Fmt {
            locale: Locale::En,
            calendar: CalendarKind::Gregorian,
        };
        assert_eq!(
            en.text(
                def("lifecycle"),
                &Value::Text("regular".into()),
                &Titles::new()
            ),
            "Regular customer"
        );
        assert_eq!(
            en.text(def("opted_out"), &Value::Bool(true), &Titles::new()),
            "Yes"
        );
        let id = Uuid::now_v7();
        let titles = Titles::from([((RecordKind::Account, id), "Acme".to_owned())]);
        let cell = en.cell(def("account_id"), &Value::Id(id), &titles);
        assert_eq!(cell.text, "Acme");
        assert_eq!(cell.href, Some(format!("/accounts/{id}")));
        let unknown = en.cell(def("account_id"), &Value::Id(Uuid::now_v7()), &titles);
        assert_eq!(unknown.href, None);
    }

    #[test]
    fn phones_get_persian_digits_and_stay_left_to_right() {
        let fa = Fmt {
            locale: Locale::Fa,
            calendar: CalendarKind::Jalali,
        };
        let cell = fa.cell(
            def("mobile"),
            &Value::Text("+989121234567".into()),
            &Titles::new(),
        );
        assert_eq!(cell.text, "۰۹۱۲ ۱۲۳ ۴۵۶۷", "national form, Persian digits");
        assert!(cell.ltr);
    }

    #[test]
    fn column_cells_read_as_record_pages_write_them() {
        static LABELS: CustomLabels = CustomLabels {
            fa: "سطح",
            en: "Tier",
        };
        static CUSTOM_CHOICE: FieldDef = FieldDef {
            name: "cf_tier",
            ty: FieldType::Choice(&["gold", "silver"]),
            required: false,
            writable: true,
            searchable: false,
            in_list: true,
            custom: Some(&LABELS),
        };
        static CUSTOM_MULTI: FieldDef = FieldDef {
            name: "cf_interests",
            ty: FieldType::MultiChoice(&["books", "music"]),
            ..CUSTOM_CHOICE
        };
        let (account, role) = (Uuid::now_v7(), Uuid::now_v7());
        let titles = Titles::from([
            ((RecordKind::Account, account), "<Acme & Co>".to_owned()),
            ((RecordKind::Role, role), "admin".to_owned()),
        ]);
        let product = |name| PRODUCTS.field(name).unwrap();
        let text = |s: &str| Value::Text(s.to_owned());
        let tags = |t: &[&str]| Value::Tags(t.iter().map(|s| (*s).to_owned()).collect());
        let values: Vec<(&'static FieldDef, Value)> = vec![
            (def("lifecycle"), text("regular")),
            // A code no longer among the choices is still shown as the record page shows it.
            (def("lifecycle"), text("retired")),
            (def("lifecycle"), Value::Null),
            (def("opted_out"), Value::Bool(true)),
            (def("opted_out"), Value::Bool(false)),
            (def("mobile"), text("+989121234567")),
            (def("email"), text("a@example.com")),
            (def("first_name"), text("سارا")),
            (def("birth_date"), Value::Date(date!(2024 - 03 - 20))),
            (def("account_id"), Value::Id(account)),
            (def("account_id"), Value::Id(Uuid::now_v7())),
            (def("tags"), tags(&["a", "b"])),
            (USERS.field("role_id").unwrap(), Value::Id(role)),
            (product("base_price"), Value::Int(1_234_560)),
            (product("tax_rate_bp"), Value::Int(950)),
            (&CUSTOM_CHOICE, text("gold")),
            (&CUSTOM_MULTI, tags(&["books", "music"])),
            (&CUSTOM_MULTI, Value::Null),
        ];
        for (locale, calendar) in [
            (Locale::Fa, CalendarKind::Jalali),
            (Locale::En, CalendarKind::Gregorian),
        ] {
            let fmt = Fmt { locale, calendar };
            for (def, value) in &values {
                let column = ColumnFmt::new(fmt, def);
                let cell = fmt.cell(def, value, &titles);
                let shown = column.text(value, &titles);
                assert_eq!(shown, cell.text, "{} {value:?}", def.name);
                let link = column.link(value, &titles).map(|l| l.to_string());
                assert_eq!(link, cell.href, "{} {value:?}", def.name);
                assert_eq!(column.ltr(), cell.ltr, "{}", def.name);
            }
        }
    }
}
