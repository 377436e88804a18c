//! Customers who answer: some hours after a message reaches them, a few customers (chosen by the seed)
//! answer on their page, through the same service the page calls — a promise to pay by a date (kept or
//! not), "already paid" (true or not), a dispute (upheld with a corrected invoice or rejected), "wrong
//! person", "received" (with a payment date or without). Now and then a form is sent twice; a failed
//! submission is sent again later with the same form value, as a browser retry would. Staff settle the
//! tasks answers open at their usual pace, by what really happened.

use crate::answer_invariants::{Acknowledgements, Forms, Hold, on_ladder};
use crate::faults::Delivery;
use crate::sim::{Act, Sim};
use crate::world::{Channel, PlannedPayment, local_instant};
use chrono::{DateTime, Days, Duration, NaiveDate, Utc};
use kindly_core::answer::{AnswerId, AnswerKind, DisputeCategory};
use kindly_core::policy::PROMISE_EVE_STAGE;
use kindly_core::service::{self, AnswerForm, Answered, Decision};
use kindly_core::{Contact, CoreError, ReminderId, Store};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::collections::{BTreeMap, BTreeSet};

/// How often a ladder message is answered, and an eve note (the day before a promised payment).
const ANSWER_RATE: f64 = 0.08;
const EVE_ANSWER_RATE: f64 = 0.15;
/// How often a form is sent twice (a double click, a reload).
const DOUBLE_SUBMIT: f64 = 0.1;
/// How many times a customer tries a form that failed before giving up.
const ATTEMPTS: u32 = 8;

/// What really follows an answer, as the world decides it when the customer answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Truth {
    /// A promise (or a scheduled receipt) kept: the rest is paid by the day.
    Keep,
    /// A promise broken: nothing more is paid for it.
    Break,
    /// "Already paid", and the money is on its way (a bank transfer).
    Paid,
    /// "Already paid", and it was not.
    NotPaid,
    /// A dispute staff uphold; the accounting system corrects the invoice (or voids it).
    Uphold { void: bool },
    /// A dispute, or a new contact, staff reject.
    Reject,
    /// A new contact staff confirm.
    Confirm,
    /// Nothing follows (a receipt confirmed without a date).
    Nothing,
}

/// One answer a customer gives, and what became of it.
#[derive(Debug, Clone)]
pub struct SimAnswer {
    pub customer: usize,
    pub via: ReminderId,
    pub form: String,
    pub invoices: Vec<usize>,
    pub kind: AnswerKind,
    pub truth: Truth,
    /// The id the form makes.
    pub id: AnswerId,
    /// The customer-local day they first sent it.
    pub first_day: NaiveDate,
    pub attempts: u32,
    /// The customer was told it was taken.
    pub taken: bool,
    /// Staff's decision, once made (kept for a retry after a failure).
    pub decision: Option<Decision>,
}

/// The answers' side of the simulation: the world's answers and the promises' bookkeeping.
pub struct Answering {
    pub rng: ChaCha8Rng,
    pub answers: Vec<SimAnswer>,
    pub by_id: BTreeMap<AnswerId, usize>,
    /// By invoice number: what answers hold it, as the world knows.
    pub holds: BTreeMap<String, Vec<Hold>>,
    /// Addresses customers named as the right contact → when staff confirmed them.
    pub named: BTreeMap<String, Option<DateTime<Utc>>>,
    pub acknowledgements: Acknowledgements,
    pub forms: Forms,
    /// Promises already held to the facts.
    pub judged: BTreeSet<AnswerId>,
    /// When staff will look at each answer task.
    pub staff_due: BTreeMap<AnswerId, DateTime<Utc>>,
    /// Invoices the accounting system corrected after an upheld dispute, until kindly imports them: the
    /// disputes whose hold that import ends.
    pub corrections: BTreeMap<usize, Vec<usize>>,
    /// Invoices kindly last stored with an answer's hold on them.
    pub held: BTreeSet<usize>,
}

