//! The store the simulation runs on: the SQLite store (in memory) or, with the `dynamo` feature, the
//! DynamoDB store on the local stand-in (moto at `KINDLY_MOTO_URL`). One enum rather than a type parameter
//! through the whole simulation.

use chrono::{DateTime, NaiveDate, Utc};
use kindly_core::answer::{Answer, AnswerId};
use kindly_core::instalments::{PaymentPlan, PlanId};
use kindly_core::invoice::DunningProgress;
use kindly_core::{
    CoreError, Customer, CustomerId, Inserted, Invoice, InvoiceId, Reminder, ReminderId, ReminderStatus, Store,
};
use kindly_local::sqlite_store::SqliteStore;

pub enum Backend {
    Sqlite(SqliteStore),
    #[cfg(feature = "dynamo")]
    Dynamo(kindly_aws::DynamoStore),
}

/// Which store to simulate on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Sqlite,
    /// The DynamoDB store on the stand-in (needs the `dynamo` feature and `KINDLY_MOTO_URL`).
    Dynamo,
}

impl Backend {
    /// A fresh, empty store of `kind`. DynamoDB needs a Tokio runtime to run in: `runtime`.
    pub fn fresh(kind: Kind, runtime: Option<&tokio_runtime::Runtime>) -> Backend {
        match kind {
            Kind::Sqlite => Backend::Sqlite(SqliteStore::in_memory().expect("an in-memory SQLite database opens")),
            #[cfg(feature = "dynamo")]
            Kind::Dynamo => {
                let runtime = runtime.expect("the DynamoDB store runs on a Tokio runtime");
                Backend::Dynamo(runtime.block_on(kindly_aws::stand_in::fresh_store(4)))
            }
            #[cfg(not(feature = "dynamo"))]
            Kind::Dynamo => {
                let _ = runtime;
                panic!("the DynamoDB stand-in needs kindly-sim built with --features dynamo")
            }
        }
    }
}

/// The runtime type, or a stand-in without the feature (never built then).
#[cfg(feature = "dynamo")]
pub use tokio::runtime as tokio_runtime;
#[cfg(not(feature = "dynamo"))]
pub mod tokio_runtime {
    /// Without the `dynamo` feature nothing needs a Tokio runtime.
    pub enum Runtime {}
}

macro_rules! each {
    ($self:ident, $store:ident => $call:expr) => {
        match $self {
            Backend::Sqlite($store) => $call,
            #[cfg(feature = "dynamo")]
            Backend::Dynamo($store) => $call,
        }
    };
}

