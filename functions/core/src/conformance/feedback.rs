//! The mail system's feedback on every store: a bounce stops the ladder at the stage that did not arrive,
//! the accounting system's next copy does not unblock the address, and once staff fix the contact the
//! stage goes out again — to the new address, once.

use super::changes::waiting_draft;
use super::meddling::{CountingMailer, Meddling, Moment};
use crate::CoreError;
use crate::CustomerId;
use crate::feedback::{BounceKind, BouncedRecipient, MailEvent, MailEventKind};
use crate::fixtures::{customer, instant};
use crate::invoice::InvoiceId;
use crate::policy::Policy;
use crate::ports::Store;
use crate::reminder::{Reminder, ReminderId};
use crate::service::{FeedbackOutcome, approve, do_task, open_tasks, record_mail_event, run_pass, send_approved};
use crate::status::ReminderStatus;
use crate::tasks::{TaskAction, TaskKind};

/// Approve every draft waiting for customer `id` and send it; returns what the mailer was given.
pub(super) async fn approve_and_send<S: Store>(
    store: &S,
    policy: &Policy,
    id: &str,
    at: &str,
) -> Vec<crate::ports::OutgoingEmail> {
    let reminders = store.reminders_of_customer(&CustomerId(id.into())).await.unwrap();
    for draft in reminders.iter().filter(|r| r.status == ReminderStatus::PendingApproval) {
        let hash = draft.draft.as_ref().unwrap().content_hash.clone();
        approve(store, &draft.id, "sam", &hash, None, instant(at))
            .await
            .unwrap();
    }
    let mailer = CountingMailer::default();
    send_approved(store, &mailer, policy, instant(at)).await.unwrap();
    mailer.sent.into_inner().unwrap()
}

pub(super) fn bounced(id: &str, reminder: &ReminderId, email: &str) -> MailEvent {
    MailEvent {
        event_id: id.into(),
        reminder: Some(reminder.clone()),
        at: instant("2026-03-12"),
        kind: MailEventKind::Bounced {
            bounce: BounceKind::Permanent,
            recipients: vec![BouncedRecipient {
                email: email.into(),
                status: Some("5.1.1".into()),
                diagnostic: Some("smtp; 550 5.1.1 user unknown".into()),
            }],
        },
    }
}

pub(super) async fn reminder<S: Store>(store: &S, id: &ReminderId) -> Reminder {
    store.reminder(id).await.unwrap().unwrap()
}

