//! `POST /webhooks/stripe`: the payment processor's calls. Trusted only with a valid signature; each event
//! applied once (the ledger, and the invoice's own record of applied payments); answered so that Stripe
//! retries exactly what is worth retrying.

use crate::stripe::{self, Action, InvoiceRef};
use crate::{App, AppState, WebError};
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Duration;
use kindly_core::service::{self, PaymentOutcome};
use kindly_core::{CoreError, InvoiceId, Store};
use serde_json::json;

/// Stripe's signing secrets (several while one is rotated) and the clock tolerance.
pub struct StripeWebhook {
    pub secrets: Vec<String>,
    pub tolerance_secs: i64,
}

/// How old a signed timestamp may be, in seconds, unless configured: Stripe's own default.
pub const DEFAULT_TOLERANCE_SECS: i64 = 300;

/// The prefix of every Stripe endpoint signing secret.
pub const ENDPOINT_SECRET_PREFIX: &str = "whsec_";

impl StripeWebhook {
    /// The signing secrets written one per line (blank lines and `#` comments skipped), as kept in a local
    /// file or in the cloud's secret. Every one must be an endpoint secret (`whsec_` and then letters, digits,
    /// `_`, `+`, `/`, `=` or `-`): HMAC takes any key, so a placeholder or a generated value would let anyone
    /// who knows or guesses it sign "paid" events. A refusal names the line, never the value.
    pub fn from_lines(text: &str, tolerance_secs: i64) -> Result<StripeWebhook, WebError> {
        let mut secrets = Vec::new();
        for (index, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if !is_endpoint_secret(line) {
                return Err(WebError::Config(format!(
                    "line {} is not a Stripe endpoint signing secret ({ENDPOINT_SECRET_PREFIX}...): copy it from \
                     the endpoint in Stripe",
                    index + 1
                )));
            }
            secrets.push(line.to_owned());
        }
        if secrets.is_empty() {
            return Err(WebError::Config(format!(
                "no Stripe endpoint signing secret ({ENDPOINT_SECRET_PREFIX}...)"
            )));
        }
        Ok(StripeWebhook {
            secrets,
            tolerance_secs,
        })
    }
}

fn is_endpoint_secret(line: &str) -> bool {
    line.strip_prefix(ENDPOINT_SECRET_PREFIX).is_some_and(|key| {
        !key.is_empty()
            && key
                .bytes()
                .all(|byte| byte.is_ascii_alphanumeric() || b"_+/=-".contains(&byte))
    })
}

/// How long an event id is remembered: well past Stripe's three days of retries.
const LEDGER_TIME_TO_LIVE: Duration = Duration::days(30);

fn answer(status: StatusCode, body: serde_json::Value) -> Response {
    (status, Json(body)).into_response()
}

pub async fn stripe<S: Store + 'static>(State(app): AppState<S>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(config) = &app.webhook else {
        return answer(
            StatusCode::NOT_FOUND,
            json!({"error": "no Stripe webhook is configured"}),
        );
    };
    let now = (app.clock)();
    let header = headers.get("stripe-signature").and_then(|value| value.to_str().ok());
    if let Err(refused) = stripe::verify(header, &body, &config.secrets, now.timestamp(), config.tolerance_secs) {
        tracing::warn!(reason = %refused, "Stripe webhook refused");
        return answer(StatusCode::BAD_REQUEST, json!({"error": refused.to_string()}));
    }
    let event = match stripe::parse_event(&body) {
        Ok(event) => event,
        Err(problem) => {
            tracing::warn!(problem = %problem, "Stripe webhook: malformed event");
            return answer(StatusCode::BAD_REQUEST, json!({"error": problem}));
        }
    };
    match handle(&app, &event, now).await {
        Ok(result) => {
            tracing::info!(event_id = %event.id, kind = %event.kind, result = %result["result"], "Stripe event");
            answer(StatusCode::OK, result)
        }
        // Not synced from the accounting system yet: Stripe retries later.
        Err(CoreError::NotFound { what, id }) => answer(
            StatusCode::NOT_FOUND,
            json!({"error": format!("{what} `{id}` not found; retry once it is imported")}),
        ),
        Err(error @ CoreError::InvalidField { .. }) => {
            tracing::error!(event_id = %event.id, error = %error, "Stripe event refused");
            answer(StatusCode::BAD_REQUEST, json!({"error": error.to_string()}))
        }
        Err(error) => {
            tracing::error!(event_id = %event.id, error = %error, "Stripe event failed; Stripe will retry");
            answer(
                StatusCode::INTERNAL_SERVER_ERROR,
                json!({"error": "failed; it is logged and Stripe will retry"}),
            )
        }
    }
}

