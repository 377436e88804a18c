//! Tests of [`super`]: the payment rules on their own.
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
            at: moment("2026-03-01T12:00:00Z"),
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
            at: moment("2026-03-01T12:00:00Z"),
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
    merge_accounting_copy(&mut incoming, Some(&paid));
    assert_eq!((incoming.status, incoming.paid), (InvoiceStatus::Paid, paid.paid));
    // It has seen it (and says so) and one more by bank: both count, the processor's once
    let mut incoming = open.clone();
    incoming.paid = "120.00".parse().unwrap();
    incoming.processor_payments = [("pi_1".to_owned(), "100.00".parse().unwrap())].into();
    incoming.status = InvoiceStatus::Paid;
    merge_accounting_copy(&mut incoming, Some(&paid));
    assert_eq!(incoming.paid, "120.00".parse::<Decimal>().unwrap());
    // It voided the invoice: that stands
    let mut incoming = open.clone();
    incoming.status = InvoiceStatus::Void;
    merge_accounting_copy(&mut incoming, Some(&paid));
    assert_eq!(incoming.status, InvoiceStatus::Void);
    // A payment in flight keeps the invoice pending; a full refund gives the accounting system its say again
    let pending = changed(apply_payment(&open, &in_flight("pi_2:pending", "pi_2", true, "10:00")));
    let mut incoming = open.clone();
    merge_accounting_copy(&mut incoming, Some(&pending));
    assert_eq!(incoming.status, InvoiceStatus::PaymentPending);
    let refund = PaymentChange::Refunded {
        payment: "pi_1".into(),
        refunded_so_far: "100.00".parse().unwrap(),
        currency: usd(),
    };
    let refunded = changed(apply_payment(&paid, &event("ch_1:refunded", refund)));
    assert_eq!(refunded.bookkeeping.processor_paid, Decimal::ZERO);
    let mut incoming = open.clone();
    merge_accounting_copy(&mut incoming, Some(&refunded));
    assert_eq!((incoming.status, incoming.paid), (InvoiceStatus::Open, Decimal::ZERO));
}

/// The accounting system's copy of `open` that counts `amount` received on `payment`.
fn counting(open: &Invoice, payment: &str, amount: &str) -> Invoice {
    let mut copy = open.clone();
    copy.paid = amount.parse().unwrap();
    copy.processor_payments = [(payment.to_owned(), copy.paid)].into();
    merge_accounting_copy(&mut copy, Some(open));
    copy
}

#[test]
fn a_payment_both_report_counts_once_whichever_arrives_first() {
    let open = invoice("I1", "C1", "2026-03-01", None);
    let half = |invoice: &Invoice| apply_payment(invoice, &received("pi_1:received", "50.00"));
    // The accounting system first, the processor's event after it: half paid, still owed
    let after_both = changed(half(&counting(&open, "pi_1", "50.00")));
    assert_eq!(
        (after_both.status, after_both.paid),
        (InvoiceStatus::Open, "50.00".parse().unwrap())
    );
    assert_eq!(
        after_both.bookkeeping.processor_paid,
        "50.00".parse::<Decimal>().unwrap()
    );
    // The processor first, then the accounting system's copy: the same
    let mut copy = open.clone();
    copy.paid = "50.00".parse().unwrap();
    copy.processor_payments = [("pi_1".to_owned(), copy.paid)].into();
    let processor_first = changed(half(&open));
    merge_accounting_copy(&mut copy, Some(&processor_first));
    assert_eq!(
        (copy.status, copy.paid),
        (InvoiceStatus::Open, "50.00".parse().unwrap())
    );
    // A payment the accounting system does not name is the processor's alone: it adds up
    let other = changed(apply_payment(&after_both, &received("pi_2:received", "50.00")));
    assert_eq!(
        (other.status, other.paid),
        (InvoiceStatus::Paid, "100.00".parse().unwrap())
    );
    // A refund the accounting system has not heard of lowers what it counts on that payment
    let refund = PaymentChange::Refunded {
        payment: "pi_1".into(),
        refunded_so_far: "20.00".parse().unwrap(),
        currency: usd(),
    };
    let refunded = changed(apply_payment(&after_both, &event("ch_1:refunded", refund)));
    assert_eq!(
        (refunded.status, refunded.paid),
        (InvoiceStatus::Open, "30.00".parse().unwrap())
    );
}

#[test]
fn a_refund_reported_before_its_payment_nets_out() {
    let open = invoice("I1", "C1", "2026-03-01", None);
    let refund = PaymentChange::Refunded {
        payment: "pi_1".into(),
        refunded_so_far: "30.00".parse().unwrap(),
        currency: usd(),
    };
    let refunded = changed(apply_payment(&open, &event("ch_1:refunded", refund)));
    assert_eq!(refunded.paid, Decimal::ZERO);
    let received = changed(apply_payment(&refunded, &received("pi_1:received", "100.00")));
    assert_eq!(received.paid, "70.00".parse::<Decimal>().unwrap());
    assert_eq!(received.bookkeeping.processor_paid, "70.00".parse::<Decimal>().unwrap());
}

#[test]
fn money_on_an_invoice_given_up_on_is_recorded_and_pays_it_in_full() {
    for given_up in [InvoiceStatus::WrittenOff, InvoiceStatus::HandedOver] {
        let off = Invoice {
            status: given_up,
            ..invoice("I1", "C1", "2026-01-10", None)
        };
        // A part is recorded and the decision stands
        let part = changed(apply_payment(&off, &received("evt_1", "40.00")));
        assert_eq!((part.status, part.paid), (given_up, "40.00".parse().unwrap()));
        // The rest pays it: paid, like any
        let paid = changed(apply_payment(&part, &received("evt_2", "60.00")));
        assert_eq!((paid.status, paid.balance()), (InvoiceStatus::Paid, Decimal::ZERO));
    }
}
