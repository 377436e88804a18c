//! The `events` handler: what reaches the mail events queue, in batches — SES's notifications about sent
//! messages (bounces, complaints, deliveries, delays, rejections), and its notices that a reply arrived
//! for the reply domain and was stored in the replies bucket, which is read from there. Each is read by
//! `kindly-inbound` and recorded by the core ([`service::record_mail_event`]), which repeats safely: one
//! whose recording failed is handed back to the queue alone (a partial batch response), and one delivered
//! twice changes nothing twice. One that cannot be read (not SES's shape, or a stored message that is not
//! mail) is logged without its contents and handed back too: after the queue's ten tries it waits in the
//! dead-letter queue, whose alarm calls a person, rather than vanish. A stored reply stays in the bucket
//! until its lifecycle ends. After a batch with a person's reply, replies are forwarded to the billing
//! mailbox ([`service::forward_replies`]; the send run tries again whatever failed here).

use crate::config::Config;
use crate::lambda::{Base, config_from_env, log_forwarded, message_id_domain};
use crate::pacing::Pacer;
use crate::ses::SesMailer;
use crate::stored_mail::{Fetched, fetch};
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use kindly_core::CoreError;
use kindly_core::feedback::MailEvent;
use kindly_core::service::{self, FeedbackOutcome};
use kindly_inbound::{Notification, StoredMail};
use lambda_runtime::LambdaEvent;

/// Forwards are few (one per person's reply): one a second keeps far below any account's SES rate, so
/// this function never asks SES for it.
const FORWARD_RATE: f64 = 1.0;

/// What `events` needs, built once at start-up.
pub struct Events {
    pub base: Base,
    pub s3: aws_sdk_s3::Client,
    /// Forwards replies to the billing mailbox.
    pub mailer: SesMailer,
}

impl Events {
    pub async fn from_env() -> Result<Events, crate::AwsError> {
        let (config, sdk) = config_from_env().await?;
        Ok(Self::from_clients(
            config,
            aws_sdk_dynamodb::Client::new(&sdk),
            aws_sdk_s3::Client::new(&sdk),
            crate::ses::client(&sdk),
        ))
    }

    /// Over clients already built (a test's: the stand-in's S3 wants path-style addresses).
    pub fn from_clients(
        config: Config,
        dynamodb: aws_sdk_dynamodb::Client,
        s3: aws_sdk_s3::Client,
        ses: aws_sdk_sesv2::Client,
    ) -> Events {
        let mailer = SesMailer::new(
            ses,
            config.configuration_set.clone(),
            message_id_domain(&config),
            Pacer::new(FORWARD_RATE),
        );
        Events {
            base: Base::from_client(config, dynamodb),
            s3,
            mailer,
        }
    }
}

/// Record each notification in the batch; the ids of those to try again.
pub async fn mail_events(
    state: &Events,
    event: LambdaEvent<SqsEvent>,
) -> Result<SqsBatchResponse, lambda_runtime::Error> {
    let mut response = SqsBatchResponse::default();
    let mut replied = false;
    for record in event.payload.records {
        let id = record.message_id.clone().unwrap_or_default();
        let body = record.body.as_deref().unwrap_or_default();
        match take(state, &id, body).await {
            Ok(Some(outcome)) => {
                replied |= matches!(&outcome, FeedbackOutcome::Replied { answer, .. } if answer.needs_staff());
                log(&id, &outcome);
            }
            Ok(None) => {}
            Err(error) => {
                tracing::warn!(message_id = %id, error = %error, "not recorded; handed back to the queue");
                response.add_failure(id);
            }
        }
    }
    if replied {
        let Base { config, store } = &state.base;
        match service::forward_replies(store, &state.mailer, &config.policy, chrono::Utc::now()).await {
            Ok(forwarded) => forwarded.iter().for_each(log_forwarded),
            Err(error) => tracing::warn!(error = %error, "replies not forwarded now; the next send run tries again"),
        }
    }
    Ok(response)
}

/// Why a message body goes back to the queue.
#[derive(Debug, thiserror::Error)]
enum NotTaken {
    /// It cannot be read; it will not read better later, so it ends in the dead-letter queue.
    #[error("unreadable: {0}")]
    Unreadable(String),
    /// Recording it failed, perhaps for now.
    #[error(transparent)]
    Failed(#[from] CoreError),
}

/// Read one message body and record what it reports; `None` when there is nothing to record.
async fn take(state: &Events, id: &str, body: &str) -> Result<Option<FeedbackOutcome>, NotTaken> {
    let event = match kindly_inbound::parse_notification(body) {
        Ok(Some(Notification::Event(event))) => event,
        Ok(Some(Notification::Received(stored))) => match read_stored(state, id, &stored).await? {
            Some(event) => event,
            None => return Ok(None),
        },
        Ok(None) => return Ok(None),
        Err(error) => {
            tracing::error!(message_id = %id, bytes = body.len(), error = %error, "unreadable notification");
            return Err(NotTaken::Unreadable(error.to_string()));
        }
    };
    let Base { config, store } = &state.base;
    Ok(
        service::record_mail_event(store, &config.policy, &event, chrono::Utc::now())
            .await
            .map(Some)?,
    )
}

/// The mail event of a message SES stored, read from this stack's replies bucket; `None` for one not to
/// be read (another bucket, failed by SES's checks, gone, too large), which is logged by its key.
async fn read_stored(state: &Events, id: &str, stored: &StoredMail) -> Result<Option<MailEvent>, NotTaken> {
    let config = &state.base.config;
    let key = stored.key.as_str();
    if config.reply_bucket.as_deref() != Some(stored.bucket.as_str()) {
        tracing::error!(message_id = %id, bucket = %stored.bucket, key, "a received message in a bucket not this stack's: not read");
        return Ok(None);
    }
    if let Some(reason) = &stored.suspect {
        tracing::warn!(message_id = %id, key, reason = %reason, "received message not read");
        return Ok(None);
    }
    let raw = match fetch(&state.s3, &stored.bucket, key).await? {
        Fetched::Mail(raw) => raw,
        Fetched::Gone => {
            tracing::warn!(message_id = %id, key, "received message no longer stored");
            return Ok(None);
        }
        Fetched::TooLarge(bytes) => {
            tracing::warn!(message_id = %id, key, bytes, "received message too large to read; kept in the bucket");
            return Ok(None);
        }
    };
    let keys = config.policy.customer_links.as_ref().map(|links| links.keys());
    match kindly_inbound::parse_mail(&raw, keys) {
        Ok(event) => Ok(Some(event)),
        Err(error) => {
            tracing::error!(message_id = %id, key, error = %error, "received message unreadable; kept in the bucket");
            Err(NotTaken::Unreadable(error.to_string()))
        }
    }
}

fn log(id: &str, outcome: &FeedbackOutcome) {
    match outcome {
        FeedbackOutcome::Recorded {
            reminder,
            undelivered,
            blocked,
            ..
        } => {
            tracing::info!(message_id = %id, reminder_id = %reminder, undelivered, blocked = blocked.len(), "mail event recorded")
        }
        FeedbackOutcome::Replied { reminder, answer, .. } => {
            tracing::info!(message_id = %id, reminder_id = %reminder, answer_id = %answer.id, "reply recorded")
        }
        FeedbackOutcome::Repeated => tracing::info!(message_id = %id, "mail event heard before"),
        FeedbackOutcome::Unmatched => tracing::warn!(message_id = %id, "mail event about no known reminder"),
    }
}
