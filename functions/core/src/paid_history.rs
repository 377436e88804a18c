//! When an invoice's `paid` changed, so that reports can say what was owed at a past month's end. Every
//! write of an invoice notes the day its `paid` changed ([`note_paid`]); [`paid_as_of`] reads it back.
//!
//! An invoice stored before kindly kept this history has none until its `paid` next changes. What it was
//! paid before the first day noted is not known: the earliest value known counts from its issue date, and
//! [`is_undated`] tells the reports which invoices rest on that guess.

use crate::invoice::Invoice;
use chrono::NaiveDate;
use rust_decimal::Decimal;

/// Note in `updated` (about to replace `before`, or to be stored first) that its `paid` stood at its new
/// value at the end of `day`. Nothing is noted when `paid` did not change, except on an invoice's first
/// write, which starts its history. An invoice whose history is empty (stored before kindly kept one) and
/// whose `paid` changes keeps its old value as of the day before, so the days before still read it.
pub fn note_paid(updated: &mut Invoice, before: Option<&Invoice>, day: NaiveDate) {
    let history = &mut updated.bookkeeping.paid_history;
    match before {
        Some(before) if before.paid == updated.paid => return,
        Some(before) if history.is_empty() => {
            if let Some(yesterday) = day.pred_opt() {
                history.insert(yesterday, before.paid);
            }
        }
        _ => {}
    }
    history.insert(day, updated.paid);
}

/// What `invoice` was paid at the end of `day`: the value noted last on or before it; before the first day
/// noted, the earliest value known; without any history, what it is paid now.
pub fn paid_as_of(invoice: &Invoice, day: NaiveDate) -> Decimal {
    let history = &invoice.bookkeeping.paid_history;
    history
        .range(..=day)
        .next_back()
        .or_else(|| history.iter().next())
        .map_or(invoice.paid, |(_, paid)| *paid)
}

/// What `invoice` still owed at the end of `day` (never below zero).
pub fn balance_as_of(invoice: &Invoice, day: NaiveDate) -> Decimal {
    (invoice.total - paid_as_of(invoice, day)).max(Decimal::ZERO)
}

/// Whether the reports cannot date any of `invoice`'s payments: it is paid something, and has no
/// history (stored before kindly kept one, and unchanged since).
pub fn is_undated(invoice: &Invoice) -> bool {
    invoice.bookkeeping.paid_history.is_empty() && !invoice.paid.is_zero()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{day, invoice};

    fn amount(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    #[test]
    fn a_new_invoice_starts_its_history_and_each_change_is_dated() {
        // GIVEN an invoice of 100.00 imported on 1 March with nothing paid
        let mut first = invoice("I1", "A", "2026-03-31", None);
        note_paid(&mut first, None, day("2026-03-01"));
        // WHEN 40.00 arrives on 10 March, nothing changes on 12 March, and the rest arrives on 20 March
        let mut partly = first.clone();
        partly.paid = amount("40.00");
        note_paid(&mut partly, Some(&first), day("2026-03-10"));
        let mut same = partly.clone();
        note_paid(&mut same, Some(&partly), day("2026-03-12"));
        let mut paid = same.clone();
        paid.paid = amount("100.00");
        note_paid(&mut paid, Some(&same), day("2026-03-20"));
        // THEN each day reads what was paid by its end
        assert_eq!(
            paid.bookkeeping.paid_history.len(),
            3,
            "the unchanged write noted nothing"
        );
        assert_eq!(paid_as_of(&paid, day("2026-03-01")), Decimal::ZERO);
        assert_eq!(paid_as_of(&paid, day("2026-03-09")), Decimal::ZERO);
        assert_eq!(paid_as_of(&paid, day("2026-03-10")), amount("40.00"));
        assert_eq!(balance_as_of(&paid, day("2026-03-19")), amount("60.00"));
        assert_eq!(balance_as_of(&paid, day("2026-03-20")), Decimal::ZERO);
        assert!(!is_undated(&paid));
    }

    #[test]
    fn an_invoice_without_history_keeps_its_old_paid_for_the_days_before_a_change() {
        // GIVEN an invoice stored before the history: 30.00 paid, no dates
        let mut old = invoice("I1", "A", "2026-03-31", None);
        old.paid = amount("30.00");
        assert!(is_undated(&old));
        assert_eq!(
            paid_as_of(&old, day("2026-01-01")),
            amount("30.00"),
            "now's paid, undated"
        );
        // WHEN 50.00 more arrives on 15 April
        let mut paid = old.clone();
        paid.paid = amount("80.00");
        note_paid(&mut paid, Some(&old), day("2026-04-15"));
        // THEN the old 30.00 stands up to 14 April (and, unknown before, from the start); 80.00 after
        assert_eq!(paid_as_of(&paid, day("2026-02-01")), amount("30.00"));
        assert_eq!(paid_as_of(&paid, day("2026-04-14")), amount("30.00"));
        assert_eq!(paid_as_of(&paid, day("2026-04-15")), amount("80.00"));
        assert!(!is_undated(&paid));
        // Positive control: an unpaid invoice without history is not "undated" — there is nothing to date.
        assert!(!is_undated(&invoice("I2", "A", "2026-03-31", None)));
    }

    #[test]
    fn a_refund_is_dated_too() {
        let mut paid = invoice("I1", "A", "2026-03-31", None);
        paid.paid = amount("100.00");
        note_paid(&mut paid, None, day("2026-03-05"));
        let mut refunded = paid.clone();
        refunded.paid = amount("60.00");
        note_paid(&mut refunded, Some(&paid), day("2026-03-08"));
        assert_eq!(balance_as_of(&refunded, day("2026-03-07")), Decimal::ZERO);
        assert_eq!(balance_as_of(&refunded, day("2026-03-08")), amount("40.00"));
    }
}
