//! SES's event notifications, as they reach the queue: a configuration set's event or an identity's
//! notification, inside an SNS envelope or bare (SNS raw message delivery).

use crate::error::InboundError;
use crate::ids::{bare_address, reminder_of_message_id};
use crate::receipt::{StoredMail, stored_mail};
use crate::ses_wire::{BounceSubType, BounceType, EnvelopeProbe, EventType, Mail, SesRecord, SnsEnvelope, TypeProbe};
use kindly_core::feedback::{BounceKind, BouncedRecipient, MailEvent, MailEventKind};
use kindly_core::reminder::ReminderId;
use serde::de::DeserializeOwned;

const RECORD: &str = "SES record";
/// The `notificationType` of a receipt rule's notification.
const RECEIVED: &str = "Received";

/// What a message body on the mail events queue holds: SES's event about a message kindly sent, or its
/// notice that a message arrived for the reply domain and where it stored it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notification {
    Event(MailEvent),
    Received(StoredMail),
}

/// What an SQS message body reports, or `None` for the events that change nothing for kindly (Send, Open,
/// Click, Subscription).
pub fn parse_notification(body: &str) -> Result<Option<Notification>, InboundError> {
    let probe: EnvelopeProbe = from_json(body, "message body")?;
    let record = match probe.kind {
        Some(_) => {
            let envelope: SnsEnvelope = from_json(body, "SNS envelope")?;
            if envelope.kind != "Notification" {
                return Err(InboundError::NotANotification(envelope.kind));
            }
            envelope.message
        }
        None => body.to_owned(),
    };
    let probe: TypeProbe = from_json(&record, RECORD)?;
    if probe.notification_type.as_deref() == Some(RECEIVED) {
        return stored_mail(&record).map(|stored| Some(Notification::Received(stored)));
    }
    let record: SesRecord = from_json(&record, RECORD)?;
    Ok(event(record)?.map(Notification::Event))
}

/// The mail event an SQS message body reports ([`parse_notification`]), when it is about a sent message:
/// a receipt notification is an error here.
pub fn parse_ses(body: &str) -> Result<Option<MailEvent>, InboundError> {
    match parse_notification(body)? {
        Some(Notification::Event(event)) => Ok(Some(event)),
        Some(Notification::Received(_)) => Err(InboundError::Shape {
            what: RECORD,
            at: "notificationType".into(),
            reason: "a message received, not an event about one sent".into(),
        }),
        None => Ok(None),
    }
}

