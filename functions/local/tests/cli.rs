//! The real `kindly` binary, driven as a user would, in a scratch directory.

use assert_cmd::Command;
use kindly_core::Store;
use kindly_local::sqlite_store::SqliteStore;
use predicates::prelude::*;
use std::path::Path;

#[allow(dead_code)] // this file drives the binary with its own `kindly`
mod common;

const TODAY: &str = "2026-03-16";

fn kindly(dir: &Path) -> Command {
    let mut command = Command::cargo_bin("kindly").unwrap();
    command
        .current_dir(dir)
        .env_remove("KINDLY_DB")
        .env_remove("KINDLY_OUTBOX")
        .env_remove("KINDLY_POLICY");
    command
}

fn emls(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir.join("outbox"))
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "eml"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

fn stdout_of(command: &mut Command) -> String {
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// The reminder id in the demo table's row for `customer`.
fn reminder_of(table: &str, customer: &str) -> String {
    let row = table
        .lines()
        .find(|line| line.contains(customer))
        .unwrap_or_else(|| panic!("no row for {customer}"));
    row.split_whitespace()
        .find(|word| word.starts_with("rem_"))
        .unwrap()
        .trim_end_matches(".eml")
        .to_owned()
}

#[test]
fn help_explains_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let help = stdout_of(kindly(dir.path()).arg("--help"));
    for command in [
        "demo", "import", "run", "drafts", "show", "approve", "skip", "failed", "resolve", "report", "policy", "link",
        "tasks", "task", "timeline",
    ] {
        assert!(help.contains(command), "--help does not mention {command}:\n{help}");
    }
    let import_help = stdout_of(kindly(dir.path()).args(["import", "--help"]));
    assert!(import_help.contains("--skip-invalid") && import_help.contains("due_date"));
}

#[test]
fn demo_prints_the_pass_and_writes_valid_mime() {
    let dir = tempfile::tempdir().unwrap();
    let table = stdout_of(kindly(dir.path()).args(["demo", "--today", TODAY]));
    // Every stage and reason to hold back, for a week of dates: tests/demo_history.rs.
    for expected in [
        "Acme Robotics",
        "Brightwave Media",
        "Kessler Maschinenbau",
        "Globex Trading: last message went out on 2026-03-15; waiting for the minimum gap",
        "Riley (finance) approving every draft",
        "Paid by card this morning: Quartz Analytics, INV-2026-0977; a thank-you is queued",
        "$4,820.00",
        "7.340,50\u{a0}€",
    ] {
        assert!(table.contains(expected), "demo output lacks `{expected}`:\n{table}");
    }
    let files = emls(dir.path());
    assert_eq!(
        files.len(),
        4,
        "three auto-approved stages and the thank-you go straight to the outbox"
    );
    let thank_you = files
        .iter()
        .find(|file| {
            std::fs::read_to_string(file)
                .unwrap()
                .contains("Thank you for paying invoice INV-2026-0977")
        })
        .expect("Quartz is thanked for paying");
    for file in &files {
        let bytes = std::fs::read(file).unwrap();
        let message = mail_parser::MessageParser::default()
            .parse(&bytes)
            .expect("parses as RFC 5322");
        assert!(
            message.subject().is_some_and(|s| s.contains("Northwind Studio")),
            "{file:?}"
        );
        assert!(message.from().is_some() && message.to().is_some() && message.message_id().is_some());
        assert_eq!(message.text_body_count(), 1, "{file:?} has a text part");
        assert_eq!(message.html_body_count(), 1, "{file:?} has an HTML part");
        let text = message.body_text(0).unwrap();
        let html = message.body_html(0).unwrap();
        assert!(
            text.contains("INV-2026-") && html.contains("INV-2026-"),
            "{file:?} names its invoices"
        );
        assert_eq!(
            html.contains("https://pay.northwind.example/i/"),
            file != thank_you,
            "{file:?} links to payment unless it thanks for one"
        );
        // Internal ids stay inside kindly (the SES mailer sends them as tags, not headers).
        let raw = String::from_utf8_lossy(&bytes);
        assert!(
            message.header_raw("X-Kindly-Customer").is_none() && !raw.contains("C-ACME") && !raw.contains("X-Kindly"),
            "{file:?} shows an internal id"
        );
    }
    // The weeks before today went out into outbox/history/, dated when they went out, not into the outbox.
    let history: Vec<_> = std::fs::read_dir(dir.path().join("outbox/history"))
        .unwrap()
        .flatten()
        .map(|entry| entry.path())
        .collect();
    assert!(
        table.contains(&format!(
            "sent {} messages,\nwhich are in outbox/history",
            history.len()
        )),
        "the demo counts its history:\n{table}"
    );
    let today_starts = chrono::NaiveDate::parse_from_str(TODAY, "%Y-%m-%d")
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc()
        .timestamp();
    for file in &history {
        let bytes = std::fs::read(file).unwrap();
        let message = mail_parser::MessageParser::default()
            .parse(&bytes)
            .expect("parses as RFC 5322");
        let date = message.date().expect("dated").to_timestamp();
        assert!(date < today_starts, "{file:?} is dated {date}, not before today");
    }
    // The German customer gets German, with both currencies formatted the German way.
    let kessler = dir
        .path()
        .join("outbox")
        .join(format!("{}.eml", reminder_of(&table, "Kessler")));
    let message_bytes = std::fs::read(kessler).unwrap();
    let message = mail_parser::MessageParser::default().parse(&message_bytes).unwrap();
    let text = message.body_text(0).unwrap();
    assert!(
        text.contains("7.340,50\u{a0}€") && text.contains("1.980,00\u{a0}$"),
        "{text}"
    );
    assert!(
        text.contains("Banküberweisung") && !text.contains("Bank transfer"),
        "payment instructions in German:\n{text}"
    );
}

