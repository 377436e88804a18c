//! The SES v2 mailer: raw MIME (the same bytes the local outbox writes), a configuration set, message tags,
//! pacing at the account's maximum send rate, and SES's own failures sorted into permanent and temporary.

use crate::pacing::Pacer;
use aws_sdk_sesv2::Client;
use aws_sdk_sesv2::error::DisplayErrorContext;
use aws_sdk_sesv2::operation::send_email::SendEmailError;
use aws_sdk_sesv2::primitives::Blob;
use aws_sdk_sesv2::types::{EmailContent, MessageTag, RawMessage};
use kindly_core::{CoreError, Mailer, OutgoingEmail};
use std::time::SystemTime;

/// Sends through SES v2. Retries of throttling and 5xx answers (exponential backoff with jitter) are the
/// SDK's standard retry mode, configured on the client; what is still failing after those is reported as
/// [`CoreError::MailTemporary`] and the reminder stays approved for the next run.
pub struct SesMailer {
    client: Client,
    configuration_set: Option<String>,
    message_id_domain: String,
    pacer: Pacer,
}

impl SesMailer {
    pub fn new(
        client: Client,
        configuration_set: Option<String>,
        message_id_domain: String,
        pacer: Pacer,
    ) -> SesMailer {
        SesMailer {
            client,
            configuration_set,
            message_id_domain,
            pacer,
        }
    }

    /// The account's maximum send rate (messages per second), from GetAccount.
    pub async fn account_send_rate(client: &Client) -> Result<f64, CoreError> {
        let account = client
            .get_account()
            .send()
            .await
            .map_err(|e| CoreError::MailTemporary(format!("SES GetAccount: {}", DisplayErrorContext(&e))))?;
        Ok(account.send_quota().map_or(1.0, |quota| quota.max_send_rate()))
    }
}

/// SES tag values allow only ASCII letters, digits, `_`, `-`, `.` and `@`.
fn tag_value(value: &str) -> String {
    value
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "_-.@".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn classify(error: SendEmailError) -> CoreError {
    let message = DisplayErrorContext(&error).to_string();
    match error {
        SendEmailError::MessageRejected(_)
        | SendEmailError::MailFromDomainNotVerifiedException(_)
        | SendEmailError::BadRequestException(_)
        | SendEmailError::NotFoundException(_) => CoreError::MailRejected(message),
        // Throttling, daily quota, paused or suspended sending: nothing is wrong with the message itself.
        _ => CoreError::MailTemporary(message),
    }
}

impl Mailer for SesMailer {
    async fn send(&self, email: &OutgoingEmail) -> Result<String, CoreError> {
        let raw = kindly_mail::to_rfc5322(email, SystemTime::now(), &self.message_id_domain)?;
        let content = EmailContent::builder()
            .raw(
                RawMessage::builder()
                    .data(Blob::new(raw))
                    .build()
                    .map_err(|e| CoreError::MailRejected(e.to_string()))?,
            )
            .build();
        let mut request = self
            .client
            .send_email()
            .content(content)
            .set_configuration_set_name(self.configuration_set.clone());
        for (name, value) in &email.tags {
            let tag = MessageTag::builder()
                .name(name)
                .value(tag_value(value))
                .build()
                .map_err(|e| CoreError::MailRejected(e.to_string()))?;
            request = request.email_tags(tag);
        }
        self.pacer.wait().await;
        match request.send().await {
            Ok(output) => Ok(output.message_id.unwrap_or_default()),
            // Timeouts and connection failures arrive as unhandled errors and count as temporary.
            Err(error) => Err(classify(error.into_service_error())),
        }
    }
}
