//! The daily pass: idempotent, planning again with current facts, and superseding a draft the situation
//! outgrew.

use super::{World, eml_count, noon, put_with_progress, world};
use kindly_core::fixtures::{after_friendly_stages, invoice};
use kindly_core::service::{self, SendResult};
use kindly_core::{InvoiceId, ReminderStatus, Store};

kindly_aws::on_both_stores!(
    a_pass_is_idempotent_and_sends_once,
    a_cancelled_plan_is_planned_again_with_current_facts,
    a_changed_situation_supersedes_the_pending_draft
);

async fn a_pass_is_idempotent_and_sends_once<S: Store>(store: S) {
    let World {
        store,
        policy,
        outbox,
        mailer,
        ..
    } = world(store).await;
    // GIVEN the courtesy stage (5 days before the due date, auto-approved)
    let first = service::run_pass(&store, &policy, noon("2026-03-05"), false)
        .await
        .unwrap();
    assert_eq!(first.entries.len(), 1);
    assert_eq!(first.entries[0].stage_id, "upcoming_due");
    assert_eq!(first.entries[0].status, ReminderStatus::Approved);
    // WHEN the same pass runs again before sending, and sending runs twice
    let again = service::run_pass(&store, &policy, noon("2026-03-05"), false)
        .await
        .unwrap();
    assert!(
        again.entries.is_empty(),
        "the open reminder holds the customer: {:?}",
        again.entries
    );
    let sent = service::send_approved(&store, &mailer, &policy, noon("2026-03-05"))
        .await
        .unwrap();
    let resent = service::send_approved(&store, &mailer, &policy, noon("2026-03-05"))
        .await
        .unwrap();
    // THEN one message went out, the ladder moved on, and nothing is left to send
    assert!(matches!(sent[0].1, Ok(SendResult::Sent { .. })));
    assert!(resent.is_empty());
    assert_eq!(eml_count(outbox.path()), 1);
    let progressed = store.invoice(&InvoiceId("I1".into())).await.unwrap().unwrap();
    assert_eq!(progressed.dunning.last_stage.as_deref(), Some("upcoming_due"));
    assert_eq!(progressed.dunning.next_action_on, Some("2026-03-10".parse().unwrap()));
    // and the next day's pass has nothing to do
    let next_day = service::run_pass(&store, &policy, noon("2026-03-06"), false)
        .await
        .unwrap();
    assert!(next_day.entries.is_empty());
}

async fn a_cancelled_plan_is_planned_again_with_current_facts<S: Store>(store: S) {
    let World {
        store,
        policy,
        outbox,
        mailer,
        invoice: mut part_paid,
    } = world(store).await;
    let first = service::run_pass(&store, &policy, noon("2026-03-05"), false)
        .await
        .unwrap();
    let id = first.entries[0].reminder_id.clone();
    // GIVEN a partial payment lands after the reminder was approved, past the ingest service (as a payment
    // racing the sender's claim would)
    part_paid.paid = "40.00".parse().unwrap();
    put_with_progress(&store, &policy, part_paid).await;
    let results = service::send_approved(&store, &mailer, &policy, noon("2026-03-05"))
        .await
        .unwrap();
    assert!(
        matches!(&results[0].1, Ok(SendResult::Cancelled { reason }) if reason.contains("balance")),
        "{results:?}"
    );
    // THEN the customer is planned again at once: the same reminder comes back with the new balance and its
    // whole history, and the same run sends it; a pass adds nothing and a later run sends nothing more
    assert!(
        matches!(&results[1..], [(again, Ok(SendResult::Sent { .. }))] if *again == id),
        "{results:?}"
    );
    let revived = store.reminder(&id).await.unwrap().unwrap();
    assert_eq!(revived.draft.as_ref().unwrap().context.invoices[0].balance, "$60.00");
    assert!(revived.history.iter().any(|step| step.to == ReminderStatus::Cancelled));
    assert_eq!(revived.status, ReminderStatus::Sent);
    let again = service::run_pass(&store, &policy, noon("2026-03-05"), false)
        .await
        .unwrap();
    assert!(again.entries.is_empty(), "{again:?}");
    let sent = service::send_approved(&store, &mailer, &policy, noon("2026-03-05"))
        .await
        .unwrap();
    assert!(sent.is_empty(), "{sent:?}");
    assert_eq!(eml_count(outbox.path()), 1);
}

async fn a_changed_situation_supersedes_the_pending_draft<S: Store>(store: S) {
    let World { store, policy, .. } = world(store).await;
    let open = store.invoice(&InvoiceId("I1".into())).await.unwrap().unwrap();
    put_with_progress(&store, &policy, after_friendly_stages(open)).await;
    let first = service::run_pass(&store, &policy, noon("2026-03-20"), false)
        .await
        .unwrap();
    let old = first.entries[0].reminder_id.clone();
    // GIVEN a second invoice reaches a stage while the first draft waits for approval
    let mut second = invoice("I2", "A", "2026-03-17", None);
    second.dunning.last_stage = Some("due_today".into());
    second.dunning.last_tone = Some(kindly_core::Tone::Courteous);
    put_with_progress(&store, &policy, second).await;
    let next = service::run_pass(&store, &policy, noon("2026-03-21"), false)
        .await
        .unwrap();
    // THEN one new draft covers both and the old one is cancelled
    assert_eq!(next.entries.len(), 1);
    assert_eq!(next.entries[0].invoice_numbers.len(), 2);
    assert_eq!(next.superseded, vec![old.clone()]);
    assert_eq!(
        store.reminder(&old).await.unwrap().unwrap().status,
        ReminderStatus::Cancelled
    );
    let pending = store
        .reminders_with_status(ReminderStatus::PendingApproval)
        .await
        .unwrap();
    assert_eq!(pending.len(), 1);
}
