//! The customer's answers (`POST /c/{token}/answer`) over a real socket: each of the five recorded and
//! acknowledged once, then confirmed on the page; a double submit recorded once; a field with a problem
//! shown again, marked, with nothing stored; cross-site posts, forged or missing one-time values, oversize
//! bodies and forged links refused with nothing stored; what the customer typed shown back as text.
use super::client;
use super::customer_page::{Page, forged_paths, keys, now, page_with};
use chrono::Duration;
use kindly_core::service;
use kindly_core::{CustomerId, Policy, Store};
use kindly_local::outbox::OutboxMailer;
use reqwest::StatusCode;

kindly_aws::on_both_stores!(
    each_answer_is_recorded_acknowledged_once_and_confirmed_on_the_page,
    a_double_submit_records_once,
    a_field_with_a_problem_is_shown_again_marked_and_nothing_is_stored,
    cross_site_forged_and_oversize_posts_are_refused_and_change_nothing,
    forged_links_cannot_answer,
    too_many_answers_in_a_day_get_a_polite_refusal,
    a_german_customer_answers_in_german,
);

/// A post's headers: what a browser sends from the page itself, or something else.
#[derive(Clone, Copy)]
enum Sender {
    Page,
    Headers(&'static [(&'static str, &'static str)]),
}

/// A form's fields, as sent.
type Fields<'a> = &'a [(&'a str, &'a str)];

struct Posted {
    status: StatusCode,
    location: Option<String>,
    body: String,
}

impl<S: Store + 'static> Page<S> {
    fn link(&self, customer: &str) -> String {
        self.token(customer, now() + Duration::days(90))
    }

    /// The one-time value and its tag of the `kind` form on the page `token` opens.
    async fn form_of(&self, token: &str, kind: &str) -> (String, String) {
        let (status, _, html) = self.open(&format!("/c/{token}")).await;
        assert_eq!(status, StatusCode::OK, "{html}");
        hidden(&html, kind)
    }

    async fn post(&self, path: &str, from: Sender, fields: &[(&str, &str)]) -> Posted {
        let mut request = client().post(format!("{}{path}", self.base)).form(fields);
        match from {
            Sender::Page => {
                request = request
                    .header("origin", &self.base)
                    .header("sec-fetch-site", "same-origin");
            }
            Sender::Headers(headers) => {
                for (name, value) in headers {
                    request = request.header(*name, *value);
                }
            }
        }
        let response = request.send().await.unwrap();
        Posted {
            status: response.status(),
            location: response
                .headers()
                .get("location")
                .map(|value| value.to_str().unwrap().to_owned()),
            body: response.text().await.unwrap(),
        }
    }

    /// A `kind` answer with `fields` from A's page, as the browser sends it (a fresh form each time).
    async fn answer(&self, kind: &str, fields: &[(&str, &str)]) -> Posted {
        self.answer_as("A", kind, fields).await
    }

    /// The same from `customer`'s page.
    async fn answer_as(&self, customer: &str, kind: &str, fields: &[(&str, &str)]) -> Posted {
        let token = self.link(customer);
        let (form, tag) = self.form_of(&token, kind).await;
        let mut all = vec![("kind", kind), ("form", form.as_str()), ("tag", tag.as_str())];
        all.extend_from_slice(fields);
        self.post(&format!("/c/{token}/answer"), Sender::Page, &all).await
    }

    async fn answers_of_a(&self) -> Vec<kindly_core::answer::Answer> {
        self.app
            .store
            .answers_of_customer(&CustomerId("A".into()))
            .await
            .unwrap()
    }
}

/// A promise about A1 with the one-time value `form` and its `tag`.
fn promise<'a>(form: &'a str, tag: &'a str) -> [(&'static str, &'a str); 5] {
    [
        ("kind", "promise"),
        ("form", form),
        ("tag", tag),
        ("invoice", "A1"),
        ("pay_by", "2026-03-27"),
    ]
}