impl Answering {
    pub fn new(rng: ChaCha8Rng) -> Answering {
        Answering {
            rng,
            answers: Vec::new(),
            by_id: BTreeMap::new(),
            holds: BTreeMap::new(),
            named: BTreeMap::new(),
            acknowledgements: Acknowledgements::default(),
            forms: Forms::default(),
            judged: BTreeSet::new(),
            staff_due: BTreeMap::new(),
            corrections: BTreeMap::new(),
            held: BTreeSet::new(),
        }
    }

    /// End answer `id`'s holds at `at` (staff decided), or only the one on invoice `number` (its corrected
    /// copy arrived).
    fn end_holds(&mut self, id: &AnswerId, number: Option<&str>, at: DateTime<Utc>) {
        for (held, holds) in &mut self.holds {
            if number.is_some_and(|number| number != held) {
                continue;
            }
            for hold in holds
                .iter_mut()
                .filter(|hold| hold.answer == id.0 && hold.ended.is_none())
            {
                hold.ended = Some(at);
            }
        }
    }
}

impl Sim {
    /// A customer read `delivery`: maybe they answer, some minutes to days later.
    pub(crate) fn consider_answering(&mut self, delivery: &Delivery) {
        let eve = delivery.stage == PROMISE_EVE_STAGE;
        if !(on_ladder(&delivery.stage) || eve) || delivery.numbers.is_empty() {
            return;
        }
        let Some(customer) = crate::checks::customer_index(&delivery.customer) else {
            return;
        };
        let rng = &mut self.answering.rng;
        if !rng.random_bool(if eve { EVE_ANSWER_RATE } else { ANSWER_RATE }) {
            return;
        }
        let mut invoices: Vec<usize> = delivery
            .numbers
            .iter()
            .filter_map(|number| self.by_number.get(number).copied())
            .filter(|&index| {
                let invoice = &self.world.invoices[index];
                invoice.status_by_accounting.is_none() && invoice.owed_minor() > 0
            })
            .collect();
        if invoices.len() > 1 && rng.random_bool(0.3) {
            invoices.truncate(1);
        }
        if invoices.is_empty() {
            return;
        }
        let at = delivery.at + Duration::minutes(rng.random_range(5..3 * 24 * 60));
        let zone = self.world.customers[customer].time_zone;
        let today = at.with_timezone(&zone).date_naive();
        let days = |rng: &mut ChaCha8Rng, most: u64| today + Days::new(rng.random_range(1..=most));
        let (kind, truth) = match rng.random_range(0..100) {
            0..35 => {
                let pay_by = days(rng, 20);
                (AnswerKind::Promise { pay_by }, keep_or_break(rng))
            }
            35..55 => {
                let paid_on = today - Days::new(rng.random_range(0..3));
                let amount = rng.random_bool(0.4).then(|| {
                    let invoice = &self.world.invoices[invoices[0]];
                    invoice.amount(invoice.total_minor)
                });
                let reference = rng
                    .random_bool(0.5)
                    .then(|| format!("TR-{}", self.answering.answers.len()));
                let truth = if rng.random_bool(0.5) {
                    Truth::Paid
                } else {
                    Truth::NotPaid
                };
                (
                    AnswerKind::AlreadyPaid {
                        paid_on,
                        amount,
                        reference,
                    },
                    truth,
                )
            }
            55..70 => {
                let category = DisputeCategory::ALL[rng.random_range(0..DisputeCategory::ALL.len())];
                let text = "The invoice is not right; please check it.".to_owned();
                let truth = if rng.random_bool(0.5) {
                    Truth::Uphold {
                        void: rng.random_bool(0.3),
                    }
                } else {
                    Truth::Reject
                };
                (AnswerKind::Dispute { category, text }, truth)
            }
            70..90 if rng.random_bool(0.5) => {
                let scheduled_for = Some(days(rng, 20));
                (AnswerKind::ConfirmReceipt { scheduled_for }, keep_or_break(rng))
            }
            70..90 => (AnswerKind::ConfirmReceipt { scheduled_for: None }, Truth::Nothing),
            _ => {
                let n = self.answering.answers.len();
                let email = format!("payables{n}@c{customer:04}.example");
                let truth = if rng.random_bool(0.6) {
                    Truth::Confirm
                } else {
                    Truth::Reject
                };
                let name = Some(format!("Payables {n}"));
                (AnswerKind::WrongPerson { name, email }, truth)
            }
        };
        if matches!(kind, AnswerKind::WrongPerson { .. }) {
            invoices.clear();
        }
        let form = format!("form-{}", self.answering.answers.len());
        let via = ReminderId(delivery.reminder.clone());
        let id = AnswerId::for_form(&self.world.customers[customer].id, &via, &form);
        let twice = rng.random_bool(DOUBLE_SUBMIT);
        let again = at + Duration::seconds(rng.random_range(1..30));
        let index = self.answering.answers.len();
        self.answering.answers.push(SimAnswer {
            customer,
            via,
            form,
            invoices: invoices.clone(),
            kind,
            truth,
            id: id.clone(),
            first_day: today,
            attempts: 0,
            taken: false,
            decision: None,
        });
        self.answering.by_id.insert(id, index);
        self.at(at, Act::Answer(index));
        if twice {
            self.at(again, Act::Answer(index));
        }
        self.plan_payments(index, at);
    }

