//! The money expected over the next days: what customers promised to pay by a day (an open promise whose
//! day has not passed), and the instalments of running payment plans not yet paid, by day and currency.

use crate::answer::{Answer, AnswerId, AnswerState};
use crate::customer::CustomerId;
use crate::instalments::{PaymentPlan, PlanId, PlanState};
use crate::invoice::{Invoice, InvoiceId, InvoiceStatus};
use crate::money::Currency;
use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet};

/// How many days ahead the report looks by default.
pub const HORIZON_DAYS: u32 = 30;

/// Why money is expected.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Source {
    /// The customer promised to pay by the day (or said it is scheduled then).
    Promise { answer: AnswerId },
    /// Instalment `number` (from 1) of a running plan.
    Instalment { plan: PlanId, number: usize },
}

/// Money expected on one day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    pub day: NaiveDate,
    pub currency: Currency,
    pub amount: Decimal,
    pub customer_id: CustomerId,
    pub source: Source,
    pub invoices: Vec<InvoiceId>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Receipts {
    /// From `today` to the horizon's last day, by day, then currency and customer.
    pub expected: Vec<Expected>,
    /// Per currency, in order.
    pub totals: Vec<(Currency, Decimal)>,
}

/// Still owed, and chased or promised rather than settled or given up on.
fn is_owed(invoice: &Invoice) -> bool {
    matches!(
        invoice.status,
        InvoiceStatus::Open | InvoiceStatus::PaymentPending | InvoiceStatus::Disputed | InvoiceStatus::OnPaymentPlan
    ) && !invoice.balance().is_zero()
}

/// What is expected from `today` through `horizon_days` later. `invoices` must hold the promises' and the
/// plans' invoices. An invoice a running plan covers is expected by its instalments, not by a promise; an
/// invoice several open promises name counts once, by the latest.
pub fn expected_receipts(
    invoices: &[Invoice],
    answers: &[Answer],
    plans: &[PaymentPlan],
    today: NaiveDate,
    horizon_days: u32,
) -> Receipts {
    let last = today + Days::new(u64::from(horizon_days));
    let window = today..=last;
    let by_id: BTreeMap<&InvoiceId, &Invoice> = invoices.iter().map(|invoice| (&invoice.id, invoice)).collect();
    let running: Vec<&PaymentPlan> = plans.iter().filter(|plan| plan.state == PlanState::Active).collect();
    let mut expected = Vec::new();
    for plan in &running {
        let covered = plan.paid_towards(plan.invoices.iter().filter_map(|id| by_id.get(id).copied()));
        for (index, (instalment, covered)) in plan.instalments.iter().zip(covered).enumerate() {
            if window.contains(&instalment.due) && covered < instalment.amount {
                expected.push(Expected {
                    day: instalment.due,
                    currency: plan.currency,
                    amount: instalment.amount - covered,
                    customer_id: plan.customer_id.clone(),
                    source: Source::Instalment {
                        plan: plan.id.clone(),
                        number: index + 1,
                    },
                    invoices: plan.invoices.clone(),
                });
            }
        }
    }
    let mut counted: BTreeSet<&InvoiceId> = running.iter().flat_map(|plan| &plan.invoices).collect();
    let mut promises: Vec<(&Answer, NaiveDate)> = answers
        .iter()
        .filter(|answer| answer.state == AnswerState::Open)
        .filter_map(|answer| Some((answer, answer.kind.promised_day()?)))
        .filter(|(_, day)| window.contains(day))
        .collect();
    promises.sort_by(|(a, _), (b, _)| b.at.cmp(&a.at).then_with(|| a.id.cmp(&b.id)));
    for (answer, day) in promises {
        let mut per_currency: BTreeMap<Currency, (Decimal, Vec<InvoiceId>)> = BTreeMap::new();
        for id in &answer.invoices {
            let Some(invoice) = by_id.get(id).filter(|invoice| is_owed(invoice)) else {
                continue;
            };
            if !counted.insert(id) {
                continue;
            }
            let (amount, ids) = per_currency.entry(invoice.currency).or_default();
            *amount += invoice.balance();
            ids.push(id.clone());
        }
        for (currency, (amount, invoices)) in per_currency {
            expected.push(Expected {
                day,
                currency,
                amount,
                customer_id: answer.customer_id.clone(),
                source: Source::Promise {
                    answer: answer.id.clone(),
                },
                invoices,
            });
        }
    }
    expected.sort_by(|a, b| {
        (a.day, a.currency, &a.customer_id)
            .cmp(&(b.day, b.currency, &b.customer_id))
            .then_with(|| a.source.cmp(&b.source))
    });
    let mut totals: BTreeMap<Currency, Decimal> = BTreeMap::new();
    for item in &expected {
        *totals.entry(item.currency).or_default() += item.amount;
    }
    Receipts {
        expected,
        totals: totals.into_iter().collect(),
    }
}
