//! Submitted HTML forms: `application/x-www-form-urlencoded` parsing (repeated names kept, as
//! checkbox lists need), URL building, and turning a form into the raw inputs of a schema.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use peyvand_app::{AppError, Session};
use peyvand_domain::record::{FieldDef, FieldType, Input, Schema};

use super::page::WebError;

/// Decodes one `application/x-www-form-urlencoded` component (`+` is a space; invalid UTF-8
/// is replaced rather than refused, so a bad byte cannot make a whole form vanish).
pub fn decode_component(raw: &str) -> String {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// Encodes text for a URL query component: everything but unreserved ASCII is percent-encoded.
pub fn encode_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Parses a urlencoded body or query string into name/value pairs, in order.
pub fn parse_urlencoded(body: &[u8]) -> Vec<(String, String)> {
    String::from_utf8_lossy(body)
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| match pair.split_once('=') {
            Some((k, v)) => (decode_component(k), decode_component(v)),
            None => (decode_component(pair), String::new()),
        })
        .collect()
}

/// Builds a query string (`?a=1&b=2`, or empty when there are no pairs).
pub fn query_string<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let parts: Vec<String> = pairs
        .into_iter()
        .map(|(k, v)| format!("{}={}", encode_component(k), encode_component(v)))
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

/// A submitted form.
#[derive(Debug, Clone, Default)]
pub struct WebForm(pub Vec<(String, String)>);

impl WebForm {
    /// The first value named `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value named `name` (checkbox lists).
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// Whether a checkbox named `name` was ticked.
    pub fn checked(&self, name: &str) -> bool {
        self.get(name).is_some()
    }
}

impl<S: Send + Sync> FromRequest<S> for WebForm {
    type Rejection = WebError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|_| WebError(AppError::BadRequest("body")))?;
        Ok(WebForm(parse_urlencoded(&bytes)))
    }
}

/// The raw inputs a form gives for `schema`. Fields the form did not send are left out (an
/// update keeps them); an unticked checkbox is "no", since browsers do not send it at all.
/// An empty owner or branch of a customer record also counts as not sent: the system fills
/// them in on create, and a record cannot be left without them.
pub fn schema_inputs(
    session: &Session,
    schema: &'static Schema,
    form: &WebForm,
) -> BTreeMap<String, Input> {
    peyvand_app::editable_fields(session, schema)
        .filter_map(|def| {
            let input = match (def.ty, form.get(def.name)) {
                (FieldType::Bool, value) => Input::Bool(value.is_some()),
                (_, None) => return None,
                // The form always sends an empty value for a list of checkboxes, so that
                // ticking nothing clears it (a field missing altogether was not on the form).
                (_, Some(_)) if is_checkbox_list(def) => Input::List(
                    form.all(def.name)
                        .into_iter()
                        .filter(|v| !v.is_empty())
                        .map(str::to_owned)
                        .collect(),
                ),
                (_, Some(value)) if value.trim().is_empty() && is_placement(schema, def.name) => {
                    return None;
                }
                (_, Some(value)) => Input::Text(value.to_owned()),
            };
            Some((def.name.to_owned(), input))
        })
        .collect()
}

/// Whether the form shows `def` as a list of checkboxes, sent as one value per ticked box: a
/// multiple choice, or a list of customer classes (see `edit::CLASS_LIST_FIELDS`).
pub fn is_checkbox_list(def: &FieldDef) -> bool {
    matches!(def.ty, FieldType::MultiChoice(_))
        || super::edit::CLASS_LIST_FIELDS.contains(&def.name)
}

fn is_placement(schema: &Schema, field: &str) -> bool {
    (schema.kind.is_customer()
        || schema.kind == peyvand_domain::permission::RecordKind::Opportunity)
        && matches!(field, "owner_id" | "branch_id")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_decode_persian_text_and_plus_signs() {
        let pairs =
            parse_urlencoded("a=%D8%B3%D9%84%D8%A7%D9%85+x&b=1%2B2&c&a=2&bad=%ZZ%".as_bytes());
        assert_eq!(pairs[0], ("a".into(), "سلام x".into()));
        assert_eq!(pairs[1], ("b".into(), "1+2".into()));
        assert_eq!(pairs[2], ("c".into(), String::new()));
        assert_eq!(pairs[4], ("bad".into(), "%ZZ%".into()));
        let form = WebForm(pairs);
        assert_eq!(form.all("a"), vec!["سلام x", "2"]);
        assert!(form.checked("c"));
    }

    #[test]
    fn forms_give_only_what_was_sent() {
        let session_fields = |pairs: &[(&str, &str)]| {
            let form = WebForm(
                pairs
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                    .collect(),
            );
            let grants = peyvand_domain::permission::Grants::everything();
            let session = test_session(grants);
            schema_inputs(&session, &peyvand_domain::record::CONTACTS, &form)
        };
        let inputs = session_fields(&[("last_name", "x"), ("owner_id", ""), ("email", "")]);
        assert_eq!(inputs.get("last_name"), Some(&Input::Text("x".into())));
        assert_eq!(inputs.get("email"), Some(&Input::Text(String::new())));
        assert_eq!(inputs.get("opted_out"), Some(&Input::Bool(false)));
        assert!(!inputs.contains_key("owner_id") && !inputs.contains_key("first_name"));
    }

    fn test_session(grants: peyvand_domain::permission::Grants) -> Session {
        Session {
            actor: peyvand_domain::permission::Actor {
                user_id: uuid::Uuid::nil(),
                team_id: None,
                branch_id: uuid::Uuid::nil(),
                grants,
            },
            name: String::new(),
            email: String::new(),
            locale: Default::default(),
            calendar: Default::default(),
            csrf_token: None,
            role_name: String::new(),
            schemas: Default::default(),
        }
    }

    #[test]
    fn encoding_round_trips() {
        let text = "/contacts?q=علی & co";
        assert_eq!(decode_component(&encode_component(text)), text);
        assert_eq!(
            query_string([("q", "a b"), ("sort", "-name")]),
            "?q=a%20b&sort=-name"
        );
        assert_eq!(query_string([]), "");
    }
}
