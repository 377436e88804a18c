use super::*;
use crate::actor::Actor;
use crate::fixtures::{customer, day, instant, invoice};
use crate::instalments::{Frequency, PlanId, PlanState, PlanTerms, schedule};
use crate::money::Currency;
use rust_decimal::Decimal;

fn plan_of(invoices: &[&Invoice]) -> PaymentPlan {
    let currency = Currency::from_code("USD").unwrap();
    let terms = PlanTerms {
        count: 3,
        frequency: Frequency::Monthly,
        first: day("2026-04-01"),
    };
    PaymentPlan {
        id: PlanId("plan_abc".into()),
        customer_id: invoices[0].customer_id.clone(),
        invoices: invoices.iter().map(|invoice| invoice.id.clone()).collect(),
        currency,
        frequency: terms.frequency,
        instalments: schedule("200".parse().unwrap(), currency, &terms).unwrap(),
        paid_before: Decimal::ZERO,
        state: PlanState::Active,
        made_by: Actor::person("sam"),
        made_at: instant("2026-03-02"),
        asked_by_customer: false,
        next_check: None,
        revision: 0,
    }
}

fn text(reminder: &Reminder) -> String {
    kindly_render::render(&reminder.draft.as_ref().unwrap().context)
        .unwrap()
        .text
}

#[test]
fn the_notes_say_which_instalment_what_is_left_of_it_and_when() {
    let policy = Policy::default_policy();
    let (a, mut b) = (
        invoice("A", "C1", "2026-02-01", None),
        invoice("B", "C1", "2026-02-10", None),
    );
    // 200.00 in 3: 66.66, 66.66, 66.68; 70.00 paid covers the first and 3.34 of the second.
    b.paid = "70".parse().unwrap();
    let plan = plan_of(&[&a, &b]);
    let who = customer("C1");
    let agreed = day("2026-03-02");
    let before = PlanNote::Before { index: 1 };
    let note = plan_note(
        &policy,
        &who,
        &plan,
        &[a.clone(), b.clone()],
        before,
        agreed,
        day("2026-04-28"),
        instant("2026-04-28"),
    )
    .unwrap()
    .unwrap();
    assert_eq!(note.id.0, "rem_inst_abc_2");
    assert_eq!(note.status, crate::status::ReminderStatus::Approved);
    let said = text(&note);
    assert!(
        said.contains("instalment 2 of 3 of your payment plan, $63.32, is due on May 1, 2026"),
        "{said}"
    );
    assert!(said.contains("As agreed on March 2, 2026"), "{said}");
    // The reminder after a miss names the day the plan would end; in German for a German customer.
    let mut german = customer("C1");
    german.locale = "de-DE".into();
    let missed = PlanNote::Missed {
        index: 1,
        breaks_on: day("2026-05-15"),
    };
    let reminder = plan_note(
        &policy,
        &german,
        &plan,
        &[a.clone(), b.clone()],
        missed,
        agreed,
        day("2026-05-04"),
        instant("2026-05-04"),
    )
    .unwrap()
    .unwrap();
    assert_eq!(reminder.id.0, "rem_miss_abc_2");
    let said = text(&reminder);
    assert!(said.contains("die Rate 2 von 3"), "{said}");
    assert!(said.contains("bis zum 15. Mai 2026"), "{said}");
    // Nothing owed: no note.
    let mut all_paid = [a, b];
    for invoice in &mut all_paid {
        invoice.paid = invoice.total;
    }
    assert_eq!(
        plan_note(
            &policy,
            &who,
            &plan,
            &all_paid,
            before,
            agreed,
            day("2026-04-28"),
            instant("2026-04-28")
        )
        .unwrap(),
        None
    );
}

#[test]
fn a_ladder_message_after_a_broken_plan_says_so_once() {
    let mut a = invoice("A", "C1", "2026-02-01", None);
    a.bookkeeping.plan = Some(crate::plan_link::PlanLink {
        id: PlanId("plan_abc".into()),
        state: PlanState::Broken,
        agreed_on: day("2026-03-02"),
        missed: Some(day("2026-04-01")),
    });
    let views = crate::compose_answers::earlier_answers(&[], &[&a], "en-US");
    assert_eq!(views.len(), 1);
    assert_eq!(
        (views[0].kind.as_str(), views[0].day.as_deref()),
        ("plan", Some("April 1, 2026"))
    );
    // Once a message after the break went out, it is not said again.
    a.dunning.last_reminded_on = Some(day("2026-04-20"));
    assert!(crate::compose_answers::earlier_answers(&[], &[&a], "en-US").is_empty());
}
