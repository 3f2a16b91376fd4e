//! Files attached to cases: which are accepted, and under what name they are kept.
//!
//! Only a few kinds of document are accepted, recognised by their first bytes as well as their
//! name (a renamed program is not a PDF), up to [`MAX_BYTES`]. Names are reduced to letters
//! (any script), digits, spaces, dots, dashes and underscores, without any path, so a name can
//! neither climb out of a directory nor smuggle markup or control characters anywhere it is
//! shown. Files are stored under generated ids, never under their names.

use crate::validation::FieldError;

/// The largest file accepted: 10 MiB.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;
/// The longest name kept, in characters.
const NAME_MAX: usize = 100;

/// The kinds of file accepted: extensions, and the content type they are served with.
const KINDS: &[(&[&str], &str)] = &[
    (&["pdf"], "application/pdf"),
    (&["png"], "image/png"),
    (&["jpg", "jpeg"], "image/jpeg"),
    (&["txt"], "text/plain; charset=utf-8"),
    (
        &["docx"],
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    (
        &["xlsx"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
];

/// The file's name reduced to safe characters (see the module documentation); `None` when
/// nothing is left.
pub fn sanitize_name(name: &str) -> Option<String> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '.' | '-' | '_'))
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim().to_owned();
    let cleaned: String = cleaned
        .chars()
        .rev()
        .take(NAME_MAX)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    (!cleaned.is_empty()).then_some(cleaned)
}

/// Whether the first bytes fit the claimed extension.
fn content_matches(extension: &str, head: &[u8]) -> bool {
    match extension {
        "pdf" => head.starts_with(b"%PDF-"),
        "png" => head.starts_with(b"\x89PNG\r\n\x1a\n"),
        "jpg" | "jpeg" => head.starts_with(&[0xFF, 0xD8, 0xFF]),
        "docx" | "xlsx" => head.starts_with(b"PK\x03\x04"),
        _ => false,
    }
}

/// The content type of an accepted file named `name` whose content is `bytes`, or why it is
/// refused: empty, too large, of a kind not accepted, or not what its name says.
pub fn check(name: &str, bytes: &[u8]) -> Result<&'static str, FieldError> {
    if bytes.is_empty() {
        return Err(FieldError::REQUIRED);
    }
    if bytes.len() > MAX_BYTES {
        return Err(FieldError::TOO_LONG);
    }
    let extension = name
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_lowercase())
        .unwrap_or_default();
    let (_, content_type) = KINDS
        .iter()
        .find(|(extensions, _)| extensions.contains(&extension.as_str()))
        .ok_or(FieldError::INVALID_CHOICE)?;
    let head = &bytes[..bytes.len().min(1024)];
    let head_ok = if extension == "txt" {
        // A text file must be UTF-8 throughout, not only at its start.
        std::str::from_utf8(bytes).is_ok()
    } else {
        content_matches(&extension, head)
    };
    if !head_ok {
        return Err(FieldError::INVALID);
    }
    Ok(content_type)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_paths_and_odd_characters() {
        assert_eq!(sanitize_name("../../etc/passwd").as_deref(), Some("passwd"));
        assert_eq!(
            sanitize_name("C:\\temp\\فاکتور خرید.pdf").as_deref(),
            Some("فاکتور خرید.pdf")
        );
        assert_eq!(
            sanitize_name("<script>x.png").as_deref(),
            Some("scriptx.png")
        );
        assert_eq!(
            sanitize_name("...hidden.txt").as_deref(),
            Some("hidden.txt")
        );
        assert_eq!(sanitize_name("a\u{0}b\nc.txt").as_deref(), Some("abc.txt"));
        assert_eq!(sanitize_name("///"), None);
        let long = format!("{}.pdf", "ب".repeat(300));
        let kept = sanitize_name(&long).unwrap();
        assert!(kept.ends_with(".pdf") && kept.chars().count() == 100);
    }

    #[test]
    fn only_known_kinds_whose_content_fits_their_name() {
        assert_eq!(check("a.pdf", b"%PDF-1.7 ..."), Ok("application/pdf"));
        assert_eq!(check("a.PNG", b"\x89PNG\r\n\x1a\nrest"), Ok("image/png"));
        assert_eq!(
            check("notes.txt", "سلام".as_bytes()),
            Ok("text/plain; charset=utf-8")
        );
        assert_eq!(check("a.exe", b"MZ..."), Err(FieldError::INVALID_CHOICE));
        assert_eq!(
            check("a.pdf", b"MZ this is a program"),
            Err(FieldError::INVALID)
        );
        assert_eq!(
            check("a.txt", &[0xff, 0xfe, 0x00]),
            Err(FieldError::INVALID)
        );
        assert_eq!(check("a.pdf", b""), Err(FieldError::REQUIRED));
        assert_eq!(
            check("a.txt", &vec![b'a'; MAX_BYTES + 1]),
            Err(FieldError::TOO_LONG)
        );
    }
}
