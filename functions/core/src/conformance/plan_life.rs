//! Payment plans kept by the pass on every store: made by staff or asked for by a customer, a note before
//! each instalment, one reminder after a miss, a break that puts the ladder back where it stood and says
//! why, and a plan paid off.

use crate::error::CoreError;
use crate::fixtures::{customer, day, instant, invoice};
use crate::instalments::{Frequency, PlanState, PlanTerms};
use crate::invoice::{Invoice, InvoiceId, InvoiceStatus};
use crate::payment::{PaymentChange, PaymentEvent};
use crate::ports::Store;
use crate::reminder::Reminder;
use crate::service::{
    MadePlan, PlanMaker, apply_payment_event, do_task, ingest_customer, ingest_invoice, make_plan, open_tasks, run_pass,
};
use crate::status::ReminderStatus;
use crate::tasks::{TaskAction, TaskKind};

fn ids(names: &[&str]) -> Vec<InvoiceId> {
    names.iter().map(|name| InvoiceId((*name).into())).collect()
}

fn terms(count: u32, frequency: Frequency, first: &str) -> PlanTerms {
    PlanTerms {
        count,
        frequency,
        first: day(first),
    }
}

async fn stored<S: Store>(store: &S, id: &str) -> Invoice {
    store.invoice(&InvoiceId(id.into())).await.unwrap().unwrap()
}

async fn reminder<S: Store>(store: &S, id: &crate::reminder::ReminderId) -> Reminder {
    store.reminder(id).await.unwrap().unwrap()
}

fn text(reminder: &Reminder) -> String {
    let draft = reminder.draft.as_ref().expect("a message");
    kindly_render::render(&draft.context).unwrap().text
}

/// Customer `id` with invoices of 100.00 due on `dues`, as of `on`.
async fn owing<S: Store>(store: &S, id: &str, dues: &[(&str, &str)], on: &str) {
    let policy = crate::Policy::default_policy();
    ingest_customer(store, &policy, &customer(id), instant(on))
        .await
        .unwrap();
    for (invoice_id, due) in dues {
        ingest_invoice(store, &policy, &invoice(invoice_id, id, due, None), instant(on))
            .await
            .unwrap();
    }
}

