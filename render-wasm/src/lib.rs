//! kindly-render: the one renderer for every kindly message.
//!
//! Architecture invariant: `render` is a pure function of a [`MessageContext`]. It does no I/O and reads
//! no clock, locale or environment, so the Lambdas (natively) and the approval page (in WASM) produce the
//! same bytes and the same [`RenderedMessage::content_hash`] for the same context.
//!
//! Templates live in `templates/` and are compiled into the binary by `build.rs`:
//! - `{language}/{template}.subject.txt`, `.txt` and `.html`: the three parts of each stage template. The
//!   `.txt` and `.html` parts extend `shared/_layout.txt` and `shared/_layout.html` and fill their blocks
//!   (`intro`, `request`, `closing`, `signoff`) with what that stage says.
//! - `{language}/_words.json`: the language's words outside sentences (see `src/words.rs`): row labels,
//!   which templates read as `labels.issued`, ...; the forms of a due status (`{{ days | due_status }}`);
//!   the words that join a list (`{{ items | and_list }}`).
//! - `{language}/_phrases.tera`: the language's sentences and phrases around values (greeting, invoice
//!   title, totals...) as tera components, which the shared layouts call by the same names in every
//!   language.
//! - `shared/_layout.txt`, `shared/_layout.html`: everything but the stage's own sentences. The HTML
//!   layout writes its markup and inline styles out, because a component call costs more than the row,
//!   button or link it would draw.
//! - `shared/_ui.tera`: `ui.p`, the paragraph of a stage's intro.
//! - `en/staff/forward.*`: a customer's reply forwarded to the billing mailbox ([`render_forward`]), the one
//!   message to staff; native only.
//! - `{language}/answers/` and `shared/answers/`: what kindly sends by itself about answers and payment
//!   plans (acknowledgements, a promise's eve, an instalment's note), with their own phrases and layout.
//!   Approved as they are made, never previewed, so native only too: the page's WASM leaves them out.
//!
//! Rendering is interpreted by tera on every call, so the templates avoid what costs most per use:
//! component calls with arguments, filter chains and map literals inside the invoice loop.
//!
//! Only `.html` parts are HTML-escaped; layouts and components take the escaping of the part using them.

mod context;
#[cfg(not(target_arch = "wasm32"))]
mod forward;
#[cfg(target_arch = "wasm32")]
mod wasm;
mod words;

pub use context::*;
#[cfg(not(target_arch = "wasm32"))]
pub use forward::{ForwardContext, render_forward};

use sha2::{Digest, Sha256};
use std::sync::OnceLock;
use words::Words;

/// Every template file as `(path under templates/, contents)`, compiled into the binary by `build.rs`: no
/// file system at run time, identical in WASM.
static TEMPLATES: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/templates.rs"));

/// The languages templates ship in; every stage template exists in each of them.
pub const LANGUAGES: &[&str] = &["en", "de"];

/// The message that thanks a customer for paying: it shows what was paid and asks for nothing, so it
/// replaces the layout's invoice figures and payment instructions.
pub const THANK_YOU_TEMPLATE: &str = "thank_you";

/// The messages about a customer's answers (`{language}/answers/…`): not stages of the ladder, so not among
/// [`template_names`]. The acknowledgement of an answer shows what they told us and what happens next.
pub const ACKNOWLEDGEMENT_TEMPLATE: &str = "answers/acknowledgement";
/// The courteous note the business day before a promised payment.
pub const PROMISE_EVE_TEMPLATE: &str = "answers/promise_eve";
/// A payment plan's instalment: the gentle note before its date, and the one courteous reminder after a
/// missed one (`answer.kind` says which).
pub const INSTALMENT_TEMPLATE: &str = "answers/instalment";

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
    /// No stage template of that name in that language (or no such language).
    #[error("no template `{template}` in language `{language}`")]
    UnknownTemplate { template: String, language: String },
    /// A template failed on this context; the golden tests exist to keep this from happening.
    #[error("template `{name}` failed: {message}")]
    Template { name: String, message: String },
    /// The context cannot make a message: it covers no invoice, or (in WASM) its JSON is malformed.
    #[error("invalid context: {0}")]
    InvalidContext(String),
}

/// The stage templates available (names without language or part), sorted.
pub fn template_names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = TEMPLATES
        .iter()
        .filter_map(|(path, _)| file_in(path, LANGUAGES[0])?.strip_suffix(".subject.txt"))
        .collect();
    names.sort_unstable();
    names
}

/// Whether `template` exists, with all three parts, in `language`.
pub fn has_template(language: &str, template: &str) -> bool {
    engine(language).is_some_and(|engine| {
        PARTS
            .iter()
            .all(|part| engine.contains_template(&part_name(language, template, part)))
    })
}

