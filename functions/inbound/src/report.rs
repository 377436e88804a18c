//! Reports a mail server writes about a message kindly sent: delivery status notifications (RFC 3464)
//! and complaint reports in the Abuse Reporting Format (RFC 5965). Both return the message, or its
//! headers, whose Message-ID names the reminder.

use crate::error::InboundError;
use crate::fields::Fields;
use crate::ids::{bare_address, reminder_of_message_id, thread_reminder};
use kindly_core::feedback::{BounceKind, BouncedRecipient, MailEventKind};
use kindly_core::reminder::ReminderId;
use mail_parser::{Message, MessageParser, MessagePart, MimeHeaders, PartType};

type Read = Result<(Option<ReminderId>, MailEventKind), InboundError>;

/// A delivery status notification: bounced if it failed for any recipient, else delayed if delayed for
/// any, else delivered.
pub fn delivery(message: &Message<'_>) -> Read {
    let part = part_of(message, "message", &["delivery-status", "global-delivery-status"]).ok_or(
        InboundError::MissingPart {
            report: "delivery report",
            part: "message/delivery-status",
        },
    )?;
    let recipients: Vec<Recipient> = Fields::blocks(part.contents())
        .iter()
        .filter_map(Recipient::of)
        .collect();
    if recipients.is_empty() {
        return Err(InboundError::NoRecipient);
    }
    let with = |action: Action| recipients.iter().filter(move |r| r.action == action);
    let kind = if with(Action::Failed).next().is_some() {
        // One event, one kind: the most final status decides; each recipient keeps its own.
        let kinds: Vec<BounceKind> = with(Action::Failed).map(Recipient::bounce_kind).collect();
        let bounce = [BounceKind::Permanent, BounceKind::Transient]
            .into_iter()
            .find(|kind| kinds.contains(kind))
            .unwrap_or(BounceKind::Undetermined);
        let recipients = with(Action::Failed)
            .map(|r| BouncedRecipient {
                email: r.email.clone(),
                status: r.status.clone(),
                diagnostic: r.diagnostic.clone(),
            })
            .collect();
        MailEventKind::Bounced { bounce, recipients }
    } else if with(Action::Delayed).next().is_some() {
        let reason = with(Action::Delayed).find_map(|r| r.diagnostic.clone().or_else(|| r.status.clone()));
        MailEventKind::Delayed {
            recipients: with(Action::Delayed).map(|r| r.email.clone()).collect(),
            reason,
        }
    } else {
        MailEventKind::Delivered {
            recipients: with(Action::Delivered).map(|r| r.email.clone()).collect(),
        }
    };
    Ok((returned_reminder(message), kind))
}

/// A complaint report: who complained (the original recipients it names, else the returned message's
/// To) and the feedback type.
pub fn complaint(message: &Message<'_>) -> Read {
    let part = part_of(message, "message", &["feedback-report"]).ok_or(InboundError::MissingPart {
        report: "complaint report",
        part: "message/feedback-report",
    })?;
    let fields = Fields::blocks(part.contents()).into_iter().next().unwrap_or_default();
    let mut recipients: Vec<String> = fields.all("Original-Rcpt-To").map(bare_address).collect();
    if recipients.is_empty() {
        recipients = returned(message, |original| {
            original
                .to()
                .map(|to| to.iter().filter_map(|a| a.address()).map(str::to_owned).collect())
        })
        .flatten()
        .unwrap_or_default();
    }
    let feedback_type = fields.get("Feedback-Type").map(str::to_ascii_lowercase);
    Ok((
        returned_reminder(message),
        MailEventKind::Complained {
            recipients,
            feedback_type,
        },
    ))
}

/// One recipient's block of a delivery status part.
struct Recipient {
    email: String,
    action: Action,
    status: Option<String>,
    diagnostic: Option<String>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Action {
    Failed,
    Delayed,
    /// Delivered, relayed to a system that sends no reports, or expanded to a list.
    Delivered,
}

impl Recipient {
    fn of(fields: &Fields) -> Option<Recipient> {
        let address = fields
            .get("Final-Recipient")
            .or_else(|| fields.get("Original-Recipient"))?;
        // `rfc822; ann@x.example`: the address type comes first.
        let email = bare_address(address.split_once(';').map_or(address, |(_, email)| email));
        let action = match fields.get("Action")?.to_ascii_lowercase().as_str() {
            "failed" => Action::Failed,
            "delayed" => Action::Delayed,
            "delivered" | "relayed" | "expanded" => Action::Delivered,
            _ => return None,
        };
        // A status may carry a comment: `5.1.1 (bad destination mailbox address)`.
        let status = fields
            .get("Status")
            .and_then(|s| s.split_whitespace().next())
            .map(str::to_owned);
        let diagnostic = fields.get("Diagnostic-Code").map(str::to_owned);
        Some(Recipient {
            email,
            action,
            status,
            diagnostic,
        })
    }

    fn bounce_kind(&self) -> BounceKind {
        match self.status.as_deref().and_then(|s| s.chars().next()) {
            Some('5') => BounceKind::Permanent,
            Some('4') => BounceKind::Transient,
            _ => BounceKind::Undetermined,
        }
    }
}

/// The reminder the returned message was, by its Message-ID; a report that returns nothing may still
/// name it in its own In-Reply-To or References.
fn returned_reminder(message: &Message<'_>) -> Option<ReminderId> {
    returned(message, |original| {
        original.message_id().and_then(reminder_of_message_id)
    })
    .flatten()
    .or_else(|| thread_reminder(message))
}

/// `read` applied to the message a report returns: whole (`message/rfc822`) or its headers only
/// (`text/rfc822-headers`, or their RFC 6532 forms).
fn returned<T>(message: &Message<'_>, read: impl Fn(&Message<'_>) -> T) -> Option<T> {
    if let Some(part) = part_of(message, "message", &["rfc822", "global"])
        && let PartType::Message(original) = &part.body
    {
        return Some(read(original));
    }
    let part =
        part_of(message, "text", &["rfc822-headers"]).or_else(|| part_of(message, "message", &["global-headers"]))?;
    let headers = MessageParser::default().parse_headers(part.contents())?;
    Some(read(&headers))
}

/// The first part of type `ctype`/one of `subtypes`, anywhere in the message.
fn part_of<'m, 'x>(message: &'m Message<'x>, ctype: &str, subtypes: &[&str]) -> Option<&'m MessagePart<'x>> {
    message.parts.iter().find(|part| {
        part.content_type().is_some_and(|content_type| {
            content_type.ctype().eq_ignore_ascii_case(ctype)
                && content_type
                    .subtype()
                    .is_some_and(|s| subtypes.iter().any(|t| s.eq_ignore_ascii_case(t)))
        })
    })
}
