//! Each invariant catches a deliberately broken history, and lets the sound one pass (the positive control).

use super::*;
use chrono::{DateTime, TimeZone, Utc};
use kindly_core::reminder::Transition;
use kindly_core::{Currency, CustomerId, InvoiceId, ReminderId};

pub(crate) fn at(text: &str) -> DateTime<Utc> {
    Utc.from_utc_datetime(&text.parse::<chrono::NaiveDateTime>().unwrap())
}

pub(crate) fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

pub(crate) fn delivery(step: u64, reminder: &str, stage: &str, numbers: &[&str]) -> Delivery {
    Delivery {
        step,
        // Tuesday 2026-03-10, 10:00 in New York.
        at: at("2026-03-10T14:00:00"),
        reminder: reminder.into(),
        stage: stage.into(),
        customer: "C0001".into(),
        numbers: numbers.iter().map(|n| n.to_string()).collect(),
        reported_failed: false,
        to: vec!["ap@c0001.example".into()],
    }
}

fn invoice(due: &str) -> Invoice {
    Invoice {
        id: InvoiceId("I0001-00".into()),
        number: "SIM-0001-00".into(),
        customer_id: CustomerId("C0001".into()),
        currency: Currency::from_code("ISK").unwrap(),
        total: "1000".parse().unwrap(),
        paid: Decimal::ZERO,
        issue_date: day(due) - Days::new(14),
        due_date: day(due),
        status: InvoiceStatus::Open,
        payment_link: None,
        po_number: None,
        late_fee: None,
        early_payment: None,
        payment_reference: None,
        processor_payments: Default::default(),
        dunning: Default::default(),
        bookkeeping: Default::default(),
    }
}

fn reminder(history: &[(ReminderStatus, ReminderStatus)], status: ReminderStatus) -> Reminder {
    Reminder {
        id: ReminderId("rem_1".into()),
        customer_id: CustomerId("C0001".into()),
        stage_id: "due_today".into(),
        tone: kindly_core::Tone::Courteous,
        covers: Vec::new(),
        status,
        planned_for: day("2026-03-10"),
        created_at: at("2026-03-10T06:00:00"),
        draft: None,
        task: None,
        approval: None,
        sent_message_id: None,
        sent_on: None,
        failure: None,
        history: history
            .iter()
            .map(|&(from, to)| Transition {
                from,
                to,
                at: at("2026-03-10T06:00:00"),
                by: kindly_core::actor::Actor::System,
                note: None,
            })
            .collect(),
    }
}

#[test]
fn every_invariant_has_a_distinct_name() {
    let names: BTreeSet<_> = Invariant::ALL.iter().map(|invariant| invariant.name()).collect();
    assert_eq!(names.len(), Invariant::ALL.len());
}

fn at_stage(delivery: &Delivery) -> Vec<(String, String)> {
    delivery
        .numbers
        .iter()
        .map(|number| (number.clone(), delivery.stage.clone()))
        .collect()
}

#[test]
fn a_second_delivery_of_the_same_reminder_is_caught() {
    let mut seen = Deliveries::default();
    let first = delivery(1, "rem_a", "due_today", &["SIM-0001-00"]);
    assert!(
        seen.check(&first, &at_stage(&first), |_| false).is_empty(),
        "the first delivery is fine"
    );
    let other_stage = delivery(2, "rem_b", "crossed_in_mail", &["SIM-0001-00"]);
    assert!(
        seen.check(&other_stage, &at_stage(&other_stage), |_| false).is_empty(),
        "a later stage is fine"
    );
    let second = delivery(3, "rem_a", "due_today", &["SIM-0001-00"]);
    let again = seen.check(&second, &at_stage(&second), |_| false);
    assert_eq!(again.len(), 1, "{again:?}");
    assert!(again[0].contains("again"));
}

