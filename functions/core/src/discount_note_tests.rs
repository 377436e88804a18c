//! Tests of [`super`]: which invoices get a discount note, and what it says.
use super::*;
use crate::customer::DiscountTerms;
use crate::fixtures::{customer, day, invoice};
use crate::invoice::InvoiceStatus;

/// Invoice `id` of customer A: 1,000.00 issued Monday 2 March 2026 on 2/10 net 30. Its deadline is
/// Thursday 12 March; two business days before it, Tuesday 10 March.
fn two_ten(id: &str) -> Invoice {
    Invoice {
        total: "1000.00".parse().unwrap(),
        issue_date: day("2026-03-02"),
        early_payment: Some(DiscountTerms {
            percent: "2".parse().unwrap(),
            within_days: 10,
        }),
        ..invoice(id, "A", "2026-04-01", None)
    }
}

/// Noon in New York (customer A's zone) on `date`.
fn noon(date: &str) -> DateTime<Utc> {
    format!("{date}T17:00:00Z").parse().unwrap()
}

fn planned(invoices: &[Invoice], laddered: &[&str], now: DateTime<Utc>) -> Vec<String> {
    planned_for(&customer("A"), invoices, laddered, now)
}

fn planned_for(customer: &Customer, invoices: &[Invoice], laddered: &[&str], now: DateTime<Utc>) -> Vec<String> {
    let policy = Policy::default_policy();
    let customers = HashMap::from([(customer.id.clone(), customer.clone())]);
    let ids: Vec<InvoiceId> = laddered.iter().map(|id| InvoiceId((*id).into())).collect();
    let laddered: BTreeSet<&InvoiceId> = ids.iter().collect();
    plan_notes(&policy, &customers, invoices, &HashMap::new(), &laddered, now)
        .into_iter()
        .map(|planned| format!("{} {}", planned.invoice_id, planned.local_date))
        .collect()
}

#[test]
fn a_note_is_planned_from_its_day_through_the_deadline_only() {
    let invoices = [two_ten("I1")];
    assert!(planned(&invoices, &[], noon("2026-03-09")).is_empty());
    assert_eq!(planned(&invoices, &[], noon("2026-03-10")), ["I1 2026-03-10"]);
    assert_eq!(planned(&invoices, &[], noon("2026-03-12")), ["I1 2026-03-12"]);
    assert!(planned(&invoices, &[], noon("2026-03-13")).is_empty());
}

#[test]
fn no_note_when_sent_paid_laddered_paused_or_without_a_table() {
    let now = noon("2026-03-10");
    let mut sent = two_ten("I1");
    sent.dunning.discount_note_on = Some(day("2026-03-10"));
    let mut paid = two_ten("I2");
    paid.status = InvoiceStatus::Paid;
    let plain = invoice("I3", "A", "2026-04-01", None);
    assert!(planned(&[sent, paid, plain], &[], now).is_empty());
    assert!(planned(&[two_ten("I4")], &["I4"], now).is_empty());
    let mut paused = customer("A");
    paused.pause = Some(crate::customer::Pause {
        until: None,
        reason: None,
    });
    assert!(planned_for(&paused, &[two_ten("I5")], &[], now).is_empty());
    let mut without = Policy::default_policy();
    without.discounts = None;
    let customers = HashMap::from([(CustomerId("A".into()), customer("A"))]);
    let none = plan_notes(
        &without,
        &customers,
        &[two_ten("I6")],
        &HashMap::new(),
        &BTreeSet::new(),
        now,
    );
    assert!(none.is_empty());
    // Positive control: the same invoice, unsent and open, gets its note.
    assert_eq!(planned(&[two_ten("I7")], &[], now), ["I7 2026-03-10"]);
}

#[test]
fn the_note_states_the_discounted_amount_the_deadline_and_the_full_amount() {
    let policy = Policy::default_policy();
    let mut part = two_ten("I1");
    part.paid = "100.00".parse().unwrap();
    let note = note(&policy, &customer("A"), &part, day("2026-03-10"), noon("2026-03-10"))
        .unwrap()
        .expect("a note");
    assert!(note.is_discount_note() && note.is_off_ladder());
    assert_eq!(note.planned_for, day("2026-03-10"));
    let text = kindly_render::render(&note.draft.as_ref().unwrap().context)
        .unwrap()
        .text;
    // 980.00 settles it; 100.00 is paid, so 880.00 is left to pay by the deadline, else 900.00.
    assert!(
        text.contains(
            "if you pay by March 12, 2026, you may deduct 2% and pay only $880.00. After that, the full $900.00 is due."
        ),
        "{text}"
    );
}

#[test]
fn the_policy_table_is_checked_with_the_field_named() {
    let toml = include_str!("../default-policy.toml");
    let table = "[discounts]\nnote_business_days_before = 2";
    assert!(toml.contains(table));
    let too_far = toml.replace(table, "[discounts]\nnote_business_days_before = 40");
    let error = Policy::from_toml(&too_far).unwrap_err().to_string();
    assert!(error.contains("discounts.note_business_days_before"), "{error}");
    let nobody = toml.replace(table, &format!("{table}\nsender = \"nobody\""));
    let error = Policy::from_toml(&nobody).unwrap_err().to_string();
    assert!(error.contains("discounts.sender"), "{error}");
    let missing = toml.replace(table, &format!("{table}\ntemplate = \"no_such_template\""));
    let error = Policy::from_toml(&missing).unwrap_err().to_string();
    assert!(error.contains("discounts.template"), "{error}");
    assert!(Policy::from_toml(toml).is_ok());
}

#[test]
fn the_readmes_worked_example_holds() {
    // A customer in England; $1,000.00 issued Tuesday 15 December 2026 on 2/10 net 30.
    let policy = Policy::default_policy();
    let mut english = customer("E");
    english.locale = "en-GB".into();
    english.time_zone = chrono_tz::Europe::London;
    let invoice = Invoice {
        customer_id: english.id.clone(),
        due_date: day("2027-01-14"),
        issue_date: day("2026-12-15"),
        ..two_ten("E1")
    };
    let calendar = english.calendar();
    let offer = crate::discount::offer(&invoice, calendar).unwrap();
    assert_eq!(offer.deadline, day("2026-12-29"));
    let noon = |date: &str| -> DateTime<Utc> { format!("{date}T12:00:00Z").parse().unwrap() };
    let planned = planned_for(&english, std::slice::from_ref(&invoice), &[], noon("2026-12-23"));
    assert_eq!(planned, ["E1 2026-12-23"]);
    assert!(planned_for(&english, std::slice::from_ref(&invoice), &[], noon("2026-12-22")).is_empty());
    let note = note(&policy, &english, &invoice, day("2026-12-23"), noon("2026-12-23"))
        .unwrap()
        .unwrap();
    let text = kindly_render::render(&note.draft.as_ref().unwrap().context)
        .unwrap()
        .text;
    assert!(
        text.contains(
            "Early-payment discount on invoice INV-E1: if you pay by 29 December 2026, you may deduct 2% and pay only $980.00. \
             After that, the full $1,000.00 is due."
        ),
        "{text}"
    );
    // The courtesy note five days before the due date falls on Saturday 9 January: Friday the 8th.
    let upcoming = &policy.stages[0];
    assert_eq!(
        Policy::stage_date(upcoming, invoice.due_date, calendar),
        day("2027-01-08")
    );
}
