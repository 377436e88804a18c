//! What a message says about interest and fees: for each covered invoice, the remedy that applies (its
//! own terms, the customer's contract, else the statute) and exactly what has accrued by the message's
//! day, formatted for the reader; before the due date, the terms alone, never an amount.

use crate::customer::Customer;
use crate::interest::{Accrual, Charge, Debt, Per, Remedy, StatuteChoice, StatutoryRule, accrue};
use crate::interest_policy::InterestRules;
use crate::invoice::Invoice;
use crate::money::{Currency, format_date, format_money, format_percent};
use crate::policy::{Policy, Stage};
use chrono::{Days, NaiveDate};
use kindly_render::{InterestLineView, InterestView};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// The remedy for late payment of `invoice`: its own terms, else the customer's contract, else the
/// statute (the customer's choice over the policy's) with its rate table; `None` when none applies.
pub fn remedy_for<'a>(rules: &'a InterestRules, customer: &'a Customer, invoice: &'a Invoice) -> Option<Remedy<'a>> {
    if let Some(contract) = invoice.late_fee.as_ref().or(customer.terms.late_fee.as_ref()) {
        return Some(Remedy::Contract(contract));
    }
    let statute = match customer.terms.statute {
        Some(StatuteChoice::None) => return None,
        Some(StatuteChoice::Statute(statute)) => statute,
        None => rules.statute?,
    };
    let table = rules.rates.for_statute(statute).1?;
    Some(Remedy::Statutory(StatutoryRule {
        statute,
        table,
        margin_points: rules.margin_for(statute),
    }))
}

/// What has accrued on `invoice` by `day` under the remedy that applies; `None` when nothing has, or when
/// nothing can be stated exactly (a reference rate the table does not know yet, a statute for another
/// currency). Invoices record what was paid but not when, so interest runs on the balance still owed for
/// every day: never more than the dated payments would give.
pub fn accrued<'a>(
    rules: &'a InterestRules,
    customer: &'a Customer,
    invoice: &'a Invoice,
    day: NaiveDate,
) -> Option<(Remedy<'a>, Accrual)> {
    let remedy = remedy_for(rules, customer, invoice)?;
    let debt = Debt {
        currency: invoice.currency,
        due_date: invoice.due_date,
        principal: invoice.balance(),
        payments: &[],
        charged_through: invoice
            .bookkeeping
            .interest_invoiced
            .as_ref()
            .map(|invoiced| invoiced.through),
        fee_charged: invoice
            .bookkeeping
            .interest_invoiced
            .as_ref()
            .is_some_and(|invoiced| invoiced.fee_included),
    };
    let accrual = accrue(&remedy, &debt, day).ok()??;
    (!(accrual.interest.is_zero() && accrual.fee.is_zero())).then_some((remedy, accrual))
}

/// The interest and fees a message at `stage` states: from the policy's first interest stage on, one line
/// per covered invoice on which something has accrued; the waiver offer when the policy makes one. A
/// message with a deadline (`pay_by`, the final notice's) never offers the waiver beyond it: the offer
/// would outlast the notice and the decision after it.
pub(crate) fn interest_view(
    policy: &Policy,
    stage: &Stage,
    customer: &Customer,
    invoices: &[&Invoice],
    local_date: NaiveDate,
    pay_by: Option<NaiveDate>,
) -> Option<InterestView> {
    if !policy.states_interest(stage) {
        return None;
    }
    let mut sums: BTreeMap<Currency, Decimal> = BTreeMap::new();
    let lines: Vec<InterestLineView> = invoices
        .iter()
        .filter_map(|invoice| {
            let (remedy, accrual) = accrued(&policy.interest, customer, invoice, local_date)?;
            *sums.entry(invoice.currency).or_default() += accrual.interest + accrual.fee;
            Some(line(&remedy, &accrual, invoice, &customer.locale))
        })
        .collect();
    if lines.is_empty() {
        return None;
    }
    let waive_by = policy
        .interest
        .waive_if_paid_within_days
        .and_then(|days| local_date.checked_add_days(Days::new(days.into())))
        .map(|day| pay_by.map_or(day, |pay_by| day.min(pay_by)));
    Some(InterestView {
        lines,
        totals: sums
            .iter()
            .map(|(currency, amount)| format_money(*amount, *currency, &customer.locale))
            .collect(),
        waive_by: waive_by.map(|day| format_date(day, &customer.locale)),
        clauses: Vec::new(),
        statute: None,
    })
}

fn line(remedy: &Remedy, accrual: &Accrual, invoice: &Invoice, locale: &str) -> InterestLineView {
    let money = |amount: Decimal| format_money(amount, invoice.currency, locale);
    let (rate, per, clause, statute) = match remedy {
        Remedy::Contract(contract) => {
            let (rate, per) = match contract.charge {
                Charge::Interest { percent, per } => (Some(percent), Some(per)),
                Charge::OneTimePercent { .. } | Charge::FixedFee { .. } => (None, None),
            };
            (rate, per, Some(contract.clause.clone()), None)
        }
        Remedy::Statutory(rule) => (
            accrual.annual_percent,
            Some(Per::Year),
            None,
            Some(rule.statute.key().to_owned()),
        ),
    };
    let interest = (!accrual.interest.is_zero()).then_some(accrual.interest);
    InterestLineView {
        invoice: invoice.number.clone(),
        interest: interest.map(money),
        since: format_date(accrual.from, locale),
        rate: interest.and(rate).map(|rate| format_percent(rate, locale)),
        per: interest.and(per).map(|per| match per {
            Per::Month => "month".to_owned(),
            Per::Year => "year".to_owned(),
        }),
        rate_varied: accrual
            .runs
            .windows(2)
            .any(|pair| pair[0].annual_percent != pair[1].annual_percent),
        fee: (!accrual.fee.is_zero()).then(|| money(accrual.fee)),
        clause,
        statute,
    }
}

/// Before the due date (stages on or before it, when the policy allows it): the terms that will apply to
/// the covered invoices if they are paid late — the contracts' clauses and the statute — and no amount.
pub(crate) fn terms_note(
    policy: &Policy,
    stage: &Stage,
    customer: &Customer,
    invoices: &[&Invoice],
) -> Option<InterestView> {
    if !policy.interest.terms_before_due || stage.offset_days > 0 || policy.stage_index(&stage.id).is_none() {
        return None;
    }
    let mut note = InterestView {
        lines: Vec::new(),
        totals: Vec::new(),
        waive_by: None,
        clauses: Vec::new(),
        statute: None,
    };
    for invoice in invoices {
        match remedy_for(&policy.interest, customer, invoice) {
            Some(Remedy::Contract(contract)) if !note.clauses.contains(&contract.clause) => {
                note.clauses.push(contract.clause.clone());
            }
            Some(Remedy::Statutory(rule)) if invoice.currency.code() == rule.statute.currency() => {
                note.statute = Some(rule.statute.key().to_owned());
            }
            _ => {}
        }
    }
    (!note.clauses.is_empty() || note.statute.is_some()).then_some(note)
}

#[cfg(test)]
#[path = "compose_interest_tests.rs"]
mod tests;
