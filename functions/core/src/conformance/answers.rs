//! Customers' answers on every store: recorded once, listed by key, and steering the ladder — a promise
//! holds it and a broken one resumes it saying so, a claimed payment waits for staff, a rejected dispute
//! resumes gently, a new contact is never written to before a person confirms it.

use crate::answer::{AnswerKind, AnswerState, DisputeCategory};
use crate::fixtures::{after_friendly_stages, day, instant, invoice};
use crate::invoice::{InvoiceId, InvoiceStatus};
use crate::policy::Policy;
use crate::ports::Store;
use crate::reminder::{Reminder, ReminderId};
use crate::service::{AnswerForm, Answered, Decision, record_answer, run_pass, settle_answer};
use crate::status::ReminderStatus;
use crate::{CoreError, CustomerId};

/// Customer `id` owing `I-{id}` with its next stage drafted on 2026-03-12, waiting for approval.
async fn owing_with_draft<S: Store>(store: &S, _policy: &Policy, id: &str) -> Reminder {
    super::changes::waiting_draft(store, id).await
}

/// `draft`'s customer answers `kind` through its link, with the form's one-time value `nonce`.
pub(super) async fn answer<S: Store>(
    store: &S,
    policy: &Policy,
    draft: &Reminder,
    kind: AnswerKind,
    nonce: &str,
    at: &str,
) -> Result<Answered, CoreError> {
    let id = draft.customer_id.0.as_str();
    record_answer(
        store,
        policy,
        &draft.customer_id,
        &draft.id,
        form(id, kind, nonce),
        instant(at),
    )
    .await
}

fn form(id: &str, kind: AnswerKind, nonce: &str) -> AnswerForm {
    AnswerForm {
        invoices: if matches!(kind, AnswerKind::WrongPerson { .. }) {
            Vec::new()
        } else {
            vec![InvoiceId(format!("I-{id}"))]
        },
        kind,
        form: nonce.into(),
    }
}

async fn reminders_of<S: Store>(store: &S, id: &str) -> Vec<Reminder> {
    store.reminders_of_customer(&CustomerId(id.into())).await.unwrap()
}

pub async fn a_promise_holds_the_ladder_and_a_broken_one_resumes_it_saying_so<S: Store>(store: &S) {
    let policy = Policy::default_policy();
    let draft = owing_with_draft(store, &policy, "P").await;
    let promise = AnswerKind::Promise {
        pay_by: day("2026-03-20"),
    };
    let answered = answer(store, &policy, &draft, promise, "f1", "2026-03-12")
        .await
        .unwrap();
    let Answered::New(answer) = answered else {
        panic!("a new answer")
    };
    // The draft waits, the acknowledgement goes out once, the eve note is planned for Thursday the 19th.
    let all = reminders_of(store, "P").await;
    let status = |id: &ReminderId| all.iter().find(|r| r.id == *id).map(|r| r.status);
    assert_eq!(status(&draft.id), Some(ReminderStatus::Cancelled));
    let ack = all.iter().find(|r| r.is_acknowledgement()).expect("an acknowledgement");
    assert_eq!(ack.status, ReminderStatus::Approved);
    assert_eq!(answer.acknowledgement.as_ref(), Some(&ack.id));
    let said = ack.draft.as_ref().unwrap().context.answer.as_ref().unwrap();
    assert_eq!(
        (said.kind.as_str(), said.day.as_deref()),
        ("promise", Some("March 20, 2026"))
    );
    let eve = all.iter().find(|r| r.is_promise_eve()).expect("an eve note");
    assert_eq!(
        (eve.planned_for, eve.status),
        (day("2026-03-19"), ReminderStatus::Approved)
    );
    // WHILE the promise holds, passes leave the invoice alone
    let held = run_pass(store, &policy, instant("2026-03-18"), false).await.unwrap();
    assert!(
        held.entries.iter().all(|entry| entry.customer_id.0 != "P"),
        "{:?}",
        held.entries
    );
    // AFTER the day passed unpaid, the ladder resumes and the message refers to the promise
    let resumed = run_pass(store, &policy, instant("2026-03-23"), false).await.unwrap();
    let entry = resumed
        .entries
        .iter()
        .find(|entry| entry.customer_id.0 == "P")
        .expect("resumed");
    let message = store.reminder(&entry.reminder_id).await.unwrap().unwrap();
    let earlier = &message.draft.as_ref().unwrap().context.earlier_answers;
    assert_eq!(earlier.len(), 1, "{earlier:?}");
    assert_eq!(
        (earlier[0].kind.as_str(), earlier[0].state.as_str()),
        ("promise", "broken")
    );
    let stored = store.answer(&answer.id).await.unwrap().unwrap();
    assert_eq!(stored.state, AnswerState::Broken);
}

