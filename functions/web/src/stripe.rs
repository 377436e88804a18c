//! Stripe's webhook signing scheme: `Stripe-Signature: t=TIMESTAMP,v1=SIGNATURE[,v1=SIGNATURE…]`, where each
//! `v1` is the lower-case hex HMAC-SHA256 of `"{t}.{raw body}"` keyed with an endpoint secret. Several secrets
//! may be active while one is rotated; any of them may have signed. Pure: the clock is a parameter.

use hmac::{Hmac, KeyInit, Mac};
use kindly_core::payment::{PaymentChange, PaymentEvent, received_key};
use kindly_core::{Currency, InvoiceId};
use rust_decimal::Decimal;
use sha2::Sha256;

/// Why a webhook call is not trusted. Each becomes a 400 and a log line; none changes anything.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("no Stripe-Signature header")]
    MissingHeader,
    #[error("the Stripe-Signature header has no usable timestamp (t=)")]
    NoTimestamp,
    #[error("the Stripe-Signature header has no v1 signature")]
    NoSignature,
    #[error("the signature's timestamp is {age} s away from now, beyond the {tolerance} s tolerance")]
    OutsideTolerance { age: i64, tolerance: i64 },
    #[error("no v1 signature matches any active endpoint secret")]
    Mismatch,
}

/// Verify `header` over the raw `body` with any of `secrets`, at `now` (Unix seconds), allowing
/// `tolerance_secs` between the signature's timestamp and now either way. Returns the signed timestamp.
pub fn verify(
    header: Option<&str>,
    body: &[u8],
    secrets: &[String],
    now: i64,
    tolerance_secs: i64,
) -> Result<i64, SignatureError> {
    let header = header.ok_or(SignatureError::MissingHeader)?;
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for item in header.split(',') {
        match item.trim().split_once('=') {
            Some(("t", value)) => timestamp = value.parse::<i64>().ok(),
            // A value that is not hex cannot match; it is skipped, not an error of its own.
            Some(("v1", value)) => signatures.extend(hex::decode(value).ok()),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::NoTimestamp)?;
    if signatures.is_empty() {
        return Err(SignatureError::NoSignature);
    }
    let signed = |secret: &String, signature: &Vec<u8>| {
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
            return false;
        };
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        // Constant time: how much of a guess matched is not observable.
        mac.verify_slice(signature).is_ok()
    };
    if !secrets
        .iter()
        .any(|secret| signatures.iter().any(|signature| signed(secret, signature)))
    {
        return Err(SignatureError::Mismatch);
    }
    let age = now.saturating_sub(timestamp);
    if age.abs() > tolerance_secs {
        return Err(SignatureError::OutsideTolerance {
            age,
            tolerance: tolerance_secs,
        });
    }
    Ok(timestamp)
}

/// The header Stripe would send for `body` signed with `secret` at `timestamp`: for tests and for local
/// tools that replay events.
pub fn sign(body: &[u8], secret: &str, timestamp: i64) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(format!("{timestamp}.").as_bytes());
    mac.update(body);
    format!("t={timestamp},v1={}", hex::encode(mac.finalize().into_bytes()))
}

/// What kindly does with one Stripe event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Apply a payment change to one of kindly's invoices.
    Apply { invoice: InvoiceRef, payment: PaymentEvent },
    /// Nothing to do, and why (a type kindly does not use, no kindly invoice named...).
    Ignore(String),
}

/// How an event names kindly's invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InvoiceRef {
    /// `metadata.kindly_invoice_id`.
    Id(InvoiceId),
    /// Stripe's invoice id (`in_…`), matched against the invoices' `payment_reference`.
    PaymentReference(String),
}

/// A verified Stripe event, read as far as kindly needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StripeEvent {
    pub id: String,
    pub kind: String,
    pub action: Action,
}

/// The metadata key that names kindly's invoice on a Stripe object (invoice, payment intent, checkout
/// session, charge).
pub const INVOICE_METADATA_KEY: &str = "kindly_invoice_id";

