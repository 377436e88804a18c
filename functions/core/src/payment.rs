//! Payments a payment processor reports, applied to an invoice. Pure: the webhook parses the processor's
//! events into [`PaymentEvent`]s and a service stores the result. Each event is keyed by the processor's
//! event id, kept on the invoice, so applying one twice changes nothing; and a late "pending" after the
//! money arrived does not reopen anything.

use crate::actor::Actor;
use crate::error::CoreError;
use crate::invoice::{InFlight, Invoice, InvoiceStatus};
use crate::money::Currency;
use crate::policy::PAYMENT_REVIEW_STAGE;
use crate::reminder::{CoveredInvoice, Reminder, ReminderId};
use crate::status::ReminderStatus;
use crate::tone::Tone;
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;

/// What happened to the money for one invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentChange {
    /// Money arrived, at `at` (the processor's time: its customer-local day decides whether an early-payment
    /// discount applies, [`crate::discount::settle`]). A partial payment lowers the balance; more than the
    /// balance is recorded as paid (the overpayment shows as `paid > total`).
    Received {
        amount: Decimal,
        currency: Currency,
        at: DateTime<Utc>,
    },
    /// `payment` is on its way (a bank debit clearing), as of `at` (the processor's time): no reminders
    /// meanwhile, but not paid yet. An event older than the latest seen about that payment changes nothing.
    Pending { payment: String, at: DateTime<Utc> },
    /// `payment` failed, as of `at`: reminders resume unless another payment is still pending.
    PendingFailed { payment: String, at: DateTime<Utc> },
    /// Money went back to the customer: `refunded_so_far` is the total refunded on `payment` to date (as
    /// processors report it), so the balance reopens by what is new since the last refund seen.
    Refunded {
        payment: String,
        refunded_so_far: Decimal,
        currency: Currency,
    },
}

/// How the key of money received names its payment: `pi_123:received`.
const RECEIVED: &str = ":received";

/// The key of money received on `payment`: a payment is received once, however many events report it.
pub fn received_key(payment: &str) -> String {
    format!("{payment}{RECEIVED}")
}

/// One processor event about one invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentEvent {
    /// The idempotency key: what this change is about, so that two events reporting the same payment (a
    /// checkout and its payment intent, say) apply once — e.g. `pi_123:received`.
    pub id: String,
    pub change: PaymentChange,
}

/// The outcome of applying an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    /// The invoice as it is now; store it.
    Changed(Box<Invoice>),
    /// Nothing to do, and why.
    Unchanged(String),
}

impl PaymentChange {
    /// When the processor says it happened, where it says so (a refund's report carries no time of its own).
    pub fn at(&self) -> Option<DateTime<Utc>> {
        match self {
            PaymentChange::Received { at, .. }
            | PaymentChange::Pending { at, .. }
            | PaymentChange::PendingFailed { at, .. } => Some(*at),
            PaymentChange::Refunded { .. } => None,
        }
    }
}

/// Why `event` cannot be applied by kindly and needs a person: money in another currency than the invoice's
/// (what it settles depends on a rate and fees kindly does not know). `None` when it can be applied.
pub fn needs_review(invoice: &Invoice, event: &PaymentEvent) -> Option<String> {
    let (what, amount, currency) = match &event.change {
        PaymentChange::Received { amount, currency, .. } => ("received", amount, currency),
        PaymentChange::Refunded {
            refunded_so_far,
            currency,
            ..
        } => ("refunded (so far)", refunded_so_far, currency),
        PaymentChange::Pending { .. } | PaymentChange::PendingFailed { .. } => return None,
    };
    (*currency != invoice.currency).then(|| {
        format!(
            "payment {}: {amount} {currency} {what}, but invoice {} is in {}",
            event.id, invoice.number, invoice.currency
        )
    })
}

