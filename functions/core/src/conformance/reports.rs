//! The receivables reports on every store: invoices found by issue date whatever their status, payments
//! dated as they are written, and what the reports read back from both.

use crate::actor::Actor;
use crate::answer::AnswerKind;
use crate::customer::CustomerId;
use crate::fixtures::{answer, customer, day, instant, invoice};
use crate::instalments::{Frequency, Instalment, PaymentPlan, PlanId, PlanState};
use crate::invoice::{InvoiceId, InvoiceStatus};
use crate::policy::Policy;
use crate::ports::Store;
use crate::reports::receipts::Source;
use crate::reports::{cei, dso};
use rust_decimal::Decimal;

fn amount(text: &str) -> Decimal {
    text.parse().unwrap()
}

/// A running USD plan `(id, customer, invoice)` of `instalments` (due, amount), its invoice paid
/// `paid_before` when it was made, `(made, next check)`.
fn running_plan(
    (id, customer, invoice): (&str, &str, &str),
    instalments: &[(&str, &str)],
    paid_before: &str,
    (made, next_check): (&str, &str),
) -> PaymentPlan {
    PaymentPlan {
        id: PlanId(id.into()),
        customer_id: CustomerId(customer.into()),
        invoices: vec![InvoiceId(invoice.into())],
        currency: crate::money::Currency::from_code("USD").unwrap(),
        frequency: Frequency::Monthly,
        instalments: instalments
            .iter()
            .map(|(due, part)| Instalment {
                due: day(due),
                amount: amount(part),
            })
            .collect(),
        paid_before: amount(paid_before),
        state: PlanState::Active,
        made_by: Actor::person("Riley"),
        made_at: instant(made),
        asked_by_customer: false,
        next_check: Some(day(next_check)),
        revision: 0,
    }
}

pub async fn invoices_are_found_by_issue_date_whatever_their_status<S: Store>(store: &S) {
    // GIVEN invoices issued the day before, on and after 1 March, settled or not
    for (id, issued, status) in [
        ("BEFORE", "2026-02-28", InvoiceStatus::Open),
        ("ON", "2026-03-01", InvoiceStatus::Paid),
        ("AFTER", "2026-03-20", InvoiceStatus::Void),
        ("LATER", "2026-04-02", InvoiceStatus::WrittenOff),
    ] {
        let mut record = invoice(id, "A", "2026-05-01", None);
        record.issue_date = day(issued);
        record.status = status;
        store.put_invoice(&record).await.unwrap();
    }
    let mut ids: Vec<String> = store
        .invoices_issued_since(day("2026-03-01"))
        .await
        .unwrap()
        .into_iter()
        .map(|invoice| invoice.id.0)
        .collect();
    ids.sort();
    // THEN those issued on or after the day, paid and void ones too
    assert_eq!(ids, ["AFTER", "LATER", "ON"]);
    assert!(store.invoices_issued_since(day("2026-04-03")).await.unwrap().is_empty());
    // Positive control: from an early day, every one
    assert_eq!(store.invoices_issued_since(day("2020-01-01")).await.unwrap().len(), 4);
}

pub async fn payments_are_dated_as_written_and_the_reports_read_them_back<S: Store>(store: &S) {
    let policy = Policy::default_policy();
    store.put_customer(&customer("A")).await.unwrap();
    // GIVEN 100.00 issued on 1 February, due 3 March, arriving from the accounting system that day
    let mut sent = invoice("I-DSO", "A", "2026-03-03", None);
    sent.issue_date = day("2026-02-01");
    crate::service::ingest_invoice(store, &policy, &sent, instant("2026-02-01"))
        .await
        .unwrap();
    // WHEN the accounting system says 40.00 was paid, on 10 March
    sent.paid = amount("40.00");
    crate::service::ingest_invoice(store, &policy, &sent, instant("2026-03-10"))
        .await
        .unwrap();
    // THEN the store keeps both days
    let stored = store.invoice(&sent.id).await.unwrap().unwrap();
    let history: Vec<(String, Decimal)> = stored
        .bookkeeping
        .paid_history
        .iter()
        .map(|(on, paid)| (on.to_string(), *paid))
        .collect();
    assert_eq!(
        history,
        [
            ("2026-02-01".into(), Decimal::ZERO),
            ("2026-03-10".into(), amount("40.00"))
        ]
    );
    // AND the reports read them: on 28 Feb 100.00 was owed, of February's 100.00 sales: 28 days; on
    // 15 March 60.00, March sold nothing (15 days), then 28 × 60/100 = 16.8 of February: 31.8 days.
    let ledger = crate::service::ledger(store, day("2026-03-15"), 2).await.unwrap();
    let report = dso(&ledger.invoices, &ledger.months, ledger.data_from);
    let days: Vec<Decimal> = report[0].months.iter().map(|month| month.days).collect();
    assert_eq!(days, [amount("28.0"), amount("31.8")]);
    // CEI in March: begin 100.00, no sales, end 60.00, nothing current (due 3 March): 40 / 100 = 40%.
    assert_eq!(
        cei(&ledger.invoices, &ledger.months)[0].months[1].percent,
        Some(amount("40.0"))
    );
}

