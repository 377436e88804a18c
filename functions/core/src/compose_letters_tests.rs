//! What composing gives the later stages' letters: the final notice's dates in the customer's calendar,
//! senders' names and titles in the message language, the greeting by surname, and figures in the
//! reader's locale.

use super::*;
use crate::customer::Salutation;
use crate::fixtures::{customer, day, invoice};
use crate::holidays::Country;

fn stage<'a>(policy: &'a Policy, id: &str) -> &'a Stage {
    policy
        .stages
        .iter()
        .find(|stage| stage.id == id)
        .expect("a shipped stage")
}

fn german(mut customer: Customer) -> Customer {
    customer.locale = "de-DE".into();
    customer.country = Some(Country::from_code("DE").unwrap());
    customer
}

#[test]
fn the_final_notice_gives_business_days_in_the_customers_calendar_and_names_the_next_step() {
    let policy = Policy::default_policy();
    let final_notice = stage(&policy, "final_notice");
    // GIVEN an English customer and a final notice on Wednesday 1 April 2026, before Easter
    let mut english = customer("C1");
    english.locale = "en-GB".into();
    english.country = Some(Country::from_code("GB").unwrap());
    let due = invoice("I1", "C1", "2026-02-10", None);
    let context = message_context(&policy, final_notice, &english, &[&due], day("2026-04-01"));
    // THEN five business days skip Good Friday (a holiday across the United Kingdom), and the last step
    // (due + 60, a Saturday) moves to the Monday after.
    assert_eq!(context.deadline.as_deref(), Some("9 April 2026"));
    assert_eq!(context.next_step_on.as_deref(), Some("13 April 2026"));
    let text = kindly_render::render(&context).unwrap().text;
    assert!(text.contains("Please pay by 9 April 2026"), "{text}");
    // AND on a pound invoice, which carries statutory interest, the offer to waive interest and fees ends
    // with the deadline, not after it (and after the decision)
    let mut pounds = due.clone();
    pounds.currency = crate::money::Currency::from_code("GBP").unwrap();
    let waiver = |stage_id: &str| {
        let context = message_context(
            &policy,
            stage(&policy, stage_id),
            &english,
            &[&pounds],
            day("2026-04-01"),
        );
        context.interest.and_then(|view| view.waive_by)
    };
    assert_eq!(waiver("final_notice").as_deref(), Some("9 April 2026"));
    // Positive control: a stage without a deadline offers the policy's full 14 days.
    assert_eq!(waiver("escalation_cc").as_deref(), Some("15 April 2026"));

    // GIVEN a German customer THEN the dates are German, and the next step never comes before the deadline
    let mut policy = policy.clone();
    policy.final_notice_days = 10;
    let context = message_context(
        &policy,
        final_notice,
        &german(customer("C2")),
        &[&due],
        day("2026-04-01"),
    );
    assert_eq!(context.deadline.as_deref(), Some("17. April 2026"));
    assert_eq!(context.next_step_on.as_deref(), Some("20. April 2026"));

    // Positive control: no other stage carries a deadline.
    for other in policy.stages.iter().filter(|stage| stage.id != "final_notice") {
        let context = message_context(&policy, other, &english, &[&due], day("2026-04-01"));
        assert_eq!((context.deadline, context.next_step_on), (None, None), "{}", other.id);
    }
}

#[test]
fn a_policy_refuses_a_final_notice_without_days_or_beyond_sixty() {
    for days in [0, 61] {
        let policy = Policy {
            final_notice_days: days,
            ..Policy::default_policy()
        };
        assert!(policy.validate(&crate::catalog::RendererCatalog).is_err(), "{days}");
    }
    let policy = Policy {
        final_notice_days: 60,
        ..Policy::default_policy()
    };
    assert!(policy.validate(&crate::catalog::RendererCatalog).is_ok());
}

#[test]
fn senders_write_in_the_message_language_where_the_policy_translates_them() {
    let policy = Policy::default_policy();
    let due = invoice("I1", "C1", "2026-02-10", None);
    let head = stage(&policy, "personal_note_from_head");
    let german_note = message_context(&policy, head, &german(customer("C1")), &[&due], day("2026-03-03"));
    assert_eq!(
        german_note.signature.name, "Morgan Hale",
        "a name without translation stays"
    );
    assert_eq!(german_note.signature.title, "Geschäftsführerin");
    let billing = stage(&policy, "due_today");
    let german_reminder = message_context(&policy, billing, &german(customer("C1")), &[&due], day("2026-02-10"));
    assert_eq!(german_reminder.from.name, "Northwind Buchhaltung");
    assert_eq!(german_reminder.signature.title, "Debitorenbuchhaltung");
    // Positive control: English messages keep the sender's own words.
    let english_note = message_context(&policy, head, &customer("C1"), &[&due], day("2026-03-03"));
    assert_eq!(english_note.signature.title, "Managing Director");
}