/// Apply `event` to `invoice`. Money in another currency changes no amount: the event is recorded (so a
/// retry changes nothing) and the invoice is held for review ([`needs_review`]), so that nobody is reminded
/// of it until staff have settled it.
pub fn apply_payment(invoice: &Invoice, event: &PaymentEvent) -> Result<Applied, CoreError> {
    let unchanged = |why: String| Ok(Applied::Unchanged(why));
    if invoice.bookkeeping.payment_events.contains(&event.id) {
        return unchanged(format!("{} was applied already", event.id));
    }
    let mut updated = invoice.clone();
    if let Some(reason) = needs_review(invoice, event) {
        updated.bookkeeping.held_for_review.push(reason);
        updated.bookkeeping.payment_events.push(event.id.clone());
        return Ok(Applied::Changed(Box::new(updated)));
    }
    let mut key = event.id.clone();
    match &event.change {
        PaymentChange::Received { amount, .. } => {
            if *amount <= Decimal::ZERO {
                return unchanged(format!("{} moves no money", event.id));
            }
            let payment = event.id.strip_suffix(RECEIVED).unwrap_or(&event.id);
            updated.bookkeeping.payments_in_flight.remove(payment);
            receive(&mut updated, payment, *amount);
            let owed = updated.paid < updated.total;
            updated.status = match invoice.status {
                // Money on an invoice given up on still pays it: a late payment is recorded and thanked.
                InvoiceStatus::Open
                | InvoiceStatus::PaymentPending
                | InvoiceStatus::Disputed
                | InvoiceStatus::WrittenOff
                | InvoiceStatus::HandedOver
                | InvoiceStatus::OnPaymentPlan
                    if !owed =>
                {
                    InvoiceStatus::Paid
                }
                InvoiceStatus::PaymentPending if !still_pending(&updated) => InvoiceStatus::Open,
                status => status,
            };
        }
        PaymentChange::Refunded {
            payment,
            refunded_so_far,
            ..
        } => {
            // Refunds are reported as a running total per payment; the keys remember the last total seen.
            let prefix = format!("{payment}:refunded:");
            let before = invoice
                .bookkeeping
                .payment_events
                .iter()
                .filter_map(|seen| seen.strip_prefix(&prefix)?.parse::<Decimal>().ok())
                .max()
                .unwrap_or_default();
            if *refunded_so_far <= before {
                return unchanged(format!("refunds of {payment} up to {before} were applied already"));
            }
            receive(&mut updated, payment, before - refunded_so_far);
            if updated.status == InvoiceStatus::Paid && updated.paid < updated.total {
                updated.status = reopened(&updated);
            }
            key = format!("{prefix}{refunded_so_far}");
        }
        PaymentChange::Pending { payment, at } => {
            if invoice.bookkeeping.payment_events.contains(&received_key(payment)) {
                return unchanged(format!("{payment} was received already"));
            }
            if let Some(seen) = newer(invoice, payment, |seen| seen >= *at) {
                return unchanged(seen);
            }
            if !matches!(invoice.status, InvoiceStatus::Open | InvoiceStatus::PaymentPending) {
                return unchanged(format!(
                    "invoice {} is {}, not open",
                    invoice.number,
                    invoice.status.as_str()
                ));
            }
            let pending = InFlight { at: *at, pending: true };
            updated.bookkeeping.payments_in_flight.insert(payment.clone(), pending);
            updated.status = InvoiceStatus::PaymentPending;
        }
        PaymentChange::PendingFailed { payment, at } => {
            // A failure at the same instant as "pending" is the later word; "pending" never undoes it.
            if let Some(seen) = newer(invoice, payment, |seen| seen > *at) {
                return unchanged(seen);
            }
            let failed = InFlight {
                at: *at,
                pending: false,
            };
            updated.bookkeeping.payments_in_flight.insert(payment.clone(), failed);
            if invoice.status == InvoiceStatus::PaymentPending && !still_pending(&updated) {
                updated.status = InvoiceStatus::Open;
            }
        }
    }
    updated.bookkeeping.payment_events.push(key);
    Ok(Applied::Changed(Box::new(updated)))
}

