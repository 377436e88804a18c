//! Test support, compiled only with the `stand-in` feature (the crates' tests enable it): clients for the
//! local AWS stand-in, moto's server on 127.0.0.1, which `scripts/stand-in.sh` starts and whose address it
//! exports as `KINDLY_MOTO_URL`, and [`on_both_stores!`](crate::on_both_stores), which runs a test crate's
//! scenarios on the embedded store and on DynamoDB. Nothing here is part of a Lambda.

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

/// An S3 client for the stand-in: path-style addresses (`127.0.0.1:PORT/bucket/key`), since a bucket
/// cannot be a subdomain of an IP address.
pub fn s3_client(sdk: &aws_config::SdkConfig) -> aws_sdk_s3::Client {
    aws_sdk_s3::Client::from_conf(aws_sdk_s3::config::Builder::from(sdk).force_path_style(true).build())
}

/// The `events` function's state over `config` on the stand-in.
pub async fn events_state(config: crate::Config) -> crate::events::Events {
    let sdk = sdk_config().await;
    crate::events::Events::from_clients(
        config,
        aws_sdk_dynamodb::Client::new(&sdk),
        s3_client(&sdk),
        crate::ses::client(&sdk),
    )
}

/// A fresh bucket on the stand-in: its name.
pub async fn fresh_bucket() -> String {
    let bucket = unique("kindly-replies");
    s3_client(&sdk_config().await)
        .create_bucket()
        .bucket(&bucket)
        .send()
        .await
        .expect("create the test bucket");
    bucket
}

/// SES's notice that it stored a received message as `key` in `bucket`, as the mail events queue gets it
/// (the inbound crate's documented fixture, pointed there).
pub fn received_notice(bucket: &str, key: &str) -> String {
    include_str!("../../inbound/tests/fixtures/ses/received_s3.json")
        .replace("kindly-replies-123456789012", bucket)
        .replace("replies/9o4rn1j7bnd0sqfcl1vj7k5m5hn0sp1d8ptrkqo1", key)
}

/// Store `raw` in `bucket` as SES's receipt rule would (under `replies/`): its key, and the notice.
pub async fn store_received(bucket: &str, raw: &str) -> (String, String) {
    let key = format!("replies/{}", unique("msg"));
    s3_client(&sdk_config().await)
        .put_object()
        .bucket(bucket)
        .key(&key)
        .body(raw.as_bytes().to_vec().into())
        .send()
        .await
        .expect("store the received message");
    let notice = received_notice(bucket, &key);
    (key, notice)
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

/// A fresh table (with its indexes) on the stand-in: its name.
pub async fn fresh_table() -> String {
    let client = aws_sdk_dynamodb::Client::new(&sdk_config().await);
    let table = unique("kindly");
    crate::dynamo::create_table(&client, &table)
        .await
        .expect("create the test table");
    table
}

/// A store over `table` on the stand-in with a client of its own, as another process would have.
pub async fn store_on(table: &str, shards: u32) -> crate::DynamoStore {
    crate::DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk_config().await), table, shards)
}

/// A store over a fresh table (with its indexes) on the stand-in.
pub async fn fresh_store(shards: u32) -> crate::DynamoStore {
    store_on(&fresh_table().await, shards).await
}

/// One `#[tokio::test]` per scenario on each store: module `sqlite` hands each scenario a fresh in-memory
/// embedded store (kindly-local's, so the calling crate has it as a dev-dependency), module `dynamodb` a fresh
/// table on the stand-in. A scenario is an `async fn name<S: Store>(store: S)` beside the call. A scenario the
/// DynamoDB store does not pass yet is written `#[dynamodb_ignore = "why"] name`: ignored there, with its
/// reason, and still run on SQLite.
#[macro_export]
macro_rules! on_both_stores {
    ($($(#[dynamodb_ignore = $why:literal])? $scenario:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test]
            async fn $scenario() {
                let store = ::kindly_local::sqlite_store::SqliteStore::in_memory().expect("an in-memory database");
                super::$scenario(store).await;
            })*
        }
        mod dynamodb {
            $(#[tokio::test]
            $(#[ignore = $why])?
            async fn $scenario() {
                super::$scenario($crate::stand_in::fresh_store(2).await).await;
            })*
        }
    };
}
