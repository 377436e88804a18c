//! The receivables reports' wire shapes (part of [`crate::wire`], documented in the README with the rest).
//! Amounts are decimal strings in their currency; nothing is summed across currencies.

use super::CustomerRef;
use chrono::{DateTime, NaiveDate, Utc};
use kindly_core::{Currency, InvoiceStatus};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// `GET /api/reports/receivables?months=N`: DSO (countback) and CEI per currency and month.
#[derive(Debug, Serialize, Deserialize)]
pub struct ReceivablesView {
    pub today: NaiveDate,
    pub currencies: Vec<CurrencyReceivables>,
    /// How many invoices have payments the reports cannot date (counted as made all along).
    pub undated: usize,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct CurrencyReceivables {
    pub currency: Currency,
    /// Oldest first.
    pub months: Vec<ReceivablesMonth>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct ReceivablesMonth {
    /// `YYYY-MM`.
    pub month: String,
    /// The day measured: the month's last, or today.
    pub end: NaiveDate,
    /// Owed at the start (the end of the day before the month began).
    pub begin: Decimal,
    pub sales: Decimal,
    /// Owed on `end`.
    pub receivable: Decimal,
    /// Of `receivable`, what was not yet due.
    pub not_yet_due: Decimal,
    /// Days sales outstanding, one decimal place.
    pub dso: Decimal,
    /// `dso` is a lower bound: what was owed goes back further than the sales kindly knows.
    pub dso_at_least: bool,
    /// The collection effectiveness index in percent; `null` when nothing could be collected.
    pub cei: Option<Decimal>,
}

/// `GET /api/reports/aging`: balances per customer and currency, each with its invoices, and what was given
/// up on.
#[derive(Debug, Serialize, Deserialize)]
pub struct AgingView {
    pub today: NaiveDate,
    /// The buckets' names, in the order of every `buckets` list.
    pub buckets: Vec<String>,
    pub customers: Vec<CustomerAgingView>,
    pub given_up: Vec<GivenUpTotals>,
    /// Newest decision first.
    pub given_up_invoices: Vec<GivenUpView>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct CustomerAgingView {
    pub customer: CustomerRef,
    pub currency: Currency,
    pub buckets: Vec<Decimal>,
    pub total: Decimal,
    /// Most overdue first.
    pub invoices: Vec<AgedInvoiceView>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct AgedInvoiceView {
    pub id: String,
    pub number: String,
    pub status: InvoiceStatus,
    pub issue_date: NaiveDate,
    pub due_date: NaiveDate,
    pub days_overdue: i64,
    /// Index into `buckets`.
    pub bucket: usize,
    pub balance: Decimal,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct GivenUpTotals {
    pub currency: Currency,
    pub written_off: Decimal,
    pub written_off_count: usize,
    pub handed_over: Decimal,
    pub handed_over_count: usize,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct GivenUpView {
    pub id: String,
    pub number: String,
    pub customer: CustomerRef,
    pub currency: Currency,
    /// `written_off` or `handed_over`.
    pub outcome: String,
    pub balance: Decimal,
    /// Who decided, when and why (or to whom); all `null` when the accounting system wrote it off.
    pub by: Option<String>,
    pub at: Option<DateTime<Utc>>,
    pub reason: Option<String>,
}

/// `GET /api/reports/receipts`: the money expected from today over the next 30 days.
#[derive(Debug, Serialize, Deserialize)]
pub struct ReceiptsView {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// By day, then currency and customer.
    pub expected: Vec<ExpectedView>,
    pub totals: Vec<CurrencyAmount>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct ExpectedView {
    pub day: NaiveDate,
    pub customer: CustomerRef,
    pub currency: Currency,
    pub amount: Decimal,
    /// `promise` or `instalment`.
    pub source: String,
    /// The answer's or the plan's id.
    pub source_id: String,
    /// For an instalment: its number, from 1.
    pub instalment: Option<usize>,
    pub invoices: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct CurrencyAmount {
    pub currency: Currency,
    pub amount: Decimal,
}
