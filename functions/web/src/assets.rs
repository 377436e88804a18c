//! The page's files, embedded at build time: the HTML, script and style from `assets/`, and the renderer
//! as `build.rs` generated it.

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

const INDEX_HTML: &str = include_str!("../assets/index.html");
const APP_JS: &str = include_str!("../assets/app.js");
const SIGN_IN_JS: &str = include_str!("../assets/sign-in.js");
const STYLE_CSS: &str = include_str!("../assets/style.css");
const RENDER_JS: &str = include_str!(concat!(env!("OUT_DIR"), "/pkg/kindly_render.js"));
const RENDER_WASM: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/pkg/kindly_render_bg.wasm"));

/// The renderer's browser files (`name`, bytes), as the page loads them from `/assets/`.
pub const RENDERER_FILES: [(&str, &[u8]); 2] = [
    ("kindly_render.js", RENDER_JS.as_bytes()),
    ("kindly_render_bg.wasm", RENDER_WASM),
];

/// Shown instead of the page to a browser without a session.
pub const SIGN_IN_FIRST: &str = "<!doctype html><meta charset=utf-8><title>kindly — sign in</title>\
    <h1>Sign in first</h1><p>Open the login link that <code>kindly serve</code> printed when it started.</p>";

/// Shown for a wrong or already used login link.
pub const LINK_SPENT: &str = "<!doctype html><meta charset=utf-8><title>kindly — link not valid</title>\
    <h1>This login link is not valid</h1><p>Each link works once. Restart <code>kindly serve</code> for a \
    new one.</p>";

pub async fn page() -> Html<&'static str> {
    Html(INDEX_HTML)
}

pub async fn asset(Path(name): Path<String>) -> Response {
    let (content_type, body): (&str, &'static [u8]) = match name.as_str() {
        "app.js" => ("text/javascript; charset=utf-8", APP_JS.as_bytes()),
        "sign-in.js" => ("text/javascript; charset=utf-8", SIGN_IN_JS.as_bytes()),
        "style.css" => ("text/css; charset=utf-8", STYLE_CSS.as_bytes()),
        "kindly_render.js" => ("text/javascript; charset=utf-8", RENDER_JS.as_bytes()),
        "kindly_render_bg.wasm" => ("application/wasm", RENDER_WASM),
        _ => return (StatusCode::NOT_FOUND, "not found").into_response(),
    };
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}
