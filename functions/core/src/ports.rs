//! The ports: what the core needs from the outside world, as narrow traits. The embedded SQLite store
//! and file outbox (local), and the DynamoDB store and SES mailer (AWS), sit behind the same traits and
//! pass the same conformance suite.

use crate::answer::{Answer, AnswerId};
use crate::customer::{Customer, CustomerId};
use crate::error::CoreError;
use crate::instalments::{PaymentPlan, PlanId};
use crate::invoice::{DunningProgress, Invoice, InvoiceId, InvoiceStatus};
use crate::reminder::{Reminder, ReminderId};
use crate::status::ReminderStatus;
use chrono::{DateTime, NaiveDate, Utc};
use std::future::Future;

/// The outcome of inserting a reminder: inserting the same id twice is not an error, it is how
/// overlapping passes find out the work is already done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inserted {
    New,
    AlreadyExists,
}

/// The day an invoice stands in the stores' action index ([`Store::invoices_needing_action`]), if it belongs
/// there at all: open invoices on their next stage's day, payment-pending ones on the day kindly stops
/// waiting for the payment ([`crate::policy::Policy::next_action_on`]); nothing else, whatever its ladder
/// progress says, so a settled invoice costs the daily pass nothing.
pub fn action_index_day(status: InvoiceStatus, progress: &DunningProgress) -> Option<NaiveDate> {
    matches!(status, InvoiceStatus::Open | InvoiceStatus::PaymentPending)
        .then_some(progress.next_action_on)
        .flatten()
}

/// The most reminders [`Store::update_reminders`] changes in one atomic step (DynamoDB's limit on a
/// transaction's items).
pub const MAX_BATCH: usize = 100;

/// Where customers, invoices and reminders live. Every state change is conditional.
pub trait Store: Send + Sync {
    /// Create or replace a customer.
    fn put_customer(&self, customer: &Customer) -> impl Future<Output = Result<(), CoreError>> + Send;
    fn customer(&self, id: &CustomerId) -> impl Future<Output = Result<Option<Customer>, CoreError>> + Send;
    /// The customers that exist among `ids`, in any order.
    fn customers(&self, ids: &[CustomerId]) -> impl Future<Output = Result<Vec<Customer>, CoreError>> + Send;

    /// Create or replace an invoice, its dunning progress included; indexes it by
    /// `dunning.next_action_on` while it is open.
    fn put_invoice(&self, invoice: &Invoice) -> impl Future<Output = Result<(), CoreError>> + Send;
    /// Replace an invoice whole if, and only if, the stored one is still at revision `expected` (`None`:
    /// only if there is none); [`CoreError::Conflict`] otherwise. The invoice carries its new revision.
    fn replace_invoice(
        &self,
        invoice: &Invoice,
        expected: Option<u64>,
    ) -> impl Future<Output = Result<(), CoreError>> + Send;
    fn invoice(&self, id: &InvoiceId) -> impl Future<Output = Result<Option<Invoice>, CoreError>> + Send;
    /// The invoices that exist among `ids`, in any order.
    fn invoices(&self, ids: &[InvoiceId]) -> impl Future<Output = Result<Vec<Invoice>, CoreError>> + Send;
    fn invoices_of_customer(&self, id: &CustomerId) -> impl Future<Output = Result<Vec<Invoice>, CoreError>> + Send;
    /// The id of the invoice whose `payment_reference` is `reference` (written with the invoice by
    /// `put_invoice` and `replace_invoice`). Only the id: whoever changes the invoice reads it fresh.
    fn invoice_id_by_payment_reference(
        &self,
        reference: &str,
    ) -> impl Future<Output = Result<Option<InvoiceId>, CoreError>> + Send;
    /// Invoices in the action index ([`action_index_day`]) whose next action falls on or before `day`. Must cost in proportion to the answer,
    /// not to the number of invoices stored: this is the daily pass's only wide read.
    fn invoices_needing_action(&self, day: NaiveDate) -> impl Future<Output = Result<Vec<Invoice>, CoreError>> + Send;
    /// Every invoice that is not paid or void (for reports): those still owed, and those written off or
    /// handed over, which the reports count apart.
    fn unsettled_invoices(&self) -> impl Future<Output = Result<Vec<Invoice>, CoreError>> + Send;
    /// Every invoice issued on or after `day`, whatever its status (for the month-by-month reports, which
    /// need the sales and what was paid when). An occasional report's read: it may cost in proportion to
    /// every invoice stored.
    fn invoices_issued_since(&self, day: NaiveDate) -> impl Future<Output = Result<Vec<Invoice>, CoreError>> + Send;

    /// Insert a reminder unless one with its id exists (conditional put).
    fn insert_reminder(&self, reminder: &Reminder) -> impl Future<Output = Result<Inserted, CoreError>> + Send;
    fn reminder(&self, id: &ReminderId) -> impl Future<Output = Result<Option<Reminder>, CoreError>> + Send;
    fn reminders_with_status(
        &self,
        status: ReminderStatus,
    ) -> impl Future<Output = Result<Vec<Reminder>, CoreError>> + Send;
    fn reminders_of_customer(&self, id: &CustomerId) -> impl Future<Output = Result<Vec<Reminder>, CoreError>> + Send;
    /// Replace a reminder if, and only if, its stored status is still `expected` and its stored history is
    /// shorter than `reminder`'s ([`CoreError::Conflict`] otherwise): every change appends to the history,
    /// so its length is the reminder's version, and a copy read before the reminder was voided and planned
    /// again (back in the same status, with other content) cannot overwrite it. In the same atomic step, set the dunning progress of the
    /// given invoices. Only the progress is written — never status or amounts, which a payment may be
    /// changing at the same moment — and an invoice that is no longer open stays out of the action index.
    /// Each such invoice's revision moves on, so a concurrent [`Store::replace_invoice`] fails and re-reads.
    fn update_reminder(
        &self,
        reminder: &Reminder,
        expected: ReminderStatus,
        progress: &[(InvoiceId, DunningProgress)],
    ) -> impl Future<Output = Result<(), CoreError>> + Send;

