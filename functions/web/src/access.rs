//! Who may use the page, and cross-site protection for every state change.
//!
//! Locally, `kindly serve` prints a one-time login link; its token becomes a random session id in an
//! HttpOnly, SameSite=Strict cookie. On AWS the HTTP API's JWT authorizer verifies the caller before the
//! Lambda runs, and the Lambda's adapter hands the router the verified approver as an [`Approver`]
//! request extension. Either way every API route sees an [`Approver`] or answers 401.
//!
//! Each API route also needs a [`Scope`]: staff review drafts, an accounting system writes customers and
//! invoices. On AWS the gateway's authorizers keep each kind of token to its routes; the router checks the
//! scopes the caller proved ([`Granted`]) again, so that a route wired to the wrong authorizer still lets
//! neither kind do the other's work. Locally the one signed-in person has both.

use crate::error::WebError;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::Response;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use std::collections::HashSet;
use std::sync::Mutex;
use subtle::ConstantTimeEq;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "kindly_session";

/// The verified identity of the person using the page; recorded with every approval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approver(pub String);

/// What a caller may do through the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// A person on the staff: the drafts, their review, a customer's history.
    Staff,
    /// An accounting system: `PUT /api/customers/{id}` and `PUT /api/invoices/{id}`.
    Ingest,
}

/// The scopes a request proved: a request extension beside the [`Approver`], put there by whatever
/// verified the caller. A request without one may do nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Granted(pub Vec<Scope>);

impl Granted {
    pub fn staff() -> Granted {
        Granted(vec![Scope::Staff])
    }

    pub fn ingest() -> Granted {
        Granted(vec![Scope::Ingest])
    }
}

/// Let the request through only if it proved `scope`; otherwise 403, naming what the route is for.
pub async fn require_scope(State(scope): State<Scope>, request: Request, next: Next) -> Result<Response, WebError> {
    let granted = request
        .extensions()
        .get::<Granted>()
        .is_some_and(|granted| granted.0.contains(&scope));
    if !granted {
        return Err(WebError::Forbidden(match scope {
            Scope::Staff => "this route is for staff; this token is not a staff member's",
            Scope::Ingest => "only an accounting system's token (scope kindly/ingest) may write customers and invoices",
        }));
    }
    Ok(next.run(request).await)
}

/// How callers prove who they are.
pub enum Access {
    /// `kindly serve`: a one-time login token, then a session cookie.
    Local(LocalLogin),
    /// Behind an authorizer that has verified the caller: the adapter inserts the [`Approver`] and the
    /// [`Granted`] scopes.
    Verified,
}

/// Where the page signs staff in when an authorizer guards the API: a hosted sign-in (Cognito's hosted UI)
/// speaking OAuth 2's authorization-code flow with PKCE. The page gets an ID token there and sends it as a
/// Bearer token; the authorizer, not this router, verifies it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostedSignIn {
    /// The sign-in's origin, e.g. `https://kindly-prod.auth.eu-west-1.amazoncognito.com`.
    origin: String,
    client_id: String,
}

impl HostedSignIn {
    /// `domain` is the hosted sign-in's origin (`https://…`, or plain `http://` on 127.0.0.1 for tests);
    /// `client_id` the app client the page signs in as.
    pub fn new(domain: &str, client_id: &str) -> Result<HostedSignIn, WebError> {
        let origin = domain.trim().trim_end_matches('/');
        let secure = origin.starts_with("https://") || origin.starts_with("http://127.0.0.1:");
        let host = origin.split_once("://").map_or("", |(_, host)| host);
        if !secure || host.is_empty() || host.contains(['/', '?', '#', '@', ' ', '\'', '"']) {
            return Err(WebError::Config(format!(
                "the sign-in domain must be an https:// origin without a path, e.g. \
                 https://NAME.auth.REGION.amazoncognito.com; got `{domain}`"
            )));
        }
        let client_id = client_id.trim();
        if client_id.is_empty() || !client_id.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(WebError::Config(format!(
                "the sign-in client id must be letters and digits; got `{client_id}`"
            )));
        }
        Ok(HostedSignIn {
            origin: origin.to_owned(),
            client_id: client_id.to_owned(),
        })
    }

    /// The origin the page talks to for tokens (allowed in the page's `connect-src`).
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// What the page needs to sign in (`GET /auth/config`).
    pub fn page_config(&self) -> serde_json::Value {
        serde_json::json!({
            "mode": "hosted",
            "authorize_url": format!("{}/oauth2/authorize", self.origin),
            "token_url": format!("{}/oauth2/token", self.origin),
            "logout_url": format!("{}/logout", self.origin),
            "client_id": self.client_id,
            "scope": "openid email",
        })
    }
}

