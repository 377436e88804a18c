use super::*;
use crate::fixtures::{day, instant, invoice};
use proptest::prelude::*;

fn usd() -> Currency {
    Currency::from_code("USD").unwrap()
}

fn terms(count: u32, frequency: Frequency, first: &str) -> PlanTerms {
    PlanTerms {
        count,
        frequency,
        first: day(first),
    }
}

fn amounts(instalments: &[Instalment]) -> Vec<String> {
    instalments.iter().map(|i| i.amount.to_string()).collect()
}

fn dates(instalments: &[Instalment]) -> Vec<String> {
    instalments.iter().map(|i| i.due.to_string()).collect()
}

#[test]
fn even_instalments_with_the_remainder_on_the_last() {
    let plan = schedule(
        "1000.00".parse().unwrap(),
        usd(),
        &terms(3, Frequency::Monthly, "2026-03-31"),
    )
    .unwrap();
    assert_eq!(amounts(&plan), ["333.33", "333.33", "333.34"]);
    // Monthly keeps the 31st where the month has one, else its last day.
    assert_eq!(dates(&plan), ["2026-03-31", "2026-04-30", "2026-05-31"]);
    let weekly = schedule(
        "100".parse().unwrap(),
        usd(),
        &terms(4, Frequency::Weekly, "2026-03-02"),
    )
    .unwrap();
    assert_eq!(dates(&weekly), ["2026-03-02", "2026-03-09", "2026-03-16", "2026-03-23"]);
    let fortnightly = schedule(
        "100".parse().unwrap(),
        usd(),
        &terms(2, Frequency::Fortnightly, "2026-03-02"),
    )
    .unwrap();
    assert_eq!(dates(&fortnightly), ["2026-03-02", "2026-03-16"]);
    // Yen have no minor units: 10,000 in 3 is 3,333 + 3,333 + 3,334.
    let yen = Currency::from_code("JPY").unwrap();
    let plan = schedule(
        "10000".parse().unwrap(),
        yen,
        &terms(3, Frequency::Weekly, "2026-03-02"),
    )
    .unwrap();
    assert_eq!(amounts(&plan), ["3333", "3333", "3334"]);
    // Kuwaiti dinars have three: 10.000 in 3 is 3.333 + 3.333 + 3.334.
    let kwd = Currency::from_code("KWD").unwrap();
    let plan = schedule("10".parse().unwrap(), kwd, &terms(3, Frequency::Weekly, "2026-03-02")).unwrap();
    assert_eq!(amounts(&plan), ["3.333", "3.333", "3.334"]);
}

#[test]
fn impossible_schedules_name_the_field() {
    let field = |total: &str, count| match schedule(
        total.parse().unwrap(),
        usd(),
        &terms(count, Frequency::Weekly, "2026-03-02"),
    ) {
        Err(CoreError::InvalidField { field, .. }) => field,
        other => panic!("{other:?}"),
    };
    assert_eq!(field("100", 1), "instalments");
    assert_eq!(field("0.01", 2), "instalments");
    assert_eq!(field("0", 2), "invoices");
    // Positive control: two cents in two instalments works.
    assert!(
        schedule(
            "0.02".parse().unwrap(),
            usd(),
            &terms(2, Frequency::Weekly, "2026-03-02")
        )
        .is_ok()
    );
}

proptest! {
    #[test]
    fn instalments_add_up_to_the_total_and_only_the_last_differs(
        cents in 200i64..100_000_000, count in 2u32..=24, monthly in any::<bool>()
    ) {
        let total = Decimal::new(cents, 2);
        let frequency = if monthly { Frequency::Monthly } else { Frequency::Weekly };
        let plan = schedule(total, usd(), &terms(count, frequency, "2026-01-31")).unwrap();
        prop_assert_eq!(plan.len(), count as usize);
        prop_assert_eq!(plan.iter().map(|i| i.amount).sum::<Decimal>(), total);
        let first = plan[0].amount;
        prop_assert!(plan[..plan.len() - 1].iter().all(|i| i.amount == first));
        let last = plan[plan.len() - 1].amount;
        prop_assert!(last >= first && last - first < Decimal::new(count as i64, 2));
        prop_assert!(plan.windows(2).all(|pair| pair[0].due < pair[1].due));
    }
}