    /// The money that follows an answer, whether or not kindly takes the answer: a kept promise pays the
    /// rest by its day; a true "already paid" was paid by transfer just before.
    fn plan_payments(&mut self, index: usize, at: DateTime<Utc>) {
        let answer = &self.answering.answers[index];
        let zone = self.world.customers[answer.customer].time_zone;
        let rng = &mut self.answering.rng;
        let when = match (answer.truth, answer.kind.promised_day()) {
            (Truth::Keep, Some(day)) => {
                let span = (day - answer.first_day).num_days().max(0) as u64;
                let on = answer.first_day + Days::new(rng.random_range(0..=span));
                let instant = local_instant(zone, on, rng.random_range(0..24), rng.random_range(0..60));
                instant.max(at + Duration::minutes(30))
            }
            (Truth::Paid, _) => at - Duration::minutes(1),
            _ => return,
        };
        let transfer = answer.truth == Truth::Paid || rng.random_bool(0.3);
        for &invoice in &answer.invoices.clone() {
            let world = &mut self.world.invoices[invoice];
            let channel = if transfer {
                Channel::Transfer
            } else {
                Channel::Card {
                    stripe_invoice: world.payment_reference.is_some(),
                }
            };
            world.payments.push(PlannedPayment {
                at: when,
                minor: 0,
                channel,
                refund: None,
                rest: true,
            });
            let payment = world.payments.len() - 1;
            self.at(when, Act::Pay { invoice, payment });
        }
    }

    /// The customer sends answer `index` from their page (again, after a failure or a double click).
    pub(crate) async fn answer(&mut self, index: usize) -> String {
        let answer = self.answering.answers[index].clone();
        let customer = self.world.customers[answer.customer].id.clone();
        let invoices = answer
            .invoices
            .iter()
            .map(|&invoice| self.world.invoices[invoice].id.clone())
            .collect::<Vec<_>>();
        {
            let mut state = self.faults.lock();
            state.touched.insert(customer.0.clone());
            state.touched.extend(invoices.iter().map(|id| id.0.clone()));
        }
        let form = AnswerForm {
            invoices,
            kind: answer.kind.clone(),
            form: answer.form.clone(),
        };
        self.answering
            .forms
            .sent(&customer.0, &answer.via.0, &answer.form, &answer.id.0);
        self.answering.answers[index].attempts += 1;
        self.faults.begin(self.step, true, false);
        let result = service::record_answer(&self.store, &self.policy, &customer, &answer.via, form, self.now).await;
        let crashed = if self.faults.end() { " (crashed)" } else { "" };
        let what = format!(
            "{customer} answers {} ({}) via {}, attempt {}{crashed}",
            answer.kind.name(),
            answer.form,
            answer.via,
            answer.attempts + 1
        );
        match result {
            Ok(answered) => {
                let (id, new) = match &answered {
                    Answered::New(stored) => (&stored.id, true),
                    Answered::Again(stored) => (&stored.id, false),
                };
                let problem = self
                    .answering
                    .forms
                    .answered(&customer.0, &answer.via.0, &answer.form, &id.0, new);
                if let Some(problem) = problem {
                    let ids = [customer.0.clone(), id.0.clone()];
                    self.violate(crate::Invariant::AnswerOnce, answer.form.clone(), &ids, problem);
                }
                let text = format!("{what}: {} {id}", if new { "new" } else { "again" });
                self.taken(index);
                text
            }
            Err(CoreError::InvalidField { field, problem, .. }) => format!("{what}: refused ({field}: {problem})"),
            Err(error @ (CoreError::TooMany(_) | CoreError::NotFound { .. })) => format!("{what}: refused ({error})"),
            Err(error) => {
                if answer.attempts + 1 < ATTEMPTS {
                    let later = self.now + Duration::minutes(self.answering.rng.random_range(30..12 * 60));
                    self.at(later, Act::Answer(index));
                }
                format!("{what}: failed ({error}); the customer tries again later")
            }
        }
    }

