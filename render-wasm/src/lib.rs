//! kindly-render: the one renderer for every kindly message.
//!
//! Architecture invariant: `render` is a pure function of a [`MessageContext`]. It does no I/O and reads
//! no clock, locale or environment, so the Lambdas (natively) and the approval page (in WASM) produce the
//! same bytes and the same [`RenderedMessage::content_hash`] for the same context.

mod context;
#[cfg(target_arch = "wasm32")]
mod wasm;

pub use context::*;

use include_dir::{Dir, include_dir};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

/// Templates are compiled into the binary: no file system at run time, identical in WASM.
static TEMPLATE_DIR: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates");

/// The languages templates ship in; every stage template exists in each of them.
pub const LANGUAGES: &[&str] = &["en", "de"];

/// A message, ready to send: what the customer will see.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RenderedMessage {
    /// One line, never containing a line break.
    pub subject: String,
    pub text: String,
    pub html: String,
    /// Lower-case hex SHA-256 over the envelope (from, reply-to, to, cc) and the subject, text and HTML.
    pub content_hash: String,
}

/// Why a message could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("no template `{template}` in language `{language}`")]
    UnknownTemplate { template: String, language: String },
    #[error("template `{name}` failed: {message}")]
    Template { name: String, message: String },
    #[error("invalid context: {0}")]
    InvalidContext(String),
}

/// The stage templates available (names without language or part), sorted.
pub fn template_names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = TEMPLATE_DIR
        .get_dir(LANGUAGES[0])
        .into_iter()
        .flat_map(|dir| dir.files())
        .filter_map(|file| file.path().file_name()?.to_str()?.strip_suffix(".subject.txt"))
        .collect();
    names.sort_unstable();
    names
}

/// Whether `template` exists, with all three parts, in `language`.
pub fn has_template(language: &str, template: &str) -> bool {
    let engine = engine();
    PARTS
        .iter()
        .all(|part| engine.contains_template(&part_name(language, template, part)))
}

const PARTS: [&str; 3] = ["subject.txt", "txt", "html"];

fn part_name(language: &str, template: &str, part: &str) -> String {
    format!("{language}/{template}.{part}")
}

fn engine() -> &'static tera::Tera {
    static ENGINE: OnceLock<tera::Tera> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let mut tera = tera::Tera::new();
        // `.html` parts escape every value; text parts are sent as text/plain and must not.
        tera.autoescape_on([".html"]);
        let files = all_files(&TEMPLATE_DIR).filter_map(|file| {
            let name = file.path().to_str()?;
            Some((name.to_owned(), file.contents_utf8()?.to_owned()))
        });
        tera.add_raw_templates(files)
            .expect("embedded templates parse (checked by the golden tests)");
        tera
    })
}

fn all_files<'a>(dir: &'a Dir<'a>) -> Box<dyn Iterator<Item = &'a include_dir::File<'a>> + 'a> {
    Box::new(dir.files().chain(dir.dirs().flat_map(all_files)))
}

/// Render one message from its context.
pub fn render(context: &MessageContext) -> Result<RenderedMessage, RenderError> {
    let engine = engine();
    if !LANGUAGES.contains(&context.language.as_str()) || !has_template(&context.language, &context.template) {
        return Err(RenderError::UnknownTemplate {
            template: context.template.clone(),
            language: context.language.clone(),
        });
    }
    let tera_context = tera::Context::from_serialize(context)
        .map_err(|e| RenderError::InvalidContext(e.to_string()))?;
    let render_part = |part: &str| {
        let name = part_name(&context.language, &context.template, part);
        engine.render(&name, &tera_context).map_err(|e| RenderError::Template {
            name: name.clone(),
            message: error_chain(&e),
        })
    };
    let subject = one_line(&render_part("subject.txt")?);
    let text = render_part("txt")?;
    let html = render_part("html")?;
    let content_hash = content_hash(context, &subject, &text, &html);
    Ok(RenderedMessage { subject, text, html, content_hash })
}

/// Collapse every run of white space (line breaks included) into one space: a subject is one header line.
fn one_line(subject: &str) -> String {
    subject.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn error_chain(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

/// SHA-256 over every byte that decides what the recipient gets. Each field is length-prefixed so that
/// moving text from one field to the next changes the hash.
fn content_hash(context: &MessageContext, subject: &str, text: &str, html: &str) -> String {
    let mut hasher = Sha256::new();
    let mut field = |bytes: &str| {
        hasher.update((bytes.len() as u64).to_be_bytes());
        hasher.update(bytes.as_bytes());
    };
    let mailbox = |m: &Mailbox| format!("{} <{}>", m.name, m.email);
    field(&mailbox(&context.from));
    field(&context.reply_to.as_ref().map(mailbox).unwrap_or_default());
    field(&context.to.iter().map(mailbox).collect::<Vec<_>>().join(", "));
    field(&context.cc.iter().map(mailbox).collect::<Vec<_>>().join(", "));
    field(subject);
    field(text);
    field(html);
    hex::encode(hasher.finalize())
}

/// The text of every part of a stage template in one language, concatenated (subject, text, HTML);
/// `None` if the template does not exist. Policy validation reads it to keep wording and tone in step.
pub fn template_source(language: &str, template: &str) -> Option<String> {
    PARTS
        .iter()
        .map(|part| {
            let path = part_name(language, template, part);
            TEMPLATE_DIR.get_file(&path)?.contents_utf8().map(str::to_owned)
        })
        .collect::<Option<Vec<_>>>()
        .map(|parts| parts.join("\n"))
}
