//! Each reply invariant catches a deliberately broken history, and lets the sound one pass.

use super::*;
use crate::invariants::tests::{at, day, delivery};
use kindly_core::CustomerId;
use kindly_core::answer::{AnswerId, AnswerState};
use kindly_core::reminder::ReminderId;
use kindly_core::tasks::{TaskAction, TaskKind};

/// London keeps UTC until the end of March: the local days are the UTC ones.
const ZONE: Tz = chrono_tz::Europe::London;

/// A ladder message to C0001 at `when` (UTC).
fn message(when: &str) -> Delivery {
    Delivery {
        at: at(when),
        ..delivery(1, "rem_a", "overdue_direct", &["SIM-0001-00"])
    }
}

fn caught(when: &str, holds: &[ReplyHold]) -> usize {
    held_by_reply(&message(when), true, ZONE, holds).len()
}

#[test]
fn a_ladder_message_while_a_persons_reply_waits_is_caught() {
    // GIVEN a reply written on Monday 9 March, which kindly had that afternoon; the pause is 3 business days
    let reply = ReplyHold::of(
        Writer::Person,
        day("2026-03-09"),
        3,
        "ans_r",
        at("2026-03-09T16:00:00"),
        Workdays::PLAIN,
    )
    .unwrap();
    assert_eq!(reply.free_from, day("2026-03-13"));
    let holds = [reply.clone()];
    // THEN a message on Tuesday or Thursday is caught; one that morning, before kindly had it, or on
    // Friday, once the pause ran out, is not
    assert_eq!(caught("2026-03-10T14:00:00", &holds), 1);
    assert_eq!(caught("2026-03-12T14:00:00", &holds), 1);
    assert_eq!(caught("2026-03-09T10:00:00", &holds), 0);
    assert_eq!(caught("2026-03-13T10:00:00", &holds), 0);
    // and a message that is no rung of the ladder (an acknowledgement) is not held
    assert!(held_by_reply(&message("2026-03-10T14:00:00"), false, ZONE, &holds).is_empty());
    // WHEN staff read it on Wednesday morning THEN the ladder may go on from then
    let read = [ReplyHold {
        ended: Some(at("2026-03-11T09:00:00")),
        ..reply
    }];
    assert_eq!(caught("2026-03-10T14:00:00", &read), 1);
    assert_eq!(caught("2026-03-11T14:00:00", &read), 0);
    assert!(!read[0].holds_day(day("2026-03-11")) && holds[0].holds_day(day("2026-03-12")));
    assert!(!holds[0].holds_day(day("2026-03-13")));
}

#[test]
fn a_ladder_message_before_the_first_business_day_after_the_return_is_caught() {
    // GIVEN an out-of-office note written on Tuesday 10 March that names Friday 13 March
    let away = |returns_on: Option<&str>, out_of_office: bool| Writer::Mailbox {
        out_of_office,
        returns_on: returns_on.map(day),
    };
    let note = ReplyHold::of(
        away(Some("2026-03-13"), true),
        day("2026-03-10"),
        3,
        "ans_o",
        at("2026-03-10T10:00:00"),
        Workdays::PLAIN,
    )
    .unwrap();
    let holds = [note];
    // THEN the day it names, and the weekend after, are held; Monday is the first free day
    assert_eq!(caught("2026-03-13T14:00:00", &holds), 1);
    assert_eq!(caught("2026-03-15T14:00:00", &holds), 1);
    assert_eq!(caught("2026-03-16T09:00:00", &holds), 0);
    assert!(held_by_reply(&message("2026-03-13T14:00:00"), true, ZONE, &holds)[0].contains("out-of-office"));
    // A note naming a day gone by, a note naming none, or a mailbox that only acknowledges holds nothing
    let written = day("2026-03-10");
    let from = at("2026-03-10T10:00:00");
    assert_eq!(
        ReplyHold::of(away(Some("2026-03-09"), true), written, 3, "a", from, Workdays::PLAIN),
        None
    );
    assert_eq!(
        ReplyHold::of(away(None, true), written, 3, "a", from, Workdays::PLAIN),
        None
    );
    assert_eq!(
        ReplyHold::of(away(Some("2026-03-13"), false), written, 3, "a", from, Workdays::PLAIN),
        None
    );
    // One naming the day it was written on holds until the next business day
    let today = ReplyHold::of(away(Some("2026-03-10"), true), written, 3, "a", from, Workdays::PLAIN).unwrap();
    assert_eq!(caught("2026-03-10T14:00:00", std::slice::from_ref(&today)), 1);
    assert_eq!(caught("2026-03-11T09:00:00", &[today]), 0);
}