#[test]
fn demo_never_replaces_a_real_database() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("customers.csv"),
        "id,display_name,time_zone,contact_email\nC1,Acme,UTC,ap@acme.example\n",
    )
    .unwrap();
    stdout_of(kindly(dir.path()).args(["import", "customers.csv"]));
    kindly(dir.path())
        .args(["demo", "--today", TODAY])
        .assert()
        .failure()
        .stderr(predicate::str::contains("holds data the demo did not create"));
    // A demo database may be replaced by the next demo.
    stdout_of(kindly(dir.path()).args(["--db", "demo.db", "demo", "--today", TODAY]));
    stdout_of(kindly(dir.path()).args(["--db", "demo.db", "demo", "--today", TODAY]));
}

#[test]
fn approve_then_run_sends_exactly_what_was_shown() {
    let dir = tempfile::tempdir().unwrap();
    let table = stdout_of(kindly(dir.path()).args(["demo", "--today", TODAY]));
    let lumen = reminder_of(&table, "Lumen Health");
    let drafts = stdout_of(kindly(dir.path()).arg("drafts"));
    assert!(
        drafts.contains(&lumen) && drafts.contains("invoice INV-2026-1010 for $7,300.00, due March 6, 2026"),
        "{drafts}"
    );
    let shown = stdout_of(kindly(dir.path()).args(["show", &lumen]));
    assert!(
        shown.contains("interest of $10.80 has accrued") && !shown.contains("may apply"),
        "1.5% a month (18% a year) on the $7,300.00 balance for the 3 days after the 7 days' grace:\n{shown}"
    );
    let hash = shown
        .lines()
        .find_map(|l| l.strip_prefix("Hash:"))
        .unwrap()
        .trim()
        .to_owned();
    kindly(dir.path())
        .args(["approve", &lumen, "--hash", "deadbeef"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("does not match"));
    stdout_of(kindly(dir.path()).args(["approve", &lumen, "--hash", &hash, "--by", "robin"]));
    let run = stdout_of(kindly(dir.path()).args(["run", "--today", TODAY]));
    assert!(run.contains(&format!("{lumen}: sent")), "{run}");
    let sent = std::fs::read_to_string(dir.path().join("outbox").join(format!("{lumen}.eml"))).unwrap();
    assert!(
        sent.contains("Subject: Payment reminder: invoice INV-2026-1010"),
        "{sent}"
    );
    let history = stdout_of(kindly(dir.path()).args(["show", &lumen]));
    assert!(
        history.contains("pending_approval → approved  by robin") && history.contains("Status:    sent"),
        "{history}"
    );
}

#[test]
fn runs_are_idempotent_and_dry_runs_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    stdout_of(kindly(dir.path()).args(["demo", "--today", TODAY]));
    let before = emls(dir.path());
    let again = stdout_of(kindly(dir.path()).args(["run", "--today", TODAY]));
    // The demo's drafts still wait: the summary counts them, not only what this run drafted
    assert!(
        again.contains("0 sent to the outbox, 5 waiting for approval"),
        "{again}"
    );
    assert_eq!(emls(dir.path()), before);
    let dry = stdout_of(kindly(dir.path()).args(["run", "--today", "2026-03-25", "--dry-run"]));
    assert!(dry.contains("would be drafted"), "{dry}");
    assert_eq!(emls(dir.path()), before);
    let drafts_after = stdout_of(kindly(dir.path()).arg("drafts"));
    assert_eq!(
        drafts_after.matches("rem_").count(),
        5,
        "the dry run added no drafts:\n{drafts_after}"
    );
}

