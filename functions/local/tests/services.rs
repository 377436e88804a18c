//! The core services end to end over the real SQLite store and the real outbox: idempotent passes,
//! re-checks before sending, approvals bound to content, skips, retries, and overlapping runs.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use kindly_core::fixtures::{after_friendly_stages, customer, invoice};
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
    service::ingest_customer(&store, &policy, &customer("A"), noon("2026-03-01"))
        .await
        .unwrap();
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
    let open = store.invoice(&InvoiceId("I1".into())).await.unwrap().unwrap();
    // GIVEN a draft that needs approval (10 days overdue, after two earlier stages)
    put_with_progress(&store, &policy, after_friendly_stages(open)).await;
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
        (record.by, record.content_hash.as_str()),
        (kindly_core::actor::Actor::person("pat"), hash.as_str())
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
        Some("  customer called \n".into()),
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
    let open = store.invoice(&InvoiceId("I1".into())).await.unwrap().unwrap();
    put_with_progress(&store, &policy, after_friendly_stages(open)).await;
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
        .transition(
            ReminderStatus::Sending,
            noon("2026-03-05"),
            &kindly_core::actor::Actor::person("crashed sender"),
            None,
        )
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
            service::ingest_customer(&store, &policy, &customer(&id), noon("2026-03-01"))
                .await
                .unwrap();
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
        service::ingest_customer(&store, &policy, &customer(&id), noon("2026-03-01"))
            .await
            .unwrap();
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
    let mut invoice = after_friendly_stages(store.invoice(&InvoiceId("I1".into())).await.unwrap().unwrap());
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

// Thank-you messages after payment.

fn received(id: &str, amount: &str) -> kindly_core::payment::PaymentEvent {
    kindly_core::payment::PaymentEvent {
        id: id.into(),
        change: kindly_core::payment::PaymentChange::Received {
            amount: amount.parse().unwrap(),
            currency: kindly_core::Currency::from_code("USD").unwrap(),
        },
    }
}

fn outbox_texts(dir: &std::path::Path) -> Vec<String> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|x| x == "eml"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|path| std::fs::read_to_string(path).unwrap())
        .collect()
}

/// The world after the courtesy reminder for I1 went out on 2026-03-05.
async fn reminded_world() -> World {
    let world = world().await;
    service::run_pass(&world.store, &world.policy, noon("2026-03-05"), false)
        .await
        .unwrap();
    let sent = service::send_approved(&world.store, &world.mailer, &world.policy, noon("2026-03-05"))
        .await
        .unwrap();
    assert!(matches!(sent[0].1, Ok(SendResult::Sent { .. })));
    world
}

async fn pay(world: &World, invoice: &str, event: &str, amount: &str, day: &str) -> service::PaymentOutcome {
    service::apply_payment_event(
        &world.store,
        &world.policy,
        &InvoiceId(invoice.into()),
        &received(event, amount),
        noon(day),
    )
    .await
    .unwrap()
}

fn thank_you_of(outcome: &service::PaymentOutcome) -> kindly_core::ReminderId {
    match outcome {
        service::PaymentOutcome::Applied {
            thank_you: Some(id), ..
        } => id.clone(),
        other => panic!("expected a thank-you to be queued: {other:?}"),
    }
}

#[tokio::test]
async fn a_reminded_customer_who_pays_is_thanked_once_and_reminded_no_more() {
    let world = reminded_world().await;
    let ladder_before = world.store.invoice(&world.invoice.id).await.unwrap().unwrap().dunning;
    // WHEN the customer pays in full, and the processor repeats the event
    let outcome = pay(&world, "I1", "pi_1:received", "100.00", "2026-03-07").await;
    let thanks = thank_you_of(&outcome);
    assert!(matches!(
        pay(&world, "I1", "pi_1:received", "100.00", "2026-03-07").await,
        service::PaymentOutcome::Unchanged(_)
    ));
    // THEN one thank-you waits, approved as the policy says, and goes out once
    let queued = world.store.reminder(&thanks).await.unwrap().unwrap();
    assert_eq!(
        (queued.stage_id.as_str(), queued.status),
        ("thank_you", ReminderStatus::Approved)
    );
    // (auto-approved on the 7th, sent on the 9th: unlike "3 days overdue", thanks do not go stale)
    for _ in 0..2 {
        service::send_approved(&world.store, &world.mailer, &world.policy, noon("2026-03-09"))
            .await
            .unwrap();
    }
    let texts = outbox_texts(world.outbox.path());
    assert_eq!(texts.len(), 2, "the courtesy reminder and one thank-you");
    let thank_you = texts
        .iter()
        .find(|text| text.contains("Thank you for paying invoice INV-I1"))
        .unwrap();
    assert!(thank_you.contains("Paid in full"));
    assert!(!thank_you.contains("How to pay"), "a thank-you asks for nothing");
    // and the ladder is where the reminders left it; no reminder follows
    let paid = world.store.invoice(&world.invoice.id).await.unwrap().unwrap();
    assert_eq!(paid.dunning.last_stage, ladder_before.last_stage);
    assert_eq!(paid.status, InvoiceStatus::Paid);
    let later = service::run_pass(&world.store, &world.policy, noon("2026-03-20"), false)
        .await
        .unwrap();
    assert!(later.entries.is_empty(), "{:?}", later.entries);
}

