//! The approvals Lambda's router, given API Gateway HTTP API events as lambda_http delivers them, over a
//! DynamoDB table on the local stand-in (KINDLY_MOTO_URL, started by scripts/test.sh).

mod common;
use common::call;

use axum::body::Body;
use kindly_core::Policy;
use tower::ServiceExt;

fn event(path: &str, with_claims: bool) -> lambda_http::Request {
    let mut event: serde_json::Value =
        serde_json::from_str(include_str!("fixtures/http-api-request.json")).expect("a valid event");
    event["rawPath"] = path.into();
    event["requestContext"]["http"]["path"] = path.into();
    if !with_claims {
        event["requestContext"].as_object_mut().unwrap().remove("authorizer");
    }
    lambda_http::request::from_str(&event.to_string()).expect("lambda_http reads the event")
}

/// `method path` with a body, as a token with these verified `claims` would reach the function.
fn with_claims(method: &str, path: &str, claims: serde_json::Value, body: &str) -> lambda_http::Request {
    let mut event: serde_json::Value =
        serde_json::from_str(include_str!("fixtures/http-api-request.json")).expect("a valid event");
    event["rawPath"] = path.into();
    event["requestContext"]["http"]["path"] = path.into();
    event["requestContext"]["http"]["method"] = method.into();
    event["requestContext"]["authorizer"]["jwt"]["claims"] = claims;
    event["headers"]["content-type"] = "application/json".into();
    event["body"] = body.into();
    lambda_http::request::from_str(&event.to_string()).expect("lambda_http reads the event")
}

/// The approvals router over a fresh table, without the webhook or a hosted sign-in.
async fn approvals() -> axum::Router {
    kindly_approvals::router(common::fresh_store().await, Policy::default_policy(), None, None)
}

#[tokio::test]
async fn the_verified_email_is_the_approver() {
    let router = approvals().await;
    let (status, body) = call(&router, event("/api/session", true)).await;
    assert_eq!(
        (status, body["approver"].as_str()),
        (200, Some("alice@northwind.example"))
    );
    let (status, body) = call(&router, event("/api/drafts", true)).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["drafts"].as_array().is_some());
}

#[tokio::test]
async fn without_verified_claims_every_api_route_is_refused() {
    let router = approvals().await;
    for path in ["/api/session", "/api/drafts", "/api/customers/C1/history"] {
        let (status, _) = call(&router, event(path, false)).await;
        assert_eq!(status, 401, "{path}");
    }
    // The page shell carries no data and is served to anyone; its API calls carry the token
    let (status, _) = call(&router, event("/", false)).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn the_page_is_told_where_staff_sign_in() {
    let sign_in = kindly_approvals::hosted_sign_in(
        Some("https://kindly-test.auth.eu-west-2.amazoncognito.com".into()),
        Some("abc123client".into()),
    )
    .unwrap();
    let router = kindly_approvals::router(common::fresh_store().await, Policy::default_policy(), None, sign_in);
    let (parts, body) = event("/auth/config", false).into_parts();
    let request = axum::http::Request::from_parts(parts, Body::from(body.to_vec()));
    let response = router.oneshot(request).await.unwrap();
    assert_eq!(response.status(), 200, "open: the page asks before anyone is signed in");
    let policy = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        policy.contains("connect-src 'self' https://kindly-test.auth.eu-west-2.amazoncognito.com;"),
        "{policy}"
    );
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap();
    let config: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(config["mode"], "hosted");
    assert_eq!(config["client_id"], "abc123client");
    assert_eq!(
        config["authorize_url"],
        "https://kindly-test.auth.eu-west-2.amazoncognito.com/oauth2/authorize"
    );
    // Without the two settings the page is told nothing of a sign-in; half of them is a start-up error
    assert_eq!(kindly_approvals::hosted_sign_in(None, Some(" ".into())).unwrap(), None);
    let half = kindly_approvals::hosted_sign_in(Some("https://x.example".into()), None).unwrap_err();
    assert!(half.to_string().contains("KINDLY_COGNITO_CLIENT_ID"), "{half}");
    let plain = kindly_approvals::hosted_sign_in(Some("http://x.example".into()), Some("abc".into())).unwrap_err();
    assert!(plain.to_string().contains("https://"), "{plain}");
}

/// A POST to /webhooks/stripe as API Gateway delivers it (no authorizer on this route).
fn webhook_event(body: &str, signature: &str) -> lambda_http::Request {
    let mut event: serde_json::Value =
        serde_json::from_str(include_str!("fixtures/http-api-request.json")).expect("a valid event");
    event["rawPath"] = "/webhooks/stripe".into();
    event["requestContext"]["http"]["path"] = "/webhooks/stripe".into();
    event["requestContext"]["http"]["method"] = "POST".into();
    event["requestContext"].as_object_mut().unwrap().remove("authorizer");
    event["headers"]["content-type"] = "application/json".into();
    event["headers"]["stripe-signature"] = signature.into();
    event["body"] = body.into();
    lambda_http::request::from_str(&event.to_string()).expect("lambda_http reads the event")
}

