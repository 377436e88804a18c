//! The actors: the scheduled functions invoked as deployed, customers paying, the payment processor and the
//! accounting system telling kindly, and staff approving, skipping, snoozing and pausing. Each act is one
//! step of the real services and returns its trace line.

use crate::deployment::{router, window};
use crate::processor::{self, Effect, Object, ProcessorEvent, RETRY_FOR};
use crate::sim::{Act, Sim, Twin};
use crate::world::Channel;
use chrono::{DateTime, Duration, Utc};
use kindly_core::Approval;
use kindly_core::service::{self, PassOutcome, SendResult};
use kindly_core::{CoreError, Policy, ReminderId, Store};
use rand::Rng;
use std::collections::BTreeMap;

fn pass_summary(result: &Result<PassOutcome, CoreError>) -> String {
    match result {
        Ok(outcome) => {
            let created = outcome.entries.iter().filter(|entry| entry.created).count();
            let first_error = outcome.errors.first().map(String::as_str).unwrap_or("");
            format!(
                "created {created}, found {}, held {}, superseded {}, errors {} {first_error}",
                outcome.entries.len() - created,
                outcome.held.len(),
                outcome.superseded.len(),
                outcome.errors.len()
            )
        }
        Err(error) => format!("failed: {error}"),
    }
}

type SendResults = Result<Vec<(ReminderId, Result<SendResult, CoreError>)>, CoreError>;

fn send_summary(result: &SendResults) -> String {
    let results = match result {
        Ok(results) => results,
        Err(error) => return format!("failed: {error}"),
    };
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    let mut lines = Vec::new();
    for (id, result) in results {
        let kind = match result {
            Ok(SendResult::Sent { .. }) => "sent",
            Ok(SendResult::TaskDone) => "task",
            Ok(SendResult::Cancelled { .. }) => "cancelled",
            Ok(SendResult::Failed { .. }) => "failed",
            Ok(SendResult::Retry { .. }) => "retry",
            Ok(SendResult::ClaimedElsewhere) => "claimed",
            Ok(SendResult::OutsideBusinessHours) => "later",
            Err(_) => "error",
        };
        *counts.entry(kind).or_default() += 1;
        match result {
            Ok(SendResult::OutsideBusinessHours) => {}
            Ok(SendResult::Cancelled { reason } | SendResult::Failed { reason } | SendResult::Retry { reason }) => {
                lines.push(format!("{id} {kind}: {reason}"));
            }
            Ok(_) => lines.push(format!("{id} {kind}")),
            Err(error) => lines.push(format!("{id} error: {error}")),
        }
    }
    format!("{counts:?} [{}]", lines.join("; "))
}

impl Sim {
    /// Every customer exists before their first invoice arrives.
    pub(crate) async fn register_customers(&mut self) {
        for customer in &self.world.customers {
            service::ingest_customer(self.store.real(), &self.policy, customer, self.now)
                .await
                .expect("the simulator's customers are valid");
        }
    }

