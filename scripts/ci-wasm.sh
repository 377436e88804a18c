#!/usr/bin/env bash
# Build the renderer for the browser and prove that it renders exactly what the server renders.
#
#   1. wasm-bindgen-cli at the wasm-bindgen version in Cargo.lock (installed only when missing or different)
#   2. kindly-render as a wasm32 cdylib: the release profile at opt-level "z" (size matters more than speed
#      here) and unstripped, so that wasm-bindgen sees the module's target features; it drops the names
#   3. wasm-bindgen: render-wasm/pkg-node (node, for the parity test) and render-wasm/pkg (the browser page)
#   4. wasm-opt -Oz when it is installed, kept only where it makes the gzipped module smaller
#   5. the gzipped size, checked against the budget
#   6. node renders every fixture with the module (tests/wasm-parity/parity.mjs), then the Rust test
#      render-wasm/tests/wasm_parity.rs compares every render with the native one, byte for byte
#
# Idempotent, and runs from a fresh clone. Honours CARGO_TARGET_DIR (default: ./target).
set -euo pipefail

cd "$(dirname "$0")/.."
repo=$PWD
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$repo/target}
budget_bytes=$((250 * 1024))
node_pkg=$repo/render-wasm/pkg-node
web_pkg=$repo/render-wasm/pkg
results=$CARGO_TARGET_DIR/wasm-parity/results.json

step() { printf '\n== %s\n' "$*"; }
gzipped_size() { gzip -9 -c "$1" | wc -c; }

step "tools"
rustup target add wasm32-unknown-unknown >/dev/null
wasm_bindgen_version=$(awk '$0 == "name = \"wasm-bindgen\"" { getline; gsub(/^version = "|"$/, ""); print; exit }' Cargo.lock)
if [ -z "$wasm_bindgen_version" ]; then
    echo "no wasm-bindgen in Cargo.lock" >&2
    exit 1
fi
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $wasm_bindgen_version" ]; then
    # --locked builds the CLI with the versions its authors tested; if the registry cannot serve one of
    # them, the newest compatible versions still give the same wasm-bindgen.
    cargo install wasm-bindgen-cli --version "$wasm_bindgen_version" --locked --force ||
        cargo install wasm-bindgen-cli --version "$wasm_bindgen_version" --force
fi
wasm-bindgen --version
if ! command -v node >/dev/null; then
    apt-get update && apt-get install -y nodejs
fi
node --version

step "build kindly-render for wasm32"
CARGO_PROFILE_RELEASE_OPT_LEVEL=z CARGO_PROFILE_RELEASE_STRIP=false \
    cargo rustc -p kindly-render --lib --target wasm32-unknown-unknown --release --crate-type cdylib
wasm=$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/kindly_render.wasm

step "wasm-bindgen"
rm -rf "$node_pkg" "$web_pkg"
for target in nodejs web; do
    out=$([ "$target" = nodejs ] && echo "$node_pkg" || echo "$web_pkg")
    wasm-bindgen --target "$target" --remove-name-section --remove-producers-section --out-dir "$out" "$wasm"
done

step "wasm-opt"
if command -v wasm-opt >/dev/null; then
    wasm-opt --version
    for pkg in "$node_pkg" "$web_pkg"; do
        module=$pkg/kindly_render_bg.wasm
        # Rust's default wasm32 features; older binaryen releases reject modules that use them unannounced.
        wasm-opt -Oz --enable-bulk-memory --enable-sign-ext --enable-mutable-globals \
            --enable-nontrapping-float-to-int --enable-multivalue --enable-reference-types \
            "$module" -o "$module.opt"
        if [ "$(gzipped_size "$module.opt")" -lt "$(gzipped_size "$module")" ]; then
            mv "$module.opt" "$module"
            echo "$module: optimised"
        else
            rm "$module.opt"
            echo "$module: kept as wasm-bindgen wrote it (wasm-opt did not make it smaller gzipped)"
        fi
    done
else
    echo "wasm-opt not installed: skipped (optional)"
fi

step "size"
module=$web_pkg/kindly_render_bg.wasm
raw=$(wc -c <"$module")
gzipped=$(gzipped_size "$module")
printf '%s: %d bytes raw, %d bytes gzipped (budget %d)\n' "${module#"$repo"/}" "$raw" "$gzipped" "$budget_bytes"
if [ "$gzipped" -gt "$budget_bytes" ]; then
    echo "over the size budget" >&2
    exit 1
fi

step "render every fixture in node"
node tests/wasm-parity/parity.mjs "$node_pkg" "$results"

step "compare with native renders"
KINDLY_WASM_PARITY_OUT=$results cargo test -p kindly-render --test wasm_parity
