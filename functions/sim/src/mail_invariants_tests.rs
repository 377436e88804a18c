//! Each feedback invariant catches a deliberately broken history, and lets the sound one pass.

use super::*;
use kindly_core::reminder::Transition;
use kindly_core::{Contact, CustomerId, ReminderId, ReminderStatus};

fn at(text: &str) -> DateTime<Utc> {
    format!("{text}T10:00:00Z").parse().unwrap()
}

fn delivery(reminder: &str, to: &[&str], on: &str) -> Delivery {
    Delivery {
        step: 1,
        at: at(on),
        reminder: reminder.into(),
        stage: "overdue_direct".into(),
        customer: "C0001".into(),
        numbers: vec!["SIM-0001-00".into()],
        reported_failed: false,
        to: to.iter().map(|to| to.to_string()).collect(),
    }
}

fn customer(bounced: bool) -> Customer {
    Customer {
        id: CustomerId("C0001".into()),
        display_name: "Customer 1".into(),
        legal_name: "Customer 1 Ltd".into(),
        locale: "en-GB".into(),
        time_zone: chrono_tz::Europe::London,
        billing_contacts: vec![Contact {
            salutation: None,
            surname: None,
            name: None,
            email: "ap@c0001.example".into(),
            phone: None,
            bounced,
            standing: Default::default(),
        }],
        escalation_contact: None,
        pause: None,
        terms: Default::default(),
        country: None,
        business_hours: None,
    }
}

fn reminder(notes: &[&str]) -> Reminder {
    Reminder {
        id: ReminderId("rem_1".into()),
        customer_id: CustomerId("C0001".into()),
        stage_id: "overdue_direct".into(),
        tone: kindly_core::Tone::Courteous,
        covers: Vec::new(),
        status: ReminderStatus::Sent,
        planned_for: "2026-03-10".parse().unwrap(),
        created_at: at("2026-03-10"),
        draft: None,
        task: None,
        approval: None,
        sent_message_id: None,
        sent_on: None,
        failure: None,
        history: notes
            .iter()
            .map(|note| Transition {
                from: ReminderStatus::Sent,
                to: ReminderStatus::Sent,
                at: at("2026-03-11"),
                by: kindly_core::actor::Actor::System,
                note: Some(note.to_string()),
            })
            .collect(),
    }
}

fn blocked() -> BTreeSet<String> {
    BTreeSet::from(["ap@c0001.example".to_owned()])
}

#[test]
fn a_message_to_a_blocked_address_and_a_block_lost_are_caught() {
    let to_it = delivery("rem_2", &["bob@c0001.example", "AP@c0001.example"], "2026-03-12");
    assert_eq!(to_blocked(&to_it, &blocked()).len(), 1);
    assert_eq!(
        unblocked(&customer(false), &blocked()).len(),
        1,
        "a re-import unblocked it"
    );
    // Positive control: another address, and the block kept.
    assert!(to_blocked(&delivery("rem_2", &["new@c0001.example"], "2026-03-12"), &blocked()).is_empty());
    assert!(unblocked(&customer(true), &blocked()).is_empty());
}

#[test]
fn the_next_stage_before_the_undelivered_one_is_said_again_is_caught() {
    let number = |stage: usize| vec![("SIM-0001-00".to_owned(), stage)];
    let mut unsaid = Unsaid::default();
    assert!(unsaid.sent("rem_1", &number(1)).is_empty());
    assert!(unsaid.sent("rem_2", &number(2)).is_empty());
    unsaid.undelivered("rem_2", &number(2));
    let problems = unsaid.sent("rem_3", &number(3));
    assert_eq!(problems.len(), 1, "stage 3 while stage 2 is unsaid");
    // Positive control: stage 2 said again, then stage 3.
    let mut unsaid = Unsaid::default();
    unsaid.sent("rem_2", &number(2));
    unsaid.undelivered("rem_2", &number(2));
    assert!(unsaid.sent("rem_2", &number(2)).is_empty());
    assert!(unsaid.sent("rem_3", &number(3)).is_empty());
    // Or staff skip it when it is planned again.
    let mut unsaid = Unsaid::default();
    unsaid.sent("rem_2", &number(2));
    unsaid.undelivered("rem_2", &number(2));
    unsaid.decided(&number(1));
    assert_eq!(
        unsaid.sent("rem_3", &number(3)).len(),
        1,
        "another stage's skip decides nothing"
    );
    unsaid.decided(&number(2));
    assert!(unsaid.sent("rem_4", &number(4)).is_empty());
    // Nor does a stage that went out before kindly learned the earlier one did not arrive count.
    let mut unsaid = Unsaid::default();
    unsaid.sent("rem_2", &number(2));
    unsaid.sent("rem_3", &number(3));
    unsaid.undelivered("rem_2", &number(2));
    assert!(unsaid.sent("rem_4", &number(4)).is_empty());
}

