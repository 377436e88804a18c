//! Each kind of message a mail server hands over, as real servers and mail programs write them, read whole.

use chrono::{DateTime, NaiveDate, Utc};
use kindly_core::feedback::{
    AutoReply, BounceKind, BouncedRecipient, MailEvent, MailEventKind, Reply, reply_local_part,
};
use kindly_core::link::{KEY_BYTES, LinkKey, LinkKeys};
use kindly_core::reminder::ReminderId;
use kindly_inbound::{InboundError, parse_mail};

const FIRM: &str = "rem_a98c4ec461528f1359d41b88";
const GERMAN: &str = "rem_0f1e2d3c4b5a69788796a5b4";

/// A fixture's text; a missing fixture fails the test rather than passing it unread.
fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/mail/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn read(name: &str) -> MailEvent {
    parse_mail(fixture(name).as_bytes(), None).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

fn reminder(id: &str) -> Option<ReminderId> {
    Some(ReminderId(id.into()))
}

fn keys(byte: u8) -> LinkKeys {
    LinkKeys::new(vec![LinkKey::new([byte; KEY_BYTES])]).unwrap()
}

#[test]
fn a_delivery_report_of_a_hard_bounce() {
    assert_eq!(
        read("dsn_hard_bounce.eml"),
        MailEvent {
            event_id: "20260309090005.4Zb1x2y3z4@mail.northwind.example".into(),
            reminder: reminder(FIRM),
            at: at("2026-03-09T09:00:05Z"),
            kind: MailEventKind::Bounced {
                bounce: BounceKind::Permanent,
                recipients: vec![BouncedRecipient {
                    email: "accounts@acme.example".into(),
                    status: Some("5.1.1".into()),
                    diagnostic: Some(
                        "smtp; 550 5.1.1 <accounts@acme.example>: Recipient address rejected: User unknown in \
                         virtual mailbox table"
                            .into()
                    ),
                }],
            },
        }
    );
}

#[test]
fn a_delivery_report_of_a_delay_returning_the_whole_message() {
    assert_eq!(
        read("dsn_delayed.eml"),
        MailEvent {
            event_id: "20260309130012.4Zb9k8j7h6@mail.northwind.example".into(),
            reminder: reminder(GERMAN),
            at: at("2026-03-09T13:00:12Z"),
            kind: MailEventKind::Delayed {
                recipients: vec!["buchhaltung@contoso.example".into()],
                reason: Some("X-Postfix; connect to mx.contoso.example[198.51.100.7]:25: Connection timed out".into()),
            },
        }
    );
}

#[test]
fn a_delivery_report_of_success_counts_relayed_recipients_as_delivered() {
    assert_eq!(
        read("dsn_delivered.eml"),
        MailEvent {
            event_id: "20260310073004.4ZbQ1w2e3r@mail.northwind.example".into(),
            reminder: reminder("rem_ack_5e0c3b9a71d24f60a8b1c2d3"),
            at: at("2026-03-10T07:30:04Z"),
            kind: MailEventKind::Delivered {
                recipients: vec!["accounts@acme.example".into(), "ap@acme.example".into()]
            },
        }
    );
}

#[test]
fn a_delivery_report_that_failed_for_one_and_was_delayed_for_another_is_a_bounce() {
    let others = "Final-Recipient: rfc822; ap@acme.example\nAction: delayed\nStatus: 4.4.1\n\n\
                  Final-Recipient: rfc822; cfo@acme.example\nAction: failed\nStatus: 4.4.7 (delivery time expired)\n\n";
    let first = "Final-Recipient: rfc822; accounts@acme.example";
    let mixed = fixture("dsn_hard_bounce.eml").replace(first, &format!("{others}{first}"));
    let MailEventKind::Bounced { bounce, recipients } = parse_mail(mixed.as_bytes(), None).unwrap().kind else {
        panic!("not a bounce");
    };
    // The most final status decides the kind; every failed recipient keeps its own.
    assert_eq!(bounce, BounceKind::Permanent);
    let statuses: Vec<_> = recipients
        .iter()
        .map(|r| (r.email.as_str(), r.status.as_deref()))
        .collect();
    assert_eq!(
        statuses,
        [
            ("cfo@acme.example", Some("4.4.7")),
            ("accounts@acme.example", Some("5.1.1"))
        ]
    );
}

#[test]
fn a_delivery_report_without_its_status_part_is_refused_by_name() {
    let stripped =
        fixture("dsn_hard_bounce.eml").replace("Content-Type: message/delivery-status", "Content-Type: text/plain");
    assert_eq!(
        parse_mail(stripped.as_bytes(), None),
        Err(InboundError::MissingPart {
            report: "delivery report",
            part: "message/delivery-status"
        })
    );
    let nobody = fixture("dsn_hard_bounce.eml").replace("Action: failed", "Action: unknown");
    assert_eq!(parse_mail(nobody.as_bytes(), None), Err(InboundError::NoRecipient));
}

#[test]
fn a_complaint_report() {
    let complaint = MailEvent {
        event_id: "fbl.20260309151209.8812@mailbox.example".into(),
        reminder: reminder(FIRM),
        at: at("2026-03-09T15:12:09Z"),
        kind: MailEventKind::Complained {
            recipients: vec!["accounts@acme.example".into()],
            feedback_type: Some("abuse".into()),
        },
    };
    assert_eq!(read("arf_complaint.eml"), complaint);
    // Providers that redact the recipient: the returned message's To names them.
    let redacted = fixture("arf_complaint.eml").replace("Original-Rcpt-To: <accounts@acme.example>\n", "");
    assert_eq!(parse_mail(redacted.as_bytes(), None).unwrap(), complaint);
}

#[test]
fn a_person_replies_in_english_below_a_quote() {
    let expected = MailEvent {
        event_id: "CAJx7Qm9vKp2rT4wE8nYb3Lz5sD1fG6hJ0kN2aQ7uW4xR9cV3eB@mail.gmail.example".into(),
        reminder: reminder(FIRM),
        at: at("2026-03-09T10:42:07Z"),
        kind: MailEventKind::Replied(Reply {
            from: "ann@acme.example".into(),
            from_name: Some("Ann Example".into()),
            subject: "Re: Invoice 1042 is now 14 days overdue".into(),
            text: "Hello,\n\nwe paid invoice 1042 on Friday, 6 March. The transfer should reach you by\n\
                   Tuesday – sorry for the delay!\n\nBest regards,\nAnn"
                .into(),
            automatic: None,
        }),
    };
    assert_eq!(read("reply_en.eml"), expected);
    // Keys change nothing for a reply sent to the plain address: In-Reply-To names the reminder.
    assert_eq!(
        parse_mail(fixture("reply_en.eml").as_bytes(), Some(&keys(7))).unwrap(),
        expected
    );
}

#[test]
fn a_person_replies_in_german_html_to_the_signed_reply_address() {
    let keys = keys(7);
    let address = format!(
        "{}@replies.northwind.example",
        reply_local_part(&keys, &ReminderId(GERMAN.into()))
    );
    let raw = fixture("reply_de_html.eml").replace("{{REPLY}}", &address);
    assert!(!raw.contains("In-Reply-To") && !raw.contains("References"));
    let event = parse_mail(raw.as_bytes(), Some(&keys)).unwrap();
    assert_eq!(
        event,
        MailEvent {
            event_id: "AM0PR02MB55551A2B3C4D5E6F7A8B9C0DAM0PR02MB5555@AM0PR02MB5555.eurprd02.prod.outlook.example"
                .into(),
            reminder: reminder(GERMAN),
            at: at("2026-03-09T12:05:41Z"),
            kind: MailEventKind::Replied(Reply {
                from: "j.mueller@contoso.example".into(),
                from_name: Some("Jörg Müller".into()),
                subject: "AW: Zahlungserinnerung: Rechnung 2207".into(),
                text: "Sehr geehrte Damen und Herren,\n\ndie Rechnung 2207 haben wir heute überwiesen. Bitte \
                       entschuldigen Sie die Verzögerung.\n\nMit freundlichen Grüßen\nJörg Müller"
                    .into(),
                automatic: None,
            }),
        }
    );
    // Without the keys, or with others, the address proves nothing and nothing else names the reminder.
    assert_eq!(parse_mail(raw.as_bytes(), None).unwrap().reminder, None);
    assert_eq!(parse_mail(raw.as_bytes(), Some(&self::keys(8))).unwrap().reminder, None);
}

fn automatic(event: &MailEvent) -> Option<AutoReply> {
    match &event.kind {
        MailEventKind::Replied(reply) => reply.automatic.clone(),
        other => panic!("not a reply: {other:?}"),
    }
}

#[test]
fn an_english_out_of_office_reply_says_when_she_is_back() {
    assert_eq!(
        read("ooo_en.eml"),
        MailEvent {
            event_id: "7d1c2e3f4a5b4c6d8e9f0a1b2c3d4e5f@EXCH01.corp.acme.example".into(),
            reminder: reminder(FIRM),
            at: at("2026-03-09T09:00:08Z"),
            kind: MailEventKind::Replied(Reply {
                from: "ann@acme.example".into(),
                from_name: Some("Ann Example".into()),
                subject: "Automatic reply: Invoice 1042 is now 14 days overdue".into(),
                text: "Thank you for your email.\n\nI am out of the office on annual leave and will be back on \
                       Monday,\n16 March 2026, with limited access to email until then.\n\nFor urgent matters \
                       regarding invoices please contact\naccounts-payable@acme.example.\n\nKind regards,\nAnn \
                       Example"
                    .into(),
                automatic: Some(AutoReply {
                    out_of_office: true,
                    returns_on: NaiveDate::from_ymd_opt(2026, 3, 16)
                }),
            }),
        }
    );
}

#[test]
fn a_german_out_of_office_reply_is_back_the_day_after_its_last_day_away() {
    assert_eq!(
        read("ooo_de.eml"),
        MailEvent {
            event_id: "20260309090010.1A2B3C4D5E@mx.contoso.example".into(),
            reminder: reminder(GERMAN),
            at: at("2026-03-09T09:00:10Z"),
            kind: MailEventKind::Replied(Reply {
                from: "j.mueller@contoso.example".into(),
                from_name: Some("Jörg Müller".into()),
                subject: "Abwesenheitsnotiz: Zahlungserinnerung: Rechnung 2207".into(),
                text: "Vielen Dank für Ihre Nachricht.\n\nIch bin bis zum 13.03.2026 nicht im Büro und habe in \
                       dieser Zeit keinen Zugriff auf meine E-Mails. Ihre Nachricht wird nicht weitergeleitet.\n\n\
                       In dringenden Fällen wenden Sie sich bitte an\nbuchhaltung@contoso.example.\n\nMit \
                       freundlichen Grüßen\nJörg Müller"
                    .into(),
                automatic: Some(AutoReply {
                    out_of_office: true,
                    returns_on: NaiveDate::from_ymd_opt(2026, 3, 14)
                }),
            }),
        }
    );
}

#[test]
fn an_automatic_reply_without_a_date_is_not_an_absence() {
    assert_eq!(
        read("autoreply_nodate.eml"),
        MailEvent {
            event_id: "1773046813.4711.ticket@helpdesk.acme.example".into(),
            reminder: reminder("rem_eve_77aa88bb99cc00dd11ee22ff"),
            at: at("2026-03-09T09:00:13Z"),
            kind: MailEventKind::Replied(Reply {
                from: "ap-helpdesk@acme.example".into(),
                from_name: Some("Acme Accounts Payable".into()),
                subject: "[Ticket#2026030910000123] Invoice 1042 is now 14 days overdue".into(),
                text: "Thank you for contacting Acme Accounts Payable.\n\nYour request has been received as ticket \
                       2026030910000123 and will be\nhandled within two business days. Please keep the ticket \
                       number in the\nsubject of any further message about this matter."
                    .into(),
                automatic: Some(AutoReply {
                    out_of_office: false,
                    returns_on: None
                }),
            }),
        }
    );
}

#[test]
fn only_the_signs_of_a_mailbox_make_a_reply_automatic() {
    // The same ticket reply without its headers' signs reads as a person's.
    let plain = fixture("autoreply_nodate.eml")
        .replace("Auto-Submitted: auto-replied\n", "")
        .replace("Precedence: bulk\n", "");
    assert_eq!(automatic(&parse_mail(plain.as_bytes(), None).unwrap()), None);
    // Outlook's X-Auto-Response-Suppress rides on the human German reply too, and marks nothing.
    let human = fixture("reply_de_html.eml").replace("{{REPLY}}", "billing@northwind.example");
    assert_eq!(automatic(&parse_mail(human.as_bytes(), None).unwrap()), None);
    // Positive control: the German out-of-office reply's headers alone mark it, whatever its subject.
    let retitled = fixture("ooo_de.eml").replace("Abwesenheitsnotiz: ", "");
    assert!(automatic(&parse_mail(retitled.as_bytes(), None).unwrap()).is_some());
}

#[test]
fn a_long_reply_is_kept_to_eight_kibibytes() {
    let long = fixture("reply_en.eml").replace("Best regards,", &"Zahlung unterwegs. ".repeat(1000));
    let event = parse_mail(long.as_bytes(), None).unwrap();
    let MailEventKind::Replied(reply) = event.kind else {
        panic!("not a reply")
    };
    assert_eq!(reply.text.len(), 8 * 1024);
    assert!(reply.text.starts_with("Hello,\n\nwe paid invoice 1042"));
}
