//! The simulation: a queue of timed acts on a virtual clock, each one step of the real services, and the
//! invariants checked after every step. Single-threaded and seeded, so a seed reproduces a run exactly.

use crate::answering::Answering;
use crate::backend::{Backend, Kind, tokio_runtime::Runtime};
use crate::calendar;
use crate::faults::{Delivery, FaultRates, Faults, SimMailer, SimStore};
use crate::invariants::{Deliveries, Invariant, Known};
use crate::mail_acts::FeedbackState;
use crate::mailsystem::MailSystem;
use crate::planning::Planning;
use crate::processor::{Acknowledged, ProcessorEvent};
use crate::replies::Replies;
use crate::reply_acts::ReplyState;
use crate::trace::Trace;
use crate::world::{self, World};
use axum::Router;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use kindly_core::{Policy, ReminderId};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::{BTreeMap, BTreeSet};

/// What to simulate.
#[derive(Debug, Clone)]
pub struct Options {
    pub seed: u64,
    pub days: u32,
    pub customers: usize,
    /// `None`: chosen by the seed.
    pub faults: Option<FaultRates>,
    /// Trace lines shown with each violation.
    pub excerpt: usize,
    pub store: Kind,
}

impl Options {
    pub fn new(seed: u64, days: u32) -> Options {
        Options {
            seed,
            days,
            customers: 500,
            faults: None,
            excerpt: 12,
            store: Kind::Sqlite,
        }
    }
}

/// One broken promise: which, when, what happened, and the trace lines that led to it.
#[derive(Debug, Clone)]
pub struct Violation {
    pub invariant: Invariant,
    pub at: DateTime<Utc>,
    pub what: String,
    pub trace: Vec<String>,
}

/// What a run did.
#[derive(Debug)]
pub struct Outcome {
    pub seed: u64,
    pub violations: Vec<Violation>,
    pub trace_hash: String,
    pub steps: u64,
    pub messages: usize,
    /// Answers customers gave, and how many of them kindly took.
    pub answers: (usize, usize),
    /// The mail system's notifications (replies aside), the messages kindly recorded undelivered, and the
    /// contacts staff fixed.
    pub feedback: (usize, usize, u32),
    /// Replies people wrote, replies their mailboxes wrote, and people's replies staff marked read.
    pub replies: (usize, usize, usize),
    /// Payment plans customers asked for (and kindly took), plans customers paid on, and those whose
    /// customer stopped paying.
    pub plans: (usize, usize, usize),
    pub faults: FaultRates,
}

/// Whether a scheduled invocation runs alone or together with a duplicate of itself, interleaved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Twin {
    Alone,
    Joined,
}

/// Something that happens at an instant.
#[derive(Debug, Clone)]
pub enum Act {
    /// The daily pass, as EventBridge invokes `scan` (with the scheduled time as its `now`).
    Scan { scheduled: DateTime<Utc>, twin: Twin },
    /// The hourly send, as EventBridge invokes `send`.
    Send { scheduled: DateTime<Utc>, twin: Twin },
    /// The accounting system sends its current copy of an invoice (first arrival or re-import).
    Import(usize),
    /// A customer pays (the invoice's n-th planned payment).
    Pay { invoice: usize, payment: usize },
    /// A bank debit in processing resolves.
    DebitOutcome { invoice: usize, payment: usize },
    /// Money goes back (the n-th payment's refund), reported as a running total.
    Refund { invoice: usize, payment: usize, part: u8 },
    /// The accounting system voids the invoice or marks it disputed.
    Settle(usize),
    /// Stripe posts an event to the webhook (`retry`: a failure is retried later).
    Deliver { event: usize, attempt: u32, retry: bool },
    /// Staff look at the drafts waiting for them.
    Staff,
    /// Staff pause some customers.
    Pause,
    /// The reminder policy changes.
    PolicyChange,
    /// The end of business day checks for the customers whose evening it is.
    Check,
    /// A customer sends the n-th answer from their page (again, after a failure or a double click).
    Answer(usize),
    /// The accounting system corrects the invoices of the n-th answer, a dispute staff upheld.
    Correct(usize),
    /// The mail system delivers its n-th notification to kindly (again, after a failure or as a duplicate).
    Feedback { notification: usize, attempt: u32 },
    /// The accounting system sends its copy of the n-th customer.
    ReimportCustomer(usize),
    /// A customer asks for the n-th payment plan on their page (again, after a failure).
    AskPlan(usize),
}

