use super::*;
use kindly_core::fixtures::{customer, instant, invoice, reminder};
use kindly_core::{Outcome, OutcomeKind};
use std::io::Read;

fn open(bytes: &[u8]) -> zip::ZipArchive<std::io::Cursor<&[u8]>> {
    zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip")
}

fn entry(archive: &mut zip::ZipArchive<std::io::Cursor<&[u8]>>, name: &str) -> Vec<u8> {
    let mut file = archive.by_name(name).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(file.compression(), zip::CompressionMethod::Deflated, "{name}");
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).unwrap();
    bytes
}

#[test]
fn the_zip_holds_an_escaped_summary_the_messages_bytes_and_the_records() {
    // GIVEN a customer whose name would be markup, an invoice handed over, and one message's bytes
    let mut who = customer("A");
    who.display_name = "<script>alert(1)</script> & Co".into();
    let mut handed = invoice("I1", "A", "2026-01-01", None);
    handed.status = kindly_core::InvoiceStatus::HandedOver;
    handed.bookkeeping.outcome = Some(Outcome {
        kind: OutcomeKind::HandedOver,
        reason: "Acme \"Collections\"".into(),
        by: kindly_core::actor::Actor::person("sam"),
        at: instant("2026-03-06"),
    });
    let task = reminder("A", "write_off_or_hand_over", &["I1"], ReminderStatus::Approved);
    let invoices = [handed];
    let reminders = [task.clone()];
    let records = Records {
        customer: &who,
        invoices: &invoices,
        reminders: &reminders,
        answers: &[],
        made_at: instant("2026-03-06"),
    };
    let raw = b"From: billing@example.com\r\nSubject: exact bytes\r\n\r\nbody\r\n".to_vec();
    let messages = [Message {
        reminder: &task,
        bytes: raw.clone(),
        source: Source::AsSent,
    }];
    // WHEN the dossier is made
    let bytes = dossier_zip(&records, &messages).unwrap();
    // THEN the zip holds the summary, the message byte for byte, and the records as stored
    let mut archive = open(&bytes);
    let names: Vec<String> = archive.file_names().map(|name| name.unwrap().into_owned()).collect();
    assert_eq!(names.len(), 6, "{names:?}");
    let summary = String::from_utf8(entry(&mut archive, "summary.html")).unwrap();
    assert!(!summary.contains("<script"), "no script, the name escaped");
    assert!(summary.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co"));
    assert!(summary.contains("handed_over by sam, 2026-03-06 09:00 UTC: Acme &quot;Collections&quot;"));
    assert!(
        !summary.contains("http"),
        "self-contained: nothing fetched from elsewhere"
    );
    assert_eq!(entry(&mut archive, &message_file(&task)), raw);
    let stored: Vec<Invoice> = serde_json::from_slice(&entry(&mut archive, "records/invoices.json")).unwrap();
    assert_eq!(stored, invoices);
    // The same input gives the same bytes (no clock in the entries)
    assert_eq!(dossier_zip(&records, &messages).unwrap(), bytes);
}

#[test]
fn a_reminder_that_did_not_go_out_is_not_rendered_again() {
    let task = reminder("A", "write_off_or_hand_over", &["I1"], ReminderStatus::Sent);
    assert_eq!(sent_at(&task), None, "a task has no message");
    assert_eq!(rendered_again(&task, "kindly.test").unwrap(), None);
}
