//! The staff API's wire shapes: every JSON body the page sends and every answer it gets, one struct each.
//! `functions/web/README.md` documents them; `tests/readme_shapes/` holds that text to these structs, so
//! a field added on one side only fails the build's tests. Request bodies refuse unknown fields, so a typo
//! is a 400 naming it rather than a value silently dropped. (Request bodies also derive `Serialize`, for that
//! test and for clients written in Rust.)

use chrono::{DateTime, NaiveDate, Utc};
use kindly_core::{ContractRemedy, Currency, InvoiceStatus, ReminderStatus, Tone};
use kindly_render::{Mailbox, MessageContext};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// `GET /api/session`: who is signed in.
#[derive(Debug, Serialize, Deserialize)]
pub struct Session {
    /// The name approvals and skips are recorded under.
    pub approver: String,
}

/// A customer as lists name it.
#[derive(Debug, Serialize, Deserialize)]
pub struct CustomerRef {
    pub id: String,
    /// The customer's display name.
    pub name: String,
}

/// `GET /api/drafts`: the drafts the filters let through, and every value the filters can take.
#[derive(Debug, Serialize)]
pub struct DraftList {
    pub drafts: Vec<DraftSummary>,
    /// The stages of every pending draft, filtered or not.
    pub stages: BTreeSet<String>,
    /// The currencies of every pending draft's invoices.
    pub currencies: BTreeSet<String>,
    /// The customers with a pending draft, by name.
    pub customers: Vec<CustomerRef>,
}

/// One draft as the list shows it.
#[derive(Debug, Serialize)]
pub struct DraftSummary {
    pub id: String,
    pub status: ReminderStatus,
    pub stage_id: String,
    pub tone: Tone,
    /// The day the pass planned it for.
    pub planned_for: NaiveDate,
    pub created_at: DateTime<Utc>,
    pub customer: CustomerRef,
    /// The subject line the draft renders to.
    pub subject: String,
    /// The hash of the content listed: "approve all" approves exactly what the list showed.
    pub content_hash: Option<String>,
    pub to: Vec<Mailbox>,
    pub cc: Vec<Mailbox>,
    /// The open balance per currency, formatted for the customer's locale.
    pub totals: Vec<String>,
    /// The currencies of the covered invoices.
    pub currencies: BTreeSet<String>,
    pub max_days_overdue: i64,
    pub invoices: Vec<InvoiceLine>,
}

/// A covered invoice as the message shows it (amounts and dates formatted for the customer).
#[derive(Debug, Serialize)]
pub struct InvoiceLine {
    pub number: String,
    pub total: String,
    pub balance: String,
    pub due_date: String,
    /// Negative before the due date.
    pub days_overdue: i64,
}

/// `GET /api/drafts/{id}`: one draft with what the page renders it from.
#[derive(Debug, Serialize)]
pub struct DraftDetail {
    pub draft: DraftSummary,
    /// What `render()` takes; the page renders its preview from it with the WASM renderer.
    pub context: MessageContext,
    /// The server's hash of the stored context, with no note typed yet.
    pub content_hash: String,
    /// The server's own native render, for tests and for comparing.
    pub server_render: ServerRender,
    /// The customer's other reminders, newest first.
    pub earlier: Vec<ReminderBrief>,
    pub history: Vec<Step>,
}

/// A message as the server renders it.
#[derive(Debug, Serialize)]
pub struct ServerRender {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// A reminder in one line: stage, outcome, when, and the last reason recorded.
#[derive(Debug, Serialize)]
pub struct ReminderBrief {
    pub id: String,
    pub stage_id: String,
    pub status: ReminderStatus,
    pub planned_for: NaiveDate,
    pub sent_on: Option<NaiveDate>,
    /// The last note in its history, else why sending failed.
    pub note: Option<String>,
}

/// One step in a reminder's history.
#[derive(Debug, Serialize)]
pub struct Step {
    pub reminder_id: String,
    pub at: DateTime<Utc>,
    /// A person's name, or kindly itself.
    pub by: String,
    pub from: ReminderStatus,
    pub to: ReminderStatus,
    pub note: Option<String>,
}

/// `POST /api/drafts/{id}/check`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckBody {
    /// The note as typed; the server stores and renders it the way `kindly_render::personal_note` does.
    pub personal_note: Option<String>,
}

/// The answer to a check: the server's native render hash for the note sent.
#[derive(Debug, Serialize)]
pub struct Checked {
    pub content_hash: String,
}

/// `POST /api/drafts/{id}/approve`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApproveBody {
    /// The hash of what the browser rendered; the server approves only if its own render is equal.
    pub content_hash: String,
    #[serde(default)]
    pub personal_note: Option<String>,
}

/// The answer to an approval.
#[derive(Debug, Serialize)]
pub struct Approved {
    pub id: String,
    pub status: ReminderStatus,
    pub approved_by: String,
    /// The hash approved, which the sender checks again before sending.
    pub content_hash: Option<String>,
}

