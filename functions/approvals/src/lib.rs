//! The shared router as the `approvals` and `webhook` Lambdas serve it: API Gateway's JWT authorizer has
//! verified staff before the function runs, and [`router`] turns the verified claims into the approver the
//! router records; Stripe's calls prove themselves with their signature ([`stripe_webhook_from_env`]).

use axum::extract::Request;
use axum::middleware::{self, Next};
use axum::response::Response;
use kindly_aws::DynamoStore;
use kindly_core::Policy;
use kindly_web::{Access, App, Approver, Granted, HostedSignIn, StripeWebhook};
use lambda_http::RequestExt;
use lambda_http::request::RequestContext;
use std::sync::Arc;

pub mod iam;

/// The environment variables these functions read besides [`kindly_aws::config::vars`].
pub mod vars {
    /// `webhook`: the Secrets Manager secret holding Stripe's signing secrets.
    pub const STRIPE_SECRET_ID: &str = "KINDLY_STRIPE_SECRET_ID";
    /// `webhook`: how old a signed timestamp may be, in seconds (default 300).
    pub const STRIPE_TOLERANCE_SECS: &str = "KINDLY_STRIPE_TOLERANCE_SECS";
    /// `approvals`: the origin of the Cognito hosted sign-in the page sends staff to
    /// (`https://PREFIX.auth.REGION.amazoncognito.com`).
    pub const COGNITO_DOMAIN: &str = "KINDLY_COGNITO_DOMAIN";
    /// `approvals`: the page's Cognito app client.
    pub const COGNITO_CLIENT_ID: &str = "KINDLY_COGNITO_CLIENT_ID";
    /// Every one of them.
    pub const ALL: [&str; 4] = [
        STRIPE_SECRET_ID,
        STRIPE_TOLERANCE_SECS,
        COGNITO_DOMAIN,
        COGNITO_CLIENT_ID,
    ];
}

/// The claims that name a caller, most readable first: Cognito puts a person's address in `email`, and an
/// app client's id in `client_id` (client credentials).
const NAME_CLAIMS: [&str; 5] = ["email", "cognito:username", "username", "client_id", "sub"];

/// The scope an accounting system's token carries (the ingest resource server's `ingest`).
pub const INGEST_SCOPE: &str = "kindly/ingest";

/// The caller the authorizer verified, from the request's API Gateway context, and what its token grants:
/// a person's ID token (`token_use` `id`) is staff; an access token with [`INGEST_SCOPE`] is an
/// accounting system. Anything else is granted nothing, whatever route it reached.
pub fn verified_approver(request: &Request) -> Option<(Approver, Granted)> {
    let RequestContext::ApiGatewayV2(context) = request.request_context_ref()? else {
        return None;
    };
    let jwt = context.authorizer.as_ref()?.jwt.as_ref()?;
    let claims = &jwt.claims;
    let approver = NAME_CLAIMS
        .iter()
        .find_map(|name| claims.get(*name).filter(|value| !value.is_empty()))
        .map(|value| Approver(value.clone()))?;
    let claim = |name: &str| claims.get(name).map(String::as_str);
    let scopes: Vec<&str> = claim("scope")
        .into_iter()
        .flat_map(str::split_whitespace)
        .chain(jwt.scopes.iter().flatten().map(String::as_str))
        .collect();
    let granted = match claim("token_use") {
        Some("id") => Granted::staff(),
        Some("access") if scopes.contains(&INGEST_SCOPE) => Granted::ingest(),
        _ => Granted::default(),
    };
    Some((approver, granted))
}

async fn attach_approver(mut request: Request, next: Next) -> Response {
    if let Some((approver, granted)) = verified_approver(&request) {
        request.extensions_mut().insert(approver);
        request.extensions_mut().insert(granted);
    }
    next.run(request).await
}

/// The router over DynamoDB, trusting only the authorizer's verified claims, and Stripe's signatures when
/// `webhook` is given; customers' pages open with the links `policy.customer_links` signs. With `sign_in`, the page signs staff in there (see [`hosted_sign_in_from_env`]).
pub fn router(
    store: DynamoStore,
    policy: Policy,
    webhook: Option<StripeWebhook>,
    sign_in: Option<HostedSignIn>,
) -> axum::Router {
    // The keys that sign the links in messages verify them on the customers' pages.
    let link_keys = policy.customer_links.as_ref().map(|links| links.keys().clone());
    let mut app = App::new(store, policy, Access::Verified);
    app.customer_links = link_keys;
    app.webhook = webhook;
    app.sign_in = sign_in;
    kindly_web::router(Arc::new(app)).layer(middleware::from_fn(attach_approver))
}

