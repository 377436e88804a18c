//! Stripe's webhook over a real socket, against the embedded store and the DynamoDB stand-in (KINDLY_MOTO_URL,
//! started by scripts/test.sh): events signed exactly as Stripe signs them (HMAC-SHA256 of "{t}.{body}"), and
//! every way a call can be wrong — none of which changes anything.

mod common;

use chrono::{TimeZone, Utc};
use kindly_core::conformance::{after_friendly_stages, customer, invoice};
use kindly_core::service;
use kindly_core::{InvoiceId, InvoiceStatus, Policy, ReminderStatus, Store};
use kindly_web::stripe::sign;
use kindly_web::{Access, App, LocalLogin, StripeWebhook};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::sync::Arc;

const SECRET: &str = "whsec_current";
const NEXT_SECRET: &str = "whsec_rotating_in";

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 15, 13, 0, 0).unwrap()
}

struct Server<S> {
    url: String,
    app: Arc<App<S>>,
}

/// Run each scenario on a fresh embedded store and on a fresh DynamoDB table.
macro_rules! on_both_stores {
    ($($scenario:ident),*) => {
        mod sqlite {
            $(#[tokio::test]
            async fn $scenario() {
                super::$scenario(kindly_local::sqlite_store::SqliteStore::in_memory().unwrap()).await;
            })*
        }
        mod dynamodb {
            $(#[tokio::test]
            async fn $scenario() {
                super::$scenario(super::common::fresh_store().await).await;
            })*
        }
    };
}

on_both_stores!(
    a_genuine_payment_closes_the_invoice_and_voids_the_waiting_draft_once,
    untrusted_or_malformed_calls_are_refused_and_change_nothing,
    unknown_types_and_unknown_invoices,
    partial_pending_failed_and_refunded_payments,
    a_stripe_invoice_is_matched_by_its_payment_reference
);

/// Customer A owes invoice I-A ($100.00, due March 1) and has a draft waiting for approval about it.
async fn server<S: Store + 'static>(store: S) -> Server<S> {
    let policy = Policy::default_policy();
    service::ingest_customer(&store, &customer("A")).await.unwrap();
    let open = after_friendly_stages(invoice("I-A", "A", "2026-03-01", None));
    service::ingest_invoice(&store, &policy, &open, now()).await.unwrap();
    service::run_pass(&store, &policy, now(), false).await.unwrap();
    let (login, _) = LocalLogin::new("nobody");
    let mut app = App::new(store, policy, Access::Local(login));
    app.clock = now;
    app.webhook = Some(StripeWebhook {
        secrets: vec![SECRET.into(), NEXT_SECRET.into()],
        tolerance_secs: 300,
    });
    let app = Arc::new(app);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/webhooks/stripe", listener.local_addr().unwrap());
    tokio::spawn(axum::serve(listener, kindly_web::router(app.clone())).into_future());
    Server { url, app }
}

fn event(id: &str, kind: &str, object: Value) -> Vec<u8> {
    json!({"id": id, "object": "event", "type": kind, "created": now().timestamp(), "data": {"object": object}})
        .to_string()
        .into_bytes()
}

fn intent(id: &str, amount: i64) -> Value {
    json!({"id": id, "object": "payment_intent", "amount_received": amount, "currency": "usd",
           "metadata": {"kindly_invoice_id": "I-A"}})
}

impl<S: Store + 'static> Server<S> {
    async fn post(&self, body: &[u8], signature: Option<String>) -> (StatusCode, Value) {
        let mut request = reqwest::Client::new()
            .post(&self.url)
            .header("content-type", "application/json")
            .body(body.to_vec());
        if let Some(signature) = signature {
            request = request.header("stripe-signature", signature);
        }
        let response = request.send().await.unwrap();
        (response.status(), response.json().await.unwrap_or(Value::Null))
    }

    async fn signed(&self, body: &[u8]) -> (StatusCode, Value) {
        self.post(body, Some(sign(body, SECRET, now().timestamp() - 5))).await
    }

    async fn invoice(&self) -> kindly_core::Invoice {
        self.app.store.invoice(&InvoiceId("I-A".into())).await.unwrap().unwrap()
    }

    async fn waiting(&self) -> Vec<kindly_core::Reminder> {
        self.app
            .store
            .reminders_with_status(ReminderStatus::PendingApproval)
            .await
            .unwrap()
    }
}