/// `POST /api/drafts/{id}/skip`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SkipBody {
    #[serde(default)]
    pub reason: Option<String>,
}

/// A reminder's new status: the answer to a skip or a resolution.
#[derive(Debug, Serialize, Deserialize)]
pub struct StatusChange {
    pub id: String,
    pub status: ReminderStatus,
}

/// `POST /api/drafts/{id}/snooze`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SnoozeBody {
    /// The day the customer's reminders may start again.
    pub until: NaiveDate,
    #[serde(default)]
    pub reason: Option<String>,
}

/// The answer to a snooze.
#[derive(Debug, Serialize)]
pub struct Snoozed {
    pub id: String,
    pub status: ReminderStatus,
    pub until: NaiveDate,
}

/// `POST /api/drafts/approve-all`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApproveAllBody {
    pub items: Vec<ApproveItem>,
}

/// One draft of a set, bound to the hash the list showed.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApproveItem {
    pub id: String,
    pub content_hash: String,
}

/// The answer to approving a set: every id, approved together.
#[derive(Debug, Serialize)]
pub struct ApprovedSet {
    pub approved: Vec<String>,
}

/// A draft of a set that is no longer what the list showed (in a `409`'s `stale`).
#[derive(Debug, Serialize)]
pub struct StaleDraft {
    pub id: String,
    pub reason: String,
}

/// `GET /api/customers/{id}/history`: the customer's audit trail.
#[derive(Debug, Serialize)]
pub struct CustomerHistory {
    pub customer: CustomerDetail,
    pub invoices: Vec<InvoiceRecord>,
    /// Every reminder, oldest first.
    pub reminders: Vec<ReminderRecord>,
}

/// The customer at the head of a history.
#[derive(Debug, Serialize)]
pub struct CustomerDetail {
    pub id: String,
    pub name: String,
    pub locale: String,
    /// An IANA zone name, e.g. `Europe/Berlin`.
    pub time_zone: String,
}

/// An invoice as kindly holds it, with its ladder progress.
#[derive(Debug, Serialize)]
pub struct InvoiceRecord {
    pub id: String,
    pub number: String,
    /// ISO 4217.
    pub currency: String,
    pub total: Decimal,
    pub paid: Decimal,
    pub balance: Decimal,
    pub due_date: NaiveDate,
    pub status: InvoiceStatus,
    /// The last stage a reminder about it was sent for.
    pub last_stage: Option<String>,
    pub snoozed_until: Option<NaiveDate>,
}

/// A reminder in a history: its line, who approved what, and every step.
#[derive(Debug, Serialize)]
pub struct ReminderRecord {
    #[serde(flatten)]
    pub brief: ReminderBrief,
    pub approval: Option<ApprovalView>,
    pub history: Vec<Step>,
}

/// Who approved a reminder, when, and the hash they approved.
#[derive(Debug, Serialize)]
pub struct ApprovalView {
    pub by: String,
    pub at: DateTime<Utc>,
    pub content_hash: String,
}

/// `PUT /api/invoices/{id}`: an invoice as the accounting system sends it, the facts only. Its id is the
/// path's; kindly's own records (ladder progress, bookkeeping) are kept from the stored copy.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InvoiceBody {
    pub number: String,
    pub customer_id: String,
    pub currency: Currency,
    pub total: Decimal,
    #[serde(default)]
    pub paid: Decimal,
    pub issue_date: NaiveDate,
    pub due_date: NaiveDate,
    #[serde(default = "open")]
    pub status: InvoiceStatus,
    #[serde(default)]
    pub payment_link: Option<String>,
    #[serde(default)]
    pub po_number: Option<String>,
    /// The invoice's own remedy for late payment, over the customer's contract terms.
    #[serde(default)]
    pub late_fee: Option<ContractRemedy>,
    /// The payment processor's id for the invoice (e.g. Stripe's `in_…`).
    #[serde(default)]
    pub payment_reference: Option<String>,
    /// The processor's payments `paid` already counts, by payment id (e.g. `pi_…`), with the amount counted.
    #[serde(default)]
    pub processor_payments: BTreeMap<String, Decimal>,
    /// Early-payment terms, e.g. `{"percent": "2", "within_days": 10}` (2/10); without them, the customer's
    /// contract terms when kindly first stores the invoice.
    #[serde(default)]
    pub early_payment: Option<kindly_core::DiscountTerms>,
}

fn open() -> InvoiceStatus {
    InvoiceStatus::Open
}

/// The answer to a `PUT` of a customer or an invoice.
#[derive(Debug, Serialize)]
pub struct Ingested {
    pub id: String,
    /// The waiting reminders the change voided (they are planned again).
    pub voided: Vec<String>,
}