/// Where the page signs staff in: the Cognito hosted UI named by `KINDLY_COGNITO_DOMAIN` and
/// `KINDLY_COGNITO_CLIENT_ID` (both, or neither: without them the page relies on whatever signs people in
/// in front of it).
pub fn hosted_sign_in_from_env() -> Result<Option<HostedSignIn>, ConfigError> {
    let read = |name| std::env::var(name).ok();
    hosted_sign_in(read(vars::COGNITO_DOMAIN), read(vars::COGNITO_CLIENT_ID))
}

/// [`hosted_sign_in_from_env`] given the two values (blank counts as unset).
pub fn hosted_sign_in(domain: Option<String>, client_id: Option<String>) -> Result<Option<HostedSignIn>, ConfigError> {
    let given = |value: Option<String>| value.filter(|value| !value.trim().is_empty());
    match (given(domain), given(client_id)) {
        (None, None) => Ok(None),
        (Some(domain), Some(client_id)) => HostedSignIn::new(&domain, &client_id)
            .map(Some)
            .map_err(|error| ConfigError::SignIn(error.to_string())),
        _ => Err(ConfigError::SignIn(format!(
            "set both {} and {}, or neither",
            vars::COGNITO_DOMAIN,
            vars::COGNITO_CLIENT_ID
        ))),
    }
}

/// Why the function's configuration could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("KINDLY_STRIPE_SECRET_ID is not set (the Secrets Manager secret with Stripe's signing secrets)")]
    MissingSecretId,
    #[error("KINDLY_STRIPE_TOLERANCE_SECS: expected whole seconds, got `{0}`")]
    Tolerance(String),
    #[error("reading the Stripe signing secrets from Secrets Manager: {0}")]
    Read(String),
    /// The secret holds something other than endpoint secrets (the value the stack generated, say): the
    /// webhook refuses to start rather than trust a key someone else may know.
    #[error(
        "the Secrets Manager secret `{id}`: {problem}; put the endpoint's signing secret there (README, \"Register the webhook in Stripe\")"
    )]
    NotEndpointSecrets { id: String, problem: String },
    #[error("the page's sign-in: {0}")]
    SignIn(String),
}

/// The webhook's configuration: the signing secrets from the Secrets Manager secret named by
/// `KINDLY_STRIPE_SECRET_ID` (one per line, several while one is rotated) and the tolerance from
/// `KINDLY_STRIPE_TOLERANCE_SECS` (default 300).
pub async fn stripe_webhook_from_env(sdk: &aws_config::SdkConfig) -> Result<StripeWebhook, ConfigError> {
    let id = std::env::var(vars::STRIPE_SECRET_ID).map_err(|_| ConfigError::MissingSecretId)?;
    let tolerance = match std::env::var(vars::STRIPE_TOLERANCE_SECS) {
        Ok(text) => text.trim().parse().map_err(|_| ConfigError::Tolerance(text))?,
        Err(_) => kindly_web::DEFAULT_TOLERANCE_SECS,
    };
    let client = aws_sdk_secretsmanager::Client::new(sdk);
    stripe_webhook(&client, &id, tolerance).await
}

/// Read the signing secrets from Secrets Manager secret `id`, refusing any that is not an endpoint secret
/// ([`StripeWebhook::from_lines`]). The values are never logged.
pub async fn stripe_webhook(
    client: &aws_sdk_secretsmanager::Client,
    id: &str,
    tolerance_secs: i64,
) -> Result<StripeWebhook, ConfigError> {
    let value = client
        .get_secret_value()
        .secret_id(id)
        .send()
        .await
        .map_err(|e| ConfigError::Read(aws_sdk_secretsmanager::error::DisplayErrorContext(&e).to_string()))?;
    StripeWebhook::from_lines(value.secret_string().unwrap_or_default(), tolerance_secs).map_err(|error| {
        ConfigError::NotEndpointSecrets {
            id: id.to_owned(),
            problem: error.to_string(),
        }
    })
}
