//! The scan and send handlers, called directly with EventBridge scheduled events, and the events handler
//! with batches from the mail events queue, over the DynamoDB and SES stand-ins.

mod common;

use aws_lambda_events::eventbridge::EventBridgeEvent;
use kindly_aws::Config;
use kindly_aws::lambda::{State, scan, send};
use kindly_core::{InvoiceId, InvoiceStatus, Policy, Store};
use lambda_runtime::{Context, LambdaEvent};

/// The send handler invoked at `time` (RFC 3339): scheduled then, and the state's clock reads it.
async fn send_at(state: &mut State, time: &str) -> kindly_aws::lambda::SendReport {
    let at: chrono::DateTime<chrono::Utc> = time.parse().unwrap();
    state.clock = std::sync::Arc::new(move || at);
    send(state, scheduled_event(time)).await.unwrap()
}

/// The checked-in scheduled event, fired at `time` (RFC 3339).
fn scheduled_event(time: &str) -> LambdaEvent<EventBridgeEvent> {
    let mut event: EventBridgeEvent =
        serde_json::from_str(include_str!("fixtures/scheduled-event.json")).expect("a valid scheduled event");
    event.time = Some(time.parse().unwrap());
    LambdaEvent::new(event, Context::default())
}

/// A state over a fresh table with 20 customers (New York) whose invoices are due on 2026-03-16.
async fn seeded_state() -> State {
    seeded_state_with(None).await
}

async fn seeded_state_with(configuration_set: Option<String>) -> State {
    let store = common::seeded_store(20).await;
    let mut policy = Policy::default_policy();
    policy.sending_hours = Some(kindly_core::calendar::BusinessHours {
        from_hour: 9,
        to_hour: 17,
    });
    let config = Config {
        table: store_table(&store),
        shards: 4,
        configuration_set,
        max_send_rate: Some(50.0),
        send_concurrency: None,
        policy,
        links: None,
        reply_bucket: None,
    };
    State::new(config, &common::sdk_config().await).await.unwrap()
}

fn store_table(store: &kindly_aws::DynamoStore) -> String {
    store.table().to_owned()
}

#[tokio::test]
async fn scan_then_send_delivers_each_reminder_once() {
    let mut state = seeded_state().await;
    // GIVEN the due date, 10:00 in New York
    let scanned = scan(&state.base, scheduled_event("2026-03-16T14:00:00Z"))
        .await
        .unwrap();
    assert_eq!(
        (scanned.approved, scanned.drafted, scanned.errors.len()),
        (20, 0, 0),
        "{scanned:?}"
    );
    // and one invoice is paid before the send runs
    let mut paid = state
        .base
        .store
        .invoice(&InvoiceId("I7".into()))
        .await
        .unwrap()
        .unwrap();
    paid.status = InvoiceStatus::Paid;
    paid.paid = paid.total;
    state.base.store.put_invoice(&paid).await.unwrap();
    // WHEN send runs twice, THEN 19 go out once and the paid one never
    let first = send_at(&mut state, "2026-03-16T14:05:00Z").await;
    assert_eq!(
        (first.sent, first.cancelled, first.errors.len()),
        (19, 1, 0),
        "{first:?}"
    );
    let second = send_at(&mut state, "2026-03-16T14:10:00Z").await;
    assert_eq!(second.sent, 0, "{second:?}");
    // and a second scan the same day plans nothing new
    let again = scan(&state.base, scheduled_event("2026-03-16T14:15:00Z"))
        .await
        .unwrap();
    assert_eq!((again.approved, again.drafted), (0, 0), "{again:?}");
}

