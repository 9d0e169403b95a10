#!/usr/bin/env bash
# Soak: the timed half of tests/reliability_hostile.rs, in release. Ten times the hostile
# input (baggage members, tracestate headers and members, oversize traceparent, a captured
# header full of `http:// `) must cost baton's server layer less than twenty times the
# time; linear work gives about ten, quadratic a hundred. A wall-clock ratio, so the
# default `cargo test` skips it (`#[ignore]`); this script runs it on its own, so nothing
# else competes for the cores.
#
#     scripts/soak_hostile.sh
set -euo pipefail
cd "$(dirname "$0")/.."

cargo test --release --locked -p baton --test reliability_hostile --no-run
# Bounded: five pairs of inputs, 32 samples of 10 calls each.
timeout 600 cargo test --release --locked -p baton --test reliability_hostile -- \
    --ignored --exact header_work_is_linear_in_the_input --nocapture
