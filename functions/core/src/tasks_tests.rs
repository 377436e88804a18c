use super::*;
use crate::answer::{AnswerKind, DisputeCategory};
use crate::fixtures::{answer, customer, day, instant, invoice, reminder};

fn paid(on: &str) -> AnswerKind {
    AnswerKind::AlreadyPaid {
        paid_on: day(on),
        amount: Some("100.00".parse().unwrap()),
        reference: Some("TX-9".into()),
    }
}

#[test]
fn the_inbox_holds_answers_manual_tasks_and_failures_oldest_first_with_their_actions() {
    // GIVEN a claimed payment, a dispute, a manual task, a draft that is a message, and a failed send
    let customers = [customer("C1"), customer("C2")];
    let invoices = [
        invoice("I1", "C1", "2026-03-01", None),
        invoice("I2", "C2", "2026-03-01", None),
    ];
    let names = Names::new(&customers, &invoices);
    let claim = answer("C1", "f1", &["I1"], paid("2026-03-11"), "2026-03-12");
    let dispute = answer(
        "C2",
        "f2",
        &["I2"],
        AnswerKind::Dispute {
            category: DisputeCategory::MissingPo,
            text: "No PO on it".into(),
        },
        "2026-03-09",
    );
    let promise = answer(
        "C2",
        "f3",
        &["I2"],
        AnswerKind::Promise {
            pay_by: day("2026-03-20"),
        },
        "2026-03-09",
    );
    let manual = reminder("C1", "call_ap", &["I1"], ReminderStatus::PendingApproval);
    let mut message = reminder("C2", "friendly", &["I2"], ReminderStatus::PendingApproval);
    message.draft = Some(crate::reminder::Draft {
        context: serde_json::from_str(include_str!("../../../render-wasm/tests/fixtures/en-full.json")).unwrap(),
        content_hash: "h".into(),
    });
    let mut failed = reminder("C2", "firm", &["I2"], ReminderStatus::Sending);
    failed.draft = message.draft.clone();
    failed.failure = Some("mailbox unknown".into());
    failed
        .transition(ReminderStatus::Failed, instant("2026-03-11"), &Actor::System, None)
        .unwrap();
    // WHEN the inbox is made
    let tasks = inbox(
        &[claim, dispute, promise],
        &[manual.clone(), message],
        &[failed],
        &names,
    );
    // THEN each task is there once, oldest first, with the actions that fit it; the promise and the message are not
    let seen: Vec<(&str, TaskKind, Vec<&str>)> = tasks
        .iter()
        .map(|task| {
            (
                task.topic.as_str(),
                task.kind,
                task.actions.iter().map(|action| action.as_str()).collect(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("dispute", TaskKind::Answer, vec!["uphold_dispute", "reject_dispute"]),
            ("call_ap", TaskKind::Manual, vec!["done"]),
            ("firm", TaskKind::Failed, vec!["went_out", "not_sent"]),
            (
                "already_paid",
                TaskKind::Answer,
                vec!["confirm_payment", "reject_payment"]
            ),
        ]
    );
    assert_eq!(tasks[0].customer_name, "Customer C2");
    assert_eq!(tasks[0].invoices, ["INV-I2"]);
    assert_eq!(tasks[0].text, "missing_po: No PO on it");
    assert_eq!(tasks[1].text, "Call them");
    assert_eq!(tasks[2].text, "mailbox unknown");
    assert_eq!(tasks[2].since, instant("2026-03-11"));
    assert_eq!(tasks[3].text, "paid on 2026-03-11, 100.00, reference TX-9");
    assert!(tasks.iter().all(|task| task.done.is_none()));
}

#[test]
fn a_done_task_says_who_did_what_when_and_offers_nothing_more() {
    let names = Names::new(&[], &[]);
    let mut claim = answer("C1", "f1", &["I1"], paid("2026-03-11"), "2026-03-12");
    claim
        .settle(
            AnswerState::Rejected,
            Actor::person("alice"),
            instant("2026-03-13"),
            Some("not in the bank".into()),
        )
        .unwrap();
    let task = answer_task(&claim, &names);
    assert!(task.actions.is_empty());
    assert_eq!(
        task.done,
        Some(TaskDone {
            by: Actor::person("alice"),
            at: instant("2026-03-13"),
            outcome: "rejected".into(),
            note: Some("not in the bank".into()),
        })
    );
    // Unknown names fall back to the ids.
    assert_eq!(task.customer_name, "C1");
    assert_eq!(task.invoices, ["I1"]);

    let mut manual = reminder("C1", "call_ap", &["I1"], ReminderStatus::Planned);
    manual
        .transition(
            ReminderStatus::PendingApproval,
            instant("2026-03-10"),
            &Actor::System,
            None,
        )
        .unwrap();
    manual
        .transition(
            ReminderStatus::Approved,
            instant("2026-03-14"),
            &Actor::person("bo"),
            None,
        )
        .unwrap();
    let task = reminder_task(&manual, &names).unwrap();
    assert!(task.actions.is_empty());
    let done = task.done.unwrap();
    assert_eq!(
        (done.by, done.at, done.outcome.as_str()),
        (Actor::person("bo"), instant("2026-03-14"), "done")
    );
}

#[test]
fn actions_read_from_their_names_and_refuse_others_naming_them() {
    for action in TaskAction::ALL {
        assert_eq!(action.as_str().parse::<TaskAction>(), Ok(action));
    }
    assert_eq!("went-out".parse::<TaskAction>(), Ok(TaskAction::WentOut));
    let error = "approve".parse::<TaskAction>().unwrap_err();
    assert!(
        error.contains("`approve`") && error.contains("confirm_payment"),
        "{error}"
    );
    assert!(TaskAction::RejectDispute.needs_reason());
    assert!(!TaskAction::Done.needs_reason());
}

#[test]
fn the_ladders_last_task_offers_the_decisions_and_other_manual_tasks_do_not() {
    let policy = crate::Policy::default_policy();
    let names = Names::new(&[], &[]).deciding_at(crate::last_step::decision_stage(&policy));
    let last = reminder("C1", "write_off_or_hand_over", &["I1"], ReminderStatus::PendingApproval);
    let task = reminder_task(&last, &names).unwrap();
    assert_eq!(task.kind, TaskKind::Decision);
    let offered: Vec<&str> = task.actions.iter().map(|action| action.as_str()).collect();
    assert_eq!(offered, ["write_off", "hand_over", "agree_plan", "keep_chasing"]);
    // Positive control: another manual task of the same ladder is done, not decided.
    let call = reminder(
        "C1",
        "personal_note_from_head",
        &["I1"],
        ReminderStatus::PendingApproval,
    );
    assert_eq!(reminder_task(&call, &names).unwrap().actions, [TaskAction::Done]);
    // Without knowing the policy the last task is a plain manual one.
    assert_eq!(
        reminder_task(&last, &Names::new(&[], &[])).unwrap().kind,
        TaskKind::Manual
    );
}
