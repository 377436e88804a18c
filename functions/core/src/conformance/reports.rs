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
    let plan = PaymentPlan {
        id: PlanId("plan_l".into()),
        customer_id: CustomerId("B".into()),
        invoices: vec![InvoiceId("L".into())],
        currency: on_plan.currency,
        frequency: Frequency::Fortnightly,
        instalments: [("2026-04-01", "150.00"), ("2026-04-15", "150.00")]
            .map(|(due, part)| Instalment {
                due: day(due),
                amount: amount(part),
            })
            .to_vec(),
        paid_before: Decimal::ZERO,
        state: PlanState::Active,
        made_by: Actor::person("sam"),
        made_at: instant("2026-03-10"),
        next_check: Some(day("2026-03-27")),
        revision: 0,
    };
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
