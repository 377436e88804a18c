//! The page behind an authorizer, end to end in a real headless Chromium: it signs staff in at a hosted
//! sign-in (OAuth 2 code flow with PKCE, as Cognito's hosted UI speaks it) and sends the ID token as a
//! Bearer token. Two stand-ins on 127.0.0.1 play AWS's parts: a sign-in service that checks the PKCE proof
//! and issues tokens, and, in front of the router, the HTTP API's JWT authorizer, which turns a token it
//! issued into the verified approver (what `kindly-approvals` reads from the authorizer's claims).
//! Driven by tests/browser/hosted-sign-in.mjs; needs `KINDLY_CHROMIUM` like tests/browser.rs.

use axum::extract::{Query, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use kindly_core::{Policy, ReminderId, Store};
use kindly_local::sqlite_store::SqliteStore;
use kindly_web::{Access, App, Approver, HostedSignIn};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

mod common;

const CLIENT_ID: &str = "pageclient42";
const EMAIL: &str = "finance.lead@example.com";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The hosted sign-in's stand-in: codes bound to their PKCE challenge and callback, and the tokens issued.
#[derive(Default)]
struct SignInService {
    page_origin: Mutex<String>,
    codes: Mutex<HashMap<String, (String, String)>>,
    tokens: Mutex<HashSet<String>>,
    authorize_calls: AtomicUsize,
    token_calls: AtomicUsize,
}

#[derive(Deserialize)]
struct AuthorizeQuery {
    response_type: String,
    client_id: String,
    redirect_uri: String,
    scope: String,
    state: String,
    code_challenge: String,
    code_challenge_method: String,
}

async fn authorize(State(service): State<Arc<SignInService>>, Query(query): Query<AuthorizeQuery>) -> Response {
    service.authorize_calls.fetch_add(1, Ordering::SeqCst);
    let expected_callback = format!("{}/", service.page_origin.lock().unwrap());
    let well_formed = query.response_type == "code"
        && query.client_id == CLIENT_ID
        && query.redirect_uri == expected_callback
        && query.scope.split(' ').any(|scope| scope == "openid")
        && query.code_challenge_method == "S256"
        && query.code_challenge.len() == 43
        && !query.state.is_empty();
    if !well_formed {
        return (StatusCode::BAD_REQUEST, "malformed authorization request").into_response();
    }
    let code = kindly_web::access::random_token();
    service
        .codes
        .lock()
        .unwrap()
        .insert(code.clone(), (query.code_challenge, query.redirect_uri.clone()));
    Redirect::to(&format!("{}?code={code}&state={}", query.redirect_uri, query.state)).into_response()
}

#[derive(Deserialize)]
struct TokenForm {
    grant_type: String,
    client_id: String,
    code: String,
    redirect_uri: String,
    code_verifier: String,
}

async fn token(State(service): State<Arc<SignInService>>, Form(form): Form<TokenForm>) -> Response {
    service.token_calls.fetch_add(1, Ordering::SeqCst);
    let cors = [(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        service.page_origin.lock().unwrap().clone(),
    )];
    let issued = service.codes.lock().unwrap().remove(&form.code);
    let proof = URL_SAFE_NO_PAD.encode(Sha256::digest(form.code_verifier.as_bytes()));
    let valid = form.grant_type == "authorization_code"
        && form.client_id == CLIENT_ID
        && issued.is_some_and(|(challenge, callback)| challenge == proof && callback == form.redirect_uri);
    if !valid {
        return (
            StatusCode::BAD_REQUEST,
            cors,
            Json(serde_json::json!({"error": "invalid_grant"})),
        )
            .into_response();
    }
    let id_token = kindly_web::access::random_token();
    service.tokens.lock().unwrap().insert(id_token.clone());
    let answer = serde_json::json!({"id_token": id_token, "access_token": "unused", "expires_in": 3600,
                                    "token_type": "Bearer"});
    (cors, Json(answer)).into_response()
}

/// The HTTP API's JWT authorizer: `/api/` only with a token the sign-in issued, whose verified identity the
/// router then sees; everything else passes (the page shell, its assets and `/auth/config` are public).
async fn authorizer(State(service): State<Arc<SignInService>>, mut request: Request, next: Next) -> Response {
    if request.uri().path().starts_with("/api/") {
        let known = bearer(request.headers()).is_some_and(|token| service.tokens.lock().unwrap().contains(token));
        if !known {
            return (
                StatusCode::UNAUTHORIZED,
                Json(serde_json::json!({"message": "Unauthorized"})),
            )
                .into_response();
        }
        request.extensions_mut().insert(Approver(EMAIL.into()));
        request.extensions_mut().insert(kindly_web::Granted::staff());
    }
    next.run(request).await
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
}

async fn listen(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(axum::serve(listener, router).into_future());
    origin
}

#[tokio::test]
async fn staff_sign_in_at_the_hosted_sign_in_and_approve_with_a_bearer_token() {
    let chromium = common::chromium();
    let dir = tempfile::tempdir().unwrap();
    let demo = common::kindly(dir.path())
        .args(["demo", "--today", "2026-11-24"])
        .output()
        .unwrap();
    assert!(demo.status.success(), "{}", String::from_utf8_lossy(&demo.stderr));

    let service = Arc::new(SignInService::default());
    let sign_in_origin = listen(
        Router::new()
            .route("/oauth2/authorize", get(authorize))
            .route("/oauth2/token", post(token))
            .route("/logout", get(|| async { "signed out" }))
            .with_state(service.clone()),
    )
    .await;
    let store = SqliteStore::open(&dir.path().join("kindly.db")).unwrap();
    let mut app = App::new(store, Policy::default_policy(), Access::Verified);
    app.sign_in = Some(HostedSignIn::new(&sign_in_origin, CLIENT_ID).unwrap());
    let app = Arc::new(app);
    let page = kindly_web::router(app.clone()).layer(middleware::from_fn_with_state(service.clone(), authorizer));
    let base = listen(page).await;
    *service.page_origin.lock().unwrap() = base.clone();

    let screenshots = repo().join("target/browser-screenshots");
    let driven = tokio::process::Command::new("node")
        .arg(repo().join("tests/browser/hosted-sign-in.mjs"))
        .args(["--base", &base, "--sign-in", &sign_in_origin, "--screenshots"])
        .arg(&screenshots)
        .env("KINDLY_CHROMIUM", chromium)
        .output()
        .await
        .expect("run node");
    let stdout = String::from_utf8_lossy(&driven.stdout);
    assert!(
        driven.status.success(),
        "the hosted sign-in run failed (screenshots in {}):\n{}\n{stdout}",
        screenshots.display(),
        String::from_utf8_lossy(&driven.stderr)
    );
    let result: serde_json::Value = serde_json::from_str(stdout.trim().lines().last().unwrap()).unwrap();

    // The approval names the identity the authorizer verified, and the sign-in ran exactly as often as it should:
    // once at first, none on reload, once more after the token was refused.
    let approved = app
        .store
        .reminder(&ReminderId(result["approved"].as_str().unwrap().into()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        approved.approval.map(|approval| approval.by),
        Some(kindly_core::actor::Actor::person(EMAIL))
    );
    assert_eq!(service.authorize_calls.load(Ordering::SeqCst), 2);
    assert_eq!(
        service.token_calls.load(Ordering::SeqCst),
        2,
        "a forged answer never reaches the token endpoint"
    );
}
