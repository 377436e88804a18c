//! The reports on small books worked by hand: each test states its arithmetic.

use super::customers::{aging_by_customer, outcomes};
use super::receipts::{Source, expected_receipts};
use super::*;
use crate::actor::Actor;
use crate::answer::AnswerKind;
use crate::customer::CustomerId;
use crate::fixtures::{answer, day, instant, invoice};
use crate::instalments::{Frequency, Instalment, PaymentPlan, PlanId, PlanState};
use crate::invoice::{InvoiceId, Outcome};

fn amount(text: &str) -> Decimal {
    text.parse().unwrap()
}

fn currency(code: &str) -> Currency {
    Currency::from_code(code).unwrap()
}

/// An invoice of `total` in `code`, issued on `issued` and due on `due`, with its payments dated: each
/// `(day, paid by then)`; the last is what it is paid now.
fn book(id: &str, code: &str, total: &str, issued: &str, due: &str, paid: &[(&str, &str)]) -> Invoice {
    let mut invoice = Invoice {
        currency: currency(code),
        total: amount(total),
        issue_date: day(issued),
        due_date: day(due),
        ..invoice(id, "A", due, None)
    };
    invoice.bookkeeping.paid_history.insert(day(issued), Decimal::ZERO);
    for (on, by_then) in paid {
        invoice.bookkeeping.paid_history.insert(day(on), amount(by_then));
        invoice.paid = amount(by_then);
    }
    if invoice.balance().is_zero() {
        invoice.status = InvoiceStatus::Paid;
    }
    invoice
}

/// The worked example of the README: three USD invoices and one EUR invoice, reported on 15 March 2026
/// over three months (January, February, and March to the 15th).
fn worked_example() -> Vec<Invoice> {
    vec![
        // A: 300.00 issued 10 Dec, paid in full on 20 Jan.
        book(
            "A",
            "USD",
            "300.00",
            "2025-12-10",
            "2026-01-09",
            &[("2026-01-20", "300.00")],
        ),
        // B: 400.00 issued 5 Jan, 100.00 paid on 10 Feb.
        book(
            "B",
            "USD",
            "400.00",
            "2026-01-05",
            "2026-02-04",
            &[("2026-02-10", "100.00")],
        ),
        // C: 200.00 issued 15 Feb, nothing paid.
        book("C", "USD", "200.00", "2026-02-15", "2026-03-17", &[]),
        // E: 1000.00 EUR issued 1 Feb, 250.00 paid on 1 Mar.
        book(
            "E",
            "EUR",
            "1000.00",
            "2026-02-01",
            "2026-03-03",
            &[("2026-03-01", "250.00")],
        ),
    ]
}

fn today() -> NaiveDate {
    day("2026-03-15")
}

#[test]
fn the_months_of_a_report_end_with_today() {
    let months = months_to(today(), 3);
    let spans: Vec<(String, NaiveDate)> = months.iter().map(|m| (m.label(), m.last)).collect();
    assert_eq!(
        spans,
        [
            ("2026-01".into(), day("2026-01-31")),
            ("2026-02".into(), day("2026-02-28")),
            ("2026-03".into(), day("2026-03-15")),
        ]
    );
    assert_eq!(data_from(today(), 3), day("2025-01-01"));
}