/// The local login: one token, good once, and the sessions it started.
pub struct LocalLogin {
    approver: String,
    token: Mutex<Option<String>>,
    sessions: Mutex<HashSet<String>>,
}

/// 32 random bytes as hex.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system's random source");
    hex::encode(bytes)
}

impl LocalLogin {
    /// A login for `approver` with a fresh random token; give the token to the person, once.
    pub fn new(approver: &str) -> (LocalLogin, String) {
        let token = random_token();
        let login = LocalLogin {
            approver: approver.to_owned(),
            token: Mutex::new(Some(token.clone())),
            sessions: Mutex::new(HashSet::new()),
        };
        (login, token)
    }

    /// Trade the one-time token for a new session id. The comparison takes the same time wherever the
    /// tokens differ; the token is spent on success.
    pub fn redeem(&self, offered: &str) -> Option<String> {
        let mut token = self.token.lock().expect("login lock");
        let matches = token
            .as_deref()
            .is_some_and(|expected| bool::from(expected.as_bytes().ct_eq(offered.as_bytes())));
        if !matches {
            return None;
        }
        *token = None;
        let session = random_token();
        self.sessions.lock().expect("session lock").insert(session.clone());
        Some(session)
    }

    fn approver_for(&self, session: &str) -> Option<Approver> {
        let sessions = self.sessions.lock().expect("session lock");
        // Every known session is compared in full, so the time taken says nothing about a near miss.
        let known = sessions.iter().fold(false, |found, id| {
            found | bool::from(id.as_bytes().ct_eq(session.as_bytes()))
        });
        known.then(|| Approver(self.approver.clone()))
    }
}

/// The cookie that carries a session: HttpOnly, SameSite=Strict, for the whole site.
pub fn session_cookie(session: String) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, session))
        .http_only(true)
        .same_site(SameSite::Strict)
        .path("/")
        .build()
}

impl Access {
    /// The approver this request is from and what it may do, if it proves one. Locally the signed-in
    /// person may do everything (the page, and what an accounting system does); behind an authorizer only
    /// what the adapter says the token was granted (nothing, if it says nothing).
    pub fn approver(&self, request: &Request) -> Option<(Approver, Granted)> {
        match self {
            Access::Local(login) => {
                let jar = CookieJar::from_headers(request.headers());
                let approver = login.approver_for(jar.get(SESSION_COOKIE)?.value())?;
                Some((approver, Granted(vec![Scope::Staff, Scope::Ingest])))
            }
            Access::Verified => {
                let approver = request.extensions().get::<Approver>().cloned()?;
                Some((
                    approver,
                    request.extensions().get::<Granted>().cloned().unwrap_or_default(),
                ))
            }
        }
    }
}

/// Refuse state changes that a browser could have been tricked into sending from another site: they must
/// be JSON (a cross-site form cannot send that without a CORS preflight, which is never granted), and the
/// browser's own `Sec-Fetch-Site` and `Origin` headers, when present, must say the page itself sent them.
pub async fn same_site_writes(request: Request, next: Next) -> Result<Response, WebError> {
    if request.method() != Method::GET && request.method() != Method::HEAD {
        check_same_site(request.headers())?;
    }
    Ok(next.run(request).await)
}

fn check_same_site(headers: &HeaderMap) -> Result<(), WebError> {
    if let Some(why) = cross_site(headers) {
        return Err(WebError::Forbidden(why));
    }
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"));
    if !is_json {
        return Err(WebError::NotJson);
    }
    Ok(())
}

