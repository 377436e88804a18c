//! Thank-you messages after payment: once, only when the policy says so, withdrawn when the money goes back.
use super::{World, noon, outbox_texts, reminded_world, world};
use kindly_core::fixtures::invoice;
use kindly_core::service::{self, SendResult};
use kindly_core::{CoreError, InvoiceId, InvoiceStatus, ReminderStatus, Store};

kindly_aws::on_both_stores!(
    a_reminded_customer_who_pays_is_thanked_once_and_reminded_no_more,
    paying_without_having_been_reminded_is_thanked_only_if_the_policy_says_so,
    a_partial_payment_is_not_thanked_and_an_overpayment_is_named,
    payments_before_the_thank_you_goes_out_share_one_message,
    a_refund_withdraws_the_waiting_thanks_and_reminders_resume,
    a_thank_you_for_an_invoice_reopened_since_is_not_sent,
    a_thank_you_needing_approval_waits_for_it_and_cannot_be_snoozed,
    a_waiting_thank_you_does_not_hold_back_a_reminder_for_another_invoice,
    an_accounting_copy_that_has_not_seen_the_payment_does_not_reopen_the_invoice
);

fn received(id: &str, amount: &str) -> kindly_core::payment::PaymentEvent {
    kindly_core::payment::PaymentEvent {
        id: id.into(),
        change: kindly_core::payment::PaymentChange::Received {
            amount: amount.parse().unwrap(),
            currency: kindly_core::Currency::from_code("USD").unwrap(),
            at: "2026-03-01T12:00:00Z".parse().unwrap(),
        },
    }
}

async fn pay<S: Store>(
    world: &World<S>,
    invoice: &str,
    event: &str,
    amount: &str,
    day: &str,
) -> service::PaymentOutcome {
    service::apply_payment_event(
        &world.store,
        &world.policy,
        &InvoiceId(invoice.into()),
        &received(event, amount),
        noon(day),
    )
    .await
    .unwrap()
}

fn thank_you_of(outcome: &service::PaymentOutcome) -> kindly_core::ReminderId {
    match outcome {
        service::PaymentOutcome::Applied {
            thank_you: Some(id), ..
        } => id.clone(),
        other => panic!("expected a thank-you to be queued: {other:?}"),
    }
}

async fn a_reminded_customer_who_pays_is_thanked_once_and_reminded_no_more<S: Store>(store: S) {
    let world = reminded_world(store).await;
    let ladder_before = world.store.invoice(&world.invoice.id).await.unwrap().unwrap().dunning;
    // WHEN the customer pays in full, and the processor repeats the event
    let outcome = pay(&world, "I1", "pi_1:received", "100.00", "2026-03-07").await;
    let thanks = thank_you_of(&outcome);
    assert!(matches!(
        pay(&world, "I1", "pi_1:received", "100.00", "2026-03-07").await,
        service::PaymentOutcome::Unchanged(_)
    ));
    // THEN one thank-you waits, approved as the policy says, and goes out once
    let queued = world.store.reminder(&thanks).await.unwrap().unwrap();
    assert_eq!(
        (queued.stage_id.as_str(), queued.status),
        ("thank_you", ReminderStatus::Approved)
    );
    // (auto-approved on the 7th, sent on the 9th: unlike "3 days overdue", thanks do not go stale)
    for _ in 0..2 {
        service::send_approved(&world.store, &world.mailer, &world.policy, noon("2026-03-09"))
            .await
            .unwrap();
    }
    let texts = outbox_texts(world.outbox.path());
    assert_eq!(texts.len(), 2, "the courtesy reminder and one thank-you");
    let thank_you = texts
        .iter()
        .find(|text| text.contains("Thank you for paying invoice INV-I1"))
        .unwrap();
    assert!(thank_you.contains("Paid in full"));
    assert!(!thank_you.contains("How to pay"), "a thank-you asks for nothing");
    // and the ladder is where the reminders left it; no reminder follows
    let paid = world.store.invoice(&world.invoice.id).await.unwrap().unwrap();
    assert_eq!(paid.dunning.last_stage, ladder_before.last_stage);
    assert_eq!(paid.status, InvoiceStatus::Paid);
    let later = service::run_pass(&world.store, &world.policy, noon("2026-03-20"), false)
        .await
        .unwrap();
    assert!(later.entries.is_empty(), "{:?}", later.entries);
}

