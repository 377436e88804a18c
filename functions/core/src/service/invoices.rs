//! Changes to invoices and customers from the accounting system, and what follows any invoice change:
//! drafts it makes wrong are voided, the customer is planned again, a paid invoice is thanked.

use super::WRITE_ATTEMPTS;
use super::plans::replan_customer;
use super::thanks::queue_thank_you;
use crate::actor::Actor;
use crate::customer::{Customer, CustomerId};
use crate::error::CoreError;
use crate::invoice::{Invoice, InvoiceId, InvoiceStatus};
use crate::policy::Policy;
use crate::ports::Store;
use crate::reminder::{Reminder, ReminderId};
use crate::status::ReminderStatus;
use chrono::{DateTime, Utc};

/// Validate and store a customer from the accounting system, which knows nothing of the mail system: an
/// address kindly learned bounces or complained keeps that standing when the copy names it again
/// ([`crate::standing`]). Then as [`write_customer`].
pub async fn ingest_customer<S: Store>(
    store: &S,
    policy: &Policy,
    customer: &Customer,
    now: DateTime<Utc>,
) -> Result<Vec<ReminderId>, CoreError> {
    let mut incoming = customer.clone();
    if let Some(stored) = store.customer(&customer.id).await? {
        keep_standing(&mut incoming, &stored);
    }
    write_customer(store, policy, &incoming, now).await
}

/// What the stored customer's addresses learned from the mail system, onto the same addresses of `incoming`.
fn keep_standing(incoming: &mut Customer, stored: &Customer) {
    let known: Vec<&crate::customer::Contact> = stored
        .billing_contacts
        .iter()
        .chain(stored.escalation_contact.iter())
        .filter(|contact| !contact.standing.is_clear())
        .collect();
    for contact in incoming
        .billing_contacts
        .iter_mut()
        .chain(incoming.escalation_contact.iter_mut())
        .filter(|contact| contact.standing.is_clear())
    {
        if let Some(same) = known
            .iter()
            .find(|known| known.email.eq_ignore_ascii_case(&contact.email))
        {
            contact.standing = same.standing.clone();
            contact.bounced = contact.bounced || same.bounced;
        }
    }
}

/// Validate and store a customer. If the stored one differs (a contact, a name, the language, a pause...),
/// every draft or approval still waiting to go out to them is void — its addresses, words or very sending
/// may be wrong now — and they are planned again at once (a voided thank-you is queued again, and a reply
/// that could not reach them is drafted again: [`super::redraft`]). Returns the voided reminders.
pub(crate) async fn write_customer<S: Store>(
    store: &S,
    policy: &Policy,
    customer: &Customer,
    now: DateTime<Utc>,
) -> Result<Vec<ReminderId>, CoreError> {
    customer.validate()?;
    let stored = store.customer(&customer.id).await?;
    store.put_customer(customer).await?;
    if stored.is_none_or(|stored| stored == *customer) {
        return Ok(Vec::new());
    }
    let reason = format!("customer {} changed: the draft is void and planned again", customer.id);
    let voided = void_waiting(store, &customer.id, now, &reason, |_| true).await?;
    // First the replies that could not reach them, so a thank-you among them joins the one queued next.
    super::redraft::redraft_replies(store, policy, customer, now).await?;
    let to_thank = thanked_in(&voided);
    queue_thank_you(store, policy, &customer.id, to_thank, now).await?;
    replan_customer(store, policy, &customer.id, now).await?;
    Ok(voided.into_iter().map(|reminder| reminder.id).collect())
}

