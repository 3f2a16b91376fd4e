//! SMS through a Kavenegar-style REST gateway: the API key is part of the path
//! (`/v1/{key}/sms/send.json`), parameters are form fields, and every answer is JSON with a
//! `return` status and the `entries` asked for.

use futures_util::future::BoxFuture;
use peyvand_app::notify::{
    ChannelError, DeliveryStatus, SmsContent, SmsMessage, SmsReceipt, SmsSender, SmsSettings,
};
use serde_json::Value;

use crate::{http_client, request_error, status_error};

/// Most numbers one bulk request may carry.
const BULK_LIMIT: usize = 200;

/// A Kavenegar-style gateway.
pub struct KavenegarSms {
    client: reqwest::Client,
    base: String,
    api_key: String,
    sender: String,
}

impl KavenegarSms {
    /// An adapter for the gateway and account the settings name.
    pub fn new(settings: &SmsSettings) -> Result<KavenegarSms, ChannelError> {
        if settings.api_key.trim().is_empty() {
            return Err(ChannelError::permanent("the API key is missing"));
        }
        let base = if settings.url.trim().is_empty() {
            "https://api.kavenegar.com".to_owned()
        } else {
            settings.url.trim().trim_end_matches('/').to_owned()
        };
        Ok(KavenegarSms {
            client: http_client()?,
            base,
            api_key: settings.api_key.trim().to_owned(),
            sender: settings.sender.clone(),
        })
    }

    /// Calls `method` (e.g. `sms/send`) with form `params`; the `entries` of the answer.
    async fn call(&self, method: &str, params: &[(&str, &str)]) -> Result<Value, ChannelError> {
        let url = format!("{}/v1/{}/{method}.json", self.base, self.api_key);
        let response = self
            .client
            .post(url)
            .form(params)
            .send()
            .await
            .map_err(request_error)?;
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        if !status.is_success() {
            let detail = body["return"]["message"].as_str().unwrap_or_default();
            return Err(status_error(status, detail));
        }
        Ok(body["entries"].clone())
    }

    async fn send_one(&self, message: &SmsMessage) -> Result<SmsReceipt, ChannelError> {
        let receptor = local_number(&message.to);
        let entries = match &message.content {
            SmsContent::Text { text } => {
                self.call(
                    "sms/send",
                    &[
                        ("receptor", &receptor),
                        ("sender", &self.sender),
                        ("message", text),
                        ("localid", &message.local_id),
                    ],
                )
                .await?
            }
            SmsContent::Template { template, tokens } => {
                let mut params = vec![("receptor", receptor.as_str()), ("template", template)];
                for (name, token) in ["token", "token2", "token3"].into_iter().zip(tokens) {
                    params.push((name, token));
                }
                self.call("verify/lookup", &params).await?
            }
        };
        receipts(&entries)?
            .into_iter()
            .next()
            .ok_or_else(|| ChannelError::temporary("the gateway returned no message id"))
    }

    /// Sends through `sms/sendarray`, the pair-to-pair call: JSON arrays of receptors,
    /// senders, texts and our local ids, one element per message. The gateway keeps each local
    /// id and answers a message whose id it has seen with the earlier message instead of
    /// sending it again, so a chunk retried after a crash does not reach anyone twice.
    async fn bulk(&self, messages: &[SmsMessage]) -> Result<Vec<SmsReceipt>, ChannelError> {
        let mut all = Vec::with_capacity(messages.len());
        for chunk in messages.chunks(BULK_LIMIT) {
            let mut receptors = Vec::with_capacity(chunk.len());
            let mut texts = Vec::with_capacity(chunk.len());
            let mut local_ids = Vec::with_capacity(chunk.len());
            for message in chunk {
                let SmsContent::Text { text } = &message.content else {
                    return Err(ChannelError::permanent(
                        "a bulk call carries plain texts only",
                    ));
                };
                receptors.push(local_number(&message.to));
                texts.push(text.as_str());
                local_ids.push(message.local_id.as_str());
            }
            let senders = vec![self.sender.as_str(); chunk.len()];
            let entries = self
                .call(
                    "sms/sendarray",
                    &[
                        ("receptor", &json_array(&receptors)),
                        ("sender", &json_array(&senders)),
                        ("message", &json_array(&texts)),
                        ("localmessageids", &json_array(&local_ids)),
                    ],
                )
                .await?;
            let receipts = receipts(&entries)?;
            if receipts.len() != chunk.len() {
                // Receipts are matched to numbers by position; a short answer cannot be.
                return Err(ChannelError::temporary(
                    "the gateway answered a different number of messages",
                ));
            }
            all.extend(receipts);
        }
        Ok(all)
    }