pub async fn a_bounce_holds_the_stage_until_staff_fix_the_contact_then_it_goes_out_once<S: Store>(store: &S) {
    let policy = Policy::default_policy();
    let draft = waiting_draft(store, "B").await;
    let stage = draft.stage_id.clone();
    let sent = approve_and_send(store, &policy, "B", "2026-03-12").await;
    assert_eq!(sent.len(), 1);
    assert_eq!(reminder(store, &draft.id).await.status, ReminderStatus::Sent);

    // WHEN its bounce arrives
    let event = bounced("fb-1", &draft.id, "ap@b.example");
    let outcome = record_mail_event(store, &policy, &event, instant("2026-03-12"))
        .await
        .unwrap();
    assert_eq!(
        outcome,
        FeedbackOutcome::Recorded {
            reminder: draft.id.clone(),
            customer: CustomerId("B".into()),
            undelivered: true,
            blocked: vec!["ap@b.example".into()],
        }
    );
    // THEN the message is undelivered, the address blocked, and the stage no longer counts as said
    let undelivered = reminder(store, &draft.id).await;
    assert_eq!(undelivered.status, ReminderStatus::Undelivered);
    assert!(
        undelivered
            .history
            .last()
            .unwrap()
            .note
            .as_deref()
            .unwrap()
            .contains("550 5.1.1")
    );
    let stored = store.customer(&CustomerId("B".into())).await.unwrap().unwrap();
    assert!(stored.billing_contacts[0].bounced);
    let invoice = store.invoice(&InvoiceId("I-B".into())).await.unwrap().unwrap();
    assert_eq!(
        invoice.dunning.last_stage.as_deref(),
        Some("crossed_in_mail"),
        "back before {stage}"
    );
    // The same notification again changes nothing
    let again = record_mail_event(store, &policy, &event, instant("2026-03-12"))
        .await
        .unwrap();
    assert_eq!(again, FeedbackOutcome::Repeated);
    // The accounting system's copy of the customer, with the same address, does not unblock it
    crate::service::ingest_customer(store, &policy, &customer("B"), instant("2026-03-13"))
        .await
        .unwrap();
    let stored = store.customer(&CustomerId("B".into())).await.unwrap().unwrap();
    assert!(
        stored.billing_contacts[0].bounced,
        "still blocked after the accounting copy"
    );
    // Nothing goes out while no address is reachable
    run_pass(store, &policy, instant("2026-03-16"), false).await.unwrap();
    assert!(approve_and_send(store, &policy, "B", "2026-03-16").await.is_empty());

    // The tasks inbox asks a person to fix the contact, with what the mail system said
    let inbox = open_tasks(store, &policy, instant("2026-03-16")).await.unwrap();
    let task = inbox.open.iter().find(|task| task.id == draft.id.0).expect("a task");
    assert_eq!(
        (task.kind, task.actions.as_slice()),
        (TaskKind::Undelivered, &[TaskAction::FixContact][..])
    );
    assert!(task.text.contains("550 5.1.1"), "{}", task.text);
    // An address is needed, and must be one
    for email in [None, Some("not an address".to_owned())] {
        let refused = do_task(
            store,
            &policy,
            &draft.id.0,
            TaskAction::FixContact,
            None,
            email,
            None,
            "sam",
            instant("2026-03-16"),
        )
        .await;
        assert!(
            matches!(refused, Err(CoreError::InvalidField { field: "email", .. })),
            "{refused:?}"
        );
    }
    // WHEN staff fix the contact
    let done = do_task(
        store,
        &policy,
        &draft.id.0,
        TaskAction::FixContact,
        None,
        Some("payables@b.example".into()),
        None,
        "sam",
        instant("2026-03-16"),
    )
    .await
    .unwrap();
    let done_by = done.done.expect("done, with who");
    assert_eq!(done_by.by, crate::actor::Actor::person("sam"));
    assert!(done_by.note.unwrap().contains("payables@b.example"));
    let inbox = open_tasks(store, &policy, instant("2026-03-16")).await.unwrap();
    assert!(inbox.open.iter().all(|task| task.id != draft.id.0), "no longer open");
    // The old address is remembered, blocked: an accounting copy still naming it does not unblock it
    let fixed = store.customer(&CustomerId("B".into())).await.unwrap().unwrap();
    let standing: Vec<(&str, bool)> = fixed
        .billing_contacts
        .iter()
        .map(|contact| (contact.email.as_str(), contact.bounced))
        .collect();
    assert_eq!(standing, [("ap@b.example", true), ("payables@b.example", false)]);
    // THEN the stage goes out again, to the new address only, once
    run_pass(store, &policy, instant("2026-03-17"), false).await.unwrap();
    let resent = approve_and_send(store, &policy, "B", "2026-03-17").await;
    assert_eq!(resent.len(), 1, "{resent:?}");
    let to: Vec<&str> = resent[0].to.iter().map(|to| to.email.as_str()).collect();
    assert_eq!(to, ["payables@b.example"]);
    // The same stage, planned again in place, sent as a new message (not taken for the one that bounced)
    assert_eq!(resent[0].idempotency_key, format!("{}_r1", draft.id.0));
    assert_eq!(ReminderId::of_send_key(&resent[0].idempotency_key), draft.id);
    let history = reminder(store, &draft.id).await.history;
    assert!(
        history.iter().any(|step| step.to == ReminderStatus::Undelivered),
        "the record keeps its story: {history:?}"
    );
    run_pass(store, &policy, instant("2026-03-18"), false).await.unwrap();
    let later: Vec<_> = approve_and_send(store, &policy, "B", "2026-03-18")
        .await
        .into_iter()
        .filter(|email| ReminderId::of_send_key(&email.idempotency_key) == draft.id)
        .collect();
    assert!(later.is_empty(), "sent once");
    // An accounting copy still naming only the old address does not unblock it
    crate::service::ingest_customer(store, &policy, &customer("B"), instant("2026-03-19"))
        .await
        .unwrap();
    let stored = store.customer(&CustomerId("B".into())).await.unwrap().unwrap();
    assert!(
        stored.billing_contacts.iter().all(|contact| contact.bounced),
        "{stored:?}"
    );
}

