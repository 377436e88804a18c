//! The ladder's last step: staff write an invoice off, hand it over or keep chasing, and what follows.

use crate::error::CoreError;
use crate::fixtures::{customer, day, instant, invoice};
use crate::invoice::{Invoice, InvoiceId, InvoiceStatus, OutcomeKind};
use crate::ports::Store;
use crate::reminder::ReminderId;
use crate::service::{do_task, hand_over, ingest_customer, ingest_invoice, open_tasks, run_pass, write_off};
use crate::status::ReminderStatus;
use crate::tasks::{TaskAction, TaskKind};
use crate::tone::Tone;

/// An invoice of `customer` due on New Year's Day, its final notice sent on February 20th: the decision
/// falls due on March 2nd.
fn after_the_final_notice(id: &str, customer: &str) -> Invoice {
    let mut invoice = invoice(id, customer, "2026-01-01", None);
    invoice.dunning.last_stage = Some("final_notice".into());
    invoice.dunning.last_tone = Some(Tone::Final);
    invoice.dunning.last_reminded_on = Some(day("2026-02-20"));
    invoice
}

/// Customer `id` with one invoice after the final notice, and the pass of `on` that asks for the decision.
async fn a_decision_waits<S: Store>(store: &S, id: &str, on: &str) -> ReminderId {
    let policy = crate::Policy::default_policy();
    ingest_customer(store, &policy, &customer(id), instant(on))
        .await
        .unwrap();
    ingest_invoice(
        store,
        &policy,
        &after_the_final_notice(&format!("I-{id}"), id),
        instant(on),
    )
    .await
    .unwrap();
    let pass = run_pass(store, &policy, instant(on), false).await.unwrap();
    let entry = pass
        .entries
        .iter()
        .find(|entry| entry.customer_id.0 == id)
        .expect("the decision is planned");
    assert_eq!(
        (entry.stage_id.as_str(), entry.is_task),
        ("write_off_or_hand_over", true)
    );
    entry.reminder_id.clone()
}

async fn stored<S: Store>(store: &S, id: &str) -> Invoice {
    store.invoice(&InvoiceId(id.into())).await.unwrap().unwrap()
}

pub async fn the_last_step_writes_off_keeps_chasing_and_survives_the_accounting_copy<S: Store>(store: &S) {
    let policy = crate::Policy::default_policy();
    let task = a_decision_waits(store, "A", "2026-03-05").await;
    let inbox = open_tasks(store, &policy, instant("2026-03-05")).await.unwrap();
    let listed = inbox.open.iter().find(|t| t.id == task.0).expect("listed");
    assert_eq!(listed.kind, TaskKind::Decision);
    let decide = |action: TaskAction, reason: Option<&str>, until: Option<&str>, at: &str| {
        do_task(
            store,
            &policy,
            &task.0,
            action,
            reason.map(str::to_owned),
            None,
            until.map(day),
            "sam",
            instant(at),
        )
    };
    // Bad input names its field and changes nothing
    for (action, reason, until, field) in [
        (TaskAction::WriteOff, Some("   "), None, "reason"),
        (TaskAction::KeepChasing, None, Some("2026-03-01"), "until"),
        (TaskAction::KeepChasing, None, None, "until"),
        (TaskAction::WriteOff, Some("gone"), Some("2026-04-01"), "until"),
    ] {
        let refused = decide(action, reason, until, "2026-03-05").await;
        assert!(
            matches!(&refused, Err(CoreError::InvalidField { field: named, .. }) if *named == field),
            "{action}: {refused:?}"
        );
    }
    let still = store.reminder(&task).await.unwrap().unwrap();
    assert_eq!(still.status, ReminderStatus::PendingApproval);
    assert_eq!(stored(store, "I-A").await.status, InvoiceStatus::Open);

    // WHEN staff keep chasing until March 20th THEN nothing is asked before then, and the decision comes back then
    decide(
        TaskAction::KeepChasing,
        Some("They promised a call"),
        Some("2026-03-20"),
        "2026-03-05",
    )
    .await
    .unwrap();
    assert_eq!(
        stored(store, "I-A").await.dunning.snoozed_until,
        Some(day("2026-03-20"))
    );
    let quiet = run_pass(store, &policy, instant("2026-03-12"), false).await.unwrap();
    assert!(quiet.entries.is_empty(), "{:?}", quiet.entries);
    let back = run_pass(store, &policy, instant("2026-03-20"), false).await.unwrap();
    assert_eq!(back.entries.len(), 1);
    assert_eq!(back.entries[0].reminder_id, task, "the same decision, asked again");

    // WHEN staff write it off THEN it leaves the ladder with who, when and why, and the task is done
    let done = decide(TaskAction::WriteOff, Some("Company dissolved"), None, "2026-03-20")
        .await
        .unwrap();
    let by = done.done.as_ref().expect("done");
    assert_eq!(by.by.to_string(), "sam");
    assert_eq!(by.note.as_deref(), Some("written off: Company dissolved"));
    let off = stored(store, "I-A").await;
    assert_eq!(off.status, InvoiceStatus::WrittenOff);
    let outcome = off.bookkeeping.outcome.clone().unwrap();
    assert_eq!(
        (
            outcome.kind,
            outcome.reason.as_str(),
            outcome.by.to_string(),
            outcome.at
        ),
        (
            OutcomeKind::WrittenOff,
            "Company dissolved",
            "sam".to_owned(),
            instant("2026-03-20")
        )
    );
    assert!(
        store
            .invoices_needing_action(day("2026-12-31"))
            .await
            .unwrap()
            .is_empty()
    );
    let later = run_pass(store, &policy, instant("2026-04-20"), false).await.unwrap();
    assert!(later.entries.is_empty(), "{:?}", later.entries);
    // The same decision again changes nothing
    let again = write_off(store, &policy, &off.id, Some("again"), "kim", instant("2026-03-21"))
        .await
        .unwrap();
    assert_eq!(again, off);

    // WHEN the accounting system's copy still says open THEN kindly's decision stands
    ingest_invoice(
        store,
        &policy,
        &invoice("I-A", "A", "2026-01-01", None),
        instant("2026-03-22"),
    )
    .await
    .unwrap();
    assert_eq!(stored(store, "I-A").await.status, InvoiceStatus::WrittenOff);
    // WHEN it says paid THEN the payment is recorded: paid, the decision kept as history
    let mut paid = invoice("I-A", "A", "2026-01-01", None);
    paid.paid = paid.total;
    paid.status = InvoiceStatus::Paid;
    ingest_invoice(store, &policy, &paid, instant("2026-03-23"))
        .await
        .unwrap();
    let settled = stored(store, "I-A").await;
    assert_eq!(settled.status, InvoiceStatus::Paid);
    assert_eq!(
        settled.bookkeeping.outcome.map(|o| o.kind),
        Some(OutcomeKind::WrittenOff)
    );
}

