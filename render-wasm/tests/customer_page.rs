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
