#!/usr/bin/env bash
# Runs every test of the workspace on a fresh machine: sets up what the tests need first
# (the Python virtualenv with OpenTelemetry Python, the Go peer, Jaeger), then runs unit,
# integration, bench-smoke and doc tests.
set -euo pipefail
cd "$(dirname "$0")/.."

# OpenTelemetry Python, the other implementation the interop tests talk to.
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv || {
        echo "scripts/test.sh: python3 -m venv failed: the interop tests need Python 3 with venv" \
             "(Debian: apt-get install python3-venv)" >&2
        exit 1
    }
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r tests/interop/requirements.txt

# The Go peer of the interop tests (OpenTelemetry Go with otelhttp and otelgrpc, from the Go
# module proxy),
# built once and cached outside the repository; fails, naming what to install, without Go.
scripts/go_peer.sh >/dev/null

# Jaeger v2, the backend of the end-to-end export tests, built from the Go module proxy
# (about ten minutes the first time on two cores) and cached outside the repository.
scripts/jaeger.sh >/dev/null

# Unit and integration tests, plus each bench run once as a test so benches keep compiling
# and working; then the doc examples.
cargo test --workspace --all-features --all-targets --locked
cargo test --workspace --all-features --doc --locked

# Builds with some features left out compile too (CI otherwise builds everything on):
# the terminal waterfall without the logs setup, and the logs setup with no exporter.
cargo check --locked --quiet -p baton-sdk --no-default-features --features waterfall
cargo check --locked --quiet -p baton-sdk --no-default-features --features logs
# The layers without baton-sdk, as users of their own SDK build them: baton-core's metrics
# without bound instruments (every workspace build above has them on).
cargo test --locked --quiet -p baton-core --lib