#[tokio::test]
async fn paying_without_having_been_reminded_is_thanked_only_if_the_policy_says_so() {
    let mut world = world().await;
    let outcome = pay(&world, "I1", "pi_1:received", "100.00", "2026-03-02").await;
    assert!(matches!(
        outcome,
        service::PaymentOutcome::Applied { thank_you: None, .. }
    ));

    world.policy.thank_you.as_mut().unwrap().only_after_reminders = false;
    service::ingest_invoice(
        &world.store,
        &world.policy,
        &invoice("I2", "A", "2026-03-20", None),
        noon("2026-03-02"),
    )
    .await
    .unwrap();
    thank_you_of(&pay(&world, "I2", "pi_2:received", "100.00", "2026-03-02").await);

    world.policy.thank_you = None;
    service::ingest_invoice(
        &world.store,
        &world.policy,
        &invoice("I3", "A", "2026-03-20", None),
        noon("2026-03-02"),
    )
    .await
    .unwrap();
    let outcome = pay(&world, "I3", "pi_3:received", "100.00", "2026-03-02").await;
    assert!(matches!(
        outcome,
        service::PaymentOutcome::Applied { thank_you: None, .. }
    ));
}

#[tokio::test]
async fn a_partial_payment_is_not_thanked_and_an_overpayment_is_named() {
    let world = reminded_world().await;
    let partial = pay(&world, "I1", "pi_1:received", "40.00", "2026-03-07").await;
    assert!(matches!(
        partial,
        service::PaymentOutcome::Applied { thank_you: None, .. }
    ));
    let rest = pay(&world, "I1", "pi_2:received", "70.00", "2026-03-08").await;
    let thanks = world.store.reminder(&thank_you_of(&rest)).await.unwrap().unwrap();
    let line = &thanks.draft.unwrap().context.invoices[0];
    assert_eq!(line.credit.as_deref(), Some("$10.00"));
}

#[tokio::test]
async fn payments_before_the_thank_you_goes_out_share_one_message() {
    let world = world().await;
    let policy = &world.policy;
    let mut second = invoice("I2", "A", "2026-03-10", None);
    second.number = "INV-I2".into();
    service::ingest_invoice(&world.store, policy, &second, noon("2026-03-01"))
        .await
        .unwrap();
    service::run_pass(&world.store, policy, noon("2026-03-05"), false)
        .await
        .unwrap();
    service::send_approved(&world.store, &world.mailer, policy, noon("2026-03-05"))
        .await
        .unwrap();
    // WHEN both invoices are paid, one after the other, before the sender runs
    let first = thank_you_of(&pay(&world, "I1", "pi_1:received", "100.00", "2026-03-07").await);
    let both = thank_you_of(&pay(&world, "I2", "pi_2:received", "100.00", "2026-03-07").await);
    // THEN the second thank-you covers both and replaces the first
    let replaced = world.store.reminder(&first).await.unwrap().unwrap();
    assert_eq!(replaced.status, ReminderStatus::Cancelled);
    let joined = world.store.reminder(&both).await.unwrap().unwrap();
    assert_eq!(joined.covers.len(), 2);
    service::send_approved(&world.store, &world.mailer, policy, noon("2026-03-07"))
        .await
        .unwrap();
    let texts = outbox_texts(world.outbox.path());
    assert_eq!(
        texts
            .iter()
            .filter(|text| text.contains("Thank you for paying"))
            .count(),
        1
    );
    assert!(
        texts
            .iter()
            .any(|text| text.contains("Thank you for paying 2 invoices"))
    );
}

#[tokio::test]
async fn a_refund_withdraws_the_waiting_thanks_and_reminders_resume() {
    let world = reminded_world().await;
    let thanks = thank_you_of(&pay(&world, "I1", "pi_1:received", "100.00", "2026-03-07").await);
    // WHEN the payment is refunded before the thank-you went out
    let refund = kindly_core::payment::PaymentEvent {
        id: "ch_1:refunded".into(),
        change: kindly_core::payment::PaymentChange::Refunded {
            payment: "pi_1".into(),
            refunded_so_far: "100.00".parse().unwrap(),
            currency: kindly_core::Currency::from_code("USD").unwrap(),
        },
    };
    let outcome = service::apply_payment_event(
        &world.store,
        &world.policy,
        &world.invoice.id,
        &refund,
        noon("2026-03-08"),
    )
    .await
    .unwrap();
    // THEN the thank-you is void, nothing thanks them, and the ladder carries on when it is due
    assert!(
        matches!(&outcome, service::PaymentOutcome::Applied { voided, thank_you: None, .. } if voided == &vec![thanks.clone()])
    );
    assert_eq!(
        world.store.reminder(&thanks).await.unwrap().unwrap().status,
        ReminderStatus::Cancelled
    );
    let sent = service::send_approved(&world.store, &world.mailer, &world.policy, noon("2026-03-08"))
        .await
        .unwrap();
    assert!(sent.is_empty(), "{sent:?}");
    let due = service::run_pass(&world.store, &world.policy, noon("2026-03-10"), false)
        .await
        .unwrap();
    assert_eq!(due.entries[0].stage_id, "due_today");
}

