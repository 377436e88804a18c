//! The JavaScript skin over [`crate::render`], for the approval page. One-line exports; errors become a JS
//! `Error` in [`js_error`] only. Built for `wasm32` alone, so the native crate carries no JS glue.

use crate::{MessageContext, RenderError, RenderedMessage};
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// What `render` returns to JavaScript: `{ subject, text, html, contentHash }`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsRendered<'a> {
    subject: &'a str,
    text: &'a str,
    html: &'a str,
    content_hash: &'a str,
}

#[wasm_bindgen(typescript_custom_section)]
const RENDERED_TS: &str = r#"
/** A rendered message; `contentHash` is what the approver approves. */
export interface Rendered {
    subject: string;
    text: string;
    html: string;
    contentHash: string;
}
"#;

/// Render a message from its context, given as the JSON the server sends (a serialised `MessageContext`).
/// Throws an `Error` whose message says what is wrong: the JSON problem with its line and column, an unknown
/// template or language, or a template failure.
#[wasm_bindgen(unchecked_return_type = "Rendered")]
pub fn render(#[wasm_bindgen(js_name = contextJson)] context_json: &str) -> Result<JsValue, JsError> {
    parse(context_json)
        .and_then(|context| crate::render(&context))
        .map_err(js_error)
        .and_then(to_js)
}

/// The stage template names, sorted.
#[wasm_bindgen]
pub fn templates() -> Vec<String> {
    crate::template_names().into_iter().map(str::to_owned).collect()
}

/// The languages every stage template exists in.
#[wasm_bindgen]
pub fn languages() -> Vec<String> {
    crate::LANGUAGES.iter().map(|language| (*language).to_owned()).collect()
}

fn parse(context_json: &str) -> Result<MessageContext, RenderError> {
    serde_json::from_str(context_json).map_err(|e| RenderError::InvalidContext(e.to_string()))
}

fn to_js(message: RenderedMessage) -> Result<JsValue, JsError> {
    let view = JsRendered {
        subject: &message.subject,
        text: &message.text,
        html: &message.html,
        content_hash: &message.content_hash,
    };
    serde_wasm_bindgen::to_value(&view).map_err(|e| JsError::new(&e.to_string()))
}

/// The one place a Rust error becomes a JavaScript `Error`.
fn js_error(error: RenderError) -> JsError {
    JsError::new(&error.to_string())
}
