//! The texts of the notices customers get about their cases, as templates an administrator may
//! edit: for each event (received, answered, closed, and the satisfaction survey's invitation),
//! each language (Persian, English) and each part (the email's subject and text, the SMS).
//!
//! Templates name values as `{{name}}`, the syntax of contract templates; which names an
//! event offers is [`placeholders`]. An edited text is kept as an override of the built-in one
//! under its [`TemplateKey`] code (`fa.received.subject`); resetting removes the override.

use std::collections::BTreeMap;

use crate::contracts::placeholders::{Piece, pieces};

/// What a notice is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TemplateEvent {
    /// A case was filed.
    Received,
    /// Staff replied.
    Answered,
    /// The case was closed.
    Closed,
    /// The line inviting the customer to the satisfaction survey, added to a closing notice.
    Survey,
}

/// Which part of a notice a template writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TemplatePart {
    /// The email's subject line.
    Subject,
    /// The email's text.
    Email,
    /// The SMS.
    Sms,
}

/// The languages notices are written in.
pub const LOCALES: [&str; 2] = ["fa", "en"];
/// Every event, in the order pages list them.
pub const EVENTS: [TemplateEvent; 4] = [
    TemplateEvent::Received,
    TemplateEvent::Answered,
    TemplateEvent::Closed,
    TemplateEvent::Survey,
];

impl TemplateEvent {
    /// The code used in keys and URLs.
    pub fn code(self) -> &'static str {
        match self {
            TemplateEvent::Received => "received",
            TemplateEvent::Answered => "answered",
            TemplateEvent::Closed => "closed",
            TemplateEvent::Survey => "survey",
        }
    }

    /// The parts this event has: the survey's invitation is a line of the closing notice's
    /// email and SMS, with no subject of its own.
    pub fn parts(self) -> &'static [TemplatePart] {
        match self {
            TemplateEvent::Survey => &[TemplatePart::Email, TemplatePart::Sms],
            _ => &[
                TemplatePart::Subject,
                TemplatePart::Email,
                TemplatePart::Sms,
            ],
        }
    }
}

impl TemplatePart {
    /// The code used in keys and URLs.
    pub fn code(self) -> &'static str {
        match self {
            TemplatePart::Subject => "subject",
            TemplatePart::Email => "email",
            TemplatePart::Sms => "sms",
        }
    }
}

/// One template: a language, an event and a part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct TemplateKey {
    /// `fa` or `en`.
    pub locale: &'static str,
    /// The event.
    pub event: TemplateEvent,
    /// The part.
    pub part: TemplatePart,
}

impl TemplateKey {
    /// The key's code, `locale.event.part`.
    pub fn code(self) -> String {
        format!("{}.{}.{}", self.locale, self.event.code(), self.part.code())
    }

    /// The key with this code, if it names a template.
    pub fn parse(code: &str) -> Option<TemplateKey> {
        all_keys().into_iter().find(|key| key.code() == code)
    }

    /// The built-in text.
    pub fn default_text(self) -> &'static str {
        default_text(self)
    }
}

/// Every template key, by language, event and part.
pub fn all_keys() -> Vec<TemplateKey> {
    let mut keys = Vec::new();
    for locale in LOCALES {
        for event in EVENTS {
            for &part in event.parts() {
                keys.push(TemplateKey {
                    locale,
                    event,
                    part,
                });
            }
        }
    }
    keys
}

/// The placeholders an event's templates may use.
pub fn placeholders(event: TemplateEvent) -> &'static [&'static str] {
    match event {
        TemplateEvent::Received | TemplateEvent::Closed => &["number", "subject"],
        TemplateEvent::Answered => &["number", "subject", "reply", "reply_short"],
        TemplateEvent::Survey => &["number", "link"],
    }
}

/// Checks a template of `event`: `Err` names the first unknown placeholder, or the text after
/// an unclosed `{{`.
pub fn check(event: TemplateEvent, text: &str) -> Result<(), String> {
    for piece in pieces(text)? {
        if let Piece::Placeholder(name) = piece
            && !placeholders(event).contains(&name)
        {
            return Err(name.to_owned());
        }
    }
    Ok(())
}

/// Fills a template with `values` (name, value); a name without a value, or a template that no
/// longer checks, gives the built-in text of `key` filled instead, so a customer never gets a
/// broken message.
pub fn render(key: TemplateKey, text: &str, values: &[(&str, &str)]) -> String {
    let fill = |text: &str| -> Option<String> {
        let mut out = String::with_capacity(text.len() + 64);
        for piece in pieces(text).ok()? {
            match piece {
                Piece::Text(text) => out.push_str(text),
                Piece::Placeholder(name) => {
                    let (_, value) = values.iter().find(|(known, _)| *known == name)?;
                    out.push_str(value);
                }
            }
        }
        Some(out)
    };
    check(key.event, text)
        .ok()
        .and_then(|()| fill(text))
        .or_else(|| fill(default_text(key)))
        .unwrap_or_default()
}

