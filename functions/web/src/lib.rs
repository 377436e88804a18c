//! The approval page and its JSON API: one axum router, served by the `approvals` Lambda and by
//! `kindly serve`. Handlers are thin: the core's services do the work, the core's store keeps the state.

pub mod access;
mod api;
mod assets;
pub mod customer_page;
mod dossier;
pub mod error;
pub mod failed;
pub mod plans;
mod reasons_chart;
mod reports;
mod reports_chart;
pub mod staff;
pub mod stripe;
mod webhook;
pub mod wire;

pub use access::{Access, Approver, Granted, HostedSignIn, LocalLogin, Scope};
pub use assets::RENDERER_FILES;
pub use error::WebError;
pub use webhook::{DEFAULT_TOLERANCE_SECS, StripeWebhook};

use axum::Router;
use axum::extract::{Query, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post, put};
use axum_extra::extract::cookie::CookieJar;
use chrono::{DateTime, Utc};
use kindly_core::{Policy, Store};
use std::sync::Arc;

/// What every handler shares: the store, the policy, who may come in, and the clock.
pub struct App<S> {
    pub store: S,
    pub policy: Policy,
    pub access: Access,
    pub clock: fn() -> DateTime<Utc>,
    /// `POST /webhooks/stripe`, when configured.
    pub webhook: Option<StripeWebhook>,
    /// Where the page signs staff in behind an authorizer (with [`Access::Verified`]).
    pub sign_in: Option<HostedSignIn>,
    /// The keys of customers' page links (`GET /c/{token}`); without them every link opens nothing.
    pub customer_links: Option<kindly_core::link::LinkKeys>,
    /// The domain the sent messages' Message-IDs name, for a dossier's messages rendered again: by default
    /// the policy's first sender's, as the SES mailer names them.
    pub message_id_domain: String,
}

type AppState<S> = State<Arc<App<S>>>;

impl<S: Store + 'static> App<S> {
    pub fn new(store: S, policy: Policy, access: Access) -> App<S> {
        App {
            store,
            access,
            clock: Utc::now,
            webhook: None,
            sign_in: None,
            customer_links: None,
            message_id_domain: kindly_mail::message_id_domain(&policy),
            policy,
        }
    }
}

/// Every route of the page and its API.
pub fn router<S: Store + 'static>(app: Arc<App<S>>) -> Router {
    let staff = Router::new()
        .route("/session", get(api::session))
        .route("/drafts", get(api::drafts::<S>))
        .route("/drafts/approve-all", post(api::approve_all::<S>))
        .route("/drafts/{id}", get(api::draft::<S>))
        .route("/drafts/{id}/check", post(api::check::<S>))
        .route("/drafts/{id}/approve", post(api::approve::<S>))
        .route("/drafts/{id}/skip", post(api::skip::<S>))
        .route("/drafts/{id}/snooze", post(api::snooze::<S>))
        .route("/customers/{id}/history", get(api::customer_history::<S>))
        .route("/failed", get(failed::failed::<S>))
        .route("/reminders/{id}/resolve", post(failed::resolve::<S>))
        .route("/tasks", get(staff::tasks::<S>))
        .route("/tasks/{id}", post(staff::do_task::<S>))
        .route("/customers/{id}/timeline", get(staff::timeline::<S>))
        .route("/customers/{id}/dossier", get(dossier::dossier::<S>))
        .route("/customers/{id}/plans", get(plans::list::<S>).post(plans::create::<S>))
        .route("/reports/reasons", get(staff::reasons::<S>))
        .route("/reports/reasons.svg", get(staff::reasons_chart::<S>))
        .route("/reports/receivables", get(reports::receivables::<S>))
        .route("/reports/receivables.svg", get(reports::receivables_chart::<S>))
        .route("/reports/aging", get(reports::aging::<S>))
        .route("/reports/receipts", get(reports::receipts::<S>))
        .route_layer(middleware::from_fn_with_state(Scope::Staff, access::require_scope));
    let ingest = Router::new()
        .route("/customers/{id}", put(api::put_customer::<S>))
        .route("/invoices/{id}", put(api::put_invoice::<S>))
        .route_layer(middleware::from_fn_with_state(Scope::Ingest, access::require_scope));
    let api = staff
        .merge(ingest)
        .layer(middleware::from_fn(access::same_site_writes))
        .route_layer(middleware::from_fn_with_state(app.clone(), require_api_approver::<S>))
        .layer(middleware::from_fn(no_store));
    let page = Router::new().route("/", get(assets::page));
    let page = match app.access {
        // Locally the page itself is for signed-in staff; behind the authorizer it is a public shell
        // (no data) and its API calls carry the caller's token.
        Access::Local(_) => page.route_layer(middleware::from_fn_with_state(app.clone(), require_page_approver::<S>)),
        Access::Verified => page,
    };
    let policy = content_security_policy(app.sign_in.as_ref());
    Router::new()
        .merge(page)
        .nest("/api", api)
        .route("/assets/{name}", get(assets::asset))
        .route("/auth/config", get(auth_config::<S>))
        .route("/login", get(login::<S>))
        .route("/webhooks/stripe", post(webhook::stripe::<S>))
        .fallback(|| async { (StatusCode::NOT_FOUND, "not found") })
        .layer(middleware::from_fn_with_state(policy, security_headers))
        // Outside the staff page's sign-in and headers, like the webhook: a customer's page has its own.
        .merge(customer_page::routes::<S>())
        .with_state(app)
}

