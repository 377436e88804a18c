//! The conversation's definitions, and what the planner does with them.

use super::*;
use crate::customer::{Customer, CustomerId};
use crate::fixtures::{customer, day, instant, invoice, reminder};
use crate::planner::{CustomerHistory, plan};
use crate::policy::Policy;
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// `invoice` after the stage `stage` of the shipped policy went out on its day.
fn heard(mut invoice: Invoice, stage: &str) -> Invoice {
    let policy = Policy::default_policy();
    let index = policy.stage_index(stage).expect("a stage of the shipped policy");
    let stage = &policy.stages[index];
    invoice.dunning.last_stage = Some(stage.id.clone());
    invoice.dunning.last_tone = Some(stage.tone);
    invoice.dunning.last_reminded_on = Some(invoice.due_date + chrono::Days::new(stage.offset_days.unsigned_abs()));
    invoice.dunning.next_action_on = policy.next_action_on(&invoice);
    invoice
}

/// A sent ladder message at `tone` (a message, not a task).
fn sent(tone: Tone, on: &str) -> Reminder {
    let mut sent = reminder("C1", "some_stage", &["I9"], ReminderStatus::Sent);
    sent.tone = tone;
    sent.sent_on = Some(day(on));
    sent.draft = Some(crate::reminder::Draft {
        context: crate::compose::message_context(
            &Policy::default_policy(),
            &Policy::default_policy().stages[0],
            &customer("C1"),
            &[],
            day(on),
        ),
        content_hash: String::new(),
    });
    sent
}

/// 10:00 UTC on `on`: a business hour of the fixture's customer (UTC), so the sending day is that day.
fn at(on: &str) -> DateTime<Utc> {
    instant(on) + chrono::Duration::hours(10)
}

/// The pass's plan for customer C1 with `due` (the invoices whose next action is due) and the
/// conversation read from `all` of their invoices and `reminders`.
fn plan_for(on: &str, due: &[Invoice], all: &[Invoice], reminders: &[Reminder]) -> crate::planner::Plan {
    let customers: HashMap<CustomerId, Customer> = [(CustomerId("C1".into()), customer("C1"))].into();
    let mut history = CustomerHistory::from_reminders(reminders);
    history.conversation = ConversationFacts::read(all, reminders);
    let history = [(CustomerId("C1".into()), history)].into();
    plan(at(on), &Policy::default_policy(), &customers, due, &history)
}

#[test]
fn an_invoice_is_in_escalation_only_while_owed_overdue_and_on_the_ladder() {
    let note = heard(invoice("I1", "C1", "2026-03-02", None), "personal_note_from_head");
    assert!(in_escalation(&note, day("2026-03-24")));
    assert!(!in_escalation(&note, day("2026-03-02")), "not overdue on its due date");
    let mut paid = note.clone();
    paid.paid = paid.total;
    assert!(!in_escalation(&paid, day("2026-03-24")));
    let mut disputed = note.clone();
    disputed.status = InvoiceStatus::Disputed;
    assert!(!in_escalation(&disputed, day("2026-03-24")));
    let mut on_plan = note.clone();
    on_plan.status = InvoiceStatus::OnPaymentPlan;
    assert!(!in_escalation(&on_plan, day("2026-03-24")));
    let never_told = invoice("I2", "C1", "2026-03-02", None);
    assert!(!in_escalation(&never_told, day("2026-03-24")), "not on the ladder yet");
    // Positive control: once told, even courteously, an overdue invoice is in escalation.
    let courteous = heard(invoice("I3", "C1", "2026-03-02", None), "due_today");
    assert!(in_escalation(&courteous, day("2026-03-24")));
}

#[test]
fn the_tone_is_the_highest_of_the_last_message_and_the_invoices_in_escalation() {
    let friendly = heard(invoice("I1", "C1", "2026-03-02", None), "crossed_in_mail");
    let firm_later = heard(invoice("I2", "C1", "2026-03-20", None), "personal_note_from_head");
    let facts = ConversationFacts::read(&[friendly.clone(), firm_later], &[]);
    assert_eq!(facts.tone_on(day("2026-03-02")), None, "nothing overdue yet");
    assert_eq!(
        facts.tone_on(day("2026-03-10")),
        Some(Tone::Friendly),
        "only I1 is overdue"
    );
    assert_eq!(facts.tone_on(day("2026-03-21")), Some(Tone::Firm));
    // The invoice that set the tone was paid: the last message's tone holds while I1 is still owed.
    let facts = ConversationFacts::read(std::slice::from_ref(&friendly), &[sent(Tone::Urgent, "2026-03-09")]);
    assert_eq!(facts.tone_on(day("2026-03-10")), Some(Tone::Urgent));
    // A thank-you, or a message that never arrived, sets no tone.
    let mut thanks = sent(Tone::Final, "2026-03-11");
    thanks.stage_id = crate::policy::THANK_YOU_STAGE.into();
    let mut bounced = sent(Tone::Final, "2026-03-12");
    bounced.status = ReminderStatus::Undelivered;
    let facts = ConversationFacts::read(
        std::slice::from_ref(&friendly),
        &[sent(Tone::Direct, "2026-03-09"), thanks, bounced],
    );
    assert_eq!(facts.last_message_tone, Some(Tone::Direct));
    // Nothing in escalation: no conversation, whatever was said before.
    let facts = ConversationFacts::read(&[], &[sent(Tone::Final, "2026-03-09")]);
    assert_eq!(facts.tone_on(day("2026-03-10")), None);
}

