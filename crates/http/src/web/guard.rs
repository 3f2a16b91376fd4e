//! The guard in front of every page: finds the session, checks the CSRF token of requests that
//! change state, and renders error pages in the user's language.
//!
//! Pages get the CSRF token as a hidden `_csrf` form field rather than a header because plain
//! HTML forms cannot send headers. The session cookie is `SameSite=Lax`, which already keeps
//! other sites' POSTs from carrying it in current browsers; the token covers older browsers
//! and same-site attackers.

use axum::body::{Body, to_bytes};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use peyvand_app::Session;
use peyvand_domain::calendar::Locale;

use super::form::{encode_component, parse_urlencoded};
use super::page::{ErrorPage, error_response};
use crate::auth::{SESSION_COOKIE, cookie, is_unsafe, same_secret};
use crate::error::accepted_language;
use crate::{AppState, BODY_LIMIT};

/// Whether a request carries a multipart form (a file upload).
fn is_multipart(headers: &HeaderMap) -> bool {
    headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("multipart/form-data")
        })
}

/// Whether the `_csrf` value sent matches the session's token (a session without a token, as
/// an API token session, never passes).
pub fn csrf_ok(sent: Option<&str>, expected: Option<&str>) -> bool {
    match (sent, expected) {
        (Some(sent), Some(expected)) if !expected.is_empty() => same_secret(sent, expected),
        _ => false,
    }
}

/// Whether a browser says the request comes from another site (`Sec-Fetch-Site: cross-site`).
pub fn is_cross_site(headers: &HeaderMap) -> bool {
    headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("cross-site"))
}

/// The language of a page seen without a session: `?lang=`, then `Accept-Language`, then
/// Persian.
pub fn guest_locale(headers: &HeaderMap, query: Option<&str>) -> Locale {
    let asked = query.and_then(|q| {
        parse_urlencoded(q.as_bytes())
            .into_iter()
            .find(|(k, _)| k == "lang")
            .and_then(|(_, v)| Locale::parse(&v))
    });
    asked
        .or_else(|| accepted_language(headers))
        .unwrap_or(Locale::Fa)
}

/// Paths that may be used without a CSRF token, because they are used without a session:
/// signing in, and answering a satisfaction survey (its link's token is the permission).
fn exempt(method: &Method, path: &str) -> bool {
    *method == Method::POST && (path == "/login" || path.starts_with("/survey/"))
}

fn refuse(session: Option<&Session>, locale: Locale, code: &'static str) -> Response {
    error_response(
        session,
        locale,
        &ErrorPage {
            code,
            fields: Vec::new(),
        },
    )
}

/// The middleware: see the module documentation.
pub async fn guard(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let session = match cookie(request.headers(), SESSION_COOKIE) {
        Some(value) if !value.is_empty() => state.app.session_from_cookie(&value).await.ok(),
        _ => None,
    };
    let locale = guest_locale(request.headers(), request.uri().query());
    let method = request.method().clone();
    if is_unsafe(&method) {
        if exempt(&method, request.uri().path()) {
            if is_cross_site(request.headers()) {
                return refuse(None, locale, "csrf_failed");
            }
        } else {
            let Some(session) = session.as_ref() else {
                // The session ended while the form was open: sign in again, then start over.
                return Redirect::to("/login").into_response();
            };
            // A file upload is not buffered here (it may be large and is streamed to disk by
            // its handler): its form sends the token in the action URL's query instead.
            if is_multipart(request.headers()) {
                let sent = parse_urlencoded(request.uri().query().unwrap_or("").as_bytes())
                    .into_iter()
                    .find(|(k, _)| k == "_csrf")
                    .map(|(_, v)| v);
                if !csrf_ok(sent.as_deref(), session.csrf_token.as_deref()) {
                    return refuse(Some(session), locale, "csrf_failed");
                }
            } else {
                let (parts, body) = request.into_parts();
                let Ok(bytes) = to_bytes(body, BODY_LIMIT).await else {
                    return refuse(Some(session), locale, "payload_too_large");
                };
                let sent = parse_urlencoded(&bytes)
                    .into_iter()
                    .find(|(k, _)| k == "_csrf")
                    .map(|(_, v)| v);
                if !csrf_ok(sent.as_deref(), session.csrf_token.as_deref()) {
                    return refuse(Some(session), locale, "csrf_failed");
                }
                request = Request::from_parts(parts, Body::from(bytes));
            }
        }
    }
    if let Some(session) = &session {
        request.extensions_mut().insert(session.clone());
    }
    let response = next.run(request).await;
    match response.extensions().get::<ErrorPage>() {
        Some(page) => {
            let page = page.clone();
            let mut rendered = error_response(session.as_deref(), locale, &page);
            // Keep headers the handler set (a cleared cookie, say) on the rendered page.
            for (name, value) in response.headers() {
                if name != axum::http::header::CONTENT_TYPE
                    && name != axum::http::header::CONTENT_LENGTH
                {
                    rendered.headers_mut().insert(name.clone(), value.clone());
                }
            }
            rendered
        }
        None => response,
    }
}

/// The signed-in user of a page. Without a valid session, the browser is sent to the login
/// page, which brings it back here afterwards.
pub struct WebSession(pub std::sync::Arc<Session>);

impl FromRequestParts<AppState> for WebSession {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        // The guard looked the session up already; no second database read.
        if let Some(session) = parts.extensions.get::<std::sync::Arc<Session>>() {
            return Ok(WebSession(session.clone()));
        }
        let target = match (&parts.method, parts.uri.path_and_query()) {
            (&Method::GET, Some(pq)) if pq.as_str() != "/" => {
                format!("/login?next={}", encode_component(pq.as_str()))
            }
            _ => "/login".to_owned(),
        };
        Err((
            StatusCode::SEE_OTHER,
            [(axum::http::header::LOCATION, target)],
        )
            .into_response())
    }
}

/// Where to go after signing in: only a path on this site (one leading `/`, not `//` or
/// `/\`, which browsers read as another host); anything else goes to the dashboard.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.starts_with("/\\")
                && !path.chars().any(|c| c.is_control()) =>
        {
            path.to_owned()
        }
        _ => "/".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_paths_stay_on_this_site() {
        assert_eq!(safe_next(Some("/contacts?q=a")), "/contacts?q=a");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("/a\nb")), "/");
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn csrf_needs_the_exact_token() {
        assert!(csrf_ok(Some("abc"), Some("abc")));
        assert!(!csrf_ok(Some("abd"), Some("abc")));
        assert!(!csrf_ok(None, Some("abc")));
        assert!(!csrf_ok(Some(""), Some("")));
        assert!(!csrf_ok(Some("abc"), None));
    }

    #[test]
    fn cross_site_requests_are_recognised() {
        let mut headers = HeaderMap::new();
        assert!(!is_cross_site(&headers));
        headers.insert("sec-fetch-site", "same-origin".parse().unwrap());
        assert!(!is_cross_site(&headers));
        headers.insert("sec-fetch-site", "cross-site".parse().unwrap());
        assert!(is_cross_site(&headers));
    }

    #[test]
    fn guest_language_prefers_the_switch_then_the_browser() {
        let mut headers = HeaderMap::new();
        assert_eq!(guest_locale(&headers, None), Locale::Fa);
        headers.insert(
            axum::http::header::ACCEPT_LANGUAGE,
            "en-US,en;q=0.9".parse().unwrap(),
        );
        assert_eq!(guest_locale(&headers, None), Locale::En);
        assert_eq!(guest_locale(&headers, Some("lang=fa")), Locale::Fa);
    }
}
