//! Arbitrary calls to Stripe's webhook over a real socket: random headers and bodies, genuine signatures
//! over altered bodies, and well-formed headers with random signatures. Every one is refused with 400, and
//! the store is exactly as it was.

use chrono::{TimeZone, Utc};
use kindly_core::conformance::{after_friendly_stages, customer, invoice};
use kindly_core::{CustomerId, InvoiceId, Policy, Store, service};
use kindly_local::sqlite_store::SqliteStore;
use kindly_web::stripe::sign;
use kindly_web::{Access, App, LocalLogin, StripeWebhook};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use serde_json::json;
use std::sync::Arc;

const SECRET: &str = "whsec_fuzz";
const CASES: usize = 300;

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 15, 13, 0, 0).unwrap()
}

/// A genuine payment for the waiting draft's invoice: what a forger would most like to get through.
fn genuine_body() -> Vec<u8> {
    json!({"id": "evt_1", "object": "event", "type": "payment_intent.succeeded", "created": now().timestamp(),
           "data": {"object": {"id": "pi_1", "object": "payment_intent", "amount_received": 10_000,
                               "currency": "usd", "metadata": {"kindly_invoice_id": "I-A"}}}})
    .to_string()
    .into_bytes()
}

/// One call: the Stripe-Signature header (if any) and the body.
fn calls() -> impl Strategy<Value = (Option<String>, Vec<u8>)> {
    let body = genuine_body();
    let t = now().timestamp();
    let random = (
        proptest::option::of(".{0,200}"),
        proptest::collection::vec(any::<u8>(), 0..400),
    );
    let altered_body = {
        let body = body.clone();
        (0..body.len(), 1..=255u8).prop_map(move |(at, flip)| {
            let mut altered = body.clone();
            altered[at] ^= flip;
            (Some(sign(&body, SECRET, t)), altered)
        })
    };
    let random_signature = {
        let body = body.clone();
        ("[0-9a-f]{64}", -1000i64..1000)
            .prop_map(move |(v1, skew)| (Some(format!("t={},v1={v1}", t + skew)), body.clone()))
    };
    let stale_or_foreign = {
        let body = body.clone();
        prop_oneof![
            (301i64..100_000).prop_map(move |age| (Some(sign(&body, SECRET, t - age)), body.clone())),
            ".{1,40}".prop_map(move |secret| (Some(sign(&genuine_body(), &format!("x{secret}"), t)), genuine_body())),
        ]
    };
    prop_oneof![random, altered_body, random_signature, stale_or_foreign]
}

async fn snapshot(store: &SqliteStore) -> String {
    let invoice = store.invoice(&InvoiceId("I-A".into())).await.unwrap();
    let reminders = store.reminders_of_customer(&CustomerId("A".into())).await.unwrap();
    let recorded = store.event_recorded("evt_1", now()).await.unwrap();
    format!("{invoice:?}\n{reminders:?}\n{recorded}")
}

#[tokio::test]
async fn arbitrary_calls_are_refused_and_change_nothing() {
    let store = SqliteStore::in_memory().unwrap();
    let policy = Policy::default_policy();
    service::ingest_customer(&store, &customer("A")).await.unwrap();
    let open = after_friendly_stages(invoice("I-A", "A", "2026-03-01", None));
    service::ingest_invoice(&store, &policy, &open, now()).await.unwrap();
    service::run_pass(&store, &policy, now(), false).await.unwrap();
    let (login, _) = LocalLogin::new("nobody");
    let mut app = App::new(store, policy, Access::Local(login));
    app.clock = now;
    app.webhook = Some(StripeWebhook {
        secrets: vec![SECRET.into()],
        tolerance_secs: 300,
    });
    let app = Arc::new(app);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/webhooks/stripe", listener.local_addr().unwrap());
    tokio::spawn(axum::serve(listener, kindly_web::router(app.clone())).into_future());
    let before = snapshot(&app.store).await;
    assert!(before.contains("PendingApproval"), "a draft is waiting: {before}");

    let client = reqwest::Client::new();
    let mut runner = TestRunner::deterministic();
    let strategy = calls();
    for case in 0..CASES {
        let (header, body) = strategy.new_tree(&mut runner).unwrap().current();
        let mut request = client.post(&url).body(body.clone());
        if let Some(header) = &header
            && let Ok(value) = reqwest::header::HeaderValue::from_str(header)
        {
            request = request.header("stripe-signature", value);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let answer = response.text().await.unwrap();
        assert_eq!(
            status,
            reqwest::StatusCode::BAD_REQUEST,
            "case {case}: header {header:?}, body {:?}: {answer}",
            String::from_utf8_lossy(&body)
        );
    }
    assert_eq!(snapshot(&app.store).await, before, "nothing changed");

    // The same server does take the genuine call, so the refusals above were not for some other reason.
    let body = genuine_body();
    let genuine = client
        .post(&url)
        .header("stripe-signature", sign(&body, SECRET, now().timestamp()))
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(genuine.status(), reqwest::StatusCode::OK);
    assert_ne!(snapshot(&app.store).await, before);
}