#[test]
fn dso_counts_back_through_the_months_sales() {
    let invoices = worked_example();
    let report = dso(&invoices, &months_to(today(), 3), data_from(today(), 3));
    let [eur, usd] = report.as_slice() else {
        panic!("two currencies: {report:?}")
    };
    assert_eq!(usd.currency, currency("USD"));
    let days: Vec<(Decimal, Decimal, Decimal, bool)> = usd
        .months
        .iter()
        .map(|m| (m.receivable, m.sales, m.days, m.at_least))
        .collect();
    assert_eq!(
        days,
        [
            // 31 Jan: owed B's 400 (A was paid on the 20th). January's sales (B, 400) cover it: 31 × 400/400.
            (amount("400.00"), amount("400.00"), amount("31.0"), false),
            // 28 Feb: owed B's 300 + C's 200 = 500. February sold 200 (28 days), leaving 300 of January's
            // 400: 28 + 31 × 300/400 = 28 + 23.25 = 51.25, rounded half away from zero.
            (amount("500.00"), amount("200.00"), amount("51.3"), false),
            // 15 Mar: still 500. No sales in March: its 15 days count whole; then February's 28 (200),
            // then 31 × 300/400 of January: 15 + 28 + 23.25 = 66.25.
            (amount("500.00"), Decimal::ZERO, amount("66.3"), false),
        ]
    );
    let eur_days: Vec<Decimal> = eur.months.iter().map(|m| m.days).collect();
    // Nothing owed in January; 28 Feb: 1000 owed of February's 1000 sales: 28 days; 15 Mar: 750 owed, March
    // sold nothing (15 days), then 28 × 750/1000 = 21 of February: 36.
    assert_eq!(eur_days, [Decimal::ZERO, amount("28.0"), amount("36.0")]);
    assert_eq!((usd.undated, eur.undated), (0, 0));
}

#[test]
fn cei_is_what_was_collected_of_what_could_be() {
    let invoices = worked_example();
    let report = cei(&invoices, &months_to(today(), 3));
    let [eur, usd] = report.as_slice() else {
        panic!("two currencies: {report:?}")
    };
    let usd: Vec<(Decimal, Decimal, Decimal, Decimal, Option<Decimal>)> = usd
        .months
        .iter()
        .map(|m| (m.begin, m.sales, m.end, m.end_current, m.percent))
        .collect();
    assert_eq!(
        usd,
        [
            // January: begin 300 (A), sales 400, end 400, of which not yet due 400 (B, due 4 Feb):
            // (300 + 400 − 400) / (300 + 400 − 400) = 100%.
            (
                amount("300.00"),
                amount("400.00"),
                amount("400.00"),
                amount("400.00"),
                Some(amount("100.0"))
            ),
            // February: begin 400, sales 200, end 500, not yet due 200 (C): 100 / 400 = 25%.
            (
                amount("400.00"),
                amount("200.00"),
                amount("500.00"),
                amount("200.00"),
                Some(amount("25.0"))
            ),
            // March to the 15th: begin 500, no sales, end 500, not yet due 200: 0 / 300 = 0%.
            (
                amount("500.00"),
                Decimal::ZERO,
                amount("500.00"),
                amount("200.00"),
                Some(amount("0.0"))
            ),
        ]
    );
    let eur: Vec<Option<Decimal>> = eur.months.iter().map(|m| m.percent).collect();
    // January: nothing at all; February: 1000 sold, none of it due yet — nothing collectible either way;
    // March: begin 1000, end 750, all overdue: 250 / 1000 = 25%.
    assert_eq!(eur, [None, None, Some(amount("25.0"))]);
}

#[test]
fn a_balance_older_than_the_known_sales_makes_dso_a_lower_bound() {
    // GIVEN 500 owed from an invoice of June 2024, before the sales the report knows (from 1 Mar 2025)
    let old = book("OLD", "USD", "500.00", "2024-06-01", "2024-07-01", &[]);
    let months = months_to(today(), 1);
    let report = dso(std::slice::from_ref(&old), &months, data_from(today(), 1));
    let march = &report[0].months[0];
    // THEN every known day counts (1 Mar 2025 to 15 Mar 2026: 365 + 15 = 380 days), and it says "at least"
    assert_eq!(data_from(today(), 1), day("2025-03-01"));
    assert_eq!((march.days, march.at_least), (amount("380.0"), true));
    // Positive control: with the old sales known, the walk stops within June 2024 and is exact
    let exact = dso(std::slice::from_ref(&old), &months, day("2024-01-01"));
    assert!(!exact[0].months[0].at_least);
}

#[test]
fn an_empty_book_reports_nothing() {
    let months = months_to(today(), 6);
    assert!(dso(&[], &months, data_from(today(), 6)).is_empty());
    assert!(cei(&[], &months).is_empty());
    assert!(aging_by_customer(&[], today()).is_empty());
    assert!(outcomes(&[]).is_empty());
    assert_eq!(expected_receipts(&[], &[], &[], today(), 30), Default::default());
}

