use super::*;

fn error_of(body: &str) -> String {
    parse_ses(body).expect_err(body).to_string()
}

const BOUNCE: &str = r#"{"eventType":"Bounce","mail":{"timestamp":"2026-03-09T09:00:00.000Z","messageId":"m-1"},
    "bounce":{"bounceType":"Permanent","bounceSubType":"General","bouncedRecipients":[{"emailAddress":"a@x.example"}],
    "timestamp":"2026-03-09T09:00:02.000Z","feedbackId":"f-1"}}"#;

#[test]
fn what_cannot_be_read_is_named() {
    assert!(error_of("").starts_with("not JSON"), "{}", error_of(""));
    assert!(error_of("\"text\"").starts_with("message body, at `.`: invalid type"));
    assert!(error_of("{\"eventType\":").starts_with("not JSON"));
    assert!(
        error_of("[1]").starts_with("message body, at `[0]`: invalid type"),
        "{}",
        error_of("[1]")
    );

    let without_type = BOUNCE.replace(r#""bounceType":"Permanent","#, "");
    let error = error_of(&without_type);
    assert_eq!(error, "SES record: field `bounce.bounceType` missing");

    let odd_type = BOUNCE.replace(r#""bounceType":"Permanent""#, r#""bounceType":"Soft""#);
    let error = error_of(&odd_type);
    assert!(
        error.starts_with("SES record, at `bounce.bounceType`: unknown variant `Soft`"),
        "{error}"
    );

    let odd_time = BOUNCE.replace("2026-03-09T09:00:02.000Z", "yesterday");
    let error = error_of(&odd_time);
    assert!(error.starts_with("SES record, at `bounce.timestamp`:"), "{error}");

    let unknown_event = BOUNCE.replace(r#""eventType":"Bounce""#, r#""eventType":"Bounced""#);
    assert!(error_of(&unknown_event).starts_with("SES record, at `eventType`: unknown variant `Bounced`"));

    let no_object = r#"{"eventType":"Bounce","mail":{"timestamp":"2026-03-09T09:00:00Z","messageId":"m-1"}}"#;
    assert_eq!(error_of(no_object), "SES record: field `bounce` missing");

    let no_type = r#"{"mail":{"timestamp":"2026-03-09T09:00:00Z","messageId":"m-1"}}"#;
    assert_eq!(error_of(no_type), "SES record: field `eventType` missing");
    let no_recipients = BOUNCE.replace(r#""bouncedRecipients":[{"emailAddress":"a@x.example"}],"#, "");
    assert_eq!(
        error_of(&no_recipients),
        "SES record: field `bounce.bouncedRecipients` missing"
    );
    let wrapped_without_message = r#"{"Type":"Notification","MessageId":"1"}"#;
    assert_eq!(
        error_of(wrapped_without_message),
        "SNS envelope: field `Message` missing"
    );

    let confirmation = r#"{"Type":"SubscriptionConfirmation","Message":"You have chosen to subscribe"}"#;
    assert_eq!(
        error_of(confirmation),
        "SNS message of type `SubscriptionConfirmation` is not a notification"
    );

    let wrapped_garbage = r#"{"Type":"Notification","Message":"not json"}"#;
    assert!(error_of(wrapped_garbage).starts_with("not JSON"));

    let trailing = format!("{BOUNCE} x");
    assert!(error_of(&trailing).starts_with("not JSON"));

    // Positive control: the same record, whole, reads.
    let event = parse_ses(BOUNCE).unwrap().unwrap();
    assert_eq!(event.event_id, "f-1");
    assert_eq!(event.reminder, None);
}

#[test]
fn the_tag_names_the_reminder_before_any_header() {
    let tagged = BOUNCE.replace(
        r#""messageId":"m-1"}"#,
        r#""messageId":"m-1","tags":{"reminder":["rem_1"]},"headers":[{"name":"Message-ID","value":"<rem_2@k>"}],
            "commonHeaders":{"messageId":"<rem_3@k>"}}"#,
    );
    let reminder = |body: &str| parse_ses(body).unwrap().unwrap().reminder.map(|r| r.0);
    assert_eq!(reminder(&tagged).as_deref(), Some("rem_1"));
    let untagged = tagged.replace(r#""tags":{"reminder":["rem_1"]},"#, "");
    assert_eq!(reminder(&untagged).as_deref(), Some("rem_2"));
    let common_only = untagged.replace(r#""headers":[{"name":"Message-ID","value":"<rem_2@k>"}],"#, "");
    assert_eq!(reminder(&common_only).as_deref(), Some("rem_3"));
    let foreign = common_only.replace("<rem_3@k>", "0100018e-ses-id");
    assert_eq!(reminder(&foreign), None);
}
