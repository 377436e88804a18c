use super::*;
use crate::answer::{AnswerKind, AnswerState};
use crate::fixtures::{answer, day, instant, invoice, reminder};
use crate::invoice::InFlight;
use crate::reminder::{ApprovalRecord, Draft};

fn sent_message(stage: &str, on: &str) -> Reminder {
    let mut message = reminder("C1", stage, &["I1"], ReminderStatus::Sending);
    message.draft = Some(Draft {
        context: serde_json::from_str(include_str!("../../../render-wasm/tests/fixtures/en-full.json")).unwrap(),
        content_hash: "h".into(),
    });
    message.approval = Some(ApprovalRecord {
        by: Actor::person("riley"),
        at: instant(on),
        content_hash: "h".into(),
    });
    message
        .transition(ReminderStatus::Sent, instant(on), &Actor::System, None)
        .unwrap();
    message
}

#[test]
fn one_list_newest_first_of_messages_answers_tasks_payments_and_notes() {
    // GIVEN a message sent on the 2nd, a claim on the 5th settled on the 6th, a skip with a reason on the
    // 7th, a manual task done on the 8th, a payment pending on the 9th and a thank-you on the 10th
    let message = sent_message("friendly", "2026-03-02");
    let mut claim = answer(
        "C1",
        "f1",
        &["I1"],
        AnswerKind::AlreadyPaid {
            paid_on: day("2026-03-04"),
            amount: None,
            reference: None,
        },
        "2026-03-05",
    );
    claim
        .settle(
            AnswerState::Confirmed,
            Actor::person("alice"),
            instant("2026-03-06"),
            None,
        )
        .unwrap();
    let mut skipped = reminder("C1", "firm", &["I1"], ReminderStatus::PendingApproval);
    skipped.draft = message.draft.clone();
    skipped
        .transition(
            ReminderStatus::Skipped,
            instant("2026-03-07"),
            &Actor::person("bo"),
            Some("called them".into()),
        )
        .unwrap();
    let mut manual = reminder("C1", "call_ap", &["I1"], ReminderStatus::PendingApproval);
    manual.created_at = instant("2026-03-07") + chrono::Duration::hours(1);
    manual
        .transition(
            ReminderStatus::Approved,
            instant("2026-03-08"),
            &Actor::person("bo"),
            None,
        )
        .unwrap();
    let mut thanks = reminder("C1", crate::policy::THANK_YOU_STAGE, &["I1"], ReminderStatus::Approved);
    thanks.created_at = instant("2026-03-10");
    thanks.draft = skipped.draft.clone();
    let mut paid = invoice("I1", "C1", "2026-03-01", None);
    paid.bookkeeping.payments_in_flight.insert(
        "pi_1".into(),
        InFlight {
            at: instant("2026-03-09"),
            pending: true,
        },
    );
    // WHEN the timeline is made
    let entries = timeline(&[message, skipped, manual, thanks], &[claim], &[paid]);
    // THEN everything is there, newest first
    let seen: Vec<(EntryKind, &str, &str)> = entries
        .iter()
        .map(|entry| (entry.kind, entry.title.as_str(), entry.text.as_str()))
        .collect();
    assert_eq!(
        seen,
        [
            (EntryKind::Payment, "paid", "paid in full: INV-I1"),
            (EntryKind::Payment, "payment pending", "pi_1 for INV-I1"),
            (EntryKind::Task, "call_ap", "Call them"),
            (EntryKind::Note, "firm skipped", "called them"),
            (EntryKind::Answer, "settled", "already_paid confirmed"),
            (EntryKind::Answer, "already_paid", "paid on 2026-03-04"),
            (
                EntryKind::Message,
                "friendly",
                "sent to jamie.lee@acme.example, ap@acme.example"
            ),
        ]
    );
    assert_eq!(entries[2].state.as_deref(), Some("done"));
    assert_eq!(entries[2].by, Some(Actor::person("bo")));
    assert_eq!(entries[4].by, Some(Actor::person("alice")));
    assert_eq!(entries[6].by, Some(Actor::person("riley")));
    assert!(entries.iter().all(|entry| entry.invoices == ["INV-I1"]));
}