/// The hidden one-time value and tag of the `kind` form in `html`.
fn hidden(html: &str, kind: &str) -> (String, String) {
    let at = html
        .find(&format!("name=\"kind\" value=\"{kind}\""))
        .unwrap_or_else(|| panic!("no {kind} form:\n{html}"));
    let value = |name: &str| {
        let marker = format!("name=\"{name}\" value=\"");
        let start = at + html[at..].find(&marker).unwrap() + marker.len();
        html[start..].split('"').next().unwrap().to_owned()
    };
    (value("form"), value("tag"))
}

async fn each_answer_is_recorded_acknowledged_once_and_confirmed_on_the_page<S: Store + 'static>(store: S) {
    let page = page_with(store, Policy::default_policy()).await;
    let token = page.link("A");
    let answers: [(&str, Fields, &str); 5] = [
        (
            "already_paid",
            &[
                ("invoice", "A1"),
                ("paid_on", "2026-03-13"),
                ("amount", "100.00"),
                ("reference", "REF-7"),
            ],
            // five business days from Sunday 15 March
            "We will not send reminders about invoice INV-A1 until March 20, 2026 while we look for your payment.",
        ),
        (
            "dispute",
            &[
                ("invoice", "A2"),
                ("category", "amount"),
                ("text", "The discount is <b>missing</b> & more"),
            ],
            "A member of our team is looking into invoice INV-A2",
        ),
        (
            "promise",
            &[("invoice", "A1"), ("pay_by", "2026-03-27")],
            "We will not send reminders about invoice INV-A1 until March 27, 2026.",
        ),
        (
            "confirm_receipt",
            &[("invoice", "A1"), ("invoice", "A2"), ("scheduled_for", "2026-03-31")],
            "We will not send reminders about invoices INV-A1 and INV-A2 until March 31, 2026.",
        ),
        (
            "wrong_person",
            &[("name", "Pat Doe"), ("email", "pat@acme.example")],
            "will confirm the change to pat@acme.example",
        ),
    ];
    for (count, (kind, fields, next)) in answers.into_iter().enumerate() {
        // WHEN the customer sends the form from their page
        let posted = page.answer(kind, fields).await;
        assert_eq!(posted.status, StatusCode::SEE_OTHER, "{kind}: {}", posted.body);
        let stored = page.answers_of_a().await;
        assert_eq!(stored.len(), count + 1, "{kind} recorded");
        let answer = stored.iter().find(|answer| answer.kind.name() == kind).unwrap();
        // THEN they are sent back to their page, which says what happens next
        let location = posted.location.unwrap();
        assert_eq!(location, format!("/c/{token}?answered={}", answer.id));
        let (status, _, html) = page.open(&location).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("Thank you, we have your answer."), "{kind}");
        assert!(html.contains(next), "{kind}: `{next}` missing:\n{html}");
        // AND the acknowledgement waits to be sent, approved
        let ack = answer.acknowledgement.clone().expect("acknowledged");
        let ack = page.app.store.reminder(&ack).await.unwrap().unwrap();
        assert!(ack.is_acknowledgement() && ack.status == kindly_core::ReminderStatus::Approved);
    }
    // The page lists them, with where each stands
    let (_, _, html) = page.open(&format!("/c/{token}")).await;
    for shown in [
        "What you told us",
        "Promise to pay",
        "No reminders until March 27, 2026",
        "The discount is &lt;b&gt;missing",
    ] {
        assert!(html.contains(shown), "{shown} missing");
    }
    assert!(!html.contains("<b>missing"), "what the customer typed is text");
    assert!(
        !html.contains("Thank you, we have your answer."),
        "no banner without an answer"
    );
    // The send run mails each acknowledgement once
    let policy = page.app.policy.clone();
    service::send_approved(&page.app.store, &OutboxMailer::new(page.outbox.path()), &policy, now())
        .await
        .unwrap();
    let acks: Vec<_> = page
        .app
        .store
        .reminders_of_customer(&CustomerId("A".into()))
        .await
        .unwrap()
        .into_iter()
        .filter(|reminder| reminder.is_acknowledgement())
        .collect();
    assert_eq!(acks.len(), 5, "one acknowledgement per answer");
    for ack in acks {
        assert_eq!(ack.status, kindly_core::ReminderStatus::Sent, "{}", ack.id);
        assert!(
            page.outbox.path().join(format!("{}.eml", ack.id)).exists(),
            "{} in the outbox",
            ack.id
        );
    }
}

