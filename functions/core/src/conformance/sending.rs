//! Sending, against payments racing it, claims, unknown outcomes and conflicts.

use super::meddling::{CountingMailer, Meddling, Moment};
use crate::actor::Actor;
use crate::customer::CustomerId;
use crate::error::CoreError;
use crate::fixtures::{customer, day, instant, invoice, reminder};
use crate::invoice::{InvoiceId, InvoiceStatus};
use crate::money::Currency;
use crate::ports::Store;
use crate::reminder::{Reminder, ReminderId};
use crate::status::ReminderStatus;
use crate::tone::Tone;
use chrono::{DateTime, Utc};

pub async fn a_payment_racing_a_send_stops_it<S: Store>(store: &S) {
    // The sender reads the invoices to judge the reminder, claims it, and reads them once more just before
    // the message leaves: a payment before the claim or after it stops it.
    for (customer_id, moment) in [("A", Moment::AfterJudging), ("B", Moment::AfterClaim)] {
        a_payment_at_this_moment_stops_it(store, customer_id, moment).await;
    }
}

async fn a_payment_at_this_moment_stops_it<S: Store>(store: &S, customer_id: &str, moment: Moment) {
    use crate::service::{self, SendResult};
    let policy = crate::Policy::default_policy();
    let invoice_id = format!("I{customer_id}");
    service::ingest_customer(store, &policy, &customer(customer_id), instant("2026-02-20"))
        .await
        .unwrap();
    service::ingest_invoice(
        store,
        &policy,
        &invoice(&invoice_id, customer_id, "2026-03-01", None),
        instant("2026-02-20"),
    )
    .await
    .unwrap();
    // The due-date reminder is planned and approved automatically
    let now = instant("2026-03-01");
    let pass = service::run_pass(store, &policy, now, false).await.unwrap();
    assert_eq!(pass.entries.len(), 1, "{pass:?}");
    let racing = Meddling {
        inner: store,
        moment,
        armed: std::sync::atomic::AtomicBool::new(true),
        pay: Some(crate::payment::PaymentEvent {
            id: format!("evt_race_{customer_id}"),
            change: crate::payment::PaymentChange::Received {
                amount: "100.00".parse().unwrap(),
                currency: Currency::from_code("USD").unwrap(),
                at: now,
            },
        }),
    };
    let mailer = CountingMailer::default();
    // WHEN the payment lands at that moment
    let results = service::send_approved(&racing, &mailer, &policy, now).await.unwrap();
    // THEN no message leaves, the reminder says why, and the invoice is paid
    assert_eq!(mailer.count(), 0, "{results:?}");
    assert!(
        matches!(&results[0].1, Ok(SendResult::Cancelled { .. })),
        "{moment:?}: {results:?}"
    );
    let reminder = store.reminder(&results[0].0).await.unwrap().unwrap();
    assert_eq!(reminder.status, ReminderStatus::Cancelled);
    let paid = store.invoice(&InvoiceId(invoice_id)).await.unwrap().unwrap();
    assert_eq!(paid.status, InvoiceStatus::Paid);
    assert!(
        service::run_pass(store, &policy, now, false)
            .await
            .unwrap()
            .entries
            .is_empty()
    );
}

pub async fn a_part_payment_racing_a_claim_is_planned_again_at_once<S: Store>(store: &S) {
    use crate::service::{self, SendResult};
    let policy = crate::Policy::default_policy();
    let reminder = approved_due_today(store, "P").await;
    let mut racing = Meddling::at(store, Moment::AfterClaim);
    racing.pay = Some(crate::payment::PaymentEvent {
        id: "evt_part_P".into(),
        change: crate::payment::PaymentChange::Received {
            amount: "40.00".parse().unwrap(),
            currency: Currency::from_code("USD").unwrap(),
            at: send_now(),
        },
    });
    let mailer = CountingMailer::default();
    // WHEN part of the invoice is paid between the sender's claim and its last look
    let results = service::send_approved(&racing, &mailer, &policy, send_now())
        .await
        .unwrap();
    // THEN the claimed one does not go out; the customer is planned again at once with what is still
    // owed, and the same run sends that, once
    assert!(
        matches!(
            &results[..],
            [(_, Ok(SendResult::Cancelled { .. })), (_, Ok(SendResult::Sent { .. }))]
        ),
        "{results:?}"
    );
    assert_eq!(mailer.count(), 1, "{results:?}");
    let again = store.reminder(&reminder.id).await.unwrap().unwrap();
    assert_eq!(again.status, ReminderStatus::Sent, "{again:?}");
    let balance = &again.draft.unwrap().context.invoices[0].balance;
    assert_eq!(balance, "$60.00");
}

