//! Send pacing against an SES stand-in that throttles every Nth SendEmail. Reports the rate SES accepted
//! messages at (from the stand-in's own clock) beside the configured rate, the most accepted in any one
//! second, and whether any message was lost or reached SES twice. Two runs:
//!
//! 1. the SES mailer alone, as the send handler drives it (paced, several in flight): KINDLY_BENCH_MESSAGES
//!    messages (default 300) at KINDLY_BENCH_RATE per second (default 14, a common SES production rate);
//! 2. the whole `send` handler over a DynamoDB table: KINDLY_BENCH_HANDLER_MESSAGES reminders (default 40)
//!    at 10 per second. Kept small because the stand-in's TransactWriteItems copies the whole table first
//!    (about 40 ms per transaction at 120 items, 240 ms at 600), so a bigger table measures the stand-in.
//!
//! KINDLY_BENCH_THROTTLE_EVERY (default 5) sets N for both.
//!
//!   KINDLY_MOTO_URL=http://127.0.0.1:5055 cargo bench -p kindly-aws --bench send_pacing
//!   (scripts/bench.sh starts the stand-in)

#[path = "../tests/common/mod.rs"]
mod common;

use aws_lambda_events::eventbridge::EventBridgeEvent;
use futures::StreamExt;
use kindly_aws::lambda::{State, scan, send};
use kindly_aws::pacing::Pacer;
use kindly_aws::{Config, SesMailer};
use kindly_core::{Mailer, OutgoingEmail, Policy, ReminderStatus, Store};
use kindly_render::Mailbox;
use lambda_runtime::{Context, LambdaEvent};
use std::time::{Duration, Instant};