    pub(crate) async fn perform(&mut self, act: Act) -> String {
        match act {
            Act::Scan { scheduled, twin } => {
                self.faults.begin(self.step, twin == Twin::Alone, twin == Twin::Joined);
                let (store, policy) = (&self.store, &self.policy);
                let text = match twin {
                    Twin::Alone => pass_summary(&service::run_pass(store, policy, scheduled, false).await),
                    Twin::Joined => {
                        let (one, two) = futures::join!(
                            service::run_pass(store, policy, scheduled, false),
                            service::run_pass(store, policy, scheduled, false)
                        );
                        format!("{} | twin: {}", pass_summary(&one), pass_summary(&two))
                    }
                };
                let crashed = self.retry_if_crashed(Act::Scan { scheduled, twin });
                format!("scan for {scheduled} {twin:?}{crashed}: {text}")
            }
            Act::Send { scheduled, twin } => {
                self.faults.begin(self.step, twin == Twin::Alone, twin == Twin::Joined);
                let (store, mailer, policy) = (&self.store, &self.mailer, &self.policy);
                // The send Lambda works at the time it runs, however late, not at its schedule's.
                let now = self.now;
                let text = match twin {
                    Twin::Alone => {
                        send_summary(&service::send_approved_within(store, mailer, policy, now, window()).await)
                    }
                    Twin::Joined => {
                        let (one, two) = futures::join!(
                            service::send_approved_within(store, mailer, policy, now, window()),
                            service::send_approved_within(store, mailer, policy, now, window())
                        );
                        format!("{} | twin: {}", send_summary(&one), send_summary(&two))
                    }
                };
                let crashed = self.retry_if_crashed(Act::Send { scheduled, twin });
                format!("send for {scheduled} {twin:?}{crashed}: {text}")
            }
            Act::Import(index) => self.import(index).await,
            Act::Pay { invoice, payment } => self.pay(invoice, payment),
            Act::DebitOutcome { invoice, payment } => self.debit_outcome(invoice, payment),
            Act::Refund { invoice, payment, part } => self.refund(invoice, payment, part),
            Act::Settle(index) => {
                let invoice = &mut self.world.invoices[index];
                let (settlement, _) = invoice.settlement.expect("scheduled only with a settlement");
                invoice.status_by_accounting = Some(settlement);
                let text = format!("accounting marks {} {settlement:?}", invoice.id);
                let lag = Duration::hours(self.rng.random_range(1..30));
                self.reimport(index, lag);
                text
            }
            Act::Deliver { event, attempt, retry } => self.deliver(event, attempt, retry).await,
            Act::Answer(index) => self.answer(index).await,
            Act::Correct(index) => self.correct(index),
            Act::Staff => self.staff().await,
            Act::Feedback { notification, attempt } => self.deliver_feedback(notification, attempt).await,
            Act::ReimportCustomer(index) => self.reimport_customer(index).await,
            Act::AskPlan(index) => self.ask_plan(index).await,
            Act::Pause => self.pause().await,
            Act::PolicyChange => {
                self.policy = changed_policy(&self.policy);
                self.policy_changed_at = Some(self.now);
                self.router = router(&self.store, &self.policy);
                "policy changes: crossed_in_mail at +5 days, overdue_direct auto-approved, gap 4 days".into()
            }
            Act::Check => {
                self.check_evening().await;
                String::new()
            }
        }
    }

