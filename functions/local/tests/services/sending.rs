//! Sending: the re-check before a message goes out, retries and failures, claims left by a crashed sender,
//! overlapping runs, and how many sends a run has in flight.

use super::{World, eml_count, noon, put_with_progress, world};
use chrono::Duration;
use kindly_core::fixtures::{customer, invoice};
use kindly_core::service::{self, SendResult};
use kindly_core::{CoreError, InvoiceStatus, Mailer, OutgoingEmail, Policy, ReminderStatus, Store};
use kindly_local::outbox::OutboxMailer;
use std::sync::atomic::{AtomicUsize, Ordering};

kindly_aws::on_both_stores!(
    payment_after_approval_cancels_the_send,
    a_temporary_failure_is_retried,
    a_permanent_failure_fails_and_is_not_retried,
    a_claim_left_by_a_crashed_sender_is_retried_once_stale,
    a_send_run_works_on_as_many_reminders_at_once_as_the_mailer_allows
);

async fn payment_after_approval_cancels_the_send<S: Store>(store: S) {
    let World {
        store,
        policy,
        outbox,
        mailer,
        invoice: mut paid,
    } = world(store).await;
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

/// Fails the first send, temporarily or for good, then writes to the outbox.
struct FailsFirst {
    inner: OutboxMailer,
    permanent: bool,
    calls: AtomicUsize,
}

impl Mailer for FailsFirst {
    async fn send(&self, email: &OutgoingEmail) -> Result<String, CoreError> {
        if self.calls.fetch_add(1, Ordering::SeqCst) == 0 {
            return Err(if self.permanent {
                CoreError::MailRejected("mailbox does not exist".into())
            } else {
                CoreError::MailTemporary("throttled".into())
            });
        }
        self.inner.send(email).await
    }
}

/// The courtesy reminder sent twice, five minutes apart, through a mailer whose first send fails
/// (`permanent`ly or not): both runs' results, and the world.
type TwoRuns<S> = (
    World<S>,
    Vec<(kindly_core::ReminderId, Result<SendResult, CoreError>)>,
    Vec<(kindly_core::ReminderId, Result<SendResult, CoreError>)>,
);

async fn send_twice_failing_first<S: Store>(store: S, permanent: bool) -> TwoRuns<S> {
    let world = world(store).await;
    let mailer = FailsFirst {
        inner: OutboxMailer::new(world.outbox.path()),
        permanent,
        calls: AtomicUsize::new(0),
    };
    let (store, policy) = (&world.store, &world.policy);
    service::run_pass(store, policy, noon("2026-03-05"), false)
        .await
        .unwrap();
    let first = service::send_approved(store, &mailer, policy, noon("2026-03-05"))
        .await
        .unwrap();
    let second = service::send_approved(store, &mailer, policy, noon("2026-03-05") + Duration::minutes(5))
        .await
        .unwrap();
    (world, first, second)
}

async fn a_temporary_failure_is_retried<S: Store>(store: S) {
    let (world, first, second) = send_twice_failing_first(store, false).await;
    assert!(matches!(first[0].1, Ok(SendResult::Retry { .. })), "{first:?}");
    assert!(matches!(second[0].1, Ok(SendResult::Sent { .. })), "{second:?}");
    assert_eq!(eml_count(world.outbox.path()), 1);
}

async fn a_permanent_failure_fails_and_is_not_retried<S: Store>(store: S) {
    let (world, first, second) = send_twice_failing_first(store, true).await;
    assert!(matches!(first[0].1, Ok(SendResult::Failed { .. })), "{first:?}");
    assert!(second.is_empty(), "a rejected message is not retried");
    let failed = world.store.reminders_with_status(ReminderStatus::Failed).await.unwrap();
    assert_eq!(failed[0].failure.as_deref(), Some("mailbox does not exist"));
    assert_eq!(eml_count(world.outbox.path()), 0);
}

async fn a_claim_left_by_a_crashed_sender_is_retried_once_stale<S: Store>(store: S) {
    let World {
        store,
        policy,
        outbox,
        mailer,
        ..
    } = world(store).await;
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

/// Counts the sends in flight, and holds each until three were in flight at once (or every send has
/// started): a run that sent fewer at once would never get past its first sends. A send lets the run start
/// others before it looks at the count, so a run that starts more than three at once is counted doing so
/// (always on the embedded store, whose reads never wait; over the network when the extra start is quick).
struct GatedMailer {
    inner: OutboxMailer,
    sends: usize,
    /// (in flight, started, most in flight)
    state: tokio::sync::watch::Sender<(usize, usize, usize)>,
}

impl Mailer for GatedMailer {
    async fn send(&self, email: &OutgoingEmail) -> Result<String, CoreError> {
        self.state.send_modify(|(in_flight, started, most)| {
            *in_flight += 1;
            *started += 1;
            *most = (*most).max(*in_flight);
        });
        tokio::task::yield_now().await;
        let mut state = self.state.subscribe();
        let gate = state.wait_for(|&(_, started, most)| most >= 3 || started == self.sends);
        tokio::time::timeout(std::time::Duration::from_secs(30), gate)
            .await
            .expect("three sends were never in flight at once")
            .expect("the gate is open");
        let sent = self.inner.send(email).await;
        self.state.send_modify(|(in_flight, _, _)| *in_flight -= 1);
        sent
    }

    fn concurrent_sends(&self) -> usize {
        3
    }
}

async fn a_send_run_works_on_as_many_reminders_at_once_as_the_mailer_allows<S: Store>(store: S) {
    let World {
        store,
        policy,
        outbox,
        mailer: inner,
        ..
    } = world(store).await;
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
    let mailer = GatedMailer {
        inner,
        sends: 9,
        state: tokio::sync::watch::Sender::new((0, 0, 0)),
    };
    service::run_pass(&store, &policy, noon("2026-03-05"), false)
        .await
        .unwrap();
    let results = service::send_approved(&store, &mailer, &policy, noon("2026-03-05"))
        .await
        .unwrap();
    // THEN all nine went out, three at a time at most, and the results keep the queue's order
    assert_eq!(results.len(), 9);
    assert!(
        results
            .iter()
            .all(|(_, result)| matches!(result, Ok(SendResult::Sent { .. }))),
        "{results:?}"
    );
    assert_eq!(mailer.state.borrow().2, 3);
    let ids: Vec<_> = results.iter().map(|(id, _)| id.clone()).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(
        ids, sorted,
        "reminders_with_status lists by id, and results follow that order"
    );
    assert_eq!(eml_count(outbox.path()), 9);
}

/// Eight runs at once, each on a store of its own opened by `open` over the same data (as eight processes
/// would be), pass and send for `customers` customers whose invoices reached an auto-approved stage: every
/// reminder goes out exactly once.
fn overlapping_runs_send_each_reminder_exactly_once<S, F>(customers: usize, open: F)
where
    S: Store,
    F: AsyncFn() -> S + Clone + Send + 'static,
{
    let outbox = tempfile::tempdir().unwrap();
    let policy = Policy::default_policy();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let store = open().await;
        for index in 0..customers {
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
    // WHEN eight runs (own stores, own threads) pass and send at once
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let (open, outbox, policy) = (open.clone(), outbox.path().to_owned(), policy.clone());
            std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                runtime.block_on(async {
                    let store = open().await;
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
    assert_eq!(sent, customers);
    assert_eq!(eml_count(outbox.path()), customers);
    let all_sent = runtime
        .block_on(async { open().await.reminders_with_status(ReminderStatus::Sent).await })
        .unwrap();
    assert_eq!(all_sent.len(), customers);
}

/// Overlapping runs need a store each over shared data, so they are not in the pairs above.
mod overlapping_runs {
    /// Eight connections to one database file.
    #[test]
    fn sqlite() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("kindly.db");
        super::overlapping_runs_send_each_reminder_exactly_once(30, async move || {
            kindly_local::sqlite_store::SqliteStore::open(&db).unwrap()
        });
    }

    /// Eight clients of one table; fewer customers, as the stand-in answers one request at a time.
    #[test]
    fn dynamodb() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let table = runtime.block_on(kindly_aws::stand_in::fresh_table());
        super::overlapping_runs_send_each_reminder_exactly_once(12, async move || {
            kindly_aws::stand_in::store_on(&table, 2).await
        });
    }
}
