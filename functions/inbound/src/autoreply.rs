//! Whether a reply was written by a mailbox rather than a person, and whether it says its person is away.

use crate::fields::Fields;
use crate::return_day::{return_day, speaks_of_absence};
use chrono::NaiveDate;
use kindly_core::feedback::AutoReply;

/// Subjects mail programs give automatic replies, lower case, in English and German. Matched anywhere in
/// the subject, so `AW:`, `Re:` and the quoted original subject around them do not matter.
const AUTOMATIC_SUBJECTS: [&str; 11] = [
    "out of office",
    "automatic reply",
    "auto-reply",
    "auto reply",
    "autoreply",
    "abwesenheitsnotiz",
    "automatische antwort",
    "abwesend",
    "nicht im büro",
    "urlaub",
    "auto-response",
];

/// `Some` when the headers or the subject mark the reply as automatic (RFC 3834's `Auto-Submitted`, the
/// `X-Autoreply`/`X-Autorespond` some servers set, a `Precedence` of bulk mail). Outlook's
/// `X-Auto-Response-Suppress` is not a sign: it rides on ordinary mail too.
pub fn automatic(headers: &Fields, subject: &str, text: &str, sent_on: NaiveDate) -> Option<AutoReply> {
    let subject = subject.to_lowercase();
    let submitted = headers
        .get("Auto-Submitted")
        .map(|value| value.split(';').next().unwrap_or_default().trim().to_ascii_lowercase())
        .is_some_and(|value| !value.is_empty() && value != "no");
    let flagged = headers.get("X-Autoreply").is_some() || headers.get("X-Autorespond").is_some();
    let bulk = headers.get("Precedence").is_some_and(|value| {
        ["auto_reply", "bulk", "junk", "list"].contains(&value.trim().to_ascii_lowercase().as_str())
    });
    let titled = AUTOMATIC_SUBJECTS.iter().any(|sign| subject.contains(sign));
    if !(submitted || flagged || bulk || titled) {
        return None;
    }
    let said = format!("{subject}\n{}", text.to_lowercase());
    Some(AutoReply {
        out_of_office: speaks_of_absence(&said),
        returns_on: return_day(&format!("{subject}\n\n{text}"), sent_on),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use mail_parser::MessageParser;

    fn headers(text: &str) -> Fields {
        let raw = format!("From: a@x.example\r\n{text}\r\n\r\nbody");
        Fields::of(&MessageParser::default().parse(raw.as_bytes()).unwrap())
    }

    fn on() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 9).unwrap()
    }

    #[test]
    fn headers_and_subjects_mark_automatic_replies() {
        let marked = [
            ("Auto-Submitted: auto-replied", "Re: Invoice 1042"),
            ("Auto-Submitted: auto-generated; type=vacation", "Invoice"),
            ("X-Autoreply: yes", "Invoice"),
            ("X-Autorespond: Invoice", "Invoice"),
            ("Precedence: bulk", "Invoice"),
            ("Precedence: auto_reply", "Invoice"),
            ("X-Mailer: x", "Automatic reply: Invoice 1042"),
            ("X-Mailer: x", "AW: Abwesenheitsnotiz: Zahlungserinnerung"),
            ("X-Mailer: x", "Automatische Antwort: Rechnung"),
            ("X-Mailer: x", "OUT OF OFFICE"),
            ("X-Mailer: x", "Re: Nicht im Büro"),
        ];
        for (header, subject) in marked {
            assert!(
                automatic(&headers(header), subject, "", on()).is_some(),
                "{header} / {subject}"
            );
        }
        let human = [
            ("Auto-Submitted: no", "Re: Invoice 1042"),
            ("X-Auto-Response-Suppress: All", "Re: Invoice 1042"),
            ("Precedence: first-class", "AW: Rechnung 1042"),
        ];
        for (header, subject) in human {
            assert_eq!(
                automatic(&headers(header), subject, "", on()),
                None,
                "{header} / {subject}"
            );
        }
    }

    #[test]
    fn an_automatic_reply_says_whether_its_person_is_away_and_until_when() {
        let received = automatic(
            &headers("Auto-Submitted: auto-replied"),
            "Ticket #4711",
            "We received your message.",
            on(),
        );
        assert_eq!(
            received,
            Some(AutoReply {
                out_of_office: false,
                returns_on: None
            })
        );
        let away = automatic(
            &headers("X-Mailer: x"),
            "Out of Office",
            "I am away without email.",
            on(),
        );
        assert_eq!(
            away,
            Some(AutoReply {
                out_of_office: true,
                returns_on: None
            })
        );
        let dated = automatic(&headers("X-Mailer: x"), "Abwesend bis 13.03.2026", "Vielen Dank.", on());
        assert_eq!(
            dated,
            Some(AutoReply {
                out_of_office: true,
                returns_on: NaiveDate::from_ymd_opt(2026, 3, 14)
            })
        );
    }
}
