use super::*;

#[test]
fn quoted_originals_are_left_out() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "gmail, wrapped attribution",
            "We paid on Friday.\n\nOn Mon, 9 Mar 2026 at 10:00, Northwind Billing <\nbilling@northwind.example> wrote:\n> Dear Ann,\n> invoice 1042 is overdue.",
            "We paid on Friday.",
        ),
        (
            "one-line attribution",
            "Thanks!\nOn 9 Mar 2026, at 10:00, Northwind wrote:\n\n> Dear Ann",
            "Thanks!",
        ),
        (
            "german attribution",
            "Wir zahlen morgen.\n\nAm 09.03.2026 um 10:00 schrieb Northwind Billing <billing@northwind.example>:\n> Sehr geehrte",
            "Wir zahlen morgen.",
        ),
        (
            "bare attribution",
            "Done.\nNorthwind Billing <billing@northwind.example> wrote:\n> Dear Ann",
            "Done.",
        ),
        (
            "outlook separator",
            "Payment is on its way.\n\n-----Original Message-----\nFrom: Northwind\nDear Ann",
            "Payment is on its way.",
        ),
        (
            "german outlook separator",
            "Bezahlt.\n-----Ursprüngliche Nachricht-----\nVon: Northwind\nSehr geehrte",
            "Bezahlt.",
        ),
        (
            "outlook header block under a rule",
            "See attached.\n\n________________________________\nFrom: Northwind Billing\nSent: Monday, March 9, 2026 10:00\nTo: Ann\nSubject: Invoice",
            "See attached.",
        ),
        (
            "german header block",
            "Erledigt.\n\n*Von:* Northwind Billing\n*Gesendet:* Montag, 9. März 2026 10:00\n*An:* Ann",
            "Erledigt.",
        ),
        (
            "empty paragraphs of an html reply",
            "Sehr geehrte Damen und Herren,\n\n\u{a0}\n\ndie Rechnung ist bezahlt.\n \n\n\nGruß",
            "Sehr geehrte Damen und Herren,\n\ndie Rechnung ist bezahlt.\n\nGruß",
        ),
        (
            "inline answers keep their lines",
            "> Will you pay invoice 1042?\nYes, on Friday.\n> And 1043?\nNext week.",
            "Yes, on Friday.\nNext week.",
        ),
    ];
    for (name, text, written) in cases {
        assert_eq!(strip_quoted(text), *written, "{name}");
    }
}

#[test]
fn text_that_only_looks_like_a_quote_stays() {
    // Positive controls: nothing here introduces a quote, so every line is kept.
    for text in [
        "On Monday we will pay.\nThanks, Ann",
        "From: the accounts team\nWe need the invoice again.",
        "Am Freitag zahlen wir.\nGruß",
        "Regards,\n--\nAnn Example\nAcme GmbH",
    ] {
        assert_eq!(strip_quoted(text), text, "{text}");
    }
}

#[test]
fn long_text_is_cut_at_a_character_boundary() {
    assert_eq!(limit("abc", 8), "abc");
    assert_eq!(limit("abcdef", 4), "abcd");
    // `ü` is two bytes: a cut inside it keeps the character out.
    assert_eq!(limit("aü", 2), "a");
    assert_eq!(limit("aü", 3), "aü");
    let long = "ä".repeat(5000);
    let cut = limit(&long, 8 * 1024);
    assert_eq!(cut.len(), 8 * 1024);
    assert!(cut.chars().all(|c| c == 'ä'));
}
