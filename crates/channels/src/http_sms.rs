//! SMS through any gateway reached by one HTTP request, described in the settings: a URL and
//! an optional body with placeholders, and where the API key goes.

use futures_util::future::BoxFuture;
use peyvand_app::notify::{
    ChannelError, DeliveryStatus, SmsContent, SmsMessage, SmsReceipt, SmsSender, SmsSettings,
};

use crate::{http_client, request_error, status_error};

/// A gateway described by a request template.
pub struct HttpSms {
    client: reqwest::Client,
    settings: SmsSettings,
}

impl HttpSms {
    /// An adapter for the request the settings describe.
    pub fn new(settings: &SmsSettings) -> Result<HttpSms, ChannelError> {
        if !settings.url.starts_with("http://") && !settings.url.starts_with("https://") {
            return Err(ChannelError::permanent(
                "the gateway URL must start with http",
            ));
        }
        Ok(HttpSms {
            client: http_client()?,
            settings: settings.clone(),
        })
    }

    /// Fills the placeholders of `template`. Values are percent-encoded in the URL; in the body
    /// they are escaped as JSON string contents when the body is JSON, or form-encoded.
    fn fill(&self, template: &str, message: &SmsMessage, text: &str, in_url: bool) -> String {
        let json_body = template.trim_start().starts_with('{');
        let encode = |value: &str| {
            if in_url || !json_body {
                form_encode(value)
            } else {
                let quoted = serde_json::to_string(value).unwrap_or_default();
                quoted[1..quoted.len() - 1].to_owned()
            }
        };
        template
            .replace("{to}", &encode(&message.to))
            .replace("{text}", &encode(text))
            .replace("{local_id}", &encode(&message.local_id))
            .replace("{sender}", &encode(&self.settings.sender))
            .replace("{api_key}", &encode(&self.settings.api_key))
    }

    async fn send_one(&self, message: &SmsMessage) -> Result<SmsReceipt, ChannelError> {
        let text = match &message.content {
            SmsContent::Text { text } => text.clone(),
            // A generic gateway has no templates of its own: the tokens go out as the text.
            SmsContent::Template { tokens, .. } => tokens.join(" "),
        };
        let url = self.fill(&self.settings.url, message, &text, true);
        let mut request = if self.settings.body.is_empty() {
            self.client.get(url)
        } else {
            let body = self.fill(&self.settings.body, message, &text, false);
            let content_type = if body.trim_start().starts_with('{') {
                "application/json"
            } else {
                "application/x-www-form-urlencoded"
            };
            self.client
                .post(url)
                .header(reqwest::header::CONTENT_TYPE, content_type)
                .body(body)
        };
        if !self.settings.key_header.is_empty() {
            request = request.header(self.settings.key_header.as_str(), &self.settings.api_key);
        }
        let response = request.send().await.map_err(request_error)?;
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        if !status.is_success() {
            return Err(status_error(status, &truncate(&body, 200)));
        }
        Ok(SmsReceipt {
            provider_id: message.local_id.clone(),
        })
    }
}

fn truncate(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

/// `application/x-www-form-urlencoded` encoding of one value.
fn form_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

impl SmsSender for HttpSms {
    fn send<'a>(
        &'a self,
        message: &'a SmsMessage,
    ) -> BoxFuture<'a, Result<SmsReceipt, ChannelError>> {
        Box::pin(self.send_one(message))
    }

    fn send_bulk<'a>(
        &'a self,
        messages: &'a [SmsMessage],
    ) -> BoxFuture<'a, Result<Vec<SmsReceipt>, ChannelError>> {
        // No bulk call: one request per message, each with its own local id.
        Box::pin(async move {
            let mut receipts = Vec::with_capacity(messages.len());
            for message in messages {
                receipts.push(self.send_one(message).await?);
            }
            Ok(receipts)
        })
    }

    fn status<'a>(
        &'a self,
        _receipt: &'a SmsReceipt,
    ) -> BoxFuture<'a, Result<DeliveryStatus, ChannelError>> {
        // A one-request gateway description has no status request.
        Box::pin(async { Ok(DeliveryStatus::Unknown) })
    }

    fn credit(&self) -> BoxFuture<'_, Result<i64, ChannelError>> {
        Box::pin(async {
            Err(ChannelError::permanent(
                "this gateway does not report its credit",
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::form_encode;

    #[test]
    fn values_are_form_encoded() {
        assert_eq!(
            form_encode("+98 سلام&"),
            "%2B98%20%D8%B3%D9%84%D8%A7%D9%85%26"
        );
    }
}