fn event(record: SesRecord) -> Result<Option<MailEvent>, InboundError> {
    let reminder = reminder_of(&record.mail);
    let missing = |field: &str| InboundError::Missing {
        what: RECORD,
        field: field.to_owned(),
    };
    let keyed = format!("{}:{}", record.event_type.wire_name(), record.mail.message_id);
    let (event_id, at, kind) = match record.event_type {
        EventType::Send | EventType::Open | EventType::Click | EventType::Subscription => return Ok(None),
        EventType::Bounce => {
            let bounce = record.bounce.ok_or_else(|| missing("bounce"))?;
            let kind = match (bounce.bounce_type, bounce.bounce_sub_type) {
                (_, BounceSubType::Suppressed | BounceSubType::OnAccountSuppressionList) => BounceKind::Suppressed,
                (BounceType::Permanent, _) => BounceKind::Permanent,
                (BounceType::Transient, _) => BounceKind::Transient,
                (BounceType::Undetermined, _) => BounceKind::Undetermined,
            };
            let recipients = bounce
                .bounced_recipients
                .into_iter()
                .map(|r| BouncedRecipient {
                    email: bare_address(&r.email_address),
                    status: r.status,
                    diagnostic: r.diagnostic_code,
                })
                .collect();
            (
                bounce.feedback_id,
                bounce.timestamp,
                MailEventKind::Bounced {
                    bounce: kind,
                    recipients,
                },
            )
        }
        EventType::Complaint => {
            let complaint = record.complaint.ok_or_else(|| missing("complaint"))?;
            let recipients = complaint
                .complained_recipients
                .iter()
                .map(|r| bare_address(&r.email_address))
                .collect();
            let kind = MailEventKind::Complained {
                recipients,
                feedback_type: complaint.complaint_feedback_type,
            };
            (complaint.feedback_id, complaint.timestamp, kind)
        }
        EventType::Delivery => {
            let delivery = record.delivery.ok_or_else(|| missing("delivery"))?;
            let recipients = delivery.recipients.iter().map(|r| bare_address(r)).collect();
            (keyed, delivery.timestamp, MailEventKind::Delivered { recipients })
        }
        EventType::DeliveryDelay => {
            let delay = record.delivery_delay.ok_or_else(|| missing("deliveryDelay"))?;
            let said = delay
                .delayed_recipients
                .iter()
                .find_map(|r| r.diagnostic_code.as_ref().or(r.status.as_ref()));
            let reason = match said {
                Some(said) => format!("{}: {said}", delay.delay_type),
                None => delay.delay_type,
            };
            // A record that lists no delayed recipient is about all of them.
            let recipients = match delay.delayed_recipients.is_empty() {
                true => record.mail.destination.iter().map(|r| bare_address(r)).collect(),
                false => delay
                    .delayed_recipients
                    .iter()
                    .map(|r| bare_address(&r.email_address))
                    .collect(),
            };
            (
                keyed,
                delay.timestamp,
                MailEventKind::Delayed {
                    recipients,
                    reason: Some(reason),
                },
            )
        }
        // Neither object carries a time of its own: the message's is when SES refused it.
        EventType::Reject => {
            let reject = record.reject.ok_or_else(|| missing("reject"))?;
            (
                keyed,
                record.mail.timestamp,
                MailEventKind::Rejected { reason: reject.reason },
            )
        }
        EventType::RenderingFailure => {
            let failure = record.failure.ok_or_else(|| missing("failure"))?;
            let kind = MailEventKind::RenderingFailed {
                error: failure.error_message,
            };
            (keyed, record.mail.timestamp, kind)
        }
    };
    Ok(Some(MailEvent {
        event_id,
        reminder,
        at,
        kind,
    }))
}

/// The reminder the message was: the `reminder` tag kindly sends with it, else its Message-ID (identity
/// notifications carry no tags, only the original headers).
fn reminder_of(mail: &Mail) -> Option<ReminderId> {
    let tagged = mail
        .tags
        .get("reminder")
        .and_then(|values| values.first())
        .filter(|id| !id.trim().is_empty());
    if let Some(id) = tagged {
        return Some(ReminderId(id.trim().to_owned()));
    }
    let header = mail
        .headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case("Message-ID"))
        .map(|h| h.value.as_str());
    let common = mail.common_headers.as_ref().and_then(|c| c.message_id.as_deref());
    header.into_iter().chain(common).find_map(reminder_of_message_id)
}

/// Reads `text` as `T`, naming the path of whatever does not fit.
pub(crate) fn from_json<T: DeserializeOwned>(text: &str, what: &'static str) -> Result<T, InboundError> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let at = error.path().to_string();
        let inner = error.into_inner();
        let reason = inner.to_string();
        // serde names a missing field alone; joined to where it is missing, it is the field's path.
        let missing = reason
            .strip_prefix("missing field `")
            .and_then(|rest| rest.split_once('`'));
        match (inner.classify(), missing) {
            (serde_json::error::Category::Data, Some((field, _))) => InboundError::Missing {
                what,
                field: if at == "." {
                    field.to_owned()
                } else {
                    format!("{at}.{field}")
                },
            },
            (serde_json::error::Category::Data, None) => InboundError::Shape { what, at, reason },
            _ => InboundError::NotJson(reason),
        }
    })?;
    deserializer.end().map_err(|e| InboundError::NotJson(e.to_string()))?;
    Ok(value)
}

#[cfg(test)]
#[path = "ses_tests.rs"]
mod tests;
