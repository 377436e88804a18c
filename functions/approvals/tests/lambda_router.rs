//! The approvals Lambda's router, given API Gateway HTTP API events as lambda_http delivers them, over a
//! DynamoDB table on the local stand-in (KINDLY_MOTO_URL, started by scripts/test.sh).

use aws_config::BehaviorVersion;
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

async fn store() -> kindly_aws::DynamoStore {
    let url = std::env::var("KINDLY_MOTO_URL").expect("KINDLY_MOTO_URL: run ./scripts/test.sh");
    let sdk = aws_config::defaults(BehaviorVersion::latest())
        .endpoint_url(url)
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
            "test", "test", None, None, "tests",
        ))
        .load()
        .await;
    let client = aws_sdk_dynamodb::Client::new(&sdk);
    let table = format!("approvals-{}", std::process::id());
    let _ = kindly_aws::dynamo::create_table(&client, &table).await;
    kindly_aws::DynamoStore::new(client, table, 2)
}

async fn call(request: lambda_http::Request) -> (u16, serde_json::Value) {
    let router = kindly_approvals::router(store().await, Policy::default_policy());
    let (parts, body) = request.into_parts();
    let request = axum::http::Request::from_parts(parts, Body::from(body.to_vec()));
    let response = router.oneshot(request).await.unwrap();
    let status = response.status().as_u16();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap();
    (status, serde_json::from_slice(&bytes).unwrap_or_default())
}

#[tokio::test]
async fn the_verified_email_is_the_approver() {
    let (status, body) = call(event("/api/session", true)).await;
    assert_eq!(
        (status, body["approver"].as_str()),
        (200, Some("alice@northwind.example"))
    );
    let (status, body) = call(event("/api/drafts", true)).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["drafts"].as_array().is_some());
}

#[tokio::test]
async fn without_verified_claims_every_api_route_is_refused() {
    for path in ["/api/session", "/api/drafts", "/api/customers/C1/history"] {
        let (status, _) = call(event(path, false)).await;
        assert_eq!(status, 401, "{path}");
    }
    // The page shell carries no data and is served to anyone; its API calls carry the token
    let (status, _) = call(event("/", false)).await;
    assert_eq!(status, 200);
}
