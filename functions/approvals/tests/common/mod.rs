//! Shared by the tests that talk to the local AWS stand-in (moto's server on 127.0.0.1), which
//! `scripts/test.sh` starts, exporting its address as `KINDLY_MOTO_URL`; the clients come from
//! `kindly_aws::stand_in`.

#![allow(dead_code)]

/// A store over a fresh table, two shards.
pub async fn fresh_store() -> kindly_aws::DynamoStore {
    kindly_aws::stand_in::fresh_store(2).await
}

/// Hand `request` (as lambda_http delivers it) to `router`: the status and the JSON answer (`null` when the
/// body is not JSON).
pub async fn call(router: &axum::Router, request: lambda_http::Request) -> (u16, serde_json::Value) {
    use tower::ServiceExt;
    let (parts, body) = request.into_parts();
    let request = axum::http::Request::from_parts(parts, axum::body::Body::from(body.to_vec()));
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status().as_u16();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 22).await.unwrap();
    (status, serde_json::from_slice(&bytes).unwrap_or_default())
}