#[tokio::test]
async fn the_webhook_lambda_reads_its_secrets_and_marks_an_invoice_paid() {
    use kindly_core::fixtures::{customer, invoice};
    use kindly_core::{InvoiceId, InvoiceStatus, Store};
    let sdk = kindly_aws::stand_in::sdk_config().await;
    // The signing secrets live in Secrets Manager, two while one is rotated
    let secrets = aws_sdk_secretsmanager::Client::new(&sdk);
    let secret_id = kindly_aws::stand_in::unique("kindly-stripe");
    secrets
        .create_secret()
        .name(&secret_id)
        .secret_string("whsec_old\nwhsec_new\n")
        .send()
        .await
        .unwrap();
    let webhook = kindly_approvals::stripe_webhook(&secrets, &secret_id, 300)
        .await
        .unwrap();
    assert_eq!(webhook.secrets, vec!["whsec_old", "whsec_new"]);
    // A table with an open invoice
    let store = common::fresh_store().await;
    let policy = Policy::default_policy();
    kindly_core::service::ingest_customer(&store, &policy, &customer("A"), chrono::Utc::now())
        .await
        .unwrap();
    let open = invoice("I-A", "A", "2026-03-01", None);
    kindly_core::service::ingest_invoice(&store, &policy, &open, chrono::Utc::now())
        .await
        .unwrap();
    let router = kindly_approvals::router(store.clone(), policy, Some(webhook), None);
    let created = chrono::Utc::now().timestamp();
    let body = serde_json::json!({"id": "evt_1", "type": "payment_intent.succeeded", "created": created,
        "data": {"object": {
        "id": "pi_1", "amount_received": 10000, "currency": "usd", "metadata": {"kindly_invoice_id": "I-A"}}}})
    .to_string();
    let now = chrono::Utc::now().timestamp();
    // Signed with the wrong secret: refused; with the new one: applied
    for (secret, expected) in [("whsec_other", 400), ("whsec_new", 200)] {
        let request = webhook_event(&body, &kindly_web::stripe::sign(body.as_bytes(), secret, now));
        let (parts, payload) = request.into_parts();
        let request = axum::http::Request::from_parts(parts, Body::from(payload.to_vec()));
        let response = router.clone().oneshot(request).await.unwrap();
        assert_eq!(response.status().as_u16(), expected, "{secret}");
    }
    let paid = store.invoice(&InvoiceId("I-A".into())).await.unwrap().unwrap();
    assert_eq!(paid.status, InvoiceStatus::Paid);
}

#[tokio::test]
async fn the_webhook_lambda_does_not_start_on_the_secret_the_stack_generated() {
    let sdk = kindly_aws::stand_in::sdk_config().await;
    let secrets = aws_sdk_secretsmanager::Client::new(&sdk);
    // GIVEN the secret as the stack creates it: a random value, as infra/template.yaml generates it
    let generated = secrets
        .get_random_password()
        .password_length(40)
        .exclude_punctuation(true)
        .send()
        .await
        .unwrap()
        .random_password
        .unwrap();
    let secret_id = kindly_aws::stand_in::unique("kindly-stripe-generated");
    secrets
        .create_secret()
        .name(&secret_id)
        .secret_string(&generated)
        .send()
        .await
        .unwrap();
    // WHEN the webhook function reads it at start-up THEN it refuses to start, naming the secret, not its value
    let refused = kindly_approvals::stripe_webhook(&secrets, &secret_id, 300)
        .await
        .err()
        .expect("a generated value is not an endpoint secret");
    let message = refused.to_string();
    assert!(
        message.contains(&secret_id) && message.contains("not a Stripe endpoint signing secret"),
        "{message}"
    );
    assert!(!message.contains(&generated), "{message}");
    // AND once the operator puts the endpoint's secret there, it starts
    secrets
        .put_secret_value()
        .secret_id(&secret_id)
        .secret_string("whsec_7Zq3kP0aLm2XvB9cN4dR8tY1uW6eH5fG")
        .send()
        .await
        .unwrap();
    assert!(
        kindly_approvals::stripe_webhook(&secrets, &secret_id, 300)
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn each_token_does_only_its_own_work_whatever_route_it_reaches() {
    let router = approvals().await;
    let person = serde_json::json!({"email": "alice@northwind.example", "sub": "5f1c", "token_use": "id"});
    let accounting = serde_json::json!({"client_id": "ingest-client", "sub": "ingest-client", "token_use": "access",
                                        "scope": "kindly/ingest"});
    let neither = serde_json::json!({"client_id": "page-client", "sub": "5f1c", "token_use": "access",
                                     "scope": "openid email"});
    let customer = serde_json::to_string(&kindly_core::fixtures::customer("C1")).unwrap();
    let put = |claims: &serde_json::Value| with_claims("PUT", "/api/customers/C1", claims.clone(), &customer);
    let drafts = |claims: &serde_json::Value| with_claims("GET", "/api/drafts", claims.clone(), "");
    // GIVEN a route wired to the wrong authorizer: the function still keeps each token to its own routes
    let (status, answer) = call(&router, put(&person)).await;
    assert_eq!(status, 403, "a person's token writes no customer: {answer}");
    assert!(answer["error"].as_str().unwrap().contains("kindly/ingest"), "{answer}");
    let (status, answer) = call(&router, drafts(&accounting)).await;
    assert_eq!(status, 403, "an accounting system reads no drafts: {answer}");
    for request in [put(&neither), drafts(&neither)] {
        let (status, answer) = call(&router, request).await;
        assert_eq!(
            status, 403,
            "an access token without the ingest scope does nothing: {answer}"
        );
    }
    // Each does its own work
    let (status, answer) = call(&router, put(&accounting)).await;
    assert_eq!(status, 200, "{answer}");
    let (status, answer) = call(&router, drafts(&person)).await;
    assert_eq!(status, 200, "{answer}");
}
