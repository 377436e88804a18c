//! The page's files, embedded at build time: the HTML, script and style from `assets/`, and the renderer
//! as `build.rs` generated it.

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

const INDEX_HTML: &str = include_str!("../assets/index.html");
/// The page's script modules, by their name under `/assets/`. `app.js` starts the page and imports the rest;
/// each module imports only those listed before it.
const SCRIPTS: [(&str, &str); 13] = [
    ("sign-in.js", include_str!("../assets/sign-in.js")),
    ("page.js", include_str!("../assets/page.js")),
    ("api.js", include_str!("../assets/api.js")),
    ("preview.js", include_str!("../assets/preview.js")),
    ("list.js", include_str!("../assets/list.js")),
    ("draft.js", include_str!("../assets/draft.js")),
    ("actions.js", include_str!("../assets/actions.js")),
    ("failed.js", include_str!("../assets/failed.js")),
    ("timeline.js", include_str!("../assets/timeline.js")),
    ("tasks.js", include_str!("../assets/tasks.js")),
    ("reasons.js", include_str!("../assets/reasons.js")),
    ("reports.js", include_str!("../assets/reports.js")),
    ("app.js", include_str!("../assets/app.js")),
];
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
    let script = SCRIPTS.iter().find(|(script, _)| *script == name);
    let (content_type, body): (&str, &'static [u8]) = match (name.as_str(), script) {
        (_, Some((_, code))) => ("text/javascript; charset=utf-8", code.as_bytes()),
        ("style.css", _) => ("text/css; charset=utf-8", STYLE_CSS.as_bytes()),
        ("kindly_render.js", _) => ("text/javascript; charset=utf-8", RENDER_JS.as_bytes()),
        ("kindly_render_bg.wasm", _) => ("application/wasm", RENDER_WASM),
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

#[cfg(test)]
mod tests {
    use super::SCRIPTS;

    /// The relative imports in a module's `import … from './name.js';` lines.
    fn imports(code: &str) -> Vec<&str> {
        code.lines()
            .filter(|line| line.starts_with("import "))
            .filter_map(|line| line.split("from './").nth(1))
            .filter_map(|rest| rest.split('\'').next())
            .collect()
    }

    #[test]
    fn every_module_imports_only_served_modules_listed_before_it() {
        for (index, (name, code)) in SCRIPTS.iter().enumerate() {
            for imported in imports(code) {
                if imported == "kindly_render.js" {
                    continue;
                }
                let position = SCRIPTS.iter().position(|(script, _)| *script == imported);
                assert!(position.is_some(), "{name} imports {imported}, which is not served");
                assert!(
                    position < Some(index),
                    "{name} imports {imported}, listed after it: a cycle"
                );
            }
        }
    }

    #[test]
    fn every_served_module_is_imported_by_the_page() {
        let page = include_str!("../assets/index.html");
        for (name, _) in SCRIPTS {
            let imported = SCRIPTS.iter().any(|(_, code)| imports(code).contains(&name));
            assert!(
                imported || page.contains(&format!("src=\"/assets/{name}\"")),
                "{name} is never loaded"
            );
        }
    }
}