pub async fn expected_receipts_come_from_open_promises_and_running_plans<S: Store>(store: &S) {
    let policy = Policy::default_policy();
    // GIVEN on 15 March: invoice P (100.00) promised by 20 March, and invoice L (300.00) on a running plan
    // with 150.00 due on 1 April
    store.put_invoice(&invoice("P", "A", "2026-03-01", None)).await.unwrap();
    let mut on_plan = invoice("L", "B", "2026-03-01", None);
    on_plan.total = amount("300.00");
    on_plan.status = InvoiceStatus::OnPaymentPlan;
    store.put_invoice(&on_plan).await.unwrap();
    let promise = answer(
        "A",
        "promise",
        &["P"],
        AnswerKind::Promise {
            pay_by: day("2026-03-20"),
        },
        "2026-03-12",
    );
    store.insert_answer(&promise).await.unwrap();
    let plan = running_plan(
        ("plan_l", "B", "L"),
        &[("2026-04-01", "150.00"), ("2026-04-15", "150.00")],
        "0",
        ("2026-03-10", "2026-03-27"),
    );
    store.insert_plan(&plan).await.unwrap();
    // WHEN the report looks 30 days ahead (to 14 April)
    let (receipts, _) = crate::service::receipts(store, &policy, day("2026-03-15"), 30)
        .await
        .unwrap();
    // THEN the promise's 100.00 on 20 March and the first instalment (the second, on 15 April, is beyond
    // the horizon): 100 + 150 = 250.00
    let seen: Vec<(String, Decimal, bool)> = receipts
        .expected
        .iter()
        .map(|item| {
            let promised = matches!(item.source, Source::Promise { .. });
            (item.day.to_string(), item.amount, promised)
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("2026-03-20".into(), amount("100.00"), true),
            ("2026-04-01".into(), amount("150.00"), false),
        ]
    );
    assert_eq!(receipts.totals[0].1, amount("250.00"));
}

/// The day the worked example is reported on.
pub const WORKED_EXAMPLE_TODAY: &str = "2026-03-15";

