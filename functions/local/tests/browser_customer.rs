//! End to end in a real headless Chromium: customers open their own page from the link `kindly link` prints
//! for their latest message, one at a phone's viewport (390×844), one at a laptop's and in German, and each
//! promises to pay by a date (tests/browser/customer-page.mjs); axe-core checks the page. Then the real
//! `kindly run` mails the acknowledgements, which name the promised day.
//!
//! Needs `KINDLY_CHROMIUM` and `npm ci --prefix tests/browser`; scripts/test.sh does both. Screenshots of a
//! failing page land in target/browser-screenshots. Prints the page's size and load time.

use chrono::NaiveDate;
use std::path::Path;

mod common;
use common::kindly;

fn link(dir: &Path, customer: &str, base: &str) -> String {
    let printed = kindly(dir)
        .args(["link", customer, "--public-url", base])
        .output()
        .unwrap();
    assert!(printed.status.success(), "{}", String::from_utf8_lossy(&printed.stderr));
    String::from_utf8(printed.stdout)
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .trim()
        .to_owned()
}

/// The text of the acknowledgement sent to `to`, from the outbox.
fn acknowledgement_to(outbox: &Path, to: &str) -> String {
    let texts: Vec<String> = std::fs::read_dir(outbox)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.file_name().unwrap().to_string_lossy().starts_with("rem_ack_"))
        .filter_map(|path| {
            let eml = std::fs::read(&path).unwrap();
            let message = mail_parser::MessageParser::default().parse(&eml).unwrap();
            let addressed = message.to()?.first()?.address()? == to;
            addressed.then(|| message.body_text(0).unwrap().into_owned())
        })
        .collect();
    assert_eq!(texts.len(), 1, "one acknowledgement to {to} in the outbox");
    texts.into_iter().next().unwrap()
}

#[test]
fn a_customer_promises_a_date_from_their_page_at_a_phone_and_a_laptop() {
    let dir = tempfile::tempdir().unwrap();
    // Today's demo: the server's clock is the real one, and so are the limits of a promise
    let demo = kindly(dir.path()).arg("demo").output().unwrap();
    assert!(demo.status.success(), "{}", String::from_utf8_lossy(&demo.stderr));
    let (server, base, _) = common::serve(dir.path(), &[]);
    let phone = link(dir.path(), "C-HARBOR", &base);
    let laptop = link(dir.path(), "C-NORD", &base);
    let result = common::drive("customer-page.mjs", &["--phone", &phone, "--laptop", &laptop]);
    drop(server);
    for viewport in ["phone", "laptop"] {
        let figures = &result[viewport];
        println!(
            "customer page at the {viewport}'s viewport: {} bytes of HTML ({} transferred), response {} ms, \
             DOMContentLoaded {} ms, load {} ms",
            figures["html_bytes"],
            figures["transferred_bytes"],
            figures["response_ms"],
            figures["dom_content_loaded_ms"],
            figures["load_ms"]
        );
    }
    println!("axe-core, minor and moderate findings: {}", result["axe"]["violations"]);

    // The acknowledgements go out with the next run, each naming the promised day in the customer's language
    let run = kindly(dir.path()).arg("run").output().unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let outbox = dir.path().join("outbox");
    for (viewport, to, locale) in [
        ("phone", "billing@harborfinch.example", "en-US"),
        ("laptop", "rechnungen@nordlicht.example", "de-DE"),
    ] {
        let promised: NaiveDate = result[viewport]["promised"].as_str().unwrap().parse().unwrap();
        let text = acknowledgement_to(&outbox, to);
        let day = kindly_core::money::format_date(promised, locale);
        assert!(text.contains(&day), "the acknowledgement to {to} names {day}:\n{text}");
    }
}

/// A customer chooses a payment plan on their page (tests/browser/payment-plan.mjs): within the policy's
/// limits it is agreed at once and their invoice leaves the ladder; beyond them it becomes a task for staff.
#[test]
fn a_customer_chooses_a_payment_plan_on_their_page() {
    let dir = tempfile::tempdir().unwrap();
    let demo = kindly(dir.path()).arg("demo").output().unwrap();
    assert!(demo.status.success(), "{}", String::from_utf8_lossy(&demo.stderr));
    let (server, base, _) = common::serve(dir.path(), &[]);
    let within = link(dir.path(), "C-HARBOR", &base);
    let outside = link(dir.path(), "C-NORD", &base);
    let result = common::drive("payment-plan.mjs", &["--within", &within, "--outside", &outside]);
    drop(server);
    assert_eq!(result["within"]["rows"], 3);

    // The agreed plan runs: listed with its instalments, and its invoice is on it.
    let listed = kindly(dir.path()).args(["plan", "list", "C-HARBOR"]).output().unwrap();
    let listed = String::from_utf8(listed.stdout).unwrap();
    assert!(
        listed.contains("(active)") && listed.contains("3 monthly instalments"),
        "{listed}"
    );
    let first = result["within"]["first"].as_str().unwrap();
    assert!(listed.contains(first), "the first instalment on {first}:\n{listed}");
    // The one beyond the limits waits for staff as a task.
    let tasks = kindly(dir.path()).arg("tasks").output().unwrap();
    let tasks = String::from_utf8(tasks.stdout).unwrap();
    assert!(
        tasks.contains("agree_plan, decline_plan") && tasks.contains("20 weekly instalments"),
        "{tasks}"
    );
    let asked = kindly(dir.path()).args(["plan", "list", "C-NORD"]).output().unwrap();
    assert!(String::from_utf8(asked.stdout).unwrap().contains("(requested)"));
}
