#!/usr/bin/env bash
# Run every kindly test, installing what the tests need first (idempotently).
#   ./scripts/test.sh
# Steps: toolchain + wasm target, Node.js, Chromium and the browser test's packages (tests/browser), the
# local AWS stand-in (moto, from tests/requirements.txt; started on 127.0.0.1 and stopped on exit),
# cfn-lint on the SAM template, the holidays data against its source package (tests/holidays_match.py),
# formatting, clippy (warnings are errors), the workspace's tests (the approval page's end-to-end test
# runs in headless Chromium), the message linter over the golden messages (hunspell with Debian's en_US and
# de_DE dictionaries, reading grades with textstat, required facts per stage), the simulation (seeds 1-4 × 365 days with faults; a fault-free DynamoDB run
# against the SQLite trace), then the WebAssembly build and the native-vs-WASM byte-parity test
# (scripts/ci-wasm.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

# A test run builds once from scratch in CI: incremental caches would only take disk space.
export CARGO_INCREMENTAL=${CARGO_INCREMENTAL:-0}
df -h . | tail -1 | awk '{print "disk: " $4 " free before the build"}'

step "toolchain (rust-toolchain.toml) and the wasm32 target"
rustup show active-toolchain >/dev/null 2>&1 || rustup toolchain install
rustup target add wasm32-unknown-unknown >/dev/null

if ! command -v node >/dev/null 2>&1; then
  step "installing Node.js (runs the WASM parity test and drives the browser test)"
  apt-get update -qq && apt-get install -y -qq nodejs >/dev/null
fi

step "Chromium and the browser tests' packages (playwright-core, axe-core from tests/browser/package-lock.json)"
command -v npm >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq npm >/dev/null; }
chromium=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chromium" ]; then
  apt-get update -qq && apt-get install -y -qq chromium >/dev/null
  chromium=$(command -v chromium)
fi
export KINDLY_CHROMIUM=$chromium
"$KINDLY_CHROMIUM" --version
npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error

step "the local AWS stand-in (moto's server: DynamoDB and SES v2 on 127.0.0.1)"
source scripts/stand-in.sh

step "the SAM template (infra/template.yaml): cfn-lint, SAM transform included"
cfn-lint infra/template.yaml

step "public holidays: functions/core/data/holidays.tsv against the holidays package it came from"
python3 tests/holidays_match.py

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy (warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "cargo test"
cargo test --workspace --locked

step "the message linter: spelling, reading grade and required facts of every golden message"
# hunspell and Debian's dictionaries; the linter fails (never skips) if any of them is missing.
if ! command -v hunspell >/dev/null 2>&1 || [ ! -f /usr/share/hunspell/en_US.dic ] || [ ! -f /usr/share/hunspell/de_DE.dic ]; then
  apt-get update -qq && apt-get install -y -qq hunspell hunspell-en-us hunspell-de-de >/dev/null
fi
python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore -r render-wasm/tests/lint/requirements.txt
python3 render-wasm/tests/lint/lint_messages.py

step "the simulation: seeds 1-4, a year each, with faults (any violation fails)"
./scripts/simulate.sh 4 365 1

step "the simulation on the DynamoDB store: a fault-free run replays the SQLite trace"
cargo test -p kindly-sim --features dynamo --locked --test simulation -- without_faults_the_dynamodb_store

step "the page's WebAssembly renderer: size and native/WASM parity"
bash scripts/ci-wasm.sh

step "done"
du -sh "${CARGO_TARGET_DIR:-target}" | awk '{print "target/ holds " $1}'