#[test]
fn skip_records_the_decision() {
    let dir = tempfile::tempdir().unwrap();
    let table = stdout_of(kindly(dir.path()).args(["demo", "--today", TODAY]));
    let oak = reminder_of(&table, "Oakridge");
    stdout_of(kindly(dir.path()).args(["skip", &oak, "--reason", "Promised to pay Friday", "--by", "robin"]));
    let shown = stdout_of(kindly(dir.path()).args(["show", &oak]));
    assert!(
        shown.contains("Status:    skipped") && shown.contains("Promised to pay Friday"),
        "{shown}"
    );
    kindly(dir.path())
        .args(["approve", &oak])
        .assert()
        .failure()
        .stderr(predicate::str::contains("skipped"));
    kindly(dir.path())
        .args(["show", "rem_nope"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("rem_nope"));
}

#[test]
fn import_checks_everything_first() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("customers.csv"),
        "id,display_name,locale,time_zone,contact_name,contact_email\n\
         C1,Acme,en-US,America/New_York,Jamie,ap@acme.example\n\
         C2,Globex,en-GB,Mars/Olympus,Alex,not-an-email\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("invoices.json"),
        r#"{"invoices": [
  {"id": "I1", "number": "INV-1", "customer_id": "C1", "currency": "USD", "total": "120.00",
   "issue_date": "2026-02-01", "due_date": "2026-03-01"},
  {"id": "I2", "number": "INV-2", "customer_id": "C9", "currency": "USD", "total": "80.00",
   "issue_date": "2026-02-01", "due_date": "2026-03-01"}
]}"#,
    )
    .unwrap();
    // GIVEN files with bad rows, WHEN imported, THEN every problem is named and nothing is imported
    kindly(dir.path())
        .args(["import", "customers.csv"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("line 3: field `time_zone`"))
        .stderr(predicate::str::contains(
            "line 3: field `contact_email`: `not-an-email` is not an email address",
        ))
        .stderr(predicate::str::contains("nothing was imported"));
    let store = SqliteStore::open(&dir.path().join("kindly.db")).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    assert!(
        runtime
            .block_on(store.customer(&kindly_core::CustomerId("C1".into())))
            .unwrap()
            .is_none()
    );
    // WHEN the valid rows are wanted anyway
    let imported = stdout_of(kindly(dir.path()).args(["import", "customers.csv", "--skip-invalid"]));
    assert!(
        imported.contains("Imported 1 customer(s)") && imported.contains("line 3"),
        "{imported}"
    );
    kindly(dir.path())
        .args(["import", "invoices.json"])
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "invoices[1], line 4: field `customer_id`: no customer `C9`",
        ));
    stdout_of(kindly(dir.path()).args(["import", "invoices.json", "--skip-invalid"]));
    let aging = stdout_of(kindly(dir.path()).args(["report", "aging", "--today", TODAY]));
    assert!(aging.contains("USD") && aging.contains("$120.00"), "{aging}");
}

