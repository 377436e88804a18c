//! Faults, chosen by the seed, injected around the real store and in front of the world's inbox: a store
//! that can lose a conditional write's race or "crash" at its Nth write (every later call of that
//! invocation fails: the process is gone), and a mail provider that throttles, answers 5xx, or times out
//! after it accepted the message. The wrappers also note what each step touched, for the checks.

use crate::backend::Backend;
use chrono::{DateTime, NaiveDate, Utc};
use kindly_core::answer::{Answer, AnswerId};
use kindly_core::instalments::{PaymentPlan, PlanId};
use kindly_core::invoice::DunningProgress;
use kindly_core::{
    CoreError, Customer, CustomerId, Inserted, Invoice, InvoiceId, Mailer, OutgoingEmail, Reminder, ReminderId,
    ReminderStatus, Store,
};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeSet;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};

/// How often each fault strikes, chosen per seed (a seed may have none of some).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FaultRates {
    pub throttle: f64,
    pub server_error: f64,
    pub timeout_after_accept: f64,
    pub rejected: f64,
    /// Per conditional write.
    pub conflict: f64,
    /// Per invocation: it crashes at some write.
    pub crash: f64,
    /// Per scheduled invocation: EventBridge delivers it late (a retry), or twice.
    pub late: f64,
    pub twice: f64,
}

impl FaultRates {
    pub const NONE: FaultRates = FaultRates {
        throttle: 0.0,
        server_error: 0.0,
        timeout_after_accept: 0.0,
        rejected: 0.0,
        conflict: 0.0,
        crash: 0.0,
        late: 0.0,
        twice: 0.0,
    };

    pub fn for_seed(rng: &mut ChaCha8Rng) -> FaultRates {
        let mut pick = |high: f64| {
            if rng.random_bool(0.75) {
                rng.random_range(0.0..high)
            } else {
                0.0
            }
        };
        FaultRates {
            throttle: pick(0.05),
            server_error: pick(0.02),
            timeout_after_accept: pick(0.01),
            rejected: pick(0.003),
            conflict: pick(0.01),
            crash: pick(0.01),
            late: pick(0.03),
            twice: pick(0.03),
        }
    }
}

/// One message the mail provider accepted: the world's inbox is the ground truth of what customers got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub step: u64,
    pub at: DateTime<Utc>,
    pub reminder: String,
    pub stage: String,
    pub customer: String,
    /// Invoice numbers the message shows, read from its text.
    pub numbers: Vec<String>,
    /// The provider accepted it but the sender was told it failed (a timeout after acceptance).
    pub reported_failed: bool,
    /// Every address it went to (to and cc).
    pub to: Vec<String>,
}

/// What the wrappers share: the fault dice, the crash state of the current invocation, the inbox, and
/// what the current step touched.
pub struct FaultState {
    pub rates: FaultRates,
    rng: ChaCha8Rng,
    /// Writes left before the current invocation crashes.
    crash_in: Option<u32>,
    crashed: bool,
    /// Yield before each store call, so joined invocations interleave.
    interleave: bool,
    pub step: u64,
    pub inbox: Vec<Delivery>,
    pub touched: BTreeSet<String>,
    pub touched_reminders: BTreeSet<ReminderId>,
    pub touched_invoices: BTreeSet<InvoiceId>,
    /// Answers written by the current step.
    pub touched_answers: BTreeSet<AnswerId>,
    /// Reminders whose address the provider rejected (the customer cannot be reached there).
    pub rejected: BTreeSet<String>,
    next_message: u64,
}

#[derive(Clone)]
pub struct Faults(Arc<Mutex<FaultState>>);

impl Faults {
    pub fn new(rates: FaultRates, rng: ChaCha8Rng) -> Faults {
        Faults(Arc::new(Mutex::new(FaultState {
            rates,
            rng,
            crash_in: None,
            crashed: false,
            interleave: false,
            step: 0,
            inbox: Vec::new(),
            touched: BTreeSet::new(),
            touched_reminders: BTreeSet::new(),
            touched_invoices: BTreeSet::new(),
            touched_answers: BTreeSet::new(),
            rejected: BTreeSet::new(),
            next_message: 0,
        })))
    }

    pub fn lock(&self) -> MutexGuard<'_, FaultState> {
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Start an invocation: maybe it will crash at some write; maybe it interleaves with a twin.
    pub fn begin(&self, step: u64, may_crash: bool, interleave: bool) {
        let mut state = self.lock();
        state.step = step;
        state.crashed = false;
        state.interleave = interleave;
        let rate = state.rates.crash;
        let crash = may_crash && rate > 0.0 && state.rng.random_bool(rate);
        state.crash_in = if crash {
            Some(state.rng.random_range(0..12))
        } else {
            None
        };
    }

