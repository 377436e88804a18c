//! The mail system's feedback in the simulation: each accepted message's notifications delivered to
//! `record_mail_event` (late, twice, out of order, retried after a failure), staff fixing the contact of
//! an undelivered message from the tasks inbox, the accounting system re-importing a customer with the
//! old address meanwhile — and the glue to the feedback invariants ([`crate::mail_invariants`]).

use crate::faults::Delivery;
use crate::invariants::Invariant;
use crate::mail_invariants::{self, Fixes, Snapshot, Unsaid};
use crate::mailsystem::{MailSystem, summary};
use crate::sim::{Act, Sim};
use crate::staff::STAFF;
use chrono::{DateTime, Duration, Utc};
use kindly_core::feedback::{BounceKind, MailEvent, MailEventKind};
use kindly_core::service::{self, FeedbackOutcome};
use kindly_core::tasks::{TaskAction, TaskKind};
use kindly_core::{Reminder, ReminderId, ReminderStatus, Store};
use rand::Rng;
use std::collections::{BTreeMap, BTreeSet};

/// What the simulation keeps of the feedback: the invariants' state and staff's plans.
#[derive(Default)]
pub struct FeedbackState {
    /// Per customer: every address kindly's store showed blocked, less those staff replaced.
    pub blocked: BTreeMap<usize, BTreeSet<String>>,
    pub unsaid: Unsaid,
    pub fixes: Fixes,
    /// Undelivered moves seen per reminder.
    undelivered_seen: BTreeMap<ReminderId, usize>,
    /// Reminders kindly holds undelivered now: staff have a task.
    pub undelivered: BTreeSet<ReminderId>,
    /// When staff will fix each undelivered task's contact.
    fix_due: BTreeMap<ReminderId, DateTime<Utc>>,
    fixed_addresses: u32,
    fixed_addresses_ok: u32,
    /// Per address: the transient bounces the mail system sent, and those kindly took (with their time).
    soft_sent: BTreeMap<String, BTreeSet<String>>,
    soft_taken: BTreeMap<String, Vec<(String, DateTime<Utc>)>>,
}

impl FeedbackState {
    /// Notifications sent, undelivered moves kindly recorded, contacts staff fixed.
    pub fn counts(&self, notifications: usize) -> (usize, usize, u32) {
        let undelivered = self.undelivered_seen.values().sum();
        (notifications, undelivered, self.fixed_addresses_ok)
    }
}

/// The addresses a transient bounce is about (none for any other notification).
fn transient(event: &MailEvent) -> Vec<String> {
    match &event.kind {
        MailEventKind::Bounced {
            bounce: BounceKind::Transient,
            recipients,
        } => recipients.iter().map(|r| r.email.to_ascii_lowercase()).collect(),
        _ => Vec::new(),
    }
}

fn number_of(invoice: &kindly_core::InvoiceId) -> String {
    format!("SIM-{}", &invoice.0[1..])
}

impl Sim {
    /// The provider accepted `delivery`: the mail system's notifications about it are on their way.
    pub(crate) fn mail_feedback(&mut self, delivery: &Delivery) {
        let Some(customer) = crate::checks::customer_index(&delivery.customer) else {
            return;
        };
        for scheduled in self.mail.feedback(delivery, customer) {
            let event = &self.mail.notifications[scheduled.notification].event;
            for address in transient(event) {
                let sent = self.feedback.soft_sent.entry(address);
                sent.or_default().insert(event.event_id.clone());
            }
            let notification = scheduled.notification;
            for delay in std::iter::once(scheduled.first).chain(scheduled.again) {
                self.at(
                    delivery.at + delay,
                    Act::Feedback {
                        notification,
                        attempt: 1,
                    },
                );
            }
        }
    }

