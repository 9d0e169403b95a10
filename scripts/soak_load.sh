#!/usr/bin/env bash
# Soak: 60 s of maximum-rate requests over loopback through a traced axum server, every
# span sampled and exported over OTLP/gRPC to a live receiver in the same process.
# Passes when spans received = requests served, http.server.active_requests is back to 0,
# the request-duration count equals the requests, and RSS grew < 50 MB after the warm-up.
# This is tests/reliability_load.rs (5 s in CI) scaled up and built in release.
#
#     scripts/soak_load.sh                # 60 s, 10 s warm-up, 8 connections
#     SECS=300 CONCURRENCY=32 scripts/soak_load.sh
set -euo pipefail
cd "$(dirname "$0")/.."

SECS="${SECS:-60}"
WARMUP="${WARMUP:-10}"
CONCURRENCY="${CONCURRENCY:-8}"

cargo test --release --locked -p baton --test reliability_load --no-run
# Bounded: the test stops sending after $SECS and the guard's flush deadline is 30 s.
BATON_SOAK_SECS="$SECS" BATON_SOAK_WARMUP_SECS="$WARMUP" BATON_SOAK_CONCURRENCY="$CONCURRENCY" \
    timeout "$((SECS + 120))" \
    cargo test --release --locked -p baton --test reliability_load -- --nocapture
