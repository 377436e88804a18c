//! Changes to customers and invoices void the waiting drafts they make wrong.

use crate::customer::CustomerId;
use crate::fixtures::{customer, instant, invoice};
use crate::invoice::InvoiceId;
use crate::ports::Store;
use crate::reminder::Reminder;
use crate::status::ReminderStatus;
use chrono::{DateTime, Utc};

/// A customer with a waiting draft about invoice `I-{id}` (its friendly stages went out, so the next stage
/// waits for approval), as of [`changes_now`].
pub(super) async fn waiting_draft<S: Store>(store: &S, id: &str) -> Reminder {
    let policy = crate::Policy::default_policy();
    crate::service::ingest_customer(store, &policy, &customer(id), changes_now())
        .await
        .unwrap();
    let open = crate::fixtures::after_friendly_stages(invoice(&format!("I-{id}"), id, "2026-03-01", None));
    crate::service::ingest_invoice(store, &policy, &open, changes_now())
        .await
        .unwrap();
    let pass = crate::service::run_pass(store, &policy, changes_now(), false)
        .await
        .unwrap();
    let entry = pass
        .entries
        .iter()
        .find(|entry| entry.customer_id.0 == id)
        .expect("a draft");
    store.reminder(&entry.reminder_id).await.unwrap().unwrap()
}

fn changes_now() -> DateTime<Utc> {
    instant("2026-03-12")
}

pub async fn a_changed_customer_voids_their_waiting_drafts<S: Store>(store: &S) {
    let policy = crate::Policy::default_policy();
    let draft = waiting_draft(store, "A").await;
    assert_eq!(draft.status, ReminderStatus::PendingApproval);
    // The accounting system sends the same customer again: nothing changes
    let same = crate::service::ingest_customer(store, &policy, &customer("A"), changes_now())
        .await
        .unwrap();
    assert!(same.is_empty(), "{same:?}");
    // WHEN the billing contact changes
    let mut moved_office = customer("A");
    moved_office.billing_contacts[0].email = "payables@a.example".into();
    let voided = crate::service::ingest_customer(store, &policy, &moved_office, changes_now())
        .await
        .unwrap();
    // THEN the draft to the old address is void, and the same plan is drafted again to the new one
    assert_eq!(voided, vec![draft.id.clone()]);
    let again = store.reminder(&draft.id).await.unwrap().unwrap();
    assert_eq!(again.status, ReminderStatus::PendingApproval);
    let to = &again.draft.as_ref().unwrap().context.to;
    assert_eq!(
        to.iter().map(|m| m.email.as_str()).collect::<Vec<_>>(),
        ["payables@a.example"]
    );
    // WHEN the customer is paused, THEN the draft is void and nothing is drafted while the pause holds
    let mut paused = moved_office.clone();
    paused.pause = Some(crate::customer::Pause {
        until: None,
        reason: Some("talking to their CFO".into()),
    });
    let voided = crate::service::ingest_customer(store, &policy, &paused, changes_now())
        .await
        .unwrap();
    assert_eq!(voided, vec![draft.id.clone()]);
    let held = store.reminder(&draft.id).await.unwrap().unwrap();
    assert_eq!(held.status, ReminderStatus::Cancelled);
}

pub async fn an_invoice_moved_to_another_customer_leaves_the_old_ones_drafts<S: Store>(store: &S) {
    let policy = crate::Policy::default_policy();
    let draft = waiting_draft(store, "A").await;
    crate::service::ingest_customer(store, &policy, &customer("B"), changes_now())
        .await
        .unwrap();
    // WHEN the accounting system moves A's invoice to B
    let mut moved = store.invoice(&InvoiceId("I-A".into())).await.unwrap().unwrap();
    moved.customer_id = CustomerId("B".into());
    let voided = crate::service::ingest_invoice(store, &policy, &moved, changes_now())
        .await
        .unwrap();
    // THEN A's draft about it is void and A is not drafted again; B's next pass drafts it
    assert_eq!(voided, vec![draft.id.clone()]);
    assert_eq!(
        store.reminder(&draft.id).await.unwrap().unwrap().status,
        ReminderStatus::Cancelled
    );
    let of_a = store.reminders_of_customer(&CustomerId("A".into())).await.unwrap();
    assert!(of_a.iter().all(|reminder| !reminder.status.is_open()), "{of_a:?}");
    crate::service::run_pass(store, &policy, changes_now(), false)
        .await
        .unwrap();
    let of_a = store.reminders_of_customer(&CustomerId("A".into())).await.unwrap();
    assert!(of_a.iter().all(|reminder| !reminder.status.is_open()), "{of_a:?}");
    let of_b = store.reminders_of_customer(&CustomerId("B".into())).await.unwrap();
    assert!(of_b.iter().any(|reminder| reminder.status.is_waiting()), "{of_b:?}");
}

