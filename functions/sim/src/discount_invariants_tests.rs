//! `discount-kept` catches each broken history, and lets the sound one pass (the positive control).

use super::*;
use crate::invariants::tests::{day, delivery};
use kindly_core::invoice::DiscountTaken;
use kindly_core::{Currency, CustomerId, DiscountTerms, InvoiceId};

/// 1,000.00 on 2/10, deadline 12 March 2026, with `paid` stored.
fn stored(paid: &str) -> Invoice {
    Invoice {
        id: InvoiceId("I0001-00".into()),
        number: "SIM-0001-00".into(),
        customer_id: CustomerId("C0001".into()),
        currency: Currency::from_code("USD").unwrap(),
        total: "1000.00".parse().unwrap(),
        paid: paid.parse().unwrap(),
        issue_date: day("2026-03-02"),
        due_date: day("2026-04-01"),
        status: InvoiceStatus::Open,
        payment_link: None,
        po_number: None,
        late_fee: None,
        early_payment: Some(DiscountTerms {
            percent: "2".parse().unwrap(),
            within_days: 10,
        }),
        payment_reference: None,
        processor_payments: Default::default(),
        dunning: Default::default(),
        bookkeeping: Default::default(),
    }
}

fn truth(settled: bool, late: bool) -> DiscountTruth {
    DiscountTruth {
        deadline: day("2026-03-12"),
        settled,
        late,
        received: "980.00".parse().unwrap(),
    }
}

fn settled(mut invoice: Invoice) -> Invoice {
    invoice.status = InvoiceStatus::Paid;
    invoice.bookkeeping.discount_taken = Some(DiscountTaken {
        amount: "20.00".parse().unwrap(),
        on: day("2026-03-12"),
    });
    invoice
}

#[test]
fn a_discounted_payment_in_time_still_chased_is_caught() {
    let problem = discount_kept(&stored("980.00"), &truth(true, false)).expect("caught");
    assert!(problem.contains("still chases 20.00 USD"), "{problem}");
    assert_eq!(discount_kept(&settled(stored("980.00")), &truth(true, false)), None);
}

#[test]
fn a_late_discounted_payment_taken_as_settling_or_chased_wrongly_is_caught() {
    let taken = discount_kept(&settled(stored("980.00")), &truth(false, true)).expect("caught");
    assert!(taken.contains("took the discount"), "{taken}");
    // Chasing the full total (the payment lost) or nothing of the rest is wrong too.
    let mut lost = stored("0.00");
    lost.paid = Decimal::ZERO;
    assert!(
        discount_kept(&lost, &truth(false, true))
            .unwrap()
            .contains("20.00 USD is owed")
    );
    assert_eq!(discount_kept(&stored("980.00"), &truth(false, true)), None);
}

#[test]
fn a_second_note_or_one_after_the_deadline_is_caught() {
    let zone = chrono_tz::America::New_York;
    let mut notes = Notes::default();
    // The delivery fixture arrives on Tuesday 10 March in New York.
    let note = delivery(1, "rem_d1", "discount_note", &["SIM-0001-00"]);
    let in_time = [("SIM-0001-00".to_owned(), Some(day("2026-03-12")))];
    assert!(notes.check(&note, zone, &in_time).is_empty());
    let again = delivery(2, "rem_d2", "discount_note", &["SIM-0001-00"]);
    let problems = notes.check(&again, zone, &in_time);
    assert!(problems[0].contains("second discount note"), "{problems:?}");
    let late = [("SIM-0001-01".to_owned(), Some(day("2026-03-09")))];
    let problems = Notes::default().check(&note, zone, &late);
    assert!(problems[0].contains("after its deadline 2026-03-09"), "{problems:?}");
    let none = [("SIM-0001-02".to_owned(), None)];
    assert!(!Notes::default().check(&note, zone, &none).is_empty());
}

#[test]
fn the_world_has_discounts_paid_in_time_and_just_after() {
    use rand::SeedableRng;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
    let world = crate::world::generate(&mut rng, 500, 365);
    let (mut terms, mut in_time, mut after) = (0, 0, 0);
    for invoice in &world.invoices {
        let Some((_, deadline)) = &invoice.early_payment else {
            continue;
        };
        terms += 1;
        let zone = world.customers[invoice.customer].time_zone;
        let Some(first) = invoice.payments.first() else {
            continue;
        };
        if Some(first.minor) != invoice.discounted_minor() {
            continue;
        }
        if first.at.with_timezone(&zone).date_naive() <= *deadline {
            in_time += 1;
        } else {
            after += 1;
        }
    }
    assert!(terms > 500 && in_time > 150 && after > 80, "{terms} {in_time} {after}");
}
