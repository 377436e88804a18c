//! Every message the real `kindly` writes links to its customer's own page, and that link, taken out of the
//! `.eml` in the outbox, opens the page that the real `kindly serve` serves over a socket.

use kindly_core::Store;
use std::path::Path;

mod common;
use common::{kindly, serve};

/// Where the messages say customers reach the server; the test reaches it at its own address.
const PUBLIC_URL: &str = "https://billing.northwind.example";

/// The customer-page link in a message's text part (on a line of its own) and HTML part (as a link).
fn links_in(eml: &Path) -> (String, String) {
    let bytes = std::fs::read(eml).unwrap();
    let message = mail_parser::MessageParser::default().parse(&bytes).unwrap();
    let text = message.body_text(0).expect("a text part");
    let html = message.body_html(0).expect("an HTML part");
    let prefix = format!("{PUBLIC_URL}/c/");
    let in_text = text
        .lines()
        .find(|line| line.starts_with(&prefix))
        .unwrap_or_else(|| panic!("{}: no link in the text part:\n{text}", eml.display()))
        .to_owned();
    let in_html = html
        .split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .find(|href| href.starts_with(&prefix))
        .unwrap_or_else(|| panic!("{}: no link in the HTML part", eml.display()))
        .to_owned();
    (in_text, in_html)
}

fn emls(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut found: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "eml"))
        .collect();
    found.sort();
    found
}

#[tokio::test]
async fn the_link_in_a_sent_message_opens_the_customers_page() {
    // GIVEN the demo, as of today, with messages written to the outbox and its history
    let dir = tempfile::tempdir().unwrap();
    let demo = kindly(dir.path())
        .args(["demo", "--public-url", PUBLIC_URL])
        .output()
        .unwrap();
    assert!(demo.status.success(), "{}", String::from_utf8_lossy(&demo.stderr));
    let today = emls(&dir.path().join("outbox"));
    let history = emls(&dir.path().join("outbox/history"));
    assert!(
        !today.is_empty() && history.len() > 10,
        "{} + {} messages",
        today.len(),
        history.len()
    );

    // THEN every message carries one link, the same in both parts, naming the message it is in
    let keys = kindly_core::link::LinkKeys::from_lines(
        &std::fs::read_to_string(dir.path().join("kindly.db.link-keys")).unwrap(),
    )
    .unwrap();
    let opened = |link: &str| {
        let token = link.strip_prefix(&format!("{PUBLIC_URL}/c/")).unwrap();
        keys.verify(token, chrono::Utc::now()).unwrap()
    };
    for eml in today.iter().chain(&history) {
        let (text, html) = links_in(eml);
        assert_eq!(text, html.replace("&amp;", "&"), "{}", eml.display());
        let stem = eml.file_stem().unwrap().to_string_lossy();
        assert_eq!(opened(&text).reminder.0, stem, "the link names its own message");
    }

    // WHEN the server runs and each customer written to today opens the link in their message
    let (_server, base, _login) = serve(dir.path(), &[]);
    let store = kindly_local::sqlite_store::SqliteStore::open(&dir.path().join("kindly.db")).unwrap();
    let client = reqwest::Client::new();
    for eml in &today {
        let (link, _) = links_in(eml);
        let path = link.strip_prefix(PUBLIC_URL).unwrap();
        let page = client.get(format!("{base}{path}")).send().await.unwrap();
        // THEN it is that customer's own page, naming them
        assert_eq!(page.status(), reqwest::StatusCode::OK, "{}", eml.display());
        let body = page.text().await.unwrap();
        let customer = store.customer(&opened(&link).customer).await.unwrap().unwrap();
        assert!(
            body.contains(&customer.display_name.replace('&', "&amp;")),
            "{}: the page of {} does not name them:\n{body}",
            eml.display(),
            customer.id
        );
        // AND the same link with its last character changed shows nothing of them
        let mut edited = path.to_owned();
        let last = edited.pop().unwrap();
        edited.push(if last == 'A' { 'B' } else { 'A' });
        let refused = client
            .get(format!("{base}{edited}"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            !refused.contains(&customer.display_name),
            "{}: an edited link",
            eml.display()
        );
    }
}
