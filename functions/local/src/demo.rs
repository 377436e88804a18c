//! The demo data set: realistic customers and invoices spread over every stage of the default policy,
//! dated relative to the demo's "today", with the history of what earlier passes would have sent.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use kindly_core::actor::Actor;
use kindly_core::compose::draft_reminder;
use kindly_core::payment::{PaymentChange, PaymentEvent};
use kindly_core::planner::{PlannedReminder, progress_after};
use kindly_core::reminder::CoveredInvoice;
use kindly_core::{
    Contact, ContractTerms, CoreError, Currency, Customer, CustomerId, DiscountTerms, Invoice, InvoiceId,
    InvoiceStatus, LateFeeTerms, Pause, Policy, Reminder, ReminderId, ReminderStatus,
};

/// Everything the demo seeds.
pub struct DemoData {
    pub customers: Vec<Customer>,
    pub invoices: Vec<Invoice>,
    /// Reminders earlier passes sent, so gaps and tone steps have a history to respect.
    pub history: Vec<Reminder>,
    /// Payments the processor reported this morning, before the pass: (invoice, event).
    pub payments: Vec<(InvoiceId, PaymentEvent)>,
}

/// Noon UTC: the same calendar day in every demo customer's time zone.
pub fn demo_now(today: NaiveDate) -> DateTime<Utc> {
    Utc.from_utc_datetime(&today.and_hms_opt(12, 0, 0).expect("noon exists"))
}

struct CustomerSpec {
    id: &'static str,
    name: &'static str,
    legal: &'static str,
    locale: &'static str,
    zone: chrono_tz::Tz,
    contact: (&'static str, &'static str),
}

fn customer(spec: CustomerSpec) -> Customer {
    Customer {
        id: CustomerId(spec.id.into()),
        display_name: spec.name.into(),
        legal_name: spec.legal.into(),
        locale: spec.locale.into(),
        time_zone: spec.zone,
        billing_contacts: vec![Contact {
            name: Some(spec.contact.0.into()),
            email: spec.contact.1.into(),
            phone: None,
            bounced: false,
        }],
        escalation_contact: None,
        pause: None,
        terms: ContractTerms::default(),
    }
}

/// An invoice `due_in` days from `today` (negative: overdue), issued 30 days before it is due.
fn invoice(today: NaiveDate, id: &str, customer: &str, currency: &str, total: &str, due_in: i64) -> Invoice {
    let due_date = today + Duration::days(due_in);
    Invoice {
        id: InvoiceId(id.into()),
        number: format!("INV-{id}"),
        customer_id: CustomerId(customer.into()),
        currency: Currency::from_code(currency).expect("demo currencies are valid"),
        total: total.parse().expect("demo amounts are valid"),
        paid: Default::default(),
        issue_date: due_date - Duration::days(30),
        due_date,
        status: InvoiceStatus::Open,
        payment_link: Some(format!("https://pay.northwind.example/i/{id}")),
        po_number: None,
        dunning: Default::default(),
        payment_reference: None,
        processor_payments: Default::default(),
        bookkeeping: Default::default(),
    }
}

