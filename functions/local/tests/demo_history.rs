//! The demo's history is kindly's own, so it keeps kindly's promises: read back from the database the real
//! `kindly demo` made, every invoice climbs the policy's ladder in order, no stage before its day and no
//! tone more than one step above the last, every customer's messages are the minimum gap apart, and nothing
//! asks for an invoice after it was paid. A tampered history is caught, so the checks can fail. And whatever
//! the day, today's pass still meets every stage of the ladder.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use kindly_core::calendar::Calendar;
use kindly_core::{Invoice, InvoiceId, Policy, Reminder, ReminderStatus, Store, Tone};
use kindly_local::sqlite_store::SqliteStore;
use std::collections::BTreeMap;
use std::path::Path;

mod common;

/// The reminders that went out, and every invoice they cover, from the demo database in `dir`.
fn demo_history(dir: &Path, today: &str) -> (Vec<Reminder>, BTreeMap<InvoiceId, (Invoice, Calendar)>) {
    run_demo(dir, today);
    read_back(dir)
}

/// `kindly demo --today TODAY` in `dir`; returns what it printed.
fn run_demo(dir: &Path, today: &str) -> String {
    let demo = common::kindly(dir).args(["demo", "--today", today]).output().unwrap();
    assert!(demo.status.success(), "{}", String::from_utf8_lossy(&demo.stderr));
    String::from_utf8(demo.stdout).unwrap()
}

/// The sent reminders of the database in `dir`, and every invoice they cover.
/// The sent reminders, and each invoice they cover with its customer's calendar.
fn read_back(dir: &Path) -> (Vec<Reminder>, BTreeMap<InvoiceId, (Invoice, Calendar)>) {
    let store = SqliteStore::open(&dir.join("kindly.db")).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    runtime.block_on(async {
        let sent = store.reminders_with_status(ReminderStatus::Sent).await.unwrap();
        let ids: Vec<InvoiceId> = sent.iter().flat_map(Reminder::invoice_ids).collect();
        let invoices = store.invoices(&ids).await.unwrap();
        let mut books = BTreeMap::new();
        for invoice in invoices {
            let customer = store.customer(&invoice.customer_id).await.unwrap().unwrap();
            books.insert(invoice.id.clone(), (invoice, customer.calendar()));
        }
        (sent, books)
    })
}

fn sent_at(reminder: &Reminder) -> DateTime<Utc> {
    reminder
        .history
        .iter()
        .rev()
        .find(|step| step.to == ReminderStatus::Sent)
        .map(|step| step.at)
        .expect("a sent reminder has a step into sent")
}

fn sent_on(reminder: &Reminder) -> NaiveDate {
    reminder.sent_on.expect("a sent reminder knows its day")
}

