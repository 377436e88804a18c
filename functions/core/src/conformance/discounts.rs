//! Early-payment discounts end to end on a store: settling from the processor and from the accounting
//! system, a payment after the deadline, a refund, and the note before the deadline.

use super::meddling::CountingMailer;
use crate::customer::{CustomerId, DiscountTerms};
use crate::fixtures::{customer, day, instant, invoice};
use crate::invoice::{Invoice, InvoiceId, InvoiceStatus};
use crate::payment::{PaymentChange, PaymentEvent};
use crate::ports::Store;
use crate::service;
use rust_decimal::Decimal;

/// Customer `id` and invoice `I-{id}`: 1,000.00 issued Monday 2 March 2026 on 2/10 net 30, due 1 April.
/// The discount's deadline is Thursday 12 March (the customer keeps US business days); the note goes out
/// two business days before it, on Tuesday 10 March.
async fn two_ten<S: Store>(store: &S, policy: &crate::Policy, id: &str) -> InvoiceId {
    service::ingest_customer(store, policy, &customer(id), instant("2026-03-02"))
        .await
        .unwrap();
    let open = Invoice {
        total: "1000.00".parse().unwrap(),
        issue_date: day("2026-03-02"),
        early_payment: Some(DiscountTerms {
            percent: "2".parse().unwrap(),
            within_days: 10,
        }),
        ..invoice(&format!("I-{id}"), id, "2026-04-01", None)
    };
    service::ingest_invoice(store, policy, &open, instant("2026-03-02"))
        .await
        .unwrap();
    open.id
}

fn received(payment: &str, amount: &str, at: &str) -> PaymentEvent {
    PaymentEvent {
        id: crate::payment::received_key(payment),
        change: PaymentChange::Received {
            amount: amount.parse().unwrap(),
            currency: crate::Currency::from_code("USD").unwrap(),
            at: at.parse().unwrap(),
        },
    }
}

fn dec(text: &str) -> Decimal {
    text.parse().unwrap()
}

/// The ladder reminders planned for `id` by a pass on each day from `from` for `days` days.
async fn chased<S: Store>(store: &S, policy: &crate::Policy, customer: &str, from: &str, days: i64) -> Vec<String> {
    let start = instant(from);
    for offset in 0..days {
        service::run_pass(store, policy, start + chrono::Duration::days(offset), false)
            .await
            .unwrap();
    }
    store
        .reminders_of_customer(&CustomerId(customer.into()))
        .await
        .unwrap()
        .into_iter()
        .filter(|reminder| !reminder.is_off_ladder())
        .map(|reminder| reminder.stage_id)
        .collect()
}

pub async fn a_discounted_payment_by_the_deadline_settles_the_invoice_once<S: Store>(store: &S) {
    let policy = crate::Policy::default_policy();
    let id = two_ten(store, &policy, "DA").await;
    // GIVEN a card payment of the discounted amount at 23:30 in New York on the deadline (03:30 UTC the
    // next day, daylight saving time), heard by kindly the day after
    let paid = received("pi_da", "980.00", "2026-03-13T03:30:00Z");
    let late_heard = instant("2026-03-13");
    // WHEN it is applied, and heard again
    service::apply_payment_event(store, &policy, &id, &paid, late_heard)
        .await
        .unwrap();
    let again = service::apply_payment_event(store, &policy, &id, &paid, late_heard)
        .await
        .unwrap();
    // THEN the invoice is paid with the discount taken on the customer's day, once
    assert!(matches!(again, service::PaymentOutcome::Unchanged(_)), "{again:?}");
    let stored = store.invoice(&id).await.unwrap().unwrap();
    assert_eq!(stored.status, InvoiceStatus::Paid);
    let taken = stored.bookkeeping.discount_taken.clone().expect("discount taken");
    assert_eq!((taken.amount, taken.on), (dec("20.00"), day("2026-03-12")));
    assert_eq!((stored.paid, stored.balance()), (dec("980.00"), Decimal::ZERO));
    // AND the accounting system's later copy (open, counting the payment) does not reopen it
    let mut copy = stored.clone();
    copy.status = InvoiceStatus::Open;
    copy.processor_payments = [("pi_da".to_owned(), dec("980.00"))].into();
    copy.bookkeeping = Default::default();
    copy.dunning = Default::default();
    service::ingest_invoice(store, &policy, &copy, instant("2026-03-20"))
        .await
        .unwrap();
    let stored = store.invoice(&id).await.unwrap().unwrap();
    assert_eq!((stored.status, stored.paid), (InvoiceStatus::Paid, dec("980.00")));
    // AND nothing more is chased
    assert!(chased(store, &policy, "DA", "2026-03-25", 20).await.is_empty());
}

pub async fn a_discounted_payment_after_the_deadline_leaves_the_rest_chased<S: Store>(store: &S) {
    let policy = crate::Policy::default_policy();
    let id = two_ten(store, &policy, "DB").await;
    // GIVEN the discounted amount paid on Friday 13 March, the day after the deadline
    let paid = received("pi_db", "980.00", "2026-03-13T15:00:00Z");
    service::apply_payment_event(store, &policy, &id, &paid, instant("2026-03-13"))
        .await
        .unwrap();
    // THEN it is a part payment: 20.00 is still owed, and the ladder chases it
    let stored = store.invoice(&id).await.unwrap().unwrap();
    assert_eq!((stored.status, stored.balance()), (InvoiceStatus::Open, dec("20.00")));
    assert_eq!(stored.bookkeeping.discount_taken, None);
    let stages = chased(store, &policy, "DB", "2026-03-27", 1).await;
    assert_eq!(stages, ["upcoming_due"]);
    let reminder = store
        .reminders_of_customer(&CustomerId("DB".into()))
        .await
        .unwrap()
        .into_iter()
        .find(|reminder| reminder.stage_id == "upcoming_due")
        .unwrap();
    assert_eq!(reminder.draft.unwrap().context.totals, ["$20.00"]);
}