pub async fn a_claimed_payment_waits_for_staff_who_confirm_it_paid<S: Store>(store: &S) {
    let policy = Policy::default_policy();
    let draft = owing_with_draft(store, &policy, "Q").await;
    let paid = AnswerKind::AlreadyPaid {
        paid_on: day("2026-03-11"),
        amount: None,
        reference: Some("TR-77".into()),
    };
    let answered = answer(store, &policy, &draft, paid, "f1", "2026-03-12").await.unwrap();
    let tasks = store.answers_needing_staff().await.unwrap();
    assert_eq!(tasks.iter().map(|a| &a.id).collect::<Vec<_>>(), [&answered.answer().id]);
    // A decision that does not fit changes nothing
    let wrong = settle_answer(
        store,
        &policy,
        &answered.answer().id,
        Decision::ConfirmContact,
        "sam",
        instant("2026-03-13"),
    )
    .await;
    assert!(
        matches!(wrong, Err(CoreError::InvalidField { field: "decision", .. })),
        "{wrong:?}"
    );
    let settled = settle_answer(
        store,
        &policy,
        &answered.answer().id,
        Decision::ConfirmPayment,
        "sam",
        instant("2026-03-13"),
    )
    .await
    .unwrap();
    assert_eq!(settled.state, AnswerState::Confirmed);
    let invoice = store.invoice(&InvoiceId("I-Q".into())).await.unwrap().unwrap();
    assert_eq!(
        (invoice.status, invoice.balance()),
        (InvoiceStatus::Paid, rust_decimal::Decimal::ZERO)
    );
    assert!(
        reminders_of(store, "Q").await.iter().any(|r| r.is_thank_you()),
        "thanked"
    );
    assert!(store.answers_needing_staff().await.unwrap().is_empty());
    // The accounting system's copy, not yet knowing the payment, does not reopen it
    let stale = after_friendly_stages(invoice_of("Q"));
    crate::service::ingest_invoice(store, &policy, &stale, instant("2026-03-14"))
        .await
        .unwrap();
    let after = store.invoice(&InvoiceId("I-Q".into())).await.unwrap().unwrap();
    assert_eq!(after.status, InvoiceStatus::Paid);
}

fn invoice_of(id: &str) -> crate::Invoice {
    invoice(&format!("I-{id}"), id, "2026-03-01", None)
}

/// Customer `id`, owing with a draft waiting, disputes the amount on 2026-03-12.
async fn disputing<S: Store>(store: &S, policy: &Policy, id: &str) -> (Reminder, Answered) {
    let draft = owing_with_draft(store, policy, id).await;
    let dispute = AnswerKind::Dispute {
        category: DisputeCategory::Amount,
        text: "We ordered 2, not 3.".into(),
    };
    let answered = answer(store, policy, &draft, dispute, "f1", "2026-03-12")
        .await
        .unwrap();
    (draft, answered)
}