pub(crate) fn answer(id: &str, kind: AnswerKind, when: &str) -> Answer {
    Answer {
        id: AnswerId(id.into()),
        customer_id: CustomerId("C0001".into()),
        via: ReminderId("rem_a".into()),
        invoices: Vec::new(),
        kind,
        at: at(when),
        local_date: day(&when[..10]),
        hold_until: None,
        state: AnswerState::Open,
        settled: None,
        acknowledgement: None,
        revision: 1,
    }
}

pub(crate) fn person(from: &str) -> AnswerKind {
    AnswerKind::Reply {
        from: from.into(),
        subject: "Re: overdue_direct".into(),
        text: "We are looking into this.".into(),
    }
}

fn automatic(from: &str) -> AnswerKind {
    AnswerKind::AutoReply {
        from: from.into(),
        subject: "Automatic reply".into(),
        returns_on: None,
    }
}

fn key(when: &str, from: &str) -> ReplyKey {
    ReplyKey {
        customer: "C0001".into(),
        via: "rem_a".into(),
        at: at(when),
        from: from.into(),
    }
}

#[test]
fn a_reply_recorded_twice_as_something_else_from_nobody_or_not_at_all_is_caught() {
    let mut ledger = ReplyLedger::default();
    let mailbox = Writer::Mailbox {
        out_of_office: false,
        returns_on: None,
    };
    ledger.sent(key("2026-03-10T10:00:00", "ap@c0001.example"), Writer::Person);
    ledger.sent(key("2026-03-10T10:00:05", "desk@c0001.example"), mailbox);
    let once = [
        answer("ans_1", person("AP@c0001.example"), "2026-03-10T10:00:00"),
        answer("ans_2", automatic("desk@c0001.example"), "2026-03-10T10:00:05"),
    ];
    // Positive control: each reply once, as what it is, and both taken
    assert!(ledger.stored(&once).is_empty());
    assert_eq!(
        ledger.taken(&key("2026-03-10T10:00:00", "ap@c0001.example"), &once),
        None
    );
    assert_eq!(ledger.writer(&once[1]), Some(mailbox));
    // A reply delivered twice and recorded under another id each time
    let twice = [
        once[0].clone(),
        answer("ans_9", person("ap@c0001.example"), "2026-03-10T10:00:00"),
    ];
    assert!(ledger.stored(&twice)[0].contains("twice"));
    // A person's reply taken for a mailbox's, and the other way round
    let swapped = [
        answer("ans_1", automatic("ap@c0001.example"), "2026-03-10T10:00:00"),
        answer("ans_2", person("desk@c0001.example"), "2026-03-10T10:00:05"),
    ];
    assert_eq!(ledger.stored(&swapped).len(), 2);
    // An answer from a reply nobody wrote
    let stranger = [answer("ans_3", person("ap@c0001.example"), "2026-03-11T10:00:00")];
    assert!(ledger.stored(&stranger)[0].contains("nobody wrote"));
    // A reply kindly took but did not record
    assert!(
        ledger
            .taken(&key("2026-03-10T10:00:05", "desk@c0001.example"), &once[..1])
            .is_some()
    );
}

#[test]
fn a_task_for_an_automatic_reply_is_caught() {
    let task = |id: &str| Task {
        id: id.into(),
        kind: TaskKind::Answer,
        topic: "auto_reply".into(),
        customer_id: CustomerId("C0001".into()),
        customer_name: "Customer 1".into(),
        invoices: Vec::new(),
        text: "I am out of the office.".into(),
        since: at("2026-03-10T10:00:00"),
        actions: vec![TaskAction::Done],
        done: None,
    };
    assert!(task_for_automatic("ans_auto", &[task("ans_other"), task("ans_auto")]).is_some());
    // Positive control: the inbox holds other tasks only
    assert_eq!(task_for_automatic("ans_auto", &[task("ans_other")]), None);
}
