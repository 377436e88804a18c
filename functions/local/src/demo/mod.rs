//! The demo: realistic customers and invoices, dated relative to the demo's "today", and the weeks that led
//! there. Nothing of the history is written by hand: the script below only says what the outside world did
//! and when — invoices arriving from the accounting system, a dispute, a partial payment, a pause, card
//! payments — and [`history::replay`] runs kindly's real services over it day by day on a clock that
//! advances, so every message the demo shows as sent is one the real planner chose on that day.
//!
//! The due dates are chosen so that today's pass meets every stage of the default policy: messages that go
//! out at once, drafts waiting for approval at several stages, a task for staff, a customer held back by the
//! minimum gap, a paused one, a disputed invoice, and a card payment this morning.

pub mod history;

use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};
use kindly_core::holidays::Country;
use kindly_core::payment::{PaymentChange, PaymentEvent};
use kindly_core::{
    Contact, ContractRemedy, ContractTerms, Currency, Customer, CustomerId, DiscountTerms, Invoice, InvoiceId,
    InvoiceStatus, Pause, Policy,
};

pub use history::{APPROVER, Replayed, replay};

/// What the outside world did, at one instant.
#[derive(Debug, Clone)]
pub enum Happening {
    /// The accounting system sends a customer, new or changed.
    Customer(Box<Customer>),
    /// The accounting system sends an invoice, new or changed.
    Invoice(Box<Invoice>),
    /// The payment processor reports a payment, as the Stripe webhook would.
    Payment { invoice: InvoiceId, event: PaymentEvent },
}

/// The demo's world: what happened when, from the first invoice's arrival to this morning.
#[derive(Debug, Clone)]
pub struct Script {
    pub today: NaiveDate,
    /// The first day of the history.
    pub start: NaiveDate,
    /// In time order.
    pub happenings: Vec<(DateTime<Utc>, Happening)>,
}

impl Script {
    /// Every customer the script names, once, in order of first appearance.
    pub fn customer_ids(&self) -> Vec<CustomerId> {
        self.named(|happening| match happening {
            Happening::Customer(customer) => Some(&customer.id),
            _ => None,
        })
    }

    /// Every invoice the script names, once, in order of first appearance.
    pub fn invoice_ids(&self) -> Vec<InvoiceId> {
        self.named(|happening| match happening {
            Happening::Invoice(invoice) => Some(&invoice.id),
            _ => None,
        })
    }

    fn named<T: PartialEq + Clone>(&self, id: impl Fn(&Happening) -> Option<&T>) -> Vec<T> {
        let mut ids: Vec<T> = Vec::new();
        for id in self.happenings.iter().filter_map(|(_, happening)| id(happening)) {
            if !ids.contains(id) {
                ids.push(id.clone());
            }
        }
        ids
    }
}

/// Noon UTC: the same calendar day in every demo customer's time zone. Each day's pass runs then.
pub fn demo_now(today: NaiveDate) -> DateTime<Utc> {
    at(today, 12)
}

/// `hour`:00 UTC on `day`.
fn at(day: NaiveDate, hour: u32) -> DateTime<Utc> {
    Utc.from_utc_datetime(&day.and_hms_opt(hour, 0, 0).expect("a whole hour exists"))
}

/// The day `days` before `today`.
fn ago(today: NaiveDate, days: u64) -> NaiveDate {
    today - Days::new(days)
}

/// A due date that puts an invoice of `customer` at `stage` of the default policy in today's pass: the stage
/// falls today (stages on a day off move to a business day), and the stage before it fell at least the
/// minimum gap before today, so the history said it and today may say this. As near the stage's own offset
/// before today as the customer's calendar allows.
fn due_for(stage: &str, customer: &Customer, today: NaiveDate) -> NaiveDate {
    let policy = Policy::default_policy();
    let calendar = customer.calendar();
    let index = policy.stage_index(stage).expect("a stage of the default policy");
    let date = |index: usize, due: NaiveDate| Policy::stage_date(&policy.stages[index], due, calendar);
    let gap = Days::new(u64::from(policy.min_gap_days));
    let natural = today - chrono::Duration::days(policy.stages[index].offset_days);
    (0..14i64)
        .flat_map(|shift| [shift, -shift])
        .map(|shift| natural + chrono::Duration::days(shift))
        .find(|&due| date(index, due) == today && (index == 0 || date(index - 1, due) + gap <= today))
        .unwrap_or(natural)
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
            salutation: None,
            surname: None,
            name: Some(spec.contact.0.into()),
            email: spec.contact.1.into(),
            phone: None,
            bounced: false,
            standing: Default::default(),
        }],
        escalation_contact: None,
        pause: None,
        terms: ContractTerms::default(),
        country: None,
        business_hours: None,
    }
}

