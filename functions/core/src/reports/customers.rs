//! Aging by customer, with the invoices behind each row (the drill-down), and what was given up on:
//! written off or handed over, with who decided, when and why.

use crate::aging::bucket_of;
use crate::customer::CustomerId;
use crate::invoice::{Invoice, InvoiceId, InvoiceStatus, Outcome};
use crate::money::Currency;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// One invoice behind a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgedInvoice {
    pub id: InvoiceId,
    pub number: String,
    pub status: InvoiceStatus,
    pub issue_date: NaiveDate,
    pub due_date: NaiveDate,
    /// Negative before the due date.
    pub days_overdue: i64,
    pub bucket: usize,
    pub balance: Decimal,
}

/// One customer's balances in one currency, bucketed as [`crate::aging::BUCKETS`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerAging {
    pub customer_id: CustomerId,
    pub currency: Currency,
    pub buckets: [Decimal; 5],
    pub total: Decimal,
    /// Most overdue first.
    pub invoices: Vec<AgedInvoice>,
}

/// Whether `invoice` is owed and still kindly's to age: not settled, not given up on, a balance left.
fn is_aged(invoice: &Invoice) -> bool {
    !matches!(
        invoice.status,
        InvoiceStatus::Paid | InvoiceStatus::Void | InvoiceStatus::WrittenOff | InvoiceStatus::HandedOver
    ) && !invoice.balance().is_zero()
}

/// Aging by customer as of `today`: the same invoices and buckets as [`crate::aging::aging_report`], one
/// row per customer and currency; by currency, then the largest total first (then by customer).
pub fn aging_by_customer<'a>(invoices: impl IntoIterator<Item = &'a Invoice>, today: NaiveDate) -> Vec<CustomerAging> {
    let mut rows: BTreeMap<(CustomerId, Currency), CustomerAging> = BTreeMap::new();
    for invoice in invoices.into_iter().filter(|invoice| is_aged(invoice)) {
        let key = (invoice.customer_id.clone(), invoice.currency);
        let row = rows.entry(key).or_insert_with(|| CustomerAging {
            customer_id: invoice.customer_id.clone(),
            currency: invoice.currency,
            buckets: [Decimal::ZERO; 5],
            total: Decimal::ZERO,
            invoices: Vec::new(),
        });
        let days_overdue = invoice.days_overdue(today);
        let bucket = bucket_of(days_overdue);
        row.buckets[bucket] += invoice.balance();
        row.total += invoice.balance();
        row.invoices.push(AgedInvoice {
            id: invoice.id.clone(),
            number: invoice.number.clone(),
            status: invoice.status,
            issue_date: invoice.issue_date,
            due_date: invoice.due_date,
            days_overdue,
            bucket,
            balance: invoice.balance(),
        });
    }
    let mut rows: Vec<CustomerAging> = rows.into_values().collect();
    for row in &mut rows {
        row.invoices
            .sort_by(|a, b| b.days_overdue.cmp(&a.days_overdue).then_with(|| a.id.cmp(&b.id)));
    }
    // Stable: equal totals keep the customer order.
    rows.sort_by_key(|row| (row.currency, std::cmp::Reverse(row.total)));
    rows
}

/// One invoice given up on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GivenUp {
    pub invoice_id: InvoiceId,
    pub number: String,
    pub customer_id: CustomerId,
    pub balance: Decimal,
    /// Staff's decision (who, when, why or to whom); `None` when the accounting system wrote it off.
    pub outcome: Option<Outcome>,
}

/// One currency's written-off and handed-over invoices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrencyOutcomes {
    pub currency: Currency,
    pub written_off: Decimal,
    pub handed_over: Decimal,
    /// Newest decision first; the accounting system's write-offs (undated) last.
    pub written_off_invoices: Vec<GivenUp>,
    pub handed_over_invoices: Vec<GivenUp>,
}

/// What was written off and handed over, per currency: counts, balances, and each invoice with who
/// decided, when and why.
pub fn outcomes<'a>(invoices: impl IntoIterator<Item = &'a Invoice>) -> Vec<CurrencyOutcomes> {
    let mut rows: BTreeMap<Currency, CurrencyOutcomes> = BTreeMap::new();
    for invoice in invoices {
        let is_written_off = match invoice.status {
            InvoiceStatus::WrittenOff => true,
            InvoiceStatus::HandedOver => false,
            _ => continue,
        };
        let row = rows.entry(invoice.currency).or_insert_with(|| CurrencyOutcomes {
            currency: invoice.currency,
            written_off: Decimal::ZERO,
            handed_over: Decimal::ZERO,
            written_off_invoices: Vec::new(),
            handed_over_invoices: Vec::new(),
        });
        let given_up = GivenUp {
            invoice_id: invoice.id.clone(),
            number: invoice.number.clone(),
            customer_id: invoice.customer_id.clone(),
            balance: invoice.balance(),
            outcome: invoice.bookkeeping.outcome.clone(),
        };
        let (sum, list) = match is_written_off {
            true => (&mut row.written_off, &mut row.written_off_invoices),
            false => (&mut row.handed_over, &mut row.handed_over_invoices),
        };
        *sum += given_up.balance;
        list.push(given_up);
    }
    let newest_first = |a: &GivenUp, b: &GivenUp| {
        let at = |given: &GivenUp| given.outcome.as_ref().map(|outcome| outcome.at);
        at(b).cmp(&at(a)).then_with(|| a.invoice_id.cmp(&b.invoice_id))
    };
    let mut rows: Vec<CurrencyOutcomes> = rows.into_values().collect();
    for row in &mut rows {
        row.written_off_invoices.sort_by(newest_first);
        row.handed_over_invoices.sort_by(newest_first);
    }
    rows
}
