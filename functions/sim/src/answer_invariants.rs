//! The promises about customers' answers, each a pure check over what the world saw (the inbox, what each
//! customer was told when they answered, what staff decided) and what kindly stored: no ladder message
//! while an answer holds the invoice, nothing to a named contact before staff confirm it, every answer
//! acknowledged once, promises settled by the facts, one answer per form.

use crate::calendar::Workdays;
use crate::faults::Delivery;
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use kindly_core::answer::{Answer, AnswerState};
use kindly_core::policy::{
    ACKNOWLEDGEMENT_STAGE, DISCOUNT_NOTE_STAGE, INSTALMENT_MISSED_STAGE, INSTALMENT_NOTE_STAGE, PAYMENT_REVIEW_STAGE,
    PROMISE_EVE_STAGE, THANK_YOU_STAGE,
};
use std::collections::{BTreeMap, BTreeSet};

/// Business days after the day an answer was recorded by which its acknowledgement must be in the inbox.
pub const ACKNOWLEDGED_WITHIN: u32 = 2;

/// Whether a message is a rung of the ladder (not a thank-you, payment review, acknowledgement, eve note or
/// a payment plan's note).
pub fn on_ladder(stage: &str) -> bool {
    ![
        THANK_YOU_STAGE,
        PAYMENT_REVIEW_STAGE,
        ACKNOWLEDGEMENT_STAGE,
        PROMISE_EVE_STAGE,
        INSTALMENT_NOTE_STAGE,
        INSTALMENT_MISSED_STAGE,
        DISCOUNT_NOTE_STAGE,
    ]
    .contains(&stage)
}

/// What an answer holds an invoice's ladder for, as the world knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hold {
    /// The answer's kind (`promise`, `already_paid`, `dispute`, `confirm_receipt`).
    pub kind: &'static str,
    pub answer: String,
    /// When the customer was told their answer was taken.
    pub from: DateTime<Utc>,
    /// The last customer-local day it holds (a promise's day, a claim's days); `None`: until `ended`.
    pub through: Option<NaiveDate>,
    /// When staff ended it (rejected a claim or dispute, confirmed a payment) or the corrected invoice
    /// arrived (an upheld dispute).
    pub ended: Option<DateTime<Utc>>,
}

impl Hold {
    /// Whether it holds at `at`, whose customer-local date is `local`.
    pub fn holds(&self, at: DateTime<Utc>, local: NaiveDate) -> bool {
        self.from <= at && self.through.is_none_or(|through| local <= through) && self.ended.is_none_or(|end| at < end)
    }
}

/// A ladder message about an invoice an answer held when it went out: `holds` by invoice number.
pub fn held_message(delivery: &Delivery, zone: Tz, holds: &BTreeMap<String, Vec<Hold>>) -> Vec<String> {
    if !on_ladder(&delivery.stage) {
        return Vec::new();
    }
    let local = delivery.at.with_timezone(&zone).date_naive();
    let mut problems = Vec::new();
    for number in &delivery.numbers {
        for hold in holds.get(number).into_iter().flatten() {
            if hold.holds(delivery.at, local) {
                let through = hold.through.map_or("staff act".to_owned(), |day| day.to_string());
                problems.push(format!(
                    "stage `{}` ({}) asks about {number} on {local}, which the customer's {} ({}) holds until {through}",
                    delivery.stage, delivery.reminder, hold.kind, hold.answer
                ));
            }
        }
    }
    problems
}

/// A message to an address a "wrong person" answer named before staff confirmed it: `named` maps each
/// such address to when staff confirmed it (`None`: not yet, or rejected).
pub fn unconfirmed_contact(delivery: &Delivery, named: &BTreeMap<String, Option<DateTime<Utc>>>) -> Vec<String> {
    delivery
        .to
        .iter()
        .filter(|address| {
            named
                .get(*address)
                .is_some_and(|confirmed| confirmed.is_none_or(|at| delivery.at < at))
        })
        .map(|address| {
            format!(
                "stage `{}` ({}) went to {address}, named by a customer but not confirmed by staff",
                delivery.stage, delivery.reminder
            )
        })
        .collect()
}

/// The answer an acknowledgement reminder acknowledges (`rem_ack_…` ↔ `ans_…`).
pub fn acknowledged_answer(reminder: &str) -> Option<String> {
    reminder.strip_prefix("rem_ack_").map(|hash| format!("ans_{hash}"))
}

/// Every recorded answer is acknowledged exactly once: no acknowledgement twice or of no answer, and each
/// one in the inbox within [`ACKNOWLEDGED_WITHIN`] business days (unless the customer cannot be reached).
#[derive(Default)]
pub struct Acknowledgements {
    /// Customer → answer id → the customer-local day it was recorded.
    recorded: BTreeMap<String, BTreeMap<String, NaiveDate>>,
    /// Answer id → the reminder that acknowledged it.
    delivered: BTreeMap<String, String>,
}

impl Acknowledgements {
    /// kindly stored answer `id` of `customer` on their local `day` (the first time counts).
    pub fn recorded(&mut self, id: &str, customer: &str, day: NaiveDate) {
        self.recorded
            .entry(customer.to_owned())
            .or_default()
            .entry(id.to_owned())
            .or_insert(day);
    }