/// The edited texts, by key code; a key without one uses its built-in text.
pub type Overrides = BTreeMap<String, String>;

/// The text of `key` in use: its override, or the built-in one.
pub fn text_in_use(overrides: &Overrides, key: TemplateKey) -> &str {
    overrides
        .get(&key.code())
        .map_or(default_text(key), String::as_str)
}

fn default_text(key: TemplateKey) -> &'static str {
    use TemplateEvent::*;
    use TemplatePart::*;
    match (key.locale, key.event, key.part) {
        ("fa", Received, Subject) => "درخواست شما ثبت شد — شماره {{number}}",
        ("fa", Received, Email) => {
            "مشتری گرامی،\n\nدرخواست شما با موضوع «{{subject}}» به شماره {{number}} ثبت شد و به‌زودی بررسی می‌شود.\n\nبا سپاس"
        }
        ("fa", Received, Sms) => "درخواست شما به شماره {{number}} ثبت شد. با سپاس",
        ("fa", Answered, Subject) => "پاسخ به درخواست شماره {{number}}",
        ("fa", Answered, Email) => {
            "مشتری گرامی،\n\nبه درخواست شما با موضوع «{{subject}}» (شماره {{number}}) پاسخ داده شد:\n\n{{reply}}\n\nبا سپاس"
        }
        ("fa", Answered, Sms) => "پاسخ درخواست {{number}}: {{reply_short}}",
        ("fa", Closed, Subject) => "درخواست شماره {{number}} بسته شد",
        ("fa", Closed, Email) => {
            "مشتری گرامی،\n\nدرخواست شما با موضوع «{{subject}}» (شماره {{number}}) بسته شد. از همراهی شما سپاسگزاریم.\n\nبا سپاس"
        }
        ("fa", Closed, Sms) => "درخواست {{number}} بسته شد. از همراهی شما سپاسگزاریم.",
        ("fa", Survey, _) => "لطفاً در یک دقیقه به ما نمره دهید: {{link}}",
        (_, Received, Subject) => "We received your request — number {{number}}",
        (_, Received, Email) => {
            "Dear customer,\n\nyour request \"{{subject}}\" was received as number {{number}} and will be looked at shortly.\n\nThank you"
        }
        (_, Received, Sms) => "Your request was received as number {{number}}. Thank you.",
        (_, Answered, Subject) => "Reply to your request {{number}}",
        (_, Answered, Email) => {
            "Dear customer,\n\nyour request \"{{subject}}\" (number {{number}}) has a reply:\n\n{{reply}}\n\nThank you"
        }
        (_, Answered, Sms) => "Reply to request {{number}}: {{reply_short}}",
        (_, Closed, Subject) => "Your request {{number}} is closed",
        (_, Closed, Email) => {
            "Dear customer,\n\nyour request \"{{subject}}\" (number {{number}}) is closed. Thank you for your patience.\n\nThank you"
        }
        (_, Closed, Sms) => "Request {{number}} is closed. Thank you.",
        (_, Survey, _) => "Please rate us in one minute: {{link}}",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_uses_only_its_events_placeholders() {
        for key in all_keys() {
            assert_eq!(check(key.event, key.default_text()), Ok(()), "{key:?}");
            assert_eq!(TemplateKey::parse(&key.code()), Some(key));
        }
        assert_eq!(all_keys().len(), 2 * (3 * 3 + 2));
    }

    #[test]
    fn an_unknown_placeholder_is_named() {
        assert_eq!(
            check(TemplateEvent::Received, "شماره {{number}} {{reply}}"),
            Err("reply".to_owned())
        );
        assert!(check(TemplateEvent::Answered, "{{reply}}").is_ok());
        assert!(check(TemplateEvent::Closed, "{{number").is_err());
    }

    #[test]
    fn an_edited_text_is_filled_and_a_broken_one_falls_back() {
        let key = TemplateKey::parse("en.received.sms").unwrap();
        let values = [("number", "1405-7"), ("subject", "Broken")];
        assert_eq!(
            render(key, "Got {{ number }} ({{subject}})", &values),
            "Got 1405-7 (Broken)"
        );
        assert_eq!(
            render(key, "Got {{link}}", &values),
            "Your request was received as number 1405-7. Thank you."
        );
        let mut overrides = Overrides::new();
        assert_eq!(text_in_use(&overrides, key), key.default_text());
        overrides.insert(key.code(), "x".into());
        assert_eq!(text_in_use(&overrides, key), "x");
    }
}
