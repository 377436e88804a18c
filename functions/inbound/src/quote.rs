//! The part of a reply its writer wrote: without the quoted message below it, where mail programs mark it
//! in a way that can be told apart, and no longer than is worth keeping.

/// `text` without lines quoted with `>` and without everything from the line that introduces the quoted
/// original: an attribution (`On … wrote:`, `Am … schrieb …:`), a separator (`-----Original Message-----`,
/// `-----Ursprüngliche Nachricht-----`), or the header block Outlook puts above it (`From:`/`Von:` then
/// `Sent:`/`Gesendet:`). Runs of blank lines become one.
pub fn strip_quoted(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut kept = Vec::new();
    for (at, line) in lines.iter().enumerate() {
        if introduces_quote(&lines, at) {
            break;
        }
        let quoted = line.trim_start().starts_with('>');
        // HTML turned into text leaves a blank line per empty paragraph: one is enough.
        let repeated_blank = line.trim().is_empty() && kept.last().is_some_and(|last: &&str| last.trim().is_empty());
        if !quoted && !repeated_blank {
            kept.push(line.trim_end());
        }
    }
    kept.join("\n").trim().to_owned()
}

/// `text` cut to at most `max` bytes, at a character boundary.
pub fn limit(text: &str, max: usize) -> String {
    text[..text.floor_char_boundary(max)].to_owned()
}

fn introduces_quote(lines: &[&str], at: usize) -> bool {
    let line = lines[at].trim();
    let lower = line.to_lowercase();
    let next = next_filled(lines, at).map(str::trim);
    let next_lower = next.map(str::to_lowercase).unwrap_or_default();
    let ends_attribution = |l: &str| l.ends_with("wrote:") || (l.contains("schrieb") && l.ends_with(':'));
    // `On Mon, 9 Mar 2026 at 10:00, Northwind <billing@…> wrote:`, often wrapped onto a second line.
    let opens_attribution = (lower.starts_with("on ") || lower.starts_with("am "))
        && (ends_attribution(&lower) || ends_attribution(&next_lower));
    // `Northwind Billing <billing@…> wrote:` right above the quoted lines.
    let bare_attribution = ends_attribution(&lower) && next.is_some_and(|n| n.starts_with('>'));
    opens_attribution || bare_attribution || is_separator(&lower) || opens_header_block(lines, at)
}

fn is_separator(lower: &str) -> bool {
    const SEPARATORS: [&str; 5] = [
        "original message",
        "ursprüngliche nachricht",
        "originalnachricht",
        "forwarded message",
        "weitergeleitete nachricht",
    ];
    let inner = lower.trim_matches(|c: char| c == '-' || c.is_whitespace());
    lower.starts_with("--") && SEPARATORS.contains(&inner)
}

/// A `From:`/`Von:` line followed within a few lines by `Sent:`/`Gesendet:`/`Date:`/`Datum:`, or a line of
/// underscores right above one.
fn opens_header_block(lines: &[&str], at: usize) -> bool {
    let starts = |line: &str, names: &[&str]| {
        let lower = line.trim().trim_start_matches('*').to_lowercase();
        names.iter().any(|name| lower.starts_with(name))
    };
    let is_block = |at: usize| {
        starts(lines[at], &["from:", "von:"])
            && lines[at + 1..]
                .iter()
                .take(4)
                .any(|line| starts(line, &["sent:", "gesendet:", "date:", "datum:"]))
    };
    let line = lines[at].trim();
    is_block(at) || (line.len() >= 10 && line.chars().all(|c| c == '_') && next_index(lines, at).is_some_and(is_block))
}

fn next_index(lines: &[&str], at: usize) -> Option<usize> {
    (at + 1..lines.len()).find(|&i| !lines[i].trim().is_empty())
}

fn next_filled<'a>(lines: &[&'a str], at: usize) -> Option<&'a str> {
    next_index(lines, at).map(|i| lines[i])
}

#[cfg(test)]
#[path = "quote_tests.rs"]
mod tests;
