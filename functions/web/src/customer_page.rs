//! `GET /c/{token}`: the customer's own page, opened from the signed link in a message (see
//! [`kindly_core::link`]). No login and no script: server-rendered HTML, every value escaped by the
//! template engine, the only style allowed by its hash. A link that opens nothing — unreadable, tampered,
//! expired, or naming a customer the store does not know — gets the same polite page with the billing
//! contact and nothing else, with the same status, whatever the reason; the reason goes to the log only.
//! Read-only: nothing a visitor sends changes anything.

mod statement;
mod words;

pub use statement::{ContactView, Statement, statement};
pub use words::Words;

use crate::App;
use axum::Router;
use axum::extract::rejection::PathRejection;
use axum::extract::{DefaultBodyLimit, Path, Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use base64::Engine;
use chrono::{DateTime, Utc};
use kindly_core::link::{LinkRefused, MAX_TOKEN_CHARS};
use kindly_core::{CoreError, Store};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::sync::{Arc, OnceLock};

/// The page takes no body today; the answers to come are short forms.
const MAX_BODY_BYTES: usize = 4 * 1024;

/// The page's only style, allowed by its hash in the Content-Security-Policy.
const STYLE: &str = include_str!("../templates/customer_page.css");

/// The customer page's route, with its own headers (it sits outside the staff page's).
pub fn routes<S: Store + 'static>() -> Router<Arc<App<S>>> {
    Router::new()
        .route("/c/{token}", get(page::<S>))
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

async fn page<S: Store + 'static>(
    State(app): State<Arc<App<S>>>,
    token: Result<Path<String>, PathRejection>,
) -> Response {
    let now = (app.clock)();
    match open(&app, token.ok().map(|Path(token)| token), now).await {
        Ok(Ok(statement)) => match render("customer_page.html", &statement) {
            Ok(html) => (StatusCode::OK, Html(html)).into_response(),
            Err(error) => unavailable(&app, &error.to_string()),
        },
        Ok(Err(closed)) => {
            tracing::info!(reason = %closed, "customer link opened nothing");
            closed_page(&app, StatusCode::NOT_FOUND, |words| {
                (words.refused_title, words.refused_body)
            })
        }
        Err(error) => unavailable(&app, &error.to_string()),
    }
}

/// The statement a token opens, or why it opens none; a store failure is an error of its own.
async fn open<S: Store>(
    app: &App<S>,
    token: Option<String>,
    now: DateTime<Utc>,
) -> Result<Result<Statement, Closed>, CoreError> {
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
    let invoices = app.store.invoices_of_customer(&customer.id).await?;
    let reminders = app.store.reminders_of_customer(&customer.id).await?;
    let today = now.with_timezone(&customer.time_zone).date_naive();
    Ok(Ok(statement(&app.policy, &customer, &invoices, &reminders, today)))
}

fn unavailable<S>(app: &App<S>, error: &str) -> Response {
    tracing::error!(error = %error, "customer page failed");
    closed_page(app, StatusCode::SERVICE_UNAVAILABLE, |words| {
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

/// The page that shows nothing of any customer: the company's billing contact, in English (a link that
/// opens nothing names no customer, so no language either).
fn closed_page<S>(app: &App<S>, status: StatusCode, text: impl Fn(&Words) -> (&'static str, &'static str)) -> Response {
    let words = Words::of("en");
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

/// Headers for a page that holds one customer's account: never cached, never named in a referrer (the
/// token is in the address), never framed, never indexed.
async fn headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, content_security_policy().clone());
    for (name, value) in [
        (header::CACHE_CONTROL, "no-store"),
        (header::REFERRER_POLICY, "no-referrer"),
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
