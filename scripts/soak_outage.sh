#!/usr/bin/env bash
# Soak: tests/reliability_outage.rs scaled up, built in release, with its latency rule on.
# Eight traced servers (healthy, refused, black-hole and slow collectors, over gRPC and
# HTTP) take REQUESTS timed requests each in interleaved rounds; passes when every outage
# keeps p99 within healthy p99 x 1.1 + 2 ms (the timed part, which the default
# `cargo test` leaves out), every request is served 200, RSS grows < 50 MB after the
# warm-up while the collectors are down, and export resumes when the refused collectors
# come back on their ports.
#
#     scripts/soak_outage.sh                 # 100 000 requests per scenario
#     REQUESTS=20000 QUEUE=512 scripts/soak_outage.sh
set -euo pipefail
cd "$(dirname "$0")/.."

REQUESTS="${REQUESTS:-100000}"
QUEUE="${QUEUE:-2048}"

cargo test --release --locked -p baton --test reliability_outage --no-run
# Bounded: a fixed number of requests; each shutdown has a 2 s deadline.
BATON_OUTAGE_LATENCY_RULE=1 BATON_OUTAGE_REQUESTS="$REQUESTS" BATON_OUTAGE_QUEUE="$QUEUE" timeout 1800 \
    cargo test --release --locked -p baton --test reliability_outage -- --nocapture
