//! Replies and complaints on every store: a person's reply holds the customer until someone has read it,
//! an out-of-office note until its person is back, and a complaint until a person has looked.

use super::changes::waiting_draft;
use super::feedback::approve_and_send;
use crate::CustomerId;
use crate::feedback::{AutoReply, MailEvent, MailEventKind, Reply};
use crate::fixtures::{customer, instant};
use crate::invoice::InvoiceId;
use crate::policy::Policy;
use crate::ports::Store;
use crate::reminder::{Reminder, ReminderId};
use crate::service::{FeedbackOutcome, do_task, open_tasks, record_mail_event, run_pass};
use crate::tasks::TaskAction;
use chrono::NaiveDate;

pub(super) fn replied(id: &str, reminder: &ReminderId, on: NaiveDate, automatic: Option<AutoReply>) -> MailEvent {
    MailEvent {
        event_id: id.into(),
        reminder: Some(reminder.clone()),
        at: noon(on),
        kind: MailEventKind::Replied(Reply {
            from: "ap@r.example".into(),
            from_name: Some("Robin Payable".into()),
            subject: "Re: your reminder".into(),
            text: "We are checking this with our bank, please bear with us.".into(),
            automatic,
        }),
    }
}

pub(super) fn noon(day: NaiveDate) -> chrono::DateTime<chrono::Utc> {
    day.and_hms_opt(16, 0, 0).unwrap().and_utc()
}

/// Whether a ladder message waits or goes out for customer `id`.
async fn ladder_open<S: Store>(store: &S, id: &str) -> bool {
    store
        .reminders_of_customer(&CustomerId(id.into()))
        .await
        .unwrap()
        .iter()
        .any(|r| r.status.is_open() && !r.is_off_ladder())
}

/// Customer `id`'s message sent on 2026-03-12, and the day its invoice's next stage falls due.
pub(super) async fn sent_and_next<S: Store>(store: &S, policy: &Policy, id: &str) -> (Reminder, NaiveDate) {
    let draft = waiting_draft(store, id).await;
    approve_and_send(store, policy, id, "2026-03-12").await;
    (draft, next_stage_day(store, policy, id).await)
}

/// The day invoice `I-{id}`'s next stage falls due, in its customer's calendar.
async fn next_stage_day<S: Store>(store: &S, policy: &Policy, id: &str) -> NaiveDate {
    let invoice = store.invoice(&InvoiceId(format!("I-{id}"))).await.unwrap().unwrap();
    let customer = store.customer(&invoice.customer_id).await.unwrap().unwrap();
    let next = &policy.stages[policy.stages_after(invoice.dunning.last_stage.as_deref())];
    Policy::stage_date(next, invoice.due_date, customer.calendar())
}

pub async fn a_reply_holds_the_customer_until_a_person_has_read_it<S: Store>(store: &S) {
    let policy = Policy::default_policy();
    let (sent, due) = sent_and_next(store, &policy, "RP").await;
    // GIVEN they wrote back the day before the next stage
    let event = replied("<reply-1@r.example>", &sent.id, due.pred_opt().unwrap(), None);
    let FeedbackOutcome::Replied { answer, .. } =
        record_mail_event(store, &policy, &event, noon(due.pred_opt().unwrap()))
            .await
            .unwrap()
    else {
        panic!("a reply is the customer's answer");
    };
    assert_eq!(answer.kind.name(), "reply");
    assert!(answer.needs_staff());
    // THEN the next stage waits, and the inbox asks a person to read it
    run_pass(store, &policy, noon(due), false).await.unwrap();
    assert!(!ladder_open(store, "RP").await, "held while nobody has read the reply");
    let inbox = open_tasks(store, &policy, noon(due)).await.unwrap();
    let task = inbox
        .open
        .iter()
        .find(|task| task.id == answer.id.0)
        .expect("the reply is a task");
    assert_eq!(task.actions, [TaskAction::Done]);
    assert!(task.text.contains("checking this with our bank"), "{}", task.text);
    // The same reply delivered again changes nothing
    let again = record_mail_event(store, &policy, &event, noon(due)).await.unwrap();
    assert_eq!(again, FeedbackOutcome::Repeated);
    assert_eq!(
        store.answers_of_customer(&CustomerId("RP".into())).await.unwrap().len(),
        1
    );
    // WHEN a person has read it THEN kindly goes on, and no acknowledgement answers a reply
    do_task(
        store,
        &policy,
        &answer.id.0,
        TaskAction::Done,
        None,
        None,
        None,
        "sam",
        noon(due),
    )
    .await
    .unwrap();
    assert!(
        ladder_open(store, "RP").await,
        "the next stage is planned once it is read"
    );
    let acknowledged = store
        .reminders_of_customer(&CustomerId("RP".into()))
        .await
        .unwrap()
        .iter()
        .any(|r| r.is_acknowledgement());
    assert!(!acknowledged);
}

