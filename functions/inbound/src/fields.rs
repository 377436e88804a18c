//! Header fields read as text: a message's own, or the field blocks of a report's status part (RFC 3464
//! per-message and per-recipient fields, RFC 5965 feedback fields), which share the header syntax.

use mail_parser::{Message, MessageParser};

/// Named fields in their order, values unfolded and trimmed.
#[derive(Debug, Default)]
pub struct Fields(Vec<(String, String)>);

impl Fields {
    /// A message's (or a header block's) fields, as written.
    pub fn of(message: &Message<'_>) -> Fields {
        let unfold = |value: &str| value.split_whitespace().collect::<Vec<_>>().join(" ");
        Fields(
            message
                .headers_raw()
                .map(|(name, value)| (name.to_owned(), unfold(value)))
                .collect(),
        )
    }

    /// The field blocks of a report part: groups of fields separated by blank lines.
    pub fn blocks(bytes: &[u8]) -> Vec<Fields> {
        let text = String::from_utf8_lossy(bytes);
        let mut blocks = vec![String::new()];
        for line in text.lines() {
            match (line.trim().is_empty(), blocks.last_mut()) {
                // A line of nothing but spaces separates too: some servers write them.
                (true, Some(last)) if !last.is_empty() => blocks.push(String::new()),
                (false, Some(last)) => {
                    last.push_str(line);
                    last.push_str("\r\n");
                }
                _ => {}
            }
        }
        let parser = MessageParser::default();
        blocks
            .into_iter()
            .filter(|block| !block.is_empty())
            .filter_map(|block| {
                let block = format!("{block}\r\n");
                parser
                    .parse_headers(block.as_bytes())
                    .map(|headers| Fields::of(&headers))
            })
            .filter(|fields| !fields.0.is_empty())
            .collect()
    }

    /// The first value of field `name` (any case).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(field, _)| field.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// Every value of field `name` (any case), in order.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(field, _)| field.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_are_split_at_blank_lines_and_values_unfolded() {
        let part = b"Reporting-MTA: dns; mx.example.net\r\n\r\nFinal-Recipient: rfc822; a@x.example\r\n\
            Action: failed\r\nDiagnostic-Code: smtp; 550 5.1.1 <a@x.example>:\r\n  Recipient address\r\n\trejected\r\n\
            \r\n \r\nfinal-recipient: rfc822; b@x.example\r\nAction: delayed\r\n";
        let blocks = Fields::blocks(part);
        assert_eq!(blocks.len(), 3);
        assert_eq!(blocks[0].get("reporting-mta"), Some("dns; mx.example.net"));
        assert_eq!(blocks[1].get("Final-Recipient"), Some("rfc822; a@x.example"));
        assert_eq!(
            blocks[1].get("Diagnostic-Code"),
            Some("smtp; 550 5.1.1 <a@x.example>: Recipient address rejected")
        );
        assert_eq!(blocks[2].get("Final-Recipient"), Some("rfc822; b@x.example"));
        assert_eq!(blocks[2].get("Status"), None);
        assert!(Fields::blocks(b"\r\n\r\n").is_empty());
    }
}