    /// End the invocation; whether it crashed.
    pub fn end(&self) -> bool {
        let mut state = self.lock();
        state.crash_in = None;
        state.interleave = false;
        std::mem::take(&mut state.crashed)
    }

    fn roll(&self, rate: impl Fn(&FaultRates) -> f64) -> bool {
        let mut state = self.lock();
        let rate = rate(&state.rates);
        rate > 0.0 && state.rng.random_bool(rate)
    }
}

/// Returns `Pending` once (waking itself at once), so `futures::join!` switches to the other invocation.
struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            return Poll::Ready(());
        }
        self.0 = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

/// The real store behind the fault wrapper. Cheap to clone: the web router holds one too.
#[derive(Clone)]
pub struct SimStore {
    inner: Arc<Backend>,
    faults: Faults,
}

impl SimStore {
    pub fn new(inner: Backend, faults: Faults) -> SimStore {
        SimStore {
            inner: Arc::new(inner),
            faults,
        }
    }

    /// The store without faults: what the checks read.
    pub fn real(&self) -> &Backend {
        &self.inner
    }

    /// Before any call: fail if this invocation has crashed; let a twin run first when interleaving.
    async fn enter(&self) -> Result<(), CoreError> {
        let interleave = self.faults.lock().interleave;
        if interleave {
            YieldOnce(false).await;
        }
        if self.faults.lock().crashed {
            return Err(CoreError::Store("simulated crash: the invocation is gone".into()));
        }
        Ok(())
    }

    /// Before a write: count down to the crash; maybe lose a conditional write's race.
    async fn write(&self, conditional: bool, touched: &[String]) -> Result<(), CoreError> {
        self.enter().await?;
        {
            let mut state = self.faults.lock();
            state.touched.extend(touched.iter().cloned());
            if let Some(left) = state.crash_in {
                if left == 0 {
                    state.crashed = true;
                    return Err(CoreError::Store("simulated crash at this write".into()));
                }
                state.crash_in = Some(left - 1);
            }
        }
        if conditional && self.faults.roll(|rates| rates.conflict) {
            return Err(CoreError::Conflict("simulated: another writer got there first".into()));
        }
        Ok(())
    }

    fn note_reminder(&self, reminder: &Reminder) {
        let mut state = self.faults.lock();
        state.touched_reminders.insert(reminder.id.clone());
        state.touched.insert(reminder.id.0.clone());
        state.touched.insert(reminder.customer_id.0.clone());
        state.touched_invoices.extend(reminder.invoice_ids());
    }

    fn note_answer(&self, answer: &Answer) {
        let mut state = self.faults.lock();
        state.touched_answers.insert(answer.id.clone());
        state.touched.insert(answer.customer_id.0.clone());
        state.touched.insert(answer.id.0.clone());
    }

    fn note_invoice(&self, invoice: &Invoice) {
        let mut state = self.faults.lock();
        state.touched_invoices.insert(invoice.id.clone());
        state.touched.insert(invoice.id.0.clone());
        state.touched.insert(invoice.customer_id.0.clone());
    }
}

