//! What the mail system's feedback about a sent message changes — decided from the facts, without I/O:
//! which addresses are no longer written to, whether the message counts as not delivered (and so as not
//! said), and the line the reminder's history gains. [`crate::service::record_mail_event`] reads and
//! writes around these rules.

use crate::customer::{Contact, Customer};
use crate::feedback::{BounceKind, MailEvent, MailEventKind};
use crate::invoice::{DunningProgress, Invoice, InvoiceId};
use crate::policy::Policy;
use crate::reminder::Reminder;
use crate::standing::BlockedBecause;
use crate::status::ReminderStatus;

/// What one piece of feedback does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Effect {
    /// The customer with the addresses' standing changed; `None` when no address changed.
    pub customer: Option<Customer>,
    /// The message did not arrive anywhere it was addressed to: it becomes undelivered, with this note.
    pub undelivered: Option<String>,
    /// Otherwise, the line its history gains (delivered at…, delayed…, bounced for one of two…).
    pub note: Option<String>,
}

/// The effect of `event` on the message `reminder` sent to `customer`.
pub fn effect_of(policy: &Policy, event: &MailEvent, reminder: &Reminder, customer: &Customer) -> Effect {
    let at = event.at.format("%Y-%m-%d %H:%M UTC");
    let mut changed = customer.clone();
    let note = match &event.kind {
        MailEventKind::Delivered { recipients } => Some(format!("delivered to {} at {at}", recipients.join(", "))),
        MailEventKind::Delayed { recipients, reason } => Some(format!(
            "delivery to {} delayed at {at}{}",
            recipients.join(", "),
            reason
                .as_deref()
                .map(|reason| format!(": {reason}"))
                .unwrap_or_default()
        )),
        MailEventKind::Bounced { bounce, recipients } => {
            let window = chrono::Duration::days(i64::from(policy.mail_feedback.soft_bounce_days));
            let mut lines = Vec::new();
            for recipient in recipients {
                let diagnostic = recipient.diagnostic.clone().or_else(|| recipient.status.clone());
                for contact in contacts_mut(&mut changed, &recipient.email) {
                    if bounce.is_hard() {
                        contact
                            .standing
                            .block(event.at, BlockedBecause::Bounced, diagnostic.clone());
                    } else {
                        contact.standing.soft_bounce(
                            &event.event_id,
                            event.at,
                            policy.mail_feedback.soft_bounce_limit,
                            window,
                        );
                    }
                    contact.bounced = contact.standing.blocked.is_some();
                }
                let kind = match bounce {
                    BounceKind::Permanent => "bounced",
                    BounceKind::Suppressed => "not sent: on the provider's suppression list",
                    BounceKind::Transient | BounceKind::Undetermined => "bounced for now",
                };
                lines.push(format!(
                    "{}: {kind}{}",
                    recipient.email,
                    diagnostic.map(|text| format!(" ({text})")).unwrap_or_default()
                ));
            }
            Some(format!("{} at {at}", lines.join("; ")))
        }
        MailEventKind::Complained { recipients, .. } => {
            for email in recipients {
                for contact in contacts_mut(&mut changed, email) {
                    contact.standing.block(event.at, BlockedBecause::Complained, None);
                    contact.bounced = true;
                }
            }
            Some(format!("{} marked it as spam at {at}", recipients.join(", ")))
        }
        MailEventKind::Rejected { reason } => {
            return undelivered(format!("the mail provider refused it at {at}: {reason}"));
        }
        MailEventKind::RenderingFailed { error } => {
            return undelivered(format!("the mail provider could not render it at {at}: {error}"));
        }
        MailEventKind::Replied(_) => None,
    };
    // Judged on the addresses as they stand after it, changed or not: the same bounce heard again after
    // a crash between the two writes still finds the message undelivered.
    let blocked_everywhere = matches!(event.kind, MailEventKind::Bounced { .. }) && reached_nobody(reminder, &changed);
    let customer = (changed != *customer).then_some(changed);
    if blocked_everywhere && reminder.status == ReminderStatus::Sent {
        return Effect {
            customer,
            undelivered: Some(format!("not delivered: {}", note.unwrap_or_default())),
            note: None,
        };
    }
    Effect {
        customer,
        undelivered: None,
        note,
    }
}