pub async fn feedback_about_no_known_reminder_changes_nothing<S: Store>(store: &S) {
    let policy = Policy::default_policy();
    let stranger = bounced("fb-x", &ReminderId("rem_unknown".into()), "ap@b.example");
    let outcome = record_mail_event(store, &policy, &stranger, instant("2026-03-12"))
        .await
        .unwrap();
    assert_eq!(outcome, FeedbackOutcome::Unmatched);
    let nameless = MailEvent {
        reminder: None,
        ..stranger
    };
    let outcome = record_mail_event(store, &policy, &nameless, instant("2026-03-12"))
        .await
        .unwrap();
    assert_eq!(outcome, FeedbackOutcome::Unmatched);
}

pub async fn a_notification_heard_again_after_a_crash_writes_its_line_once<S: Store>(store: &S) {
    let policy = Policy::default_policy();
    let draft = waiting_draft(store, "B").await;
    assert_eq!(approve_and_send(store, &policy, "B", "2026-03-12").await.len(), 1);
    let delivered = MailEvent {
        event_id: "fb-d".into(),
        reminder: Some(draft.id.clone()),
        at: instant("2026-03-12"),
        kind: MailEventKind::Delivered {
            recipients: vec!["ap@b.example".into()],
        },
    };
    let lines = |reminder: Reminder| {
        reminder
            .history
            .iter()
            .filter(|step| {
                step.note
                    .as_deref()
                    .is_some_and(|note| note.starts_with("delivered to"))
            })
            .count()
    };
    // GIVEN its first delivery crashed after writing the line, before the ledger entry
    let crashing = Meddling::at(store, Moment::RecordingEvent);
    let crashed = record_mail_event(&crashing, &policy, &delivered, instant("2026-03-12")).await;
    assert!(crashed.is_err(), "{crashed:?}");
    assert_eq!(lines(reminder(store, &draft.id).await), 1);
    // WHEN the queue delivers it again
    let again = record_mail_event(store, &policy, &delivered, instant("2026-03-12"))
        .await
        .unwrap();
    // THEN it is recorded, and its line is there once
    assert!(
        matches!(again, FeedbackOutcome::Recorded { undelivered: false, .. }),
        "{again:?}"
    );
    assert_eq!(lines(reminder(store, &draft.id).await), 1);
    // and from now on it is known
    let third = record_mail_event(store, &policy, &delivered, instant("2026-03-13"))
        .await
        .unwrap();
    assert_eq!(third, FeedbackOutcome::Repeated);
}

/// The stage a message carried, from its tags.
fn stage_of(email: &crate::ports::OutgoingEmail) -> &str {
    email
        .tags
        .iter()
        .find(|(key, _)| key == "stage")
        .map_or("", |(_, stage)| stage.as_str())
}

pub async fn a_stage_that_did_not_arrive_is_said_again_though_the_calendar_moved_on<S: Store>(store: &S) {
    let policy = Policy::default_policy();
    crate::service::ingest_customer(store, &policy, &customer("U"), instant("2026-03-15"))
        .await
        .unwrap();
    let invoice = crate::fixtures::invoice("I-U", "U", "2026-03-20", None);
    crate::service::ingest_invoice(store, &policy, &invoice, instant("2026-03-15"))
        .await
        .unwrap();
    run_pass(store, &policy, instant("2026-03-15"), false).await.unwrap();
    let sent = approve_and_send(store, &policy, "U", "2026-03-15").await;
    assert_eq!(sent.iter().map(stage_of).collect::<Vec<_>>(), ["upcoming_due"]);
    let first = ReminderId(sent[0].idempotency_key.clone());
    // GIVEN it bounced, and staff fixed the contact only after the due date and the next stage's day
    let bounce = bounced("fb-u", &first, "ap@u.example");
    record_mail_event(store, &policy, &bounce, instant("2026-03-15"))
        .await
        .unwrap();
    do_task(
        store,
        &policy,
        &first.0,
        TaskAction::FixContact,
        None,
        Some("payables@u.example".into()),
        None,
        "sam",
        instant("2026-03-24"),
    )
    .await
    .unwrap();
    // WHEN the next pass plans
    run_pass(store, &policy, instant("2026-03-24"), false).await.unwrap();
    let resent = approve_and_send(store, &policy, "U", "2026-03-24").await;
    // THEN the stage the customer never got goes out first, to the new address
    assert_eq!(resent.iter().map(stage_of).collect::<Vec<_>>(), ["upcoming_due"]);
    assert_eq!(resent[0].to[0].email, "payables@u.example");
    // and then the ladder goes on from it (positive control: it is not said a third time)
    run_pass(store, &policy, instant("2026-03-28"), false).await.unwrap();
    let next = approve_and_send(store, &policy, "U", "2026-03-28").await;
    assert_eq!(next.len(), 1, "{next:?}");
    assert_ne!(stage_of(&next[0]), "upcoming_due");
}

