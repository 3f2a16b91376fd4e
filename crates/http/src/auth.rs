//! Who is calling: a bearer token (API) or a session cookie (web, and API calls from the web
//! pages). Cookie-authenticated requests that change state must prove they come from our own
//! pages with the session's CSRF token; token-authenticated ones cannot be forged by a browser.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use peyvand_app::{AppError, Session};

use crate::AppState;
use crate::error::ApiError;

/// Name of the web session cookie.
pub const SESSION_COOKIE: &str = "peyvand_session";
/// Header carrying the CSRF token for cookie-authenticated API calls.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The value of cookie `name`, if sent.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// The `Set-Cookie` value that stores (or, with an empty value, removes) the session cookie.
pub fn session_cookie(value: &str, secure: bool) -> String {
    let max_age = if value.is_empty() {
        0
    } else {
        peyvand_app::auth::SESSION_LIFETIME.whole_seconds()
    };
    let secure = if secure { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}")
}

/// Whether a method changes state (and so needs CSRF protection).
pub fn is_unsafe(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Compares secrets in time independent of where they differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The signed-in caller of an API endpoint.
pub struct ApiSession(pub std::sync::Arc<Session>);

impl FromRequestParts<AppState> for ApiSession {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(value) = parts.headers.get(header::AUTHORIZATION) {
            let token = value
                .to_str()
                .ok()
                .and_then(|v| v.strip_prefix("Bearer "))
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .ok_or(AppError::Unauthenticated)?;
            return Ok(ApiSession(state.app.session_from_token(token).await?));
        }
        if let Some(session) = parts.extensions.get::<std::sync::Arc<Session>>() {
            return Ok(ApiSession(session.clone()));
        }
        let cookie = cookie(&parts.headers, SESSION_COOKIE).ok_or(AppError::Unauthenticated)?;
        let session = state.app.session_from_cookie(&cookie).await?;
        if is_unsafe(&parts.method) {
            let sent = parts
                .headers
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            let expected = session.csrf_token.as_deref().unwrap_or_default();
            if expected.is_empty() || !same_secret(sent, expected) {
                return Err(ApiError::Http("csrf_failed"));
            }
        }
        Ok(ApiSession(session))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            "a=1; peyvand_session=abc; b=2".parse().unwrap(),
        );
        assert_eq!(cookie(&headers, SESSION_COOKIE).as_deref(), Some("abc"));
        assert_eq!(cookie(&headers, "c"), None);
    }

    #[test]
    fn session_cookie_is_http_only_and_secure_when_asked() {
        let value = session_cookie("xyz", true);
        assert!(
            value.contains("HttpOnly")
                && value.contains("Secure")
                && value.contains("SameSite=Lax")
        );
        assert!(!session_cookie("xyz", false).contains("Secure"));
        assert!(session_cookie("", true).contains("Max-Age=0"));
    }

    #[test]
    fn secrets_compare_exactly() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "ab"));
    }
}