pub async fn a_rejected_dispute_resumes_the_ladder_gently_with_the_reason<S: Store>(store: &S) {
    let policy = Policy::default_policy();
    let (draft, answered) = disputing(store, &policy, "D").await;
    let later = run_pass(store, &policy, instant("2026-04-20"), false).await.unwrap();
    assert!(
        later.entries.iter().all(|entry| entry.customer_id.0 != "D"),
        "disputed: nothing"
    );
    let empty = Decision::RejectDispute { reason: " ".into() };
    let refused = settle_answer(
        store,
        &policy,
        &answered.answer().id,
        empty,
        "sam",
        instant("2026-04-20"),
    )
    .await;
    assert!(
        matches!(refused, Err(CoreError::InvalidField { field: "reason", .. })),
        "{refused:?}"
    );
    let reject = Decision::RejectDispute {
        reason: "Our delivery note of 2 March shows 3 signed for.".into(),
    };
    settle_answer(
        store,
        &policy,
        &answered.answer().id,
        reject,
        "sam",
        instant("2026-04-20"),
    )
    .await
    .unwrap();
    // The next stage not yet said, however far the calendar went, and it gives the reason.
    let resumed = reminders_of(store, "D").await;
    let next = resumed
        .iter()
        .find(|r| r.status.is_open() && !r.is_off_ladder())
        .expect("the ladder resumed");
    assert_eq!(next.stage_id, draft.stage_id);
    let earlier = &next.draft.as_ref().unwrap().context.earlier_answers;
    assert_eq!(
        earlier[0].reason.as_deref(),
        Some("Our delivery note of 2 March shows 3 signed for.")
    );
}

pub async fn a_new_contact_is_never_written_to_before_staff_confirm_it<S: Store>(store: &S) {
    let policy = Policy::default_policy();
    let draft = owing_with_draft(store, &policy, "W").await;
    let wrong = AnswerKind::WrongPerson {
        name: Some("Robin Payables".into()),
        email: "robin@w.example".into(),
    };
    let answered = answer(store, &policy, &draft, wrong, "f1", "2026-03-12").await.unwrap();
    let to_new = |reminders: &[Reminder]| {
        reminders.iter().any(|r| {
            r.draft
                .as_ref()
                .is_some_and(|d| d.context.to.iter().any(|m| m.email == "robin@w.example"))
        })
    };
    let pass = run_pass(store, &policy, instant("2026-03-16"), false).await.unwrap();
    assert!(pass.entries.iter().all(|entry| entry.customer_id.0 != "W"));
    assert!(
        !to_new(&reminders_of(store, "W").await),
        "nothing to the new address yet"
    );
    settle_answer(
        store,
        &policy,
        &answered.answer().id,
        Decision::ConfirmContact,
        "sam",
        instant("2026-03-16"),
    )
    .await
    .unwrap();
    assert!(to_new(&reminders_of(store, "W").await), "written to once confirmed");
}

pub async fn an_answer_sent_twice_is_recorded_once_and_a_flood_is_refused<S: Store>(store: &S) {
    let mut policy = Policy::default_policy();
    policy.answers.per_customer_per_day = 2;
    let draft = owing_with_draft(store, &policy, "T").await;
    let receipt = || AnswerKind::ConfirmReceipt { scheduled_for: None };
    let first = answer(store, &policy, &draft, receipt(), "f1", "2026-03-12")
        .await
        .unwrap();
    let again = answer(store, &policy, &draft, receipt(), "f1", "2026-03-12")
        .await
        .unwrap();
    assert!(matches!(first, Answered::New(_)) && matches!(again, Answered::Again(_)));
    let acks = || async {
        reminders_of(store, "T")
            .await
            .into_iter()
            .filter(|r| r.is_acknowledgement())
            .count()
    };
    assert_eq!(acks().await, 1);
    answer(store, &policy, &draft, receipt(), "f2", "2026-03-12")
        .await
        .unwrap();
    let third = answer(store, &policy, &draft, receipt(), "f3", "2026-03-12").await;
    assert!(matches!(third, Err(CoreError::TooMany(_))), "{third:?}");
    assert_eq!(store.answers_of_customer(&draft.customer_id).await.unwrap().len(), 2);
    // Answers from any customer are listed by time, not by scanning
    let since = store.answers_since(instant("2026-03-11")).await.unwrap();
    assert_eq!(since.len(), 2);
    assert!(store.answers_since(instant("2026-03-13")).await.unwrap().is_empty());
    // A form recorded before is answered again once its invoice is paid (a retry of a call that failed
    // after storing it), not refused as about an invoice no longer open
    let mut paid = store.invoice(&InvoiceId("I-T".into())).await.unwrap().unwrap();
    paid.paid = paid.total;
    paid.status = InvoiceStatus::Paid;
    crate::service::ingest_invoice(store, &policy, &paid, instant("2026-03-13"))
        .await
        .unwrap();
    let before = acks().await;
    let late = answer(store, &policy, &draft, receipt(), "f1", "2026-03-13").await;
    assert!(matches!(late, Ok(Answered::Again(_))), "{late:?}");
    assert_eq!(acks().await, before, "acknowledged once");
    // Positive control: a new form about the paid invoice is refused
    let new = answer(store, &policy, &draft, receipt(), "f4", "2026-03-14").await;
    assert!(matches!(new, Err(CoreError::InvalidField { .. })), "{new:?}");
}

