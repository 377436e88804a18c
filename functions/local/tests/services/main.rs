//! The core services end to end over each real store — the embedded SQLite store and the DynamoDB store on
//! the local stand-in (KINDLY_MOTO_URL, started by scripts/test.sh) — and the real outbox: idempotent passes,
//! review, re-checks before sending, retries, overlapping runs, changes to what is owed, and thanks.

mod changes;
mod passes;
mod review;
mod sending;
mod thanks;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use kindly_core::fixtures::{customer, invoice};
use kindly_core::service::{self, SendResult};
use kindly_core::{Invoice, Policy, Store};
use kindly_local::outbox::OutboxMailer;

fn noon(day: &str) -> DateTime<Utc> {
    let date: NaiveDate = day.parse().unwrap();
    Utc.from_utc_datetime(&date.and_hms_opt(12, 0, 0).unwrap())
}

/// The messages in the outbox at `dir`, in the order of their file names.
fn outbox_texts(dir: &std::path::Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut paths: Vec<_> = entries
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|x| x == "eml"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|path| std::fs::read_to_string(path).unwrap())
        .collect()
}

fn eml_count(dir: &std::path::Path) -> usize {
    outbox_texts(dir).len()
}

/// A store and a fresh outbox, the store holding customer "A" with one open invoice due on 2026-03-10,
/// ingested as the accounting system would.
struct World<S> {
    store: S,
    policy: Policy,
    outbox: tempfile::TempDir,
    mailer: OutboxMailer,
    invoice: Invoice,
}

async fn world<S: Store>(store: S) -> World<S> {
    let (policy, outbox) = (Policy::default_policy(), tempfile::tempdir().unwrap());
    service::ingest_customer(&store, &policy, &customer("A"), noon("2026-03-01"))
        .await
        .unwrap();
    let open = invoice("I1", "A", "2026-03-10", None);
    service::ingest_invoice(&store, &policy, &open, noon("2026-03-01"))
        .await
        .unwrap();
    let invoice = store.invoice(&open.id).await.unwrap().unwrap();
    let mailer = OutboxMailer::new(outbox.path());
    World {
        store,
        policy,
        outbox,
        mailer,
        invoice,
    }
}

/// The world after the courtesy reminder for I1 went out on 2026-03-05.
async fn reminded_world<S: Store>(store: S) -> World<S> {
    let world = world(store).await;
    service::run_pass(&world.store, &world.policy, noon("2026-03-05"), false)
        .await
        .unwrap();
    let sent = service::send_approved(&world.store, &world.mailer, &world.policy, noon("2026-03-05"))
        .await
        .unwrap();
    assert!(matches!(sent[0].1, Ok(SendResult::Sent { .. })));
    world
}

/// Store an invoice with the ladder progress it carries (as earlier sends would have left it).
async fn put_with_progress(store: &impl Store, policy: &Policy, mut invoice: Invoice) {
    invoice.dunning.next_action_on = policy.next_action_on(&invoice);
    store.put_invoice(&invoice).await.unwrap();
}
