//! The one error type of the core crate.

use crate::status::ReminderStatus;

/// Everything the core can refuse, and what the ports report. Adapters map their SDK errors into the
/// port variants (`Conflict`, `Store`, `MailRejected`, `MailTemporary`, `MailUnknown`) so services can act on the kind.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error("unknown currency code `{0}` (expected an ISO 4217 code such as USD, EUR or JPY)")]
    UnknownCurrency(String),
    #[error("unknown country code `{0}` (expected an ISO 3166-1 alpha-2 code such as GB, DE or US)")]
    UnknownCountry(String),
    #[error("policy: stage `{stage}`: {rule}")]
    PolicyStage { stage: String, rule: String },
    #[error("policy: {0}")]
    Policy(String),
    #[error("policy file is not valid TOML: {0}")]
    PolicySyntax(String),
    #[error("reminder {id}: cannot go from {from} to {to}")]
    IllegalTransition {
        id: String,
        from: ReminderStatus,
        to: ReminderStatus,
    },
    #[error("{record} `{id}`: field `{field}`: {problem}")]
    InvalidField {
        record: &'static str,
        id: String,
        field: &'static str,
        problem: String,
    },
    /// A conditional write found another state than it expected: someone else got there first.
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("{what} `{id}` not found")]
    NotFound { what: &'static str, id: String },
    /// The store's backend failed (I/O, throttling, a corrupt record...).
    #[error("store: {0}")]
    Store(String),
    /// The mail provider refused the message for good (bad address, rejected content): do not retry.
    #[error("mail rejected: {0}")]
    MailRejected(String),
    /// Throttling, or a refusal before the provider took the message: try again later.
    #[error("mail temporarily failed: {0}")]
    MailTemporary(String),
    /// The provider may have taken the message without saying so (a timeout or a dropped connection after
    /// the request left): sending again could deliver twice, so a person checks instead.
    #[error("mail outcome unknown: {0}")]
    MailUnknown(String),
    /// An approval names other content than the server renders now.
    #[error("reminder {id}: the approved content hash {approved} does not match the current render {current}")]
    StaleApproval {
        id: String,
        approved: String,
        current: String,
    },
    #[error("reminder {id} is {status}; {action} needs it {needed}")]
    WrongStatus {
        id: String,
        status: ReminderStatus,
        action: &'static str,
        needed: &'static str,
    },
    /// Too many requests from one party in a while (a customer's answers): try again later.
    #[error("too many: {0}")]
    TooMany(String),
    #[error("render failed: {0}")]
    Render(#[from] kindly_render::RenderError),
}