/// Why an event about `payment` is stale: the latest event seen about it is newer (`is_newer` of its time).
fn newer(invoice: &Invoice, payment: &str, is_newer: impl Fn(DateTime<Utc>) -> bool) -> Option<String> {
    let seen = invoice.bookkeeping.payments_in_flight.get(payment)?;
    is_newer(seen.at).then(|| {
        let word = if seen.pending { "pending" } else { "failed" };
        format!(
            "{payment} was already reported {word} by a newer event (of {})",
            seen.at
        )
    })
}

/// Whether any payment on `invoice` is still on its way.
fn still_pending(invoice: &Invoice) -> bool {
    invoice.bookkeeping.payments_in_flight.values().any(|seen| seen.pending)
}

/// `invoice` once kindly stops waiting for payments pending `days` or more at `now`: each such payment is no
/// longer counted as on its way, and the invoice is held for staff to check it with the processor or the
/// bank (it may have cleared without the processor's word reaching kindly, so nobody is reminded
/// meanwhile). Returns the invoice and the payments that expired; `None` when none did.
pub fn expire_pending(invoice: &Invoice, now: DateTime<Utc>, days: u32) -> Option<(Invoice, Vec<String>)> {
    let limit = chrono::Duration::days(i64::from(days));
    let mut updated = invoice.clone();
    let mut expired = Vec::new();
    for (payment, seen) in &mut updated.bookkeeping.payments_in_flight {
        if seen.pending && now - seen.at >= limit {
            seen.pending = false;
            expired.push(payment.clone());
            updated.bookkeeping.held_for_review.push(format!(
                "payment {payment} has been pending since {} and the processor has said nothing more in {days} days",
                seen.at.date_naive()
            ));
        }
    }
    if expired.is_empty() {
        return None;
    }
    if updated.status == InvoiceStatus::PaymentPending && !still_pending(&updated) {
        updated.status = InvoiceStatus::Open;
    }
    Some((updated, expired))
}

