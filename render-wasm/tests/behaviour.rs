//! What every message must do, whatever the wording: escape what customers typed, keep the subject on one
//! line, show every invoice, hash what the recipient gets, and refuse what it cannot render.

mod common;

use common::{all_cases, fixture, fixtures, shown_in, with_template};
use kindly_render::{
    LANGUAGES, Mailbox, MessageContext, RenderError, THANK_YOU_TEMPLATE, has_template, render, template_names,
};

const EARLY_STAGES: [&str; 3] = ["upcoming_due", "due_today", "crossed_in_mail"];

/// The templates that ask for payment: every one but the thank-you.
fn reminder_templates() -> Vec<&'static str> {
    template_names()
        .into_iter()
        .filter(|template| *template != THANK_YOU_TEMPLATE)
        .collect()
}

fn render_all_templates(context: &MessageContext) -> Vec<(String, kindly_render::RenderedMessage)> {
    template_names()
        .into_iter()
        .map(|template| {
            let message = render(&with_template(context, template)).unwrap_or_else(|e| panic!("{template}: {e}"));
            (template.to_owned(), message)
        })
        .collect()
}

#[test]
fn the_templates_are_the_seven_of_the_ladder_and_the_thank_you() {
    assert_eq!(
        reminder_templates(),
        [
            "crossed_in_mail",
            "due_today",
            "escalation_cc",
            "final_notice",
            "overdue_direct",
            "personal_note_from_head",
            "upcoming_due"
        ]
    );
    assert!(template_names().contains(&THANK_YOU_TEMPLATE));
}

#[test]
fn every_template_exists_in_every_language() {
    for language in LANGUAGES {
        for template in template_names() {
            assert!(
                has_template(language, template),
                "{template} is missing a part in {language}"
            );
        }
    }
}

#[test]
fn unknown_template_or_language_is_an_error() {
    // A layout or phrase file is not a stage template, even though it sits beside them.
    let unknown = [
        ("en", "friendly_nudge"),
        ("fr", "due_today"),
        ("en", "_phrases"),
        ("en", "../shared/_layout"),
    ];
    for (language, template) in unknown {
        let context = MessageContext {
            language: language.into(),
            template: template.into(),
            ..fixture("en-minimal")
        };
        assert!(
            matches!(render(&context), Err(RenderError::UnknownTemplate { .. })),
            "{language}/{template}"
        );
        assert!(!has_template(language, template), "{language}/{template}");
    }
}

#[test]
fn a_message_without_invoices_is_an_error() {
    let context = MessageContext {
        invoices: Vec::new(),
        ..fixture("en-minimal")
    };
    assert!(matches!(render(&context), Err(RenderError::InvalidContext(_))));
}

#[test]
fn customer_values_are_escaped_in_html_and_raw_in_text() {
    // GIVEN a customer whose name is markup, with quotes and an ampersand, and a note with markup
    let mut context = fixture("en-minimal");
    context.customer.display_name = r#"<script>alert(1)</script> & "Quotes" 'Co'"#.into();
    context.personal_note = Some("<img src=x onerror=alert(1)>\nsecond line".into());
    // THEN the text part shows exactly what was typed, and the HTML shows it as text, never as markup
    let shown = [
        (
            r#"<script>alert(1)</script> & "Quotes" 'Co'"#,
            "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Quotes&quot; &#39;Co&#39;",
        ),
        (
            "<img src=x onerror=alert(1)>\nsecond line",
            "&lt;img src=x onerror=alert(1)&gt;<br>second line",
        ),
    ];
    for (template, message) in render_all_templates(&context) {
        for (text, html) in shown {
            assert!(message.text.contains(text), "{template}: text part lacks {text:?}");
            assert!(message.html.contains(html), "{template}: HTML part lacks {html:?}");
        }
        for markup in ["<script", "<img"] {
            assert!(!message.html.contains(markup), "{template}: {markup} in HTML");
        }
        assert!(!message.text.contains("&amp;"), "{template}: text part is escaped");
    }
}