const PARTS: [&str; 3] = ["subject.txt", "txt", "html"];

/// Files every language's engine loads besides its own folder: the layouts and the HTML building blocks.
const SHARED_DIR: &str = "shared";

fn part_name(language: &str, template: &str, part: &str) -> String {
    format!("{language}/{template}.{part}")
}

/// One engine per language, built once. Each loads `shared/` and its own folder only, so every language
/// defines the same words, filters and phrase components (`labels`, `due_status`, `t.greeting`, ...) that
/// the shared layouts use.
fn engine(language: &str) -> Option<&'static tera::Tera> {
    static ENGINES: OnceLock<Vec<tera::Tera>> = OnceLock::new();
    let engines = ENGINES.get_or_init(|| LANGUAGES.iter().map(|language| build_engine(language)).collect());
    let index = LANGUAGES.iter().position(|known| *known == language)?;
    engines.get(index)
}

fn build_engine(language: &str) -> tera::Tera {
    let mut tera = tera::Tera::new();
    // `.html` parts escape every value; text parts are sent as text/plain and must not. Layouts, includes
    // and components render with the escaping of the part that uses them.
    tera.autoescape_on([".html"]);
    tera.register_test("web_address", is_web_address);
    tera.register_filter("lines", lines);
    Words::load(language).register(&mut tera);
    let files = TEMPLATES.iter().filter(|(path, _)| {
        path.split_once('/')
            .is_some_and(|(dir, _)| dir == SHARED_DIR || dir == language)
    });
    tera.add_raw_templates(files.copied())
        .expect("embedded templates parse (checked by the golden tests)");
    tera
}

/// `{% if href is web_address %}`: only these become links; anything else (say `javascript:`) is shown
/// as text. Cheaper than two `starting_with(pat=...)` tests, which build an argument map each.
fn is_web_address(href: &str, _: tera::Kwargs, _: &tera::State) -> bool {
    href.starts_with("https://") || href.starts_with("http://")
}

/// `{% for line in note | lines %}`: the text without surrounding white space, cut at every line break
/// (`\r\n`, `\n` or a lone `\r`). One call instead of `trim | replace | replace | split`, each of which
/// copies the text and most of which build a map of arguments.
fn lines(text: &str, _: tera::Kwargs, _: &tera::State) -> Vec<tera::Value> {
    let mut lines = Vec::new();
    let mut rest = text.trim();
    while let Some(end) = rest.find(['\r', '\n']) {
        lines.push(tera::Value::from(&rest[..end]));
        let line_break = if rest[end..].starts_with("\r\n") { 2 } else { 1 };
        rest = &rest[end + line_break..];
    }
    lines.push(tera::Value::from(rest));
    lines
}

/// The file name of `path` if it lies directly in `dir`: `file_in("en/due_today.txt", "en")`.
fn file_in<'a>(path: &'a str, dir: &str) -> Option<&'a str> {
    path.strip_prefix(dir)?
        .strip_prefix('/')
        .filter(|name| !name.contains('/'))
}

/// Render one message from its context: subject, plain text, HTML and the content hash. Fails for an
/// unknown template or language and for a context without invoices (unless it answers the customer).
pub fn render(context: &MessageContext) -> Result<RenderedMessage, RenderError> {
    render_parts(context).map(|parts| parts.into_message(context))
}

/// A personal note as typed, as a message keeps it: `None` when empty or only white space. The server (on
/// approval and when checking a hash) and the browser's preview apply the same rule, so both hash alike.
pub fn personal_note(typed: Option<String>) -> Option<String> {
    typed.filter(|note| !note.trim().is_empty())
}

/// The three parts of a message, rendered but not yet hashed: what a live preview shows on every
/// keystroke. [`MessageParts::content_hash`] gives the hash [`render`] would.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageParts {
    pub subject: String,
    pub text: String,
    pub html: String,
}

impl MessageParts {
    /// The content hash of these parts sent with `context`'s envelope.
    pub fn content_hash(&self, context: &MessageContext) -> String {
        content_hash(context, &self.subject, &self.text, &self.html)
    }

    pub fn into_message(self, context: &MessageContext) -> RenderedMessage {
        let content_hash = self.content_hash(context);
        RenderedMessage {
            subject: self.subject,
            text: self.text,
            html: self.html,
            content_hash,
        }
    }
}

/// Render the subject, text and HTML of a message without hashing them; see [`render`].
pub fn render_parts(context: &MessageContext) -> Result<MessageParts, RenderError> {
    let engine = engine_for(context)?;
    let (note_text, note_html) = render_note(engine, context.personal_note.as_deref())?;
    render_around(engine, context, &note_text, &note_html)
}