fn undelivered(note: String) -> Effect {
    Effect {
        customer: None,
        undelivered: Some(note),
        note: None,
    }
}

/// The customer's contacts (billing and escalation) with address `email`, compared without case.
fn contacts_mut<'a>(customer: &'a mut Customer, email: &'a str) -> impl Iterator<Item = &'a mut Contact> {
    customer
        .billing_contacts
        .iter_mut()
        .chain(customer.escalation_contact.iter_mut())
        .filter(move |contact| contact.email.eq_ignore_ascii_case(email))
}

/// Whether every address the message went to (To) is blocked now.
fn reached_nobody(reminder: &Reminder, customer: &Customer) -> bool {
    let Some(draft) = &reminder.draft else {
        return false;
    };
    !draft.context.to.is_empty() && draft.context.to.iter().all(|to| customer.blocks(&to.email))
}

/// The covered invoices' ladder progress once `undelivered` no longer counts as said: back to the latest
/// earlier stage among the customer's other sent reminders (`reminders`) that covered it, or else to the
/// stage before it on the ladder (the ladder reached it by passing those). A stage staff skipped stays
/// decided: the ladder goes back to it, not before it, or the next pass would plan the skipped stage again
/// under the skipped reminder's own id and never send it (the tone and day stay those of the latest
/// message sent). An invoice a later stage went out for since is left as it is, and off-ladder messages
/// (thank-yous, acknowledgements) never moved the ladder.
pub fn progress_without(
    policy: &Policy,
    undelivered: &Reminder,
    invoices: &[Invoice],
    reminders: &[Reminder],
) -> Vec<(InvoiceId, DunningProgress)> {
    if undelivered.is_off_ladder() {
        return Vec::new();
    }
    invoices
        .iter()
        .filter_map(|invoice| {
            let covered = undelivered
                .covers
                .iter()
                .find(|covered| covered.invoice_id == invoice.id)?;
            if invoice.dunning.last_stage.as_deref() != Some(covered.stage_id.as_str()) {
                return None;
            }
            let index = policy.stage_index(&covered.stage_id)?;
            let said = reminders
                .iter()
                .filter(|other| {
                    other.id != undelivered.id && other.status == ReminderStatus::Sent && !other.is_off_ladder()
                })
                .filter_map(|other| {
                    let earlier = other.covers.iter().find(|c| c.invoice_id == invoice.id)?;
                    let at = policy.stage_index(&earlier.stage_id).filter(|at| *at < index)?;
                    Some((at, other.sent_on, earlier.tone))
                })
                .max_by_key(|(at, sent_on, _)| (*at, *sent_on));
            let skipped = reminders
                .iter()
                .filter(|other| other.status == ReminderStatus::Skipped && !other.is_off_ladder())
                .filter_map(|other| {
                    let earlier = other.covers.iter().find(|c| c.invoice_id == invoice.id)?;
                    policy.stage_index(&earlier.stage_id).filter(|at| *at < index)
                })
                .max();
            let mut updated = invoice.clone();
            let (stage, tone, on) = match said {
                Some((at, sent_on, tone)) => (Some(at), Some(tone), sent_on),
                None => (
                    index.checked_sub(1),
                    index.checked_sub(1).map(|at| policy.stages[at].tone),
                    None,
                ),
            };
            let stage = stage.max(skipped);
            updated.dunning.last_stage = stage.map(|at| policy.stages[at].id.clone());
            updated.dunning.last_tone = tone;
            updated.dunning.last_reminded_on = on;
            updated.dunning.next_action_on = policy.next_action_on(&updated);
            Some((invoice.id.clone(), updated.dunning))
        })
        .collect()
}

#[cfg(test)]
#[path = "deliverability_tests.rs"]
mod tests;
