//! The customer's answers, end to end: each story starts from the link inside an `.eml` in the outbox of a
//! demo, lets the customer answer on their page in a real headless Chromium (at a phone's viewport or a
//! laptop's), lets staff settle the answer in the tasks inbox of the staff page where the story needs a
//! person, and runs the real `kindly run` day after day (approving the drafts, as staff would) to see what
//! the customer receives next:
//!
//! - a promise to pay by a date: acknowledged, quiet until the eve note, then the broken promise resumes the
//!   ladder with wording that refers to it;
//! - already paid: acknowledged, staff confirm, the invoices are paid and the customer is thanked;
//! - a dispute: acknowledged, staff reject it with a reason, the ladder resumes and gives the reason;
//! - a wrong person: nothing goes to the new address, nor any reminder at all, until staff confirm it; then
//!   the reminders go to the new address.
//!
//! The browser's part is tests/browser/stories.mjs. Needs `KINDLY_CHROMIUM` and `npm ci --prefix
//! tests/browser`; scripts/test.sh does both. Screenshots of a failing page land in target/browser-screenshots.

use chrono::{Days, NaiveDate};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

mod common;
use common::{Serving, kindly};

/// One sent message, as the outbox holds it.
#[derive(Debug)]
struct Mail {
    file: String,
    to: Vec<String>,
    subject: String,
    text: String,
}

/// A demo served on a known port, so that the links in its messages reach the server.
struct Story {
    dir: tempfile::TempDir,
    _server: Serving,
    base: String,
    login: String,
    /// The demo's today (the real one: the page's forms take their limits from the real clock).
    today: NaiveDate,
    /// The outbox's files the story has looked at.
    seen: BTreeSet<String>,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn read_mail(path: &Path) -> Mail {
    let eml = std::fs::read(path).unwrap();
    let message = mail_parser::MessageParser::default()
        .parse(&eml)
        .unwrap_or_else(|| panic!("{} is not a message", path.display()));
    let addresses = |list: Option<&mail_parser::Address>| -> Vec<String> {
        list.into_iter()
            .flat_map(|address| address.iter())
            .filter_map(|address| address.address().map(str::to_owned))
            .collect()
    };
    Mail {
        file: path.file_name().unwrap().to_string_lossy().into_owned(),
        to: addresses(message.to()),
        subject: message.subject().unwrap_or_default().to_owned(),
        text: message.body_text(0).unwrap_or_default().into_owned(),
    }
}

/// The `.eml` files directly in `folder`, oldest name first.
fn emls(folder: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(folder)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "eml"))
        .collect();
    files.sort();
    files
}

