#!/usr/bin/env bash
# Soak: every cargo-fuzz target (baton-core's header parsers and the server layer's header
# handling) for a fixed time each, one after another, with the committed seeds. Needs a
# nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`). Exits non-zero on the
# first crash; the reproducer is left in fuzz/artifacts/<target>/.
#
#     scripts/soak_fuzz.sh                      # 600 s per target, every target
#     SECS=30 scripts/soak_fuzz.sh server_headers baggage
set -euo pipefail
cd "$(dirname "$0")/../fuzz"

SECS="${SECS:-600}"
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets < <(cargo +nightly fuzz list)
fi

for target in "${targets[@]}"; do
    mkdir -p "corpus/$target"
    seeds=()
    if [ -d "seeds/$target" ]; then
        seeds=("seeds/$target")
    fi
    echo "== $target: ${SECS}s"
    log="$(mktemp)"
    # Bounded: libFuzzer stops itself after -max_total_time; timeout is the backstop.
    status=0
    timeout "$((SECS + 300))" \
        cargo +nightly fuzz run "$target" "corpus/$target" "${seeds[@]}" -- \
        -max_total_time="$SECS" -max_len=65536 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        >"$log" 2>&1 || status=$?
    grep -E "^(Done |stat::number_of_executed_units|stat::peak_rss_mb|SUMMARY)|panicked|ERROR: libFuzzer" "$log" || true
    if [ "$status" -ne 0 ]; then
        tail -50 "$log"
        echo "== $target FAILED (exit $status)"
        exit "$status"
    fi
    rm -f "$log"
done
