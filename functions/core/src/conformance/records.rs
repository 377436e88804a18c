//! The store's own contract: round trips, the action index, conditional writes, the event ledger.

use crate::actor::Actor;
use crate::customer::{Contact, CustomerId};
use crate::error::CoreError;
use crate::fixtures::{customer, day, instant, invoice, reminder};
use crate::invoice::{DunningProgress, InvoiceId, InvoiceStatus};
use crate::ports::{Inserted, Store};
use crate::reminder::ReminderId;
use crate::status::ReminderStatus;
use crate::tone::Tone;

fn sorted<T, K: Ord>(mut items: Vec<T>, key: impl Fn(&T) -> K) -> Vec<T> {
    items.sort_by_key(key);
    items
}

pub async fn customers_round_trip<S: Store>(store: &S) {
    let mut acme = customer("ACME");
    acme.escalation_contact = Some(Contact {
        salutation: None,
        surname: None,
        name: Some("Fran Finance".into()),
        email: "cfo@acme.example".into(),
        phone: Some("+1 555 0100".into()),
        bounced: false,
        standing: Default::default(),
    });
    acme.country = Some(crate::holidays::Country::from_code("AT").unwrap());
    acme.business_hours = Some(crate::calendar::BusinessHours {
        from_hour: 8,
        to_hour: 16,
    });
    store.put_customer(&acme).await.unwrap();
    store.put_customer(&customer("GLOBEX")).await.unwrap();
    assert_eq!(store.customer(&acme.id).await.unwrap(), Some(acme.clone()));
    assert_eq!(store.customer(&CustomerId("NOPE".into())).await.unwrap(), None);
    let found = store
        .customers(&[acme.id.clone(), CustomerId("NOPE".into()), CustomerId("GLOBEX".into())])
        .await
        .unwrap();
    let found = sorted(found, |c| c.id.clone());
    assert_eq!(
        found.iter().map(|c| c.id.0.as_str()).collect::<Vec<_>>(),
        ["ACME", "GLOBEX"]
    );
    acme.display_name = "Acme (renamed)".into();
    store.put_customer(&acme).await.unwrap();
    assert_eq!(
        store.customer(&acme.id).await.unwrap().unwrap().display_name,
        "Acme (renamed)"
    );
}

pub async fn invoices_round_trip<S: Store>(store: &S) {
    let mut first = invoice("I1", "ACME", "2026-03-01", Some("2026-03-04"));
    first.dunning.last_stage = Some("due_today".into());
    first.dunning.last_tone = Some(Tone::Courteous);
    first.po_number = Some("PO-7".into());
    first.paid = "25.50".parse().unwrap();
    store.put_invoice(&first).await.unwrap();
    store
        .put_invoice(&invoice("I2", "ACME", "2026-03-05", None))
        .await
        .unwrap();
    store
        .put_invoice(&invoice("I3", "GLOBEX", "2026-03-05", None))
        .await
        .unwrap();
    assert_eq!(store.invoice(&first.id).await.unwrap(), Some(first.clone()));
    assert_eq!(store.invoice(&InvoiceId("NOPE".into())).await.unwrap(), None);
    let some = store
        .invoices(&[InvoiceId("I3".into()), InvoiceId("NOPE".into()), first.id.clone()])
        .await
        .unwrap();
    assert_eq!(
        sorted(some, |i| i.id.clone())
            .iter()
            .map(|i| i.id.0.as_str())
            .collect::<Vec<_>>(),
        ["I1", "I3"]
    );
    let of_acme = store.invoices_of_customer(&CustomerId("ACME".into())).await.unwrap();
    assert_eq!(
        sorted(of_acme, |i| i.id.clone())
            .iter()
            .map(|i| i.id.0.as_str())
            .collect::<Vec<_>>(),
        ["I1", "I2"]
    );
}

