#!/usr/bin/env bash
# Instructions and allocations per request, counted by callgrind, for baton's server layer
# and client middleware and for the crates users trace with today, side by side.
#
#   scripts/bench_instructions.sh                 # every case (per_request list)
#   scripts/bench_instructions.sh bare baton_sampled_nometrics
#   N=5000 scripts/bench_instructions.sh          # more requests per run (default 2000)
#   KEEP=/tmp/cg scripts/bench_instructions.sh    # also keep callgrind.<case>.out of each N run
#   BIN=/tmp/old/per_request scripts/bench_instructions.sh bare baton_init_path   # another build
#
# Builds crates/baton-bench's `per_request` binary in release with line tables (in its own
# target dir, target/bench-callgrind, so it never invalidates anyone's release build), then
# runs each case twice under
#   valgrind --tool=callgrind --fair-sched=yes
# with N=0 and with N requests. Setup, one warm-up request and the provider's shutdown
# happen in both runs, so (Ir(N) - Ir(0)) / N is the steady-state cost of one request,
# every thread included (the batch exporter's too). `--fair-sched=yes` matters: without it
# the export thread starves and spans are dropped. The `+Ir` and `+alloc` columns subtract
# the bare case of the same kind (`bare` for server cases, `client_bare` for client cases).
# `spans` is what the counting exporter received after shutdown, against (N + 1) x spans
# per request: `ok` proves none was dropped. Allocations are counted by a global allocator
# in the binary (alloc + alloc_zeroed; reallocs apart), over the whole process.
# Needs valgrind (Debian: apt-get install valgrind).
set -euo pipefail

cd "$(dirname "$0")/.."
n="${N:-2000}"
keep="${KEEP:-}"

command -v valgrind >/dev/null || { echo "valgrind not found (apt-get install valgrind)" >&2; exit 1; }

# What is measured: recorded before the build, as the sources may change while it runs.
if commit="$(git rev-parse --short HEAD 2>/dev/null)"; then
    dirty="$(git status --porcelain -- crates/baton-core crates/baton-tower crates/baton-reqwest | wc -l)"
    source_state="baton at $commit with $dirty changed file(s) in baton-core/-tower/-reqwest"
else
    source_state="baton source not in a git checkout"
fi
export CARGO_TARGET_DIR="${BENCH_TARGET_DIR:-$PWD/target/bench-callgrind}"
export CARGO_PROFILE_RELEASE_DEBUG=line-tables-only
# One codegen unit: with the default sixteen, how code is partitioned (and so inlined)
# shifts with unrelated changes, moving cases that share no changed code by hundreds of
# instructions between two builds.
export CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1
# BIN=<a per_request binary> measures that build instead (another commit's, built from a
# `git archive` copy), so two commits compare in one table.
[ -n "${BIN:-}" ] || cargo build --release --locked -p baton-bench --bin per_request >&2
bin="${BIN:-$CARGO_TARGET_DIR/release/per_request}"
[ -x "$bin" ] || { echo "could not find the per_request binary" >&2; exit 1; }

mapfile -t all_cases < <("$bin" list)
if [ "$#" -gt 0 ]; then cases=("$@"); else cases=("${all_cases[@]}"); fi
[ -n "$keep" ] && mkdir -p "$keep"

# Runs one case under callgrind; prints "<Ir> <per_request's key=value line>".
run() {
    local case="$1" count="$2" out="/dev/null" log report ir
    [ -n "$keep" ] && [ "$count" != 0 ] && out="$keep/callgrind.$case.out"
    log="$(mktemp)"
    report="$(valgrind --tool=callgrind --fair-sched=yes --callgrind-out-file="$out" \
        "$bin" "$case" "$count" 2>"$log")" || { cat "$log" >&2; rm -f "$log"; return 1; }
    ir="$(awk '/== Collected :/ { print $NF }' "$log")"
    rm -f "$log"
    [ -n "$ir" ] || { echo "$case: no callgrind summary" >&2; return 1; }
    echo "$ir $report"
}

# The value of key $1 in a per_request report line $2.
field() { tr ' ' '\n' <<<"$2" | awk -F= -v k="$1" '$1 == k { print $2 }'; }

declare -A ir_req alloc_req realloc_req spans expected
measure() {
    local case="$1" zero full
    zero="$(run "$case" 0)"
    full="$(run "$case" "$n")"
    ir_req[$case]="$(awk -v a="${zero%% *}" -v b="${full%% *}" -v n="$n" 'BEGIN { printf "%.0f", (b - a) / n }')"
    alloc_req[$case]="$(awk -v a="$(field allocs "$zero")" -v b="$(field allocs "$full")" -v n="$n" 'BEGIN { printf "%.2f", (b - a) / n }')"
    realloc_req[$case]="$(awk -v a="$(field reallocs "$zero")" -v b="$(field reallocs "$full")" -v n="$n" 'BEGIN { printf "%.2f", (b - a) / n }')"
    spans[$case]="$(field exported_spans "$full")"
    expected[$case]="$(field expected_spans "$full")"
}

for case in "${cases[@]}"; do
    echo "measuring $case ..." >&2
    measure "$case"
done
for base in bare client_bare; do
    if [ -z "${ir_req[$base]:-}" ]; then
        for case in "${cases[@]}"; do
            if [[ ("$base" == bare && "$case" != client_*) || ("$base" == client_bare && "$case" == client_*) ]]; then
                echo "measuring $base (baseline) ..." >&2
                measure "$base"
                break
            fi
        done
    fi
done

echo "$source_state; $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
printf '%-28s %9s %9s %8s %8s %9s %16s\n' case "Ir/req" "+Ir" "alloc" "+alloc" "+realloc" "spans exported"
printf '%-28s %9s %9s %8s %8s %9s %16s\n' ---- ------ --- ----- ------ -------- --------------
for case in "${cases[@]}"; do
    if [[ "$case" == client_* ]]; then base=client_bare; else base=bare; fi
    over="$(awk -v a="${ir_req[$case]}" -v b="${ir_req[$base]}" 'BEGIN { printf "%+d", a - b }')"
    over_alloc="$(awk -v a="${alloc_req[$case]}" -v b="${alloc_req[$base]}" 'BEGIN { printf "%+.1f", a - b }')"
    over_realloc="$(awk -v a="${realloc_req[$case]}" -v b="${realloc_req[$base]}" 'BEGIN { printf "%+.1f", a - b }')"
    if [ "${spans[$case]}" = "${expected[$case]}" ]; then verdict=ok; else verdict=DROPPED; fi
    printf '%-28s %9s %9s %8s %8s %9s %16s\n' "$case" "${ir_req[$case]}" "$over" \
        "${alloc_req[$case]}" "$over_alloc" "$over_realloc" "${spans[$case]}/${expected[$case]} $verdict"
done
echo "(N = $n; Ir/req = (Ir(N) - Ir(0)) / N; + = over 'bare' (server) or 'client_bare' (client);"
echo " alloc = alloc + alloc_zeroed per request, realloc apart; spans = exported/expected after shutdown)"
