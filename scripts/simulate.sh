#!/usr/bin/env bash
# A deterministic simulation of kindly in operation (functions/sim): SEEDS worlds of 500 customers in 28
# time zones, DAYS days each, the real services on the SQLite store with the seed's faults, customers who
# answer and staff who settle their answers, the mail system's feedback (bounces, complaints) and staff who
# fix contacts, replies and out-of-office notes, early-payment discounts paid in time or just after, payment
# plans kept or broken, contracts that charge interest, one conversation per customer, and the twenty-one
# promises checked after every step.
# Prints each violation with its seed and trace, seeds per minute and the slowest seed, and ends with
# `simulated SEEDS seeds × DAYS days: V violations`; exits 1 on any.
#   ./scripts/simulate.sh [SEEDS] [DAYS] [FIRST_SEED] [--no-faults] [--excerpt N] [--customers N]
#                         [--store sqlite|dynamo]                                   (defaults: 20 365 1)
# --no-faults leaves out every injected fault (what remains are the rules' own defects); --excerpt sets how
# many trace lines each violation shows (12). --store dynamo runs on the DynamoDB store over the local AWS
# stand-in (started here, as the test command does; KINDLY_MOTO_PORT picks its port), e.g.
#   ./scripts/simulate.sh 1 30 --store dynamo
set -euo pipefail
cd "$(dirname "$0")/.."

features=()
for arg in "$@"; do
  if [ "$arg" = dynamo ]; then
    features=(--features dynamo)
    source scripts/stand-in.sh
  fi
done
# The bench profile: optimised like release, without the slow fat LTO.
cargo run --quiet --profile bench -p kindly-sim "${features[@]}" --bin kindly-sim -- "$@"
