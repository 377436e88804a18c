//! The SES v2 mailer: raw MIME (the same bytes the local outbox writes), a configuration set, message tags,
//! pacing at the account's maximum send rate, and SES's own failures sorted into permanent and temporary.

use crate::pacing::Pacer;
use aws_sdk_sesv2::Client;
use aws_sdk_sesv2::config::http::HttpResponse;
use aws_sdk_sesv2::config::interceptors::InterceptorContext;
use aws_sdk_sesv2::config::retry::RetryConfig;
use aws_sdk_sesv2::config::retry::{ClassifyRetry, RetryAction};
use aws_sdk_sesv2::error::DisplayErrorContext;
use aws_sdk_sesv2::error::SdkError;
use aws_sdk_sesv2::operation::send_email::SendEmailError;
use aws_sdk_sesv2::primitives::Blob;
use aws_sdk_sesv2::types::{EmailContent, MessageTag, RawMessage};
use kindly_core::{CoreError, Mailer, OutgoingEmail};
use std::time::{Duration, SystemTime};

/// Sends through SES v2. Retries of throttling and 5xx answers (exponential backoff with jitter) are the
/// SDK's standard retry mode, configured on the client by [`retry_config`]; what is still failing after
/// those is reported as [`CoreError::MailTemporary`] and the reminder stays approved for the next run. A
/// send that may have reached SES without an answer is never retried ([`NoBlindResend`]) and is reported as
/// [`CoreError::MailUnknown`]: a person checks rather than the customer getting it twice.
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

/// Sort a failed SendEmail. An answer from SES is its verdict ([`classify`]); a request that could not be
/// built, or a connection that was never made, delivered nothing; anything else — a timeout, a connection
/// dropped, an answer that could not be read — may have come after SES took the message, and sending it
/// again could deliver it twice: the outcome is unknown ([`CoreError::MailUnknown`]).
fn outcome(error: SdkError<SendEmailError, HttpResponse>) -> CoreError {
    let message = DisplayErrorContext(&error).to_string();
    match error {
        SdkError::ServiceError(answer) => classify(answer.into_err()),
        SdkError::ConstructionFailure(_) => CoreError::MailRejected(message),
        SdkError::DispatchFailure(failure)
            if failure.is_user() || failure.as_connector_error().is_some_and(|e| never_connected(e)) =>
        {
            CoreError::MailTemporary(message)
        }
        _ => CoreError::MailUnknown(message),
    }
}

/// Whether a connector failure is a connection that was never made, so no request left.
fn never_connected(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(error) = next {
        if error
            .downcast_ref::<hyper_util::client::legacy::Error>()
            .is_some_and(hyper_util::client::legacy::Error::is_connect)
        {
            return true;
        }
        next = error.source();
    }
    false
}

/// SendEmail's retry rule on top of the SDK's: never resend blindly. The SDK retries timeouts and broken
/// connections by default, which for SendEmail can deliver a message twice; throttling and 5xx answers (SES
/// took nothing) and connections never made are still retried.
#[derive(Debug)]
struct NoBlindResend;

impl ClassifyRetry for NoBlindResend {
    fn classify_retry(&self, context: &InterceptorContext) -> RetryAction {
        let Some(Err(error)) = context.output_or_error() else {
            return RetryAction::NoActionIndicated;
        };
        let unknown = error.is_timeout_error()
            || error.is_response_error()
            || error
                .as_connector_error()
                .is_some_and(|connector| !connector.is_user() && !never_connected(connector));
        if unknown {
            RetryAction::RetryForbidden
        } else {
            RetryAction::NoActionIndicated
        }
    }

    fn name(&self) -> &'static str {
        "NoBlindResend"
    }
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
        let sent = request
            .customize()
            .config_override(aws_sdk_sesv2::config::Builder::default().retry_classifier(NoBlindResend))
            .send()
            .await;
        match sent {
            Ok(output) => Ok(output.message_id.unwrap_or_default()),
            Err(error) => Err(outcome(error)),
        }
    }

    fn concurrent_sends(&self) -> usize {
        self.concurrent_sends
    }
}