/// The task asking staff to settle the payments `invoice` is held for, for its customer on `local_date`
/// (theirs). One per review (`event_id`), so a later review is a new task; it waits for a person, and doing
/// it releases the hold.
pub fn review_task(
    invoice: &Invoice,
    event_id: &str,
    local_date: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Reminder, CoreError> {
    let tone = invoice.dunning.last_tone.unwrap_or(Tone::Courteous);
    let mut task = Reminder {
        id: ReminderId::for_plan(
            &invoice.customer_id,
            &format!("{PAYMENT_REVIEW_STAGE}:{event_id}"),
            std::slice::from_ref(&invoice.id),
        ),
        customer_id: invoice.customer_id.clone(),
        stage_id: PAYMENT_REVIEW_STAGE.to_owned(),
        tone,
        covers: vec![CoveredInvoice {
            invoice_id: invoice.id.clone(),
            stage_id: PAYMENT_REVIEW_STAGE.to_owned(),
            tone,
        }],
        status: ReminderStatus::Planned,
        planned_for: local_date,
        created_at: now,
        draft: None,
        task: Some(format!(
            "Settle by hand what kindly could not: {}. Record it in the accounting system, then mark this task \
             done: until then nobody is reminded of invoice {}.",
            invoice.bookkeeping.held_for_review.join("; "),
            invoice.number
        )),
        approval: None,
        sent_message_id: None,
        sent_on: None,
        failure: None,
        history: Vec::new(),
    };
    task.transition(ReminderStatus::PendingApproval, now, &Actor::System, None)?;
    Ok(task)
}

/// `invoice` once staff have done its payment review: the hold is released, and it is remindable again if
/// it is still open and owed. `None` when it was not held.
pub fn released(invoice: &Invoice) -> Option<Invoice> {
    invoice.is_held().then(|| {
        let mut released = invoice.clone();
        released.bookkeeping.held_for_review.clear();
        released
    })
}

/// What `invoice` counts as paid in all: the accounting system's own `paid`, plus what the processor
/// received on each payment the accounting system does not count, and with the processor's word (net of its
/// refunds) instead of the accounting system's on each payment both know of. Never below zero.
pub fn paid_in_all(invoice: &Invoice) -> Decimal {
    let book = &invoice.bookkeeping;
    let counted_by_both: Decimal = book
        .receipts
        .keys()
        .filter_map(|payment| invoice.processor_payments.get(payment))
        .sum();
    let counted = (accounting_paid(invoice) + book.processor_paid - counted_by_both).max(Decimal::ZERO);
    counted.max(book.confirmed_paid.unwrap_or(Decimal::ZERO))
}

/// Staff confirmed that the payment a customer said they made arrived: the invoice counts as paid in full
/// from now on, whatever copy the accounting system sends before it records the payment itself.
pub fn confirm_received(invoice: &mut Invoice) {
    invoice.bookkeeping.accounting_paid = Some(accounting_paid(invoice));
    invoice.bookkeeping.confirmed_paid = Some(invoice.total);
    invoice.paid = paid_in_all(invoice);
    if invoice.balance().is_zero() && matches!(invoice.status, InvoiceStatus::Open | InvoiceStatus::OnPaymentPlan) {
        invoice.status = InvoiceStatus::Paid;
    }
}

/// The accounting system's own `paid` on `invoice`. One stored before kindly kept it counted the
/// processor's money on top of it.
fn accounting_paid(invoice: &Invoice) -> Decimal {
    let book = &invoice.bookkeeping;
    book.accounting_paid
        .unwrap_or_else(|| (invoice.paid - book.processor_paid).max(Decimal::ZERO))
}

/// Record `amount` (negative: refunded) as received by the processor on `payment`, and recount `paid`.
fn receive(invoice: &mut Invoice, payment: &str, amount: Decimal) {
    invoice.bookkeeping.accounting_paid = Some(accounting_paid(invoice));
    *invoice.bookkeeping.receipts.entry(payment.to_owned()).or_default() += amount;
    invoice.bookkeeping.processor_paid += amount;
    invoice.paid = paid_in_all(invoice);
}

/// Merge the accounting system's copy of an invoice (`incoming`, whose `paid` counts the processor's
/// payments it names in `processor_payments`) with what the processor reported on the stored one: the
/// accounting system may not have seen a payment yet, and its copy must not undo it (that would remind
/// someone who has paid); nor may a payment both report count twice. `paid` becomes [`paid_in_all`]; an
/// open invoice that this settles is paid; and one with a processor payment in flight stays pending.
///
/// The ladder's progress and the bookkeeping are kindly's own and come from the stored copy.
pub fn merge_accounting_copy(incoming: &mut Invoice, stored: Option<&Invoice>) {
    if let Some(stored) = stored {
        incoming.dunning = stored.dunning.clone();
        incoming.bookkeeping = stored.bookkeeping.clone();
    }
    incoming.bookkeeping.accounting_paid = Some(incoming.paid);
    incoming.paid = paid_in_all(incoming);
    let Some(stored) = stored else {
        return;
    };
    if incoming.status != InvoiceStatus::Open {
        return;
    }
    if incoming.total > Decimal::ZERO && incoming.paid >= incoming.total {
        incoming.status = InvoiceStatus::Paid;
    } else if stored.status == InvoiceStatus::PaymentPending {
        incoming.status = InvoiceStatus::PaymentPending;
    } else {
        // The accounting system rarely knows of kindly's plans: its "open" leaves one running as it is.
        incoming.status = reopened(incoming);
    }
}

/// The status an invoice that is owed again (a refund) or still owed goes back to: its payment plan's, while
/// one runs, and otherwise open.
fn reopened(invoice: &Invoice) -> InvoiceStatus {
    if invoice.on_running_plan() {
        InvoiceStatus::OnPaymentPlan
    } else {
        InvoiceStatus::Open
    }
}

#[cfg(test)]
#[path = "payment_tests.rs"]
mod tests;
