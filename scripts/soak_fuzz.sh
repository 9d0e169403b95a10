#!/usr/bin/env bash
# Soak: every cargo-fuzz target (baton-core's header parsers and the server layer's header
# handling) for a fixed time each, one after another, with the committed seeds. Exits
# non-zero on the first crash; the reproducer is left in fuzz/artifacts/<target>/.
#
#     scripts/soak_fuzz.sh                      # 600 s per target, every target
#     SECS=30 scripts/soak_fuzz.sh server_headers baggage
#     SECS=10 scripts/soak_fuzz.sh              # the short run CI does (scripts/fuzz_smoke.sh)
#
# cargo-fuzz passes nightly-only flags (-Zsanitizer=address and friends). The machine's one
# toolchain is stable, so the script lets it accept them (RUSTC_BOOTSTRAP=1) rather than
# needing a nightly install; set TOOLCHAIN=+nightly to use a nightly toolchain instead.
# cargo-fuzz itself is installed from crates.io when missing.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"

SECS="${SECS:-600}"
TOOLCHAIN="${TOOLCHAIN:-}"
if [ -z "$TOOLCHAIN" ]; then
    export RUSTC_BOOTSTRAP=1
fi
cargo fuzz --version >/dev/null 2>&1 || cargo install cargo-fuzz --locked
fuzz() {
    # shellcheck disable=SC2086 # TOOLCHAIN is empty or one word.
    cargo $TOOLCHAIN fuzz "$@"
}

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets < <(fuzz list)
fi

# Build every target first, outside the timed runs: a cold build of the fuzz workspace
# (sanitizer flags, so nothing is shared with the main target dir) takes minutes, and the
# per-target timeout below is meant for the run alone.
echo "== building ${#targets[@]} fuzz targets"
for target in "${targets[@]}"; do
    fuzz build "$target"
done

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
    # shellcheck disable=SC2086
    timeout "$((SECS + 300))" \
        cargo $TOOLCHAIN fuzz run "$target" "corpus/$target" "${seeds[@]}" -- \
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