#[derive(serde::Deserialize)]
struct Envelope {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    /// When Stripe created the event (Unix seconds): events arrive out of order, and this orders them.
    created: i64,
    data: Data,
}

#[derive(serde::Deserialize)]
struct Data {
    object: StripeObject,
}

/// The fields kindly reads from the event's object; everything else is ignored. `payment_intent` may be an
/// id or an expanded object.
#[derive(serde::Deserialize)]
struct StripeObject {
    id: String,
    #[serde(default)]
    metadata: serde_json::Map<String, serde_json::Value>,
    currency: Option<String>,
    amount_paid: Option<i64>,
    amount_received: Option<i64>,
    amount_total: Option<i64>,
    amount_refunded: Option<i64>,
    payment_intent: Option<serde_json::Value>,
    payment_status: Option<String>,
    /// On payment intents and charges of a Stripe invoice: that invoice (an id, or expanded).
    invoice: Option<serde_json::Value>,
}

/// Stripe's zero-decimal currencies: an amount of 500 is 500 units.
const ZERO_DECIMAL: [&str; 16] = [
    "BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF",
];

/// Stripe's three-decimal currencies: an amount of 5120 is 5.120.
const THREE_DECIMAL: [&str; 5] = ["BHD", "JOD", "KWD", "OMR", "TND"];

/// How many decimal places Stripe's integer amounts carry for `currency`. This is Stripe's table, not ISO
/// 4217's, and they differ: every currency not listed as zero- or three-decimal is two-decimal at Stripe.
/// So ISK is two-decimal (ISO: zero), and since Stripe made it effectively zero-decimal its amounts are
/// whole krónur times 100; MGA is zero-decimal (ISO: two). HUF and TWD are two-decimal for payments (only
/// Stripe's payouts treat them as zero-decimal), and UGX is zero-decimal.
pub fn stripe_decimals(currency: Currency) -> u32 {
    let code = currency.code();
    if ZERO_DECIMAL.contains(&code) {
        0
    } else if THREE_DECIMAL.contains(&code) {
        3
    } else {
        2
    }
}

/// A Stripe amount (`minor` in Stripe's units for `currency`) as a decimal, exactly. It carries the
/// currency's own decimal places where that loses nothing (ISK 50000 is 500, not 500.00); a fraction the
/// currency does not have (a fractional króna charged before Stripe forbade them) is kept, not rounded.
pub fn amount_from_stripe(minor: i64, currency: Currency) -> Decimal {
    let mut amount = Decimal::new(minor, stripe_decimals(currency));
    let own = currency.minor_units();
    if amount.normalize().scale() <= own {
        amount.rescale(own);
    }
    amount
}

impl StripeObject {
    fn money(&self, minor_units: Option<i64>, field: &str) -> Result<(Decimal, Currency), String> {
        let code = self.currency.as_deref().ok_or("data.object.currency is missing")?;
        let currency =
            Currency::from_code(&code.to_ascii_uppercase()).map_err(|e| format!("data.object.currency: {e}"))?;
        let minor = minor_units.ok_or_else(|| format!("data.object.{field} is missing"))?;
        Ok((amount_from_stripe(minor, currency), currency))
    }

    /// kindly's invoice, from the object's metadata, or else from its payment intent's when Stripe expanded
    /// it. A checkout session's metadata is its own: its payment intent (and so the intent's events) carries
    /// kindly's id only if the session was created with `payment_intent_data.metadata`.
    fn named_invoice(&self) -> Option<&str> {
        let expanded_intent = match &self.payment_intent {
            Some(serde_json::Value::Object(intent)) => intent.get("metadata").and_then(serde_json::Value::as_object),
            _ => None,
        };
        invoice_in(&self.metadata).or_else(|| invoice_in(expanded_intent?))
    }

