use super::*;
use crate::actor::Actor;
use crate::answer::{AnswerKind, AnswerState};
use crate::fixtures::{answer, day, instant, invoice};

fn promise_by(by: &str, on: &str) -> Answer {
    answer("C1", "form-1", &["I1"], AnswerKind::Promise { pay_by: day(by) }, on)
}

fn last_reminded(on: &str) -> Invoice {
    let mut invoice = invoice("I1", "C1", "2026-12-08", None);
    invoice.dunning.last_reminded_on = Some(day(on));
    invoice
}

fn referred(answer: &Answer, invoice: &Invoice) -> bool {
    !earlier_answers(std::slice::from_ref(answer), &[invoice], "en-US").is_empty()
}

#[test]
fn a_broken_promise_is_news_for_the_next_message_even_if_given_the_local_day_before_the_last() {
    // Given on the customer's 2 December, after a message the schedule dated 3 December
    let mut promise = promise_by("2026-12-09", "2026-12-02");
    let before = last_reminded("2026-12-03");
    promise
        .settle(AnswerState::Broken, Actor::System, instant("2026-12-10"), None)
        .unwrap();
    assert!(
        referred(&promise, &before),
        "the first message after it broke refers to it"
    );
    // Once a message went out after it broke, the next one does not repeat it
    assert!(!referred(&promise, &last_reminded("2026-12-13")));
}

#[test]
fn an_open_answer_older_than_the_last_message_is_not_repeated() {
    let claim = answer(
        "C1",
        "form-2",
        &["I1"],
        AnswerKind::AlreadyPaid {
            paid_on: day("2026-12-01"),
            amount: None,
            reference: None,
        },
        "2026-12-02",
    );
    assert!(
        referred(&claim, &last_reminded("2026-12-02")),
        "the same day counts as since"
    );
    assert!(!referred(&claim, &last_reminded("2026-12-05")));
}