/// Superseding cancels a waiting reminder, but never one a sender has claimed (it may be on its way).
pub async fn a_claimed_reminder_is_never_superseded<S: Store>(store: &S) {
    let now = instant("2026-03-01");
    let mut claimed = reminder("A", "due_today", &["I1"], ReminderStatus::Approved);
    store.insert_reminder(&claimed).await.unwrap();
    claimed
        .transition(ReminderStatus::Sending, now, &Actor::person("sender"), None)
        .unwrap();
    store
        .update_reminder(&claimed, ReminderStatus::Approved, &[])
        .await
        .unwrap();
    let waiting = reminder("A", "crossed_in_mail", &["I2"], ReminderStatus::PendingApproval);
    store.insert_reminder(&waiting).await.unwrap();
    let new = ReminderId("rem_new".into());

    let refused = crate::service::supersede(store, &claimed.id, &new, now).await;
    assert!(matches!(refused, Err(CoreError::Conflict(_))), "{refused:?}");
    let still = store.reminder(&claimed.id).await.unwrap().unwrap();
    assert_eq!(still.status, ReminderStatus::Sending);

    crate::service::supersede(store, &waiting.id, &new, now).await.unwrap();
    let superseded = store.reminder(&waiting.id).await.unwrap().unwrap();
    assert_eq!(superseded.status, ReminderStatus::Cancelled);
}

/// An auto-approved reminder due today for customer `id`'s invoice `I-{id}` (100.00, due Monday 2026-03-02), ready
/// for a sender at [`send_now`].
async fn approved_due_today<S: Store>(store: &S, id: &str) -> Reminder {
    let policy = crate::Policy::default_policy();
    crate::service::ingest_customer(store, &policy, &customer(id), instant("2026-02-20"))
        .await
        .unwrap();
    let due = invoice(&format!("I-{id}"), id, "2026-03-02", None);
    crate::service::ingest_invoice(store, &policy, &due, instant("2026-02-20"))
        .await
        .unwrap();
    let pass = crate::service::run_pass(store, &policy, send_now(), false)
        .await
        .unwrap();
    let reminder = store.reminder(&pass.entries[0].reminder_id).await.unwrap().unwrap();
    assert_eq!(reminder.status, ReminderStatus::Approved);
    reminder
}

fn send_now() -> DateTime<Utc> {
    instant("2026-03-02") + chrono::Duration::hours(6)
}

pub async fn an_unknown_outcome_is_failed_for_a_person_never_sent_twice<S: Store>(store: &S) {
    let policy = crate::Policy::default_policy();
    let reminder = approved_due_today(store, "A").await;
    // WHEN the mail provider times out after the request left
    let mailer = CountingMailer {
        unknown_outcome: true,
        ..Default::default()
    };
    let results = crate::service::send_approved(store, &mailer, &policy, send_now())
        .await
        .unwrap();
    // THEN the reminder is failed for a person to check, and no later run sends it again
    assert!(
        matches!(&results[0].1, Ok(crate::service::SendResult::Failed { .. })),
        "{results:?}"
    );
    let failed = store.reminder(&reminder.id).await.unwrap().unwrap();
    assert_eq!(failed.status, ReminderStatus::Failed);
    assert!(
        failed.failure.as_deref().unwrap().contains("may have accepted"),
        "{failed:?}"
    );
    let later = send_now() + chrono::Duration::hours(1);
    crate::service::send_approved(store, &mailer, &policy, later)
        .await
        .unwrap();
    assert_eq!(mailer.count(), 1);
}

pub async fn a_send_uses_the_reminder_as_it_is_now<S: Store>(store: &S) {
    let policy = crate::Policy::default_policy();
    approved_due_today(store, "A").await;
    // A paced send run lists the approved reminders, and reaches this one a while later
    let listed = store.reminders_with_status(ReminderStatus::Approved).await.unwrap();
    // WHEN meanwhile the accounting system adds the customer's PO number: the approval is void and the
    // same plan is approved again with the new content
    let mut with_po = store.invoice(&InvoiceId("I-A".into())).await.unwrap().unwrap();
    with_po.po_number = Some("PO-7731".into());
    let voided = crate::service::ingest_invoice(store, &policy, &with_po, send_now())
        .await
        .unwrap();
    assert_eq!(voided, vec![listed[0].id.clone()]);
    let mailer = CountingMailer::default();
    let result = crate::service::send_one(store, &mailer, &policy, listed[0].clone(), send_now(), None).await;
    // THEN what goes out is the content approved now, not the copy the run listed
    assert!(
        matches!(result, Ok(crate::service::SendResult::Sent { .. })),
        "{result:?}"
    );
    let text = mailer.sent.lock().unwrap()[0].text.clone();
    assert!(text.contains("PO-7731"), "{text}");
    let stored = store.reminder(&listed[0].id).await.unwrap().unwrap();
    assert_eq!(stored.status, ReminderStatus::Sent);
    assert_eq!(
        stored.approval.unwrap().content_hash,
        kindly_render::render(&stored.draft.unwrap().context)
            .unwrap()
            .content_hash
    );
}

