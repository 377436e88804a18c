//! The promises about customers' replies by email, each a pure check over what the world wrote (the
//! replies the mail system passed on), what staff did and what kindly stored: no ladder message while a
//! person's reply waits to be read (or its pause runs), none before the first business day after the day
//! an out-of-office note names, one answer per reply however often it is delivered, and no task for a
//! reply nobody wrote.
//!
//! The holds are worked out here from the world's side — the day the reply was written in the customer's
//! zone, the policy's pause, the simulator's own business calendar — not by asking kindly's answer.

use crate::calendar::Workdays;
use crate::faults::Delivery;
use crate::replies::Writer;
use chrono::{DateTime, Days, NaiveDate, Utc};
use chrono_tz::Tz;
use kindly_core::answer::{Answer, AnswerKind};
use kindly_core::tasks::Task;
use std::collections::BTreeMap;

/// How long a reply holds the customer's ladder, as the world knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyHold {
    /// `reply` or `out-of-office`.
    pub kind: &'static str,
    /// The answer kindly stored for it.
    pub answer: String,
    /// Since when kindly has had it (the first step that showed it stored).
    pub from: DateTime<Utc>,
    /// The first customer-local day it no longer holds.
    pub free_from: NaiveDate,
    /// When staff marked it read.
    pub ended: Option<DateTime<Utc>>,
}

impl ReplyHold {
    /// The hold of a reply by `writer`, written on the customer-local day `written_on`: a person's until
    /// `pause_days` business days after it (or until read); an out-of-office note naming a day from then
    /// on, until the first business day after that day; anything else, none.
    pub fn of(
        writer: Writer,
        written_on: NaiveDate,
        pause_days: u32,
        answer: &str,
        from: DateTime<Utc>,
        workdays: Workdays,
    ) -> Option<ReplyHold> {
        let (kind, free_from) = match writer {
            Writer::Person => ("reply", workdays.after(written_on, pause_days) + Days::new(1)),
            Writer::Mailbox {
                out_of_office: true,
                returns_on: Some(back),
            } if back >= written_on => ("out-of-office", workdays.next(back)),
            Writer::Mailbox { .. } => return None,
        };
        Some(ReplyHold {
            kind,
            answer: answer.to_owned(),
            from,
            free_from,
            ended: None,
        })
    }

    /// Whether it holds at `at`, whose customer-local date is `local`.
    pub fn holds(&self, at: DateTime<Utc>, local: NaiveDate) -> bool {
        self.from <= at && local < self.free_from && self.ended.is_none_or(|end| at < end)
    }

    /// Whether it still holds the customer-local day `day` (as judged at that day's end).
    pub fn holds_day(&self, day: NaiveDate) -> bool {
        day < self.free_from && self.ended.is_none()
    }
}

/// `reply-holds`: a ladder message (`delivery`, `on_ladder`) to a customer (in `zone`) whom a reply of
/// theirs held when it went out.
pub fn held_by_reply(delivery: &Delivery, on_ladder: bool, zone: Tz, holds: &[ReplyHold]) -> Vec<String> {
    if !on_ladder {
        return Vec::new();
    }
    let local = delivery.at.with_timezone(&zone).date_naive();
    holds
        .iter()
        .filter(|hold| hold.holds(delivery.at, local))
        .map(|hold| {
            format!(
                "stage `{}` ({}) went to {} on {local}, held by their {} ({}) until {}",
                delivery.stage, delivery.reminder, delivery.customer, hold.kind, hold.answer, hold.free_from
            )
        })
        .collect()
}

/// What tells one reply from another in kindly's answers: the customer, the message replied to, when
/// it was written, and by whom.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ReplyKey {
    pub customer: String,
    pub via: String,
    pub at: DateTime<Utc>,
    pub from: String,
}

impl ReplyKey {
    /// The key of an answer kindly stored from a reply; `None` for any other answer.
    pub fn of_answer(answer: &Answer) -> Option<ReplyKey> {
        let from = match &answer.kind {
            AnswerKind::Reply { from, .. } | AnswerKind::AutoReply { from, .. } => from,
            _ => return None,
        };
        Some(ReplyKey {
            customer: answer.customer_id.0.clone(),
            via: answer.via.0.clone(),
            at: answer.at,
            from: from.to_ascii_lowercase(),
        })
    }
}

/// `reply-once`: the replies the mail system passed on to kindly, and the answers kindly stored for them.
#[derive(Default)]
pub struct ReplyLedger {
    sent: BTreeMap<ReplyKey, Writer>,
}

impl ReplyLedger {
    /// The mail system will pass on a reply by `writer`.
    pub fn sent(&mut self, key: ReplyKey, writer: Writer) {
        self.sent.insert(key, writer);
    }

    /// Who wrote the reply an answer was stored from, if the world wrote it.
    pub fn writer(&self, answer: &Answer) -> Option<Writer> {
        self.sent.get(&ReplyKey::of_answer(answer)?).copied()
    }

    /// The answers kindly stores for one customer (`answers`): each one from a reply is a reply the world
    /// wrote, recorded as what it is (a person's, or a mailbox's), and no reply has two.
    pub fn stored(&self, answers: &[Answer]) -> Vec<String> {
        let mut problems = Vec::new();
        let mut seen: BTreeMap<ReplyKey, &str> = BTreeMap::new();
        for answer in answers {
            let Some(key) = ReplyKey::of_answer(answer) else {
                continue;
            };
            let automatic = matches!(answer.kind, AnswerKind::AutoReply { .. });
            match self.sent.get(&key) {
                None => problems.push(format!(
                    "{} has answer {} from a reply of {} at {} that nobody wrote",
                    key.customer, answer.id, key.from, key.at
                )),
                Some(Writer::Person) if automatic => problems.push(format!(
                    "{}'s own reply of {} was recorded as an automatic one ({})",
                    key.customer, key.at, answer.id
                )),
                Some(Writer::Mailbox { .. }) if !automatic => problems.push(format!(
                    "{}'s automatic reply of {} was recorded as a person's ({})",
                    key.customer, key.at, answer.id
                )),
                Some(_) => {}
            }
            if let Some(earlier) = seen.insert(key.clone(), &answer.id.0) {
                problems.push(format!(
                    "{}'s reply of {} to {} is recorded twice ({earlier} and {})",
                    key.customer, key.at, key.via, answer.id
                ));
            }
        }
        problems
    }

    /// kindly took the reply `key` (answered the mail system without an error): an answer has it now.
    pub fn taken(&self, key: &ReplyKey, answers: &[Answer]) -> Option<String> {
        let recorded = answers
            .iter()
            .any(|answer| ReplyKey::of_answer(answer).as_ref() == Some(key));
        (!recorded).then(|| {
            format!(
                "kindly took {}'s reply of {} to {}, but stores no answer for it",
                key.customer, key.at, key.via
            )
        })
    }
}

/// `auto-reply-no-task`: a task in the inbox (`tasks`) for the answer kindly stored from an automatic
/// reply (`answer`).
pub fn task_for_automatic(answer: &str, tasks: &[Task]) -> Option<String> {
    tasks.iter().find(|task| task.id == answer).map(|task| {
        format!(
            "an automatic reply ({answer}) of {} is a task for staff ({})",
            task.customer_id, task.topic
        )
    })
}

#[cfg(test)]
#[path = "reply_invariants_tests.rs"]
pub(crate) mod tests;