async fn paying_without_having_been_reminded_is_thanked_only_if_the_policy_says_so<S: Store>(store: S) {
    let mut world = world(store).await;
    let outcome = pay(&world, "I1", "pi_1:received", "100.00", "2026-03-02").await;
    assert!(matches!(
        outcome,
        service::PaymentOutcome::Applied { thank_you: None, .. }
    ));

    world.policy.thank_you.as_mut().unwrap().only_after_reminders = false;
    service::ingest_invoice(
        &world.store,
        &world.policy,
        &invoice("I2", "A", "2026-03-20", None),
        noon("2026-03-02"),
    )
    .await
    .unwrap();
    thank_you_of(&pay(&world, "I2", "pi_2:received", "100.00", "2026-03-02").await);

    world.policy.thank_you = None;
    service::ingest_invoice(
        &world.store,
        &world.policy,
        &invoice("I3", "A", "2026-03-20", None),
        noon("2026-03-02"),
    )
    .await
    .unwrap();
    let outcome = pay(&world, "I3", "pi_3:received", "100.00", "2026-03-02").await;
    assert!(matches!(
        outcome,
        service::PaymentOutcome::Applied { thank_you: None, .. }
    ));
}

async fn a_partial_payment_is_not_thanked_and_an_overpayment_is_named<S: Store>(store: S) {
    let world = reminded_world(store).await;
    let partial = pay(&world, "I1", "pi_1:received", "40.00", "2026-03-07").await;
    assert!(matches!(
        partial,
        service::PaymentOutcome::Applied { thank_you: None, .. }
    ));
    let rest = pay(&world, "I1", "pi_2:received", "70.00", "2026-03-08").await;
    let thanks = world.store.reminder(&thank_you_of(&rest)).await.unwrap().unwrap();
    let line = &thanks.draft.unwrap().context.invoices[0];
    assert_eq!(line.credit.as_deref(), Some("$10.00"));
}

async fn payments_before_the_thank_you_goes_out_share_one_message<S: Store>(store: S) {
    let world = world(store).await;
    let policy = &world.policy;
    let mut second = invoice("I2", "A", "2026-03-10", None);
    second.number = "INV-I2".into();
    service::ingest_invoice(&world.store, policy, &second, noon("2026-03-01"))
        .await
        .unwrap();
    service::run_pass(&world.store, policy, noon("2026-03-05"), false)
        .await
        .unwrap();
    service::send_approved(&world.store, &world.mailer, policy, noon("2026-03-05"))
        .await
        .unwrap();
    // WHEN both invoices are paid, one after the other, before the sender runs
    let first = thank_you_of(&pay(&world, "I1", "pi_1:received", "100.00", "2026-03-07").await);
    let both = thank_you_of(&pay(&world, "I2", "pi_2:received", "100.00", "2026-03-07").await);
    // THEN the second thank-you covers both and replaces the first
    let replaced = world.store.reminder(&first).await.unwrap().unwrap();
    assert_eq!(replaced.status, ReminderStatus::Cancelled);
    let joined = world.store.reminder(&both).await.unwrap().unwrap();
    assert_eq!(joined.covers.len(), 2);
    service::send_approved(&world.store, &world.mailer, policy, noon("2026-03-07"))
        .await
        .unwrap();
    let texts = outbox_texts(world.outbox.path());
    assert_eq!(
        texts
            .iter()
            .filter(|text| text.contains("Thank you for paying"))
            .count(),
        1
    );
    assert!(
        texts
            .iter()
            .any(|text| text.contains("Thank you for paying 2 invoices"))
    );
}

async fn a_refund_withdraws_the_waiting_thanks_and_reminders_resume<S: Store>(store: S) {
    let world = reminded_world(store).await;
    let thanks = thank_you_of(&pay(&world, "I1", "pi_1:received", "100.00", "2026-03-07").await);
    // WHEN the payment is refunded before the thank-you went out
    let refund = kindly_core::payment::PaymentEvent {
        id: "ch_1:refunded".into(),
        change: kindly_core::payment::PaymentChange::Refunded {
            payment: "pi_1".into(),
            refunded_so_far: "100.00".parse().unwrap(),
            currency: kindly_core::Currency::from_code("USD").unwrap(),
        },
    };
    let outcome = service::apply_payment_event(
        &world.store,
        &world.policy,
        &world.invoice.id,
        &refund,
        noon("2026-03-08"),
    )
    .await
    .unwrap();
    // THEN the thank-you is void, nothing thanks them, and the ladder carries on when it is due
    assert!(
        matches!(&outcome, service::PaymentOutcome::Applied { voided, thank_you: None, .. } if voided == &vec![thanks.clone()])
    );
    assert_eq!(
        world.store.reminder(&thanks).await.unwrap().unwrap().status,
        ReminderStatus::Cancelled
    );
    let sent = service::send_approved(&world.store, &world.mailer, &world.policy, noon("2026-03-08"))
        .await
        .unwrap();
    assert!(sent.is_empty(), "{sent:?}");
    let due = service::run_pass(&world.store, &world.policy, noon("2026-03-10"), false)
        .await
        .unwrap();
    assert_eq!(due.entries[0].stage_id, "due_today");
}