#[test]
fn a_german_letter_greets_by_surname_and_copies_greet_the_escalation_contact_too() {
    let policy = Policy::default_policy();
    let due = invoice("I1", "C1", "2026-02-10", None);
    let mut weber = german(customer("C1"));
    weber.billing_contacts[0].name = Some("Karl Weber".into());
    weber.billing_contacts[0].salutation = Some(Salutation::Mr);
    weber.billing_contacts[0].surname = Some("Weber".into());
    let mut boss = weber.billing_contacts[0].clone();
    boss.email = "chefin@c1.example".into();
    boss.salutation = Some(Salutation::Ms);
    boss.surname = Some("Brandt".into());
    weber.escalation_contact = Some(boss);
    weber.validate().unwrap();

    let direct = message_context(
        &policy,
        stage(&policy, "overdue_direct"),
        &weber,
        &[&due],
        day("2026-02-20"),
    );
    assert_eq!(direct.customer.cc_surname, None, "nobody is copied at this stage");
    let text = kindly_render::render(&direct).unwrap().text;
    assert!(text.starts_with("Sehr geehrter Herr Weber,\n"), "{text}");

    let escalation = stage(&policy, "escalation_cc");
    let copied = message_context(&policy, escalation, &weber, &[&due], day("2026-03-17"));
    let text = kindly_render::render(&copied).unwrap().text;
    assert!(
        text.starts_with("Sehr geehrter Herr Weber, sehr geehrte Frau Brandt,\n"),
        "{text}"
    );
    assert!(
        text.contains("Frau Brandt, ich bitte Sie direkt um Ihre Hilfe"),
        "{text}"
    );
    assert!(!text.contains("Herr Karl"), "never the first name after Herr");

    // Without a salutation the letter greets everyone formally, never by first name.
    weber.billing_contacts[0].salutation = None;
    weber.billing_contacts[0].surname = None;
    let plain = message_context(
        &policy,
        stage(&policy, "overdue_direct"),
        &weber,
        &[&due],
        day("2026-02-20"),
    );
    let text = kindly_render::render(&plain).unwrap().text;
    assert!(text.starts_with("Sehr geehrte Damen und Herren,\n"), "{text}");
}

#[test]
fn a_salutation_needs_a_surname() {
    let mut half = customer("C1");
    half.billing_contacts[0].salutation = Some(Salutation::Ms);
    assert!(half.validate().is_err());
    half.billing_contacts[0].surname = Some("  ".into());
    assert!(half.validate().is_err(), "a blank surname is none");
    half.billing_contacts[0].surname = Some("Weber".into());
    assert!(half.validate().is_ok());
}

#[test]
fn german_figures_keep_their_sign_on_the_line_and_the_discount_names_its_invoice() {
    let euro = Currency::from_code("EUR").unwrap();
    let amount: Decimal = "1234.56".parse().unwrap();
    assert_eq!(format_money(amount, euro, "de-DE"), "1.234,56\u{a0}€");
    assert_eq!(format_percent("2".parse().unwrap(), "de-DE"), "2\u{a0}%");
    assert_eq!(format_percent("1.5".parse().unwrap(), "de-DE"), "1,5\u{a0}%");
    assert_eq!(format_money(amount, euro, "en-US"), "€1,234.56");

    let mut early = invoice("I1", "C1", "2026-03-20", None);
    early.issue_date = day("2026-03-01");
    early.early_payment = Some(crate::DiscountTerms {
        percent: "2".parse().unwrap(),
        within_days: 10,
    });
    let policy = Policy::default_policy();
    let upcoming = stage(&policy, "upcoming_due");
    let context = message_context(&policy, upcoming, &german(customer("C1")), &[&early], day("2026-03-05"));
    let discount = context.early_discount.clone().expect("an open discount");
    assert_eq!(discount.percent, "2\u{a0}%");
    let text = kindly_render::render(&context).unwrap().text;
    assert!(
        text.contains("Skonto für Rechnung INV-I1: Bei Zahlung bis zum"),
        "{text}"
    );
}