pub async fn a_plan_takes_invoices_off_the_ladder_notes_each_instalment_and_a_break_resumes_it<S: Store>(store: &S) {
    let policy = crate::Policy::default_policy();
    owing(store, "P", &[("P1", "2026-02-01"), ("P2", "2026-02-10")], "2026-03-02").await;
    let staff = PlanMaker::Staff {
        name: "sam".into(),
        task: None,
    };
    // Bad input names the field and changes nothing.
    // (Staff naming no invoice take everything owed; a customer must tick one.)
    for (invoices, first, maker, field) in [
        (vec!["P1", "NOPE"], "2026-03-09", staff.clone(), "invoices"),
        (vec![], "2026-03-09", PlanMaker::Customer, "invoices"),
        (vec!["P1"], "2026-03-01", staff.clone(), "first"),
    ] {
        let refused = make_plan(
            store,
            &policy,
            &customer("P").id,
            &ids(&invoices),
            &terms(2, Frequency::Weekly, first),
            maker,
            instant("2026-03-02"),
        )
        .await;
        assert!(
            matches!(&refused, Err(CoreError::InvalidField { field: named, .. }) if *named == field),
            "{refused:?}"
        );
    }
    assert_eq!(stored(store, "P1").await.status, InvoiceStatus::Open);
    // WHEN staff agree 200.00 in two weekly instalments from Monday March 9th
    let plan_terms = terms(2, Frequency::Weekly, "2026-03-09");
    let made = make_plan(
        store,
        &policy,
        &customer("P").id,
        &ids(&["P1", "P2"]),
        &plan_terms,
        staff.clone(),
        instant("2026-03-02"),
    )
    .await
    .unwrap();
    assert_eq!(made.plan.state, PlanState::Active);
    // The same again (a retried request) is the same plan.
    let again = make_plan(
        store,
        &policy,
        &customer("P").id,
        &ids(&["P2", "P1"]),
        &plan_terms,
        staff,
        instant("2026-03-02"),
    )
    .await
    .unwrap();
    assert_eq!(again.plan.id, made.plan.id);
    // THEN both invoices are off the ladder and the pass asks nothing of them
    for id in ["P1", "P2"] {
        let on_plan = stored(store, id).await;
        assert_eq!(on_plan.status, InvoiceStatus::OnPaymentPlan);
        assert_eq!(
            on_plan.bookkeeping.plan.as_ref().map(|link| &link.id),
            Some(&made.plan.id)
        );
    }
    let quiet = run_pass(store, &policy, instant("2026-03-02"), false).await.unwrap();
    assert!(quiet.entries.is_empty() && quiet.plans.notes.is_empty(), "{quiet:?}");
    // The accounting system's copy saying "open" leaves the plan as it is.
    ingest_invoice(
        store,
        &policy,
        &invoice("P2", "P", "2026-02-10", None),
        instant("2026-03-03"),
    )
    .await
    .unwrap();
    assert_eq!(stored(store, "P2").await.status, InvoiceStatus::OnPaymentPlan);

    // Two business days before the 9th: a gentle note, approved at once, said once.
    let noted = run_pass(store, &policy, instant("2026-03-05"), false).await.unwrap();
    assert_eq!(noted.plans.notes.len(), 1, "{noted:?}");
    let note = reminder(store, &noted.plans.notes[0]).await;
    assert_eq!(
        (note.stage_id.as_str(), note.status),
        ("instalment_note", ReminderStatus::Approved)
    );
    assert!(text(&note).contains("instalment 1 of 2"), "{}", text(&note));
    let twice = run_pass(store, &policy, instant("2026-03-06"), false).await.unwrap();
    assert!(twice.plans.notes.is_empty());

    // The first instalment paid through the processor on P1: the second is next, noted on the 12th.
    let paid = PaymentEvent {
        id: "pi_p1:received".into(),
        change: PaymentChange::Received {
            amount: "100".parse().unwrap(),
            currency: crate::Currency::from_code("USD").unwrap(),
            at: instant("2026-03-09"),
        },
    };
    apply_payment_event(store, &policy, &InvoiceId("P1".into()), &paid, instant("2026-03-09"))
        .await
        .unwrap();
    assert_eq!(stored(store, "P1").await.status, InvoiceStatus::Paid);
    let waiting = run_pass(store, &policy, instant("2026-03-10"), false).await.unwrap();
    assert!(waiting.plans.notes.is_empty() && waiting.entries.is_empty());
    let second = run_pass(store, &policy, instant("2026-03-12"), false).await.unwrap();
    let note = reminder(store, &second.plans.notes[0]).await;
    assert_eq!(note.invoice_ids(), ids(&["P2"]), "only what is still owed");
    assert!(text(&note).contains("instalment 2 of 2"));

    // Missed on the 16th: one courteous reminder the next day, naming the day the plan would end.
    let missed = run_pass(store, &policy, instant("2026-03-17"), false).await.unwrap();
    let reminder_after = reminder(store, &missed.plans.notes[0]).await;
    assert_eq!(reminder_after.stage_id, "instalment_missed");
    assert!(
        text(&reminder_after).contains("March 30, 2026"),
        "{}",
        text(&reminder_after)
    );
    let once = run_pass(store, &policy, instant("2026-03-18"), false).await.unwrap();
    assert!(once.plans.notes.is_empty() && once.entries.is_empty());
    let still = run_pass(store, &policy, instant("2026-03-30"), false).await.unwrap();
    assert!(still.plans.broken.is_empty());

    // Still unpaid 14 days after its day: the plan breaks, P2 is back on the ladder where it stood, and the
    // message says why.
    let broken = run_pass(store, &policy, instant("2026-03-31"), false).await.unwrap();
    assert_eq!(broken.plans.broken, std::slice::from_ref(&made.plan.id));
    let back = stored(store, "P2").await;
    assert_eq!(back.status, InvoiceStatus::Open);
    let link = back.bookkeeping.plan.clone().unwrap();
    assert_eq!((link.state, link.missed), (PlanState::Broken, Some(day("2026-03-16"))));
    // Planned again at once, as any invoice reopened.
    let ladder: Vec<Reminder> = store
        .reminders_of_customer(&customer("P").id)
        .await
        .unwrap()
        .into_iter()
        .filter(|reminder| !reminder.is_off_ladder() && reminder.status.is_waiting())
        .collect();
    let [resumed] = ladder.as_slice() else {
        panic!("the ladder resumes with one message: {ladder:?} {broken:?}");
    };
    assert!(text(resumed).contains("payment plan"), "{}", text(resumed));
    assert_eq!(
        store.plan(&made.plan.id).await.unwrap().unwrap().state,
        PlanState::Broken
    );
}

