//! What the end-to-end tests that drive the real `kindly` binary share (benches/page.rs includes it too).

use std::path::Path;
use std::process::Command;

/// The real `kindly` on `dir`'s database and outbox, without a policy file or public address taken from the
/// environment.
pub fn kindly(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kindly"));
    command
        .arg("--db")
        .arg(dir.join("kindly.db"))
        .arg("--outbox")
        .arg(dir.join("outbox"))
        .env_remove("KINDLY_POLICY")
        .env_remove("KINDLY_PUBLIC_URL");
    command
}

/// A fixed link key in the key file beside `dir`'s database, so that runs in different folders sign the
/// same links (the product makes a random one). Returns the keys.
#[allow(dead_code)] // only the tests that compare runs byte for byte use it
pub fn fixed_link_key(dir: &Path) -> kindly_core::link::LinkKeys {
    let text = format!("# a test key\n{}\n", "5a".repeat(kindly_core::link::KEY_BYTES));
    std::fs::write(dir.join("kindly.db.link-keys"), &text).unwrap();
    kindly_core::link::LinkKeys::from_lines(&text).unwrap()
}

/// The browser's path from `KINDLY_CHROMIUM`; without it a browser test says how to get one.
#[allow(dead_code)] // the page bench falls back to /usr/bin/chromium instead
pub fn chromium() -> String {
    std::env::var("KINDLY_CHROMIUM").expect(
        "KINDLY_CHROMIUM is not set: run ./scripts/test.sh, or install Chromium, run `npm ci --prefix \
         tests/browser` and export KINDLY_CHROMIUM=/usr/bin/chromium",
    )
}

/// [`fail_the_draft`] on the database at `db`.
#[allow(dead_code)] // only the tests that resolve failures use it
pub fn fail_the_draft_of(db: &Path, customer: &str, reason: &str) -> String {
    let store = kindly_local::sqlite_store::SqliteStore::open(db).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    runtime.block_on(fail_the_draft(&store, customer, reason))
}

/// Turn customer `customer`'s waiting draft into a reminder whose sending failed for `reason`, as a mail
/// provider's refusal leaves it: approved as shown, claimed by a sender, failed. Returns its id.
#[allow(dead_code)] // only the tests that resolve failures use it
pub async fn fail_the_draft(store: &impl kindly_core::Store, customer: &str, reason: &str) -> String {
    use kindly_core::{ReminderStatus, actor::Actor};
    let drafts = store
        .reminders_with_status(ReminderStatus::PendingApproval)
        .await
        .unwrap();
    let draft = drafts
        .into_iter()
        .find(|draft| draft.customer_id.0 == customer && draft.draft.is_some())
        .unwrap_or_else(|| panic!("no draft waits for {customer}"));
    let hash = draft.draft.as_ref().unwrap().content_hash.clone();
    let at = draft.created_at + chrono::Duration::minutes(5);
    let mut reminder = kindly_core::service::approve(store, &draft.id, "robin", &hash, None, at)
        .await
        .unwrap();
    reminder
        .transition(ReminderStatus::Sending, at, &Actor::System, None)
        .unwrap();
    reminder
        .transition(ReminderStatus::Failed, at, &Actor::System, Some(reason.to_owned()))
        .unwrap();
    reminder.failure = Some(reason.to_owned());
    store
        .update_reminder(&reminder, ReminderStatus::Approved, &[])
        .await
        .unwrap();
    reminder.id.0
}

/// Record, on the database at `db`, that `customer` answered their latest message's link saying they paid
/// their first open invoice yesterday. Returns the answer's id and the invoice's number.
#[allow(dead_code)] // only the tests of the tasks inbox use it
pub fn answer_paid_of(db: &Path, customer: &str) -> (String, String) {
    use kindly_core::Store;
    use kindly_core::answer::AnswerKind;
    use kindly_core::service::{self, AnswerForm};
    let store = kindly_local::sqlite_store::SqliteStore::open(db).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    runtime.block_on(async {
        let id = kindly_core::CustomerId(customer.to_owned());
        let now = chrono::Utc::now();
        let invoice = store
            .invoices_of_customer(&id)
            .await
            .unwrap()
            .into_iter()
            .find(|invoice| invoice.is_remindable())
            .unwrap_or_else(|| panic!("{customer} owes nothing"));
        let mut reminders = store.reminders_of_customer(&id).await.unwrap();
        reminders.sort_by_key(|reminder| reminder.created_at);
        let via = reminders.last().expect("a message was sent").id.clone();
        let answered = service::record_answer(
            &store,
            &kindly_core::Policy::default_policy(),
            &id,
            &via,
            AnswerForm {
                invoices: vec![invoice.id.clone()],
                kind: AnswerKind::AlreadyPaid {
                    paid_on: (now - chrono::Duration::days(1)).date_naive(),
                    amount: None,
                    reference: Some("TX-4711".into()),
                },
                form: "paid-form".into(),
            },
            now,
        )
        .await
        .unwrap();
        (answered.answer().id.0.clone(), invoice.number)
    })
}

/// A running `kindly serve`, stopped however the test ends.
#[allow(dead_code)] // only the browser tests serve
pub struct Serving(pub std::process::Child);

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `kindly serve --port 0 ARGS` on `dir`; returns it with the server's address and the one-time login link.
#[allow(dead_code)] // only the browser tests serve
pub fn serve(dir: &Path, args: &[&str]) -> (Serving, String, String) {
    serve_on(dir, "0", args)
}

