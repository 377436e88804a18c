//! The README's shapes are the served ones. Every body the README writes for an `/api/` route (in the routes
//! table and under "Shapes") is read into the set of its field paths (`drafts[].customer.id`), and compared
//! with the paths of a sample of the wire struct that route sends or takes. A field on one side only fails,
//! naming the route, the side and the field.

mod samples;

use samples::samples;
use serde_json::Value;
use std::collections::BTreeSet;

const README: &str = include_str!("../../README.md");

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Side {
    Request,
    Response,
}

/// The field paths of a shape, and the paths whose insides are not spelled out (`{ …in words… }`, a field
/// with no example value, a map keyed by data such as `{"pi_…": "120.00"}`).
#[derive(Debug, Default, PartialEq)]
struct Fields {
    paths: BTreeSet<String>,
    open: BTreeSet<String>,
}

/// Reads the README's relaxed JSON: `"…" or null` and `"a" | "b"` alternatives, words for values
/// (`[reminder ids]`), `{ …words… }` objects and `{"id", "status"}` fields without a value.
struct Shape<'a> {
    text: &'a [u8],
    at: usize,
    fields: Fields,
}

impl Shape<'_> {
    fn read(text: &str) -> Fields {
        let mut shape = Shape {
            text: text.as_bytes(),
            at: 0,
            fields: Fields::default(),
        };
        shape.value("");
        shape.skip_space();
        assert_eq!(shape.at, shape.text.len(), "the shape ends where it should: {text}");
        shape.fields
    }

    fn peek(&mut self) -> Option<u8> {
        self.skip_space();
        self.text.get(self.at).copied()
    }

    fn skip_space(&mut self) {
        while self.text.get(self.at).is_some_and(u8::is_ascii_whitespace) {
            self.at += 1;
        }
    }

    fn expect(&mut self, byte: u8) {
        assert_eq!(
            self.peek(),
            Some(byte),
            "`{}` at byte {} of {:?}",
            byte as char,
            self.at,
            self.rest()
        );
        self.at += 1;
    }

    fn rest(&self) -> String {
        String::from_utf8_lossy(&self.text[self.at..]).into_owned()
    }

    /// A value and any alternatives after it (`or null`), up to the next `,`, `}` or `]`.
    fn value(&mut self, path: &str) {
        match self.peek() {
            Some(b'{') => self.object(path),
            Some(b'[') => self.array(path),
            _ => self.word(),
        }
        while !matches!(self.peek(), None | Some(b',' | b'}' | b']')) {
            self.word();
        }
    }

    /// A string, or a run of anything else that is not punctuation.
    fn word(&mut self) {
        if self.peek() == Some(b'"') {
            self.string();
        } else {
            let start = self.at;
            while !matches!(self.text.get(self.at), None | Some(b',' | b'}' | b']' | b'"')) {
                self.at += 1;
            }
            assert!(self.at > start, "a value at {:?}", self.rest());
        }
    }

    fn string(&mut self) -> String {
        self.expect(b'"');
        let start = self.at;
        while self.text[self.at] != b'"' {
            self.at += 1;
        }
        self.at += 1;
        String::from_utf8(self.text[start..self.at - 1].to_vec()).unwrap()
    }

    fn object(&mut self, path: &str) {
        self.expect(b'{');
        if self.peek() != Some(b'"') {
            // `{ …described in words… }` or `{}`: nothing inside is spelled out.
            self.fields.open.insert(path.to_owned());
            let mut depth = 1;
            while depth > 0 {
                match self.text[self.at] {
                    b'{' => depth += 1,
                    b'}' => depth -= 1,
                    _ => {}
                }
                self.at += 1;
            }
            return;
        }
        loop {
            let key = self.string();
            let inner = if path.is_empty() {
                key.clone()
            } else {
                format!("{path}.{key}")
            };
            if key.contains('…') {
                // A map keyed by data: its keys are examples, not fields.
                self.fields.open.insert(path.to_owned());
            } else {
                self.fields.paths.insert(inner.clone());
            }
            if self.peek() == Some(b':') {
                self.at += 1;
                self.value(&inner);
            } else {
                self.fields.open.insert(inner);
            }
            match self.peek() {
                Some(b',') => self.at += 1,
                _ => break,
            }
        }
        self.expect(b'}');
    }

    fn array(&mut self, path: &str) {
        self.expect(b'[');
        let inner = format!("{path}[]");
        if self.peek() == Some(b']') {
            // `[]`: no example of what a list holds.
            self.fields.open.insert(path.to_owned());
        }
        while self.peek() != Some(b']') {
            self.value(&inner);
            if self.peek() == Some(b',') {
                self.at += 1;
            }
        }
        self.expect(b']');
    }
}

/// The field paths of a served value.
fn served(value: &Value) -> BTreeSet<String> {
    fn walk(value: &Value, path: &str, into: &mut BTreeSet<String>) {
        match value {
            Value::Object(map) => {
                for (key, inner) in map {
                    let inner_path = if path.is_empty() {
                        key.clone()
                    } else {
                        format!("{path}.{key}")
                    };
                    into.insert(inner_path.clone());
                    walk(inner, &inner_path, into);
                }
            }
            Value::Array(items) => items.iter().for_each(|item| walk(item, &format!("{path}[]"), into)),
            _ => {}
        }
    }
    let mut paths = BTreeSet::new();
    walk(value, "", &mut paths);
    paths
}

/// The code spans of a line of Markdown.
fn spans(line: &str) -> Vec<&str> {
    line.split('`').skip(1).step_by(2).collect()
}

