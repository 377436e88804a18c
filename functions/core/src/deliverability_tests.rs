use super::*;
use crate::compose::{Said, compose_reminder, covered_at};
use crate::feedback::BouncedRecipient;
use crate::fixtures::{customer, day, instant, invoice};
use crate::standing::BlockedBecause;

fn policy() -> Policy {
    Policy::default_policy()
}

/// Customer C1's message at `stage` about I1, sent on `sent_on`, to its billing contact(s).
fn sent(customer: &Customer, stage: &str, sent_on: &str) -> Reminder {
    let policy = policy();
    let stage = policy.stages.iter().find(|s| s.id == stage).unwrap().clone();
    let owed = invoice("I1", "C1", "2026-03-10", None);
    let covers = covered_at(&stage, &[&owed]);
    let mut reminder = compose_reminder(
        &policy,
        &stage,
        customer,
        &[&owed],
        covers,
        day(sent_on),
        instant(sent_on),
        Said::default(),
    )
    .unwrap();
    reminder.status = ReminderStatus::Sent;
    reminder.sent_on = Some(day(sent_on));
    reminder
}

fn event(id: &str, kind: MailEventKind) -> MailEvent {
    MailEvent {
        event_id: id.into(),
        reminder: None,
        at: instant("2026-03-12"),
        kind,
    }
}

fn bounce(bounce: BounceKind, email: &str) -> MailEventKind {
    MailEventKind::Bounced {
        bounce,
        recipients: vec![BouncedRecipient {
            email: email.into(),
            status: Some("5.1.1".into()),
            diagnostic: Some("smtp; 550 5.1.1 user unknown".into()),
        }],
    }
}

fn two_contacts() -> Customer {
    let mut customer = customer("C1");
    let mut second = customer.billing_contacts[0].clone();
    second.email = "second@c1.example".into();
    customer.billing_contacts.push(second);
    customer
}

#[test]
fn a_hard_bounce_blocks_the_address_and_the_message_reached_nobody() {
    let customer = customer("C1");
    let reminder = sent(&customer, "due_today", "2026-03-10");
    let effect = effect_of(
        &policy(),
        &event("e1", bounce(BounceKind::Permanent, "AP@c1.example")),
        &reminder,
        &customer,
    );
    let changed = effect.customer.expect("the contact is marked");
    let contact = &changed.billing_contacts[0];
    assert!(contact.bounced);
    let blocked = contact.standing.blocked.as_ref().unwrap();
    assert_eq!(blocked.why, BlockedBecause::Bounced);
    assert_eq!(blocked.diagnostic.as_deref(), Some("smtp; 550 5.1.1 user unknown"));
    let note = effect.undelivered.expect("undelivered");
    assert!(
        note.contains("ap@c1.example") || note.contains("AP@c1.example"),
        "{note}"
    );
    assert!(note.contains("550 5.1.1"), "{note}");
}

#[test]
fn the_same_bounce_again_still_finds_the_message_undelivered_and_changes_no_address() {
    let customer = customer("C1");
    let reminder = sent(&customer, "due_today", "2026-03-10");
    let once = effect_of(
        &policy(),
        &event("e1", bounce(BounceKind::Permanent, "ap@c1.example")),
        &reminder,
        &customer,
    );
    let marked = once.customer.unwrap();
    let again = effect_of(
        &policy(),
        &event("e1", bounce(BounceKind::Permanent, "ap@c1.example")),
        &reminder,
        &marked,
    );
    assert_eq!(again.customer, None);
    assert!(again.undelivered.is_some());
}

#[test]
fn a_bounce_for_one_of_two_addresses_leaves_the_message_delivered() {
    let customer = two_contacts();
    let reminder = sent(&customer, "due_today", "2026-03-10");
    let effect = effect_of(
        &policy(),
        &event("e1", bounce(BounceKind::Suppressed, "second@c1.example")),
        &reminder,
        &customer,
    );
    let changed = effect.customer.unwrap();
    assert!(!changed.billing_contacts[0].bounced && changed.billing_contacts[1].bounced);
    assert_eq!(effect.undelivered, None);
    assert!(effect.note.unwrap().contains("suppression list"));
}

#[test]
fn transient_bounces_count_until_the_limit_then_act_as_a_hard_one() {
    let mut customer = customer("C1");
    let reminder = sent(&customer, "due_today", "2026-03-10");
    for (index, id) in ["t1", "t2", "t3"].into_iter().enumerate() {
        let effect = effect_of(
            &policy(),
            &event(id, bounce(BounceKind::Transient, "ap@c1.example")),
            &reminder,
            &customer,
        );
        customer = effect.customer.expect("the bounce is counted");
        let last = index == 2;
        assert_eq!(customer.billing_contacts[0].bounced, last, "after {id}");
        assert_eq!(effect.undelivered.is_some(), last, "after {id}");
    }
}