#[test]
fn aging_report_buckets_per_currency() {
    let dir = tempfile::tempdir().unwrap();
    stdout_of(kindly(dir.path()).args(["demo", "--today", TODAY]));
    let aging = stdout_of(kindly(dir.path()).args(["report", "aging", "--today", TODAY]));
    for expected in ["EUR", "GBP", "USD", "current", "1-30", "31-60", "61-90", "90+"] {
        assert!(aging.contains(expected), "aging lacks {expected}:\n{aging}");
    }
    assert!(!aging.contains("1,200.00"), "the paid invoice is not owed:\n{aging}");
}

#[test]
fn a_bad_policy_names_the_stage_and_rule() {
    let dir = tempfile::tempdir().unwrap();
    let default = stdout_of(kindly(dir.path()).args(["policy", "--print-default"]));
    let broken = default.replacen("tone = \"friendly\"", "tone = \"firm\"", 1);
    std::fs::write(dir.path().join("policy.toml"), broken).unwrap();
    kindly(dir.path())
        .args(["policy", "policy.toml"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("stage `crossed_in_mail`").and(predicate::str::contains("at most one level")));
    let ladder = stdout_of(kindly(dir.path()).args(["policy", "--today", "2026-03-16"]));
    assert!(
        ladder.contains("The policy is valid") && ladder.contains("5 before"),
        "{ladder}"
    );
    assert!(
        ladder.contains("bank_of_england (Bank of England Bank Rate): 3.75% from 2025-12-18")
            && !ladder.contains("warning"),
        "{ladder}"
    );
    // A half-year later the tables need rates after their last check: each is named.
    let later = stdout_of(kindly(dir.path()).args(["policy", "--today", "2026-07-01"]));
    for table in ["bank_of_england", "ecb_main_refinancing", "bundesbank_basiszinssatz"] {
        assert!(later.contains(&format!("warning: interest.rates.{table}: ")), "{later}");
    }
}

#[test]
fn serve_refuses_a_signing_secrets_file_without_endpoint_secrets() {
    // GIVEN a secrets file whose second line is a placeholder, not Stripe's whsec_ secret
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("secrets.txt"), "whsec_genuine\nreplace-me\n").unwrap();
    // WHEN the server starts with it THEN it does not start, and says which line is wrong
    kindly(dir.path())
        .args(["serve", "--port", "0", "--stripe-secrets-file", "secrets.txt"])
        .timeout(std::time::Duration::from_secs(30))
        .assert()
        .failure()
        .stderr(
            predicate::str::contains("secrets.txt").and(predicate::str::contains("line 2 is not a Stripe endpoint")),
        );
}

