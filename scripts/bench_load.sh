#!/usr/bin/env bash
# A bounded load run over loopback: requests/s and latency percentiles of a small axum
# server, bare and with baton's server layer, side by side.
#
#   scripts/bench_load.sh                          # 3 rounds x 10 s per case, 2 connections
#   DURATION=5 CONNECTIONS=4 ROUNDS=1 scripts/bench_load.sh
#   CASES="baton bare baton_nometrics" scripts/bench_load.sh   # another order
#   SATURATE=1 scripts/bench_load.sh               # saturation: 64 connections on the one worker
#
# The "vs bare" column is the throughput ratio of each case to bare in the same run. With
# SATURATE=1 (64 connections unless CONNECTIONS says otherwise) the server's one worker never
# waits for a request, so the ratio is the layer's cost at full load rather than hidden by
# idle time between requests.
#
# Builds crates/baton-bench's `load_server` in release (target/bench-callgrind, shared with
# scripts/bench_instructions.sh), then for each case starts it on 127.0.0.1 (one tokio
# worker; it also stops by itself after DURATION + 20 s), warms it up for 2 s and drives it
# with wrk (one thread, CONNECTIONS connections, DURATION seconds, every request carrying a
# sampled `traceparent`), then stops it with SIGTERM and reads how many spans its counting
# exporter received. The cases take turns, ROUNDS times (default 3), and the table gives each
# case's median round: on a shared two-core machine one 10 s run varies by 10-20%.
# Traffic goes to 127.0.0.1 only; every step is bounded in time.
# Needs wrk (Debian: apt-get install -y wrk).
set -euo pipefail

cd "$(dirname "$0")/.."
duration="${DURATION:-10}"
if [ -n "${SATURATE:-}" ]; then
    connections="${CONNECTIONS:-64}"
else
    connections="${CONNECTIONS:-2}"
fi
rounds="${ROUNDS:-3}"
port_base="${PORT:-38180}"
traceparent="00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

command -v wrk >/dev/null || { echo "wrk not found (apt-get install -y wrk)" >&2; exit 1; }

export CARGO_TARGET_DIR="${BENCH_TARGET_DIR:-$PWD/target/bench-callgrind}"
export CARGO_PROFILE_RELEASE_DEBUG=line-tables-only
cargo build --release --locked -p baton-bench --bin load_server >&2
bin="$CARGO_TARGET_DIR/release/load_server"

work="$(mktemp -d)"
server_pid=""
cleanup() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then kill -TERM "$server_pid"; fi
    rm -rf "$work"
}
trap cleanup EXIT

# Waits (at most 10 s) until 127.0.0.1:$1 accepts connections.
wait_for() {
    for _ in $(seq 100); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    echo "server on port $1 did not start" >&2
    return 1
}

# CASES reorders (or picks) the cases, e.g. CASES="baton bare baton_nometrics".
read -r -a cases <<<"${CASES:-bare baton_nometrics baton}"
declare -A rps p50 p99 served spans
# One measured run of $1 on port $2: appends "rps p50 p99 served spans" to $work/$1.runs.
measure() {
    local case="$1" port="$2" url warm run
    "$bin" "$case" "$port" $((duration + 20)) >"$work/$case.server" 2>"$work/$case.log" &
    server_pid=$!
    wait_for "$port"
    url="http://127.0.0.1:$port/users/42"
    wrk -t1 -c"$connections" -d2s -H "traceparent: $traceparent" "$url" >"$work/$case.warm"
    wrk -t1 -c"$connections" -d"${duration}s" --latency -H "traceparent: $traceparent" "$url" >"$work/$case.wrk"
    kill -TERM "$server_pid"
    wait "$server_pid"
    server_pid=""
    if grep -q "Non-2xx\|Socket errors" "$work/$case.wrk"; then
        echo "$case: wrk reported errors:" >&2
        grep "Non-2xx\|Socket errors" "$work/$case.wrk" >&2
    fi
    warm="$(awk '/requests in/ { print $1 }' "$work/$case.warm")"
    run="$(awk '/requests in/ { print $1 }' "$work/$case.wrk")"
    echo "$(awk '/^Requests\/sec:/ { print $2 }' "$work/$case.wrk") \
$(awk '$1 == "50%" { print $2 }' "$work/$case.wrk") \
$(awk '$1 == "99%" { print $2 }' "$work/$case.wrk") \
$((warm + run)) $(sed -n 's/^exported_spans=//p' "$work/$case.server")" >>"$work/$case.runs"
}

port="$port_base"
for round in $(seq "$rounds"); do
    for case in "${cases[@]}"; do
        echo "load: round $round/$rounds, $case (2 s warm-up, ${duration} s measured) ..." >&2
        measure "$case" "$port"
        port=$((port + 1))
    done
done
for case in "${cases[@]}"; do
    # The median round by requests/s.
    read -r rps[$case] p50[$case] p99[$case] served[$case] spans[$case] \
        < <(sort -g -k1,1 "$work/$case.runs" | awk -v n="$rounds" 'NR == int((n + 1) / 2)')
done

echo "loopback, wrk -t1 -c$connections -d${duration}s --latency, median of $rounds rounds; server: one tokio worker; $(nproc) cores"
printf '%-18s %12s %9s %9s %9s %12s %12s %9s\n' case "requests/s" "vs bare" p50 p99 "requests" "spans" "dropped"
printf '%-18s %12s %9s %9s %9s %12s %12s %9s\n' ---- ---------- ------- --- --- -------- ----- -------
for case in "${cases[@]}"; do
    ratio="$(awk -v a="${rps[$case]}" -v b="${rps[bare]}" 'BEGIN { printf "%+.1f%%", (a / b - 1) * 100 }')"
    dropped=0
    if [ "$case" != bare ] && [ "${spans[$case]}" -lt "${served[$case]}" ]; then
        dropped=$((served[$case] - spans[$case]))
    fi
    printf '%-18s %12s %9s %9s %9s %12s %12s %9s\n' "$case" "${rps[$case]}" "$ratio" "${p50[$case]}" \
        "${p99[$case]}" "${served[$case]}" "${spans[$case]}" "$dropped"
done
echo "(the median round of each case; requests = completed by wrk in that round, warm-up included;"
echo " spans = exported by that server, a few more than requests for those in flight at wrk's stop;"
echo " dropped = requests - spans when positive: the batch processor's queue (OTEL_BSP_MAX_QUEUE_SIZE,"
echo " 2048 by default) overflowed because its export thread did not get the CPU in time)"