#[test]
fn a_complaint_blocks_the_address_but_the_message_arrived() {
    let customer = customer("C1");
    let reminder = sent(&customer, "due_today", "2026-03-10");
    let kind = MailEventKind::Complained {
        recipients: vec!["ap@c1.example".into()],
        feedback_type: Some("abuse".into()),
    };
    let effect = effect_of(&policy(), &event("c1", kind), &reminder, &customer);
    let changed = effect.customer.unwrap();
    assert_eq!(
        changed.billing_contacts[0].standing.blocked.as_ref().unwrap().why,
        BlockedBecause::Complained
    );
    assert_eq!(effect.undelivered, None);
}

#[test]
fn a_delivery_and_a_delay_are_history_lines_only() {
    let customer = customer("C1");
    let reminder = sent(&customer, "due_today", "2026-03-10");
    let delivered = effect_of(
        &policy(),
        &event(
            "d1",
            MailEventKind::Delivered {
                recipients: vec!["ap@c1.example".into()],
            },
        ),
        &reminder,
        &customer,
    );
    assert_eq!(delivered.customer, None);
    assert_eq!(
        delivered.note.as_deref(),
        Some("delivered to ap@c1.example at 2026-03-12 09:00 UTC")
    );
    let rejected = effect_of(
        &policy(),
        &event(
            "r1",
            MailEventKind::Rejected {
                reason: "Bad content".into(),
            },
        ),
        &reminder,
        &customer,
    );
    assert!(rejected.undelivered.unwrap().contains("Bad content"));
}

#[test]
fn an_undelivered_stage_no_longer_counts_as_said() {
    let policy = policy();
    let customer = customer("C1");
    let earlier = sent(&customer, "due_today", "2026-03-10");
    let bounced = sent(&customer, "crossed_in_mail", "2026-03-13");
    let mut owed = invoice("I1", "C1", "2026-03-10", None);
    owed.dunning.last_stage = Some("crossed_in_mail".into());
    owed.dunning.last_reminded_on = Some(day("2026-03-13"));
    let progress = progress_without(&policy, &bounced, &[owed.clone()], &[earlier.clone(), bounced.clone()]);
    let (id, dunning) = &progress[0];
    assert_eq!(id, &owed.id);
    assert_eq!(dunning.last_stage.as_deref(), Some("due_today"));
    assert_eq!(dunning.last_reminded_on, Some(day("2026-03-10")));
    let crossed = policy.stages.iter().find(|s| s.id == "crossed_in_mail").unwrap();
    assert_eq!(
        dunning.next_action_on,
        Some(Policy::stage_date(
            crossed,
            owed.due_date,
            crate::calendar::Calendar::WEEKDAYS
        )),
        "the stage is due again"
    );
    // With nothing earlier on record (the ladder's start came before kindly), back to the stage before
    let alone = progress_without(
        &policy,
        &bounced,
        std::slice::from_ref(&owed),
        std::slice::from_ref(&bounced),
    );
    assert_eq!(alone[0].1.last_stage.as_deref(), Some("due_today"));
    assert_eq!(alone[0].1.last_reminded_on, None);
    let mut first = owed.clone();
    first.dunning.last_stage = Some("upcoming_due".into());
    let courtesy = sent(&customer, "upcoming_due", "2026-03-05");
    assert_eq!(
        progress_without(&policy, &courtesy, &[first], &[])
            .first()
            .unwrap()
            .1
            .last_stage,
        None
    );
    // A stage staff skipped after the last one sent stays decided: back to it, with the sent one's day
    let mut skipped = sent(&customer, "crossed_in_mail", "2026-03-12");
    skipped.status = ReminderStatus::Skipped;
    skipped.sent_on = None;
    let mut beyond = owed.clone();
    beyond.dunning.last_stage = Some("overdue_direct".into());
    let direct = sent(&customer, "overdue_direct", "2026-03-16");
    let progress = progress_without(&policy, &direct, &[beyond], &[earlier.clone(), skipped, direct.clone()]);
    assert_eq!(progress[0].1.last_stage.as_deref(), Some("crossed_in_mail"));
    assert_eq!(progress[0].1.last_reminded_on, Some(day("2026-03-10")));
    // An invoice a later stage went out for since is left alone
    let mut moved_on = owed;
    moved_on.dunning.last_stage = Some("overdue_direct".into());
    assert!(progress_without(&policy, &bounced, &[moved_on], &[earlier, bounced.clone()]).is_empty());
}
