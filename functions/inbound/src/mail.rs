//! A message a mail server hands over, sorted into what it is: a delivery report, a complaint report, or
//! a reply.

use crate::error::InboundError;
use crate::{reply, report};
use chrono::{DateTime, NaiveDate, Utc};
use kindly_core::feedback::MailEvent;
use kindly_core::link::LinkKeys;
use mail_parser::{Message, MessageParser, MimeHeaders};
use sha2::{Digest, Sha256};

/// The mail event a message reports. `keys` verify reply addresses (`reply+<reminder>.<tag>@…`); without
/// them a reply is matched to its reminder by In-Reply-To and References only.
pub fn parse_mail(raw: &[u8], keys: Option<&LinkKeys>) -> Result<MailEvent, InboundError> {
    let message = MessageParser::default()
        .parse(raw)
        .filter(|message| !message.headers().is_empty())
        .ok_or(InboundError::NotMail)?;
    let (at, sent_on) = sent(&message)?;
    let (reminder, kind) = match report_type(&message) {
        Some(ReportType::Delivery) => report::delivery(&message)?,
        Some(ReportType::Feedback) => report::complaint(&message)?,
        None => reply::reply(&message, keys, sent_on)?,
    };
    Ok(MailEvent {
        event_id: own_id(&message, raw),
        reminder,
        at,
        kind,
    })
}

enum ReportType {
    Delivery,
    Feedback,
}

/// What a `multipart/report` reports; other report types (read receipts, say) are read as replies.
fn report_type(message: &Message<'_>) -> Option<ReportType> {
    let content_type = message.content_type()?;
    let is_report = content_type.ctype().eq_ignore_ascii_case("multipart")
        && content_type.subtype().is_some_and(|s| s.eq_ignore_ascii_case("report"));
    if !is_report {
        return None;
    }
    match content_type.attribute("report-type")?.to_ascii_lowercase().as_str() {
        "delivery-status" | "global-delivery-status" => Some(ReportType::Delivery),
        "feedback-report" => Some(ReportType::Feedback),
        _ => None,
    }
}

/// When the message was written (its Date header), and the day it was for its writer.
fn sent(message: &Message<'_>) -> Result<(DateTime<Utc>, NaiveDate), InboundError> {
    let missing = || InboundError::MissingHeader("Date");
    let date = message.date().ok_or_else(missing)?;
    let at = DateTime::from_timestamp(date.to_timestamp(), 0).ok_or_else(missing)?;
    let day = NaiveDate::from_ymd_opt(date.year.into(), date.month.into(), date.day.into()).ok_or_else(missing)?;
    Ok((at, day))
}

/// The message's own Message-ID, so a message handed over twice is one event; for the rare message
/// without one, a digest of its bytes does the same.
fn own_id(message: &Message<'_>, raw: &[u8]) -> String {
    match message.message_id() {
        Some(id) if !id.trim().is_empty() => id.trim().to_owned(),
        _ => format!("sha256:{}", hex::encode(Sha256::digest(raw))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPLY: &str = "From: Ann <ann@x.example>\r\nTo: billing@northwind.example\r\n\
        Date: Mon, 9 Mar 2026 23:30:00 -0500\r\nSubject: Re: Invoice\r\n\r\nPaid today.\r\n";

    #[test]
    fn what_is_not_a_dated_mail_is_refused_by_name() {
        assert_eq!(parse_mail(b"", None), Err(InboundError::NotMail));
        let undated = REPLY.replace("Date: Mon, 9 Mar 2026 23:30:00 -0500\r\n", "");
        assert_eq!(
            parse_mail(undated.as_bytes(), None),
            Err(InboundError::MissingHeader("Date"))
        );
        let garbled = REPLY.replace("Mon, 9 Mar 2026 23:30:00 -0500", "soon");
        assert_eq!(
            parse_mail(garbled.as_bytes(), None),
            Err(InboundError::MissingHeader("Date"))
        );
        // Positive control: the dated reply reads, at its instant in UTC.
        let event = parse_mail(REPLY.as_bytes(), None).unwrap();
        assert_eq!(event.at.to_rfc3339(), "2026-03-10T04:30:00+00:00");
    }

    #[test]
    fn a_message_without_an_id_is_known_by_its_bytes() {
        let first = parse_mail(REPLY.as_bytes(), None).unwrap().event_id;
        assert!(first.starts_with("sha256:") && first.len() == 7 + 64, "{first}");
        assert_eq!(parse_mail(REPLY.as_bytes(), None).unwrap().event_id, first);
        let other = REPLY.replace("Paid today.", "Paid yesterday.");
        assert_ne!(parse_mail(other.as_bytes(), None).unwrap().event_id, first);
        let with_id = format!("Message-ID: <CAF1@mail.x.example>\r\n{REPLY}");
        assert_eq!(
            parse_mail(with_id.as_bytes(), None).unwrap().event_id,
            "CAF1@mail.x.example"
        );
    }
}
