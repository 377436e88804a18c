//! Payments a payment processor reports, applied to an invoice. Pure: the webhook parses the processor's
//! events into [`PaymentEvent`]s and a service stores the result. Each event is keyed by the processor's
//! event id, kept on the invoice, so applying one twice changes nothing; and a late "pending" after the
//! money arrived does not reopen anything.

use crate::actor::Actor;
use crate::error::CoreError;
use crate::invoice::{Invoice, InvoiceStatus};
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
    /// Money arrived. A partial payment lowers the balance; more than the balance is recorded as paid (the
    /// overpayment shows as `paid > total`).
    Received { amount: Decimal, currency: Currency },
    /// A payment is on its way (a bank debit clearing): no reminders meanwhile, but not paid yet.
    Pending,
    /// The pending payment failed: reminders resume.
    PendingFailed,
    /// Money went back to the customer: `refunded_so_far` is the total refunded on `payment` to date (as
    /// processors report it), so the balance reopens by what is new since the last refund seen.
    Refunded {
        payment: String,
        refunded_so_far: Decimal,
        currency: Currency,
    },
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

/// Why `event` cannot be applied by kindly and needs a person: money in another currency than the invoice's
/// (what it settles depends on a rate and fees kindly does not know). `None` when it can be applied.
pub fn needs_review(invoice: &Invoice, event: &PaymentEvent) -> Option<String> {
    let (what, amount, currency) = match &event.change {
        PaymentChange::Received { amount, currency } => ("received", amount, currency),
        PaymentChange::Refunded {
            refunded_so_far,
            currency,
            ..
        } => ("refunded (so far)", refunded_so_far, currency),
        PaymentChange::Pending | PaymentChange::PendingFailed => return None,
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
            updated.paid = invoice.paid + amount;
            updated.bookkeeping.processor_paid += amount;
            let owed = updated.paid < updated.total;
            updated.status = match invoice.status {
                InvoiceStatus::Open | InvoiceStatus::PaymentPending | InvoiceStatus::Disputed if !owed => {
                    InvoiceStatus::Paid
                }
                InvoiceStatus::PaymentPending => InvoiceStatus::Open,
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
            let refunded = refunded_so_far - before;
            updated.paid = (invoice.paid - refunded).max(Decimal::ZERO);
            updated.bookkeeping.processor_paid = (invoice.bookkeeping.processor_paid - refunded).max(Decimal::ZERO);
            if updated.status == InvoiceStatus::Paid && updated.paid < updated.total {
                updated.status = InvoiceStatus::Open;
            }
            key = format!("{prefix}{refunded_so_far}");
        }
        PaymentChange::Pending => {
            if invoice.status != InvoiceStatus::Open {
                return unchanged(format!(
                    "invoice {} is {}, not open",
                    invoice.number,
                    invoice.status.as_str()
                ));
            }
            updated.status = InvoiceStatus::PaymentPending;
        }
        PaymentChange::PendingFailed => {
            if invoice.status != InvoiceStatus::PaymentPending {
                return unchanged(format!(
                    "invoice {} is {}, no payment was pending",
                    invoice.number,
                    invoice.status.as_str()
                ));
            }
            updated.status = InvoiceStatus::Open;
        }
    }
    updated.bookkeeping.payment_events.push(key);
    Ok(Applied::Changed(Box::new(updated)))
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

/// Merge the accounting system's copy of an invoice (`incoming`) with what the processor reported on the
/// stored one: the accounting system may not have seen a payment yet, and its copy must not undo it (that
/// would remind someone who has paid). `paid` is at least what the processor received, net of refunds; an
/// open invoice that this settles is paid; and one with a processor payment in flight stays pending. Any
/// other status the accounting system sets (void, written off, disputed...) stands.
pub fn keep_processor_payments(incoming: &mut Invoice, stored: &Invoice) {
    incoming.paid = incoming.paid.max(stored.bookkeeping.processor_paid);
    if incoming.status != InvoiceStatus::Open {
        return;
    }
    if incoming.total > Decimal::ZERO && incoming.paid >= incoming.total {
        incoming.status = InvoiceStatus::Paid;
    } else if stored.status == InvoiceStatus::PaymentPending {
        incoming.status = InvoiceStatus::PaymentPending;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::invoice;

    fn usd() -> Currency {
        Currency::from_code("USD").unwrap()
    }

    fn event(id: &str, change: PaymentChange) -> PaymentEvent {
        PaymentEvent { id: id.into(), change }
    }

    fn received(id: &str, amount: &str) -> PaymentEvent {
        event(
            id,
            PaymentChange::Received {
                amount: amount.parse().unwrap(),
                currency: usd(),
            },
        )
    }

    fn changed(applied: Result<Applied, CoreError>) -> Invoice {
        match applied.unwrap() {
            Applied::Changed(invoice) => *invoice,
            Applied::Unchanged(why) => panic!("unchanged: {why}"),
        }
    }

    #[test]
    fn partial_then_full_payment_and_an_overpayment() {
        let open = invoice("I1", "C1", "2026-03-10", None); // 100.00 USD
        let part = changed(apply_payment(&open, &received("evt_1", "40.00")));
        assert_eq!(
            (part.status, part.balance()),
            (InvoiceStatus::Open, "60.00".parse().unwrap())
        );
        let paid = changed(apply_payment(&part, &received("evt_2", "75.00")));
        assert_eq!(paid.status, InvoiceStatus::Paid);
        assert_eq!(
            paid.paid,
            "115.00".parse::<Decimal>().unwrap(),
            "the overpayment is recorded"
        );
        assert_eq!(paid.balance(), Decimal::ZERO);
        assert_eq!(paid.bookkeeping.payment_events, vec!["evt_1", "evt_2"]);
    }

    #[test]
    fn an_event_applies_once() {
        let open = invoice("I1", "C1", "2026-03-10", None);
        let part = changed(apply_payment(&open, &received("evt_1", "40.00")));
        assert!(matches!(
            apply_payment(&part, &received("evt_1", "40.00")),
            Ok(Applied::Unchanged(_))
        ));
    }

    #[test]
    fn pending_pauses_and_a_late_pending_does_not_reopen_a_paid_invoice() {
        let open = invoice("I1", "C1", "2026-03-10", None);
        let pending = changed(apply_payment(&open, &event("evt_p", PaymentChange::Pending)));
        assert_eq!(pending.status, InvoiceStatus::PaymentPending);
        assert!(!pending.is_remindable());
        let failed = changed(apply_payment(&pending, &event("evt_f", PaymentChange::PendingFailed)));
        assert_eq!(failed.status, InvoiceStatus::Open);
        let paid = changed(apply_payment(&open, &received("evt_s", "100.00")));
        let late = apply_payment(&paid, &event("evt_p", PaymentChange::Pending)).unwrap();
        assert!(matches!(late, Applied::Unchanged(_)), "{late:?}");
    }

    #[test]
    fn a_refund_reopens_the_balance() {
        let open = invoice("I1", "C1", "2026-03-10", None);
        let paid = changed(apply_payment(&open, &received("evt_s", "100.00")));
        let refunded = changed(apply_payment(
            &paid,
            &event(
                "evt_r",
                PaymentChange::Refunded {
                    payment: "ch_1".into(),
                    refunded_so_far: "30.00".parse().unwrap(),
                    currency: usd(),
                },
            ),
        ));
        assert_eq!(
            (refunded.status, refunded.balance()),
            (InvoiceStatus::Open, "30.00".parse().unwrap())
        );
        // The next refund event reports the running total: only what is new reopens, and a replay nothing
        let refund = |id: &str, so_far: &str| {
            event(
                id,
                PaymentChange::Refunded {
                    payment: "ch_1".into(),
                    refunded_so_far: so_far.parse().unwrap(),
                    currency: usd(),
                },
            )
        };
        let more = changed(apply_payment(&refunded, &refund("evt_r2", "50.00")));
        assert_eq!(more.balance(), "50.00".parse::<Decimal>().unwrap());
        let replayed = apply_payment(&more, &refund("evt_r1_again", "30.00"));
        assert!(matches!(replayed, Ok(Applied::Unchanged(_))), "{replayed:?}");
    }

    #[test]
    fn money_in_another_currency_holds_the_invoice_for_review_once() {
        let open = invoice("I1", "C1", "2026-03-10", None);
        let euros = event(
            "pi_e:received",
            PaymentChange::Received {
                amount: "100".parse().unwrap(),
                currency: Currency::from_code("EUR").unwrap(),
            },
        );
        let held = changed(apply_payment(&open, &euros));
        assert_eq!((held.status, held.paid), (open.status, open.paid), "no amount changes");
        assert!(held.is_held() && !held.is_remindable(), "nobody is reminded meanwhile");
        assert!(held.bookkeeping.held_for_review[0].contains("100 EUR"), "{held:?}");
        assert!(
            matches!(apply_payment(&held, &euros), Ok(Applied::Unchanged(_))),
            "once"
        );
        // The task names it and waits for a person; doing it releases the hold
        let day = "2026-03-20".parse().unwrap();
        let task = review_task(&held, &euros.id, day, chrono::Utc::now()).unwrap();
        assert_eq!(task.status, ReminderStatus::PendingApproval);
        assert!(task.is_payment_review() && task.is_off_ladder() && task.draft.is_none());
        assert!(task.task.as_deref().unwrap().contains("100 EUR"), "{task:?}");
        let free = released(&held).unwrap();
        assert!(free.is_remindable());
        assert_eq!(released(&open), None);
    }

    #[test]
    fn the_accounting_systems_copy_never_undoes_a_processor_payment() {
        let open = invoice("I1", "C1", "2026-03-01", None);
        let paid = changed(apply_payment(&open, &received("pi_1:received", "100.00")));
        assert_eq!(paid.bookkeeping.processor_paid, "100.00".parse::<Decimal>().unwrap());
        // The accounting system has not seen the payment yet: its copy says open, nothing paid
        let mut incoming = open.clone();
        keep_processor_payments(&mut incoming, &paid);
        assert_eq!((incoming.status, incoming.paid), (InvoiceStatus::Paid, paid.paid));
        // It has seen it and one more by bank: its larger figure stands
        let mut incoming = open.clone();
        incoming.paid = "120.00".parse().unwrap();
        incoming.status = InvoiceStatus::Paid;
        keep_processor_payments(&mut incoming, &paid);
        assert_eq!(incoming.paid, "120.00".parse::<Decimal>().unwrap());
        // It voided the invoice: that stands
        let mut incoming = open.clone();
        incoming.status = InvoiceStatus::Void;
        keep_processor_payments(&mut incoming, &paid);
        assert_eq!(incoming.status, InvoiceStatus::Void);
        // A payment in flight keeps the invoice pending; a full refund gives the accounting system its say again
        let pending = changed(apply_payment(&open, &event("pi_2:pending", PaymentChange::Pending)));
        let mut incoming = open.clone();
        keep_processor_payments(&mut incoming, &pending);
        assert_eq!(incoming.status, InvoiceStatus::PaymentPending);
        let refund = PaymentChange::Refunded {
            payment: "pi_1".into(),
            refunded_so_far: "100.00".parse().unwrap(),
            currency: usd(),
        };
        let refunded = changed(apply_payment(&paid, &event("ch_1:refunded", refund)));
        assert_eq!(refunded.bookkeeping.processor_paid, Decimal::ZERO);
        let mut incoming = open.clone();
        keep_processor_payments(&mut incoming, &refunded);
        assert_eq!((incoming.status, incoming.paid), (InvoiceStatus::Open, Decimal::ZERO));
    }
}
