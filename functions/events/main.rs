//! The `events` Lambda: build state once, then take each batch of the mail system's notifications from the
//! queue with `kindly_aws::events::mail_events`.

use lambda_runtime::{Error, run, service_fn, tracing};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    tracing::init_default_subscriber();
    let base = kindly_aws::lambda::Base::from_env().await?;
    run(service_fn(|event| kindly_aws::events::mail_events(&base, event))).await
}
