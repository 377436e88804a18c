//! The `events` handler: SES's notifications about sent messages (bounces, complaints, deliveries, delays,
//! rejections), delivered by the stack's topic to its queue and to this function in batches. Each is read
//! by `kindly-inbound` and recorded by the core ([`service::record_mail_event`]), which repeats safely: a
//! notification whose recording failed is handed back to the queue alone (a partial batch response), and
//! one delivered twice changes nothing twice. One that cannot be read at all would fail every time, so it is
//! logged (without its contents) and dropped rather than retried for two weeks.

use crate::lambda::Base;
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use kindly_core::service::{self, FeedbackOutcome};
use lambda_runtime::LambdaEvent;

/// Record each notification in the batch; the ids of those to try again.
pub async fn mail_events(base: &Base, event: LambdaEvent<SqsEvent>) -> Result<SqsBatchResponse, lambda_runtime::Error> {
    let mut response = SqsBatchResponse::default();
    for record in event.payload.records {
        let id = record.message_id.clone().unwrap_or_default();
        let body = record.body.as_deref().unwrap_or_default();
        let parsed = match kindly_inbound::parse_ses(body) {
            Ok(Some(parsed)) => parsed,
            Ok(None) => continue,
            Err(error) => {
                tracing::error!(message_id = %id, bytes = body.len(), error = %error, "unreadable notification dropped");
                continue;
            }
        };
        match service::record_mail_event(&base.store, &base.config.policy, &parsed, chrono::Utc::now()).await {
            Ok(outcome) => log(&id, &outcome),
            Err(error) => {
                tracing::warn!(message_id = %id, error = %error, "not recorded; the queue hands it over again");
                response.add_failure(id);
            }
        }
    }
    Ok(response)
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
