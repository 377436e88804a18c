//! What comes back from the mail system about a message kindly sent: it was delivered or delayed, it
//! bounced, the recipient complained, the provider rejected or could not render it, or a person (or their
//! mailbox) replied. The edges parse SES's event notifications, delivery status notifications (RFC 3464),
//! complaint reports (ARF, RFC 5965) and replies into a [`MailEvent`]; the rules that decide what each
//! does to the ladder live in the core and take it from there.
//!
//! Pure vocabulary: no I/O, no clock.

use crate::link::LinkKeys;
use crate::reminder::ReminderId;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// One piece of feedback about one sent message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailEvent {
    /// What identifies the notification itself, so that one delivered twice changes nothing twice: SES's
    /// feedback id or its event's message id and type, a report's or a reply's own Message-ID.
    pub event_id: String,
    /// The reminder the message was: from the `reminder` tag SES echoes, the Message-ID kindly gave it
    /// (`<rem_…@…>`, quoted by reports and replies), or the reply address it carried. `None` when nothing
    /// in the feedback names one; the event is then reported and changes nothing.
    pub reminder: Option<ReminderId>,
    /// When the mail system says it happened.
    pub at: DateTime<Utc>,
    pub kind: MailEventKind,
}

/// What happened to the message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MailEventKind {
    /// The recipients' mail servers accepted it.
    Delivered { recipients: Vec<String> },
    /// Delivery is delayed; the provider keeps trying.
    Delayed {
        recipients: Vec<String>,
        #[serde(default)]
        reason: Option<String>,
    },
    /// It bounced for these recipients.
    Bounced {
        bounce: BounceKind,
        recipients: Vec<BouncedRecipient>,
    },
    /// A recipient marked it as spam (a feedback loop report).
    Complained {
        recipients: Vec<String>,
        /// The report's feedback type (`abuse`, `not-spam`, …) when it says.
        #[serde(default)]
        feedback_type: Option<String>,
    },
    /// The provider refused to send it (for instance, it found a virus).
    Rejected { reason: String },
    /// The provider could not render a template (SES templates only; kindly renders its own).
    RenderingFailed { error: String },
    /// A reply to it arrived.
    Replied(Reply),
}

/// How final a bounce is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BounceKind {
    /// The address does not take mail: do not write to it again (SES `Permanent`, a 5.x.x status).
    Permanent,
    /// The provider did not send because the address is on its suppression list, having bounced or
    /// complained before (SES `Permanent` / `OnAccountSuppressionList` or `Suppressed`).
    Suppressed,
    /// It may work later: a full mailbox, a message too large, a server that was down (SES `Transient`,
    /// a 4.x.x status).
    Transient,
    /// The mail system could not tell (SES `Undetermined`); counted like a transient one.
    Undetermined,
}

impl BounceKind {
    /// Whether the address is to be treated as unreachable at once.
    pub fn is_hard(self) -> bool {
        matches!(self, BounceKind::Permanent | BounceKind::Suppressed)
    }
}

/// One recipient a message bounced for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BouncedRecipient {
    pub email: String,
    /// The enhanced status code (RFC 3463), e.g. `5.1.1`, when the report gives one.
    #[serde(default)]
    pub status: Option<String>,
    /// The receiving server's own words, e.g. `smtp; 550 5.1.1 user unknown`.
    #[serde(default)]
    pub diagnostic: Option<String>,
}

/// A reply to a message kindly sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reply {
    /// Who wrote it (the From address).
    pub from: String,
    #[serde(default)]
    pub from_name: Option<String>,
    pub subject: String,
    /// What they wrote, as plain text (an HTML-only reply converted), without the quoted message below it
    /// where that can be told apart.
    pub text: String,
    /// Set when a mailbox wrote it, not a person: an out-of-office note or another automatic reply.
    #[serde(default)]
    pub automatic: Option<AutoReply>,
}

/// An automatic reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AutoReply {
    /// It says its person is away (rather than, say, "your message was received").
    pub out_of_office: bool,
    /// The day they say they are back, when it names one.
    #[serde(default)]
    pub returns_on: Option<NaiveDate>,
}

/// The local part of the address replies to message `reminder` go to: `reply+<reminder id>.<tag>`, the
/// tag signed with the link keys so that nobody can make an address that pauses a customer's reminders.
pub fn reply_local_part(keys: &LinkKeys, reminder: &ReminderId) -> String {
    format!("{REPLY_PREFIX}{}.{}", reminder.0, keys.reply_tag(reminder))
}

/// The reminder a reply address (a whole address or its local part) names, if its tag is genuine.
pub fn reminder_of_reply_address(keys: &LinkKeys, address: &str) -> Option<ReminderId> {
    let local = address.rsplit_once('@').map_or(address, |(local, _)| local);
    let rest = local
        .get(..REPLY_PREFIX.len())?
        .eq_ignore_ascii_case(REPLY_PREFIX)
        .then(|| &local[REPLY_PREFIX.len()..])?;
    let (id, tag) = rest.rsplit_once('.')?;
    let reminder = ReminderId(id.to_ascii_lowercase());
    keys.verify_reply_tag(&reminder, tag).then_some(reminder)
}

const REPLY_PREFIX: &str = "reply+";

#[cfg(test)]
#[path = "feedback_tests.rs"]
mod tests;