pub async fn the_accounting_system_settles_with_the_discount_by_the_deadline_only<S: Store>(store: &S) {
    let policy = crate::Policy::default_policy();
    let id = two_ten(store, &policy, "DC").await;
    let stored = store.invoice(&id).await.unwrap().unwrap();
    // WHEN the accounting system sends paid = the discounted amount on the deadline
    let mut copy = stored.clone();
    copy.paid = dec("980.00");
    service::ingest_invoice(store, &policy, &copy, instant("2026-03-12"))
        .await
        .unwrap();
    // THEN it is settled
    let settled = store.invoice(&id).await.unwrap().unwrap();
    assert_eq!(settled.status, InvoiceStatus::Paid);
    assert!(settled.bookkeeping.discount_taken.is_some());
    // GIVEN another invoice whose copy says the same a day after the deadline: a part payment
    let later = two_ten(store, &policy, "DD").await;
    let mut copy = store.invoice(&later).await.unwrap().unwrap();
    copy.paid = dec("980.00");
    service::ingest_invoice(store, &policy, &copy, instant("2026-03-13"))
        .await
        .unwrap();
    let part = store.invoice(&later).await.unwrap().unwrap();
    assert_eq!((part.status, part.balance()), (InvoiceStatus::Open, dec("20.00")));
    // WHEN the accounting system itself marks it paid with the discount: its decision stands
    copy.status = InvoiceStatus::Paid;
    service::ingest_invoice(store, &policy, &copy, instant("2026-03-16"))
        .await
        .unwrap();
    let marked = store.invoice(&later).await.unwrap().unwrap();
    assert_eq!((marked.status, marked.balance()), (InvoiceStatus::Paid, Decimal::ZERO));
    assert_eq!(
        marked.bookkeeping.discount_taken.map(|taken| taken.on),
        Some(day("2026-03-16"))
    );
}

pub async fn a_refunded_discounted_payment_reopens_the_full_balance<S: Store>(store: &S) {
    let policy = crate::Policy::default_policy();
    let id = two_ten(store, &policy, "DE").await;
    let paid = received("pi_de", "980.00", "2026-03-05T15:00:00Z");
    service::apply_payment_event(store, &policy, &id, &paid, instant("2026-03-05"))
        .await
        .unwrap();
    let refund = PaymentEvent {
        id: "pi_de:refund".into(),
        change: PaymentChange::Refunded {
            payment: "pi_de".into(),
            refunded_so_far: dec("980.00"),
            currency: crate::Currency::from_code("USD").unwrap(),
        },
    };
    service::apply_payment_event(store, &policy, &id, &refund, instant("2026-03-20"))
        .await
        .unwrap();
    let reopened = store.invoice(&id).await.unwrap().unwrap();
    assert_eq!(reopened.status, InvoiceStatus::Open);
    assert_eq!(reopened.bookkeeping.discount_taken, None);
    assert_eq!(reopened.balance(), dec("1000.00"));
}

pub async fn the_discount_note_goes_out_once_before_the_deadline<S: Store>(store: &S) {
    let policy = crate::Policy::default_policy();
    let mailer = CountingMailer::default();
    let id = two_ten(store, &policy, "DF").await;
    // GIVEN the invoice stands in the action index by its note's day, not its first stage's
    let stored = store.invoice(&id).await.unwrap().unwrap();
    assert!(stored.dunning.next_action_on.unwrap() <= day("2026-03-10"));
    // WHEN the passes run and send every day from the issue date to the due date
    for offset in 0..30 {
        let now = instant("2026-03-02") + chrono::Duration::days(offset) + chrono::Duration::hours(6);
        service::run_pass(store, &policy, now, false).await.unwrap();
        service::send_approved(store, &mailer, &policy, now).await.unwrap();
    }
    // THEN one note went out, on the note's day, and the ladder's first stage as before
    let reminders = store.reminders_of_customer(&CustomerId("DF".into())).await.unwrap();
    let notes: Vec<_> = reminders
        .iter()
        .filter(|reminder| reminder.is_discount_note())
        .collect();
    assert_eq!(notes.len(), 1, "{reminders:?}");
    assert_eq!(notes[0].sent_on, Some(day("2026-03-10")));
    let text = kindly_render::render(&notes[0].draft.as_ref().unwrap().context)
        .unwrap()
        .text;
    assert!(
        text.contains("pay only $980.00. After that, the full $1,000.00 is due."),
        "{text}"
    );
    let stored = store.invoice(&id).await.unwrap().unwrap();
    assert_eq!(stored.dunning.discount_note_on, Some(day("2026-03-10")));
    let ladder: Vec<_> = reminders.iter().filter(|reminder| !reminder.is_off_ladder()).collect();
    assert_eq!(ladder.len(), 1, "{ladder:?}");
    assert_eq!(ladder[0].sent_on, Some(day("2026-03-27")));
    assert_eq!(mailer.count(), 2);
}