pub async fn a_customer_chooses_a_plan_within_the_limits_and_staff_decide_one_outside<S: Store>(store: &S) {
    let policy = crate::Policy::default_policy();
    owing(store, "Q", &[("Q1", "2026-02-01")], "2026-03-02").await;
    owing(store, "R", &[("R1", "2026-02-01")], "2026-03-02").await;
    owing(store, "L", &[("L1", "2026-02-01")], "2026-03-02").await;
    // Within the limits: agreed at once.
    let within: MadePlan = make_plan(
        store,
        &policy,
        &customer("Q").id,
        &ids(&["Q1"]),
        &terms(2, Frequency::Fortnightly, "2026-03-16"),
        PlanMaker::Customer,
        instant("2026-03-02"),
    )
    .await
    .unwrap();
    assert_eq!((within.plan.state, within.task.is_none()), (PlanState::Active, true));
    assert!(within.plan.asked_by_customer);
    assert_eq!(stored(store, "Q1").await.status, InvoiceStatus::OnPaymentPlan);
    // Asked again for the same invoice in other terms: refused, naming the invoices.
    let twice = make_plan(
        store,
        &policy,
        &customer("Q").id,
        &ids(&["Q1"]),
        &terms(3, Frequency::Weekly, "2026-03-16"),
        PlanMaker::Customer,
        instant("2026-03-02"),
    )
    .await;
    assert!(
        matches!(twice, Err(CoreError::InvalidField { field: "invoices", .. })),
        "{twice:?}"
    );

    // Outside (instalments of 10.00, below the smallest of 50.00): a task for staff; the ladder is as it was.
    let outside = make_plan(
        store,
        &policy,
        &customer("R").id,
        &ids(&["R1"]),
        &terms(10, Frequency::Weekly, "2026-03-09"),
        PlanMaker::Customer,
        instant("2026-03-02"),
    )
    .await
    .unwrap();
    assert_eq!(outside.plan.state, PlanState::Requested);
    assert!(
        outside
            .outside_limits
            .as_deref()
            .unwrap_or_default()
            .starts_with("instalments")
    );
    assert_eq!(stored(store, "R1").await.status, InvoiceStatus::Open);
    let task = outside.task.clone().expect("a task");
    let inbox = open_tasks(store, &policy, instant("2026-03-02")).await.unwrap();
    let listed = inbox.open.iter().find(|listed| listed.id == task.0).expect("listed");
    assert_eq!(listed.kind, TaskKind::PlanRequest);
    assert_eq!(listed.actions, [TaskAction::AgreePlan, TaskAction::DeclinePlan]);
    // WHEN staff agree it THEN it runs as asked and the task is done
    let done = do_task(
        store,
        &policy,
        &task.0,
        TaskAction::AgreePlan,
        None,
        None,
        None,
        "sam",
        instant("2026-03-03"),
    )
    .await
    .unwrap();
    assert!(done.done.is_some());
    let agreed = store.plan(&outside.plan.id).await.unwrap().unwrap();
    assert_eq!(agreed.state, PlanState::Active);
    assert_eq!(stored(store, "R1").await.status, InvoiceStatus::OnPaymentPlan);
    assert_eq!(agreed.instalments, outside.plan.instalments, "agreed in time: as asked");

    // Q pays everything through the accounting system: paid, and the plan is completed at its next look.
    let mut paid = invoice("Q1", "Q", "2026-02-01", None);
    paid.paid = paid.total;
    paid.status = InvoiceStatus::Paid;
    ingest_invoice(store, &policy, &paid, instant("2026-03-10"))
        .await
        .unwrap();
    assert_eq!(stored(store, "Q1").await.status, InvoiceStatus::Paid);
    let pass = run_pass(store, &policy, instant("2026-03-12"), false).await.unwrap();
    assert_eq!(pass.plans.completed, std::slice::from_ref(&within.plan.id), "{pass:?}");
    assert_eq!(store.plan(&within.plan.id).await.unwrap().unwrap().next_check, None);

    // A request staff decide only after its first instalment's day: the plan does not start in arrears, but
    // once the customer has had the note before its first instalment, keeping amounts and spacing.
    let late = make_plan(
        store,
        &policy,
        &customer("L").id,
        &ids(&["L1"]),
        &terms(10, Frequency::Weekly, "2026-03-09"),
        PlanMaker::Customer,
        instant("2026-03-02"),
    )
    .await
    .unwrap();
    let late_task = late.task.clone().expect("a task");
    // Wednesday 11 March: the first instalment (Monday 9 March) has passed.
    do_task(
        store,
        &policy,
        &late_task.0,
        TaskAction::AgreePlan,
        None,
        None,
        None,
        "sam",
        instant("2026-03-11"),
    )
    .await
    .unwrap();
    let running = store.plan(&late.plan.id).await.unwrap().unwrap();
    let dues: Vec<chrono::NaiveDate> = running.instalments.iter().map(|instalment| instalment.due).collect();
    assert_eq!(
        (dues.first().copied(), dues.get(1).copied(), dues.len()),
        (Some(day("2026-03-16")), Some(day("2026-03-23")), 10),
        "{dues:?}"
    );
    let amounts = |plan: &crate::instalments::PaymentPlan| -> Vec<_> {
        plan.instalments.iter().map(|instalment| instalment.amount).collect()
    };
    assert_eq!(amounts(&running), amounts(&late.plan));
    // Its note goes out the next day; no instalment is missed.
    let next_day = run_pass(store, &policy, instant("2026-03-12"), false).await.unwrap();
    let notes: Vec<String> = store
        .reminders_of_customer(&customer("L").id)
        .await
        .unwrap()
        .into_iter()
        .filter(|reminder| reminder.stage_id.starts_with("instalment"))
        .map(|reminder| reminder.stage_id)
        .collect();
    assert_eq!(notes, [crate::policy::INSTALMENT_NOTE_STAGE], "{next_day:?}");
}