/// An open reminder covering invoice `id` of customer `customer`, if any.
async fn open_about<S: Store>(store: &S, customer: &str, id: &str) -> Option<Reminder> {
    store
        .reminders_of_customer(&CustomerId(customer.into()))
        .await
        .unwrap()
        .into_iter()
        .find(|reminder| reminder.status.is_open() && reminder.invoice_ids().contains(&InvoiceId(id.into())))
}

pub async fn a_reminder_gone_stale_is_planned_again_for_today<S: Store>(store: &S) {
    use crate::service::{self, SendResult};
    let policy = crate::Policy::default_policy();
    let mailer = super::meddling::CountingMailer::default();
    customer_owing(store, &policy, "S", "2026-03-06").await;
    // GIVEN Friday's due-date reminder, approved automatically, did not go out on Friday
    let friday = service::run_pass(store, &policy, instant("2026-03-06"), false)
        .await
        .unwrap();
    assert_eq!(friday.entries.len(), 1, "{friday:?}");
    // WHEN Monday's first send run finds it
    let monday = instant("2026-03-09") + chrono::Duration::hours(6);
    let first = service::send_approved(store, &mailer, &policy, monday).await.unwrap();
    // THEN Monday's own reminder is planned at once, and the same run sends it, before any pass
    assert!(
        matches!(
            &first[..],
            [(_, Ok(SendResult::Cancelled { .. })), (_, Ok(SendResult::Sent { .. }))]
        ),
        "{first:?}"
    );
    let again = store.reminder(&first[1].0).await.unwrap().unwrap();
    assert_eq!(again.planned_for, crate::fixtures::day("2026-03-09"));
    assert_eq!(again.status, crate::ReminderStatus::Sent);
    assert_eq!(mailer.count(), 1);
    // and a later run has nothing more to say
    let next = service::send_approved(store, &mailer, &policy, monday + chrono::Duration::hours(1))
        .await
        .unwrap();
    assert!(next.is_empty(), "{next:?}");
    assert_eq!(mailer.count(), 1);
}

pub async fn a_failed_payment_reopens_the_ladder_at_once<S: Store>(store: &S) {
    use crate::payment::{PaymentChange, PaymentEvent};
    let policy = crate::Policy::default_policy();
    customer_owing(store, &policy, "R", "2026-03-01").await;
    let event = |id: &str, change| PaymentEvent { id: id.into(), change };
    let at = instant("2026-02-27");
    let pending = event(
        "pi_r:pending",
        PaymentChange::Pending {
            payment: "pi_r".into(),
            at,
        },
    );
    crate::service::apply_payment_event(store, &policy, &InvoiceId("I-R".into()), &pending, at)
        .await
        .unwrap();
    // GIVEN the debit was pending on the due date, so nothing was planned
    let due = crate::service::run_pass(store, &policy, instant("2026-03-01"), false)
        .await
        .unwrap();
    assert!(due.entries.is_empty(), "{due:?}");
    // WHEN the debit fails
    let failed_at = instant("2026-03-02");
    let failed = event(
        "pi_r:failed",
        PaymentChange::PendingFailed {
            payment: "pi_r".into(),
            at: failed_at,
        },
    );
    crate::service::apply_payment_event(store, &policy, &InvoiceId("I-R".into()), &failed, failed_at)
        .await
        .unwrap();
    // THEN the customer is planned at once, for today, not at the next pass
    let planned = open_about(store, "R", "I-R").await.expect("planned at once");
    assert_eq!(planned.planned_for, crate::fixtures::day("2026-03-02"));
}

/// Customer `id` with invoice `I-{id}`, due on `due`, both ingested on 2026-02-20.
async fn customer_owing<S: Store>(store: &S, policy: &crate::Policy, id: &str, due: &str) {
    crate::service::ingest_customer(store, policy, &customer(id), instant("2026-02-20"))
        .await
        .unwrap();
    let open = invoice(&format!("I-{id}"), id, due, None);
    crate::service::ingest_invoice(store, policy, &open, instant("2026-02-20"))
        .await
        .unwrap();
}