impl Store for Backend {
    async fn put_customer(&self, customer: &Customer) -> Result<(), CoreError> {
        each!(self, store => store.put_customer(customer).await)
    }
    async fn customer(&self, id: &CustomerId) -> Result<Option<Customer>, CoreError> {
        each!(self, store => store.customer(id).await)
    }
    async fn customers(&self, ids: &[CustomerId]) -> Result<Vec<Customer>, CoreError> {
        each!(self, store => store.customers(ids).await)
    }
    async fn put_invoice(&self, invoice: &Invoice) -> Result<(), CoreError> {
        each!(self, store => store.put_invoice(invoice).await)
    }
    async fn replace_invoice(&self, invoice: &Invoice, expected: Option<u64>) -> Result<(), CoreError> {
        each!(self, store => store.replace_invoice(invoice, expected).await)
    }
    async fn invoice(&self, id: &InvoiceId) -> Result<Option<Invoice>, CoreError> {
        each!(self, store => store.invoice(id).await)
    }
    async fn invoices(&self, ids: &[InvoiceId]) -> Result<Vec<Invoice>, CoreError> {
        each!(self, store => store.invoices(ids).await)
    }
    async fn invoices_of_customer(&self, id: &CustomerId) -> Result<Vec<Invoice>, CoreError> {
        each!(self, store => store.invoices_of_customer(id).await)
    }
    async fn invoice_id_by_payment_reference(&self, reference: &str) -> Result<Option<InvoiceId>, CoreError> {
        each!(self, store => store.invoice_id_by_payment_reference(reference).await)
    }
    async fn invoices_needing_action(&self, day: NaiveDate) -> Result<Vec<Invoice>, CoreError> {
        each!(self, store => store.invoices_needing_action(day).await)
    }
    async fn unsettled_invoices(&self) -> Result<Vec<Invoice>, CoreError> {
        each!(self, store => store.unsettled_invoices().await)
    }
    async fn invoices_issued_since(&self, day: NaiveDate) -> Result<Vec<Invoice>, CoreError> {
        each!(self, store => store.invoices_issued_since(day).await)
    }
    async fn insert_reminder(&self, reminder: &Reminder) -> Result<Inserted, CoreError> {
        each!(self, store => store.insert_reminder(reminder).await)
    }
    async fn reminder(&self, id: &ReminderId) -> Result<Option<Reminder>, CoreError> {
        each!(self, store => store.reminder(id).await)
    }
    async fn reminders_with_status(&self, status: ReminderStatus) -> Result<Vec<Reminder>, CoreError> {
        each!(self, store => store.reminders_with_status(status).await)
    }
    async fn reminders_of_customer(&self, id: &CustomerId) -> Result<Vec<Reminder>, CoreError> {
        each!(self, store => store.reminders_of_customer(id).await)
    }
    async fn update_reminder(
        &self,
        reminder: &Reminder,
        expected: ReminderStatus,
        progress: &[(InvoiceId, DunningProgress)],
    ) -> Result<(), CoreError> {
        each!(self, store => store.update_reminder(reminder, expected, progress).await)
    }
    async fn update_reminders(&self, updates: &[(Reminder, ReminderStatus)]) -> Result<(), CoreError> {
        each!(self, store => store.update_reminders(updates).await)
    }
    async fn insert_answer(&self, answer: &Answer) -> Result<Inserted, CoreError> {
        each!(self, store => store.insert_answer(answer).await)
    }
    async fn answer(&self, id: &AnswerId) -> Result<Option<Answer>, CoreError> {
        each!(self, store => store.answer(id).await)
    }
    async fn replace_answer(&self, answer: &Answer, expected: u64) -> Result<(), CoreError> {
        each!(self, store => store.replace_answer(answer, expected).await)
    }
    async fn answers_of_customer(&self, id: &CustomerId) -> Result<Vec<Answer>, CoreError> {
        each!(self, store => store.answers_of_customer(id).await)
    }
    async fn answers_needing_staff(&self) -> Result<Vec<Answer>, CoreError> {
        each!(self, store => store.answers_needing_staff().await)
    }
    async fn answers_since(&self, since: DateTime<Utc>) -> Result<Vec<Answer>, CoreError> {
        each!(self, store => store.answers_since(since).await)
    }
    async fn insert_plan(&self, plan: &PaymentPlan) -> Result<Inserted, CoreError> {
        each!(self, store => store.insert_plan(plan).await)
    }
    async fn plan(&self, id: &PlanId) -> Result<Option<PaymentPlan>, CoreError> {
        each!(self, store => store.plan(id).await)
    }
    async fn replace_plan(&self, plan: &PaymentPlan, expected: u64) -> Result<(), CoreError> {
        each!(self, store => store.replace_plan(plan, expected).await)
    }
    async fn plans_of_customer(&self, id: &CustomerId) -> Result<Vec<PaymentPlan>, CoreError> {
        each!(self, store => store.plans_of_customer(id).await)
    }
    async fn plans_due(&self, day: NaiveDate) -> Result<Vec<PaymentPlan>, CoreError> {
        each!(self, store => store.plans_due(day).await)
    }
    async fn event_recorded(&self, id: &str, now: DateTime<Utc>) -> Result<bool, CoreError> {
        each!(self, store => store.event_recorded(id, now).await)
    }
    async fn record_event(
        &self,
        id: &str,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Inserted, CoreError> {
        each!(self, store => store.record_event(id, expires_at, now).await)
    }
}