#[test]
fn a_customer_chooses_within_the_policys_limits_and_staff_decide_the_rest() {
    let rules = PlanRules::default();
    let today = day("2026-03-02");
    let within = |count, first: &str| {
        let plan = schedule("1200".parse().unwrap(), usd(), &terms(count, Frequency::Monthly, first)).unwrap();
        outside_limits(&rules, usd(), &plan, today).map(|(field, _)| field)
    };
    assert_eq!(within(6, "2026-03-16"), None);
    assert_eq!(within(7, "2026-03-16"), Some("instalments"));
    assert_eq!(within(3, "2026-03-01"), Some("first"));
    assert_eq!(within(3, "2026-04-15"), Some("first"));
    // 1,200 in 5 weekly instalments of 240 is fine, unless the smallest in dollars is 300.
    let small = schedule(
        "1200".parse().unwrap(),
        usd(),
        &terms(5, Frequency::Weekly, "2026-03-09"),
    )
    .unwrap();
    assert_eq!(outside_limits(&rules, usd(), &small, today), None);
    let mut tiny_rules = rules.clone();
    tiny_rules
        .smallest_instalment_in
        .insert("USD".into(), "300".parse().unwrap());
    assert_eq!(
        outside_limits(&tiny_rules, usd(), &small, today).map(|(f, _)| f),
        Some("instalments")
    );
    // Longer than 180 days from today.
    let mut many = rules.clone();
    many.max_instalments = 12;
    let long = schedule(
        "1200".parse().unwrap(),
        usd(),
        &terms(8, Frequency::Monthly, "2026-03-16"),
    )
    .unwrap();
    assert_eq!(
        outside_limits(&many, usd(), &long, today).map(|(f, _)| f),
        Some("instalments")
    );
}

fn plan_on(invoices: &[&Invoice], count: u32, first: &str) -> PaymentPlan {
    let open: Decimal = invoices.iter().map(|invoice| invoice.balance()).sum();
    PaymentPlan {
        id: PlanId("plan_1".into()),
        customer_id: invoices[0].customer_id.clone(),
        invoices: invoices.iter().map(|invoice| invoice.id.clone()).collect(),
        currency: usd(),
        frequency: Frequency::Weekly,
        instalments: schedule(open, usd(), &terms(count, Frequency::Weekly, first)).unwrap(),
        paid_before: invoices.iter().map(|invoice| invoice.paid).sum(),
        state: PlanState::Active,
        made_by: Actor::person("sam"),
        made_at: instant("2026-03-02"),
        asked_by_customer: false,
        next_check: None,
        revision: 0,
    }
}

#[test]
fn payments_after_the_plan_began_pay_its_instalments_in_order() {
    // Two invoices of 100.00 each, one already part-paid 40.00: 160.00 in 2 weekly instalments of 80.00.
    let mut a = invoice("A", "C1", "2026-02-01", None);
    a.paid = "40".parse().unwrap();
    let mut b = invoice("B", "C1", "2026-02-10", None);
    let plan = plan_on(&[&a, &b], 2, "2026-03-09");
    assert_eq!(amounts(&plan.instalments), ["80.00", "80.00"]);
    let rules = PlanRules::default();
    let weekdays = Calendar::WEEKDAYS;
    let on =
        |a: &Invoice, b: &Invoice, today: &str| standing(&plan, &[a.clone(), b.clone()], &rules, weekdays, day(today));
    assert_eq!(on(&a, &b, "2026-03-09"), Standing::Current { next: 0 });
    // Unpaid the day after: missed; still unpaid 14 days after its day: broken.
    assert_eq!(on(&a, &b, "2026-03-10"), Standing::Missed { index: 0 });
    assert_eq!(on(&a, &b, "2026-03-23"), Standing::Missed { index: 0 });
    assert_eq!(on(&a, &b, "2026-03-24"), Standing::Broken { index: 0 });
    // 80.00 paid on either invoice settles the first instalment; the second is next.
    b.paid = "80".parse().unwrap();
    assert_eq!(on(&a, &b, "2026-03-10"), Standing::Current { next: 1 });
    // The rest of both invoices paid covers the second, and the plan is kept.
    a.paid = "100".parse().unwrap();
    b.paid = "100".parse().unwrap();
    assert_eq!(on(&a, &b, "2026-03-30"), Standing::Completed);
}