/// Validate and store an invoice from the accounting system. Its ladder progress and bookkeeping are kept
/// from the stored copy (the accounting system knows neither), its revision moves on, and its next action
/// date is recomputed. A payment the processor reported and the accounting system has not seen yet is
/// kept, and one it names as counted (`processor_payments`) is not counted twice
/// ([`crate::payment::merge_accounting_copy`]). Money reaching an early-payment discount's amount by its
/// deadline settles the invoice ([`crate::discount::settle`]); one without its own terms takes the
/// customer's when first stored. An invoice staff wrote off or handed over stays so while the
/// copy says it is open ([`crate::last_step::keep_decision`]). The write is conditional on the revision
/// read, and retried on a conflict.
///
/// If anything a message shows about it changed (status, amounts, dates, number...), every draft or
/// approval still waiting to go out that covers it is void: it is cancelled with the reason, and the
/// customer is planned again at once, so the draft comes back with the new figures (pending approval
/// again where the stage needs it) — or not at all, once nothing is owed. Returns the voided reminders.
pub async fn ingest_invoice<S: Store>(
    store: &S,
    policy: &Policy,
    invoice: &Invoice,
    now: DateTime<Utc>,
) -> Result<Vec<ReminderId>, CoreError> {
    invoice.validate()?;
    let customer = store.customer(&invoice.customer_id).await?;
    let written = Box::pin(rewrite_invoice(store, policy, &invoice.id, now, |stored| {
        let mut incoming = invoice.clone();
        crate::discount::take_terms(&mut incoming, stored, customer.as_ref());
        crate::payment::merge_accounting_copy(&mut incoming, stored);
        // Written off or handed over by staff: a copy still saying open does not put it back on the ladder.
        if let Some(stored) = stored {
            crate::last_step::keep_decision(&mut incoming, stored);
        }
        // Money reaching the discounted amount settles it if it arrives by the deadline; kindly knows no
        // better day for it than the day the copy arrives (or the day the processor reported it).
        if let Some(customer) = &customer {
            let today = now.with_timezone(&customer.time_zone).date_naive();
            crate::discount::settle(&mut incoming, customer.calendar(), today);
        }
        // An upheld dispute holds the invoice until the accounting system sends it corrected (or settled).
        // A payment alone corrects nothing: a customer may pay the part they agree with.
        let corrected = stored.is_some_and(|stored| corrected(stored, &incoming));
        if let Some(hold) = incoming.bookkeeping.hold.as_mut().filter(|hold| hold.until_corrected)
            && corrected
        {
            hold.lifted = true;
        }
        Ok(Rewrite::Write(incoming))
    }))
    .await?;
    Ok(match written {
        Rewrite::Write((_, after)) => after.voided,
        Rewrite::Keep(_) => Vec::new(),
    })
}

/// What a change to one invoice decided: write this, or keep the stored one (and why).
pub(super) enum Rewrite<T> {
    Write(T),
    Keep(String),
}

/// Read invoice `id`, let `change` decide its new state from the stored one (`None`: not stored yet), and
/// write that conditional on the revision read, moving the revision on and recomputing the next action date;
/// on a conflict, read and decide again. Then void, replan and thank as the change requires.
pub(super) async fn rewrite_invoice<S: Store>(
    store: &S,
    policy: &Policy,
    id: &InvoiceId,
    now: DateTime<Utc>,
    change: impl Fn(Option<&Invoice>) -> Result<Rewrite<Invoice>, CoreError>,
) -> Result<Rewrite<(Invoice, AfterChange)>, CoreError> {
    for _ in 0..WRITE_ATTEMPTS {
        let stored = store.invoice(id).await?;
        let mut updated = match change(stored.as_ref())? {
            Rewrite::Write(updated) => updated,
            Rewrite::Keep(why) => return Ok(Rewrite::Keep(why)),
        };
        if let Some(stored) = &stored {
            updated.bookkeeping.revision = stored.bookkeeping.revision + 1;
        }
        crate::paid_history::note_paid(&mut updated, stored.as_ref(), now.date_naive());
        updated.dunning.next_action_on = policy.next_action_on(&updated);
        let expected = stored.as_ref().map(|stored| stored.bookkeeping.revision);
        match store.replace_invoice(&updated, expected).await {
            Err(CoreError::Conflict(_)) => continue,
            other => other?,
        }
        let after = match &stored {
            Some(stored) => after_invoice_change(store, policy, stored, &updated, now).await?,
            None => AfterChange::default(),
        };
        return Ok(Rewrite::Write((updated, after)));
    }
    Err(CoreError::Conflict(format!(
        "invoice {id} kept changing while it was written; try again (a payment processor retries by itself)"
    )))
}

/// What [`after_invoice_change`] did.
#[derive(Default)]
pub(super) struct AfterChange {
    pub(super) voided: Vec<ReminderId>,
    pub(super) thank_you: Option<ReminderId>,
}

