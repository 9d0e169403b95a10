#!/usr/bin/env bash
# Builds the Go interop peer (tests/go_peer: OpenTelemetry Go with otelhttp and otelgrpc,
# used by tests/e2e_go_interop.rs and crates/baton-tower/tests/interop_go_grpc.rs) with the machine's Go toolchain, and prints the binary's path.
#
#     scripts/go_peer.sh            # build if needed; prints .../baton/go_peer/<hash>/go_peer
#
# The binary is cached outside the repository, under ${XDG_CACHE_HOME:-$HOME/.cache}/baton/,
# keyed by a hash of the peer's sources (go.mod, go.sum, *.go) and of the Go version, so
# it is rebuilt whenever either changes and reused otherwise. Modules come from the Go
# module proxy (GOPROXY) and must match the committed go.sum. Without `go` on PATH it
# fails, saying what to install: the tests that need the peer must fail, not skip.
set -euo pipefail
source_dir="$(cd "$(dirname "$0")/../tests/go_peer" && pwd)"

if ! command -v go >/dev/null 2>&1; then
    echo "scripts/go_peer.sh: the Go toolchain is missing: install Go 1.26 or newer" \
        "(https://go.dev/dl/, or your system's golang package) so that \`go\` is on PATH;" \
        "tests/e2e_go_interop.rs needs it to build the Go peer in tests/go_peer." >&2
    exit 1
fi

cd "$source_dir"
key="$(
    {
        go version
        for file in go.mod go.sum $(find . -maxdepth 1 -name '*.go' | LC_ALL=C sort); do
            echo "== $file"
            cat "$file"
        done
    } | sha256sum | cut -c1-16
)"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/baton/go_peer/$key"
binary="$cache/go_peer"

if [ ! -x "$binary" ]; then
    mkdir -p "$cache"
    # Built under a temporary name and moved into place, so a concurrent run never sees
    # half a binary.
    tmp="$(mktemp "$cache/go_peer.XXXXXX")"
    trap 'rm -f "$tmp"' EXIT
    if ! go build -mod=readonly -buildvcs=false -trimpath -o "$tmp" . >&2; then
        echo "scripts/go_peer.sh: building the Go peer in $source_dir failed (see above)" >&2
        exit 1
    fi
    mv -f "$tmp" "$binary"
fi
echo "$binary"
