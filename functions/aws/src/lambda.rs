//! The Lambda handlers: plain async functions over the core's services, with what they need built once per
//! process ([`Base`], [`State`]) and called by the `scan` and `send` entry points. Tested directly with `LambdaEvent`s.

use crate::config::Config;
use crate::dynamo::DynamoStore;
use crate::error::AwsError;
use crate::pacing::Pacer;
use crate::ses::SesMailer;
use aws_lambda_events::eventbridge::EventBridgeEvent;
use chrono::{DateTime, Utc};
use kindly_core::service::{self, Forwarded, SendResult};
use lambda_runtime::LambdaEvent;
use serde::Serialize;

/// What every function needs, built once at start-up: the configuration and the store. It is all `scan`
/// needs (it never sends, so it has no mail client and does not ask SES for the send rate), and what the
/// `approvals` and `webhook` functions serve their router over.
#[derive(Clone)]
pub struct Base {
    pub config: Config,
    pub store: DynamoStore,
}

impl Base {
    /// Read the configuration and build the DynamoDB client (region, credentials and endpoint from the
    /// standard AWS variables).
    /// The keys of customers' page links are read from Secrets Manager here, once ([`crate::links`]).
    pub async fn from_env() -> Result<Base, AwsError> {
        let (config, sdk) = config_from_env().await?;
        Ok(Self::new(config, &sdk))
    }

    pub fn new(config: Config, sdk: &aws_config::SdkConfig) -> Base {
        Self::from_client(config, aws_sdk_dynamodb::Client::new(sdk))
    }

    /// Over a DynamoDB client already built (a test's, with an interceptor, say).
    pub fn from_client(config: Config, dynamodb: aws_sdk_dynamodb::Client) -> Base {
        let store = DynamoStore::new(dynamodb, config.table.clone(), config.shards);
        Base { config, store }
    }
}

/// The configuration from the environment, with the link keys it names read from Secrets Manager, and the
/// SDK's configuration (region, credentials and endpoint from the standard AWS variables).
pub async fn config_from_env() -> Result<(Config, aws_config::SdkConfig), AwsError> {
    let config = Config::from_env()?;
    let sdk = aws_config::load_from_env().await;
    let config = crate::links::with_customer_links(config, &aws_sdk_secretsmanager::Client::new(&sdk)).await?;
    Ok((config, sdk))
}

/// What `send` needs, built once at start-up: the configuration and store and the paced SES mailer.
pub struct State {
    pub base: Base,
    pub mailer: SesMailer,
    /// What time it is: the system clock (a test sets its own). A send run works at the time it runs,
    /// not the time it was scheduled for: a late invocation must still send inside business hours, and
    /// its claims must say when they were made.
    pub clock: Clock,
}

/// A source of the current time.
pub type Clock = std::sync::Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// How long before the invocation's deadline a send run stops starting new sends: one send (claim, SES,
/// record) fits in it.
const DEADLINE_MARGIN: std::time::Duration = std::time::Duration::from_secs(20);

impl State {
    /// Read the configuration and build the SDK clients. The send rate is read from SES once, unless
    /// configured.
    pub async fn from_env() -> Result<State, AwsError> {
        let (config, sdk) = config_from_env().await?;
        Self::new(config, &sdk).await
    }

    pub async fn new(config: Config, sdk: &aws_config::SdkConfig) -> Result<State, AwsError> {
        Self::from_clients(config, aws_sdk_dynamodb::Client::new(sdk), crate::ses::client(sdk)).await
    }

    /// Over clients already built (a test's, with interceptors, say); `ses` is expected to carry the
    /// project's retries ([`crate::ses::config`]). The send rate is read from SES once, unless configured.
    pub async fn from_clients(
        config: Config,
        dynamodb: aws_sdk_dynamodb::Client,
        ses: aws_sdk_sesv2::Client,
    ) -> Result<State, AwsError> {
        let rate = match config.max_send_rate {
            Some(rate) => rate,
            None => SesMailer::account_send_rate(&ses).await?,
        };
        let mailer = SesMailer::new(
            ses,
            config.configuration_set.clone(),
            message_id_domain(&config),
            Pacer::new(rate),
        )
        .with_concurrent_sends(config.concurrency_for(rate));
        Ok(State {
            base: Base::from_client(config, dynamodb),
            mailer,
            clock: std::sync::Arc::new(Utc::now),
        })
    }
}

/// The domain of the Message-IDs the functions' messages carry ([`kindly_mail::message_id_domain`]).
pub(crate) fn message_id_domain(config: &Config) -> String {
    kindly_mail::message_id_domain(&config.policy)
}

/// Log what became of a reply's forward to the billing mailbox.
pub(crate) fn log_forwarded(forwarded: &Forwarded) {
    match forwarded {
        Forwarded::Sent { answer, message_id } => {
            tracing::info!(answer_id = %answer, message_id = %message_id, "reply forwarded")
        }
        Forwarded::Failed {
            answer,
            reason,
            gave_up,
        } => {
            tracing::warn!(answer_id = %answer, reason = %reason, gave_up, "reply not forwarded")
        }
        Forwarded::InDoubt { answer } => {
            tracing::warn!(answer_id = %answer, "a forward of this reply stopped mid-send; not sent again")
        }
    }
}

