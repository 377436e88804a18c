//! Customers' replies in the simulation: the replies to each message that reached someone, passed on to
//! kindly as the mail system's notifications (late, twice, retried after a failure: [`crate::mail_acts`]);
//! staff who read a person's reply some hours later, or never (its pause then runs out); and the glue to
//! the reply invariants ([`crate::reply_invariants`]).

use crate::answer_invariants::on_ladder;
use crate::checks::customer_index;
use crate::faults::Delivery;
use crate::invariants::Invariant;
use crate::replies::{Replies, Writer};
use crate::reply_invariants::{self, ReplyHold, ReplyKey, ReplyLedger};
use crate::sim::{Act, Sim};
use chrono::{DateTime, NaiveDate, Utc};
use kindly_core::answer::{Answer, AnswerId, AnswerState};
use kindly_core::service;
use kindly_core::tasks::TaskAction;
use kindly_core::{CustomerId, Store};
use std::collections::BTreeMap;

/// What the simulation keeps of the replies: the world's, what kindly has, and staff's plans.
pub struct ReplyState {
    pub world: Replies,
    pub ledger: ReplyLedger,
    /// By notification: the reply's key and who wrote it.
    written: BTreeMap<usize, (ReplyKey, Writer)>,
    /// The replies kindly has (an answer stored for them), each with its answer.
    known: BTreeMap<ReplyKey, AnswerId>,
    /// By customer: how long the replies kindly has hold them.
    holds: BTreeMap<usize, Vec<ReplyHold>>,
    /// A person's replies waiting for staff, and when staff read each (`None`: never).
    unread: BTreeMap<AnswerId, Option<DateTime<Utc>>>,
    people: usize,
    mailboxes: usize,
    read: usize,
}

impl ReplyState {
    pub fn new(world: Replies) -> ReplyState {
        ReplyState {
            world,
            ledger: ReplyLedger::default(),
            written: BTreeMap::new(),
            known: BTreeMap::new(),
            holds: BTreeMap::new(),
            unread: BTreeMap::new(),
            people: 0,
            mailboxes: 0,
            read: 0,
        }
    }

    /// Replies people wrote, replies mailboxes wrote, and people's replies staff marked read.
    pub fn counts(&self) -> (usize, usize, usize) {
        (self.people, self.mailboxes, self.read)
    }

    /// Whether a reply kindly has still holds `customer` on their local `day`, as the world reckons it.
    pub fn holds_customer_on(&self, customer: usize, day: NaiveDate) -> bool {
        self.holds
            .get(&customer)
            .is_some_and(|holds| holds.iter().any(|hold| hold.holds_day(day)))
    }

    /// How many replies the world wrote.
    pub fn written(&self) -> usize {
        self.written.len()
    }

    /// Whether notification `index` is a reply.
    pub fn is_reply(&self, index: usize) -> bool {
        self.written.contains_key(&index)
    }
}

impl Sim {
    /// A message reached the customer: the replies to it are on their way to kindly.
    pub(crate) fn replies_to(&mut self, delivery: &Delivery) {
        let Some(customer) = customer_index(&delivery.customer).filter(|&c| c < self.world.customers.len()) else {
            return;
        };
        let reached = self.mail.reached(delivery);
        let zone = self.world.customers[customer].time_zone;
        let ladder = on_ladder(&delivery.stage);
        let written = self
            .replies
            .world
            .replies_to(delivery, &reached, customer, zone, ladder);
        for reply in written {
            let event = &reply.notification.event;
            let kindly_core::feedback::MailEventKind::Replied(said) = &event.kind else {
                continue;
            };
            let key = ReplyKey {
                customer: delivery.customer.clone(),
                via: delivery.reminder.clone(),
                at: event.at,
                from: said.from.to_ascii_lowercase(),
            };
            match reply.writer {
                Writer::Person => self.replies.people += 1,
                Writer::Mailbox { .. } => self.replies.mailboxes += 1,
            }
            let notification = self.mail.notifications.len();
            self.replies.ledger.sent(key.clone(), reply.writer);
            self.replies.written.insert(notification, (key, reply.writer));
            self.mail.notifications.push(reply.notification);
            for after in reply.deliveries {
                self.at(
                    delivery.at + after,
                    Act::Feedback {
                        notification,
                        attempt: 1,
                    },
                );
            }
        }
    }

    /// kindly took reply notification `index` for the first time: an answer has it now.
    pub(crate) async fn reply_taken(&mut self, index: usize) {
        let Some((key, _)) = self.replies.written.get(&index).cloned() else {
            return;
        };
        let id = CustomerId(key.customer.clone());
        let answers = self.store.real().answers_of_customer(&id).await.unwrap_or_default();
        if let Some(problem) = self.replies.ledger.taken(&key, &answers) {
            let what = format!("{}:{}", key.via, key.at);
            self.violate(Invariant::ReplyOnce, what, &[key.customer, key.via], problem);
        }
    }

