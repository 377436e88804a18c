//! The aging report: unsettled balances per currency in the usual buckets.

use crate::invoice::{Invoice, InvoiceStatus};
use crate::money::Currency;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// The buckets, by days past due: not yet due, 1–30, 31–60, 61–90, over 90.
pub const BUCKETS: [&str; 5] = ["current", "1-30", "31-60", "61-90", "90+"];

/// One currency's row: the balance in each bucket and the total.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgingRow {
    pub currency: Currency,
    pub buckets: [Decimal; 5],
    pub total: Decimal,
    pub invoices: usize,
}

/// Which bucket an invoice `days_overdue` past due falls into.
pub fn bucket_of(days_overdue: i64) -> usize {
    match days_overdue {
        ..=0 => 0,
        1..=30 => 1,
        31..=60 => 2,
        61..=90 => 3,
        _ => 4,
    }
}

/// Age every open-ish invoice with a balance as of `today`. Disputed, pending and plan invoices still
/// count: the money is still owed.
pub fn aging_report<'a>(invoices: impl IntoIterator<Item = &'a Invoice>, today: NaiveDate) -> Vec<AgingRow> {
    let mut rows: BTreeMap<Currency, AgingRow> = BTreeMap::new();
    for invoice in invoices {
        let settled = matches!(
            invoice.status,
            InvoiceStatus::Paid | InvoiceStatus::Void | InvoiceStatus::WrittenOff
        );
        if settled || invoice.balance().is_zero() {
            continue;
        }
        let row = rows.entry(invoice.currency).or_insert_with(|| AgingRow {
            currency: invoice.currency,
            buckets: [Decimal::ZERO; 5],
            total: Decimal::ZERO,
            invoices: 0,
        });
        row.buckets[bucket_of(invoice.days_overdue(today))] += invoice.balance();
        row.total += invoice.balance();
        row.invoices += 1;
    }
    rows.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_edges() {
        assert_eq!(bucket_of(-5), 0);
        assert_eq!(bucket_of(0), 0);
        assert_eq!(bucket_of(1), 1);
        assert_eq!(bucket_of(30), 1);
        assert_eq!(bucket_of(31), 2);
        assert_eq!(bucket_of(60), 2);
        assert_eq!(bucket_of(61), 3);
        assert_eq!(bucket_of(90), 3);
        assert_eq!(bucket_of(91), 4);
    }
}
