//! Replies forwarded to the billing mailbox on every store: once, whatever the sweeps, failures and
//! crashes; never an automatic reply, nor a reply a person has already dealt with.

use super::meddling::CountingMailer;
use super::replies::{noon, replied, sent_and_next};
use crate::feedback::AutoReply;
use crate::policy::Policy;
use crate::ports::Store;
use crate::reminder::Reminder;
use crate::service::{FeedbackOutcome, Forwarded, do_task, forward_replies, record_mail_event};
use crate::tasks::TaskAction;
use chrono::NaiveDate;

/// Record a person's reply (`id`) to `sent`, written on `day`; the answer's id.
async fn reply<S: Store>(store: &S, policy: &Policy, id: &str, sent: &Reminder, day: NaiveDate) -> String {
    let event = replied(id, &sent.id, day, None);
    match record_mail_event(store, policy, &event, noon(day)).await.unwrap() {
        FeedbackOutcome::Replied { answer, .. } => answer.id.0,
        other => panic!("a reply is recorded: {other:?}"),
    }
}

async fn sweep<S: Store>(store: &S, mailer: &CountingMailer, policy: &Policy, day: NaiveDate) -> Vec<Forwarded> {
    forward_replies(store, mailer, policy, noon(day)).await.unwrap()
}

pub async fn a_reply_is_forwarded_to_the_billing_mailbox_once<S: Store>(store: &S) {
    let policy = Policy::default_policy();
    let (sent, due) = sent_and_next(store, &policy, "FW").await;
    let day = due.pred_opt().unwrap();
    let answer = reply(store, &policy, "<fw-1@r.example>", &sent, day).await;
    // An out-of-office note is nobody's to read: never forwarded
    let away = AutoReply {
        out_of_office: true,
        returns_on: Some(due),
    };
    record_mail_event(
        store,
        &policy,
        &replied("<fw-ooo@r.example>", &sent.id, day, Some(away)),
        noon(day),
    )
    .await
    .unwrap();

    let mailer = CountingMailer::default();
    let outcomes = sweep(store, &mailer, &policy, day).await;
    assert!(
        matches!(&outcomes[..], [Forwarded::Sent { answer: forwarded, .. }] if forwarded.0 == answer),
        "{outcomes:?}"
    );
    let forwards = mailer.sent.lock().unwrap().clone();
    let forward = &forwards[0];
    assert_eq!(forward.to[0].email, "billing@northwind.example");
    assert_eq!(
        forward.reply_to.as_ref().unwrap().email,
        "ap@r.example",
        "answering it writes to the customer"
    );
    assert_eq!(forward.from.email, sent.draft.as_ref().unwrap().context.from.email);
    assert!(forward.subject.ends_with(": Re: your reminder"), "{}", forward.subject);
    assert!(
        forward.text.contains("We are checking this with our bank"),
        "{}",
        forward.text
    );
    assert!(
        forward.text.contains("(FW) replied by email to the reminder about"),
        "{}",
        forward.text
    );

    // THEN every later sweep leaves it: sent once
    for later in 0..3 {
        let again = sweep(store, &mailer, &policy, day + chrono::Days::new(later)).await;
        assert!(again.is_empty(), "{again:?}");
    }
    assert_eq!(mailer.count(), 1);
    // ... and a policy naming no mailbox forwards nothing
    let mut quiet = policy.clone();
    quiet.mail_feedback.forward_replies_to = None;
    reply(store, &quiet, "<fw-2@r.example>", &sent, day).await;
    assert!(sweep(store, &mailer, &quiet, day).await.is_empty());
    assert_eq!(mailer.count(), 1);
}

pub async fn a_forward_that_failed_goes_out_later_and_one_in_doubt_never_twice<S: Store>(store: &S) {
    let policy = Policy::default_policy();
    let (sent, due) = sent_and_next(store, &policy, "FF").await;
    let day = due.pred_opt().unwrap();

    // GIVEN the mail system refuses for now: the forward fails, and the next sweep sends it
    let first = reply(store, &policy, "<ff-1@r.example>", &sent, day).await;
    let busy = CountingMailer {
        temporary_failure: true,
        ..Default::default()
    };
    let outcomes = sweep(store, &busy, &policy, day).await;
    assert!(
        matches!(&outcomes[..], [Forwarded::Failed { gave_up: false, .. }]),
        "{outcomes:?}"
    );
    let mailer = CountingMailer::default();
    let outcomes = sweep(store, &mailer, &policy, day).await;
    assert!(
        matches!(&outcomes[..], [Forwarded::Sent { answer, .. }] if answer.0 == first),
        "{outcomes:?}"
    );

    // GIVEN a send whose outcome is unknown: reported once, and never sent again by a mailer that cannot
    // promise one delivery
    let second = reply(store, &policy, "<ff-2@r.example>", &sent, day).await;
    let unknown = CountingMailer {
        unknown_outcome: true,
        ..Default::default()
    };
    let outcomes = sweep(store, &unknown, &policy, day).await;
    assert!(
        matches!(&outcomes[..], [Forwarded::InDoubt { answer }] if answer.0 == second),
        "{outcomes:?}"
    );
    assert!(sweep(store, &mailer, &policy, day).await.is_empty());
    assert_eq!(mailer.count(), 1, "the reply in doubt is not sent again");

    // GIVEN a sweep that stopped mid-send: a mailer whose repeats deliver once sends it again under the
    // same key, and the one in doubt above too
    let third = reply(store, &policy, "<ff-3@r.example>", &sent, day).await;
    let stopping = CountingMailer {
        crash: true,
        ..Default::default()
    };
    assert!(forward_replies(store, &stopping, &policy, noon(day)).await.is_err());
    let outbox = CountingMailer {
        safe_retries: true,
        ..Default::default()
    };
    let outcomes = sweep(store, &outbox, &policy, day).await;
    let mut resent: Vec<&str> = outcomes
        .iter()
        .map(|outcome| match outcome {
            Forwarded::Sent { answer, .. } => answer.0.as_str(),
            other => panic!("sent again: {other:?}"),
        })
        .collect();
    resent.sort_unstable();
    let mut expected = [second.as_str(), third.as_str()];
    expected.sort_unstable();
    assert_eq!(resent, expected);
    let keys: Vec<String> = outbox
        .sent
        .lock()
        .unwrap()
        .iter()
        .map(|e| e.idempotency_key.clone())
        .collect();
    assert!(
        keys.contains(&stopping.sent.lock().unwrap()[0].idempotency_key),
        "{keys:?}"
    );
    assert!(sweep(store, &outbox, &policy, day).await.is_empty(), "each sent once");

    // A reply a person marked done before any sweep is not forwarded
    let fourth = reply(store, &policy, "<ff-4@r.example>", &sent, day).await;
    do_task(
        store,
        &policy,
        &fourth,
        TaskAction::Done,
        None,
        None,
        None,
        "sam",
        noon(day),
    )
    .await
    .unwrap();
    assert!(sweep(store, &outbox, &policy, day).await.is_empty());
    assert_eq!(outbox.count(), 2);
}
