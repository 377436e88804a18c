//! Test support, compiled only with the `stand-in` feature (the crates' tests enable it): clients for the
//! local AWS stand-in, moto's server on 127.0.0.1, which `scripts/stand-in.sh` starts and whose address it
//! exports as `KINDLY_MOTO_URL`. Nothing here is part of a Lambda.

use aws_config::BehaviorVersion;
use std::sync::atomic::{AtomicU32, Ordering};

/// The stand-in's address, from `KINDLY_MOTO_URL`.
pub fn moto_url() -> String {
    std::env::var("KINDLY_MOTO_URL").expect(
        "KINDLY_MOTO_URL is not set: run ./scripts/test.sh, or start `moto_server -H 127.0.0.1 -p 5055` \
         (pip install 'moto[server]') and export KINDLY_MOTO_URL=http://127.0.0.1:5055",
    )
}

/// SDK configuration pointing at the stand-in, with throwaway credentials.
pub async fn sdk_config() -> aws_config::SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .endpoint_url(moto_url())
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
            "test", "test", None, None, "tests",
        ))
        .load()
        .await
}

/// A name no other test (or earlier run against the same server) uses.
pub fn unique(prefix: &str) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("the clock is after 1970")
        .subsec_nanos();
    format!(
        "{prefix}-{}-{nanos}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// A store over a fresh table (with its indexes) on the stand-in.
pub async fn fresh_store(shards: u32) -> crate::DynamoStore {
    let client = aws_sdk_dynamodb::Client::new(&sdk_config().await);
    let table = unique("kindly");
    crate::dynamo::create_table(&client, &table)
        .await
        .expect("create the test table");
    crate::DynamoStore::new(client, table, shards)
}