#[test]
fn a_write_off_leaves_what_was_owed_from_the_day_staff_decided() {
    // GIVEN 100.00 issued 1 Jan, written off by staff on 10 Feb; and 100.00 the accounting system wrote off
    let mut staff = book("W", "USD", "100.00", "2026-01-01", "2026-01-31", &[]);
    staff.status = InvoiceStatus::WrittenOff;
    staff.bookkeeping.outcome = Some(Outcome {
        kind: OutcomeKind::WrittenOff,
        reason: "insolvent".into(),
        by: Actor::person("Riley"),
        at: instant("2026-02-10"),
    });
    let mut accounting = book("X", "USD", "100.00", "2026-01-01", "2026-01-31", &[]);
    accounting.status = InvoiceStatus::WrittenOff;
    // THEN on 9 Feb only the staff one is owed; from 10 Feb neither
    assert_eq!(receivable_on(&staff, day("2026-02-09")), amount("100.00"));
    assert_eq!(receivable_on(&staff, day("2026-02-10")), Decimal::ZERO);
    assert_eq!(receivable_on(&accounting, day("2026-02-09")), Decimal::ZERO);
    // AND both count as January's sales
    let report = cei(&[staff, accounting], &months_to(day("2026-01-31"), 1));
    assert_eq!(report[0].months[0].sales, amount("200.00"));
}

#[test]
fn undated_payments_are_counted_and_named() {
    // GIVEN an invoice stored before kindly dated payments: 40.00 of 100.00 paid, no history
    let mut old = invoice("OLD", "A", "2026-02-01", None);
    old.paid = amount("40.00");
    let report = dso(
        std::slice::from_ref(&old),
        &months_to(today(), 2),
        data_from(today(), 2),
    );
    // THEN its 40.00 counts as paid all along (60.00 owed at each month end), and the report says so
    assert_eq!(report[0].undated, 1);
    assert_eq!(report[0].months[0].receivable, amount("60.00"));
}

#[test]
fn aging_by_customer_keeps_the_invoices_behind_each_row() {
    // GIVEN, on 15 March: customer A owes B (300.00 left, due 4 Feb: 39 days) and C (200.00, due 17 Mar);
    // customer Z owes 50.00 in EUR, 100 days overdue; a paid and a handed-over invoice are not aged.
    let mut invoices = worked_example();
    invoices.retain(|invoice| invoice.currency == currency("USD"));
    let mut z = book("Z", "EUR", "50.00", "2025-11-05", "2025-12-05", &[]);
    z.customer_id = CustomerId("Z".into());
    let mut agency = book("H", "USD", "70.00", "2025-11-05", "2025-12-05", &[]);
    agency.status = InvoiceStatus::HandedOver;
    invoices.extend([z, agency]);
    let rows = aging_by_customer(&invoices, today());
    let summary: Vec<(&str, &str, [Decimal; 5], usize)> = rows
        .iter()
        .map(|row| {
            (
                row.customer_id.0.as_str(),
                row.currency.code(),
                row.buckets,
                row.invoices.len(),
            )
        })
        .collect();
    let zero = Decimal::ZERO;
    assert_eq!(
        summary,
        [
            // By currency: EUR first; A's 300.00 in 31-60 and 200.00 current make 500.00.
            ("Z", "EUR", [zero, zero, zero, zero, amount("50.00")], 1),
            ("A", "USD", [amount("200.00"), zero, amount("300.00"), zero, zero], 2),
        ]
    );
    let a = &rows[1];
    assert_eq!(a.total, amount("500.00"));
    let drill: Vec<(&str, i64, Decimal)> = a
        .invoices
        .iter()
        .map(|invoice| (invoice.id.0.as_str(), invoice.days_overdue, invoice.balance))
        .collect();
    assert_eq!(drill, [("B", 39, amount("300.00")), ("C", -2, amount("200.00"))]);
}

