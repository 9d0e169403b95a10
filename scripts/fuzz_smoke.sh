#!/usr/bin/env bash
# The short fuzz run CI does: every cargo-fuzz target for 10 s (FUZZ_SECS to change it)
# from the committed seeds plus whatever corpus is on disk. Catches a parser that panics or
# overflows on inputs near the seeds; the long runs are scripts/soak_fuzz.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
SECS="${FUZZ_SECS:-10}" exec scripts/soak_fuzz.sh "$@"