    /// The customer was told answer `index` was taken: from now on it holds what it names.
    fn taken(&mut self, index: usize) {
        let answer = &mut self.answering.answers[index];
        if std::mem::replace(&mut answer.taken, true) {
            return;
        }
        let through = match &answer.kind {
            AnswerKind::Promise { pay_by } => Some(Some(*pay_by)),
            AnswerKind::ConfirmReceipt { scheduled_for } => scheduled_for.map(Some),
            AnswerKind::AlreadyPaid { .. } => Some(Some(
                crate::calendar::Workdays::of(&self.world.customers[answer.customer])
                    .after(answer.first_day, self.policy.answers.payment_claim_days),
            )),
            AnswerKind::Dispute { .. } => Some(None),
            AnswerKind::WrongPerson { email, .. } => {
                self.answering.named.entry(email.clone()).or_insert(None);
                None
            }
            // The simulated customers answer on their page only.
            AnswerKind::Reply { .. } | AnswerKind::AutoReply { .. } | AnswerKind::Complaint { .. } => None,
        };
        let Some(through) = through else { return };
        let hold = Hold {
            kind: answer.kind.name(),
            answer: answer.id.0.clone(),
            from: self.now,
            through,
            ended: None,
        };
        for &invoice in &answer.invoices {
            let number = self.world.invoices[invoice].number.clone();
            self.answering.holds.entry(number).or_default().push(hold.clone());
        }
    }

    /// Staff, at their pace, decide the tasks answers opened, by what really happened.
    pub(crate) async fn settle_answers(&mut self, by: &str) -> String {
        let Ok(tasks) = self.store.real().answers_needing_staff().await else {
            return String::new();
        };
        let mut lines = Vec::new();
        for task in tasks {
            let rng = &mut self.answering.rng;
            let due = *self
                .answering
                .staff_due
                .entry(task.id.clone())
                .or_insert_with(|| self.now + Duration::hours(rng.random_range(1..40)));
            let Some(&index) = self.answering.by_id.get(&task.id) else {
                continue;
            };
            if due > self.now {
                continue;
            }
            let decision = match self.answering.answers[index].decision.clone() {
                Some(decision) => decision,
                None => self.decide(index),
            };
            self.faults.begin(self.step, true, false);
            let result =
                service::settle_answer(&self.store, &self.policy, &task.id, decision.clone(), by, self.now).await;
            self.faults.end();
            self.faults.lock().touched.insert(task.customer_id.0.clone());
            lines.push(format!(
                "; {} {} ({}): {}",
                decision.name(),
                task.id,
                task.customer_id,
                result.as_ref().map(|_| "ok".into()).unwrap_or_else(|e| e.to_string())
            ));
            match result {
                Ok(_) => {
                    self.answering.staff_due.remove(&task.id);
                    self.decided(index, &decision);
                }
                Err(CoreError::Conflict(_)) => {
                    self.answering.staff_due.remove(&task.id);
                }
                // Tried again at the next round.
                Err(_) => {}
            }
        }
        lines.concat()
    }

