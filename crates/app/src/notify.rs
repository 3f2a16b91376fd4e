//! Notifications to customers and staff: the messages, and the interfaces of the channels that
//! carry them (email, SMS).
//!
//! The application only describes what to send; adapters in `peyvand-channels` (SMTP, SMS
//! gateways) implement [`Mailer`] and [`SmsSender`], and the server hands them over with
//! [`App::set_channels`]. Messages are never sent inside a request: they are queued as jobs in
//! the transaction of the change that causes them (see `jobs`), and the worker sends them.

use std::sync::{Arc, RwLock};

use futures_util::future::BoxFuture;
use serde::{Deserialize, Serialize};

use crate::App;

/// An email to send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailMessage {
    /// The recipient's address.
    pub to: String,
    /// The subject line.
    pub subject: String,
    /// The body as plain text.
    pub text: String,
    /// A unique id for the message (the job's), sent as its `Message-ID`, so that a message
    /// sent again after a crash can be recognised as the same one.
    pub message_id: String,
}

/// What an SMS says: free text, or a template kept at the gateway (one-time codes and other
/// pre-approved texts) with its tokens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SmsContent {
    /// A text as written.
    Text {
        /// The text.
        text: String,
    },
    /// A gateway template filled with tokens.
    Template {
        /// The template's name at the gateway.
        template: String,
        /// The values of its placeholders, in order.
        tokens: Vec<String>,
    },
}

/// An SMS to send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmsMessage {
    /// The recipient's number in E.164 form (`+989…`).
    pub to: String,
    /// What it says.
    pub content: SmsContent,
    /// A unique id of ours (the job's), which gateways that support it use to refuse a second
    /// copy of the same message.
    pub local_id: String,
}

/// What a gateway answered for an SMS it accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmsReceipt {
    /// The gateway's id of the message, for asking its delivery status later.
    pub provider_id: String,
}

/// Where an SMS is, as its gateway reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Accepted, not yet delivered.
    Pending,
    /// Delivered to the phone.
    Delivered,
    /// Not delivered (blocked, unreachable, expired).
    Failed,
    /// The gateway does not know.
    Unknown,
}

/// Why a channel could not do what it was asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ChannelError {
    /// Whether trying again later may succeed (a timeout, a busy server) or not (a refused
    /// address, a wrong key).
    pub retry: bool,
    /// What happened, for administrators; never contains a secret.
    pub message: String,
}

impl ChannelError {
    /// A failure that may pass (timeouts, 5xx answers, refused connections).
    pub fn temporary(message: impl Into<String>) -> ChannelError {
        ChannelError {
            retry: true,
            message: message.into(),
        }
    }

    /// A failure that will not pass by trying again.
    pub fn permanent(message: impl Into<String>) -> ChannelError {
        ChannelError {
            retry: false,
            message: message.into(),
        }
    }
}

/// Sends email.
pub trait Mailer: Send + Sync {
    /// Sends one message.
    fn send<'a>(&'a self, message: &'a EmailMessage) -> BoxFuture<'a, Result<(), ChannelError>>;
}

/// Sends SMS through a gateway.
pub trait SmsSender: Send + Sync {
    /// Sends one message.
    fn send<'a>(
        &'a self,
        message: &'a SmsMessage,
    ) -> BoxFuture<'a, Result<SmsReceipt, ChannelError>>;

    /// How many numbers one bulk call of this gateway takes, or `None` when it has no bulk
    /// call (then each number is sent as a single SMS with an id of its own, so a retry never
    /// repeats the numbers already sent).
    fn bulk_limit(&self) -> Option<usize> {
        None
    }

    /// Sends many texts in one call, each to its own number (a "pair-to-pair" bulk call, so
    /// every recipient may get a text of their own) and each with its own local id, which a
    /// gateway that supports it uses to refuse a second copy when a chunk is sent again. One
    /// receipt per message, in order.
    fn send_bulk<'a>(
        &'a self,
        messages: &'a [SmsMessage],
    ) -> BoxFuture<'a, Result<Vec<SmsReceipt>, ChannelError>>;

    /// Asks where a sent message is.
    fn status<'a>(
        &'a self,
        receipt: &'a SmsReceipt,
    ) -> BoxFuture<'a, Result<DeliveryStatus, ChannelError>>;

    /// The account's remaining credit, in Rials.
    fn credit(&self) -> BoxFuture<'_, Result<i64, ChannelError>>;
}

/// The channels in use; either may be missing until an administrator configures it.
#[derive(Clone, Default)]
pub struct Channels {
    /// Email, when configured.
    pub mailer: Option<Arc<dyn Mailer>>,
    /// SMS, when configured.
    pub sms: Option<Arc<dyn SmsSender>>,
}

/// The shared, swappable channels of an [`App`].
#[derive(Default)]
pub(crate) struct CurrentChannels(RwLock<Channels>);

impl CurrentChannels {
    pub(crate) fn get(&self) -> Channels {
        self.0.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn set(&self, channels: Channels) {
        *self.0.write().unwrap_or_else(|e| e.into_inner()) = channels;
    }
}

impl App {
    /// Puts channels in use (at start, and after an administrator changes their settings).
    pub fn set_channels(&self, channels: Channels) {
        self.channels.set(channels);
    }

    /// The channels in use now.
    pub fn channels(&self) -> Channels {
        self.channels.get()
    }
}

/// How email is sent: an SMTP server.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SmtpSettings {
    /// The server's host name.
    pub host: String,
    /// Its port (587 for STARTTLS, 465 for TLS, 25 plain).
    pub port: u16,
    /// `starttls`, `tls` or `none` (only for a server on the same machine or network).
    pub security: String,
    /// The user name to sign in with; empty for none.
    pub username: String,
    /// The password; a secret, never shown back or logged.
    pub password: String,
    /// The sender address, e.g. `Peyvand <crm@example.com>`.
    pub from: String,
}

/// How SMS is sent: a gateway.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SmsSettings {
    /// `kavenegar` (a Kavenegar-style REST gateway) or `http` (any gateway reached by one
    /// configurable HTTP request).
    pub provider: String,
    /// The gateway's address, e.g. `https://api.kavenegar.com`; for `http`, the full URL with
    /// placeholders `{to}`, `{text}` and `{local_id}`.
    pub url: String,
    /// The API key; a secret, never shown back or logged.
    pub api_key: String,
    /// The sender line (number) messages go out from.
    pub sender: String,
    /// For `http`: the request body with the same placeholders (empty: a GET request).
    pub body: String,
    /// For `http`: the name of the header that carries the API key (e.g. `Authorization`);
    /// empty when the key is a `{api_key}` placeholder of the URL or body instead.
    pub key_header: String,
}

/// The settings of both channels; either may be absent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NotificationSettings {
    /// The address customers reach this server at (`https://crm.example.com`), for links in
    /// messages such as satisfaction surveys; empty when it has none.
    pub public_url: String,
    /// Email, when configured.
    pub smtp: Option<SmtpSettings>,
    /// SMS, when configured.
    pub sms: Option<SmsSettings>,
}