#[test]
fn an_invoice_in_two_messages_at_one_stage_is_caught() {
    let mut seen = Deliveries::default();
    let first = delivery(1, "rem_a", "due_today", &["SIM-0001-00"]);
    seen.check(&first, &at_stage(&first), |_| false);
    let both = delivery(2, "rem_b", "due_today", &["SIM-0001-00", "SIM-0001-01"]);
    let problems = seen.check(&both, &at_stage(&both), |_| false);
    assert_eq!(problems.len(), 1);
    assert!(problems[0].contains("two messages"));
    // A consolidated message tagged with its most advanced stage carries the other invoice at its own.
    let consolidated = delivery(3, "rem_c", "crossed_in_mail", &["SIM-0001-02", "SIM-0001-03"]);
    let covered = [
        ("SIM-0001-02".to_owned(), "crossed_in_mail".to_owned()),
        ("SIM-0001-03".to_owned(), "due_today".to_owned()),
    ];
    assert!(seen.check(&consolidated, &covered, |_| false).is_empty());
    let later = delivery(4, "rem_d", "crossed_in_mail", &["SIM-0001-03"]);
    assert!(seen.check(&later, &at_stage(&later), |_| false).is_empty());
    // A thank-you after a refund reopened the invoice may thank it again.
    let thanks = delivery(5, "rem_t1", THANK_YOU_STAGE, &["SIM-0001-00"]);
    seen.check(&thanks, &at_stage(&thanks), |_| true);
    let with_another = delivery(6, "rem_t2", THANK_YOU_STAGE, &["SIM-0001-00", "SIM-0001-01"]);
    assert!(seen.check(&with_another, &at_stage(&with_another), |_| true).is_empty());
    // Two answers about one invoice are acknowledged once each; one acknowledgement twice is caught.
    let ack = delivery(7, "rem_ack_1", ACKNOWLEDGEMENT_STAGE, &["SIM-0001-00"]);
    assert!(seen.check(&ack, &at_stage(&ack), |_| false).is_empty());
    let other = delivery(8, "rem_ack_2", ACKNOWLEDGEMENT_STAGE, &["SIM-0001-00"]);
    assert!(seen.check(&other, &at_stage(&other), |_| false).is_empty());
    assert_eq!(seen.check(&ack, &at_stage(&ack), |_| false).len(), 1);
}

#[test]
fn a_message_after_payment_or_pause_is_caught() {
    let message = delivery(1, "rem_a", "crossed_in_mail", &["SIM-0001-00"]);
    let mut known = Known::default();
    known.status.insert("SIM-0001-00".into(), InvoiceStatus::Open);
    assert!(nothing_after_settling(&message, &known).is_empty());
    for settled in [
        InvoiceStatus::Paid,
        InvoiceStatus::PaymentPending,
        InvoiceStatus::Disputed,
        InvoiceStatus::Void,
        InvoiceStatus::WrittenOff,
        InvoiceStatus::HandedOver,
        InvoiceStatus::OnPaymentPlan,
    ] {
        known.status.insert("SIM-0001-00".into(), settled);
        assert_eq!(nothing_after_settling(&message, &known).len(), 1, "{settled:?}");
    }
    known.status.insert("SIM-0001-00".into(), InvoiceStatus::Open);
    known.paused.insert("C0001".into());
    assert!(nothing_after_settling(&message, &known)[0].contains("paused"));
    // A thank-you for an invoice that is open again is wrong too.
    let thanks = delivery(2, "rem_t", THANK_YOU_STAGE, &["SIM-0001-00"]);
    assert_eq!(nothing_after_settling(&thanks, &known).len(), 1);
    // An acknowledgement answers the customer whatever: paused, or about an invoice paid since.
    known.status.insert("SIM-0001-00".into(), InvoiceStatus::Paid);
    let ack = delivery(3, "rem_ack_1", ACKNOWLEDGEMENT_STAGE, &["SIM-0001-00"]);
    assert!(nothing_after_settling(&ack, &known).is_empty());
    // A payment plan's note is about an invoice on a plan, and about nothing else.
    known.paused.clear();
    let note = delivery(
        4,
        "rem_inst_x_1",
        kindly_core::policy::INSTALMENT_NOTE_STAGE,
        &["SIM-0001-00"],
    );
    known.status.insert("SIM-0001-00".into(), InvoiceStatus::OnPaymentPlan);
    assert!(nothing_after_settling(&note, &known).is_empty());
    for not_on_a_plan in [InvoiceStatus::Open, InvoiceStatus::Paid] {
        known.status.insert("SIM-0001-00".into(), not_on_a_plan);
        assert_eq!(nothing_after_settling(&note, &known).len(), 1, "{not_on_a_plan:?}");
    }
}

