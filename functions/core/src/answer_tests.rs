use super::*;
use crate::calendar::Calendar;
use crate::fixtures::instant;

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

fn policy() -> Policy {
    Policy::default_policy()
}

fn field_of(error: CoreError) -> &'static str {
    match error {
        CoreError::InvalidField { field, .. } => field,
        other => panic!("expected a field error, got {other}"),
    }
}

fn answer(kind: AnswerKind, today: &str) -> Answer {
    new_answer(
        &policy(),
        &CustomerId("C1".into()),
        &ReminderId("rem_1".into()),
        "form-1",
        vec![InvoiceId("I1".into())],
        kind,
        instant(today),
        day(today),
        Calendar::WEEKDAYS,
    )
    .unwrap()
}

#[test]
fn the_same_form_is_the_same_answer_and_another_form_is_not() {
    let customer = CustomerId("C1".into());
    let via = ReminderId("rem_1".into());
    assert_eq!(
        AnswerId::for_form(&customer, &via, "a"),
        AnswerId::for_form(&customer, &via, "a")
    );
    assert_ne!(
        AnswerId::for_form(&customer, &via, "a"),
        AnswerId::for_form(&customer, &via, "b")
    );
    assert_ne!(
        AnswerId::for_form(&customer, &via, "a"),
        AnswerId::for_form(&CustomerId("C2".into()), &via, "a")
    );
}

#[test]
fn bad_answers_name_their_field() {
    let policy = policy();
    let today = day("2026-03-10");
    let cases = [
        (
            AnswerKind::AlreadyPaid {
                paid_on: day("2026-03-11"),
                amount: None,
                reference: None,
            },
            "paid_on",
        ),
        (
            AnswerKind::AlreadyPaid {
                paid_on: day("2026-03-09"),
                amount: Some(Decimal::ZERO),
                reference: None,
            },
            "amount",
        ),
        (
            AnswerKind::Dispute {
                category: DisputeCategory::Amount,
                text: "  ".into(),
            },
            "text",
        ),
        (
            AnswerKind::Dispute {
                category: DisputeCategory::Other,
                text: "x".repeat(limits::ANSWER_TEXT + 1),
            },
            "text",
        ),
        (
            AnswerKind::Promise {
                pay_by: day("2026-03-09"),
            },
            "pay_by",
        ),
        (
            AnswerKind::Promise {
                pay_by: day("2026-04-10"),
            },
            "pay_by",
        ),
        (
            AnswerKind::WrongPerson {
                name: None,
                email: "not an address".into(),
            },
            "email",
        ),
        (
            AnswerKind::ConfirmReceipt {
                scheduled_for: Some(day("2026-05-01")),
            },
            "scheduled_for",
        ),
    ];
    for (kind, field) in cases {
        assert_eq!(field_of(check(&policy, &kind, today).unwrap_err()), field, "{kind:?}");
    }
    assert!(
        check(
            &policy,
            &AnswerKind::Promise {
                pay_by: day("2026-04-09")
            },
            today
        )
        .is_ok()
    );
}

#[test]
fn holds_last_as_the_answer_asks() {
    // Tuesday 2026-03-10: five business days on is Tuesday 2026-03-17.
    let paid = answer(
        AnswerKind::AlreadyPaid {
            paid_on: day("2026-03-09"),
            amount: None,
            reference: Some("TR-1".into()),
        },
        "2026-03-10",
    );
    assert_eq!(paid.hold_until, Some(day("2026-03-17")));
    assert!(paid.holds_on(day("2026-03-17")) && !paid.holds_on(day("2026-03-18")));
    assert!(paid.needs_staff());
    let promise = answer(
        AnswerKind::Promise {
            pay_by: day("2026-03-20"),
        },
        "2026-03-10",
    );
    assert_eq!(promise.hold_until, Some(day("2026-03-20")));
    assert!(!promise.needs_staff());
    let dispute = answer(
        AnswerKind::Dispute {
            category: DisputeCategory::MissingPo,
            text: "No PO".into(),
        },
        "2026-03-10",
    );
    assert!(dispute.hold_until.is_none() && dispute.holds_on(day("2027-01-01")) && dispute.needs_staff());
    let receipt = answer(AnswerKind::ConfirmReceipt { scheduled_for: None }, "2026-03-10");
    assert_eq!(receipt.state, AnswerState::Confirmed);
    assert!(!receipt.holds_on(day("2026-03-10")));
}

#[test]
fn a_promise_is_kept_by_paying_in_time_and_broken_by_its_day_passing() {
    let promise = answer(
        AnswerKind::Promise {
            pay_by: day("2026-03-20"),
        },
        "2026-03-10",
    );
    assert_eq!(promise_outcome(&promise, true, day("2026-03-20")), None);
    assert_eq!(
        promise_outcome(&promise, true, day("2026-03-21")),
        Some(AnswerState::Broken)
    );
    assert_eq!(
        promise_outcome(&promise, false, day("2026-03-19")),
        Some(AnswerState::Kept)
    );
    assert_eq!(
        promise_outcome(&promise, false, day("2026-03-23")),
        Some(AnswerState::Broken)
    );
}

#[test]
fn only_an_open_answer_is_settled_and_only_once() {
    let mut dispute = answer(
        AnswerKind::Dispute {
            category: DisputeCategory::Amount,
            text: "Too much".into(),
        },
        "2026-03-10",
    );
    dispute
        .settle(
            AnswerState::Confirmed,
            Actor::person("sam"),
            instant("2026-03-11"),
            None,
        )
        .unwrap();
    // An upheld dispute still holds until the corrected invoice arrives, and may still be rejected.
    assert!(dispute.holds_on(day("2026-06-01")) && !dispute.needs_staff());
    dispute
        .settle(
            AnswerState::Rejected,
            Actor::person("sam"),
            instant("2026-03-12"),
            Some("No".into()),
        )
        .unwrap();
    assert!(!dispute.holds_on(day("2026-03-12")));
    let again = dispute.settle(
        AnswerState::Confirmed,
        Actor::person("sam"),
        instant("2026-03-13"),
        None,
    );
    assert!(matches!(again, Err(CoreError::Conflict(_))));
    assert_eq!(dispute.revision, 2);
}

#[test]
fn a_claimed_payment_holds_for_business_days_in_the_customers_calendar() {
    let policy = policy();
    let claim = AnswerKind::AlreadyPaid {
        paid_on: day("2026-12-23"),
        amount: None,
        reference: None,
    };
    let days = policy.answers.payment_claim_days;
    // Claimed on Thursday 2026-12-24: in England the 25th is Christmas, the 28th the Boxing Day holiday in
    // lieu, so each business day of the hold ends later than on a plain Monday-to-Friday calendar.
    let gb = Calendar::of(Some(crate::holidays::Country::from_code("GB").unwrap()));
    let plain = hold_until(&policy, &claim, day("2026-12-24"), Calendar::WEEKDAYS).unwrap();
    let english = hold_until(&policy, &claim, day("2026-12-24"), gb).unwrap();
    assert_eq!(
        plain,
        Calendar::WEEKDAYS.add_business_days(day("2026-12-24"), days as i32)
    );
    assert_eq!(english, gb.add_business_days(day("2026-12-24"), days as i32));
    assert_eq!(gb.after(day("2026-12-24")), day("2026-12-29"));
    assert!(english > plain, "{english} after {plain}");
}
