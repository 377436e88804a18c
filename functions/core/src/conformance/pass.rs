//! The pass: one customer's failure is that customer's error only, and a draft replaced while a sender
//! takes it is not said twice.

use super::meddling::{Meddling, Moment};
use crate::fixtures::{after_friendly_stages, customer, instant, invoice};
use crate::invoice::InvoiceId;
use crate::ports::Store;
use crate::status::ReminderStatus;

pub async fn a_draft_claimed_while_it_is_replaced_is_not_said_twice<S: Store>(store: &S) {
    let policy = crate::Policy::default_policy();
    crate::service::ingest_customer(store, &policy, &customer("A"), instant("2026-03-01"))
        .await
        .unwrap();
    let first = after_friendly_stages(invoice("I1", "A", "2026-03-10", None));
    crate::service::ingest_invoice(store, &policy, &first, instant("2026-03-01"))
        .await
        .unwrap();
    let drafted = crate::service::run_pass(store, &policy, instant("2026-03-20"), false)
        .await
        .unwrap();
    assert_eq!(drafted.entries.len(), 1, "{drafted:?}");
    let old = drafted.entries[0].reminder_id.clone();
    // GIVEN a second invoice reaches a stage while the first draft waits, so the next pass replaces it
    let mut second = invoice("I2", "A", "2026-03-17", None);
    second.dunning.last_stage = Some("due_today".into());
    second.dunning.last_tone = Some(crate::tone::Tone::Courteous);
    crate::service::ingest_invoice(store, &policy, &second, instant("2026-03-20"))
        .await
        .unwrap();
    // WHEN staff approve the old draft and a sender claims it just as the pass replaces it
    let meddling = Meddling::at(store, Moment::Superseding);
    crate::service::run_pass(&meddling, &policy, instant("2026-03-21"), false)
        .await
        .unwrap();
    // THEN the old one goes out as it is, and nothing else waits to say the same of I1
    assert_eq!(
        store.reminder(&old).await.unwrap().unwrap().status,
        ReminderStatus::Sending
    );
    let about_i1: Vec<_> = store
        .reminders_of_customer(&customer("A").id)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.status.is_open() && r.invoice_ids().contains(&InvoiceId("I1".into())))
        .map(|r| (r.id, r.status))
        .collect();
    assert_eq!(about_i1.len(), 1, "{about_i1:?}");
}

pub async fn one_customers_impossible_sums_stop_only_that_customer<S: Store>(store: &S) {
    let policy = crate::Policy::default_policy();
    for id in ["A", "B"] {
        store.put_customer(&customer(id)).await.unwrap();
    }
    // A's two yen invoices add up past what a decimal holds (as records written before amounts were
    // bounded at ingest could); B owes an ordinary invoice due the same day
    for number in ["1", "2"] {
        let mut huge = invoice(&format!("A{number}"), "A", "2026-03-01", Some("2026-03-01"));
        huge.currency = crate::money::Currency::from_code("JPY").unwrap();
        huge.total = "50000000000000000000000000000".parse().unwrap();
        store.put_invoice(&huge).await.unwrap();
    }
    store
        .put_invoice(&invoice("B1", "B", "2026-03-01", Some("2026-03-01")))
        .await
        .unwrap();
    // WHEN the pass runs
    let outcome = crate::service::run_pass(store, &policy, instant("2026-03-01"), false)
        .await
        .unwrap();
    // THEN B is reminded, and A's problem is reported as A's
    let reminded: Vec<&str> = outcome
        .entries
        .iter()
        .map(|entry| entry.customer_id.0.as_str())
        .collect();
    assert_eq!(reminded, ["B"], "{outcome:?}");
    assert_eq!(outcome.errors.len(), 1, "{outcome:?}");
    assert!(outcome.errors[0].starts_with("customer A: "), "{outcome:?}");
    assert!(outcome.errors[0].contains("more than can be counted"), "{outcome:?}");
}

pub async fn a_payment_pending_too_long_is_held_for_staff<S: Store>(store: &S) {
    let policy = crate::Policy::default_policy();
    crate::service::ingest_customer(store, &policy, &customer("A"), instant("2026-02-20"))
        .await
        .unwrap();
    let open = invoice("I-A", "A", "2026-03-01", None);
    crate::service::ingest_invoice(store, &policy, &open, instant("2026-02-20"))
        .await
        .unwrap();
    // A bank debit starts clearing on March 2, and the processor never says more
    let pending = crate::payment::PaymentEvent {
        id: "pi_1:pending".into(),
        change: crate::payment::PaymentChange::Pending {
            payment: "pi_1".into(),
            at: instant("2026-03-02"),
        },
    };
    let id = crate::invoice::InvoiceId("I-A".into());
    crate::service::apply_payment_event(store, &policy, &id, &pending, instant("2026-03-02"))
        .await
        .unwrap();
    let waiting_ends = instant("2026-03-02") + chrono::Duration::days(policy.pending_payment_days.into());
    // Before the wait is over, the pass leaves it alone
    let early = crate::service::run_pass(store, &policy, waiting_ends - chrono::Duration::days(2), false)
        .await
        .unwrap();
    assert!(
        early.payment_reviews.is_empty() && early.entries.is_empty(),
        "{early:?}"
    );
    // WHEN the pass runs once the policy's wait is over
    let outcome = crate::service::run_pass(store, &policy, waiting_ends, false)
        .await
        .unwrap();
    // THEN the invoice is held for review, staff get a task, and nobody is reminded
    assert_eq!(outcome.payment_reviews.len(), 1, "{outcome:?}");
    assert!(outcome.entries.is_empty(), "{outcome:?}");
    let held = store.invoice(&id).await.unwrap().unwrap();
    assert!(held.is_held(), "{held:?}");
    assert!(!held.is_remindable());
    let task = store.reminder(&outcome.payment_reviews[0]).await.unwrap().unwrap();
    assert_eq!(task.status, crate::status::ReminderStatus::PendingApproval);
    // and a second pass opens no second task
    let again = crate::service::run_pass(store, &policy, waiting_ends, false)
        .await
        .unwrap();
    assert!(again.payment_reviews.is_empty(), "{again:?}");
}
