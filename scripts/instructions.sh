#!/usr/bin/env bash
# Instructions per propagation operation, counted by callgrind.
#
#   scripts/instructions.sh [case...]      # every case when none is named
#   N=100000 scripts/instructions.sh       # more iterations (default 10000)
#
# Builds the `propagation_instructions` bench of baton-core in the bench (release) profile,
# runs each case under callgrind with 0 and with N iterations, and prints
# (Ir(N) - Ir(0)) / N: setup and the one warm-up run cancel out. Where an `sdk_*` case
# measures the same operation with the OpenTelemetry SDK, the `vs sdk` column gives baton's
# count as a fraction of the SDK's. Needs valgrind (Debian: `apt-get install valgrind`).
set -euo pipefail

cd "$(dirname "$0")/.."
n="${N:-10000}"

command -v valgrind >/dev/null || { echo "valgrind not found (apt-get install valgrind)" >&2; exit 1; }

# The build's progress goes to stderr; the JSON messages on stdout name the executable.
bin="$(cargo bench -p baton-core --bench propagation_instructions --no-run --message-format=json \
    | grep '"name":"propagation_instructions"' \
    | grep -o '"executable":"[^"]*"' \
    | tail -n 1 | cut -d '"' -f 4)"
[ -x "$bin" ] || { echo "could not find the propagation_instructions binary" >&2; exit 1; }

# Total instructions (Ir) of one run, from callgrind's summary on stderr.
ir() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "$1" "$2" 2>&1 >/dev/null \
        | awk '/== Collected :/ { print $NF }'
}

mapfile -t all_cases < <("$bin" list)
if [ "$#" -gt 0 ]; then cases=("$@"); else cases=("${all_cases[@]}"); fi

# Instructions per operation of each case measured, by case.
declare -A per_op
measure() {
    local base full
    base="$(ir "$1" 0)"
    full="$(ir "$1" "$n")"
    [ -n "$base" ] && [ -n "$full" ] || { echo "$1: no callgrind summary (unknown case?)" >&2; exit 1; }
    per_op[$1]="$(awk -v a="$base" -v b="$full" -v n="$n" 'BEGIN { printf "%.1f", (b - a) / n }')"
}

for case in "${cases[@]}"; do measure "$case"; done

printf '%-28s %14s %9s\n' case "instr/op" "vs sdk"
printf '%-28s %14s %9s\n' ---- -------- ------
for case in "${cases[@]}"; do
    ratio=""
    sdk_case="sdk_${case#baton_}"
    if [[ "$case" == baton_* && " ${all_cases[*]} " == *" $sdk_case "* ]]; then
        [ -n "${per_op[$sdk_case]:-}" ] || measure "$sdk_case"
        ratio="$(awk -v a="${per_op[$case]}" -v b="${per_op[$sdk_case]}" 'BEGIN { printf "%.2fx", a / b }')"
    fi
    printf '%-28s %14s %9s\n' "$case" "${per_op[$case]}" "$ratio"
done
echo "(N = $n; instr/op = (Ir(N) - Ir(0)) / N; vs sdk = baton's count / the SDK's)"