pub async fn a_broken_promise_resumes_with_the_stage_not_yet_said<S: Store>(store: &S) {
    let policy = Policy::default_policy();
    // Only the courtesy note before the due date (2026-03-20) went out; the customer promises the 24th.
    crate::service::ingest_customer(store, &policy, &crate::fixtures::customer("G"), instant("2026-03-16"))
        .await
        .unwrap();
    let mut open = invoice("I-G", "G", "2026-03-20", None);
    open.dunning.last_stage = Some("upcoming_due".into());
    open.dunning.last_tone = Some(crate::Tone::Courteous);
    open.dunning.last_reminded_on = Some(day("2026-03-15"));
    crate::service::ingest_invoice(store, &policy, &open, instant("2026-03-16"))
        .await
        .unwrap();
    let via = ReminderId("rem_courtesy".into());
    let promise = form(
        "G",
        AnswerKind::Promise {
            pay_by: day("2026-03-24"),
        },
        "f1",
    );
    record_answer(store, &policy, &open.customer_id, &via, promise, instant("2026-03-16"))
        .await
        .unwrap();
    // The 25th: "due today" and "crossed in the mail" have both come; the first not yet said comes first.
    let pass = run_pass(store, &policy, instant("2026-03-25"), false).await.unwrap();
    let entry = pass
        .entries
        .iter()
        .find(|entry| entry.customer_id.0 == "G")
        .expect("resumed");
    assert_eq!(entry.stage_id, "due_today");
}

/// A promise is judged on the customer's own day, not on the day the next message could go out: a pass on
/// Friday evening, whose messages go out on Monday, leaves a promise to pay by Sunday open, and a payment
/// on Sunday keeps it.
pub async fn a_promise_is_not_broken_before_its_day_is_over<S: Store>(store: &S) {
    let mut policy = Policy::default_policy();
    policy.sending_hours = Some(crate::service::BusinessHours {
        from_hour: 9,
        to_hour: 17,
    });
    let draft = owing_with_draft(store, &policy, "S").await;
    let promise = AnswerKind::Promise {
        pay_by: day("2026-03-15"),
    };
    let answered = answer(store, &policy, &draft, promise, "f1", "2026-03-12")
        .await
        .unwrap();
    // WHEN a pass runs on Friday 13 March at 19:00 in New York, its messages going out on Monday
    let friday_evening = instant("2026-03-13") + chrono::Duration::hours(14);
    run_pass(store, &policy, friday_evening, false).await.unwrap();
    // THEN the promise to pay by Sunday still stands
    let stored = store.answer(&answered.answer().id).await.unwrap().unwrap();
    assert_eq!(stored.state, AnswerState::Open, "{:?}", stored.settled);
    // AND paying on Sunday keeps it
    let mut paid = after_friendly_stages(invoice_of("S"));
    paid.paid = paid.total;
    paid.status = InvoiceStatus::Paid;
    crate::service::ingest_invoice(store, &policy, &paid, instant("2026-03-15"))
        .await
        .unwrap();
    let stored = store.answer(&answered.answer().id).await.unwrap().unwrap();
    assert_eq!(stored.state, AnswerState::Kept, "{:?}", stored.settled);
}