impl Story {
    fn start() -> Story {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let base = format!("http://127.0.0.1:{port}");
        let demo = kindly(dir.path())
            .args(["demo", "--public-url", &base])
            .output()
            .unwrap();
        assert!(demo.status.success(), "{}", String::from_utf8_lossy(&demo.stderr));
        let (server, served, login) = common::serve_on(dir.path(), &port.to_string(), &["--as", "e2e-approver"]);
        assert_eq!(served, base, "the server listens where the links point");
        let seen = emls(&dir.path().join("outbox"))
            .iter()
            .map(|path| path.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        Story {
            dir,
            _server: server,
            base,
            login,
            today: chrono::Utc::now().date_naive(),
            seen,
        }
    }

    fn outbox(&self) -> PathBuf {
        self.dir.path().join("outbox")
    }

    /// The link to the customer's page in the latest message to `to` (today's, else the history's).
    fn link_from_latest_message_to(&self, to: &str) -> String {
        let mut candidates: Vec<(String, Mail)> = emls(&self.outbox())
            .into_iter()
            .chain(emls(&self.outbox().join("history")))
            .map(|path| {
                let eml = std::fs::read_to_string(&path).unwrap();
                let date = eml
                    .lines()
                    .find_map(|line| line.strip_prefix("Date: "))
                    .map(|date| chrono::DateTime::parse_from_rfc2822(date).unwrap().to_rfc3339())
                    .unwrap_or_default();
                (date, read_mail(&path))
            })
            .filter(|(_, mail)| mail.to.iter().any(|address| address == to))
            .collect();
        candidates.sort_by(|a, b| a.0.cmp(&b.0));
        let (_, latest) = candidates
            .pop()
            .unwrap_or_else(|| panic!("no message to {to} in the outbox"));
        let prefix = format!("{}/c/", self.base);
        latest
            .text
            .lines()
            .find(|line| line.starts_with(&prefix))
            .unwrap_or_else(|| panic!("{} has no link under {prefix}:\n{}", latest.file, latest.text))
            .trim()
            .to_owned()
    }

    /// The messages written to the outbox since the story last looked.
    fn new_mail(&mut self) -> Vec<Mail> {
        let fresh: Vec<PathBuf> = emls(&self.outbox())
            .into_iter()
            .filter(|path| !self.seen.contains(&*path.file_name().unwrap().to_string_lossy()))
            .collect();
        fresh
            .iter()
            .map(|path| {
                self.seen
                    .insert(path.file_name().unwrap().to_string_lossy().into_owned());
                read_mail(path)
            })
            .collect()
    }

    /// The real `kindly ARGS` on the story's database, writing links to the story's server.
    fn kindly(&self, args: &[&str]) -> String {
        let out = kindly(self.dir.path())
            .args(args)
            .args(["--public-url", &self.base])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "kindly {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// `kindly run` as of `day` (now without a day); staff approve the drafts of `customer` (named as the
    /// drafts table shows it) and the next run sends them. Returns the messages that went out.
    fn pass(&mut self, day: Option<NaiveDate>, customer: &str) -> Vec<Mail> {
        let day = day.map(|day| day.to_string());
        let run: Vec<&str> = match &day {
            Some(day) => vec!["run", "--today", day],
            None => vec!["run"],
        };
        self.kindly(&run);
        let drafts = self.kindly(&["drafts"]);
        let waiting: Vec<String> = drafts
            .lines()
            .filter(|line| line.contains(customer) && !line.contains("TASK:"))
            .filter_map(|line| line.split_whitespace().find(|word| word.starts_with("rem_")))
            .map(str::to_owned)
            .collect();
        for id in &waiting {
            self.kindly(&["approve", id, "--by", "e2e-approver"]);
        }
        if !waiting.is_empty() {
            self.kindly(&run);
        }
        self.new_mail()
    }

    /// The customer's part in the browser: answer `kind` on the page `link` opens.
    fn answer(&self, link: &str, kind: &str, viewport: &str, fields: serde_json::Value) -> serde_json::Value {
        let fields = fields.to_string();
        common::drive(
            "stories.mjs",
            &[
                "answer",
                "--link",
                link,
                "--kind",
                kind,
                "--viewport",
                viewport,
                "--fields",
                &fields,
            ],
        )
    }

    /// The staff's part in the browser: settle `answer` with `decision` from the tasks inbox.
    fn decide(&self, answer: &str, decision: &str, reason: Option<&str>) -> serde_json::Value {
        let mut args = vec![
            "decide",
            "--login",
            &self.login,
            "--answer",
            answer,
            "--decision",
            decision,
        ];
        if let Some(reason) = reason {
            args.extend(["--reason", reason]);
        }
        common::drive("stories.mjs", &args)
    }

    fn timeline(&self, customer: &str) -> String {
        self.kindly(&["timeline", customer])
    }
}

fn to<'a>(mails: &'a [Mail], address: &str) -> Vec<&'a Mail> {
    mails
        .iter()
        .filter(|mail| mail.to.iter().any(|to| to == address))
        .collect()
}

/// The one acknowledgement among `mails`, addressed to `address`.
fn acknowledgement<'a>(mails: &'a [Mail], address: &str) -> &'a Mail {
    let acks: Vec<&Mail> = to(mails, address)
        .into_iter()
        .filter(|mail| mail.file.starts_with("rem_ack_"))
        .collect();
    assert_eq!(acks.len(), 1, "one acknowledgement to {address}: {mails:#?}");
    acks[0]
}

