#!/usr/bin/env bash
# Run every benchmark (not part of the test command: they take minutes and report figures, they do not
# pass or fail). Starts the local AWS stand-in like the test command does.
#   ./scripts/bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/stand-in.sh

printf '\n==> plan and render (kindly-core)\n'
cargo bench -p kindly-core --bench plan_and_render
printf '\n==> render per fixture (kindly-render)\n'
cargo bench -p kindly-render --bench render
printf '\n==> cost of a pass on DynamoDB (kindly-aws; KINDLY_BENCH_INVOICES / KINDLY_BENCH_DUE)\n'
cargo bench -p kindly-aws --bench pass_cost
printf '\n==> Lambda start-up: process start to the first /runtime/invocation/next (kindly-aws)\n'
cargo bench -p kindly-aws --bench lambda_start
