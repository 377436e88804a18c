#!/usr/bin/env bash
# Run every benchmark (not part of the test command: they take minutes and report figures, they do not
# pass or fail). Starts the local AWS stand-in like the test command does.
#   ./scripts/bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/stand-in.sh

# First while the stand-in is fresh: its TransactWriteItems slows down as it holds more data.
printf '\n==> send pacing against a throttling SES stand-in (kindly-aws)\n'
cargo bench -p kindly-aws --bench send_pacing
printf '\n==> plan and render (kindly-core)\n'
cargo bench -p kindly-core --bench plan_and_render
printf '\n==> render per fixture (kindly-render)\n'
cargo bench -p kindly-render --bench render
printf '\n==> cost of a pass on DynamoDB (kindly-aws; KINDLY_BENCH_INVOICES / KINDLY_BENCH_DUE)\n'
cargo bench -p kindly-aws --bench pass_cost
printf '\n==> Lambda start-up: process start to the first /runtime/invocation/next (kindly-aws)\n'
cargo bench -p kindly-aws --bench lambda_start

printf '\n==> the approval page in headless Chromium beside native renders (kindly-local)\n'
cargo bench -p kindly-local --bench page
printf '\n==> Stripe webhook handling, 10,000 signed events over a socket (kindly-local)\n'
cargo bench -p kindly-local --bench webhook

printf '\n==> the simulation: seeds per minute and the slowest seed (KINDLY_BENCH_SEEDS, default 10 seeds x 365 days)\n'
# It reports its violations too; the bench reports figures and does not fail on them.
./scripts/simulate.sh "${KINDLY_BENCH_SEEDS:-10}" 365 --excerpt 0 | tail -n 3 || true

printf '\n==> Lambda release zips (cargo lambda build --release --arm64; target <= 6 MB each)\n'
python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore cargo-lambda
cargo lambda build --release --arm64 -p kindly-aws --bin scan --bin send --bin events --output-format zip
cargo lambda build --release --arm64 -p kindly-approvals --bin approvals --bin webhook --output-format zip
for function in scan send events approvals webhook; do
  zip=target/lambda/$function/bootstrap.zip
  printf '%s: %s bytes zipped, %s bytes unzipped\n' "$function" "$(wc -c <"$zip")" \
    "$(unzip -l "$zip" | awk 'END { print $1 }')"
done