pub async fn an_out_of_office_note_moves_the_next_message_past_the_return<S: Store>(store: &S) {
    let policy = Policy::default_policy();
    let (sent, due) = sent_and_next(store, &policy, "OO").await;
    let back = due + chrono::Days::new(4);
    let away = AutoReply {
        out_of_office: true,
        returns_on: Some(back),
    };
    let written = due.pred_opt().unwrap();
    let outcome = record_mail_event(
        store,
        &policy,
        &replied("<ooo-1@r.example>", &sent.id, written, Some(away)),
        noon(written),
    )
    .await
    .unwrap();
    let FeedbackOutcome::Replied { answer, .. } = outcome else {
        panic!("recorded")
    };
    assert!(!answer.needs_staff(), "nobody needs to read an out-of-office note");
    let first_back = crate::calendar::Calendar::WEEKDAYS.after(back);
    let mut day = due;
    while day < first_back {
        run_pass(store, &policy, noon(day), false).await.unwrap();
        assert!(!ladder_open(store, "OO").await, "nothing while they are away ({day})");
        day = day.succ_opt().unwrap();
    }
    run_pass(store, &policy, noon(first_back), false).await.unwrap();
    assert!(
        ladder_open(store, "OO").await,
        "the first business day after their return"
    );
    // An automatic reply that names no day holds nothing
    let plain = AutoReply {
        out_of_office: false,
        returns_on: None,
    };
    let outcome = record_mail_event(
        store,
        &policy,
        &replied("<auto-2@r.example>", &sent.id, first_back, Some(plain)),
        noon(first_back),
    )
    .await
    .unwrap();
    let FeedbackOutcome::Replied { answer, .. } = outcome else {
        panic!("recorded")
    };
    assert!(!answer.holds_customer_on(first_back) && !answer.needs_staff());
}

pub async fn a_complaint_blocks_the_address_and_holds_the_customer_until_a_person_has_looked<S: Store>(store: &S) {
    let policy = Policy::default_policy();
    // GIVEN a customer with a second billing address, and a message that went out to both
    waiting_draft(store, "CP").await;
    let mut two = customer("CP");
    let mut second = two.billing_contacts[0].clone();
    second.email = "owner@cp.example".into();
    two.billing_contacts.push(second);
    crate::service::ingest_customer(store, &policy, &two, instant("2026-03-12"))
        .await
        .unwrap();
    let sent = approve_and_send(store, &policy, "CP", "2026-03-12").await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].to.len(), 2);
    let sent = store
        .reminder(&ReminderId::of_send_key(&sent[0].idempotency_key))
        .await
        .unwrap()
        .unwrap();
    let due = next_stage_day(store, &policy, "CP").await;
    // WHEN one recipient marks it as spam, the day before the next stage
    let event = MailEvent {
        event_id: "fb-complaint".into(),
        reminder: Some(sent.id.clone()),
        at: noon(due.pred_opt().unwrap()),
        kind: MailEventKind::Complained {
            recipients: vec!["owner@cp.example".into()],
            feedback_type: Some("abuse".into()),
        },
    };
    record_mail_event(store, &policy, &event, noon(due.pred_opt().unwrap()))
        .await
        .unwrap();
    // THEN that address is blocked, nothing goes out, and a person gets a task
    let stored = store.customer(&CustomerId("CP".into())).await.unwrap().unwrap();
    assert!(stored.billing_contacts[1].bounced && !stored.billing_contacts[0].bounced);
    run_pass(store, &policy, noon(due), false).await.unwrap();
    assert!(!ladder_open(store, "CP").await, "held until a person has looked");
    let inbox = open_tasks(store, &policy, noon(due)).await.unwrap();
    let task = inbox
        .open
        .iter()
        .find(|task| task.customer_id.0 == "CP" && task.topic == "complaint")
        .expect("a task");
    assert!(task.text.contains("owner@cp.example"), "{}", task.text);
    // WHEN a person has looked THEN kindly writes again, to the address that did not complain only
    do_task(
        store,
        &policy,
        &task.id,
        TaskAction::Done,
        None,
        None,
        None,
        "sam",
        noon(due),
    )
    .await
    .unwrap();
    let drafted = store
        .reminders_of_customer(&CustomerId("CP".into()))
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.status.is_open() && !r.is_off_ladder())
        .expect("the next stage");
    let to: Vec<String> = drafted
        .draft
        .unwrap()
        .context
        .to
        .into_iter()
        .map(|to| to.email)
        .collect();
    assert_eq!(to, ["ap@cp.example"]);
}

pub async fn a_reply_voids_the_waiting_draft_even_when_it_changed_meanwhile<S: Store>(store: &S) {
    let policy = Policy::default_policy();
    let (sent, due) = sent_and_next(store, &policy, "RV").await;
    run_pass(store, &policy, noon(due), false).await.unwrap();
    assert!(ladder_open(store, "RV").await, "the next stage waits to go out");
    // WHEN they write back while another writer touches that draft
    let meddling = super::meddling::Meddling::at(store, super::meddling::Moment::Voiding);
    record_mail_event(
        &meddling,
        &policy,
        &replied("<rv-1@r.example>", &sent.id, due, None),
        noon(due),
    )
    .await
    .unwrap();
    // THEN the draft is void all the same: nothing goes out while nobody has read the reply
    assert!(
        !meddling.armed.load(std::sync::atomic::Ordering::SeqCst),
        "the meddling happened"
    );
    assert!(!ladder_open(store, "RV").await, "held while nobody has read the reply");
}