#[test]
fn only_web_addresses_become_links() {
    let mut context = fixture("en-full");
    context.invoices[0].payment_link = Some("javascript:alert(1)".into());
    context.company.website = Some("javascript:alert(2)".into());
    for (template, message) in render_all_templates(&context) {
        assert!(
            !message.html.contains("href=\"javascript"),
            "{template}: javascript: link"
        );
        if template != THANK_YOU_TEMPLATE {
            assert!(
                message.html.contains("javascript:alert(1)"),
                "{template}: the link is still shown as text"
            );
        }
    }
}

#[test]
fn the_subject_is_one_line_even_when_values_contain_line_breaks() {
    let mut context = fixture("en-minimal");
    context.invoices[0].number = "INV-1\r\nBcc: victim@example.com".into();
    context.company.name = "Northwind\nStudio\r".into();
    for (template, message) in render_all_templates(&context) {
        assert!(
            !message.subject.contains(['\n', '\r']),
            "{template}: {:?}",
            message.subject
        );
        assert_eq!(message.subject, message.subject.trim(), "{template}: padded subject");
    }
    for case in all_cases() {
        assert!(
            !case.message.subject.contains(['\n', '\r']),
            "{} × {}",
            case.fixture,
            case.template
        );
    }
}

#[test]
fn subjects_name_the_invoice_or_the_count_and_the_company() {
    for case in all_cases() {
        let subject = &case.message.subject;
        let invoices = &case.context.invoices;
        let reference = match invoices.as_slice() {
            [only] => only.number.split_whitespace().collect::<Vec<_>>().join(" "),
            many => many.len().to_string(),
        };
        assert!(
            subject.contains(&reference),
            "{} × {}: {subject}",
            case.fixture,
            case.template
        );
        let company = case
            .context
            .company
            .name
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        assert!(
            subject.contains(&company),
            "{} × {}: {subject}",
            case.fixture,
            case.template
        );
    }
}

#[test]
fn every_invoice_and_every_detail_appear_in_both_parts() {
    for case in all_cases() {
        let name = format!("{} × {}", case.fixture, case.template);
        let asks_for_payment = case.template != THANK_YOU_TEMPLATE;
        let payment = payment_facts(&case.context);
        let facts = facts(&case.context);
        for value in &facts {
            assert_eq!(shown_in(&case.message, value), (true, true), "{name}: lacks {value:?}");
        }
        for value in payment.iter().filter(|value| !facts.contains(value)) {
            // A thank-you's zero balance ("0,00 €") may be part of a total it shows ("3.150,00 €").
            if !asks_for_payment && facts.iter().any(|fact| fact.contains(value.as_str())) {
                continue;
            }
            let shown = asks_for_payment;
            assert_eq!(shown_in(&case.message, value), (shown, shown), "{name}: {value:?}");
        }
    }
}

/// What every message must show: each invoice's number, PO and total, who signs and the company footer.
fn facts(context: &MessageContext) -> Vec<&String> {
    let invoices = context
        .invoices
        .iter()
        .flat_map(|invoice| [&invoice.number, &invoice.total].into_iter().chain(&invoice.po_number));
    let (signature, company) = (&context.signature, &context.company);
    invoices
        .chain([&signature.name, &signature.title, &signature.email])
        .chain(&signature.phone)
        .chain([&company.name])
        .chain(&company.address_lines)
        .chain(&company.website)
        .collect()
}

/// What a message asking for payment shows besides, and a thank-you does not: dates, balances, links,
/// totals and how to pay.
fn payment_facts(context: &MessageContext) -> Vec<&String> {
    let invoices = context.invoices.iter().flat_map(|invoice| {
        [&invoice.issue_date, &invoice.due_date, &invoice.balance]
            .into_iter()
            .chain(&invoice.payment_link)
    });
    invoices
        .chain(&context.totals)
        .chain([&context.payment.method])
        .chain(&context.payment.lines)
        .collect()
}

