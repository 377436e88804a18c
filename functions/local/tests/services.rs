//! The core services end to end over the real SQLite store and the real outbox: idempotent passes,
//! re-checks before sending, approvals bound to content, skips, retries, and overlapping runs.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use kindly_core::conformance::{customer, invoice};
use kindly_core::service::{self, SendResult};
use kindly_core::{CoreError, Invoice, InvoiceId, InvoiceStatus, Mailer, OutgoingEmail, Policy, ReminderStatus, Store};
use kindly_local::outbox::OutboxMailer;
use kindly_local::sqlite_store::SqliteStore;
use std::sync::atomic::{AtomicUsize, Ordering};

fn noon(day: &str) -> DateTime<Utc> {
    let date: NaiveDate = day.parse().unwrap();
    Utc.from_utc_datetime(&date.and_hms_opt(12, 0, 0).unwrap())
}

fn eml_count(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |entries| {
        entries
            .flatten()
            .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
            .count()
    })
}

/// A fresh store and outbox holding customer "A" with one open invoice due on 2026-03-10, ingested as
/// the accounting system would.
struct World {
    store: SqliteStore,
    policy: Policy,
    outbox: tempfile::TempDir,
    mailer: OutboxMailer,
    invoice: Invoice,
}

async fn world() -> World {
    let (store, policy, outbox) = (
        SqliteStore::in_memory().unwrap(),
        Policy::default_policy(),
        tempfile::tempdir().unwrap(),
    );
    service::ingest_customer(&store, &customer("A")).await.unwrap();
    let open = invoice("I1", "A", "2026-03-10", None);
    service::ingest_invoice(&store, &policy, &open, noon("2026-03-01"))
        .await
        .unwrap();
    let invoice = store.invoice(&open.id).await.unwrap().unwrap();
    let mailer = OutboxMailer::new(outbox.path());
    World {
        store,
        policy,
        outbox,
        mailer,
        invoice,
    }
}

#[tokio::test]
async fn a_pass_is_idempotent_and_sends_once() {
    let World {
        store,
        policy,
        outbox,
        mailer,
        ..
    } = world().await;
    // GIVEN the courtesy stage (5 days before the due date, auto-approved)
    let first = service::run_pass(&store, &policy, noon("2026-03-05"), false)
        .await
        .unwrap();
    assert_eq!(first.entries.len(), 1);
    assert_eq!(first.entries[0].stage_id, "upcoming_due");
    assert_eq!(first.entries[0].status, ReminderStatus::Approved);
    // WHEN the same pass runs again before sending, and sending runs twice
    let again = service::run_pass(&store, &policy, noon("2026-03-05"), false)
        .await
        .unwrap();
    assert!(
        again.entries.is_empty(),
        "the open reminder holds the customer: {:?}",
        again.entries
    );
    let sent = service::send_approved(&store, &mailer, &policy, noon("2026-03-05"))
        .await
        .unwrap();
    let resent = service::send_approved(&store, &mailer, &policy, noon("2026-03-05"))
        .await
        .unwrap();
    // THEN one message went out, the ladder moved on, and nothing is left to send
    assert!(matches!(sent[0].1, Ok(SendResult::Sent { .. })));
    assert!(resent.is_empty());
    assert_eq!(eml_count(outbox.path()), 1);
    let progressed = store.invoice(&InvoiceId("I1".into())).await.unwrap().unwrap();
    assert_eq!(progressed.dunning.last_stage.as_deref(), Some("upcoming_due"));
    assert_eq!(progressed.dunning.next_action_on, Some("2026-03-10".parse().unwrap()));
    // and the next day's pass has nothing to do
    let next_day = service::run_pass(&store, &policy, noon("2026-03-06"), false)
        .await
        .unwrap();
    assert!(next_day.entries.is_empty());
}

/// Store an invoice with the ladder progress it carries (as earlier sends would have left it).
async fn put_with_progress(store: &SqliteStore, policy: &Policy, mut invoice: Invoice) {
    invoice.dunning.next_action_on = policy.next_action_on(&invoice);
    store.put_invoice(&invoice).await.unwrap();
}

