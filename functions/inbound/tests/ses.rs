//! Each SES record kindly can receive, as SES documents it and as kindly's tags make it, read whole.

use chrono::{DateTime, Utc};
use kindly_core::feedback::{BounceKind, BouncedRecipient, MailEvent, MailEventKind};
use kindly_core::reminder::ReminderId;
use kindly_inbound::{Notification, StoredMail, parse_notification, parse_ses};

const REMINDER: &str = "rem_a98c4ec461528f1359d41b88";
const SES_ID: &str = "0102018e1c6f5a2b-7d3c9e41-5a8b-4c2d-9e6f-1a2b3c4d5e6f-000000";
const CUSTOMER: &str = "accounts@acme.example";

/// A fixture's text; a missing fixture fails the test rather than passing it unread.
fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/ses/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn read(name: &str) -> MailEvent {
    parse_ses(&fixture(name))
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .unwrap_or_else(|| panic!("{name}: no event"))
}

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

fn event(event_id: &str, when: &str, kind: MailEventKind) -> MailEvent {
    MailEvent {
        event_id: event_id.into(),
        reminder: Some(ReminderId(REMINDER.into())),
        at: at(when),
        kind,
    }
}

fn bounced(bounce: BounceKind, status: &str, diagnostic: &str) -> MailEventKind {
    MailEventKind::Bounced {
        bounce,
        recipients: vec![BouncedRecipient {
            email: CUSTOMER.into(),
            status: Some(status.into()),
            diagnostic: Some(diagnostic.into()),
        }],
    }
}

const USER_UNKNOWN: &str =
    "smtp; 550 5.1.1 <accounts@acme.example>: Recipient address rejected: User unknown in virtual mailbox table";

#[test]
fn a_permanent_bounce() {
    assert_eq!(
        read("bounce_permanent.json"),
        event(
            "0102018e1c6f7d10-3c5a9b2e-1f4d-4e8a-b6c7-d8e9f0a1b2c3-000000",
            "2026-03-09T09:00:03.412Z",
            bounced(BounceKind::Permanent, "5.1.1", USER_UNKNOWN),
        )
    );
}

#[test]
fn a_bounce_from_the_accounts_suppression_list() {
    let diagnostic =
        "Amazon SES did not send the message to this address because it is on the suppression list for your account.";
    assert_eq!(
        read("bounce_suppressed.json"),
        event(
            "0102018e1c6f7e22-account-suppressed-000000",
            "2026-03-09T09:00:01.520Z",
            bounced(BounceKind::Suppressed, "5.1.1", diagnostic),
        )
    );
}

#[test]
fn a_transient_bounce() {
    let diagnostic = "smtp; 452 4.2.2 The email account that you tried to reach is over quota.";
    assert_eq!(
        read("bounce_transient.json"),
        event(
            "0102018e1c70a1b4-mailbox-full-000000",
            "2026-03-09T09:05:44Z",
            bounced(BounceKind::Transient, "4.2.2", diagnostic),
        )
    );
}

#[test]
fn a_complaint() {
    let kind = MailEventKind::Complained {
        recipients: vec![CUSTOMER.into()],
        feedback_type: Some("abuse".into()),
    };
    assert_eq!(
        read("complaint.json"),
        event("0102018e1d2b3c4d-complaint-abuse-000000", "2026-03-09T14:12:09Z", kind)
    );
}

#[test]
fn a_delivery() {
    let kind = MailEventKind::Delivered {
        recipients: vec![CUSTOMER.into()],
    };
    assert_eq!(
        read("delivery.json"),
        event(&format!("Delivery:{SES_ID}"), "2026-03-09T09:00:02.734Z", kind)
    );
}

#[test]
fn a_delivery_delay() {
    let kind = MailEventKind::Delayed {
        recipients: vec![CUSTOMER.into()],
        reason: Some("TransientCommunicationFailure: smtp; 421 4.4.1 Unable to connect to remote host".into()),
    };
    assert_eq!(
        read("delivery_delay.json"),
        event(&format!("DeliveryDelay:{SES_ID}"), "2026-03-09T09:10:01Z", kind)
    );
}

#[test]
fn a_rejection_and_a_rendering_failure_take_the_messages_time() {
    let rejected = MailEventKind::Rejected {
        reason: "Bad content".into(),
    };
    assert_eq!(
        read("reject.json"),
        event(&format!("Reject:{SES_ID}"), "2026-03-09T09:00:01.108Z", rejected)
    );
    let failed = MailEventKind::RenderingFailed {
        error: "Attribute 'amount' is not present in the rendering data.".into(),
    };
    assert_eq!(
        read("rendering_failure.json"),
        event(
            &format!("Rendering Failure:{SES_ID}"),
            "2026-03-09T09:00:01.108Z",
            failed
        )
    );
}