/// Renders `context` with every stage template and checks that `value` shows, in both parts, with exactly
/// the `expected` templates.
fn assert_shown_exactly_in(context: &MessageContext, value: &str, expected: &[&str]) {
    for (template, message) in render_all_templates(context) {
        let shown = expected.contains(&template.as_str());
        assert_eq!(
            shown_in(&message, value),
            (shown, shown),
            "{template}: {value:?} in (text, HTML)"
        );
    }
}

#[test]
fn days_overdue_are_worded_as_facts() {
    let wordings = [
        ("en-minimal", -5, "(due in 5 days)"),
        ("en-minimal", -1, "(due in 1 day)"),
        ("en-minimal", 0, "(due today)"),
        ("en-minimal", 1, "(1 day overdue)"),
        ("en-minimal", 12, "(12 days overdue)"),
        ("de-minimal", -5, "(in 5 Tagen fällig)"),
        ("de-minimal", -1, "(in 1 Tag fällig)"),
        ("de-minimal", 0, "(heute fällig)"),
        ("de-minimal", 1, "(seit 1 Tag überfällig)"),
        ("de-minimal", 12, "(seit 12 Tagen überfällig)"),
    ];
    for (fixture_name, days, wording) in wordings {
        let mut context = fixture(fixture_name);
        context.invoices[0].days_overdue = days;
        context.max_days_overdue = days;
        assert_shown_exactly_in(&context, wording, &reminder_templates());
    }
}

#[test]
fn the_greeting_uses_the_contact_or_else_the_team() {
    let mut with_contact = fixture("en-minimal");
    with_contact.customer.contact_name = Some("Jamie Lee".into());
    let german = fixture("de-full");
    let uncopied = MessageContext {
        cc: Vec::new(),
        ..german.clone()
    };
    // GIVEN a German contact known by name only: no salutation, so no "Herr"/"Frau" and no first name.
    let mut by_name_only = uncopied.clone();
    by_name_only.customer.salutation = None;
    by_name_only.customer.surname = None;
    let mut copied_by_name_only = german.clone();
    copied_by_name_only.customer.salutation = None;
    let greetings = [
        (fixture("en-minimal"), "Dear Acme Corp team,\n"),
        (with_contact, "Dear Jamie Lee,\n"),
        (fixture("en-full"), "Dear Jamie Lee and Morgan Patel,\n"),
        (fixture("de-minimal"), "Sehr geehrte Damen und Herren,\n"),
        (uncopied, "Sehr geehrte Frau Schmidt,\n"),
        (german, "Sehr geehrte Frau Schmidt, sehr geehrter Herr Weber,\n"),
        (by_name_only, "Sehr geehrte Damen und Herren,\n"),
        (
            copied_by_name_only,
            "Sehr geehrter Herr Weber, sehr geehrte Damen und Herren,\n",
        ),
    ];
    for (context, greeting) in greetings {
        for (template, message) in render_all_templates(&context) {
            assert!(message.text.starts_with(greeting), "{template}: {greeting:?}");
            assert!(
                !message.text.contains("Frau Anna"),
                "{template}: a first name after Frau"
            );
        }
    }
}

#[test]
fn optional_sections_appear_only_when_present() {
    let full = fixture("en-full");
    let minimal = fixture("en-minimal");
    let (interest, discount) = (full.interest.as_ref().unwrap(), full.early_discount.as_ref().unwrap());
    let line = &interest.lines[0];
    let sections = [
        format!(
            "interest of {} has accrued since {}",
            line.interest.as_deref().unwrap(),
            line.since
        ),
        format!("pay only {}", discount.discounted_amount),
        "Jamie, thanks again for the quick turnaround".to_owned(),
        full.company.website.clone().unwrap(),
    ];
    let (payment_sections, every_message_sections) = sections.split_at(2);
    for section in payment_sections {
        assert_shown_exactly_in(&full, section, &reminder_templates());
    }
    for section in every_message_sections {
        assert_shown_exactly_in(&full, section, &template_names());
    }
    for absent in ["interest", "discount", "Pay online", "Pay invoice", "https://"] {
        assert_shown_exactly_in(&minimal, absent, &[]);
    }
}