#[tokio::test]
async fn send_waits_for_business_hours_and_never_sends_stale_figures() {
    let mut state = seeded_state().await;
    scan(&state.base, scheduled_event("2026-03-16T14:00:00Z"))
        .await
        .unwrap();
    // 19:00 in New York: nothing goes out, everything stays approved
    let evening = send_at(&mut state, "2026-03-16T23:00:00Z").await;
    assert_eq!((evening.sent, evening.outside_business_hours), (0, 20), "{evening:?}");
    // Next morning the drafts say "due today" about yesterday: they are cancelled, not sent; each customer
    // is planned again at once with today's figures, and the same run sends those
    let stale = send_at(&mut state, "2026-03-17T13:30:00Z").await;
    assert_eq!((stale.sent, stale.cancelled), (20, 20), "{stale:?}");
    let reminder = state
        .base
        .store
        .reminders_with_status(kindly_core::ReminderStatus::Sent)
        .await
        .unwrap()
        .remove(0);
    let context = &reminder.draft.unwrap().context;
    assert_eq!(
        context.invoices[0].days_overdue, 1,
        "the message that went out tells today's facts"
    );
    // and neither the next scan nor the next send run finds anything left to do
    let replanned = scan(&state.base, scheduled_event("2026-03-17T13:35:00Z"))
        .await
        .unwrap();
    assert_eq!((replanned.approved, replanned.drafted), (0, 0), "{replanned:?}");
    let again = send_at(&mut state, "2026-03-17T13:40:00Z").await;
    assert_eq!((again.sent, again.cancelled), (0, 0), "{again:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn eight_overlapping_invocations_send_each_reminder_exactly_once() {
    let mut state = seeded_state().await;
    let at: chrono::DateTime<chrono::Utc> = "2026-03-16T14:00:30Z".parse().unwrap();
    state.clock = std::sync::Arc::new(move || at);
    let state = std::sync::Arc::new(state);
    // WHEN eight scan+send invocations run at once over the same table
    let runs = (0..8).map(|_| {
        let state = state.clone();
        tokio::spawn(async move {
            let scanned = scan(&state.base, scheduled_event("2026-03-16T14:00:00Z"))
                .await
                .unwrap();
            let sent = send(&state, scheduled_event("2026-03-16T14:00:30Z")).await.unwrap();
            (scanned, sent)
        })
    });
    let reports: Vec<_> = futures::future::join_all(runs)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    // THEN every reminder was created once, sent once, and SES got exactly one message each
    let created: usize = reports.iter().map(|(scan, _)| scan.approved).sum();
    let sent: usize = reports.iter().map(|(_, send)| send.sent).sum();
    assert_eq!((created, sent), (20, 20), "{reports:?}");
    assert!(
        reports
            .iter()
            .all(|(scan, send)| scan.errors.is_empty() && send.errors.is_empty()),
        "{reports:?}"
    );
    let stored = state
        .base
        .store
        .reminders_with_status(kindly_core::ReminderStatus::Sent)
        .await
        .unwrap();
    assert_eq!(stored.len(), 20);
    let delivered = common::sent_raw_messages().await;
    for reminder in &stored {
        let header = common::message_id_header(&reminder.id);
        let copies = delivered.iter().filter(|raw| raw.contains(&header)).count();
        assert_eq!(copies, 1, "{} reached SES {copies} times", reminder.id);
    }
}

#[tokio::test]
async fn an_interrupted_ses_send_is_never_retried_blindly() {
    let mut state = seeded_state().await;
    scan(&state.base, scheduled_event("2026-03-16T14:00:00Z"))
        .await
        .unwrap();
    // GIVEN a sender claimed one reminder at 14:00 and died before recording the outcome
    let mut claimed = state
        .base
        .store
        .reminders_with_status(kindly_core::ReminderStatus::Approved)
        .await
        .unwrap()
        .remove(0);
    claimed
        .transition(
            kindly_core::ReminderStatus::Sending,
            "2026-03-16T14:00:00Z".parse().unwrap(),
            &kindly_core::actor::Actor::person("died"),
            None,
        )
        .unwrap();
    state
        .base
        .store
        .update_reminder(&claimed, kindly_core::ReminderStatus::Approved, &[])
        .await
        .unwrap();
    // WHEN send runs after the claim went stale
    let report = send_at(&mut state, "2026-03-16T14:30:00Z").await;
    // THEN the other 19 go out, and the interrupted one is failed for a person to check — not sent again
    assert_eq!((report.sent, report.failed), (19, 1), "{report:?}");
    let failed = state.base.store.reminder(&claimed.id).await.unwrap().unwrap();
    assert_eq!(failed.status, kindly_core::ReminderStatus::Failed);
    assert!(failed.failure.unwrap().contains(&format!("reminder={}", claimed.id)));
    let header = common::message_id_header(&claimed.id);
    assert!(
        !common::sent_raw_messages()
            .await
            .iter()
            .any(|raw| raw.contains(&header))
    );
}

#[tokio::test]
async fn throttled_sends_are_retried_and_none_is_lost() {
    // GIVEN SES throttles every third SendEmail
    let configuration_set = common::unique("throttle-every-3");
    let mut state = seeded_state_with(Some(configuration_set.clone())).await;
    scan(&state.base, scheduled_event("2026-03-16T14:00:00Z"))
        .await
        .unwrap();
    // WHEN send runs once
    let report = send_at(&mut state, "2026-03-16T14:05:00Z").await;
    // THEN all 20 went out in that run, after retries of the throttled calls
    assert_eq!(
        (report.sent, report.retry_later, report.errors.len()),
        (20, 0, 0),
        "{report:?}"
    );
    let calls = common::send_log(&configuration_set).await;
    let accepted = calls.iter().filter(|call| call.accepted).count();
    assert_eq!(accepted, 20, "{calls:?}");
    assert!(
        calls.len() >= 29,
        "every third call throttled, so at least 9 retries: {calls:?}"
    );
    let delivered = common::sent_raw_messages().await;
    for reminder in state
        .base
        .store
        .reminders_with_status(kindly_core::ReminderStatus::Sent)
        .await
        .unwrap()
    {
        let header = common::message_id_header(&reminder.id);
        assert_eq!(delivered.iter().filter(|raw| raw.contains(&header)).count(), 1);
    }
}

/// A batch from the mail events queue: one record per body.
fn from_queue(bodies: &[String]) -> LambdaEvent<aws_lambda_events::sqs::SqsEvent> {
    let records: Vec<serde_json::Value> = bodies
        .iter()
        .enumerate()
        .map(|(index, body)| serde_json::json!({"messageId": format!("m-{index}"), "body": body}))
        .collect();
    let event = serde_json::from_value(serde_json::json!({ "Records": records })).unwrap();
    LambdaEvent::new(event, Context::default())
}

/// The seeded state after the due date's scan and send, and the reminders sent.
async fn sent_on_the_due_date() -> (State, Vec<kindly_core::Reminder>) {
    let mut state = seeded_state().await;
    scan(&state.base, scheduled_event("2026-03-16T14:00:00Z"))
        .await
        .unwrap();
    send_at(&mut state, "2026-03-16T15:00:00Z").await;
    let sent = state
        .base
        .store
        .reminders_with_status(kindly_core::ReminderStatus::Sent)
        .await
        .unwrap();
    (state, sent)
}

#[tokio::test]
async fn the_events_handler_records_every_kind_of_notification_and_hands_back_only_what_failed() {
    // GIVEN a message sent to a customer on the due date
    let (state, sent) = sent_on_the_due_date().await;
    let (first, second) = (&sent[0], &sent[1]);
    let address = |reminder: &kindly_core::Reminder| reminder.draft.as_ref().unwrap().context.to[0].email.clone();
    let fixture = |name: &str, reminder: &kindly_core::Reminder| {
        let path = format!(
            "{}/../inbound/tests/fixtures/ses/{name}.json",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read_to_string(path)
            .unwrap()
            .replace("accounts@acme.example", &address(reminder))
            .replace("rem_a98c4ec461528f1359d41b88", &reminder.id.0)
    };
    // WHEN SES reports a delivery and a delay for one, a complaint about it, and a permanent bounce for
    // the other (the Send event needs nothing)
    let bodies: Vec<String> = ["delivery", "delivery_delay", "send", "complaint"]
        .iter()
        .map(|name| fixture(name, first))
        .chain([fixture("bounce_permanent", second)])
        .collect();
    let events = kindly_aws::stand_in::events_state(state.base.config.clone()).await;
    let answer = kindly_aws::events::mail_events(&events, from_queue(&bodies))
        .await
        .unwrap();
    assert!(answer.batch_item_failures.is_empty(), "{answer:?}");
    // THEN the first keeps its status with the delivery in its history and its address blocked, and the
    // second is undelivered
    let store = &state.base.store;
    let first_now = store.reminder(&first.id).await.unwrap().unwrap();
    assert_eq!(first_now.status, kindly_core::ReminderStatus::Sent);
    assert!(
        first_now
            .history
            .iter()
            .any(|step| step.note.as_deref().is_some_and(|n| n.starts_with("delivered to"))),
        "{:?}",
        first_now.history
    );
    let customer = store.customer(&first.customer_id).await.unwrap().unwrap();
    assert!(customer.billing_contacts[0].bounced, "a complaint blocks the address");
    let second_now = store.reminder(&second.id).await.unwrap().unwrap();
    assert_eq!(second_now.status, kindly_core::ReminderStatus::Undelivered);
    // AND the same batch again changes nothing
    let again = kindly_aws::events::mail_events(&events, from_queue(&bodies))
        .await
        .unwrap();
    assert!(again.batch_item_failures.is_empty());
    assert_eq!(
        store.reminder(&first.id).await.unwrap().unwrap().history,
        first_now.history
    );

    // WHEN the table cannot be reached THEN only the notifications that needed it go back to the queue
    let config = Config {
        table: kindly_aws::stand_in::unique("missing"),
        ..state.base.config.clone()
    };
    let broken = kindly_aws::stand_in::events_state(config).await;
    let bodies = [fixture("reject", first), fixture("send", first)];
    let answer = kindly_aws::events::mail_events(&broken, from_queue(&bodies))
        .await
        .unwrap();
    assert_eq!(handed_back(&answer), ["m-0"]);
}

#[tokio::test]
async fn a_reply_ses_stored_is_read_from_the_bucket_recorded_once_and_forwarded_once() {
    // GIVEN a message sent to a customer, and the stack's replies bucket
    let (state, sent) = sent_on_the_due_date().await;
    let reminder = &sent[0];
    let bucket = kindly_aws::stand_in::fresh_bucket().await;
    let inbound = |path: &str| {
        std::fs::read_to_string(format!(
            "{}/../inbound/tests/fixtures/{path}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
        .replace("rem_a98c4ec461528f1359d41b88", &reminder.id.0)
    };
    // WHEN SES stores the customer's reply (written just now) and notifies the queue
    let written = format!("Date: {}", chrono::Utc::now().to_rfc2822());
    let reply = inbound("mail/reply_en.eml").replace("Date: Mon, 9 Mar 2026 11:42:07 +0100", &written);
    let (key, _) = kindly_aws::stand_in::store_received(&bucket, &reply).await;
    let notice = kindly_aws::stand_in::received_notice;
    let config = Config {
        reply_bucket: Some(bucket.clone()),
        ..state.base.config.clone()
    };
    let events = kindly_aws::stand_in::events_state(config).await;
    let forwards_before = forwards_in(&common::sent_raw_messages().await);
    let answer = kindly_aws::events::mail_events(&events, from_queue(&[notice(&bucket, &key)]))
        .await
        .unwrap();
    assert!(answer.batch_item_failures.is_empty(), "{answer:?}");
    // THEN the reply is the customer's answer, waiting for a person
    let store = &state.base.store;
    let answers = store.answers_of_customer(&reminder.customer_id).await.unwrap();
    assert_eq!(answers.len(), 1, "{answers:?}");
    assert_eq!(answers[0].kind.name(), "reply");
    assert!(answers[0].needs_staff());
    // AND it went to the billing mailbox once, answering to the customer
    let forwards = forwards_in(&common::sent_raw_messages().await);
    assert_eq!(forwards.len(), forwards_before.len() + 1, "one forward");
    let forward = forwards.last().unwrap();
    assert!(forward.contains("To: billing@northwind.example"), "{forward}");
    assert!(forward.contains("Reply-To: ann@acme.example"), "{forward}");
    assert!(forward.contains("we paid invoice 1042 on Friday"), "{forward}");

    // WHEN the queue hands the same notice over again THEN nothing changes twice
    let again = kindly_aws::events::mail_events(&events, from_queue(&[notice(&bucket, &key)]))
        .await
        .unwrap();
    assert!(again.batch_item_failures.is_empty());
    assert_eq!(store.answers_of_customer(&reminder.customer_id).await.unwrap().len(), 1);
    assert_eq!(forwards_in(&common::sent_raw_messages().await).len(), forwards.len());

    // A notice SES's spam check failed, one naming another bucket, and one whose object is gone are
    // dropped (logged): none of them would read better later. A stored message that is not mail goes
    // back to the queue, to end in the dead-letter queue where a person sees it
    let spam = notice(&bucket, &key).replacen(
        r#""spamVerdict": { "status": "PASS" }"#,
        r#""spamVerdict": { "status": "FAIL" }"#,
        1,
    );
    let elsewhere = notice("someone-elses-bucket", &key);
    let gone = notice(&bucket, "replies/expired-long-ago");
    let (_, junk) = kindly_aws::stand_in::store_received(&bucket, "not a message at all").await;
    let answer = kindly_aws::events::mail_events(&events, from_queue(&[spam, elsewhere, gone, junk]))
        .await
        .unwrap();
    assert_eq!(handed_back(&answer), ["m-3"]);
    assert_eq!(store.answers_of_customer(&reminder.customer_id).await.unwrap().len(), 1);

    // WHEN the bucket cannot be read THEN the notice goes back to the queue, to be read later
    let unreachable = kindly_aws::stand_in::events_state(Config {
        reply_bucket: Some("kindly-replies-not-created".into()),
        ..events.base.config.clone()
    })
    .await;
    let answer =
        kindly_aws::events::mail_events(&unreachable, from_queue(&[notice("kindly-replies-not-created", &key)]))
            .await
            .unwrap();
    assert_eq!(handed_back(&answer), ["m-0"]);
}

/// The ids of the batch's messages the handler handed back to the queue.
fn handed_back(answer: &aws_lambda_events::event::sqs::SqsBatchResponse) -> Vec<&str> {
    answer
        .batch_item_failures
        .iter()
        .map(|failure| failure.item_identifier.as_str())
        .collect()
}

/// The forwarded replies among raw messages.
fn forwards_in(raw: &[String]) -> Vec<String> {
    raw.iter()
        .filter(|message| message.contains("Message-ID: <fwd_"))
        .cloned()
        .collect()
}