/// After an invoice changed from `before` to `after`: void the waiting messages the change makes wrong,
/// plan the customer again (also when it reopened), and thank them if it is now paid (a voided thank-you is
/// queued again with what is still paid). An invoice moved to another customer voids the old customer's
/// messages too.
async fn after_invoice_change<S: Store>(
    store: &S,
    policy: &Policy,
    before: &Invoice,
    after: &Invoice,
    now: DateTime<Utc>,
) -> Result<AfterChange, CoreError> {
    let shown_alike = shown_alike(before, after);
    let mut customers = vec![&after.customer_id];
    if before.customer_id != after.customer_id {
        customers.push(&before.customer_id);
    }
    let mut voided = Vec::new();
    let mut thank_you = None;
    for customer_id in customers {
        let mut to_thank = Vec::new();
        if !shown_alike {
            let reason = format!("invoice {} changed: the draft is void and planned again", after.number);
            // A customer's request for a payment plan waits for staff whatever its invoices do meanwhile.
            let void = void_waiting(store, customer_id, now, &reason, |reminder| {
                reminder.covers.iter().any(|covered| covered.invoice_id == after.id) && !reminder.is_plan_request()
            })
            .await?;
            // One reopened (a payment failed or was refunded) is owed its ladder again from today.
            let reopened = *customer_id == after.customer_id && after.is_remindable() && !before.is_remindable();
            if !void.is_empty() || reopened {
                replan_customer(store, policy, customer_id, now).await?;
            }
            to_thank = thanked_in(&void);
            voided.extend(void.into_iter().map(|reminder| reminder.id));
        }
        if *customer_id == after.customer_id {
            if after.status == InvoiceStatus::Paid && before.status != InvoiceStatus::Paid {
                to_thank.push(after.id.clone());
            }
            // A payment may keep a promise or bear out a claimed payment.
            if before.balance() > after.balance() || (before.is_remindable() && !after.is_remindable()) {
                let today = now.with_timezone(&chrono_tz::UTC).date_naive();
                let today = match store.customer(customer_id).await? {
                    Some(customer) => now.with_timezone(&customer.time_zone).date_naive(),
                    None => today,
                };
                super::settle::settle_by_facts(store, customer_id, today, now).await?;
            }
            thank_you = queue_thank_you(store, policy, customer_id, to_thank, now).await?;
        } else {
            queue_thank_you(store, policy, customer_id, to_thank, now).await?;
        }
    }
    Ok(AfterChange { voided, thank_you })
}

/// Whether `after` shows the same as `before` in a message: only kindly's own bookkeeping and ladder
/// progress differ, it is held for review or not alike, and no fee invoice took over its interest.
fn shown_alike(before: &Invoice, after: &Invoice) -> bool {
    Invoice {
        dunning: after.dunning.clone(),
        bookkeeping: after.bookkeeping.clone(),
        ..before.clone()
    } == *after
        && before.is_held() == after.is_held()
        && before.bookkeeping.interest_invoiced == after.bookkeeping.interest_invoiced
}

/// Whether the accounting system's `incoming` copy corrects `stored` (its total, status, dates, number…),
/// not only records money paid on it.
fn corrected(stored: &Invoice, incoming: &Invoice) -> bool {
    let payments_aside = Invoice {
        paid: stored.paid,
        processor_payments: stored.processor_payments.clone(),
        ..incoming.clone()
    };
    !shown_alike(stored, &payments_aside)
}

/// The invoices the voided thank-yous among `voided` thanked for: they are queued again.
fn thanked_in(voided: &[Reminder]) -> Vec<InvoiceId> {
    voided
        .iter()
        .filter(|reminder| reminder.is_thank_you())
        .flat_map(Reminder::invoice_ids)
        .collect()
}

/// Cancel, with `reason`, every draft or approval of the customer's still waiting to go out that `affected`
/// picks. One a sender claimed meanwhile is left to its sender, whose own re-check sees the change.
/// Returns the voided ones.
pub(super) async fn void_waiting<S: Store>(
    store: &S,
    customer_id: &CustomerId,
    now: DateTime<Utc>,
    reason: &str,
    affected: impl Fn(&Reminder) -> bool,
) -> Result<Vec<Reminder>, CoreError> {
    let mut voided = Vec::new();
    for read in store.reminders_of_customer(customer_id).await? {
        if let Some(reminder) = void_one(store, read, now, reason, &affected).await? {
            voided.push(reminder);
        }
    }
    Ok(voided)
}

/// Void `reminder` if it waits and is `affected`. A conflict means it changed since it was read: read it
/// again and decide again (a sender may have claimed it, so it is no longer waiting; or it was planned
/// again and waits still, and must go too), a few times.
async fn void_one<S: Store>(
    store: &S,
    mut reminder: Reminder,
    now: DateTime<Utc>,
    reason: &str,
    affected: &impl Fn(&Reminder) -> bool,
) -> Result<Option<Reminder>, CoreError> {
    for _ in 0..WRITE_ATTEMPTS {
        let expected = reminder.status;
        // A payment review stays: it asks staff, not the customer, to settle the invoice, whatever else
        // changes on it. So does an acknowledgement: it answers the customer, whatever changed since.
        let stays = reminder.is_payment_review() || reminder.is_acknowledgement();
        if !expected.is_waiting() || stays || !affected(&reminder) {
            return Ok(None);
        }
        let id = reminder.id.clone();
        reminder.transition(ReminderStatus::Cancelled, now, &Actor::System, Some(reason.to_owned()))?;
        match store.update_reminder(&reminder, expected, &[]).await {
            Ok(()) => return Ok(Some(reminder)),
            Err(CoreError::Conflict(_)) => match store.reminder(&id).await? {
                Some(again) => reminder = again,
                None => return Ok(None),
            },
            Err(other) => return Err(other),
        }
    }
    Err(CoreError::Conflict(format!(
        "reminder {} kept changing while it was voided",
        reminder.id
    )))
}
