//! Translations (Fluent files under `locales/`) and locale-aware formatting helpers.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::LazyLock;

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, static_loader};
use peyvand_domain::calendar::Locale;

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        // Isolation marks around placeables would end up inside HTML attributes and JSON.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// The identifiers of the two languages, parsed once: parsing one for every message looked up
/// was a visible share of a list page's CPU.
static FA: LazyLock<LanguageIdentifier> = LazyLock::new(|| langid("fa"));
static EN: LazyLock<LanguageIdentifier> = LazyLock::new(|| langid("en"));

fn langid(code: &str) -> LanguageIdentifier {
    code.parse().unwrap_or_default()
}

/// `key` in `locale`, else in English (the fallback language), formatted with `args`.
///
/// This asks the two bundles directly instead of going through the loader's language
/// negotiation, which allocates and compares language ranges on every call: with exactly the
/// locales `fa` and `en` loaded, negotiation always ends in this order anyway.
fn lookup(
    locale: Locale,
    key: &str,
    args: Option<&HashMap<Cow<'static, str>, FluentValue<'_>>>,
) -> Option<String> {
    let languages: &[&LanguageIdentifier] = match locale {
        Locale::Fa => &[&FA, &EN],
        Locale::En => &[&EN],
    };
    languages
        .iter()
        .find_map(|language| LOCALES.lookup_single_language(language, key, args).ok())
}

/// The message `key` in `locale`; the key itself when it is missing (visible in review, never empty).
pub fn t(locale: Locale, key: &str) -> String {
    lookup(locale, key, None).unwrap_or_else(|| key.to_owned())
}

/// The message `key` in `locale` with named arguments.
pub fn t_args(locale: Locale, key: &str, args: &[(&str, String)]) -> String {
    let args: HashMap<Cow<'static, str>, FluentValue<'_>> = args
        .iter()
        .map(|(k, v)| (Cow::Owned((*k).to_owned()), FluentValue::from(v.clone())))
        .collect();
    lookup(locale, key, Some(&args)).unwrap_or_else(|| key.to_owned())
}

/// The label of a schema field: an administrator's label for a custom field, the translation
/// `field-<name>` for a built-in one.
pub fn field_def_label(locale: Locale, def: &peyvand_domain::record::FieldDef) -> String {
    match def.custom {
        Some(labels) => labels.for_locale(locale.code()).to_owned(),
        None => t(locale, &format!("field-{}", def.name)),
    }
}

/// Whether `key` has a translation in `locale` (for tests that every key is translated).
pub fn has(locale: Locale, key: &str) -> bool {
    lookup(locale, key, None).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_are_loaded_without_isolation_marks() {
        assert_eq!(t(Locale::En, "app-name"), "Peyvand");
        assert_eq!(t(Locale::Fa, "app-name"), "پیوند");
        let text = t_args(Locale::En, "list-count", &[("count", "12".into())]);
        assert!(!text.contains('\u{2068}') && text.contains("12"), "{text}");
    }

    /// Every message of either file reads the same through [`t`] as through the loader's own
    /// lookup with language negotiation, which [`lookup`] skips.
    #[test]
    fn direct_lookups_match_the_loaders_negotiated_ones() {
        use fluent_templates::Loader;
        let mut keys = std::collections::BTreeSet::new();
        for file in [
            include_str!("../locales/en/main.ftl"),
            include_str!("../locales/fa/main.ftl"),
        ] {
            for line in file.lines() {
                if let Some((key, _)) = line.split_once(" =")
                    && !key.is_empty()
                    && key
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                {
                    keys.insert(key.to_owned());
                }
            }
        }
        assert!(keys.len() > 500, "{}", keys.len());
        keys.insert("no-such-message".to_owned());
        for locale in [Locale::Fa, Locale::En] {
            let language: LanguageIdentifier = locale.code().parse().unwrap();
            for key in &keys {
                let negotiated = LOCALES.try_lookup(&language, key);
                assert_eq!(lookup(locale, key, None), negotiated, "{key}");
            }
        }
    }
}
