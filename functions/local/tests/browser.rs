//! End to end in a real headless Chromium: the real `kindly serve` over a demo database, driven by
//! tests/browser/approve.mjs (playwright-core with the system's Chromium), then the real `kindly run` sends
//! the approved message to the outbox with the note typed in the browser. A reminder whose sending failed is
//! put into the database first, and resolved in the browser. A reminder that bounced is fixed in the
//! tasks inbox (tests/browser/fix-contact.mjs), and the next runs send its stage to the new address, once.
//! The ladder's last decision hands an account over and saves its dossier (tests/browser/decision.mjs).
//!
//! Needs `KINDLY_CHROMIUM` (the browser's path) and `npm ci --prefix tests/browser`; scripts/test.sh does
//! both. Screenshots of a failing page land in target/browser-screenshots.

mod common;
use common::{kindly, serve};

const TODAY: &str = "2026-11-24";
const FAILURE: &str = "550 5.1.1 <ap@lumen.example>: mailbox unavailable";

#[test]
fn staff_preview_annotate_and_approve_in_a_real_browser() {
    let dir = tempfile::tempdir().unwrap();
    let demo = kindly(dir.path()).args(["demo", "--today", TODAY]).output().unwrap();
    assert!(demo.status.success(), "{}", String::from_utf8_lossy(&demo.stderr));
    // A reminder the mail provider refused, which the page asks staff to check; markup in the reason stays text
    let failed = common::fail_the_draft_of(&dir.path().join("kindly.db"), "C-LUMEN", FAILURE);

    let (server, base, login) = common::serve(dir.path(), &["--as", "e2e-approver"]);
    let result = common::drive("approve.mjs", &["--base", &base, "--login", &login]);
    drop(server);
    let (id, note) = (result["approved"].as_str().unwrap(), result["note"].as_str().unwrap());
    assert_eq!(
        result["resolved"],
        failed.as_str(),
        "the browser resolved the failed reminder"
    );
    let shown = kindly(dir.path()).args(["show", &failed]).output().unwrap();
    let shown = String::from_utf8_lossy(&shown.stdout);
    assert!(
        shown.contains("Status:    cancelled") && shown.contains("failed → cancelled  by e2e-approver"),
        "{shown}"
    );

    // The approval made in the browser is what `kindly run` sends, note and all
    let shown = kindly(dir.path()).args(["show", id]).output().unwrap();
    let shown = String::from_utf8_lossy(&shown.stdout);
    assert!(shown.contains("approved"), "{shown}");
    let run = kindly(dir.path()).args(["run", "--today", TODAY]).output().unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let eml =
        std::fs::read(dir.path().join("outbox").join(format!("{id}.eml"))).expect("the approved message was sent");
    let message = mail_parser::MessageParser::default()
        .parse(&eml)
        .expect("a valid message");
    let text = message.body_text(0).expect("a text part");
    assert!(
        text.contains(note),
        "the note typed in the browser is in the sent text:\n{text}"
    );
    let html = message.body_html(0).expect("an HTML part");
    assert!(
        html.contains("&lt;b&gt;not bold") && !html.contains("<b>not bold"),
        "the note's markup is escaped in the HTML part:\n{html}"
    );
}

#[test]
fn staff_settle_an_answer_from_the_tasks_inbox_in_a_real_browser() {
    let dir = tempfile::tempdir().unwrap();
    let demo = kindly(dir.path()).args(["demo", "--today", TODAY]).output().unwrap();
    assert!(demo.status.success(), "{}", String::from_utf8_lossy(&demo.stderr));
    // GIVEN Lumen said on their page that they had paid
    let (answer, number) = common::answer_paid_of(&dir.path().join("kindly.db"), "C-LUMEN");

    let (server, base, login) = serve(dir.path(), &["--as", "e2e-approver"]);
    common::drive("tasks.mjs", &["--base", &base, "--login", &login, "--answer", &answer]);
    drop(server);
    // THEN the key pressed in the browser confirmed the payment: the invoice is paid and the customer thanked
    let timeline = kindly(dir.path()).args(["timeline", "C-LUMEN"]).output().unwrap();
    let timeline = String::from_utf8_lossy(&timeline.stdout);
    assert!(
        timeline.contains("already_paid confirmed") && timeline.contains("e2e-approver"),
        "{timeline}"
    );
    let paid = timeline
        .lines()
        .any(|line| line.contains("payment paid") && line.contains(&number));
    assert!(paid, "{number} is paid and thanked:\n{timeline}");
}

