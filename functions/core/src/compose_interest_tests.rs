//! What messages say about interest and fees, composed from the shipped policy.

use super::*;
use crate::compose::message_context;
use crate::fixtures::{customer, day, invoice};
use crate::interest::{ContractRemedy, Statute};

fn pounds(id: &str, due: &str, total: &str) -> Invoice {
    Invoice {
        currency: Currency::from_code("GBP").unwrap(),
        total: total.parse().unwrap(),
        ..invoice(id, "C1", due, None)
    }
}

fn british() -> Customer {
    Customer {
        locale: "en-GB".into(),
        ..customer("C1")
    }
}

fn stage<'a>(policy: &'a Policy, id: &str) -> &'a Stage {
    &policy.stages[policy.stage_index(id).expect("a shipped stage")]
}

fn context_at(stage_id: &str, customer: &Customer, invoices: &[&Invoice], on: &str) -> kindly_render::MessageContext {
    let policy = Policy::default_policy();
    message_context(&policy, stage(&policy, stage_id), customer, invoices, day(on))
}

#[test]
fn the_direct_stage_states_the_uk_acts_interest_and_fixed_sum_exactly() {
    // GIVEN £1,500 due 31 January 2026 and the shipped policy (the UK Act; Bank Rate 3.75 % on 31 December)
    let owed = pounds("I1", "2026-01-31", "1500.00");
    // WHEN the direct stage goes out 50 days later
    let context = context_at("overdue_direct", &british(), &[&owed], "2026-03-22");
    // THEN it states the interest for those 50 days at 11.75 %, the £70 band, the Act and the waiver
    let interest = context.interest.expect("interest stated");
    // £1,500 × 11.75 % × 50 / 365 = £24.1438…
    assert_eq!(
        interest.lines,
        [InterestLineView {
            invoice: "INV-I1".into(),
            interest: Some("£24.14".into()),
            since: "1 February 2026".into(),
            rate: Some("11.75%".into()),
            per: Some("year".into()),
            rate_varied: false,
            fee: Some("£70.00".into()),
            clause: None,
            statute: Some("uk_late_payment_act_1998".into()),
        }]
    );
    assert_eq!(interest.totals, ["£94.14"]);
    assert_eq!(
        interest.waive_by.as_deref(),
        Some("5 April 2026"),
        "14 days, as the shipped policy offers"
    );
    let message = kindly_render::render(&kindly_render::MessageContext {
        interest: Some(interest),
        ..context
    })
    .unwrap();
    assert!(
        message.text.contains(
            "interest of £24.14 has accrued since 1 February 2026 at 11.75% a year, plus fixed compensation of \
             £70.00, under the Late Payment of Commercial Debts (Interest) Act 1998"
        ),
        "{}",
        message.text
    );
    assert!(!message.text.contains("may apply"));
}

#[test]
fn stages_before_the_first_interest_stage_state_no_figures() {
    let owed = pounds("I1", "2026-01-31", "1500.00");
    let lines = |stage_id: &str, on: &str| {
        context_at(stage_id, &british(), &[&owed], on)
            .interest
            .map(|interest| interest.lines.len())
    };
    assert_eq!(lines("due_today", "2026-01-31"), Some(0), "the terms only");
    assert_eq!(lines("crossed_in_mail", "2026-02-03"), None, "nothing at all");
    // Positive control: the same invoice at the direct stage.
    assert_eq!(lines("overdue_direct", "2026-02-10"), Some(1));
}

#[test]
fn an_invoices_own_terms_come_before_the_customers_and_those_before_the_statute() {
    let mut customer = british();
    customer.terms.late_fee = Some(ContractRemedy::monthly(
        "2".parse().unwrap(),
        0,
        "2% per month (clause 9)",
    ));
    let mut own = pounds("I1", "2026-01-31", "1000.00");
    own.late_fee = Some(ContractRemedy {
        charge: Charge::FixedFee {
            amount: "25.00".parse().unwrap(),
        },
        grace_days: 0,
        clause: "a £25 fee (order form)".into(),
    });
    let contract = pounds("I2", "2026-01-31", "1000.00");
    let context = context_at("overdue_direct", &customer, &[&own, &contract], "2026-03-02");
    let lines = context.interest.expect("stated").lines;
    let under: Vec<_> = lines
        .iter()
        .map(|line| (line.clause.as_deref(), line.statute.as_deref(), line.fee.as_deref()))
        .collect();
    assert_eq!(
        under,
        [
            (Some("a £25 fee (order form)"), None, Some("£25.00")),
            (Some("2% per month (clause 9)"), None, None)
        ]
    );
    // £1,000 × 24 % × 30 / 365 = £19.7260…
    assert_eq!(lines[1].interest.as_deref(), Some("£19.73"));
    assert_eq!(
        (lines[1].rate.as_deref(), lines[1].per.as_deref()),
        (Some("2%"), Some("month"))
    );
    assert_eq!((lines[0].interest.as_deref(), lines[0].rate.as_deref()), (None, None));
}

