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
    /// Money arrived. A partial payment lowers the balance; more than the balance is recorded as paid (the
    /// overpayment shows as `paid > total`).
    Received { amount: Decimal, currency: Currency },
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
            updated.paid = invoice.paid + amount;
            updated.bookkeeping.processor_paid += amount;
            if let Some(payment) = event.id.strip_suffix(RECEIVED) {
                updated.bookkeeping.payments_in_flight.remove(payment);
            }
            let owed = updated.paid < updated.total;
            updated.status = match invoice.status {
                InvoiceStatus::Open | InvoiceStatus::PaymentPending | InvoiceStatus::Disputed if !owed => {
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
            let refunded = refunded_so_far - before;
            updated.paid = (invoice.paid - refunded).max(Decimal::ZERO);
            updated.bookkeeping.processor_paid = (invoice.bookkeeping.processor_paid - refunded).max(Decimal::ZERO);
            if updated.status == InvoiceStatus::Paid && updated.paid < updated.total {
                updated.status = InvoiceStatus::Open;
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

    fn moment(text: &str) -> DateTime<Utc> {
        text.parse().expect("an RFC 3339 instant")
    }

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

    /// `payment` pending (`true`) or failed, as the processor said at `at` (an instant on 2026-03-20).
    fn in_flight(key: &str, payment: &str, pending: bool, at: &str) -> PaymentEvent {
        let (payment, at) = (payment.to_owned(), moment(&format!("2026-03-20T{at}:00Z")));
        match pending {
            true => event(key, PaymentChange::Pending { payment, at }),
            false => event(key, PaymentChange::PendingFailed { payment, at }),
        }
    }

    #[test]
    fn pending_pauses_and_a_late_pending_does_not_reopen_a_paid_invoice() {
        let open = invoice("I1", "C1", "2026-03-10", None);
        let pending = changed(apply_payment(&open, &in_flight("evt_p", "pi_1", true, "10:00")));
        assert_eq!(pending.status, InvoiceStatus::PaymentPending);
        assert!(!pending.is_remindable());
        let failed = changed(apply_payment(&pending, &in_flight("evt_f", "pi_1", false, "11:00")));
        assert_eq!(failed.status, InvoiceStatus::Open);
        let paid = changed(apply_payment(&open, &received("pi_1:received", "100.00")));
        let late = apply_payment(&paid, &in_flight("evt_p", "pi_1", true, "09:00")).unwrap();
        assert!(matches!(late, Applied::Unchanged(_)), "{late:?}");
    }

    #[test]
    fn a_pending_delivered_after_the_outcome_does_not_leave_the_invoice_pending() {
        let open = invoice("I1", "C1", "2026-03-10", None);
        // The failure (11:00) arrives before the "processing" it ends (10:00)
        let failed = changed(apply_payment(&open, &in_flight("evt_f", "pi_1", false, "11:00")));
        assert_eq!(failed.status, InvoiceStatus::Open);
        let late = apply_payment(&failed, &in_flight("evt_p", "pi_1", true, "10:00")).unwrap();
        assert!(
            matches!(&late, Applied::Unchanged(why) if why.contains("newer")),
            "{late:?}"
        );
        // A part payment arrives before its own "processing": that payment is no longer on its way
        let part = changed(apply_payment(&open, &received("pi_2:received", "40.00")));
        let late = apply_payment(&part, &in_flight("evt_p2", "pi_2", true, "10:00")).unwrap();
        assert!(matches!(late, Applied::Unchanged(_)), "{late:?}");
        // The same payment retried later is pending again; its success clears it while another still waits
        let retried = changed(apply_payment(&failed, &in_flight("evt_p3", "pi_1", true, "12:00")));
        let both = changed(apply_payment(&retried, &in_flight("evt_p4", "pi_3", true, "12:30")));
        let one_left = changed(apply_payment(&both, &received("pi_1:received", "40.00")));
        assert_eq!(
            one_left.status,
            InvoiceStatus::PaymentPending,
            "pi_3 is still on its way"
        );
        let none_left = changed(apply_payment(&one_left, &in_flight("evt_f3", "pi_3", false, "13:00")));
        assert_eq!(none_left.status, InvoiceStatus::Open);
    }

    #[test]
    fn a_payment_pending_too_long_expires_into_a_hold_for_review() {
        let open = invoice("I1", "C1", "2026-03-10", None);
        let pending = changed(apply_payment(&open, &in_flight("evt_p", "pi_1", true, "10:00")));
        assert_eq!(
            expire_pending(&pending, moment("2026-04-03T09:59:00Z"), 14),
            None,
            "not yet 14 days"
        );
        let (expired, payments) = expire_pending(&pending, moment("2026-04-03T10:00:00Z"), 14).unwrap();
        assert_eq!(payments, ["pi_1"]);
        assert_eq!(expired.status, InvoiceStatus::Open);
        assert!(
            expired.is_held() && !expired.is_remindable(),
            "staff check it before anyone is reminded"
        );
        assert!(expired.bookkeeping.held_for_review[0].contains("pi_1"), "{expired:?}");
        assert_eq!(
            expire_pending(&expired, moment("2026-05-01T00:00:00Z"), 14),
            None,
            "once"
        );
        // The processor's word arriving after all still counts
        let paid = changed(apply_payment(&expired, &received("pi_1:received", "100.00")));
        assert_eq!(paid.status, InvoiceStatus::Paid);
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
        let pending = changed(apply_payment(&open, &in_flight("pi_2:pending", "pi_2", true, "10:00")));
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
