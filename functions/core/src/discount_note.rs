//! The note before an early-payment discount's deadline: which invoices get one this pass, and the
//! message. Off the ladder (it moves no invoice along it and holds no reminder back), one per invoice
//! (its id is the invoice's, and the send records the day on the invoice), and never after the deadline or
//! for an invoice that is not open and owed ([`crate::discount::note_due`]; the sender checks again).

use crate::answer::Answer;
use crate::calendar::sending_day;
use crate::compose::{Said, compose_reminder, covered_at};
use crate::customer::{Customer, CustomerId};
use crate::error::CoreError;
use crate::invoice::{Invoice, InvoiceId};
use crate::planner::CustomerHistory;
use crate::policy::Policy;
use crate::reminder::Reminder;
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::{BTreeSet, HashMap};

/// A discount note the pass should draft: for `invoice`, on the customer-local `local_date`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedNote {
    pub customer_id: CustomerId,
    pub invoice_id: InvoiceId,
    pub local_date: NaiveDate,
}

/// The discount notes due at `now` among `invoices` (the ones the pass read). None for an invoice a ladder
/// message of this pass covers (a courteous one states the discount itself), nor for a customer who is
/// paused, held by an answer naming another contact, unreachable, or awaiting a person after a failure.
pub fn plan_notes(
    policy: &Policy,
    customers: &HashMap<CustomerId, Customer>,
    invoices: &[Invoice],
    history: &HashMap<CustomerId, CustomerHistory>,
    laddered: &BTreeSet<&InvoiceId>,
    now: DateTime<Utc>,
) -> Vec<PlannedNote> {
    let Some(notes) = &policy.discounts else {
        return Vec::new();
    };
    invoices
        .iter()
        .filter(|invoice| !laddered.contains(&invoice.id))
        .filter_map(|invoice| {
            let customer = customers.get(&invoice.customer_id)?;
            let calendar = customer.calendar();
            let hours = customer.sending_hours(policy.sending_hours);
            let local_date = sending_day(calendar, customer.time_zone, now, hours);
            let answers: &[Answer] = history.get(&customer.id).map_or(&[], |known| &known.answers);
            let failed = history
                .get(&customer.id)
                .is_some_and(|known| known.unresolved_failure.is_some());
            let blocked = customer.is_paused_on(local_date)
                || failed
                || customer.reachable_contacts().next().is_none()
                || answers.iter().any(|answer| answer.holds_customer_on(local_date));
            crate::discount::note_due(invoice, notes.note_business_days_before, calendar, local_date)
                .filter(|_| !blocked)
                .map(|_| PlannedNote {
                    customer_id: customer.id.clone(),
                    invoice_id: invoice.id.clone(),
                    local_date,
                })
        })
        .collect()
}

/// The discount note for `invoice`, planned for the customer-local `local_date`: the courtesy note's
/// template, stating the discounted amount, the deadline and the full amount after it.
pub fn note(
    policy: &Policy,
    customer: &Customer,
    invoice: &Invoice,
    local_date: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Option<Reminder>, CoreError> {
    let Some(stage) = policy.discount_note_stage() else {
        return Ok(None);
    };
    let covers = covered_at(&stage, &[invoice]);
    compose_reminder(
        policy,
        &stage,
        customer,
        &[invoice],
        covers,
        local_date,
        now,
        Said::default(),
    )
    .map(Some)
}

#[cfg(test)]
#[path = "discount_note_tests.rs"]
mod tests;
