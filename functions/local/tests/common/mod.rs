//! What the end-to-end tests that drive the real `kindly` binary share (benches/page.rs includes it too).

use std::path::Path;
use std::process::Command;

/// The real `kindly` on `dir`'s database and outbox, without a policy file taken from the environment.
pub fn kindly(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kindly"));
    command
        .arg("--db")
        .arg(dir.join("kindly.db"))
        .arg("--outbox")
        .arg(dir.join("outbox"))
        .env_remove("KINDLY_POLICY");
    command
}

/// The browser's path from `KINDLY_CHROMIUM`; without it a browser test says how to get one.
#[allow(dead_code)] // the page bench falls back to /usr/bin/chromium instead
pub fn chromium() -> String {
    std::env::var("KINDLY_CHROMIUM").expect(
        "KINDLY_CHROMIUM is not set: run ./scripts/test.sh, or install Chromium, run `npm ci --prefix \
         tests/browser` and export KINDLY_CHROMIUM=/usr/bin/chromium",
    )
}
