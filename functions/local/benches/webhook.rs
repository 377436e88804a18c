//! Webhook handling time: 10,000 signed Stripe events posted one after another over a real socket to the
//! router on the embedded store (a database file), each a partial payment of one of 2,000 invoices whose
//! customers have drafts waiting; reports p50, p99 and max per request.
//!
//!   cargo bench -p kindly-local --bench webhook     (KINDLY_BENCH_EVENTS=10000 by default)

use chrono::{TimeZone, Utc};
use kindly_core::fixtures::{customer, invoice};
use kindly_core::{Policy, service};
use kindly_local::sqlite_store::SqliteStore;
use kindly_web::{Access, App, LocalLogin, StripeWebhook};
use std::sync::Arc;
use std::time::Instant;

const SECRET: &str = "whsec_bench";
const INVOICES: usize = 2_000;

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 15, 13, 0, 0).unwrap()
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let events: usize = std::env::var("KINDLY_BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("kindly.db")).unwrap();
    let policy = Policy::default_policy();
    for index in 0..INVOICES {
        let id = format!("C{index}");
        service::ingest_customer(&store, &policy, &customer(&id), Utc::now())
            .await
            .unwrap();
        let mut open = invoice(&format!("I{index}"), &id, "2026-03-01", None);
        open.total = "1000.00".parse().unwrap();
        service::ingest_invoice(&store, &policy, &open, now()).await.unwrap();
    }
    let planned = service::run_pass(&store, &policy, now(), false).await.unwrap();
    let (login, _) = LocalLogin::new("bench");
    let mut app = App::new(store, policy, Access::Local(login));
    app.clock = now;
    app.webhook = Some(StripeWebhook {
        secrets: vec![SECRET.into()],
        tolerance_secs: 300,
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/webhooks/stripe", listener.local_addr().unwrap());
    tokio::spawn(axum::serve(listener, kindly_web::router(Arc::new(app))).into_future());

    let client = reqwest::Client::new();
    let mut times = Vec::with_capacity(events);
    let mut applied = 0;
    let started = Instant::now();
    for index in 0..events {
        // Five payments of $150 per invoice in turn: each lowers the balance and re-plans the customer.
        let body = serde_json::json!({"id": format!("evt_{index}"), "type": "payment_intent.succeeded",
            "created": now().timestamp(), "data": {"object": {"id": format!("pi_{index}"), "amount_received": 15_000, "currency": "usd",
            "metadata": {"kindly_invoice_id": format!("I{}", index % INVOICES)}}}})
        .to_string();
        let signature = kindly_web::stripe::sign(body.as_bytes(), SECRET, now().timestamp());
        let sent = Instant::now();
        let response = client
            .post(&url)
            .header("content-type", "application/json")
            .header("stripe-signature", signature)
            .body(body)
            .send()
            .await
            .unwrap();
        let status = response.status();
        let answer: serde_json::Value = response.json().await.unwrap();
        times.push(sent.elapsed().as_secs_f64() * 1000.0);
        assert!(status.is_success(), "{answer}");
        applied += usize::from(answer["result"] == "applied");
    }
    let total = started.elapsed();
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)];
    println!(
        "webhook: {events} signed events over a socket ({applied} applied; {} invoices, {} drafts planned first) in {total:.2?}",
        INVOICES,
        planned.entries.len()
    );
    println!(
        "webhook: per request p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms ({:.0} events/s)",
        at(0.50),
        at(0.99),
        times[times.len() - 1],
        events as f64 / total.as_secs_f64()
    );
}
