//! A store that meddles with a send at one moment, and a mailer that keeps what it is given.

use crate::actor::Actor;
use crate::answer::{Answer, AnswerId};
use crate::customer::{Customer, CustomerId};
use crate::error::CoreError;
use crate::fixtures::instant;
use crate::instalments::{PaymentPlan, PlanId};
use crate::invoice::{DunningProgress, Invoice, InvoiceId};
use crate::ports::{Inserted, Store};
use crate::reminder::{Reminder, ReminderId};
use crate::status::ReminderStatus;
use chrono::{DateTime, NaiveDate, Utc};

/// When something meddles with a send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Moment {
    /// Right after the sender read the invoices to judge the reminder, before its claim: a payment lands.
    AfterJudging,
    /// Right after the sender's claim, before its last look at the invoices: a payment lands.
    AfterClaim,
    /// The sender's first write recording a message as sent meets a conflict (a transaction conflict with
    /// a write to one of its invoices) and writes nothing.
    RecordingSent,
    /// Just before a set of approvals is written, another approver skips the set's last draft.
    ApprovingASet,
    /// Just before the planner cancels a draft it replaces, staff approve that draft and a sender claims it.
    Superseding,
    /// Just before the sender's claim is written, the accounting system adds a PO number to the first
    /// invoice: the reminder is voided and approved again with the new content, back in the status the
    /// sender's claim expects.
    ReplacedBeforeClaim,
    /// The first entry in the event ledger is not written: the invocation crashed after its effects.
    RecordingEvent,
    /// Just before a waiting draft is voided, another writer notes a line in its history: the void meets
    /// a conflict, and the draft still waits.
    Voiding,
}

/// Delegates to a store, and meddles once, at `moment` in the sender's work.
pub(super) struct Meddling<'a, S> {
    pub(super) inner: &'a S,
    pub(super) moment: Moment,
    pub(super) armed: std::sync::atomic::AtomicBool,
    /// The payment that lands, for the moments a payment lands at.
    pub(super) pay: Option<crate::payment::PaymentEvent>,
}

impl<'a, S: Store> Meddling<'a, S> {
    /// A store that meddles once at `moment`, with no payment to land.
    pub(super) fn at(inner: &'a S, moment: Moment) -> Self {
        Meddling {
            inner,
            moment,
            armed: std::sync::atomic::AtomicBool::new(true),
            pay: None,
        }
    }

    async fn land_at(&self, moment: Moment, invoice_id: &InvoiceId) {
        if moment == self.moment
            && let Some(pay) = &self.pay
            && self.armed.swap(false, std::sync::atomic::Ordering::SeqCst)
        {
            let policy = crate::Policy::default_policy();
            crate::service::apply_payment_event(self.inner, &policy, invoice_id, pay, instant("2026-03-01"))
                .await
                .expect("the payment applies");
        }
    }
}

