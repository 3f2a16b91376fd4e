//! Email over SMTP with lettre.

use futures_util::future::BoxFuture;
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use peyvand_app::notify::{ChannelError, EmailMessage, Mailer, SmtpSettings};

use crate::TIMEOUT;

/// Sends email through one SMTP server.
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl SmtpMailer {
    /// A mailer for the server the settings name.
    pub fn new(settings: &SmtpSettings) -> Result<SmtpMailer, ChannelError> {
        let from: Mailbox = settings
            .from
            .parse()
            .map_err(|_| ChannelError::permanent("the sender address is not valid"))?;
        let tls = |host: &str| {
            TlsParameters::new(host.to_owned())
                .map_err(|e| ChannelError::permanent(format!("TLS: {e}")))
        };
        let tls = match settings.security.as_str() {
            "none" => Tls::None,
            "tls" => Tls::Wrapper(tls(&settings.host)?),
            _ => Tls::Required(tls(&settings.host)?),
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&settings.host)
            .port(settings.port)
            .tls(tls)
            .timeout(Some(TIMEOUT));
        if !settings.username.is_empty() {
            builder = builder.credentials(Credentials::new(
                settings.username.clone(),
                settings.password.clone(),
            ));
        }
        Ok(SmtpMailer {
            transport: builder.build(),
            from,
        })
    }

    async fn deliver(&self, message: &EmailMessage) -> Result<(), ChannelError> {
        let to: Mailbox = message
            .to
            .parse()
            .map_err(|_| ChannelError::permanent("the recipient address is not valid"))?;
        let email = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&message.subject)
            .message_id(Some(format!("<{}>", message.message_id)))
            .header(ContentType::TEXT_PLAIN)
            .body(message.text.clone())
            .map_err(|e| ChannelError::permanent(format!("message: {e}")))?;
        self.transport
            .send(email)
            .await
            .map(|_response| ())
            .map_err(smtp_error)
    }
}

/// Permanent SMTP answers (5xx: no such mailbox, refused) are not retried; everything else
/// (4xx, timeouts, a server that is down) is.
fn smtp_error(error: lettre::transport::smtp::Error) -> ChannelError {
    let message = format!("SMTP: {error}");
    if error.is_permanent() {
        ChannelError::permanent(message)
    } else {
        ChannelError::temporary(message)
    }
}

impl Mailer for SmtpMailer {
    fn send<'a>(&'a self, message: &'a EmailMessage) -> BoxFuture<'a, Result<(), ChannelError>> {
        Box::pin(self.deliver(message))
    }
}