/// An upheld dispute holds the ladder until the accounting system sends the invoice corrected: a part
/// payment meanwhile changes the invoice but corrects nothing, and the ladder stays quiet.
pub async fn an_upheld_dispute_holds_through_a_part_payment_until_the_corrected_invoice<S: Store>(store: &S) {
    let policy = Policy::default_policy();
    let (_, answered) = disputing(store, &policy, "U").await;
    let uphold = Decision::UpholdDispute { note: None };
    settle_answer(
        store,
        &policy,
        &answered.answer().id,
        uphold,
        "sam",
        instant("2026-03-13"),
    )
    .await
    .unwrap();
    let resumed = |pass: crate::service::PassOutcome| pass.entries.iter().any(|entry| entry.customer_id.0 == "U");
    // WHEN the customer pays the part they agree with, and the accounting system sends that
    let mut part_paid = after_friendly_stages(invoice_of("U"));
    part_paid.paid = "40.00".parse().unwrap();
    crate::service::ingest_invoice(store, &policy, &part_paid, instant("2026-03-16"))
        .await
        .unwrap();
    // THEN the ladder stays quiet
    let pass = run_pass(store, &policy, instant("2026-03-20"), false).await.unwrap();
    assert!(!resumed(pass), "a part payment is no corrected invoice");
    // WHEN the corrected invoice arrives, the ladder resumes for what is still owed
    let mut corrected = part_paid.clone();
    corrected.total = "66.00".parse().unwrap();
    crate::service::ingest_invoice(store, &policy, &corrected, instant("2026-03-23"))
        .await
        .unwrap();
    let pass = run_pass(store, &policy, instant("2026-03-24"), false).await.unwrap();
    assert!(resumed(pass), "the corrected invoice ends the hold");
}

/// A promise still in its days outlives another answer staff reject: the customer promised to pay by
/// Monday, then said they had paid (a longer hold); staff find no money, and the ladder still waits for
/// Monday.
pub async fn a_promise_still_holds_when_a_later_claim_is_rejected<S: Store>(store: &S) {
    let policy = Policy::default_policy();
    let draft = owing_with_draft(store, &policy, "R").await;
    let promise = AnswerKind::Promise {
        pay_by: day("2026-03-16"),
    };
    answer(store, &policy, &draft, promise, "f1", "2026-03-12")
        .await
        .unwrap();
    let paid = AnswerKind::AlreadyPaid {
        paid_on: day("2026-03-12"),
        amount: None,
        reference: None,
    };
    let claim = answer(store, &policy, &draft, paid, "f2", "2026-03-13").await.unwrap();
    let reject = Decision::RejectPayment {
        reason: "Nothing has reached us.".into(),
    };
    settle_answer(store, &policy, &claim.answer().id, reject, "sam", instant("2026-03-13"))
        .await
        .unwrap();
    let waiting = |reminders: Vec<Reminder>| reminders.iter().any(|r| r.status.is_open() && !r.is_off_ladder());
    assert!(
        !waiting(reminders_of(store, "R").await),
        "nothing drafted while the promise holds"
    );
    run_pass(store, &policy, instant("2026-03-16"), false).await.unwrap();
    assert!(
        !waiting(reminders_of(store, "R").await),
        "the promise holds through Monday"
    );
    run_pass(store, &policy, instant("2026-03-17"), false).await.unwrap();
    assert!(
        waiting(reminders_of(store, "R").await),
        "the ladder resumes after the promised day"
    );
}

