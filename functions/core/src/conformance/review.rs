//! Review by staff: a set of drafts is approved all or nothing.

use super::meddling::{Meddling, Moment};
use crate::actor::Actor;
use crate::error::CoreError;
use crate::fixtures::{customer, instant, invoice};
use crate::ports::Store;
use crate::reminder::Reminder;
use crate::status::ReminderStatus;

/// Three customers with a draft each waiting for approval, and the hashes an approver saw.
async fn three_drafts<S: Store>(store: &S) -> Vec<(Reminder, String)> {
    let policy = crate::Policy::default_policy();
    let mut drafts = Vec::new();
    for id in ["A", "B", "C"] {
        crate::service::ingest_customer(store, &policy, &customer(id), instant("2026-03-12"))
            .await
            .unwrap();
        let open = crate::fixtures::after_friendly_stages(invoice(&format!("I-{id}"), id, "2026-03-01", None));
        crate::service::ingest_invoice(store, &policy, &open, instant("2026-03-12"))
            .await
            .unwrap();
    }
    let pass = crate::service::run_pass(store, &policy, instant("2026-03-12"), false)
        .await
        .unwrap();
    for entry in &pass.entries {
        let draft = store.reminder(&entry.reminder_id).await.unwrap().unwrap();
        let seen = draft.draft.as_ref().unwrap().content_hash.clone();
        drafts.push((draft, seen));
    }
    assert_eq!(drafts.len(), 3);
    drafts
}

pub async fn several_reminders_change_all_or_nothing<S: Store>(store: &S) {
    let drafts = three_drafts(store).await;
    let approve = |reminder: &Reminder| {
        let mut approved = reminder.clone();
        approved
            .transition(
                ReminderStatus::Approved,
                instant("2026-03-12"),
                &Actor::person("pat"),
                None,
            )
            .unwrap();
        (approved, ReminderStatus::PendingApproval)
    };
    // One of them is no longer pending approval: nothing is written
    let mut updates: Vec<_> = drafts.iter().map(|(draft, _)| approve(draft)).collect();
    updates[2].1 = ReminderStatus::Approved;
    let refused = store.update_reminders(&updates).await;
    assert!(matches!(refused, Err(CoreError::Conflict(_))), "{refused:?}");
    for (draft, _) in &drafts {
        let stored = store.reminder(&draft.id).await.unwrap().unwrap();
        assert_eq!(stored.status, ReminderStatus::PendingApproval, "{}", draft.id);
    }
    // All as expected: all are written
    let updates: Vec<_> = drafts.iter().map(|(draft, _)| approve(draft)).collect();
    store.update_reminders(&updates).await.unwrap();
    for (draft, _) in &drafts {
        let stored = store.reminder(&draft.id).await.unwrap().unwrap();
        assert_eq!(stored.status, ReminderStatus::Approved, "{}", draft.id);
    }
}

pub async fn approving_a_set_approves_none_when_one_changed_meanwhile<S: Store>(store: &S) {
    let drafts = three_drafts(store).await;
    let items: Vec<_> = drafts
        .iter()
        .map(|(draft, seen)| (draft.id.clone(), seen.clone()))
        .collect();
    // WHEN another approver skips the last draft after the set was read and checked, before it is written
    let meddling = Meddling::at(store, Moment::ApprovingASet);
    let result = crate::service::approve_all(&meddling, &items, "pat", instant("2026-03-12")).await;
    // THEN nothing is approved
    assert!(matches!(result, Err(CoreError::Conflict(_))), "{result:?}");
    for (draft, _) in &drafts[..2] {
        let stored = store.reminder(&draft.id).await.unwrap().unwrap();
        assert_eq!(stored.status, ReminderStatus::PendingApproval, "{}", draft.id);
    }
}

pub async fn notes_and_reasons_are_bounded_whoever_calls<S: Store>(store: &S) {
    let policy = crate::Policy::default_policy();
    let drafts = three_drafts(store).await;
    let (draft, seen) = &drafts[0];
    let now = instant("2026-03-12");
    let long_reason = "x".repeat(crate::limits::REASON + 1);
    let long_note = "x".repeat(crate::limits::PERSONAL_NOTE + 1);
    let skipped = crate::service::skip(store, &policy, &draft.id, "pat", Some(long_reason.clone()), now).await;
    let snoozed = crate::service::snooze(
        store,
        &policy,
        &draft.id,
        "pat",
        crate::fixtures::day("2026-03-20"),
        Some(long_reason),
        now,
    )
    .await;
    let approved = crate::service::approve(store, &draft.id, "pat", seen, Some(long_note), now).await;
    for refused in [skipped.map(|_| ()), snoozed.map(|_| ()), approved.map(|_| ())] {
        assert!(matches!(refused, Err(CoreError::InvalidField { .. })), "{refused:?}");
    }
    let stored = store.reminder(&draft.id).await.unwrap().unwrap();
    assert_eq!(stored.status, ReminderStatus::PendingApproval);
}
