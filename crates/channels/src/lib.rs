//! Peyvand's adapters to the outside world: email over SMTP ([`SmtpMailer`], lettre) and SMS
//! through gateways ([`KavenegarSms`] for a Kavenegar-style REST API, [`HttpSms`] for any
//! gateway reached by one configurable HTTP request). They implement the application's
//! [`Mailer`] and [`SmsSender`] traits; [`build`] makes them from the settings an
//! administrator entered.
//!
//! Secrets (passwords, API keys) are never put in an error message or a log line: errors of
//! the HTTP client are reported without their URL, which may carry a key.

mod http_sms;
mod kavenegar;
mod smtp;

use std::sync::Arc;
use std::time::Duration;

use peyvand_app::notify::{ChannelError, Channels, NotificationSettings};

pub use http_sms::HttpSms;
pub use kavenegar::KavenegarSms;
pub use smtp::SmtpMailer;

/// How long a channel waits for a server before calling the attempt failed (the job is then
/// retried later).
pub const TIMEOUT: Duration = Duration::from_secs(20);

/// The channels the settings describe; a channel whose settings cannot be used is left out
/// and the reason logged (its jobs wait and are retried until it is fixed).
pub fn build(settings: &NotificationSettings) -> Channels {
    let mut channels = Channels::default();
    if let Some(smtp) = &settings.smtp {
        match SmtpMailer::new(smtp) {
            Ok(mailer) => channels.mailer = Some(Arc::new(mailer)),
            Err(error) => tracing::error!(%error, "email settings cannot be used"),
        }
    }
    if let Some(sms) = &settings.sms {
        let sender: Result<Arc<dyn peyvand_app::notify::SmsSender>, ChannelError> =
            match sms.provider.as_str() {
                "kavenegar" => KavenegarSms::new(sms).map(|s| Arc::new(s) as _),
                "http" => HttpSms::new(sms).map(|s| Arc::new(s) as _),
                other => Err(ChannelError::permanent(format!(
                    "unknown SMS provider {other}"
                ))),
            };
        match sender {
            Ok(sender) => channels.sms = Some(sender),
            Err(error) => tracing::error!(%error, "SMS settings cannot be used"),
        }
    }
    channels
}

/// The HTTP client of the SMS adapters: rustls with the ring provider, a timeout, no proxy
/// lookup from the environment.
fn http_client() -> Result<reqwest::Client, ChannelError> {
    // Both adapters share the process-wide provider; installing it twice is harmless.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .timeout(TIMEOUT)
        .no_proxy()
        .build()
        .map_err(|e| ChannelError::permanent(format!("HTTP client: {}", e.without_url())))
}

/// A failure of an HTTP request as a channel error: timeouts, refused connections and server
/// errors pass, the rest does not. The URL (which may hold a key) is left out.
fn request_error(error: reqwest::Error) -> ChannelError {
    let temporary = error.is_timeout()
        || error.is_connect()
        || error.is_request()
        || error
            .status()
            .is_some_and(|s| s.is_server_error() || s.as_u16() == 429);
    let message = format!("gateway: {}", error.without_url());
    if temporary {
        ChannelError::temporary(message)
    } else {
        ChannelError::permanent(message)
    }
}

/// A gateway's answer with this HTTP status as a channel error.
fn status_error(status: reqwest::StatusCode, detail: &str) -> ChannelError {
    let message = format!("gateway answered {status}: {detail}");
    if status.is_server_error() || status.as_u16() == 429 {
        ChannelError::temporary(message)
    } else {
        ChannelError::permanent(message)
    }
}