#[tokio::test]
async fn a_thank_you_for_an_invoice_reopened_since_is_not_sent() {
    let world = reminded_world().await;
    thank_you_of(&pay(&world, "I1", "pi_1:received", "100.00", "2026-03-07").await);
    // WHEN the accounting system reopens the invoice behind the webhook's back, racing the sender
    let mut reopened = world.store.invoice(&world.invoice.id).await.unwrap().unwrap();
    reopened.status = InvoiceStatus::Open;
    reopened.paid = Default::default();
    world
        .store
        .replace_invoice(&reopened, Some(reopened.bookkeeping.revision))
        .await
        .unwrap();
    // THEN the sender's own check stops the thanks
    let sent = service::send_approved(&world.store, &world.mailer, &world.policy, noon("2026-03-07"))
        .await
        .unwrap();
    assert!(
        matches!(&sent[0].1, Ok(SendResult::Cancelled { reason }) if reason.contains("no longer paid")),
        "{sent:?}"
    );
    assert_eq!(outbox_texts(world.outbox.path()).len(), 1);
}

#[tokio::test]
async fn a_thank_you_needing_approval_waits_for_it_and_cannot_be_snoozed() {
    let mut world = reminded_world().await;
    world.policy.thank_you.as_mut().unwrap().approval = kindly_core::Approval::Required;
    let thanks = thank_you_of(&pay(&world, "I1", "pi_1:received", "100.00", "2026-03-07").await);
    let waiting = world.store.reminder(&thanks).await.unwrap().unwrap();
    assert_eq!(waiting.status, ReminderStatus::PendingApproval);
    let snoozed = service::snooze(
        &world.store,
        &world.policy,
        &thanks,
        "alice",
        "2026-03-20".parse().unwrap(),
        None,
        noon("2026-03-07"),
    )
    .await;
    assert!(
        matches!(&snoozed, Err(CoreError::InvalidField { field: "reminder", .. })),
        "{snoozed:?}"
    );
    let hash = waiting.draft.unwrap().content_hash;
    service::approve(&world.store, &thanks, "alice", &hash, None, noon("2026-03-07"))
        .await
        .unwrap();
    let sent = service::send_approved(&world.store, &world.mailer, &world.policy, noon("2026-03-09"))
        .await
        .unwrap();
    assert!(matches!(sent[0].1, Ok(SendResult::Sent { .. })), "{sent:?}");
}

#[tokio::test]
async fn a_waiting_thank_you_does_not_hold_back_a_reminder_for_another_invoice() {
    let world = reminded_world().await;
    service::ingest_invoice(
        &world.store,
        &world.policy,
        &invoice("I2", "A", "2026-03-20", None),
        noon("2026-03-07"),
    )
    .await
    .unwrap();
    thank_you_of(&pay(&world, "I1", "pi_1:received", "100.00", "2026-03-07").await);
    // I2's courtesy note falls due on the 15th, 10 days after the last reminder.
    let pass = service::run_pass(&world.store, &world.policy, noon("2026-03-15"), false)
        .await
        .unwrap();
    assert_eq!(pass.entries.len(), 1, "{:?}", pass.held);
    assert_eq!(pass.entries[0].stage_id, "upcoming_due");
}

#[tokio::test]
async fn an_accounting_copy_that_has_not_seen_the_payment_does_not_reopen_the_invoice() {
    let world = reminded_world().await;
    let thanks = thank_you_of(&pay(&world, "I1", "pi_1:received", "100.00", "2026-03-07").await);
    // WHEN the accounting system sends its copy, still open and unpaid, on the due date
    let voided = service::ingest_invoice(&world.store, &world.policy, &world.invoice, noon("2026-03-10"))
        .await
        .unwrap();
    // THEN the invoice stays paid, the thank-you stands, and nobody is reminded
    assert!(voided.is_empty(), "{voided:?}");
    let stored = world.store.invoice(&world.invoice.id).await.unwrap().unwrap();
    assert_eq!(
        (stored.status, stored.paid),
        (InvoiceStatus::Paid, "100.00".parse().unwrap())
    );
    assert_eq!(
        world.store.reminder(&thanks).await.unwrap().unwrap().status,
        ReminderStatus::Approved
    );
    let pass = service::run_pass(&world.store, &world.policy, noon("2026-03-10"), false)
        .await
        .unwrap();
    assert!(pass.entries.is_empty(), "{:?}", pass.entries);
}