#[test]
fn only_a_stage_at_least_the_conversations_tone_leads() {
    assert!(leads(Tone::Courteous, None));
    assert!(!leads(Tone::Courteous, Some(Tone::Firm)));
    assert!(!leads(Tone::Direct, Some(Tone::Firm)));
    assert!(leads(Tone::Firm, Some(Tone::Firm)));
    assert!(leads(Tone::Urgent, Some(Tone::Firm)));
}

#[test]
fn a_newly_due_invoice_rides_along_in_the_next_message_instead_of_starting_its_own_ladder() {
    // GIVEN A, 21 days overdue, got the head's personal note; B falls due on 2026-03-30.
    let a = heard(invoice("A", "C1", "2026-03-02", None), "personal_note_from_head");
    let b = invoice("B", "C1", "2026-03-30", None);
    let last = sent(Tone::Firm, "2026-03-23");
    // WHEN the pass plans B's due day THEN nothing goes out: B would be a courteous "due today".
    let quiet = plan_for(
        "2026-03-30",
        std::slice::from_ref(&b),
        &[a.clone(), b.clone()],
        std::slice::from_ref(&last),
    );
    assert!(quiet.reminders.is_empty(), "{quiet:?}");
    // WHEN A's next stage (escalation, 35 days) falls due THEN one message at that stage covers both, B at
    // its own stage.
    let next = plan_for(
        "2026-04-06",
        &[a.clone(), b.clone()],
        &[a.clone(), b.clone()],
        std::slice::from_ref(&last),
    );
    let [message] = next.reminders.as_slice() else {
        panic!("one message: {next:?}");
    };
    assert_eq!(Policy::default_policy().stages[message.stage_index].id, "escalation_cc");
    let stages: Vec<(&str, &str)> = message
        .covers
        .iter()
        .map(|covered| (covered.invoice_id.0.as_str(), covered.stage_id.as_str()))
        .collect();
    assert_eq!(stages, [("A", "escalation_cc"), ("B", "crossed_in_mail")]);
    // Positive control: with A paid the conversation has ended, and B starts at the courteous beginning.
    let mut paid = a.clone();
    paid.paid = paid.total;
    let fresh = plan_for("2026-03-30", std::slice::from_ref(&b), &[paid, b.clone()], &[last]);
    let [message] = fresh.reminders.as_slice() else {
        panic!("B's own reminder: {fresh:?}");
    };
    assert_eq!(Policy::default_policy().stages[message.stage_index].id, "due_today");
}

#[test]
fn an_invoice_left_behind_climbs_to_the_conversations_tone_on_its_own_calendar() {
    // GIVEN the urgent message went out about an invoice since paid; C, due 2026-03-02, had only the
    // friendly note and is still owed.
    let c = heard(invoice("C", "C1", "2026-03-02", None), "crossed_in_mail");
    let last = sent(Tone::Urgent, "2026-03-09");
    // WHEN C's direct stage falls due THEN it waits: direct would fall back from urgent.
    let waits = plan_for(
        "2026-03-12",
        std::slice::from_ref(&c),
        std::slice::from_ref(&c),
        std::slice::from_ref(&last),
    );
    assert!(waits.reminders.is_empty(), "{waits:?}");
    // WHEN its calendar reaches an urgent stage THEN it goes there at once, not one step at a time.
    let climbs = plan_for(
        "2026-04-06",
        std::slice::from_ref(&c),
        std::slice::from_ref(&c),
        &[last],
    );
    let [message] = climbs.reminders.as_slice() else {
        panic!("one message: {climbs:?}");
    };
    assert_eq!(Policy::default_policy().stages[message.stage_index].id, "escalation_cc");
}

#[test]
fn an_invoice_resuming_after_a_hold_climbs_with_the_conversation() {
    // GIVEN C heard only "due today" (it rode along in firm messages), then a promise held it; the hold is
    // over and the conversation stands at firm
    let mut c = heard(invoice("C", "C1", "2026-03-02", None), "due_today");
    c.bookkeeping.hold = Some(crate::invoice::AnswerHold {
        answer: "ans_p".into(),
        kind: "promise".into(),
        since: day("2026-03-05"),
        until: Some(day("2026-03-20")),
        until_corrected: false,
        lifted: false,
    });
    let last = sent(Tone::Firm, "2026-03-04");
    assert!(c.bookkeeping.hold.as_ref().unwrap().resumes_gently(&c.dunning));
    // WHEN its calendar reaches the personal note THEN it leads at once, rather than resuming gently at a
    // stage that would only ride along, for ever
    let climbs = plan_for(
        "2026-03-23",
        std::slice::from_ref(&c),
        std::slice::from_ref(&c),
        std::slice::from_ref(&last),
    );
    let [message] = climbs.reminders.as_slice() else {
        panic!("one message: {climbs:?}");
    };
    assert_eq!(
        Policy::default_policy().stages[message.stage_index].id,
        "personal_note_from_head"
    );
    // Positive control: with no conversation live, the hold's gentle resumption stands.
    let alone = plan_for("2026-03-23", std::slice::from_ref(&c), &[], &[]);
    assert_eq!(
        Policy::default_policy().stages[alone.reminders[0].stage_index].id,
        "crossed_in_mail"
    );
}
