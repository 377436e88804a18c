//! The payment processor: Stripe's events for the world's payments, signed as Stripe signs them, delivered
//! to the real web router in-process — late, twice, out of order, and retried until answered 2xx (for up
//! to three days, as Stripe does). What kindly acknowledged is what invariant 4 holds it to.

use axum::Router;
use axum::body::Body;
use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, KeyInit, Mac};
use serde_json::json;
use sha2::Sha256;
use std::collections::BTreeMap;
use tower::ServiceExt;

/// The endpoint secret the simulated Stripe signs with and the router is configured with.
pub const SECRET: &str = "whsec_simulated_endpoint_secret";

/// How long Stripe keeps retrying an event that was not answered 2xx.
pub const RETRY_FOR: Duration = Duration::days(3);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    Received { payment: String, minor: i64 },
    Refund { charge: String, total_minor: i64 },
    Processing,
    Failed,
}

#[derive(Debug, Clone)]
pub struct ProcessorEvent {
    pub id: String,
    pub invoice: usize,
    pub effect: Effect,
    pub created: DateTime<Utc>,
    pub body: Vec<u8>,
    pub acknowledged: bool,
}

/// What one invoice's acknowledged events net, in the processor's minor units: each payment once, each
/// charge's refunds at the highest running total acknowledged. Independent of the order they arrived in.
#[derive(Debug, Default, Clone)]
pub struct Acknowledged {
    received: BTreeMap<String, i64>,
    refunded: BTreeMap<String, i64>,
}

impl Acknowledged {
    pub fn add(&mut self, effect: &Effect) {
        match effect {
            Effect::Received { payment, minor } => {
                self.received.insert(payment.clone(), *minor);
            }
            Effect::Refund { charge, total_minor } => {
                let seen = self.refunded.entry(charge.clone()).or_default();
                *seen = (*seen).max(*total_minor);
            }
            Effect::Processing | Effect::Failed => {}
        }
    }

    pub fn net_minor(&self) -> i64 {
        self.received.values().sum::<i64>() - self.refunded.values().sum::<i64>()
    }
}

/// The fields of a Stripe object the event is about.
pub struct Object<'a> {
    pub kindly_invoice: &'a str,
    pub stripe_invoice: Option<&'a str>,
    pub payment: &'a str,
    pub currency: &'a str,
}

/// The JSON body Stripe would post for `effect` (object fields as Stripe names them).
pub fn body(event_id: &str, created: DateTime<Utc>, effect: &Effect, object: &Object) -> Vec<u8> {
    let currency = object.currency.to_ascii_lowercase();
    let metadata = json!({ "kindly_invoice_id": object.kindly_invoice });
    let (kind, data) = match effect {
        Effect::Received { minor, .. } => match object.stripe_invoice {
            Some(reference) => (
                "invoice.paid",
                json!({"id": reference, "object": "invoice", "amount_paid": minor, "currency": currency,
                       "payment_intent": object.payment, "status": "paid"}),
            ),
            None => (
                "payment_intent.succeeded",
                json!({"id": object.payment, "object": "payment_intent", "amount_received": minor,
                       "currency": currency, "metadata": metadata, "status": "succeeded"}),
            ),
        },
        Effect::Refund { charge, total_minor } => (
            "charge.refunded",
            json!({"id": charge, "object": "charge", "amount_refunded": total_minor, "currency": currency,
                   "payment_intent": object.payment, "metadata": metadata}),
        ),
        Effect::Processing => (
            "payment_intent.processing",
            json!({"id": object.payment, "object": "payment_intent", "currency": currency,
                   "metadata": metadata, "status": "processing"}),
        ),
        Effect::Failed => (
            "payment_intent.payment_failed",
            json!({"id": object.payment, "object": "payment_intent", "currency": currency,
                   "metadata": metadata, "status": "requires_payment_method"}),
        ),
    };
    json!({"id": event_id, "object": "event", "type": kind, "created": created.timestamp(),
           "livemode": false, "data": {"object": data}})
    .to_string()
    .into_bytes()
}

/// `Stripe-Signature` for `body` at `timestamp`: HMAC-SHA256 of `"{t}.{body}"`, written independently of
/// kindly's verifier so that the simulation tests it rather than agreeing with it by construction.
pub fn signature(body: &[u8], timestamp: i64) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).expect("HMAC takes any key length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("t={timestamp},v1={}", hex::encode(mac.finalize().into_bytes()))
}

/// Post one delivery of an event to the router, signed at `now`. Returns the status and the body's
/// `result` field (or the error).
pub async fn deliver(router: &Router, body: &[u8], now: DateTime<Utc>) -> (u16, String) {
    let request = axum::http::Request::builder()
        .method("POST")
        .uri("/webhooks/stripe")
        .header("content-type", "application/json")
        .header("stripe-signature", signature(body, now.timestamp()))
        .body(Body::from(body.to_vec()))
        .expect("a well-formed request");
    let response = match router.clone().oneshot(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    };
    let status = response.status().as_u16();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap_or_default();
    let answer: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
    let result = answer
        .get("result")
        .or_else(|| answer.get("error"))
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default()
        .to_owned();
    (status, result)
}

/// When Stripe tries again after attempt `attempt` (1-based) failed: roughly exponential, from minutes to
/// hours.
pub fn retry_after(attempt: u32) -> Duration {
    Duration::minutes(5 * 3_i64.pow(attempt.min(6))).min(Duration::hours(12))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acknowledged_money_does_not_depend_on_order() {
        let payment = Effect::Received {
            payment: "pi_1".into(),
            minor: 10_000,
        };
        let refund = |total| Effect::Refund {
            charge: "ch_1".into(),
            total_minor: total,
        };
        let mut forward = Acknowledged::default();
        let mut backward = Acknowledged::default();
        for effect in [payment.clone(), refund(2_000), refund(3_000), payment.clone()] {
            forward.add(&effect);
        }
        for effect in [refund(3_000), refund(2_000), payment] {
            backward.add(&effect);
        }
        assert_eq!(forward.net_minor(), 7_000);
        assert_eq!(backward.net_minor(), 7_000);
    }

    #[test]
    fn the_signature_is_the_one_stripe_sends() {
        let body = br#"{"id":"evt_1"}"#;
        assert_eq!(
            signature(body, 1_795_514_400),
            kindly_web::stripe::sign(body, SECRET, 1_795_514_400)
        );
    }
}
