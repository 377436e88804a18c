//! The promise about interest (`interest-exact`): a message that states interest on an invoice under the
//! customer's contract states exactly what has accrued by the day it is written for — the simulator's own
//! sum of simple interest, day by day over a 365-day year on the balance the message shows, from the day
//! after the due date and its grace days, rounded once (half away from zero) to the currency's minor units —
//! and states none before that first day, nor at a stage before the policy's `from_stage`. A pure check over a drafted message and what kindly stored.

use chrono::NaiveDate;
use kindly_core::interest::{Charge, Per};
use kindly_core::money::{Currency, format_money};
use kindly_core::{ContractRemedy, Invoice, Policy, Reminder};
use rust_decimal::{Decimal, RoundingStrategy};

/// What a contract's interest has accrued on `balance`, owed since `due`, by `through`: `None` before the
/// first day charged, or for a contract that charges no interest.
pub fn expected_interest(
    contract: &ContractRemedy,
    balance: Decimal,
    due: NaiveDate,
    through: NaiveDate,
    currency: Currency,
) -> Option<Decimal> {
    let Charge::Interest { percent, per } = contract.charge else {
        return None;
    };
    let first = due + chrono::Days::new(1 + u64::from(contract.grace_days));
    if through < first {
        return None;
    }
    let days = Decimal::from((through - first).num_days() + 1);
    let yearly = match per {
        Per::Month => percent * Decimal::from(12),
        Per::Year => percent,
    };
    let exact = balance * yearly / Decimal::ONE_HUNDRED * days / Decimal::from(365);
    Some(exact.round_dp_with_strategy(currency.minor_units(), RoundingStrategy::MidpointAwayFromZero))
}

/// Whether a message at `stage` states figures: ladder stages from the policy's `[interest] from_stage`
/// on. Before it a message may recall the terms, never an amount.
pub fn states_figures(policy: &Policy, stage: &str) -> bool {
    let at = |id: &str| policy.stages.iter().position(|stage| stage.id == id);
    match (policy.interest.from_stage.as_deref().and_then(at), at(stage)) {
        (Some(from), Some(index)) => index >= from,
        _ => false,
    }
}

/// What is wrong with the interest `reminder`'s draft states, for a customer under `contract` writing in
/// `locale`, given the covered `invoices` as kindly stored them when it drafted it, under `policy`.
pub fn interest_problems(
    policy: &Policy,
    reminder: &Reminder,
    contract: &ContractRemedy,
    invoices: &[Invoice],
    locale: &str,
) -> Vec<String> {
    let figures = states_figures(policy, &reminder.stage_id);
    let Some(draft) = &reminder.draft else {
        return Vec::new();
    };
    let Some(view) = &draft.context.interest else {
        return Vec::new();
    };
    let mut problems = Vec::new();
    for invoice in invoices.iter().filter(|invoice| invoice.late_fee.is_none()) {
        let stated = view
            .lines
            .iter()
            .find(|line| line.invoice == invoice.number)
            .and_then(|line| line.interest.clone());
        let expected = expected_interest(
            contract,
            invoice.balance(),
            invoice.due_date,
            reminder.planned_for,
            invoice.currency,
        )
        .filter(|amount| figures && !amount.is_zero())
        .map(|amount| format_money(amount, invoice.currency, locale));
        if stated != expected {
            problems.push(format!(
                "{} ({}) states interest {stated:?} on {} (balance {}, due {}), not {expected:?} by {}",
                reminder.id,
                reminder.stage_id,
                invoice.number,
                invoice.balance(),
                invoice.due_date,
                reminder.planned_for
            ));
        }
    }
    problems
}

#[cfg(test)]
#[path = "interest_invariants_tests.rs"]
mod tests;
