//! `GET /c/{token}`: the customer's own page, opened from the signed link in a message (see
//! [`kindly_core::link`]), and `POST /c/{token}/answer`, the answers given on it ([`post`]). No login and
//! no script: server-rendered HTML and plain forms, every value escaped by the template engine, the only
//! style allowed by its hash. A link that opens nothing — unreadable, tampered, expired, or naming a
//! customer the store does not know — gets the same polite page with the billing contact and nothing
//! else, with the same status, whatever the reason; the reason goes to the log only.

mod answer_form;
mod answer_words;
mod answers_view;
mod plan_form;
mod plan_words;
mod post;
mod statement;
mod words;

pub use statement::{ContactView, Statement, statement};
pub use words::Words;

use crate::App;
use answers_view::{Confirmation, EarlierRow, Failed, FormView, FormsInput};
use axum::Router;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Path, Query, Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use chrono::{DateTime, NaiveDate, Utc};
use kindly_core::answer::Answer;
use kindly_core::compose::message_language;
use kindly_core::instalments::PaymentPlan;
use kindly_core::link::{LinkRefused, MAX_TOKEN_CHARS};
use kindly_core::{CoreError, Customer, Invoice, Reminder, ReminderId, Store};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::sync::{Arc, OnceLock};

/// The answers are short forms: a dispute's text at its longest, in four-byte characters and
/// percent-encoded, is well inside this.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// The page's only style, allowed by its hash in the Content-Security-Policy.
const STYLE: &str = include_str!("../templates/customer_page.css");

/// The customer page's routes, with their own headers (they sit outside the staff page's).
pub fn routes<S: Store + 'static>() -> Router<Arc<App<S>>> {
    Router::new()
        .route("/c/{token}", get(page::<S>))
        .route("/c/{token}/answer", post(post::answer::<S>))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn(headers))
}

/// Why a link opens nothing: for the log, never for the visitor.
#[derive(Debug, thiserror::Error)]
enum Closed {
    #[error("no link keys are configured")]
    NoKeys,
    #[error("the token is missing or longer than {MAX_TOKEN_CHARS} characters")]
    NotAToken,
    #[error(transparent)]
    Link(#[from] LinkRefused),
    #[error("the link names customer `{0}`, whom the store does not know")]
    UnknownCustomer(String),
}

/// What a genuine link opens: the customer and everything of theirs the page shows.
struct Opened {
    token: String,
    /// The message the link was written into.
    via: ReminderId,
    customer: Customer,
    invoices: Vec<Invoice>,
    reminders: Vec<Reminder>,
    answers: Vec<Answer>,
    plans: Vec<PaymentPlan>,
    /// The customer's local day.
    today: NaiveDate,
}

impl Opened {
    fn language(&self) -> &'static str {
        message_language(&self.customer.locale)
    }

    fn words(&self) -> &'static Words {
        Words::of(self.language())
    }
}

#[derive(Deserialize)]
struct PageQuery {
    /// The answer just given (after a post, redirected here): the page confirms it.
    answered: Option<String>,
    /// The payment plan just asked for: the page says whether it is agreed.
    plan: Option<String>,
}

async fn page<S: Store + 'static>(
    State(app): State<Arc<App<S>>>,
    token: Result<Path<String>, PathRejection>,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> Response {
    let now = (app.clock)();
    let opened = match open_or_refuse(&app, token, now).await {
        Ok(opened) => opened,
        Err(refusal) => return refusal,
    };
    // Only an answer or plan of this customer's is confirmed; any other id is as if none were given.
    let query = query.ok().map(|Query(query)| query);
    let answered = query
        .as_ref()
        .and_then(|query| query.answered.as_ref())
        .and_then(|id| opened.answers.iter().find(|answer| answer.id.0 == *id));
    let planned = query
        .as_ref()
        .and_then(|query| query.plan.as_ref())
        .and_then(|id| opened.plans.iter().find(|plan| plan.id.0 == *id));
    let confirmation = answered
        .map(|answer| {
            answers_view::confirmation(
                opened.words().answers,
                answer,
                &opened.invoices,
                &opened.customer.locale,
            )
        })
        .or_else(|| {
            planned
                .map(|plan| plan_form::confirmation(plan, plan_words::of(opened.language()), &opened.customer.locale))
        });
    show(&app, &opened, StatusCode::OK, None, confirmation)
}