pub struct Sim {
    pub(crate) options: Options,
    pub(crate) rng: ChaCha8Rng,
    pub(crate) world: World,
    pub(crate) store: SimStore,
    pub(crate) faults: Faults,
    pub(crate) mailer: SimMailer,
    pub(crate) policy: Policy,
    pub(crate) policy_changed_at: Option<DateTime<Utc>>,
    pub(crate) router: Router,
    queue: BTreeMap<(DateTime<Utc>, u64), Act>,
    sequence: u64,
    pub(crate) step: u64,
    pub(crate) now: DateTime<Utc>,
    pub(crate) trace: Trace,
    pub(crate) events: Vec<ProcessorEvent>,
    pub(crate) acknowledged: Vec<Acknowledged>,
    /// Per invoice: changes kindly has not been told yet (events in flight, re-imports scheduled).
    pub(crate) unsynced: Vec<u32>,
    /// Per invoice: processor events not yet answered 2xx (nor given up on by the processor).
    pub(crate) events_in_flight: Vec<u32>,
    pub(crate) open_since: Vec<Option<NaiveDate>>,
    pub(crate) known: Known,
    pub(crate) deliveries: Deliveries,
    pub(crate) discount_notes: crate::discount_invariants::Notes,
    pub(crate) last_message: Vec<Option<DateTime<Utc>>>,
    /// Per customer, the tone their conversation reached (`tone-never-falls-back`).
    pub(crate) conversations: crate::conversation_invariants::Conversations,
    pub(crate) pauses: Vec<Vec<(NaiveDate, NaiveDate)>>,
    pub(crate) staff_due: BTreeMap<ReminderId, (DateTime<Utc>, u32)>,
    pub(crate) by_number: BTreeMap<String, usize>,
    pub(crate) invoices_of: Vec<Vec<usize>>,
    pub(crate) answering: Answering,
    pub(crate) planning: Planning,
    pub(crate) mail: MailSystem,
    pub(crate) replies: ReplyState,
    pub(crate) feedback: FeedbackState,
    reported: BTreeSet<(Invariant, String)>,
    pub(crate) violations: Vec<Violation>,
    inbox_seen: usize,
    /// The Tokio runtime the DynamoDB store needs (none for SQLite: a plain single-threaded executor).
    runtime: Option<Runtime>,
}

/// The zone the schedules are read in (the template's default).
pub const SCHEDULE_ZONE: chrono_tz::Tz = chrono_tz::Europe::London;

impl Sim {
    pub fn new(options: Options) -> Sim {
        let stream = |n: u64| {
            let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
            rng.set_stream(n);
            rng
        };
        let mut world_rng = stream(1);
        let world = world::generate(&mut world_rng, options.customers, options.days);
        let rates = options.faults.unwrap_or_else(|| FaultRates::for_seed(&mut stream(2)));
        let faults = Faults::new(rates, stream(3));
        let runtime = new_runtime(options.store);
        let store = SimStore::new(Backend::fresh(options.store, runtime.as_ref()), faults.clone());
        // As every deployed function has it: the policy carries the send's business hours, so each customer
        // is planned for the local day their message goes out on (KINDLY_BUSINESS_HOURS on AWS).
        let mut policy = Policy::default_policy();
        policy.sending_hours = crate::deployment::window();
        let router = crate::deployment::router(&store, &policy);
        let invoices = world.invoices.len();
        let customers = world.customers.len();
        let mut invoices_of = vec![Vec::new(); customers];
        let mut by_number = BTreeMap::new();
        for (index, invoice) in world.invoices.iter().enumerate() {
            invoices_of[invoice.customer].push(index);
            by_number.insert(invoice.number.clone(), index);
        }
        let start = world::local_instant(chrono_tz::UTC, world.start, 0, 0);
        let answering = Answering::new(stream(5));
        let planning = Planning::new(stream(8));
        let mail = MailSystem::generate(stream(6), &world.customers, world.start, options.days);
        let replies = Replies::generate(stream(7), &world.customers, world.start, options.days);
        Sim {
            mailer: SimMailer {
                faults: faults.clone(),
                clock: calendar::now,
            },
            rng: stream(4),
            options,
            world,
            store,
            faults,
            policy,
            policy_changed_at: None,
            router,
            queue: BTreeMap::new(),
            sequence: 0,
            step: 0,
            now: start,
            trace: Trace::default(),
            events: Vec::new(),
            acknowledged: vec![Acknowledged::default(); invoices],
            unsynced: vec![0; invoices],
            events_in_flight: vec![0; invoices],
            open_since: vec![None; invoices],
            known: Known::default(),
            deliveries: Deliveries::default(),
            discount_notes: Default::default(),
            last_message: vec![None; customers],
            conversations: crate::conversation_invariants::Conversations::new(customers),
            pauses: vec![Vec::new(); customers],
            staff_due: BTreeMap::new(),
            by_number,
            invoices_of,
            answering,
            planning,
            mail,
            replies: ReplyState::new(replies),
            feedback: FeedbackState::default(),
            reported: BTreeSet::new(),
            violations: Vec::new(),
            inbox_seen: 0,
            runtime,
        }
    }

