//! How feedback names the message it is about: the Message-ID kindly gave it, `<{reminder id}@{domain}>`
//! (see kindly-mail), quoted by the In-Reply-To and References of what answers it, and the addresses it
//! lists.

use kindly_core::reminder::ReminderId;
use mail_parser::{HeaderValue, Message};

/// The prefix of every reminder id; a Message-ID whose local part starts with it is one of kindly's.
const REMINDER_PREFIX: &str = "rem_";

/// The reminder a Message-ID names, with or without its angle brackets: `<rem_…@…>` → `rem_…`.
pub fn reminder_of_message_id(message_id: &str) -> Option<ReminderId> {
    let id = message_id.trim();
    let id = id.strip_prefix('<').unwrap_or(id);
    let id = id.strip_suffix('>').unwrap_or(id);
    let (local, domain) = id.rsplit_once('@')?;
    let named = local.len() > REMINDER_PREFIX.len()
        && local.starts_with(REMINDER_PREFIX)
        && !domain.is_empty()
        && !local.contains(|c: char| c.is_whitespace() || c == '<' || c == '>');
    named.then(|| ReminderId(local.to_owned()))
}

/// The first reminder named by any of these Message-IDs (In-Reply-To, then References from the newest).
pub fn first_reminder<'a>(ids: impl IntoIterator<Item = &'a str>) -> Option<ReminderId> {
    ids.into_iter().find_map(reminder_of_message_id)
}

/// The reminder a message's In-Reply-To or References name (the newest reference first).
pub fn thread_reminder(message: &Message<'_>) -> Option<ReminderId> {
    let ids = |value: &HeaderValue<'_>| -> Vec<String> {
        match value {
            HeaderValue::Text(id) => vec![id.to_string()],
            HeaderValue::TextList(ids) => ids.iter().map(|id| id.to_string()).collect(),
            _ => Vec::new(),
        }
    };
    let mut references = ids(message.references());
    references.reverse();
    let candidates = ids(message.in_reply_to())
        .into_iter()
        .chain(references)
        .collect::<Vec<_>>();
    first_reminder(candidates.iter().map(String::as_str))
}

/// An address without the display name some reports put around it: `Ann <ann@x.example>` → `ann@x.example`.
pub fn bare_address(address: &str) -> String {
    let address = address.trim();
    match (address.rfind('<'), address.rfind('>')) {
        (Some(open), Some(close)) if open < close => address[open + 1..close].trim().to_owned(),
        _ => address.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_id_names_a_reminder_only_when_it_is_one_of_kindlys() {
        let named = |id: &str| reminder_of_message_id(id).map(|r| r.0);
        assert_eq!(
            named("<rem_a98c4ec461528f1359d41b88@kindly.outbox>").as_deref(),
            Some("rem_a98c4ec461528f1359d41b88")
        );
        assert_eq!(
            named(" rem_ack_0a1b@northwind.example ").as_deref(),
            Some("rem_ack_0a1b")
        );
        assert_eq!(named("<rem_thanks_9f@x>").as_deref(), Some("rem_thanks_9f"));
        for other in [
            "<rem_@x>",
            "<rem_1>",
            "<rem_1@>",
            "<CAF=abc@mail.gmail.com>",
            "<remind_1@x>",
            "",
            "<a rem_1@x>",
        ] {
            assert_eq!(named(other), None, "{other}");
        }
        assert_eq!(
            first_reminder(["<a@b>", "<rem_2@k>", "<rem_3@k>"])
                .map(|r| r.0)
                .as_deref(),
            Some("rem_2")
        );
    }

    #[test]
    fn an_address_loses_its_display_name() {
        assert_eq!(bare_address("John <john@x.example>"), "john@x.example");
        assert_eq!(bare_address(" ann@x.example "), "ann@x.example");
        assert_eq!(bare_address("\"Doe, Jo\" < jo@x.example >"), "jo@x.example");
    }
}
