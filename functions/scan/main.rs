//! The `scan` Lambda: build state once, then serve invocations with `kindly_aws::lambda::scan`.

use lambda_runtime::{Error, run, service_fn, tracing};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    tracing::init_default_subscriber();
    let base = kindly_aws::lambda::Base::from_env().await?;
    run(service_fn(|event| kindly_aws::lambda::scan(&base, event))).await
}
