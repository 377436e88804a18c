//! The receivables reports: days sales outstanding by the countback method and the collection effectiveness
//! index (here), aging by customer with the invoices behind each row and what was written off or handed over
//! ([`customers`]), and the receipts expected over the next days ([`receipts`]). Pure: functions of the
//! invoices (with their dated payments, [`crate::paid_history`]), answers and plans a service read.
//!
//! What was owed on a past day: an invoice issued by then, not void, less what it was paid by then
//! ([`crate::paid_history::balance_as_of`]); a write-off takes it out from the day staff decided it (one the
//! accounting system wrote off, undated, counts as written off throughout). A hand-over leaves it owed.

pub mod customers;
pub mod receipts;

use crate::invoice::{Invoice, InvoiceStatus, OutcomeKind};
use crate::money::Currency;
use crate::paid_history::{balance_as_of, is_undated};
use chrono::{Datelike, Months, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};
use std::collections::BTreeSet;

/// How many months before a report's first the countback may walk (and so the invoices a service reads):
/// a balance older than this makes a month's DSO a lower bound ([`DsoMonth::at_least`]).
pub const LOOKBACK_MONTHS: u32 = 12;

/// One month of a report: its first day and the last day it covers (its last, or today in the current one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Month {
    pub first: NaiveDate,
    pub last: NaiveDate,
}

impl Month {
    /// `YYYY-MM`.
    pub fn label(&self) -> String {
        format!("{:04}-{:02}", self.first.year(), self.first.month())
    }

    fn days(&self) -> Decimal {
        Decimal::from((self.last - self.first).num_days() + 1)
    }
}

/// The `months` months ending with `today`'s, oldest first; the last ends on `today`.
pub fn months_to(today: NaiveDate, months: u32) -> Vec<Month> {
    let first = crate::reasons::start_of_period(today, months);
    (0..months)
        .map(|index| {
            let first = first + Months::new(index);
            let last = (first + Months::new(1)).pred_opt().expect("a day before").min(today);
            Month { first, last }
        })
        .collect()
}

/// The first day whose sales a report of `months` months to `today` needs: [`LOOKBACK_MONTHS`] before its
/// first month. The service reads the invoices issued since then (and every unsettled one).
pub fn data_from(today: NaiveDate, months: u32) -> NaiveDate {
    crate::reasons::start_of_period(today, months.saturating_add(LOOKBACK_MONTHS))
}

/// What `invoice` counted as receivable at the end of `day`.
pub fn receivable_on(invoice: &Invoice, day: NaiveDate) -> Decimal {
    if invoice.issue_date > day || invoice.status == InvoiceStatus::Void {
        return Decimal::ZERO;
    }
    if invoice.status == InvoiceStatus::WrittenOff {
        let written_off_on = invoice
            .bookkeeping
            .outcome
            .as_ref()
            .filter(|outcome| outcome.kind == OutcomeKind::WrittenOff)
            .map(|outcome| outcome.at.date_naive());
        if written_off_on.is_none_or(|on| on <= day) {
            return Decimal::ZERO;
        }
    }
    balance_as_of(invoice, day)
}

/// A credit sale: every invoice but a void one counts its total on its issue date.
fn is_sale(invoice: &Invoice) -> bool {
    invoice.status != InvoiceStatus::Void
}

fn sales_between(invoices: &[&Invoice], first: NaiveDate, last: NaiveDate) -> Decimal {
    invoices
        .iter()
        .filter(|invoice| is_sale(invoice) && (first..=last).contains(&invoice.issue_date))
        .map(|invoice| invoice.total)
        .sum()
}

fn receivable(invoices: &[&Invoice], day: NaiveDate) -> Decimal {
    invoices.iter().map(|invoice| receivable_on(invoice, day)).sum()
}

/// Rounded half away from zero to one decimal place, and shown with it (`28.0`).
fn one_place(value: Decimal) -> Decimal {
    let mut rounded = value.round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero);
    rounded.rescale(1);
    rounded
}

/// The invoices of each currency that appears among `invoices` (void ones aside), currencies in order.
fn by_currency(invoices: &[Invoice]) -> Vec<(Currency, Vec<&Invoice>)> {
    let currencies: BTreeSet<Currency> = invoices
        .iter()
        .filter(|invoice| is_sale(invoice))
        .map(|invoice| invoice.currency)
        .collect();
    currencies
        .into_iter()
        .map(|currency| {
            let of = invoices.iter().filter(|invoice| invoice.currency == currency).collect();
            (currency, of)
        })
        .collect()
}

