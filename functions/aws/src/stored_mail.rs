//! Replies SES received for the reply domain, read from the bucket its receipt rule stores them in (the
//! notification names the object; [`kindly_inbound::StoredMail`]). Only this file calls S3.

use aws_sdk_s3::Client;
use aws_sdk_s3::error::DisplayErrorContext;
use kindly_core::CoreError;

/// The largest message read. SES stores up to 40 MB; a reply kindly reads is text, and anything this
/// large is attachments nobody needs parsed in a function with 256 MB.
pub const MAX_MAIL_BYTES: usize = 10 * 1024 * 1024;

/// What reading a stored message found.
#[derive(Debug, PartialEq, Eq)]
pub enum Fetched {
    Mail(Vec<u8>),
    /// No such object: expired by the bucket's lifecycle, or deleted. It will not come back.
    Gone,
    /// Larger than [`MAX_MAIL_BYTES`], by its size in bytes.
    TooLarge(u64),
}

/// Read object `key` of `bucket`. Failures that may pass (throttling, a network fault) are
/// [`CoreError::Store`], so the notification is handed over again.
pub async fn fetch(client: &Client, bucket: &str, key: &str) -> Result<Fetched, CoreError> {
    let object = match client.get_object().bucket(bucket).key(key).send().await {
        Ok(object) => object,
        Err(error) if error.as_service_error().is_some_and(|e| e.is_no_such_key()) => return Ok(Fetched::Gone),
        Err(error) => {
            return Err(CoreError::Store(format!(
                "reading s3://{bucket}/{key}: {}",
                DisplayErrorContext(&error)
            )));
        }
    };
    let declared = object
        .content_length()
        .and_then(|length| u64::try_from(length).ok())
        .unwrap_or(0);
    if declared > MAX_MAIL_BYTES as u64 {
        return Ok(Fetched::TooLarge(declared));
    }
    let bytes = object
        .body
        .collect()
        .await
        .map_err(|error| CoreError::Store(format!("reading s3://{bucket}/{key}: {error}")))?
        .into_bytes();
    match bytes.len() {
        length if length > MAX_MAIL_BYTES => Ok(Fetched::TooLarge(length as u64)),
        _ => Ok(Fetched::Mail(bytes.to_vec())),
    }
}