/// Every way `sent` breaks the ladder's rules, one line each (empty: coherent).
fn incoherences(
    policy: &Policy,
    sent: &[Reminder],
    invoices: &BTreeMap<InvoiceId, (Invoice, Calendar)>,
) -> Vec<String> {
    let mut found = Vec::new();
    let mut in_order: Vec<&Reminder> = sent.iter().collect();
    in_order.sort_by_key(|reminder| (sent_at(reminder), reminder.id.clone()));
    let ladder: Vec<&Reminder> = in_order.iter().copied().filter(|r| !r.is_off_ladder()).collect();

    // Per invoice: stages in ladder order, none before its day, tone one step at a time.
    let mut climbed: BTreeMap<&InvoiceId, (usize, Tone)> = BTreeMap::new();
    for reminder in &ladder {
        for covered in &reminder.covers {
            let (invoice, calendar) = &invoices[&covered.invoice_id];
            let stage = policy.stage_index(&covered.stage_id).expect("a stage of the policy");
            let due_on = Policy::stage_date(&policy.stages[stage], invoice.due_date, *calendar);
            if sent_on(reminder) < due_on {
                found.push(format!(
                    "{}: {} went out on {} before its day {due_on}",
                    invoice.number,
                    covered.stage_id,
                    sent_on(reminder)
                ));
            }
            let tone_cap = climbed
                .get(&covered.invoice_id)
                .map_or(Tone::Friendly.level(), |(_, tone)| tone.level() + 1);
            if covered.tone.level() > tone_cap {
                found.push(format!(
                    "{}: {} ({:?}) jumps more than one tone step",
                    invoice.number, covered.stage_id, covered.tone
                ));
            }
            if let Some((last, _)) = climbed.get(&covered.invoice_id)
                && stage <= *last
            {
                found.push(format!(
                    "{}: {} after {}, out of ladder order",
                    invoice.number, covered.stage_id, policy.stages[*last].id
                ));
            }
            climbed.insert(&covered.invoice_id, (stage, covered.tone));
        }
    }

    // Per customer: messages at least the minimum gap apart.
    let mut last_message: BTreeMap<&str, NaiveDate> = BTreeMap::new();
    for reminder in ladder.iter().filter(|r| r.draft.is_some()) {
        let day = sent_on(reminder);
        if let Some(last) = last_message.insert(&reminder.customer_id.0, day)
            && (day - last).num_days() < i64::from(policy.min_gap_days)
        {
            found.push(format!(
                "{}: messages on {last} and {day}, closer than {} days",
                reminder.customer_id, policy.min_gap_days
            ));
        }
    }

    // Nothing asks for an invoice once it is paid (its thank-you was queued when the payment came).
    for thank_you in in_order.iter().filter(|r| r.is_thank_you()) {
        for reminder in &ladder {
            let asks_for_it = reminder
                .invoice_ids()
                .iter()
                .any(|id| thank_you.invoice_ids().contains(id));
            if asks_for_it && sent_at(reminder) > thank_you.created_at {
                found.push(format!("{} asked for an invoice paid before it went out", reminder.id));
            }
        }
    }
    found
}

#[test]
fn the_demo_history_keeps_the_ladder_and_today_meets_every_stage_on_every_weekday() {
    let policy = Policy::default_policy();
    // A week of "todays", Monday 2026-03-16 to Sunday 2026-03-22, and one across the October DST change.
    for today in [
        "2026-03-16",
        "2026-03-17",
        "2026-03-18",
        "2026-03-19",
        "2026-03-20",
        "2026-03-21",
        "2026-03-22",
        "2026-11-24",
    ] {
        let dir = tempfile::tempdir().unwrap();
        let printed = run_demo(dir.path(), today);
        // Whatever the day, today's pass meets the whole ladder and every reason to hold back; a weekend
        // shows the Monday after. One exception, which the calendar forces: `crossed_in_mail` (3 days after
        // the due date) falls on a Tuesday or Wednesday only for an invoice due at the weekend, whose
        // due-date note moved to Monday, so then that customer waits for the minimum gap instead.
        let weekday = NaiveDate::parse_from_str(today, "%Y-%m-%d").unwrap().weekday();
        let crossed = if matches!(weekday, chrono::Weekday::Tue | chrono::Weekday::Wed) {
            "Kessler Maschinenbau: last message went out on"
        } else {
            "crossed_in_mail"
        };
        for expected in [
            "upcoming_due",
            "due_today",
            crossed,
            "overdue_direct",
            "personal_note_from_head",
            "escalation_cc",
            "final_notice",
            "write_off_or_hand_over",
            "5 waiting for approval",
            "Globex Trading: last message went out on",
            "Tidewater Logistics: paused",
            "Paid by card this morning: Quartz Analytics",
            "INV-2026-0981 is disputed",
        ] {
            assert!(
                printed.contains(expected),
                "demo --today {today} lacks `{expected}`:\n{printed}"
            );
        }
        if matches!(weekday, chrono::Weekday::Sat | chrono::Weekday::Sun) {
            assert!(
                printed.contains("kindly writes on business days, so the demo shows Monday"),
                "{printed}"
            );
        }
        let (sent, invoices) = read_back(dir.path());
        let found = incoherences(&policy, &sent, &invoices);
        assert!(found.is_empty(), "demo --today {today}:\n{}", found.join("\n"));
        // Positive control: there is a history to check, with a payment in it.
        assert!(sent.len() >= 30, "demo --today {today}: only {} sent", sent.len());
        assert!(
            sent.iter().filter(|r| r.is_thank_you()).count() >= 2,
            "demo --today {today}: a payment weeks ago and one this morning are thanked"
        );
    }
}