    pub fn at(&mut self, when: DateTime<Utc>, act: Act) {
        // Once the world runs, its clock only runs forward: an act in the past would run under a false date.
        assert!(
            self.step == 0 || when >= self.now,
            "{act:?} scheduled for {when}, before now ({})",
            self.now
        );
        self.sequence += 1;
        self.queue.insert((when, self.sequence), act);
    }

    /// A scheduled invocation as EventBridge makes it: inside the 15-minute flexible window, now and then
    /// late (a retry), now and then twice (one after the other, or both at once).
    fn invoke(&mut self, scheduled: DateTime<Utc>, make: fn(DateTime<Utc>, Twin) -> Act) {
        let rates = self.faults.lock().rates;
        let mut fire = scheduled + Duration::seconds(self.rng.random_range(0..900));
        if rates.late > 0.0 && self.rng.random_bool(rates.late) {
            fire += Duration::minutes(self.rng.random_range(15..60));
        }
        let twice = rates.twice > 0.0 && self.rng.random_bool(rates.twice);
        if twice && self.rng.random_bool(0.5) {
            self.at(fire, make(scheduled, Twin::Joined));
            return;
        }
        self.at(fire, make(scheduled, Twin::Alone));
        if twice {
            let again = fire + Duration::seconds(self.rng.random_range(5..1200));
            self.at(again, make(scheduled, Twin::Alone));
        }
    }

    /// Put the whole year's schedule and the world's own timeline on the queue.
    fn schedule(&mut self) {
        let days = i64::from(self.options.days);
        for day in 0..days {
            let date = self.world.start + chrono::Days::new(day as u64);
            let scan = world::local_instant(SCHEDULE_ZONE, date, 6, 0);
            self.invoke(scan, |scheduled, twin| Act::Scan { scheduled, twin });
            let midnight = world::local_instant(chrono_tz::UTC, date, 0, 0);
            for hour in 0..24 {
                let top = midnight + Duration::hours(hour);
                self.invoke(top + Duration::minutes(15), |scheduled, twin| Act::Send {
                    scheduled,
                    twin,
                });
                self.at(top + Duration::minutes(40), Act::Staff);
                self.at(top + Duration::minutes(59), Act::Check);
            }
            self.at(midnight + Duration::hours(10), Act::Pause);
        }
        let middle = world::local_instant(chrono_tz::UTC, self.world.start, 12, 0) + Duration::days(days / 2);
        self.at(middle, Act::PolicyChange);
        for index in 0..self.world.invoices.len() {
            let invoice = &self.world.invoices[index];
            let (arrives, settlement) = (invoice.arrives_at, invoice.settlement);
            let payments: Vec<DateTime<Utc>> = invoice.payments.iter().map(|payment| payment.at).collect();
            self.unsynced[index] += 1;
            self.at(arrives, Act::Import(index));
            for (payment, at) in payments.into_iter().enumerate() {
                self.at(
                    at,
                    Act::Pay {
                        invoice: index,
                        payment,
                    },
                );
            }
            if let Some((_, at)) = settlement {
                self.at(at, Act::Settle(index));
            }
        }
    }