    /// An acknowledgement went out: of a recorded answer, the first time.
    pub fn delivered(&mut self, delivery: &Delivery) -> Option<String> {
        if delivery.stage != ACKNOWLEDGEMENT_STAGE {
            return None;
        }
        let Some(answer) = acknowledged_answer(&delivery.reminder) else {
            return Some(format!("an acknowledgement {} of no answer", delivery.reminder));
        };
        let known = self
            .recorded
            .get(&delivery.customer)
            .is_some_and(|answers| answers.contains_key(&answer));
        if !known {
            return Some(format!(
                "acknowledgement {} to {} of answer {answer}, which kindly never recorded for them",
                delivery.reminder, delivery.customer
            ));
        }
        let earlier = self.delivered.insert(answer.clone(), delivery.reminder.clone());
        earlier.map(|earlier| {
            format!(
                "answer {answer} acknowledged again ({earlier}, then {})",
                delivery.reminder
            )
        })
    }

    /// The answers of `customer` not acknowledged by the end of their local `today`, though recorded more
    /// than [`ACKNOWLEDGED_WITHIN`] business days before, as (answer id, problem); `unreachable` answers
    /// are excused.
    pub fn overdue(
        &self,
        customer: &str,
        today: NaiveDate,
        workdays: Workdays,
        unreachable: impl Fn(&str) -> bool,
    ) -> Vec<(String, String)> {
        let Some(answers) = self.recorded.get(customer) else {
            return Vec::new();
        };
        answers
            .iter()
            .filter(|(id, day)| {
                today > workdays.after(**day, ACKNOWLEDGED_WITHIN)
                    && !self.delivered.contains_key(*id)
                    && !unreachable(id)
            })
            .map(|(id, day)| {
                let problem = format!("answer {id} of {customer}, recorded on {day}, not acknowledged by {today}");
                (id.clone(), problem)
            })
            .collect()
    }
}

/// A promise (or a scheduled receipt) settled against the facts: kept only on or before its day with
/// nothing owed, broken only once its day is over. `settled_local` is the customer-local date it was
/// settled on; `owed`: whether kindly's invoices right after still showed money owed (a balance on an
/// open or payment-pending invoice).
pub fn promise_settled_by_facts(answer: &Answer, settled_local: NaiveDate, owed: bool) -> Option<String> {
    let day = answer.kind.promised_day()?;
    match answer.state {
        AnswerState::Kept if settled_local > day => Some(format!(
            "promise {} to pay by {day} was kept on {settled_local}, after its day",
            answer.id
        )),
        AnswerState::Kept if owed => Some(format!(
            "promise {} to pay by {day} was kept on {settled_local} with money still owed",
            answer.id
        )),
        AnswerState::Broken if settled_local <= day => Some(format!(
            "promise {} to pay by {day} was broken on {settled_local}, before its day was over",
            answer.id
        )),
        _ => None,
    }
}

/// One answer per form value: what the customer's page was told for each form it sent, and what kindly
/// stored.
#[derive(Default)]
pub struct Forms {
    /// (customer, message, form value) → (the answer id the form makes, whether a response said "new").
    sent: BTreeMap<(String, String, String), (String, bool)>,
}

impl Forms {
    /// The customer sent a form (whatever came of it); `expected` is the answer id it makes.
    pub fn sent(&mut self, customer: &str, via: &str, form: &str, expected: &str) {
        self.sent
            .entry((customer.to_owned(), via.to_owned(), form.to_owned()))
            .or_insert_with(|| (expected.to_owned(), false));
    }

    /// kindly answered a form with answer `id`, recorded now (`new`) or before.
    pub fn answered(&mut self, customer: &str, via: &str, form: &str, id: &str, new: bool) -> Option<String> {
        let key = (customer.to_owned(), via.to_owned(), form.to_owned());
        let Some((expected, new_before)) = self.sent.get_mut(&key) else {
            return Some(format!("{customer} was answered for form `{form}` it never sent"));
        };
        if id != expected {
            return Some(format!(
                "form `{form}` of {customer} was taken as {id}, then as {expected}"
            ));
        }
        if new && *new_before {
            return Some(format!("form `{form}` of {customer} was recorded as new twice ({id})"));
        }
        *new_before |= new;
        None
    }

    /// The answers kindly stores for `customer`: each one a form they sent, no two for one form.
    pub fn stored(&self, customer: &str, ids: &[String]) -> Vec<String> {
        let sent: BTreeSet<&String> = self
            .sent
            .iter()
            .filter(|((owner, _, _), _)| owner == customer)
            .map(|(_, (id, _))| id)
            .collect();
        let mut seen = BTreeSet::new();
        let mut problems = Vec::new();
        for id in ids {
            if !sent.contains(id) {
                problems.push(format!("{customer} has answer {id}, from no form they sent"));
            }
            if !seen.insert(id) {
                problems.push(format!("{customer} has answer {id} twice"));
            }
        }
        problems
    }
}

#[cfg(test)]
#[path = "answer_invariants_tests.rs"]
mod tests;