/// The README's worked example, written as kindly would have written it (each invoice arriving from the
/// accounting system on its issue date, each payment on its day): customer A's USD invoices A (300.00,
/// paid in full on 20 Jan), B (400.00, 100.00 paid on 10 Feb, the rest on a plan of three 100.00 from
/// 25 March) and C (200.00, promised by 20 March), W (80.00, written off by Riley on 20 Dec 2025), and
/// customer E's EUR invoice E (1,000.00, 250.00 paid on 1 March).
pub async fn seed_worked_example<S: Store>(store: &S) {
    let policy = Policy::default_policy();
    store.put_customer(&customer("A")).await.unwrap();
    store.put_customer(&customer("E")).await.unwrap();
    let book = [
        (
            "A",
            "A",
            "USD",
            "300.00",
            "2025-12-10",
            "2026-01-09",
            Some(("2026-01-20", "300.00")),
        ),
        (
            "B",
            "A",
            "USD",
            "400.00",
            "2026-01-05",
            "2026-02-04",
            Some(("2026-02-10", "100.00")),
        ),
        ("C", "A", "USD", "200.00", "2026-02-15", "2026-03-17", None),
        (
            "E",
            "E",
            "EUR",
            "1000.00",
            "2026-02-01",
            "2026-03-03",
            Some(("2026-03-01", "250.00")),
        ),
        ("W", "A", "USD", "80.00", "2025-10-01", "2025-10-31", None),
    ];
    for (id, customer_id, code, total, issued, due, payment) in book {
        let mut sent = invoice(id, customer_id, due, None);
        sent.currency = crate::money::Currency::from_code(code).unwrap();
        sent.total = amount(total);
        sent.issue_date = day(issued);
        crate::service::ingest_invoice(store, &policy, &sent, instant(issued))
            .await
            .unwrap();
        if let Some((on, paid)) = payment {
            sent.paid = amount(paid);
            if sent.paid == sent.total {
                sent.status = InvoiceStatus::Paid;
            }
            crate::service::ingest_invoice(store, &policy, &sent, instant(on))
                .await
                .unwrap();
        }
    }
    // W, as the ladder's last step leaves it.
    let mut written_off = store.invoice(&InvoiceId("W".into())).await.unwrap().unwrap();
    written_off.status = InvoiceStatus::WrittenOff;
    written_off.bookkeeping.outcome = Some(crate::invoice::Outcome {
        kind: crate::invoice::OutcomeKind::WrittenOff,
        reason: "customer insolvent".into(),
        by: Actor::person("Riley"),
        at: instant("2025-12-20"),
    });
    store.put_invoice(&written_off).await.unwrap();
    // B's plan, agreed on 11 March, and C's promise, given on 12 March.
    let mut on_plan = store.invoice(&InvoiceId("B".into())).await.unwrap().unwrap();
    on_plan.status = InvoiceStatus::OnPaymentPlan;
    store.put_invoice(&on_plan).await.unwrap();
    let plan = running_plan(
        ("plan_b", "A", "B"),
        &[
            ("2026-03-25", "100.00"),
            ("2026-04-25", "100.00"),
            ("2026-05-25", "100.00"),
        ],
        "100.00",
        ("2026-03-11", "2026-03-20"),
    );
    store.insert_plan(&plan).await.unwrap();
    let promise = answer(
        "A",
        "promise",
        &["C"],
        AnswerKind::Promise {
            pay_by: day("2026-03-20"),
        },
        "2026-03-12",
    );
    store.insert_answer(&promise).await.unwrap();
}

pub async fn the_worked_example_reads_the_same_on_every_store<S: Store>(store: &S) {
    seed_worked_example(store).await;
    let today = day(WORKED_EXAMPLE_TODAY);
    let ledger = crate::service::ledger(store, today, 3).await.unwrap();
    let report = dso(&ledger.invoices, &ledger.months, ledger.data_from);
    let days: Vec<(&str, Vec<String>)> = report
        .iter()
        .map(|currency| {
            let days = currency.months.iter().map(|month| month.days.to_string()).collect();
            (currency.currency.code(), days)
        })
        .collect();
    // The arithmetic is the README's (and crate::reports' unit tests'); W, written off in December, is
    // owed in none of these months.
    assert_eq!(
        days,
        [
            ("EUR", vec!["0.0".to_owned(), "28.0".into(), "36.0".into()]),
            ("USD", vec!["31.0".to_owned(), "51.3".into(), "66.3".into()]),
        ]
    );
    let percents: Vec<Option<String>> = cei(&ledger.invoices, &ledger.months)[1]
        .months
        .iter()
        .map(|month| month.percent.map(|percent| percent.to_string()))
        .collect();
    assert_eq!(
        percents,
        [Some("100.0".into()), Some("25.0".into()), Some("0.0".into())]
    );
    let (receipts, _) = crate::service::receipts(store, &Policy::default_policy(), today, 30)
        .await
        .unwrap();
    let expected: Vec<(String, String)> = receipts
        .expected
        .iter()
        .map(|item| (item.day.to_string(), item.amount.to_string()))
        .collect();
    assert_eq!(
        expected,
        [
            ("2026-03-20".into(), "200.00".into()),
            ("2026-03-25".into(), "100.00".into()),
        ]
    );
    // The plan's later instalments (25 April, 25 May) fall after 14 April.
    assert_eq!(receipts.totals[0].1, amount("300.00"));
}
