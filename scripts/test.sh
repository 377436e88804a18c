#!/usr/bin/env bash
# Run every kindly test, installing what the tests need first (idempotently).
#   ./scripts/test.sh
# Steps: toolchain + wasm target, the local AWS stand-in (moto, from tests/requirements.txt; started on
# 127.0.0.1 and stopped on exit), formatting, clippy (warnings are errors), the workspace's tests, then the
# WebAssembly build and the native-vs-WASM byte-parity test (scripts/ci-wasm.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "toolchain (rust-toolchain.toml) and the wasm32 target"
rustup show active-toolchain >/dev/null 2>&1 || rustup toolchain install
rustup target add wasm32-unknown-unknown >/dev/null

if ! command -v node >/dev/null 2>&1; then
  step "installing Node.js (runs the WASM parity test)"
  apt-get update -qq && apt-get install -y -qq nodejs >/dev/null
fi

step "the local AWS stand-in (moto's server: DynamoDB and SES v2 on 127.0.0.1)"
python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore -r tests/requirements.txt
moto_port=${KINDLY_MOTO_PORT:-5055}
python3 tests/moto_serial.py "$moto_port" >"${TMPDIR:-/tmp}/kindly-moto.log" 2>&1 &
moto_pid=$!
trap 'kill "$moto_pid" 2>/dev/null || true' EXIT
export KINDLY_MOTO_URL="http://127.0.0.1:$moto_port"
for _ in $(seq 50); do
  curl -fs -o /dev/null "$KINDLY_MOTO_URL/moto-api/" && break
  kill -0 "$moto_pid" 2>/dev/null || { cat "${TMPDIR:-/tmp}/kindly-moto.log"; echo "moto_server did not start" >&2; exit 1; }
  sleep 0.2
done

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy (warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "cargo test"
cargo test --workspace --locked

step "WebAssembly build and native/WASM parity"
bash scripts/ci-wasm.sh