    /// One delivery of a notification to `record_mail_event`, with the seed's faults; a failure is offered
    /// again later. A notification kindly took before must change nothing.
    pub(crate) async fn deliver_feedback(&mut self, index: usize, attempt: u32) -> String {
        let notification = self.mail.notifications[index].clone();
        let event = &notification.event;
        let Some(reminder) = event.reminder.clone() else {
            return String::new();
        };
        let before = match notification.taken {
            true => Some(self.snapshot(&reminder).await),
            false => None,
        };
        self.faults.begin(self.step, true, false);
        let result = service::record_mail_event(&self.store, &self.policy, event, self.now).await;
        let crashed = if self.faults.end() { " (crashed)" } else { "" };
        let customer_id = self.world.customers[notification.customer].id.0.clone();
        self.faults
            .lock()
            .touched
            .extend([customer_id.clone(), reminder.0.clone()]);
        let text = format!(
            "mail system tells kindly {} ({}) about {reminder}, attempt {attempt}{crashed}: {}",
            event.event_id,
            summary(event),
            match &result {
                Ok(FeedbackOutcome::Replied { answer, .. }) => format!(
                    "answer {} ({}, {})",
                    answer.id,
                    answer.kind.name(),
                    answer.state.as_str()
                ),
                Ok(outcome) => format!("{outcome:?}"),
                Err(error) => error.to_string(),
            }
        );
        match result {
            Ok(_) if !notification.taken => {
                self.mail.notifications[index].taken = true;
                for address in transient(event) {
                    let taken = self.feedback.soft_taken.entry(address);
                    taken.or_default().push((event.event_id.clone(), event.at));
                }
                if self.replies.is_reply(index) {
                    self.reply_taken(index).await;
                }
            }
            Ok(_) => {}
            Err(_) => {
                let later = self.now + MailSystem::retry_after(attempt);
                let next = Act::Feedback {
                    notification: index,
                    attempt: attempt + 1,
                };
                self.at(later, next);
            }
        }
        if let Some(before) = before {
            let after = self.snapshot(&reminder).await;
            if let Some(problem) = mail_invariants::repeated_changed(&event.event_id, &before, &after) {
                let key = format!("{}:{attempt}", event.event_id);
                self.violate(Invariant::FeedbackOnce, key, &[customer_id, reminder.0], problem);
            }
        }
        self.learn_standing(notification.customer).await;
        text
    }

    async fn snapshot(&self, id: &ReminderId) -> Snapshot {
        let store = self.store.real();
        let reminder = store.reminder(id).await.ok().flatten();
        let (customer, invoices, answers) = match &reminder {
            Some(reminder) => (
                store.customer(&reminder.customer_id).await.ok().flatten(),
                store.invoices(&reminder.invoice_ids()).await.unwrap_or_default(),
                store
                    .answers_of_customer(&reminder.customer_id)
                    .await
                    .unwrap_or_default(),
            ),
            None => (None, Vec::new(), Vec::new()),
        };
        Snapshot {
            reminder,
            customer,
            invoices,
            answers,
        }
    }

    /// After the customer's record may have changed: learn the addresses kindly blocked, and hold the
    /// record to what was blocked before and to the transient bounces kindly took.
    pub(crate) async fn learn_standing(&mut self, customer: usize) {
        let id = self.world.customers[customer].id.clone();
        let Ok(Some(stored)) = self.store.real().customer(&id).await else {
            return;
        };
        let ids = [id.0.clone()];
        let known = self.feedback.blocked.entry(customer).or_default();
        for problem in mail_invariants::unblocked(&stored, known) {
            self.violate(Invariant::NothingToBlocked, problem.clone(), &ids, problem);
        }
        let known = self.feedback.blocked.entry(customer).or_default();
        let contacts = stored.billing_contacts.iter().chain(stored.escalation_contact.iter());
        for contact in contacts.clone().filter(|contact| contact.bounced) {
            known.insert(contact.email.to_ascii_lowercase());
        }
        let window = Duration::days(i64::from(self.policy.mail_feedback.soft_bounce_days));
        let mut problems = Vec::new();
        for contact in contacts {
            let address = contact.email.to_ascii_lowercase();
            let empty = BTreeSet::new();
            let sent = self.feedback.soft_sent.get(&address).unwrap_or(&empty);
            let taken = self.feedback.soft_taken.get(&address).map_or(&[][..], Vec::as_slice);
            let stored = &contact.standing.soft_bounces;
            problems.extend(mail_invariants::soft_bounces_exact(
                &address, stored, taken, sent, window,
            ));
        }
        for problem in problems {
            self.violate(Invariant::FeedbackOnce, problem.clone(), &ids, problem);
        }
    }

