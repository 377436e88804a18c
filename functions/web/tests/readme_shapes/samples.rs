//! A sample of every wire struct, keyed by the route and side the README documents it under.

use crate::Side;
use chrono::{DateTime, NaiveDate, Utc};
use kindly_core::{Currency, InvoiceStatus, ReminderStatus, Tone};
use kindly_render::{Mailbox, MessageContext};
use kindly_web::wire::*;
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

fn json(value: impl Serialize) -> Value {
    serde_json::to_value(value).unwrap()
}

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 16).unwrap()
}

fn instant() -> DateTime<Utc> {
    day().and_hms_opt(12, 0, 0).unwrap().and_utc()
}

fn customer() -> CustomerRef {
    CustomerRef {
        id: "C1".into(),
        name: "Acme GmbH".into(),
    }
}

fn status_change() -> StatusChange {
    StatusChange {
        id: "rem_1".into(),
        status: ReminderStatus::Skipped,
    }
}

fn summary() -> DraftSummary {
    let mailbox = Mailbox {
        name: "Accounts".into(),
        email: "ap@acme.example".into(),
    };
    DraftSummary {
        id: "rem_1".into(),
        status: ReminderStatus::PendingApproval,
        stage_id: "firm_reminder".into(),
        tone: Tone::Firm,
        planned_for: day(),
        created_at: instant(),
        customer: customer(),
        subject: "Invoice INV-1".into(),
        content_hash: Some("abc".into()),
        to: vec![mailbox.clone()],
        cc: vec![mailbox],
        totals: vec!["$1.00".into()],
        currencies: BTreeSet::from(["USD".into()]),
        max_days_overdue: 14,
        invoices: vec![InvoiceLine {
            number: "INV-1".into(),
            total: "$1.00".into(),
            balance: "$1.00".into(),
            due_date: "March 2, 2026".into(),
            days_overdue: 14,
        }],
    }
}

fn brief() -> ReminderBrief {
    ReminderBrief {
        id: "rem_0".into(),
        stage_id: "friendly_reminder".into(),
        status: ReminderStatus::Sent,
        planned_for: day(),
        sent_on: Some(day()),
        note: None,
    }
}

fn step() -> Step {
    Step {
        reminder_id: "rem_1".into(),
        at: instant(),
        by: "alice".into(),
        from: ReminderStatus::Planned,
        to: ReminderStatus::PendingApproval,
        note: None,
    }
}

fn ingested() -> Ingested {
    Ingested {
        id: "I1".into(),
        voided: vec!["rem_1".into()],
    }
}

/// A sample of every wire struct, by the route and side it is served on; every field filled in (`Some`, a
/// list of one) so that its insides show.
fn plan_view() -> kindly_web::plans::PlanView {
    kindly_web::plans::PlanView {
        id: "plan_1".into(),
        state: "active".into(),
        summary: "3 monthly instalments from 2026-04-01".into(),
        invoices: vec!["INV-1".into()],
        currency: "USD".into(),
        made_by: "alice".into(),
        made_at: Utc::now(),
        asked_by_customer: false,
        instalments: vec![kindly_web::plans::InstalmentView {
            due: day(),
            amount: Decimal::new(3333, 2),
            paid: Decimal::ZERO,
        }],
    }
}

