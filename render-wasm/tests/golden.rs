//! Golden files: the messages a customer really receives, checked in under `tests/golden/` so that a change
//! to any message shows up as a reviewable diff, and read by the message linter
//! (`tests/lint/lint_messages.py`: spelling, reading grade, required facts).
//!
//! `tests/golden/{conversation}/{template}.txt` holds each ladder fixture rendered with its own stage: one
//! customer's conversation on each stage's real day. The hostile fixture, whose point is escaping rather than
//! realism, is rendered with every stage. The other hand-written fixtures combine facts no real message has
//! together (a final notice about an invoice due in three weeks); the behaviour tests use them, the golden
//! files do not.
//!
//! After an intended change: `KINDLY_UPDATE_GOLDEN=1 cargo test -p kindly-render --test golden`, then
//! read `git diff render-wasm/tests/golden`.

mod common;

use common::{Case, cases, fixture, ladder_fixtures};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const UPDATE_VAR: &str = "KINDLY_UPDATE_GOLDEN";

/// Hand-written fixtures that get a golden file for every stage.
const EVERY_STAGE: [&str; 1] = ["en-hostile"];

fn golden_cases() -> Vec<Case> {
    let every_stage = EVERY_STAGE
        .iter()
        .map(|name| ((*name).to_owned(), fixture(name)))
        .collect();
    cases(every_stage, ladder_fixtures())
}

#[test]
fn every_message_matches_its_golden_file() {
    let update = std::env::var_os(UPDATE_VAR).is_some();
    let mut problems = Vec::new();
    let mut expected_paths = BTreeSet::new();
    for case in golden_cases() {
        let path = golden_path(&case);
        let actual = golden_text(&case);
        let on_disk = std::fs::read_to_string(&path).ok();
        if update && on_disk.as_deref() != Some(actual.as_str()) {
            std::fs::create_dir_all(path.parent().expect("golden files sit in a folder")).unwrap();
            std::fs::write(&path, &actual).unwrap();
        } else if !update {
            match on_disk {
                None => problems.push(format!("{}: missing", relative(&path))),
                Some(expected) if expected != actual => {
                    problems.push(format!("{}: {}", relative(&path), first_difference(&expected, &actual)))
                }
                Some(_) => {}
            }
        }
        expected_paths.insert(path);
    }
    for stale in golden_files().into_iter().filter(|path| !expected_paths.contains(path)) {
        if update {
            std::fs::remove_file(&stale).unwrap();
        } else {
            problems.push(format!(
                "{}: no fixture or template renders it any more",
                relative(&stale)
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "{} golden file(s) out of date:\n  {}\nIf the change is intended, run `{UPDATE_VAR}=1 cargo test -p kindly-render --test golden` \
         and review `git diff render-wasm/tests/golden`.",
        problems.len(),
        problems.join("\n  ")
    );
}

#[test]
fn every_stage_has_a_real_message_in_every_language() {
    let ladder = ladder_fixtures();
    for language in kindly_render::LANGUAGES {
        for template in kindly_render::template_names() {
            let count = ladder
                .iter()
                .filter(|(_, context)| context.language == *language && context.template == template)
                .count();
            assert!(
                count >= 2,
                "{language} × {template}: {count} ladder fixture(s); one invoice and several expected"
            );
        }
    }
}

/// One file per message: headers first, then both bodies, so a diff reads like the email.
fn golden_text(case: &Case) -> String {
    let message = &case.message;
    format!(
        "Subject: {}\nContent-Hash: {}\n\n==== text/plain ====\n{}\n==== text/html ====\n{}",
        message.subject, message.content_hash, message.text, message.html
    )
}

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

fn golden_path(case: &Case) -> PathBuf {
    golden_dir().join(&case.fixture).join(format!("{}.txt", case.template))
}

fn golden_files() -> Vec<PathBuf> {
    let Ok(folders) = std::fs::read_dir(golden_dir()) else {
        return Vec::new();
    };
    folders
        .flatten()
        .filter_map(|folder| std::fs::read_dir(folder.path()).ok())
        .flat_map(|files| files.flatten().map(|file| file.path()))
        .collect()
}

fn relative(path: &Path) -> String {
    path.strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .unwrap_or(path)
        .display()
        .to_string()
}

fn first_difference(expected: &str, actual: &str) -> String {
    let mut expected_lines = expected.lines();
    let mut actual_lines = actual.lines();
    for number in 1.. {
        match (expected_lines.next(), actual_lines.next()) {
            (Some(want), Some(got)) if want == got => continue,
            (None, None) => return "differs only in line endings".to_owned(),
            (want, got) => {
                return format!(
                    "line {number} differs\n      expected: {}\n      actual:   {}",
                    want.unwrap_or("<end of file>"),
                    got.unwrap_or("<end of file>")
                );
            }
        }
    }
    unreachable!("the loop returns at the first difference")
}
