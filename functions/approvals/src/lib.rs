//! The approval router as a Lambda serves it: API Gateway's JWT authorizer has verified the caller before
//! the function runs, and [`router`] turns the verified claims into the approver the router records.

use axum::extract::Request;
use axum::middleware::{self, Next};
use axum::response::Response;
use kindly_aws::DynamoStore;
use kindly_core::Policy;
use kindly_web::{Access, App, Approver};
use lambda_http::RequestExt;
use lambda_http::request::RequestContext;
use std::sync::Arc;

/// The claims that name a person, most readable first: Cognito puts the address in `email`.
const NAME_CLAIMS: [&str; 4] = ["email", "cognito:username", "username", "sub"];

/// The approver the authorizer verified, from the request's API Gateway context.
pub fn verified_approver(request: &Request) -> Option<Approver> {
    let RequestContext::ApiGatewayV2(context) = request.request_context_ref()? else {
        return None;
    };
    let claims = &context.authorizer.as_ref()?.jwt.as_ref()?.claims;
    NAME_CLAIMS
        .iter()
        .find_map(|name| claims.get(*name).filter(|value| !value.is_empty()))
        .map(|value| Approver(value.clone()))
}

async fn attach_approver(mut request: Request, next: Next) -> Response {
    if let Some(approver) = verified_approver(&request) {
        request.extensions_mut().insert(approver);
    }
    next.run(request).await
}

/// The approval page's router over DynamoDB, trusting only the authorizer's verified claims.
pub fn router(store: DynamoStore, policy: Policy) -> axum::Router {
    let app = App::new(store, policy, Access::Verified);
    kindly_web::router(Arc::new(app)).layer(middleware::from_fn(attach_approver))
}
