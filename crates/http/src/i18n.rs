//! Translations (Fluent files under `locales/`) and locale-aware formatting helpers.

use std::borrow::Cow;
use std::collections::HashMap;

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, static_loader};
use peyvand_domain::calendar::Locale;

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        // Isolation marks around placeables would end up inside HTML attributes and JSON.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

fn language(locale: Locale) -> LanguageIdentifier {
    locale.code().parse().unwrap_or_default()
}

/// The message `key` in `locale`; the key itself when it is missing (visible in review, never empty).
pub fn t(locale: Locale, key: &str) -> String {
    LOCALES
        .try_lookup(&language(locale), key)
        .unwrap_or_else(|| key.to_owned())
}

/// The message `key` in `locale` with named arguments.
pub fn t_args(locale: Locale, key: &str, args: &[(&str, String)]) -> String {
    let args: HashMap<Cow<'static, str>, FluentValue<'_>> = args
        .iter()
        .map(|(k, v)| (Cow::Owned((*k).to_owned()), FluentValue::from(v.clone())))
        .collect();
    LOCALES
        .try_lookup_with_args(&language(locale), key, &args)
        .unwrap_or_else(|| key.to_owned())
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
    LOCALES.try_lookup(&language(locale), key).is_some()
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
}