pub async fn a_handed_over_invoice_leaves_the_open_balances_and_is_reported_apart<S: Store>(store: &S) {
    let policy = crate::Policy::default_policy();
    let task = a_decision_waits(store, "B", "2026-03-05").await;
    ingest_invoice(
        store,
        &policy,
        &invoice("I-B2", "B", "2026-03-01", None),
        instant("2026-03-05"),
    )
    .await
    .unwrap();
    // A payment on its way stops a hand-over until it arrived or failed
    let mut pending = stored(store, "I-B2").await;
    pending.status = InvoiceStatus::PaymentPending;
    ingest_invoice(store, &policy, &pending, instant("2026-03-05"))
        .await
        .unwrap();
    let refused = hand_over(store, &policy, &pending.id, None, "sam", instant("2026-03-05")).await;
    assert!(matches!(refused, Err(CoreError::Conflict(_))), "{refused:?}");
    assert_eq!(stored(store, "I-B2").await.status, InvoiceStatus::PaymentPending);
    // WHEN staff hand over the decision's invoice
    let done = do_task(
        store,
        &policy,
        &task.0,
        TaskAction::HandOver,
        Some("Acme Collections".into()),
        None,
        None,
        "sam",
        instant("2026-03-06"),
    )
    .await
    .unwrap();
    assert!(done.actions.is_empty(), "no longer open");
    let handed = stored(store, "I-B").await;
    assert_eq!(handed.status, InvoiceStatus::HandedOver);
    assert_eq!(handed.bookkeeping.outcome.unwrap().reason, "Acme Collections");
    // THEN the report reads it, and counts it apart from what is owed
    let report = store.unsettled_invoices().await.unwrap();
    let rows = crate::aging::aging_report(&report, day("2026-03-06"));
    let hundred: rust_decimal::Decimal = "100.00".parse().unwrap();
    assert_eq!(rows[0].handed_over, (hundred, 1));
    assert_eq!(
        (rows[0].invoices, rows[0].total),
        (1, hundred),
        "only the pending one is owed"
    );
    let inbox = open_tasks(store, &policy, instant("2026-03-06")).await.unwrap();
    assert!(inbox.open.iter().all(|t| t.id != task.0));
}

pub async fn a_decision_cut_short_is_carried_out_when_repeated<S: Store>(store: &S) {
    let policy = crate::Policy::default_policy();
    let task = a_decision_waits(store, "C", "2026-03-05").await;
    // GIVEN sam's write-off was recorded on the task and the process stopped before the invoice was written
    let mut marked = store.reminder(&task).await.unwrap().unwrap();
    marked
        .transition(
            ReminderStatus::Approved,
            instant("2026-03-05"),
            &crate::actor::Actor::person("sam"),
            Some(crate::last_step::task_note(
                OutcomeKind::WrittenOff,
                "Company dissolved",
            )),
        )
        .unwrap();
    store
        .update_reminder(&marked, ReminderStatus::PendingApproval, &[])
        .await
        .unwrap();
    assert_eq!(stored(store, "I-C").await.status, InvoiceStatus::Open);
    let repeat = |action: TaskAction, by: &'static str| {
        do_task(
            store,
            &policy,
            &task.0,
            action,
            Some("typed again".into()),
            None,
            None,
            by,
            instant("2026-03-06"),
        )
    };
    // WHEN another decision is asked THEN it is refused: the task is no longer open
    let other = repeat(TaskAction::HandOver, "kim").await;
    assert!(matches!(other, Err(CoreError::Conflict(_))), "{other:?}");
    assert_eq!(stored(store, "I-C").await.status, InvoiceStatus::Open);
    // WHEN the same decision is asked again THEN it is carried out as sam recorded it
    repeat(TaskAction::WriteOff, "kim").await.unwrap();
    let off = stored(store, "I-C").await;
    assert_eq!(off.status, InvoiceStatus::WrittenOff);
    let outcome = off.bookkeeping.outcome.unwrap();
    assert_eq!(
        (outcome.reason.as_str(), outcome.by.to_string()),
        ("Company dissolved", "sam".to_owned())
    );
}
