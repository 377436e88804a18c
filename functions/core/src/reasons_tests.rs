use super::*;
use crate::actor::Actor;
use crate::fixtures::{answer, day, instant, reminder};
use crate::status::ReminderStatus;

fn sent(customer: &str, stage: &str, on: &str) -> Reminder {
    let mut message = reminder(customer, stage, &["I1"], ReminderStatus::Sent);
    message.sent_on = Some(day(on));
    message
}

fn settled(mut answer: Answer, state: AnswerState) -> Answer {
    answer
        .settle(state, Actor::System, instant("2026-04-01"), None)
        .unwrap();
    answer
}

#[test]
fn counts_reasons_promises_and_the_wait_for_a_first_answer_per_month() {
    // GIVEN C1 reminded on 1 Feb, who promised on 5 Feb (kept) and disputed on 3 Mar; C2 reminded on 20 Feb,
    // who promised on 2 Mar (broken); C3 reminded on 1 Mar, who said "already paid" on 11 Mar; and C4, whose
    // first answer (in January) is before the period
    let answers = vec![
        settled(
            answer(
                "C1",
                "a",
                &["I1"],
                AnswerKind::Promise {
                    pay_by: day("2026-02-20"),
                },
                "2026-02-05",
            ),
            AnswerState::Kept,
        ),
        answer(
            "C1",
            "b",
            &["I1"],
            AnswerKind::Dispute {
                category: DisputeCategory::Amount,
                text: "too much".into(),
            },
            "2026-03-03",
        ),
        settled(
            answer(
                "C2",
                "c",
                &["I1"],
                AnswerKind::Promise {
                    pay_by: day("2026-03-09"),
                },
                "2026-03-02",
            ),
            AnswerState::Broken,
        ),
        answer(
            "C3",
            "d",
            &["I1"],
            AnswerKind::AlreadyPaid {
                paid_on: day("2026-03-10"),
                amount: None,
                reference: None,
            },
            "2026-03-11",
        ),
        answer(
            "C4",
            "e",
            &["I1"],
            AnswerKind::ConfirmReceipt { scheduled_for: None },
            "2026-01-15",
        ),
        answer(
            "C4",
            "f",
            &["I1"],
            AnswerKind::ConfirmReceipt { scheduled_for: None },
            "2026-03-15",
        ),
    ];
    let reminders = vec![
        sent("C1", "friendly", "2026-02-01"),
        sent("C2", "friendly", "2026-02-20"),
        sent("C3", "friendly", "2026-03-01"),
        // An acknowledgement is not what the customer answered to.
        sent("C3", crate::policy::ACKNOWLEDGEMENT_STAGE, "2026-02-01"),
        sent("C4", "friendly", "2026-01-02"),
    ];
    // WHEN the report covers February to April
    let report = reasons_report(&answers, &reminders, day("2026-02-01"), day("2026-04-10"));
    // THEN
    let months: Vec<&str> = report.months.iter().map(|month| month.month.as_str()).collect();
    assert_eq!(months, ["2026-02", "2026-03", "2026-04"]);
    let february = &report.months[0];
    assert_eq!(
        (february.promise, february.promises_kept, february.promises_broken),
        (1, 1, 0)
    );
    assert_eq!(february.first_answers, 1);
    assert_eq!(february.median_days_to_first_answer, Some(4.0));
    let march = &report.months[1];
    assert_eq!(march.disputes[&DisputeCategory::Amount], 1);
    assert_eq!(march.disputes[&DisputeCategory::Other], 0);
    assert_eq!((march.promise, march.already_paid, march.confirm_receipt), (1, 1, 1));
    assert_eq!((march.promises_kept, march.promises_broken), (0, 1));
    // C2 waited 10 days, C3 10 days; C1's first answer was in February, C4's in January.
    assert_eq!(march.first_answers, 2);
    assert_eq!(march.median_days_to_first_answer, Some(10.0));
    assert_eq!(report.months[2], empty_month("2026-04".into()));
    let customers: Vec<(&str, u32, u32)> = report
        .customers
        .iter()
        .map(|c| (c.customer_id.0.as_str(), c.kept, c.broken))
        .collect();
    assert_eq!(customers, [("C2", 0, 1), ("C1", 1, 0)]);
}

#[test]
fn medians_and_periods() {
    assert_eq!(median(&mut []), None);
    assert_eq!(median(&mut [5, 1, 3]), Some(3.0));
    assert_eq!(median(&mut [4, 1, 3, 10]), Some(3.5));
    assert_eq!(start_of_period(day("2026-03-17"), 3), day("2026-01-01"));
    assert_eq!(start_of_period(day("2026-03-17"), 1), day("2026-03-01"));
    assert_eq!(start_of_period(day("2026-03-17"), 0), day("2026-03-01"));
    assert_eq!(months(None), Ok(DEFAULT_MONTHS));
    assert_eq!(months(Some(36)), Ok(36));
    assert!(months(Some(0)).is_err() && months(Some(37)).unwrap_err().contains("1 to 36"));
}
