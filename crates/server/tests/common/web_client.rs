//! A browser for the web tests: keeps the session cookie and fills in the CSRF token of the last
//! page, plus helpers to read pages.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};

use super::{PASSWORD, Reply, TestApp};

/// Percent-encodes a form value.
pub fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The value of the first `name="…" value="…"` hidden input with this name.
pub fn input_value(html: &str, name: &str) -> Option<String> {
    let start = html.find(&format!("name=\"{name}\" value=\""))? + name.len() + 15;
    let end = html[start..].find('"')?;
    Some(html[start..start + end].to_owned())
}

/// A browser: keeps the session cookie and fills in the CSRF token of the last page.
pub struct Browser<'a> {
    pub app: &'a TestApp,
    pub cookie: Option<String>,
    pub csrf: String,
}

impl<'a> Browser<'a> {
    pub fn new(app: &'a TestApp) -> Self {
        Browser {
            app,
            cookie: None,
            csrf: String::new(),
        }
    }

    pub async fn send(
        &mut self,
        method: Method,
        path: &str,
        form: Option<&[(&str, &str)]>,
        extra: &[(&str, &str)],
    ) -> Reply {
        let mut request = Request::builder().method(method).uri(path);
        if let Some(cookie) = &self.cookie {
            request = request.header(header::COOKIE, format!("peyvand_session={cookie}"));
        }
        for (name, value) in extra {
            request = request.header(*name, *value);
        }
        let body = match form {
            Some(pairs) => {
                request = request.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
                pairs
                    .iter()
                    .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
                    .collect::<Vec<_>>()
                    .join("&")
            }
            None => String::new(),
        };
        let reply = self.app.send(request.body(Body::from(body)).unwrap()).await;
        if let Some(set) = reply
            .headers
            .get(header::SET_COOKIE)
            .and_then(|v| v.to_str().ok())
        {
            let value = set
                .split(';')
                .next()
                .unwrap()
                .trim_start_matches("peyvand_session=")
                .to_owned();
            self.cookie = Some(value).filter(|v| !v.is_empty());
        }
        if let Some(token) = input_value(&reply.body, "_csrf") {
            self.csrf = token;
        }
        reply
    }

    /// Posts a file as a browser's multipart form would, to `path` as given (a file form
    /// carries its CSRF token in the action URL).
    pub async fn upload(&mut self, path: &str, field: &str, filename: &str, bytes: &[u8]) -> Reply {
        let boundary = "----peyvandtestboundary";
        let mut body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .into_bytes();
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let mut request = Request::builder().method(Method::POST).uri(path).header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        );
        if let Some(cookie) = &self.cookie {
            request = request.header(header::COOKIE, format!("peyvand_session={cookie}"));
        }
        self.app.send(request.body(Body::from(body)).unwrap()).await
    }

    pub async fn get(&mut self, path: &str) -> Reply {
        self.send(Method::GET, path, None, &[]).await
    }

    /// Posts a form with the CSRF token of the last page.
    pub async fn post(&mut self, path: &str, pairs: &[(&str, &str)]) -> Reply {
        let csrf = self.csrf.clone();
        let mut all = vec![("_csrf", csrf.as_str())];
        all.extend_from_slice(pairs);
        self.send(Method::POST, path, Some(&all), &[]).await
    }

    pub async fn login(&mut self, email: &str) {
        let reply = self
            .send(
                Method::POST,
                "/login",
                Some(&[("email", email), ("password", PASSWORD), ("next", "/")]),
                &[],
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::SEE_OTHER,
            "login of {email}: {}",
            reply.body
        );
        assert!(self.cookie.is_some());
        let home = self.get("/").await;
        assert_eq!(home.status, StatusCode::OK);
    }
}

/// No message key shows through untranslated.
pub fn assert_translated(path: &str, body: &str) {
    for prefix in [
        "field-",
        "choice-",
        "timeline-",
        "kind-",
        "scope-",
        "action-",
        "error-",
        "section-",
    ] {
        assert!(
            !body.contains(&format!(">{prefix}")) && !body.contains(&format!("\"{prefix}")),
            "{path} shows a {prefix} key"
        );
    }
}

pub fn location(reply: &Reply) -> String {
    reply
        .headers
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}