/// The whole page for `opened`, with `failed` (a form sent with a problem) shown open and marked, or a
/// `confirmation` of the answer just given.
#[derive(Serialize)]
struct PageView {
    #[serde(flatten)]
    statement: Statement,
    action: String,
    forms: Vec<FormView>,
    failed: Option<&'static str>,
    confirmation: Option<Confirmation>,
    earlier: Vec<EarlierRow>,
    plans: Vec<plan_form::PlanView>,
    plan_words: &'static plan_words::PlanWords,
}

fn show<S>(
    app: &App<S>,
    opened: &Opened,
    status: StatusCode,
    failed: Option<&Failed>,
    confirmation: Option<Confirmation>,
) -> Response {
    let Some(keys) = &app.customer_links else {
        return unavailable(app, "no link keys");
    };
    let customer = &opened.customer;
    let statement = statement(&app.policy, customer, &opened.invoices, &opened.reminders, opened.today);
    let words = statement.words.answers;
    let owed = statement::owed(&opened.invoices);
    let via = opened.reminders.iter().find(|reminder| reminder.id == opened.via);
    let mut ticked: BTreeSet<_> = owed
        .iter()
        .filter(|invoice| via.is_some_and(|via| via.covers.iter().any(|c| c.invoice_id == invoice.id)))
        .map(|invoice| invoice.id.clone())
        .collect();
    if let ([only], true) = (owed.as_slice(), ticked.is_empty()) {
        ticked.insert(only.id.clone());
    }
    let input = FormsInput {
        policy: &app.policy,
        words,
        locale: &customer.locale,
        owed: &owed,
        ticked: &ticked,
        today: opened.today,
        token: &opened.token,
        keys,
        failed,
    };
    let mut forms = answers_view::forms(&input);
    let plan_words = plan_words::of(opened.language());
    forms.extend(plan_form::form(&input, plan_words));
    let view = PageView {
        action: format!("/c/{}/answer", opened.token),
        forms,
        failed: failed.map(|failed| failed.fields.kind.as_str()).and_then(|kind| {
            (answer_form::KINDS.iter().copied())
                .chain([plan_form::KIND])
                .find(|known| *known == kind)
        }),
        confirmation,
        earlier: answers_view::earlier(words, &opened.answers, &opened.invoices, &customer.locale),
        plans: plan_form::plans(
            &opened.plans,
            &opened.invoices,
            plan_words,
            &customer.locale,
            opened.today,
        ),
        plan_words,
        statement,
    };
    match render("customer_page.html", &view) {
        Ok(html) => (status, Html(html)).into_response(),
        Err(error) => unavailable(app, &error.to_string()),
    }
}

/// What the link opens, or the page to answer with when it opens nothing (or the store fails).
async fn open_or_refuse<S: Store>(
    app: &App<S>,
    token: Result<Path<String>, PathRejection>,
    now: DateTime<Utc>,
) -> Result<Opened, Response> {
    match open(app, token.ok().map(|Path(token)| token), now).await {
        Ok(Ok(opened)) => Ok(opened),
        Ok(Err(closed)) => Err(refused(app, &closed)),
        Err(error) => Err(unavailable(app, &error.to_string())),
    }
}

/// What `token` opens, or why it opens nothing; a store failure is an error of its own.
async fn open<S: Store>(
    app: &App<S>,
    token: Option<String>,
    now: DateTime<Utc>,
) -> Result<Result<Opened, Closed>, CoreError> {
    let Some(keys) = &app.customer_links else {
        return Ok(Err(Closed::NoKeys));
    };
    let Some(token) = token.filter(|token| token.len() <= MAX_TOKEN_CHARS) else {
        return Ok(Err(Closed::NotAToken));
    };
    let target = match keys.verify(&token, now) {
        Ok(target) => target,
        Err(refused) => return Ok(Err(refused.into())),
    };
    let Some(customer) = app.store.customer(&target.customer).await? else {
        return Ok(Err(Closed::UnknownCustomer(target.customer.0)));
    };
    Ok(Ok(Opened {
        invoices: app.store.invoices_of_customer(&customer.id).await?,
        reminders: app.store.reminders_of_customer(&customer.id).await?,
        answers: app.store.answers_of_customer(&customer.id).await?,
        plans: app.store.plans_of_customer(&customer.id).await?,
        today: now.with_timezone(&customer.time_zone).date_naive(),
        token,
        via: target.reminder,
        customer,
    }))
}

