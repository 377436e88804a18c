//! `kindly receive` end to end on the real binary: a message from the demo's outbox bounces (a delivery
//! status notification as a mail server hands it over), the address is blocked, the message does not count
//! as said and the next run sends nothing to the customer; `kindly tasks` asks for a new address; fixing
//! it sends the stage again, to the new address, once. A reply holds the customer until it is read, and an
//! out-of-office note is taken as such. The same file twice changes nothing.

mod common;
use common::{emls_to, fixture_about, message_to, ok, run};

#[test]
fn a_bounce_blocks_the_address_until_staff_fix_it_and_the_stage_goes_again_once() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    // Today's demo: fixing a contact plans the customer again as of the real clock, and so do these runs
    ok(dir, &["demo"]);
    const OLD: &str = "accounts@brightwave.example";
    const NEW: &str = "payables@brightwave.example";
    let (sent, message_id) = message_to(dir, OLD);
    let reminder = sent.file_stem().unwrap().to_string_lossy().into_owned();

    // WHEN the bounce comes back
    let bounce = fixture_about(dir, "dsn_hard_bounce.eml", OLD, &message_id);
    let said = ok(dir, &["receive", bounce.to_str().unwrap()]);
    assert!(
        said.contains(&format!("bounced about {reminder}"))
            && said.contains(&format!("no longer written to: {OLD}"))
            && said.contains("not delivered"),
        "{said}"
    );
    // THEN the same file again changes nothing
    let again = ok(dir, &["receive", bounce.to_str().unwrap()]);
    assert!(again.contains("taken before; nothing changed"), "{again}");
    // AND the inbox asks for a new address, with what the server said
    let tasks = ok(dir, &["tasks"]);
    assert!(tasks.contains(&reminder) && tasks.contains("550 5.1.1"), "{tasks}");
    // AND nothing goes to the customer while no address is reachable
    ok(dir, &["run"]);
    assert_eq!(emls_to(dir, OLD).len(), 1, "only the message that bounced");

    // WHEN staff fix the address, with a wrong one first
    let (refused, text) = run(dir, &["task", &reminder, "fix_contact", "--email", "not-an-address"]);
    assert!(!refused && text.contains("email"), "{text}");
    ok(
        dir,
        &["task", &reminder, "fix_contact", "--email", NEW, "--by", "robin"],
    );
    // THEN the stage goes again (still the one due today), to the new address, once
    ok(dir, &["run"]);
    ok(dir, &["run"]);
    assert_eq!(emls_to(dir, NEW), [format!("{reminder}_r1.eml")]);
    assert_eq!(emls_to(dir, OLD).len(), 1);
}

#[test]
fn a_reply_holds_the_customer_and_an_out_of_office_note_is_taken_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    // Today's demo: fixing a contact plans the customer again as of the real clock, and so do these runs
    ok(dir, &["demo"]);
    let (_, brightwave) = message_to(dir, "accounts@brightwave.example");
    let reply = fixture_about(dir, "reply_en.eml", "accounts@brightwave.example", &brightwave);
    let said = ok(dir, &["receive", reply.to_str().unwrap()]);
    assert!(
        said.contains("a reply to") && said.contains("until someone reads it"),
        "{said}"
    );
    let tasks = ok(dir, &["tasks"]);
    assert!(tasks.contains("reply"), "{tasks}");
    // ... and it is forwarded to the billing mailbox once, answering to the customer
    assert!(said.contains("forwarded to billing@northwind.example"), "{said}");
    let forwards = emls_to(dir, "billing@northwind.example");
    assert_eq!(forwards.len(), 1, "{forwards:?}");
    let forward = std::fs::read_to_string(dir.join("outbox").join(&forwards[0])).unwrap();
    assert!(forward.contains("Reply-To: ann@acme.example"), "{forward}");
    assert!(forward.contains("Brightwave"), "{forward}");
    let again = ok(dir, &["run"]);
    assert!(!again.contains("forwarded"), "{again}");
    assert_eq!(emls_to(dir, "billing@northwind.example").len(), 1);

    let (_, kessler) = message_to(dir, "buchhaltung@kessler-mb.example");
    let away = fixture_about(dir, "ooo_de.eml", "buchhaltung@kessler-mb.example", &kessler);
    let said = ok(dir, &["receive", away.to_str().unwrap()]);
    assert!(said.contains("an automatic reply"), "{said}");

    // Mail that is none of these is reported; the rest is still taken
    let junk = dir.join("junk.eml");
    std::fs::write(&junk, "not a message at all").unwrap();
    let (success, text) = run(dir, &["receive", junk.to_str().unwrap(), reply.to_str().unwrap()]);
    assert!(
        !success && text.contains("junk.eml: not taken") && text.contains("taken before"),
        "{text}"
    );
}
