//! Payments reported by the processor: applied once per event, conditional on the invoice's revision.

use super::invoices::{AfterChange, Rewrite, rewrite_invoice};
use super::plans::replan_customer;
use crate::error::CoreError;
use crate::invoice::{Invoice, InvoiceId};
use crate::policy::Policy;
use crate::ports::Store;
use crate::reminder::{Reminder, ReminderId};
use chrono::{DateTime, Utc};

/// What applying a payment processor's event did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentOutcome {
    /// The invoice changed; these waiting reminders were voided (and the customer planned again), a
    /// thank-you was queued if the invoice is now paid and the policy asks for one, and a task for staff
    /// was opened if the payment needs a person ([`crate::payment::needs_review`]: the invoice is held).
    Applied {
        invoice: Box<Invoice>,
        voided: Vec<ReminderId>,
        thank_you: Option<ReminderId>,
        review: Option<ReminderId>,
    },
    /// Nothing changed, and why (already applied, not applicable in the invoice's state...).
    Unchanged(String),
}

/// Apply a payment processor's event to an invoice: conditional on the revision read (retried on a
/// conflict), once per event id (kept on the invoice), and voiding every waiting reminder the change
/// makes wrong — a consolidated draft is planned again without a paid invoice.
pub async fn apply_payment_event<S: Store>(
    store: &S,
    policy: &Policy,
    invoice_id: &InvoiceId,
    event: &crate::payment::PaymentEvent,
    now: DateTime<Utc>,
) -> Result<PaymentOutcome, CoreError> {
    use crate::payment::{Applied, apply_payment};
    // The customer's calendar and zone decide whether the money came by an early-payment deadline.
    let customer = match store.invoice(invoice_id).await? {
        Some(invoice) => store.customer(&invoice.customer_id).await?,
        None => None,
    };
    // Boxed: a payment may land inside another service's store call (a send), whose stack it shares.
    let written = Box::pin(rewrite_invoice(store, policy, invoice_id, now, |stored| {
        let stored = stored.ok_or_else(|| CoreError::NotFound {
            what: "invoice",
            id: invoice_id.0.clone(),
        })?;
        Ok(match apply_payment(stored, event)? {
            Applied::Changed(mut updated) => {
                if let Some(customer) = customer.as_ref().filter(|c| c.id == updated.customer_id) {
                    let at = event.change.at().unwrap_or(now);
                    let day = at.with_timezone(&customer.time_zone).date_naive();
                    crate::discount::settle(&mut updated, customer.calendar(), day);
                }
                Rewrite::Write(*updated)
            }
            Applied::Unchanged(why) => Rewrite::Keep(why),
        })
    }))
    .await?;
    Ok(match written {
        Rewrite::Write((invoice, AfterChange { voided, thank_you })) => {
            let review = match crate::payment::needs_review(&invoice, event) {
                Some(_) => Some(open_review(store, &invoice, &event.id, now).await?),
                None => None,
            };
            PaymentOutcome::Applied {
                invoice: Box::new(invoice),
                voided,
                thank_you,
                review,
            }
        }
        Rewrite::Keep(why) => PaymentOutcome::Unchanged(why),
    })
}

/// Stop waiting for payments pending `policy.pending_payment_days` or more on invoices `ids` at `now`: each
/// such invoice is held for review (nobody is reminded of it: the payment may have cleared without the
/// processor's word reaching kindly) and a task asks staff to check it. Returns the tasks opened.
///
/// Meant for the pass; it needs the invoices with a payment pending, which the action index (open invoices
/// only) does not hold.
pub async fn expire_pending_payments<S: Store>(
    store: &S,
    policy: &Policy,
    ids: &[InvoiceId],
    now: DateTime<Utc>,
) -> Result<Vec<ReminderId>, CoreError> {
    let mut tasks = Vec::new();
    for id in ids {
        let written = rewrite_invoice(store, policy, id, now, |stored| {
            Ok(
                match stored.and_then(|stored| crate::payment::expire_pending(stored, now, policy.pending_payment_days))
                {
                    Some((expired, _)) => Rewrite::Write(expired),
                    None => Rewrite::Keep("no payment pending too long".into()),
                },
            )
        })
        .await?;
        if let Rewrite::Write((held, _)) = written {
            // One task per expiry: the revision written names it.
            let key = format!("expired-{}", held.bookkeeping.revision);
            tasks.push(open_review(store, &held, &key, now).await?);
        }
    }
    Ok(tasks)
}

/// Open the task asking staff to settle what `held` is held for (once per review: a retry finds it).
async fn open_review<S: Store>(
    store: &S,
    held: &Invoice,
    event_id: &str,
    now: DateTime<Utc>,
) -> Result<ReminderId, CoreError> {
    let customer = store
        .customer(&held.customer_id)
        .await?
        .ok_or_else(|| CoreError::NotFound {
            what: "customer",
            id: held.customer_id.0.clone(),
        })?;
    let local_date = now.with_timezone(&customer.time_zone).date_naive();
    let task = crate::payment::review_task(held, event_id, local_date, now)?;
    store.insert_reminder(&task).await?;
    Ok(task.id)
}

/// Staff did (or dismissed) a payment review: release the hold on its invoices once no other review of
/// them is still open, so that reminders resume where they are still owed (the customer is planned again
/// at once). While another review waits, the invoice stays held: that payment is not settled yet.
pub(super) async fn release_holds<S: Store>(
    store: &S,
    policy: &Policy,
    review: &Reminder,
    now: DateTime<Utc>,
) -> Result<(), CoreError> {
    let open_reviews: Vec<Reminder> = store
        .reminders_of_customer(&review.customer_id)
        .await?
        .into_iter()
        .filter(|other| other.is_payment_review() && other.status.is_open() && other.id != review.id)
        .collect();
    for id in review.invoice_ids() {
        if open_reviews.iter().any(|other| other.invoice_ids().contains(&id)) {
            continue;
        }
        rewrite_invoice(store, policy, &id, now, |stored| {
            Ok(match stored.and_then(crate::payment::released) {
                Some(released) => Rewrite::Write(released),
                None => Rewrite::Keep("not held".into()),
            })
        })
        .await?;
    }
    replan_customer(store, policy, &review.customer_id, now).await?;
    Ok(())
}