/// The answer to a link that opens nothing: the same for every reason, which goes to the log.
fn refused<S>(app: &App<S>, closed: &Closed) -> Response {
    tracing::info!(reason = %closed, "customer link opened nothing");
    closed_page(app, StatusCode::NOT_FOUND, Words::of("en"), |words| {
        (words.refused_title, words.refused_body)
    })
}

fn unavailable<S>(app: &App<S>, error: &str) -> Response {
    tracing::error!(error = %error, "customer page failed");
    closed_page(app, StatusCode::SERVICE_UNAVAILABLE, Words::of("en"), |words| {
        (words.unavailable_title, words.unavailable_body)
    })
}

#[derive(Serialize)]
struct ClosedView {
    words: &'static Words,
    contact: ContactView,
    title: &'static str,
    body: &'static str,
}

/// A page that shows nothing of any customer: the company's billing contact and `text`, in `words`'
/// language (English for a link that opens nothing: it names no customer, so no language either).
fn closed_page<S>(
    app: &App<S>,
    status: StatusCode,
    words: &'static Words,
    text: impl Fn(&'static Words) -> (&'static str, &'static str),
) -> Response {
    let (title, body) = text(words);
    let view = ClosedView {
        words,
        contact: ContactView::of(&app.policy),
        title,
        body,
    };
    match render("link_refused.html", &view) {
        Ok(html) => (status, Html(html)).into_response(),
        // Only the shipped templates over plain strings: tested, so this is not expected.
        Err(_) => (status, "Please contact us.").into_response(),
    }
}

fn engine() -> &'static tera::Tera {
    static ENGINE: OnceLock<tera::Tera> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let mut tera = tera::Tera::new();
        tera.autoescape_on([".html"]);
        tera.add_raw_templates([
            ("customer_page.html", include_str!("../templates/customer_page.html")),
            ("link_refused.html", include_str!("../templates/link_refused.html")),
            ("contact.html", include_str!("../templates/contact.html")),
            ("answers.html", include_str!("../templates/answers.html")),
            ("layout.html", include_str!("../templates/layout.html")),
        ])
        .expect("the customer page's templates parse (tested)");
        tera
    })
}

fn render(template: &str, view: &impl Serialize) -> Result<String, tera::Error> {
    let mut values = tera::Context::from_serialize(view)?;
    values.insert("style", STYLE);
    engine().render(template, &values)
}

/// The Content-Security-Policy: nothing but the page's own style, found by its hash; no script at all, no
/// frames, no form posting elsewhere.
fn content_security_policy() -> &'static HeaderValue {
    static POLICY: OnceLock<HeaderValue> = OnceLock::new();
    POLICY.get_or_init(|| {
        let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(STYLE.as_bytes()));
        HeaderValue::from_str(&format!(
            "default-src 'none'; style-src 'sha256-{hash}'; img-src 'none'; base-uri 'none'; form-action 'self'; \
             frame-ancestors 'none'"
        ))
        .expect("a hash is header-safe")
    })
}

/// Headers for a page that holds one customer's account: never cached, never named in a referrer to
/// another site (the token is in the address; `same-origin` rather than `no-referrer`, so that the
/// browser still sends the page's own origin with its forms), never framed, never indexed.
async fn headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, content_security_policy().clone());
    for (name, value) in [
        (header::CACHE_CONTROL, "no-store"),
        (header::REFERRER_POLICY, "same-origin"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (HeaderName::from_static("x-robots-tag"), "noindex, nofollow"),
        (HeaderName::from_static("cross-origin-opener-policy"), "same-origin"),
        (HeaderName::from_static("cross-origin-resource-policy"), "same-origin"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_style_block_is_exactly_what_the_policy_allows() {
        let policy = content_security_policy().to_str().unwrap();
        let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(STYLE.as_bytes()));
        assert!(policy.contains(&format!("style-src 'sha256-{hash}'")), "{policy}");
        assert!(
            !policy.contains("script-src") && policy.starts_with("default-src 'none'"),
            "{policy}"
        );
        let page = render(
            "link_refused.html",
            &ClosedView {
                words: Words::of("en"),
                contact: ContactView::of(&kindly_core::Policy::default_policy()),
                title: "t",
                body: "b",
            },
        )
        .unwrap();
        assert!(
            page.contains(&format!("<style>{STYLE}</style>")),
            "the hashed text, unescaped"
        );
        assert!(!page.contains("<script"));
    }
}