/// `GET /api/failed`, oldest failure first.
#[derive(Debug, Serialize, Deserialize)]
pub struct FailedList {
    pub failed: Vec<FailedReminder>,
}

/// One failed reminder: whom it was for, what it covered, and when and why sending it failed.
#[derive(Debug, Serialize, Deserialize)]
pub struct FailedReminder {
    pub id: String,
    pub customer: CustomerRef,
    pub stage_id: String,
    /// The covered invoices' numbers.
    pub invoices: Vec<String>,
    pub failed_at: Option<DateTime<Utc>>,
    pub reason: Option<String>,
}

/// `POST /api/reminders/{id}/resolve`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResolveBody {
    /// True: it went out after all (recorded as sent); false: it did not (cancelled, planned again).
    pub went_out: bool,
    #[serde(default)]
    pub note: Option<String>,
}

/// `GET /api/tasks`: what waits for a person, oldest first, and the answers people settled lately.
#[derive(Debug, Serialize, Deserialize)]
pub struct TaskList {
    pub open: Vec<TaskView>,
    /// Answers settled by a person in the last 14 days, newest first.
    pub done: Vec<TaskView>,
}

/// One task: a customer's answer, a manual task, or a failed send.
#[derive(Debug, Serialize, Deserialize)]
pub struct TaskView {
    /// The answer's (`ans_…`) or the reminder's (`rem_…`) id.
    pub id: String,
    /// `answer`, `manual`, `failed`, `undelivered` or `decision` (the ladder's last step).
    pub kind: String,
    /// The answer's kind (`already_paid`, `dispute`, `wrong_person`) or the reminder's stage.
    pub topic: String,
    pub customer: CustomerRef,
    /// The invoices' numbers.
    pub invoices: Vec<String>,
    /// What the customer said, the task's text, or why sending failed.
    pub text: String,
    pub since: DateTime<Utc>,
    /// The decisions `POST /api/tasks/{id}` takes for it now (none once done).
    pub actions: Vec<String>,
    pub done: Option<TaskDoneView>,
}

/// Who did a task, when, and what came of it.
#[derive(Debug, Serialize, Deserialize)]
pub struct TaskDoneView {
    pub by: String,
    pub at: DateTime<Utc>,
    /// The answer's new state or the reminder's new status (`done` for a manual task).
    pub outcome: String,
    pub note: Option<String>,
}

/// `POST /api/tasks/{id}`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskBody {
    /// One of the task's `actions`.
    pub decision: String,
    /// Why: needed to reject, optional to uphold a dispute or resolve a failure, refused elsewhere.
    #[serde(default)]
    pub reason: Option<String>,
    /// The address to write to instead: needed to fix a contact (`fix_contact`), refused elsewhere.
    #[serde(default)]
    pub email: Option<String>,
    /// The day to chase again from (`YYYY-MM-DD`): needed to keep chasing (`keep_chasing`), refused elsewhere.
    #[serde(default)]
    pub until: Option<chrono::NaiveDate>,
}

/// `GET /api/customers/{id}/timeline`: newest first.
#[derive(Debug, Serialize, Deserialize)]
pub struct Timeline {
    pub customer: CustomerRef,
    pub entries: Vec<TimelineEntry>,
}

/// One thing that happened with a customer.
#[derive(Debug, Serialize, Deserialize)]
pub struct TimelineEntry {
    pub at: DateTime<Utc>,
    /// `message`, `answer`, `task`, `payment` or `note`.
    pub kind: String,
    pub title: String,
    pub text: String,
    pub state: Option<String>,
    /// A person's name, or kindly; none for what the customer did.
    pub by: Option<String>,
    pub invoices: Vec<String>,
    /// The answer's, reminder's or invoice's id.
    pub id: String,
}

/// `GET /api/reports/reasons?months=N`.
#[derive(Debug, Serialize, Deserialize)]
pub struct ReasonsView {
    /// Oldest first.
    pub months: Vec<MonthView>,
    /// Most broken promises first.
    pub customers: Vec<PromisesView>,
}

/// One month of customers' answers.
#[derive(Debug, Serialize, Deserialize)]
pub struct MonthView {
    /// `YYYY-MM`.
    pub month: String,
    pub already_paid: u32,
    /// By category: `amount`, `not_received`, `missing_po`, `duplicate`, `other`.
    pub disputes: BTreeMap<String, u32>,
    pub promise: u32,
    pub wrong_person: u32,
    pub confirm_receipt: u32,
    pub promises_kept: u32,
    pub promises_broken: u32,
    pub first_answers: u32,
    pub median_days_to_first_answer: Option<f64>,
}

/// One customer's promises in the period.
#[derive(Debug, Serialize, Deserialize)]
pub struct PromisesView {
    pub customer: CustomerRef,
    pub kept: u32,
    pub broken: u32,
    pub open: u32,
}

#[path = "wire_reports.rs"]
mod reports;
pub use reports::*;
