//! Replies to the customer (an acknowledgement, a thank-you) drafted again when the customer's addresses
//! change. No pass plans a reply — it is queued when the answer or the payment arrives — so one the sender
//! stopped at an address that had bounced, or an acknowledgement still waiting for such an address, would
//! never reach anyone. Once the customer has a reachable address again, each goes to it, under its own
//! id, so it is still said once.

use super::plans::revive_cancelled;
use crate::actor::Actor;
use crate::compose::thank_you_reminder;
use crate::compose_answers::{acknowledged_answer, acknowledgement};
use crate::customer::Customer;
use crate::error::CoreError;
use crate::invoice::{Invoice, InvoiceStatus};
use crate::policy::Policy;
use crate::ports::Store;
use crate::reminder::{Reminder, ReminderId};
use crate::status::ReminderStatus;
use crate::verdict::blocked_address;
use chrono::{DateTime, Utc};

/// Draft again, to `customer`'s addresses as stored now, every reply of theirs that the sender stopped at
/// a blocked address, and every acknowledgement still waiting to go to one. A thank-you whose invoices a
/// later thank-you covers, or one of which is no longer paid, stays as it is. Returns the replies queued
/// again.
pub(super) async fn redraft_replies<S: Store>(
    store: &S,
    policy: &Policy,
    customer: &Customer,
    now: DateTime<Utc>,
) -> Result<Vec<ReminderId>, CoreError> {
    if customer.reachable_contacts().next().is_none() {
        return Ok(Vec::new());
    }
    let reminders = store.reminders_of_customer(&customer.id).await?;
    let mut again = Vec::new();
    for old in &reminders {
        let waits_for_blocked =
            old.is_acknowledgement() && old.status.is_waiting() && blocked_address(old, customer).is_some();
        if !old.is_reply() || !(old.stopped_at_blocked_address() || waits_for_blocked) {
            continue;
        }
        let Some(fresh) = fresh_reply(store, policy, customer, old, &reminders, now).await? else {
            continue;
        };
        if fresh.id != old.id {
            continue;
        }
        if waits_for_blocked && !withdraw(store, old, now).await? {
            continue;
        }
        if revive_cancelled(store, &fresh, now).await? {
            again.push(fresh.id);
        }
    }
    Ok(again)
}

/// The reply `old` composed again for `customer` as stored now, if it is still to be said.
async fn fresh_reply<S: Store>(
    store: &S,
    policy: &Policy,
    customer: &Customer,
    old: &Reminder,
    all: &[Reminder],
    now: DateTime<Utc>,
) -> Result<Option<Reminder>, CoreError> {
    if old.is_acknowledgement() {
        let Some(id) = acknowledged_answer(&old.id) else {
            return Ok(None);
        };
        let Some(answer) = store.answer(&id).await? else {
            return Ok(None);
        };
        let invoices = store.invoices(&answer.invoices).await?;
        let refs: Vec<&Invoice> = invoices.iter().collect();
        return acknowledgement(policy, customer, &answer, &refs, now).map(Some);
    }
    let Some(thank_you) = &policy.thank_you else {
        return Ok(None);
    };
    let thanked_later = all.iter().any(|other| {
        other.is_thank_you()
            && other.id != old.id
            && other.status != ReminderStatus::Cancelled
            && other.created_at >= old.created_at
            && other
                .covers
                .iter()
                .any(|c| old.covers.iter().any(|o| o.invoice_id == c.invoice_id))
    });
    let invoices = store.invoices(&old.invoice_ids()).await?;
    let all_paid =
        invoices.len() == old.covers.len() && invoices.iter().all(|invoice| invoice.status == InvoiceStatus::Paid);
    if thanked_later || !all_paid {
        return Ok(None);
    }
    let refs: Vec<&Invoice> = invoices.iter().collect();
    thank_you_reminder(policy, thank_you, customer, &refs, now).map(Some)
}

/// Cancel a waiting reply so it can be drafted again; false when a sender claimed it meanwhile (its own
/// last look decides then).
async fn withdraw<S: Store>(store: &S, old: &Reminder, now: DateTime<Utc>) -> Result<bool, CoreError> {
    let mut withdrawn = old.clone();
    withdrawn.transition(
        ReminderStatus::Cancelled,
        now,
        &Actor::System,
        Some("the customer's addresses changed: drafted again".into()),
    )?;
    match store.update_reminder(&withdrawn, old.status, &[]).await {
        Ok(()) => Ok(true),
        Err(CoreError::Conflict(_)) => Ok(false),
        Err(other) => Err(other),
    }
}
