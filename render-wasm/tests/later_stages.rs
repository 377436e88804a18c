//! What the later stages promise a customer: the head's note is a letter with the figures after the
//! signature and an honest word on where replies go; the escalation asks the copied person for help
//! without reproach; the final notice names its deadline and next step; every message has a preheader and
//! a subject about one invoice names its amount and due date.

mod common;

use common::{all_cases, fixture, shown_in, with_template};
use kindly_render::{Mailbox, MessageContext, THANK_YOU_TEMPLATE, render};

const HEAD: &str = "personal_note_from_head";

#[test]
fn the_heads_note_gives_the_invoices_after_the_signature() {
    for name in ["en-full", "en-minimal", "de-full", "de-minimal"] {
        let context = fixture(name);
        let message = render(&with_template(&context, HEAD)).unwrap();
        for (part, body) in [("text", &message.text), ("html", &message.html)] {
            let signed = body.find(&context.signature.email).unwrap();
            // The intro may name a single invoice; its details (the issue date row) follow the signature.
            let details = body.find(&context.invoices[0].issue_date).unwrap();
            assert!(signed < details, "{name} {part}: details before the signature");
        }
    }
}

#[test]
fn the_heads_note_says_where_replies_go() {
    let mut context = with_template(&fixture("en-full"), HEAD);
    let team = "A reply to this email goes to our billing team";
    // GIVEN replies routed to another mailbox THEN the note says so and gives the head's own address.
    assert_eq!(shown_in(&render(&context).unwrap(), team), (true, true));
    // GIVEN replies that reach the signer THEN the note invites a reply, and claims no detour.
    context.reply_to = Some(Mailbox {
        name: context.signature.name.clone(),
        email: context.signature.email.to_uppercase(),
    });
    let direct = render(&context).unwrap();
    assert_eq!(shown_in(&direct, team), (false, false));
    assert_eq!(shown_in(&direct, "You can reply to this email"), (true, true));
}

#[test]
fn no_later_stage_opens_with_a_reproach() {
    let reproaches = [
        "Urgent",
        "despite",
        "Despite",
        "without further delay",
        "Dringend",
        "trotz",
        "Trotz",
        "umgehend",
    ];
    for case in all_cases() {
        let message = &case.message;
        for words in reproaches {
            assert!(
                !message.subject.contains(words) && !message.text.contains(words),
                "{} × {}: {words:?}",
                case.fixture,
                case.template
            );
        }
    }
    // Positive control: the escalation still asks the copied person for help by name.
    let escalation = render(&with_template(&fixture("en-full"), "escalation_cc")).unwrap();
    assert!(
        escalation
            .text
            .contains("Morgan Patel, I would be grateful for your help.")
    );
}

#[test]
fn the_final_notice_names_its_deadline_and_next_step() {
    let cases = [
        (
            "en-full",
            "Please pay by March 21, 2025",
            "we will decide on April 2, 2025",
        ),
        (
            "de-full",
            "Bitte zahlen Sie bis zum 21. März 2025",
            "entscheiden wir am 2. April 2025",
        ),
    ];
    for (name, deadline, next_step) in cases {
        let context = fixture(name);
        for template in kindly_render::template_names() {
            let message = render(&with_template(&context, template)).unwrap();
            let expected = template == "final_notice";
            assert_eq!(
                shown_in(&message, deadline),
                (expected, expected),
                "{name} × {template}"
            );
            assert_eq!(
                shown_in(&message, next_step),
                (expected, expected),
                "{name} × {template}"
            );
        }
        // Without the dates (a draft stored before messages carried them) it still reads, dateless.
        let dateless = MessageContext {
            deadline: None,
            next_step_on: None,
            ..with_template(&context, "final_notice")
        };
        let message = render(&dateless).unwrap();
        assert_eq!(shown_in(&message, deadline), (false, false), "{name}");
    }
}

#[test]
fn every_html_part_has_a_hidden_preheader() {
    for case in all_cases() {
        let html = &case.message.html;
        let start = html
            .find("<div style=\"display:none;")
            .unwrap_or_else(|| panic!("{} × {}: no preheader", case.fixture, case.template));
        let text = &html[start..html[start..].find("</div>").unwrap() + start];
        assert!(
            text.len() > "<div style=\"display:none;max-height:0;overflow:hidden;\">".len() + 5,
            "{} × {}: an empty preheader",
            case.fixture,
            case.template
        );
    }
}

#[test]
fn a_subject_about_one_invoice_names_its_amount_and_due_date() {
    let mut checked = 0;
    for case in all_cases() {
        let [only] = case.context.invoices.as_slice() else {
            continue;
        };
        if case.template == THANK_YOU_TEMPLATE {
            continue;
        }
        let subject = &case.message.subject;
        let one_line = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
        for fact in [&only.balance, &only.due_date] {
            assert!(
                subject.contains(&one_line(fact)),
                "{} × {}: {subject}",
                case.fixture,
                case.template
            );
        }
        checked += 1;
    }
    assert!(checked > 0, "the fixtures have single-invoice messages");
}
