//! The message that forwards a customer's reply by email to the billing mailbox, so that people who work
//! from their mail client see it there too. It goes to staff, never to a customer, and is never previewed
//! or approved: the page's WebAssembly build leaves its templates out (see `build.rs`).

use crate::{MessageParts, RenderError, engine, render_template};
use serde::{Deserialize, Serialize};

/// The forward's templates (`en/staff/forward.*`): staff read English.
const TEMPLATE: &str = "en/staff/forward";

/// Everything a forwarded reply shows, already formatted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForwardContext {
    /// The customer's display name and id.
    pub customer: String,
    pub customer_id: String,
    /// Who wrote, as their mail client named them (`Name <address>`).
    pub from: String,
    pub subject: String,
    /// When it arrived, in UTC (`2026-03-12 09:41 UTC`).
    pub received: String,
    /// The invoices of the message replied to.
    pub invoices: Vec<String>,
    /// The customer-local day the reply holds automated reminders until, unless staff mark it done.
    pub held_until: Option<String>,
    /// The reply's text as kindly read it (HTML converted to text, quoted history cut).
    pub text: String,
}

/// Render the forward of a reply: subject, plain text and HTML.
pub fn render_forward(context: &ForwardContext) -> Result<MessageParts, RenderError> {
    let engine = engine("en").ok_or_else(|| RenderError::UnknownTemplate {
        template: TEMPLATE.to_owned(),
        language: "en".to_owned(),
    })?;
    let values = tera::Context::from_serialize(context).map_err(|e| RenderError::InvalidContext(e.to_string()))?;
    let part = |part: &str| render_template(engine, &format!("{TEMPLATE}.{part}"), &values);
    Ok(MessageParts {
        subject: crate::one_line(&part("subject.txt")?),
        text: part("txt")?,
        html: part("html")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply() -> ForwardContext {
        ForwardContext {
            customer: "Lumen & Co".to_owned(),
            customer_id: "C-LUMEN".to_owned(),
            from: "Ana Ruiz <ana@lumen.example>".to_owned(),
            subject: "Re: Invoice INV-1042".to_owned(),
            received: "2026-03-12 09:41 UTC".to_owned(),
            invoices: vec!["INV-1042".to_owned(), "INV-1043".to_owned()],
            held_until: Some("17 March 2026".to_owned()),
            text: "We pay on Friday.\n<script>alert(1)</script>\n\nAna".to_owned(),
        }
    }

    #[test]
    fn the_forward_shows_who_wrote_what_and_what_kindly_does_meanwhile() {
        let parts = render_forward(&reply()).unwrap();
        assert_eq!(parts.subject, "Reply from Lumen & Co: Re: Invoice INV-1042");
        for expected in [
            "Lumen & Co (C-LUMEN) replied by email to the reminder about INV-1042, INV-1043.",
            "From:     Ana Ruiz <ana@lumen.example>",
            "Received: 2026-03-12 09:41 UTC",
            "no automated reminder until 17 March 2026, or until someone marks this reply done",
            "Answering this email writes to Ana Ruiz <ana@lumen.example>.",
            "We pay on Friday.\n<script>alert(1)</script>\n\nAna",
        ] {
            assert!(parts.text.contains(expected), "{expected:?} in:\n{}", parts.text);
        }
    }

    #[test]
    fn the_html_part_escapes_everything_the_customer_wrote() {
        let parts = render_forward(&reply()).unwrap();
        assert!(
            parts.html.contains("&lt;script&gt;alert(1)&lt;/script&gt;<br>"),
            "{}",
            parts.html
        );
        assert!(!parts.html.contains("<script>"), "{}", parts.html);
        assert!(
            parts.html.contains("Ana Ruiz &lt;ana@lumen.example&gt;"),
            "{}",
            parts.html
        );
        assert!(parts.html.contains("<strong>Lumen &amp; Co</strong>"), "{}", parts.html);
    }

    #[test]
    fn without_a_last_day_the_reply_waits_for_staff_and_a_subject_stays_one_line() {
        let context = ForwardContext {
            held_until: None,
            invoices: Vec::new(),
            subject: "Re: your\r\nreminder".to_owned(),
            ..reply()
        };
        let parts = render_forward(&context).unwrap();
        assert!(
            parts.text.starts_with("Lumen & Co (C-LUMEN) replied by email.\n"),
            "{}",
            parts.text
        );
        assert!(
            parts
                .text
                .contains("no automated reminder until someone marks this reply done"),
            "{}",
            parts.text
        );
        assert!(!parts.subject.contains(['\r', '\n']), "{}", parts.subject);
    }
}
