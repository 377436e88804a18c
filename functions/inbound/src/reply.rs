//! A reply to a message kindly sent, by a person or by their mailbox.

use crate::autoreply::automatic;
use crate::error::InboundError;
use crate::fields::Fields;
use crate::ids::thread_reminder;
use crate::quote::{limit, strip_quoted};
use chrono::NaiveDate;
use kindly_core::feedback::{MailEventKind, Reply, reminder_of_reply_address};
use kindly_core::link::LinkKeys;
use kindly_core::reminder::ReminderId;
use mail_parser::{Message, PartType};

/// The most of a reply's text kept: enough for any answer a person writes, not a stored attachment.
pub const MAX_TEXT_BYTES: usize = 8 * 1024;

/// Lines are not wrapped when HTML is turned into text: the text is stored, not shown at a width.
const HTML_TEXT_WIDTH: usize = 10_000;

/// The reply `message` is and the reminder it answers: the one its reply address names (verified with
/// `keys`), else the one its In-Reply-To or References quote.
pub fn reply(
    message: &Message<'_>,
    keys: Option<&LinkKeys>,
    sent_on: NaiveDate,
) -> Result<(Option<ReminderId>, MailEventKind), InboundError> {
    let from = message.from().and_then(|from| from.first());
    let address = from
        .and_then(|from| from.address())
        .map(str::trim)
        .filter(|address| !address.is_empty())
        .ok_or(InboundError::MissingHeader("From"))?;
    let headers = Fields::of(message);
    let reminder = keys
        .and_then(|keys| addressed_reminder(message, &headers, keys))
        .or_else(|| thread_reminder(message));
    let subject = message.subject().unwrap_or_default().trim().to_owned();
    let text = limit(&strip_quoted(&written_text(message)), MAX_TEXT_BYTES);
    let reply = Reply {
        from: address.to_owned(),
        from_name: from
            .and_then(|from| from.name())
            .map(str::trim)
            .filter(|name| !name.is_empty())
            .map(str::to_owned),
        automatic: automatic(&headers, &subject, &text, sent_on),
        subject,
        text,
    };
    Ok((reminder, MailEventKind::Replied(reply)))
}

/// The reminder the reply address it was sent to names: To, Cc, or the address the receiving server
/// delivered it to (a reply to a list or a forward keeps that one).
fn addressed_reminder(message: &Message<'_>, headers: &Fields, keys: &LinkKeys) -> Option<ReminderId> {
    let listed = message
        .all_to()
        .chain(message.all_cc())
        .flat_map(|list| list.iter())
        .filter_map(|a| a.address());
    let delivered = headers.all("Delivered-To").chain(headers.all("X-Original-To"));
    listed
        .map(str::to_owned)
        .chain(delivered.map(str::to_owned))
        .find_map(|address| reminder_of_reply_address(keys, address.trim()))
}

/// What the writer wrote: the plain text part, else the HTML part as text.
fn written_text(message: &Message<'_>) -> String {
    let plain = message.text_bodies().find_map(|part| match &part.body {
        PartType::Text(text) => Some(text.to_string()),
        _ => None,
    });
    plain
        .or_else(|| {
            message.html_bodies().find_map(|part| match &part.body {
                PartType::Html(html) => html_text(html),
                _ => None,
            })
        })
        .unwrap_or_default()
}

fn html_text(html: &str) -> Option<String> {
    html2text::config::plain_no_decorate()
        .link_footnotes(false)
        .no_link_wrapping()
        .string_from_read(html.as_bytes(), HTML_TEXT_WIDTH)
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use mail_parser::MessageParser;

    fn text_of(raw: &str) -> String {
        strip_quoted(&written_text(&MessageParser::default().parse(raw.as_bytes()).unwrap()))
    }

    #[test]
    fn an_html_reply_loses_its_quoted_original() {
        let raw = "From: ann@acme.example\r\nDate: Mon, 9 Mar 2026 11:00:00 +0100\r\n\
            Content-Type: text/html; charset=utf-8\r\n\r\n\
            <div>We paid <b>today</b>.<br>Ann</div>\
            <blockquote type=\"cite\"><p>Dear Ann,</p><p>invoice 1042 is overdue.</p></blockquote>";
        assert_eq!(text_of(raw), "We paid today.\nAnn");
    }

    #[test]
    fn the_plain_part_is_preferred_to_the_html_one() {
        let raw = "From: ann@acme.example\r\nDate: Mon, 9 Mar 2026 11:00:00 +0100\r\n\
            Content-Type: multipart/alternative; boundary=\"b\"\r\n\r\n\
            --b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nPlain words.\r\n\
            --b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>HTML words.</p>\r\n--b--\r\n";
        assert_eq!(text_of(raw), "Plain words.");
        // Positive control: without its plain part, the HTML one is read.
        let html_only = raw.replace("text/plain", "application/octet-stream");
        assert_eq!(text_of(&html_only), "HTML words.");
    }
}
