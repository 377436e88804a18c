//! The renderer's stage-realistic fixtures (`render-wasm/tests/fixtures/ladder/{conversation}/{template}.json`),
//! made here by the real planner and composer so they cannot drift from what kindly sends.
//!
//! Each conversation is one customer walked day by day through the shipped default policy: every day a
//! pass plans, every planned message is drafted and counted as sent, and the ladder moves on as it does in
//! production. So each stage's message is the one sent on that stage's real day (an upcoming-due note five
//! days before, a final notice fifty days after), about invoices in the state they are in then; at the end
//! the customer pays and gets the thank-you. The renderer's golden test renders each fixture with its own
//! stage only.
//!
//! After an intended change to the composer or the policy:
//! `KINDLY_UPDATE_GOLDEN=1 cargo test -p kindly-core --test ladder_fixtures`, then
//! `KINDLY_UPDATE_GOLDEN=1 cargo test -p kindly-render --test golden`, and review both diffs.

use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};
use kindly_core::compose::{draft_reminder, thank_you_reminder};
use kindly_core::link::{CustomerLinks, LinkKeys};
use kindly_core::planner::{CustomerHistory, advance, plan};
use kindly_core::{Customer, Invoice, InvoiceStatus, Policy};
use kindly_render::MessageContext;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

const UPDATE_VAR: &str = "KINDLY_UPDATE_GOLDEN";

/// A Monday: with the default offsets (−5, 0, +3, +10, +21, +35, +50) every stage falls on a weekday
/// without a public holiday in England or Germany, so each message goes out on its nominal day.
const DUE: &str = "2026-02-02";

/// One customer's conversation: who, in which language, about which invoices.
struct Conversation {
    name: &'static str,
    customer: Customer,
    invoices: Vec<Invoice>,
}

#[test]
fn the_ladder_fixtures_are_what_kindly_sends_on_each_stage_day() {
    let policy = policy();
    let mut problems = Vec::new();
    let mut written = Vec::new();
    for conversation in conversations() {
        for (template, context) in walk(&policy, &conversation) {
            let path = fixtures_dir().join(conversation.name).join(format!("{template}.json"));
            let json = serde_json::to_string_pretty(&context).expect("a context serialises") + "\n";
            check_or_update(&path, &json, &mut problems);
            written.push(path);
        }
    }
    for stale in json_files(&fixtures_dir())
        .into_iter()
        .filter(|path| !written.contains(path))
    {
        if updating() {
            std::fs::remove_file(&stale).unwrap();
        } else {
            problems.push(format!("{}: no conversation sends it any more", stale.display()));
        }
    }
    assert!(
        problems.is_empty(),
        "{} ladder fixture(s) out of date:\n  {}\nIf the change is intended, run `{UPDATE_VAR}=1 cargo test -p \
         kindly-core --test ladder_fixtures`, then the renderer's golden update, and review both diffs.",
        problems.len(),
        problems.join("\n  ")
    );
}

/// The check above compares against files on disk; this one holds the walk itself to the policy, so a
/// planner change that moved a stage off its day fails here with the day, not as a fixture diff.
#[test]
fn each_stage_is_sent_once_on_its_own_day_about_every_invoice() {
    let policy = policy();
    for conversation in conversations() {
        let messages = walk(&policy, &conversation);
        let stages: Vec<_> = policy.stages.iter().filter(|stage| stage.template.is_some()).collect();
        assert_eq!(
            messages.len(),
            stages.len() + 1,
            "{}: one message per stage and the thank-you",
            conversation.name
        );
        let calendar = conversation.customer.calendar();
        for ((template, context), stage) in messages.iter().zip(&stages) {
            let sent_on = Policy::stage_date(stage, day(DUE), calendar);
            assert_eq!(Some(template), stage.template.as_ref(), "{}", conversation.name);
            assert_eq!(
                context.max_days_overdue,
                (sent_on - day(DUE)).num_days(),
                "{} × {template}: not sent on its day {sent_on}",
                conversation.name
            );
            assert_eq!(
                (sent_on - day(DUE)).num_days(),
                stage.offset_days,
                "{} × {template}: {DUE} should put every stage on its nominal day",
                conversation.name
            );
            assert_eq!(context.invoices.len(), conversation.invoices.len());
        }
        let (last, thanks) = messages.last().expect("a thank-you");
        assert_eq!(last, "thank_you");
        let settled = |balance: &str| !balance.chars().any(|c| ('1'..='9').contains(&c));
        assert!(
            thanks.invoices.iter().all(|invoice| settled(&invoice.balance)),
            "{}: the thank-you is about paid invoices",
            conversation.name
        );
    }
}