#[test]
fn a_large_import_lands_whole() {
    // GIVEN 1,000 customers and 5,000 invoices of 10.00 USD each
    let dir = tempfile::tempdir().unwrap();
    let mut customers = String::from("id,display_name,time_zone,contact_email\n");
    let mut invoices = String::from("id,customer_id,currency,total,issue_date,due_date\n");
    for c in 0..1000 {
        customers.push_str(&format!("C{c},Customer {c},Europe/Berlin,ap{c}@example.com\n"));
        for i in 0..5 {
            invoices.push_str(&format!("I{c}-{i},C{c},USD,10.00,2026-01-01,2026-02-0{}\n", i + 1));
        }
    }
    std::fs::write(dir.path().join("customers.csv"), customers).unwrap();
    std::fs::write(dir.path().join("invoices.csv"), &invoices).unwrap();
    stdout_of(kindly(dir.path()).args(["import", "customers.csv"]));
    // WHEN one row at the very end is bad, THEN nothing of the file is imported
    std::fs::write(
        dir.path().join("bad.csv"),
        format!("{invoices}I-bad,C1,USD,ten,2026-01-01,2026-02-01\n"),
    )
    .unwrap();
    kindly(dir.path())
        .args(["import", "bad.csv"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("line 5002: field `total`"));
    let aging = stdout_of(kindly(dir.path()).args(["report", "aging", "--today", TODAY]));
    assert!(aging.contains("Nothing is owed"), "{aging}");
    // WHEN the good file is imported, THEN every invoice is there
    let imported = stdout_of(kindly(dir.path()).args(["import", "invoices.csv"]));
    assert!(
        imported.contains("Imported 0 customer(s) and 5000 invoice(s)"),
        "{imported}"
    );
    let aging = stdout_of(kindly(dir.path()).args(["report", "aging", "--today", TODAY]));
    assert!(aging.contains("5000") && aging.contains("$50,000.00"), "{aging}");
}

#[test]
fn an_import_voids_the_drafts_it_changes_and_names_them() {
    // GIVEN the demo, where Lumen Health's draft for INV-2026-1010 waits for approval
    let dir = tempfile::tempdir().unwrap();
    let table = stdout_of(kindly(dir.path()).args(["demo", "--today", TODAY]));
    let lumen = reminder_of(&table, "Lumen Health");
    assert!(stdout_of(kindly(dir.path()).arg("drafts")).contains(&lumen));
    // WHEN the accounting system reports that invoice paid
    std::fs::write(
        dir.path().join("payments.csv"),
        "id,customer_id,currency,total,paid,status,issue_date,due_date\n\
         2026-1010,C-LUMEN,USD,9800.00,9800.00,paid,2026-02-04,2026-03-06\n",
    )
    .unwrap();
    let imported = stdout_of(kindly(dir.path()).args(["import", "payments.csv"]));
    // THEN it is imported, and the voided draft is named
    assert!(
        imported.contains("Imported 0 customer(s) and 1 invoice(s)"),
        "{imported}"
    );
    assert!(
        imported.contains(&format!("{lumen} (invoice 2026-1010, line 2)")),
        "the voided draft is listed:\n{imported}"
    );
    assert!(!stdout_of(kindly(dir.path()).arg("drafts")).contains(&lumen));
    let shown = stdout_of(kindly(dir.path()).args(["show", &lumen]));
    assert!(shown.contains("Status:    cancelled"), "{shown}");
    let aging = stdout_of(kindly(dir.path()).args(["report", "aging", "--today", TODAY]));
    assert!(!aging.contains("7,300.00"), "the paid invoice is not owed:\n{aging}");
}

#[test]
fn import_refuses_amounts_a_sum_could_not_hold_and_paid_beyond_minor_units() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("customers.csv"),
        "id,display_name,time_zone,contact_email\nC1,Acme,Asia/Tokyo,ap@acme.example\n",
    )
    .unwrap();
    stdout_of(kindly(dir.path()).args(["import", "customers.csv"]));
    // GIVEN two yen invoices whose sum overflowed the pass, and a payment in fractions of a yen
    std::fs::write(
        dir.path().join("invoices.csv"),
        "id,customer_id,currency,total,paid,issue_date,due_date\n\
         I1,C1,JPY,50000000000000000000000000000,,2026-01-01,2026-02-01\n\
         I2,C1,JPY,50000000000000000000000000000,,2026-01-01,2026-02-01\n\
         I3,C1,JPY,1000,10.5,2026-01-01,2026-02-01\n",
    )
    .unwrap();
    // WHEN imported, THEN each is refused by line and field and nothing is imported
    kindly(dir.path())
        .args(["import", "invoices.csv"])
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "line 2: field `total`: must be at most 1000000000000000 JPY",
        ))
        .stderr(predicate::str::contains("line 3: field `total`"))
        .stderr(predicate::str::contains(
            "line 4: field `paid`: JPY allows at most 0 decimal places",
        ));
    let aging = stdout_of(kindly(dir.path()).args(["report", "aging", "--today", TODAY]));
    assert!(aging.contains("Nothing is owed"), "{aging}");
}

#[test]
fn a_reason_beyond_its_limit_is_refused_and_nothing_changes() {
    let dir = tempfile::tempdir().unwrap();
    let table = stdout_of(kindly(dir.path()).args(["demo", "--today", TODAY]));
    let oak = reminder_of(&table, "Oakridge");
    kindly(dir.path())
        .args(["skip", &oak, "--reason", &"r".repeat(1_001)])
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "field `reason`: is 1001 characters long; at most 1000 are allowed",
        ));
    let shown = stdout_of(kindly(dir.path()).args(["show", &oak]));
    assert!(shown.contains("Status:    pending_approval"), "{shown}");
}

