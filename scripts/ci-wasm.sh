#!/usr/bin/env bash
# Prove that the renderer the approval page serves renders exactly what the server renders.
#
#   1. export the page's renderer: functions/web/build.rs builds kindly-render for wasm32 (release,
#      opt-level "z") and generates its browser module with wasm-bindgen's library, at the wasm-bindgen
#      version in Cargo.lock; the router embeds both files, and an example writes them out
#   2. the gzipped size of the wasm, checked against the budget
#   3. node loads that very module, renders every fixture with every stage template
#      (tests/wasm-parity/parity.mjs), then the Rust test render-wasm/tests/wasm_parity.rs compares every
#      render with the native one, byte for byte (ignored in a plain `cargo test`, which has no WASM renders;
#      run here with --ignored, and this script fails unless it ran and passed)
#
# Idempotent, and runs from a fresh clone. Honours CARGO_TARGET_DIR (default: ./target).
set -euo pipefail

cd "$(dirname "$0")/.."
repo=$PWD
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$repo/target}
budget_bytes=$((250 * 1024))
renderer=$CARGO_TARGET_DIR/page-renderer
results=$CARGO_TARGET_DIR/wasm-parity/results.json

step() { printf '\n== %s\n' "$*"; }

step "tools"
rustup target add wasm32-unknown-unknown >/dev/null
if ! command -v node >/dev/null; then
    apt-get update && apt-get install -y nodejs
fi
node --version

step "the page's renderer"
rm -rf "$renderer"
cargo run --quiet --locked -p kindly-web --example export_renderer -- "$renderer"
ls -l "$renderer"

step "size"
module=$renderer/kindly_render_bg.wasm
raw=$(wc -c <"$module")
gzipped=$(gzip -9 -c "$module" | wc -c)
printf 'kindly_render_bg.wasm: %d bytes raw, %d bytes gzipped (budget %d)\n' "$raw" "$gzipped" "$budget_bytes"
if [ "$gzipped" -gt "$budget_bytes" ]; then
    echo "over the size budget" >&2
    exit 1
fi

step "render every fixture in node"
rm -f "$results"
node tests/wasm-parity/parity.mjs "$renderer" "$results"

step "compare with native renders"
test -s "$results" || { echo "no WASM renders at $results" >&2; exit 1; }
log=$CARGO_TARGET_DIR/wasm-parity/test.log
KINDLY_WASM_PARITY_OUT=$results cargo test --locked -p kindly-render --test wasm_parity -- --ignored --exact \
    wasm_renders_every_fixture_byte_for_byte_like_native 2>&1 | tee "$log"
# A renamed test would match nothing and "pass": the comparison must have run.
grep -q '^test wasm_renders_every_fixture_byte_for_byte_like_native \.\.\. ok$' "$log" || {
    echo "the parity comparison did not run" >&2
    exit 1
}