#[test]
fn a_tampered_history_is_caught() {
    let policy = Policy::default_policy();
    let dir = tempfile::tempdir().unwrap();
    let (sent, invoices) = demo_history(dir.path(), "2026-03-16");
    assert!(incoherences(&policy, &sent, &invoices).is_empty());
    let earliest_ladder = |sent: &[Reminder], stage: &str| -> usize {
        sent.iter()
            .position(|r| r.stage_id == stage && r.covers.len() == 1)
            .unwrap_or_else(|| panic!("a {stage} for one invoice"))
    };

    // GIVEN a personal note moved to go out the day after the message before it
    let mut moved = sent.clone();
    let note = earliest_ladder(&moved, "personal_note_from_head");
    let customer = moved[note].customer_id.clone();
    let before = moved
        .iter()
        .filter(|r| r.customer_id == customer && !r.is_off_ladder() && sent_on(r) < sent_on(&moved[note]))
        .map(sent_on)
        .max()
        .unwrap();
    moved[note].sent_on = before.succ_opt();
    // THEN the gap is flagged
    let found = incoherences(&policy, &moved, &invoices);
    assert!(found.iter().any(|f| f.contains("closer than 3 days")), "{found:?}");

    // GIVEN a "due today" marked as sent again after the personal note (the incoherent demo)
    let mut again = sent.clone();
    let due = earliest_ladder(&again, "due_today");
    let mut late = again[due].clone();
    late.id = kindly_core::ReminderId("rem_tampered".into());
    late.sent_on = Some(NaiveDate::from_ymd_opt(2026, 3, 15).unwrap());
    let last = late.history.len() - 1;
    late.history[last].at = "2026-03-15T16:00:00Z".parse().unwrap();
    again.push(late);
    let found = incoherences(&policy, &again, &invoices);
    assert!(found.iter().any(|f| f.contains("out of ladder order")), "{found:?}");

    // GIVEN a first message at the firm tone, and a reminder after the payment
    let mut stern = sent.clone();
    let first = earliest_ladder(&stern, "upcoming_due");
    stern[first].covers[0].tone = Tone::Firm;
    let found = incoherences(&policy, &stern, &invoices);
    assert!(
        found.iter().any(|f| f.contains("jumps more than one tone step")),
        "{found:?}"
    );
    let mut after_paid = sent;
    let thanked = after_paid
        .iter()
        .find(|r| r.is_thank_you())
        .expect("a thank-you")
        .clone();
    let asking = after_paid
        .iter_mut()
        .find(|r| !r.is_off_ladder() && r.invoice_ids() == thanked.invoice_ids())
        .expect("a reminder for the thanked invoice");
    let last = asking.history.len() - 1;
    asking.history[last].at = thanked.created_at + chrono::Duration::hours(1);
    let found = incoherences(&policy, &after_paid, &invoices);
    assert!(found.iter().any(|f| f.contains("paid before it went out")), "{found:?}");
}

#[test]
fn the_same_today_gives_the_same_demo_byte_for_byte() {
    let run = || {
        let dir = tempfile::tempdir().unwrap();
        // The same key in both folders: the messages' links are signed alike.
        common::fixed_link_key(dir.path());
        let printed = run_demo(dir.path(), "2026-03-16").replace(&dir.path().display().to_string(), "DIR");
        let mut history: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir.path().join("outbox/history"))
            .unwrap()
            .flatten()
            .map(|entry| {
                (
                    entry.file_name().to_string_lossy().into_owned(),
                    std::fs::read(entry.path()).unwrap(),
                )
            })
            .collect();
        history.sort();
        let (sent, _) = read_back(dir.path());
        (printed, history, sent)
    };
    let (first, second) = (run(), run());
    assert!(!first.1.is_empty());
    assert!(
        first.0.contains("Customer page for C-ACME: http://127.0.0.1:8080/c/"),
        "{}",
        first.0
    );
    assert_eq!(first.0, second.0, "the printed demo differs");
    assert!(first.1 == second.1, "the history's messages differ");
    assert!(first.2 == second.2, "the stored history differs");
}