/// An invoice as the accounting system sends it on its issue date, due `terms` days later.
fn invoice(id: &str, customer: &str, currency: &str, total: &str, due_date: NaiveDate, terms: u64) -> Invoice {
    Invoice {
        id: InvoiceId(id.into()),
        number: format!("INV-{id}"),
        customer_id: CustomerId(customer.into()),
        currency: Currency::from_code(currency).expect("demo currencies are valid"),
        total: total.parse().expect("demo amounts are valid"),
        paid: Default::default(),
        issue_date: due_date - Days::new(terms),
        due_date,
        status: InvoiceStatus::Open,
        payment_link: Some(format!("https://pay.northwind.example/i/{id}")),
        po_number: None,
        late_fee: None,
        dunning: Default::default(),
        early_payment: None,
        payment_reference: None,
        processor_payments: Default::default(),
        bookkeeping: Default::default(),
    }
}

fn with_po(mut invoice: Invoice, po_number: &str) -> Invoice {
    invoice.po_number = Some(po_number.into());
    invoice
}

/// A card payment of the whole balance, as the processor reports it.
fn paid_by_card(invoice: &Invoice) -> Happening {
    Happening::Payment {
        invoice: invoice.id.clone(),
        event: PaymentEvent {
            id: format!("pi_demo_{}:received", invoice.id),
            change: PaymentChange::Received {
                amount: invoice.balance(),
                currency: invoice.currency,
                at: invoice.due_date.and_hms_opt(12, 0, 0).unwrap_or_default().and_utc(),
            },
        },
    }
}

fn customers() -> Vec<Customer> {
    use chrono_tz::{America, Asia, Europe};
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
    lumen.terms.late_fee = Some(ContractRemedy::monthly(
        "1.5".parse().unwrap(),
        7,
        "1.5% per month on overdue balances (section 7 of our services agreement)",
    ));
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
        salutation: None,
        surname: None,
        name: Some("Dr. Miriam Falk".into()),
        email: "m.falk@nordlicht.example".into(),
        phone: None,
        bounced: false,
        standing: Default::default(),
    });
    nord.terms.late_fee = Some(ContractRemedy::monthly(
        "1".parse().unwrap(),
        14,
        "1 % pro Monat auf überfällige Beträge (§ 6 unseres Rahmenvertrags)",
    ));
    let mut oak = customer(CustomerSpec {
        id: "C-OAK",
        name: "Oakridge Supplies",
        legal: "Oakridge Supplies Corp.",
        locale: "en-US",
        zone: America::Denver,
        contact: ("Lee Park", "ap@oakridge.example"),
    });
    oak.escalation_contact = Some(Contact {
        salutation: None,
        surname: None,
        name: Some("Morgan Ellis (CFO)".into()),
        email: "cfo@oakridge.example".into(),
        phone: None,
        bounced: false,
        standing: Default::default(),
    });
    let vireo = customer(CustomerSpec {
        id: "C-VIREO",
        name: "Vireo Labs",
        legal: "Vireo Labs, Inc.",
        locale: "en-US",
        zone: America::New_York,
        contact: ("Chris Tan", "finance@vireolabs.example"),
    });
    // In Tel Aviv: its week runs Sunday to Thursday.
    let mut globex = customer(CustomerSpec {
        id: "C-GLOBEX",
        name: "Globex Trading",
        legal: "Globex Trading Ltd",
        locale: "en-GB",
        zone: Asia::Jerusalem,
        contact: ("Alex Morgan", "ap@globex.example"),
    });
    globex.country = Some(Country::from_code("IL").expect("Israel's calendar"));
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
    let tide = customer(CustomerSpec {
        id: "C-TIDE",
        name: "Tidewater Logistics",
        legal: "Tidewater Logistics Inc.",
        locale: "en-US",
        zone: America::New_York,
        contact: ("Jordan Blake", "ap@tidewater.example"),
    });
    vec![
        acme, bright, kessler, lumen, harbor, nord, oak, vireo, globex, quartz, summit, tide,
    ]
}

