//! The link to the customer's own page: every message that has one shows it, in every language, in both
//! parts, escaped in HTML and a link only when it is a web address; a message without one shows no trace.

mod common;

use common::{escape_html, fixtures, with_template};
use kindly_render::{LANGUAGES, MessageContext, render, template_names};

const PAGE: &str = "https://billing.example/c/AQAAAABqGxOA_-x?y=1&z=2";

/// The sentence before the link, per language, up to where its wording may differ by template.
fn lead_in(language: &str) -> &'static str {
    match language {
        "en" => "On your own page you can see your invoices, tell us about a payment or ask us a question:",
        "de" => {
            "Auf Ihrer persönlichen Seite sehen Sie Ihre Rechnungen und können uns eine Zahlung mitteilen oder eine Frage stellen:"
        }
        other => panic!("no lead-in for {other}"),
    }
}

fn one_fixture_per_language() -> Vec<MessageContext> {
    LANGUAGES
        .iter()
        .map(|language| {
            fixtures()
                .into_iter()
                .map(|(_, context)| context)
                .find(|context| context.language == *language)
                .unwrap_or_else(|| panic!("no fixture in {language}"))
        })
        .collect()
}

#[test]
fn every_message_in_every_language_shows_the_link_in_both_parts() {
    for fixture in one_fixture_per_language() {
        let context = MessageContext {
            customer_page: Some(PAGE.to_owned()),
            ..fixture
        };
        for template in template_names() {
            let name = format!("{} × {template}", context.language);
            let message = render(&with_template(&context, template)).unwrap_or_else(|e| panic!("{name}: {e}"));
            // The text part: the sentence, then the address on a line of its own, so mail programs link it.
            let text_line = format!("{}\n{PAGE}\n", lead_in(&context.language));
            assert!(
                message.text.contains(&text_line),
                "{name}: text part lacks {text_line:?}"
            );
            // The HTML part: the same sentence and a link to the escaped address.
            let href = format!("href=\"{}\"", escape_html(PAGE));
            assert!(message.html.contains(&href), "{name}: HTML part lacks {href}");
            assert!(
                message.html.contains(&escape_html(lead_in(&context.language))),
                "{name}: HTML part lacks the sentence"
            );
            assert!(!message.subject.contains(PAGE), "{name}: the subject stays short");
        }
    }
}

#[test]
fn without_a_link_no_message_mentions_the_page() {
    for fixture in one_fixture_per_language() {
        let context = MessageContext {
            customer_page: None,
            ..fixture
        };
        for template in template_names() {
            let message = render(&with_template(&context, template)).unwrap();
            let lead_in = lead_in(&context.language);
            let opening = &lead_in[..20];
            assert!(
                !message.text.contains(opening) && !message.html.contains(&escape_html(opening)),
                "{} × {template}: mentions a page it has no link to",
                context.language
            );
            assert!(!message.text.contains("/c/"), "{template}: a link without a page");
        }
    }
}

#[test]
fn a_page_address_is_escaped_and_only_a_web_address_becomes_a_link() {
    let fixture = one_fixture_per_language().remove(0);
    for (page, link) in [
        (r#"https://kindly.example/c/t?a=1&b="2"<i>'3'</i>"#, true),
        ("javascript:alert('page')", false),
    ] {
        let context = MessageContext {
            customer_page: Some(page.to_owned()),
            ..fixture.clone()
        };
        for template in template_names() {
            let message = render(&with_template(&context, template)).unwrap();
            assert!(message.text.contains(page), "{template}: the text part shows it as is");
            assert!(
                message.html.contains(&escape_html(page)),
                "{template}: the HTML part shows it escaped"
            );
            assert!(!message.html.contains(page), "{template}: unescaped in HTML");
            assert_eq!(
                message.html.contains(&format!("href=\"{}\"", escape_html(page))),
                link,
                "{template}: {page:?} is a link only if it is a web address"
            );
        }
    }
}

#[test]
fn the_link_changes_the_content_hash() {
    let fixture = one_fixture_per_language().remove(0);
    let hash = |page: Option<&str>| {
        render(&MessageContext {
            customer_page: page.map(str::to_owned),
            ..fixture.clone()
        })
        .unwrap()
        .content_hash
    };
    assert_ne!(hash(None), hash(Some(PAGE)));
    assert_ne!(hash(Some(PAGE)), hash(Some("https://billing.example/c/another")));
}

#[test]
fn a_context_stored_without_the_field_still_reads() {
    let mut json: serde_json::Value = serde_json::to_value(one_fixture_per_language().remove(0)).unwrap();
    json.as_object_mut().unwrap().remove("customer_page");
    let context: MessageContext = serde_json::from_value(json).expect("an older draft's context reads");
    assert_eq!(context.customer_page, None);
}

/// The courtesy note's question whether the invoice arrived, up to where its wording depends on the count.
fn receipt_ask(language: &str) -> &'static str {
    match language {
        "en" => "Could you let us know that the invoice",
        "de" => "Könnten Sie uns kurz bestätigen, dass die Rechnung",
        other => panic!("no question for {other}"),
    }
}

fn receipt_confirmed() -> kindly_render::AnswerView {
    kindly_render::AnswerView {
        kind: "confirm_receipt".into(),
        said_on: "2 March 2026".into(),
        day: None,
        until: None,
        invoices: vec!["INV-1".into()],
        category: None,
        state: "confirmed".into(),
        reason: None,
        contact: None,
        amount: None,
        instalment: None,
        instalments: None,
    }
}

#[test]
fn the_courtesy_note_asks_to_confirm_receipt_only_before_the_due_date_with_the_link_and_until_confirmed() {
    for fixture in one_fixture_per_language() {
        let language = fixture.language.clone();
        let ask = receipt_ask(&language);
        let asks = |context: &MessageContext| {
            let message = render(context).unwrap();
            let (text, html) = (message.text.contains(ask), message.html.contains(&escape_html(ask)));
            assert_eq!(text, html, "{language}: both parts ask, or neither");
            text
        };
        let before_due = MessageContext {
            customer_page: Some(PAGE.to_owned()),
            max_days_overdue: -5,
            ..with_template(&fixture, "upcoming_due")
        };
        assert!(
            asks(&before_due),
            "{language}: the courtesy note asks whether the invoice arrived"
        );
        let mut other_answer = receipt_confirmed();
        other_answer.kind = "promise".into();
        let after_a_promise = MessageContext {
            earlier_answers: vec![other_answer],
            ..before_due.clone()
        };
        assert!(asks(&after_a_promise), "{language}: another answer is no confirmation");
        let confirmed = MessageContext {
            earlier_answers: vec![receipt_confirmed()],
            ..before_due.clone()
        };
        assert!(!asks(&confirmed), "{language}: not asked again once confirmed");
        let without_link = MessageContext {
            customer_page: None,
            ..before_due.clone()
        };
        assert!(
            !asks(&without_link),
            "{language}: no question without the page to answer it on"
        );
        let on_the_day = MessageContext {
            max_days_overdue: 0,
            ..before_due.clone()
        };
        assert!(
            !asks(&on_the_day),
            "{language}: the question belongs before the due date"
        );
        for template in template_names().into_iter().filter(|name| *name != "upcoming_due") {
            assert!(
                !asks(&with_template(&before_due, template)),
                "{language} × {template}: only the courtesy note asks"
            );
        }
    }
}
