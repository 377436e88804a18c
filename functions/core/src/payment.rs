//! Payments a payment processor reports, applied to an invoice. Pure: the webhook parses the processor's
//! events into [`PaymentEvent`]s and a service stores the result. Each event is keyed by the processor's
//! event id, kept on the invoice, so applying one twice changes nothing; and a late "pending" after the
//! money arrived does not reopen anything.

use crate::error::CoreError;
use crate::invoice::{Invoice, InvoiceStatus};
use crate::money::Currency;
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

/// Apply `event` to `invoice`. Refuses an amount in another currency, naming the field.
pub fn apply_payment(invoice: &Invoice, event: &PaymentEvent) -> Result<Applied, CoreError> {
    let unchanged = |why: String| Ok(Applied::Unchanged(why));
    if invoice.bookkeeping.payment_events.contains(&event.id) {
        return unchanged(format!("{} was applied already", event.id));
    }
    let same_currency = |currency: &Currency| {
        if *currency == invoice.currency {
            return Ok(());
        }
        Err(CoreError::InvalidField {
            record: "payment",
            id: event.id.clone(),
            field: "currency",
            problem: format!(
                "is {currency}, but invoice {} is in {}",
                invoice.number, invoice.currency
            ),
        })
    };
    let mut updated = invoice.clone();
    let mut key = event.id.clone();
    match &event.change {
        PaymentChange::Received { amount, currency } => {
            same_currency(currency)?;
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
            currency,
        } => {
            same_currency(currency)?;
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
    fn money_in_another_currency_is_refused_by_field() {
        let open = invoice("I1", "C1", "2026-03-10", None);
        let euros = event(
            "evt_e",
            PaymentChange::Received {
                amount: "100".parse().unwrap(),
                currency: Currency::from_code("EUR").unwrap(),
            },
        );
        assert!(matches!(
            apply_payment(&open, &euros),
            Err(CoreError::InvalidField { field: "currency", .. })
        ));
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
