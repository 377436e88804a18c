//! kindly-inbound: what comes back from the mail system, read into the core's vocabulary
//! ([`kindly_core::feedback::MailEvent`]).
//!
//! Two doors: [`parse_notification`] reads what reaches the mail events queue as an SQS message body
//! carries it (in an SNS envelope or bare): SES's events about sent messages ([`parse_ses`] takes only
//! those), and its notices that a message arrived for the reply domain and lies in S3 ([`StoredMail`],
//! whose bytes then go to [`parse_mail`]); [`parse_mail`] reads a message a mail server hands over — a delivery status
//! notification (RFC 3464), a complaint report (ARF, RFC 5965) or a reply, automatic or not.
//!
//! Architecture invariant: pure. Bytes in, a `MailEvent` (or a typed error naming what is wrong) out; no
//! I/O, no clock, no environment. Times come from the input itself (SES's timestamps, the Date header),
//! and the link keys that verify reply addresses are a parameter. Whatever reads the queue or the
//! mailbox, and whatever the core then does with the event, lives elsewhere.

mod autoreply;
mod error;
mod fields;
mod ids;
mod mail;
mod quote;
mod receipt;
mod reply;
mod report;
mod return_day;
mod ses;
mod ses_wire;

pub use error::InboundError;
pub use mail::parse_mail;
pub use receipt::StoredMail;
pub use return_day::return_day;
pub use ses::{Notification, parse_notification, parse_ses};
