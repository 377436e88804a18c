//! Signing in, and the policies the page and the API are served with.
use super::{client, server};
use kindly_core::Store;
use reqwest::StatusCode;
use serde_json::{Value, json};

kindly_aws::on_both_stores!(
    nothing_without_signing_in_and_the_link_works_once,
    the_page_and_api_carry_a_strict_policy
);

async fn nothing_without_signing_in_and_the_link_works_once<S: Store + 'static>(store: S) {
    let server = server(store).await;
    let anonymous = client();
    for path in ["/", "/api/session", "/api/drafts", "/api/customers/A/history"] {
        let response = anonymous.get(format!("{}{path}", server.base)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{path}");
        // The page says how to sign in; the API answers in JSON like every other API error, never cached
        let content_type = response.headers()["content-type"].to_str().unwrap().to_owned();
        if path == "/" {
            assert!(content_type.starts_with("text/html"), "{path}: {content_type}");
        } else {
            assert_eq!(response.headers()["cache-control"], "no-store", "{path}");
            assert_eq!(content_type, "application/json", "{path}");
            let body: Value = response.json().await.unwrap();
            assert!(
                body["error"].as_str().is_some_and(|error| error.contains("sign in")),
                "{path}: {body}"
            );
        }
    }
    let id = server.drafts().await[0]["id"].as_str().unwrap().to_owned();
    let response = anonymous
        .post(format!("{}/api/drafts/{id}/approve", server.base))
        .header("content-type", "application/json")
        .body(json!({"content_hash": "x"}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    // The login link was spent by the first sign-in, and a made-up cookie is nobody
    let again = anonymous.get(&server.login).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::UNAUTHORIZED);
    let forged = anonymous
        .get(format!("{}/api/session", server.base))
        .header("cookie", format!("kindly_session={}", "0".repeat(64)))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::UNAUTHORIZED);
    let (status, session) = server.get("/api/session").await;
    assert_eq!((status, session["approver"].as_str()), (StatusCode::OK, Some("alice")));
}

async fn the_page_and_api_carry_a_strict_policy<S: Store + 'static>(store: S) {
    let server = server(store).await;
    let page = client()
        .get(format!("{}/", server.base))
        .header("cookie", &server.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let csp = page.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(csp.contains("script-src 'self' 'wasm-unsafe-eval';"), "{csp}");
    assert!(!csp.contains("script-src 'self' 'unsafe-inline'"), "{csp}");
    assert!(page.text().await.unwrap().contains("/assets/app.js"));
    let wasm = client()
        .get(format!("{}/assets/kindly_render_bg.wasm", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(wasm.headers()["content-type"], "application/wasm");
    assert_eq!(&wasm.bytes().await.unwrap()[..4], b"\0asm");
    let api = client()
        .get(format!("{}/api/drafts", server.base))
        .header("cookie", &server.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(api.headers()["cache-control"], "no-store");
    assert!(api.headers().contains_key("content-security-policy"));
    assert!(
        csp.contains("connect-src 'self';"),
        "locally the page talks to nobody else: {csp}"
    );
    // Locally the page signs in with the cookie: no hosted sign-in is offered, even to a stranger
    let config = client()
        .get(format!("{}/auth/config", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(config.status(), StatusCode::OK);
    assert_eq!(config.json::<Value>().await.unwrap(), json!({"mode": "local"}));
}