fn day(value: &serde_json::Value) -> NaiveDate {
    value.as_str().unwrap().parse().unwrap()
}

#[test]
fn a_promise_from_the_page_holds_the_ladder_until_it_is_broken_then_the_ladder_refers_to_it() {
    const TO: &str = "ap@acme-robotics.example";
    let mut story = Story::start();
    // GIVEN the courtesy note in the outbox, opened at a phone
    let link = story.link_from_latest_message_to(TO);
    // WHEN the customer promises to pay a week later than the earliest day the form allows
    let answered = story.answer(&link, "promise", "phone", serde_json::json!({ "pay_by": "+7" }));
    let promised = day(&answered["sent"]["pay_by"]);
    let promised_words = kindly_core::money::format_date(promised, "en-US");
    // THEN the acknowledgement names the day
    let sent = story.pass(None, "Acme Robotics");
    let ack = acknowledgement(&sent, TO);
    assert!(ack.text.contains(&promised_words), "{}", ack.text);

    // AND nothing but the eve note reaches them until the day has passed unpaid
    let mut eve = None;
    let mut day = story.today;
    while day < promised {
        day = day + Days::new(1);
        for mail in story.pass(Some(day), "Acme Robotics") {
            if !mail.to.iter().any(|address| address == TO) {
                continue;
            }
            assert!(
                mail.file.starts_with("rem_eve_") && eve.is_none(),
                "on {day}, before the promise of {promised} was broken, {TO} got {}: {}",
                mail.subject,
                mail.text
            );
            assert!(mail.text.contains(&promised_words), "{}", mail.text);
            eve = Some(day);
        }
    }
    assert!(eve.is_some(), "the business day before {promised} brought the eve note");

    // AND THEN the ladder resumes with wording that refers to the broken promise
    let mut resumed = None;
    while resumed.is_none() && day < promised + Days::new(14) {
        day = day + Days::new(1);
        resumed = to(&story.pass(Some(day), "Acme Robotics"), TO)
            .first()
            .map(|mail| mail.text.clone());
    }
    let text = resumed.unwrap_or_else(|| panic!("no message to {TO} in the two weeks after {promised}"));
    assert!(
        text.contains(&format!(
            "you told us you would pay invoice INV-2026-1042 by {promised_words}"
        )),
        "the resumed ladder refers to the promise:\n{text}"
    );
    assert!(
        story.timeline("C-ACME").contains("promise broken"),
        "{}",
        story.timeline("C-ACME")
    );
}

#[test]
fn already_paid_from_the_page_then_staff_confirm_and_the_customer_is_thanked() {
    const TO: &str = "buchhaltung@kessler-mb.example";
    let mut story = Story::start();
    // GIVEN Kessler's message of today, opened at a laptop, in German
    let link = story.link_from_latest_message_to(TO);
    // WHEN they say they paid, with a reference
    let answered = story.answer(
        &link,
        "already_paid",
        "laptop",
        serde_json::json!({ "reference": "ÜW-2026-118" }),
    );
    let answer = answered["answer"].as_str().unwrap().to_owned();
    let sent = story.pass(None, "Kessler");
    let ack = acknowledgement(&sent, TO);
    assert!(ack.text.contains("INV-2026-1019"), "{}", ack.text);
    // AND staff confirm the payment with one key on the staff page
    story.decide(&answer, "confirm_payment", None);
    // THEN the next run thanks them, and both invoices are paid
    let sent = story.pass(None, "Kessler");
    let thanks: Vec<&Mail> = to(&sent, TO);
    assert_eq!(thanks.len(), 1, "one message, the thank-you: {sent:#?}");
    for number in ["INV-2026-1019", "INV-2026-1022"] {
        assert!(thanks[0].text.contains(number), "{}", thanks[0].text);
    }
    let timeline = story.timeline("C-KESSLER");
    assert!(
        timeline.contains("already_paid confirmed") && timeline.contains("e2e-approver"),
        "{timeline}"
    );
    // AND no reminder follows in the weeks after
    for offset in [3, 10, 20] {
        let sent = story.pass(Some(story.today + Days::new(offset)), "Kessler");
        assert!(to(&sent, TO).is_empty(), "a message after the payment: {sent:#?}");
    }
}