/// [`serve`] on `port`.
#[allow(dead_code)] // only the browser tests serve
pub fn serve_on(dir: &Path, port: &str, args: &[&str]) -> (Serving, String, String) {
    use std::io::{BufRead, BufReader};
    let mut child = kindly(dir)
        .args(["serve", "--port", port])
        .args(args)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("start kindly serve");
    let stdout = child.stdout.take().unwrap();
    let serving = Serving(child);
    let login = BufReader::new(stdout)
        .lines()
        .map(|line| line.expect("read kindly serve's output"))
        .find(|line| line.contains("/login?token="))
        .expect("kindly serve prints a login link");
    let login = login.trim().to_owned();
    let base = login.split("/login").next().unwrap().to_owned();
    (serving, base, login)
}

/// Run the browser script `tests/browser/SCRIPT` with `args` and `--screenshots`; its last line of output,
/// JSON, when it succeeds. A failure names where the screenshots are.
#[allow(dead_code)] // only the browser tests drive a browser
pub fn drive(script: &str, args: &[&str]) -> serde_json::Value {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let screenshots = repo.join("target/browser-screenshots");
    let driven = Command::new("node")
        .arg(repo.join("tests/browser").join(script))
        .args(args)
        .arg("--screenshots")
        .arg(&screenshots)
        .env("KINDLY_CHROMIUM", chromium())
        .output()
        .expect("run node");
    let stdout = String::from_utf8_lossy(&driven.stdout);
    assert!(
        driven.status.success(),
        "the browser test failed (screenshots in {}):\n{}\n{stdout}",
        screenshots.display(),
        String::from_utf8_lossy(&driven.stderr)
    );
    serde_json::from_str(stdout.lines().last().expect("a JSON summary")).expect("the summary is JSON")
}

/// `kindly ARGS` on `dir`: whether it succeeded, and what it printed (stdout, then stderr).
#[allow(dead_code)] // only the tests that read what the command says use it
pub fn run(dir: &Path, args: &[&str]) -> (bool, String) {
    let out = kindly(dir).args(args).output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// [`run`], which must succeed; what it printed.
#[allow(dead_code)] // only the tests that read what the command says use it
pub fn ok(dir: &Path, args: &[&str]) -> String {
    let (success, text) = run(dir, args);
    assert!(success, "kindly {args:?}:\n{text}");
    text
}

/// The inbound crate's mail fixtures: bounces, replies, out-of-office notes.
#[allow(dead_code)] // only the tests that feed mail back use it
pub const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../inbound/tests/fixtures/mail");

/// The outbox's messages: each file, every address it went to (To, Cc and Bcc), and its Message-ID.
#[allow(dead_code)] // only the tests that follow a message's recipients use it
pub fn outbox(dir: &Path) -> Vec<(std::path::PathBuf, Vec<String>, String)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir.join("outbox")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|ext| ext != "eml") {
            continue;
        }
        let eml = std::fs::read(&path).unwrap();
        let message = mail_parser::MessageParser::default().parse(&eml).unwrap();
        let to = [message.to(), message.cc(), message.bcc()]
            .into_iter()
            .flatten()
            .flat_map(|list| list.iter())
            .filter_map(|address| address.address().map(str::to_owned))
            .collect();
        let id = format!("<{}>", message.message_id().unwrap());
        found.push((path, to, id));
    }
    found.sort();
    found
}

/// The outbox's message to `to` (the first, by file name): its file and its Message-ID.
#[allow(dead_code)] // only the tests that feed mail back use it
pub fn message_to(dir: &Path, to: &str) -> (std::path::PathBuf, String) {
    outbox(dir)
        .into_iter()
        .find(|(_, addresses, _)| addresses.iter().any(|address| address == to))
        .map(|(path, _, id)| (path, id))
        .unwrap_or_else(|| panic!("no message to {to} in the outbox"))
}

/// A fixture from the inbound crate, about message `message_id` to `to`, written into `dir`: the
/// fixture's recipient accounts@acme.example becomes `to`, and every Message-ID of ours it quotes
/// becomes `message_id`, so that it answers a message the outbox really holds.
#[allow(dead_code)] // only the tests that feed mail back use it
pub fn fixture_about(dir: &Path, name: &str, to: &str, message_id: &str) -> std::path::PathBuf {
    let text = std::fs::read_to_string(Path::new(FIXTURES).join(name)).unwrap();
    let mut text = text.replace("accounts@acme.example", to);
    while let Some(start) = text.find("<rem_") {
        let end = start + text[start..].find('>').expect("a closed Message-ID") + 1;
        text.replace_range(start..end, "\u{0}");
    }
    let text = text.replace('\u{0}', message_id);
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// The names of the outbox's files addressed to `to`.
#[allow(dead_code)] // only the tests that follow a message's recipients use it
pub fn emls_to(dir: &Path, to: &str) -> Vec<String> {
    outbox(dir)
        .into_iter()
        .filter(|(_, addresses, _)| addresses.iter().any(|address| address == to))
        .map(|(path, _, _)| path.file_name().unwrap().to_string_lossy().into_owned())
        .collect()
}
