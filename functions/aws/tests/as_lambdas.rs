//! The real `scan` and `send` binaries, run as Lambdas against a local Runtime API, invoked with a real
//! EventBridge scheduled event, and the real `events` binary with a batch from the mail events queue, over
//! the DynamoDB and SES stand-ins.

mod common;

use common::runtime_api::RuntimeApi;
use kindly_core::{ReminderStatus, Store};
use std::process::Stdio;
use tokio::io::AsyncBufReadExt;

/// Where the test's messages say customers reach their pages.
const PUBLIC_URL: &str = "https://pages.kindly.example";

/// Start `binary` as a Lambda against `api`, with the table, the link keys' secret and the stand-in
/// configured. Its stdout lines (the structured logs) are collected into the returned handle.
fn start_lambda(
    binary: &str,
    api: &RuntimeApi,
    table: &str,
    link_secret: &str,
) -> (tokio::process::Child, tokio::task::JoinHandle<Vec<String>>) {
    let mut child = tokio::process::Command::new(binary)
        .env_clear()
        .env("AWS_LAMBDA_RUNTIME_API", api.address())
        .env("AWS_LAMBDA_FUNCTION_NAME", "kindly-test")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_LOG_STREAM_NAME", "test")
        .env("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/kindly-test")
        .env("AWS_LAMBDA_LOG_FORMAT", "JSON")
        .env("AWS_ENDPOINT_URL", common::moto_url())
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("KINDLY_TABLE", table)
        .env("KINDLY_SHARDS", "4")
        .env("KINDLY_MAX_SEND_RATE", "50")
        // Any hour: the send binary works at the clock's time, whenever the test runs.
        .env("KINDLY_BUSINESS_HOURS", "0-24")
        .env("KINDLY_LINK_SECRET_ID", link_secret)
        .env("KINDLY_PUBLIC_URL", PUBLIC_URL)
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the Lambda binary starts");
    let stdout = child.stdout.take().expect("piped stdout");
    let logs = tokio::spawn(async move {
        let mut lines = tokio::io::BufReader::new(stdout).lines();
        let mut collected = Vec::new();
        while let Ok(Some(line)) = lines.next_line().await {
            collected.push(line);
        }
        collected
    });
    (child, logs)
}

fn scheduled_event(time: &str) -> String {
    let mut event: serde_json::Value = serde_json::from_str(include_str!("fixtures/scheduled-event.json")).unwrap();
    event["time"] = serde_json::Value::String(time.into());
    event.to_string()
}

#[tokio::test]
async fn scan_and_send_binaries_run_as_lambdas() {
    // GIVEN a table with five customers due today, the sending domain verified and the link keys kept
    let store = common::seeded_store(5).await;
    let link_secret = kindly_aws::stand_in::unique("kindly-lambda-links");
    aws_sdk_secretsmanager::Client::new(&kindly_aws::stand_in::sdk_config().await)
        .create_secret()
        .name(&link_secret)
        .secret_string("ab".repeat(32))
        .send()
        .await
        .unwrap();

    // WHEN the scan binary is invoked with the scheduled event
    let scan_api = RuntimeApi::start().await;
    let (mut scan, scan_logs) = start_lambda(env!("CARGO_BIN_EXE_scan"), &scan_api, store.table(), &link_secret);
    let answer = scan_api
        .invoke(scheduled_event(&chrono::Utc::now().to_rfc3339()))
        .await
        .expect("scan succeeds");
    let report: serde_json::Value = serde_json::from_str(&answer).unwrap();
    assert_eq!(report["approved"], 5, "{report}");
    assert!(scan_api.init_error().is_none());
    // and each message links to its customer's page, signed with the secret's key
    let keys = kindly_core::link::LinkKeys::from_lines(&"ab".repeat(32)).unwrap();
    for reminder in store.reminders_with_status(ReminderStatus::Approved).await.unwrap() {
        let context = &reminder.draft.as_ref().expect("a message").context;
        let link = context.customer_page.as_deref().expect("a link in every message");
        let token = link
            .strip_prefix(&format!("{PUBLIC_URL}/c/"))
            .expect("under KINDLY_PUBLIC_URL");
        assert_eq!(keys.verify(token, chrono::Utc::now()).unwrap().reminder, reminder.id);
    }

    // and then the send binary
    let send_api = RuntimeApi::start().await;
    let (mut send, _send_logs) = start_lambda(env!("CARGO_BIN_EXE_send"), &send_api, store.table(), &link_secret);
    let answer = send_api
        .invoke(scheduled_event(&chrono::Utc::now().to_rfc3339()))
        .await
        .expect("send succeeds");
    let report: serde_json::Value = serde_json::from_str(&answer).unwrap();

    // THEN on a business day in the customers' New York five messages went out through SES, once each,
    // and the reminders say so; at the weekend or on a holiday they were planned for the next business day
    // and wait for it (the test customers live in New York)
    let customer = kindly_core::fixtures::customer("any");
    let today = chrono::Utc::now().with_timezone(&customer.time_zone).date_naive();
    let expected = if customer.calendar().is_business_day(today) {
        5
    } else {
        0
    };
    assert_eq!(report["sent"], expected, "{report}");
    assert_eq!(report["outside_business_hours"], 5 - expected, "{report}");
    let sent = store.reminders_with_status(ReminderStatus::Sent).await.unwrap();
    assert_eq!(sent.len(), expected);
    let delivered = common::sent_raw_messages().await;
    for reminder in &sent {
        let header = common::message_id_header(&reminder.id);
        assert_eq!(delivered.iter().filter(|raw| raw.contains(&header)).count(), 1);
    }
    // and the logs are structured JSON carrying reminder and customer ids
    scan.kill().await.unwrap();
    send.kill().await.unwrap();
    let logs = scan_logs.await.unwrap();
    let planned: Vec<serde_json::Value> = logs
        .iter()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|entry| entry.to_string().contains("reminder planned"))
        .collect();
    assert_eq!(planned.len(), 5, "{logs:#?}");
    assert!(
        planned
            .iter()
            .all(|entry| entry.to_string().contains("reminder_id") && entry.to_string().contains("customer_id"))
    );
}