#[test]
fn a_message_outside_business_hours_is_caught() {
    let zone = chrono_tz::America::New_York;
    let mut message = delivery(1, "rem_a", "due_today", &[]);
    assert_eq!(
        delivered_in_hours(&message, zone, Workdays::PLAIN, BUSINESS_HOURS),
        None
    );
    message.at = at("2026-03-10T23:00:00"); // 19:00 in New York
    assert!(delivered_in_hours(&message, zone, Workdays::PLAIN, BUSINESS_HOURS).is_some());
    message.at = at("2026-03-14T15:00:00"); // Saturday
    assert!(delivered_in_hours(&message, zone, Workdays::PLAIN, BUSINESS_HOURS).is_some());
}

#[test]
fn a_stage_on_a_holiday_is_owed_from_the_next_business_day() {
    let policy = Policy::default_policy();
    // Due on Christmas Day, Friday 2026-12-25. On a plain week `due_today` is owed that Friday and late on
    // Monday the 28th; in England (Boxing Day kept on the 28th) it is owed on Tuesday, late on Wednesday.
    let stored = Invoice {
        dunning: kindly_core::DunningProgress {
            last_stage: Some("upcoming_due".into()),
            ..Default::default()
        },
        ..invoice("2026-12-25")
    };
    let england = Workdays(Some(kindly_core::holidays::Country::from_code("GB").unwrap()));
    let ladder = |today: &str, workdays: Workdays| Ladder {
        policy: &policy,
        stored: &stored,
        today: day(today),
        open_since: day("2026-12-01"),
        last_message_on: None,
        workdays,
        conversation: None,
    };
    assert!(overdue_stage(&ladder("2026-12-28", Workdays::PLAIN)).is_some());
    assert_eq!(overdue_stage(&ladder("2026-12-28", england)), None);
    assert_eq!(overdue_stage(&ladder("2026-12-29", england)), None);
    assert_eq!(
        overdue_stage(&ladder("2026-12-30", england)),
        Some(("due_today".into(), day("2026-12-30")))
    );
}

#[test]
fn a_stage_not_sent_a_business_day_after_its_date_is_caught() {
    let policy = Policy::default_policy();
    // Due Friday 2026-03-13: `due_today` falls on that Friday; the latest acceptable day is Monday.
    let stored = Invoice {
        dunning: kindly_core::DunningProgress {
            last_stage: Some("upcoming_due".into()),
            ..Default::default()
        },
        ..invoice("2026-03-13")
    };
    let ladder = |today: &str, last_message_on: Option<NaiveDate>| Ladder {
        policy: &policy,
        stored: &stored,
        today: day(today),
        open_since: day("2026-03-01"),
        last_message_on,
        workdays: Workdays::PLAIN,
        conversation: None,
    };
    assert_eq!(overdue_stage(&ladder("2026-03-13", None)), None);
    assert_eq!(
        overdue_stage(&ladder("2026-03-16", None)),
        Some(("due_today".into(), day("2026-03-16")))
    );
    // A message two days before moves the plan by the policy's gap (3 days: Monday), so Tuesday is late.
    assert_eq!(overdue_stage(&ladder("2026-03-16", Some(day("2026-03-11")))), None);
    assert!(overdue_stage(&ladder("2026-03-17", Some(day("2026-03-11")))).is_some());
    // In a conversation at the firm tone the courteous stage is owed only as part of its next message: on
    // its own the invoice owes the first firm stage (the personal note, 21 days: Friday 3 April).
    let riding = |today: &str| {
        overdue_stage(&Ladder {
            conversation: Some(kindly_core::tone::Tone::Firm),
            ..ladder(today, None)
        })
    };
    assert_eq!(riding("2026-03-16"), None);
    assert_eq!(riding("2026-04-03"), None);
    assert_eq!(
        riding("2026-04-06"),
        Some(("personal_note_from_head".into(), day("2026-04-06")))
    );
    // A promise to pay by Monday the 16th moves the plan to Tuesday (late on Wednesday); a dispute
    // waiting for staff owes nothing yet.
    let mut promised = stored.clone();
    promised.bookkeeping.hold = Some(kindly_core::invoice::AnswerHold {
        answer: "ans_p".into(),
        kind: "promise".into(),
        since: day("2026-03-10"),
        until: Some(day("2026-03-16")),
        until_corrected: false,
        lifted: false,
    });
    let held = |today: &str, stored: &Invoice| {
        overdue_stage(&Ladder {
            policy: &policy,
            stored,
            today: day(today),
            open_since: day("2026-03-01"),
            last_message_on: None,
            workdays: Workdays::PLAIN,
            conversation: None,
        })
    };
    assert_eq!(held("2026-03-17", &promised), None);
    assert!(held("2026-03-18", &promised).is_some());
    promised.bookkeeping.hold.as_mut().unwrap().until = None;
    assert_eq!(held("2026-04-30", &promised), None);
}

