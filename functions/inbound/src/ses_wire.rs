//! SES's notification records as SES documents them ("Contents of event data that Amazon SES publishes
//! to Amazon SNS" and "Amazon SNS notification contents" for identity notifications), and the SNS
//! envelope they travel in. Only what kindly reads is typed; SES may add fields, which are ignored.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use std::collections::BTreeMap;

/// The envelope SNS puts around a message it hands to an SQS queue (unless raw delivery is on).
#[derive(Debug, Deserialize)]
pub struct SnsEnvelope {
    #[serde(rename = "Type")]
    pub kind: String,
    /// The SES record, as a JSON string.
    #[serde(rename = "Message")]
    pub message: String,
}

/// Just enough of a body to tell an SNS envelope (it has `Type`) from a bare SES record.
#[derive(Debug, Deserialize)]
pub struct EnvelopeProbe {
    #[serde(rename = "Type")]
    pub kind: Option<String>,
}

/// Just enough of a record to tell a receipt rule's notification (`notificationType: Received`) from an
/// event about a sent message.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TypeProbe {
    pub notification_type: Option<String>,
}

/// One SES record: a configuration set's event (`eventType`) or an identity's notification
/// (`notificationType`, Bounce/Complaint/Delivery only). The object named after the type carries its facts.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SesRecord {
    #[serde(alias = "notificationType")]
    pub event_type: EventType,
    pub mail: Mail,
    pub bounce: Option<Bounce>,
    pub complaint: Option<Complaint>,
    pub delivery: Option<Delivery>,
    pub delivery_delay: Option<DeliveryDelay>,
    pub reject: Option<Reject>,
    pub failure: Option<RenderingFailure>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum EventType {
    Bounce,
    Complaint,
    Delivery,
    Send,
    Reject,
    Open,
    Click,
    #[serde(rename = "Rendering Failure")]
    RenderingFailure,
    DeliveryDelay,
    Subscription,
}

impl EventType {
    /// The name SES gives the type, as it appears in the record.
    pub fn wire_name(self) -> &'static str {
        match self {
            EventType::Bounce => "Bounce",
            EventType::Complaint => "Complaint",
            EventType::Delivery => "Delivery",
            EventType::Send => "Send",
            EventType::Reject => "Reject",
            EventType::Open => "Open",
            EventType::Click => "Click",
            EventType::RenderingFailure => "Rendering Failure",
            EventType::DeliveryDelay => "DeliveryDelay",
            EventType::Subscription => "Subscription",
        }
    }
}

/// The message the record is about.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Mail {
    pub timestamp: DateTime<Utc>,
    /// SES's own id for the message (not its Message-ID header).
    pub message_id: String,
    /// Every recipient of the message.
    #[serde(default)]
    pub destination: Vec<String>,
    /// The message tags, each name with a list of values. Configuration-set events only: identity
    /// notifications carry none.
    #[serde(default)]
    pub tags: BTreeMap<String, Vec<String>>,
    /// The original headers, when the configuration set or identity includes them.
    #[serde(default)]
    pub headers: Vec<MailHeader>,
    pub common_headers: Option<CommonHeaders>,
}

#[derive(Debug, Deserialize)]
pub struct MailHeader {
    pub name: String,
    pub value: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CommonHeaders {
    pub message_id: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Bounce {
    pub bounce_type: BounceType,
    pub bounce_sub_type: BounceSubType,
    pub bounced_recipients: Vec<BouncedRecipient>,
    pub timestamp: DateTime<Utc>,
    pub feedback_id: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum BounceType {
    Permanent,
    Transient,
    Undetermined,
}

/// The sub-types kindly tells apart; SES documents more (General, NoEmail, MailboxFull, …), which all
/// follow their type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum BounceSubType {
    /// On SES's global suppression list.
    Suppressed,
    /// On the account's suppression list.
    OnAccountSuppressionList,
    #[serde(other)]
    Other,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BouncedRecipient {
    pub email_address: String,
    pub status: Option<String>,
    pub diagnostic_code: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Complaint {
    pub complained_recipients: Vec<Recipient>,
    pub timestamp: DateTime<Utc>,
    pub feedback_id: String,
    /// From the feedback report (`abuse`, `not-spam`, …), when the reporting provider sent one.
    pub complaint_feedback_type: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Recipient {
    pub email_address: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Delivery {
    pub timestamp: DateTime<Utc>,
    pub recipients: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryDelay {
    pub timestamp: DateTime<Utc>,
    /// Why, in SES's words: `TransientCommunicationFailure`, `MailboxFull`, `SpamDetected`, ….
    pub delay_type: String,
    #[serde(default)]
    pub delayed_recipients: Vec<DelayedRecipient>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DelayedRecipient {
    pub email_address: String,
    pub status: Option<String>,
    pub diagnostic_code: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Reject {
    pub reason: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RenderingFailure {
    pub error_message: String,
}