    /// The accounting system sends its copy of the customer, with the addresses it knows.
    pub(crate) async fn reimport_customer(&mut self, customer: usize) -> String {
        let copy = self.world.customers[customer].clone();
        self.faults.begin(self.step, true, false);
        let result = service::ingest_customer(&self.store, &self.policy, &copy, self.now).await;
        self.faults.end();
        self.faults.lock().touched.insert(copy.id.0.clone());
        self.learn_standing(customer).await;
        let emails: Vec<&str> = copy.billing_contacts.iter().map(|c| c.email.as_str()).collect();
        format!(
            "accounting re-imports {} ({}): {}",
            copy.id,
            emails.join(", "),
            result.map(|_| "ok".into()).unwrap_or_else(|e| e.to_string())
        )
    }

    /// Staff work the undelivered tasks in the inbox: some days after one appears, they find the
    /// customer's working address and fix the contact (now and then the accounting system sends its old
    /// copy of the customer in between).
    pub(crate) async fn fix_contacts(&mut self) -> String {
        if self.feedback.undelivered.is_empty() {
            return String::new();
        }
        let Ok(inbox) = service::open_tasks(self.store.real(), &self.policy, self.now).await else {
            return String::new();
        };
        let mut lines = Vec::new();
        for task in inbox.open.iter().filter(|task| task.kind == TaskKind::Undelivered) {
            let id = ReminderId(task.id.clone());
            let Some(customer) = crate::checks::customer_index(&task.customer_id.0) else {
                continue;
            };
            let due = match self.feedback.fix_due.get(&id) {
                Some(due) => *due,
                None => {
                    let lead = Duration::hours(self.rng.random_range(20..120));
                    if self.rng.random_bool(0.3) {
                        let between = Duration::hours(self.rng.random_range(1..lead.num_hours()));
                        self.at(self.now + between, Act::ReimportCustomer(customer));
                    }
                    self.feedback.fix_due.insert(id.clone(), self.now + lead);
                    self.now + lead
                }
            };
            if due > self.now {
                continue;
            }
            self.feedback.fixed_addresses += 1;
            let new = format!("ap{}@c{customer:04}.example", self.feedback.fixed_addresses);
            self.mail.works(&new);
            self.faults.begin(self.step, false, false);
            let result = service::do_task(
                &self.store,
                &self.policy,
                &task.id,
                TaskAction::FixContact,
                None,
                Some(new.clone()),
                None,
                STAFF[1],
                self.now,
            )
            .await;
            self.faults.end();
            lines.push(format!(
                "; fix contact of {id} ({}) to {new}: {}",
                task.customer_id,
                result.as_ref().map(|_| "ok".into()).unwrap_or_else(|e| e.to_string())
            ));
            if result.is_err() {
                // Staff look again tomorrow.
                self.feedback.fix_due.insert(id, self.now + Duration::days(1));
                continue;
            }
            self.feedback.fix_due.remove(&id);
            self.feedback.fixed_addresses_ok += 1;
            self.fixed(customer, &id, &new).await;
        }
        lines.concat()
    }

    /// Staff fixed the contact of `id` to `new`: the accounting system has it too now, the old address is
    /// no longer the customer's, and the stage may go to the new one once.
    async fn fixed(&mut self, customer: usize, id: &ReminderId, new: &str) {
        let store = self.store.real();
        let (Ok(Some(stored)), Ok(Some(reminder))) = (
            store.customer(&self.world.customers[customer].id).await,
            store.reminder(id).await,
        ) else {
            return;
        };
        let now_known: BTreeSet<String> = stored
            .billing_contacts
            .iter()
            .chain(stored.escalation_contact.iter())
            .map(|contact| contact.email.to_ascii_lowercase())
            .collect();
        let world = &mut self.world.customers[customer];
        for contact in world
            .billing_contacts
            .iter_mut()
            .chain(world.escalation_contact.iter_mut())
        {
            if !now_known.contains(&contact.email.to_ascii_lowercase()) {
                if let Some(known) = self.feedback.blocked.get_mut(&customer) {
                    known.remove(&contact.email.to_ascii_lowercase());
                }
                contact.email = new.to_owned();
            }
        }
        let covered: Vec<(String, String)> = reminder
            .covers
            .iter()
            .map(|covered| (number_of(&covered.invoice_id), covered.stage_id.clone()))
            .collect();
        let covered = mail_invariants::per_message(&covered, &reminder.stage_id, &reminder.id.0);
        self.feedback.fixes.fixed(&covered, new, self.now);
    }

