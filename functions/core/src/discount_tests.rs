//! Tests of [`super`]: early-payment terms on their own.
use super::*;
use crate::fixtures::{day, invoice};
use crate::holidays::Country;
use crate::money::Currency;

fn two_ten(total: &str, currency: &str) -> Invoice {
    Invoice {
        currency: Currency::from_code(currency).unwrap(),
        total: total.parse().unwrap(),
        issue_date: day("2026-12-15"),
        due_date: day("2027-01-14"),
        early_payment: Some(DiscountTerms {
            percent: "2".parse().unwrap(),
            within_days: 10,
        }),
        ..invoice("I1", "A", "2027-01-14", None)
    }
}

fn england() -> Calendar {
    Calendar::of(Some(Country::from_code("GB").unwrap()))
}

fn dec(text: &str) -> Decimal {
    text.parse().unwrap()
}

#[test]
fn the_deadline_moves_to_the_next_business_day() {
    // Issued 15 December 2026: the tenth day is Friday the 25th (Christmas). In England the next business
    // day is Tuesday the 29th (Boxing Day kept on Monday the 28th); Monday to Friday, the 25th itself.
    let invoice = two_ten("1000.00", "USD");
    assert_eq!(offer(&invoice, england()).unwrap().deadline, day("2026-12-29"));
    assert_eq!(offer(&invoice, Calendar::WEEKDAYS).unwrap().deadline, day("2026-12-25"));
    // A window ending on a business day stays.
    let mut plain = invoice.clone();
    plain.issue_date = day("2026-12-01");
    assert_eq!(offer(&plain, england()).unwrap().deadline, day("2026-12-11"));
    // No terms, no offer.
    plain.early_payment = None;
    assert_eq!(offer(&plain, england()), None);
}

#[test]
fn the_discounted_amount_is_exact_to_the_currency() {
    let cases = [
        ("1000.00", "USD", "980.00"),
        ("1234.57", "USD", "1209.88"), // 1209.8786
        ("12345", "JPY", "12098"),     // 12098.1
        ("100.005", "BHD", "98.005"),  // 98.0049
        ("0.25", "EUR", "0.25"),       // 0.245 rounds half away from zero
    ];
    for (total, currency, discounted) in cases {
        let offer = offer(&two_ten(total, currency), Calendar::WEEKDAYS).unwrap();
        assert_eq!(offer.discounted, dec(discounted), "{total} {currency}");
        assert_eq!(offer.discounted + offer.discount, dec(total));
    }
}

#[test]
fn a_discounted_payment_by_the_deadline_settles_and_records_the_discount() {
    let mut paid = two_ten("1000.00", "USD");
    paid.paid = dec("980.00");
    settle(&mut paid, england(), day("2026-12-29"));
    assert_eq!(paid.status, InvoiceStatus::Paid);
    assert_eq!(
        paid.bookkeeping.discount_taken,
        Some(DiscountTaken {
            amount: dec("20.00"),
            on: day("2026-12-29")
        })
    );
    assert_eq!(paid.balance(), Decimal::ZERO);
    assert!(!paid.is_remindable());
    // Settling again changes nothing.
    let again = paid.clone();
    settle(&mut paid, england(), day("2026-12-30"));
    assert_eq!(paid, again);
}

#[test]
fn the_same_payment_after_the_deadline_is_a_part_payment() {
    let mut late = two_ten("1000.00", "USD");
    late.paid = dec("980.00");
    settle(&mut late, england(), day("2026-12-30"));
    assert_eq!(late.status, InvoiceStatus::Open);
    assert_eq!(late.bookkeeping.discount_taken, None);
    assert_eq!(late.balance(), dec("20.00"));
    // Short of the discounted amount by the deadline: also a part payment.
    let mut short = two_ten("1000.00", "USD");
    short.paid = dec("979.99");
    settle(&mut short, england(), day("2026-12-20"));
    assert_eq!((short.status, short.balance()), (InvoiceStatus::Open, dec("20.01")));
    // Positive control: the same payment a day earlier settles it.
    late.paid = dec("980.00");
    settle(&mut late, england(), day("2026-12-29"));
    assert_eq!(late.status, InvoiceStatus::Paid);
}

#[test]
fn a_refund_below_the_discounted_amount_drops_the_discount() {
    let mut invoice = two_ten("1000.00", "USD");
    invoice.paid = dec("980.00");
    settle(&mut invoice, england(), day("2026-12-20"));
    invoice.paid = dec("500.00");
    settle(&mut invoice, england(), day("2027-01-05"));
    assert_eq!(invoice.status, InvoiceStatus::Open);
    assert_eq!(invoice.bookkeeping.discount_taken, None);
    assert_eq!(invoice.balance(), dec("500.00"));
}