#[tokio::test]
async fn payment_after_approval_cancels_the_send() {
    let World {
        store,
        policy,
        outbox,
        mailer,
        invoice: mut paid,
    } = world().await;
    service::run_pass(&store, &policy, noon("2026-03-05"), false)
        .await
        .unwrap();
    // GIVEN the invoice is paid between approval and sending, written past the ingest service (as a
    // payment racing the sender's claim would be)
    paid.status = InvoiceStatus::Paid;
    paid.paid = paid.total;
    put_with_progress(&store, &policy, paid).await;
    // WHEN the sender runs
    let results = service::send_approved(&store, &mailer, &policy, noon("2026-03-05"))
        .await
        .unwrap();
    // THEN nothing goes out and the reminder says why
    assert!(
        matches!(&results[0].1, Ok(SendResult::Cancelled { reason }) if reason.contains("paid")),
        "{results:?}"
    );
    assert_eq!(eml_count(outbox.path()), 0);
    let reminder = store.reminder(&results[0].0).await.unwrap().unwrap();
    assert_eq!(reminder.status, ReminderStatus::Cancelled);
    assert!(
        service::run_pass(&store, &policy, noon("2026-03-20"), false)
            .await
            .unwrap()
            .entries
            .is_empty()
    );
}

#[tokio::test]
async fn a_cancelled_plan_is_planned_again_with_current_facts() {
    let World {
        store,
        policy,
        outbox,
        mailer,
        invoice: mut part_paid,
    } = world().await;
    let first = service::run_pass(&store, &policy, noon("2026-03-05"), false)
        .await
        .unwrap();
    let id = first.entries[0].reminder_id.clone();
    // GIVEN a partial payment lands after the reminder was approved, past the ingest service (as a payment
    // racing the sender's claim would)
    part_paid.paid = "40.00".parse().unwrap();
    put_with_progress(&store, &policy, part_paid).await;
    let results = service::send_approved(&store, &mailer, &policy, noon("2026-03-05"))
        .await
        .unwrap();
    assert!(
        matches!(&results[0].1, Ok(SendResult::Cancelled { reason }) if reason.contains("balance")),
        "{results:?}"
    );
    // WHEN the next pass plans the same customer, stage and invoice
    let again = service::run_pass(&store, &policy, noon("2026-03-05"), false)
        .await
        .unwrap();
    // THEN the same reminder comes back with the new balance and its whole history, and goes out
    assert_eq!(again.entries[0].reminder_id, id);
    assert!(again.entries[0].created);
    let revived = store.reminder(&id).await.unwrap().unwrap();
    assert_eq!(revived.draft.as_ref().unwrap().context.invoices[0].balance, "$60.00");
    assert!(revived.history.iter().any(|step| step.to == ReminderStatus::Cancelled));
    let sent = service::send_approved(&store, &mailer, &policy, noon("2026-03-05"))
        .await
        .unwrap();
    assert!(matches!(sent[0].1, Ok(SendResult::Sent { .. })), "{sent:?}");
    assert_eq!(eml_count(outbox.path()), 1);
}

#[tokio::test]
async fn approval_is_bound_to_the_rendered_content() {
    let World { store, policy, .. } = world().await;
    let mut open = store.invoice(&InvoiceId("I1".into())).await.unwrap().unwrap();
    // GIVEN a draft that needs approval (10 days overdue, after two earlier stages)
    open.dunning.last_stage = Some("crossed_in_mail".into());
    open.dunning.last_tone = Some(kindly_core::Tone::Friendly);
    put_with_progress(&store, &policy, open).await;
    let pass = service::run_pass(&store, &policy, noon("2026-03-20"), false)
        .await
        .unwrap();
    let entry = &pass.entries[0];
    assert_eq!(
        (entry.stage_id.as_str(), entry.status),
        ("overdue_direct", ReminderStatus::PendingApproval)
    );
    let draft = store.reminder(&entry.reminder_id).await.unwrap().unwrap();
    let hash = draft.draft.as_ref().unwrap().content_hash.clone();
    // WHEN someone approves another content hash, THEN it is refused and nothing changes
    let stale = service::approve(&store, &entry.reminder_id, "pat", "0000", None, noon("2026-03-20")).await;
    assert!(matches!(stale, Err(CoreError::StaleApproval { .. })), "{stale:?}");
    assert_eq!(store.reminder(&entry.reminder_id).await.unwrap().unwrap(), draft);
    // a note changes the content, so the hash seen without it no longer matches
    let with_note = service::approve(
        &store,
        &entry.reminder_id,
        "pat",
        &hash,
        Some("Call me".into()),
        noon("2026-03-20"),
    )
    .await;
    assert!(matches!(with_note, Err(CoreError::StaleApproval { .. })));
    // WHEN the approver names exactly what renders, THEN it is approved and recorded
    let approved = service::approve(&store, &entry.reminder_id, "pat", &hash, None, noon("2026-03-20"))
        .await
        .unwrap();
    assert_eq!(approved.status, ReminderStatus::Approved);
    let record = approved.approval.unwrap();
    assert_eq!(
        (record.by.as_str(), record.content_hash.as_str()),
        ("pat", hash.as_str())
    );
    // and approving twice is refused
    let twice = service::approve(&store, &entry.reminder_id, "pat", &hash, None, noon("2026-03-20")).await;
    assert!(matches!(twice, Err(CoreError::WrongStatus { .. })));
}

