//! The `webhook` Lambda: the shared router, trusting Stripe's signatures; the signing secrets are read once
//! from Secrets Manager (`KINDLY_STRIPE_SECRET_ID`), as are the keys of customers' page links.

use lambda_http::{Error, run, tracing};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    tracing::init_default_subscriber();
    let (config, sdk) = kindly_aws::lambda::config_from_env().await?;
    let webhook = kindly_approvals::stripe_webhook_from_env(&sdk).await?;
    let kindly_aws::lambda::Base { config, store } = kindly_aws::lambda::Base::new(config, &sdk);
    run(kindly_approvals::router(store, config.policy, Some(webhook), None)).await
}