/// The templates of `context`'s language, when they have its stage template in every part.
fn engine_for(context: &MessageContext) -> Result<&'static tera::Tera, RenderError> {
    let parts = PARTS.map(|part| part_name(&context.language, &context.template, part));
    let engine = engine(&context.language)
        .filter(|engine| parts.iter().all(|name| engine.contains_template(name)))
        .ok_or_else(|| RenderError::UnknownTemplate {
            template: context.template.clone(),
            language: context.language.clone(),
        })?;
    // Only an answer to the customer may cover no invoice (they told us to write to someone else).
    if context.invoices.is_empty() && context.answer.is_none() {
        return Err(RenderError::InvalidContext(
            "a message covers at least one invoice".to_owned(),
        ));
    }
    Ok(engine)
}

fn render_template(engine: &tera::Tera, name: &str, values: &tera::Context) -> Result<String, RenderError> {
    engine.render(name, values).map_err(|e| RenderError::Template {
        message: error_chain(&e),
        name: name.to_owned(),
    })
}

/// `texts` joined as `language`'s messages join a list (`_words.json`'s `and_list`): "A, B and C". For
/// callers that format several amounts into one field, so they read as the templates' own lists do.
/// An unknown language joins as English does. Native only: the page never composes.
#[cfg(not(target_arch = "wasm32"))]
pub fn and_list(language: &str, texts: &[&str]) -> String {
    let known = LANGUAGES
        .iter()
        .copied()
        .find(|known| *known == language)
        .unwrap_or("en");
    words::Words::load(known).and_list(texts)
}

/// The personal note as the text and HTML parts show it (`shared/_note.*`); empty strings without a note.
fn render_note(engine: &tera::Tera, note: Option<&str>) -> Result<(String, String), RenderError> {
    let mut values = tera::Context::new();
    values.insert("personal_note", &note);
    Ok((
        render_template(engine, "shared/_note.txt", &values)?,
        render_template(engine, "shared/_note.html", &values)?,
    ))
}

/// The message's parts with the note's text and HTML placed where the layouts put the note.
fn render_around(
    engine: &tera::Tera,
    context: &MessageContext,
    note_text: &str,
    note_html: &str,
) -> Result<MessageParts, RenderError> {
    let mut values = template_context(context);
    values.insert("note_text", note_text);
    values.insert("note_html", note_html);
    let [subject, text, html] = PARTS.map(|part| part_name(&context.language, &context.template, part));
    Ok(MessageParts {
        subject: one_line(&render_template(engine, &subject, &values)?),
        text: render_template(engine, &text, &values)?,
        html: render_template(engine, &html, &values)?,
    })
}

/// A message rendered once around a placeholder for the personal note, so that a live preview re-renders
/// only the note on each keystroke. [`PreparedMessage::with_note`] returns exactly what [`render_parts`]
/// returns for the context with that note: the layouts place the separately rendered note verbatim, and
/// here it is placed at the same spot.
pub struct PreparedMessage {
    engine: &'static tera::Tera,
    subject: String,
    text: (String, String),
    html: (String, String),
}

/// Stands where the note goes while preparing. Should a context contain it, the split finds it more than
/// once and the preview falls back to full renders.
const NOTE_PLACEHOLDER: &str = "\u{FDD0}kindly-personal-note\u{FDD0}";

impl PreparedMessage {
    /// Render `context` (its note aside) once. `None` if the note cannot be placed unambiguously.
    pub fn new(context: &MessageContext) -> Result<Option<PreparedMessage>, RenderError> {
        let engine = engine_for(context)?;
        let parts = render_around(engine, context, NOTE_PLACEHOLDER, NOTE_PLACEHOLDER)?;
        let split = |part: &str| {
            let (before, after) = part.split_once(NOTE_PLACEHOLDER)?;
            (!after.contains(NOTE_PLACEHOLDER)).then(|| (before.to_owned(), after.to_owned()))
        };
        if parts.subject.contains(NOTE_PLACEHOLDER) {
            return Ok(None);
        }
        Ok(split(&parts.text)
            .zip(split(&parts.html))
            .map(|(text, html)| PreparedMessage {
                engine,
                subject: parts.subject,
                text,
                html,
            }))
    }

    /// The message's parts with `note` as the personal note.
    pub fn with_note(&self, note: Option<&str>) -> Result<MessageParts, RenderError> {
        let (note_text, note_html) = render_note(self.engine, note)?;
        Ok(MessageParts {
            subject: self.subject.clone(),
            text: [self.text.0.as_str(), &note_text, &self.text.1].concat(),
            html: [self.html.0.as_str(), &note_html, &self.html.1].concat(),
        })
    }
}