/// The shipped policy as a deployment runs it: with links to the customer's page (a fixed test key, so
/// the links are stable).
fn policy() -> Policy {
    let keys = LinkKeys::from_lines(&"5e".repeat(32)).expect("a 32-byte hex key");
    Policy {
        customer_links: Some(CustomerLinks::new("https://billing.northwind.example", keys).expect("a base URL")),
        ..Policy::default_policy().clone()
    }
}

/// The messages sent to `conversation`'s customer, in order, as `(template, context)`.
fn walk(policy: &Policy, conversation: &Conversation) -> Vec<(String, MessageContext)> {
    let customer = &conversation.customer;
    let customers = HashMap::from([(customer.id.clone(), customer.clone())]);
    let mut invoices = conversation.invoices.clone();
    let mut history = CustomerHistory::default();
    let mut messages = Vec::new();
    let first = day(DUE) - Days::new(10);
    let last = day(DUE) + Days::new(55);
    for date in first.iter_days().take_while(|date| *date <= last) {
        let now = morning(date);
        let histories = HashMap::from([(customer.id.clone(), history.clone())]);
        for planned in plan(now, policy, &customers, &invoices, &histories).reminders {
            let covered: Vec<&Invoice> = invoices
                .iter()
                .filter(|invoice| planned.covers.iter().any(|c| c.invoice_id == invoice.id))
                .collect();
            let reminder =
                draft_reminder(policy, &planned, customer, &covered, &[], now).expect("the reminder composes");
            let progress: BTreeMap<_, _> = advance(policy, &reminder, &invoices, planned.local_date, true)
                .into_iter()
                .collect();
            for invoice in &mut invoices {
                if let Some(dunning) = progress.get(&invoice.id) {
                    invoice.dunning = dunning.clone();
                }
            }
            if let Some(draft) = reminder.draft {
                history.last_sent_on = Some(planned.local_date);
                messages.push((draft.context.template.clone(), draft.context));
            }
        }
    }
    // Three days after the final notice the customer pays everything.
    let paid: Vec<Invoice> = invoices
        .into_iter()
        .map(|invoice| Invoice {
            paid: invoice.total,
            status: InvoiceStatus::Paid,
            ..invoice
        })
        .collect();
    let thank_you = policy.thank_you.as_ref().expect("the default policy thanks");
    let paid: Vec<&Invoice> = paid.iter().collect();
    let thanks = thank_you_reminder(policy, thank_you, customer, &paid, morning(day(DUE) + Days::new(53)))
        .expect("the thank-you composes");
    let context = thanks.draft.expect("a thank-you is a message").context;
    messages.push((context.template.clone(), context));
    messages
}

