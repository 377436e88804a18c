//! The aging report: unsettled balances per currency in the usual buckets.

use crate::invoice::{Invoice, InvoiceStatus};
use crate::money::Currency;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// The buckets, by days past due: not yet due, 1–30, 31–60, 61–90, over 90.
pub const BUCKETS: [&str; 5] = ["current", "1-30", "31-60", "61-90", "90+"];

/// One currency's row: the balance in each bucket and the total, and beside them what was given up on —
/// written off, or handed to a collections agency — which the buckets and the total leave out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgingRow {
    pub currency: Currency,
    pub buckets: [Decimal; 5],
    pub total: Decimal,
    /// How many invoices the buckets count.
    pub invoices: usize,
    /// The balances written off, and how many invoices.
    pub written_off: (Decimal, usize),
    /// The balances handed over for collection, and how many invoices.
    pub handed_over: (Decimal, usize),
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
/// count: the money is still owed. Written-off and handed-over balances are counted apart, so the report
/// keeps them without calling them open.
pub fn aging_report<'a>(invoices: impl IntoIterator<Item = &'a Invoice>, today: NaiveDate) -> Vec<AgingRow> {
    let mut rows: BTreeMap<Currency, AgingRow> = BTreeMap::new();
    for invoice in invoices {
        let settled = matches!(invoice.status, InvoiceStatus::Paid | InvoiceStatus::Void);
        if settled || invoice.balance().is_zero() {
            continue;
        }
        let row = rows.entry(invoice.currency).or_insert_with(|| AgingRow {
            currency: invoice.currency,
            buckets: [Decimal::ZERO; 5],
            total: Decimal::ZERO,
            invoices: 0,
            written_off: (Decimal::ZERO, 0),
            handed_over: (Decimal::ZERO, 0),
        });
        let apart = match invoice.status {
            InvoiceStatus::WrittenOff => Some(&mut row.written_off),
            InvoiceStatus::HandedOver => Some(&mut row.handed_over),
            _ => None,
        };
        if let Some((sum, count)) = apart {
            *sum += invoice.balance();
            *count += 1;
            continue;
        }
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

    #[test]
    fn written_off_and_handed_over_are_counted_apart_from_what_is_open() {
        use crate::fixtures::{day, invoice};
        let status = |id: &str, status: InvoiceStatus| Invoice {
            status,
            ..invoice(id, "A", "2026-01-01", None)
        };
        let invoices = [
            status("OPEN", InvoiceStatus::Open),
            status("PLAN", InvoiceStatus::OnPaymentPlan),
            status("OFF", InvoiceStatus::WrittenOff),
            status("AGENCY", InvoiceStatus::HandedOver),
            status("AGENCY2", InvoiceStatus::HandedOver),
            status("PAID", InvoiceStatus::Paid),
        ];
        let rows = aging_report(&invoices, day("2026-03-15"));
        assert_eq!(rows.len(), 1);
        let hundred: Decimal = "100.00".parse().unwrap();
        assert_eq!(rows[0].invoices, 2);
        assert_eq!(rows[0].total, hundred * Decimal::TWO);
        assert_eq!(rows[0].buckets[bucket_of(73)], hundred * Decimal::TWO);
        assert_eq!(rows[0].written_off, (hundred, 1));
        assert_eq!(rows[0].handed_over, (hundred * Decimal::TWO, 2));
    }
}
