//! The `approvals` Lambda: the approval page and its API, behind the HTTP API's JWT authorizer.

use lambda_http::{Error, run, tracing};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    tracing::init_default_subscriber();
    let kindly_aws::lambda::Base { config, store } = kindly_aws::lambda::Base::from_env().await?;
    let sign_in = kindly_approvals::hosted_sign_in_from_env()?;
    run(kindly_approvals::router(store, config.policy, None, sign_in)).await
}