#[test]
fn a_copy_saying_open_does_not_reopen_a_discount_taken_and_a_paid_copy_settles_it() {
    let mut invoice = two_ten("1000.00", "USD");
    invoice.paid = dec("980.00");
    settle(&mut invoice, england(), day("2026-12-20"));
    invoice.status = InvoiceStatus::Open;
    settle(&mut invoice, england(), day("2027-02-01"));
    assert_eq!(invoice.status, InvoiceStatus::Paid);
    // The accounting system marks it paid with the discount itself, after the deadline: its decision.
    let mut marked = two_ten("1000.00", "USD");
    marked.paid = dec("980.00");
    marked.status = InvoiceStatus::Paid;
    settle(&mut marked, england(), day("2027-02-01"));
    assert_eq!(
        marked.bookkeeping.discount_taken.map(|taken| taken.amount),
        Some(dec("20.00"))
    );
    // Paid in full: no discount taken.
    let mut full = two_ten("1000.00", "USD");
    full.paid = dec("1000.00");
    full.status = InvoiceStatus::Paid;
    settle(&mut full, england(), day("2026-12-20"));
    assert_eq!(full.bookkeeping.discount_taken, None);
}

#[test]
fn an_invoice_takes_the_customers_terms_when_first_stored() {
    let mut customer = crate::fixtures::customer("A");
    let terms = DiscountTerms {
        percent: dec("3"),
        within_days: 14,
    };
    customer.terms.early_payment_discount = Some(terms.clone());
    let mut incoming = invoice("I1", "A", "2027-01-14", None);
    take_terms(&mut incoming, None, Some(&customer));
    assert_eq!(incoming.early_payment, Some(terms.clone()));
    // Stored already without terms: a later contract change does not reach it.
    let stored = invoice("I1", "A", "2027-01-14", None);
    let mut again = stored.clone();
    take_terms(&mut again, Some(&stored), Some(&customer));
    assert_eq!(again.early_payment, None);
    // Its own terms come first.
    let mut own = two_ten("1000.00", "USD");
    take_terms(&mut own, None, Some(&customer));
    assert_eq!(own.early_payment.unwrap().within_days, 10);
}

#[test]
fn the_note_falls_business_days_before_the_deadline_and_never_after_it() {
    let invoice = two_ten("1000.00", "USD");
    let offer = offer(&invoice, england()).unwrap();
    // Deadline Tuesday 29 December; one business day before it is Thursday the 24th (Christmas, the
    // weekend and the Boxing Day holiday come between), two are Wednesday the 23rd.
    assert_eq!(note_day(&offer, 1, england()), day("2026-12-24"));
    assert_eq!(note_day(&offer, 2, england()), day("2026-12-23"));
    assert_eq!(note_due(&invoice, 2, england(), day("2026-12-22")), None);
    assert_eq!(note_due(&invoice, 2, england(), day("2026-12-23")), Some(offer.clone()));
    assert_eq!(note_due(&invoice, 2, england(), day("2026-12-29")), Some(offer));
    assert_eq!(note_due(&invoice, 2, england(), day("2026-12-30")), None);
    // The index reads it no later than its day in any calendar.
    let earliest = earliest_note_day(&invoice, 2).unwrap();
    assert!(earliest <= day("2026-12-23"), "{earliest}");
    // Once sent, or once paid, no more.
    let mut sent = invoice.clone();
    sent.dunning.discount_note_on = Some(day("2026-12-24"));
    assert_eq!(note_due(&sent, 2, england(), day("2026-12-28")), None);
    assert_eq!(earliest_note_day(&sent, 2), None);
    let mut paid = invoice.clone();
    paid.paid = dec("980.00");
    settle(&mut paid, england(), day("2026-12-24"));
    assert_eq!(note_due(&paid, 2, england(), day("2026-12-28")), None);
}

#[test]
fn terms_are_checked_by_field() {
    let mut bad = two_ten("1000.00", "USD");
    bad.early_payment.as_mut().unwrap().percent = dec("100");
    match bad.validate() {
        Err(crate::CoreError::InvalidField { field, problem, .. }) => {
            assert_eq!(field, "early_payment");
            assert!(problem.starts_with("percent must be above 0"), "{problem}");
        }
        other => panic!("{other:?}"),
    }
    bad.early_payment.as_mut().unwrap().percent = dec("2.125");
    assert!(bad.validate().is_err());
    bad.early_payment.as_mut().unwrap().percent = dec("2.5");
    bad.early_payment.as_mut().unwrap().within_days = 400;
    assert!(bad.validate().is_err());
    bad.early_payment.as_mut().unwrap().within_days = 10;
    assert_eq!(bad.validate().ok(), Some(()));
}