impl<S: Store> Store for Meddling<'_, S> {
    async fn put_customer(&self, customer: &Customer) -> Result<(), CoreError> {
        self.inner.put_customer(customer).await
    }
    async fn customer(&self, id: &CustomerId) -> Result<Option<Customer>, CoreError> {
        self.inner.customer(id).await
    }
    async fn customers(&self, ids: &[CustomerId]) -> Result<Vec<Customer>, CoreError> {
        self.inner.customers(ids).await
    }
    async fn put_invoice(&self, invoice: &Invoice) -> Result<(), CoreError> {
        self.inner.put_invoice(invoice).await
    }
    async fn replace_invoice(&self, invoice: &Invoice, expected: Option<u64>) -> Result<(), CoreError> {
        self.inner.replace_invoice(invoice, expected).await
    }
    async fn invoice(&self, id: &InvoiceId) -> Result<Option<Invoice>, CoreError> {
        self.inner.invoice(id).await
    }
    async fn invoices(&self, ids: &[InvoiceId]) -> Result<Vec<Invoice>, CoreError> {
        let read = self.inner.invoices(ids).await;
        self.land_at(Moment::AfterJudging, &ids[0]).await;
        read
    }
    async fn invoices_of_customer(&self, id: &CustomerId) -> Result<Vec<Invoice>, CoreError> {
        self.inner.invoices_of_customer(id).await
    }
    async fn invoice_id_by_payment_reference(&self, reference: &str) -> Result<Option<InvoiceId>, CoreError> {
        self.inner.invoice_id_by_payment_reference(reference).await
    }
    async fn invoices_needing_action(&self, day: NaiveDate) -> Result<Vec<Invoice>, CoreError> {
        self.inner.invoices_needing_action(day).await
    }
    async fn unsettled_invoices(&self) -> Result<Vec<Invoice>, CoreError> {
        self.inner.unsettled_invoices().await
    }
    async fn invoices_issued_since(&self, day: NaiveDate) -> Result<Vec<Invoice>, CoreError> {
        self.inner.invoices_issued_since(day).await
    }
    async fn insert_reminder(&self, reminder: &Reminder) -> Result<Inserted, CoreError> {
        self.inner.insert_reminder(reminder).await
    }
    async fn reminder(&self, id: &ReminderId) -> Result<Option<Reminder>, CoreError> {
        self.inner.reminder(id).await
    }
    async fn reminders_with_status(&self, status: ReminderStatus) -> Result<Vec<Reminder>, CoreError> {
        self.inner.reminders_with_status(status).await
    }
    async fn reminders_of_customer(&self, id: &CustomerId) -> Result<Vec<Reminder>, CoreError> {
        self.inner.reminders_of_customer(id).await
    }
    async fn update_reminder(
        &self,
        reminder: &Reminder,
        expected: ReminderStatus,
        progress: &[(InvoiceId, DunningProgress)],
    ) -> Result<(), CoreError> {
        let superseding = reminder.status == ReminderStatus::Cancelled
            && reminder
                .history
                .last()
                .and_then(|step| step.note.as_deref())
                .is_some_and(|note| note.starts_with("superseded by"));
        if superseding
            && self.moment == Moment::Superseding
            && self.armed.swap(false, std::sync::atomic::Ordering::SeqCst)
        {
            let mut claimed = self.inner.reminder(&reminder.id).await?.expect("the draft exists");
            let at = reminder.created_at;
            claimed.transition(ReminderStatus::Approved, at, &Actor::person("sam"), None)?;
            claimed.transition(ReminderStatus::Sending, at, &Actor::System, None)?;
            self.inner.update_reminder(&claimed, expected, &[]).await?;
        }
        if reminder.status == ReminderStatus::Sending
            && self.moment == Moment::ReplacedBeforeClaim
            && self.armed.swap(false, std::sync::atomic::Ordering::SeqCst)
        {
            let policy = crate::Policy::default_policy();
            let invoice_id = &reminder.covers[0].invoice_id;
            let mut with_po = self.inner.invoice(invoice_id).await?.expect("the invoice exists");
            with_po.po_number = Some("PO-7731".into());
            crate::service::ingest_invoice(self.inner, &policy, &with_po, reminder.created_at).await?;
        }
        if reminder.status == ReminderStatus::Cancelled
            && expected.is_waiting()
            && self.moment == Moment::Voiding
            && self.armed.swap(false, std::sync::atomic::Ordering::SeqCst)
        {
            let mut noted = self.inner.reminder(&reminder.id).await?.expect("the draft exists");
            noted.history.push(crate::reminder::Transition {
                from: expected,
                to: expected,
                at: reminder.created_at,
                by: Actor::System,
                note: Some("noted meanwhile".into()),
            });
            self.inner.update_reminder(&noted, expected, &[]).await?;
        }
        if reminder.status == ReminderStatus::Sent
            && self.moment == Moment::RecordingSent
            && self.armed.swap(false, std::sync::atomic::Ordering::SeqCst)
        {
            return Err(CoreError::Conflict("a transaction conflict on an invoice".into()));
        }
        let written = self.inner.update_reminder(reminder, expected, progress).await;
        if reminder.status == ReminderStatus::Sending {
            self.land_at(Moment::AfterClaim, &reminder.covers[0].invoice_id).await;
        }
        written
    }
    async fn update_reminders(&self, updates: &[(Reminder, ReminderStatus)]) -> Result<(), CoreError> {
        if self.moment == Moment::ApprovingASet
            && self.armed.swap(false, std::sync::atomic::Ordering::SeqCst)
            && let Some((last, _)) = updates.last()
        {
            let mut skipped = self.inner.reminder(&last.id).await?.expect("the draft exists");
            let expected = skipped.status;
            skipped.transition(ReminderStatus::Skipped, last.created_at, &Actor::person("sam"), None)?;
            self.inner.update_reminder(&skipped, expected, &[]).await?;
        }
        self.inner.update_reminders(updates).await
    }
    async fn insert_answer(&self, answer: &Answer) -> Result<Inserted, CoreError> {
        self.inner.insert_answer(answer).await
    }
    async fn answer(&self, id: &AnswerId) -> Result<Option<Answer>, CoreError> {
        self.inner.answer(id).await
    }
    async fn replace_answer(&self, answer: &Answer, expected: u64) -> Result<(), CoreError> {
        self.inner.replace_answer(answer, expected).await
    }
    async fn answers_of_customer(&self, id: &CustomerId) -> Result<Vec<Answer>, CoreError> {
        self.inner.answers_of_customer(id).await
    }
    async fn answers_needing_staff(&self) -> Result<Vec<Answer>, CoreError> {
        self.inner.answers_needing_staff().await
    }
    async fn answers_since(&self, since: DateTime<Utc>) -> Result<Vec<Answer>, CoreError> {
        self.inner.answers_since(since).await
    }
    async fn insert_plan(&self, plan: &PaymentPlan) -> Result<Inserted, CoreError> {
        self.inner.insert_plan(plan).await
    }
    async fn plan(&self, id: &PlanId) -> Result<Option<PaymentPlan>, CoreError> {
        self.inner.plan(id).await
    }
    async fn replace_plan(&self, plan: &PaymentPlan, expected: u64) -> Result<(), CoreError> {
        self.inner.replace_plan(plan, expected).await
    }
    async fn plans_of_customer(&self, id: &CustomerId) -> Result<Vec<PaymentPlan>, CoreError> {
        self.inner.plans_of_customer(id).await
    }
    async fn plans_due(&self, day: NaiveDate) -> Result<Vec<PaymentPlan>, CoreError> {
        self.inner.plans_due(day).await
    }
    async fn event_recorded(&self, id: &str, now: DateTime<Utc>) -> Result<bool, CoreError> {
        self.inner.event_recorded(id, now).await
    }
    async fn record_event(
        &self,
        id: &str,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Inserted, CoreError> {
        if self.moment == Moment::RecordingEvent && self.armed.swap(false, std::sync::atomic::Ordering::SeqCst) {
            return Err(CoreError::Store("crashed before the event ledger's write".into()));
        }
        self.inner.record_event(id, expires_at, now).await
    }
}

