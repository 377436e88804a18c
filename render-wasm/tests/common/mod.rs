//! Shared by the integration tests: the fixture contexts in `tests/fixtures/*.json` (also rendered by the
//! WASM parity script) and the matrix of every fixture rendered with every stage template.

#![allow(dead_code)] // each test binary uses its own part of this module

use kindly_render::{MessageContext, RenderedMessage, render, template_names};
use std::path::{Path, PathBuf};

pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Every fixture as `(name, context)`, sorted by name (the file name without `.json`).
pub fn fixtures() -> Vec<(String, MessageContext)> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(fixtures_dir())
        .expect("tests/fixtures exists")
        .map(|entry| entry.expect("readable fixtures dir").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let name = path
                .file_stem()
                .and_then(|stem| stem.to_str())
                .expect("UTF-8 fixture name")
                .to_owned();
            let json = std::fs::read_to_string(&path).expect("readable fixture");
            let context = serde_json::from_str(&json).unwrap_or_else(|e| panic!("fixture {name}: {e}"));
            (name, context)
        })
        .collect()
}

pub fn fixture(name: &str) -> MessageContext {
    fixtures()
        .into_iter()
        .find_map(|(found, context)| (found == name).then_some(context))
        .unwrap_or_else(|| panic!("no fixture {name}"))
}

/// One render of the matrix: which fixture, with which stage template.
pub struct Case {
    pub fixture: String,
    pub template: String,
    pub context: MessageContext,
    pub message: RenderedMessage,
}

/// Every fixture rendered with every stage template, in a stable order (fixture, then template).
pub fn all_cases() -> Vec<Case> {
    fixtures()
        .into_iter()
        .flat_map(|(fixture, context)| {
            template_names().into_iter().map(move |template| {
                let context = with_template(&context, template);
                let message = render(&context).unwrap_or_else(|e| panic!("{fixture} × {template}: {e}"));
                Case {
                    fixture: fixture.clone(),
                    template: template.to_owned(),
                    context,
                    message,
                }
            })
        })
        .collect()
}

pub fn with_template(context: &MessageContext, template: &str) -> MessageContext {
    MessageContext {
        template: template.to_owned(),
        ..context.clone()
    }
}

/// HTML escaping as the templates do it, written out here so the tests do not trust the engine's own.
pub fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// Whether `value` shows in the text part as is and in the HTML part escaped, in that order.
pub fn shown_in(message: &RenderedMessage, value: &str) -> (bool, bool) {
    (message.text.contains(value), message.html.contains(&escape_html(value)))
}