async fn a_genuine_payment_closes_the_invoice_and_voids_the_waiting_draft_once<S: Store + 'static>(store: S) {
    let server = server(store).await;
    assert_eq!(server.waiting().await.len(), 1);
    let body = event("evt_1", "payment_intent.succeeded", intent("pi_1", 10_000));
    let (status, answer) = server.signed(&body).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["result"], "applied");
    assert_eq!(answer["voided"].as_array().unwrap().len(), 1);
    assert_eq!(server.invoice().await.status, InvoiceStatus::Paid);
    assert!(server.waiting().await.is_empty(), "nobody is reminded after paying");
    // They were reminded, so the default policy thanks them: one thank-you, approved, waiting for the sender
    let thanked = |reminders: Vec<kindly_core::Reminder>| {
        reminders
            .into_iter()
            .filter(|reminder| reminder.is_thank_you())
            .map(|reminder| reminder.id.0)
            .collect::<Vec<_>>()
    };
    let approved = || server.app.store.reminders_with_status(ReminderStatus::Approved);
    assert_eq!(
        thanked(approved().await.unwrap()),
        [answer["thank_you"].as_str().unwrap()]
    );
    // The same event again (Stripe retries): 200, nothing changes
    let before = server.invoice().await;
    let (status, answer) = server.signed(&body).await;
    assert_eq!((status, answer["result"].as_str()), (StatusCode::OK, Some("duplicate")));
    // Another event about the same payment (the checkout that created it): applied once only
    let checkout = event(
        "evt_2",
        "checkout.session.completed",
        json!({"id": "cs_1", "payment_status": "paid", "payment_intent": "pi_1", "amount_total": 10_000,
               "currency": "usd", "metadata": {"kindly_invoice_id": "I-A"}}),
    );
    let (status, answer) = server.signed(&checkout).await;
    assert_eq!(
        (status, answer["result"].as_str()),
        (StatusCode::OK, Some("unchanged")),
        "{answer}"
    );
    assert_eq!(server.invoice().await, before);
    assert_eq!(thanked(approved().await.unwrap()).len(), 1, "thanked once");
}

async fn untrusted_or_malformed_calls_are_refused_and_change_nothing<S: Store + 'static>(store: S) {
    let server = server(store).await;
    let body = event("evt_1", "payment_intent.succeeded", intent("pi_1", 10_000));
    let before = (server.invoice().await, server.waiting().await);
    let at = now().timestamp();
    let mut tampered = body.clone();
    let position = tampered.windows(5).position(|w| w == b"10000").unwrap();
    tampered[position] = b'9';
    let cases: Vec<(&str, Vec<u8>, Option<String>)> = vec![
        ("no header", body.clone(), None),
        ("tampered body", tampered.clone(), Some(sign(&body, SECRET, at))),
        (
            "wrong secret",
            body.clone(),
            Some(sign(&body, "whsec_someone_else", at)),
        ),
        ("stale timestamp", body.clone(), Some(sign(&body, SECRET, at - 301))),
        ("future timestamp", body.clone(), Some(sign(&body, SECRET, at + 301))),
        ("garbage header", body.clone(), Some("t=,v1=zz".into())),
        (
            "malformed JSON",
            b"{\"id\": \"evt_9\",".to_vec(),
            Some(sign(b"{\"id\": \"evt_9\",", SECRET, at)),
        ),
    ];
    for (case, body, signature) in cases {
        let (status, answer) = server.post(&body, signature).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{case}: {answer}");
        assert!(
            answer["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{case}: {answer}"
        );
    }
    let missing_field = event(
        "evt_8",
        "payment_intent.succeeded",
        json!({"id": "pi_8", "currency": "usd",
        "metadata": {"kindly_invoice_id": "I-A"}}),
    );
    let (status, answer) = server.signed(&missing_field).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        answer["error"].as_str().unwrap().contains("amount_received"),
        "{answer}"
    );
    assert_eq!((server.invoice().await, server.waiting().await), before);
    // A secret being rotated in is as good as the current one
    let (status, _) = server.post(&body, Some(sign(&body, NEXT_SECRET, at))).await;
    assert_eq!(status, StatusCode::OK);
}

