//! The promise about early-payment discounts (`discount-kept`), as pure checks over the world's truth and
//! what kindly stored or sent: a discounted payment inside the window leaves nothing chased; one after
//! the deadline leaves the rest chased; a discount note goes out at most once per invoice and never after
//! the deadline.

use crate::faults::Delivery;
use chrono::NaiveDate;
use chrono_tz::Tz;
use kindly_core::{Invoice, InvoiceStatus};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// What the world knows of one invoice's discount, when kindly has heard everything about its money.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscountTruth {
    /// The customer-local last day of the discount.
    pub deadline: NaiveDate,
    /// The discount settled it in truth (money reached the discounted amount by the deadline).
    pub settled: bool,
    /// Money reached the discounted amount, short of the total, but only after the deadline.
    pub late: bool,
    /// What really arrived, net of refunds.
    pub received: Decimal,
}

/// Whether kindly's `stored` invoice keeps the promise, given the `truth`.
pub fn discount_kept(stored: &Invoice, truth: &DiscountTruth) -> Option<String> {
    if truth.settled && stored.is_remindable() {
        return Some(format!(
            "invoice {} was settled with its discount by {}, yet kindly still chases {} {}",
            stored.number,
            truth.deadline,
            stored.balance(),
            stored.currency
        ));
    }
    if truth.late && stored.bookkeeping.discount_taken.is_some() {
        return Some(format!(
            "invoice {} was paid the discounted amount only after {}, yet kindly took the discount",
            stored.number, truth.deadline
        ));
    }
    let rest = stored.total - truth.received;
    if truth.late && stored.status == InvoiceStatus::Open && stored.balance() != rest {
        return Some(format!(
            "invoice {} was paid the discounted amount after {}: {rest} {} is owed, but kindly chases {}",
            stored.number,
            truth.deadline,
            stored.currency,
            stored.balance()
        ));
    }
    None
}

/// The discount notes delivered so far, by invoice number: at most one each, and each by its deadline.
#[derive(Default)]
pub struct Notes {
    sent: BTreeMap<String, String>,
}

impl Notes {
    /// Check a delivered discount note about invoices `numbers` (with each one's deadline, if it has
    /// terms) to a customer in `zone`.
    pub fn check(&mut self, delivery: &Delivery, zone: Tz, deadlines: &[(String, Option<NaiveDate>)]) -> Vec<String> {
        let day = delivery.at.with_timezone(&zone).date_naive();
        let mut problems = Vec::new();
        for (number, deadline) in deadlines {
            match deadline {
                None => problems.push(format!(
                    "a discount note about {number}, which has no early-payment terms"
                )),
                Some(deadline) if day > *deadline => problems.push(format!(
                    "a discount note about {number} arrived on {day}, after its deadline {deadline}"
                )),
                Some(_) => {}
            }
            if let Some(first) = self.sent.insert(number.clone(), delivery.reminder.clone()) {
                problems.push(format!(
                    "a second discount note about {number} ({}; the first was {first})",
                    delivery.reminder
                ));
            }
        }
        problems
    }
}

#[cfg(test)]
#[path = "discount_invariants_tests.rs"]
mod tests;