    /// End a scheduled invocation. One that crashed failed as a Lambda invocation, and the scheduler
    /// retries it (same scheduled time) a few minutes later.
    fn retry_if_crashed(&mut self, act: Act) -> &'static str {
        if !self.faults.end() {
            return "";
        }
        let later = self.now + Duration::seconds(self.rng.random_range(60..900));
        self.at(later, act);
        " (crashed; the scheduler retries)"
    }

    /// The accounting system sends its copy through the ingest path; a failed import is retried in an hour.
    async fn import(&mut self, index: usize) -> String {
        let invoice = &self.world.invoices[index];
        let invoice_customer = invoice.customer;
        let customer = self.world.customers[invoice_customer].clone();
        let copy = invoice.accounting_copy(&customer.id);
        let before_unsynced = self.unsynced[index];
        self.faults.begin(self.step, true, false);
        let result = service::ingest_invoice(&self.store, &self.policy, &copy, self.now).await;
        self.faults.end();
        let text = format!(
            "import {} ({}, paid {} of {} {}): {:?}",
            copy.id,
            copy.status.as_str(),
            copy.paid,
            copy.total,
            copy.currency,
            result.as_ref().map(Vec::len)
        );
        self.faults
            .lock()
            .touched
            .extend([copy.id.0.clone(), customer.id.0.clone()]);
        match result {
            Ok(_) => {
                self.unsynced[index] -= 1;
                self.world.invoices[index].imported = true;
                if self.open_since[index].is_none() {
                    self.open_since[index] = Some(self.first_sending_day(invoice_customer));
                }
            }
            Err(_) => self.at(self.now + Duration::hours(1), Act::Import(index)),
        }
        if self.unsynced[index] < before_unsynced {
            self.imported(index);
        }
        text
    }

    /// The accounting system will send its copy again after `lag`.
    pub(crate) fn reimport(&mut self, index: usize, lag: Duration) {
        self.unsynced[index] += 1;
        self.at(self.now + lag, Act::Import(index));
    }

    fn pay(&mut self, index: usize, number: usize) -> String {
        let invoice = &mut self.world.invoices[index];
        if invoice.payments[number].minor <= 0 && !invoice.payments[number].rest {
            return format!("customer pays {} by a payment plan instead", invoice.id);
        }
        if invoice.payments[number].rest {
            let owed = invoice.owed_minor();
            if owed <= 0 || invoice.status_by_accounting.is_some() {
                return format!("customer owes nothing more on {}", invoice.id);
            }
            invoice.payments[number].minor = owed;
            invoice.paid_rest = true;
        } else if invoice.paid_rest {
            return format!("customer paid {} in full already", invoice.id);
        }
        let payment = self.world.invoices[index].payments[number].clone();
        match payment.channel {
            Channel::Card { .. } => {
                self.received(index, number, payment.minor);
                if let Some((_, at)) = payment.refund {
                    self.refund_at(at, index, number, 1);
                }
            }
            Channel::Debit { .. } => {
                self.world.invoices[index].debits_in_flight += 1;
                self.emit(index, number, Effect::Processing);
                let clears = Duration::hours(self.rng.random_range(40..120));
                self.at(
                    self.now + clears,
                    Act::DebitOutcome {
                        invoice: index,
                        payment: number,
                    },
                );
            }
            Channel::Transfer => {
                self.world.invoices[index].received_transfer += payment.minor;
                self.judge_discount(index);
                let lag = Duration::hours(self.rng.random_range(20..80));
                self.reimport(index, lag);
            }
        }
        let invoice = &self.world.invoices[index];
        self.faults.lock().touched.insert(invoice.id.0.clone());
        format!(
            "customer pays {} {} minor on {} by {:?}",
            payment.minor, invoice.currency, invoice.id, payment.channel
        )
    }

    fn debit_outcome(&mut self, index: usize, number: usize) -> String {
        let payment = self.world.invoices[index].payments[number].clone();
        let fails = matches!(payment.channel, Channel::Debit { fails: true });
        self.world.invoices[index].debits_in_flight -= 1;
        if fails {
            self.emit(index, number, Effect::Failed);
            // The customer pays again by card a few days later.
            let mut again = payment.clone();
            again.channel = Channel::Card { stripe_invoice: false };
            again.at = self.now + Duration::days(self.rng.random_range(1..6));
            again.refund = None;
            let at = again.at;
            self.world.invoices[index].payments.push(again);
            let next = self.world.invoices[index].payments.len() - 1;
            self.at(
                at,
                Act::Pay {
                    invoice: index,
                    payment: next,
                },
            );
        } else {
            self.received(index, number, payment.minor);
        }
        let id = &self.world.invoices[index].id;
        self.faults.lock().touched.insert(id.0.clone());
        format!("the debit for {id} {}", if fails { "fails" } else { "clears" })
    }

    /// A refund in one or two parts; the processor reports the running total each time.
    fn refund(&mut self, index: usize, number: usize, part: u8) -> String {
        let payment = self.world.invoices[index].payments[number].clone();
        let Some((total, _)) = payment.refund else {
            return String::new();
        };
        let split = total > 1 && part == 1 && self.rng.random_bool(0.3);
        let so_far = if split { total / 2 } else { total };
        let before = if part == 2 { total / 2 } else { 0 };
        let invoice = &mut self.world.invoices[index];
        invoice.received_processor -= so_far - before;
        *invoice
            .processor_receipts
            .entry(format!("pi_{}_{number}", invoice.id))
            .or_default() -= so_far - before;
        invoice.refunded_ever = true;
        invoice.refunded_minor += so_far - before;
        self.judge_discount(index);
        let charge = format!("ch_{}_{number}", self.world.invoices[index].id);
        self.emit(
            index,
            number,
            Effect::Refund {
                charge,
                total_minor: so_far,
            },
        );
        if split {
            let later = self.now + Duration::hours(self.rng.random_range(2..72));
            self.refund_at(later, index, number, 2);
        }
        let lag = Duration::hours(self.rng.random_range(12..96));
        self.reimport(index, lag);
        let id = &self.world.invoices[index].id;
        self.faults.lock().touched.insert(id.0.clone());
        format!("refund on {id}: {so_far} minor so far")
    }

    /// The processor received `minor` for the invoice's n-th payment: it reports it, and the accounting
    /// system hears of it some hours or days later.
    fn received(&mut self, index: usize, number: usize, minor: i64) {
        self.world.invoices[index].received_processor += minor;
        self.judge_discount(index);
        let payment = format!("pi_{}_{number}", self.world.invoices[index].id);
        *self.world.invoices[index]
            .processor_receipts
            .entry(payment.clone())
            .or_default() += minor;
        self.emit(index, number, Effect::Received { payment, minor });
        let lag = Duration::hours(self.rng.random_range(12..96));
        self.reimport(index, lag);
    }

    /// The truth about an invoice's early-payment discount after its money changed now.
    fn judge_discount(&mut self, index: usize) {
        let zone = self.world.customers[self.world.invoices[index].customer].time_zone;
        self.world.invoices[index].judge_discount(self.now, zone);
    }

    fn refund_at(&mut self, at: DateTime<Utc>, invoice: usize, payment: usize, part: u8) {
        self.at(at, Act::Refund { invoice, payment, part });
    }

    /// The processor creates an event now and delivers it soon — sometimes late, sometimes twice.
    fn emit(&mut self, index: usize, number: usize, effect: Effect) {
        let invoice = &self.world.invoices[index];
        let id = format!("evt_{:07}", self.events.len());
        let stripe_invoice = match invoice.payments[number].channel {
            Channel::Card { stripe_invoice: true } => invoice.payment_reference.as_deref(),
            _ => None,
        };
        let object = Object {
            kindly_invoice: &invoice.id.0,
            stripe_invoice,
            payment: &format!("pi_{}_{number}", invoice.id),
            currency: invoice.currency.code(),
        };
        let body = processor::body(&id, self.now, &effect, &object);
        self.events.push(ProcessorEvent {
            id,
            invoice: index,
            effect,
            created: self.now,
            body,
            acknowledged: false,
        });
        let event = self.events.len() - 1;
        self.unsynced[index] += 1;
        self.events_in_flight[index] += 1;
        let delay = match self.rng.random_range(0..100) {
            0..88 => Duration::seconds(self.rng.random_range(1..120)),
            88..98 => Duration::minutes(self.rng.random_range(10..360)),
            _ => Duration::hours(self.rng.random_range(20..50)),
        };
        self.at(
            self.now + delay,
            Act::Deliver {
                event,
                attempt: 1,
                retry: true,
            },
        );
        if self.rng.random_bool(0.05) {
            let again = self.now + Duration::minutes(self.rng.random_range(0..600));
            self.at(
                again,
                Act::Deliver {
                    event,
                    attempt: 1,
                    retry: false,
                },
            );
        }
    }

    async fn deliver(&mut self, event: usize, attempt: u32, retry: bool) -> String {
        let body = self.events[event].body.clone();
        self.faults.begin(self.step, true, false);
        let (status, result) = processor::deliver(&self.router, &body, self.now).await;
        self.faults.end();
        let processor_event = &mut self.events[event];
        let index = processor_event.invoice;
        let text = format!(
            "stripe delivers {} ({:?}) for {} attempt {attempt}: {status} {result}",
            processor_event.id, processor_event.effect, self.world.invoices[index].id
        );
        self.faults
            .lock()
            .touched
            .insert(self.world.invoices[index].id.0.clone());
        let settled = if (200..300).contains(&status) {
            if !processor_event.acknowledged {
                processor_event.acknowledged = true;
                self.acknowledged[index].add(&processor_event.effect);
                true
            } else {
                false
            }
        } else if !retry || processor_event.acknowledged {
            false
        } else if self.now + processor::retry_after(attempt) < processor_event.created + RETRY_FOR {
            let later = self.now + processor::retry_after(attempt);
            self.at(
                later,
                Act::Deliver {
                    event,
                    attempt: attempt + 1,
                    retry: true,
                },
            );
            false
        } else {
            // Stripe gives up: kindly was never told — unless the last attempt failed after kindly had
            // applied it (a crash after the write), which the stored receipts show.
            if let Effect::Received { payment, .. } = &processor_event.effect {
                let id = self.world.invoices[index].id.clone();
                let effect = processor_event.effect.clone();
                let stored = self.store.real().invoice(&id).await.ok().flatten();
                if stored.is_some_and(|stored| stored.bookkeeping.receipts.contains_key(payment)) {
                    processor_event.acknowledged = true;
                    self.acknowledged[index].add(&effect);
                }
            }
            true
        };
        if settled {
            self.unsynced[index] -= 1;
            self.events_in_flight[index] -= 1;
            // Money-exact is judged on what was acknowledged, whether or not the store changed.
            self.faults
                .lock()
                .touched_invoices
                .insert(self.world.invoices[index].id.clone());
        }
        text
    }
}

/// Mid-year, the business changes its ladder: the friendly nudge comes later, the direct one no longer
/// waits for approval, and messages are further apart.
pub fn changed_policy(policy: &Policy) -> Policy {
    let mut changed = policy.clone();
    changed.min_gap_days = 4;
    for stage in &mut changed.stages {
        match stage.id.as_str() {
            "crossed_in_mail" => stage.offset_days = 5,
            "overdue_direct" => stage.approval = Approval::Auto,
            _ => {}
        }
    }
    changed
}
