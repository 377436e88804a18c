//! Each send-time rule, on records built by the real planner and composer.

use super::*;
use crate::actor::Actor;
use crate::compose::draft_reminder;
use crate::customer::Pause;
use crate::fixtures::{customer, day, invoice};
use crate::planner::{CustomerHistory, plan};
use crate::policy::Policy;
use chrono::TimeZone;

const HOURS: Option<BusinessHours> = Some(BusinessHours {
    from_hour: 9,
    to_hour: 17,
});

/// Monday 2026-03-16, `hour`:00 UTC. New York is UTC−4 that day.
fn monday(hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 16, hour, 0, 0).unwrap()
}

/// The auto-approved `due_today` reminder the pass drafts for C1's invoice I1 at 10:00 New York time, with
/// that invoice and customer.
fn due_today() -> (Reminder, Customer, Vec<Invoice>) {
    let policy = Policy::default_policy();
    let customer = customer("C1");
    let mut invoice = invoice("I1", "C1", "2026-03-16", Some("2026-03-16"));
    invoice.dunning.last_stage = Some("upcoming_due".into());
    let customers = [(customer.id.clone(), customer.clone())].into();
    let history = [(customer.id.clone(), CustomerHistory::default())].into();
    let plan = plan(
        monday(14),
        &policy,
        &customers,
        std::slice::from_ref(&invoice),
        &history,
    );
    let planned = &plan.reminders[0];
    let reminder = draft_reminder(&policy, planned, &customer, &[&invoice], &[], monday(14)).unwrap();
    assert_eq!(reminder.stage_id, "due_today");
    assert_eq!(reminder.status, ReminderStatus::Approved, "the stage is auto-approved");
    (reminder, customer, vec![invoice])
}

fn cancelled(verdict: Verdict) -> String {
    match verdict {
        Verdict::Cancel(reason) => reason,
        other => panic!("expected a cancel, got {other:?}"),
    }
}

#[test]
fn an_approved_message_on_its_day_goes_out_as_approved() {
    let (reminder, customer, invoices) = due_today();
    let Verdict::Send { email, local_date } = verdict(&reminder, &customer, &invoices, monday(15), HOURS).unwrap()
    else {
        panic!("expected a send")
    };
    assert_eq!(local_date, day("2026-03-16"));
    assert_eq!(email.idempotency_key, reminder.id.0);
    assert_eq!(email.to, reminder.draft.as_ref().unwrap().context.to);
    assert!(email.tags.contains(&("reminder".to_owned(), reminder.id.0.clone())));
}

#[test]
fn outside_business_hours_or_at_the_weekend_it_waits() {
    let (reminder, customer, invoices) = due_today();
    // 08:00 in New York; 17:00 is already past the window.
    assert_eq!(
        verdict(&reminder, &customer, &invoices, monday(12), HOURS).unwrap(),
        Verdict::Wait
    );
    assert_eq!(
        verdict(&reminder, &customer, &invoices, monday(21), HOURS).unwrap(),
        Verdict::Wait
    );
    let saturday = Utc.with_ymd_and_hms(2026, 3, 21, 15, 0, 0).unwrap();
    assert_eq!(
        verdict(&reminder, &customer, &invoices, saturday, HOURS).unwrap(),
        Verdict::Wait
    );
    // Without a window it is judged at any hour.
    assert!(matches!(
        verdict(&reminder, &customer, &invoices, monday(12), None).unwrap(),
        Verdict::Send { .. }
    ));
}

#[test]
fn a_settled_changed_moved_or_missing_invoice_cancels_it() {
    let (reminder, customer, invoices) = due_today();
    let judge = |invoices: &[Invoice]| cancelled(verdict(&reminder, &customer, invoices, monday(15), HOURS).unwrap());
    let mut paid = invoices.clone();
    paid[0].paid = paid[0].total;
    paid[0].status = InvoiceStatus::Paid;
    assert_eq!(judge(&paid), "invoice INV-I1 is now paid");
    let mut part_paid = invoices.clone();
    part_paid[0].paid = "10.00".parse().unwrap();
    assert_eq!(
        judge(&part_paid),
        "the balance of invoice INV-I1 changed since the draft"
    );
    let mut moved = invoices.clone();
    moved[0].customer_id = crate::customer::CustomerId("C2".into());
    assert_eq!(judge(&moved), "invoice INV-I1 now belongs to customer C2");
    assert_eq!(judge(&[]), "invoice I1 no longer exists");
}

#[test]
fn a_paused_customer_gets_nothing_but_a_thank_you() {
    let (reminder, mut customer, invoices) = due_today();
    customer.pause = Some(Pause {
        until: None,
        reason: None,
    });
    assert_eq!(
        cancelled(verdict(&reminder, &customer, &invoices, monday(15), HOURS).unwrap()),
        "the customer is paused"
    );
    // A pause that ended yesterday no longer holds.
    customer.pause = Some(Pause {
        until: Some(day("2026-03-15")),
        reason: None,
    });
    assert!(matches!(
        verdict(&reminder, &customer, &invoices, monday(15), HOURS).unwrap(),
        Verdict::Send { .. }
    ));
}

#[test]
fn an_auto_approved_message_goes_stale_overnight_but_a_persons_approval_does_not() {
    let (mut reminder, customer, invoices) = due_today();
    let tuesday = monday(15) + Duration::days(1);
    assert_eq!(
        cancelled(verdict(&reminder, &customer, &invoices, tuesday, HOURS).unwrap()),
        "planned for 2026-03-16, not sent that day"
    );
    // Someone whose name happens to be the system's is still a person.
    reminder.approval.as_mut().unwrap().by = Actor::person("kindly");
    assert!(matches!(
        verdict(&reminder, &customer, &invoices, tuesday, HOURS).unwrap(),
        Verdict::Send { .. }
    ));
}

