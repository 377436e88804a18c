//! The receivables reports' reads ([`crate::reports`] shapes them): the invoices behind DSO and CEI, aging
//! by customer and what was given up on, and what is behind the expected receipts. Reports are occasional:
//! their widest read, [`Store::invoices_issued_since`], may cost in proportion to every invoice stored.

use crate::customer::{Customer, CustomerId};
use crate::error::CoreError;
use crate::invoice::{Invoice, InvoiceId};
use crate::policy::Policy;
use crate::ports::Store;
use crate::reports::receipts::{Receipts, expected_receipts};
use crate::reports::{Month, data_from, months_to};
use chrono::{Days, NaiveDate};
use std::collections::{BTreeMap, BTreeSet};

/// What the month-by-month reports (DSO, CEI) read: the months, the first day whose sales are known, and
/// every invoice issued since then or still unsettled, once each.
#[derive(Debug, Clone)]
pub struct Ledger {
    pub months: Vec<Month>,
    pub data_from: NaiveDate,
    pub invoices: Vec<Invoice>,
}

/// The invoices the reports of `months` months to `today` need ([`crate::reports::data_from`]).
pub async fn ledger<S: Store>(store: &S, today: NaiveDate, months: u32) -> Result<Ledger, CoreError> {
    let from = data_from(today, months);
    let mut invoices: BTreeMap<InvoiceId, Invoice> = BTreeMap::new();
    for invoice in store.invoices_issued_since(from).await? {
        invoices.insert(invoice.id.clone(), invoice);
    }
    for invoice in store.unsettled_invoices().await? {
        invoices.entry(invoice.id.clone()).or_insert(invoice);
    }
    Ok(Ledger {
        months: months_to(today, months),
        data_from: from,
        invoices: invoices.into_values().collect(),
    })
}

/// The customers `invoices` name, to show names beside ids.
pub async fn customers_of<S: Store>(
    store: &S,
    ids: impl IntoIterator<Item = &CustomerId>,
) -> Result<Vec<Customer>, CoreError> {
    let ids: Vec<CustomerId> = ids.into_iter().cloned().collect::<BTreeSet<_>>().into_iter().collect();
    store.customers(&ids).await
}

/// The receipts expected from `today` through `horizon_days` later, with the customers they come from. Open
/// promises are read among the answers given since the earliest day one could still fall due (the policy's
/// `promise_limit_days` back, and a day for time zones); running plans by their next check, which is never
/// after their next unpaid instalment; and the invoices both name.
pub async fn receipts<S: Store>(
    store: &S,
    policy: &Policy,
    today: NaiveDate,
    horizon_days: u32,
) -> Result<(Receipts, Vec<Customer>), CoreError> {
    let back = u64::from(policy.answers.promise_limit_days) + 2;
    let since = (today - Days::new(back)).and_time(chrono::NaiveTime::MIN).and_utc();
    let answers = store.answers_since(since).await?;
    let plans = store.plans_due(today + Days::new(u64::from(horizon_days))).await?;
    let ids: Vec<InvoiceId> = answers
        .iter()
        .flat_map(|answer| &answer.invoices)
        .chain(plans.iter().flat_map(|plan| &plan.invoices))
        .cloned()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let invoices = store.invoices(&ids).await?;
    let receipts = expected_receipts(&invoices, &answers, &plans, today, horizon_days);
    let customers = customers_of(store, receipts.expected.iter().map(|item| &item.customer_id)).await?;
    Ok((receipts, customers))
}
