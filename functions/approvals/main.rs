//! The `approvals` Lambda: the approval page and its API, behind the HTTP API's JWT authorizer.

use lambda_http::{Error, run, tracing};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    tracing::init_default_subscriber();
    let config = kindly_aws::Config::from_env()?;
    let sdk = aws_config::load_from_env().await;
    let dynamodb = aws_sdk_dynamodb::Client::new(&sdk);
    let store = kindly_aws::DynamoStore::new(dynamodb, config.table.clone(), config.shards);
    let sign_in = kindly_approvals::hosted_sign_in_from_env()?;
    run(kindly_approvals::router(store, config.policy, None, sign_in)).await
}