#[test]
fn staff_fix_a_bounced_contact_from_the_tasks_inbox_in_a_real_browser() {
    use common::{emls_to, fixture_about, message_to, ok, outbox};
    const OLD: &str = "accounts@brightwave.example";
    const NEW: &str = "payables@brightwave.example";
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    // The real today: the server fixes the contact and plans the customer again as of the real clock, so
    // the demo and the runs must not be in its past.
    let today = chrono::Utc::now().date_naive().to_string();
    // GIVEN the demo's pass sent Brightwave their reminder due today, to their billing address
    ok(dir, &["demo", "--today", &today]);
    let (sent, message_id) = message_to(dir, OLD);
    let reminder = sent.file_stem().unwrap().to_string_lossy().into_owned();
    // What `kindly show` says of the reminder on `line` (its status, where it goes)
    let shown = |line: &str| {
        let text = ok(dir, &["show", &reminder]);
        let found = text.lines().find(|found| found.starts_with(line));
        found.unwrap_or_else(|| panic!("no {line} in:\n{text}")).to_owned()
    };
    assert!(shown("To:").contains(OLD) && shown("Status:").contains("sent"));
    // AND it hard-bounced: the address is blocked and the inbox asks for a new one
    let bounce = fixture_about(dir, "dsn_hard_bounce.eml", OLD, &message_id);
    let said = ok(dir, &["receive", bounce.to_str().unwrap()]);
    assert!(
        said.contains(&format!("bounced about {reminder}")) && said.contains(&format!("no longer written to: {OLD}")),
        "{said}"
    );
    let tasks = ok(dir, &["tasks"]);
    assert!(
        tasks
            .lines()
            .any(|line| line.contains(&reminder) && line.contains("undelivered")),
        "{tasks}"
    );
    // AND while no address is reachable a run sends the customer nothing
    ok(dir, &["run"]);
    assert_eq!(
        emls_to(dir, OLD),
        [format!("{reminder}.eml")],
        "only the message that bounced"
    );
    assert!(emls_to(dir, NEW).is_empty(), "nothing to the new address yet");

    // WHEN staff type a wrong address, then the new one, and press c in the tasks inbox
    let (server, _, login) = common::serve(dir, &["--as", "e2e-approver"]);
    let result = common::drive(
        "fix-contact.mjs",
        &["--login", &login, "--task", &reminder, "--old", OLD, "--new", NEW],
    );
    drop(server);
    assert_eq!(result["fixed"], reminder.as_str(), "{result}");

    // THEN the task is no longer listed, and the other tasks still are
    let tasks = ok(dir, &["tasks"]);
    assert!(!tasks.contains(&reminder), "{tasks}");
    assert!(
        tasks.contains("Vireo Labs"),
        "the inbox still lists its other task:\n{tasks}"
    );
    // AND the next run sends the same stage again, to the new address only, once
    let before = outbox(dir).len();
    ok(dir, &["run"]);
    // (the same reminder, its second round: the outbox names it so)
    let again = format!("{reminder}_r1.eml");
    assert_eq!(emls_to(dir, NEW), [again.as_str()]);
    let (_, recipients, _) = outbox(dir)
        .into_iter()
        .find(|(path, _, _)| path.ends_with(&again))
        .unwrap();
    assert_eq!(recipients, [NEW], "the stage goes to the new address alone");
    assert!(shown("To:").contains(NEW) && shown("Status:").contains("sent"));
    assert_eq!(
        emls_to(dir, OLD),
        [format!("{reminder}.eml")],
        "nothing more to the old address"
    );
    assert_eq!(outbox(dir).len(), before + 1, "one message more in all");
    // AND a second run sends nothing more
    ok(dir, &["run"]);
    assert_eq!(outbox(dir).len(), before + 1, "the second run sent nothing");
}

#[test]
fn staff_hand_an_account_over_from_the_tasks_inbox_in_a_real_browser() {
    use std::io::Read;
    let dir = tempfile::tempdir().unwrap();
    let demo = kindly(dir.path()).args(["demo", "--today", TODAY]).output().unwrap();
    assert!(demo.status.success(), "{}", String::from_utf8_lossy(&demo.stderr));
    // GIVEN Vireo Labs' decision waiting in the inbox
    let tasks = kindly(dir.path()).arg("tasks").output().unwrap();
    let tasks = String::from_utf8_lossy(&tasks.stdout);
    let task = tasks
        .lines()
        .find(|line| line.contains("decision write_off_or_hand_over") && line.contains("Vireo Labs"))
        .and_then(|line| line.split_whitespace().find(|word| word.starts_with("rem_")))
        .unwrap_or_else(|| panic!("the decision in:\n{tasks}"))
        .to_owned();
    let saved = dir.path().join("downloaded.zip");

    let (server, base, login) = serve(dir.path(), &["--as", "e2e-approver"]);
    common::drive(
        "decision.mjs",
        &[
            "--base",
            &base,
            "--login",
            &login,
            "--task",
            &task,
            "--save",
            saved.to_str().unwrap(),
        ],
    );
    drop(server);
    // THEN the account is handed over by the person signed in, and the download is its dossier
    let aging = kindly(dir.path()).args(["report", "aging"]).output().unwrap();
    let aging = String::from_utf8_lossy(&aging.stdout);
    assert!(aging.contains("Handed over") && aging.contains("(1)"), "{aging}");
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&saved).expect("the dossier was saved")).unwrap();
    let mut summary = String::new();
    archive
        .by_name("summary.html")
        .unwrap()
        .read_to_string(&mut summary)
        .unwrap();
    assert!(
        summary.contains("Vireo Labs")
            && summary.contains("handed_over by e2e-approver")
            && summary.contains("Acme Collections"),
        "{summary}"
    );
    let messages = archive
        .file_names()
        .filter(|name| name.as_ref().is_ok_and(|name| name.ends_with(".eml")))
        .count();
    assert!(messages >= 5, "the ladder's messages, rendered again: {messages}");
}