/// One invoice and several, in English (a UK customer, pounds) and German (a German customer, euros, whose
/// contacts are greeted by surname, as German business letters do).
fn conversations() -> Vec<Conversation> {
    let english = customer(serde_json::json!({
        "id": "CUS-ACME", "display_name": "Acme Trading", "legal_name": "Acme Trading Ltd",
        "locale": "en-GB", "time_zone": "Europe/London",
        "billing_contacts": [{ "name": "Jamie Lee", "email": "jamie.lee@acme.example" }],
        "escalation_contact": { "name": "Priya Shah", "email": "priya.shah@acme.example" }
    }));
    let german = customer(serde_json::json!({
        "id": "CUS-BRANDT", "display_name": "Brandt Maschinenbau", "legal_name": "Brandt Maschinenbau GmbH",
        "locale": "de-DE", "time_zone": "Europe/Berlin",
        "billing_contacts": [{
            "name": "Anna Schmidt", "email": "anna.schmidt@brandt.example",
            "salutation": "ms", "surname": "Schmidt"
        }],
        "escalation_contact": {
            "name": "Jonas Weber", "email": "jonas.weber@brandt.example",
            "salutation": "mr", "surname": "Weber"
        }
    }));
    let en_0042 = invoice(
        &english,
        "INV-2026-0042",
        "GBP",
        "2400.00",
        "0",
        "2026-01-02",
        Some("PO-7731"),
    );
    let de_0113 = invoice(
        &german,
        "RE-2026-0113",
        "EUR",
        "3150.00",
        "0",
        "2026-01-02",
        Some("BE-55120"),
    );
    vec![
        Conversation {
            name: "en-one",
            invoices: vec![en_0042.clone()],
            customer: english.clone(),
        },
        Conversation {
            name: "en-several",
            invoices: vec![
                en_0042,
                invoice(&english, "INV-2026-0047", "GBP", "860.00", "0", "2026-01-05", None),
                invoice(
                    &english,
                    "INV-2026-0051",
                    "GBP",
                    "1275.50",
                    "500.00",
                    "2026-01-09",
                    Some("PO-7790"),
                ),
            ],
            customer: english,
        },
        Conversation {
            name: "de-one",
            invoices: vec![de_0113.clone()],
            customer: german.clone(),
        },
        Conversation {
            name: "de-several",
            invoices: vec![
                de_0113,
                invoice(&german, "RE-2026-0118", "EUR", "742.80", "0", "2026-01-05", None),
                invoice(&german, "RE-2026-0124", "EUR", "1980.00", "990.00", "2026-01-09", None),
            ],
            customer: german,
        },
    ]
}

fn customer(json: serde_json::Value) -> Customer {
    serde_json::from_value(json).expect("a valid customer")
}

/// An open invoice of `customer` due on [`DUE`], with a payment link named after its number.
fn invoice(
    customer: &Customer,
    number: &str,
    currency: &str,
    total: &str,
    paid: &str,
    issued: &str,
    po_number: Option<&str>,
) -> Invoice {
    serde_json::from_value(serde_json::json!({
        "id": number.to_lowercase(), "number": number, "customer_id": customer.id,
        "currency": currency, "total": total, "paid": paid,
        "issue_date": issued, "due_date": DUE, "status": "open",
        "payment_link": format!("https://pay.northwind.example/i/{number}"),
        "po_number": po_number
    }))
    .expect("a valid invoice")
}

fn day(text: &str) -> NaiveDate {
    text.parse().expect("a YYYY-MM-DD date")
}

/// 09:00 UTC: the same date in London and Berlin.
fn morning(date: NaiveDate) -> DateTime<Utc> {
    Utc.from_utc_datetime(&date.and_hms_opt(9, 0, 0).expect("a time"))
}

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../render-wasm/tests/fixtures/ladder")
}

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(folders) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    folders
        .flatten()
        .filter_map(|folder| std::fs::read_dir(folder.path()).ok())
        .flat_map(|files| files.flatten().map(|file| file.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .map(|path| fixtures_dir().join(path.strip_prefix(fixtures_dir()).expect("under the dir")))
        .collect()
}

fn updating() -> bool {
    std::env::var_os(UPDATE_VAR).is_some()
}

fn check_or_update(path: &Path, json: &str, problems: &mut Vec<String>) {
    let on_disk = std::fs::read_to_string(path).ok();
    if on_disk.as_deref() == Some(json) {
        return;
    }
    if updating() {
        std::fs::create_dir_all(path.parent().expect("a folder")).unwrap();
        std::fs::write(path, json).unwrap();
    } else if on_disk.is_none() {
        problems.push(format!("{}: missing", path.display()));
    } else {
        problems.push(format!("{}: differs", path.display()));
    }
}
