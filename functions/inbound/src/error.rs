//! The one error of the crate: what in the input could not be read, named so that whoever looks at the
//! dead-letter queue or the log sees which field or header to look at.

use thiserror::Error;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum InboundError {
    /// The body is not JSON at all (a truncated message, a wrong queue).
    #[error("not JSON: {0}")]
    NotJson(String),
    /// JSON, but not in the documented shape: `at` is the path of the object or field that did not fit
    /// (`.` for the top level).
    #[error("{what}, at `{at}`: {reason}")]
    Shape {
        what: &'static str,
        at: String,
        reason: String,
    },
    /// A field the record needs is absent, by its path: `bounce.bounceType`, or `bounce` in a `Bounce`
    /// event.
    #[error("{what}: field `{field}` missing")]
    Missing { what: &'static str, field: String },
    /// An SNS message that is not a notification (a subscription confirmation reaching the queue).
    #[error("SNS message of type `{0}` is not a notification")]
    NotANotification(String),
    /// The bytes hold no mail header at all.
    #[error("not a mail message: no header found")]
    NotMail,
    /// A header the message needs is absent or unreadable.
    #[error("mail without a readable `{0}` header")]
    MissingHeader(&'static str),
    /// A report (`multipart/report`) lacks the part that carries its facts.
    #[error("{report} without a `{part}` part")]
    MissingPart { report: &'static str, part: &'static str },
    /// A delivery report whose status part names no recipient.
    #[error("delivery report names no recipient")]
    NoRecipient,
}
