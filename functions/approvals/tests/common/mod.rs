//! Shared by the tests that talk to the local AWS stand-in (moto's server on 127.0.0.1), which
//! `scripts/test.sh` starts, exporting its address as `KINDLY_MOTO_URL`.

#![allow(dead_code)]

use aws_config::BehaviorVersion;
use std::sync::atomic::{AtomicU32, Ordering};

/// SDK configuration for the stand-in, with throwaway credentials.
pub async fn sdk() -> aws_config::SdkConfig {
    let url = std::env::var("KINDLY_MOTO_URL").expect("KINDLY_MOTO_URL: run ./scripts/test.sh");
    aws_config::defaults(BehaviorVersion::latest())
        .endpoint_url(url)
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
        .unwrap()
        .subsec_nanos();
    format!(
        "{prefix}-{}-{nanos}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// A fresh table with its indexes.
pub async fn fresh_store() -> kindly_aws::DynamoStore {
    let client = aws_sdk_dynamodb::Client::new(&sdk().await);
    let table = unique("kindly");
    kindly_aws::dynamo::create_table(&client, &table)
        .await
        .expect("create the test table");
    kindly_aws::DynamoStore::new(client, table, 2)
}