#[tokio::test]
async fn the_events_binary_runs_as_a_lambda_over_a_batch_from_the_queue() {
    // GIVEN a message that went out to a customer
    let store = common::seeded_store(1).await;
    let link_secret = kindly_aws::stand_in::unique("kindly-lambda-links");
    aws_sdk_secretsmanager::Client::new(&kindly_aws::stand_in::sdk_config().await)
        .create_secret()
        .name(&link_secret)
        .secret_string("cd".repeat(32))
        .send()
        .await
        .unwrap();
    let policy = kindly_core::Policy::default_policy();
    let now = chrono::Utc::now();
    kindly_core::service::run_pass(&store, &policy, now, false)
        .await
        .unwrap();
    let mut reminder = store
        .reminders_with_status(ReminderStatus::Approved)
        .await
        .unwrap()
        .remove(0);
    let system = kindly_core::actor::Actor::System;
    reminder
        .transition(ReminderStatus::Sending, now, &system, None)
        .unwrap();
    reminder.transition(ReminderStatus::Sent, now, &system, None).unwrap();
    reminder.sent_on = Some(now.date_naive());
    store
        .update_reminder(&reminder, ReminderStatus::Approved, &[])
        .await
        .unwrap();
    let address = &reminder.draft.as_ref().unwrap().context.to[0].email;

    // WHEN the queue hands the events binary its bounce, and a body that is no notification at all
    let bounce = include_str!("../../inbound/tests/fixtures/ses/bounce_permanent.json")
        .replace("accounts@acme.example", address)
        .replace("rem_a98c4ec461528f1359d41b88", &reminder.id.0)
        .replace("0102018e1c6f7d10", &kindly_aws::stand_in::unique("fb"));
    let batch = serde_json::json!({"Records": [
        {"messageId": "m-1", "body": bounce, "eventSource": "aws:sqs"},
        {"messageId": "m-2", "body": "not a notification", "eventSource": "aws:sqs"},
    ]});
    let api = RuntimeApi::start().await;
    let (mut events, logs) = start_lambda(env!("CARGO_BIN_EXE_events"), &api, store.table(), &link_secret);
    let answer = api.invoke(batch.to_string()).await.expect("events succeeds");
    assert!(api.init_error().is_none());

    // THEN the bounce is recorded, and only the unreadable body goes back to the queue (after its tries,
    // to the dead-letter queue, whose alarm calls a person)
    let answer: serde_json::Value = serde_json::from_str(&answer).unwrap();
    assert_eq!(
        answer["batchItemFailures"],
        serde_json::json!([{"itemIdentifier": "m-2"}]),
        "{answer}"
    );
    let stored = store.reminder(&reminder.id).await.unwrap().unwrap();
    assert_eq!(stored.status, ReminderStatus::Undelivered);
    events.kill().await.unwrap();
    let logs = logs.await.unwrap().join("\n");
    assert!(
        logs.contains("mail event recorded") && logs.contains("unreadable notification"),
        "{logs}"
    );
}