impl Store for SimStore {
    async fn put_customer(&self, customer: &Customer) -> Result<(), CoreError> {
        self.write(false, std::slice::from_ref(&customer.id.0)).await?;
        self.inner.put_customer(customer).await
    }
    async fn customer(&self, id: &CustomerId) -> Result<Option<Customer>, CoreError> {
        self.enter().await?;
        self.inner.customer(id).await
    }
    async fn customers(&self, ids: &[CustomerId]) -> Result<Vec<Customer>, CoreError> {
        self.enter().await?;
        self.inner.customers(ids).await
    }
    async fn put_invoice(&self, invoice: &Invoice) -> Result<(), CoreError> {
        self.write(false, &[]).await?;
        self.note_invoice(invoice);
        self.inner.put_invoice(invoice).await
    }
    async fn replace_invoice(&self, invoice: &Invoice, expected: Option<u64>) -> Result<(), CoreError> {
        self.write(true, &[]).await?;
        let result = self.inner.replace_invoice(invoice, expected).await;
        if result.is_ok() {
            self.note_invoice(invoice);
        }
        result
    }
    async fn invoice(&self, id: &InvoiceId) -> Result<Option<Invoice>, CoreError> {
        self.enter().await?;
        self.inner.invoice(id).await
    }
    async fn invoices(&self, ids: &[InvoiceId]) -> Result<Vec<Invoice>, CoreError> {
        self.enter().await?;
        self.inner.invoices(ids).await
    }
    async fn invoices_of_customer(&self, id: &CustomerId) -> Result<Vec<Invoice>, CoreError> {
        self.enter().await?;
        self.inner.invoices_of_customer(id).await
    }
    async fn invoice_id_by_payment_reference(&self, reference: &str) -> Result<Option<InvoiceId>, CoreError> {
        self.enter().await?;
        self.inner.invoice_id_by_payment_reference(reference).await
    }
    async fn invoices_needing_action(&self, day: NaiveDate) -> Result<Vec<Invoice>, CoreError> {
        self.enter().await?;
        self.inner.invoices_needing_action(day).await
    }
    async fn unsettled_invoices(&self) -> Result<Vec<Invoice>, CoreError> {
        self.enter().await?;
        self.inner.unsettled_invoices().await
    }
    async fn invoices_issued_since(&self, day: NaiveDate) -> Result<Vec<Invoice>, CoreError> {
        self.enter().await?;
        self.inner.invoices_issued_since(day).await
    }
    async fn insert_reminder(&self, reminder: &Reminder) -> Result<Inserted, CoreError> {
        self.write(false, &[]).await?;
        let inserted = self.inner.insert_reminder(reminder).await?;
        if inserted == Inserted::New {
            self.note_reminder(reminder);
        }
        Ok(inserted)
    }
    async fn reminder(&self, id: &ReminderId) -> Result<Option<Reminder>, CoreError> {
        self.enter().await?;
        self.inner.reminder(id).await
    }
    async fn reminders_with_status(&self, status: ReminderStatus) -> Result<Vec<Reminder>, CoreError> {
        self.enter().await?;
        self.inner.reminders_with_status(status).await
    }
    async fn reminders_of_customer(&self, id: &CustomerId) -> Result<Vec<Reminder>, CoreError> {
        self.enter().await?;
        self.inner.reminders_of_customer(id).await
    }
    async fn update_reminder(
        &self,
        reminder: &Reminder,
        expected: ReminderStatus,
        progress: &[(InvoiceId, DunningProgress)],
    ) -> Result<(), CoreError> {
        self.write(true, &[]).await?;
        let result = self.inner.update_reminder(reminder, expected, progress).await;
        if result.is_ok() {
            self.note_reminder(reminder);
        }
        result
    }
    async fn update_reminders(&self, updates: &[(Reminder, ReminderStatus)]) -> Result<(), CoreError> {
        self.write(true, &[]).await?;
        let result = self.inner.update_reminders(updates).await;
        if result.is_ok() {
            for (reminder, _) in updates {
                self.note_reminder(reminder);
            }
        }
        result
    }
    async fn insert_answer(&self, answer: &Answer) -> Result<Inserted, CoreError> {
        self.write(false, std::slice::from_ref(&answer.customer_id.0)).await?;
        let inserted = self.inner.insert_answer(answer).await?;
        self.note_answer(answer);
        Ok(inserted)
    }
    async fn answer(&self, id: &AnswerId) -> Result<Option<Answer>, CoreError> {
        self.enter().await?;
        self.inner.answer(id).await
    }
    async fn replace_answer(&self, answer: &Answer, expected: u64) -> Result<(), CoreError> {
        self.write(true, std::slice::from_ref(&answer.customer_id.0)).await?;
        self.inner.replace_answer(answer, expected).await?;
        self.note_answer(answer);
        Ok(())
    }
    async fn answers_of_customer(&self, id: &CustomerId) -> Result<Vec<Answer>, CoreError> {
        self.enter().await?;
        self.inner.answers_of_customer(id).await
    }
    async fn answers_needing_staff(&self) -> Result<Vec<Answer>, CoreError> {
        self.enter().await?;
        self.inner.answers_needing_staff().await
    }
    async fn answers_since(&self, since: DateTime<Utc>) -> Result<Vec<Answer>, CoreError> {
        self.enter().await?;
        self.inner.answers_since(since).await
    }
    async fn insert_plan(&self, plan: &PaymentPlan) -> Result<Inserted, CoreError> {
        self.write(false, std::slice::from_ref(&plan.customer_id.0)).await?;
        self.inner.insert_plan(plan).await
    }
    async fn plan(&self, id: &PlanId) -> Result<Option<PaymentPlan>, CoreError> {
        self.enter().await?;
        self.inner.plan(id).await
    }
    async fn replace_plan(&self, plan: &PaymentPlan, expected: u64) -> Result<(), CoreError> {
        self.write(true, std::slice::from_ref(&plan.customer_id.0)).await?;
        self.inner.replace_plan(plan, expected).await
    }
    async fn plans_of_customer(&self, id: &CustomerId) -> Result<Vec<PaymentPlan>, CoreError> {
        self.enter().await?;
        self.inner.plans_of_customer(id).await
    }
    async fn plans_due(&self, day: NaiveDate) -> Result<Vec<PaymentPlan>, CoreError> {
        self.enter().await?;
        self.inner.plans_due(day).await
    }
    async fn event_recorded(&self, id: &str, now: DateTime<Utc>) -> Result<bool, CoreError> {
        self.enter().await?;
        self.inner.event_recorded(id, now).await
    }
    async fn record_event(
        &self,
        id: &str,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Inserted, CoreError> {
        self.write(false, &[]).await?;
        self.inner.record_event(id, expires_at, now).await
    }
}

/// The mail provider as SES behaves for kindly: not idempotent (a retried send delivers again), several
/// sends in flight, and the faults of the seed. Every accepted message lands in the world's inbox.
pub struct SimMailer {
    pub faults: Faults,
    pub clock: fn() -> DateTime<Utc>,
}

impl Mailer for SimMailer {
    async fn send(&self, email: &OutgoingEmail) -> Result<String, CoreError> {
        if self.faults.lock().crashed {
            return Err(CoreError::MailTemporary(
                "simulated crash: the invocation is gone".into(),
            ));
        }
        if self.faults.roll(|rates| rates.throttle) {
            return Err(CoreError::MailTemporary(
                "simulated SES throttling (MaxSendRate exceeded)".into(),
            ));
        }
        if self.faults.roll(|rates| rates.server_error) {
            return Err(CoreError::MailTemporary("simulated SES 503 service unavailable".into()));
        }
        if self.faults.roll(|rates| rates.rejected) {
            let reminder = email.tags.iter().find(|(key, _)| key == "reminder");
            if let Some((_, id)) = reminder {
                self.faults.lock().rejected.insert(id.clone());
            }
            return Err(CoreError::MailRejected("simulated: address rejected".into()));
        }
        let timeout = self.faults.roll(|rates| rates.timeout_after_accept);
        let tag = |name: &str| {
            email
                .tags
                .iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.clone())
                .unwrap_or_default()
        };
        let mut state = self.faults.lock();
        state.next_message += 1;
        let id = format!("sim-message-{}", state.next_message);
        let delivery = Delivery {
            step: state.step,
            at: (self.clock)(),
            reminder: tag("reminder"),
            stage: tag("stage"),
            customer: tag("customer"),
            numbers: invoice_numbers(&email.text),
            reported_failed: timeout,
            to: email
                .to
                .iter()
                .chain(&email.cc)
                .map(|mailbox| mailbox.email.clone())
                .collect(),
        };
        state.touched.insert(delivery.customer.clone());
        state.touched.insert(delivery.reminder.clone());
        state.inbox.push(delivery);
        if timeout {
            // What the SES mailer reports for a connection lost after the request left
            // (functions/aws/tests/ses_outcomes.rs holds it to that over a real socket).
            return Err(CoreError::MailUnknown(
                "simulated timeout after SES accepted the message".into(),
            ));
        }
        Ok(id)
    }

    fn concurrent_sends(&self) -> usize {
        4
    }
}

/// The world's invoice numbers (`SIM-cccc-nn`) a message shows, sorted and without repeats.
pub fn invoice_numbers(text: &str) -> Vec<String> {
    let mut numbers = BTreeSet::new();
    let mut rest = text;
    while let Some(at) = rest.find("SIM-") {
        let candidate = rest[at..].get(..11).unwrap_or_default();
        let shape = candidate.len() == 11
            && candidate.as_bytes()[8] == b'-'
            && candidate[4..8].bytes().all(|b| b.is_ascii_digit())
            && candidate[9..].bytes().all(|b| b.is_ascii_digit());
        if shape {
            numbers.insert(candidate.to_owned());
        }
        rest = &rest[at + 4..];
    }
    numbers.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_read_from_a_message() {
        let text = "Invoices SIM-0001-02 and SIM-0001-03 (again: SIM-0001-02), not SIM-01-2 or SIM-ABCD-01.";
        assert_eq!(invoice_numbers(text), ["SIM-0001-02", "SIM-0001-03"]);
    }
}