#[test]
fn money_that_does_not_add_up_is_caught() {
    let mut stored = invoice("2026-03-13");
    stored.bookkeeping.processor_paid = "400".parse().unwrap();
    stored.paid = "400".parse().unwrap();
    let net: Decimal = "400".parse().unwrap();
    assert_eq!(money_exact(&stored, net, net), None);
    // 400.00 ISK in the processor's two-decimal units read with ISO's zero decimals: 40000 ISK.
    stored.bookkeeping.processor_paid = "40000".parse().unwrap();
    assert!(money_exact(&stored, net, net).is_some());
    stored.bookkeeping.processor_paid = net;
    stored.paid = "500".parse().unwrap();
    assert!(money_exact(&stored, net, net).unwrap().contains("only"));
    // A paid the reports' dated history does not end at (a write that forgot to date it) is caught too.
    stored.paid = net;
    let day = "2026-03-20".parse().unwrap();
    stored.bookkeeping.paid_history.insert(day, "300".parse().unwrap());
    assert!(
        money_exact(&stored, net, net)
            .unwrap()
            .contains("dated payments end at 300")
    );
    stored.bookkeeping.paid_history.insert(day, net);
    assert_eq!(money_exact(&stored, net, net), None);
}

#[test]
fn an_unknown_outcome_queued_again_is_caught() {
    use ReminderStatus::*;
    assert!(unknown_outcome_settled(&reminder(&[], Failed)).is_none());
    assert!(unknown_outcome_settled(&reminder(&[], Sending)).is_none());
    assert!(unknown_outcome_settled(&reminder(&[], Approved)).is_some());
}

#[test]
fn an_illegal_history_is_caught() {
    use ReminderStatus::*;
    let sound = [(Planned, Approved), (Approved, Sending), (Sending, Sent)];
    assert_eq!(legal_history(&reminder(&sound, Sent)), None);
    let revived = [
        (Planned, Approved),
        (Approved, Cancelled),
        (Cancelled, Planned),
        (Planned, Approved),
    ];
    assert_eq!(legal_history(&reminder(&revived, Approved)), None);
    let noted = [(Planned, Approved), (Approved, Sending), (Sending, Sent), (Sent, Sent)];
    assert_eq!(legal_history(&reminder(&noted, Sent)), None);
    assert!(legal_history(&reminder(&[(Planned, Planned), (Planned, Sent)], Sent)).is_some());
    assert!(legal_history(&reminder(&[(Planned, Approved), (Approved, Sent)], Sent)).is_some());
    assert!(legal_history(&reminder(&[(Planned, Approved), (Sending, Sent)], Sent)).is_some());
    assert!(legal_history(&reminder(&sound, Approved)).is_some());
}
