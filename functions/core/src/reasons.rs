//! The reasons report: why customers pay late, from what they told us. Per month (of the customer's local
//! date): the answers by kind, disputes by category, promises kept and broken, and the median days from
//! the first message sent to a customer to their first answer; and promises kept and broken per customer.
//! Pure: a function of the answers and reminders of the customers who answered.

use crate::answer::{Answer, AnswerKind, AnswerState, DisputeCategory};
use crate::customer::CustomerId;
use crate::reminder::Reminder;
use chrono::{Datelike, NaiveDate};
use std::collections::BTreeMap;

/// One month of answers.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MonthReasons {
    /// `YYYY-MM`.
    pub month: String,
    pub already_paid: u32,
    /// Disputes by category, every category listed.
    pub disputes: BTreeMap<DisputeCategory, u32>,
    pub promise: u32,
    pub wrong_person: u32,
    pub confirm_receipt: u32,
    /// Of the promises made this month (a receipt confirmation with a date counts), how many were kept
    /// and how many broken so far.
    pub promises_kept: u32,
    pub promises_broken: u32,
    /// The customers whose first answer fell in this month.
    pub first_answers: u32,
    /// Their median days from the first message sent to them to that answer.
    pub median_days_to_first_answer: Option<f64>,
}

/// One customer's promises.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerPromises {
    pub customer_id: CustomerId,
    pub kept: u32,
    pub broken: u32,
    pub open: u32,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReasonsReport {
    /// From the first month asked for to the last with an answer (months without answers included), oldest first.
    pub months: Vec<MonthReasons>,
    /// The customers who promised in the period, most broken first.
    pub customers: Vec<CustomerPromises>,
}

/// The months a report covers when not told.
pub const DEFAULT_MONTHS: u32 = 6;
/// The most months one report covers.
pub const MAX_MONTHS: u32 = 36;

/// The months asked for (`None`: [`DEFAULT_MONTHS`]), or what is wrong with them.
pub fn months(asked: Option<u32>) -> Result<u32, String> {
    match asked {
        None => Ok(DEFAULT_MONTHS),
        Some(months @ 1..=MAX_MONTHS) => Ok(months),
        Some(other) => Err(format!("{other} is not a number of months from 1 to {MAX_MONTHS}")),
    }
}

fn month_of(day: NaiveDate) -> String {
    format!("{:04}-{:02}", day.year(), day.month())
}

fn empty_month(month: String) -> MonthReasons {
    MonthReasons {
        month,
        disputes: DisputeCategory::ALL.into_iter().map(|category| (category, 0)).collect(),
        ..Default::default()
    }
}

/// The first day of the month `months - 1` months before `today`'s: the start of a report of `months`
/// months that ends with `today`'s.
pub fn start_of_period(today: NaiveDate, months: u32) -> NaiveDate {
    let first = today.with_day(1).expect("every month has a first day");
    first
        .checked_sub_months(chrono::Months::new(months.saturating_sub(1)))
        .unwrap_or(first)
}

/// The report of the answers given on or after `from` (customer-local dates), with the months from
/// `from`'s to `to`'s. `answers` may hold earlier answers of the same customers: they decide whose answer
/// was the first, and count for nothing else. `reminders` are those customers' reminders.
pub fn reasons_report(answers: &[Answer], reminders: &[Reminder], from: NaiveDate, to: NaiveDate) -> ReasonsReport {
    let mut months: BTreeMap<String, MonthReasons> = BTreeMap::new();
    let mut month = from.with_day(1).expect("a first day");
    while month <= to {
        months.insert(month_of(month), empty_month(month_of(month)));
        month = month + chrono::Months::new(1);
    }
    let mut customers: BTreeMap<&CustomerId, CustomerPromises> = BTreeMap::new();
    for answer in answers.iter().filter(|answer| answer.local_date >= from) {
        if matches!(answer.kind, AnswerKind::AutoReply { .. } | AnswerKind::Complaint { .. }) {
            continue;
        }
        let row = months
            .entry(month_of(answer.local_date))
            .or_insert_with(|| empty_month(month_of(answer.local_date)));
        match &answer.kind {
            AnswerKind::AlreadyPaid { .. } => row.already_paid += 1,
            AnswerKind::Dispute { category, .. } => *row.disputes.entry(*category).or_default() += 1,
            AnswerKind::Promise { .. } => row.promise += 1,
            AnswerKind::WrongPerson { .. } => row.wrong_person += 1,
            AnswerKind::ConfirmReceipt { .. } => row.confirm_receipt += 1,
            // Replies by email name no reason; they count only towards the time to a first answer.
            AnswerKind::Reply { .. } | AnswerKind::AutoReply { .. } | AnswerKind::Complaint { .. } => {}
        }
        if answer.kind.promised_day().is_none() {
            continue;
        }
        let promises = customers
            .entry(&answer.customer_id)
            .or_insert_with(|| CustomerPromises {
                customer_id: answer.customer_id.clone(),
                kept: 0,
                broken: 0,
                open: 0,
            });
        match answer.state {
            AnswerState::Kept => {
                row.promises_kept += 1;
                promises.kept += 1;
            }
            AnswerState::Broken => {
                row.promises_broken += 1;
                promises.broken += 1;
            }
            AnswerState::Open => promises.open += 1,
            // A receipt confirmation without a date is confirmed at once: it promised nothing.
            AnswerState::Confirmed | AnswerState::Rejected => {}
        }
    }
    let mut waits: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for (customer, first) in first_answers(answers) {
        if first.local_date < from {
            continue;
        }
        let first_sent = reminders
            .iter()
            .filter(|reminder| reminder.customer_id == *customer && !reminder.is_off_ladder())
            .filter_map(|reminder| reminder.sent_on)
            .filter(|sent| *sent <= first.local_date)
            .min();
        if let Some(sent) = first_sent {
            waits
                .entry(month_of(first.local_date))
                .or_default()
                .push((first.local_date - sent).num_days());
        }
    }
    for (month, mut days) in waits {
        let row = months.entry(month.clone()).or_insert_with(|| empty_month(month));
        row.first_answers = days.len() as u32;
        row.median_days_to_first_answer = median(&mut days);
    }
    let mut customers: Vec<CustomerPromises> = customers.into_values().collect();
    customers.sort_by(|a, b| {
        b.broken
            .cmp(&a.broken)
            .then_with(|| b.kept.cmp(&a.kept))
            .then_with(|| a.customer_id.cmp(&b.customer_id))
    });
    ReasonsReport {
        months: months.into_values().collect(),
        customers,
    }
}

/// Each customer's first answer.
fn first_answers(answers: &[Answer]) -> BTreeMap<&CustomerId, &Answer> {
    let mut first: BTreeMap<&CustomerId, &Answer> = BTreeMap::new();
    // A mailbox answering by itself is no answer from the customer.
    for answer in answers
        .iter()
        .filter(|answer| !matches!(answer.kind, AnswerKind::AutoReply { .. } | AnswerKind::Complaint { .. }))
    {
        let earliest = first.entry(&answer.customer_id).or_insert(answer);
        if answer.at < earliest.at {
            *earliest = answer;
        }
    }
    first
}

/// The median of `values` (the mean of the middle two when there are an even number), if any.
pub fn median(values: &mut [i64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let middle = values.len() / 2;
    Some(match values.len() % 2 {
        1 => values[middle] as f64,
        _ => (values[middle - 1] + values[middle]) as f64 / 2.0,
    })
}

#[cfg(test)]
#[path = "reasons_tests.rs"]
mod tests;