#[test]
fn the_thank_you_confirms_the_payment_and_asks_for_nothing() {
    for (fixture_name, paid, asks) in [
        (
            "en-minimal",
            "Paid in full",
            ["How to pay", "overdue", "Balance due", "please pay"],
        ),
        (
            "de-minimal",
            "Vollständig bezahlt",
            ["Zahlungsweg", "überfällig", "Offener Betrag", "bitte zahlen"],
        ),
    ] {
        let message = render(&with_template(&fixture(fixture_name), THANK_YOU_TEMPLATE)).unwrap();
        assert_eq!(shown_in(&message, paid), (true, true), "{fixture_name}");
        for word in asks {
            assert_eq!(shown_in(&message, word), (false, false), "{fixture_name}: {word:?}");
        }
    }
}

#[test]
fn an_overpayment_is_named_with_a_question_only_in_the_thank_you() {
    let mut context = fixture("en-minimal");
    context.invoices[0].credit = Some("$10.00 <b>".into());
    let question = "Please reply to let us know whether you would like it refunded or credited";
    let thanks = render(&with_template(&context, THANK_YOU_TEMPLATE)).unwrap();
    assert_eq!(shown_in(&thanks, question), (true, true));
    assert_eq!(
        shown_in(&thanks, "$10.00 <b>"),
        (true, true),
        "escaped in HTML, as is in text"
    );
    assert!(!thanks.html.contains("<b>"));
    assert_shown_exactly_in(&context, "$10.00 <b>", &[THANK_YOU_TEMPLATE]);
    context.invoices[0].credit = None;
    assert_shown_exactly_in(&context, question, &[]);
}

#[test]
fn early_stages_thank_those_who_already_paid() {
    let english = "If you have already paid, thank you — please disregard this message.";
    let german = "Falls Sie die Zahlung bereits veranlasst haben, vielen Dank – dann betrachten Sie diese \
                  Nachricht bitte als gegenstandslos.";
    assert_shown_exactly_in(&fixture("en-full"), english, &EARLY_STAGES);
    assert_shown_exactly_in(&fixture("de-full"), german, &EARLY_STAGES);
}

#[test]
fn only_the_final_notice_speaks_of_collections() {
    assert_shown_exactly_in(&fixture("en-full"), "collections", &["final_notice"]);
    assert_shown_exactly_in(&fixture("de-full"), "Inkasso", &["final_notice"]);
}

#[test]
fn the_escalation_says_openly_who_is_copied() {
    let escalations = [
        ("en-full", "I have copied Morgan Patel on this email", "copied"),
        ("de-full", "Ich habe Jonas Weber als Ihre Ansprechperson", "in Kopie"),
    ];
    for (fixture_name, sentence, claim) in escalations {
        let context = fixture(fixture_name);
        assert_shown_exactly_in(&context, sentence, &["escalation_cc"]);
        // Without anyone in copy, no message claims to have copied anyone.
        let nobody = MessageContext {
            cc: Vec::new(),
            ..context
        };
        assert_shown_exactly_in(&nobody, claim, &[]);
    }
}

#[test]
fn html_is_well_formed_and_self_contained() {
    for case in all_cases() {
        let name = format!("{} × {}", case.fixture, case.template);
        let html = &case.message.html;
        assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\""), "{name}");
        if let Err(problem) = check_balanced(html) {
            panic!("{name}: {problem}");
        }
        for forbidden in [
            "<script", "<img", "<link", "<style", "<iframe", "<object", "src=\"", "url(",
        ] {
            assert!(!html.contains(forbidden), "{name}: contains {forbidden}");
        }
    }
}