/// How the page signs in: `local` (the session cookie from `kindly serve`'s link), `hosted` (with what the
/// page needs for the hosted sign-in), or `verified` (something in front of the router signs people in).
async fn auth_config<S: Store + 'static>(State(app): AppState<S>) -> Response {
    let config = match (&app.access, &app.sign_in) {
        (Access::Local(_), _) => serde_json::json!({"mode": "local"}),
        (Access::Verified, Some(sign_in)) => sign_in.page_config(),
        (Access::Verified, None) => serde_json::json!({"mode": "verified"}),
    };
    ([(header::CACHE_CONTROL, "no-store")], axum::Json(config)).into_response()
}

/// Let an API request through only with a verified approver, which handlers then receive as an extension;
/// otherwise a JSON 401.
async fn require_api_approver<S: Store + 'static>(
    State(app): AppState<S>,
    mut request: Request,
    next: Next,
) -> Response {
    match attach_approver(&app, &mut request) {
        true => next.run(request).await,
        false => WebError::Unauthenticated.into_response(),
    }
}

/// The same for the page itself: a stranger gets a page saying how to sign in.
async fn require_page_approver<S: Store + 'static>(
    State(app): AppState<S>,
    mut request: Request,
    next: Next,
) -> Response {
    match attach_approver(&app, &mut request) {
        true => next.run(request).await,
        false => (StatusCode::UNAUTHORIZED, Html(assets::SIGN_IN_FIRST)).into_response(),
    }
}

/// Attach the request's verified approver and scopes to it; false when it proves none.
fn attach_approver<S: Store + 'static>(app: &App<S>, request: &mut Request) -> bool {
    let Some((approver, granted)) = app.access.approver(request) else {
        return false;
    };
    request.extensions_mut().insert(approver);
    request.extensions_mut().insert(granted);
    true
}

#[derive(serde::Deserialize)]
struct LoginQuery {
    token: String,
}

/// `kindly serve`'s one-time link: the token becomes a session cookie, once.
async fn login<S: Store + 'static>(
    State(app): AppState<S>,
    jar: CookieJar,
    query: Result<Query<LoginQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Access::Local(login) = &app.access else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    match query.ok().and_then(|Query(query)| login.redeem(&query.token)) {
        Some(session) => (jar.add(access::session_cookie(session)), Redirect::to("/")).into_response(),
        None => (StatusCode::UNAUTHORIZED, Html(assets::LINK_SPENT)).into_response(),
    }
}

/// The policy that keeps the page to its own scripts (see the README for why inline styles are allowed); the
/// page may also fetch tokens from the hosted sign-in, when there is one.
fn content_security_policy(sign_in: Option<&HostedSignIn>) -> HeaderValue {
    let connect = match sign_in {
        Some(sign_in) => format!("'self' {}", sign_in.origin()),
        None => "'self'".to_owned(),
    };
    let policy = format!(
        "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data:; connect-src {connect}; frame-src 'self'; base-uri 'none'; form-action 'none'; \
         frame-ancestors 'none'"
    );
    HeaderValue::from_str(&policy).expect("HostedSignIn::new admits only header-safe origins")
}

async fn security_headers(State(policy): State<HeaderValue>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, policy);
    for (name, value) in [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_FRAME_OPTIONS, "DENY"),
        // Cross-origin isolation: no other site's window or resource shares the page's process, and
        // the browser's clock is precise enough to time a render.
        (
            header::HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
        (
            header::HeaderName::from_static("cross-origin-embedder-policy"),
            "require-corp",
        ),
        (
            header::HeaderName::from_static("cross-origin-resource-policy"),
            "same-origin",
        ),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

async fn no_store(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