    /// An answer kindly wrote that came by mail: the customer's answers from replies are one per reply,
    /// each as what it is; the first time kindly has a reply, its hold begins (and staff plan to read a
    /// person's); a mailbox's reply is no task.
    pub(crate) async fn check_email_answer(&mut self, answer: &Answer) {
        let Some(key) = ReplyKey::of_answer(answer) else {
            return;
        };
        let Some(customer) = customer_index(&key.customer).filter(|&c| c < self.world.customers.len()) else {
            return;
        };
        let ids = [key.customer.clone(), answer.id.0.clone()];
        let answers = self
            .store
            .real()
            .answers_of_customer(&answer.customer_id)
            .await
            .unwrap_or_default();
        for problem in self.replies.ledger.stored(&answers) {
            self.violate(Invariant::ReplyOnce, problem.clone(), &ids, problem);
        }
        let Some(writer) = self.replies.ledger.writer(answer) else {
            return;
        };
        if !self.replies.known.contains_key(&key) {
            self.replies.known.insert(key.clone(), answer.id.clone());
            let zone = self.world.customers[customer].time_zone;
            let written_on = key.at.with_timezone(&zone).date_naive();
            let pause = self.policy.mail_feedback.reply_pause_days;
            if let Some(hold) = ReplyHold::of(
                writer,
                written_on,
                pause,
                &answer.id.0,
                self.now,
                self.workdays(customer),
            ) {
                self.replies.holds.entry(customer).or_default().push(hold);
            }
            if writer == Writer::Person {
                let due = self.replies.world.reading_time().map(|after| self.now + after);
                self.replies.unread.insert(answer.id.clone(), due);
            }
        }
        if matches!(writer, Writer::Mailbox { .. })
            && let Ok(inbox) = service::open_tasks(self.store.real(), &self.policy, self.now).await
            && let Some(problem) = reply_invariants::task_for_automatic(&answer.id.0, &inbox.open)
        {
            self.violate(Invariant::AutoReplyNoTask, answer.id.0.clone(), &ids, problem);
        }
    }

    /// Staff, in their round, mark the replies they have read done (a failed call is tried again at the
    /// next round); no automatic reply is among the answers waiting for them.
    pub(crate) async fn read_replies(&mut self, by: &str) -> String {
        if self.replies.known.is_empty() {
            return String::new();
        }
        let Ok(waiting) = self.store.real().answers_needing_staff().await else {
            return String::new();
        };
        let mut lines = Vec::new();
        for answer in waiting {
            let ids = [answer.customer_id.0.clone(), answer.id.0.clone()];
            match self.replies.ledger.writer(&answer) {
                Some(Writer::Person) => {}
                Some(Writer::Mailbox { .. }) => {
                    let problem = format!(
                        "an automatic reply ({}) of {} waits for staff",
                        answer.id, answer.customer_id
                    );
                    self.violate(Invariant::AutoReplyNoTask, answer.id.0.clone(), &ids, problem);
                    continue;
                }
                None => continue,
            }
            let due = self.replies.unread.get(&answer.id).copied().flatten();
            if due.is_none_or(|due| due > self.now) {
                continue;
            }
            self.faults.begin(self.step, true, false);
            let result = service::do_task(
                &self.store,
                &self.policy,
                &answer.id.0,
                TaskAction::Done,
                None,
                None,
                None,
                by,
                self.now,
            )
            .await;
            self.faults.end();
            self.faults.lock().touched.insert(answer.customer_id.0.clone());
            // A call that failed may have marked it done all the same: the store says.
            let done = result.is_ok()
                || self
                    .store
                    .real()
                    .answer(&answer.id)
                    .await
                    .ok()
                    .flatten()
                    .is_some_and(|stored| stored.state != AnswerState::Open);
            lines.push(format!(
                "; read reply {} ({}): {}",
                answer.id,
                answer.customer_id,
                result.map(|_| "done".into()).unwrap_or_else(|e| e.to_string())
            ));
            if done {
                self.replies.unread.remove(&answer.id);
                self.replies.read += 1;
                for hold in self.replies.holds.values_mut().flatten() {
                    if hold.answer == answer.id.0 && hold.ended.is_none() {
                        hold.ended = Some(self.now);
                    }
                }
            }
        }
        lines.concat()
    }

    /// A message against the replies' holds: no ladder message to a customer a reply of theirs holds.
    pub(crate) fn check_replied(&mut self, delivery: &Delivery, customer: usize, ids: &[String]) {
        let zone = self.world.customers[customer].time_zone;
        let holds = self.replies.holds.get(&customer).map_or(&[][..], Vec::as_slice);
        let problems = reply_invariants::held_by_reply(delivery, on_ladder(&delivery.stage), zone, holds);
        for problem in problems {
            let key = format!("{}:{problem}", delivery.reminder);
            self.violate(Invariant::ReplyHolds, key, ids, problem);
        }
    }
}