/// Why a request that changes something looks sent by another site, if it does: the browser's own
/// `Sec-Fetch-Site`, when present, must be `same-origin` (or `none`: typed by the user), and its `Origin`,
/// when present, must be this host. `Origin: null` (a page whose referrer policy hides its origin, or a
/// sandboxed one) passes only beside `Sec-Fetch-Site: same-origin`.
pub(crate) fn cross_site(headers: &HeaderMap) -> Option<&'static str> {
    let text = |name| headers.get(name).and_then(|value| value.to_str().ok());
    let site = text(header::HeaderName::from_static("sec-fetch-site"));
    if site.is_some_and(|site| !matches!(site, "same-origin" | "none")) {
        return Some("cross-site requests may not change anything");
    }
    match text(header::ORIGIN) {
        Some("null") if site != Some("same-origin") => Some("requests from a hidden origin may not change anything"),
        Some("null") | None => None,
        Some(origin) => (origin.split_once("://").map(|(_, host)| host) != text(header::HOST))
            .then_some("requests from another origin may not change anything"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hosted_sign_in_is_an_https_origin_and_an_app_client() {
        let sign_in = HostedSignIn::new("https://kindly.auth.eu-west-1.amazoncognito.com/", "abc123").unwrap();
        assert_eq!(sign_in.origin(), "https://kindly.auth.eu-west-1.amazoncognito.com");
        let config = sign_in.page_config();
        assert_eq!(
            config["token_url"],
            "https://kindly.auth.eu-west-1.amazoncognito.com/oauth2/token"
        );
        assert_eq!(config["client_id"], "abc123");
        assert!(
            HostedSignIn::new("http://127.0.0.1:8080", "abc123").is_ok(),
            "tests on loopback"
        );
        for domain in [
            "http://kindly.example",
            "https://",
            "kindly.auth.eu-west-1.amazoncognito.com",
            "https://kindly.example/path",
            "https://kindly.example' 'unsafe-inline",
            "https://user@kindly.example",
        ] {
            let error = HostedSignIn::new(domain, "abc123").unwrap_err().to_string();
            assert!(error.contains("sign-in domain"), "{domain}: {error}");
        }
        let error = HostedSignIn::new("https://kindly.example", "abc 123")
            .unwrap_err()
            .to_string();
        assert!(error.contains("client id"), "{error}");
    }

    #[test]
    fn a_login_token_works_once_and_only_exactly() {
        let (login, token) = LocalLogin::new("alice");
        assert!(login.redeem(&token[..63]).is_none());
        assert!(login.redeem(&format!("{token}0")).is_none());
        let session = login.redeem(&token).expect("the right token");
        assert!(login.redeem(&token).is_none(), "spent");
        assert_eq!(login.approver_for(&session), Some(Approver("alice".into())));
        assert_eq!(login.approver_for(&random_token()), None);
    }

    #[test]
    fn writes_must_be_same_site_json() {
        let headers = |pairs: &[(&'static str, &str)]| {
            let mut map = HeaderMap::new();
            for (name, value) in pairs {
                map.insert(*name, value.parse().unwrap());
            }
            map
        };
        let json = ("content-type", "application/json");
        let host = ("host", "127.0.0.1:8080");
        assert!(check_same_site(&headers(&[json, host])).is_ok());
        assert!(
            check_same_site(&headers(&[
                json,
                host,
                ("origin", "http://127.0.0.1:8080"),
                ("sec-fetch-site", "same-origin")
            ]))
            .is_ok()
        );
        assert!(matches!(
            check_same_site(&headers(&[json, host, ("origin", "https://evil.example")])),
            Err(WebError::Forbidden(_))
        ));
        assert!(matches!(
            check_same_site(&headers(&[json, host, ("sec-fetch-site", "cross-site")])),
            Err(WebError::Forbidden(_))
        ));
        assert!(matches!(
            check_same_site(&headers(&[json, host, ("origin", "null")])),
            Err(WebError::Forbidden(_))
        ));
        assert!(
            check_same_site(&headers(&[
                json,
                host,
                ("origin", "null"),
                ("sec-fetch-site", "same-origin")
            ]))
            .is_ok(),
            "the page's own form under a no-referrer policy"
        );
        assert!(matches!(
            check_same_site(&headers(&[("content-type", "text/plain"), host])),
            Err(WebError::NotJson)
        ));
    }
}