#[test]
fn a_repeated_notification_that_changes_something_is_caught() {
    let before = Snapshot {
        reminder: Some(reminder(&["delivered to ap@c0001.example"])),
        customer: Some(customer(false)),
        invoices: Vec::new(),
        answers: Vec::new(),
    };
    let mut after = before.clone();
    after.customer = Some(customer(true));
    assert!(repeated_changed("ses-1", &before, &after).is_some());
    let mut after = before.clone();
    after.reminder = Some(reminder(&["delivered to ap@c0001.example", "x"]));
    assert!(repeated_changed("ses-1", &before, &after).is_some());
    // A reply heard again that records a second answer
    let mut after = before.clone();
    let reply = crate::reply_invariants::tests::person("ap@c0001.example");
    after.answers = vec![crate::reply_invariants::tests::answer(
        "ans_9",
        reply,
        "2026-03-11T10:00:00",
    )];
    assert!(repeated_changed("<reply-1@c0001.example>", &before, &after).is_some());
    assert_eq!(repeated_changed("ses-1", &before, &before.clone()), None);
}

#[test]
fn a_feedback_line_written_twice_is_caught() {
    let twice = reminder(&["bounced for now at 10:00", "bounced for now at 10:00"]);
    assert!(duplicated_line(&twice).is_some());
    assert_eq!(
        duplicated_line(&reminder(&["bounced for now at 10:00", "delivered"])),
        None
    );
}

#[test]
fn soft_bounces_counted_twice_or_forgotten_are_caught() {
    let window = Duration::days(14);
    let soft = |id: &str, on: &str| SoftBounce {
        event_id: id.into(),
        at: at(on),
    };
    let taken = vec![("e1".to_owned(), at("2026-03-01")), ("e2".to_owned(), at("2026-03-05"))];
    let sent: BTreeSet<String> = ["e1", "e2", "e3"].iter().map(|id| id.to_string()).collect();
    let twice = [
        soft("e1", "2026-03-01"),
        soft("e1", "2026-03-01"),
        soft("e2", "2026-03-05"),
    ];
    assert!(soft_bounces_exact("ap@x", &twice, &taken, &sent, window).is_some());
    let forgotten = [soft("e2", "2026-03-05")];
    assert!(soft_bounces_exact("ap@x", &forgotten, &taken, &sent, window).is_some());
    let stranger = [
        soft("e1", "2026-03-01"),
        soft("e2", "2026-03-05"),
        soft("zz", "2026-03-05"),
    ];
    assert!(soft_bounces_exact("ap@x", &stranger, &taken, &sent, window).is_some());
    // Positive control: each once; one in flight (e3) may already count; one out of the window is gone.
    let exact = [
        soft("e1", "2026-03-01"),
        soft("e2", "2026-03-05"),
        soft("e3", "2026-03-06"),
    ];
    assert_eq!(soft_bounces_exact("ap@x", &exact, &taken, &sent, window), None);
    let aged = [soft("e3", "2026-03-20")];
    assert_eq!(soft_bounces_exact("ap@x", &aged, &taken, &sent, window), None);
}

#[test]
fn a_fixed_stage_sent_twice_to_the_new_address_is_caught() {
    let covered = vec![("SIM-0001-00".to_owned(), "overdue_direct".to_owned())];
    let mut fixes = Fixes::default();
    fixes.fixed(&covered, "new@c0001.example", at("2026-03-12"));
    let resent = delivery("rem_1", &["new@c0001.example"], "2026-03-13");
    assert!(fixes.sent(&resent, &covered).is_empty(), "once is the point");
    assert_eq!(fixes.sent(&resent, &covered).len(), 1, "twice is caught");
    // Positive control: messages before the fix, or to another address, do not count.
    let mut fixes = Fixes::default();
    fixes.fixed(&covered, "new@c0001.example", at("2026-03-12"));
    assert!(
        fixes
            .sent(&delivery("rem_1", &["new@c0001.example"], "2026-03-11"), &covered)
            .is_empty()
    );
    assert!(
        fixes
            .sent(&delivery("rem_1", &["other@c0001.example"], "2026-03-13"), &covered)
            .is_empty()
    );
    assert!(fixes.sent(&resent, &covered).is_empty());
}

#[test]
fn each_plan_note_after_a_fix_is_its_own_message_but_a_note_sent_twice_is_caught() {
    let stage = kindly_core::policy::INSTALMENT_NOTE_STAGE;
    let covered = vec![("SIM-0001-00".to_owned(), stage.to_owned())];
    let mut fixes = Fixes::default();
    fixes.fixed(
        &per_message(&covered, stage, "rem_inst_a_1"),
        "new@c0001.example",
        at("2026-03-12"),
    );
    let first = delivery("rem_inst_a_1", &["new@c0001.example"], "2026-03-13");
    let next = delivery("rem_inst_a_2", &["new@c0001.example"], "2026-03-20");
    assert!(
        fixes
            .sent(&first, &per_message(&covered, stage, "rem_inst_a_1"))
            .is_empty()
    );
    assert!(
        fixes
            .sent(&next, &per_message(&covered, stage, "rem_inst_a_2"))
            .is_empty()
    );
    assert_eq!(
        fixes.sent(&first, &per_message(&covered, stage, "rem_inst_a_1")).len(),
        1
    );
    // A ladder stage stays keyed by the stage alone.
    assert_eq!(
        per_message(&[("X".into(), "due_today".into())], "due_today", "rem_1")[0].1,
        "due_today"
    );
}
