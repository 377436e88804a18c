//! The AWS actions the `approvals` and `webhook` functions call, declared beside the code. The SAM template
//! grants each function exactly its list; `infra/tests` hold the template, the code's calls and what each
//! function is seen to call against the stand-in to these lists.

/// `approvals`: drafts by status and a customer's history (Query), one reminder or customer (GetItem),
/// the invoices and customers a draft covers (BatchGetItem), approvals, ingest and re-planned drafts
/// (conditional PutItem); skipping or snoozing also moves the invoices' ladder in one transaction
/// (TransactWriteItems, which IAM checks as PutItem and UpdateItem); the keys of customers' page links,
/// once at start-up, to sign the links in re-planned drafts and verify them on the pages (GetSecretValue).
/// The receivables reports read the invoices they need by a filtered scan of the table (Scan): occasional
/// reads a person asks for, never the daily pass.
pub const APPROVALS: &[&str] = &[
    "dynamodb:BatchGetItem",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:Query",
    "dynamodb:Scan",
    "dynamodb:UpdateItem",
    "secretsmanager:GetSecretValue",
];

/// `webhook`: the event ledger, the invoice and its payment reference (GetItem, PutItem), voiding and
/// re-planning the customer's waiting reminders (Query, BatchGetItem, PutItem); Stripe's signing secrets
/// and the keys of customers' page links, once at start-up (GetSecretValue).
pub const WEBHOOK: &[&str] = &[
    "dynamodb:BatchGetItem",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:Query",
    "secretsmanager:GetSecretValue",
];