async fn unknown_types_and_unknown_invoices<S: Store + 'static>(store: S) {
    let server = server(store).await;
    let (status, answer) = server
        .signed(&event("evt_1", "customer.created", json!({"id": "cus_1"})))
        .await;
    assert_eq!((status, answer["result"].as_str()), (StatusCode::OK, Some("ignored")));
    let no_metadata = event(
        "evt_2",
        "payment_intent.succeeded",
        json!({"id": "pi_2", "amount_received": 100,
        "currency": "usd"}),
    );
    let (status, answer) = server.signed(&no_metadata).await;
    assert_eq!((status, answer["result"].as_str()), (StatusCode::OK, Some("ignored")));
    // An invoice not imported yet: 404, so that Stripe tries again later
    let elsewhere = event(
        "evt_3",
        "payment_intent.succeeded",
        json!({"id": "pi_3", "amount_received": 100,
        "currency": "usd", "metadata": {"kindly_invoice_id": "I-LATER"}}),
    );
    let (status, _) = server.signed(&elsewhere).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, answer) = server.signed(&elsewhere).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "not recorded as handled: {answer}");
}

async fn partial_pending_failed_and_refunded_payments<S: Store + 'static>(store: S) {
    let server = server(store).await;
    // $40 of $100: the balance drops and the waiting draft comes back with the new figure
    let (status, answer) = server
        .signed(&event("evt_1", "payment_intent.succeeded", intent("pi_1", 4_000)))
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(server.invoice().await.balance(), "60.00".parse().unwrap());
    let waiting = server.waiting().await;
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].draft.as_ref().unwrap().context.invoices[0].balance, "$60.00");
    // A bank debit for the rest is processing: no reminders meanwhile; then it fails: they resume
    let processing = json!({"id": "pi_2", "currency": "usd", "metadata": {"kindly_invoice_id": "I-A"}});
    server
        .signed(&event("evt_2", "payment_intent.processing", processing.clone()))
        .await;
    assert_eq!(server.invoice().await.status, InvoiceStatus::PaymentPending);
    assert!(server.waiting().await.is_empty());
    server
        .signed(&event("evt_3", "payment_intent.payment_failed", processing))
        .await;
    assert_eq!(server.invoice().await.status, InvoiceStatus::Open);
    // The rest arrives; a late "processing" does not reopen it; a refund of $25 does
    server
        .signed(&event("evt_4", "payment_intent.succeeded", intent("pi_3", 6_000)))
        .await;
    assert_eq!(server.invoice().await.status, InvoiceStatus::Paid);
    let late = json!({"id": "pi_3", "currency": "usd", "metadata": {"kindly_invoice_id": "I-A"}});
    let (_, answer) = server.signed(&event("evt_5", "payment_intent.processing", late)).await;
    assert_eq!(answer["result"], "unchanged");
    assert_eq!(server.invoice().await.status, InvoiceStatus::Paid);
    let refund = json!({"id": "ch_3", "payment_intent": "pi_3", "amount_refunded": 2_500, "currency": "usd",
        "metadata": {"kindly_invoice_id": "I-A"}});
    server.signed(&event("evt_6", "charge.refunded", refund)).await;
    let reopened = server.invoice().await;
    assert_eq!(
        (reopened.status, reopened.balance()),
        (InvoiceStatus::Open, "25.00".parse().unwrap())
    );
}

async fn a_stripe_invoice_is_matched_by_its_payment_reference<S: Store + 'static>(store: S) {
    let server = server(store).await;
    // The accounting system sent kindly the Stripe invoice's id with invoice I-B
    let mut billed = invoice("I-B", "A", "2026-03-01", None);
    billed.payment_reference = Some("in_B".into());
    service::ingest_invoice(&server.app.store, &server.app.policy, &billed, now())
        .await
        .unwrap();
    // Stripe's invoice.paid names only its own invoice
    let paid = event(
        "evt_1",
        "invoice.paid",
        json!({"id": "in_B", "object": "invoice", "amount_paid": 10_000, "currency": "usd",
               "payment_intent": "pi_B", "metadata": {}}),
    );
    let (status, answer) = server.signed(&paid).await;
    assert_eq!(
        (status, answer["result"].as_str()),
        (StatusCode::OK, Some("applied")),
        "{answer}"
    );
    let stored = server
        .app
        .store
        .invoice(&InvoiceId("I-B".into()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.status, InvoiceStatus::Paid);
    // A Stripe invoice kindly does not know is not kindly's: 200, ignored (retrying would not help)
    let other = event(
        "evt_2",
        "invoice.paid",
        json!({"id": "in_other", "amount_paid": 500, "currency": "usd", "metadata": {}}),
    );
    let (status, answer) = server.signed(&other).await;
    assert_eq!(
        (status, answer["result"].as_str()),
        (StatusCode::OK, Some("ignored")),
        "{answer}"
    );
}