/// One month's days sales outstanding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DsoMonth {
    pub month: String,
    /// The day it is measured on: the month's last, or today.
    pub end: NaiveDate,
    /// What was owed at the end of `end`.
    pub receivable: Decimal,
    /// The credit sales of the month (to `end`).
    pub sales: Decimal,
    /// Days, to one decimal place: the days of the months, newest first, whose sales make up what was
    /// owed, the oldest of them in proportion.
    pub days: Decimal,
    /// The walk ran out of months with known sales before making up what was owed: `days` is a lower
    /// bound.
    pub at_least: bool,
}

/// One currency's DSO per month, and how many of its invoices have payments the reports cannot date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrencyDso {
    pub currency: Currency,
    pub months: Vec<DsoMonth>,
    pub undated: usize,
}

/// Days sales outstanding by the countback method, per currency, for each of `months` (oldest first).
/// `invoices` must hold every invoice issued on or after `data_from` and every one still owed; sales
/// before `data_from` are unknown, so the walk stops there.
pub fn dso(invoices: &[Invoice], months: &[Month], data_from: NaiveDate) -> Vec<CurrencyDso> {
    by_currency(invoices)
        .into_iter()
        .map(|(currency, of)| CurrencyDso {
            currency,
            months: months.iter().map(|month| dso_month(&of, *month, data_from)).collect(),
            undated: of.iter().filter(|invoice| is_undated(invoice)).count(),
        })
        .collect()
}

fn dso_month(invoices: &[&Invoice], month: Month, data_from: NaiveDate) -> DsoMonth {
    let owed = receivable(invoices, month.last);
    let mut left = owed;
    let mut days = Decimal::ZERO;
    let mut walked = month;
    while left > Decimal::ZERO && walked.last >= data_from {
        let first = walked.first.max(data_from);
        let span = Month {
            first,
            last: walked.last,
        };
        let sales = sales_between(invoices, span.first, span.last);
        if sales >= left {
            days += span.days() * left / sales;
            left = Decimal::ZERO;
        } else {
            days += span.days();
            left -= sales;
        }
        let first = walked.first - Months::new(1);
        walked = Month {
            first,
            last: walked.first.pred_opt().expect("a day before"),
        };
    }
    DsoMonth {
        month: month.label(),
        end: month.last,
        receivable: owed,
        sales: sales_between(invoices, month.first, month.last),
        days: one_place(days),
        at_least: left > Decimal::ZERO,
    }
}

/// One month's collection effectiveness index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CeiMonth {
    pub month: String,
    /// Owed at the end of the day before the month began.
    pub begin: Decimal,
    pub sales: Decimal,
    /// Owed at the month's end (or today).
    pub end: Decimal,
    /// Of `end`, what was not yet due then.
    pub end_current: Decimal,
    /// `(begin + sales − end) / (begin + sales − end_current) × 100`, to one decimal place; `None` when
    /// nothing was collectible (the divisor is zero).
    pub percent: Option<Decimal>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrencyCei {
    pub currency: Currency,
    pub months: Vec<CeiMonth>,
    pub undated: usize,
}

/// The collection effectiveness index per currency, for each of `months` (oldest first): of what could be
/// collected in the month (owed at its start, plus its sales, less what was not yet due at its end), the
/// share that was.
pub fn cei(invoices: &[Invoice], months: &[Month]) -> Vec<CurrencyCei> {
    by_currency(invoices)
        .into_iter()
        .map(|(currency, of)| CurrencyCei {
            currency,
            months: months.iter().map(|month| cei_month(&of, *month)).collect(),
            undated: of.iter().filter(|invoice| is_undated(invoice)).count(),
        })
        .collect()
}

fn cei_month(invoices: &[&Invoice], month: Month) -> CeiMonth {
    let begin = receivable(invoices, month.first.pred_opt().expect("a day before"));
    let sales = sales_between(invoices, month.first, month.last);
    let end = receivable(invoices, month.last);
    let end_current: Decimal = invoices
        .iter()
        .filter(|invoice| invoice.due_date >= month.last)
        .map(|invoice| receivable_on(invoice, month.last))
        .sum();
    let collectible = begin + sales - end_current;
    let percent =
        (collectible > Decimal::ZERO).then(|| one_place((begin + sales - end) * Decimal::ONE_HUNDRED / collectible));
    CeiMonth {
        month: month.label(),
        begin,
        sales,
        end,
        end_current,
        percent,
    }
}

#[cfg(test)]
mod tests;
