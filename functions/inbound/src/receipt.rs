//! SES's notification that it received a message and stored it in S3 (a receipt rule's S3 action with a
//! topic), as it reaches the queue: it names where the message is, never carries it. Shapes as SES
//! documents them ("Contents of notifications for Amazon SES email receiving").

use crate::error::InboundError;
use serde::Deserialize;

const WHAT: &str = "SES receipt notification";

/// A message SES received for the reply domain and stored: where it lies, and what SES's checks said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredMail {
    pub bucket: String,
    pub key: String,
    /// SES's id for the received message (also the object's name under the rule's prefix).
    pub message_id: String,
    pub recipients: Vec<String>,
    /// Why it should not be read, when SES's spam or virus check failed it.
    pub suspect: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Record {
    receipt: Receipt,
    mail: Mail,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Receipt {
    #[serde(default)]
    recipients: Vec<String>,
    spam_verdict: Option<Verdict>,
    virus_verdict: Option<Verdict>,
    action: Action,
}

#[derive(Deserialize)]
struct Verdict {
    status: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Action {
    #[serde(rename = "type")]
    kind: String,
    bucket_name: Option<String>,
    object_key: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Mail {
    message_id: String,
}

/// The stored message a `Received` notification (`record`, already out of any SNS envelope) names.
pub(crate) fn stored_mail(record: &str) -> Result<StoredMail, InboundError> {
    let record: Record = crate::ses::from_json(record, WHAT)?;
    let action = record.receipt.action;
    if action.kind != "S3" {
        return Err(InboundError::Shape {
            what: WHAT,
            at: "receipt.action.type".into(),
            reason: format!(
                "`{}`: only an S3 action's notification names a stored message",
                action.kind
            ),
        });
    }
    let missing = |field: &str| InboundError::Missing {
        what: WHAT,
        field: field.to_owned(),
    };
    let failed = |verdict: &Option<Verdict>, check: &str| {
        verdict
            .as_ref()
            .filter(|verdict| verdict.status.eq_ignore_ascii_case("FAIL"))
            .map(|_| format!("SES's {check} check failed it"))
    };
    let suspect =
        failed(&record.receipt.virus_verdict, "virus").or_else(|| failed(&record.receipt.spam_verdict, "spam"));
    Ok(StoredMail {
        bucket: action.bucket_name.ok_or_else(|| missing("receipt.action.bucketName"))?,
        key: action.object_key.ok_or_else(|| missing("receipt.action.objectKey"))?,
        message_id: record.mail.message_id,
        recipients: record.receipt.recipients,
        suspect,
    })
}