    /// A message handed to the mailer, against the feedback invariants.
    pub(crate) async fn check_mail_delivery(
        &mut self,
        delivery: &Delivery,
        customer: usize,
        covered: &[(String, String)],
        ids: &[String],
    ) {
        let key = |what: &str| format!("{}:{what}", delivery.reminder);
        let blocked = self.feedback.blocked.get(&customer).cloned().unwrap_or_default();
        for problem in mail_invariants::to_blocked(delivery, &blocked) {
            self.violate(Invariant::NothingToBlocked, key(&problem), ids, problem);
        }
        let ladder: Vec<(String, usize)> = covered
            .iter()
            .filter_map(|(number, stage)| Some((number.clone(), self.policy.stage_index(stage)?)))
            .collect();
        if crate::answer_invariants::on_ladder(&delivery.stage) {
            let problems = self.feedback.unsaid.sent(&delivery.reminder, &ladder);
            if !problems.is_empty() {
                // The customer's story: each of their ladder reminders and its last moves.
                let id = kindly_core::CustomerId(delivery.customer.clone());
                let reminders = self.store.real().reminders_of_customer(&id).await.unwrap_or_default();
                let story: Vec<String> = reminders
                    .iter()
                    .filter(|reminder| !reminder.is_off_ladder())
                    .map(|reminder| {
                        let steps: Vec<String> = reminder
                            .history
                            .iter()
                            .rev()
                            .take(4)
                            .map(|step| format!("{} {}→{}", step.at.format("%m-%d %H:%M"), step.from, step.to))
                            .collect();
                        format!("{} {} [{}]", reminder.id, reminder.stage_id, steps.join(", "))
                    })
                    .collect();
                for problem in problems {
                    let what = format!("{problem}; the customer's reminders: {}", story.join(" | "));
                    self.violate(Invariant::UndeliveredNotSaid, key(&problem), ids, what);
                }
            }
        }
        let per_message = mail_invariants::per_message(covered, &delivery.stage, &delivery.reminder);
        for problem in self.feedback.fixes.sent(delivery, &per_message) {
            self.violate(Invariant::FixedOnce, key(&problem), ids, problem);
        }
    }

    /// A reminder kindly wrote: its feedback lines once each; an undelivered move makes its stages unsaid
    /// (and lets the stage go out again without counting as a second message).
    pub(crate) fn check_reminder_feedback(&mut self, reminder: &Reminder) {
        let ids = [reminder.customer_id.0.clone(), reminder.id.0.clone()];
        if let Some(problem) = mail_invariants::duplicated_line(reminder) {
            self.violate(Invariant::FeedbackOnce, reminder.id.0.clone(), &ids, problem);
        }
        if reminder.status == ReminderStatus::Undelivered {
            self.feedback.undelivered.insert(reminder.id.clone());
        } else {
            self.feedback.undelivered.remove(&reminder.id);
        }
        let ladder: Vec<(String, usize)> = reminder
            .covers
            .iter()
            .filter_map(|covered| {
                Some((
                    number_of(&covered.invoice_id),
                    self.policy.stage_index(&covered.stage_id)?,
                ))
            })
            .collect();
        let task_done = reminder.status == ReminderStatus::Sent && reminder.draft.is_none();
        if reminder.status == ReminderStatus::Skipped || task_done {
            self.feedback.unsaid.decided(&ladder);
        }
        let moves = reminder
            .history
            .iter()
            .filter(|step| step.to == ReminderStatus::Undelivered)
            .count();
        let seen = self.feedback.undelivered_seen.entry(reminder.id.clone()).or_default();
        if moves <= *seen {
            return;
        }
        *seen = moves;
        if reminder.is_off_ladder() {
            self.deliveries.forget(&reminder.id.0);
            return;
        }
        self.feedback.unsaid.undelivered(&reminder.id.0, &ladder);
        self.deliveries.forget(&reminder.id.0);
    }
}
