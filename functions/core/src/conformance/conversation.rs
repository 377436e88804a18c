//! One conversation per customer, on every store: after the head's personal note, a newly due invoice gets
//! no courteous "due today" of its own; it rides in the next escalated message, and once everything
//! overdue is paid the next invoice starts at the courteous beginning again.

use super::feedback::approve_and_send;
use crate::CustomerId;
use crate::fixtures::{after_friendly_stages, customer, instant, invoice};
use crate::invoice::{Invoice, InvoiceId, InvoiceStatus};
use crate::policy::Policy;
use crate::ports::Store;
use crate::reminder::Reminder;
use crate::service::{ingest_customer, ingest_invoice, run_pass};
use crate::status::ReminderStatus;

/// The reminders about `invoice` planned so far, as (stage, status).
async fn about<S: Store>(store: &S, invoice: &str) -> Vec<(String, ReminderStatus)> {
    store
        .reminders_of_customer(&CustomerId("CV".into()))
        .await
        .unwrap()
        .into_iter()
        .filter(|reminder| reminder.invoice_ids().contains(&InvoiceId(invoice.into())) && !reminder.is_off_ladder())
        .map(|reminder| (reminder.stage_id, reminder.status))
        .collect()
}

/// Run the pass on `at` and return the one ladder draft it made for CV, if any.
async fn pass_on<S: Store>(store: &S, policy: &Policy, at: &str) -> Option<Reminder> {
    let outcome = run_pass(store, policy, instant(at), false).await.unwrap();
    assert!(outcome.errors.is_empty(), "{outcome:?}");
    let entry = outcome.entries.iter().find(|entry| entry.created)?;
    store.reminder(&entry.reminder_id).await.unwrap()
}

async fn pay<S: Store>(store: &S, policy: &Policy, id: &str, at: &str) {
    let mut copy: Invoice = store.invoice(&InvoiceId(id.into())).await.unwrap().unwrap();
    copy.paid = copy.total;
    copy.status = InvoiceStatus::Paid;
    ingest_invoice(store, policy, &copy, instant(at)).await.unwrap();
}

pub async fn a_newly_due_invoice_rides_in_the_conversation_and_a_new_one_starts_once_all_is_paid<S: Store>(store: &S) {
    let policy = Policy::default_policy();
    ingest_customer(store, &policy, &customer("CV"), instant("2026-03-01"))
        .await
        .unwrap();
    // GIVEN I1, due 2 March, climbed to the head's personal note (21 days), and it went out
    let first = after_friendly_stages(invoice("I1", "CV", "2026-03-02", None));
    ingest_invoice(store, &policy, &first, instant("2026-03-01"))
        .await
        .unwrap();
    for (day, stage) in [
        ("2026-03-12", "overdue_direct"),
        ("2026-03-23", "personal_note_from_head"),
    ] {
        let draft = pass_on(store, &policy, day).await.expect("the ladder's next stage");
        assert_eq!(draft.stage_id, stage);
        assert_eq!(approve_and_send(store, &policy, "CV", day).await.len(), 1);
    }
    // AND two more invoices: I2 falls due on 1 April, I3 on 10 April
    for (id, due) in [("I2", "2026-04-01"), ("I3", "2026-04-10")] {
        ingest_invoice(store, &policy, &invoice(id, "CV", due, None), instant("2026-03-24"))
            .await
            .unwrap();
    }
    // WHEN the passes reach I2's courtesy note and its due day, and I3's courtesy note
    for day in ["2026-03-27", "2026-04-01", "2026-04-03"] {
        // THEN nothing goes out: no courteous "due today" after the head's note
        assert_eq!(pass_on(store, &policy, day).await, None, "on {day}");
    }
    assert_eq!(about(store, "I2").await, []);
    assert_eq!(about(store, "I3").await, []);
    // WHEN I1's next stage falls due (35 days)
    let escalation = pass_on(store, &policy, "2026-04-06")
        .await
        .expect("the conversation's next message");
    // THEN one message at that stage covers all three: I2 at its own stage, I3 in the "also due" part
    assert_eq!(escalation.stage_id, "escalation_cc");
    let covers: Vec<(&str, &str)> = escalation
        .covers
        .iter()
        .map(|covered| (covered.invoice_id.0.as_str(), covered.stage_id.as_str()))
        .collect();
    assert_eq!(
        covers,
        [
            ("I1", "escalation_cc"),
            ("I2", "crossed_in_mail"),
            ("I3", "upcoming_due")
        ]
    );
    let context = &escalation.draft.as_ref().expect("a message").context;
    assert_eq!(context.totals, ["$300.00"]);
    assert_eq!(
        context.overdue_totals,
        ["$200.00"],
        "I1 and I2 are overdue, I3 is not yet due"
    );
    let sent = approve_and_send(store, &policy, "CV", "2026-04-06").await;
    assert_eq!(sent.len(), 1);
    assert!(sent[0].text.contains("Also due, not yet overdue:"), "{}", sent[0].text);
    // WHEN everything overdue is paid
    pay(store, &policy, "I1", "2026-04-07").await;
    pay(store, &policy, "I2", "2026-04-07").await;
    // THEN I3 starts at the courteous beginning on its due day (positive control: the ladder still runs)
    let fresh = pass_on(store, &policy, "2026-04-10").await.expect("I3's own reminder");
    assert_eq!(
        (fresh.stage_id.as_str(), fresh.invoice_ids()),
        ("due_today", vec![InvoiceId("I3".into())])
    );
}