pub async fn action_index_holds_only_open_due_invoices<S: Store>(store: &S) {
    store
        .put_invoice(&invoice("EARLY", "A", "2026-03-01", Some("2026-03-04")))
        .await
        .unwrap();
    store
        .put_invoice(&invoice("ONDAY", "A", "2026-03-02", Some("2026-03-05")))
        .await
        .unwrap();
    store
        .put_invoice(&invoice("LATER", "B", "2026-03-03", Some("2026-03-06")))
        .await
        .unwrap();
    store
        .put_invoice(&invoice("DONE", "B", "2026-01-01", None))
        .await
        .unwrap();
    let mut disputed = invoice("DISPUTED", "C", "2026-03-01", Some("2026-03-01"));
    disputed.status = InvoiceStatus::Disputed;
    store.put_invoice(&disputed).await.unwrap();
    let due = store.invoices_needing_action(day("2026-03-05")).await.unwrap();
    let ids: Vec<String> = sorted(due, |i| i.id.clone()).into_iter().map(|i| i.id.0).collect();
    assert_eq!(
        ids,
        ["EARLY", "ONDAY"],
        "only open invoices whose next action is on or before the day"
    );
    // Paying an invoice takes it out of the index.
    let mut paid = invoice("EARLY", "A", "2026-03-01", Some("2026-03-04"));
    paid.status = InvoiceStatus::Paid;
    store.put_invoice(&paid).await.unwrap();
    let due = store.invoices_needing_action(day("2026-03-05")).await.unwrap();
    assert_eq!(due.iter().map(|i| i.id.0.as_str()).collect::<Vec<_>>(), ["ONDAY"]);
}

pub async fn unsettled_excludes_settled<S: Store>(store: &S) {
    for (id, status) in [
        ("OPEN", InvoiceStatus::Open),
        ("PAID", InvoiceStatus::Paid),
        ("VOID", InvoiceStatus::Void),
        ("OFF", InvoiceStatus::WrittenOff),
        ("AGENCY", InvoiceStatus::HandedOver),
        ("DISPUTED", InvoiceStatus::Disputed),
        ("PLAN", InvoiceStatus::OnPaymentPlan),
    ] {
        let mut record = invoice(id, "A", "2026-03-01", None);
        record.status = status;
        store.put_invoice(&record).await.unwrap();
    }
    let unsettled = store.unsettled_invoices().await.unwrap();
    let ids: Vec<String> = sorted(unsettled, |i| i.id.clone())
        .into_iter()
        .map(|i| i.id.0)
        .collect();
    // Written off and handed over stay for the reports, which count them apart.
    assert_eq!(ids, ["AGENCY", "DISPUTED", "OFF", "OPEN", "PLAN"]);
}

pub async fn insert_reminder_is_conditional<S: Store>(store: &S) {
    let first = reminder("A", "due_today", &["I1", "I2"], ReminderStatus::PendingApproval);
    assert_eq!(store.insert_reminder(&first).await.unwrap(), Inserted::New);
    let mut second = first.clone();
    second.status = ReminderStatus::Approved;
    second.task = Some("something else".into());
    assert_eq!(store.insert_reminder(&second).await.unwrap(), Inserted::AlreadyExists);
    assert_eq!(
        store.reminder(&first.id).await.unwrap(),
        Some(first),
        "a second insert changes nothing"
    );
    assert_eq!(store.reminder(&ReminderId("rem_nope".into())).await.unwrap(), None);
}

