//! The SES v2 mailer: raw MIME (the same bytes the local outbox writes), a configuration set, message tags,
//! pacing at the account's maximum send rate, and SES's own failures sorted into permanent and temporary.

use crate::pacing::Pacer;
use aws_sdk_sesv2::Client;
use aws_sdk_sesv2::config::retry::RetryConfig;
use aws_sdk_sesv2::error::DisplayErrorContext;
use aws_sdk_sesv2::operation::send_email::SendEmailError;
use aws_sdk_sesv2::primitives::Blob;
use aws_sdk_sesv2::types::{EmailContent, MessageTag, RawMessage};
use kindly_core::{CoreError, Mailer, OutgoingEmail};
use std::time::{Duration, SystemTime};

/// Sends through SES v2. Retries of throttling and 5xx answers (exponential backoff with jitter) are the
/// SDK's standard retry mode, configured on the client by [`retry_config`]; what is still failing after
/// those is reported as [`CoreError::MailTemporary`] and the reminder stays approved for the next run.
pub struct SesMailer {
    client: Client,
    configuration_set: Option<String>,
    message_id_domain: String,
    pacer: Pacer,
    concurrent_sends: usize,
}

/// The SES client's retries: the SDK's standard mode (exponential backoff with full jitter), starting at
/// 100 ms rather than the SDK's 1 s. SES throttles a moment's excess over a per-second rate, so a
/// throttled message is worth retrying within the second; the pacer, not the backoff, holds the rate.
pub fn retry_config() -> RetryConfig {
    RetryConfig::standard()
        .with_max_attempts(5)
        .with_initial_backoff(Duration::from_millis(100))
        .with_max_backoff(Duration::from_secs(5))
}

/// The SES client's configuration over `sdk`, with [`retry_config`]: what [`client`] builds, open to
/// additions (a test's interceptor) before it is built.
pub fn config(sdk: &aws_config::SdkConfig) -> aws_sdk_sesv2::config::Builder {
    aws_sdk_sesv2::config::Builder::from(sdk).retry_config(retry_config())
}

/// An SES client over `sdk` with [`retry_config`].
pub fn client(sdk: &aws_config::SdkConfig) -> Client {
    Client::from_conf(config(sdk).build())
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
            concurrent_sends: 1,
        }
    }

    /// Work on `sends` reminders at once (see [`Mailer::concurrent_sends`]).
    pub fn with_concurrent_sends(self, sends: usize) -> SesMailer {
        SesMailer {
            concurrent_sends: sends.max(1),
            ..self
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

    fn concurrent_sends(&self) -> usize {
        self.concurrent_sends
    }
}
