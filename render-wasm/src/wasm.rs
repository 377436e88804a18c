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

/// What `Preview.render` returns: `{ subject, text, html }`.
#[derive(Serialize)]
struct JsParts<'a> {
    subject: &'a str,
    text: &'a str,
    html: &'a str,
}

/// A live preview of one draft for the approval page: the message is rendered once around its note
/// ([`crate::PreparedMessage`]), then every keystroke in the note re-renders only the note. The content
/// hash is computed on request, over the last render, and equals what `render` returns for the same context.
#[wasm_bindgen]
pub struct Preview {
    context: MessageContext,
    prepared: Option<crate::PreparedMessage>,
    last: Option<crate::MessageParts>,
}

#[wasm_bindgen]
impl Preview {
    /// Parse a draft's context (the JSON the server sends). Throws like `render` on bad input.
    #[wasm_bindgen(constructor)]
    pub fn new(#[wasm_bindgen(js_name = contextJson)] context_json: &str) -> Result<Preview, JsError> {
        let context = parse(context_json).map_err(js_error)?;
        let prepared = crate::PreparedMessage::new(&context).map_err(js_error)?;
        Ok(Preview {
            context,
            prepared,
            last: None,
        })
    }

    /// Set the personal note; `null`, empty or only white space means no note, as the server stores it.
    #[wasm_bindgen(js_name = setPersonalNote)]
    pub fn set_personal_note(&mut self, note: Option<String>) {
        self.context.personal_note = crate::personal_note(note);
        self.last = None;
    }

    /// Render the subject, text and HTML: `{ subject, text, html }`.
    #[wasm_bindgen(unchecked_return_type = "{ subject: string; text: string; html: string }")]
    pub fn render(&mut self) -> Result<JsValue, JsError> {
        let parts = self.parts()?;
        let view = JsParts {
            subject: &parts.subject,
            text: &parts.text,
            html: &parts.html,
        };
        let value = serde_wasm_bindgen::to_value(&view).map_err(|e| JsError::new(&e.to_string()))?;
        self.last = Some(parts);
        Ok(value)
    }

    /// The content hash of the message as it renders now (rendering first if needed).
    #[wasm_bindgen(js_name = contentHash)]
    pub fn content_hash(&mut self) -> Result<String, JsError> {
        if self.last.is_none() {
            self.last = Some(self.parts()?);
        }
        Ok(self
            .last
            .as_ref()
            .map(|parts| parts.content_hash(&self.context))
            .unwrap_or_default())
    }
}

impl Preview {
    fn parts(&self) -> Result<crate::MessageParts, JsError> {
        match &self.prepared {
            Some(prepared) => prepared.with_note(self.context.personal_note.as_deref()),
            None => crate::render_parts(&self.context),
        }
        .map_err(js_error)
    }
}
