//! Customers' page links on AWS: the keys that sign them are read once, at start-up, from the Secrets
//! Manager secret the stack generates (`KINDLY_LINK_SECRET_ID`), and links point under `KINDLY_PUBLIC_URL`.
//! Every function that composes a message (each one: a pass, a send-time cancel, a skip, a payment may all
//! plan a customer again) and the one that serves the pages and verifies them read it.
//!
//! The secret holds one key per line, 64 hexadecimal digits (either case), the first signing and every one
//! verifying: to rotate, put a new key on the first line above the old one, restart the functions, and
//! drop the old line once its links may stop working. Its value is never logged.

use crate::config::{Config, LinkSource};
use crate::error::AwsError;
use kindly_core::link::{CustomerLinks, LinkKeys};

/// `config` with its policy's `customer_links` read from Secrets Manager when the configuration names a
/// secret ([`Config::links`]); unchanged otherwise.
pub async fn with_customer_links(
    mut config: Config,
    secrets: &aws_sdk_secretsmanager::Client,
) -> Result<Config, AwsError> {
    if let Some(source) = &config.links {
        config.policy.customer_links = Some(customer_links(secrets, source).await?);
    }
    Ok(config)
}

/// The links under `source.public_url`, signed with the keys in `source.secret_id`.
pub async fn customer_links(
    secrets: &aws_sdk_secretsmanager::Client,
    source: &LinkSource,
) -> Result<CustomerLinks, AwsError> {
    let problem = |problem: String| AwsError::LinkKeys {
        id: source.secret_id.clone(),
        problem,
    };
    let value = secrets
        .get_secret_value()
        .secret_id(&source.secret_id)
        .send()
        .await
        .map_err(|e| problem(aws_sdk_secretsmanager::error::DisplayErrorContext(&e).to_string()))?;
    let keys = LinkKeys::from_lines(value.secret_string().unwrap_or_default()).map_err(|e| problem(e.to_string()))?;
    CustomerLinks::new(&source.public_url, keys).map_err(|_| AwsError::InvalidVariable {
        name: crate::config::vars::PUBLIC_URL,
        value: source.public_url.clone(),
        expected: "an https:// address without a query or fragment, e.g. https://billing.example.com",
    })
}