    /// The payment this object belongs to: its payment intent, or the object itself.
    fn payment(&self) -> String {
        match &self.payment_intent {
            Some(serde_json::Value::String(id)) => id.clone(),
            Some(serde_json::Value::Object(intent)) => intent
                .get("id")
                .and_then(serde_json::Value::as_str)
                .unwrap_or(&self.id)
                .to_owned(),
            _ => self.id.clone(),
        }
    }
}

/// kindly's invoice id in one metadata map, if it names one.
fn invoice_in(metadata: &serde_json::Map<String, serde_json::Value>) -> Option<&str> {
    metadata
        .get(INVOICE_METADATA_KEY)?
        .as_str()
        .filter(|id| !id.trim().is_empty())
}

/// Read a verified event body. Malformed JSON or a missing field is an error naming it.
pub fn parse_event(body: &[u8]) -> Result<StripeEvent, String> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let envelope: Envelope = serde_path_to_error::deserialize(&mut deserializer)
        .map_err(|e| format!("the event is not valid: {}: {}", e.path(), e.inner()))?;
    let object = &envelope.data.object;
    let at = chrono::DateTime::from_timestamp(envelope.created, 0)
        .ok_or_else(|| format!("created: {} is not a time", envelope.created))?;
    let in_flight = |pending: bool| {
        let payment = object.payment();
        match pending {
            true => (
                format!("{payment}:pending:{}", envelope.id),
                PaymentChange::Pending { payment, at },
            ),
            false => (
                format!("{payment}:failed:{}", envelope.id),
                PaymentChange::PendingFailed { payment, at },
            ),
        }
    };
    let (key, change) = match envelope.kind.as_str() {
        "invoice.paid" => {
            let (amount, currency) = object.money(object.amount_paid, "amount_paid")?;
            (
                received_key(&object.payment()),
                PaymentChange::Received { amount, currency, at },
            )
        }
        "payment_intent.succeeded" => {
            let (amount, currency) = object.money(object.amount_received, "amount_received")?;
            (
                received_key(&object.id),
                PaymentChange::Received { amount, currency, at },
            )
        }
        // A checkout paid at once (a card) reports its money on completion; one paid by a delayed method (a
        // SEPA or ACH debit) completes unpaid while the debit clears, and Stripe reports the outcome later as
        // async_payment_succeeded or async_payment_failed.
        "checkout.session.completed" | "checkout.session.async_payment_succeeded"
            if object.payment_status.as_deref() == Some("paid") =>
        {
            let (amount, currency) = object.money(object.amount_total, "amount_total")?;
            (
                received_key(&object.payment()),
                PaymentChange::Received { amount, currency, at },
            )
        }
        "checkout.session.completed" if object.payment_status.as_deref() == Some("unpaid") => in_flight(true),
        "checkout.session.completed" | "checkout.session.async_payment_succeeded" => {
            return Ok(ignored(
                &envelope,
                "the checkout moves no money (payment_status is neither paid nor unpaid)",
            ));
        }
        "checkout.session.async_payment_failed" => in_flight(false),
        // A payment may go pending and fail more than once: each event counts, in the order Stripe created
        // them.
        "payment_intent.processing" => in_flight(true),
        "payment_intent.payment_failed" => in_flight(false),
        "charge.refunded" => {
            let (refunded_so_far, currency) = object.money(object.amount_refunded, "amount_refunded")?;
            let change = PaymentChange::Refunded {
                payment: object.payment(),
                refunded_so_far,
                currency,
            };
            (envelope.id.clone(), change)
        }
        other => return Ok(ignored(&envelope, &format!("kindly does not use {other} events"))),
    };
    let named = object.named_invoice();
    let stripe_invoice = match (envelope.kind.as_str(), &object.invoice) {
        ("invoice.paid", _) => Some(object.id.clone()),
        (_, Some(serde_json::Value::String(id))) => Some(id.clone()),
        (_, Some(serde_json::Value::Object(expanded))) => expanded
            .get("id")
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned),
        _ => None,
    };
    let invoice = match (named, stripe_invoice) {
        (Some(id), _) => InvoiceRef::Id(InvoiceId(id.to_owned())),
        (None, Some(reference)) => InvoiceRef::PaymentReference(reference),
        (None, None) => {
            return Ok(ignored(
                &envelope,
                &format!(
                    "neither {INVOICE_METADATA_KEY} in the metadata (a checkout's payment intent has it only if \
                     the session was created with payment_intent_data.metadata) nor a Stripe invoice"
                ),
            ));
        }
    };
    Ok(StripeEvent {
        action: Action::Apply {
            invoice,
            payment: PaymentEvent { id: key, change },
        },
        id: envelope.id,
        kind: envelope.kind,
    })
}

