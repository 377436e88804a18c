//! What the accounting system's changes to an invoice do to the reminder waiting about it.
use super::{World, eml_count, noon, put_with_progress, world};
use kindly_core::fixtures::after_friendly_stages;
use kindly_core::service;
use kindly_core::{InvoiceId, InvoiceStatus, ReminderStatus, Store};

kindly_aws::on_both_stores!(
    a_payment_voids_the_waiting_reminder_at_once,
    a_changed_amount_voids_the_approval_and_the_draft_returns_pending_with_new_figures
);

async fn a_payment_voids_the_waiting_reminder_at_once<S: Store>(store: S) {
    let World {
        store,
        policy,
        outbox,
        mailer,
        invoice: mut paid,
    } = world(store).await;
    let planned = service::run_pass(&store, &policy, noon("2026-03-05"), false)
        .await
        .unwrap();
    let id = planned.entries[0].reminder_id.clone();
    // WHEN the payment is ingested before the sender runs
    paid.status = InvoiceStatus::Paid;
    paid.paid = paid.total;
    let voided = service::ingest_invoice(&store, &policy, &paid, noon("2026-03-05"))
        .await
        .unwrap();
    // THEN the reminder is cancelled with the reason, nothing replaces it, and nothing goes out
    assert_eq!(voided, vec![id.clone()]);
    let reminder = store.reminder(&id).await.unwrap().unwrap();
    assert_eq!(reminder.status, ReminderStatus::Cancelled);
    assert!(
        reminder
            .history
            .last()
            .unwrap()
            .note
            .as_deref()
            .unwrap()
            .contains("I1 changed")
    );
    assert!(
        service::send_approved(&store, &mailer, &policy, noon("2026-03-05"))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(eml_count(outbox.path()), 0);
    // and ingesting the same facts again voids nothing
    assert!(
        service::ingest_invoice(&store, &policy, &paid, noon("2026-03-05"))
            .await
            .unwrap()
            .is_empty()
    );
}

async fn a_changed_amount_voids_the_approval_and_the_draft_returns_pending_with_new_figures<S: Store>(store: S) {
    let World { store, policy, .. } = world(store).await;
    // GIVEN the friendly stages went out and the next one, which needs approval, was approved
    let mut invoice = after_friendly_stages(store.invoice(&InvoiceId("I1".into())).await.unwrap().unwrap());
    put_with_progress(&store, &policy, invoice.clone()).await;
    let planned = service::run_pass(&store, &policy, noon("2026-03-20"), false)
        .await
        .unwrap();
    let id = planned.entries[0].reminder_id.clone();
    let draft = store.reminder(&id).await.unwrap().unwrap();
    assert_eq!(draft.status, ReminderStatus::PendingApproval);
    let hash = draft.draft.unwrap().content_hash;
    service::approve(&store, &id, "alice", &hash, None, noon("2026-03-20"))
        .await
        .unwrap();
    // WHEN a partial payment changes the balance
    invoice.paid = "40.00".parse().unwrap();
    let voided = service::ingest_invoice(&store, &policy, &invoice, noon("2026-03-20"))
        .await
        .unwrap();
    // THEN the approval is void and the same reminder waits for approval again, showing the new balance
    assert_eq!(voided, vec![id.clone()]);
    let again = store.reminder(&id).await.unwrap().unwrap();
    assert_eq!(again.status, ReminderStatus::PendingApproval, "{:?}", again.history);
    assert!(again.approval.is_none());
    assert_eq!(again.draft.as_ref().unwrap().context.invoices[0].balance, "$60.00");
    assert_ne!(again.draft.unwrap().content_hash, hash);
    assert!(again.history.iter().any(|step| step.to == ReminderStatus::Approved));
    assert!(again.history.iter().any(|step| step.to == ReminderStatus::Cancelled));
}