async fn a_double_submit_records_once<S: Store + 'static>(store: S) {
    let page = page_with(store, Policy::default_policy()).await;
    let token = page.link("A");
    let (form, tag) = page.form_of(&token, "promise").await;
    let fields = promise(&form, &tag);
    let first = page.post(&format!("/c/{token}/answer"), Sender::Page, &fields).await;
    let second = page.post(&format!("/c/{token}/answer"), Sender::Page, &fields).await;
    assert_eq!(
        (first.status, second.status),
        (StatusCode::SEE_OTHER, StatusCode::SEE_OTHER)
    );
    assert_eq!(first.location, second.location, "the same answer, confirmed again");
    assert_eq!(page.answers_of_a().await.len(), 1, "recorded once");
    let acks = page
        .app
        .store
        .reminders_of_customer(&CustomerId("A".into()))
        .await
        .unwrap();
    assert_eq!(acks.iter().filter(|reminder| reminder.is_acknowledgement()).count(), 1);
}

async fn a_field_with_a_problem_is_shown_again_marked_and_nothing_is_stored<S: Store + 'static>(store: S) {
    let page = page_with(store, Policy::default_policy()).await;
    let before = page.snapshot().await;
    // A promise beyond the policy's 30 days: the core's check
    let posted = page
        .answer("promise", &[("invoice", "A1"), ("pay_by", "2026-09-01")])
        .await;
    assert_eq!(posted.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = posted.body;
    assert!(
        html.contains("<details id=\"answer-promise\" open>"),
        "the form is open:\n{html}"
    );
    assert!(html.contains("Please check the answer marked below"));
    assert!(html.contains(
        "<p class=\"error\" id=\"promise-pay_by-error\">Please choose a day from March 15, 2026 to April 14, 2026.</p>"
    ));
    assert!(html.contains("id=\"promise-pay_by\" name=\"pay_by\" type=\"date\" value=\"2026-09-01\""));
    assert!(html.contains("aria-invalid=\"true\" aria-describedby=\"promise-pay_by-error\""));
    // An amount that does not read, and typed text that comes back as text
    let posted = page
        .answer(
            "already_paid",
            &[
                ("invoice", "A1"),
                ("paid_on", "2026-03-13"),
                ("amount", "lots"),
                ("reference", "<img src=x onerror=alert(1)>"),
            ],
        )
        .await;
    assert_eq!(posted.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(posted.body.contains("id=\"already_paid-amount-error\""));
    assert!(
        posted.body.contains("value=\"&lt;img src=x onerror=alert(1)&gt;\""),
        "{}",
        posted.body
    );
    assert!(!posted.body.contains("<img"));
    // No invoice named; a dispute without a category; an address that is not one
    for (kind, fields, field) in [
        ("promise", &[("pay_by", "2026-03-20")][..], "promise-invoices"),
        (
            "dispute",
            &[("invoice", "A1"), ("text", "<script>x</script>")][..],
            "dispute-category",
        ),
        ("wrong_person", &[("email", "not an address")][..], "wrong_person-email"),
        ("confirm_receipt", &[("invoice", "B1")][..], "confirm_receipt-invoices"),
    ] {
        let posted = page.answer(kind, fields).await;
        assert_eq!(posted.status, StatusCode::UNPROCESSABLE_ENTITY, "{kind}");
        assert!(
            posted.body.contains(&format!("id=\"{field}-error\"")),
            "{kind}: {field} not marked"
        );
        assert!(!posted.body.contains("<script>x"), "typed text is escaped");
    }
    assert_eq!(page.snapshot().await, before, "nothing changed");
}

async fn cross_site_forged_and_oversize_posts_are_refused_and_change_nothing<S: Store + 'static>(store: S) {
    let page = page_with(store, Policy::default_policy()).await;
    let token = page.link("A");
    let path = format!("/c/{token}/answer");
    let (form, tag) = page.form_of(&token, "promise").await;
    let (b_form, b_tag) = page.form_of(&page.link("B"), "promise").await;
    let before = page.snapshot().await;
    let promise = |form: &str, tag: &str| -> Vec<(&'static str, String)> {
        promise(form, tag)
            .map(|(name, value)| (name, value.to_owned()))
            .to_vec()
    };
    type Owned<'a> = Vec<(&'a str, String)>;
    let refusals: Vec<(&str, Sender, Owned, StatusCode)> = vec![
        (
            "cross-site",
            Sender::Headers(&[("sec-fetch-site", "cross-site")]),
            promise(&form, &tag),
            StatusCode::FORBIDDEN,
        ),
        (
            "same-site, not same-origin",
            Sender::Headers(&[("sec-fetch-site", "same-site")]),
            promise(&form, &tag),
            StatusCode::FORBIDDEN,
        ),
        (
            "another origin",
            Sender::Headers(&[("origin", "https://evil.example")]),
            promise(&form, &tag),
            StatusCode::FORBIDDEN,
        ),
        (
            "a hidden origin alone",
            Sender::Headers(&[("origin", "null")]),
            promise(&form, &tag),
            StatusCode::FORBIDDEN,
        ),
        ("no tag", Sender::Page, promise(&form, ""), StatusCode::FORBIDDEN),
        ("no form value", Sender::Page, promise("", &tag), StatusCode::FORBIDDEN),
        (
            "another value's tag",
            Sender::Page,
            promise(&b_form, &tag),
            StatusCode::FORBIDDEN,
        ),
        (
            "B's page's form",
            Sender::Page,
            promise(&b_form, &b_tag),
            StatusCode::FORBIDDEN,
        ),
        (
            "a forged tag",
            Sender::Page,
            promise(&form, &tag.replace(&tag[..4], "AAAA")),
            StatusCode::FORBIDDEN,
        ),
        (
            "oversize",
            Sender::Page,
            {
                let mut fields = promise(&form, &tag);
                fields.push(("text", "x".repeat(17 * 1024)));
                fields
            },
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
    ];
    for (what, from, fields, expected) in refusals {
        let fields: Vec<(&str, &str)> = fields.iter().map(|(name, value)| (*name, value.as_str())).collect();
        let posted = page.post(&path, from, &fields).await;
        assert_eq!(posted.status, expected, "{what}: {}", posted.body);
        assert!(posted.body.contains("billing@northwind.example"), "{what}: the contact");
        for hidden in ["INV-", "Acme", "Customer B", "$100"] {
            assert!(!posted.body.contains(hidden), "{what}: {hidden} shown");
        }
    }
    // Not a form at all
    let response = client()
        .post(format!("{}{path}", page.base))
        .header("content-type", "application/json")
        .header("sec-fetch-site", "same-origin")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(page.snapshot().await, before, "nothing changed");
    // The same form from the page itself is taken, so the refusals above were for what they lacked
    let fields = promise(&form, &tag);
    let fields: Vec<(&str, &str)> = fields.iter().map(|(name, value)| (*name, value.as_str())).collect();
    assert_eq!(
        page.post(&path, Sender::Page, &fields).await.status,
        StatusCode::SEE_OTHER
    );
    // A browser that hides the origin of its own page's form (`Origin: null`) but says it is same-origin
    let (form, tag) = page.form_of(&token, "confirm_receipt").await;
    let receipt = [
        ("kind", "confirm_receipt"),
        ("form", &form),
        ("tag", &tag),
        ("invoice", "A1"),
    ];
    let own = Sender::Headers(&[("origin", "null"), ("sec-fetch-site", "same-origin")]);
    assert_eq!(page.post(&path, own, &receipt).await.status, StatusCode::SEE_OTHER);
}