pub async fn reminders_are_listed<S: Store>(store: &S) {
    let pending = reminder("A", "due_today", &["I1"], ReminderStatus::PendingApproval);
    let approved = reminder("A", "crossed_in_mail", &["I1"], ReminderStatus::Approved);
    let other = reminder("B", "due_today", &["I9"], ReminderStatus::Approved);
    for r in [&pending, &approved, &other] {
        store.insert_reminder(r).await.unwrap();
    }
    let of_a = store.reminders_of_customer(&CustomerId("A".into())).await.unwrap();
    assert_eq!(
        sorted(of_a, |r| r.id.clone()),
        sorted(vec![pending.clone(), approved.clone()], |r| r.id.clone())
    );
    let approved_all = store.reminders_with_status(ReminderStatus::Approved).await.unwrap();
    assert_eq!(
        sorted(approved_all, |r| r.id.clone()),
        sorted(vec![approved, other], |r| r.id.clone())
    );
    assert!(
        store
            .reminders_with_status(ReminderStatus::Sent)
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn update_reminder_is_conditional<S: Store>(store: &S) {
    store
        .put_invoice(&invoice("I1", "A", "2026-03-01", Some("2026-03-04")))
        .await
        .unwrap();
    let mut stored = reminder("A", "due_today", &["I1"], ReminderStatus::Approved);
    store.insert_reminder(&stored).await.unwrap();
    stored
        .transition(
            ReminderStatus::Sending,
            instant("2026-03-10"),
            &Actor::person("test"),
            None,
        )
        .unwrap();
    let progress = DunningProgress {
        last_stage: Some("due_today".into()),
        last_tone: Some(Tone::Courteous),
        last_reminded_on: Some(day("2026-03-10")),
        next_action_on: Some(day("2026-03-13")),
        snoozed_until: None,
        discount_note_on: None,
    };
    // Wrong expectation: nothing changes, not even the invoice progress.
    let wrong = store
        .update_reminder(
            &stored,
            ReminderStatus::PendingApproval,
            &[(InvoiceId("I1".into()), progress.clone())],
        )
        .await;
    assert!(
        matches!(wrong, Err(CoreError::Conflict(_))),
        "expected a conflict, got {wrong:?}"
    );
    assert_eq!(
        store.reminder(&stored.id).await.unwrap().unwrap().status,
        ReminderStatus::Approved
    );
    assert_eq!(
        store
            .invoice(&InvoiceId("I1".into()))
            .await
            .unwrap()
            .unwrap()
            .dunning
            .last_stage,
        None
    );
    // Right expectation: reminder and progress change together.
    store
        .update_reminder(
            &stored,
            ReminderStatus::Approved,
            &[(InvoiceId("I1".into()), progress.clone())],
        )
        .await
        .unwrap();
    assert_eq!(store.reminder(&stored.id).await.unwrap(), Some(stored.clone()));
    assert_eq!(
        store.invoice(&InvoiceId("I1".into())).await.unwrap().unwrap().dunning,
        progress
    );
    assert!(
        store
            .invoices_needing_action(day("2026-03-12"))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.invoices_needing_action(day("2026-03-13")).await.unwrap().len(), 1);
    // A reminder that does not exist cannot be updated.
    let ghost = reminder("Z", "x", &[], ReminderStatus::Approved);
    assert!(
        store
            .update_reminder(&ghost, ReminderStatus::Approved, &[])
            .await
            .is_err()
    );
}

pub async fn progress_never_overwrites_status<S: Store>(store: &S) {
    let mut paid = invoice("I1", "A", "2026-03-01", None);
    paid.status = InvoiceStatus::Paid;
    paid.paid = paid.total;
    store.put_invoice(&paid).await.unwrap();
    let mut sending = reminder("A", "due_today", &["I1"], ReminderStatus::Sending);
    store.insert_reminder(&sending).await.unwrap();
    sending
        .transition(
            ReminderStatus::Sent,
            instant("2026-03-10"),
            &Actor::person("test"),
            None,
        )
        .unwrap();
    let progress = DunningProgress {
        next_action_on: Some(day("2026-03-13")),
        ..Default::default()
    };
    store
        .update_reminder(&sending, ReminderStatus::Sending, &[(InvoiceId("I1".into()), progress)])
        .await
        .unwrap();
    let after = store.invoice(&InvoiceId("I1".into())).await.unwrap().unwrap();
    assert_eq!(
        after.status,
        InvoiceStatus::Paid,
        "a payment recorded meanwhile must survive"
    );
    assert_eq!(after.paid, paid.total);
    assert!(
        store
            .invoices_needing_action(day("2026-12-31"))
            .await
            .unwrap()
            .is_empty(),
        "a paid invoice never enters the action index"
    );
}

pub async fn one_claim_wins<S: Store>(store: &S) {
    let approved = reminder("A", "due_today", &["I1"], ReminderStatus::Approved);
    store.insert_reminder(&approved).await.unwrap();
    let claim = |by: &'static str| {
        let mut mine = approved.clone();
        mine.transition(ReminderStatus::Sending, instant("2026-03-10"), &Actor::person(by), None)
            .unwrap();
        async move { store.update_reminder(&mine, ReminderStatus::Approved, &[]).await }
    };
    let (first, second) = futures::join!(claim("first"), claim("second"));
    assert_eq!(
        [first.is_ok(), second.is_ok()].iter().filter(|ok| **ok).count(),
        1,
        "exactly one claim wins: {first:?} / {second:?}"
    );
}

pub async fn replace_invoice_is_conditional_on_its_revision<S: Store>(store: &S) {
    let mut first = invoice("I1", "A", "2026-03-01", Some("2026-02-24"));
    store.replace_invoice(&first, None).await.unwrap();
    assert!(
        matches!(store.replace_invoice(&first, None).await, Err(CoreError::Conflict(_))),
        "`None` creates, never replaces"
    );
    // A write from revision 0 to 1 succeeds once; a second writer that also read revision 0 conflicts
    first.paid = "40.00".parse().unwrap();
    first.bookkeeping.revision = 1;
    store.replace_invoice(&first, Some(0)).await.unwrap();
    let mut stale = first.clone();
    stale.paid = "70.00".parse().unwrap();
    assert!(matches!(
        store.replace_invoice(&stale, Some(0)).await,
        Err(CoreError::Conflict(_))
    ));
    let stored = store.invoice(&first.id).await.unwrap().unwrap();
    assert_eq!((stored.paid, stored.bookkeeping.revision), (first.paid, 1));
    // Closing it takes it out of the action index, as put_invoice would
    let mut paid = stored.clone();
    paid.status = InvoiceStatus::Paid;
    paid.bookkeeping.revision = 2;
    store.replace_invoice(&paid, Some(1)).await.unwrap();
    assert!(
        store
            .invoices_needing_action(day("2026-12-31"))
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn progress_moves_the_revision_on<S: Store>(store: &S) {
    let open = invoice("I1", "A", "2026-03-01", Some("2026-03-01"));
    store.replace_invoice(&open, None).await.unwrap();
    let mut sending = reminder("A", "due_today", &["I1"], ReminderStatus::Sending);
    store.insert_reminder(&sending).await.unwrap();
    sending
        .transition(
            ReminderStatus::Sent,
            instant("2026-03-01"),
            &Actor::person("test"),
            None,
        )
        .unwrap();
    let progress = DunningProgress {
        last_stage: Some("due_today".into()),
        next_action_on: Some(day("2026-03-04")),
        ..Default::default()
    };
    store
        .update_reminder(
            &sending,
            ReminderStatus::Sending,
            &[(open.id.clone(), progress.clone())],
        )
        .await
        .unwrap();
    // A payment computed from the invoice as it was before the send must not overwrite the progress
    let mut from_before = open.clone();
    from_before.paid = "10.00".parse().unwrap();
    from_before.bookkeeping.revision = 1;
    assert!(matches!(
        store.replace_invoice(&from_before, Some(0)).await,
        Err(CoreError::Conflict(_))
    ));
    let stored = store.invoice(&open.id).await.unwrap().unwrap();
    assert_eq!(stored.dunning, progress);
    assert_eq!(stored.bookkeeping.revision, 1);
}

pub async fn events_are_recorded_once<S: Store>(store: &S) {
    let now = instant("2026-03-01");
    let later = now + chrono::Duration::days(30);
    assert!(!store.event_recorded("evt_1", now).await.unwrap());
    assert_eq!(store.record_event("evt_1", later, now).await.unwrap(), Inserted::New);
    assert_eq!(
        store.record_event("evt_1", later, now).await.unwrap(),
        Inserted::AlreadyExists
    );
    assert!(store.event_recorded("evt_1", now).await.unwrap());
    assert!(!store.event_recorded("evt_2", now).await.unwrap());
    // Past its time to live an entry is gone, and the id may be recorded again
    let after_expiry = later + chrono::Duration::seconds(1);
    assert!(!store.event_recorded("evt_1", after_expiry).await.unwrap());
    assert_eq!(
        store
            .record_event("evt_1", after_expiry + chrono::Duration::days(30), after_expiry)
            .await
            .unwrap(),
        Inserted::New
    );
}

pub async fn invoices_are_found_by_payment_reference<S: Store>(store: &S) {
    let mut first = invoice("I1", "A", "2026-03-01", None);
    first.payment_reference = Some("in_1".into());
    store.put_invoice(&first).await.unwrap();
    let mut second = invoice("I2", "A", "2026-03-01", None);
    second.payment_reference = Some("in_2".into());
    store.replace_invoice(&second, None).await.unwrap();
    store
        .put_invoice(&invoice("I3", "A", "2026-03-01", None))
        .await
        .unwrap();
    let found = |reference: &'static str| async move {
        store
            .invoice_id_by_payment_reference(reference)
            .await
            .unwrap()
            .map(|id| id.0)
    };
    assert_eq!(found("in_1").await.as_deref(), Some("I1"));
    assert_eq!(found("in_2").await.as_deref(), Some("I2"));
    assert_eq!(found("in_3").await, None);
}