#[tokio::test]
async fn a_skip_moves_the_ladder_on_without_sending() {
    let World { store, policy, .. } = world().await;
    let pass = service::run_pass(&store, &policy, noon("2026-03-05"), false)
        .await
        .unwrap();
    let id = pass.entries[0].reminder_id.clone();
    service::skip(
        &store,
        &policy,
        &id,
        "pat",
        Some("customer called".into()),
        noon("2026-03-05"),
    )
    .await
    .unwrap();
    let skipped = store.reminder(&id).await.unwrap().unwrap();
    assert_eq!(skipped.status, ReminderStatus::Skipped);
    assert_eq!(skipped.history.last().unwrap().note.as_deref(), Some("customer called"));
    let invoice = store.invoice(&InvoiceId("I1".into())).await.unwrap().unwrap();
    assert_eq!(invoice.dunning.last_stage.as_deref(), Some("upcoming_due"));
    assert_eq!(invoice.dunning.last_tone, None, "a skipped message was never heard");
    assert!(
        service::run_pass(&store, &policy, noon("2026-03-06"), false)
            .await
            .unwrap()
            .entries
            .is_empty()
    );
    let due_day = service::run_pass(&store, &policy, noon("2026-03-10"), false)
        .await
        .unwrap();
    assert_eq!(due_day.entries[0].stage_id, "due_today");
    // An illegal move is refused: a skipped reminder cannot be skipped again.
    assert!(
        service::skip(&store, &policy, &id, "pat", None, noon("2026-03-10"))
            .await
            .is_err()
    );
}

#[tokio::test]
async fn a_changed_situation_supersedes_the_pending_draft() {
    let World { store, policy, .. } = world().await;
    let mut open = store.invoice(&InvoiceId("I1".into())).await.unwrap().unwrap();
    open.dunning.last_stage = Some("crossed_in_mail".into());
    open.dunning.last_tone = Some(kindly_core::Tone::Friendly);
    put_with_progress(&store, &policy, open).await;
    let first = service::run_pass(&store, &policy, noon("2026-03-20"), false)
        .await
        .unwrap();
    let old = first.entries[0].reminder_id.clone();
    // GIVEN a second invoice reaches a stage while the first draft waits for approval
    let mut second = invoice("I2", "A", "2026-03-17", None);
    second.dunning.last_stage = Some("due_today".into());
    second.dunning.last_tone = Some(kindly_core::Tone::Courteous);
    put_with_progress(&store, &policy, second).await;
    let next = service::run_pass(&store, &policy, noon("2026-03-21"), false)
        .await
        .unwrap();
    // THEN one new draft covers both and the old one is cancelled
    assert_eq!(next.entries.len(), 1);
    assert_eq!(next.entries[0].invoice_numbers.len(), 2);
    assert_eq!(next.superseded, vec![old.clone()]);
    assert_eq!(
        store.reminder(&old).await.unwrap().unwrap().status,
        ReminderStatus::Cancelled
    );
    let pending = store
        .reminders_with_status(ReminderStatus::PendingApproval)
        .await
        .unwrap();
    assert_eq!(pending.len(), 1);
}

/// Fails the first `fail_first` sends, temporarily or for good, then writes to the outbox.
struct FlakyMailer {
    inner: OutboxMailer,
    fail_first: usize,
    permanent: bool,
    calls: AtomicUsize,
}