/// What the templates see: the context's fields under their own names, built once for all three parts.
/// The sender and recipients (`from`, `reply_to`, `to`) and the template name are left out, since no
/// message prints them (only whether replies reach the signer, `replies_to_signer`); `cc` stays, as the escalation names whom it copies. Inserting field by field
/// costs a little over half of `Context::from_serialize`, which builds the whole struct as a map first.
fn template_context(context: &MessageContext) -> tera::Context {
    // Destructured in full, so that a new field has to be placed here or left out on purpose.
    let MessageContext {
        template: _,
        language,
        from,
        reply_to,
        to: _,
        cc,
        company,
        signature,
        customer,
        invoices,
        totals,
        overdue_totals,
        max_days_overdue,
        payment,
        interest,
        early_discount,
        personal_note: _,
        date,
        answer,
        earlier_answers,
        customer_page,
        deadline,
        next_step_on,
    } = context;
    let mut values = tera::Context::new();
    values.insert("language", language);
    values.insert("cc", cc);
    values.insert("company", company);
    values.insert("signature", signature);
    values.insert("customer", customer);
    values.insert("invoices", invoices);
    values.insert("totals", totals);
    values.insert("overdue_totals", overdue_totals);
    values.insert("max_days_overdue", max_days_overdue);
    values.insert("payment", payment);
    values.insert("interest", interest);
    values.insert("early_discount", early_discount);
    values.insert("date", date);
    values.insert("answer", answer);
    values.insert("earlier_answers", earlier_answers);
    values.insert("customer_page", customer_page);
    values.insert("deadline", deadline);
    values.insert("next_step_on", next_step_on);
    // Whether a reply reaches the person who signs, so a letter can say honestly where replies go.
    let replies_go_to = reply_to.as_ref().unwrap_or(from);
    values.insert(
        "replies_to_signer",
        &replies_go_to.email.eq_ignore_ascii_case(&signature.email),
    );
    values
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

/// SHA-256 over every byte that decides what the recipient gets. Every string is length-prefixed and every
/// list count-prefixed, so no two different envelopes or messages hash alike by moving text between
/// fields (a comma in a name cannot pass for a second recipient).
fn content_hash(context: &MessageContext, subject: &str, text: &str, html: &str) -> String {
    let mut hasher = Sha256::new();
    let mut field = |bytes: &[u8]| {
        hasher.update((bytes.len() as u64).to_be_bytes());
        hasher.update(bytes);
    };
    let reply_to: &[Mailbox] = context.reply_to.as_slice();
    for mailboxes in [std::slice::from_ref(&context.from), reply_to, &context.to, &context.cc] {
        field(&(mailboxes.len() as u64).to_be_bytes());
        for mailbox in mailboxes {
            field(mailbox.name.as_bytes());
            field(mailbox.email.as_bytes());
        }
    }
    for part in [subject, text, html] {
        field(part.as_bytes());
    }
    hex::encode(hasher.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `lines` stands in for the filter chain the HTML layout used before; it must cut every note alike.
    #[test]
    fn lines_cuts_like_trim_replace_replace_split() {
        let chain = r#"{{ note | trim | replace(from="\r\n", to="\n") | replace(from="\r", to="\n") | split(pat="\n") | join(sep="|") }}"#;
        let notes = [
            "",
            " ",
            "one",
            " one\n",
            "a\r\nb",
            "a\r\r\nb",
            "a\n\r\nb",
            "a\r\n\r\nb",
            "a\rb\nc",
            "\r\na\r\n",
            "a\n\n\nb",
            "x \r y",
        ];
        let mut tera = tera::Tera::new();
        tera.register_filter("lines", lines);
        for note in notes {
            let mut context = tera::Context::new();
            context.insert("note", note);
            let expected = tera.render_str(chain, &context, false).unwrap();
            let actual = tera
                .render_str(r#"{{ note | lines | join(sep="|") }}"#, &context, false)
                .unwrap();
            assert_eq!(actual, expected, "{note:?}");
        }
    }

    #[test]
    fn only_web_addresses_are_web_addresses() {
        let tera = build_engine(LANGUAGES[0]);
        for (href, expected) in [
            ("https://pay.example/i/1", "link"),
            ("http://pay.example", "link"),
            ("javascript:alert(1)", "text"),
            ("HTTPS://pay.example", "text"),
            (" https://pay.example", "text"),
            ("", "text"),
        ] {
            let mut context = tera::Context::new();
            context.insert("href", href);
            let said = tera
                .render_str(r#"{{ "link" if href is web_address else "text" }}"#, &context, false)
                .unwrap();
            assert_eq!(said, expected, "{href:?}");
        }
    }
}