/// A span that is a body: a JSON object, perhaps after a `200` status. Other statuses are errors, whose
/// shape `src/error.rs` owns.
fn body_of(span: &str) -> Option<&str> {
    let span = span.strip_prefix("200 ").unwrap_or(span);
    span.starts_with('{').then_some(span)
}

/// Every body the README writes for an `/api/` route, with the route and the side it is on.
fn documented(readme: &str) -> Vec<(String, Side, String)> {
    let mut found = Vec::new();
    let lines: Vec<&str> = readme.lines().collect();
    for (index, line) in lines.iter().enumerate() {
        // A row of the routes table: `| `GET /api/…` | what, with the bodies |`.
        if let Some(row) = line.strip_prefix("| `") {
            let Some((route, what)) = row.split_once("` | ") else {
                continue;
            };
            if !route.contains(" /api/") {
                continue;
            }
            let (before, after) = what.split_once('→').unwrap_or(if route.starts_with("GET ") {
                ("", what)
            } else {
                (what, "")
            });
            for (side, text) in [(Side::Request, before), (Side::Response, after)] {
                for shape in spans(text).into_iter().filter_map(body_of) {
                    found.push((route.to_owned(), side, shape.to_owned()));
                }
            }
        }
        // Under "Shapes": "`GET /api/…` →" then the answer on the line, or in the JSON block that follows.
        if let Some((route, after)) = line.strip_prefix('`').and_then(|line| line.split_once("` →")) {
            if !route.contains(" /api/") {
                continue;
            }
            let inline: Vec<&str> = spans(after).into_iter().filter_map(body_of).collect();
            if inline.is_empty() {
                let block: Vec<&str> = lines[index + 1..]
                    .iter()
                    .skip_while(|line| line.trim() != "```json")
                    .skip(1)
                    .take_while(|line| line.trim() != "```")
                    .copied()
                    .collect();
                assert!(!block.is_empty(), "`{route}` → is followed by a JSON block");
                found.push((route.to_owned(), Side::Response, block.join("\n")));
            }
            for shape in inline {
                found.push((route.to_owned(), Side::Response, shape.to_owned()));
            }
        }
    }
    found
}

/// The paths of `fields` that `served` lacks and the paths `served` has that `fields` does not list
/// (leaving out what is inside an object the README describes in words).
fn differences(fields: &Fields, served: &BTreeSet<String>) -> (Vec<String>, Vec<String>) {
    let described = |path: &String| {
        fields.open.iter().any(|open| {
            path.strip_prefix(open.as_str())
                .is_some_and(|rest| open.is_empty() || rest.starts_with(['.', '[']))
        })
    };
    let missing = fields.paths.difference(served).cloned().collect();
    let undocumented = served
        .difference(&fields.paths)
        .filter(|path| !described(path))
        .cloned()
        .collect();
    (missing, undocumented)
}

#[test]
fn every_documented_shape_is_the_served_one() {
    let samples = samples();
    let mut problems = Vec::new();
    for (route, side, shape) in documented(README) {
        let Some(sample) = samples.get(&(route.as_str(), side)) else {
            problems.push(format!(
                "{route} ({side:?}): documented, but no wire struct is sampled for it"
            ));
            continue;
        };
        let (missing, undocumented) = differences(&Shape::read(&shape), &served(sample));
        for path in missing {
            problems.push(format!(
                "{route} ({side:?}): the README lists `{path}`, the struct has no such field"
            ));
        }
        for path in undocumented {
            problems.push(format!(
                "{route} ({side:?}): the struct has `{path}`, the README does not list it"
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "the README and src/wire.rs disagree:\n{}",
        problems.join("\n")
    );
}

#[test]
fn every_wire_struct_is_documented() {
    let documented: BTreeSet<(String, Side)> = documented(README)
        .into_iter()
        .map(|(route, side, _)| (route, side))
        .collect();
    let undocumented: Vec<_> = samples()
        .into_keys()
        .filter(|(route, side)| !documented.contains(&(route.to_string(), *side)))
        .collect();
    assert!(
        undocumented.is_empty(),
        "served but not in the README: {undocumented:?}"
    );
}

#[test]
fn the_reader_finds_fields_at_every_depth_and_leaves_described_ones_open() {
    let fields = Shape::read(
        r#"{"id", "a": [{"b": "…" or null, "c": {"pi_…": "1"}}], "d": { …in words… }, "e": "x" | "y", "f": [ids], "g": []}"#,
    );
    let paths: Vec<&str> = fields.paths.iter().map(String::as_str).collect();
    assert_eq!(paths, ["a", "a[].b", "a[].c", "d", "e", "f", "g", "id"]);
    let open: Vec<&str> = fields.open.iter().map(String::as_str).collect();
    assert_eq!(open, ["a[].c", "d", "g", "id"]);
}

#[test]
fn a_field_on_one_side_only_is_named() {
    // GIVEN a documented answer WHEN the struct gains a field, or the README one, THEN each is named.
    let documented = Shape::read(r#"{"id": "rem_…", "status": "sent", "customer": {"id", "name"}}"#);
    let mut served_value = serde_json::json!({"id": "r", "status": "sent", "customer": {"id": "C1"}});
    served_value["added"] = Value::Bool(true);
    let (missing, undocumented) = differences(&documented, &served(&served_value));
    assert_eq!(missing, ["customer.name"]);
    assert_eq!(undocumented, ["added"]);
}

#[test]
fn the_readme_documents_every_body_it_promises() {
    // The reader finds the tables and the blocks: a README reshuffled out of its reach fails here.
    let found = documented(README);
    assert!(found.len() >= 20, "found only {} shapes: {found:?}", found.len());
}