impl Mailer for FlakyMailer {
    async fn send(&self, email: &OutgoingEmail) -> Result<String, CoreError> {
        if self.calls.fetch_add(1, Ordering::SeqCst) < self.fail_first {
            return Err(if self.permanent {
                CoreError::MailRejected("mailbox does not exist".into())
            } else {
                CoreError::MailTemporary("throttled".into())
            });
        }
        self.inner.send(email).await
    }
}

#[tokio::test]
async fn temporary_failures_retry_and_permanent_ones_fail() {
    for permanent in [false, true] {
        let World {
            store,
            policy,
            outbox,
            mailer: inner,
            ..
        } = world().await;
        let mailer = FlakyMailer {
            inner,
            fail_first: 1,
            permanent,
            calls: AtomicUsize::new(0),
        };
        service::run_pass(&store, &policy, noon("2026-03-05"), false)
            .await
            .unwrap();
        let first = service::send_approved(&store, &mailer, &policy, noon("2026-03-05"))
            .await
            .unwrap();
        let second = service::send_approved(&store, &mailer, &policy, noon("2026-03-05") + Duration::minutes(5))
            .await
            .unwrap();
        if permanent {
            assert!(matches!(first[0].1, Ok(SendResult::Failed { .. })), "{first:?}");
            assert!(second.is_empty(), "a rejected message is not retried");
            let failed = store.reminders_with_status(ReminderStatus::Failed).await.unwrap();
            assert_eq!(failed[0].failure.as_deref(), Some("mailbox does not exist"));
            assert_eq!(eml_count(outbox.path()), 0);
        } else {
            assert!(matches!(first[0].1, Ok(SendResult::Retry { .. })), "{first:?}");
            assert!(matches!(second[0].1, Ok(SendResult::Sent { .. })), "{second:?}");
            assert_eq!(eml_count(outbox.path()), 1);
        }
    }
}

#[tokio::test]
async fn a_claim_left_by_a_crashed_sender_is_retried_once_stale() {
    let World {
        store,
        policy,
        outbox,
        mailer,
        ..
    } = world().await;
    let pass = service::run_pass(&store, &policy, noon("2026-03-05"), false)
        .await
        .unwrap();
    // GIVEN a sender claimed the reminder and died before sending
    let mut claimed = store.reminder(&pass.entries[0].reminder_id).await.unwrap().unwrap();
    claimed
        .transition(ReminderStatus::Sending, noon("2026-03-05"), "crashed sender", None)
        .unwrap();
    store
        .update_reminder(&claimed, ReminderStatus::Approved, &[])
        .await
        .unwrap();
    // WHEN another run comes soon after, THEN it leaves the fresh claim alone
    assert!(
        service::send_approved(&store, &mailer, &policy, noon("2026-03-05"))
            .await
            .unwrap()
            .is_empty()
    );
    // WHEN a run comes after the claim went stale, THEN it sends it exactly once
    let later = noon("2026-03-05") + service::STALE_CLAIM + Duration::minutes(1);
    let results = service::send_approved(&store, &mailer, &policy, later).await.unwrap();
    assert!(matches!(results[0].1, Ok(SendResult::Sent { .. })), "{results:?}");
    assert_eq!(eml_count(outbox.path()), 1);
}

#[test]
fn overlapping_runs_send_each_reminder_exactly_once() {
    // GIVEN one database file with 30 customers whose invoices reached an auto-approved stage
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("kindly.db");
    let outbox = dir.path().join("outbox");
    let policy = Policy::default_policy();
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    runtime.block_on(async {
        let store = SqliteStore::open(&db).unwrap();
        for index in 0..30 {
            let id = format!("C{index}");
            service::ingest_customer(&store, &customer(&id)).await.unwrap();
            service::ingest_invoice(
                &store,
                &policy,
                &invoice(&format!("I{index}"), &id, "2026-03-10", None),
                noon("2026-03-01"),
            )
            .await
            .unwrap();
        }
    });
    // WHEN eight processes' worth of runs (own connections, own threads) pass and send at once
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let (db, outbox, policy) = (db.clone(), outbox.clone(), policy.clone());
            std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
                runtime.block_on(async {
                    let store = SqliteStore::open(&db).unwrap();
                    let mailer = OutboxMailer::new(&outbox);
                    service::run_pass(&store, &policy, noon("2026-03-05"), false)
                        .await
                        .unwrap();
                    service::send_approved(&store, &mailer, &policy, noon("2026-03-05"))
                        .await
                        .unwrap()
                })
            })
        })
        .collect();
    let sent: usize = threads
        .into_iter()
        .map(|t| {
            t.join()
                .unwrap()
                .iter()
                .filter(|(_, r)| matches!(r, Ok(SendResult::Sent { .. })))
                .count()
        })
        .sum();
    // THEN every reminder went out exactly once
    assert_eq!(sent, 30);
    assert_eq!(eml_count(&outbox), 30);
    let store = SqliteStore::open(&db).unwrap();
    let all_sent = runtime
        .block_on(store.reminders_with_status(ReminderStatus::Sent))
        .unwrap();
    assert_eq!(all_sent.len(), 30);
}

