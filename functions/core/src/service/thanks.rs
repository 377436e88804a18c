//! Thank-yous once invoices are paid: one message for every payment before it goes out.

use super::WRITE_ATTEMPTS;
use super::plans::{revive_cancelled, supersede};
use crate::actor::Actor;
use crate::customer::CustomerId;
use crate::error::CoreError;
use crate::invoice::{Invoice, InvoiceId, InvoiceStatus};
use crate::policy::Policy;
use crate::ports::{Inserted, Store};
use crate::reminder::{Reminder, ReminderId};
use crate::status::ReminderStatus;
use chrono::{DateTime, Utc};
use std::collections::BTreeSet;

/// Queue one thank-you for `paid` together with any thank-you still waiting for the customer, so several
/// payments before it goes out make one message. Only invoices paid now, and (if the policy says so) ones
/// the customer was reminded about, are thanked; an invoice already thanked in a message sent is not
/// thanked again by the same message. Returns the queued thank-you, if one was needed.
pub(super) async fn queue_thank_you<S: Store>(
    store: &S,
    policy: &Policy,
    customer_id: &CustomerId,
    paid: Vec<InvoiceId>,
    now: DateTime<Utc>,
) -> Result<Option<ReminderId>, CoreError> {
    let Some(thank_you) = &policy.thank_you else {
        return Ok(None);
    };
    if paid.is_empty() {
        return Ok(None);
    }
    let Some(customer) = store.customer(customer_id).await? else {
        return Ok(None);
    };
    for _ in 0..WRITE_ATTEMPTS {
        let waiting: Vec<Reminder> = store
            .reminders_of_customer(customer_id)
            .await?
            .into_iter()
            .filter(|reminder| reminder.is_thank_you() && reminder.status.is_waiting())
            .collect();
        let mut ids: BTreeSet<InvoiceId> = paid.iter().cloned().collect();
        ids.extend(waiting.iter().flat_map(Reminder::invoice_ids));
        let invoices: Vec<Invoice> = store
            .invoices(&ids.into_iter().collect::<Vec<_>>())
            .await?
            .into_iter()
            .filter(|invoice| invoice.status == InvoiceStatus::Paid)
            .filter(|invoice| !thank_you.only_after_reminders || invoice.dunning.last_reminded_on.is_some())
            .collect();
        if invoices.is_empty() {
            return Ok(None);
        }
        let refs: Vec<&Invoice> = invoices.iter().collect();
        let reminder = crate::compose::thank_you_reminder(policy, thank_you, &customer, &refs, now)?;
        if waiting.iter().any(|old| old.id == reminder.id) {
            return Ok(None);
        }
        let created = match store.insert_reminder(&reminder).await? {
            Inserted::New => true,
            Inserted::AlreadyExists => revive_cancelled(store, &reminder, now).await?,
        };
        if !created {
            return Ok(None);
        }
        let mut superseded_all = true;
        for old in &waiting {
            match supersede(store, &old.id, &reminder.id, now).await {
                Err(CoreError::Conflict(_)) => superseded_all = false,
                other => other?,
            }
        }
        if superseded_all {
            return Ok(Some(reminder.id));
        }
        // A sender claimed one of them, or another payment joined them first: withdraw ours and look again,
        // so no invoice is thanked twice.
        let mut withdrawn = store.reminder(&reminder.id).await?.unwrap_or(reminder);
        let expected = withdrawn.status;
        if expected.is_waiting() {
            withdrawn.transition(
                ReminderStatus::Cancelled,
                now,
                &Actor::System,
                Some("another thank-you changed meanwhile; queued again".into()),
            )?;
            match store.update_reminder(&withdrawn, expected, &[]).await {
                Err(CoreError::Conflict(_)) => {}
                other => other?,
            }
        }
    }
    Err(CoreError::Conflict(format!(
        "the thank-you for customer {customer_id} kept changing while it was queued"
    )))
}
