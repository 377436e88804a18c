//! Review by staff: approval bound to the rendered content, skipping, and snoozing.
use super::{World, noon, put_with_progress, world};
use chrono::NaiveDate;
use kindly_core::fixtures::after_friendly_stages;
use kindly_core::service;
use kindly_core::{CoreError, InvoiceId, ReminderStatus, Store};

kindly_aws::on_both_stores!(
    approval_is_bound_to_the_rendered_content,
    a_skip_moves_the_ladder_on_without_sending,
    a_snoozed_draft_comes_back_on_its_day_and_not_before
);

async fn approval_is_bound_to_the_rendered_content<S: Store>(store: S) {
    let World { store, policy, .. } = world(store).await;
    let open = store.invoice(&InvoiceId("I1".into())).await.unwrap().unwrap();
    // GIVEN a draft that needs approval (10 days overdue, after two earlier stages)
    put_with_progress(&store, &policy, after_friendly_stages(open)).await;
    let pass = service::run_pass(&store, &policy, noon("2026-03-20"), false)
        .await
        .unwrap();
    let entry = &pass.entries[0];
    assert_eq!(
        (entry.stage_id.as_str(), entry.status),
        ("overdue_direct", ReminderStatus::PendingApproval)
    );
    let draft = store.reminder(&entry.reminder_id).await.unwrap().unwrap();
    let hash = draft.draft.as_ref().unwrap().content_hash.clone();
    // WHEN someone approves another content hash, THEN it is refused and nothing changes
    let stale = service::approve(&store, &entry.reminder_id, "pat", "0000", None, noon("2026-03-20")).await;
    assert!(matches!(stale, Err(CoreError::StaleApproval { .. })), "{stale:?}");
    assert_eq!(store.reminder(&entry.reminder_id).await.unwrap().unwrap(), draft);
    // a note changes the content, so the hash seen without it no longer matches
    let with_note = service::approve(
        &store,
        &entry.reminder_id,
        "pat",
        &hash,
        Some("Call me".into()),
        noon("2026-03-20"),
    )
    .await;
    assert!(matches!(with_note, Err(CoreError::StaleApproval { .. })));
    // WHEN the approver names exactly what renders, THEN it is approved and recorded
    let approved = service::approve(&store, &entry.reminder_id, "pat", &hash, None, noon("2026-03-20"))
        .await
        .unwrap();
    assert_eq!(approved.status, ReminderStatus::Approved);
    let record = approved.approval.unwrap();
    assert_eq!(
        (record.by, record.content_hash.as_str()),
        (kindly_core::actor::Actor::person("pat"), hash.as_str())
    );
    // and approving twice is refused
    let twice = service::approve(&store, &entry.reminder_id, "pat", &hash, None, noon("2026-03-20")).await;
    assert!(matches!(twice, Err(CoreError::WrongStatus { .. })));
}

async fn a_skip_moves_the_ladder_on_without_sending<S: Store>(store: S) {
    let World { store, policy, .. } = world(store).await;
    let pass = service::run_pass(&store, &policy, noon("2026-03-05"), false)
        .await
        .unwrap();
    let id = pass.entries[0].reminder_id.clone();
    service::skip(
        &store,
        &policy,
        &id,
        "pat",
        Some("  customer called \n".into()),
        noon("2026-03-05"),
    )
    .await
    .unwrap();
    let skipped = store.reminder(&id).await.unwrap().unwrap();
    assert_eq!(skipped.status, ReminderStatus::Skipped);
    assert_eq!(skipped.history.last().unwrap().note.as_deref(), Some("customer called"));
    let invoice = store.invoice(&InvoiceId("I1".into())).await.unwrap().unwrap();
    assert_eq!(invoice.dunning.last_stage.as_deref(), Some("upcoming_due"));
    assert_eq!(invoice.dunning.last_tone, None, "a skipped message was never heard");
    assert!(
        service::run_pass(&store, &policy, noon("2026-03-06"), false)
            .await
            .unwrap()
            .entries
            .is_empty()
    );
    let due_day = service::run_pass(&store, &policy, noon("2026-03-10"), false)
        .await
        .unwrap();
    assert_eq!(due_day.entries[0].stage_id, "due_today");
    // An illegal move is refused: a skipped reminder cannot be skipped again.
    assert!(
        service::skip(&store, &policy, &id, "pat", None, noon("2026-03-10"))
            .await
            .is_err()
    );
}

async fn a_snoozed_draft_comes_back_on_its_day_and_not_before<S: Store>(store: S) {
    let World { store, policy, .. } = world(store).await;
    let first = service::run_pass(&store, &policy, noon("2026-03-05"), false)
        .await
        .unwrap();
    let id = first.entries[0].reminder_id.clone();
    // A day that is not after the customer's today is refused, and changes nothing
    let refused = service::snooze(
        &store,
        &policy,
        &id,
        "alice",
        "2026-03-05".parse().unwrap(),
        None,
        noon("2026-03-05"),
    )
    .await;
    assert!(
        matches!(refused, Err(CoreError::InvalidField { field: "until", .. })),
        "{refused:?}"
    );
    assert_ne!(
        store.reminder(&id).await.unwrap().unwrap().status,
        ReminderStatus::Cancelled
    );
    // WHEN the draft is snoozed until the 12th
    let until: NaiveDate = "2026-03-12".parse().unwrap();
    let snoozed = service::snooze(
        &store,
        &policy,
        &id,
        "alice",
        until,
        Some("promised to pay".into()),
        noon("2026-03-05"),
    )
    .await
    .unwrap();
    assert_eq!(snoozed.status, ReminderStatus::Cancelled);
    assert_eq!(
        snoozed.history.last().unwrap().note.as_deref(),
        Some("snoozed until 2026-03-12: promised to pay")
    );
    let held = store.invoice(&InvoiceId("I1".into())).await.unwrap().unwrap();
    assert_eq!(
        held.dunning.next_action_on,
        Some(until),
        "the due index skips it until then"
    );
    assert_eq!(held.dunning.last_stage, None, "the ladder did not move");
    // THEN passes before the 12th plan nothing, even though stages fell due meanwhile
    for day in ["2026-03-06", "2026-03-10", "2026-03-11"] {
        let pass = service::run_pass(&store, &policy, noon(day), false).await.unwrap();
        assert!(pass.entries.is_empty(), "{day}: {:?}", pass.entries);
    }
    // and on the 12th it is drafted again with that day's facts
    let back = service::run_pass(&store, &policy, noon("2026-03-12"), false)
        .await
        .unwrap();
    assert_eq!(back.entries.len(), 1, "{back:?}");
    let reminder = store.reminder(&back.entries[0].reminder_id).await.unwrap().unwrap();
    assert!(matches!(
        reminder.status,
        ReminderStatus::PendingApproval | ReminderStatus::Approved
    ));
    assert_eq!(reminder.draft.unwrap().context.invoices[0].days_overdue, 2);
}