#[test]
fn outcomes_say_who_gave_up_on_what_when_and_why() {
    let decided = |id: &str, kind: OutcomeKind, code: &str, total: &str, on: &str| {
        let mut invoice = book(id, code, total, "2025-10-01", "2025-10-31", &[]);
        invoice.status = kind.status();
        invoice.bookkeeping.outcome = Some(Outcome {
            kind,
            reason: format!("reason {id}"),
            by: Actor::person("Riley"),
            at: instant(on),
        });
        invoice
    };
    let mut accounting = book("ACC", "USD", "30.00", "2025-10-01", "2025-10-31", &[]);
    accounting.status = InvoiceStatus::WrittenOff;
    let invoices = [
        decided("W1", OutcomeKind::WrittenOff, "USD", "100.00", "2026-02-01"),
        decided("W2", OutcomeKind::WrittenOff, "USD", "50.00", "2026-03-01"),
        decided("H1", OutcomeKind::HandedOver, "USD", "400.00", "2026-03-02"),
        decided("H2", OutcomeKind::HandedOver, "GBP", "80.00", "2026-03-03"),
        accounting,
        book("OPEN", "USD", "999.00", "2026-03-01", "2026-03-31", &[]),
    ];
    let rows = outcomes(&invoices);
    let [gbp, usd] = rows.as_slice() else {
        panic!("two currencies: {rows:?}")
    };
    assert_eq!((gbp.written_off, gbp.handed_over), (Decimal::ZERO, amount("80.00")));
    // Written off in USD: 100.00 + 50.00 + 30.00 = 180.00; handed over 400.00.
    assert_eq!((usd.written_off, usd.handed_over), (amount("180.00"), amount("400.00")));
    let order: Vec<&str> = usd
        .written_off_invoices
        .iter()
        .map(|g| g.invoice_id.0.as_str())
        .collect();
    assert_eq!(order, ["W2", "W1", "ACC"], "newest decision first, the undated last");
    let h1 = &usd.handed_over_invoices[0].outcome.as_ref().unwrap();
    assert_eq!(
        (h1.reason.as_str(), h1.by.to_string()),
        ("reason H1", "Riley".to_owned())
    );
}

fn plan(id: &str, invoices: &[&str], paid_before: &str, instalments: &[(&str, &str)], state: PlanState) -> PaymentPlan {
    PaymentPlan {
        id: PlanId(id.into()),
        customer_id: CustomerId("A".into()),
        invoices: invoices.iter().map(|id| InvoiceId(id.to_string())).collect(),
        currency: currency("USD"),
        frequency: Frequency::Monthly,
        instalments: instalments
            .iter()
            .map(|(due, amount_)| Instalment {
                due: day(due),
                amount: amount(amount_),
            })
            .collect(),
        paid_before: amount(paid_before),
        state,
        made_by: Actor::person("Riley"),
        made_at: instant("2026-02-01"),
        asked_by_customer: false,
        next_check: None,
        revision: 0,
    }
}