    /// Run to the end of the last day and report.
    pub fn run(mut self) -> Outcome {
        self.schedule();
        let runtime = self.runtime.take();
        block_on(runtime.as_ref(), self.register_customers());
        let end = self.now + Duration::days(i64::from(self.options.days));
        while let Some(((at, _), act)) = self.queue.pop_first() {
            if at >= end {
                break;
            }
            self.now = at;
            calendar::set(at);
            self.step += 1;
            let text = block_on(runtime.as_ref(), self.perform(act));
            let touched = std::mem::take(&mut self.faults.lock().touched);
            self.trace.record(self.step, at, text, touched);
            let delivered = block_on(runtime.as_ref(), self.check_step());
            for delivery in &delivered {
                // A customer answers only a message that reached them.
                if self.mail.reached_someone(delivery) {
                    self.consider_answering(delivery);
                    self.consider_plan(delivery);
                }
                self.mail_feedback(delivery);
                self.replies_to(delivery);
            }
        }
        let messages = self.faults.lock().inbox.len();
        let given = &self.answering.answers;
        let answers = (given.len(), given.iter().filter(|answer| answer.taken).count());
        Outcome {
            answers,
            feedback: self
                .feedback
                .counts(self.mail.notifications.len() - self.replies.written()),
            replies: self.replies.counts(),
            plans: self.planning.counts,
            seed: self.options.seed,
            trace_hash: self.trace.hash(),
            steps: self.step,
            messages,
            faults: self.faults.lock().rates,
            violations: self.violations,
        }
    }

    /// Record a violation once per `key`, with the trace lines that touched `ids`.
    pub(crate) fn violate(&mut self, invariant: Invariant, key: String, ids: &[String], what: String) {
        if !self.reported.insert((invariant, key)) {
            return;
        }
        let trace = self.trace.excerpt(ids, self.options.excerpt);
        self.violations.push(Violation {
            invariant,
            at: self.now,
            what,
            trace,
        });
    }

    /// The checks after every step: the inbox's new messages (1, 2, 3, 5 and the answers' holds, contacts
    /// and acknowledgements), the reminders written (6), the invoices written (4), the answers written;
    /// then kindly's knowledge moves on. Returns the new messages, which customers now read.
    async fn check_step(&mut self) -> Vec<Delivery> {
        let (new, reminders, invoices, answers) = {
            let mut state = self.faults.lock();
            let new: Vec<_> = state.inbox[self.inbox_seen..].to_vec();
            self.inbox_seen = state.inbox.len();
            (
                new,
                std::mem::take(&mut state.touched_reminders),
                std::mem::take(&mut state.touched_invoices),
                std::mem::take(&mut state.touched_answers),
            )
        };
        for delivery in &new {
            self.check_delivery(delivery).await;
        }
        for id in reminders {
            self.check_reminder(&id).await;
        }
        for id in invoices {
            self.check_invoice(&id).await;
        }
        for id in answers {
            self.check_answer(&id).await;
        }
        new
    }
}

#[cfg(feature = "dynamo")]
fn new_runtime(kind: Kind) -> Option<Runtime> {
    (kind == Kind::Dynamo).then(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a single-threaded Tokio runtime starts")
    })
}

#[cfg(not(feature = "dynamo"))]
fn new_runtime(_: Kind) -> Option<Runtime> {
    None
}

/// Run one step to completion on this thread: on the Tokio runtime when the store needs one.
#[cfg(feature = "dynamo")]
fn block_on<F: std::future::Future>(runtime: Option<&Runtime>, future: F) -> F::Output {
    match runtime {
        Some(runtime) => runtime.block_on(future),
        None => futures::executor::block_on(future),
    }
}

#[cfg(not(feature = "dynamo"))]
fn block_on<F: std::future::Future>(_: Option<&Runtime>, future: F) -> F::Output {
    futures::executor::block_on(future)
}

impl Outcome {
    /// How many violations of each invariant.
    pub fn counts(&self) -> BTreeMap<&'static str, usize> {
        let mut counts = BTreeMap::new();
        for violation in &self.violations {
            *counts.entry(violation.invariant.name()).or_default() += 1;
        }
        counts
    }
}