pub async fn a_claim_from_a_copy_replaced_meanwhile_fails<S: Store>(store: &S) {
    let policy = crate::Policy::default_policy();
    let reminder = approved_due_today(store, "A").await;
    let meddling = Meddling::at(store, Moment::ReplacedBeforeClaim);
    let mailer = CountingMailer::default();
    // WHEN the reminder is voided and approved again with new content between the sender's read and its claim
    let results = crate::service::send_approved(&meddling, &mailer, &policy, send_now())
        .await
        .unwrap();
    // THEN the claim from the old copy fails, nothing goes out, and the new content stays approved
    assert_eq!(mailer.count(), 0, "{results:?}");
    let stored = store.reminder(&reminder.id).await.unwrap().unwrap();
    assert_eq!(stored.status, ReminderStatus::Approved, "{results:?}");
    assert!(stored.history.len() > reminder.history.len() + 1);
    // and the next run sends what is approved now
    crate::service::send_approved(store, &mailer, &policy, send_now())
        .await
        .unwrap();
    let text = mailer.sent.lock().unwrap()[0].text.clone();
    assert!(text.contains("PO-7731"), "{text}");
}

pub async fn a_sent_message_is_recorded_through_a_conflict<S: Store>(store: &S) {
    let policy = crate::Policy::default_policy();
    let reminder = approved_due_today(store, "A").await;
    let meddling = Meddling::at(store, Moment::RecordingSent);
    let mailer = CountingMailer::default();
    // WHEN recording the sent message first meets a conflict
    let results = crate::service::send_approved(&meddling, &mailer, &policy, send_now())
        .await
        .unwrap();
    // THEN it is recorded all the same: sent once, and the ladder moved on
    assert!(
        matches!(&results[0].1, Ok(crate::service::SendResult::Sent { .. })),
        "{results:?}"
    );
    assert_eq!(mailer.count(), 1);
    let sent = store.reminder(&reminder.id).await.unwrap().unwrap();
    assert_eq!(sent.status, ReminderStatus::Sent);
    let invoice = store.invoice(&InvoiceId("I-A".into())).await.unwrap().unwrap();
    assert_eq!(invoice.dunning.last_stage.as_deref(), Some("due_today"));
}

/// A day of operation as deployed: the daily pass at 06:00 in London (UTC in March), and a send run at the
/// quarter past every hour, inside the customers' business hours.
async fn operate_a_day<S: Store>(store: &S, policy: &crate::Policy, mailer: &CountingMailer, day: &str) {
    let midnight = instant(day) - chrono::Duration::hours(9);
    for hour in 0..24 {
        let at = midnight + chrono::Duration::hours(hour);
        if hour == 6 {
            crate::service::run_pass(store, policy, at, false).await.unwrap();
        }
        let quarter_past = at + chrono::Duration::minutes(15);
        crate::service::send_approved_within(store, mailer, policy, quarter_past, policy.sending_hours)
            .await
            .unwrap();
    }
}

pub async fn customers_far_west_and_east_are_reminded_on_their_own_day<S: Store>(store: &S) {
    let mut policy = crate::Policy::default_policy();
    policy.sending_hours = Some(crate::calendar::BusinessHours {
        from_hour: 9,
        to_hour: 17,
    });
    // Customers in Honolulu (UTC−10) and Kiritimati (UTC+14) each owe an invoice due on Monday 2026-03-16;
    // its courtesy note went out, and the auto-approved "due today" note is next
    for (id, zone) in [
        ("HNL", chrono_tz::Pacific::Honolulu),
        ("CXI", chrono_tz::Pacific::Kiritimati),
    ] {
        let mut far = customer(id);
        far.time_zone = zone;
        crate::service::ingest_customer(store, &policy, &far, instant("2026-03-01"))
            .await
            .unwrap();
        let mut due = invoice(&format!("I-{id}"), id, "2026-03-16", None);
        due.dunning.last_stage = Some("upcoming_due".into());
        due.dunning.last_tone = Some(Tone::Courteous);
        crate::service::ingest_invoice(store, &policy, &due, instant("2026-03-01"))
            .await
            .unwrap();
    }
    // WHEN kindly runs as deployed from Sunday to Tuesday (UTC)
    let mailer = CountingMailer::default();
    for day in ["2026-03-15", "2026-03-16", "2026-03-17"] {
        operate_a_day(store, &policy, &mailer, day).await;
    }
    // THEN each got the note once, on the due day in their own zone, and it was true that day
    let sent = mailer.sent.lock().unwrap().clone();
    assert_eq!(
        sent.len(),
        2,
        "{:?}",
        sent.iter().map(|email| &email.subject).collect::<Vec<_>>()
    );
    for id in ["HNL", "CXI"] {
        let reminders = store.reminders_of_customer(&CustomerId(id.into())).await.unwrap();
        let note = reminders
            .iter()
            .find(|reminder| reminder.stage_id == "due_today")
            .unwrap();
        assert_eq!(note.status, ReminderStatus::Sent, "{id}: {note:?}");
        assert_eq!(
            (note.planned_for, note.sent_on),
            (day("2026-03-16"), Some(day("2026-03-16"))),
            "{id}"
        );
        assert!(
            note.history.iter().all(|step| step.to != ReminderStatus::Cancelled),
            "{id}: {:?}",
            note.history
        );
    }
}