    /// Replace several reminders at once, all or nothing: each if, and only if, its stored status is still
    /// the one given and its stored history shorter (as [`Store::update_reminder`]); otherwise [`CoreError::Conflict`] and nothing changes. At most [`MAX_BATCH`] at a time.
    fn update_reminders(
        &self,
        updates: &[(Reminder, ReminderStatus)],
    ) -> impl Future<Output = Result<(), CoreError>> + Send;

    /// Insert a customer's answer unless one with its id exists (conditional put): a form submitted twice
    /// records once.
    fn insert_answer(&self, answer: &Answer) -> impl Future<Output = Result<Inserted, CoreError>> + Send;
    fn answer(&self, id: &AnswerId) -> impl Future<Output = Result<Option<Answer>, CoreError>> + Send;
    /// Replace an answer if, and only if, the stored one is still at revision `expected`
    /// ([`CoreError::Conflict`] otherwise). The answer carries its new revision.
    fn replace_answer(&self, answer: &Answer, expected: u64) -> impl Future<Output = Result<(), CoreError>> + Send;
    /// A customer's answers, oldest first (read by the customer's key).
    fn answers_of_customer(&self, id: &CustomerId) -> impl Future<Output = Result<Vec<Answer>, CoreError>> + Send;
    /// The answers a person must act on ([`Answer::needs_staff`]), oldest first: an index of those only.
    fn answers_needing_staff(&self) -> impl Future<Output = Result<Vec<Answer>, CoreError>> + Send;
    /// Every answer given at or after `since`, oldest first (for the reasons report): by an index on time.
    fn answers_since(&self, since: DateTime<Utc>) -> impl Future<Output = Result<Vec<Answer>, CoreError>> + Send;

    /// Insert a payment plan unless one with its id exists (conditional put).
    fn insert_plan(&self, plan: &PaymentPlan) -> impl Future<Output = Result<Inserted, CoreError>> + Send;
    fn plan(&self, id: &PlanId) -> impl Future<Output = Result<Option<PaymentPlan>, CoreError>> + Send;
    /// Replace a plan if, and only if, the stored one is still at revision `expected`
    /// ([`CoreError::Conflict`] otherwise). The plan carries its new revision.
    fn replace_plan(&self, plan: &PaymentPlan, expected: u64) -> impl Future<Output = Result<(), CoreError>> + Send;
    /// A customer's plans, oldest first (read by the customer's key).
    fn plans_of_customer(&self, id: &CustomerId) -> impl Future<Output = Result<Vec<PaymentPlan>, CoreError>> + Send;
    /// The plans whose next check falls on or before `day`, oldest first: an index of running plans only,
    /// so its cost follows the plans that need a look, not all plans ever made.
    fn plans_due(&self, day: NaiveDate) -> impl Future<Output = Result<Vec<PaymentPlan>, CoreError>> + Send;

    /// Whether a payment processor's event with this id was recorded and has not expired by `now`.
    fn event_recorded(&self, id: &str, now: DateTime<Utc>) -> impl Future<Output = Result<bool, CoreError>> + Send;
    /// Record a processor event as handled until `expires_at` (a ledger with a time to live); an entry
    /// expired by `now` counts as absent.
    fn record_event(
        &self,
        id: &str,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Inserted, CoreError>> + Send;
}

/// An email ready for the mailer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingEmail {
    /// The reminder id: sending the same key twice must not deliver twice.
    pub idempotency_key: String,
    pub from: kindly_render::Mailbox,
    pub reply_to: Option<kindly_render::Mailbox>,
    pub to: Vec<kindly_render::Mailbox>,
    pub cc: Vec<kindly_render::Mailbox>,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// Name/value pairs for the provider's tracking (reminder id, stage, customer).
    pub tags: Vec<(String, String)>,
}

/// Sends email. Implementations must be idempotent on [`OutgoingEmail::idempotency_key`], and report
/// failures as [`CoreError::MailRejected`] (permanent) or [`CoreError::MailTemporary`] (retry later).
pub trait Mailer: Send + Sync {
    /// Send and return the provider's message id.
    fn send(&self, email: &OutgoingEmail) -> impl Future<Output = Result<String, CoreError>> + Send;

    /// Whether sending the same idempotency key again can never deliver twice. Only then is a send that
    /// was interrupted between claim and record retried; otherwise it is marked failed for a person to check.
    fn retries_are_safe(&self) -> bool {
        false
    }

    /// How many reminders a send run works on at once. A provider with a rate limit and network latency
    /// needs several in flight to reach its rate; its own pacing keeps them under it.
    fn concurrent_sends(&self) -> usize {
        1
    }
}