/// Apply the event unless the ledger has it; record it once it took effect (so a crash in between means
/// Stripe's retry applies it, and the invoice's record of applied payments keeps that from counting twice).
async fn handle<S: Store>(
    app: &App<S>,
    event: &stripe::StripeEvent,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<serde_json::Value, CoreError> {
    if app.store.event_recorded(&event.id, now).await? {
        return Ok(json!({"result": "duplicate"}));
    }
    let result = match &event.action {
        Action::Ignore(why) => json!({"result": "ignored", "reason": why}),
        Action::Apply { invoice, payment } => {
            let invoice_id = invoice_id(app, invoice).await?;
            match service::apply_payment_event(&app.store, &app.policy, &invoice_id, payment, now).await? {
                PaymentOutcome::Applied {
                    invoice,
                    voided,
                    thank_you,
                    review,
                } => json!({
                    "result": "applied", "invoice": invoice.id.0, "status": invoice.status.as_str(),
                    "balance": invoice.balance(), "voided": voided.iter().map(|id| &id.0).collect::<Vec<_>>(),
                    "thank_you": thank_you.map(|id| id.0), "held_for_review": invoice.is_held(),
                    "review_task": review.map(|id| id.0),
                }),
                PaymentOutcome::Unchanged(why) => json!({"result": "unchanged", "reason": why}),
            }
        }
    };
    app.store
        .record_event(&event.id, now + LEDGER_TIME_TO_LIVE, now)
        .await?;
    Ok(result)
}

/// kindly's invoice an event names: directly, or through a payment reference. A reference no invoice
/// carries yet is not found, like an invoice id not imported yet: the event is not recorded, and Stripe's
/// retry applies it once the accounting system has sent the invoice with its reference. (Answering 200 would
/// record it, and the retry would be a duplicate: the payment lost.)
async fn invoice_id<S: Store>(app: &App<S>, invoice: &InvoiceRef) -> Result<InvoiceId, CoreError> {
    match invoice {
        InvoiceRef::Id(id) => Ok(id.clone()),
        InvoiceRef::PaymentReference(reference) => app
            .store
            .invoice_id_by_payment_reference(reference)
            .await?
            .ok_or_else(|| CoreError::NotFound {
                what: "invoice with payment reference",
                id: reference.clone(),
            }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_read_one_per_line_without_comments_or_blanks() {
        let text = "# rotated in on 1 March\nwhsec_new\n\n  whsec_old  \n";
        let webhook = StripeWebhook::from_lines(text, 60).unwrap();
        assert_eq!(webhook.secrets, ["whsec_new", "whsec_old"]);
        assert_eq!(webhook.tolerance_secs, 60);
        assert!(StripeWebhook::from_lines("# only a comment\n\n", 60).is_err());
    }

    #[test]
    fn only_endpoint_secrets_are_trusted() {
        // The old template's placeholder, a value the stack generates, the README's ellipsis, a bare prefix
        for refused in [
            "replace-with-the-stripe-signing-secret",
            "Xq8vR2mK9pL4nT7wZ3cF6hJ1sD5gB0yA",
            "whsec_...",
            "whsec_",
            "whsec_has a space",
        ] {
            let error = StripeWebhook::from_lines(&format!("whsec_good\n{refused}\n"), 300)
                .err()
                .unwrap_or_else(|| panic!("{refused} was trusted"));
            // The line is named; the value is never shown
            assert_eq!(
                error.to_string(),
                "configuration: line 2 is not a Stripe endpoint signing secret (whsec_...): copy it from the \
                 endpoint in Stripe"
            );
        }
        // As Stripe's dashboard and its CLI hand them out
        let genuine = "whsec_7Zq3kP0aLm2XvB9cN4dR8tY1uW6eH5fG\nwhsec_0f3a9c1e5b7d2468ace13579bdf02468ace13579bdf02468ace13579bdf0";
        assert_eq!(StripeWebhook::from_lines(genuine, 300).unwrap().secrets.len(), 2);
    }
}