pub async fn a_failed_reminder_holds_the_ladder_until_a_person_resolves_it<S: Store>(store: &S) {
    let policy = crate::Policy::default_policy();
    // Two customers' due-day notes fail with an unknown outcome
    let went_out = approved_due_today(store, "A").await;
    let not_sent = approved_due_today(store, "B").await;
    let unknown = CountingMailer {
        unknown_outcome: true,
        ..Default::default()
    };
    crate::service::send_approved(store, &unknown, &policy, send_now())
        .await
        .unwrap();
    // Three days on, the next stage is due, but a failure waits for a person: nothing is planned
    let later = send_now() + chrono::Duration::days(3);
    let held = crate::service::run_pass(store, &policy, later, false).await.unwrap();
    assert!(held.entries.is_empty(), "{held:?}");
    assert!(
        held.held
            .iter()
            .all(|(_, why)| matches!(why, crate::planner::HoldReason::AwaitingResolution(_))),
        "{held:?}"
    );
    // WHEN staff find A's message in the provider's log, and not B's
    let resolve = |id: ReminderId, resolution| {
        let policy = policy.clone();
        async move {
            crate::service::resolve(store, &policy, &id, "pat", resolution, None, later)
                .await
                .unwrap()
        }
    };
    let a = resolve(went_out.id.clone(), crate::service::Resolution::WentOut).await;
    let b = resolve(not_sent.id.clone(), crate::service::Resolution::NotSent).await;
    // THEN A's note counts as sent and A's ladder moves on; B's is planned again by the next pass
    assert_eq!((a.status, b.status), (ReminderStatus::Sent, ReminderStatus::Cancelled));
    let a_invoice = store.invoice(&InvoiceId("I-A".into())).await.unwrap().unwrap();
    assert_eq!(a_invoice.dunning.last_stage.as_deref(), Some("due_today"));
    let again = crate::service::run_pass(store, &policy, later, false).await.unwrap();
    let planned: Vec<&str> = again.entries.iter().map(|entry| entry.customer_id.0.as_str()).collect();
    assert_eq!(planned, ["A", "B"], "{again:?}");
    assert!(again.entries.iter().all(|entry| entry.reminder_id != went_out.id));
    // and resolving twice is refused
    let twice = crate::service::resolve(
        store,
        &policy,
        &went_out.id,
        "pat",
        crate::service::Resolution::NotSent,
        None,
        later,
    )
    .await;
    assert!(matches!(twice, Err(CoreError::WrongStatus { .. })), "{twice:?}");
}

pub async fn a_send_run_stamps_claims_when_made_and_stops_at_its_deadline<S: Store>(store: &S) {
    let policy = crate::Policy::default_policy();
    let first = approved_due_today(store, "A").await;
    let second = approved_due_today(store, "B").await;
    // A clock that moves a minute each time it is read, from send_now()
    let reads = std::sync::atomic::AtomicI64::new(0);
    let clock = || send_now() + chrono::Duration::minutes(reads.fetch_add(1, std::sync::atomic::Ordering::SeqCst));
    let deadline = send_now() + chrono::Duration::seconds(90);
    let mailer = CountingMailer::default();
    // WHEN a run starts at send_now() with its deadline a minute and a half later
    let results = crate::service::send_approved_until(store, &mailer, &policy, &clock, None, Some(deadline))
        .await
        .unwrap();
    // THEN the first reminder, reached a minute in, went out and its claim says when it was made; the
    // second, reached past the deadline, was not started and waits for the next run
    assert_eq!(results.len(), 1, "{results:?}");
    let sent = store.reminder(&first.id).await.unwrap().unwrap();
    assert_eq!(sent.status, ReminderStatus::Sent);
    let claimed = sent
        .history
        .iter()
        .find(|step| step.to == ReminderStatus::Sending)
        .unwrap();
    assert_eq!(claimed.at, send_now() + chrono::Duration::minutes(1));
    let waiting = store.reminder(&second.id).await.unwrap().unwrap();
    assert_eq!(waiting.status, ReminderStatus::Approved);
    assert_eq!(mailer.count(), 1);
}