async fn forged_links_cannot_answer<S: Store + 'static>(store: S) {
    use proptest::strategy::{Strategy, ValueTree};
    let page = page_with(store, Policy::default_policy()).await;
    let genuine = page.link("A");
    let (form, tag) = page.form_of(&genuine, "promise").await;
    let fields = promise(&form, &tag);
    let before = page.snapshot().await;
    let (_, _, polite) = page.open(&format!("/c/{}", &genuine[..20])).await;
    let strategy = forged_paths(
        genuine.clone(),
        page.token("A", now()),
        keys().sign(&CustomerId("Z".into()), &page.sent, now() + Duration::days(1)),
    );
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    for case in 0..300 {
        let path = format!("{}/answer", strategy.new_tree(&mut runner).unwrap().current());
        let posted = page.post(&path, Sender::Page, &fields).await;
        assert_eq!(
            (posted.status, posted.body.as_str()),
            (StatusCode::NOT_FOUND, polite.as_str()),
            "case {case}: {path}"
        );
    }
    assert_eq!(page.snapshot().await, before, "nothing changed");
    let posted = page.post(&format!("/c/{genuine}/answer"), Sender::Page, &fields).await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER, "the genuine link answers");
}

async fn too_many_answers_in_a_day_get_a_polite_refusal<S: Store + 'static>(store: S) {
    let mut policy = Policy::default_policy();
    policy.answers.per_customer_per_day = 2;
    let page = page_with(store, policy).await;
    for _ in 0..2 {
        let posted = page.answer("confirm_receipt", &[("invoice", "A1")]).await;
        assert_eq!(posted.status, StatusCode::SEE_OTHER);
    }
    let before = page.snapshot().await;
    let posted = page.answer("confirm_receipt", &[("invoice", "A1")]).await;
    assert_eq!(posted.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(posted.body.contains("We have your answers") && posted.body.contains("billing@northwind.example"));
    assert_eq!(page.snapshot().await, before, "nothing changed");
}