fn ignored(envelope: &Envelope, why: &str) -> StripeEvent {
    StripeEvent {
        id: envelope.id.clone(),
        kind: envelope.kind.clone(),
        action: Action::Ignore(why.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_test_secret";
    const NOW: i64 = 1_795_514_400;

    fn secrets() -> Vec<String> {
        vec![SECRET.to_owned()]
    }

    #[test]
    fn a_genuine_signature_is_accepted() {
        let body = br#"{"id":"evt_1","type":"invoice.paid"}"#;
        let header = sign(body, SECRET, NOW - 10);
        assert_eq!(verify(Some(&header), body, &secrets(), NOW, 300), Ok(NOW - 10));
    }

    #[test]
    fn the_published_example_layout_is_understood() {
        // Stripe sends the timestamp first, then one v1 per active secret, and may add v0 or other schemes.
        let body = b"{}";
        let old = sign(body, "whsec_old", NOW);
        let new = sign(body, SECRET, NOW);
        let header = format!(
            "t={NOW},v1={},v0=0123456789abcdef,v1={}",
            old.split("v1=").nth(1).unwrap(),
            new.split("v1=").nth(1).unwrap()
        );
        assert_eq!(verify(Some(&header), body, &secrets(), NOW, 300), Ok(NOW));
    }

    #[test]
    fn the_signature_is_hmac_sha256_of_timestamp_dot_body() {
        // Computed independently: python3 -c "import hmac, hashlib; print(hmac.new(b'whsec_test_secret',
        // b'1795514400.{\"id\":\"evt_1\"}', hashlib.sha256).hexdigest())"
        let expected = "t=1795514400,v1=71739c05894d7a85fd661ec3e994e81fe4044fbae13a2f75a024ac75aff27f17";
        assert_eq!(sign(br#"{"id":"evt_1"}"#, SECRET, NOW), expected);
    }

    #[test]
    fn rotation_accepts_any_active_secret() {
        let body = b"{}";
        let header = sign(body, "whsec_next", NOW);
        let rotating = vec![SECRET.to_owned(), "whsec_next".to_owned()];
        assert!(verify(Some(&header), body, &rotating, NOW, 300).is_ok());
        assert_eq!(
            verify(Some(&header), body, &secrets(), NOW, 300),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn every_way_of_failing_is_named() {
        let body = br#"{"id":"evt_1"}"#;
        let good = sign(body, SECRET, NOW);
        let cases: [(Option<&str>, &[u8], i64, SignatureError); 7] = [
            (None, body, NOW, SignatureError::MissingHeader),
            (Some("v1=abcd"), body, NOW, SignatureError::NoTimestamp),
            (Some("t=soon,v1=abcd"), body, NOW, SignatureError::NoTimestamp),
            (Some(&format!("t={NOW}")), body, NOW, SignatureError::NoSignature),
            (Some(&good), br#"{"id":"evt_2"}"#, NOW, SignatureError::Mismatch),
            (
                Some(&good),
                body,
                NOW + 301,
                SignatureError::OutsideTolerance {
                    age: 301,
                    tolerance: 300,
                },
            ),
            (
                Some(&good),
                body,
                NOW - 400,
                SignatureError::OutsideTolerance {
                    age: -400,
                    tolerance: 300,
                },
            ),
        ];
        for (header, body, now, expected) in cases {
            assert_eq!(
                verify(header, body, &secrets(), now, 300),
                Err(expected.clone()),
                "{header:?}"
            );
        }
        let wrong_secret = sign(body, "whsec_wrong", NOW);
        assert_eq!(
            verify(Some(&wrong_secret), body, &secrets(), NOW, 300),
            Err(SignatureError::Mismatch)
        );
    }

    fn currency(code: &str) -> Currency {
        Currency::from_code(code).unwrap()
    }

    #[test]
    fn amounts_follow_stripes_decimals_not_iso_4217() {
        // (currency, Stripe's amount, what it is): Stripe's own cases first, where it departs from ISO
        let cases = [
            ("ISK", 50_000, "500"),    // two-decimal at Stripe, zero in ISO
            ("MGA", 1_000, "1000.00"), // zero-decimal at Stripe, two in ISO
            ("HUF", 123_450, "1234.50"),
            ("TWD", 10_000, "100.00"),
            ("UGX", 5_000, "5000"),
            ("JPY", 500, "500"),
            ("KWD", 5_120, "5.120"),
            ("USD", 1_999, "19.99"),
        ];
        for (code, minor, expected) in cases {
            let amount = amount_from_stripe(minor, currency(code));
            assert_eq!(amount.to_string(), expected, "{code} {minor}");
        }
        // A fractional króna from before Stripe forbade them is kept exactly
        assert_eq!(amount_from_stripe(4_010, currency("ISK")).to_string(), "40.10");
    }

    #[test]
    fn an_icelandic_payment_is_read_in_kronur() {
        let body = serde_json::json!({"id": "evt_isk", "type": "payment_intent.succeeded", "created": NOW,
            "data": {"object": {
            "id": "pi_isk", "currency": "isk", "amount_received": 1_250_000,
            "metadata": {"kindly_invoice_id": "I-IS"}}}});
        let event = parse_event(body.to_string().as_bytes()).unwrap();
        let Action::Apply { payment, .. } = event.action else {
            panic!("{:?}", event.action)
        };
        assert_eq!(
            payment.change,
            PaymentChange::Received {
                amount: "12500".parse().unwrap(),
                currency: currency("ISK"),
                at: chrono::DateTime::from_timestamp(NOW, 0).unwrap(),
            }
        );
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_bodies_parse_or_fail_without_panicking(
            body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..400),
            kind in proptest::sample::select(vec![
                "invoice.paid", "payment_intent.succeeded", "checkout.session.completed",
                "checkout.session.async_payment_succeeded", "checkout.session.async_payment_failed",
                "payment_intent.processing", "payment_intent.payment_failed", "charge.refunded", "other",
            ]),
            amount in proptest::prelude::any::<i64>(),
            currency in "[a-zA-Z]{0,4}",
        ) {
            let _ = parse_event(&body);
            // Well-formed envelopes with arbitrary amounts and currency codes: an answer, never a panic.
            let event = serde_json::json!({"id": "evt", "type": kind, "created": NOW, "data": {"object": {
                "id": "obj", "currency": currency, "amount_paid": amount, "amount_received": amount,
                "amount_total": amount, "amount_refunded": amount, "payment_status": "paid",
                "metadata": {"kindly_invoice_id": "I1"}}}});
            let _ = parse_event(event.to_string().as_bytes());
        }

        #[test]
        fn arbitrary_headers_and_bodies_never_panic_and_never_pass(
            header in proptest::option::of(".{0,200}"),
            body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300),
        ) {
            proptest::prop_assert!(verify(header.as_deref(), &body, &secrets(), NOW, 300).is_err());
        }

        #[test]
        fn a_signature_for_one_body_never_passes_for_another(
            body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300),
            other in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300),
        ) {
            let header = sign(&body, SECRET, NOW);
            proptest::prop_assert!(verify(Some(&header), &body, &secrets(), NOW, 300).is_ok());
            if other != body {
                proptest::prop_assert_eq!(verify(Some(&header), &other, &secrets(), NOW, 300), Err(SignatureError::Mismatch));
            }
        }
    }
}