pub fn samples() -> BTreeMap<(&'static str, Side), Value> {
    let context: MessageContext =
        serde_json::from_str(include_str!("../../../../render-wasm/tests/fixtures/en-full.json")).unwrap();
    use Side::{Request, Response};
    BTreeMap::from([
        (
            ("GET /api/session", Response),
            json(Session {
                approver: "alice".into(),
            }),
        ),
        (
            ("GET /api/drafts", Response),
            json(DraftList {
                drafts: vec![summary()],
                stages: BTreeSet::from(["firm_reminder".into()]),
                currencies: BTreeSet::from(["USD".into()]),
                customers: vec![customer()],
            }),
        ),
        (
            ("GET /api/drafts/{id}", Response),
            json(DraftDetail {
                draft: summary(),
                context,
                content_hash: "abc".into(),
                server_render: ServerRender {
                    subject: "s".into(),
                    text: "t".into(),
                    html: "h".into(),
                },
                earlier: vec![brief()],
                history: vec![step()],
            }),
        ),
        (
            ("POST /api/drafts/{id}/check", Request),
            json(CheckBody {
                personal_note: Some("Thanks".into()),
            }),
        ),
        (
            ("POST /api/drafts/{id}/check", Response),
            json(Checked {
                content_hash: "abc".into(),
            }),
        ),
        (
            ("POST /api/drafts/{id}/approve", Request),
            json(ApproveBody {
                content_hash: "abc".into(),
                personal_note: None,
            }),
        ),
        (
            ("POST /api/drafts/{id}/approve", Response),
            json(Approved {
                id: "rem_1".into(),
                status: ReminderStatus::Approved,
                approved_by: "alice".into(),
                content_hash: Some("abc".into()),
            }),
        ),
        (("POST /api/drafts/{id}/skip", Request), json(SkipBody { reason: None })),
        (("POST /api/drafts/{id}/skip", Response), json(status_change())),
        (
            ("POST /api/drafts/{id}/snooze", Request),
            json(SnoozeBody {
                until: day(),
                reason: None,
            }),
        ),
        (
            ("POST /api/drafts/{id}/snooze", Response),
            json(Snoozed {
                id: "rem_1".into(),
                status: ReminderStatus::Cancelled,
                until: day(),
            }),
        ),
        (
            ("POST /api/drafts/approve-all", Request),
            json(ApproveAllBody {
                items: vec![ApproveItem {
                    id: "rem_1".into(),
                    content_hash: "abc".into(),
                }],
            }),
        ),
        (
            ("POST /api/drafts/approve-all", Response),
            json(ApprovedSet {
                approved: vec!["rem_1".into()],
            }),
        ),
        (
            ("GET /api/failed", Response),
            json(FailedList {
                failed: vec![FailedReminder {
                    id: "rem_1".into(),
                    customer: customer(),
                    stage_id: "firm_reminder".into(),
                    invoices: vec!["INV-1".into()],
                    failed_at: Some(instant()),
                    reason: Some("bounced".into()),
                }],
            }),
        ),
        (
            ("POST /api/reminders/{id}/resolve", Request),
            json(ResolveBody {
                went_out: true,
                note: None,
            }),
        ),
        (("POST /api/reminders/{id}/resolve", Response), json(status_change())),
        (
            ("GET /api/customers/{id}/history", Response),
            json(CustomerHistory {
                customer: CustomerDetail {
                    id: "C1".into(),
                    name: "Acme GmbH".into(),
                    locale: "de-DE".into(),
                    time_zone: "Europe/Berlin".into(),
                },
                invoices: vec![InvoiceRecord {
                    id: "I1".into(),
                    number: "INV-1".into(),
                    currency: "EUR".into(),
                    total: Decimal::ONE,
                    paid: Decimal::ZERO,
                    balance: Decimal::ONE,
                    due_date: day(),
                    status: InvoiceStatus::Open,
                    last_stage: None,
                    snoozed_until: None,
                }],
                reminders: vec![ReminderRecord {
                    brief: brief(),
                    approval: Some(ApprovalView {
                        by: "alice".into(),
                        at: instant(),
                        content_hash: "abc".into(),
                    }),
                    history: vec![step()],
                }],
            }),
        ),
        (("PUT /api/customers/{id}", Response), json(ingested())),
        (
            ("PUT /api/invoices/{id}", Request),
            json(InvoiceBody {
                number: "INV-1".into(),
                customer_id: "C1".into(),
                currency: Currency::try_from("EUR".to_owned()).unwrap(),
                total: Decimal::ONE,
                paid: Decimal::ZERO,
                issue_date: day(),
                due_date: day(),
                status: InvoiceStatus::Open,
                payment_link: None,
                po_number: None,
                late_fee: None,
                early_payment: Some(kindly_core::DiscountTerms {
                    percent: "2".parse().unwrap(),
                    within_days: 10,
                }),
                payment_reference: None,
                processor_payments: BTreeMap::new(),
            }),
        ),
        (("PUT /api/invoices/{id}", Response), json(ingested())),
        (
            ("GET /api/tasks", Response),
            json(TaskList {
                open: vec![task(None)],
                done: vec![task(Some(TaskDoneView {
                    by: "alice".into(),
                    at: instant(),
                    outcome: "rejected".into(),
                    note: Some("not in the bank".into()),
                }))],
            }),
        ),
        (
            ("POST /api/tasks/{id}", Request),
            json(TaskBody {
                decision: "reject_payment".into(),
                reason: Some("not in the bank".into()),
                email: None,
                until: None,
            }),
        ),
        (("POST /api/tasks/{id}", Response), json(task(None))),
        (
            ("GET /api/customers/{id}/timeline", Response),
            json(Timeline {
                customer: customer(),
                entries: vec![TimelineEntry {
                    at: instant(),
                    kind: "answer".into(),
                    title: "settled".into(),
                    text: "already_paid confirmed".into(),
                    state: Some("confirmed".into()),
                    by: Some("alice".into()),
                    invoices: vec!["INV-1".into()],
                    id: "ans_1".into(),
                }],
            }),
        ),
        (
            ("GET /api/reports/receivables?months=N", Response),
            json(ReceivablesView {
                today: day(),
                currencies: vec![CurrencyReceivables {
                    currency: Currency::from_code("USD").unwrap(),
                    months: vec![ReceivablesMonth {
                        month: "2026-02".into(),
                        end: day(),
                        begin: Decimal::ONE,
                        sales: Decimal::ONE,
                        receivable: Decimal::ONE,
                        not_yet_due: Decimal::ONE,
                        dso: Decimal::ONE,
                        dso_at_least: false,
                        cei: Some(Decimal::ONE),
                    }],
                }],
                undated: 0,
            }),
        ),
        (
            ("GET /api/reports/aging", Response),
            json(AgingView {
                today: day(),
                buckets: vec!["current".into()],
                customers: vec![CustomerAgingView {
                    customer: customer(),
                    currency: Currency::from_code("USD").unwrap(),
                    buckets: vec![Decimal::ONE],
                    total: Decimal::ONE,
                    invoices: vec![AgedInvoiceView {
                        id: "B".into(),
                        number: "INV-B".into(),
                        status: InvoiceStatus::Open,
                        issue_date: day(),
                        due_date: day(),
                        days_overdue: 39,
                        bucket: 2,
                        balance: Decimal::ONE,
                    }],
                }],
                given_up: vec![GivenUpTotals {
                    currency: Currency::from_code("USD").unwrap(),
                    written_off: Decimal::ONE,
                    written_off_count: 1,
                    handed_over: Decimal::ZERO,
                    handed_over_count: 0,
                }],
                given_up_invoices: vec![GivenUpView {
                    id: "W".into(),
                    number: "INV-W".into(),
                    customer: customer(),
                    currency: Currency::from_code("USD").unwrap(),
                    outcome: "written_off".into(),
                    balance: Decimal::ONE,
                    by: Some("Riley".into()),
                    at: Some(instant()),
                    reason: Some("customer insolvent".into()),
                }],
            }),
        ),
        (
            ("POST /api/customers/{id}/plans", Request),
            json(kindly_web::plans::PlanBody {
                invoices: vec!["I-1".into()],
                instalments: 3,
                every: kindly_core::instalments::Frequency::Monthly,
                first: day(),
                task: Some("rem_1".into()),
            }),
        ),
        (("POST /api/customers/{id}/plans", Response), json(plan_view())),
        (
            ("GET /api/customers/{id}/plans", Response),
            json(kindly_web::plans::PlanList {
                plans: vec![plan_view()],
            }),
        ),
        (
            ("GET /api/reports/receipts", Response),
            json(ReceiptsView {
                from: day(),
                to: day(),
                expected: vec![ExpectedView {
                    day: day(),
                    customer: customer(),
                    currency: Currency::from_code("USD").unwrap(),
                    amount: Decimal::ONE,
                    source: "instalment".into(),
                    source_id: "plan_b".into(),
                    instalment: Some(1),
                    invoices: vec!["B".into()],
                }],
                totals: vec![CurrencyAmount {
                    currency: Currency::from_code("USD").unwrap(),
                    amount: Decimal::ONE,
                }],
            }),
        ),
        (
            ("GET /api/reports/reasons?months=N", Response),
            json(ReasonsView {
                months: vec![MonthView {
                    month: "2026-03".into(),
                    already_paid: 2,
                    disputes: ["amount", "not_received", "missing_po", "duplicate", "other"]
                        .into_iter()
                        .map(|category| (category.to_owned(), 0))
                        .collect(),
                    promise: 3,
                    wrong_person: 0,
                    confirm_receipt: 4,
                    promises_kept: 2,
                    promises_broken: 1,
                    first_answers: 5,
                    median_days_to_first_answer: Some(6.5),
                }],
                customers: vec![PromisesView {
                    customer: customer(),
                    kept: 1,
                    broken: 2,
                    open: 0,
                }],
            }),
        ),
    ])
}

fn task(done: Option<TaskDoneView>) -> TaskView {
    TaskView {
        id: "ans_1".into(),
        kind: "answer".into(),
        topic: "already_paid".into(),
        customer: customer(),
        invoices: vec!["INV-1".into()],
        text: "paid on 2026-03-12".into(),
        since: instant(),
        actions: vec!["confirm_payment".into(), "reject_payment".into()],
        done,
    }
}