#[test]
fn failed_reminders_are_listed_and_resolved_once_either_way() {
    let dir = tempfile::tempdir().unwrap();
    let table = stdout_of(kindly(dir.path()).args(["demo", "--today", TODAY]));
    let db = dir.path().join("kindly.db");
    // GIVEN two reminders the mail provider refused
    let lumen = common::fail_the_draft_of(&db, "C-LUMEN", "mailbox unavailable at lumen.example");
    let oak = common::fail_the_draft_of(&db, "C-OAK", "address rejected at oak.example");
    assert_eq!(lumen, reminder_of(&table, "Lumen Health"));
    // WHEN staff list the failures THEN each shows its customer, invoices and reason
    let failed = stdout_of(kindly(dir.path()).arg("failed"));
    for expected in [
        lumen.as_str(),
        "Lumen Health",
        "INV-2026-1010",
        "mailbox unavailable at lumen.example",
        oak.as_str(),
        "address rejected at oak.example",
    ] {
        assert!(
            failed.contains(expected),
            "`kindly failed` lacks `{expected}`:\n{failed}"
        );
    }
    // and a pass holds Lumen back, pointing at them
    let held = stdout_of(kindly(dir.path()).args(["run", "--today", TODAY, "--dry-run"]));
    assert!(
        held.contains(&format!("{lumen} failed; say whether it went out")),
        "{held}"
    );

    // WHEN the resolution is unclear or names nothing THEN it is refused and nothing changes
    for (args, error) in [
        (vec!["resolve", lumen.as_str()], "--went-out"),
        (
            vec!["resolve", lumen.as_str(), "--went-out", "--not-sent"],
            "cannot be used with",
        ),
        (vec!["resolve", "rem_nope", "--went-out"], "rem_nope"),
    ] {
        kindly(dir.path())
            .args(&args)
            .assert()
            .failure()
            .stderr(predicate::str::contains(error));
    }
    let long = "n".repeat(1_001);
    kindly(dir.path())
        .args(["resolve", &lumen, "--went-out", "--note", &long])
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "field `note`: is 1001 characters long; at most 1000 are allowed",
        ));
    assert_eq!(stdout_of(kindly(dir.path()).arg("failed")), failed);

    // WHEN Lumen's message is in the provider's log and Oakridge's is not
    let went = stdout_of(kindly(dir.path()).args([
        "resolve",
        &lumen,
        "--went-out",
        "--note",
        "In the provider's log",
        "--as",
        "pat",
    ]));
    assert!(went.contains("recorded as sent"), "{went}");
    let not = stdout_of(kindly(dir.path()).args(["resolve", &oak, "--not-sent", "--by", "robin"]));
    assert!(not.contains("plans it again"), "{not}");
    // THEN Lumen's counts as sent, by pat, with the note; Oakridge's is cancelled and drafted again
    let shown = stdout_of(kindly(dir.path()).args(["show", &lumen]));
    assert!(
        shown.contains("Status:    sent") && shown.contains("failed → sent  by pat (In the provider's log)"),
        "{shown}"
    );
    let shown = stdout_of(kindly(dir.path()).args(["show", &oak]));
    assert!(
        shown.contains("Status:    cancelled") && shown.contains("by robin"),
        "{shown}"
    );
    let none = stdout_of(kindly(dir.path()).arg("failed"));
    assert!(none.contains("No reminder has failed"), "{none}");
    stdout_of(kindly(dir.path()).args(["run", "--today", TODAY]));
    let drafts = stdout_of(kindly(dir.path()).arg("drafts"));
    assert!(drafts.contains(&oak) && !drafts.contains(&lumen), "{drafts}");

    // WHEN someone resolves Lumen's again THEN it is refused, saying what it is now, and stays sent
    kindly(dir.path())
        .args(["resolve", &lumen, "--not-sent"])
        .assert()
        .failure()
        .stderr(predicate::str::contains(format!(
            "reminder {lumen} is sent; resolving needs it failed"
        )));
    let shown = stdout_of(kindly(dir.path()).args(["show", &lumen]));
    assert!(shown.contains("Status:    sent"), "{shown}");
}

