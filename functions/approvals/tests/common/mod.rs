//! Shared by the tests that talk to the local AWS stand-in (moto's server on 127.0.0.1), which
//! `scripts/test.sh` starts, exporting its address as `KINDLY_MOTO_URL`; the clients come from
//! `kindly_aws::stand_in`.

#![allow(dead_code)]

/// A store over a fresh table, two shards.
pub async fn fresh_store() -> kindly_aws::DynamoStore {
    kindly_aws::stand_in::fresh_store(2).await
}