    async fn delivery(&self, receipt: &SmsReceipt) -> Result<DeliveryStatus, ChannelError> {
        let entries = self
            .call("sms/status", &[("messageid", &receipt.provider_id)])
            .await?;
        Ok(match entries[0]["status"].as_i64() {
            Some(10) => DeliveryStatus::Delivered,
            Some(6 | 11 | 13 | 14) => DeliveryStatus::Failed,
            Some(100) | None => DeliveryStatus::Unknown,
            Some(_) => DeliveryStatus::Pending,
        })
    }

    async fn remaining_credit(&self) -> Result<i64, ChannelError> {
        let entries = self.call("account/info", &[]).await?;
        entries["remaincredit"]
            .as_i64()
            .ok_or_else(|| ChannelError::temporary("the gateway did not report the credit"))
    }
}

/// The message ids of a send answer's entries.
fn receipts(entries: &Value) -> Result<Vec<SmsReceipt>, ChannelError> {
    let entries = entries
        .as_array()
        .ok_or_else(|| ChannelError::temporary("the gateway's answer has no entries"))?;
    Ok(entries
        .iter()
        .map(|entry| SmsReceipt {
            provider_id: match &entry["messageid"] {
                Value::String(id) => id.clone(),
                other => other.to_string(),
            },
        })
        .collect())
}

/// A parameter of `sendarray`: a JSON array of strings.
fn json_array<T: AsRef<str>>(items: &[T]) -> String {
    Value::Array(
        items
            .iter()
            .map(|item| Value::String(item.as_ref().to_owned()))
            .collect(),
    )
    .to_string()
}

/// Iranian gateways take domestic numbers as `09…`; others keep the international form.
fn local_number(e164: &str) -> String {
    match e164.strip_prefix("+98") {
        Some(rest) => format!("0{rest}"),
        None => e164.trim_start_matches('+').to_owned(),
    }
}

impl SmsSender for KavenegarSms {
    fn send<'a>(
        &'a self,
        message: &'a SmsMessage,
    ) -> BoxFuture<'a, Result<SmsReceipt, ChannelError>> {
        Box::pin(self.send_one(message))
    }

    fn bulk_limit(&self) -> Option<usize> {
        Some(BULK_LIMIT)
    }

    fn send_bulk<'a>(
        &'a self,
        messages: &'a [SmsMessage],
    ) -> BoxFuture<'a, Result<Vec<SmsReceipt>, ChannelError>> {
        Box::pin(self.bulk(messages))
    }

    fn status<'a>(
        &'a self,
        receipt: &'a SmsReceipt,
    ) -> BoxFuture<'a, Result<DeliveryStatus, ChannelError>> {
        Box::pin(self.delivery(receipt))
    }

    fn credit(&self) -> BoxFuture<'_, Result<i64, ChannelError>> {
        Box::pin(self.remaining_credit())
    }
}

#[cfg(test)]
mod tests {
    use super::local_number;

    #[test]
    fn iranian_numbers_go_out_in_domestic_form() {
        assert_eq!(local_number("+989121234567"), "09121234567");
        assert_eq!(local_number("+447700900123"), "447700900123");
    }
}