/// Build the demo set for `today`.
pub fn demo_data(policy: &Policy, today: NaiveDate) -> Result<DemoData, CoreError> {
    use chrono_tz::{America, Europe};
    let mut acme = customer(CustomerSpec {
        id: "C-ACME",
        name: "Acme Robotics",
        legal: "Acme Robotics, Inc.",
        locale: "en-US",
        zone: America::New_York,
        contact: ("Jamie Rivera", "ap@acme-robotics.example"),
    });
    acme.terms.early_payment_discount = Some(DiscountTerms {
        percent: "2".parse().unwrap(),
        within_days: 30,
    });
    let bright = customer(CustomerSpec {
        id: "C-BRIGHT",
        name: "Brightwave Media",
        legal: "Brightwave Media Ltd",
        locale: "en-GB",
        zone: Europe::London,
        contact: ("Priya Shah", "accounts@brightwave.example"),
    });
    let kessler = customer(CustomerSpec {
        id: "C-KESSLER",
        name: "Kessler Maschinenbau",
        legal: "Kessler Maschinenbau GmbH",
        locale: "de-DE",
        zone: Europe::Berlin,
        contact: ("Frau Anna Kessler", "buchhaltung@kessler-mb.example"),
    });
    let mut lumen = customer(CustomerSpec {
        id: "C-LUMEN",
        name: "Lumen Health Partners",
        legal: "Lumen Health Partners LLC",
        locale: "en-US",
        zone: America::Chicago,
        contact: ("Dana Brooks", "payables@lumenhealth.example"),
    });
    lumen.terms.late_fee = Some(LateFeeTerms {
        monthly_rate_percent: "1.5".parse().unwrap(),
        grace_days: 7,
        clause: "1.5% per month on overdue balances (section 7 of our services agreement)".into(),
    });
    let harbor = customer(CustomerSpec {
        id: "C-HARBOR",
        name: "Harbor & Finch",
        legal: "Harbor & Finch Provisions Co.",
        locale: "en-US",
        zone: America::Los_Angeles,
        contact: ("Sam O'Neill", "billing@harborfinch.example"),
    });
    let mut nord = customer(CustomerSpec {
        id: "C-NORD",
        name: "Nordlicht Design",
        legal: "Nordlicht Design AG",
        locale: "de-DE",
        zone: Europe::Berlin,
        contact: ("Herr Jonas Weber", "rechnungen@nordlicht.example"),
    });
    nord.escalation_contact = Some(Contact {
        name: Some("Dr. Miriam Falk".into()),
        email: "m.falk@nordlicht.example".into(),
        phone: None,
        bounced: false,
    });
    nord.terms.late_fee = Some(LateFeeTerms {
        monthly_rate_percent: "1".parse().unwrap(),
        grace_days: 14,
        clause: "1 % pro Monat auf überfällige Beträge (§ 6 unseres Rahmenvertrags)".into(),
    });
    let mut oak = customer(CustomerSpec {
        id: "C-OAK",
        name: "Oakridge Supplies",
        legal: "Oakridge Supplies Corp.",
        locale: "en-US",
        zone: America::Denver,
        contact: ("Lee Park", "ap@oakridge.example"),
    });
    oak.escalation_contact = Some(Contact {
        name: Some("Morgan Ellis (CFO)".into()),
        email: "cfo@oakridge.example".into(),
        phone: None,
        bounced: false,
    });
    let vireo = customer(CustomerSpec {
        id: "C-VIREO",
        name: "Vireo Labs",
        legal: "Vireo Labs, Inc.",
        locale: "en-US",
        zone: America::New_York,
        contact: ("Chris Tan", "finance@vireolabs.example"),
    });
    let globex = customer(CustomerSpec {
        id: "C-GLOBEX",
        name: "Globex Trading",
        legal: "Globex Trading Ltd",
        locale: "en-GB",
        zone: Europe::London,
        contact: ("Alex Morgan", "ap@globex.example"),
    });
    let quartz = customer(CustomerSpec {
        id: "C-QUARTZ",
        name: "Quartz Analytics",
        legal: "Quartz Analytics Ltd",
        locale: "en-GB",
        zone: Europe::London,
        contact: ("Robin Hughes", "finance@quartz.example"),
    });
    let summit = customer(CustomerSpec {
        id: "C-SUMMIT",
        name: "Summit Outdoor Co",
        legal: "Summit Outdoor Company",
        locale: "en-US",
        zone: America::Denver,
        contact: ("Taylor Reed", "ap@summit-outdoor.example"),
    });
    let mut tide = customer(CustomerSpec {
        id: "C-TIDE",
        name: "Tidewater Logistics",
        legal: "Tidewater Logistics Inc.",
        locale: "en-US",
        zone: America::New_York,
        contact: ("Jordan Blake", "ap@tidewater.example"),
    });
    tide.pause = Some(Pause {
        until: Some(today + Duration::days(14)),
        reason: Some("Negotiating a payment plan".into()),
    });

    // Reminded twice, then paid by card this morning: it is thanked, not reminded.
    let paid_by_card = invoice(today, "2026-0977", "C-QUARTZ", "GBP", "1200.00", -20);
    let card_payment = PaymentEvent {
        id: "pi_demo_0977:received".into(),
        change: PaymentChange::Received {
            amount: paid_by_card.total,
            currency: paid_by_card.currency,
        },
    };
    let payments = vec![(paid_by_card.id.clone(), card_payment)];
    let mut disputed = invoice(today, "2026-0981", "C-SUMMIT", "USD", "3400.00", -15);
    disputed.status = InvoiceStatus::Disputed;
    let mut partly_paid = invoice(today, "2026-1010", "C-LUMEN", "USD", "9800.00", -12);
    partly_paid.paid = "2500.00".parse().unwrap();
    partly_paid.po_number = Some("PO-55821".into());
    let mut with_po = invoice(today, "2026-1042", "C-ACME", "USD", "4820.00", 5);
    with_po.po_number = Some("4500017731".into());

    // (invoice, stages already sent with how many days ago each went out)
    let invoices: Vec<(Invoice, Vec<(&str, i64)>)> = vec![
        (with_po, vec![]),
        (
            invoice(today, "2026-1031", "C-BRIGHT", "GBP", "2150.00", 0),
            vec![("upcoming_due", 5)],
        ),
        (
            invoice(today, "2026-1019", "C-KESSLER", "EUR", "7340.50", -3),
            vec![("upcoming_due", 8), ("due_today", 3)],
        ),
        (
            invoice(today, "2026-1022", "C-KESSLER", "USD", "1980.00", -4),
            vec![("upcoming_due", 9), ("due_today", 4)],
        ),
        (partly_paid, vec![("due_today", 12), ("crossed_in_mail", 9)]),
        (
            invoice(today, "2026-0990", "C-HARBOR", "USD", "3275.00", -22),
            vec![("due_today", 22), ("crossed_in_mail", 19), ("overdue_direct", 12)],
        ),
        (
            invoice(today, "2026-0954", "C-NORD", "EUR", "12600.00", -36),
            vec![
                ("crossed_in_mail", 33),
                ("overdue_direct", 26),
                ("personal_note_from_head", 15),
            ],
        ),
        (
            invoice(today, "2026-1001", "C-NORD", "EUR", "890.00", -14),
            vec![("due_today", 14), ("crossed_in_mail", 11)],
        ),
        (
            invoice(today, "2026-0921", "C-OAK", "USD", "5120.00", -51),
            vec![
                ("overdue_direct", 41),
                ("personal_note_from_head", 30),
                ("escalation_cc", 16),
            ],
        ),
        (
            invoice(today, "2026-0902", "C-VIREO", "USD", "2260.00", -62),
            vec![
                ("personal_note_from_head", 41),
                ("escalation_cc", 27),
                ("final_notice", 12),
            ],
        ),
        (
            invoice(today, "2026-1012", "C-GLOBEX", "GBP", "640.00", -10),
            vec![("due_today", 10), ("crossed_in_mail", 1)],
        ),
        (paid_by_card, vec![("due_today", 20), ("crossed_in_mail", 17)]),
        (disputed, vec![("due_today", 15), ("crossed_in_mail", 12)]),
        (
            invoice(today, "2026-1015", "C-TIDE", "USD", "15400.00", -12),
            vec![("due_today", 12), ("crossed_in_mail", 9)],
        ),
    ];
    let customers = vec![
        acme, bright, kessler, lumen, harbor, nord, oak, vireo, globex, quartz, summit, tide,
    ];

    let mut history = Vec::new();
    let mut seeded = Vec::new();
    for (mut invoice, sent) in invoices {
        let customer = customers
            .iter()
            .find(|c| c.id == invoice.customer_id)
            .expect("demo customer exists");
        for (stage_id, days_ago) in sent {
            let sent_on = today - Duration::days(days_ago);
            let reminder = sent_reminder(policy, customer, &invoice, stage_id, sent_on)?;
            invoice = progress_after(policy, &invoice, &reminder.covers[0], sent_on);
            history.push(reminder);
        }
        invoice.dunning.next_action_on = policy.next_action_on(&invoice);
        seeded.push(invoice);
    }
    Ok(DemoData {
        customers,
        invoices: seeded,
        history,
        payments,
    })
}