    /// Staff's decision on answer `index`, made once: a payment is confirmed only if the money really
    /// arrived in full; the rest as the world decided when the customer answered.
    fn decide(&mut self, index: usize) -> Decision {
        let answer = &self.answering.answers[index];
        let arrived = answer.invoices.iter().all(|&invoice| {
            let invoice = &self.world.invoices[invoice];
            invoice.owed_minor() <= 0
        });
        let decision = match (&answer.kind, answer.truth) {
            (AnswerKind::AlreadyPaid { .. }, _) if arrived => Decision::ConfirmPayment,
            (AnswerKind::AlreadyPaid { .. }, _) => Decision::RejectPayment {
                reason: "No payment has reached us yet; could you check the reference?".into(),
            },
            (AnswerKind::Dispute { .. }, Truth::Uphold { .. }) => Decision::UpholdDispute {
                note: Some("A corrected invoice follows.".into()),
            },
            (AnswerKind::Dispute { .. }, _) => Decision::RejectDispute {
                reason: "Our delivery note shows the invoice is right.".into(),
            },
            (AnswerKind::WrongPerson { .. }, Truth::Confirm) => Decision::ConfirmContact,
            _ => Decision::RejectContact {
                reason: "We keep writing to the accounts team we have.".into(),
            },
        };
        // A person made up their mind now: a hold they lift ends, a contact they confirm may be written to.
        let id = answer.id.clone();
        match &decision {
            Decision::ConfirmContact => {
                if let AnswerKind::WrongPerson { email, .. } = &answer.kind {
                    self.answering.named.insert(email.clone(), Some(self.now));
                }
            }
            Decision::UpholdDispute { .. } => {}
            _ => self.answering.end_holds(&id, None, self.now),
        }
        self.answering.answers[index].decision = Some(decision.clone());
        decision
    }

    /// What follows staff's decision in the world: the accounting system corrects an invoice staff agreed
    /// was wrong (some days later); the customer's record carries the contact staff confirmed.
    fn decided(&mut self, index: usize, decision: &Decision) {
        let answer = self.answering.answers[index].clone();
        match decision {
            Decision::UpholdDispute { .. } => {
                let later = self.now + Duration::hours(self.answering.rng.random_range(2..120));
                self.at(later, Act::Correct(index));
            }
            Decision::ConfirmContact => {
                if let AnswerKind::WrongPerson { name, email } = &answer.kind {
                    self.world.customers[answer.customer].billing_contacts = vec![Contact {
                        salutation: None,
                        surname: None,
                        name: name.clone(),
                        email: email.clone(),
                        phone: None,
                        bounced: false,
                        standing: Default::default(),
                    }];
                }
            }
            _ => {}
        }
    }

    /// The accounting system corrects the invoices of upheld dispute `index`: voided, or a lower total.
    pub(crate) fn correct(&mut self, index: usize) -> String {
        let answer = self.answering.answers[index].clone();
        let void = matches!(answer.truth, Truth::Uphold { void: true });
        let mut lines = Vec::new();
        for &invoice in &answer.invoices {
            let world = &mut self.world.invoices[invoice];
            if void {
                world.status_by_accounting = Some(crate::world::Settlement::Void);
            } else {
                let unit = 10_i64.pow(crate::world::processor_exponent(world.currency)).max(1);
                let cut = world.total_minor * self.answering.rng.random_range(10..40) / 100;
                world.total_minor -= (cut - cut % unit).max(unit).min(world.total_minor - unit);
            }
            lines.push(format!("{} {}", world.id, if void { "voided" } else { "corrected" }));
            self.faults.lock().touched.insert(world.id.0.clone());
            self.answering.corrections.entry(invoice).or_default().push(index);
            let lag = Duration::hours(self.answering.rng.random_range(1..30));
            self.reimport(invoice, lag);
        }
        format!("accounting corrects after dispute {}: {}", answer.id, lines.join(", "))
    }

    /// kindly imported invoice `index`: a correction it carries ends the upheld disputes waiting for it.
    pub(crate) fn imported(&mut self, index: usize) {
        let Some(disputes) = self.answering.corrections.remove(&index) else {
            return;
        };
        let number = self.world.invoices[index].number.clone();
        for dispute in disputes {
            let id = self.answering.answers[dispute].id.clone();
            self.answering.end_holds(&id, Some(&number), self.now);
        }
    }
}

fn keep_or_break(rng: &mut ChaCha8Rng) -> Truth {
    if rng.random_bool(0.6) {
        Truth::Keep
    } else {
        Truth::Break
    }
}
