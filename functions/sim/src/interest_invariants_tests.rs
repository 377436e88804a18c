//! `interest-exact`: the simulator's own arithmetic, worked by hand, and a message stating another figure
//! (or interest before its first day) is caught; the exact one passes (the positive control).

use super::*;
use kindly_core::fixtures::{customer, day, instant, invoice};

fn monthly(percent: &str, grace: u32) -> ContractRemedy {
    ContractRemedy::monthly(percent.parse().unwrap(), grace, "1.5% a month (clause 7)")
}

fn usd() -> Currency {
    Currency::from_code("USD").unwrap()
}

#[test]
fn interest_is_simple_by_the_day_from_after_the_grace_days() {
    // 1,000.00 at 1.5 % a month = 18 % a year; due 1 March, 5 grace days: charged from 7 March.
    let contract = monthly("1.5", 5);
    let due = day("2026-03-01");
    let owed: Decimal = "1000".parse().unwrap();
    assert_eq!(expected_interest(&contract, owed, due, day("2026-03-06"), usd()), None);
    // 7 March to 6 April: 31 days × 1,000 × 18 % / 365 = 15.2876… → 15.29.
    assert_eq!(
        expected_interest(&contract, owed, due, day("2026-04-06"), usd()),
        Some("15.29".parse().unwrap())
    );
    // 8 % a year on ¥100,000 for 10 days: 219.178… → ¥219.
    let yearly = ContractRemedy {
        charge: Charge::Interest {
            percent: "8".parse().unwrap(),
            per: Per::Year,
        },
        grace_days: 0,
        clause: "8% a year".into(),
    };
    let yen = Currency::from_code("JPY").unwrap();
    assert_eq!(
        expected_interest(&yearly, "100000".parse().unwrap(), due, day("2026-03-11"), yen),
        Some("219".parse().unwrap())
    );
}

#[test]
fn a_message_stating_another_figure_or_interest_too_early_is_caught() {
    let policy = kindly_core::Policy::default_policy();
    let contract = monthly("1.5", 0);
    let mut who = customer("C1");
    who.terms.late_fee = Some(contract.clone());
    let mut late = invoice("A", "C1", "2026-02-01", None);
    late.total = "1000".parse().unwrap();
    // A message composed by kindly for 3 March, at a stage that states interest.
    let stage = policy
        .stages
        .iter()
        .position(|stage| stage.id == "overdue_direct")
        .expect("the shipped ladder has overdue_direct");
    let planned = kindly_core::planner::PlannedReminder {
        id: kindly_core::ReminderId::for_plan(&who.id, "overdue_direct", std::slice::from_ref(&late.id)),
        customer_id: who.id.clone(),
        local_date: day("2026-03-03"),
        stage_index: stage,
        covers: vec![kindly_core::reminder::CoveredInvoice {
            invoice_id: late.id.clone(),
            stage_id: "overdue_direct".into(),
            tone: policy.stages[stage].tone,
        }],
        supersedes: None,
    };
    let drafted =
        kindly_core::compose::draft_reminder(&policy, &planned, &who, &[&late], &[], instant("2026-03-03")).unwrap();
    // 2 February to 3 March: 30 days × 1,000 × 18 % / 365 = 14.79.
    assert!(interest_problems(&policy, &drafted, &contract, std::slice::from_ref(&late), "en-US").is_empty());
    let mut wrong = drafted.clone();
    let draft = wrong.draft.as_mut().unwrap();
    draft.context.interest.as_mut().unwrap().lines[0].interest = Some("$14.80".into());
    assert_eq!(
        interest_problems(&policy, &wrong, &contract, std::slice::from_ref(&late), "en-US").len(),
        1
    );
    // The same message for a day before any interest accrued must state none.
    let mut early = drafted.clone();
    early.planned_for = day("2026-02-01");
    assert_eq!(
        interest_problems(&policy, &early, &contract, std::slice::from_ref(&late), "en-US").len(),
        1
    );
    // A stage before the policy's from_stage states no figure, whatever has accrued.
    let mut courteous = wrong.clone();
    courteous.stage_id = "due_today".into();
    assert!(!states_figures(&policy, "due_today") && states_figures(&policy, "overdue_direct"));
    assert_eq!(
        interest_problems(&policy, &courteous, &contract, std::slice::from_ref(&late), "en-US").len(),
        1
    );
}
