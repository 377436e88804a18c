//! Each answer invariant catches a deliberately broken history, and lets the sound one pass.

use super::*;
use chrono::TimeZone;
use kindly_core::CustomerId;
use kindly_core::answer::{AnswerKind, Settlement};
use kindly_core::reminder::ReminderId;

fn at(text: &str) -> DateTime<Utc> {
    Utc.from_utc_datetime(&text.parse::<chrono::NaiveDateTime>().unwrap())
}

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

const ZONE: Tz = chrono_tz::America::New_York;

/// A message to C0001 at `when` (UTC), at `stage`, about SIM-0001-00.
fn message(reminder: &str, stage: &str, when: &str) -> Delivery {
    Delivery {
        step: 1,
        at: at(when),
        reminder: reminder.into(),
        stage: stage.into(),
        customer: "C0001".into(),
        numbers: vec!["SIM-0001-00".into()],
        reported_failed: false,
        to: vec!["ap@c0001.example".into()],
    }
}

fn held(hold: Hold) -> BTreeMap<String, Vec<Hold>> {
    BTreeMap::from([("SIM-0001-00".to_owned(), vec![hold])])
}

#[test]
fn a_ladder_message_under_a_promise_or_a_dispute_is_caught() {
    // GIVEN a promise, taken on Monday 9 March, to pay by Friday 13 March (New York)
    let promise = held(Hold {
        kind: "promise",
        answer: "ans_p".into(),
        from: at("2026-03-09T15:00:00"),
        through: Some(day("2026-03-13")),
        ended: None,
    });
    // a message on the day itself is caught; the evening before the answer and the Monday after are fine
    let on_the_day = message("rem_a", "crossed_in_mail", "2026-03-13T21:00:00");
    assert_eq!(held_message(&on_the_day, ZONE, &promise).len(), 1);
    let before = message("rem_a", "crossed_in_mail", "2026-03-09T14:00:00");
    assert!(held_message(&before, ZONE, &promise).is_empty());
    let after = message("rem_a", "crossed_in_mail", "2026-03-16T14:00:00");
    assert!(held_message(&after, ZONE, &promise).is_empty());
    // an acknowledgement or a thank-you is no ladder message
    let ack = message("rem_ack_x", ACKNOWLEDGEMENT_STAGE, "2026-03-10T14:00:00");
    assert!(held_message(&ack, ZONE, &promise).is_empty());
    // GIVEN a dispute staff rejected on 20 March: held until then, free after
    let dispute = held(Hold {
        kind: "dispute",
        answer: "ans_d".into(),
        from: at("2026-03-09T15:00:00"),
        through: None,
        ended: Some(at("2026-03-20T12:00:00")),
    });
    let during = message("rem_b", "overdue_direct", "2026-03-19T14:00:00");
    assert!(held_message(&during, ZONE, &dispute)[0].contains("dispute"));
    let resumed = message("rem_b", "overdue_direct", "2026-03-23T14:00:00");
    assert!(held_message(&resumed, ZONE, &dispute).is_empty());
}

#[test]
fn a_message_to_a_contact_staff_did_not_confirm_is_caught() {
    let mut named = BTreeMap::from([("robin@c0001.example".to_owned(), None)]);
    let mut to_robin = message("rem_a", "crossed_in_mail", "2026-03-10T14:00:00");
    assert!(
        unconfirmed_contact(&to_robin, &named).is_empty(),
        "the old address is fine"
    );
    to_robin.to = vec!["robin@c0001.example".into()];
    assert_eq!(unconfirmed_contact(&to_robin, &named).len(), 1);
    // Confirmed after the message went out: still too early. Confirmed before: fine.
    named.insert("robin@c0001.example".into(), Some(at("2026-03-10T15:00:00")));
    assert_eq!(unconfirmed_contact(&to_robin, &named).len(), 1);
    named.insert("robin@c0001.example".into(), Some(at("2026-03-10T13:00:00")));
    assert!(unconfirmed_contact(&to_robin, &named).is_empty());
}