/// A reminder for one invoice at `stage_id`, as an earlier pass would have drafted, approved and sent it.
fn sent_reminder(
    policy: &Policy,
    customer: &Customer,
    invoice: &Invoice,
    stage_id: &str,
    sent_on: NaiveDate,
) -> Result<Reminder, CoreError> {
    let stage_index = policy
        .stage_index(stage_id)
        .expect("demo stages exist in the default policy");
    let stage = &policy.stages[stage_index];
    let planned = PlannedReminder {
        id: ReminderId::for_plan(&customer.id, stage_id, std::slice::from_ref(&invoice.id)),
        customer_id: customer.id.clone(),
        local_date: sent_on,
        stage_index,
        covers: vec![CoveredInvoice {
            invoice_id: invoice.id.clone(),
            stage_id: stage.id.clone(),
            tone: stage.tone,
        }],
        supersedes: None,
    };
    let at = demo_now(sent_on);
    let mut reminder = draft_reminder(policy, &planned, customer, &[invoice], at)?;
    if reminder.status == ReminderStatus::PendingApproval {
        reminder.transition(ReminderStatus::Approved, at, &Actor::person("demo finance team"), None)?;
    }
    reminder.transition(ReminderStatus::Sending, at, &Actor::System, None)?;
    reminder.transition(ReminderStatus::Sent, at, &Actor::System, None)?;
    reminder.sent_on = Some(sent_on);
    reminder.sent_message_id = Some(format!("<{}@kindly.outbox>", reminder.id));
    Ok(reminder)
}
