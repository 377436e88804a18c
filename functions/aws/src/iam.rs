//! The AWS actions the `scan`, `send` and `events` functions call, declared beside the code that calls them. The SAM
//! template grants each function exactly its list; `infra/tests` hold the template, this crate's calls and
//! what each function is seen to call against the stand-in to these lists.

/// `scan`: the due index and the customer index (Query), the customers of the due invoices
/// (BatchGetItem), a draft already there (GetItem), new and revived drafts (conditional PutItem). Its
/// send rate is configured, so its start-up never asks SES for one. Like every function, it reads the keys
/// of customers' page links once at start-up (GetSecretValue, [`crate::links`]).
pub const SCAN: &[&str] = &[
    "dynamodb:BatchGetItem",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:Query",
    "secretsmanager:GetSecretValue",
];

/// `send`: approved reminders by status (Query), the claim and outcomes (conditional PutItem), the
/// customer and the invoices re-read before sending (GetItem, BatchGetItem); recording a send also moves
/// the invoices' ladder in one transaction (TransactWriteItems, which IAM checks as PutItem and
/// UpdateItem). SES: the account's send rate at start-up (GetAccount) and the messages (SendEmail). The
/// link keys at start-up (GetSecretValue): a send-time cancel plans the customer again. After the sends,
/// replies the events function could not forward are forwarded (the ledger: GetItem, PutItem; replies
/// waiting for staff: Query).
pub const SEND: &[&str] = &[
    "dynamodb:BatchGetItem",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:Query",
    "dynamodb:UpdateItem",
    "secretsmanager:GetSecretValue",
    "ses:GetAccount",
    "ses:SendEmail",
];

/// `events`: a notification's reminder and customer (GetItem), the event ledger (GetItem, conditional
/// PutItem), the reminder's new status with its invoices' ladder (TransactWriteItems: PutItem and
/// UpdateItem), the customer's blocked address (PutItem), a reply as an answer (PutItem), the customer's
/// reminders and answers (Query) and invoices (BatchGetItem), voided drafts and the customer planned again
/// (PutItem, Query). The link keys at start-up (GetSecretValue): planning again composes messages and
/// verifies reply addresses. A received reply is read from the replies bucket (GetObject) and forwarded
/// to the billing mailbox (SendEmail; its rate is fixed, so never GetAccount), its forward entered in the
/// ledger and the replies waiting for staff found by their index (PutItem, GetItem, Query).
pub const EVENTS: &[&str] = &[
    "dynamodb:BatchGetItem",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:Query",
    "dynamodb:UpdateItem",
    "s3:GetObject",
    "secretsmanager:GetSecretValue",
    "ses:SendEmail",
];

/// Functions of this crate that call AWS but never run in a Lambda, so no policy grants what they call:
/// the table's set-up for tests and local runs, and the benchmarks' bulk load and full-table read. (The
/// reports' filtered scans run in the `approvals` function, which declares Scan.)
pub const NOT_ON_LAMBDA: &[&str] = &["create_table", "put_invoices", "scan_everything"];