#[test]
fn an_answer_acknowledged_twice_never_or_without_an_answer_is_caught() {
    let mut acks = Acknowledgements::default();
    let ack = message("rem_ack_1", ACKNOWLEDGEMENT_STAGE, "2026-03-10T14:00:00");
    assert!(acks.delivered(&ack).unwrap().contains("never recorded"));
    acks.recorded("ans_1", "C0001", day("2026-03-09"));
    acks.recorded("ans_2", "C0001", day("2026-03-09"));
    assert_eq!(acks.delivered(&ack), None);
    assert!(acks.delivered(&ack).unwrap().contains("again"));
    // ans_2 is owed: fine up to two business days after, overdue the day after that
    assert!(
        acks.overdue("C0001", day("2026-03-11"), Workdays::PLAIN, |_| false)
            .is_empty()
    );
    let late = acks.overdue("C0001", day("2026-03-12"), Workdays::PLAIN, |_| false);
    assert_eq!(late.iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>(), ["ans_2"]);
    assert!(
        acks.overdue("C0001", day("2026-03-12"), Workdays::PLAIN, |id| id == "ans_2")
            .is_empty()
    );
    assert!(
        acks.overdue("C0002", day("2026-03-12"), Workdays::PLAIN, |_| false)
            .is_empty()
    );
}

fn promise(state: AnswerState) -> Answer {
    Answer {
        id: AnswerId("ans_p".into()),
        customer_id: CustomerId("C0001".into()),
        via: ReminderId("rem_a".into()),
        invoices: Vec::new(),
        kind: AnswerKind::Promise {
            pay_by: day("2026-03-13"),
        },
        at: at("2026-03-09T15:00:00"),
        local_date: day("2026-03-09"),
        hold_until: Some(day("2026-03-13")),
        state,
        settled: Some(Settlement {
            by: kindly_core::actor::Actor::System,
            at: at("2026-03-13T15:00:00"),
            note: None,
        }),
        acknowledgement: None,
        revision: 1,
    }
}

use kindly_core::answer::AnswerId;

#[test]
fn a_promise_settled_against_the_facts_is_caught() {
    let kept = promise(AnswerState::Kept);
    assert_eq!(promise_settled_by_facts(&kept, day("2026-03-13"), false), None);
    assert!(promise_settled_by_facts(&kept, day("2026-03-13"), true).is_some());
    assert!(promise_settled_by_facts(&kept, day("2026-03-14"), false).is_some());
    let broken = promise(AnswerState::Broken);
    assert_eq!(promise_settled_by_facts(&broken, day("2026-03-14"), true), None);
    assert!(
        promise_settled_by_facts(&broken, day("2026-03-13"), true)
            .unwrap()
            .contains("before its day")
    );
    // Not a promise: nothing to judge.
    let mut claim = promise(AnswerState::Confirmed);
    claim.kind = AnswerKind::ConfirmReceipt { scheduled_for: None };
    assert_eq!(promise_settled_by_facts(&claim, day("2026-03-20"), true), None);
}

#[test]
fn an_answer_recorded_twice_for_one_form_is_caught() {
    let mut forms = Forms::default();
    forms.sent("C0001", "rem_a", "f1", "ans_1");
    assert_eq!(forms.answered("C0001", "rem_a", "f1", "ans_1", true), None);
    assert_eq!(
        forms.answered("C0001", "rem_a", "f1", "ans_1", false),
        None,
        "again is fine"
    );
    assert!(
        forms
            .answered("C0001", "rem_a", "f1", "ans_1", true)
            .unwrap()
            .contains("twice")
    );
    assert!(forms.answered("C0001", "rem_a", "f1", "ans_9", false).is_some());
    assert!(
        forms.answered("C0001", "rem_a", "f2", "ans_2", true).is_some(),
        "never sent"
    );
    assert!(forms.stored("C0001", &["ans_1".into()]).is_empty());
    assert_eq!(forms.stored("C0001", &["ans_1".into(), "ans_3".into()]).len(), 1);
    assert_eq!(forms.stored("C0001", &["ans_1".into(), "ans_1".into()]).len(), 1);
}