pub async fn a_payment_staff_confirm_is_paid_even_under_a_later_promise<S: Store>(store: &S) {
    let policy = Policy::default_policy();
    let draft = owing_with_draft(store, &policy, "S").await;
    let paid = AnswerKind::AlreadyPaid {
        paid_on: day("2026-03-11"),
        amount: None,
        reference: Some("TR-91".into()),
    };
    let claim = answer(store, &policy, &draft, paid, "f1", "2026-03-12").await.unwrap();
    // A promise given next, about the same invoice, holds it now
    let promise = AnswerKind::Promise {
        pay_by: day("2026-03-20"),
    };
    let promised = answer(store, &policy, &draft, promise, "f2", "2026-03-13")
        .await
        .unwrap();
    let held = store.invoice(&InvoiceId("I-S".into())).await.unwrap().unwrap();
    assert_eq!(
        held.bookkeeping.hold.as_ref().map(|hold| hold.answer.as_str()),
        Some(promised.answer().id.0.as_str())
    );
    // Staff confirm the claimed payment: the invoice is paid, whichever answer held it
    settle_answer(
        store,
        &policy,
        &claim.answer().id,
        Decision::ConfirmPayment,
        "sam",
        instant("2026-03-13"),
    )
    .await
    .unwrap();
    let invoice = store.invoice(&InvoiceId("I-S".into())).await.unwrap().unwrap();
    assert_eq!(
        (invoice.status, invoice.balance()),
        (InvoiceStatus::Paid, rust_decimal::Decimal::ZERO)
    );
    assert!(
        reminders_of(store, "S").await.iter().any(|r| r.is_thank_you()),
        "thanked"
    );
    // The promise is kept by the facts on the next pass, and nothing more is asked
    run_pass(store, &policy, instant("2026-03-21"), false).await.unwrap();
    let kept = store.answer(&promised.answer().id).await.unwrap().unwrap();
    assert_eq!(kept.state, AnswerState::Kept);
    let waiting = reminders_of(store, "S")
        .await
        .iter()
        .any(|r| r.status.is_open() && !r.is_off_ladder());
    assert!(!waiting, "no reminder about a paid invoice");
}

pub async fn an_acknowledgement_that_did_not_go_out_is_sent_once_staff_say_so<S: Store>(store: &S) {
    let policy = Policy::default_policy();
    let draft = owing_with_draft(store, &policy, "AK").await;
    let promise = AnswerKind::Promise {
        pay_by: day("2026-03-20"),
    };
    answer(store, &policy, &draft, promise, "f1", "2026-03-12")
        .await
        .unwrap();
    let ack = reminders_of(store, "AK")
        .await
        .into_iter()
        .find(|r| r.is_acknowledgement())
        .expect("an acknowledgement");
    // GIVEN its send timed out after the request left: failed, for a person to check
    let unknown = super::meddling::CountingMailer {
        unknown_outcome: true,
        ..Default::default()
    };
    crate::service::send_approved(store, &unknown, &policy, instant("2026-03-12"))
        .await
        .unwrap();
    let failed = store.reminder(&ack.id).await.unwrap().unwrap();
    assert_eq!(failed.status, ReminderStatus::Failed);
    // WHEN staff find it did not go out
    let resolved = crate::service::resolve(
        store,
        &policy,
        &ack.id,
        "pat",
        crate::service::Resolution::NotSent,
        None,
        instant("2026-03-13"),
    )
    .await
    .unwrap();
    // THEN it is queued again as approved (no pass would plan it), and the next send run says it, once
    assert_eq!(resolved.status, ReminderStatus::Approved);
    assert_eq!(resolved.failure, None);
    let mailer = super::meddling::CountingMailer::default();
    crate::service::send_approved(store, &mailer, &policy, instant("2026-03-13"))
        .await
        .unwrap();
    crate::service::send_approved(store, &mailer, &policy, instant("2026-03-13"))
        .await
        .unwrap();
    let sent = mailer.sent.lock().unwrap().clone();
    let acks: Vec<_> = sent
        .iter()
        .filter(|email| email.idempotency_key == ack.send_key())
        .collect();
    assert_eq!(acks.len(), 1, "{sent:?}");
    let stored = store.reminder(&ack.id).await.unwrap().unwrap();
    assert_eq!(stored.status, ReminderStatus::Sent);
}