#[test]
fn content_other_than_approved_is_never_sent() {
    let (mut reminder, customer, invoices) = due_today();
    reminder.draft.as_mut().unwrap().context.personal_note = Some("added after approval".into());
    assert_eq!(
        cancelled(verdict(&reminder, &customer, &invoices, monday(15), HOURS).unwrap()),
        "the message no longer renders to the approved content"
    );
}

#[test]
fn a_task_is_done_by_its_approval() {
    let (mut reminder, customer, invoices) = due_today();
    reminder.draft = None;
    assert_eq!(
        verdict(&reminder, &customer, &invoices, monday(15), HOURS).unwrap(),
        Verdict::TaskDone {
            local_date: day("2026-03-16")
        }
    );
}

#[test]
fn a_write_between_the_reads_is_seen() {
    let (_, _, invoices) = due_today();
    assert_eq!(changed_since(&invoices, &invoices), None);
    let mut written = invoices.clone();
    written[0].bookkeeping.revision += 1;
    assert!(changed_since(&invoices, &written).is_some());
    assert!(
        changed_since(&invoices, &[]).is_some(),
        "a vanished invoice is a change"
    );
}

#[test]
fn a_claim_is_stale_after_a_quarter_of_an_hour() {
    let (mut reminder, _, _) = due_today();
    assert!(
        !is_stale_claim(&reminder, monday(20)),
        "only a claimed reminder can be stale"
    );
    reminder
        .transition(ReminderStatus::Sending, monday(15), &Actor::System, None)
        .unwrap();
    assert!(!is_stale_claim(&reminder, monday(15) + STALE_CLAIM));
    assert!(is_stale_claim(
        &reminder,
        monday(15) + STALE_CLAIM + Duration::seconds(1)
    ));
}

#[test]
fn an_answer_given_after_the_draft_stops_it_until_the_hold_ends() {
    let (reminder, customer, mut invoices) = due_today();
    invoices[0].bookkeeping.hold = Some(crate::invoice::AnswerHold {
        answer: "ans_1".into(),
        kind: "promise".into(),
        since: day("2026-03-13"),
        until: Some(day("2026-03-20")),
        until_corrected: false,
        lifted: false,
    });
    let reason = cancelled(verdict(&reminder, &customer, &invoices, monday(15), HOURS).unwrap());
    assert!(reason.contains("answer (promise)"), "{reason}");
    // A hold that ended no longer stops it.
    invoices[0].bookkeeping.hold.as_mut().unwrap().until = Some(day("2026-03-15"));
    assert!(matches!(
        verdict(&reminder, &customer, &invoices, monday(15), HOURS).unwrap(),
        Verdict::Send { .. }
    ));
}

/// C1's invoice of 1,000.00 on 2/10, issued Monday 2 March 2026 (deadline Thursday 12 March), and its
/// discount note drafted for Tuesday 10 March.
fn discount_note() -> (Reminder, Customer, Invoice) {
    let policy = Policy::default_policy();
    let customer = customer("C1");
    let invoice = Invoice {
        total: "1000.00".parse().unwrap(),
        issue_date: day("2026-03-02"),
        early_payment: Some(crate::customer::DiscountTerms {
            percent: "2".parse().unwrap(),
            within_days: 10,
        }),
        ..invoice("I1", "C1", "2026-04-01", None)
    };
    let at = Utc.with_ymd_and_hms(2026, 3, 10, 14, 0, 0).unwrap();
    let note = crate::discount_note::note(&policy, &customer, &invoice, day("2026-03-10"), at)
        .unwrap()
        .unwrap();
    (note, customer, invoice)
}

#[test]
fn a_discount_note_goes_out_only_while_its_discount_is_open() {
    let (note, customer, invoice) = discount_note();
    let tuesday = Utc.with_ymd_and_hms(2026, 3, 10, 15, 0, 0).unwrap();
    assert!(matches!(
        verdict(&note, &customer, std::slice::from_ref(&invoice), tuesday, HOURS).unwrap(),
        Verdict::Send { .. }
    ));
    // Settled with the discount meanwhile: not sent.
    let mut paid = invoice.clone();
    paid.paid = "980.00".parse().unwrap();
    crate::discount::settle(&mut paid, customer.calendar(), day("2026-03-10"));
    let reason = cancelled(verdict(&note, &customer, &[paid], tuesday, HOURS).unwrap());
    assert!(reason.contains("is now paid"), "{reason}");
    // Held by a promise made meanwhile: not sent.
    let mut promised = invoice.clone();
    promised.bookkeeping.hold = Some(crate::invoice::AnswerHold {
        answer: "ans_1".into(),
        kind: "promise".into(),
        since: day("2026-03-10"),
        until: Some(day("2026-03-20")),
        until_corrected: false,
        lifted: false,
    });
    let reason = cancelled(verdict(&note, &customer, &[promised], tuesday, HOURS).unwrap());
    assert!(reason.contains("waits on the customer's answer"), "{reason}");
    // A note approved by a person and sent after the deadline: not sent.
    let mut late = note.clone();
    late.approval.as_mut().unwrap().by = Actor::person("alice");
    let friday = Utc.with_ymd_and_hms(2026, 3, 13, 15, 0, 0).unwrap();
    let reason = cancelled(verdict(&late, &customer, std::slice::from_ref(&invoice), friday, HOURS).unwrap());
    assert!(
        reason.contains("discount on invoice INV-I1 is no longer open"),
        "{reason}"
    );
}
