//! The customer page's words, per message language (`kindly_render::LANGUAGES`): a language without an
//! entry here reads English. Typed, so a missing word is a compile error rather than a blank on the page.

use super::answer_words::{self, AnswerWords};
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct Words {
    pub lang: &'static str,
    pub title: &'static str,
    pub statement: &'static str,
    pub as_of: &'static str,
    pub number: &'static str,
    pub issued: &'static str,
    pub due: &'static str,
    pub total: &'static str,
    pub balance: &'static str,
    pub balance_due: &'static str,
    /// Labels the discounted amount while an early-payment discount is open; `{date}` is its deadline.
    pub discounted: &'static str,
    pub pay_online: &'static str,
    pub how_to_pay: &'static str,
    pub nothing_open: &'static str,
    pub messages: &'static str,
    pub no_messages: &'static str,
    pub contact: &'static str,
    pub refused_title: &'static str,
    pub refused_body: &'static str,
    pub unavailable_title: &'static str,
    pub unavailable_body: &'static str,
    pub answers: &'static AnswerWords,
    #[serde(skip)]
    due_in: (&'static str, &'static str),
    #[serde(skip)]
    due_today: &'static str,
    #[serde(skip)]
    overdue: (&'static str, &'static str),
}

const EN: Words = Words {
    lang: "en",
    title: "Your account",
    statement: "Open invoices",
    as_of: "As of",
    number: "Invoice",
    issued: "Issued",
    due: "Due",
    total: "Total",
    balance: "Balance due",
    balance_due: "Balance due in total",
    discounted: "With early-payment discount, if paid by {date}",
    pay_online: "Pay online",
    how_to_pay: "How to pay",
    nothing_open: "You have no open invoices with us. Thank you!",
    messages: "Messages we sent you",
    no_messages: "We have not written to you about these invoices yet.",
    contact: "Questions? Your contact",
    refused_title: "This link does not open an account",
    refused_body: "It may have expired, or only part of it was copied. Please get in touch and we will gladly help.",
    unavailable_title: "Your account cannot be shown just now",
    unavailable_body: "Please try again in a little while, or get in touch.",
    answers: &answer_words::EN,
    due_in: ("due in {n} day", "due in {n} days"),
    due_today: "due today",
    overdue: ("{n} day overdue", "{n} days overdue"),
};

const DE: Words = Words {
    lang: "de",
    title: "Ihr Kundenkonto",
    statement: "Offene Rechnungen",
    as_of: "Stand",
    number: "Rechnung",
    issued: "Rechnungsdatum",
    due: "Fällig am",
    total: "Rechnungsbetrag",
    balance: "Offener Betrag",
    balance_due: "Offen insgesamt",
    discounted: "Mit Skonto bei Zahlung bis zum {date}",
    pay_online: "Online bezahlen",
    how_to_pay: "Zahlungsweg",
    nothing_open: "Bei uns sind keine Rechnungen offen. Vielen Dank!",
    messages: "Unsere Nachrichten an Sie",
    no_messages: "Zu diesen Rechnungen haben wir Ihnen noch nicht geschrieben.",
    contact: "Fragen? Ihr Kontakt",
    refused_title: "Dieser Link öffnet kein Kundenkonto",
    refused_body: "Vielleicht ist er abgelaufen oder wurde nur zum Teil kopiert. Bitte melden Sie sich, wir helfen gern.",
    unavailable_title: "Ihr Kundenkonto kann gerade nicht angezeigt werden",
    unavailable_body: "Bitte versuchen Sie es etwas später noch einmal oder melden Sie sich.",
    answers: &answer_words::DE,
    due_in: ("in {n} Tag fällig", "in {n} Tagen fällig"),
    due_today: "heute fällig",
    overdue: ("seit {n} Tag überfällig", "seit {n} Tagen überfällig"),
};

impl Words {
    /// The words of a message language; English for one the page does not speak.
    pub fn of(language: &str) -> &'static Words {
        match language {
            "de" => &DE,
            _ => &EN,
        }
    }

    /// Where an invoice stands on `days_overdue` (negative: days until due).
    pub fn due_status(&self, days_overdue: i64) -> String {
        let (one, other) = match days_overdue {
            0 => return self.due_today.to_owned(),
            ..0 => self.due_in,
            _ => self.overdue,
        };
        let days = days_overdue.unsigned_abs();
        let form = if days == 1 { one } else { other };
        form.replace("{n}", &days.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_language_has_words_and_due_status_reads_naturally() {
        for language in kindly_render::LANGUAGES {
            assert_eq!(
                Words::of(language).lang,
                *language,
                "the page speaks every message language"
            );
        }
        let en = Words::of("en");
        assert_eq!(en.due_status(-2), "due in 2 days");
        assert_eq!(en.due_status(-1), "due in 1 day");
        assert_eq!(en.due_status(0), "due today");
        assert_eq!(en.due_status(1), "1 day overdue");
        assert_eq!(en.due_status(31), "31 days overdue");
        assert_eq!(Words::of("de").due_status(5), "seit 5 Tagen überfällig");
        assert_eq!(Words::of("fr").lang, "en");
    }
}