pub async fn a_message_to_an_address_blocked_after_it_was_drafted_is_not_sent<S: Store>(store: &S) {
    let policy = Policy::default_policy();
    let draft = waiting_draft(store, "K").await;
    // GIVEN the address complained meanwhile, and the void of the waiting draft lost its race (the
    // customer's record was written, the draft was not)
    let id = CustomerId("K".into());
    let mut blocked = store.customer(&id).await.unwrap().unwrap();
    let contact = &mut blocked.billing_contacts[0];
    contact
        .standing
        .block(instant("2026-03-12"), crate::standing::BlockedBecause::Complained, None);
    contact.bounced = true;
    store.put_customer(&blocked).await.unwrap();
    // WHEN it is approved and the sender comes to it
    let sent = approve_and_send(store, &policy, "K", "2026-03-12").await;
    // THEN nothing goes out, and the reminder says why
    assert!(sent.is_empty(), "{sent:?}");
    let after = reminder(store, &draft.id).await;
    assert_eq!(after.status, ReminderStatus::Cancelled);
    let note = after.history.last().unwrap().note.clone().unwrap_or_default();
    assert!(note.contains("ap@k.example"), "{note}");
    // Positive control: another customer's message goes out
    waiting_draft(store, "L").await;
    assert_eq!(approve_and_send(store, &policy, "L", "2026-03-12").await.len(), 1);
}

pub async fn an_acknowledgement_stopped_at_a_bounced_address_goes_to_the_fixed_one_once<S: Store>(store: &S) {
    let policy = Policy::default_policy();
    let draft = waiting_draft(store, "AB").await;
    let promise = crate::answer::AnswerKind::Promise {
        pay_by: crate::fixtures::day("2026-03-20"),
    };
    super::answers::answer(store, &policy, &draft, promise, "f1", "2026-03-12")
        .await
        .unwrap();
    let ack = store
        .reminders_of_customer(&draft.customer_id)
        .await
        .unwrap()
        .into_iter()
        .find(Reminder::is_acknowledgement)
        .expect("an acknowledgement");
    // GIVEN the only address bounced before the acknowledgement went out, so the sender stopped it
    let mut blocked = store.customer(&draft.customer_id).await.unwrap().unwrap();
    blocked.billing_contacts[0].bounced = true;
    store.put_customer(&blocked).await.unwrap();
    let mailer = CountingMailer::default();
    send_approved(store, &mailer, &policy, instant("2026-03-12"))
        .await
        .unwrap();
    assert!(mailer.sent.lock().unwrap().is_empty());
    assert!(reminder(store, &ack.id).await.stopped_at_blocked_address());
    // WHEN staff fix the contact
    crate::service::fix_contact(
        store,
        &policy,
        &draft.customer_id,
        "ap@ab.example",
        "payables@ab.example",
        "sam",
        instant("2026-03-13"),
    )
    .await
    .unwrap();
    // THEN the acknowledgement goes to the new address, once, however often the sender runs
    for _ in 0..2 {
        send_approved(store, &mailer, &policy, instant("2026-03-13"))
            .await
            .unwrap();
    }
    let sent = mailer.sent.lock().unwrap().clone();
    let acks: Vec<_> = sent.iter().filter(|email| email.idempotency_key == ack.id.0).collect();
    assert_eq!(acks.len(), 1, "{sent:?}");
    assert_eq!(acks[0].to[0].email, "payables@ab.example");
    assert_eq!(reminder(store, &ack.id).await.status, ReminderStatus::Sent);
}