/// When an invocation must have stopped starting sends: [`DEADLINE_MARGIN`] before Lambda's deadline
/// (none without one, as when a test calls the handler directly).
fn deadline_of(context: &lambda_runtime::Context) -> Option<DateTime<Utc>> {
    let deadline = DateTime::<Utc>::from_timestamp_millis(i64::try_from(context.deadline).ok()?)?;
    (context.deadline > 0).then(|| deadline - DEADLINE_MARGIN)
}

/// When the schedule fired: the event's time, or now for an event without one.
fn fired_at(event: &EventBridgeEvent) -> DateTime<Utc> {
    event.time.unwrap_or_else(Utc::now)
}

/// What a scan did, returned to the caller and logged.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct ScanReport {
    pub drafted: usize,
    pub approved: usize,
    pub already_there: usize,
    pub held: usize,
    pub superseded: usize,
    pub errors: Vec<String>,
}

/// `scan`: plan today's reminders and store them; auto-approved stages are approved at once.
pub async fn scan(base: &Base, event: LambdaEvent<EventBridgeEvent>) -> Result<ScanReport, lambda_runtime::Error> {
    let now = fired_at(&event.payload);
    let outcome = service::run_pass(&base.store, &base.config.policy, now, false).await?;
    for entry in &outcome.entries {
        tracing::info!(
            reminder_id = %entry.reminder_id, customer_id = %entry.customer_id, stage = %entry.stage_id,
            status = %entry.status, created = entry.created, "reminder planned"
        );
    }
    for error in &outcome.errors {
        tracing::error!(error = %error, "customer failed in the pass");
    }
    let created = || outcome.entries.iter().filter(|e| e.created);
    Ok(ScanReport {
        drafted: created()
            .filter(|e| e.status == kindly_core::ReminderStatus::PendingApproval)
            .count(),
        approved: created()
            .filter(|e| e.status == kindly_core::ReminderStatus::Approved)
            .count(),
        already_there: outcome.entries.iter().filter(|e| !e.created).count(),
        held: outcome.held.len(),
        superseded: outcome.superseded.len(),
        errors: outcome.errors,
    })
}

/// What a send run did.
#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct SendReport {
    pub sent: usize,
    pub tasks_done: usize,
    pub cancelled: usize,
    pub failed: usize,
    pub retry_later: usize,
    pub outside_business_hours: usize,
    pub claimed_elsewhere: usize,
    /// Replies forwarded to the billing mailbox by this run (those the events function could not).
    pub replies_forwarded: usize,
    pub errors: Vec<String>,
}

/// `send`: send approved reminders whose customers are inside business hours, re-checking every invoice
/// just before sending. It works at the clock's time, not the schedule's, and starts no send in the last
/// [`DEADLINE_MARGIN`] of the invocation (what is left stays approved for the next run).
pub async fn send(state: &State, event: LambdaEvent<EventBridgeEvent>) -> Result<SendReport, lambda_runtime::Error> {
    let Base { config, store } = &state.base;
    let window = config.policy.sending_hours;
    let deadline = deadline_of(&event.context);
    let clock = state.clock.as_ref();
    let results = service::send_approved_until(store, &state.mailer, &config.policy, clock, window, deadline).await?;
    let mut report = SendReport::default();
    for (id, result) in results {
        match &result {
            Ok(SendResult::Sent { message_id }) => {
                tracing::info!(reminder_id = %id, message_id = %message_id, "sent");
                report.sent += 1;
            }
            Ok(SendResult::TaskDone) => report.tasks_done += 1,
            Ok(SendResult::Cancelled { reason }) => {
                tracing::info!(reminder_id = %id, reason = %reason, "cancelled before sending");
                report.cancelled += 1;
            }
            Ok(SendResult::Failed { reason }) => {
                tracing::warn!(reminder_id = %id, reason = %reason, "rejected by SES");
                report.failed += 1;
            }
            Ok(SendResult::Retry { reason }) => {
                tracing::warn!(reminder_id = %id, reason = %reason, "temporary failure; will retry");
                report.retry_later += 1;
            }
            Ok(SendResult::OutsideBusinessHours) => report.outside_business_hours += 1,
            Ok(SendResult::ClaimedElsewhere) => report.claimed_elsewhere += 1,
            Err(error) => {
                tracing::error!(reminder_id = %id, error = %error, "send failed");
                report.errors.push(format!("{id}: {error}"));
            }
        }
    }
    match service::forward_replies(store, &state.mailer, &config.policy, clock()).await {
        Ok(forwarded) => {
            forwarded.iter().for_each(log_forwarded);
            report.replies_forwarded = forwarded
                .iter()
                .filter(|outcome| matches!(outcome, Forwarded::Sent { .. }))
                .count();
        }
        Err(error) => {
            tracing::error!(error = %error, "forwarding replies failed");
            report.errors.push(format!("forwarding replies: {error}"));
        }
    }
    Ok(report)
}