#[test]
fn a_customer_may_opt_out_of_the_statute_or_fall_under_another() {
    let owed = pounds("I1", "2026-01-31", "1500.00");
    let mut consumer = british();
    consumer.terms.statute = Some(StatuteChoice::None);
    assert_eq!(
        context_at("overdue_direct", &consumer, &[&owed], "2026-03-22").interest,
        None
    );
    // A German business under § 288 BGB, for its euro invoice: 1.27 + 9 points, €40.
    let mut german = Customer {
        locale: "de-DE".into(),
        ..customer("C1")
    };
    german.terms.statute = Some(StatuteChoice::Statute(Statute::DeBgb288));
    let euros = Invoice {
        currency: Currency::from_code("EUR").unwrap(),
        ..pounds("I2", "2026-01-31", "1000.00")
    };
    let lines = context_at("overdue_direct", &german, &[&owed, &euros], "2026-03-02")
        .interest
        .expect("stated")
        .lines;
    assert_eq!(lines.len(), 1, "the pound invoice is not under the German statute");
    assert_eq!(lines[0].rate.as_deref(), Some("10,27\u{a0}%"));
    assert_eq!(lines[0].fee.as_deref(), Some("40,00\u{a0}€"));
    // 1,000 × 10.27 % × 30 / 365 = €8.4411…
    assert_eq!(lines[0].interest.as_deref(), Some("8,44\u{a0}€"));
}

#[test]
fn nothing_is_stated_on_a_rate_the_policy_has_not_confirmed() {
    // A debt late from 1 July 2026 needs Bank Rate on 30 June 2026; the shipped table was checked in February.
    let owed = pounds("I1", "2026-06-30", "1500.00");
    assert_eq!(
        context_at("overdue_direct", &british(), &[&owed], "2026-07-10").interest,
        None
    );
    // Positive control: with the table confirmed through 30 June, the figures are stated.
    let mut policy = Policy::default_policy();
    policy.interest.rates.bank_of_england.as_mut().unwrap().confirmed_on = Some(day("2026-06-30"));
    let context = message_context(
        &policy,
        stage(&policy, "overdue_direct"),
        &british(),
        &[&owed],
        day("2026-07-10"),
    );
    assert_eq!(context.interest.unwrap().lines[0].rate.as_deref(), Some("11.75%"));
}

#[test]
fn before_the_due_date_only_the_terms_are_recalled_never_an_amount() {
    let mut customer = british();
    customer.terms.late_fee = Some(ContractRemedy::monthly(
        "1.5".parse().unwrap(),
        7,
        "1.5% per month after 7 days",
    ));
    let soon = pounds("I1", "2026-03-20", "1500.00");
    let context = context_at("upcoming_due", &customer, &[&soon], "2026-03-15");
    assert_eq!(
        context.interest,
        Some(InterestView {
            lines: vec![],
            totals: vec![],
            waive_by: None,
            clauses: vec!["1.5% per month after 7 days".into()],
            statute: None
        })
    );
    let message = kindly_render::render(&context).unwrap();
    assert!(
        message
            .text
            .contains("As agreed in our payment terms: 1.5% per month after 7 days."),
        "{}",
        message.text
    );
    assert!(
        !message.text.contains("has accrued") && !message.text.contains("fee of"),
        "{}",
        message.text
    );
    // Under the statute alone the note names the Act; after the due date no note is written.
    let statute = context_at("due_today", &british(), &[&soon], "2026-03-20").interest;
    assert_eq!(
        statute.and_then(|note| note.statute).as_deref(),
        Some("uk_late_payment_act_1998")
    );
    assert_eq!(
        context_at("crossed_in_mail", &customer, &[&soon], "2026-03-23").interest,
        None
    );
}