/// Takes a moment per send and counts how many are in flight at once.
struct SlowMailer {
    inner: OutboxMailer,
    in_flight: AtomicUsize,
    most_in_flight: AtomicUsize,
}

impl Mailer for SlowMailer {
    async fn send(&self, email: &OutgoingEmail) -> Result<String, CoreError> {
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.most_in_flight.fetch_max(now, Ordering::SeqCst);
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
        self.inner.send(email).await
    }

    fn concurrent_sends(&self) -> usize {
        3
    }
}

#[tokio::test]
async fn a_send_run_works_on_as_many_reminders_at_once_as_the_mailer_allows() {
    let World {
        store,
        policy,
        outbox,
        mailer: inner,
        ..
    } = world().await;
    for index in 0..8 {
        let id = format!("B{index}");
        service::ingest_customer(&store, &customer(&id)).await.unwrap();
        let open = invoice(&format!("J{index}"), &id, "2026-03-10", None);
        service::ingest_invoice(&store, &policy, &open, noon("2026-03-01"))
            .await
            .unwrap();
    }
    let mailer = SlowMailer {
        inner,
        in_flight: AtomicUsize::new(0),
        most_in_flight: AtomicUsize::new(0),
    };
    service::run_pass(&store, &policy, noon("2026-03-05"), false)
        .await
        .unwrap();
    let results = service::send_approved(&store, &mailer, &policy, noon("2026-03-05"))
        .await
        .unwrap();
    // THEN all nine went out, at most three at a time, and the results keep the queue's order
    assert_eq!(results.len(), 9);
    assert!(
        results
            .iter()
            .all(|(_, result)| matches!(result, Ok(SendResult::Sent { .. }))),
        "{results:?}"
    );
    assert_eq!(mailer.most_in_flight.load(Ordering::SeqCst), 3);
    let ids: Vec<_> = results.iter().map(|(id, _)| id.clone()).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(
        ids, sorted,
        "reminders_with_status lists by id, and results follow that order"
    );
    assert_eq!(eml_count(outbox.path()), 9);
}

#[tokio::test]
async fn a_snoozed_draft_comes_back_on_its_day_and_not_before() {
    let World { store, policy, .. } = world().await;
    let first = service::run_pass(&store, &policy, noon("2026-03-05"), false)
        .await
        .unwrap();
    let id = first.entries[0].reminder_id.clone();
    // A day that is not after the customer's today is refused, and changes nothing
    let refused = service::snooze(
        &store,
        &policy,
        &id,
        "alice",
        "2026-03-05".parse().unwrap(),
        None,
        noon("2026-03-05"),
    )
    .await;
    assert!(
        matches!(refused, Err(CoreError::InvalidField { field: "until", .. })),
        "{refused:?}"
    );
    assert_ne!(
        store.reminder(&id).await.unwrap().unwrap().status,
        ReminderStatus::Cancelled
    );
    // WHEN the draft is snoozed until the 12th
    let until: NaiveDate = "2026-03-12".parse().unwrap();
    let snoozed = service::snooze(
        &store,
        &policy,
        &id,
        "alice",
        until,
        Some("promised to pay".into()),
        noon("2026-03-05"),
    )
    .await
    .unwrap();
    assert_eq!(snoozed.status, ReminderStatus::Cancelled);
    assert_eq!(
        snoozed.history.last().unwrap().note.as_deref(),
        Some("snoozed until 2026-03-12: promised to pay")
    );
    let held = store.invoice(&InvoiceId("I1".into())).await.unwrap().unwrap();
    assert_eq!(
        held.dunning.next_action_on,
        Some(until),
        "the due index skips it until then"
    );
    assert_eq!(held.dunning.last_stage, None, "the ladder did not move");
    // THEN passes before the 12th plan nothing, even though stages fell due meanwhile
    for day in ["2026-03-06", "2026-03-10", "2026-03-11"] {
        let pass = service::run_pass(&store, &policy, noon(day), false).await.unwrap();
        assert!(pass.entries.is_empty(), "{day}: {:?}", pass.entries);
    }
    // and on the 12th it is drafted again with that day's facts
    let back = service::run_pass(&store, &policy, noon("2026-03-12"), false)
        .await
        .unwrap();
    assert_eq!(back.entries.len(), 1, "{back:?}");
    let reminder = store.reminder(&back.entries[0].reminder_id).await.unwrap().unwrap();
    assert!(matches!(
        reminder.status,
        ReminderStatus::PendingApproval | ReminderStatus::Approved
    ));
    assert_eq!(reminder.draft.unwrap().context.invoices[0].days_overdue, 2);
}