#[test]
fn a_dispute_from_the_page_rejected_by_staff_resumes_the_ladder_with_the_reason() {
    const TO: &str = "accounts@brightwave.example";
    const REASON: &str = "The amount matches the quote you signed on 2 October (Q-2026-077).";
    let mut story = Story::start();
    let link = story.link_from_latest_message_to(TO);
    // WHEN they dispute the amount, at a phone
    let answered = story.answer(
        &link,
        "dispute",
        "phone",
        serde_json::json!({ "category": "amount", "text": "We agreed £1,950, not £2,150." }),
    );
    let answer = answered["answer"].as_str().unwrap().to_owned();
    let ack = acknowledgement(&story.pass(None, "Brightwave"), TO).text.clone();
    assert!(ack.contains("INV-2026-1031"), "{ack}");
    // AND no reminder goes out while the question is open
    for offset in 1..=5 {
        let sent = story.pass(Some(story.today + Days::new(offset)), "Brightwave");
        assert!(
            to(&sent, TO).is_empty(),
            "a reminder about a disputed invoice: {sent:#?}"
        );
    }
    // WHEN staff reject it, typing the reason
    story.decide(&answer, "reject_dispute", Some(REASON));
    // THEN the ladder resumes, and its next message gives the reason
    let mut resumed = None;
    let mut day = story.today + Days::new(5);
    while resumed.is_none() && day < story.today + Days::new(30) {
        day = day + Days::new(1);
        resumed = to(&story.pass(Some(day), "Brightwave"), TO)
            .first()
            .map(|mail| (mail.subject.clone(), mail.text.clone()));
    }
    let (subject, text) = resumed.expect("the ladder resumed within a month");
    assert!(
        text.contains("We have looked into your question about invoice INV-2026-1031") && text.contains(REASON),
        "{subject}\n{text}"
    );
}

#[test]
fn a_wrong_person_answer_sends_nothing_to_the_new_address_until_staff_confirm_it() {
    const OLD: &str = "payables@lumenhealth.example";
    const NEW: &str = "sam.okafor@lumenhealth.example";
    let mut story = Story::start();
    // GIVEN Lumen's latest message (from the demo's history), opened at a laptop
    let link = story.link_from_latest_message_to(OLD);
    // WHEN they name the right person
    let answered = story.answer(
        &link,
        "wrong_person",
        "laptop",
        serde_json::json!({ "name": "Sam Okafor", "email": NEW }),
    );
    let answer = answered["answer"].as_str().unwrap().to_owned();
    let sent = story.pass(None, "Lumen");
    acknowledgement(&sent, OLD);
    assert!(to(&sent, NEW).is_empty(), "the acknowledgement goes to who answered");
    // THEN for a week nothing goes out to either address
    for offset in 1..=7 {
        let sent = story.pass(Some(story.today + Days::new(offset)), "Lumen");
        assert!(
            to(&sent, NEW).is_empty() && to(&sent, OLD).is_empty(),
            "on day {offset} before the change was confirmed: {sent:#?}"
        );
    }
    // WHEN staff confirm the contact on the staff page
    story.decide(&answer, "confirm_contact", None);
    // THEN the reminders go on, to the new address only
    let mut resumed = Vec::new();
    let mut day = story.today + Days::new(7);
    while resumed.is_empty() && day < story.today + Days::new(21) {
        day = day + Days::new(1);
        let sent = story.pass(Some(day), "Lumen");
        assert!(to(&sent, OLD).is_empty(), "a message to the old address: {sent:#?}");
        resumed = to(&sent, NEW).into_iter().map(|mail| mail.subject.clone()).collect();
    }
    assert!(
        !resumed.is_empty(),
        "no reminder reached {NEW} within two weeks of the confirmation"
    );
}