async fn a_german_customer_answers_in_german<S: Store + 'static>(store: S) {
    let page = page_with(store, Policy::default_policy()).await;
    let token = page.link("B");
    let (_, _, html) = page.open(&format!("/c/{token}")).await;
    assert!(html.contains("<html lang=\"de\">"));
    for german in [
        "Ihre Antwort",
        "Ich zahle bis zu einem Datum",
        "Welche Rechnungen?",
        "Senden",
        "Bitte wählen",
    ] {
        assert!(html.contains(german), "{german} missing");
    }
    for english in [
        "Answer us",
        "Which invoices?",
        ">Send<",
        "What you told us",
        "Please choose",
    ] {
        assert!(!html.contains(english), "{english} on a German page");
    }
    // A day out of range is explained in German, with German dates
    let posted = page
        .answer_as("B", "promise", &[("invoice", "B1"), ("pay_by", "2026-09-01")])
        .await;
    assert_eq!(posted.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        posted
            .body
            .contains("Bitte wählen Sie einen Tag vom 15. März 2026 bis zum 14. April 2026."),
        "{}",
        posted.body
    );
    let posted = page
        .answer_as("B", "promise", &[("invoice", "B1"), ("pay_by", "2026-03-27")])
        .await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER);
    let (_, _, html) = page.open(&posted.location.unwrap()).await;
    assert!(html.contains("Vielen Dank, Ihre Antwort ist bei uns eingegangen."));
    assert!(html.contains("Bis zum 27. März 2026 senden wir zu Rechnung INV-B1 keine Erinnerungen."));
    assert!(html.contains("Zahlungszusage") && html.contains("Bis zum 27. März 2026 keine Erinnerungen"));
}