/// Every element closed in order; void elements stand alone. Enough for markup our templates write,
/// since values cannot add tags (they are escaped).
fn check_balanced(html: &str) -> Result<(), String> {
    const VOID: [&str; 3] = ["meta", "br", "hr"];
    let mut open: Vec<&str> = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        let end = rest[start..].find('>').ok_or("unterminated tag")? + start;
        let tag = &rest[start + 1..end];
        rest = &rest[end + 1..];
        if tag.starts_with('!') {
            continue;
        }
        let (closing, tag) = match tag.strip_prefix('/') {
            Some(tag) => (true, tag),
            None => (false, tag),
        };
        let name = tag.split([' ', '\n']).next().unwrap_or_default();
        if closing {
            match open.pop() {
                Some(expected) if expected == name => {}
                other => return Err(format!("</{name}> closes {other:?}")),
            }
        } else if !VOID.contains(&name) {
            open.push(name);
        }
    }
    if open.is_empty() {
        Ok(())
    } else {
        Err(format!("never closed: {open:?}"))
    }
}

#[test]
fn the_hash_covers_the_envelope_and_the_content() {
    let base = with_template(&fixture("en-full"), "escalation_cc");
    let hash = |context: &MessageContext| render(context).unwrap().content_hash;
    let original = hash(&base);
    assert_eq!(original.len(), 64);
    assert!(
        original
            .chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
    );

    // Stable: the same context always hashes alike.
    assert_eq!(hash(&base.clone()), original);
    let reparsed: MessageContext = serde_json::from_str(&serde_json::to_string(&base).unwrap()).unwrap();
    assert_eq!(hash(&reparsed), original);

    type Change = fn(&mut MessageContext);
    let changes: [(&str, Change); 12] = [
        ("from name", |c| c.from.name.push('!')),
        ("from email", |c| c.from.email = "other@northwind.example".into()),
        ("reply-to removed", |c| c.reply_to = None),
        ("reply-to email", |c| {
            c.reply_to.as_mut().unwrap().email = "x@northwind.example".into()
        }),
        ("to added", |c| {
            c.to.push(Mailbox {
                name: "Eve".into(),
                email: "eve@example.com".into(),
            })
        }),
        ("to email", |c| c.to[0].email = "j.lee@acme.example".into()),
        ("to name", |c| c.to[1].name = "AP".into()),
        ("cc added", |c| {
            c.cc.push(Mailbox {
                name: "Eve".into(),
                email: "eve@example.com".into(),
            })
        }),
        ("cc moved to to", |c| {
            let moved = c.cc.remove(0);
            c.to.push(moved);
        }),
        ("personal note changed", |c| c.personal_note.as_mut().unwrap().push('.')),
        ("personal note removed", |c| c.personal_note = None),
        ("balance", |c| c.invoices[0].balance = "$2,400.01".into()),
    ];
    for (what, change) in changes {
        let mut changed = base.clone();
        change(&mut changed);
        assert_ne!(hash(&changed), original, "hash ignores: {what}");
    }
}

#[test]
fn a_comma_in_a_name_cannot_pass_for_another_recipient() {
    let base = with_template(&fixture("en-minimal"), "overdue_direct");
    let two = MessageContext {
        to: vec![
            Mailbox {
                name: "A".into(),
                email: "a@x.example".into(),
            },
            Mailbox {
                name: "B".into(),
                email: "b@x.example".into(),
            },
        ],
        ..base.clone()
    };
    let one = MessageContext {
        to: vec![Mailbox {
            name: "A <a@x.example>, B".into(),
            email: "b@x.example".into(),
        }],
        ..base
    };
    assert_ne!(render(&two).unwrap().content_hash, render(&one).unwrap().content_hash);
}

#[test]
fn every_fixture_is_in_a_known_language() {
    for (name, context) in fixtures() {
        assert!(LANGUAGES.contains(&context.language.as_str()), "{name}");
        assert!(
            name.starts_with(&context.language),
            "{name} should start with its language"
        );
    }
}