#[test]
fn link_prints_a_signed_link_to_the_customers_page_with_a_private_key_file() {
    let dir = tempfile::tempdir().unwrap();
    // GIVEN no key file yet WHEN the demo writes its messages THEN one is made, readable by its owner only
    let key_file = dir.path().join("kindly.db.link-keys");
    assert!(!key_file.exists());
    let demo = stdout_of(kindly(dir.path()).args(["demo", "--today", TODAY]));
    let made = std::fs::read_to_string(&key_file).unwrap();
    // AND a later demo, which replaces the database, keeps the key: links already sent keep working
    let again = stdout_of(kindly(dir.path()).args(["demo", "--today", TODAY]));
    assert_eq!(std::fs::read_to_string(&key_file).unwrap(), made);
    let demo_link = |printed: &str| {
        let line = printed
            .lines()
            .find(|line| line.starts_with("Customer page for C-ACME: "));
        line.unwrap_or_else(|| panic!("the demo prints a link:\n{printed}"))
            .to_owned()
    };
    assert_eq!(demo_link(&demo), demo_link(&again), "the same key signs the same link");
    let printed = stdout_of(kindly(dir.path()).args(["link", "C-ACME"]));
    let link = printed.lines().next().unwrap();
    let token = link
        .strip_prefix("http://127.0.0.1:8080/c/")
        .unwrap_or_else(|| panic!("the default base is the local server: {printed}"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    // The link opens C-ACME's page, through the latest message it was sent
    let keys = kindly_core::link::LinkKeys::from_lines(&std::fs::read_to_string(&key_file).unwrap()).unwrap();
    let target = keys.verify(token, chrono::Utc::now()).unwrap();
    assert_eq!(target.customer.0, "C-ACME");
    assert!(printed.contains(&target.reminder.0), "{printed}");
    // The same key signs the next link; --public-url sets the base
    let again =
        stdout_of(kindly(dir.path()).args(["link", "C-ACME", "--public-url", "https://pay.northwind.example/"]));
    let token = again
        .lines()
        .next()
        .unwrap()
        .strip_prefix("https://pay.northwind.example/c/")
        .unwrap();
    assert!(keys.verify(token, chrono::Utc::now()).is_ok(), "{again}");
    // A base that is not a web address is refused, naming the option
    kindly(dir.path())
        .args(["link", "C-ACME", "--public-url", "pay.northwind.example"])
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "--public-url: `pay.northwind.example` is not an address",
        ));
    // A customer kindly does not know gets no link
    kindly(dir.path())
        .args(["link", "C-NOBODY"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("customer `C-NOBODY` not found"));
}

#[test]
fn a_fee_invoice_charges_the_interest_once_and_is_exported_for_the_accounting_system() {
    // GIVEN the demo, where Lumen's contract charges 1.5% a month after 7 days' grace
    let dir = tempfile::tempdir().unwrap();
    stdout_of(kindly(dir.path()).args(["demo", "--today", TODAY]));
    // WHEN staff turn what accrued on its invoice into a fee invoice
    let raised =
        stdout_of(kindly(dir.path()).args(["fee-invoice", "2026-1010", "--today", TODAY, "--csv", "fees.csv"]));
    // THEN it charges the 3 days after the grace on $7,300.00 at 18% a year, and is in the CSV file
    assert!(
        raised.contains(
            "Fee invoice INV-2026-1010-INT-20260316 for invoice INV-2026-1010: interest $10.80 at 18% a year"
        ),
        "{raised}"
    );
    let csv = std::fs::read_to_string(dir.path().join("fees.csv")).unwrap();
    assert_eq!(csv.lines().count(), 2, "{csv}");
    assert!(
        csv.lines()
            .nth(1)
            .unwrap()
            .starts_with("2026-1010-interest-2026-03-16,INV-2026-1010-INT-20260316,C-LUMEN,USD,")
    );
    // and the same day again there is nothing more to charge, and the file is unchanged
    kindly(dir.path())
        .args(["fee-invoice", "2026-1010", "--today", TODAY, "--csv", "fees.csv"])
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "interest or a fee to invoice on invoice `INV-2026-1010` not found",
        ));
    assert_eq!(std::fs::read_to_string(dir.path().join("fees.csv")).unwrap(), csv);
}
