//! The `events` Lambda: build state once, then take each batch from the mail events queue (SES's
//! notifications, and replies it received) with `kindly_aws::events::mail_events`.

use lambda_runtime::{Error, run, service_fn, tracing};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    tracing::init_default_subscriber();
    let state = kindly_aws::events::Events::from_env().await?;
    run(service_fn(|event| kindly_aws::events::mail_events(&state, event))).await
}