/// Keeps what it is asked to send, and answers as told: a message id by default; an unknown outcome, a
/// temporary failure, or a crash (an error that is no mail system's answer) when set. `safe_retries`: it
/// promises a repeated key never delivers twice (as the outbox does).
#[derive(Default)]
pub(super) struct CountingMailer {
    pub(super) sent: std::sync::Mutex<Vec<crate::ports::OutgoingEmail>>,
    pub(super) unknown_outcome: bool,
    pub(super) temporary_failure: bool,
    pub(super) crash: bool,
    pub(super) safe_retries: bool,
}

impl CountingMailer {
    pub(super) fn count(&self) -> usize {
        self.sent.lock().unwrap().len()
    }
}

impl crate::ports::Mailer for CountingMailer {
    async fn send(&self, email: &crate::ports::OutgoingEmail) -> Result<String, CoreError> {
        self.sent.lock().unwrap().push(email.clone());
        if self.unknown_outcome {
            return Err(CoreError::MailUnknown("timed out after the request was sent".into()));
        }
        if self.temporary_failure {
            return Err(CoreError::MailTemporary("421 try again later".into()));
        }
        if self.crash {
            return Err(CoreError::Store("the process stopped mid-send".into()));
        }
        Ok("counted".into())
    }

    fn retries_are_safe(&self) -> bool {
        self.safe_retries
    }
}