/// The demo's world for `today` (a business day). Each invoice is due so that the real planner reaches the
/// stage named beside it in today's pass (default policy: upcoming −5, due today 0, crossed in the mail +3,
/// direct +10, personal note +21, escalation +35, final notice +50, write-off +60 days from the due date,
/// each moved off the customer's days off: [`due_for`]).
pub fn script(today: NaiveDate) -> Script {
    let customers = customers();
    let who = |id: &str| customers.iter().find(|c| c.id.0 == id).expect("a demo customer");
    let globex = who("C-GLOBEX").calendar();
    let globex_said = if globex.is_business_day(today) {
        globex.before(today)
    } else {
        globex.before(globex.before(today))
    };
    let globex_next = due_for("upcoming_due", who("C-GLOBEX"), globex.after(globex_said));
    let due = |stage: &str, customer: &str| due_for(stage, who(customer), today);
    let invoices = vec![
        // upcoming_due, sent today
        with_po(
            invoice(
                "2026-1042",
                "C-ACME",
                "USD",
                "4820.00",
                due("upcoming_due", "C-ACME"),
                30,
            ),
            "4500017731",
        ),
        // due_today, sent today
        invoice(
            "2026-1031",
            "C-BRIGHT",
            "GBP",
            "2150.00",
            due("due_today", "C-BRIGHT"),
            30,
        ),
        // crossed_in_mail, sent today: one message for both invoices, in two currencies
        invoice(
            "2026-1019",
            "C-KESSLER",
            "EUR",
            "7340.50",
            due("crossed_in_mail", "C-KESSLER"),
            30,
        ),
        invoice(
            "2026-1022",
            "C-KESSLER",
            "USD",
            "1980.00",
            due("crossed_in_mail", "C-KESSLER"),
            14,
        ),
        // overdue_direct, waiting for approval; partly paid last week
        with_po(
            invoice(
                "2026-1010",
                "C-LUMEN",
                "USD",
                "9800.00",
                due("overdue_direct", "C-LUMEN"),
                30,
            ),
            "PO-55821",
        ),
        // personal_note_from_head, waiting for approval
        invoice(
            "2026-0990",
            "C-HARBOR",
            "USD",
            "3275.00",
            due("personal_note_from_head", "C-HARBOR"),
            30,
        ),
        // escalation_cc, waiting for approval: both invoices, copied to the escalation contact
        invoice(
            "2026-0954",
            "C-NORD",
            "EUR",
            "12600.00",
            due("escalation_cc", "C-NORD"),
            30,
        ),
        invoice(
            "2026-1001",
            "C-NORD",
            "EUR",
            "890.00",
            due("escalation_cc", "C-NORD"),
            14,
        ),
        // final_notice, waiting for approval
        invoice("2026-0921", "C-OAK", "USD", "5120.00", due("final_notice", "C-OAK"), 30),
        // write_off_or_hand_over: a task for staff
        invoice(
            "2026-0902",
            "C-VIREO",
            "USD",
            "2260.00",
            due("write_off_or_hand_over", "C-VIREO"),
            30,
        ),
        // due on their last business day before today (before yesterday, on their Friday off) and reminded
        // then; the next one's upcoming_due, a business day later, waits for the minimum gap
        invoice("2026-1012", "C-GLOBEX", "GBP", "640.00", globex_said, 30),
        invoice("2026-1036", "C-GLOBEX", "GBP", "410.00", globex_next, 30),
        // reminded three times, paid by card this morning: thanked, not reminded
        invoice("2026-0977", "C-QUARTZ", "GBP", "1200.00", ago(today, 8), 30),
        // disputed before anyone was reminded
        invoice("2026-0981", "C-SUMMIT", "USD", "3400.00", ago(today, 15), 30),
        // reminded three times, then the customer is paused
        invoice("2026-1015", "C-TIDE", "USD", "15400.00", ago(today, 12), 30),
        // paid by card weeks ago after three reminders, and thanked
        invoice("2026-0958", "C-BRIGHT", "GBP", "980.00", ago(today, 30), 30),
    ];
    let find = |id: &str| invoices.iter().find(|i| i.id.0 == id).expect("a demo invoice").clone();

    let start = invoices.iter().map(|i| i.issue_date).min().expect("demo invoices");
    let mut happenings: Vec<(DateTime<Utc>, Happening)> = customers
        .iter()
        .map(|c| (at(start, 7), Happening::Customer(Box::new(c.clone()))))
        .collect();
    // Each invoice arrives from the accounting system on its issue date.
    happenings.extend(
        invoices
            .iter()
            .map(|invoice| (at(invoice.issue_date, 8), Happening::Invoice(Box::new(invoice.clone())))),
    );
    // Summit disputes its invoice before the first reminder was due.
    let mut disputed = find("2026-0981");
    disputed.status = InvoiceStatus::Disputed;
    happenings.push((at(ago(today, 22), 9), Happening::Invoice(Box::new(disputed))));
    // Lumen pays part by bank transfer; the accounting system reports it.
    let mut partly_paid = find("2026-1010");
    partly_paid.paid = "2500.00".parse().unwrap();
    happenings.push((at(ago(today, 6), 9), Happening::Invoice(Box::new(partly_paid))));
    // Tidewater asks for time to agree a payment plan; finance pauses their reminders for a fortnight.
    let mut tide = customers.iter().find(|c| c.id.0 == "C-TIDE").unwrap().clone();
    tide.pause = Some(Pause {
        until: Some(today + Days::new(14)),
        reason: Some("Negotiating a payment plan".into()),
    });
    happenings.push((at(ago(today, 4), 9), Happening::Customer(Box::new(tide))));
    // Card payments, as the Stripe webhook reports them: one weeks ago, one this morning.
    happenings.push((at(ago(today, 24), 9), paid_by_card(&find("2026-0958"))));
    happenings.push((at(today, 9), paid_by_card(&find("2026-0977"))));
    happenings.sort_by_key(|(when, _)| *when);
    Script {
        today,
        start,
        happenings,
    }
}
