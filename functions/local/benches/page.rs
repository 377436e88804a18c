//! The approval page in a real headless Chromium, beside the native renderer, in one run: time from page
//! load to the first visible preview, and the WASM render per note keystroke against a native render of the
//! same draft with the same note.
//!
//!   cargo bench -p kindly-local --bench page
//!   (needs Chromium — KINDLY_CHROMIUM, default /usr/bin/chromium — and `npm ci --prefix tests/browser`)

use kindly_core::{ReminderStatus, Store};
use kindly_local::sqlite_store::SqliteStore;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

#[path = "../tests/common/mod.rs"]
mod common;
use common::kindly;

const KEYSTROKES: usize = 40;
/// The note tests/browser/page-timing.mjs types (given as `--text`), one character per keystroke.
const TYPED: &str =
    "Thank you for the quick call earlier today; as agreed, we will wait for the transfer until Friday. ";

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn numbers(value: &serde_json::Value) -> Vec<f64> {
    value
        .as_array()
        .unwrap()
        .iter()
        .filter_map(serde_json::Value::as_f64)
        .collect()
}

fn main() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = tempfile::tempdir().unwrap();
    let demo = kindly(dir.path())
        .args(["demo", "--today", "2026-11-24"])
        .output()
        .unwrap();
    assert!(demo.status.success(), "{}", String::from_utf8_lossy(&demo.stderr));
    let mut server = kindly(dir.path())
        .args(["serve", "--port", "0"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let login = BufReader::new(server.stdout.take().unwrap())
        .lines()
        .map(Result::unwrap)
        .find(|line| line.contains("/login?token="))
        .expect("a login link");
    let timed = Command::new("node")
        .arg(repo.join("tests/browser/page-timing.mjs"))
        .args([
            "--login",
            login.trim(),
            "--text",
            TYPED,
            "--keystrokes",
            &KEYSTROKES.to_string(),
            "--loads",
            "5",
        ])
        .output()
        .expect("run node");
    let _ = server.kill();
    let _ = server.wait();
    assert!(timed.status.success(), "{}", String::from_utf8_lossy(&timed.stderr));
    let page: serde_json::Value = serde_json::from_slice(&timed.stdout).expect("the timings are JSON");

    // The page shows the first draft of the list first; render it natively with the note typed so far.
    let store = SqliteStore::open(&dir.path().join("kindly.db")).unwrap();
    let drafts = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(store.reminders_with_status(ReminderStatus::PendingApproval))
        .unwrap();
    let mut context = drafts.into_iter().find_map(|r| r.draft).expect("a draft").context;
    let mut native = Vec::with_capacity(KEYSTROKES * 50);
    for round in 0..50 {
        for typed in 1..=KEYSTROKES {
            context.personal_note = Some(TYPED[..typed].to_owned());
            let started = Instant::now();
            let rendered = kindly_render::render(&context).unwrap();
            if round > 0 {
                native.push(started.elapsed().as_secs_f64() * 1000.0);
            }
            std::hint::black_box(rendered);
        }
    }

    // Native, as the page does it: the message prepared once, then only the note per keystroke.
    let prepared = kindly_render::PreparedMessage::new(&context)
        .unwrap()
        .expect("the note can be placed");
    let mut native_note = Vec::with_capacity(KEYSTROKES * 50);
    for round in 0..50 {
        for typed in 1..=KEYSTROKES {
            let started = Instant::now();
            let parts = prepared.with_note(Some(&TYPED[..typed])).unwrap();
            if round > 0 {
                native_note.push(started.elapsed().as_secs_f64() * 1000.0);
            }
            std::hint::black_box(parts);
        }
    }

    let mut first = numbers(&page["firstPreviewMs"]);
    let mut looped = numbers(&page["loopMs"]);
    let (mut wasm, mut update) = (numbers(&page["renderMs"]), numbers(&page["updateMs"]));
    let loads = first.clone();
    let (wasm_median, native_median) = (median(&mut wasm), median(&mut native));
    println!(
        "page: first preview visible after {loads:.0?} ms (median {:.0} ms, target ≤ 300 ms)",
        median(&mut first)
    );
    println!(
        "page: per keystroke, WASM render median {wasm_median:.3} ms, render + DOM update median {:.3} ms ({} keystrokes)",
        median(&mut update),
        wasm.len()
    );
    let (looped_median, note_median) = (median(&mut looped), median(&mut native_note));
    println!(
        "page: the same renders back to back in the page, median {looped_median:.3} ms ({} renders)",
        looped.len()
    );
    println!(
        "native: the same draft and notes, full render (what the server does) median {native_median:.3} ms; \
         the page's way (prepared, note only) {note_median:.3} ms"
    );
    println!(
        "WASM keystroke render / native full render: per keystroke {:.2}×, back to back {:.2}× (target ≤ 2×); \
         like for like (note only, back to back) {:.2}×",
        wasm_median / native_median,
        looped_median / native_median,
        looped_median / note_median
    );
}