fn setting(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn scheduled_at(time: &str) -> LambdaEvent<EventBridgeEvent> {
    let mut event: EventBridgeEvent =
        serde_json::from_str(include_str!("../tests/fixtures/scheduled-event.json")).expect("a scheduled event");
    event.time = Some(time.parse().unwrap());
    LambdaEvent::new(event, Context::default())
}

/// What the stand-in saw of one configuration set's sends.
struct Seen {
    calls: usize,
    accepted: usize,
    rate: f64,
    busiest_second: usize,
}

async fn seen_by_ses(configuration_set: &str) -> Seen {
    let calls = common::send_log(configuration_set).await;
    let accepted: Vec<f64> = calls.iter().filter(|call| call.accepted).map(|call| call.at).collect();
    let span = accepted.last().unwrap() - accepted.first().unwrap();
    Seen {
        calls: calls.len(),
        accepted: accepted.len(),
        // n messages spaced 1/rate apart span (n - 1)/rate seconds.
        rate: (accepted.len() - 1) as f64 / span,
        busiest_second: accepted
            .iter()
            .map(|&from| accepted.iter().filter(|&&at| at >= from && at < from + 1.0).count())
            .max()
            .unwrap_or(0),
    }
}

/// How many of `keys` did not reach SES exactly once (each message carries its key in its Message-ID).
async fn not_exactly_once(keys: &[String]) -> usize {
    let delivered = common::sent_raw_messages().await;
    keys.iter()
        .filter(|key| {
            let header = common::message_id_header(key);
            delivered.iter().filter(|raw| raw.contains(&header)).count() != 1
        })
        .count()
}

fn report(title: &str, seen: &Seen, rate: f64, took: Duration, lost: usize, twice: usize) {
    println!("{title}");
    println!(
        "  SendEmail calls {}, throttled {}, accepted {}; took {took:.2?}",
        seen.calls,
        seen.calls - seen.accepted,
        seen.accepted
    );
    println!(
        "  accepted rate {:.2}/s = {:+.1}% of the configured {rate}/s; busiest second {}",
        seen.rate,
        (seen.rate / rate - 1.0) * 100.0,
        seen.busiest_second
    );
    println!("  lost {lost}; not exactly once at SES {twice}");
}

fn email(key: &str) -> OutgoingEmail {
    let mailbox = |name: &str, email: &str| Mailbox {
        name: name.into(),
        email: email.into(),
    };
    OutgoingEmail {
        idempotency_key: key.into(),
        from: mailbox("Northwind Billing", "billing@northwind.example"),
        reply_to: None,
        to: vec![mailbox("Jamie Lee", "ap@acme.example")],
        cc: vec![],
        subject: format!("Invoice {key}"),
        text: "Please pay.\n".into(),
        html: "<p>Please pay.</p>".into(),
        tags: vec![("reminder".into(), key.into())],
    }
}

/// The mailer alone: `messages` sends at `rate`, as many in flight as the send handler would run.
async fn mailer_alone(messages: usize, rate: f64, throttle_every: usize) {
    let sdk = common::sdk_config().await;
    let client = kindly_aws::ses::client(&sdk);
    client
        .create_email_identity()
        .email_identity("northwind.example")
        .send()
        .await
        .expect("verify the domain");
    let configuration_set = common::unique(&format!("throttle-every-{throttle_every}"));
    let concurrency = kindly_aws::config::default_send_concurrency(rate);
    let mailer = SesMailer::new(
        client,
        Some(configuration_set.clone()),
        "northwind.example".into(),
        Pacer::new(rate),
    )
    .with_concurrent_sends(concurrency);
    let keys: Vec<String> = (0..messages).map(|_| common::unique("pacing")).collect();
    let started = Instant::now();
    let results: Vec<_> = futures::stream::iter(&keys)
        .map(|key| {
            let mailer = &mailer;
            async move { mailer.send(&email(key)).await }
        })
        .buffer_unordered(concurrency)
        .collect()
        .await;
    let took = started.elapsed();
    let lost = results.iter().filter(|result| result.is_err()).count();
    report(
        &format!(
            "mailer: {messages} messages at {rate}/s ({concurrency} in flight), every {throttle_every}th \
             SendEmail throttled"
        ),
        &seen_by_ses(&configuration_set).await,
        rate,
        took,
        lost,
        not_exactly_once(&keys).await,
    );
}

/// The `send` handler over a table of `messages` approved reminders.
async fn whole_handler(messages: usize, rate: f64, throttle_every: usize) {
    let configuration_set = common::unique(&format!("throttle-every-{throttle_every}"));
    let store = common::seeded_store(messages).await;
    let config = Config {
        table: store.table().to_owned(),
        shards: 4,
        configuration_set: Some(configuration_set.clone()),
        max_send_rate: Some(rate),
        send_concurrency: None,
        policy: Policy {
            sending_hours: Some(kindly_core::calendar::BusinessHours {
                from_hour: 9,
                to_hour: 17,
            }),
            ..Policy::default_policy()
        },
        links: None,
        reply_bucket: None,
    };
    let concurrency = config.concurrency_for(rate);
    let mut state = State::new(config, &common::sdk_config().await).await.unwrap();
    // The send run works at its clock's time: the moment after the scan, on the invoices' due date.
    let at: chrono::DateTime<chrono::Utc> = "2026-03-16T14:05:00Z".parse().unwrap();
    state.clock = std::sync::Arc::new(move || at);
    let scanned = scan(&state.base, scheduled_at("2026-03-16T14:00:00Z")).await.unwrap();
    assert_eq!(scanned.approved, messages, "{scanned:?}");

    let started = Instant::now();
    let sent = send(&state, scheduled_at("2026-03-16T14:05:00Z")).await.unwrap();
    let took = started.elapsed();
    assert!(sent.errors.is_empty(), "{sent:?}");
    let recorded = state
        .base
        .store
        .reminders_with_status(ReminderStatus::Sent)
        .await
        .unwrap();
    let keys: Vec<String> = recorded.iter().map(|reminder| reminder.id.to_string()).collect();
    report(
        &format!(
            "send handler: {messages} reminders at {rate}/s ({concurrency} in flight), every {throttle_every}th \
             SendEmail throttled (recorded sent {}, retry later {})",
            recorded.len(),
            sent.retry_later
        ),
        &seen_by_ses(&configuration_set).await,
        rate,
        took,
        messages - sent.sent,
        not_exactly_once(&keys).await,
    );
}

#[tokio::main]
async fn main() {
    let throttle_every = setting("KINDLY_BENCH_THROTTLE_EVERY", 5);
    mailer_alone(
        setting("KINDLY_BENCH_MESSAGES", 300),
        setting("KINDLY_BENCH_RATE", 14) as f64,
        throttle_every,
    )
    .await;
    whole_handler(setting("KINDLY_BENCH_HANDLER_MESSAGES", 40), 10.0, throttle_every).await;
}