async fn a_thank_you_for_an_invoice_reopened_since_is_not_sent<S: Store>(store: S) {
    let world = reminded_world(store).await;
    thank_you_of(&pay(&world, "I1", "pi_1:received", "100.00", "2026-03-07").await);
    // WHEN the accounting system reopens the invoice behind the webhook's back, racing the sender
    let mut reopened = world.store.invoice(&world.invoice.id).await.unwrap().unwrap();
    reopened.status = InvoiceStatus::Open;
    reopened.paid = Default::default();
    world
        .store
        .replace_invoice(&reopened, Some(reopened.bookkeeping.revision))
        .await
        .unwrap();
    // THEN the sender's own check stops the thanks
    let sent = service::send_approved(&world.store, &world.mailer, &world.policy, noon("2026-03-07"))
        .await
        .unwrap();
    assert!(
        matches!(&sent[0].1, Ok(SendResult::Cancelled { reason }) if reason.contains("no longer paid")),
        "{sent:?}"
    );
    assert_eq!(outbox_texts(world.outbox.path()).len(), 1);
}

async fn a_thank_you_needing_approval_waits_for_it_and_cannot_be_snoozed<S: Store>(store: S) {
    let mut world = reminded_world(store).await;
    world.policy.thank_you.as_mut().unwrap().approval = kindly_core::Approval::Required;
    let thanks = thank_you_of(&pay(&world, "I1", "pi_1:received", "100.00", "2026-03-07").await);
    let waiting = world.store.reminder(&thanks).await.unwrap().unwrap();
    assert_eq!(waiting.status, ReminderStatus::PendingApproval);
    let snoozed = service::snooze(
        &world.store,
        &world.policy,
        &thanks,
        "alice",
        "2026-03-20".parse().unwrap(),
        None,
        noon("2026-03-07"),
    )
    .await;
    assert!(
        matches!(&snoozed, Err(CoreError::InvalidField { field: "reminder", .. })),
        "{snoozed:?}"
    );
    let hash = waiting.draft.unwrap().content_hash;
    service::approve(&world.store, &thanks, "alice", &hash, None, noon("2026-03-07"))
        .await
        .unwrap();
    let sent = service::send_approved(&world.store, &world.mailer, &world.policy, noon("2026-03-09"))
        .await
        .unwrap();
    assert!(matches!(sent[0].1, Ok(SendResult::Sent { .. })), "{sent:?}");
}

async fn a_waiting_thank_you_does_not_hold_back_a_reminder_for_another_invoice<S: Store>(store: S) {
    let world = reminded_world(store).await;
    service::ingest_invoice(
        &world.store,
        &world.policy,
        &invoice("I2", "A", "2026-03-20", None),
        noon("2026-03-07"),
    )
    .await
    .unwrap();
    thank_you_of(&pay(&world, "I1", "pi_1:received", "100.00", "2026-03-07").await);
    // I2's courtesy note falls due on the 15th, 10 days after the last reminder.
    let pass = service::run_pass(&world.store, &world.policy, noon("2026-03-15"), false)
        .await
        .unwrap();
    assert_eq!(pass.entries.len(), 1, "{:?}", pass.held);
    assert_eq!(pass.entries[0].stage_id, "upcoming_due");
}

async fn an_accounting_copy_that_has_not_seen_the_payment_does_not_reopen_the_invoice<S: Store>(store: S) {
    let world = reminded_world(store).await;
    let thanks = thank_you_of(&pay(&world, "I1", "pi_1:received", "100.00", "2026-03-07").await);
    // WHEN the accounting system sends its copy, still open and unpaid, on the due date
    let voided = service::ingest_invoice(&world.store, &world.policy, &world.invoice, noon("2026-03-10"))
        .await
        .unwrap();
    // THEN the invoice stays paid, the thank-you stands, and nobody is reminded
    assert!(voided.is_empty(), "{voided:?}");
    let stored = world.store.invoice(&world.invoice.id).await.unwrap().unwrap();
    assert_eq!(
        (stored.status, stored.paid),
        (InvoiceStatus::Paid, "100.00".parse().unwrap())
    );
    assert_eq!(
        world.store.reminder(&thanks).await.unwrap().unwrap().status,
        ReminderStatus::Approved
    );
    let pass = service::run_pass(&world.store, &world.policy, noon("2026-03-10"), false)
        .await
        .unwrap();
    assert!(pass.entries.is_empty(), "{:?}", pass.entries);
}