#[test]
fn a_send_changes_nothing() {
    assert_eq!(parse_ses(&fixture("send.json")), Ok(None));
    // Positive control: the same message's delivery is an event.
    assert!(parse_ses(&fixture("delivery.json")).unwrap().is_some());
}

#[test]
fn a_bounce_in_its_sns_envelope() {
    assert_eq!(
        read("sns_bounce.json"),
        event(
            "0102018e1c6f7d10-sns-wrapped-000000",
            "2026-03-09T09:00:03.412Z",
            bounced(BounceKind::Permanent, "5.1.1", USER_UNKNOWN),
        )
    );
}

#[test]
fn an_identity_notification_names_its_reminder_by_the_original_message_id() {
    let diagnostic = "Amazon SES has suppressed sending to this address because it has a recent history of bouncing as an invalid address.";
    let body = fixture("identity_bounce.json");
    assert!(!body.contains("\"tags\""), "identity notifications carry no tags");
    assert_eq!(
        read("identity_bounce.json"),
        event(
            "0102018e1c6f9a01-global-suppressed-000000",
            "2026-03-09T09:00:02.015Z",
            bounced(BounceKind::Suppressed, "5.1.1", diagnostic),
        )
    );
}

#[test]
fn a_received_reply_names_where_ses_stored_it() {
    let body = fixture("received_s3.json");
    let expected = StoredMail {
        bucket: "kindly-replies-123456789012".into(),
        key: "replies/9o4rn1j7bnd0sqfcl1vj7k5m5hn0sp1d8ptrkqo1".into(),
        message_id: "9o4rn1j7bnd0sqfcl1vj7k5m5hn0sp1d8ptrkqo1".into(),
        recipients: vec![
            "reply+rem_a98c4ec461528f1359d41b88.1f2e3d4c5b6a79880a1b2c3d@replies.northwind.example".into(),
        ],
        suspect: None,
    };
    assert_eq!(
        parse_notification(&body),
        Ok(Some(Notification::Received(expected.clone())))
    );
    // In an SNS envelope too (raw delivery off)
    let envelope = serde_json::json!({ "Type": "Notification", "Message": body }).to_string();
    assert_eq!(
        parse_notification(&envelope),
        Ok(Some(Notification::Received(expected)))
    );
    // The events-only door refuses it, naming why
    let refused = parse_ses(&body).unwrap_err().to_string();
    assert!(
        refused.contains("notificationType") && refused.contains("received"),
        "{refused}"
    );
    // Positive control: an event about a sent message comes through the same door as an event
    assert!(matches!(
        parse_notification(&fixture("delivery.json")),
        Ok(Some(Notification::Event(_)))
    ));
}

#[test]
fn a_received_message_that_failed_a_check_is_marked_and_one_not_stored_is_refused() {
    let body = fixture("received_s3.json");
    let spam = body.replacen(
        r#""spamVerdict": { "status": "PASS" }"#,
        r#""spamVerdict": { "status": "FAIL" }"#,
        1,
    );
    let virus = body.replacen(
        r#""virusVerdict": { "status": "PASS" }"#,
        r#""virusVerdict": { "status": "FAIL" }"#,
        1,
    );
    for (changed, check) in [(spam, "spam"), (virus, "virus")] {
        assert_ne!(changed, body, "the fixture has the {check} verdict");
        let Ok(Some(Notification::Received(stored))) = parse_notification(&changed) else {
            panic!("{check}: still a stored message");
        };
        assert_eq!(stored.suspect, Some(format!("SES's {check} check failed it")));
    }
    let gray = body.replacen(
        r#""spamVerdict": { "status": "PASS" }"#,
        r#""spamVerdict": { "status": "GRAY" }"#,
        1,
    );
    let Ok(Some(Notification::Received(stored))) = parse_notification(&gray) else {
        panic!("gray: still a stored message");
    };
    assert_eq!(stored.suspect, None, "only a failed check marks it");
    // An SNS action's notification carries the message instead of storing it: not what the stack sets up
    let sns = body.replacen(r#""type": "S3""#, r#""type": "SNS""#, 1);
    let refused = parse_notification(&sns).unwrap_err().to_string();
    assert!(
        refused.contains("receipt.action.type") && refused.contains("`SNS`"),
        "{refused}"
    );
    let keyless = body.replacen(r#""objectKey":"#, r#""otherKey":"#, 1);
    assert_eq!(
        parse_notification(&keyless).unwrap_err().to_string(),
        "SES receipt notification: field `receipt.action.objectKey` missing"
    );
}
