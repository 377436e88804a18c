//! Forwarding customers' replies by email to the billing mailbox the policy names, so people who work from
//! their mail client see them there as well as in the tasks inbox. A sweep over the replies still waiting
//! for staff ([`Store::answers_needing_staff`]), run after replies are recorded and again with every send
//! run, so a forward that failed goes out on a later sweep.
//!
//! Each reply is forwarded at most once, through the event ledger: an attempt is claimed before it is sent
//! (a conditional write, so two sweeps never both send), its failure or its success recorded after. An
//! attempt claimed but never settled — the sweep stopped mid-send — is sent again only when the mailer
//! guarantees that repeating its key cannot deliver twice; otherwise it is left, and the reply stays on
//! the tasks inbox, where it was all along.

use crate::answer::{Answer, AnswerId, AnswerKind};
use crate::compose_forward::forward_of_reply;
use crate::error::CoreError;
use crate::policy::Policy;
use crate::ports::{Inserted, Mailer, Store};
use chrono::{DateTime, Duration, Utc};

/// How long the ledger remembers a forward's claims and outcome: for as long as a reply could wait for
/// staff, so none goes out twice (a few entries per reply).
const REMEMBERED_DAYS: i64 = 10 * 366;
/// Failed sends of one forward before the sweep stops trying.
const ATTEMPTS: u32 = 3;

/// What became of one reply's forward in a sweep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Forwarded {
    /// Sent now, with the mail system's message id.
    Sent { answer: AnswerId, message_id: String },
    /// The mail system refused it or was unavailable; a later sweep tries again (`gave_up` after the last).
    Failed {
        answer: AnswerId,
        reason: String,
        gave_up: bool,
    },
    /// An attempt stopped mid-send and the mailer cannot promise a repeat delivers once: left alone, and
    /// reported by the first sweep that finds it only.
    InDoubt { answer: AnswerId },
}

/// Forward every reply waiting for staff that has not been forwarded yet (none without
/// `forward_replies_to`). Returns what happened to each reply it tried.
pub async fn forward_replies<S: Store, M: Mailer>(
    store: &S,
    mailer: &M,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Result<Vec<Forwarded>, CoreError> {
    let Some(mailbox) = policy.mail_feedback.forward_replies_to.as_deref() else {
        return Ok(Vec::new());
    };
    let mut outcomes = Vec::new();
    for answer in store.answers_needing_staff().await? {
        if !matches!(answer.kind, AnswerKind::Reply { .. }) {
            continue;
        }
        if let Some(outcome) = forward_one(store, mailer, policy, mailbox, &answer, now).await? {
            outcomes.push(outcome);
        }
    }
    Ok(outcomes)
}

/// The ledger's entries for `answer`'s forward: its outcome, and each attempt's claim and failure (and,
/// in [`in_doubt`], that an unsettled attempt was reported).
fn done_key(answer: &Answer) -> String {
    format!("forwarded:{}", answer.id)
}
fn claim_key(answer: &Answer, attempt: u32) -> String {
    format!("forward:{}:{attempt}", answer.id)
}
fn failed_key(answer: &Answer, attempt: u32) -> String {
    format!("forward-failed:{}:{attempt}", answer.id)
}

async fn forward_one<S: Store, M: Mailer>(
    store: &S,
    mailer: &M,
    policy: &Policy,
    mailbox: &str,
    answer: &Answer,
    now: DateTime<Utc>,
) -> Result<Option<Forwarded>, CoreError> {
    if store.event_recorded(&done_key(answer), now).await? {
        return Ok(None);
    }
    let remember = now + Duration::days(REMEMBERED_DAYS);
    for attempt in 0..ATTEMPTS {
        if store.event_recorded(&claim_key(answer, attempt), now).await? {
            if store.event_recorded(&failed_key(answer, attempt), now).await? {
                continue;
            }
            if !mailer.retries_are_safe() {
                return in_doubt(store, answer, remember, now).await;
            }
        } else if store.record_event(&claim_key(answer, attempt), remember, now).await? == Inserted::AlreadyExists {
            // Another sweep claimed it a moment ago and is sending it.
            return Ok(None);
        }
        let Some(email) = compose(store, policy, mailbox, answer).await? else {
            return Ok(None);
        };
        return match mailer.send(&email).await {
            Ok(message_id) => {
                store.record_event(&done_key(answer), remember, now).await?;
                Ok(Some(Forwarded::Sent {
                    answer: answer.id.clone(),
                    message_id,
                }))
            }
            Err(CoreError::MailRejected(reason) | CoreError::MailTemporary(reason)) => {
                store.record_event(&failed_key(answer, attempt), remember, now).await?;
                Ok(Some(Forwarded::Failed {
                    answer: answer.id.clone(),
                    reason,
                    gave_up: attempt + 1 == ATTEMPTS,
                }))
            }
            Err(CoreError::MailUnknown(_)) => in_doubt(store, answer, remember, now).await,
            Err(other) => Err(other),
        };
    }
    Ok(None)
}

/// An attempt that may or may not have gone out: reported by the first sweep that finds it, then left.
async fn in_doubt<S: Store>(
    store: &S,
    answer: &Answer,
    remember: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Option<Forwarded>, CoreError> {
    let reported = store
        .record_event(&format!("forward-in-doubt:{}", answer.id), remember, now)
        .await?;
    Ok((reported == Inserted::New).then(|| Forwarded::InDoubt {
        answer: answer.id.clone(),
    }))
}

/// The forward of `answer`, read with its customer and the message it replies to; `None` if either is gone.
async fn compose<S: Store>(
    store: &S,
    policy: &Policy,
    mailbox: &str,
    answer: &Answer,
) -> Result<Option<crate::ports::OutgoingEmail>, CoreError> {
    let (Some(customer), Some(reminder)) = (
        store.customer(&answer.customer_id).await?,
        store.reminder(&answer.via).await?,
    ) else {
        return Ok(None);
    };
    let mut invoices = store.invoices(&reminder.invoice_ids()).await?;
    invoices.sort_by(|a, b| a.number.cmp(&b.number));
    let numbers = invoices.into_iter().map(|invoice| invoice.number).collect();
    forward_of_reply(policy, mailbox, &customer, &reminder, answer, numbers)
}