#[tokio::test]
async fn a_payment_voids_the_waiting_reminder_at_once() {
    let World {
        store,
        policy,
        outbox,
        mailer,
        invoice: mut paid,
    } = world().await;
    let planned = service::run_pass(&store, &policy, noon("2026-03-05"), false)
        .await
        .unwrap();
    let id = planned.entries[0].reminder_id.clone();
    // WHEN the payment is ingested before the sender runs
    paid.status = InvoiceStatus::Paid;
    paid.paid = paid.total;
    let voided = service::ingest_invoice(&store, &policy, &paid, noon("2026-03-05"))
        .await
        .unwrap();
    // THEN the reminder is cancelled with the reason, nothing replaces it, and nothing goes out
    assert_eq!(voided, vec![id.clone()]);
    let reminder = store.reminder(&id).await.unwrap().unwrap();
    assert_eq!(reminder.status, ReminderStatus::Cancelled);
    assert!(
        reminder
            .history
            .last()
            .unwrap()
            .note
            .as_deref()
            .unwrap()
            .contains("I1 changed")
    );
    assert!(
        service::send_approved(&store, &mailer, &policy, noon("2026-03-05"))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(eml_count(outbox.path()), 0);
    // and ingesting the same facts again voids nothing
    assert!(
        service::ingest_invoice(&store, &policy, &paid, noon("2026-03-05"))
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn a_changed_amount_voids_the_approval_and_the_draft_returns_pending_with_new_figures() {
    let World { store, policy, .. } = world().await;
    // GIVEN the friendly stages went out and the next one, which needs approval, was approved
    let mut invoice = store.invoice(&InvoiceId("I1".into())).await.unwrap().unwrap();
    invoice.dunning.last_stage = Some("crossed_in_mail".into());
    invoice.dunning.last_tone = Some(kindly_core::Tone::Friendly);
    invoice.dunning.last_reminded_on = "2026-03-13".parse().ok();
    put_with_progress(&store, &policy, invoice.clone()).await;
    let planned = service::run_pass(&store, &policy, noon("2026-03-20"), false)
        .await
        .unwrap();
    let id = planned.entries[0].reminder_id.clone();
    let draft = store.reminder(&id).await.unwrap().unwrap();
    assert_eq!(draft.status, ReminderStatus::PendingApproval);
    let hash = draft.draft.unwrap().content_hash;
    service::approve(&store, &id, "alice", &hash, None, noon("2026-03-20"))
        .await
        .unwrap();
    // WHEN a partial payment changes the balance
    invoice.paid = "40.00".parse().unwrap();
    let voided = service::ingest_invoice(&store, &policy, &invoice, noon("2026-03-20"))
        .await
        .unwrap();
    // THEN the approval is void and the same reminder waits for approval again, showing the new balance
    assert_eq!(voided, vec![id.clone()]);
    let again = store.reminder(&id).await.unwrap().unwrap();
    assert_eq!(again.status, ReminderStatus::PendingApproval, "{:?}", again.history);
    assert!(again.approval.is_none());
    assert_eq!(again.draft.as_ref().unwrap().context.invoices[0].balance, "$60.00");
    assert_ne!(again.draft.unwrap().content_hash, hash);
    assert!(again.history.iter().any(|step| step.to == ReminderStatus::Approved));
    assert!(again.history.iter().any(|step| step.to == ReminderStatus::Cancelled));
}
