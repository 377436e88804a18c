#!/usr/bin/env bash
# A deterministic simulation of kindly in operation (functions/sim): SEEDS worlds of 500 customers in 28
# time zones, DAYS days each, the real services on the SQLite store with the seed's faults, and the six
# promises checked after every step. Prints each violation with its seed and trace, seeds per minute and
# the slowest seed, and ends with `simulated SEEDS seeds × DAYS days: V violations`; exits 1 on any.
#   ./scripts/simulate.sh [SEEDS] [DAYS] [FIRST_SEED]     (defaults: 20 365 1)
set -euo pipefail
cd "$(dirname "$0")/.."

seeds="${1:-20}"
days="${2:-365}"
first="${3:-1}"
# The bench profile: optimised like release, without the slow fat LTO.
exec cargo run --quiet --profile bench -p kindly-sim --bin kindly-sim -- "$seeds" "$days" "$first"