#[test]
fn receipts_are_open_promises_and_unpaid_instalments_within_the_horizon() {
    // GIVEN on 15 March: P1 (300.00 owed) promised by 20 March; P2 (200.00) promised by 20 April, beyond
    // 30 days; P3 (150.00 of 200.00 owed) promised by 25 March, a promise broken already does not count.
    let mut invoices = vec![
        book("P1", "USD", "300.00", "2026-01-01", "2026-01-31", &[]),
        book("P2", "USD", "200.00", "2026-01-01", "2026-01-31", &[]),
        book(
            "P3",
            "USD",
            "200.00",
            "2026-01-01",
            "2026-01-31",
            &[("2026-02-01", "50.00")],
        ),
        book(
            "GONE",
            "USD",
            "90.00",
            "2026-01-01",
            "2026-01-31",
            &[("2026-03-01", "90.00")],
        ),
    ];
    let promise = |form: &str, invoices: &[&str], by: &str, on: &str| {
        answer("A", form, invoices, AnswerKind::Promise { pay_by: day(by) }, on)
    };
    let mut broken = promise("old", &["P1"], "2026-03-10", "2026-03-01");
    broken.state = crate::answer::AnswerState::Broken;
    // (Made for a day within the policy's limit, then moved beyond the report's horizon.)
    let mut beyond = promise("p2", &["P2"], "2026-04-10", "2026-03-12");
    beyond.kind = AnswerKind::Promise {
        pay_by: day("2026-04-20"),
    };
    let answers = [
        promise("p1", &["P1", "GONE"], "2026-03-20", "2026-03-12"),
        beyond,
        promise("p3", &["P3"], "2026-03-25", "2026-03-13"),
        broken,
    ];
    // AND plan L on invoice L1 (600.00 in three instalments of 200.00; 100.00 received since it began):
    // the 100.00 covers half of 1 March's, which is past; 1 April's 200.00 is expected whole; 1 May's is
    // beyond 30 days. A cancelled plan counts for nothing.
    invoices.push(book(
        "L1",
        "USD",
        "600.00",
        "2026-01-01",
        "2026-01-31",
        &[("2026-03-02", "100.00")],
    ));
    invoices.push(book("K1", "USD", "500.00", "2026-01-01", "2026-01-31", &[]));
    let plans = [
        plan(
            "L",
            &["L1"],
            "0",
            &[
                ("2026-03-01", "200.00"),
                ("2026-04-01", "200.00"),
                ("2026-05-01", "200.00"),
            ],
            PlanState::Active,
        ),
        plan("K", &["K1"], "0", &[("2026-03-20", "500.00")], PlanState::Cancelled),
    ];
    let receipts = expected_receipts(&invoices, &answers, &plans, today(), 30);
    let seen: Vec<(NaiveDate, Decimal, String)> = receipts
        .expected
        .iter()
        .map(|item| {
            let source = match &item.source {
                Source::Promise { answer } => answers.iter().position(|a| a.id == *answer).unwrap().to_string(),
                Source::Instalment { plan, number } => format!("{}#{number}", plan.0),
            };
            (item.day, item.amount, source)
        })
        .collect();
    assert_eq!(
        seen,
        [
            // P1's 300.00 (GONE is paid); P3's 150.00; L's April instalment.
            (day("2026-03-20"), amount("300.00"), "0".into()),
            (day("2026-03-25"), amount("150.00"), "2".into()),
            (day("2026-04-01"), amount("200.00"), "L#2".into()),
        ]
    );
    // 300.00 + 150.00 + 200.00 = 650.00.
    assert_eq!(receipts.totals, [(currency("USD"), amount("650.00"))]);
}

#[test]
fn an_invoice_on_a_running_plan_or_in_a_later_promise_counts_once() {
    let invoices = [
        book("I1", "USD", "100.00", "2026-01-01", "2026-01-31", &[]),
        book("I2", "EUR", "40.00", "2026-01-01", "2026-01-31", &[]),
        book("L1", "USD", "300.00", "2026-01-01", "2026-01-31", &[]),
    ];
    let promise = |form: &str, by: &str, on: &str| {
        answer(
            "A",
            form,
            &["I1", "I2", "L1"],
            AnswerKind::Promise { pay_by: day(by) },
            on,
        )
    };
    let answers = [
        promise("early", "2026-03-18", "2026-03-10"),
        promise("late", "2026-03-28", "2026-03-14"),
    ];
    let plans = [plan("L", &["L1"], "0", &[("2026-03-30", "300.00")], PlanState::Active)];
    let receipts = expected_receipts(&invoices, &answers, &plans, today(), 30);
    let seen: Vec<(NaiveDate, &str, Decimal)> = receipts
        .expected
        .iter()
        .map(|item| (item.day, item.currency.code(), item.amount))
        .collect();
    // The later promise (28 March) takes I1 and I2, split by currency; L1 only by its instalment.
    assert_eq!(
        seen,
        [
            (day("2026-03-28"), "EUR", amount("40.00")),
            (day("2026-03-28"), "USD", amount("100.00")),
            (day("2026-03-30"), "USD", amount("300.00")),
        ]
    );
    assert_eq!(
        receipts.totals,
        [(currency("EUR"), amount("40.00")), (currency("USD"), amount("400.00"))]
    );
}