#[test]
fn an_instalment_on_a_day_off_is_due_the_next_business_day_and_its_note_comes_before() {
    let england = Calendar::of(Some(crate::holidays::Country::from_code("GB").unwrap()));
    let a = invoice("A", "C1", "2026-11-01", None);
    // Weekly from Friday 2026-12-18: the second falls on Christmas Day.
    let plan = plan_on(&[&a], 2, "2026-12-18");
    let rules = PlanRules::default();
    let on = |today: &str| standing(&plan, std::slice::from_ref(&a), &rules, england, day(today));
    assert_eq!(on("2026-12-18"), Standing::Current { next: 0 });
    let mut part = a.clone();
    part.paid = plan.instalments[0].amount;
    let paid_first = |today: &str| standing(&plan, std::slice::from_ref(&part), &rules, england, day(today));
    // Christmas, the weekend and the Boxing Day holiday on the 28th: due on Tuesday the 29th.
    assert_eq!(paid_first("2026-12-29"), Standing::Current { next: 1 });
    assert_eq!(paid_first("2026-12-30"), Standing::Missed { index: 1 });
    // The note two business days before the 29th goes out on Wednesday the 23rd.
    assert_eq!(note_day(&plan, 1, &rules, england), Some(day("2026-12-23")));
}

#[test]
fn the_rules_name_what_is_wrong_with_them() {
    assert_eq!(PlanRules::default().problem(), None);
    let mut rules = PlanRules::default();
    rules.smallest_instalment_in.insert("XYZ".into(), Decimal::ONE);
    assert_eq!(rules.problem().map(|(field, _)| field), Some("smallest_instalment_in"));
    let rules = PlanRules {
        max_instalments: 1,
        ..PlanRules::default()
    };
    assert_eq!(rules.problem().map(|(field, _)| field), Some("max_instalments"));
}

#[test]
fn the_pass_notes_each_instalment_reminds_once_of_a_miss_and_breaks_after_the_policys_days() {
    // 200.00 in 2 weekly instalments of 100.00 from Monday 2026-03-09, agreed Monday 2026-03-02.
    let a = invoice("A", "C1", "2026-02-01", None);
    let b = invoice("B", "C1", "2026-02-10", None);
    let plan = plan_on(&[&a, &b], 2, "2026-03-09");
    let rules = PlanRules::default();
    let agreed = day("2026-03-02");
    let at =
        |invoices: &[Invoice], today: &str| review(&plan, invoices, &rules, Calendar::WEEKDAYS, agreed, day(today));
    let unpaid = [a.clone(), b.clone()];
    // The note two business days before the 9th is due Thursday the 5th; before then the pass waits.
    assert_eq!(at(&unpaid, "2026-03-02"), (PlanStep::Wait, Some(day("2026-03-05"))));
    // On it (or a day it was missed, up to the instalment's day): the note, then look the day after.
    assert_eq!(
        at(&unpaid, "2026-03-05"),
        (PlanStep::NoteBefore { index: 0 }, Some(day("2026-03-10")))
    );
    assert_eq!(
        at(&unpaid, "2026-03-09"),
        (PlanStep::NoteBefore { index: 0 }, Some(day("2026-03-10")))
    );
    // Unpaid the day after: one courteous reminder; the next look is the day it breaks (9th + 14 + 1).
    assert_eq!(
        at(&unpaid, "2026-03-10"),
        (PlanStep::Missed { index: 0 }, Some(day("2026-03-24")))
    );
    assert_eq!(at(&unpaid, "2026-03-24"), (PlanStep::Break { index: 0 }, None));
    // Paid: the second instalment's note on Thursday the 12th, and done once all is paid.
    let mut first_paid = unpaid.clone();
    first_paid[1].paid = "100".parse().unwrap();
    assert_eq!(at(&first_paid, "2026-03-10"), (PlanStep::Wait, Some(day("2026-03-12"))));
    let mut all_paid = first_paid.clone();
    all_paid[0].paid = "100".parse().unwrap();
    assert_eq!(at(&all_paid, "2026-03-11"), (PlanStep::Complete, None));
    // A first instalment whose note day had come when the plan was agreed gets no note.
    let late = review(
        &plan,
        &unpaid,
        &rules,
        Calendar::WEEKDAYS,
        day("2026-03-06"),
        day("2026-03-06"),
    );
    assert_eq!(late, (PlanStep::Wait, Some(day("2026-03-10"))));
}
