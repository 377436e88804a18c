use super::*;

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

/// Written on Monday 9 March 2026 unless a case says otherwise.
const SENT: &str = "2026-03-09";

#[test]
fn return_days_in_english_and_german() {
    let cases: &[(&str, &str)] = &[
        ("I will be back on 14 March 2026.", "2026-03-14"),
        ("I am out of the office, returning Monday, March 16.", "2026-03-16"),
        (
            "Back on 16/03/2026, with limited access to email until then.",
            "2026-03-16",
        ),
        ("I am away until 13.03.2026 and will answer afterwards.", "2026-03-14"),
        ("I'm on annual leave until Friday 13th March.", "2026-03-14"),
        ("I will return on March 16th, 2026.", "2026-03-16"),
        ("I'll be back in the office on Monday, 16 March.", "2026-03-16"),
        ("Available again from 2026-03-16.", "2026-03-16"),
        ("I'm back 3/16/2026.", "2026-03-16"),
        ("Out of office till 13 Mar. Back on 16 Mar.", "2026-03-16"),
        ("I am out of office from 2 March until 13 March.", "2026-03-14"),
        ("Ich bin bis zum 13. März nicht im Büro.", "2026-03-14"),
        ("Ich bin bis zum 13.03.2026 abwesend.", "2026-03-14"),
        (
            "Bis einschließlich Freitag, 13.03.2026 bin ich im Urlaub.",
            "2026-03-14",
        ),
        ("Ab dem 16.03. bin ich wieder erreichbar.", "2026-03-16"),
        ("Ab dem 16.03. wieder erreichbar", "2026-03-16"),
        ("Ich bin am 16. März 2026 wieder im Büro.", "2026-03-16"),
        ("Wieder im Büro am 16.03.2026.", "2026-03-16"),
        ("Ich bin im Urlaub und am 16.3. zurück.", "2026-03-16"),
        (
            "Ich bin bis 13.03. im Urlaub und ab dem 16.03. wieder für Sie da.",
            "2026-03-16",
        ),
        ("Urlaub bis 13. Maerz 2026", "2026-03-14"),
        ("Back on the 16th of March.", "2026-03-16"),
        ("I am on holiday from 2 March to 13 March.", "2026-03-14"),
        ("Away from the office through 13/03/2026.", "2026-03-14"),
        ("Ich bin ab dem 2. März bis zum 13. März im Urlaub.", "2026-03-14"),
        ("Ich bin vom 2. bis 13. März nicht da.", "2026-03-14"),
        ("Zurück am 16.03.", "2026-03-16"),
        (
            "I'm away until Friday, 13 March, and back in the office from Monday 16 March.",
            "2026-03-16",
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(return_day(text, day(SENT)), Some(day(expected)), "{text}");
    }
}

#[test]
fn a_date_without_a_year_is_the_next_such_day() {
    let cases: &[(&str, &str, &str)] = &[
        ("Back on 16 March.", "2026-03-09", "2026-03-16"),
        ("Back on 16 March.", "2026-03-16", "2026-03-16"),
        // Written in December about a day in January: next year's.
        ("Back on 5 January.", "2026-12-22", "2027-01-05"),
        ("Ich bin bis zum 31.12. im Urlaub.", "2026-12-22", "2027-01-01"),
        ("Wieder da am 29.02.", "2026-03-09", "2028-02-29"),
    ];
    for (text, sent, expected) in cases {
        assert_eq!(
            return_day(text, day(sent)),
            Some(day(expected)),
            "{text} written {sent}"
        );
    }
}

#[test]
fn dates_that_do_not_speak_of_returning_do_not_count() {
    let cases: &[&str] = &[
        "",
        "Thank you for your message.",
        "Invoice 1042 dated 14 March 2026 is due on 28 March.",
        "The payment was due on 14 March.",
        "Ihre Rechnung vom 14.03.2026 war am 28.03. fällig.",
        "Please pay until 14 March.",
        "Bitte zahlen Sie bis zum 14. März.",
        "I am out of the office. Your invoice of 14 March has been forwarded.",
        "I'll be back soon. The invoice is due 14 March.",
        "Back on Monday.",
        "Ich bin ab 10.30 Uhr wieder da.",
        "Back on 31 February.",
        "I am away until further notice.",
        "Version 1.5 is back.",
        "I am on holiday and will reply to your email on 16 March.",
        "Your invoice of 2 March to 13 March has been received.",
    ];
    for text in cases {
        assert_eq!(return_day(text, day(SENT)), None, "{text}");
    }
    // Positive control: the sentence that only names a due date does count once it speaks of returning.
    assert_eq!(
        return_day("I'll be back on 14 March.", day(SENT)),
        Some(day("2026-03-14"))
    );
}

#[test]
fn absence_is_spoken_of_in_both_languages() {
    for text in [
        "i am out of the office",
        "ich bin im urlaub",
        "nicht im büro",
        "on annual leave",
        "abwesend",
    ] {
        assert!(speaks_of_absence(text), "{text}");
    }
    for text in [
        "thank you for your message",
        "wir zahlen morgen",
        "please leave a message",
    ] {
        assert!(!speaks_of_absence(text), "{text}");
    }
}
